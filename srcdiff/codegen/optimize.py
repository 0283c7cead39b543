"""Pass 7: tidy the generated function so it reads (and runs) like hand-written code.

- alias propagation: ``d_a = d_b`` followed by uses of ``d_a`` becomes uses of
  ``d_b`` (the adjoint of an addition or a copy is such an alias);
- dead code: assignments of pure values nobody reads are dropped (in ``grad``
  mode the loss value itself, when the gradient does not need it);
- self-assignments (``d_x = d_x``) are dropped.

Only assignments whose right-hand side is free of side effects are ever moved
or removed: names, literals, arithmetic, and calls into numpy, math and the
generated code's own helpers.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.facts import StatementFacts
from srcdiff.codegen.views import views_in

_PURE_MODULES = ("np", "math")
_LONGEST = 92  # characters of a merged statement (lines are at most 100)


def optimize(
    func: gast.FunctionDef, pure_names: set[str], facts: StatementFacts | None = None
) -> StatementFacts:
    """Tidy ``func`` in place; returns what it learnt of its statements, still
    true of every statement left (for the passes that follow). ``facts``, when
    given, are true of ``func``'s statements (an earlier optimize's, kept up to date)."""
    facts = facts if facts is not None else StatementFacts(func)
    for _ in range(4):
        reads = facts.function_reads(func)  # kept exact by the two passes that use it
        changed = _propagate_aliases(func.body, facts, reads)
        changed |= _drop_dead(func, pure_names, reads)
        changed |= _drop_overwritten(func.body, pure_names, facts, top=True)
        changed |= _merge_accumulations(func.body, pure_names, facts)
        changed |= _drop_empty(func.body, pure_names)
        if not changed:
            break
    _batch_outer_products(func.body, functools.cache(lambda: views_in(func)))
    return facts


# accumulated outer products --------------------------------------------------------


def _batch_outer_products(block: list[gast.stmt], views: Callable[[], dict]) -> None:
    """``d_W = d_W + np.outer(a, b)`` in every step of a loop becomes one matrix
    product after it (an expert's RNN gradient): the rows are collected, and
    ``d_W`` gets ``A.T @ B`` once, instead of a small product and an addition per step.
    Accumulations that share their left rows share one list; a gradient that
    was zeros before the loop is assigned the product, not added to zeros."""
    i = 0
    while i < len(block):
        stmt = block[i]
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner and isinstance(stmt, (gast.If, gast.For, gast.While)):
                _batch_outer_products(inner, views)
        if isinstance(stmt, gast.For):
            batches = _batch_loop(stmt, views)
            if batches:
                totals = [total for _, group in batches for total, _ in group]
                zeros = _zero_starts(block, i, totals)
                for k in sorted((k for k, _ in zeros.values()), reverse=True):
                    del block[k]
                    i -= 1
                before = [T.stmt(f"{rows} = []") for rows, _ in batches]
                before += [
                    T.stmt(f"{total}_right_rows = []") for _, group in batches for total, _ in group
                ]
                runs = _runs(stmt)
                after = [
                    s
                    for rows, group in batches
                    for s in _batched_products(rows, group, zeros, runs)
                ]
                block[i:i] = before
                i += len(before)
                block[i + 1 : i + 1] = after
                i += len(after)
        i += 1


def _batch_loop(loop: gast.For, views) -> list[tuple[str, list[tuple[str, gast.expr]]]]:
    """Rewrite the accumulations of ``loop`` into appends; return, per list of
    left rows, the gradients that use it with their right operands. The rows
    are kept by reference, so none may be an array the loop changes in place."""
    batches: dict[str, tuple[str, list[tuple[str, gast.expr]]]] = {}
    changed = _changed_in_place(loop)
    if changed and any(_outer_accumulation(s) for s in loop.body):
        changed |= set().union(*(views().get(name, ()) for name in changed))
    k = 0
    while k < len(loop.body):
        match = _outer_accumulation(loop.body[k])
        if (
            match is None
            or not _only_accumulated(loop, k, match[0])
            or (T.names_read(match[1]) | T.names_read(match[2])) & changed
        ):
            k += 1
            continue
        total, left, right = match
        key = T.to_source(left).strip()
        if key not in batches:
            rows = f"{left.id}_rows" if isinstance(left, gast.Name) else f"{total}_left_rows"
            batches[key] = (rows, [])
            loop.body[k] = T.stmt(f"{rows}.append(A)", A=left)
            k += 1
        else:
            del loop.body[k]
        rows, group = batches[key]
        group.append((total, right))
        loop.body.insert(k, T.stmt(f"{total}_right_rows.append(B)", B=right))
        k += 1
    return list(batches.values())


def _changed_in_place(loop: gast.For) -> set[str]:
    """Names whose arrays the loop writes into (``b[i] = v``, ``b += v``, ``b.fill(0)``)."""
    changed = set()
    for node in T.walk(loop):
        if isinstance(node, (gast.Assign, gast.AugAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for target in targets:
                if isinstance(node, gast.AugAssign) or not isinstance(target, gast.Name):
                    while isinstance(target, (gast.Subscript, gast.Attribute)):
                        target = target.value
                    if isinstance(target, gast.Name):
                        changed.add(target.id)
        elif isinstance(node, gast.Expr) and isinstance(node.value, gast.Call):
            receiver = node.value.func
            if isinstance(receiver, gast.Attribute) and isinstance(receiver.value, gast.Name):
                changed.add(receiver.value.id)
    return changed


def _only_accumulated(loop: gast.For, k: int, total: str) -> bool:
    others = loop.body[:k] + loop.body[k + 1 :]
    if any(total in T.names_read(s) or total in T.stored_names(s) for s in others):
        return False
    return total not in T.names_read(loop.iter)


def _zero_starts(block: list[gast.stmt], i: int, totals: list[str]) -> dict[str, tuple[int, str]]:
    """Position and value of each ``d_W = np.zeros_like(W)`` before the loop at
    ``i`` that nothing reads until the loop."""
    found: dict[str, tuple[int, str]] = {}
    for total in totals:
        for k in range(i - 1, -1, -1):
            stmt = block[k]
            value = stmt.value if _plain_target(stmt) == total else None
            if value is not None:
                source = T.to_source(value).strip()
                if source.startswith("np.zeros_like("):
                    found[total] = (k, source)
                break
            if total in T.names_read(stmt) or total in T.names_written(stmt):
                break
    return found


def _batched_products(rows, group, zeros, runs: bool) -> list[gast.stmt]:
    cols = rows[: -len("_rows")] + "_cols" if rows.endswith("_rows") else f"{rows}_cols"
    lines = [f"{cols} = np.array({rows}).T"] if len(group) > 1 else []
    left = cols if len(group) > 1 else f"np.array({rows}).T"
    otherwise = []
    for total, _ in group:
        product = f"{left} @ np.array({total}_right_rows)"
        if total in zeros:
            lines.append(f"{total} = {product}")
            otherwise.append(f"{total} = {zeros[total][1]}")
        else:
            lines.append(f"{total} = {total} + {product}")
    if runs:
        return [T.stmt(line) for line in lines]
    text = f"if {rows}:\n" + "\n".join("    " + line for line in lines)
    if otherwise:
        text += "\nelse:\n" + "\n".join("    " + line for line in otherwise)
    return [T.stmt(text)]


def _runs(loop: gast.For) -> bool:
    """The loop certainly runs at least once: ``range`` of constants, maybe reversed."""
    header = loop.iter
    if (
        isinstance(header, gast.Call)
        and isinstance(header.func, gast.Name)
        and header.func.id == "reversed"
        and len(header.args) == 1
    ):
        header = header.args[0]
    if not (
        isinstance(header, gast.Call)
        and isinstance(header.func, gast.Name)
        and header.func.id == "range"
        and all(isinstance(a, gast.Constant) and isinstance(a.value, int) for a in header.args)
    ):
        return False
    return len(range(*(a.value for a in header.args))) > 0


def _outer_accumulation(stmt: gast.stmt) -> tuple[str, gast.expr, gast.expr] | None:
    """``(d_W, a, b)`` for a statement ``d_W = d_W + np.outer(a, b)``."""
    if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1):
        return None
    target, value = stmt.targets[0], stmt.value
    if not (isinstance(target, gast.Name) and isinstance(value, gast.BinOp)):
        return None
    if not (isinstance(value.op, gast.Add) and isinstance(value.left, gast.Name)):
        return None
    call = value.right
    if value.left.id != target.id or not isinstance(call, gast.Call) or len(call.args) != 2:
        return None
    if T.dotted(call.func) != "np.outer" or call.keywords:
        return None
    return target.id, call.args[0], call.args[1]


def _drop_empty(block: list[gast.stmt], pure_names: set[str]) -> bool:
    """Remove branches and loops left with nothing to do; give bodies a ``pass``."""
    changed = False
    i = 0
    while i < len(block):
        stmt = block[i]
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            changed |= _drop_empty(stmt.body, pure_names)
            changed |= _drop_empty(stmt.orelse, pure_names)
            stmt.body = [s for s in stmt.body if not isinstance(s, gast.Pass)]
            stmt.orelse = [s for s in stmt.orelse if not isinstance(s, gast.Pass)]
            head = stmt.iter if isinstance(stmt, gast.For) else stmt.test
            if (
                not stmt.body
                and not stmt.orelse
                and not isinstance(stmt, gast.While)
                and is_pure(head, pure_names)
            ):
                del block[i]
                changed = True
                continue
            if not stmt.body:
                stmt.body = [gast.Pass()]
        i += 1
    return changed


# aliases ---------------------------------------------------------------------


def _propagate_aliases(block: list[gast.stmt], facts: StatementFacts, reads: Counter) -> bool:
    """Uses of ``d_a`` after ``d_a = d_b`` read ``d_b``; the alias goes once nothing
    reads it. ``reads`` (the function's read counts) follows every change."""
    changed = False
    for stmt in block:
        for inner in T.inner_blocks(stmt):
            changed |= _propagate_aliases(inner, facts, reads)
    i = 0
    while i < len(block):
        alias = _alias(block[i])
        if alias is not None:
            new, old = alias
            if new == old or (
                _substitute_after(block, i, new, old, reads, facts) and reads.get(new, 0) == 0
            ):
                del block[i]
                reads[old] -= 1
                changed = True
                continue
        i += 1
    return changed


def _alias(stmt: gast.stmt) -> tuple[str, str] | None:
    if (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Name)
        and stmt.targets[0].id.startswith("d_")
        and stmt.value.id.startswith("d_")
    ):
        return stmt.targets[0].id, stmt.value.id
    return None


def _substitute_after(
    block: list[gast.stmt], index: int, new: str, old: str, reads: Counter, facts: StatementFacts
) -> bool:
    """Replace reads of ``new`` by ``old`` after ``block[index]`` while both keep
    their values (``reads`` follows); False where it had to stop early."""
    for stmt in block[index + 1 :]:
        if _compound(stmt):
            assigned = facts.assigned(stmt)
            if new in assigned or old in assigned:
                return False  # a loop or branch that redefines either: keep it simple
        else:
            assigned = _stored_targets(stmt)
        renamed = facts.rename_reads(stmt, new, old)
        reads[new] -= renamed
        reads[old] += renamed
        if new in assigned or old in assigned:
            return True
    return True


# dead code ---------------------------------------------------------------------


def _drop_dead(func: gast.FunctionDef, pure_names: set[str], reads: Counter) -> bool:
    changed = False

    def sweep(block: list[gast.stmt]) -> None:
        nonlocal changed
        i = 0
        while i < len(block):
            stmt = block[i]
            for inner in T.inner_blocks(stmt):
                sweep(inner)
            if _is_dead(stmt, reads, pure_names):
                del block[i]
                changed = True
                continue
            i += 1

    sweep(func.body)
    return changed


def _drop_overwritten(
    block: list[gast.stmt], pure_names: set[str], facts: StatementFacts, top: bool = False
) -> bool:
    """``x = a`` followed in the same block by ``x = b``, with no read of ``x``
    in between: the first assignment does nothing (nor does one at the top
    level that nothing after it reads)."""
    changed = False
    for inner in (b for stmt in block for b in T.inner_blocks(stmt)):
        changed |= _drop_overwritten(inner, pure_names, facts)
    overwritten = _overwritten_targets(block, facts, top)
    kept = [s for k, s in enumerate(block) if not (overwritten[k] and is_pure(s.value, pure_names))]
    if len(kept) < len(block):
        block[:] = kept
        changed = True
    return changed


def _overwritten_targets(block: list[gast.stmt], facts: StatementFacts, top: bool) -> list[bool]:
    """Per statement, whether it is ``x = ...`` and the next thing the block does
    with ``x`` is assign it again (``x = b``) with no read in between, or, at
    the top level, nothing. One sweep from the end: what each name meets next."""
    verdicts = [False] * len(block)
    meets: dict[str, bool] = {}  # name -> True if overwritten next, False if read or changed
    at_end = top
    for k in range(len(block) - 1, -1, -1):
        stmt = block[k]
        if _compound(stmt):  # not looked into: nothing before it is overwritten after it
            meets, at_end = {}, False
            continue
        name = _plain_target(stmt)
        if name is not None:
            verdicts[k] = meets.get(name, at_end)
        for assigned in facts.assigned(stmt):
            meets[assigned] = False
        if name is not None:
            meets[name] = True
        for read in facts.reads(stmt):
            meets[read] = False
    return verdicts


def _compound(stmt: gast.stmt) -> bool:
    return isinstance(stmt, (gast.If, gast.For, gast.While))


def _merge_accumulations(
    block: list[gast.stmt], pure_names: set[str], facts: StatementFacts
) -> bool:
    """``d_x = A`` then, later in the block, ``d_x = d_x + B`` becomes one
    ``d_x = A + B`` where nothing in between reads ``d_x`` or changes what ``A``
    reads: an expert sums the contributions to a gradient in one expression."""
    changed = False
    for inner in (b for stmt in block for b in T.inner_blocks(stmt)):
        changed |= _merge_accumulations(inner, pure_names, facts)
    names: list = [_UNSEEN] * len(block)  # (read, written) per statement, filled lazily
    i = 0
    while i < len(block):
        stmt = block[i]
        name = _plain_target(stmt)
        # only gradients accumulate: d_ names
        j = _next_accumulation(block, names, i, name, facts) if name and name[:2] == "d_" else None
        if j is not None and is_pure(stmt.value, pure_names):
            merged = T.copy_tree(block[j])
            merged.value.left = stmt.value
            if len(T.to_source(merged).strip()) <= _LONGEST:
                block[j] = merged
                names[j] = _names(merged, facts)
                del block[i]
                del names[i]
                changed = True
                continue
        i += 1
    return changed


_UNSEEN = object()


def _names(stmt: gast.stmt, facts: StatementFacts) -> tuple[Counter, set[str]] | None:
    if not isinstance(stmt, gast.Assign):
        return None  # compound statements and calls: not looked into
    return facts.reads(stmt), facts.written(stmt)


def _next_accumulation(
    block: list[gast.stmt], names: list, i: int, name: str, facts: StatementFacts
) -> int | None:
    reads = facts.reads(block[i])  # a plain ``d_x = ...``: what its value reads
    for j in range(i + 1, len(block)):
        later = block[j]
        value = later.value if _plain_target(later) == name else None
        if (
            isinstance(value, gast.BinOp)
            and isinstance(value.op, gast.Add)
            and isinstance(value.left, gast.Name)
            and value.left.id == name
            and name not in T.names_read(value.right)
        ):
            return j
        if names[j] is _UNSEEN:
            names[j] = _names(later, facts)
        if names[j] is None:
            return None
        read, written = names[j]
        if name in read or written & (reads | {name}):
            return None
    return None


def factor_sums(func: gast.FunctionDef) -> None:
    """``g * a + g * b + g * c`` becomes ``g * (a + b + c)``: one product by the
    incoming gradient instead of one per term (per element, for arrays)."""
    for block in T.blocks(func.body):  # assignments are statements: no need to walk expressions
        for stmt in block:
            if isinstance(stmt, gast.Assign):
                stmt.value = _factored(stmt.value)


def _factored(expr: gast.expr) -> gast.expr:
    terms = _terms(expr)
    if len(terms) < 2:
        return expr
    heads = [_split_head(t) for t in terms]
    if any(h is None for h in heads) or len({h[0] for h in heads}) != 1:
        return expr
    rest = heads[0][1]
    for _, other in heads[1:]:
        rest = gast.BinOp(left=rest, op=gast.Add(), right=other)
    head = gast.Name(heads[0][0], gast.Load(), None, None)
    return gast.BinOp(left=head, op=gast.Mult(), right=rest)


def _terms(expr: gast.expr) -> list[gast.expr]:
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, gast.Add):
        return _terms(expr.left) + [expr.right]
    return [expr]


