"""Pointwise ops: arithmetic, math functions, activations, comparisons."""

from __future__ import annotations

from typing import Any

import numpy as np

from srcdiff.autograd.grad_mode import GRAD
from srcdiff.ops.core import as_operand, binary, inplace, spec, unary
from srcdiff.tensor import Tensor, _wrap

ADD = spec("AddBackward0", "add", np.add)
SUB = spec("SubBackward0", "sub", np.subtract)
RSUB = spec("RsubBackward1", "sub", np.subtract)
MUL = spec("MulBackward0", "mul", np.multiply)
DIV = spec("DivBackward0", "div", np.true_divide)
POW0 = spec("PowBackward0", "pow", np.power)
POW1 = spec("PowBackward1", "pow", np.power)
POW2 = spec("PowBackward2", "pow", np.power)
MAXIMUM = spec("MaximumBackward0", "maximum", np.maximum)
MINIMUM = spec("MinimumBackward0", "minimum", np.minimum)
LOGADDEXP = spec("LogaddexpBackward0", "logaddexp", np.logaddexp)
NEG = spec("NegBackward0", "neg", np.negative)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # tanh form: no overflow warning for large negative inputs
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, x.dtype.type(0))


_UNARY_FLOAT = {
    "exp": spec("ExpBackward0", "exp", np.exp),
    "log": spec("LogBackward0", "log", np.log),
    "sqrt": spec("SqrtBackward0", "sqrt", np.sqrt),
    "sin": spec("SinBackward0", "sin", np.sin),
    "cos": spec("CosBackward0", "cos", np.cos),
    "tan": spec("TanBackward0", "tan", np.tan),
    "tanh": spec("TanhBackward0", "tanh", np.tanh),
    "atan": spec("AtanBackward0", "arctan", np.arctan),
    "expm1": spec("Expm1Backward0", "expm1", np.expm1),
    "log1p": spec("Log1PBackward0", "log1p", np.log1p),
    "log10": spec("Log10Backward0", "log10", np.log10),
    "sigmoid": spec("SigmoidBackward0", "sigmoid", _sigmoid),
}
ABS = spec("AbsBackward0", "abs", np.abs)
RELU = spec("ReluBackward0", "relu", _relu)
SQUARE = spec("PowBackward0", "square", np.square)
CLAMP = spec("ClampBackward1", "clip", np.clip, ("a_min", "a_max"))


def _t(x: Any) -> Tensor:
    x = as_operand(x)
    return x if isinstance(x, Tensor) else _wrap(np.asarray(x))


# ----------------------------------------------------------------------------- arithmetic


def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    if alpha != 1:
        other = mul(other, alpha)
    return _out(binary(ADD, input, other), out)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    if alpha != 1:
        other = mul(other, alpha)
    return _out(binary(SUB, input, other), out)


subtract = sub


