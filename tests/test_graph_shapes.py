"""The graph PyTorch records around reshape and matmul, node for node (names, values, grads).

``reshape`` is a view (ViewBackward0, or ReshapeAliasBackward0 when the tensor is not
contiguous) or, when the strides do not allow one, a copy (CloneBackward0, then
UnsafeViewBackward0). ``matmul`` is built from dot/mv/mm/bmm with reshapes around them, and
which ones depends on the shapes *and* on which side requires grad (``ops/matmul_forms.py``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg


def _graph(fn, depth: int = 0, out: list | None = None) -> list[str]:
    """The node names under ``fn``, depth-first, indented by depth."""
    out = [] if out is None else out
    if fn is None or depth > 7:
        return out
    out.append("  " * depth + fn.name().replace("torch::autograd::", ""))
    for child, _ in fn.next_functions:
        _graph(child, depth + 1, out)
    return out


def _same(ours, theirs, leaves) -> None:
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=1e-10)
    assert _graph(ours.grad_fn) == _graph(theirs.grad_fn)
    ours.sum().backward()
    theirs.sum().backward()
    for mine, torchs in leaves:
        if torchs.requires_grad:
            np.testing.assert_allclose(mine.grad.numpy(), torchs.grad.numpy(), atol=1e-10)


RESHAPES = {
    "contiguous": lambda t: t.reshape(2, 12),
    "sliced columns, viewable": lambda t: t[:, :3].reshape(2, 2, 3),
    "transposed, viewable": lambda t: t.t().reshape(6, 2, 2),
    "transposed, flattened": lambda t: t.t().reshape(24),
    "flatten of a transpose": lambda t: t.t().flatten(),
    "strided columns": lambda t: t[:, ::2].reshape(12),
    "expanded": lambda t: t[:1].expand(3, 6).reshape(18),
    "view": lambda t: t.view(3, 8),
}


@pytest.mark.parametrize("name", RESHAPES)
def test_reshape_is_a_view_or_a_copy_as_in_pytorch(name):
    data = np.random.default_rng(0).standard_normal((4, 6))
    ours, theirs = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, want = RESHAPES[name](ours), RESHAPES[name](theirs)
    assert (got._base is None) == (want._base is None), "a view, or a copy"
    _same(got, want, [(ours, theirs)])


def test_a_reshaped_copy_does_not_write_through():
    for lib in (tg, torch):
        base = lib.arange(6.0).reshape(2, 3)
        flat = base.t().reshape(6)
        flat[0] = 100.0
        assert base.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


_SIDE = st.sampled_from([(), (1,), (2,), (3,), (2, 1), (1, 2), (2, 3)])


@settings(max_examples=120, deadline=None)
@given(
    batch_a=_SIDE, batch_b=_SIDE, a_vector=st.booleans(), b_vector=st.booleans(),
    grads=st.sampled_from([(True, True), (True, False), (False, True)]),
    transposed=st.booleans(),
)
def test_matmul_records_pytorchs_graph(batch_a, batch_b, a_vector, b_vector, grads, transposed):
    """Every pair of 1-D, 2-D and batched shapes (broadcast batches, size-1 batches), with
    either or both sides requiring grad, and a non-contiguous left side."""
    a_shape = (4,) if a_vector else batch_a + (3, 4)
    b_shape = (4,) if b_vector else batch_b + (4, 5)
    rng = np.random.default_rng(len(a_shape) * 10 + len(b_shape))
    a_data, b_data = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    if transposed and len(a_shape) >= 2:  # same shape, transposed memory
        a_data = np.ascontiguousarray(np.swapaxes(a_data, -1, -2)).swapaxes(-1, -2)
    ga, gb = grads
    mine = tg.tensor(a_data, requires_grad=ga), tg.tensor(b_data, requires_grad=gb)
    torchs = torch.tensor(a_data, requires_grad=ga), torch.tensor(b_data, requires_grad=gb)
    if transposed and len(a_shape) >= 2:
        mine = (mine[0].detach().mT.contiguous().mT.requires_grad_(ga), mine[1])
        torchs = (torchs[0].detach().mT.contiguous().mT.requires_grad_(ga), torchs[1])
    try:
        want = torchs[0] @ torchs[1]
    except RuntimeError:  # batches that do not broadcast: PyTorch refuses, so do we
        with pytest.raises(RuntimeError, match="must match the size"):
            mine[0] @ mine[1]
        return
    _same(mine[0] @ mine[1], want, list(zip(mine, torchs, strict=True)))
