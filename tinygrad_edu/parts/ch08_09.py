"""Chapters 08-09: Module's registry, a stable log-softmax, SGD, Adam, DataLoader, gradcheck."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

import tinygrad_edu as tg

from ..data import dataloader
from ..nn import module
from ..ops import softmax
from ..optim import adam, sgd
from .registry import define, tests_of
from .testing import close, current, raises

gradcheck_module = importlib.import_module("tinygrad_edu.autograd.gradcheck")  # not the function


@define("nn.Module.__setattr__", 8, [(module.Module, "__setattr__")], task="ch08.module_setattr")
def module_setattr(self: Any, name: str, value: Any) -> None:
    """``self.name = value`` on a Module: register parameters and submodules as they arrive.

    * a ``nn.Parameter``: ``self.register_parameter(name, value)``; a ``Module``:
      ``self.add_module(name, value)``. Both need ``self._parameters`` to exist: if
      ``self.__dict__`` has no ``"_parameters"`` yet, raise ``AttributeError`` saying to call
      ``super().__init__()`` first.
    * ``name`` already a parameter (in ``self._parameters``): only None may replace it
      (``self._parameters[name] = None``); anything else raises ``TypeError``. The same for a
      submodule name (``self._modules``). A buffer name (``self._buffers``) takes a Tensor or
      None (else ``TypeError``).
    * anything else: ``object.__setattr__(self, name, value)`` (not ``super()``: this function
      is not written inside the class).
    """


@define(
    "nn.Module.named_parameters",
    8,
    [(module.Module, "named_parameters")],
    task="ch08.named_parameters",
)
def named_parameters(
    self: Any, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
) -> Any:
    """Yield ``(path, parameter)`` for every parameter of the model: ``("fc1.weight", p)``.

    A generator. Walk ``self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)``
    (or only ``[(prefix, self)]`` when not ``recurse``); for each module, its
    ``_parameters`` dict in order, skipping None values; the path is the module's prefix,
    a dot, and the name (no dot when the prefix is ""). With ``remove_duplicate``, a parameter
    met twice (shared weights) is yielded once. Label each yielded parameter: if ``p.name`` is
    None, or the path is longer and ends with ``"." + p.name``, set ``p.name = path``.
    ``parameters()`` and every optimizer get their tensors from here.
    """


@define(
    "ops.LogSoftmax.forward",
    8,
    [(softmax.LogSoftmax, "forward", "staticmethod")],
    task="ch08.log_softmax",
)
def log_softmax_forward(ctx: Any, x: Any, dim: int) -> Any:
    r"""``LogSoftmax.forward(ctx, x, dim)``: $y = x - \log\sum_j e^{x_j}$ along ``dim``, stably.

    ``x``: a float array; ``dim``: a non-negative int. Subtract the max along ``dim`` first
    (``keepdims=True``) so no ``exp`` overflows: logits of 1e4 must give finite values.
    Use ``xp = tinygrad_edu.device.array_module(x)``. Store ``ctx.dim = dim`` and
    ``ctx.save_for_backward(y)``; return ``y`` (x's shape and dtype). An empty ``x`` has
    nothing to normalise (and NumPy's ``max`` refuses an empty array): ``y`` is then a copy of
    ``x``. ``cross_entropy`` is ``nll_loss(log_softmax(x))``, so this is what makes it stable.
    """


@define("optim.SGD.update", 8, [(sgd.SGD, "update")], task="ch08.sgd_update")
def sgd_update(self: Any, p: Any, grad: Any, group: dict, state: dict) -> None:
    """One SGD step for parameter ``p`` (``Optimizer.step`` calls it for each p with a grad).

    ``grad``: p's gradient array (already negated under ``maximize``); ``group``: its
    settings, ``lr``, ``momentum``, ``dampening``, ``weight_decay``, ``nesterov``; ``state``:
    a dict kept for p between steps. PyTorch's rule, changing ``p.array`` in place:
    ``g = grad + weight_decay * p`` (if decay); with momentum: the buffer
    ``state["momentum_buffer"]`` (a Tensor) starts as a copy of g, then
    ``buf = momentum * buf + (1 - dampening) * g``; ``g = g + momentum * buf`` if nesterov
    else ``buf``; finally ``p -= lr * g``.
    """


@define("optim.Adam.update", 8, [(adam.Adam, "update")], task="ch08.adam_update")
def adam_update(self: Any, p: Any, grad: Any, group: dict, state: dict) -> None:
    """One Adam step for parameter ``p``, PyTorch's algorithm, changing ``p.array`` in place.

    ``group``: ``lr``, ``betas`` (b1, b2), ``eps``, ``weight_decay``, ``amsgrad``;
    ``self.decoupled`` is True for AdamW (decay multiplies p by ``1 - lr * weight_decay``
    instead of adding ``weight_decay * p`` to grad). ``state`` starts empty: create
    ``state["step"] = 0`` and Tensors ``exp_avg``, ``exp_avg_sq`` (and ``max_exp_avg_sq`` with
    amsgrad) of zeros like p. Each call: step += 1; m = b1 m + (1 - b1) g;
    v = b2 v + (1 - b2) g^2 (amsgrad: keep the running max of v and use it);
    ``p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.
    """


@define(
    "data.DataLoader.__iter__", 8, [(dataloader.DataLoader, "__iter__")],
    task="ch08.dataloader_iter",
)
def dataloader_iter(self: Any) -> Any:
    """Iterate over ``self.dataset`` in batches: a generator of collated batches.

    ``order = self._order()`` (a shuffled permutation when ``self.shuffle``, else 0..n-1).
    ``self.batch_size`` None: yield ``self.dataset[int(i)]`` one by one. Else cut ``order`` in
    chunks of ``batch_size``; a short last chunk is dropped when ``self.drop_last``; yield
    ``self.collate_fn([self.dataset[int(i)] for i in chunk])`` for each.
    """


@define(
    "autograd.gradcheck",
    9,
    [(gradcheck_module, "gradcheck")],
    task="ch09.gradcheck",
)
def gradcheck(
    fn: Any, inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True when ``fn``'s backward agrees with finite differences for each input needing grad.

    ``inputs``: a tensor or a tuple/list of them (and other values). An input that requires
    grad must be float64, else raise ``GradcheckError`` (``gradcheck_module.GradcheckError``).
    For each such input i: run ``out = fn(*inputs)``, backward with random weights
    ``w = np.random.default_rng(0).uniform(0.5, 1.5, size=out.shape)`` (so a backward that
    ignores grad_output fails) into a fresh ``.grad``, and compare it with
    ``numerical_grad(fn, inputs, i, eps, weight=w)`` using ``np.isclose(atol, rtol)``. On a
    mismatch raise ``GradcheckError`` (a message naming input i and the element) or return
    False when not ``raise_exception``. Leave every input's ``.grad`` as it was before.
    """


# ------------------------------------------------------------------------------------ tests
class _Net(tg.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = tg.nn.Linear(3, 4)
        self.act = tg.nn.Tanh()
        self.fc2 = tg.nn.Linear(4, 2)
        self.scale = tg.nn.Parameter(tg.ones(1))
        self.note = "not a parameter"

    def forward(self, x: Any) -> Any:
        return self.fc2(self.act(self.fc1(x))) * self.scale


@tests_of("nn.Module.__setattr__")
def test_setattr_registers() -> None:
    """Assigning a Parameter or a Module to an attribute registers it, in order, so parameters()
    finds it; any other value stays a plain attribute."""
    net = _Net()
    assert list(net._parameters) == ["scale"] and list(net._modules) == ["fc1", "act", "fc2"]
    assert net.note == "not a parameter" and "note" not in net._parameters
    assert len(list(net.parameters())) == 5


@tests_of("nn.Module.__setattr__")
def test_setattr_refuses() -> None:
    """A name registered as a parameter or submodule takes only another of its kind or None (PyTorch
    raises TypeError), and registering needs the dicts that Module.__init__ creates."""
    net = _Net()
    with raises(TypeError, "scale"):
        net.scale = tg.ones(1)
    net.scale = None
    assert net._parameters["scale"] is None
    with raises(TypeError, "fc1"):
        net.fc1 = 3

    class Early(tg.nn.Module):
        def __init__(self) -> None:
            self.w = tg.nn.Parameter(tg.ones(1))

    with raises(AttributeError, "__init__"):
        Early()


@tests_of("nn.Module.__setattr__", hidden=True)
def test_setattr_buffers_and_replace() -> None:
    """A buffer name takes a Tensor or None, and a submodule may be swapped for another Module,
    whose parameters then take the old ones' place."""
    net = _Net()
    net.register_buffer("running", tg.zeros(2))
    net.running = tg.ones(2)
    close(net._buffers["running"], [1.0, 1.0])
    with raises(TypeError, "running"):
        net.running = 5
    net.fc1 = tg.nn.Linear(3, 4, bias=False)
    assert len(list(net.parameters())) == 4


@tests_of("nn.Module.named_parameters")
def test_named_parameters_paths() -> None:
    """A parameter's name is its path: module names joined by dots, a module's own parameters before
    its submodules'; recurse=False stays at the top, and prefix goes in front."""
    names = [n for n, _ in _Net().named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    names = [n for n, _ in _Net().named_parameters(prefix="model", recurse=False)]
    assert names == ["model.scale"]


@tests_of("nn.Module.named_parameters")
def test_parameters_train() -> None:
    """parameters() and every optimizer get their tensors from named_parameters: a parameter it
    misses is never trained. Each parameter is labelled with its path."""
    tg.manual_seed(0)
    net = _Net()
    opt = tg.optim.SGD(net.parameters(), lr=0.1)
    x = tg.randn(8, 3)
    first = float(net(x).pow(2).mean())
    for _ in range(5):
        opt.zero_grad()
        net(x).pow(2).mean().backward()
        opt.step()
    assert float(net(x).pow(2).mean()) < first
    assert net.fc1.weight.name == "fc1.weight"


@tests_of("nn.Module.named_parameters", hidden=True)
def test_named_parameters_shared() -> None:
    """A parameter reachable along two paths (shared weights) is one parameter: it is listed once,
    unless remove_duplicate=False asks for every path."""
    seq = tg.nn.Sequential(tg.nn.Linear(2, 2), tg.nn.ReLU())
    seq.add_module("again", seq[0])
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4


def _log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    ctx = object.__new__(softmax.LogSoftmax)
    y = current("ops.LogSoftmax.forward")(ctx, x, dim)
    assert ctx.dim == dim, "store ctx.dim"
    return y


@tests_of("ops.LogSoftmax.forward")
def test_log_softmax_values() -> None:
    """log_softmax turns each slice along dim into log-probabilities: every entry minus the log of
    the sum of exponentials of that slice only."""
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    want = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    close(_log_softmax(x, 1), want)
    close(_log_softmax(x, 0), x - np.log(np.exp(x).sum(axis=0, keepdims=True)))


@tests_of("ops.LogSoftmax.forward")
def test_cross_entropy_is_stable() -> None:
    """exp overflows for large logits (exp(1e4) is inf in any float), but log_softmax does not
    change when a whole slice is shifted by the same amount, so its true value is finite."""
    logits = tg.tensor([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]], requires_grad=True)
    loss = tg.nn.functional.cross_entropy(logits, tg.tensor([0, 2]))
    assert np.isfinite(float(loss)), "logits of 1e4 must give a finite loss"
    close(loss, 5000.0, rtol=1e-4)
    loss.backward()
    close(logits.grad, [[0.0, 0.0, 0.0], [0.0, 0.5, -0.5]], atol=1e-4)


@tests_of("ops.LogSoftmax.forward")
def test_log_softmax_of_nothing_is_nothing() -> None:
    """An empty tensor has nothing to normalise: PyTorch returns an empty result of the same shape
    rather than failing on a reduction over no elements."""
    for shape in [(0,), (0, 3), (2, 0)]:
        y = _log_softmax(np.zeros(shape), len(shape) - 1)
        assert y.shape == shape, f"log_softmax of a {shape} array gave shape {y.shape}"


@tests_of("ops.LogSoftmax.forward", hidden=True)
def test_log_softmax_float32() -> None:
    """log_softmax keeps its input's dtype, and float32 must stay finite too, though it overflows
    sooner than float64."""
    y = _log_softmax(np.array([[-1e4, 1e4]], dtype=np.float32), 1)
    assert y.dtype == np.float32
    close(y, [[-2e4, 0.0]])


@tests_of("optim.SGD.update")
def test_sgd_plain_and_momentum() -> None:
    """With momentum, SGD moves by a running velocity that its first step starts at the gradient
    itself; weight decay adds a pull toward 0 to the gradient before momentum sees it."""
    p = tg.nn.Parameter(tg.tensor([1.0, 2.0]))
    opt = tg.optim.SGD([p], lr=0.1, momentum=0.9)
    for _ in range(2):
        p.grad = tg.tensor([1.0, -1.0])
        opt.step()
    close(p, [1.0 - 0.1 - 0.19, 2.0 + 0.1 + 0.19])
    q = tg.nn.Parameter(tg.tensor([1.0]))
    opt = tg.optim.SGD([q], lr=0.5, weight_decay=0.1)
    q.grad = tg.tensor([2.0])
    opt.step()
    close(q, [1.0 - 0.5 * 2.1])


@tests_of("optim.SGD.update", hidden=True)
def test_sgd_nesterov_dampening() -> None:
    """Nesterov looks ahead, stepping by the gradient plus the momentum-scaled velocity; dampening
    shrinks each new gradient's share of the velocity, though not the first one's."""
    p = tg.nn.Parameter(tg.tensor([0.0]))
    opt = tg.optim.SGD([p], lr=1.0, momentum=0.5, nesterov=True)
    for _ in range(2):
        p.grad = tg.tensor([1.0])
        opt.step()
    close(p, [-1.5 - 1.75])
    q = tg.nn.Parameter(tg.tensor([0.0]))
    opt = tg.optim.SGD([q], lr=1.0, momentum=0.5, dampening=0.5)
    for _ in range(2):
        q.grad = tg.tensor([1.0])
        opt.step()
    close(q, [-1.0 - 1.0])


def _adam_reference(steps: int, grad: float, lr: float = 0.1, betas: tuple = (0.9, 0.999),
                    eps: float = 1e-8) -> float:
    p, m, v = 1.0, 0.0, 0.0
    for t in range(1, steps + 1):
        m = betas[0] * m + (1 - betas[0]) * grad
        v = betas[1] * v + (1 - betas[1]) * grad * grad
        p -= lr / (1 - betas[0] ** t) * m / (np.sqrt(v) / np.sqrt(1 - betas[1] ** t) + eps)
    return p


@tests_of("optim.Adam.update")
def test_adam_steps() -> None:
    """Adam keeps running averages of the gradient and of its square, corrects their bias toward 0
    in the first steps, and counts its steps per parameter."""
    p = tg.nn.Parameter(tg.tensor([1.0], dtype=tg.float64))
    opt = tg.optim.Adam([p], lr=0.1)
    for _ in range(3):
        p.grad = tg.tensor([0.5], dtype=tg.float64)
        opt.step()
    close(p, [_adam_reference(3, 0.5)])
    assert opt.state[p]["step"] == 3


@tests_of("optim.Adam.update", hidden=True)
def test_adam_decay_and_amsgrad() -> None:
    """Adam's weight_decay adds a multiple of the weight to the gradient (AdamW shrinks the weight
    itself), so even a zero gradient moves it; amsgrad uses the largest second moment so far."""
    p = tg.nn.Parameter(tg.tensor([1.0], dtype=tg.float64))
    opt = tg.optim.Adam([p], lr=0.1, weight_decay=0.5)
    p.grad = tg.tensor([0.0], dtype=tg.float64)
    opt.step()
    close(p, [1.0 - 0.1], rtol=1e-6)
    q = tg.nn.Parameter(tg.tensor([1.0], dtype=tg.float64))
    opt = tg.optim.Adam([q], lr=0.1, amsgrad=True)
    for g in (1.0, 0.1):
        q.grad = tg.tensor([g], dtype=tg.float64)
        opt.step()
    assert float(q) < 0.85


@tests_of("data.DataLoader.__iter__")
def test_dataloader_batches() -> None:
    """A DataLoader cuts the dataset into batches of batch_size, in order; the last batch may be
    shorter, unless drop_last drops it."""
    ds = tg.utils.data.TensorDataset(tg.arange(10.0), tg.arange(10))
    batches = list(tg.utils.data.DataLoader(ds, batch_size=4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    close(batches[1][0], [4.0, 5.0, 6.0, 7.0])
    assert [len(b[0]) for b in tg.utils.data.DataLoader(ds, batch_size=4, drop_last=True)] == [
        4, 4
    ]


@tests_of("data.DataLoader.__iter__")
def test_dataloader_shuffles_every_epoch() -> None:
    """With shuffle=True each pass over the loader (each epoch) draws a new order, a permutation of
    all the items."""
    tg.manual_seed(0)
    ds = tg.utils.data.TensorDataset(tg.arange(20))
    loader = tg.utils.data.DataLoader(ds, batch_size=20, shuffle=True)
    first, second = (next(iter(loader))[0].tolist() for _ in range(2))
    assert sorted(first) == list(range(20)) and first != list(range(20)) and first != second


@tests_of("data.DataLoader.__iter__", hidden=True)
def test_dataloader_no_batching_and_collate() -> None:
    """batch_size=None yields the items one by one, unbatched; otherwise each batch is the list of
    its items handed to collate_fn, which decides what a batch is."""
    ds = tg.utils.data.TensorDataset(tg.arange(3))
    items = list(tg.utils.data.DataLoader(ds, batch_size=None))
    assert [int(x[0]) for x in items] == [0, 1, 2]
    seen = []
    loader = tg.utils.data.DataLoader(ds, batch_size=2, collate_fn=lambda b: seen.append(b) or 1)
    assert list(loader) == [1, 1] and len(seen[0]) == 2


@tests_of("autograd.gradcheck")
def test_gradcheck_accepts_right_backward() -> None:
    """gradcheck compares backward's gradients with finite differences for every input that requires
    grad, and leaves each input's .grad as it found it."""
    check = current("autograd.gradcheck")
    x = tg.tensor([0.5, -1.0], dtype=tg.float64, requires_grad=True)
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=tg.float64, requires_grad=True)
    assert check(lambda a, b: (b @ a).tanh(), (x, w)) is True
    assert x.grad is None


@tests_of("autograd.gradcheck")
def test_gradcheck_catches_wrong_backward() -> None:
    """A wrong derivative must be reported (an error naming the input, or False). Finite differences
    need float64: PyTorch warns that float32 will likely fail; this gradcheck refuses."""
    check = current("autograd.gradcheck")

    class BadSquare(tg.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return x * g  # should be 2 * x * g

    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    assert check(BadSquare.apply, (x,), raise_exception=False) is False
    with raises(gradcheck_module.GradcheckError, "input 0"):
        check(BadSquare.apply, (x,))
    with raises(gradcheck_module.GradcheckError, "float64"):
        check(lambda a: a * 2, (tg.tensor([1.0], requires_grad=True),))


@tests_of("autograd.gradcheck", hidden=True)
def test_gradcheck_needs_grad_output() -> None:
    """A backward that ignores the gradient it receives can still agree when every output weighs the
    same; varied output weights expose it. Non-tensor arguments pass through untouched."""
    check = current("autograd.gradcheck")

    class IgnoresGrad(tg.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * 3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return tg.ones_like(g) * 3  # forgets grad_output

    x = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)
    assert check(IgnoresGrad.apply, x, raise_exception=False) is False
    assert check(lambda a, k: a * k, (x, 2.0)) is True
