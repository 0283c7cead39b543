"""Drop ``np.broadcast_to`` where the arithmetic that reads it broadcasts anyway.

The adjoint of a sum spreads the incoming gradient over the summed array:
``d_t = np.broadcast_to(d_s, np.shape(t))``.  When every use of ``d_t`` is
elementwise arithmetic next to an array that already has ``t``'s shape, as in
``d_x = d_t * 2 * x``, numpy broadcasts ``d_s`` by itself, and an expert
writes ``d_x = d_s * 2 * x``: no view, no strided reads, and scalar factors
multiplied first.  Shapes come from shapes.py; where they are not known the
broadcast stays.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from typing import Any

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.facts import StatementFacts
from srcdiff.codegen.shapes import SCALAR, SHAPE_PRESERVING, broadcast, is_known, same

_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)


def drop_broadcasts(
    func: gast.FunctionDef,
    primal_shapes: dict[str, Any],
    primal_of: dict[str, str],
    seeds: dict[str, Any],
    finished: list[Any] | None = None,
    facts: StatementFacts | None = None,
) -> bool:
    """Rewrite ``d_t = np.broadcast_to(s, np.shape(t))`` away where it is safe.

    ``primal_shapes`` are the shapes of the user's variables, ``primal_of`` maps
    an adjoint's name to its variable's.  A primal value always has its shape;
    an adjoint may hold less (a 0.0 standing for zeros), so only primal values
    vouch for the full shape.  ``seeds`` are the shapes of the incoming
    gradients (``d_out``) where the caller fixes them.  ``finished`` lists,
    when the caller gives each returned gradient its argument's shape (the
    public wrappers do), those shapes in the order of the returned gradients:
    a spread that only scales on its way there is not needed at all.
    ``facts``, when given, are true of ``func``'s statements.
    """
    facts = facts if facts is not None else StatementFacts()

    def shape_of(name: str) -> Any:
        if name in seeds:
            return seeds[name]
        return primal_shapes.get(primal_of.get(name, name))

    changed = False
    counts = (facts.function_stores(func), facts.function_reads(func))  # kept exact by each drop
    for block in T.blocks(func.body):
        i = 0
        while i < len(block):
            if _spread(block[i]) is None:
                i += 1
                continue
            if _drop_one(block, i, func, shape_of, primal_shapes, counts, facts):
                _count_drop(block[i], counts)
                del block[i]
                changed = True
                continue
            if finished is not None and _stays_small(
                block[i], func, shape_of, primal_shapes, finished, facts
            ):
                block[i].value = block[i].value.args[0]
                facts.forget(block[i])
                changed = True
            i += 1
    return _drop_inline_spreads(func, shape_of, primal_shapes, facts) or changed


def _drop_inline_spreads(func: gast.FunctionDef, shape_of, primal_shapes, facts) -> bool:
    """A spread inside arithmetic (``d_e = d_p / s + np.broadcast_to(d_s, np.shape(e))``,
    after contributions were merged into one sum) becomes its value where the
    arithmetic has the full shape anyway: ``d_e = d_p / s + d_s``."""
    definitions = _Definitions(func, facts)
    changed = False
    for block in T.blocks(func.body):
        for stmt in block:
            if isinstance(stmt, (gast.If, gast.For, gast.While)) or _spread(stmt):
                continue  # headers hold no gradients; a spread alone is the main case
            if "np" not in facts.reads(stmt):
                continue  # no np.broadcast_to in it: known without a walk
            calls = [n for n in T.walk(stmt) if type(n) is gast.Call and _spread_call(n)]
            if not calls:
                continue
            parents = {id(child): node for node in T.walk(stmt) for child in T.children(node)}
            dropped = False
            for call in calls:
                dropped |= _drop_inline_spread(call, parents, shape_of, primal_shapes, definitions)
            if dropped:
                facts.forget(stmt)
                changed = True
    return changed


def _drop_inline_spread(call, parents, shape_of, primal_shapes, definitions) -> bool:
    value, of = _spread_call(call)
    full = shape_of(of)
    value_shape = SCALAR if isinstance(value, gast.Constant) else shape_of(value.id)
    if not (_fixed(full) and is_known(value_shape)):
        return False
    if not _broadcasts_itself(
        call, parents, full, value_shape, shape_of, primal_shapes, definitions
    ):
        return False
    T.replace_child(parents[id(call)], call, copy.deepcopy(value))
    return True


def _count_drop(spread: gast.Assign, counts: tuple[Counter, Counter]) -> None:
    """Update the name counts for ``d_t = np.broadcast_to(s, ...)`` dropped, with
    each read of ``d_t`` now reading ``s``."""
    assignments, reads = counts
    name, value = spread.targets[0].id, spread.value.args[0]
    uses = reads.pop(name, 0)
    for read, count in T.name_counts(value).items():
        reads[read] += count * uses
    reads.subtract(T.name_counts(spread))
    assignments[name] -= 1


def _stays_small(stmt, func, shape_of, primal_shapes, finished, facts) -> bool:
    """Whether the spread value may stay unspread: every value computed from it
    is scaled by numbers only, until it is returned as the gradient of an
    argument of the spread shape or meets an array of that shape (see
    :func:`_broadcasts_itself`)."""
    spread = _spread_with_shapes(stmt, shape_of)
    if spread is None:
        return False
    name, value, full, value_shape = spread
    small = {name}  # names that may hold the unspread value
    assigns = [s for s in T.walk(func) if isinstance(s, (gast.Assign, gast.AugAssign))]
    grew = True
    while grew:
        grew = False
        for s in assigns:
            if s is stmt:
                continue
            target, expr = _assignment(s)
            if target is None or target in small or not (T.names_read(expr) & small):
                continue
            if _scales(expr, small, shape_of):
                small.add(target)
                grew = True
    allowed = _finished_uses(func, finished, full)
    parents = {id(child): node for node in T.walk(func) for child in T.children(node)}
    for node in T.walk(func):
        if not (isinstance(node, gast.Name) and node.id in small and _loads(node, node.id)):
            continue
        if id(node) in allowed:
            continue
        statement = _statement_of(node, parents)
        target, expr = _assignment(statement) if statement is not None else (None, None)
        if target in small and _scales(expr, small, shape_of):
            continue
        if not _broadcasts_itself(
            node, parents, full, value_shape, shape_of, primal_shapes, _Definitions(func, facts)
        ):
            return False
    return True


def _assignment(stmt: gast.stmt) -> tuple[str | None, gast.expr | None]:
    """``(target, value)`` of ``t = value`` or ``t op= v`` (as ``t op v``)."""
    if (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
    ):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        left = gast.Name(stmt.target.id, gast.Load(), None, None)
        return stmt.target.id, gast.BinOp(left=left, op=stmt.op, right=stmt.value)
    return None, None


def _scales(expr: gast.expr, small: set[str], shape_of) -> bool:
    """Elementwise arithmetic of small values and numbers only."""
    for leaf in _leaves(expr):
        if isinstance(leaf, gast.Name) and leaf.id in small:
            continue
        if _leaf_shape(leaf, shape_of) != SCALAR:
            return False
    return True


def _finished_uses(func: gast.FunctionDef, finished: list[Any], full: Any) -> set[int]:
    """Ids of the returned gradients that the wrapper spreads to ``full`` itself."""
    ret = func.body[-1]
    if not isinstance(ret, gast.Return) or not isinstance(ret.value, gast.Tuple):
        return set()
    grads = ret.value.elts
    if len(grads) == 2 and isinstance(grads[1], gast.Tuple):
        grads = grads[1].elts  # (value, gradients); a gradient is never a tuple literal
    if len(grads) != len(finished):
        return set()
    return {
        id(g)
        for g, shape in zip(grads, finished, strict=True)
        if isinstance(g, gast.Name) and shape is not None and same(shape, full)
    }


def _statement_of(node: gast.AST, parents: dict) -> gast.stmt | None:
    while node is not None and not isinstance(node, gast.stmt):
        node = parents.get(id(node))
    return node


def _drop_one(block, i, func, shape_of, primal_shapes, counts, facts) -> bool:
    spread = _spread_with_shapes(block[i], shape_of)
    if spread is None:
        return False
    name, value, full, value_shape = spread
    assignments, reads = counts
    if assignments.get(name, 0) != 1:
        return False
    later = block[i + 1 :]
    readers = [k for k, s in enumerate(later) if name in facts.reads(s)]
    uses = [n for k in readers for n in T.walk(later[k]) if _loads(n, name)]
    if not uses or len(uses) != reads.get(name, 0):  # unread: dead code removes it
        return False  # read somewhere else (a loop around, another branch)
    last = readers[-1]
    if isinstance(value, gast.Name) and any(
        value.id in T.stored_names(s) for s in later[: last + 1]
    ):  # the spread value changes before the last use
        return False
    # parents of the nodes the uses sit in: the statements after the spread
    parents = {
        id(child): node for k in readers for node in T.walk(later[k]) for child in T.children(node)
    }
    definitions = _Definitions(func, facts)
    for use in uses:
        if not _broadcasts_itself(
            use, parents, full, value_shape, shape_of, primal_shapes, definitions
        ):
            return False
    for use in uses:
        T.replace_child(parents[id(use)], use, copy.deepcopy(value))
    for stmt in later[: last + 1]:
        _forget_all(stmt, facts)  # they read the value now, not the spread
    return True


def _forget_all(stmt: gast.stmt, facts: StatementFacts) -> None:
    """``stmt``, or a statement inside it, was changed in place."""
    for node in T.walk(stmt):
        if isinstance(node, gast.stmt):
            facts.forget(node)


def _broadcasts_itself(
    use, parents, full, value_shape, shape_of, primal_shapes, definitions
) -> bool:
    """The elementwise expression around ``use`` has ``full``'s shape whether or
    not ``use`` is spread: another leaf already has that shape."""
    top = use
    while isinstance(parents.get(id(top)), (gast.BinOp, gast.UnaryOp)) and _elementwise(
        parents[id(top)]
    ):
        top = parents[id(top)]
    if top is use:
        return False
    leaves = _leaves(top)
    shapes = [value_shape if leaf is use else _leaf_shape(leaf, shape_of) for leaf in leaves]
    if any(s is None for s in shapes):
        return False
    vouched = any(
        leaf is not use and _certainly_full(leaf, full, shape_of, primal_shapes, definitions)
        for leaf in leaves
    )
    if not vouched:
        return False
    if all(is_known(s) for s in shapes):
        return same(broadcast(shapes, _no_unknowns, None), full)
    return all(s == SCALAR or same(s, full) for s in shapes)


def _certainly_full(leaf, full, shape_of, primal_shapes, definitions, depth: int = 0) -> bool:
    """``leaf`` has exactly ``full``'s shape: a value of the user's of that shape,
    or a gradient assigned once from elementwise arithmetic with such a leaf
    (``d_p = d_logp / p``): at least that shape, and a gradient is never
    larger than its variable."""
    shape = _leaf_shape(leaf, shape_of)
    if shape is None or not same(shape, full):
        return False
    if _all_primal(leaf, primal_shapes):
        return True
    value = definitions.get(leaf.id) if isinstance(leaf, gast.Name) and depth < 4 else None
    if value is None:
        return False
    return any(
        _certainly_full(inner, full, shape_of, primal_shapes, definitions, depth + 1)
        for inner in _leaves(value)
    )


class _Definitions:
    """The value of each gradient (``d_`` name) assigned by one plain statement,
    worked out when first asked (most spreads are vouched for without it)."""

    def __init__(self, func: gast.FunctionDef, facts: StatementFacts) -> None:
        self._func, self._facts = func, facts
        self._values: dict[str, gast.expr] | None = None

    def get(self, name: str) -> gast.expr | None:
        if self._values is None:
            self._values = _definitions(self._func, self._facts)
        return self._values.get(name)


def _definitions(func: gast.FunctionDef, facts: StatementFacts) -> dict[str, gast.expr]:
    values: dict[str, gast.expr] = {}
    seen: set[str] = set()
    for block in T.blocks(func.body):
        for stmt in block:
            plain = (
                isinstance(stmt, gast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name)
            )
            for name in _bound_here(stmt, facts):
                if plain and name not in seen and name.startswith("d_"):
                    values[name] = stmt.value
                else:
                    values.pop(name, None)
                seen.add(name)
    return values


def _bound_here(stmt: gast.stmt, facts: StatementFacts) -> set[str]:
    """Names a statement binds itself (a loop's target; not its body's names).
    Dropping spreads changes what statements read, never what they bind."""
    if isinstance(stmt, gast.For):
        return T.stored_names(stmt.target)
    if isinstance(stmt, (gast.If, gast.While)):
        return set()
    return facts.assigned(stmt)


def _fixed(shape: Any) -> bool:
    """Known, or unknown but the same wherever it appears (see shapes.Unknown)."""
    return is_known(shape) or same(shape, shape)


def _all_primal(leaf: gast.expr, primal_shapes: dict[str, Any]) -> bool:
    """Computed from the user's values alone (numbers aside): it has its static shape."""
    if isinstance(leaf, gast.Name):
        return leaf.id in primal_shapes
    if _elementwise_call(leaf):
        inner = _leaves(leaf.args[0])
        return all(isinstance(e, gast.Constant) or _all_primal(e, primal_shapes) for e in inner)
    return False


