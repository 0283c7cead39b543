"""Stabilising maxima whose gradient cancels: the log-sum-exp and softmax trick.

Users write ``m = np.max(z, axis=1, keepdims=True)`` and then
``np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)) + m``, or
``e = np.exp(z - m); e / np.sum(e, axis=1, keepdims=True)``: the result does
not depend on ``m`` at all, ``m`` only keeps ``exp`` from overflowing.  Its
gradient is zero in exact arithmetic, and an expert's gradient skips it: no
mask of the maxima, no ties counted.  This pass proves the independence and
then treats ``m`` as a constant.

It follows how each value depends on ``m``: not at all, as ``x + c*m``
(a shift), or as ``x * exp(c*m)`` (a scale), with an integer ``c`` and ``m``
constant along the axes it was reduced over:

    z - m                   shift -1          exp(shift c)       scale c
    log(scale c)            shift c           shift a + shift b  shift a+b
    scale a * scale b       scale a+b         scale a / scale b  scale a-b
    sum(scale c) over m's axes, keepdims      scale c

A shift or scale with ``c == 0`` does not depend on ``m``.  Anything else that
reads a value depending on ``m`` ends the proof (the maximum keeps its
gradient), as does a value depending on ``m`` in a loop, in a condition, or
reassigned: the proof is about straight-line dataflow.
"""

from __future__ import annotations

from typing import Any

import gast

from srcdiff.codegen import templates as T

Effect = tuple[str, int] | None  # ("shift", c) or ("scale", c); None: independent of m
_OTHER = ("other", 0)
# binary rules that keep an effect's kind: (kind, sign of the second operand's coefficient)
_COMBINE = {"add": ("shift", 1), "sub": ("shift", -1), "mul": ("scale", 1), "div": ("scale", -1)}


def cancelled_maxima(body: list[gast.stmt], active: set[str]) -> list[gast.stmt]:
    """The statements ``m = np.max(x, axis=..., keepdims=True)`` (top level of
    ``body``) whose result the function's value does not depend on."""
    top = [s for s in body if getattr(s, "srcdiff_op", None) is not None]
    found = []
    for stmt in top:
        op = stmt.srcdiff_op
        if op.kind == "rule" and op.rule.name in ("max", "min") and _keeps_dims(op):
            if op.target in active and _cancels(stmt, body):
                found.append(stmt)
    return found


def _keeps_dims(op: Any) -> bool:
    keepdims = op.params.get("keepdims")
    axis = op.params.get("axis")
    if axis is None or (isinstance(axis, gast.Constant) and axis.value is None):
        return True  # a single number: constant along every axis
    return isinstance(keepdims, gast.Constant) and keepdims.value is True


def _cancels(max_stmt: gast.stmt, body: list[gast.stmt]) -> bool:
    m = max_stmt.srcdiff_op.target
    axis = max_stmt.srcdiff_op.params.get("axis")
    effects: dict[str, Effect] = {m: ("shift", 1)}
    assigned: dict[str, int] = {}
    for stmt in _all_statements(body):
        for name in T.stored_names(stmt):
            assigned[name] = assigned.get(name, 0) + 1
    start = body.index(max_stmt)
    for stmt in body[start + 1 :]:
        reads = _reads(stmt)
        dependent = {n for n in reads if effects.get(n) is not None}
        if isinstance(stmt, gast.Return):
            return not dependent
        if not dependent:
            continue
        op = getattr(stmt, "srcdiff_op", None)
        if op is None or op.mutation is not None or assigned.get(op.target, 0) != 1:
            return False
        if dependent - {n for a in op.inputs for n in _reads(a)}:
            return False  # read as an axis, a shape, ...: not followed here
        effect = _effect(op, effects, axis)
        if effect == _OTHER:
            return False
        effects[op.target] = effect
    return False


def _effect(op: Any, effects: dict[str, Effect], axis: Any) -> Effect:
    if op.kind == "copy":
        return _of(op.inputs[0], effects)
    if op.kind != "rule":
        return _OTHER
    name = op.rule.name
    inputs = [_of(a, effects) for a in op.inputs]
    if name in _COMBINE:
        # shifts add and subtract, scales multiply and divide: coefficients combine
        kind, sign = _COMBINE[name]
        a, b = inputs
        if _kind(a) in (kind, None) and _kind(b) in (kind, None):
            return _make(kind, _c(a) + sign * _c(b))
        return _OTHER
    if name == "neg":
        (a,) = inputs
        return _make("shift", -_c(a)) if _kind(a) == "shift" else a
    if name == "exp" and _kind(inputs[0]) == "shift":
        return _make("scale", _c(inputs[0]))
    if name == "log" and _kind(inputs[0]) == "scale":
        return _make("shift", _c(inputs[0]))
    if name == "sum" and _kind(inputs[0]) == "scale" and _same_axes(op, axis):
        return inputs[0]
    return _OTHER


def _same_axes(op: Any, axis: Any) -> bool:
    """A keepdims sum over exactly the axes the maximum reduced (or any sum,
    for a maximum over everything)."""
    if axis is None or (isinstance(axis, gast.Constant) and axis.value is None):
        return True
    keepdims = op.params.get("keepdims")
    mine = op.params.get("axis")
    return (
        isinstance(keepdims, gast.Constant)
        and keepdims.value is True
        and mine is not None
        and gast.dump(mine) == gast.dump(axis)
    )


def _of(atom: gast.expr, effects: dict[str, Effect]) -> Effect:
    if isinstance(atom, gast.Name):
        return effects.get(atom.id)
    return _OTHER if _reads_any(atom, effects) else None


def _reads_any(node: gast.AST, effects: dict[str, Effect]) -> bool:
    return any(isinstance(n, gast.Name) and effects.get(n.id) is not None for n in T.walk(node))


def _kind(effect: Effect) -> str | None:
    return None if effect is None else effect[0]


def _c(effect: Effect) -> int:
    return 0 if effect is None else effect[1]


def _make(kind: str, c: int) -> Effect:
    return None if c == 0 else (kind, c)


def _reads(stmt: gast.stmt) -> set[str]:
    return {n.id for n in T.walk(stmt) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}


def _all_statements(body: list[gast.stmt]):
    for stmt in body:
        yield stmt
        for field in ("body", "orelse"):
            yield from _all_statements(getattr(stmt, field, None) or [])
