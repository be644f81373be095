"""Tensor methods of linear algebra beyond ``@``: mv, bmm, outer, tril/triu, diag.

``einsum`` (a function only, as in PyTorch) lives in ``tinygrad_edu/einsum.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ops.matmul import Bmm, ScaledAddmm
from ..ops.rearrange import DiagEmbed, Diagonal, DiagonalView, Tril, Triu
from ..shapes import _dim
from .operands import _operand_tensor, _view_of

if TYPE_CHECKING:
    from ..tensor import Tensor

Tensor = None  # noqa: F811  set by bind()


class LinalgMethods:
    """addmm, mv, bmm, outer/ger, tril/triu, diag."""

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)``, self broadcast to the product's shape (what
        ``nn.Linear`` computes, with self the bias)."""
        mat1, mat2 = _operand_tensor(mat1, self), _operand_tensor(mat2, self)
        for name, m in (("mat1", mat1), ("mat2", mat2)):
            if m.ndim != 2:
                raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
        if mat1.shape[1] != mat2.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} "
                f"and {mat2.shape[0]}x{mat2.shape[1]})"
            )
        self.expand(mat1.shape[0], mat2.shape[1])  # PyTorch's error if self cannot broadcast
        return ScaledAddmm.apply(self, mat1, mat2, beta, alpha)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal (``offset`` above it, or below if negative) of the matrices that dims
        ``dim1`` and ``dim2`` form, as a new last dim: ``eye(3).diagonal()`` is three 1s."""
        d1, d2 = _dim(dim1, self.ndim), _dim(dim2, self.ndim)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return _view_of(self, DiagonalView.apply(self, int(offset), d1, d2))

    def mv(self, vec: Tensor) -> Tensor:
        """Matrix (n, m) times vector (m,)."""
        vec = _operand_tensor(vec, self)
        if self.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(
                f"vector + matrix @ vector expected, got 1, {self.ndim}, {vec.ndim}"
            )
        return self.matmul(vec)

    def bmm(self, mat2: Tensor) -> Tensor:
        """A batch of matrix products: (b, n, m) @ (b, m, p) -> (b, n, p), no broadcasting."""
        mat2 = _operand_tensor(mat2, self)
        if self.ndim != 3:
            raise RuntimeError("batch1 must be a 3D tensor")
        if mat2.ndim != 3:
            raise RuntimeError("batch2 must be a 3D tensor")
        if self.shape[0] != mat2.shape[0] or self.shape[2] != mat2.shape[1]:
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: "
                f"[{self.shape[0]}, {self.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
            )
        if self.dtype != mat2.dtype:
            raise RuntimeError(
                "expected m1 and m2 to have the same dtype, but got: "
                f"{self.dtype.name} != {mat2.dtype.name}"
            )
        return Bmm.apply(self, mat2)

    def outer(self, vec2: Tensor) -> Tensor:
        r"""$u v^T$: ``out[i, j] = u[i] * v[j]`` (PyTorch records it as a MulBackward0)."""
        vec2 = _operand_tensor(vec2, self)
        for name, t in (("self", self), ("vec2", vec2)):
            if t.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
        return self.reshape(-1, 1) * vec2

    ger = outer

    def inner(self, other: Tensor) -> Tensor:
        return (self * other).sum(-1) if self.ndim and other.ndim else self * other

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle (on and below ``diagonal``); the rest is 0."""
        _check_matrix(self, "tril")
        return Tril.apply(self, int(diagonal))

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle (on and above ``diagonal``); the rest is 0."""
        _check_matrix(self, "triu")
        return Triu.apply(self, int(diagonal))

    def diag(self, diagonal: int = 0) -> Tensor:
        """A vector -> the square matrix with it on ``diagonal``; a matrix -> that diagonal."""
        if self.ndim == 1:
            return DiagEmbed.apply(self, int(diagonal))
        if self.ndim == 2:
            return Diagonal.apply(self, int(diagonal))
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")

    def trace(self) -> Tensor:
        return self.diag().sum()


def _check_matrix(t: Tensor, name: str) -> None:
    if t.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")

