r"""Matrix multiplication ``a @ b``.

For matrices, $C = AB$ gives $\partial L/\partial A = G B^T$ and $\partial L/\partial B = A^T G$
where $G = \partial L/\partial C$. Vectors are treated as a 1-row (left) or 1-column (right)
matrix, and batch dimensions broadcast (the engine sums them back).
"""

from __future__ import annotations

from ..autograd.function import Function


def _t(x):
    """Transpose the last two dimensions."""
    return x.swapaxes(-1, -2)


class MatMul(Function):
    r"""$C = AB$: $\nabla_A = G B^T$, $\nabla_B = A^T G$."""

    array_io = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad  # skip the product nobody needs (e.g. the input x)
        if a.ndim == 1 and b.ndim == 1:  # dot product: a scalar
            return grad * b, grad * a
        if a.ndim == 1:  # (n,) @ (..., n, k): a is one row
            g = grad[..., None, :]
            return (g @ _t(b))[..., 0, :] if need_a else None, a[:, None] @ g if need_b else None
        if b.ndim == 1:  # (..., m, n) @ (n,): b is one column
            g = grad[..., None]
            return g @ b[None, :] if need_a else None, (_t(a) @ g)[..., 0] if need_b else None
        return grad @ _t(b) if need_a else None, _t(a) @ grad if need_b else None

    def name(self) -> str:
        """PyTorch names the kernel it ran: Dot (vector . vector), Mv (matrix @ vector), Mm
        (matrix @ matrix), Bmm (batch @ batch). ``Tensor.matmul`` builds torch's reshapes
        around them for the common batched forms; the rarer forms (a batch on the right only,
        4-D and up) stay one MatMul node here."""
        kernel = {(1, 1): "Dot", (2, 1): "Mv", (2, 2): "Mm", (3, 3): "Bmm"}
        dims = tuple(t.ndim if t is not None else 0 for t in self.inputs[:2])
        return kernel.get(dims, "MatMul") + "Backward0"

    @property
    def input_names(self) -> tuple[str, ...]:
        """PyTorch's argument names: mm(self, mat2), mv(self, vec), dot(self, tensor)."""
        second = {"Dot": "tensor", "Mv": "vec"}.get(self.name()[:-9], "mat2")
        return ("self", second)


class Bmm(MatMul):
    r"""``bmm(a, b)``: a batch of matrix products $C_i = A_i B_i$, shapes (B, n, m) @ (B, m, p)."""

    def name(self) -> str:
        return "BmmBackward0"


class ScaledAddmm(Function):
    r"""``torch.addmm(input, mat1, mat2, beta=, alpha=)``: $Y = \beta\,C + \alpha\,AB$ with $C$
    broadcast to (n, p). Backward: $\nabla_C = \beta G$ (summed back to C's shape by the engine),
    $\nabla_A = \alpha G B^T$, $\nabla_B = \alpha A^T G$."""

    array_io = True
    input_names = ("self", "mat1", "mat2")

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        product = a @ b
        if beta == 0:  # PyTorch: C is ignored then, nan and inf included
            return alpha * product
        return beta * c + alpha * product

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_c, need_a, need_b = ctx.needs_input_grad[:3]
        scaled = grad * ctx.alpha
        return (grad * ctx.beta if need_c else None, scaled @ b.T if need_a else None,
                a.T @ scaled if need_b else None, None, None)

    def name(self) -> str:
        return "AddmmBackward0"
