"""``Tensor``: a numpy array plus the autograd bookkeeping PyTorch keeps.

Slots: ``_data`` (the ndarray), ``_requires_grad``, ``_grad``, ``_grad_fn``
(the Node that made it, None for leaves), ``_out_nr`` (which output of that
node), ``_vc`` (version counter: a one-element list shared by a tensor and its
views, created on first need), ``_base`` (the tensor a view looks into),
``_accum`` (a leaf's AccumulateGrad node, created once).

Op methods are thin: the work is in :mod:`srcdiff.ops.core` (dispatch,
dtype promotion, graph recording) and the op modules.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from srcdiff import dtypes as _dt
from srcdiff.autograd import engine as _engine
from srcdiff.autograd.grad_mode import INFERENCE

_ndarray = np.ndarray
_ONES = {np.dtype(t): np.ones((), t) for t in (np.float16, np.float32, np.float64)}
_object_new = object.__new__


class device:  # noqa: N801  (PyTorch's spelling)
    """Where a tensor lives: always the CPU here."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        name = str(type).split(":")[0]
        if name != "cpu":
            raise RuntimeError(f"srcdiff runs on the CPU only; device {type!r} is not available")
        self.type = "cpu"
        self.index = index

    def __repr__(self) -> str:
        return (
            "device(type='cpu')"
            if self.index is None
            else f"device(type='cpu', index={self.index})"
        )

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (device, str)) and str(other).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


CPU = device("cpu")

_NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more informations."
)


# The version counter of inference tensors (made under inference_mode): PyTorch gives them
# none; sharing this marker makes them recognisable at no cost to other tensors.
INFERENCE_VC = [0]
INFERENCE_SAVE_MSG = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `srcdiff.no_grad()` instead of "
    "`srcdiff.inference_mode()`."
)
INFERENCE_INPLACE_MSG = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details."
)


def _wrap(data: Any, req: bool = False, fn: Any = None, vc: Any = None) -> Tensor:
    """The fast constructor: a Tensor around an ndarray, no checks, no copy."""
    t = _object_new(Tensor)
    t._data = data
    t._requires_grad = req
    t._grad_fn = fn
    t._grad = None
    t._vc = INFERENCE_VC if vc is None and INFERENCE[0] else vc
    t._base = None
    t._out_nr = 0
    t._accum = None
    return t


