"""Pass 3: A-normal form for the active part of a function.

Every active assignment becomes a chain of assignments with one differentiable
operation each, on operands that are names or inactive expressions, so that the
reverse pass can give every operation its own adjoint. Each such assignment
carries an :class:`Op` describing the operation. Inactive code is left exactly
as the user wrote it. Augmented assignment, tuple unpacking, conditional
expressions and iteration over sequences are desugared here; early ``return``
statements are moved so the function has a single exit.
"""

from __future__ import annotations

import builtins
import copy
import inspect
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from srcdiff.codegen import templates as T
from srcdiff.codegen.activity import active_variables, expr_is_active, stored_names
from srcdiff.codegen.aliasing import (
    NO_REFERENCE_BUILTINS,
    bound_arguments,
    kept_parameters,
    returned_parameters,
)
from srcdiff.codegen.kinds import element_kind, is_structure, object_class
from srcdiff.codegen.names import Namer, op_word, temp_name
from srcdiff.codegen.objects import InlineTarget, inline_body, inline_target
from srcdiff.codegen.parse import ParsedFunction
from srcdiff.codegen.resolve import (
    CallTarget,
    classify_call,
    local_names,
    static_value,
)
from srcdiff.rules import RULES, Rule, rule_for

_BINOPS = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
    gast.Pow: operator.pow,
    gast.MatMult: operator.matmul,
}
_UNARY = {gast.USub: operator.neg}


@dataclass
class Op:
    """One differentiable operation, attached to the assignment that performs it.

    kind: "rule" (a table rule), "copy" (``y = x``), "pack" (tuple/list literal),
    "index" (``y = seq[i]`` on a tuple or list), "user" (a call to a user function).
    """

    kind: str
    inputs: list[gast.expr]
    rule: Rule | None = None
    xp: str = "np"
    params: dict[str, gast.expr] = field(default_factory=dict)
    callee: Any = None
    index: gast.expr | None = None
    target: str = ""  # the variable this operation defines or changes
    mutation: str | None = (
        None  # "setitem", "append", "extend", "insert", "pop": changes target in place
    )


