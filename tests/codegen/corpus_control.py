"""Compiler corpus, part 2: control flow and mutation (issue 5).

Data-dependent conditions are evaluated far from their thresholds at the
chosen arguments (margins are noted where they are not obvious), so the
finite differences never cross a branch.
"""

from __future__ import annotations

import math

import numpy as np

from tests.codegen.corpus_registry import Corpus, arr

CASES = Corpus()
add = CASES.add


def _x(*shape: int, seed: int = 0) -> tuple:
    return (arr(*shape, seed=seed),)


# --- if / elif / else ---------------------------------------------------------


@add(lambda: _x(4, seed=1))  # sum(x) = 0.78
def if_on_data(x):
    if np.sum(x) > 0:
        y = x * 2.0
    else:
        y = x**2
    return np.sum(y * x)


@add(lambda: _x(4, seed=2))  # sum(x) = -0.57: takes the else branch
def if_on_data_else_taken(x):
    if np.sum(x) > 0:
        y = np.sin(x)
    else:
        y = np.cos(x) * x
    return np.sum(y)


@add(lambda: (np.array([0.3, 0.4]),))  # sum = 0.7: the middle branch
def if_elif_else(x):
    s = np.sum(x)
    if s > 1.0:
        y = x * 3.0
    elif s > 0.5:
        y = np.exp(x)
    else:
        y = x
    return np.sum(y)


@add(lambda: (arr(3, seed=3), 3))
def if_on_int_argument(x, n):
    if n > 2:
        y = x * n
    else:
        y = x / n
    return np.sum(y**2)


@add(lambda: _x(5, seed=4))
def if_on_shape(x):
    if x.shape[0] > 3:
        x = x[:3]
    return np.sum(np.tanh(x))


@add(lambda: (np.array([0.5, 0.9, 0.2]),))
def if_without_else(x):
    y = x * 2.0
    if np.max(x) > 0.6:
        y = y * y
    return np.sum(y)


@add(lambda: (0.8,))
def if_on_python_float(x):
    if x > 0.5:
        return math.sin(x) * x
    return math.cos(x)


@add(lambda: (np.array([0.4, -0.9, 0.6]),))
def nested_if(x):
    if x[0] > 0:
        if x[1] > 0:
            y = x * 2.0
        else:
            y = x * x
    else:
        y = -x
    return np.sum(y)


@add(lambda: (np.array([0.4, -0.9, 0.6]),))
def conditional_expression(x):
    y = x * 3.0 if np.sum(x) > 0 else np.sin(x)
    return np.sum(y)


@add(lambda: (0.3,))
def nested_conditional_expression(x):
    return x * x if x > 1.0 else (math.sin(x) if x > 0.0 else math.cos(x))


@add(lambda: (np.array([0.5, 0.2, 0.8]),))
def and_on_data(x):
    if np.sum(x) > 0 and np.max(x) < 2.0:
        return np.sum(x**3)
    return np.sum(x)


@add(lambda: (np.array([0.5, 0.2, 0.8]),))
def or_on_data(x):
    if np.sum(x) < -1.0 or np.min(x) > 0.1:
        y = np.exp(x)
    else:
        y = x
    return np.sum(y)


@add(lambda: (np.array([-0.5, 0.2, -0.8]),))
def not_on_data(x):
    if not np.sum(x) > 0:
        x = x * x
    return np.sum(x)


@add(lambda: (0.4,))
def chained_comparison(x):
    if 0.0 < x < 1.0:
        return x * math.exp(x)
    return x


@add(lambda: (np.array([0.3, 0.1, 0.25]),))
def chained_comparison_on_arrays(x):
    s = np.sum(x)
    if -1.0 < s <= 1.0 < 2.0:
        return s * s
    return s


@add(lambda: (0.6,))
def boolean_value_stored(x):
    in_range = x > 0.0 and x < 1.0
    small = not in_range or x < 0.2
    if small:
        return x
    return x * x * 3.0


@add(lambda: (np.array([0.7, -0.2, 0.4]),))
def branches_assign_different_variables(x):
    a = x
    b = x * 2.0
    if np.sum(x) > 0:
        a = np.sin(x)
    else:
        b = np.cos(x)
    return np.sum(a * b)


