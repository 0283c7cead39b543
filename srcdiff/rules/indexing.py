"""Indexing reads: basic, advanced and boolean; take, sort and diagonals.

The adjoints here write into a fresh array of zeros (numpy item assignment or
``np.add.at``); see :func:`srcdiff.rules.helpers.scatter_into_zeros`.
"""

from __future__ import annotations

import operator

import numpy as np

from srcdiff.rules.helpers import diag_grad, diagonal_grad, scatter_into_zeros, sort_grad, take_grad
from srcdiff.rules.table import vjp_rule


@vjp_rule("getitem", operator.getitem)
def getitem(g, ans, x, index, xp):
    return scatter_into_zeros(g, x, index, xp), None


@vjp_rule("take", np.take)
def take(g, ans, a, indices, axis=None, xp=np):
    return take_grad(g, a, indices, axis, xp), None


@vjp_rule("sort", np.sort)
def sort(g, ans, a, axis=-1, xp=np):
    """Tied elements take their gradients in argsort's order."""
    return sort_grad(g, a, axis, xp)


@vjp_rule("diagonal", np.diagonal)
def diagonal(g, ans, a, offset=0, axis1=0, axis2=1, xp=np):
    return diagonal_grad(g, a, offset, axis1, axis2, xp)


@vjp_rule("diag", np.diag)
def diag(g, ans, v, k=0, xp=np):
    return diag_grad(g, v, k, xp)
