"""Tensor methods that order values: sort, argsort, topk, median.

The indices come from a stable argsort (no gradient); the values are picked from the input at
those indices by an op of ``ops/sort.py``, whose backward puts each gradient back in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import return_types
from ..device import array_module
from ..ops.sort import Median, MedianAll, Sort, Topk, argsort
from ..shapes import _dim

if TYPE_CHECKING:
    from ..tensor import Tensor

Tensor = None  # noqa: F811  set by bind()


class OrderingMethods:
    """sort, argsort, msort, topk, median, kthvalue."""

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """``(values, indices)`` sorted along ``dim``; ties keep their order (stable)."""
        if self.ndim == 0:  # one element: itself, at index 0 (still a SortBackward0 node)
            zero = self.array.astype("int64") * 0
            return return_types.sort(Sort.apply(self, 0, zero), Tensor._make(zero))
        d = _dim(dim, self.ndim)
        idx = argsort(self.array, d, descending)
        return return_types.sort(Sort.apply(self, d, idx), Tensor._make(idx.astype("int64")))

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return self.sort(dim, descending).indices

    def msort(self) -> Tensor:
        return self.sort(0).values

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
        d = _dim(dim, self.ndim) if self.ndim else 0
        n = self.shape[d] if self.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError("selected index k out of range")
        if self.array.dtype.kind == "b":
            raise RuntimeError("topk does not support bool dtypes on CPU")
        if self.ndim == 0:
            zero = self.array.astype("int64") * 0
            return return_types.topk(Topk.apply(self, 0, zero), Tensor._make(zero))
        idx = argsort(self.array, d, descending=largest)
        idx = idx[(slice(None),) * d + (slice(0, k),)]
        return return_types.topk(Topk.apply(self, d, idx), Tensor._make(idx.astype("int64")))

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The lower median (of an even count, the smaller middle value), overall or along
        ``dim`` (then with its index)."""
        xp = array_module(self.array)
        if self.array.dtype.kind == "b":
            kernel = "median_cpu" if dim is None else "median_out"
            raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
        if dim is None:
            if self.numel() == 0:
                return Tensor._make(xp.asarray(float("nan"), dtype=self.array.dtype))
            order = xp.argsort(self.array.reshape(-1), kind="stable")
            return MedianAll.apply(self, int(order[(self.numel() - 1) // 2]))
        d = _dim(dim, self.ndim) if self.ndim else 0
        if self.ndim == 0:
            return return_types.median(self * 1, Tensor._make(self.array.astype("int64") * 0))
        order = argsort(self.array, d)
        mid = (self.shape[d] - 1) // 2
        idx = order[(slice(None),) * d + (slice(mid, mid + 1),)]
        if self.array.dtype.kind == "f":  # PyTorch: a row holding a nan has median nan there
            nan = xp.isnan(self.array)
            first_nan = xp.argmax(nan, axis=d, keepdims=True)
            idx = xp.where(nan.any(axis=d, keepdims=True), first_nan, idx)
        indices = idx.astype("int64") if keepdim else idx.squeeze(d).astype("int64")
        return return_types.median(Median.apply(self, d, idx, keepdim), Tensor._make(indices))
