"""Chimera's tokenizer: byte-exact round trip, Devanagari kept whole, parity with llama.cpp."""

from __future__ import annotations

import json
import random
import re
import unicodedata

import numpy as np
import pytest

from training import tokenizer as tok_mod


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


# ----------------------------------------------------------------------------- tiny tokenizer


def test_round_trip_is_byte_exact(tiny_tokenizer, hard_texts):
    for text in hard_texts:
        ids = tiny_tokenizer.encode(text)
        assert tiny_tokenizer.decode(ids) == text
        raw = b"".join(tiny_tokenizer.token_piece(i) for i in ids)
        assert raw == text.encode("utf-8")


def test_special_tokens_are_single_ids_and_optional(tiny_tokenizer):
    tok = tiny_tokenizer
    assert tok.vocab_size == 1024
    for i, name in enumerate(tok_mod.SPECIAL_TOKENS):
        assert tok.special_ids[name] == i
        assert tok.encode(name) == [i]
    text = "<|user|>hi<|end|>"
    assert tok.encode(text)[0] == tok.special_ids["<|user|>"]
    plain = tok.encode(text, special=False)         # the names as ordinary text
    assert tok.special_ids["<|user|>"] not in plain and tok.decode(plain) == text
    assert tok.encode("x", add_bos=True)[0] == tok.bos_id == tok.eos_id == 0
    assert tok.stop_ids == {tok.special_ids["<|endoftext|>"], tok.special_ids["<|end|>"]}


def test_token_bytes_count_utf8_bytes(tiny_tokenizer, hard_texts):
    tb = tiny_tokenizer.token_bytes()
    assert tb.shape == (1024,) and (tb[:16] == 0).all() and (tb[16:] > 0).all()
    for text in hard_texts:
        assert int(tb[tiny_tokenizer.encode(text)].sum()) == len(text.encode("utf-8"))


def _pre_token_starts(pattern: str, text: str) -> list[int]:
    from tokenizers import Regex, pre_tokenizers

    split = pre_tokenizers.Split(Regex(pattern), behavior="isolated")
    return [a for _, (a, _) in split.pre_tokenize_str(text)]


def test_pre_tokenizer_never_splits_before_a_mark():
    text = ("नमस्ते क्षत्रिय ज्ञान श्री द्वार क़लम ज़िंदगी अँधेरा संस्कृत हिंदी कृष्ण "
            "प्रियंका स्त्री उन्होंने छुट्टियाँ")
    starts = _pre_token_starts(tok_mod.SPLIT_PATTERN, text)
    assert all(not _is_mark(text[a]) for a in starts)
    words = [text[a:b].strip() for a, b in zip(starts, starts[1:] + [len(text)])]
    assert [w for w in words if w] == text.split()          # one piece per word
    # Negative control: a plain \p{L}+ split (gpt-2 / llama3 style) cuts after marks.
    gpt2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)"
    assert any(_is_mark(text[a]) for a in _pre_token_starts(gpt2, text))


def test_frequent_devanagari_words_become_one_token(tiny_tokenizer):
    # the most frequent Devanagari words of the tiny tokenizer's own training text (with
    # vowel signs, virama or nukta: what a mark-splitting pre-tokenizer would cut) must
    # each be one token; read from the text, so a change in the generated data cannot
    # turn a fixed word list rare
    from collections import Counter

    from tests.training.conftest import _tiny_training_text

    counts = Counter(w for doc in _tiny_training_text()
                     for w in re.findall("[\u0900-\u0963\u0966-\u097f]+", doc)
                     if len(w) > 1 and any(unicodedata.category(c).startswith("M") for c in w))
    frequent = [w for w, _ in counts.most_common(8)]
    assert len(frequent) == 8
    for word in frequent:
        ids = tiny_tokenizer.encode(" " + word)
        assert len(ids) == 1, (word, [tiny_tokenizer.id_to_token(i) for i in ids])


def test_parity_with_llama_cpp(tiny_tokenizer, tiny_vocab_gguf, hard_texts):
    from training.data import generators as G

    llama = tok_mod.LlamaVocab(tiny_vocab_gguf)
    try:
        texts = list(hard_texts)
        texts += [G.generate(random.Random(f"parity:{i}"), ("hi", "en", "hinglish")[i % 3])
                  .render() for i in range(150)]
        texts += ["<|endoftext|>" + t + "<|end|>" for t in hard_texts]
        for t in texts:
            assert llama.encode(t) == tiny_tokenizer.encode(t), t
            assert llama.encode(t, add_bos=True) == tiny_tokenizer.encode(t, add_bos=True), t
            assert llama.encode(t, special=False) == tiny_tokenizer.encode(t, special=False), t
    finally:
        llama.close()


