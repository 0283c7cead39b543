"""gradcheck / gradgradcheck: autograd's Jacobians against central finite differences."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck when a Jacobian does not match."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _outputs(func: Callable[..., Any], inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    from srcdiff.tensor import Tensor

    return tuple(o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor))


def _numerical(
    func: Callable[..., Any], inputs: tuple[Any, ...], i: int, eps: float, n_out: list[int]
) -> list[np.ndarray]:
    """d outputs / d inputs[i] by central differences: a (numel_in, numel_out) block per output."""
    x = inputs[i]
    flat = x._data.reshape(-1)  # a view: writes go into the tensor itself
    if not np.shares_memory(flat, x._data):
        raise ValueError("gradcheck needs contiguous inputs")
    cols: list[np.ndarray] = [np.zeros((x._data.size, n), dtype=np.float64) for n in n_out]
    # writes go to the raw array: no version bump, and outputs may build graphs (gradgradcheck)
    if True:
        for j in range(flat.size):
            orig = flat[j].item()
            flat[j] = orig + eps
            plus = [np.array(o._data, dtype=np.float64).reshape(-1) for o in _outputs(func, inputs)]
            flat[j] = orig - eps
            minus = [
                np.array(o._data, dtype=np.float64).reshape(-1) for o in _outputs(func, inputs)
            ]
            flat[j] = orig
            for k, (p, m) in enumerate(zip(plus, minus, strict=False)):
                cols[k][j] = (p - m) / (2 * eps)
    return cols


def _analytical(outputs: tuple[Any, ...], diff: list[Any]) -> list[list[np.ndarray]]:
    """jac[k][i]: (numel of input i, numel of output k) from one backward per output element."""
    from srcdiff.autograd import grad
    from srcdiff.tensor import _wrap

    jac = []
    for o in outputs:
        blocks = [np.zeros((t._data.size, o._data.size), dtype=np.float64) for t in diff]
        if o._requires_grad:
            for k in range(o._data.size):
                onehot = np.zeros(o._data.size, dtype=o._data.dtype)
                onehot[k] = 1
                gs = grad(
                    o,
                    diff,
                    _wrap(onehot.reshape(o._data.shape)),
                    retain_graph=True,
                    allow_unused=True,
                )
                for i, g in enumerate(gs):
                    if g is not None:
                        blocks[i][:, k] = np.asarray(g._data, dtype=np.float64).reshape(-1)
        jac.append(blocks)
    return jac


def _fmt(arr: np.ndarray) -> str:
    from srcdiff._printing import format_tensor

    return format_tensor(arr, "float64", [])


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """True when every analytical Jacobian block matches finite differences; else raises
    :class:`GradcheckError` (or returns False with ``raise_exception=False``)."""
    from srcdiff.tensor import Tensor

    inputs = _as_tuple(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]
    if not diff_idx:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of the "
            "them have requires_grad=True."
        )
    for i in diff_idx:
        if inputs[i]._data.dtype not in (np.float64, np.complex128):
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check "
                "will likely fail if all the inputs are not of double precision floating point "
                "or complex. ",
                UserWarning,
                stacklevel=2,
            )
    diff = [inputs[i] for i in diff_idx]
    outputs = _outputs(func, inputs)
    if not any(o._requires_grad for o in outputs):
        return _fail(
            "gradcheck expects at least one output of func to require grad (none of them do)",
            raise_exception,
        )
    analytical = _analytical(outputs, diff)
    n_out = [o._data.size for o in outputs]
    for pos, i in enumerate(diff_idx):
        numerical = _numerical(func, inputs, i, eps, n_out)
        for k in range(len(outputs)):
            a, n = analytical[k][pos], numerical[k]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                return _fail(
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{_fmt(n)}\nanalytical:{_fmt(a)}\n",
                    raise_exception,
                )
    return True


def _fail(msg: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """gradcheck of the map (inputs, grad_outputs) -> vjp, built with ``create_graph=True``."""
    from srcdiff.autograd import grad
    from srcdiff.tensor import Tensor, _wrap

    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype), True) for o in outputs
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t._requires_grad]

    def new_func(*all_inputs: Any) -> Any:
        ins, gos = all_inputs[:n_in], all_inputs[n_in:]
        outs = _outputs(func, ins)
        pairs = [(o, g) for o, g in zip(outs, gos, strict=False) if o._requires_grad]
        diff = [ins[i] for i in diff_idx]
        gs = grad(
            [o for o, _ in pairs], diff, [g for _, g in pairs], create_graph=True, allow_unused=True
        )
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        new_func,
        inputs + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
