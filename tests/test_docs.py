"""The generated code quoted in docs/ is the code srcdiff generates today."""

from __future__ import annotations

from pathlib import Path

import srcdiff
from tests.codegen.golden_functions import CASES

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_design_notes_show_the_doubling_loop_as_generated() -> None:
    fn, make_args, wrt = CASES["doubling_loop"]
    df = srcdiff.grad(fn, wrt=wrt)
    df(*make_args())
    df(*make_args())  # the gradient-only code, the one source shows
    assert srcdiff.source(df) in (DOCS / "design.md").read_text()
