"""``tinygrad_edu.autograd``: Function, the backward engine, grad mode and gradcheck."""

from .engine import backward, grad, topological_order
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck

__all__ = [
    "Function",
    "backward",
    "grad",
    "topological_order",
    "gradcheck",
    "GradcheckError",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
]
