"""Representative functions whose generated gradients are checked in verbatim
(tests/codegen/golden/<name>.py): a change to code generation shows up as a
reviewable diff of what users read."""

from __future__ import annotations

import math

import numpy as np

rng = np.random.default_rng(7)
CASES: dict[str, tuple] = {}  # name -> (function, args factory, wrt)


def golden(make_args, wrt=0):
    def register(fn):
        CASES[fn.__name__] = (fn, make_args, wrt)
        return fn

    return register


def _a(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


@golden(lambda: (0.3,))
def scalar_loop(x):
    for _ in range(20):
        x = math.sin(x) * x + 0.5 * x
    return x


@golden(lambda: (_a(3) + 0.5,))
def doubling_loop(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return np.sum(c)


@golden(
    lambda: (_a(8, 4), _a(4, 16, seed=1), _a(16, seed=2), _a(16, 3, seed=3), _a(3, seed=4)),
    wrt=(1, 2, 3, 4),
)
def mlp(X, W1, b1, W2, b2):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.sum(out**2) / X.shape[0]


@golden(
    lambda: (_a(4, 4) * 0.3, _a(4, 3, seed=1) * 0.3, _a(10, 3, seed=2), _a(4, seed=3)), wrt=(0, 1)
)
def rnn(W, U, xs, h0):
    h = h0
    for t in range(10):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h**2)


@golden(lambda: (_a(5, 6), np.eye(6)[[0, 2, 1, 5, 3]]))
def softmax_xent(Z, onehot):
    m = np.max(Z, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True)) + m
    return -np.sum(onehot * (Z - lse)) / Z.shape[0]


@golden(lambda: (_a(5),))
def sigmoid_sum(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


@golden(lambda: (1.2, 0.7), wrt=(0, 1))
def float_math(x, y):
    return math.exp(x) * math.cos(y) + math.sqrt(x * x + y * y)


@golden(lambda: (_a(4),))
def branch_on_data(x):
    if np.sum(x) > 0:
        y = np.sin(x)
    else:
        y = np.cos(x)
    return np.sum(y * x)


@golden(lambda: (np.array([0.2, -0.4, 0.6, 0.1]),))
def loop_with_break(x):
    total = 0.0
    for v in x:
        if v < -0.3:
            break
        total = total + v * v
    return total


@golden(lambda: (_a(4),))
def write_into_zeros(x):
    z = np.zeros(4)
    for i in range(4):
        z[i] = x[i] * x[(i + 1) % 4]
    return np.sum(z**2)


@golden(lambda: (_a(3),))
def list_append_then_stack(x):
    rows = []
    for k in range(3):
        rows.append(np.sin(x * (k + 1)))
    return np.sum(np.stack(rows) ** 2)


def _layer(W, v):
    return np.tanh(W @ v)


@golden(lambda: (_a(3, 3), _a(3, seed=1)), wrt=(0, 1))
def calls_a_function(W, x):
    return np.sum(_layer(W, _layer(W, x)))


@golden(lambda: (_a(3), _a(3, seed=1)), wrt=(0, 1))
def tuple_swap(x, y):
    a, b = x * 2.0, y + 1.0
    a, b = b, a
    return np.sum(a * b)


@golden(lambda: (_a(6),))
def comprehension_sum(x):
    return sum([x[i] ** 2 for i in range(6) if i % 2 == 0])


@golden(lambda: (1.5,))
def while_halving(x):
    n = 0
    while x > 0.1:
        x = x * 0.5
        n += 1
    return x * n
