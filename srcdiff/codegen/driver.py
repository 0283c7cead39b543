"""Put the passes together: transform once per (function, wrt), cache, and wrap.

The generated adjoint takes the user's arguments plus the output's adjoint
(``d_out``, 1.0 for a scalar loss) and returns ``(value, gradients)``; the
callables handed to users pick from that and give each gradient the type,
shape and dtype of its argument.
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from srcdiff.codegen import templates as T
from srcdiff.codegen.emit import Emitted, emit
from srcdiff.codegen.normalize import Normalizer
from srcdiff.codegen.parse import ParsedFunction, parse_function
from srcdiff.codegen.reverse import _RULE_HELPERS as RULE_HELPERS
from srcdiff.codegen.reverse import ReverseBuilder
from srcdiff.codegen.runtime import RUNTIME_NAMES, zeros_like_tree
from srcdiff.errors import SrcdiffError


@dataclass
class Adjoint:
    """A generated adjoint and what it was generated for."""

    emitted: Emitted
    parsed: ParsedFunction
    wrt: tuple[int, ...]
    wrt_names: tuple[str, ...]
    grads_returned: tuple[str, ...]  # wrt names in the order the function returns them

    @property
    def source(self) -> str:
        return self.emitted.source


_CACHE: dict[tuple[Any, tuple[int, ...]], Adjoint] = {}


def adjoint_of(fn: Callable[..., Any], wrt: tuple[int, ...]) -> Adjoint:
    key = (fn, wrt)
    if key not in _CACHE:
        _CACHE[key] = _transform(fn, wrt)
    return _CACHE[key]


def _transform(fn: Callable[..., Any], wrt: tuple[int, ...]) -> Adjoint:
    parsed = parse_function(fn)
    params = _positional_params(parsed)
    wrt_names = tuple(params[i] for i in wrt)
    tree = copy.deepcopy(parsed.tree)
    normalizer = Normalizer(parsed, set(wrt_names))
    body = normalizer.body(tree.body)
    builder = ReverseBuilder(parsed, body, normalizer.active, normalizer.namer, list(wrt_names))
    sweeps = builder.build()
    returned = tuple(w for w in wrt_names if w in sweeps.grads)
    out_expr = sweeps.output if sweeps.output is not None else gast.Constant(None, None)
    grads = [T.name(sweeps.grads[w]) for w in returned]
    result = gast.Tuple(elts=[out_expr, gast.Tuple(elts=grads, ctx=gast.Load())], ctx=gast.Load())
    args = copy.deepcopy(parsed.tree.args)
    d_out = gast.Name(sweeps.output_adjoint, gast.Param(), None, None)
    if args.vararg is None:
        args.args.append(d_out)
        args.defaults.append(gast.Constant(1.0, None))
    else:
        args.kwonlyargs.append(d_out)
        args.kw_defaults.append(gast.Constant(1.0, None))
    func = gast.FunctionDef(
        name=f"d_{parsed.name}",
        args=args,
        body=sweeps.primal + sweeps.adjoint + [gast.Return(value=result)],
        decorator_list=[],
        returns=None,
        type_comment=None,
    )
    gast.fix_missing_locations(func)
    namespace = dict(parsed.globals)
    namespace.update(parsed.closure)
    namespace.update(getattr(builder, "rule_globals", {}))
    namespace.update(RULE_HELPERS)
    namespace.update(RUNTIME_NAMES)
    namespace.setdefault("np", np)
    namespace.setdefault("math", math)
    origin = f"{parsed.filename}:{parsed.tree.lineno}"
    emitted = emit(func, namespace, origin)
    return Adjoint(emitted, parsed, wrt, wrt_names, returned)


def _positional_params(parsed: ParsedFunction) -> list[str]:
    return [a.id for a in parsed.tree.args.args]


def resolve_wrt(fn: Callable[..., Any], wrt: Any) -> tuple[tuple[int, ...], bool]:
    """``wrt`` as a tuple of positional indices, and whether the user asked for a tuple."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    as_tuple = isinstance(wrt, (tuple, list))
    items = list(wrt) if as_tuple else [wrt]
    indices = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise SrcdiffError(f"wrt must be a parameter index or name, not {item!r}")
        if isinstance(item, str):
            if item not in positional:
                raise SrcdiffError(
                    f"wrt={item!r} names no parameter of {fn.__name__}",
                    hint=f"its parameters are {', '.join(positional) or 'none'}",
                )
            indices.append(positional.index(item))
        else:
            if not -len(positional) <= item < len(positional):
                raise SrcdiffError(
                    f"wrt={item} is out of range: {fn.__name__} has {len(positional)} positional parameters",
                    hint=f"use an index from 0 to {len(positional) - 1}" if positional else None,
                )
            indices.append(item % len(positional))
    return tuple(indices), as_tuple


