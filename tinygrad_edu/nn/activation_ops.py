r"""Smooth relatives of ReLU, each one autograd node with its derivative on paper.

| name | $y$ | $dy/dx$ |
|---|---|---|
| leaky_relu | $x$ if $x>0$ else $a x$ | $1$ or $a$ |
| elu | $x$ if $x>0$ else $\alpha(e^x-1)$ | $1$ or $\alpha e^x$ |
| silu | $x\,\sigma(x)$ | $\sigma(x)\,(1 + x(1-\sigma(x)))$ |
| softplus | $\frac1\beta\log(1+e^{\beta x})$ | $\sigma(\beta x)$ |
| gelu | $x\,\Phi(x)$ | $\Phi(x) + x\,\varphi(x)$ |
| hardtanh | $x$ clipped to [min, max] | 1 inside, 0 outside |
| mish | $x\tanh(\log(1+e^x))$ | (see ``Mish``) |

$\Phi$ is the standard normal CDF, $\frac12(1+\mathrm{erf}(x/\sqrt2))$, and $\varphi$ its density.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..autograd.select import select
from ..device import array_module, erf  # the one erf: Tensor.erf uses it too


def _erf(x):
    """erf of an array, or of a Tensor (gelu's backward under create_graph=True)."""
    return x.erf() if hasattr(x, "erf") else erf(x)


def _sigmoid(xp, x):
    return 0.5 * (1 + xp.tanh(0.5 * x))  # = 1/(1+e^-x), without overflow


class LeakyRelu(Function):
    r"""$y = x$ for $x > 0$, else $a\,x$: a small slope instead of ReLU's flat zero."""

    array_io = True
    mask_from_saved = True  # x enters backward only as a mask: second derivative 0, tracked

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return array_module(x).where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return array_module(x).where(x > 0, grad, grad * ctx.slope), None


class Elu(Function):
    r"""$y = x$ for $x > 0$, else $\alpha(e^x - 1)$; $dy/dx = 1$ or $\alpha e^x$."""

    array_io = True

    @staticmethod
    def forward(ctx, x, alpha):
        xp = array_module(x)
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        xp = array_module(x)
        return xp.where(x > 0, grad, grad * ctx.alpha * xp.exp(xp.minimum(x, 0))), None


class Silu(Function):
    r"""$y = x\,\sigma(x)$ (also called swish); $dy/dx = \sigma(x)(1 + x(1-\sigma(x)))$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        s = _sigmoid(array_module(x), x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        return grad * s * (1 + x * (1 - s))

    def saved_from_inputs(ctx, x):
        r"""create_graph=True: $\sigma(x)$ again, as a differentiable function of x."""
        return x, x.sigmoid()


class Softplus(Function):
    r"""$y = \frac1\beta\log(1+e^{\beta x})$, a smooth ReLU; $dy/dx = \sigma(\beta x)$.

    Where $\beta x$ > ``threshold`` it returns $x$ itself (the two agree to float precision).
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = array_module(x)
        bx = x * beta
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return xp.where(bx > threshold, x, xp.log1p(xp.exp(xp.minimum(bx, threshold))) / beta)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        xp = array_module(x)
        bx = x * ctx.beta
        return xp.where(bx > ctx.threshold, grad, grad * _sigmoid(xp, bx)), None, None


class Gelu(Function):
    r"""$y = x\,\Phi(x)$: the input, weighted by how likely a standard normal is below it.

    ``approximate="tanh"``: $\Phi(x) \approx \frac12(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3)))$.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, approximate):
        xp = array_module(x)
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1 + xp.tanh(_K * (x + 0.044715 * x**3)))
        return 0.5 * x * (1 + erf(x * _SQRT1_2))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        xp = array_module(x)
        if ctx.approximate == "tanh":
            t = xp.tanh(_K * (x + 0.044715 * x**3))
            inner = _K * (1 + 3 * 0.044715 * x * x)  # d/dx of tanh's argument
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner), None
        cdf = 0.5 * (1 + _erf(x * _SQRT1_2))
        pdf = xp.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return grad * (cdf + x * pdf), None


_K = math.sqrt(2 / math.pi)
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class Hardtanh(Function):
    r"""$y$ = $x$ clipped to [min, max]; $dy/dx = 1$ strictly inside, 0 outside and at the
    edges (PyTorch's choice). ``relu6`` is ``hardtanh(x, 0, 6)``."""

    array_io = True
    mask_from_saved = True  # x enters backward only as a mask: second derivative 0, tracked

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        out = array_module(x).clip(x, low, high)
        return out if out.dtype == x.dtype else out.astype(x.dtype)  # integers stay integers

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        inside = (x > ctx.low) & (x < ctx.high)
        return select(inside, grad), None, None


class Mish(Function):
    r"""$y = x 	anh(\mathrm{softplus}(x))$;
    $dy/dx = 	anh(s) + x\,(1 - 	anh^2 s)\,\sigma(x)$ with $s = \log(1 + e^x)$."""

    array_io = True

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        ctx.save_for_backward(x)
        return x * xp.tanh(xp.logaddexp(0, x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        xp = array_module(x)
        t = xp.tanh(xp.logaddexp(0, x))
        return grad * (t + x * (1 - t * t) * _sigmoid(xp, x))
