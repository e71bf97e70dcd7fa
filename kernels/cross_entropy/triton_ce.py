"""Fused linear + cross-entropy in Triton: the (N, V) logits are never stored, not even a chunk.

Why: for Chimera's vocabulary the logits dominate training memory (N tokens x V classes in
fp32, several copies through softmax and its gradient). Here the loss only needs one float per
token in memory beyond its inputs and the two gradients.

* forward: one program per block of tokens streams the vocabulary in blocks, computes each
  logits tile as a matmul over the embedding dimension, and keeps an online log-sum-exp (running
  max and rescaled sum) plus the target's logit. It stores the log-sum-exp and the per-token
  loss.
* backward: one program per (token block, vocabulary block) recomputes its logits tile, turns
  it into the gradient of the logits, softmax - onehot, scaled per token, and adds its products
  with the weight rows (-> d hidden) and with the hidden rows (-> d weight) into float32
  accumulators with atomic adds. Three matmuls' worth of work, like the unfused backward, plus
  the recomputation of the logits.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from kernels._triton_util import (autocast_dtype, check_device, dot_precision, interpreting,
                                  pow2_at_least_16)


@triton.jit
def _logits_tile(H, W, offs_m, offs_v, N, V, E, shn, swv,
                 BLOCK_M: tl.constexpr, BLOCK_V: tl.constexpr, BLOCK_E: tl.constexpr,
                 DOT_PREC: tl.constexpr):
    """hidden[offs_m] @ weight[offs_v].T in float32 (zeros outside the matrices)."""
    acc = tl.zeros([BLOCK_M, BLOCK_V], dtype=tl.float32)
    offs_e = tl.arange(0, BLOCK_E)
    for e0 in range(0, E, BLOCK_E):
        emask = e0 + offs_e < E
        h = tl.load(H + offs_m[:, None] * shn + (e0 + offs_e)[None, :],
                    mask=(offs_m[:, None] < N) & emask[None, :], other=0.0)
        w = tl.load(W + offs_v[:, None] * swv + (e0 + offs_e)[None, :],
                    mask=(offs_v[:, None] < V) & emask[None, :], other=0.0)
        acc += tl.dot(h, tl.trans(w), input_precision=DOT_PREC)
    return acc


@triton.jit
def _lce_fwd(H, W, T, LSE, LOSS, N, V, E, shn, swv, ignore_index,
             BLOCK_M: tl.constexpr, BLOCK_V: tl.constexpr, BLOCK_E: tl.constexpr,
             DOT_PREC: tl.constexpr):
    offs_m = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    rmask = offs_m < N
    tgt = tl.load(T + offs_m, mask=rmask, other=ignore_index)
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    t_logit = tl.zeros([BLOCK_M], dtype=tl.float32)
    for v0 in range(0, V, BLOCK_V):
        offs_v = v0 + tl.arange(0, BLOCK_V)
        logits = _logits_tile(H, W, offs_m, offs_v, N, V, E, shn, swv,
                              BLOCK_M, BLOCK_V, BLOCK_E, DOT_PREC)
        logits = tl.where(offs_v[None, :] < V, logits, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(logits, 1))
        l_i = l_i * tl.exp(m_i - m_new) + tl.sum(tl.exp(logits - m_new[:, None]), 1)
        m_i = m_new
        t_logit += tl.sum(tl.where(offs_v[None, :] == tgt[:, None], logits, 0.0), 1)
    lse = m_i + tl.log(l_i)
    valid = rmask & (tgt != ignore_index)
    tl.store(LSE + offs_m, lse, mask=rmask)
    tl.store(LOSS + offs_m, tl.where(valid, lse - t_logit, 0.0), mask=rmask)


@triton.jit
def _lce_bwd(H, W, T, LSE, SCALE, DH, DW, N, V, E, shn, swv, ignore_index,
             BLOCK_M: tl.constexpr, BLOCK_V: tl.constexpr, BLOCK_E: tl.constexpr,
             DOT_PREC: tl.constexpr):
    offs_m = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_v = tl.program_id(1) * BLOCK_V + tl.arange(0, BLOCK_V)
    rmask = offs_m < N
    vmask = offs_v < V
    scale = tl.load(SCALE + offs_m, mask=rmask, other=0.0)       # 0 on ignored tokens
    # a block of ignored tokens (padding) has nothing to add
    if tl.max(tl.abs(scale), 0) > 0.0:
        tgt = tl.load(T + offs_m, mask=rmask, other=ignore_index)
        lse = tl.load(LSE + offs_m, mask=rmask, other=0.0)
        logits = _logits_tile(H, W, offs_m, offs_v, N, V, E, shn, swv,
                              BLOCK_M, BLOCK_V, BLOCK_E, DOT_PREC)
        p = tl.where(vmask[None, :], tl.exp(logits - lse[:, None]), 0.0)
        d = (p - tl.where(offs_v[None, :] == tgt[:, None], 1.0, 0.0)) * scale[:, None]
        offs_e = tl.arange(0, BLOCK_E)
        for e0 in range(0, E, BLOCK_E):
            emask = e0 + offs_e < E
            h = tl.load(H + offs_m[:, None] * shn + (e0 + offs_e)[None, :],
                        mask=rmask[:, None] & emask[None, :], other=0.0)
            w = tl.load(W + offs_v[:, None] * swv + (e0 + offs_e)[None, :],
                        mask=vmask[:, None] & emask[None, :], other=0.0)
            dh = tl.dot(d.to(w.dtype), w, input_precision=DOT_PREC)             # (BM, BE)
            tl.atomic_add(DH + offs_m[:, None] * E + (e0 + offs_e)[None, :], dh,
                          mask=rmask[:, None] & emask[None, :])
            dw = tl.dot(tl.trans(d.to(h.dtype)), h, input_precision=DOT_PREC)   # (BV, BE)
            tl.atomic_add(DW + offs_v[:, None] * E + (e0 + offs_e)[None, :], dw,
                          mask=vmask[:, None] & emask[None, :])


_FWD_TUNED = None


def _fwd_kernel():
    """Forward tiles autotuned on a GPU (it has no side effects, unlike the atomic backward);
    None in the interpreter, which cannot try several configs."""
    global _FWD_TUNED
    if interpreting():
        return None
    if _FWD_TUNED is None:
        _FWD_TUNED = triton.autotune(configs=_autotune_configs(), key=["V", "E"])(_lce_fwd)
    return _FWD_TUNED


def _autotune_configs() -> list:
    return [triton.Config({"BLOCK_M": bm, "BLOCK_V": bv, "BLOCK_E": be}, num_warps=w,
                          num_stages=s)
            for bm, bv, be, w, s in [(64, 64, 64, 4, 3), (128, 64, 64, 4, 3),
                                     (128, 128, 32, 8, 3), (64, 128, 64, 4, 3)]]


def _gpu_bwd_config(e: int, fp32: bool) -> tuple[int, int, int, int]:
    """Backward tiles and warps on a GPU: large token and vocabulary blocks mean fewer atomic
    adds (each d-hidden element gets V/BLOCK_V of them, each d-weight element N/BLOCK_M);
    fp32 operands take twice the shared memory, so they get 64x64."""
    be = min(64, pow2_at_least_16(e))
    return (64, 64, min(32, be), 4) if fp32 else (128, 128, be, 8)


class _LinearCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden, weight, targets, ignore_index: int, reduction: str, blocks):
        n, e = hidden.shape
        v = weight.shape[0]
        lse = torch.empty(n, device=hidden.device, dtype=torch.float32)
        loss = torch.empty(n, device=hidden.device, dtype=torch.float32)
        prec = dot_precision(hidden.dtype)
        args = (hidden, weight, targets, lse, loss, n, v, e, hidden.stride(0), weight.stride(0),
                ignore_index)
        tuned = _fwd_kernel() if blocks is None else None
        if tuned is not None:
            tuned[lambda m: (triton.cdiv(n, m["BLOCK_M"]),)](*args, DOT_PREC=prec)
        else:
            bm, bv, be = blocks or (64, 64, min(64, pow2_at_least_16(e)))
            _lce_fwd[(triton.cdiv(n, bm),)](*args, BLOCK_M=bm, BLOCK_V=bv, BLOCK_E=be,
                                            DOT_PREC=prec, num_warps=4)
        valid = targets != ignore_index
        ctx.save_for_backward(hidden, weight, targets, lse, valid)
        ctx.ignore_index, ctx.reduction, ctx.blocks, ctx.prec = ignore_index, reduction, blocks, prec
        if reduction == "none":
            return loss
        total = loss.sum()
        return total / valid.sum() if reduction == "mean" else total

    @staticmethod
    def backward(ctx, grad):
        hidden, weight, targets, lse, valid = ctx.saved_tensors
        n, e = hidden.shape
        v = weight.shape[0]
        grad = grad.float()
        if ctx.reduction == "mean":
            grad = grad / valid.sum()
        scale = torch.where(valid, grad.expand(n), torch.zeros((), device=grad.device))
        dh = torch.zeros(n, e, device=hidden.device, dtype=torch.float32)
        dw = torch.zeros(v, e, device=hidden.device, dtype=torch.float32)
        if ctx.blocks:
            (bm, bv, be), warps = ctx.blocks, 4
        elif interpreting():
            bm, bv, be, warps = 64, 64, min(64, pow2_at_least_16(e)), 4
        else:
            bm, bv, be, warps = _gpu_bwd_config(e, hidden.dtype == torch.float32)
        _lce_bwd[(triton.cdiv(n, bm), triton.cdiv(v, bv))](
            hidden, weight, targets, lse, scale.contiguous(), dh, dw, n, v, e,
            hidden.stride(0), weight.stride(0), ctx.ignore_index,
            BLOCK_M=bm, BLOCK_V=bv, BLOCK_E=be, DOT_PREC=ctx.prec, num_warps=warps)
        return dh.to(hidden.dtype), dw.to(weight.dtype), None, None, None, None


def linear_cross_entropy_triton(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor,
                                ignore_index: int = -100, reduction: str = "mean",
                                blocks: tuple[int, int, int] | None = None) -> torch.Tensor:
    """Cross-entropy of ``hidden @ weight.T`` against ``targets`` without storing the logits.

    hidden (N, E) or (..., E) with targets of the same leading shape, weight (V, E);
    reduction "mean" (over non-ignored tokens), "sum" or "none" (per token, 0 where ignored),
    as ``F.cross_entropy``. ``blocks`` = (tokens, vocabulary, embedding) tile sizes, for tests.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if weight.dim() != 2 or hidden.shape[-1] != weight.shape[1]:
        raise ValueError(f"hidden (..., E) and weight (V, E) disagree: {tuple(hidden.shape)}, "
                         f"{tuple(weight.shape)}")
    if targets.shape != hidden.shape[:-1]:
        raise ValueError(f"targets {tuple(targets.shape)} must match hidden's leading shape "
                         f"{tuple(hidden.shape[:-1])}")
    if targets.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"targets must be integer class indices, got {targets.dtype}")
    check_device(hidden, weight, targets)
    lead = targets.shape
    hidden = hidden.reshape(-1, hidden.shape[-1])
    targets = targets.reshape(-1)
    hidden = hidden if hidden.stride(-1) == 1 else hidden.contiguous()
    # one operand dtype for every tile product: autocast's if it is on (as F.linear would),
    # else the hidden states'; autograd casts the gradients back
    cast = autocast_dtype(hidden)
    if cast is not None:
        hidden = hidden.to(cast)
    weight = weight.to(hidden.dtype)
    weight = weight if weight.stride(-1) == 1 else weight.contiguous()
    targets = targets.contiguous()
    used = targets[targets != ignore_index]
    if used.numel() and (int(used.min()) < 0 or int(used.max()) >= weight.shape[0]):
        raise ValueError(f"targets must lie in [0, {weight.shape[0]}) or equal ignore_index "
                         f"({ignore_index})")
    loss = _LinearCrossEntropy.apply(hidden, weight, targets, ignore_index, reduction, blocks)
    return loss.view(lead) if reduction == "none" else loss
