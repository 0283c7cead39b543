"""Small helpers to build gast trees from Python text: generated code is written
as readable templates, not node constructors."""

from __future__ import annotations

import copy
import functools
from collections import Counter
from typing import Any, NamedTuple

import gast

from srcdiff.codegen.printer import source_of
from srcdiff.codegen.to_gast import parse


def stmt(text: str, **subs: Any) -> gast.stmt:
    """Parse one statement; ``subs`` replace names in it (by string or node)."""
    return copy_tree(_parsed(text).body[0], subs)


def expr(text: str, **subs: Any) -> gast.expr:
    return copy_tree(_parsed(text).body[0].value, subs)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> gast.Module:
    # a template is parsed once per process; callers get copies
    return parse(text)


def name(identifier: str, store: bool = False) -> gast.Name:
    # built directly: gast's keyword-checking constructor costs more than the node
    made = _new_node(gast.Name)
    made.__dict__.update(
        id=identifier, ctx=_STORE if store else _LOAD, annotation=None, type_comment=None
    )
    return made


_new_node = gast.AST.__new__
# contexts hold nothing and nothing changes them: every name can share one
_LOAD, _STORE = gast.Load(), gast.Store()


def assign(target: str, value: gast.expr) -> gast.Assign:
    return gast.Assign(targets=[name(target, store=True)], value=value)


def replace(node: gast.AST, subs: dict[str, Any]) -> gast.AST:
    """Replace Name nodes by name: a str renames, a node substitutes (copied)."""

    def replaced(n: gast.Name) -> gast.AST:
        if n.id not in subs:
            return n
        new = subs[n.id]
        if isinstance(new, str):
            return gast.Name(new, n.ctx, None, None)
        return copy_tree(new)

    return rewrite(node, {gast.Name: replaced})


def to_source(node: gast.AST) -> str:
    """A statement's source (newline-terminated) or an expression's, as ``ast.unparse``
    prints it."""
    return source_of(node)


def name_counts(node: gast.AST) -> Counter:
    """How many times each name is read in ``node``."""
    return Counter(name_uses(node).loads)


def names_read(node: gast.AST) -> set[str]:
    return set(name_uses(node).loads)


def stored_names(node: gast.AST) -> set[str]:
    """The names ``node`` binds (``x = ...``, ``for i in ...``; not ``x[i] = ...``)."""
    return name_uses(node).stores


def dotted(node: gast.expr) -> str | None:
    """``"np.linalg.norm"`` for the expression ``np.linalg.norm`` (None if it is
    not a chain of names): cheaper than printing it."""
    parts = []
    while isinstance(node, gast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, gast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def walk(node: Any):
    """Every node under ``node`` (itself included), depth first: ``ast.walk``
    without its generator-per-node overhead (the passes walk trees a lot).
    Contexts and operators (``Load``, ``Add``) are not visited: read them as
    ``n.ctx``, ``n.op``."""
    stack = [node]
    pop, push = stack.pop, stack.append
    is_node, child_fields = _IS_NODE, _CHILD_FIELDS
    while stack:
        current = pop()
        yield current
        fields = current.__dict__
        for field in child_fields.get(type(current)) or current._fields:
            value = fields.get(field)
            if type(value) is list:
                for v in value:
                    if is_node[type(v)]:
                        push(v)
            elif is_node[type(value)]:
                push(value)


# the fields that can hold child nodes, for the most common node types (in
# field order, so walks visit nodes in the same order as through every field)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    gast.Name: ("annotation",),
    gast.Constant: ("kind",),  # never a node; a 1-tuple keeps the lookup a hit
    gast.Attribute: ("value",),
    gast.BinOp: ("left", "right"),
    gast.UnaryOp: ("operand",),
    gast.BoolOp: ("values",),
    gast.Compare: ("left", "comparators"),
    gast.Call: ("func", "args", "keywords"),
    gast.keyword: ("value",),
    gast.Subscript: ("value", "slice"),
    gast.Tuple: ("elts",),
    gast.List: ("elts",),
    gast.Assign: ("targets", "value"),
    gast.AugAssign: ("target", "value"),
    gast.Expr: ("value",),
    gast.Return: ("value",),
}


