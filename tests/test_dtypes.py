"""dtypes and Size: names, printing, promotion."""

from __future__ import annotations

import numpy as np
import pytest

import srcdiff as torch


def test_dtype_repr_and_aliases():
    assert repr(torch.float32) == "srcdiff.float32" and str(torch.float64) == "srcdiff.float64"
    assert torch.float is torch.float32 and torch.double is torch.float64
    assert torch.long is torch.int64 and torch.int is torch.int32 and torch.half is torch.float16
    assert torch.float32.is_floating_point and not torch.int64.is_floating_point
    assert torch.complex64.is_complex


def test_size():
    s = torch.ones(2, 3).shape
    assert repr(s) == "srcdiff.Size([2, 3])" and str(s) == "srcdiff.Size([2, 3])"
    assert s == (2, 3) and isinstance(s, tuple) and s.numel() == 6
    assert repr(s[1:]) == "srcdiff.Size([3])"
    assert torch.ones(2, 3).size(1) == 3 and torch.ones(2, 3).size(-2) == 2


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: torch.tensor([1.0, 2.0]), torch.float32),
        (lambda: torch.tensor([1, 2]), torch.int64),
        (lambda: torch.tensor([True]), torch.bool),
        (lambda: torch.tensor(np.ones(2)), torch.float64),
        (lambda: torch.arange(4), torch.int64),
        (lambda: torch.arange(4.0), torch.float32),
        (
            lambda: torch.tensor([1, 2]) * 2.5,
            torch.float32,
        ),  # int tensor, float scalar: default float
        (lambda: torch.tensor([1, 2]) / torch.tensor([2, 2]), torch.float32),  # true division
        (
            lambda: torch.ones(2) + torch.tensor(1.0, dtype=torch.float64),
            torch.float32,
        ),  # 0-d does not promote
        (lambda: torch.ones(2) + torch.ones(2, dtype=torch.float64), torch.float64),
        (lambda: torch.tensor([1, 2]) + torch.tensor(1.5, dtype=torch.float64), torch.float64),
        (lambda: torch.tensor([1, 2], dtype=torch.int32) + 5, torch.int32),
        (lambda: torch.tensor([True]) + 1, torch.int64),
        (lambda: torch.tensor([1, 2]).exp(), torch.float32),
        (lambda: torch.tensor([1, 2]).sum(), torch.int64),
        (lambda: torch.ones(2) > 0, torch.bool),
    ],
)
def test_result_dtypes(make, expected):
    assert make().dtype is expected


def test_default_dtype():
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.tensor([1.5]).dtype is torch.float64 and torch.ones(1).dtype is torch.float64
    finally:
        torch.set_default_dtype(torch.float32)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
