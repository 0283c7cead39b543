"""Activation functions of neural networks (eager ops; users write them in numpy)."""

from __future__ import annotations

from srcdiff.rules.helpers import unbroadcast
from srcdiff.rules.table import vjp_rule


@vjp_rule("sigmoid")
def sigmoid(g, ans, x):
    return g * ans * (1.0 - ans)


@vjp_rule("relu")
def relu(g, ans, x):
    return g * (x > 0)


@vjp_rule("setitem")
def setitem(g, ans, x, index, value, xp):
    """``x[index] = value`` (out of place): x keeps g outside the written region."""
    kept = xp.ones_like(g)
    kept[index] = 0
    return g * kept, None, unbroadcast(g[index], xp.shape(value), xp)


@vjp_rule("add_at")
def add_at(g, ans, x, index, values, xp):
    """numpy's ``add.at(x, index, values)``: repeated indices accumulate."""
    return g, None, unbroadcast(g[index], xp.shape(values), xp)
