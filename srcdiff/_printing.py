"""Tensor printing that reproduces PyTorch's ``repr(tensor)`` character for character.

The eager ``Tensor.__repr__`` hands its numpy data, dtype name and already formatted suffixes
(``grad_fn=<AddBackward0>``, ``requires_grad=True``) to :func:`format_tensor`.

How PyTorch decides the look of a tensor, reproduced here:

* One formatter is chosen per tensor (two for complex: real and imaginary parts), from the
  values that will actually be shown (the summarized corners when the tensor is large).
* Floats ignore zeros, infinities and NaNs when choosing: if every remaining value is an
  integer the tensor prints as ``3.``; scientific notation is used when the largest and
  smallest magnitudes differ by more than 1000x, exceed 1e8 or fall below 1e-4; otherwise
  ``precision`` fixed decimals. Every element is right-aligned to the widest one.
* Rows of a 1-d tensor wrap to ``linewidth``; tensors with more than ``threshold`` elements
  show ``edgeitems`` items at each end of every dimension around ``...``.
* ``dtype=`` is shown unless the dtype is the default float, int64, bool or the default
  complex; empty tensors always show it unless they are of the default float dtype.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

__all__ = ["format_tensor", "get_printoptions", "printoptions", "set_printoptions"]

_DTYPES: dict[str, Any] = {
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
    "complex64": np.complex64,
    "complex128": np.complex128,
    "int8": np.int8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "uint8": np.uint8,
    "bool": np.bool_,
}

# The complex dtype PyTorch pairs with each default float dtype (shown without ``dtype=``).
_DEFAULT_COMPLEX = {"float32": "complex64", "float64": "complex128"}


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

_OUR_MODULE, _TORCH_MODULE = "srcdiff.", "torch."

# profile name -> (precision, threshold, edgeitems, linewidth), as PyTorch defines them
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"set_printoptions: {name} must be an integer >= {minimum}, got {value!r}")


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, with PyTorch's semantics.

    ``profile`` ("default", "short" or "full") resets the four numeric options first; explicit
    arguments then override it. As in PyTorch, ``sci_mode`` is always assigned: leaving it out
    returns to automatic choice of scientific notation.
    """
    _validate_options(precision, threshold, edgeitems, linewidth, profile, sci_mode)
    if profile is not None:
        (_OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        _OPTS.precision = int(precision)
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = int(edgeitems)
    if linewidth is not None:
        _OPTS.linewidth = int(linewidth)
    _OPTS.sci_mode = None if sci_mode is None else bool(sci_mode)


def _validate_options(
    precision: Any, threshold: Any, edgeitems: Any, linewidth: Any, profile: Any, sci_mode: Any
) -> None:
    """Reject bad options before any is applied, so a failed call changes nothing."""
    if profile is not None and profile not in _PROFILES:
        raise ValueError(
            f"set_printoptions: unknown profile {profile!r}; use one of {sorted(_PROFILES)}"
        )
    for name, value, minimum in (("precision", precision, 0), ("edgeitems", edgeitems, 0)):
        if value is not None:
            _check_int(name, value, minimum)
    if linewidth is not None:
        _check_int("linewidth", linewidth, 1)
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.number))
    ):
        raise ValueError(f"set_printoptions: threshold must be a number, got {threshold!r}")
    if sci_mode is not None and not isinstance(sci_mode, (bool, np.bool_)):
        raise ValueError(
            f"set_printoptions: sci_mode must be True, False or None, got {sci_mode!r}"
        )


