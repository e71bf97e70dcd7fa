"""Speculative ASR: decide when to transcribe so that little is left to do at end of turn.

Whisper costs the same for a short clip whatever we do, so the only way to hide it is to
start early. At the first silent frame (a :class:`Pause`) a pass starts on the utterance so
far. If the user does not speak again before the hangover ends, that pass already holds
the whole utterance and its result is reused; if they resume, it is discarded and the end
of turn starts a fresh pass. Optionally, partial passes run while the user is speaking
(every ``partial_every_s`` of new speech), for live captions.

This class only decides; the pipeline runs the passes in its ASR worker.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaani.stages.endpoint import EndOfTurn, Pause, Resume, VoiceOnset

RATE = 16000


@dataclass(frozen=True, eq=False)
class Start:
    job: int
    audio: np.ndarray
    kind: str                 # speculative | final | partial


@dataclass(frozen=True)
class Reuse:
    job: int


@dataclass(frozen=True)
class Discard:
    job: int


class SpeculativeAsr:
    def __init__(self, enabled: bool = True, partial_every_s: float = 0.0) -> None:
        self.enabled = enabled
        self.partial_every_s = partial_every_s
        self._next = 0
        self.reset()

    def reset(self) -> None:
        self.current: int | None = None       # the speculative pass that may be reused
        self._last_partial = 0.0

    def _start(self, audio: np.ndarray, kind: str) -> Start:
        self._next += 1
        return Start(self._next, audio, kind)

    def process(self, event: object) -> list[object]:
        if isinstance(event, VoiceOnset):
            self.reset()
            return []
        if isinstance(event, Pause):
            out: list[object] = []
            if self.current is not None:
                out.append(Discard(self.current))
                self.current = None
            if self.enabled:
                start = self._start(event.audio, "speculative")
                self.current = start.job
                out.append(start)
            return out
        if isinstance(event, Resume):
            if self.current is not None:
                job, self.current = self.current, None
                return [Discard(job)]
            return []
        if isinstance(event, EndOfTurn):
            ahead, self.current = self.current, None
            if ahead is not None and event.reason == "silence":
                return [Reuse(ahead)]
            out = [Discard(ahead)] if ahead is not None else []
            return out + [self._start(event.audio, "final")]
        return []

    def tick(self, audio: np.ndarray, busy: bool) -> list[object]:
        """While speaking: a partial pass every ``partial_every_s`` of audio, if ASR is idle."""
        if self.partial_every_s <= 0 or busy:
            return []
        seconds = len(audio) / RATE
        if seconds - self._last_partial < self.partial_every_s:
            return []
        self._last_partial = seconds
        return [self._start(audio, "partial")]
