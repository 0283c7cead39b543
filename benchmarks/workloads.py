"""The six anchor workloads of the compiler benchmark, written as plain numpy.

Each function below is what a user would hand to ``srcdiff.grad``: ordinary
Python on floats and numpy arrays.  The benchmark rebinds the module globals
``np`` and ``math`` to run the very same code under HIPS autograd, JAX and
PyTorch, so every tool differentiates one definition of each workload.

All data is float64 and drawn from a seeded generator, so every run (and the
hand-written gradient test) sees the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# --- the functions ---------------------------------------------------------


def scalar_loop(x):
    for i in range(1000):  # noqa: B007  (the anchor's exact text)
        x = math.sin(x) * x + 0.5 * x
    return x


def scalar_loop_steps(x, steps):
    """scalar_loop with a variable trip count (used by the tests, not timed)."""
    for i in range(steps):  # noqa: B007
        x = math.sin(x) * x + 0.5 * x
    return x


def mlp(X, W1, b1, W2, b2):
    # Loss: half the squared output norm, averaged over the batch.
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return 0.5 * np.sum(out**2) / X.shape[0]


def rnn(W, U, xs, h0):
    h = h0
    for t in range(50):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h**2)


def xent(Z, onehot):
    m = np.max(Z, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True)) + m
    return -np.sum(onehot * (Z - lse)) / Z.shape[0]


def while_norm(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return np.sum(c)


# --- inputs ----------------------------------------------------------------


def _mlp_args(rng: np.random.Generator, n: int, d_in: int, d_hid: int, d_out: int) -> tuple:
    X = rng.standard_normal((n, d_in))
    W1 = rng.standard_normal((d_in, d_hid)) / math.sqrt(d_in)
    b1 = 0.1 * rng.standard_normal(d_hid)
    W2 = rng.standard_normal((d_hid, d_out)) / math.sqrt(d_hid)
    b2 = 0.1 * rng.standard_normal(d_out)
    return X, W1, b1, W2, b2


def _scalar_args(rng: np.random.Generator) -> tuple:
    # From 0.3 the orbit decays smoothly towards the fixed point 0, so the
    # derivative stays a normal float64 (about 2e-300): comparisons between
    # tools are relative and meaningful.  Most other starts fall onto an
    # attracting 2-cycle whose 1000-step derivative underflows to exactly 0.
    return (0.3,)


def _rnn_args(rng: np.random.Generator) -> tuple:
    hidden = 64
    # Spectral radius below one keeps tanh out of saturation over 50 steps.
    W = 0.9 * rng.standard_normal((hidden, hidden)) / math.sqrt(hidden)
    U = 0.5 * rng.standard_normal((hidden, hidden)) / math.sqrt(hidden)
    xs = rng.standard_normal((50, hidden))
    h0 = 0.1 * rng.standard_normal(hidden)
    return W, U, xs, h0


def _xent_args(rng: np.random.Generator) -> tuple:
    n, k = 256, 1000
    Z = 3.0 * rng.standard_normal((n, k))
    onehot = np.zeros((n, k))
    onehot[np.arange(n), rng.integers(0, k, size=n)] = 1.0
    return Z, onehot


def _while_args(rng: np.random.Generator) -> tuple:
    return (rng.standard_normal(3),)


# --- the table -------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    name: str
    fn: Callable
    make_args: Callable[[np.random.Generator], tuple]
    wrt: tuple[int, ...]
    description: str

    def args(self, seed: int = 0) -> tuple:
        return self.make_args(np.random.default_rng(seed))


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "scalar_loop",
        scalar_loop,
        _scalar_args,
        (0,),
        "1000 steps of x = sin(x)*x + 0.5*x on a Python float, x0 = 0.3",
    ),
    Workload(
        "mlp_small",
        mlp,
        lambda rng: _mlp_args(rng, 32, 64, 128, 10),
        (1, 2, 3, 4),
        "X 32x64 -> tanh 128 -> 10, loss 0.5*sum(out**2)/n; grads W1, b1, W2, b2",
    ),
    Workload(
        "mlp_large",
        mlp,
        lambda rng: _mlp_args(rng, 256, 784, 1024, 10),
        (1, 2, 3, 4),
        "X 256x784 -> tanh 1024 -> 10, same loss; grads W1, b1, W2, b2",
    ),
    Workload(
        "rnn_loop",
        rnn,
        _rnn_args,
        (0, 1),
        "50 steps h = tanh(W@h + U@xs[t]), hidden 64, loss sum(h**2); grads W, U",
    ),
    Workload(
        "softmax_xent",
        xent,
        _xent_args,
        (0,),
        "Z 256x1000, one-hot labels, max-subtracted log-sum-exp cross entropy; grad Z",
    ),
    Workload(
        "while_norm",
        while_norm,
        _while_args,
        (0,),
        "doubling loop while norm(b) < 1000, then a branch on sum(b); a has 3 entries",
    ),
)

BY_NAME: dict[str, Workload] = {w.name: w for w in WORKLOADS}