def _elementwise(node: gast.AST) -> bool:
    if isinstance(node, gast.BinOp):
        return isinstance(node.op, _ELEMENTWISE)
    return isinstance(node.op, (gast.USub, gast.UAdd))


def _leaves(expr: gast.expr) -> list[gast.expr]:
    if isinstance(expr, gast.BinOp) and _elementwise(expr):
        return _leaves(expr.left) + _leaves(expr.right)
    if isinstance(expr, gast.UnaryOp) and _elementwise(expr):
        return _leaves(expr.operand)
    return [expr]


def _leaf_shape(leaf: gast.expr, shape_of: Callable[[str], Any]) -> Any:
    if isinstance(leaf, gast.Constant) and isinstance(leaf.value, (int, float)):
        return SCALAR
    if isinstance(leaf, gast.Name):
        shape = shape_of(leaf.id)
        return shape if shape is not None and _fixed(shape) else None
    if _elementwise_call(leaf):  # np.cos(x * y): the shape of its argument
        shapes = [_leaf_shape(e, shape_of) for e in _leaves(leaf.args[0])]
        if any(s is None for s in shapes):
            return None
        if all(is_known(s) for s in shapes):
            return broadcast(shapes, _no_unknowns, None)
        wide = [s for s in shapes if s != SCALAR] or [SCALAR]
        return wide[0] if all(same(s, wide[0]) for s in wide) else None
    return None


