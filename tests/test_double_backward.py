"""Double backward of every differentiable op, against PyTorch, in float64.

For each op the table below holds a small program ``f(lib, *xs)`` written once against the
torch API. For both libraries we build ``y = f(x)``, take first gradients with
``create_graph=True`` of two losses (``sum(w * y)``, which isolates the op's own second
derivative, and ``sum(w * y * y)``), then differentiate them again: the gradient of
``sum(grad)`` and a Hessian-vector product ``grad(sum(grad * v))``. Everything must match
PyTorch to 1e-9.

The table is checked against the op registry (every ``Function`` subclass with
``array_io = True``): a new op without a double-backward case fails
``test_every_op_has_a_double_backward_case``, and each case must really put its op in the graph.
"""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import tinygrad_edu as tg
from tests.parity import same
from tinygrad_edu.autograd.function import Function

X = np.array([[0.7, 1.3, 0.2], [1.1, 0.4, 1.9]])  # positive, distinct, no ties
Y = np.array([[0.9, 1.3, 1.5], [0.3, 0.6, 1.2]])
P = np.array([[0.2, 0.7, 0.4], [0.9, 0.35, 0.6]])  # probabilities
R = np.array([[-0.7, 1.3, 0.25], [1.1, -0.45, 1.9]])  # mixed signs
# (N, C, H, W) images with distinct pixels (max pooling has no ties), and a (O, C, KH, KW) weight
IMG = 1.3 * np.cos(np.arange(100)).reshape(2, 2, 5, 5) + np.arange(100).reshape(2, 2, 5, 5) / 1000
W3 = np.sin(np.arange(3 * 2 * 3 * 3) + 0.5).reshape(3, 2, 3, 3)


def _idx(lib, values):
    return lib.tensor(values, dtype=lib.int64)


def _c(lib, values):  # a float64 constant
    return lib.tensor(values, dtype=lib.float64)


def _F(lib):  # noqa: N802
    return lib.nn.functional


def _setitem(lib, x, z):
    y = x * 1.0
    y[0, 1:] = z[0, :2] * 2
    return y


def _inplace_on_view(lib, x, z, read_view: bool):
    y = x * 1.0
    v = y[0]
    v.mul_(z[0])  # the base y gets a CopySlices node, the view v an AsStrided one
    return v * y[1] if read_view else y


def _median_all(lib, x):
    return x.median()


