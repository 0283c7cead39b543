"""Shrunk programs the fuzzer once caught, kept as regression tests.

Each entry is a :class:`Program` with both texts (see programs.py) and its
arguments; tests/codegen/test_fuzz.py checks each like a fuzzed program.
"""

from __future__ import annotations

from tests.codegen.programs import Program

REGRESSIONS: list[Program] = []
