"""Chapter 01 (tensors): the dtype ``tensor([...])`` infers, and ``reshape``'s ``-1``."""

from __future__ import annotations

from typing import Any

from .. import dtypes, shapes
from ..tensor_methods import shape as shape_methods
from .registry import define, tests_of
from .testing import current, raises


@define("dtypes.infer_dtype", 1, [(dtypes, "infer_dtype")], task="ch01.infer_dtype")
def infer_dtype(data: Any) -> Any:
    """The dtype ``tinygrad_edu.tensor(data)`` gets when no ``dtype=`` is given.

    ``data``: a Python ``bool``, ``int`` or ``float``, or lists/tuples of them nested to any
    depth (``[[1, 2], [3, 4]]``). It may hold NumPy numbers or arrays too (a tensor inside the
    list arrives as its array): use their ``.dtype.kind`` ('b' bool, 'i'/'u' int, 'f' float).

    Returns a ``tinygrad_edu`` dtype, PyTorch's rule:
    any float anywhere -> ``dtypes.get_default_dtype()`` (float32 unless changed);
    else any int -> ``tinygrad_edu.int64``; else (only bools) -> ``tinygrad_edu.bool``;
    no number at all (``[]``, ``[[], []]``) -> the default float dtype.
    Remember ``bool`` is a subclass of ``int`` in Python: test for ``bool`` first.
    """


@define(
    "shapes.infer_shape",
    1,
    [(shapes, "_infer_shape"), (shape_methods, "_infer_shape")],
    task="ch01.infer_shape",
)
def infer_shape(shape: tuple, numel: int, old: tuple) -> tuple:
    """The full shape ``reshape``/``view`` asks for: fill in its ``-1``.

    ``shape``: a tuple of ints, each >= 0 or -1 (``(2, -1)``); ``numel``: how many elements the
    tensor has; ``old``: its current shape (only for messages). Returns a tuple of ints whose
    product is ``numel``: the ``-1`` becomes ``numel // (product of the others)``.

    Raises ``RuntimeError("only one dimension can be inferred")`` for two ``-1``, and
    ``RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")`` when the
    sizes cannot fit (including a ``-1`` next to a 0, whose size cannot be known).
    """


@tests_of("dtypes.infer_dtype")
def test_infer_dtype_numbers() -> None:
    """A lone Python number's dtype comes from its kind: int, float or bool, as PyTorch decides.
    Beware that in Python every bool is also an int."""
    import tinygrad_edu as tg

    infer = current("dtypes.infer_dtype")
    assert infer(3) is tg.int64, "an int gives int64"
    assert infer(2.5) is tg.float32, "a float gives the default float dtype (float32)"
    assert infer(True) is tg.bool, "a bool gives bool (bool is an int subclass: test it first)"


@tests_of("dtypes.infer_dtype")
def test_infer_dtype_nested_lists() -> None:
    """A nested list gets one dtype for all its numbers, the widest kind found anywhere in it (bool,
    then int, then float); a list with no numbers at all gets the default float dtype."""
    import tinygrad_edu as tg

    infer = current("dtypes.infer_dtype")
    assert infer([[1, 2], [3, 4]]) is tg.int64
    assert infer([[1, 2], [3, 4.5]]) is tg.float32, "one float anywhere makes it float"
    assert infer([True, False]) is tg.bool
    assert infer([True, 2]) is tg.int64, "bools and ints together: int64"
    assert infer([]) is tg.float32, "no numbers at all: the default float dtype"


@tests_of("dtypes.infer_dtype")
def test_tensor_uses_infer_dtype() -> None:
    """tensor(data) without dtype= takes its dtype from your infer_dtype, for nested lists and for a
    lone number alike (in PyTorch, tensor(7) is int64)."""
    import tinygrad_edu as tg

    assert tg.tensor([[1, 2], [3, 4]]).dtype is tg.int64
    assert tg.tensor([1.0, 2]).dtype is tg.float32
    assert tg.tensor([[True], [False]]).dtype is tg.bool
    assert tg.tensor(7).dtype is tg.int64


@tests_of("dtypes.infer_dtype", hidden=True)
def test_infer_dtype_default_and_deep() -> None:
    """The rule holds at any depth and for tuples as for lists, and "the default float dtype" is
    whatever set_default_dtype last chose, not always float32."""
    import tinygrad_edu as tg

    infer = current("dtypes.infer_dtype")
    assert infer([[[[1]]]]) is tg.int64
    assert infer(((1, 2), (3, 4))) is tg.int64, "tuples nest like lists"
    assert infer([[], []]) is tg.float32
    assert infer([[True, False], [1, 0]]) is tg.int64
    tg.set_default_dtype(tg.float64)
    try:
        assert infer([1, 2.5]) is tg.float64, "floats follow set_default_dtype"
        assert infer([1, 2]) is tg.int64
    finally:
        tg.set_default_dtype(tg.float32)


@tests_of("shapes.infer_shape")
def test_infer_shape_fills_minus_one() -> None:
    """A -1 stands for the one size that makes the element count come out right; the other sizes are
    kept as given, and a shape without -1 is used as it is."""
    infer = current("shapes.infer_shape")
    assert tuple(infer((2, -1), 6, (6,))) == (2, 3)
    assert tuple(infer((-1,), 6, (2, 3))) == (6,)
    assert tuple(infer((-1, 4), 8, (8,))) == (2, 4)
    assert tuple(infer((3, 2), 6, (6,))) == (3, 2), "no -1: the shape itself"


@tests_of("shapes.infer_shape")
def test_infer_shape_errors() -> None:
    """reshape refuses what it cannot do, with PyTorch's messages: two -1s are ambiguous, and sizes
    whose product cannot equal the number of elements do not fit."""
    infer = current("shapes.infer_shape")
    with raises(RuntimeError, "only one dimension can be inferred"):
        infer((-1, -1), 6, (6,))
    with raises(RuntimeError, r"shape '\[4, -1\]' is invalid for input of size 6"):
        infer((4, -1), 6, (6,))
    with raises(RuntimeError, r"shape '\[2, 2\]' is invalid for input of size 6"):
        infer((2, 2), 6, (6,))


@tests_of("shapes.infer_shape")
def test_reshape_and_view_use_it() -> None:
    """reshape and view both ask your infer_shape for the full shape, so a -1 anywhere in their
    arguments is filled in by it."""
    import tinygrad_edu as tg

    x = tg.arange(12)
    assert tuple(x.reshape(3, -1).shape) == (3, 4)
    assert tuple(x.view(-1, 2, 3).shape) == (2, 2, 3)
    assert tuple(x.reshape(-1).shape) == (12,)


@tests_of("shapes.infer_shape", hidden=True)
def test_infer_shape_zero_sizes() -> None:
    """Sizes of 0 follow the same rule: a tensor may hold no elements at all, and then a -1 has no
    single answer, so PyTorch refuses it."""
    infer = current("shapes.infer_shape")
    assert tuple(infer((0, 3), 0, (3, 0))) == (0, 3)
    with raises(RuntimeError, "invalid for input of size 0"):
        infer((0, -1), 0, (0,))
    assert tuple(infer((1, 1, -1), 1, ())) == (1, 1, 1)
