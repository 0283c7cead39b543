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


def _extra_unary(name: str, fallback: Any) -> Any:
    def op(x: Any) -> Any:
        if not isinstance(x, Tensor):
            return fallback(x)
        from srcdiff.ops import extra

        return getattr(extra, name)(x)

    op.__name__ = name
    return op


sinh = _extra_unary("sinh", np.sinh)
cosh = _extra_unary("cosh", np.cosh)
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


def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    from srcdiff.ops.views import movedim

    return movedim(_t(x), source, destination)


def flip(x: Any, axis: Any = None) -> Tensor:
    from srcdiff.ops.extra import flip as _flip

    x = _t(x)
    dims = tuple(range(x._data.ndim)) if axis is None else axis
    return _flip(x, dims)


def cumsum(x: Any, axis: Any = None, dtype: Any = None) -> Tensor:
    from srcdiff.ops.extra import cumsum as _cumsum

    x = _t(x)
    if axis is None:
        return _cumsum(reshape(x, (-1,)), 0)
    return _cumsum(x, axis)


def repeat(x: Any, repeats: Any, axis: Any = None) -> Tensor:
    from srcdiff.ops.extra import repeat_interleave

    return repeat_interleave(_t(x), repeats, axis)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    from srcdiff.ops.extra import diagonal as _diagonal

    return _diagonal(_t(x), offset, axis1, axis2)


def take_along_axis(x: Any, indices: Any, axis: Any) -> Tensor:
    from srcdiff.ops.extra import take_along_dim

    return take_along_dim(_t(x), _t(indices), axis)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    from srcdiff.ops import tensor_split

    return list(tensor_split(_t(x), indices_or_sections, axis))


def concatenate(arrays: Any, axis: int = 0) -> Tensor:
    from srcdiff.ops import cat

    return cat([_t(a) for a in arrays], axis)


def stack(arrays: Any, axis: int = 0) -> Tensor:
    from srcdiff.ops import stack as _stack

    return _stack([_t(a) for a in arrays], axis)


def cumprod(x: Any, axis: int | None = None) -> Tensor:
    """Running products, built from differentiable multiplications (no rule of its own:
    only the backward of prod, under create_graph, calls it)."""
    x = _t(x)
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    parts = list(x.unbind(axis))
    out = [parts[0]]
    for p in parts[1:]:
        out.append(out[-1] * p)
    return stack(out, axis)


def einsum(subscripts: str, *operands: Any, optimize: Any = False) -> Tensor:
    from srcdiff.ops.extra import einsum as _einsum

    return _einsum(subscripts, *[_t(o) for o in operands])


def tensordot(a: Any, b: Any, axes: Any = 2) -> Tensor:
    """numpy's tensordot, spelled as an einsum (differentiable through the einsum rule)."""
    a, b = _t(a), _t(b)
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(axes, int):
        axes = (list(range(na - axes, na)), list(range(axes)))
    ax_a = [x % na for x in np.atleast_1d(axes[0]).tolist()]
    ax_b = [x % nb for x in np.atleast_1d(axes[1]).tolist()]
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b, strict=True):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in ax_a] + [
        c for j, c in enumerate(sb) if j not in ax_b
    ]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


def arange(*args: Any, **kwargs: Any) -> Any:
    return np.arange(*args, **kwargs)  # index arithmetic only: no gradient


def ones(shape: Any, dtype: Any = float) -> Tensor:
    return _wrap(np.ones(shape, dtype))


def eye(n: int, m: int | None = None, k: int = 0, dtype: Any = float) -> Tensor:
    return _wrap(np.eye(n, m, k, dtype))


class _Linalg:
    """``xp.linalg``: the parts the rules use."""

    @staticmethod
    def inv(a: Any) -> Tensor:
        from srcdiff.ops.extra import inverse

        return inverse(_t(a))


linalg = _Linalg()


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
