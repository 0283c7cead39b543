"""Generated gradients of representative functions, checked in verbatim.

Set SRCDIFF_UPDATE_GOLDEN=1 to rewrite the files after an intended change,
then review the diff like any other code change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import srcdiff
from tests.codegen.fd import assert_grad_matches
from tests.codegen.golden_functions import CASES

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_source_is_unchanged(name: str) -> None:
    fn, make_args, wrt = CASES[name]
    df = srcdiff.grad(fn, wrt=wrt)
    df(*make_args())
    df(*make_args())  # the second call runs the grad-only code, the one .source shows
    path = GOLDEN / f"{name}.py"
    if os.environ.get("SRCDIFF_UPDATE_GOLDEN"):
        path.write_text(df.source)
    assert df.source == path.read_text(), f"generated code for {name} changed; see {path}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_gradients_are_right(name: str) -> None:
    fn, make_args, wrt = CASES[name]
    assert_grad_matches(fn, make_args(), wrt)
