"""Run corpus functions on eager Tensors: a numpy-shaped namespace over srcdiff's ops.

A corpus function is rebuilt (``types.FunctionType`` over its own code object) with a
copy of its module globals in which ``np`` is :data:`NP` and ``math`` is :data:`MATH`.
The user functions, classes and ``tests.codegen`` modules it reaches through its
globals are rebuilt the same way, so helpers in other modules also see the eager ops.
The corpus source is never edited.

:data:`NP` maps only the numpy names the corpus uses, with numpy's keyword names
(``axis``, ``keepdims``, ``ddof``) translated to PyTorch's (``dim``, ``keepdim``,
``correction``).  Any other name raises :class:`EagerUnsupported`, and so does a
``math`` function given a Tensor: ``math.sin(t)`` would silently turn ``t`` into a
float and drop its gradient, which would show up as a wrong eager gradient instead
of as "this function cannot run on Tensors".
"""

from __future__ import annotations

import contextlib
import math
import types
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import srcdiff
from srcdiff import Tensor

USER_PREFIX = "tests.codegen."  # modules whose functions and classes get rebound


class EagerUnsupported(TypeError):
    """The function uses something that has no eager-Tensor counterpart here."""


def _dims(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _reduce(op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``np.sum(a, axis=None, keepdims=False)`` as ``op(a, dim=axis, keepdim=keepdims)``."""

    def reduce(a: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
        t = asarray(a)
        if axis is None:
            out = op(t)
            return out.reshape((1,) * t.ndim) if keepdims else out
        return op(t, dim=_dims(axis), keepdim=keepdims)

    reduce.__name__ = op.__name__
    return reduce


def _spread(op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """numpy's ``var``/``std`` (``ddof``, default 0) as PyTorch's (``correction``)."""

    def spread(a: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return op(asarray(a), dim=_dims(axis), correction=ddof, keepdim=keepdims)

    spread.__name__ = op.__name__
    return spread


def _extreme(op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``np.max``/``np.min`` as ``amax``/``amin`` (all axes when ``axis`` is None)."""

    def extreme(a: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
        return op(asarray(a), dim=() if axis is None else _dims(axis), keepdim=keepdims)

    extreme.__name__ = op.__name__
    return extreme


def asarray(a: Any, dtype: Any = None) -> Tensor:
    """A Tensor as is; anything else through ``srcdiff.tensor`` (numpy's dtype rules)."""
    if isinstance(a, Tensor):
        return a
    if isinstance(a, (list, tuple)) and any(isinstance(e, Tensor) for e in a):
        raise EagerUnsupported("np.array of a list holding Tensors (use np.stack)")
    data = np.asarray(a, dtype=dtype)
    return srcdiff.tensor(data, dtype=_srcdiff_dtype(data.dtype))


def _srcdiff_dtype(dt: np.dtype) -> Any:
    names = {"float64": srcdiff.float64, "int64": srcdiff.int64, "bool": srcdiff.bool}
    if dt.name not in names:
        raise EagerUnsupported(f"no eager dtype mapped for numpy {dt.name}")
    return names[dt.name]


def dot(a: Any, b: Any) -> Tensor:
    a, b = asarray(a), asarray(b)
    if a.ndim > 2 or b.ndim > 2 or a.ndim == 0 or b.ndim == 0:
        raise EagerUnsupported("np.dot beyond 1-D/2-D operands")
    return srcdiff.matmul(a, b)


def transpose(a: Any, axes: Any = None) -> Tensor:
    t = asarray(a)
    return t.permute(*(reversed(range(t.ndim)) if axes is None else axes))


def _shape(shape: Any) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(shape)


def zeros(shape: Any) -> Tensor:
    return srcdiff.zeros(_shape(shape), dtype=srcdiff.float64)


def ones(shape: Any) -> Tensor:
    return srcdiff.ones(_shape(shape), dtype=srcdiff.float64)


def arange(*args: Any) -> Tensor:
    # numpy: integer arguments give int64, any float gives float64 (as srcdiff.arange does)
    return srcdiff.arange(*args)


def _unary(op: Callable[..., Tensor]) -> Callable[[Any], Tensor]:
    def apply(a: Any) -> Tensor:
        return op(asarray(a))

    apply.__name__ = op.__name__
    return apply


class _Namespace(types.SimpleNamespace):
    """Attributes as given; a missing one raises :class:`EagerUnsupported` naming it."""

    def __getattr__(self, name: str) -> Any:
        raise EagerUnsupported(f"the eager numpy namespace has no {name!r}")


LINALG = _Namespace(norm=lambda a: srcdiff.norm(asarray(a)), inv=srcdiff.inverse)

NP = _Namespace(
    # elementwise
    sin=_unary(srcdiff.sin),
    cos=_unary(srcdiff.cos),
    tan=_unary(srcdiff.tan),
    exp=_unary(srcdiff.exp),
    log=_unary(srcdiff.log),
    log1p=_unary(srcdiff.log1p),
    expm1=_unary(srcdiff.expm1),
    sqrt=_unary(srcdiff.sqrt),
    tanh=_unary(srcdiff.tanh),
    arctan=_unary(srcdiff.arctan),
    abs=_unary(srcdiff.abs),
    square=_unary(srcdiff.square),
    add=srcdiff.add,
    subtract=srcdiff.sub,
    multiply=srcdiff.mul,
    divide=srcdiff.div,
    power=srcdiff.pow,
    maximum=srcdiff.maximum,
    minimum=srcdiff.minimum,
    logaddexp=srcdiff.logaddexp,
    where=srcdiff.where,
    clip=lambda a, lo, hi: srcdiff.clamp(asarray(a), lo, hi),
    # reductions
    sum=_reduce(srcdiff.sum),
    mean=_reduce(srcdiff.mean),
    prod=_reduce(srcdiff.prod),
    max=_extreme(srcdiff.amax),
    min=_extreme(srcdiff.amin),
    std=_spread(srcdiff.std),
    var=_spread(srcdiff.var),
    argmax=lambda a: srcdiff.argmax(asarray(a)),
    # linear algebra
    dot=dot,
    matmul=srcdiff.matmul,
    einsum=srcdiff.einsum,
    outer=srcdiff.outer,
    linalg=LINALG,
    # shapes
    transpose=transpose,
    reshape=lambda a, shape: asarray(a).reshape(_shape(shape)),
    concatenate=lambda seq, axis=0: srcdiff.cat(list(seq), dim=axis),
    stack=lambda seq, axis=0: srcdiff.stack(list(seq), dim=axis),
    squeeze=lambda a, axis=None: srcdiff.squeeze(asarray(a), axis),
    expand_dims=lambda a, axis: srcdiff.unsqueeze(asarray(a), axis),
    broadcast_to=lambda a, shape: asarray(a).expand(*_shape(shape)),
    # creation
    array=asarray,
    asarray=asarray,
    arange=arange,
    zeros=zeros,
    ones=ones,
    eye=lambda n: srcdiff.eye(n, dtype=srcdiff.float64),
    zeros_like=srcdiff.zeros_like,
    ones_like=srcdiff.ones_like,
    empty_like=srcdiff.empty_like,
    # types and constants; random draws stay numpy's (they are constants to both engines)
    ndarray=Tensor,
    float64=srcdiff.float64,
    random=np.random,
    pi=np.pi,
    e=np.e,
    newaxis=None,
)


def _math_guard(name: str) -> Callable[..., Any]:
    fn = getattr(math, name)

    def guarded(*args: Any) -> Any:
        if any(isinstance(a, Tensor) for a in args):
            raise EagerUnsupported(f"math.{name} of a Tensor (it would become a float)")
        return fn(*args)

    return guarded


class _MathGuard(types.SimpleNamespace):
    def __getattr__(self, name: str) -> Any:
        value = getattr(math, name)
        return _math_guard(name) if callable(value) else value


MATH = _MathGuard()


# --- rebinding user code -------------------------------------------------------------


class Rebinder:
    """Rebuilds user functions, classes and modules over globals that see NP and MATH.

    One rebuilt globals dict per module (shared by everything from that module), so
    mutual recursion and module-level helpers resolve to the rebuilt versions."""

    def __init__(self) -> None:
        self._globals: dict[int, dict[str, Any]] = {}
        self._done: dict[int, Any] = {}

    def value(self, v: Any) -> Any:
        if v is np:
            return NP
        if v is math:
            return MATH
        if not _is_user(v):
            return v
        if id(v) not in self._done:
            self._done[id(v)] = self._rebuild(v)
        return self._done[id(v)]

    def _rebuild(self, v: Any) -> Any:
        if isinstance(v, types.FunctionType):
            return self.function(v)
        if isinstance(v, type):
            methods = {k: self.value(m) for k, m in vars(v).items() if _is_user(m)}
            names = {"__module__": v.__module__, "__qualname__": v.__qualname__}
            return type(v.__name__, (v,), {**names, **methods})
        return types.SimpleNamespace(**self.module_globals(vars(v)))

    def function(self, fn: types.FunctionType) -> types.FunctionType:
        new = types.FunctionType(
            fn.__code__,
            self.module_globals(fn.__globals__),
            fn.__name__,
            fn.__defaults__,
            fn.__closure__,
        )
        new.__kwdefaults__ = fn.__kwdefaults__
        new.__qualname__ = fn.__qualname__
        return new

    def module_globals(self, g: dict[str, Any]) -> dict[str, Any]:
        if id(g) not in self._globals:
            new: dict[str, Any] = {}
            self._globals[id(g)] = new  # before filling: cycles resolve to this dict
            for k, v in g.items():
                new[k] = self.value(v)
        return self._globals[id(g)]


def _is_user(v: Any) -> bool:
    if isinstance(v, types.ModuleType):
        return v.__name__.startswith(USER_PREFIX)
    if isinstance(v, (types.FunctionType, type)):
        return getattr(v, "__module__", "").startswith(USER_PREFIX)
    return False


# --- arguments and gradients ----------------------------------------------------------


def to_eager(obj: Any, grad: bool, rebinder: Rebinder, leaves: list[Tensor]) -> Any:
    """``obj`` with floats and float arrays as float64 Tensors (leaves with
    ``requires_grad`` when ``grad``, collected in ``leaves`` in order), ints unchanged,
    containers rebuilt, and user objects re-created as their rebound class."""
    if isinstance(obj, bool) or isinstance(obj, (int, np.integer)):
        return obj
    if isinstance(obj, (float, np.floating)) or (
        isinstance(obj, np.ndarray) and obj.dtype == np.float64
    ):
        leaf = srcdiff.tensor(np.asarray(obj, dtype=np.float64), dtype=srcdiff.float64)
        if not grad:
            return leaf
        leaf.requires_grad_(True)
        leaves.append(leaf)
        # a clone, so functions that write into their argument do not write into a leaf
        return leaf.clone()
    if isinstance(obj, np.ndarray):
        return asarray(obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_eager(o, grad, rebinder, leaves) for o in obj)
    if isinstance(obj, dict):
        return {k: to_eager(o, grad, rebinder, leaves) for k, o in obj.items()}
    if _is_user(type(obj)):
        new = object.__new__(rebinder.value(type(obj)))
        for k, o in vars(obj).items():
            setattr(new, k, to_eager(o, grad, rebinder, leaves))
        return new
    raise EagerUnsupported(f"no eager form for an argument of type {type(obj).__name__}")


def _gradient_like(like: Any, leaves: Iterator[Tensor]) -> Any:
    """The leaves' ``.grad`` in ``like``'s structure, as the compiler returns it."""
    if isinstance(like, (float, np.floating)) or isinstance(like, np.ndarray):
        leaf = next(leaves)
        g = np.zeros(np.shape(like)) if leaf.grad is None else leaf.grad.numpy().copy()
        return float(g) if isinstance(like, (float, np.floating)) else g
    if isinstance(like, (list, tuple)):
        return type(like)(_gradient_like(o, leaves) for o in like)
    if isinstance(like, dict):
        return {k: _gradient_like(o, leaves) for k, o in like.items()}
    raise EagerUnsupported(f"no gradient for an argument of type {type(like).__name__}")


@contextlib.contextmanager
def float64_default() -> Iterator[None]:
    """numpy's default float is float64; PyTorch's (and srcdiff's) is float32."""
    before = srcdiff.get_default_dtype()
    srcdiff.set_default_dtype(srcdiff.float64)
    try:
        yield
    finally:
        srcdiff.set_default_dtype(before)


def eager_function(fn: types.FunctionType) -> types.FunctionType:
    """``fn`` over globals in which ``np`` and ``math`` (and its helpers) are eager."""
    return Rebinder().function(fn)


def eager_grad(fn: types.FunctionType, args: tuple, argnums: tuple[int, ...]) -> tuple:
    """The eager engine's gradient of scalar ``fn`` w.r.t. ``args[i]`` for i in argnums,
    one entry per argnum, each in its argument's structure."""
    rebinder = Rebinder()
    eager_fn = rebinder.function(fn)
    with float64_default():
        per_arg: list[list[Tensor]] = []
        eager_args = []
        for i, a in enumerate(args):
            leaves: list[Tensor] = []
            eager_args.append(to_eager(a, i in argnums, rebinder, leaves))
            per_arg.append(leaves)
        out = eager_fn(*eager_args)
        if not isinstance(out, Tensor):
            raise AssertionError(f"{fn.__name__} returned {type(out).__name__} on Tensors")
        if out.numel() != 1 or not out.requires_grad:
            raise AssertionError(f"{fn.__name__}: output {out!r} is not a scalar with a graph")
        out.reshape(()).backward()
    return tuple(_gradient_like(args[i], iter(per_arg[i])) for i in argnums)
