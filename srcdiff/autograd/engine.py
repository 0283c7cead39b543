"""The backward engine: graph nodes (grad_fns) and the dependency-ordered executor.

A node's ``apply(grads, create_graph)`` takes one gradient per output of the
forward op and returns one gradient per entry of ``next_functions``.  In the
plain mode gradients are numpy arrays; with ``create_graph=True`` they are
Tensors, and the same derivative rules run on them with ``xp`` set to
:mod:`srcdiff.autograd.xp`, so the backward pass is itself recorded.
"""

from __future__ import annotations

import sys
import traceback
import warnings
import weakref
from typing import Any

import numpy as np

from srcdiff.autograd import grad_mode
from srcdiff.autograd import npx as _npx
from srcdiff.rules.helpers import unbroadcast

FREED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)

ANOMALY = [False, True]  # [enabled, check_nan]
_getrefcount = sys.getrefcount
# grads list + local name + getrefcount's argument.  Python 3.14 may skip reference counts
# for borrowed locals, so the count would no longer prove the array unshared: no stealing there.
_STEAL_REFS = 3 if sys.version_info < (3, 14) else 0


class _Hooks:
    """Hooks and metadata of one node; allocated only when a node gets any."""

    __slots__ = ("pre", "post", "tensor_pre", "retain", "metadata")

    def __init__(self) -> None:
        self.pre: list[Any] = []
        self.post: list[Any] = []
        self.tensor_pre: list[tuple[int, Any]] = []  # (output_nr, fn) from Tensor.register_hook
        self.retain: dict[int, Any] = {}  # output_nr -> weakref to the tensor that retains grad
        self.metadata: dict[str, Any] = {}


class _RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst: list[Any], item: Any) -> None:
        self._list = lst
        self._item = item

    def remove(self) -> None:
        if self._item in self._list:
            self._list.remove(self._item)


class Node:
    """A grad_fn: one recorded operation of the forward pass."""

    __slots__ = ("next_functions", "_hooks", "__weakref__")

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        raise NotImplementedError

    def __call__(self, *grads: Any) -> Any:
        out = self.apply([g._data for g in grads], False)
        from srcdiff.tensor import _wrap

        res = tuple(None if o is None else _wrap(np.asarray(o)) for o in out)
        return res[0] if len(res) == 1 else res

    def _get_hooks(self) -> _Hooks:
        if self._hooks is None:
            self._hooks = _Hooks()
        return self._hooks

    @property
    def metadata(self) -> dict[str, Any]:
        return self._get_hooks().metadata

    def register_hook(self, fn: Any) -> _RemovableHandle:
        """``fn(grad_inputs, grad_outputs)`` runs after the node; may return new grad_inputs."""
        lst = self._get_hooks().post
        lst.append(fn)
        return _RemovableHandle(lst, fn)

    def register_prehook(self, fn: Any) -> _RemovableHandle:
        """``fn(grad_outputs)`` runs before the node; may return new grad_outputs."""
        lst = self._get_hooks().pre
        lst.append(fn)
        return _RemovableHandle(lst, fn)

    def _release(self) -> None:
        """Free what the forward pass saved (nothing by default)."""


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into ``leaf.grad``."""

    __slots__ = ("_leaf",)

    def __init__(self, leaf: Any) -> None:
        self.next_functions = ()
        self._hooks = None
        self._leaf = weakref.ref(leaf)

    @property
    def variable(self) -> Any:
        return self._leaf()

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        leaf = self._leaf()
        g = grads[0]
        if leaf is None or g is None:
            return ()
        if leaf._grad is None and type(g) is np.ndarray and _getrefcount(g) <= _STEAL_REFS:
            # Nobody else holds this gradient (only this call's list, local and argument):
            # take it as .grad without a copy, as PyTorch does when its use count is 1.
            d = leaf._data
            if g.shape == d.shape and g.dtype == d.dtype and g.base is None and g.flags.writeable:
                leaf._grad = _wrap[0](g)
                return ()
        accumulate_into(leaf, g, create_graph)
        return ()


def accumulate_into(t: Any, g: Any, create_graph: bool) -> None:
    """``t.grad += g`` with PyTorch's rules: a fresh buffer the first time, in place after."""
    Tensor, wrap = _Tensor[0], _wrap[0]  # noqa: N806

    if type(g) is Tensor:  # create_graph: keep the graph of the gradient
        if g._data.shape != t._data.shape:
            g = g.expand(t._data.shape)
        t._grad = g if t._grad is None else t._grad + g
        return
    dt = t._data.dtype
    if t._grad is None:
        arr = np.array(g, dtype=dt, copy=True)  # a buffer of its own: g may be shared
        if arr.shape != t._data.shape:
            arr = np.array(np.broadcast_to(arr, t._data.shape))
        t._grad = wrap(arr)
    elif t._grad._requires_grad or not t._grad._data.flags.writeable:
        t._grad = wrap(np.asarray(t._grad._data + g, dtype=dt))
    else:
        t._grad._data += g
        t._grad._bump()


