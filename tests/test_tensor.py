"""Tensor: construction, attributes, conversion, views and versions, printing hookup."""

from __future__ import annotations

import re

import numpy as np
import pytest

import srcdiff as torch


def test_attributes():
    x = torch.ones(2, 3, requires_grad=True)
    assert x.dim() == x.ndim == 2 and x.numel() == 6 and len(x) == 2
    assert str(x.device) == "cpu" and x.device == torch.device("cpu")
    assert x.grad is None and x.grad_fn is None and x.is_leaf and x.requires_grad
    assert x.dtype is torch.float32 and x.shape == (2, 3)


def test_item_tolist_numpy_share_memory():
    t = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]] and t[1, 0].item() == 3.0
    a = t.numpy()
    a[0, 0] = 10
    assert t[0, 0].item() == 10
    arr = np.zeros(3)
    f = torch.from_numpy(arr)
    f.add_(1)
    assert arr.tolist() == [1.0, 1.0, 1.0] and f.dtype is torch.float64


def test_tensor_copies_as_tensor_shares():
    arr = np.zeros(2, dtype=np.float32)
    assert not np.shares_memory(torch.tensor(arr).numpy(), arr)
    assert np.shares_memory(torch.as_tensor(arr).numpy(), arr)


def test_repr_suffixes():
    x = torch.ones(2, requires_grad=True)
    assert repr(x) == "tensor([1., 1.], requires_grad=True)"
    assert repr(x + 2) == "tensor([3., 3.], grad_fn=<AddBackward0>)"
    assert repr(torch.tensor([1, 2], dtype=torch.int32)) == "tensor([1, 2], dtype=srcdiff.int32)"
    assert re.fullmatch(r"<MulBackward0 object at 0x[0-9a-f]+>", str((x * 2).grad_fn))


def test_views_share_storage_and_version():
    x = torch.zeros(2, 3)
    v = x[0]
    w = x.view(6)
    v.fill_(1)
    assert x.tolist()[0] == [1.0, 1.0, 1.0] and w._version == x._version == v._version == 1
    e = x[1, 2]
    e.fill_(5)
    assert x[1, 2].item() == 5.0


def test_inplace_ops_and_operators():
    x = torch.ones(3)
    x += 1
    x *= 3
    x -= 1
    x /= 5
    assert x.tolist() == [1.0, 1.0, 1.0] and x._version == 4
    x.zero_()
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_setitem_values():
    x = torch.zeros(3, 3)
    x[0] = 1
    x[:, 2] = torch.tensor([7.0, 8.0, 9.0])
    x[x == 0] = -1
    assert x.tolist() == [[1.0, 1.0, 7.0], [-1.0, -1.0, 8.0], [-1.0, -1.0, 9.0]]


def test_reductions_values():
    m = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    assert m.sum().item() == 21 and m.sum(0).tolist() == [5.0, 7.0, 9.0]
    assert m.mean(1, keepdim=True).shape == (2, 1)
    vals, idx = m.max(dim=1)
    assert vals.tolist() == [5.0, 6.0] and idx.tolist() == [1, 2] and idx.dtype is torch.int64
    assert m.var().item() == pytest.approx(np.var(m.numpy(), ddof=1))
    assert m.all().item() and not (m > 5).all().item() and (m > 5).any().item()


def test_comparisons_and_eq_all():
    x = torch.tensor([1.0, 2.0])
    assert (x == torch.tensor([1.0, 3.0])).tolist() == [True, False]
    assert x.eq(x.detach()).all().item() is True
    assert torch.equal(x, x.clone())


def test_creation_functions():
    assert torch.zeros(2, 3).shape == (2, 3) and torch.ones((2,)).tolist() == [1.0, 1.0]
    assert torch.full((2,), 7).dtype is torch.int64 and torch.full((2,), 7.0).tolist() == [7.0, 7.0]
    assert torch.arange(1, 4).tolist() == [1, 2, 3] and torch.arange(0, 1, 0.25).tolist() == [
        0.0,
        0.25,
        0.5,
        0.75,
    ]
    assert torch.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]] and torch.linspace(
        0, 1, 3
    ).tolist() == [0.0, 0.5, 1.0]
    assert torch.zeros_like(torch.ones(2, dtype=torch.int32)).dtype is torch.int32
    assert torch.randn(size=()).shape == () and torch.randint(0, 5, (4,)).dtype is torch.int64


def test_manual_seed_repeats():
    torch.manual_seed(3)
    a = torch.randn(4)
    torch.manual_seed(3)
    assert torch.equal(a, torch.randn(4))
    state = torch.get_rng_state()
    b = torch.rand(3)
    torch.set_rng_state(state)
    assert torch.equal(b, torch.rand(3)) and torch.initial_seed() == 3


def test_to_and_casts():
    x = torch.tensor([1.7, -2.2])
    assert x.long().tolist() == [1, -2] and x.double().dtype is torch.float64
    assert x.to(torch.float64).dtype is torch.float64 and x.to("cpu") is x
    with pytest.raises(RuntimeError):
        x.cuda()


def test_clone_and_contiguous():
    x = torch.ones(2, 3)
    c = x.clone()
    c.zero_()
    assert x.sum().item() == 6
    t = x.t()
    assert not t.is_contiguous() and t.contiguous().is_contiguous()


def test_make_subclass_for_parameters():
    class Param(torch.Tensor):
        pass

    data = torch.ones(2)
    w = torch.Tensor._make_subclass(Param, data, True)
    assert type(w) is Param and w.is_leaf and w.requires_grad
    assert np.shares_memory(w.detach().numpy(), data.numpy())
    (w * 2 + w).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0] and type(w * 2) is torch.Tensor
