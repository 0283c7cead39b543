"""Shrunk programs the fuzzer caught, kept as regression tests.

Each entry is a :class:`Program` (see programs.py) with its arguments; the
probe text routes data-dependent decisions through ``_P`` exactly as the
generator would, so tests/codegen/test_fuzz.py checks each like a fuzzed
program.  The comment on each says what srcdiff got wrong when it was found.
"""

from __future__ import annotations

import textwrap

import numpy as np

from tests.codegen.programs import Program

_HEAD = "import math\n\nimport numpy as np\n\n\n"


def _program(name: str, source: str, args: tuple, wrt: object, probe: str | None = None) -> Program:
    plain = _HEAD + textwrap.dedent(source).lstrip()
    probe_text = _HEAD + textwrap.dedent(probe).lstrip() if probe else plain
    return Program(plain, probe_text, args, wrt, name)


REGRESSIONS: list[Program] = [
    # A loop that overwrites a float with a constant: d/dx was 1.0, not 0.0.
    _program(
        "loop_overwrites_float_with_constant",
        """
        def f(x, A):
            s = x
            for i in range(1):
                s = 1.5
            return s + np.sum(A)
        """,
        (0.5, np.array([0.3, 0.4])),
        (0, 1),
    ),
    # np.prod over an array holding a zero: the gradient was nan (the rule divided by x).
    _program(
        "prod_over_zeros",
        """
        def f(x, A):
            z = np.zeros((3,))
            return np.sum(np.prod(z + x * np.ones((1, 3)), axis=1)) + np.prod(z * x + A[0])
        """,
        (0.7, np.array([0.3, 0.4])),
        (0, 1),
    ),
]
