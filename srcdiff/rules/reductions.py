"""Reductions: sum, mean, max/min, prod, var/std, cumsum, with ``axis`` and ``keepdims``;
builtin ``sum`` of a sequence.

Parameters mirror numpy's names and order (``out`` is left out: a consumer
that meets ``out=`` reports it as unsupported).  ``dtype`` is accepted and
ignored: the gradient takes ``g``'s dtype.
"""

from __future__ import annotations

import builtins

import numpy as np

from srcdiff.rules.helpers import (
    cumsum_grad,
    extreme_grad,
    prod_grad,
    reduced_count,
    unbroadcast_like,
    unreduce,
)
from srcdiff.rules.table import vjp_rule


@vjp_rule("sum", np.sum)
def sum_(g, ans, x, axis=None, dtype=None, keepdims=False, xp=np):
    return unreduce(g, x, axis, keepdims, xp)


@vjp_rule("mean", np.mean)
def mean(g, ans, x, axis=None, dtype=None, keepdims=False, xp=np):
    return unreduce(g, x, axis, keepdims, xp) / reduced_count(x, axis, xp)


@vjp_rule("max", np.max, np.amax)
def max_(g, ans, x, axis=None, keepdims=False, xp=np):
    """Tied maxima share the gradient evenly (as torch.amax)."""
    return extreme_grad(g, ans, x, axis, keepdims, xp)


@vjp_rule("min", np.min, np.amin)
def min_(g, ans, x, axis=None, keepdims=False, xp=np):
    """Tied minima share the gradient evenly (as torch.amin)."""
    return extreme_grad(g, ans, x, axis, keepdims, xp)


@vjp_rule("prod", np.prod)
def prod(g, ans, x, axis=None, dtype=None, keepdims=False, xp=np):
    """Exact where elements are 0 (no division by ``x``)."""
    return prod_grad(g, x, axis, keepdims, xp)


@vjp_rule("var", np.var)
def var(g, ans, x, axis=None, dtype=None, ddof=0, keepdims=False, xp=np):
    centered = x - xp.mean(x, axis=axis, keepdims=True)
    scale = 2.0 / (reduced_count(x, axis, xp) - ddof)
    return unreduce(g, x, axis, keepdims, xp) * centered * scale


@vjp_rule("std", np.std)
def std(g, ans, x, axis=None, dtype=None, ddof=0, keepdims=False, xp=np):
    centered = x - xp.mean(x, axis=axis, keepdims=True)
    scale = 1.0 / (reduced_count(x, axis, xp) - ddof)
    return unreduce(g / ans, x, axis, keepdims, xp) * centered * scale


@vjp_rule("cumsum", np.cumsum)
def cumsum(g, ans, x, axis=None, dtype=None, xp=np):
    return cumsum_grad(g, x, axis, xp)


@vjp_rule("builtin_sum", builtins.sum)
def builtin_sum(g, ans, iterable, start=0, xp=np):
    """``sum(iterable)``: a list with g for each element (summed to its shape if it broadcast)."""
    return [unbroadcast_like(g, item, xp) for item in iterable]
