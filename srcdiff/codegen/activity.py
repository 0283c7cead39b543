"""Pass 4: activity analysis — which variables carry a derivative.

A variable is active when its value depends differentiably on a ``wrt``
argument. Comparisons, shapes, integer-valued functions and the like cut the
dependence. The analysis is per variable name and iterates to a fixed point, so
loops that carry a value from one iteration to the next are covered.
"""

from __future__ import annotations

from collections.abc import Callable

import gast

from srcdiff.codegen.resolve import ARRAY_ATTRIBUTES_INACTIVE, CallTarget

Classifier = Callable[[gast.Call], CallTarget]


def expr_is_active(expr: gast.AST | None, active: set[str], classify: Classifier) -> bool:
    """Whether ``expr``'s value depends differentiably on an active variable."""
    if expr is None:
        return False
    if isinstance(expr, gast.Name):
        return expr.id in active
    if isinstance(expr, (gast.Constant, gast.Compare, gast.BoolOp)):
        return False
    if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.Not):
        return False
    if isinstance(expr, gast.Attribute):
        if expr.attr in ARRAY_ATTRIBUTES_INACTIVE:
            return False
        return expr_is_active(expr.value, active, classify)
    if isinstance(expr, gast.Subscript):
        return expr_is_active(expr.value, active, classify)
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, (gast.FloorDiv, gast.Mod)):
        return False
    if isinstance(expr, gast.Call):
        target = classify(expr)
        if target.kind == "inactive":
            return False
        parts = list(expr.args) + [k.value for k in expr.keywords]
        if target.receiver is not None:
            parts.append(target.receiver)
        return any(expr_is_active(p, active, classify) for p in parts)
    return any(expr_is_active(child, active, classify) for child in gast.iter_child_nodes(expr))


def stored_names(target: gast.AST) -> list[str]:
    """Names a target binds (``a``, ``a, b``); a subscript target binds its base."""
    if isinstance(target, gast.Name):
        return [target.id]
    if isinstance(target, (gast.Tuple, gast.List)):
        return [n for elt in target.elts for n in stored_names(elt)]
    if isinstance(target, (gast.Subscript, gast.Attribute)):
        return stored_names(target.value)
    if isinstance(target, gast.Starred):
        return stored_names(target.value)
    return []


def active_variables(body: list[gast.stmt], wrt: set[str], classify: Classifier) -> set[str]:
    """The variables of ``body`` that carry a derivative of the ``wrt`` names."""
    active = set(wrt)
    while True:
        before = len(active)
        for stmt in _walk_statements(body):
            _transfer(stmt, active, classify)
        if len(active) == before:
            return active


def _transfer(stmt: gast.stmt, active: set[str], classify: Classifier) -> None:
    if isinstance(stmt, gast.Assign):
        for target in stmt.targets:
            _bind(target, stmt.value, active, classify)
    elif isinstance(stmt, (gast.AugAssign, gast.AnnAssign)):
        if stmt.value is not None and expr_is_active(stmt.value, active, classify):
            active.update(stored_names(stmt.target))
    elif isinstance(stmt, gast.For):
        _bind(stmt.target, _item_of(stmt.iter), active, classify)
    elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        # list.append(v) and friends make the list carry v's derivative
        if isinstance(func, gast.Attribute) and func.attr in ("append", "extend", "insert"):
            if any(expr_is_active(a, active, classify) for a in stmt.value.args):
                active.update(stored_names(func.value))


def _bind(target: gast.AST, value: gast.expr, active: set[str], classify: Classifier) -> None:
    """``a, b = x, y`` pairs targets with values: ``a`` is active only if ``x`` is."""
    if (
        isinstance(target, (gast.Tuple, gast.List))
        and isinstance(value, (gast.Tuple, gast.List))
        and len(target.elts) == len(value.elts)
        and not any(isinstance(e, gast.Starred) for e in target.elts + value.elts)
    ):
        for t, v in zip(target.elts, value.elts, strict=True):
            _bind(t, v, active, classify)
    elif expr_is_active(value, active, classify):
        active.update(stored_names(target))


def _item_of(iterable: gast.expr) -> gast.expr:
    """An expression as active as one item of ``iterable``: ``enumerate(xs)`` gives
    (an int, an item of xs), ``zip(xs, ys)`` one item of each."""
    if isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name):
        name, args = iterable.func.id, iterable.args
        if name == "enumerate" and args:
            return gast.Tuple(elts=[gast.Constant(0, None), _item_of(args[0])], ctx=gast.Load())
        if name == "zip" and args:
            return gast.Tuple(elts=[_item_of(a) for a in args], ctx=gast.Load())
        if name == "reversed" and len(args) == 1:
            return _item_of(args[0])
    return iterable


def _walk_statements(body: list[gast.stmt]):
    for stmt in body:
        yield stmt
        for field in ("body", "orelse"):
            yield from _walk_statements(getattr(stmt, field, []) or [])
