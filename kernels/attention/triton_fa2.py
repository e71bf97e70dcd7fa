"""FlashAttention-2 in Triton: forward and backward, causal or not, grouped-query attention.

Why our own kernel: Chimera's attention blocks train on long sequences; the kernel keeps memory
linear in the sequence length (it stores the output and one log-sum-exp per query row, never the
T x T score matrix) and lets us run the same code on a GPU and, through Triton's interpreter, on
CPU-only CI.

Algorithm (Dao, "FlashAttention-2", 2023):
* forward: one program per (query block, batch*head). It streams key/value blocks, keeps a
  running row maximum ``m`` and normaliser ``l`` (online softmax, base 2 so ``exp2`` is used),
  rescales the accumulator when the maximum grows, and divides once at the end. The key blocks
  that need no mask (fully visible and inside the sequence) run in a separate loop from the few
  that do (the causal diagonal and the ragged end), so the common case pays for no masking.
* backward: ``delta = rowsum(dO * O)`` first; then one kernel per key block computes dK and dV
  (looping over every query head of its GQA group, so the group sum needs no atomics), and one
  kernel per query block computes dQ. The probabilities are recomputed from the stored
  log-sum-exp.

Layout: q (B, Hq, Tq, D), k and v (B, Hkv, Tk, D), last dimension contiguous, Hq % Hkv == 0.
With ``causal`` and Tq < Tk the queries are the last Tq positions (as in decoding with a cache).
"""

from __future__ import annotations

import math

import torch
import triton
import triton.language as tl

from kernels._triton_util import (autocast_dtype, check_device, dot_precision, interpreting,
                                  pow2_at_least_16)

LOG2E = 1.4426950408889634


# --------------------------------------------------------------------------- forward
@triton.jit
def _fwd_inner(acc, m_i, l_i, q, k_base, v_base, skt, svt, offs_m, offs_d, dmask,
               lo, hi, Tk, OFF, qk_scale,
               BLOCK_N: tl.constexpr, MASKED: tl.constexpr, CAUSAL: tl.constexpr,
               DOT_PREC: tl.constexpr):
    """Fold key/value blocks [lo, hi) into the running softmax state of one query block."""
    for start_n in range(lo, hi, BLOCK_N):
        offs_n = start_n + tl.arange(0, BLOCK_N)
        kv_mask = dmask[None, :]
        if MASKED:
            kv_mask = kv_mask & (offs_n[:, None] < Tk)
        k = tl.load(k_base + offs_n[:, None] * skt + offs_d[None, :], mask=kv_mask, other=0.0)
        v = tl.load(v_base + offs_n[:, None] * svt + offs_d[None, :], mask=kv_mask, other=0.0)
        qk = tl.dot(q, tl.trans(k), input_precision=DOT_PREC) * qk_scale
        if MASKED:
            keep = offs_n[None, :] < Tk
            if CAUSAL:
                keep = keep & (offs_n[None, :] <= offs_m[:, None] + OFF)
            qk = tl.where(keep, qk, float("-inf"))
        m_new = tl.maximum(m_i, tl.max(qk, 1))
        p = tl.math.exp2(qk - m_new[:, None])
        alpha = tl.math.exp2(m_i - m_new)
        l_i = l_i * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v, input_precision=DOT_PREC)
        m_i = m_new
    return acc, m_i, l_i


@triton.jit
def _attn_fwd(Q, K, V, O, LSE,
              sqb, sqh, sqt, skb, skh, skt, svb, svh, svt, sob, soh, sot,
              H, GROUP, Tq, Tk, OFF, qk_scale,
              D: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr,
              BLOCK_N: tl.constexpr, CAUSAL: tl.constexpr, DOT_PREC: tl.constexpr):
    start_m = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    hk = h // GROUP
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    dmask = offs_d < D
    row_mask = offs_m < Tq
    q = tl.load(Q + b * sqb + h * sqh + offs_m[:, None] * sqt + offs_d[None, :],
                mask=row_mask[:, None] & dmask[None, :], other=0.0)
    k_base = K + b * skb + hk * skh
    v_base = V + b * svb + hk * svh
    m_i = tl.full([BLOCK_M], float("-inf"), dtype=tl.float32)
    l_i = tl.zeros([BLOCK_M], dtype=tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)
    if CAUSAL:
        # keys < OFF + start_m*BLOCK_M + 1 are visible to every row of this block
        hi = tl.minimum(Tk, OFF + (start_m + 1) * BLOCK_M)
        full_end = tl.minimum(Tk, OFF + start_m * BLOCK_M + 1) // BLOCK_N * BLOCK_N
    else:
        hi = Tk
        full_end = Tk // BLOCK_N * BLOCK_N
    acc, m_i, l_i = _fwd_inner(acc, m_i, l_i, q, k_base, v_base, skt, svt, offs_m, offs_d, dmask,
                               0, full_end, Tk, OFF, qk_scale,
                               BLOCK_N, False, CAUSAL, DOT_PREC)
    acc, m_i, l_i = _fwd_inner(acc, m_i, l_i, q, k_base, v_base, skt, svt, offs_m, offs_d, dmask,
                               full_end, hi, Tk, OFF, qk_scale,
                               BLOCK_N, True, CAUSAL, DOT_PREC)
    acc = acc / l_i[:, None]
    tl.store(O + b * sob + h * soh + offs_m[:, None] * sot + offs_d[None, :],
             acc.to(O.dtype.element_ty), mask=row_mask[:, None] & dmask[None, :])
    tl.store(LSE + bh * Tq + offs_m, m_i + tl.math.log2(l_i), mask=row_mask)