def _elementwise_call(node: gast.expr) -> bool:
    return (
        isinstance(node, gast.Call)
        and isinstance(node.func, gast.Attribute)
        and isinstance(node.func.value, gast.Name)
        and node.func.value.id == "np"
        and node.func.attr in SHAPE_PRESERVING
        and len(node.args) == 1
        and not node.keywords
    )


def _no_unknowns(key: Any) -> Any:
    raise ValueError("known shapes broadcast to known shapes")


def _spread_with_shapes(stmt: gast.stmt, shape_of) -> tuple | None:
    """``(d_t, s, t's shape, s's shape)`` for a spread whose shapes are fixed."""
    match = _spread(stmt)
    if match is None:
        return None
    name, value, of = match
    full = shape_of(of)
    value_shape = SCALAR if isinstance(value, gast.Constant) else shape_of(value.id)
    if not (_fixed(full) and is_known(value_shape)):
        return None
    return name, value, full, value_shape


def _spread(stmt: gast.stmt) -> tuple[str, gast.expr, str] | None:
    """``(d_t, s, t)`` for ``d_t = np.broadcast_to(s, np.shape(t))``."""
    if not (
        isinstance(stmt, gast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], gast.Name)
        and isinstance(stmt.value, gast.Call)
    ):
        return None
    match = _spread_call(stmt.value)
    return None if match is None else (stmt.targets[0].id, *match)


def _spread_call(call: gast.Call) -> tuple[gast.expr, str] | None:
    """``(s, t)`` for ``np.broadcast_to(s, np.shape(t))``, ``s`` a name or number."""
    func = call.func
    if type(func) is not gast.Attribute or func.attr != "broadcast_to":
        return None  # most calls: found without spelling out the name
    if T.dotted(func) != "np.broadcast_to" or len(call.args) != 2 or call.keywords:
        return None
    value, shape = call.args
    if not isinstance(value, (gast.Name, gast.Constant)):
        return None
    if not (
        isinstance(shape, gast.Call)
        and T.dotted(shape.func) == "np.shape"
        and len(shape.args) == 1
        and isinstance(shape.args[0], gast.Name)
    ):
        return None
    return value, shape.args[0].id


def _loads(node: gast.AST, name: str) -> bool:
    return isinstance(node, gast.Name) and node.id == name and isinstance(node.ctx, gast.Load)
