"""Seed 000 (02_autograd): every cell, with the values its comments state."""

import re

TENSOR_3x3 = re.compile(r"tensor\(\[\[[-\d. ,\n\[\]]+\]\]\)")


def test_manual_seed_rand(nb):
    out = nb.run(
        "import torch\ntorch.manual_seed(42)\nrandom_tensor = torch.rand(3, "
        "3)\nprint(random_tensor)"
    )
    assert TENSOR_3x3.fullmatch(out.strip())
    again = nb.run("torch.manual_seed(42)\nprint(torch.rand(3, 3))")
    assert again == out  # same seed, same values
    vals = nb.ns["random_tensor"].numpy()
    assert ((vals >= 0) & (vals < 1)).all()


def test_randn_shapes(nb):
    out = nb.run(
        "import torch\nrandom_tensor = torch.randn(3, 3)\nprint(random_tensor)\n"
        "random_tensor_1d = torch.randn(5)\nrandom_tensor_2d = torch.randn(2, 4)\n"
        "random_tensor_3d = torch.randn(3, 2, 2)"
    )
    assert TENSOR_3x3.fullmatch(out.strip())
    assert tuple(nb.ns["random_tensor_1d"].shape) == (5,)
    assert tuple(nb.ns["random_tensor_2d"].shape) == (2, 4)
    assert tuple(nb.ns["random_tensor_3d"].shape) == (3, 2, 2)


def test_mean(nb):
    out = nb.run(
        "import torch\ntensor = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])\nmean_value = "
        "tensor.mean()\n"
        "print(mean_value)\nmatrix = torch.tensor([[1.0, 2.0, 3.0],\n [4.0, 5.0, 6.0]])\n"
        "column_means = matrix.mean(dim=0)\nprint(column_means)"
    )
    assert out == "tensor(3.)\ntensor([2.5000, 3.5000, 4.5000])\n"


def test_backward(nb):
    out = nb.run(
        "import torch\nx = torch.tensor(2.0, requires_grad=True)\nloss = (x - "
        "4)**2\nloss.backward()\nprint(x.grad)"
    )
    assert out == "tensor(-4.)\n"


def test_detach(nb):
    out = nb.run(
        "import torch\nx = torch.tensor(2.0, requires_grad=True)\nloss = (x - "
        "4)**2\nloss.backward()\n"
        "detached_x = x.detach()\nprint(detached_x.requires_grad)"
    )
    assert out == "False\n"


def test_no_grad(nb):
    out = nb.run(
        "import torch\nx = torch.tensor(2.0, requires_grad=True)\nwith torch.no_grad():\n    y = "
        "x * 3\nprint(y.requires_grad)"
    )
    assert out == "False\n"


def test_grad_zero(nb):
    out = nb.run(
        "import torch\nx = torch.tensor(2.0, requires_grad=True)\nloss = (x - "
        "4)**2\nloss.backward()\n"
        "print(x.grad)\nx.grad.zero_()\nprint(x.grad)"
    )
    assert out == "tensor(-4.)\ntensor(0.)\n"
