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
