"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty, ranges, random draws."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from srcdiff import dtypes as _dt
from srcdiff import random as _random
from srcdiff.tensor import Tensor, _wrap


def _np_dtype(dtype: Any, default: Any = None) -> Any:
    if dtype is None:
        return default if default is not None else _dt.get_default_dtype().np
    return _dt.to_np(dtype)


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = _wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_dtype(data: Any) -> Any:
    """PyTorch's inference for Python data: bool, int64, default float, complex64."""
    kinds = set()

    def walk(x: Any) -> None:
        if isinstance(x, (list, tuple)):
            for item in x:
                walk(item)
        elif isinstance(x, Tensor):
            kinds.add(
                x._data.dtype.kind
                if x._data.dtype.kind != "f" or x._data.dtype == _dt.get_default_dtype().np
                else "F" + x._data.dtype.str
            )
        elif isinstance(x, np.ndarray):
            kinds.add("A" + x.dtype.str)
        elif isinstance(x, (bool, np.bool_)):
            kinds.add("b")
        elif isinstance(x, (int, np.integer)):
            kinds.add("i")
        elif isinstance(x, (float, np.floating)):
            kinds.add("f")
        elif isinstance(x, complex):
            kinds.add("c")
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")

    walk(data)
    if any(k.startswith(("A", "F")) for k in kinds):
        return None
    if "c" in kinds:
        return _dt.get_default_dtype().to_complex().np
    if "f" in kinds:
        return _dt.get_default_dtype().np
    if "i" in kinds or "u" in kinds:
        return np.dtype(np.int64)
    if "b" in kinds:
        return np.dtype(np.bool_)
    return _dt.get_default_dtype().np


def _unpack(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unpack(x) for x in data]
    return data


def tensor(
    data: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors)."""
    if isinstance(data, np.ndarray):
        arr = np.array(data, dtype=_np_dtype(dtype, data.dtype), copy=True)
    elif isinstance(data, Tensor):
        arr = np.array(data._data, dtype=_np_dtype(dtype, data._data.dtype), copy=True)
    else:
        inferred = _infer_dtype(data)
        arr = np.array(
            _unpack(data),
            dtype=_np_dtype(dtype, inferred)
            if (dtype is not None or inferred is not None)
            else None,
        )
    if arr.dtype == object:
        raise TypeError("tensor(): data must be numbers or nested sequences of numbers")
    return _finish(arr, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor) and (dtype is None or _dt.to_np(dtype) == data._data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or _dt.to_np(dtype) == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_np(ndarray.dtype)
    return _wrap(ndarray)


def _size(size: tuple[Any, ...]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"expected a sequence of ints as size, got {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _filled(fn: Any, name: str) -> Any:
    """zeros, ones, empty: a new tensor of a shape, given as ints, a sequence or size=."""

    def make(
        *shape: Any,
        size: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        out: Any = None,
    ) -> Tensor:
        dims = _size(shape if size is None else (size,))
        return _finish(fn(dims, _np_dtype(dtype)), requires_grad)

    make.__name__ = make.__qualname__ = name
    return make


zeros = _filled(np.zeros, "zeros")
ones = _filled(np.ones, "ones")
empty = _filled(np.empty, "empty")


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if dtype is None:
        dtype = _infer_dtype(fill_value)
    return _finish(np.full(_size((size,)), fill_value, _np_dtype(dtype)), requires_grad)


def _like(fn: Any) -> Any:
    def like(
        input: Tensor,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **kw: Any,
    ) -> Tensor:  # noqa: A002
        return _finish(fn(input._data.shape, _np_dtype(dtype, input._data.dtype)), requires_grad)

    return like


zeros_like = _like(np.zeros)
ones_like = _like(np.ones)
empty_like = _like(np.empty)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:  # noqa: A002
    return _finish(
        np.full(input._data.shape, fill_value, _np_dtype(dtype, input._data.dtype)), requires_grad
    )


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in vals)
        np_dt = _dt.get_default_dtype().np if is_float else np.dtype(np.int64)
    else:
        np_dt = _dt.to_np(dtype)
    n = max(math.ceil((vals[1] - vals[0]) / vals[2]), 0)
    arr = (vals[0] + np.arange(n, dtype=np.float64) * vals[2]).astype(np_dt)
    return _finish(arr, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(
        np.linspace(start, end, steps, dtype=np.float64).astype(_np_dtype(dtype)), requires_grad
    )


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(
        np.logspace(start, end, steps, base=base).astype(_np_dtype(dtype)), requires_grad
    )


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def rand(
    *shape: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    arr = (
        _random.rng(generator)
        .random(_size(shape if size is None else (size,)), dtype=np.float64)
        .astype(_np_dtype(dtype))
    )
    return _finish(arr, requires_grad)


def randn(
    *shape: Any,
    size: Any = None,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    arr = (
        _random.rng(generator)
        .standard_normal(_size(shape if size is None else (size,)))
        .astype(_np_dtype(dtype))
    )
    return _finish(arr, requires_grad)


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    arr = _random.rng(generator).integers(low, high, _size((size,)))
    return _finish(arr.astype(_np_dtype(dtype, np.dtype(np.int64))), requires_grad)


def rand_like(
    input: Tensor, *, dtype: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:  # noqa: A002
    return rand(
        input._data.shape,
        dtype=dtype or _dt.from_np(input._data.dtype),
        requires_grad=requires_grad,
    )


def randn_like(
    input: Tensor, *, dtype: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:  # noqa: A002
    return randn(
        input._data.shape,
        dtype=dtype or _dt.from_np(input._data.dtype),
        requires_grad=requires_grad,
    )


def randint_like(
    input: Tensor, low: int, high: Any = None, *, dtype: Any = None, **kw: Any
) -> Tensor:  # noqa: A002
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or _dt.from_np(input._data.dtype))


def randperm(
    n: int,
    *,
    generator: Any = None,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(
        _random.rng(generator).permutation(n).astype(_np_dtype(dtype, np.dtype(np.int64))),
        requires_grad,
    )


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is not None:
        shape = _size((size,))
    else:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    np_dt = _np_dtype(dtype, ref._data.dtype if ref is not None else None)
    arr = (m + s * _random.rng(generator).standard_normal(shape)).astype(np_dt)
    return _finish(np.asarray(arr), requires_grad)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:  # noqa: A002
    prob = input._data if p is None else p
    draw = _random.rng(generator).random(input._data.shape) < prob
    return _wrap(draw.astype(input._data.dtype))


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:  # noqa: A002
    g = _random.rng(generator)
    probs = np.atleast_2d(input._data.astype(np.float64))
    rows = [
        g.choice(probs.shape[1], num_samples, replace=replacement, p=row / row.sum())
        for row in probs
    ]
    out = np.asarray(rows, dtype=np.int64)
    return _wrap(out if input._data.ndim == 2 else out[0])