# name -> (program, inputs). Inputs are float64 arrays that become leaves requiring grad.
CASES: dict = {
    # elementwise arithmetic
    "Add": (lambda lib, a, b: a + b, (X, Y)),
    "Sub": (lambda lib, a, b: a - b, (X, Y)),
    "Mul": (lambda lib, a, b: a * b, (X, Y)),
    "Div": (lambda lib, a, b: a / b, (X, Y)),
    "Neg": (lambda lib, a: -a, (X,)),
    "Pow": (lambda lib, a, b: a**b, (X, Y)),
    "Abs": (lambda lib, a: a.abs(), (R,)),
    "Exp": (lambda lib, a: a.exp(), (X,)),
    "Log": (lambda lib, a: a.log(), (X,)),
    "Relu": (lambda lib, a: a.relu(), (R,)),
    "Sigmoid": (lambda lib, a: a.sigmoid(), (R,)),
    "Sqrt": (lambda lib, a: a.sqrt(), (X,)),
    "Tanh": (lambda lib, a: a.tanh(), (R,)),
    "Sin": (lambda lib, a: a.sin(), (R,)),
    "Cos": (lambda lib, a: a.cos(), (R,)),
    "Tan": (lambda lib, a: a.tan(), (R,)),
    "Erf": (lambda lib, a: a.erf(), (R,)),
    "Expm1": (lambda lib, a: a.expm1(), (R,)),
    "Log1p": (lambda lib, a: a.log1p(), (X,)),
    "Reciprocal": (lambda lib, a: a.reciprocal(), (X,)),
    "Rsqrt": (lambda lib, a: a.rsqrt(), (X,)),
    "Floor": (lambda lib, a: a.floor() * a, (R,)),
    "Ceil": (lambda lib, a: a.ceil() * a, (R,)),
    "Trunc": (lambda lib, a: a.trunc() * a, (R,)),
    "Sign": (lambda lib, a: a.sign() * a, (R,)),
    "Round": (lambda lib, a: a.round() * a, (R,)),
    "Remainder": (lambda lib, a, b: a.remainder(b) * a, (X * 3, Y)),
    "Fmod": (lambda lib, a, b: a.fmod(b) * a, (X * 3, Y)),
    "RoundedDiv": (lambda lib, a, b: a.div(b, rounding_mode="floor") * a + a, (X * 3, Y)),
    "Lerp": (lambda lib, a, b: lib.lerp(a, b, a * 0.5) * a, (X, Y)),
    "NanToNum": (lambda lib, a: (a / (a - a[0, 0])).nan_to_num() * a, (X,)),
    "ScaledAddmm": (lambda lib, a, b: lib.addmm(a[0, :2], a, b.t(), beta=0.5, alpha=2), (X, Y)),
    "FloorDivide": (lambda lib, a, b: a.floor_divide(b) * a + b, (X * 3, Y)),
    # comparisons and selections
    "Clamp": (lambda lib, a: a.clamp(-0.5, 1.2), (R,)),
    "Maximum": (lambda lib, a, b: lib.maximum(a, b), (X, Y)),
    "Minimum": (lambda lib, a, b: lib.minimum(a, b), (X, Y)),
    "Where": (lambda lib, a, b: lib.where(a > b, a * a, b), (X, Y)),
    # conversion, copies
    "Clone": (lambda lib, a: a.clone(), (X,)),
    "ToCopy": (lambda lib, a: a.to(lib.float32).to(lib.float64), (X,)),
    "CopySlices": (lambda lib, a, b: _inplace_on_view(lib, a, b, False), (X, Y)),
    "AsStrided": (lambda lib, a, b: _inplace_on_view(lib, a, b, True), (X, Y)),
    # cumulative, gather/scatter, indexing
    "Cumsum": (lambda lib, a: a.cumsum(1), (X,)),
    "Cumprod": (lambda lib, a: a.cumprod(1), (X,)),
    "Gather": (lambda lib, a: a.gather(1, _idx(lib, [[2, 0], [1, 1]])), (X,)),
    "IndexSelect": (lambda lib, a: a.index_select(1, _idx(lib, [2, 0, 2])), (X,)),
    "MaskedFill": (lambda lib, a: a.masked_fill(a > 1.0, 0.5), (X,)),
    "MaskedSelect": (lambda lib, a: a.masked_select(a > 0.5), (X,)),
    "Scatter": (lambda lib, a, b: a.scatter(1, _idx(lib, [[2, 0], [1, 0]]), b[:, :2]), (X, Y)),
    "ScatterAdd": (lambda lib, a, b: a.scatter_add(1, _idx(lib, [[2, 2], [1, 0]]), b[:, :2]),
                   (X, Y)),
    "Index": (lambda lib, a: a[_idx(lib, [1, 0, 1])], (X,)),
    "IndexPut": (_setitem, (X, Y)),
    # joining and splitting
    "Cat": (lambda lib, a, b: lib.cat([a, b], 1), (X, Y)),
    "Stack": (lambda lib, a, b: lib.stack([a, b], 0), (X, Y)),
    "Split": (lambda lib, a: a.split(2, 1)[0], (X,)),
    "SplitWithSizes": (lambda lib, a: a.split([1, 2], 1)[1], (X,)),
    "Unbind": (lambda lib, a: a.unbind(0)[1], (X,)),
    # linear algebra
    "MatMul": (lambda lib, a, b: a @ b.T, (X, Y)),
    "Bmm": (lambda lib, a, b: lib.bmm(a.reshape(2, 1, 3), b.reshape(2, 3, 1)), (X, Y)),
    "Addmm": (lambda lib, a, b: _F(lib).linear(a, b, a[0, :2]), (X, Y)),
    # shapes
    "Expand": (lambda lib, a: a[:, :1].expand(2, 4), (X,)),
    "Permute": (lambda lib, a: a.reshape(1, 2, 3).permute(2, 0, 1), (X,)),
    "Squeeze": (lambda lib, a: a[:1].squeeze(0), (X,)),
    "Unsqueeze": (lambda lib, a: a.unsqueeze(1), (X,)),
    "T": (lambda lib, a: a.t(), (X,)),
    "Transpose": (lambda lib, a: a.transpose(0, 1), (X,)),
    "View": (lambda lib, a: a.view(3, 2), (X,)),
    "UnsafeView": (lambda lib, a, b: a.reshape(1, 2, 3) @ b.T, (X, Y)),
    "ReshapeAlias": (lambda lib, a: a.t().reshape(3, 1, 2), (X,)),
    # rearranging
    "DiagEmbed": (lambda lib, a: lib.diag(a[0], 1), (X,)),
    "Diagonal": (lambda lib, a: lib.diag(a, 1), (X,)),
    "Flip": (lambda lib, a: a.flip(1), (X,)),
    "Repeat": (lambda lib, a: a.repeat(2, 1), (X,)),
    "Roll": (lambda lib, a: a.roll(1, 1), (X,)),
    "Tril": (lambda lib, a: a.tril(), (X,)),
    "Triu": (lambda lib, a: a.triu(), (X,)),
    # reductions
    "Sum": (lambda lib, a: a.sum(1), (X,)),
    "Mean": (lambda lib, a: a.mean(0), (X,)),
    "Prod": (lambda lib, a: a.prod(1), (X,)),
    "Max": (lambda lib, a: a.max(1).values, (X,)),
    "Min": (lambda lib, a: a.min(1).values, (X,)),
    "Amax": (lambda lib, a: a.amax(1), (X,)),
    "Amin": (lambda lib, a: a.amin(1), (X,)),
    "Logsumexp": (lambda lib, a: a.logsumexp(1), (X,)),
    "Softmax": (lambda lib, a: a.softmax(1), (X,)),
    "LogSoftmax": (lambda lib, a: a.log_softmax(1), (X,)),
    "Norm": (lambda lib, a: a.norm(dim=1), (R,)),
    "Std": (lambda lib, a: a.std(1), (X,)),
    "Var": (lambda lib, a: a.var(1), (X,)),
    # sorting
    "Sort": (lambda lib, a: a.sort(1).values, (X,)),
    "Topk": (lambda lib, a: a.topk(2, 1).values, (X,)),
    "Median": (lambda lib, a: a.median(1).values, (X,)),
    "MedianAll": (_median_all, (X,)),
    # nn: activations
    "Elu": (lambda lib, a: _F(lib).elu(a), (R,)),
    "Gelu": (lambda lib, a: _F(lib).gelu(a), (R,)),
    "LeakyRelu": (lambda lib, a: _F(lib).leaky_relu(a, 0.1), (R,)),
    "Silu": (lambda lib, a: _F(lib).silu(a), (R,)),
    "Softplus": (lambda lib, a: _F(lib).softplus(a), (R,)),
    # nn: losses
    "BinaryCrossEntropy": (lambda lib, p, t: _F(lib).binary_cross_entropy(p, t), (P, P[::-1])),
    "BinaryCrossEntropyWithLogits": (
        lambda lib, z, t: _F(lib).binary_cross_entropy_with_logits(z, t), (R, P)),
    "SmoothL1Loss": (lambda lib, a, b: _F(lib).smooth_l1_loss(a, b * 1.5), (X, Y)),
    "HuberLoss": (lambda lib, a, b: _F(lib).huber_loss(a, b * 1.5, delta=0.7), (X, Y)),
    "Hardtanh": (lambda lib, a: _F(lib).hardtanh(a * 2 - 1.5) * a, (X,)),
    "Mish": (lambda lib, a: _F(lib).mish(a * 2 - 1), (X,)),
    "Xlogy": (lambda lib, a, b: lib.xlogy(a, b) * a, (X, Y)),
    "DiagonalView": (lambda lib, a: (a.reshape(3, 2) @ a).diagonal(1) ** 2, (X,)),
    "Atan2": (lambda lib, a, b: lib.atan2(a, b - 1) * a, (X, Y)),
    "Hypot": (lambda lib, a, b: lib.hypot(a, b) * a, (X, Y)),
    "Fill": (lambda lib, a: ((a * 1).fill_(2.0) + a) * a, (X,)),
    "Zero": (lambda lib, a: ((a * 1).zero_() + a) * a, (X,)),
    "Unfold": (lambda lib, a: (a * a).unfold(1, 2, 1) ** 2, (X,)),
    "MseLoss": (lambda lib, a, b: _F(lib).mse_loss(a, b), (X, Y)),
    "NllLoss": (lambda lib, a: _F(lib).nll_loss(a.log_softmax(1), _idx(lib, [2, 0])), (X,)),
    # nn: normalisation, embedding
    "NativeBatchNorm": (lambda lib, a, w: _F(lib).batch_norm(
        a.reshape(3, 2), None, None, w[0, :2], w[1, :2], training=True), (R, Y)),
    "NativeLayerNorm": (lambda lib, a, w: _F(lib).layer_norm(a, (3,), w[0], w[1]), (R, Y)),
    "EmbeddingFunction": (lambda lib, a: _F(lib).embedding(_idx(lib, [[1, 0], [1, 1]]), a), (X,)),
    # nn: convolution, pooling, padding
    "Convolution": (lambda lib, a, w: _F(lib).conv2d(a, w, padding=1, stride=(1, 2)),
                    (IMG, W3)),
    "Convolution/groups-1d": (lambda lib, a, w: _F(lib).conv1d(
        a.reshape(2, 4, 10), w[:2, :, 0], stride=2, padding=2, dilation=2, groups=2),
        (IMG[:, :, :4], W3)),
    "Convolution/bias": (lambda lib, a, w, b: _F(lib).conv2d(a, w, b[:3, 0, 0, 0], padding=(2, 0),
                                                             dilation=(1, 2)), (IMG, W3, W3)),
    "AvgPool2D": (lambda lib, a: _F(lib).avg_pool2d(a, 2, 1), (IMG,)),
    "AdaptiveAvgPool2D": (lambda lib, a: _F(lib).adaptive_avg_pool2d(a, (2, 3)), (IMG,)),
    "MaxPool2DWithIndices": (lambda lib, a: _F(lib).max_pool2d(a, 2, 1), (IMG,)),
    "ConstantPadNd": (lambda lib, a: _F(lib).pad(a, (1, 2, 0, 1), value=0.5), (X,)),
    "IndexPad": (lambda lib, a: _F(lib).pad(a.reshape(1, 2, 3), (2, 1), mode="reflect"), (X,)),
}

