"""The harness every rule test uses: a rule's VJP against float64 central differences.

A :class:`Case` names a rule and one of its primals and draws arguments with
hypothesis.  :func:`check_case` then, for each input the rule differentiates,

- calls that input's compiled gradient from ``Rule.input_vjps()`` with a random
  cotangent ``g``, passing ``None`` for every argument ``Rule.reads`` says it
  does not read (so ``reads`` is checked too: consumers drop those values);
- reduces it with ``helpers.unbroadcast_like`` when the rule broadcasts, as a
  consumer does, and checks its shape (a non-broadcasting rule must already
  return the input's shape) and, for Python-float inputs, that it is a float;
- compares it elementwise with the central-difference gradient of
  ``<g, primal(...)>``: a full VJP check, not one random direction.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from srcdiff.rules import RULES, Rule, rule_for
from srcdiff.rules.helpers import unbroadcast_like

EPS = 1e-6
RTOL = 1e-6
ATOL = 1e-6

RULE_SETTINGS = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Draw = Callable[[st.DataObject], tuple[list[Any], dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    """One rule exercised through one of its primals."""

    rule: str
    primal: Any
    draw: Draw
    xp: Any = np
    wrt: tuple[int, ...] | None = None  # inputs to check; None: every differentiable one
    by_position: bool = False  # pass params to the primal positionally (math.log(x, base))
    label: str = ""

    @property
    def id(self) -> str:
        name = getattr(self.primal, "__name__", repr(self.primal))
        module = getattr(self.primal, "__module__", None) or "builtins"
        return f"{self.rule}:{module.split('.')[0]}.{name}{self.label}"


def case_ids(cases: Sequence[Case]) -> list[str]:
    return [c.id for c in cases]


def check_case(case: Case, data: st.DataObject) -> None:
    rule = RULES[case.rule]
    assert rule_for(case.primal) is rule, f"{case.id}: primal not registered with this rule"
    inputs, params = case.draw(data)
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    primal = case.primal
    if case.by_position:
        primal = lambda *args, **kw: case.primal(*args, *kw.values())  # noqa: E731
    check_vjp(rule, primal, inputs, params, case.xp, np.random.default_rng(seed), case.wrt)


def check_vjp(
    rule: Rule,
    primal: Any,
    inputs: list[Any],
    params: dict[str, Any],
    xp: Any,
    rng: np.random.Generator,
    wrt: tuple[int, ...] | None = None,
) -> None:
    """Check each differentiable input's VJP against central differences."""
    ans = call_primal(rule, primal, inputs, params)
    g = random_like(ans, rng)
    # Python floats in (g included) must give Python floats out: compiled float code stays fast.
    all_floats = all(isinstance(v, float) for v in [g, *inputs] if not isinstance(v, (str, int)))
    checked = 0
    for i, fn in enumerate(rule.input_vjps()):
        if fn is None or (wrt is not None and i not in wrt):
            continue
        got = call_vjp(rule, fn, i, g, ans, inputs, params, xp)
        want = numeric_vjp(rule, primal, inputs, params, i, g)
        compare(rule, got, want, inputs[i], all_floats)
        checked += 1
    assert checked, f"rule {rule.name}: no input was checked"


def call_primal(rule: Rule, primal: Any, inputs: list[Any], params: dict[str, Any]) -> Any:
    return primal(*positional(rule, inputs), **params)


def positional(rule: Rule, inputs: list[Any]) -> list[Any]:
    """The inputs as positional arguments, a variadic input (``*operands``) spread out."""
    args: list[Any] = []
    for name, value in zip(rule.inputs, inputs, strict=True):
        args.extend(value if name in variadic(rule) else [value])
    return args


def variadic(rule: Rule) -> set[str]:
    sig = inspect.signature(rule.vjp)
    return {n for n, p in sig.parameters.items() if p.kind is inspect.Parameter.VAR_POSITIONAL}


def call_vjp(
    rule: Rule,
    fn: Callable[..., Any],
    index: int,
    g: Any,
    ans: Any,
    inputs: list[Any],
    params: dict[str, Any],
    xp: Any,
) -> Any:
    """Call one input's gradient with every argument it does not read set to None."""
    reads = rule.reads(index)
    keep = lambda name, value: value if name in reads else None  # noqa: E731
    args = [keep("g", g), keep("ans", ans)]
    for name, value in zip(rule.inputs, inputs, strict=True):
        if name in variadic(rule):
            args.extend(keep(name, v) for v in value)
        else:
            args.append(keep(name, value))
    kwargs = {name: keep(name, value) for name, value in params.items()}
    if rule.uses_xp:
        kwargs["xp"] = xp
    return fn(*args, **kwargs)


def random_like(value: Any, rng: np.random.Generator) -> Any:
    """A random cotangent shaped like ``value``.

    A numpy scalar result gets a Python float (what compiled code passes) or a
    0-d array (what the eager engine passes), chosen at random.
    """
    if isinstance(value, np.ndarray):
        return rng.standard_normal(value.shape)
    if isinstance(value, np.generic) and rng.random() < 0.5:
        return rng.standard_normal(())
    return float(rng.standard_normal())


