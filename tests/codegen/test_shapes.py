"""Static shapes (srcdiff/codegen/shapes.py) and the size-pattern specialisation.

The analysis decides where a gradient is summed down after broadcasting; a
wrong decision is a wrong gradient, so the end-to-end tests here call one
gradient with argument shapes that broadcast differently, and run shapes that
change from one loop iteration to the next, against finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest

import srcdiff
from srcdiff.codegen.kinds import kind_of, with_size_pattern
from srcdiff.codegen.shapes import Opaque, Unknown, broadcast, join, reduction_axes, same
from tests.codegen.fd import assert_grad_matches, fd_grad


def _memo():
    table = {}

    def memo(key):
        if key not in table:
            table[key] = Opaque(False) if key[-1] == "opaque" else Unknown(False)
        return table[key]

    return memo


def _gradient_source(fn, args: tuple, wrt=0) -> str:
    """The code ``grad`` runs from the second call on (the gradient-only version)."""
    df = srcdiff.grad(fn, wrt=wrt)
    df(*args)
    df(*args)
    return srcdiff.source(df)


# ---------------------------------------------------------------- the pattern


def test_size_pattern_names_equal_sizes_alike_and_keeps_ones() -> None:
    kinds = tuple(kind_of(np.zeros(s)) for s in [(32, 64), (64, 128), (128,), (1, 128)])
    pattern = with_size_pattern(kinds)
    assert [k[3] for k in pattern] == [("n0", "n1"), ("n1", "n2"), ("n2",), (1, "n2")]


def test_size_pattern_reaches_into_structures_and_ignores_numbers() -> None:
    kinds = (kind_of([np.zeros(3), np.zeros((3, 5))]), kind_of(2.0), kind_of({"w": np.zeros(5)}))
    pattern = with_size_pattern(kinds)
    assert pattern[0][2][0][3] == ("n0",) and pattern[0][2][1][3] == ("n0", "n1")
    assert pattern[1] == "scalar"
    assert pattern[2][1][0][1][3] == ("n1",)


def test_a_new_batch_size_reuses_the_transformation() -> None:
    df = srcdiff.grad(_affine, wrt=(1, 2))
    rng = np.random.default_rng(0)
    for n in (4, 7):
        x, w, b = rng.normal(size=(n, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
        df(x, w, b)
        df(x, w, b)
    sources = {srcdiff.source(df)}
    assert len(sources) == 1 and ".sum(axis=0)" in sources.pop()


# ---------------------------------------------------------------- the lattice


def test_broadcast_of_known_dims() -> None:
    memo = _memo()
    assert broadcast([("n0", "n1"), ("n1",)], memo, 0) == ("n0", "n1")
    assert broadcast([("n0", 1), (1, "n1")], memo, 0) == ("n0", "n1")
    assert broadcast([(), ("n0",)], memo, 0) == ("n0",)


def test_an_unknown_dim_against_a_size_is_that_size() -> None:
    memo = _memo()
    u = Unknown(True)
    assert broadcast([(u,), ("n0",)], memo, 0) == ("n0",)
    both = broadcast([(u,), (Unknown(True),)], memo, 0)
    assert isinstance(both[0], Unknown) and both[0] is not u


def test_join_keeps_what_both_sides_agree_on() -> None:
    memo = _memo()
    joined = join(("n0", "n1"), ("n0", 1), memo, "x")
    assert joined[0] == "n0" and isinstance(joined[1], Unknown)
    assert isinstance(join(("n0",), ("n0", "n1"), memo, "x"), Opaque)


def test_unstable_unknowns_are_never_the_same() -> None:
    stable, unstable = Unknown(True), Unknown(False)
    assert same((stable,), (stable,))
    assert not same((unstable,), (unstable,))
    assert not same((Unknown(True),), (Unknown(True),))


@pytest.mark.parametrize(
    "source, target, axes",
    [
        (("n0", "n1"), ("n1",), ((0,), ())),
        (("n0", "n1"), (1, "n1"), ((), (0,))),
        (("n0", "n1", "n2"), ("n1", 1), ((0,), (2,))),
        (("n0", "n1"), ("n0", "n1"), ((), ())),
    ],
)
def test_reduction_axes_when_the_shapes_tell(source, target, axes) -> None:
    assert reduction_axes(source, target) == axes


def test_a_literal_size_broadcast_against_a_symbol_is_that_symbol() -> None:
    memo = _memo()
    assert broadcast([("n0",), (3,)], memo, 0) == ("n0",)
    assert broadcast([(3,), (1,)], memo, 0) == (3,)
    # an operand's size other than 1 was not broadcast: nothing to sum over
    assert reduction_axes(("n0", "n1"), (3, 1)) == ((), (1,))
    assert not same(("n0",), (3,))  # equal only where a broadcast proved it


def test_reduction_axes_unknown_when_the_operand_may_have_been_broadcast() -> None:
    assert reduction_axes(("n0",), (Unknown(True),)) is None
    assert reduction_axes(("n0",), ("n0", "n1")) is None


# ---------------------------------------------------------------- end to end


def _affine(x, w, b):
    return np.sum(np.tanh(x @ w + b) ** 2)


def _scaled(x, b):
    return np.sum(np.sin(x * b) + b)


@pytest.mark.parametrize("b_shape", [(3,), (1,), (4, 1), (1, 1), ()])
def test_one_gradient_called_with_shapes_that_broadcast_differently(b_shape) -> None:
    rng = np.random.default_rng(1)
    df = srcdiff.grad(_scaled, wrt=(0, 1))
    x = rng.normal(size=(4, 3))
    b = rng.normal(size=b_shape) if b_shape else 0.7
    df(x, b)  # first call: the fused code; the second runs the grad-only code
    assert_grad_matches(_scaled, (x, b), wrt=(0, 1))
    grads = df(x, b)
    assert np.shape(grads[1]) == np.shape(b)


def _made_arrays(x, w):
    k = np.arange(6.0).reshape(2, 3)
    m = np.where(np.ones(2) @ k > 2.0, x * np.ones(3), w)
    return np.sum(m * k) + np.sum(np.zeros_like(w) + w * np.eye(3) + np.array([1.0, 2.0, 3.0]))


def test_arrays_made_in_the_code_have_the_shapes_their_literals_say() -> None:
    """np.arange(...).reshape(2, 3), np.ones(2) @ k, np.eye(3), np.array([...]):
    the gradients are summed along known axes, with no shape test at run time."""
    args = (0.7, np.array([0.5, -1.0, 2.0]))
    assert_grad_matches(_made_arrays, args, wrt=(0, 1))
    df = srcdiff.grad(_made_arrays, wrt=(0, 1))
    df(*args)
    assert "unbroadcast" not in srcdiff.source(df)


def _slices_of_changing_size(x, w):
    total = 0.0
    for k in range(1, 3):
        a = w[: 2 * k - 1]  # one element, then three: broadcast, then not
        total = total + np.sum(np.sin(a * x))
    return total


def test_shapes_that_change_between_iterations_are_summed_at_run_time() -> None:
    rng = np.random.default_rng(2)
    args = (rng.normal(size=3), rng.normal(size=3))
    assert_grad_matches(_slices_of_changing_size, args, wrt=(0, 1))
    df = srcdiff.grad(_slices_of_changing_size, wrt=(0, 1))
    df(*args)
    assert "unbroadcast_as" in srcdiff.source(df)


def _carried_then_reused(x, w):
    prev = w[:1]
    total = 0.0
    for k in range(1, 4, 2):
        cur = w[:k]  # sizes 1 then 3
        total = total + np.sum(np.cos(cur * prev * x))
        prev = cur
    return total


def test_a_value_carried_across_iterations_is_not_assumed_the_same_size() -> None:
    rng = np.random.default_rng(3)
    assert_grad_matches(_carried_then_reused, (rng.normal(size=3), rng.normal(size=3)), wrt=(0, 1))


def test_repeated_calls_alternating_shapes_stay_right() -> None:
    """The third call on a shape takes the wrapper's fast path; switching
    shapes back and forth must always find the code for the call's shapes."""
    rng = np.random.default_rng(4)
    df = srcdiff.grad(_scaled, wrt=(0, 1))
    cases = [(rng.normal(size=(4, 3)), rng.normal(size=3)), (rng.normal(size=(2, 5)), 0.4)]
    wants = [tuple(fd_grad(_scaled, args, (0, 1))) for args in cases]
    for _ in range(3):
        for args, want in zip(cases, wants, strict=True):
            got = df(*args)
            for g, w in zip(got, want, strict=True):
                np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)
                assert np.shape(g) == np.shape(w)