# --------------------------------------------------------------------------- backward
@triton.jit
def _bwd_preprocess(O, DO, DELTA, sob, soh, sot, sdb, sdh, sdt, H, Tq,
                    D: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr):
    """delta_i = sum_d dO_id * O_id: the softmax-Jacobian term shared by dQ and dK."""
    start_m = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    mask = (offs_m[:, None] < Tq) & (offs_d[None, :] < D)
    o = tl.load(O + b * sob + h * soh + offs_m[:, None] * sot + offs_d[None, :], mask=mask,
                other=0.0).to(tl.float32)
    do = tl.load(DO + b * sdb + h * sdh + offs_m[:, None] * sdt + offs_d[None, :], mask=mask,
                 other=0.0).to(tl.float32)
    tl.store(DELTA + bh * Tq + offs_m, tl.sum(o * do, 1), mask=offs_m < Tq)


@triton.jit
def _dkdv_inner(dk, dv, k, v, q_base, do_base, lse_base, delta_base, sqt, sdt,
                offs_n, offs_d, dmask, lo, hi, Tq, OFF, qk_scale,
                BLOCK_M: tl.constexpr, MASKED: tl.constexpr, DOT_PREC: tl.constexpr):
    """Accumulate dK, dV of one key block over query blocks [lo, hi), transposed layout.

    Query rows past Tq load as zeros (q, dO, lse, delta), which makes their terms exactly 0.
    """
    for start_m in range(lo, hi, BLOCK_M):
        offs_m = start_m + tl.arange(0, BLOCK_M)
        row_mask = offs_m < Tq
        q = tl.load(q_base + offs_m[:, None] * sqt + offs_d[None, :],
                    mask=row_mask[:, None] & dmask[None, :], other=0.0)
        do = tl.load(do_base + offs_m[:, None] * sdt + offs_d[None, :],
                     mask=row_mask[:, None] & dmask[None, :], other=0.0)
        lse = tl.load(lse_base + offs_m, mask=row_mask, other=0.0)
        delta = tl.load(delta_base + offs_m, mask=row_mask, other=0.0)
        qkT = tl.dot(k, tl.trans(q), input_precision=DOT_PREC) * qk_scale      # (BN, BM)
        pT = tl.math.exp2(qkT - lse[None, :])
        if MASKED:
            pT = tl.where(offs_m[None, :] + OFF >= offs_n[:, None], pT, 0.0)
        dv += tl.dot(pT.to(do.dtype), do, input_precision=DOT_PREC)
        dpT = tl.dot(v, tl.trans(do), input_precision=DOT_PREC)
        dsT = pT * (dpT - delta[None, :])
        dk += tl.dot(dsT.to(q.dtype), q, input_precision=DOT_PREC)
    return dk, dv


