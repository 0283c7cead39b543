"""Property tests for srcdiff/rules/elementwise.py: every rule, every primal, against
float64 central differences (arrays of any rank with broadcasting, and Python floats)."""

from __future__ import annotations

import builtins
import math
import operator

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rules.gradcheck import (
    RULE_SETTINGS,
    Case,
    array,
    away_from_zero,
    binary,
    case_ids,
    check_case,
    floats,
    grid,
    reals,
    shapes,
    unary,
)

ANY = reals(-3.0, 3.0)
POSITIVE = reals(0.1, 4.0)
UNIT = reals(-0.9, 0.9)  # inside (-1, 1): arcsin, arccos, arctanh
NONZERO = away_from_zero(0.3, 3.0)
OFF_GRID = grid(0.3)  # never an integer, a half or 0: steps and kinks stay out of reach

# Unary rules: (rule, numpy primal, math primal or None, smooth domain).
UNARY = [
    ("neg", np.negative, operator.neg, ANY),
    ("pos", np.positive, operator.pos, ANY),
    ("reciprocal", np.reciprocal, None, NONZERO),
    ("square", np.square, None, ANY),
    ("sqrt", np.sqrt, math.sqrt, POSITIVE),
    ("exp", np.exp, math.exp, ANY),
    ("exp2", np.exp2, math.exp2, ANY),
    ("expm1", np.expm1, math.expm1, ANY),
    ("log", np.log, None, POSITIVE),
    ("log2", np.log2, math.log2, POSITIVE),
    ("log10", np.log10, math.log10, POSITIVE),
    ("log1p", np.log1p, math.log1p, reals(-0.9, 3.0)),
    ("sin", np.sin, math.sin, ANY),
    ("cos", np.cos, math.cos, ANY),
    ("tan", np.tan, math.tan, reals(-1.2, 1.2)),
    ("arcsin", np.arcsin, math.asin, UNIT),
    ("arccos", np.arccos, math.acos, UNIT),
    ("arctan", np.arctan, math.atan, ANY),
    ("sinh", np.sinh, math.sinh, ANY),
    ("cosh", np.cosh, math.cosh, ANY),
    ("tanh", np.tanh, math.tanh, ANY),
    ("arcsinh", np.arcsinh, math.asinh, ANY),
    ("arccosh", np.arccosh, math.acosh, reals(1.1, 4.0)),
    ("arctanh", np.arctanh, math.atanh, UNIT),
    ("abs", np.abs, math.fabs, NONZERO),
    ("piecewise_constant", np.sign, None, NONZERO),
    ("piecewise_constant", np.floor, math.floor, OFF_GRID),
    ("piecewise_constant", np.ceil, math.ceil, OFF_GRID),
    ("piecewise_constant", np.trunc, math.trunc, OFF_GRID),
    ("piecewise_constant", np.rint, None, OFF_GRID),
]

# Binary broadcasting rules: (rule, numpy primal, operator/math/builtin primals, x and y domains).
BINARY = [
    ("add", np.add, [operator.add], ANY, ANY),
    ("sub", np.subtract, [operator.sub], ANY, ANY),
    ("mul", np.multiply, [operator.mul], ANY, ANY),
    ("div", np.divide, [operator.truediv], ANY, NONZERO),
    ("pow", np.power, [operator.pow, math.pow], reals(0.2, 3.0), reals(-2.0, 2.0)),
    ("logaddexp", np.logaddexp, [], ANY, ANY),
    ("arctan2", np.arctan2, [math.atan2], NONZERO, NONZERO),
    ("hypot", np.hypot, [math.hypot], NONZERO, NONZERO),
    ("maximum", np.maximum, [builtins.max], grid(0.25), grid(0.0)),
    ("minimum", np.minimum, [builtins.min], grid(0.25), grid(0.0)),
    # x / y with y in {2, -4} and x in Z + 0.3 is never an integer: no step nearby.
    ("floor_divide", np.floor_divide, [operator.floordiv], OFF_GRID, st.sampled_from([2.0, -4.0])),
    ("mod", np.remainder, [operator.mod], OFF_GRID, st.sampled_from([2.0, -4.0])),
]


