"""Mamba-2 SSD chunked scan in Triton, forward and backward.

The recurrence (per head h, group g = h // (H/G); see kernels/ssd/reference.py):

    S_t = exp(dt_t A_h) S_{t-1} + dt_t x_t B_t^T        y_t = S_t C_t

Why it is built from one primitive: the backward of this linear recurrence is the same kind of
recurrence. With Lambda_t = dLoss/dS_t (the adjoint state),

    Lambda_t = exp(dt_{t+1} A) Lambda_{t+1} + dy_t C_t^T       (run backwards, from dfinal)
    dx_t  = dt_t Lambda_t B_t            dB_t = dt_t Lambda_t^T x_t        dC_t = S_t^T dy_t

so dx and dB are scans in reversed time (value dy, key C, query B resp. value C, key dy, query x)
and dC is a forward scan with the roles of the state's two axes swapped (value B, key x,
query dy). The decay gradient d(dt_t A) = <Lambda_t, exp(dt_t A) S_{t-1}> comes from one more
kernel (``_ddA_kernel``) that reads the chunk-boundary states of the forward and the reversed
scans and sums the in-chunk terms directly (see its docstring for why not a cumsum shortcut).
So one well-tested chunked kernel set, called four times, plus that kernel give the whole
forward and backward; only elementwise products and group sums are left to PyTorch.

The primitive ``_scan`` computes, for every head h,

    S_t = exp(a_t) S_{t-1} + w_t v_t k_t^T      y_t = S_t q_t

with v (b, l, Gv, Pv), k and q (b, l, Gk, N), a and w (b, l, H), in chunks of Q steps:
1. ``_chunk_state``: each chunk's own contribution to the state at its end (a Q-long matmul);
2. ``_state_pass``: the states entering every chunk, sequentially over chunks (cheap: c steps);
3. ``_chunk_out``: per chunk, y = (q k^T * decay mask * w) v + exp(acum) * q S_in^T.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl

from kernels._triton_util import check_device, dot_precision, pow2_at_least_16


@triton.jit
def _chunk_state(V, K, A, W, STATES,
                 svb, svt, svg, skb, skt, skg, sab, sat, sah, swb, swt, swh,
                 L, H, GV_DIV, GK_DIV, PV, N, NUM_N_BLOCKS,
                 CHUNK: tl.constexpr, BLOCK_P: tl.constexpr, BLOCK_N: tl.constexpr,
                 HAS_W: tl.constexpr, REVERSE: tl.constexpr, DOT_PREC: tl.constexpr):
    """states[b, c, h] = sum_{s in chunk} exp(acum_last - acum_s) w_s v_s k_s^T  (Pv x N)."""
    pid_pn = tl.program_id(0)
    c = tl.program_id(1)
    bh = tl.program_id(2)
    b = bh // H
    h = bh % H
    offs_p = (pid_pn // NUM_N_BLOCKS) * BLOCK_P + tl.arange(0, BLOCK_P)
    offs_n = (pid_pn % NUM_N_BLOCKS) * BLOCK_N + tl.arange(0, BLOCK_N)
    t = c * CHUNK + tl.arange(0, CHUNK)
    if REVERSE:  # see _scan: reversed chunk c holds forward chunk NCHUNKS-1-c
        t = tl.num_programs(1) * CHUNK - 1 - t
    valid = t < L
    a = tl.load(A + b * sab + t * sat + h * sah, mask=valid, other=0.0).to(tl.float32)
    acum = tl.cumsum(a, 0)
    a_last = tl.sum(a, 0)
    coef = tl.exp(a_last - acum)
    if HAS_W:
        coef = coef * tl.load(W + b * swb + t * swt + h * swh, mask=valid, other=0.0).to(tl.float32)
    v = tl.load(V + b * svb + t[:, None] * svt + (h // GV_DIV) * svg + offs_p[None, :],
                mask=valid[:, None] & (offs_p[None, :] < PV), other=0.0)
    k = tl.load(K + b * skb + t[:, None] * skt + (h // GK_DIV) * skg + offs_n[None, :],
                mask=valid[:, None] & (offs_n[None, :] < N), other=0.0)
    vs = (v.to(tl.float32) * coef[:, None]).to(k.dtype)
    st = tl.dot(tl.trans(vs), k, input_precision=DOT_PREC)                 # (BLOCK_P, BLOCK_N)
    base = STATES + ((b * tl.num_programs(1) + c) * H + h) * PV * N
    tl.store(base + offs_p[:, None] * N + offs_n[None, :], st,
             mask=(offs_p[:, None] < PV) & (offs_n[None, :] < N))


@triton.jit
def _state_pass(STATES, INIT, FINAL, A, sab, sat, sah, L, H, NCHUNKS, PN,
                CHUNK: tl.constexpr, BLOCK: tl.constexpr, HAS_INIT: tl.constexpr,
                REVERSE: tl.constexpr):
    """Replace each chunk's own state by the state entering it; write the final state."""
    pid = tl.program_id(0)
    bh = tl.program_id(1)
    b = bh // H
    h = bh % H
    offs = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offs < PN
    if HAS_INIT:
        s = tl.load(INIT + bh * PN + offs, mask=mask, other=0.0).to(tl.float32)
    else:
        s = tl.zeros([BLOCK], dtype=tl.float32)
    for c in range(0, NCHUNKS):
        t = c * CHUNK + tl.arange(0, CHUNK)
        if REVERSE:  # see _scan: reversed chunk c holds forward chunk NCHUNKS-1-c
            t = NCHUNKS * CHUNK - 1 - t
        valid = t < L
        a_last = tl.sum(tl.load(A + b * sab + t * sat + h * sah, mask=valid, other=0.0), 0)
        ptr = STATES + ((b * NCHUNKS + c) * H + h) * PN + offs
        own = tl.load(ptr, mask=mask, other=0.0)
        tl.store(ptr, s, mask=mask)
        s = tl.exp(a_last) * s + own
    tl.store(FINAL + bh * PN + offs, s, mask=mask)


