"""The array namespace rules see when the backward pass is itself recorded.

With ``create_graph=True`` the engine calls the shared rules with ``xp`` set to
this module, on Tensors: every function here is a differentiable Tensor op
under numpy's name and signature, so higher derivatives come from the same
rule table.  Non-Tensor arguments (Python numbers, index tuples) pass through.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from srcdiff.tensor import Tensor, _wrap


def asarray(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return _wrap(np.asarray(x))


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else _wrap(np.asarray(x))


def shape(x: Any) -> tuple[int, ...]:
    return tuple(x._data.shape) if isinstance(x, Tensor) else np.shape(x)


def ndim(x: Any) -> int:
    return len(shape(x))


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    from srcdiff.ops.reductions import SUM0, SUM1, _reduce

    x = _t(x)
    axis = _norm_axes(axis, x._data.ndim)
    return _reduce(SUM0 if axis is None else SUM1, x, axis, keepdims, (None,))


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    from srcdiff.ops.reductions import MEAN0, MEAN1, _reduce

    x = _t(x)
    axis = _norm_axes(axis, x._data.ndim)
    return _reduce(MEAN0 if axis is None else MEAN1, x, axis, keepdims, (None,))


def _norm_axes(axis: Any, nd: int) -> Any:
    if axis is None:
        return None
    if isinstance(axis, (tuple, list)):
        return tuple(a % nd for a in axis) if nd else None
    return axis % nd if nd else None


def reshape(x: Any, newshape: Any) -> Tensor:
    from srcdiff.ops.views import reshape as _reshape

    return _reshape(_t(x), tuple(newshape) if not isinstance(newshape, int) else (newshape,))


def expand_dims(x: Any, axis: Any) -> Tensor:
    from srcdiff.ops.views import unsqueeze

    x = _t(x)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    nd = x._data.ndim + len(axes)
    for a in sorted(a % nd for a in axes):
        x = unsqueeze(x, a)
    return x


def broadcast_to(x: Any, shape_: Any) -> Tensor:
    from srcdiff.ops.views import expand

    return expand(_t(x), tuple(shape_))


def matmul(x: Any, y: Any) -> Tensor:
    from srcdiff.ops.views import matmul as _matmul

    return _matmul(_t(x), _t(y))


def dot(x: Any, y: Any) -> Tensor:
    return matmul(x, y)


def swapaxes(x: Any, a: int, b: int) -> Tensor:
    from srcdiff.ops.views import transpose as _transpose

    return _transpose(_t(x), a, b)


def transpose(x: Any, axes: Any = None) -> Tensor:
    from srcdiff.ops.views import permute

    x = _t(x)
    if axes is None:
        axes = tuple(reversed(range(x._data.ndim)))
    return permute(x, tuple(int(a) for a in axes))


def ravel(x: Any) -> Tensor:
    return reshape(x, (-1,))


def argsort(a: Any) -> Any:
    """Only used on axis permutations (plain ints): no gradient."""
    return np.argsort(a._data if isinstance(a, Tensor) else a)


def zeros_like(x: Any) -> Tensor:
    return _wrap(np.zeros_like(_t(x)._data))


def ones_like(x: Any) -> Tensor:
    return _wrap(np.ones_like(_t(x)._data))


def where(cond: Any, x: Any, y: Any) -> Tensor:
    from srcdiff.ops.pointwise import where as _where

    return _where(cond, x, y)


def _unary(name: str, fallback: Any) -> Any:
    def op(x: Any) -> Any:
        if not isinstance(x, Tensor):
            return fallback(x)
        from srcdiff.ops import pointwise

        return getattr(pointwise, name)(x)

    op.__name__ = name
    return op


sin = _unary("sin", np.sin)
cos = _unary("cos", np.cos)
exp = _unary("exp", np.exp)
log = _unary("log", np.log)
sqrt = _unary("sqrt", np.sqrt)
tanh = _unary("tanh", np.tanh)
abs = _unary("abs", np.abs)  # noqa: A001
square = _unary("square", np.square)


def sign(x: Any) -> Any:
    # piecewise constant: its derivative is zero, so the result needs no graph
    return _wrap(np.sign(_t(x)._data))


def maximum(x: Any, y: Any) -> Tensor:
    from srcdiff.ops.pointwise import maximum as _maximum

    return _maximum(x, y)


def minimum(x: Any, y: Any) -> Tensor:
    from srcdiff.ops.pointwise import minimum as _minimum

    return _minimum(x, y)


def outer(x: Any, y: Any) -> Tensor:
    from srcdiff.ops.views import outer as _outer

    return _outer(_t(x), _t(y))


class _AddUfunc:
    """``xp.add``: addition plus numpy's ``add.at`` as a differentiable in-place op."""

    def __call__(self, x: Any, y: Any) -> Any:
        return x + y

    def at(self, out: Tensor, index: Any, values: Any) -> None:
        from srcdiff.ops.views import index_add_at

        index_add_at(out, index, values)


add = _AddUfunc()
pi = math.pi
e = math.e
newaxis = None
