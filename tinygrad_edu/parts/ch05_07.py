"""Chapters 05-07: accumulating into ``.grad``, the freeing rule, and the array module."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

import tinygrad_edu as tg

from ..autograd import engine
from ..autograd.function import Function
from .registry import define, tests_of
from .testing import close, current, raises

device = importlib.import_module("tinygrad_edu.device")  # the module (the name is a class)


@define("autograd.accumulate_grad", 5, [(engine, "_accumulate")], task="ch05.accumulate_grad")
def accumulate_grad(t: Any, grad: Any) -> None:
    """``t.grad += grad``: what a leaf's AccumulateGrad node does when backward reaches it.

    ``t``: a tensor (or None: then do nothing); ``grad``: an array of ``t``'s shape.

    * If ``t`` is a leaf (``t.grad_fn is None``) with hooks (``t._hooks``), first run them:
      ``grad = engine._run_hooks(t._hooks, grad)``.
    * Cast ``grad`` to ``t``'s dtype (``grad.astype(t.array.dtype)``) if it differs.
    * First gradient (``t._grad is None``): store a **private copy** in ``t._grad`` as a Tensor
      (``Tensor._make(xp.array(grad, copy=True))``, with ``xp = device.array_module(grad)``):
      the same array may also flow to another leaf. Later ones add in place:
      ``t._grad.array += grad``.
    """


@define("autograd.saved_tensors", 6, [(Function, "saved_tensors", "property")],
        task="ch06.saved_tensors")
def saved_tensors(self: Any) -> tuple:
    """``ctx.saved_tensors``: what forward saved, unless backward freed it (the freeing rule).

    ``self``: a backward node. ``self._saved`` holds what ``save_for_backward`` kept; after a
    backward without ``retain_graph`` the engine replaces it by
    ``tinygrad_edu.autograd.function._FREED``. Return ``self._saved``, or raise
    ``RuntimeError(tinygrad_edu.autograd.function.FREED_MESSAGE)`` when it was freed. Only a
    node that *needs* its saved values fails: ``(x + y).sum()`` can be backpropagated twice.
    """


def _tensors_first(mine: Any) -> Any:
    """The learner's ``array_module`` sees arrays only: a backward running under
    ``create_graph=True`` computes on Tensors, and the package answers for those itself."""
    from ..autograd.tensor_xp import namespace_for

    def array_module(array: Any) -> Any:
        if type(array) is not np.ndarray and hasattr(array, "grad_fn"):
            return namespace_for(array)
        return mine(array)

    return array_module


@define(
    "device.array_module", 7, [(device, "array_module")], task="ch07.array_module",
    around=_tensors_first,
)
def array_module(array: Any) -> Any:
    """The module to compute on ``array`` with: ``numpy`` for a CPU array, ``cupy`` on CUDA.

    ``array``: a ``numpy.ndarray``, or the array type of a GPU backend (CuPy's, or the course's
    simulated GPU, a NumPy subclass). Return ``numpy`` when ``type(array) is numpy.ndarray``;
    otherwise the backend's module: ``device.backend(device.device_of(array).type).xp``.
    Every op calls it (``xp = array_module(x); xp.exp(x)``), so it must be quick. (A backward
    under ``create_graph=True`` computes on Tensors instead: the package handles that case
    before your function is called, so it only ever sees arrays.)
    """


@tests_of("autograd.accumulate_grad")
def test_grads_accumulate_across_backwards() -> None:
    """Each backward adds into .grad rather than replacing it, as in PyTorch: that is why a training
    loop zeroes the gradients between steps."""
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    (w * w).sum().backward()
    close(w.grad, [5.0, 7.0])


@tests_of("autograd.accumulate_grad")
def test_accumulate_private_copy() -> None:
    """The first gradient a leaf stores must be its own array: the same incoming array may go to
    another leaf too, and adding in place later must change neither that leaf nor the array."""
    acc = current("autograd.accumulate_grad")
    a = tg.tensor([1.0, 1.0], requires_grad=True)
    b = tg.tensor([1.0, 1.0], requires_grad=True)
    g = np.array([1.0, 2.0], dtype=np.float32)
    acc(a, g)
    acc(b, g)
    acc(a, g)
    close(a.grad, [2.0, 4.0])
    close(b.grad, [1.0, 2.0], what="b.grad must not share a.grad's array")
    close(g, [1.0, 2.0], what="the incoming array must stay unchanged")
    acc(None, g)


@tests_of("autograd.accumulate_grad")
def test_accumulate_dtype_and_hooks() -> None:
    """A leaf's .grad has the leaf's dtype, whatever dtype the gradient arrived in, and a hook on a
    leaf sees the gradient first and may replace it."""
    acc = current("autograd.accumulate_grad")
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    acc(a, np.array([0.5, 0.5]))
    assert a.grad.dtype is tg.float32, "the gradient takes the leaf's dtype"
    seen = []
    a.register_hook(lambda g: seen.append(g.tolist()) or g * 2)
    a.grad = None
    (a * 1).sum().backward()
    assert seen == [[1.0, 1.0]]
    close(a.grad, [2.0, 2.0], what="a leaf's hook may change its gradient")


@tests_of("autograd.accumulate_grad", hidden=True)
def test_accumulate_into_existing_grad() -> None:
    """A .grad that is already set, even by hand, is added to, and a leaf used along several paths
    collects the gradient of each."""
    a = tg.tensor([[1.0, 2.0]], requires_grad=True)
    a.grad = tg.tensor([[10.0, 10.0]])
    (a + a).sum().backward()
    close(a.grad, [[12.0, 12.0]])
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.reshape(2, 1) * x
    y.sum().backward()
    close(x.grad, [6.0, 6.0])


@tests_of("autograd.saved_tensors")
def test_saved_tensors_freed_after_backward() -> None:
    """After a backward without retain_graph a node's saved values are gone: asking for them raises
    PyTorch's "backward through the graph a second time" error."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    node = y.grad_fn
    assert len(node.saved_tensors) == 2
    y.sum().backward()
    with raises(RuntimeError, "second time"):
        _ = node.saved_tensors
    with raises(RuntimeError, "retain_graph=True"):
        y.sum().backward()


