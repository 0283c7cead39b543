"""Helper expansion inside rule parts: kept per pattern, and names taken only
for temporaries of helpers that expand."""

from __future__ import annotations

import pytest

from srcdiff.codegen import inline
from srcdiff.codegen import templates as T
from srcdiff.codegen.names import Namer
from srcdiff.codegen.reverse import _RULE_HELPERS


@pytest.fixture
def no_kept_expansions(monkeypatch):
    monkeypatch.setattr(inline, "_EXPANSIONS", {})


def _expanded(text: str, namer: Namer | None = None) -> tuple[list[str], str]:
    namer = namer if namer is not None else Namer(set())
    statements, value = inline.inline_helper_calls(T.expr(text), _RULE_HELPERS, namer)
    assigned = [f"{s.targets[0].id} = {T.to_source(s.value)}" for s in statements]
    return assigned, T.to_source(value)


def test_an_expansion_comes_back_with_other_names(no_kept_expansions):
    first = _expanded("unreduce(d_s, e, None, False, np)")
    assert first == ([], "np.broadcast_to(d_s, np.shape(e))")
    assert len(inline._EXPANSIONS) == 1
    assert _expanded("unreduce(d_t, y, None, False, np)") == (
        [],
        "np.broadcast_to(d_t, np.shape(y))",
    )
    # other constants: another pattern, expanded afresh
    assert _expanded("unreduce(d_t, y, 1, False, np)") == (
        [],
        "np.broadcast_to(np.expand_dims(d_t, 1), np.shape(y))",
    )
    assert len(inline._EXPANSIONS) == 2


def test_one_name_in_two_places_is_one_slot(no_kept_expansions):
    _expanded("unreduce(a, b, None, False, np)")
    assert _expanded("unreduce(x, x, None, False, np)")[1] == "np.broadcast_to(x, np.shape(x))"


def test_names_the_helpers_read_are_not_slots(no_kept_expansions):
    # a user's variable called like a name inside a helper keeps its identity
    _expanded("unreduce(d_s, e, None, False, np)")
    assert _expanded("unreduce(d_s, len, None, False, np)")[1] == (
        "np.broadcast_to(d_s, np.shape(len))"
    )
    patterns = [key[1] for key in inline._EXPANSIONS]
    assert len(set(patterns)) == 2


def test_temporaries_are_named_only_when_the_helper_expands(no_kept_expansions):
    namer = Namer(set())
    # axis unknown at transform time: concatenate_grad stays a call, taking no names
    statements, value = _expanded("concatenate_grad(g, arrays, axis, np)", namer)
    assert value == "concatenate_grad(g, arrays, axis, np)" and statements == []
    assert namer.fresh("shapes") == "shapes"
    statements, _ = _expanded("concatenate_grad(g, arrays, 0, np)", namer)
    assert statements[0].startswith("shapes_1 = [np.shape(a) for a in arrays]")


def test_expansions_with_temporaries_are_not_kept(no_kept_expansions):
    _expanded("concatenate_grad(g, arrays, 0, np)")
    assert inline._EXPANSIONS == {}