@triton.jit
def _attn_bwd_dkdv(Q, K, V, DO, LSE, DELTA, DK, DV,
                   sqb, sqh, sqt, skb, skh, skt, svb, svh, svt, sdb, sdh, sdt,
                   sdkb, sdkh, sdkt, sdvb, sdvh, sdvt,
                   H, HKV, GROUP, Tq, Tk, OFF, qk_scale, sm_scale,
                   D: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr,
                   BLOCK_N: tl.constexpr, CAUSAL: tl.constexpr, DOT_PREC: tl.constexpr):
    start_n = tl.program_id(0)
    bhk = tl.program_id(1)
    b = bhk // HKV
    hk = bhk % HKV
    offs_n = start_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_d = tl.arange(0, BLOCK_D)
    dmask = offs_d < D
    kv_mask = (offs_n[:, None] < Tk) & dmask[None, :]
    k = tl.load(K + b * skb + hk * skh + offs_n[:, None] * skt + offs_d[None, :], mask=kv_mask,
                other=0.0)
    v = tl.load(V + b * svb + hk * svh + offs_n[:, None] * svt + offs_d[None, :], mask=kv_mask,
                other=0.0)
    dk = tl.zeros([BLOCK_N, BLOCK_D], dtype=tl.float32)
    dv = tl.zeros([BLOCK_N, BLOCK_D], dtype=tl.float32)
    q_end = tl.cdiv(Tq, BLOCK_M) * BLOCK_M
    if CAUSAL:
        # first query that sees key start_n*BLOCK_N, and first block seeing the whole key block
        lo = tl.maximum(start_n * BLOCK_N - OFF, 0) // BLOCK_M * BLOCK_M
        mid = tl.cdiv(tl.maximum(start_n * BLOCK_N + BLOCK_N - 1 - OFF, 0), BLOCK_M) * BLOCK_M
        mid = tl.minimum(mid, q_end)
    else:
        lo = 0
        mid = 0
    for g in range(0, GROUP):
        h = hk * GROUP + g
        bh = b * H + h
        q_base = Q + b * sqb + h * sqh
        do_base = DO + b * sdb + h * sdh
        dk, dv = _dkdv_inner(dk, dv, k, v, q_base, do_base, LSE + bh * Tq, DELTA + bh * Tq,
                             sqt, sdt, offs_n, offs_d, dmask, lo, mid, Tq, OFF, qk_scale,
                             BLOCK_M, True, DOT_PREC)
        dk, dv = _dkdv_inner(dk, dv, k, v, q_base, do_base, LSE + bh * Tq, DELTA + bh * Tq,
                             sqt, sdt, offs_n, offs_d, dmask, mid, q_end, Tq, OFF, qk_scale,
                             BLOCK_M, False, DOT_PREC)
    tl.store(DK + b * sdkb + hk * sdkh + offs_n[:, None] * sdkt + offs_d[None, :],
             (dk * sm_scale).to(DK.dtype.element_ty), mask=kv_mask)
    tl.store(DV + b * sdvb + hk * sdvh + offs_n[:, None] * sdvt + offs_d[None, :],
             dv.to(DV.dtype.element_ty), mask=kv_mask)


@triton.jit
def _dq_inner(dq, q, do, lse, delta, k_base, v_base, skt, svt, offs_m, offs_d, dmask,
              lo, hi, Tk, OFF, qk_scale,
              BLOCK_N: tl.constexpr, MASKED: tl.constexpr, CAUSAL: tl.constexpr,
              DOT_PREC: tl.constexpr):
    for start_n in range(lo, hi, BLOCK_N):
        offs_n = start_n + tl.arange(0, BLOCK_N)
        kv_mask = dmask[None, :]
        if MASKED:
            kv_mask = kv_mask & (offs_n[:, None] < Tk)
        k = tl.load(k_base + offs_n[:, None] * skt + offs_d[None, :], mask=kv_mask, other=0.0)
        v = tl.load(v_base + offs_n[:, None] * svt + offs_d[None, :], mask=kv_mask, other=0.0)
        qk = tl.dot(q, tl.trans(k), input_precision=DOT_PREC) * qk_scale
        p = tl.math.exp2(qk - lse[:, None])
        if MASKED:
            keep = offs_n[None, :] < Tk
            if CAUSAL:
                keep = keep & (offs_n[None, :] <= offs_m[:, None] + OFF)
            p = tl.where(keep, p, 0.0)
        dp = tl.dot(do, tl.trans(v), input_precision=DOT_PREC)
        ds = p * (dp - delta[:, None])
        dq += tl.dot(ds.to(k.dtype), k, input_precision=DOT_PREC)
    return dq


