"""Tensor methods that convert: to Python numbers and NumPy, to other dtypes and devices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..autograd.grad_mode import _GradMode
from ..device import as_device, backend
from ..shapes import _size_args
from .operands import (
    _check_one_element,
)

if TYPE_CHECKING:
    from ..tensor import Tensor
from ..ops.convert import Clone, ToCopy


class ConversionMethods:
    """``item``, ``tolist``, ``numpy``; ``to``, ``cuda``/``cpu``, ``float``/``long``/..."""

    def item(self) -> Any:
        """The single number in this tensor, as a Python number."""
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to Scalar "
                "(use .tolist() for many numbers, or index one element first)"
            )
        return self.array.item()

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
        return self.array

    def numpy_host(self) -> np.ndarray:
        """A NumPy copy on the host whatever the device (used for printing and drawing)."""
        return backend(self.device.type).to_host(self.array)

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
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{list(self.shape)}). Use .any() or .all(), or compare a reduction like "
                "x.sum() > 0."
            )
        return bool(self.array.item())

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

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
        source = self
        if target_dtype is not None and not target_dtype.is_floating_point:
            source = self.detach()  # to an integer/bool dtype: no gradient, as in PyTorch
        return ToCopy.apply(
            source, None if same_dtype else target_dtype.numpy, None if same_device else dev
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

    def stride(self, dim: int | None = None) -> Any:
        """Steps (in elements, not bytes) between neighbours along each dim: ``(4, 1)`` for a
        contiguous 3x4 tensor, ``(1, 4)`` for its transpose, which shares the same memory."""
        steps = tuple(s // self.array.itemsize for s in self.array.strides)
        return steps if dim is None else steps[dim]

    def element_size(self) -> int:
        """Bytes per element: 4 for float32, 8 for float64 and int64, 1 for bool."""
        return int(self.array.itemsize)

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """``x.type()`` names the legacy type (``'torch.FloatTensor'``); ``x.type(torch.float)``
        (or a legacy type or name) converts, like ``x.to(dtype)``."""
        from ..legacy import parse_type, type_name

        if dtype is None:
            return type_name(self)
        target, device_type = parse_type(dtype)
        out = self.to(target)
        if device_type is not None and device_type != out.device.type:
            out = out.to(device_type)
        return out

    # ------------------------------------------------------------------ new tensors like self
    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> Tensor:
        """A copy of ``data`` with this tensor's dtype and device (unless given)."""
        from ..creation import tensor

        return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self.new_full(_size_args(size), 0, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return self.new_full(_size_args(size), 1, dtype=dtype, device=device,
                             requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        from ..creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)
