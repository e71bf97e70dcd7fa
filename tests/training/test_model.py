"""Chimera in PyTorch: the model computes the contract's formulas, its chunked (training)
and recurrent (generation) paths agree, and configs have the promised shapes and sizes."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from training.config import SIZES, from_depth, layer_pattern, named, param_count
from training.export import random_tiny_model, tiny_config
from training.model import Chimera, Mamba2


def naive_forward(model: Chimera, idx: torch.Tensor) -> torch.Tensor:
    """float64 logits written straight from shared/design/chimera-gguf.md, token by token
    for the SSM and with an explicit mask for attention: an independent reference."""
    c = model.cfg
    P = {k: v.detach().double() for k, v in model.state_dict().items()}

    def rms(x, w):
        return x / torch.sqrt((x * x).mean(-1, keepdim=True) + c.norm_eps) * w

    h = P["embed.weight"][idx[0]]                                       # (T, E)
    T = h.shape[0]
    for i, kind in enumerate(c.pattern):
        p = f"blocks.{i}."
        u = rms(h, P[p + "norm.weight"])
        if kind == "-":
            o = F.relu(u @ P[p + "mixer.up.weight"].T) ** 2 @ P[p + "mixer.down.weight"].T
        elif kind == "*":
            q = (u @ P[p + "mixer.q_proj.weight"].T).view(T, c.n_head, c.head_dim)
            k = (u @ P[p + "mixer.k_proj.weight"].T).view(T, c.n_head_kv, c.head_dim)
            v = (u @ P[p + "mixer.v_proj.weight"].T).view(T, c.n_head_kv, c.head_dim)
            rep = c.n_head // c.n_head_kv
            k, v = k.repeat_interleave(rep, 1), v.repeat_interleave(rep, 1)
            s = torch.einsum("thd,shd->hts", q, k) / math.sqrt(c.head_dim)
            s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
            o = torch.einsum("hts,shd->thd", s.softmax(-1), v).reshape(T, -1)
            o = o @ P[p + "mixer.o_proj.weight"].T
        else:
            Di, G, N, H = c.d_inner, c.n_groups, c.d_state, c.ssm_heads
            Pd = Di // H
            z, xbc, dt = torch.split(u @ P[p + "mixer.in_proj.weight"].T,
                                     [Di, c.conv_dim, H], -1)
            w, b = P[p + "mixer.conv_weight"], P[p + "mixer.conv_bias"]
            pad = torch.cat([torch.zeros(c.d_conv - 1, c.conv_dim).double(), xbc])
            conv = torch.stack([(pad[t:t + c.d_conv].T * w).sum(-1) for t in range(T)]) + b
            xbc = F.silu(conv)
            x, B, C = torch.split(xbc, [Di, G * N, G * N], -1)
            x, B, C = x.view(T, H, Pd), B.view(T, G, N), C.view(T, G, N)
            dt = F.softplus(dt + P[p + "mixer.dt_bias"])
            A = -torch.exp(P[p + "mixer.A_log"])
            S = torch.zeros(H, Pd, N).double()
            ys = []
            for t in range(T):
                g = torch.arange(H) // (H // G)
                S = S * torch.exp(dt[t] * A)[:, None, None] \
                    + dt[t][:, None, None] * x[t][:, :, None] * B[t][g][:, None, :]
                ys.append(torch.einsum("hpn,hn->hp", S, C[t][g]))
            y = torch.stack(ys) + P[p + "mixer.D"][:, None] * x
            y = y.reshape(T, Di) * F.silu(z)
            y = rms(y.view(T, G, Di // G), P[p + "mixer.norm_weight"].view(G, -1)).reshape(T, Di)
            o = y @ P[p + "mixer.out_proj.weight"].T
        h = h + o
    return rms(h, P["norm.weight"]) @ P["embed.weight"].T


@pytest.fixture(scope="module")
def model() -> Chimera:
    return random_tiny_model(seed=3, init_std=0.1, vocab_size=300)


def test_forward_matches_the_contract_formulas(model):
    idx = torch.randint(0, 300, (1, 45), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got = model(idx)[0].double()
    ref = naive_forward(model, idx)
    assert (got - ref).abs().max() / ref.abs().max() < 1e-5


def test_ssd_chunked_equals_recurrent_step():
    """One Mamba-2 block: the whole-sequence chunked scan vs the recurrent step, token by
    token, over several chunks (chunk 16, 50 tokens) with grouped B/C."""
    torch.manual_seed(0)
    cfg = tiny_config(vocab_size=64)
    block = Mamba2(cfg)
    block.reset_ssm_parameters(torch.Generator().manual_seed(1))
    u = torch.randn(2, 50, cfg.n_embd)
    with torch.no_grad():
        full, final = block(u, want_state=True)
        state = block.empty_state(2, "cpu")
        outs = []
        for t in range(50):
            o, state = block.step(u[:, t:t + 1], state)
            outs.append(o)
    step = torch.cat(outs, 1)
    assert torch.allclose(full, step, atol=2e-5, rtol=1e-4)
    assert torch.allclose(final.ssm, state.ssm, atol=2e-5, rtol=1e-4)
    assert torch.allclose(final.conv, state.conv, atol=1e-6)


def test_full_forward_equals_cached_generation(model):
    idx = torch.randint(0, 300, (2, 40), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        full = model(idx)
        cache = model.new_cache()
        steps = torch.cat([model(idx[:, t:t + 1], cache=cache) for t in range(40)], 1)
        cache2 = model.new_cache()            # prefill a prefix in one pass, then continue
        split = torch.cat([model(idx[:, :23], cache=cache2), model(idx[:, 23:31], cache=cache2),
                           model(idx[:, 31:32], cache=cache2), model(idx[:, 32:], cache=cache2)],
                          1)
    scale = full.abs().max()
    assert (full - steps).abs().max() / scale < 1e-5
    assert (full - split).abs().max() / scale < 1e-5
    assert cache.seen == 40


def test_generate_is_greedy_argmax_of_the_full_forward(model):
    prompt = torch.tensor([[5, 17, 42, 7]])
    out = model.generate(prompt, 12)
    seq = prompt
    with torch.no_grad():
        for _ in range(12):
            seq = torch.cat([seq, model(seq)[:, -1:].argmax(-1)], 1)
    assert torch.equal(out, seq[:, 4:])


def test_param_counts_match_the_model():
    for size in ("tiny", "small"):
        cfg = named(size, vocab_size=4096)
        with torch.device("meta"):
            m = Chimera(cfg, init=False)
        assert m.num_params() == param_count(cfg)["total"]
    untied = tiny_config(vocab_size=300, tie_embeddings=False)
    assert Chimera(untied).num_params() == param_count(untied)["total"]


def test_named_sizes():
    full = param_count(named("full"))
    assert 650e6 < full["total"] < 800e6                    # "the full 700M"
    assert 10e6 < param_count(named("small"))["total"] < 100e6
    assert SIZES["tiny"] < SIZES["small"] < SIZES["full"]


@pytest.mark.parametrize("depth", [4, 8, 12, 16, 24, 32])
def test_attention_fraction_and_quantizable_dims(depth):
    cfg = from_depth(depth)
    assert 0.10 <= cfg.attention_fraction <= 0.15
    assert cfg.pattern[0] == "M" and len(cfg.pattern) == 2 * depth
    for dim in (cfg.n_embd, cfg.d_inner, cfg.n_head * cfg.head_dim, cfg.ffn):
        assert dim % 256 == 0
    assert cfg.d_state in (64, 128)


def test_layer_pattern_spreads_attention():
    p = layer_pattern(24).replace("-", "")
    gaps = [j - i for i, j in zip([k for k, c in enumerate(p) if c == "*"][:-1],
                                   [k for k, c in enumerate(p) if c == "*"][1:])]
    assert set(gaps) == {4}
    with pytest.raises(ValueError):
        layer_pattern(0)


def test_loss_is_cross_entropy_of_logits(model):
    idx = torch.randint(0, 300, (2, 16), generator=torch.Generator().manual_seed(2))
    tgt = torch.randint(0, 300, (2, 16), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        loss = model(idx, tgt)
        ref = F.cross_entropy(model(idx).reshape(-1, 300), tgt.reshape(-1))
    assert torch.allclose(loss, ref, atol=1e-5)
