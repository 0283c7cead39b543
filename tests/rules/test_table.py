"""The table's machinery: per-input splitting, what parts read, rank specialisations."""

from __future__ import annotations

import numpy as np
import pytest

from srcdiff.rules import RULES

SPECIALISED = [
    (name, ranks) for name, rule in sorted(RULES.items()) for ranks in rule.specializations
]


def _operand(rank: int, size: int, rng: np.random.Generator) -> np.ndarray:
    return rng.normal(size=(size,) * rank)


@pytest.mark.parametrize(("name", "ranks"), SPECIALISED)
def test_a_specialisation_agrees_with_its_general_rule(name: str, ranks: tuple) -> None:
    rng = np.random.default_rng(len(SPECIALISED))
    rule = RULES[name]
    special = rule.for_ranks(ranks)
    assert special is not rule
    x, y = (_operand(r, 3, rng) for r in ranks)
    ans = np.matmul(x, y)
    g = rng.normal(size=np.shape(ans))
    general = [f(g, ans, x, y, **_xp(rule)) for f in rule.input_vjps()]
    specific = [f(g, ans, x, y, **_xp(special)) for f in special.input_vjps()]
    for want, got in zip(general, specific, strict=True):
        assert np.allclose(got, want, rtol=1e-12, atol=1e-12)


def _xp(rule) -> dict:
    return {"xp": np} if rule.uses_xp else {}


def test_ranks_without_a_specialisation_get_the_general_rule() -> None:
    assert RULES["matmul"].for_ranks((3, 2)) is RULES["matmul"]
    assert RULES["matmul"].for_ranks((None, 2)) is RULES["matmul"]


def test_parts_split_per_input_and_say_what_they_read() -> None:
    mul = RULES["mul"]
    assert mul.reads(0) == {"g", "y"} and mul.reads(1) == {"g", "x"}
    assert RULES["tanh"].reads(0) == {"g", "ans"}
    d_x = mul.input_vjps()[0](np.array([2.0]), None, np.array([3.0]), np.array([5.0]))
    assert np.array_equal(d_x, [10.0])
