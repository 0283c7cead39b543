"""More ops on rules already in the table: hyperbolic and inverse trig functions, cumsum,
flip, tile/repeat, diagonal/trace/det/inverse, gather/scatter and friends, stacking."""

from __future__ import annotations

from typing import Any

import numpy as np

from srcdiff.ops.core import as_operand, nary, spec, unary
from srcdiff.ops.views import (
    GATHER,
    INDEX_ADD,
    INDEX_SELECT,
    MASKED_SELECT,
    SCATTER,
    SCATTER_ADD,
    getitem,
    index_add_at,
    setitem,
)
from srcdiff.tensor import Tensor, _norm_dim, _wrap

_UNARY = {
    "asin": spec("AsinBackward0", "arcsin", np.arcsin),
    "acos": spec("AcosBackward0", "arccos", np.arccos),
    "sinh": spec("SinhBackward0", "sinh", np.sinh),
    "cosh": spec("CoshBackward0", "cosh", np.cosh),
    "asinh": spec("AsinhBackward0", "arcsinh", np.arcsinh),
    "acosh": spec("AcoshBackward0", "arccosh", np.arccosh),
    "atanh": spec("AtanhBackward0", "arctanh", np.arctanh),
    "log2": spec("Log2Backward0", "log2", np.log2),
    "exp2": spec("Exp2Backward0", "exp2", np.exp2),
    "reciprocal": spec("ReciprocalBackward0", "reciprocal", np.reciprocal),
}
CUMSUM = spec("CumsumBackward0", "cumsum", np.cumsum, ("axis",))
FLIP = spec("FlipBackward0", "flip", np.flip, ("axis",))
TILE = spec("RepeatBackward0", "tile", np.tile, ("reps",))
REPEAT_INTERLEAVE = spec("RepeatInterleaveBackward0", "repeat", np.repeat, ("repeats", "axis"))
DIAGONAL = spec("DiagonalBackward0", "diagonal", np.diagonal, ("offset", "axis1", "axis2"))
TRACE = spec("TraceBackward0", "trace", np.trace)
DET = spec("LinalgDetBackward0", "det", np.linalg.det)
INV = spec("LinalgInvExBackward0", "inv", np.linalg.inv)
NORM = spec("LinalgVectorNormBackward0", "norm", np.linalg.norm, ("ord", "axis", "keepdims"))


def _unary_op(name: str) -> Any:
    sp = _UNARY[name]

    def op(input: Tensor) -> Tensor:  # noqa: A002
        x = input if isinstance(input, Tensor) else as_operand(input)
        return unary(sp, x, (), True)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (grad_fn {sp.name})."
    return op


asin = arcsin = _unary_op("asin")
acos = arccos = _unary_op("acos")
sinh = _unary_op("sinh")
cosh = _unary_op("cosh")
asinh = arcsinh = _unary_op("asinh")
acosh = arccosh = _unary_op("acosh")
atanh = arctanh = _unary_op("atanh")
log2 = _unary_op("log2")
exp2 = _unary_op("exp2")
reciprocal = _unary_op("reciprocal")


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    x = input if dtype is None else input.to(dtype)
    axis = _norm_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        return x * 1
    return nary(CUMSUM, np.cumsum(x._data, axis), (x,), (axis,))


