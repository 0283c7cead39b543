"""Generated code is valid input to the compiler itself (issue 5: higher order
will differentiate it): every adjoint generated for the control-flow corpus
parses under srcdiff's own checks, so it holds no construct srcdiff refuses."""

from __future__ import annotations

import pytest

import srcdiff
from srcdiff.codegen import driver
from srcdiff.codegen.parse import parse_function
from tests.codegen.corpus_control import CASES


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_generated_adjoint_parses_under_srcdiff(case) -> None:
    df = srcdiff.grad(case.fn, wrt=case.wrt)
    df(*case.make_args())
    df(*case.make_args())
    vjp = srcdiff.vjp(case.fn, wrt=case.wrt)
    vjp(*case.make_args())
    made = [a for key, a in driver._CACHE.items() if key[0] is case.fn]
    assert {a.mode for a in made} >= {"fused", "grad", "split"}
    for adjoint in made:
        parse_function(adjoint.emitted.fn)
        if adjoint.forward is not None:
            parse_function(adjoint.forward)