class RuleNode(Node):
    """A node that calls one rule of the shared table (see srcdiff.rules.table).

    ``_saved`` holds the rule's arguments after ``g`` in signature order
    (ans, inputs, params); entries no needed gradient reads are None.  Inputs
    are kept as Tensors (the engine reads their arrays; create_graph uses the
    Tensors so the backward graph connects to the forward graph) and ``ans`` as
    its array plus the output's version counter.
    """

    # _meta is None for most nodes, else [versions, ans_vc, shapes, dtypes]: the versions of
    # saved tensors (index 0: the output), the output's version counter, and per input the
    # shape to reduce its gradient to and the dtype to cast it to (None where not needed).
    __slots__ = ("_saved", "_needs", "_meta")
    _fns: Any = None  # the rule's per-input vjps: a _CompiledOnUse in each subclass
    _uses_xp = False
    _n = 0
    _released_ok = False

    def _release(self) -> None:
        # Like PyTorch, only saved tensors are freed: a node that kept none (AddBackward0,
        # SumBackward0 keeps a shape) can run again.  Saved tensors always have versions.
        meta = self._meta
        if meta is not None and meta[0] is not None:
            self._saved = None

    @property
    def _ans_vc(self) -> Any:
        return None if self._meta is None else self._meta[1]

    def _check_versions(self) -> None:
        vers, ans_vc = self._meta[0], self._meta[1]
        saved = self._saved
        if vers is None:
            return
        if ans_vc is not None and ans_vc[0] != vers[0]:
            _version_error(self, None, ans_vc[0], vers[0], saved[0])
        for i in range(1, len(vers)):
            v = vers[i]
            if v >= 0:
                t = saved[i]
                cur = t._vc[0] if t._vc is not None else 0
                if cur != v:
                    _version_error(self, t, cur, v, t._data)

    def apply(self, grads: list[Any], create_graph: bool) -> tuple[Any, ...]:
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MSG)
        meta = self._meta
        if meta is not None and meta[0] is not None:
            self._check_versions()
        g = grads[0]
        if create_graph:
            return self._apply_graph(g, saved)
        # Tensors give their arrays; a ShapeOnly passes as is (np.shape reads .shape,
        # zeros_like its __array__); ans (index 0) is already an array.  (TensorType is a
        # global: a local read inside the comprehension would become a slower cell variable.)
        args = [g, *[a._data if isinstance(a, TensorType) else a for a in saved]]
        fns = self._fns
        needs = self._needs
        out = [None] * len(fns)
        for i in range(len(fns)):
            if needs[i]:
                gi = fns[i](*args, xp=_npx) if self._uses_xp else fns[i](*args)
                if meta is not None:
                    shapes, dtypes = meta[2], meta[3]
                    if shapes is not None and shapes[i] is not None:
                        gi = unbroadcast(gi, shapes[i], _npx)
                    if dtypes is not None and dtypes[i] is not None:
                        gi = np.asarray(gi).astype(dtypes[i], copy=False)
                out[i] = gi
        return out

    def _apply_graph(self, g: Any, saved: list[Any]) -> list[Any]:
        from srcdiff.autograd import xp as xp_mod
        from srcdiff.tensor import _wrap

        meta = self._meta
        args = [g, None if saved[0] is None else _wrap(saved[0], True, self, self._ans_vc)]
        for a in saved[1:]:
            args.append(_wrap(a.array()) if type(a) is _ShapeOnly[0] else a)
        out = []
        shapes, dtypes = (None, None) if meta is None else (meta[2], meta[3])
        with grad_mode.enable_grad():
            for i, fn in enumerate(self._fns):
                if not self._needs[i]:
                    out.append(None)
                    continue
                gi = fn(*args, xp=xp_mod) if self._uses_xp else fn(*args)
                gi = xp_mod.asarray(gi)
                if shapes is not None and shapes[i] is not None:
                    gi = unbroadcast(gi, shapes[i], xp_mod)
                if dtypes is not None and dtypes[i] is not None:
                    gi = gi.to(dtypes[i])
                out.append(gi)
        return out


