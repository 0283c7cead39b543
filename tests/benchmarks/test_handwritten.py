"""The benchmark's hand-written gradients against float64 central differences.

A speed baseline that computes the wrong gradient would make every ratio in
docs/performance.md meaningless, so each one is checked here: entry by entry
on small instances of the same functions, and along random directions on the
exact benchmark inputs.  Needs only numpy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks import workloads as wl
from benchmarks.handwritten import (
    HANDWRITTEN,
    mlp_grad,
    rnn_grad,
    scalar_loop_grad,
    while_norm_grad,
    xent_grad,
)

STEP = 1e-6
RTOL = 1e-6


def _assert_close(got: np.ndarray, want: np.ndarray) -> None:
    """Relative to the largest entry, so a near-zero entry cannot hide a wrong sign."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape
    scale = np.max(np.abs(want))
    assert scale > 0, "a zero gradient would make this check vacuous"
    assert np.max(np.abs(got - want)) <= RTOL * scale, (got, want)


def _fd_entries(f, args: tuple, index: int) -> np.ndarray:
    """Central differences of scalar f wrt every entry of args[index]."""
    x = np.array(args[index], dtype=np.float64)
    out = np.empty_like(x)
    for k in np.ndindex(x.shape):
        saved = x[k]
        h = STEP * max(1.0, abs(saved))
        x[k] = saved + h
        hi = f(*args[:index], x.copy(), *args[index + 1 :])
        x[k] = saved - h
        lo = f(*args[:index], x.copy(), *args[index + 1 :])
        x[k] = saved
        out[k] = (hi - lo) / (2 * h)
    return out


def _fd_direction(f, args: tuple, index: int, v: np.ndarray) -> float:
    """Central difference of scalar f along direction v of args[index]."""
    x = args[index]
    hi = f(*args[:index], x + STEP * v, *args[index + 1 :])
    lo = f(*args[:index], x - STEP * v, *args[index + 1 :])
    return (hi - lo) / (2 * STEP)


def _check_directions(f, grad, args: tuple, wrt: tuple[int, ...], n_dirs: int = 2) -> None:
    rng = np.random.default_rng(1)
    grads = grad(*args)
    assert len(grads) == len(wrt)
    for g, index in zip(grads, wrt, strict=True):
        assert np.shape(g) == np.shape(args[index])
        for _ in range(n_dirs):
            v = rng.standard_normal(np.shape(args[index]))
            want = _fd_direction(f, args, index, v)
            got = float(np.sum(g * v))
            assert abs(got - want) <= RTOL * max(abs(want), 1e-12), (index, got, want)


def test_every_workload_has_a_handwritten_gradient():
    assert set(HANDWRITTEN) == set(wl.BY_NAME)


def test_scalar_loop_forward_variants_agree():
    x = wl.BY_NAME["scalar_loop"].args()[0]
    assert wl.scalar_loop(x) == wl.scalar_loop_steps(x, 1000)


# Starts above ~0.52 fall onto an attracting 2-cycle, where the derivative
# shrinks so fast that after many steps it drowns in the differences' round-off;
# those starts get few steps, the decaying ones more.
@pytest.mark.parametrize(("x0", "steps"), [(0.3, 20), (-0.7, 20), (1.1, 5), (2.5, 5)])
def test_scalar_loop_grad_short(x0, steps):
    f = lambda x: wl.scalar_loop_steps(x, steps)
    (got,) = scalar_loop_grad(x0, steps=steps)
    _assert_close(got, _fd_entries(f, (x0,), 0))


def test_scalar_loop_grad_benchmark_input():
    (x0,) = wl.BY_NAME["scalar_loop"].args()
    (got,) = scalar_loop_grad(x0)
    assert isinstance(got, float) and got != 0.0
    _assert_close(got, _fd_entries(wl.scalar_loop, (x0,), 0))


def test_mlp_grad_entries_small():
    rng = np.random.default_rng(2)
    args = wl._mlp_args(rng, 3, 4, 5, 2)
    grads = mlp_grad(*args)
    for g, index in zip(grads, (1, 2, 3, 4), strict=True):
        _assert_close(g, _fd_entries(wl.mlp, args, index))


@pytest.mark.parametrize("name", ["mlp_small", "mlp_large"])
def test_mlp_grad_directions_benchmark_input(name):
    w = wl.BY_NAME[name]
    _check_directions(w.fn, mlp_grad, w.args(), w.wrt)


def test_rnn_grad_entries_small():
    rng = np.random.default_rng(3)
    hidden = 3
    W = 0.9 * rng.standard_normal((hidden, hidden)) / math.sqrt(hidden)
    U = 0.5 * rng.standard_normal((hidden, hidden)) / math.sqrt(hidden)
    args = (W, U, rng.standard_normal((50, hidden)), 0.1 * rng.standard_normal(hidden))
    grads = rnn_grad(*args)
    for g, index in zip(grads, (0, 1), strict=True):
        _assert_close(g, _fd_entries(wl.rnn, args, index))


def test_rnn_grad_directions_benchmark_input():
    w = wl.BY_NAME["rnn_loop"]
    _check_directions(w.fn, rnn_grad, w.args(), w.wrt)


def test_xent_grad_entries_small():
    rng = np.random.default_rng(4)
    Z = 3.0 * rng.standard_normal((4, 5))
    labels = np.zeros((4, 5))
    labels[np.arange(4), [0, 3, 3, 1]] = 1.0
    labels[2] = [0.2, 0.3, 0.0, 0.1, 0.6]  # a soft-label row: mass 1.2, not 1
    (got,) = xent_grad(Z, labels)
    _assert_close(got, _fd_entries(wl.xent, (Z, labels), 0))


def test_xent_grad_directions_benchmark_input():
    w = wl.BY_NAME["softmax_xent"]
    _check_directions(w.fn, xent_grad, w.args(), w.wrt)


def test_while_norm_grad_both_branches():
    a = np.abs(wl.BY_NAME["while_norm"].args()[0])
    grads = {}
    for sign in (1.0, -1.0):
        (grads[sign],) = while_norm_grad(sign * a)
        _assert_close(grads[sign], _fd_entries(wl.while_norm, (sign * a,), 0))
    # Same |a|, same trip count: only the else branch's factor 100 differs.
    _assert_close(grads[-1.0], 100.0 * grads[1.0])
