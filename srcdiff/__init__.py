"""srcdiff: automatic differentiation by source transformation, plus a
PyTorch-style eager runtime on numpy that shares the same derivative rules."""

from srcdiff import _eager_api
from srcdiff._eager_api import *  # noqa: F403  (Tensor, tensor, ops, dtypes: the eager half)
from srcdiff.api import adjoint, check_grads, grad, source, value_and_grad, vjp
from srcdiff.errors import SrcdiffError

__version__ = "0.1.0"

__all__ = [
    "SrcdiffError",
    "adjoint",
    "check_grads",
    "grad",
    "source",
    "value_and_grad",
    "vjp",
    *_eager_api.__all__,
]
