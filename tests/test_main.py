"""The command line: ``python -m srcdiff demo`` and ``python -m srcdiff show``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from srcdiff import cli
from srcdiff.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
EAGER_GRAD = "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

MODEL = """\
import numpy as np


def loss(x, W):
    h = np.tanh(W @ x)
    return np.sum(h * h)


def gen(x):
    yield x


class Model:
    @staticmethod
    def energy(x):
        return np.sum(x * x)


THRESHOLD = 3.0
"""


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- demo


def test_demo_prints_the_tour(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo")
    assert (code, err) == (0, "")
    assert EAGER_GRAD in out
    assert "def d_tanh_layer(x, W" in out
    assert "def d_doubling(a" in out
    assert "n_loop" in out  # the loop's trip count is recorded and replayed


def test_demo_gradients_agree_with_finite_differences(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "demo")
    errors = re.findall(r"central differences\| = (\S+)", out)
    assert len(errors) == 2
    # the doubling loop's gradient is 4096 per entry, so its absolute error is larger
    assert float(errors[0]) < 1e-8
    assert float(errors[1]) < 1e-5


def test_demo_runs_as_a_module_without_colour_when_piped() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "srcdiff", "demo"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert EAGER_GRAD in done.stdout
    assert "def d_tanh_layer(" in done.stdout
    assert "\x1b[" not in done.stdout


# ---------------------------------------------------------------- show


def test_show_prints_the_generated_adjoint(capsys, model: Path) -> None:
    code, out, err = run(capsys, "show", f"{model}:loss")
    assert (code, err) == (0, "")
    assert out.startswith("def d_loss(x, W")
    assert "d_x =" in out and "d_W =" not in out  # wrt defaults to the first argument
    assert "\x1b[" not in out  # capsys is not a terminal


def test_show_wrt_by_name_and_by_index_agree(capsys, model: Path) -> None:
    _, by_name, _ = run(capsys, "show", f"{model}:loss", "--wrt", "W")
    _, by_index, _ = run(capsys, "show", f"{model}:loss", "--wrt", "1")
    assert "d_W =" in by_name and "d_x =" not in by_name
    assert by_name == by_index


def test_show_wrt_several(capsys, model: Path) -> None:
    code, out, _ = run(capsys, "show", f"{model}:loss", "--wrt", "0,W")
    assert code == 0
    assert "d_x =" in out and "d_W =" in out


def test_show_reaches_into_classes(capsys, model: Path) -> None:
    code, out, _ = run(capsys, "show", f"{model}:Model.energy")
    assert code == 0
    assert out.startswith("def d_energy(x")


def test_show_sibling_imports_work_and_sys_path_is_restored(capsys, tmp_path: Path) -> None:
    (tmp_path / "scaling.py").write_text("def scale(v):\n    return 3.0 * v\n")
    (tmp_path / "uses_sibling.py").write_text(
        "from scaling import scale\n\n\ndef f(x):\n    return scale(x) * x\n"
    )
    before = list(sys.path)
    code, out, err = run(capsys, "show", f"{tmp_path / 'uses_sibling.py'}:f")
    assert (code, err) == (0, "")
    assert out.startswith("def d_f(x")
    assert sys.path == before
    assert "uses_sibling" not in sys.modules
    sys.modules.pop("scaling", None)  # the sibling stays imported, as a normal import would


def _assert_one_line_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("srcdiff: error: ")
    for word in words:
        assert word in err


@pytest.mark.parametrize(
    ("target", "extra", "words"),
    [
        ("missing.py:loss", [], ["no such file", "missing.py"]),
        ("{model}:nothing", [], ["no function named 'nothing'"]),
        ("{model}:gen", [], ["yield", "model.py:10"]),
        ("{model}:loss", ["--mode", "forward"], ["--mode forward", "not implemented"]),
        ("{model}:loss", ["--wrt", "7"], ["out of range"]),
        ("{model}:loss", ["--wrt", "z"], ["'z'", "names no parameter"]),
        ("{model}:loss", ["--wrt", "0,,1"], ["--wrt"]),
        ("{model}:THRESHOLD", [], ["is a float, not a function"]),
        ("{model}:Model", [], ["is a class"]),
        ("{model}", [], ["expected FILE.py:FUNCTION"]),
    ],
)
def test_show_errors_are_one_line_and_exit_2(capsys, model, target, extra, words) -> None:
    code, out, err = run(capsys, "show", target.format(model=model), *extra)
    _assert_one_line_error(code, out, err, *words)


def test_show_error_when_the_file_fails_to_import(capsys, tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("import numpy as np\nraise ValueError('bad\\nconfig')\n")
    code, out, err = run(capsys, "show", f"{path}:f")
    _assert_one_line_error(code, out, err, "importing", "ValueError: bad config")


def test_internal_errors_are_one_line_and_exit_1(capsys, model, monkeypatch) -> None:
    def broken(fn, wrt):
        raise KeyError("oops")

    monkeypatch.setattr(cli, "generated_source", broken)
    code, out, err = run(capsys, "show", f"{model}:loss")
    assert (code, out) == (1, "")
    assert err.startswith("srcdiff: internal error (KeyError") and err.count("\n") == 1


# ---------------------------------------------------------------- colour


def test_highlight_colours_keywords_comments_and_strings_only() -> None:
    source = "def define(x):  # why\n    return 'if' if x else None\n"
    coloured = cli.highlight(source)
    assert ANSI.sub("", coloured) == source
    styled = re.findall(r"\x1b\[[0-9;]*m([^\x1b]*)\x1b\[0m", coloured)
    assert styled == ["def", "# why", "return", "'if'", "if", "else", "None"]


def test_highlight_leaves_untokenizable_text_alone() -> None:
    assert cli.highlight("x = (1,\n") == "x = (1,\n"


def test_show_colours_on_a_terminal_unless_told_not_to(capsys, model, monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, coloured, _ = run(capsys, "show", f"{model}:loss")
    assert "\x1b[1;35mdef\x1b[0m d_loss" in coloured
    _, plain, _ = run(capsys, "show", f"{model}:loss", "--no-color")
    assert "\x1b[" not in plain
    assert ANSI.sub("", coloured) == plain
    monkeypatch.setenv("NO_COLOR", "1")
    _, no_color_env, _ = run(capsys, "show", f"{model}:loss")
    assert no_color_env == plain


# ---------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("text", "wrt"),
    [(None, 0), ("0", 0), ("W", "W"), ("0,1", (0, 1)), ("x, 1", ("x", 1))],
)
def test_parse_wrt(text: str | None, wrt: object) -> None:
    assert cli.parse_wrt(text) == wrt


def test_parse_target_keeps_drive_letters() -> None:
    assert cli.parse_target(r"C:\models\m.py:loss") == (r"C:\models\m.py", "loss")


@pytest.mark.parametrize("argv", [["--help"], ["show", "--help"], ["demo", "--help"]])
def test_help(capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    assert "usage: srcdiff" in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
