"""Shape manipulation: reshape, transpose, expand/squeeze, broadcast."""

from __future__ import annotations

import numpy as np

from srcdiff.rules.helpers import unbroadcast
from srcdiff.rules.table import vjp_rule


@vjp_rule("reshape", np.reshape)
def reshape(g, ans, x, shape=None, xp=np):
    return xp.reshape(g, xp.shape(x))


@vjp_rule("transpose", np.transpose)
def transpose(g, ans, x, axes=None, xp=np):
    return xp.transpose(g, None if axes is None else xp.argsort(axes))


@vjp_rule("squeeze", np.squeeze)
def squeeze(g, ans, x, axis=None, xp=np):
    return xp.reshape(g, xp.shape(x))


@vjp_rule("expand_dims", np.expand_dims)
def expand_dims(g, ans, x, axis=None, xp=np):
    return xp.reshape(g, xp.shape(x))


@vjp_rule("broadcast_to", np.broadcast_to)
def broadcast_to(g, ans, x, shape=None, xp=np):
    return unbroadcast(g, xp.shape(x), xp)
