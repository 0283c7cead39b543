"""Generated code is the same in every process: nothing in the compiler may
depend on the order of a set of strings, which changes with the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PRINT_SOURCES = """
import srcdiff
from tests.codegen.corpus_control import CASES
for case in CASES:
    df = srcdiff.grad(case.fn, wrt=case.wrt)
    df(*case.make_args())
    print(df.source)
"""


def _sources(hash_seed: int) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    done = subprocess.run(
        [sys.executable, "-c", _PRINT_SOURCES], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_control_corpus_sources_do_not_depend_on_the_hash_seed():
    # one_sided_zero_feeds_a_dot chose np.zeros_like(A) or (B), by set order
    # (seeds 0 and 3 told them apart)
    first = _sources(0)
    assert "def d_one_sided_zero_feeds_a_dot" in first
    assert _sources(3) == first