@add(lambda: (np.array([0.7, -0.2, 0.4]),))
def variable_defined_only_in_taken_branch(x):
    if np.sum(x) > 0:
        y = x * 4.0
        z = y + 1.0
    else:
        z = x
    return np.sum(z * x)


@add(lambda: (np.array([0.7, -0.2, 0.4]),))
def early_return_in_if(x):
    y = x * 2.0
    if np.sum(y) > 0:
        return np.sum(y**2)
    y = y + 1.0
    return np.sum(y)


@add(lambda: (np.array([-0.7, -0.2, 0.4]),))
def several_returns(x):
    s = np.sum(x)  # -0.5
    if s > 1.0:
        return s * 2.0
    if s > -1.0:
        return np.sum(np.sin(x)) * s
    return np.sum(x**2)


def _branchy_helper(v):
    if np.sum(v) > 0:
        return v * v
    return -v


@add(lambda: (np.array([0.7, -0.2, 0.4]),))
def if_inside_called_function(x):
    return np.sum(_branchy_helper(x) + _branchy_helper(-2.0 * x))


# --- for loops ----------------------------------------------------------------


@add(lambda: _x(3, seed=5))
def for_range_constant(x):
    y = x
    for _ in range(4):
        y = y * 1.5 + x
    return np.sum(y)


@add(lambda: _x(4, seed=6))
def for_range_shape_bound(x):
    total = 0.0
    for i in range(x.shape[0]):
        total = total + x[i] * (i + 1)
    return total


@add(lambda: (arr(6, seed=7), 6))
def for_range_start_stop_step(x, n):
    total = 0.0
    for i in range(1, n, 2):
        total = total + x[i] * x[i - 1]
    return total


@add(lambda: _x(5, seed=8))
def for_range_negative_step(x):
    acc = x[0]
    for i in range(len(x) - 1, 0, -1):
        acc = acc * 0.5 + np.sin(x[i])
    return acc


@add(lambda: (np.array([0.5, -0.3, 0.8, 0.2, -0.9]),))
def for_range_count_from_data(x):
    n = int(np.sum(x > 0))  # 3
    y = x
    for _ in range(n):
        y = np.tanh(y) + x
    return np.sum(y)


@add(lambda: _x(3, 4, seed=9))
def for_over_array_rows(X):
    acc = 0.0
    for row in X:
        acc = acc + np.sum(row**2) * np.sum(row)
    return acc


@add(lambda: _x(4, seed=10))
def for_over_array_elements(x):
    acc = 1.0
    for v in x:
        acc = acc * (1.0 + v * v)
    return acc


@add(lambda: _x(3, seed=11))
def for_over_list(x):
    out = 0.0
    for w in [0.5, 1.5, -2.0]:
        out = out + np.sum(np.sin(w * x))
    return out


@add(lambda: _x(3, seed=12))
def for_over_tuple_of_arrays(x):
    total = 0.0
    for part in (x, x * x, np.exp(x)):
        total = total + np.sum(part)
    return total


@add(lambda: _x(4, seed=13))
def for_enumerate(x):
    total = 0.0
    for i, v in enumerate(x):
        total = total + i * v * v
    return total


@add(lambda: (arr(4, seed=14), arr(4, seed=15)), wrt=(0, 1))
def for_zip(x, y):
    total = 0.0
    for a, b in zip(x, y):  # noqa: B905 (plain user code)
        total = total + a * np.exp(b)
    return total


@add(lambda: _x(4, seed=16))
def for_reversed_list(x):
    parts = [x[0], x[1] * 2.0, x[2] * x[3]]
    acc = 0.0
    for p in reversed(parts):
        acc = acc * 0.5 + p
    return acc


@add(lambda: _x(4, seed=17))
def for_reversed_range(x):
    acc = 0.0
    for i in reversed(range(4)):
        acc = np.sin(acc) + x[i]
    return acc


@add(lambda: _x(3, seed=18))
def loop_overwrites_needed_value(x):
    for _ in range(5):
        x = np.sin(x) * 1.5
    return np.sum(x)


@add(lambda: (0.3,))
def scalar_loop_math(x):
    for _ in range(50):
        x = math.sin(x) * x + 0.5 * x
    return x


@add(
    lambda: (arr(4, 4, seed=19) * 0.5, arr(4, 3, seed=20) * 0.5, arr(6, 3, seed=21), arr(4)),
    wrt=(0, 1, 3),
)
def rnn_loop(W, U, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h**2)


