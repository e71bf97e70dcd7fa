"""Write a Chimera model as a GGUF file that llama.cpp runs as ``nemotron_h``.

The keys and tensors follow shared/design/chimera-gguf.md exactly (an extra tensor fails the
load). Matrices are written F32 or F16; norms, the conv, ``ssm_a`` and ``ssm_d`` always F32.
INT4 comes afterwards from :mod:`training.quantize`.

    python -m training.export --ckpt runs/chimera/ckpt.pt --out chimera-f16.gguf --dtype f16
    python -m training.export --random-tiny /tmp/tiny.gguf --seed 0     # for tests

``write_random_tiny_gguf(path, seed)`` makes a small random hybrid model (pattern
``M*M-M*M-``, width 256) with a self-contained byte-level tokenizer in well under a second:
other tests (speculative decoding rollback) use it when they need a real nemotron_h file.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from training.config import ModelConfig
from training.model import Attention, Chimera, Mamba2, MLP

ARCH = "nemotron_h"
FTYPES = {"f32": 0, "f16": 1}     # llama_ftype: ALL_F32, MOSTLY_F16


@dataclass
class GGUFTokenizer:
    """What llama.cpp needs to rebuild a byte-level BPE vocabulary (``model = "gpt2"``)."""

    tokens: list[str]
    token_types: list[int]              # 1 normal, 3 control, 4 user-defined
    merges: list[str]                   # "a b" pairs; must not be empty
    pre: str                            # a pre-tokenizer llama.cpp implements
    bos_id: int
    eos_id: int
    eot_id: int | None = None
    pad_id: int | None = None
    add_bos: bool = False
    chat_template: str | None = None
    model: str = "gpt2"
    extra: dict[str, Any] = field(default_factory=dict)   # other tokenizer.ggml.* keys

    def write(self, w) -> None:
        if not self.merges:
            raise ValueError("tokenizer.ggml.merges must not be empty (llama.cpp refuses it)")
        w.add_tokenizer_model(self.model)
        w.add_tokenizer_pre(self.pre)
        w.add_token_list(self.tokens)
        w.add_token_types(self.token_types)
        w.add_token_merges(self.merges)
        w.add_bos_token_id(self.bos_id)
        w.add_eos_token_id(self.eos_id)
        if self.eot_id is not None:
            w.add_eot_token_id(self.eot_id)
        if self.pad_id is not None:
            w.add_pad_token_id(self.pad_id)
        w.add_add_bos_token(self.add_bos)
        if self.chat_template:
            w.add_chat_template(self.chat_template)
        for k, v in self.extra.items():
            if isinstance(v, bool):
                w.add_bool(k, v)
            elif isinstance(v, int):
                w.add_uint32(k, v)
            else:
                w.add_string(k, str(v))


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table (what llama.cpp's BPE expects)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) \
        + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def byte_tokenizer(chat_template: str | None = None) -> GGUFTokenizer:
    """A 258-token byte-level vocabulary: 256 bytes, one merge (" t"), ``<|endoftext|>``.

    Self-contained, for random test models; real exports use training.tokenizer's.
    """
    table = _bytes_to_unicode()
    tokens = [table[b] for b in range(256)]
    space = table[ord(" ")]
    tokens.append(space + "t")
    tokens.append("<|endoftext|>")
    types = [1] * 257 + [3]
    return GGUFTokenizer(tokens=tokens, token_types=types, merges=[f"{space} t"], pre="gpt-2",
                         bos_id=257, eos_id=257, eot_id=257, chat_template=chat_template)


def project_tokenizer() -> GGUFTokenizer:
    """The project's tokenizer (training/tokenizer.py) with the chat template."""
    from training import tokenizer as tok_mod  # the data helper's module

    meta = tok_mod.gguf_metadata()
    if isinstance(meta, GGUFTokenizer):
        return meta
    meta = dict(meta)
    template = meta.pop("chat_template", None)
    if template is None:
        try:
            from training import chat
            template = chat.CHAT_TEMPLATE
        except (ImportError, AttributeError):
            template = None
    return GGUFTokenizer(chat_template=template, **meta)


