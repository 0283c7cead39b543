"""Property tests for srcdiff/rules/shape.py: reshapes, transposes (``.T`` is axes=None),
joins (a sequence input gets a list of gradients), tiling and repeating."""

from __future__ import annotations

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
)

VALUES = reals(-3.0, 3.0)


def _x(data: st.DataObject, min_dims: int = 0) -> np.ndarray:
    return array(data, data.draw(shapes(min_dims=min_dims)), VALUES)


def _reshape(data: st.DataObject) -> tuple[list, dict]:
    x = _x(data)
    target = data.draw(st.sampled_from([(-1,), (x.size,), (1, -1), x.shape[::-1], ()]))
    if target == () and x.size != 1:
        target = (-1,)
    return [x], {"shape": target}


def _any_array(data: st.DataObject) -> tuple[list, dict]:
    return [_x(data)], {}


def _transpose(data: st.DataObject) -> tuple[list, dict]:
    x = _x(data)
    axes = data.draw(st.one_of(st.none(), st.permutations(range(x.ndim))))
    if axes is not None and data.draw(st.booleans()):
        axes = [a - x.ndim for a in axes]  # negative axes
    return [x], {"axes": axes}


def _squeeze(data: st.DataObject) -> tuple[list, dict]:
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2))
    x = array(data, shape, VALUES)
    ones = [i for i, n in enumerate(shape) if n == 1]
    axis = data.draw(st.one_of(st.none(), st.sampled_from(ones))) if ones else None
    return [x], {"axis": axis}


def _expand_dims(data: st.DataObject) -> tuple[list, dict]:
    x = _x(data)
    axis = data.draw(st.one_of(st.integers(-x.ndim - 1, x.ndim), st.just((0, -1))))
    return [x], {"axis": axis}


def _broadcast_to(data: st.DataObject) -> tuple[list, dict]:
    pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x = array(data, pair.input_shapes[0], VALUES)
    return [x], {"shape": pair.result_shape}


def _flip(data: st.DataObject) -> tuple[list, dict]:
    x = _x(data, min_dims=1)
    axis = data.draw(
        st.one_of(
            st.none(),
            st.integers(-x.ndim, x.ndim - 1),
            hnp.valid_tuple_axes(x.ndim, min_size=1),
        )
    )
    return [x], {"axis": axis}


def _join(stack: bool):
    def draw(data: st.DataObject) -> tuple[list, dict]:
        shape = list(data.draw(shapes(min_dims=0 if stack else 1)))
        count = data.draw(st.integers(1, 3))
        if stack:
            axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
            parts = [array(data, tuple(shape), VALUES) for _ in range(count)]
        else:
            axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
            parts = []
            for _ in range(count):
                if axis is not None:
                    shape[axis] = data.draw(st.integers(1, 3))
                parts.append(array(data, tuple(shape), VALUES))
        container = data.draw(st.sampled_from([list, tuple]))
        return [container(parts)], {"axis": axis}

    return draw


def _tile(data: st.DataObject) -> tuple[list, dict]:
    x = _x(data)
    reps = data.draw(st.one_of(st.integers(1, 3), st.lists(st.integers(1, 2), max_size=4)))
    return [x], {"reps": reps}


def _repeat(data: st.DataObject) -> tuple[list, dict]:
    x = _x(data, min_dims=1)
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    n = x.size if axis is None else x.shape[axis]
    repeats = data.draw(
        st.one_of(st.integers(0, 3), hnp.arrays(np.int64, (n,), elements=st.integers(0, 3)))
    )
    return [x], {"repeats": repeats, "axis": axis}


CASES = [
    Case("reshape", np.reshape, _reshape),
    Case("copy", np.copy, _any_array),
    Case("ravel", np.ravel, _any_array),
    Case("transpose", np.transpose, _transpose),
    Case("squeeze", np.squeeze, _squeeze),
    Case("expand_dims", np.expand_dims, _expand_dims),
    Case("broadcast_to", np.broadcast_to, _broadcast_to),
    Case("flip", np.flip, _flip),
    Case("concatenate", np.concatenate, _join(stack=False)),
    Case("stack", np.stack, _join(stack=True)),
    Case("tile", np.tile, _tile),
    Case("repeat", np.repeat, _repeat),
]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
@RULE_SETTINGS
@given(data=st.data())
def test_rule_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    check_case(case, data)
