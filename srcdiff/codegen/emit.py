"""Pass 8: turn the generated tree into source and a callable.

The source is registered with ``linecache`` under a readable file name, so a
traceback through generated code shows its real lines; each generated line
also knows the user's line it came from (``line_map``).
"""

from __future__ import annotations

import ast
import linecache
from dataclasses import dataclass
from typing import Any

import gast

from srcdiff.codegen import templates as T


@dataclass
class Emitted:
    fn: Any
    source: str
    filename: str
    line_map: dict[int, int]  # generated line -> user's line


_counter = [0]


def emit(trees: list[gast.FunctionDef], namespace: dict[str, Any], origin: str) -> Emitted:
    """Compile ``trees`` in ``namespace``; ``origin`` (``file.py:line``) names the source.
    The returned ``fn`` is the last function."""
    sources = [T.to_source(tree) for tree in trees]
    source = "\n\n".join(sources)
    tree = trees[-1]
    _counter[0] += 1
    filename = f"<srcdiff {tree.name} of {origin} #{_counter[0]}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    code = compile(source, filename, "exec")
    exec(code, namespace)
    return Emitted(namespace[tree.name], source, filename, _line_map(trees, source))


def _line_map(trees: list[gast.FunctionDef], source: str) -> dict[int, int]:
    """Pair the emitted statements with the re-parsed source's, in order."""
    emitted = [s for tree in trees for s in _walk(tree.body)]
    reparsed = [s for f in ast.parse(source).body for s in _walk(f.body)]
    mapping = {}
    for ours, theirs in zip(emitted, reparsed, strict=False):
        user_line = getattr(ours, "lineno", None)
        if user_line is not None:
            mapping[theirs.lineno] = user_line
    return mapping


def _walk(stmts):
    for s in stmts:
        yield s
        for f in ("body", "orelse"):
            yield from _walk(getattr(s, f, []) or [])
