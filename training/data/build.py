"""Build Chimera's corpus: token-id shards, per-language validation sets and a manifest.

    python -m training.data --budget-tokens 20000000 --out runs/data/chimera --seed 0

The budget is split by :data:`MIXTURE` (shares of the budget's tokens). Finite sources
(teacher samples, chatterbot, pocketsphinx) contribute what they have, repeated up to
:data:`MAX_REPEAT` epochs, up to their share; the programmatic generators fill the rest,
split over hi / en / hinglish by :data:`GEN_LANG_SHARE`. The manifest records what was
asked, what was used and how many epochs of each finite source that took.

Layout of ``--out``::

    manifest.json               mixture, sizes in tokens per source and language, sha256s
    tokenizer/tokenizer.json    copy of the tokenizer the ids belong to
    train_000.bin ...           uint16 (uint32 for vocabularies > 65536) token ids
    val_hi.bin val_en.bin val_hinglish.bin

Every document is ``<|endoftext|>`` + its tokens, so documents are separated by the BOS/EOS
token the GGUF uses. Train and validation are split by a hash of the document's text, so
identical documents (templates repeat) always land on the same side and the two are
disjoint. A document that contains a question of VAANI's answer benchmark is dropped
(:mod:`training.data.heldout`; counted in the manifest's ``heldout_dropped``). The build
is a pure function of (seed, budget, tokenizer, teacher caches): rebuilt, it gives
byte-identical shards (the test checks the hash).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from training.data import generators as G
from training.data import heldout as H
from training.data import sources as S
from training.data import teacher as T

LANGS = ("hi", "en", "hinglish")

# Shares of the token budget. Teacher and real sources are capped by what exists.
MIXTURE: dict[str, float] = {
    "teacher.gemma-hi": 0.35,
    "teacher.gemma-en": 0.08,
    "teacher.smollm2-en": 0.12,
    "real.chatterbot": 0.03,
    "real.pocketsphinx": 0.001,
    "gen.spelling": 0.02,
    # "gen.*" (everything else) fills the remainder
}
GEN_LANG_SHARE = {"hi": 0.45, "en": 0.25, "hinglish": 0.30}
VAL_FRAC = 0.02
# Finite sources (teacher samples, real text) are repeated up to this many epochs to fill
# their share: the natural text is scarce and worth more than yet more templates.
MAX_REPEAT = 4
SHARD_TOKENS = 16_000_000


def default_out() -> Path:
    from vaani.config import data_dir

    return data_dir() / "chimera" / "corpus"


def is_val(doc_text: str, seed: int, val_frac: float) -> bool:
    """The split of a document: a stable hash of (seed, text), so duplicates agree."""
    h = hashlib.blake2b(f"{seed}\x00{doc_text}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") / 2**64 < val_frac


# ----------------------------------------------------------------------------- sources


def teacher_docs(job: str, seed: int = 0, teacher_dir: Path | None = None) -> Iterator[G.Doc]:
    """Cleaned samples of one teacher job, in sample order."""
    for rec in T.read_cache(T.cache_path(teacher_dir or T.default_out(), job, seed)):
        doc = T.clean(rec)
        if doc is not None:
            yield doc


def generated_docs(seed: int, lang: str, start: int = 0) -> Iterator[G.Doc]:
    """An endless deterministic stream of generator documents in one language."""
    i = start
    while True:
        yield G.generate(random.Random(f"gen:{seed}:{lang}:{i}"), lang)
        i += 1


def spelling_docs(seed: int) -> Iterator[G.Doc]:
    i = 0
    while True:
        yield S.gen_spelling(random.Random(f"spell:{seed}:{i}"))
        i += 1


def real_docs(name: str) -> list[G.Doc]:
    if name == "real.chatterbot":
        return S.chatterbot_docs()
    if name == "real.pocketsphinx":
        return S.pocketsphinx_docs()
    raise KeyError(name)


# ----------------------------------------------------------------------------- building


@dataclass
class _Tally:
    docs: int = 0
    tokens: int = 0
    bytes: int = 0


class _Writer:
    """Appends documents' ids to train shards or per-language validation files."""

    def __init__(self, out: Path, dtype, shard_tokens: int) -> None:
        self.out, self.dtype, self.shard_tokens = out, dtype, shard_tokens
        self.train_buf: list[np.ndarray] = []
        self.train_len = 0
        self.shards: list[dict] = []
        self.val: dict[str, list[np.ndarray]] = defaultdict(list)

    def add(self, ids: list[int], lang: str, val: bool) -> None:
        arr = np.asarray(ids, dtype=self.dtype)
        if val:
            self.val[lang].append(arr)
            return
        self.train_buf.append(arr)
        self.train_len += len(arr)
        if self.train_len >= self.shard_tokens:
            self._flush()

    def _flush(self) -> None:
        if not self.train_buf:
            return
        data = np.concatenate(self.train_buf)
        name = f"train_{len(self.shards):03d}.bin"
        self.shards.append(_write(self.out / name, data))
        self.train_buf, self.train_len = [], 0

    def close(self) -> tuple[list[dict], dict[str, dict]]:
        self._flush()
        val = {}
        for lang in LANGS:
            data = (np.concatenate(self.val[lang]) if self.val[lang]
                    else np.zeros(0, dtype=self.dtype))
            val[lang] = _write(self.out / f"val_{lang}.bin", data)
            val[lang]["docs"] = len(self.val[lang])
        return self.shards, val