def numeric_vjp(
    rule: Rule,
    primal: Any,
    inputs: list[Any],
    params: dict[str, Any],
    index: int,
    g: Any,
) -> Any:
    """Central differences of ``<g, primal(...)>`` in each element of input ``index``."""

    def phi(value: Any) -> float:
        trial = list(inputs)
        trial[index] = value
        out = np.asarray(call_primal(rule, primal, trial, params), dtype=np.float64)
        return float(np.sum(np.asarray(g) * out))

    x = inputs[index]
    if isinstance(x, (list, tuple)):  # a sequence input: one gradient per element
        return [_numeric_grad(lambda v, j=j: phi(_replace(x, j, v)), x[j]) for j in range(len(x))]
    return _numeric_grad(phi, x)


def _replace(seq: Any, j: int, value: Any) -> Any:
    out = list(seq)
    out[j] = value
    return type(seq)(out) if isinstance(seq, tuple) else out


def _numeric_grad(phi: Callable[[Any], float], x: Any) -> Any:
    if isinstance(x, float):
        return (phi(x + EPS) - phi(x - EPS)) / (2 * EPS)
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[k] = EPS
        grad[k] = (phi(x + step) - phi(x - step)) / (2 * EPS)
    return grad


def compare(rule: Rule, got: Any, want: Any, x: Any, all_floats: bool) -> None:
    if isinstance(x, (list, tuple)):
        assert isinstance(got, list) and len(got) == len(x), f"{rule.name}: want a list per element"
        for got_j, want_j, x_j in zip(got, want, x, strict=True):
            compare(rule, got_j, want_j, x_j, all_floats)
        return
    if rule.broadcasts:
        got = unbroadcast_like(got, x, np)
    if all_floats:
        assert isinstance(got, float), f"{rule.name}: float input, got {type(got).__name__}"
    else:
        assert np.shape(got) == np.shape(x), f"{rule.name}: shape {np.shape(got)} != {np.shape(x)}"
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=f"rule {rule.name}")


# ------------------------------------------------------------------ strategies


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away_from_zero(gap: float, hi: float) -> st.SearchStrategy[float]:
    """Values with gap <= |v| <= hi: keeps a kink or pole at 0 out of reach."""
    return st.tuples(reals(gap, hi), st.sampled_from([-1.0, 1.0])).map(lambda p: p[0] * p[1])


def grid(offset: float, lo: int = -4, hi: int = 4) -> st.SearchStrategy[float]:
    """Integers plus ``offset``: two grids with different offsets never tie."""
    return st.integers(lo, hi).map(lambda k: k + offset)


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def array(data: st.DataObject, shape: tuple[int, ...], elements: st.SearchStrategy) -> np.ndarray:
    return data.draw(hnp.arrays(np.float64, shape, elements=elements))


def unique_array(data: st.DataObject, shape: tuple[int, ...]) -> np.ndarray:
    """Distinct values at least 1 apart: no ties for max/min/sort, even under a step of EPS."""
    return data.draw(hnp.arrays(np.float64, shape, elements=grid(0.0, -40, 40), unique=True))


def operand(data: st.DataObject, shape: tuple[int, ...], elements: st.SearchStrategy) -> Any:
    """An array, or for a 0-d shape sometimes a Python float (broadcasting with numbers)."""
    if shape == () and data.draw(st.booleans()):
        return data.draw(elements)
    return array(data, shape, elements)


def unary(elements: st.SearchStrategy, **params: st.SearchStrategy) -> Draw:
    """One array input (any rank, 0-d included) and parameters drawn from ``params``."""

    def draw(data: st.DataObject) -> tuple[list[Any], dict[str, Any]]:
        x = array(data, data.draw(shapes()), elements)
        return [x], {k: data.draw(v) for k, v in params.items()}

    return draw


def binary(x_elements: st.SearchStrategy, y_elements: st.SearchStrategy) -> Draw:
    """Two inputs of mutually broadcastable shapes ((3, 1) with (4,), scalars, 0-d)."""

    def draw(data: st.DataObject) -> tuple[list[Any], dict[str, Any]]:
        pair = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
        x_shape, y_shape = pair.input_shapes
        return [operand(data, x_shape, x_elements), operand(data, y_shape, y_elements)], {}

    return draw


def floats(*elements: st.SearchStrategy, **params: st.SearchStrategy) -> Draw:
    """Python-float inputs (for ``math`` and builtin primals)."""

    def draw(data: st.DataObject) -> tuple[list[Any], dict[str, Any]]:
        return [data.draw(e) for e in elements], {k: data.draw(v) for k, v in params.items()}

    return draw


def seeded(data: st.DataObject) -> np.random.Generator:
    """A generator for values hypothesis should not shrink into degenerate matrices."""
    return np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="values"))