@triton.jit
def _attn_bwd_dq(Q, K, V, DO, LSE, DELTA, DQ,
                 sqb, sqh, sqt, skb, skh, skt, svb, svh, svt, sdb, sdh, sdt,
                 sdqb, sdqh, sdqt,
                 H, GROUP, Tq, Tk, OFF, qk_scale, sm_scale,
                 D: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_M: tl.constexpr,
                 BLOCK_N: tl.constexpr, CAUSAL: tl.constexpr, DOT_PREC: tl.constexpr):
    start_m = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    hk = h // GROUP
    offs_m = start_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    dmask = offs_d < D
    row_mask = offs_m < Tq
    mask = row_mask[:, None] & dmask[None, :]
    q = tl.load(Q + b * sqb + h * sqh + offs_m[:, None] * sqt + offs_d[None, :], mask=mask,
                other=0.0)
    do = tl.load(DO + b * sdb + h * sdh + offs_m[:, None] * sdt + offs_d[None, :], mask=mask,
                 other=0.0)
    lse = tl.load(LSE + bh * Tq + offs_m, mask=row_mask, other=0.0)
    delta = tl.load(DELTA + bh * Tq + offs_m, mask=row_mask, other=0.0)
    dq = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)
    k_base = K + b * skb + hk * skh
    v_base = V + b * svb + hk * svh
    if CAUSAL:
        hi = tl.minimum(Tk, OFF + (start_m + 1) * BLOCK_M)
        full_end = tl.minimum(Tk, OFF + start_m * BLOCK_M + 1) // BLOCK_N * BLOCK_N
    else:
        hi = Tk
        full_end = Tk // BLOCK_N * BLOCK_N
    dq = _dq_inner(dq, q, do, lse, delta, k_base, v_base, skt, svt, offs_m, offs_d, dmask,
                   0, full_end, Tk, OFF, qk_scale, BLOCK_N, False, CAUSAL, DOT_PREC)
    dq = _dq_inner(dq, q, do, lse, delta, k_base, v_base, skt, svt, offs_m, offs_d, dmask,
                   full_end, hi, Tk, OFF, qk_scale, BLOCK_N, True, CAUSAL, DOT_PREC)
    tl.store(DQ + b * sdqb + h * sdqh + offs_m[:, None] * sdqt + offs_d[None, :],
             (dq * sm_scale).to(DQ.dtype.element_ty), mask=mask)


# --------------------------------------------------------------------------- launch
_FWD_TUNED = None


def _autotune_configs() -> list:
    """Forward tile shapes tried on a GPU, the 64x64 default first."""
    return [triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=s)
            for bm, bn, w, s in [(64, 64, 4, 3), (64, 64, 4, 2), (128, 64, 8, 3),
                                 (128, 64, 4, 3), (128, 128, 8, 2)]]


def _fwd_kernel():
    """The forward kernel, autotuned over a few tile shapes on a GPU, plain in the
    interpreter, which cannot run several configs."""
    global _FWD_TUNED
    if interpreting():
        return None
    if _FWD_TUNED is None:
        _FWD_TUNED = triton.autotune(configs=_autotune_configs(),
                                     key=["Tq", "Tk", "D", "CAUSAL"])(_attn_fwd)
    return _FWD_TUNED


def _warps(d: int) -> int:
    return 4 if d <= 64 else 8


def _strides(t: torch.Tensor) -> tuple[int, int, int]:
    return t.stride(0), t.stride(1), t.stride(2)


def _last_contiguous(t: torch.Tensor) -> torch.Tensor:
    return t if t.stride(-1) == 1 else t.contiguous()


def _check(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool) -> None:
    if q.dim() != 4 or k.dim() != 4 or v.shape != k.shape:
        raise ValueError(f"expected q (B,Hq,Tq,D), k and v (B,Hkv,Tk,D); got {tuple(q.shape)}, "
                         f"{tuple(k.shape)}, {tuple(v.shape)}")
    if q.shape[0] != k.shape[0] or q.shape[-1] != k.shape[-1]:
        raise ValueError("q and k/v must share batch size and head dimension")
    if q.shape[1] % k.shape[1]:
        raise ValueError(f"query heads ({q.shape[1]}) must be a multiple of key/value heads "
                         f"({k.shape[1]})")
    if causal and q.shape[2] > k.shape[2]:
        raise ValueError("causal attention needs Tq <= Tk (queries are the last Tq positions)")
    if not (q.dtype == k.dtype == v.dtype) or q.dtype not in (torch.float32, torch.float16,
                                                               torch.bfloat16):
        raise ValueError(f"q, k, v must share one of fp32/fp16/bf16, got {q.dtype}, {k.dtype}, "
                         f"{v.dtype}")
    if q.shape[-1] > 256:
        raise ValueError(f"head dimension {q.shape[-1]} > 256 is not supported")


