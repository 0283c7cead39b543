"""Folding temporaries (srcdiff/codegen/fold.py) and the optimizer's merging and
factoring: the code gets shorter, and never wrong."""

from __future__ import annotations

import math

import numpy as np

from tests.codegen.fd import assert_grad_matches
from tests.codegen.generated import generated_source


def layer(X, W, b):
    return np.sum(np.tanh(X @ W + b) ** 2)


def temporary_read_twice(x):
    t = np.sin(x) * 2.0
    return np.sum(t * t + t)


def input_written_between(x):
    a = x * 1.0
    t = a * 3.0  # read after a[0] changes: must keep the old a
    a[0] = 5.0
    return np.sum(t * a)


def scalar_steps(x):
    for _ in range(3):
        x = math.sin(x) * x + 0.5 * x
    return x


def test_single_use_temporaries_fold_into_one_expression() -> None:
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2))
    assert_grad_matches(layer, args, wrt=(1, 2))
    source = generated_source(layer, *args, wrt=(1, 2))
    assert "np.tanh(X @ W + b)" in source


def test_a_value_read_twice_keeps_its_name() -> None:
    x = np.random.default_rng(1).normal(size=3)
    assert_grad_matches(temporary_read_twice, (x,))
    assert "t = np.sin(x) * 2.0" in generated_source(temporary_read_twice, x)


def test_nothing_folds_across_a_write_into_what_it_reads() -> None:
    assert_grad_matches(input_written_between, (np.array([0.3, -0.2, 0.7]),))


def test_contributions_merge_and_the_gradient_factors_out() -> None:
    assert_grad_matches(scalar_steps, (0.4,))
    source = generated_source(scalar_steps, 0.4)
    assert "d_x = d_x * (0.5 + math.sin(x) + x * math.cos(x))" in source