def gguf_tensors(model: Chimera) -> list[tuple[str, torch.Tensor, bool]]:
    """(name, torch tensor in GGUF's torch-order shape, always_f32) for every tensor."""
    cfg = model.cfg
    out: list[tuple[str, torch.Tensor, bool]] = [("token_embd.weight", model.embed.weight, False)]
    for i, block in enumerate(model.blocks):
        p = f"blk.{i}."
        out.append((p + "attn_norm.weight", block.norm.weight, True))
        m = block.mixer
        if isinstance(m, Mamba2):
            H, G = cfg.ssm_heads, cfg.n_groups
            out += [
                (p + "ssm_in.weight", m.in_proj.weight, False),
                (p + "ssm_conv1d.weight", m.conv_weight, True),
                (p + "ssm_conv1d.bias", m.conv_bias, True),
                (p + "ssm_dt.bias", m.dt_bias, True),
                (p + "ssm_a", (-torch.exp(m.A_log.float())).reshape(H, 1), True),
                (p + "ssm_d", m.D.reshape(H, 1), True),
                (p + "ssm_norm.weight", m.norm_weight.reshape(G, cfg.d_inner // G), True),
                (p + "ssm_out.weight", m.out_proj.weight, False),
            ]
        elif isinstance(m, Attention):
            out += [(p + "attn_q.weight", m.q_proj.weight, False),
                    (p + "attn_k.weight", m.k_proj.weight, False),
                    (p + "attn_v.weight", m.v_proj.weight, False),
                    (p + "attn_output.weight", m.o_proj.weight, False)]
        elif isinstance(m, MLP):
            out += [(p + "ffn_up.weight", m.up.weight, False),
                    (p + "ffn_down.weight", m.down.weight, False)]
    out.append(("output_norm.weight", model.norm.weight, True))
    if model.lm_head is not None:
        out.append(("output.weight", model.lm_head.weight, False))
    return out


def write_gguf(model: Chimera, path: str | Path, tokenizer: GGUFTokenizer,
               dtype: str = "f16", name: str = "chimera",
               metadata: dict[str, str] | None = None) -> Path:
    """Write ``model`` as a nemotron_h GGUF at ``path`` (``dtype`` "f32" or "f16")."""
    import gguf

    if dtype not in FTYPES:
        raise ValueError(f"dtype must be one of {sorted(FTYPES)}, got {dtype!r}")
    cfg = model.cfg
    if len(tokenizer.tokens) != cfg.vocab_size:
        raise ValueError(f"tokenizer has {len(tokenizer.tokens)} tokens, model vocab is "
                         f"{cfg.vocab_size}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(str(path), ARCH)
    w.add_name(name)
    for k, v in (metadata or {}).items():
        w.add_string(k, v)
    w.add_context_length(cfg.context_length)
    w.add_embedding_length(cfg.n_embd)
    w.add_block_count(cfg.n_layer)
    w.add_head_count(cfg.n_head)
    w.add_head_count_kv([cfg.n_head_kv if k == "*" else 0 for k in cfg.pattern])
    w.add_feed_forward_length([cfg.ffn if k == "-" else 0 for k in cfg.pattern])
    w.add_key_length(cfg.head_dim)
    w.add_value_length(cfg.head_dim)
    w.add_layer_norm_eps(cfg.norm_eps)
    w.add_layer_norm_rms_eps(cfg.norm_eps)
    w.add_ssm_conv_kernel(cfg.d_conv)
    w.add_ssm_inner_size(cfg.d_inner)
    w.add_ssm_state_size(cfg.d_state)
    w.add_ssm_time_step_rank(cfg.ssm_heads)
    w.add_ssm_group_count(cfg.n_groups)
    w.add_vocab_size(cfg.vocab_size)
    w.add_file_type(FTYPES[dtype])
    tokenizer.write(w)
    for tname, t, always_f32 in gguf_tensors(model):
        arr = t.detach().float().cpu().numpy()
        if dtype == "f16" and not always_f32 and arr.ndim == 2:
            arr = arr.astype(np.float16)
        w.add_tensor(tname, np.ascontiguousarray(arr))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def tiny_config(vocab_size: int = 258, pattern: str = "M*M-M*M-", n_embd: int = 256,
                **overrides) -> ModelConfig:
    """A small hybrid shape for tests: every block kind, dims that quantize cleanly."""
    cfg = dict(vocab_size=vocab_size, n_embd=n_embd, pattern=pattern, n_head=4, n_head_kv=2,
               head_dim=n_embd // 4, d_inner=2 * n_embd, ssm_head_dim=64, d_state=64,
               n_groups=2, ffn=2 * n_embd, context_length=512, chunk_size=16)
    cfg.update(overrides)
    return ModelConfig(**cfg)


def random_tiny_model(seed: int = 0, init_std: float = 0.1, **cfg_overrides) -> Chimera:
    """A random Chimera with large enough weights that its next-token choices are clear."""
    torch.manual_seed(seed)
    model = Chimera(tiny_config(**cfg_overrides))
    model.reset_parameters(seed=seed, std=init_std)
    return model.eval()


def write_random_tiny_gguf(path: str | Path, seed: int = 0, dtype: str = "f32",
                           tokenizer: GGUFTokenizer | None = None,
                           **cfg_overrides) -> Chimera:
    """Write a random tiny nemotron_h GGUF (byte-level vocab by default); returns the model.

    ``cfg_overrides`` go to :func:`tiny_config` (e.g. ``pattern="M-*-"``, ``n_embd=512``).
    The same seed gives the same file, so a draft and a target can be made from two seeds.
    """
    tok = tokenizer or byte_tokenizer()
    cfg_overrides.setdefault("vocab_size", len(tok.tokens))
    model = random_tiny_model(seed, **cfg_overrides)
    write_gguf(model, path, tok, dtype=dtype, name=f"chimera-random-tiny-{seed}")
    return model


def load_checkpoint_model(ckpt_path: str | Path) -> Chimera:
    """Rebuild a Chimera from a training checkpoint written by training.pretrain."""
    ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    model = Chimera(ModelConfig.from_dict(ck["config"]))
    model.load_state_dict(ck["model"])
    return model.eval()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.export", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--ckpt", type=Path, help="training checkpoint (training.pretrain)")
    src.add_argument("--random-tiny", type=Path, metavar="OUT",
                     help="write a random tiny test model to OUT")
    p.add_argument("--out", type=Path, help="output .gguf (with --ckpt)")
    p.add_argument("--dtype", choices=sorted(FTYPES), default="f16")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", default="chimera")
    a = p.parse_args(argv)
    if a.random_tiny:
        write_random_tiny_gguf(a.random_tiny, seed=a.seed, dtype=a.dtype)
        print(a.random_tiny)
        return
    if not a.out:
        p.error("--out is required with --ckpt")
    model = load_checkpoint_model(a.ckpt)
    write_gguf(model, a.out, project_tokenizer(), dtype=a.dtype, name=a.name)
    print(a.out)


if __name__ == "__main__":
    main()
