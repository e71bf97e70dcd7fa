"""Chimera configurations from one dial: depth.

``depth`` is the number of mixer blocks (Mamba-2 ``M`` or attention ``*``); each mixer is
followed by a ReLU² MLP block ``-``, so a model has ``2 * depth`` blocks. Everything else is
derived from depth so that a bigger model is one number away (nanochat style):

* width ``n_embd = 64 * depth`` rounded up to a multiple of 256 (llama.cpp's K-quants work on
  blocks of 256 along each matrix's input dimension; see shared/design/chimera-gguf.md);
* Mamba-2: ``d_inner = 2 * n_embd``, heads of 64, state 64 (128 from width 1024), 1 group
  (8 from width 1024);
* attention: heads of 64 (128 from width 1024), ``n_head * head_dim = n_embd``, GQA with a
  quarter as many key/value heads; no positional encoding (the Mamba blocks carry order);
* MLP: ``ffn = 3 * n_embd`` (already a multiple of 256);
* about 1 block in 8 (12.5%) is attention, spread through depth, never first.

Named sizes: ``tiny`` (CPU tests), ``chimera`` and ``chimera-draft`` (the shipped CPU-trained
model and its speculative-decoding draft: depth 8 and 2 with the width pinned at 256),
``small`` (tens of millions of parameters) and ``full`` (~700M, for a GPU).

    python -m training.config --size full     # prints the pattern and parameter count
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass

DEFAULT_VOCAB = 32768


def _round_up(x: int, m: int) -> int:
    return ((x + m - 1) // m) * m


def layer_pattern(depth: int) -> str:
    """Block pattern for ``depth`` mixers: ``M`` Mamba-2, ``*`` attention, ``-`` MLP.

    ``round(depth / 4)`` (at least one) mixers are attention, i.e. ~12.5% of all blocks,
    placed at evenly spaced positions away from the first block, which stays Mamba-2 so
    that the first attention layer already sees position-aware features.
    """
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    if depth == 1:
        return "*-"
    n_attn = max(1, round(depth / 4))
    stride = depth / n_attn
    attn = {min(depth - 1, max(1, int(stride * (k + 0.5)))) for k in range(n_attn)}
    return "".join(("*" if i in attn else "M") + "-" for i in range(depth))


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to build the PyTorch model and the GGUF metadata."""

    vocab_size: int
    n_embd: int
    pattern: str                 # one char per block: M (Mamba-2), * (attention), - (MLP)
    n_head: int                  # attention query heads
    n_head_kv: int               # attention key/value heads (GQA)
    head_dim: int                # attention head size
    d_inner: int                 # Mamba-2 inner width
    ssm_head_dim: int            # Mamba-2 head size P; heads H = d_inner / P
    d_state: int                 # Mamba-2 state size N
    n_groups: int                # Mamba-2 B/C groups G
    d_conv: int = 4              # Mamba-2 causal conv width
    ffn: int = 0                 # MLP hidden size
    norm_eps: float = 1e-5
    tie_embeddings: bool = True
    context_length: int = 512    # training context (written to the GGUF)
    chunk_size: int = 64         # SSD chunk for training
    depth: int = 0               # the dial this config came from (0: hand-made)

    def __post_init__(self) -> None:
        if set(self.pattern) - set("M*-"):
            raise ValueError(f"pattern may contain only 'M', '*', '-': {self.pattern!r}")
        if self.n_head % self.n_head_kv:
            raise ValueError("n_head must be a multiple of n_head_kv")
        if self.d_inner % self.ssm_head_dim:
            raise ValueError("d_inner must be a multiple of ssm_head_dim")
        if self.ssm_heads % self.n_groups or self.d_inner % self.n_groups:
            raise ValueError("Mamba-2 heads and d_inner must be multiples of n_groups")

    @property
    def n_layer(self) -> int:
        return len(self.pattern)

    @property
    def ssm_heads(self) -> int:
        return self.d_inner // self.ssm_head_dim

    @property
    def conv_dim(self) -> int:
        return self.d_inner + 2 * self.n_groups * self.d_state

    @property
    def attention_fraction(self) -> float:
        return self.pattern.count("*") / self.n_layer

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def replace(self, **kw) -> "ModelConfig":
        return dataclasses.replace(self, **kw)