class ListRuleNode(Node):
    """A node for a rule whose one input is a sequence (``np.concatenate``, ``np.stack``):
    the rule returns a list of gradients, one per tensor of the sequence (one edge each)."""

    __slots__ = ("_args", "_dtypes")
    _fn: Any = None  # the rule's vjp: a _CompiledOnUse in each subclass

    def _release(self) -> None:
        """Only shapes are kept (concatenate/stack): nothing to free, as in PyTorch."""

    def apply(self, grads: list[Any], create_graph: bool) -> Any:
        args = self._args
        if args is None:
            raise RuntimeError(FREED_MSG)
        g = grads[0]
        if create_graph:
            from srcdiff.autograd import xp as xp_mod

            items = [_wrap[0](a.array()) for a in args[0]]
            with grad_mode.enable_grad():
                outs = self._fn(g, None, items, *args[1:], xp=xp_mod)
            return [o if d is None else o.to(d) for o, d in zip(outs, self._dtypes, strict=True)]
        outs = self._fn(g, None, args[0], *args[1:], xp=_npx)
        return [
            o if d is None else np.asarray(o).astype(d)
            for o, d in zip(outs, self._dtypes, strict=True)
        ]


class VariadicRuleNode(ListRuleNode):
    """A node for a rule with ``*operands`` (``np.einsum(subscripts, *operands)``): the rule
    returns a list with one gradient per operand.  ``_args`` is [leading args, Tensors,
    their versions at save time]."""

    __slots__ = ()

    def _release(self) -> None:
        self._args = None  # the operands are saved tensors

    def apply(self, grads: list[Any], create_graph: bool) -> Any:
        args = self._args
        if args is None:
            raise RuntimeError(FREED_MSG)
        lead, ops, versions = args
        for t, v in zip(ops, versions, strict=True):
            cur = t._vc[0] if t._vc is not None else 0
            if cur != v:
                _version_error(self, t, cur, v, t._data)
        g = grads[0]
        if create_graph:
            from srcdiff.autograd import xp as xp_mod

            with grad_mode.enable_grad():
                outs = self._fn(g, None, *lead, *ops, xp=xp_mod)
        else:
            outs = self._fn(g, None, *lead, *[t._data for t in ops], xp=_npx)
        return [
            None if o is None else o if d is None else np.asarray(o).astype(d)
            for o, d in zip(outs, self._dtypes, strict=True)
        ]


class _CompiledOnUse:
    """A node class's rule functions, compiled when a backward pass first needs
    them: compiling every rule's parts up front was a tenth of ``import srcdiff``.
    The result then replaces this descriptor on the class."""

    def __init__(self, rule: Any, pick: Any) -> None:
        self.rule, self.pick = rule, pick

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, node: Any, cls: type) -> Any:
        compiled = self.pick(self.rule.input_vjps())
        setattr(cls, self.name, staticmethod(compiled) if callable(compiled) else compiled)
        return compiled


