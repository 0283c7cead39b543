"""Inline a rule's per-input gradient into generated code.

The rule's parameters are replaced by the operands at the call site (``g`` by
the output's adjoint, ``ans`` by the output, ``xp`` by ``np`` or ``math``), its
local names get fresh names, and constant arithmetic is folded so that
``x ** (2 - 1)`` reads ``x``.
"""

from __future__ import annotations

import ast
import functools
import operator
import warnings
from typing import Any

import gast

from srcdiff._function_source import definition
from srcdiff.codegen import templates as T
from srcdiff.codegen.names import Namer
from srcdiff.codegen.to_gast import to_gast
from srcdiff.rules import Rule


def inline_part(
    rule: Rule,
    index: int,
    bindings: dict[str, gast.expr],
    namer: Namer,
    preamble_names: dict[str, str],
) -> tuple[list[gast.stmt], gast.expr]:
    """The statements and expression computing input ``index``'s gradient.

    ``bindings`` maps the rule's parameter names to expressions. Preamble locals
    are renamed through ``preamble_names`` (shared across inputs of one call so
    a preamble statement is emitted once).
    """
    preamble, expr = _gast_part(rule, index)
    subs = dict(bindings)
    statements: list[gast.stmt] = []
    for stmt in preamble:
        targets = [
            n.id for n in T.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)
        ]
        for t in targets:
            if t not in preamble_names:
                preamble_names[t] = namer.fresh(t)
            subs[t] = preamble_names[t]
        statements.append(fold(T.copy_tree(stmt, subs)))
    body = T.copy_tree(expr, subs)
    return statements, fold(body)


_GAST_PARTS: dict[tuple[int, Any], tuple] = {}  # (rule id, input or "preamble") -> parts


def _gast_part(rule: Rule, index: int) -> tuple[list[gast.stmt], gast.expr]:
    """A rule part as gast, converted once per process (callers copy it)."""
    key = (id(rule), index)
    if key not in _GAST_PARTS:
        preamble, expr = rule.input_parts()[index]
        # the inputs share the rule's preamble: converted once
        shared = _GAST_PARTS.get((id(rule), "preamble"))
        if shared is None:
            shared = _GAST_PARTS[id(rule), "preamble"] = (rule, [to_gast(s) for s in preamble])
        # the rule is kept alive with its conversion, so its id cannot be reused
        _GAST_PARTS[key] = (rule, shared[1], to_gast(expr))
    _, preamble, expr = _GAST_PARTS[key]
    return preamble, expr


def part_is_plain(rule: Rule, index: int, helpers: dict[str, Any]) -> bool:
    """Whether input ``index``'s part calls no helper and asks no shape: then,
    inlined with plain operands, there is nothing to expand or fill in."""
    key = (id(rule), index)
    if key not in _PLAIN:
        preamble, expr = _gast_part(rule, index)
        calls = [n for s in [*preamble, expr] for n in T.walk(s) if isinstance(n, gast.Call)]
        plain = not any(
            (isinstance(c.func, gast.Name) and c.func.id in helpers)
            or (isinstance(c.func, gast.Attribute) and c.func.attr == "shape")
            for c in calls
        )
        _PLAIN[key] = (rule, plain)  # the rule is kept alive, so its id is not reused
    return _PLAIN[key][1]


_PLAIN: dict[tuple[int, int], tuple[Rule, bool]] = {}


