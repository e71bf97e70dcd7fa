"""Fixtures shared by the training tests (keep this small: several modules use it)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

# Text with the cases a byte-level tokenizer must get right: Devanagari clusters (virama,
# nukta, vowel signs, anusvara, candrabindu, ZWJ/ZWNJ), Devanagari digits and danda,
# Hinglish, English contractions, digits, symbols, emoji, odd whitespace.
HARD_TEXTS = [
    "नमस्ते, आप कैसे हैं? मैं ठीक हूँ।",
    "क्षत्रिय ज्ञान श्री द्वार क़लम ज़िंदगी फ़ोन ड़ ढ़ अँधेरा संस्कृत हिंदी",
    "क्‍ष और क्‌ष: ZWJ/ZWNJ के साथ। ॐ ॥ १२३४५ रुपये ₹1,25,000",
    "Kal main market gaya tha aur 5 kilo aloo laaya. Bahut mehenga tha yaar!",
    "I'm sure they'll say it's 3:45 pm, isn't it? WE'RE LATE.",
    "Price: $12.50 (approx.) -- 50% off!!! email@example.com #tag @user",
    "tabs\tand  double  spaces   and\n\nnew lines\r\nand trailing   ",
    "emoji 😀👍🏽 and नमस्ते🙏 and accents café naïve Ünïcödé",
    "   leading spaces",
    "\n",
    "12345678901234567890 3.14159 -42 ०१२३",
    "मिश्रित text with हिंदी words बीच में, and 'quotes' \"double\".",
]


def _tiny_training_text(n: int = 600) -> list[str]:
    from training.data import generators as G

    out = []
    for i in range(n):
        lang = ("hi", "en", "hinglish")[i % 3]
        out.append(G.generate(random.Random(f"tiny:{i}"), lang).render())
    return out + HARD_TEXTS[:6] * 5


@pytest.fixture(scope="session")
def tiny_tokenizer(tmp_path_factory: pytest.TempPathFactory):
    """A 1024-token tokenizer trained on generated documents in a second or two."""
    from training import tokenizer as tok_mod

    out: Path = tmp_path_factory.mktemp("tiny_tok")
    return tok_mod.train(_tiny_training_text(), 1024, out)


@pytest.fixture(scope="session")
def tiny_vocab_gguf(tiny_tokenizer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny tokenizer as a vocab-only nemotron_h GGUF."""
    from training import tokenizer as tok_mod

    return tok_mod.write_vocab_gguf(tmp_path_factory.mktemp("tiny_gguf") / "vocab.gguf",
                                    tiny_tokenizer)


@pytest.fixture(scope="session")
def hard_texts() -> list[str]:
    return list(HARD_TEXTS)


@pytest.fixture(scope="session")
def replay_corpus(tmp_path_factory) -> Path:
    """A small pretraining corpus (generators only) in the shipped tokenizer's ids, for the
    stages' ``--replay``."""
    from training import tokenizer as tok_mod
    from training.data import build as B

    out = tmp_path_factory.mktemp("replay") / "corpus"
    B.build(40_000, out, seed=0, tokenizer=tok_mod.load(), val_frac=0.1, shard_tokens=16_000,
            mixture={}, teacher_dir=None)
    return out
