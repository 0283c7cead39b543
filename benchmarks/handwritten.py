"""Hand-written numpy gradients of the anchor workloads: the speed baseline.

The rule for a fair baseline: each gradient runs the workload's forward pass
as the user wrote it (no algorithmic change to the primal, such as hoisting
``U @ xs[t]`` out of the loop into one matrix product), keeps what its
backward pass needs, and writes the backward pass as an expert would.  That is
exactly the job a compiler of the user's source is asked to do, so
``srcdiff / hand`` measures how far the generated adjoint is from an expert's.

Each function takes the workload's arguments and returns a tuple with one
gradient per ``wrt`` argument of the workload, in that order.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def scalar_loop_grad(x: float, steps: int = 1000) -> tuple[float]:
    """d/dx of ``steps`` iterations of x = sin(x)*x + 0.5*x, by a reverse sweep."""
    xs = []
    for _ in range(steps):
        xs.append(x)  # the derivative of a step reads the step's input
        x = math.sin(x) * x + 0.5 * x
    d_x = 1.0
    for x in reversed(xs):
        d_x = d_x * (math.cos(x) * x + math.sin(x) + 0.5)
    return (d_x,)


def mlp_grad(
    X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of 0.5*sum((tanh(X@W1+b1)@W2+b2)**2)/n wrt W1, b1, W2, b2."""
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    d_out = out / X.shape[0]
    d_W2 = h.T @ d_out
    d_b2 = d_out.sum(axis=0)
    d_pre = (d_out @ W2.T) * (1.0 - h * h)
    d_W1 = X.T @ d_pre
    d_b1 = d_pre.sum(axis=0)
    return d_W1, d_b1, d_W2, d_b2


def rnn_grad(
    W: np.ndarray, U: np.ndarray, xs: np.ndarray, h0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of sum(h_50**2) wrt W and U, h_t = tanh(W@h_{t-1} + U@xs[t])."""
    steps = 50
    H = np.empty((steps + 1, h0.shape[0]))  # H[t] is the hidden state entering step t
    H[0] = h0
    h = h0
    for t in range(steps):
        h = np.tanh(W @ h + U @ xs[t])
        H[t + 1] = h
    # Collect each step's pre-activation adjoint; the weight gradients are then
    # two matrix products instead of 2 * steps outer products.
    d_pre = np.empty((steps, h0.shape[0]))
    d_h = 2.0 * h
    for t in range(steps - 1, -1, -1):
        h_t = H[t + 1]
        d_a = d_h * (1.0 - h_t * h_t)
        d_pre[t] = d_a
        if t:  # the gradient wrt h0 is not asked for
            d_h = W.T @ d_a
    return d_pre.T @ H[:steps], d_pre.T @ xs[:steps]


def xent_grad(Z: np.ndarray, onehot: np.ndarray) -> tuple[np.ndarray]:
    """Gradient of the mean max-subtracted log-sum-exp cross entropy wrt Z."""
    m = np.max(Z, axis=1, keepdims=True)
    e = np.exp(Z - m)
    s = np.sum(e, axis=1, keepdims=True)
    # softmax * (label mass of the row) - labels; the label mass is 1 for
    # one-hot rows, but the loss is defined for any label matrix.
    mass = np.sum(onehot, axis=1, keepdims=True)
    return ((e * (mass / s) - onehot) / Z.shape[0],)


def while_norm_grad(a: np.ndarray) -> tuple[np.ndarray]:
    """d/da of the doubling loop: a constant 2**(trips+1), times 100 on the else branch."""
    b = a * 2
    scale = 2.0
    while np.linalg.norm(b) < 1000:
        b = b * 2
        scale *= 2.0
    if not np.sum(b) > 0:
        scale *= 100.0
    return (np.full(a.shape, scale),)


HANDWRITTEN: dict[str, Callable[..., tuple]] = {
    "scalar_loop": scalar_loop_grad,
    "mlp_small": mlp_grad,
    "mlp_large": mlp_grad,
    "rnn_loop": rnn_grad,
    "softmax_xent": xent_grad,
    "while_norm": while_norm_grad,
}
