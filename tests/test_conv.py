"""Convolution, pooling and padding against PyTorch: values, gradients, grad_fn names, errors.

hypothesis draws shapes, strides, paddings, dilations and groups; every case compares the output
and the gradients of the input, weight and bias with torch's in float64 (to 1e-10). The same ops
then run on the simulated GPU and must stay there and agree with the CPU.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.nn import functional as F

TOL = dict(rtol=1e-10, atol=1e-10)
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def pair(a: np.ndarray, grad: bool = True) -> tuple[tg.Tensor, torch.Tensor]:
    return (tg.tensor(a, requires_grad=grad),
            torch.tensor(a).requires_grad_(grad))


def close(ours: tg.Tensor, theirs: torch.Tensor, what: str) -> None:
    assert ours is not None, f"{what}: ours is None, PyTorch has a value"
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **TOL,
                               err_msg=f"{what}: ours differs from PyTorch")


def compare(fn_ours, fn_theirs, arrays: list[np.ndarray], seed: int = 1, names=None) -> None:
    """Run both, compare outputs, backprop the same random gradient, compare every input grad."""
    pairs = [pair(a) if a is not None else (None, None) for a in arrays]
    yo = fn_ours(*[p[0] for p in pairs])
    yt = fn_theirs(*[p[1] for p in pairs])
    close(yo, yt, "output")
    assert yo.grad_fn.name() == type(yt.grad_fn).__name__, (yo.grad_fn.name(), yt.grad_fn)
    g = np.random.default_rng(seed).standard_normal(tuple(yt.shape))
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    for i, (o, t) in enumerate(pairs):
        if o is not None:
            close(o.grad, t.grad, f"gradient of {(names or {}).get(i, f'input {i}')}")


# ------------------------------------------------------------------------------ conv2d
@st.composite
def conv_cases(draw, dims=2):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin = groups * draw(st.integers(1, 2))
    cout = groups * draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    size = tuple(max(draw(st.integers(1, 9)), d * (k - 1) + 1 - 2 * p)
                 for k, d, p in zip(kernel, dilation, padding))
    n = draw(st.integers(1, 3))
    bias = draw(st.booleans())
    return dict(n=n, cin=cin, cout=cout, kernel=kernel, stride=stride, dilation=dilation,
                padding=padding, size=size, groups=groups, bias=bias,
                seed=draw(st.integers(0, 2**16)))


def _conv_arrays(c: dict) -> list:
    rng = np.random.default_rng(c["seed"])
    x = rng.standard_normal((c["n"], c["cin"], *c["size"]))
    w = rng.standard_normal((c["cout"], c["cin"] // c["groups"], *c["kernel"]))
    b = rng.standard_normal(c["cout"]) if c["bias"] else None
    return [x, w, b]


@SETTINGS
@given(c=conv_cases(2))
def test_conv2d_matches_torch(c):
    args = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"],
                groups=c["groups"])
    compare(lambda x, w, b: F.conv2d(x, w, b, **args), lambda x, w, b: TF.conv2d(x, w, b, **args),
            _conv_arrays(c), names={0: "input", 1: "weight", 2: "bias"})


@SETTINGS
@given(c=conv_cases(1))
def test_conv1d_matches_torch(c):
    args = dict(stride=c["stride"], padding=c["padding"], dilation=c["dilation"],
                groups=c["groups"])
    compare(lambda x, w, b: F.conv1d(x, w, b, **args), lambda x, w, b: TF.conv1d(x, w, b, **args),
            _conv_arrays(c), names={0: "input", 1: "weight", 2: "bias"})


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("kernel,dilation", [((2, 3), (1, 1)), ((4, 3), (2, 1)), ((1, 1), (1, 1))])
def test_conv2d_string_padding(padding, kernel, dilation):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 2, 7, 8)), rng.standard_normal((3, 2, *kernel)),
              rng.standard_normal(3)]
    compare(lambda x, w, b: F.conv2d(x, w, b, padding=padding, dilation=dilation),
            lambda x, w, b: TF.conv2d(x, w, b, padding=padding, dilation=dilation), arrays)


def test_conv2d_unbatched_input_and_float32():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 6, 6)).astype(np.float32), rng.standard_normal(
        (2, 3, 3, 3)).astype(np.float32)
    yo, yt = F.conv2d(tg.tensor(x), tg.tensor(w)), TF.conv2d(torch.tensor(x), torch.tensor(w))
    assert yo.shape == tuple(yt.shape) and yo.dtype is tg.float32
    np.testing.assert_allclose(yo.numpy(), yt.numpy(), rtol=1e-5, atol=1e-5)


def test_conv2d_only_weight_needs_grad():
    """Skips the input gradient (the images of the first layer never need one)."""
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((2, 1, 5, 5)))
    w = tg.tensor(rng.standard_normal((2, 1, 3, 3)), requires_grad=True)
    F.conv2d(x, w).sum().backward()
    expected = TF.conv2d(torch.tensor(x.numpy()), torch.tensor(w.detach().numpy()).requires_grad_())
    wt = expected.grad_fn.next_functions[1][0].variable
    expected.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), wt.grad.numpy(), **TOL)
    assert x.grad is None


@pytest.mark.parametrize("stride, dilation, groups", [((1, 1), (1, 1), 1), ((2, 1), (1, 2), 2),
                                                      ((3, 2), (2, 1), 3)])
def test_tap_by_tap_col2im_is_col2im_of_wt_g(stride, dilation, groups):
    """Convolution's backward adds W[:, :, a, b]^T G tap by tap: the same as col2im(W^T G)."""
    from tinygrad_edu.ops.conv import col2im_of_wt_g
    from tinygrad_edu.ops.windows import col2im, out_size

    rng = np.random.default_rng(1)
    n, c, o, kh, kw, padded = 2, 6, 6, 3, 2, (2, 6, 11, 9)
    out = tuple(out_size(padded[2 + i], (kh, kw)[i], stride[i], 0, dilation[i]) for i in (0, 1))
    w = rng.standard_normal((groups, o // groups, c // groups, kh, kw))
    g = rng.standard_normal((n, groups, o // groups, out[0] * out[1]))
    w_t = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)  # (G, K, O/G)
    matrix = (w_t @ g).reshape(n, -1, out[0] * out[1])  # W^T G: (N, C*KH*KW, OH*OW)
    np.testing.assert_allclose(col2im_of_wt_g(w, g, padded, out, stride, dilation),
                               col2im(matrix, padded, (kh, kw), stride, dilation), **TOL)


def test_conv_gradients_stay_float32():
    x = tg.randn(2, 4, 7, 7, requires_grad=True)
    w, b = tg.randn(6, 2, 3, 3, requires_grad=True), tg.randn(6, requires_grad=True)
    F.conv2d(x, w, b, stride=2, padding=1, groups=2).sum().backward()
    assert {x.grad.dtype, w.grad.dtype, b.grad.dtype} == {tg.float32}
    assert x.grad.array.dtype == w.grad.array.dtype == np.float32


def test_gradient_of_conv_is_a_convolution():
    """The lesson's claim: dL/dx = the output gradient, padded by k-1, convolved with the
    flipped kernel (channels swapped)."""
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((1, 2, 6, 6)), requires_grad=True)
    w = tg.tensor(rng.standard_normal((3, 2, 3, 3)))
    g = tg.tensor(rng.standard_normal((1, 3, 4, 4)))
    F.conv2d(x, w).backward(g)
    flipped = tg.tensor(w.numpy()[:, :, ::-1, ::-1].transpose(1, 0, 2, 3).copy())
    np.testing.assert_allclose(x.grad.numpy(), F.conv2d(g, flipped, padding=2).numpy(), **TOL)


@pytest.mark.parametrize("call,message", [
    (lambda: F.conv2d(tg.ones(2, 3, 10, 10), tg.ones(4, 2, 3, 3)),
     "Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 10, 10] to have 2 "
     "channels, but got 3 channels instead"),
    (lambda: F.conv2d(tg.ones(2, 3, 10, 10), tg.ones(4, 3, 11, 11)),
     "Calculated padded input size per channel: (10 x 10). Kernel size: (11 x 11)"),
    (lambda: F.conv2d(tg.ones(10, 10), tg.ones(4, 3, 3, 3)),
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [10, 10]"),
    (lambda: F.conv2d(tg.ones(1, 3, 5, 5, dtype=tg.float64), tg.ones(4, 3, 3, 3)),
     "expected scalar type Float but found Double"),
    (lambda: F.conv2d(tg.ones(1, 3, 5, 5), tg.ones(4, 3, 3, 3), stride=2, padding="same"),
     "padding='same' is not supported for strided convolutions"),
    (lambda: F.conv2d(tg.ones(1, 3, 5, 5), tg.ones(4, 3, 3, 3), stride=0),
     "non-positive stride is not supported"),
    (lambda: F.max_pool2d(tg.ones(1, 1, 5, 5), 3, padding=2),
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3"),
])
def test_conv_and_pool_errors_are_pytorchs(call, message):
    with pytest.raises(RuntimeError) as ours:
        call()
    assert message in str(ours.value)


# ------------------------------------------------------------------------------ pooling
@st.composite
def pool_cases(draw, dilation=True):
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dil = tuple(draw(st.integers(1, 2)) if dilation else 1 for _ in range(2))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    # at least one window span: no window lies entirely in the padding (PyTorch then reports
    # an out-of-range index for it; ours says -1; both output -inf)
    size = tuple(max(draw(st.integers(1, 9)), d * (k - 1) + 1) for k, d in zip(kernel, dil))
    return dict(kernel=kernel, stride=stride, dilation=dil, padding=padding,
                shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size),
                ceil_mode=draw(st.booleans()), seed=draw(st.integers(0, 2**16)),
                ties=draw(st.booleans()))


def _pool_input(c):
    rng = np.random.default_rng(c["seed"])
    if c["ties"]:  # few distinct values: the first max of a window must win, as in torch
        return rng.integers(0, 3, c["shape"]).astype(np.float64)
    return rng.standard_normal(c["shape"])


@SETTINGS
@given(c=pool_cases())
def test_max_pool2d_matches_torch(c):
    args = dict(kernel_size=c["kernel"], stride=c["stride"], padding=c["padding"],
                dilation=c["dilation"], ceil_mode=c["ceil_mode"])
    compare(lambda x: F.max_pool2d(x, **args), lambda x: TF.max_pool2d(x, **args),
            [_pool_input(c)])
    _, io = F.max_pool2d(tg.tensor(_pool_input(c)), return_indices=True, **args)
    _, it = TF.max_pool2d(torch.tensor(_pool_input(c)), return_indices=True, **args)
    np.testing.assert_array_equal(io.numpy(), it.numpy())
    assert io.dtype is tg.int64


@SETTINGS
@given(c=pool_cases(dilation=False), include=st.booleans(), override=st.sampled_from([None, 3]))
def test_avg_pool2d_matches_torch(c, include, override):
    args = dict(kernel_size=c["kernel"], stride=c["stride"], padding=c["padding"],
                ceil_mode=c["ceil_mode"], count_include_pad=include, divisor_override=override)
    compare(lambda x: F.avg_pool2d(x, **args), lambda x: TF.avg_pool2d(x, **args),
            [_pool_input(c)])


@pytest.mark.parametrize("shape,out", [((2, 3, 7, 9), (3, 4)), ((1, 2, 8, 8), 4),
                                        ((2, 5, 5), (2, None)), ((1, 1, 3, 3), (5, 5)),
                                        ((2, 2, 6, 6), 1)])
def test_adaptive_avg_pool2d_matches_torch(shape, out):
    x = np.random.default_rng(0).standard_normal(shape)
    compare(lambda a: F.adaptive_avg_pool2d(a, out), lambda a: TF.adaptive_avg_pool2d(a, out), [x])


def test_max_pool_nan_propagates_like_torch():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    compare(lambda a: F.max_pool2d(a, 2), lambda a: TF.max_pool2d(a, 2), [x])


def test_unbatched_pooling():
    x = np.random.default_rng(0).standard_normal((3, 6, 6))
    compare(lambda a: F.max_pool2d(a, 2), lambda a: TF.max_pool2d(a, 2), [x])
    compare(lambda a: F.avg_pool2d(a, 3, 2, 1), lambda a: TF.avg_pool2d(a, 3, 2, 1), [x])


# ------------------------------------------------------------------------------ pad
@pytest.mark.parametrize("pad", [(1, 2), (1, 0, 2, 3), (0, 1, 1, 0, 2, 1), (-1, 2, 1, -2)])
@pytest.mark.parametrize("value", [0.0, -2.5])
def test_constant_pad_matches_torch(pad, value):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    compare(lambda a: F.pad(a, pad, value=value), lambda a: TF.pad(a, pad, value=value), [x])


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
@pytest.mark.parametrize("shape,pad", [((2, 3, 5), (2, 3)), ((1, 2, 4, 5), (1, 3, 2, 0)),
                                       ((2, 4, 5), (3, 1, 0, 2))])
def test_reflect_replicate_pad_matches_torch(mode, shape, pad):
    x = np.random.default_rng(0).standard_normal(shape)
    compare(lambda a: F.pad(a, pad, mode=mode), lambda a: TF.pad(a, pad, mode=mode), [x])


def test_circular_pad_values_and_grads_match_torch():
    """Circular padding's node is named CircularPad2DBackward0 (PyTorch: CopySlices)."""
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 5))
    xo, xt = pair(x)
    yo, yt = F.pad(xo, (2, 1, 1, 3), mode="circular"), TF.pad(xt, (2, 1, 1, 3), mode="circular")
    close(yo, yt, "circular pad")
    assert yo.grad_fn.name() == "CircularPad2DBackward0"
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    yo.backward(tg.tensor(g))
    yt.backward(torch.tensor(g))
    close(xo.grad, xt.grad, "grad of circular pad")


# ------------------------------------------------------------------------------ GPU
CASES_GPU = [
    ("conv2d groups stride", lambda x, w: F.conv2d(x, w, stride=2, padding=1, groups=2),
     [(2, 4, 7, 7), (6, 2, 3, 3)]),
    ("conv1d dilation", lambda x, w: F.conv1d(x, w, dilation=2), [(2, 3, 9), (4, 3, 2)]),
    ("max_pool2d", lambda x: F.max_pool2d(x, 3, 2, 1), [(2, 3, 7, 7)]),
    ("avg_pool2d ceil", lambda x: F.avg_pool2d(x, 2, ceil_mode=True), [(2, 3, 7, 7)]),
    ("adaptive", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), [(2, 3, 7, 7)]),
    ("pad constant", lambda x: F.pad(x, (1, 2, 3, 0)), [(2, 3, 4, 4)]),
    ("pad reflect", lambda x: F.pad(x, (1, 2, 3, 0), mode="reflect"), [(2, 3, 4, 4)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES_GPU, ids=[c[0] for c in CASES_GPU])
def test_conv_and_pool_on_the_simulated_gpu(fake_cuda, name, fn, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    cpu = [tg.tensor(a, requires_grad=True) for a in arrays]
    gpu = [tg.tensor(a, device="cuda", requires_grad=True) for a in arrays]
    yc, yg = fn(*cpu), fn(*gpu)
    assert yg.device == tg.device("cuda", 0) and isinstance(yg.array, fake_cuda.array_types)
    np.testing.assert_allclose(yg.cpu().detach().numpy(), yc.detach().numpy(), rtol=1e-5,
                               atol=1e-5)
    yc.sum().backward()
    yg.sum().backward()
    for c, g in zip(cpu, gpu):
        assert isinstance(g.grad.array, fake_cuda.array_types), f"{name}: grad left the GPU"
        np.testing.assert_allclose(g.grad.cpu().numpy(), c.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_max_pool_backward_with_ties_and_infinite_upstream_gradients():
    """Backward finds each window's first maximum again; an inf gradient must not leak (inf*0)."""
    x = np.random.default_rng(0).integers(0, 2, (2, 2, 6, 6)).astype(np.float64)  # many ties
    g = np.random.default_rng(1).standard_normal((2, 2, 3, 3))
    g[0, 0, 1, 1], g[1, 1, 0, 2] = np.inf, -np.inf
    xo, xt = pair(x)
    F.max_pool2d(xo, 2).backward(tg.tensor(g))
    TF.max_pool2d(xt, 2).backward(torch.tensor(g))
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())
    xo, xt = pair(x)
    F.max_pool2d(xo, 3, stride=1, padding=1).backward(tg.ones(2, 2, 6, 6))  # overlapping windows
    TF.max_pool2d(xt, 3, stride=1, padding=1).backward(torch.ones(2, 2, 6, 6, dtype=torch.float64))
    np.testing.assert_array_equal(xo.grad.numpy(), xt.grad.numpy())
