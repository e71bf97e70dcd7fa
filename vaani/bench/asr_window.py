"""Whisper encoder window: the full 30 s window vs one fitted to the utterance.

faster-whisper pads every clip to Whisper's 30 s window, so a 1.5 s command costs as much
as 30 s of audio, and the ASR pass is the floor of VAANI's latency. CTranslate2's encoder
also accepts shorter inputs (whisper.cpp calls this ``audio_ctx``): this benchmark transcribes
the same generated questions both ways with the same model, greedy, language forced, and
reports the time per pass, the speed-up as a ratio, and whether the text is the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

FRAMES_PER_S = 100            # Whisper's log-mel hop is 10 ms
FULL = 3000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="write the JSON report here")
    p.add_argument("--repeat", type=int, default=3, help="passes per clip (best is kept)")
    p.add_argument("--min-window-s", type=float, default=10.0,
                   help="shortest window (s); the clip plus 1 s if longer (default 10: at 6 s "
                   "tiny.en started repeating itself on one clip)")
    p.add_argument("--threads", type=int, default=0)


def window_frames(n_frames: int, min_window_s: float) -> int:
    from vaani_whisper import window_frames as engine_frames     # what the engine does

    return engine_frames(n_frames, min_window_s)


class Transcriber:
    """Encode + greedy decode with faster-whisper's own pieces, window of our choosing."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        self.model = WhisperModel(str(path), device="cpu", compute_type="int8",
                                  cpu_threads=threads)
        self.multilingual = bool(self.model.model.is_multilingual)

    def __call__(self, audio: np.ndarray, language: str, frames: int | None) -> str:
        import ctranslate2
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer

        m = self.model
        features = m.feature_extractor(audio)
        window = FULL if frames is None else frames
        x = np.ascontiguousarray(pad_or_trim(features, window)[None], dtype=np.float32)
        encoded = m.model.encode(ctranslate2.StorageView.from_array(x), to_cpu=False)
        tok = Tokenizer(m.hf_tokenizer, self.multilingual, task="transcribe",
                        language=language if self.multilingual else None)
        prompt = m.get_prompt(tok, [], without_timestamps=True)
        budget = int(16 + 25 * len(audio) / 16000)
        result = m.model.generate(encoded, [prompt], beam_size=1, max_length=len(prompt) + budget,
                                  suppress_blank=True, suppress_tokens=[-1])[0]
        return tok.decode([t for t in result.sequences_ids[0] if t < tok.eot]).strip()


def run(args: argparse.Namespace) -> int:
    from vaani import config as config_mod
    from vaani.bench.latency import QUESTIONS
    from vaani.models import ModelStore
    from vaani.speech_fixtures import synthesize_utterance
    from vaani.stages.transcript import normalize

    config = config_mod.load(getattr(args, "config", None))
    store = ModelStore.from_config(config)
    clips = [(q.language, q.text, synthesize_utterance(q.text, q.language, lead_s=0.2,
                                                       tail_s=0.3, models=store))
             for q in QUESTIONS]
    plans = [("whisper-tiny-en", "en"), ("whisper-base", "en"), ("whisper-base", "hi")]
    rows: list[dict[str, Any]] = []
    for model_name, language in plans:
        asr = Transcriber(store.path(model_name), args.threads)
        for lang, text, u in clips:
            if lang != language:
                continue
            n_frames = len(u.audio) // 160
            short = window_frames(n_frames, args.min_window_s)
            row: dict[str, Any] = {"model": model_name, "language": lang, "text": text,
                                   "seconds": round(len(u.audio) / 16000, 2),
                                   "window_frames": short}
            asr(u.audio, lang, short)                     # warm both paths
            for name, frames in (("full", None), ("fitted", short)):
                best, out = float("inf"), ""
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    out = asr(u.audio, lang, frames)
                    best = min(best, time.perf_counter() - t)
                row[f"{name}_ms"] = round(best * 1000, 1)
                row[f"{name}_text"] = out
            row["same_text"] = normalize(row["full_text"]) == normalize(row["fitted_text"])
            rows.append(row)
            print(f"{model_name:16} {lang} full {row['full_ms']:6.0f} ms  fitted "
                  f"{row['fitted_ms']:6.0f} ms  same={row['same_text']!s:5}  {row['fitted_text']!r}",
                  flush=True)
    summary = {}
    for model_name, language in plans:
        group = [r for r in rows if r["model"] == model_name and r["language"] == language]
        if not group:
            continue
        full = statistics.median(r["full_ms"] for r in group)
        fitted = statistics.median(r["fitted_ms"] for r in group)
        summary[f"{model_name}/{language}"] = {
            "n": len(group), "full_ms_median": full, "fitted_ms_median": fitted,
            "speedup_full_over_fitted": round(full / fitted, 2),
            "same_text": sum(r["same_text"] for r in group)}
    print()
    for key, s in summary.items():
        print(f"{key:22} full {s['full_ms_median']:6.0f} ms  fitted {s['fitted_ms_median']:6.0f} ms"
              f"  x{s['speedup_full_over_fitted']:.1f}  same text {s['same_text']}/{s['n']}")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({"bench": "asr_window", "summary": summary,
                                              "rows": rows}, ensure_ascii=False, indent=2))
        print(f"report: {args.out}")
    return 0
