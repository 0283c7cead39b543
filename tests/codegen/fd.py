"""Float64 finite-difference gradients and the one assertion the compiler tests share.

``fd_grad`` differentiates a scalar-valued function with respect to arguments
that are Python floats, float arrays, or lists/tuples/dicts of them; the result
has the argument's structure.  It uses the fourth-order central stencil

    f'(x) ~ (f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)) / (12 h)

with ``h = step * max(1, |x|)``.  Truncation error is O(h^4) (negligible at
h = 1e-5) and rounding error about ``1.5 * eps * |f| / h`` (~3e-11 |f|), so the
comparison tolerances below (rtol 1e-6, atol 1e-7) leave two to three orders of
margin for outputs up to ~1e3 while still catching any real derivative bug.

Every evaluation gets a deep copy of the arguments, so functions that mutate
their arguments do not corrupt the finite differences.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import srcdiff

STEP = 1e-5
RTOL = 1e-6
ATOL = 1e-7
SRCDIFF_SECONDS = 20  # a gradient call that takes longer is stuck (e.g. a loop that never ends)


@contextlib.contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Turn a hang inside ``what`` into a test failure instead of a stuck CI run."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"{what} did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def as_scalar(value: Any) -> float:
    """The float a scalar-valued function returned (Python number or size-1 array)."""
    if isinstance(value, bool):
        raise TypeError("function returned a bool, not a number")
    if isinstance(value, (int, float, np.generic, np.ndarray)):
        arr = np.asarray(value)
        if arr.size != 1:
            raise TypeError(f"function returned an array of shape {arr.shape}, not a scalar")
        return float(arr.reshape(()))
    raise TypeError(f"function returned {type(value).__name__}, not a number")


def _stencil(phi: Callable[[float], float], x0: float, step: float) -> float:
    h = step * max(1.0, abs(x0))
    h = (x0 + h) - x0  # a step that is exactly representable around x0
    return (phi(x0 - 2 * h) - 8 * phi(x0 - h) + 8 * phi(x0 + h) - phi(x0 + 2 * h)) / (12 * h)


def _fd_structure(fun: Callable[[Any], float], obj: Any, step: float) -> Any:
    """Gradient of ``fun`` at ``obj``, with ``obj``'s structure.  ``fun`` takes a
    replacement for ``obj``."""
    if isinstance(obj, bool) or isinstance(obj, (int, np.integer)):
        raise TypeError(f"cannot take a finite difference with respect to an int ({obj!r})")
    if isinstance(obj, (float, np.floating)):
        return float(_stencil(lambda t: fun(type(obj)(t)), float(obj), step))
    if isinstance(obj, np.ndarray):
        if not np.issubdtype(obj.dtype, np.floating):
            raise TypeError(f"cannot take a finite difference with respect to {obj.dtype} array")
        grad = np.zeros_like(obj)
        for idx in np.ndindex(*obj.shape):

            def phi(t: float, idx: tuple = idx) -> float:
                moved = obj.copy()
                moved[idx] = t
                return fun(moved)

            grad[idx] = _stencil(phi, float(obj[idx]), step)
        return grad
    if isinstance(obj, (list, tuple)):
        parts = []
        for k in range(len(obj)):

            def sub(e: Any, k: int = k) -> float:
                items = list(obj)
                items[k] = e
                return fun(type(obj)(items))

            parts.append(_fd_structure(sub, obj[k], step))
        return type(obj)(parts)
    if isinstance(obj, dict):
        out = {}
        for key in obj:

            def sub_d(e: Any, key: Any = key) -> float:
                return fun({**obj, key: e})

            out[key] = _fd_structure(sub_d, obj[key], step)
        return out
    raise TypeError(f"cannot take a finite difference with respect to {type(obj).__name__}")


def fd_grad(
    f: Callable[..., Any], args: tuple, argnums: tuple[int, ...], step: float = STEP
) -> tuple:
    """Central-difference gradient of scalar ``f`` w.r.t. each of ``args[i]``, i in argnums."""
    args = tuple(args)

    def call_with(i: int) -> Callable[[Any], float]:
        def fun(replacement: Any) -> float:
            moved = list(copy.deepcopy(args))
            moved[i] = copy.deepcopy(replacement)
            return as_scalar(f(*moved))

        return fun

    return tuple(_fd_structure(call_with(i), args[i], step) for i in argnums)


def resolve_wrt(f: Callable[..., Any], wrt: Any) -> tuple[tuple[int, ...], bool]:
    """``wrt`` (index, parameter name, or tuple of them) as argument indices, and
    whether the caller asked for a tuple."""
    names = list(inspect.signature(f).parameters)
    items = wrt if isinstance(wrt, tuple) else (wrt,)
    out = []
    for w in items:
        out.append(names.index(w) if isinstance(w, str) else int(w))
    return tuple(out), isinstance(wrt, tuple)


def assert_same_structure(got: Any, like: Any, where: str) -> None:
    """The gradient has the argument's type, shape, dtype and container structure."""
    if isinstance(like, (float, np.floating)):
        assert isinstance(got, float) and not isinstance(got, np.ndarray), (
            f"{where}: argument is a float, gradient is {type(got).__name__} {got!r}"
        )
    elif isinstance(like, np.ndarray):
        assert isinstance(got, np.ndarray), (
            f"{where}: argument is an array, gradient is {type(got).__name__}"
        )
        assert got.shape == like.shape, f"{where}: shape {got.shape} != argument's {like.shape}"
        assert got.dtype == like.dtype, f"{where}: dtype {got.dtype} != argument's {like.dtype}"
    elif isinstance(like, (list, tuple)):
        assert type(got) is type(like), (
            f"{where}: argument is a {type(like).__name__}, gradient is {type(got).__name__}"
        )
        assert len(got) == len(like), f"{where}: length {len(got)} != argument's {len(like)}"
        for k, (g, a) in enumerate(zip(got, like, strict=True)):
            assert_same_structure(g, a, f"{where}[{k}]")
    elif isinstance(like, dict):
        kind = type(got).__name__
        assert isinstance(got, dict), f"{where}: argument is a dict, gradient is {kind}"
        assert set(got) == set(like), f"{where}: keys {sorted(got)} != argument's {sorted(like)}"
        for key in like:
            assert_same_structure(got[key], like[key], f"{where}[{key!r}]")
    else:
        raise TypeError(f"{where}: no gradient structure for {type(like).__name__}")