@triton.jit
def _chunk_out(V, K, Q, A, W, STATES, Y,
               svb, svt, svg, skb, skt, skg, sqb, sqt, sqg, sab, sat, sah, swb, swt, swh,
               syb, syt, syh,
               L, H, GV_DIV, GK_DIV, PV, N,
               CHUNK: tl.constexpr, BLOCK_P: tl.constexpr, BLOCK_N: tl.constexpr,
               HAS_W: tl.constexpr, REVERSE: tl.constexpr, DOT_PREC: tl.constexpr):
    """y_t = sum_{s<=t in chunk} (q_t.k_s) exp(acum_t - acum_s) w_s v_s + exp(acum_t) S_in q_t."""
    pid_p = tl.program_id(0)
    c = tl.program_id(1)
    bh = tl.program_id(2)
    b = bh // H
    h = bh % H
    gk = h // GK_DIV
    offs_p = pid_p * BLOCK_P + tl.arange(0, BLOCK_P)
    offs_n = tl.arange(0, BLOCK_N)
    offs_s = tl.arange(0, CHUNK)
    t = c * CHUNK + tl.arange(0, CHUNK)
    if REVERSE:  # see _scan: reversed chunk c holds forward chunk NCHUNKS-1-c
        t = tl.num_programs(1) * CHUNK - 1 - t
    valid = t < L
    a = tl.load(A + b * sab + t * sat + h * sah, mask=valid, other=0.0).to(tl.float32)
    acum = tl.cumsum(a, 0)
    s_base = STATES + ((b * tl.num_programs(1) + c) * H + h) * PV * N
    qk = tl.zeros([CHUNK, CHUNK], dtype=tl.float32)
    y = tl.zeros([CHUNK, BLOCK_P], dtype=tl.float32)
    for n0 in range(0, N, BLOCK_N):
        nmask = (n0 + offs_n) < N
        q = tl.load(Q + b * sqb + t[:, None] * sqt + gk * sqg + n0 + offs_n[None, :],
                    mask=valid[:, None] & nmask[None, :], other=0.0)
        k = tl.load(K + b * skb + t[:, None] * skt + gk * skg + n0 + offs_n[None, :],
                    mask=valid[:, None] & nmask[None, :], other=0.0)
        qk += tl.dot(q, tl.trans(k), input_precision=DOT_PREC)
        s_in = tl.load(s_base + offs_p[:, None] * N + n0 + offs_n[None, :],
                       mask=(offs_p[:, None] < PV) & nmask[None, :], other=0.0)
        y += tl.dot(q.to(tl.float32), tl.trans(s_in), input_precision=DOT_PREC)
    y = y * tl.exp(acum)[:, None]
    causal = offs_s[:, None] >= offs_s[None, :]
    m = tl.where(causal, qk * tl.exp(acum[:, None] - acum[None, :]), 0.0)
    if HAS_W:
        w = tl.load(W + b * swb + t * swt + h * swh, mask=valid, other=0.0).to(tl.float32)
        m = m * w[None, :]
    v = tl.load(V + b * svb + t[:, None] * svt + (h // GV_DIV) * svg + offs_p[None, :],
                mask=valid[:, None] & (offs_p[None, :] < PV), other=0.0)
    y += tl.dot(m.to(v.dtype), v, input_precision=DOT_PREC)
    tl.store(Y + b * syb + t[:, None] * syt + h * syh + offs_p[None, :],
             y.to(Y.dtype.element_ty), mask=valid[:, None] & (offs_p[None, :] < PV))


@triton.jit
def _ddA_kernel(X, DY, B, C, DT, A, SFWD, SBWD, DDA,
                sxb, sxt, sxh, sdyb, sdyt, sdyh, sbb, sbt, sbg, scb, sct, scg,
                sdtb, sdtt, sdth, sab, sat, sah,
                L, H, G_DIV, P, N,
                CHUNK: tl.constexpr, BLOCK_P: tl.constexpr, BLOCK_N: tl.constexpr,
                DOT_PREC: tl.constexpr):
    """dLoss/d(dt_t A) = <Lambda_t, exp(dt_t A) S_{t-1}> for every step of one chunk.

    Written as four sums that are each part of the true value, so no large terms cancel
    (the shortcut "reverse cumsum of dy.y - dt x.g" loses digits in proportion to the
    sequence length and is useless with bf16 outputs). With local indices, acum the in-chunk
    cumulative log-decay, S_in the state entering the chunk and Lt the adjoint of the state
    leaving it:
      T1_i = sum_{s>=i>r} exp(acum_s - acum_r) (dy_s.x_r) dt_r (C_s.B_r)
      T2_i = sum_{s>=i} exp(acum_s) dy_s^T S_in C_s
      T3   = exp(acum_last) <Lt, S_in>
      T4_i = sum_{r<i} exp(acum_last - acum_r) dt_r x_r^T Lt B_r
    SFWD holds S_in transposed (b, c, H, N, P); SBWD holds, in reversed chunk order, the
    adjoint entering each chunk from its end (b, c, H, P, N), before the decay of the next step.
    """
    c = tl.program_id(0)
    bh = tl.program_id(1)
    nchunks = tl.num_programs(0)
    b = bh // H
    h = bh % H
    g = h // G_DIV
    offs_s = tl.arange(0, CHUNK)
    offs_p = tl.arange(0, BLOCK_P)
    offs_n = tl.arange(0, BLOCK_N)
    t = c * CHUNK + offs_s
    valid = t < L
    a = tl.load(A + b * sab + t * sat + h * sah, mask=valid, other=0.0).to(tl.float32)
    acum = tl.cumsum(a, 0)
    a_last = tl.sum(a, 0)
    dt = tl.load(DT + b * sdtb + t * sdtt + h * sdth, mask=valid, other=0.0).to(tl.float32)
    # the adjoint leaving the chunk is exp(a at the next step) times the stored one
    t_next = (c + 1) * CHUNK
    a_next = tl.load(A + b * sab + t_next * sat + h * sah, mask=t_next < L, other=0.0)
    lam_scale = tl.exp(a_next.to(tl.float32))
    sf_base = SFWD + ((b * nchunks + c) * H + h) * N * P
    sb_base = SBWD + ((b * nchunks + (nchunks - 1 - c)) * H + h) * P * N

    dyx = tl.zeros([CHUNK, CHUNK], dtype=tl.float32)          # dy_s . x_r
    for p0 in range(0, P, BLOCK_P):
        rmask = valid[:, None] & (p0 + offs_p < P)[None, :]
        dy = tl.load(DY + b * sdyb + t[:, None] * sdyt + h * sdyh + (p0 + offs_p)[None, :],
                     mask=rmask, other=0.0)
        x = tl.load(X + b * sxb + t[:, None] * sxt + h * sxh + (p0 + offs_p)[None, :],
                    mask=rmask, other=0.0)
        dyx += tl.dot(dy, tl.trans(x), input_precision=DOT_PREC)
    cb = tl.zeros([CHUNK, CHUNK], dtype=tl.float32)           # C_s . B_r
    t2 = tl.zeros([CHUNK], dtype=tl.float32)
    t4 = tl.zeros([CHUNK], dtype=tl.float32)
    t3 = tl.zeros([BLOCK_P, BLOCK_N], dtype=tl.float32)
    for n0 in range(0, N, BLOCK_N):
        nmask = n0 + offs_n < N
        z = tl.zeros([CHUNK, BLOCK_N], dtype=tl.float32)       # dy_s^T S_in
        w = tl.zeros([CHUNK, BLOCK_N], dtype=tl.float32)       # x_r^T Lt
        for p0 in range(0, P, BLOCK_P):
            pmask = p0 + offs_p < P
            smask = pmask[:, None] & nmask[None, :]
            s_in = tl.load(sf_base + (n0 + offs_n)[None, :] * P + (p0 + offs_p)[:, None],
                           mask=smask, other=0.0)
            lam = tl.load(sb_base + (p0 + offs_p)[:, None] * N + (n0 + offs_n)[None, :],
                          mask=smask, other=0.0) * lam_scale
            rmask = valid[:, None] & pmask[None, :]
            dy = tl.load(DY + b * sdyb + t[:, None] * sdyt + h * sdyh + (p0 + offs_p)[None, :],
                         mask=rmask, other=0.0)
            x = tl.load(X + b * sxb + t[:, None] * sxt + h * sxh + (p0 + offs_p)[None, :],
                        mask=rmask, other=0.0)
            z += tl.dot(dy.to(tl.float32), s_in, input_precision=DOT_PREC)
            w += tl.dot(x.to(tl.float32), lam, input_precision=DOT_PREC)
            t3 += s_in * lam
        cmask = valid[:, None] & nmask[None, :]
        cc = tl.load(C + b * scb + t[:, None] * sct + g * scg + (n0 + offs_n)[None, :],
                     mask=cmask, other=0.0)
        bb = tl.load(B + b * sbb + t[:, None] * sbt + g * sbg + (n0 + offs_n)[None, :],
                     mask=cmask, other=0.0)
        cb += tl.dot(cc, tl.trans(bb), input_precision=DOT_PREC)
        t2 += tl.sum(z * cc.to(tl.float32), 1)
        t4 += tl.sum(w * bb.to(tl.float32), 1)
    # T1: pairs s > r weighted, then summed over s >= i and r < i
    rows = offs_s[:, None]
    cols = offs_s[None, :]
    pair = tl.where(rows > cols, tl.exp(acum[:, None] - acum[None, :]) * dt[None, :] * dyx * cb,
                    0.0)
    before = tl.cumsum(pair, 1) - pair                        # [s, i] = sum_{r < i} pair[s, r]
    t1 = tl.sum(tl.where(rows >= cols, before, 0.0), 0)
    t2 = tl.cumsum(tl.exp(acum) * t2, 0, reverse=True)
    t4 = tl.exp(a_last - acum) * dt * t4
    t4 = tl.cumsum(t4, 0) - t4
    t3s = tl.exp(a_last) * tl.sum(tl.sum(t3, 1), 0)
    tl.store(DDA + bh * L + t, t1 + t2 + t3s + t4, mask=valid)


def _scan(v, k, q, a, w, init, *, chunk: int, reverse: bool, out_dtype: torch.dtype):
    """The primitive described in the module docstring. Returns y (b,l,H,Pv), the final
    state (b,H,Pv,N) float32 and the states entering each chunk (b,c,H,Pv,N) float32, in scan
    order. ``w`` None means 1; ``init`` None means zeros; ``reverse`` runs the recurrence from
    the last step to the first (outputs stay in natural time order). A reversed scan pads at
    its start (the end of time), not at its end, so that its chunk c covers exactly the steps
    of forward chunk c_total-1-c: the backward combines both directions chunk by chunk."""
    bsz, length, gv, pv = v.shape
    gk, n = k.shape[2], k.shape[3]
    heads = a.shape[2]
    common = torch.promote_types(torch.promote_types(v.dtype, k.dtype), q.dtype)
    v, k, q = (t.to(common) if t.dtype != common else t for t in (v, k, q))
    v, k, q = (t if t.stride(-1) == 1 else t.contiguous() for t in (v, k, q))
    nchunks = triton.cdiv(length, chunk)
    y = torch.empty(bsz, length, heads, pv, device=v.device, dtype=out_dtype)
    final = torch.empty(bsz, heads, pv, n, device=v.device, dtype=torch.float32)
    states = torch.empty(bsz, nchunks, heads, pv, n, device=v.device, dtype=torch.float32)
    if length == 0:
        final.copy_(init if init is not None else torch.zeros_like(final))
        return y, final, states
    block_p = min(64, pow2_at_least_16(pv))
    block_n = min(64, pow2_at_least_16(n))
    w_arg = w if w is not None else a
    strides = dict(
        v=(v.stride(0), v.stride(1), v.stride(2)), k=(k.stride(0), k.stride(1), k.stride(2)),
        q=(q.stride(0), q.stride(1), q.stride(2)), a=(a.stride(0), a.stride(1), a.stride(2)),
        w=(w_arg.stride(0), w_arg.stride(1), w_arg.stride(2)))
    meta = dict(CHUNK=chunk, BLOCK_P=block_p, BLOCK_N=block_n, HAS_W=w is not None,
                REVERSE=reverse, DOT_PREC=dot_precision(common), num_warps=4)
    n_blocks = triton.cdiv(n, block_n)
    _chunk_state[(triton.cdiv(pv, block_p) * n_blocks, nchunks, bsz * heads)](
        v, k, a, w_arg, states, *strides["v"], *strides["k"], *strides["a"], *strides["w"],
        length, heads, heads // gv, heads // gk, pv, n, n_blocks, **meta)
    pass_block = min(1024, triton.next_power_of_2(pv * n))
    init_arg = init.contiguous() if init is not None else final
    _state_pass[(triton.cdiv(pv * n, pass_block), bsz * heads)](
        states, init_arg, final, a, *strides["a"], length, heads, nchunks, pv * n,
        CHUNK=chunk, BLOCK=pass_block, HAS_INIT=init is not None, REVERSE=reverse)
    _chunk_out[(triton.cdiv(pv, block_p), nchunks, bsz * heads)](
        v, k, q, a, w_arg, states, y, *strides["v"], *strides["k"], *strides["q"],
        *strides["a"], *strides["w"], y.stride(0), y.stride(1), y.stride(2),
        length, heads, heads // gv, heads // gk, pv, n, **meta)
    return y, final, states


def _group_sum(t: torch.Tensor, groups: int) -> torch.Tensor:
    """(b, l, H, N) per-head terms -> (b, l, G, N) summed over the heads of each group."""
    b, l, h, n = t.shape
    return t.view(b, l, groups, h // groups, n).sum(3)


class _SSDScan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dt, A, B, C, initial_state, chunk: int):
        dA = dt.float() * A.float()
        y, final, _ = _scan(x, B, C, dA, dt, initial_state, chunk=chunk, reverse=False,
                            out_dtype=x.dtype)
        ctx.save_for_backward(x, dt, A, B, C, initial_state)
        ctx.chunk = chunk
        return y, final

    @staticmethod
    def backward(ctx, dy, dfinal):
        x, dt, A, B, C, init = ctx.saved_tensors
        chunk, groups = ctx.chunk, B.shape[2]
        bsz, length, heads, p = x.shape
        n = B.shape[3]
        dA = dt.float() * A.float()
        dy = dy.to(x.dtype)
        dy = dy if dy.stride(-1) == 1 else dy.contiguous()
        dfinal = dfinal.float()
        # decay applied when stepping back from t+1 to t; none between dfinal and the last step
        a_next = torch.nn.functional.pad(dA[:, 1:], (0, 0, 0, 1))
        # g_t = Lambda_t B_t; lam_states: the adjoint entering each (reversed) chunk
        g, lam0, lam_states = _scan(dy, C, B, a_next, None, dfinal, chunk=chunk, reverse=True,
                                    out_dtype=torch.float32)
        # Lambda_t^T x_t
        lam_x, _, _ = _scan(C, dy, x, a_next, None, dfinal.transpose(-1, -2), chunk=chunk,
                            reverse=True, out_dtype=torch.float32)
        # S_t^T dy_t; s_states: the forward state (transposed) entering each chunk
        s_dy, _, s_states = _scan(B, x, dy, dA, dt,
                                  None if init is None else init.transpose(-1, -2),
                                  chunk=chunk, reverse=False, out_dtype=torch.float32)
        ddA = torch.empty(bsz, heads, length, device=x.device, dtype=torch.float32)
        if length:
            xc, Bc, Cc = (t if t.stride(-1) == 1 else t.contiguous() for t in (x, B, C))
            _ddA_kernel[(triton.cdiv(length, chunk), bsz * heads)](
                xc, dy, Bc, Cc, dt, dA, s_states, lam_states, ddA,
                xc.stride(0), xc.stride(1), xc.stride(2), dy.stride(0), dy.stride(1),
                dy.stride(2), Bc.stride(0), Bc.stride(1), Bc.stride(2), Cc.stride(0),
                Cc.stride(1), Cc.stride(2), dt.stride(0), dt.stride(1), dt.stride(2),
                dA.stride(0), dA.stride(1), dA.stride(2),
                length, heads, heads // groups, p, n,
                CHUNK=chunk, BLOCK_P=min(64, pow2_at_least_16(p)),
                BLOCK_N=min(64, pow2_at_least_16(n)), DOT_PREC=dot_precision(x.dtype),
                num_warps=4)
        ddA = ddA.transpose(1, 2)                                           # (b, l, H)
        dtf = dt.float()
        dx = (dtf[..., None] * g).to(x.dtype)
        ddt = ((x.float() * g).sum(-1) + A.float() * ddA).to(dt.dtype)
        dA_param = (ddA * dtf).sum((0, 1)).to(A.dtype)
        dB = _group_sum(dtf[..., None] * lam_x, groups).to(B.dtype)
        dC = _group_sum(s_dy, groups).to(C.dtype)
        dinit = None
        if init is not None:
            dinit = (torch.exp(dA[:, 0])[..., None, None] * lam0).to(init.dtype)
        return dx, ddt, dA_param, dB, dC, dinit, None


def ssd_scan_triton(x: torch.Tensor, dt: torch.Tensor, A: torch.Tensor, B: torch.Tensor,
                    C: torch.Tensor, chunk_size: int = 64,
                    initial_state: torch.Tensor | None = None):
    """Mamba-2 scan: x (b,l,H,P), dt (b,l,H) (after softplus), A (H,) negative, B and C
    (b,l,G,N) with H % G == 0, initial_state (b,H,P,N) or None. Returns y (b,l,H,P) in x's
    dtype and the final state (b,H,P,N) in float32; differentiable in all inputs."""
    if x.dim() != 4 or dt.shape != x.shape[:3] or A.shape != (x.shape[2],):
        raise ValueError(f"expected x (b,l,H,P), dt (b,l,H), A (H,); got {tuple(x.shape)}, "
                         f"{tuple(dt.shape)}, {tuple(A.shape)}")
    if B.shape != C.shape or B.shape[:2] != x.shape[:2] or B.dim() != 4:
        raise ValueError(f"expected B and C (b,l,G,N); got {tuple(B.shape)}, {tuple(C.shape)}")
    if x.shape[2] % B.shape[2]:
        raise ValueError(f"heads ({x.shape[2]}) must be a multiple of groups ({B.shape[2]})")
    if chunk_size < 16 or chunk_size & (chunk_size - 1):
        raise ValueError(f"chunk_size must be a power of two >= 16, got {chunk_size}")
    expect = (x.shape[0], x.shape[2], x.shape[3], B.shape[3])
    if initial_state is not None and tuple(initial_state.shape) != expect:
        raise ValueError(f"initial_state must be {expect}, got {tuple(initial_state.shape)}")
    check_device(x, dt, A, B, C, initial_state)
    # one operand dtype for the tile products; autograd casts the gradients back
    B, C = B.to(x.dtype), C.to(x.dtype)
    return _SSDScan.apply(x, dt, A, B, C, initial_state, chunk_size)
