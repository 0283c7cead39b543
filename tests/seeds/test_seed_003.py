"""Seed 003 (autograd basics notebook): printed outputs of every cell."""

import re

ADDR = r"0x[0-9a-f]+"


def test_cells(nb):
    out = nb.run(
        "import torch\nx1= torch.ones(3, 3)\nprint(x1)\nx = torch.ones(2,2, "
        "requires_grad=True)\nprint(x)"
    )
    assert out == (
        "tensor([[1., 1., 1.],\n        [1., 1., 1.],\n        [1., 1., 1.]])\n"
        "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)\n"
    )
    assert (
        nb.run("y = x + 2\nprint(y)")
        == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)\n"
    )
    out = nb.run("print(x.grad_fn)\nprint(y.grad_fn)")
    assert re.fullmatch(rf"None\n<AddBackward0 object at {ADDR}>\n", out)
    assert re.fullmatch(
        rf"<MulBackward0 object at {ADDR}>\n", nb.run("z = x * 2\nprint(z.grad_fn)")
    )
    out = nb.run("m = y * y * 3\nout = m.mean()\nprint(m, out)")
    assert out == (
        "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>) tensor(27., "
        "grad_fn=<MeanBackward0>)\n"
    )
    out = nb.run(
        "a = torch.randn(2, 2)\nprint(a)\na = ((a * 3) / (a - "
        "1))\nprint(a)\nprint(a.requires_grad)\n"
        "a.requires_grad_(True)\nprint(a.requires_grad)\nb = (a * a).sum()\nprint(b.grad_fn)"
    )
    lines = out.splitlines()
    assert lines[4:7] == ["False", "True", lines[6]]
    assert re.fullmatch(rf"<SumBackward0 object at {ADDR}>", lines[6])
    assert nb.run("print(out)\nout.backward()\nprint(x.grad)") == (
        "tensor(27., grad_fn=<MeanBackward0>)\ntensor([[4.5000, 4.5000],\n        [4.5000, "
        "4.5000]])\n"
    )
    out = nb.run(
        "print(x.requires_grad)\nprint((x**2).requires_grad)\n\nwith torch.no_grad():\n    "
        "print((x**2).requires_grad)"
    )
    assert out == "True\nTrue\nFalse\n"
    out = nb.run(
        "print(x.requires_grad)\ny = x.detach()\nprint(y.requires_grad)\nprint(x.eq(y).all())"
    )
    assert out == "True\nFalse\ntensor(True)\n"


def test_requires_grad_cell_values(nb):
    # a*3/(a-1) on the printed (4-decimal) inputs: the outputs agree to the rounding of the inputs
    import numpy as np

    nb.run(
        "import torch\na = torch.tensor([[-0.4275,  0.2229], [ 1.8138,  0.7578]])\nr = (a * 3) / "
        "(a - 1)"
    )
    r = nb.ns["r"]
    assert str(r.dtype) == "srcdiff.float32" and not r.requires_grad
    np.testing.assert_allclose(r.numpy(), [[0.8984, -0.8606], [6.6863, -9.3869]], rtol=1e-3)
