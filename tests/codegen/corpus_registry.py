"""The corpus entry type and deterministic argument builders.

A corpus is a list of :class:`Case`: the function, a zero-argument factory
that returns fresh float64 arguments (seeded, so every run sees the same
numbers), and ``wrt``.  The factory is called anew for each use because some
functions mutate their arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Case:
    fn: Callable[..., Any]
    make_args: Callable[[], tuple]
    wrt: Any = 0
    # Only numpy elementwise/reduction code: also runnable on eager Tensors later.
    pure_numpy: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__


class Corpus(list):
    """A list of cases with a registering decorator that rejects duplicate names."""

    def add(
        self, make_args: Callable[[], tuple], wrt: Any = 0, pure_numpy: bool = False
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if any(c.name == fn.__name__ for c in self):
                raise ValueError(f"duplicate corpus function name {fn.__name__}")
            self.append(Case(fn, make_args, wrt, pure_numpy))
            return fn

        return register


def arr(*shape: int, seed: int = 0, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    """A float64 array of ``shape`` drawn uniformly from [lo, hi) with a fixed seed."""
    return np.random.default_rng(seed).uniform(lo, hi, size=shape)


def pos(*shape: int, seed: int = 0) -> np.ndarray:
    """A strictly positive float64 array, safe for log/sqrt/division."""
    return arr(*shape, seed=seed, lo=0.5, hi=2.0)


def spd(n: int, seed: int = 0) -> np.ndarray:
    """A well-conditioned symmetric positive definite matrix."""
    a = arr(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)
