"""Property tests for srcdiff/rules/indexing.py: basic, advanced (repeated indices
accumulate) and boolean reads, take, sort, diagonals."""

from __future__ import annotations

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
    case_ids,
    check_case,
    reals,
    shapes,
    unique_array,
)

VALUES = reals(-3.0, 3.0)


def _getitem(data: st.DataObject) -> tuple[list, dict]:
    kind = data.draw(st.sampled_from(["basic", "integer", "boolean", "mixed", "scalar"]))
    shape = data.draw(shapes(min_dims=0 if kind == "basic" else 1))
    x = array(data, shape, VALUES)
    if kind == "basic":
        index = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    elif kind == "integer":  # may repeat an element: its gradient must add up
        index = data.draw(hnp.integer_array_indices(shape))
    elif kind == "boolean":
        depth = data.draw(st.integers(1, len(shape)))
        index = data.draw(hnp.arrays(bool, shape[:depth]))
    elif kind == "mixed":  # a slice and an integer array
        rows = data.draw(hnp.arrays(np.intp, (3,), elements=st.integers(0, shape[0] - 1)))
        index = (rows, slice(None, None, -1)) if len(shape) > 1 else rows
    else:  # a numpy integer scalar
        index = np.int64(data.draw(st.integers(-shape[0], shape[0] - 1)))
    return [x, index], {}


def _take(data: st.DataObject) -> tuple[list, dict]:
    shape = data.draw(shapes(min_dims=1))
    x = array(data, shape, VALUES)
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    n = x.size if axis is None else shape[axis]
    indices = data.draw(
        st.one_of(
            st.integers(-n, n - 1),
            hnp.arrays(np.intp, data.draw(shapes(max_dims=2)), elements=st.integers(-n, n - 1)),
        )
    )
    return [x, indices], {"axis": axis}


def _sort(data: st.DataObject) -> tuple[list, dict]:
    x = unique_array(data, data.draw(shapes(min_dims=1)))
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    return [x], {"axis": axis}


def _diagonal(data: st.DataObject) -> tuple[list, dict]:
    shape = data.draw(shapes(min_dims=2))
    axis1, axis2 = data.draw(hnp.valid_tuple_axes(len(shape), min_size=2, max_size=2))
    if data.draw(st.booleans()):
        axis1 = axis1 % len(shape) - len(shape)  # the same axis, counted from the end
    offset = data.draw(st.integers(-1, 1))
    return [array(data, shape, VALUES)], {"offset": offset, "axis1": axis1, "axis2": axis2}


def _diag(data: st.DataObject) -> tuple[list, dict]:
    v = array(data, data.draw(shapes(min_dims=1, max_dims=2)), VALUES)
    return [v], {"k": data.draw(st.integers(-1, 1))}


CASES = [
    Case("getitem", operator.getitem, _getitem),
    Case("take", np.take, _take),
    Case("sort", np.sort, _sort),
    Case("diagonal", np.diagonal, _diagonal),
    Case("diag", np.diag, _diag),
]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
@RULE_SETTINGS
@given(data=st.data())
def test_rule_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    check_case(case, data)
