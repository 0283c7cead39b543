"""dtype objects and ``Size``: PyTorch's names, printed with srcdiff's module name."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

__all__ = [
    "Size",
    "dtype",
    "float32",
    "float",
    "float64",
    "double",
    "float16",
    "half",
    "int64",
    "long",
    "int32",
    "int",
    "int16",
    "short",
    "int8",
    "uint8",
    "bool",
    "complex64",
    "cfloat",
    "complex128",
    "cdouble",
    "get_default_dtype",
    "set_default_dtype",
]

_builtin_bool = bool


class dtype:  # noqa: N801  (PyTorch's spelling)
    """A tensor element type; wraps the numpy dtype that stores it."""

    __slots__ = (
        "name",
        "np",
        "is_floating_point",
        "is_complex",
        "is_signed",
        "itemsize",
        "_legacy",
    )

    def __init__(self, name: str, np_dtype: Any, legacy: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize
        self._legacy = legacy

    def __repr__(self) -> str:
        return f"srcdiff.{self.name}"

    def __reduce__(self) -> str:
        return self.name

    def to_real(self) -> dtype:
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self) -> dtype:
        return {"float32": complex64, "float64": complex128}.get(self.name, self)


float32 = dtype("float32", np.float32, "FloatTensor")
float64 = dtype("float64", np.float64, "DoubleTensor")
float16 = dtype("float16", np.float16, "HalfTensor")
int64 = dtype("int64", np.int64, "LongTensor")
int32 = dtype("int32", np.int32, "IntTensor")
int16 = dtype("int16", np.int16, "ShortTensor")
int8 = dtype("int8", np.int8, "CharTensor")
uint8 = dtype("uint8", np.uint8, "ByteTensor")
bool = dtype("bool", np.bool_, "BoolTensor")  # noqa: A001  (PyTorch's name)
complex64 = dtype("complex64", np.complex64, "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, "ComplexDoubleTensor")
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128

_ALL = (float32, float64, float16, int64, int32, int16, int8, uint8, bool, complex64, complex128)
# numpy dtype -> srcdiff dtype; numpy dtypes hash by value so any equal dtype finds its entry.
FROM_NP: dict[Any, dtype] = {d.np: d for d in _ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    if not isinstance(d, dtype) or not (d.is_floating_point):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def to_np(d: Any) -> np.dtype:
    """The numpy dtype for a srcdiff dtype, a numpy dtype or a Python type."""
    if isinstance(d, dtype):
        return d.np
    if d is _builtin_bool:
        return np.dtype(np.bool_)
    if d is _py_float:
        return _default[0].np
    if d is _py_int:
        return np.dtype(np.int64)
    try:
        return FROM_NP[np.dtype(d)].np
    except (KeyError, TypeError):
        raise TypeError(f"unsupported dtype {d!r}") from None


_py_float = builtins.float
_py_int = builtins.int


def from_np(d: np.dtype) -> dtype:
    try:
        return FROM_NP[d]
    except KeyError:
        raise TypeError(f"numpy dtype {d} has no srcdiff equivalent") from None


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``srcdiff.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"srcdiff.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> _py_int:
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, item: Any) -> Any:
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other: Any) -> Size:
        return Size(tuple(self) + tuple(other))
