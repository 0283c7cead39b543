"""Write tests/data/printing_cases.json: what PyTorch itself prints for many tensors.

Needs PyTorch (``pip install torch==2.13.0 numpy`` in a side environment; CI never runs this):

    python tests/data/make_printing_cases.py                 # the frozen cases for the test
    python tests/data/make_printing_cases.py --random 3000 --seed 1 --out /tmp/fuzz.json

Each case stores the tensor's dtype, shape and values (its raw little-endian bytes in base64,
so NaN, infinities and negative zero survive exactly), the suffixes PyTorch appended after the data
(``grad_fn=...``, ``requires_grad=True``), the print options in force, and PyTorch's ``repr``
with ``torch.`` replaced by ``srcdiff.``.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

OUT = Path(__file__).with_name("printing_cases.json")

DTYPES = {
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
    "complex64": np.complex64,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "bool": np.bool_,
}


def _encode(arr: np.ndarray) -> str:
    """The array's bytes, little-endian, in base64: exact (NaN payloads, -0.0) and compact."""
    little = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    return base64.b64encode(np.ascontiguousarray(little).tobytes()).decode("ascii")


def _suffixes(t: torch.Tensor) -> list[str]:
    if t.grad_fn is not None:
        return [f"grad_fn=<{type(t.grad_fn).__name__}>"]
    if t.requires_grad:
        return ["requires_grad=True"]
    return []


