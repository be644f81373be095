"""The Tensor: an array of numbers plus what autograd needs to know about it.

A tensor holds

* ``array``: the numbers, a NumPy array (a CuPy array on a CUDA device);
* ``requires_grad``: should gradients flow back to it?
* ``grad_fn``: the backward node of the operation that made it (``None`` for leaves);
* ``grad``: after ``backward()``, d(output)/d(this tensor), for leaves that require grad.

``x.data`` is PyTorch's: the same numbers as a Tensor cut off from autograd (shared memory,
``requires_grad=False``; in-place changes through it are not recorded).

This file is the heart of the class. Its many one-line methods (``x + y``, ``x.sum()``,
``x.reshape(...)``, ``x.add_(...)``, ``x.to(...)``) live in ``tensor_methods/``, grouped by
concern; each calls an op's ``apply`` (see ``tinygrad_edu/ops``).
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any

from . import dtypes
from .autograd import engine
from .autograd import function as _function
from .autograd import tensor_xp as _tensor_xp
from .device import device_of
from .shapes import _dim
from .size import Size
from .tensor_methods import (
    ArithmeticMethods,
    ConversionMethods,
    ElementwiseMethods,
    IndexingMethods,
    InplaceMethods,
    LinalgMethods,
    OrderingMethods,
    ReductionMethods,
    SamplingMethods,
    ShapeMethods,
    bind,
)
from .tensor_methods.operands import _operand_tensor  # noqa: F401  (tensor_functions uses it)


class Tensor(
    ArithmeticMethods,
    ElementwiseMethods,
    ReductionMethods,
    OrderingMethods,
    ShapeMethods,
    IndexingMethods,
    LinalgMethods,
    InplaceMethods,
    ConversionMethods,
    SamplingMethods,
):
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
    _views = None  # on a base in a graph: weak references to its views (in-place updates them)
    _bumps: tuple = ()  # the in-place clock at the last few in-place changes (_mark_inplace)
    _hooks = None
    _accumulator = None

    def __init__(
        self,
        *data: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
    ) -> None:
        """``Tensor([1, 2])`` is PyTorch's legacy constructor: always the default float dtype.
        ``Tensor(2, 3)`` (sizes) makes a 2x3 tensor (uninitialised in PyTorch, zeros here)."""
        from .creation import tensor, zeros

        dtype = dtype or dtypes.get_default_dtype()
        if data and all(isinstance(n, int) and not isinstance(n, bool) for n in data):
            t = zeros(*data, dtype=dtype, device=device, requires_grad=requires_grad)
        else:
            values = [] if not data else data[0]
            t = tensor(values, dtype=dtype, device=device, requires_grad=requires_grad)
        self.array, self._requires_grad = t.array, t._requires_grad

    @classmethod
    def _make(cls, data: Any) -> Tensor:
        """Wrap an array without copying or checking (the fast path every op uses)."""
        t = object.__new__(cls)
        t.array = data
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def data(self) -> Tensor:
        """The same numbers as a new Tensor outside autograd, as in PyTorch.

        It shares memory with ``self`` and has ``requires_grad=False``; changes made through it
        (``p.data -= lr * p.grad``) are not recorded, and no backward will notice them.
        Assigning ``x.data = other`` swaps in ``other``'s numbers.
        """
        return Tensor._make(self.array)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Tensor.data must be set to a Tensor, but got {type(value).__name__}")
        self.array = value.array

    @property
    def shape(self) -> Size:
        return Size(self.array.shape)

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.array.shape[_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return int(self.array.size)

    nelement = numel

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self.array.dtype)

    @property
    def device(self) -> Any:
        return device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

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
        if flag and self.array.dtype.kind != "f":
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
            if value.array.shape != self.array.shape:
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

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        from .printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        """``f"{loss}"`` and ``f"{loss:.3f}"`` format a 0-d tensor's number, as PyTorch does."""
        if self.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

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
        ``retain_graph=True``. ``create_graph=True`` records the backward pass too, so the
        ``.grad`` it fills can be differentiated again (higher-order gradients).
        """
        engine.backward(
            self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs
        )

    def detach(self) -> Tensor:
        """The same numbers (shared memory, shared version counter), cut off from the graph."""
        out = Tensor._make(self.array)
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


class _HookHandle:
    """Returned by ``register_hook``: call ``.remove()`` to unregister."""

    def __init__(self, owner: Any, hook: Callable) -> None:
        self.owner, self.hook = owner, hook

    def remove(self) -> None:
        hooks = self.owner._hooks or []
        self.owner._hooks = [h for h in hooks if h is not self.hook] or None


Tensor.__module__ = "tinygrad_edu"  # type(t) prints <class 'tinygrad_edu.Tensor'>, as torch's does
bind(Tensor)
_function.Tensor = _tensor_xp.Tensor = Tensor
