"""Cases compared with PyTorch: each is ``f(lib, a)`` for a module that is srcdiff or torch.

``tests/ops/data/make_pytorch_cases.py`` runs them under PyTorch 2.13 and stores dtype,
shape, grad_fn name, values and the gradient; ``test_against_pytorch.py`` checks srcdiff.
"""

from __future__ import annotations

CASES = {
    "rdiv": lambda t, a: 2 / a,
    "rsub": lambda t, a: 2 - a,
    "rpow": lambda t, a: 2**a,
    "pow_tensor": lambda t, a: a.abs() ** a,
    "neg": lambda t, a: -a,
    "square": lambda t, a: a.square(),
    "sigmoid": lambda t, a: a.sigmoid(),
    "clamp_min": lambda t, a: a.clamp(min=0.1),
    "max": lambda t, a: a.max(),
    "max_dim": lambda t, a: a.max(dim=0).values,
    "amax": lambda t, a: t.amax(a, 0),
    "prod": lambda t, a: a.prod(),
    "std": lambda t, a: a.std(),
    "var_dim": lambda t, a: a.var(0),
    "cumsum": lambda t, a: a.cumsum(0),
    "flip": lambda t, a: a.flip(0),
    "norm": lambda t, a: a.norm(),
    "norm_p1": lambda t, a: a.norm(p=1),
    "sum_dtype": lambda t, a: a.sum(dtype=t.float64),
    "mean_keepdim": lambda t, a: a.mean(1, keepdim=True),
    "reshape": lambda t, a: a.reshape(-1),
    "T": lambda t, a: a.T,
    "t": lambda t, a: a.t(),
    "select": lambda t, a: a[1],
    "slice": lambda t, a: a[:, 1:],
    "advanced": lambda t, a: a[[0, 1, 1]],
    "boolean": lambda t, a: a[a > 0],
    "unsqueeze": lambda t, a: a.unsqueeze(-1),
    "expand": lambda t, a: a.unsqueeze(0).expand(2, 3, 3),
    "cat": lambda t, a: t.cat([a, a * 2]),
    "stack": lambda t, a: t.stack([a, a * 2], 1),
    "where": lambda t, a: t.where(a > 0, a, a * 2),
    "mm": lambda t, a: a @ a,
    "mv": lambda t, a: a @ a[0],
    "dot": lambda t, a: a[0] @ a[1],
    "exp": lambda t, a: a.exp(),
    "abs": lambda t, a: a.abs(),
    "double": lambda t, a: a.double(),
    "clone": lambda t, a: a.clone(),
    "relu": lambda t, a: a.relu(),
    "tanh": lambda t, a: a.tanh(),
    "gather": lambda t, a: a.gather(1, t.tensor([[0, 0], [1, 0], [2, 2]])),
    "index_select": lambda t, a: a.index_select(0, t.tensor([2, 0])),
    "repeat": lambda t, a: a.repeat(2, 1),
    "trace": lambda t, a: a.trace(),
    "split": lambda t, a: a.split(2)[1],
    "chunk": lambda t, a: a.chunk(3)[0],
    "view": lambda t, a: a.view(9),
    "squeeze": lambda t, a: a.unsqueeze(0).squeeze(0),
    "permute": lambda t, a: a.permute(1, 0),
    "flatten": lambda t, a: a.flatten(),
    "outer": lambda t, a: t.outer(a[0], a[1]),
    "minimum": lambda t, a: t.minimum(a, a.t()),
    "log": lambda t, a: a.abs().log(),
    "int_plus_float": lambda t, a: t.tensor([1, 2]) + 1.5,
    "int_true_div": lambda t, a: t.tensor([1, 2]) / t.tensor([2, 4]),
    "f32_plus_f64_0d": lambda t, a: a + t.tensor(1.0, dtype=t.float64),
    "int32_plus_long_0d": lambda t, a: t.tensor([1, 2], dtype=t.int32) + t.tensor(3),
    "bool_sum": lambda t, a: (a > 0).sum(),
    "arange_float": lambda t, a: t.arange(0, 1, 0.3),
    "linspace": lambda t, a: t.linspace(0, 1, 5),
    "full_int": lambda t, a: t.full((2,), 3),
    "eq": lambda t, a: a == a.t(),
    "inplace_chain": lambda t, a: (a * 1).mul_(a).add_(1).exp_(),
    "setitem": lambda t, a: _setitem(a),
    "inplace_view": lambda t, a: _inplace_view(a),
    "scatter_add": lambda t, a: t.zeros(2, 3).scatter_add(0, t.tensor([[0, 1, 0]]), a[:1]),
    "masked_select": lambda t, a: a.masked_select(a > 0),
    "diagonal": lambda t, a: a.diagonal(1),
    "tile_rows": lambda t, a: a.tile((2,)),
    "hstack": lambda t, a: t.hstack([a, a[:, :1]]),
    "sin_cos": lambda t, a: a.sin() * a.cos(),
    "div_broadcast": lambda t, a: a / (a[0].abs() + 1),
    "sub_alpha": lambda t, a: t.sub(a, a.t(), alpha=2),
}


def _setitem(a):
    b = a * 1
    b[0] = a[1] * 3
    b[:, 2] = 0.5
    return b


def _inplace_view(a):
    b = a * 2
    b[1:].mul_(a[:2])
    return b
