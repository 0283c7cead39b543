"""Shape ops, views, indexing and matrix products."""

from __future__ import annotations

from typing import Any

import numpy as np

from srcdiff.autograd.grad_mode import GRAD
from srcdiff.ops.core import as_operand, check_inplace, inplace, nary, record, spec, view_of
from srcdiff.tensor import Tensor, _norm_dim, _wrap

VIEW = spec("ViewBackward0", "reshape", np.reshape, ("shape",))
UNSAFE_VIEW = spec("UnsafeViewBackward0", "reshape", np.reshape, ("shape",))
T = spec("TBackward0", "transpose", np.transpose, ("axes",))
TRANSPOSE = spec("TransposeBackward0", "transpose", np.transpose, ("axes",))
PERMUTE = spec("PermuteBackward0", "transpose", np.transpose, ("axes",))
UNSQUEEZE = spec("UnsqueezeBackward0", "expand_dims", np.expand_dims, ("axis",))
SQUEEZE0 = spec("SqueezeBackward0", "squeeze", np.squeeze, ("axis",))
SQUEEZE1 = spec("SqueezeBackward1", "squeeze", np.squeeze, ("axis",))
EXPAND = spec("ExpandBackward0", "broadcast_to", np.broadcast_to, ("shape",))
SELECT = spec("SelectBackward0", "getitem")
SLICE = spec("SliceBackward0", "getitem")
INDEX = spec("IndexBackward0", "getitem")
MM = spec("MmBackward0", "matmul", np.matmul)
MV = spec("MvBackward0", "matmul", np.matmul)
BMM = spec("BmmBackward0", "matmul", np.matmul)
MATMUL = spec("UnsafeViewBackward0", "matmul", np.matmul)
DOT = spec("DotBackward0", "dot", np.dot)
OUTER = spec("MulBackward0", "outer", np.outer)  # PyTorch computes outer as a broadcast mul
INDEX_PUT = spec("IndexPutBackward0", "setitem")
ADD_AT = spec("IndexPutBackward0", "add_at")
COPY_SLICES = spec("CopySlices", "setitem")


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shaped(sp: Any, x: Tensor, out: np.ndarray, params: tuple[Any, ...]) -> Tensor:
    if x._requires_grad and GRAD[0]:
        res = record(sp, out, (x,), params, (True,))
    else:
        res = _wrap(out)
    return view_of(x, res) if out.base is not None or out is x._data else res


def view(x: Tensor, *shape: Any) -> Tensor:
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        return x.to(shape[0]) if not isinstance(shape[0], Tensor) else view(x, shape[0].shape)
    target = _infer(_shape_arg(shape), x._data.size)
    if not x._data.flags.c_contiguous and x._data.size > 1:
        try:
            out = x._data.view()
            out.shape = target  # raises when no view is possible, as in PyTorch
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    else:
        out = x._data.reshape(target)
    return _shaped(VIEW, x, out, (target,))


def reshape(x: Tensor, *shape: Any) -> Tensor:
    target = _infer(_shape_arg(shape), x._data.size)
    out = x._data.reshape(target)
    return _shaped(VIEW if out.base is not None else UNSAFE_VIEW, x, out, (target,))


def view_as(x: Tensor, other: Tensor) -> Tensor:
    return view(x, other._data.shape)


def reshape_as(x: Tensor, other: Tensor) -> Tensor:
    return reshape(x, other._data.shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = x._data.ndim
    if nd == 0:
        return reshape(x, (1,))
    s, e = _norm_dim(start_dim, nd), _norm_dim(end_dim, nd)
    shape = x._data.shape
    n = 1
    for d in shape[s : e + 1]:
        n *= d
    return reshape(x, shape[:s] + (n,) + shape[e + 1 :])


def t(x: Tensor) -> Tensor:
    if x._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {x._data.ndim}D"
        )
    return _shaped(T, x, x._data.T, (None,))


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = x._data.ndim
    axes = list(range(nd))
    if nd:
        a, b = _norm_dim(dim0, nd), _norm_dim(dim1, nd)
        axes[a], axes[b] = axes[b], axes[a]
    return _shaped(TRANSPOSE, x, np.transpose(x._data, axes), (tuple(axes),))


swapaxes = swapdims = transpose


def permute(x: Tensor, *dims: Any) -> Tensor:
    axes = tuple(_norm_dim(d, x._data.ndim) for d in _shape_arg(dims))
    if sorted(axes) != list(range(x._data.ndim)):
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{x._data.ndim} is not equal to len(dims) = {len(axes)}"
        )
    return _shaped(PERMUTE, x, np.transpose(x._data, axes), (axes,))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    d = _norm_dim(dim, x._data.ndim + 1)
    return _shaped(UNSQUEEZE, x, np.expand_dims(x._data, d), (d,))


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    if dim is None:
        return _shaped(SQUEEZE0, x, np.squeeze(x._data), (None,))
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    axes = tuple(
        d
        for d in (_norm_dim(d, x._data.ndim) for d in dims)
        if x._data.ndim and x._data.shape[d] == 1
    )
    return _shaped(SQUEEZE1, x, np.squeeze(x._data, axes) if axes else x._data.view(), (axes,))