# ---------------------------------------------------------------- slices, reshapes, axes


def _neighbours(x):
    return np.sum(x[1:] * x[:-1]) + np.sum(x[2:] - x[:-2] * x[1:-1])


@pytest.mark.parametrize("n", [1, 2, 3, 6])
def test_slices_that_trim_alike_have_one_shape(n) -> None:
    """x[1:] and x[:-1] are both n - 1 long (x[1:-1] and x[2:] n - 2), whatever
    n is; even when that is 1 or 0 the two sides have the same shape."""
    x = np.random.default_rng(5).normal(size=n)
    assert_grad_matches(_neighbours, (x,))
    assert "unbroadcast" not in _gradient_source(_neighbours, (x,))


def _trims_differ(x):
    return np.sum(x[1:] * x[2:])  # sizes n - 1 and n - 2: broadcast only when n is 3


def test_slices_that_trim_differently_are_summed_at_run_time() -> None:
    x = np.random.default_rng(6).normal(size=3)
    assert_grad_matches(_trims_differ, (x,))
    assert "unbroadcast" in _gradient_source(_trims_differ, (x,))


def _literal_slices(w):
    return np.sum(np.arange(6.0)[1:4] * w) + np.sum(np.ones((4, 5))[::2, 1:] * w[0])


def test_slices_of_literal_sizes_are_exact() -> None:
    w = np.random.default_rng(7).normal(size=3)
    assert_grad_matches(_literal_slices, (w,))
    assert "unbroadcast" not in _gradient_source(_literal_slices, (w,))


