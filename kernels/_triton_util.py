"""Small helpers shared by the Triton kernels: interpreter detection and dot precision.

Why they exist: the same kernels run compiled on a GPU and under ``TRITON_INTERPRET=1`` on a
CPU (tests, CI). The interpreter cannot autotune over several configs and computes bf16
``tl.dot`` wrongly, so callers need to know which world they are in.
"""

from __future__ import annotations

import os

import torch


def interpreting() -> bool:
    """True when Triton runs its CPU interpreter (set before triton is imported)."""
    return os.environ.get("TRITON_INTERPRET") == "1"


def check_device(*tensors: torch.Tensor) -> None:
    """Triton needs CUDA tensors unless the interpreter runs; say so instead of crashing."""
    if interpreting():
        return
    for t in tensors:
        if t is not None and not t.is_cuda:
            raise RuntimeError("Triton kernels need CUDA tensors; on CPU set TRITON_INTERPRET=1 "
                               "before importing triton, or use impl='torch'")


def dot_precision(dtype: torch.dtype) -> str:
    """fp32 inputs use exact fp32 products (matches the float32 references); 16-bit inputs use
    tensor cores with fp32 accumulation, which is what ``tl.dot`` does for them anyway."""
    return "ieee" if dtype == torch.float32 else "tf32"


def pow2_at_least_16(n: int) -> int:
    """Block width for a feature dimension: ``tl.dot`` needs power-of-two sizes >= 16."""
    return max(16, 1 << max(0, (n - 1).bit_length()))
