r"""The convolution's backward written with Tensor ops, for ``create_graph=True``.

``Convolution.backward`` (``conv.py``) is tuned for arrays: BLAS-friendly layouts of the
im2col columns that forward saved. Those columns are a *derived* value of $x$, so a backward
that reused them under ``create_graph=True`` would treat them as constants and give a wrong
second derivative. This is the same math on Tensors, recomputed from the inputs:

* ``cols`` = every window of the padded $x$, gathered through one integer index (an ``Index``
  node, so it is differentiable);
* $\nabla_W = G\,\mathrm{cols}^T$, $\nabla_{\mathrm{cols}} = W^T G$;
* $\nabla_x$ = col2im, here a ``scatter_add`` of $\nabla_{\mathrm{cols}}$ through the same index
  (the adjoint of the gather), then the padding cut off;
* $\nabla_b = \sum G$.

Every step is a differentiable Tensor op, so the gradients get a graph that a second backward
walks (a gradient penalty through a CNN, a Hessian-vector product).
"""

from __future__ import annotations

from typing import Any

from ..device import array_module


def window_index(xp: Any, size: tuple, kernel: tuple, stride: tuple, dilation: tuple,
                 out: tuple) -> Any:
    """Flat positions in the padded (H, W) image of tap (a, b) of window (i, j), in the order
    (KH, KW, OH, OW): ``image.reshape(..., H * W)[..., index]`` lists every window's pixels."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    rows = xp.arange(kh)[:, None, None, None] * dh + xp.arange(oh)[None, None, :, None] * sh
    cols = xp.arange(kw)[None, :, None, None] * dw + xp.arange(ow)[None, None, None, :] * sw
    return (rows * size[1] + cols).reshape(-1)


def conv_backward_on_tensors(ctx: Any, grad: Any, x: Any, weight: Any, bias: Any, *_: Any) -> tuple:
    """``Convolution``'s gradients for Tensors ``grad``, ``x``, ``weight`` (see module doc)."""
    from ..nn.functional_conv import pad

    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    one_d = x.ndim == 3  # a 1-D convolution is a 2-D one on images of height 1
    if one_d:
        x, weight, grad = x.unsqueeze(2), weight.unsqueeze(2), grad.unsqueeze(2)
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    oh, ow = grad.shape[2:]
    groups = ctx.groups
    top, bottom, left, right = ctx.padding
    size = (h + top + bottom, w + left + right)
    xp = array_module(x.array)  # the index lives on x's device
    index = window_index(xp, size, (kh, kw), ctx.stride, ctx.dilation, (oh, ow))
    g_mat = grad.reshape(n, groups, o // groups, oh * ow)  # (N, G, O/G, P)
    grad_x = grad_w = grad_b = None
    if need_w:
        xpad = pad(x, (left, right, top, bottom))
        cols = xpad.reshape(n, c, -1)[:, :, index].reshape(n, groups, -1, oh * ow)
        grad_w = (g_mat @ cols.transpose(-1, -2)).sum(0).reshape(weight.shape)
        grad_w = grad_w.squeeze(2) if one_d else grad_w
    if need_x:
        w_mat = weight.reshape(groups, o // groups, cg * kh * kw)
        grad_cols = (w_mat.transpose(-1, -2) @ g_mat).reshape(n, c, -1)  # (N, C, KH*KW*P)
        positions = type(grad)._make(xp.broadcast_to(index, grad_cols.shape))
        image = grad.new_zeros((n, c, size[0] * size[1])).scatter_add(2, positions, grad_cols)
        grad_x = image.reshape(n, c, *size)[:, :, top : size[0] - bottom, left : size[1] - right]
        grad_x = grad_x.squeeze(2) if one_d else grad_x
    if need_b:
        grad_b = grad.sum((0, 2, 3))
    return grad_x, grad_w, grad_b, None, None, None, None