@add(lambda: (arr(3, seed=23), 4))
def loop_index_in_arithmetic(x, n):
    y = x
    for i in range(n):
        y = y + np.cos(y) * i * 0.1
    return np.sum(y)


@add(lambda: (arr(5, seed=24), arr(5, seed=25)), wrt=(0, 1))
def loop_tuple_unpack_targets(x, y):
    acc = 0.0
    for i, (a, b) in enumerate(zip(x, y)):  # noqa: B905
        acc = acc + (a - b) ** 2 * (i + 1)
    return acc


# --- while loops ----------------------------------------------------------------


@add(lambda: (np.array([0.3, -0.2, 0.5]),))
def while_doubling_norm(a):
    # norms: 0.62*2^k; the loop stops at 2^11 with norm 1268, far from 1000.
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return np.sum(c)


@add(lambda: _x(3, seed=26))
def while_counter(x):
    i = 0
    while i < 4:
        x = x * 0.5 + np.sin(x)
        i += 1
    return np.sum(x)


@add(lambda: (1.3,))
def while_on_python_float(x):
    # 1.3 * 1.5^k passes 10 at k = 6 (14.8), far from 10.
    y = x
    while y < 10.0:
        y = y * 1.5 + 0.01 * y * y
    return y


@add(lambda: (np.array([0.5, 0.4]),))
def while_else(x):
    y = x
    while np.sum(y * y) < 3.0:
        y = y * 1.7
    else:
        y = y + 1.0
    return np.sum(y**2)


@add(lambda: (np.array([0.5, 0.4]),))
def while_break(x):
    y = x
    n = 0
    while n < 100:
        y = np.sin(y) + y
        if np.sum(y) > 5.0:
            break
        n += 1
    return np.sum(y)


@add(lambda: (0.7,))
def while_true_break(x):
    y = x
    while True:
        y = y * 1.3
        if y > 4.0:
            break
    return y * y


@add(lambda: (np.array([0.6, 0.3]),))
def while_return_inside(x):
    y = x
    k = 0
    while k < 10:
        y = y * 1.4
        if np.sum(y) > 3.0:
            return np.sum(y * x)
        k += 1
    return np.sum(y)


@add(lambda: (np.array([0.2, 0.5]),))
def while_else_skipped_by_break(x):
    y = x
    k = 0
    while k < 20:
        y = np.exp(y) * 0.9
        if np.max(y) > 2.0:
            break
        k += 1
    else:
        y = y * 0.0
    return np.sum(y)


# --- nested loops, break, continue, for-else ----------------------------------------


@add(lambda: _x(3, 4, seed=27))
def nested_for_loops(X):
    acc = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            acc = acc + X[i, j] * (i - j)
    return acc * acc


@add(lambda: _x(3, seed=28))
def nested_loops_carried(x):
    y = x
    for _ in range(3):
        for k in range(2):
            y = np.tanh(y * (k + 1.0)) + x
    return np.sum(y)


@add(lambda: (np.array([0.5, 0.4]),))
def while_inside_for(x):
    y = x
    for _ in range(3):
        while np.sum(y) < 4.0:
            y = y * 1.5
        y = y * 0.3
    return np.sum(y**2)


@add(lambda: (np.array([0.1, 0.2, 0.9, 0.3, 0.4]),))
def for_break_on_data(x):
    total = 0.0
    for v in x:
        if v > 0.5:
            break
        total = total + v * v
    return total


@add(lambda: (np.array([0.1, -0.2, 0.9, -0.3, 0.4]),))
def for_continue_on_data(x):
    total = 0.0
    for v in x:
        if v < 0:
            continue
        total = total + np.sin(v)
    return total


@add(lambda: _x(6, seed=29))
def continue_on_index_parity(x):
    total = 0.0
    for i in range(len(x)):
        if i % 2 == 1:
            continue
        total = total + x[i] ** 3
    return total


@add(lambda: (np.array([0.1, 0.2, 0.3]),))
def for_else_runs(x):
    y = x
    for v in x:
        if v > 1.0:
            y = y * 10.0
            break
    else:
        y = y + np.exp(x)
    return np.sum(y)


