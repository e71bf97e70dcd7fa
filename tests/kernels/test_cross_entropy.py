"""Fused linear + cross-entropy (Triton) against F.cross_entropy over full float64 logits."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import kernels
from kernels.cross_entropy.triton_ce import linear_cross_entropy_triton
from tests.kernels.conftest import DEVICE, gpu, needs_gpu


def _inputs(n, e, v, dtype, ignore_every=0, device=DEVICE):
    hidden = torch.randn(n, e, device=device).to(dtype).requires_grad_()
    weight = (0.3 * torch.randn(v, e, device=device)).to(dtype).requires_grad_()
    targets = torch.randint(0, v, (n,), device=device)
    if ignore_every:
        targets[::ignore_every] = -100
    return hidden, weight, targets


def _compare(hidden, weight, targets, reduction, tol, **kw):
    loss = linear_cross_entropy_triton(hidden, weight, targets, reduction=reduction, **kw)
    grad_out = torch.randn_like(loss)
    grads = torch.autograd.grad(loss, (hidden, weight), grad_out)
    h64, w64 = (t.detach().double().requires_grad_() for t in (hidden, weight))
    ref = F.cross_entropy(h64 @ w64.t(), targets, reduction=reduction,
                          ignore_index=kw.get("ignore_index", -100))
    ref_grads = torch.autograd.grad(ref, (h64, w64), grad_out.double())
    torch.testing.assert_close(loss.double(), ref, atol=tol, rtol=tol)
    for name, g, r, x in zip(("hidden", "weight"), grads, ref_grads, (hidden, weight)):
        assert g.dtype == x.dtype and g.shape == x.shape
        scale = r.abs().max().item()
        torch.testing.assert_close(g.double(), r, atol=tol * scale, rtol=tol, msg=name)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_fp32_small_tiles_ragged_edges(reduction):
    # 16-token, 32-class, 16-wide tiles over 37 x 100 x 40: every dimension has a ragged end
    hidden, weight, targets = _inputs(37, 40, 100, torch.float32, ignore_every=5)
    _compare(hidden, weight, targets, reduction, 2e-5, blocks=(16, 32, 16))


def test_fp32_default_tiles():
    hidden, weight, targets = _inputs(70, 64, 300, torch.float32, ignore_every=7)
    _compare(hidden, weight, targets, "mean", 2e-5)


def test_fp16():
    hidden, weight, targets = _inputs(64, 32, 130, torch.float16, ignore_every=4)
    _compare(hidden, weight, targets, "mean", 5e-3, blocks=(32, 32, 16))


def test_custom_ignore_index_and_batched_shape():
    hidden, weight, targets = _inputs(2 * 19, 16, 40, torch.float32)
    targets[3] = 7  # the class equal to ignore_index is skipped, not trained on
    _compare(hidden, weight, targets, "mean", 2e-5, ignore_index=7, blocks=(16, 16, 16))
    loss3d = linear_cross_entropy_triton(hidden.view(2, 19, 16), weight, targets.view(2, 19),
                                         ignore_index=7, reduction="none", blocks=(16, 16, 16))
    assert loss3d.shape == (2, 19) and float(loss3d.detach().view(-1)[3]) == 0.0


def test_all_ignored_block_and_no_stored_logits():
    hidden, weight, targets = _inputs(40, 16, 64, torch.float32)
    targets[:16] = -100  # the first 16-token block has no gradient at all
    _compare(hidden, weight, targets, "mean", 2e-5, blocks=(16, 16, 16))
    loss = linear_cross_entropy_triton(hidden, weight, targets, blocks=(16, 16, 16))
    # the backward keeps the inputs and one float per token, never a (N, V) matrix
    assert max(t.numel() for t in loss.grad_fn.saved_tensors) == max(hidden.numel(),
                                                                      weight.numel())


def test_dispatch_forced_triton_matches_reference():
    hidden, weight, targets = _inputs(33, 16, 50, torch.float32, ignore_every=3)
    a = kernels.linear_cross_entropy(hidden, weight, targets, impl="triton")
    b = kernels.linear_cross_entropy(hidden, weight, targets, impl="torch")
    torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)


def test_bad_targets_are_clear_errors():
    hidden, weight, targets = _inputs(8, 16, 10, torch.float32)
    targets[2] = 10
    with pytest.raises(ValueError, match="targets must lie"):
        linear_cross_entropy_triton(hidden, weight, targets)
    with pytest.raises(ValueError, match="reduction"):
        linear_cross_entropy_triton(hidden, weight, targets.clamp(max=9), reduction="avg")
    with pytest.raises(ValueError, match="disagree"):
        linear_cross_entropy_triton(hidden, weight[:, :8], targets.clamp(max=9))


@gpu
@needs_gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_gpu_vocab_sized(dtype):
    hidden, weight, targets = _inputs(1000, 256, 32000, dtype, ignore_every=9, device="cuda")
    _compare(hidden, weight, targets, "mean", 1e-4 if dtype == torch.float32 else 2e-2)


def test_autocast_computes_in_the_autocast_dtype():
    """A custom Function is invisible to autocast, so the wrapper casts like F.linear would."""
    hidden, weight, targets = _inputs(40, 32, 70, torch.float32, ignore_every=6)
    kind = DEVICE.type
    low = torch.float16 if kind == "cpu" else torch.bfloat16
    with torch.autocast(kind, dtype=low):
        loss = linear_cross_entropy_triton(hidden, weight, targets)
    loss.backward()
    assert hidden.grad.dtype == weight.grad.dtype == torch.float32
    h, w = hidden.detach().to(low).double(), weight.detach().to(low).double()
    exact_low = F.cross_entropy(h @ w.t(), targets)
    exact_fp32 = F.cross_entropy(hidden.detach().double() @ weight.detach().double().t(), targets)
    assert abs(loss.item() - exact_low.item()) < 1e-5 < abs(exact_low - exact_fp32).item()
