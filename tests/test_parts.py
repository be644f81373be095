"""The parts (issue #11): every part's own tests, the swapping machinery, saving and loading.

The part tests live in the package (``tinygrad_edu/parts/chNN.py``) so that ``check()`` can run
them on a learner's function; here they run on whatever is installed: the reference, or, under
``pytest --parts=solutions``, the solutions' parts.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import parts
from tinygrad_edu.autograd import engine
from tinygrad_edu.parts import registry

ROOT = Path(__file__).resolve().parents[1]
parts.names()  # registers every part
CASES = [
    pytest.param(part.name, test, id=f"{part.name}::{test.__name__}")
    for part in registry.PARTS.values()
    for test in part.tests + part.hidden
]


@pytest.mark.parametrize(("name", "test"), CASES)
def test_part(name, test):
    test()


def test_at_least_15_parts_over_chapters_01_to_10():
    chapters = {registry.PARTS[n].chapter for n in parts.names()}
    assert len(parts.names()) >= 15 and chapters == set(range(1, 11))
    for name in parts.names():
        part = registry.PARTS[name]
        assert part.contract and part.tests and part.hidden, name


def test_each_solution_part_states_its_contract_word_for_word():
    """The exercise shows the solution cell's docstring as the contract: it must be the one the
    package checks against (``parts.contract``), or a learner codes to a stale contract."""
    import inspect

    from tinygrad_edu.parts.solutions import solution_functions

    ROOT = Path(__file__).resolve().parents[1]
    for name, fn in solution_functions(ROOT / "solutions").items():
        assert inspect.getdoc(fn) == registry.get(name).contract, name


def test_a_learners_array_module_sees_arrays_only_and_double_backward_still_works():
    seen = []

    def array_module(array):
        seen.append(type(array))
        return np

    with parts.using("device.array_module", array_module):
        x = tg.tensor([1.0, 2.0], requires_grad=True)
        (g,) = tg.autograd.grad((x**3).sum(), x, create_graph=True)
        g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])  # d2(x^3) = 6x
    assert seen and all(t is np.ndarray for t in seen)


def test_wrong_run_backward_changes_seed_example_and_reset_restores():
    def lazy_run_backward(roots, grads, retain_graph=False, on_step=None, capture=None):
        for root in roots:  # "forgets" the chain rule: every leaf just gets ones
            for node in engine.topological_order([root]):
                if type(node).__name__ == "AccumulateGrad":
                    engine._accumulate(node.variable, np.ones_like(node.variable.array))

    def seed_grad():
        a = tg.tensor([2.0, 3.0], requires_grad=True)
        b = a**2
        b.backward(tg.tensor([1.0, 1.0]))
        return a.grad

    before = parts.status().yours
    parts.install("autograd.run_backward", lazy_run_backward)
    try:
        assert seed_grad().tolist() == [1.0, 1.0]
        assert "autograd.run_backward" in parts.status().yours
    finally:
        parts.reset()
    assert repr(seed_grad()) == "tensor([4., 6.])"
    assert parts.status().yours == [] or before


def test_broken_part_names_itself_and_reset_cleans_up():
    @parts.implement("autograd.run_backward")
    def run_backward(roots, grads, retain_graph=False, on_step=None, capture=None):
        tg.autograd.grad_mode._GradMode.enabled = False  # leaves grad mode off: corrupt state
        raise ValueError("oops")

    a = tg.tensor([1.0], requires_grad=True)
    try:
        with pytest.raises(ValueError, match="oops") as info:
            (a * 2).sum().backward()
        notes = "".join(getattr(info.value, "__notes__", []))
        assert "your run_backward raised ValueError: oops" in notes
        assert "parts.reset('autograd.run_backward')" in notes
    finally:
        parts.reset()
    assert tg.is_grad_enabled()
    (a * 2).sum().backward()
    assert a.grad.tolist() == [2.0]


def test_using_swaps_for_one_block_and_reaches_every_importer():
    from tinygrad_edu.autograd import broadcast
    from tinygrad_edu.ops import shape as shape_ops

    def unbroadcast(grad, shape):
        return parts.reference("autograd.unbroadcast")(grad, shape) * 0

    before = broadcast.unbroadcast
    with parts.using("autograd.unbroadcast", unbroadcast):
        assert engine.unbroadcast is shape_ops.unbroadcast is broadcast.unbroadcast
        assert broadcast.unbroadcast.__wrapped__ is unbroadcast
        x = tg.ones(3, requires_grad=True)
        (x + tg.ones(2, 3)).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
    assert broadcast.unbroadcast is engine.unbroadcast
    unwrap = lambda f: getattr(f, "__wrapped__", f)  # noqa: E731
    assert unwrap(broadcast.unbroadcast) is unwrap(before)


def test_reference_path_has_no_wrapper():
    from tinygrad_edu.autograd.function import Function
    from tinygrad_edu.ops.arithmetic import Mul

    parts.reset()
    assert Mul.__dict__["backward"].__func__ is parts.reference("ops.Mul.backward")
    assert engine.run_backward is parts.reference("autograd.run_backward")
    assert Function.__dict__["apply"].__func__.__name__ == "apply"


def test_no_other_binding_of_a_reference_in_classes():
    """A class attribute holding a reference that is not a slot would escape the swap."""
    import inspect

    parts.reset()
    slots = {(id(s.owner), s.attr) for p in registry.PARTS.values() for s in p.slots}
    references = {id(p.reference): p.name for p in registry.PARTS.values()}
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("tinygrad_edu") or ".parts" in module_name:
            continue
        for cls in [v for v in vars(module).values() if inspect.isclass(v)]:
            for attr, raw in vars(cls).items():
                fn = getattr(raw, "__func__", getattr(raw, "fget", raw))
                if id(fn) in references and (id(cls), attr) not in slots:
                    pytest.fail(f"{cls.__qualname__}.{attr} holds {references[id(fn)]}")


def test_save_and_load_mine(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_MY_PARTS", str(tmp_path))
    parts.reset()
    scale = 1.0

    def helper(grad):
        return grad * scale

    def unbroadcast(grad, shape):
        extra = grad.ndim - len(shape)
        if extra:
            grad = grad.sum(axis=tuple(range(extra)))
        dims = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
        return helper(grad.sum(axis=dims, keepdims=True) if dims else grad)

    path = parts.save("autograd.unbroadcast", unbroadcast)
    assert path == tmp_path / "autograd.unbroadcast.py"
    text = path.read_text()
    assert "def helper" in text and "scale = 1.0" in text
    assert 'PART = "autograd.unbroadcast"' in text
    try:
        assert parts.load_mine() == ["autograd.unbroadcast"]
        assert parts.status().yours == ["autograd.unbroadcast"]
        x = tg.ones(3, requires_grad=True)
        (x * tg.ones(2, 3)).sum().backward()
        assert x.grad.tolist() == [2.0, 2.0, 2.0]
    finally:
        parts.reset()
    (tmp_path / "broken.py").write_text("raise RuntimeError('nope')\n")
    assert parts.load_mine(quiet=True) == ["autograd.unbroadcast"]
    parts.reset()


def test_check_passing_installs_and_saves(tmp_path, monkeypatch, capsys):
    from tinygrad_edu.grading import check

    monkeypatch.setenv("TINYGRAD_EDU_MY_PARTS", str(tmp_path))

    def unbroadcast(grad, shape):
        return parts.reference("autograd.unbroadcast")(grad, shape)

    def wrong(grad, shape):
        return grad

    try:
        assert check("ch02.unbroadcast", wrong).status != "passed"
        assert not (tmp_path / "autograd.unbroadcast.py").exists()
        assert check("ch02.unbroadcast", unbroadcast).status == "passed"
        assert (tmp_path / "autograd.unbroadcast.py").exists()
        assert "autograd.unbroadcast" in parts.status().yours
    finally:
        parts.reset()


def test_a_failed_part_test_says_what_it_found_and_the_idea_behind_it(tmp_path, monkeypatch):
    """The feedback of a part check: the test's own finding (once, no "expected 'passed'"),
    and as the nudge the test's docstring: the concept, not the fix (issue #16)."""
    from tinygrad_edu.grading import get_task
    from tinygrad_edu.grading.check import evaluate
    from tinygrad_edu.parts.tasks import _concept

    monkeypatch.setenv("TINYGRAD_EDU_MY_PARTS", str(tmp_path))

    def pow_backward(ctx, grad):  # multiplies where PyTorch selects: nan at x ** 0, x = 0
        a, b, z = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(all="ignore"):
            return (grad * b * a ** (b - 1) if need_a else None,
                    grad * z * np.log(a) if need_b else None)

    result = evaluate(get_task("ch04.pow_backward"), pow_backward, hidden=False)
    assert result.status == "failed"
    assert "The test found: x ** 0's gradient" in result.message and "nan" in result.message
    assert result.expected == result.got == ""
    test = next(t for t in registry.get("ops.Pow.backward").tests
                if t.__name__ == "test_pow_backward_edges_follow_pytorch")
    assert _concept(test) and result.nudge.startswith(_concept(test))

    def value_backward(self, retain_graph=False):
        raise AssertionError("my own check")

    result = evaluate(get_task("ch03.value_backward"), value_backward, hidden=False)
    assert "my own check" in result.got and "The test found" not in result.message


