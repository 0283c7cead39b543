"""The command line: ``python -m srcdiff demo`` and ``python -m srcdiff show file.py:function``.

``demo`` is a short tour of both halves of srcdiff; ``show`` prints the adjoint the compiler
generates for a function in a file. User mistakes (a missing file, an unknown function, a
function the compiler refuses) print one line to stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import inspect
import io
import keyword
import os
import sys
import textwrap
import tokenize
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

import numpy as np

import srcdiff

EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug in srcdiff, not in the user's input
EXIT_USAGE = 2  # the user's input: argparse uses 2 for its own errors too


class CliError(Exception):
    """A user-facing failure: the message is printed as one line to stderr."""


# ---------------------------------------------------------------- colour

_RESET = "\x1b[0m"
_STYLES = {"keyword": "\x1b[1;35m", "comment": "\x1b[2;3m", "string": "\x1b[32m"}
_STRING_TOKENS = {tokenize.STRING} | {
    getattr(tokenize, name)
    for name in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
    if hasattr(tokenize, name)  # Python >= 3.12 tokenizes f-strings in pieces
}


def highlight(source: str) -> str:
    """``source`` with keywords, comments and strings wrapped in ANSI colour codes.

    Source that does not tokenize is returned unchanged: colour is never worth an error.
    """
    out, pos = [], 0
    for start, end, style in _styled_spans(source):
        out += [source[pos:start], _STYLES[style], source[start:end], _RESET]
        pos = end
    out.append(source[pos:])
    return "".join(out)


def _styled_spans(source: str) -> Iterator[tuple[int, int, str]]:
    """(start offset, end offset, style) of each token worth colouring, in order."""
    line_starts = [0]
    for line in source.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return
    for tok in tokens:
        style = _style_of(tok)
        if style is not None:
            start = line_starts[tok.start[0] - 1] + tok.start[1]
            end = line_starts[tok.end[0] - 1] + tok.end[1]
            yield start, end, style


def _style_of(tok: tokenize.TokenInfo) -> str | None:
    if tok.type == tokenize.COMMENT:
        return "comment"
    if tok.type in _STRING_TOKENS:
        return "string"
    if tok.type == tokenize.NAME and keyword.iskeyword(tok.string):
        return "keyword"
    return None


def _wants_color(stream: TextIO, no_color: bool) -> bool:
    """Colour only on a terminal, never when piped; NO_COLOR (no-color.org) also turns it off."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _code(source: str, color: bool) -> str:
    return highlight(source) if color else source


# ---------------------------------------------------------------- demo


def tanh_layer(x, W):
    h = np.tanh(W @ x)
    return np.sum(h * h)


def doubling(a):
    b = a * 2
    while np.linalg.norm(b) < 1000:
        b = b * 2
    if np.sum(b) > 0:
        c = b
    else:
        c = 100 * b
    return np.sum(c)


EAGER_EXAMPLE = """\
x = srcdiff.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()
print(x.grad)"""


def finite_differences(f: Callable[..., Any], args: Sequence[np.ndarray], i: int) -> np.ndarray:
    """Central differences of scalar ``f`` with respect to argument ``i``, in float64."""
    base = [np.asarray(a, dtype=np.float64) for a in args]
    eps = 1e-6
    result = np.empty_like(base[i])
    for index in np.ndindex(base[i].shape):
        plus = [a.copy() for a in base]
        minus = [a.copy() for a in base]
        plus[i][index] += eps
        minus[i][index] -= eps
        result[index] = (f(*plus) - f(*minus)) / (2 * eps)
    return result


def _max_error(f: Callable[..., Any], args: Sequence[np.ndarray], i: int, grad: Any) -> float:
    return float(np.max(np.abs(grad - finite_differences(f, args, i))))


def _heading(out: TextIO, title: str) -> None:
    out.write(f"\n== {title} ==\n\n")


def _show(out: TextIO, text: str, color: bool) -> None:
    out.write(_code(text.rstrip("\n") + "\n", color))


