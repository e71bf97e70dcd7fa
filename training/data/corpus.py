"""Read a corpus built by :mod:`training.data.build` (for pretraining and evaluation).

    from training.data import corpus
    c = corpus.load("runs/data/chimera")
    c.train            # 1-D token ids (all train shards, memory-mapped when there is one)
    c.val["hi"]        # validation ids per language: hi, en, hinglish
    c.token_bytes      # UTF-8 bytes per token id, 0 for special tokens (bits per byte)
    c.vocab_size, c.description   # description = the manifest

The shards' sha256 are checked against the manifest on load (``verify=True``), so a
half-written or foreign shard is an error, not silently wrong training data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class LoadedCorpus:
    """Field names match training.pretrain.Corpus."""

    train: np.ndarray
    val: dict[str, np.ndarray]
    token_bytes: np.ndarray
    vocab_size: int
    description: dict = field(default_factory=dict)


class CorpusError(ValueError):
    """The directory is not a complete corpus (missing file, wrong hash)."""


def _read(path: Path, dtype: str, tokens: int, sha256: str | None, verify: bool) -> np.ndarray:
    if not path.exists():
        raise CorpusError(f"missing shard {path}")
    arr = np.memmap(path, dtype=dtype, mode="r") if tokens else np.zeros(0, dtype=dtype)
    if len(arr) != tokens:
        raise CorpusError(f"{path}: {len(arr)} tokens, manifest says {tokens}")
    if verify and sha256 and hashlib.sha256(np.asarray(arr).tobytes()).hexdigest() != sha256:
        raise CorpusError(f"{path}: sha256 differs from the manifest")
    return arr


def load(path: str | Path, *, verify: bool = True) -> LoadedCorpus:
    """Load the corpus at ``path`` (a directory with manifest.json)."""
    from training import tokenizer as tok_mod

    path = Path(path)
    mf = path / "manifest.json"
    if not mf.exists():
        raise CorpusError(f"no manifest.json in {path}; build one with "
                          "`python -m training.data --budget-tokens N --out DIR`")
    m = json.loads(mf.read_text(encoding="utf-8"))
    dtype = m["dtype"]
    shards = [_read(path / s["file"], dtype, s["tokens"], s.get("sha256"), verify)
              for s in m["train"]]
    train = shards[0] if len(shards) == 1 else np.concatenate(shards)
    val = {lang: _read(path / v["file"], dtype, v["tokens"], v.get("sha256"), verify)
           for lang, v in m["val"].items() if v["tokens"] > 0}
    tok = tok_mod.load(path / m["tokenizer"]["file"])
    if tok.vocab_size != m["vocab_size"]:
        raise CorpusError(f"tokenizer has {tok.vocab_size} tokens, manifest says {m['vocab_size']}")
    return LoadedCorpus(train, val, tok.token_bytes().astype(np.int64), m["vocab_size"], m)
