"""Emitted code is registered with linecache, and each generated line knows
the user's line it came from (what tracebacks and error notes show)."""

from __future__ import annotations

import inspect
import linecache

import numpy as np

import srcdiff
from srcdiff.codegen import driver


def three_steps(x, y):
    a = np.sin(x)
    b = np.log(y)
    return np.sum(a * b)


def loop_and_branch(x, n):
    s = 0.0
    for i in range(n):
        if i % 2 == 0:
            s = s + np.sum(np.exp(x))
        else:
            s = s - np.sum(x * x)
    return s


def _emitted(fn, *args, wrt=0):
    driver._CACHE.clear()  # the first call's code, made now
    srcdiff.grad(fn, wrt=wrt)(*args)
    (adjoint,) = [a for key, a in driver._CACHE.items() if key[0] is fn]
    return adjoint.emitted


def _user_line(fn, text: str) -> int:
    lines, first = inspect.getsourcelines(fn)
    (k,) = [k for k, line in enumerate(lines) if text in line]
    return first + k


def _generated_line(emitted, text: str) -> int:
    (k,) = [k for k, line in enumerate(emitted.source.splitlines(), 1) if text in line]
    return k


def test_each_adjoint_line_maps_to_the_statement_it_differentiates() -> None:
    emitted = _emitted(three_steps, np.array([0.5, 1.0]), np.array([2.0, 3.0]), wrt=(0, 1))
    cos_line = _generated_line(emitted, "np.cos(x)")
    over_y = _generated_line(emitted, "/ y")
    assert emitted.line_map[cos_line] == _user_line(three_steps, "a = np.sin(x)")
    assert emitted.line_map[over_y] == _user_line(three_steps, "b = np.log(y)")


def test_lines_inside_replayed_loops_and_branches_map_to_their_statements() -> None:
    emitted = _emitted(loop_and_branch, np.array([0.5, 1.0]), 3)
    source = emitted.source.splitlines()
    first = inspect.getsourcelines(loop_and_branch)[1]
    last = first + len(inspect.getsourcelines(loop_and_branch)[0]) - 1
    assert all(first <= user <= last for user in emitted.line_map.values())
    assert emitted.line_map[len(source)] == first  # the return: the def line
    exp_line = _generated_line(emitted, "np.exp(x)")
    assert emitted.line_map[exp_line] == _user_line(loop_and_branch, "np.exp(x)")
    twice_x = [k for k, line in enumerate(source, 1) if "* x" in line and "d_" in line]
    assert twice_x
    assert {emitted.line_map[k] for k in twice_x} == {_user_line(loop_and_branch, "x * x")}


def test_generated_source_is_registered_with_linecache() -> None:
    emitted = _emitted(three_steps, np.array([0.5]), np.array([2.0]))
    assert linecache.getlines(emitted.filename) == emitted.source.splitlines(keepends=True)
    assert "three_steps" in emitted.filename
