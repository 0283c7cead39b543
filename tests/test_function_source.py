"""Reading a function's definition from its code object's line table."""

from __future__ import annotations

import ast
import inspect
import sys
import textwrap

import pytest

from srcdiff import _function_source
from srcdiff._function_source import definition


def decorated(f):
    return f


# fmt: off
@decorated
def bracket_on_its_own_line(x):
    x.y = (
        x + 1
    )
# fmt: on


def nested_def(x):
    def inner(y):
        return y * 2

    return inner(x)


def ends_in_a_comment(x):
    y = x * 2
    return y
    # a trailing comment


def _as_inspect_reads_it(fn):
    lines, first = inspect.getsourcelines(fn)
    return ast.dump(ast.parse(textwrap.dedent("".join(lines))).body[0]), first


@pytest.mark.parametrize("fn", [bracket_on_its_own_line, nested_def, ends_in_a_comment])
def test_definition_is_the_one_inspect_reads(fn):
    found, first = definition(fn)
    assert (ast.dump(found), first) == _as_inspect_reads_it(fn)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="line tables with end lines are 3.11+")
def test_the_line_table_is_read_without_inspect(monkeypatch):
    def refuse(fn):
        raise AssertionError("inspect was asked")

    monkeypatch.setattr(_function_source.inspect, "getsourcelines", refuse)
    found, first = definition(nested_def)
    assert found.name == "nested_def" and first == nested_def.__code__.co_firstlineno
    # the text stops before the closing bracket: only inspect can tell
    with pytest.raises(AssertionError, match="inspect was asked"):
        definition(bracket_on_its_own_line)


def test_a_lambda_has_no_definition():
    square = lambda x: x * x  # noqa: E731
    found, first = definition(square)
    assert found is None and first == square.__code__.co_firstlineno


def test_no_source_raises_as_inspect_does():
    namespace = {}
    exec("def made(x):\n    return x\n", namespace)
    with pytest.raises(OSError):
        definition(namespace["made"])


def test_an_edited_file_is_read_again(tmp_path, monkeypatch):
    path = tmp_path / "edited_module.py"
    path.write_text("def f(x):\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import edited_module

    assert ast.unparse(definition(edited_module.f)[0].body[0]) == "return x"
    path.write_text("def f(x):\n    return x * 2\n")
    assert ast.unparse(definition(edited_module.f)[0].body[0]) == "return x * 2"


def test_lines_are_the_file_s():
    found, first = definition(nested_def)
    assert found.lineno == nested_def.__code__.co_firstlineno
    inner = found.body[0]
    assert inner.lineno == found.lineno + 1 and inner.body[0].lineno == found.lineno + 2
