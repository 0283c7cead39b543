"""Indexing reads: basic, advanced and boolean."""

from __future__ import annotations

import operator

import numpy as np

from srcdiff.rules.table import vjp_rule


def scatter_into_zeros(g, x, index, xp):
    """Adjoint of ``x[index]``: ``g`` added into zeros shaped like ``x``.

    Adds rather than assigns so that repeated advanced indices accumulate.
    """
    out = xp.zeros_like(x)
    xp.add.at(out, index, g)
    return out


@vjp_rule("getitem", operator.getitem)
def getitem(g, ans, x, index, xp):
    return scatter_into_zeros(g, x, index, xp), None
