"""Which arguments a user's method or constructor may keep a reference to.

A write into an array that an object also holds (``cell = Cell(b); b[0] = x``)
cannot be differentiated with value semantics, so normalize.py refuses it. A
call keeps an argument only if its code stores that very array (or a view of
it) somewhere that outlives the call: ``self.w = w`` keeps ``w``, while
``self.h = h * 1.0`` or ``self.h = np.tanh(v)`` store new arrays. Reading the
method's source tells which, so ``cell.step(b)`` followed by ``b[0] = x`` is
differentiated when ``step`` only computes with ``b``. Anything this module
cannot see through counts as keeping.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.parse import parse_function
from srcdiff.codegen.views import VIEW_METHODS, is_numpy_view
from srcdiff.errors import SrcdiffError

# builtins that neither keep nor return their arguments
NO_REFERENCE_BUILTINS = {
    "len", "range", "float", "int", "abs", "min", "max", "sum", "print", "isinstance",
    "enumerate", "zip", "reversed", "list", "tuple", "sorted", "bool", "round", "type",
}  # fmt: skip

_FOUND: dict[Any, tuple[Callable, frozenset[str] | None, frozenset[str] | None]] = {}


def kept_parameters(function: Callable) -> frozenset[str] | None:
    """The parameters ``function`` may store where they outlive the call
    (``self.w = w``); None when its code cannot be read."""
    return _found(function)[1]


def returned_parameters(function: Callable) -> frozenset[str] | None:
    """The parameters ``function``'s result may share memory with (``return w``,
    ``return w.T``); None when its code cannot be read."""
    return _found(function)[2]


def bound_arguments(
    function: Callable, call: gast.Call, skip_self: bool
) -> list[tuple[str, gast.expr]] | None:
    """Each argument of ``call`` with the parameter it binds (``self`` skipped for
    methods and constructors); None for ``*args`` or ``**kwargs`` in the call."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return None
    try:
        names = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return None
    names = names[1:] if skip_self else names
    positional = [p for p in names if p not in {k.arg for k in call.keywords}]
    if len(call.args) > len(positional):
        return None  # more than the named parameters: *args takes them
    pairs = list(zip(positional, call.args, strict=False))
    return pairs + [(k.arg, k.value) for k in call.keywords]


def _found(function: Callable) -> tuple[Callable, frozenset[str] | None, frozenset[str] | None]:
    entry = _FOUND.get(function)
    if entry is None:
        # while it is being read (a recursion reaching it again), it keeps everything
        _FOUND[function] = (function, None, None)
        entry = _FOUND[function] = (function, *_analyse(function))  # keeps it alive
    return entry