def _leaves(obj: Any, where: str) -> list[tuple[str, np.ndarray]]:
    if isinstance(obj, (list, tuple)):
        return [leaf for k, o in enumerate(obj) for leaf in _leaves(o, f"{where}[{k}]")]
    if isinstance(obj, dict):
        return [leaf for k, o in obj.items() for leaf in _leaves(o, f"{where}[{k!r}]")]
    return [(where, np.asarray(obj, dtype=np.float64))]


def assert_close(got: Any, want: Any, where: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Leaf by leaf, |got - want| <= atol + rtol * |want|, with a readable diff."""
    for (path, g), (_, w) in zip(_leaves(got, where), _leaves(want, where), strict=True):
        bad = ~(np.abs(g - w) <= atol + rtol * np.abs(w))
        if np.any(bad):
            err = float(np.max(np.abs(g - w)))
            raise AssertionError(
                f"{path}: gradient differs from finite differences at {int(bad.sum())} of "
                f"{g.size} entries (max abs error {err:.3g}, rtol={rtol}, atol={atol})\n"
                f"srcdiff:\n{g!r}\nfinite differences:\n{w!r}"
            )


def assert_args_unchanged(args: tuple, snapshot: tuple, where: str) -> None:
    """The gradient call must not modify the user's arguments."""
    for k, (a, s) in enumerate(zip(args, snapshot, strict=True)):
        for (path, x), (_, y) in zip(
            _all_leaves(a, f"{where} arg {k}"), _all_leaves(s, ""), strict=True
        ):
            same = np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True)
            assert same, f"{path}: the gradient call modified the user's argument"


def _all_leaves(obj: Any, where: str) -> list[tuple[str, Any]]:
    if isinstance(obj, (list, tuple)):
        return [leaf for k, o in enumerate(obj) for leaf in _all_leaves(o, f"{where}[{k}]")]
    if isinstance(obj, dict):
        return [leaf for k, o in obj.items() for leaf in _all_leaves(o, f"{where}[{k!r}]")]
    if isinstance(obj, (int, float, np.ndarray, np.generic)):
        return [(where, obj)]
    if hasattr(obj, "__dict__"):
        return _all_leaves(dict(vars(obj)), f"{where}.")
    return []


def assert_grad_matches(
    f: Callable[..., Any],
    args: tuple,
    wrt: Any = 0,
    rtol: float = RTOL,
    atol: float = ATOL,
    step: float = STEP,
) -> None:
    """``srcdiff.grad(f, wrt=wrt)(*args)`` equals float64 finite differences, has the
    arguments' structure, and leaves the arguments unchanged."""
    args = tuple(args)
    snapshot = copy.deepcopy(args)
    argnums, as_tuple = resolve_wrt(f, wrt)
    name = getattr(f, "__qualname__", repr(f))
    with time_limit(SRCDIFF_SECONDS, f"srcdiff.grad({name}, wrt={wrt!r})"):
        df = srcdiff.grad(f, wrt=wrt)
        got = df(*args)  # the first call runs code that also returns the value
        again = df(*copy.deepcopy(snapshot))  # later calls run the gradient-only code
    assert_args_unchanged(args, snapshot, name)
    assert_close(again, got, f"{name}: gradient-only code vs first call", 1e-12, 1e-14)
    want = fd_grad(f, snapshot, argnums, step)
    if as_tuple:
        assert isinstance(got, tuple), f"{name}: wrt={wrt!r} is a tuple, gradient is {type(got)}"
        assert len(got) == len(argnums), f"{name}: {len(got)} gradients for wrt={wrt!r}"
    else:
        got = (got,)
    for i, g, w in zip(argnums, got, want, strict=True):
        where = f"{name} d/d(arg {i})"
        assert_same_structure(g, snapshot[i], where)
        assert_close(g, w, where, rtol, atol)