def _inline(a: np.ndarray) -> str:
    """A small array on one line, so the tour stays short."""
    return np.array2string(a, precision=4, separator=", ").replace("\n", "")


def _demo_compiler(out: TextIO, color: bool) -> None:
    _heading(out, "1. srcdiff.grad writes the gradient as Python source")
    _show(out, "import numpy as np\nimport srcdiff\n\n" + inspect.getsource(tanh_layer), color)
    x = np.array([0.5, -1.0, 2.0])
    W = np.array([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]])
    df = srcdiff.grad(tanh_layer, wrt=(0, 1))
    dx, dW = df(x, W)  # called first, so .source shows the code specialised for arrays
    out.write("\ndf = srcdiff.grad(tanh_layer, wrt=(0, 1))\n")
    out.write(f"x = {_inline(x)}\nW = {_inline(W)}\ndx, dW = df(x, W)\n")
    out.write(f"dx = {_inline(dx)}\ndW = {_inline(dW)}\n")
    error = max(_max_error(tanh_layer, (x, W), i, g) for i, g in enumerate((dx, dW)))
    out.write(f"max |gradient - float64 central differences| = {error:.1e}\n")
    out.write("\nprint(srcdiff.source(df)):\n\n")
    _show(out, srcdiff.source(df), color)


def _demo_control_flow(out: TextIO, color: bool) -> None:
    _heading(out, "2. Control flow is replayed, not traced")
    _show(out, inspect.getsource(doubling), color)
    a = np.array([0.3, -0.1, 0.2])
    dg = srcdiff.grad(doubling)
    da = dg(a)
    out.write(f"\nsrcdiff.grad(doubling)({_inline(a)}) = {_inline(da)}\n")
    error = _max_error(doubling, (a,), 0, da)
    out.write(f"max |gradient - float64 central differences| = {error:.1e}\n")
    out.write("\nThe forward sweep only counts loop trips (b = b * 2 needs no record);\n")
    out.write("the adjoint sweep replays the loop backwards, on a number:\n\n")
    _show(out, srcdiff.source(dg), color)


def _demo_eager(out: TextIO, color: bool) -> None:
    _heading(out, "3. Eager mode: PyTorch's autograd API on numpy (import srcdiff as torch)")
    _show(out, EAGER_EXAMPLE, color)
    x = srcdiff.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    result = z.mean()
    result.backward()
    out.write(f"\n{x.grad}\n")


def run_demo(out: TextIO, color: bool) -> int:
    out.write("srcdiff: gradients by source transformation, plus PyTorch-style eager mode.\n")
    _demo_compiler(out, color)
    _demo_control_flow(out, color)
    _demo_eager(out, color)
    out.write("\nNext: python -m srcdiff show path/to/file.py:function --wrt 0,1\n")
    return EXIT_OK


# ---------------------------------------------------------------- show


def parse_target(target: str) -> tuple[str, str]:
    """``'dir/file.py:func'`` -> (path, function name). Splits at the last colon, so a
    Windows drive letter (``C:\\x.py:f``) stays in the path."""
    path, sep, name = target.rpartition(":")
    if not sep or not path or not name:
        raise CliError(f"expected FILE.py:FUNCTION, got {target!r}")
    return path, name


def parse_wrt(text: str | None) -> Any:
    """``'0,1'`` -> (0, 1); ``'W'`` -> 'W'; ``'x,1'`` -> ('x', 1); None -> 0 (the default)."""
    if text is None:
        return 0
    items = [item.strip() for item in text.split(",")]
    if not all(items):
        raise CliError(f"--wrt {text!r}: expected comma-separated indices or parameter names")
    values = tuple(int(item) if item.lstrip("-").isdigit() else item for item in items)
    return values if len(values) > 1 else values[0]


