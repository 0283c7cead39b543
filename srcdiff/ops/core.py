"""Op dispatch: run the numpy primal, fix the dtype to PyTorch's, record a graph node.

Every differentiable op is an :class:`OpSpec`: a numpy function, a rule of
the shared table and the PyTorch name of its grad_fn.  The hot path (binary
arithmetic on float32 tensors) does: one numpy call, two type checks, and,
when a gradient is needed, one node with a tuple of edges and a list of the
values its needed gradients read (:meth:`Rule.reads`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from srcdiff import dtypes as _dt
from srcdiff.autograd import engine as _engine
from srcdiff.autograd.grad_mode import GRAD, INFERENCE
from srcdiff.rules import RULES
from srcdiff.tensor import (
    INFERENCE_INPLACE_MSG,
    INFERENCE_SAVE_MSG,
    INFERENCE_VC,
    Tensor,
    _wrap,
)

_ndarray = np.ndarray
_object_new = object.__new__
_NO_EDGE = (None, 0)
_py_scalars = (float, int, bool, complex)


class OpSpec:
    """One differentiable op: primal, rule, node class, and a cache of what to save."""

    __slots__ = ("name", "fn", "rule", "node", "_keep", "n", "layout", "broadcasts")

    def __init__(
        self, node_name: str, rule_name: str, fn: Any = None, params: tuple[str, ...] = ()
    ) -> None:
        self.name = node_name
        self.fn = fn
        self.rule = RULES[rule_name]
        self.node = _engine.make_rule_node(node_name, self.rule)
        self.n = len(self.rule.inputs)
        self.broadcasts = self.rule.broadcasts
        self._keep: dict[Any, tuple[bool, tuple[bool, ...]]] = {}
        unknown = set(params) - set(self.rule.params)
        if unknown:
            raise TypeError(f"rule {rule_name!r} has no parameters {sorted(unknown)}")
        # The rule's parameters by name: ours by position in the op's tuple, the rest default.
        self.layout = None
        if params != self.rule.params:
            self.layout = tuple(
                (params.index(p), None) if p in params else (-1, self.rule.defaults[p])
                for p in self.rule.params
            )

    def keep(self, needs: tuple[bool, ...]) -> tuple[bool, tuple[int, ...]]:
        """(save ans?, per input: 0 not saved, 1 saved, 2 only its shape and dtype are read)."""
        k = self._keep.get(needs)
        if k is None:
            names: set[str] = set()
            for i, need in enumerate(needs):
                if need:
                    names |= self.rule.reads(i)
            shape_only = _shape_only_inputs(self.rule)
            k = (
                "ans" in names,
                tuple(
                    (2 if name in shape_only else 1) if name in names else 0
                    for name in self.rule.inputs
                ),
            )
            self._keep[needs] = k
        return k


# Calls that read only the shape/dtype of an argument: (function name, argument position).
_SHAPE_READS = {
    ("shape", 0),
    ("ndim", 0),
    ("zeros_like", 0),
    ("ones_like", 0),
    ("unreduce", 1),
    ("reduced_count", 0),
    ("scatter_into_zeros", 1),
    ("unbroadcast_like", 1),
    ("concatenate_grad", 1),
}
_shape_only_cache: dict[str, frozenset[str]] = {}


def _shape_only_inputs(rule: Any) -> frozenset[str]:
    """Inputs the rule reads only through shape-reading calls (``xp.shape(x)``,
    ``unreduce(g, x, ...)``): the eager engine keeps their shape, not their
    values, so PyTorch's in-place semantics hold (SumBackward keeps no tensor)."""
    cached = _shape_only_cache.get(rule.name)
    if cached is not None:
        return cached
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(rule.vjp)))
    value_uses: set[str] = set()
    shape_uses: set[str] = set()
    shape_arg_ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fname = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", None)
            )
            for pos, arg in enumerate(node.args):
                if (fname, pos) in _SHAPE_READS and isinstance(arg, ast.Name):
                    shape_arg_ids.add(id(arg))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            (shape_uses if id(node) in shape_arg_ids else value_uses).add(node.id)
    result = frozenset(n for n in rule.inputs if n in shape_uses and n not in value_uses)
    _shape_only_cache[rule.name] = result
    return result


class ShapeOnly:
    """Stands for a saved input whose gradient needs only its shape and dtype."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape = shape
        self.dtype = dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def array(self) -> np.ndarray:
        # a zero-strided array: right shape and dtype, no memory
        return np.broadcast_to(np.zeros((), self.dtype), self.shape)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array()


_SPECS: dict[str, OpSpec] = {}


def spec(node_name: str, rule_name: str, fn: Any = None, params: tuple[str, ...] = ()) -> OpSpec:
    """The op ``node_name`` backed by rule ``rule_name``; ``params`` names the values
    (in order) that the op passes for the rule's defaulted parameters."""
    key = node_name + "/" + rule_name
    s = _SPECS.get(key)
    if s is None:
        s = _SPECS[key] = OpSpec(node_name, rule_name, fn, params)
    return s


