"""Public entry points of the compiler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The compiler is imported with the package, not on the first grad(): its
# import (some 16 ms) is not part of differentiating a user's first function.
from srcdiff.codegen.driver import make_grad, make_vjp


def grad(f: Callable | None = None, wrt: Any = 0) -> Any:
    """The gradient of scalar-valued ``f`` with respect to argument(s) ``wrt``."""
    if f is None:
        return lambda fn: make_grad(fn, wrt, with_value=False)
    return make_grad(f, wrt, with_value=False)


def value_and_grad(f: Callable | None = None, wrt: Any = 0) -> Any:
    """Like :func:`grad`, but the callable returns ``(value, gradient)``."""
    if f is None:
        return lambda fn: make_grad(fn, wrt, with_value=True)
    return make_grad(f, wrt, with_value=True)


def vjp(f: Callable, wrt: Any = 0) -> Callable[..., tuple[Any, Callable[[Any], Any]]]:
    """``vjp(f)(*args)`` returns ``(value, pullback)``; ``pullback(dy)`` the cotangents."""
    return make_vjp(f, wrt)


def source(df: Callable) -> str:
    """The generated Python source of a gradient made by srcdiff."""
    try:
        return df.source  # type: ignore[attr-defined]
    except AttributeError:
        raise TypeError(f"{df!r} was not made by srcdiff.grad, value_and_grad or vjp") from None


def check_grads(
    f: Callable, args: tuple, wrt: Any = 0, order: int = 1, **tolerances: float
) -> None:
    """Compare srcdiff's gradient of ``f`` at ``args`` with central finite differences."""
    from srcdiff.codegen.checking import check_grads as check

    check(f, tuple(args), wrt, order, **tolerances)


def adjoint(primal: Callable) -> Callable[[Callable], Callable]:
    """Register a reverse rule for ``primal`` (a numpy or user function) in the shared table::

        @srcdiff.adjoint(np.sinc)
        def sinc_vjp(g, ans, x):
            return g * (np.cos(np.pi * x) - ans) / x

    The rule has the table's signature ``(g, ans, *inputs, *params, xp)`` and is
    inlined into generated gradients like the built-in ones. Registering again
    for the same primal replaces the earlier rule.
    """
    from srcdiff.rules.table import register_user_rule

    def register(rule: Callable) -> Callable:
        register_user_rule(primal, rule)
        return rule

    return register