def _reshaped_rows(x):
    y = x.reshape(2, 6)
    z = np.reshape(x, (3, 4))
    return np.sum(y[0] * y[1]) + np.sum(z[:, 0] * z[:, 1])


def _row_normalised(x):
    mu = np.mean(x, axis=-1, keepdims=True)
    return np.sum((x - mu) / np.sqrt(np.var(x, axis=-1, keepdims=True) + 1e-5) * x)


@pytest.mark.parametrize("fn", [_reshaped_rows, _row_normalised])
def test_literal_reshapes_and_negative_axes_have_known_shapes(fn) -> None:
    x = np.random.default_rng(8).normal(size=(2, 6) if fn is _row_normalised else 12)
    assert_grad_matches(fn, (x,))
    assert "unbroadcast" not in _gradient_source(fn, (x,))


def _descent(w0):
    w = w0
    target = np.array([1.0, -1.0, 0.5, 0.0])  # a negative literal: still a known shape
    for _ in range(3):
        w = w - 0.1 * (2.0 * (w - target) + np.cos(w))
    return np.sum((w - target) ** 2)


def test_array_literals_with_negative_numbers_have_their_shape() -> None:
    w0 = np.random.default_rng(9).normal(size=4)
    assert_grad_matches(_descent, (w0,))
    assert "unbroadcast" not in _gradient_source(_descent, (w0,))


def _items_read(params, xs, pair):
    h = np.tanh(params["w"] * xs[0] + params["b"])
    for _ in range(2):  # read inside a loop too
        h = h * xs[1]
    return np.sum(h) + np.sum(pair[0] @ pair[1])


def test_items_of_arguments_only_read_keep_the_call_s_shapes() -> None:
    rng = np.random.default_rng(10)
    params = {"w": rng.normal(size=3), "b": 0.3}
    xs = [rng.normal(size=3), rng.normal(size=3)]
    pair = (rng.normal(size=(2, 3)), rng.normal(size=3))
    args = (params, xs, pair)
    assert_grad_matches(_items_read, args, wrt=(0, 1, 2))
    assert "unbroadcast" not in _gradient_source(_items_read, args, wrt=(0, 1, 2))


def _items_changed(xs, ys):
    xs.insert(0, xs[1][:1])  # xs[0] now has one element, not three
    total = np.sum(xs[0] * xs[2])
    for y in ys:  # ys is not only indexed: its items' shapes are not assumed
        total = total + np.sum(y * ys[0])
    return total


def test_items_of_arguments_that_change_are_summed_at_run_time() -> None:
    rng = np.random.default_rng(11)
    xs = [rng.normal(size=3), rng.normal(size=3)]
    ys = [rng.normal(size=1), rng.normal(size=3)]
    assert_grad_matches(_items_changed, (xs, ys), wrt=(0, 1))
