"""Tensor methods that pick or write elements by index tensors and masks.

``gather``, ``index_select``, ``scatter``, ``masked_fill``, ``masked_select`` call the ops in
``ops/gather.py``; ``nonzero`` and ``unique`` return integer/value tensors with no gradient.
Misuse gets PyTorch's errors (the index dtype, its number of dims, out-of-range indices).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..device import array_module, index_on_device
from ..ops.gather import Gather, IndexSelect, MaskedFill, MaskedSelect, Scatter, ScatterAdd
from ..shapes import _dim
from .operands import _operand_tensor

if TYPE_CHECKING:
    from ..tensor import Tensor

Tensor = None  # noqa: F811  set by bind()


def _index(t: Tensor, index: Tensor, name: str) -> Any:
    """The raw index array of ``index`` on ``t``'s device, after PyTorch's dtype check."""
    if not isinstance(index, Tensor) or index.array.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    return index_on_device(index.array, t.array)


def _check_gather(t: Tensor, d: int, index: Tensor, name: str) -> Any:
    idx = _index(t, index, name)
    if max(idx.ndim, 1) != max(t.ndim, 1):  # PyTorch counts a 0-d tensor as 1-d here
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if idx.ndim != t.ndim:
        idx = idx.reshape((1,) * t.ndim)
    if idx.size:
        n = t.shape[d] if t.ndim else 1
        bad = idx[(idx < -n) | (idx >= n)]
        if bad.size:
            raise RuntimeError(
                f"index {int(bad.reshape(-1)[0])} is out of bounds for dimension {d} with size {n}"
            )
    return idx % max(t.shape[d] if t.ndim else 1, 1)  # negative indices count from the end


def _check_mask(mask: Tensor, name: str) -> Any:
    if not isinstance(mask, Tensor) or mask.array.dtype.kind != "b":
        kind = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"{name} only supports boolean masks, but got mask with dtype {kind}")
    return mask.array


class IndexingMethods:
    """gather/scatter, index_select, masked_fill/masked_select, nonzero, unique."""

    def gather(self, dim: int, index: Tensor) -> Tensor:
        """``out[i][j] = self[i][index[i][j]]`` (dim 1): pick one element per index entry."""
        d = _dim(dim, self.ndim) if self.ndim else 0
        out = Gather.apply(self, d, _check_gather(self, d, index, "gather"))
        return out.reshape(()) if index.ndim == 0 and out.ndim else out

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """Whole slices along ``dim`` in the order of the 1-D ``index`` (repeats allowed)."""
        d = _dim(dim, self.ndim)
        idx = _index(self, index, "index_select")
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        n = self.shape[d] if self.ndim else 1
        if idx.size and bool(((idx < -n) | (idx >= n)).any()):
            raise IndexError("index out of range in self")
        return IndexSelect.apply(self, d, idx.reshape(-1) % max(n, 1))

    def scatter(self, dim: int, index: Tensor, src: Any = None, value: Any = None) -> Tensor:
        """A copy of self with ``out[i][index[i][j]] = src[i][j]`` (dim 1), or ``= value``."""
        d = _dim(dim, self.ndim) if self.ndim else 0
        idx = _check_gather(self, d, index, "scatter")
        src = value if src is None else src
        if isinstance(src, Tensor):
            src = src.to(self.dtype) if src.dtype != self.dtype else src
        return Scatter.apply(self, d, idx, src)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """A copy of self with ``out[i][index[i][j]] += src[i][j]`` (dim 1); repeats add up."""
        d = _dim(dim, self.ndim)
        return ScatterAdd.apply(self, d, _check_gather(self, d, index, "scatter_add"),
                                _operand_tensor(src, self))

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, else self (the mask broadcasts)."""
        m = _check_mask(mask, "masked_fill_")
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(
                    "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                    f"{value.ndim} dimension(s)."
                )
            return MaskedFill.apply(self, index_on_device(m, self.array), value)
        return MaskedFill.apply(self, index_on_device(m, self.array), value)

    def masked_select(self, mask: Tensor) -> Tensor:
        """The elements where ``mask`` is True, as a 1-D tensor (the mask broadcasts)."""
        m = _check_mask(mask, "masked_select:")
        return MaskedSelect.apply(self, index_on_device(m, self.array))

    def nonzero(self, as_tuple: bool = False) -> Any:
        """The indices of the non-zero elements: (n, ndim) int64, or one tensor per dim."""
        xp = array_module(self.array)
        if self.ndim == 0:  # PyTorch: one row with no columns, or no row
            n = int(bool(self.array != 0))
            return (Tensor._make(xp.zeros(n, dtype="int64")),) if as_tuple else Tensor._make(
                xp.zeros((n, 0), dtype="int64"))
        found = xp.nonzero(self.array)
        if as_tuple:
            return tuple(Tensor._make(i.astype("int64")) for i in found)
        return Tensor._make(xp.stack(found, axis=1).astype("int64") if found else
                            xp.zeros((0, 0), dtype="int64"))

    def argwhere(self) -> Tensor:
        return self.nonzero()

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim: int | None = None) -> Any:
        """The distinct values, sorted; optionally where each element went and how many."""
        xp = array_module(self.array)
        if dim is not None:
            raise NotImplementedError("unique(dim=...) is not supported by tinygrad_edu")
        values, inverse, counts = xp.unique(self.array, return_inverse=True, return_counts=True)
        out = [Tensor._make(values)]
        if return_inverse:
            out.append(Tensor._make(inverse.reshape(self.array.shape).astype("int64")))
        if return_counts:
            out.append(Tensor._make(counts.astype("int64")))
        return out[0] if len(out) == 1 else tuple(out)
