"""`vaani bench wake`: its counting and signal helpers (no models), and a run end to end on a
few seconds of negatives (real engines, real generated speech)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vaani import cli
from vaani.bench import wake


def test_events_follow_the_wake_gate_refractory():
    frame_s = 0.03                                     # microWakeWord frames
    s = np.zeros(200, np.float32)
    s[[10, 11, 12]] = 0.9                              # one utterance: one event
    s[10 + 33] = 0.9                                   # 0.99 s later: still quiet
    s[10 + 34] = 0.9                                   # 1.02 s later: a second one
    assert wake.count_events(s, 0.5, frame_s) == 2
    assert wake.count_events(s, 0.95, frame_s) == 0
    assert wake.count_events(np.zeros(0, np.float32), 0.5, frame_s) == 0


def test_false_accepts_are_traced_to_what_was_playing():
    frame = 1280                                       # openWakeWord: 80 ms
    timeline = [(0, wake.Item("noise", seconds=3.0)),
                (3 * 16000, wake.Item("close", wake.Voice("espeak", "en-us"), "rani", "en")),
                (4 * 16000, wake.Item("speech-hi", wake.Voice("espeak", "hi"), "यह रानी है।", "hi"))]
    s = np.zeros(100, np.float32)
    s[50] = 0.8                  # ends at 4.08 s: 0.3 s earlier "rani" was playing
    s[51] = 0.9                  # same event (refractory)
    s[80] = 0.7                  # 6.48 s: the Hindi sentence
    got = wake.false_accept_sources(s, 0.5, frame, timeline)
    assert got["false_accepts_by_kind"] == {"close": 1, "speech-hi": 1}
    first, second = got["false_accept_examples"]
    assert (first["text"], first["voice"], first["at_s"], first["score"]) == ("rani", "espeak:en-us", 4.08, 0.8)
    assert second["kind"] == "speech-hi" and second["text"] == "यह रानी है।"
    assert got["false_accept_texts"] == 2
    assert wake.false_accept_sources(s, 0.95, frame, timeline)["false_accepts_by_kind"] == {}
    assert wake.false_accept_sources(s, 0.5, frame, [])["false_accepts_by_kind"] == {"?": 2}
    # the same phrase heard again later is one text however often it fires
    again = timeline + [(7 * 16000, wake.Item("close", wake.Voice("espeak", "en-gb"), "rani", "en"))]
    s[95] = 0.9                                        # 7.68 s: "rani" again
    got = wake.false_accept_sources(s, 0.5, frame, again)
    assert got["false_accept_texts"] == 2 and got["false_accepts_top_texts"] == {"rani": 2, "यह रानी है।": 1}


def test_intervals_say_how_far_apart_two_systems_are_measured():
    # exact Poisson (Garwood) limits, as in the tables
    assert wake.poisson_interval(0) == pytest.approx((0.0, 3.689), abs=1e-3)
    assert wake.poisson_interval(13) == pytest.approx((6.922, 22.230), abs=1e-3)
    assert wake.poisson_interval(100) == pytest.approx((81.364, 121.627), abs=1e-3)
    assert wake.poisson_interval(1000) == pytest.approx((938.97, 1063.95), rel=1e-4)   # approximated
    assert wake.poisson_interval(500)[1] == pytest.approx(wake.poisson_interval(501)[1], rel=3e-3)
    lo, hi = wake.wilson_interval(73, 432)
    assert lo < 73 / 432 < hi and (lo, hi) == pytest.approx((0.1366, 0.2072), abs=1e-4)
    assert wake.wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wake.wilson_interval(0, 0) == (0.0, 1.0)
    # 13 and 19 false accepts in 5 h overlap: not a measured difference; 2 and 40 do not
    a, b = wake.poisson_interval(13), wake.poisson_interval(19)
    assert a[1] > b[0]
    assert wake.poisson_interval(2)[1] < wake.poisson_interval(40)[0]


def test_two_systems_on_the_same_clips_are_compared_pair_by_pair():
    def rows(scores):
        return [{"voice": f"v{i}", "text": "hey", "augment": "clean", "max_score": x}
                for i, x in enumerate(scores)]

    a = rows([0.9, 0.9, 0.2, 0.1, 0.9, 0.9])        # misses v2, v3
    b = rows([0.9, 0.1, 0.1, 0.1, 0.2, 0.3])        # misses v1-v5
    got = wake.paired(a, [10.0, 50.0], b, [10.5, 30.0, 80.0], 0.5)
    assert (got["positives"], got["missed_by_a_only"], got["missed_by_b_only"]) == (6, 0, 3)
    assert got["frr_p"] == pytest.approx(0.25)       # 3 of 3 discordant one way: 2 / 2**3
    assert (got["false_accepts_both"], got["false_accepts_a_only"],
            got["false_accepts_b_only"]) == (1, 1, 2)
    assert wake.sign_test_p(0, 20) == pytest.approx(2 / 2 ** 20)
    assert wake.sign_test_p(5, 10) == 1.0 and wake.sign_test_p(0, 0) == 1.0


def test_signal_helpers():
    rng = np.random.default_rng(0)
    for color in ("white", "pink", "brown"):
        n = wake.colored_noise(16000, color, rng)
        assert len(n) == 16000 and wake.rms(n) == pytest.approx(1.0, rel=1e-3)
    tone = np.sin(np.arange(16000) / 16000 * 2 * np.pi * 440).astype(np.float32) * 0.5
    assert len(wake.speed(tone, 1.1)) == pytest.approx(16000 / 1.1, abs=2)
    assert np.abs(wake.reverb(tone, rng)).max() == pytest.approx(0.5, rel=1e-3)
    noisy = wake.with_noise(tone, 10, "white", rng)
    snr = 20 * np.log10(wake.rms(tone) / wake.rms(noisy - tone))
    assert snr == pytest.approx(10, abs=0.5)
    assert wake.augment(tone, "gain-18", rng).max() == pytest.approx(0.5 * wake.db(-18), rel=1e-3)
    m = wake.music(2.0, rng)
    assert len(m) == 32000 and 0.4 < np.abs(m).max() <= 0.5


def test_negatives_never_say_a_wake_phrase():
    items = wake.negative_items()
    kinds = {i.kind for i in items[:40]}
    assert {"speech-en", "speech-hi", "close", "noise", "music"} <= kinds   # mixed early
    for item in items:
        low = item.text.lower()
        assert not any(p[0] in low for p in wake.PHRASES.values()), item.text
        assert not any(p[2] in item.text for p in wake.PHRASES.values()), item.text
        # VAANI's own name in any spelling is a positive for the trained model
        assert not any(w in low for w in ("vaani", "vani", "वाणी", "वानी")), item.text
    close = {i.text for i in items if i.kind == "close"}
    assert {"pani", "rani", "paani", "wahan", "jarvis", "service", "पानी", "पाणी"} <= close


@pytest.mark.models
@pytest.mark.slow
def test_bench_runs_end_to_end(tmp_path, capsys):
    from tests.conftest import model_path

    for pack in ("mww-hey-jarvis", "oww-features", "wake-hey-jarvis", "piper-en-joe"):
        model_path(pack)
    out = tmp_path / "wake.json"
    code = cli.main(["bench", "wake", "--hours", "0.002", "--max-positives", "6",
                     "--cache", str(tmp_path / "cache"), "--out", str(out),
                     "--system", "microwakeword:mww-hey-jarvis",
                     "--system", "openwakeword:wake-hey-jarvis"])
    assert code == 0
    report = json.loads(out.read_text())
    assert report["negatives"]["hours"] == pytest.approx(0.002, abs=1e-4)
    assert set(report["systems"]) == {"microwakeword:mww-hey-jarvis",
                                      "openwakeword:wake-hey-jarvis"}
    for r in report["systems"].values():
        assert r["positives"] == 6 and 0 <= r["frr"] <= 1 and r["false_accepts"] >= 0
        assert r["cpu_ms_per_80ms"] > 0 and 0 < r["idle_cpu_pct"] < 100
        assert len(r["det"]) == len(wake.THRESHOLDS)
        assert sum(r["false_accepts_by_kind"].values()) == r["false_accepts"]
        lo, hi = r["frr_ci95"]
        assert lo <= r["frr"] <= hi and hi - lo > 0.1          # 6 positives resolve little
        lo, hi = r["fa_per_hour_ci95"]
        assert lo <= r["fa_per_hour"] <= hi
        assert len(r["false_accept_examples"]) == min(25, r["false_accepts"])
    assert report["systems"]["microwakeword:mww-hey-jarvis"]["licence"] == "Apache-2.0"
    (pair,) = report["paired"]                        # both say "hey jarvis": paired
    assert pair["positives"] == 6 and 0 <= pair["frr_p"] <= 1
    assert pair["false_accepts_both"] + pair["false_accepts_a_only"] == \
        report["systems"][pair["a"]]["false_accepts"]
    png = out.with_suffix(".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000
    assert "FRR" in capsys.readouterr().out


def test_plain_png_without_matplotlib(tmp_path):
    curves = {"a": ([(0.1, 50.0), (1.0, 20.0), (10.0, 5.0)], (1.0, 20.0))}
    path = wake._det_png_plain(curves, tmp_path / "det.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
