"""How long srcdiff's first call takes: transform, compile and one run.

Issue 4 asks for at most 20 ms for a 20-line function. This times, in CPU
time of the calling thread (other work on a shared machine does not count,
nor do numpy's BLAS threads, which spin on a core of their own after a
matrix product and made process CPU time overstate a new process's call), the
first ``grad(f)(*args)`` of a 20-line model (two hidden layers, a
max-stabilised softmax cross-entropy, a loop, a branch and a while loop) and
of the anchor workloads, each from a cold cache (a new function in a process
that has used srcdiff before), and prints the median and the fastest of some
repetitions. The second call builds the gradient-only version from the same
analysis; its time is printed too. The model is also timed as a script's
first gradient, in new processes (after ``import srcdiff``, which imports
the compiler): that call also pays srcdiff's one-time set-up (the rules it
uses parsed, templates parsed) and runs on an interpreter that has not
specialised its code yet.

    python benchmarks/first_call.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import srcdiff  # noqa: E402
from benchmarks.twenty_lines import model_case  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402
from srcdiff.codegen import driver  # noqa: E402


def _cold() -> None:
    driver._CACHE.clear()
    driver._PARSED.clear()
    driver._SIBLINGS.clear()
    driver._DISPATCHERS.clear()


def first_calls(fn, args: tuple, wrt, repeats: int) -> tuple[list[float], list[float]]:
    """CPU seconds of the first and the second call, from a cold cache, per repetition."""
    firsts, seconds = [], []
    for _ in range(repeats):
        _cold()
        start = time.thread_time()
        df = srcdiff.grad(fn, wrt=wrt)
        df(*args)
        middle = time.thread_time()
        df(*args)
        firsts.append(middle - start)
        seconds.append(time.thread_time() - middle)
    return firsts, seconds


# a script's first gradient
_FRESH = """
import sys, time
import numpy as np
sys.path.insert(0, {root!r})
import srcdiff
from benchmarks.twenty_lines import model_case
fn, args, wrt = model_case(np.random.default_rng(0))
start = time.thread_time()
srcdiff.grad(fn, wrt=wrt)(*args)
print(time.thread_time() - start)
"""


def fresh_process_calls(repeats: int) -> list[float]:
    """The model's first call in new processes (after ``import srcdiff``), with
    Python's bytecode cache on, as in a normal install."""
    code = _FRESH.format(root=str(ROOT))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run = [sys.executable, "-c", code]
    return [
        float(subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout)
        for _ in range(repeats)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    opts = parser.parse_args()
    rng = np.random.default_rng(0)
    cases = [("model (20 lines)", *model_case(rng))]
    cases += [(w.name, w.fn, w.make_args(rng), w.wrt) for w in WORKLOADS]
    print(f"{'function':18s} {'first call: median':>19s} {'fastest':>9s} {'second call':>12s}")
    for name, fn, args, wrt in cases:
        firsts, seconds = first_calls(fn, args, wrt, opts.repeats)
        print(
            f"{name:18s} {statistics.median(firsts) * 1e3:16.1f} ms {min(firsts) * 1e3:6.1f} ms"
            f" {statistics.median(seconds) * 1e3:9.1f} ms"
        )
    fresh = fresh_process_calls(max(3, opts.repeats // 3))
    print(
        f"{'model, new script':18s} {statistics.median(fresh) * 1e3:16.1f} ms"
        f" {min(fresh) * 1e3:6.1f} ms"
    )
    print("(CPU time of the calling thread; a new function each time, srcdiff already used)")


if __name__ == "__main__":
    main()
