"""Pass 5: the reverse sweep.

Given a function in A-normal form, build the primal sweep (the user's code plus
only the recording the adjoint needs) and the adjoint sweep (each operation's
rule inlined, in reverse, with control flow replayed from what was recorded).

Recording follows one invariant: when the adjoint of a statement runs, every
variable holds the value it had just after that statement ran forward. A
statement that overwrites a value some adjoint still needs saves the old value
first (in a variable, or on a per-variable stack inside loops) and the adjoint
restores it right after that statement's own adjoint. Branch decisions, trip
counts and iteration ranges are recorded the same way, once per execution.

Adjoints accumulate without zeros: the first contribution to ``d_x`` assigns,
later ones add. Where control flow joins an initialised and an uninitialised
adjoint, the uninitialised side gets an explicit zero.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import gast

from srcdiff.codegen import templates as T
from srcdiff.codegen.activity import stored_names
from srcdiff.codegen.inline import (
    constant_node,
    inline_helper_calls,
    inline_part,
    part_is_plain,
)
from srcdiff.codegen.kinds import INT, dims_of, is_structure
from srcdiff.codegen.names import Namer
from srcdiff.codegen.normalize import Op
from srcdiff.codegen.parse import ParsedFunction
from srcdiff.codegen.shapes import (
    SCALAR,
    Opaque,
    ShapeAnalysis,
    is_known,
    reduction_axes,
    same,
)
from srcdiff.codegen.shapes import rank as shape_rank


@dataclass
class Sweeps:
    primal: list[gast.stmt]
    adjoint: list[gast.stmt]
    output: gast.expr | None  # the returned expression (primal value)
    output_adjoint: str  # name the adjoint sweep expects the output's adjoint in
    grads: dict[str, str]  # wrt parameter -> adjoint name (absent when no gradient flows)
    stacks: list[str] = field(default_factory=list)


@dataclass
class _Info:
    """What the analysis learned about one statement."""

    position: int
    loops: tuple[int, ...]  # ids of enclosing loops, outermost first
    reads: set[str] = field(default_factory=set)  # primal names its adjoint reads
    # primal names read by temporaries recomputed just before its adjoint
    recompute_reads: set[str] = field(default_factory=set)
    branches: tuple[tuple[int, bool], ...] = ()  # (if id, in its body?) for enclosing ifs

    def exclusive_with(self, other: _Info) -> bool:
        """Whether the two sit on different sides of one ``if``: never both run."""
        sides = dict(self.branches)
        return any(sides.get(branch, side) != side for branch, side in other.branches)


class ReverseBuilder:
    def __init__(
        self,
        parsed: ParsedFunction,
        body: list[gast.stmt],
        active: set[str],
        namer: Namer,
        wrt: list[str],
        structured: set[str] = frozenset(),
        kinds: dict[str, object] | None = None,
    ) -> None:
        self.kinds = kinds or {}  # the arguments' kinds (see kinds.py)
        self.structured = set(structured)  # names whose values are tuples/lists/dicts
        self.parsed = parsed
        self.body = body
        self.active = active
        self.namer = namer
        self.wrt = wrt
        self.params = set(parsed.param_names)
        self.info: dict[int, _Info] = {}
        self.loop_bodies: dict[int, list[gast.stmt]] = {}
        self.stacks: dict[str, str] = {}  # variable -> its stack's name
        self.saved: dict[int, str] = {}  # statement id -> name holding the value it overwrote
        self.control: dict[
            int, str
        ] = {}  # compound statement id -> its record (flag, counter, range)
        self.none_init: dict[int, set[str]] = {}  # outermost loop id -> names to pre-set to None
        self.int_names: set[str] = set()
        self._trials: dict[tuple[int, int], _Trial] = {}  # (statement id, input) -> inlining
        self.pullbacks: dict[int, str] = {}  # user-call statement id -> its pullback's name
        self.counters: dict[
            int, str
        ] = {}  # for-loop id -> its iteration counter, when it may break

    # ---------------------------------------------------------------- analysis

    def analyse(self) -> None:
        for stmt in self._by_id.values():
            op = getattr(stmt, "srcdiff_op", None)
            if (
                op is not None
                and op.kind in ("index", "index_any")
                and isinstance(op.inputs[0], gast.Name)
                and dims_of(self.kinds.get(op.inputs[0].id)) is None  # not an array argument
            ):
                self.structured.add(op.inputs[0].id)
        self._analyse_shapes()
        counter = [0]
        self._number(self.body, (), counter)
        self._plan_recompute()
        self.record = self._decide_records()
        while self._drop_unsound_recomputes():
            self.record = self._decide_records()

    def _number(
        self,
        stmts: list[gast.stmt],
        loops: tuple[int, ...],
        counter: list[int],
        branches: tuple[tuple[int, bool], ...] = (),
    ) -> None:
        for stmt in stmts:
            info = _Info(counter[0], loops, branches=branches)
            counter[0] += 1
            self.info[id(stmt)] = info
            op: Op | None = getattr(stmt, "srcdiff_op", None)
            if op is not None and op.kind == "user" and self._carries_any(op):
                self.pullbacks[id(stmt)] = self.namer.fresh(f"{op.target}_pullback")
            if op is not None:
                info.reads = self._with_view_bases(self._adjoint_reads(stmt, op))
            if isinstance(stmt, (gast.For, gast.While)):
                self.loop_bodies[id(stmt)] = stmt.body
                self._number(stmt.body, loops + (id(stmt),), counter, branches)
            elif isinstance(stmt, gast.If):
                self._number(stmt.body, loops, counter, branches + ((id(stmt), True),))
                self._number(stmt.orelse, loops, counter, branches + ((id(stmt), False),))

    def _adjoint_reads(self, stmt: gast.Assign, op: Op) -> set[str]:
        target = op.target
        reads: set[str] = set()
        if op.kind == "rule":
            for i, atom in enumerate(op.inputs):
                if self._carries_gradient(atom):
                    reads |= self._part_reads(stmt, op, i)
            for atom in op.inputs:
                if self._reduction(op, atom, target) == "at run time":
                    reads.add(atom.id)  # unbroadcast_as reads the operand's shape
        elif op.kind in ("index", "index_any"):
            reads |= T.names_read(op.index) | {a.id for a in op.inputs if isinstance(a, gast.Name)}
        elif op.kind == "user" and id(stmt) in self.pullbacks:
            reads.add(self.pullbacks[id(stmt)])
        elif op.kind in ("slot", "pack_dict"):
            # a missing entry of the adjoint is zeros shaped like the value written
            items = op.inputs[1:] if op.kind == "slot" else op.inputs
            reads |= set().union(*(T.names_read(a) for a in items if self._carries_gradient(a)))
        elif op.kind in _LIST_MUTATIONS:
            # the undo in place reads the list, the index, and a popped value
            reads |= set().union(*(T.names_read(s) for s in self._undo_list_change(stmt, op)))
        return reads

    def _with_view_bases(self, reads: set[str]) -> set[str]:
        """Reading a view (``a_T = a.T``, ``r = a``) reads the array it shows: a
        write into ``a`` must be undone before the view's reader runs."""
        out = set(reads)
        for name in reads:
            seen = set()
            while name in self._view_bases and name not in seen:
                seen.add(name)
                name = self._view_bases[name]
                out.add(name)
        return out

    @property
    def _view_bases(self) -> dict[str, str]:
        if not hasattr(self, "_view_bases_cache"):
            table = {}
            for stmt in self._by_id.values():
                op = getattr(stmt, "srcdiff_op", None)
                if op is None or op.mutation is not None or not op.inputs:
                    continue
                base = op.inputs[0]
                view = op.kind == "copy" or (op.kind == "rule" and op.rule.name in _VIEWS)
                if view and isinstance(base, gast.Name):
                    table[op.target] = base.id
            self._view_bases_cache = table
        return self._view_bases_cache

    def _carries_any(self, op: Op) -> bool:
        return any(self._is_active_atom(a) for a in op.inputs)

    def _part_reads(self, stmt: gast.Assign, op: Op, i: int) -> set[str]:
        """The primal names input ``i``'s gradient reads, as it will be emitted
        (shapes known statically are not read)."""
        scratch = _ScratchNamer()  # the real names are handed out when emitting
        g = T.name(scratch.fresh("g"))
        bindings = self._rule_bindings(stmt, op, g, T.name(op.target))
        preamble_names: dict[str, str] = {}
        statements, expr = self._inline_part(op.rule, i, bindings, scratch, preamble_names)
        self._trials[id(stmt), i] = _Trial(g.id, statements, expr, scratch.made, preamble_names)
        local = {n for s in statements for n in T.stored_names(s)}
        return set().union(*(T.names_read(n) for n in [*statements, expr])) - local - {g.id}

    def _inlined_part(self, stmt, op: Op, i: int, g: gast.Name, ans: gast.Name, preamble_names):
        """Input ``i``'s gradient for emission: the trial inlining that decided
        its reads, renamed to real names in the order inlining would hand them
        out (so the code is the same as inlining again, at a fraction of the cost)."""
        trial = self._trials.get((id(stmt), i))
        if trial is None or ans.id != op.target:
            bindings = self._rule_bindings(stmt, op, g, ans)
            return self._inline_part(op.rule, i, bindings, self.namer, preamble_names)
        preamble_of = {scratch: local for local, scratch in trial.preamble_names.items()}
        subs = {trial.g: g.id}
        for scratch, base in trial.made:
            if scratch in preamble_of:
                local = preamble_of[scratch]
                if local not in preamble_names:
                    preamble_names[local] = self.namer.fresh(local)
                subs[scratch] = preamble_names[local]
            elif scratch != trial.g:
                subs[scratch] = self.namer.fresh(base)
        return [T.copy_tree(s, subs) for s in trial.statements], T.copy_tree(trial.expr, subs)

    def _rule_bindings(self, stmt, op: Op, g: gast.expr, ans: gast.expr) -> dict[str, gast.expr]:
        rule = op.rule
        bindings: dict[str, gast.expr] = {"g": g, "ans": ans, "xp": T.name(op.xp)}
        for pname, atom in zip(rule.inputs, op.inputs, strict=False):
            bindings[pname] = atom
        for pname in rule.params:
            if pname in op.params:
                bindings[pname] = op.params[pname]
            else:
                literal = constant_node(rule.defaults[pname])
                if literal is None:
                    raise self.parsed.error(
                        stmt, f"internal: rule {rule.name} default {pname} has no literal"
                    )
                bindings[pname] = literal
        return bindings

    def _inline_part(self, rule, i: int, bindings, namer: Namer, preamble_names: dict):
        """Input ``i``'s gradient as statements and an expression: the rule's
        part with its helpers expanded and shapes known statically filled in."""
        statements, expr = inline_part(rule, i, bindings, namer, preamble_names)
        if part_is_plain(rule, i, _RULE_HELPERS) and all(
            isinstance(b, (gast.Name, gast.Constant)) for b in bindings.values()
        ):
            return statements, expr  # the common case: nothing to expand or fill in
        expr = self._known_shapes(expr)
        expanded, expr = inline_helper_calls(expr, _RULE_HELPERS, namer)
        return [self._known_shapes(s) for s in statements + expanded], self._known_shapes(expr)

    def _known_shapes(self, node: gast.AST) -> gast.AST:
        """``np.shape(t)`` becomes ``()`` for a number, or the shape of an argument
        of the same shape: ``t`` need not be kept for the adjoint."""
        if not any(isinstance(n, gast.Call) and _is_shape_call(n) for n in T.walk(node)):
            return node
        local = T.stored_names(node)  # the rule's own names (comprehension variables)
        filler = _ShapeFiller(self.shapes, self.parsed.param_names, self._defining_inputs, local)
        return T.rewrite(node, {gast.Call: filler.call})

    @property
    def _defining_inputs(self) -> dict[str, list[str]]:
        """For a name assigned once by an operation, the names it reads: ``np.shape``
        of ``out ** 2`` may read ``out`` instead (the adjoint keeps ``out`` anyway)."""
        if not hasattr(self, "_defining_inputs_cache"):
            counts = self._assignment_counts
            table = {}
            for stmt in self._by_id.values():
                op = getattr(stmt, "srcdiff_op", None)
                if op is not None and op.mutation is None and counts[op.target] == 1:
                    table[op.target] = [a.id for a in op.inputs if isinstance(a, gast.Name)]
            self._defining_inputs_cache = table
        return self._defining_inputs_cache

    @property
    def _assignment_counts(self) -> Counter:
        """How many statements of the normalized body assign each name."""
        if not hasattr(self, "_assignment_counts_cache"):
            self._assignment_counts_cache = Counter(
                n for s in self._by_id.values() for n in self._assigned_names(s)
            )
        return self._assignment_counts_cache

    def _is_active_atom(self, atom: gast.expr) -> bool:
        return isinstance(atom, gast.Name) and atom.id in self.active

    def _plan_recompute(self) -> None:
        """Scalar temporaries of a loop body are recomputed in the reverse sweep rather
        than recorded: ``math.sin(x)`` costs less than a push and a pop. Only when the
        body's last reader comes before anything overwrites their inputs."""
        self.recomputed: set[int] = set()
        self.recompute_before: dict[int, list[gast.stmt]] = {}
        self.recompute_window: dict[int, tuple[list[gast.stmt], int, int]] = {}
        assignments = self._assignment_counts
        for body in self.loop_bodies.values():
            for k, stmt in enumerate(body):
                op = getattr(stmt, "srcdiff_op", None)
                if op is None or op.kind != "rule" or op.mutation is not None:
                    continue
                target = op.target
                if assignments[target] != 1 or not self._cheap(op):
                    continue
                readers = [s for s in body[k + 1 :] if target in self._reads_deep(s)]
                if not readers or any(
                    isinstance(s, (gast.If, gast.For, gast.While)) for s in readers
                ):
                    continue
                last = body.index(readers[-1])
                between = body[k + 1 : last]
                inputs = T.names_read(stmt.value)
                if any(isinstance(s, (gast.If, gast.For, gast.While)) for s in between) or any(
                    set(self._assigned_names(s)) & inputs for s in between
                ):
                    continue
                self.recomputed.add(id(stmt))
                self.recompute_before.setdefault(id(body[last]), []).append(stmt)
                self.recompute_window[id(stmt)] = (body, k, last)

    def _note_recompute_reads(self) -> None:
        """A recomputed temporary reads its inputs where it is recomputed: values a
        loop around it changes must be restored by then, like any other read."""
        for info in self.info.values():
            info.recompute_reads = set()
        for reader_id, stmts in self.recompute_before.items():
            for stmt in stmts:
                self.info[reader_id].recompute_reads |= T.names_read(stmt.value)

    def _drop_unsound_recomputes(self) -> bool:
        """A recomputation is only right if every input the loop changes is back to
        its value at the temporary's definition by the time it runs: changed only
        after the last reader, by statements whose old values are restored."""
        dropped = False
        for stmt_id, (body, k, last) in list(self.recompute_window.items()):
            stmt = body[k]
            inputs = T.names_read(stmt.value)
            changers = [s for s in _statements(body) if set(self._assigned_names(s)) & inputs]
            later = {id(s) for s in body[last + 1 :]}
            if all(id(s) in later and id(s) in self.record for s in changers):
                continue
            self.recomputed.discard(stmt_id)
            readers = self.recompute_before[id(body[last])]
            readers.remove(stmt)
            del self.recompute_window[stmt_id]
            dropped = True
        return dropped

    def _cheap(self, op: Op) -> bool:
        scalars = all(self._is_scalar(a) for a in op.inputs)
        return scalars and op.rule.name not in ("getitem", "setitem")

    def _reads_deep(self, stmt: gast.stmt) -> set[str]:
        return set().union(
            *(self.info[id(s)].reads for s in _statements([stmt]) if id(s) in self.info)
        )

    def _decide_records(self) -> set[int]:
        """Statements that must save the value they overwrite (ids)."""
        self._note_recompute_reads()
        reads_before = [i for i in self.info.values() if i.reads or i.recompute_reads]
        record: set[int] = set()
        self.recorded_names: dict[int, set[str]] = {}  # statement id -> names it must save
        for stmt, info in self._assignments():
            op = getattr(stmt, "srcdiff_op", None)
            if id(stmt) in self.recomputed:
                continue
            names = self._assigned_names(stmt)
            if op is not None and op.kind in _LIST_MUTATIONS:
                record.add(id(stmt))  # list changes are undone in place: lengths must match
                names = [n for n in names if n != op.inputs[0].id]  # a popped value
            for name in names:
                if self._old_value_needed(stmt, info, name, reads_before):
                    record.add(id(stmt))
                    self.recorded_names.setdefault(id(stmt), set()).add(name)
        return record

    def _old_value_needed(self, stmt, info: _Info, name: str, reads) -> bool:
        op: Op | None = getattr(stmt, "srcdiff_op", None)
        if op is not None and name in info.reads and name in _operand_names(op):
            # its own adjoint reads the value it overwrites: x = sin(x), or an
            # operand left inline, z = np.where(z > 0.5, 1.0, x)
            return True
        for reader in reads:
            if name not in reader.reads and name not in reader.recompute_reads:
                continue
            if set(reader.loops) & set(info.loops):
                return True
            if reader.position < info.position and not reader.exclusive_with(info):
                return True
        return False

    def _assignments(self):
        for stmt_id, info in self.info.items():
            stmt = self._by_id[stmt_id]
            if isinstance(stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)) or getattr(
                stmt, "srcdiff_op", None
            ):
                yield stmt, info

    @property
    def _by_id(self) -> dict[int, gast.stmt]:
        if not hasattr(self, "_by_id_cache"):
            table = {}

            def walk(stmts):
                for s in stmts:
                    table[id(s)] = s
                    if not isinstance(s, gast.FunctionDef):
                        for f in ("body", "orelse"):
                            walk(getattr(s, f, []) or [])

            walk(self.body)
            self._by_id_cache = table
        return self._by_id_cache

    def _assigned_names(self, stmt: gast.stmt) -> list[str]:
        op = getattr(stmt, "srcdiff_op", None)
        if op is not None and op.kind == "pop":
            return [op.target, op.inputs[0].id]
        if isinstance(stmt, gast.Expr) and op is not None:
            return [op.target]
        if isinstance(stmt, gast.Assign):
            kinds = (gast.Name, gast.Tuple, gast.List, gast.Subscript, gast.Attribute)
            names = [n for t in stmt.targets if isinstance(t, kinds) for n in stored_names(t)]
            return names + ([self.pullbacks[id(stmt)]] if id(stmt) in self.pullbacks else [])
        if isinstance(stmt, (gast.AugAssign, gast.AnnAssign)):
            target = stmt.target
            if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                return [target.value.id]
            if isinstance(target, gast.Name):
                return [target.id]
        return []

    def _analyse_shapes(self) -> None:
        """Shapes of every variable (shapes.py); rank-specialised rules follow from them."""
        ranges = {
            s.targets[0].id
            for s in self._by_id.values()
            if isinstance(s, gast.Assign)
            and len(s.targets) == 1
            and isinstance(s.targets[0], gast.Name)
            and _is_range(s.value)
        }
        for stmt in self._by_id.values():
            if isinstance(stmt, gast.For) and isinstance(stmt.target, gast.Name):
                over = stmt.iter
                if isinstance(over, gast.Subscript):  # a range's slice: range(n)[:k]
                    over = over.value
                if _is_range(over) or (isinstance(over, gast.Name) and over.id in ranges):
                    self.int_names.add(stmt.target.id)  # x[i] drops a dimension
        self.int_names |= {p for p in self.params if self.kinds.get(p) == INT}
        params = {}
        for p in self.parsed.param_names:
            dims = dims_of(self.kinds.get(p))
            params[p] = dims if dims is not None else Opaque(stable=True)
        statements = list(self._by_id.values())
        looped = _in_loops(self.body)
        self.shapes = ShapeAnalysis(
            params,
            statements,
            looped,
            self.int_names,
            self.structured,
            self._read_only_structures(),
        )
        for stmt in self._by_id.values():
            op: Op | None = getattr(stmt, "srcdiff_op", None)
            if op is not None and op.kind == "rule":
                op.rule = op.rule.for_ranks(tuple(self._rank_of(a) for a in op.inputs))

    def _read_only_structures(self) -> dict[str, Any]:
        """Tuple, list and dict arguments the function only reads items of with
        literal keys (``params["w"]``, ``xs[0]``), with their kinds: their items
        keep the shapes of the call's. Any other use (a loop over it, a call, an
        alias, a write) may change what it holds, and leaves it out."""
        structures = {p: k for p, k in self.kinds.items() if is_structure(k)}
        if not structures:
            return structures  # most functions: no statement need be looked at
        for stmt in self._by_id.values():
            # a loop's or branch's own part is its header: its body's statements come too
            if isinstance(stmt, gast.For):
                own = [stmt.iter, stmt.target]
            elif isinstance(stmt, (gast.If, gast.While)):
                own = [stmt.test]
            else:
                own = [stmt]
            mentioned = structures.keys() & {n for part in own for n in T.name_uses(part).mentioned}
            if not mentioned:
                continue
            op = getattr(stmt, "srcdiff_op", None)
            reads_an_item = (
                op is not None
                and op.kind == "index"
                and op.target not in structures
                and isinstance(op.inputs[0], gast.Name)
                and isinstance(op.index, gast.Constant)
                and T.names_read(stmt) == {op.inputs[0].id}
            )
            for name in mentioned:
                if not (reads_an_item and name == op.inputs[0].id):
                    structures.pop(name)
        return structures

    def _rank_of(self, atom: gast.expr) -> int | None:
        return shape_rank(self.shapes.of(atom))

    def _is_scalar(self, atom: gast.expr) -> bool:
        return isinstance(atom, gast.Constant) or self.shapes.of(atom) == SCALAR

    # ---------------------------------------------------------------- generation

    def build(self) -> Sweeps:
        self.analyse()
        body, output = self._single_return(self.body)
        primal = self.primal_block(body)
        for name in sorted(self.active):
            self.namer.adjoint(name)
        d_output = self.namer.fresh("d_out")
        inited: set[str] = set()
        adjoint: list[gast.stmt] = []
        if output is not None and self._is_active_atom(output):
            seed = self.namer.adjoint(output.id)
            adjoint.append(T.assign(seed, T.name(d_output)))
            inited.add(output.id)
        if output is not None and self._restored_anywhere(output):
            value = self.namer.fresh("value")
            primal.append(T.assign(value, output))
            output = T.name(value)
        adjoint += self.adjoint_block(body, inited)
        grads = {w: self.namer.adjoint(w) for w in self.wrt if w in inited}
        for name in sorted(self.none_init.get(0, set()), reverse=True):
            primal.insert(0, T.assign(name, gast.Constant(None, None)))
        stack_inits = [
            T.assign(s, gast.List(elts=[], ctx=gast.Load())) for s in self.stacks.values()
        ]
        # the caller's arrays and lists are never changed: written arguments are copied first
        written = sorted({op.target for op in self._ops() if op.mutation is not None} & self.params)
        stack_inits = [T.assign(p, T.expr(f"{p}.copy()")) for p in written] + stack_inits
        return Sweeps(
            stack_inits + primal, adjoint, output, d_output, grads, list(self.stacks.values())
        )

    def _ops(self):
        for stmt in self._by_id.values():
            op = getattr(stmt, "srcdiff_op", None)
            if op is not None:
                yield op

    def _restored_anywhere(self, output: gast.expr) -> bool:
        names = T.names_read(output)
        return any(
            set(self._assigned_names(self._by_id[i])) & names
            for i in self.record
            if i in self._by_id
        )

    def _single_return(self, body: list[gast.stmt]) -> tuple[list[gast.stmt], gast.expr | None]:
        returns = [s for s in self._by_id.values() if isinstance(s, gast.Return)]
        if not returns:
            return body, None
        if len(returns) == 1 and body and body[-1] is returns[0]:
            return body[:-1], returns[0].value
        result = self.namer.fresh("result")
        self._replace_returns(body, result)
        self.active.add(result)
        return body, T.name(result)

    def _replace_returns(self, stmts: list[gast.stmt], result: str) -> None:
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, (gast.For, gast.While)) and _contains_return(stmt.body):
                raise self.parsed.error(
                    stmt,
                    "cannot yet differentiate a 'return' inside a loop",
                    "assign the result and 'break'",
                )
            if isinstance(stmt, gast.Return):
                value = stmt.value if stmt.value is not None else gast.Constant(None, None)
                new = gast.copy_location(T.assign(result, value), stmt)
                if self._is_active_atom(value):
                    new.srcdiff_op = Op("copy", [value], target=result)
                self.info[id(new)] = self.info[id(stmt)]
                stmts[i] = new
            for f in ("body", "orelse"):
                self._replace_returns(getattr(stmt, f, []) or [], result)

    # primal ------------------------------------------------------------------

    def primal_block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            out.extend(_located(self.primal_statement(stmt), stmt))
        return out

    def primal_statement(self, stmt: gast.stmt) -> list[gast.stmt]:
        info = self.info.get(id(stmt))
        if isinstance(stmt, gast.If):
            return self._primal_if(stmt)
        if isinstance(stmt, gast.While):
            return self._primal_while(stmt)
        if isinstance(stmt, gast.For):
            return self._primal_for(stmt)
        out = []
        if info is not None and id(stmt) in self.record:
            for name in self._saved_names(stmt):
                out.append(self._save(stmt, name, info))
        clean = copy.copy(stmt)
        if id(stmt) in self.pullbacks:
            clean = self._primal_user_call(stmt)
        out.append(clean)
        return out

    def _primal_user_call(self, stmt: gast.Assign) -> gast.stmt:
        """``y = g(a, b)`` becomes ``y, y_pullback = vjp_of(g, wrt)(a, b)``."""
        op: Op = stmt.srcdiff_op
        call: gast.Call = stmt.value
        wrt: list[int | str] = [i for i, a in enumerate(call.args) if self._is_active_atom(a)]
        wrt += [k.arg for k in call.keywords if self._is_active_atom(k.value)]
        spec = gast.Tuple(elts=[gast.Constant(w, None) for w in wrt], ctx=gast.Load())
        vjp = gast.Call(func=T.name("vjp_of"), args=[copy.deepcopy(call.func), spec], keywords=[])
        value = gast.Call(func=vjp, args=call.args, keywords=call.keywords)
        targets = gast.Tuple(
            elts=[T.name(op.target, store=True), T.name(self.pullbacks[id(stmt)], store=True)],
            ctx=gast.Store(),
        )
        op.wrt_atoms = [a for a in call.args if self._is_active_atom(a)] + [
            k.value for k in call.keywords if self._is_active_atom(k.value)
        ]
        return gast.copy_location(gast.Assign(targets=[targets], value=value), stmt)

    def _save(self, stmt: gast.stmt, name: str, info: _Info) -> gast.stmt:
        op = getattr(stmt, "srcdiff_op", None)
        if op is not None and op.mutation == "setitem":
            return self._save_region(stmt, op, info)
        written = _written_in_place(stmt) if op is None else None
        if written is not None:
            # b[0] = 1.0 or b += 1 without a derivative still changes b in place:
            # keep a copy of what it overwrites, not a reference to b
            place = _container_and_key(written)
            value = (
                T.expr("saved_region(B, K)", B=place[0], K=place[1])
                if place is not None  # the key or attribute may not exist yet
                else T.expr("snapshot(V)", V=T.load_copy(written))
            )
            if info.loops:
                return T.stmt(f"{self._stack(name + '_region')}.append(V)", V=value)
            saved = self.namer.fresh(f"{name}_region")
            self.saved[id(stmt)] = saved
            return T.assign(saved, value)
        if info.loops:
            stack = self._stack(name)
            if name not in self.params and not self._defined_before(name, info.loops[0]):
                self.none_init.setdefault(0, set()).add(name)
            return T.stmt(f"{stack}.append({name})")
        if name not in self.params and not self._bound_before(name, stmt):
            self.none_init.setdefault(0, set()).add(name)  # saved before any value
        saved = self.namer.fresh(f"{name}_before")
        self.saved[id(stmt), name] = saved
        return T.assign(saved, T.name(name))

    def _bound_before(self, name: str, stmt: gast.stmt) -> bool:
        """``name`` is assigned at the top level of the function before ``stmt``."""
        position = self.info[id(stmt)].position
        return any(
            name in self._assigned_names(s) and self.info[id(s)].position < position
            for s in self.body
            if id(s) in self.info and not isinstance(s, (gast.If, gast.For, gast.While))
        )

    def _saved_names(self, stmt: gast.stmt) -> list[str]:
        """The names whose old values ``stmt`` saves (one region for writes in place)."""
        op = getattr(stmt, "srcdiff_op", None)
        names = self._assigned_names(stmt)
        if (op is not None and op.mutation == "setitem") or (
            op is None and _written_in_place(stmt) is not None
        ):
            return names[:1]
        return [n for n in names if n in self.recorded_names.get(id(stmt), ())]

    def _save_region(self, stmt: gast.stmt, op: Op, info: _Info) -> gast.stmt:
        """Before ``x[i] = v`` (or ``obj.h = v``), keep what it overwrites."""
        if op.kind == "slot":
            value = T.expr("slot_or_missing(B, I)", B=T.name(op.target), I=op.index)
        else:
            region = gast.Subscript(
                value=T.name(op.target), slice=copy.deepcopy(stmt.targets[0].slice), ctx=gast.Load()
            )
            value = T.expr("np.copy(R)", R=region)
        if info.loops:
            stack = self._stack(f"{op.target}_region")
            return T.stmt(f"{stack}.append(V)", V=value)
        saved = self.namer.fresh(f"{op.target}_region")
        self.saved[id(stmt)] = saved
        return T.assign(saved, value)

    def _defined_before(self, name: str, loop_id: int) -> bool:
        loop_position = self.info[loop_id].position
        for stmt in self.body:
            info = self.info.get(id(stmt))
            if info is None or info.position >= loop_position:
                break
            if isinstance(
                stmt, (gast.Assign, gast.AugAssign, gast.AnnAssign)
            ) and name in self._assigned_names(stmt):
                return True
        return False

    def _stack(self, name: str) -> str:
        if name not in self.stacks:
            self.stacks[name] = self.namer.fresh(f"{name}_stack")
        return self.stacks[name]

    def _needs_replay(self, stmt: gast.stmt) -> bool:
        """Whether a compound statement contains anything the adjoint sweep must replay."""
        for node in _statements(stmt.body + getattr(stmt, "orelse", [])):
            if getattr(node, "srcdiff_op", None) is not None or id(node) in self.record:
                return True
            if set(self._assigned_names(node)) & self.active:
                return True  # overwriting an active value (s = 1.5) cuts its gradient
        return False

    def _record_control(
        self, stmt: gast.stmt, base: str, value: gast.expr | None
    ) -> tuple[list[gast.stmt], list[gast.stmt]]:
        """Record a control value (flag, counter, range) for ``stmt``: returns
        (statements before the compound, statements after it) in the primal."""
        info = self.info[id(stmt)]
        name = self.namer.fresh(base)
        self.control[id(stmt)] = name
        before = [T.assign(name, value)] if value is not None else []
        after = []
        if info.loops:
            after.append(T.stmt(f"{self._stack(name)}.append({name})"))
        return before, after

    def _primal_if(self, stmt: gast.If) -> list[gast.stmt]:
        body, orelse = self.primal_block(stmt.body), self.primal_block(stmt.orelse)
        if not self._needs_replay(stmt):
            return [gast.If(test=stmt.test, body=body or [gast.Pass()], orelse=orelse)]
        # the flag is pushed before the branch runs: a 'break' inside must not skip it
        before, after = self._record_control(stmt, "took_if", stmt.test)
        flag = self.control[id(stmt)]
        return (
            before + after + [gast.If(test=T.name(flag), body=body or [gast.Pass()], orelse=orelse)]
        )

    def _primal_while(self, stmt: gast.While) -> list[gast.stmt]:
        body = self.primal_block(stmt.body)
        if not self._needs_replay(stmt):
            return [gast.While(test=stmt.test, body=body, orelse=self.primal_block(stmt.orelse))]
        before, after = self._record_control(stmt, "n_loop", gast.Constant(0, None))
        counter = self.control[id(stmt)]
        body = [T.stmt(f"{counter} += 1")] + body
        loop = gast.While(test=stmt.test, body=body, orelse=self.primal_block(stmt.orelse))
        return before + [loop] + after

    def _primal_for(self, stmt: gast.For) -> list[gast.stmt]:
        body = self.primal_block(stmt.body)
        loop = gast.For(
            target=stmt.target,
            iter=stmt.iter,
            body=body,
            orelse=self.primal_block(stmt.orelse),
            type_comment=None,
        )
        if not self._needs_replay(stmt):
            return [loop]
        before: list[gast.stmt] = []
        after: list[gast.stmt] = []
        if _is_constant_range(stmt.iter):
            self.control[id(stmt)] = None
        else:
            base = _target_base(stmt.target) + ("_range" if _is_range(stmt.iter) else "_items")
            value = stmt.iter if _is_range(stmt.iter) else T.expr("list(ITER)", ITER=stmt.iter)
            before, after = self._record_control(stmt, base, value)
            loop.iter = T.name(self.control[id(stmt)])
        if getattr(stmt, "srcdiff_breaks", False):
            # a loop that may break replays only the iterations that ran
            counter = self.namer.fresh("n_iter")
            self.counters[id(stmt)] = counter
            before.append(T.assign(counter, gast.Constant(0, None)))
            loop.body = [T.stmt(f"{counter} += 1")] + loop.body
            if self.info[id(stmt)].loops:
                after.append(T.stmt(f"{self._stack(counter)}.append({counter})"))
        return before + [loop] + after

    # adjoint -----------------------------------------------------------------

    def adjoint_block(self, stmts: list[gast.stmt], inited: set[str]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in reversed(stmts):
            out.extend(_located(self.adjoint_statement(stmt, inited), stmt))
        return out

    def adjoint_statement(self, stmt: gast.stmt, inited: set[str]) -> list[gast.stmt]:
        if isinstance(stmt, gast.If):
            return self._adjoint_if(stmt, inited)
        if isinstance(stmt, (gast.While, gast.For)):
            return self._adjoint_loop(stmt, inited)
        op: Op | None = getattr(stmt, "srcdiff_op", None)
        out: list[gast.stmt] = []
        target = op.target if op is not None else None
        flows = op is not None and target in inited
        restore = self._restores(stmt)
        if not flows:
            if target is not None and target in inited:
                inited.discard(target)
            return restore + self._reset_after_overwrite(stmt, inited)
        ans: gast.expr = T.name(target)
        reads_ans_after_restore = restore and self._reads_ans(stmt, op)
        if reads_ans_after_restore:
            keep = self.namer.fresh(f"{target}_next")
            out.append(T.assign(keep, T.name(target)))
            ans = T.name(keep)
        if op.kind == "user":
            # the pullback reads only what its own call recorded: call it before
            # the restore brings back the previous iteration's pullback
            return out + self._contributions(stmt, op, ans, inited) + restore
        out += restore
        out += [copy.deepcopy(s) for s in self.recompute_before.get(id(stmt), [])]
        out += self._contributions(stmt, op, ans, inited)
        return out

    def _reset_after_overwrite(self, stmt: gast.stmt, inited: set[str]) -> list[gast.stmt]:
        for name in self._assigned_names(stmt):
            inited.discard(name)
        return []

    def _reads_ans(self, stmt: gast.Assign, op: Op) -> bool:
        if op.kind != "rule":
            return False
        return any(
            "ans" in op.rule.reads(i) for i, a in enumerate(op.inputs) if self._is_active_atom(a)
        )

    def _restores(self, stmt: gast.stmt) -> list[gast.stmt]:
        if id(stmt) not in self.record:
            return []
        info = self.info[id(stmt)]
        op = getattr(stmt, "srcdiff_op", None)
        if op is not None and op.kind in _LIST_MUTATIONS:
            # put the popped value back first, then the value it overwrote
            return self._undo_list_change(stmt, op) + self._restore_names(stmt, info)
        if op is not None and op.mutation == "setitem":
            old = (
                T.expr(f"{self._stack(op.target + '_region')}.pop()")
                if info.loops
                else T.name(self.saved[id(stmt)])
            )
            if op.kind == "slot":
                return [T.stmt("restore_slot(B, I, OLD)", B=T.name(op.target), I=op.index, OLD=old)]
            region = gast.Subscript(
                value=T.name(op.target),
                slice=copy.deepcopy(stmt.targets[0].slice),
                ctx=gast.Store(),
            )
            return [gast.Assign(targets=[region], value=old)]
        written = _written_in_place(stmt) if op is None else None
        if written is not None:
            name = self._assigned_names(stmt)[0]
            old = (
                T.expr(f"{self._stack(name + '_region')}.pop()")
                if info.loops
                else T.name(self.saved[id(stmt)])
            )
            place = _container_and_key(written)
            if place is not None:
                return [T.stmt("restore_slot(B, K, OLD)", B=place[0], K=place[1], OLD=old)]
            target = T.load_copy(written)
            for node in T.walk(target):
                if isinstance(node, (gast.Name, gast.Subscript)) and node is target:
                    node.ctx = gast.Store()
            return [gast.Assign(targets=[target], value=old)]
        return self._restore_names(stmt, info)

    def _restore_names(self, stmt: gast.stmt, info: _Info) -> list[gast.stmt]:
        out = []
        for name in self._saved_names(stmt):
            if info.loops:
                out.append(T.assign(name, T.expr(f"{self._stack(name)}.pop()")))
            else:
                out.append(T.assign(name, T.name(self.saved[id(stmt), name])))
        return out

    def _undo_list_change(self, stmt: gast.stmt, op: Op) -> list[gast.stmt]:
        """The inverse of a list change, run in place in the reverse sweep."""
        base = op.inputs[0].id
        if op.kind == "append":
            return [T.stmt(f"{base}.pop()")]
        if op.kind == "extend":
            # a slice assignment, not del: the generated code stays valid input to srcdiff
            return [T.stmt(f"{base}[len({base}) - len(ITEMS):] = []", ITEMS=op.inputs[1])]
        if op.kind == "insert":
            return [T.stmt(f"{base}.pop(I)", I=op.index)]
        # v = base.pop(i): put v back where it came from
        out = []
        if op.index is None:
            out.append(T.stmt(f"{base}.append({op.target})"))
        else:
            out.append(T.stmt(f"{base}.insert(I, {op.target})", I=op.index))
        return out

    def _contributions(
        self, stmt: gast.Assign, op: Op, ans: gast.expr, inited: set[str]
    ) -> list[gast.stmt]:
        target = op.target
        g = T.name(self.namer.adjoint(target))
        parts: dict[str, list[gast.expr]] = {}
        out: list[gast.stmt] = []
        if op.kind == "copy":
            self._add_part(parts, op.inputs[0], g)
        elif op.kind == "pack":
            for i, elt in enumerate(op.inputs):
                self._add_part(parts, elt, T.expr(f"G[{i}]", G=g))
        elif op.kind == "pack_dict":
            for key, value in zip(op.index.elts, op.inputs, strict=True):
                self._add_part(parts, value, T.expr("slot_of(G, K, V)", G=g, K=key, V=value))
        elif op.kind in ("index", "index_any"):
            base = op.inputs[0]
            if self._is_active_atom(base):
                helper = "index_grad" if op.kind == "index_any" else "sequence_index_grad"
                self._add_part(
                    parts, base, T.expr(f"{helper}(G, BASE, INDEX)", G=g, BASE=base, INDEX=op.index)
                )
        elif op.kind == "rule":
            out += self._rule_parts(stmt, op, g, ans, parts)
        elif op.kind == "slot":
            base, item = op.inputs
            self._add_part(parts, item, T.expr("slot_of(G, I, V)", G=g, I=op.index, V=item))
            self._add_part(parts, base, T.expr("without(G, I)", G=g, I=op.index))
        elif op.kind in ("append", "extend", "insert"):
            out += self._list_change_parts(op, g, parts)
        elif op.kind == "pop":
            base = op.inputs[0]
            d_base = (
                T.name(self.namer.adjoint(base.id))
                if base.id in inited
                else gast.Constant(None, None)
            )
            inited.discard(base.id)
            self._add_part(
                parts,
                base,
                T.expr(
                    "pop_grad(D, G, B, I)",
                    D=d_base,
                    G=g,
                    B=base,
                    I=op.index or gast.Constant(None, None),
                ),
            )
        elif op.kind == "user":
            pullback = self.pullbacks[id(stmt)]
            atoms = op.wrt_atoms
            held = self.namer.fresh(f"d_{target}_args")
            out.append(T.assign(held, T.expr(f"{pullback}(G)", G=g)))
            for k, atom in enumerate(atoms):
                self._add_part(parts, atom, T.expr(f"{held}[{k}]"))
        else:
            raise self.parsed.error(stmt, f"internal: no adjoint for {op.kind}")
        inited.discard(target)
        # the target's own contribution goes last: the others read its adjoint first
        order = sorted(parts, key=lambda n: n == target)
        for name in order:
            total = parts[name][0]
            for extra in parts[name][1:]:
                if name in self.structured:
                    total = T.expr("add_trees(D, E)", D=total, E=extra)
                else:
                    total = gast.BinOp(left=total, op=gast.Add(), right=extra)
            d_name = self.namer.adjoint(name)
            if name in inited and name in self.structured:
                total = T.expr("add_trees(D, E)", D=T.name(d_name), E=total)
            elif name in inited:
                total = gast.BinOp(left=T.name(d_name), op=gast.Add(), right=total)
            out.append(T.assign(d_name, total))
            inited.add(name)
        return out

    def _list_change_parts(self, op: Op, g: gast.expr, parts) -> list[gast.stmt]:
        base, *items = op.inputs
        if op.kind == "append":
            self._add_part(parts, items[0], T.expr("G[-1]", G=g))
            self._add_part(parts, base, T.expr("G[:-1]", G=g))
        elif op.kind == "extend":
            self._add_part(parts, items[0], T.expr(f"G[len({base.id}):]", G=g))
            self._add_part(parts, base, T.expr(f"G[:len({base.id})]", G=g))
        else:
            self._add_part(parts, items[0], T.expr("G[I]", G=g, I=op.index))
            self._add_part(parts, base, T.expr("G[:I] + G[I + 1:]", G=g, I=op.index))
        return []

    def _add_part(
        self, parts: dict[str, list[gast.expr]], atom: gast.expr, value: gast.expr
    ) -> None:
        if self._is_active_atom(atom):
            parts.setdefault(atom.id, []).append(value)

    def _rule_parts(self, stmt, op: Op, g: gast.expr, ans: gast.expr, parts) -> list[gast.stmt]:
        rule = op.rule
        self._import_rule_globals(rule)
        preamble_names: dict[str, str] = {}
        out: list[gast.stmt] = []
        emitted: set[str] = set()
        target = op.target
        for i, atom in enumerate(op.inputs):
            if not self._carries_gradient(atom):
                continue
            statements, expr = self._inlined_part(stmt, op, i, g, ans, preamble_names)
            for s in statements:
                key = gast.dump(s)
                if key not in emitted:
                    emitted.add(key)
                    out.append(s)
            if isinstance(atom, (gast.Tuple, gast.List)):
                # a sequence input (einsum's operands): one gradient per element
                held = self.namer.fresh(f"d_{rule.inputs[i]}")
                out.append(T.assign(held, expr))
                for k, elt in enumerate(atom.elts):
                    self._add_part(parts, elt, T.expr(f"{held}[{k}]"))
                continue
            reduction = self._reduction(op, atom, target)
            self._add_part(parts, atom, self._reduced(expr, reduction, atom))
        return out

    def _carries_gradient(self, atom: gast.expr) -> bool:
        if isinstance(atom, (gast.Tuple, gast.List)):
            return any(self._is_active_atom(e) for e in atom.elts)
        return self._is_active_atom(atom)

    def _reduction(self, op: Op, atom: gast.expr, target: str) -> Any:
        """How an operand's gradient is summed down from the broadcast result's
        shape: None (same shape), "at run time" (unbroadcast_as), or the
        (dropped, kept) axes that shapes.py proves."""
        if not (op.rule.broadcasts and self._is_active_atom(atom)):
            return None
        result, operand = self.shapes.of(T.name(target)), self.shapes.of(atom)
        if same(result, operand) or self._sets_the_shape(op, atom):
            return None
        if operand == SCALAR:
            return ((), ())  # a number: sum everything
        axes = reduction_axes(result, operand)
        if axes == ((), ()):
            return None  # sizes equal wherever the code runs (a literal 3 against n0, say)
        return "at run time" if axes is None else axes

    def _sets_the_shape(self, op: Op, atom: gast.Name) -> bool:
        """Every other operand is a number or ``atom`` itself (``W * W``, ``a * 2.0``):
        the result has ``atom``'s shape whatever it is, even where shapes.py cannot
        tell (an array taken from a tuple of differently shaped ones, say)."""
        return all(
            (isinstance(other, gast.Name) and other.id == atom.id)
            or self.shapes.of(other) == SCALAR
            for other in op.inputs
            if other is not atom
        )

    @staticmethod
    def _reduced(expr: gast.expr, reduction: Any, atom: gast.expr) -> gast.expr:
        if reduction is None:
            return expr
        if reduction == "at run time":
            return T.expr("unbroadcast_as(E, X)", E=expr, X=atom)
        dropped, kept = reduction
        if isinstance(expr, gast.UnaryOp) and isinstance(expr.op, gast.USub):
            # sum the gradient, then negate the (smaller) sum
            inner = ReverseBuilder._reduced(expr.operand, reduction, atom)
            return gast.UnaryOp(op=gast.USub(), operand=inner)
        if not dropped and not kept:
            return T.expr("np.sum(E)", E=expr)
        if kept:
            # the method: numpy's np.sum adds a Python-level dispatch per call
            summed = T.expr(f"(E).sum(axis={_axes(kept)}, keepdims=True)", E=expr)
            if not dropped:
                return summed
            expr = summed
        return T.expr(f"(E).sum(axis={_axes(dropped)})", E=expr)

    def _import_rule_globals(self, rule) -> None:
        self.rule_globals = getattr(self, "rule_globals", {})
        for node_name in _python_names(rule):
            value = rule.vjp.__globals__.get(node_name)
            if value is not None and callable(value):
                self.rule_globals[node_name] = value

    def _adjoint_if(self, stmt: gast.If, inited: set[str]) -> list[gast.stmt]:
        if id(stmt) not in self.control:
            return []
        flag = self.control[id(stmt)]
        pre = []
        if self.info[id(stmt)].loops:
            pre.append(T.assign(flag, T.expr(f"{self._stack(flag)}.pop()")))
        body_state, else_state = set(inited), set(inited)
        body = self.adjoint_block(stmt.body, body_state)
        orelse = self.adjoint_block(stmt.orelse, else_state)
        # an adjoint set on one side only needs a zero on the other if the code
        # before the branch (run later in reverse) can still read it
        one_sided = (body_state ^ else_state) - self._alive_before(stmt)
        body_state -= one_sided
        else_state -= one_sided
        for name in sorted(body_state - else_state):
            orelse.append(self._zero(name, stmt))
        for name in sorted(else_state - body_state):
            body.append(self._zero(name, stmt))
        inited.clear()
        inited.update(body_state | else_state)
        if not body and not orelse:
            return pre
        if not body:
            return pre + [gast.If(test=T.expr(f"not {flag}"), body=orelse, orelse=[])]
        return pre + [gast.If(test=T.name(flag), body=body, orelse=orelse)]

    def _alive_before(self, stmt: gast.stmt) -> set[str]:
        """Names that statements running before ``stmt`` (or anywhere in a loop
        around it) use or define: only their adjoints can be read after ``stmt``'s
        adjoint."""
        info = self.info[id(stmt)]
        names = set(self.params)
        for other_id, other in self.info.items():
            if other.position < info.position or set(other.loops) & set(info.loops):
                node = self._by_id.get(other_id)
                if node is None:
                    continue
                names |= set(self._assigned_names(node))
                op = getattr(node, "srcdiff_op", None)
                if op is not None:
                    names |= {n for a in op.inputs for n in T.names_read(a)}
        return names

    def _surely_bound(self, name: str) -> bool:
        """Whether ``name`` has a value wherever the adjoint sweep may need a zero shaped
        like it: a parameter, or assigned by a statement outside every branch and loop."""
        if name in self.params:
            return True
        return any(
            name in self._assigned_names(s)
            for s in self.body
            if not isinstance(s, (gast.If, gast.For, gast.While))
        )

    def _zero(self, name: str, at: gast.stmt | None = None) -> gast.stmt:
        """``d_name`` set to zeros (at the adjoint of statement ``at``, when given)."""
        if name in self.structured:
            # a list's adjoint stays a list; it is only needed where the list exists
            zero = T.expr(f"zeros_like_tree({name})")
        elif self.kinds.get(name) == "scalar" or self.shapes.of(T.name(name)) == SCALAR:
            zero = gast.Constant(0.0, None)
        elif self._surely_bound(name) or (at is not None and self._holds_its_value(name, at)):
            zero = T.expr(f"np.zeros_like({name})")
        else:
            # zeros of the shape the analysis knows, else a number standing for them
            zero = self._zeros_of_known_shape(name) or gast.Constant(0.0, None)
        return T.assign(self.namer.adjoint(name), zero)

    def _holds_its_value(self, name: str, stmt: gast.stmt) -> bool:
        """At ``stmt``'s adjoint, ``name`` holds the value it had at ``stmt``: it is
        assigned once, before ``stmt`` on every path to it, and, in a loop, put
        back by the reverse sweep (else it would hold the last iteration's)."""
        if self._assignment_counts[name] != 1 or name not in self._assigned_on_every_path_to(stmt):
            return False
        restored = set().union(*self.recorded_names.values())
        return not self.info[id(stmt)].loops or name in restored

    def _assigned_on_every_path_to(self, stmt: gast.stmt) -> set[str]:
        """Names that statements before ``stmt`` assign on every path to it (in
        its own block and the blocks around it): in the reverse sweep they hold,
        at ``stmt``'s adjoint, the values they had at ``stmt``."""

        def search(block: list[gast.stmt], bound: set[str]) -> set[str] | None:
            names = set(bound)
            for other in block:
                if other is stmt:
                    return names
                for inner in T.inner_blocks(other):
                    found = search(inner, names)
                    if found is not None:
                        return found
                if not isinstance(other, (gast.If, gast.For, gast.While)):
                    names |= set(self._assigned_names(other))
            return None

        return search(self.body, set()) or set()

    def _zeros_of_known_shape(self, name: str) -> gast.expr | None:
        """``np.zeros_like(A)`` for a parameter ``A`` of ``name``'s shape, or
        ``np.zeros((X.shape[0], 3))`` from the parameters' sizes and literal ones:
        a product's adjoint specialised on ranks cannot take a number."""
        shape = self.shapes.of(T.name(name))
        if not is_known(shape):
            return None
        arrays = {p: self.shapes.of(T.name(p)) for p in self.parsed.param_names}
        arrays = {p: s for p, s in arrays.items() if isinstance(s, tuple) and s != SCALAR}
        for param, param_shape in arrays.items():
            if same(param_shape, shape):
                return T.expr(f"np.zeros_like({param})")
        sizes = []
        for dim in shape:
            if isinstance(dim, int):
                sizes.append(str(dim))
                continue
            where = [(p, k) for p, s in arrays.items() for k, d in enumerate(s) if d == dim]
            if not where:
                return None
            sizes.append(f"{where[0][0]}.shape[{where[0][1]}]")
        return T.expr(f"np.zeros(({', '.join(sizes)},))")

    def _adjoint_loop(self, stmt: gast.For | gast.While, inited: set[str]) -> list[gast.stmt]:
        if id(stmt) not in self.control:
            return []
        record = self.control[id(stmt)]
        pre: list[gast.stmt] = []
        counter = self.counters.get(id(stmt))
        if self.info[id(stmt)].loops:
            for name in (record, counter):
                if name is not None:
                    pre.append(T.assign(name, T.expr(f"{self._stack(name)}.pop()")))
        # The body must leave the same adjoints initialised as it found: names it
        # initialises are zeroed before the loop, names it consumes are re-zeroed
        # at the end of each iteration.
        zeros: set[str] = set()
        while True:
            state_in = set(inited) | zeros
            state = set(state_in)
            snapshot = set(self.namer.taken)
            body = self.adjoint_block(stmt.body, state)
            grown = state - state_in
            if not grown:
                break
            self.namer.taken = snapshot
            zeros |= grown
        body += [self._zero(name) for name in sorted(state_in - state)]
        inited.update(zeros)
        pre += [self._zero(name) for name in sorted(zeros)]
        if isinstance(stmt, gast.While):
            loop = gast.For(
                target=T.name("_", store=True),
                iter=T.expr(f"range({record})"),
                body=body,
                orelse=[],
                type_comment=None,
            )
        else:
            iterable = stmt.iter if record is None else T.name(record)
            if counter is not None:
                iterable = T.expr(f"ITER[:{counter}]", ITER=iterable)
            loop = gast.For(
                target=copy.deepcopy(stmt.target),
                iter=T.expr("reversed(ITER)", ITER=iterable),
                body=body or [gast.Pass()],
                orelse=[],
                type_comment=None,
            )
        return pre + [loop]


def _located(generated: list[gast.stmt], origin: gast.stmt) -> list[gast.stmt]:
    """Stamp generated statements with the user's line they come from (compound
    statements keep their own, so nested lines map to nested user lines)."""
    line = getattr(origin, "lineno", None)
    if line is not None:
        _stamp(generated, line)
    return generated


def _stamp(stmts: list[gast.stmt], line: int) -> None:
    for stmt in stmts:
        # templates are parsed on their own, so line 1 means "no line of the user's"
        if getattr(stmt, "lineno", None) in (None, 1):
            stmt.lineno = line
        if not isinstance(stmt, (gast.If, gast.For, gast.While)):
            continue  # a compound statement's inner lines were stamped with their own origins
        for inner in (stmt.body, stmt.orelse):
            _stamp([s for s in inner if getattr(s, "lineno", None) in (None, 1)], line)


def _operand_names(op: Op) -> set[str]:
    """The names an operation's operands and parameters read."""
    exprs = [*op.inputs, *op.params.values(), op.index]
    return set().union(*(T.names_read(e) for e in exprs if isinstance(e, gast.AST)))


def _helpers() -> dict[str, object]:
    import inspect

    from srcdiff.rules import helpers

    return {
        n: f
        for n, f in vars(helpers).items()
        if inspect.isfunction(f) and f.__module__ == helpers.__name__
    }


_RULE_HELPERS = _helpers()


class _ScratchNamer(Namer):
    """Names for a trial inlining whose statements are thrown away: unique, and
    without copying the real namer's table of taken names."""

    def __init__(self) -> None:
        self.adjoints = {}
        self.made: list[tuple[str, str]] = []  # (name, the base it was made from), in order

    def fresh(self, base: str) -> str:
        name = f"_scratch_{len(self.made) + 1}_{base}"
        self.made.append((name, base))
        return name


@dataclass
class _Trial:
    """A trial inlining of one input's gradient, in scratch names."""

    g: str
    statements: list[gast.stmt]
    expr: gast.expr
    made: list[tuple[str, str]]
    preamble_names: dict[str, str]


class _ShapeFiller:
    """Rewrites ``np.shape(t)`` calls for ``ReverseBuilder._known_shapes``."""

    def __init__(self, analysis, params: list[str], inputs_of: dict, local: set[str]) -> None:
        self.analysis, self.params, self.inputs_of, self.local = analysis, params, inputs_of, local

    def call(self, call: gast.Call) -> gast.AST:
        if not (_is_shape_call(call) and isinstance(call.args[0], gast.Name)):
            return call
        if call.args[0].id in self.local:
            return call
        shape = self.analysis.of(call.args[0])
        if shape == SCALAR:
            return gast.Tuple(elts=[], ctx=gast.Load())
        if call.args[0].id in self.params:
            return call
        for candidate in [*self.params, *self.inputs_of.get(call.args[0].id, [])]:
            if candidate not in self.local and same(self.analysis.of(T.name(candidate)), shape):
                call.args[0] = T.name(candidate)
                break
        return call


def _is_shape_call(call: gast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, gast.Attribute)
        and func.attr == "shape"
        and isinstance(func.value, gast.Name)
        and func.value.id == "np"
        and len(call.args) == 1
        and not call.keywords
    )


