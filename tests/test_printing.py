"""srcdiff prints tensors exactly as PyTorch does.

The expected strings in tests/data/printing_cases.json were printed by PyTorch 2.13 itself
(tests/data/make_printing_cases.py regenerates them); this test needs no PyTorch.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from srcdiff._printing import format_tensor, get_printoptions, printoptions, set_printoptions

CASES_FILE = Path(__file__).parent / "data" / "printing_cases.json"
CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text())["cases"]


def decode(case: dict[str, Any]) -> np.ndarray:
    """The numpy array a case describes, bit for bit (raw little-endian bytes in base64)."""
    dtype = np.dtype(case["dtype"]).newbyteorder("<")
    flat = np.frombuffer(base64.b64decode(case["data"]), dtype=dtype)
    return flat.reshape(case["shape"]).astype(case["dtype"])


def render(case: dict[str, Any]) -> str:
    with printoptions(profile="default"), printoptions(**case["options"]):
        return format_tensor(decode(case), case["dtype"], list(case["suffixes"]))


@pytest.fixture(autouse=True)
def _default_options() -> Iterator[None]:
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def test_enough_cases_frozen() -> None:
    assert len(CASES) >= 80
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_matches_pytorch(case: dict[str, Any]) -> None:
    assert render(case) == case["expected"]


def test_brief_examples() -> None:
    """The issue's own examples, spelled out so a reader sees the format without the JSON."""
    two_by_two = np.full((2, 2), 3.0, dtype=np.float32)
    assert (
        format_tensor(two_by_two, "float32", ["grad_fn=<AddBackward0>"])
        == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    )
    scalar = np.array(27.0, dtype=np.float32)
    assert format_tensor(scalar, "float32", ["grad_fn=<MeanBackward0>"]) == (
        "tensor(27., grad_fn=<MeanBackward0>)"
    )
    assert format_tensor(np.array([True, True]), "bool", []) == "tensor([True, True])"
    assert format_tensor(np.array(2.0), "float64", []) == "tensor(2., dtype=srcdiff.float64)"
    assert format_tensor(np.zeros((0, 3), np.float32), "float32", []) == "tensor([], size=(0, 3))"


def test_values_are_cast_to_the_named_dtype() -> None:
    # float64 data shown as float32 rounds like a float32 tensor would
    assert format_tensor(np.array([0.1]), "float32", []) == "tensor([0.1000])"
    assert format_tensor([1, 2], "int32", []) == "tensor([1, 2], dtype=srcdiff.int32)"


def test_default_dtype_float64_hides_its_dtype() -> None:
    values = np.array([1.5, 2.0])
    assert (
        format_tensor(values, "float64", [], default_dtype="float64") == "tensor([1.5000, 2.0000])"
    )
    shown = format_tensor(values, "float32", [], default_dtype="float64")
    assert shown == "tensor([1.5000, 2.0000], dtype=srcdiff.float32)"


def test_set_printoptions_profiles_and_overrides() -> None:
    set_printoptions(profile="short", precision=3)
    assert get_printoptions() == {
        "precision": 3,
        "threshold": 1000,
        "edgeitems": 2,
        "linewidth": 80,
        "sci_mode": None,
    }
    set_printoptions(profile="full")
    assert get_printoptions()["threshold"] == math.inf
    set_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    set_printoptions(precision=2)  # like PyTorch, leaving sci_mode out resets it
    assert get_printoptions()["sci_mode"] is None


def test_printoptions_context_restores() -> None:
    before = get_printoptions()
    with printoptions(precision=1, linewidth=30):
        assert format_tensor(np.array([1.25], np.float32), "float32", []) == "tensor([1.2])"
    assert get_printoptions() == before


@pytest.mark.parametrize(
    "kwargs",
    [
        {"profile": "tiny"},
        {"precision": -1},
        {"precision": 2.5},
        {"edgeitems": -3},
        {"linewidth": 0},
        {"threshold": "many"},
        {"sci_mode": "yes"},
    ],
)
def test_bad_printoptions_rejected(kwargs: dict[str, Any]) -> None:
    set_printoptions(precision=6, edgeitems=5, sci_mode=True)
    before = get_printoptions()
    with pytest.raises(ValueError, match="set_printoptions"):
        set_printoptions(**{"edgeitems": 1, **kwargs})
    assert get_printoptions() == before  # a rejected call changes nothing


def test_unknown_dtype_name_rejected() -> None:
    with pytest.raises(ValueError, match="unknown dtype name 'float8'"):
        format_tensor(np.zeros(2), "float8", [])
