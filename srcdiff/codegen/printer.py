"""Print gast trees as Python source, exactly as ``ast.unparse`` would.

Generated code is printed once per transform and measured several times
before that (folding checks line lengths), so printing sits on the path of
every first call. ``ast.unparse`` needs the tree converted from gast to ast
first, which cost twice as much as printing; this prints gast directly with
the same rules, so the two agree character for character (tests/codegen/
test_printer.py checks it on the whole corpus). A construct this module does
not know is printed by ``ast.unparse``, one statement at a time.
"""

from __future__ import annotations

import ast
import sys

import gast

# ast.unparse's precedence levels (ast._Precedence), lowest binding first
_TUPLE, _YIELD, _TEST, _OR, _AND, _NOT, _CMP, _EXPR = 2, 3, 4, 5, 6, 7, 8, 9
_BXOR, _BAND, _SHIFT, _ARITH, _TERM, _FACTOR, _POWER, _ATOM = 10, 11, 12, 13, 14, 15, 16, 18

_BINOPS = {
    gast.Add: ("+", _ARITH),
    gast.Sub: ("-", _ARITH),
    gast.Mult: ("*", _TERM),
    gast.MatMult: ("@", _TERM),
    gast.Div: ("/", _TERM),
    gast.Mod: ("%", _TERM),
    gast.FloorDiv: ("//", _TERM),
    gast.LShift: ("<<", _SHIFT),
    gast.RShift: (">>", _SHIFT),
    gast.BitOr: ("|", _EXPR),
    gast.BitXor: ("^", _BXOR),
    gast.BitAnd: ("&", _BAND),
    gast.Pow: ("**", _POWER),
}
_UNARY = {gast.USub: "-", gast.UAdd: "+", gast.Invert: "~", gast.Not: "not "}
_COMPARE = {
    gast.Eq: "==",
    gast.NotEq: "!=",
    gast.Lt: "<",
    gast.LtE: "<=",
    gast.Gt: ">",
    gast.GtE: ">=",
    gast.Is: "is",
    gast.IsNot: "is not",
    gast.In: "in",
    gast.NotIn: "not in",
}
_INFINITY = "1e" + repr(sys.float_info.max_10_exp + 1)


class _Unknown(Exception):
    """A construct left to ``ast.unparse``."""


def source_of(node: gast.AST) -> str:
    """The source of a statement (with a final newline) or of an expression."""
    if not isinstance(node, gast.stmt):
        try:
            return _expr(node, _TEST)
        except _Unknown:
            return ast.unparse(gast.gast_to_ast(node))
    return source_and_lines(node)[0]


def source_and_lines(stmt: gast.stmt) -> tuple[str, list[tuple[int, gast.stmt]]]:
    """A statement's source, and the line (from 1) where each statement in it
    starts (those inside a statement left to ``ast.unparse`` aside)."""
    lines = _Lines()
    _statement(stmt, 0, lines)
    return "\n".join(lines) + "\n", lines.starts


class _Lines(list):
    """Printed lines, and where each statement started."""

    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[int, gast.stmt]] = []


# statements -----------------------------------------------------------------


def _block(stmts: list[gast.stmt], level: int, lines: _Lines) -> None:
    for stmt in stmts:
        _statement(stmt, level, lines)


def _statement(stmt: gast.stmt, level: int, lines: _Lines) -> None:
    printer = _STATEMENTS.get(type(stmt))
    mark, started = len(lines), len(lines.starts)
    if printer is not None:
        try:
            lines.starts.append((mark + 1, stmt))
            printer(stmt, level, lines)
            return
        except _Unknown:
            del lines[mark:]
            del lines.starts[started:]
    _unparsed(stmt, level, lines)


def _unparsed(stmt: gast.stmt, level: int, lines: _Lines) -> None:
    text = ast.unparse(gast.gast_to_ast(stmt))
    if isinstance(stmt, (gast.FunctionDef, gast.ClassDef)) and lines:
        lines.append("")  # ast.unparse sets nested definitions apart
    lines.starts.append((len(lines) + 1, stmt))
    indent = "    " * level
    lines.extend(indent + line if line else line for line in text.split("\n"))


def _function(stmt: gast.FunctionDef, level: int, lines: _Lines) -> None:
    body = stmt.body
    if stmt.decorator_list or stmt.returns is not None or _starts_with_docstring(body):
        raise _Unknown
    if lines:
        lines.append("")
    lines.append(f"{'    ' * level}def {stmt.name}({_arguments(stmt.args)}):")
    _block(body, level + 1, lines)


