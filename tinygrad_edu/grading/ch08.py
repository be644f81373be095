"""Chapter 08, neural networks (solutions/08_neural_networks.ipynb): layers, losses, training.

The references are the package's own ``nn.Linear`` and ``nn.functional`` losses: a learner's
version passes when it computes what PyTorch's does, values and gradients. Models and data
are made from fixed seeds inside each case, so the learner's answer and the reference see
the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np

import tinygrad_edu
from tinygrad_edu import nn
from tinygrad_edu.autograd import topological_order
from tinygrad_edu.autograd.grad_mode import no_grad
from tinygrad_edu.grading.compare import short_repr
from tinygrad_edu.grading.graph_reading import ALL_ASKED, answer, answered_keys, question
from tinygrad_edu.grading.tasks import Case, task
from tinygrad_edu.tensor import Tensor

LIMIT = 3.0  # seconds per check
TRAIN_LIMIT = 5.0  # the training task: the reference needs about 0.1 s per case


def _leaf(values: Any) -> Tensor:
    return tinygrad_edu.tensor(values, dtype=tinygrad_edu.float64, requires_grad=True)


def _need_tensor(y: Any, name: str) -> Tensor:
    if not isinstance(y, Tensor):
        raise TypeError(f"{name} must return a Tensor, got {type(y).__name__}")
    if not y.requires_grad:
        raise TypeError(
            f"{name} returned a tensor that is not in the graph (requires_grad=False): "
            "compute it with tensor operations, without .item(), .numpy() or .detach()"
        )
    return y


def _loss_case(
    name: str, make: Callable[[], tuple[Tensor, Tensor]], description: str, hidden: bool = False
) -> Case:
    """Call ``fn(input, target)``, backward; compare the loss and the input's gradient."""

    def run(fn: Callable) -> tuple[Tensor, Tensor]:
        inp, target = make()
        loss = _need_tensor(fn(inp, target), name)
        if loss.ndim != 0:
            raise ValueError(
                f"{name} must return one number (a 0-d tensor), got shape "
                f"{tuple(loss.shape)}: take the mean"
            )
        loss.backward()
        return loss.detach(), inp.grad

    concept = {
        "mse_loss": "The mean of the squared differences, over every element: one number, and "
        "its gradient divides by the element count.",
        "cross_entropy": "Cross-entropy is the mean over the batch of -log(softmax of the "
        "right class); softmax must not overflow on large logits.",
    }.get(name, "")
    return Case(run=run, hidden=hidden, description=f"{description} -> (loss, input.grad)",
                nudge=concept)


# ----------------------------------------------------------------------------- ch08.mse_loss
def _mse_loss(pred: Tensor, target: Tensor) -> Tensor:
    return nn.functional.mse_loss(pred, target)


def _pair(p: Any, t: Any) -> Callable[[], tuple[Tensor, Tensor]]:
    return lambda: (_leaf(p), tinygrad_edu.tensor(t, dtype=tinygrad_edu.float64))


@task(
    "ch08.mse_loss",
    points=1,
    reference=_mse_loss,
    time_limit=LIMIT,
    hint="The mean of the squared differences: `((pred - target) ** 2).mean()`.",
)
def mse_loss():
    yield _loss_case(
        "mse_loss",
        _pair([1.0, 2.0, 3.0], [1.0, 0.0, 5.0]),
        "mse_loss(tensor([1., 2., 3.]), tensor([1., 0., 5.]))",
    )
    yield _loss_case(
        "mse_loss",
        _pair([[0.5, -1.0], [2.0, 0.0]], [[0.0, 0.0], [1.0, 1.0]]),
        "mse_loss on (2, 2) tensors",
    )
    yield _loss_case(
        "mse_loss",
        _pair([[0.1], [0.2], [0.3]], [[0.3], [0.2], [0.1]]),
        "mse_loss on (3, 1) tensors",
        hidden=True,
    )
    yield _loss_case("mse_loss", _pair([4.0], [4.0]), "a perfect prediction", hidden=True)


# ------------------------------------------------------------------------ ch08.cross_entropy
def _cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits, target)