def make_list_rule_node(name: str, rule: Any, variadic: bool = False) -> type:
    base = VariadicRuleNode if variadic else ListRuleNode
    pick = (lambda fns: fns[-1]) if variadic else (lambda fns: fns[0])
    cls = type(name, (base,), {"__slots__": (), "_fn": _CompiledOnUse(rule, pick)})
    cls.__module__ = "srcdiff.autograd.nodes"
    return cls


_Tensor: list[Any] = [None]  # filled by srcdiff.tensor (avoids an import cycle)
_ShapeOnly: list[Any] = [None]  # filled by srcdiff.ops.core
_wrap: list[Any] = [None]  # srcdiff.tensor._wrap, filled by srcdiff.tensor
TensorType: Any = None  # srcdiff.tensor.Tensor, set by srcdiff.tensor


def _version_error(node: Node, t: Any, cur: int, expected: int, data: Any) -> None:
    from srcdiff.dtypes import FROM_NP  # noqa: F401

    kind = FROM_NP[np.asarray(data).dtype]._legacy
    shape = list(np.shape(data))
    if t is None or t._grad_fn is not None:
        src = node if t is None else t._grad_fn
        nr = 0 if t is None else t._out_nr
        which = f", which is output {nr} of {_op_name(type(src).__name__)},"
    else:
        which = ""
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [srcdiff.{kind} {shape}]{which} is at version {cur}; expected version "
        f"{expected} instead. Hint: enable anomaly detection to find the operation that failed to "
        "compute its gradient, with srcdiff.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _op_name(node_name: str) -> str:
    """PyTorch names the forward op in this message: ``AddBackward0`` -> ``Add``."""
    import re

    return re.sub(r"Backward\d*$", "", node_name)


def make_rule_node(name: str, rule: Any) -> type:
    """A RuleNode subclass named like PyTorch's grad_fn (``MulBackward0``) for ``rule``."""
    fns = _CompiledOnUse(rule, lambda fns: fns)
    cls = type(name, (RuleNode,), {"__slots__": (), "_fns": fns})
    cls._uses_xp = rule.uses_xp
    cls._n = len(rule.inputs)
    cls._rule = rule
    cls.__module__ = "srcdiff.autograd.nodes"
    return cls


# ----------------------------------------------------------------------------- executor


def _collect(roots: list[Node]) -> tuple[dict[Node, int], list[Node]]:
    """Dependency counts of every node reachable from ``roots`` and a post-order."""
    deps: dict[Node, int] = {}
    post: list[Node] = []
    seen = set()
    stack: list[tuple[Node, int]] = []
    for r in roots:
        if r in seen:
            continue
        seen.add(r)
        deps.setdefault(r, 0)
        stack.append((r, 0))
        while stack:
            node, i = stack[-1]
            nexts = node.next_functions
            if i < len(nexts):
                stack[-1] = (node, i + 1)
                child = nexts[i][0]
                if child is None:
                    continue
                deps[child] = deps.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append((child, 0))
            else:
                stack.pop()
                post.append(node)
    return deps, post


def run_backward(
    roots: list[tuple[Node, int]],
    root_grads: list[Any],
    keep_graph: bool,
    create_graph: bool,
    capture: dict[tuple[Node, int], int] | None = None,
    accumulate: bool = True,
) -> list[Any] | None:
    """Propagate ``root_grads`` from the ``roots`` edges back through the graph.

    ``capture`` maps (node, output_nr) edges to result slots: their incoming
    gradients are returned (autograd.grad, backward(inputs=...)).  With
    ``accumulate=False`` no leaf ``.grad`` is touched and only the nodes that
    lead to a captured edge run.
    """
    if capture is None and not ANOMALY[0]:
        _run_plain(roots, root_grads, keep_graph, create_graph)
        return None
    root_nodes = [n for n, _ in roots]
    deps, post = _collect(root_nodes)
    needed: set[Node] | None = None
    if capture is not None:
        targets = {n for n, _ in capture}
        needed = set()
        for node in post:  # children come before parents in a post-order
            if node in targets or any(c in needed for c, _ in node.next_functions if c is not None):
                needed.add(node)
    buffers: dict[Node, list[Any]] = {}
    for (node, nr), g in zip(roots, root_grads, strict=False):
        _add_to_buffer(buffers, node, nr, g)
    results: list[Any] | None = None if capture is None else [None] * len(capture)
    ready = [n for n in dict.fromkeys(root_nodes) if deps[n] == 0]
    anomaly = ANOMALY[0]
    prev_mode = grad_mode.GRAD[0]
    grad_mode.GRAD[0] = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None]
            outs = _run_node(
                node, grads, create_graph, keep_graph, capture, results, needed, accumulate, anomaly
            )
            nexts = node.next_functions
            for j in range(len(nexts)):
                child, nr = nexts[j]
                if child is None:
                    continue
                if outs is not None and j < len(outs) and outs[j] is not None:
                    _add_to_buffer(buffers, child, nr, outs[j])
                d = deps[child] - 1
                deps[child] = d
                if d == 0:
                    ready.append(child)
    finally:
        grad_mode.GRAD[0] = prev_mode
    return results


