"""End-to-end latency of spoken questions, fast path (a plugin answers) and LLM path.

Hindi and English questions are synthesised with known end-of-speech times, fed in real
time through the real pipeline on the configured (default) models, warm, and timed exactly
as architecture.md defines E2E: the time the first non-silent reply sample would leave the
speaker (written to the sink + ``audio.output_latency_ms`` of output buffer) minus the true
end of the user's speech. p50/p90 are reported per path with a per-stage
breakdown; with ``--baseline`` the same questions also run with speculation off (ASR only
after the end of turn, LLM only after the plugins) and the ratio of the medians is reported.

Targets on a 2-core CPU: fast path p50 <= 500 ms, LLM path p50 <= 800 ms.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vaani.audio import RATE, ArraySource, NullSink, to_pipeline

log = logging.getLogger(__name__)

TARGETS_MS = {"fast": 500.0, "llm": 800.0}
LEAD_S, TAIL_S = 0.6, 2.0


@dataclass(frozen=True)
class Question:
    language: str
    path: str            # the path we expect: fast | llm
    text: str


QUESTIONS = (
    Question("en", "fast", "What time is it?"),
    Question("en", "fast", "What is twenty five times four?"),
    Question("en", "fast", "What day is it today?"),
    Question("hi", "fast", "क्या समय हुआ है?"),
    Question("hi", "fast", "पच्चीस गुणा चार कितना होता है?"),
    Question("hi", "fast", "आज कौन सा दिन है?"),
    Question("en", "llm", "Tell me a fun fact about the moon."),
    Question("en", "llm", "Why is the sky blue?"),
    Question("en", "llm", "Give me one tip for better sleep."),
    Question("hi", "llm", "मुझे चाँद के बारे में कुछ बताओ।"),
    Question("hi", "llm", "आसमान नीला क्यों होता है?"),
    Question("hi", "llm", "अच्छी नींद के लिए एक सलाह दो।"),
)


@dataclass
class Spoken:
    question: Question
    audio: np.ndarray    # 16 kHz mono
    start: float         # true start / end of speech in ``audio`` (s)
    end: float
    voice: str


@dataclass
class Sample:
    language: str
    expected: str
    path: str            # fast | llm | none (what actually answered)
    text: str
    transcript: str
    reply: str
    source: str
    outcome: str
    mode: str            # speculative | baseline
    e2e_ms: float | None
    vad_lag_ms: float | None
    stages: dict[str, float] = field(default_factory=dict)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="write the JSON report here")
    p.add_argument("--repeat", type=int, default=2, help="runs per question (after a warm-up)")
    p.add_argument("--languages", default="en,hi", help="comma-separated (default en,hi)")
    p.add_argument("--paths", default="fast,llm", help="comma-separated (default fast,llm)")
    p.add_argument("--auto-language", action="store_true",
                   help="keep assistant.language as configured (else: the question's language, "
                   "as a user who set it would have)")
    p.add_argument("--baseline", action="store_true",
                   help="also run with speculation off and report the ratio")
    p.add_argument("--hangover-ms", type=int, help="override vad.hangover_ms")
    p.add_argument("--limit", type=int, default=0, help="at most this many questions per group")


# -- fixtures -----------------------------------------------------------------------------

def _speech_bounds(audio: np.ndarray, level_db: float = -40.0) -> tuple[float, float]:
    """True start/end of speech: first and last 10 ms frame within 40 dB of the peak."""
    frame = RATE // 100
    n = len(audio) // frame
    if n == 0:
        return 0.0, 0.0
    rms = np.sqrt(np.mean(np.square(audio[: n * frame].reshape(n, frame)), axis=1))
    loud = np.flatnonzero(rms > rms.max() * 10 ** (level_db / 20))
    return float(loud[0] * frame / RATE), float((loud[-1] + 1) * frame / RATE)


def synthesize(question: Question, assistant: Any) -> Spoken:
    """The question as speech: vaani.speech_fixtures if present, else the assistant's own voice."""
    try:
        from vaani.speech_fixtures import synthesize_utterance
    except ImportError:
        pass
    else:
        u = synthesize_utterance(question.text, question.language, None, lead_s=0.0,
                                 tail_s=0.0, models=assistant.models)
        audio = to_pipeline(np.asarray(u.audio), getattr(u, "sample_rate", RATE))
        return Spoken(question, audio, float(u.start), float(u.end), getattr(u, "voice", ""))
    engine = assistant.engines.tts.get(question.language)
    chunks = list(engine.process(question.text, question.language))
    audio = to_pipeline(np.concatenate(chunks), engine.sample_rate)
    start, end = _speech_bounds(audio)
    return Spoken(question, audio, start, end, f"tts:{question.language}")


