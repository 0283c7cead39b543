"""Shared pytest options."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-examples",
        type=int,
        default=None,
        help="programs per fuzz test in tests/codegen/test_fuzz.py "
        "(default: the CI sizes in that file; e.g. 10000 for a long local run)",
    )
    parser.addoption(
        "--fuzz-seed",
        type=int,
        default=None,
        help="draw another stream of fuzz programs (default: the one fixed stream CI sees)",
    )
    parser.addoption(
        "--fuzz-shrink",
        action="store_true",
        default=False,
        help="let hypothesis shrink a failing fuzz program to a minimal one (slow: minutes)",
    )
