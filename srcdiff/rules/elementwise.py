"""Elementwise rules: arithmetic and pointwise math.

Primals cover numpy ufuncs, ``math`` functions (the compiler inlines those
with ``xp=math``, so a rule listing a ``math`` primal uses only functions both
namespaces have), the ``operator`` functions behind ``+ - * / ** // %`` and
the builtins ``abs``, ``min``, ``max``, ``round`` (rules without ``xp``, so they
run on Python floats and on arrays alike).
"""

from __future__ import annotations

import builtins
import math
import operator

import numpy as np

from srcdiff.rules.table import vjp_rule

# ------------------------------------------------------------------ arithmetic


@vjp_rule("add", np.add, operator.add, broadcasts=True)
def add(g, ans, x, y):
    return g, g


@vjp_rule("sub", np.subtract, operator.sub, broadcasts=True)
def sub(g, ans, x, y):
    return g, -g


@vjp_rule("mul", np.multiply, operator.mul, broadcasts=True)
def mul(g, ans, x, y):
    return g * y, g * x


@vjp_rule("div", np.divide, operator.truediv, broadcasts=True)
def div(g, ans, x, y):
    return g / y, -g * ans / y


@vjp_rule("pow", np.power, operator.pow, math.pow, broadcasts=True)
def pow_(g, ans, x, y, xp):
    return g * y * x ** (y - 1), g * ans * xp.log(x)


@vjp_rule("floor_divide", np.floor_divide, operator.floordiv, broadcasts=True)
def floor_divide(g, ans, x, y):
    """Piecewise constant: zero gradient (as PyTorch) rather than none."""
    return g * 0.0, g * 0.0


