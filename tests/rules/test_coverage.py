"""Every registered rule, through every primal it covers, has a property test.

Rules in srcdiff/rules/activations.py are tested elsewhere.  A rule of family
``srcdiff/rules/<family>.py`` must be tested from ``tests/rules/test_<family>.py``.
"""

from __future__ import annotations

import importlib

import pytest

from srcdiff.rules import RULES

UNTESTED_HERE = {"activations"}


def _family(rule_name: str) -> str:
    return RULES[rule_name].vjp.__module__.rsplit(".", 1)[-1]


def _families() -> set[str]:
    return {_family(name) for name in RULES} - UNTESTED_HERE


def _cases(family: str) -> list:
    return importlib.import_module(f"tests.rules.test_{family}").CASES


@pytest.mark.parametrize("family", sorted(_families()))
def test_every_rule_and_primal_of_the_family_has_a_property_test(family: str) -> None:
    covered = {(case.rule, id(case.primal)) for case in _cases(family)}
    missing = [
        f"{name}: {getattr(primal, '__name__', primal)}"
        for name, rule in RULES.items()
        if _family(name) == family
        for primal in rule.primals
        if (name, id(primal)) not in covered
    ]
    assert not missing, f"rules without a property test in tests/rules/test_{family}.py: {missing}"


@pytest.mark.parametrize("family", sorted(_families()))
def test_cases_sit_in_the_test_module_of_their_family(family: str) -> None:
    strays = [case.id for case in _cases(family) if _family(case.rule) != family]
    assert not strays, f"move to the test module of their family: {strays}"
