"""A-normal form: what the compiler refuses while splitting expressions into operations."""

from __future__ import annotations

import numpy as np
import pytest

import srcdiff


def clip_with_active_bound(x):
    return np.sum(np.clip(x, np.min(x) + 0.1, 1.0))


def reshape_with_order(x):
    return np.sum(np.reshape(x, (2, 2), order="F") ** 2)


def test_an_active_value_in_a_constant_parameter_is_refused() -> None:
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(clip_with_active_bound)(np.array([0.3, 0.7, 0.9]))
    message = str(info.value)
    assert "test_normalize.py:" in message
    assert "a_min" in message and "np.clip" in message


def test_a_keyword_the_rule_does_not_know_is_refused() -> None:
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(reshape_with_order)(np.arange(4.0))
    assert "order=" in str(info.value)


def test_temporaries_are_named_after_what_they_hold() -> None:
    def f(x):
        return np.sum(np.sin(np.exp(x) * x))

    df = srcdiff.grad(f)
    df(np.ones(3))
    assert "exp_x = np.exp(x)" in df.source
    # the adjoint of the product exp_x * x is named after it
    assert "d_exp_x_times_x = " in df.source