@add(lambda: (np.array([0.1, 1.2, 0.3]),))
def for_else_skipped(x):
    y = x
    for v in x:
        if v > 1.0:
            y = y * v
            break
    else:
        y = y + 100.0
    return np.sum(y)


@add(lambda: _x(3, 3, seed=30))
def break_in_inner_loop_only(X):
    acc = 0.0
    for i in range(3):
        for j in range(3):
            if j > i:
                break
            acc = acc + X[i, j] ** 2
    return acc


@add(lambda: (np.array([0.1, 0.2, 0.9, 0.3]),))
def return_from_for(x):
    acc = 0.0
    for v in x:
        acc = acc + v
        if acc > 0.8:
            return acc * acc
    return acc


@add(lambda: _x(3, 3, seed=31))
def return_from_nested_loop(X):
    acc = 0.0
    for i in range(3):
        for j in range(3):
            acc = acc + np.exp(X[i, j])
            if i == 1 and j == 1:
                return acc
    return -acc


@add(lambda: (np.array([0.3, 0.2, 0.6]),))
def continue_and_break_together(x):
    acc = 0.0
    for i in range(10):
        v = x[i % 3]
        if i % 3 == 1:
            continue
        acc = acc + v * (i + 1)
        if acc > 4.0:  # passes 4 at i = 6 (5.6); before that 3.3 at i = 5
            break
    return acc


# --- recursion ----------------------------------------------------------------


def _power(x, n):
    if n == 0:
        return 1.0
    return x * _power(x, n - 1)


@add(lambda: (1.2,))
def recursion_integer_depth(x):
    return _power(x, 5) + _power(x, 2)


def _shrink(v):
    if np.sum(v * v) < 0.1:
        return v
    return _shrink(v * 0.5) * 1.1


@add(lambda: (np.array([1.0, 0.8]),))
def recursion_data_depth(x):
    # |x|^2 = 1.64 -> 0.41 -> 0.1025 -> 0.0256: three halvings, all margins > 2e-3.
    return np.sum(np.sin(_shrink(x)))


def _is_even_path(x, n):
    if n == 0:
        return x
    return _is_odd_path(np.sin(x), n - 1)


def _is_odd_path(x, n):
    if n == 0:
        return x * 2.0
    return _is_even_path(x * x + 0.5, n - 1)


@add(lambda: (arr(3, seed=32),))
def mutual_recursion(x):
    return np.sum(_is_even_path(x, 5))


def _tree_sum(t):
    if isinstance(t, (list, tuple)):
        total = 0.0
        for child in t:
            total = total + _tree_sum(child)
        return total
    return np.sum(t * t)


@add(lambda: ([arr(2, seed=33), [arr(3, seed=34), arr(1, seed=35)]],))
def recursion_over_nested_list(tree):
    return _tree_sum(tree)


def _fib_like(x, n):
    if n < 2:
        return x
    return _fib_like(x, n - 1) * 0.5 + np.sin(_fib_like(x, n - 2))


@add(lambda: (0.7,))
def recursion_two_calls(x):
    return _fib_like(x, 5)


# --- subscript writes on arrays made inside -----------------------------------


@add(lambda: _x(4, seed=36))
def write_into_zeros(x):
    z = np.zeros(4)
    for i in range(4):
        z[i] = x[i] * x[(i + 1) % 4]
    return np.sum(z**2)


@add(lambda: _x(4, seed=37))
def augmented_write_into_zeros(x):
    z = np.zeros(3)
    for i in range(4):
        z[i % 3] += np.sin(x[i])
    return np.sum(z * np.array([1.0, 2.0, 3.0]))


@add(lambda: _x(2, 3, seed=38))
def subtract_write_2d(x):
    z = np.ones((2, 3))
    for i in range(2):
        for j in range(3):
            z[i, j] -= x[i, j] * x[1 - i, 2 - j]
    return np.sum(z**2)


@add(lambda: _x(3, 3, seed=39))
def multiply_column_of_copy(x):
    z = x.copy()
    z[:, 1] *= 2.0
    z[:, 2] *= z[:, 0]
    return np.sum(z**2)


@add(lambda: (np.array([0.5, -0.4, 0.9, -0.2]),))
def masked_write_zero(x):
    z = x * 3.0
    z[z < 0] = 0.0  # relu by mutation; no entry near 0
    return np.sum(z * x)