LOGITS = [[2.0, 1.0, 0.1], [0.5, 2.5, -1.0], [-1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]


def _scores(logits: Any, target: list[int]) -> Callable[[], tuple[Tensor, Tensor]]:
    return lambda: (_leaf(logits), tinygrad_edu.tensor(target, dtype=tinygrad_edu.int64))


@task(
    "ch08.cross_entropy",
    points=2,
    reference=_cross_entropy,
    time_limit=LIMIT,
    hint="`logp = logits.log_softmax(dim=1)`, then pick row i's entry target[i] with "
    "`logp[tinygrad_edu.arange(n), target]`, and return minus their mean. "
    "`softmax().log()` overflows for large scores; log_softmax does not.",
)
def cross_entropy():
    yield _loss_case(
        "cross_entropy",
        _scores(LOGITS, [0, 1, 2, 1]),
        "cross_entropy(logits (4, 3), target [0, 1, 2, 1])",
    )
    yield _loss_case(
        "cross_entropy",
        _scores([[1.0, -1.0]], [1]),
        "cross_entropy(tensor([[1., -1.]]), tensor([1]))",
    )
    yield _loss_case(
        "cross_entropy",
        _scores([[1000.0, 0.0], [0.0, 1000.0]], [1, 1]),
        "cross_entropy with scores of 1000: must not overflow",
    )
    yield _loss_case(
        "cross_entropy",
        _scores(np.linspace(-3, 3, 30).reshape(6, 5).tolist(), [4, 0, 3, 3, 1, 2]),
        "cross_entropy(logits (6, 5), ...)",
        hidden=True,
    )
    yield _loss_case(
        "cross_entropy",
        _scores([[-800.0, 0.0, 800.0]], [0]),
        "cross_entropy with scores of -800 and 800",
        hidden=True,
    )


# ------------------------------------------------------------------------------ ch08.Linear
W23 = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]
B2 = [0.1, -0.2]
X43 = [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5], [2.0, 2.0, 2.0], [-0.5, 0.3, 0.0]]


def _layer(cls: Any, n_in: int, n_out: int, bias: bool, weight: Any, b: Any = None) -> Any:
    layer = cls(n_in, n_out, bias=bias)
    with no_grad():
        layer.weight.copy_(tinygrad_edu.tensor(weight))
        if bias:
            layer.bias.copy_(tinygrad_edu.tensor(b))
    return layer


def _parameters(n_in: int, n_out: int, bias: bool) -> Callable[[Any], Any]:
    def run(cls: Any) -> tuple[bool, list]:
        layer = cls(n_in, n_out, bias=bias)
        names = [(name, tuple(p.shape)) for name, p in layer.named_parameters()]
        return isinstance(layer, nn.Module), names

    return run


def _forward(cls: Any) -> Tensor:
    layer = _layer(cls, 3, 2, True, W23, B2)
    return layer(tinygrad_edu.tensor(X43)).detach()


def _backward(cls: Any) -> tuple[Tensor, Tensor]:
    layer = _layer(cls, 3, 2, True, W23, B2)
    (layer(tinygrad_edu.tensor(X43)) ** 2).sum().backward()
    return layer.weight.grad, layer.bias.grad


def _no_bias(cls: Any) -> tuple[Tensor, Tensor]:
    layer = _layer(cls, 3, 1, False, [[1.0, -2.0, 0.5]])
    out = layer(tinygrad_edu.tensor(X43))
    out.sum().backward()
    return out.detach(), layer.weight.grad


def _batched(cls: Any) -> Tensor:
    layer = _layer(cls, 3, 2, True, W23, B2)
    x = tinygrad_edu.tensor(np.arange(24, dtype=np.float32).reshape(2, 4, 3) / 10)
    return layer(x).detach()


def _initialised(cls: Any) -> dict:
    """A fresh layer's numbers (the trusted side judges them with `_judge_initialised`)."""
    layer = cls(100, 50)
    return {name: getattr(layer, name).numpy_host() for name in ("weight", "bias")}


def _judge_initialised(got: Any) -> str | None:
    bound = 1 / np.sqrt(100)
    for name, shape in (("weight", (50, 100)), ("bias", (50,))):
        values = got.get(name) if isinstance(got, dict) else None
        if not isinstance(values, np.ndarray) or values.shape != shape:
            return f"{name} is not an array of shape {shape}"
        values = values.astype(np.float64)
        if not np.isfinite(values).all() or np.abs(values).max() > bound + 1e-6:
            return f"{name} has values beyond 1/sqrt(in_features) = {bound:g}"
        if values.std() < bound / 4:
            return f"{name} is not spread over U(-{bound:g}, {bound:g}): use init.uniform_"
    return None


PARAMS = ("A Module registers each nn.Parameter assigned to it: named_parameters lists "
          "weight (out_features, in_features), then bias (out_features,).")
AFFINE = ("A Linear layer maps in_features to out_features for every row of x; its weight "
          "is stored as (out_features, in_features).")