def _split_head(term: gast.expr) -> tuple[str, gast.expr] | None:
    """``(g, rest)`` for a product ``g * rest`` whose leftmost factor is the name ``g``."""
    if not (isinstance(term, gast.BinOp) and isinstance(term.op, gast.Mult)):
        return None
    if isinstance(term.left, gast.Name):
        return term.left.id, term.right
    inner = _split_head(term.left)
    if inner is None:
        return None
    return inner[0], gast.BinOp(left=inner[1], op=gast.Mult(), right=term.right)


def _plain_target(stmt: gast.stmt) -> str | None:
    if (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    ):
        return stmt.targets[0].id
    return None


def _is_dead(stmt: gast.stmt, reads: Counter, pure_names: set[str]) -> bool:
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        # a counter nobody reads any more (n_loop += 1 once its replay is gone)
        return reads.get(stmt.target.id, 0) == 0 and is_pure(stmt.value, pure_names)
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    ):
        return False
    return reads.get(stmt.targets[0].id, 0) == 0 and is_pure(stmt.value, pure_names)


def is_pure(expr: gast.expr, pure_names: set[str]) -> bool:
    for node in T.walk(expr):
        kind = type(node)
        if kind is gast.Call and not _pure_callee(node.func, pure_names):
            return False
        if kind in _EFFECTS:
            return False
    return True