@contextlib.contextmanager
def _module_from_path(path: str) -> Iterator[types.ModuleType]:
    """Import the file at ``path`` as a module, its directory first on sys.path so that
    sibling imports work; sys.path and sys.modules are restored afterwards."""
    if not os.path.isfile(path):
        raise CliError(f"no such file: {path}")
    folder = os.path.dirname(os.path.abspath(path))
    stem = os.path.splitext(os.path.basename(path))[0]
    name = stem if stem.isidentifier() and stem not in sys.modules else _fresh_module_name(stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CliError(f"cannot import {path}: not a Python source file")
    module = importlib.util.module_from_spec(spec)
    saved_path = list(sys.path)
    sys.path.insert(0, folder)
    sys.modules[name] = module  # some code (dataclasses, pickling) looks itself up here
    try:
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as error:  # the user's module failed, not srcdiff
            raise CliError(f"importing {path} failed: {_one_line(error)}") from error
        yield module
    finally:
        sys.path[:] = saved_path
        sys.modules.pop(name, None)


def _fresh_module_name(stem: str) -> str:
    """A module name not yet in sys.modules (the file's own name is taken, e.g. ``numpy.py``)."""
    base = "_srcdiff_show_" + "".join(c if c.isalnum() else "_" for c in stem)
    name, n = base, 0
    while name in sys.modules:
        n += 1
        name = f"{base}_{n}"
    return name


def _lookup(module: types.ModuleType, path: str, name: str) -> Callable[..., Any]:
    """The function ``name`` (dotted names reach into classes: ``Model.loss``)."""
    obj: Any = module
    for part in name.split("."):
        obj = inspect.getattr_static(obj, part, None)
        if obj is None:
            raise CliError(f"{path} has no function named {name!r}")
        if isinstance(obj, staticmethod):
            obj = obj.__func__
    if inspect.isclass(obj):
        raise CliError(f"{path}:{name} is a class; name one of its methods ({name}.method)")
    if not callable(obj):
        raise CliError(f"{path}:{name} is a {type(obj).__name__}, not a function")
    return obj


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"


def generated_source(fn: Callable[..., Any], wrt: Any) -> str:
    """The adjoint srcdiff generates for ``fn`` (specialised for array arguments)."""
    return srcdiff.grad(fn, wrt=wrt).source


def run_show(args: argparse.Namespace, out: TextIO) -> int:
    if args.mode == "forward":
        raise CliError("--mode forward is not implemented yet (forward mode is a later issue)")
    path, name = parse_target(args.target)
    wrt = parse_wrt(args.wrt)
    with _module_from_path(path) as module:
        fn = _lookup(module, path, name)
        source = generated_source(fn, wrt)
    out.write(_code(source.rstrip("\n") + "\n", _wants_color(out, args.no_color)))
    return EXIT_OK


# ---------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="srcdiff",
        description="Automatic differentiation by source transformation.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = commands.add_parser(
        "demo", help="a short tour: generated gradients, control flow, eager mode"
    )
    demo.add_argument("--no-color", action="store_true", help="never highlight source")
    show = commands.add_parser(
        "show",
        help="print the gradient source srcdiff generates for a function",
        description=textwrap.dedent(
            """\
            Import FILE.py (its directory first on sys.path) and print the adjoint that
            srcdiff.grad generates for FUNCTION, specialised for array arguments."""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument(
        "target", metavar="FILE.py:FUNCTION", help="e.g. model.py:loss or model.py:Model.loss"
    )
    show.add_argument(
        "--wrt", help="arguments to differentiate: indices or names, comma separated (default 0)"
    )
    show.add_argument(
        "--mode",
        choices=("reverse", "forward"),
        default="reverse",
        help="reverse (default); forward is not implemented yet",
    )
    show.add_argument(
        "--no-color", action="store_true", help="never highlight (no colour when piped anyway)"
    )
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command == "demo":
            return run_demo(out, _wants_color(out, args.no_color))
        return run_show(args, out)
    except BrokenPipeError:  # e.g. `srcdiff demo | head`: the reader left, nothing to report
        _silence_stdout()
        return EXIT_INTERNAL
    except (CliError, srcdiff.SrcdiffError) as error:
        print(f"srcdiff: error: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # a bug in srcdiff itself: one line, but say so
        print(f"srcdiff: internal error ({_one_line(error)}); please report it", file=sys.stderr)
        return EXIT_INTERNAL
