"""What the compiler knows, before running anything, of each variable's shape.

Gradients are specialised on their arguments' size pattern (see kinds.py): an
array argument's kind names each dimension either ``1`` or a size symbol
(``"n0"``, ``"n1"``, ...), equal symbols for equal sizes, and no symbol is 1.
From that the analysis derives the shape of every variable:

- a shape is a tuple of dims, or an :class:`Opaque` when even the rank is
  unknown;
- a dim is ``1``, a size symbol (known not to be 1), a literal size (an int,
  from ``np.zeros(3)`` or ``.reshape(2, 3)`` in the code), or an
  :class:`Unknown` (any size, 1 included), equal only to itself.

A size symbol broadcast against a literal size is that symbol: broadcasting
succeeds only when they are equal, and the adjoint runs only after the
user's code did.

The generated adjoint sums a gradient down to an input's shape only where the
shapes can differ, and then along axes known here: ``np.sum(d_out, axis=0)``
rather than a runtime comparison of shapes.  Every fact holds for every call
with the same size pattern, which is part of the cache key, so the code never
needs a guard.

The analysis is flow-insensitive: a variable's shape is the join of the shapes
of all its assignments, iterated to a fixed point (loops feed values back).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.kinds import dims_of, element_kind


class Unknown:
    """A dimension of unknown size (possibly 1).

    One object stands for the size some statement computed.  It is *stable*
    when that statement runs at most once per call (outside loops, assigned
    once): then two dims that are the same stable object are the same size.
    A statement in a loop may give a different size each time round, and the
    analysis does not follow the flow of time, so its unknowns (and those of
    joins) tell nothing about equality.
    """

    __slots__ = ("stable",)

    def __init__(self, stable: bool) -> None:
        self.stable = stable

    def __repr__(self) -> str:
        return "?" if self.stable else "?~"


class Opaque(Unknown):
    """A shape of unknown rank (stable as for :class:`Unknown`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<shape ?>" if self.stable else "<shape ?~>"


Dim = Any  # 1 | str | int | Unknown
Shape = Any  # tuple[Dim, ...] | Opaque
SCALAR: Shape = ()

# rules whose result has their (first) input's shape
SHAPE_PRESERVING = {
    "pos", "neg", "square", "sqrt", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10",
    "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh",
    "arccosh", "arctanh", "abs", "sigmoid", "relu", "clip", "erf", "reciprocal", "round",
    "copy", "piecewise_constant", "cumsum", "flip", "sort",
}  # fmt: skip
_INT_OPS = (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv, gast.Mod)
REDUCTIONS = {"sum", "mean", "max", "min", "prod", "std", "var", "norm"}


def is_known(shape: Shape) -> bool:
    """Every dimension is 1, a size symbol or a literal size."""
    return isinstance(shape, tuple) and all(isinstance(d, (str, int)) for d in shape)


def same(a: Any, b: Any) -> bool:
    """Certainly the same size (dims) or shape (shapes) at run time."""
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return a is b and a.stable
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def rank(shape: Shape) -> int | None:
    return len(shape) if isinstance(shape, tuple) else None


def reduction_axes(source: Shape, target: Shape) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """How to sum a gradient shaped ``source`` down to ``target``, the shape of an
    operand broadcast into it: (leading axes to drop, axes to keep as size 1).
    None when the shapes do not tell."""
    if not (isinstance(source, tuple) and isinstance(target, tuple)):
        return None
    lead = len(source) - len(target)
    if lead < 0:
        return None
    kept = []
    for i, (s, t) in enumerate(zip(source[lead:], target, strict=True)):
        if same(s, t) or (isinstance(t, (str, int)) and t != 1):
            continue  # a size other than 1 broadcasts only into itself
        if t != 1:
            return None  # t may or may not have been broadcast
        if s != 1:
            kept.append(lead + i)
    return tuple(range(lead)), tuple(kept)


def broadcast(shapes: Iterable[Shape], memo: Callable[[Any], Any], site: Any) -> Shape:
    """The shape numpy's broadcasting gives ``shapes`` (``memo(key)`` makes the
    unknowns this site creates)."""
    shapes = [s for s in shapes if s != SCALAR]
    if not shapes:
        return SCALAR
    if any(isinstance(s, Opaque) for s in shapes):
        first = shapes[0]
        return first if all(s is first for s in shapes) else memo((site, "opaque"))
    out: list[Dim] = []
    for i in range(1, max(len(s) for s in shapes) + 1):
        dims = [s[-i] for s in shapes if len(s) >= i]
        out.append(_broadcast_dim(dims, memo, (site, i)))
    return tuple(reversed(out))


def _broadcast_dim(dims: list[Dim], memo: Callable[[Any], Any], key: Any) -> Dim:
    wide = [d for d in dims if d != 1]
    if not wide:
        return 1
    if all(d == wide[0] for d in wide):
        return wide[0]
    symbols = {d for d in wide if isinstance(d, str)}
    literals = {d for d in wide if isinstance(d, int)}
    # an unknown dim broadcast against a size is 1 or that size, and a literal size
    # against a symbol is equal to it (or the user's code failed): the result is the size
    if len(symbols) == 1:
        return symbols.pop()
    return literals.pop() if not symbols and len(literals) == 1 else memo(key)


def join(a: Shape, b: Shape, memo: Callable[[Any], Any], site: Any) -> Shape:
    """A shape true of a variable assigned both ``a`` and ``b``."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return tuple(x if x == y else memo((site, i)) for i, (x, y) in pairs)
    return memo((site, "opaque"))


class ShapeAnalysis:
    """Shapes of the names of one normalized function body.

    ``statements`` are all statements in program order (nested ones included),
    ``ints`` the names known to hold integers (loop counters, int arguments).
    """

    def __init__(
        self,
        params: dict[str, Shape],
        statements: list[gast.stmt],
        looped: set[int],
        ints: set[str],
        structured: set[str],
        read_only: dict[str, Any] | None = None,
    ) -> None:
        self.ints = ints
        self._read_only = read_only or {}  # structure arguments never changed: name -> kind
        self._looped = looped  # ids of the statements inside loops
        self._memo: dict[Any, Any] = {}
        self.shapes: dict[str, Shape] = dict(params)
        for name in structured:
            self.shapes[name] = self._unstable((name, "opaque"))
        self._sites = [s for stmt in statements for s in _sites(stmt)]
        counts: dict[str, int] = {}
        for target, _, _ in self._sites:
            counts[target] = counts.get(target, 0) + 1
        self._assigned = set(counts)
        # unknowns made by a statement are stable only if it runs once and its
        # target has no other assignment (a parameter's value is the first one)
        self._once = {
            id(stmt)
            for target, stmt, _ in self._sites
            if id(stmt) not in looped and counts[target] == 1 and target not in params
        }
        self._solve()

    # ------------------------------------------------------------ queries

    def of(self, atom: gast.expr) -> Shape:
        """The shape of an atom (a name, a constant, ``x[i]``, a size)."""
        if isinstance(atom, gast.Name):
            if atom.id in self.shapes:
                return self.shapes[atom.id]
            if atom.id in self._assigned:
                return None  # not reached yet
            return self._memo_of((atom.id, "opaque"), stable=True)  # a global: fixed
        if is_scalar_expr(atom):
            return SCALAR  # x.shape[0] among them
        if isinstance(atom, gast.Subscript):
            base = self.of(atom.value)
            if base is None:
                return None
            return self._index(base, T.index_value(atom.slice), ("sub", id(atom)))
        if isinstance(atom, gast.BinOp) and isinstance(atom.op, gast.MatMult):
            a, b = self.of(atom.left), self.of(atom.right)
            if a is None or b is None:
                return None
            return self._matmul(a, b, ("expr", id(atom)))
        if isinstance(atom, (gast.BinOp, gast.Compare)):
            operands = (
                [atom.left, atom.right]
                if isinstance(atom, gast.BinOp)
                else [atom.left, *atom.comparators]
            )
            shapes = [self.of(o) for o in operands]
            if any(s is None for s in shapes):
                return None
            return broadcast(shapes, self._unstable, ("expr", id(atom)))
        if isinstance(atom, gast.UnaryOp) and not isinstance(atom.op, gast.Not):
            return self.of(atom.operand)
        made = self._made(atom)
        return made if made is not None else self._unstable(("expr", id(atom), "opaque"))

    def _made(self, expr: gast.expr) -> Shape | None:
        """The shape of an array the code makes: ``np.zeros((2, 3))``, ``np.arange(9.0)
        .reshape(3, 3)``, ``np.array([1.0, 2.0])``, ``np.zeros_like(x)``, ``x.copy()``, ``x.T``."""
        if isinstance(expr, gast.Attribute) and expr.attr == "T":
            inner = self.of(expr.value)
            return tuple(reversed(inner)) if isinstance(inner, tuple) else None
        if not (isinstance(expr, gast.Call) and not expr.keywords):
            return None
        name, args = T.dotted(expr.func), expr.args
        if name in _FILLED and args:
            return _literal_shape(args[0])
        if (name in _LIKE and len(args) == 1) or (name in ("np.copy", "np.asarray") and args):
            inner = self.of(args[0])
            return inner if isinstance(inner, tuple) else None
        if name == "np.array" and len(args) == 1:
            return _nested_shape(args[0])
        if name == "np.arange" and args:
            return _arange_shape(args)
        if name in ("np.eye", "np.identity") and len(args) == 1:
            size = _literal_int(args[0])
            return None if size is None else (_dim(size), _dim(size))
        method = expr.func.attr if isinstance(expr.func, gast.Attribute) else None
        if method == "copy" and not args:
            inner = self.of(expr.func.value)
            return inner if isinstance(inner, tuple) else None
        if method == "reshape" and args:
            return _literal_shape(args[0] if len(args) == 1 else gast.Tuple(args, gast.Load()))
        return None

    def fresh(self, key: Any) -> Any:
        """The unknown dim (or shape, for keys ending in "opaque") that a site
        makes: keys start with the id of the statement."""
        return self._memo_of(key, stable=key[0] in self._once)

    def _unstable(self, key: Any) -> Any:
        return self._memo_of(key, stable=False)

    def _memo_of(self, key: Any, stable: bool) -> Any:
        if key not in self._memo:
            self._memo[key] = Opaque(stable) if key[-1] == "opaque" else Unknown(stable)
        return self._memo[key]

    # ------------------------------------------------------------ solving

    def _solve(self) -> None:
        for _ in range(50):
            changed = False
            for target, stmt, compute in self._sites:
                shape = compute(self, stmt)
                if shape is None:
                    continue  # reads a variable not reached yet
                old = self.shapes.get(target)
                new = join(old, shape, self._unstable, target)
                if new != old:
                    self.shapes[target] = new
                    changed = True
            if not changed:
                return
        for target, _, _ in self._sites:  # no fixed point: give up on what loops change
            self.shapes[target] = self._unstable((target, "opaque"))

    def op_shape(self, op: Any, stmt_id: int) -> Shape:
        inputs = [self.of(a) for a in op.inputs]
        if op.kind == "copy":
            return inputs[0]
        if op.kind == "index_any" and isinstance(inputs[0], tuple):
            return self._index(inputs[0], op.index, stmt_id)  # the base is an array
        if op.kind == "index" and isinstance(op.inputs[0], gast.Name):
            item = self._item_of_argument(op.inputs[0].id, op.index)
            if item is not None:
                return item
        if op.kind != "rule":
            return self.fresh((stmt_id, "opaque"))
        if any(s is None for s in inputs):
            return None
        name = op.rule.name
        if op.xp == "math":
            return SCALAR
        if op.rule.broadcasts:
            return broadcast(inputs, self.fresh, stmt_id)
        if name in SHAPE_PRESERVING:
            return inputs[0]
        if name in REDUCTIONS:
            return self._reduced(inputs[0], op.params, stmt_id)
        if name in ("matmul", "dot"):
            return self._matmul(inputs[0], inputs[1], stmt_id)
        if name == "outer":
            return (self._size(inputs[0], stmt_id, 0), self._size(inputs[1], stmt_id, 1))
        if name == "transpose" and _is_none(op.params.get("axes")):
            if isinstance(inputs[0], tuple):
                return tuple(reversed(inputs[0]))
            return self.fresh((stmt_id, "opaque"))  # a transpose has a shape of its own
        if name == "getitem":
            return self._index(inputs[0], op.inputs[1], stmt_id)
        if name == "reshape" and op.params.get("shape") is not None:
            made = _literal_shape(op.params["shape"])  # x.reshape(2, 6), np.reshape(x, (2, 6))
            if made is not None:
                return made
        return self.fresh((stmt_id, "opaque"))

    def _item_of_argument(self, name: str, key: gast.expr) -> Shape | None:
        """``params["w"]`` of an argument the function never changes: the item's
        shape in the call's pattern."""
        if name not in self._read_only or not isinstance(key, gast.Constant):
            return None
        return dims_of(element_kind(self._read_only[name], key.value))

    def _reduced(self, shape: Shape, params: dict, site: Any) -> Shape:
        axis, keepdims = params.get("axis"), params.get("keepdims")
        keep = isinstance(keepdims, gast.Constant) and keepdims.value is True
        if keepdims is not None and not isinstance(keepdims, gast.Constant):
            return self.fresh((site, "opaque"))
        if _is_none(axis):
            return tuple(1 for _ in shape) if keep and isinstance(shape, tuple) else SCALAR
        axes = _constant_axes(axis)
        if axes is None or not isinstance(shape, tuple):
            return self.fresh((site, "opaque"))
        axes = {a % len(shape) for a in axes if -len(shape) <= a < len(shape)}
        if keep:
            return tuple(1 if i in axes else d for i, d in enumerate(shape))
        return tuple(d for i, d in enumerate(shape) if i not in axes)

    def _matmul(self, a: Shape, b: Shape, site: Any) -> Shape:
        ra, rb = rank(a), rank(b)
        if ra not in (1, 2) or rb not in (1, 2):
            return self.fresh((site, "opaque"))
        return tuple(a[:-1]) + tuple(b[:-2] + b[-1:] if rb == 2 else ())

    def _size(self, shape: Shape, site: Any, i: int) -> Dim:
        """The number of elements of a vector (np.outer flattens its operands)."""
        if isinstance(shape, tuple) and len(shape) == 1:
            return shape[0]
        if shape == SCALAR:
            return 1
        return self.fresh((site, i))

    def _index(self, shape: Shape, index: gast.expr, site: Any) -> Shape:
        """``x[index]`` for basic indices; anything else has an unknown shape."""
        if not isinstance(shape, tuple):
            return self.fresh((site, "opaque"))
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        out: list[Dim] = []
        position = 0
        for k, part in enumerate(parts):
            if _is_none(part):
                out.append(1)
                continue
            if position >= len(shape):
                return self.fresh((site, "opaque"))
            if self._is_int(part):
                position += 1
            elif _is_full_slice(part):
                out.append(shape[position])
                position += 1
            elif isinstance(part, gast.Call) and getattr(part.func, "id", None) == "slice":
                out.append(self._sliced(shape[position], part.args, (site, k)))
                position += 1
            else:
                return self.fresh((site, "opaque"))
        return tuple(out) + tuple(shape[position:])

    def _sliced(self, dim: Dim, bounds: list[gast.expr], key: Any) -> Dim:
        """The size of ``dim`` sliced by ``slice(lower, upper, step)``: exact for a
        literal size; for a size symbol ``n``, ``x[a:]``, ``x[:-b]`` and
        ``x[a:-b]`` are all ``n - a - b`` (at least 0), one unknown shared by
        every slice that trims as much, so ``x[1:] * x[:-1]`` has one shape."""
        ints = [_signed_int(b) for b in bounds]
        literal = all(i is not None or _is_none(b) for i, b in zip(ints, bounds, strict=True))
        if len(bounds) == 3 and literal:
            lower, upper, step = ints
            if isinstance(dim, int) and step != 0:
                return _dim(len(range(*slice(lower, upper, step).indices(dim))))
            from_start = lower is None or lower >= 0
            if (
                isinstance(dim, str)
                and step is None
                and from_start
                and (upper is None or upper < 0)
            ):
                trim = (lower or 0) + (-upper if upper is not None else 0)
                # n is fixed for the call, so the trimmed size is too: stable
                return dim if trim == 0 else self._memo_of(("trim", dim, trim), stable=True)
        return self.fresh(key)

    def _is_int(self, part: gast.expr) -> bool:
        if isinstance(part, gast.Constant):
            return isinstance(part.value, int) and not isinstance(part.value, bool)
        if isinstance(part, gast.UnaryOp) and isinstance(part.op, gast.USub):
            return self._is_int(part.operand)
        if isinstance(part, gast.BinOp) and isinstance(part.op, _INT_OPS):
            return self._is_int(part.left) and self._is_int(part.right)
        if _is_call_to(part, "len") or _is_call_to(part, "int"):
            return True
        if isinstance(part, gast.Subscript):  # x.shape[0]
            return isinstance(part.value, gast.Attribute) and part.value.attr == "shape"
        return isinstance(part, gast.Name) and part.id in self.ints


# ---------------------------------------------------------------- sites


def _sites(stmt: gast.stmt) -> list[tuple[str, gast.stmt, Callable]]:
    """(name, statement, how to compute the shape it assigns) for each name a
    statement gives a new value (writes into part of an array keep its shape)."""
    op = getattr(stmt, "srcdiff_op", None) or getattr(stmt, "srcdiff_constant_op", None)
    if op is not None:
        if op.mutation is not None:
            return []
        return [(op.target, stmt, lambda a, s: a.op_shape(op, id(s)))]
    if isinstance(stmt, gast.For):
        if isinstance(stmt.target, gast.Name) and _is_call_to(stmt.iter, "range"):
            return [(stmt.target.id, stmt, lambda a, s: SCALAR)]
        return [(n, stmt, _opaque(n)) for n in _stored(stmt.target)]
    if isinstance(stmt, gast.Assign):
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
            return [(stmt.targets[0].id, stmt, _inactive_value)]
        return [(n, stmt, _opaque(n)) for t in stmt.targets for n in _stored(t)]
    if isinstance(stmt, (gast.AugAssign, gast.AnnAssign)) and isinstance(stmt.target, gast.Name):
        return [(stmt.target.id, stmt, _opaque(stmt.target.id))]
    return []


def _inactive_value(analysis: ShapeAnalysis, stmt: gast.Assign) -> Shape:
    shape = analysis.of(stmt.value)
    if isinstance(shape, Unknown) and not shape.stable:
        return analysis.fresh((id(stmt), "opaque"))  # stable if the statement runs once
    return shape


def _opaque(name: str) -> Callable:
    return lambda analysis, stmt: analysis.fresh((id(stmt), name, "opaque"))


def _stored(target: gast.expr) -> list[str]:
    if isinstance(target, gast.Name):
        return [target.id]
    if isinstance(target, (gast.Tuple, gast.List)):
        return [n for e in target.elts for n in _stored(e)]
    return []  # a subscript or attribute write keeps the variable's shape


# ---------------------------------------------------------------- expressions


def is_scalar_expr(expr: gast.expr) -> bool:
    """Inactive expressions that are certainly numbers: literals, sizes, shape entries."""
    if isinstance(expr, gast.Constant):
        return isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool)
    if isinstance(expr, gast.UnaryOp):
        return is_scalar_expr(expr.operand)
    if isinstance(expr, gast.BinOp):
        return is_scalar_expr(expr.left) and is_scalar_expr(expr.right)
    if isinstance(expr, gast.Attribute):
        return expr.attr in ("ndim", "size")
    if isinstance(expr, gast.Subscript):
        return isinstance(expr.value, gast.Attribute) and expr.value.attr == "shape"
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name):
        return expr.func.id in ("len", "float", "int")
    if isinstance(expr, gast.Call) and isinstance(expr.func, gast.Attribute):
        module = expr.func.value
        return isinstance(module, gast.Name) and module.id == "math"  # math.* gives floats
    return False


