"""Reductions with PyTorch's ``dim``/``keepdim`` (numpy's ``axis``/``keepdims`` underneath)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from srcdiff import dtypes as _dt
from srcdiff.autograd.grad_mode import GRAD
from srcdiff.ops.core import record, spec
from srcdiff.tensor import Tensor, _norm_dim, _wrap


def _mean(a: np.ndarray, axis: Any = None, keepdims: bool = False) -> Any:
    # np.mean's Python wrapper costs more than the sum itself on small tensors
    total = np.add.reduce(a, axis=axis, keepdims=keepdims)
    n = (
        a.size
        if axis is None
        else int(np.prod([a.shape[i] for i in (axis if isinstance(axis, tuple) else (axis,))]))
    )
    return np.true_divide(total, n, dtype=total.dtype) if n else np.true_divide(total, n)


# np.add.reduce is np.sum without the Python wrapper (same result and accumulation order)
# (the rules' parameter order, so params pass through without reordering; dtype is None:
# a dtype= cast happens before the reduction)
SUM0 = spec("SumBackward0", "sum", np.add.reduce, ("axis", "dtype", "keepdims"))
SUM1 = spec("SumBackward1", "sum", np.add.reduce, ("axis", "dtype", "keepdims"))
MEAN0 = spec("MeanBackward0", "mean", _mean, ("axis", "dtype", "keepdims"))
MEAN1 = spec("MeanBackward1", "mean", _mean, ("axis", "dtype", "keepdims"))
_ALL_NO_DTYPE = (None, None, False)
_add_reduce = np.add.reduce
MAX1 = spec("MaxBackward1", "max", np.max, ("axis", "keepdims"))
MAX0 = spec("MaxBackward0", "max", np.max, ("axis", "keepdims"))
MIN1 = spec("MinBackward1", "min", np.min, ("axis", "keepdims"))
MIN0 = spec("MinBackward0", "min", np.min, ("axis", "keepdims"))
AMAX = spec("AmaxBackward0", "max", np.max, ("axis", "keepdims"))
AMIN = spec("AminBackward0", "min", np.min, ("axis", "keepdims"))
PROD0 = spec("ProdBackward0", "prod", np.prod, ("axis", "keepdims"))
PROD1 = spec("ProdBackward1", "prod", np.prod, ("axis", "keepdims"))
VAR0 = spec("VarBackward0", "var", np.var, ("axis", "ddof", "keepdims"))
STD0 = spec("StdBackward0", "std", np.std, ("axis", "ddof", "keepdims"))

values_indices = namedtuple("values_indices", ["values", "indices"])


def _axis(dim: Any, ndim: int) -> Any:
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        return tuple(_norm_dim(d, ndim) for d in dim)
    return _norm_dim(dim, ndim)


def _reduce(
    sp: Any, x: Tensor, axis: Any, keepdims: bool, extra: tuple[Any, ...] = (), **np_kw: Any
) -> Tensor:
    out = (
        sp.fn(x._data, axis=axis, keepdims=keepdims, **np_kw)
        if np_kw
        else sp.fn(x._data, axis, keepdims=keepdims)
    )
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if x._requires_grad and GRAD[0]:
        return record(
            sp, out, (x,), (axis, *extra, keepdims) if extra else (axis, keepdims), (True,)
        )
    return _wrap(out)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001,A002
    d = input._data
    if dim is None and dtype is None and not keepdim and d.dtype.kind in "fc":
        # the common loss.sum(): no argument handling
        out = _add_reduce(d, axis=None)
        out = out if type(out) is np.ndarray else np.asarray(out)
        if input._requires_grad and GRAD[0]:
            return record(SUM0, out, (input,), _ALL_NO_DTYPE, (True,))
        return _wrap(out)
    x = input if dtype is None else input.to(dtype)
    axis = _axis(dim, x._data.ndim)
    if x._data.dtype.kind in "bui" and dtype is None:
        x = _wrap(x._data.astype(np.int64))
    return _reduce(SUM0 if axis is None else SUM1, x, axis, keepdim, (None,))


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    x = input if dtype is None else input.to(dtype)
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            "or complex "
            f"dtype. Got: {x.dtype._legacy[:-6]}"
        )
    axis = _axis(dim, x._data.ndim)
    return _reduce(MEAN0 if axis is None else MEAN1, x, axis, keepdim, (None,))


def _maxmin(full: Any, per_dim: Any, argfn: Any, input: Tensor, dim: Any, keepdim: bool) -> Any:  # noqa: A002
    if isinstance(dim, Tensor):  # max(a, b): elementwise
        from srcdiff.ops.pointwise import maximum, minimum

        return (maximum if full is MAX1 else minimum)(input, dim)
    if input._data.size == 0 and dim is None:
        raise RuntimeError(
            f"{'max' if full is MAX1 else 'min'}(): Expected reduction dim to be specified for "
            "input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    if dim is None:
        return _reduce(full, input, None, False)
    axis = _norm_dim(dim, input._data.ndim)
    values = _reduce(per_dim, input, axis, keepdim)
    idx = argfn(input._data, axis=axis, keepdims=keepdim) if input._data.ndim else np.asarray(0)
    return values_indices(values, _wrap(np.asarray(idx, dtype=np.int64)))


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001,A002
    return _maxmin(MAX1, MAX0, np.argmax, input, dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001,A002
    return _maxmin(MIN1, MIN0, np.argmin, input, dim, keepdim)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    axis = _axis(dim, input._data.ndim)
    return _reduce(AMAX, input, axis, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    axis = _axis(dim, input._data.ndim)
    return _reduce(AMIN, input, axis, keepdim)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    x = input if dtype is None else input.to(dtype)
    axis = None if dim is None else _norm_dim(dim, x._data.ndim)
    return _reduce(PROD0 if axis is None else PROD1, x, axis, keepdim)


def _correction(unbiased: Any, correction: Any) -> int:
    if correction is not None:
        return int(correction)
    return 0 if unbiased is False else 1


def _spread(spec: Any) -> Any:
    """var and std: a reduction with PyTorch's ``unbiased``/``correction`` arguments."""

    def reduce(
        input: Tensor,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:  # noqa: A002
        if isinstance(dim, bool):  # var(x, False): the old positional ``unbiased``
            dim, unbiased = None, dim
        axis = _axis(dim, input._data.ndim)
        ddof = _correction(unbiased, correction)
        return _reduce(spec, input, axis, keepdim, (ddof,), ddof=ddof)

    return reduce


var = _spread(VAR0)
std = _spread(STD0)
var.__name__ = var.__qualname__ = "var"
std.__name__ = std.__qualname__ = "std"


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001,A002
    axis = _axis(dim, input._data.ndim)
    return _wrap(np.asarray(np.all(input._data, axis=axis, keepdims=keepdim)))


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001,A002
    axis = _axis(dim, input._data.ndim)
    return _wrap(np.asarray(np.any(input._data, axis=axis, keepdims=keepdim)))


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    if dim is None:
        return _wrap(np.asarray(np.argmax(input._data), dtype=np.int64))
    return _wrap(
        np.asarray(
            np.argmax(input._data, axis=_norm_dim(dim, input._data.ndim), keepdims=keepdim),
            dtype=np.int64,
        )
    )


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    if dim is None:
        return _wrap(np.asarray(np.argmin(input._data), dtype=np.int64))
    return _wrap(
        np.asarray(
            np.argmin(input._data, axis=_norm_dim(dim, input._data.ndim), keepdims=keepdim),
            dtype=np.int64,
        )
    )


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:  # noqa: A002
    """Vector p-norm over ``dim`` (all elements by default); 'fro' is the 2-norm."""
    from srcdiff.ops.extra import vector_norm

    x = input if dtype is None else input.to(dtype)
    if p in ("fro", None):
        p = 2
    if isinstance(p, str):
        raise RuntimeError(f"norm(): unsupported norm type {p!r} for an eager tensor")
    return vector_norm(x, p, dim, keepdim)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    return _wrap(
        np.asarray(np.count_nonzero(input._data, axis=_axis(dim, input._data.ndim)), dtype=np.int64)
    )


def _default_float() -> Any:
    return _dt.get_default_dtype().np
