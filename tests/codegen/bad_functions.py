"""Functions srcdiff must refuse with SrcdiffError (tests/codegen/test_errors.py).

They live in their own module so their line numbers are stable; the tests
find each construct's line with ``inspect``, never by a hard-coded number.
Each function prints before its bad construct so a test can check that the
error came before any user code ran.
"""

# ruff: noqa: F841, B018, S102, S307
from __future__ import annotations

import numpy as np


def uses_yield(x):
    print("user code ran")
    yield x * 2.0


async def uses_async(x):
    print("user code ran")
    return x * 2.0


def uses_try(x):
    print("user code ran")
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y


def uses_with(x):
    print("user code ran")
    with open(__file__) as fh:
        y = x * len(fh.readline())
    return y


COUNTER = 0.0


def writes_global(x):
    global COUNTER
    print("user code ran")
    COUNTER = x * 2.0
    return x * COUNTER


def _make_nonlocal_writer():
    total = 0.0

    def writes_nonlocal(x):
        nonlocal total
        print("user code ran")
        total = total + x
        return total * x

    return writes_nonlocal


writes_nonlocal = _make_nonlocal_writer()


def uses_exec(x):
    print("user code ran")
    exec("y = 1")
    return x * 2.0


def uses_eval(x):
    print("user code ran")
    return eval("x * 2.0")


def uses_del(x):
    print("user code ran")
    y = x * 2.0
    del y
    return x * 3.0


def calls_unknown_function(x):
    y = np.i0(x)
    return np.sum(y)


def non_scalar_output(x):
    return x * 2.0


def two_params(x, y):
    return np.sum(x * y)


def with_int_param(x, n):
    return np.sum(x) * n


def writes_through_a_shared_array(x, A):
    a = A * 1.0
    r = a
    a[0] += x
    return np.sum(r * r)


class _Holder:
    def __init__(self, w):
        self.w = w


def writes_an_array_an_object_holds(x, B):
    b = B * 1.0
    c = _Holder(b)
    b *= x
    return np.sum(c.w)


def writes_an_array_a_dict_holds(x, B):
    b = B * 1.0
    d = {"w": b}
    b[0] = x
    return np.sum(d["w"])


# Lambdas whose source cannot be found: the text only ever existed in a string.
lambda_from_eval = eval("lambda x: x * 2.0")
_namespace: dict = {}
exec("lambda_from_exec = lambda x: x * 3.0", _namespace)
lambda_from_exec = _namespace["lambda_from_exec"]
