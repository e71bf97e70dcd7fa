"""Barge-in detector: did the user interrupt while we were speaking?

Two triggers: the wake word, and (mode ``speech``) sustained speech. With loudspeakers and
no echo canceller the microphone also hears our own voice, so speech only counts when the
microphone is clearly louder than the echo of what we are playing: the echo coupling
(mic level / playback level) is measured in the first ``calibrate_ms`` of each reply, when the
user is assumed silent, and later speech frames must exceed it by ``echo_margin``. With a
file or headphones the playback level is zero and any speech counts.

The detector keeps the last ``keep_s`` of input so the words of a speech barge-in can be
handed to the endpointer and are not lost.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from vaani.engines import VadEngine
from vaani.stages.wake import WakeGate

RATE = 16000
MODES = ("speech", "wake", "off")


class BargeInDetector:
    def __init__(self, vad: VadEngine | None, wake: WakeGate | None = None, *, mode: str = "speech",
                 threshold: float = 0.5, min_speech_ms: int = 300, calibrate_ms: int = 300,
                 echo_margin: float = 2.0, keep_s: float = 1.5) -> None:
        if mode not in MODES:
            raise ValueError(f"barge-in mode must be one of {MODES}")
        self.vad = vad
        self.wake = wake
        self.mode = mode
        self.threshold = threshold
        self.frame = int(vad.frame_samples) if vad is not None else 512
        frame_s = self.frame / RATE
        self.min_frames = max(1, round(min_speech_ms / 1000 / frame_s))
        self.calibrate_frames = max(1, round(calibrate_ms / 1000 / frame_s))
        self.echo_margin = echo_margin
        self._recent: deque[np.ndarray] = deque(maxlen=max(1, int(keep_s / frame_s)))
        self.reset()

    def reset(self) -> None:
        if self.vad is not None:
            self.vad.reset()
        if self.wake is not None:
            self.wake.reset()
        self._buf = np.zeros(0, np.float32)
        self._frames = 0
        self._run = 0
        self._ratios: list[float] = []
        self.coupling = 0.0
        self._recent.clear()

    def recent(self) -> np.ndarray:
        """The last few seconds of input (to replay into the endpointer after barge-in)."""
        parts = list(self._recent)
        if len(self._buf):
            parts.append(self._buf)
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def process(self, block: np.ndarray, at: float, playback_level: float = 0.0) -> str | None:
        """"wake", "speech" or None for this block of microphone input."""
        if self.mode == "off":
            return None
        if self.wake is not None and self.wake.process(block, at):
            return "wake"
        if self.mode != "speech" or self.vad is None:
            self._recent.append(block)
            return None
        self._buf = np.concatenate([self._buf, block])
        hit = None
        while len(self._buf) >= self.frame:
            frame, self._buf = self._buf[: self.frame], self._buf[self.frame:]
            self._recent.append(frame)
            if hit is None and self._frame(frame, playback_level):
                hit = "speech"
        return hit

    def _frame(self, frame: np.ndarray, playback_level: float) -> bool:
        self._frames += 1
        assert self.vad is not None            # process() comes here only with a VAD
        p = float(self.vad.process(frame))
        level = float(np.sqrt(np.mean(np.square(frame))))
        if self._frames <= self.calibrate_frames:
            if playback_level > 1e-3:
                self._ratios.append(level / playback_level)
                self.coupling = float(np.percentile(self._ratios, 90))
            if playback_level > 1e-3 or self._ratios:
                self._run = 0
                return False
        louder = playback_level <= 1e-3 or level > self.echo_margin * self.coupling * playback_level
        if p >= self.threshold and louder:
            self._run += 1
        else:
            self._run = 0
        return self._run >= self.min_frames
