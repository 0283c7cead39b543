"""``autograd.Function``: user-defined ops with their own forward and backward.

Each subclass gets a node class ``<Name>Backward``; ``apply`` creates one such
node per call and the node itself is the ``ctx`` that forward and backward see
(as in PyTorch), so arbitrary attributes set on ``ctx`` live on the node.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from srcdiff.autograd import engine as _engine
from srcdiff.autograd import grad_mode

__all__ = ["Function", "FunctionCtx", "InplaceFunction", "NestedIOFunction", "once_differentiable"]


class FunctionCtx:
    """What ``forward``/``backward`` receive as ``ctx``."""

    def save_for_backward(self, *tensors: Any) -> None:
        from srcdiff.tensor import Tensor

        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self._to_save = tensors
        self._saved_versions = tuple(None if t is None else t._version for t in tensors)

    def save_for_forward(self, *tensors: Any) -> None:
        self._to_save_forward = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        if getattr(self, "_freed", False):
            raise RuntimeError(_engine.FREED_MSG)
        saved = getattr(self, "_to_save", ())
        for t, v in zip(saved, self._saved_versions, strict=False):
            if t is not None and t._version != v:
                _engine._version_error(self, t, t._version, v, t._data)
        return tuple(saved)

    saved_variables = saved_tensors

    def mark_dirty(self, *tensors: Any) -> None:
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)


class BackwardCFunction(_engine.Node, FunctionCtx):
    """The graph node of one ``Function.apply`` call; also its ``ctx``."""

    _forward_cls: Any = None

    def __repr__(self) -> str:
        return f"<srcdiff.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    def _release(self) -> None:
        if getattr(self, "_to_save", None) is not None:
            self._freed = True
            self._to_save = ()

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        from srcdiff.tensor import Tensor, _wrap

        cls = self._forward_cls
        metas = self._output_meta
        gts: list[Any] = []
        for i, meta in enumerate(metas):
            g = grads[i] if i < len(grads) else None
            if g is None:
                if getattr(self, "_materialize", True) and meta is not None:
                    g = np.zeros(meta[0], meta[1])
                    gts.append(_wrap(g))
                else:
                    gts.append(None)
            else:
                gts.append(g if isinstance(g, Tensor) else _wrap(np.asarray(g)))
        res = cls.backward(self, *gts)
        if not isinstance(res, tuple):
            res = (res,)
        n = len(self.needs_input_grad)
        if len(res) < n or any(r is not None for r in res[n:]):
            raise RuntimeError(
                f"function {type(self).__name__} returned an incorrect number of gradients "
                f"(expected {n}, got {len(res)})"
            )
        out: list[Any] = []
        for i in range(n):
            g = res[i]
            shape = self._input_meta[i]
            if g is None or not self.needs_input_grad[i]:
                if g is not None and shape is None:
                    raise RuntimeError(
                        f"function {type(self).__name__} returned a gradient different than None "
                        f"at position {i + 1}, "
                        "but the corresponding forward input was not a Variable"
                    )
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                g = _wrap(np.asarray(g))
            if g._data.shape != shape:
                try:
                    np.broadcast_shapes(g._data.shape, shape)
                    from srcdiff.rules.helpers import unbroadcast

                    g = (
                        unbroadcast(g, shape, _xp())
                        if create_graph
                        else _wrap(unbroadcast(g._data, shape, np))
                    )
                except ValueError:
                    raise RuntimeError(
                        f"Function {type(self).__name__} returned an invalid gradient at index "
                        f"{i} - got "
                        f"{list(g._data.shape)} but expected shape compatible with {list(shape)}"
                    ) from None
            out.append(g if create_graph else g._data)
        return tuple(out)


def _xp() -> Any:
    from srcdiff.autograd import xp

    return xp


class DelayedErrorNode(_engine.Node):
    """Stands behind the result of a once_differentiable backward: differentiating it fails."""

    __slots__ = ("_msg",)

    def __init__(self, msg: str, n: int) -> None:
        self.next_functions = ()
        self._hooks = None
        self._msg = msg

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        raise RuntimeError(self._msg)


class _FunctionMeta(type):
    """Creates the ``<Name>Backward`` node class for every Function subclass."""

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        node = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        cls._backward_cls = node
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``;
    call ``.apply``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style "
            "autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it "
            "with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return _apply(cls, args, kwargs)


InplaceFunction = Function
NestedIOFunction = Function


def _apply(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    from srcdiff.tensor import Tensor

    node = object.__new__(cls._backward_cls)
    node._hooks = None
    needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
    node.needs_input_grad = needs
    node._input_meta = tuple(a._data.shape if isinstance(a, Tensor) else None for a in args)
    uses_setup = cls.setup_context is not Function.setup_context
    with grad_mode.no_grad():
        if uses_setup:
            outputs = cls.forward(*args, **kwargs)
            cls.setup_context(node, args, outputs)
        else:
            outputs = cls.forward(node, *args, **kwargs)
    track = grad_mode.GRAD[0] and any(needs)
    single = not isinstance(outputs, tuple)
    outs = (outputs,) if single else outputs
    dirty = getattr(node, "_dirty", ())
    non_diff = getattr(node, "_non_differentiable", ())
    from srcdiff.ops.core import check_inplace, edge

    if track:
        node.next_functions = tuple(edge(a) if isinstance(a, Tensor) else (None, 0) for a in args)
        if _engine.ANOMALY[0]:
            _engine.record_anomaly_trace(node)
    result: list[Any] = []
    metas: list[Any] = []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            result.append(o)
            metas.append(None)
            continue
        is_input = any(o is a for a in args)
        if any(o is d for d in dirty):
            check_inplace(o)  # forward already bumped the version by its in-place op
        elif is_input:
            o = _alias(o)  # returning an input unchanged: a new tensor over the same data
        metas.append((o._data.shape, o._data.dtype))
        if track and not any(o is nd for nd in non_diff) and o._data.dtype.kind in "fc":
            o._grad_fn = node
            o._out_nr = i
            o._requires_grad = True
        elif not is_input or any(o is d for d in dirty):
            if not track or any(o is nd for nd in non_diff):
                o._requires_grad = o._requires_grad and o._grad_fn is not None and not track
        result.append(o)
    node._output_meta = tuple(metas)
    if not track:
        node.next_functions = ()
    return result[0] if single else tuple(result)


def _alias(t: Any) -> Any:
    from srcdiff.tensor import _wrap

    a = _wrap(t._data, t._requires_grad, t._grad_fn, t._counter())
    a._out_nr = t._out_nr
    a._accum = t._accum
    return a


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``backward`` without recording it; differentiating its result raises."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        from srcdiff.tensor import Tensor

        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.GRAD[0]:
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        msg = "trying to differentiate twice a function that was marked with @once_differentiable"
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        wrapped = []
        for o in outs:
            if isinstance(o, Tensor) and o._data.dtype.kind in "fc":
                o = _alias(o)
                o._grad_fn = DelayedErrorNode(msg, 1)
                o._requires_grad = True
            wrapped.append(o)
        return wrapped[0] if single else tuple(wrapped)

    return wrapper
