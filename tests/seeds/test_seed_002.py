"""Seed 002 (d2l autograd): one test per cell, run in order in one kernel, as in the notebook.

Each cell's source is the seed's; the expected text is the output the seed shows."""

import pytest

CELLS = [
    ("import torch\n \nx = torch.arange(4.0)\nx", "tensor([0., 1., 2., 3.])\n"),
    (
        "x.requires_grad_(True) #等价x = torch.arange(4.0,requires_gard(True))\nx.grad #默认是none",
        "",
    ),
    ("y = 2 * torch.dot(x ,x)\ny", "tensor(28., grad_fn=<MulBackward0>)\n"),
    ("y.backward() #进行求导\nx.grad #访问结果", "tensor([ 0.,  4.,  8., 12.])\n"),
    ("x.grad ==4 * x #y为x的二次函数,对x求导后为4*x", "tensor([True, True, True, True])\n"),
    (
        "x.grad.zero_() #torch内下划线表示重写内容，这里重写为0\ny = x.sum()\ny.backward()\nx.grad",
        "tensor([1., 1., 1., 1.])\n",
    ),
    (
        "x.grad.zero_()\ny = x * x #此时y为向量\n\n#等价于y.backward(torch.ones(len(x)))\n"
        "#大部分使用标量求导，所以将y求和\ny.sum().backward()\nx.grad",
        "tensor([0., 2., 4., 6.])\n",
    ),
    (
        "x.grad.zero_()\ny = x * x\nu = y.detach() #将y当作常数\nz = u * x\n\nz.sum().backward()\n"
        "x.grad == u #作为常数后,求导只剩下u",
        "tensor([True, True, True, True])\n",
    ),
    ("x.grad.zero_()\ny.sum().backward()\nx.grad == 2 * x", "tensor([True, True, True, True])\n"),
    (
        "def f(a):\n    b = a * 2\n    while b.norm() < 1000:\n        b = b * 2\n"
        "    if b.sum() > 0:\n        c = b\n    else:\n        c = 100 * b\n    return c\n\n"
        "a = torch.randn(size=(), requires_grad=True) \n"
        "#torch.randn()生成张量，生成size=()：为标量,\nd = f(a)\nd.backward()\n\na.grad == d/a",
        "tensor(True)\n",
    ),
]


@pytest.mark.parametrize("index", range(len(CELLS)))
def test_cell(kernel, index):
    source, expected = CELLS[index]
    assert kernel.run(source) == expected


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_control_flow_cell_any_draw(nb, seed):
    nb.run(f"import torch\ntorch.manual_seed({seed})")
    assert nb.run(CELLS[-1][0]) == "tensor(True)\n"


def test_nonscalar_backward_with_gradient(nb):
    # the comment in a cell: y.backward(torch.ones(len(x))) is the same as y.sum().backward()
    out = nb.run(
        "import torch\nx = torch.arange(4.0, requires_grad=True)\ny = x * x\n"
        "y.backward(torch.ones(len(x)))\nx.grad"
    )
    assert out == "tensor([0., 2., 4., 6.])\n"
