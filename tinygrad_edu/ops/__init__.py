"""The built-in differentiable operations, one family per file.

Every op is a small :class:`~tinygrad_edu.autograd.function.Function` whose ``forward`` and
``backward`` work on raw NumPy/CuPy arrays and read like the math.
"""
