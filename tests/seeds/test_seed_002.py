"""Seed 002 (d2l autograd): the cells run in order in one namespace, as in the notebook."""

import pytest

CELLS = [
    ("import torch\n \nx = torch.arange(4.0)\nx", "tensor([0., 1., 2., 3.])\n"),
    ("x.requires_grad_(True)\nx.grad", ""),
    ("y = 2 * torch.dot(x ,x)\ny", "tensor(28., grad_fn=<MulBackward0>)\n"),
    ("y.backward()\nx.grad", "tensor([ 0.,  4.,  8., 12.])\n"),
    ("x.grad ==4 * x", "tensor([True, True, True, True])\n"),
    ("x.grad.zero_()\ny = x.sum()\ny.backward()\nx.grad", "tensor([1., 1., 1., 1.])\n"),
    ("x.grad.zero_()\ny = x * x\ny.sum().backward()\nx.grad", "tensor([0., 2., 4., 6.])\n"),
    (
        "x.grad.zero_()\ny = x * x\nu = y.detach()\nz = u * x\nz.sum().backward()\nx.grad == u",
        "tensor([True, True, True, True])\n",
    ),
    ("x.grad.zero_()\ny.sum().backward()\nx.grad == 2 * x", "tensor([True, True, True, True])\n"),
    (
        "def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n    if b.sum() "
        "> 0:\n        c = b\n"
        "    else:\n        c = 100 * b\n    return c\n\na = torch.randn(size=(), "
        "requires_grad=True)\n"
        "d = f(a)\nd.backward()\n\na.grad == d/a",
        "tensor(True)\n",
    ),
]


def test_cells_in_order(nb):
    for source, expected in CELLS:
        assert nb.run(source) == expected, source


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_control_flow_cell_any_draw(nb, seed):
    nb.run(f"import torch\ntorch.manual_seed({seed})")
    assert nb.run(CELLS[-1][0]) == "tensor(True)\n"


def test_nonscalar_backward_with_gradient(nb):
    # the comment in the cell: y.backward(torch.ones(len(x))) is the same as y.sum().backward()
    out = nb.run(
        "import torch\nx = torch.arange(4.0, requires_grad=True)\ny = x * "
        "x\ny.backward(torch.ones(len(x)))\nx.grad"
    )
    assert out == "tensor([0., 2., 4., 6.])\n"
