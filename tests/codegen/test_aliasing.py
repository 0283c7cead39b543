"""Which arguments a call keeps or hands back (srcdiff/codegen/aliasing.py), and
the writes this lets srcdiff differentiate instead of refusing."""

from __future__ import annotations

import numpy as np
import pytest

import srcdiff
from srcdiff.codegen.aliasing import kept_parameters, returned_parameters
from tests.codegen.fd import assert_grad_matches


class Cell:
    def __init__(self, w, h):
        self.w = w
        self.h = h * 1.0

    def step(self, v):
        self.h = np.tanh(v * self.w) + self.h * 0.5
        return self.h * 2.0

    def transposed(self, v):
        return v.T

    def push(self, v):
        self.items.append(v)

    def store_a_view(self, v):
        u = v
        self.x = u[1:]

    def close_over(self, v):
        def later():
            return v

        self.later = later

    def count(self, v):
        self.n = len(v)
        return float(np.sum(v))


@pytest.mark.parametrize(
    "method, kept, returned",
    [
        (Cell.__init__, {"w"}, set()),
        (Cell.step, set(), set()),
        (Cell.transposed, set(), {"v"}),
        (Cell.push, {"self", "v"}, set()),  # self: the list it appends to
        (Cell.store_a_view, {"v"}, set()),
        (Cell.close_over, {"v"}, set()),
        (Cell.count, set(), set()),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_what_a_method_keeps_and_returns(method, kept, returned) -> None:
    assert kept_parameters(method) == kept
    assert returned_parameters(method) == returned


KEPT_FOREVER = []


def keeps_it(v):
    KEPT_FOREVER.append(v)


def hands_on(u, k):
    if k <= 0:
        return np.sum(u)
    return hands_on(u * 1.0, k - 1) + passes_through(u)


def passes_through(w):
    return w


def hands_to_a_keeper(u):
    keeps_it(u)


@pytest.mark.parametrize(
    "function, kept, returned",
    [
        (hands_on, set(), set()),  # the recursion and the helper hand on new values
        (passes_through, set(), {"w"}),
        (hands_to_a_keeper, {"u"}, set()),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_calls_to_user_functions_are_followed(function, kept, returned) -> None:
    assert kept_parameters(function) == kept
    assert returned_parameters(function) == returned


def test_code_that_cannot_be_read_keeps_everything() -> None:
    assert kept_parameters(np.add) is None and returned_parameters(len) is None


def new_array(b):
    return np.sin(b) * 2.0


def same_array(b):
    return b


def steps_then_writes(x, b):
    b = b * 1.0
    cell = Cell(x, b)  # keeps x, copies b (self.h = h * 1.0)
    total = np.sum(cell.step(b))  # reads b, keeps nothing
    b[0] = b[0] * x[0]
    total = total + np.sum(cell.step(b))
    r = new_array(b)  # a new array: r does not share b
    b[1] = 3.0
    return total + np.sum(r * b)


def test_writes_after_calls_that_keep_nothing_are_differentiated() -> None:
    rng = np.random.default_rng(5)
    assert_grad_matches(steps_then_writes, (rng.normal(size=3), rng.normal(size=3)), wrt=(0, 1))


def kept_by_constructor(x, b):
    cell = Cell(b, x)  # self.w = w keeps b
    b[0] = 2.0
    return np.sum(cell.step(x))


def returned_itself(x, b):
    r = same_array(b)
    b[0] = 2.0
    return np.sum(r * x)


@pytest.mark.parametrize(
    "fn, holder", [(kept_by_constructor, "Cell(b, x)"), (returned_itself, "'r'")]
)
def test_writes_into_arrays_a_call_keeps_or_returns_are_refused(fn, holder) -> None:
    with pytest.raises(srcdiff.SrcdiffError, match="write into 'b'") as info:
        srcdiff.grad(fn, wrt=(0, 1))(np.ones(3), np.ones(3))
    assert holder in str(info.value)


def reduces_a_view(u):
    return np.broadcast_to(u, (2, 3)).sum(axis=-2) + u


def reshapes_a_made_array(u):
    return np.asarray(u).reshape(-1)


def lists_new_values(u, t):
    rows = [(t * np.ones((2, 1))) @ u[:1, :2]]
    rows.append(u * 1.0)
    return np.sum(rows[0])


def lists_the_array_itself(u):
    rows = [u]
    rows.append(u * 1.0)
    return rows


@pytest.mark.parametrize(
    "function, kept, returned",
    [
        (reduces_a_view, set(), set()),  # .sum of numpy's array makes a new one
        (reshapes_a_made_array, set(), {"u"}),  # .reshape of it is a view
        (lists_new_values, set(), set()),  # the list holds new arrays only
        (lists_the_array_itself, {"u"}, {"u"}),
    ],
    ids=lambda v: getattr(v, "__name__", None),
)
def test_array_methods_and_list_literals(function, kept, returned) -> None:
    assert kept_parameters(function) == kept
    assert returned_parameters(function) == returned


def deep(u, k):
    if k <= 0:
        return np.broadcast_to(u, (2, 3)).sum(axis=-2)
    return np.tanh(deep(u * 0.5, k - 1)) + u


def writes_after_helpers(x, A):
    a = A.copy()
    total = 0.0
    for i in range(2):
        total = total + np.sum(deep(a, i) * x) + lists_new_values(a[None, :], x)
        a -= np.abs(A) * x  # a write after the helpers saw a: they kept nothing
    return total + np.sum(a * a)


def test_writes_after_recursive_helpers_that_keep_nothing_are_differentiated() -> None:
    rng = np.random.default_rng(6)
    args = (0.7, rng.normal(size=3))
    assert_grad_matches(writes_after_helpers, args, wrt=(0, 1))
