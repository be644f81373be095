"""The least Python an autograd engine can run: a yardstick for ``chain_floor.py``, NOT the course.

This is the fastest engine I could write for the benchmark chain (mul, add, tanh, sum), to see
how much of tinygrad_edu's time is the price of its features and how much is CPython + NumPy:

* gradients live on the tensor objects, visited marks are integers, backward is a closure;
* no dtype rules, no grad mode, no broadcasting (so no gradient reshaping), no version checks,
  no hooks, no retain_graph, no freeing, no errors: everything issue #2 asks tinygrad_edu for.

Whatever this measures, an engine with those features cannot beat.
"""

from __future__ import annotations

import numpy as np


class BareTensor:
    __slots__ = ("data", "grad", "parents", "backward_fn", "pending", "mark")

    def __init__(self, data, parents=(), backward_fn=None):
        self.data, self.grad, self.parents, self.backward_fn = data, None, parents, backward_fn
        self.pending, self.mark = None, 0

    def __mul__(self, other):
        a, b = self.data, other.data
        return BareTensor(a * b, (self, other), lambda g: (g * b, g * a))

    def __add__(self, other):
        return BareTensor(self.data + other.data, (self, other), lambda g: (g, g))

    def tanh(self):
        t = np.tanh(self.data)
        return BareTensor(t, (self,), lambda g: (g * (1 - t * t),))

    def sum(self):
        shape = self.data.shape
        return BareTensor(self.data.sum(), (self,), lambda g: (np.broadcast_to(g, shape),))

    def backward(self):
        self.pending = np.ones((), np.float32)
        for node in reversed(_post_order(self)):
            g, node.pending = node.pending, None
            if node.backward_fn is None:  # a leaf
                node.grad = g if node.grad is None else node.grad + g
                continue
            for parent, gp in zip(node.parents, node.backward_fn(g)):
                parent.pending = gp if parent.pending is None else parent.pending + gp


_walks = [0]


def _post_order(root):
    """Iterative depth-first post-order; ``mark`` says "seen in this walk"."""
    _walks[0] += 1
    mark = _walks[0]
    root.mark = mark
    order, stack = [], [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for p in parents:
            if p.mark != mark:
                p.mark = mark
                stack.append((p, iter(p.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


_rng = np.random.default_rng(0)


def randn(*shape):
    return BareTensor(_rng.standard_normal(shape).astype(np.float32))