def edge(t: Tensor) -> tuple[Any, int]:
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._out_nr)
    if t._requires_grad:
        acc = t._accum
        if acc is None:
            acc = t._accum = _engine.AccumulateGrad(t)
        return (acc, 0)
    return _NO_EDGE


def record(
    sp: OpSpec,
    out: np.ndarray,
    ins: tuple[Any, ...],
    params: tuple[Any, ...],
    needs: tuple[bool, ...],
) -> Tensor:
    """Wrap ``out`` in a Tensor whose grad_fn is a new ``sp`` node over ``ins``.

    One pass over the inputs builds the edges, the saved values (Tensors for
    values a needed gradient reads, :class:`ShapeOnly` for inputs read only
    for their shape), the versions to check, and the shapes/dtypes to reduce
    and cast gradients back to.
    """
    node = _object_new(sp.node)
    node._hooks = None
    node._needs = needs
    k = sp._keep.get(needs)
    keep_ans, keep_in = k if k is not None else sp.keep(needs)
    n = len(ins)
    oshape = out.shape
    odt = out.dtype
    bro = sp.broadcasts
    edges = []
    saved = [out if keep_ans else None]
    versions = None
    shapes = None
    dtypes = None
    for i in range(n):
        t = ins[i]
        if type(t) is Tensor or isinstance(t, Tensor):
            fn = t._grad_fn
            if fn is not None:
                edges.append((fn, t._out_nr))
            elif t._requires_grad:
                acc = t._accum
                if acc is None:
                    acc = t._accum = _engine.AccumulateGrad(t)
                edges.append((acc, 0))
            else:
                edges.append(_NO_EDGE)
            k = keep_in[i]
            if k == 1:
                saved.append(t)
                if versions is None:
                    versions = [-1] * (n + 1)
                vc = t._vc
                if vc is INFERENCE_VC:
                    raise RuntimeError(INFERENCE_SAVE_MSG)
                versions[i + 1] = 0 if vc is None else vc[0]
            elif k == 2:
                saved.append(ShapeOnly(t._data.shape, t._data.dtype))
            else:
                saved.append(None)
            if needs[i]:
                d = t._data
                if bro and d.shape != oshape:
                    if shapes is None:
                        shapes = [None] * n
                    shapes[i] = d.shape
                if d.dtype is not odt:
                    if dtypes is None:
                        dtypes = [None] * n
                    dtypes[i] = d.dtype
        else:
            edges.append(_NO_EDGE)
            saved.append(t if keep_in[i] else None)
    node.next_functions = tuple(edges)
    layout = sp.layout
    if layout is None:
        saved.extend(params)
    else:
        for i, default in layout:
            saved.append(params[i] if i >= 0 else default)
    node._saved = saved
    res = _object_new(Tensor)  # _wrap(out, True, node), inlined: this is the hot path
    res._data = out
    res._requires_grad = True
    res._grad_fn = node
    res._grad = None
    res._vc = None
    res._base = None
    res._out_nr = 0
    res._accum = None
    ans_vc = None
    if keep_ans:
        res._vc = ans_vc = [0]
        if versions is None:
            versions = [-1] * (n + 1)
        versions[0] = 0
    if versions is None and shapes is None and dtypes is None:
        node._meta = None
    else:
        node._meta = [versions, ans_vc, shapes, dtypes]
    if _engine.ANOMALY[0]:
        _engine.record_anomaly_trace(node)
    return res


# ----------------------------------------------------------------------------- dtypes

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_promo_cache: dict[Any, np.dtype] = {}


def _key(x: Any) -> Any:
    if isinstance(x, Tensor):
        return (x._data.dtype, x._data.ndim == 0)
    return type(x)


def result_dtype(*operands: Any) -> np.dtype:
    """PyTorch's type promotion: dimensioned tensors, then 0-d tensors, then Python scalars."""
    key = tuple(_key(x) for x in operands)
    dt = _promo_cache.get(key)
    if dt is None:
        dt = _promo_cache[key] = _promote(key)
    return dt


