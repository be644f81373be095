r"""``nn.Embedding``: a lookup table, one learned vector per token id.

``weight`` is (num_embeddings, embedding_dim); ``embedding(ids)`` is ``weight[ids]``, with the
shape of ``ids`` plus one dim. It is the same as multiplying a one-hot row by the weight, but
without building the one-hot matrix.

Backward: row $r$ of the weight receives the sum of the output gradients of every position
whose id is $r$ (an id used twice gets two contributions: a scatter-add). The row
``padding_idx`` never gets a gradient, so it keeps its value (zeros by default).

>>> import tinygrad_edu
>>> tinygrad_edu.manual_seed(0)
>>> Embedding(10, 3)(tinygrad_edu.tensor([[1, 2], [3, 1]])).shape
torch.Size([2, 2, 3])
"""
from __future__ import annotations

from typing import Any

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..creation import empty
from ..device import array_module, scatter_add
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


class EmbeddingFunction(Function):
    r"""$y = W[\mathrm{ids}]$; $\nabla_W[r] = \sum_{\mathrm{ids}_p = r} G_p$
    (0 at ``padding_idx``)."""

    array_io = True

    @staticmethod
    def forward(ctx, weight, ids, padding_idx):
        ctx.ids, ctx.rows, ctx.padding_idx = ids, weight.shape[0], padding_idx
        return weight[ids]

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        grad_w = xp.zeros((ctx.rows, grad.shape[-1]), dtype=grad.dtype)
        scatter_add(grad_w, ctx.ids.reshape(-1), grad.reshape(-1, grad.shape[-1]))
        if ctx.padding_idx is not None:
            grad_w[ctx.padding_idx] = 0
        return grad_w, None, None

    def name(self) -> str:
        return "EmbeddingBackward0"


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer ids in ``input``: ``weight[input]``."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "tinygrad_edu's embedding supports neither max_norm, scale_grad_by_freq nor sparse"
        )
    ids = input.array
    if ids.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {input.dtype} instead (embedding ids must be integers: use "
            ".long())"
        )
    rows = weight.shape[0]
    if ids.size and (int(ids.min()) < 0 or int(ids.max()) >= rows):
        raise IndexError(
            f"index out of range in self (ids must be in [0, {rows - 1}] for an embedding with "
            f"{rows} rows; got ids from {int(ids.min())} to {int(ids.max())})"
        )
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    return EmbeddingFunction.apply(weight, input, padding_idx)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = padding_idx % num_embeddings
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, device=device,
                                          dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """N(0, 1) for every row; the padding row, if any, is zeros."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        if self.sparse:
            s += ", sparse=True"
        return s
