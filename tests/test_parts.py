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


def test_at_least_15_parts_over_chapters_01_to_09():
    chapters = {registry.PARTS[n].chapter for n in parts.names()}
    assert len(parts.names()) >= 15 and chapters == set(range(1, 10))
    for name in parts.names():
        part = registry.PARTS[name]
        assert part.contract and part.tests and part.hidden, name


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
