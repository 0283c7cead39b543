"""PyTorch's autograd errors: type and message (texts checked against PyTorch 2.13, with
``srcdiff`` in place of ``torch`` in type names)."""

from __future__ import annotations

import re

import pytest

import srcdiff as torch
from srcdiff.autograd.engine import FREED_MSG


def test_second_backward_through_freed_graph():
    x = torch.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError) as e:
        y.backward()
    assert str(e.value) == FREED_MSG
    assert str(e.value).startswith("Trying to backward through the graph a second time")


def test_retain_graph_allows_second_backward():
    x = torch.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_nonscalar_backward_needs_gradient():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="^grad can be implicitly created only for scalar outputs$"
    ):
        (x * 2).backward()


def test_nonleaf_grad_warns():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(
        UserWarning,
        match=r"^The \.grad attribute of a Tensor that is not a leaf Tensor is being accessed",
    ):
        assert y.grad is None


def test_retain_grad_fills_nonleaf_grad():
    x = torch.ones(2, requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.retains_grad and y.grad.tolist() == [6.0, 6.0]


def test_inplace_on_leaf_requiring_grad():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="^a leaf Variable that requires grad is being used in an in-place operation.$",
    ):
        x.add_(1)


def test_inplace_on_view_of_leaf():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="^a view of a leaf Variable that requires grad is being used in an in-place "
        "operation.$",
    ):
        x[0:1].add_(1)


def test_inplace_on_leaf_allowed_under_no_grad():
    w = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        w -= 0.5
    assert w.tolist() == [0.5, 0.5] and w.is_leaf and w.requires_grad


def _version_msg(kind: str, which: str, cur: int, exp: int) -> str:
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: "
        f"[srcdiff.{kind}]{which} is at version {cur}; expected version {exp} instead. Hint: "
        "enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "srcdiff.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def test_saved_tensor_modified_in_place():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError) as e:
        z.sum().backward()
    assert str(e.value) == _version_msg("FloatTensor [2]", ", which is output 0 of Add,", 1, 0)


def test_saved_leaf_modified_in_place():
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2)
    z = x * w
    w.add_(1)
    with pytest.raises(RuntimeError) as e:
        z.sum().backward()
    assert str(e.value) == _version_msg("FloatTensor [2]", "", 1, 0)


def test_saved_output_modified_in_place():
    x = torch.ones(2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError) as e:
        y.sum().backward()
    assert str(e.value) == _version_msg("FloatTensor [2]", ", which is output 0 of Exp,", 1, 0)


def test_unsaved_input_may_change():
    # add saves nothing, so changing its input afterwards is fine (as in PyTorch)
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2)
    z = x + w
    w.add_(1)
    z.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_grad_of_unused_input():
    x = torch.ones(2, requires_grad=True)
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior."
        ),
    ):
        torch.autograd.grad((x * 2).sum(), [x, w])
    gx, gw = torch.autograd.grad((x * 2).sum(), [x, w], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gw is None


def test_backward_of_tensor_without_grad():
    with pytest.raises(
        RuntimeError,
        match="^element 0 of tensors does not require grad and does not have a grad_fn$",
    ):
        (torch.ones(2) * 2).sum().backward()


def test_grad_wrt_tensor_not_requiring_grad():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="^One of the differentiated Tensors does not require grad$"
    ):
        torch.autograd.grad((x * 2).sum(), [torch.ones(2)])


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(
        RuntimeError, match="^only Tensors of floating point dtype can require gradients$"
    ):
        torch.ones(2, dtype=torch.long).requires_grad_()


def test_nonleaf_requires_grad_flag():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="^you can only change requires_grad flags of leaf variables."
    ):
        (x * 2).requires_grad = False


def test_gradient_shape_mismatch():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Mismatch in shape: grad_output[0] has a shape of srcdiff.Size([3]) and output[0] "
            "has a shape of srcdiff.Size([2])."
        ),
    ):
        (x * 2).backward(torch.ones(3))


def test_retain_grad_and_hook_need_requires_grad():
    with pytest.raises(
        RuntimeError, match="^can't retain_grad on Tensor that has requires_grad=False$"
    ):
        torch.ones(2).retain_grad()
    with pytest.raises(
        RuntimeError, match="^cannot register a hook on a tensor that doesn't require gradient$"
    ):
        torch.ones(2).register_hook(lambda g: g)


def test_numpy_and_item_errors():
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
        ),
    ):
        torch.ones(2, requires_grad=True).numpy()
    with pytest.raises(
        RuntimeError, match="^a Tensor with 2 elements cannot be converted to Scalar$"
    ):
        torch.ones(2).item()
    with pytest.raises(
        RuntimeError, match="^Boolean value of Tensor with more than one value is ambiguous$"
    ):
        bool(torch.ones(2))


def test_shape_errors():
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "The size of tensor a (2) must match the size of tensor b (3) at non-singleton "
            "dimension 0"
        ),
    ):
        torch.ones(2) + torch.ones(3)
    with pytest.raises(
        RuntimeError, match=re.escape("mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")
    ):
        torch.mm(torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(RuntimeError, match="^1D tensors expected, but got 2D and 2D tensors$"):
        torch.dot(torch.ones(2, 3), torch.ones(2, 3))
    with pytest.raises(
        RuntimeError, match=re.escape("shape '[4, -1]' is invalid for input of size 6")
    ):
        torch.ones(2, 3).reshape(4, -1)
    with pytest.raises(
        RuntimeError, match="^view size is not compatible with input tensor's size and stride"
    ):
        torch.ones(2, 3).t().view(6)
    with pytest.raises(
        IndexError,
        match=re.escape("Dimension out of range (expected to be in range of [-2, 1], but got 5)"),
    ):
        torch.ones(2, 3).sum(5)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 "
            "for tensor number 1 in the list."
        ),
    ):
        torch.cat([torch.ones(2, 3), torch.ones(2, 2)])


def test_dtype_errors():
    with pytest.raises(
        RuntimeError, match="^result type Float can't be cast to the desired output type Long$"
    ):
        torch.ones(2, dtype=torch.long).add_(1.5)
    with pytest.raises(
        RuntimeError,
        match="^dot : expected both vectors to have same dtype, but found Float and Double$",
    ):
        torch.dot(torch.ones(2), torch.ones(2, dtype=torch.float64))
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            "or complex dtype. Got: Long"
        ),
    ):
        torch.ones(2, dtype=torch.long).mean()


def test_grad_assignment_checks_size():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=re.escape("attempting to assign a gradient of size '[3]' to a tensor of size '[2]'"),
    ):
        x.grad = torch.ones(3)


def test_nodes_without_saved_tensors_can_run_twice():
    # PyTorch frees saved tensors, not nodes: sum and add keep none, so this is allowed
    x = torch.ones(2, requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]
