"""Linear algebra: matmul, dot, outer, einsum, norm, solve, inv, det, trace.

Batched (stacked) matrices broadcast as numpy broadcasts them; these rules
reduce batch broadcasting themselves (it is not elementwise broadcasting).
"""

from __future__ import annotations

import operator

import numpy as np

from srcdiff.rules.helpers import (
    dot_grad_left,
    dot_grad_right,
    einsum_grad,
    matmul_grad_left,
    matmul_grad_right,
    norm_grad,
    solve_adjoint,
    solve_grad_a,
    trace_grad,
    unbroadcast,
)
from srcdiff.rules.table import specialize, vjp_rule


@vjp_rule("matmul", np.matmul, operator.matmul)
def matmul(g, ans, x, y, xp):
    return matmul_grad_left(g, x, y, xp), matmul_grad_right(g, x, y, xp)


@vjp_rule("dot", np.dot)
def dot(g, ans, a, b, xp):
    return dot_grad_left(g, a, b, xp), dot_grad_right(g, a, b, xp)


# For matrices and vectors the adjoints are one product each: what a reader
# expects. np.dot and np.matmul agree on these ranks, so both share them.
def matrix_times_matrix(g, ans, x, y):
    return g @ y.T, x.T @ g


def matrix_times_vector(g, ans, x, y, xp):
    return xp.outer(g, y), x.T @ g


def vector_times_matrix(g, ans, x, y, xp):
    return y @ g, xp.outer(x, g)


def vector_times_vector(g, ans, x, y):
    return g * y, g * x


for _name in ("matmul", "dot"):
    specialize(_name, ranks=(2, 2))(matrix_times_matrix)
    specialize(_name, ranks=(2, 1))(matrix_times_vector)
    specialize(_name, ranks=(1, 2))(vector_times_matrix)
    specialize(_name, ranks=(1, 1))(vector_times_vector)


@vjp_rule("outer", np.outer)
def outer(g, ans, a, b, xp):
    return xp.reshape(g @ xp.ravel(b), xp.shape(a)), xp.reshape(xp.ravel(a) @ g, xp.shape(b))


@vjp_rule("einsum", np.einsum)
def einsum(g, ans, subscripts, *operands, optimize=False, xp=np):
    """Variadic: ``operands`` gets a list with one gradient per operand, in order.

    A consumer binds ``np.einsum('ij,jk', A, B)`` to ``operands=(A, B)`` and
    hands element i of the list to the i-th operand.
    """
    return None, [einsum_grad(g, subscripts, operands, i, xp) for i in range(len(operands))]


@vjp_rule("norm", np.linalg.norm)
def norm(g, ans, x, ord=None, axis=None, keepdims=False, xp=np):
    return norm_grad(g, ans, x, ord, axis, keepdims, xp)


@vjp_rule("solve", np.linalg.solve)
def solve(g, ans, a, b, xp):
    d_b = solve_adjoint(g, a, b, xp)
    return solve_grad_a(d_b, ans, a, b, xp), unbroadcast(d_b, xp.shape(b), xp)


@vjp_rule("inv", np.linalg.inv)
def inv(g, ans, a, xp):
    ans_t = xp.swapaxes(ans, -1, -2)
    return -(ans_t @ g @ ans_t)


@vjp_rule("det", np.linalg.det)
def det(g, ans, a, xp):
    """Uses inv(a): not defined for a singular ``a``."""
    return (g * ans)[..., None, None] * xp.swapaxes(xp.linalg.inv(a), -1, -2)


@vjp_rule("trace", np.trace)
def trace(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None, xp=np):
    return trace_grad(g, a, offset, axis1, axis2, xp)
