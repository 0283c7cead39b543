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
``*=``, slices, fancy and boolean-mask indices), and:

- ``for`` over an array's rows (or a 1-D array's scalars), over a list of
  arrays or of floats, with ``enumerate``, ``zip`` and ``reversed``;
- lists grown in loops by ``append``, ``insert(0, ...)`` and ``extend``, then
  summed, stacked, indexed (also by an int the loop computed) or emptied by
  ``pop()``; list comprehensions and generator expressions (with and without a
  filter) feeding ``sum`` and ``np.stack``;
- dicts of arrays: built, read, rebound (also in loops);
- calls to generated module-level helpers: a small program of their own, or a
  recursion on an integer depth that decreases;
- a generated class whose ``__init__`` stores arrays on ``self`` and whose
  method writes ``self.h``, called in a loop; attributes also rebound directly.

Every construct keeps the program free of aliasing: a value that may share
memory with a variable is copied before anything can write into it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

Shape = tuple[int, ...]
Line = tuple[int, str, str]  # (indent level, plain, probe)
CONSTANTS = (0.5, 1.5, -0.7, 2.0, 0.3, -1.2)
MAX_LINES = 60  # longest control-flow program (module text) worth checking


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
# Hypothesis draws cost ~0.1 ms each, and a program makes hundreds of choices:
# drawing them one by one made generation a quarter of the fuzz test's time.  So a
# program draws one block of bytes and reads every choice from it.  Hypothesis
# still shrinks the block (towards zero bytes, that is towards each list's first,
# simplest option), and a block that runs out answers every further choice with
# its smallest value.


# Out of 256, how often a choice takes its smallest value outright.  Hypothesis's own
# integers lean the same way; without the lean, programs grew a third longer.
LOW_BIAS = 24


@dataclass(frozen=True)
class IntRange:
    lo: int
    hi: int


@cache
def ints(lo: int, hi: int) -> IntRange:
    return IntRange(lo, hi)


class Choices:
    """``choices(ints(lo, hi))`` -> an int in [lo, hi], read from drawn bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def __call__(self, r: IntRange) -> int:
        span = r.hi - r.lo + 1
        width = 1 if span <= 256 else 2
        chunk = self.data[self.pos : self.pos + width]
        self.pos += width
        if len(chunk) < width:
            return r.lo
        value = int.from_bytes(chunk, "big")
        low = LOW_BIAS << (8 * width - 8)
        return r.lo if value < low else r.lo + (value - low) % span


def choices(draw: Any, size: int) -> Choices:
    return Choices(draw(st.binary(min_size=size, max_size=size)))


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
class Module:
    """Program-wide state: module-level definitions and the name counter."""

    defs: list[list[Line]] = field(default_factory=list)  # helpers and classes, in order
    helpers: list[Helper] = field(default_factory=list)  # callable from expressions
    counter: int = 0
    budget: int = 2  # helper functions and classes still allowed


@dataclass(frozen=True)
class Helper:
    """A generated module-level function ``name(array of shape arg, float)``
    (``recursive``: ``name(array, int depth)``) returning an array of shape ``ret``."""

    name: str
    arg: Shape
    ret: Shape
    recursive: bool


@dataclass
class Ctx:
    floats: list[str]  # Python float variables
    arrays: dict[str, Shape]  # readable array variables (and dict entries, attributes)
    owned: list[str]  # array variables the program may write into
    mode: str  # "straight" or "control"
    ints: dict[str, int] = field(default_factory=dict)  # int variables and their values
    loop_vars: list[tuple[str, int]] = field(default_factory=list)  # (name, exclusive bound)
    in_loop: bool = False
    mod: Module = field(default_factory=Module)
    consts: list[str] = field(default_factory=list)  # read-only float names (loop values)
    slots: list[str] = field(default_factory=list)  # dict entries / attributes to rebind
    ret: Shape | None = None  # a helper's return shape; None: the scalar of ``f``

    def fresh(self, stem: str) -> str:
        self.mod.counter += 1
        return f"{stem}{self.mod.counter}"

    def scoped(self) -> Scope:
        return Scope(self)


class Scope:
    """Undoes additions to a context's variables when a construct ends, so names
    bound inside a loop or construct are not read where they may be undefined."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    def __enter__(self) -> Ctx:
        c = self.ctx
        self.saved = (dict(c.arrays), list(c.consts), list(c.slots), list(c.loop_vars), c.in_loop)
        return c

    def __exit__(self, *exc: object) -> None:
        c = self.ctx
        arrays, consts, slots, loop_vars, in_loop = self.saved
        c.arrays.clear()
        c.arrays.update(arrays)
        c.consts[:], c.slots[:], c.loop_vars[:] = consts, slots, loop_vars
        c.in_loop = in_loop


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
        if ctx.mode == "control" and draw(ints(0, 2)) == 0:
            kinds.append(pick(draw, ["comp", "call"]))
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
        exact += [E((), n, n) for n in [*ctx.floats, *ctx.consts]]
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
        for n in [*ctx.floats, *ctx.consts]:
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
    # Either branch may be a view, so the result may share memory with a variable.
    return fmt("({1} if {0} else {2})", cond, a, b, shape=shape, view=a.view or b.view)


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
        names = [*ctx.floats, *ctx.consts, *(f"({n} * 0.5)" for n, _ in ctx.loop_vars)]
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


