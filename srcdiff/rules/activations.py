"""Rules with no numpy function of their own: activations (sigmoid, relu) and the
array writes ``x[index] = value`` (setitem) and ``np.add.at`` (add_at) that eager
in-place indexing and the compiler's subscript writes use."""

from __future__ import annotations

import numpy as np

from srcdiff.rules.helpers import unbroadcast
from srcdiff.rules.table import vjp_rule


@vjp_rule("sigmoid")
def sigmoid(g, ans, x):
    return g * ans * (1.0 - ans)


@vjp_rule("relu")
def relu(g, ans, x):
    return g * (x > 0)


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
