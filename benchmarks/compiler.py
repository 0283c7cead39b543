"""Compiler benchmark: srcdiff.grad against a hand-written numpy gradient and peers.

Run from the repository root::

    python benchmarks/compiler.py [--quick] [--only NAME[,NAME]] [--tools T[,T]] [--markdown]

For each workload of benchmarks/workloads.py it times, in one run: the plain
numpy forward pass, the hand-written gradient (benchmarks/handwritten.py),
``srcdiff.grad``, and, when importable, PyTorch eager (CPU), HIPS autograd, JAX
without and with ``jit``, and tangent.  Before any gradient is timed it is
compared with the hand-written one (1e-6 relative, float64); a wrong gradient
is reported, never timed.  A tool that fails shows ``err[k]`` in its cell and
the error's class and first line below the tables.

Medians of repeated samples are printed, then every column divided by the
hand-written gradient and by the forward pass: the machine is shared and
noisy, so read the ratios, which are measured side by side in one process.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import statistics
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _threads_from_argv(argv: Sequence[str]) -> str:
    """``--threads N`` read before numpy loads: BLAS pools are sized at import."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


THREADS = _threads_from_argv(sys.argv[1:]) if __name__ == "__main__" else "1"
if __name__ == "__main__":
    # One thread everywhere by default: the machine has 2 cores shared with other
    # work, and spinning thread pools (OpenBLAS, OpenMP, Eigen) that lose their
    # core turn a 0.3 ms step into 90 ms.  The same threads for every column keep
    # the ratios fair.  (Only when run as a script: importing this module for its
    # helpers must not change the importer's environment.)
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, THREADS)
    if THREADS == "1":
        os.environ.setdefault(
            "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        )

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `benchmarks` and `srcdiff` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.handwritten import HANDWRITTEN  # noqa: E402
from benchmarks.workloads import BY_NAME, WORKLOADS, Workload  # noqa: E402

RTOL = 1e-6  # gradients must match the hand-written one to this, relative to its largest entry
RNN_STEPS, RNN_HIDDEN = 50, 64


class Unavailable(Exception):
    """The peer is not installed: its column shows n/a, not an error."""


# --- timing ----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    repeats: int  # samples wanted
    min_repeats: int  # samples taken even past the budget
    budget_s: (
        float  # per column: a row stops sampling after budget_s * columns (once min_repeats are in)
    )
    sample_s: float  # calls per sample are chosen so that one sample lasts about this long


# Cells --quick leaves out: seconds per call (JAX without jit runs scalar_loop's
# 1000 steps op by op) or half a minute of XLA compilation (jit unrolls them).
QUICK_SKIP = frozenset({("jax", "scalar_loop"), ("jax_jit", "scalar_loop")})

FULL = Settings(repeats=41, min_repeats=7, budget_s=2.0, sample_s=0.005)
QUICK = Settings(repeats=11, min_repeats=3, budget_s=0.4, sample_s=0.002)


# The clock samples are read from.  CPU time of this process (all its threads)
# by default: on a shared machine a process that waits for a core is not
# charged for the wait, so rows measured minutes apart stay comparable.  With
# several threads per library wall time is the meaningful one (--clock wall).
CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
_clock: Callable[[], float] = time.process_time


def calls_per_sample(fn: Callable[[], Any], settings: Settings) -> int:
    """How many calls make one sample last about ``settings.sample_s`` (fn is warm)."""
    t0 = _clock()
    fn()
    one = _clock() - t0
    return max(1, int(settings.sample_s / max(one, 1e-9)))


def sample(fn: Callable[[], Any], number: int) -> float:
    """Seconds per call over ``number`` calls, garbage collection off (as ``timeit``)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = _clock()
        for _ in range(number):
            fn()
        return (_clock() - t0) / number
    finally:
        if gc_was_enabled:
            gc.enable()


def measure_interleaved(
    fns: dict[str, Callable[[], Any]], settings: Settings
) -> dict[str, list[float]]:
    """Samples of every callable, taken in rounds (one sample of each per round).

    Interleaving spreads the shared machine's load changes evenly over the
    columns of a row, so the ratios between them stay meaningful.
    """
    numbers = {key: calls_per_sample(fn, settings) for key, fn in fns.items()}
    samples: dict[str, list[float]] = {key: [] for key in fns}
    start = time.perf_counter()
    budget = settings.budget_s * max(1, len(fns))
    for done in range(settings.repeats):
        if done >= settings.min_repeats and time.perf_counter() - start > budget:
            break
        for key, fn in fns.items():
            samples[key].append(sample(fn, numbers[key]))
    return samples


# --- the tools ---------------------------------------------------------------
# Each `prepare_*` takes a workload and its arguments and returns a callable of
# no arguments that computes the gradients (timed as is), plus a function that
# turns that callable's result into a tuple of numpy arrays (for the check).


def _rebind(fn: Callable, **names: Any) -> Callable:
    """The same code object with some module globals replaced (np -> jax.numpy, ...)."""
    new_globals = {**fn.__globals__, **names}
    return types.FunctionType(
        fn.__code__, new_globals, fn.__name__, fn.__defaults__, fn.__closure__
    )


def _to_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "detach"):  # torch
        x = x.detach().numpy()
    return np.asarray(x, dtype=np.float64)


def _as_tuple(result: Any) -> tuple[np.ndarray, ...]:
    if isinstance(result, (tuple, list)):
        return tuple(_to_numpy(r) for r in result)
    return (_to_numpy(result),)


Prepared = tuple[Callable[[], Any], Callable[[Any], tuple[np.ndarray, ...]]]
_SRCDIFF_GRADS: dict[str, Callable] = {}  # workload name -> srcdiff gradient, for the memory line
_FIRST_CALL: dict[str, float] = {}  # workload name -> seconds for srcdiff's first call


def prepare_forward(w: Workload, args: tuple) -> Prepared:
    fn = w.fn
    return (lambda: fn(*args)), _as_tuple


def prepare_hand(w: Workload, args: tuple) -> Prepared:
    grad = HANDWRITTEN[w.name]
    return (lambda: grad(*args)), _as_tuple


def prepare_srcdiff(w: Workload, args: tuple) -> Prepared:
    import srcdiff

    wrt = w.wrt if len(w.wrt) > 1 else w.wrt[0]
    t0 = _clock()
    df = srcdiff.grad(w.fn, wrt=wrt)
    df(*args)  # the transform may be lazy: time it with the first call
    _FIRST_CALL[w.name] = _clock() - t0
    _SRCDIFF_GRADS[w.name] = df
    return (lambda: df(*args)), _as_tuple


def _import_peer(module: str) -> types.ModuleType:
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as exc:
        raise Unavailable(f"{module} is not importable ({exc})") from None


def prepare_torch(w: Workload, args: tuple) -> Prepared:
    torch = _import_peer("torch")
    torch.set_num_threads(int(THREADS))

    def sum_(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return torch.sum(x) if axis is None else torch.sum(x, dim=axis, keepdim=keepdims)

    def max_(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return torch.amax(x) if axis is None else torch.amax(x, dim=axis, keepdim=keepdims)

    # Only the functions whose numpy and torch spellings differ are wrapped.
    np_ns = types.SimpleNamespace(
        tanh=torch.tanh,
        exp=torch.exp,
        log=torch.log,
        sum=sum_,
        max=max_,
        linalg=types.SimpleNamespace(norm=torch.linalg.norm),
    )
    fn = _rebind(w.fn, np=np_ns, math=types.SimpleNamespace(sin=torch.sin))
    targs = tuple(
        torch.from_numpy(a) if isinstance(a, np.ndarray) else torch.tensor(a, dtype=torch.float64)
        for a in args
    )
    leaves = [targs[i].requires_grad_() for i in w.wrt]
    return (lambda: torch.autograd.grad(fn(*targs), leaves)), _as_tuple


def prepare_autograd(w: Workload, args: tuple) -> Prepared:
    autograd = _import_peer("autograd")
    anp = _import_peer("autograd.numpy")
    fn = _rebind(w.fn, np=anp, math=types.SimpleNamespace(sin=anp.sin))
    grad = autograd.grad(fn, w.wrt)
    return (lambda: grad(*args)), _as_tuple


def _jax_setup(w: Workload, args: tuple) -> tuple[Any, Callable, tuple]:
    jax = _import_peer("jax")
    jax.config.update("jax_enable_x64", True)  # float64, as every other column
    jnp = _import_peer("jax.numpy")
    fn = _rebind(w.fn, np=jnp, math=types.SimpleNamespace(sin=jnp.sin))
    jargs = tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in args)
    return jax, jax.grad(fn, argnums=w.wrt), jargs


def prepare_jax(w: Workload, args: tuple) -> Prepared:
    jax, grad, jargs = _jax_setup(w, args)
    return (lambda: jax.block_until_ready(grad(*jargs))), _as_tuple


def prepare_jax_jit(w: Workload, args: tuple) -> Prepared:
    jax, grad, jargs = _jax_setup(w, args)
    jitted = jax.jit(grad)  # compiled by the check call, before timing
    return (lambda: jax.block_until_ready(jitted(*jargs))), _as_tuple


def prepare_tangent(w: Workload, args: tuple) -> Prepared:
    tangent = _import_peer("tangent")
    grad = tangent.grad(w.fn, wrt=w.wrt)
    return (lambda: grad(*args)), _as_tuple


@dataclass(frozen=True)
class Tool:
    key: str
    title: str
    prepare: Callable[[Workload, tuple], Prepared]
    is_gradient: bool = True


TOOLS: tuple[Tool, ...] = (
    Tool("forward", "numpy fwd", prepare_forward, is_gradient=False),
    Tool("hand", "hand grad", prepare_hand),
    Tool("srcdiff", "srcdiff", prepare_srcdiff),
    Tool("torch", "torch", prepare_torch),
    Tool("autograd", "autograd", prepare_autograd),
    Tool("jax", "jax", prepare_jax),
    Tool("jax_jit", "jax jit", prepare_jax_jit),
    Tool("tangent", "tangent", prepare_tangent),
)


# --- running ---------------------------------------------------------------


@dataclass
class Cell:
    seconds: float | None = None  # median of the samples
    samples: int = 0
    note: str | None = None  # why there is no time: "n/a", "err[k]", "WRONG ..."
    rounds: list[float] = field(default_factory=list)  # one sample per round, in order


@dataclass
class Notes:
    """Error messages, numbered once each, shown below the tables."""

    lines: list[str] = field(default_factory=list)

    def add(self, tool: str, exc: BaseException) -> int:
        text = str(exc).strip().splitlines()
        line = f"{tool}: {type(exc).__name__}: {text[0] if text else ''}"[:300]
        if line not in self.lines:
            self.lines.append(line)
        return self.lines.index(line) + 1


def rel_error(got: Sequence[np.ndarray], want: Sequence[np.ndarray]) -> float:
    """Largest deviation over all gradients, relative to the largest entry of each."""
    if len(got) != len(want):
        return float("inf")
    worst = 0.0
    for g, h in zip(got, want, strict=True):
        if np.shape(g) != np.shape(h):
            return float("inf")
        scale = float(np.max(np.abs(h)))
        err = float(np.max(np.abs(g - h))) if g.size else 0.0
        worst = max(worst, err / scale if scale > 0 else err)
    return worst


def prepare_cell(
    tool: Tool, w: Workload, args: tuple, want: tuple, notes: Notes
) -> tuple[Callable[[], Any] | None, Cell]:
    """The tool's timed callable, checked against the hand-written gradient and warm;
    or None and a cell that says why it cannot be timed."""
    try:
        fn, convert = tool.prepare(w, args)
        result = fn()  # also the first warm-up call (and JAX's compilation)
        if tool.is_gradient:
            err = rel_error(convert(result), want)
            if not err <= RTOL:
                return None, Cell(note=f"WRONG {err:.0e}")
        fn()
        return fn, Cell()
    except Unavailable as exc:
        notes.add(tool.key, exc)
        return None, Cell(note="n/a")
    except Exception as exc:  # a failing tool is a result to report, not a crash
        return None, Cell(note=f"err[{notes.add(tool.key, exc)}]")


def run(
    workloads: Sequence[Workload],
    tools: Sequence[Tool],
    settings: Settings,
    notes: Notes,
    skip: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, dict[str, Cell]]:
    table: dict[str, dict[str, Cell]] = {}
    for w in workloads:
        args = w.args()
        want = _as_tuple(HANDWRITTEN[w.name](*args))
        row: dict[str, Cell] = {}
        timed: dict[str, Callable[[], Any]] = {}
        for tool in tools:
            if (tool.key, w.name) in skip:
                row[tool.key] = Cell(note="skipped")
                continue
            fn, row[tool.key] = prepare_cell(tool, w, args, want, notes)
            if fn is not None:
                timed[tool.key] = fn
        for key, samples in measure_interleaved(timed, settings).items():
            row[key] = Cell(statistics.median(samples), len(samples), rounds=samples)
        print(
            f"  {w.name}: " + ", ".join(f"{t.key} {_fmt_time(row[t.key])}" for t in tools),
            file=sys.stderr,
        )
        table[w.name] = row
    return table


# --- memory ----------------------------------------------------------------


def recorded_bytes(df: Callable, args: tuple) -> int | None:
    """Bytes srcdiff's forward sweep records on its stacks for one call of ``df(*args)``:
    the values it pushes per step (arrays by ``nbytes``), not the arguments it refers to."""
    from srcdiff.codegen.driver import recorded_values

    workload = BY_NAME["rnn_loop"]
    record = recorded_values(workload.fn, workload.wrt, *args)
    total = 0
    for name, value in record.items():
        if name.endswith("_stack"):
            total += sum(v.nbytes if isinstance(v, np.ndarray) else 8 for v in value)
    return total


def memory_line(args: tuple) -> str:
    minimum = RNN_STEPS * RNN_HIDDEN * np.dtype(np.float64).itemsize
    df = _SRCDIFF_GRADS.get("rnn_loop")
    got = recorded_bytes(df, args) if df is not None else None
    shown = "not measured (recorded_bytes is a TODO)" if got is None else f"{got} bytes"
    if df is None:
        shown = "not measured (srcdiff's rnn_loop gradient did not run)"
    ratio = "" if got is None else f" ({got / minimum:.2f}x the minimum)"
    return (
        f"rnn_loop memory: srcdiff records {shown}{ratio}; minimum needed: "
        f"{RNN_STEPS} hidden states x {RNN_HIDDEN} float64 = {minimum} bytes"
    )


# --- printing --------------------------------------------------------------


def _fmt_seconds(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1.0:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def _fmt_time(cell: Cell) -> str:
    return cell.note if cell.seconds is None else _fmt_seconds(cell.seconds)


def paired_ratio(cell: Cell, base: Cell) -> float:
    """Median over rounds of cell / base, both sampled back to back in each round.

    A load change on the shared machine then hits both sides of each ratio;
    the ratio of the two medians is the fallback when rounds do not pair up.
    """
    assert cell.seconds is not None and base.seconds is not None
    if cell.rounds and len(cell.rounds) == len(base.rounds):
        return statistics.median(c / b for c, b in zip(cell.rounds, base.rounds, strict=True))
    return cell.seconds / base.seconds


def _fmt_ratio(cell: Cell, base: Cell) -> str:
    if cell.seconds is None:
        return cell.note or "-"
    if base.seconds is None:
        return "-"
    return f"{paired_ratio(cell, base):.2f}x"


def render(
    title: str,
    table: dict[str, dict[str, Cell]],
    tools: Sequence[Tool],
    fmt: Callable[[Cell, dict[str, Cell]], str],
    markdown: bool,
) -> str:
    header = ["workload", *(t.title for t in tools)]
    rows = [[name, *(fmt(row[t.key], row) for t in tools)] for name, row in table.items()]
    if markdown:
        lines = [f"**{title}**", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join(["---", *("---:" for _ in tools)]) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = [title]
    for r in [header, *rows]:
        out.append(
            "  ".join(
                c.ljust(wd) if i == 0 else c.rjust(wd)
                for i, (c, wd) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(out)


def report(
    table: dict[str, dict[str, Cell]], tools: Sequence[Tool], notes: Notes, markdown: bool
) -> str:
    keys = {t.key for t in tools}
    parts = [render("Median time per call", table, tools, lambda c, row: _fmt_time(c), markdown)]
    if "hand" in keys:
        parts.append(
            render(
                "Ratio to the hand-written gradient",
                table,
                tools,
                lambda c, row: _fmt_ratio(c, row["hand"]),
                markdown,
            )
        )
    if "forward" in keys:
        parts.append(
            render(
                "Ratio to the numpy forward pass",
                table,
                tools,
                lambda c, row: _fmt_ratio(c, row["forward"]),
                markdown,
            )
        )
    samples = sorted(
        {c.samples for row in table.values() for c in row.values() if c.seconds is not None}
    )
    if samples:
        parts.append(f"samples per cell (median taken): {samples[0]}..{samples[-1]}")
    if _FIRST_CALL:
        firsts = ", ".join(f"{k} {_fmt_seconds(v)}" for k, v in _FIRST_CALL.items())
        parts.append(f"srcdiff first call (transform + compile + one run): {firsts}")
    if notes.lines:
        parts.append("\n".join(f"[{i}] {line}" for i, line in enumerate(notes.lines, 1)))
    return "\n\n".join(parts)


def environment() -> str:
    from importlib import metadata

    versions = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    for dist in ("torch", "autograd", "jax", "jaxlib", "tangent"):
        if dist in sys.modules:
            try:
                versions.append(f"{dist} {metadata.version(dist)}")
            except metadata.PackageNotFoundError:
                versions.append(f"{dist} ?")
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cores = f"{platform.machine()}, {_cpu_count()} cores, {THREADS} thread(s) per library"
    cores += f", {'CPU' if _clock is time.process_time else 'wall'} time"
    return f"{now}; {', '.join(versions)}; {cores}"


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


# --- command line ------------------------------------------------------------


def _select(names: str | None, known: dict[str, Any], what: str) -> list[Any]:
    if not names:
        return list(known.values())
    chosen = []
    for name in names.split(","):
        if name.strip() not in known:
            raise SystemExit(f"unknown {what} {name!r}; choose from {', '.join(known)}")
        chosen.append(known[name.strip()])
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer samples: the whole run in about a minute"
    )
    parser.add_argument("--only", metavar="NAME[,NAME]", help="workloads to run (default: all six)")
    parser.add_argument(
        "--tools", metavar="T[,T]", help="columns: " + ",".join(t.key for t in TOOLS)
    )
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    parser.add_argument(
        "--source", action="store_true", help="also print srcdiff's generated gradients"
    )
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: this process's CPU time (default; robust to load); wall: elapsed time",
    )
    parser.add_argument(
        "--threads", default="1", help="BLAS/OpenMP/torch/XLA threads for every column (default 1)"
    )
    opts = parser.parse_args(argv)
    global _clock
    _clock = CLOCKS[opts.clock]
    workloads = _select(opts.only, {w.name: w for w in WORKLOADS}, "workload")
    tools = _select(opts.tools, {t.key: t for t in TOOLS}, "tool")
    notes = Notes()
    if opts.quick:
        table = run(workloads, tools, QUICK, notes, skip=QUICK_SKIP)
    else:
        table = run(workloads, tools, FULL, notes)
    print(environment())
    print()
    print(report(table, tools, notes, opts.markdown))
    if any(w.name == "rnn_loop" for w in workloads) and any(t.key == "srcdiff" for t in tools):
        print()
        print(memory_line(next(w for w in workloads if w.name == "rnn_loop").args()))
    if opts.source:
        for name, df in _SRCDIFF_GRADS.items():
            print(f"\n# srcdiff gradient for {name}\n{getattr(df, 'source', '(no source)')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