# -- running ------------------------------------------------------------------------------

def run_one(assistant: Any, spoken: Spoken, mode: str) -> Sample:
    pipeline = assistant.pipeline
    pipeline.reset()
    audio = np.concatenate([np.zeros(int(LEAD_S * RATE), np.float32), spoken.audio,
                            np.zeros(int(TAIL_S * RATE), np.float32)])
    source = ArraySource(audio, realtime=True, name=spoken.question.text)
    base_at = pipeline.stream_time
    turns = pipeline.run(source, max_turns=1)
    q = spoken.question
    if not turns:
        return Sample(q.language, q.path, "none", q.text, "", "", "", "no_speech", mode,
                      None, None)
    t = turns[0]
    true_end_at = LEAD_S + spoken.end
    e2e = vad_lag = None
    if t.first_sound_t is not None and source.t0 is not None:
        e2e = (t.first_sound_t - (source.t0 + true_end_at)) * 1000
    if t.speech_end_at is not None:
        vad_lag = (t.speech_end_at - base_at - true_end_at) * 1000
    path = "fast" if t.source.startswith("plugin:") else ("llm" if t.source == "llm" else "none")
    stages = {k: v for k, v in t.timings.items() if k != "asr_reused"}
    stages["asr_reused"] = t.timings.get("asr_reused", 0.0)
    return Sample(q.language, q.path, path, q.text, t.transcript, t.reply, t.source, t.outcome,
                  mode, e2e, vad_lag, stages)


def percentile(values: list[float], p: float) -> float | None:
    return float(np.percentile(values, p)) if values else None


