"""Shape manipulation: reshape, transpose, expand/squeeze, broadcast, join, repeat.

Joins take a sequence of arrays as their first input: ``concatenate`` and
``stack`` return for it a list of gradients, one per array, in order.
"""

from __future__ import annotations

import numpy as np

from srcdiff.rules.helpers import (
    concatenate_grad,
    inverse_axes,
    repeat_grad,
    tile_grad,
    unbroadcast,
)
from srcdiff.rules.table import vjp_rule


@vjp_rule("reshape", np.reshape)
def reshape(g, ans, x, shape=None, xp=np):
    return xp.reshape(g, xp.shape(x))


@vjp_rule("copy", np.copy)
def copy(g, ans, x):
    return g


@vjp_rule("ravel", np.ravel)
def ravel(g, ans, x, xp=np):
    return xp.reshape(g, xp.shape(x))


@vjp_rule("transpose", np.transpose)
def transpose(g, ans, x, axes=None, xp=np):
    """Also the rule for ``x.T`` (axes=None)."""
    return xp.transpose(g, inverse_axes(axes, len(xp.shape(x))))


@vjp_rule("squeeze", np.squeeze)
def squeeze(g, ans, x, axis=None, xp=np):
    return xp.reshape(g, xp.shape(x))


@vjp_rule("expand_dims", np.expand_dims)
def expand_dims(g, ans, x, axis=None, xp=np):
    return xp.reshape(g, xp.shape(x))


@vjp_rule("broadcast_to", np.broadcast_to)
def broadcast_to(g, ans, x, shape=None, xp=np):
    return unbroadcast(g, xp.shape(x), xp)


@vjp_rule("flip", np.flip)
def flip(g, ans, x, axis=None, xp=np):
    return xp.flip(g, axis)


@vjp_rule("concatenate", np.concatenate)
def concatenate(g, ans, arrays, axis=0, xp=np):
    """``arrays`` is a sequence: its gradient is a list with one array per element."""
    return concatenate_grad(g, arrays, axis, xp)


@vjp_rule("stack", np.stack)
def stack(g, ans, arrays, axis=0, xp=np):
    """``arrays`` is a sequence: its gradient is a list with one array per element."""
    return list(xp.moveaxis(g, axis, 0))


@vjp_rule("tile", np.tile)
def tile(g, ans, x, reps=None, xp=np):
    return tile_grad(g, x, reps, xp)


@vjp_rule("repeat", np.repeat)
def repeat(g, ans, x, repeats=None, axis=None, xp=np):
    return repeat_grad(g, x, repeats, axis, xp)
