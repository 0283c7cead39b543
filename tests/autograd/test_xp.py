"""The Tensor namespace (srcdiff.autograd.xp) offers every ``xp.<name>`` the rules use,
so create_graph=True works for every rule of the table."""

from __future__ import annotations

import pathlib
import re

import srcdiff.autograd.xp as xp

RULES_DIR = pathlib.Path(__file__).resolve().parents[2] / "srcdiff" / "rules"


def test_every_xp_function_used_by_a_rule_exists():
    used: set[str] = set()
    for path in RULES_DIR.glob("*.py"):
        used |= set(re.findall(r"\bxp\.([A-Za-z_]\w*)", path.read_text()))
    assert used, "no xp usage found: wrong directory?"
    missing = sorted(name for name in used if not hasattr(xp, name))
    assert missing == []


def test_shape_and_add_at_on_tensors():
    import numpy as np

    import srcdiff as torch

    g = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    out = xp.zeros_like(torch.zeros(4, dtype=torch.float64))
    xp.add.at(out, np.array([0, 0, 3]), g)  # repeated index accumulates, like numpy
    assert out.tolist() == [3.0, 0.0, 0.0, 3.0] and xp.shape(out) == (4,)
    (gg,) = torch.autograd.grad(out.sum(), g)
    assert gg.tolist() == [1.0, 1.0, 1.0]
