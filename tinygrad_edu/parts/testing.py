"""Small helpers for the parts' tests (plain asserts, no pytest needed: a notebook runs them too).

A part's test calls the package as a learner would (``tensor(...)``, ``x.reshape(2, -1)``) and,
where it helps, the part itself through `current`, so the same test checks whichever
implementation is installed: the reference, a learner's, or the solutions'.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from .registry import INSTALLED, get


def current(name: str) -> Any:
    """The implementation of part ``name`` that the package uses right now."""
    part = get(name)
    return INSTALLED.get(name, part.reference)


def close(got: Any, want: Any, atol: float = 1e-6, rtol: float = 1e-5, what: str = "") -> None:
    """Assert two arrays (or tensors, or numbers) have the same shape and values.

    The message shows small arrays whole; for big ones, the first place they differ."""
    got_a = np.asarray(getattr(got, "array", got))
    want_a = np.asarray(getattr(want, "array", want))
    label = f"{what}: " if what else ""
    assert got_a.shape == want_a.shape, f"{label}shape {got_a.shape}, expected {want_a.shape}"
    ok = np.isclose(got_a, want_a, atol=atol, rtol=rtol, equal_nan=True)
    if ok.all():
        return
    if got_a.size <= 12:
        raise AssertionError(f"{label}got {_short(got_a)}, expected {_short(want_a)}")
    where = tuple(int(i) for i in np.argwhere(~ok)[0])
    raise AssertionError(
        f"{label}{int((~ok).sum())} of {ok.size} values differ; the first at index {list(where)}: "
        f"got {got_a[where].item():.6g}, expected {want_a[where].item():.6g}"
    )


@contextlib.contextmanager
def raises(kind: type, match: str = "") -> Iterator[None]:
    """Assert the block raises ``kind`` (with ``match`` found in its message)."""
    try:
        yield
    except NotImplementedError:
        if kind is not NotImplementedError:
            raise  # an unwritten stub (NotImplementedError is a RuntimeError): not this error
    except kind as exc:
        assert re.search(match, str(exc)), f"{kind.__name__} said {str(exc)!r}, expected {match!r}"
    else:
        raise AssertionError(f"expected {kind.__name__}" + (f" ({match})" if match else ""))


def random_program(seed: int) -> tuple[list, Any]:
    """A random computation on three float64 leaves (broadcasting, reuse, reductions, matmul):
    ``(leaves, output)``. Run it on your parts and on the references: the gradients must agree.
    """
    import tinygrad_edu as tg

    rng = np.random.default_rng(seed)
    a = tg.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    b = tg.tensor(rng.normal(size=(4,)), requires_grad=True)
    c = tg.tensor(rng.normal(size=(4, 2)), requires_grad=True)
    pool = [a, b, c, a * b]
    for _ in range(8):
        x, y = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]
        kind = rng.integers(7)
        if kind == 0 and _fits(x, y):
            z = x * y + x
        elif kind == 1:
            z = (x * 0.5).tanh()
        elif kind == 2:
            z = (x.clamp(-2, 2) * 0.3).exp()
        elif kind == 3 and x.ndim == 2 and x.shape[1] == 4:
            z = x @ c
        elif kind == 4 and x.ndim == 2:
            z = x.sum(dim=int(rng.integers(2)), keepdim=bool(rng.integers(2)))
        elif kind == 5 and _fits(x, y):
            z = x / (y * y + 1.0)
        else:
            z = x**2
        pool.append(z)
    out = sum((t.sum() for t in pool[3:]), start=pool[-1].sum() * 0)
    return [a, b, c], out


def _fits(x: Any, y: Any) -> bool:
    try:
        np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
    except ValueError:
        return False
    return True


def agrees_with_reference(seed: int) -> None:
    """`random_program(seed)`'s gradients with the installed parts equal the references'."""
    from . import suspended

    leaves, out = random_program(seed)
    out.backward()
    got = [None if t.grad is None else t.grad.numpy() for t in leaves]
    with suspended():
        leaves, out = random_program(seed)
        out.backward()
        want = [None if t.grad is None else t.grad.numpy() for t in leaves]
    for i, (g, w) in enumerate(zip(got, want)):
        if g is None or w is None:
            assert g is None and w is None, f"random program {seed}: leaf {i}'s grad is {g}"
            continue
        close(g, w, atol=1e-9, rtol=1e-7, what=f"random program {seed}, leaf {i}'s gradient")


def _short(array: np.ndarray) -> str:
    """A small array, numbers to 6 significant digits, on one line."""
    if array.dtype.kind not in "fc":
        return str(array.tolist())
    return " ".join(np.array2string(array, precision=6, separator=", ").split())
