"""Read a Chimera GGUF back into a PyTorch checkpoint: the inverse of :mod:`training.export`.

Quantized tensors (Q4_K, Q6_K, Q8_0, ...) are dequantized with the ``gguf`` package, so a
model that only survives as its shipped INT4 file can be fine-tuned again: the weights are the
ones the runtime serves, rounding included, and further training starts from them.

    python -m training.import_gguf models/chimera/chimera-q4_k_m.gguf --out runs/chimera-v1/ckpt.pt

The checkpoint holds ``config`` and ``model`` (what ``--init-from`` reads) and ``source``
(the file and its sha256). The config comes from the GGUF's own keys; a named size that
matches it (``training.config.SIZES_W``) lends its ``depth``. The export's naming contract
(shared/design/chimera-gguf.md) is the one place the mapping is written: this module walks
:func:`training.export.gguf_tensors` and fills each parameter from the tensor of that name.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from training.config import SIZES_W, ModelConfig, from_depth
from training.export import ARCH, gguf_tensors
from training.model import Chimera


def _field(reader, key: str):
    f = reader.fields.get(key)
    if f is None:
        raise ValueError(f"{key} is missing: not a Chimera GGUF")
    vals = [f.parts[i].tolist() for i in f.data]
    vals = [v[0] if isinstance(v, list) and len(v) == 1 else v for v in vals]
    return vals if len(vals) > 1 else vals[0]


def config_from_gguf(reader) -> ModelConfig:
    """The ModelConfig that the GGUF's ``nemotron_h.*`` keys describe."""
    arch = bytes(_field(reader, "general.architecture")).decode()
    if arch != ARCH:
        raise ValueError(f"architecture is {arch!r}, expected {ARCH!r}")
    k = lambda name: _field(reader, f"{ARCH}.{name}")          # noqa: E731
    n_layer = int(k("block_count"))
    kv = k("attention.head_count_kv")
    ffn = k("feed_forward_length")
    kv = kv if isinstance(kv, list) else [kv] * n_layer
    ffn = ffn if isinstance(ffn, list) else [ffn] * n_layer
    pattern = "".join("*" if h else ("-" if f else "M") for h, f in zip(kv, ffn))
    names = {t.name for t in reader.tensors}
    d_inner, heads = int(k("ssm.inner_size")), int(k("ssm.time_step_rank"))
    cfg = ModelConfig(
        vocab_size=int(reader.tensors[[t.name for t in reader.tensors].index(
            "token_embd.weight")].shape[1]),
        n_embd=int(k("embedding_length")), pattern=pattern, n_head=int(k("attention.head_count")),
        n_head_kv=max([int(h) for h in kv if h] or [1]), head_dim=int(k("attention.key_length")),
        d_inner=d_inner, ssm_head_dim=d_inner // heads, d_state=int(k("ssm.state_size")),
        n_groups=int(k("ssm.group_count")), d_conv=int(k("ssm.conv_kernel")),
        ffn=max([int(f) for f in ffn if f] or [0]),
        norm_eps=float(f'{k("attention.layer_norm_rms_epsilon"):.6g}'),    # stored as f32
        tie_embeddings="output.weight" not in names, context_length=int(k("context_length")))
    for depth, width in SIZES_W.values():
        named = from_depth(depth, cfg.vocab_size, width=width)
        if named.replace(depth=0, chunk_size=cfg.chunk_size) == cfg:
            return named
    return cfg


def _array(t) -> np.ndarray:
    import gguf

    if t.tensor_type in (gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.F16):
        return np.asarray(t.data, dtype=np.float32)
    return gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)


def import_gguf(path: str | Path) -> tuple[Chimera, dict]:
    """(model, info): the Chimera the GGUF holds, every tensor dequantized to float32."""
    import gguf

    path = Path(path)
    reader = gguf.GGUFReader(str(path))
    cfg = config_from_gguf(reader)
    model = Chimera(cfg, init=False)
    tensors = {t.name: t for t in reader.tensors}
    types: dict[str, int] = {}
    seen = set()
    with torch.no_grad():
        for name, _, _ in gguf_tensors(model):
            if name not in tensors:
                raise ValueError(f"{path}: tensor {name} is missing")
            t = tensors[name]
            types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
            value = torch.from_numpy(_array(t).copy())
            blk, _, leaf = name.partition(".")[2].partition(".") if name.startswith("blk.") \
                else ("", "", name)
            mixer = model.blocks[int(blk)].mixer if blk else None
            target = {
                "token_embd.weight": model.embed.weight,
                "output_norm.weight": model.norm.weight,
                "output.weight": model.lm_head.weight if model.lm_head is not None else None,
            }.get(name) if not blk else {
                "attn_norm.weight": model.blocks[int(blk)].norm.weight,
                "ssm_in.weight": getattr(getattr(mixer, "in_proj", None), "weight", None),
                "ssm_conv1d.weight": getattr(mixer, "conv_weight", None),
                "ssm_conv1d.bias": getattr(mixer, "conv_bias", None),
                "ssm_dt.bias": getattr(mixer, "dt_bias", None),
                "ssm_a": getattr(mixer, "A_log", None),
                "ssm_d": getattr(mixer, "D", None),
                "ssm_norm.weight": getattr(mixer, "norm_weight", None),
                "ssm_out.weight": getattr(getattr(mixer, "out_proj", None), "weight", None),
                "attn_q.weight": getattr(getattr(mixer, "q_proj", None), "weight", None),
                "attn_k.weight": getattr(getattr(mixer, "k_proj", None), "weight", None),
                "attn_v.weight": getattr(getattr(mixer, "v_proj", None), "weight", None),
                "attn_output.weight": getattr(getattr(mixer, "o_proj", None), "weight", None),
                "ffn_up.weight": getattr(getattr(mixer, "up", None), "weight", None),
                "ffn_down.weight": getattr(getattr(mixer, "down", None), "weight", None),
            }.get(leaf)
            if target is None:
                raise ValueError(f"{path}: no parameter for tensor {name}")
            if value.numel() != target.numel():
                raise ValueError(f"{path}: {name} has {value.numel()} values, the model's "
                                 f"parameter {tuple(target.shape)}")
            value = value.reshape(target.shape)
            if leaf == "ssm_a":                      # the file stores A = -exp(A_log)
                if (value >= 0).any():
                    raise ValueError(f"{path}: {name} must be negative")
                value = torch.log(-value)
            target.copy_(value)
            seen.add(name)
    extra = set(tensors) - seen
    if extra:
        raise ValueError(f"{path}: tensors the model does not have: {sorted(extra)[:5]}")
    info = {"source": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "tensor_types": types, "params": model.num_params()}
    return model.eval(), info


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.import_gguf", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("gguf", type=Path)
    p.add_argument("--out", type=Path, required=True, help="checkpoint to write (ckpt.pt)")
    a = p.parse_args(argv)
    model, info = import_gguf(a.gguf)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"config": model.cfg.to_dict(), "model": model.state_dict(), "step": 0,
                "imported": info}, a.out)
    (a.out.parent / "config.json").write_text(json.dumps(
        {"stage": "imported", "config": model.cfg.to_dict(), "params": info["params"],
         "imported": info}, indent=2) + "\n")
    print(f"{a.out}: {info['params']:,} parameters from {a.gguf} ({info['tensor_types']})")


if __name__ == "__main__":
    main()
