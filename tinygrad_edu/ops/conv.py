r"""Convolution as one matrix multiplication (im2col), and its gradient as a col2im.

A 2-D convolution of ``x`` (N, C, H, W) with ``weight`` (O, C, KH, KW) computes, at each output
position, the dot product of the weight with the patch of ``x`` under it:

$$y[n, o, i, j] = b_o + \sum_{c, a, b} w[o, c, a, b]\; x[n, c,\; i s + a d,\; j s + b d].$$

**Forward (im2col).** Lay every patch out as a column of a matrix: with $K$ = C·KH·KW numbers
per patch and $P$ = N·OH·OW patches, ``cols`` is $K \times P$. The weight, flattened, is
$O \times K$. Then

$$Y = W\,\mathrm{cols} \qquad (O \times P)$$

one matmul, which BLAS runs at full speed. (``groups`` splits the channels into G independent
convolutions: G matmuls, done as one batched matmul.)

**Backward.** $Y = W\,\mathrm{cols}$ is a matmul, so (chapter 04) with $G = \partial L/\partial Y$:

* $\nabla_W = G\,\mathrm{cols}^T$: each weight collects input-times-gradient over all patches;
* $\nabla_{\mathrm{cols}} = W^T G$: each patch's gradient;
* $\nabla_x$ = ``col2im`` of $\nabla_{\mathrm{cols}}$: a pixel that appeared in several patches
  receives the sum of their gradients.
* $\nabla_b = \sum_{n,i,j} G$.

Written out, $\nabla_x$ is itself a convolution: the output gradient (spread out by the
stride, padded by $k-1$) convolved with the weight flipped left-right and up-down, with
in and out channels swapped ("transposed convolution"). col2im computes exactly that sum.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module
from .windows import col2im, im2col, out_size, pad2d, unpad2d


class Convolution(Function):
    r"""$Y = W\,\mathrm{im2col}(x) + b$ for 1-D (N, C, L) or 2-D (N, C, H, W) inputs.

    ``stride``, ``dilation``: pairs; ``padding``: (top, bottom, left, right); ``groups``: int.
    Backward: $\nabla_W = G\,\mathrm{cols}^T$, $\nabla_x = \mathrm{col2im}(W^T G)$,
    $\nabla_b = \sum G$.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        one_d = x.ndim == 3  # a 1-D convolution is a 2-D one on images of height 1
        if one_d:
            x, weight = x[:, :, None, :], weight[:, :, None, :]
        n, _, h, w = x.shape
        o, cg, kh, kw = weight.shape
        oh = out_size(h, kh, stride[0], padding[0] + padding[1], dilation[0])
        ow = out_size(w, kw, stride[1], padding[2] + padding[3], dilation[1])
        xpad = pad2d(x, padding)
        cols = im2col(xpad, (kh, kw), stride, dilation, (oh, ow))  # (C*KH*KW, N*OH*OW)
        cols = cols.reshape(groups, cg * kh * kw, n * oh * ow)  # each group sees its channels
        w_mat = weight.reshape(groups, o // groups, cg * kh * kw)  # (G, O/G, K)
        y = w_mat @ cols  # THE matmul: (G, O/G, K) @ (G, K, P) -> (G, O/G, P)
        y = y.reshape(o, n, oh, ow)
        if bias is not None:
            y += bias[:, None, None, None]
        ctx.save_for_backward(cols, w_mat)
        ctx.shapes = (xpad.shape, weight.shape, one_d)
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        y = array_module(y).ascontiguousarray(y.transpose(1, 0, 2, 3))  # (N, O, OH, OW)
        return y[:, :, 0, :] if one_d else y

    @staticmethod
    def backward(ctx, grad):
        cols, w_mat = ctx.saved_tensors
        padded_shape, w_shape, one_d = ctx.shapes
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        if one_d:
            grad = grad[:, :, None, :]
        n, o, oh, ow = grad.shape
        groups = ctx.groups
        g_mat = grad.transpose(1, 0, 2, 3).reshape(groups, o // groups, n * oh * ow)  # like Y
        grad_x = grad_w = grad_b = None
        if need_w:  # dL/dW = G cols^T, computed as (cols G^T)^T: BLAS likes the long axis inside
            grad_w = (cols @ g_mat.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(w_shape)
            grad_w = grad_w[:, :, 0, :] if one_d else grad_w
        if need_x:  # dL/dcols = W^T G, then every patch's gradient back onto its pixels
            grad_cols = (w_mat.transpose(0, 2, 1) @ g_mat).reshape(-1, n * oh * ow)
            image = col2im(grad_cols, padded_shape, w_shape[2:], ctx.stride, ctx.dilation)
            grad_x = unpad2d(image, ctx.padding)
            grad_x = grad_x[:, :, 0, :] if one_d else grad_x
        if need_b:
            grad_b = grad.sum(axis=(0, 2, 3))
        return grad_x, grad_w, grad_b, None, None, None, None
