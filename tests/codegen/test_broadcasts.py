"""Dropping np.broadcast_to of a gradient (srcdiff/codegen/broadcasts.py):
only where the arithmetic around it broadcasts to the same shape anyway."""

from __future__ import annotations

import numpy as np

import srcdiff
from tests.codegen.fd import assert_grad_matches
from tests.codegen.generated import generated_source


def squared_norm(x):
    return np.sum(x**2)


def sum_of_a_column(x):
    # the spread gradient meets only a smaller array: it must stay spread
    return np.sum(x[:, :1] * np.ones((1, 3)))


def doubling(a):
    b = a * 2
    while np.linalg.norm(b) < 100:
        b = b * 2
    return np.sum(b)


def test_the_seed_is_not_spread_when_the_product_spreads_it() -> None:
    x = np.random.default_rng(0).normal(size=(3, 2))
    assert_grad_matches(squared_norm, (x,))
    source = generated_source(squared_norm, x)
    assert "broadcast_to" not in source and "d_x = d_out * 2 * x" in source


def test_a_spread_next_to_smaller_arrays_stays_right() -> None:
    assert_grad_matches(sum_of_a_column, (np.random.default_rng(1).normal(size=(2, 3)),))


def test_a_number_carried_to_the_returned_gradient_stays_a_number() -> None:
    a = np.array([0.3, -0.1, 0.2])
    assert_grad_matches(doubling, (a,))
    grad = srcdiff.grad(doubling)(a)
    assert grad.shape == a.shape and grad.flags.writeable
    assert "broadcast_to" not in generated_source(doubling, a)
