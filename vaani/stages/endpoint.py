"""The endpointer: where an utterance starts, pauses, resumes and ends.

VAD frames drive a small state machine. A voice onset needs ``min_speech_ms`` of speech
(coughs and clicks do not start turns); the audio kept for the utterance starts
``pre_roll_ms`` before the onset so the first syllable is not lost. Silence after speech is
reported as a :class:`Pause` once ``pause_frames`` frames in a row fall below the
hysteresis threshold (``threshold - 0.15``, as Silero's own iterator does): real speech has
one-frame dips between words, and each false pause would cost a wasted ASR pass. The pause
is where the pipeline starts ASR, speculatively;
speech after it is a :class:`Resume`; ``hangover_ms`` of silence ends the turn, unless an
end-of-turn model says the speaker is not done (then up to ``eot_max_ms``). Utterances are
capped at ``max_utterance_s``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from vaani.engines import EndOfTurnEngine, VadEngine

RATE = 16000


@dataclass(frozen=True)
class VoiceOnset:
    at: float                 # stream time the voice began


@dataclass(frozen=True, eq=False)
class Pause:
    at: float                 # stream time of the end of the last speech frame
    audio: np.ndarray         # the utterance so far (pre-roll + speech + this frame)


@dataclass(frozen=True)
class Resume:
    at: float


@dataclass(frozen=True, eq=False)
class EndOfTurn:
    at: float                 # end of the last speech frame (the VoiceStopped time)
    decided_at: float         # stream time of the frame that decided
    reason: str               # silence | max_length | end_of_stream
    audio: np.ndarray
    end_of_turn_p: float | None = None


class Endpointer:
    def __init__(self, vad: VadEngine, *, threshold: float = 0.5, hangover_ms: int = 250,
                 min_speech_ms: int = 120, pre_roll_ms: int = 300, max_utterance_s: float = 15.0,
                 end_of_turn: EndOfTurnEngine | None = None, eot_threshold: float = 0.5,
                 eot_max_ms: int = 1000, pause_frames: int = 2) -> None:
        self.vad = vad
        self.frame = int(vad.frame_samples)
        self.frame_s = self.frame / RATE
        self.threshold = threshold
        self.neg_threshold = max(0.01, threshold - 0.15)
        self.pause_frames = max(1, pause_frames)
        self.hangover_frames = max(1, round(hangover_ms / 1000 / self.frame_s))
        self.min_speech_frames = max(1, round(min_speech_ms / 1000 / self.frame_s))
        self.pre_roll_frames = max(0, round(pre_roll_ms / 1000 / self.frame_s))
        self.max_frames = max(1, int(max_utterance_s / self.frame_s))
        self.eot = end_of_turn
        self.eot_threshold = eot_threshold
        self.eot_max_frames = max(self.hangover_frames, round(eot_max_ms / 1000 / self.frame_s))
        self.reset()

    # state ----------------------------------------------------------------------------

    def reset(self) -> None:
        self.vad.reset()
        self._buf = np.zeros(0, np.float32)
        self._buf_at: float | None = None
        self._pre: deque[np.ndarray] = deque(maxlen=self.pre_roll_frames or 1)
        self._frames: list[np.ndarray] = []     # utterance frames (pre-roll included)
        self.state = "quiet"                    # quiet | candidate | speech | pausing
        self._speech = 0
        self._silence = 0
        self._onset_at = 0.0
        self._last_speech_end = 0.0
        self._utt_frames = 0
        self._eot_p: float | None = None
        self.last_p = 0.0

    @property
    def in_speech(self) -> bool:
        return self.state in ("speech", "pausing")

    @property
    def busy(self) -> bool:
        """Something that may become an utterance is under way."""
        return self.state != "quiet"

    def utterance(self) -> np.ndarray:
        return np.concatenate(self._frames) if self._frames else np.zeros(0, np.float32)

    # processing -----------------------------------------------------------------------

    def process(self, block: np.ndarray, at: float) -> list[object]:
        if self._buf_at is None or not len(self._buf):
            self._buf_at = at
        self._buf = np.concatenate([self._buf, block])
        out: list[object] = []
        while len(self._buf) >= self.frame:
            frame, self._buf = self._buf[: self.frame], self._buf[self.frame:]
            start = self._buf_at
            self._buf_at = start + self.frame_s
            out.extend(self._frame(frame, start))
        return out

    def flush(self, at: float) -> list[EndOfTurn]:
        """End of the input: an utterance still open ends here."""
        if self.in_speech:
            end_at = self._last_speech_end if self.state == "pausing" else at
            ev = EndOfTurn(end_at, at, "end_of_stream", self.utterance(), self._eot_p)
            self._to_quiet()
            return [ev]
        self._to_quiet()
        return []

    def _frame(self, frame: np.ndarray, start: float) -> list[object]:
        p = float(self.vad.process(frame))
        self.last_p = p
        speech = p >= self.threshold
        end = start + self.frame_s
        st = self.state
        if st == "quiet":
            if speech:
                self.state = "candidate"
                self._frames = list(self._pre) + [frame]
                self._onset_at = start
                self._last_speech_end = end
                self._speech, self._silence = 1, 0
                return self._maybe_onset()
            if self.pre_roll_frames:
                self._pre.append(frame)
            return []
        self._frames.append(frame)
        if st == "candidate":
            if speech:
                self._speech += 1
                self._silence = 0
                self._last_speech_end = end
                return self._maybe_onset()
            self._silence += 1
            if self._silence >= self.hangover_frames:      # a click, not a voice
                kept = self._frames[-self.pre_roll_frames:] if self.pre_roll_frames else []
                self._to_quiet()
                self._pre.extend(kept)
            return []
        self._utt_frames += 1
        if st == "speech":
            if self._utt_frames >= self.max_frames:
                return self._end(end, end, "max_length")
            if p >= self.neg_threshold:           # speech, or a dip inside a word
                if speech:
                    self._last_speech_end = end
                self._silence = 0
                return []
            self._silence += 1
            if self._silence < self.pause_frames:
                return []
            self.state = "pausing"
            self._eot_p = float(self.eot.process(self.utterance())) if self.eot else None
            out: list[object] = [Pause(self._last_speech_end, self.utterance())]
            if self._silence >= self.hangover_frames and self.eot is None:
                out += self._end(self._last_speech_end, end, "silence")
            return out
        # pausing
        if speech:
            self.state = "speech"
            self._silence = 0
            self._last_speech_end = end
            return [Resume(start)]
        self._silence += 1
        if self._utt_frames >= self.max_frames:
            return self._end(self._last_speech_end, end, "max_length")
        if self._silence >= self.hangover_frames:
            done = self.eot is None or (self._eot_p is not None and self._eot_p >= self.eot_threshold)
            if done or self._silence >= self.eot_max_frames:
                return self._end(self._last_speech_end, end, "silence")
        return []

    def _maybe_onset(self) -> list[object]:
        if self._speech >= self.min_speech_frames:
            self.state = "speech"
            self._utt_frames = round((self._last_speech_end - self._onset_at) / self.frame_s)
            return [VoiceOnset(self._onset_at)]
        return []

    def _end(self, at: float, decided_at: float, reason: str) -> list[object]:
        ev = EndOfTurn(at, decided_at, reason, self.utterance(), self._eot_p)
        self._to_quiet()
        return [ev]

    def _to_quiet(self) -> None:
        self.state = "quiet"
        self._frames = []
        self._pre.clear()
        self._speech = self._silence = self._utt_frames = 0
        self._eot_p = None