def expand(x: Tensor, *sizes: Any) -> Tensor:
    shape = _shape_arg(sizes)
    lead = len(shape) - x._data.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(x._data.shape)}}}, size={list(shape)}): the number "
            "of sizes provided "
            f"({len(shape)}) must be greater or equal to the number of dimensions in the tensor "
            f"({x._data.ndim})"
        )
    target = tuple(x._data.shape[i - lead] if s == -1 else s for i, s in enumerate(shape))
    try:
        out = np.broadcast_to(x._data, target)
    except ValueError:
        raise RuntimeError(
            f"The expanded size of the tensor ({target[-1]}) must match the existing size "
            f"({x._data.shape[-1]}) at "
            f"non-singleton dimension {len(target) - 1}.  Target sizes: {list(shape)}.  Tensor "
            f"sizes: {list(x._data.shape)}"
        ) from None
    return _shaped(EXPAND, x, out, (target,))


def expand_as(x: Tensor, other: Tensor) -> Tensor:
    return expand(x, other._data.shape)


def contiguous(x: Tensor) -> Tensor:
    return x if x._data.flags.c_contiguous else clone(x)


CLONE = spec("CloneBackward0", "reshape", np.reshape, ("shape",))


def clone(x: Tensor, *, memory_format: Any = None) -> Tensor:
    out = np.array(x._data, copy=True, order="C")
    if x._requires_grad and GRAD[0]:
        return record(CLONE, out, (x,), (out.shape,), (True,))
    return _wrap(out)


# ----------------------------------------------------------------------------- indexing


