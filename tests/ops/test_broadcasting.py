"""Property test: binary ops over random broadcastable shapes give gradients that match
finite differences (so every input's gradient is reduced back to its own shape)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import srcdiff as torch
from srcdiff.autograd import gradcheck

OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b.abs() + 0.5),
    "pow": lambda a, b: (a.abs() + 0.5) ** b,
    "maximum": torch.maximum,
    "where": lambda a, b: torch.where(a > b, a * 2, b),
}


@settings(max_examples=40, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    op=st.sampled_from(sorted(OPS)),
    seed=st.integers(0, 2**16),
)
def test_binary_broadcast_gradients(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a, b = (
        torch.tensor(rng.uniform(-1, 1, s), dtype=torch.float64, requires_grad=True)
        for s in shapes.input_shapes
    )
    out = OPS[op](a, b)
    assert tuple(out.shape) == shapes.result_shape
    assert gradcheck(OPS[op], (a, b))