def result(draw: Any, ctx: Ctx) -> E:
    """What a ``return`` gives back: f's scalar, or a helper's array."""
    if ctx.ret is None:
        return scalar_result(draw, ctx)
    return arr_expr(draw, ctx, ctx.ret, 2)


def assign(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    if ctx.floats and draw(ints(0, 3)) == 0:
        target = pick(draw, ctx.floats)
        v = float_expr(draw, ctx, depth)
        op = pick(draw, ["=", "+=", "*="]) if ctx.mode == "control" else "="
        if op == "*=":
            v = fmt("math.tanh({0})", v, shape=None)
        return [line(indent, fmt(f"{target} {op} {{0}}", v, shape=None))]
    targets = ctx.owned + ctx.slots if ctx.slots and draw(ints(0, 2)) == 0 else ctx.owned
    target = pick(draw, targets)
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
    bounds += [(f"{n}.shape[0]", s[0]) for n, s in ctx.arrays.items() if s]
    bounds += [(f"len({n})", s[0]) for n, s in ctx.arrays.items() if s]
    text, bound = pick(draw, bounds)
    form = pick(draw, (["range({0})", "range(1, {0})", "range({0} - 1, -1, -1)", "rev"]))
    if form == "rev":
        form = "reversed(range({0}))"
    return form.format(text), bound


def for_stmt(draw: Any, ctx: Ctx, indent: int, depth: int, first: Any = None) -> list[Line]:
    """``for`` over a range; ``first(ctx, indent)`` makes the body's opening lines."""
    var = ctx.fresh("i")
    header, bound = range_header(draw, ctx)
    out: list[Line] = [(indent, f"for {var} in {header}:", f"for {var} in {header}:")]
    with ctx.scoped():
        ctx.loop_vars.append((var, bound))
        ctx.in_loop = True
        if first is not None:
            out += first(ctx, indent + 1)
        out += block(draw, ctx, indent + 1, depth - 1)
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
        out.append(line(indent + 1, fmt("return {0}", result(draw, ctx), shape=None)))
    else:
        out.append((indent + 1, kind, kind))
    return out


def list_loop(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    """A list of arrays grown in a loop (``append``, ``insert(0, ...)``, ``extend``),
    then consumed: summed, stacked, indexed (also by an int the loop computed), or
    emptied with ``pop``."""
    name = ctx.fresh("items")
    target = pick(draw, ctx.owned)
    shape = ctx.arrays[target]
    out: list[Line] = []
    seeded = coin(draw)
    if seeded:
        first = fresh_value(arr_expr(draw, ctx, shape, 1))
        out.append(line(indent, fmt(f"{name} = [{{0}}]", first, shape=None)))
    else:
        out.append((indent, f"{name} = []", f"{name} = []"))
    use = pick(draw, ["sum", "ends", "stack", "index", "pop_loop", "pop_once"])
    if use in ("stack", "index") and not seeded:
        use = "sum"
    counter = ctx.fresh("k") if use == "index" else ""
    if counter:
        out.append((indent, f"{counter} = 0", f"{counter} = 0"))

    def grow(c: Ctx, ind: int) -> list[Line]:
        how = pick(draw, ["append", "append", "insert", "extend"])
        v = fresh_value(arr_expr(draw, c, shape, 1))
        if how == "extend":
            w = fresh_value(arr_expr(draw, c, shape, 1))
            lines = [line(ind, fmt(f"{name}.extend([{{0}}, {{1}}])", v, w, shape=None))]
        else:
            call = f"{name}.append({{0}})" if how == "append" else f"{name}.insert(0, {{0}})"
            lines = [line(ind, fmt(call, v, shape=None))]
        if counter:
            step = pick(draw, ["1", *(n for n, _ in c.loop_vars)])
            text = f"{counter} = ({counter} + {step}) % len({name})"
            lines.append((ind, text, text))
        return lines

    loop = for_each_stmt if draw(ints(0, 2)) == 0 else for_stmt
    out += loop(draw, ctx, indent, depth, grow)
    out += _consume_list(draw, name, target, use, counter, indent)
    return out


def _consume_list(
    draw: Any, name: str, target: str, use: str, counter: str, ind: int
) -> list[Line]:
    if use == "sum":
        texts = [(ind, f"{target} = {target} * 0.5 + sum({name})")]
    elif use == "ends":
        texts = [
            (ind, f"if len({name}) > 0:"),
            (ind + 1, f"{target} = {target} + {name}[-1] * {name}[0]"),
        ]
    elif use == "stack":
        fn = pick(draw, ["mean", "sum"])
        texts = [(ind, f"{target} = {target} + np.{fn}(np.stack({name}), axis=0)")]
    elif use == "index":
        texts = [(ind, f"{target} = {target} * {name}[{counter}]")]
    elif use == "pop_loop":
        texts = [
            (ind, f"while len({name}) > 1:"),
            (ind + 1, f"{target} = {target} * 0.5 + {name}.pop()"),
        ]
    else:
        texts = [
            (ind, f"if len({name}) > 0:"),
            (ind + 1, f"{target} = {target} - {name}.pop() * 0.5"),
            (ind, f"{target} = {target} + sum({name})"),
        ]
    return [(i, t, t) for i, t in texts]


# --- iteration over arrays, lists, enumerate, zip, reversed ----------------------


def iterable(draw: Any, ctx: Ctx) -> tuple[E, Shape, int]:
    """Something to loop over whose items are arrays: the expression, the items'
    shape (``()`` for the numpy scalars of a 1-D array) and how many there are.
    Never an array the loop body may write into, so items are not aliased."""
    rows = [n for n, s in ctx.arrays.items() if s and n not in ctx.owned and n not in ctx.slots]
    how = pick(draw, ["rows", "rows", "expr", "literal"])
    if how == "rows" and rows:
        name = pick(draw, rows)
        shape = ctx.arrays[name]
        return E(shape, name, name), shape[1:], shape[0]
    if how == "literal":
        shape = pick(draw, sorted(set(ctx.arrays.values())))
        k = draw(ints(1, 3))
        parts = [fresh_value(arr_expr(draw, ctx, shape, 1)) for _ in range(k)]
        body = ", ".join(f"{{{i}}}" for i in range(k))
        return fmt(f"[{body}]", *parts, shape=None), shape, k
    shape = small_shape(draw)
    return fresh_value(arr_expr(draw, ctx, shape, 1)), shape[1:], shape[0]


def for_each_stmt(draw: Any, ctx: Ctx, indent: int, depth: int, first: Any = None) -> list[Line]:
    """``for v in rows``, ``enumerate``, ``zip``, ``reversed``, or over floats.
    ``first(ctx, indent)`` makes the body's opening lines (with the loop variables
    in scope)."""
    with ctx.scoped():
        form = pick(draw, ["plain", "plain", "enumerate", "zip", "reversed", "floats"])
        v = ctx.fresh("v")
        if form == "floats":
            if coin(draw):
                k = draw(ints(1, 3))
                items = fmt(
                    ", ".join(f"{{{i}}}" for i in range(k)) + ",",
                    *(float_expr(draw, ctx, 1) for _ in range(k)),
                    shape=None,
                )
                header = fmt(f"for {v} in [{{0}}]:", items, shape=None)
            else:
                consts = ", ".join(repr(pick(draw, CONSTANTS)) for _ in range(draw(ints(1, 3))))
                header = E(None, f"for {v} in ({consts},):", f"for {v} in ({consts},):")
            ctx.consts.append(v)
        else:
            src, shape, count = iterable(draw, ctx)
            if form == "zip":
                src2, shape2, count2 = iterable(draw, ctx)
                u = ctx.fresh("u")
                header = fmt(f"for {u}, {v} in zip({{0}}, {{1}}):", src, src2, shape=None)
                ctx.arrays[u], ctx.arrays[v] = shape, shape2
            elif form == "enumerate":
                i = ctx.fresh("i")
                header = fmt(f"for {i}, {v} in enumerate({{0}}):", src, shape=None)
                ctx.loop_vars.append((i, count))
                ctx.arrays[v] = shape
            else:
                template = "reversed({0})" if form == "reversed" else "{0}"
                header = fmt(f"for {v} in {template}:", src, shape=None)
                ctx.arrays[v] = shape
        ctx.in_loop = True
        out = [line(indent, header)]
        if first is not None:
            out += first(ctx, indent + 1)
        out += block(draw, ctx, indent + 1, depth - 1)
    return out


# --- dicts and objects ----------------------------------------------------------------


def dict_stmt(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    """A dict of arrays: built, read and rebound (also inside loops), then folded
    into an owned array."""
    d = ctx.fresh("d")
    target = pick(draw, ctx.owned)
    shapes = sorted(set(ctx.arrays.values()))
    out: list[Line] = []
    with ctx.scoped():
        keys = ["p", "q"][: draw(ints(1, 2))]
        values = []
        for _ in keys:
            values.append(fresh_value(arr_expr(draw, ctx, pick(draw, shapes), 1)))
        for key, v in zip(keys, values, strict=True):
            ctx.arrays[f'{d}["{key}"]'] = v.shape
        if coin(draw):
            items = ", ".join(f'"{k}": {{{i}}}' for i, k in enumerate(keys))
            out.append(line(indent, fmt(f"{d} = {{{{{items}}}}}", *values, shape=None)))
        else:
            out.append((indent, f"{d} = {{}}", f"{d} = {{}}"))
            for key, v in zip(keys, values, strict=True):
                out.append(line(indent, fmt(f'{d}["{key}"] = {{0}}', v, shape=None)))
        ctx.slots += [f'{d}["{k}"]' for k in keys]
        # a new key computed from the old ones
        key = f'{d}["r"]'
        shape = pick(draw, shapes)
        v = fresh_value(arr_expr(draw, ctx, shape, 2))
        out.append(line(indent, fmt(f"{key} = {{0}}", v, shape=None)))
        ctx.arrays[key] = shape
        ctx.slots.append(key)
        out += block(draw, ctx, indent, depth - 1)
        out += _fold(draw, ctx, target, [f'{d}["{k}"]' for k in [*keys, "r"]], indent)
    return out


def _fold(draw: Any, ctx: Ctx, target: str, names: list[str], indent: int) -> list[Line]:
    """``target = target + <each name, reduced or broadcast to fit>``, so the
    construct's values reach the result."""
    shape = ctx.arrays[target]
    terms = []
    for n in names:
        s = ctx.arrays[n]
        terms.append(n if fits_into(s, shape) and coin(draw) else f"np.sum({n})")
    text = f"{target} = {target} + " + " + ".join(f"{t} * 0.5" for t in terms)
    return [(indent, text, text)]


def object_stmt(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    """An instance of a generated class: ``__init__`` stores arrays on ``self``, a
    method writes ``self.h``; the method is called in a loop."""
    if ctx.mod.budget <= 0:
        return for_stmt(draw, ctx, indent, depth)
    ctx.mod.budget -= 1
    cls, obj = ctx.fresh("Cell"), ctx.fresh("cell")
    shapes = sorted(set(ctx.arrays.values()))
    sw, sh, sv = (pick(draw, shapes) for _ in range(3))
    mctx = Ctx([], {"self.w": sw, "self.h": sh, "v": sv}, [], "control", mod=ctx.mod)
    update = fresh_value(arr_expr(draw, mctx, sh, 2))
    if coin(draw):
        update = fmt("self.h * 0.5 + {0}", update, shape=sh)
    returned = arr_expr(draw, mctx, sh, 1)
    ctx.mod.defs.append(
        [
            (0, f"class {cls}:", f"class {cls}:"),
            (1, "def __init__(self, w, h):", "def __init__(self, w, h):"),
            (2, "self.w = w", "self.w = w"),
            (2, "self.h = h * 1.0", "self.h = h * 1.0"),
            (1, "", ""),
            (1, "def step(self, v):", "def step(self, v):"),
            line(2, fmt("self.h = {0}", update, shape=None)),
            line(2, fmt("return {0}", returned, shape=None)),
        ]
    )
    target = pick(draw, ctx.owned)
    # ``self.w = w`` keeps its argument: a copy, so later writes cannot reach it.
    w, h = fresh_value(arr_expr(draw, ctx, sw, 1)), arr_expr(draw, ctx, sh, 1)
    out = [line(indent, fmt(f"{obj} = {cls}({{0}}, {{1}})", w, h, shape=None))]
    with ctx.scoped():
        ctx.arrays[f"{obj}.h"] = sh
        ctx.arrays[f"{obj}.w"] = sw
        ctx.slots.append(f"{obj}.h")

        def step_call(c: Ctx, ind: int) -> list[Line]:
            arg = arr_expr(draw, c, sv, 1)
            if coin(draw):
                return [line(ind, fmt(f"{obj}.step({{0}})", arg, shape=None))]
            return [
                line(ind, fmt(f"{target} = {target} + np.sum({obj}.step({{0}}))", arg, shape=None))
            ]

        out += for_stmt(draw, ctx, indent, depth, step_call)
        out += _fold(draw, ctx, target, [f"{obj}.h"], indent)
    return out


# --- helper functions -----------------------------------------------------------------


def make_helper(draw: Any, mod: Module, ret: Shape) -> Helper:
    """A module-level function returning an array of shape ``ret``: either a small
    program of its own, or a recursion on an integer depth."""
    mod.budget -= 1
    if coin(draw):
        name = f"deep{mod.counter + 1}"
        mod.counter += 1
        hctx = Ctx([], {"u": ret}, [], "control", mod=mod, ret=ret)
        base = arr_expr(draw, hctx, ret, 1)
        step = fresh_value(arr_expr(draw, hctx, ret, 1))
        hctx.arrays["w"] = ret
        tail = arr_expr(draw, hctx, ret, 1)
        combine = pick(draw, ["np.tanh(w) + {0}", "w * 0.5 + {0}", "np.sin(w) * {0}"])
        lines = [
            (0, f"def {name}(u, k):", f"def {name}(u, k):"),
            (1, "if k <= 0:", "if k <= 0:"),
            line(2, fmt("return {0}", base, shape=None)),
            line(1, fmt(f"w = {name}({{0}}, k - 1)", step, shape=None)),
            line(1, fmt(f"return {combine}", tail, shape=None)),
        ]
        helper = Helper(name, ret, ret, recursive=True)
    else:
        name = f"helper{mod.counter + 1}"
        mod.counter += 1
        arg = small_shape(draw)
        hctx = Ctx(["t"], {"u": arg, "v": arg}, ["v"], "control", mod=mod, ret=ret)
        lines = [
            (0, f"def {name}(u, t):", f"def {name}(u, t):"),
            (1, "v = u * 1.0", "v = u * 1.0"),
            *block(draw, hctx, 1, 1),
            line(1, fmt("return {0}", arr_expr(draw, hctx, ret, 2), shape=None)),
        ]
        helper = Helper(name, arg, ret, recursive=False)
    mod.defs.append(lines)
    mod.helpers.append(helper)
    return helper


def call(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E | None:
    """A call to a generated helper (made on first use)."""
    known = [h for h in ctx.mod.helpers if h.ret == shape]
    if known and (ctx.mod.budget <= 0 or coin(draw)):
        helper = pick(draw, known)
    elif ctx.mod.budget > 0:
        helper = make_helper(draw, ctx.mod, shape)
    else:
        return None
    arg = arr_expr(draw, ctx, helper.arg, depth - 1)
    if helper.recursive:
        depths = ["0", "1", "2", *ctx.ints, *(n for n, b in ctx.loop_vars if b <= 5)]
        k = pick(draw, depths)
        second = E(None, k, k)
    else:
        second = float_expr(draw, ctx, 0)
    # A helper may return its argument, so the call counts as a view.
    return fmt(f"{helper.name}({{0}}, {{1}})", arg, second, shape=shape, view=True)


def comprehension(draw: Any, ctx: Ctx, shape: Shape, depth: int) -> E:
    """``sum([...])``, ``sum(... for ...)``, a filtered comprehension, or
    ``np.stack([...])`` reduced back to ``shape``."""
    with ctx.scoped():
        if coin(draw):
            i = ctx.fresh("c")
            k = draw(ints(1, 3))
            source = E(None, f"range({k})", f"range({k})")
            ctx.loop_vars.append((i, k))
        else:
            src, item, _ = iterable(draw, ctx)
            i = ctx.fresh("c")
            source = src
            ctx.arrays[i] = item
        inner = arr_expr(draw, ctx, shape, depth - 1)
    form = pick(draw, ["list", "gen", "filtered", "stack"])
    if form == "filtered" and source.plain.startswith("range"):
        return fmt(f"sum([{{0}} for {i} in {{1}} if {i} % 2 == 0])", inner, source, shape=shape)
    if form == "gen":
        return fmt(f"sum({{0}} for {i} in {{1}})", inner, source, shape=shape)
    if form == "stack":
        fn = pick(draw, ["mean", "sum"])
        return fmt(
            f"np.{fn}(np.stack([{{0}} for {i} in {{1}}]), axis=0)", inner, source, shape=shape
        )
    return fmt(f"sum([{{0}} for {i} in {{1}}])", inner, source, shape=shape)


def statement(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    kinds = ["assign", "write"]
    if depth > 0:
        kinds += ["if", "for", "while", "jump", "list", "assign", "write"]
        kinds += ["for_each", "dict" if coin(draw) else "object"]
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
    "for_each": for_each_stmt,
    "dict": dict_stmt,
    "object": object_stmt,
}


def block(draw: Any, ctx: Ctx, indent: int, depth: int) -> list[Line]:
    out: list[Line] = []
    for _ in range(draw(ints(1, 3))):
        out += statement(draw, ctx, indent, depth)
    return out


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
    "comp": comprehension,
    "call": call,
}


# --- whole programs ---------------------------------------------------------------


@dataclass
class Program:
    plain: str  # module source srcdiff compiles
    probe: str  # same semantics, decisions routed through _P
    args: tuple
    wrt: Any
    name: str = "program"  # regression tests are named


def render(lines: list[Line], params: str, which: int, defs: list[list[Line]] = ()) -> str:
    """The module text: imports, helper definitions, then ``f``."""

    def text(block: list[Line], base: int) -> str:
        return "\n".join(("    " * (base + ind) + t[which - 1]).rstrip() for ind, *t in block)

    head = "import math\n\nimport numpy as np\n\n\n"
    helpers = "".join(text(d, 0) + "\n\n\n" for d in defs)
    return f"{head}{helpers}def f({params}):\n{text(lines, 1)}\n"


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
    draw = choices(draw, 256)
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
    draw = choices(draw, 1024)
    shape_a, shape_b, seed = inputs(draw)
    shape_z = small_shape(draw)
    n = draw(ints(1, 3))
    arrays = {"A": shape_a, "B": shape_b, "a": shape_a, "b": shape_b, "z": shape_z}
    mod = Module()
    ctx = Ctx(["s"], arrays, ["a", "b", "z"], "control", ints={"n": n}, mod=mod)
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
    plain = render(lines, "x, A, B, n", 1, mod.defs)
    # srcdiff's transform time grows faster than linearly with program size; the
    # rare long program would cost more CI time than dozens of short ones.
    assume(plain.count("\n") <= MAX_LINES)
    return Program(plain, render(lines, "x, A, B, n", 2, mod.defs), args, wrt_choice(draw))
