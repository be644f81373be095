"""Conversions that autograd must see through: change dtype, change device, copy.

``y = x.to("cuda")`` is an op like any other: its backward takes the gradient the way back,
moved to x's device and cast to x's dtype. So a loss computed on the GPU still fills the
``.grad`` of a CPU leaf, on the CPU.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..device import device_of, to_device
from ..dtypes import from_numpy_dtype


class ToCopy(Function):
    r"""``x.to(dtype)`` / ``x.to(device)``: same values, new array; $\partial y/\partial x = 1$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, np_dtype, target):
        ctx.dtype, ctx.device = x.dtype, device_of(x)
        out = x if target is None else to_device(x, target)
        if np_dtype is not None and out.dtype != np_dtype:
            return out.astype(np_dtype)
        return out.copy() if out is x else out

    @staticmethod
    def backward(ctx, grad):
        if hasattr(grad, "grad_fn"):  # a Tensor (create_graph=True): the same move, recorded
            return grad.to(ctx.device, from_numpy_dtype(ctx.dtype)), None, None
        return to_device(grad, ctx.device).astype(ctx.dtype, copy=False), None, None


class Clone(ToCopy):
    """``x.clone()``: a copy that stays in the graph."""
