"""Regenerate pytorch_cases.json by running tests/ops/pytorch_cases.py under PyTorch.

python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0
/tmp/torchenv/bin/python tests/ops/data/make_pytorch_cases.py
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import torch

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parent))
from pytorch_cases import CASES  # noqa: E402

INPUT = np.random.default_rng(0).standard_normal((3, 3)).astype(np.float32)


def main() -> None:
    out = {"torch": torch.__version__, "input": INPUT.tolist(), "cases": {}}
    for name, f in CASES.items():
        a = torch.tensor(INPUT.copy(), requires_grad=True)
        r = f(torch, a)
        case = {
            "dtype": str(r.dtype).split(".")[-1],
            "shape": list(r.shape),
            "grad_fn": type(r.grad_fn).__name__ if r.grad_fn is not None else None,
            "values": r.detach().double().numpy().tolist(),
            "grad": None,
        }
        if r.requires_grad:
            r.backward(torch.ones_like(r))
            case["grad"] = a.grad.double().numpy().tolist()
        out["cases"][name] = case
    (HERE / "pytorch_cases.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
