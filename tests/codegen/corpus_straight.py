"""Compiler corpus, part 1: straight-line code, calls and data structures (issue 4).

Every function returns a scalar and is smooth at its arguments: logs and
square roots see positive values, abs/maximum/clip/max see no ties, and
data-dependent masks are far from their thresholds.
"""

from __future__ import annotations

import math

import numpy as np

from tests.codegen import corpus_helpers as helpers
from tests.codegen.corpus_helpers import Dense, affine, scaled_sin, softplus
from tests.codegen.corpus_registry import Corpus, arr, pos, spd

CASES = Corpus()
add = CASES.add


def _x(*shape: int, seed: int = 0) -> tuple:
    return (arr(*shape, seed=seed),)


def _xy(sx: tuple, sy: tuple) -> tuple:
    return (arr(*sx, seed=1), arr(*sy, seed=2))


# --- arithmetic and broadcasting -------------------------------------------


@add(lambda: _x(5), pure_numpy=True)
def add_const(x):
    return np.sum(x + 1.5)


@add(lambda: _xy((4,), (4,)), wrt=(0, 1), pure_numpy=True)
def sub_scaled(x, y):
    return np.sum((x - 2.0 * y) ** 2)


@add(lambda: _xy((3, 2), (3, 2)), wrt=(0, 1), pure_numpy=True)
def mul_arrays(x, y):
    return np.sum(x * y * x)


@add(lambda: (arr(4, seed=3), pos(4, seed=4)), wrt=(0, 1), pure_numpy=True)
def div_arrays(x, y):
    return np.sum(x / y)


@add(lambda: _x(6), pure_numpy=True)
def pow_const(x):
    return np.sum(x**3 - x**2)


@add(lambda: (arr(3, seed=5), pos(3, seed=6)), wrt=(0, 1), pure_numpy=True)
def pow_array_exponent(x, y):
    return np.sum(y**x)


@add(lambda: _x(4), pure_numpy=True)
def unary_negation(x):
    return np.sum(-x * -(x + 1.0))


@add(lambda: (pos(5, seed=7),), pure_numpy=True)
def reflected_div(x):
    return np.sum(1.0 / x + 2.0 / (x * x))


@add(lambda: _x(5), pure_numpy=True)
def reflected_sub(x):
    return np.sum(2.0 - x) * np.sum(3.0 - x * x)


@add(lambda: _xy((3, 4), (4,)), wrt=(0, 1), pure_numpy=True)
def broadcast_row(x, b):
    return np.sum(np.tanh(x + b))


@add(lambda: _xy((3, 4), (3, 1)), wrt=(0, 1), pure_numpy=True)
def broadcast_column(x, c):
    return np.sum(x * c**2)


@add(lambda: _xy((3, 1), (1, 4)), wrt=(0, 1), pure_numpy=True)
def broadcast_outer(a, b):
    return np.sum(np.sin(a * b + a))


@add(lambda: (arr(4, seed=8), 0.7), wrt=(0, 1), pure_numpy=True)
def broadcast_python_float(x, s):
    return np.sum(s * x + s**2)


@add(lambda: _xy((2, 3, 4), (3, 1)), wrt=(0, 1), pure_numpy=True)
def broadcast_3d(a, b):
    return np.sum((a - b) ** 2)


@add(lambda: _xy((2, 1, 4), (3, 1)), wrt=(0, 1), pure_numpy=True)
def broadcast_both_ways(a, b):
    return np.mean(a * b - b)


@add(lambda: (arr(1, 3, seed=9), arr(3, 3, seed=10)), wrt=(0, 1), pure_numpy=True)
def broadcast_size_one_dim(a, b):
    return np.sum(np.exp(0.5 * (a + b)))


