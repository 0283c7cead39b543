"""Fold single-use temporaries back into the expression that reads them.

Normalisation names every intermediate (``X_at_W1 = X @ W1``), which the
passes need; a person writes ``h = np.tanh(X @ W1 + b1)``.  Folding is also
faster for large arrays: a named temporary lives until the function returns,
so an unfolded gradient keeps several large arrays alive at once (the heap
grows and shrinks on every call), while an unnamed one is freed as soon as it
is used and numpy may even reuse its buffer for the next operation.

Only the compiler's own names are folded, never the user's variables or their
adjoints, and only where nothing can tell the difference: the temporary is
assigned once, read once, later in the same block, by a statement that reads
it first thing (an assignment, a condition, a call's argument); nothing in
between writes anything it reads; and the line stays readable.
"""

from __future__ import annotations

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.facts import StatementFacts
from srcdiff.codegen.optimize import is_pure

_LONGEST = 92  # characters of a folded statement (lines are at most 100)


def fold_temporaries(
    func: gast.FunctionDef, keep: set[str], pure: set[str], facts: StatementFacts | None = None
) -> bool:
    """Fold what can be folded; ``keep`` are names that stay (the user's).
    ``facts``, when given, are true of ``func``'s statements (kept up to date here)."""
    facts = facts if facts is not None else StatementFacts(func)
    loads = facts.function_reads(func)
    # statement id -> (own loads, writes, names); after a fold the enclosing
    # statements' sets may still name the temporary, which only makes them cautious
    index: dict = {}
    _index(func.body, index, facts)
    changed = False
    for block in T.blocks(func.body):
        i = 0
        while i < len(block):
            stmt = block[i]
            name = _temporary(stmt, keep)
            if name is not None and is_pure(stmt.value, pure):
                j = _reader(block, i, name, index, facts)
                if (
                    j is not None
                    and (loads[name] == 1 or _only_reader(func, block[i], block[j], name, index))
                    and _fold(block, i, j, name, pure)
                ):
                    facts.forget(block[j])
                    _index([block[j]], index, facts)  # it now reads what the temporary read
                    del block[i]
                    changed = True
                    continue
            i += 1
    return changed


def _temporary(stmt: gast.stmt, keep: set[str]) -> str | None:
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    ):
        return None
    name = stmt.targets[0].id
    return None if name in keep else name


def _only_reader(func: gast.FunctionDef, definition, reader, name: str, index: dict) -> bool:
    """Whether ``reader`` is the one statement that reads the value ``definition``
    gives ``name``: every other read follows, in its own block, another
    assignment of ``name`` (the reverse sweep recomputing ``sin_x``, say)."""
    for block in T.blocks(func.body):
        latest = None
        for stmt in block:
            loads, writes, mentioned = index[id(stmt)]
            if name not in mentioned:
                continue
            if stmt is not reader and name in loads:
                if latest is None or latest is definition:
                    return False
            if isinstance(stmt, gast.Assign) and any(
                isinstance(t, gast.Name) and t.id == name for t in stmt.targets
            ):
                latest = stmt
            elif name in writes:
                latest = None  # assigned some other way (unpacking, a loop target, inside)
    return True


def _index(block: list[gast.stmt], index: dict, facts: StatementFacts) -> tuple[set[str], set[str]]:
    """For each statement: (names its own nodes load, names written anywhere in it,
    names mentioned anywhere in it), one walk over the tree; returns the block's
    written and mentioned names."""
    block_writes: set[str] = set()
    block_names: set[str] = set()
    for stmt in block:
        nested = isinstance(stmt, (gast.If, gast.For, gast.While))
        if not nested and not isinstance(stmt, gast.FunctionDef):
            # a simple statement: all of it is in the facts (sets shared, never changed)
            writes, names = facts.written(stmt), facts.uses(stmt).mentioned
            index[id(stmt)] = (facts.reads(stmt), writes, names)
            block_writes |= writes
            block_names |= names
            continue
        uses = [T.name_uses(part) for part in _own_parts(stmt)]
        loads = {name for u in uses for name in u.loads}
        names = set().union(*(u.mentioned for u in uses))
        # a header's own writes are its loop target; a def's, the names its body binds
        writes = set().union(*(u.stores for u in uses)) if nested else T.names_written(stmt)
        if nested:
            for field in ("body", "orelse"):
                inner_writes, inner_names = _index(getattr(stmt, field), index, facts)
                writes |= inner_writes
                names |= inner_names
        index[id(stmt)] = (loads, writes, names)
        block_writes |= writes
        block_names |= names
    return block_writes, block_names


