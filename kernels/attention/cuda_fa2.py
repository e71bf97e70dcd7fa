"""Loader for the CUDA C++ FlashAttention-2 forward (kernels/attention/cuda/).

Why a separate loader: the extension is compiled on first use with
``torch.utils.cpp_extension.load`` (nvcc + the host compiler, about a minute), only on a
machine with a GPU and a CUDA build of torch. Everything else in ``kernels`` works without it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import torch

SOURCE_DIR = Path(__file__).parent / "cuda"
SOURCES = (SOURCE_DIR / "fa2_binding.cpp", SOURCE_DIR / "fa2_fwd.cu")
HEAD_DIMS = (16, 32, 64, 128)


@lru_cache(maxsize=1)
def _extension():
    if not torch.cuda.is_available():
        raise RuntimeError("the CUDA FlashAttention kernel needs a CUDA GPU and a CUDA torch")
    from torch.utils.cpp_extension import load

    return load(name="vaani_fa2_fwd", sources=[str(p) for p in SOURCES],
                extra_cflags=["-O3"], extra_cuda_cflags=["-O3"], verbose=False)


def flash_attention_cuda(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True,
                         scale: float | None = None, return_lse: bool = False):
    """Forward only: q (B, Hq, Tq, D), k/v (B, Hkv, Tk, D) on CUDA -> O (and the natural-log
    log-sum-exp per row when ``return_lse``). Not differentiable; training uses Triton."""
    if causal and q.shape[2] > k.shape[2]:
        raise ValueError("causal attention needs Tq <= Tk (queries are the last Tq positions)")
    if q.shape[-1] not in HEAD_DIMS:
        raise ValueError(f"head dimension must be one of {HEAD_DIMS}, got {q.shape[-1]}")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    with torch.cuda.device(q.device):
        stream = torch.cuda.current_stream().cuda_stream
        o, lse = _extension().forward(q.detach(), k.detach(), v.detach(), causal, scale, stream)
    return (o, lse) if return_lse else o
