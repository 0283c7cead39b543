"""Which names may share memory (srcdiff/codegen/views.py)."""

from __future__ import annotations

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.views import is_numpy_view, views_in

SOURCE = """
def f(b, a):
    b_item = b[:1, :2]
    b_row = b_item[0]
    a_T = a.T
    flat = np.reshape(a_T, (-1,))
    r = b
    total = np.sum(b) + a @ a
    copied = b.copy()
"""


def test_views_follow_chains_and_leave_new_arrays_out() -> None:
    views = views_in(gast.parse(SOURCE).body[0])
    assert views["b"] == {"b_item", "b_row", "r"}
    assert views["a"] == {"a_T", "flat"}
    assert "total" not in set().union(*views.values())
    assert "copied" not in views["b"]


def test_numpy_views_by_name() -> None:
    assert is_numpy_view(T.expr("np.broadcast_to(x, (2, 3))"))
    assert is_numpy_view(T.expr("np.asarray(x)"))
    assert not is_numpy_view(T.expr("np.tanh(x)"))
    assert not is_numpy_view(T.expr("math.sqrt(x)"))
