"""``srcdiff.check_grads``: srcdiff's gradient against central finite differences."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from srcdiff.codegen.driver import make_grad, resolve_wrt
from srcdiff.errors import SrcdiffError


def check_grads(
    f: Callable[..., Any],
    args: tuple,
    wrt: Any,
    order: int = 1,
    *,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> None:
    """Raise AssertionError, naming the argument and the entries that differ,
    when srcdiff's gradient of ``f`` at ``args`` disagrees with finite differences."""
    if order != 1:
        raise SrcdiffError(
            f"check_grads(order={order}) needs higher-order differentiation",
            hint="only order=1 is available in this version",
        )
    names, as_tuple = resolve_wrt(f, wrt)
    grads = make_grad(f, wrt if as_tuple else wrt, with_value=False)(*args)
    grads = grads if as_tuple else (grads,)
    params = list(f.__code__.co_varnames[: f.__code__.co_argcount])
    for name, got in zip(names, grads, strict=True):
        index = params.index(name)
        want = _finite_differences(f, args, index, eps)
        _compare(name, np.asarray(got, dtype=float), want, rtol, atol)


def _finite_differences(f: Callable[..., Any], args: tuple, index: int, eps: float) -> np.ndarray:
    base = np.asarray(args[index], dtype=float)
    grad = np.zeros_like(base)
    for position in np.ndindex(base.shape):
        step = eps * max(1.0, abs(float(base[position])))
        grad[position] = (
            _shifted(f, args, index, position, step) - _shifted(f, args, index, position, -step)
        ) / (2 * step)
    return grad


def _shifted(f: Callable[..., Any], args: tuple, index: int, position: tuple, step: float) -> float:
    moved = [copy.deepcopy(a) for a in args]
    if isinstance(args[index], (float, int)):
        moved[index] = float(args[index]) + step
    else:
        value = np.array(args[index], dtype=float)
        value[position] += step
        moved[index] = value
    return float(f(*moved))


def _compare(name: str, got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> None:
    if got.shape != want.shape:
        raise AssertionError(f"gradient for {name!r} has shape {got.shape}, expected {want.shape}")
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        rows = [
            f"  {name}{list(i) if i else ''}: srcdiff {got[i]:.10g}, "
            f"finite differences {want[i]:.10g}"
            for i in np.ndindex(bad.shape)
            if bad[i]
        ][:10]
        raise AssertionError(
            f"gradient for {name!r} differs from finite differences "
            f"at {int(bad.sum())} of {bad.size} entries:\n" + "\n".join(rows)
        )
