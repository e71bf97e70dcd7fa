"""GPU kernels for Chimera's training, each beside a plain PyTorch reference.

Public API (all take an ``impl`` argument: "auto" picks the fast kernel when CUDA and Triton
are usable and falls back to PyTorch otherwise; "torch" forces the reference; "triton"
forces the Triton kernel, which also runs on CPU under ``TRITON_INTERPRET=1``):

* :func:`flash_attention` (q, k, v, causal) with grouped-query attention
* :func:`ssd_scan` Mamba-2 state-space-duality chunked scan
* :func:`linear_cross_entropy` classifier + cross-entropy without materialising all logits
"""

from kernels.dispatch import flash_attention, linear_cross_entropy, ssd_scan

__all__ = ["flash_attention", "linear_cross_entropy", "ssd_scan"]
