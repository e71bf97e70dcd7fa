"""Mamba-2 SSD chunked scan (Triton) against the step-by-step recurrence: values, final
state and gradients of every input."""

from __future__ import annotations

import pytest
import torch

import kernels
from kernels.ssd.reference import ssd_chunked, ssd_recurrent
from kernels.ssd.triton_ssd import ssd_scan_triton
from tests.kernels.conftest import DEVICE, gpu, needs_gpu


def _inputs(b, l, h, p, g, n, with_init, dtype=torch.float32, device=DEVICE):
    x = torch.randn(b, l, h, p, device=device).to(dtype)
    dt = torch.nn.functional.softplus(torch.randn(b, l, h, device=device) - 1.0).to(dtype)
    a = -torch.exp(0.5 * torch.randn(h, device=device))
    bb = torch.randn(b, l, g, n, device=device).to(dtype)
    cc = torch.randn(b, l, g, n, device=device).to(dtype)
    s0 = torch.randn(b, h, p, n, device=device) if with_init else None
    return [t.requires_grad_() if t is not None else None for t in (x, dt, a, bb, cc, s0)]


def _run(fn, ins, dy, dfinal):
    y, final = fn(ins)
    used = [t for t in ins if t is not None]
    loss = (y.double() * dy).sum() + (final.double() * dfinal).sum()
    return y, final, torch.autograd.grad(loss, used)


def _check(ins, chunk, tol):
    """Compare against ssd_recurrent run in float64 on the same values."""
    ref_ins = [t.detach().double().requires_grad_() if t is not None else None for t in ins]
    y_ref, f_ref = ssd_recurrent(*ref_ins[:5], initial_state=ref_ins[5])
    dy, dfinal = torch.randn_like(y_ref), torch.randn_like(f_ref)
    y, final, grads = _run(lambda t: ssd_scan_triton(*t[:5], chunk_size=chunk,
                                                     initial_state=t[5]), ins, dy, dfinal)
    _, _, ref_grads = _run(lambda t: ssd_recurrent(*t[:5], initial_state=t[5]), ref_ins, dy,
                           dfinal)
    assert y.dtype == ins[0].dtype and final.dtype == torch.float32
    names = ["x", "dt", "A", "B", "C", "initial_state"]
    names = [n for n, t in zip(names, ins) if t is not None]
    pairs = [("y", y, y_ref), ("final", final, f_ref)]
    pairs += [(f"d{n}", g, r) for n, g, r in zip(names, grads, ref_grads)]
    for name, got, want in pairs:
        scale = want.abs().max().item() + 1e-6
        torch.testing.assert_close(got.double(), want.double(), atol=tol * scale, rtol=tol,
                                   msg=lambda m, name=name: f"{name}: {m}")


@pytest.mark.parametrize("length,groups", [(16, 1), (37, 2), (64, 4), (83, 1), (83, 2),
                                           (83, 4)])
def test_fp32_lengths_and_groups(length, groups):
    # chunks of 32: one partial chunk, exact multiples and a ragged last chunk
    ins = _inputs(2, length, 4, 8, groups, 16, with_init=True)
    _check(ins, chunk=32, tol=2e-5)


@pytest.mark.parametrize("with_init", [False, True])
def test_fp32_default_chunk_larger_dims(with_init):
    ins = _inputs(1, 150, 2, 32, 1, 64, with_init=with_init)
    _check(ins, chunk=64, tol=2e-5)


def test_state_wider_than_one_block():
    # N = 96 > the 64-wide state block: the kernels loop / tile over N
    ins = _inputs(1, 40, 2, 16, 2, 96, with_init=True)
    _check(ins, chunk=16, tol=2e-5)


def test_sequence_shorter_than_chunk():
    ins = _inputs(2, 5, 2, 8, 1, 16, with_init=True)
    _check(ins, chunk=64, tol=2e-5)


def test_fp16_inputs():
    ins = _inputs(1, 70, 4, 16, 2, 32, with_init=True, dtype=torch.float16)
    _check(ins, chunk=32, tol=2e-2)


def test_matches_chunked_reference_and_dispatch():
    x, dt, a, bb, cc, s0 = (t.detach() for t in _inputs(1, 50, 4, 8, 2, 16, with_init=True))
    y1, f1 = kernels.ssd_scan(x, dt, a, bb, cc, chunk_size=16, initial_state=s0, impl="triton")
    y2, f2 = ssd_chunked(x, dt, a, bb, cc, chunk_size=16, initial_state=s0)
    y3, f3 = kernels.ssd_scan(x, dt, a, bb, cc, chunk_size=16, initial_state=s0, impl="torch")
    torch.testing.assert_close(y1, y2, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(f1, f2, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(y2, y3)
    torch.testing.assert_close(f2, f3)


def test_continuing_from_final_state_equals_one_pass():
    """Splitting a sequence and passing the final state on gives the same outputs (what
    chunked prefill and generation rely on)."""
    x, dt, a, bb, cc, _ = (t.detach() if t is not None else None
                           for t in _inputs(1, 60, 2, 8, 1, 16, with_init=False))
    y, f = ssd_scan_triton(x, dt, a, bb, cc, chunk_size=16)
    y1, f1 = ssd_scan_triton(x[:, :23], dt[:, :23], a, bb[:, :23], cc[:, :23], chunk_size=16)
    y2, f2 = ssd_scan_triton(x[:, 23:], dt[:, 23:], a, bb[:, 23:], cc[:, 23:], chunk_size=16,
                             initial_state=f1)
    torch.testing.assert_close(torch.cat([y1, y2], 1), y, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(f2, f, atol=1e-5, rtol=1e-5)


def test_bad_arguments_are_clear_errors():
    x, dt, a, bb, cc, _ = (t.detach() if t is not None else None
                           for t in _inputs(1, 8, 4, 8, 3, 16, with_init=False))
    with pytest.raises(ValueError, match="multiple of groups"):
        ssd_scan_triton(x, dt, a, bb, cc)
    x, dt, a, bb, cc, _ = (t.detach() if t is not None else None
                           for t in _inputs(1, 8, 4, 8, 2, 16, with_init=False))
    with pytest.raises(ValueError, match="chunk_size"):
        ssd_scan_triton(x, dt, a, bb, cc, chunk_size=24)
    with pytest.raises(ValueError, match="initial_state"):
        ssd_scan_triton(x, dt, a, bb, cc, initial_state=torch.zeros(1, 4, 8, 8))


@gpu
@needs_gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_gpu_model_sized(dtype):
    ins = _inputs(2, 1031, 8, 64, 2, 128, with_init=True, dtype=dtype, device="cuda")
    _check(ins, chunk=64, tol=1e-4 if dtype == torch.float32 else 3e-2)
