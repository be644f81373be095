"""Tensor methods that reduce: sum, mean, var/std, norm, max/min, amax, argmax."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..device import array_module
from ..dtypes import scalar_type_name
from ..shapes import _dim, _dims

if TYPE_CHECKING:
    from ..tensor import Tensor
from .. import return_types
from ..ops.cumulative import Cumprod, Cumsum
from ..ops.reduce import Amax, Amin, Logsumexp, Max, Mean, Min, Prod, Sum
from ..ops.statistics import Norm, Std, Var

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


def _np_dtype(dtype: Any) -> Any:
    return None if dtype is None else dtype.numpy


class ReductionMethods:
    """Reductions over all elements or over ``dim`` (also spelled ``axis=``/``keepdims=``)."""

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
            **kwargs: Any) -> Tensor:
        dim, keepdim = _axis(dim, keepdim, kwargs)
        x = self if dtype is None or dtype is self.dtype else self.to(dtype)
        return Sum.apply(x, _given_dims(dim, self.ndim), keepdim)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        """How many elements are not zero (over ``dim``, an int or a tuple): an int64 tensor."""
        return (self != 0).sum(dim) if dim is not None else (self != 0).sum()

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
             **kwargs: Any) -> Tensor:
        dim, keepdim = _axis(dim, keepdim, kwargs)
        x = self if dtype is None or dtype is self.dtype else self.to(dtype)
        if x.array.dtype.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating point "
                f"or complex dtype. Got: {scalar_type_name(x.dtype)} ({x.dtype.name}). Convert "
                "first, e.g. x.float().mean()."
            )
        return Mean.apply(x, _given_dims(dim, self.ndim), keepdim)

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

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        r"""The p-norm $(\sum_i |x_i|^p)^{1/p}$ (default: the Euclidean length), over ``dim``."""
        if self.array.dtype.kind != "f":
            raise RuntimeError(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. "
                f"Got {scalar_type_name(self.dtype)}"
            )
        p = 2 if p == "fro" else p
        if abs(float(p)) == float("inf") and self.numel() == 0:
            raise RuntimeError(
                "linalg.vector_norm cannot compute the inf norm on an empty tensor because the "
                "operation does not have an identity"
            )
        return Norm.apply(self, float(p), _dims(dim, self.ndim), keepdim)

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
        _check_orderable(self, name)
        if dim is None:
            if self.numel() == 0:
                raise RuntimeError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            return op.apply(self, None, False)
        d = _dim(dim, self.ndim)
        result = MaxResult if name == "max" else MinResult
        if self.ndim == 0:  # a 0-d tensor is its own max along dim 0
            return result(op.apply(self, d, keepdim), _long_zeros(self, ()))
        if self.shape[d] == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim {d} to have non-zero size."
            )
        if self.numel() == 0:  # another dim is empty: an empty result, as in torch
            shape = self.shape[:d] + ((1,) if keepdim else ()) + self.shape[d + 1 :]
            return result(op.apply(self, d, keepdim), _long_zeros(self, shape))
        values = op.apply(self, d, keepdim)
        if name == "max":
            return MaxResult(values, self._arg(d, keepdim, "argmax", check=False))
        return MinResult(values, self._arg(d, keepdim, "argmin", check=False))

    def amax(self, dim: Any = (), keepdim: bool = False, **kwargs: Any) -> Tensor:
        """The largest values over ``dim`` (an int or a tuple of ints; all dims by default),
        without the indices; ties share the gradient equally."""
        dim, keepdim = _axis(dim, keepdim, kwargs)
        return self._amax(Amax, dim, keepdim, "amax")

    def amin(self, dim: Any = (), keepdim: bool = False, **kwargs: Any) -> Tensor:
        """The smallest values over ``dim``; ties share the gradient equally."""
        dim, keepdim = _axis(dim, keepdim, kwargs)
        return self._amax(Amin, dim, keepdim, "amin")

    def _amax(self, op: Any, dim: Any, keepdim: bool, name: str) -> Tensor:
        _check_orderable(self, name)
        all_dims = dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)
        if all_dims and self.numel() == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        dims = tuple(range(self.ndim)) if all_dims else _dims(dim, self.ndim) or ()
        for d in dims:
            if self.shape[d] == 0:
                raise IndexError(
                    f"{name}(): Expected reduction dim {d} to have non-zero size."
                )
        return op.apply(self, dims, keepdim)

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
        return self._arg(dim, keepdim, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False, **kwargs: Any) -> Tensor:
        dim, keepdim = _axis(dim, keepdim, kwargs)
        return self._arg(dim, keepdim, "argmin")

    def _arg(self, dim: Any, keepdim: bool, name: str, check: bool = True) -> Tensor:
        if check:  # max(dim) on bools is fine; argmax on bools is refused
            _check_orderable(self, name)
        xp = array_module(self.array)
        if dim is None:
            if self.numel() == 0:
                raise IndexError(
                    f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                )
            index = getattr(self.array, name)()
            shape = (1,) * self.ndim if keepdim else ()
            return Tensor._make(xp.asarray(index, dtype=np.int64).reshape(shape))
        d = _dim(dim, self.ndim)
        if self.ndim == 0:
            return _long_zeros(self, ())
        if self.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        index = getattr(self.array, name)(axis=d, keepdims=keepdim)
        return Tensor._make(xp.asarray(index, dtype=np.int64))


def _check_orderable(t: Tensor, name: str) -> None:
    """PyTorch refuses to order bools in argmax/argmin (max/min work)."""
    if t.array.dtype.kind == "b" and name in ("argmax", "argmin"):
        raise RuntimeError(f"{name}(): does not support bool input")


def _long_zeros(t: Tensor, shape: tuple) -> Tensor:
    return Tensor._make(array_module(t.array).zeros(shape, dtype=np.int64))


def _given_dims(dim: Any, ndim: int) -> Any:
    """``_dims``, but a dim given for a 0-d tensor is ``()``, not None (all): PyTorch names the
    node SumBackward1 / MeanBackward1 whenever a dim was given."""
    dims = _dims(dim, ndim)
    return () if dims is None and dim is not None else dims
