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

import gast

from srcdiff.codegen import templates as T

_COMPOUND = (gast.If, gast.For, gast.While)


class StatementFacts:
    """Names read (with counts) and names assigned, per statement."""

    def __init__(self) -> None:
        # id -> (statement, reads, assigned); the statement is kept so its id stays unique
        self._simple: dict[int, tuple[gast.stmt, Counter, set[str]]] = {}
        self._written: dict[int, tuple[gast.stmt, set[str]]] = {}

    def reads(self, stmt: gast.stmt) -> Counter:
        return self._of(stmt)[0]

    def assigned(self, stmt: gast.stmt) -> set[str]:
        return self._of(stmt)[1]

    def written(self, stmt: gast.stmt) -> set[str]:
        """Names ``stmt`` rebinds or changes in place (``T.names_written``)."""
        entry = self._written.get(id(stmt))
        if entry is None:
            entry = self._written[id(stmt)] = (stmt, T.names_written(stmt))
        return entry[1]

    def function_reads(self, func: gast.FunctionDef) -> Counter:
        total = T.name_counts(func.args)
        for stmt in func.body:
            total.update(self.reads(stmt))
        return total

    def rename_reads(self, stmt: gast.stmt, new: str, old: str) -> int:
        """Make every read of ``new`` in ``stmt`` read ``old``; how many there were."""
        if not self.reads(stmt).get(new):
            return 0
        renamed = 0
        for node in T.walk(stmt):
            if isinstance(node, gast.Name) and node.id == new and isinstance(node.ctx, gast.Load):
                node.id = old
                renamed += 1
            elif isinstance(node, gast.stmt):
                self._simple.pop(id(node), None)
                self._written.pop(id(node), None)
        return renamed

    def _of(self, stmt: gast.stmt) -> tuple[Counter, set[str]]:
        if isinstance(stmt, _COMPOUND):
            return self._compound(stmt)
        entry = self._simple.get(id(stmt))
        if entry is None:
            entry = (stmt, T.name_counts(stmt), T.stored_names(stmt))
            self._simple[id(stmt)] = entry
        return entry[1], entry[2]

    def _compound(self, stmt: gast.stmt) -> tuple[Counter, set[str]]:
        if isinstance(stmt, gast.For):
            reads = T.name_counts(stmt.iter) + T.name_counts(stmt.target)
            assigned = T.stored_names(stmt.target)
        else:
            reads, assigned = T.name_counts(stmt.test), set()
        for inner in (*stmt.body, *stmt.orelse):
            inner_reads, inner_assigned = self._of(inner)
            reads.update(inner_reads)
            assigned |= inner_assigned
        return reads, assigned