def _starts_with_docstring(body: list[gast.stmt]) -> bool:
    first = body[0] if body else None
    return (
        isinstance(first, gast.Expr)
        and isinstance(first.value, gast.Constant)
        and isinstance(first.value.value, str)
    )


def _arguments(args: gast.arguments) -> str:
    parts = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + args.defaults
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True), 1):
        parts.append(_parameter(arg, default))
        if index == len(args.posonlyargs):
            parts.append("/")
    if args.vararg is not None or args.kwonlyargs:
        parts.append("*" + (_parameter(args.vararg, None) if args.vararg is not None else ""))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        parts.append(_parameter(arg, default))
    if args.kwarg is not None:
        parts.append("**" + _parameter(args.kwarg, None))
    return ", ".join(parts)


def _parameter(arg: gast.Name, default: gast.expr | None) -> str:
    if arg.annotation is not None:
        raise _Unknown
    return arg.id if default is None else f"{arg.id}={_expr(default, _TEST)}"


def _assign(stmt: gast.Assign, level: int, lines: _Lines) -> None:
    targets = "".join(_expr(t, _TUPLE) + " = " for t in stmt.targets)
    lines.append(f"{'    ' * level}{targets}{_expr(stmt.value, _TEST)}")


def _aug_assign(stmt: gast.AugAssign, level: int, lines: _Lines) -> None:
    op = _BINOPS[type(stmt.op)][0]
    target, value = _expr(stmt.target, _TEST), _expr(stmt.value, _TEST)
    lines.append(f"{'    ' * level}{target} {op}= {value}")


def _return(stmt: gast.Return, level: int, lines: _Lines) -> None:
    value = "" if stmt.value is None else " " + _expr(stmt.value, _TEST)
    lines.append(f"{'    ' * level}return{value}")


def _expression_statement(stmt: gast.Expr, level: int, lines: _Lines) -> None:
    lines.append("    " * level + _expr(stmt.value, _YIELD))


def _if(stmt: gast.If, level: int, lines: _Lines) -> None:
    indent = "    " * level
    lines.append(f"{indent}if {_expr(stmt.test, _TEST)}:")
    _block(stmt.body, level + 1, lines)
    while len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], gast.If):
        stmt = stmt.orelse[0]  # else: if ... reads elif
        lines.starts.append((len(lines) + 1, stmt))
        lines.append(f"{indent}elif {_expr(stmt.test, _TEST)}:")
        _block(stmt.body, level + 1, lines)
    _else(stmt, level, lines)


def _for(stmt: gast.For, level: int, lines: _Lines) -> None:
    target, items = _expr(stmt.target, _TUPLE), _expr(stmt.iter, _TEST)
    lines.append(f"{'    ' * level}for {target} in {items}:")
    _block(stmt.body, level + 1, lines)
    _else(stmt, level, lines)


def _while(stmt: gast.While, level: int, lines: _Lines) -> None:
    lines.append(f"{'    ' * level}while {_expr(stmt.test, _TEST)}:")
    _block(stmt.body, level + 1, lines)
    _else(stmt, level, lines)


def _else(stmt: gast.stmt, level: int, lines: _Lines) -> None:
    if stmt.orelse:
        lines.append("    " * level + "else:")
        _block(stmt.orelse, level + 1, lines)


def _keyword_statement(word: str):
    def printer(stmt: gast.stmt, level: int, lines: _Lines) -> None:
        lines.append("    " * level + word)

    return printer


_STATEMENTS = {
    gast.FunctionDef: _function,
    gast.Assign: _assign,
    gast.AugAssign: _aug_assign,
    gast.Return: _return,
    gast.Expr: _expression_statement,
    gast.If: _if,
    gast.For: _for,
    gast.While: _while,
    gast.Pass: _keyword_statement("pass"),
    gast.Break: _keyword_statement("break"),
    gast.Continue: _keyword_statement("continue"),
}


# expressions ----------------------------------------------------------------


def _expr(node: gast.expr, context: int) -> str:
    """``node`` printed where an expression of precedence ``context`` is expected."""
    printer = _EXPRESSIONS.get(type(node))
    if printer is None:
        raise _Unknown
    return printer(node, context)


def _parenthesized(text: str, own: int, context: int) -> str:
    return f"({text})" if context > own else text


def _name(node: gast.Name, context: int) -> str:
    return node.id


def _constant(node: gast.Constant, context: int) -> str:
    value = node.value
    if isinstance(value, tuple):
        return "(" + _items([_literal(v) for v in value]) + ")"
    if value is ...:
        return "..."
    return ("u" if node.kind == "u" else "") + _literal(value)


