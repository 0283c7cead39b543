"""Pass 2: what each name and call in a function refers to.

Calls are classified once, statically, from the function's globals, closure and
builtins: a primitive with a rule in the shared table, a user function (to be
transformed too), a non-differentiable function, or unknown.
"""

from __future__ import annotations

import inspect
import math
import operator
import random
from dataclasses import dataclass
from typing import Any

import gast
import numpy as np

from srcdiff.codegen import templates as T
from srcdiff.codegen.parse import ParsedFunction
from srcdiff.rules import Rule, rule_for

# Functions whose result carries no gradient, whatever their arguments.
NON_DIFFERENTIABLE: set[Any] = {
    len, range, int, bool, isinstance, type, print, id, hash, str,
    repr, round, divmod, any, all, sorted,
    np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.argwhere, np.nonzero,
    np.zeros, np.ones, np.empty, np.full, np.zeros_like, np.ones_like, np.empty_like,
    np.full_like, np.arange, np.linspace, np.eye, np.identity, np.floor, np.ceil, np.round,
    np.rint, np.trunc, np.sign, np.isnan, np.isinf, np.isfinite, np.allclose, np.isclose,
    np.array_equal, np.any, np.all, np.count_nonzero, np.equal, np.not_equal, np.less,
    np.less_equal, np.greater, np.greater_equal, np.logical_and, np.logical_or,
    np.logical_not, np.searchsorted, np.unique, np.floor_divide,
    math.floor, math.ceil, math.isnan, math.isinf, math.isfinite, math.trunc,
    operator.floordiv, operator.mod,
}  # fmt: skip
NON_DIFFERENTIABLE_MODULES = (np.random, random)

# ndarray methods and attributes that mean a numpy function of the receiver.
ARRAY_METHODS: dict[str, Any] = {
    "sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod,
    "std": np.std, "var": np.var, "dot": np.dot, "reshape": np.reshape,
    "transpose": np.transpose, "squeeze": np.squeeze, "clip": np.clip, "ravel": np.ravel,
    "flatten": np.ravel, "cumsum": np.cumsum, "trace": np.trace, "diagonal": np.diagonal,
    "copy": np.copy, "astype": None,
}  # fmt: skip
ARRAY_ATTRIBUTES_INACTIVE = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"}
ARRAY_METHODS_INACTIVE = {"argmax", "argmin", "argsort", "nonzero", "tolist", "item", "any", "all"}


@dataclass
class CallTarget:
    """What a call refers to."""

    kind: str  # "rule", "user", "inactive", "unknown"
    value: Any = None
    rule: Rule | None = None
    xp: str = "np"  # namespace a rule body uses: "np" or "math"
    receiver: gast.expr | None = None  # for array methods: the array the method is called on


def static_value(
    expr: gast.expr, parsed: ParsedFunction, local_names: set[str]
) -> tuple[bool, Any]:
    """The value of a name or dotted name that does not depend on the function's locals."""
    if isinstance(expr, gast.Name):
        if expr.id in local_names:
            return False, None
        return parsed.lookup(expr.id)
    if isinstance(expr, gast.Attribute):
        found, base = static_value(expr.value, parsed, local_names)
        if found and hasattr(base, expr.attr):
            return True, getattr(base, expr.attr)
    return False, None


def classify_call(call: gast.Call, parsed: ParsedFunction, local_names: set[str]) -> CallTarget:
    found, value = static_value(call.func, parsed, local_names)
    if found:
        return classify_value(value)
    func = call.func
    if isinstance(func, gast.Attribute) and not _is_static(func.value, parsed, local_names):
        if func.attr in ARRAY_METHODS_INACTIVE:
            return CallTarget("inactive")
        target = ARRAY_METHODS.get(func.attr)
        if func.attr in ARRAY_METHODS and target is None:
            return CallTarget("identity", receiver=func.value)
        if target is not None:
            rule = rule_for(target)
            if rule is not None:
                return CallTarget("rule", target, rule, "np", receiver=func.value)
        return CallTarget("method", func.attr, receiver=func.value)
    return CallTarget("unknown")


def classify_value(value: Any) -> CallTarget:
    rule = rule_for(value)
    if rule is not None:
        module = getattr(value, "__module__", None)
        return CallTarget("rule", value, rule, "math" if module == "math" else "np")
    if _is_non_differentiable(value):
        return CallTarget("inactive", value)
    if value is float or value is np.asarray or value is np.array:
        return CallTarget("identity", value)
    if inspect.isfunction(value) and not _is_library(value):
        return CallTarget("user", value)
    return CallTarget("unknown", value)


def _is_non_differentiable(value: Any) -> bool:
    try:
        if value in NON_DIFFERENTIABLE:
            return True
    except TypeError:  # unhashable
        return False
    module = getattr(value, "__module__", "") or ""
    return any(module.startswith(m.__name__) for m in NON_DIFFERENTIABLE_MODULES) or (
        isinstance(value, type) and issubclass(value, np.random.Generator)
    )


def _is_library(fn: Any) -> bool:
    module = getattr(fn, "__module__", "") or ""
    return module.split(".")[0] in ("numpy", "math", "builtins", "srcdiff")


def _is_static(expr: gast.expr, parsed: ParsedFunction, local_names: set[str]) -> bool:
    return static_value(expr, parsed, local_names)[0]


def local_names(tree: gast.FunctionDef) -> set[str]:
    """Every name the function binds: parameters and assignment targets."""
    names = {a.id for a in tree.args.args + tree.args.kwonlyargs}
    if tree.args.vararg is not None:
        names.add(tree.args.vararg.id)
    for node in T.walk(tree):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Param)):
            names.add(node.id)
        elif isinstance(node, gast.FunctionDef) and node is not tree:
            names.add(node.name)
    return names
