"""Every corpus function's srcdiff gradient against float64 finite differences."""

from __future__ import annotations

import pytest

from tests.codegen.corpus_control import CASES as CONTROL
from tests.codegen.corpus_registry import Case
from tests.codegen.corpus_straight import CASES as STRAIGHT
from tests.codegen.fd import assert_grad_matches


def test_corpus_sizes() -> None:
    # The issues ask for at least 100 straight-line and 80 control-flow functions.
    assert len(STRAIGHT) >= 110
    assert len(CONTROL) >= 90


@pytest.mark.parametrize("case", STRAIGHT, ids=[c.name for c in STRAIGHT])
def test_straight_line(case: Case) -> None:
    assert_grad_matches(case.fn, case.make_args(), case.wrt)


@pytest.mark.parametrize("case", CONTROL, ids=[c.name for c in CONTROL])
def test_control_flow_and_mutation(case: Case) -> None:
    assert_grad_matches(case.fn, case.make_args(), case.wrt)
