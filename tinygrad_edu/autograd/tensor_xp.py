"""A small NumPy-like namespace whose functions take Tensors and stay differentiable.

Why it exists: higher-order gradients. A built-in op's ``backward`` is written once, on
arrays::

    xp = array_module(grad)
    return xp.where(x > 0, grad, 0)

In the normal (fast) backward, ``grad`` is a NumPy/CuPy array and ``xp`` is ``numpy``/``cupy``.
Under ``create_graph=True`` the engine calls the *same* backward with Tensors, and
``array_module(tensor)`` returns this namespace, so the same line builds graph nodes
(``WhereBackward0`` ...) that a second ``backward`` can walk. Operators (``grad * y``) and
methods (``grad.sum(axis=0, keepdims=True)``, ``reshape``, ``swapaxes``) already work on both.

Masks and indices (``x > 0``, ``argmax``) have no gradient: they enter as constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Tensor: Any = None  # tinygrad_edu.Tensor, set by tensor.py


def _raw(x: Any) -> Any:
    return x.array if isinstance(x, Tensor) else x


def _np_dtype(dtype: Any) -> Any:
    return getattr(dtype, "numpy", dtype)


class TensorNamespace:
    """``array_module(tensor)``: the NumPy functions an op's backward uses, on Tensors.

    One instance per array module (NumPy, CuPy), so constants land on the right device.
    """

    def __init__(self, xp: Any) -> None:
        self.xp = xp
        self.errstate = getattr(xp, "errstate", None) or np.errstate
        self.newaxis = None

    # ---------------------------------------------------------------- constants (no gradient)
    def _const(self, array: Any) -> Any:
        return Tensor._make(self.xp.asarray(array))

    def zeros(self, shape: Any, dtype: Any = None) -> Any:
        return self._const(self.xp.zeros(shape, dtype=_np_dtype(dtype) or np.float32))

    def ones(self, shape: Any, dtype: Any = None) -> Any:
        return self._const(self.xp.ones(shape, dtype=_np_dtype(dtype) or np.float32))

    def zeros_like(self, x: Any, dtype: Any = None) -> Any:
        return self._const(self.xp.zeros_like(_raw(x), dtype=_np_dtype(dtype)))

    def ones_like(self, x: Any, dtype: Any = None) -> Any:
        return self._const(self.xp.ones_like(_raw(x), dtype=_np_dtype(dtype)))

    def arange(self, *args: Any, **kwargs: Any) -> Any:
        return self.xp.arange(*args, **kwargs)  # positions: a plain array, like a mask

    def sign(self, x: Any) -> Any:
        r"""$\mathrm{sign}$ is flat almost everywhere: its derivative is 0 (PyTorch still lets
        the result require grad when x does)."""
        from .function import MaskedDependence

        sign = self._const(self.xp.sign(_raw(x)))
        return MaskedDependence.apply(sign, x) if isinstance(x, Tensor) and x.requires_grad else (
            sign
        )

    def logical_and(self, a: Any, b: Any) -> Any:
        return self._const(self.xp.logical_and(_raw(a), _raw(b)))

    def logical_or(self, a: Any, b: Any) -> Any:
        return self._const(self.xp.logical_or(_raw(a), _raw(b)))

    def logical_not(self, a: Any) -> Any:
        return self._const(self.xp.logical_not(_raw(a)))

    def isnan(self, a: Any) -> Any:
        return self._const(self.xp.isnan(_raw(a)))

    def isinf(self, a: Any) -> Any:
        return self._const(self.xp.isinf(_raw(a)))

    def isfinite(self, a: Any) -> Any:
        return self._const(self.xp.isfinite(_raw(a)))

    def full(self, shape: Any, value: Any, dtype: Any = None) -> Any:
        return self._const(self.xp.full(shape, value, dtype=_np_dtype(dtype)))

    def floor(self, x: Any) -> Any:
        r"""A step: its derivative is 0, and it enters as a constant (``remainder``'s backward)."""
        return self._const(self.xp.floor(_raw(x)))

    def trunc(self, x: Any) -> Any:
        r"""A step, like ``floor`` (``fmod``'s backward)."""
        return self._const(self.xp.trunc(_raw(x)))

    # ---------------------------------------------------------------- differentiable functions
    def where(self, cond: Any, a: Any, b: Any) -> Any:
        """``where(cond, a, b)``: the condition is a constant mask; a and b get their gradients."""
        from ..ops.compare import Where

        cond = self.xp.asarray(_raw(cond))
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            return self._const(self.xp.where(cond, a, b))
        return Where.apply(Tensor._make(cond), a, b)

    def exp(self, x: Any) -> Any:
        return x.exp() if isinstance(x, Tensor) else self.xp.exp(x)

    def log(self, x: Any) -> Any:
        return x.log() if isinstance(x, Tensor) else self.xp.log(x)

    def sqrt(self, x: Any) -> Any:
        return x.sqrt() if isinstance(x, Tensor) else self.xp.sqrt(x)

    def tanh(self, x: Any) -> Any:
        return x.tanh() if isinstance(x, Tensor) else self.xp.tanh(x)

    def log1p(self, x: Any) -> Any:
        return x.log1p() if isinstance(x, Tensor) else self.xp.log1p(x)

    def expm1(self, x: Any) -> Any:
        return x.expm1() if isinstance(x, Tensor) else self.xp.expm1(x)

    def sin(self, x: Any) -> Any:
        return x.sin() if isinstance(x, Tensor) else self.xp.sin(x)

    def cos(self, x: Any) -> Any:
        return x.cos() if isinstance(x, Tensor) else self.xp.cos(x)

    def erf(self, x: Any) -> Any:
        return x.erf()

    def maximum(self, a: Any, b: Any) -> Any:
        """Elementwise max (ties share the gradient, as in PyTorch); a number operand
        (``maximum(x, 1e-12)``) is a constant."""
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            return _top().maximum(a, b)
        return self.where(_raw(a) >= _raw(b), a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            return _top().minimum(a, b)
        return self.where(_raw(a) <= _raw(b), a, b)

    def clip(self, x: Any, low: Any, high: Any) -> Any:
        return x.clamp(low, high)

    def logaddexp(self, a: Any, b: Any) -> Any:
        r"""$\log(e^a + e^b) = m + \log(e^{a-m} + e^{b-m})$ for any $m$; $m = \max(a, b)$ (a
        constant) keeps every $e^{\cdot} \le 1$."""
        m = self._const(self.xp.maximum(_raw(a), _raw(b)))
        return m + self.log(self.exp(a - m) + self.exp(b - m))

    def abs(self, x: Any) -> Any:
        return x.abs()

    def sum(self, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return x.sum(axis=axis, keepdims=keepdims)

    def expand_dims(self, x: Any, axis: Any) -> Any:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        ndim = x.ndim + len(axes)
        for a in sorted(a % ndim for a in axes):
            x = x.unsqueeze(a)
        return x

    def broadcast_to(self, x: Any, shape: Any) -> Any:
        return x.expand(tuple(shape))

    def transpose(self, x: Any, axes: Any) -> Any:
        return x.permute(tuple(axes))

    def copy(self, x: Any) -> Any:
        return x.clone()

    def take(self, x: Any, index: int, axis: int) -> Any:
        return x[(slice(None),) * (axis % x.ndim) + (index,)]

    def split(self, x: Any, cuts: Any, axis: int) -> list:
        d = axis % x.ndim
        edges = [0, *cuts, x.shape[d]]
        return [x[(slice(None),) * d + (slice(a, b),)] for a, b in zip(edges, edges[1:])]

    def moveaxis(self, x: Any, source: Any, destination: Any) -> Any:
        return x.movedim(source, destination)

    def flip(self, x: Any, axis: Any) -> Any:
        return x.flip((axis,) if isinstance(axis, int) else tuple(axis))

    def roll(self, x: Any, shift: Any, axis: Any = None) -> Any:
        return x.roll(shift, axis)

    def tril(self, x: Any, k: int = 0) -> Any:
        return x.tril(k)

    def triu(self, x: Any, k: int = 0) -> Any:
        return x.triu(k)

    def diagonal(self, x: Any, offset: int = 0) -> Any:
        return x.diag(offset)

    def cumsum(self, x: Any, axis: int) -> Any:
        return x.cumsum(axis)

    def cumprod(self, x: Any, axis: int) -> Any:
        return x.cumprod(axis)

    def concatenate(self, xs: Any, axis: int = 0) -> Any:
        return _cat([self.asarray(x) for x in xs], axis)

    def stack(self, xs: Any, axis: int = 0) -> Any:
        return _stack([self.asarray(x) for x in xs], axis)

    def take_along_axis(self, x: Any, index: Any, axis: int) -> Any:
        """``x.gather(axis, index)``: the indices are a constant."""
        return x.gather(axis, Tensor._make(self.xp.asarray(_raw(index))))

    def outer(self, a: Any, b: Any) -> Any:
        return a.reshape(-1, 1) * b.reshape(1, -1)

    def asarray(self, x: Any) -> Any:
        return x if isinstance(x, Tensor) else self._const(x)


def _top() -> Any:
    import tinygrad_edu  # the package's functions (cat, stack, maximum), imported late

    return tinygrad_edu


def _cat(xs: Any, axis: int) -> Any:
    return _top().cat(list(xs), axis)


def _stack(xs: Any, axis: int) -> Any:
    return _top().stack(list(xs), axis)


_NAMESPACES: dict = {}


def namespace_for(t: Any) -> TensorNamespace:
    """The namespace for tensor ``t`` (one per NumPy/CuPy module)."""
    from ..device import array_module

    xp = array_module(t.array)
    ns = _NAMESPACES.get(xp)
    if ns is None:
        ns = _NAMESPACES[xp] = TensorNamespace(xp)
    return ns


