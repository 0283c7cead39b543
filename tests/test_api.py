"""The compiler's public entry points: grad, value_and_grad, vjp, source, check_grads, adjoint."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import srcdiff
from tests.codegen.fd import assert_grad_matches


def loss(x, W):
    return np.sum(np.tanh(W @ x) ** 2)


def tanh_layer(x, W):
    return np.tanh(W @ x)


def _my_softsign(x):
    return x / (1.0 + np.abs(x))


def uses_softsign(x):
    return np.sum(_my_softsign(x) * x)


def test_decorator_forms_and_wrt_by_name() -> None:
    x, W = np.array([0.3, -0.2, 0.5]), np.eye(3) * 0.7

    @srcdiff.grad
    def g(v):
        return np.sum(v * np.sin(v))

    assert np.allclose(g(x), np.sin(x) + x * np.cos(x))
    by_name = srcdiff.grad(loss, wrt="W")(x, W)
    by_index = srcdiff.grad(loss, wrt=1)(x, W)
    assert np.array_equal(by_name, by_index)
    assert_grad_matches(loss, (x, W), (0, 1))


def test_value_and_grad_returns_both() -> None:
    x, W = np.array([0.3, -0.2, 0.5]), np.eye(3) * 0.7
    value, (dx, dW) = srcdiff.value_and_grad(loss, wrt=(0, 1))(x, W)
    assert value == pytest.approx(loss(x, W))
    assert dx.shape == x.shape and dW.shape == W.shape


def test_vjp_of_a_vector_output_matches_the_jacobian() -> None:
    x, W = np.array([0.3, -0.2, 0.5]), np.array([[0.5, -0.1, 0.2], [0.3, 0.8, -0.4]])
    value, pullback = srcdiff.vjp(tanh_layer, wrt=(0, 1))(x, W)
    assert np.allclose(value, tanh_layer(x, W))
    dy = np.array([1.0, -2.0])
    dx, dW = pullback(dy)
    d_pre = dy * (1.0 - value**2)
    assert np.allclose(dx, W.T @ d_pre) and np.allclose(dW, np.outer(d_pre, x))
    assert np.allclose(pullback(dy)[0], dx)  # a pullback may be called again


def test_source_is_the_generated_python() -> None:
    df = srcdiff.grad(loss, wrt=(0, 1))
    df(np.ones(3), np.eye(3))
    text = srcdiff.source(df)
    assert text == df.source and text.startswith("def d_loss(x, W")
    with pytest.raises(TypeError):
        srcdiff.source(loss)


def test_check_grads_passes_and_reports_a_wrong_gradient() -> None:
    srcdiff.check_grads(loss, (np.array([0.3, -0.2, 0.5]), np.eye(3) * 0.7), wrt=(0, 1))

    def wrong(x):
        return math.sin(x)

    @srcdiff.adjoint(wrong)
    def wrong_vjp(g, ans, x):
        return g * 2.0  # deliberately wrong: the derivative is cos(x)

    def calls_wrong(x):
        return wrong(x) * 3.0

    with pytest.raises(AssertionError, match="differs from finite differences"):
        srcdiff.check_grads(calls_wrong, (0.4,), wrt=0)


def test_a_registered_adjoint_is_inlined_and_used() -> None:
    @srcdiff.adjoint(_my_softsign)
    def softsign_vjp(g, ans, x):
        return g / (1.0 + np.abs(x)) ** 2

    x = np.array([0.5, -1.5, 2.0])
    df = srcdiff.grad(uses_softsign)
    assert_grad_matches(uses_softsign, (x,), 0)
    df(x)
    assert "(1.0 + np.abs(x)) ** 2" in df.source  # the rule body, not a call to a helper


def _log_of_first(x):
    return np.sum(np.log(x[0]) * x)


def test_an_error_inside_the_gradient_names_the_users_line_on_every_call() -> None:
    df = srcdiff.grad(_log_of_first)
    good = np.array([2.0, 3.0])
    for _ in range(3):  # the first calls and the wrapper's fast path alike
        df(good)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError) as info:
        df(np.array([0.0, 3.0]))
    notes = "".join(getattr(info.value, "__notes__", []))
    assert "in srcdiff's gradient of _log_of_first" in notes
    body_line = inspect.getsourcelines(_log_of_first)[1] + 1
    assert f"test_api.py:{body_line})" in notes