@vjp_rule("mod", np.remainder, operator.mod, broadcasts=True)
def mod(g, ans, x, y):
    return g, -g * (x // y)


@vjp_rule("neg", np.negative, operator.neg)
def neg(g, ans, x):
    return -g


@vjp_rule("pos", np.positive, operator.pos)
def pos(g, ans, x):
    return g


@vjp_rule("reciprocal", np.reciprocal)
def reciprocal(g, ans, x):
    return -g * ans * ans


@vjp_rule("square", np.square)
def square(g, ans, x):
    return g * 2.0 * x


@vjp_rule("sqrt", np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return g * 0.5 / ans


# ------------------------------------------------------------- exp and log


@vjp_rule("exp", np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@vjp_rule("exp2", np.exp2, math.exp2)
def exp2(g, ans, x):
    return g * ans * 0.6931471805599453  # ln 2


@vjp_rule("expm1", np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1.0)


@vjp_rule("log", np.log)
def log(g, ans, x):
    return g / x


@vjp_rule("math_log", math.log)
def math_log(g, ans, x, base=None, xp=math):
    """``math.log(x)`` or ``math.log(x, base)``; ``base`` is a constant (no gradient)."""
    return g / x if base is None else g / (x * xp.log(base))


@vjp_rule("log2", np.log2, math.log2)
def log2(g, ans, x):
    return g / (x * 0.6931471805599453)  # ln 2


@vjp_rule("log10", np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * 2.302585092994046)  # ln 10


@vjp_rule("log1p", np.log1p, math.log1p)
def log1p(g, ans, x):
    return g / (1.0 + x)


@vjp_rule("logaddexp", np.logaddexp, broadcasts=True)
def logaddexp(g, ans, x, y, xp):
    return g * xp.exp(x - ans), g * xp.exp(y - ans)


@vjp_rule("erf", math.erf)
def erf(g, ans, x, xp):
    return g * 1.1283791670955126 * xp.exp(-x * x)  # 2 / sqrt(pi)


# ------------------------------------------------------------ trigonometric


@vjp_rule("sin", np.sin, math.sin)
def sin(g, ans, x, xp):
    return g * xp.cos(x)


@vjp_rule("cos", np.cos, math.cos)
def cos(g, ans, x, xp):
    return -g * xp.sin(x)


@vjp_rule("tan", np.tan, math.tan)
def tan(g, ans, x):
    return g * (1.0 + ans * ans)


@vjp_rule("arcsin", np.arcsin, math.asin)
def arcsin(g, ans, x, xp):
    return g / xp.sqrt(1.0 - x * x)


@vjp_rule("arccos", np.arccos, math.acos)
def arccos(g, ans, x, xp):
    return -g / xp.sqrt(1.0 - x * x)


@vjp_rule("arctan", np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1.0 + x * x)


@vjp_rule("arctan2", np.arctan2, math.atan2, broadcasts=True)
def arctan2(g, ans, x1, x2):
    """``arctan2(x1, x2)``: the angle of the point (x2, x1); ``math.atan2(y, x)`` alike."""
    r2 = x1 * x1 + x2 * x2
    return g * x2 / r2, -g * x1 / r2


@vjp_rule("hypot", np.hypot, math.hypot, broadcasts=True)
def hypot(g, ans, x1, x2):
    """Two-argument ``hypot``; ``math.hypot`` with other argument counts has no rule."""
    return g * x1 / ans, g * x2 / ans


# --------------------------------------------------------------- hyperbolic


@vjp_rule("sinh", np.sinh, math.sinh)
def sinh(g, ans, x, xp):
    return g * xp.cosh(x)


@vjp_rule("cosh", np.cosh, math.cosh)
def cosh(g, ans, x, xp):
    return g * xp.sinh(x)


@vjp_rule("tanh", np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1.0 - ans * ans)


@vjp_rule("arcsinh", np.arcsinh, math.asinh)
def arcsinh(g, ans, x, xp):
    return g / xp.sqrt(x * x + 1.0)


@vjp_rule("arccosh", np.arccosh, math.acosh)
def arccosh(g, ans, x, xp):
    return g / xp.sqrt(x * x - 1.0)


@vjp_rule("arctanh", np.arctanh, math.atanh)
def arctanh(g, ans, x):
    return g / (1.0 - x * x)


# ------------------------------------------------- kinks, selections, steps


@vjp_rule("abs", np.abs, operator.abs, builtins.abs, math.fabs)
def abs_(g, ans, x):
    """Gradient 0 at 0, as PyTorch; no ``xp`` so Python floats stay floats."""
    return g * (x > 0) - g * (x < 0)


@vjp_rule("maximum", np.maximum, builtins.max, broadcasts=True)
def maximum(g, ans, x, y):
    """Ties go to ``x``, as ``max(x, y)`` returns ``x`` then; builtin max of two values only."""
    return g * (x >= y), g * (x < y)


@vjp_rule("minimum", np.minimum, builtins.min, broadcasts=True)
def minimum(g, ans, x, y):
    """Ties go to ``x``, as ``min(x, y)`` returns ``x`` then; builtin min of two values only."""
    return g * (x <= y), g * (x > y)


@vjp_rule("clip", np.clip)
def clip(g, ans, x, a_min=None, a_max=None):
    """The bounds are constants (no gradient); inside or on a bound the gradient passes."""
    return g * (ans == x)


@vjp_rule("where", np.where, broadcasts=True)
def where(g, ans, condition, x, y, xp):
    return None, xp.where(condition, g, 0.0), xp.where(condition, 0.0, g)


@vjp_rule(
    "piecewise_constant",
    np.sign,
    np.floor,
    np.ceil,
    np.trunc,
    np.rint,
    math.floor,
    math.ceil,
    math.trunc,
)
def piecewise_constant(g, ans, x):
    """Steps (sign, floor, ceil, trunc, rint): zero gradient, as PyTorch, rather than none."""
    return g * 0.0


@vjp_rule("round", np.round, np.around, builtins.round)
def round_(g, ans, x, decimals=0):
    """Zero gradient, as PyTorch; ``decimals`` mirrors ``ndigits`` of builtin round."""
    return g * 0.0
