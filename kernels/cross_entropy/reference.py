"""Linear + cross-entropy reference: full logits, then F.cross_entropy."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def linear_cross_entropy_reference(hidden: torch.Tensor, weight: torch.Tensor,
                                   targets: torch.Tensor, ignore_index: int = -100,
                                   reduction: str = "mean") -> torch.Tensor:
    """hidden (N, E), weight (V, E), targets (N,) -> loss. Logits in float32."""
    logits = hidden.float() @ weight.float().t()
    return F.cross_entropy(logits, targets, ignore_index=ignore_index, reduction=reduction)
