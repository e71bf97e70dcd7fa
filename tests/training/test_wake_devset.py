"""The wake development set (training/wakeword/devset.py): held out of training and of the bench
alike, scored the way the bench counts, and a threshold moved into the file exactly."""

from __future__ import annotations

import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from training.wakeword import devset as D  # noqa: E402
from training.wakeword import train as T  # noqa: E402
from vaani.bench import wake as W  # noqa: E402


def test_dev_voices_are_neither_trainings_nor_the_benchs():
    dev = {v.name for v, _ in D.dev_voices()}
    training = {v.name for v, _ in T.train_voices(random.Random(T.SEED))}
    bench = {v.name for v, _ in W.positive_voices()} | {i.voice.name for i in W.negative_items() if i.voice}
    assert dev and not dev & training and not dev & bench
    assert not set(D.DEV_VARIANTS) & (set(T.ESPEAK_VARIANTS) | set(W.ESPEAK_VARIANTS))


def test_dev_text_is_neither_trainings_nor_the_benchs_and_never_the_name():
    en, hi = D.dev_sentences()
    assert len(en) > 100 and len(hi) > 100
    t_en, t_hi = T.negative_sentences()
    b_en, b_hi = W.sentences()
    assert not set(en + hi) & set(t_en + t_hi + b_en + b_hi)
    close_en, close_hi = D.close_phrases()
    for text in en + hi + close_en + close_hi:
        assert not T._is_wake(text), text
    names = {n.lower() for n in D.DEV_NAMES_EN + D.DEV_NAMES_HI}
    assert not names & {n.lower() for n in T.HARD_NAMES_EN + T.HARD_NAMES_HI}
    bench = {w.strip(",.!?").lower() for p in W.CLOSE_EN + W.CLOSE_HI for w in p.split()}
    assert not names & bench
    kinds = {i.kind for i in D.dev_items()[:200]}     # any prefix mixes every kind
    assert kinds == {"speech-en", "speech-hi", "close", "noise", "music"}


def _head_file(tmp_path, seed=0):
    head, _ = T.build_head(8)
    torch.manual_seed(seed)
    for p in head.parameters():
        torch.nn.init.normal_(p, std=0.3)
    path = tmp_path / f"h{seed}.onnx"
    T.export_onnx([head.eval(), head], path)           # an ensemble file: every b3_k moves
    return path


def test_moving_the_threshold_into_the_file_is_exact(tmp_path):
    src = _head_file(tmp_path)
    x = np.random.default_rng(0).standard_normal((4000, 16, 96)).astype(np.float32)
    before = D.Head(src).session.run(None, {"x": x})[0][:, 0]
    t = float(np.quantile(before, 0.7))
    D.move_threshold(src, tmp_path / "moved.onnx", t)
    after = D.Head(tmp_path / "moved.onnx").session.run(None, {"x": x})[0][:, 0]
    margin = np.abs(before - t) > 1e-4                 # away from the boundary: same decisions
    np.testing.assert_array_equal((after >= 0.5)[margin], (before >= t)[margin])
    assert 0.25 < (after >= 0.5).mean() < 0.35


def test_score_counts_false_accepts_and_misses_as_the_bench_does(tmp_path):
    class Fixed:                                       # a head whose scores are the first feature
        def __call__(self, emb):
            return emb[T.WINDOW - 1:, 0].astype(np.float32)

    stream = np.zeros((2 * 750, 96), np.float32)      # two 60 s blocks of embeddings
    stream[100:103, 0] = 0.9                           # one event (3 frames, < 1 s apart)
    stream[900, 0] = 0.6                               # another, in the second block
    pos = np.zeros((3 * 40, 96), np.float32)
    pos[10 + T.WINDOW - 1, 0] = 0.8                     # clip 0: found in its span
    pos[40 + 35 + T.WINDOW - 1, 0] = 0.8                # clip 1: only after its span
    data = {"stream": stream, "stream_lens": np.array([750, 750]), "chunk_s": 60.0,
            "pos": pos, "pos_lens": np.array([40, 40, 40]),
            "pos_spans": np.array([[5, 20], [5, 20], [5, 20]]),
            "timeline": [[0, "speech-en", "v", "a"], [60 * W.RATE, "close", "v", "hey Bernie"]]}
    r = D.score(Fixed(), data, target_fa=0.5)
    assert r["frr_at_0.5"] == pytest.approx(2 / 3, abs=1e-4)
    hours = (2 * (750 - T.WINDOW + 1)) * T.FRAME_S / 3600
    assert r["fa_per_hour_at_0.5"] == pytest.approx(round(2 / hours, 3))
    assert r["false_accepts_by_kind"] == {"close": 1, "speech-en": 1}
    assert r["false_accept_texts"] == 2
    assert r["threshold_at_target"] > 0.9 and r["fa_per_hour_at_target"] == 0
