r"""Convolution as one matrix multiplication (im2col), and its gradient as a col2im.

A 2-D convolution of ``x`` (N, C, H, W) with ``weight`` (O, C, KH, KW) computes, at each output
position, the dot product of the weight with the patch of ``x`` under it:

$$y[n, o, i, j] = b_o + \sum_{c, a, b} w[o, c, a, b]\; x[n, c,\; i s + a d,\; j s + b d].$$

**Forward (im2col).** Lay every patch out as a row of a matrix: with $P$ = N·OH·OW patches of
$K$ = C·KH·KW numbers each, ``cols`` is $P \times K$. The weight is $O \times K$. Then

$$Y = \mathrm{cols}\; W^T \qquad (P \times O)$$

one matmul, which BLAS runs at full speed. (``groups`` splits the channels into G independent
convolutions: G matmuls, done as one batched matmul.)

**Backward.** $Y = \mathrm{cols}\,W^T$ is a matmul, so (chapter 04) with $G = \partial L/\partial Y$:

* $\nabla_W = G^T \mathrm{cols}$: each weight collects input-times-gradient over all patches;
* $\nabla_{\mathrm{cols}} = G\,W$: each patch's gradient;
* $\nabla_x$ = ``col2im`` of $\nabla_{\mathrm{cols}}$: a pixel that appeared in several patches
  receives the sum of their gradients.
* $\nabla_b = \sum_{n,i,j} G$.

Written out, $\nabla_x$ is itself a convolution: the output gradient (spread out by the
stride, padded by $k-1$) convolved with the weight flipped left-right and up-down, with
in and out channels swapped ("transposed convolution"). col2im computes exactly that sum.
"""
from __future__ import annotations

from ..autograd.function import Function
from .windows import col2im, out_size, pad2d, unpad2d, windows


class Convolution(Function):
    r"""$Y = \mathrm{im2col}(x)\,W^T + b$ for 1-D (N, C, L) or 2-D (N, C, H, W) inputs.

    ``stride``, ``dilation``: pairs; ``padding``: (top, bottom, left, right); ``groups``: int.
    Backward: $\nabla_W = G^T\mathrm{cols}$, $\nabla_x = \mathrm{col2im}(G W)$, $\nabla_b = \sum G$.
    """

    array_io = True

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        one_d = x.ndim == 3  # a 1-D convolution is a 2-D one on images of height 1
        if one_d:
            x, weight = x[:, :, None, :], weight[:, :, None, :]
        n, c, h, w = x.shape
        o, cg, kh, kw = weight.shape
        oh = out_size(h, kh, stride[0], padding[0] + padding[1], dilation[0])
        ow = out_size(w, kw, stride[1], padding[2] + padding[3], dilation[1])
        xpad = pad2d(x, padding)
        patches = windows(xpad, (kh, kw), stride, dilation, (oh, ow))  # (N, C, OH, OW, KH, KW)
        # im2col: one row per patch, grouped: (G, N*OH*OW, Cg*KH*KW). The reshape copies.
        cols = (patches.reshape(n, groups, cg, oh, ow, kh, kw)
                .transpose(1, 0, 3, 4, 2, 5, 6).reshape(groups, n * oh * ow, cg * kh * kw))
        w_mat = weight.reshape(groups, o // groups, cg * kh * kw)  # (G, Og, K)
        y = cols @ w_mat.transpose(0, 2, 1)  # THE matmul: (G, P, K) @ (G, K, Og) -> (G, P, Og)
        y = y.reshape(groups, n, oh, ow, o // groups).transpose(1, 0, 4, 2, 3).reshape(n, o, oh, ow)
        if bias is not None:
            y += bias[:, None, None]
        ctx.save_for_backward(cols, w_mat)
        ctx.shapes = (xpad.shape, weight.shape, one_d)
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
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
        # G as a matrix like Y: (G, N*OH*OW, Og)
        g_mat = (grad.reshape(n, groups, o // groups, oh, ow).transpose(1, 0, 3, 4, 2)
                 .reshape(groups, n * oh * ow, o // groups))
        grad_x = grad_w = grad_b = None
        if need_w:  # dL/dW = G^T cols
            grad_w = (g_mat.transpose(0, 2, 1) @ cols).reshape(w_shape)
            grad_w = grad_w[:, :, 0, :] if one_d else grad_w
        if need_x:  # dL/dcols = G W, then every patch's gradient back onto its pixels
            _, cg, kh, kw = w_shape
            grad_cols = (g_mat @ w_mat).reshape(groups, n, oh, ow, cg, kh, kw)
            grad_cols = grad_cols.transpose(1, 0, 4, 2, 3, 5, 6).reshape(n, groups * cg, oh, ow,
                                                                          kh, kw)
            grad_x = unpad2d(col2im(grad_cols, padded_shape, ctx.stride, ctx.dilation),
                             ctx.padding)
            grad_x = grad_x[:, :, 0, :] if one_d else grad_x
        if need_b:
            grad_b = grad.sum(axis=(0, 2, 3))
        return grad_x, grad_w, grad_b, None, None, None, None
