"""numpy, as the rules see it in the eager engine's plain (array) backward pass.

Everything is numpy's, except ``broadcast_to``: numpy's returns a read-only
zero-stride view and costs a few microseconds of Python even for 10 elements,
and the next op (a matmul, an accumulation into ``.grad``) then reads strided
memory.  For small results a filled contiguous array is both faster to make
and faster to use; large ones keep numpy's view (no copy of big gradients).
"""

from __future__ import annotations

from math import prod as _prod
from typing import Any

import numpy as np

# numpy's public names, as loaded: ``from numpy import *`` would also import
# every lazily loaded submodule it lists (f2py, testing, ...), 100 ms at start-up
globals().update({k: v for k, v in vars(np).items() if not k.startswith("_")})

_np_broadcast_to = np.broadcast_to
_empty = np.empty
_SMALL = 1 << 14  # elements; below this a copy beats the view


def broadcast_to(array: Any, shape: Any, subok: bool = False) -> np.ndarray:
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    if _prod(shape) > _SMALL:
        return _np_broadcast_to(array, shape)
    a = np.asarray(array)
    out = _empty(shape, a.dtype)
    out[...] = a
    return out


add = np.add
shape = np.shape


_add_reduce = np.add.reduce
_np_sum = np.sum


def sum(
    a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False, **kw: Any
) -> Any:  # noqa: A001
    """np.sum without its Python dispatch layer for plain arrays (same accumulation)."""
    if type(a) is np.ndarray and dtype is None and out is None and not kw and a.dtype.kind in "fc":
        return _add_reduce(a, axis=axis, keepdims=keepdims)
    return _np_sum(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, **kw)
