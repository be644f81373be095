"""Tensor methods that change the shape (views where possible) and indexing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..device import array_module
from ..shapes import _dim, _dims, _infer_shape, _size_args
from .operands import (
    _check_mask,
    _index_key,
    _operand,
    _view_of,
)

if TYPE_CHECKING:
    from ..tensor import Tensor
from ..ops.indexing import Index, IndexPut
from ..ops.join import Split, SplitWithSizes, Unbind
from ..ops.rearrange import Flip, Repeat, Roll
from ..ops.shape import (
    Expand,
    Permute,
    ReshapeAlias,
    Squeeze,
    T,
    Transpose,
    UnsafeView,
    Unsqueeze,
    View,
)
from ..ops.windows import Unfold


class ShapeMethods:
    """reshape/view, squeeze/unsqueeze, permute/transpose, expand, split, ``x[...]``."""

    @property
    def T(self) -> Tensor:  # noqa: N802
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))  # a node even for <= 1-D

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.ndim == 1:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
            )
        return self.transpose(-2, -1) if self.ndim else self

    def reshape(self, *shape: Any) -> Tensor:
        """A view when the strides allow one, else a copy, as in PyTorch (and named like it:
        ViewBackward0, ReshapeAliasBackward0 for a non-contiguous view, or a copy's
        CloneBackward0 followed by UnsafeViewBackward0)."""
        shape = _infer_shape(_size_args(shape), self.numel(), self.shape)
        if self.array.flags["C_CONTIGUOUS"]:
            return _view_of(self, View.apply(self, shape))
        if _fits_without_copy(self.array, shape):
            return _view_of(self, ReshapeAlias.apply(self, shape))
        return UnsafeView.apply(self.clone(), shape)

    def view(self, *shape: Any) -> Tensor:
        """Like reshape, but (as in PyTorch) only when the strides allow it without a copy:
        ``x.T.view(3, 2)`` works, ``x.T.view(6)`` raises."""
        target = _infer_shape(_size_args(shape), self.numel(), self.shape)
        if not self.array.flags["C_CONTIGUOUS"] and not _fits_without_copy(self.array, target):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least "
                "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead."
            )
        return _view_of(self, View.apply(self, target))

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def contiguous(self) -> Tensor:
        return self if self.array.flags["C_CONTIGUOUS"] else self.clone()

    def is_contiguous(self) -> bool:
        return bool(self.array.flags["C_CONTIGUOUS"])

    def storage_offset(self) -> int:
        """Where this tensor's first element sits in the memory it shares (in elements)."""
        base = self.array
        while isinstance(getattr(base, "base", None), type(self.array)):
            base = base.base
        return (_address(self.array) - _address(base)) // self.array.itemsize

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        if s == e:  # nothing to flatten: PyTorch returns the tensor itself
            return self
        shape = self.shape[:s] + (-1,) + self.shape[e + 1 :]
        return self.reshape(shape)

    def squeeze(self, dim: Any = None) -> Tensor:
        if dim is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            dims = _dims(dim, self.ndim)
            shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        overload = 0 if dim is None else 2 if isinstance(dim, (tuple, list)) else 1
        return _view_of(self, Squeeze.apply(self, shape, overload))

    def unsqueeze(self, dim: int) -> Tensor:
        d = _dim(dim, self.ndim + 1)
        return _view_of(self, Unsqueeze.apply(self, self.shape[:d] + (1,) + self.shape[d:]))

    def permute(self, *dims: Any, **kwargs: Any) -> Tensor:
        if "dims" in kwargs:  # x.permute(dims=(1, 0))
            dims = (kwargs.pop("dims"),)
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        dims = tuple(_dim(d, self.ndim) for d in _size_args(dims))
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                f"length of the desired ordering of dimensions i.e. input.dim() = {self.ndim} is "
                f"not equal to len(dims) = {len(dims)}"
                if len(dims) != self.ndim
                else f"permute(): duplicate dims are not allowed (got {list(dims)})"
            )
        return _view_of(self, Permute.apply(self, dims))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        if self.ndim == 0:  # dims 0 and -1 of a 0-d tensor are the tensor itself
            _dim(dim0, 0), _dim(dim1, 0)
            return _view_of(self, Transpose.apply(self, ()))
        dims = list(range(self.ndim))
        a, b = _dim(dim0, self.ndim), _dim(dim1, self.ndim)
        dims[a], dims[b] = dims[b], dims[a]
        return _view_of(self, Transpose.apply(self, tuple(dims)))

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return _view_of(self, T.apply(self, tuple(range(self.ndim - 1, -1, -1))))

    def expand(self, *shape: Any) -> Tensor:
        shape = _size_args(shape)
        lead = len(shape) - self.ndim
        if lead < 0:
            raise RuntimeError(
                f"expand(torch.FloatTensor{{{list(self.shape)}}}, size={list(shape)}): the number "
                "of sizes provided must be greater or equal to the number of dimensions in the "
                "tensor"
            )
        full = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        for i, n in enumerate(self.shape):
            if n != 1 and n != full[i + lead]:
                raise RuntimeError(
                    f"The expanded size of the tensor ({full[i + lead]}) must match the existing "
                    f"size ({n}) at non-singleton dimension {i + lead}.  Target sizes: "
                    f"{list(shape)}.  Tensor sizes: {list(self.shape)}"
                )
        return _view_of(self, Expand.apply(self, full))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def unbind(self, dim: int = 0) -> tuple:
        d = _dim(dim, self.ndim)
        keys = [(slice(None),) * d + (i,) for i in range(self.shape[d])]
        return tuple(_view_of(self, Unbind.apply(self, k)) for k in keys)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        """Cut along ``dim`` into pieces of ``size`` (the last may be smaller), or of the sizes
        in a list (which must add up to the dim's size)."""
        if self.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        d = _dim(dim, self.ndim)
        n = self.shape[d]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                    f"size at dimension {d}), but got split_sizes={sizes}"
                )
        else:
            size = int(split_size_or_sections)
            sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
        op = SplitWithSizes if isinstance(split_size_or_sections, (list, tuple)) else Split
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        keys = [(slice(None),) * d + (slice(s, s + k),) for s, k in zip(starts, sizes)]
        return tuple(_view_of(self, op.apply(self, key)) for key in keys)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        if self.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        d = _dim(dim, self.ndim)
        n = self.shape[d]
        if n == 0:  # PyTorch gives ``chunks`` empty pieces
            key = (slice(None),) * d + (slice(0, 0),)
            return tuple(_view_of(self, Split.apply(self, key)) for _ in range(chunks))
        return self.split(-(-n // chunks), dim)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """``length`` elements along ``dim`` from ``start``: a view (``x[:, start:start+len]``)."""
        d = _dim(dim, self.ndim)
        n = self.shape[d]
        start = int(start) + (n if int(start) < 0 else 0)
        if start + length > n:
            raise RuntimeError(
                f"start ({start}) + length ({length}) exceeds dimension size ({n})."
            )
        out = self[(slice(None),) * d + (slice(start, start + length),)]
        if out.grad_fn is not None:
            out.grad_fn.narrowed = True
        return out

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """Every window of ``size`` elements along ``dimension``, ``step`` apart: a view whose
        ``dimension`` counts the windows and whose new last dim holds each window."""
        d = _dim(dimension, self.ndim) if self.ndim else 0
        n = self.shape[d] if self.ndim else 1
        if size > n:
            raise RuntimeError(
                f"maximum size for tensor at dimension {d} is {n} but size is {size}"
            )
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        return _view_of(self, Unfold.apply(self, d, int(size), int(step)))

    def broadcast_to(self, *shape: Any) -> Tensor:
        return self.expand(*shape)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def movedim(self, source: int, destination: int) -> Tensor:
        order = [d for d in range(self.ndim) if d != _dim(source, self.ndim)]
        order.insert(_dim(destination, self.ndim), _dim(source, self.ndim))
        return self.permute(order)

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
        return Flip.apply(self, _dims(_size_args(dims), self.ndim) or ())

    def fliplr(self) -> Tensor:
        return self.flip(1)

    def flipud(self) -> Tensor:
        return self.flip(0)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Shift elements along ``dims`` by ``shifts`` (those pushed off one end come back at
        the other); without ``dims``, roll the flattened tensor."""
        shifts_t = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
        if dims is None:
            if len(shifts_t) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, "
                                   "dims:0")
            return Roll.apply(self, int(shifts_t[0]), None)
        dims_t = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
        if len(shifts_t) != len(dims_t):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, "
                               f"dims:{len(dims_t)}")
        return Roll.apply(self, tuple(int(s) for s in shifts_t),
                          tuple(_dim(d, self.ndim) for d in dims_t))

    def repeat(self, *repeats: Any) -> Tensor:
        """Tile the whole tensor: ``repeats[d]`` copies along each dim (new dims in front)."""
        reps = _size_args(repeats)
        if len(reps) < self.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions "
                "of tensor"
            )
        return Repeat.apply(self, reps)

    def tile(self, *dims: Any) -> Tensor:
        """Like :meth:`repeat`, but fewer ``dims`` than the tensor has are padded with 1s."""
        reps = _size_args(dims)
        return self.repeat((1,) * (self.ndim - len(reps)) + reps)

    def repeat_interleave(self, repeats: Any, dim: int | None = None) -> Tensor:
        """Repeat each element (or each slice along ``dim``) ``repeats`` times in place:
        ``[1, 2] -> [1, 1, 2, 2]``."""
        from ..creation import arange, tensor

        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else _dim(dim, self.ndim)
        n = x.shape[d]
        counts = repeats.array if isinstance(repeats, Tensor) else [int(repeats)] * n
        counts = tensor(counts).numpy_host().reshape(-1)
        if counts.size == 1 and n != 1:
            counts = counts.repeat(n)
        index = arange(n).numpy_host().repeat(counts)
        picked = x.index_select(d, tensor(index, device=x.device))
        return picked.reshape(picked.shape)  # PyTorch's node on top is a view

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key: Any) -> Tensor:
        key = _index_key(_check_mask(key, self), self)
        ints_first = _split_integers(key)
        if ints_first is not None:  # x[0, :, [0, 1]]: PyTorch selects x[0] first, then indexes
            selected, rest = ints_first
            return self[selected][rest]
        return _view_of(self, Index.apply(self, key))

    def __setitem__(self, key: Any, value: Any) -> None:
        key = _index_key(_check_mask(key, self), self)
        ints_first = _split_integers(key)
        if ints_first is not None:  # x[0, :, [0, 1]] = v: into the view x[0], torch's dim order
            selected, rest = ints_first
            self[selected][rest] = value
            return
        self._inplace(IndexPut, key, _operand(value))


def _split_integers(key: Any) -> Any:
    """For a key mixing integers with integer-array/bool indices, PyTorch applies the integers
    first (a select, a view) and the array indices to what remains, so the dims land where
    PyTorch puts them (NumPy would treat the integers as array indices too and move the
    broadcast dims to the front). Returns (integer part, remaining key), or None."""
    if not isinstance(key, tuple):
        return None
    ints = [isinstance(k, int) and not isinstance(k, bool) for k in key]
    arrays = [hasattr(k, "shape") or isinstance(k, bool) for k in key]
    if not any(ints) or not any(arrays):
        return None
    selected = []
    for k, is_int in zip(key, ints):
        if is_int or k is Ellipsis:
            selected.append(k)
        elif k is None:
            continue
        else:  # a slice or an index array: keep the dims it covers, for the second step
            covered = k.ndim if getattr(k, "dtype", None) is not None and k.dtype == bool else 1
            selected.extend([slice(None)] * covered)
    rest = tuple(k for k, is_int in zip(key, ints) if not is_int)
    return tuple(selected), rest


def _address(array: Any) -> int:
    """The memory address of an array's first element (NumPy or CuPy)."""
    ptr = getattr(array.data, "ptr", None)  # CuPy: a MemoryPointer; NumPy: a memoryview
    return ptr if ptr is not None else array.__array_interface__["data"][0]


def _fits_without_copy(array: Any, shape: tuple) -> bool:
    """Can ``array`` take ``shape`` as a view (its strides allow it)? NumPy applies PyTorch's
    rule: reshape without copying, or refuse."""
    if array.size <= 1:
        return True
    xp = array_module(array)
    try:
        xp.reshape(array, shape, copy=False)
    except ValueError:
        return False
    except TypeError:  # CuPy's reshape has no copy=: a view shares memory, a copy does not
        return bool(xp.may_share_memory(array, array.reshape(shape)))
    return True
