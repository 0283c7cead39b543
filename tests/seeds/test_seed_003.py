"""Seed 003 (autograd basics notebook): one test per cell, in order in one kernel, asserting
the printed output the seed shows (object addresses and random values excepted)."""

import re

import numpy as np

ADDR = r"0x[0-9a-f]+"
MATRIX_2x2 = (
    r"tensor\(\[\[ ?-?\d+\.\d{4}, +-?\d+\.\d{4}\],\n        \[ ?-?\d+\.\d{4}, +-?\d+\.\d{4}\]\]\)"
)


def test_in2_ones(kernel):
    out = kernel.run(
        "import torch\nx1= torch.ones(3, 3)\nprint(x1)\nx = torch.ones(2,2, requires_grad=True)\n"
        "print(x)"
    )
    assert out == (
        "tensor([[1., 1., 1.],\n        [1., 1., 1.],\n        [1., 1., 1.]])\n"
        "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)\n"
    )


def test_in3_add(kernel):
    out = kernel.run("y = x + 2\nprint(y)")
    assert out == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)\n"


def test_in4_grad_fn(kernel):
    out = kernel.run("print(x.grad_fn)\nprint(y.grad_fn)")
    assert re.fullmatch(rf"None\n<AddBackward0 object at {ADDR}>\n", out)


def test_in5_mul_grad_fn(kernel):
    assert re.fullmatch(
        rf"<MulBackward0 object at {ADDR}>\n", kernel.run("z = x * 2\nprint(z.grad_fn)")
    )


def test_in6_mean(kernel):
    out = kernel.run("m = y * y * 3\nout = m.mean()\nprint(m, out)")
    assert out == (
        "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>) "
        "tensor(27., grad_fn=<MeanBackward0>)\n"
    )


def test_in9_requires_grad_(kernel):
    out = kernel.run(
        "a = torch.randn(2, 2)\nprint(a)\na = ((a * 3) / (a - 1))\nprint(a)\n"
        "print(a.requires_grad)\na.requires_grad_(True)\nprint(a.requires_grad)\n"
        "b = (a * a).sum()\nprint(b.grad_fn)"
    )
    text = out.splitlines()
    assert re.fullmatch(MATRIX_2x2, "\n".join(text[0:2]))
    assert re.fullmatch(MATRIX_2x2, "\n".join(text[2:4]))
    assert text[4:6] == ["False", "True"]
    assert re.fullmatch(rf"<SumBackward0 object at {ADDR}>", text[6])


def test_in11_backward(kernel):
    out = kernel.run("print(out)\nout.backward()\nprint(x.grad)")
    assert out == (
        "tensor(27., grad_fn=<MeanBackward0>)\n"
        "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])\n"
    )


def test_in12_no_grad(kernel):
    out = kernel.run(
        "print(x.requires_grad)\nprint((x**2).requires_grad)\n\nwith torch.no_grad():\n"
        "    print((x**2).requires_grad)"
    )
    assert out == "True\nTrue\nFalse\n"


def test_in13_detach(kernel):
    out = kernel.run(
        "print(x.requires_grad)\ny = x.detach()\nprint(y.requires_grad)\nprint(x.eq(y).all())"
    )
    assert out == "True\nFalse\ntensor(True)\n"


def test_in9_values_from_the_printed_input(nb):
    # a*3/(a-1) on the seed's printed (4-decimal) inputs agrees with its printed result to
    # the rounding of those inputs
    nb.run(
        "import torch\na = torch.tensor([[-0.4275,  0.2229], [ 1.8138,  0.7578]])\n"
        "r = (a * 3) / (a - 1)"
    )
    r = nb.ns["r"]
    assert str(r.dtype) == "srcdiff.float32" and not r.requires_grad
    np.testing.assert_allclose(r.numpy(), [[0.8984, -0.8606], [6.6863, -9.3869]], rtol=1e-3)
