"""Plain-data outputs of the parts on seeded random inputs (hidden grading cases).

Each function returns numbers, nested lists and strings computed with whatever parts are
installed. The grader runs it with the learner's part installed (in the learner's process) and
with the reference (in its own), and compares the two results: no assert in the learner's
process decides these cases.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinygrad_edu as tg

from . import ch04  # noqa: F401  (the engine's parts must exist before outputs_of names them)
from .registry import outputs_of
from .testing import current, random_program

ENGINE = ("autograd.record_node", "autograd.topological_order", "autograd.run_backward",
          "autograd.accumulate_grad", "ops.Mul.backward", "ops.Div.backward", "ops.Pow.backward",
          "ops.Exp.backward", "ops.Tanh.backward", "ops.Sum.backward", "ops.MatMul.backward")


def _error_or(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except NotImplementedError:  # an unwritten part: "not attempted", not a wrong answer
        raise
    except Exception as exc:
        return type(exc).__name__


@outputs_of(*ENGINE)
def gradients_of_random_programs() -> list:
    """Each leaf's gradient (or None) after backward through 6 random programs."""
    result = []
    for seed in range(200, 206):
        leaves, out = random_program(seed)
        out.backward()
        result.append([None if t.grad is None else t.grad.numpy().round(9).tolist()
                       for t in leaves])
    return result


@outputs_of("autograd.unbroadcast")
def unbroadcast_random_shapes() -> list:
    rng = np.random.default_rng(5)
    result = []
    for _ in range(20):
        shape = tuple(int(n) for n in rng.integers(1, 4, size=rng.integers(0, 4)))
        big = tuple(int(n) for n in rng.integers(1, 4, size=rng.integers(0, 2))) + tuple(
            int(rng.integers(2, 4)) if n == 1 and rng.random() < 0.5 else n for n in shape)
        grad = rng.normal(size=big)
        result.append(np.asarray(current("autograd.unbroadcast")(grad, shape)).round(9).tolist())
    return result


@outputs_of("shapes.broadcast_shapes")
def broadcast_random_shapes() -> list:
    rng = np.random.default_rng(6)
    calls = [[tuple(int(n) for n in rng.integers(1, 4, size=rng.integers(0, 4)))
              for _ in range(rng.integers(1, 4))] for _ in range(30)]
    fn = current("shapes.broadcast_shapes")
    return [str(_error_or(lambda s=s: tuple(fn(*s)))) for s in calls]


@outputs_of("shapes.infer_shape")
def reshape_random_shapes() -> list:
    rng = np.random.default_rng(7)
    fn = current("shapes.infer_shape")
    result = []
    for _ in range(30):
        shape = tuple(int(n) for n in rng.integers(-1, 5, size=rng.integers(1, 4)))
        result.append(str(_error_or(lambda s=shape: tuple(fn(s, 12, (12,))))))
    return result


@outputs_of("dtypes.infer_dtype")
def dtypes_of_random_lists() -> list:
    rng = np.random.default_rng(8)
    pick = [True, False, 0, 3, -2, 1.5, 0.0]
    fn = current("dtypes.infer_dtype")
    result = []
    for _ in range(30):
        flat = [pick[int(i)] for i in rng.integers(0, len(pick), size=rng.integers(0, 5))]
        data = [flat[:2], flat[2:4]] if len(flat) >= 4 else flat
        result.append(str(fn(data)))
    return result


@outputs_of("ops.Sum.forward", "ops.LogSoftmax.forward")
def sums_and_log_softmax() -> list:
    rng = np.random.default_rng(9)
    x = tg.tensor(rng.normal(size=(2, 3, 4)) * 50, dtype=tg.float64)
    return [x.sum().item(), x.sum(1).numpy().round(9).tolist(),
            x.sum((0, 2), keepdim=True).numpy().round(9).tolist(),
            x.log_softmax(-1).numpy().round(9).tolist(), x.log_softmax(0).numpy().round(9).tolist()]


@outputs_of("optim.SGD.update", "optim.Adam.update", "nn.Module.named_parameters",
            "nn.Module.__setattr__", "data.DataLoader.__iter__")
def a_short_training_run() -> list:
    """Weights after a few epochs of SGD (momentum, decay, nesterov) and Adam (amsgrad)."""
    result = []
    for make in (lambda p: tg.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
                 lambda p: tg.optim.Adam(p, lr=0.01, weight_decay=0.01, amsgrad=True)):
        tg.manual_seed(3)
        model = tg.nn.Sequential(tg.nn.Linear(3, 5), tg.nn.Tanh(), tg.nn.Linear(5, 2))
        data = tg.utils.data.TensorDataset(tg.randn(20, 3), tg.randint(0, 2, (20,)))
        loader = tg.utils.data.DataLoader(data, batch_size=6, shuffle=True)
        optimizer = make(model.parameters())
        for _ in range(3):
            for x, y in loader:
                optimizer.zero_grad()
                tg.nn.functional.cross_entropy(model(x), y).backward()
                optimizer.step()
        named = model.named_parameters()
        result.append({n: p.detach().numpy().round(6).tolist() for n, p in named})
    return result


@outputs_of("scalar.topological_order", "scalar.Value.backward")
def scalar_gradients() -> list:
    from tinygrad_edu.scalar import Value

    rng = np.random.default_rng(10)
    result = []
    for _ in range(5):
        xs = [Value(float(v)) for v in rng.normal(size=3)]
        out = Value(0.0)
        for _ in range(6):
            a, b = xs[int(rng.integers(3))], xs[int(rng.integers(3))]
            out = out + (a * b).tanh() - a / (b * b + 1)
        out.backward()
        result.append([round(x.grad, 9) for x in xs])
    return result


@outputs_of("autograd.gradcheck")
def gradcheck_verdicts() -> list:
    fn = current("autograd.gradcheck")
    x = tg.tensor([0.3, -0.7, 1.1], dtype=tg.float64, requires_grad=True)
    right = [lambda a: (a * a).tanh(), lambda a: a.exp() / (1 + a * a)]
    wrong = [lambda a: a.detach() * a]  # detach hides half the product rule
    return [bool(fn(f, (x,), raise_exception=False)) for f in right + wrong]