# More branches of some ops' backward: "Op/variant" (the part before "/" names the op).
VARIANTS: dict = {
    "Prod/all": (lambda lib, a: a.prod(), (X,)),
    "Prod/keepdim": (lambda lib, a: a.prod(0, keepdim=True), (X,)),
    "Cumprod/zero": (lambda lib, a: (a * _c(lib, [[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])).cumprod(1),
                     (X,)),
    "Gelu/tanh": (lambda lib, a: _F(lib).gelu(a, approximate="tanh"), (R,)),
    "Softplus/beta": (lambda lib, a: _F(lib).softplus(a, beta=2.0, threshold=1.5), (R,)),
    "NativeBatchNorm/eval": (lambda lib, a, w: _F(lib).batch_norm(
        a.reshape(3, 2), _c(lib, [0.1, -0.2]), _c(lib, [0.5, 2.0]), w[0, :2], w[1, :2],
        training=False), (R, Y)),
    "NativeBatchNorm/4d": (lambda lib, a: _F(lib).batch_norm(
        a[:, :1, :3], None, None, training=True), (IMG,)),
    "NativeLayerNorm/plain": (lambda lib, a: _F(lib).layer_norm(a, (2, 3)), (R,)),
    "BinaryCrossEntropy/weight-sum": (lambda lib, p, t: _F(lib).binary_cross_entropy(
        p, t, weight=_c(lib, [1.0, 2.0, 0.5]), reduction="sum"), (P, P[::-1])),
    "BinaryCrossEntropyWithLogits/pos_weight": (
        lambda lib, z, t: _F(lib).binary_cross_entropy_with_logits(
            z, t, pos_weight=_c(lib, [1.0, 2.0, 0.5])), (R, P)),
    "SmoothL1Loss/none": (lambda lib, a, b: _F(lib).smooth_l1_loss(a, b * 1.5, reduction="none",
                                                                   beta=0.5), (X, Y)),
    "Max/all": (lambda lib, a: a.max(), (X,)),
    "Amax/ties": (lambda lib, a: a.amax(1), (np.array([[1.0, 2.0, 2.0], [0.5, 0.5, 0.1]]),)),
    "Min/keepdim": (lambda lib, a: a.min(0, keepdim=True).values, (X,)),
    "Norm/p1": (lambda lib, a: a.norm(p=1, dim=0), (R,)),
    "Norm/inf": (lambda lib, a: a.norm(p=float("inf"), dim=1), (R,)),
    "Norm/p3-all": (lambda lib, a: a.norm(p=3), (R,)),
    "Var/all": (lambda lib, a: a.var(), (X,)),
    "Std/correction0": (lambda lib, a: a.std(0, correction=0, keepdim=True), (X,)),
    "Logsumexp/all": (lambda lib, a: a.logsumexp((0, 1)), (X,)),
    "Pow/number": (lambda lib, a: a**2.5, (X,)),
    "Pow/base": (lambda lib, a: 2.0**a, (X,)),
    "Div/number": (lambda lib, a: a / 3.0, (X,)),
    "Reciprocal/rdiv": (lambda lib, a: 3.0 / a, (X,)),
    "Clamp/tensor": (lambda lib, a, b: a.clamp(min=b * 0.8, max=b * 1.2), (X, Y)),
    "Where/scalar": (lambda lib, a: lib.where(a > 1.0, a, 0.0), (X,)),
    "Sort/descending": (lambda lib, a: a.sort(0, descending=True).values, (X,)),
    "Topk/smallest": (lambda lib, a: a.topk(2, 1, largest=False).values, (X,)),
    "Roll/flat": (lambda lib, a: a.roll(2), (X,)),
    "Flip/both": (lambda lib, a: a.flip((0, 1)) * a, (X,)),
    "Cumsum/reverse-dim": (lambda lib, a: a.cumsum(0) * a, (X,)),
    "Softmax/dim0": (lambda lib, a: a.softmax(0), (R,)),
    "NllLoss/weight-sum": (lambda lib, a: _F(lib).nll_loss(
        a.log_softmax(1), _idx(lib, [2, 0]), weight=_c(lib, [1.0, 2.0, 0.5]), reduction="sum"),
        (X,)),
    "MseLoss/none": (lambda lib, a, b: _F(lib).mse_loss(a, b, reduction="none"), (X, Y)),
    "Elu/alpha": (lambda lib, a: _F(lib).elu(a, alpha=0.5), (R,)),
    "Median/ties": (lambda lib, a: a.median(1).values, (np.array([[1.0, 2.0, 1.0, 2.0]]),)),
    "MaxPool2DWithIndices/ties": (lambda lib, a: _F(lib).max_pool2d(a.round(), 2, 1), (IMG,)),
    "IndexPad/replicate": (lambda lib, a: _F(lib).pad(a.reshape(1, 2, 3), (2, 1),
                                                      mode="replicate"), (X,)),
}
CASES.update(VARIANTS)

# With a linear loss the bias's first gradient is sum(G), a constant; PyTorch's convolution
# backward still marks it as requiring grad. Only the flag differs, so these run the square loss.
SQUARE_ONLY = {"Convolution/bias"}

# These backward passes use derived values that forward saved (conv: the im2col columns of x)
# and do not follow the double-backward contract yet: create_graph=True raises a clear error.
REFUSED: dict = {}  # none left; e.g. {"Convolution": "ConvolutionBackward0 does not support ..."}

# Not applied by any public function: an abstract base (``_Step``: Floor, Ceil... are cases), and
# MaskedDependence, the node a create_graph backward adds so that a gradient that depends on an
# input only through a mask (relu, sign) still requires grad; its derivative is 0 by definition,
# and the Relu/Sign/Abs cases run through it.
NOT_APPLIED = {"_Step", "MaskedDependence"}


def _registry() -> set:
    """Every built-in op: the array_io Function subclasses defined anywhere in ops/ or nn/."""
    for package in (tg.ops, tg.nn):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    seen: set = set()
    stack = [Function]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub.__dict__.get("_is_node") or sub in seen:
                continue
            seen.add(sub)
            stack.append(sub)
    return {c.__name__ for c in seen if c.array_io}


def _second_order(lib, name: str, square: bool):
    program, inputs = CASES[name]
    xs = [lib.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in inputs]
    y = program(lib, *xs)
    w = lib.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)))
    loss = (y * y * w).sum() if square else (y * w).sum()
    grads = lib.autograd.grad(loss, xs, create_graph=True)
    vs = [lib.tensor(np.cos(np.arange(np.size(a)) + 1.0).reshape(np.shape(a))) for a in inputs]
    hvp = lib.autograd.grad(sum((g * v).sum() for g, v in zip(grads, vs)), xs,
                            allow_unused=True, retain_graph=True)
    of_sum = lib.autograd.grad(sum(g.sum() for g in grads), xs, allow_unused=True)
    fill = [lib.zeros_like(x) if s is None else s for s, x in zip(hvp + of_sum, xs + xs)]
    return y, grads, fill