class Normalizer:
    def __init__(self, parsed: ParsedFunction, wrt: set[str], kinds: dict[str, Any]) -> None:
        self.parsed = parsed
        self.locals = local_names(parsed.tree)
        self.namer = Namer(
            self.locals | set(parsed.globals) | set(parsed.closure) | set(dir(builtins))
        )
        self.kinds = dict(kinds)  # variable -> kind, where known (see kinds.py)
        self.nested_defs = {
            s.name
            for s in T.walk(parsed.tree)
            if isinstance(s, gast.FunctionDef) and s is not parsed.tree
        }
        self.active = active_variables(parsed.tree.body, wrt, self.classify)
        self.out: list[gast.stmt] = []

    def classify(self, call: gast.Call) -> CallTarget:
        return classify_call(call, self.parsed, self.locals)

    def is_active(self, expr: gast.AST | None) -> bool:
        return expr_is_active(expr, self.active, self.classify)

    # statements ---------------------------------------------------------------------

    def body(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        saved, self.out = self.out, []
        for stmt in single_exit(stmts):
            self.statement(stmt)
        result, self.out = self.out, saved
        return result

    def statement(self, stmt: gast.stmt) -> None:
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
            self.assign(stmt.targets[0], stmt.value, stmt)
        elif isinstance(stmt, gast.AugAssign):
            if isinstance(stmt.target, gast.Name) and self._maybe_array(stmt.target.id):
                # a += v on an array changes it in place, for every holder of it
                self._refuse_shared_write(stmt.target.id, stmt, holders_only=True)
            value = gast.BinOp(left=T.load_copy(stmt.target), op=stmt.op, right=stmt.value)
            self.assign(stmt.target, gast.copy_location(value, stmt), stmt)
        elif isinstance(stmt, gast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, stmt.value, stmt)
        elif isinstance(stmt, gast.If):
            stmt.body = self.body(stmt.body)
            stmt.orelse = self.body(stmt.orelse)
            self.out.append(stmt)
        elif isinstance(stmt, gast.While):
            stmt.body = self.body(stmt.body)
            self._normalize_loop_else(stmt)
            self.out.append(stmt)
        elif isinstance(stmt, gast.For):
            self.for_loop(stmt)
        elif isinstance(stmt, gast.Return):
            if stmt.value is not None and self.is_active(stmt.value):
                stmt.value = self.atom(stmt.value, "out")
            self.out.append(stmt)
        elif (
            isinstance(stmt, gast.Expr)
            and isinstance(stmt.value, gast.Call)
            and (inlined := self._object_call(stmt.value)) is not None
        ):
            self.inline(inlined, stmt.value, None)
        elif (
            isinstance(stmt, gast.Expr)
            and _is_list_method(stmt.value)
            and self._mutates_active_list(stmt.value)
        ):
            self.list_method(stmt.value, stmt)
        elif isinstance(stmt, gast.Expr) and self.is_active(stmt.value):
            raise self.parsed.error(
                stmt,
                f"cannot differentiate through the call '{_describe(stmt.value)}' "
                "used as a statement",
                "assign its result, or keep mutation out of the differentiated code",
            )
        elif isinstance(stmt, gast.With):
            self.out.extend(self.body(stmt.body))
        else:
            self.out.append(stmt)

    def assign(self, target: gast.expr, value: gast.expr, stmt: gast.stmt) -> None:
        if not self.is_active(value):
            if (
                isinstance(target, gast.Subscript)
                and isinstance(target.value, gast.Name)
                and self.is_active(target.value)
            ):
                self.setitem(target, value, stmt)  # x[mask] = 0 still cuts x's gradient there
                return
            if (
                isinstance(target, gast.Attribute)
                and isinstance(target.value, gast.Name)
                and self.is_active(target.value)
            ):
                self.set_attribute(target, value, stmt)
                return
            if isinstance(target, gast.Name):
                self._note_literal_kind(target.id, value)
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                target = self._held_index(target, stmt)  # the undo needs the same index
            self.out.append(gast.copy_location(gast.Assign(targets=[target], value=value), stmt))
            return
        if isinstance(target, gast.Name):
            self.compute(target.id, value, stmt)
        elif isinstance(target, (gast.Tuple, gast.List)) and _pairs_up(target, value):
            # a, b = u, v: evaluate every right-hand side first (a, b = b, a swaps)
            held = [self.atom(v, "item") for v in value.elts]
            overwritten = set(stored_names(target))
            for k, item in enumerate(held):
                if isinstance(item, gast.Name) and item.id in overwritten:
                    fresh = self.namer.fresh(f"{item.id}_old")
                    self.assign(_store(fresh), item, stmt)
                    held[k] = _name(fresh)
            for elt, item in zip(target.elts, held, strict=False):
                self.assign(elt, item, stmt)
        elif isinstance(target, (gast.Tuple, gast.List)):
            whole = self.atom(
                value, "_".join(n.id for n in target.elts if isinstance(n, gast.Name))
            )
            starred = [i for i, e in enumerate(target.elts) if isinstance(e, gast.Starred)]
            after = len(target.elts) - starred[0] - 1 if starred else 0
            for i, elt in enumerate(target.elts):
                if isinstance(elt, gast.Starred):
                    key: gast.expr = gast.Slice(
                        gast.Constant(i, None), gast.Constant(-after, None) if after else None, None
                    )
                    elt = elt.value
                elif starred and i > starred[0]:
                    key = gast.Constant(i - len(target.elts), None)
                else:
                    key = gast.Constant(i, None)
                item = gast.copy_location(
                    gast.Subscript(value=T.load_copy(whole), slice=key, ctx=gast.Load()), stmt
                )
                item.srcdiff_sequence = True
                self.assign(elt, item, stmt)
        elif isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
            self.setitem(target, value, stmt)
        elif isinstance(target, gast.Attribute) and isinstance(target.value, gast.Name):
            self.set_attribute(target, value, stmt)
        else:
            raise self._mutation_error(stmt)

    def set_attribute(self, target: gast.Attribute, value: gast.expr, stmt: gast.stmt) -> None:
        """``obj.h = v``: a slot write on the object, whose adjoint is a dict of attributes."""
        base = target.value
        item = self.atom(value, f"{base.id}_{target.attr}")
        store = gast.Attribute(value=_name(base.id), attr=target.attr, ctx=gast.Store())
        op = Op("slot", [base, item], index=gast.Constant(target.attr, None), mutation="setitem")
        if object_class(self.kinds.get(base.id)) is None:
            self.kinds[base.id] = ("object", object)
        self.emit(base.id, item, op, stmt, store=store)

    def _held_index(self, target: gast.Subscript, stmt: gast.stmt) -> gast.Subscript:
        """``z[z < 0] = 0``: an index that reads the array it writes into is computed
        once, before the write, into a name of its own, so that saving and undoing
        the write use the same elements."""
        base = target.value
        if base.id not in T.names_read(target.slice):
            return target
        held = self.namer.fresh(
            f"{base.id}_mask" if isinstance(target.slice, gast.Compare) else f"{base.id}_index"
        )
        self.out.append(
            gast.copy_location(gast.Assign(targets=[_store(held)], value=target.slice), stmt)
        )
        return gast.Subscript(value=target.value, slice=_name(held), ctx=gast.Store())

    def setitem(self, target: gast.Subscript, value: gast.expr, stmt: gast.stmt) -> None:
        """``x[i] = v``: for arrays the table's setitem rule, for lists and dicts a slot write."""
        base = target.value
        self._refuse_shared_write(base.id, stmt)
        if self.is_active(target.slice):
            raise self.parsed.error(
                stmt, "cannot differentiate an index computed from differentiated values"
            )
        item = self.atom(value, f"{base.id}_item")
        target = self._held_index(target, stmt)
        index = T.index_value(target.slice)
        store = gast.Subscript(value=_name(base.id), slice=target.slice, ctx=gast.Store())
        if is_structure(self.kinds.get(base.id)):
            op = Op("slot", [base, item], index=index, mutation="setitem")
        else:
            op = Op("rule", [base, index, item], RULES["setitem"], mutation="setitem")
        op.index = index
        self.emit(base.id, item, op, stmt, store=store)

    def _refuse_shared_write(self, name: str, stmt: gast.stmt, holders_only: bool = False) -> None:
        """A write into an array that something else also holds (``r = a``, an
        object given ``a``, a list or dict holding it) changes both; srcdiff
        follows values, not shared arrays, so it refuses rather than guess."""
        if is_structure(self.kinds.get(name)):
            return
        names, holders = self._shared_names()
        if holders.get(name):
            holder = sorted(holders[name])[0]
            raise self.parsed.error(
                stmt,
                f"cannot differentiate a write into '{name}' while {holder} holds the same array",
                f"pass or store a copy ({name}.copy()) so that each holder has its own array",
            )
        others = sorted(names.get(name, ()))
        if others and not holders_only:
            raise self.parsed.error(
                stmt,
                f"cannot differentiate a write into '{name}' while '{others[0]}' refers "
                "to the same array",
                f"make a copy first ({others[0]} = {name}.copy()) so that each name "
                "holds its own array",
            )

    def _shared_names(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """(name -> the names it was assigned from or to, ``r = a``; name -> what else
        was given it: an object's constructor or method, a stored list or dict,
        an attribute), over the function's own code."""
        if not hasattr(self, "_shared"):
            names: dict[str, set[str]] = {}
            holders: dict[str, set[str]] = {}
            for node in T.walk(self.parsed.tree):
                if isinstance(node, gast.Assign) and len(node.targets) == 1:
                    target, value = node.targets[0], node.value
                    if isinstance(target, gast.Name) and isinstance(value, gast.Name):
                        if target.id != value.id:
                            names.setdefault(target.id, set()).add(value.id)
                            names.setdefault(value.id, set()).add(target.id)
                    elif isinstance(target, gast.Attribute) and isinstance(value, gast.Name):
                        holders.setdefault(value.id, set()).add(f"'{_describe(target)}'")
                    if not isinstance(target, (gast.Tuple, gast.List)):  # not a, b = b, a
                        for held in _stored_in_literal(value):
                            holders.setdefault(held, set()).add("a list, tuple or dict")
                    if isinstance(target, gast.Name) and isinstance(value, gast.Call):
                        # r = g(b): g may return b itself (or a view of it)
                        for arg in self._arguments(value, returned_parameters):
                            if isinstance(arg, gast.Name):
                                names.setdefault(target.id, set()).add(arg.id)
                                names.setdefault(arg.id, set()).add(target.id)
                elif isinstance(node, gast.Call):
                    for arg in self._arguments(node, kept_parameters):
                        if isinstance(arg, gast.Name):
                            holders.setdefault(arg.id, set()).add(f"'{_describe(node)}'")
            self._shared = (names, holders)
        return self._shared

    def _arguments(self, call: gast.Call, which: Callable) -> list[gast.expr]:
        """The arguments of ``call`` that ``which`` (aliasing.kept_parameters or
        returned_parameters) says the callee may keep or return; all of them
        when srcdiff cannot read the callee."""
        if _keeps_no_reference(call):
            return []
        operands = [*call.args, *(k.value for k in call.keywords)]
        callee = self._callee(call)
        if callee is None:
            return operands
        function, constructs, method = callee
        if constructs and which is returned_parameters:
            return []  # a constructor returns its new object
        if function is None:
            return []  # a class without an __init__ of its own keeps nothing
        params = which(function)
        bound = bound_arguments(function, call, skip_self=constructs or method)
        if params is None or bound is None:
            return operands
        return [arg for name, arg in bound if name in params]

    def _callee(self, call: gast.Call) -> tuple[Any, bool, bool] | None:
        """(the Python function a call runs, whether it constructs an object,
        whether it is a method of the receiver), or None when srcdiff cannot tell."""
        found, value = self.static(call.func)
        if found and inspect.isclass(value):
            init = vars(value).get("__init__") if value.__module__ != "builtins" else None
            if init is None and any("__init__" in vars(base) for base in value.__mro__[1:-1]):
                return None  # an inherited __init__: read it another day
            return (init if inspect.isfunction(init) else None), True, False
        if found:
            return (value, False, False) if inspect.isfunction(value) else None
        target = inline_target(call, self)
        if target is not None and inspect.isfunction(target.function):
            return target.function, target.constructs is not None, target.constructs is None
        method = self._method_of_constructed(call)
        return (method, False, True) if method is not None else None

    def _method_of_constructed(self, call: gast.Call) -> Any:
        """``obj.m`` where every assignment of ``obj`` constructs the same user
        class: that class's method (before normalizing has reached ``obj``)."""
        func = call.func
        if not (isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name)):
            return None
        classes = set()
        for node in T.walk(self.parsed.tree):
            if isinstance(node, (gast.Assign, gast.AugAssign, gast.For)):
                targets = node.targets if isinstance(node, gast.Assign) else [node.target]
                if func.value.id in {n for t in targets for n in T.stored_names(t)}:
                    value = node.value if isinstance(node, gast.Assign) else None
                    found, cls = self.static(value.func) if isinstance(value, gast.Call) else (0, 0)
                    classes.add(cls if found and inspect.isclass(cls) else None)
        if len(classes) != 1 or None in classes:
            return None
        method = getattr(classes.pop(), func.attr, None)
        return method if inspect.isfunction(method) else None

    def _maybe_array(self, name: str) -> bool:
        """Whether ``name`` may hold an array (it is an array argument, or assigned
        from code that mentions numpy or an array argument)."""
        arrays = {p for p, k in self.kinds.items() if isinstance(k, tuple) and k[0] == "array"}
        if name in arrays:
            return True
        for node in T.walk(self.parsed.tree):
            if isinstance(node, (gast.Assign, gast.AugAssign)):
                targets = node.targets if isinstance(node, gast.Assign) else [node.target]
                if any(isinstance(t, gast.Name) and t.id == name for t in targets):
                    read = T.names_read(node.value)
                    if "np" in read or read & arrays:
                        return True
        return False

    def list_method(self, call: gast.Call, stmt: gast.stmt) -> None:
        """``lst.append(v)``, ``lst.extend(vs)``, ``lst.insert(i, v)`` on an active list."""
        method, base = call.func.attr, call.func.value
        if not isinstance(base, gast.Name) or method not in ("append", "extend", "insert"):
            raise self.parsed.error(
                stmt,
                f"cannot differentiate through the call '{_describe(call)}' used as a statement",
                "assign its result, or keep mutation out of the differentiated code",
            )
        args = list(call.args)
        position = args.pop(0) if method == "insert" else None
        items = [self.atom(a, "item") for a in args]
        new_call = gast.Call(
            func=call.func, args=([position] if position is not None else []) + items, keywords=[]
        )
        op = Op(method, [base, *items], index=position, mutation=method)
        op.target = base.id
        self.active.add(base.id)
        if not is_structure(self.kinds.get(base.id)):
            self.kinds[base.id] = ("seq", "list", ())
        node = gast.copy_location(gast.Expr(value=new_call), stmt)
        node.srcdiff_op = op
        self.out.append(node)

    def for_loop(self, stmt: gast.For) -> None:
        self._normalize_loop_else(stmt)
        if not self.is_active(stmt.iter):
            stmt.body = self.body(stmt.body)
            self.out.append(stmt)
            return
        # for v in seq  ->  for v_index in range(len(seq)): v = seq[v_index]
        # (and likewise for enumerate, zip and reversed over active sequences)
        index_name = self.namer.fresh(f"{_target_base(stmt.target)}_index")
        length, value = self._iteration(stmt.iter, _name(index_name))
        first = gast.copy_location(gast.Assign(targets=[stmt.target], value=value), stmt)
        stmt.body = self.body([first, *stmt.body])
        stmt.target = gast.Name(index_name, gast.Store(), None, None)
        stmt.iter = gast.Call(func=_name("range"), args=[length], keywords=[])
        self.out.append(stmt)

    def _iteration(self, iterable: gast.expr, position: gast.expr) -> tuple[gast.expr, gast.expr]:
        """(number of items, the item at ``position``) for iterating ``iterable``:
        a sequence, or enumerate/zip/reversed of iterables, nested as written."""
        wrapper = self._iteration_wrapper(iterable)
        if wrapper is None:
            seq = self.atom(iterable, "items")
            return gast.Call(
                func=_name("len"), args=[T.load_copy(seq)], keywords=[]
            ), self._element(seq, position)
        args = iterable.args
        if wrapper == "reversed":
            inner = args[0] if self._iteration_wrapper(args[0]) else self.atom(args[0], "items")
            args = [inner]
            length, _ = self._iteration(inner, position)
            flipped = T.expr("N - 1 - I", N=length, I=position)
            return length, self._iteration(args[0], flipped)[1]
        if wrapper == "enumerate":
            length, item = self._iteration(args[0], position)
            counter = position if len(args) < 2 else T.expr("I + S", I=position, S=args[1])
            return length, gast.Tuple(elts=[copy.deepcopy(counter), item], ctx=gast.Load())
        parts = [self._iteration(a, position) for a in args]
        length = gast.Call(func=_name("min"), args=[p[0] for p in parts], keywords=[])
        return length, gast.Tuple(elts=[p[1] for p in parts], ctx=gast.Load())

    def _iteration_wrapper(self, iterable: gast.expr) -> str | None:
        if isinstance(iterable, gast.Call) and isinstance(iterable.func, gast.Name):
            name = iterable.func.id
            if (
                name in ("enumerate", "zip", "reversed")
                and self._is_builtin(name)
                and not iterable.keywords
            ):
                return name
        return None

    def _element(self, seq: gast.expr, position: gast.expr) -> gast.expr:
        item = gast.Subscript(
            value=T.load_copy(seq), slice=copy.deepcopy(position), ctx=gast.Load()
        )
        item.srcdiff_sequence_unknown = True
        return item

    def _is_builtin(self, name: str) -> bool:
        return name not in self.locals and self.parsed.lookup(name)[1] is getattr(builtins, name)

    # expressions --------------------------------------------------------------------

    def atom(self, expr: gast.expr, hint: str) -> gast.expr:
        """``expr`` as an operand: a name, or an inactive expression left as written."""
        if isinstance(expr, gast.Call) and (target := self._object_call(expr)) is not None:
            name = self.namer.fresh(self._name_for(expr, hint))
            self.inline(target, expr, name)
            return _name(name)
        if isinstance(expr, gast.Name) or not self.is_active(expr):
            return expr
        if isinstance(expr, gast.IfExp):
            name = self.namer.fresh(hint)
            self.compute(name, expr, expr)
            return _name(name)
        if isinstance(expr, (gast.ListComp, gast.GeneratorExp)):
            return self.comprehension(expr)
        value, op = self.operation(expr)
        name = self.namer.fresh(self._name_for(value, hint))
        self.emit(name, value, op, expr)
        return _name(name)

    def compute(self, target: str, expr: gast.expr, where: gast.AST) -> None:
        """Emit ``target = expr`` as one operation on atoms, annotated with its Op."""
        if isinstance(expr, gast.Call) and (inlined := self._object_call(expr)) is not None:
            self.inline(inlined, expr, target)
            return
        self.active.add(target)
        if isinstance(expr, gast.IfExp):
            self.conditional(target, expr, where)
            return
        value, op = self.operation(expr)
        self.emit(target, value, op, where)

    def emit(
        self, target: str, value: gast.expr, op: Op, where: gast.AST, store: gast.expr | None = None
    ) -> None:
        self.active.add(target)
        op.target = target
        if op.mutation is None:
            self.kinds[target] = self._kind_of_result(op)
        store = store if store is not None else gast.Name(target, gast.Store(), None, None)
        assign = gast.copy_location(gast.Assign(targets=[store], value=value), where)
        assign.srcdiff_op = op
        self.out.append(assign)

    def comprehension(self, expr: gast.ListComp | gast.GeneratorExp) -> gast.expr:
        """``[f(v) for v in vs if c]`` becomes a list built by a loop (its
        variables renamed so they cannot clobber the function's own)."""
        result = self.namer.fresh("items")
        renames = {}
        for gen in expr.generators:
            for name in stored_names(gen.target):
                renames[name] = self.namer.fresh(name)
        expr = T.replace(copy.deepcopy(expr), renames)
        append = gast.Expr(
            value=gast.Call(
                func=gast.Attribute(value=_name(result), attr="append", ctx=gast.Load()),
                args=[expr.elt],
                keywords=[],
            )
        )
        body: list[gast.stmt] = [append]
        for gen in reversed(expr.generators):
            for cond in reversed(gen.ifs):
                body = [gast.If(test=cond, body=body, orelse=[])]
            body = [
                gast.For(target=gen.target, iter=gen.iter, body=body, orelse=[], type_comment=None)
            ]
        self.locals |= set(renames.values()) | {result}
        self.active.add(result)
        init = gast.Assign(targets=[_store(result)], value=gast.List(elts=[], ctx=gast.Load()))
        for stmt in [init, *body]:
            for node in T.walk(stmt):
                if isinstance(node, (gast.stmt, gast.expr)):
                    gast.copy_location(node, expr)
            self.statement(stmt)
        return _name(result)

    def conditional(self, target: str, expr: gast.IfExp, where: gast.AST) -> None:
        branches = []
        for branch in (expr.body, expr.orelse):
            saved, self.out = self.out, []
            if self.is_active(branch):
                self.compute(target, branch, where)
            else:
                assign = gast.Assign(
                    targets=[gast.Name(target, gast.Store(), None, None)], value=branch
                )
                self.out.append(gast.copy_location(assign, where))
            branches.append(self.out)
            self.out = saved
        self.out.append(
            gast.copy_location(gast.If(test=expr.test, body=branches[0], orelse=branches[1]), where)
        )

    def operation(self, expr: gast.expr) -> tuple[gast.expr, Op]:
        if isinstance(expr, gast.Name):
            return expr, Op("copy", [expr])
        if isinstance(expr, gast.BinOp) and type(expr.op) in _BINOPS:
            rule = rule_for(_BINOPS[type(expr.op)])
            left, right = self.atom(expr.left, "lhs"), self.atom(expr.right, "rhs")
            return gast.BinOp(left=left, op=expr.op, right=right), Op("rule", [left, right], rule)
        if isinstance(expr, gast.UnaryOp) and type(expr.op) in _UNARY:
            operand = self.atom(expr.operand, "operand")
            return gast.UnaryOp(op=expr.op, operand=operand), Op(
                "rule", [operand], rule_for(_UNARY[type(expr.op)])
            )
        if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.UAdd):
            operand = self.atom(expr.operand, "operand")
            return operand, Op("copy", [operand])
        if isinstance(expr, gast.Call):
            return self.call(expr)
        if isinstance(expr, gast.Subscript):
            base = self.atom(expr.value, "base")
            value = gast.Subscript(value=base, slice=expr.slice, ctx=gast.Load())
            if getattr(expr, "srcdiff_sequence", False) or is_structure(self._kind_of_atom(base)):
                return value, Op("index", [base], index=T.index_value(expr.slice))
            if getattr(expr, "srcdiff_sequence_unknown", False):
                return value, Op("index_any", [base], index=T.index_value(expr.slice))
            return value, Op("rule", [base, T.index_value(expr.slice)], rule_for(operator.getitem))
        if (
            isinstance(expr, gast.Attribute)
            and expr.attr != "T"
            and isinstance(expr.value, gast.Name)
        ):
            # obj.W: a slot of the object
            value = gast.Attribute(value=expr.value, attr=expr.attr, ctx=gast.Load())
            return value, Op("index", [expr.value], index=gast.Constant(expr.attr, None))
        if (
            isinstance(expr, gast.Attribute)
            and expr.attr != "T"
            and isinstance(expr.value, gast.Name)
        ):
            # obj.W: a slot of the object
            value = gast.Attribute(value=expr.value, attr=expr.attr, ctx=gast.Load())
            return value, Op("index", [expr.value], index=gast.Constant(expr.attr, None))
        if isinstance(expr, gast.Attribute) and expr.attr == "T":
            base = self.atom(expr.value, "base")
            return gast.Attribute(value=base, attr="T", ctx=gast.Load()), Op(
                "rule", [base], rule_for(np.transpose)
            )
        if isinstance(expr, gast.Dict) and None not in expr.keys:
            if any(self.is_active(k) for k in expr.keys):
                raise self.parsed.error(
                    expr, "cannot differentiate a dict whose keys depend on the inputs"
                )
            values = [self.atom(v, "item") for v in expr.values]
            op = Op("pack_dict", values, index=gast.Tuple(elts=list(expr.keys), ctx=gast.Load()))
            return gast.Dict(keys=expr.keys, values=values), op
        if isinstance(expr, (gast.Tuple, gast.List)):
            elts = [self.atom(e, "item") for e in expr.elts]
            return type(expr)(elts=elts, ctx=gast.Load()), Op("pack", elts)
        raise self.parsed.error(
            expr,
            f"cannot differentiate through '{_describe(expr)}'",
            "rewrite it with numpy operations",
        )

    def call(self, expr: gast.Call) -> tuple[gast.expr, Op]:
        if _is_list_method(expr) and expr.func.attr == "pop" and self._mutates_active_list(expr):
            base = expr.func.value
            position = expr.args[0] if expr.args else None
            call = gast.Call(func=expr.func, args=list(expr.args), keywords=[])
            if not is_structure(self.kinds.get(base.id)):
                self.kinds[base.id] = ("seq", "list", ())
            return call, Op("pop", [base], index=position)
        target = self.classify(expr)
        if target.kind == "identity":
            source = target.receiver if target.receiver is not None else expr.args[0]
            operand = self.atom(source, "value")
            call = gast.Call(
                func=expr.func,
                args=[operand] if target.receiver is None else [],
                keywords=expr.keywords,
            )
            if target.receiver is not None:
                call.func = gast.Attribute(value=operand, attr=expr.func.attr, ctx=gast.Load())
            return call, Op("copy", [operand])
        if target.kind == "rule":
            return self.rule_call(expr, target)
        if target.kind == "user" or self._is_user_callable(expr, target):
            return self.user_call(expr)
        name = _describe(expr.func)
        raise self.parsed.error(
            expr,
            f"cannot differentiate through the call to '{name}': it has no derivative rule",
            f"register one with @srcdiff.adjoint({name}), "
            "or compute it outside the differentiated function",
        )

    # objects ------------------------------------------------------------------------

    def static(self, expr: gast.expr) -> tuple[bool, Any]:
        return static_value(expr, self.parsed, self.locals)

    def _object_call(self, call: gast.Call) -> InlineTarget | None:
        if not any(self.is_active(a) for a in [*call.args, *(k.value for k in call.keywords)]):
            receiver = call.func.value if isinstance(call.func, gast.Attribute) else call.func
            if not (isinstance(receiver, gast.Name) and receiver.id in self.active):
                return None
        return inline_target(call, self)

    def inline(self, target: InlineTarget, call: gast.Call, result: str | None) -> None:
        """Splice a constructor, method or ``__call__`` body in place of the call."""
        receiver: str | None = None
        if target.constructs is not None:
            receiver = result or self.namer.fresh(target.constructs.__name__.lower())
            new = T.expr("CLS.__new__(CLS)", CLS=call.func)
            self.out.append(
                gast.copy_location(gast.Assign(targets=[_store(receiver)], value=new), call)
            )
            self.kinds[receiver] = ("object", target.constructs)
            self.locals.add(receiver)
            result = None
        elif target.receiver is not None:
            receiver = self.atom(target.receiver, "receiver").id
        if target.function is None:
            return
        statements = inline_body(target, call, receiver, result, self)
        self.locals |= set().union(*(T.stored_names(s) for s in statements))
        self.active |= active_variables(statements, self.active, self.classify)
        if receiver is not None and receiver in self.active:
            self.active.add(receiver)
        for stmt in statements:
            self.statement(stmt)

    def _is_user_callable(self, expr: gast.Call, target: CallTarget) -> bool:
        """A nested def, or a method of an argument that is a plain object."""
        if isinstance(expr.func, gast.Name) and expr.func.id in self.nested_defs:
            return True
        if target.kind == "method" and isinstance(target.receiver, gast.Name):
            cls = object_class(self.kinds.get(target.receiver.id))
            return cls is not None and inspect.isfunction(getattr(cls, target.value, None))
        return False

    def user_call(self, expr: gast.Call) -> tuple[gast.expr, Op]:
        """A call to a user function: differentiated through its own generated vjp."""
        expr = self._expand_starred(expr)
        if any(isinstance(a, gast.Starred) for a in expr.args) or any(
            k.arg is None for k in expr.keywords
        ):
            raise self.parsed.error(
                expr,
                "cannot differentiate a call with '*' or '**' arguments "
                f"to '{_describe(expr.func)}'",
                "pass the arguments one by one",
            )
        func = expr.func
        if isinstance(func, gast.Attribute) and not _is_module_path(func.value, self):
            func = gast.Attribute(
                value=self.atom(func.value, "receiver"), attr=func.attr, ctx=gast.Load()
            )
        args = [self.atom(a, "arg") for a in expr.args]
        keywords = [gast.keyword(arg=k.arg, value=self.atom(k.value, k.arg)) for k in expr.keywords]
        call = gast.Call(func=func, args=args, keywords=keywords)
        return call, Op(
            "user", args + [k.value for k in keywords], callee=func, params={"keywords": keywords}
        )

    def _expand_starred(self, call: gast.Call) -> gast.Call:
        """``g(*pair)`` with ``pair`` a tuple of known length: ``g(pair[0], pair[1])``."""
        args: list[gast.expr] = []
        for arg in call.args:
            kind = self._kind_of_atom(arg.value) if isinstance(arg, gast.Starred) else None
            if kind is not None and is_structure(kind) and kind[0] == "seq" and kind[2] != "each":
                for i in range(len(kind[2])):
                    item = gast.Subscript(
                        value=arg.value, slice=gast.Constant(i, None), ctx=gast.Load()
                    )
                    item.srcdiff_sequence = True
                    args.append(gast.copy_location(item, call))
            else:
                args.append(arg)
        return gast.Call(func=call.func, args=args, keywords=call.keywords)

    def rule_call(self, expr: gast.Call, target: CallTarget) -> tuple[gast.expr, Op]:
        rule = target.rule
        assert rule is not None
        positional = list(expr.args)
        if target.receiver is not None:
            positional.insert(0, target.receiver)
        if rule.variadic is not None:
            return self.variadic_call(expr, target)
        names = list(rule.inputs) + list(rule.params)
        if target.receiver is not None and len(positional) > len(names) and len(rule.params) >= 1:
            # x.reshape(2, 3) / x.transpose(1, 0): the trailing arguments form one tuple
            head = positional[: len(rule.inputs)]
            packed = gast.Tuple(elts=positional[len(rule.inputs) :], ctx=gast.Load())
            positional = head + [packed]
        if any(isinstance(a, gast.Starred) for a in positional) or len(positional) > len(names):
            raise self.parsed.error(
                expr,
                f"cannot bind the arguments of '{_describe(expr.func)}'",
                "pass arguments by keyword",
            )
        bound: dict[str, gast.expr] = dict(zip(names, positional, strict=False))
        for kw in expr.keywords:
            if kw.arg not in names:
                raise self.parsed.error(
                    expr,
                    f"cannot differentiate '{_describe(expr.func)}' called with '{kw.arg}='",
                    f"srcdiff's rule for it knows only {', '.join(names)}; compute this outside",
                )
            bound[kw.arg] = kw.value
        for name in rule.params:
            if name in bound and self.is_active(bound[name]):
                raise self.parsed.error(
                    expr,
                    f"cannot differentiate through the argument '{name}' "
                    f"of '{_describe(expr.func)}'",
                    "srcdiff treats it as a constant; "
                    "pass a value that does not depend on the inputs",
                )
        inputs = []
        for name in rule.inputs:
            if name not in bound:
                raise self.parsed.error(
                    expr, f"missing argument '{name}' to '{_describe(expr.func)}'"
                )
            inputs.append(
                self.atom(bound[name], name) if self.is_active(bound[name]) else bound[name]
            )
        params = {name: bound[name] for name in rule.params if name in bound}
        # Rebuild the call on atoms, in the user's own spelling.
        replaced = dict(zip([id(bound[n]) for n in rule.inputs], inputs, strict=False))
        args = [replaced.get(id(a), a) for a in expr.args]
        keywords = [
            gast.keyword(arg=k.arg, value=replaced.get(id(k.value), k.value)) for k in expr.keywords
        ]
        func = expr.func
        if target.receiver is not None:
            func = gast.Attribute(value=inputs[0], attr=expr.func.attr, ctx=gast.Load())
        call = gast.Call(func=func, args=args, keywords=keywords)
        return call, Op("rule", inputs, rule, target.xp, params)

    def variadic_call(self, expr: gast.Call, target: CallTarget) -> tuple[gast.expr, Op]:
        """``np.einsum('ij,j', A, x)``: the trailing positional arguments form the
        rule's ``*operands`` input, bound as one tuple of atoms."""
        rule = target.rule
        fixed = list(rule.inputs[: rule.inputs.index(rule.variadic)])
        if target.receiver is not None or any(isinstance(a, gast.Starred) for a in expr.args):
            raise self.parsed.error(expr, f"cannot bind the arguments of '{_describe(expr.func)}'")
        head = [self.atom(a, n) for a, n in zip(expr.args, fixed, strict=False)]
        rest = [self.atom(a, "operand") for a in expr.args[len(fixed) :]]
        params = {k.arg: k.value for k in expr.keywords if k.arg in rule.params}
        operands = gast.Tuple(elts=rest, ctx=gast.Load())
        call = gast.Call(func=expr.func, args=head + rest, keywords=expr.keywords)
        return call, Op("rule", head + [operands], rule, target.xp, params)

    def _note_literal_kind(self, name: str, value: gast.expr) -> None:
        """``d = {}`` and ``parts = []`` start containers that later writes fill."""
        if isinstance(value, gast.Call):
            found, cls = self.static(value.func)
            if found and inspect.isclass(cls) and getattr(cls, "__module__", "") != "builtins":
                self.kinds[name] = ("object", cls)  # acc = Accumulator(): its methods get inlined
        if isinstance(value, gast.Dict):
            self.kinds[name] = ("dict", ())
        elif isinstance(value, (gast.List, gast.Tuple)):
            self.kinds[name] = ("seq", "list", ())

    def _mutates_active_list(self, call: gast.Call) -> bool:
        base = call.func.value
        return isinstance(base, gast.Name) and base.id in self.active

    def _kind_of_result(self, op: Op) -> Any:
        if op.kind == "pack":
            return ("seq", "list", tuple(self._kind_of_atom(a) for a in op.inputs))
        if op.kind == "pack_dict":
            return ("dict", ())
        if op.kind == "copy":
            return self._kind_of_atom(op.inputs[0])
        if op.kind == "index":
            key = op.index.value if isinstance(op.index, gast.Constant) else None
            return element_kind(self._kind_of_atom(op.inputs[0]), key)
        return None

    def _kind_of_atom(self, atom: gast.expr) -> Any:
        return self.kinds.get(atom.id) if isinstance(atom, gast.Name) else None

    def _name_for(self, expr: gast.expr, hint: str) -> str:
        if isinstance(expr, gast.BinOp):
            return temp_name(
                op_word(type(expr.op).__name__), [_simple(expr.left), _simple(expr.right)]
            )
        if isinstance(expr, gast.Call):
            func = expr.func
            word = func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", hint)
            args = list(expr.args)
            if isinstance(func, gast.Attribute) and not _is_module_path(func.value, self):
                args.insert(0, func.value)
            return temp_name(word, [_simple(a) for a in args[:1]])
        if isinstance(expr, gast.Subscript):
            base = _simple(expr.value)
            return f"{base}_item" if base else "item"
        if isinstance(expr, gast.UnaryOp):
            return temp_name("neg", [_simple(expr.operand)])
        if isinstance(expr, gast.Attribute) and expr.attr == "T":
            base = _simple(expr.value)
            return f"{base}_T" if base else "transposed"
        if isinstance(expr, gast.Attribute):
            return _simple(expr) or expr.attr
        return hint

    def _normalize_loop_else(self, stmt: gast.For | gast.While) -> None:
        if stmt.orelse:
            stmt.orelse = self.body(stmt.orelse)

    def _mutation_error(self, stmt: gast.stmt) -> Exception:
        return self.parsed.error(
            stmt,
            "cannot differentiate through an assignment into an element or attribute",
            "build a new array (np.where, np.concatenate) instead of writing into one",
        )


