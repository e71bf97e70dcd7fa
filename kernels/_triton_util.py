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
    """Precision of ``tl.dot`` products, following PyTorch's own rule for matmuls: fp32
    inputs are exact unless ``torch.backends.cuda.matmul.allow_tf32`` is set (off by default),
    16-bit inputs use tensor cores with fp32 accumulation (the precision string is then moot)."""
    if dtype == torch.float32 and not torch.backends.cuda.matmul.allow_tf32:
        return "ieee"
    return "tf32"


def autocast_dtype(t: torch.Tensor) -> torch.dtype | None:
    """The dtype autocast would run a matmul on t in, or None when autocast is off.

    Our kernels are custom autograd Functions, which autocast does not see; the wrappers call
    this so that under ``torch.autocast`` they compute in the same dtype as F.linear/SDPA would.
    """
    kind = t.device.type
    if torch.is_autocast_enabled(kind):
        return torch.get_autocast_dtype(kind)
    return None


def pow2_at_least_16(n: int) -> int:
    """Block width for a feature dimension: ``tl.dot`` needs power-of-two sizes >= 16."""
    return max(16, 1 << max(0, (n - 1).bit_length()))
