"""The latency bench's measurement and statistics, on fake engines in real time."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from vaani import cli
from vaani.audio import NullSink
from vaani.bench import latency
from vaani.testing import FakeAsr, FakeLlm, FakeTts, Script, ScriptedSkill, rig


def spoken(text, path, language="en"):
    s = Script().say(text, 0.8)
    return s, latency.Spoken(latency.Question(language, path, text), s.audio, 0.0, 0.8, "fake")


def test_run_one_measures_e2e_from_the_true_end_of_speech():
    s_fast, fast = spoken("what time is it", "fast")
    sink = NullSink()
    sink.latency_s = 0.04
    r = rig(s_fast, plugins=(ScriptedSkill({"what time": "Ten."}),), sink=sink,
            asr=FakeAsr(s_fast.vocabulary, latency_s=0.03), tts=FakeTts(first_audio_s=0.05))
    assistant = SimpleNamespace(pipeline=r.pipeline)
    a = latency.run_one(assistant, fast, "speculative")
    b = latency.run_one(assistant, fast, "speculative")        # the stream time goes on
    for sample in (a, b):
        assert sample.path == "fast" and sample.transcript == "what time is it"
        # hangover 250 ms + TTS 50 ms + 40 ms buffer, plus scheduling slack
        assert 320 < sample.e2e_ms < 700
        assert abs(sample.vad_lag_ms) < 40
        assert sample.stages["asr_reused"] == 1.0


def test_run_one_llm_path_and_silence():
    s, q = spoken("tell me a story", "llm")
    r = rig(s, llm=FakeLlm("Once upon a time. The end.", first_token_s=0.05),
            asr=FakeAsr(s.vocabulary, latency_s=0.03))
    sample = latency.run_one(SimpleNamespace(pipeline=r.pipeline), q, "speculative")
    assert sample.path == "llm" and sample.e2e_ms > 250
    silent = latency.Spoken(q.question, np.zeros(8000, np.float32), 0.0, 0.0, "none")
    assert latency.run_one(SimpleNamespace(pipeline=r.pipeline), silent, "x").path == "none"


def test_summary_percentiles_targets_and_ratio():
    def sample(path, mode, e2e, lang="en"):
        return latency.Sample(lang, path, path, "q", "q", "a", "s", "answered", mode, e2e, 10.0,
                              {"asr": 100.0, "endpoint": 250.0})
    samples = ([sample("fast", "speculative", v) for v in (300, 400, 500, 600)]
               + [sample("fast", "baseline", v) for v in (800, 900)]
               + [sample("llm", "speculative", v, "hi") for v in (700, 1000)]
               + [sample("llm", "baseline", 1000)])
    out = latency.summarize(samples)
    fast = out["speculative/fast"]
    assert fast["p50"] == 450 and fast["p90"] == pytest.approx(570)
    assert fast["meets_target"] and fast["stage_medians_ms"]["asr"] == 100
    assert not out["speculative/llm"]["meets_target"]
    assert out["speculative/llm"]["by_language"]["hi"]["n"] == 2
    assert out["ratio_baseline_over_speculative/fast"] == round(850 / 450, 2)
    json.dumps(out)                                          # the report is JSON


def test_speech_bounds_of_synthetic_audio():
    audio = np.concatenate([np.zeros(8000), Script().say("x", 1.0).audio, np.zeros(4000)])
    start, end = latency._speech_bounds(audio.astype(np.float32))
    assert abs(start - 0.5) < 0.02 and abs(end - 1.5) < 0.02


def test_bench_command_lists_latency(capsys):
    with pytest.raises(SystemExit):
        cli.main(["bench", "latency", "--help"])
    assert "--baseline" in capsys.readouterr().out


def test_asr_window_fits_the_clip_within_whisper_limits():
    from vaani.bench.asr_window import window_frames
    assert window_frames(150, 10.0) == 1000          # 1.5 s clip -> the 10 s minimum
    assert window_frames(1500, 10.0) == 1600         # 15 s clip -> clip + 1 s
    assert window_frames(2990, 10.0) == 3000         # never past Whisper's 30 s


def test_summary_counts_questions_that_took_the_other_path():
    s = latency.Sample("hi", "fast", "llm", "q", "garbled", "a", "llm", "answered",
                       "speculative", 900.0, 0.0, {})
    out = latency.summarize([s])
    assert out["speculative/routing"]["hi"] == {"questions": 1, "misrouted": 1, "unanswered": 0}
