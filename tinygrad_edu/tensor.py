"""The Tensor: an array of numbers plus what autograd needs to know about it.

A tensor holds

* ``data``: the numbers, a NumPy array (a CuPy array on a CUDA device);
* ``requires_grad``: should gradients flow back to it?
* ``grad_fn``: the backward node of the operation that made it (``None`` for leaves);
* ``grad``: after ``backward()``, d(output)/d(this tensor), for leaves that require grad.

Every math method is a one-liner that calls an op's ``apply`` (see ``tinygrad_edu/ops``).
Note: PyTorch's ``x.data`` is a detached *tensor*; ours is the raw array underneath. Use
``x.detach()`` for the tensor.
"""

from __future__ import annotations

import warnings
import weakref
from collections import namedtuple
from collections.abc import Callable
from typing import Any

import numpy as np

from . import dtypes
from .autograd import engine
from .autograd import function as _function
from .autograd.function import _InplaceClock
from .autograd.grad_mode import _GradMode
from .device import array_module, as_device, backend, device_of, index_on_device, on_common_device
from .ops.arithmetic import Add, Div, Mul, Neg, Pow, Sub
from .ops.compare import Clamp, Maximum, Minimum
from .ops.convert import Clone, ToCopy
from .ops.indexing import Index, IndexPut
from .ops.matmul import MatMul
from .ops.reduce import Max, Mean, Min, Sum
from .ops.shape import Expand, Permute, Squeeze, Transpose, Unsqueeze, View
from .ops.softmax import LogSoftmax, Softmax
from .ops.unary import Abs, Exp, Log, Relu, Sigmoid, Sqrt, Tanh
from .shapes import _check_matmul, _dim, _dims, _infer_shape, _size_args
from .size import Size

MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])
_NUMBER = (int, float, bool)
_FAST = frozenset((int, float))  # operands passed straight to the op (Tensor is added below)


