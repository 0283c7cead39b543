"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

The state is a one-element list so the hot path reads it with one index
(``GRAD[0]``) instead of a function call.  Like PyTorch, it is per process
here (PyTorch keeps it per thread).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

GRAD = [True]
INFERENCE = [False]

__all__ = [
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]


def is_grad_enabled() -> bool:
    return GRAD[0]


def is_inference_mode_enabled() -> bool:
    return INFERENCE[0]


class _Mode:
    """A context manager that is also a decorator (bare or called)."""

    def _enter(self) -> None:
        raise NotImplementedError

    def _exit(self) -> None:
        raise NotImplementedError

    def clone(self) -> _Mode:
        return self.__class__()

    def __enter__(self) -> None:
        self._enter()

    def __exit__(self, *exc: Any) -> None:
        self._exit()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self.clone():
                    return (yield from fn(*args, **kwargs))

            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper


def _bare_decorator(cls: type) -> type:
    """Let ``@no_grad`` (without parentheses) decorate a function directly."""
    original_new = cls.__new__

    def __new__(klass: type, *args: Any, **kwargs: Any) -> Any:  # noqa: N807
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], bool):
            return klass()(args[0])
        return original_new(klass) if original_new is object.__new__ else original_new(klass, *args)

    cls.__new__ = __new__  # type: ignore[method-assign]
    return cls


@_bare_decorator
class no_grad(_Mode):  # noqa: N801
    """Disable gradient recording inside the block."""

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def _enter(self) -> None:
        self._prev.append(GRAD[0])
        GRAD[0] = False

    def _exit(self) -> None:
        GRAD[0] = self._prev.pop()


@_bare_decorator
class enable_grad(_Mode):  # noqa: N801
    """Enable gradient recording inside the block (e.g. inside ``no_grad``)."""

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def _enter(self) -> None:
        self._prev.append(GRAD[0])
        GRAD[0] = True

    def _exit(self) -> None:
        GRAD[0] = self._prev.pop()


class set_grad_enabled(_Mode):  # noqa: N801
    """Set grad mode now (usable as a plain call), restore it on block exit."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                f"set_grad_enabled(): argument 'mode' must be bool, not {type(mode).__name__}"
            )
        self._prev = GRAD[0]  # the mode before the call, restored by __exit__
        self._mode = mode
        GRAD[0] = mode

    def clone(self) -> set_grad_enabled:
        other = set_grad_enabled.__new__(set_grad_enabled)
        other._mode = self._mode
        other._prev = None  # recorded on entry
        return other

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        GRAD[0] = self._prev  # used as a decorator: the constructor's effect must not leak
        return super().__call__(fn)

    def _enter(self) -> None:
        if self._prev is None:
            self._prev = GRAD[0]
        GRAD[0] = self._mode

    def _exit(self) -> None:
        GRAD[0] = self._prev


class inference_mode(_Mode):  # noqa: N801
    """Like ``no_grad`` (gradients are not recorded); ``inference_mode(False)`` is a no-op."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self._mode = bool(mode) if isinstance(mode, bool) else True
        self._prev: list[tuple[bool, bool]] = []

    def clone(self) -> inference_mode:
        return inference_mode(self._mode)

    def _enter(self) -> None:
        self._prev.append((GRAD[0], INFERENCE[0]))
        if self._mode:
            GRAD[0] = False
            INFERENCE[0] = True

    def _exit(self) -> None:
        GRAD[0], INFERENCE[0] = self._prev.pop()