_EFFECTS = {gast.Yield, gast.YieldFrom, gast.Await, gast.NamedExpr}


def _pure_callee(func: gast.expr, pure_names: set[str]) -> bool:
    root = func
    while isinstance(root, gast.Attribute):
        root = root.value
    if (
        isinstance(func, gast.Attribute)
        and isinstance(root, gast.Name)
        and root.id in _PURE_MODULES
    ):
        return "random" not in (T.dotted(func) or "random")  # a dropped draw shifts later ones
    return isinstance(func, gast.Name) and func.id in pure_names


def _stored_targets(stmt: gast.stmt) -> set[str]:
    """The names a simple statement assigns, from its targets alone (no full walk)."""
    if isinstance(stmt, gast.Assign):
        return {n for t in stmt.targets for n in _target_names(t)}
    if isinstance(stmt, (gast.AugAssign, gast.AnnAssign)):
        return set(_target_names(stmt.target))
    return T.stored_names(stmt)


def _target_names(target: gast.expr) -> list[str]:
    if isinstance(target, gast.Name):
        return [target.id]
    if isinstance(target, (gast.Tuple, gast.List)):
        return [n for e in target.elts for n in _target_names(e)]
    if isinstance(target, gast.Starred):
        return _target_names(target.value)
    return []  # subscripts and attributes bind no name