def constant_node(value: Any) -> gast.expr:
    """A literal for a simple default value, or None if it has no literal form."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return gast.Constant(value, None)
    if isinstance(value, tuple) and all(isinstance(v, (int, float)) for v in value):
        return gast.Tuple(elts=[gast.Constant(v, None) for v in value], ctx=gast.Load())
    return None


_FOLD = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
    gast.Pow: operator.pow,
}


def _number(node: gast.AST) -> Any:
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    if (
        isinstance(node, gast.UnaryOp)
        and isinstance(node.op, gast.USub)
        and isinstance(node.operand, gast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value
    return None


# Fold constant arithmetic and drop multiplications by one and powers of one.


def _fold_binop(node: gast.BinOp) -> gast.AST:
    left, right = _number(node.left), _number(node.right)
    fold_op = _FOLD.get(type(node.op))
    if left is not None and right is not None and fold_op is not None:
        try:
            value = fold_op(left, right)
        except (ZeroDivisionError, OverflowError):
            return node
        return (
            gast.Constant(value, None)
            if value >= 0
            else gast.UnaryOp(gast.USub(), gast.Constant(-value, None))
        )
    if isinstance(node.op, gast.Pow) and right == 1:
        return node.left
    if isinstance(node.op, gast.Mult) and right == 1:
        return node.left
    if isinstance(node.op, gast.Mult) and left == 1:
        return node.right
    if isinstance(node.op, (gast.Div,)) and right == 1:
        return node.left
    return node


def _fold_ifexp(node: gast.IfExp) -> gast.AST:
    decided = _constant_truth(node.test)
    if decided is None:
        return node
    return node.body if decided else node.orelse


def _fold_unaryop(node: gast.UnaryOp) -> gast.AST:
    if (
        isinstance(node.op, gast.USub)
        and isinstance(node.operand, gast.UnaryOp)
        and isinstance(node.operand.op, gast.USub)
    ):
        return node.operand.operand
    return node


_FOLDS = {gast.BinOp: _fold_binop, gast.IfExp: _fold_ifexp, gast.UnaryOp: _fold_unaryop}


def fold(node: gast.AST) -> gast.AST:
    if not any(_foldable(n) for n in T.walk(node)):
        return node  # the common case, found by a walk: cheaper than transforming
    return T.rewrite(node, _FOLDS)


def _foldable(node: gast.AST) -> bool:
    """Whether ``_Folder`` might change ``node`` (folds inside it aside)."""
    kind = type(node)
    if kind is gast.IfExp:
        return True
    if kind is gast.UnaryOp:
        operand = node.operand
        return isinstance(node.op, gast.USub) and isinstance(operand, gast.UnaryOp)
    if kind is gast.BinOp:
        left, right = _number(node.left), _number(node.right)
        return (left is not None and right is not None) or left == 1 or right == 1
    return False


def python_ast_names(node: ast.AST) -> set[str]:
    # T.walk takes Python's ast too (gast's base classes are ast's)
    return {n.id for n in T.walk(node) if isinstance(n, ast.Name)}


def inline_helper_calls(
    expr: gast.expr, helpers: dict[str, Any], namer: Namer
) -> tuple[list[gast.stmt], gast.expr]:
    """Expand calls to rule helpers whose branching is decided by constant arguments.

    ``unreduce(d_s, e, None, False, np)`` has ``axis=None`` and ``keepdims=False``,
    so its body reduces to ``np.broadcast_to(d_s, np.shape(e))``: that is what the
    reader should see. Calls whose branches depend on run-time values stay calls.
    """
    if not any(_calls_one_of(n, helpers) for n in T.walk(expr)):
        return [], expr
    # The same expansion comes back with other names (every np.sum(x) of a
    # program): it is kept with its names as slots, for expressions that differ
    # only in names the helpers cannot tell apart.
    fixed = _names_helpers_see(helpers)
    slots: dict[str, str] = {}
    pattern = (id(helpers), _pattern(expr, fixed, slots))
    template = _EXPANSIONS.get(pattern)
    if template is not None:
        return [], T.copy_tree(template, {slot: name for name, slot in slots.items()})
    statements, result = _expand(expr, helpers, namer)
    if not statements:  # temporaries would take fresh names: not kept
        _EXPANSIONS[pattern] = T.copy_tree(result, slots)
    return statements, result


def _expand(
    expr: gast.expr, helpers: dict[str, Any], namer: Namer
) -> tuple[list[gast.stmt], gast.expr]:
    statements: list[gast.stmt] = []
    result = expr
    for _ in range(4):  # helpers call helpers: expand a few levels
        expander = _Expander(helpers, namer, statements)
        result = fold(T.rewrite(result, {gast.Call: expander.call}))
        if not expander.expanded:
            break
    return statements, result


def _pattern(node: Any, fixed: frozenset[str], slots: dict[str, str]) -> Any:
    """``node``'s structure, with each name that helpers cannot tell apart
    from another replaced by a slot (``slots`` maps names to slots, in order)."""
    if type(node) is list:
        return tuple(_pattern(n, fixed, slots) for n in node)
    if not isinstance(node, gast.AST):
        return node
    kind = type(node)
    if kind is gast.Name:
        name = node.id
        if name in fixed:
            return name
        if name not in slots:
            slots[name] = f"__slot{len(slots)}"
        return (slots[name], type(node.ctx))
    if kind is gast.Constant:
        return (kind, type(node.value), node.value)
    fields = node.__dict__
    return (kind, *(_pattern(fields.get(f), fixed, slots) for f in node._fields))


def _names_helpers_see(helpers: dict[str, Any]) -> frozenset[str]:
    """Names whose identity an expansion may depend on: the helpers', the names
    their bodies use (parameters aside: arguments replace them), and those
    ``_constant_truth`` knows."""
    key = id(helpers)
    if key not in _SEEN_NAMES:
        names = set(helpers) | set(_TYPE_NAMES) | {"isinstance"}
        for fn in helpers.values():
            # read from the code objects (attribute names too: more than needed,
            # never less), not from the helpers' sources: parsing them all cost
            # a new process 10 ms
            code = fn.__code__
            names |= _code_names(code) - set(code.co_varnames[: code.co_argcount])
        _SEEN_NAMES[key] = (helpers, frozenset(names))  # helpers kept: the id stays theirs
    return _SEEN_NAMES[key][1]


def _code_names(code: Any) -> set[str]:
    names = {*code.co_names, *code.co_varnames, *code.co_cellvars, *code.co_freevars}
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _code_names(const)
    return names


_SEEN_NAMES: dict[int, tuple[dict[str, Any], frozenset[str]]] = {}
# (helpers' id, expression pattern) -> expansion with slots for names
_EXPANSIONS: dict[tuple, gast.expr] = {}


def _calls_one_of(node: gast.AST, helpers: dict[str, Any]) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Name)
        and node.func.id in helpers
        and not node.keywords
    )


class _Expander:
    """One level of helper expansion; the helpers' statements go to ``statements``."""

    def __init__(self, helpers: dict[str, Any], namer: Namer, statements: list[gast.stmt]):
        self.helpers, self.namer, self.statements = helpers, namer, statements
        self.expanded = False

    def call(self, node: gast.Call) -> gast.AST:
        if not _calls_one_of(node, self.helpers):
            return node
        expanded = _partial_evaluate(self.helpers[node.func.id], node.args, self.namer)
        if expanded is None:
            return node
        stmts, value = expanded
        self.statements.extend(stmts)
        self.expanded = True
        return value


