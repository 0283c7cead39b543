"""Property tests for srcdiff/rules/linalg.py: products of every rank numpy accepts
(1-d, 2-d, batched with broadcasting), einsum specs, norms, solve/inv/det, trace."""

from __future__ import annotations

import operator

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rules.gradcheck import RULE_SETTINGS, Case, case_ids, check_case, seeded

SIDE = st.integers(1, 3)


def _matmul(data: st.DataObject) -> tuple[list, dict]:
    """Operands of any ranks matmul accepts: (k,), (n, k), (..., n, k) against (k,), (k, m), ..."""
    sig = "(n?,k),(k,m?)->(n?,m?)"
    pair = data.draw(hnp.mutually_broadcastable_shapes(signature=sig, max_dims=4, max_side=3))
    rng = seeded(data)
    return [rng.standard_normal(s) for s in pair.input_shapes], {}


def _dot(data: st.DataObject) -> tuple[list, dict]:
    """np.dot's cases: a scalar operand, 1-d and 2-d (matmul), and N-d (sum over a's last
    axis and b's second to last, an outer product of the rest)."""
    n, k, m, p, q = (data.draw(SIDE) for _ in range(5))
    a, b = data.draw(
        st.sampled_from(
            [
                ((), (n, k)),
                ((n, k), ()),
                ((k,), (k,)),
                ((n, k), (k,)),
                ((k,), (k, m)),
                ((n, k), (k, m)),
                ((p, n, k), (k, m)),
                ((p, n, k), (k,)),
                ((k,), (p, k, m)),
                ((n, k), (p, k, m)),
                ((p, n, k), (q, k, m)),
            ]
        )
    )
    rng = seeded(data)
    return [rng.standard_normal(a), rng.standard_normal(b)], {}


def _outer(data: st.DataObject) -> tuple[list, dict]:
    rng = seeded(data)
    shape = hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)
    return [rng.standard_normal(data.draw(shape)), rng.standard_normal(data.draw(shape))], {}


# einsum specs and the size of each letter's axis ('.' stands for '...': a (2,) or (1,) batch).
EINSUM = [
    "ij,jk->ik",
    "ij,jk",
    "i,i",
    "i,i->",
    "i,j->ij",
    "ij->ji",
    "ij",
    "ji",
    "ii->i",
    "ii",
    "iij->j",
    "ij->",
    "ij->i",
    "ij,j->i",
    "ij,ij->ij",
    "bij,bjk->bik",
    "bij,jk,k->bi",
    "...ij,...jk->...ik",
    "...i,...i",
    "i...,i->...",
]


def _einsum(data: st.DataObject) -> tuple[list, dict]:
    spec = data.draw(st.sampled_from(EINSUM))
    sizes = {c: data.draw(SIDE) for c in "ijkb"}
    terms = spec.split("->")[0].split(",")
    rng = seeded(data)
    operands = []
    for term in terms:
        batch = tuple(data.draw(st.sampled_from([(2,), (1,), (2, 2), ()]))) if "." in term else ()
        letters = term.replace("...", "")
        before = term.index("...") if "..." in term else len(term)
        shape = [sizes[c] for c in letters[:before]] + list(batch)
        shape += [sizes[c] for c in letters[before:]]
        operands.append(rng.standard_normal(shape))
    return [spec, tuple(operands)], {"optimize": data.draw(st.booleans())}


def _norm(data: st.DataObject) -> tuple[list, dict]:
    """Vector norms (any ord, axis None or one axis) and matrix norms (two axes)."""
    kind = data.draw(st.sampled_from(["flat", "vector", "matrix"]))
    rng = seeded(data)
    if kind == "flat":  # ord None over everything: the 2-norm of the flattened array
        x = rng.standard_normal(data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
        return [x], {"keepdims": data.draw(st.booleans())}
    if kind == "vector":
        shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
        axis = data.draw(st.integers(-len(shape), len(shape) - 1)) if len(shape) > 1 else None
        ord_ = data.draw(st.sampled_from([None, 2, 1, 3, 0.5, np.inf, -np.inf, 0]))
    else:
        shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=3))
        axis = data.draw(hnp.valid_tuple_axes(len(shape), min_size=2, max_size=2))
        if len(shape) == 2 and data.draw(st.booleans()):
            axis = None
        ord_ = data.draw(st.sampled_from([None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf]))
    x = rng.standard_normal(shape)
    return [x], {"ord": ord_, "axis": axis, "keepdims": data.draw(st.booleans())}


def _square(data: st.DataObject, batch: tuple[int, ...], n: int) -> np.ndarray:
    """A well-conditioned matrix (or batch): random plus a dominant diagonal."""
    rng = seeded(data)
    return rng.standard_normal((*batch, n, n)) + 3.0 * np.eye(n)


def _solve(data: st.DataObject) -> tuple[list, dict]:
    """numpy 2's solve: b is one vector (M,) or a batch of column blocks (..., M, K)."""
    n, k = data.draw(SIDE), data.draw(SIDE)
    pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2))
    a = _square(data, pair.input_shapes[0], n)
    vector = data.draw(st.booleans())
    b_shape = (n,) if vector else (*pair.input_shapes[1], n, k)
    return [a, seeded(data).standard_normal(b_shape)], {}


def _matrix(data: st.DataObject) -> tuple[list, dict]:
    batch = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=2))
    return [_square(data, batch, data.draw(SIDE))], {}


def _trace(data: st.DataObject) -> tuple[list, dict]:
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=3))
    axis1, axis2 = data.draw(hnp.valid_tuple_axes(len(shape), min_size=2, max_size=2))
    offset = data.draw(st.integers(-1, 1))
    x = seeded(data).standard_normal(shape)
    return [x], {"offset": offset, "axis1": axis1, "axis2": axis2}


CASES = [
    Case("matmul", np.matmul, _matmul),
    Case("matmul", operator.matmul, _matmul),
    Case("dot", np.dot, _dot),
    Case("outer", np.outer, _outer),
    Case("einsum", np.einsum, _einsum),
    Case("norm", np.linalg.norm, _norm),
    Case("solve", np.linalg.solve, _solve),
    Case("inv", np.linalg.inv, _matrix),
    Case("det", np.linalg.det, _matrix),
    Case("trace", np.trace, _trace),
]


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
@RULE_SETTINGS
@given(data=st.data())
def test_rule_matches_finite_differences(case: Case, data: st.DataObject) -> None:
    check_case(case, data)