def _promote(key: tuple[Any, ...]) -> np.dtype:
    dims = [k[0] for k in key if isinstance(k, tuple) and not k[1]]
    zeros = [k[0] for k in key if isinstance(k, tuple) and k[1]]
    scalars = [k for k in key if not isinstance(k, tuple)]
    dt = np.result_type(*dims) if dims else None
    if zeros:
        zd = np.result_type(*zeros)
        if dt is None or _CATEGORY[zd.kind] > _CATEGORY[dt.kind]:
            dt = zd
    sc = max((_scalar_category(s) for s in scalars), default=-1)
    if dt is None:
        return {0: np.dtype(np.bool_), 1: np.dtype(np.int64), 2: _dt.get_default_dtype().np}.get(
            sc, np.dtype(np.complex64)
        )
    if sc > _CATEGORY[dt.kind]:
        if sc == 1:
            dt = np.dtype(np.int64)
        elif sc == 2:
            dt = _dt.get_default_dtype().np
        else:
            dt = np.dtype(np.complex128) if dt == np.float64 else np.dtype(np.complex64)
    return dt


def _scalar_category(t: type) -> int:
    if t is bool or issubclass(t, np.bool_):
        return 0
    if issubclass(t, (int, np.integer)):
        return 1
    if issubclass(t, (float, np.floating)):
        return 2
    return 3


def float_dtype(dt: np.dtype) -> np.dtype:
    """The dtype a float-only op (exp, true division) returns for ``dt``."""
    return dt if dt.kind in "fc" else _dt.get_default_dtype().np


# ----------------------------------------------------------------------------- operands


def as_operand(x: Any) -> Any:
    """A Tensor or a Python number, from whatever a user passed next to a Tensor."""
    if isinstance(x, Tensor) or type(x) in _py_scalars:
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (np.ndarray, list, tuple)):
        arr = np.asarray(x)
        if arr.dtype == np.float64 and not isinstance(x, np.ndarray):
            arr = arr.astype(_dt.get_default_dtype().np)
        return _wrap(arr)
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


def to_array(out: Any) -> np.ndarray:
    return out if type(out) is _ndarray else np.asarray(out)


# ----------------------------------------------------------------------------- dispatch


_SCALARS = frozenset({float, int, bool, complex})


def binary(sp: OpSpec, a: Any, b: Any, true_div: bool = False) -> Tensor:
    """``sp.fn(a, b)`` with broadcasting; either operand may be a Python number."""
    ta = type(a)
    tb = type(b)
    if ta is Tensor:
        ad = a._data
        areq = a._requires_grad
        if tb is Tensor:
            bd = b._data
            breq = b._requires_grad
        elif tb in _SCALARS:
            bd = b
            breq = False
        else:
            return _binary_general(sp, a, b, true_div)
    elif tb is Tensor and ta in _SCALARS:
        ad = a
        areq = False
        bd = b._data
        breq = b._requires_grad
    else:
        return _binary_general(sp, a, b, true_div)
    try:
        out = sp.fn(ad, bd)
    except ValueError:
        raise RuntimeError(broadcast_message(np.shape(ad), np.shape(bd))) from None
    if type(out) is not _ndarray:
        out = np.asarray(out)
    odt = out.dtype
    if true_div or (ta is Tensor and odt is not ad.dtype) or (tb is Tensor and odt is not bd.dtype):
        want = result_dtype(a, b)
        if true_div:
            want = float_dtype(want)
        if odt != want:
            out = out.astype(want)
    if (areq or breq) and GRAD[0]:
        return record(sp, out, (a, b), (), (areq, breq))
    return _wrap(out)


def _binary_general(sp: OpSpec, a: Any, b: Any, true_div: bool) -> Tensor:
    """Operands that are not a Tensor or a Python number: numpy values, lists, subclasses
    (an ``nn.Parameter`` operand costs one more isinstance than a plain Tensor)."""
    a = as_operand(a)
    b = as_operand(b)
    a_t = isinstance(a, Tensor)
    b_t = isinstance(b, Tensor)
    ad = a._data if a_t else a
    bd = b._data if b_t else b
    try:
        out = to_array(sp.fn(ad, bd))
    except ValueError:
        raise RuntimeError(broadcast_message(np.shape(ad), np.shape(bd))) from None
    want = result_dtype(a, b)
    if true_div:
        want = float_dtype(want)
    if out.dtype != want:
        out = out.astype(want)
    areq = a_t and a._requires_grad
    breq = b_t and b._requires_grad
    if (areq or breq) and GRAD[0]:
        return record(sp, out, (a, b), (), (areq, breq))
    return _wrap(out)


def broadcast_message(sa: tuple[int, ...], sb: tuple[int, ...]) -> str:
    """PyTorch's text for shapes that do not broadcast."""
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return (
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                "non-singleton "
                f"dimension {i}"
            )
    return f"shapes {list(sa)} and {list(sb)} cannot be broadcast"


