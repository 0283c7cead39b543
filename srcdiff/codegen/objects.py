"""Plain objects in differentiated code: constructors, methods and ``__call__``
are inlined at the call site.

An object's adjoint is a dict from attribute name to adjoint, so attribute
reads and writes are the same slot operations as dict reads and writes, and
a method that writes ``self.h = ...`` needs nothing special: once inlined, the
write is a slot write in the caller, recorded and undone like any other.
Inlining (rather than a call to the method's own generated vjp) is what makes
mutation of ``self`` work across the call.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass
from typing import Any

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.activity import stored_names
from srcdiff.codegen.jumps import desugar_jumps
from srcdiff.codegen.kinds import object_class
from srcdiff.codegen.parse import ParsedFunction, parse_function


@dataclass
class InlineTarget:
    """A call to inline: ``function(receiver, *args)`` (receiver None for constructors)."""

    function: Any
    receiver: gast.expr | None
    constructs: type | None  # the class, when the call builds a new object


def inline_target(call: gast.Call, normalizer: Any) -> InlineTarget | None:
    """Whether ``call`` constructs a user object or calls one of its methods."""
    func = call.func
    found, value = normalizer.static(func)
    if found and inspect.isclass(value) and _is_user_class(value):
        init = getattr(value, "__init__", None)
        return InlineTarget(init if inspect.isfunction(init) else None, None, value)
    if isinstance(func, gast.Name):
        cls = object_class(normalizer.kinds.get(func.id))
        call_method = vars(cls).get("__call__") if cls is not None else None
        if inspect.isfunction(call_method):  # the class's own __call__, not object's
            return InlineTarget(call_method, func, None)
        return None
    if isinstance(func, gast.Attribute) and not found:
        receiver = func.value
        cls = None
        if isinstance(receiver, gast.Name):
            cls = object_class(normalizer.kinds.get(receiver.id))
        elif isinstance(receiver, gast.Call):
            target = inline_target(receiver, normalizer)
            cls = target.constructs if target is not None else None
        method = getattr(cls, func.attr, None) if cls is not None else None
        if inspect.isfunction(method):
            return InlineTarget(method, receiver, None)
    return None


def _is_user_class(cls: type) -> bool:
    module = getattr(cls, "__module__", "") or ""
    return module.split(".")[0] not in ("numpy", "builtins", "srcdiff", "math")


def inline_body(
    target: InlineTarget,
    call: gast.Call,
    receiver_name: str | None,
    result: str | None,
    normalizer: Any,
) -> list[gast.stmt]:
    """The statements that replace ``result = call``: parameters bound to the
    arguments, the body with its locals renamed, returns assigning ``result``."""
    parsed = parse_function(target.function)
    _check_globals(parsed, normalizer, call)
    tree = copy.deepcopy(parsed.tree)
    params = [a.id for a in tree.args.args]
    renames = {}
    for name in sorted(_locals(tree)):
        renames[name] = normalizer.namer.fresh(name)
    if receiver_name is not None:
        renames[params[0]] = receiver_name
    out: list[gast.stmt] = []
    bound = _bind(tree, params[1:] if receiver_name is not None else params, call, parsed)
    for param, value in bound:
        out.append(T.assign(renames[param], value))
    body = [T.replace(s, renames) for s in desugar_jumps(tree.body, normalizer.namer)]
    out += _returns_assign(body, result)
    for stmt in out:
        for node in gast.walk(stmt):
            if isinstance(node, (gast.stmt, gast.expr)):
                gast.copy_location(node, call)
    return out


def _bind(tree: gast.FunctionDef, params: list[str], call: gast.Call, parsed: ParsedFunction):
    """(parameter, argument expression) pairs, defaults included."""
    defaults = tree.args.defaults
    first_default = len(tree.args.args) - len(defaults)
    given = dict(zip(params, call.args, strict=False))
    for kw in call.keywords:
        given[kw.arg] = kw.value
    pairs = []
    offset = len(tree.args.args) - len(params)
    for i, name in enumerate(params):
        if name in given:
            pairs.append((name, given[name]))
        elif i + offset >= first_default:
            pairs.append((name, copy.deepcopy(defaults[i + offset - first_default])))
        else:
            raise parsed.error(call, f"missing argument '{name}' in the call to '{tree.name}'")
    return pairs


def _returns_assign(stmts: list[gast.stmt], result: str | None) -> list[gast.stmt]:
    from srcdiff.codegen.normalize import single_exit

    stmts = single_exit(stmts)
    out = []
    for stmt in stmts:
        if isinstance(stmt, gast.Return):
            if result is not None:
                value = stmt.value if stmt.value is not None else gast.Constant(None, None)
                out.append(gast.copy_location(T.assign(result, value), stmt))
            continue
        if isinstance(stmt, gast.If):
            stmt.body = _returns_assign(stmt.body, result) or [gast.Pass()]
            stmt.orelse = _returns_assign(stmt.orelse, result)
        out.append(stmt)
    return out


def _locals(tree: gast.FunctionDef) -> set[str]:
    names = {a.id for a in tree.args.args + tree.args.kwonlyargs}
    for node in gast.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names.add(node.id)
        elif isinstance(node, (gast.For, gast.Assign)):
            for target in getattr(node, "targets", [getattr(node, "target", None)]):
                if target is not None:
                    names.update(n for n in stored_names(target) if isinstance(target, gast.Name))
    return names


def _check_globals(parsed: ParsedFunction, normalizer: Any, call: gast.Call) -> None:
    """Inlined code reads its free names in the caller's namespace: they must agree."""
    local = _locals(parsed.tree)
    for node in gast.walk(parsed.tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and node.id not in local:
            found, value = parsed.lookup(node.id)
            mine_found, mine = normalizer.parsed.lookup(node.id)
            if found and (not mine_found or mine is not value):
                raise normalizer.parsed.error(
                    call,
                    f"cannot inline '{parsed.name}': it reads '{node.id}', "
                    "which the calling function's module does not have",
                    f"import {node.id} where the calling function is defined",
                )
