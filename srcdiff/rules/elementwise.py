"""Elementwise rules: arithmetic and pointwise math.

Primals cover numpy ufuncs, ``math`` functions (the compiler inlines those
with ``xp=math``) and the ``operator`` functions behind ``+ - * / **``.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from srcdiff.rules.table import vjp_rule


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


@vjp_rule("neg", np.negative, operator.neg)
def neg(g, ans, x):
    return -g


@vjp_rule("square", np.square)
def square(g, ans, x):
    return g * 2.0 * x


@vjp_rule("sqrt", np.sqrt, math.sqrt)
def sqrt(g, ans, x):
    return g * 0.5 / ans


@vjp_rule("exp", np.exp, math.exp)
def exp(g, ans, x):
    return g * ans


@vjp_rule("expm1", np.expm1, math.expm1)
def expm1(g, ans, x):
    return g * (ans + 1.0)


@vjp_rule("log", np.log, math.log)
def log(g, ans, x):
    return g / x


@vjp_rule("log1p", np.log1p, math.log1p)
def log1p(g, ans, x):
    return g / (1.0 + x)


@vjp_rule("log10", np.log10, math.log10)
def log10(g, ans, x):
    return g / (x * 2.302585092994046)


@vjp_rule("sin", np.sin, math.sin)
def sin(g, ans, x, xp):
    return g * xp.cos(x)


@vjp_rule("cos", np.cos, math.cos)
def cos(g, ans, x, xp):
    return -g * xp.sin(x)


@vjp_rule("tan", np.tan, math.tan)
def tan(g, ans, x):
    return g * (1.0 + ans * ans)


@vjp_rule("tanh", np.tanh, math.tanh)
def tanh(g, ans, x):
    return g * (1.0 - ans * ans)


@vjp_rule("arctan", np.arctan, math.atan)
def arctan(g, ans, x):
    return g / (1.0 + x * x)


@vjp_rule("abs", np.abs, operator.abs)
def abs_(g, ans, x, xp):
    return g * xp.sign(x)


@vjp_rule("maximum", np.maximum, broadcasts=True)
def maximum(g, ans, x, y):
    return g * (x >= y), g * (x < y)


@vjp_rule("minimum", np.minimum, broadcasts=True)
def minimum(g, ans, x, y):
    return g * (x <= y), g * (x > y)


@vjp_rule("clip", np.clip)
def clip(g, ans, x, a_min=None, a_max=None):
    return g * (ans == x)


@vjp_rule("where", np.where, broadcasts=True)
def where(g, ans, condition, x, y, xp):
    return None, xp.where(condition, g, 0.0), xp.where(condition, 0.0, g)


@vjp_rule("logaddexp", np.logaddexp, broadcasts=True)
def logaddexp(g, ans, x, y, xp):
    return g * xp.exp(x - ans), g * xp.exp(y - ans)
