"""The Tensor's methods, grouped by concern (PyTorch keeps them apart from the class too).

``tensor.py`` holds the heart of a Tensor: its array, ``requires_grad``, ``grad``, ``grad_fn``,
``backward`` and its repr. The many one-line methods that forward to ops live here, one mixin
class per concern, and ``Tensor`` inherits them all:

* ``arithmetic.py``: ``+ - * / ** @``, exp/log/..., comparisons;
* ``reductions.py``: sum, mean, var, max, ...;
* ``shape.py``: reshape, view, permute, squeeze, expand, ``x[...]``;
* ``inplace.py``: ``add_``, ``x[i] = v``, ``copy_`` ... and the in-place safety rules;
* ``conversion.py``: item, numpy, ``to``, ``float``, ...
"""

from . import arithmetic, conversion, inplace, operands, reductions, shape
from .arithmetic import ArithmeticMethods
from .conversion import ConversionMethods
from .inplace import InplaceMethods
from .reductions import ReductionMethods
from .shape import ShapeMethods

__all__ = [
    "ArithmeticMethods",
    "ConversionMethods",
    "InplaceMethods",
    "ReductionMethods",
    "ShapeMethods",
    "bind",
]


def bind(tensor_cls: type) -> None:
    """Tell the method modules which class is the Tensor (it is made after they are imported)."""
    for module in (arithmetic, conversion, inplace, operands, reductions, shape):
        module.Tensor = tensor_cls
    arithmetic._FAST = frozenset((int, float, tensor_cls))
