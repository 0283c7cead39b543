"""The random number generator behind rand/randn/...: numpy's PCG64, seeded like PyTorch.

Values differ from PyTorch's (a different generator); a seed still makes runs repeatable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "Generator",
    "default_generator",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]

_DEFAULT_SEED = 67280421310721


class Generator:
    """A source of random numbers (``srcdiff.Generator``)."""

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = _DEFAULT_SEED
        self.rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        self._seed = seed
        self.rng = np.random.Generator(np.random.PCG64(seed & ((1 << 64) - 1)))
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy) & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Any:
        import pickle

        from srcdiff.tensor import _wrap

        return _wrap(
            np.frombuffer(
                pickle.dumps((self._seed, self.rng.bit_generator.state)), dtype=np.uint8
            ).copy()
        )

    def set_state(self, state: Any) -> Generator:
        import pickle

        seed, st = pickle.loads(np.asarray(state._data, dtype=np.uint8).tobytes())
        self._seed = seed
        self.rng.bit_generator.state = st
        return self


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    default_generator.set_state(new_state)


def rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator).rng
