"""``srcdiff.autograd``: backward, grad, Function, gradcheck, anomaly detection, grad modes."""

from __future__ import annotations

from typing import Any

import numpy as np

from srcdiff.autograd import engine as _engine
from srcdiff.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def _tensors(x: Any) -> list[Any]:
    from srcdiff.tensor import Tensor

    if isinstance(x, Tensor):
        return [x]
    if x is None:
        return []
    return list(x)


def _root_grads(
    outputs: list[Any], grads: list[Any], create_graph: bool, is_grads_batched: bool = False
) -> list[Any]:
    from srcdiff.tensor import Tensor

    res = []
    for i, (out, g) in enumerate(zip(outputs, grads, strict=False)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind not in "fc":
                raise RuntimeError(
                    f"grad can be implicitly created only for real scalar outputs but got "
                    f"{out.dtype}"
                )
            arr = np.ones(out._data.shape, out._data.dtype)
            res.append(_wrap_arr(arr) if create_graph else arr)
            continue
        if not isinstance(g, Tensor):
            from srcdiff.ops.creation import tensor

            g = tensor(g, dtype=out.dtype)
        if g._data.shape != out._data.shape:
            from srcdiff.dtypes import Size

            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and "
                f"output[{i}] has a "
                f"shape of {Size(out._data.shape)}."
            )
        res.append(g if create_graph else g._data)
    return res


def _wrap_arr(arr: np.ndarray) -> Any:
    from srcdiff.tensor import _wrap

    return _wrap(arr)


def _check_outputs(outputs: list[Any]) -> list[tuple[Any, int]]:
    roots = []
    for i, out in enumerate(outputs):
        if not out._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        fn = out._grad_fn if out._grad_fn is not None else out._accumulator()
        roots.append((fn, out._out_nr))
    return roots


def _input_edge(t: Any) -> tuple[Any, int]:
    if t._grad_fn is not None:
        return (t._grad_fn, t._out_nr)
    return (t._accumulator(), 0)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Any = None,
) -> None:
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``."""
    outputs = _tensors(tensors)
    grads = _tensors(grad_tensors) if grad_tensors is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(grads)} tensors and {len(outputs)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    roots = _check_outputs(outputs)
    root_grads = _root_grads(outputs, grads, create_graph)
    if inputs is None:
        _engine.run_backward(roots, root_grads, retain_graph, create_graph)
        return
    ins = _tensors(inputs)
    if not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    capture = {}
    for i, t in enumerate(ins):
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        capture[_input_edge(t)] = i
    res = _engine.run_backward(
        roots, root_grads, retain_graph, create_graph, capture, accumulate=False
    )
    for t, g in zip(ins, res or [], strict=False):
        if g is not None:
            _engine.accumulate_into(t, g if create_graph else np.asarray(g), create_graph)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Any, ...]:
    """d(outputs)/d(inputs), returned rather than accumulated into ``.grad``."""
    from srcdiff.tensor import Tensor, _wrap

    outs = _tensors(outputs)
    ins = _tensors(inputs)
    grads = _tensors(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if len(grads) != len(outs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grads)} and {len(outs)}"
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    for t in ins:
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): inputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _check_outputs(outs)
    root_grads = _root_grads(outs, grads, create_graph)
    capture: dict[tuple[Any, int], int] = {}
    aliases: list[int] = []
    for i, t in enumerate(ins):
        e = _input_edge(t)
        aliases.append(capture.setdefault(e, i))
    res = (
        _engine.run_backward(
            roots, root_grads, retain_graph, create_graph, capture, accumulate=False
        )
        or []
    )
    result: list[Any] = []
    for i, t in enumerate(ins):
        g = res[aliases[i]]
        if g is None:
            if materialize_grads:
                result.append(_wrap(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            arr = np.asarray(g)
            if arr.dtype != t._data.dtype:
                arr = arr.astype(t._data.dtype)
            if arr.shape != t._data.shape:
                arr = np.broadcast_to(arr, t._data.shape)
            result.append(_wrap(np.array(arr)))
    return tuple(result)


from srcdiff.autograd import anomaly_mode, function  # noqa: E402,F401  (submodules, as in torch)
from srcdiff.autograd.anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: E402
from srcdiff.autograd.function import Function  # noqa: E402
from srcdiff.autograd.gradcheck import gradcheck, gradgradcheck  # noqa: E402
