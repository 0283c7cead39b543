"""Desugar jumps so the reverse sweep can replay every path from branch flags.

After this pass:

- a ``return`` inside a loop sets a result and a flag and breaks out; the code
  after the loop runs only when the flag is unset;
- inside a loop body, every ``break`` ends its path: statements that followed
  an ``if`` which may jump are moved into the branches that do not jump, and a
  ``continue`` at the end of a path is dropped;
- ``for ... else`` / ``while ... else`` become a flag set before ``break`` and an
  ``if`` after the loop.

The primal keeps its ``break`` statements; loops that contain one record how
many iterations ran, so the reverse sweep replays exactly those.
"""

from __future__ import annotations

import copy

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.names import Namer

_LOOPS = (gast.For, gast.While)


def desugar_jumps(body: list[gast.stmt], namer: Namer) -> list[gast.stmt]:
    if _has(body, gast.Return, inside_loops_only=True):
        body = _returns_out_of_loops(body, namer)
    return _loops(body, namer)


# returns inside loops -------------------------------------------------------------


def _returns_out_of_loops(body: list[gast.stmt], namer: Namer) -> list[gast.stmt]:
    result, flag = namer.fresh("result"), namer.fresh("returned")
    out = [T.assign(flag, gast.Constant(False, None))]
    out += _rewrite_returns(body, result, flag, in_loop=False)
    return out


def _rewrite_returns(
    stmts: list[gast.stmt], result: str, flag: str, in_loop: bool
) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Return) and in_loop:
            value = stmt.value if stmt.value is not None else gast.Constant(None, None)
            out += _at(
                stmt,
                [T.assign(result, value), T.assign(flag, gast.Constant(True, None)), gast.Break()],
            )
            return out
        # a return in a loop's else leaves the loops around it (if any), not this one
        leaves_from_else = (
            in_loop and _has(stmt.orelse, gast.Return) if isinstance(stmt, _LOOPS) else False
        )
        if isinstance(stmt, _LOOPS) and (_has(stmt.body, gast.Return) or leaves_from_else):
            stmt.body = _rewrite_returns(stmt.body, result, flag, in_loop=True)
            stmt.orelse = _rewrite_returns(stmt.orelse, result, flag, in_loop)
            out.append(stmt)
            rest = _rewrite_returns(stmts[i + 1 :], result, flag, in_loop)
            if in_loop:
                out.append(
                    _at(stmt, [gast.If(test=T.name(flag), body=[gast.Break()], orelse=rest)])[0]
                )
            else:
                leave = gast.Return(value=T.name(result))
                out.append(_at(stmt, [gast.If(test=T.name(flag), body=[leave], orelse=rest)])[0])
            return out
        if isinstance(stmt, gast.If) or isinstance(stmt, _LOOPS):
            # an if's branches, or a loop's else with returns in loops of its own
            stmt.orelse = _rewrite_returns(stmt.orelse, result, flag, in_loop)
        if isinstance(stmt, gast.If):
            stmt.body = _rewrite_returns(stmt.body, result, flag, in_loop)
        out.append(stmt)
    return out


# break, continue and loop-else ------------------------------------------------


def _loops(stmts: list[gast.stmt], namer: Namer) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.If):
            stmt.body = _loops(stmt.body, namer)
            stmt.orelse = _loops(stmt.orelse, namer)
        if not isinstance(stmt, _LOOPS):
            out.append(stmt)
            continue
        stmt.body = _loops(stmt.body, namer)
        stmt.orelse = _loops(stmt.orelse, namer)  # a loop's else may hold loops too
        after: list[gast.stmt] = []
        if stmt.orelse:
            if _jumps(stmt.body, gast.Break):
                broke = namer.fresh("broke")
                out.append(_at(stmt, [T.assign(broke, gast.Constant(False, None))])[0])
                stmt.body = _flag_breaks(stmt.body, broke)
                after = _at(
                    stmt, [gast.If(test=T.expr(f"not {broke}"), body=stmt.orelse, orelse=[])]
                )
            else:
                after = stmt.orelse
            stmt.orelse = []
        stmt.body = _tail_jumps(stmt.body) or [gast.Pass()]
        stmt.srcdiff_breaks = _jumps(stmt.body, gast.Break)
        out.append(stmt)
        out += after
    return out


def _tail_jumps(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """Rewrite a loop body so every jump ends its path; drop trailing ``continue``."""
    out: list[gast.stmt] = []
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Continue):
            return out
        if isinstance(stmt, gast.Break):
            return out + [stmt]
        if isinstance(stmt, gast.If) and (_jumps(stmt.body) or _jumps(stmt.orelse)):
            rest = stmts[i + 1 :]
            if not _always_jumps(stmt.body):
                stmt.body = stmt.body + copy.deepcopy(rest)
            if not _always_jumps(stmt.orelse):
                stmt.orelse = stmt.orelse + copy.deepcopy(rest)
            stmt.body = _tail_jumps(stmt.body) or [gast.Pass()]
            stmt.orelse = _tail_jumps(stmt.orelse)
            return out + [stmt]
        out.append(stmt)
    return out


def _flag_breaks(stmts: list[gast.stmt], broke: str) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.Break):
            out += _at(stmt, [T.assign(broke, gast.Constant(True, None))])
        elif isinstance(stmt, gast.If):
            stmt.body = _flag_breaks(stmt.body, broke)
            stmt.orelse = _flag_breaks(stmt.orelse, broke)
        out.append(stmt)
    return out


def _jumps(stmts: list[gast.stmt], kind: type | tuple = (gast.Break, gast.Continue)) -> bool:
    """Whether a break/continue of the enclosing loop occurs in ``stmts``."""
    for stmt in stmts:
        if isinstance(stmt, kind):
            return True
        if isinstance(stmt, gast.If) and (_jumps(stmt.body, kind) or _jumps(stmt.orelse, kind)):
            return True
    return False


def _always_jumps(stmts: list[gast.stmt]) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (gast.Break, gast.Continue, gast.Return)):
        return True
    return isinstance(last, gast.If) and _always_jumps(last.body) and _always_jumps(last.orelse)


def _has(stmts: list[gast.stmt], kind: type, inside_loops_only: bool = False) -> bool:
    for stmt in stmts:
        if isinstance(stmt, kind) and not inside_loops_only:
            return True
        if isinstance(stmt, _LOOPS) and (
            _has(stmt.body, kind) or _has(stmt.orelse, kind, inside_loops_only)
        ):
            return True
        if isinstance(stmt, gast.If) and (
            _has(stmt.body, kind, inside_loops_only) or _has(stmt.orelse, kind, inside_loops_only)
        ):
            return True
    return False


def _at(origin: gast.stmt, stmts: list[gast.stmt]) -> list[gast.stmt]:
    for stmt in stmts:
        for node in T.walk(stmt):
            if hasattr(node, "lineno") or isinstance(node, gast.stmt):
                node.lineno = getattr(origin, "lineno", 1)
                node.col_offset = getattr(origin, "col_offset", 0)
    return stmts
