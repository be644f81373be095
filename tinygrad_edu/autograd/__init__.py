"""``tinygrad_edu.autograd``: Function, the backward engine, grad mode and gradcheck."""

from . import anomaly
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad, topological_order
from .function import Function
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .variable import Variable

__all__ = [
    "Function",
    "Variable",
    "anomaly",
    "detect_anomaly",
    "inference_mode",
    "is_anomaly_enabled",
    "set_detect_anomaly",
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