def _count_deps(roots: list[Node]) -> dict[Node, int]:
    """Incoming-edge counts of every node reachable from ``roots`` (iterative DFS)."""
    deps: dict[Node, int] = {}
    stack = []
    for r in roots:
        if r not in deps:
            deps[r] = 0
            stack.append(r)
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is not None:
                c = deps.get(child)
                if c is None:
                    deps[child] = 1
                    stack.append(child)
                else:
                    deps[child] = c + 1
    return deps


def _count_deps1(root: Node) -> dict[Node, int]:
    """``_count_deps`` for one root (``loss.backward()``)."""
    deps = {root: 0}
    stack = [root]
    pop, push, get = stack.pop, stack.append, deps.get
    while stack:
        for child, _ in pop().next_functions:
            if child is not None:
                c = get(child)
                if c is None:
                    deps[child] = 1
                    push(child)
                else:
                    deps[child] = c + 1
    return deps


def _run_plain(
    roots: list[tuple[Node, int]], root_grads: list[Any], keep_graph: bool, create_graph: bool
) -> None:
    """The common case (``backward()`` without ``inputs``, no anomaly mode), kept lean."""
    buffers: dict[Node, list[Any]] = {}
    if len(roots) == 1:
        deps = _count_deps1(roots[0][0])
        _add_to_buffer(buffers, roots[0][0], roots[0][1], root_grads[0])
    else:
        deps = _count_deps([n for n, _ in roots])
        for (node, nr), g in zip(roots, root_grads, strict=True):
            _add_to_buffer(buffers, node, nr, g)
    del root_grads  # so leaves can take over a root gradient they alone hold
    ready = []
    for node, _ in roots:
        if deps[node] == 0 and node not in ready:
            ready.append(node)
    prev_mode = grad_mode.GRAD[0]
    grad_mode.GRAD[0] = create_graph
    gj = None
    pop_ready, push_ready, pop_buffer, get_buffer = (
        ready.pop,
        ready.append,
        buffers.pop,
        buffers.get,
    )
    try:
        while ready:
            node = pop_ready()
            grads = pop_buffer(node, None)
            outs = None
            if grads is not None:
                if node._hooks is not None:
                    outs = _run_node(
                        node, grads, create_graph, keep_graph, None, None, None, True, False
                    )
                elif grads[0] is not None or any(x is not None for x in grads):
                    outs = node.apply(grads, create_graph)
                    if not keep_graph:
                        node._release()
                grads = None
            nexts = node.next_functions
            for j in range(len(nexts)):
                child, nr = nexts[j]
                if child is None:
                    continue
                if outs is not None:
                    gj = outs[j]
                    if gj is not None:
                        buf = get_buffer(child)
                        if buf is None:
                            buffers[child] = [gj] if nr == 0 else [None] * nr + [gj]
                        else:
                            _add_to_buffer(buffers, child, nr, gj)
                d = deps[child] - 1
                deps[child] = d
                if d == 0:
                    push_ready(child)
            outs = gj = None  # drop our references: a leaf may then take the array over
    finally:
        grad_mode.GRAD[0] = prev_mode