def from_depth(depth: int, vocab_size: int = DEFAULT_VOCAB, width: int | None = None,
               **overrides) -> ModelConfig:
    """The configuration that the depth dial derives.

    ``width`` pins ``n_embd`` (the rest still follows from it): the CPU-trained models are
    deep and thin (MobileLLM's finding for small models), since CPU time buys only ~10M
    tokens. ``overrides`` replace any field (experiments, tests).
    """
    n_embd = width if width is not None else _round_up(64 * depth, 256)
    big = n_embd >= 1024
    head_dim = 128 if big else 64
    n_head = n_embd // head_dim
    cfg = dict(
        vocab_size=vocab_size,
        n_embd=n_embd,
        pattern=layer_pattern(depth),
        n_head=n_head,
        n_head_kv=max(1, n_head // 4),
        head_dim=head_dim,
        d_inner=2 * n_embd,
        ssm_head_dim=64,
        d_state=128 if big else 64,
        n_groups=8 if big else 1,
        ffn=3 * n_embd,
        context_length=2048 if big else 512,
        depth=depth,
    )
    cfg.update(overrides)
    return ModelConfig(**cfg)


# name -> (depth, pinned width or None)
SIZES_W: dict[str, tuple[int, int | None]] = {
    "tiny": (2, None),            # CPU tests: 4 blocks, width 256
    "chimera-draft": (2, 256),    # shipped speculative draft: 4 blocks (M-*-), width 256
    "chimera": (8, 256),          # shipped CPU-trained model: 16 blocks, width 256
    "small": (8, None),           # tens of millions: 16 blocks, width 512
    "full": (24, None),           # GPU target: 48 blocks, width 1536, ~700M parameters
}
SIZES = {k: d for k, (d, _) in SIZES_W.items()}


def named(size: str, vocab_size: int = DEFAULT_VOCAB, **overrides) -> ModelConfig:
    if size not in SIZES_W:
        raise ValueError(f"unknown size {size!r}; choose from {sorted(SIZES_W)}")
    depth, width = SIZES_W[size]
    return from_depth(depth, vocab_size, width=width, **overrides)


def param_count(cfg: ModelConfig) -> dict[str, int]:
    """Parameter count by part, computed from the shapes (equals the PyTorch model's)."""
    E = cfg.n_embd
    mamba = (E * (2 * cfg.d_inner + 2 * cfg.n_groups * cfg.d_state + cfg.ssm_heads)
             + cfg.conv_dim * (cfg.d_conv + 1) + 3 * cfg.ssm_heads + cfg.d_inner
             + cfg.d_inner * E)
    attn = E * cfg.n_head * cfg.head_dim * 2 + E * cfg.n_head_kv * cfg.head_dim * 2
    mlp = 2 * E * cfg.ffn
    counts = {
        "embedding": cfg.vocab_size * E,
        "mamba": cfg.pattern.count("M") * mamba,
        "attention": cfg.pattern.count("*") * attn,
        "mlp": cfg.pattern.count("-") * mlp,
        "norms": cfg.n_layer * E + E,
        "output": 0 if cfg.tie_embeddings else cfg.vocab_size * E,
    }
    counts["total"] = sum(counts.values())
    counts["non_embedding"] = counts["total"] - counts["embedding"] - counts["output"]
    return counts


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.config", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--size", choices=sorted(SIZES), default="full")
    g.add_argument("--depth", type=int)
    p.add_argument("--width", type=int, help="pin n_embd (with --depth)")
    p.add_argument("--vocab", type=int, default=DEFAULT_VOCAB)
    p.add_argument("--json", action="store_true", help="print the config as JSON")
    a = p.parse_args(argv)
    cfg = from_depth(a.depth, a.vocab, a.width) if a.depth else named(a.size, a.vocab)
    counts = param_count(cfg)
    if a.json:
        print(json.dumps({"config": cfg.to_dict(), "params": counts}, indent=2))
        return
    print(f"depth {cfg.depth}: {cfg.n_layer} blocks, width {cfg.n_embd}, vocab {cfg.vocab_size}")
    print(f"pattern {cfg.pattern}  (attention {cfg.attention_fraction:.1%} of blocks)")
    print(f"mamba2: d_inner {cfg.d_inner}, heads {cfg.ssm_heads}x{cfg.ssm_head_dim}, "
          f"state {cfg.d_state}, groups {cfg.n_groups}; attention: {cfg.n_head} heads "
          f"({cfg.n_head_kv} kv) x {cfg.head_dim}; mlp {cfg.ffn}")
    for k, v in counts.items():
        print(f"  {k:>14}: {v:>13,}  ({v / 1e6:.1f}M)")


if __name__ == "__main__":
    main()
