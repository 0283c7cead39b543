"""Checking one generated program: smoothness filter, finite differences, srcdiff.

Outcomes: ``"ok"`` (srcdiff's gradient matched), ``"refused: <reason>"``
(srcdiff raised SrcdiffError, which the random fuzz allows but counts by
reason), a hypothesis rejection (the program is not smooth or not finite at
its inputs, so finite differences are no oracle), or an AssertionError
carrying the program's source (a wrong gradient, or any exception other than
SrcdiffError).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import inspect
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from hypothesis import reject

import srcdiff
from srcdiff.codegen import driver
from tests.codegen.fd import (
    SRCDIFF_SECONDS,
    as_scalar,
    assert_args_unchanged,
    assert_close,
    assert_same_structure,
    fd_grad,
    resolve_wrt,
    time_limit,
)
from tests.codegen.programs import Probe, Program

MARGIN = 1e-3  # minimum distance from any kink or branch flip at the inputs
MAX_VALUE = 1e3  # keeps finite-difference rounding (~3e-11 |f|) far below atol


class DecisionChanged(Exception):
    """A finite-difference step flipped a branch or crossed a kink."""


def _probe_runner(prog: Program) -> Callable[[tuple], tuple[float, Probe]]:
    namespace: dict[str, Any] = {}
    exec(compile(prog.probe, "<fuzz probe>", "exec"), namespace)
    fn = namespace["f"]

    def run(args: tuple) -> tuple[float, Probe]:
        probe = Probe()
        namespace["_P"] = probe
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            value = as_scalar(fn(*copy.deepcopy(args)))
        return value, probe

    return run


def _guarded(run: Callable[[], Any]) -> Any:
    """Numerical trouble (overflow, domain errors) rejects the example; anything
    else is a bug in the generator and propagates."""
    try:
        return run()
    except (FloatingPointError, OverflowError, ZeroDivisionError, DecisionChanged):
        reject()
    except ValueError as err:
        if "math domain error" in str(err):
            reject()
        raise


def reference_gradient(prog: Program, argnums: tuple[int, ...]) -> tuple:
    """Finite differences of the probe text, rejecting programs that are not
    smooth where they are evaluated."""
    run = _probe_runner(prog)
    value, base = _guarded(lambda: run(prog.args))
    if not (math.isfinite(value) and abs(value) < MAX_VALUE and base.margin >= MARGIN):
        reject()

    def smooth(*args: Any) -> float:
        v, probe = run(args)
        if probe.trace != base.trace:
            raise DecisionChanged
        return v

    want = _guarded(lambda: fd_grad(smooth, prog.args, argnums))
    if not all(np.all(np.isfinite(np.asarray(w))) for w in _flat(want)):
        reject()
    return want


def _flat(tree: Any) -> list[Any]:
    if isinstance(tree, (list, tuple)):
        return [leaf for t in tree for leaf in _flat(t)]
    return [tree]


def load_program(source: str, workdir: Path) -> ModuleType:
    """Write ``source`` to a real file and import it, so inspect.getsource works."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    path = workdir / f"prog_{digest}.py"
    if not path.exists():
        path.write_text(source)
    name = f"srcdiff_fuzz_prog_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _refusal_reason(err: Exception) -> str:
    """The refusal's first line without its ``file:line:`` prefix, so the fuzz
    summary counts refusals by reason."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return re.sub(r"^\S+\.py:\d+: ", "", first)


def _forget(module: Any) -> None:
    """Drop srcdiff's caches for the program's functions and methods: kept for
    ten thousand programs, they made each full GC pass take seconds."""
    for value in vars(module).values():
        if inspect.isclass(value) and value.__module__ == module.__name__:
            for member in vars(value).values():
                driver.forget(member)
        elif inspect.isfunction(value):
            driver.forget(value)


def check_program(prog: Program, workdir: Path) -> str:
    """``"ok"`` or ``"refused: <reason>"``; raises AssertionError (with the source)
    on a bug."""
    module = load_program(prog.plain, workdir)
    try:
        argnums, as_tuple = resolve_wrt(module.f, prog.wrt)
        want = reference_gradient(prog, argnums)
        args = copy.deepcopy(prog.args)
        try:
            with time_limit(SRCDIFF_SECONDS, "srcdiff.grad on a generated program"):
                got = srcdiff.grad(module.f, wrt=prog.wrt)(*args)
        except srcdiff.SrcdiffError as err:
            return "refused: " + _refusal_reason(err)
        except Exception as err:
            raise AssertionError(
                f"srcdiff raised {type(err).__name__} (not SrcdiffError): {err}\n"
                f"wrt={prog.wrt!r}, args={prog.args!r}\n{prog.plain}"
            ) from err
        try:
            assert_args_unchanged(args, prog.args, "program")
            got = got if as_tuple else (got,)
            assert isinstance(got, tuple) and len(got) == len(argnums), f"got {got!r}"
            for i, g, w in zip(argnums, got, want, strict=True):
                assert_same_structure(g, prog.args[i], f"d/d(arg {i})")
                assert_close(g, w, f"d/d(arg {i})")
        except AssertionError as err:
            where = f"wrt={prog.wrt!r}, args={prog.args!r}"
            raise AssertionError(f"{err}\n{where}\n{prog.plain}") from None
        return "ok"
    finally:
        _forget(module)
        sys.modules.pop(module.__name__, None)
