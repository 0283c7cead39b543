"""Every construct the compiler cannot differentiate raises SrcdiffError naming the
user's file, line and construct (issue 4, "Bad input"), before any user code runs."""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import srcdiff
from tests.codegen import bad_functions as bad

FILE = os.path.basename(bad.__file__)


def line_of(fn: Callable[..., Any], needle: str) -> int:
    """The file line number of the first line of ``fn``'s source containing ``needle``."""
    lines, start = inspect.getsourcelines(fn)
    for offset, text in enumerate(lines):
        if needle in text:
            return start + offset
    raise AssertionError(f"{needle!r} not in the source of {fn.__name__}")


def def_line(fn: Callable[..., Any]) -> int:
    return line_of(fn, "def ")


def refuse(fn: Callable[..., Any], *args: Any, wrt: Any = 0) -> str:
    """The SrcdiffError message for differentiating ``fn`` at ``args`` (the error may
    come from ``grad`` itself or from the first call)."""
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(fn, wrt=wrt)(*args)
    return str(info.value)


def assert_points_at(message: str, *lines: int) -> None:
    """The message names this file and one of ``lines`` as ``file.py:LINE``."""
    assert FILE in message, f"file name {FILE} missing from: {message}"
    found = [int(n) for n in re.findall(re.escape(FILE) + r":(\d+)", message)]
    assert any(n in lines for n in found), f"expected {FILE}:{lines} in: {message}"


SYNTAX_CASES = [
    (bad.uses_yield, "yield x", "yield"),
    (bad.uses_async, "async def", "async"),
    (bad.uses_try, "try:", "try"),
    (bad.uses_with, "with open", "with"),
    (bad.uses_exec, 'exec("', "exec"),
    (bad.uses_eval, 'eval("', "eval"),
    (bad.uses_del, "del y", "del"),
]


@pytest.mark.parametrize("fn, needle, construct", SYNTAX_CASES, ids=[c[2] for c in SYNTAX_CASES])
def test_unsupported_syntax(
    fn: Callable[..., Any], needle: str, construct: str, capsys: pytest.CaptureFixture
) -> None:
    message = refuse(fn, 1.5)
    assert_points_at(message, line_of(fn, needle))
    assert re.search(rf"\b{construct}\b", message), f"{construct!r} not named in: {message}"
    assert "user code ran" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "fn, keyword", [(bad.writes_global, "global"), (bad.writes_nonlocal, "nonlocal")]
)
def test_global_and_nonlocal_writes(
    fn: Callable[..., Any], keyword: str, capsys: pytest.CaptureFixture
) -> None:
    message = refuse(fn, 1.5)
    # Either the declaration or the write itself is a precise place to point at.
    assert_points_at(message, line_of(fn, f"{keyword} "), line_of(fn, " = "))
    assert re.search(rf"\b{keyword}\b", message), f"{keyword!r} not named in: {message}"
    assert "user code ran" not in capsys.readouterr().out


def test_unknown_function_with_active_argument() -> None:
    message = refuse(bad.calls_unknown_function, np.array([0.5, 1.0]))
    assert_points_at(message, line_of(bad.calls_unknown_function, "np.i0("))
    assert "i0" in message
    assert "adjoint" in message, f"no hint on registering an adjoint in: {message}"


def test_a_write_into_an_array_another_name_shares_is_refused() -> None:
    # r = a makes both names one array: a write through one changes the other, which
    # srcdiff's value semantics would get wrong silently (fuzz, session 2)
    fn = bad.writes_through_a_shared_array
    message = refuse(fn, 0.3, np.array([0.1, 0.2]))
    assert_points_at(message, line_of(fn, "a[0] += x"))
    assert "'a'" in message and "'r'" in message
    assert "copy" in message


@pytest.mark.parametrize(
    "fn, needle, holder",
    [
        (bad.writes_an_array_an_object_holds, "b *= x", "_Holder(b)"),
        (bad.writes_an_array_a_dict_holds, "b[0] = x", "a list, tuple or dict"),
    ],
)
def test_a_write_into_an_array_a_container_holds_is_refused(fn, needle, holder) -> None:
    message = refuse(fn, 0.5, np.array([0.3, -0.4]))
    assert_points_at(message, line_of(fn, needle))
    assert holder in message and "'b'" in message
    assert "copy" in message


def test_non_scalar_output_suggests_vjp() -> None:
    message = refuse(bad.non_scalar_output, np.array([0.5, 1.0]))
    fn = bad.non_scalar_output
    assert_points_at(message, def_line(fn), line_of(fn, "return "))
    assert "scalar" in message
    assert "vjp" in message


def test_wrt_out_of_range() -> None:
    x = np.ones(2)
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(bad.two_params, wrt=2)(x, x)
    message = str(info.value)
    assert_points_at(message, def_line(bad.two_params))
    assert "wrt" in message and "2" in message


def test_wrt_names_no_parameter() -> None:
    x = np.ones(2)
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(bad.two_params, wrt="z")(x, x)
    message = str(info.value)
    assert_points_at(message, def_line(bad.two_params))
    assert re.search(r"\bz\b", message), message


def test_wrt_an_int_argument() -> None:
    message = refuse(bad.with_int_param, np.ones(2), 3, wrt=1)
    assert_points_at(message, def_line(bad.with_int_param))
    assert re.search(r"\bn\b", message) and "int" in message, message


@pytest.mark.parametrize("fn", [bad.lambda_from_eval, bad.lambda_from_exec], ids=["eval", "exec"])
def test_source_not_found_for_string_lambda(fn: Callable[..., Any]) -> None:
    message = refuse(fn, 1.5)
    # No file exists; the message names the code's pseudo-file and the construct.
    assert "<string>" in message
    assert "lambda" in message
    assert "source" in message.lower()


def test_source_not_found_for_builtin() -> None:
    message = refuse(np.sin, 0.5)
    assert "sin" in message
    assert "source" in message.lower()


def test_error_is_an_exception_with_location_attributes() -> None:
    # The documented error type carries where it happened for tools to use.
    with pytest.raises(srcdiff.SrcdiffError) as info:
        srcdiff.grad(bad.uses_del)(1.5)
    assert info.value.filename is not None and os.path.basename(info.value.filename) == FILE
    assert info.value.lineno == line_of(bad.uses_del, "del y")
