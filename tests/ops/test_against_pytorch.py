"""srcdiff against what PyTorch 2.13 computed for the same cases (tests/ops/pytorch_cases.py):
result dtype, shape, grad_fn name, values and the gradient of the input."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest

import srcdiff
from tests.ops.pytorch_cases import CASES

DATA = json.loads((pathlib.Path(__file__).parent / "data" / "pytorch_cases.json").read_text())


def test_every_case_has_a_recorded_answer():
    assert sorted(DATA["cases"]) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name):
    want = DATA["cases"][name]
    a = srcdiff.tensor(np.array(DATA["input"], dtype=np.float32), requires_grad=True)
    r = CASES[name](srcdiff, a)
    assert r.dtype.name == want["dtype"]
    assert list(r.shape) == want["shape"]
    assert (type(r.grad_fn).__name__ if r.grad_fn is not None else None) == want["grad_fn"]
    np.testing.assert_allclose(
        r.detach().numpy().astype(np.float64), want["values"], rtol=1e-5, atol=1e-6
    )
    if want["grad"] is None:
        assert not r.requires_grad
        return
    r.backward(srcdiff.ones_like(r))
    np.testing.assert_allclose(
        a.grad.numpy().astype(np.float64), want["grad"], rtol=1e-5, atol=1e-6
    )
