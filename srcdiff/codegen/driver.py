"""Put the passes together: transform once per (function, wrt, argument kinds,
mode), cache, and wrap.

Two modes of generated code:

- ``fused`` (for ``grad``): one function ``d_f(args..., d_out=1.0)`` running
  the primal sweep then the adjoint sweep, returning ``(value, gradients)``;
- ``split`` (for ``vjp`` and for calls between user functions):
  ``forward_f(args...)`` returns ``(value, record)`` and
  ``adjoint_f(record, d_out)`` returns the gradients; ``record`` holds exactly
  the primal values the adjoint reads.

A call from one differentiated function to another reads
``y, y_pullback = vjp_of(g, wrt)(a, b)`` in generated code; ``vjp_of`` hands
back a cached dispatcher that transforms ``g`` the first time it is called with
arguments of new kinds. Recursion needs nothing more.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import inspect
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from srcdiff.codegen import templates as T
from srcdiff.codegen.broadcasts import drop_broadcasts
from srcdiff.codegen.emit import Emitted, emit
from srcdiff.codegen.fold import fold_temporaries
from srcdiff.codegen.invariance import cancelled_maxima
from srcdiff.codegen.jumps import desugar_jumps
from srcdiff.codegen.kinds import (
    dims_of,
    is_structure,
    kind_of,
    object_class,
    with_size_pattern,
)
from srcdiff.codegen.normalize import Normalizer
from srcdiff.codegen.optimize import factor_sums, optimize
from srcdiff.codegen.parse import ParsedFunction, parse_function
from srcdiff.codegen.reverse import _RULE_HELPERS as RULE_HELPERS
from srcdiff.codegen.reverse import ReverseBuilder
from srcdiff.codegen.runtime import PURE_RUNTIME_NAMES, RUNTIME_NAMES, zeros_like_tree
from srcdiff.errors import SrcdiffError


@dataclass
class Adjoint:
    """Generated code for one (function, wrt, kinds, mode)."""

    emitted: Emitted
    parsed: ParsedFunction
    wrt_names: tuple[str, ...]
    mode: str
    forward: Callable[..., Any] | None = None  # split mode only
    record_names: tuple[str, ...] = ()  # split mode: the names the record holds, in order

    @property
    def source(self) -> str:
        return self.emitted.source


_CACHE: dict[tuple, Adjoint] = {}
_PARSED: dict[Any, ParsedFunction] = {}


def forget(fn: Callable[..., Any]) -> None:
    """Drop everything cached for ``fn`` (its parse, generated code and the
    analysis kept for grad's other version): for a process that differentiates
    many short-lived functions, such as the fuzzer."""
    _PARSED.pop(fn, None)
    for table in (_CACHE, _SIBLINGS, _DISPATCHERS):
        for key in [k for k in table if k[0] is fn]:
            del table[key]


def parsed_function(fn: Callable[..., Any]) -> ParsedFunction:
    if fn not in _PARSED:
        _PARSED[fn] = parse_function(fn)
    return _PARSED[fn]


def adjoint_of(
    fn: Callable[..., Any], wrt_names: tuple[str, ...], kinds: tuple, mode: str
) -> Adjoint:
    key = (fn, wrt_names, kinds, mode)
    adjoint = _CACHE.get(key)
    if adjoint is None:
        later = _SIBLINGS.pop(key, None)
        with _no_cycle_collection():
            if later is not None:
                adjoint = _CACHE[key] = later()
                return adjoint
            made = _transform(fn, wrt_names, kinds, mode)
        adjoint = _CACHE[key] = made[0]
        if len(made) > 1:  # grad's other version: from the same analysis, when asked for
            _SIBLINGS[fn, wrt_names, kinds, made[1][0]] = made[1][1]
    return adjoint


@contextlib.contextmanager
def _no_cycle_collection():
    """A transform makes some 100,000 short-lived tree nodes, freed by reference
    counting (trees hold no cycles); the cyclic collector's passes over them,
    a full one now and then, were a fifth of a first call's time and most of
    its variation."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# grad's version with or without the value, not generated yet: key -> how to make it
_SIBLINGS: dict[tuple, Callable[[], Adjoint]] = {}


def _transform(
    fn: Callable[..., Any], wrt_names: tuple[str, ...], kinds: tuple, mode: str
) -> list[Any]:
    """The adjoint for ``mode``; for grad's modes also ``(other mode, make it)``."""
    parsed = parsed_function(fn)
    params = parsed.param_names
    tree = T.copy_tree(parsed.tree)
    normalizer = Normalizer(parsed, set(wrt_names), dict(zip(params, kinds, strict=False)))
    body = normalizer.body(desugar_jumps(tree.body, normalizer.namer))
    for stmt in cancelled_maxima(body, normalizer.active):
        normalizer.active.discard(stmt.srcdiff_op.target)  # a stabiliser: a constant
        stmt.srcdiff_constant_op = stmt.srcdiff_op  # still tells the result's shape
        del stmt.srcdiff_op
    structured = {n for n, k in normalizer.kinds.items() if is_structure(k) or object_class(k)}
    builder = ReverseBuilder(
        parsed,
        body,
        normalizer.active,
        normalizer.namer,
        list(wrt_names),
        structured,
        dict(zip(params, kinds, strict=False)),
    )
    sweeps = builder.build()
    namespace = _namespace(parsed, builder)

    def make(mode: str) -> Adjoint:
        copied = dataclasses.replace(
            sweeps,
            primal=T.copy_tree(sweeps.primal),
            adjoint=T.copy_tree(sweeps.adjoint),
            output=T.copy_tree(sweeps.output),
        )
        functions = _functions(parsed, copied, wrt_names, normalizer, mode)
        _tidy(functions, mode, parsed, kinds, wrt_names, normalizer, builder, sweeps)
        origin = f"{parsed.filename}:{parsed.tree.lineno}"
        emitted = emit(functions, namespace, origin)
        forward = namespace[functions[0].name] if mode == "split" else None
        records = tuple(n.id for n in functions[0].body[-1].value.elts[1].elts) if forward else ()
        return Adjoint(emitted, parsed, wrt_names, mode, forward, records)

    if mode not in ("fused", "grad"):
        return [make(mode)]
    other = "grad" if mode == "fused" else "fused"
    return [make(mode), (other, functools.partial(make, other))]


def _functions(parsed, sweeps, wrt_names, normalizer, mode: str) -> list[gast.FunctionDef]:
    """The generated functions of one mode, before tidying."""
    grads = [
        T.name(sweeps.grads[w]) if w in sweeps.grads else gast.Constant(None, None)
        for w in wrt_names
    ]
    grads_tuple = gast.Tuple(elts=grads, ctx=gast.Load())
    out_expr = sweeps.output if sweeps.output is not None else gast.Constant(None, None)
    if mode in ("fused", "grad"):
        return [_fused(parsed, sweeps, out_expr, grads_tuple, with_value=mode == "fused")]
    return _split(parsed, sweeps, out_expr, grads_tuple, normalizer.namer)


def _tidy(functions, mode, parsed, kinds, wrt_names, normalizer, builder, sweeps) -> None:
    """The rewrites that make generated code read like an expert's (see docs/design.md)."""
    params = parsed.param_names
    pure = PURE_RUNTIME_NAMES | set(RULE_HELPERS) | _PURE_BUILTINS
    primal_of = {d: p for p, d in normalizer.namer.adjoints.items()}
    # grad's wrappers call the fused code with the default d_out=1.0
    wrappers_finish = mode in ("fused", "grad")
    seeds = {sweeps.output_adjoint: ()} if wrappers_finish else {}
    # the wrappers give every gradient its argument's shape (finish)
    finished = [dims_of(kinds[params.index(w)]) for w in wrt_names] if wrappers_finish else None
    users = normalizer.locals | set(params)
    keep = users | {normalizer.namer.adjoints[u] for u in users if u in normalizer.namer.adjoints}
    for f in functions:
        facts = optimize(f, pure)
        if drop_broadcasts(f, builder.shapes.shapes, primal_of, seeds, finished, facts):
            facts = optimize(f, pure, facts)
        fold_temporaries(f, keep, pure, facts)
        factor_sums(f)


_PURE_BUILTINS = {
    "len",
    "range",
    "list",
    "tuple",
    "min",
    "max",
    "abs",
    "float",
    "int",
    "reversed",
    "slice",
    "sum",
}


def _fused(parsed, sweeps, out_expr, grads_tuple, with_value: bool) -> gast.FunctionDef:
    args = T.copy_tree(parsed.tree.args)
    d_out = gast.Name(sweeps.output_adjoint, gast.Param(), None, None)
    args.kwonlyargs.append(d_out)
    args.kw_defaults.append(gast.Constant(1.0, None))
    result = (
        gast.Tuple(elts=[out_expr, grads_tuple], ctx=gast.Load()) if with_value else grads_tuple
    )
    body = sweeps.primal + sweeps.adjoint + [gast.Return(value=result)]
    return _function(f"d_{parsed.name}", args, body, parsed.tree.lineno)


def _split(parsed, sweeps, out_expr, grads_tuple, namer) -> list[gast.FunctionDef]:
    primal_locals = set(parsed.param_names) | _assigned(sweeps.primal)
    adjoint_reads = set()
    for stmt in sweeps.adjoint:
        adjoint_reads |= T.names_read(stmt)
    record_names = sorted(adjoint_reads & primal_locals)
    record = gast.Tuple(elts=[T.name(n) for n in record_names], ctx=gast.Load())
    surely_bound = set(parsed.param_names) | _assigned(
        s for s in sweeps.primal if not isinstance(s, (gast.If, gast.For, gast.While))
    )
    maybe_unbound = [n for n in record_names if n not in surely_bound]
    # names bound on some paths only still travel in the record
    presets = [T.assign(n, gast.Constant(None, None)) for n in maybe_unbound]
    forward_body = (
        presets
        + sweeps.primal
        + [gast.Return(value=gast.Tuple(elts=[out_expr, record], ctx=gast.Load()))]
    )
    forward = _function(
        f"forward_{parsed.name}", T.copy_tree(parsed.tree.args), forward_body, parsed.tree.lineno
    )
    record_param = namer.fresh("record")
    unpack = (
        []
        if not record_names
        else [
            gast.Assign(
                targets=[
                    gast.Tuple(elts=[T.name(n, store=True) for n in record_names], ctx=gast.Store())
                ],
                value=T.name(record_param),
            )
        ]
    )
    # stacks are copied so that a pullback may be called more than once
    copies = [T.assign(s, T.expr(f"list({s})")) for s in sweeps.stacks if s in record_names]
    args = gast.arguments(
        args=[
            gast.Name(record_param, gast.Param(), None, None),
            gast.Name(sweeps.output_adjoint, gast.Param(), None, None),
        ],
        posonlyargs=[],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )
    adjoint_body = unpack + copies + sweeps.adjoint + [gast.Return(value=grads_tuple)]
    adjoint = _function(f"adjoint_{parsed.name}", args, adjoint_body, parsed.tree.lineno)
    return [forward, adjoint]


def _assigned(stmts: list[gast.stmt]) -> set[str]:
    return set().union(*(T.stored_names(s) for s in stmts))


def _function(
    name: str, args: gast.arguments, body: list[gast.stmt], line: int
) -> gast.FunctionDef:
    """A generated function; statements of no user statement of their own
    (stacks set up, the return) belong to the user's ``def`` line."""
    func = gast.FunctionDef(
        name=name, args=args, body=body, decorator_list=[], returns=None, type_comment=None
    )
    func.lineno = line
    _inherit_lines(func.body, func.lineno)
    return func


def _inherit_lines(stmts: list[gast.stmt], line: int | None) -> None:
    """A statement without a line takes its parent's (the line map pairs
    generated lines with the user's by statement; the code is compiled from
    its printed source, so expressions need no positions)."""
    for stmt in stmts:
        if getattr(stmt, "lineno", None) in (None, 1):  # 1: a template's own line
            stmt.lineno = line
        for inner in (getattr(stmt, "body", None), getattr(stmt, "orelse", None)):
            if inner:
                _inherit_lines(inner, stmt.lineno)


def _namespace(parsed: ParsedFunction, builder: ReverseBuilder) -> dict[str, Any]:
    namespace = dict(parsed.globals)
    namespace.update(parsed.closure)
    namespace.update(getattr(builder, "rule_globals", {}))
    namespace.update(RULE_HELPERS)
    namespace.update(RUNTIME_NAMES)
    namespace["vjp_of"] = vjp_of
    namespace.setdefault("np", np)
    namespace.setdefault("math", math)
    return namespace


# ---------------------------------------------------------------- arguments


def resolve_wrt(
    fn: Callable[..., Any], wrt: Any, parsed: ParsedFunction | None = None
) -> tuple[tuple[str, ...], bool]:
    """``wrt`` as a tuple of parameter names, and whether the user asked for a tuple."""
    where = (
        {"filename": parsed.filename, "lineno": parsed.tree.lineno} if parsed is not None else {}
    )
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    named = [p.name for p in params if p.kind is not p.VAR_KEYWORD]
    as_tuple = isinstance(wrt, (tuple, list))
    items = list(wrt) if as_tuple else [wrt]
    names = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise SrcdiffError(f"wrt must be a parameter index or name, not {item!r}", **where)
        if isinstance(item, str):
            if item not in named:
                raise SrcdiffError(
                    f"wrt={item!r} names no parameter of {fn.__name__}",
                    hint=f"its parameters are {', '.join(named) or 'none'}",
                    **where,
                )
            names.append(item)
        else:
            if not -len(positional) <= item < len(positional):
                raise SrcdiffError(
                    f"wrt={item} is out of range: {fn.__name__} has "
                    f"{len(positional)} positional parameters",
                    hint=f"use an index from 0 to {len(positional) - 1}" if positional else None,
                    **where,
                )
            names.append(positional[item])
    return tuple(names), as_tuple


def bind_arguments(parsed: ParsedFunction, args: tuple, kwargs: dict) -> dict[str, Any]:
    """Parameter name -> value for a call, defaults included."""
    params = parsed.param_names  # positional ones first
    if not kwargs and len(args) == len(params) and parsed.plain_signature:
        return dict(zip(params, args, strict=False))
    bound = inspect.signature(parsed.fn).bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def _kinds(parsed: ParsedFunction, values: dict[str, Any]) -> tuple:
    return tuple(kind_of(values.get(name)) for name in parsed.param_names)


def _check_wrt_values(
    parsed: ParsedFunction, wrt_names: tuple[str, ...], values: dict[str, Any]
) -> None:
    for name in wrt_names:
        value = values.get(name)
        if isinstance(value, (bool, int, np.integer)) or (
            isinstance(value, np.ndarray) and not np.issubdtype(value.dtype, np.inexact)
        ):
            raise SrcdiffError(
                f"cannot differentiate with respect to {name!r}: "
                f"it is an integer ({type(value).__name__})",
                filename=parsed.filename,
                lineno=parsed.tree.lineno,
                hint="pass a float or a float array",
            )


def finish(grad: Any, arg: Any) -> Any:
    """Give a gradient the type, shape and dtype of its argument."""
    if grad is None:
        return 0.0 if isinstance(arg, (float, int)) else zeros_like_tree(arg)
    if isinstance(arg, (float, int)):
        return float(np.sum(grad)) if np.ndim(grad) else float(grad)
    if isinstance(arg, np.ndarray):
        if (
            type(grad) is np.ndarray
            and grad.shape == arg.shape
            and grad.dtype is arg.dtype
            and grad.base is None  # its own memory: writeable, no one else's view
        ):
            return grad
        return np.array(np.broadcast_to(grad, arg.shape), dtype=arg.dtype)
    if isinstance(arg, (list, tuple)):
        items = [finish(g, a) for g, a in zip(grad, arg, strict=False)]
        return type(arg)(items) if isinstance(arg, tuple) else items
    if isinstance(arg, dict):
        return {k: finish(grad[k], arg[k]) for k in arg}
    return grad


def _add_user_line(error: Exception, adjoint: Adjoint) -> None:
    tb = error.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == adjoint.emitted.filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    user_line = adjoint.emitted.line_map.get(line) if line is not None else None
    if user_line is not None and sys.version_info >= (3, 11):
        error.add_note(
            f"(in srcdiff's gradient of {adjoint.parsed.name}, "
            f"from {adjoint.parsed.filename}:{user_line})"
        )


def _scalar_output(parsed: ParsedFunction, value: Any) -> None:
    if isinstance(value, (tuple, list, dict)) or np.size(value) != 1:
        raise SrcdiffError(
            f"grad needs {parsed.name} to return a scalar, but it returned "
            f"{type(value).__name__} of shape {np.shape(value)}",
            filename=parsed.filename,
            lineno=parsed.tree.lineno,
            hint="use srcdiff.vjp for non-scalar outputs, or reduce the output (np.sum)",
        )


# ---------------------------------------------------------------- public callables


class _Prepared:
    """What a wrapper needs at call time, resolved once."""

    def __init__(self, fn: Callable[..., Any], wrt: Any) -> None:
        self.fn = fn
        self.parsed = parsed_function(fn)
        self.wrt_names, self.as_tuple = resolve_wrt(fn, wrt, self.parsed)
        # (kinds with the arguments' exact shapes, mode) -> adjoint: the per-call fast path
        self.seen: dict[tuple, Adjoint] = {}

    def adjoint(self, values: dict[str, Any], kinds: tuple, mode: str) -> Adjoint:
        adjoint = self.seen.get((kinds, mode))
        if adjoint is None:
            # integer arguments have their own kinds, so checking new kinds is enough
            _check_wrt_values(self.parsed, self.wrt_names, values)
            pattern = with_size_pattern(kinds)
            adjoint = self.seen[kinds, mode] = adjoint_of(self.fn, self.wrt_names, pattern, mode)
        return adjoint

    def finished(self, grads: tuple, values: dict[str, Any]) -> Any:
        done = [finish(g, values[name]) for g, name in zip(grads, self.wrt_names, strict=False)]
        return tuple(done) if self.as_tuple else done[0]


def make_grad(fn: Callable[..., Any], wrt: Any, with_value: bool) -> Callable[..., Any]:
    prepared = _Prepared(fn, wrt)

    checked: set[tuple] = set()  # argument kinds whose output was seen to be a scalar
    # positional calls whose output is known scalar: call key -> gradient-only code
    fast: dict[tuple, Adjoint] = {}
    plain = prepared.parsed.plain_signature and not with_value
    n_params = len(prepared.parsed.param_names)
    positions = [prepared.parsed.param_names.index(n) for n in prepared.wrt_names]

    @functools.wraps(fn)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        if plain and not kwargs and len(args) == n_params:
            key = tuple(map(_call_key, args))
            adjoint = fast.get(key)
            if adjoint is not None:
                try:
                    grads = adjoint.emitted.fn(*args)
                except Exception as error:
                    _add_user_line(error, adjoint)
                    raise
                done = [_finished(g, args[i]) for g, i in zip(grads, positions, strict=True)]
                return tuple(done) if prepared.as_tuple else done[0]
        values = bind_arguments(prepared.parsed, args, kwargs)
        kinds = _kinds(prepared.parsed, values)
        # grad alone runs code without the loss value once the output is known scalar
        mode = "grad" if kinds in checked and not with_value else "fused"
        adjoint = prepared.adjoint(values, kinds, mode)
        try:
            returned = adjoint.emitted.fn(*args, **kwargs)
        except Exception as error:
            _add_user_line(error, adjoint)
            raise
        if mode == "grad":
            if plain and not kwargs and len(args) == n_params:
                fast[tuple(map(_call_key, args))] = adjoint
            return prepared.finished(returned, values)
        value, grads = returned
        _scalar_output(prepared.parsed, value)
        checked.add(kinds)
        result = prepared.finished(grads, values)
        return (value, result) if with_value else result

    prefix = "value_and_grad" if with_value else "grad"
    gradient.__name__ = gradient.__qualname__ = f"{prefix}_{getattr(fn, '__name__', 'f')}"
    return _with_source(gradient, prepared, "fused" if with_value else "grad")


def _call_key(value: Any) -> Any:
    """What decides the generated code for one argument, cheaply (exact shapes)."""
    cls = type(value)
    if cls is np.ndarray:
        return (value.shape, value.dtype)
    return cls if cls is float else kind_of(value)


def _finished(grad: Any, arg: Any) -> Any:
    """:func:`finish` with the common case first: a fresh array of the right shape."""
    if (
        type(grad) is np.ndarray
        and type(arg) is np.ndarray
        and grad.shape == arg.shape
        and grad.dtype is arg.dtype
        and grad.base is None
    ):
        return grad
    return finish(grad, arg)


def make_vjp(fn: Callable[..., Any], wrt: Any) -> Callable[..., Any]:
    prepared = _Prepared(fn, wrt)

    @functools.wraps(fn)
    def forward(*args: Any, **kwargs: Any) -> tuple[Any, Callable[[Any], Any]]:
        values = bind_arguments(prepared.parsed, args, kwargs)
        adjoint = prepared.adjoint(values, _kinds(prepared.parsed, values), "split")
        value, record = adjoint.forward(*args, **kwargs)

        def pullback(d_out: Any) -> Any:
            try:
                grads = adjoint.emitted.fn(record, d_out)
            except Exception as error:
                _add_user_line(error, adjoint)
                raise
            return prepared.finished(grads, values)

        return value, pullback

    return _with_source(forward, prepared, "split")


def _with_source(wrapper: Callable[..., Any], prepared: _Prepared, mode: str) -> Callable[..., Any]:
    """Expose ``.source``: the code generated for the latest argument kinds (or
    for array arguments, before the first call)."""

    def source() -> str:
        latest = next(reversed(prepared.seen), None)  # kinds of the latest new call
        if latest is not None:
            kinds = with_size_pattern(latest[0])
        else:
            kinds = tuple(("array", None) for _ in prepared.parsed.param_names)
        return adjoint_of(prepared.fn, prepared.wrt_names, kinds, mode).source

    wrapper.source_of = source  # type: ignore[attr-defined]
    return _Wrapped(wrapper)


class _Wrapped:
    """A function wrapper with a ``source`` attribute computed on demand."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self._fn = fn
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._fn(*args, **kwargs)

    @property
    def source(self) -> str:
        return self._fn.source_of()

    def __repr__(self) -> str:
        return f"<srcdiff {self._fn.__name__}>"


# ---------------------------------------------------------------- calls between user functions

_DISPATCHERS: dict[tuple, Callable[..., Any]] = {}


def vjp_of(fn: Callable[..., Any], wrt: tuple) -> Callable[..., Any]:
    """The vjp of user function ``fn`` with respect to ``wrt`` (positions or names),
    as called from generated code: returns ``(value, pullback)``."""
    bound_self = None
    if inspect.ismethod(fn):
        bound_self, fn = fn.__self__, fn.__func__
        wrt = tuple(w + 1 if isinstance(w, int) else w for w in wrt)
    key = (fn, wrt)
    dispatcher = _DISPATCHERS.get(key)
    if dispatcher is None:
        dispatcher = _DISPATCHERS[key] = _dispatcher(fn, wrt)
    if bound_self is not None:
        return functools.partial(dispatcher, bound_self)
    return dispatcher


def _dispatcher(fn: Callable[..., Any], wrt: tuple) -> Callable[..., Any]:
    parsed = parsed_function(fn)
    positional = [a.id for a in parsed.tree.args.args]
    vararg = parsed.tree.args.vararg.id if parsed.tree.args.vararg is not None else None
    # each requested argument: (parameter name, position inside *args or None)
    where = [_parameter_of(w, positional, vararg) for w in wrt]
    wrt_names = tuple(dict.fromkeys(name for name, _ in where))
    seen: dict[tuple, Adjoint] = {}  # kinds with exact shapes -> adjoint

    def call(*args: Any, **kwargs: Any) -> tuple[Any, Callable[[Any], Any]]:
        values = bind_arguments(parsed, args, kwargs)
        kinds = _kinds(parsed, values)
        adjoint = seen.get(kinds)
        if adjoint is None:
            pattern = with_size_pattern(kinds)
            adjoint = seen[kinds] = adjoint_of(fn, wrt_names, pattern, "split")
        value, record = adjoint.forward(*args, **kwargs)

        def pullback(d_out: Any) -> tuple:
            grads = adjoint.emitted.fn(record, d_out)
            by_name = {n: finish(g, values[n]) for g, n in zip(grads, wrt_names, strict=True)}
            return tuple(by_name[n] if k is None else by_name[n][k] for n, k in where)

        return value, pullback

    return call


def _parameter_of(
    w: int | str, positional: list[str], vararg: str | None
) -> tuple[str, int | None]:
    if isinstance(w, str):
        return w, None
    if w < len(positional):
        return positional[w], None
    if vararg is None:
        raise TypeError(f"argument {w} has no parameter")
    return vararg, w - len(positional)


def recorded_values(fn: Callable[..., Any], wrt: Any, *args: Any) -> dict[str, Any]:
    """What the forward sweep of ``vjp(fn, wrt)`` keeps for the adjoint, by name
    (stacks end in ``_stack``): for measuring memory, not for everyday use."""
    prepared = _Prepared(fn, wrt)
    values = bind_arguments(prepared.parsed, args, {})
    adjoint = prepared.adjoint(values, _kinds(prepared.parsed, values), "split")
    _, record = adjoint.forward(*args)
    return dict(zip(adjoint.record_names, record, strict=True))
