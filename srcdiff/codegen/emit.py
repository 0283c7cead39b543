"""Pass 8: turn the generated tree into source and a callable.

The source is registered with ``linecache`` under a readable file name, so a
traceback through generated code shows its real lines; each generated line
also knows the user's line it came from (``line_map``).
"""

from __future__ import annotations

import linecache
from dataclasses import dataclass
from typing import Any

import gast

from srcdiff.codegen.printer import source_and_lines


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
    sources, line_map, before = [], {}, 0
    for tree in trees:
        source, starts = source_and_lines(tree)
        sources.append(source)
        for line, stmt in starts:
            if stmt is not tree and getattr(stmt, "lineno", None) is not None:
                line_map[before + line] = stmt.lineno
        before += source.count("\n") + 1  # the functions are set apart by a blank line
    source = "\n\n".join(sources)
    tree = trees[-1]
    _counter[0] += 1
    filename = f"<srcdiff {tree.name} of {origin} #{_counter[0]}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    code = compile(source, filename, "exec")
    exec(code, namespace)
    return Emitted(namespace[tree.name], source, filename, line_map)