def single_exit(stmts: list[gast.stmt]) -> list[gast.stmt]:
    """Move the statements after an ``if`` that may return into its branches that
    do not, so that a ``return`` always ends its path (loops' returns are gone by now)."""
    for i, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Return):
            return stmts[: i + 1]  # what follows a return never runs
        if isinstance(stmt, gast.If) and (
            _contains_return(stmt.body) or _contains_return(stmt.orelse)
        ):
            rest = stmts[i + 1 :]
            if rest and not _ends_in_return(stmt.body):
                stmt.body = stmt.body + copy.deepcopy(rest)
            if rest and not _ends_in_return(stmt.orelse):
                stmt.orelse = stmt.orelse + copy.deepcopy(rest)
            stmt.body = single_exit(stmt.body)
            stmt.orelse = single_exit(stmt.orelse)
            return stmts[: i + 1]
    return stmts


def _keeps_no_reference(call: gast.Call) -> bool:
    """numpy, math and builtins like len(): they do not keep their arguments."""
    func = call.func
    root = func
    while isinstance(root, gast.Attribute):
        root = root.value
    if isinstance(func, gast.Attribute) and isinstance(root, gast.Name):
        return root.id in ("np", "numpy", "math")
    return isinstance(func, gast.Name) and func.id in NO_REFERENCE_BUILTINS


