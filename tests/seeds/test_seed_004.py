"""Seed 004 (autograd mechanism): the cells that do not need nn (A**2, requires_grad, grad_fn)."""

import re


def test_pow_cells(nb):
    nb.run("import torch\nA = torch.tensor([2.0], requires_grad=True)")
    assert nb.run("A.requires_grad") == "True\n"
    assert nb.run("A.grad_fn") == ""
    nb.run("B=A**2")
    assert nb.run("B.requires_grad") == "True\n"
    assert re.fullmatch(r"<PowBackward0 object at 0x[0-9a-f]+>\n", nb.run("B.grad_fn"))


def test_pow_backward_value(nb):
    out = nb.run(
        "import torch\nA = torch.tensor([2.0], requires_grad=True)\nB = "
        "A**2\nB.backward()\nprint(A.grad)"
    )
    assert out == "tensor([4.])\n"


def test_param_listing_format(nb):
    # the loop prints f"{param.shape}, {param.requires_grad}, {param.grad_fn}, {param.grad}"
    out = nb.run(
        "import torch\nw = torch.zeros(256, 20, requires_grad=True)\n"
        'print(f"Shape: {w.shape}, {w.requires_grad}, {w.grad_fn}, {w.grad}")'
    )
    assert out == "Shape: srcdiff.Size([256, 20]), True, None, None\n"
