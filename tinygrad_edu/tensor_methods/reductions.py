"""Tensor methods that reduce: sum, mean, var/std, norm, max/min, amax, argmax."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..device import array_module
from ..shapes import _dim, _dims

if TYPE_CHECKING:
    from ..tensor import Tensor
from collections import namedtuple

from ..ops.reduce import Max, Mean, Min, Sum

MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])


class ReductionMethods:
    """Reductions over all elements or over ``dim``."""

    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return Sum.apply(self, _dims(dim, self.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        if self.array.dtype.kind != "f":
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
            xp = array_module(self.array)  # a 0-d array, on the tensor's device
            return Tensor._make(xp.asarray(self.array.argmax()).astype(np.int64))
        return Tensor._make(
            self.array.argmax(axis=_dim(dim, self.ndim), keepdims=keepdim).astype(np.int64)
        )

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        if dim is None:
            xp = array_module(self.array)  # a 0-d array, on the tensor's device
            return Tensor._make(xp.asarray(self.array.argmin()).astype(np.int64))
        return Tensor._make(
            self.array.argmin(axis=_dim(dim, self.ndim), keepdims=keepdim).astype(np.int64)
        )