@pytest.mark.parametrize(("name", "test"), CASES)
def test_every_part_test_names_its_concept(name, test):
    """A failed part test's nudge is its docstring's first paragraph: every test has one, so no
    learner gets the generic "read the contract" instead of the idea the test probes (#16)."""
    from tinygrad_edu.parts.tasks import _concept

    concept = _concept(test)
    assert concept, f"{name}: {test.__name__} has no docstring (its nudge would be generic)"
    assert len(concept) <= 300, f"{name}: {test.__name__}'s nudge is {len(concept)} chars"


def test_my_parts_survive_build_exercises(tmp_path):
    import shutil

    solutions = tmp_path / "solutions"
    shutil.copytree(ROOT / "solutions", solutions)
    mine = tmp_path / "exercises" / "my_parts"
    mine.mkdir(parents=True)
    (mine / "autograd.unbroadcast.py").write_text("# mine\n")
    subprocess.run(
        [sys.executable, "-m", "tinygrad_edu.cli", "build-exercises",
         "--solutions", str(solutions), "--exercises", str(tmp_path / "exercises")],
        check=True, capture_output=True,
    )
    assert (mine / "autograd.unbroadcast.py").read_text() == "# mine\n"
    assert list((tmp_path / "exercises").glob("*.ipynb"))


