"""The printer writes what ``ast.unparse`` writes, character for character:
on every adjoint generated for the corpus, on the corpus's own sources (which
hold constructs the printer leaves to ``ast.unparse``), and on snippets chosen
for their precedence and layout corner cases."""

from __future__ import annotations

import ast
import inspect
import textwrap

import gast
import pytest

import srcdiff
from srcdiff.codegen import driver, emit, templates
from srcdiff.codegen.printer import source_and_lines, source_of
from tests.codegen.corpus_control import CASES as CONTROL
from tests.codegen.corpus_straight import CASES as STRAIGHT

CASES = STRAIGHT + CONTROL

SNIPPETS = [
    "y = -x ** 2",
    "y = (-x) ** 2",
    "y = a - (b - c) + (d + e)",
    "y = a ** b ** c",
    "y = (a ** b) ** c",
    "y = a / (b * c) * d // e % f @ g",
    "y = not a and b or c",
    "y = (a or b) and (c or d) and e",
    "y = a if b else c if d else e",
    "y = (a if b else c) + 1",
    "y = a < b < c",
    "y = (a < b) == c",
    "y = a is not None and b not in c",
    "y = x[1:2, ::3] + x[()] + x[:, None] + x[i, j] + x[(i, j),]",
    "y = f(*args, k=1, **kw) + g()",
    "y = {**d, 'a': 1, 2: [3, 4]}",
    "y = (1).real + 1.5.real",
    "y = -(-x) + +x + ~m",
    "y = a @ b.T - np.linalg.norm(v, axis=-1, keepdims=True)",
    "y = (a, b)",
    "a, b = b, a",
    "(a, b), c = t",
    "x[i] += v",
    "x[i, j] -= v * 2",
    "f(x)",
    "a, b",
    "return",
    "return a, b",
    "return (a,)",
    "y = 'it''s' + \"quote\" + 'back\\\\slash'",
    "y = b'bytes' + u'text'",
    "y = 1e300 * 1e300",
    "y = [x for x in xs if x > 0] + list(x * 2 for x in xs)",
    "y = lambda a: a + 1",
    "y = f'{a!r:>{width}}'",
    "print(*xs, sep='')",
    "if a:\n    b = 1\nelif c:\n    b = 2\nelse:\n    if d:\n        b = 3\n    b = 4",
    "if a:\n    pass\nelse:\n    if c:\n        b = 2\n    else:\n        b = 3",
    "for i, (a, b) in enumerate(zip(xs, ys)):\n    continue\nelse:\n    z = 1",
    "while n < 10:\n    n += 1\n    if n > 5:\n        break\nelse:\n    n = 0",
    "def f(a, b=1, /, c=2, *args, d, e=3, **kw):\n    return a",
    "def f(*, d_out=1.0):\n    x = 1\n\n    def inner(y):\n        return y\n    return inner(x)",
    "def f(a):\n    '''A docstring.'''\n    return a",
    "@decorator\ndef f(a: int) -> int:\n    return a",
    "with a as b:\n    c = b",
    "y = (z := 3)",
    "assert x > 0, 'positive'",
]


def _agrees(text: str) -> None:
    for theirs, ours in zip(ast.parse(text).body, gast.parse(text).body, strict=True):
        expected = ast.unparse(theirs) + "\n"
        assert source_of(ours) == expected, f"printing\n{text}"


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_print_as_unparse_prints_them(text: str) -> None:
    _agrees(text if not text.startswith("return") else f"def f():\n    {text}")


def test_expressions_print_without_a_newline() -> None:
    expr = gast.parse("(a + b) * c[1:]").body[0].value
    assert source_of(expr) == "(a + b) * c[1:]"
    inf = gast.Constant(float("inf"), None)
    assert source_of(inf) == ast.unparse(ast.Constant(float("inf"))) == "1e309"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_sources_print_as_unparse_prints_them(case) -> None:
    _agrees(textwrap.dedent(inspect.getsource(case.fn)))


@pytest.mark.parametrize("case", CONTROL[::3] + STRAIGHT[::6], ids=lambda c: c.name)
def test_generated_code_prints_as_unparse_prints_it(case, monkeypatch) -> None:
    """Every tree the compiler prints while it transforms (the code it emits
    and the lines whose length it measures), compared before printing."""
    printed = []

    def compared(node: gast.AST) -> str:
        ours = source_of(node)
        theirs = ast.unparse(gast.gast_to_ast(node))
        assert ours == (theirs + "\n" if isinstance(node, gast.stmt) else theirs)
        printed.append(node)
        return ours

    def compared_with_lines(stmt: gast.stmt):
        source, starts = source_and_lines(stmt)
        assert source == compared(stmt)
        return source, starts

    monkeypatch.setattr(templates, "source_of", compared)
    monkeypatch.setattr(emit, "source_and_lines", compared_with_lines)
    for cache in ("_CACHE", "_PARSED", "_SIBLINGS", "_DISPATCHERS"):
        monkeypatch.setattr(driver, cache, {})  # transform anew, leave other tests' caches
    srcdiff.grad(case.fn, wrt=case.wrt)(*case.make_args())
    srcdiff.vjp(case.fn, wrt=case.wrt)(*case.make_args())
    assert any(isinstance(node, gast.FunctionDef) for node in printed)


@pytest.mark.parametrize("text", [t for t in SNIPPETS if "\n" in t])
def test_each_statement_knows_the_line_it_starts_on(text: str) -> None:
    (stmt,) = gast.parse(text).body
    source, starts = source_and_lines(stmt)
    reparsed = ast.parse(source).body[0]
    expected = {id(s): s.lineno for s in ast.walk(reparsed) if isinstance(s, ast.stmt)}
    ours = [line for line, _ in starts]
    if any(isinstance(s, (ast.With, ast.FunctionDef)) for s in ast.walk(reparsed)):
        assert ours[0] == 1  # left to ast.unparse whole (or partly): the first line at least
    else:
        assert ours == sorted(expected.values())
