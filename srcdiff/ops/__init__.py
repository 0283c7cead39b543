"""Eager ops: functions (``srcdiff.add``) and the Tensor methods that call them."""

from __future__ import annotations

from typing import Any

import numpy as np

from srcdiff import dtypes as _dt
from srcdiff.autograd import engine as _engine
from srcdiff.autograd.grad_mode import GRAD
from srcdiff.ops import creation, extra, pointwise, reductions, views
from srcdiff.ops.core import as_operand, binary, inplace, nary, spec
from srcdiff.ops.pointwise import ADD, DIV, MUL, POW2, RSUB, SUB
from srcdiff.rules import RULES
from srcdiff.tensor import Tensor, _wrap

TO_COPY = spec("ToCopyBackward0", "reshape", np.reshape, ("shape",))
COPY = spec("CopyBackwards", "setitem")


def to(x: Tensor, *args: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    """Cast (``x.to(srcdiff.float64)``); devices other than cpu are refused."""
    for a in args:
        if isinstance(a, _dt.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif a is not None:
            from srcdiff.tensor import device

            device(a)
    if dtype is None or _dt.to_np(dtype) == x._data.dtype:
        return x
    out = x._data.astype(_dt.to_np(dtype))
    if _dt.to_np(dtype).kind not in "fc":
        return _wrap(out)
    return nary(TO_COPY, out, (x,), (x._data.shape,))


def type_(x: Tensor, dtype: Any = None) -> Any:
    if dtype is None:
        return f"srcdiff.{x.dtype._legacy}"
    return to(x, dtype)


def copy_(x: Tensor, src: Any) -> Tensor:
    s = as_operand(src)
    new = np.broadcast_to(
        np.asarray(s._data if isinstance(s, Tensor) else s), x._data.shape
    ).astype(x._data.dtype)
    return inplace(COPY, x, new, (Ellipsis, s))


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = views._norm_dim(dim, x._data.ndim)
    return tuple(views.getitem(x, (slice(None),) * d + (i,)) for i in range(x._data.shape[d]))


_CAT_NODE = _engine.make_list_rule_node("CatBackward0", RULES["concatenate"])
_STACK_NODE = _engine.make_list_rule_node("StackBackward0", RULES["stack"])


def _join(node_cls: type, tensors: list[Tensor], data: np.ndarray, axis: int) -> Tensor:
    """Record a join of ``tensors`` (rules ``concatenate``/``stack``: one edge per tensor)."""
    if not (GRAD[0] and any(t._requires_grad for t in tensors)):
        return _wrap(data)
    from srcdiff.ops.core import ShapeOnly, edge

    node = object.__new__(node_cls)
    node._hooks = None
    node.next_functions = tuple(edge(t) for t in tensors)
    node._args = [[ShapeOnly(t._data.shape, t._data.dtype) for t in tensors], axis]
    node._dtypes = [None if t._data.dtype == data.dtype else t._data.dtype for t in tensors]
    if _engine.ANOMALY[0]:
        _engine.record_anomaly_trace(node)
    return _wrap(data, True, node)


def cat(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    """Concatenate along ``dim`` (grad_fn CatBackward0, from the ``concatenate`` rule)."""
    ts = [as_operand(t) for t in tensors]
    ts = [t for t in ts if not (t._data.ndim == 1 and t._data.size == 0)] or ts
    if not ts:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    d = views._norm_dim(dim, ts[0]._data.ndim)
    from srcdiff.ops.core import result_dtype

    ref = ts[0]._data.shape
    for i, t in enumerate(ts[1:], 1):
        if t._data.ndim != len(ref):
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(ref)} and {t._data.ndim}"
            )
        for k, (a, b) in enumerate(zip(ref, t._data.shape, strict=True)):
            if k != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list."
                )
    data = np.concatenate([t._data for t in ts], axis=d).astype(result_dtype(*ts), copy=False)
    return _join(_CAT_NODE, ts, data, d)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    """Stack along a new ``dim`` (grad_fn StackBackward0, from the ``stack`` rule)."""
    ts = [as_operand(t) for t in tensors]
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = ts[0]._data.shape
    for i, t in enumerate(ts):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    d = views._norm_dim(dim, len(shape) + 1)
    from srcdiff.ops.core import result_dtype

    data = np.stack([t._data for t in ts], axis=d).astype(result_dtype(*ts), copy=False)
    return _join(_STACK_NODE, ts, data, d)


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    d = views._norm_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        bounds = [(i, min(i + step, n)) for i in range(0, n, step)] or [(0, 0)]
    else:
        bounds, start = [], 0
        for s in split_size_or_sections:
            bounds.append((start, start + s))
            start += s
        if start != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}), "
                f"but got split_sizes={list(split_size_or_sections)}"
            )
    return tuple(
        views.getitem(x, (slice(None),) * d + (slice(a, b),), views.SPLIT) for a, b in bounds
    )


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    n = x._data.shape[views._norm_dim(dim, x._data.ndim)]
    return split(x, max(-(-n // chunks), 1), dim)


def hstack(tensors: Any) -> Tensor:
    ts = [as_operand(t) for t in tensors]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    ts = [as_operand(t) for t in tensors]
    return cat([views.reshape(t, (1, -1)) if t._data.ndim < 2 else t for t in ts], 0)


row_stack = vstack


def dstack(tensors: Any) -> Tensor:
    ts = []
    for t in map(as_operand, tensors):
        if t._data.ndim == 0:
            t = views.reshape(t, (1, 1, 1))
        elif t._data.ndim == 1:
            t = views.reshape(t, (1, -1, 1))
        elif t._data.ndim == 2:
            t = views.unsqueeze(t, 2)
        ts.append(t)
    return cat(ts, 2)


def column_stack(tensors: Any) -> Tensor:
    ts = [as_operand(t) for t in tensors]
    return cat([views.reshape(t, (-1, 1)) if t._data.ndim < 2 else t for t in ts], 1)


def tensor_split(x: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    d = views._norm_dim(dim, x._data.ndim)
    n = x._data.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        bounds, start = [], 0
        for s in sizes:
            bounds.append((start, start + s))
            start += s
    else:
        cuts = [0, *list(indices_or_sections), n]
        bounds = [(a, max(a, b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    return tuple(views.getitem(x, (slice(None),) * d + (slice(a, b),)) for a, b in bounds)


def hsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    return tensor_split(x, sections, 0 if x._data.ndim == 1 else 1)


def vsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    return tensor_split(x, sections, 0)


def dsplit(x: Tensor, sections: Any) -> tuple[Tensor, ...]:
    return tensor_split(x, sections, 2)


# ----------------------------------------------------------------------------- methods


def _install() -> None:
    T = Tensor  # noqa: N806

    def __add__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return binary(ADD, self, other)

    def __sub__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return binary(SUB, self, other)

    def __rsub__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return binary(RSUB, other, self)

    def __mul__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return binary(MUL, self, other)

    def __truediv__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return binary(DIV, self, other, True)

    def __rtruediv__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        if type(other) in (int, float) and self._data.dtype.kind == "f":
            return binary(MUL, extra.reciprocal(self), other)  # as PyTorch: reciprocal, then mul
        return binary(DIV, other, self, True)

    def __pow__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return pointwise.pow(self, other)

    def __rpow__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return binary(POW2, other, self)

    def __matmul__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return views.matmul(self, other)

    def __rmatmul__(self: Tensor, other: Any) -> Tensor:  # noqa: N807
        return views.matmul(other, self)

    T.__add__ = T.__radd__ = __add__
    T.__sub__ = __sub__
    T.__rsub__ = __rsub__
    T.__mul__ = T.__rmul__ = __mul__
    T.__truediv__ = __truediv__
    T.__rtruediv__ = __rtruediv__
    T.__floordiv__ = lambda self, o: pointwise.floor_divide(self, o)
    T.__rfloordiv__ = lambda self, o: pointwise.floor_divide(
        as_operand(o) if isinstance(o, Tensor) else _wrap(np.asarray(o)), self
    )
    T.__mod__ = lambda self, o: pointwise.remainder(self, o)
    T.__pow__ = __pow__
    T.__rpow__ = __rpow__
    T.__matmul__ = __matmul__
    T.__rmatmul__ = __rmatmul__
    T.__neg__ = pointwise.neg
    T.__pos__ = lambda self: self
    T.__abs__ = pointwise.abs
    T.__iadd__ = pointwise.add_
    T.__isub__ = pointwise.sub_
    T.__imul__ = pointwise.mul_
    T.__itruediv__ = pointwise.div_
    T.__ipow__ = pointwise.pow_
    T.__eq__ = pointwise.eq
    T.__ne__ = pointwise.ne
    T.__lt__ = pointwise.lt
    T.__le__ = pointwise.le
    T.__gt__ = pointwise.gt
    T.__ge__ = pointwise.ge
    T.__and__ = T.__rand__ = pointwise.logical_and
    T.__or__ = T.__ror__ = pointwise.logical_or
    T.__xor__ = T.__rxor__ = pointwise.logical_xor
    T.__invert__ = lambda self: (
        _wrap(~self._data) if self._data.dtype.kind in "biu" else _bad_invert()
    )
    T.__getitem__ = views.getitem
    T.__setitem__ = views.setitem
    T.__hash__ = object.__hash__

    for name in (
        "add sub mul div pow neg abs exp log sqrt sin cos tan tanh atan expm1 log1p log10 "
        "sigmoid relu "
        "clamp clip square rsqrt sign floor ceil round trunc maximum minimum logaddexp "
        "remainder fmod "
        "floor_divide eq ne lt le gt ge equal allclose isclose isnan isinf isfinite logical_not "
        "logical_and "
        "logical_or logical_xor rsub"
    ).split():
        setattr(T, name, getattr(pointwise, name))
    T.subtract, T.multiply, T.divide, T.true_divide, T.negative, T.absolute, T.arctan = (
        T.sub,
        T.mul,
        T.div,
        T.div,
        T.neg,
        T.abs,
        T.atan,
    )
    T.greater, T.less, T.greater_equal, T.less_equal, T.not_equal = T.gt, T.lt, T.ge, T.le, T.ne
    for name in (
        "add_ sub_ mul_ div_ pow_ exp_ log_ sqrt_ sin_ cos_ tanh_ sigmoid_ neg_ abs_ relu_ "
        "clamp_ clip_ zero_ fill_"
    ).split():
        setattr(T, name, getattr(pointwise, name))
    for (
        name
    ) in "sum mean max min amax amin prod var std all any argmax argmin norm count_nonzero".split():
        setattr(T, name, getattr(reductions, name))
    for name in (
        "view reshape view_as reshape_as flatten t transpose swapaxes swapdims permute unsqueeze "
        "squeeze expand "
        "expand_as contiguous clone matmul mm bmm mv dot outer inner"
    ).split():
        setattr(T, name, getattr(views, name))
    T.T = property(lambda self: views.permute(self, tuple(reversed(range(self._data.ndim)))))
    T.mT = property(lambda self: views.transpose(self, -2, -1))
    T.to = to
    T.type = type_
    T.copy_ = copy_
    T.unbind = unbind
    T.split = split
    T.chunk = chunk
    T.float = lambda self: to(self, _dt.float32)
    T.double = lambda self: to(self, _dt.float64)
    T.half = lambda self: to(self, _dt.float16)
    T.long = lambda self: to(self, _dt.int64)
    T.int = lambda self: to(self, _dt.int32)
    T.bool = lambda self: to(self, _dt.bool)
    T.new_zeros = lambda self, *size, dtype=None, requires_grad=False: creation.zeros(
        *size, dtype=dtype or self.dtype, requires_grad=requires_grad
    )
    T.new_ones = lambda self, *size, dtype=None, requires_grad=False: creation.ones(
        *size, dtype=dtype or self.dtype, requires_grad=requires_grad
    )
    T.new_tensor = lambda self, data, dtype=None, requires_grad=False: creation.tensor(
        data, dtype=dtype or self.dtype, requires_grad=requires_grad
    )
    T.new_full = lambda self, size, fill_value, dtype=None, requires_grad=False: creation.full(
        size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad
    )
    for name in (
        "asin arcsin acos arccos sinh cosh asinh arcsinh acosh arccosh atanh arctanh log2 exp2 "
        "reciprocal cumsum flip tile repeat repeat_interleave diagonal trace det inverse gather "
        "take take_along_dim index_select masked_select narrow nonzero scatter scatter_ "
        "scatter_add scatter_add_ index_add addcmul_ addcdiv_ lerp_ lerp addcmul addcdiv"
    ).split():
        setattr(T, name, getattr(extra, name))
    T.tensor_split = tensor_split
    T.hsplit, T.vsplit, T.dsplit = hsplit, vsplit, dsplit
    T.uniform_ = _uniform_
    T.normal_ = _normal_


def _uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    from srcdiff import random as _random

    return inplace(
        None, self, _random.rng(generator).uniform(a, b, self._data.shape).astype(self._data.dtype)
    )


def _normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    from srcdiff import random as _random

    draw = mean + std * _random.rng(generator).standard_normal(self._data.shape)
    return inplace(None, self, draw.astype(self._data.dtype))


def _bad_invert() -> Any:
    raise TypeError("~ (bitwise_not) is only supported for integer and boolean tensors")


_install()