def _forward(q, k, v, causal: bool, scale: float, block_m: int, block_n: int):
    """Run the forward kernel; returns O and the base-2 log-sum-exp of the scaled scores."""
    bsz, hq, tq, d = q.shape
    hkv, tk = k.shape[1], k.shape[2]
    o = torch.empty_like(q, memory_format=torch.contiguous_format)
    lse = torch.empty(bsz, hq, tq, device=q.device, dtype=torch.float32)
    args = (q, k, v, o, lse, *_strides(q), *_strides(k), *_strides(v), *_strides(o),
            hq, hq // hkv, tq, tk, tk - tq, scale * LOG2E)
    meta = dict(D=d, BLOCK_D=pow2_at_least_16(d), CAUSAL=causal, DOT_PREC=dot_precision(q.dtype))
    tuned = _fwd_kernel() if block_m == 0 else None
    if tuned is not None:
        grid = lambda m: (triton.cdiv(tq, m["BLOCK_M"]), bsz * hq)  # noqa: E731
        tuned[grid](*args, **meta)
    else:
        bm, bn = block_m or 64, block_n or 64
        _attn_fwd[(triton.cdiv(tq, bm), bsz * hq)](*args, BLOCK_M=bm, BLOCK_N=bn, **meta,
                                                  num_warps=_warps(d), num_stages=2)
    return o, lse


class _FlashAttention(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, causal: bool, scale: float, block_m: int, block_n: int):
        q, k, v = _last_contiguous(q), _last_contiguous(k), _last_contiguous(v)
        o, lse = _forward(q, k, v, causal, scale, block_m, block_n)
        ctx.save_for_backward(q, k, v, o, lse)
        ctx.causal, ctx.scale = causal, scale
        ctx.blocks = (block_m or 64, block_n or 64)
        return o

    @staticmethod
    def backward(ctx, do):
        q, k, v, o, lse = ctx.saved_tensors
        do = _last_contiguous(do)
        bsz, hq, tq, d = q.shape
        hkv, tk = k.shape[1], k.shape[2]
        bm, bn = ctx.blocks
        block_d = pow2_at_least_16(d)
        prec = dot_precision(q.dtype)
        warps = _warps(d)
        delta = torch.empty_like(lse)
        _bwd_preprocess[(triton.cdiv(tq, bm), bsz * hq)](
            o, do, delta, *_strides(o), *_strides(do), hq, tq, D=d, BLOCK_D=block_d, BLOCK_M=bm)
        dq = torch.empty_like(q, memory_format=torch.contiguous_format)
        dk = torch.empty_like(k, memory_format=torch.contiguous_format)
        dv = torch.empty_like(v, memory_format=torch.contiguous_format)
        qk_scale = ctx.scale * LOG2E
        common = dict(D=d, BLOCK_D=block_d, BLOCK_M=bm, BLOCK_N=bn, CAUSAL=ctx.causal,
                      DOT_PREC=prec, num_warps=warps, num_stages=2)
        _attn_bwd_dkdv[(triton.cdiv(tk, bn), bsz * hkv)](
            q, k, v, do, lse, delta, dk, dv, *_strides(q), *_strides(k), *_strides(v),
            *_strides(do), *_strides(dk), *_strides(dv),
            hq, hkv, hq // hkv, tq, tk, tk - tq, qk_scale, ctx.scale, **common)
        _attn_bwd_dq[(triton.cdiv(tq, bm), bsz * hq)](
            q, k, v, do, lse, delta, dq, *_strides(q), *_strides(k), *_strides(v),
            *_strides(do), *_strides(dq),
            hq, hq // hkv, tq, tk, tk - tq, qk_scale, ctx.scale, **common)
        return dq, dk, dv, None, None, None, None


def flash_attention_triton(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True,
                           scale: float | None = None, block_m: int = 0,
                           block_n: int = 0) -> torch.Tensor:
    """q (B, Hq, Tq, D), k/v (B, Hkv, Tk, D) -> (B, Hq, Tq, D), differentiable.

    ``block_m``/``block_n`` = 0 picks the tiles: 64x64 in the interpreter and for the backward,
    autotuned (64x64 first) for the forward on a GPU. Tests pass small tiles to cover many
    blocks with few rows.
    """
    cast = autocast_dtype(q)
    if cast is not None:  # as SDPA does under torch.autocast
        q, k, v = q.to(cast), k.to(cast), v.to(cast)
    _check(q, k, v, causal)
    check_device(q, k, v)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    return _FlashAttention.apply(q, k, v, causal, scale, block_m, block_n)


def flash_attention_lse(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True,
                        scale: float | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward only, also returning the natural-log log-sum-exp per row (B, Hq, Tq): tests
    use it to check the O(N) statistic that the backward relies on."""
    _check(q, k, v, causal)
    check_device(q, k, v)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)

    o, lse2 = _forward(_last_contiguous(q), _last_contiguous(k), _last_contiguous(v), causal,
                       scale, 64, 64)
    return o, lse2 / LOG2E
