"""The JSONL trace: one line per turn with what was heard, what answered and how long each
stage took; one line per error outside a turn.

It is an ordinary event subscriber, so it sees exactly what plugins and GUIs see. Lines are
small (no audio); the file is rotated to ``.1`` past ``max_bytes``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

from vaani.config import Config, data_dir
from vaani.events import (Error, Event, Notification, ReplyTextChunk, StageTiming, Transcript,
                          TurnFinished, TurnStarted)

log = logging.getLogger(__name__)


# Why a transcript was not used, in words for the user: every reason code the transcript
# filter (vaani/stages/transcript.py) and the ASR engines' own guards
# (plugins/vaani_whisper: ``judge``) put in ``Transcript.rejected`` / ``TurnResult.rejected``.
REJECTED_WHY = {
    "silence": "no speech was heard (the audio was silent)",
    "empty": "no words were recognised",
    "no_speech": "no speech was heard",
    "non_speech_tag": "only a sound was heard (music, noise), not words",
    "too_short": "too short to be a request",
    "hallucination": "the words look made up from background noise (a common speech "
                     "recognition mistake), not said",
    "repetition": "the transcript kept repeating itself, so it was probably misheard",
    "too_many_words": "more words than anyone could say in that time, so it was probably misheard",
    "wrong_script": "the words came out in an unexpected script for the language, so they "
                    "were probably misheard",
    "unsure": "the speech recogniser was not sure enough of the words",
    "echo": "it was VAANI's own reply, heard back through the microphone",
    "prompt_echo": "only the speech recogniser's own hint words came back, not what was said",
}


def rejected_why(code: str) -> str:
    """Why a turn with rejection reason ``code`` was ignored, in plain words ("" for "")."""
    if not code:
        return ""
    return REJECTED_WHY.get(code, f"the transcript was not used ({code.replace('_', ' ')})")


def trace_path(config: Config) -> Path | None:
    if not config.trace.enabled:
        return None
    if config.trace.path:
        return Path(config.trace.path).expanduser()
    return data_dir() / "trace.jsonl"


class TraceWriter:
    def __init__(self, path: str | Path, max_bytes: int = 5_000_000) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self._turns: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self.lines = 0

    def __call__(self, event: Event) -> None:
        with self._lock:
            self._on(event)

    def _on(self, event: Event) -> None:
        if isinstance(event, TurnStarted):
            self._turns[event.turn] = {"turn": event.turn, "time": time.time(),
                                       "trigger": event.trigger, "transcript": "",
                                       "language": "", "rejected": "", "rejected_why": "",
                                       "reply": "",
                                       "source": "", "timings": {}, "errors": []}
            return
        if isinstance(event, Error) and event.turn not in self._turns:
            self._write({"time": time.time(), "error": event.title, "message": event.message,
                         "source": event.source, "turn": event.turn})
            return
        if isinstance(event, Notification):
            self._write({"time": time.time(), "notification": event.text, "source": event.source})
            return
        rec = self._turns.get(event.turn)
        if rec is None:
            return
        if isinstance(event, Transcript) and event.final:
            rec.update(transcript=event.text, language=event.language, rejected=event.rejected,
                       rejected_why=rejected_why(event.rejected))
        elif isinstance(event, ReplyTextChunk):
            rec["reply"] += event.text
            rec["source"] = event.source
            rec["language"] = rec["language"] or event.language
        elif isinstance(event, StageTiming):
            rec["timings"][event.stage] = round(event.ms, 1)
        elif isinstance(event, Error):
            rec["errors"].append({"title": event.title, "message": event.message,
                                  "source": event.source})
        elif isinstance(event, TurnFinished):
            rec["outcome"] = event.outcome
            rec["timings"].update({k: round(v, 1) for k, v in event.timings.items()})
            self._write(self._turns.pop(event.turn))

    def _write(self, record: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size > self.max_bytes:
                self.path.replace(self.path.with_suffix(self.path.suffix + ".1"))
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.lines += 1
        except OSError as exc:           # a full disk must not stop the assistant
            log.warning("cannot write the trace %s: %s", self.path, exc)

    def close(self) -> None:
        with self._lock:
            for rec in self._turns.values():
                rec.setdefault("outcome", "unfinished")
                self._write(rec)
            self._turns.clear()


def read_trace(path: str | Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# -- console output -----------------------------------------------------------------------

TIMING_ORDER = ("endpoint", "asr", "asr_wait", "plugin", "llm_first_token", "llm_first_clause",
                "tts_first_audio", "response", "e2e")


def format_timings(timings: dict[str, float]) -> str:
    """``endpoint 256 | asr 91 (reused) | ... | e2e 412`` (ms), in pipeline order."""
    parts = []
    for key in TIMING_ORDER:
        if key in timings:
            label = key.replace("_", " ")
            extra = " (speculative, reused)" if key == "asr" and timings.get("asr_reused") else ""
            parts.append(f"{label} {timings[key]:.0f}{extra}")
    return " | ".join(parts) + " ms" if parts else "-"


class EventPrinter:
    """Prints a conversation as it happens (``vaani listen``), one line per step."""

    def __init__(self, stream: Any = None, timings: bool = True, partials: bool = False) -> None:
        import sys

        self.stream = stream or sys.stdout
        self.timings = timings
        self.partials = partials
        self._reply: dict[int, list[str]] = {}

    def _out(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def __call__(self, event: Event) -> None:
        from vaani.events import WakeDetected

        if isinstance(event, WakeDetected):
            self._out(f"[wake] {event.name} ({event.score:.2f})")
        elif isinstance(event, Transcript):
            if event.rejected:
                heard = f" (heard: {event.text})" if event.text else ""
                self._out(f"[ignored: {rejected_why(event.rejected)}]{heard}")
            elif event.final:
                self._out(f"[you, {event.language}] {event.text}")
            elif self.partials:
                self._out(f"  ... {event.text}")
        elif isinstance(event, ReplyTextChunk):
            buf = self._reply.setdefault(event.turn, [])
            buf.append(event.text)
            if event.final:
                text = "".join(self._reply.pop(event.turn, []))
                self._out(f"[vaani, {event.source}] {text.strip()}")
        elif isinstance(event, Notification):
            self._out(f"[{event.source or 'notification'}] {event.text}")
        elif isinstance(event, Error):
            hint = f"\n  fix: {event.hint}" if event.hint else ""
            self._out(f"[error: {event.source}] {event.title}: {event.message}{hint}")
        elif isinstance(event, TurnFinished) and self.timings and event.timings:
            self._out(f"  ({event.outcome}) {format_timings(event.timings)}")