def record(name: str, t: torch.Tensor, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Print ``t`` with PyTorch under ``options`` and keep everything the test needs."""
    options = options or {}
    torch.set_printoptions(profile="default")
    torch.set_printoptions(**options)
    try:
        expected = repr(t).replace("torch.", "srcdiff.")
    finally:
        torch.set_printoptions(profile="default")
    arr = t.detach().numpy()
    dtype = str(t.dtype).removeprefix("torch.")
    return {
        "name": name,
        "dtype": dtype,
        "shape": list(arr.shape),
        "data": _encode(arr),
        "suffixes": _suffixes(t),
        "options": options,
        "expected": expected,
    }


def _t(data: Any, dtype: torch.dtype | None = None) -> torch.Tensor:
    return torch.tensor(data, dtype=dtype)


def _grad_cases() -> list[dict[str, Any]]:
    """Tensors carrying autograd suffixes, built with real autograd so the names are PyTorch's."""
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    a = torch.tensor(2.0, requires_grad=True)
    long_row = torch.linspace(-1, 1, 19, requires_grad=True)
    return [
        record("leaf_requires_grad", x),
        record("add_backward", y),
        record("mul_backward", z),
        record("mean_backward_scalar", z.mean()),
        record("pow_backward_scalar", (a - 4) ** 2),
        record("sum_backward_scalar", (x * 7).sum()),
        record("wrapping_row_grad_fn", long_row * 1.5),
        record("float64_requires_grad", torch.zeros(3, dtype=torch.float64, requires_grad=True)),
        record(
            "float64_scalar_grad_fn", torch.tensor(1.5, dtype=torch.float64, requires_grad=True) * 2
        ),
        record("grad_fn_on_new_line", torch.arange(9.0, requires_grad=True) * 1234.5678),
    ]


def _fixed_cases() -> list[dict[str, Any]]:
    inf, nan = math.inf, math.nan
    g = torch.Generator().manual_seed(0)
    cases: list[tuple[str, Callable[[], torch.Tensor], dict[str, Any] | None]] = [
        ("int_valued_2x2", lambda: torch.full((2, 2), 3.0), None),
        ("mean_scalar", lambda: _t(27.0), None),
        ("arange_step4", lambda: _t([0.0, 4.0, 8.0, 12.0]), None),
        ("bools", lambda: _t([True, True]), None),
        ("bool_mixed", lambda: _t([[True, False], [False, True]]), None),
        ("bool_scalar", lambda: _t(True), None),
        ("four_decimals", lambda: _t([1.0, 1.5, 2.0, 2.5]), None),
        ("linspace_seed", lambda: torch.linspace(3, 10, 5), None),
        ("logspace_seed", lambda: torch.logspace(0.1, 1, 5), None),
        ("pi_2x3", lambda: torch.full((2, 3), math.pi), None),
        (
            "seed_sci_small",
            lambda: _t(
                [[4.4972e-04, 8.5017e-02, 5.9424e-01], [8.3599e-02, 6.9334e-01, 5.4743e-01]]
            ),
            None,
        ),
        ("sci_ratio", lambda: _t([2.6050e-03, 1.7577e-02, 3.5, 1.2]), None),
        ("sci_large", lambda: _t([1.0e9, 2.0]), None),
        ("sci_int_valued", lambda: _t([1.0e9, 3.0, -7.0]), None),
        ("sci_tiny", lambda: _t([1.0e-5, 2.0e-5]), None),
        ("sci_threedigit_exp", lambda: _t([1.0e-300, 1.0e300], torch.float64), None),
        ("ratio_exactly_1000", lambda: _t([1.0, 1000.0]), None),
        ("ratio_just_over_1000", lambda: _t([1.0, 1000.5]), None),
        ("inf_nan_mixed", lambda: _t([1.5, inf, -inf, nan]), None),
        ("inf_nan_int_mode", lambda: _t([1.0, inf, nan, -2.0]), None),
        ("only_nonfinite", lambda: _t([inf, nan, -inf]), None),
        ("zeros_and_nan", lambda: _t([0.0, nan]), None),
        ("negative_zero", lambda: _t([-0.0, 0.0]), None),
        ("negative_zero_with_values", lambda: _t([-0.0, 1.25, -3.5]), None),
        ("negative_zero_scalar", lambda: _t(-0.0), None),
        ("nan_scalar", lambda: _t(nan), None),
        ("all_zero_matrix", lambda: torch.zeros(2, 3), None),
        ("float64_vector", lambda: _t([1.0, 2.5], torch.float64), None),
        ("float64_scalar", lambda: _t(2.0, torch.float64), None),
        ("float16_vector", lambda: _t([0.1, 2.0, 65504.0], torch.float16), None),
        ("float32_rounding", lambda: _t([0.1, 0.2, 0.30000001]), None),
        ("int64_padded", lambda: _t([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]), None),
        ("int64_negative", lambda: _t([-100, 5, 42]), None),
        ("int32_dtype", lambda: _t([1, 2], torch.int32), None),
        ("int16_scalar", lambda: _t(7, torch.int16), None),
        ("int8_values", lambda: _t([-128, 0, 127], torch.int8), None),
        ("uint8_values", lambda: _t([0, 255, 17], torch.uint8), None),
        ("int64_scalar", lambda: _t(5), None),
        ("complex_vector", lambda: _t([1 + 2j, 3 - 4.5j, -0.5 + 0j]), None),
        ("complex_scalar", lambda: _t(1.5 - 2j), None),
        ("complex_sci", lambda: _t([1e-6 + 1j, 2 + 3e5j]), None),
        ("complex_nonfinite", lambda: _t([complex(nan, inf), complex(1, -inf)]), None),
        ("empty_1d", lambda: _t([]), None),
        ("empty_0x3", lambda: torch.zeros(0, 3), None),
        ("empty_int", lambda: torch.zeros(0, dtype=torch.int64), None),
        ("empty_bool_2d", lambda: torch.zeros(2, 0, dtype=torch.bool), None),
        ("empty_float64", lambda: torch.zeros(0, dtype=torch.float64), None),
        ("wrap_10_values", lambda: torch.linspace(1.0, 0.1, 10), None),
        ("wrap_long_ints", lambda: torch.arange(40), None),
        ("wrap_long_sci", lambda: torch.logspace(-6, 6, 25), None),
        ("matrix_rows_no_wrap", lambda: torch.arange(60.0).reshape(2, 30) / 7, None),
        ("summarize_1d", lambda: torch.arange(1001.0), None),
        ("summarize_exact_threshold", lambda: torch.arange(1000), None),
        ("summarize_2d", lambda: torch.arange(2000.0).reshape(40, 50) / 3, None),
        ("summarize_3d", lambda: torch.randn(11, 12, 13, generator=g), None),
        ("summarize_4d_int", lambda: torch.arange(5 * 6 * 7 * 8).reshape(5, 6, 7, 8), None),
        ("summarize_short_rows", lambda: torch.arange(3000).reshape(1000, 3), None),
        (
            "summarize_hidden_outlier",
            lambda: torch.cat([torch.ones(10), torch.full((1000,), 1e-9), torch.ones(10) * 2]),
            None,
        ),
        ("tensor_3d", lambda: torch.arange(24.0).reshape(2, 3, 4) - 10.5, None),
        ("tensor_4d", lambda: torch.arange(16).reshape(2, 2, 2, 2), None),
        ("randn_3x3", lambda: torch.randn(3, 3, generator=g), None),
        ("dtype_fits_at_torch_width", lambda: torch.arange(13, dtype=torch.int32), None),
        ("complex_negative_zero_parts", lambda: _t([complex(1.0, -0.0), complex(-0.0, 2.5)]), None),
        ("complex_nan_imag_scalar", lambda: _t(complex(1.0, nan)), None),
        ("float16_sci_boundary", lambda: _t([6e-5, 1.0], torch.float16), None),
        ("rounding_widens", lambda: _t([99.99995, -1.5], torch.float64), None),
        ("opt_threshold_0_scalar", lambda: _t(3.5), {"threshold": 0, "edgeitems": 0}),
        ("opt_linewidth_narrow_3d", lambda: torch.arange(24).reshape(2, 3, 4), {"linewidth": 9}),
        ("opt_precision_2", lambda: _t([1.12345, 2.5]), {"precision": 2}),
        ("opt_precision_0", lambda: _t([1.6, 2.2]), {"precision": 0}),
        ("opt_threshold_5", lambda: torch.arange(10), {"threshold": 5}),
        (
            "opt_edgeitems_1",
            lambda: torch.arange(100.0).reshape(10, 10),
            {"threshold": 10, "edgeitems": 1},
        ),
        ("opt_edgeitems_0_1d", lambda: torch.arange(10), {"threshold": 5, "edgeitems": 0}),
        ("opt_edgeitems_0_2d", lambda: torch.ones(4, 4), {"threshold": 5, "edgeitems": 0}),
        ("opt_edgeitems_0_small", lambda: torch.ones(2), {"edgeitems": 0}),
        ("opt_linewidth_40", lambda: torch.linspace(0, 1, 20), {"linewidth": 40}),
        ("opt_linewidth_tiny", lambda: _t([1.5, 2.5, 3.5]), {"linewidth": 5}),
        ("opt_sci_true", lambda: _t([1.0, 2.5]), {"sci_mode": True}),
        ("opt_sci_false", lambda: _t([1e-8, 1e8]), {"sci_mode": False}),
        ("opt_sci_true_int_dtype", lambda: _t([1, 2]), {"sci_mode": True}),
        ("opt_profile_short", lambda: torch.arange(2000.0) / 7, {"profile": "short"}),
        ("opt_profile_full", lambda: torch.arange(1200), {"profile": "full"}),
        ("opt_precision_with_sci", lambda: _t([1e-7, 3.0]), {"precision": 6}),
    ]
    return [record(name, make(), opts) for name, make, opts in cases]


def _random_array(rng: np.random.Generator) -> np.ndarray:
    """An array of random dtype, shape (0-4 dims, sometimes large) and magnitudes."""
    ndim = int(rng.integers(0, 5))
    big = rng.random() < 0.15
    limit = {
        0: 1,
        1: 1500 if big else 14,
        2: 60 if big else 6,
        3: 14 if big else 4,
        4: 8 if big else 3,
    }
    shape = tuple(
        int(rng.integers(0 if rng.random() < 0.05 else 1, limit[ndim] + 1)) for _ in range(ndim)
    )
    name = str(rng.choice(list(DTYPES)))
    dtype = DTYPES[name]
    if name == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        span = int(rng.choice([10, 1000, 10**6, 2**62]))
        lo, hi = max(info.min, -span), min(info.max, span)
        return np.asarray(rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype))
    scale = (
        10.0 ** rng.uniform(-12, 12, size=shape)
        if rng.random() < 0.3
        else 10.0 ** rng.uniform(-6, 6)
    )
    values = rng.standard_normal(shape) * scale
    if rng.random() < 0.3:
        values = np.round(values)
    if name == "complex64":
        values = values + 1j * rng.standard_normal(shape) * scale
    if rng.random() < 0.2 and values.size:
        flat = values.reshape(-1)
        picks = rng.integers(0, flat.size, size=min(3, flat.size))
        flat[picks] = rng.choice([np.inf, -np.inf, np.nan, 0.0, -0.0], size=picks.size)
    with np.errstate(over="ignore"):
        return np.asarray(values).astype(dtype)


