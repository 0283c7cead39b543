"""no_grad / enable_grad / set_grad_enabled / inference_mode as context managers and decorators."""

from __future__ import annotations

import srcdiff as torch


def _x():
    return torch.ones(2, requires_grad=True)


def test_no_grad_context_and_decorators():
    x = _x()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
    assert torch.is_grad_enabled()

    @torch.no_grad()
    def f(t):
        return t * 2

    @torch.no_grad
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad and torch.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = _x()
    with torch.no_grad():
        with torch.enable_grad():
            assert (x * 2).requires_grad

        @torch.enable_grad()
        def f(t):
            return t * 2

        assert f(x).requires_grad
        assert not (x * 2).requires_grad


def test_set_grad_enabled_call_context_decorator():
    x = _x()
    torch.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()

    @torch.set_grad_enabled(False)
    def f(t):
        return t * 2

    assert torch.is_grad_enabled()
    assert not f(x).requires_grad and torch.is_grad_enabled()


def test_inference_mode():
    x = _x()
    with torch.inference_mode():
        assert not (x * 2).requires_grad and torch.is_inference_mode_enabled()
    assert not torch.is_inference_mode_enabled()

    @torch.inference_mode()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    with torch.inference_mode(False):
        assert (x * 2).requires_grad


def test_mode_restored_after_exception():
    try:
        with torch.no_grad():
            raise ValueError
    except ValueError:
        pass
    assert torch.is_grad_enabled()


def test_inference_tensors_follow_pytorch_rules():
    import pytest

    with torch.inference_mode():
        t = torch.ones(2)
        t.add_(1)  # in-place is fine inside inference mode
    assert t.is_inference() and t.detach().is_inference() and t[0:1].is_inference()
    assert not torch.ones(2).is_inference()
    w = torch.ones(2, requires_grad=True)
    (w + t).sum().backward()  # add saves nothing: allowed
    with pytest.raises(RuntimeError, match="^Inference tensors cannot be saved for backward."):
        w * t
    with pytest.raises(
        RuntimeError, match="^Inplace update to inference tensor outside InferenceMode"
    ):
        t.add_(1)
    with pytest.raises(
        RuntimeError, match="^Setting requires_grad=True on inference tensor outside"
    ):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match="^Inference tensors do not track version counter.$"):
        _ = t._version
    assert not (t * 2).is_inference()