@add(lambda: (2.7,))
def float_floordiv(x):
    return x * (x // 1.0) + x / 4.0


@add(lambda: (1.3, 0.4), wrt=(0, 1))
def float_arithmetic(x, y):
    return (x + y) * (x - y) / (1.0 + y * y) - x**3


# --- numpy elementwise primitives ------------------------------------------


@add(lambda: _x(5), pure_numpy=True)
def np_sin(x):
    return np.sum(np.sin(3.0 * x))


@add(lambda: _x(5), pure_numpy=True)
def np_cos(x):
    return np.sum(np.cos(x) * x)


@add(lambda: _x(5), pure_numpy=True)
def np_tan(x):
    return np.sum(np.tan(x))


@add(lambda: _x(5), pure_numpy=True)
def np_exp(x):
    return np.sum(np.exp(x) * x)


@add(lambda: (pos(5, seed=11),), pure_numpy=True)
def np_log(x):
    return np.sum(np.log(x) ** 2)


@add(lambda: (pos(5, seed=12),), pure_numpy=True)
def np_log1p(x):
    return np.sum(np.log1p(x * x))


@add(lambda: _x(5), pure_numpy=True)
def np_expm1(x):
    return np.sum(np.expm1(x) / 2.0)


@add(lambda: (pos(5, seed=13),), pure_numpy=True)
def np_sqrt(x):
    return np.sum(np.sqrt(x) * x)


@add(lambda: _x(5), pure_numpy=True)
def np_tanh(x):
    return np.sum(np.tanh(2.0 * x) ** 2)


@add(lambda: _x(5), pure_numpy=True)
def np_arctan(x):
    return np.sum(np.arctan(x * 3.0))


@add(lambda: (np.array([-0.9, -0.4, 0.3, 0.8, 1.2]),), pure_numpy=True)
def np_abs(x):
    return np.sum(np.abs(x) * x)


@add(lambda: (np.array([0.1, 0.9, -0.5]), np.array([0.5, 0.2, -0.1])), wrt=(0, 1))
def np_maximum(x, y):
    return np.sum(np.maximum(x, y) ** 2)


@add(lambda: (np.array([0.1, 0.9, -0.5]), np.array([0.5, 0.2, -0.1])), wrt=(0, 1))
def np_minimum(x, y):
    return np.sum(np.minimum(x, y) * 3.0)


@add(lambda: (np.array([0.1, 0.9, -0.5, 2.0]),))
def np_maximum_with_constant(x):
    return np.sum(np.maximum(x, 0.5) * x)


@add(lambda: (np.array([-0.8, -0.3, 0.4, 0.9]),))
def np_where(x):
    return np.sum(np.where(x > 0, x * x, np.sin(x)))


@add(lambda: (np.array([-0.8, -0.3, 0.4, 0.9]), arr(4, seed=14)), wrt=(0, 1))
def np_where_two_arrays(x, y):
    return np.sum(np.where(x < 0.1, y * x, y + x))


@add(lambda: (np.array([-0.9, -0.2, 0.1, 0.7]),))
def np_clip(x):
    return np.sum(np.clip(x, -0.5, 0.5) * x)


@add(lambda: _x(5), pure_numpy=True)
def np_power_int(x):
    return np.sum(np.power(x, 3))


@add(lambda: (pos(4, seed=15), arr(4, seed=16)), wrt=(0, 1), pure_numpy=True)
def np_power_arrays(x, y):
    return np.sum(np.power(x, y))


@add(lambda: _x(5), pure_numpy=True)
def np_square(x):
    return np.sum(np.square(x - 0.3))


@add(lambda: _xy((4,), (4,)), wrt=(0, 1), pure_numpy=True)
def np_logaddexp(x, y):
    return np.sum(np.logaddexp(x, 2.0 * y))


@add(lambda: _xy((3, 2), (2,)), wrt=(0, 1), pure_numpy=True)
def np_logaddexp_broadcast(x, y):
    return np.sum(np.logaddexp(x, y))


@add(lambda: _x(4), pure_numpy=True)
def np_multiply_add_functions(x):
    return np.sum(np.add(np.multiply(x, x), np.subtract(x, np.divide(x, 3.0))))


@add(lambda: _x(4), pure_numpy=True)
def chain_of_unaries(x):
    return np.sum(np.exp(np.sin(np.tanh(x))))


# --- reductions with axis and keepdims --------------------------------------


@add(lambda: _x(3, 4), pure_numpy=True)
def sum_axis0(x):
    return np.sum(np.sum(x, axis=0) ** 2)


@add(lambda: _x(3, 4), pure_numpy=True)
def sum_axis1_keepdims(x):
    s = np.sum(x, axis=1, keepdims=True)
    return np.sum(x * s)


@add(lambda: _x(2, 3, 4), pure_numpy=True)
def sum_axis_tuple(x):
    return np.sum(np.sum(x, axis=(0, 2)) ** 2)


@add(lambda: _x(3, 4), pure_numpy=True)
def sum_negative_axis(x):
    return np.sum(np.sin(np.sum(x, axis=-1)))


@add(lambda: _x(3, 4), pure_numpy=True)
def mean_all(x):
    return np.mean(x * x)


@add(lambda: _x(3, 4), pure_numpy=True)
def mean_axis_keepdims(x):
    centred = x - np.mean(x, axis=0, keepdims=True)
    return np.sum(centred**2)


@add(lambda: _x(6, seed=17), pure_numpy=True)
def max_all(x):
    return np.max(x) * 2.0 + np.sum(x)


@add(lambda: _x(3, 4, seed=18), pure_numpy=True)
def max_axis_keepdims(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(np.exp(x - m))


@add(lambda: _x(3, 4, seed=19), pure_numpy=True)
def min_axis(x):
    return np.sum(np.min(x, axis=0) ** 2)


@add(lambda: (pos(4, seed=20),), pure_numpy=True)
def prod_all(x):
    return np.prod(x)


@add(lambda: (np.array([0.0, 0.5, 2.0]), np.array([[0.0, 0.0], [1.5, -0.5]])), wrt=(0, 1))
def prod_with_zero_entries(x, y):
    # Smooth (multilinear) even where entries are zero; a rule dividing by x is not.
    return np.prod(x) + np.sum(np.prod(y, axis=0)) + np.sum(np.prod(y, axis=1))


@add(lambda: (pos(3, 3, seed=21),), pure_numpy=True)
def prod_axis(x):
    return np.sum(np.prod(x, axis=1))


@add(lambda: _x(6, seed=22), pure_numpy=True)
def std_all(x):
    return np.std(x)


@add(lambda: _x(3, 5, seed=23), pure_numpy=True)
def var_axis(x):
    return np.sum(np.var(x, axis=1))


@add(lambda: _x(3, 5, seed=24), pure_numpy=True)
def std_axis_keepdims(x):
    return np.sum(x / np.std(x, axis=1, keepdims=True))


@add(lambda: _x(7, seed=25), pure_numpy=True)
def var_ddof(x):
    return np.var(x, ddof=1)


@add(lambda: _x(3, 4, seed=26), pure_numpy=True)
def np_max_method(x):
    return x.max() + x.sum() * x.mean()


@add(lambda: _x(3, 4, seed=27), pure_numpy=True)
def sum_method_axis(x):
    return np.sum(x.sum(axis=0) * x.sum(axis=1, keepdims=True))


# --- linear algebra and shapes ----------------------------------------------


@add(lambda: _xy((4,), (4,)), wrt=(0, 1))
def dot_vectors(x, y):
    return np.dot(x, y) ** 2


@add(lambda: _xy((3, 4), (4,)), wrt=(0, 1))
def dot_matrix_vector(W, x):
    return np.sum(np.tanh(np.dot(W, x)))


@add(lambda: _xy((3, 4), (4, 2)), wrt=(0, 1))
def matmul_operator(A, B):
    return np.sum((A @ B) ** 2)


@add(lambda: _xy((2, 3, 4), (4, 2)), wrt=(0, 1))
def matmul_batched(A, B):
    return np.sum(np.sin(np.matmul(A, B)))


@add(lambda: _xy((4,), (4, 3)), wrt=(0, 1))
def matmul_vector_matrix(x, W):
    return np.sum(np.exp(x @ W))


@add(lambda: _xy((3, 4), (4,)), wrt=(0, 1))
def einsum_matvec(W, x):
    return np.sum(np.einsum("ij,j->i", W, x) ** 2)


@add(lambda: _xy((3, 4), (3, 4)), wrt=(0, 1))
def einsum_full_contraction(A, B):
    return np.einsum("ij,ij->", A, B) ** 2


@add(lambda: _xy((3,), (4,)), wrt=(0, 1))
def outer_product(a, b):
    return np.sum(np.tanh(np.outer(a, b)))


@add(lambda: _x(5))
def linalg_norm(x):
    return np.linalg.norm(x) ** 3


@add(lambda: _x(3, 3))
def linalg_norm_matrix(x):
    return np.linalg.norm(x * 2.0)


@add(lambda: (spd(3, seed=28), arr(3, seed=29)), wrt=(0, 1))
def linalg_solve(A, b):
    return np.sum(np.linalg.solve(A, b) ** 2)


@add(lambda: (spd(3, seed=30),))
def linalg_inv(A):
    return np.sum(np.linalg.inv(A) * np.arange(9.0).reshape(3, 3))


@add(lambda: _x(3, 4))
def transpose_attribute(x):
    return np.sum(x.T @ x)


@add(lambda: _x(2, 3, 4))
def transpose_axes(x):
    y = np.transpose(x, (2, 0, 1))
    return np.sum(y * np.arange(4.0).reshape(4, 1, 1))


@add(lambda: _x(3, 4))
def reshape_method(x):
    y = x.reshape(2, 6)
    return np.sum(y[0] * y[1])


@add(lambda: _x(3, 4))
def reshape_function_minus_one(x):
    y = np.reshape(x, (-1,))
    return np.sum(y * np.arange(12.0))


@add(lambda: _xy((2, 3), (1, 3)), wrt=(0, 1))
def concatenate_axis0(a, b):
    c = np.concatenate([a, b], axis=0)
    return np.sum(c * np.arange(9.0).reshape(3, 3))


@add(lambda: _xy((2, 3), (2, 2)), wrt=(0, 1))
def concatenate_axis1(a, b):
    return np.sum(np.sin(np.concatenate((a, b), axis=1)))


@add(lambda: _xy((3,), (3,)), wrt=(0, 1))
def stack_vectors(a, b):
    s = np.stack([a, b, a * b])
    return np.sum(s * np.arange(9.0).reshape(3, 3))


@add(lambda: _xy((3,), (3,)), wrt=(0, 1))
def stack_axis1(a, b):
    return np.sum(np.stack([a, b], axis=1) @ np.array([1.0, -2.0]))


@add(lambda: _x(3, 1))
def squeeze_column(x):
    return np.sum(np.squeeze(x) * np.array([1.0, 2.0, 3.0]))


@add(lambda: _x(3))
def expand_dims_then_broadcast(x):
    col = np.expand_dims(x, 1)
    return np.sum(np.tanh(col * x))


@add(lambda: _x(3))
def broadcast_to_matrix(x):
    return np.sum(np.broadcast_to(x, (4, 3)) * np.arange(12.0).reshape(4, 3))


@add(lambda: (arr(3, seed=31), arr(3, 3, seed=32)), wrt=(0, 1))
def quadratic_form(x, W):
    return x @ W @ x


# --- indexing reads ---------------------------------------------------------


@add(lambda: _x(5))
def index_integer(x):
    return x[0] * x[3] + x[-1]


@add(lambda: _x(6))
def index_slice(x):
    return np.sum(x[1:] * x[:-1])


@add(lambda: _x(7))
def index_step_slice(x):
    return np.sum(x[::2] ** 2) + np.sum(x[::-1] * np.arange(7.0))


@add(lambda: _x(3, 4))
def index_column(x):
    return np.sum(x[:, 1] * x[:, 2])


@add(lambda: _x(3, 4))
def index_pair(x):
    return x[1, 2] * x[0, 0] - x[2, -1]


@add(lambda: _x(3, 4))
def index_row_slice_2d(x):
    return np.sum(np.sin(x[1:3, ::-1]))


@add(lambda: _x(2, 3, 4))
def index_ellipsis(x):
    return np.sum(x[..., 0] ** 2)


@add(lambda: _x(3))
def index_newaxis(x):
    return np.sum(x[None, :] * x[:, None])


@add(lambda: _x(5))
def index_list(x):
    return np.sum(x[[0, 2, 2, 4]] ** 2)


@add(lambda: _x(5))
def index_int_array(x):
    idx = np.array([4, 1, 1])
    return np.sum(np.exp(x[idx]))


@add(lambda: _x(3, 4))
def index_two_arrays(x):
    return np.sum(x[[0, 1, 2], [3, 1, 1]] ** 2)


@add(lambda: _x(4))
def index_constant_mask(x):
    mask = np.array([True, False, True, True])
    return np.sum(x[mask] ** 3)


@add(lambda: (np.array([-0.7, 0.2, 0.9, -0.3, 0.5]),))
def index_data_mask(x):
    return np.sum(x[x > 0] ** 2)


@add(lambda: _x(4, 3))
def index_rows_then_columns(x):
    return np.sum(x[[0, 3]][:, 1:] * 2.0)


# --- Python floats and math ---------------------------------------------------


@add(lambda: (0.6,))
def math_sin_cos(x):
    return math.sin(x) * math.cos(2.0 * x)


@add(lambda: (0.4,))
def math_tan_tanh(x):
    return math.tan(x) + math.tanh(3.0 * x)


@add(lambda: (1.7,))
def math_exp_log(x):
    return math.exp(0.5 * x) * math.log(x)


@add(lambda: (2.3,))
def math_log10_sqrt(x):
    return math.log10(x) + math.sqrt(x * x + 1.0)


@add(lambda: (1.4, 0.8), wrt=(0, 1))
def math_pow(x, y):
    return math.pow(x, y) + math.pow(y, 2)


@add(lambda: (0.9, -0.4), wrt=(0, 1))
def math_atan2(y, x):
    return math.atan2(y, x)


@add(lambda: (0.9, -0.4), wrt=(0, 1))
def math_hypot(x, y):
    return math.hypot(x, y)


@add(lambda: (0.3,))
def math_erf(x):
    return math.erf(2.0 * x)


@add(lambda: (0.3,))
def math_constants(x):
    return math.sin(math.pi * x) + math.e * x


@add(lambda: (-0.8,))
def float_abs(x):
    return abs(x) * x


@add(lambda: (0.3, 0.9), wrt=(0, 1))
def float_min_max(x, y):
    return max(x, y) * 2.0 + min(x, y) ** 2


@add(lambda: (1.1,))
def float_integer_power(x):
    return x**4 - 2 * x**2 + 3


@add(lambda: (0.5,))
def float_reuse(x):
    y = x * x
    z = y * x + y
    return z * y - x


@add(lambda: (0.5, 2))
def float_times_int_argument(x, n):
    return x**n * n


# --- non-differentiable values flowing through ------------------------------


@add(lambda: _x(4))
def shape_index(x):
    n = x.shape[0]
    return np.sum(x) / n


@add(lambda: _x(5))
def builtin_len(x):
    return np.sum(x**2) / len(x)


@add(lambda: _x(2, 3))
def ndim_and_size(x):
    return np.sum(x) * x.ndim + np.sum(x**2) / x.size


@add(lambda: _x(4))
def integer_arithmetic(x):
    n = len(x)
    k = n // 2 + n % 3 - 1
    return np.sum(x[:k]) * float(k)


@add(lambda: (np.array([0.1, 0.8, -0.3, 0.5]),))
def argmax_index(x):
    i = np.argmax(x)
    return x[i] * np.sum(x)


@add(lambda: _x(4))
def zeros_of_length(x):
    z = np.zeros(len(x))
    return np.sum((z + x) ** 2)


@add(lambda: _x(4))
def ones_like_weights(x):
    w = np.ones_like(x) * 2.0
    return np.sum(w * x * x)


@add(lambda: _x(3))
def print_is_ignored(x):
    y = x * 2.0
    print("y has shape", y.shape)
    return np.sum(y**2)


@add(lambda: _x(3))
def isinstance_check(x):
    scale = 2.0 if isinstance(x, np.ndarray) else 1.0
    return np.sum(x * scale)


@add(lambda: _x(4))
def comparison_mask_as_float(x):
    positive = (x > -2.0).astype(np.float64)
    return np.sum(positive * x**2)


@add(lambda: _x(4))
def seeded_random_draw(x):
    rng = np.random.default_rng(0)
    noise = rng.normal(size=x.shape)
    return np.sum((x + noise) ** 2)


@add(lambda: _x(5))
def arange_weights(x):
    w = np.arange(x.shape[0]) * 0.5
    return np.sum(w * np.sin(x))


# --- calls to other user functions -------------------------------------------


def _poly(x):
    return x * x + 2.0 * x


def _poly_of_poly(x):
    return _poly(_poly(x))


@add(lambda: _x(4))
def call_module_function(x):
    return np.sum(_poly(x))


@add(lambda: _x(4))
def call_chain_of_functions(x):
    return np.sum(_poly_of_poly(x) * 0.1)


@add(lambda: _x(4))
def call_other_module(x):
    return np.sum(softplus(x) ** 2)


@add(lambda: (arr(3, 4, seed=33), arr(4, seed=34), arr(3, seed=35)), wrt=(0, 1, 2))
def call_other_module_several_args(W, x, b):
    return np.sum(np.tanh(affine(W, x, b)))


@add(lambda: (0.7,))
def call_with_default_argument(x):
    return scaled_sin(x) + scaled_sin(x, 3.0)


@add(lambda: (0.7,))
def call_with_keyword_argument(x):
    return scaled_sin(k=0.5, x=x) * x


@add(lambda: _x(4))
def call_module_attribute(x):
    a, b = helpers.squash_pair(x, x * 2.0)
    return np.sum(a * b)


@add(lambda: _x(4))
def nested_def(x):
    def inner(v):
        return np.sin(v) * v

    return np.sum(inner(x) + inner(2.0 * x))


@add(lambda: _x(4))
def closure_over_constant(x):
    scale = 3.0

    def scaled(v):
        return v * scale

    return np.sum(np.tanh(scaled(x)))


def _weighted_sum(*terms):
    total = 0.0
    for t in terms:
        total = total + np.sum(t)
    return total


@add(lambda: _xy((3,), (3,)), wrt=(0, 1))
def call_star_args(x, y):
    return _weighted_sum(x * x, y, x * y)


def _norm_terms(x, *, power=2.0, shift=0.0):
    return np.sum((x + shift) ** power)


@add(lambda: _x(4))
def call_keyword_only(x):
    return _norm_terms(x, shift=1.0) + _norm_terms(x, power=3.0)


@add(lambda: _x(4))
def call_passing_star_tuple(x):
    parts = (x, 2.0 * x)
    return np.sum(helpers.squash_pair(*parts)[0])


# --- methods of plain objects --------------------------------------------------


@add(lambda: (arr(3, 4, seed=36), arr(3, seed=37), arr(4, seed=38)), wrt=(0, 1, 2))
def object_built_inside(W, b, x):
    layer = Dense(W, b)
    return np.sum(layer(x) ** 2)


@add(lambda: (arr(4, seed=39), Dense(arr(3, 4, seed=40), arr(3, seed=41))))
def object_as_argument(x, layer):
    return np.sum(layer.forward(x))


@add(lambda: (arr(3, 4, seed=42), arr(4, seed=43)), wrt=(0, 1))
def object_attribute_read(W, x):
    layer = Dense(W, np.zeros(3))
    return np.sum(layer.W @ x + layer.b)


class _Poly:
    def __init__(self, coeffs):
        self.coeffs = coeffs

    def evaluate(self, x):
        c = self.coeffs
        return c[0] + c[1] * x + c[2] * x * x


@add(lambda: (arr(3, seed=44), arr(5, seed=45)), wrt=(0, 1))
def method_reading_array_attribute(coeffs, x):
    return np.sum(_Poly(coeffs).evaluate(x))


@add(lambda: (arr(4, seed=46), arr(3, 4, seed=47), arr(2, 3, seed=48)), wrt=(0, 1, 2))
def two_objects_chained(x, W1, W2):
    first = Dense(W1, np.zeros(3))
    second = Dense(W2, np.ones(2))
    return np.sum(second(first(x)))


# --- tuples, lists and dicts --------------------------------------------------


@add(lambda: _xy((3,), (3,)), wrt=(0, 1))
def tuple_build_and_index(x, y):
    t = (x * y, x + y, 2.0)
    return np.sum(t[0] * t[1]) * t[2]


@add(lambda: _x(3))
def tuple_unpack(x):
    a, b, c = x[0], x[1], x[2]
    return a * b + b * c


@add(lambda: _x(4))
def tuple_returned_and_unpacked(x):
    s, p = helpers.squash_pair(x, 0.5 * x)
    return np.sum(s - p)


@add(lambda: _x(4))
def list_build_and_index(x):
    parts = [x, np.sin(x), x * x]
    return np.sum(parts[1] * parts[2]) + np.sum(parts[-1])


@add(lambda: ([arr(3, seed=49), arr(3, seed=50)],))
def list_argument(xs):
    return np.sum(xs[0] * xs[1]) + np.sum(xs[1] ** 2)


@add(lambda: ((arr(2, seed=51), 0.5),))
def tuple_argument_mixed(pair):
    v, s = pair
    return np.sum(np.sin(v * s))


@add(lambda: ({"w": arr(3, seed=52), "b": 0.3}, arr(3, seed=53)))
def dict_argument(params, x):
    return np.sum(np.tanh(params["w"] * x + params["b"]))


@add(lambda: ({"layer": {"W": arr(2, 3, seed=54), "b": arr(2, seed=55)}, "s": 1.5},))
def nested_dict_argument(params):
    layer = params["layer"]
    out = layer["W"] @ np.ones(3) + layer["b"]
    return np.sum(out**2) * params["s"]


@add(lambda: ([arr(2, seed=56), (arr(2, seed=57), 0.4)],))
def nested_list_tuple_argument(tree):
    a = tree[0]
    b, c = tree[1]
    return np.sum(a * b) + c * np.sum(a)


@add(lambda: _x(4))
def starred_unpack(x):
    first, *rest = [x[0], x[1], x[2]]
    return first * rest[0] * rest[1]


@add(lambda: _x(3))
def swap_by_tuple_assignment(x):
    a = x * 2.0
    b = x + 1.0
    a, b = b, a
    return np.sum(a * a) + np.sum(b)


@add(lambda: _xy((3,), (3,)), wrt="y")
def wrt_by_name(x, y):
    return np.sum(x * np.exp(y))


@add(lambda: _xy((3,), (3,)), wrt=("y", 0))
def wrt_tuple_of_name_and_index(x, y):
    return np.sum(x * np.exp(y) + x**2)


# --- small models -------------------------------------------------------------


@add(lambda: _x(5), pure_numpy=True)
def softmax_by_hand(x):
    e = np.exp(x - np.max(x))
    p = e / np.sum(e)
    return np.sum(p * np.arange(5.0))


@add(lambda: _x(3, 5), pure_numpy=True)
def logsumexp_by_hand(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(np.log(np.sum(np.exp(x - m), axis=1, keepdims=True)) + m)


@add(lambda: (arr(4, 5, seed=58), np.eye(5)[[0, 3, 1, 4]]))
def cross_entropy(Z, onehot):
    m = np.max(Z, axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True)) + m
    return -np.sum(onehot * (Z - lse)) / Z.shape[0]


@add(
    lambda: (arr(6, 4, seed=59), arr(4, 8, seed=60), arr(8, seed=61), arr(8, 3, seed=62)),
    wrt=(0, 1, 2, 3),
)
def mlp_tanh(X, W1, b1, W2):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2
    return np.mean(out**2)


@add(lambda: _x(2, 6), pure_numpy=True)
def layer_norm(x):
    mu = np.mean(x, axis=-1, keepdims=True)
    sd = np.sqrt(np.var(x, axis=-1, keepdims=True) + 1e-5)
    y = (x - mu) / sd
    return np.sum(y * np.arange(6.0))


@add(lambda: _x(5), pure_numpy=True)
def sigmoid_by_hand(x):
    return np.sum(1.0 / (1.0 + np.exp(-x)))


@add(lambda: (arr(6, seed=63), 0.2, 1.3), wrt=(1, 2))
def gaussian_log_likelihood(data, mu, sigma):
    z = (data - mu) / sigma
    return -0.5 * np.sum(z * z) - data.shape[0] * math.log(sigma)


@add(lambda: (arr(3, seed=64), arr(8, 3, seed=65), (arr(8, seed=66) > 0).astype(float)))
def logistic_regression_loss(w, X, y):
    logits = X @ w
    return np.sum(np.logaddexp(0.0, logits) - y * logits)


@add(lambda: (arr(4, seed=67), 0.6), wrt=(0, 1))
def horner_polynomial(c, x):
    acc = c[3]
    acc = acc * x + c[2]
    acc = acc * x + c[1]
    acc = acc * x + c[0]
    return acc


@add(lambda: (arr(3, 4, seed=68), arr(5, 4, seed=69), arr(5, 2, seed=70)), wrt=(0, 1, 2))
def attention(Q, K, V):
    s = Q @ K.T / math.sqrt(Q.shape[1])
    e = np.exp(s - np.max(s, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    return np.sum((p @ V) ** 2)


@add(lambda: (arr(4, 4, seed=71) * 0.3, arr(4, seed=72)), wrt=(0, 1))
def two_step_rnn_unrolled(W, h):
    h = np.tanh(W @ h)
    h = np.tanh(W @ h)
    return np.sum(h**2)
