"""The corpus: generators (checkable arithmetic, correct dates and numbers), the builder
(deterministic, readable shards, validation disjoint from train), teacher sampling."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re

import numpy as np
import pytest

from training.data import build as B
from training.data import corpus
from training.data import generators as G
from training.data import numbers as N
from training.data import teacher as T

LANGS = ("hi", "en", "hinglish")
_STEP = re.compile(r"(-?\d+) ([+\-×÷]) (-?\d+)(?: ([+\-×÷]) (-?\d+))? = (-?\d+)")


def _apply(a: float, op: str, b: int) -> float:
    if op == "÷":
        return a / b
    return {"+": a + b, "-": a - b, "×": a * b}[op]


def _check_steps(text: str) -> int:
    """Every 'a op b [op c] = d' in ``text`` is true (left to right); returns the count."""
    n = 0
    for m in _STEP.finditer(text):
        a, op, b, op2, c, d = m.groups()
        v = _apply(int(a), op, int(b))
        if op2:
            v = _apply(v, op2, int(c))
        assert v == int(d), m.group(0)
        n += 1
    return n


# ----------------------------------------------------------------------------- generators


def test_every_generator_writes_every_language():
    for name in G.GENERATORS:
        for lang in LANGS:
            for i in range(5):
                d = G.generate(random.Random(f"{name}:{lang}:{i}"), lang, name)
                text = d.render()
                assert d.lang == lang and len(text) > 10, (name, lang)
                if lang == "hi":
                    assert re.search(r"[\u0900-\u097F]", text), (name, text)
                if lang == "hinglish" and d.messages is not None:
                    user = " ".join(m["content"] for m in d.messages if m["role"] == "user")
                    assert not re.search(r"[\u0900-\u097F]", user), (name, user)


def test_word_problems_are_checkable():
    kinds = set()
    for i in range(600):
        lang = LANGS[i % 3]
        d = G.gen_word_problem(random.Random(f"wp:{i}"), lang)
        text = d.render()
        assert _check_steps(text) == len(d.meta["steps"]) >= 1
        final = re.findall(rf"{G.ANSWER_WORD[lang]}: (-?\d+)", text)
        assert final == [str(d.meta["answer"])]
        last_step = d.meta["steps"][-1]
        assert last_step.endswith(f"= {d.meta['answer']}")
        kinds.add(d.meta["kind"])
    assert kinds == {"add", "add3", "sub", "mul", "div", "money", "speed"}


def test_a_wrong_sum_would_be_caught():
    with pytest.raises(AssertionError):
        _check_steps("हल:\n12 + 5 = 18")


def test_drills_are_checkable():
    for i in range(300):
        lang = LANGS[i % 3]
        rng = random.Random(f"drill:{i}")
        t = G.gen_table(rng, lang)
        n = t.meta["n"]
        lines = t.text.splitlines()[1:]
        assert len(lines) == 10
        if "×" in lines[0]:
            assert _check_steps(t.text) == 10
        else:                                  # recited in Hindi words
            assert all(ln.endswith(N.hindi_words(n * k)) for k, ln in enumerate(lines, 1))
        u = G.gen_units(rng, lang).text
        for n, f, total in re.findall(r"(\d+) \S+ = \1 × (\d+) = (\d+)", u):
            assert int(n) * int(f) == int(total)
        for c, f in re.findall(r"(\d+) (?:डिग्री सेल्सियस|degrees Celsius|degree Celsius) = (\d+)", u):
            assert int(c) * 9 / 5 + 32 == int(f)
        w = G.gen_weekday_math(rng, lang)
        assert _check_steps(w.render()) == (1 if w.meta["days"] >= 7 else 0)
        names = [x[G.LANG_INDEX[lang]] for x in G.L.WEEKDAYS]
        assert names[(w.meta["start"] + w.meta["days"]) % 7] == w.meta["answer"]
        assert w.render().endswith(f"{G.ANSWER_WORD[lang]}: {w.meta['answer']}<|end|>")
        c = G.gen_compare(rng, lang)
        assert _check_steps(c.render()) == 1 and str(c.meta["answer"]) in c.render()


def test_calculator_results_match_their_expressions():
    for i in range(300):
        d = G.gen_calculator(random.Random(f"calc:{i}"), LANGS[i % 3])
        call = next(m for m in d.messages if m.get("tool_calls"))
        args = json.loads(call["tool_calls"][0]["function"]["arguments"])
        result = json.loads(next(m for m in d.messages if m["role"] == "tool")["content"])
        a, op, b, *rest = args["expression"].split()
        v = {"+": int(a) + int(b), "-": int(a) - int(b), "*": int(a) * int(b),
             "/": int(a) / int(b)}[op]
        if rest:                                    # percentage: a * b / 100
            v = v / int(rest[1])
        assert result["result"] == pytest.approx(v, abs=0.006)
        assert str(result["result"]) in d.messages[-1]["content"]


def test_times_and_durations_are_consistent():
    for i in range(200):
        text = G.gen_times(random.Random(f"t:{i}"), LANGS[i % 3]).render()
        for h, m, total in re.findall(r"(\d+) (?:घंटे|hours|ghante) (\d+) (?:मिनट|minutes|minute) = "
                                      r"\1 × 60 \+ \2 = (\d+)", text):
            assert int(h) * 60 + int(m) == int(total)
    en = G.gen_times(random.Random("x"), "en").render()
    for hh, mm, h12, mm2, ap in re.findall(r"(\d\d):(\d\d) on a 24-hour clock is (\d+):(\d\d) (am|pm)", en):
        assert (int(hh) % 12 or 12) == int(h12) and mm == mm2 and (ap == "pm") == (int(hh) >= 12)


def test_dates_name_the_right_weekday():
    months = {m[1]: i + 1 for i, m in enumerate(G.L.MONTHS)}
    days = {w[1]: i for i, w in enumerate(G.L.WEEKDAYS)}
    n = 0
    for i in range(200):
        text = G.gen_dates(random.Random(f"d:{i}"), "en").render()
        for day, month, year, wd in re.findall(r"(\d+) (\w+) (\d{4}) was a (\w+)", text):
            assert dt.date(int(year), months[month], int(day)).weekday() == days[wd]
            n += 1
        for k, d1, m1, wd, d2, m2, y2 in re.findall(
                r"(\d+) days after (\d+) (\w+) is (\w+), (\d+) (\w+) (\d{4})", text):
            end = dt.date(int(y2), months[m2], int(d2))
            assert end.weekday() == days[wd]
            assert (end - dt.timedelta(days=int(k))).day == int(d1)
    assert n > 50


def test_hindi_numbers_and_indian_grouping():
    assert N.hindi_words(0) == "शून्य" and N.hindi_words(99) == "निन्यानवे"
    assert N.hindi_words(45) == "पैंतालीस" and N.hindi_words(79) == "उन्यासी"
    assert N.hindi_words(125000) == "एक लाख पच्चीस हज़ार"
    assert N.hindi_words(30_000_000) == "तीन करोड़"
    assert N.hindi_words(1234567) == "बारह लाख चौंतीस हज़ार पाँच सौ सड़सठ"
    assert N.indian_grouping(12345678) == "1,23,45,678" and N.indian_grouping(999) == "999"
    assert N.indian_grouping(100000) == "1,00,000"
    assert N.english_words(1234567) == \
        "one million two hundred and thirty-four thousand five hundred and sixty-seven"
    assert N.lakh_crore_en(2_500_000) == "25 lakh" and N.lakh_crore_en(30_000_000) == "3 crore"
    assert N.devanagari_digits("2024") == "२०२४"
    assert N.hindi_time(16, 15) == "सवा चार बजे" and N.hindi_time(3, 45) == "पौने चार बजे"
    assert N.hindi_time(13, 30) == "डेढ़ बजे" and N.hindi_time(14, 30) == "ढाई बजे"
    assert N.hindi_time(18, 30) == "साढ़े छह बजे" and N.hindi_time(9, 50) == "दस बजने में दस मिनट"


def test_generators_are_deterministic():
    a = [G.generate(random.Random(f"s:{i}"), "hi").render() for i in range(50)]
    b = [G.generate(random.Random(f"s:{i}"), "hi").render() for i in range(50)]
    c = [G.generate(random.Random(f"t:{i}"), "hi").render() for i in range(50)]
    assert a == b and a != c


# ----------------------------------------------------------------------------- teacher cleaning


def test_teacher_cleaning():
    base = {"i": 0, "job": "gemma-hi", "lang": "hi", "chat": False, "prompt": "आज सुबह",
            "tokens": 50, "finish": "length"}
    ok = T.clean({**base, "text": " मैं <em>बाज़ार</em> गया। वहाँ बहुत भीड़ थी और सब्ज़ियाँ महँगी थीं। फिर मैं"})
    assert ok is not None
    assert ok.text == "आज सुबह मैं बाज़ार गया। वहाँ बहुत भीड़ थी और सब्ज़ियाँ महँगी थीं।"
    loop = " ".join(["वह घर गया और फिर वापस आया।"] * 12)
    assert T.clean({**base, "text": loop}) is None
    assert T.clean({**base, "text": " This drifted into English entirely, as Gemma does."}) is None
    en = {**base, "job": "smollm2-en", "lang": "en", "chat": True, "prompt": "Why is the sky blue?",
          "finish": "stop", "text": "Sunlight scatters off air molecules, and blue scatters most."}
    doc = T.clean(en)
    assert doc.messages[0] == {"role": "user", "content": "Why is the sky blue?"}
    assert T.sample_seed("gemma-hi", 0, 5) == T.sample_seed("gemma-hi", 0, 5) != \
        T.sample_seed("gemma-hi", 0, 6)


# ----------------------------------------------------------------------------- builder


def _build(tmp_path, name, tok, seed=0, budget=20_000, teacher_dir=None):
    # generator-only mixture: no model packs or teacher caches needed
    return B.build(budget, tmp_path / name, seed=seed, tokenizer=tok, val_frac=0.1,
                   shard_tokens=8_000, mixture={}, teacher_dir=teacher_dir)


def _digest(path) -> str:
    h = hashlib.sha256()
    for f in sorted(path.glob("*.bin")):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def test_builder_is_deterministic(tmp_path, tiny_tokenizer):
    m1 = _build(tmp_path, "a", tiny_tokenizer)
    m2 = _build(tmp_path, "b", tiny_tokenizer)
    m3 = _build(tmp_path, "c", tiny_tokenizer, seed=1)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")
    assert m1["train"] == m2["train"] and m1["val"] == m2["val"]
    assert len(m1["train"]) >= 2                             # sharded
    total = m1["train_tokens"] + sum(v["tokens"] for v in m1["val"].values())
    assert 20_000 * 0.97 <= total <= 20_000 * 1.03
    assert set(m1["mixture_used"]) == {"gen.hi", "gen.en", "gen.hinglish"}


def _docs(ids: np.ndarray, bos: int) -> list[tuple[int, ...]]:
    cut = np.flatnonzero(ids == bos).tolist() + [len(ids)]
    return [tuple(ids[a:b].tolist()) for a, b in zip(cut, cut[1:])]


def test_shards_are_readable_and_validation_is_disjoint(tmp_path, tiny_tokenizer):
    m = _build(tmp_path, "a", tiny_tokenizer)
    c = corpus.load(tmp_path / "a")
    assert c.train.dtype == np.uint16 and len(c.train) == m["train_tokens"]
    assert set(c.val) == set(LANGS) and all(len(v) > 100 for v in c.val.values())
    assert c.vocab_size == 1024 and (c.token_bytes[:16] == 0).all()
    assert int(c.train[0]) == tiny_tokenizer.bos_id
    train_docs = set(_docs(np.asarray(c.train), tiny_tokenizer.bos_id))
    for lang, v in c.val.items():
        vd = _docs(np.asarray(v), tiny_tokenizer.bos_id)
        assert vd and not (set(vd) & train_docs), lang
        text = tiny_tokenizer.decode(list(vd[0]))
        assert text.startswith("<|endoftext|>")
    # per-language accounting adds up
    for lang in LANGS:
        assert m["tokens_per_language"][lang]["val"] == len(c.val[lang])


def test_corrupt_shard_is_refused(tmp_path, tiny_tokenizer):
    _build(tmp_path, "a", tiny_tokenizer)
    f = tmp_path / "a" / "train_000.bin"
    data = bytearray(f.read_bytes())
    data[10] ^= 1
    f.write_bytes(bytes(data))
    with pytest.raises(corpus.CorpusError, match="sha256"):
        corpus.load(tmp_path / "a")
    (tmp_path / "a" / "val_hi.bin").unlink()
    with pytest.raises(corpus.CorpusError):
        corpus.load(tmp_path / "a", verify=False)


def test_teacher_samples_enter_the_mixture(tmp_path, tiny_tokenizer):
    tdir = tmp_path / "teacher"
    tdir.mkdir()
    recs = [{"i": i, "job": "gemma-hi", "pack": "gemma3-270m", "lang": "hi", "chat": False,
             "prompt": "आज सुबह", "text": f" मैं {i} बार बाज़ार गया। वहाँ बहुत भीड़ थी, और मौसम अच्छा था।",
             "tokens": 30, "finish": "stop"} for i in range(40)]
    (tdir / "gemma-hi-s0.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    m = B.build(20_000, tmp_path / "c", tokenizer=tiny_tokenizer, teacher_dir=tdir,
                mixture={"teacher.gemma-hi": 0.5}, val_frac=0.1, max_repeat=1)
    used = m["mixture_used"]["teacher.gemma-hi"]
    assert 0 < used < 10_000                                   # all 40 samples, no more
    rows = {r["split"]: r["docs"] for r in m["by_source"] if r["source"] == "teacher.gemma-hi"}
    assert rows["train"] + rows.get("val", 0) == 40 and m["epochs"]["teacher.gemma-hi"] == 1.0
    # allowed 3 epochs: the train documents come three times, validation ones once
    m3 = B.build(20_000, tmp_path / "d", tokenizer=tiny_tokenizer, teacher_dir=tdir,
                 mixture={"teacher.gemma-hi": 0.5}, val_frac=0.1, max_repeat=3)
    rows3 = {r["split"]: r["docs"] for r in m3["by_source"] if r["source"] == "teacher.gemma-hi"}
    assert rows3["train"] == 3 * rows["train"] and rows3.get("val") == rows.get("val")
    assert 2.0 < m3["epochs"]["teacher.gemma-hi"] < 3.0      # tokens used / one full pass
    c = corpus.load(tmp_path / "d")
    train_docs = set(_docs(np.asarray(c.train), tiny_tokenizer.bos_id))
    assert not train_docs & set(_docs(np.asarray(c.val["hi"]), tiny_tokenizer.bos_id))


# ----------------------------------------------------------------------------- with model packs


@pytest.mark.models
def test_real_sources():
    from tests.conftest import model_path
    from training.data import sources as S

    model_path("chatterbot-corpus")
    model_path("wordfreq-hi")
    docs = S.chatterbot_docs()
    langs = {d.lang for d in docs}
    assert langs == set(LANGS) and len(docs) > 1000
    assert all(d.messages and d.messages[0]["role"] == "user" for d in docs)
    words = S.wordfreq_hi()
    assert len(words) > 20_000 and words[0][0] == "के"
    sp = S.gen_spelling(random.Random(0))
    for w, spelled in re.findall(r"'(\S+)' की वर्तनी: (.+)", sp.text):
        assert spelled.replace(" + ", "") == w


@pytest.mark.models
@pytest.mark.slow
def test_teacher_sampling_is_resumable_and_deterministic(tmp_path):
    from tests.conftest import model_path

    gguf = next(model_path("smollm2-135m").glob("*.gguf"))
    kw = dict(seed=3, threads=1, model_path=gguf, log=lambda s: None, max_tokens=24)
    r1 = T.run("smollm2-en", 40, tmp_path / "a", **kw)
    assert r1["samples"] == 2 and r1["new_tokens"] == r1["tokens"] >= 40
    again = T.run("smollm2-en", 40, tmp_path / "a", **kw)
    assert again["new_tokens"] == 0                           # resumed: nothing to do
    more = T.run("smollm2-en", 70, tmp_path / "a", **kw)
    assert more["samples"] == 3                              # continued where it was
    T.run("smollm2-en", 70, tmp_path / "b", **kw)
    a = T.read_cache(T.cache_path(tmp_path / "a", "smollm2-en", 3))
    b = T.read_cache(T.cache_path(tmp_path / "b", "smollm2-en", 3))
    assert [r["text"] for r in a] == [r["text"] for r in b]
    assert len({r["prompt"] for r in a}) >= 2
    # a torn last line (killed mid-write) is dropped and resampled
    p = T.cache_path(tmp_path / "b", "smollm2-en", 3)
    p.write_text(p.read_text(encoding="utf-8")[:-20], encoding="utf-8")
    T.run("smollm2-en", 70, tmp_path / "b", **kw)
    assert [r["text"] for r in T.read_cache(p)] == [r["text"] for r in a]