@task(
    "ch08.Linear",
    points=3,
    reference=nn.Linear,
    time_limit=LIMIT,
    hint="`super().__init__()` first; then only `nn.Parameter` attributes count as parameters. "
    "The weight is (out_features, in_features), so forward uses its transpose, `.T`.",
)
def Linear():  # noqa: N802  (the task is named after the class the learner writes)
    yield Case(
        run=_parameters(3, 2, True),
        description="Linear(3, 2): (is it an nn.Module?, named_parameters names and shapes)",
        nudge=PARAMS,
    )
    yield Case(
        run=_forward, description="Linear(3, 2) with weight and bias set: layer(x), x (4, 3)",
        nudge=AFFINE,
    )
    yield Case(
        run=_backward, description="(layer(x) ** 2).sum().backward() -> (weight.grad, bias.grad)",
        nudge="The parameters are leaves that require grad: backward fills their .grad.",
    )
    yield Case(run=_parameters(3, 1, False), description="Linear(3, 1, bias=False): parameters",
               nudge=PARAMS + " Without a bias there is no bias parameter at all.")
    yield Case(run=_no_bias, description="Linear(3, 1, bias=False): layer(x) and weight.grad",
               nudge=AFFINE)
    yield Case(
        run=_initialised,
        judge=_judge_initialised,
        hidden=True,
        description="Linear(100, 50): weight and bias drawn from U(-0.1, 0.1)",
        nudge="Initial weights are random, not equal: drawn uniformly within the range given.",
    )
    yield Case(run=_batched, hidden=True, description="layer(x) with x of shape (2, 4, 3)",
               nudge=AFFINE + " Leading dimensions are batch dimensions.")
    yield Case(run=_parameters(1, 1, True), hidden=True, description="Linear(1, 1): parameters",
               nudge=PARAMS)


# ---------------------------------------------------------------------------- ch08.sgd_step
def _sgd_step(params: Iterable[Tensor], lr: float) -> None:
    with no_grad():
        for p in params:
            if p.grad is not None:
                p -= lr * p.grad
                p.grad = None


def _step_case(
    values: list,
    grads: list,
    lr: float,
    description: str,
    as_generator: bool = False,
    hidden: bool = False,
) -> Case:
    def run(fn: Callable) -> tuple[list, list, list]:
        params = [_leaf(v) for v in values]
        for p, g in zip(params, grads, strict=True):
            if g is not None:
                p.grad = tinygrad_edu.tensor(g, dtype=tinygrad_edu.float64)
        fn((p for p in params) if as_generator else list(params), lr)
        after = [np.array(p.numpy_host()) for p in params]
        cleared = [p._grad is None or not p._grad.numpy_host().any() for p in params]
        leaves = [p.is_leaf and p.requires_grad for p in params]
        return after, cleared, leaves

    return Case(
        run=run,
        hidden=hidden,
        nudge="The model holds these very tensors: each step changes them in place, outside "
        "the graph, and leaves no old gradient behind; a parameter without a grad is skipped.",
        description=f"{description} -> (values after, grads cleared?, still leaves?)",
    )


@task(
    "ch08.sgd_step",
    points=2,
    reference=_sgd_step,
    time_limit=LIMIT,
    hint="Inside `with tinygrad_edu.no_grad():` update in place, `p -= lr * p.grad` (a new "
    "`p = p - ...` only rebinds your variable), then `p.grad = None`. Skip a p whose grad is "
    "None, and loop over params once: a generator can only be read once.",
)
def sgd_step():
    yield _step_case([[1.0, 2.0], [3.0]], [[0.5, -1.0], [2.0]], 0.1, "two parameters, lr=0.1")
    yield _step_case(
        [[1.0, 2.0], [3.0]],
        [[0.5, -1.0], None],
        0.5,
        "the second parameter has no grad (it was not used), lr=0.5",
    )
    yield _step_case(
        [[[1.0, 0.0], [0.0, 1.0]], [0.5]],
        [[[1.0, 1.0], [1.0, 1.0]], [-4.0]],
        0.25,
        "params given as a generator, like model.parameters()",
        as_generator=True,
    )
    yield _step_case([[0.0] * 5], [[1.0, -2.0, 3.0, -4.0, 5.0]], 0.01, "five numbers", hidden=True)
    yield _step_case(
        [[1.0], [2.0], [3.0]],
        [None, [1.0], None],
        1.0,
        "a generator, one grad out of three",
        as_generator=True,
        hidden=True,
    )


# ------------------------------------------------------------------------------- ch08.train
def _train(model: Any, X: Tensor, y: Tensor, epochs: int, lr: float) -> list[float]:
    F = nn.functional
    optimizer = tinygrad_edu.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def _mlp(seed: int, hidden: int = 16, classes: int = 2) -> Any:
    """A one-hidden-layer MLP, its weights drawn from NumPy (the learner's RNG stays untouched)."""
    model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, classes))
    rng = np.random.default_rng(seed)
    with no_grad():
        for p in model.parameters():
            p.copy_(tinygrad_edu.from_numpy(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32)))
    return model


