"""Every differentiable op's gradient against float64 central differences (gradcheck),
and second derivatives (gradgradcheck) through the same rules run on Tensors."""

from __future__ import annotations

import numpy as np
import pytest

import srcdiff as torch
from srcdiff.autograd import gradcheck, gradgradcheck


def _t(*shape, low=-1.0, high=1.0, seed=0):
    rng = np.random.default_rng(seed + sum(shape) + len(shape))
    return torch.tensor(rng.uniform(low, high, shape), dtype=torch.float64, requires_grad=True)


def _pos(*shape, seed=0):
    return _t(*shape, low=0.5, high=2.0, seed=seed)


CASES = {
    "add_broadcast": (lambda a, b: a + b, lambda: (_t(2, 3), _t(3))),
    "add_alpha": (lambda a, b: torch.add(a, b, alpha=2.5), lambda: (_t(2, 3), _t(2, 1))),
    "sub_scalar": (lambda a: 3.0 - a - 1, lambda: (_t(4),)),
    "mul_broadcast": (lambda a, b: a * b, lambda: (_t(2, 1, 3), _t(4, 1))),
    "div": (lambda a, b: a / b, lambda: (_t(3, 2), _pos(2))),
    "rdiv": (lambda a: 2.0 / a, lambda: (_pos(3),)),
    "pow_scalar": (lambda a: a**3, lambda: (_t(5),)),
    "pow_tensor": (lambda a, b: a**b, lambda: (_pos(2, 3), _t(3))),
    "rpow": (lambda a: 2.0**a, lambda: (_t(3),)),
    "neg": (lambda a: -a, lambda: (_t(3),)),
    "abs": (lambda a: a.abs(), lambda: (_pos(3),)),
    "exp": (torch.exp, lambda: (_t(3, 2),)),
    "log": (torch.log, lambda: (_pos(3),)),
    "sqrt": (torch.sqrt, lambda: (_pos(3),)),
    "sin": (torch.sin, lambda: (_t(3),)),
    "cos": (torch.cos, lambda: (_t(3),)),
    "tan": (torch.tan, lambda: (_t(3),)),
    "tanh": (torch.tanh, lambda: (_t(3),)),
    "sigmoid": (torch.sigmoid, lambda: (_t(3),)),
    "relu": (torch.relu, lambda: (_t(6, seed=3),)),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), lambda: (_t(6, seed=4),)),
    "maximum": (torch.maximum, lambda: (_t(4, seed=1), _t(4, seed=2))),
    "where": (lambda a, b: torch.where(a > 0, a, b), lambda: (_t(4, seed=1), _t(4, seed=2))),
    "sum_all": (lambda a: a.sum(), lambda: (_t(2, 3),)),
    "sum_dim": (lambda a: a.sum(1), lambda: (_t(2, 3),)),
    "sum_dims_keepdim": (lambda a: a.sum((0, 2), keepdim=True), lambda: (_t(2, 3, 2),)),
    "mean_all": (lambda a: a.mean(), lambda: (_t(2, 3),)),
    "mean_dim_keepdim": (lambda a: a.mean(dim=-1, keepdim=True), lambda: (_t(2, 3),)),
    "max_all": (lambda a: a.max(), lambda: (_t(2, 3, seed=5),)),
    "max_dim": (lambda a: a.max(dim=1).values, lambda: (_t(2, 3, seed=5),)),
    "min_dim": (lambda a: a.min(0)[0], lambda: (_t(2, 3, seed=6),)),
    "prod": (lambda a: a.prod(), lambda: (_pos(4),)),
    "var": (lambda a: a.var(), lambda: (_t(5),)),
    "std_dim": (lambda a: a.std(dim=0), lambda: (_t(4, 2),)),
    "norm": (lambda a: a.norm(), lambda: (_t(4),)),
    "dot": (torch.dot, lambda: (_t(4), _t(4, seed=1))),
    "mm": (torch.mm, lambda: (_t(2, 3), _t(3, 4))),
    "matmul_batched": (torch.matmul, lambda: (_t(2, 2, 3), _t(3, 2))),
    "mv": (lambda a, v: a @ v, lambda: (_t(2, 3), _t(3))),
    "vm": (lambda v, a: v @ a, lambda: (_t(3), _t(3, 2))),
    "bmm": (torch.bmm, lambda: (_t(2, 2, 3), _t(2, 3, 2))),
    "outer": (torch.outer, lambda: (_t(3), _t(2))),
    "t": (lambda a: a.t() * 2, lambda: (_t(2, 3),)),
    "T": (lambda a: a.T * 2, lambda: (_t(2, 3, 2),)),
    "view": (lambda a: a.view(3, 2) * 2, lambda: (_t(2, 3),)),
    "reshape_infer": (lambda a: a.t().reshape(-1) * 2, lambda: (_t(2, 3),)),
    "transpose": (lambda a: a.transpose(0, 2) * 2, lambda: (_t(2, 3, 2),)),
    "permute": (lambda a: a.permute(2, 0, 1) * 2, lambda: (_t(2, 3, 2),)),
    "unsqueeze": (lambda a: a.unsqueeze(1) * 2, lambda: (_t(2, 3),)),
    "squeeze": (lambda a: a.squeeze() * 2, lambda: (_t(2, 1, 3),)),
    "expand": (lambda a: a.expand(4, 3) * 2, lambda: (_t(1, 3),)),
    "flatten": (lambda a: a.flatten() * 2, lambda: (_t(2, 3),)),
    "index_int": (lambda a: a[1] * 2, lambda: (_t(3, 2),)),
    "index_slice": (lambda a: a[:, 1:] * 2, lambda: (_t(3, 3),)),
    "index_fancy_repeat": (lambda a: a[[0, 2, 0]] * 2, lambda: (_t(3, 2),)),
    "index_bool": (lambda a: a[a > 0] * 2, lambda: (_t(6, seed=7),)),
    "cat": (lambda a, b: torch.cat([a, b], dim=1), lambda: (_t(2, 3), _t(2, 2))),
    "stack": (lambda a, b: torch.stack([a, b], dim=1), lambda: (_t(2, 3), _t(2, 3, seed=1))),
    "split": (lambda a: a.split(2)[1] * 3, lambda: (_t(5),)),
    "to_float32_back": (lambda a: a.to(torch.float64) * 2, lambda: (_t(3),)),
    "clone": (lambda a: a.clone() * 2, lambda: (_t(3),)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, make = CASES[name]
    assert gradcheck(fn, make())


SECOND_ORDER = sorted(CASES)  # every op: its rule runs again on Tensors for the second order


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradgradcheck(name):
    fn, make = CASES[name]
    assert gradgradcheck(fn, make())


def test_setitem_gradients():
    def f(a, b):
        c = a * 1.0
        c[1] = b * 3
        c[0, :2] = b[:2] ** 2
        return c

    assert gradcheck(f, (_t(3, 3), _t(3, seed=2)))


def test_inplace_chain_gradients():
    def f(a):
        b = a * 2
        b.add_(1).mul_(a).exp_()
        return b

    assert gradcheck(f, (_t(4),))


def test_inplace_on_view_routes_to_base():
    def f(a, w):
        b = a * 1.0
        b[1:].mul_(w)
        return b

    assert gradcheck(f, (_t(4), _t(3, seed=1)))


def test_float32_gradients_stay_float32():
    x = torch.ones(3, requires_grad=True)
    y = torch.ones(3, dtype=torch.float64)
    (x * y).sum().backward()
    assert x.grad.dtype == torch.float32 and (x * y).dtype == torch.float64


def _idx(*values):
    return torch.tensor(list(values))


MORE = {
    "asin": (torch.asin, lambda: (_t(3, low=-0.8, high=0.8),)),
    "acos": (torch.acos, lambda: (_t(3, low=-0.8, high=0.8),)),
    "sinh": (torch.sinh, lambda: (_t(3),)),
    "cosh": (torch.cosh, lambda: (_t(3),)),
    "asinh": (torch.asinh, lambda: (_t(3),)),
    "acosh": (torch.acosh, lambda: (_t(3, low=1.5, high=3.0),)),
    "atanh": (torch.atanh, lambda: (_t(3, low=-0.8, high=0.8),)),
    "log2": (torch.log2, lambda: (_pos(3),)),
    "exp2": (torch.exp2, lambda: (_t(3),)),
    "reciprocal": (torch.reciprocal, lambda: (_pos(3),)),
    "cumsum": (lambda a: a.cumsum(1), lambda: (_t(2, 3),)),
    "flip": (
        lambda a: a.flip(0) * torch.arange(6.0, dtype=torch.float64).view(2, 3),
        lambda: (_t(2, 3),),
    ),
    "repeat": (lambda a: a.repeat(2, 3), lambda: (_t(2, 1),)),
    "repeat_interleave": (lambda a: a.repeat_interleave(2, dim=0), lambda: (_t(2, 3),)),
    "diagonal": (lambda a: a.diagonal(), lambda: (_t(3, 3),)),
    "trace": (torch.trace, lambda: (_t(3, 3),)),
    "det": (torch.det, lambda: (_t(3, 3, seed=4) + torch.eye(3, dtype=torch.float64) * 3,)),
    "inverse": (torch.inverse, lambda: (_t(3, 3, seed=5) + torch.eye(3, dtype=torch.float64) * 3,)),
    "norm_dim": (lambda a: a.norm(dim=1), lambda: (_t(2, 3),)),
    "norm_p1": (lambda a: a.norm(p=1), lambda: (_t(4, seed=8),)),
    "norm_dims_keepdim": (
        lambda a: torch.norm(a, dim=(0, 2), keepdim=True),
        lambda: (_t(2, 3, 2),),
    ),
    "gather": (lambda a: a.gather(1, torch.tensor([[0, 0], [1, 0]])), lambda: (_t(2, 3),)),
    "index_select": (lambda a: a.index_select(1, _idx(2, 0, 2)), lambda: (_t(2, 3),)),
    "masked_select": (
        lambda a: a.masked_select(torch.tensor([True, False, True])),
        lambda: (_t(2, 3),),
    ),
    "take": (lambda a: torch.take(a, _idx(5, 0, 5)), lambda: (_t(2, 3),)),
    "narrow": (lambda a: a.narrow(1, 1, 2), lambda: (_t(2, 3),)),
    "scatter": (
        lambda a, s: a.scatter(0, torch.tensor([[1, 0, 1]]), s),
        lambda: (_t(2, 3), _t(1, 3)),
    ),
    "scatter_add": (
        lambda a, s: a.scatter_add(1, torch.tensor([[0, 0], [2, 2]]), s),
        lambda: (_t(2, 3), _t(2, 2)),
    ),
    "index_add": (lambda a, s: a.index_add(0, _idx(1, 1), s), lambda: (_t(2, 3), _t(2, 3))),
    "vstack": (lambda a, b: torch.vstack([a, b]), lambda: (_t(3), _t(2, 3))),
    "hstack": (lambda a, b: torch.hstack([a, b]), lambda: (_t(2, 1), _t(2, 3))),
    "tensor_split": (lambda a: a.tensor_split(3, dim=1)[2] * 2, lambda: (_t(2, 5),)),
    "addcmul": (lambda a, b, c: torch.addcmul(a, b, c, value=0.5), lambda: (_t(3), _t(3), _t(3))),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_ops_gradcheck_and_gradgradcheck(name):
    fn, make = MORE[name]
    assert gradcheck(fn, make())
    assert gradgradcheck(fn, make())


def test_gather_values_match_pytorch_semantics():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert torch.gather(x, 1, torch.tensor([[0, 0], [1, 0]])).tolist() == [[1.0, 1.0], [4.0, 3.0]]
    z = torch.zeros(2, 3).scatter_add(0, torch.tensor([[0, 1, 0]]), torch.ones(1, 3))
    assert z.tolist() == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    assert torch.ones(2, 3).repeat(2, 1).shape == (4, 3)


EINSUM = {
    "matmul": ("ij,jk->ik", lambda: (_t(2, 3), _t(3, 4))),
    "reduce_row": ("ij,jk->i", lambda: (_t(2, 3), _t(3, 4))),
    "trace": ("ii->", lambda: (_t(3, 3),)),
    "outer_batch": ("bi,bj->bij", lambda: (_t(2, 3), _t(2, 2))),
    "ellipsis": ("...i,i->...", lambda: (_t(2, 2, 3), _t(3))),
}


@pytest.mark.parametrize("name", sorted(EINSUM))
def test_einsum_first_and_second_order(name):
    eq, make = EINSUM[name]
    fn = lambda *ops: torch.einsum(eq, *ops)  # noqa: E731
    assert type(fn(*make()).grad_fn).__name__ == "EinsumBackward0"
    assert gradcheck(fn, make())
    assert gradgradcheck(fn, make())


def test_augmented_index_assignment_with_repeated_indices():
    # numpy/PyTorch semantics: with a repeated index the last write stays, so only it
    # receives a gradient (b[[0, 0]] += v gives b[0] = a[0] + v[1])
    def f(a, v):
        b = a * 1.0
        b[1:3] += v * 2
        b[[0, 0]] += v[:2]
        b[b > 1] *= 3
        b[[2, 1, 2]] = v[[0, 1, 1]] * 5
        return b

    args = (_t(4, seed=11), _t(2, seed=12))
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)
