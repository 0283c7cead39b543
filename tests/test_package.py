"""What ``import srcdiff`` does: the compiler comes with it; numpy's lazily
loaded submodules and the eager engine's compiled rules do not."""

from __future__ import annotations

import subprocess
import sys

_REPORT = """
import sys
import srcdiff
from srcdiff.rules.table import RULES
print("srcdiff.codegen.driver" in sys.modules)
print(sorted(m for m in ("numpy.f2py", "numpy.testing", "numpy.ma") if m in sys.modules))
print(sum(rule._compiled is not None for rule in RULES.values()))
x = srcdiff.tensor([1.0, 2.0], requires_grad=True)
(x * x).sum().backward()
print(x.grad.tolist(), RULES["mul"]._compiled is not None)
"""


def test_import_brings_the_compiler_and_compiles_rules_on_use():
    done = subprocess.run([sys.executable, "-c", _REPORT], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    compiler, numpy_extras, compiled, after_backward = done.stdout.splitlines()
    assert compiler == "True"
    assert numpy_extras == "[]"
    assert compiled == "0"  # no rule compiled before a backward pass needs it
    assert after_backward == "[2.0, 4.0] True"