def _ops_in_graph(y) -> set:
    names, stack, seen = set(), [y.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.add(getattr(type(node), "_op_name", type(node).__name__))
        stack.extend(n for n in getattr(node, "next_nodes", ()) if n is not None)
    return names


def test_every_op_has_a_double_backward_case() -> None:
    missing = _registry() - set(CASES) - NOT_APPLIED
    assert not missing, f"ops without a double-backward case in CASES: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_exercises_its_op(name: str) -> None:
    program, inputs = CASES[name]
    xs = [tg.tensor(np.array(a), requires_grad=True) for a in inputs]
    op = name.split("/")[0]
    assert op in _ops_in_graph(program(tg, *xs)), f"the case for {name} never applies {op}"


@pytest.mark.parametrize("square", [False, True], ids=["linear", "square"])
@pytest.mark.parametrize("name", sorted(set(CASES) - set(REFUSED)))
def test_double_backward_matches_torch(name: str, square: bool) -> None:
    if name in SQUARE_ONLY and not square:
        pytest.skip("the flag differs, see SQUARE_ONLY")
    same(lambda lib: _second_order(lib, name, square), rtol=1e-9, atol=1e-10, check_names=False,
         what=f"double backward of {name}")


def test_an_op_that_opts_out_refuses_create_graph_clearly() -> None:
    """``create_graph = False`` on an op (one whose backward breaks the contract): the ordinary
    backward works, ``create_graph=True`` names the node instead of a silent wrong answer."""

    class Cube(Function):
        array_io = True
        create_graph = False

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x * x)  # a derived value: against the contract
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (square,) = ctx.saved_tensors
            return grad * 3 * square

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (first,) = tg.autograd.grad(Cube.apply(x).sum(), x)
    np.testing.assert_allclose(first.numpy(), [3.0, 12.0])
    with pytest.raises(RuntimeError, match="CubeBackward0 does not support create_graph=True yet"):
        tg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    for name, message in REFUSED.items():
        program, inputs = CASES[name]
        xs = [tg.tensor(np.array(a), requires_grad=True) for a in inputs]
        with pytest.raises(RuntimeError, match=message):
            tg.autograd.grad((program(tg, *xs) ** 2).sum(), xs, create_graph=True)