@tests_of("autograd.saved_tensors")
def test_saved_tensors_only_needed_ones_fail() -> None:
    """Only a node that needs its saved values fails once they are freed: a graph of sums saved
    nothing and runs again, and retain_graph=True keeps saved values for a second walk."""
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    s = (x + x).sum()
    s.backward()
    s.backward()
    close(x.grad, [4.0, 4.0], what="nothing saved, nothing freed: twice is fine")
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    close(x.grad, 4.0 + 2 * np.exp([1.0, 2.0]))


@tests_of("autograd.saved_tensors", hidden=True)
def test_saved_tensors_custom_function() -> None:
    """A custom autograd.Function reads what it saved through the same property, so the freeing rule
    applies to it as to the built-in ops."""
    class Cube(tg.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    x = tg.tensor([2.0], requires_grad=True)
    y = Cube.apply(x)
    y.backward(retain_graph=True)
    y.backward()
    close(x.grad, [24.0])
    with raises(RuntimeError, "second time"):
        y.backward()


@tests_of("device.array_module")
def test_array_module_cpu() -> None:
    """An ordinary NumPy array, of any dtype or shape (0-d included), is computed on with numpy
    itself."""
    am = current("device.array_module")
    assert am(np.ones(3)) is np
    assert am(np.zeros((2, 2), dtype=np.int64)) is np
    assert am(np.asarray(1.5)) is np


@tests_of("device.array_module")
def test_ops_compute_with_it() -> None:
    """Every op asks array_module which library to compute with, in forward and in backward, so exp,
    tanh and their gradients all go through it."""
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    y = (x.exp() * x.tanh()).sum()
    y.backward()
    close(x.grad, np.exp([0.0, 1.0]) * np.tanh([0.0, 1.0]) + np.exp([0.0, 1.0])
          * (1 - np.tanh([0.0, 1.0]) ** 2))


@tests_of("device.array_module", hidden=True)
def test_array_module_simulated_gpu() -> None:
    """An array on a GPU must be computed on by its backend's own module, so that results and
    gradients stay on that device."""
    from .. import simulated_gpu

    with simulated_gpu.simulated_machine("gpu"):
        x = tg.tensor([1.0, 2.0], device="cuda", requires_grad=True)
        am = current("device.array_module")
        xp = am(x.array)
        assert xp is not np, "a GPU array needs its backend's module, not numpy"
        (x.exp() * 2).sum().backward()
        assert x.grad.device.type == "cuda"
