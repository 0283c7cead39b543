"""srcdiff: automatic differentiation by source transformation, plus a
PyTorch-style eager runtime on numpy that shares the same derivative rules."""

from srcdiff._eager_api import *  # noqa: F403  (Tensor, tensor, ops, dtypes: the eager half)
from srcdiff.api import check_grads, grad, source, value_and_grad, vjp
from srcdiff.errors import SrcdiffError

__version__ = "0.1.0"

__all__ = ["SrcdiffError", "check_grads", "grad", "source", "value_and_grad", "vjp"]
