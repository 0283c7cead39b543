"""A function's definition, read from its file.

``inspect.getsourcelines`` finds where a function ends by running Python's
tokenizer over the rest of the file, which costs as much as a small
transform. The code object already knows: its first line (a decorator's, if
any) and, from Python 3.11, the end line of every instruction. The last of
those, over the function and the code nested in it, is the last line of its
last statement. A closing bracket on a line of its own lies past that line;
then the text does not parse, and ``inspect`` is asked after all.
"""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
from collections.abc import Callable
from types import CodeType
from typing import Any

Definition = ast.FunctionDef | ast.AsyncFunctionDef


def definition(fn: Callable[..., Any]) -> tuple[Definition | None, int]:
    """``fn``'s ``def`` as parsed by ``ast``, with the line numbers of its file,
    or None when its source holds none (a lambda), and its first line in the
    file. Raises OSError or TypeError, as ``inspect`` does, when there is no
    source to read."""
    quick = _quick_lines(fn)
    if quick is not None:
        found = _parsed_definition(*quick, fn)
        if found is not None:
            return found, quick[1]
    lines, first_line = inspect.getsourcelines(fn)
    return _parsed_definition(lines, first_line, fn), first_line


def _parsed_definition(
    lines: list[str], first_line: int, fn: Callable[..., Any]
) -> Definition | None:
    # blank lines in front number the tree as the file does: cheaper than
    # renumbering every node afterwards (ast.increment_lineno)
    try:
        module = ast.parse("\n" * (first_line - 1) + textwrap.dedent("".join(lines)))
    except SyntaxError:
        return None
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn.__name__:
            return node
    return None


def _quick_lines(fn: Callable[..., Any]) -> tuple[list[str], int] | None:
    """``fn``'s lines from its code object's line table, or None when that
    cannot tell (Python before 3.11, no file, a file shorter than the table)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    first = code.co_firstlineno
    last = _last_line(code)
    if last is None or last < first:
        return None
    filename = code.co_filename
    linecache.checkcache(filename)  # an edited file is read again, as inspect does
    lines = linecache.getlines(filename, getattr(fn, "__globals__", None))
    if len(lines) < last:
        return None
    return lines[first - 1 : last], first


def _last_line(code: CodeType) -> int | None:
    positions = getattr(code, "co_positions", None)
    if positions is None:
        return None
    ends = [end for _, end, _, _ in positions() if end is not None]
    for const in code.co_consts:
        if isinstance(const, CodeType):
            nested = _last_line(const)
            if nested is not None:
                ends.append(nested)
    return max(ends, default=None)
