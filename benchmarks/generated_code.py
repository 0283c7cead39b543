"""How the generated gradients of the test corpus read, in counts.

Issue 4 asks for unbroadcasting only where shapes can actually differ. This
prints, over the gradient-only code of every corpus function (tests/codegen),
the lines generated and the calls that a static shape would have made
unnecessary: ``unbroadcast``/``unbroadcast_as`` (sums at run time) and
``np.broadcast_to`` (spreads).

    python benchmarks/generated_code.py [--show N]
"""

from __future__ import annotations

import argparse
import collections
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import srcdiff  # noqa: E402
from tests.codegen.corpus_control import CASES as CONTROL  # noqa: E402
from tests.codegen.corpus_straight import CASES as STRAIGHT  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=10, help="functions with most unbroadcasts")
    opts = parser.parse_args()
    totals: collections.Counter = collections.Counter()
    per_function = []
    warnings.simplefilter("ignore")
    for case in STRAIGHT + CONTROL:
        df = srcdiff.grad(case.fn, wrt=case.wrt)
        df(*case.make_args())
        df(*case.make_args())  # the gradient-only code, the one .source shows
        source = srcdiff.source(df)
        counts = {
            "lines": len(source.splitlines()),
            "unbroadcast": source.count("unbroadcast"),
            "np.broadcast_to": source.count("np.broadcast_to("),
        }
        totals.update(counts)
        per_function.append((counts["unbroadcast"], case.name))
    print(f"{len(STRAIGHT) + len(CONTROL)} corpus functions:", dict(totals))
    for count, name in sorted(per_function, reverse=True)[: opts.show]:
        if count:
            print(f"  {count:3d} unbroadcast  {name}")


if __name__ == "__main__":
    main()