def flip(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    axis = tuple(_norm_dim(d, input._data.ndim) for d in dims)
    return nary(FLIP, np.flip(input._data, axis).copy(), (input,), (axis,))


def tile(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    reps = tuple(dims) if not isinstance(dims, int) else (dims,)
    return nary(TILE, np.tile(input._data, reps), (input,), (reps,))


def repeat(input: Tensor, *sizes: Any) -> Tensor:  # noqa: A002
    """PyTorch's ``Tensor.repeat``: numpy's ``tile`` (at least as many sizes as dims)."""
    reps = tuple(sizes[0]) if len(sizes) == 1 and not isinstance(sizes[0], int) else sizes
    if len(reps) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    return tile(input, reps)


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    r = repeats._data if isinstance(repeats, Tensor) else repeats
    axis = None if dim is None else _norm_dim(dim, input._data.ndim)
    return nary(REPEAT_INTERLEAVE, np.repeat(input._data, r, axis), (input,), (r, axis))


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    nd = input._data.ndim
    a1, a2 = _norm_dim(dim1, nd), _norm_dim(dim2, nd)
    out = np.diagonal(input._data, offset, a1, a2).copy()
    return nary(DIAGONAL, out, (input,), (offset, a1, a2))


def trace(input: Tensor) -> Tensor:  # noqa: A002
    if input._data.ndim != 2:
        raise RuntimeError(
            "trace: expected a matrix, but got tensor with dim " + str(input._data.ndim)
        )
    return nary(TRACE, np.trace(input._data), (input,))


def det(input: Tensor) -> Tensor:  # noqa: A002
    return nary(DET, np.linalg.det(input._data), (input,))


def inverse(input: Tensor) -> Tensor:  # noqa: A002
    return nary(INV, np.linalg.inv(input._data), (input,))


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The p-norm over ``dim`` (all elements by default), via the table's norm rule."""
    nd = x._data.ndim
    if dim is None:
        flat = x.reshape(-1)
        out = nary(NORM, np.linalg.norm(flat._data, ord), (flat,), (ord, None, False))
        return out.reshape((1,) * nd) if keepdim else out
    axis = (dim,) if isinstance(dim, int) else tuple(dim)
    axis = tuple(_norm_dim(d, nd) for d in axis)
    if len(axis) == 1:
        out = np.linalg.norm(x._data, ord, axis[0], keepdim)
        return nary(NORM, out, (x,), (ord, axis[0], keepdim))
    # several dims: a vector norm over their flattened product
    rest = [d for d in range(nd) if d not in axis]
    moved = x.permute(*rest, *axis)
    flat = moved.reshape(*[x._data.shape[d] for d in rest], -1)
    out = vector_norm(flat, ord, -1, False)
    if keepdim:
        shape = [1 if d in axis else x._data.shape[d] for d in range(nd)]
        out = out.reshape(shape)
    return out


# ----------------------------------------------------------------------------- gather family


def _grid_index(index: np.ndarray, dim: int) -> tuple[Any, ...]:
    """numpy index tuple addressing ``out[i][j][k] = x[i][index[i][j][k]][k]`` (dim=1)."""
    grids = np.indices(index.shape, sparse=True)
    return tuple(index if d == dim else grids[d] for d in range(index.ndim))


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    d = _norm_dim(dim, input._data.ndim)
    return getitem(input, _grid_index(np.asarray(index._data, dtype=np.int64), d), GATHER)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    if dim is None:
        return take(input, indices)
    d = _norm_dim(dim, input._data.ndim)
    idx = np.asarray(indices._data, dtype=np.int64)
    shape = list(
        np.broadcast_shapes(tuple(np.delete(input._data.shape, d)), tuple(np.delete(idx.shape, d)))
    )
    shape.insert(d, idx.shape[d])
    idx = np.broadcast_to(idx, shape)
    xshape = list(shape)
    xshape[d] = input._data.shape[d]
    return gather(
        input.expand(*xshape) if tuple(xshape) != input._data.shape else input, d, _wrap(idx)
    )


def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    return getitem(input.reshape(-1), np.asarray(index._data, dtype=np.int64))


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    d = _norm_dim(dim, input._data.ndim)
    idx = np.asarray(index._data, dtype=np.int64)
    return getitem(input, (slice(None),) * d + (idx,), INDEX_SELECT)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    shape = np.broadcast_shapes(input._data.shape, mask._data.shape)
    x = input.expand(*shape) if input._data.shape != shape else input
    return getitem(x, np.broadcast_to(mask._data, shape).astype(bool), MASKED_SELECT)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    d = _norm_dim(dim, input._data.ndim)
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(_wrap(i.astype(np.int64)) for i in idx)
    return _wrap(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))


def scatter(input: Tensor, dim: int, index: Tensor, src: Any) -> Tensor:  # noqa: A002
    out = input.clone()
    return scatter_(out, dim, index, src)


def scatter_(self: Tensor, dim: int, index: Tensor, src: Any) -> Tensor:
    d = _norm_dim(dim, self._data.ndim)
    idx = np.asarray(index._data, dtype=np.int64)
    key = _grid_index(idx, d)
    value = src[tuple(slice(0, n) for n in idx.shape)] if isinstance(src, Tensor) else src
    setitem(self, key, value, SCATTER)
    return self


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    return scatter_add_(input.clone(), dim, index, src)


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    d = _norm_dim(dim, self._data.ndim)
    idx = np.asarray(index._data, dtype=np.int64)
    value = src[tuple(slice(0, n) for n in idx.shape)]
    return index_add_at(self, _grid_index(idx, d), value, SCATTER_ADD)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:  # noqa: A002
    out = input.clone()
    d = _norm_dim(dim, input._data.ndim)
    src = source if alpha == 1 else source * alpha
    idx = np.asarray(index._data, dtype=np.int64)
    return index_add_at(out, (slice(None),) * d + (idx,), src, INDEX_ADD)


# ----------------------------------------------------------------------------- optimizer helpers


def addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return self.add_(tensor1 * tensor2 * value)


def addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return self.add_(tensor1 / tensor2 * value)


def lerp_(self: Tensor, end: Tensor, weight: Any) -> Tensor:
    return self.add_((end - self) * weight)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:  # noqa: A002
    return input + (end - input) * weight


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:  # noqa: A002
    return input + tensor1 * tensor2 * value


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:  # noqa: A002
    return input + tensor1 / tensor2 * value


# ----------------------------------------------------------------------------- einsum

_EINSUM_NODE = None


def einsum(equation: str, *operands: Any) -> Tensor:
    """``np.einsum`` on tensors (grad_fn from the table's variadic ``einsum`` rule)."""
    global _EINSUM_NODE
    from srcdiff.autograd import engine as _engine
    from srcdiff.autograd.grad_mode import GRAD
    from srcdiff.ops.core import edge, result_dtype
    from srcdiff.rules import RULES

    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [as_operand(o) for o in operands]
    ts = [t if isinstance(t, Tensor) else _wrap(np.asarray(t)) for t in ts]
    dt = result_dtype(*ts)
    data = np.asarray(np.einsum(equation, *[t._data for t in ts])).astype(dt, copy=False)
    if not (GRAD[0] and any(t._requires_grad for t in ts)):
        return _wrap(data)
    if _EINSUM_NODE is None:
        _EINSUM_NODE = _engine.make_list_rule_node("EinsumBackward0", RULES["einsum"], True)
    node = object.__new__(_EINSUM_NODE)
    node._hooks = None
    node.next_functions = tuple(edge(t) for t in ts)
    node._args = [(equation,), ts, [t._version for t in ts]]
    node._dtypes = [None if t._data.dtype == dt else t._data.dtype for t in ts]
    return _wrap(data, True, node)