def _literal(value) -> str:
    if isinstance(value, (float, complex)):
        return repr(value).replace("inf", _INFINITY).replace("nan", f"({_INFINITY}-{_INFINITY})")
    return repr(value)


def _items(texts: list[str]) -> str:
    """Comma-separated, with the trailing comma of a one-element tuple."""
    return texts[0] + "," if len(texts) == 1 else ", ".join(texts)


def _binop(node: gast.BinOp, context: int) -> str:
    op, own = _BINOPS[type(node.op)]
    left_context, right_context = (own + 1, own) if op == "**" else (own, own + 1)
    text = f"{_expr(node.left, left_context)} {op} {_expr(node.right, right_context)}"
    return _parenthesized(text, own, context)


def _unaryop(node: gast.UnaryOp, context: int) -> str:
    own = _NOT if isinstance(node.op, gast.Not) else _FACTOR
    return _parenthesized(_UNARY[type(node.op)] + _expr(node.operand, own), own, context)


def _boolop(node: gast.BoolOp, context: int) -> str:
    own = _AND if isinstance(node.op, gast.And) else _OR
    word = " and " if own == _AND else " or "
    # ast.unparse raises the precedence by one level per operand
    text = word.join(_expr(v, own + k) for k, v in enumerate(node.values, 1))
    return _parenthesized(text, own, context)


def _compare(node: gast.Compare, context: int) -> str:
    parts = [_expr(node.left, _CMP + 1)]
    for op, right in zip(node.ops, node.comparators, strict=True):
        parts.append(f" {_COMPARE[type(op)]} {_expr(right, _CMP + 1)}")
    return _parenthesized("".join(parts), _CMP, context)


def _ifexp(node: gast.IfExp, context: int) -> str:
    body, test = _expr(node.body, _TEST + 1), _expr(node.test, _TEST + 1)
    text = f"{body} if {test} else {_expr(node.orelse, _TEST)}"
    return _parenthesized(text, _TEST, context)


def _call(node: gast.Call, context: int) -> str:
    args = [_expr(a, _TEST) for a in node.args]
    for keyword in node.keywords:
        value = _expr(keyword.value, _TEST)
        args.append(f"**{value}" if keyword.arg is None else f"{keyword.arg}={value}")
    return f"{_expr(node.func, _ATOM)}({', '.join(args)})"


def _attribute(node: gast.Attribute, context: int) -> str:
    value = node.value
    space = " " if isinstance(value, gast.Constant) and isinstance(value.value, int) else ""
    return f"{_expr(value, _ATOM)}{space}.{node.attr}"


def _subscript(node: gast.Subscript, context: int) -> str:
    index = node.slice
    if isinstance(index, gast.Tuple) and index.elts:
        inside = _items([_expr(e, _TEST) for e in index.elts])
    else:
        inside = _expr(index, _TEST)
    return f"{_expr(node.value, _ATOM)}[{inside}]"


def _slice(node: gast.Slice, context: int) -> str:
    text = (_expr(node.lower, _TEST) if node.lower else "") + ":"
    text += _expr(node.upper, _TEST) if node.upper else ""
    if node.step:
        text += ":" + _expr(node.step, _TEST)
    return text


def _starred(node: gast.Starred, context: int) -> str:
    return "*" + _expr(node.value, _EXPR)


def _tuple(node: gast.Tuple, context: int) -> str:
    if not node.elts:
        return "()"
    text = _items([_expr(e, _TEST) for e in node.elts])
    return f"({text})" if context > _TUPLE else text


def _list(node: gast.List, context: int) -> str:
    return "[" + ", ".join(_expr(e, _TEST) for e in node.elts) + "]"


def _dict(node: gast.Dict, context: int) -> str:
    items = [
        f"**{_expr(v, _EXPR)}" if k is None else f"{_expr(k, _TEST)}: {_expr(v, _TEST)}"
        for k, v in zip(node.keys, node.values, strict=True)
    ]
    return "{" + ", ".join(items) + "}"


_EXPRESSIONS = {
    gast.Name: _name,
    gast.Constant: _constant,
    gast.BinOp: _binop,
    gast.UnaryOp: _unaryop,
    gast.BoolOp: _boolop,
    gast.Compare: _compare,
    gast.IfExp: _ifexp,
    gast.Call: _call,
    gast.Attribute: _attribute,
    gast.Subscript: _subscript,
    gast.Slice: _slice,
    gast.Starred: _starred,
    gast.Tuple: _tuple,
    gast.List: _list,
    gast.Dict: _dict,
}
