"""tinygrad_edu: a small PyTorch you build yourself, chapter by chapter.

``import tinygrad_edu as torch`` and the examples of the PyTorch tutorials run unchanged
(for the part of the API the course covers).
"""
import math as _math

from . import accelerator, autograd, backends, cuda, dtypes, linalg, return_types
from .autograd import (
    Function,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import device, get_default_device, set_default_device
from .dtypes import (
    bool_ as bool,  # noqa: A001  tinygrad_edu.bool, like torch.bool
)
from .dtypes import (
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .legacy import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from .printing import set_printoptions
from .random import Generator, initial_seed, manual_seed
from .shapes import broadcast_shapes
from .size import Size
from .tensor import Tensor
from .tensor_functions import *  # noqa: F403  exp, sum, matmul, cat, stack, where, ...
from .tensor_functions import cat, einsum, is_tensor, stack, where

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
pi, e, inf, nan = _math.pi, _math.e, _math.inf, _math.nan

__version__ = "0.1.0"


def _lazy(name: str):
    import importlib

    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str):
    """``tinygrad_edu.nn``, ``.optim``, ``.data``, ``.viz`` load on first use (fast import)."""
    lazy = ("nn", "optim", "data", "viz", "scalar", "grading", "utils", "distributions", "parts")
    if name in lazy:
        return _lazy(name)
    if name in ("save", "load"):
        return getattr(_lazy("serialization"), name)
    raise AttributeError(f"module 'tinygrad_edu' has no attribute '{name}'")