def _accuracy(model: Any, X: Tensor, y: Tensor) -> float:
    with no_grad():
        return float((model(X).argmax(1).numpy_host() == y.numpy_host()).mean())


def _training(data: str, epochs: int, lr: float, need: float, need_test: float) -> Case:
    """The learner's side trains and sends back the losses and the trained weights; the
    trusted side puts the weights in its own model and measures the accuracy itself."""
    make = getattr(tinygrad_edu.data, f"make_{data}")

    def run(fn: Callable) -> dict:
        X, y = make(200, seed=0)
        model = _mlp(seed=3)
        losses = fn(model, X, y, epochs=epochs, lr=lr)
        return {"losses": losses, "weights": [p.numpy_host() for p in model.parameters()]}

    def judge(got: Any) -> str | None:
        losses = got.get("losses") if isinstance(got, dict) else None
        if not isinstance(losses, list) or len(losses) != epochs:
            got = short_repr(losses, 80)
            return f"train must return a list of {epochs} losses, one per epoch; got {got}"
        if not all(type(v) is float for v in losses):
            bad = next(v for v in losses if type(v) is not float)
            kind = getattr(bad, "type", type(bad).__name__)
            return (
                f"the losses must be Python floats (loss.item()), got {kind}: "
                "a tensor keeps its whole graph alive"
            )
        if not losses[-1] < losses[0]:
            return f"the loss did not go down: first {losses[0]:.4f}, last {losses[-1]:.4f}"
        model = _mlp(seed=3)
        weights = got.get("weights")
        params = list(model.parameters())
        if not isinstance(weights, list) or len(weights) != len(params):
            return "the model's parameters are not those it was given"
        with no_grad():
            for p, w in zip(params, weights, strict=True):
                if not isinstance(w, np.ndarray) or w.shape != tuple(p.shape):
                    return "the model's parameters changed shape"
                p.copy_(tinygrad_edu.from_numpy(w.astype(np.float32)))
        X, y = make(200, seed=0)
        X_test, y_test = make(200, seed=1)
        accuracy, test_accuracy = _accuracy(model, X, y), _accuracy(model, X_test, y_test)
        if accuracy < need:
            return f"training accuracy {accuracy:.3f} after {epochs} epochs; need at least {need}"
        if test_accuracy < need_test:
            return f"accuracy on new points {test_accuracy:.3f}; need at least {need_test}"
        return None

    text = f"train(model, *make_{data}(200), epochs={epochs}, lr={lr:g})"
    return Case(
        run=run,
        judge=judge,
        description=f"{text}: accuracy >= {need}, on new points >= {need_test}",
        nudge="Each step needs the gradient of this step's loss alone, from one optimizer made "
        "once; the losses you return are plain floats, one per epoch.",
    )


@task(
    "ch08.train",
    points=4,
    reference=_train,
    time_limit=TRAIN_LIMIT,
    hint="Make the optimizer once, before the loop. Each epoch: zero_grad, forward, "
    "cross-entropy, backward, step, and keep `loss.item()` (a float, not the tensor).",
)
def train():
    yield _training("moons", 300, 0.5, 0.95, 0.9)
    yield replace(_training("circles", 300, 0.5, 0.95, 0.9), hidden=True)
    yield replace(_training("moons", 150, 1.0, 0.9, 0.85), hidden=True)


# --- reading a graph ---------------------------------------------------------------------------
def _graph_answers() -> dict:
    tinygrad_edu.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    labels = tinygrad_edu.tensor([0, 1, 2, 0, 1])
    loss = nn.CrossEntropyLoss()(model(tinygrad_edu.randn(5, 2)), labels)
    names = [n.name() for n in topological_order([loss]) if n.name() != "AccumulateGrad"]
    return {"linear_nodes": names.count("AddmmBackward0"), "loss_nodes": names[:2]}


@task(
    "ch08.read_graph",
    points=1,
    reference=_graph_answers,
    time_limit=LIMIT,
    hint="Each nn.Linear records one AddmmBackward0. Cross-entropy is a log-softmax followed by "
    "a negative log-likelihood: look at the two nodes next to the output.",
)
def read_graph():
    yield Case(
        run=answer("linear_nodes"),
        nudge="A Linear layer is one matrix product plus a bias, recorded as a single node.",
        description=question(
            "linear_nodes",
            "how many AddmmBackward0 nodes (one per Linear layer) the graph holds",
        ),
    )
    yield Case(
        run=answer("loss_nodes"),
        nudge="Cross-entropy is made of two steps; read the two nodes nearest the loss.",
        description=question(
            "loss_nodes",
            "the two operations nearest the loss, that cross-entropy recorded (a list)",
        ),
    )
    yield Case(run=answered_keys, hidden=True, description=ALL_ASKED)
