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
        if expr_is_active(stmt.value, active, classify):
            for target in stmt.targets:
                active.update(stored_names(target))
    elif isinstance(stmt, (gast.AugAssign, gast.AnnAssign)):
        if stmt.value is not None and expr_is_active(stmt.value, active, classify):
            active.update(stored_names(stmt.target))
    elif isinstance(stmt, gast.For):
        if expr_is_active(stmt.iter, active, classify):
            active.update(stored_names(stmt.target))
    elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        # list.append(v) and friends make the list carry v's derivative
        if isinstance(func, gast.Attribute) and func.attr in ("append", "extend", "insert"):
            if any(expr_is_active(a, active, classify) for a in stmt.value.args):
                active.update(stored_names(func.value))


def _walk_statements(body: list[gast.stmt]):
    for stmt in body:
        yield stmt
        for field in ("body", "orelse"):
            yield from _walk_statements(getattr(stmt, field, []) or [])