@functools.cache
def _helper_tree(fn: Any) -> gast.FunctionDef | None:
    """A rule helper's parsed source, read once per process."""
    try:
        found, _ = definition(fn)
    except (OSError, TypeError):
        return None
    return to_gast(found) if found is not None else None


def _partial_evaluate(fn: Any, args: list[gast.expr], namer: Namer):
    fdef = _helper_tree(fn)
    if fdef is None:
        return None
    params = [a.id for a in fdef.args.args]
    if len(args) != len(params):
        return None
    subs: dict[str, gast.expr] = dict(zip(params, args, strict=False))
    # temporaries get held names first and fresh ones only once the whole body
    # is decided: a helper that stays a call takes no names from the code
    held: list[tuple[str, str]] = []  # (held name, the helper's name for it)
    out: list[gast.stmt] = []
    body = [
        s
        for s in fdef.body
        if not (isinstance(s, gast.Expr) and isinstance(s.value, gast.Constant))
    ]
    while body:
        stmt = body.pop(0)
        if isinstance(stmt, gast.Return):
            value = fold(T.copy_tree(stmt.value, subs))
            if not held:
                return out, value
            fresh = {name: namer.fresh(base) for name, base in held}
            return T.copy_tree(out, fresh), T.copy_tree(value, fresh)
        if isinstance(stmt, gast.If):
            decided = _constant_truth(T.copy_tree(stmt.test, subs))
            if decided is None:
                return None
            body = (stmt.body if decided else stmt.orelse) + body
            continue
        if (
            isinstance(stmt, gast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], gast.Name)
        ):
            value = fold(T.copy_tree(stmt.value, subs))
            target = stmt.targets[0].id
            if isinstance(value, (gast.Name, gast.Constant)):
                subs[target] = value
            else:
                name = f"__held{len(held)}"
                held.append((name, target))
                out.append(T.assign(name, value))
                subs[target] = T.name(name)
            continue
        return None
    return None


_TYPE_NAMES = {"tuple": tuple, "list": list, "int": int, "float": float, "str": str, "bool": bool}


def _constant_truth(test: gast.expr) -> bool | None:
    """The truth of ``test`` if it involves only literals (and ``isinstance`` of a
    literal against a builtin type), else None."""
    for node in T.walk(test):
        if isinstance(node, gast.Call):
            if not (isinstance(node.func, gast.Name) and node.func.id == "isinstance"):
                return None
        elif isinstance(node, gast.Name):
            if node.id not in _TYPE_NAMES and node.id != "isinstance":
                return None
        elif isinstance(node, (gast.Attribute, gast.Subscript)):
            return None
    return _truth_of(T.to_source(test))


@functools.lru_cache(maxsize=1024)
def _truth_of(literal_test: str) -> bool | None:
    # the same few tests (``axis is not None``, ...) come back in every transform
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # `None is not None` is intended here
            code = compile(literal_test, "<fold>", "eval")
        return bool(eval(code, {"__builtins__": {}, "isinstance": isinstance, **_TYPE_NAMES}))
    except Exception:  # noqa: BLE001 - anything not foldable stays a run-time test
        return None
