"""What kind of value each argument is, as far as the compiler cares.

The compiler specialises a gradient on its arguments' kinds (number, array,
tuple/list/dict of those, or an object of some class), read from the first
call's arguments: a tuple argument is indexed as a tuple, ``layer.forward(x)``
resolves to the class's method. Kinds are hashable and part of the cache key,
so a call with different kinds gets its own (cached) transformation.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCALAR = "scalar"
INT = "int"  # integers carry no derivative, but index and count
ARRAY = "array"
_SUMMARY_LENGTH = 8  # longer homogeneous sequences are summarised by one element kind


def kind_of(value: Any) -> Any:
    cls = type(value)
    if cls is np.ndarray:  # the common cases first: this runs on every call
        return (ARRAY, value.ndim, value.dtype.kind, value.shape)
    if cls is float:
        return SCALAR
    if isinstance(value, (float, np.floating, complex, np.complexfloating)):
        return SCALAR
    if isinstance(value, (bool, int, np.integer, np.bool_)):
        return INT
    if isinstance(value, np.ndarray):
        return (ARRAY, value.ndim, value.dtype.kind, value.shape)
    if isinstance(value, (list, tuple)):
        items = tuple(kind_of(v) for v in value)
        if len(items) > _SUMMARY_LENGTH and len(set(items)) == 1:
            return ("seq", type(value).__name__, "each", items[0])
        return ("seq", type(value).__name__, items)
    if isinstance(value, dict):
        try:
            return ("dict", tuple(sorted((k, kind_of(v)) for k, v in value.items())))
        except TypeError:  # keys that do not sort
            return ("dict", tuple((k, kind_of(v)) for k, v in value.items()))
    return ("object", type(value))


def with_size_pattern(kinds: tuple) -> tuple:
    """Array shapes replaced by their size pattern, the part of the cache key
    shapes.py reasons from: a size 1 stays 1, other sizes become symbols
    ``"n0"``, ``"n1"``, ... in order of first appearance, equal sizes the same
    symbol.  Calls whose arguments differ only in sizes that keep the pattern
    (a new batch size, say) share one transformation."""
    symbols: dict[int, str] = {}

    def convert(kind: Any) -> Any:
        if not isinstance(kind, tuple):
            return kind
        if len(kind) == 4 and kind[0] == ARRAY and isinstance(kind[3], tuple):
            dims = tuple(
                1 if n == 1 else symbols.setdefault(n, f"n{len(symbols)}") for n in kind[3]
            )
            return kind[:3] + (dims,)
        return tuple(convert(k) for k in kind)

    return convert(kinds)


def dims_of(kind: Any) -> tuple | None:
    """An argument's shape as shapes.py sees it: a tuple of 1s and size symbols,
    ``()`` for numbers, None when unknown."""
    if kind in (SCALAR, INT):
        return ()
    if isinstance(kind, tuple) and kind[0] == ARRAY and len(kind) == 4:
        return kind[3]
    return None


def is_structure(kind: Any) -> bool:
    return isinstance(kind, tuple) and kind[0] in ("seq", "dict")


def object_class(kind: Any) -> type | None:
    return kind[1] if isinstance(kind, tuple) and kind[0] == "object" else None


def element_kind(kind: Any, key: Any) -> Any:
    """The kind of ``value[key]`` for a structure kind (None when unknown)."""
    if not is_structure(kind):
        return None
    if kind[0] == "dict":
        return dict(kind[1]).get(key)
    if kind[2] == "each":
        return kind[3]
    items = kind[2]
    if isinstance(key, int) and -len(items) <= key < len(items):
        return items[key]
    uniform = set(items)
    return uniform.pop() if len(uniform) == 1 else None
