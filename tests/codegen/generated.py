"""The generated gradient the tests read: what ``srcdiff.source`` shows after
the first two calls (the second builds the gradient-only version)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import srcdiff


def generated_source(fn: Callable[..., Any], *args: Any, wrt: Any = 0) -> str:
    df = srcdiff.grad(fn, wrt=wrt)
    df(*args)
    df(*args)
    return srcdiff.source(df)
