"""Pick the fast kernel when it can run, the PyTorch reference otherwise."""

from __future__ import annotations

import os

import torch

from kernels.attention.reference import attention_sdpa
from kernels.cross_entropy.reference import linear_cross_entropy_reference
from kernels.ssd.reference import ssd_chunked


def triton_usable(t: torch.Tensor) -> bool:
    """Whether impl="auto" should run the Triton kernel for a tensor on t's device.

    CUDA tensors: yes when triton imports. CPU tensors: only when asked for, with
    VAANI_KERNELS=triton and TRITON_INTERPRET=1 (the interpreter is far slower than PyTorch, so
    it is for tests). VAANI_KERNELS=torch forces the PyTorch references everywhere.
    """
    if os.environ.get("VAANI_KERNELS", "") == "torch":
        return False
    if t.is_cuda:
        try:
            import triton  # noqa: F401
        except ImportError:
            return False
        return True
    return os.environ.get("TRITON_INTERPRET") == "1" and os.environ.get("VAANI_KERNELS") == "triton"


def _fast(name: str):
    """The fast implementation of an op, or None if it is not built yet."""
    try:
        if name == "attention":
            from kernels.attention.triton_fa2 import flash_attention_triton as fn
        elif name == "ssd":
            from kernels.ssd.triton_ssd import ssd_scan_triton as fn
        else:
            from kernels.cross_entropy.triton_ce import linear_cross_entropy_triton as fn
    except ImportError:
        return None
    return fn


def _pick(name: str, impl: str, t: torch.Tensor):
    """The fast kernel to call, or None for the reference.

    The Triton module is imported only when it will be used: importing it fixes, once per
    process, whether its kernels are compiled or interpreted (TRITON_INTERPRET is read then).
    """
    if impl not in ("auto", "torch", "triton"):
        raise ValueError(f"impl must be 'auto', 'torch' or 'triton', got {impl!r}")
    if impl == "torch" or (impl == "auto" and not triton_usable(t)):
        return None
    fast = _fast(name)
    if fast is None and impl == "triton":
        raise RuntimeError(f"the Triton {name} kernel is not available (is triton installed?)")
    return fast


def flash_attention(q, k, v, causal: bool = True, scale: float | None = None, impl: str = "auto"):
    """q (B, Hq, T, D), k/v (B, Hkv, T, D) -> (B, Hq, T, D)."""
    fast = _pick("attention", impl, q)
    if fast is not None:
        return fast(q, k, v, causal=causal, scale=scale)
    return attention_sdpa(q, k, v, causal=causal, scale=scale)


def ssd_scan(x, dt, A, B, C, chunk_size: int = 64, initial_state=None, impl: str = "auto"):
    """Mamba-2 chunked scan; returns (y, final_state). See kernels.ssd.reference."""
    fast = _pick("ssd", impl, x)
    if fast is not None:
        return fast(x, dt, A, B, C, chunk_size=chunk_size, initial_state=initial_state)
    return ssd_chunked(x, dt, A, B, C, chunk_size=chunk_size, initial_state=initial_state)


def linear_cross_entropy(hidden, weight, targets, ignore_index: int = -100,
                         reduction: str = "mean", impl: str = "auto"):
    """Cross-entropy of ``hidden @ weight.T`` against ``targets`` (mean over non-ignored)."""
    fast = _pick("cross-entropy", impl, hidden)
    if fast is not None:
        return fast(hidden, weight, targets, ignore_index=ignore_index, reduction=reduction)
    return linear_cross_entropy_reference(hidden, weight, targets, ignore_index, reduction)