class Tensor:
    """An n-dimensional array that remembers how it was computed.

    >>> a = tensor([2.0, 3.0], requires_grad=True)
    >>> b = a ** 2
    >>> b.backward(tensor([1.0, 1.0]))
    >>> a.grad
    tensor([4., 6.])
    """

    __array_ufunc__ = None  # numpy_array * tensor -> our __rmul__, not NumPy's

    # Defaults as class attributes keep creating a tensor cheap (one attribute set in _make).
    _requires_grad = False
    _grad = None
    grad_fn = None
    name = None
    _version = 0
    _base = None  # for a view (x[0], x.T, x.detach(), ...): the tensor whose memory it shares
    _detached = False  # a view made by detach(): in-place changes are allowed on it
    _bumps: tuple = ()  # the in-place clock at the last few in-place changes (_mark_inplace)
    _hooks = None
    _accumulator = None

    def __init__(
        self,
        data: Any = None,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> None:
        """``Tensor([1, 2])`` is PyTorch's legacy constructor: always the default float dtype."""
        from .creation import tensor

        t = tensor(
            [] if data is None else data,
            dtype=dtype or dtypes.get_default_dtype(),
            device=device,
            requires_grad=requires_grad,
        )
        self.data, self._requires_grad = t.data, t._requires_grad

    @classmethod
    def _make(cls, data: Any) -> Tensor:
        """Wrap an array without copying or checking (the fast path every op uses)."""
        t = object.__new__(cls)
        t.data = data
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def array(self) -> Any:
        """The raw NumPy (or CuPy) array under this tensor."""
        return self.data

    @property
    def shape(self) -> Size:
        return Size(self.data.shape)

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.data.shape[_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    nelement = numel

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self.data.dtype)

    @property
    def device(self) -> Any:
        return device_of(self.data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    @property
    def is_leaf(self) -> bool:
        """True for tensors you made yourself (and for any tensor that doesn't require grad)."""
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self.grad_fn is not None and not flag:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if flag and self.data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(this tensor is {self.dtype}; create it with floats, e.g. tensor([1., 2.]))"
            )
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self) -> Tensor | None:
        """d(output)/d(self), filled in by ``backward()`` for leaves (and for ``retain_grad()``)."""
        if self._grad is None and self.grad_fn is not None and not self._retains_grad():
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got {type(value).__name__}"
                )
            if value.data.shape != self.data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: got {list(value.shape)}, "
                    f"expected {list(self.shape)}"
                )
        self._grad = value

    def _retains_grad(self) -> bool:
        node = self.grad_fn
        return node is not None and node._retain is not None and node._retain() is self

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad()

    @property
    def T(self) -> Tensor:  # noqa: N802
        return self if self.ndim < 2 else self.permute(*range(self.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        return self.transpose(-2, -1)

    # ------------------------------------------------------------------ conversions
    def item(self) -> Any:
        """The single number in this tensor, as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar "
                "(use .tolist() for many numbers, or index one element first)"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.numpy_host().tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
        """The NumPy array behind a CPU tensor: they share memory, like PyTorch."""
        if self.device.type != "cpu":  # PyTorch checks the device first
            if force:
                return self.numpy_host()
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first."
            )
        if self._requires_grad and not force and _GradMode.enabled:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self.data

    def numpy_host(self) -> np.ndarray:
        """A NumPy copy on the host whatever the device (used for printing and drawing)."""
        return backend(self.device.type).to_host(self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.numpy()
        return a if dtype is None else a.astype(dtype)

    def __float__(self) -> float:
        _check_one_element(self)
        return float(self.item())

    def __int__(self) -> int:
        _check_one_element(self)
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{list(self.shape)}). Use .any() or .all(), or compare a reduction like "
                "x.sum() > 0."
            )
        return bool(self.data.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        from .printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        return format(self.item(), spec) if self.ndim == 0 and spec else repr(self)

    def __reduce_ex__(self, protocol: int) -> Any:
        """Pickling and ``copy.deepcopy`` keep the values, dtype, device and requires_grad."""
        from .creation import tensor

        args = (self.numpy_host(), self.dtype, str(self.device), self._requires_grad)
        return (tensor, args, None)

    # ------------------------------------------------------------------ autograd
    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Fill ``.grad`` of every leaf this tensor depends on with d(self)/d(leaf).

        ``gradient`` is required unless self holds one number: backward computes the
        vector-Jacobian product ``gradient^T J``. The graph is freed afterwards unless
        ``retain_graph=True``.
        """
        engine.backward(self, gradient, retain_graph=retain_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """The same numbers (shared memory, shared version counter), cut off from the graph."""
        out = Tensor._make(self.data)
        out._base, out._detached = (self if self._base is None else self._base), True
        return out

    def detach_(self) -> Tensor:
        self.grad_fn, self._requires_grad = None, False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor too (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retain = weakref.ref(self)

    def register_hook(self, hook: Callable) -> _HookHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new grad."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.register_hook(hook)
            return _HookHandle(self.grad_fn, hook)
        self._hooks = (self._hooks or []) + [hook]
        return _HookHandle(self, hook)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> Tensor:
        return Add.apply(self, other if type(other) in _FAST else _operand(other))

    def __radd__(self, other: Any) -> Tensor:
        return Add.apply(other if type(other) in _FAST else _operand(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return Sub.apply(self, other if type(other) in _FAST else _operand(other))

    def __rsub__(self, other: Any) -> Tensor:
        return Sub.apply(other if type(other) in _FAST else _operand(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return Mul.apply(self, other if type(other) in _FAST else _operand(other))

    def __rmul__(self, other: Any) -> Tensor:
        return Mul.apply(other if type(other) in _FAST else _operand(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return Div.apply(self, other if type(other) in _FAST else _operand(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return Div.apply(other if type(other) in _FAST else _operand(other), self)

    def __pow__(self, other: Any) -> Tensor:
        return Pow.apply(self, other if type(other) in _FAST else _operand(other))

    def __rpow__(self, other: Any) -> Tensor:
        return Pow.apply(other if type(other) in _FAST else _operand(other), self)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _operand_tensor(other, self).matmul(self)

    def add(self, other: Any, alpha: float = 1) -> Tensor:
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return -self

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product, with PyTorch's rules for 1-D and batched operands."""
        other = _operand_tensor(other, self)
        _check_matmul(self, other)
        return MatMul.apply(self, other)

    mm = matmul

    def dot(self, other: Tensor) -> Tensor:
        return self.matmul(other)

    # ------------------------------------------------------------------ elementwise functions
    def exp(self) -> Tensor:
        return Exp.apply(self)

    def log(self) -> Tensor:
        return Log.apply(self)

    def sqrt(self) -> Tensor:
        return Sqrt.apply(self)

    def tanh(self) -> Tensor:
        return Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return Relu.apply(self)

    def abs(self) -> Tensor:
        return Abs.apply(self)

    __abs__ = abs

    def maximum(self, other: Any) -> Tensor:
        return Maximum.apply(self, _operand_tensor(other, self))

    def minimum(self, other: Any) -> Tensor:
        return Minimum.apply(self, _operand_tensor(other, self))

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return Clamp.apply(self, _raw(min), _raw(max))

    clip = clamp

    def softmax(self, dim: int) -> Tensor:
        return Softmax.apply(self, _dim(dim, self.ndim))

    def log_softmax(self, dim: int) -> Tensor:
        return LogSoftmax.apply(self, _dim(dim, self.ndim))

    # ------------------------------------------------------------------ comparisons (no grad)
    def _compare(self, other: Any, op: Callable) -> Tensor:
        a, b = self.data, _raw(other)
        if isinstance(other, Tensor) and type(b) is not type(a):
            a, b = on_common_device(a, b)  # raises when the devices differ
        out = op(a, b)  # NumPy gives a scalar for 0-d operands: make it an array again
        return Tensor._make(out if type(out) is type(a) else array_module(a).asarray(out))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a >= b)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __invert__(self) -> Tensor:
        return Tensor._make(~self.data)

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a & b)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, lambda a, b: a | b)

    def logical_not(self) -> Tensor:
        return Tensor._make(self.data == 0)

    def any(self) -> Tensor:
        return Tensor._make(self.data.any())

    def all(self) -> Tensor:
        return Tensor._make(self.data.all())

    def equal(self, other: Tensor) -> bool:
        a, b = on_common_device(self.data, other.data)
        return self.shape == other.shape and bool((a == b).all())

    def allclose(self, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        a, b = on_common_device(self.data, other.data)
        return bool(abs(a - b).__le__(atol + rtol * abs(b)).all())

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return Sum.apply(self, _dims(dim, self.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        if self.data.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {self.dtype.name}. Convert first, e.g. x.float().mean()."
            )
        return Mean.apply(self, _dims(dim, self.ndim), keepdim)

    def var(
        self,
        dim: Any = None,
        keepdim: bool = False,
        correction: int = 1,
        unbiased: bool | None = None,
    ) -> Tensor:
        """Variance: mean squared distance from the mean, divided by (n - correction)."""
        if unbiased is not None:
            correction = int(unbiased)
        dims = _dims(dim, self.ndim)
        centred = self - self.mean(dim=dims, keepdim=True)
        n = self.numel() // max(1, (self.sum(dim=dims, keepdim=keepdim)).numel())
        return (centred * centred).sum(dim=dims, keepdim=keepdim) / max(n - correction, 0)

    def std(
        self,
        dim: Any = None,
        keepdim: bool = False,
        correction: int = 1,
        unbiased: bool | None = None,
    ) -> Tensor:
        return self.var(dim, keepdim, correction, unbiased).sqrt()

    def norm(self, p: float = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        r"""The p-norm $(\sum_i |x_i|^p)^{1/p}$ (default: the Euclidean length), over ``dim``."""
        if p == 2:
            return (self * self).sum(dim=dim, keepdim=keepdim).sqrt()
        if p == float("inf"):
            return self.abs().amax(dim=dim, keepdim=keepdim)
        if p == 1:
            return self.abs().sum(dim=dim, keepdim=keepdim)
        return (self.abs() ** p).sum(dim=dim, keepdim=keepdim) ** (1 / p)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """``x.max()`` is the largest element; ``x.max(dim)`` returns (values, indices)."""
        return self._extreme(Max, dim, keepdim, "max")

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._extreme(Min, dim, keepdim, "min")

    def _extreme(self, op: Any, dim: Any, keepdim: bool, name: str) -> Any:
        if isinstance(dim, Tensor):  # torch.max(a, b) is maximum
            return self.maximum(dim) if name == "max" else self.minimum(dim)
        if self.numel() == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        if dim is None:
            return op.apply(self, None, False)
        d = _dim(dim, self.ndim)
        values = op.apply(self, d, keepdim)
        if name == "max":
            return MaxResult(values, self.argmax(d, keepdim))
        return MinResult(values, self.argmin(d, keepdim))

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """The largest values over ``dim`` (an int or a tuple of ints), without the indices."""
        dims = _dims(dim, self.ndim)
        if dims is None:
            return Max.apply(self, None, False)
        out = self
        for d in reversed(dims):  # last dim first, so the remaining dim numbers stay valid
            out = Max.apply(out, d, keepdim)
        return out

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            xp = array_module(self.data)  # a 0-d array, on the tensor's device
            return Tensor._make(xp.asarray(self.data.argmax()).astype(np.int64))
        return Tensor._make(
            self.data.argmax(axis=_dim(dim, self.ndim), keepdims=keepdim).astype(np.int64)
        )

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            xp = array_module(self.data)  # a 0-d array, on the tensor's device
            return Tensor._make(xp.asarray(self.data.argmin()).astype(np.int64))
        return Tensor._make(
            self.data.argmin(axis=_dim(dim, self.ndim), keepdims=keepdim).astype(np.int64)
        )

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        shape = _infer_shape(_size_args(shape), self.numel(), self.shape)
        return _view_of(self, View.apply(self, shape))

    def view(self, *shape: Any) -> Tensor:
        """Like reshape, but (as in PyTorch) only when no copy is needed."""
        if not self.data.flags["C_CONTIGUOUS"] and self.numel() > 1:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        return self.reshape(*shape)

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def contiguous(self) -> Tensor:
        return self if self.data.flags["C_CONTIGUOUS"] else self.clone()

    def is_contiguous(self) -> bool:
        return bool(self.data.flags["C_CONTIGUOUS"])

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = _dim(start_dim, self.ndim), _dim(end_dim, self.ndim)
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

    def permute(self, *dims: Any) -> Tensor:
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
        dims = list(range(self.ndim))
        a, b = _dim(dim0, self.ndim), _dim(dim1, self.ndim)
        dims[a], dims[b] = dims[b], dims[a]
        return _view_of(self, Transpose.apply(self, tuple(dims)))

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.transpose(0, 1) if self.ndim == 2 else self

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
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def split(self, size: int, dim: int = 0) -> tuple:
        d = _dim(dim, self.ndim)
        return tuple(
            self[(slice(None),) * d + (slice(i, i + size),)] for i in range(0, self.shape[d], size)
        )

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        n = self.shape[_dim(dim, self.ndim)]
        return self.split(-(-n // chunks), dim)

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, key: Any) -> Tensor:
        return _view_of(self, Index.apply(self, _index_key(_check_mask(key, self), self)))

    def __setitem__(self, key: Any, value: Any) -> None:
        self._inplace(IndexPut, _index_key(_check_mask(key, self), self), _operand(value))

    # ------------------------------------------------------------------ in-place ops
    def _inplace(self, op: Any, *args: Any) -> Tensor:
        """Run ``op`` out of place, then write the result into this tensor's own memory.

        PyTorch's rules: a leaf that requires grad refuses (outside no_grad), since its old value
        is what the gradient is about; the tensor's version goes up, so any backward that saved
        the old value can tell it was overwritten.
        """
        if self.grad_fn is None and self._requires_grad and _GradMode.enabled:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. "
                "Update it inside `with tinygrad_edu.no_grad():`, or use an out-of-place op."
            )
        if self._base is not None and not self._detached and _GradMode.enabled:
            _refuse_inplace_on_graph_view(self, args)
        for t in (self, self._base):  # a node may have saved this very output (exp, sqrt, ...)
            if t is not None and t.grad_fn is not None:
                t.grad_fn._output = t
        before = Tensor._make(self.data)  # this tensor as it was: the new node's input
        before._requires_grad, before.grad_fn, before.name = (
            self._requires_grad,
            self.grad_fn,
            self.name,
        )
        result = op.apply(before, *args)
        if result.data.shape != self.data.shape:
            raise RuntimeError(
                f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(result.shape)}"
            )
        if not np.can_cast(result.data.dtype, self.data.dtype, casting="same_kind"):
            raise RuntimeError(
                f"result type {dtypes.from_numpy_dtype(result.data.dtype).name.capitalize()} can't "
                f"be cast to the desired output type {self.dtype.name.capitalize()}"
            )
        node = result.grad_fn
        if node is not None and any(s is self.data for s in node._saved):
            node._saved = tuple(s.copy() if s is self.data else s for s in node._saved)
        self.data[...] = result.data
        self._mark_inplace()
        if node is not None:
            self._requires_grad, self.grad_fn = True, node
        return self

    def _mark_inplace(self) -> None:
        """Record that this tensor's values changed in place (a new version).

        Nodes that saved the old values compare the in-place clock with the one at their
        forward and refuse to backward with changed values. Only the last few changes are kept:
        the history stays small however many optimizer steps update a parameter.
        """
        owner = self if self._base is None else self._base  # views share their base's counter
        owner._version += 1
        owner._bumps = (*owner._bumps[-7:], _InplaceClock.tick())

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(Add, _operand(other if alpha == 1 else other * alpha))

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace(Sub, _operand(other if alpha == 1 else other * alpha))

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(Mul, _operand(other))

    def div_(self, other: Any) -> Tensor:
        return self._inplace(Div, _operand(other))

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace(Clamp, _raw(min), _raw(max))

    def fill_(self, value: Any) -> Tensor:
        return self._inplace(IndexPut, Ellipsis, _operand(value))

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def copy_(self, src: Tensor) -> Tensor:
        return self._inplace(IndexPut, Ellipsis, _operand_tensor(src, self).to(self.device))

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        from .random import rng

        with _no_grad_if_leaf(self):
            return self.copy_(Tensor._make(rng(generator).uniform(a, b, self.data.shape)))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        from .random import rng

        with _no_grad_if_leaf(self):
            return self.copy_(Tensor._make(rng(generator).normal(mean, std, self.data.shape)))

    # ------------------------------------------------------------------ dtype and device
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``x.to("cuda")``, ``x.to(float64)``, ``x.to(other)``, ``x.to("cuda", float64)``.

        Returns ``self`` when nothing changes, else a copy that stays in the graph.
        """
        target_device, target_dtype = kwargs.get("device"), kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):
                target_device, target_dtype = a.device, a.dtype
            elif isinstance(a, dtypes.dtype):
                target_dtype = a
            elif a is not None:
                target_device = a
        dev = as_device(target_device) if target_device is not None else None
        if dev is not None and dev.type == "cuda":
            backend("cuda").xp  # noqa: B018  raises the clear "no CuPy / no GPU" error early
        same_device = (
            dev is None
            or dev == self.device
            or (dev.index is None and dev.type == self.device.type)
        )
        same_dtype = target_dtype is None or target_dtype is self.dtype
        if same_device and same_dtype:
            return self
        return ToCopy.apply(
            self, None if same_dtype else target_dtype.numpy, None if same_device else dev
        )

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Tensor:
        return self.to(
            "cuda"
            if device is None
            else as_device(device if not isinstance(device, int) else f"cuda:{device}")
        )

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool_)

    def clone(self) -> Tensor:
        return Clone.apply(self, None, None)


# ---------------------------------------------------------------------------- helpers
def _view_of(base: Tensor, out: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base`` when NumPy made it share ``base``'s memory.

    As in PyTorch, a view and its base share one version counter: changing either in place
    is seen by every backward node that saved the other.
    """
    if getattr(out.data, "base", None) is not None:  # a NumPy/CuPy view, not a copy
        out._base = base if base._base is None else base._base
    return out


def _refuse_inplace_on_graph_view(view: Tensor, args: tuple) -> None:
    """In-place on a view whose base is in the graph: refuse rather than drop gradients.

    PyTorch rewrites the base's history (a CopySlices node) so gradients flow through the
    change; tinygrad_edu does not, so it says so instead of giving wrong gradients.
    """
    base = view._base
    if base._requires_grad or view._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args
    ):
        raise RuntimeError(
            "in-place operation on a view (x[...], x.view(...), x.T, ...) of a tensor that is "
            "part of an autograd graph: tinygrad_edu does not rewrite the base's history as "
            "PyTorch does (CopySlices). Write to the base instead (x[idx] = value), use an "
            "out-of-place op, or do it under no_grad()."
        )


class _HookHandle:
    """Returned by ``register_hook``: call ``.remove()`` to unregister."""

    def __init__(self, owner: Any, hook: Callable) -> None:
        self.owner, self.hook = owner, hook

    def remove(self) -> None:
        hooks = self.owner._hooks or []
        self.owner._hooks = [h for h in hooks if h is not self.hook] or None


class _no_grad_if_leaf:  # noqa: N801  init functions fill leaves in place, as torch.nn.init does
    def __init__(self, t: Tensor) -> None:
        self.leaf = t.grad_fn is None

    def __enter__(self) -> None:
        self.prev = _GradMode.enabled
        if self.leaf:
            _GradMode.enabled = False

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.prev


def _operand(x: Any) -> Any:
    """Numbers stay Python numbers (NumPy keeps the tensor's dtype); everything else -> Tensor."""
    if type(x) is Tensor or type(x) in _NUMBER:
        return x
    if isinstance(x, (Tensor, int, float)):
        return x
    from .creation import tensor

    return tensor(x)


def _operand_tensor(x: Any, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from .creation import tensor

    return tensor(x, dtype=like.dtype if isinstance(x, _NUMBER) else None, device=like.device)


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _check_one_element(t: Tensor) -> None:
    """float(x) / int(x): PyTorch raises ValueError (x.item() raises RuntimeError)."""
    if t.data.size != 1:
        raise ValueError(
            f"only one element tensors can be converted to Python scalars (this one has "
            f"{t.data.size} elements, shape {list(t.shape)}; index one first, or use .tolist())"
        )


def _check_mask(key: Any, t: Tensor) -> Any:
    """A bool mask in front must have the shape of the dims it covers (PyTorch's message)."""
    mask = key[0] if isinstance(key, tuple) and key else key
    if isinstance(mask, Tensor) and mask.data.dtype.kind == "b" and mask.ndim:
        for i, n in enumerate(mask.shape):
            if i >= t.ndim or t.shape[i] != n:
                raise IndexError(
                    f"The shape of the mask {list(mask.shape)} at index {i} does not match the "
                    f"shape of the indexed tensor {list(t.shape)} at index {i}"
                )
    return key


def _index_key(key: Any, t: Tensor) -> Any:
    """Turn tensors (and lists) inside an index into arrays NumPy understands."""
    if isinstance(key, tuple):
        return tuple(_index_key(k, t) for k in key)
    if isinstance(key, Tensor):
        if key.data.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return index_on_device(key.data, t.data)  # CPU indices may index a CUDA tensor
    if isinstance(key, list):
        return index_on_device(np.asarray(key), t.data)
    if type(key) is np.ndarray and type(t.data) is not np.ndarray:
        return index_on_device(key, t.data)
    return key


_function.Tensor = Tensor
_FAST = frozenset((int, float, Tensor))
