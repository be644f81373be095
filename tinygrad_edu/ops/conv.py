r"""Convolution as one matrix multiplication (im2col), and its gradient as a col2im.

A 2-D convolution of ``x`` (N, C, H, W) with ``weight`` (O, C, KH, KW) computes, at each output
position, the dot product of the weight with the patch of ``x`` under it:

$$y[n, o, i, j] = b_o + \sum_{c, a, b} w[o, c, a, b]\; x[n, c,\; i s + a d,\; j s + b d].$$

**Forward (im2col).** Lay every patch of an image out as a column of a matrix: with $K$ =
C·KH·KW numbers per patch and $P$ = OH·OW patches per image, ``cols[n]`` is $K \times P$. The
weight, flattened, is $O \times K$. Then, for every image,

$$Y_n = W\,\mathrm{cols}_n \qquad (O \times P)$$

one matmul (``W @ cols`` does all N images in one call), which BLAS runs at full speed, and
$Y_n$ is already image n's output (O, OH, OW). (``groups`` splits the channels into G
independent convolutions: one more batch dimension of the same matmul.)

**Backward.** $Y_n = W\,\mathrm{cols}_n$ is a matmul, so (chapter 04), with
$G_n = \partial L/\partial Y_n$:

* $\nabla_W = \sum_n G_n\,\mathrm{cols}_n^T$: each weight collects input-times-gradient over all
  patches (the forward's ``cols`` are saved and reused: no second im2col);
* $\nabla_{\mathrm{cols}_n} = W^T G_n$: each patch's gradient;
* $\nabla_x$ = ``col2im`` of $\nabla_{\mathrm{cols}}$: a pixel that appeared in several patches
  receives the sum of their gradients. :func:`col2im_of_wt_g` does it tap by tap: the rows of
  $W^T G$ for tap $(a, b)$ are $W[:, :, a, b]^T G$, added onto the pixels under that tap.
* $\nabla_b = \sum_{n,i,j} G$.

Written out, $\nabla_x$ is itself a convolution: the output gradient (spread out by the
stride, padded by $k-1$) convolved with the weight flipped left-right and up-down, with
in and out channels swapped ("transposed convolution"). col2im computes exactly that sum.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..device import array_module
from .conv_double import conv_backward_on_tensors
from .windows import im2col, out_size, pad2d, tap_slices, unpad2d


class Convolution(Function):
    r"""$Y = W\,\mathrm{im2col}(x) + b$ for 1-D (N, C, L) or 2-D (N, C, H, W) inputs.

    ``stride``, ``dilation``: pairs; ``padding``: (top, bottom, left, right); ``groups``: int.
    Backward: $\nabla_W = \sum_n G_n\,\mathrm{cols}_n^T$, $\nabla_x = \mathrm{col2im}(W^T G)$,
    $\nabla_b = \sum G$.
    """

    array_io = True
    backward_on_tensors = conv_backward_on_tensors  # create_graph=True: the same math on Tensors

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        one_d = x.ndim == 3  # a 1-D convolution is a 2-D one on images of height 1
        if one_d:
            x, weight = x[:, :, None, :], weight[:, :, None, :]
        y, cols = conv2d_forward(x, weight, bias, stride, padding, dilation, groups)
        o, cg, kh, kw = weight.shape
        top, bottom, left, right = padding
        padded_shape = (*x.shape[:2], x.shape[2] + top + bottom, x.shape[3] + left + right)
        ctx.save_for_backward(cols, weight.reshape(groups, o // groups, cg * kh * kw))
        ctx.shapes = (padded_shape, weight.shape, one_d)
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
        g_mat = grad.reshape(n, groups, o // groups, oh * ow)  # like Y: (N, G, O/G, P)
        grad_x = grad_w = grad_b = None
        if need_w:  # dL/dW = G cols^T, summed over the images (the forward's cols, reused)
            grad_w = (g_mat @ cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w_shape)
            grad_w = grad_w[:, :, 0, :] if one_d else grad_w
        if need_x:  # dL/dx = col2im(W^T G)
            w_taps = w_mat.reshape(groups, o // groups, w_shape[1], *w_shape[2:])
            image = col2im_of_wt_g(w_taps, g_mat, padded_shape, (oh, ow), ctx.stride,
                                   ctx.dilation)
            grad_x = unpad2d(image, ctx.padding)
            grad_x = grad_x[:, :, 0, :] if one_d else grad_x
        if need_b:
            grad_b = grad.sum(axis=(0, 2, 3))
        return grad_x, grad_w, grad_b, None, None, None, None


def conv2d_forward(x, weight, bias, stride, padding, dilation, groups):
    r"""$Y = W\,\mathrm{im2col}(x) + b$ on arrays: the output (N, O, OH, OW) and the columns.

    ``padding`` is (top, bottom, left, right); ``stride``, ``dilation`` are pairs. The columns
    come back as (N, G, C/G·KH·KW, OH·OW), each group's rows apart: backward reuses them.
    """
    n, _, h, w = x.shape
    o, cg, kh, kw = weight.shape
    oh = out_size(h, kh, stride[0], padding[0] + padding[1], dilation[0])
    ow = out_size(w, kw, stride[1], padding[2] + padding[3], dilation[1])
    cols = im2col(pad2d(x, padding), (kh, kw), stride, dilation, (oh, ow))  # (N, C*KH*KW, P)
    cols = cols.reshape(n, groups, cg * kh * kw, oh * ow)  # each group sees its channels
    w_mat = weight.reshape(groups, o // groups, cg * kh * kw)  # (G, O/G, K)
    y = w_mat @ cols  # THE matmul: (G, O/G, K) @ (N, G, K, P) -> (N, G, O/G, P)
    y = y.reshape(n, o, oh, ow)  # already the output's layout: no transpose, no copy
    if bias is not None:
        y += bias[:, None, None]
    return y, cols


def col2im_of_wt_g(w, g, padded_shape, out, stride, dilation):
    r"""``col2im(W^T G)``, one tap at a time, without building the big matrix $W^T G$.

    ``w`` is (G, O/G, C/G, KH, KW), ``g`` the output gradient (N, G, O/G, OH·OW), ``out`` is
    (OH, OW); the result is the gradient of the padded input, ``padded_shape``. The rows of
    $W^T G$ that belong to tap $(a, b)$ are $W[:, :, a, b]^T G$, and col2im adds them onto the
    slice of pixels under that tap. So each tap is one matmul added onto one strided slice:
    the same sum as ``col2im(w_mat.T @ g)``, but the (N, C·KH·KW, OH·OW) matrix never exists
    (it is KH·KW times the image: writing it and reading it back cost more than the matmul).
    Written out it is a convolution of $G$ with the flipped kernel (module docstring).

    Layout: the batch goes last, (C, H, W, N), while the taps are added. A tap's slice
    ``[:, rows, columns, :]`` is then a few long runs of memory (a window row times the whole
    batch), where in (N, C, H, W) it would be thousands of runs of OW numbers each.
    """
    xp = array_module(g)
    n, c = padded_shape[:2]
    groups, o_g, _, kh, kw = w.shape
    # one (O/G, OH·OW·N) matrix per group: each tap is ONE matmul for the whole batch
    g = xp.ascontiguousarray(g.transpose(1, 2, 3, 0)).reshape(groups, o_g, out[0] * out[1] * n)
    image = xp.zeros((c, *padded_shape[2:], n), dtype=g.dtype)  # (C, H, W, N)
    for a in range(kh):
        for b in range(kw):
            rows, columns = tap_slices(a, b, stride, dilation, out)
            w_ab = w[:, :, :, a, b].transpose(0, 2, 1)  # (G, C/G, O/G): this tap's W^T
            image[:, rows, columns, :] += (w_ab @ g).reshape(c, *out, n)
    return xp.ascontiguousarray(image.transpose(3, 0, 1, 2))  # back to (N, C, H, W)
