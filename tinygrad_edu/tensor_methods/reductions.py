"""Tensor methods that reduce: sum, mean, var/std, norm, max/min, amax, argmax."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..device import array_module
from ..shapes import _dim, _dims

if TYPE_CHECKING:
    from ..tensor import Tensor
from .. import return_types
from ..ops.cumulative import Cumprod, Cumsum
from ..ops.reduce import Amax, Amin, Logsumexp, Max, Mean, Min, Prod, Std, Sum, Var

MaxResult = return_types.max
MinResult = return_types.min


def _axis(dim: Any, keepdim: Any, kwargs: dict) -> tuple:
    """NumPy's spelling, which PyTorch accepts too: ``axis=`` for ``dim``, ``keepdims=``."""
    if kwargs:
        unknown = set(kwargs) - {"axis", "keepdims"}
        if unknown:
            raise TypeError(f"got an unexpected keyword argument '{unknown.pop()}'")
        if "axis" in kwargs:
            dim = kwargs["axis"]
        if "keepdims" in kwargs:
            keepdim = kwargs["keepdims"]
    return dim, bool(keepdim)


def _nonempty(t: Tensor, dim: Any, name: str) -> Any:
    """The dims to reduce; like PyTorch, a max/min over a dim of size 0 is an IndexError."""
    dims = _dims(None if dim == () else dim, t.ndim)
    for d in range(t.ndim) if dims is None else dims:
        if t.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return dims


def _np_dtype(dtype: Any) -> Any:
    return None if dtype is None else dtype.numpy


class ReductionMethods:
    """Reductions over all elements or over ``dim`` (also spelled ``axis=``/``keepdims=``)."""

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
            **kwargs: Any) -> Tensor:
        dim, keepdim = _axis(dim, keepdim, kwargs)
        x = self if dtype is None or dtype is self.dtype else self.to(dtype)
        return Sum.apply(x, _dims(dim, self.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
             **kwargs: Any) -> Tensor:
        dim, keepdim = _axis(dim, keepdim, kwargs)
        x = self if dtype is None or dtype is self.dtype else self.to(dtype)
        if x.array.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {x.dtype.name.capitalize()}. Convert first, e.g. "
                "x.float().mean()."
            )
        return Mean.apply(x, _dims(dim, self.ndim), keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None, **kwargs: Any) -> Tensor:
        r"""Variance $\frac{1}{n - c}\sum_i (x_i - \bar x)^2$; ``correction`` c is 1 by default
        (Bessel's), 0 for the population variance (``unbiased=False``)."""
        return self._spread(Var, dim, unbiased, keepdim, correction, kwargs)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None, **kwargs: Any) -> Tensor:
        """Standard deviation: the square root of :meth:`var` (same arguments)."""
        return self._spread(Std, dim, unbiased, keepdim, correction, kwargs)

    def _spread(self, op: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any,
                kwargs: dict) -> Tensor:
        if isinstance(dim, bool):  # the old signature var(unbiased)
            dim, unbiased = None, dim
        dim, keepdim = _axis(dim, keepdim, kwargs)
        if correction is None:
            correction = 1 if unbiased is None else int(bool(unbiased))
        if self.array.dtype.kind != "f":
            raise RuntimeError(
                f"std and var only support floating point and complex dtypes (got {self.dtype})"
            )
        return op.apply(self, _dims(dim, self.ndim), correction, keepdim)

    def norm(self, p: float = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        r"""The p-norm $(\sum_i |x_i|^p)^{1/p}$ (default: the Euclidean length), over ``dim``."""
        if p == 2:
            return (self * self).sum(dim=dim, keepdim=keepdim).sqrt()
        if p == float("inf"):
            return self.abs().amax(dim=dim, keepdim=keepdim)
        if p == 1:
            return self.abs().sum(dim=dim, keepdim=keepdim)
        return (self.abs() ** p).sum(dim=dim, keepdim=keepdim) ** (1 / p)

    def max(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Any:
        """``x.max()`` is the largest element; ``x.max(dim)`` returns (values, indices)."""
        dim, keepdim = _axis(dim, keepdim, kwargs)
        return self._extreme(Max, dim, keepdim, "max")

    def min(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Any:
        dim, keepdim = _axis(dim, keepdim, kwargs)
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

    def amax(self, dim: Any = (), keepdim: bool = False, **kwargs: Any) -> Tensor:
        """The largest values over ``dim`` (an int or a tuple; all dims by default), without
        indices; tied maxima share the gradient."""
        dim, keepdim = _axis(dim, keepdim, kwargs)
        return Amax.apply(self, _nonempty(self, dim, "amax"), keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False, **kwargs: Any) -> Tensor:
        """The smallest values over ``dim``; tied minima share the gradient."""
        dim, keepdim = _axis(dim, keepdim, kwargs)
        return Amin.apply(self, _nonempty(self, dim, "amin"), keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None,
             **kwargs: Any) -> Tensor:
        r"""The product $\prod_i x_i$ of all elements, or along one ``dim``."""
        dim, keepdim = _axis(dim, keepdim, kwargs)
        d = None if dim is None else _dim(dim, self.ndim)
        return Prod.apply(self, d, keepdim, _np_dtype(dtype))

    def cumsum(self, dim: Any = None, *, dtype: Any = None, **kwargs: Any) -> Tensor:
        """Running totals along ``dim``: ``[1, 2, 3] -> [1, 3, 6]``."""
        dim = _axis(dim, False, kwargs)[0]
        return Cumsum.apply(self, _dim(dim, self.ndim) if self.ndim else 0, _np_dtype(dtype))

    def cumprod(self, dim: Any = None, *, dtype: Any = None, **kwargs: Any) -> Tensor:
        """Running products along ``dim``: ``[1, 2, 3] -> [1, 2, 6]``."""
        dim = _axis(dim, False, kwargs)[0]
        return Cumprod.apply(self, _dim(dim, self.ndim) if self.ndim else 0, _np_dtype(dtype))

    def logsumexp(self, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        r"""$\log\sum_i e^{x_i}$ along ``dim``, computed without overflow."""
        dim, keepdim = _axis(dim, keepdim, kwargs)
        return Logsumexp.apply(self, _dims(dim, self.ndim), keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        dim, keepdim = _axis(dim, keepdim, kwargs)
        if dim is None:
            xp = array_module(self.array)  # a 0-d array, on the tensor's device
            return Tensor._make(xp.asarray(self.array.argmax()).astype(np.int64))
        return Tensor._make(
            self.array.argmax(axis=_dim(dim, self.ndim), keepdims=keepdim).astype(np.int64)
        )

    def argmin(self, dim: int | None = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        dim, keepdim = _axis(dim, keepdim, kwargs)
        if dim is None:
            xp = array_module(self.array)  # a 0-d array, on the tensor's device
            return Tensor._make(xp.asarray(self.array.argmin()).astype(np.int64))
        return Tensor._make(
            self.array.argmin(axis=_dim(dim, self.ndim), keepdims=keepdim).astype(np.int64)
        )
