"""The answer benchmark's questions never reach Chimera's training data."""

import random

import numpy as np
import pytest

from training.data import build as B
from training.data import generators as G
from training.data import heldout as H
from training.data import sources as S
from training.data import teacher as T

QUESTIONS = H.bench_questions()


def test_the_sets_are_loaded_and_normalised():
    held = H.bench_questions(["heldout"])
    cal = H.bench_questions(["calibration"])
    assert len(held) >= 200 and len(cal) >= 120 and len(QUESTIONS) == len(held) + len(cal)
    assert H.normalise("  Kal  kaunsa DIN hoga?! ") == "kal kaunsa din hoga"
    assert H.normalise("कल कौन सा दिन होगा?") == "कल कौन सा दिन होगा"
    assert H.normalise("What's 'ephemeral'…") == "what s ephemeral"
    # disjoint, even after normalising, and no question hides inside another
    norm_held = {H.normalise(q) for q in held}
    norm_cal = {H.normalise(q) for q in cal}
    assert not norm_held & norm_cal
    everything = sorted(norm_held | norm_cal)
    assert len(everything) == len(QUESTIONS)
    for q in everything:
        assert len(q.split()) >= 3
        inside = [x for x in everything if x != q and f" {x} " in f" {q} "]
        assert not inside, (q, inside)


def test_a_document_containing_a_question_is_found_whatever_its_case_and_punctuation():
    h = H.default()
    chat = G.Doc("x", "hi", messages=[
        {"role": "user", "content": "अरे, कल कौन सा   दिन होगा??"},
        {"role": "assistant", "content": "कल शनिवार होगा।"}]).render()
    assert h.find(chat) == "कल कौन सा दिन होगा"
    assert "Q: WHICH star sits at the centre of our Solar System. A: the Sun" in h
    assert "Which star sits at the centre of our solar systems" not in h   # word boundary
    assert "kal kaunsa din tha" not in h                                   # not a question of ours
    assert h.find("What will the date tomorrow be?") is None


def _decoded(out, tok) -> str:
    from training.data import corpus

    c = corpus.load(out)
    parts = [np.asarray(c.train)] + [np.asarray(v) for v in c.val.values()]
    return "".join(tok.decode(p.tolist()) for p in parts)


def test_the_builder_drops_documents_with_a_question(tmp_path, tiny_tokenizer, monkeypatch):
    held = "Which Indian city is known as the Pink City?"
    docs = [G.Doc("real.fake", "en", messages=[
                {"role": "user", "content": f"Quiz time! {held.upper()}"},
                {"role": "assistant", "content": "Jaipur."}]),
            G.Doc("real.fake", "en", text="Jaipur is a city in Rajasthan with pink walls."),
            G.Doc("real.fake", "hi", text="बच्चों ने पूछा: कल कौन सा दिन होगा? माँ ने कहा शनिवार।")]
    monkeypatch.setattr(B, "real_docs", lambda name: docs)
    out = tmp_path / "c"
    m = B.build(6_000, out, tokenizer=tiny_tokenizer, mixture={"real.fake": 0.5}, val_frac=0.1,
                max_repeat=3)
    assert m["heldout_dropped"] == {"real.fake": 2}
    text = _decoded(out, tiny_tokenizer)
    assert "pink walls" in text                                 # the innocent document stays
    assert "Pink City" not in text.replace("pink walls", "") and "Quiz time" not in text
    assert "माँ ने कहा" not in text
    # the tokenizer's training text (and its held-out text) skip it too
    for want_val in (False, True):
        groups, _ = B._split_docs(0, tmp_path / "no-teacher", 30, want_val)
        every = " ".join(" ".join(v) for v in groups.values())
        assert "Quiz time" not in every and "माँ ने कहा" not in every
        if not want_val:
            assert "pink walls" in every


def test_generated_documents_contain_no_question():
    """20,000 generated documents per language (the corpus's own streams, seed 0 and 1)."""
    h = H.default()
    seen = 0
    for lang in B.LANGS:
        for seed, n in ((0, 15_000), (1, 5_000)):
            it = B.generated_docs(seed, lang)
            for _ in range(n):
                text = next(it).render()
                q = h.find(text)
                assert q is None, (q, text[:300])
                seen += 1
    assert seen == 60_000


@pytest.mark.models
def test_real_and_teacher_sources_contain_no_question():
    from tests.conftest import model_path

    model_path("chatterbot-corpus")
    model_path("wordfreq-hi")
    h = H.default()
    docs = S.chatterbot_docs() + S.pocketsphinx_docs()
    docs += [S.gen_spelling(random.Random(f"spell:0:{i}")) for i in range(2_000)]
    for job in ("gemma-hi", "gemma-en", "smollm2-en"):       # teacher caches, where built
        docs += list(B.teacher_docs(job, teacher_dir=T.default_out()))
    assert len(docs) > 3_000
    for d in docs:
        text = d.render()
        q = h.find(text)
        assert q is None, (q, d.source, text[:300])


def test_alignment_stages_contain_no_question():
    """SFT chats, DPO pairs (prompt, chosen and rejected) and GRPO tasks of
    training.data.assistant, 1,500 of each (500 per language), the way the trainers draw
    them: none contains a benchmark question, though the templates do draw some (a draw that
    does is drawn again)."""
    from training.data import assistant as A

    h = H.default()
    before = A._HELDOUT_REDRAWS[0]
    for stage, make in A.STAGES.items():
        for i in range(1_500):
            ex = make(random.Random(f"0:{stage}:{i}"), A.LANGS[i % 3])
            q = h.find(A.example_text(ex))
            assert q is None, (stage, q)
    assert A._HELDOUT_REDRAWS[0] - before >= 1          # the filter had work to do


def test_a_stage_draw_with_a_question_is_drawn_again(monkeypatch, tmp_path):
    from training.data import assistant as A

    held = "Which Indian city is known as the Pink City?"
    real, calls = A._sft, []

    def planted(rng, lang):
        calls.append(lang)
        if len(calls) == 1:
            return G.Doc("align.sft", lang, messages=[
                {"role": "user", "content": held}, {"role": "assistant", "content": "Jaipur."}])
        return real(rng, lang)

    monkeypatch.setattr(A, "_sft", planted)
    d = A.sft_doc(random.Random(0), "en")
    assert len(calls) == 2 and "Pink City" not in d.render()
    # the JSONL builder checks every example again
    calls.clear()
    A.build("sft", 3, tmp_path)
    assert "Pink City" not in (tmp_path / "sft-train.jsonl").read_text() + \
        "".join((tmp_path / f"sft-val_{lg}.jsonl").read_text() for lg in A.LANGS)
