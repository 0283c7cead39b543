"""Anomaly detection: remember each op's forward traceback, check backward outputs for NaN."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from srcdiff.autograd.engine import ANOMALY

__all__ = [
    "detect_anomaly",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "set_detect_anomaly",
]


def is_anomaly_enabled() -> bool:
    return ANOMALY[0]


def is_anomaly_check_nan_enabled() -> bool:
    return ANOMALY[1]


class detect_anomaly:  # noqa: N801
    """Context manager / decorator enabling anomaly detection inside the block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._prev = (ANOMALY[0], ANOMALY[1])
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled "
            "for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self._prev = (ANOMALY[0], ANOMALY[1])
        ANOMALY[0], ANOMALY[1] = True, self.check_nan

    def __exit__(self, *exc: Any) -> None:
        ANOMALY[0], ANOMALY[1] = self._prev

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:  # noqa: N801
    """Turn anomaly detection on or off now; as a context manager, restore on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (ANOMALY[0], ANOMALY[1])
        ANOMALY[0], ANOMALY[1] = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        ANOMALY[0], ANOMALY[1] = self._prev
