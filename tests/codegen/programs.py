"""Hypothesis strategies that write random differentiable Python programs.

A program is generated twice at once, as two source texts with the same
semantics:

- the *plain* text is what srcdiff compiles: ordinary numpy/math code;
- the *probe* text routes every kink and every data-dependent decision
  (comparisons, abs, maximum, clip, max reductions, std, norm, boolean masks)
  through a :class:`Probe`, which records the decision taken and its margin
  (how far the value is from flipping it).

The fuzz test runs the probe text to reject programs that sit within 1e-3 of a
kink or a branch flip at their inputs, and, during finite differences, rejects
programs whose decisions change under the perturbation.  What is left is
smooth where it is evaluated, so finite differences are a valid oracle.

Grammar (straight-line): assignments of random compositions of the supported
primitives on a Python float ``x`` and two small arrays ``A``, ``B`` with
random shapes (so operands broadcast), then ``return`` of a scalar.
Control flow adds: if/elif/else on data and on ints, conditional
expressions, and/or/not, chained comparisons, ``for`` over ``range`` in
several forms, ``while`` with a bounded counter and a data condition,
break/continue, early return, subscript writes (``=``, ``+=``, ``-=``,
``*=``, slices, fancy and boolean-mask indices), and list append/sum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from hypothesis import strategies as st

Shape = tuple[int, ...]
CONSTANTS = (0.5, 1.5, -0.7, 2.0, 0.3, -1.2)


# --- the probe: records decisions and margins ------------------------------------


class Probe:
    """Stands in for kinks and comparisons in the probe text."""

    def __init__(self) -> None:
        self.trace: list[Any] = []
        self.margin = math.inf

    def _note(self, gap: float, decision: Any) -> None:
        self.margin = min(self.margin, float(gap))
        self.trace.append(decision)

    def gt(self, a: Any, b: Any) -> bool:
        d = float(a) - float(b)
        self._note(abs(d), d > 0)
        return d > 0

    def lt(self, a: Any, b: Any) -> bool:
        return self.gt(b, a)

    def gt_arr(self, a: Any, b: Any) -> Any:
        d = np.asarray(a - b, dtype=float)
        self._note(np.min(np.abs(d)) if d.size else math.inf, tuple((d > 0).ravel()))
        return a > b

    def abs(self, v: Any) -> Any:
        self.gt_arr(v, 0.0)
        return np.abs(v)

    def maximum(self, a: Any, b: Any) -> Any:
        self.gt_arr(a, b)
        return np.maximum(a, b)

    def minimum(self, a: Any, b: Any) -> Any:
        self.gt_arr(a, b)
        return np.minimum(a, b)

    def clip(self, v: Any, lo: float, hi: float) -> Any:
        self.gt_arr(v, lo)
        self.gt_arr(v, hi)
        return np.clip(v, lo, hi)

    def _top_two_gap(self, v: Any, axis: Any) -> None:
        v = np.asarray(v, dtype=float)
        flat = v.reshape(-1) if axis is None else np.moveaxis(v, axis, -1)
        if flat.shape[-1] < 2:
            return
        top = np.sort(flat, axis=-1)
        self._note(np.min(top[..., -1] - top[..., -2]), tuple(np.argmax(flat, -1).ravel()))

    def max(self, v: Any, axis: Any = None, keepdims: bool = False) -> Any:
        self._top_two_gap(v, axis)
        return np.max(v, axis=axis, keepdims=keepdims)

    def min(self, v: Any, axis: Any = None, keepdims: bool = False) -> Any:
        self._top_two_gap(-np.asarray(v), axis)
        return np.min(v, axis=axis, keepdims=keepdims)

    def std(self, v: Any, axis: Any = None) -> Any:
        self._note(np.min(np.var(v, axis=axis)), True)  # sqrt kink at zero variance
        return np.std(v, axis=axis)

    def var(self, v: Any, axis: Any = None) -> Any:
        self._note(np.min(np.var(v, axis=axis)), True)  # keeps std's kink out too
        return np.var(v, axis=axis)

    def norm(self, v: Any) -> Any:
        n = np.linalg.norm(v)
        self._note(n, True)  # kink at the origin
        return n

    def fabs(self, a: float) -> float:
        self.gt(a, 0.0)
        return abs(a)

    def fmax(self, a: float, b: float) -> float:
        self.gt(a, b)
        return max(a, b)

    def fmin(self, a: float, b: float) -> float:
        self.gt(a, b)
        return min(a, b)


# --- drawing choices cheaply ---------------------------------------------------
# One cached strategy per integer range: building a fresh strategy object for every
# choice made generation several times slower than checking the program.


@cache
def ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


def pick(draw: Any, options: Any) -> Any:
    options = list(options)
    return options[draw(ints(0, len(options) - 1))]


def coin(draw: Any) -> bool:
    return bool(draw(ints(0, 1)))


def shuffled(draw: Any, items: Any) -> list[Any]:
    rest, out = list(items), []
    while rest:
        out.append(rest.pop(draw(ints(0, len(rest) - 1))))
    return out


# --- expressions --------------------------------------------------------------


@dataclass(frozen=True)
class E:
    """An expression in both texts.  ``shape`` is None for a Python float."""

    shape: Shape | None
    plain: str
    probe: str
    view: bool = False  # may share memory with a variable


def fmt(template: str, *parts: E, shape: Shape | None, view: bool = False) -> E:
    """Fill ``template`` ({0}, {1}, ...) in both texts."""
    plain = template.format(*(p.plain for p in parts))
    probe = template.format(*(p.probe for p in parts))
    return E(shape, plain, probe, view)


def fmt2(plain_t: str, probe_t: str, *parts: E, shape: Shape | None) -> E:
    """Different templates for the two texts (kinks and decisions)."""
    return E(
        shape,
        plain_t.format(*(p.plain for p in parts)),
        probe_t.format(*(p.probe for p in parts)),
    )


@dataclass
class Ctx:
    floats: list[str]  # Python float variables
    arrays: dict[str, Shape]  # readable array variables
    owned: list[str]  # array variables the program may write into
    mode: str  # "straight" or "control"
    ints: dict[str, int] = field(default_factory=dict)  # int variables and their values
    loop_vars: list[tuple[str, int]] = field(default_factory=list)  # (name, exclusive bound)
    counter: int = 0
    in_loop: bool = False

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}{self.counter}"


def broadcast_shape(a: Shape, b: Shape) -> Shape | None:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        return None


def fits_into(small: Shape, big: Shape) -> bool:
    """``small`` broadcasts to exactly ``big``."""
    return broadcast_shape(small, big) == big


def sub_shape(draw: Any, shape: Shape) -> Shape:
    """A shape that broadcasts to ``shape``: leading dims dropped, some set to 1."""
    keep = draw(ints(0, len(shape)))
    tail = shape[len(shape) - keep :]
    return tuple(d if coin(draw) else 1 for d in tail)


def small_shape(draw: Any, max_ndim: int = 2) -> Shape:
    ndim = draw(ints(1, max_ndim))
    return tuple(draw(ints(1, 3)) for _ in range(ndim))


def _const(draw: Any) -> E:
    c = pick(draw, CONSTANTS)
    text = f"({c!r})" if c < 0 else repr(c)  # so `c ** 2` means (c) ** 2
    return E((), text, text)


# array expressions of an exact shape


def arr_expr(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E:
    kinds = ["leaf"]
    if depth > 0:
        kinds += ["unary", "binary", "reduce", "kink", "matmul", "index", "where"]
        kinds += ["join", "reshape_like"]
        if ctx.mode == "control" and depth > 1:
            kinds.append("ifexp")
    kind = pick(draw, kinds)
    builder = BUILDERS[kind]
    out = builder(draw, ctx, shape, depth)
    if out is None:
        out = leaf(draw, ctx, shape)
    assert out.shape == shape, (kind, out, shape)
    return out


def leaf(draw: Any, ctx: Ctx, shape: Shape, depth: int = 0) -> E:
    # Mostly a variable of the exact shape, so values flow from the inputs.
    exact = [E(shape, n, n, view=True) for n, s in ctx.arrays.items() if s == shape]
    if shape == ():
        exact += [E((), n, n) for n in ctx.floats]
    if exact and draw(ints(0, 3)) > 0:
        return pick(draw, exact)
    options = list(exact)
    if shape == ():
        options += [E((), f"({n} * 0.5)", f"({n} * 0.5)") for n, _ in ctx.loop_vars]
    for n, s in ctx.arrays.items():
        if (
            s != shape
            and len(s) == len(shape)
            and all(a >= b for a, b in zip(s, shape, strict=True))
        ):
            window = f"{n}[{', '.join(f':{b}' for b in shape)}]"
            options += [E(shape, window, window, view=True)] * 2
        if shape == ():
            total = f"np.sum({n})"
            options.append(E((), total, total))
        if s != shape and fits_into(s, shape) and shape != ():
            padded = f"({n} + np.zeros({shape!r}))"
            options.append(E(shape, padded, padded))
            spread = f"np.broadcast_to({n}, {shape!r})"
            options.append(E(shape, spread, spread, view=True))
    if shape != ():
        for n in ctx.floats:
            filled = f"({n} * np.ones({shape!r}))"
            options.append(E(shape, filled, filled))
    if not options:
        c = pick(draw, CONSTANTS)
        text = f"({c!r})" if shape == () else f"np.full({shape!r}, {c!r})"
        return E(shape, text, text)
    return pick(draw, options)


UNARY = [
    "np.sin({0})",
    "np.cos({0})",
    "np.tanh({0})",
    "np.arctan({0})",
    "np.exp(0.5 * {0})",
    "np.log(1.0 + {0} * {0})",
    "np.log1p({0} ** 2)",
    "np.sqrt({0} ** 2 + 0.5)",
    "np.square({0})",
    "(({0}) ** 2)",
    "(({0}) ** 3)",
    "np.power({0}, 2)",
    "np.expm1(0.3 * {0})",
    "np.tan(0.5 * np.tanh({0}))",
    "(-{0})",
    "np.log(np.exp({0}) + 1.0)",
    "(2.0 * {0} - 1.0)",
]
BINARY = [
    "({0} + {1})",
    "({0} - {1})",
    "({0} * {1})",
    "({0} / ({1} ** 2 + 1.0))",
    "np.logaddexp({0}, {1})",
    "np.add({0}, {1})",
    "np.multiply({0}, {1})",
    "np.subtract({0}, {1})",
]


def unary(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E:
    inner = arr_expr(draw, ctx, shape, depth - 1)
    return fmt(pick(draw, UNARY), inner, shape=shape)


def binary(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E:
    sa = sub_shape(draw, shape)
    sb = sub_shape(draw, shape)
    if broadcast_shape(sa, sb) != shape:
        sb = shape
    a = arr_expr(draw, ctx, sa, depth - 1)
    b = arr_expr(draw, ctx, sb, depth - 1)
    return fmt(pick(draw, BINARY), a, b, shape=shape)


def kink(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E:
    which = pick(draw, ["abs", "maximum", "minimum", "clip"])
    if which in ("abs", "clip"):
        v = arr_expr(draw, ctx, shape, depth - 1)
        if which == "abs":
            return fmt2("np.abs({0})", "_P.abs({0})", v, shape=shape)
        return fmt2("np.clip({0}, -0.5, 0.5)", "_P.clip({0}, -0.5, 0.5)", v, shape=shape)
    sa = sub_shape(draw, shape)
    a = arr_expr(draw, ctx, sa, depth - 1)
    b = arr_expr(draw, ctx, shape, depth - 1)
    return fmt2(f"np.{which}({{0}}, {{1}})", f"_P.{which}({{0}}, {{1}})", a, b, shape=shape)


def reduce_(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E | None:
    if shape == () and coin(draw):
        return full_reduction(draw, ctx, depth)
    pos = draw(ints(0, len(shape)))
    k = draw(ints(1, 3))
    keep = coin(draw) and 1 in shape
    if keep:
        pos = shape.index(1)
        src = shape[:pos] + (k,) + shape[pos + 1 :]
    else:
        src = shape[:pos] + (k,) + shape[pos:]
    if len(src) > 3:
        return None
    v = arr_expr(draw, ctx, src, depth - 1)
    axis = pos - len(src) if coin(draw) else pos
    kd = ", keepdims=True" if keep else ""
    fn = pick(draw, ["sum", "mean", "prod", "max", "min", "sum_method"])
    if fn == "sum_method":
        return fmt(f"{{0}}.sum(axis={axis}{kd})", v, shape=shape)
    if fn in ("max", "min"):
        return fmt2(
            f"np.{fn}({{0}}, axis={axis}{kd})", f"_P.{fn}({{0}}, axis={axis}{kd})", v, shape=shape
        )
    return fmt(f"np.{fn}({{0}}, axis={axis}{kd})", v, shape=shape)


def full_reduction(draw: Any, ctx: Ctx, depth: int) -> E:
    src = small_shape(draw)
    v = arr_expr(draw, ctx, src, depth - 1)
    fn = pick(draw, ["sum", "mean", "prod", "max", "min", "std", "var", "norm", "mth"])
    if fn in ("max", "min"):
        return fmt2(f"np.{fn}({{0}})", f"_P.{fn}({{0}})", v, shape=())
    if fn in ("std", "var"):
        return fmt2(f"np.{fn}({{0}})", f"_P.{fn}({{0}})", v, shape=())
    if fn == "norm":
        return fmt2("np.linalg.norm({0})", "_P.norm({0})", v, shape=())
    if fn == "mth":
        return fmt("{0}.mean()", v, shape=())
    return fmt(f"np.{fn}({{0}})", v, shape=())


def matmul(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E | None:
    if len(shape) > 2:
        return None
    k = draw(ints(1, 3))
    if len(shape) == 2 and coin(draw) and coin(draw):
        a = arr_expr(draw, ctx, shape[:1], depth - 1)
        b = arr_expr(draw, ctx, shape[1:], depth - 1)
        return fmt("np.outer({0}, {1})", a, b, shape=shape)
    if len(shape) == 2:
        sa, sb, spec = (shape[0], k), (k, shape[1]), "ij,jk->ik"
    elif len(shape) == 1 and coin(draw):
        sa, sb, spec = (shape[0], k), (k,), "ij,j->i"
    elif len(shape) == 1:
        sa, sb, spec = (k,), (k, shape[0]), "i,ij->j"
    else:
        sa, sb, spec = (k,), (k,), "i,i->"
    a = arr_expr(draw, ctx, sa, depth - 1)
    b = arr_expr(draw, ctx, sb, depth - 1)
    form = pick(draw, (["({0} @ {1})", "np.dot({0}, {1})", "np.matmul({0}, {1})", "es"]))
    if form == "es":
        form = f"np.einsum({spec!r}, {{0}}, {{1}})"
    if form.startswith("np.matmul") and len(shape) == 0:
        form = "({0} @ {1})"
    return fmt(form, a, b, shape=shape)


def index(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E | None:
    how = pick(draw, ["int", "slice", "reverse", "fancy", "column", "mask", "pair"])
    if how == "int" and len(shape) < 3:
        m = draw(ints(1, 3))
        i = draw(ints(-m, m - 1))
        v = arr_expr(draw, ctx, (m, *shape), depth - 1)
        return fmt(f"{{0}}[{i}]", v, shape=shape, view=True)
    if how in ("slice", "reverse") and shape:
        grow = how == "slice"
        v = arr_expr(draw, ctx, (shape[0] + grow, *shape[1:]), depth - 1)
        sl = pick(draw, ["[1:]", "[:-1]"]) if grow else "[::-1]"
        return fmt("{0}" + sl, v, shape=shape, view=True)
    if how == "fancy" and shape and len(shape) < 3:
        m = draw(ints(1, 3))
        idx = [draw(ints(0, m - 1)) for _ in range(shape[0])]
        v = arr_expr(draw, ctx, (m, *shape[1:]), depth - 1)
        return fmt(f"{{0}}[{idx!r}]", v, shape=shape)
    if how == "column" and len(shape) == 1:
        n = draw(ints(1, 3))
        j = draw(ints(0, n - 1))
        v = arr_expr(draw, ctx, (shape[0], n), depth - 1)
        return fmt(f"{{0}}[:, {j}]", v, shape=shape, view=True)
    if how == "mask" and len(shape) == 1:
        extra = draw(ints(0, 2))
        mask = [True] * shape[0] + [False] * extra
        mask = shuffled(draw, mask)
        v = arr_expr(draw, ctx, (len(mask),), depth - 1)
        return fmt(f"{{0}}[np.array({list(mask)!r})]", v, shape=shape)
    if how == "pair" and shape == ():
        m, n = draw(ints(1, 3)), draw(ints(1, 3))
        i, j = draw(ints(0, m - 1)), draw(ints(0, n - 1))
        v = arr_expr(draw, ctx, (m, n), depth - 1)
        return fmt(f"{{0}}[{i}, {j}]", v, shape=())
    return None


def where(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E:
    c = arr_expr(draw, ctx, shape, depth - 1)
    a = arr_expr(draw, ctx, shape, depth - 1)
    b = arr_expr(draw, ctx, sub_shape(draw, shape), depth - 1)
    t = pick(draw, CONSTANTS)
    return fmt2(
        f"np.where({{0}} > {t}, {{1}}, {{2}})",
        f"np.where(_P.gt_arr({{0}}, {t}), {{1}}, {{2}})",
        c,
        a,
        b,
        shape=shape,
    )


def join(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E | None:
    if not shape:
        return None
    how = pick(draw, ["concat0", "concat1", "stack0", "stack_last"])
    if how == "concat0" and shape[0] >= 2:
        m1 = draw(ints(1, shape[0] - 1))
        a = arr_expr(draw, ctx, (m1, *shape[1:]), depth - 1)
        b = arr_expr(draw, ctx, (shape[0] - m1, *shape[1:]), depth - 1)
        return fmt("np.concatenate([{0}, {1}], axis=0)", a, b, shape=shape)
    if how == "concat1" and len(shape) == 2 and shape[1] >= 2:
        n1 = draw(ints(1, shape[1] - 1))
        a = arr_expr(draw, ctx, (shape[0], n1), depth - 1)
        b = arr_expr(draw, ctx, (shape[0], shape[1] - n1), depth - 1)
        return fmt("np.concatenate(({0}, {1}), axis=1)", a, b, shape=shape)
    if how == "stack0" and len(shape) <= 3:
        parts = [arr_expr(draw, ctx, shape[1:], depth - 1) for _ in range(shape[0])]
        return fmt(
            "np.stack([" + ", ".join(f"{{{i}}}" for i in range(shape[0])) + "])",
            *parts,
            shape=shape,
        )
    if how == "stack_last" and len(shape) >= 2:
        parts = [arr_expr(draw, ctx, shape[:-1], depth - 1) for _ in range(shape[-1])]
        body = ", ".join(f"{{{i}}}" for i in range(shape[-1]))
        return fmt(f"np.stack([{body}], axis=-1)", *parts, shape=shape)
    return None


def reshape_like(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E | None:
    how = pick(draw, ["T", "transpose", "reshape", "expand", "squeeze", "bcast"])
    if how in ("T", "transpose") and len(shape) == 2:
        v = arr_expr(draw, ctx, shape[::-1], depth - 1)
        text = "{0}.T" if how == "T" else "np.transpose({0})"
        return fmt(text, v, shape=shape, view=True)
    if how == "reshape" and shape:
        size = int(np.prod(shape))
        src = pick(draw, ([(size,), shape[::-1], (1, size)]))
        v = arr_expr(draw, ctx, src, depth - 1)
        text = f"{{0}}.reshape({shape!r})" if coin(draw) else f"np.reshape({{0}}, {shape!r})"
        return fmt(text, v, shape=shape, view=True)
    if how == "expand" and 1 in shape:
        p = shape.index(1)
        v = arr_expr(draw, ctx, shape[:p] + shape[p + 1 :], depth - 1)
        return fmt(f"np.expand_dims({{0}}, {p})", v, shape=shape, view=True)
    if how == "squeeze" and len(shape) < 3:
        p = draw(ints(0, len(shape)))
        v = arr_expr(draw, ctx, shape[:p] + (1,) + shape[p:], depth - 1)
        return fmt(f"np.squeeze({{0}}, axis={p})", v, shape=shape, view=True)
    if how == "bcast" and shape:
        v = arr_expr(draw, ctx, sub_shape(draw, shape), depth - 1)
        return fmt(f"np.broadcast_to({{0}}, {shape!r})", v, shape=shape, view=True)
    return None


def ifexp(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E:
    cond = condition(draw, ctx, depth - 1)
    a = arr_expr(draw, ctx, shape, depth - 1)
    b = arr_expr(draw, ctx, shape, depth - 1)
    return fmt("({1} if {0} else {2})", cond, a, b, shape=shape)


BUILDERS = {
    "leaf": leaf,
    "unary": unary,
    "binary": binary,
    "reduce": reduce_,
    "kink": kink,
    "matmul": matmul,
    "index": index,
    "where": where,
    "join": join,
    "reshape_like": reshape_like,
    "ifexp": ifexp,
}


# Python-float expressions (math module)

MATH_UNARY = [
    "math.sin({0})",
    "math.cos({0})",
    "math.tanh({0})",
    "math.atan({0})",
    "math.exp(0.5 * {0})",
    "math.log(1.0 + {0} * {0})",
    "math.log10(1.0 + {0} ** 2)",
    "math.sqrt({0} * {0} + 1.0)",
    "math.erf({0})",
    "math.pow({0}, 2)",
    "math.hypot({0}, 1.0)",
    "math.atan2({0}, 2.0)",
    "math.tan(0.5 * math.tanh({0}))",
    "(-{0})",
    "(({0}) ** 2)",
]
MATH_BINARY = ["({0} + {1})", "({0} - {1})", "({0} * {1})", "({0} / ({1} ** 2 + 1.0))"]


def float_expr(draw: Any, ctx: Ctx, depth: int) -> E:
    kinds = ["leaf", "unary", "binary", "kink"] if depth > 0 else ["leaf"]
    kind = pick(draw, kinds)
    if kind == "leaf":
        names = [*ctx.floats, *(f"({n} * 0.5)" for n, _ in ctx.loop_vars)]
        if names and draw(ints(0, 3)) > 0:
            n = pick(draw, names)
            return E(None, n, n)
        return _const(draw)
    if kind == "unary":
        inner = float_expr(draw, ctx, depth - 1)
        return fmt(pick(draw, MATH_UNARY), inner, shape=None)
    a = float_expr(draw, ctx, depth - 1)
    b = float_expr(draw, ctx, depth - 1)
    if kind == "binary":
        return fmt(pick(draw, MATH_BINARY), a, b, shape=None)
    which = pick(draw, ["abs", "max", "min"])
    if which == "abs":
        return fmt2("abs({0})", "_P.fabs({0})", a, shape=None)
    return fmt2(f"{which}({{0}}, {{1}})", f"_P.f{which}({{0}}, {{1}})", a, b, shape=None)


# --- conditions -----------------------------------------------------------------


def condition(draw: Any, ctx: Ctx, depth: int) -> E:
    kinds = ["data_sum", "data_float"]
    if ctx.loop_vars or ctx.ints:
        kinds.append("int")
    if depth > 0:
        kinds += ["and", "or", "not", "chained"]
    kind = pick(draw, kinds)
    t = pick(draw, CONSTANTS)
    if kind == "data_sum":
        name = pick(draw, sorted(ctx.arrays))
        v = arr_expr(draw, ctx, ctx.arrays[name], min(depth, 1))
        op = pick(draw, [">", "<"])
        probe = "_P.gt" if op == ">" else "_P.lt"
        return fmt2(f"np.sum({{0}}) {op} {t}", f"{probe}(np.sum({{0}}), {t})", v, shape=None)
    if kind == "data_float":
        v = float_expr(draw, ctx, min(depth, 1))
        return fmt2(f"{{0}} > {t}", f"_P.gt({{0}}, {t})", v, shape=None)
    if kind == "int":
        names = [n for n, _ in ctx.loop_vars] + list(ctx.ints)
        n = pick(draw, names)
        text = pick(draw, [f"{n} % 2 == 0", f"{n} > 1", f"{n} == 0"])
        return E(None, text, text)
    if kind == "chained":
        v = float_expr(draw, ctx, 1)
        lo = pick(draw, [-1.0, -0.2, 0.1])
        hi = lo + pick(draw, [0.5, 1.0, 2.0])
        return fmt2(
            f"{lo} < {{0}} < {hi}", f"(_P.lt({lo}, {{0}}) and _P.lt({{0}}, {hi}))", v, shape=None
        )
    a = condition(draw, ctx, depth - 1)
    if kind == "not":
        return fmt("(not {0})", a, shape=None)
    b = condition(draw, ctx, depth - 1)
    return fmt(f"({{0}} {kind} {{1}})", a, b, shape=None)


# --- statements -------------------------------------------------------------------

Line = tuple[int, str, str]  # (indent level, plain, probe)


def line(indent: int, e: E) -> Line:
    return (indent, e.plain, e.probe)


def fresh_value(e: E) -> E:
    """An expression that owns its memory (no view of another variable), so later
    subscript writes cannot reach through an alias."""
    return fmt("(({0}) * 1.0)", e, shape=e.shape) if e.view else e


def scalar_result(draw: Any, ctx: Ctx) -> E:
    """The return value: a scalar that reads every variable the program assigns,
    so every statement can matter to the gradient."""
    terms = []
    for name in ctx.floats:
        if name != "x" or ctx.mode == "control":
            terms.append(E(None, name, name))
    for name, shape in ctx.arrays.items():
        if name in ctx.owned or (ctx.mode == "straight" and name not in ("A", "B")):
            v = arr_expr(draw, ctx, shape, 1) if coin(draw) else E(shape, name, name)
            terms.append(fmt("np.sum({0})", v, shape=()))
    if not terms or coin(draw):
        terms.append(float_expr(draw, ctx, 1))
    return fmt(" + ".join(f"{{{i}}}" for i in range(len(terms))), *terms, shape=())


def assign(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    if ctx.floats and draw(ints(0, 3)) == 0:
        target = pick(draw, ctx.floats)
        v = float_expr(draw, ctx, depth)
        op = pick(draw, ["=", "+=", "*="]) if ctx.mode == "control" else "="
        if op == "*=":
            v = fmt("math.tanh({0})", v, shape=None)
        return [line(indent, fmt(f"{target} {op} {{0}}", v, shape=None))]
    target = pick(draw, ctx.owned)
    shape = ctx.arrays[target]
    v = arr_expr(draw, ctx, shape, depth)
    op = pick(draw, ["=", "=", "+=", "-=", "*="]) if ctx.mode == "control" else "="
    if op == "*=":
        v = fmt("np.tanh({0})", v, shape=shape)
    if op == "=":
        v = fresh_value(v)
    return [line(indent, fmt(f"{target} {op} {{0}}", v, shape=None))]


def subscript_write(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    target = pick(draw, ctx.owned)
    shape = ctx.arrays[target]
    op = pick(draw, ["=", "+=", "-=", "*="])
    how = pick(draw, ["int", "loopvar", "slice", "fancy", "column", "pair", "mask"])
    loop_ok = [n for n, bound in ctx.loop_vars if bound <= shape[0]]
    if how == "loopvar" and loop_ok:
        key, sub = pick(draw, loop_ok), shape[1:]
    elif how == "slice" and shape[0] >= 2:
        lo = draw(ints(0, shape[0] - 2))
        hi = draw(ints(lo + 1, shape[0]))
        key, sub = f"{lo}:{hi}", (hi - lo, *shape[1:])
    elif how == "fancy":
        idx = shuffled(draw, range(shape[0]))[: draw(ints(1, shape[0]))]
        key, sub = repr(list(idx)), (len(idx), *shape[1:])
    elif how == "column" and len(shape) == 2:
        key, sub = f":, {draw(ints(0, shape[1] - 1))}", shape[:1]
    elif how == "pair" and len(shape) == 2:
        i, j = draw(ints(0, shape[0] - 1)), draw(ints(0, shape[1] - 1))
        key, sub = f"{i}, {j}", ()
    elif how == "mask":
        t = pick(draw, CONSTANTS)
        value = pick(draw, ["0.0", "1.0"])
        return [
            (
                indent,
                f"{target}[{target} > {t}] = {value}",
                f"{target}[_P.gt_arr({target}, {t})] = {value}",
            )
        ]
    else:
        key, sub = repr(draw(ints(-shape[0], shape[0] - 1))), shape[1:]
    value_shape = sub_shape(draw, sub) if coin(draw) else sub
    v = arr_expr(draw, ctx, value_shape, depth)
    if op == "*=":
        v = fmt("np.tanh({0})", v, shape=value_shape)
    return [line(indent, fmt(f"{target}[{key}] {op} {{0}}", v, shape=None))]


def if_stmt(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    out = [line(indent, fmt("if {0}:", condition(draw, ctx, 1), shape=None))]
    out += block(draw, ctx, indent + 1, depth - 1)
    if coin(draw):
        out.append(line(indent, fmt("elif {0}:", condition(draw, ctx, 1), shape=None)))
        out += block(draw, ctx, indent + 1, depth - 1)
    if coin(draw):
        out.append((indent, "else:", "else:"))
        out += block(draw, ctx, indent + 1, depth - 1)
    return out


def range_header(draw: Any, ctx: Ctx) -> tuple[str, int]:
    """A ``range(...)`` expression and the exclusive bound of the values it yields."""
    bounds = [(str(k), k) for k in (1, 2, 3, 4)]
    bounds += [(n, v) for n, v in ctx.ints.items()]
    bounds += [(f"{n}.shape[0]", s[0]) for n, s in ctx.arrays.items()]
    bounds += [(f"len({n})", s[0]) for n, s in ctx.arrays.items()]
    text, bound = pick(draw, bounds)
    form = pick(draw, (["range({0})", "range(1, {0})", "range({0} - 1, -1, -1)", "rev"]))
    if form == "rev":
        form = "reversed(range({0}))"
    return form.format(text), bound


def for_stmt(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    var = ctx.fresh("i")
    header, bound = range_header(draw, ctx)
    out: list[Line] = [(indent, f"for {var} in {header}:", f"for {var} in {header}:")]
    ctx.loop_vars.append((var, bound))
    was_in_loop, ctx.in_loop = ctx.in_loop, True
    try:
        out += block(draw, ctx, indent + 1, depth - 1)
    finally:
        ctx.loop_vars.pop()
        ctx.in_loop = was_in_loop
    return out


def while_stmt(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    var = ctx.fresh("j")
    limit = draw(ints(1, 5))
    out: list[Line] = [(indent, f"{var} = 0", f"{var} = 0")]
    if coin(draw):
        cond = condition(draw, ctx, 0)
        out.append(line(indent, fmt(f"while {var} < {limit} and {{0}}:", cond, shape=None)))
    else:
        out.append((indent, f"while {var} < {limit}:", f"while {var} < {limit}:"))
    # The counter moves first, so a `continue` below cannot loop forever.
    out.append((indent + 1, f"{var} += 1", f"{var} += 1"))
    ctx.loop_vars.append((var, limit + 1))
    was_in_loop, ctx.in_loop = ctx.in_loop, True
    try:
        out += block(draw, ctx, indent + 1, depth - 1)
    finally:
        ctx.loop_vars.pop()
        ctx.in_loop = was_in_loop
    if draw(ints(0, 3)) == 0:
        out.append((indent, "else:", "else:"))
        out += block(draw, ctx, indent + 1, depth - 1)
    return out


def jump(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    """``if cond: break/continue/return`` (break/continue only inside loops)."""
    kinds = ["return"] + (["break", "continue"] if ctx.in_loop else [])
    kind = pick(draw, kinds)
    out = [line(indent, fmt("if {0}:", condition(draw, ctx, 1), shape=None))]
    if kind == "return":
        out.append(line(indent + 1, fmt("return {0}", scalar_result(draw, ctx), shape=None)))
    else:
        out.append((indent + 1, kind, kind))
    return out


def list_loop(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    """A list filled by ``append`` in a loop, then summed or indexed into a variable."""
    name = ctx.fresh("items")
    target = pick(draw, ctx.owned)
    shape = ctx.arrays[target]
    loop = for_stmt(draw, ctx, indent, depth)
    value = fresh_value(arr_expr(draw, ctx, shape, 1))
    loop.insert(1, line(indent + 1, fmt(f"{name}.append({{0}})", value, shape=None)))
    out: list[Line] = [(indent, f"{name} = []", f"{name} = []"), *loop]
    if coin(draw):
        out.append(
            (
                indent,
                f"{target} = {target} * 0.5 + sum({name})",
                f"{target} = {target} * 0.5 + sum({name})",
            )
        )
    else:
        out.append((indent, f"if len({name}) > 0:", f"if len({name}) > 0:"))
        text = f"{target} = {target} + {name}[-1] * {name}[0]"
        out.append((indent + 1, text, text))
    return out


def statement(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    kinds = ["assign", "write"]
    if depth > 0:
        kinds += ["if", "for", "while", "jump", "list"]
    elif ctx.in_loop or coin(draw):
        kinds.append("jump")
    kind = pick(draw, kinds)
    if kind in ("assign", "write"):  # simple statements: the depth is the expression's
        return SIMPLE[kind](draw, ctx, indent, 2)
    return COMPOUND[kind](draw, ctx, indent, depth)


SIMPLE = {"assign": assign, "write": subscript_write}
COMPOUND = {
    "if": if_stmt,
    "for": for_stmt,
    "while": while_stmt,
    "jump": jump,
    "list": list_loop,
}


def block(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    out: list[Line] = []
    for _ in range(draw(ints(1, 3))):
        out += statement(draw, ctx, indent, depth)
    return out


# --- whole programs ---------------------------------------------------------------


@dataclass
class Program:
    plain: str  # module source srcdiff compiles
    probe: str  # same semantics, decisions routed through _P
    args: tuple
    wrt: Any
    name: str = "program"  # regression tests are named


def render(lines: list[Line], params: str, which: int) -> str:
    head = "import math\n\nimport numpy as np\n\n\n"
    body = "\n".join("    " * (1 + ind) + text[which - 1] for ind, *text in lines)
    return f"{head}def f({params}):\n{body}\n"


def inputs(draw: Any) -> tuple[Shape, Shape, int]:
    shape_a = small_shape(draw)
    shape_b = sub_shape(draw, shape_a) if coin(draw) else small_shape(draw)
    shape_b = shape_b or (1,)
    return shape_a, shape_b, draw(ints(0, 2**16))


def make_args(shape_a: Shape, shape_b: Shape, seed: int, n: int | None) -> tuple:
    rng = np.random.default_rng(seed)
    x = float(rng.uniform(-1.0, 1.0))
    args = (x, rng.uniform(-1.0, 1.0, shape_a), rng.uniform(-1.0, 1.0, shape_b))
    return args if n is None else (*args, n)


def wrt_choice(draw: Any) -> Any:
    picked = shuffled(draw, [0, 1, 2])[: draw(ints(1, 3))]
    if len(picked) == 1 and coin(draw):
        return pick(draw, [picked[0], "xAB"[picked[0]]])
    return tuple(picked)


@st.composite
def straight_programs(draw: Any) -> Program:
    shape_a, shape_b, seed = inputs(draw)
    ctx = Ctx(floats=["x"], arrays={"A": shape_a, "B": shape_b}, owned=[], mode="straight")
    lines: list[Line] = []
    for _ in range(draw(ints(1, 4))):
        if draw(ints(0, 3)) == 0:
            name = ctx.fresh("t")
            v = float_expr(draw, ctx, 2)
            ctx.floats.append(name)
        else:
            name = ctx.fresh("v")
            known = sorted(set(ctx.arrays.values()))
            shape = pick(draw, known) if draw(ints(0, 2)) else small_shape(draw, 3)
            v = arr_expr(draw, ctx, shape, 3)
            ctx.arrays[name] = shape
        lines.append(line(0, fmt(f"{name} = {{0}}", v, shape=None)))
    lines.append(line(0, fmt("return {0}", scalar_result(draw, ctx), shape=None)))
    args = make_args(shape_a, shape_b, seed, None)
    return Program(render(lines, "x, A, B", 1), render(lines, "x, A, B", 2), args, wrt_choice(draw))


@st.composite
def control_programs(draw: Any) -> Program:
    shape_a, shape_b, seed = inputs(draw)
    shape_z = small_shape(draw)
    n = draw(ints(1, 3))
    arrays = {"A": shape_a, "B": shape_b, "a": shape_a, "b": shape_b, "z": shape_z}
    ctx = Ctx(["s"], arrays, ["a", "b", "z"], "control", ints={"n": n})
    # Owned copies of the arguments, made in the ways users write them.
    copy_a = pick(draw, ["A.copy()", "A * 1.0", "np.zeros_like(A) + A"])
    copy_b = pick(draw, ["B * 1.0", "B.copy()", "np.array(B)"])
    lines: list[Line] = [
        (0, "s = x", "s = x"),
        (0, f"a = {copy_a}", f"a = {copy_a}"),
        (0, f"b = {copy_b}", f"b = {copy_b}"),
        (0, f"z = np.zeros({shape_z!r})", f"z = np.zeros({shape_z!r})"),
    ]
    lines += block(draw, ctx, 0, 2)
    lines.append(line(0, fmt("return {0}", scalar_result(draw, ctx), shape=None)))
    args = make_args(shape_a, shape_b, seed, n)
    plain = render(lines, "x, A, B, n", 1)
    return Program(plain, render(lines, "x, A, B, n", 2), args, wrt_choice(draw))