def test_cli_parts_prints_the_table():
    out = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu.cli", "parts"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "autograd.run_backward" in out.stdout and "reference" in out.stdout


@pytest.mark.slow
def test_capstone_solution_scores_100_and_exercise_runs_top_to_bottom(tmp_path, monkeypatch):
    """Chapter 11 on the solutions' parts (saved as a learner's my_parts) grades 100 %; the fresh
    exercise runs top to bottom too (it trains on whatever parts are saved)."""
    from tinygrad_edu.grading import grade
    from tinygrad_edu.parts.solutions import save_solutions

    monkeypatch.setenv("TINYGRAD_EDU_MY_PARTS", str(tmp_path))
    assert len(save_solutions(ROOT / "solutions", tmp_path)) == len(parts.names())
    [solved] = grade(ROOT / "solutions" / "11_your_framework.ipynb", verbose=False,
                     cell_timeout=60)
    assert solved.notes == [] and solved.score == solved.max_score > 0
    [fresh] = grade(ROOT / "exercises" / "11_your_framework.ipynb", verbose=False,
                    cell_timeout=60)
    assert fresh.notes == [] and fresh.score == 0


# ----------------------------------------------------------- each part's tests catch a bug
def _wrong_parts():
    """One typical mistake per part, each a plausible learner's answer."""
    ref = parts.reference
    from tinygrad_edu.autograd.function import _FREED

    def infer_dtype(data):
        return tg.float32

    def infer_shape(shape, numel, old):
        return tuple(numel // -int(np.prod(shape)) if n == -1 else n for n in shape)

    def broadcast_shapes(*shapes):
        return tuple(max(s) for s in zip(*[(1,) * (4 - len(s)) + tuple(s) for s in shapes]))[
            -max((len(s) for s in shapes), default=0) or 4:
        ] if shapes else ()

    def unbroadcast(grad, shape):
        extra = grad.ndim - len(shape)
        return grad.sum(axis=tuple(range(extra))) if extra else grad

    def sum_forward(ctx, x, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return np.asarray(x.sum(axis=dims))

    def scalar_sort(root):
        order, stack = [], [root]
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(node._prev)
        return order

    def value_backward(self, retain_graph=False):
        self.grad = 1.0
        for v in tinygrad_edu_scalar().topological_order(self):
            for child, g in zip(v._prev, v._backward(v.grad)):
                child.grad = g  # overwrites instead of adding

    def record_node(ctx, args):
        ok = ref("autograd.record_node")(ctx, args)
        if ok:
            ctx.next_nodes = tuple(a.grad_fn if a is not None else None for a in ctx.inputs)
        return ok

    def mul_backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * a if a is not None else grad, grad * b

    def div_backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad / b, None if a is None else grad * a / (b * b)

    def pow_backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        return grad * b * a ** (b - 1), None

    def exp_backward(ctx, grad):
        return grad

    def tanh_backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * (1 - y)

    def sum_backward(ctx, grad):
        return np.broadcast_to(np.asarray(grad).sum(), ctx.shape), None, None

    def matmul_backward(ctx, grad):
        a, b = ctx.saved_tensors
        if a.ndim == 1 or b.ndim == 1:
            return ref("ops.MatMul.backward")(ctx, grad)
        return grad @ b.swapaxes(-1, -2), grad.swapaxes(-1, -2) @ a  # second one transposed

    def tensor_sort(roots):
        return ref("autograd.topological_order")(roots)[::-1]

    def run_backward(roots, grads, retain_graph=False, on_step=None, capture=None):
        ref("autograd.run_backward")(roots, grads, True, on_step, capture)  # never frees

    def accumulate_grad(t, grad):
        if t is None:
            return
        if t._grad is None:
            t._grad = tg.Tensor._make(grad.astype(t.array.dtype, copy=False))  # no copy
        else:
            t._grad.array += grad

    def saved_tensors(self):
        return () if self._saved is _FREED else self._saved

    def array_module(array):
        return np

    def module_setattr(self, name, value):
        object.__setattr__(self, name, value)

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        for module in self.modules() if recurse else [self]:
            for name, p in module._parameters.items():
                if p is not None:
                    yield name, p

    def log_softmax(ctx, x, dim):
        y = x - np.log(np.exp(x).sum(axis=dim, keepdims=True))
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    def sgd_update(self, p, grad, group, state):
        p.array -= group["lr"] * grad  # forgets momentum and weight decay

    def adam_update(self, p, grad, group, state):
        state.setdefault("step", 0)
        state["step"] += 1
        p.array -= group["lr"] * np.sign(grad)  # no moving averages

    def dataloader_iter(self):
        for start in range(0, len(self.dataset), self.batch_size or 1):
            idx = range(start, min(start + (self.batch_size or 1), len(self.dataset)))
            yield self.collate_fn([self.dataset[i] for i in idx])

    def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
        return True

    def im2col(x, kernel, stride, dilation, out):  # forgets the dilation
        return ref("ops.windows.im2col")(x, kernel, stride, (1, 1), out)

    def conv2d_forward(x, weight, bias, stride, padding, dilation, groups):  # flips the kernel
        return ref("ops.conv.conv2d_forward")(x, weight[:, :, ::-1, ::-1].copy(), bias, stride,
                                              padding, dilation, groups)

    def max_pool_backward(grad, taps, y, padded_shape, kernel, stride, dilation):  # ties share
        from tinygrad_edu.ops.windows import tap_slices

        image = np.zeros(padded_shape, dtype=grad.dtype)
        for t, pixels in enumerate(taps):
            rows, columns = tap_slices(t // kernel[1], t % kernel[1], stride, dilation,
                                       grad.shape[2:])
            image[:, :, rows, columns] += grad * (pixels == y)
        return image

    return {name: fn for name, fn in locals().items() if callable(fn) and name != "ref"}


def tinygrad_edu_scalar():
    from tinygrad_edu import scalar

    return scalar


WRONG_FOR = {
    "dtypes.infer_dtype": "infer_dtype", "shapes.infer_shape": "infer_shape",
    "shapes.broadcast_shapes": "broadcast_shapes", "autograd.unbroadcast": "unbroadcast",
    "ops.Sum.forward": "sum_forward", "scalar.topological_order": "scalar_sort",
    "scalar.Value.backward": "value_backward", "autograd.record_node": "record_node",
    "ops.Mul.backward": "mul_backward", "ops.Div.backward": "div_backward",
    "ops.Pow.backward": "pow_backward", "ops.Exp.backward": "exp_backward",
    "ops.Tanh.backward": "tanh_backward", "ops.Sum.backward": "sum_backward",
    "ops.MatMul.backward": "matmul_backward", "autograd.topological_order": "tensor_sort",
    "autograd.run_backward": "run_backward", "autograd.accumulate_grad": "accumulate_grad",
    "autograd.saved_tensors": "saved_tensors", "device.array_module": "array_module",
    "nn.Module.__setattr__": "module_setattr", "nn.Module.named_parameters": "named_parameters",
    "ops.LogSoftmax.forward": "log_softmax", "optim.SGD.update": "sgd_update",
    "optim.Adam.update": "adam_update", "data.DataLoader.__iter__": "dataloader_iter",
    "autograd.gradcheck": "gradcheck", "ops.windows.im2col": "im2col",
    "ops.conv.conv2d_forward": "conv2d_forward", "ops.pool.max_pool_backward": "max_pool_backward",
}


def test_every_part_has_a_wrong_answer_here():
    assert sorted(WRONG_FOR) == sorted(parts.names())


@pytest.mark.parametrize("name", sorted(WRONG_FOR))
def test_a_typical_mistake_fails_the_parts_check(name):
    import warnings

    from tinygrad_edu.grading.check import evaluate
    from tinygrad_edu.grading.tasks import get_task

    wrong = _wrong_parts()[WRONG_FOR[name]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate(get_task(registry.PARTS[name].task), wrong, hidden=True)
    assert result.status == "failed", result.report()
    assert tg.is_grad_enabled() and registry.INSTALLED.get(name) is not wrong


OUTPUTS = sorted({(p.name, fn) for p in registry.PARTS.values() for fn in p.outputs},
                 key=lambda item: (item[0], item[1].__name__))


@pytest.mark.parametrize(
    ("name", "output"), OUTPUTS, ids=[f"{n}::{f.__name__}" for n, f in OUTPUTS]
)
def test_part_outputs_match_the_reference(name, output):
    """The grader's data cases: what the installed parts compute equals the references'."""
    got = output()
    with parts.suspended():
        want = output()
    assert got == want


def test_a_failed_check_shows_as_failing_with_a_short_message(tmp_path, monkeypatch):
    """parts.status() says "no" after a failed attempt (not "not checked"), and a big array's
    mismatch is reported by its first differing place, not printed whole."""
    from tinygrad_edu.grading import check

    monkeypatch.setenv("TINYGRAD_EDU_MY_PARTS", str(tmp_path))

    def im2col(x, kernel, stride, dilation, out):  # forgets the dilation
        return parts.reference("ops.windows.im2col")(x, kernel, stride, (1, 1), out)

    result = check("ch10.im2col", im2col)
    assert result.status == "failed"
    assert "values differ; the first at index" in result.message and len(result.message) < 400
    row = next(r for r in str(parts.status()).splitlines() if r.startswith("ops.windows.im2col"))
    assert row.split()[-1] == "no"
