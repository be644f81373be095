"""``torch.linalg``: the norms (the rest of PyTorch's linear algebra is not in this course).

``vector_norm(x, ord)`` is $(\\sum_i |x_i|^{ord})^{1/ord}$ over ``dim`` (all elements by default);
``matrix_norm(A)`` is the Frobenius norm of the matrices in the last two dims, which is the
vector norm of their entries; ``norm`` picks one of the two as PyTorch does. All of them are
one ``LinalgVectorNormBackward0`` node, like ``Tensor.norm``.
"""

from __future__ import annotations

from typing import Any

from .tensor import Tensor


def vector_norm(x: Tensor, ord: float = 2, dim: Any = None, keepdim: bool = False,  # noqa: A002
                *, dtype: Any = None) -> Tensor:
    """The ``ord``-norm of ``x``'s entries over ``dim`` (an int, a tuple, or None: all)."""
    if dtype is not None:
        x = x.to(dtype)
    return x.norm(ord, dim, keepdim)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: tuple = (-2, -1),  # noqa: A002, N803
                keepdim: bool = False) -> Tensor:
    """The Frobenius norm (``ord="fro"``) of the matrices in dims ``dim``."""
    if A.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got {A.ndim}"
        )
    if ord != "fro":
        raise NotImplementedError(
            f"linalg.matrix_norm(ord={ord!r}) is not supported by tinygrad_edu: only 'fro'"
        )
    return A.norm(2, tuple(dim), keepdim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False,  # noqa: A002, N803
         *, dtype: Any = None) -> Tensor:
    """A vector norm (1-D input, an int ``dim``, or ``ord=None``) or a matrix norm."""
    if dtype is not None:
        A = A.to(dtype)  # noqa: N806
    if ord is None:
        return A.norm(2, dim, keepdim)
    if isinstance(dim, int) or (dim is None and A.ndim == 1):
        return vector_norm(A, ord, dim, keepdim)
    if dim is None and A.ndim != 2:
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {A.ndim}D."
        )
    return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim)