def summarize(samples: list[Sample]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode in sorted({s.mode for s in samples}):
        for path in ("fast", "llm"):
            group = [s for s in samples if s.mode == mode and s.path == path and s.e2e_ms is not None]
            e2e = [s.e2e_ms for s in group if s.e2e_ms is not None]     # all of them
            stages: dict[str, float] = {}
            keys = sorted({k for s in group for k in s.stages})
            for k in keys:
                vals = [s.stages[k] for s in group if k in s.stages]
                stages[k] = round(float(np.median(vals)), 1)
            lags = [s.vad_lag_ms for s in group if s.vad_lag_ms is not None]
            if lags:
                stages["vad_lag"] = round(float(np.median(lags)), 1)
            by_lang = {lang: {"n": len(v), "p50": percentile(v, 50), "p90": percentile(v, 90)}
                       for lang in ("en", "hi")
                       if (v := [s.e2e_ms for s in group
                                 if s.language == lang and s.e2e_ms is not None])}
            p50 = percentile(e2e, 50)                                 # None: no samples
            out[f"{mode}/{path}"] = {
                "n": len(group), "p50": p50, "p90": percentile(e2e, 90),
                "target_p50": TARGETS_MS[path],
                "meets_target": p50 is not None and p50 <= TARGETS_MS[path],
                "by_language": by_lang, "stage_medians_ms": stages,
            }
    for mode in sorted({s.mode for s in samples}):
        group = [s for s in samples if s.mode == mode]
        out[f"{mode}/routing"] = {
            lang: {"questions": len(g), "misrouted": sum(s.path != s.expected for s in g),
                   "unanswered": sum(s.path == "none" for s in g)}
            for lang in ("en", "hi") if (g := [s for s in group if s.language == lang])}
    if "baseline/fast" in out and "speculative/fast" in out:
        for path in ("fast", "llm"):
            a, b = out[f"baseline/{path}"]["p50"], out[f"speculative/{path}"]["p50"]
            if a and b:
                out[f"ratio_baseline_over_speculative/{path}"] = round(a / b, 2)
    return out


def run(args: argparse.Namespace) -> int:
    from vaani.assistant import Assistant, load_config

    languages = [x.strip() for x in args.languages.split(",") if x.strip()]
    paths = {x.strip() for x in args.paths.split(",") if x.strip()}
    modes = ["speculative"] + (["baseline"] if args.baseline else [])
    samples: list[Sample] = []
    info: dict[str, Any] = {}
    started = time.time()
    for lang in languages:
        questions = [q for q in QUESTIONS if q.language == lang and q.path in paths]
        if args.limit:
            by_path: dict[str, list[Question]] = {}
            for q in questions:
                by_path.setdefault(q.path, []).append(q)
            questions = [q for qs in by_path.values() for q in qs[: args.limit]]
        if not questions:
            continue
        for mode in modes:
            config = load_config(args)
            if not args.auto_language:
                config.assistant.language = lang
            if args.hangover_ms:
                config.vad.hangover_ms = args.hangover_ms
            config.assistant.follow_up_s = 0.0
            config.trace.enabled = False
            if mode == "baseline":
                config.asr.speculative = False
            sink = NullSink()        # a speaker's output buffer, without needing a speaker:
            sink.latency_s = config.audio.output_latency_ms / 1000
            from vaani.offline import block_network

            with block_network(), Assistant(config, sink=sink, needs=("vad", "asr", "llm", "tts"),
                                            require_wake_word=False) as assistant:
                from vaani.assistant import asr_model

                info[f"{lang}/{mode}"] = {"asr_model": asr_model(config),
                                          "language": config.assistant.language,
                                          "warmup_ms": {k: round(v) for k, v in
                                                        assistant.warmup_ms.items()}}
                spoken = [synthesize(q, assistant) for q in questions]
                # warm the whole path once per kind of answer (not counted)
                for s in {s.question.path: s for s in spoken}.values():
                    run_one(assistant, s, mode)
                for rep in range(args.repeat):
                    for s in spoken:
                        sample = run_one(assistant, s, mode)
                        samples.append(sample)
                        _print_sample(sample)
    summary = summarize(samples)
    report = {
        "bench": "latency", "definition": "first non-silent output sample (incl. the "
        "audio.output_latency_ms output buffer) - true end of speech",
        "targets_ms": TARGETS_MS, "summary": summary, "setup": info,
        "machine": {"cpus": os.cpu_count(), "load_avg": _loadavg(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "duration_s": round(time.time() - started, 1),
        "samples": [asdict(s) for s in samples],
    }
    _print_summary(summary)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(f"\nreport: {args.out}")
    return 0


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _print_sample(s: Sample) -> None:
    e2e = f"{s.e2e_ms:6.0f}" if s.e2e_ms is not None else "     -"
    flag = "" if s.path == s.expected else f"  (expected {s.expected})"
    print(f"{s.mode[:4]} {s.language} {s.path:4} e2e {e2e} ms  heard {s.transcript!r} -> "
          f"{s.source or s.outcome}{flag}", flush=True)


def _print_summary(summary: dict[str, Any]) -> None:
    cols = ("vad_lag", "endpoint", "asr", "asr_wait", "plugin", "llm_first_clause",
            "tts_first_audio", "response")
    print(f"\n{'mode/path':18} {'n':>3} {'p50':>6} {'p90':>6} {'target':>6}  "
          + " ".join(f"{c[:10]:>10}" for c in cols))
    for key, row in summary.items():
        if not isinstance(row, dict) or "p50" not in row:
            continue
        p50 = f"{row['p50']:.0f}" if row["p50"] is not None else "-"
        p90 = f"{row['p90']:.0f}" if row["p90"] is not None else "-"
        ok = "ok" if row["meets_target"] else "MISS"
        st = row["stage_medians_ms"]
        print(f"{key:18} {row['n']:>3} {p50:>6} {p90:>6} {row['target_p50']:>6.0f} {ok:>4} "
              + " ".join(f"{st[c]:>10.0f}" if c in st else f"{'-':>10}" for c in cols))
    for key, value in summary.items():
        if key.startswith("ratio"):
            print(f"{key}: {value}")
        elif key.endswith("/routing"):
            for lang, r in value.items():
                if r["misrouted"]:
                    print(f"{key} {lang}: {r['misrouted']}/{r['questions']} questions took "
                          f"the other path ({r['unanswered']} unanswered): see the transcripts")
