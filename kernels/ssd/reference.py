"""Mamba-2 SSD references: the step-by-step recurrence and the chunked (matrix) form.

Both compute, per head h (group g = h // (H/G)):

    S_t = S_{t-1} * exp(dt_t * A_h) + dt_t * x_t ⊗ B_t       S: (P, N)
    y_t = S_t · C_t                                          (state after the update)

``D`` skip and the ``silu(z)`` gate are applied by the model, not here.
Shapes: x (b, l, H, P), dt (b, l, H) already softplus-ed, A (H,) negative,
B and C (b, l, G, N), initial_state (b, H, P, N). Returns y (b, l, H, P) and the final state.
"""

from __future__ import annotations

import torch


def _expand_groups(t: torch.Tensor, heads: int) -> torch.Tensor:
    groups = t.shape[2]
    if heads % groups:
        raise ValueError(f"heads ({heads}) must be a multiple of groups ({groups})")
    return t.repeat_interleave(heads // groups, dim=2)


def ssd_recurrent(x, dt, A, B, C, initial_state=None):
    """Sequential recurrence, float32 state (float64 when x is float64, so that tests can
    measure the kernels' float32 error). The ground truth for tests and generation."""
    b, l, h, p = x.shape
    n = B.shape[-1]
    acc = torch.promote_types(x.dtype, torch.float32)
    Bh, Ch = _expand_groups(B, h).to(acc), _expand_groups(C, h).to(acc)
    state = (torch.zeros(b, h, p, n, device=x.device, dtype=acc)
             if initial_state is None else initial_state.to(acc).clone())
    ys = []
    for t in range(l):
        decay = torch.exp(dt[:, t].to(acc) * A.to(acc))                      # (b, h)
        dx = dt[:, t, :, None].to(acc) * x[:, t].to(acc)                     # (b, h, p)
        state = state * decay[..., None, None] + dx[..., None] * Bh[:, t, :, None, :]
        ys.append(torch.einsum("bhpn,bhn->bhp", state, Ch[:, t]))
    y = torch.stack(ys, dim=1) if ys else x.new_zeros(b, 0, h, p, dtype=acc)
    return y.to(x.dtype), state


def _segsum(a: torch.Tensor) -> torch.Tensor:
    """out[..., i, j] = sum_{k=j+1..i} a[..., k] for i >= j, -inf above the diagonal."""
    q = a.shape[-1]
    a = a[..., None].expand(*a.shape, q)                                     # [..., k, j]
    lower = torch.tril(torch.ones(q, q, dtype=torch.bool, device=a.device), diagonal=-1)
    a = a.masked_fill(~lower, 0.0)
    out = torch.cumsum(a, dim=-2)
    keep = torch.tril(torch.ones(q, q, dtype=torch.bool, device=a.device))
    return out.masked_fill(~keep, float("-inf"))


def ssd_chunked(x, dt, A, B, C, chunk_size: int = 64, initial_state=None):
    """The chunked SSD algorithm in plain PyTorch (float32 inside)."""
    b, l, h, p = x.shape
    dtype = x.dtype
    Bh, Ch = _expand_groups(B, h).float(), _expand_groups(C, h).float()
    x, dt, A = x.float(), dt.float(), A.float()
    pad = (-l) % chunk_size
    if pad:  # dt = 0 on padding: no decay, no input, so the final state is unchanged
        x = torch.nn.functional.pad(x, (0, 0, 0, 0, 0, pad))
        dt = torch.nn.functional.pad(dt, (0, 0, 0, pad))
        Bh = torch.nn.functional.pad(Bh, (0, 0, 0, 0, 0, pad))
        Ch = torch.nn.functional.pad(Ch, (0, 0, 0, 0, 0, pad))
    c = (l + pad) // chunk_size
    X = (x * dt[..., None]).reshape(b, c, chunk_size, h, p)
    a = (dt * A).reshape(b, c, chunk_size, h).permute(0, 3, 1, 2)           # (b, h, c, Q)
    Bc = Bh.reshape(b, c, chunk_size, h, -1)
    Cc = Ch.reshape(b, c, chunk_size, h, -1)
    a_cum = torch.cumsum(a, dim=-1)
    # 1. outputs inside each chunk
    L = torch.exp(_segsum(a))                                                # (b, h, c, Q, Q)
    y_diag = torch.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", Cc, Bc, L, X)
    # 2. state at the end of each chunk, from its own inputs
    decay_states = torch.exp(a_cum[..., -1:] - a_cum)                        # (b, h, c, Q)
    states = torch.einsum("bclhn,bhcl,bclhp->bchpn", Bc, decay_states, X)
    # 3. pass states across chunks
    init = (torch.zeros_like(states[:, :1]) if initial_state is None
            else initial_state.float()[:, None])
    states = torch.cat([init, states], dim=1)                                # (b, c+1, h, p, n)
    chunk_decay = torch.exp(_segsum(torch.nn.functional.pad(a_cum[..., -1], (1, 0))))
    new_states = torch.einsum("bhzc,bchpn->bzhpn", chunk_decay, states)
    states, final = new_states[:, :-1], new_states[:, -1]
    # 4. contribution of the state entering each chunk
    y_off = torch.einsum("bclhn,bchpn,bhcl->bclhp", Cc, states, torch.exp(a_cum))
    y = (y_diag + y_off).reshape(b, c * chunk_size, h, p)[:, :l]
    return y.to(dtype), final