@add(lambda: _x(5, seed=40))
def fancy_index_write(x):
    z = np.zeros(5)
    z[[0, 2, 4]] = x[[1, 2, 3]] ** 2
    return np.sum(z * x)


@add(lambda: _x(5, seed=41))
def fancy_index_augmented_write(x):
    z = x.copy()
    z[np.array([3, 0])] += x[:2] * 5.0
    return np.sum(z**2)


@add(lambda: _x(4, seed=42))
def empty_like_filled(x):
    z = np.empty_like(x)
    for i in range(len(x)):
        z[i] = np.exp(x[i]) * (i + 1)
    return np.sum(z)


@add(lambda: _x(4, seed=43))
def zeros_like_filled(x):
    z = np.zeros_like(x)
    z[1:3] = x[:2] * x[2:]
    return np.sum(np.sin(z))


@add(lambda: _x(4, seed=44))
def same_element_written_in_loop(x):
    z = np.zeros(2)
    for i in range(4):
        z[0] = z[0] * x[i] + np.cos(x[i])
        z[1] = z[1] + z[0] * 0.5
    return np.sum(z**2)


@add(lambda: _x(3, seed=45))
def write_overwrites_value_the_adjoint_needs(x):
    z = x.copy()
    y = z * z
    z[1] = 0.0
    z[0] = z[2] * 3.0
    return np.sum(y) + np.sum(z * x)


@add(lambda: _x(5, seed=46))
def slice_write(x):
    z = np.zeros(6)
    z[1:4] = np.tanh(x[:3])
    z[3:] = z[3:] + x[2:]
    return np.sum(z**2)


@add(lambda: _x(5, seed=47))
def cumulative_product_in_place(x):
    z = x.copy()
    for i in range(1, 5):
        z[i] = z[i - 1] * (1.0 + z[i])
    return np.sum(z)


@add(lambda: _x(4, seed=48))
def prefix_sums_in_place(x):
    z = np.zeros(5)
    for i in range(4):
        z[i + 1] = z[i] + x[i] ** 2
    return np.sum(np.sqrt(z[1:] + 1.0))


@add(lambda: (arr(3, seed=49), arr(3, seed=50)), wrt=(0, 1))
def row_writes_of_matrix(a, b):
    M = np.zeros((3, 3))
    M[0] = a
    M[1] = b * a
    M[2] = np.sin(b)
    return np.sum(M @ a)


@add(lambda: _x(3, 2, seed=51))
def write_scalar_broadcast(x):
    z = x.copy()
    z[0] = np.sum(x)  # one value written to a whole row
    return np.sum(z**3)


@add(lambda: _x(4, seed=52))
def data_dependent_write_position(x):
    z = np.zeros(4)
    i = int(np.argmax(x))
    z[i] = x[i] ** 2
    z[(i + 1) % 4] = np.sum(x)
    return np.sum(z * x)


# --- subscript writes on arguments (the user's arrays must stay unchanged) ----------


@add(lambda: _x(4, seed=53))
def write_into_argument(x):
    y = np.sum(x**2)
    x[0] = 5.0
    return y + np.sum(x * x)


@add(lambda: _x(4, seed=54))
def augmented_assign_argument(x):
    x += 1.0  # in place on the caller's array
    return np.sum(x**2)


@add(lambda: _x(3, 3, seed=55))
def multiply_column_of_argument(x):
    x[:, 0] *= 2.0
    return np.sum(np.sin(x))


@add(lambda: (np.array([0.5, -0.4, 0.9, -0.2]),))
def masked_write_on_argument(x):
    x[x < 0] = 0.0
    return np.sum(x**2)


@add(lambda: (arr(3, seed=56), arr(3, seed=57)), wrt=(0, 1))
def write_argument_from_other_argument(x, y):
    x[1:] = y[:2] * 2.0
    return np.sum(x * y)


@add(lambda: _x(2, 3, seed=58))
def subtract_into_argument_loop(x):
    for j in range(3):
        x[:, j] -= x[:, j - 1] * 0.5
    return np.sum(x**2)


# --- lists ----------------------------------------------------------------------


@add(lambda: _x(3, seed=59))
def list_append_then_sum(x):
    parts = []
    for k in range(4):
        parts.append(np.sin(x * (k + 1)))
    return np.sum(sum(parts))