def rsub(input: Any, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    if alpha != 1:
        input = mul(input, alpha)
    return binary(RSUB, other, input)


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return _out(binary(MUL, input, other), out)


multiply = mul


def div(
    input: Any, other: Any, *, rounding_mode: str | None = None, out: Tensor | None = None
) -> Tensor:  # noqa: A002
    if rounding_mode is None:
        return _out(binary(DIV, input, other, true_div=True), out)
    a, b = _t(input), as_operand(other)
    bd = b._data if isinstance(b, Tensor) else b
    if rounding_mode == "floor":
        res = np.floor_divide(a._data, bd)
    elif rounding_mode == "trunc":
        res = np.trunc(np.true_divide(a._data, bd)).astype(np.result_type(a._data, bd))
    else:
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _out(_wrap(np.asarray(res)), out)


divide = true_divide = div


def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    return div(input, other, rounding_mode="floor")


def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    a, b = _t(input), as_operand(other)
    return _wrap(np.asarray(np.mod(a._data, b._data if isinstance(b, Tensor) else b)))


fmod = remainder


def pow(input: Any, exponent: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A001,A002
    if not isinstance(input, Tensor):
        return _out(binary(POW2, input, exponent), out)
    if isinstance(exponent, Tensor):
        return _out(binary(POW1, input, exponent), out)
    if isinstance(exponent, int) and exponent < 0 and input._data.dtype.kind in "iub":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(binary(POW0, input, exponent), out)


def neg(input: Tensor) -> Tensor:  # noqa: A002
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, "
            "use the `~` or `logical_not()` operator instead."
        )
    return unary(NEG, input)


negative = neg


def abs(input: Tensor) -> Tensor:  # noqa: A001,A002
    return unary(ABS, input)


absolute = abs


def square(input: Tensor) -> Tensor:  # noqa: A002
    return unary(SQUARE, input)


def maximum(input: Any, other: Any) -> Tensor:  # noqa: A002
    return binary(MAXIMUM, input, other)


def minimum(input: Any, other: Any) -> Tensor:  # noqa: A002
    return binary(MINIMUM, input, other)


def logaddexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``log(exp(input) + exp(other))`` computed without overflow; integers give floats."""
    return binary(LOGADDEXP, input, other, True)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A001,A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        res = input
        if min is not None:
            res = maximum(res, min)
        if max is not None:
            res = minimum(res, max)
        return res
    return unary(CLAMP, input, (min, max))


clip = clamp


def relu(input: Tensor) -> Tensor:  # noqa: A002
    return unary(RELU, input)


def _make_unary(name: str) -> Any:
    sp = _UNARY_FLOAT[name]

    def op(input: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
        return _out(unary(sp, _t(input), (), True), out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (differentiable; grad_fn {sp.name})."
    return op


exp = _make_unary("exp")
log = _make_unary("log")
sqrt = _make_unary("sqrt")
sin = _make_unary("sin")
cos = _make_unary("cos")
tan = _make_unary("tan")
tanh = _make_unary("tanh")
atan = arctan = _make_unary("atan")
expm1 = _make_unary("expm1")
log1p = _make_unary("log1p")
log10 = _make_unary("log10")
sigmoid = _make_unary("sigmoid")


def rsqrt(input: Tensor) -> Tensor:  # noqa: A002
    return div(1.0, sqrt(input))


def reciprocal(input: Tensor) -> Tensor:  # noqa: A002
    return div(1.0, input)


def sign(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.sign(input._data))


def _no_grad_round(fn: Any) -> Any:
    def op(input: Tensor) -> Tensor:  # noqa: A002
        # piecewise constant: zero gradient, like PyTorch's floor/ceil/round/trunc
        res = _wrap(np.asarray(fn(input._data)))
        return mul(input, 0.0) + res if input._requires_grad else res

    op.__name__ = fn.__name__
    return op


floor = _no_grad_round(np.floor)
ceil = _no_grad_round(np.ceil)
round = _no_grad_round(np.round)  # noqa: A001
trunc = _no_grad_round(np.trunc)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    from srcdiff.ops.core import nary

    if input is None and other is None:
        return tuple(_wrap(i) for i in np.nonzero(_t(condition)._data))
    cond = _t(condition)._data.astype(bool)
    a, b = as_operand(input), as_operand(other)
    ad = a._data if isinstance(a, Tensor) else a
    bd = b._data if isinstance(b, Tensor) else b
    from srcdiff.ops.core import result_dtype

    out = np.where(cond, ad, bd).astype(result_dtype(a, b), copy=False)
    return nary(WHERE, out, (_wrap(cond), a, b))


WHERE = spec("WhereBackward0", "where", np.where)


# ----------------------------------------------------------------------------- comparisons


def _compare(fn: Any, name: str) -> Any:
    def op(input: Any, other: Any) -> Tensor:  # noqa: A002
        a, b = as_operand(input), as_operand(other)
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        return _wrap(np.asarray(fn(ad, bd)))

    op.__name__ = name
    return op


eq = _compare(np.equal, "eq")
ne = not_equal = _compare(np.not_equal, "ne")
lt = less = _compare(np.less, "lt")
le = less_equal = _compare(np.less_equal, "le")
gt = greater = _compare(np.greater, "gt")
ge = greater_equal = _compare(np.greater_equal, "ge")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.logical_not(input._data))


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:  # noqa: A002
    return bool(
        np.allclose(input._data, _t(other)._data, rtol=rtol, atol=atol, equal_nan=equal_nan)
    )


def isclose(
    input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:  # noqa: A002
    return _wrap(
        np.isclose(input._data, _t(other)._data, rtol=rtol, atol=atol, equal_nan=equal_nan)
    )


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.asarray(np.isnan(input._data)))


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.asarray(np.isinf(input._data)))


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.asarray(np.isfinite(input._data)))


# ----------------------------------------------------------------------------- in place


def _inplace_binary(sp: Any, true_div: bool = False) -> Any:
    def op(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            other = mul(other, alpha)
        b = as_operand(other)
        bd = b._data if isinstance(b, Tensor) else b
        return inplace(sp, self, sp.fn(self._data, bd), (b,))

    return op


add_ = _inplace_binary(ADD)
sub_ = _inplace_binary(SUB)
mul_ = _inplace_binary(MUL)
div_ = _inplace_binary(DIV, True)


def pow_(self: Tensor, exponent: Any) -> Tensor:
    b = as_operand(exponent)
    sp = POW1 if isinstance(b, Tensor) else POW0
    return inplace(sp, self, np.power(self._data, b._data if isinstance(b, Tensor) else b), (b,))


def _inplace_unary(name: str, sp: Any) -> Any:
    def op(self: Tensor, *params: Any) -> Tensor:
        return inplace(sp, self, sp.fn(self._data, *params), (), params)

    op.__name__ = name + "_"
    return op


exp_ = _inplace_unary("exp", _UNARY_FLOAT["exp"])
log_ = _inplace_unary("log", _UNARY_FLOAT["log"])
sqrt_ = _inplace_unary("sqrt", _UNARY_FLOAT["sqrt"])
sin_ = _inplace_unary("sin", _UNARY_FLOAT["sin"])
cos_ = _inplace_unary("cos", _UNARY_FLOAT["cos"])
tanh_ = _inplace_unary("tanh", _UNARY_FLOAT["tanh"])
sigmoid_ = _inplace_unary("sigmoid", _UNARY_FLOAT["sigmoid"])
neg_ = _inplace_unary("neg", NEG)
abs_ = _inplace_unary("abs", ABS)
relu_ = _inplace_unary("relu", RELU)


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return inplace(CLAMP, self, np.clip(self._data, min, max), (), (min, max))


clip_ = clamp_


def zero_(self: Tensor) -> Tensor:
    return inplace(None, self, np.zeros((), self._data.dtype))


def fill_(self: Tensor, value: Any) -> Tensor:
    v = value.item() if isinstance(value, Tensor) else value
    return inplace(None, self, np.asarray(v, dtype=self._data.dtype))


def _out(res: Tensor, out: Tensor | None) -> Tensor:
    """Support ``out=``: copy the result into ``out`` (like PyTorch, not differentiable)."""
    if out is None:
        return res
    if res._requires_grad and GRAD[0]:
        raise RuntimeError(
            "add(): functions with out=... arguments don't support automatic differentiation, "
            "but one of the arguments requires grad."
        )
    if out._data.shape != res._data.shape:
        out._data = np.empty(res._data.shape, out._data.dtype)
    out._data[...] = res._data
    out._bump()
    return out
