"""One training step of a tiny Chimera gives the same loss and gradients with the Triton
kernels (interpreter on CPU, compiled on a GPU) as with the PyTorch references.

On a GPU the Triton run uses no switch at all (impl="auto" picks the kernels on CUDA), so
there it also proves that training selects them by itself."""

from __future__ import annotations

import pytest
import torch

import kernels.attention.triton_fa2 as fa2_mod
import kernels.cross_entropy.triton_ce as ce_mod
import kernels.ssd.triton_ssd as ssd_mod
from tests.kernels.conftest import DEVICE
from training.config import from_depth
from training.model import Chimera


def _tiny_config():
    # depth 2: pattern M-*-, width 256, 8 Mamba heads of 64 with state 64, 4 attention heads
    # of 64 sharing one K/V head; small vocabulary and 16-step chunks so 37 tokens span 3
    return from_depth(2, vocab_size=300, chunk_size=16)


def _step(model: Chimera, idx, targets, kernels_env: str, monkeypatch):
    """Loss and parameter gradients of one step, then the loss after one AdamW update."""
    monkeypatch.setenv("VAANI_KERNELS", kernels_env)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.zero_grad(set_to_none=True)
    loss = model(idx, targets)
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    opt.step()
    with torch.no_grad():
        after = model(idx, targets)
    return loss.detach(), grads, after


@pytest.fixture
def calls(monkeypatch):
    """Count calls into the three Triton entry points (dispatch imports them at call time)."""
    counts = {"attention": 0, "ssd": 0, "loss": 0}

    def spy(module, attr, key):
        real = getattr(module, attr)

        def wrapped(*a, **kw):
            counts[key] += 1
            return real(*a, **kw)

        monkeypatch.setattr(module, attr, wrapped)

    spy(fa2_mod, "flash_attention_triton", "attention")
    spy(ssd_mod, "ssd_scan_triton", "ssd")
    spy(ce_mod, "linear_cross_entropy_triton", "loss")
    return counts


@pytest.mark.slow
def test_training_step_triton_equals_torch(calls, monkeypatch):
    cfg = _tiny_config()
    torch.manual_seed(0)
    base = Chimera(cfg).to(DEVICE)
    idx = torch.randint(0, cfg.vocab_size, (2, 37), device=DEVICE)
    targets = torch.roll(idx, -1, dims=1)
    targets[:, -1] = -100
    targets[0, :5] = -100                      # a masked prompt, as in chat fine-tuning

    ref_model = Chimera(cfg, init=False).to(DEVICE)
    ref_model.load_state_dict(base.state_dict())
    loss_ref, grads_ref, after_ref = _step(ref_model, idx, targets, "torch", monkeypatch)
    assert calls == {"attention": 0, "ssd": 0, "loss": 0}

    loss_tri, grads_tri, after_tri = _step(base, idx, targets, "triton", monkeypatch)
    # every mixer went through a Triton kernel: 1 attention block, 1 Mamba block, the loss
    assert calls["attention"] >= 1 and calls["ssd"] >= 1 and calls["loss"] >= 1

    torch.testing.assert_close(loss_tri, loss_ref, atol=1e-5, rtol=1e-5)
    assert grads_tri.keys() == grads_ref.keys()
    for name, g in grads_tri.items():
        r = grads_ref[name]
        scale = r.abs().max().item() + 1e-12
        torch.testing.assert_close(g, r, atol=2e-4 * scale, rtol=1e-3, msg=name)
    torch.testing.assert_close(after_tri, after_ref, atol=1e-5, rtol=1e-5)