class Tensor:
    """A multi-dimensional array with PyTorch's autograd semantics, stored in numpy."""

    __slots__ = (
        "_data",
        "_requires_grad",
        "_grad",
        "_grad_fn",
        "_vc",
        "_base",
        "_out_nr",
        "_accum",
        "__weakref__",
    )
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected methods

    def __init__(self, *args: Any) -> None:
        # The legacy constructor: Tensor([1, 2]) copies data, Tensor(2, 3) is uninitialised.
        if len(args) == 1 and not isinstance(args[0], int):
            arr = np.array(args[0], dtype=_dt.get_default_dtype().np)
        else:
            shape = args[0] if len(args) == 1 and not isinstance(args[0], int) else args
            arr = np.zeros(tuple(shape), dtype=_dt.get_default_dtype().np)
        self._data = arr
        self._requires_grad = False
        self._grad_fn = None
        self._grad = None
        self._vc = INFERENCE_VC if INFERENCE[0] else None
        self._base = None
        self._out_nr = 0
        self._accum = None

    @staticmethod
    def _make_subclass(cls: type, data: Tensor, require_grad: bool = False) -> Any:
        """An instance of the Tensor subclass ``cls`` sharing ``data``'s storage (a new leaf),
        as PyTorch's ``Tensor._make_subclass`` (what ``nn.Parameter`` is built with)."""
        t = _object_new(cls)
        t._data = data._data if isinstance(data, Tensor) else np.asarray(data)
        t._requires_grad = False
        t._grad_fn = None
        t._grad = None
        t._vc = None
        t._base = None
        t._out_nr = 0
        t._accum = None
        if require_grad:
            t.requires_grad_(True)
        return t

    # ------------------------------------------------------------------ autograd state
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self._grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if requires_grad and self._vc is INFERENCE_VC and not INFERENCE[0]:
            raise RuntimeError(
                "Setting requires_grad=True on inference tensor outside InferenceMode is not "
                "allowed."
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self) -> Any:
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self._grad is None and self._grad_fn is not None and not self.retains_grad:
            warnings.warn(_NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    "tensor of size "
                    f"'{list(self._data.shape)}'. Please ensure that the gradient and the tensor "
                    "are the same size"
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        fn = self._grad_fn
        if fn is None or fn._hooks is None:
            return False
        return self._out_nr in fn._hooks.retain

    @property
    def output_nr(self) -> int:
        return self._out_nr

    @property
    def _version(self) -> int:
        if self._vc is INFERENCE_VC:
            raise RuntimeError("Inference tensors do not track version counter.")
        return 0 if self._vc is None else self._vc[0]

    def is_inference(self) -> bool:
        """Made under ``inference_mode`` (no version counter, never saved for backward)."""
        return self._vc is INFERENCE_VC

    def _counter(self) -> list[int]:
        """The version counter, shared with the base for views."""
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _bump(self) -> None:
        vc = self._vc
        if vc is None:
            self._vc = [1]
        elif vc is INFERENCE_VC:
            if not INFERENCE[0]:
                raise RuntimeError(INFERENCE_INPLACE_MSG)
        else:
            vc[0] += 1

    def _accumulator(self) -> Any:
        acc = self._accum
        if acc is None:
            acc = self._accum = _engine.AccumulateGrad(self)
        return acc

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None:
            return  # leaves keep their grad anyway
        import weakref

        self._grad_fn._get_hooks().retain[self._out_nr] = weakref.ref(self)

    def register_hook(self, hook: Any) -> Any:
        """``hook(grad)`` runs when this tensor's gradient is computed; may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._grad_fn if self._grad_fn is not None else self._accumulator()
        lst = node._get_hooks().tensor_pre
        item = (self._out_nr, hook)
        lst.append(item)
        return _engine._RemovableHandle(lst, item)

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        fn = self._grad_fn
        if (
            gradient is None
            and inputs is None
            and fn is not None
            and self._data.size == 1
            and not _engine.ANOMALY[0]
        ):
            # the common `loss.backward()`: straight to the engine
            if self._data.dtype.kind in "fc":
                d = self._data
                one = _ONES.get(d.dtype)
                seed = one.copy() if one is not None and d.ndim == 0 else np.ones(d.shape, d.dtype)
                grads = [_wrap(seed) if create_graph else seed]
                keep = create_graph if retain_graph is None else retain_graph
                _engine._run_plain([(fn, self._out_nr)], grads, keep, create_graph)
                return
        from srcdiff.autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A new leaf sharing storage (and the version counter) with this tensor."""
        # not an autograd view (in-place changes are allowed), but the version counter is shared
        return _wrap(self._data, False, None, self._counter())

    def detach_(self) -> Tensor:
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) "
                "for training, and gradient_as_bucket_view is set as True, gradients are views "
                "of DDP buckets, and "
                "hence detach_() cannot be called on these gradients. To fix this error, please "
                "refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        self._out_nr = 0
        return self

    # ------------------------------------------------------------------ data access
    @property
    def data(self) -> Tensor:
        return _wrap(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.FROM_NP[self._data.dtype]

    @property
    def shape(self) -> _dt.Size:
        return _dt.Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return _dt.Size(self._data.shape)
        return self._data.shape[_norm_dim(dim, self._data.ndim)]

    @property
    def device(self) -> device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_norm_dim(dim, self._data.ndim)]

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        raise RuntimeError("srcdiff runs on the CPU only: CUDA is not available")

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from srcdiff._printing import format_tensor

        suffixes = []
        fn = self._grad_fn
        if fn is not None:
            suffixes.append(f"grad_fn=<{type(fn).__name__}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        return format_tensor(
            self._data, self._data.dtype.name, suffixes, default_dtype=_dt.get_default_dtype().name
        )

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return self.item().__format__(spec)
        return repr(self)

    def __reduce_ex__(self, proto: int) -> Any:
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  "
                "If you were attempting to deepcopy a module, this may be because of a "
                "torch.nn.utils.weight_norm usage, "
                "see https://github.com/pytorch/pytorch/pull/103001"
            )
        t = _wrap(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            t._grad = _wrap(self._grad._data.copy())
        memo[id(self)] = t
        return t


def _rebuild(data: np.ndarray, req: bool) -> Tensor:
    return _wrap(data, req)


def _norm_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


_engine._Tensor[0] = Tensor
_engine._wrap[0] = _wrap
_engine.TensorType = Tensor
