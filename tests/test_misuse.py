"""A catalogue of wrong uses: each must fail the way PyTorch fails, with a message that helps.

Every case is a small function of the library (``T`` is ``tinygrad_edu`` or ``torch``). The test
runs it on real PyTorch first to learn the exception *type* PyTorch raises, then on
tinygrad_edu, and asserts the same type and that our message names the shapes / dtypes / dims
involved (the ``needles``, matched case-insensitively: PyTorch says "Long" where our messages
say "int64", the name a learner sees in reprs), so a learner can see what went wrong without a
debugger.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import tinygrad_edu as tg


def _backward_twice(T: Any) -> None:
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _inplace_saved(T: Any) -> None:
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    z = y.sum()
    y.mul_(2)
    z.backward()


def _grad_unused(T: Any) -> None:
    x = T.tensor([1.0], requires_grad=True)
    w = T.tensor([2.0], requires_grad=True)
    T.autograd.grad((x * 3).sum(), [x, w])


def _non_leaf_requires_grad_false(T: Any) -> None:
    x = T.tensor([1.0], requires_grad=True)
    y = x * 2
    y.requires_grad = False


def _view_non_contiguous(T: Any) -> None:
    T.arange(6.0).reshape(2, 3).t().view(6)


def _function_grad_wrong_shape(T: Any) -> None:
    class Twice(T.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            return a * 2

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            return grad.T  # wrong: (2, 3) for an input of shape (3, 2)

    Twice.apply(T.ones(3, 2, requires_grad=True)).sum().backward()


# name: (code, needles that our message must contain)
CASES: dict[str, tuple[Callable[[Any], Any], tuple[str, ...]]] = {
    # ------------------------------------------------------------------ shapes in arithmetic
    "add mismatched shapes": (lambda T: T.ones(2, 3) + T.ones(4), ("(3)", "(4)", "dimension 1")),
    "mul mismatched shapes": (lambda T: T.ones(3, 2) * T.ones(3, 3), ("(2)", "(3)", "dimension 1")),
    "sub mismatched batch dims": (lambda T: T.ones(2, 1, 3) - T.ones(4, 2),
                                  ("(3)", "(2)", "dimension 2")),
    "matmul 1-D/1-D sizes differ": (lambda T: T.ones(3) @ T.ones(4), ("3", "4")),
    "matmul 2-D/2-D inner sizes differ": (lambda T: T.ones(2, 3) @ T.ones(4, 5), ("2x3", "4x5")),
    "matmul batched inner sizes differ": (lambda T: T.ones(2, 2, 3) @ T.ones(2, 4, 5),
                                          ("3", "4")),
    "matmul batch dims do not broadcast": (lambda T: T.ones(2, 2, 3) @ T.ones(3, 3, 5),
                                           ("(2)", "(3)")),
    "matmul with a 0-d tensor": (lambda T: T.tensor(2.0) @ T.ones(3), ("0D",)),
    # ------------------------------------------------------------------------------ autograd
    "backward twice": (_backward_twice, ("second time", "retain_graph=True")),
    "backward on non-scalar without gradient": (
        lambda T: (T.ones(3, requires_grad=True) * 2).backward(),
        ("implicitly created only for scalar outputs", "[3]")),
    "gradient of the wrong shape": (
        lambda T: (T.ones(3, requires_grad=True) * 2).backward(T.ones(2)),
        ("Mismatch in shape", "[2]", "[3]")),
    "backward on a tensor that does not require grad": (
        lambda T: T.ones(2).sum().backward(), ("does not require grad",)),
    "numpy() on a tensor that requires grad": (
        lambda T: T.ones(2, requires_grad=True).numpy(), ("detach().numpy()",)),
    "in-place on a leaf that requires grad": (
        lambda T: T.ones(2, requires_grad=True).add_(1), ("leaf Variable", "in-place")),
    "setitem on a leaf that requires grad": (
        lambda T: T.ones(2, requires_grad=True).__setitem__(0, 5.0), ("leaf Variable",)),
    "in-place on a saved output then backward": (
        _inplace_saved, ("modified by an inplace operation", "[2]")),
    "requires_grad=True on an int tensor": (
        lambda T: T.tensor([1, 2], requires_grad=True), ("floating point", "int64")),
    "requires_grad_() on an int tensor": (
        lambda T: T.tensor([1, 2]).requires_grad_(), ("floating point", "int64")),
    "requires_grad=False on a non-leaf": (_non_leaf_requires_grad_false, ("leaf variables",)),
    "autograd.grad on an unused input": (_grad_unused, ("input 1", "allow_unused=True")),
    # ------------------------------------------------------------------------------ dims
    "sum over a bad dim": (lambda T: T.ones(2, 3).sum(dim=2), ("[-2, 1]", "got 2")),
    "sum over a bad negative dim": (lambda T: T.ones(2, 3).sum(dim=-3), ("[-2, 1]", "got -3")),
    "softmax over a bad dim": (lambda T: T.ones(2, 3).softmax(dim=5), ("[-2, 1]", "got 5")),
    "unsqueeze at a bad dim": (lambda T: T.ones(2, 3).unsqueeze(4), ("[-3, 2]", "got 4")),
    "transpose a bad dim": (lambda T: T.ones(2, 3).transpose(0, 2), ("[-2, 1]", "got 2")),
    "max over a bad dim": (lambda T: T.ones(2).max(dim=1), ("[-1, 0]", "got 1")),
    "cat along a bad dim": (lambda T: T.cat([T.ones(2), T.ones(2)], dim=1), ("[-1, 0]", "got 1")),
    "sum with a repeated dim": (lambda T: T.ones(2, 3).sum(dim=(0, 0)), ("dim 0", "multiple")),
    "permute with too few dims": (lambda T: T.ones(2, 3, 4).permute(1, 0), ("3", "2")),
    # ------------------------------------------------------------------------------ shapes
    "reshape to an incompatible size": (lambda T: T.ones(2, 3).reshape(4, 2),
                                        ("[4, 2]", "size 6")),
    "reshape with two -1": (lambda T: T.ones(2, 3).reshape(-1, -1), ("only one dimension",)),
    "reshape -1 that cannot divide": (lambda T: T.ones(2, 3).reshape(-1, 4), ("[-1, 4]", "6")),
    "view on a non-contiguous tensor": (_view_non_contiguous, ("view", ".reshape(")),
    "expand to an incompatible size": (lambda T: T.ones(2, 3).expand(2, 4),
                                       ("(4)", "(3)", "dimension 1")),
    "expand to fewer dims": (lambda T: T.ones(2, 3).expand(3), ("[2, 3]", "[3]")),
    "cat with mismatched sizes": (lambda T: T.cat([T.ones(2, 3), T.ones(2, 4)], dim=0),
                                  ("dimension 0", "3", "4", "tensor number 1")),
    "cat with different ndims": (lambda T: T.cat([T.ones(2, 3), T.ones(3)]), ("2", "1")),
    "stack with different shapes": (lambda T: T.stack([T.ones(2, 3), T.ones(3, 2)]),
                                    ("[2, 3]", "[3, 2]", "entry 1")),
    "cat of an empty list": (lambda T: T.cat([]), ("non-empty",)),
    "stack of an empty list": (lambda T: T.stack([]), ("non-empty",)),
    # ---------------------------------------------------------------------- conversions
    "item() on a multi-element tensor": (lambda T: T.ones(3).item(), ("3 elements",)),
    "bool() of a multi-element tensor": (lambda T: bool(T.ones(3) > 0), ("ambiguous",)),
    "if on a multi-element comparison": (lambda T: 1 if T.ones(2) == T.ones(2) else 0,
                                         ("ambiguous",)),
    "len() of a 0-d tensor": (lambda T: len(T.tensor(1.0)), ("0-d",)),
    "iterating over a 0-d tensor": (lambda T: list(T.tensor(1.0)), ("0-d",)),
    "float() of a multi-element tensor": (lambda T: float(T.ones(2)), ("2 elements",)),
    # ------------------------------------------------------------------------------ indexing
    "index out of range": (lambda T: T.ones(3)[3], ("3", "size 3")),
    "negative index out of range": (lambda T: T.ones(3)[-4], ("-4", "size 3")),
    "index out of range in dim 1": (lambda T: T.ones(2, 3)[0, 5], ("5", "size 3")),
    "too many indices": (lambda T: T.ones(3)[0, 0], ("too many indices", "1")),
    "float tensor as index": (lambda T: T.ones(3)[T.tensor([0.0, 1.0])],
                              ("long, int, byte or bool",)),
    "integer array index out of range": (lambda T: T.ones(3)[T.tensor([0, 7])], ("7",)),
    "bool mask of the wrong shape": (lambda T: T.ones(3)[T.tensor([True, False])],
                                     ("[2]", "[3]")),
    # ------------------------------------------------------------------------------ creation
    "ragged nested list": (lambda T: T.tensor([[1, 2], [3]]), ("length 2", "dim 1", "got 1")),
    "string data": (lambda T: T.tensor("abc"), ("str",)),
    "strings inside a list": (lambda T: T.tensor([1, "a"]), ("str",)),
    "negative size in zeros": (lambda T: T.zeros(2, -1), ("negative dimension -1",)),
    "from_numpy of a list": (lambda T: T.from_numpy([1, 2]), ("list",)),
    "from_numpy of a float128 array": (lambda T: T.from_numpy(np.zeros(2, dtype=np.float128)),
                                         ("float128",)),
    # ------------------------------------------------------------------------------ ops
    "where with a non-bool condition": (
        lambda T: T.where(T.tensor([1, 0]), T.ones(2), T.zeros(2)), ("bool", "int64")),
    "mean of an int tensor": (lambda T: T.tensor([1, 2]).mean(), ("int64", "floating point")),
    "max() of an empty tensor": (lambda T: T.tensor([]).max(), ("numel() == 0", "dim")),
    "clamp with neither min nor max": (lambda T: T.ones(2).clamp(), ("min", "max")),
    "in-place result cannot broadcast back": (lambda T: T.ones(3).add_(T.ones(2, 3)),
                                              ("[3]", "[2, 3]")),
    "in-place float into int tensor": (lambda T: T.tensor([1, 2]).mul_(1.5),
                                       ("float32", "int64")),
    "t() on a 3-D tensor": (lambda T: T.ones(2, 2, 2).t(), ("3D",)),
    "assigned grad of the wrong shape": (
        lambda T: setattr(T.ones(2, requires_grad=True), "grad", T.ones(3)), ("[3]", "[2]")),
    "retain_grad on a tensor without grad": (lambda T: T.ones(2).retain_grad(),
                                             ("requires_grad=False",)),
    "register_hook on a tensor without grad": (lambda T: T.ones(2).register_hook(print),
                                               ("doesn't require gradient",)),
    "Function backward returns a gradient of the wrong shape": (
        _function_grad_wrong_shape, ("TwiceBackward", "index 0", "[2, 3]", "[3, 2]")),
}

# Where PyTorch's exception type is noise we do not copy (documented, checked separately).
TYPE_DIFFERENCES: dict[str, str] = {}


def _torch_exception(code: Callable[[Any], Any]) -> type[BaseException]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            code(torch)
        except Exception as exc:  # noqa: BLE001  we want whatever PyTorch raises
            return type(exc)
    raise AssertionError("PyTorch does not raise here: the case is not a misuse")


def _base_type(exc_type: type[BaseException]) -> type[BaseException]:
    """torch raises subclasses like torch.OutOfMemoryError; compare the built-in class."""
    for base in exc_type.__mro__:
        if base.__module__ == "builtins":
            return base
    return exc_type


@pytest.mark.parametrize("name", list(CASES))
def test_misuse_raises_pytorchs_exception_with_a_helpful_message(name: str) -> None:
    code, needles = CASES[name]
    expected = _base_type(_torch_exception(code))
    try:
        code(tg)
    except Exception as exc:  # noqa: BLE001
        got = exc
    else:
        pytest.fail(f"{name}: PyTorch raises {expected.__name__}, tinygrad_edu raised nothing")
    assert type(got) is expected or (isinstance(got, expected) and
                                      _base_type(type(got)) is expected), (
        f"{name}: PyTorch raises {expected.__name__}, tinygrad_edu raised "
        f"{type(got).__name__}: {got}")
    message = str(got)
    missing = [n for n in needles if n.lower() not in message.lower()]
    assert not missing, (
        f"{name}: the message should name {missing} so the learner sees what is wrong; "
        f"it was: {message!r}")


def test_catalogue_is_big_enough() -> None:
    assert len(CASES) >= 25


def test_messages_never_mention_numpy_internals() -> None:
    """NumPy's own wording ('operands could not be broadcast', 'axis') must not leak through."""
    leaks = re.compile(r"operands could not be broadcast|axis \d+ is out of bounds|numpy\.core")
    for name, (code, _) in CASES.items():
        try:
            code(tg)
        except Exception as exc:  # noqa: BLE001
            assert not leaks.search(str(exc)), f"{name}: NumPy's message leaked: {exc}"
