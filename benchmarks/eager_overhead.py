"""Eager per-op overhead: srcdiff vs PyTorch CPU vs HIPS autograd, in one run.

Workloads (forward + backward, gradients checked against each other first):
  (a) tiny:  (x * 2 + 1).sum() on 10 float32 elements
  (b) mlp:   64x64 input -> Linear(256) -> relu -> Linear(10) -> sum, float32

Libraries run interleaved (a batch of calls each, round after round) with one
BLAS thread, so background load hits all of them alike; the table shows the
median time per call and the median over rounds of srcdiff's time divided by
PyTorch's in the same round (goal: <= 0.5 on tiny, <= 0.85 on mlp).

    python benchmarks/eager_overhead.py [--rounds 30] [--batch 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import srcdiff  # noqa: E402


def _data(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    f = np.float32
    return {
        "x": rng.standard_normal(10).astype(f),
        "X": rng.standard_normal((64, 64)).astype(f),
        "W1": (rng.standard_normal((64, 256)) * 0.1).astype(f),
        "b1": np.zeros(256, f),
        "W2": (rng.standard_normal((256, 10)) * 0.1).astype(f),
        "b2": np.zeros(10, f),
    }


def _torchlike(mod: Any, d: dict[str, np.ndarray]) -> dict[str, Callable[[], Any]]:
    """The two workloads for a PyTorch-compatible module (srcdiff or torch)."""
    x = mod.tensor(d["x"], requires_grad=True)
    X = mod.tensor(d["X"])
    params = [mod.tensor(d[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def tiny() -> Any:
        x.grad = None
        (x * 2 + 1).sum().backward()
        return [x.grad]

    def mlp() -> Any:
        for p in params:
            p.grad = None
        h = (X @ W1 + b1).relu()
        (h @ W2 + b2).sum().backward()
        return [p.grad for p in params]

    return {"tiny": tiny, "mlp": mlp}


def _hips(d: dict[str, np.ndarray]) -> dict[str, Callable[[], Any]] | None:
    try:
        import autograd
        import autograd.numpy as anp
    except ImportError:
        return None
    g_tiny = autograd.grad(lambda x: anp.sum(x * 2 + 1))

    def loss(params: list[np.ndarray]) -> Any:
        W1, b1, W2, b2 = params
        h = anp.maximum(d["X"] @ W1 + b1, 0.0)
        return anp.sum(h @ W2 + b2)

    g_mlp = autograd.grad(loss)
    params = [d[k] for k in ("W1", "b1", "W2", "b2")]
    return {"tiny": lambda: [g_tiny(d["x"])], "mlp": lambda: g_mlp(params)}


def _as_arrays(grads: Any) -> list[np.ndarray]:
    return [
        np.asarray(g.detach().numpy() if hasattr(g, "detach") else g, dtype=np.float64)
        for g in grads
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    d = _data()
    libs: dict[str, dict[str, Callable[[], Any]]] = {"srcdiff": _torchlike(srcdiff, d)}
    try:
        import torch

        torch.set_num_threads(1)
        libs["torch"] = _torchlike(torch, d)
    except ImportError:
        pass
    hips = _hips(d)
    if hips is not None:
        libs["autograd"] = hips
    print(f"libraries: {', '.join(libs)}; rounds={args.rounds}, batch={args.batch}")
    print(
        f"{'workload':10s}"
        + "".join(f"{name:>14s}" for name in libs)
        + "   srcdiff/torch (paired)   (of medians)"
    )
    for work in ("tiny", "mlp"):
        ref = _as_arrays(libs["srcdiff"][work]())
        for name, fns in libs.items():  # every library computes the same gradients before timing
            got = _as_arrays(fns[work]())
            for a, b in zip(ref, got, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4, err_msg=f"{name}/{work}")
        samples: dict[str, list[float]] = {name: [] for name in libs}
        for _ in range(args.rounds):
            for name, fns in libs.items():
                fn = fns[work]
                t0 = time.perf_counter()
                for _ in range(args.batch):
                    fn()
                samples[name].append((time.perf_counter() - t0) / args.batch)
        med = {name: statistics.median(s) * 1e6 for name, s in samples.items()}
        ratio = of_medians = "n/a"
        if "torch" in samples:
            of_medians = f"{med['srcdiff'] / med['torch']:.2f}x"
            # each round times srcdiff and torch back to back: the median of the per-round
            # ratios cancels load that changes between rounds
            paired = [a / b for a, b in zip(samples["srcdiff"], samples["torch"], strict=True)]
            ratio = f"{statistics.median(paired):.2f}x"
        print(
            f"{work:10s}"
            + "".join(f"{med[n]:11.1f} us" for n in libs)
            + f"   {ratio:>22s}   {of_medians:>12s}"
        )


if __name__ == "__main__":
    main()