def children(node: gast.AST) -> list[gast.AST]:
    """The nodes directly under ``node`` (contexts and operators aside, as in ``walk``)."""
    out = []
    fields = node.__dict__
    for field in _CHILD_FIELDS.get(type(node)) or node._fields:
        value = fields.get(field)
        for v in value if type(value) is list else [value]:
            if _IS_NODE[type(v)]:
                out.append(v)
    return out


def rewrite(node: gast.AST, rewrites: dict[type, Any]) -> gast.AST:
    """``node`` with each node under it, children first, replaced by what the
    function for its type returns (``gast.NodeTransformer``'s order, at a
    fraction of its cost: the passes rewrite small trees very often)."""
    fields = node.__dict__
    for field in _CHILD_FIELDS.get(type(node)) or node._fields:
        value = fields.get(field)
        if type(value) is list:
            for k, item in enumerate(value):
                if _IS_NODE[type(item)]:
                    value[k] = rewrite(item, rewrites)
        elif _IS_NODE[type(value)]:
            fields[field] = rewrite(value, rewrites)
    rewritten = rewrites.get(type(node))
    return node if rewritten is None else rewritten(node)


def replace_child(parent: gast.AST, old: gast.AST, new: gast.AST) -> None:
    """Put ``new`` where ``parent`` holds ``old`` (a field, or an item of a list field)."""
    for field, child in gast.iter_fields(parent):
        if child is old:
            setattr(parent, field, new)
            return
        if isinstance(child, list):
            for k, item in enumerate(child):
                if item is old:
                    child[k] = new
                    return


def inner_blocks(stmt: gast.stmt) -> list[list[gast.stmt]]:
    """The statement lists directly inside ``stmt`` (an if's or loop's body and
    else; nothing for a nested function, which is code of its own)."""
    if not _HAS_BLOCKS[type(stmt)]:
        return []  # most statements: one lookup
    return [b for b in (getattr(stmt, "body", None), getattr(stmt, "orelse", None)) if b]


class _BlockTypes(dict):
    """statement type -> whether it holds statement lists (a def's are its own)."""

    def __missing__(self, kind: type) -> bool:
        self[kind] = answer = "body" in kind._fields and not issubclass(kind, gast.FunctionDef)
        return answer


_HAS_BLOCKS = _BlockTypes()


def blocks(block: list[gast.stmt]):
    """``block`` and every statement list nested in it, outermost first."""
    yield block
    for stmt in block:
        for inner in inner_blocks(stmt):
            yield from blocks(inner)


def load_copy(expr: gast.expr) -> gast.expr:
    """A copy of ``expr`` that reads (a target such as ``b[i]`` turned into a value)."""
    expr = copy.deepcopy(expr)
    for node in walk(expr):
        if hasattr(node, "ctx"):
            node.ctx = gast.Load()
    return expr


_POSITION = ("lineno", "col_offset", "end_lineno", "end_col_offset")
# nodes without fields that nothing mutates: a copy may share them
_SHARED = (gast.expr_context, gast.operator, gast.unaryop, gast.cmpop, gast.boolop)


class _NodeTypes(dict):
    """type -> whether its values are nodes to walk and copy (not contexts or
    operators): one dict lookup where two ``isinstance`` calls were, in the
    loops every pass runs."""

    def __missing__(self, kind: type) -> bool:
        self[kind] = answer = issubclass(kind, gast.AST) and not issubclass(kind, _SHARED)
        return answer


_IS_NODE = _NodeTypes()


def copy_tree(node: Any, subs: dict[str, Any] | None = None) -> Any:
    """A copy of a gast tree with its fields and positions only: the analyses'
    notes on nodes (``srcdiff_op`` and the like) stay behind, which makes this
    much cheaper than ``copy.deepcopy``. ``subs`` replaces Name nodes by name
    on the way, as ``replace`` does."""
    if type(node) is list:
        return [_copied(n, subs) for n in node]
    return _copied(node, subs)


