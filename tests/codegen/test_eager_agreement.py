"""Every corpus function that runs on eager Tensors: ``srcdiff.grad`` equals the eager engine's
gradient (issue 4: "and against the eager engine's gradient").

The function is run unchanged on ``srcdiff.tensor(..., float64, requires_grad=True)``
arguments with ``np`` rebound to an eager namespace (tests/codegen/eager_numpy.py) and
``.backward()`` is called on its output.  Both sides are exact float64 computations of the
same derivative in different evaluation orders; measured, they differ by at most 2e-15
relative, so the tolerance below leaves about three orders of margin and still catches
any wrong term.

The cases that cannot run on Tensors are listed in :data:`SKIPPED` with the reason, and
``test_skipped_case_cannot_run`` checks that each one really fails on Tensors with the
stated error, so the list cannot go stale silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import srcdiff
from tests.codegen.corpus_control import CASES as CONTROL
from tests.codegen.corpus_registry import Case
from tests.codegen.corpus_straight import CASES as STRAIGHT
from tests.codegen.eager_numpy import NP, EagerUnsupported, eager_function, eager_grad
from tests.codegen.fd import assert_same_structure, resolve_wrt

RTOL = 1e-12
ATOL = 1e-13

MATH = "math.* of a differentiable value: on a Tensor it becomes a float and loses its gradient"
COPY = "x.copy(): numpy-only method (a Tensor spells it clone())"
ASTYPE = ".astype(np.float64): numpy-only method (a Tensor spells it .to(dtype))"
AXIS_KW = "x.sum(axis=...): numpy keyword on a Tensor method (PyTorch's is dim=)"
SIZE_ATTR = "x.size: an int attribute in numpy, a method on Tensors"
SAVED = "writes in place into a value saved for backward: PyTorch (and srcdiff eager) refuse"
SOLVE = "np.linalg.solve: no eager op (PyTorch's torch.linalg.solve; srcdiff has no linalg)"

_MATH_ERR = (EagerUnsupported, r"math\.\w+ of a Tensor")
_SAVED_ERR = (RuntimeError, "modified by an inplace operation")

# name -> (reason, exception the eager run raises, regex its message matches)
SKIPPED: dict[str, tuple[str, type[Exception], str]] = {
    **{
        name: (MATH, *_MATH_ERR)
        for name in (
            "math_sin_cos",
            "math_tan_tanh",
            "math_exp_log",
            "math_log10_sqrt",
            "math_pow",
            "math_atan2",
            "math_hypot",
            "math_erf",
            "math_constants",
            "call_with_default_argument",
            "call_with_keyword_argument",
            "gaussian_log_likelihood",
            "if_on_python_float",
            "nested_conditional_expression",
            "chained_comparison",
            "scalar_loop_math",
            "list_of_floats_loop",
            "euler_ode",
        )
    },
    **{
        name: (COPY, AttributeError, "no attribute 'copy'")
        for name in (
            "multiply_column_of_copy",
            "fancy_index_augmented_write",
            "write_overwrites_value_the_adjoint_needs",
            "cumulative_product_in_place",
            "write_scalar_broadcast",
        )
    },
    "comparison_mask_as_float": (ASTYPE, AttributeError, "no attribute 'astype'"),
    "sum_method_axis": (AXIS_KW, TypeError, "unexpected keyword argument 'axis'"),
    "ndim_and_size": (SIZE_ATTR, TypeError, "operand type: method"),
    # z[0] = z[0] * x[i] + ...: the product saved the view z[0] that the write then changes
    "same_element_written_in_loop": (SAVED, *_SAVED_ERR),
    # y = sum(x**2) saved x, then x[0] = 5.0 changes it
    "write_into_argument": (SAVED, *_SAVED_ERR),
    "linalg_solve": (SOLVE, EagerUnsupported, "'solve'"),
}

CORPUS = [*STRAIGHT, *CONTROL]
COMPARED = [c for c in CORPUS if c.name not in SKIPPED]
SKIPPED_CASES = [c for c in CORPUS if c.name in SKIPPED]


def _leaves(obj: Any) -> list[np.ndarray]:
    if isinstance(obj, (list, tuple)):
        return [leaf for o in obj for leaf in _leaves(o)]
    if isinstance(obj, dict):
        return [leaf for o in obj.values() for leaf in _leaves(o)]
    return [np.asarray(obj, dtype=np.float64)]


def test_skip_list_names_corpus_functions() -> None:
    stale = set(SKIPPED) - {c.name for c in CORPUS}
    assert not stale, f"SKIPPED names no corpus function: {sorted(stale)}"
    # Nearly all of the corpus runs on Tensors; a growing skip list needs a reason here.
    assert len(COMPARED) >= 250, f"only {len(COMPARED)} of {len(CORPUS)} compared"


@pytest.mark.parametrize("case", COMPARED, ids=[c.name for c in COMPARED])
def test_compiler_matches_eager(case: Case) -> None:
    argnums, as_tuple = resolve_wrt(case.fn, case.wrt)
    compiled = srcdiff.grad(case.fn, wrt=case.wrt)(*case.make_args())
    compiled = compiled if as_tuple else (compiled,)
    args = case.make_args()
    eager = eager_grad(case.fn, args, argnums)
    for i, c, e in zip(argnums, compiled, eager, strict=True):
        where = f"{case.name} d/d(arg {i})"
        assert_same_structure(e, args[i], f"eager {where}")
        for leaf, (cl, el) in enumerate(zip(_leaves(c), _leaves(e), strict=True)):
            bad = ~(np.abs(cl - el) <= ATOL + RTOL * np.abs(el))
            assert not np.any(bad), (
                f"{where} leaf {leaf}: compiler and eager gradients differ at "
                f"{int(bad.sum())} of {cl.size} entries\ncompiler:\n{cl!r}\neager:\n{el!r}"
            )


@pytest.mark.parametrize("case", SKIPPED_CASES, ids=[c.name for c in SKIPPED_CASES])
def test_skipped_case_cannot_run(case: Case) -> None:
    reason, error, message = SKIPPED[case.name]
    argnums, _ = resolve_wrt(case.fn, case.wrt)
    with pytest.raises(error, match=message):
        eager_grad(case.fn, case.make_args(), argnums)


def test_rebinding_leaves_the_corpus_function_alone() -> None:
    case = next(c for c in CORPUS if c.name == "call_other_module")
    eager = eager_function(case.fn)
    assert eager.__globals__["np"] is NP
    assert case.fn.__globals__["np"] is np
    # the helper from corpus_helpers is rebound too, so its np.log1p is the eager one
    assert eager.__globals__["softplus"].__globals__["np"] is NP
    assert case.fn.__globals__["softplus"].__globals__["np"] is np


def test_unmapped_numpy_name_is_a_clear_error() -> None:
    with pytest.raises(EagerUnsupported, match="no 'fft'"):
        _ = NP.fft
