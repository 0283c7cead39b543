"""Which arrays may share memory: views (``a.T``, ``b[:1]``, ``np.reshape(x, ...)``)
and plain aliases (``r = a``).

numpy hands out views freely, while srcdiff follows values; a write into an
array changes every view of it. The tidying passes (facts.py) use this to
keep reads of a view on the right side of writes into its array, and
aliasing.py to tell whether a call keeps or returns its argument.
"""

from __future__ import annotations

import gast

from srcdiff.codegen import templates as T

# numpy functions whose result may share an argument's memory (a view, or the
# argument itself), and the array methods and attributes that give views
NUMPY_VIEWS = {
    "asarray", "asanyarray", "array", "ravel", "reshape", "transpose", "swapaxes",
    "moveaxis", "rollaxis", "squeeze", "expand_dims", "broadcast_to", "broadcast_arrays",
    "atleast_1d", "atleast_2d", "atleast_3d", "diagonal", "real", "imag", "split",
    "array_split", "hsplit", "vsplit", "dsplit", "unstack", "matrix_transpose",
    "permute_dims", "flip", "fliplr", "flipud", "rot90", "lib",
}  # fmt: skip
VIEW_METHODS = {"reshape", "ravel", "squeeze", "transpose", "swapaxes", "view", "diagonal"}
VIEW_ATTRIBUTES = {"T", "real", "imag", "flat"}


def views_in(func: gast.FunctionDef) -> dict[str, set[str]]:
    """For each name, the names assigned something that may share its memory
    (a view, or the same array), followed through chains of views."""
    direct: dict[str, set[str]] = {}
    for block in T.blocks(func.body):
        for stmt in block:
            if not (
                isinstance(stmt, gast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], gast.Name)
            ):
                continue
            base = _view_base(stmt.value)
            if base is not None and base != stmt.targets[0].id:
                direct.setdefault(base, set()).add(stmt.targets[0].id)
    views: dict[str, set[str]] = {}
    for base in direct:
        found, todo = set(), [base]
        while todo:
            for view in direct.get(todo.pop(), ()):
                if view not in found:
                    found.add(view)
                    todo.append(view)
        views[base] = found
    return views


def _view_base(expr: gast.expr) -> str | None:
    """The name whose array ``expr`` may be a view of."""
    if isinstance(expr, gast.Name):
        return expr.id
    if isinstance(expr, gast.Subscript) or (
        isinstance(expr, gast.Attribute) and expr.attr in VIEW_ATTRIBUTES
    ):
        return _view_base(expr.value)
    if isinstance(expr, gast.Call) and expr.args and is_numpy_view(expr):
        return _view_base(expr.args[0])
    if (
        isinstance(expr, gast.Call)
        and isinstance(expr.func, gast.Attribute)
        and expr.func.attr in VIEW_METHODS
    ):
        return _view_base(expr.func.value)
    return None


def is_numpy_view(call: gast.Call) -> bool:
    """A numpy call whose result may share memory with an argument."""
    name = T.dotted(call.func)
    return name is not None and name.startswith("np.") and name.split(".")[1] in NUMPY_VIEWS
