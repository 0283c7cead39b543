"""The one error type users see from the compiler."""

from __future__ import annotations


class SrcdiffError(Exception):
    """A function cannot be differentiated as written.

    The message names the user's file, line and construct, and ends with a hint.
    """

    def __init__(
        self,
        message: str,
        *,
        filename: str | None = None,
        lineno: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.filename = filename
        self.lineno = lineno
        self.hint = hint
        where = ""
        if filename is not None:
            where = f"{filename}:{lineno}: " if lineno is not None else f"{filename}: "
        text = where + message
        if hint:
            text += f" ({hint})"
        super().__init__(text)
