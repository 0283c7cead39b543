"""Engine behaviour: accumulation, dependency order, hooks, autograd.grad, create_graph, inputs=."""

from __future__ import annotations

import re

import numpy as np
import pytest

import srcdiff as torch


def test_gradients_accumulate_into_leaves():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]


def test_shared_gradient_buffers_are_not_aliased():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]


def test_diamond_graph_runs_each_node_once_after_all_inputs():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x
    z = y + y * y  # y used twice: its node must wait for both contributions
    seen = []
    y.register_hook(lambda g: seen.append(g.item()))
    z.backward()
    assert seen == [1.0 + 2 * 9.0]
    assert x.grad.item() == pytest.approx((1 + 2 * 9.0) * 6.0)


def test_next_functions_and_accumulate_grad():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    (fn, nr), (none, zero) = y.grad_fn.next_functions
    assert type(fn).__name__ == "AccumulateGrad" and fn.variable is x and nr == 0
    assert none is None and zero == 0
    assert re.fullmatch(r"<AccumulateGrad object at 0x[0-9a-f]+>", repr(fn))


def test_grad_fn_names():
    x = torch.ones(3, requires_grad=True)
    w = torch.ones(3, 3, requires_grad=True)
    names = {
        "AddBackward0": x + 1,
        "SubBackward0": x - 1,
        "MulBackward0": 2 * x,
        "DivBackward0": x / 2,
        "PowBackward0": x**2,
        "PowBackward1": x**x,
        "PowBackward2": 2**x,
        "RsubBackward1": 1 - x,
        "NegBackward0": -x,
        "ExpBackward0": x.exp(),
        "TanhBackward0": x.tanh(),
        "SumBackward0": x.sum(),
        "SumBackward1": w.sum(0),
        "MeanBackward0": x.mean(),
        "MeanBackward1": w.mean(1),
        "MmBackward0": w @ w,
        "MvBackward0": w @ x,
        "DotBackward0": torch.dot(x, x),
        "TBackward0": w.t(),
        "ViewBackward0": w.view(9),
        "SelectBackward0": x[0],
        "SliceBackward0": x[1:],
        "IndexBackward0": x[[0, 1]],
        "MaxBackward1": x.max(),
        "ReluBackward0": x.relu(),
        "SigmoidBackward0": x.sigmoid(),
        "ClampBackward1": x.clamp(0, 1),
        "PermuteBackward0": w.T,
        "UnsqueezeBackward0": x.unsqueeze(0),
        "ExpandBackward0": x.expand(2, 3),
        "CloneBackward0": x.clone(),
        "ToCopyBackward0": x.double(),
        "VarBackward0": x.var(),
        "AbsBackward0": x.abs(),
    }
    for name, t in names.items():
        assert type(t.grad_fn).__name__ == name
        assert t.grad_fn.name() == name


def test_autograd_grad_does_not_touch_leaf_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x**3).sum(), x)
    assert g.tolist() == [3.0, 12.0] and x.grad is None


def test_autograd_grad_of_intermediate():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    (gy,) = torch.autograd.grad((y * y).sum(), y)
    assert gy.tolist() == [4.0, 8.0]


def test_create_graph_second_derivative():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x**3).sum(), x, create_graph=True)
    assert g.requires_grad and type(g.grad_fn).__name__ != "AccumulateGrad"
    g.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]  # d/dx 3x^2 = 6x


def test_backward_create_graph_keeps_graph_of_grad():
    x = torch.tensor(2.0, requires_grad=True)
    (x**3).backward(create_graph=True)
    g = x.grad
    assert g.item() == 12.0 and g.requires_grad
    (g2,) = torch.autograd.grad(g, x)
    assert g2.item() == 12.0  # 6x


def test_third_derivative():
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = torch.sin(x)
    (g1,) = torch.autograd.grad(y, x, create_graph=True)
    (g2,) = torch.autograd.grad(g1, x, create_graph=True)
    (g3,) = torch.autograd.grad(g2, x)
    assert g3.item() == pytest.approx(-np.cos(0.5))


def test_backward_inputs_restricts_accumulation():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    (a * b * 3).sum().backward(inputs=[a])
    assert a.grad.tolist() == [3.0, 3.0] and b.grad is None


def test_hooks_can_replace_gradient():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 10)
    y.sum().backward()
    assert x.grad.tolist() == [20.0, 20.0]


def test_leaf_hook_and_handle_remove():
    x = torch.ones(2, requires_grad=True)
    h = x.register_hook(lambda g: g + 1)
    (x * 2).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    h.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_node_pre_and_post_hooks():
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    calls = []
    y.grad_fn.register_prehook(lambda gouts: calls.append("pre"))
    y.grad_fn.register_hook(lambda gins, gouts: calls.append("post"))
    y.sum().backward()
    assert calls == ["pre", "post"]


def test_detach_shares_memory_and_version():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d.data[0] = 999
    assert x.tolist()[0] == 999
    d.zero_()
    assert x._version == 1 and x.tolist() == [0.0, 0.0]


def test_detach_inplace():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_requires_grad_propagates():
    a = torch.ones(2)
    b = torch.ones(2, requires_grad=True)
    assert not (a * 2).requires_grad
    assert (a * b).requires_grad
    assert (a * b).sum().requires_grad


def test_leaf_properties():
    x = torch.ones(2, requires_grad=True)
    assert x.is_leaf and torch.ones(2).is_leaf
    assert not (x * 2).is_leaf


def test_long_chain_no_recursion_limit():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_anomaly_mode_reports_nan_and_forward_trace():
    x = torch.zeros(1, requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mode = torch.autograd.detect_anomaly()
    with mode:
        y = (x.sqrt() * 0).sum()
        with pytest.warns(UserWarning, match="Error detected in SqrtBackward0"):
            with pytest.raises(
                RuntimeError,
                match="^Function 'SqrtBackward0' returned nan values in its 0th output.$",
            ):
                y.backward()
    assert not torch.autograd.is_anomaly_enabled()


def test_set_detect_anomaly():
    torch.autograd.set_detect_anomaly(True)
    try:
        assert torch.autograd.is_anomaly_enabled()
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert not torch.autograd.is_anomaly_enabled()


def test_user_gradient_is_never_aliased_by_leaf_grad():
    x = torch.ones(3, requires_grad=True)
    g = torch.ones(3)
    (x + 0).backward(g)  # add passes the user's gradient straight through
    x.grad.zero_()
    assert g.tolist() == [1.0, 1.0, 1.0]


def test_leaf_grad_is_writable_own_buffer():
    x = torch.ones(2, 3, requires_grad=True)
    x.sum().backward()  # sum's gradient is a broadcast of one number
    x.grad.add_(1)
    assert x.grad.tolist() == [[2.0] * 3] * 2