def _own_parts(stmt: gast.stmt) -> list[gast.AST]:
    """A statement's parts outside its nested blocks (a loop's header, say)."""
    if isinstance(stmt, (gast.If, gast.While)):
        return [stmt.test]
    if isinstance(stmt, gast.For):
        return [stmt.iter, stmt.target]
    return [] if isinstance(stmt, gast.FunctionDef) else [stmt]


def _reader(
    block: list[gast.stmt], i: int, name: str, index: dict, facts: StatementFacts
) -> int | None:
    """The index of the statement after ``block[i]`` that reads ``name``, if it is
    in this block; None if the read is elsewhere or something in between writes
    what the temporary's value reads."""
    reads = facts.reads(block[i])  # a plain ``name = value``: what the value reads
    for j in range(i + 1, len(block)):
        stmt = block[j]
        _, writes, mentioned = index[id(stmt)]
        if name in mentioned and name in facts.reads(stmt):
            return j
        if writes & (reads | {name}) or not _harmless(stmt):
            return None
    return None


def _fold(block: list[gast.stmt], i: int, j: int, name: str, pure: set[str]) -> bool:
    reader = block[j]
    if isinstance(reader, gast.Assign):
        head = reader.value
    elif isinstance(reader, gast.If):
        head = reader.test
    elif isinstance(reader, gast.Expr):
        head = reader.value
    else:
        return False  # loops re-read their header; returns read the record
    use = [n for n in T.walk(head) if _is_load(n, name)]
    if len(use) != 1 or not _first_effect_free(head, pure):
        return False
    value = block[i].value
    parent = _parent_of(head, use[0])
    if parent is None:
        if isinstance(reader, gast.Assign):
            reader.value = value
        elif isinstance(reader, gast.If):
            reader.test = value
        else:
            reader.value = value
    else:
        T.replace_child(parent, use[0], value)
    if len(T.to_source(reader if not isinstance(reader, gast.If) else reader.test)) > _LONGEST:
        _undo(reader, head, parent, use[0], value)
        return False
    return True


def _first_effect_free(head: gast.expr, pure: set[str]) -> bool:
    """Evaluating ``head`` up to the temporary's place changes nothing it reads:
    pure arithmetic, or one outer call such as ``rows.append(t)``."""
    if is_pure(head, pure):
        return True
    return (
        isinstance(head, gast.Call)
        and isinstance(head.func, (gast.Name, gast.Attribute))
        and all(is_pure(a, pure) for a in head.args)
        and all(is_pure(k.value, pure) for k in head.keywords)
    )


def _undo(reader, head, parent, use, value) -> None:
    if parent is None:
        if isinstance(reader, gast.If):
            reader.test = head
        else:
            reader.value = head
    else:
        T.replace_child(parent, value, use)


def _parent_of(root: gast.AST, target: gast.AST) -> gast.AST | None:
    for node in T.walk(root):
        if any(child is target for child in T.children(node)):
            return node
    return None


def _harmless(stmt: gast.stmt) -> bool:
    """Statements folding may move a computation across: plain assignments and
    pushes onto lists (no branches, loops or calls into unknown code)."""
    if isinstance(stmt, (gast.Assign, gast.AugAssign)):
        return True
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        return isinstance(func, gast.Attribute) and func.attr == "append"
    return False


def _is_load(node: gast.AST, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name and isinstance(node.ctx, gast.Load)
