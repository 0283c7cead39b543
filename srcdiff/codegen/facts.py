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
from srcdiff.codegen.views import views_in

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
        # id -> (loop or branch, the names its header loads)
        self._headers: dict[int, tuple[gast.stmt, list[str]]] = {}
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
        self._headers.pop(id(stmt), None)

    def _loads(self, stmt: gast.stmt) -> list[str]:
        if not isinstance(stmt, _COMPOUND):
            return self._entry(stmt)[1].loads
        entry = self._headers.get(id(stmt))
        if entry is None:
            header = [stmt.iter, stmt.target] if isinstance(stmt, gast.For) else [stmt.test]
            entry = self._headers[id(stmt)] = (stmt, [n for part in header for n in _loaded(part)])
        loads = list(entry[1])
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
    return [n.id for n in T.walk(node) if type(n) is gast.Name and type(n.ctx) is gast.Load]
