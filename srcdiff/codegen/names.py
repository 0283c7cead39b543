"""Readable, collision-free names for generated code.

Adjoints are ``d_<name>``; temporaries are named after what they hold
(``exp_z``, ``h_times_W``); a name already taken gets a numeric suffix.
"""

from __future__ import annotations

import keyword
import re

_OP_WORDS = {
    "Add": "plus",
    "Sub": "minus",
    "Mult": "times",
    "Div": "over",
    "Pow": "pow",
    "MatMult": "at",
    "USub": "neg",
}
_MAX_LEN = 18


class Namer:
    """Hands out fresh names, never reusing one already in the function."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self.adjoints: dict[str, str] = {}

    def fresh(self, base: str) -> str:
        base = _sanitize(base)
        if base not in self.taken:
            self.taken.add(base)
            return base
        n = 1
        while f"{base}_{n}" in self.taken:
            n += 1
        name = f"{base}_{n}"
        self.taken.add(name)
        return name

    def adjoint(self, name: str) -> str:
        """The adjoint's name for primal ``name``: ``d_<name>``, stable per name and
        never a name the user's code already uses."""
        if name not in self.adjoints:
            self.adjoints[name] = self.fresh(f"d_{name}")
        return self.adjoints[name]


def op_word(op_class_name: str) -> str:
    return _OP_WORDS.get(op_class_name, op_class_name.lower())


def temp_name(word: str, operands: list[str | None]) -> str:
    """A name for the result of ``word`` applied to operands (names or None)."""
    names = [o for o in operands if o]
    if len(names) == 2 and word in ("plus", "minus", "times", "over", "at"):
        candidate = f"{names[0]}_{word}_{names[1]}"
    elif names:
        candidate = f"{word}_{names[0]}"
    else:
        candidate = word
    return candidate if len(candidate) <= _MAX_LEN else word


def _sanitize(name: str) -> str:
    name = re.sub(r"\W", "_", name).strip("_") or "t"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = "t_" + name
    return name
