"""Run seed-tutorial cells with ``import srcdiff as torch`` and capture what they print."""

from __future__ import annotations

import ast
import contextlib
import io
from typing import Any

import pytest


class Notebook:
    """A shared namespace, like one notebook kernel; ``run`` returns the printed text
    plus the repr of a trailing expression (what a notebook cell displays)."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {}

    def run(self, source: str) -> str:
        source = source.replace("import torch", "import srcdiff as torch")
        tree = ast.parse(source)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        if last is not None:
            tree.body = tree.body[:-1]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(tree, "<seed cell>", "exec"), self.ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<seed cell>", "eval"), self.ns)
                if value is not None:
                    print(repr(value))
        return buf.getvalue()


@pytest.fixture
def nb() -> Notebook:
    """A fresh kernel for one self-contained cell."""
    return Notebook()


@pytest.fixture(scope="module")
def kernel() -> Notebook:
    """One kernel for a whole seed file: its cells run in order and share state, as in the
    notebook, one test per cell."""
    return Notebook()
