"""Chapter 03: a scalar autograd engine, one number per node (micrograd-style).

A ``Value`` wraps one float. Every operation returns a new ``Value`` that remembers its
inputs (``_prev``) and its operation (``_op``), so running the program *builds a graph*.
``backward()`` walks that graph from the output back to the inputs and applies the chain
rule: each node passes ``upstream gradient * local derivative`` to each of its inputs.

>>> a = Value(2.0, label="a"); b = Value(3.0, label="b")
>>> L = a * b + a
>>> L.backward()
>>> a.grad, b.grad      # dL/da = b + 1, dL/db = a
(4.0, 2.0)

Unlike micrograd's, an op's ``_backward(g)`` closure *returns* the gradients for its inputs
instead of adding them into ``.grad`` itself; ``backward()`` does the adding. The math
reads the same, and the graph stepper (``tinygrad_edu.viz``) can replay the closures
without touching anyone's ``.grad``.

Three things this engine does the PyTorch way (micrograd does not):

* the graph is sorted iteratively (``topological_order``), so a 100,000-node chain works;
* ``backward()`` frees what each operation saved for its backward, unless called with
  ``retain_graph=True``. A second ``backward()`` raises only when it reaches an operation
  whose saved values were freed: ``x * y`` and ``x.tanh()`` save their inputs or output,
  ``x + y``, ``x - y`` and ``-x`` save nothing, so ``(x + y).backward()`` works twice, as
  ``(x + y).sum().backward()`` does in PyTorch. (We check before running, so a refused
  pass changes no ``.grad``.);
* ``.grad`` *accumulates* across ``backward()`` calls. Reset it yourself before the next
  one with ``v.grad = 0.0`` (for tensors, ``optimizer.zero_grad()`` sets ``.grad`` to None).
"""

from __future__ import annotations

import math
from collections.abc import Callable

_FREED = ("Trying to backward through the graph a second time (or directly access saved "
          "values after they have already been freed). The graph is freed when you call "
          ".backward(). Specify retain_graph=True in the first backward() if you need to "
          "backward through the graph a second time.")


# Operations whose backward needs nothing saved from the forward pass: d(a+b) = (1, 1),
# d(a-b) = (1, -1), d(-a) = -1. PyTorch's AddBackward0, SubBackward0 and NegBackward0 save no
# tensor either, so freeing the graph leaves them usable.
_SAVES_NOTHING = frozenset({"+", "-", "neg"})


def _no_inputs(g: float) -> tuple[float, ...]:
    """A leaf has no inputs, so it passes its gradient nowhere."""
    return ()


