"""Tests for srcdiff/rules/helpers.py: each helper is the adjoint of the linear map it
undoes, checked with the identity <g, A v> == <A^T g, v> on random data."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from srcdiff.rules import helpers
from tests.rules.gradcheck import RULE_SETTINGS, seeded, shapes


def _inner(a, b) -> float:
    return float(np.sum(np.asarray(a) * np.asarray(b)))


@RULE_SETTINGS
@given(pair=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3), data=st.data())
def test_unbroadcast_is_the_adjoint_of_broadcasting(pair, data) -> None:
    shape, target = pair.input_shapes[0], pair.result_shape
    rng = seeded(data)
    v, g = rng.standard_normal(shape), rng.standard_normal(target)
    got = helpers.unbroadcast(g, shape, np)
    assert np.shape(got) == shape
    np.testing.assert_allclose(_inner(got, v), _inner(g, np.broadcast_to(v, target)))


def test_unbroadcast_returns_g_itself_when_shapes_agree() -> None:
    g = np.ones((2, 3))
    assert helpers.unbroadcast(g, (2, 3), np) is g


def test_unbroadcast_like_sums_to_a_number_for_a_python_number() -> None:
    g = np.arange(6.0).reshape(2, 3)
    assert helpers.unbroadcast_like(g, 2.0, np) == pytest.approx(15.0)
    assert helpers.unbroadcast_like(g, np.zeros((1, 3)), np).shape == (1, 3)


def _axes(ndim: int) -> st.SearchStrategy:
    if ndim == 0:
        return st.none()
    return st.one_of(
        st.none(), st.integers(-ndim, ndim - 1), hnp.valid_tuple_axes(ndim, min_size=1)
    )


@RULE_SETTINGS
@given(shape=shapes(max_dims=4), data=st.data())
def test_unreduce_is_the_adjoint_of_sum(shape, data) -> None:
    axis = data.draw(_axes(len(shape)))
    keepdims = data.draw(st.booleans())
    rng = seeded(data)
    v = rng.standard_normal(shape)
    g = rng.standard_normal(np.shape(np.sum(v, axis=axis, keepdims=keepdims)))
    got = helpers.unreduce(g, v, axis, keepdims, np)
    assert got.shape == shape
    np.testing.assert_allclose(_inner(got, v), _inner(g, np.sum(v, axis=axis, keepdims=keepdims)))
    assert helpers.reduced_count(v, axis, np) * np.sum(v, axis=axis).size == v.size


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3,)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)),
    ((1, 2, 3), (5, 3, 4)),
    ((6, 1, 2, 3), (5, 3, 4)),
]


@pytest.mark.parametrize("x_shape, y_shape", MATMUL_SHAPES)
def test_matmul_grads_are_adjoints_for_1d_2d_and_batched(x_shape, y_shape) -> None:
    """matmul is bilinear: <g, dx @ y> = <grad_left, dx> and <g, x @ dy> = <grad_right, dy>."""
    rng = np.random.default_rng(sum(x_shape) * 31 + sum(y_shape))
    x, y = rng.standard_normal(x_shape), rng.standard_normal(y_shape)
    dx, dy = rng.standard_normal(x_shape), rng.standard_normal(y_shape)
    g = rng.standard_normal(np.shape(x @ y))
    left = helpers.matmul_grad_left(g, x, y, np)
    right = helpers.matmul_grad_right(g, x, y, np)
    assert left.shape == x_shape and right.shape == y_shape
    np.testing.assert_allclose(_inner(left, dx), _inner(g, dx @ y))
    np.testing.assert_allclose(_inner(right, dy), _inner(g, x @ dy))


@RULE_SETTINGS
@given(shape=shapes(max_dims=4), data=st.data())
def test_inverse_axes_undo_a_transpose(shape, data) -> None:
    axes = data.draw(st.permutations(range(len(shape))))
    if data.draw(st.booleans()):
        axes = [a - len(shape) for a in axes]
    x = np.arange(float(np.prod(shape))).reshape(shape)
    back = np.transpose(np.transpose(x, axes), helpers.inverse_axes(axes, len(shape)))
    np.testing.assert_array_equal(back, x)
    assert helpers.inverse_axes(None, len(shape)) is None


@RULE_SETTINGS
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_scatter_into_zeros_is_the_adjoint_of_indexing(shape, data) -> None:
    index = data.draw(
        st.one_of(
            hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True),
            hnp.integer_array_indices(shape),
            hnp.arrays(bool, shape),
        )
    )
    rng = seeded(data)
    v = rng.standard_normal(shape)
    g = rng.standard_normal(np.shape(v[index]))
    got = helpers.scatter_into_zeros(g, v, index, np)
    assert got.shape == shape
    np.testing.assert_allclose(_inner(got, v), _inner(g, v[index]))


def test_scatter_into_zeros_adds_repeated_indices() -> None:
    index = np.array([2, 0, 2, 2])
    g = np.array([1.0, 10.0, 100.0, 1000.0])
    want = np.zeros(3)
    for k, i in enumerate(index):
        want[i] += g[k]
    np.testing.assert_array_equal(helpers.scatter_into_zeros(g, np.zeros(3), index, np), want)


def test_einsum_grad_rejects_a_wrong_operand_count() -> None:
    with pytest.raises(ValueError, match="names 2 operands, got 1"):
        helpers.einsum_grad(np.ones(()), "i,i->", [np.ones(3)], 0, np)


def test_einsum_implicit_output_follows_numpy_order() -> None:
    """Implicit mode sorts the output letters (upper case first): 'bA' means 'bA->Ab'."""
    x = np.arange(6.0).reshape(2, 3)
    g = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(helpers.einsum_grad(g, "bA", [x], 0, np), g.T)


def test_matrix_norm_grad_refuses_an_unknown_ord() -> None:
    with pytest.raises(ValueError, match="matrix norm ord=3"):
        helpers.norm_grad(1.0, 1.0, np.eye(2), 3, (0, 1), False, np)
