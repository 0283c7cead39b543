"""srcdiff.logaddexp (the eager form of np.logaddexp, rule ``logaddexp`` from the table):
first and second derivatives against float64 central differences, and no overflow."""

from __future__ import annotations

import numpy as np
import pytest

import srcdiff
from srcdiff.autograd import gradcheck, gradgradcheck


def _t(*shape: int, seed: int) -> srcdiff.Tensor:
    data = np.random.default_rng(seed).uniform(-2.0, 2.0, shape)
    return srcdiff.tensor(data, dtype=srcdiff.float64, requires_grad=True)


CASES = {
    "same_shape": (srcdiff.logaddexp, lambda: (_t(4, seed=1), _t(4, seed=2))),
    "broadcast": (srcdiff.logaddexp, lambda: (_t(3, 2, seed=3), _t(2, seed=4))),
    "python_number_first": (lambda b: srcdiff.logaddexp(0.0, b), lambda: (_t(5, seed=5),)),
    "method": (lambda a, b: a.logaddexp(b * 2.0), lambda: (_t(2, 1, seed=6), _t(3, seed=7))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_logaddexp_gradcheck(name: str) -> None:
    fn, make = CASES[name]
    assert gradcheck(fn, make())


@pytest.mark.parametrize("name", sorted(CASES))
def test_logaddexp_gradgradcheck(name: str) -> None:
    fn, make = CASES[name]
    assert gradgradcheck(fn, make())


def test_logaddexp_large_inputs_do_not_overflow() -> None:
    a = srcdiff.tensor([1000.0, -1000.0], dtype=srcdiff.float64, requires_grad=True)
    b = srcdiff.tensor([999.0, -1000.0], dtype=srcdiff.float64, requires_grad=True)
    out = srcdiff.logaddexp(a, b)
    assert type(out.grad_fn).__name__ == "LogaddexpBackward0"
    np.testing.assert_allclose(
        out.detach().numpy(), [1000.0 + np.log1p(np.exp(-1.0)), -1000.0 + np.log(2)]
    )
    out.sum().backward()
    # d/da = sigmoid(a - b): 1 / (1 + e^-1) for the first pair, 1/2 for equal inputs
    np.testing.assert_allclose(a.grad.numpy(), [1.0 / (1.0 + np.exp(-1.0)), 0.5])
    np.testing.assert_allclose(b.grad.numpy(), [1.0 / (1.0 + np.exp(1.0)), 0.5])
