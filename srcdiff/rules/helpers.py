"""Shared pieces of rule bodies, written against an array namespace ``xp``.

Every function here works for numpy arrays (``xp=numpy``) and for any
namespace that offers the same few functions (the eager Tensor namespace).
"""

from __future__ import annotations

from typing import Any


def unbroadcast(g: Any, shape: tuple[int, ...], xp: Any) -> Any:
    """Sum ``g`` down to ``shape``: the adjoint of broadcasting to g's shape."""
    g_shape = xp.shape(g)
    if tuple(g_shape) == tuple(shape):
        return g
    lead = len(g_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g_shape[lead + i] != 1
    )
    if axes:
        g = xp.sum(g, axis=axes)
    return xp.reshape(g, shape) if tuple(xp.shape(g)) != tuple(shape) else g


def unbroadcast_like(g: Any, x: Any, xp: Any) -> Any:
    """Sum ``g`` down to the shape of ``x`` (a number for a Python number)."""
    if isinstance(x, (int, float, complex)):
        return xp.sum(g) if xp.shape(g) else g
    return unbroadcast(g, xp.shape(x), xp)


def unreduce(g: Any, x: Any, axis: Any, keepdims: bool, xp: Any) -> Any:
    """Spread the adjoint of a reduction of ``x`` back over ``x``'s shape."""
    if axis is not None and not keepdims:
        g = xp.expand_dims(g, axis)
    return xp.broadcast_to(g, xp.shape(x))


def reduced_count(x: Any, axis: Any, xp: Any) -> int:
    """How many elements of ``x`` each output of a reduction over ``axis`` sums."""
    shape = xp.shape(x)
    if axis is None:
        count = 1
        for n in shape:
            count *= n
        return count
    axes = axis if isinstance(axis, tuple) else (axis,)
    count = 1
    for a in axes:
        count *= shape[a]
    return count


def matmul_grad_left(g: Any, x: Any, y: Any, xp: Any) -> Any:
    """Adjoint of ``x`` in ``x @ y`` for any ranks (1-d operands promoted as numpy does)."""
    x_nd, y_nd = len(xp.shape(x)), len(xp.shape(y))
    if x_nd == 1 and y_nd == 1:
        return g * y
    if y_nd == 1:
        return unbroadcast(xp.expand_dims(g, -1) * y, xp.shape(x), xp)
    if x_nd == 1:
        gx = xp.matmul(xp.expand_dims(g, -2), xp.swapaxes(y, -1, -2))
        return unbroadcast(xp.reshape(gx, xp.shape(gx)[:-2] + xp.shape(gx)[-1:]), xp.shape(x), xp)
    return unbroadcast(xp.matmul(g, xp.swapaxes(y, -1, -2)), xp.shape(x), xp)


def matmul_grad_right(g: Any, x: Any, y: Any, xp: Any) -> Any:
    """Adjoint of ``y`` in ``x @ y`` for any ranks."""
    x_nd, y_nd = len(xp.shape(x)), len(xp.shape(y))
    if x_nd == 1 and y_nd == 1:
        return g * x
    if x_nd == 1:
        return unbroadcast(xp.expand_dims(x, -1) * xp.expand_dims(g, -2), xp.shape(y), xp)
    if y_nd == 1:
        gy = xp.matmul(xp.swapaxes(x, -1, -2), xp.expand_dims(g, -1))
        return unbroadcast(xp.reshape(gy, xp.shape(gy)[:-1]), xp.shape(y), xp)
    return unbroadcast(xp.matmul(xp.swapaxes(x, -1, -2), g), xp.shape(y), xp)
