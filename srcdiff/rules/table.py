"""The derivative table: one reverse rule per primitive, read by both consumers.

A rule is a plain Python function on arrays::

    @vjp_rule("mul", np.multiply, operator.mul, broadcasts=True)
    def mul(g, ans, x, y):
        return g * y, g * x

Its signature is ``(g, ans, *inputs, *params, xp)``:

- ``g`` is the adjoint of the output and ``ans`` the output itself;
- ``inputs`` are the positional parameters without defaults: the values a
  gradient can flow into.  Their names and order mirror the numpy function, so
  a call ``np.sum(x, 1)`` binds to the rule's parameters directly;
- ``params`` are the parameters with defaults (``axis=None``): never
  differentiated, passed through;
- ``xp`` (optional) is the array namespace: ``numpy`` when the rule runs on
  arrays, ``math`` for Python floats, the Tensor namespace when the eager engine
  builds a graph of the backward pass (``create_graph=True``).

The body is any number of assignments followed by ``return`` of one
expression per input (a tuple when there are several, ``None`` for an input
that has no gradient).  Both consumers split the rule per input with
:meth:`Rule.input_parts`: the compiler inlines the parts it needs into generated
source, the eager engine compiles them into one function per input so that an
input that needs no gradient costs nothing.

``broadcasts=True`` marks elementwise rules whose inputs may broadcast: each
contribution is then reduced to its input's shape by the one shared helper
:func:`srcdiff.rules.helpers.unbroadcast`, applied by the consumer, never
written in the rule.
"""

from __future__ import annotations

import ast
import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from srcdiff._function_source import definition

# Every registered rule by canonical name, and by the primal callables it covers.
RULES: dict[str, Rule] = {}
_BY_PRIMAL: dict[int, Rule] = {}
_PRIMAL_KEEPALIVE: list[Any] = []


@dataclass
class Rule:
    name: str
    vjp: Callable[..., Any]
    inputs: tuple[str, ...]
    params: tuple[str, ...]
    defaults: dict[str, Any]
    uses_xp: bool
    broadcasts: bool
    primals: tuple[Any, ...]
    variadic: str | None = None  # the ``*name`` input (np.einsum's operands), if any
    specializations: dict[tuple[int | None, ...], Rule] = field(default_factory=dict, repr=False)
    jvp: Callable[..., Any] | None = None  # forward column, filled by a later issue
    _parts: list[tuple[list[ast.stmt], ast.expr | None]] | None = field(default=None, repr=False)
    _compiled: list[Callable[..., Any] | None] | None = field(default=None, repr=False)

    def input_parts(self) -> list[tuple[list[ast.stmt], ast.expr | None]]:
        """Per input: (preamble statements, gradient expression or None).

        The preamble is the rule's statements before ``return``, shared by all
        inputs; consumers drop the statements an input does not read.
        """
        if self._parts is None:
            self._parts = _split_rule(self)
        return self._parts

    def for_ranks(self, ranks: tuple[int | None, ...]) -> Rule:
        """The specialisation for inputs of these ranks, or this rule."""
        for key, special in self.specializations.items():
            if all(k is None or k == r for k, r in zip(key, ranks, strict=True)):
                return special
        return self

    def reads(self, index: int) -> frozenset[str]:
        """The rule's parameter names (g, ans, inputs, params) that input
        ``index``'s gradient reads: what a consumer must keep from the forward pass."""
        preamble, expr = self.input_parts()[index]
        if expr is None:
            return frozenset()
        names = {
            n.id for node in [*preamble, expr] for n in ast.walk(node) if isinstance(n, ast.Name)
        }
        return frozenset(names & {"g", "ans", *self.inputs, *self.params})

    def input_vjps(self) -> list[Callable[..., Any] | None]:
        """Per input, a compiled function of the rule's full signature returning
        only that input's gradient (None where the input has no gradient)."""
        if self._compiled is None:
            self._compiled = [_compile_part(self, i) for i in range(len(self.inputs))]
        return self._compiled