def _copied(node: Any, subs: dict[str, Any] | None) -> Any:
    kind = type(node)
    if not _IS_NODE[kind]:
        return node
    old = node.__dict__
    if kind is gast.Name:  # four names in ten nodes: the short way
        identifier = old["id"]
        if subs and identifier in subs:
            new = subs[identifier]
            if not isinstance(new, str):
                return copy_tree(new)
            made = _new_node(gast.Name)  # a new name: no position
            made.__dict__.update(id=new, ctx=old["ctx"], annotation=None, type_comment=None)
            return made
        copied = _new_node(gast.Name)
        fields = copied.__dict__
        annotation = old.get("annotation")
        fields["id"], fields["ctx"] = identifier, old["ctx"]
        fields["annotation"] = None if annotation is None else _copied(annotation, subs)
        fields["type_comment"] = old.get("type_comment")
    else:
        copied = _new_node(kind)
        fields = copied.__dict__
        is_node = _IS_NODE
        for field in kind._fields:
            value = old.get(field)
            if type(value) is list:
                fields[field] = [_copied(v, subs) for v in value]
            elif is_node[type(value)]:
                fields[field] = _copied(value, subs)
            else:
                fields[field] = value  # a leaf, a context, an operator: shared
    for attr in _POSITION:
        if attr in old:
            fields[attr] = old[attr]
    return copied


def names_written(stmt: gast.stmt) -> set[str]:
    """Names a statement rebinds or changes in place (``a[i] = v``, ``obj.h = v``,
    ``rows.append(v)``): what code moved across it must not read."""
    return name_uses(stmt).written


class NameUses(NamedTuple):
    loads: list[str]  # names read, in order, repeated as often as read
    stores: set[str]  # names bound
    written: set[str]  # names bound or changed in place (see names_written)
    mentioned: set[str]  # every name


def name_uses(stmt: gast.stmt) -> NameUses:
    """How ``stmt`` uses names, from one walk (the passes ask all of it)."""
    loads: list[str] = []
    stores: set[str] = set()
    written: set[str] = set()
    mentioned: set[str] = set()
    # walk's traversal, inlined: this runs for every statement of every pass
    stack = [stmt]
    pop, push = stack.pop, stack.append
    is_node, child_fields = _IS_NODE, _CHILD_FIELDS
    while stack:
        node = pop()
        kind = type(node)
        fields = node.__dict__
        if kind is gast.Name:
            identifier = fields["id"]
            mentioned.add(identifier)
            context = type(fields["ctx"])
            if context is gast.Load:
                loads.append(identifier)
            elif context is gast.Store:
                stores.add(identifier)
            annotation = fields.get("annotation")
            if annotation is not None:
                push(annotation)
            continue
        if (kind is gast.Subscript or kind is gast.Attribute) and isinstance(
            fields["ctx"], (gast.Store, gast.Del)
        ):
            base = fields["value"]
            while isinstance(base, (gast.Subscript, gast.Attribute)):
                base = base.value
            if isinstance(base, gast.Name):
                written.add(base.id)
        for field in child_fields.get(kind) or node._fields:
            value = fields.get(field)
            if type(value) is list:
                for v in value:
                    if is_node[type(v)]:
                        push(v)
            elif is_node[type(value)]:
                push(value)
    written |= stores
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
        written.add(stmt.target.id)
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name):
            written.add(func.value.id)  # a method may change its object
    return NameUses(loads, stores, written, mentioned)


def index_value(index: gast.expr) -> gast.expr:
    """A subscript's index as a value: ``1:3`` becomes ``slice(1, 3, None)``."""
    if isinstance(index, gast.Slice):
        parts = [index.lower, index.upper, index.step]
        args = [copy.deepcopy(p) if p is not None else gast.Constant(None, None) for p in parts]
        return gast.Call(func=name("slice"), args=args, keywords=[])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in index.elts], ctx=gast.Load())
    return copy.deepcopy(index)