class Value:
    """One number in a computation graph, plus its gradient ``dL/d(this)``.

    ``requires_grad`` is ``False`` only for plain numbers that an operator pulled into
    the graph (the ``3`` in ``x * 3``): backward skips them and the graph draws them grey.
    """

    def __init__(self, data: float, label: str = "", requires_grad: bool = True,
                 _children: tuple[Value, ...] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.requires_grad = requires_grad
        self._prev = _children  # the inputs: kept for backward and for the graph picture
        self._op = _op          # the operation's symbol: for the graph picture
        self._backward: Callable[[float], tuple[float, ...]] | None = _no_inputs

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{name})"

    # --- operations: forward value + local derivative --------------------------------
    def __add__(self, other: Value | float) -> Value:
        other = _wrap(other)
        out = Value(self.data + other.data, _children=(self, other), _op="+")
        def _backward(g: float) -> tuple[float, float]:
            """d(a+b)/da = 1, d(a+b)/db = 1: addition copies the gradient to both."""
            return g, g
        out._backward = _backward
        return out

    def __sub__(self, other: Value | float) -> Value:
        other = _wrap(other)
        out = Value(self.data - other.data, _children=(self, other), _op="-")
        def _backward(g: float) -> tuple[float, float]:
            """d(a-b)/da = 1, d(a-b)/db = -1."""
            return g, -g
        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = _wrap(other)
        out = Value(self.data * other.data, _children=(self, other), _op="*")
        def _backward(g: float) -> tuple[float, float]:
            """d(a*b)/da = b, d(a*b)/db = a: each input gets the *other* one."""
            return g * other.data, g * self.data
        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        other = _wrap(other)
        out = Value(self.data / other.data, _children=(self, other), _op="/")
        def _backward(g: float) -> tuple[float, float]:
            """d(a/b)/da = 1/b, d(a/b)/db = -a/b**2."""
            return g / other.data, -g * self.data / other.data**2
        out._backward = _backward
        return out

    def __pow__(self, other: Value | float) -> Value:
        other = _wrap(other)
        out = Value(self.data**other.data, _children=(self, other), _op="**")
        def _backward(g: float) -> tuple[float, float]:
            """d(a**b)/da = b * a**(b-1), d(a**b)/db = a**b * ln(a) (nan for a <= 0)."""
            ln_a = math.log(self.data) if self.data > 0 else math.nan
            return g * other.data * self.data ** (other.data - 1), g * out.data * ln_a
        out._backward = _backward
        return out

    def __radd__(self, other: float) -> Value: return _wrap(other) + self
    def __rsub__(self, other: float) -> Value: return _wrap(other) - self
    def __rmul__(self, other: float) -> Value: return _wrap(other) * self
    def __rtruediv__(self, other: float) -> Value: return _wrap(other) / self
    def __rpow__(self, other: float) -> Value: return _wrap(other) ** self

    def _unary(self, data: float, op: str, local: float) -> Value:
        """One-input op whose derivative ``local = d(out)/d(self)`` is known at forward time."""
        out = Value(data, _children=(self,), _op=op)
        out._backward = lambda g: (g * local,)  # chain rule: upstream * local
        return out

    def __neg__(self) -> Value:
        return self._unary(-self.data, "neg", -1.0)  # d(-a)/da = -1

    def exp(self) -> Value:
        e = math.exp(self.data)
        return self._unary(e, "exp", e)  # d(e**a)/da = e**a

    def log(self) -> Value:
        return self._unary(math.log(self.data), "log", 1.0 / self.data)  # d(ln a)/da = 1/a

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return self._unary(t, "tanh", 1.0 - t * t)  # d(tanh a)/da = 1 - tanh(a)**2

    def relu(self) -> Value:
        r = max(self.data, 0.0)
        return self._unary(r, "relu", 1.0 if self.data > 0 else 0.0)  # slope 1 or 0

    def sigmoid(self) -> Value:
        s = 1.0 / (1.0 + math.exp(-self.data))
        return self._unary(s, "sigmoid", s * (1.0 - s))  # d(sigma)/da = sigma (1 - sigma)

    # --- the backward pass -------------------------------------------------------------
    def backward(self, retain_graph: bool = False) -> None:
        """Add ``dself/dv`` to ``v.grad`` for every ``v`` in the graph (``dself/dself = 1``).

        Nodes are processed in ``topological_order(self)``: a node runs only after every
        node that uses it, so its gradient is complete when it passes it on.
        """
        order = topological_order(self)
        if any(v._backward is None for v in order):  # a node needs values already freed
            raise RuntimeError(_FREED)
        grads = {self: 1.0}  # this pass's gradients; added to .grad as they become final
        for v in order:
            g = grads.pop(v)
            if v.requires_grad:
                v.grad += g
            for child, child_g in zip(v._prev, v._backward(g), strict=True):
                grads[child] = grads.get(child, 0.0) + child_g
        if not retain_graph:
            for v in order:
                if v._prev and v._op not in _SAVES_NOTHING:
                    v._backward = None  # "free" its saved values, like PyTorch's saved tensors


def _wrap(x: Value | float) -> Value:
    """Turn a plain number into a constant ``Value`` (no gradient wanted)."""
    return x if isinstance(x, Value) else Value(x, requires_grad=False)


def topological_order(root: Value) -> list[Value]:
    """Every node reachable from ``root``, in the order ``backward`` processes them.

    ``root`` comes first and each node comes before its inputs. Depth-first search with an
    explicit stack (no recursion, so no RecursionError on long chains): a node is emitted
    after all its inputs, then the list is reversed.

    >>> x = Value(1.0, label="x"); y = x * 2; z = y + x
    >>> [v.label or v._op for v in topological_order(z)]
    ['+', '*', '', 'x']
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node._prev))
    return order[::-1]