def _numeric_hvp(name: str, eps: float = 1e-6) -> list:
    """Central differences of the first gradient along v: (g(x + eps v) - g(x - eps v)) / 2eps."""
    program, inputs = CASES[name]
    vs = [np.cos(np.arange(np.size(a)) + 1.0).reshape(np.shape(a)) for a in inputs]

    def first(sign: float) -> list:
        xs = [tg.tensor(np.array(a, dtype=np.float64) + sign * eps * v, requires_grad=True)
              for a, v in zip(inputs, vs)]
        y = program(tg, *xs)
        w = tg.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)))
        return [g.numpy() for g in tg.autograd.grad((y * y * w).sum(), xs)]

    return [(p - m) / (2 * eps) for p, m in zip(first(1.0), first(-1.0))]


@pytest.mark.parametrize("name", ["Convolution", "Prod", "Cumprod/zero", "NativeLayerNorm",
                                  "NativeBatchNorm", "Gelu", "BinaryCrossEntropy", "Logsumexp",
                                  "Norm"])
def test_hessian_vector_product_matches_finite_differences(name: str) -> None:
    """gradcheck-style: the create_graph Hessian-vector product against central differences of
    the (independently tested) first gradient."""
    _, _, second = _second_order(tg, name, square=True)
    hvp = second[: len(second) // 2]
    for ours, numeric in zip(hvp, _numeric_hvp(name)):
        np.testing.assert_allclose(ours.numpy(), numeric, rtol=1e-5, atol=1e-6,
                                   err_msg=f"Hessian-vector product of {name}")


@pytest.mark.parametrize("name", ["Convolution", "NativeLayerNorm", "Silu"])
def test_ops_that_recompute_still_refuse_a_freed_graph(name: str) -> None:
    """conv (backward_on_tensors) and norms/silu (saved_from_inputs) recompute from the inputs;
    a graph freed by a first backward must still refuse a second one, as in PyTorch."""

    def program(lib):
        program_, inputs = CASES[name]
        xs = [lib.tensor(np.array(a), requires_grad=True) for a in inputs]
        loss = (program_(lib, *xs) ** 2).sum()
        lib.autograd.grad(loss, xs)
        return lib.autograd.grad(loss, xs, create_graph=True)

    same(program, what=f"{name} after its graph was freed")
