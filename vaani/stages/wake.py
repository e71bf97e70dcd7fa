"""Wake gate: feeds the wake-word engine whole frames and reports detections once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vaani.engines import WakeWordEngine

RATE = 16000


def wake_phrase(model: str) -> str:
    """The words a wake model listens for, from its pack name or file name:
    ``mww-hey-jarvis`` / ``wake-hey-jarvis`` / ``hey_jarvis_v0.1.onnx`` -> ``hey jarvis``."""
    name = model.replace("\\", "/").rsplit("/", 1)[-1]
    for suffix in (".json", ".tflite", ".onnx"):
        name = name.removesuffix(suffix)
    for prefix in ("mww-", "wake-"):
        name = name.removeprefix(prefix)
    words = name.replace("_", " ").replace("-", " ").split()
    if words and words[-1].startswith("v") and words[-1][1:2].isdigit():
        words = words[:-1]                            # openWakeWord's version suffix
    return " ".join(words)


@dataclass(frozen=True)
class WakeHit:
    name: str
    score: float
    at: float            # stream time of the end of the frame that fired


class WakeGate:
    """Cuts arbitrary blocks into the engine's frame size and thresholds its scores.

    After a hit, the gate stays quiet for ``refractory_s`` so one utterance of the wake
    word is one detection, however many frames score high.
    """

    def __init__(self, engine: WakeWordEngine, threshold: float = 0.5,
                 refractory_s: float = 1.0) -> None:
        self.engine = engine
        self.threshold = threshold
        self.refractory_s = refractory_s
        self.frame = int(engine.frame_samples)
        self._buf = np.zeros(0, np.float32)
        self._buf_at = 0.0
        self._quiet_until = -1.0

    def process(self, block: np.ndarray, at: float) -> list[WakeHit]:
        if not len(self._buf):
            self._buf_at = at
        self._buf = np.concatenate([self._buf, block])
        hits: list[WakeHit] = []
        while len(self._buf) >= self.frame:
            frame, self._buf = self._buf[: self.frame], self._buf[self.frame:]
            end = self._buf_at + self.frame / RATE
            self._buf_at = end
            scores = self.engine.process(frame)
            if not scores:
                continue
            name, score = max(scores.items(), key=lambda kv: kv[1])
            if score >= self.threshold and end >= self._quiet_until:
                hits.append(WakeHit(name, float(score), end))
                self._quiet_until = end + self.refractory_s
        return hits

    def reset(self) -> None:
        """Forget audio and engine state (after our own playback, so it cannot fire on it)."""
        self.engine.reset()
        self._buf = np.zeros(0, np.float32)
        self._quiet_until = -1.0
