"""The small real text sources that can be had offline, read from the installed model packs.

* chatterbot-corpus (BSD): short dialogues in Hindi, Hinglish and English -> chat documents.
* wordfreq ``small_hi`` (CC BY-SA 4.0): 26,653 Hindi words with frequencies. A word list,
  not running text: it feeds the spelling generator and weights the tokenizer's training
  text, never the corpus as prose.
* pocketsphinx-testdata (Debian): read-speech transcripts (Austen) -> English text.

Packs come from ``vaani models install --group train`` (resolved through vaani.models);
a pack that is missing raises ``ModelMissingError`` with the install command.
"""

from __future__ import annotations

import functools
import gzip
import random
import re
from pathlib import Path

from training.data.generators import Doc

POCKETSPHINX = Path("/usr/share/pocketsphinx/test/data")
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def pack_dir(name: str) -> Path:
    from vaani import config as config_mod
    from vaani.models import ModelStore

    return ModelStore.from_config(config_mod.from_dict({})).path(name)


def chatterbot_docs(root: Path | None = None) -> list[Doc]:
    """Every chatterbot conversation as a chat (user, assistant, user, ...), per language."""
    import yaml

    root = root or pack_dir("chatterbot-corpus")
    docs = []
    for lang, folder in (("hi", "hindi"), ("hinglish", "hinglish"), ("en", "english")):
        for f in sorted((root / folder).glob("*.yml")):
            data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
            for conv in data.get("conversations") or []:
                turns = [str(t).strip() for t in conv if t is not None and str(t).strip()]
                if len(turns) < 2:
                    continue
                msgs = [{"role": "user" if i % 2 == 0 else "assistant", "content": t}
                        for i, t in enumerate(turns)]
                if msgs[-1]["role"] == "user":
                    msgs = msgs[:-1]
                docs.append(Doc(f"real.chatterbot.{f.stem}", lang, messages=msgs))
    return docs


def pocketsphinx_docs(root: Path = POCKETSPHINX) -> list[Doc]:
    """The LibriVox transcript as sentences (capitalised, with a full stop) in one document."""
    f = root / "librivox" / "transcription"
    if not f.exists():
        return []
    lines = []
    for line in f.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*<s>(.*)</s>", line)
        if m and m.group(1).strip():
            s = " ".join(m.group(1).split())
            lines.append(s[0].upper() + s[1:] + ".")
    return [Doc("real.pocketsphinx", "en", text=" ".join(lines))] if lines else []


@functools.lru_cache(maxsize=2)
def wordfreq_hi(path: str | None = None) -> tuple[tuple[str, float], ...]:
    """(word, frequency) for the Devanagari words of wordfreq's small Hindi list, most
    frequent first."""
    import msgpack

    p = Path(path) if path else pack_dir("wordfreq-hi") / "small_hi.msgpack.gz"
    buckets = msgpack.unpackb(gzip.open(p).read(), raw=False)
    out = []
    for i, words in enumerate(buckets[1:]):
        freq = 10 ** (-i / 100)
        out.extend((w, freq) for w in words if DEVANAGARI.search(w))
    return tuple(out)


def _spell(word: str) -> str:
    return " + ".join(word)


def gen_spelling(rng: random.Random, lang: str = "hi") -> Doc:
    """Hindi words spelled out character by character and put in dictionary order.

    Uses wordfreq's vocabulary; teaches a small model how its tokens are composed
    (vowel signs, virama, nukta) and the varnamala order (Unicode order of Devanagari
    follows it closely).
    """
    words = [w for w, _ in wordfreq_hi()]
    top = words[:8000]
    lines = []
    for w in rng.sample(top, rng.randint(2, 4)):
        if rng.random() < 0.7:
            lines.append(f"'{w}' की वर्तनी: {_spell(w)}")
        else:
            lines.append(f"'{w}' शब्द '{w[0]}' से शुरू होता है।")
    group = rng.sample(top, rng.randint(4, 7))
    lines.append(f"शब्दों का क्रम: {', '.join(group)} -> {', '.join(sorted(group))}")
    return Doc("gen.spelling", "hi", text="\n".join(lines))