def _random_options(rng: np.random.Generator) -> dict[str, Any]:
    if rng.random() < 0.6:
        return {}
    options: dict[str, Any] = {}
    if rng.random() < 0.4:
        options["precision"] = int(rng.integers(0, 9))
    if rng.random() < 0.4:
        options["threshold"] = int(rng.integers(0, 60))
    if rng.random() < 0.4:
        options["edgeitems"] = int(rng.integers(0, 5))
    if rng.random() < 0.4:
        options["linewidth"] = int(rng.integers(10, 200))
    if rng.random() < 0.3:
        options["sci_mode"] = bool(rng.random() < 0.5)
    return options


def random_cases(count: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        t = torch.from_numpy(_random_array(rng))
        if t.dtype.is_floating_point and rng.random() < 0.2:
            t.requires_grad_(True)
            if rng.random() < 0.5:
                t = t * 1
        cases.append(record(f"random_{seed}_{i}", t, _random_options(rng)))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=0, help="random cases only, this many")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.random:
        cases = random_cases(args.random, args.seed)
    else:
        cases = _fixed_cases() + _grad_cases() + random_cases(16, seed=2024)
    # one case a line keeps the file small and its diffs readable
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in cases)
    version = json.dumps(torch.__version__)
    args.out.write_text(f'{{"torch_version": {version}, "cases": [\n{lines}\n]}}\n')
    print(f"wrote {len(cases)} cases to {args.out}")


if __name__ == "__main__":
    main()
