"""Chimera's tokenizer: byte-level BPE trained here on Hindi, English and Hinglish.

    python -m training.tokenizer --vocab-size 16384 --out training/data/tokenizer --gzip
    python -m training.tokenizer --report                  # held-out figures of the shipped one

Why it is built this way:

* **Byte-level BPE** (Hugging Face ``tokenizers``): any text round-trips byte for byte, no
  unknown token, and llama.cpp runs it as ``tokenizer.ggml.model = "gpt2"``.
* **Pre-tokenizer = llama.cpp's ``qwen35``**: the split regex is
  :data:`SPLIT_PATTERN`; llama.cpp b11312 implements exactly this one with a hand-written
  splitter (``unicode_regex_split_custom_qwen35``). Letter runs are ``[\\p{L}\\p{M}]+``, so
  Devanagari vowel signs, virama and nukta (Unicode *marks*) stay with their letters and BPE
  can learn whole Hindi words; ``gpt-2``/``llama3``-style ``\\p{L}+`` cut "नमस्ते" after every
  mark. We preferred it to ``granite-embed-multi-97m`` and ``tiny_aya`` (which also keep
  marks) because those run through ``std::regex`` on a category-collapsed string with
  case-splitting lookaheads (``[^a-z]``) that only match Hugging Face's regex for ASCII
  case, while qwen35 has no case rule at all; and because it splits numbers into single
  digits, which makes arithmetic learnable for a small model.
* **Special tokens** (control type in the GGUF): ``<|endoftext|>`` (BOS and EOS; llama.cpp
  marks it end-of-generation by name), the chat roles, tool call/result, ``<|end|>`` (end of
  turn, also end-of-generation by name), and reserved slots for later formats. They take
  ids 0..15, so the byte alphabet and merges follow.

:func:`gguf_metadata` gives the exporter the ``tokenizer.ggml.*`` values;
:func:`write_vocab_gguf` writes a vocab-only GGUF that llama.cpp loads with
``vocab_only=True`` (tests compare its token ids with ours).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

# llama.cpp's "qwen35" pre-tokenizer (see the module docstring). The Hugging Face side uses
# the case-insensitive contraction group; llama.cpp's list spells it out, same matches.
SPLIT_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}"
                 r"| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
PRE = "qwen35"

ENDOFTEXT = "<|endoftext|>"
END = "<|end|>"
CHAT_SPECIALS = ["<|system|>", "<|user|>", "<|assistant|>", "<|tool_call|>", "<|tool_result|>",
                 END]
N_RESERVED = 9
SPECIAL_TOKENS = [ENDOFTEXT, *CHAT_SPECIALS] + [f"<|reserved_{i}|>" for i in range(N_RESERVED)]

TOKEN_NORMAL, TOKEN_CONTROL = 1, 3          # llama.cpp token types

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "tokenizer"


def _new_hf_tokenizer():
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers

    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = None
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(SPLIT_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    return tok


def train(texts: Iterable[str], vocab_size: int, out: str | Path | None = None,
          min_frequency: int = 2, meta: dict[str, Any] | None = None,
          gz: bool = False) -> "Tokenizer":
    """Train a tokenizer of exactly ``vocab_size`` ids (fewer only if the text runs out of
    pairs) on ``texts``; save it to ``out`` when given."""
    from tokenizers import pre_tokenizers, trainers

    floor = len(SPECIAL_TOKENS) + 256
    if vocab_size <= floor:
        raise ValueError(f"vocab_size must exceed {floor} (specials + 256 bytes)")
    hf = _new_hf_tokenizer()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=SPECIAL_TOKENS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    hf.train_from_iterator(texts, trainer=trainer)
    tok = Tokenizer(hf)
    if out is not None:
        tok.save(out, meta, gz=gz)
    return tok


class Tokenizer:
    """The project tokenizer: encode/decode, special ids, bytes per token, GGUF values."""

    def __init__(self, hf, path: Path | None = None) -> None:
        self.hf = hf
        self.path = path
        self.vocab_size = hf.get_vocab_size(with_added_tokens=True)
        ids = {t: hf.token_to_id(t) for t in SPECIAL_TOKENS}
        missing = [t for t, i in ids.items() if i is None]
        if missing:
            raise ValueError(f"tokenizer lacks special tokens {missing}")
        self.special_ids = ids
        self.bos_id = self.eos_id = ids[ENDOFTEXT]
        self.eot_id = ids[END]
        self.stop_ids = {self.eos_id, self.eot_id}

    # -- text <-> ids ----------------------------------------------------------------------

    def encode(self, text: str, *, special: bool = True, add_bos: bool = False) -> list[int]:
        """Ids of ``text``; ``special`` parses ``<|...|>`` names as their special tokens
        (like llama.cpp's ``parse_special``), otherwise they are plain text."""
        self.hf.encode_special_tokens = not special
        ids = self.hf.encode(text, add_special_tokens=False).ids
        return [self.bos_id, *ids] if add_bos else ids

    def encode_batch(self, texts: list[str], *, special: bool = True) -> list[list[int]]:
        self.hf.encode_special_tokens = not special
        return [e.ids for e in self.hf.encode_batch(texts, add_special_tokens=False)]

    def decode(self, ids: Iterable[int], *, skip_special: bool = False) -> str:
        return self.hf.decode(list(ids), skip_special_tokens=skip_special)

    def id_to_token(self, i: int) -> str:
        return self.hf.id_to_token(i)

    def token_to_id(self, s: str) -> int | None:
        return self.hf.token_to_id(s)

    # -- tables ----------------------------------------------------------------------------

    def tokens(self) -> list[str]:
        """Token strings by id, in the GPT-2 byte-to-unicode alphabet (what GGUF stores)."""
        return [self.hf.id_to_token(i) for i in range(self.vocab_size)]

    def token_bytes(self) -> np.ndarray:
        """UTF-8 byte length of every token's text, 0 for special tokens (bits-per-byte)."""
        from tokenizers.pre_tokenizers import ByteLevel

        byte_of = {c: b for b, c in enumerate(_bytes_to_unicode())}
        assert len(byte_of) == 256 and set(byte_of) == set(ByteLevel.alphabet())
        out = np.zeros(self.vocab_size, dtype=np.int32)
        specials = set(self.special_ids.values())
        for i, t in enumerate(self.tokens()):
            if i not in specials:
                out[i] = len(t)          # one alphabet character per byte
        return out

    def token_piece(self, i: int) -> bytes:
        """The raw bytes of token ``i`` (special tokens: their name)."""
        t = self.hf.id_to_token(i)
        if i in self.special_ids.values():
            return t.encode("utf-8")
        table = {c: b for b, c in enumerate(_bytes_to_unicode())}
        return bytes(table[c] for c in t)

    def merges(self) -> list[str]:
        """BPE merges as "left right" strings, by rank (GGUF's ``tokenizer.ggml.merges``)."""
        raw = json.loads(self.hf.to_str())["model"]["merges"]
        return [m if isinstance(m, str) else f"{m[0]} {m[1]}" for m in raw]

    # -- persistence -----------------------------------------------------------------------

    def to_json(self) -> str:
        return self.hf.to_str(pretty=False)

    def save(self, out: str | Path, meta: dict[str, Any] | None = None, *,
             gz: bool = False) -> Path:
        """Write ``tokenizer.json`` (or ``tokenizer.json.gz``, 7x smaller: the committed
        copy) and ``meta.json`` into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for old in ("tokenizer.json", "tokenizer.json.gz"):
            (out / old).unlink(missing_ok=True)
        if gz:
            # mtime=0: the same tokenizer gives the same bytes (reproducible commits)
            with open(out / "tokenizer.json.gz", "wb") as raw, \
                    gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
                f.write(self.to_json().encode("utf-8"))
        else:
            (out / "tokenizer.json").write_text(self.to_json(), encoding="utf-8")
        info = {"vocab_size": self.vocab_size, "pre": PRE, "split_pattern": SPLIT_PATTERN,
                "special_tokens": self.special_ids, **(meta or {})}
        (out / "meta.json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
        self.path = out
        return out


def _bytes_to_unicode() -> list[str]:
    """GPT-2's byte -> printable character table, as a list indexed by byte."""
    keep = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    out, extra = [], 0
    for b in range(256):
        if b in keep:
            out.append(chr(b))
        else:
            out.append(chr(256 + extra))
            extra += 1
    return out


def default_dir() -> Path:
    """``$CHIMERA_TOKENIZER`` if set, else the shipped tokenizer in training/data/tokenizer."""
    env = os.environ.get("CHIMERA_TOKENIZER")
    return Path(env) if env else SHIPPED_DIR


def load(path: str | Path | None = None) -> Tokenizer:
    """Load a tokenizer directory (or its ``tokenizer.json``); default :func:`default_dir`."""
    from tokenizers import Tokenizer as HF

    p = Path(path) if path is not None else default_dir()
    if p.is_dir():
        f = p / "tokenizer.json"
        if not f.exists() and (p / "tokenizer.json.gz").exists():
            f = p / "tokenizer.json.gz"
    else:
        f = p
    if not f.exists():
        raise FileNotFoundError(f"no tokenizer at {f}; build one with "
                                "`python -m training.tokenizer --vocab-size N --out DIR`")
    if f.suffix == ".gz":
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            return Tokenizer(HF.from_str(fh.read()), f.parent)
    return Tokenizer(HF.from_file(str(f)), f.parent)


# ----------------------------------------------------------------------------- GGUF


def gguf_metadata(tok_dir: str | Path | Tokenizer | None = None, *,
                  chat_template: str | None = None) -> dict[str, Any]:
    """The ``tokenizer.ggml.*`` values for :class:`training.export.GGUFTokenizer`.

    Keys: model, tokens, token_types, merges, pre, bos_id, eos_id, eot_id, add_bos,
    chat_template (default :data:`training.chat.CHAT_TEMPLATE`).
    """
    from training import chat

    tok = tok_dir if isinstance(tok_dir, Tokenizer) else load(tok_dir)
    specials = set(tok.special_ids.values())
    merges = tok.merges()
    if not merges:
        raise ValueError("tokenizer has no merges (llama.cpp refuses an empty merges list)")
    return {
        "model": "gpt2",
        "tokens": tok.tokens(),
        "token_types": [TOKEN_CONTROL if i in specials else TOKEN_NORMAL
                        for i in range(tok.vocab_size)],
        "merges": merges,
        "pre": PRE,
        "bos_id": tok.bos_id,
        "eos_id": tok.eos_id,
        "eot_id": tok.eot_id,
        "add_bos": True,
        "chat_template": chat_template if chat_template is not None else chat.CHAT_TEMPLATE,
    }


gguf_tokenizer_metadata = gguf_metadata


def write_tokenizer_keys(writer, tok_dir: str | Path | Tokenizer | None = None,
                         chat_template: str | None = None) -> None:
    """Add every ``tokenizer.ggml.*`` key (and the chat template) to a ``gguf.GGUFWriter``."""
    m = gguf_metadata(tok_dir, chat_template=chat_template)
    writer.add_tokenizer_model(m["model"])
    writer.add_tokenizer_pre(m["pre"])
    writer.add_token_list(m["tokens"])
    writer.add_token_types(m["token_types"])
    writer.add_token_merges(m["merges"])
    writer.add_bos_token_id(m["bos_id"])
    writer.add_eos_token_id(m["eos_id"])
    writer.add_eot_token_id(m["eot_id"])
    writer.add_add_bos_token(m["add_bos"])
    writer.add_chat_template(m["chat_template"])


def write_vocab_gguf(path: str | Path, tok_dir: str | Path | Tokenizer | None = None,
                     arch: str = "nemotron_h") -> Path:
    """A GGUF with only the architecture name and the tokenizer: what llama.cpp needs to
    load it with ``vocab_only=True`` (hyperparameters and tensors are skipped then)."""
    import gguf

    path = Path(path)
    w = gguf.GGUFWriter(str(path), arch)
    w.add_name("chimera-vocab")
    write_tokenizer_keys(w, tok_dir)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


class LlamaVocab:
    """llama.cpp's tokenizer from a (vocab-only) GGUF, through llama-cpp-python."""

    def __init__(self, gguf_path: str | Path) -> None:
        import llama_cpp

        self.llm = llama_cpp.Llama(str(gguf_path), vocab_only=True, verbose=False)

    def encode(self, text: str, *, special: bool = True, add_bos: bool = False) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)

    def decode(self, ids: list[int]) -> bytes:
        return self.llm.detokenize(ids, special=True)

    def close(self) -> None:
        self.llm.close()


