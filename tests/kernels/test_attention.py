"""FlashAttention-2 (Triton) against the float64 PyTorch reference: values and gradients."""

from __future__ import annotations

import math

import pytest
import torch

import kernels
from kernels.attention.reference import attention_reference
from kernels.attention.triton_fa2 import flash_attention_lse, flash_attention_triton
from tests.kernels.conftest import DEVICE, gpu, needs_gpu


def _inputs(b, hq, hkv, tq, tk, d, dtype, device=DEVICE):
    q = torch.randn(b, hq, tq, d, device=device, dtype=dtype, requires_grad=True)
    k = torch.randn(b, hkv, tk, d, device=device, dtype=dtype, requires_grad=True)
    v = torch.randn(b, hkv, tk, d, device=device, dtype=dtype, requires_grad=True)
    return q, k, v


def _compare(q, k, v, causal, atol, scale=None, **blocks):
    """Run ours and the float64 reference on the same inputs; return the max abs errors."""
    o = flash_attention_triton(q, k, v, causal=causal, scale=scale, **blocks)
    do = torch.randn_like(o)
    grads = torch.autograd.grad(o, (q, k, v), do)
    ref_in = [t.detach().double().requires_grad_() for t in (q, k, v)]
    o_ref = attention_reference(*ref_in, causal=causal, scale=scale)
    ref_grads = torch.autograd.grad(o_ref, ref_in, do.double())
    assert o.dtype == q.dtype and o.shape == q.shape
    torch.testing.assert_close(o.double(), o_ref, atol=atol, rtol=atol)
    for name, g, gr, x in zip("qkv", grads, ref_grads, (q, k, v)):
        assert g.shape == x.shape and g.dtype == x.dtype, name
        torch.testing.assert_close(g.double(), gr, atol=atol, rtol=atol, msg=f"d{name}")


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("group", [1, 2, 4])
def test_fp32_gqa_odd_length_small_tiles(causal, group):
    # 16x16 tiles over 53 rows: full blocks, diagonal blocks and a ragged end all occur
    q, k, v = _inputs(2, 4, 4 // group, 53, 53, 16, torch.float32)
    _compare(q, k, v, causal, atol=2e-5, block_m=16, block_n=16)


@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("d", [32, 64, 128])
def test_fp32_default_tiles_head_dims(causal, d):
    q, k, v = _inputs(1, 2, 1, 97, 97, d, torch.float32)
    _compare(q, k, v, causal, atol=2e-5)


@pytest.mark.parametrize("causal", [True, False])
def test_fewer_queries_than_keys(causal):
    # decoding with a cache: the 21 queries are the last 21 of 70 positions
    q, k, v = _inputs(1, 4, 2, 21, 70, 16, torch.float32)
    _compare(q, k, v, causal, atol=2e-5, block_m=16, block_n=32)


def test_non_power_of_two_head_dim_and_custom_scale():
    q, k, v = _inputs(1, 2, 2, 40, 40, 24, torch.float32)
    _compare(q, k, v, True, atol=2e-5, scale=0.3, block_m=16, block_n=16)


def test_strided_inputs():
    # the model produces (B, T, H, D) and transposes: the last dim stays contiguous
    x = torch.randn(2, 45, 3, 3, 32, device=DEVICE)
    q, k, v = (x[:, :, i].transpose(1, 2).requires_grad_() for i in range(3))
    assert not q.is_contiguous()
    _compare(q, k, v, True, atol=2e-5, block_m=16, block_n=16)


@pytest.mark.parametrize("causal", [True, False])
def test_fp16(causal):
    q, k, v = _inputs(1, 4, 2, 77, 77, 32, torch.float16)
    _compare(q, k, v, causal, atol=1e-2, block_m=32, block_n=32)


def test_lse_and_linear_memory():
    q, k, v = _inputs(1, 2, 1, 50, 50, 16, torch.float32)
    o, lse = flash_attention_lse(q, k, v, causal=True)
    s = (q.double() @ k.double().repeat_interleave(2, 1).transpose(-1, -2)) / math.sqrt(16)
    s = s.masked_fill(torch.ones(50, 50, dtype=torch.bool, device=DEVICE).triu(1), -math.inf)
    torch.testing.assert_close(lse.double(), torch.logsumexp(s, -1), atol=1e-5, rtol=1e-5)
    out = flash_attention_triton(q, k, v, causal=True)
    saved = out.grad_fn.saved_tensors
    # what the backward keeps: q, k, v, o and one float per query row; no T x T matrix
    assert sum(t.numel() for t in saved) == 2 * q.numel() + k.numel() + v.numel() + 2 * 50
    assert max(t.numel() for t in saved) < 50 * 50


def test_autocast_computes_in_the_autocast_dtype():
    q, k, v = _inputs(1, 2, 1, 30, 30, 16, torch.float32)
    low = torch.float16 if DEVICE.type == "cpu" else torch.bfloat16
    with torch.autocast(DEVICE.type, dtype=low):
        o = flash_attention_triton(q, k, v, causal=True)
    assert o.dtype == low
    o.float().sum().backward()
    assert q.grad.dtype == k.grad.dtype == torch.float32


def test_dispatch_forced_triton_matches_torch():
    q, k, v = _inputs(1, 4, 2, 33, 33, 16, torch.float32)
    a = kernels.flash_attention(q, k, v, causal=True, impl="triton")
    b = kernels.flash_attention(q, k, v, causal=True, impl="torch")
    torch.testing.assert_close(a, b, atol=2e-5, rtol=2e-5)
    with pytest.raises(ValueError):
        kernels.flash_attention(q, k, v, impl="cuda")


def test_bad_shapes_are_clear_errors():
    q = torch.randn(1, 3, 8, 16, device=DEVICE)
    k = torch.randn(1, 2, 8, 16, device=DEVICE)
    with pytest.raises(ValueError, match="multiple"):
        flash_attention_triton(q, k, k, causal=True)
    q = torch.randn(1, 2, 9, 16, device=DEVICE)
    with pytest.raises(ValueError, match="Tq <= Tk"):
        flash_attention_triton(q, k, k, causal=True)
    with pytest.raises(ValueError, match="dtype|share"):
        flash_attention_triton(q.double(), k.double(), k.double(), causal=False)


def _errors_vs_float64(fn, q, k, v, causal, do):
    o = fn(q, k, v, causal)
    grads = torch.autograd.grad(o, (q, k, v), do)
    ref_in = [t.detach().double().requires_grad_() for t in (q, k, v)]
    o_ref = attention_reference(*ref_in, causal=causal)
    ref_grads = torch.autograd.grad(o_ref, ref_in, do.double())
    return [(a.double() - b).abs().max().item() for a, b in zip((o, *grads), (o_ref, *ref_grads))]


def _compare_low_precision(q, k, v, causal):
    """bf16/fp16 on a GPU: our error against float64 must stay within 2x (+ a small floor) of
    the error PyTorch's own SDPA makes with the same inputs."""
    do = torch.randn_like(q)
    ours = _errors_vs_float64(lambda *a: flash_attention_triton(*a), q, k, v, causal, do)
    theirs = _errors_vs_float64(lambda q_, k_, v_, c: kernels.flash_attention(q_, k_, v_, c,
                                                                              impl="torch"),
                                q, k, v, causal, do)
    for name, a, b in zip(("o", "dq", "dk", "dv"), ours, theirs):
        assert a <= 2 * b + 1e-3, f"{name}: ours {a:.3g} vs SDPA {b:.3g}"


@gpu
@needs_gpu
@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("d", [64, 128])
def test_bf16_gpu(causal, d):
    q, k, v = _inputs(2, 8, 2, 1000, 1000, d, torch.bfloat16, device="cuda")
    _compare_low_precision(q, k, v, causal)


@gpu
@needs_gpu
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_long_sequence_gpu(dtype):
    q, k, v = _inputs(1, 4, 1, 4099, 4099, 64, dtype, device="cuda")
    _compare_low_precision(q, k, v, True)
