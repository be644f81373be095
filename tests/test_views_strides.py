"""Tensor.stride(), storage_offset() and is_contiguous() against PyTorch (taught in lesson 01)."""

from __future__ import annotations

import pytest
import torch

import tinygrad_edu as tg

VIEWS = {
    "itself": lambda t: t,
    ".T": lambda t: t.T,
    "rows 1:": lambda t: t[1:],
    "every 2nd column": lambda t: t[:, ::2],
    "one row": lambda t: t[1],
    "one column": lambda t: t[:, 1],
    "unsqueeze": lambda t: t.unsqueeze(0),
    "reshape then .T then slice": lambda t: t.reshape(4, 3).T[1:],
    "permute then slice": lambda t: t.permute(1, 0)[2:],
    "expand": lambda t: t[0:1].expand(5, 4),
    ".T.contiguous()": lambda t: t.T.contiguous(),
    "one element, sliced": lambda t: t[1, 2:3],
}


@pytest.mark.parametrize("name", VIEWS)
def test_strides_offsets_and_contiguity_match_pytorch(name: str) -> None:
    view = VIEWS[name]
    theirs = view(torch.arange(12.0).reshape(3, 4))
    ours = view(tg.arange(12.0).reshape(3, 4))
    assert ours.stride() == theirs.stride()
    assert ours.storage_offset() == theirs.storage_offset()
    assert ours.is_contiguous() == theirs.is_contiguous()
    if ours.ndim:
        assert ours.stride(-1) == theirs.stride(-1)


# ------------------------------------------- in-place changes reach every view's graph
def _through_sibling_view(lib):
    a = lib.tensor([[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]],
                   requires_grad=True)
    b = (a * 1).t()
    b[1:].mul_(2)  # changes b's memory through another view of the same base
    (b * b).sum().backward()
    return a.grad, b.grad_fn.name()


def _base_changed_under_its_views(lib):
    a = lib.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], requires_grad=True)
    y = a * 1
    row, column = y[0], y[:, 1]
    y.mul_(2)
    (row.sum() + 3 * column.sum()).backward()
    return a.grad, row.grad_fn.name(), column.grad_fn.name()


def _view_of_a_view_changed(lib):
    a = lib.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]], requires_grad=True)
    y = a * 2
    y[0][1:].add_(a[1, 1:])
    (y**2).sum().backward()
    return a.grad, y.grad_fn.name()


@pytest.mark.parametrize(
    "scenario", [_through_sibling_view, _base_changed_under_its_views, _view_of_a_view_changed]
)
def test_an_inplace_change_reaches_the_graph_of_every_view(scenario):
    """A view reads its values from its base: after the base changes in place (directly or
    through another view), the view's gradient must follow the new values. PyTorch rebuilds
    the view's node (AsStridedBackward0)."""
    ours, theirs = scenario(tg), scenario(torch)
    assert ours[0].tolist() == theirs[0].tolist()
    assert [n.replace("torch::autograd::", "") for n in theirs[1:]] == list(ours[1:])
