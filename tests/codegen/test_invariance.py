"""The stabilising max (srcdiff/codegen/invariance.py): dropped only when the
result provably does not depend on it, and the gradient stays right either way."""

from __future__ import annotations

import numpy as np

from tests.codegen.fd import assert_grad_matches
from tests.codegen.generated import generated_source


def log_softmax_loss(z, y):
    m = np.max(z, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)) + m
    return -np.sum(y * (z - lse))


def softmax_weighted(z, w):
    m = np.max(z, axis=-1, keepdims=True)
    e = np.exp(z - m)
    return np.sum(w * e / np.sum(e, axis=-1, keepdims=True))


def max_also_used_directly(z):
    m = np.max(z, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)) + m
    return np.sum(lse) + np.sum(m)  # m matters here


def max_summed_over_the_wrong_axis(z):
    m = np.max(z, axis=1, keepdims=True)
    return np.sum(np.log(np.sum(np.exp(z - m), axis=0, keepdims=True)))


def test_log_sum_exp_max_is_a_constant() -> None:
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(4, 5)), np.eye(5)[[0, 2, 4, 1]]
    assert_grad_matches(log_softmax_loss, (z, y))
    source = generated_source(log_softmax_loss, z, y)
    assert "unreduce" not in source and "hit" not in source


def test_softmax_max_is_a_constant() -> None:
    rng = np.random.default_rng(1)
    z, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert_grad_matches(softmax_weighted, (z, w))
    assert "unreduce" not in generated_source(softmax_weighted, z, w)


def test_a_max_the_result_reads_keeps_its_gradient() -> None:
    z = np.random.default_rng(2).normal(size=(3, 4))
    assert_grad_matches(max_also_used_directly, (z,))
    assert "unreduce" in generated_source(max_also_used_directly, z)


def test_a_sum_over_other_axes_does_not_cancel_the_max() -> None:
    z = np.random.default_rng(3).normal(size=(3, 4))
    assert_grad_matches(max_summed_over_the_wrong_axis, (z,))
    assert "unreduce" in generated_source(max_summed_over_the_wrong_axis, z)