# rules whose result may share memory with their first input (numpy views)
_VIEWS = {
    "transpose", "getitem", "reshape", "ravel", "broadcast_to", "squeeze", "expand_dims",
    "diagonal", "pos",
}  # fmt: skip


def _axes(axes: tuple[int, ...]) -> str:
    return str(axes[0]) if len(axes) == 1 else str(axes)


def _in_loops(stmts: list[gast.stmt], inside: bool = False) -> set[int]:
    """Ids of the statements inside a loop."""
    ids: set[int] = set()
    for stmt in stmts:
        if inside:
            ids.add(id(stmt))
        if isinstance(stmt, gast.FunctionDef):
            continue
        deeper = inside or isinstance(stmt, (gast.For, gast.While))
        ids |= _in_loops(getattr(stmt, "body", []) or [], deeper)
        # a loop's else runs once, after the loop
        ids |= _in_loops(getattr(stmt, "orelse", []) or [], inside)
    return ids


_LIST_MUTATIONS = ("append", "extend", "insert", "pop")


def _written_in_place(stmt: gast.stmt) -> gast.expr | None:
    """What a statement without a derivative changes in place: ``b[i]`` for
    ``b[i] = v`` and ``b[i] += v``, ``b`` for ``b += v`` (in place on arrays),
    ``obj.h`` for ``obj.h = v``."""
    if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
    elif isinstance(stmt, gast.AugAssign):
        target = stmt.target
        if isinstance(target, gast.Name):
            return target
    else:
        return None
    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
        return target
    if isinstance(target, gast.Attribute) and isinstance(target.value, gast.Name):
        return target  # obj.h = v on an object without a derivative
    return None


