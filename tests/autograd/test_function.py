"""autograd.Function: ctx API, apply, non-Tensor args, once_differentiable."""

from __future__ import annotations

import re

import pytest

import srcdiff as torch
from srcdiff.autograd import gradcheck, gradgradcheck
from srcdiff.autograd.function import once_differentiable
from srcdiff.autograd.gradcheck import GradcheckError


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale  # arbitrary attributes live on ctx
        return x**3 * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False)
        return g * 3 * x**2 * ctx.scale, None


def _x():
    return torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)


def test_apply_and_gradients():
    x = _x()
    y = Cube.apply(x, 2.0)
    assert re.fullmatch(
        r"<srcdiff\.autograd\.function\.CubeBackward object at 0x[0-9a-f]+>", repr(y.grad_fn)
    )
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([6 * 0.25, 6 * 1.0, 6 * 4.0])
    assert gradcheck(lambda t: Cube.apply(t, 2.0), (_x(),))


def test_second_order_through_function():
    # backward is written with differentiable ops, so create_graph works through it
    assert gradgradcheck(lambda t: Cube.apply(t, 1.5), (_x(),))


def test_mark_non_differentiable_and_multiple_outputs():
    class SortLike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = torch.tensor([2, 0, 1])
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x[idx] * 1.0, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            (idx,) = ctx.saved_tensors
            out = torch.zeros_like(g)
            out[idx] = g
            return out

    x = _x()
    vals, idx = SortLike.apply(x)
    assert vals.requires_grad and not idx.requires_grad
    (vals * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    assert x.grad.tolist() == [2.0, 3.0, 1.0]


def test_set_materialize_grads_false_passes_none():
    class Two(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            assert g2 is None
            return g1 * 2

    x = _x()
    a, _ = Two.apply(x)
    a.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_materialized_grads_are_zeros():
    class Two(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    x = _x()
    _, b = Two.apply(x)
    b.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0, 3.0]


def test_mark_dirty_in_place_function():
    class AddOne_(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = _x()
    y = x * 1.0
    z = AddOne_.apply(y)
    assert z is y and y._version == 1
    z.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_saved_tensors_freed_after_backward():
    x = _x()
    y = Cube.apply(x, 1.0).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="^Trying to backward through the graph a second time"):
        y.backward()


def test_wrong_number_of_gradients():
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g

    x = _x()
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "function BadBackward returned an incorrect number of gradients (expected 2, got 1)"
        ),
    ):
        Bad.apply(x, x).sum().backward()


def test_wrong_gradient_shape():
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return torch.ones(4, dtype=torch.float64)

    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Function BadBackward returned an invalid gradient at index 0 - got [4] but expected "
            "shape compatible with [3]"
        ),
    ):
        Bad.apply(_x()).sum().backward()


def test_gradient_for_non_tensor_input():
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a, k):
            return a * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(
        RuntimeError,
        match="returned a gradient different than None at position 2, but the corresponding "
        "forward input was not a Variable",
    ):
        Bad.apply(_x(), 2.0).sum().backward()


def test_once_differentiable():
    class Sq(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * 2 * a

    x = _x()
    Sq.apply(x).sum().backward()
    assert x.grad.tolist() == [1.0, -2.0, 4.0]
    go = torch.ones(3, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(Sq.apply(x), x, go, create_graph=True)
    with pytest.raises(
        RuntimeError,
        match="^trying to differentiate twice a function that was marked with "
        "@once_differentiable$",
    ):
        g.sum().backward()


def test_gradcheck_reports_mismatch():
    class Wrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = torch.ones(2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as e:
        gradcheck(Wrong.apply, (x,))
    assert str(e.value) == (
        "Jacobian mismatch for output 0 with respect to input 0,\n"
        "numerical:tensor([[2.0000, 0.0000],\n        [0.0000, 2.0000]], dtype=srcdiff.float64)\n"
        "analytical:tensor([[3., 0.],\n        [0., 3.]], dtype=srcdiff.float64)\n"
    )
    assert isinstance(e.value, RuntimeError)  # as in PyTorch, GradcheckError is a RuntimeError
    assert gradcheck(Wrong.apply, (x,), raise_exception=False) is False


def test_gradcheck_warns_for_float32():
    x = torch.ones(2, requires_grad=True)
    with pytest.warns(
        UserWarning,
        match=r"^Input #0 requires gradient and is not a double precision floating point or "
        r"complex",
    ):
        assert gradcheck(lambda a: a * 2, (x,), eps=1e-3, atol=1e-2, rtol=1e-2)
