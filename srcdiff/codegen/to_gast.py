"""Python's ``ast`` trees as gast trees, quickly.

``gast.ast_to_gast`` builds every node through a generic visitor and the
node classes' keyword constructors: some 4 microseconds a node, most of the
parse of a user's function and of every rule part on its first use. Nearly all
node classes have the same fields in both libraries, so one small converter
per class copies them straight into the new node's ``__dict__``. The few that
differ (a parameter is a ``Name`` in gast, an ``except ... as e`` names a
``Name``) get their own; a class this module does not know is handed to gast.
The result is the tree ``gast.ast_to_gast`` makes (tests/codegen/test_to_gast.py
compares them on whole modules).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import gast

_ATTRIBUTES = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def parse(source: str) -> gast.Module:
    """``gast.parse``, through :func:`to_gast`."""
    return to_gast(ast.parse(source))


def to_gast(node: ast.AST) -> gast.AST:
    """The gast tree of ``node`` (a new tree; ``node`` is left as it is)."""
    converter = _CONVERTERS.get(type(node))
    if converter is None:
        converter = _CONVERTERS[type(node)] = _converter_for(type(node))
    return converter(node)


def _value(value: Any) -> Any:
    if type(value) is list:
        return [to_gast(v) if isinstance(v, ast.AST) else v for v in value]
    if isinstance(value, ast.AST):
        return to_gast(value)
    return value


def _new(cls: type, fields: dict[str, Any], node: ast.AST) -> gast.AST:
    made = gast.AST.__new__(cls)
    made.__dict__.update(fields)
    old = node.__dict__
    for attr in _ATTRIBUTES:
        if attr in old:
            made.__dict__[attr] = old[attr]
    return made


def _converter_for(cls: type) -> Callable[[ast.AST], gast.AST]:
    special = _SPECIAL.get(cls.__name__)
    if special is not None:
        return special
    target = getattr(gast, cls.__name__, None)
    if target is None:
        return gast.ast_to_gast
    if not cls._fields and not cls._attributes:  # Load, Add, ...: shared, as in ast
        shared = target()
        return lambda node: shared
    extra = [f for f in target._fields if f not in cls._fields]
    if any(f not in target._fields for f in cls._fields) or any(f not in _DEFAULTS for f in extra):
        return gast.ast_to_gast
    names = [f for f in target._fields if f not in extra]
    attributes = cls._attributes
    new, ast_type, converters = gast.AST.__new__, ast.AST, _CONVERTERS

    def convert(node: ast.AST) -> gast.AST:
        # to_gast and _value inlined: this runs once per node of every parse
        old = node.__dict__
        made = new(target)
        fields = made.__dict__
        for f in names:
            value = old[f]
            if type(value) is list:
                value = [
                    (converters.get(type(v)) or to_gast)(v) if isinstance(v, ast_type) else v
                    for v in value
                ]
            elif isinstance(value, ast_type):
                value = (converters.get(type(value)) or to_gast)(value)
            fields[f] = value
        for f in extra:
            fields[f] = _DEFAULTS[f]()
        for attr in attributes:
            if attr in old:
                fields[attr] = old[attr]
        return made

    return convert


# gast fields that Python's ast lacks (before 3.12: a def's type parameters)
_DEFAULTS: dict[str, Callable[[], Any]] = {"type_params": list, "type_comment": lambda: None}


def _name(node: ast.Name) -> gast.Name:
    old = node.__dict__
    made = gast.AST.__new__(gast.Name)
    made.__dict__.update(
        id=old["id"],
        ctx=_CONTEXTS[type(old["ctx"])],
        annotation=None,
        type_comment=None,
        lineno=old["lineno"],
        col_offset=old["col_offset"],
        end_lineno=old["end_lineno"],
        end_col_offset=old["end_col_offset"],
    )
    return made


def _arg(node: ast.arg) -> gast.Name:
    fields = {
        "id": node.arg,
        "ctx": _PARAM,
        "annotation": _value(node.annotation),
        "type_comment": node.type_comment,
    }
    return _new(gast.Name, fields, node)


def _except_handler(node: ast.ExceptHandler) -> gast.ExceptHandler:
    name = None
    if node.name:
        name = gast.Name(node.name, gast.Store(), None, None)
    fields = {"type": _value(node.type), "name": name, "body": _value(node.body)}
    return _new(gast.ExceptHandler, fields, node)


_PARAM = gast.Param()
_CONTEXTS = {ast.Load: gast.Load(), ast.Store: gast.Store(), ast.Del: gast.Del()}
_SPECIAL: dict[str, Callable[[Any], gast.AST]] = {
    "Name": _name,
    "arg": _arg,
    "ExceptHandler": _except_handler,
}
_CONVERTERS: dict[type, Callable[[Any], gast.AST]] = {}