def _analyse(function: Callable) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    if not inspect.isfunction(function):
        return None, None
    try:
        tree = parse_function(function).tree
    except SrcdiffError:
        return None, None
    args = tree.args
    params = {a.id for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    params |= {a.id for a in (args.vararg, args.kwarg) if a is not None}
    calls = _Callees(function)
    aliases = _aliases_of(tree, params, calls)
    kept: set[str] = set()
    returned: set[str] = set()
    for node in T.walk(tree):
        kept |= _kept_by(node, tree, aliases, calls)
        if isinstance(node, gast.Return) and not _inside_nested(node, tree):
            returned |= _shared_with(node.value, aliases, calls)
    return frozenset(kept & params), frozenset(returned & params)


class _Callees:
    """The user functions a function calls by name, read in turn: an argument
    handed to ``g`` is kept (or returned) only if ``g`` keeps (returns) it."""

    def __init__(self, function: Callable) -> None:
        self._scope = dict(function.__globals__)
        cells = function.__closure__ or ()
        for name, cell in zip(function.__code__.co_freevars, cells, strict=False):
            try:
                self._scope[name] = cell.cell_contents
            except ValueError:  # an empty cell
                pass

    def arguments(self, call: gast.Call, which: Callable) -> list[gast.expr] | None:
        """The arguments of ``call`` that ``which`` (kept_parameters or
        returned_parameters) says its callee keeps or returns; None if unknown."""
        if not isinstance(call.func, gast.Name):
            return None
        callee = self._scope.get(call.func.id)
        if not inspect.isfunction(callee):
            return None
        params, bound = which(callee), bound_arguments(callee, call, skip_self=False)
        if params is None or bound is None:
            return None
        return [arg for name, arg in bound if name in params]


def _inside_nested(node: gast.AST, tree: gast.FunctionDef) -> bool:
    nested = [n for n in T.walk(tree) if isinstance(n, gast.FunctionDef) and n is not tree]
    return any(node is inner for d in nested for inner in T.walk(d))


def _aliases_of(tree: gast.FunctionDef, params: set[str], calls: _Callees) -> dict[str, set[str]]:
    """For each local name, the parameters it may share memory with (a fixed
    point over the function's assignments; flow-insensitive, so cautious)."""
    aliases: dict[str, set[str]] = {p: {p} for p in params}
    changed = True
    while changed:
        changed = False
        for node in T.walk(tree):
            if not isinstance(node, (gast.Assign, gast.AugAssign, gast.For)):
                continue
            value = node.iter if isinstance(node, gast.For) else node.value
            shared = _shared_with(value, aliases, calls)
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for name in {n for t in targets for n in T.stored_names(t)}:
                before = aliases.setdefault(name, set())
                if not shared <= before:
                    before |= shared
                    changed = True
    return aliases


def _shared_with(expr: gast.expr | None, aliases: dict[str, set[str]], calls: _Callees) -> set[str]:
    """The parameters the value of ``expr`` may share memory with."""
    if expr is None:
        return set()
    if isinstance(expr, gast.Name):
        return set(aliases.get(expr.id, set()))
    if isinstance(expr, (gast.BinOp, gast.UnaryOp, gast.Compare, gast.BoolOp, gast.Constant)):
        if isinstance(expr, gast.BoolOp):  # ``a or b`` is one of its operands
            return set().union(*(_shared_with(v, aliases, calls) for v in expr.values))
        return set()  # arithmetic makes a new array
    if isinstance(expr, (gast.List, gast.Tuple)):  # holds its items' values, nothing else
        items = [e.value if isinstance(e, gast.Starred) else e for e in expr.elts]
        return set().union(*(_shared_with(e, aliases, calls) for e in items))
    if isinstance(expr, gast.Call) and (_makes_new_array(expr) or _harmless(expr)):
        return set()
    if isinstance(expr, gast.Call) and _array_method(expr):
        if expr.func.attr in VIEW_METHODS:  # a view of its receiver
            return _shared_with(expr.func.value, aliases, calls)
        return set()  # a reduction or a copy: a new array
    returned = calls.arguments(expr, returned_parameters) if isinstance(expr, gast.Call) else None
    if returned is not None:
        return set().union(*(_shared_with(a, aliases, calls) for a in returned))
    # anything else (a view, a container, a call srcdiff cannot see into): whatever it mentions
    return set().union(*(aliases.get(n, set()) for n in T.names_read(expr)))


def _library_call(call: gast.Call) -> bool:
    """numpy and math keep nothing (a view they return is followed by _shared_with)."""
    name = T.dotted(call.func)
    return name is not None and name.startswith(("np.", "math."))


def _array_method(call: gast.Call) -> bool:
    """A method of an array numpy made (``np.broadcast_to(u, s).sum(0)``): it keeps
    no reference to its arguments, and returns a new array or a view."""
    func = call.func
    return (
        isinstance(func, gast.Attribute)
        and (func.attr in _NEW_ARRAY_METHODS or func.attr in VIEW_METHODS)
        and isinstance(func.value, gast.Call)
        and _library_call(func.value)
    )


# array methods that return a new array (or number) and keep nothing
_NEW_ARRAY_METHODS = {
    "sum", "mean", "max", "min", "prod", "std", "var", "cumsum", "cumprod", "copy",
    "astype", "dot", "clip", "round", "argmax", "argmin", "any", "all", "item", "tolist",
}  # fmt: skip


def _makes_new_array(call: gast.Call) -> bool:
    """A numpy or math call that returns a new array (not a view of an argument)."""
    return _library_call(call) and not is_numpy_view(call)


def _kept_by(node: gast.AST, tree: gast.FunctionDef, aliases, calls: _Callees) -> set[str]:
    """Parameters ``node`` stores where they outlive the call."""
    if isinstance(node, (gast.Assign, gast.AugAssign)):
        targets = node.targets if isinstance(node, gast.Assign) else [node.target]
        if any(not isinstance(t, gast.Name) for t in targets):  # self.w = ..., d[k] = ...
            return _shared_with(node.value, aliases, calls)
        return set()
    if (
        isinstance(node, gast.Call)
        and not _library_call(node)
        and not _harmless(node)
        and not _array_method(node)
    ):
        # an argument handed to code that may keep it: a user function that does,
        # or a method, a constructor, anything srcdiff cannot read
        kept = calls.arguments(node, kept_parameters)
        operands = kept if kept is not None else _call_operands(node)
        return set().union(*(_shared_with(a, aliases, calls) for a in operands))
    if isinstance(node, (gast.FunctionDef, gast.Lambda)) and node is not tree:
        return set().union(*(aliases.get(n, set()) for n in T.names_read(node)))
    if isinstance(node, gast.Return):
        return set()  # what is returned is the caller's to follow (see normalize)
    return set()


def _harmless(call: gast.Call) -> bool:
    return isinstance(call.func, gast.Name) and call.func.id in NO_REFERENCE_BUILTINS


def _call_operands(call: gast.Call) -> list[gast.expr]:
    operands = [*call.args, *(k.value for k in call.keywords)]
    if isinstance(call.func, gast.Attribute):
        operands.append(call.func.value)  # ``lst.append(v)`` changes lst; ``v.fill(0)`` v
    return operands