def _container_and_key(written: gast.expr) -> tuple[gast.expr, gast.expr] | None:
    """``(b, key)`` for a write into ``b[key]`` or ``b.attr`` (None for ``b`` itself)."""
    if isinstance(written, gast.Subscript):
        return T.load_copy(written.value), T.index_value(written.slice)
    if isinstance(written, gast.Attribute):
        return T.load_copy(written.value), gast.Constant(written.attr, None)
    return None


def _is_range(expr: gast.expr) -> bool:
    return (
        isinstance(expr, gast.Call) and isinstance(expr.func, gast.Name) and expr.func.id == "range"
    )


def _is_constant_range(expr: gast.expr) -> bool:
    return _is_range(expr) and all(isinstance(a, gast.Constant) for a in expr.args)


def _target_base(target: gast.expr) -> str:
    return target.id if isinstance(target, gast.Name) else "item"


def _contains_return(stmts: list[gast.stmt]) -> bool:
    return any(isinstance(s, gast.Return) for s in _statements(stmts))


def _statements(stmts: list[gast.stmt]):
    for s in stmts:
        yield s
        if isinstance(s, gast.FunctionDef):
            continue
        for f in ("body", "orelse"):
            yield from _statements(getattr(s, f, []) or [])


def _python_names(rule) -> frozenset[str]:
    """The names a rule's parts use, worked out once per rule (rules live as
    long as the process; a Rule is not hashable, so the key is its id)."""
    from srcdiff.codegen.inline import python_ast_names

    entry = _RULE_NAMES.get(id(rule))
    if entry is None:
        found: set[str] = set()
        for preamble, expr in rule.input_parts():
            for node in [*preamble, expr]:
                if node is not None:
                    found |= python_ast_names(node)
        # the rule is kept with its names, so its id cannot be reused
        entry = _RULE_NAMES[id(rule)] = (rule, frozenset(found))
    return entry[1]


_RULE_NAMES: dict[int, tuple[Any, frozenset[str]]] = {}


__all__ = ["ReverseBuilder", "Sweeps"]