def unary(sp: OpSpec, a: Tensor, params: tuple[Any, ...] = (), float_only: bool = False) -> Tensor:
    ad = a._data
    out = sp.fn(ad, *params)
    if type(out) is not _ndarray:
        out = np.asarray(out)
    if float_only and out.dtype is not ad.dtype:
        want = float_dtype(ad.dtype)
        if out.dtype != want:
            out = out.astype(want)
    if a._requires_grad and GRAD[0]:
        return record(sp, out, (a,), params, (True,))
    return _wrap(out)


def nary(sp: OpSpec, out: Any, ins: tuple[Any, ...], params: tuple[Any, ...] = ()) -> Tensor:
    """Record an op whose primal was already computed (``out``) over tensors ``ins``."""
    out = to_array(out)
    if GRAD[0]:
        needs = tuple(isinstance(t, Tensor) and t._requires_grad for t in ins)
        if True in needs:
            return record(sp, out, ins, params, needs)
    return _wrap(out)


def view_of(base: Tensor, out: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base`` (shares its storage and version counter)."""
    out._base = base if base._base is None else base._base
    out._vc = base._counter()
    fn = out._grad_fn
    if fn is not None and fn._meta is not None and fn._meta[1] is not None:
        # the node saved the output: track it with the shared counter
        fn._meta[1] = out._vc
        fn._meta[0][0] = out._vc[0]
    return out


# ----------------------------------------------------------------------------- in place

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)


def check_inplace(t: Tensor) -> None:
    if GRAD[0]:
        if t._grad_fn is None and t._requires_grad:
            raise RuntimeError(LEAF_INPLACE)
        base = t._base
        if base is not None and base._grad_fn is None and base._requires_grad:
            raise RuntimeError(VIEW_LEAF_INPLACE)


def inplace(
    sp: OpSpec | None,
    t: Tensor,
    out: Any,
    others: tuple[Any, ...] = (),
    params: tuple[Any, ...] = (),
) -> Tensor:
    """Write ``out`` (the op's result) into ``t`` and make ``t`` the op's output.

    The gradient flows to the old ``t`` (its previous grad_fn) and to ``others``.
    When a needed gradient reads the old value of ``t``, a copy of it is saved.
    """
    check_inplace(t)
    if t._vc is INFERENCE_VC and not INFERENCE[0]:
        raise RuntimeError(INFERENCE_INPLACE_MSG)
    out = to_array(out)
    if out.dtype != t._data.dtype:
        if _CATEGORY[out.dtype.kind] > _CATEGORY[t._data.dtype.kind]:
            promoted = result_dtype(
                t, *[o for o in others if isinstance(o, (Tensor, *_py_scalars))]
            )
            raise RuntimeError(
                f"result type {_type_name(promoted)} can't be cast to the desired output type "
                f"{_type_name(t._data.dtype)}"
            )
    if out.shape != t._data.shape:
        try:
            out = np.broadcast_to(out, t._data.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
                f"{list(out.shape)}"
            ) from None
    track = (
        sp is not None
        and GRAD[0]
        and (t._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others))
    )
    old = None
    if track:
        needs = (t._requires_grad,) + tuple(
            isinstance(o, Tensor) and o._requires_grad for o in others
        )
        keep_ans, keep_in = sp.keep(needs)
        old = t
        if keep_in[0] == 1:  # the rule reads the value we are about to overwrite: keep a copy
            old = _wrap(t._data.copy(), t._requires_grad, t._grad_fn)
            old._out_nr = t._out_nr
            old._accum = t._accum
        shadow = _wrap(t._data, t._requires_grad, t._grad_fn)
        shadow._out_nr = t._out_nr
        shadow._accum = t._accum
        shadow._vc = t._vc
        if keep_in[0] != 1:
            old = shadow
    t._data[...] = out
    t._bump()
    if track:
        res = record(sp, t._data, (old,) + tuple(others), params, needs)
        t._grad_fn = res._grad_fn
        t._requires_grad = True
        t._out_nr = 0
        node = res._grad_fn
        if node._meta is not None and node._meta[1] is not None:
            node._meta[1] = t._counter()
            node._meta[0][0] = t._vc[0]
        _rebase_view(t)
    return t


def _rebase_view(t: Tensor) -> None:
    """An in-place change of a view: the base now depends on it (PyTorch's CopySlices)."""
    base = t._base
    if base is None:
        return
    from srcdiff.ops.views import copy_slices

    copy_slices(base, t)


def _type_name(dt: np.dtype) -> str:
    """PyTorch's scalar type name: Float, Double, Long, Int, Bool, ..."""
    return _dt.FROM_NP[np.dtype(dt)]._legacy[: -len("Tensor")]


_engine._ShapeOnly[0] = ShapeOnly