def _index_key(index: Any) -> Any:
    """Tensors inside an index become arrays; the kind of index picks the grad_fn name."""
    if isinstance(index, tuple):
        return tuple(_index_key(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        return (
            np.asarray([i._data if isinstance(i, Tensor) else i for i in index])
            if index and isinstance(index[0], Tensor)
            else np.asarray(index)
        )
    return index


def _is_basic(key: Any) -> tuple[bool, bool]:
    parts = key if isinstance(key, tuple) else (key,)
    basic = all(
        p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts
    )
    only_ints = all(isinstance(p, (int, np.integer)) for p in parts)
    return basic, only_ints


GATHER = spec("GatherBackward0", "getitem")
INDEX_SELECT = spec("IndexSelectBackward0", "getitem")
SPLIT = spec("SplitBackward0", "getitem")
MASKED_SELECT = spec("MaskedSelectBackward0", "getitem")
SCATTER = spec("ScatterBackward0", "setitem")
SCATTER_ADD = spec("ScatterAddBackward0", "add_at")
INDEX_ADD = spec("IndexAddBackward0", "add_at")


def getitem(x: Tensor, index: Any, node: Any = None) -> Tensor:
    """``x[index]``; ``node`` names the grad_fn when an op is built on indexing (gather)."""
    key = _index_key(index)
    try:
        out = x._data[key]
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None
    basic, only_ints = _is_basic(key)
    out = np.asarray(out) if type(out) is not np.ndarray else out
    sp = node if node is not None else (SELECT if only_ints else SLICE) if basic else INDEX
    if x._requires_grad and GRAD[0]:
        res = record(sp, out, (x, key), (), (True, False))
    else:
        res = _wrap(out)
    if basic and out.base is not None:
        view_of(x, res)
    elif (
        basic
        and x._data.ndim
        and only_ints
        and len(key if isinstance(key, tuple) else (key,)) == x._data.ndim
    ):
        # a 0-d element view: numpy gave a scalar copy, re-derive a real view to share storage
        flat = (
            np.ravel_multi_index(
                tuple(
                    int(k) % n
                    for k, n in zip(
                        key if isinstance(key, tuple) else (key,), x._data.shape, strict=False
                    )
                ),
                x._data.shape,
            )
            if x._data.flags.c_contiguous
            else None
        )
        if flat is not None:
            res._data = x._data.reshape(-1)[flat : flat + 1].reshape(())
            view_of(x, res)
    return res


def setitem(x: Tensor, index: Any, value: Any, node: Any = None) -> None:
    key = _index_key(index)
    v = as_operand(value)
    vd = v._data if isinstance(v, Tensor) else v
    check_inplace(x)
    new = x._data.copy()
    try:
        new[key] = vd
    except (ValueError, IndexError) as e:
        raise RuntimeError(str(e)) from None
    # PyTorch: a basic index writes through a view (CopySlices), an advanced one is index_put_
    if node is None:
        node = COPY_SLICES if _is_basic(key)[0] else INDEX_PUT
    inplace(node, x, new, (key, v))


def index_add_at(out: Tensor, index: Any, values: Any, node: Any = None) -> Tensor:
    """``out[index] += values`` with repeats accumulating (numpy's ``add.at``), differentiable."""
    key = _index_key(index)
    v = as_operand(values)
    new = out._data.copy()
    np.add.at(new, key, v._data if isinstance(v, Tensor) else v)
    return inplace(ADD_AT if node is None else node, out, new, (key, v))


def copy_slices(base: Tensor, view: Tensor) -> None:
    """After an in-place op on ``view``, route base's gradient through the view's new node."""
    if not (view._requires_grad and GRAD[0]):
        return
    region = _region(base._data, view._data)
    if region is None:
        raise RuntimeError(
            "in-place operation on this kind of view is not supported by srcdiff's autograd"
        )
    node_view = view._grad_fn
    old_base = _wrap(base._data, base._requires_grad, base._grad_fn)
    old_base._out_nr = base._out_nr
    old_base._accum = base._accum
    res = record(
        COPY_SLICES, base._data, (old_base, region, view), (), (base._requires_grad, False, True)
    )
    base._grad_fn = res._grad_fn
    base._requires_grad = True
    base._out_nr = 0
    # the view now reads its value from the base's new history
    view_new = getitem(_wrap(base._data, True, base._grad_fn), region)
    view._grad_fn = view_new._grad_fn
    del node_view


def _region(base: np.ndarray, view: np.ndarray) -> Any:
    """The index into ``base`` (C-contiguous) that selects exactly ``view``'s elements."""
    if not base.flags.c_contiguous:
        return None
    offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    item = base.itemsize
    if offset % item or any(s % item for s in view.strides):
        return None
    flat = np.lib.stride_tricks.as_strided(
        np.arange(base.size, dtype=np.int64)[offset // item :],
        shape=view.shape,
        strides=tuple(s // item * 8 for s in view.strides),
    )
    return np.unravel_index(np.array(flat), base.shape)


# ----------------------------------------------------------------------------- products


def _check_float(name: str, a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {a.dtype._legacy_name()} != "
            f"{b.dtype._legacy_name()}"
            if name == "mm"
            else f"{name}: expected both vectors to have same dtype, but found {_tn(a)} and "
            f"{_tn(b)}"
        )


def _tn(t: Tensor) -> str:
    return t.dtype._legacy[:-6]


def matmul(a: Any, b: Any) -> Tensor:
    a, b = as_operand(a), as_operand(b)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' must be Tensor")
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_long(a)} != {_long(b)}"
        )
    try:
        out = np.matmul(a._data, b._data)
    except ValueError:
        raise RuntimeError(_mm_shape_msg(a, b)) from None
    sp = DOT if na == nb == 1 else MM if na == nb == 2 else MV if (na == 2 and nb == 1) else MATMUL
    return nary(sp, out, (a, b))


def _long(t: Tensor) -> str:
    return {
        "FloatTensor": "float",
        "DoubleTensor": "double",
        "LongTensor": "long int",
        "IntTensor": "int",
        "HalfTensor": "c10::Half",
    }.get(t.dtype._legacy, t.dtype.name)


def _mm_shape_msg(a: Tensor, b: Tensor) -> str:
    sa = a._data.shape if a._data.ndim > 1 else (1,) + a._data.shape
    sb = b._data.shape
    rows, cols = (sb[-2], sb[-1]) if len(sb) > 1 else (sb[0], 1)
    return f"mat1 and mat2 shapes cannot be multiplied ({sa[-2]}x{sa[-1]} and {rows}x{cols})"


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    out = np.matmul(a._data, b._data)
    return nary(BMM, out, (a, b))


def mv(a: Tensor, v: Tensor) -> Tensor:
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {v._data.ndim}"
        )
    return matmul(a, v)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors"
        )
    if a._data.shape != b._data.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a._data.shape[0]}] and src "
            f"[{b._data.shape[0]}] to have "
            f"the same number of elements, but got {a._data.shape[0]} and {b._data.shape[0]} "
            "elements respectively"
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_tn(a)} and {_tn(b)}"
        )
    return nary(DOT, np.dot(a._data, b._data), (a, b))


vdot = inner = dot


def outer(a: Tensor, b: Tensor) -> Tensor:
    return nary(OUTER, np.outer(a._data, b._data), (a, b))


ger = outer


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    nd = x._data.ndim
    src = [_norm_dim(s, nd) for s in (source if isinstance(source, (tuple, list)) else (source,))]
    dst = [
        _norm_dim(d, nd)
        for d in (destination if isinstance(destination, (tuple, list)) else (destination,))
    ]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src, strict=False)):
        order.insert(d, s)
    return permute(x, tuple(order))


moveaxis = movedim