# ----------------------------------------------------------------------------- figures


def _words(text: str) -> int:
    return len(text.split())


def evaluate(tok: Tokenizer, texts_by_lang: dict[str, list[str]],
             llama: LlamaVocab | None = None) -> dict[str, Any]:
    """Round trip, tokens per word and (with ``llama``) id parity, per language."""
    out: dict[str, Any] = {}
    for lang, texts in texts_by_lang.items():
        n_tok = n_words = n_exact = n_same = 0
        for t in texts:
            ids = tok.encode(t)
            n_tok += len(ids)
            n_words += _words(t)
            n_exact += tok.decode(ids) == t
            if llama is not None:
                n_same += llama.encode(t) == ids
        r = {"docs": len(texts), "words": n_words, "tokens": n_tok,
             "tokens_per_word": round(n_tok / max(1, n_words), 4),
             "round_trip": round(n_exact / max(1, len(texts)), 6)}
        if llama is not None:
            r["parity"] = round(n_same / max(1, len(texts)), 6)
        out[lang] = r
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.tokenizer", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vocab-size", type=int, default=16384)
    p.add_argument("--out", type=Path, help="directory for tokenizer.json + meta.json")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--teacher-dir", type=Path, help="teacher samples (default: data dir)")
    p.add_argument("--report", action="store_true",
                   help="only measure the tokenizer at --tok (default: shipped) on held-out text")
    p.add_argument("--tok", type=Path, help="tokenizer to report on")
    p.add_argument("--json", type=Path, help="write the report here too")
    p.add_argument("--gzip", action="store_true",
                   help="store tokenizer.json.gz (the committed, shipped copy)")
    a = p.parse_args(argv)
    os.environ.setdefault("RAYON_NUM_THREADS", "1")      # shared machine
    from training.data import build as data_build

    if not a.report:
        if a.out is None:
            p.error("--out is required to train")
        texts, stats = data_build.tokenizer_training_text(seed=a.seed, teacher_dir=a.teacher_dir)
        tok = train(texts, a.vocab_size, a.out, meta={"trained_on": stats, "seed": a.seed},
                    gz=a.gzip)
        print(f"trained {tok.vocab_size} tokens -> {a.out}", file=sys.stderr)
    tok = load(a.tok or a.out)
    held = data_build.held_out_text(seed=a.seed, teacher_dir=a.teacher_dir)
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        llama = LlamaVocab(write_vocab_gguf(Path(d) / "vocab.gguf", tok))
        rep = evaluate(tok, held, llama)
        llama.close()
    rep = {"tokenizer": str(tok.path), "vocab_size": tok.vocab_size, "pre": PRE, "held_out": rep}
    print(json.dumps(rep, ensure_ascii=False, indent=1))
    if not a.report:
        mp = Path(a.out) / "meta.json"
        info = json.loads(mp.read_text(encoding="utf-8"))
        info["held_out"] = rep["held_out"]
        mp.write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if a.json:
        a.json.write_text(json.dumps(rep, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