def _write(path: Path, data: np.ndarray) -> dict:
    data.tofile(path)
    return {"file": path.name, "tokens": int(len(data)),
            "sha256": hashlib.sha256(data.tobytes()).hexdigest()}


def build(budget_tokens: int, out: Path, seed: int = 0, tokenizer=None,
          teacher_dir: Path | None = None, val_frac: float = VAL_FRAC,
          shard_tokens: int = SHARD_TOKENS, mixture: dict[str, float] | None = None,
          max_repeat: int = MAX_REPEAT, log=lambda s: None) -> dict:
    """Build the corpus into ``out`` and return the manifest (also written there)."""
    from training import tokenizer as tok_mod

    t0 = time.monotonic()
    tok = tokenizer if tokenizer is not None else tok_mod.load()
    mixture = dict(MIXTURE if mixture is None else mixture)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("train_*.bin")) + list(out.glob("val_*.bin")):
        old.unlink()
    dtype = np.uint16 if tok.vocab_size <= 65536 else np.uint32
    writer = _Writer(out, dtype, shard_tokens)
    tally: dict[tuple[str, str, str], _Tally] = defaultdict(_Tally)   # (source, lang, split)
    used_total = 0
    held_out = H.default()                # the answer bench's questions: never trained on
    dropped: dict[str, int] = defaultdict(int)

    def consume(make_docs, quota: int, repeat: int = 1, batch: int = 256) -> tuple[int, float]:
        """Tokenize and write docs until ``quota`` tokens (train + val) are used.

        ``make_docs()`` gives a fresh iterator; a finite source is read up to ``repeat``
        times (epochs) while the quota is unmet. Repeats go to train only, so validation
        documents stay unique. Returns (tokens used, epochs of the source used).
        """
        nonlocal used_total
        used, first_pass = 0, 0
        for epoch in range(repeat):
            it = iter(make_docs())
            n_this = 0
            while used < quota:
                chunk = [d for _, d in zip(range(batch), it)]
                if not chunk:
                    break
                kept = []
                for d in chunk:
                    text = d.render()
                    if text in held_out:
                        if epoch == 0:
                            dropped[d.source] += 1
                        continue
                    kept.append((d, text))
                chunk = [d for d, _ in kept]
                texts = [t for _, t in kept]
                for d, text, ids in zip(chunk, texts, tok.encode_batch(texts, special=True)):
                    if used >= quota:
                        break
                    ids = [tok.bos_id, *ids]
                    val = is_val(text, seed, val_frac)
                    if val and epoch > 0:
                        continue
                    writer.add(ids, d.lang, val)
                    t = tally[(d.source, d.lang, "val" if val else "train")]
                    t.docs += 1
                    t.tokens += len(ids)
                    t.bytes += len(text.encode("utf-8"))
                    used += len(ids)
                    n_this += len(ids)
            if epoch == 0:
                first_pass = n_this
            if used >= quota or n_this == 0:
                break
        used_total += used
        return used, round(used / first_pass, 2) if first_pass else 0.0

    asked: dict[str, int] = {}
    got: dict[str, int] = {}
    epochs: dict[str, float] = {}
    for name, share in mixture.items():
        quota = int(budget_tokens * share)
        asked[name] = quota
        repeat = 1
        if name.startswith("teacher."):
            job = name.split(".", 1)[1]
            make = lambda job=job: teacher_docs(job, seed=0, teacher_dir=teacher_dir)  # noqa: E731
            repeat = max_repeat
        elif name.startswith("real."):
            docs = real_docs(name)
            make = lambda docs=docs: docs  # noqa: E731
            repeat = max_repeat
        elif name == "gen.spelling":
            make = lambda: spelling_docs(seed)  # noqa: E731
        else:
            raise KeyError(f"unknown mixture entry {name}")
        got[name], epochs[name] = consume(make, quota, repeat)
        log(f"{name}: {got[name]} / {quota} tokens ({epochs[name]} epochs)")
    rest = max(0, budget_tokens - used_total)
    for lang, share in GEN_LANG_SHARE.items():
        name = f"gen.{lang}"
        quota = int(rest * share)
        asked[name] = quota
        got[name], _ = consume(lambda lang=lang: generated_docs(seed, lang), quota)
        log(f"{name}: {got[name]} / {quota} tokens")
    shards, val = writer.close()

    tok_dir = out / "tokenizer"
    tok_dir.mkdir(exist_ok=True)
    (tok_dir / "tokenizer.json").write_text(tok.to_json(), encoding="utf-8")
    tok_sha = hashlib.sha256((tok_dir / "tokenizer.json").read_bytes()).hexdigest()

    by_source = []
    for (source, lang, split), t in sorted(tally.items()):
        by_source.append({"source": source, "lang": lang, "split": split, "docs": t.docs,
                          "tokens": t.tokens, "bytes": t.bytes})
    per_lang: dict[str, dict[str, int]] = {lang: {"train": 0, "val": 0} for lang in LANGS}
    for (source, lang, split), t in tally.items():
        per_lang[lang][split] += t.tokens
    manifest = {
        "format": "chimera-corpus/1",
        "seed": seed,
        "budget_tokens": budget_tokens,
        "val_frac": val_frac,
        "dtype": np.dtype(dtype).name,
        "vocab_size": tok.vocab_size,
        "bos_id": tok.bos_id,
        "tokenizer": {"file": "tokenizer/tokenizer.json", "sha256": tok_sha},
        "train": shards,
        "train_tokens": sum(s["tokens"] for s in shards),
        "val": val,
        "tokens_per_language": per_lang,
        "mixture_asked": asked,
        "mixture_used": got,
        "epochs": epochs,
        "max_repeat": max_repeat,
        "heldout_dropped": dict(sorted(dropped.items())),
        "by_source": by_source,
        "build_seconds": round(time.monotonic() - t0, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return manifest


# ----------------------------------------------------------------------------- tokenizer text


def _strip_specials(text: str) -> str:
    from training.tokenizer import SPECIAL_TOKENS

    for s in SPECIAL_TOKENS:
        text = text.replace(s, "\n")
    return text


def _split_docs(seed: int, teacher_dir: Path | None, gen_docs: int,
                want_val: bool) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Texts per language from every source, on one side of the train/val split.

    Also returns ``<lang>.prose`` groups (teacher and real text only, no templates) and
    the number of teacher samples read per job (the tokenizer records it).
    """
    out: dict[str, list[str]] = defaultdict(list)
    counts: dict[str, int] = {}
    held_out = H.default()

    def take(doc: G.Doc, prose: bool = False) -> None:
        text = doc.render()
        if text in held_out:
            return
        if is_val(text, seed, VAL_FRAC) == want_val:
            out[doc.lang].append(text)
            if prose:
                out[f"{doc.lang}.prose"].append(text)

    for job in ("gemma-hi", "gemma-en", "smollm2-en"):
        counts[job] = len(T.read_cache(T.cache_path(teacher_dir or T.default_out(), job, 0)))
        for d in teacher_docs(job, teacher_dir=teacher_dir):
            take(d, prose=True)
    for name in ("real.chatterbot", "real.pocketsphinx"):
        for d in real_docs(name):
            take(d, prose=True)
    for lang in LANGS:
        n = int(gen_docs * GEN_LANG_SHARE[lang] / max(GEN_LANG_SHARE.values()))
        it = generated_docs(seed, lang)
        if want_val:
            # enough generated documents that the held-out share is a real sample
            n = n * 3
        for _ in range(n):
            take(next(it))
    return dict(out), counts


# Extra copies of running text in the tokenizer's training text, by language: English prose
# is scarce next to templated generator text, and shares 16k ids with Hindi; three copies
# took SmolLM2-style English from 1.50 to 1.42 tokens per word at no cost to Hindi.
PROSE_WEIGHT = {"en": 3}


def tokenizer_training_text(seed: int = 0, teacher_dir: Path | None = None,
                            gen_docs: int = 40_000,
                            wordfreq_scale: float = 2e5) -> tuple[list[str], dict]:
    """The tokenizer's training text (train side of the split only) and its statistics.

    Besides the corpus sources it includes wordfreq's Hindi words, each repeated in
    proportion to its frequency (``freq * wordfreq_scale``, at least once), so merges
    follow real Hindi word frequencies, not only what the teacher happened to write.
    """
    by_lang, counts = _split_docs(seed, teacher_dir, gen_docs, want_val=False)
    texts: list[str] = []
    stats: dict[str, Any] = {"teacher_samples": counts, "prose_weight": PROSE_WEIGHT}
    for lang, docs in sorted(by_lang.items()):
        if lang.endswith(".prose"):
            docs = docs * (PROSE_WEIGHT.get(lang.split(".")[0], 1) - 1)
            if not docs:
                continue
        docs = [_strip_specials(t) for t in docs]
        texts.extend(docs)
        stats[lang] = {"docs": len(docs), "bytes": sum(len(t.encode()) for t in docs)}
    words = []
    for w, f in S.wordfreq_hi():
        words.extend([w] * max(1, round(f * wordfreq_scale)))
    rng = random.Random(f"wordfreq:{seed}")
    rng.shuffle(words)
    lines = [" " + " ".join(words[i:i + 50]) for i in range(0, len(words), 50)]
    texts.extend(lines)
    stats["wordfreq_hi"] = {"words": len(words), "bytes": sum(len(t.encode()) for t in lines)}
    random.Random(f"tok:{seed}").shuffle(texts)
    return texts, stats


def held_out_text(seed: int = 0, teacher_dir: Path | None = None,
                  gen_docs: int = 40_000) -> dict[str, list[str]]:
    """Validation-side texts per language (never seen by the tokenizer's training), plus
    ``hi.prose`` / ``en.prose``: only the running text (teacher and real sources)."""
    groups, _ = _split_docs(seed, teacher_dir, gen_docs, want_val=True)
    return {k: [_strip_specials(t) for t in docs] for k, docs in sorted(groups.items())}


def mixture_table(manifest: dict) -> str:
    """The manifest's mixture as a Markdown table (for training/DATA.md)."""
    rows: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in manifest["by_source"]:
        src = r["source"]
        if src.startswith("real.chatterbot."):
            src = "real.chatterbot"
        row = rows[(src, r["lang"])]
        row[0] += r["docs"]
        row[1] += r["tokens"]
        row[2] += r["tokens"] if r["split"] == "val" else 0
    total = sum(v[1] for v in rows.values()) or 1
    out = ["| source | lang | docs | tokens | of which val | share |",
           "|---|---|---:|---:|---:|---:|"]
    for (src, lang), (docs, tokens, val) in sorted(rows.items(), key=lambda kv: -kv[1][1]):
        out.append(f"| {src} | {lang} | {docs:,} | {tokens:,} | {val:,} | "
                   f"{100 * tokens / total:.1f}% |")
    for lang, v in manifest["tokens_per_language"].items():
        out.append(f"| **all** | {lang} | | {v['train'] + v['val']:,} | {v['val']:,} | "
                   f"{100 * (v['train'] + v['val']) / total:.1f}% |")
    out.append(f"| **total** | | | {total:,} | | 100% |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.data", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget-tokens", type=int)
    p.add_argument("--table", type=Path, metavar="DIR",
                   help="print the mixture of an existing corpus as a Markdown table")
    p.add_argument("--out", type=Path, help="default: $VAANI_DATA_DIR/chimera/corpus")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tokenizer", type=Path, help="tokenizer dir (default: the shipped one)")
    p.add_argument("--teacher-dir", type=Path, help="default: $VAANI_DATA_DIR/chimera/teacher")
    p.add_argument("--val-frac", type=float, default=VAL_FRAC)
    p.add_argument("--shard-tokens", type=int, default=SHARD_TOKENS)
    p.add_argument("--max-repeat", type=int, default=MAX_REPEAT,
                   help="epochs of teacher/real text allowed to fill their share")
    a = p.parse_args(argv)
    if a.table:
        print(mixture_table(json.loads((a.table / "manifest.json").read_text(encoding="utf-8"))))
        return
    if a.budget_tokens is None:
        p.error("--budget-tokens is required to build")
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    from training import tokenizer as tok_mod

    m = build(a.budget_tokens, a.out or default_out(), a.seed, tok_mod.load(a.tokenizer),
              a.teacher_dir, a.val_frac, a.shard_tokens, max_repeat=a.max_repeat,
              log=lambda s: print(s, file=sys.stderr, flush=True))
    print(json.dumps({k: m[k] for k in ("train_tokens", "tokens_per_language", "mixture_used",
                                        "build_seconds")}, indent=1))


if __name__ == "__main__":
    main()