def _is_none(expr: gast.expr | None) -> bool:
    return expr is None or (isinstance(expr, gast.Constant) and expr.value is None)


def _is_full_slice(part: gast.expr) -> bool:
    return _is_call_to(part, "slice") and all(_is_none(a) for a in part.args)


def _is_call_to(expr: gast.expr, name: str) -> bool:
    return isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and expr.func.id == name


_FILLED = {"np.zeros", "np.ones", "np.empty", "np.full"}  # first argument: the shape
_LIKE = {"np.zeros_like", "np.ones_like", "np.empty_like", "np.full_like"}


def _dim(size: int) -> Dim:
    return 1 if size == 1 else size


def _literal_int(node: gast.expr) -> int | None:
    if isinstance(node, gast.Constant) and type(node.value) is int and node.value >= 0:
        return node.value
    return None


def _literal_shape(node: gast.expr) -> Shape | None:
    """``(2, 3)`` or ``3`` written as literals (a ``-1`` or a name tells nothing)."""
    parts = node.elts if isinstance(node, (gast.Tuple, gast.List)) else [node]
    sizes = [_literal_int(p) for p in parts]
    return None if any(s is None for s in sizes) else tuple(_dim(s) for s in sizes)


def _nested_shape(node: gast.expr) -> Shape | None:
    """The shape of ``np.array`` of a literal list of numbers (nested evenly)."""
    if _number_literal(node) is not None:  # -1.0 too
        return SCALAR
    if not (isinstance(node, (gast.List, gast.Tuple)) and node.elts):
        return None
    inner = [_nested_shape(e) for e in node.elts]
    if inner[0] is None or any(s != inner[0] for s in inner):
        return None
    return (_dim(len(node.elts)), *inner[0])


def _arange_shape(args: list[gast.expr]) -> Shape | None:
    values = [_number_literal(a) for a in args]
    if len(values) > 3 or any(v is None for v in values):
        return None
    start, stop, step = (0, values[0], 1) if len(values) == 1 else (*values, 1)[:3]
    if step == 0:
        return None
    return (_dim(max(0, math.ceil((stop - start) / step))),)


def _number_literal(node: gast.expr) -> float | None:
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _number_literal(node.operand)
        return None if inner is None else -inner
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


def _constant_axes(axis: gast.expr) -> tuple[int, ...] | None:
    """``1``, ``-1`` or ``(0, -1)`` written as literals."""
    parts = axis.elts if isinstance(axis, gast.Tuple) else [axis]
    axes = [_signed_int(p) for p in parts]
    return None if any(a is None for a in axes) else tuple(axes)


def _signed_int(node: gast.expr) -> int | None:
    """An int literal, negative ones (``-1``) included."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _signed_int(node.operand)
        return None if inner is None else -inner
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    return None