def _math_cases() -> list[Case]:
    """Python floats through math/builtin/operator primals; ``xp=math`` where the rule takes xp."""
    cases = [Case(r, m, floats(dom), xp=math) for r, _, m, dom in UNARY if m is not None]
    for r, _, others, dx, dy in BINARY:
        cases += [Case(r, p, floats(dx, dy), xp=math) for p in others]
    return cases


def _where(data: st.DataObject) -> tuple[list, dict]:
    pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    c_shape, x_shape, y_shape = pair.input_shapes
    condition = data.draw(hnp.arrays(bool, c_shape))
    return [condition, array(data, x_shape, ANY), array(data, y_shape, ANY)], {}


def _clip(data: st.DataObject) -> tuple[list, dict]:
    x = array(data, data.draw(shapes()), OFF_GRID)
    low = data.draw(st.one_of(st.none(), grid(0.0, -3, 0)))
    high = data.draw(grid(0.0, 0, 3) if low is None else st.one_of(st.none(), grid(0.0, 0, 3)))
    return [x], {"a_min": low, "a_max": high}


CASES = [
    *[Case(r, p, unary(dom)) for r, p, _, dom in UNARY],
    *[Case(r, p, binary(dx, dy)) for r, p, _, dx, dy in BINARY],
    *[
        Case(r, p, binary(dx, dy), label="[arrays]")
        for r, _, ps, dx, dy in BINARY
        for p in ps
        if p.__module__ == "_operator"
    ],
    *_math_cases(),
    Case(
        "pow",
        np.power,
        binary(reals(-3.0, 3.0), st.sampled_from([2.0, 3.0])),
        wrt=(0,),
        label="[negative base]",
    ),
    Case("math_log", math.log, floats(POSITIVE), xp=math),
    Case(
        "math_log",
        math.log,
        floats(POSITIVE, base=st.sampled_from([2.0, 10.0])),
        xp=math,
        by_position=True,
        label="[base]",
    ),
    Case("erf", math.erf, floats(ANY), xp=math),
    Case("abs", np.abs, unary(NONZERO), label="[np]"),
    Case("abs", operator.abs, unary(NONZERO)),
    Case("abs", builtins.abs, unary(NONZERO), label="[array]"),
    Case("abs", builtins.abs, floats(NONZERO), label="[float]"),
    Case("clip", np.clip, _clip),
    Case("where", np.where, _where),
    Case("round", np.round, unary(OFF_GRID, decimals=st.sampled_from([0, 1]))),
    Case("round", np.around, unary(OFF_GRID)),
    Case("round", builtins.round, floats(OFF_GRID)),
    Case(
        "round",
        builtins.round,
        floats(OFF_GRID, decimals=st.sampled_from([0, 1])),
        by_position=True,
        label="[ndigits]",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
@RULE_SETTINGS
@given(data=st.data())
def test_rule_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    check_case(case, data)


def test_abs_gradient_is_zero_at_zero() -> None:
    """PyTorch's convention at the kink: abs'(0) = 0 (not a one-sided derivative)."""
    from srcdiff.rules import RULES

    fn = RULES["abs"].input_vjps()[0]
    np.testing.assert_array_equal(fn(np.ones(3), None, np.array([-2.0, 0.0, 2.0])), [-1, 0, 1])
    assert fn(1.5, None, 0.0) == 0.0


@pytest.mark.parametrize("primal", [builtins.max, builtins.min, np.maximum, np.minimum])
def test_ties_go_to_the_first_argument_as_builtin_max_returns_it(primal) -> None:
    from srcdiff.rules import rule_for

    fx, fy = rule_for(primal).input_vjps()
    assert primal(2.0, 2.0) == 2.0
    assert (fx(1.0, 2.0, 2.0, 2.0), fy(1.0, 2.0, 2.0, 2.0)) == (1.0, 0.0)
