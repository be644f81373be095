r"""Normalization: shift and scale activations to mean 0, variance 1, then let the net rescale.

Over a set of axes (LayerNorm: the last dims of each sample; BatchNorm: every dim but the
channel), with $m$ numbers per group:

$$\mu = \tfrac1m\sum x,\quad \sigma^2 = \tfrac1m\sum (x-\mu)^2,\quad
\hat x = \frac{x-\mu}{\sqrt{\sigma^2+\epsilon}},\quad y = \gamma\,\hat x + \beta.$$

**Backward.** $\nabla_\gamma = \sum G\hat x$ and $\nabla_\beta = \sum G$ (over the other axes).
For $x$, every $x_i$ moves $\mu$ and $\sigma$ too, which gives (with $g = \gamma G$)

$$\nabla_x = \frac{1}{\sqrt{\sigma^2+\epsilon}}
  \Big(g - \overline{g} - \hat x\,\overline{g\hat x}\Big)$$

where the bars are means over the normalized axes: the gradient, minus its part that only
shifts the group (the mean) and its part that only scales it (along $\hat x$).
"""
from __future__ import annotations

from ..autograd.function import Function


def _normalized_grad(g, xhat, rstd, axes):
    """$(g - \\bar g - \\hat x\\,\\overline{g\\hat x}) / \\sigma$, means over ``axes``."""
    return rstd * (g - g.mean(axis=axes, keepdims=True)
                   - xhat * (g * xhat).mean(axis=axes, keepdims=True))


def _standardize(x, axes, eps):
    r"""$\hat x = (x - \mu)/\sqrt{\sigma^2 + \epsilon}$ and $1/\sqrt{\sigma^2+\epsilon}$,
    over ``axes``."""
    centered = x - x.mean(axis=axes, keepdims=True)
    rstd = 1 / (((centered * centered).mean(axis=axes, keepdims=True) + eps) ** 0.5)
    return centered * rstd, rstd


def _affine_grads(grad, xhat, weight, bias, axes, needs):
    """$\\nabla_\\gamma = \\sum G\\hat x$, $\\nabla_\\beta = \\sum G$, summed over ``axes``, shaped
    like the parameters."""
    grad_w = (grad * xhat).sum(axis=axes).reshape(weight.shape) if needs[1] else None
    grad_b = grad.sum(axis=axes).reshape(bias.shape) if needs[2] else None
    return grad_w, grad_b


class NativeLayerNorm(Function):
    r"""Normalize each sample over its last ``n_dims`` dims; $\gamma, \beta$ have those dims."""

    array_io = True

    @staticmethod
    def forward(ctx, x, weight, bias, n_dims, eps):
        axes = tuple(range(x.ndim - n_dims, x.ndim))
        xhat, rstd = _standardize(x, axes, eps)
        ctx.save_for_backward(xhat, rstd, weight, bias)
        ctx.axes, ctx.eps = axes, eps
        y = xhat if weight is None else xhat * weight
        return y if bias is None else y + bias

    @staticmethod
    def backward(ctx, grad):
        xhat, rstd, weight, bias = ctx.saved_tensors
        needs = ctx.needs_input_grad
        g = grad if weight is None else grad * weight
        grad_x = _normalized_grad(g, xhat, rstd, ctx.axes) if needs[0] else None
        outer = tuple(range(grad.ndim - len(ctx.axes)))  # the sample axes, summed for gamma, beta
        grad_w, grad_b = _affine_grads(grad, xhat, weight, bias, outer, needs)
        return grad_x, grad_w, grad_b, None, None

    def saved_from_inputs(ctx, x, weight, bias, *_):
        r"""create_graph=True: $\hat x$ and rstd again, as differentiable functions of x."""
        return (*_standardize(x, ctx.axes, ctx.eps), weight, bias)


class NativeBatchNorm(Function):
    r"""Normalize each channel (dim 1) over the batch and spatial dims.

    Training: the batch's own $\mu, \sigma^2$, and the running averages move towards them,
    $r \leftarrow (1-m)\,r + m\,\text{batch value}$ (the running variance takes the unbiased
    $\frac{n}{n-1}\sigma^2$). Evaluation: the running averages, which are constants, so then
    $\nabla_x = \gamma G / \sqrt{r_{\sigma^2} + \epsilon}$.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        axes = (0, *range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)  # a (C,) vector lined up with dim 1
        if training:
            mean = x.mean(axis=axes, keepdims=True)
            var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
            if running_mean is not None:
                n = x.size // x.shape[1]
                running_mean *= 1 - momentum
                running_mean += momentum * mean.reshape(-1)
                running_var *= 1 - momentum
                running_var += momentum * var.reshape(-1) * (n / (n - 1))
        else:
            mean, var = running_mean.reshape(shape), running_var.reshape(shape)
        rstd = 1 / ((var + eps) ** 0.5)
        xhat = (x - mean) * rstd
        ctx.save_for_backward(xhat, rstd, weight, bias)
        ctx.axes, ctx.shape, ctx.training, ctx.eps = axes, shape, training, eps
        y = xhat if weight is None else xhat * weight.reshape(shape)
        return y if bias is None else y + bias.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        xhat, rstd, weight, bias = ctx.saved_tensors
        needs = ctx.needs_input_grad
        g = grad if weight is None else grad * weight.reshape(ctx.shape)
        grad_x = None
        if needs[0]:
            grad_x = _normalized_grad(g, xhat, rstd, ctx.axes) if ctx.training else g * rstd
        grad_w, grad_b = _affine_grads(grad, xhat, weight, bias, ctx.axes, needs)
        return (grad_x, grad_w, grad_b) + (None,) * 5

    def saved_from_inputs(ctx, x, weight, bias, running_mean, running_var, *_):
        r"""create_graph=True: $\hat x$ and rstd again, as differentiable functions of x (in
        evaluation the running statistics are constants)."""
        if ctx.training:
            return (*_standardize(x, ctx.axes, ctx.eps), weight, bias)
        rstd = 1 / ((running_var.reshape(ctx.shape) + ctx.eps) ** 0.5)
        return (x - running_mean.reshape(ctx.shape)) * rstd, rstd, weight, bias