@add(lambda: _x(3, seed=60))
def list_append_then_stack(x):
    rows = []
    h = x
    for _ in range(3):
        h = np.tanh(h * 1.5)
        rows.append(h)
    return np.sum(np.stack(rows) * np.arange(9.0).reshape(3, 3))


@add(lambda: _x(4, seed=61))
def list_pop_in_loop(x):
    stack = [x[0], x[1] * 2.0, x[2] ** 2, np.exp(x[3])]
    acc = 0.0
    while len(stack) > 0:
        v = stack.pop()
        acc = acc * 0.5 + v
    return acc


@add(lambda: _x(4, seed=62))
def list_extend_in_loop(x):
    items = []
    for i in range(2):
        items.extend([x[2 * i], x[2 * i + 1] * x[2 * i]])
    return sum(items) * items[1]


@add(lambda: _x(3, seed=63))
def list_insert_at_front(x):
    items = [x[0]]
    for i in range(1, 3):
        items.insert(0, items[0] * x[i] + 1.0)
    return items[0] + items[-1] * 2.0


@add(lambda: _x(4, seed=64))
def list_comprehension_into_sum(x):
    return sum([np.sin(v) * v for v in x])


@add(lambda: _x(4, seed=65))
def generator_expression_into_sum(x):
    return sum(x[i] * x[i + 1] for i in range(3))


@add(lambda: _x(3, seed=66))
def comprehension_into_stack(x):
    m = np.stack([x * k for k in range(1, 4)])
    return np.sum(np.tanh(m))


@add(lambda: _x(6, seed=67))
def comprehension_with_condition(x):
    return sum([x[i] ** 2 for i in range(6) if i % 2 == 0])


@add(lambda: (np.array([0.1, 0.7, -0.4]),))
def list_index_from_data(x):
    options = [x * 2.0, np.sin(x), x**3]
    i = int(np.argmax(x))  # 1
    return np.sum(options[i]) + np.sum(options[(i + 1) % 3])


@add(lambda: _x(3, seed=68))
def list_element_updated(x):
    items = [x, x * 2.0]
    for i in range(2):
        items[i] = items[i] * items[1 - i]
    return np.sum(items[0] + items[1])


@add(lambda: (0.4,))
def list_of_floats_loop(x):
    values = [x]
    for _ in range(4):
        values.append(math.sin(values[-1]) + x)
    return sum(values)


@add(lambda: _x(2, 3, seed=69))
def nested_comprehension(X):
    return sum([sum([X[i, j] * (i + j) for j in range(3)]) for i in range(2)]) ** 2


# --- dicts --------------------------------------------------------------------


@add(lambda: _x(3, seed=70))
def dict_reads_and_writes(x):
    d = {}
    d["a"] = x * 2.0
    d["b"] = d["a"] + np.sin(x)
    return np.sum(d["a"] * d["b"])


@add(lambda: _x(3, seed=71))
def dict_updated_in_loop(x):
    d = {"h": x, "c": 0.0}
    for _ in range(3):
        d["h"] = np.tanh(d["h"] * 1.2)
        d["c"] = d["c"] + np.sum(d["h"])
    return d["c"]


@add(lambda: ({"w": arr(3, seed=72), "b": arr(3, seed=73)}, arr(3, seed=74)))
def dict_argument_read_in_loop(params, x):
    h = x
    for _ in range(2):
        h = np.tanh(params["w"] * h + params["b"])
    return np.sum(h)


# --- attribute writes ---------------------------------------------------------------


class _Cell:
    def __init__(self, W):
        self.W = W
        self.h = np.zeros(W.shape[0])

    def step(self, x):
        self.h = np.tanh(self.W @ self.h + x)
        return self.h


@add(lambda: (arr(3, 3, seed=75) * 0.5, arr(4, 3, seed=76)), wrt=(0, 1))
def attribute_write_in_method(W, xs):
    cell = _Cell(W)
    for t in range(xs.shape[0]):
        cell.step(xs[t])
    return np.sum(cell.h**2)


class _Accumulator:
    def __init__(self):
        self.total = 0.0
        self.count = 0

    def add(self, v):
        self.total = self.total + v
        self.count += 1