def _add_to_buffer(buffers: dict[Node, list[Any]], node: Node, nr: int, g: Any) -> None:
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * (nr + 1)
    elif len(buf) <= nr:
        buf.extend([None] * (nr + 1 - len(buf)))
    prev = buf[nr]
    buf[nr] = g if prev is None else prev + g


def _run_node(
    node: Node,
    grads: list[Any],
    create_graph: bool,
    keep_graph: bool,
    capture: dict[tuple[Node, int], int] | None,
    results: list[Any] | None,
    needed: set[Node] | None,
    accumulate: bool,
    anomaly: bool,
) -> Any:
    hooks = node._hooks
    if hooks is not None:
        grads = _run_pre_hooks(node, hooks, grads, create_graph)
    if capture is not None:
        for nr in range(len(grads)):
            slot = capture.get((node, nr))
            if slot is not None and grads[nr] is not None:
                g = grads[nr]
                results[slot] = g if results[slot] is None else results[slot] + g  # type: ignore[index]
    if needed is not None and node not in needed:
        return None
    if type(node) is AccumulateGrad and not accumulate:
        return None
    if all(g is None for g in grads):
        return None
    try:
        outs = node.apply(grads, create_graph)
    except Exception:
        if anomaly:
            _warn_anomaly(node)
        raise
    if anomaly and ANOMALY[1]:
        _check_nan(node, outs)
    if hooks is not None and hooks.post:
        outs = _run_post_hooks(hooks, outs, grads, create_graph)
    if not keep_graph:
        node._release()
    return outs


def _as_tensor_grad(g: Any, create_graph: bool) -> Any:
    from srcdiff.tensor import Tensor, _wrap

    if g is None or type(g) is Tensor:
        return g
    return _wrap(np.asarray(g))


def _from_hook(g: Any, create_graph: bool) -> Any:
    if g is None or create_graph:
        return g
    return g._data


def _run_pre_hooks(node: Node, hooks: _Hooks, grads: list[Any], create_graph: bool) -> list[Any]:
    grads = list(grads)
    for nr, fn in hooks.tensor_pre:
        if nr < len(grads) and grads[nr] is not None:
            res = fn(_as_tensor_grad(grads[nr], create_graph))
            if res is not None:
                grads[nr] = _from_hook(res, create_graph)
    for fn in hooks.pre:
        res = fn(tuple(_as_tensor_grad(g, create_graph) for g in grads))
        if res is not None:
            grads = [_from_hook(r, create_graph) for r in res]
    for nr, ref in hooks.retain.items():
        t = ref()
        if t is not None and nr < len(grads) and grads[nr] is not None:
            g = grads[nr]
            accumulate_into(t, g if create_graph else np.asarray(g), create_graph)
    return grads


def _run_post_hooks(hooks: _Hooks, outs: Any, grads: list[Any], create_graph: bool) -> Any:
    for fn in hooks.post:
        res = fn(
            tuple(_as_tensor_grad(o, create_graph) for o in outs),
            tuple(_as_tensor_grad(g, create_graph) for g in grads),
        )
        if res is not None:
            outs = [_from_hook(r, create_graph) for r in res]
    return outs


def _warn_anomaly(node: Node) -> None:
    hooks = node._hooks
    trace = hooks.metadata.get("traceback_") if hooks is not None else None
    if trace:
        warnings.warn(
            f"Error detected in {type(node).__name__}. Traceback of forward call that caused the "
            f"error:\n{''.join(trace)}",
            stacklevel=3,
        )


def _check_nan(node: Node, outs: Any) -> None:
    for i, o in enumerate(outs or ()):
        if o is None:
            continue
        arr = o._data if hasattr(o, "_data") else np.asarray(o)
        if arr.dtype.kind in "fc" and np.isnan(arr).any():
            _warn_anomaly(node)
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output."
            )


def record_anomaly_trace(node: Node) -> None:
    """Under detect_anomaly, remember where the forward op was called."""
    node._get_hooks().metadata["traceback_"] = traceback.format_stack()[:-3]