def _stored_in_literal(value: gast.expr) -> list[str]:
    """Bare names a list, tuple or dict literal assigned somewhere holds."""
    if isinstance(value, (gast.List, gast.Tuple)):
        return [n for e in value.elts for n in _stored_in_literal(e) or _bare(e)]
    if isinstance(value, gast.Dict):
        return [n for e in value.values for n in _stored_in_literal(e) or _bare(e)]
    return []


def _bare(expr: gast.expr) -> list[str]:
    return [expr.id] if isinstance(expr, gast.Name) else []


def _is_list_method(expr: gast.expr) -> bool:
    return (
        isinstance(expr, gast.Call)
        and isinstance(expr.func, gast.Attribute)
        and expr.func.attr in ("append", "extend", "insert", "pop")
    )


def _pairs_up(target: gast.expr, value: gast.expr) -> bool:
    return (
        isinstance(value, (gast.Tuple, gast.List))
        and len(value.elts) == len(target.elts)
        and not any(isinstance(e, gast.Starred) for e in target.elts + value.elts)
    )


def _contains_return(stmts: list[gast.stmt]) -> bool:
    for stmt in stmts:
        if isinstance(stmt, gast.Return):
            return True
        if isinstance(stmt, gast.If) and (
            _contains_return(stmt.body) or _contains_return(stmt.orelse)
        ):
            return True
    return False


def _ends_in_return(stmts: list[gast.stmt]) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, gast.Return):
        return True
    if isinstance(last, gast.If):
        return _ends_in_return(last.body) and _ends_in_return(last.orelse)
    return False


def _name(name: str) -> gast.Name:
    return gast.Name(name, gast.Load(), None, None)


def _store(name: str) -> gast.Name:
    return gast.Name(name, gast.Store(), None, None)


def _simple(expr: gast.expr) -> str | None:
    if isinstance(expr, gast.Name):
        return expr.id
    if isinstance(expr, gast.Attribute) and isinstance(expr.value, gast.Name):
        return f"{expr.value.id}_{expr.attr}"
    return None


def _target_base(target: gast.expr) -> str:
    return target.id if isinstance(target, gast.Name) else "item"


def _is_module_path(expr: gast.expr, normalizer: Normalizer) -> bool:
    from srcdiff.codegen.resolve import static_value

    return static_value(expr, normalizer.parsed, normalizer.locals)[0]


def _describe(expr: gast.AST) -> str:
    try:
        return T.to_source(expr).strip()
    except Exception:  # noqa: BLE001 - a description must never fail
        return type(expr).__name__


__all__ = ["Normalizer", "Op", "single_exit"]
