"""Chimera: a hybrid Mamba-2 + attention language model that computes exactly what
llama.cpp's ``nemotron_h`` architecture computes (see shared/design/chimera-gguf.md).

Blocks are one of three kinds, each ``h = h + mixer(rmsnorm(h) * norm_w)``:

* ``M`` Mamba-2: in-projection to [z | xBC | dt], causal depthwise conv + SiLU on xBC, the
  SSD scan (chunked via ``kernels.ssd_scan`` for whole sequences, a recurrent step for
  generation), ``+ D*x``, gate ``* silu(z)``, grouped RMSNorm, out-projection;
* ``*`` attention with no positional encoding, GQA, causal, scale 1/sqrt(head_dim);
* ``-`` MLP ``down(relu(up(u))**2)`` with no gate.

There are no biases on projections (only the conv has one), matching the GGUF tensors.
Generation keeps a per-block cache: conv + SSM state for Mamba-2, K/V for attention, so
a prompt can be prefilled in one pass and then extended token by token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

import kernels
from training.config import ModelConfig


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    """x / sqrt(mean(x^2) + eps) * weight, computed in float32 like ggml."""
    xf = x.float()
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return (y * weight.float()).to(x.dtype)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, self.weight, self.eps)


@dataclass
class MambaState:
    conv: torch.Tensor   # (b, conv_dim, d_conv - 1): the last raw xBC inputs
    ssm: torch.Tensor    # (b, H, P, N), float32


@dataclass
class KVState:
    k: torch.Tensor      # (b, n_head_kv, t, head_dim)
    v: torch.Tensor


@dataclass
class InferenceCache:
    """Per-block generation state; ``None`` for MLP blocks and before the first call."""

    layers: list = field(default_factory=list)
    seen: int = 0        # tokens consumed so far

    @classmethod
    def empty(cls, n_layer: int) -> "InferenceCache":
        return cls(layers=[None] * n_layer)


class Mamba2(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        E, Di, H, G, N = cfg.n_embd, cfg.d_inner, cfg.ssm_heads, cfg.n_groups, cfg.d_state
        self.in_proj = nn.Linear(E, 2 * Di + 2 * G * N + H, bias=False)
        self.conv_weight = nn.Parameter(torch.empty(cfg.conv_dim, cfg.d_conv))
        self.conv_bias = nn.Parameter(torch.empty(cfg.conv_dim))
        self.dt_bias = nn.Parameter(torch.empty(H))
        self.A_log = nn.Parameter(torch.empty(H))
        self.D = nn.Parameter(torch.ones(H))
        self.norm_weight = nn.Parameter(torch.ones(Di))
        self.out_proj = nn.Linear(Di, E, bias=False)

    @torch.no_grad()
    def reset_ssm_parameters(self, generator: torch.Generator | None = None) -> None:
        """Mamba-2 defaults: A in [1, 16], dt in [1e-3, 1e-1] log-uniform, conv uniform."""
        H = self.cfg.ssm_heads
        bound = 1.0 / math.sqrt(self.cfg.d_conv)
        self.conv_weight.uniform_(-bound, bound, generator=generator)
        self.conv_bias.uniform_(-bound, bound, generator=generator)
        a = torch.empty(H).uniform_(1.0, 16.0, generator=generator)
        self.A_log.copy_(torch.log(a))
        u = torch.rand(H, generator=generator)
        dt = torch.exp(u * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3)).clamp(min=1e-4)
        self.dt_bias.copy_(dt + torch.log(-torch.expm1(-dt)))   # inverse softplus
        self.D.fill_(1.0)
        self.norm_weight.fill_(1.0)

    def _split(self, zxbcdt: torch.Tensor):
        c = self.cfg
        return torch.split(zxbcdt, [c.d_inner, c.conv_dim, c.ssm_heads], dim=-1)

    def _gate_norm_out(self, y: torch.Tensor, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """y, x: (b, l, H, P); z: (b, l, Di). D skip, SiLU(z) gate, grouped RMSNorm, out."""
        c = self.cfg
        b, l = y.shape[:2]
        y = y + x * self.D.to(x.dtype)[:, None]
        y = y.reshape(b, l, c.d_inner) * F.silu(z)
        yg = y.reshape(b, l, c.n_groups, c.d_inner // c.n_groups)
        w = self.norm_weight.view(c.n_groups, -1)
        y = rms_norm(yg, w, c.norm_eps).reshape(b, l, c.d_inner)
        return self.out_proj(y)

    def forward(self, u: torch.Tensor, state: MambaState | None = None,
                want_state: bool = False):
        """u: (b, l, E). With ``state`` (or ``want_state``) returns (out, new_state)."""
        c = self.cfg
        b, l, _ = u.shape
        if state is not None and l == 1:
            return self.step(u, state)
        z, xbc, dt = self._split(self.in_proj(u))
        xbc_t = xbc.transpose(1, 2)                                  # (b, conv_dim, l)
        if state is None:
            padded = F.pad(xbc_t, (c.d_conv - 1, 0))
        else:
            padded = torch.cat([state.conv.to(xbc_t.dtype), xbc_t], dim=-1)
        new_conv = padded[..., -(c.d_conv - 1):] if c.d_conv > 1 else padded[..., :0]
        conv = F.conv1d(padded, self.conv_weight.unsqueeze(1).to(padded.dtype),
                        self.conv_bias.to(padded.dtype), groups=c.conv_dim)
        xbc = F.silu(conv.transpose(1, 2))                             # (b, l, conv_dim)
        x, B, C = torch.split(xbc, [c.d_inner, c.n_groups * c.d_state,
                                    c.n_groups * c.d_state], dim=-1)
        x = x.reshape(b, l, c.ssm_heads, c.ssm_head_dim)
        B = B.reshape(b, l, c.n_groups, c.d_state)
        C = C.reshape(b, l, c.n_groups, c.d_state)
        dt = F.softplus((dt + self.dt_bias.to(dt.dtype)).float())     # x for x > 20, like ggml
        A = -torch.exp(self.A_log.float())
        y, final = kernels.ssd_scan(x, dt, A, B, C, chunk_size=c.chunk_size,
                                    initial_state=None if state is None else state.ssm)
        out = self._gate_norm_out(y.to(x.dtype), x, z)
        if state is None and not want_state:
            return out
        return out, MambaState(conv=new_conv.detach(), ssm=final.float().detach())

    def step(self, u: torch.Tensor, state: MambaState):
        """One token (u: (b, 1, E)) through the recurrence; returns (out, new_state)."""
        c = self.cfg
        b = u.shape[0]
        z, xbc, dt = self._split(self.in_proj(u))
        window = torch.cat([state.conv.to(xbc.dtype), xbc.transpose(1, 2)], dim=-1)
        conv = (window * self.conv_weight.to(window.dtype)).sum(-1) + self.conv_bias
        xbc = F.silu(conv)[:, None]                                    # (b, 1, conv_dim)
        x, B, C = torch.split(xbc, [c.d_inner, c.n_groups * c.d_state,
                                    c.n_groups * c.d_state], dim=-1)
        x = x.reshape(b, 1, c.ssm_heads, c.ssm_head_dim)
        rep = c.ssm_heads // c.n_groups
        Bh = B.reshape(b, c.n_groups, c.d_state).repeat_interleave(rep, 1).float()
        Ch = C.reshape(b, c.n_groups, c.d_state).repeat_interleave(rep, 1).float()
        dt = F.softplus((dt[:, 0] + self.dt_bias).float())            # (b, H)
        A = -torch.exp(self.A_log.float())
        decay = torch.exp(dt * A)                                     # (b, H)
        ssm = (state.ssm * decay[..., None, None]
               + (dt[..., None] * x[:, 0].float())[..., None] * Bh[:, :, None, :])
        y = torch.einsum("bhpn,bhn->bhp", ssm, Ch)[:, None].to(x.dtype)
        out = self._gate_norm_out(y, x, z)
        return out, MambaState(conv=window[..., 1:].detach(), ssm=ssm.detach())

    def empty_state(self, batch: int, device, dtype=torch.float32) -> MambaState:
        c = self.cfg
        return MambaState(
            conv=torch.zeros(batch, c.conv_dim, c.d_conv - 1, device=device, dtype=dtype),
            ssm=torch.zeros(batch, c.ssm_heads, c.ssm_head_dim, c.d_state, device=device))


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        E, D = cfg.n_embd, cfg.head_dim
        self.q_proj = nn.Linear(E, cfg.n_head * D, bias=False)
        self.k_proj = nn.Linear(E, cfg.n_head_kv * D, bias=False)
        self.v_proj = nn.Linear(E, cfg.n_head_kv * D, bias=False)
        self.o_proj = nn.Linear(cfg.n_head * D, E, bias=False)

    def forward(self, u: torch.Tensor, state: KVState | None = None, want_state: bool = False):
        c = self.cfg
        b, l, _ = u.shape
        q = self.q_proj(u).view(b, l, c.n_head, c.head_dim).transpose(1, 2)
        k = self.k_proj(u).view(b, l, c.n_head_kv, c.head_dim).transpose(1, 2)
        v = self.v_proj(u).view(b, l, c.n_head_kv, c.head_dim).transpose(1, 2)
        if state is not None:
            k = torch.cat([state.k.to(k.dtype), k], dim=2)
            v = torch.cat([state.v.to(v.dtype), v], dim=2)
        y = kernels.flash_attention(q, k, v, causal=True, scale=1.0 / math.sqrt(c.head_dim))
        out = self.o_proj(y.transpose(1, 2).reshape(b, l, c.n_head * c.head_dim))
        if state is None and not want_state:
            return out
        return out, KVState(k=k.detach(), v=v.detach())


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.up = nn.Linear(cfg.n_embd, cfg.ffn, bias=False)
        self.down = nn.Linear(cfg.ffn, cfg.n_embd, bias=False)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.down(F.relu(self.up(u)).square())


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig, kind: str):
        super().__init__()
        self.kind = kind
        self.norm = RMSNorm(cfg.n_embd, cfg.norm_eps)
        self.mixer = {"M": Mamba2, "*": Attention, "-": MLP}[kind](cfg)

    def forward(self, h: torch.Tensor, state=None, want_state: bool = False):
        u = self.norm(h)
        if self.kind == "-":
            return h + self.mixer(u), None
        if state is None and not want_state:
            return h + self.mixer(u), None
        o, new_state = self.mixer(u, state, want_state=True)
        return h + o, new_state


class Chimera(nn.Module):
    def __init__(self, cfg: ModelConfig, init: bool = True):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.blocks = nn.ModuleList(Block(cfg, k) for k in cfg.pattern)
        self.norm = RMSNorm(cfg.n_embd, cfg.norm_eps)
        self.lm_head = None if cfg.tie_embeddings else nn.Linear(cfg.n_embd, cfg.vocab_size,
                                                                 bias=False)
        if init:  # init=False: shapes only (e.g. on the meta device to count parameters)
            self.reset_parameters()

    @property
    def output_weight(self) -> torch.Tensor:
        return self.embed.weight if self.lm_head is None else self.lm_head.weight

    @torch.no_grad()
    def reset_parameters(self, seed: int | None = None, std: float = 0.02) -> None:
        """GPT-2 style: N(0, std) weights, output projections scaled by 1/sqrt(2*n_layer)."""
        g = None if seed is None else torch.Generator().manual_seed(seed)
        out_std = std / math.sqrt(2 * self.cfg.n_layer)
        for name, p in self.named_parameters():
            if p.dim() == 2 and not name.endswith("conv_weight"):
                last = name.endswith(("out_proj.weight", "o_proj.weight", "down.weight"))
                p.copy_(torch.randn(p.shape, generator=g) * (out_std if last else std))
        for m in self.modules():
            if isinstance(m, Mamba2):
                m.reset_ssm_parameters(g)
            elif isinstance(m, RMSNorm):
                m.weight.fill_(1.0)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def hidden(self, idx: torch.Tensor, cache: InferenceCache | None = None) -> torch.Tensor:
        """Final-normed hidden states (b, l, E); updates ``cache`` in place when given."""
        h = self.embed(idx)
        for i, block in enumerate(self.blocks):
            if cache is None:
                h, _ = block(h)
            else:
                h, cache.layers[i] = block(h, cache.layers[i], want_state=True)
        if cache is not None:
            cache.seen += idx.shape[1]
        return self.norm(h)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None,
                cache: InferenceCache | None = None, reduction: str = "mean"):
        """Logits (b, l, V) (float32), or the cross-entropy loss when ``targets`` is given.

        The loss goes through ``kernels.linear_cross_entropy`` so that on a GPU the full
        logits are never stored; ``targets == -100`` are ignored.
        """
        h = self.hidden(idx, cache)
        if targets is None:
            return h.float() @ self.output_weight.float().t()
        return kernels.linear_cross_entropy(h.reshape(-1, h.shape[-1]), self.output_weight,
                                            targets.reshape(-1), reduction=reduction)

    def new_cache(self) -> InferenceCache:
        return InferenceCache.empty(self.cfg.n_layer)

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 0.0,
                 top_k: int | None = None, stop: set[int] | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Prefill ``idx`` (b, l) once, then one token at a time with the caches."""
        cache = self.new_cache()
        logits = self(idx, cache=cache)[:, -1]
        out = []
        for _ in range(max_new_tokens):
            if temperature <= 0:
                nxt = logits.argmax(-1, keepdim=True)
            else:
                lg = logits / temperature
                if top_k:
                    kth = torch.topk(lg, min(top_k, lg.shape[-1])).values[:, -1:]
                    lg = lg.masked_fill(lg < kth, float("-inf"))
                nxt = torch.multinomial(torch.softmax(lg, -1), 1, generator=generator)
            out.append(nxt)
            if stop and idx.shape[0] == 1 and int(nxt) in stop:
                break
            logits = self(nxt, cache=cache)[:, -1]
        return torch.cat(out, dim=1) if out else idx[:, :0]
