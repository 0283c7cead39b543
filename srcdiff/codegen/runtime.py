"""The few helpers generated code calls, beyond numpy and the rules' own helpers.

Kept tiny on purpose: generated code should read like hand-written numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from srcdiff.rules.helpers import scatter_into_zeros, unbroadcast_like


def unbroadcast_as(g: Any, x: Any) -> Any:
    """``g`` summed down to the shape of ``x`` (where ``x`` was broadcast)."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.shape == x.shape:
        return g  # the common case, kept cheap: generated code calls this per operation
    return unbroadcast_like(g, x, np)


def zeros_like_tree(x: Any) -> Any:
    """Zeros with the structure of ``x``: arrays, numbers, and lists/tuples/dicts of them."""
    if isinstance(x, (list, tuple)):
        return [zeros_like_tree(v) for v in x]
    if isinstance(x, dict):
        return {k: zeros_like_tree(v) for k, v in x.items()}
    if isinstance(x, (int, float, complex)):
        return 0.0
    if isinstance(x, np.ndarray) or not hasattr(x, "__dict__"):
        return np.zeros_like(x)
    return {k: zeros_like_tree(v) for k, v in vars(x).items()}  # an object: one per attribute


def add_trees(a: Any, b: Any) -> Any:
    """``a + b`` for gradients that may be lists/tuples/dicts of arrays (a dict
    entry missing on one side counts as zero)."""
    if isinstance(a, list):
        return [add_trees(u, v) for u, v in zip(a, b, strict=False)]
    if isinstance(a, dict):
        keys = list(a) + [k for k in b if k not in a]
        return {k: add_trees(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in keys}
    return a + b


_MISSING = object()


def slot_of(grad: Any, index: Any, value: Any) -> Any:
    """``grad[index]``, the adjoint of ``value`` written there; zeros shaped like
    ``value`` where a dict adjoint has no entry for the key (nothing read it
    later: rules that need the gradient's shape still get it)."""
    if isinstance(grad, dict):
        found = grad.get(index, _MISSING)
        return zeros_like_tree(value) if found is _MISSING else found
    return grad[index]


def slot_or_missing(container: Any, index: Any) -> Any:
    """The value a write ``container[index] = v`` is about to replace (or a marker)."""
    if isinstance(container, dict):
        return container.get(index, _MISSING)
    if isinstance(container, (list, tuple, np.ndarray)):
        return container[index]
    return getattr(container, index, _MISSING)


def saved_region(container: Any, index: Any) -> Any:
    """A copy of what ``container[index] = v`` (or ``container.index = v``) is about
    to overwrite, or a marker where there is nothing yet (a new key or attribute)."""
    old = slot_or_missing(container, index)
    return old if old is _MISSING else snapshot(old)


def restore_slot(container: Any, index: Any, old: Any) -> None:
    """Undo ``container[index] = v``: put back the old value, or remove a new key."""
    is_item = isinstance(container, (dict, list, np.ndarray))
    if old is _MISSING:
        if is_item:
            del container[index]
        else:
            delattr(container, index)
    elif is_item:
        container[index] = old
    else:
        setattr(container, index, old)


def sequence_index_grad(g: Any, seq: Any, index: Any) -> Any:
    """Adjoint of ``seq[index]`` for a tuple, list or dict: zeros but at ``index``."""
    grad = zeros_like_tree(seq)
    grad[index] = g
    return grad


def index_grad(g: Any, base: Any, index: Any) -> Any:
    """Adjoint of ``base[index]`` for an array or a list/tuple/dict."""
    if isinstance(base, (list, tuple, dict)):
        return sequence_index_grad(g, base, index)
    return scatter_into_zeros(g, base, index, np)  # the table's getitem adjoint


def without(grad: Any, index: Any) -> Any:
    """A copy of ``grad`` with the slot at ``index`` zeroed: the adjoint of the value
    a write ``x[index] = v`` overwrote."""
    kept = grad.copy() if hasattr(grad, "copy") else list(grad)
    if isinstance(kept, dict):
        kept.pop(index, None)
    else:
        kept[index] = zeros_like_tree(kept[index])
    return kept


def pop_grad(d_list: Any, d_item: Any, items: list, index: Any) -> list:
    """Adjoint of ``items`` before ``v = items.pop(index)``: ``d_item`` back in its slot
    (``items`` has been restored to its length before the pop)."""
    grads = list(d_list) if d_list is not None else zeros_like_tree(items[:-1])
    position = len(items) - 1 if index is None else index
    grads.insert(position, d_item)
    return grads


def snapshot(value: Any) -> Any:
    """A copy of what an in-place write is about to change (arrays, lists, dicts)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


RUNTIME_NAMES = {
    "snapshot": snapshot,
    "slot_of": slot_of,
    "slot_or_missing": slot_or_missing,
    "saved_region": saved_region,
    "restore_slot": restore_slot,
    "without": without,
    "pop_grad": pop_grad,
    "unbroadcast_as": unbroadcast_as,
    "zeros_like_tree": zeros_like_tree,
    "add_trees": add_trees,
    "sequence_index_grad": sequence_index_grad,
    "index_grad": index_grad,
}


# Helpers without side effects: the optimizer may drop a call whose result is unused.
PURE_RUNTIME_NAMES = {name for name in RUNTIME_NAMES if name != "restore_slot"}