def get_printoptions() -> dict[str, Any]:
    """The current options, as keyword arguments accepted by :func:`set_printoptions`."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change print options (same keywords as :func:`set_printoptions`)."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """Formats single elements of one tensor (or of its real or imaginary part) alike."""

    __slots__ = ("is_float", "int_mode", "sci_mode", "width", "precision")

    def __init__(self, shown: np.ndarray, opts: _PrintOptions) -> None:
        self.precision = opts.precision
        self.is_float = shown.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = shown.reshape(-1)
        if not self.is_float:
            self.width = max([1, *(len(str(v)) for v in _extremes(flat))])
            return
        values = flat.astype(np.float64)
        nonzero = values[np.isfinite(values) & (values != 0)]
        if nonzero.size == 0:  # only zeros, infs and nans: PyTorch keeps the defaults
            return
        magnitude = np.abs(nonzero)
        smallest, largest = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        if opts.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = opts.sci_mode
        if self.sci_mode:
            spec, extra = f".{self.precision}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1  # room for the trailing "." that marks a float
        else:
            spec, extra = f".{self.precision}f", 0
        self.width = max(1, max(len(format(v, spec)) for v in nonzero.tolist()) + extra)

    def __call__(self, value: Any) -> str:
        if not self.is_float:
            text = str(value)
        elif self.sci_mode:
            text = format(value, f"{self.width}.{self.precision}e")
        elif self.int_mode:
            text = format(value, ".0f")
            if math.isfinite(value):
                text += "."
        else:
            text = format(value, f".{self.precision}f")
        return text.rjust(self.width)


def _extremes(flat: np.ndarray) -> list[Any]:
    """The values whose text is widest for an int or bool tensor (length grows with |v|)."""
    if flat.size == 0:
        return []
    if flat.dtype == np.bool_:
        return sorted(set(flat.tolist()))
    return [flat.min().item(), flat.max().item()]


def _summarized(arr: np.ndarray, edgeitems: int) -> np.ndarray:
    """The corners of ``arr`` that a summarized print shows, which alone pick the formatter."""
    if arr.ndim >= 2 and edgeitems == 0:
        return arr[(slice(0, 0),) * arr.ndim]
    for axis, size in enumerate(arr.shape):
        if size > 2 * edgeitems and edgeitems > 0:
            keep = np.r_[0:edgeitems, size - edgeitems : size]
            arr = np.take(arr, keep, axis=axis)
    return arr


class _Printer:
    """Renders the bracketed body of one tensor with fixed formatters and options."""

    def __init__(self, arr: np.ndarray, opts: _PrintOptions) -> None:
        self.opts = opts
        self.summarize = arr.size > opts.threshold
        shown = _summarized(arr, opts.edgeitems) if self.summarize else arr
        if arr.dtype.kind == "c":
            self.real: _Formatter = _Formatter(shown.real, opts)
            self.imag: _Formatter | None = _Formatter(shown.imag, opts)
        else:
            self.real, self.imag = _Formatter(shown, opts), None

    def element(self, value: Any) -> str:
        if self.imag is None:
            return self.real(value)
        real = self.real(value.real)
        imag = (self.imag(value.imag) + "j").lstrip()
        # a signed imaginary part ("-2.j") needs no "+"; "nanj" and "2.j" get one
        return real + imag if imag[0] in "+-" else real + "+" + imag

    def render(self, arr: np.ndarray, indent: int) -> str:
        if arr.ndim == 0:
            return self.element(arr.item())
        if arr.ndim == 1:
            return self._vector(arr, indent)
        edge = self.opts.edgeitems
        rows = range(arr.shape[0])
        if self.summarize and arr.shape[0] > 2 * edge:
            head = [self.render(arr[i], indent + 1) for i in range(edge)]
            tail = [self.render(arr[i], indent + 1) for i in rows[len(rows) - edge :]]
            parts = [*head, "...", *tail]
        else:
            parts = [self.render(arr[i], indent + 1) for i in rows]
        return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"

    def _vector(self, arr: np.ndarray, indent: int) -> str:
        edge = self.opts.edgeitems
        item_width = self.real.width + 2  # the element plus ", "
        if self.imag is not None:
            item_width += self.imag.width + 1  # the imaginary part plus "j"
        per_line = max(1, (self.opts.linewidth - indent) // item_width)
        if self.summarize and not edge:
            items = ["..."]
        elif self.summarize and arr.shape[0] > 2 * edge:
            head = [self.element(v) for v in arr[:edge].tolist()]
            tail = [self.element(v) for v in arr[-edge:].tolist()]
            items = [*head, " ...", *tail]
        else:
            items = [self.element(v) for v in arr.tolist()]
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int, linewidth: int) -> str:
    """Append ``, suffix`` fields, moving one to a new line when it would pass ``linewidth``."""
    pieces = [text]
    # PyTorch's own measure of the last line (it counts two more than the characters)
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # PyTorch decides with its own spelling "torch.", two characters shorter than ours
        width = len(suffix) - (len(_OUR_MODULE) - len(_TORCH_MODULE)) * suffix.count(_OUR_MODULE)
        if last_line + width + 2 > linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line = indent + width
        else:
            pieces.append(", " + suffix)
            last_line += width + 2
    pieces.append(")")
    return "".join(pieces)


def _as_array(values: Any, dtype_name: str) -> np.ndarray:
    try:
        np_dtype = _DTYPES[dtype_name]
    except (KeyError, TypeError):
        raise ValueError(
            f"format_tensor: unknown dtype name {dtype_name!r}; expected one of {sorted(_DTYPES)}"
        ) from None
    arr = np.asarray(values)
    return arr if arr.dtype == np_dtype else arr.astype(np_dtype)


def format_tensor(
    values: np.ndarray,
    dtype_name: str,
    suffixes: list[str],
    *,
    default_dtype: str = "float32",
) -> str:
    """What PyTorch's ``repr`` prints for a CPU tensor holding ``values``, with ``srcdiff.``
    in place of ``torch.``.

    ``dtype_name`` is the tensor's dtype ("float32", "int64", ...); ``values`` holds its data
    (0-d for a scalar). ``suffixes`` are trailing fields already formatted, such as
    ``"grad_fn=<AddBackward0>"``; they follow ``size=`` and ``dtype=`` when those are shown.
    ``default_dtype`` is the current default float dtype (PyTorch's ``get_default_dtype``).
    """
    arr = _as_array(values, dtype_name)
    opts = _OPTS
    prefix = "tensor("
    indent = len(prefix)
    fields: list[str] = []
    if arr.size == 0:
        # PyTorch shows the shape of an empty tensor unless it is 1-d, and always the dtype
        # unless it is the default float: an empty tensor has no values that reveal it.
        if arr.ndim != 1:
            fields.append(f"size={tuple(arr.shape)}")
        if dtype_name != default_dtype:
            fields.append(f"dtype=srcdiff.{dtype_name}")
        body = "[]"
    else:
        if not opts.edgeitems:
            fields.append(f"size={tuple(arr.shape)}")
        implied = {default_dtype, _DEFAULT_COMPLEX.get(default_dtype), "int64", "bool"}
        if dtype_name not in implied:
            fields.append(f"dtype=srcdiff.{dtype_name}")
        body = _Printer(arr, opts).render(arr, indent)
    fields.extend(suffixes)
    return _add_suffixes(prefix + body, fields, indent, opts.linewidth)
