"""The quick ast-to-gast conversion makes the tree gast's own conversion makes."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import gast
import pytest

import srcdiff
from srcdiff.codegen.to_gast import parse, to_gast

_SNIPPETS = [
    "def f(x, /, y, *args, k=1, **kw) -> int:\n    return x",
    "async def f():\n    async with a as b:\n        await c\n"
    "    async for i in d:\n        yield i",
    "try:\n    pass\nexcept E as e:\n    raise\nexcept (A, B):\n    pass\nfinally:\n    del x",
    "class C(B, metaclass=M):\n    x: int = 1\n"
    "    def m(self):\n        global g\n        nonlocal h",
    "y = [i for i in a if i] + {k: v for k, v in d} + {s for s in t} + (g for g in h)",
    "a[1:2, ::3, ...] = b.c @ d ** -e if f else lambda q, *r: q\nx += 1",
    "match p:\n    case [1, *rest] if rest:\n        pass\n    case {'k': v, **kw}:\n        pass\n"
    "    case C(a, b=c) | None:\n        pass",
    "with open(f) as g, h:\n    print(f'{x!r:>{w}} {y=}')",
    "import a.b as c\nfrom . import d\nwhile not x:\n    break\nelse:\n    continue",
    "x = 1 < y <= 3 and not z or w\nassert x, 'm'\nt = *a, b",
]


def _same(source: str) -> None:
    tree = ast.parse(source)
    expected = ast.dump(gast.ast_to_gast(tree), include_attributes=True)
    assert ast.dump(to_gast(tree), include_attributes=True) == expected
    assert ast.dump(parse(source), include_attributes=True) == expected


@pytest.mark.parametrize("source", _SNIPPETS)
def test_snippets(source):
    _same(source)


@pytest.mark.parametrize(
    "module",
    [
        "srcdiff/codegen/reverse.py",
        "srcdiff/rules/elementwise.py",
        "tests/codegen/corpus_control.py",
    ],
)
def test_whole_modules(module):
    root = Path(srcdiff.__file__).resolve().parent.parent
    _same((root / module).read_text())


def test_the_standard_library_ast_module():
    _same(inspect.getsource(ast))


def test_the_input_tree_is_left_as_it_is():
    tree = ast.parse("y = f(x)[0]")
    before = ast.dump(tree, include_attributes=True)
    converted = to_gast(tree)
    converted.body[0].value.value.func.id = "g"
    assert ast.dump(tree, include_attributes=True) == before