def _check_args(adjoint: Adjoint, args: tuple) -> None:
    for index, name in zip(adjoint.wrt, adjoint.wrt_names):
        if index >= len(args):
            raise TypeError(f"{adjoint.parsed.name}() missing argument {name!r}")
        value = args[index]
        if isinstance(value, (bool, int, np.integer)) or (
            isinstance(value, np.ndarray) and not np.issubdtype(value.dtype, np.inexact)
        ):
            raise SrcdiffError(
                f"cannot differentiate with respect to {name!r}: it is an integer ({type(value).__name__})",
                filename=adjoint.parsed.filename,
                lineno=adjoint.parsed.tree.lineno,
                hint="pass a float or a float array",
            )


def _finish(grad: Any, arg: Any) -> Any:
    """Give a gradient the type, shape and dtype of its argument."""
    if grad is None:
        return zeros_like_tree(arg) if not isinstance(arg, float) else 0.0
    if isinstance(arg, (float, int)):
        return float(np.sum(grad)) if np.ndim(grad) else float(grad)
    if isinstance(arg, np.ndarray):
        if (
            type(grad) is np.ndarray
            and grad.shape == arg.shape
            and grad.dtype == arg.dtype
            and grad.flags.writeable
        ):
            return grad
        return np.array(np.broadcast_to(grad, arg.shape), dtype=arg.dtype)
    if isinstance(arg, (list, tuple)):
        items = [_finish(g, a) for g, a in zip(grad, arg)]
        return type(arg)(items) if isinstance(arg, tuple) else items
    if isinstance(arg, dict):
        return {k: _finish(grad[k], arg[k]) for k in arg}
    return grad


def _run(adjoint: Adjoint, args: tuple, kwargs: dict, d_out: Any) -> tuple[Any, list[Any]]:
    _check_args(adjoint, args)
    try:
        value, grads = _call(adjoint, args, kwargs, d_out)
    except SrcdiffError:
        raise
    except Exception as error:
        _add_user_line(error, adjoint)
        raise
    by_name = dict(zip(adjoint.grads_returned, grads))
    finished = [_finish(by_name.get(name), args[i]) for i, name in zip(adjoint.wrt, adjoint.wrt_names)]
    return value, finished


def _call(adjoint: Adjoint, args: tuple, kwargs: dict, d_out: Any) -> Any:
    name = adjoint.emitted.fn.__code__.co_varnames[len(adjoint.parsed.tree.args.args)]
    return adjoint.emitted.fn(*args, **kwargs, **{name: d_out})


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
            f"(in srcdiff's gradient of {adjoint.parsed.name}, from {adjoint.parsed.filename}:{user_line})"
        )


def _scalar_output(adjoint: Adjoint, value: Any) -> None:
    if np.size(value) != 1 or isinstance(value, (tuple, list, dict)):
        raise SrcdiffError(
            f"grad needs {adjoint.parsed.name} to return a scalar, but it returned "
            f"{type(value).__name__} of shape {np.shape(value)}",
            filename=adjoint.parsed.filename,
            lineno=adjoint.parsed.tree.lineno,
            hint="use srcdiff.vjp for non-scalar outputs, or reduce the output (np.sum)",
        )


def make_grad(fn: Callable[..., Any], wrt: Any, with_value: bool) -> Callable[..., Any]:
    indices, as_tuple = resolve_wrt(fn, wrt)
    adjoint = adjoint_of(fn, indices)

    @functools.wraps(fn)
    def gradient(*args: Any, **kwargs: Any) -> Any:
        value, grads = _run(adjoint, args, kwargs, 1.0)
        _scalar_output(adjoint, value)
        result = tuple(grads) if as_tuple else grads[0]
        return (value, result) if with_value else result

    gradient.source = adjoint.source  # type: ignore[attr-defined]
    gradient.adjoint = adjoint  # type: ignore[attr-defined]
    prefix = "value_and_grad" if with_value else "grad"
    gradient.__name__ = f"{prefix}_{getattr(fn, '__name__', 'f')}"
    gradient.__qualname__ = gradient.__name__
    return gradient


def make_vjp(fn: Callable[..., Any], wrt: Any) -> Callable[..., Any]:
    indices, as_tuple = resolve_wrt(fn, wrt)
    adjoint = adjoint_of(fn, indices)

    @functools.wraps(fn)
    def forward(*args: Any, **kwargs: Any) -> tuple[Any, Callable[[Any], Any]]:
        _check_args(adjoint, args)
        value = fn(*args, **kwargs)

        def pullback(d_out: Any) -> Any:
            _, grads = _run(adjoint, args, kwargs, d_out)
            return tuple(grads) if as_tuple else grads[0]

        pullback.source = adjoint.source  # type: ignore[attr-defined]
        return value, pullback

    forward.source = adjoint.source  # type: ignore[attr-defined]
    return forward
