"""The benchmark harness refuses to time a wrong gradient and reports failures.

Only numpy: the tools here are stand-ins built from the hand-written gradient.
"""

from __future__ import annotations

import numpy as np

from benchmarks import compiler
from benchmarks.handwritten import HANDWRITTEN
from benchmarks.workloads import BY_NAME

TINY = compiler.Settings(repeats=3, min_repeats=2, budget_s=0.01, sample_s=1e-4)


def _tool(key: str, grad) -> compiler.Tool:
    return compiler.Tool(key, key, lambda w, args: ((lambda: grad(*args)), compiler._as_tuple))


def _want(name: str) -> tuple:
    w = BY_NAME[name]
    return w, w.args(), compiler._as_tuple(HANDWRITTEN[name](*w.args()))


def test_correct_gradient_is_timed():
    w, args, want = _want("mlp_small")
    fn, cell = compiler.prepare_cell(
        _tool("ok", HANDWRITTEN[w.name]), w, args, want, compiler.Notes()
    )
    assert fn is not None and cell.note is None
    samples = compiler.measure_interleaved({"ok": fn}, TINY)["ok"]
    assert len(samples) >= TINY.min_repeats and all(s > 0 for s in samples)


def test_gradient_off_by_1e_5_is_wrong_and_not_timed():
    w, args, want = _want("mlp_small")

    def off(*a):
        d_W1, *rest = HANDWRITTEN[w.name](*a)
        return (d_W1 * (1 + 1e-5), *rest)

    fn, cell = compiler.prepare_cell(_tool("off", off), w, args, want, compiler.Notes())
    assert fn is None and cell.note is not None and cell.note.startswith("WRONG")


def test_missing_gradient_and_wrong_shape_are_wrong():
    w, args, want = _want("rnn_loop")
    only_W = _tool("one", lambda *a: HANDWRITTEN[w.name](*a)[:1])
    transposed = _tool("T", lambda *a: tuple(g.T for g in HANDWRITTEN[w.name](*a)))
    for tool in (only_W, transposed):
        fn, cell = compiler.prepare_cell(tool, w, args, want, compiler.Notes())
        assert fn is None and cell.note.startswith("WRONG")


def test_failing_tool_reports_class_and_first_line():
    w, args, want = _want("while_norm")

    def broken(*a):
        raise ValueError("cannot differentiate this\nsecond line")

    notes = compiler.Notes()
    fn, cell = compiler.prepare_cell(_tool("broken", broken), w, args, want, notes)
    assert fn is None and cell.note == "err[1]"
    assert notes.lines == ["broken: ValueError: cannot differentiate this"]


def test_rel_error_is_relative_to_the_largest_entry():
    want = (np.array([1e6, 1.0]),)
    assert compiler.rel_error((np.array([1e6, 1.5]),), want) == 0.5e-6
    assert compiler.rel_error((np.array([1e6, 1.0, 0.0]),), want) == float("inf")


def test_ratios_pair_samples_of_the_same_round():
    # A slow second round hits both columns: the paired ratio stays 2.
    base = compiler.Cell(2.0, 3, rounds=[1.0, 10.0, 1.0])
    cell = compiler.Cell(4.0, 3, rounds=[2.0, 20.0, 2.0])
    assert compiler.paired_ratio(cell, base) == 2.0
    # Rounds that do not pair up fall back to the ratio of the medians.
    assert compiler.paired_ratio(compiler.Cell(3.0, 1, rounds=[3.0]), base) == 1.5
