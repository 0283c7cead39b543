"""Indexing: reads (basic, advanced, boolean; take, sort, diagonals) and writes
(``x[index] = value``, ``np.add.at``).

The adjoints here write into a fresh array of zeros (numpy item assignment or
``np.add.at``); see :func:`srcdiff.rules.helpers.scatter_into_zeros`.
"""

from __future__ import annotations

import operator

import numpy as np

from srcdiff.rules.helpers import (
    diag_grad,
    diagonal_grad,
    scatter_into_zeros,
    sort_grad,
    take_grad,
    unbroadcast,
)
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


# Writes: eager in-place indexing and the compiler's subscript writes.


def last_write_mask(shape, index):
    """Where ``x[index] = v`` writes one element several times (repeated integer indices),
    numpy keeps the last write: True for the elements of ``v`` that stay in ``x``."""
    slot = np.full(shape, -1, dtype=np.int64)
    ids = np.arange(slot[index].size).reshape(slot[index].shape)
    slot[index] = ids
    return slot[index] == ids


@vjp_rule("setitem")
def setitem(g, ans, x, index, value, xp):
    """``x[index] = value`` (out of place): x keeps g outside the written region; value gets
    g where its write is the one that stays."""
    kept = xp.ones_like(g)
    kept[index] = 0
    stays = last_write_mask(xp.shape(g), index)
    return g * kept, None, unbroadcast(g[index] * stays, xp.shape(value), xp)


@vjp_rule("add_at")
def add_at(g, ans, x, index, values, xp):
    """numpy's ``add.at(x, index, values)``: repeated indices accumulate."""
    return g, None, unbroadcast(g[index], xp.shape(values), xp)
