"""Pass 1: read a function's source into a gast tree that knows the user's file and lines,
and refuse the constructs the compiler cannot differentiate."""

from __future__ import annotations

import builtins
import functools
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast

from srcdiff._function_source import definition
from srcdiff.codegen import templates as T
from srcdiff.codegen.to_gast import to_gast
from srcdiff.errors import SrcdiffError

# Constructs refused anywhere in a differentiated function, with the hint shown to the user.
_UNSUPPORTED: dict[type, tuple[str, str]] = {
    gast.Yield: ("yield", "generators are not supported; return a list instead"),
    gast.YieldFrom: ("yield from", "generators are not supported; return a list instead"),
    gast.Await: ("await", "async code is not supported; write a plain function"),
    gast.AsyncFunctionDef: ("async def", "async code is not supported; write a plain function"),
    gast.AsyncFor: ("async for", "async code is not supported; write a plain loop"),
    gast.AsyncWith: ("async with", "async code is not supported"),
    gast.Try: (
        "try",
        "exceptions cannot be replayed backwards; check conditions with 'if' instead",
    ),
    gast.Global: ("global", "pass the value as an argument and return the new value instead"),
    gast.Nonlocal: ("nonlocal", "pass the value as an argument and return the new value instead"),
    gast.Delete: ("del", "let the variable go out of scope instead"),
    gast.ClassDef: ("class", "define classes at module level"),
    gast.Lambda: ("lambda", "use a nested 'def' instead"),
    gast.Import: ("import", "import at module level"),
    gast.ImportFrom: ("import", "import at module level"),
}
_GRAD_MODE_CONTEXTS = {"no_grad", "enable_grad", "set_grad_enabled", "inference_mode"}


@dataclass
class ParsedFunction:
    """A user function's tree plus everything needed to resolve its names."""

    fn: Callable[..., Any]
    tree: gast.FunctionDef
    filename: str
    globals: dict[str, Any]
    closure: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.tree.name

    @functools.cached_property
    def param_names(self) -> tuple[str, ...]:
        """Positional parameters, then ``*args``, then keyword-only ones."""
        args = self.tree.args
        names = [a.id for a in args.args]
        if args.vararg is not None:
            names.append(args.vararg.id)
        return tuple(names + [a.id for a in args.kwonlyargs])

    @functools.cached_property
    def plain_signature(self) -> bool:
        """Positional parameters only (no ``*args``, keyword-only, defaults)."""
        args = self.tree.args
        return args.vararg is None and not args.kwonlyargs and not args.defaults

    def error(self, node: gast.AST | None, message: str, hint: str | None = None) -> SrcdiffError:
        """A SrcdiffError pointing at ``node``'s line in the user's file."""
        lineno = getattr(node, "lineno", None) if node is not None else None
        return SrcdiffError(message, filename=self.filename, lineno=lineno, hint=hint)

    def lookup(self, name: str) -> tuple[bool, Any]:
        """The value a free name has for this function: closure, globals, builtins."""
        if name in self.closure:
            return True, self.closure[name]
        if name in self.globals:
            return True, self.globals[name]
        if hasattr(builtins, name):
            return True, getattr(builtins, name)
        return False, None


def parse_function(fn: Callable[..., Any]) -> ParsedFunction:
    """Parse ``fn``'s source; raise SrcdiffError if it cannot be found or differentiated."""
    fn = inspect.unwrap(fn)
    if not inspect.isfunction(fn):
        kind = type(fn).__name__
        raise SrcdiffError(
            f"cannot read the source of {getattr(fn, '__name__', fn)!r} ({kind})",
            hint="srcdiff differentiates Python functions defined in a file; "
            "for a builtin or C function register a rule with @srcdiff.adjoint",
        )
    filename = _display_name(fn.__code__.co_filename)
    tree = _function_tree(fn, filename)
    if isinstance(tree, gast.AsyncFunctionDef):
        raise SrcdiffError(
            "cannot differentiate through 'async def'",
            filename=filename,
            lineno=tree.lineno,
            hint="async code is not supported; write a plain function",
        )
    tree.decorator_list = []
    closure = {}
    if fn.__closure__:
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__, strict=False):
            try:
                closure[name] = cell.cell_contents
            except ValueError:  # an empty cell: a name assigned later in the enclosing scope
                pass
    parsed = ParsedFunction(fn, tree, filename, fn.__globals__, closure)
    _check_supported(parsed)
    return parsed


def _function_tree(fn: Callable[..., Any], filename: str) -> gast.AST:
    """``fn``'s definition as gast, with its file's line numbers."""
    try:
        found, first_line = definition(fn)
    except (OSError, TypeError):
        raise SrcdiffError(
            f"cannot find the source of {fn.__name__!r}",
            filename=filename,
            lineno=fn.__code__.co_firstlineno,
            hint="srcdiff reads the function's source; define it in a file, not in a REPL or exec",
        ) from None
    if found is None:
        raise SrcdiffError(
            f"cannot find the source of {fn.__name__!r}",
            filename=filename,
            lineno=first_line,
            hint="lambdas cannot be differentiated from source; use a 'def'",
        )
    return to_gast(found)


def _display_name(path: str) -> str:
    return os.path.basename(path) if os.path.isabs(path) else path


def _check_supported(parsed: ParsedFunction) -> None:
    args = parsed.tree.args
    for node in T.walk(parsed.tree):
        if node is parsed.tree:
            continue
        problem = _UNSUPPORTED.get(type(node))
        if problem is not None:
            construct, hint = problem
            raise parsed.error(node, f"cannot differentiate through '{construct}'", hint)
        if isinstance(node, gast.With) and not _is_grad_mode_with(node):
            raise parsed.error(
                node,
                "cannot differentiate through 'with'",
                "only srcdiff/torch grad-mode contexts (no_grad, enable_grad) are supported",
            )
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name):
            if node.func.id in ("exec", "eval") and parsed.lookup(node.func.id)[1] in (exec, eval):
                raise parsed.error(
                    node,
                    f"cannot differentiate through '{node.func.id}'",
                    "code built at run time has no source to transform; write it out",
                )
    if args.kwarg is not None:
        raise parsed.error(
            parsed.tree, "cannot differentiate a function taking '**kwargs'", "name the arguments"
        )


def _is_grad_mode_with(node: gast.With) -> bool:
    for item in node.items:
        call = item.context_expr
        func = call.func if isinstance(call, gast.Call) else call
        name = func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", None)
        if name not in _GRAD_MODE_CONTEXTS:
            return False
    return True