def test_gguf_metadata_as_llama_cpp_reads_it(tiny_tokenizer, tiny_vocab_gguf):
    import llama_cpp

    meta = tok_mod.gguf_metadata(tiny_tokenizer)
    assert meta["merges"] and all(len(m.split(" ")) == 2 for m in meta["merges"])
    assert meta["token_types"][:16] == [3] * 16 and set(meta["token_types"][16:]) == {1}
    llama = tok_mod.LlamaVocab(tiny_vocab_gguf)
    try:
        llm = llama.llm
        assert llm.metadata["tokenizer.ggml.pre"] == "qwen35"
        assert llm.metadata["tokenizer.ggml.model"] == "gpt2"
        vocab = llm._model.vocab
        end = tiny_tokenizer.special_ids["<|end|>"]
        assert llama_cpp.llama_vocab_bos(vocab) == 0 == llama_cpp.llama_vocab_eos(vocab)
        assert llama_cpp.llama_vocab_eot(vocab) == end
        assert llama_cpp.llama_vocab_get_add_bos(vocab)
        assert llama_cpp.llama_vocab_is_eog(vocab, 0) and llama_cpp.llama_vocab_is_eog(vocab, end)
        assert not llama_cpp.llama_vocab_is_eog(vocab, tiny_tokenizer.special_ids["<|user|>"])
        assert llama.decode(llama.encode("नमस्ते दुनिया")) == "नमस्ते दुनिया".encode()
    finally:
        llama.close()


def test_vocab_size_floor():
    with pytest.raises(ValueError):
        tok_mod.train(["abc"], 200)


# ----------------------------------------------------------------------------- shipped tokenizer


def test_shipped_tokenizer_and_its_recorded_figures(tmp_path, hard_texts):
    tok = tok_mod.load()
    assert tok.vocab_size == 16384
    assert [tok.id_to_token(i) for i in range(16)] == tok_mod.SPECIAL_TOKENS
    meta = json.loads((tok_mod.SHIPPED_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta["pre"] == tok_mod.PRE and meta["split_pattern"] == tok_mod.SPLIT_PATTERN
    for lang in ("hi", "en", "hinglish"):
        fig = meta["held_out"][lang]
        assert fig["round_trip"] == 1.0 and fig["parity"] == 1.0 and fig["docs"] > 100
    # common Hindi words are whole tokens
    for word in ("नमस्ते", " क्या", " समय", " मौसम", " धन्यवाद", " भारत", " हिंदी"):
        assert len(tok.encode(word)) == 1, word
    llama = tok_mod.LlamaVocab(tok_mod.write_vocab_gguf(tmp_path / "v.gguf", tok))
    try:
        for t in hard_texts:
            assert llama.encode(t) == tok.encode(t)
            assert tok.decode(tok.encode(t)) == t
    finally:
        llama.close()


def test_evaluate_reports_what_it_measures(tiny_tokenizer, tiny_vocab_gguf):
    llama = tok_mod.LlamaVocab(tiny_vocab_gguf)
    try:
        rep = tok_mod.evaluate(tiny_tokenizer, {"hi": ["नमस्ते दुनिया", "एक दो तीन"]}, llama)
    finally:
        llama.close()
    r = rep["hi"]
    assert r["words"] == 5 and r["round_trip"] == 1.0 and r["parity"] == 1.0
    assert r["tokens_per_word"] == pytest.approx(r["tokens"] / 5, abs=1e-4)
    assert np.isfinite(r["tokens_per_word"])


def test_parity_on_random_unicode(tiny_tokenizer, tiny_vocab_gguf):
    """Random strings from many blocks (controls, Latin-1, combining marks, Devanagari,
    Bengali, Arabic, CJK, emoji, odd spaces, private use, tags): llama.cpp's character
    classes must agree with the Hugging Face regex's everywhere, not only on Hindi."""
    ranges = [(0x20, 0x7E), (0xA0, 0x17F), (0x300, 0x36F), (0x900, 0x97F), (0x980, 0x9FF),
              (0x2000, 0x206F), (0x20A0, 0x20BF), (0x1F300, 0x1F64F), (0x4E00, 0x4E80),
              (0x600, 0x6FF), (0x9, 0xD), (0x3000, 0x303F), (0xFE00, 0xFE0F), (0x1C, 0x1F),
              (0x85, 0x85), (0x1680, 0x1680), (0xE000, 0xE010), (0x10000, 0x10050),
              (0xE0000, 0xE007F)]
    rng = random.Random(0)
    llama = tok_mod.LlamaVocab(tiny_vocab_gguf)
    try:
        for _ in range(800):
            s = "".join(chr(rng.randint(*rng.choice(ranges))) for _ in range(rng.randint(1, 12)))
            assert llama.encode(s, special=False) == tiny_tokenizer.encode(s, special=False), \
                [hex(ord(c)) for c in s]
            assert tiny_tokenizer.decode(tiny_tokenizer.encode(s, special=False)) == s
    finally:
        llama.close()
