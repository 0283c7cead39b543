"""Property tests for srcdiff/rules/reductions.py: every reduction over random shapes,
``axis`` (None, int, negative, tuple) and ``keepdims``, against central differences."""

from __future__ import annotations

import builtins

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from srcdiff.rules import RULES
from tests.rules.gradcheck import (
    RULE_SETTINGS,
    Case,
    array,
    away_from_zero,
    case_ids,
    check_case,
    reals,
    shapes,
    unique_array,
)


def axes(ndim: int) -> st.SearchStrategy:
    """None, one axis (negative too) or a tuple of distinct axes of an ``ndim``-d array."""
    choices = [st.none()]
    if ndim:
        choices += [st.integers(-ndim, ndim - 1), hnp.valid_tuple_axes(ndim, min_size=1)]
    return st.one_of(*choices)


def reduction(values: str = "any", ddof: bool = False, dtype: bool = False, keepdims: bool = True):
    """Draw ``x``, ``axis``, ``keepdims`` (and ``ddof``/``dtype``) for a reduction."""

    def draw(data: st.DataObject) -> tuple[list, dict]:
        shape = data.draw(shapes())
        if values == "unique":
            x = unique_array(data, shape)
        elif values == "with zeros":  # prod is multilinear: exact at 0 too
            x = array(data, shape, st.one_of(st.just(0.0), away_from_zero(0.5, 1.5)))
        else:
            x = array(data, shape, reals(-3.0, 3.0))
        params = {"axis": data.draw(axes(len(shape)))}
        if keepdims:
            params["keepdims"] = data.draw(st.booleans())
        if dtype and data.draw(st.booleans()):
            params["dtype"] = np.float64
        if ddof:
            params["ddof"] = data.draw(st.sampled_from([0, 1]))
            if _count(x, params["axis"]) <= params["ddof"]:
                params["ddof"] = 0
        return [x], params

    return draw


def _count(x: np.ndarray, axis) -> int:
    return x.size if axis is None else int(np.prod([x.shape[a] for a in np.atleast_1d(axis)]))


def _std_input(data: st.DataObject) -> tuple[list, dict]:
    """std needs a spread (its gradient divides by it): distinct values, 2+ per group."""
    inputs, params = reduction("unique", ddof=True, dtype=True)(data)
    if _count(inputs[0], params["axis"]) < 2:
        params["axis"] = None
    if inputs[0].size < 2:
        inputs[0] = np.array([1.0, -2.0])
    return inputs, params


CASES = [
    Case("sum", np.sum, reduction(dtype=True)),
    Case("mean", np.mean, reduction(dtype=True)),
    Case("max", np.max, reduction("unique")),
    Case("max", np.amax, reduction("unique")),
    Case("min", np.min, reduction("unique")),
    Case("min", np.amin, reduction("unique")),
    Case("prod", np.prod, reduction("with zeros", dtype=True)),
    Case("var", np.var, reduction(ddof=True, dtype=True)),
    Case("std", np.std, _std_input),
    Case("cumsum", np.cumsum, reduction(keepdims=False)),
]


def _cumsum_axis(data: st.DataObject) -> tuple[list, dict]:
    shape = data.draw(shapes(min_dims=1))
    x = array(data, shape, reals(-3.0, 3.0))
    return [x], {"axis": data.draw(st.integers(-len(shape), len(shape) - 1))}


def _builtin_sum(data: st.DataObject) -> tuple[list, dict]:
    """A list of Python floats, or of arrays whose shapes broadcast together."""
    count = data.draw(st.integers(0, 4))
    if data.draw(st.booleans()):
        return [[data.draw(reals(-3.0, 3.0)) for _ in range(count)]], {}
    group = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=max(count, 1), max_dims=2))
    items = [array(data, s, reals(-3.0, 3.0)) for s in group.input_shapes[:count]]
    return [items], {"start": data.draw(st.sampled_from([0, 1.5]))}


CASES += [
    Case("cumsum", np.cumsum, _cumsum_axis, label="[int axis]"),
    Case("builtin_sum", builtins.sum, _builtin_sum, by_position=True),
]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
@RULE_SETTINGS
@given(data=st.data())
def test_rule_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    check_case(case, data)


@pytest.mark.parametrize("name", ["max", "min"])
@RULE_SETTINGS
@given(x=hnp.arrays(np.float64, (3, 4), elements=st.integers(-1, 1).map(float)), axis=axes(2))
def test_ties_share_the_gradient_evenly(name: str, x: np.ndarray, axis) -> None:
    """At a tie there is no derivative; the rule picks the mean of the one-sided ones (as
    torch.amax): each tied element gets g / count and the total over the group is g."""
    primal = np.max if name == "max" else np.min
    ans = primal(x, axis=axis, keepdims=True)
    g = np.arange(1.0, ans.size + 1).reshape(ans.shape)
    got = RULES[name].input_vjps()[0](g, ans, x, axis=axis, keepdims=True)
    hit = x == ans
    count = np.sum(hit, axis=axis, keepdims=True)
    np.testing.assert_allclose(got[hit], np.broadcast_to(g / count, x.shape)[hit])
    assert np.all(got[~hit] == 0)
    np.testing.assert_allclose(np.sum(got, axis=axis, keepdims=True), g)