def vjp_rule(name: str, *primals: Any, broadcasts: bool = False) -> Callable[[Callable], Callable]:
    """Register ``fn`` as the reverse rule for ``primals`` under ``name``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        rule = _build_rule(name, fn, primals, broadcasts)
        if name in RULES:
            raise ValueError(f"rule {name!r} is registered twice")
        RULES[name] = rule
        for primal in primals:
            _BY_PRIMAL[id(primal)] = rule
            _PRIMAL_KEEPALIVE.append(primal)
        fn.rule = rule  # type: ignore[attr-defined]
        return fn

    return register


def specialize(name: str, *, ranks: tuple[int | None, ...]) -> Callable[[Callable], Callable]:
    """Register a simpler form of rule ``name`` that holds when its inputs have
    these ranks (None: any rank). ``x @ W`` on matrices reads ``g @ W.T``, not a
    helper that inspects ranks at run time; a consumer that knows the ranks picks
    it with :meth:`Rule.for_ranks`. Same mathematics as the general rule, which
    the property tests check."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        base = RULES[name]
        special = _build_rule(name, fn, base.primals, base.broadcasts)
        if len(special.inputs) != len(base.inputs) or special.params != base.params:
            raise TypeError(
                f"specialisation of {name} must take as many inputs and the same parameters"
            )
        base.specializations[ranks] = special
        fn.rule = special  # type: ignore[attr-defined]
        return fn

    return register


def _build_rule(name: str, fn: Callable[..., Any], primals: tuple, broadcasts: bool) -> Rule:
    sig = inspect.signature(fn)
    names = list(sig.parameters)
    if names[:2] != ["g", "ans"]:
        raise TypeError(f"rule {name}: signature must start with (g, ans, ...)")
    inputs, params, defaults = [], [], {}
    variadic = None
    for pname, p in list(sig.parameters.items())[2:]:
        if pname == "xp":
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            variadic = pname
        if p.default is inspect.Parameter.empty:
            inputs.append(pname)
        else:
            params.append(pname)
            defaults[pname] = p.default
    return Rule(
        name=name,
        vjp=fn,
        inputs=tuple(inputs),
        params=tuple(params),
        defaults=defaults,
        uses_xp="xp" in sig.parameters,
        broadcasts=broadcasts,
        primals=primals,
        variadic=variadic,
    )


def register_user_rule(primal: Any, fn: Callable[..., Any]) -> Rule:
    """A rule a user registers (``@srcdiff.adjoint``): replaces any earlier one for ``primal``."""
    name = (
        f"user:{getattr(primal, '__module__', '')}.{getattr(primal, '__qualname__', repr(primal))}"
    )
    RULES.pop(name, None)
    rule = _build_rule(name, fn, (primal,), broadcasts=False)
    RULES[name] = rule
    _BY_PRIMAL[id(primal)] = rule
    _PRIMAL_KEEPALIVE.append(primal)
    return rule


def rule_for(primal: Any) -> Rule | None:
    """The rule registered for a primal callable (np.tanh, math.sin, operator.mul)."""
    return _BY_PRIMAL.get(id(primal))


def _split_rule(rule: Rule) -> list[tuple[list[ast.stmt], ast.expr | None]]:
    fdef = _definition(rule.vjp)
    body = [s for s in fdef.body if not _is_docstring(s)]
    *preamble, last = body
    if not isinstance(last, ast.Return) or last.value is None:
        raise TypeError(f"rule {rule.name}: the last statement must return the gradients")
    n = len(rule.inputs)
    value = last.value
    if n == 1:
        exprs: list[ast.expr] = [value]
    elif isinstance(value, ast.Tuple) and len(value.elts) == n:
        exprs = list(value.elts)
    else:
        raise TypeError(f"rule {rule.name}: must return a tuple of {n} gradients")
    parts: list[tuple[list[ast.stmt], ast.expr | None]] = []
    for expr in exprs:
        is_none = isinstance(expr, ast.Constant) and expr.value is None
        parts.append((preamble, None if is_none else expr))
    return parts


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _compile_part(rule: Rule, index: int) -> Callable[..., Any] | None:
    preamble, expr = rule.input_parts()[index]
    if expr is None:
        return None
    fdef = copy.copy(_definition(rule.vjp))  # shares the parts; they are not changed
    fdef.name = f"{rule.name}_vjp_{rule.inputs[index]}"
    fdef.decorator_list = []
    fdef.body = [*preamble, ast.copy_location(ast.Return(value=expr), expr)]
    module = ast.Module(body=[fdef], type_ignores=[])
    namespace: dict[str, Any] = {}
    filename = rule.vjp.__code__.co_filename
    exec(compile(module, filename, "exec"), rule.vjp.__globals__, namespace)
    return namespace[fdef.name]


def _definition(vjp: Callable[..., Any]) -> ast.FunctionDef:
    """The rule function's definition, with the lines of its file (read once:
    the parts are views into it)."""
    cached = _DEFINITIONS.get(vjp)
    if cached is None:
        fdef, _ = definition(vjp)
        assert isinstance(fdef, ast.FunctionDef)
        cached = _DEFINITIONS[vjp] = fdef
    return cached


_DEFINITIONS: dict[Callable[..., Any], ast.FunctionDef] = {}
