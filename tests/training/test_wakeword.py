"""The wake word recipe (training/wakeword/train.py): the held-out split, the windows, the ONNX
head the openwakeword engine loads."""

from __future__ import annotations

import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")

from training.wakeword import train as T  # noqa: E402
from vaani.bench import wake as W  # noqa: E402


def test_bench_voices_are_held_out_of_training():
    training = {v for v, _ in T.train_voices(random.Random(T.SEED))}
    bench = {v for v, _ in W.positive_voices()}
    shared = {v for v in training & bench}
    assert not shared
    # the bench's espeak variants and festival voices never train
    for v in training:
        if v.engine == "espeak":
            variant = v.name.partition("+")[2]
            assert variant and "+" + variant not in W.ESPEAK_VARIANTS[1:]
        assert v.label not in T.HELD_OUT[:2]
        assert v not in (W.FESTIVAL_HI, W.FESTIVAL_EN)


def test_training_negatives_never_say_the_name_nor_the_benchs_text():
    en, hi = T.negative_sentences(200)
    assert len(en) > 50 and len(hi) > 50
    assert not [s for s in en + hi if T._is_wake(s)]
    bench_en, bench_hi = W.sentences()
    assert not set(en + hi) & set(bench_en + bench_hi)
    for word in T.CLOSE_EN + T.CLOSE_HI:
        assert not T._is_wake(word)


def test_hard_negatives_are_greetings_with_names_the_bench_does_not_say():
    voices = T.train_voices(random.Random(T.SEED))
    items = T.hard_items(voices)
    assert len(items) == 4 * (len(T.HARD_NAMES_EN) + len(T.HARD_NAMES_HI))
    assert 0.08 < sum(held for _, held in items) / len(items) < 0.2
    # a held-back name is never trained on under any greeting
    held_names = {i.text.split()[-1] for i, h in items if h}
    assert not held_names & {i.text.split()[-1] for i, h in items if not h}
    bench_words = {w.strip(",.!?").lower() for p in W.CLOSE_EN + W.CLOSE_HI for w in p.split()}
    shared = bench_words - {"hey", "okay", "pani", "rani", "jaani", "पानी", "रानी", "जानी", "ओके", "हे"}
    for item, _ in items:
        assert not T._is_wake(item.text)
        assert item.voice is not None and item.voice.label not in T.HELD_OUT[:2]
        assert not {w.lower() for w in item.text.split()} & shared, item.text
        assert item.text not in W.CLOSE_EN + W.CLOSE_HI


def test_windows_and_their_end_times():
    emb = np.arange(20 * 96, dtype=np.float32).reshape(20, 96)
    w = T.windows(emb)
    assert w.shape == (5, 16, 96)
    np.testing.assert_array_equal(w[3], emb[3:19])
    assert T.windows(emb[:10]).shape == (0, 16, 96)
    # embedding j spans mel frames [8j, 8j + 76) of 10 ms: it ends a little after 0.76 + 0.08 j s
    assert T.Features.end_s(0) == pytest.approx(0.79)
    assert T.Features.end_s(10) - T.Features.end_s(9) == pytest.approx(0.08)


def test_exported_head_matches_torch_and_loads_in_openwakeword(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    head, _ = T.build_head(8)
    torch.manual_seed(0)
    for p in head.parameters():                       # not the init: LayerNorm's affine too
        torch.nn.init.normal_(p, std=0.3)
    head.eval()
    path = tmp_path / "vaani.onnx"
    T.export_onnx(head, path)
    x = np.random.default_rng(0).standard_normal((5, 16, 96)).astype(np.float32)
    with torch.no_grad():
        want = torch.sigmoid(head(torch.from_numpy(x))).numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    assert got.shape == (5, 1)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert sess.get_inputs()[0].shape[1:] == [16, 96]


def test_an_ensemble_exports_as_one_file_scoring_the_mean_logit(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    heads = []
    for seed in range(3):
        head, _ = T.build_head(8)
        torch.manual_seed(seed)
        for p in head.parameters():
            torch.nn.init.normal_(p, std=0.3)
        heads.append(head.eval())
    path = tmp_path / "vaani.onnx"
    T.export_onnx(heads, path)
    x = np.random.default_rng(1).standard_normal((7, 16, 96)).astype(np.float32)
    with torch.no_grad():
        logits = torch.stack([h(torch.from_numpy(x)) for h in heads])
        want = torch.sigmoid(logits.mean(0)).numpy()
        single = torch.sigmoid(logits[0]).numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    assert got.shape == (7, 1)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert not np.allclose(got, single, atol=1e-3)     # the heads differ: the mean is not one head


def test_positive_example_places_the_word_after_the_lead():
    rng = np.random.default_rng(0)
    clean = (0.3 * np.sin(np.arange(8000) / 5)).astype(np.float32)
    audio, a, b = T.positive_example(clean, rng, [])
    assert a == T.LEAD_S and b > a
    assert len(audio) >= (b + 0.3) * T.RATE - 1
    assert np.abs(audio[: int(a * T.RATE) - 10]).max() < np.abs(audio[int(a * T.RATE):int(b * T.RATE)]).max()


def test_training_babble_is_made_of_training_voices_and_is_reproducible(tmp_path):
    voices = [(v, lang) for v, lang in T.train_voices(random.Random(T.SEED)) if v.engine == "espeak"]
    babble = T.Babble(voices, W.Synth(tmp_path))
    x = babble(3.0, 0.1, seed=1)
    assert x.shape == (3 * T.RATE,) and x.dtype == np.float32
    assert 0.03 < W.rms(x) < 0.3                      # about the level asked, speech varies
    np.testing.assert_array_equal(x, babble(3.0, 0.1, seed=1))
    assert not np.allclose(x, babble(3.0, 0.1, seed=2))
    # eight talkers at once: no long pauses, unlike one voice
    frames = x[: len(x) // 400 * 400].reshape(-1, 400)
    assert (np.sqrt((frames ** 2).mean(1)) > 0.01).mean() > 0.9


def test_positive_examples_are_often_heard_through_babble():
    calls = []

    def babble(seconds, level=1.0, seed=0):
        calls.append(seconds)
        return np.random.default_rng(seed).standard_normal(round(seconds * T.RATE)).astype(np.float32)

    clean = (0.3 * np.sin(np.arange(8000) / 5)).astype(np.float32)
    rng = np.random.default_rng(0)
    for _ in range(40):
        T.positive_example(clean, rng, [], babble)
    assert 6 <= len(calls) <= 22                       # 0.75 x 0.4 of examples, about 12



def test_more_positive_voices_keep_the_split_and_the_default_is_the_shipped_set():
    default = T.train_voices(random.Random(T.SEED))
    assert T.train_voices(random.Random(T.SEED), 7, 6) == default
    wide = T.train_voices(random.Random(T.SEED), 20, 15)
    assert len(wide) == len(default) + 8 * 13 + 3 * 9
    bench = {v for v, _ in W.positive_voices()}
    for v, _ in wide:
        assert v not in bench
        if v.engine == "espeak":
            assert "+" + v.name.partition("+")[2] in T.ESPEAK_VARIANTS
