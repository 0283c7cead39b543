"""Linear algebra: matmul, dot, outer."""

from __future__ import annotations

import operator

import numpy as np

from srcdiff.rules.helpers import matmul_grad_left, matmul_grad_right
from srcdiff.rules.table import vjp_rule


@vjp_rule("matmul", np.matmul, operator.matmul)
def matmul(g, ans, x, y, xp):
    return matmul_grad_left(g, x, y, xp), matmul_grad_right(g, x, y, xp)


@vjp_rule("dot", np.dot)
def dot(g, ans, x, y, xp):
    return matmul_grad_left(g, x, y, xp), matmul_grad_right(g, x, y, xp)


@vjp_rule("outer", np.outer)
def outer(g, ans, x, y, xp):
    return xp.reshape(g @ xp.ravel(y), xp.shape(x)), xp.reshape(xp.ravel(x) @ g, xp.shape(y))
