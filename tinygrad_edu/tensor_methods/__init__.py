"""The Tensor's methods, grouped by concern (PyTorch keeps them apart from the class too).

``tensor.py`` holds the heart of a Tensor: its array, ``requires_grad``, ``grad``, ``grad_fn``,
``backward`` and its repr. The many one-line methods that forward to ops live here, one mixin
class per concern, and ``Tensor`` inherits them all:

* ``arithmetic.py``: ``+ - * / ** @``, exp/log/..., comparisons;
* ``reductions.py``: sum, mean, var, max, ...;
* ``shape.py``: reshape, view, permute, squeeze, expand, ``x[...]``;
* ``inplace.py``: ``add_``, ``x[i] = v``, ``copy_`` ... and the in-place safety rules;
* ``conversion.py``: item, numpy, ``to``, ``float``, ``type``, ``new_zeros``, ``stride``, ...
* ``elementwise.py``: sin/cos/tan, log1p/erf/..., floor/round/..., ``//`` ``%``, logic, isnan;
* ``indexing.py``: gather/scatter, index_select, masked_fill/masked_select, nonzero, unique;
* ``ordering.py``: sort, argsort, topk, median;
* ``linalg.py``: mv, bmm, outer, tril/triu, diag;
* ``sampling.py``: multinomial, bernoulli, random_, exponential_.
"""

from . import (
    arithmetic,
    conversion,
    elementwise,
    indexing,
    inplace,
    linalg,
    operands,
    ordering,
    reductions,
    sampling,
    shape,
)
from .arithmetic import ArithmeticMethods
from .conversion import ConversionMethods
from .elementwise import ElementwiseMethods
from .indexing import IndexingMethods
from .inplace import InplaceMethods
from .linalg import LinalgMethods
from .ordering import OrderingMethods
from .reductions import ReductionMethods
from .sampling import SamplingMethods
from .shape import ShapeMethods

__all__ = [
    "ArithmeticMethods",
    "ConversionMethods",
    "ElementwiseMethods",
    "IndexingMethods",
    "InplaceMethods",
    "LinalgMethods",
    "OrderingMethods",
    "SamplingMethods",
    "ReductionMethods",
    "ShapeMethods",
    "bind",
]


def bind(tensor_cls: type) -> None:
    """Tell the method modules which class is the Tensor (it is made after they are imported)."""
    for module in (arithmetic, conversion, elementwise, indexing, inplace, linalg, operands,
                   ordering, reductions, sampling, shape):
        module.Tensor = tensor_cls
    arithmetic._FAST = frozenset((int, float, tensor_cls))