@add(lambda: _x(4, seed=77))
def attribute_accumulator(x):
    acc = _Accumulator()
    for v in x:
        acc.add(np.exp(v))
    return acc.total / acc.count


@add(lambda: _x(3, seed=78))
def attribute_written_directly(x):
    cell = _Accumulator()
    cell.total = x * 3.0
    cell.total = cell.total * x
    return np.sum(cell.total)


# --- algorithms -------------------------------------------------------------


@add(lambda: (2.5,))
def newton_sqrt(a):
    y = 1.0
    for _ in range(20):
        y = 0.5 * (y + a / y)
    return y


@add(lambda: (arr(3, 3, seed=79) + 2.0 * np.eye(3),))
def power_iteration(A):
    v = np.ones(3)
    for _ in range(8):
        v = A @ v
        v = v / np.linalg.norm(v)
    return v @ A @ v


@add(lambda: (0.8, 0.3), wrt=(0, 1))
def euler_ode(y0, k):
    y = y0
    dt = 0.05
    for _ in range(20):
        y = y + dt * (-k * y + math.sin(y))
    return y


@add(lambda: (np.array([0.3, -0.5, 0.9, 0.1]),))
def sort_by_swaps(x):
    v = [x[0], x[1], x[2], x[3]]
    for i in range(4):
        for j in range(3 - i):
            if v[j] > v[j + 1]:
                v[j], v[j + 1] = v[j + 1], v[j]
    return v[0] * 1.0 + v[1] * 2.0 + v[2] * 3.0 + v[3] * 4.0


@add(lambda: (np.array([0.3, -0.5, 0.9, 0.1]),))
def running_max_by_hand(x):
    m = x[0]
    for v in x[1:]:
        if v > m:
            m = v
    return m * m + np.sum(x)


@add(lambda: (arr(5, seed=80), 0.7), wrt=(0, 1))
def horner_loop(c, x):
    acc = 0.0
    for coeff in reversed(c):
        acc = acc * x + coeff
    return acc


@add(lambda: (arr(4, seed=81),))
def gradient_descent_unrolled(w0):
    w = w0
    target = np.array([1.0, -1.0, 0.5, 0.0])
    for _ in range(5):
        g = 2.0 * (w - target) + np.cos(w)
        w = w - 0.1 * g
    return np.sum((w - target) ** 2)


@add(lambda: (np.array([0.8, 1.9, 0.3]),))
def loop_with_if_elif_inside(x):
    acc = 0.0
    for v in x:
        if v > 1.5:
            acc = acc + v * v
        elif v > 0.5:
            acc = acc + np.sin(v)
        else:
            acc = acc - v
    return acc


@add(lambda: (0.55, arr(3, seed=82), arr(3, seed=83)), wrt=(0, 2))
def recomputed_temporary_reads_outer_loop_value(x, A, B):
    # np.broadcast_to(v, ...) is recomputed in the reverse sweep of the inner
    # loop: v, set by the outer loop, must be restored by then (fuzz, session 2)
    z = np.zeros((1,))
    for v in reversed(B):
        for _ in range(len(A)):
            z += np.dot(x * np.ones((3,)), np.broadcast_to(v, (3, 1)))
    return x + np.sum(z)


@add(lambda: (0.3, arr(1, seed=84), arr(1, seed=85)), wrt=(0, 1, 2))
def one_sided_zero_feeds_a_dot(x, A, B):
    # the adjoint of v is 0.0 on one side of the branch and then feeds a
    # product's rule that needs a shape (fuzz, session 2: IndexError)
    b = B * 1.0
    total = 0.0
    for _ in range(2):
        v = np.dot(A + np.zeros((1, 1)), b)
        if 2.0 > 1.5:
            w = b * 1.0
        else:
            w = v
        b = b * 0.5 + w * 1.0
        total = total + np.sum(b) * x
    return total


@add(lambda: (0.0048, arr(3, seed=86), 2), wrt=(1, 0))
def value_saved_in_a_branch_before_it_exists(x, B, n):
    # clip_b_item's old value is saved in the elif branch, where it has none yet
    # (fuzz, session 2: UnboundLocalError)
    b = np.array(B)
    if x > 10.0:
        b = b * 0.5
    elif n % 2 == 0:
        b = np.clip(b[:2], -0.5, 0.5)[[1, 0, 0]]
    return np.sum(b)
