"""What each statement of a generated function reads and assigns, worked out
once per statement and kept up to date as the tidying passes rewrite code.

The optimizer asks the same questions (who reads ``d_x``? does anything in
between assign ``x``?) over and over until nothing changes; walking every
statement's tree for each question made it the slowest part of a first call.
Simple statements are walked once; a loop or branch combines its statements'
facts with its header's, so removing a statement inside it needs no bookkeeping.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain

import gast

from srcdiff.codegen import templates as T

_COMPOUND = (gast.If, gast.For, gast.While)


class StatementFacts:
    """Names read and names assigned, per statement.

    ``func``, when given, is searched for views (``b_item = b[:1]``, ``a_T = a.T``):
    a statement that writes into ``b`` then also counts as writing its views,
    so no pass moves a read of ``b_item`` across ``b[-1] = b_region``.
    """

    def __init__(self, func: gast.FunctionDef | None = None) -> None:
        # id -> (statement, its name uses, the names it loads as a set); the
        # statement is kept so its id stays unique while the entry lives
        self._simple: dict[int, tuple[gast.stmt, T.NameUses, set[str]]] = {}
        self.views = views_in(func) if func is not None else {}

    def uses(self, stmt: gast.stmt) -> T.NameUses:
        """How a simple statement uses names (``T.name_uses``), worked out once."""
        return self._entry(stmt)[1]

    def reads(self, stmt: gast.stmt) -> set[str]:
        if isinstance(stmt, _COMPOUND):
            return set(self._loads(stmt))
        return self._entry(stmt)[2]

    def assigned(self, stmt: gast.stmt) -> set[str]:
        if isinstance(stmt, _COMPOUND):
            assigned = T.stored_names(stmt.target) if isinstance(stmt, gast.For) else set()
            return assigned.union(*(self.assigned(s) for s in (*stmt.body, *stmt.orelse)))
        return self._entry(stmt)[1].stores

    def written(self, stmt: gast.stmt) -> set[str]:
        """Names a simple statement rebinds or changes in place (``T.names_written``),
        and the views of what it changes."""
        uses = self._entry(stmt)[1]
        if not self.views:
            return uses.written
        changed = uses.written - uses.stores  # in place: rebinding a name leaves its views be
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            changed.add(stmt.target.id)  # b += v writes into an array
        if not changed & self.views.keys():
            return uses.written
        return uses.written.union(*(self.views.get(name, ()) for name in changed))

    def function_reads(self, func: gast.FunctionDef) -> Counter:
        """How many times each name is read in ``func``."""
        loads = [_loaded(func.args)] + [self._loads(s) for s in func.body]
        return Counter(chain.from_iterable(loads))  # one count over flat lists: C speed

    def function_stores(self, func: gast.FunctionDef) -> Counter:
        """How many statements bind each name in ``func`` (loop targets included)."""
        return Counter(chain.from_iterable(self._stores(s) for s in func.body))

    def rename_reads(self, stmt: gast.stmt, new: str, old: str) -> int:
        """Make every read of ``new`` in ``stmt`` read ``old``; how many there were."""
        if new not in self.reads(stmt):
            return 0
        renamed = 0
        for node in T.walk(stmt):
            if isinstance(node, gast.Name) and node.id == new and isinstance(node.ctx, gast.Load):
                node.id = old
                renamed += 1
            elif isinstance(node, gast.stmt):
                self.forget(node)
        return renamed

    def forget(self, stmt: gast.stmt) -> None:
        """``stmt`` was changed in place: work its facts out again when asked."""
        self._simple.pop(id(stmt), None)

    def _loads(self, stmt: gast.stmt) -> list[str]:
        if not isinstance(stmt, _COMPOUND):
            return self._entry(stmt)[1].loads
        header = [stmt.iter, stmt.target] if isinstance(stmt, gast.For) else [stmt.test]
        loads = [name for node in header for name in _loaded(node)]
        for inner in (*stmt.body, *stmt.orelse):
            loads += self._loads(inner)
        return loads

    def _stores(self, stmt: gast.stmt) -> list[str]:
        if not isinstance(stmt, _COMPOUND):
            return list(self._entry(stmt)[1].stores)
        stores = list(T.stored_names(stmt.target)) if isinstance(stmt, gast.For) else []
        for inner in (*stmt.body, *stmt.orelse):
            stores += self._stores(inner)
        return stores

    def _entry(self, stmt: gast.stmt) -> tuple[gast.stmt, T.NameUses, set[str]]:
        entry = self._simple.get(id(stmt))
        if entry is None:
            uses = T.name_uses(stmt)
            entry = self._simple[id(stmt)] = (stmt, uses, set(uses.loads))
        return entry


def _loaded(node: gast.AST) -> list[str]:
    return [n.id for n in T.walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


# numpy functions and array methods whose result may share the argument's memory
_VIEW_CALLS = {
    "np.broadcast_to", "np.reshape", "np.transpose", "np.squeeze", "np.expand_dims",
    "np.ravel", "np.asarray", "np.swapaxes", "np.moveaxis", "np.diagonal", "np.atleast_1d",
    "np.atleast_2d", "np.atleast_3d", "np.real", "np.imag",
}  # fmt: skip
_VIEW_METHODS = {"reshape", "ravel", "squeeze", "transpose", "swapaxes", "view", "diagonal"}
_VIEW_ATTRIBUTES = {"T", "real", "imag", "flat"}


def views_in(func: gast.FunctionDef) -> dict[str, set[str]]:
    """For each name, the names assigned something that may share its memory
    (a view, or the same array), followed through chains of views."""
    direct: dict[str, set[str]] = {}
    for block in T.blocks(func.body):
        for stmt in block:
            if not (
                isinstance(stmt, gast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name)
            ):
                continue
            base = _view_base(stmt.value)
            if base is not None and base != stmt.targets[0].id:
                direct.setdefault(base, set()).add(stmt.targets[0].id)
    views: dict[str, set[str]] = {}
    for base in direct:
        found, todo = set(), [base]
        while todo:
            for view in direct.get(todo.pop(), ()):
                if view not in found:
                    found.add(view)
                    todo.append(view)
        views[base] = found
    return views


def _view_base(expr: gast.expr) -> str | None:
    """The name whose array ``expr`` may be a view of."""
    if isinstance(expr, gast.Name):
        return expr.id
    if isinstance(expr, gast.Subscript) or (
        isinstance(expr, gast.Attribute) and expr.attr in _VIEW_ATTRIBUTES
    ):
        return _view_base(expr.value)
    if isinstance(expr, gast.Call) and expr.args and T.dotted(expr.func) in _VIEW_CALLS:
        return _view_base(expr.args[0])
    if (
        isinstance(expr, gast.Call)
        and isinstance(expr.func, gast.Attribute)
        and expr.func.attr in _VIEW_METHODS
    ):
        return _view_base(expr.func.value)
    return None
