"""The event vocabulary: the only bus between the pipeline and the outside world.

Every event is a frozen dataclass carrying ``t``, a ``time.monotonic()`` timestamp taken
when it was created, and ``turn``, the number of the turn it belongs to (0 outside turns).
Events that refer to a position in the input stream also carry ``at``: seconds of input
audio since the stream started, which is what latency is measured against when a file is
fed faster than real time.

Observers get events through the ``vaani_on_event`` hook; the daemon forwards the same
events to GUI clients with :func:`to_dict`.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def now() -> float:
    return time.monotonic()


@dataclass(frozen=True, kw_only=True, eq=False)
class Event:
    t: float = field(default_factory=now)
    turn: int = 0

    @property
    def kind(self) -> str:
        return type(self).__name__


# -- audio in -----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True, eq=False)
class AudioStart(Event):
    source: str
    sample_rate: int
    channels: int


@dataclass(frozen=True, kw_only=True, eq=False)
class AudioChunk(Event):
    """Input audio, already converted to float32 mono at the pipeline rate (16 kHz)."""

    samples: np.ndarray
    at: float


@dataclass(frozen=True, kw_only=True, eq=False)
class AudioStop(Event):
    at: float


# -- listening ----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True, eq=False)
class WakeDetected(Event):
    name: str
    score: float
    at: float


@dataclass(frozen=True, kw_only=True, eq=False)
class VoiceStarted(Event):
    at: float


@dataclass(frozen=True, kw_only=True, eq=False)
class VoiceStopped(Event):
    """End of the user's turn, as decided by VAD hangover (+ semantic end-of-turn check).

    ``at`` is the stream time of the last speech frame, not of the decision.
    """

    at: float
    reason: str = "silence"  # silence | max_length | end_of_stream


@dataclass(frozen=True, kw_only=True, eq=False)
class Transcript(Event):
    text: str
    language: str
    final: bool = True
    audio_seconds: float = 0.0
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    rejected: str = ""  # non-empty: why the text was dropped (hallucination guard, echo, ...)


# -- answering ----------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True, eq=False)
class ReplyTextChunk(Event):
    """A piece of the reply text. ``source`` is ``plugin:<name>`` or ``llm``."""

    text: str
    source: str
    final: bool = False
    language: str = ""


@dataclass(frozen=True, kw_only=True, eq=False)
class SpeechChunk(Event):
    """Synthesised audio on its way to the sink (float32 mono)."""

    samples: np.ndarray
    sample_rate: int
    text: str = ""


@dataclass(frozen=True, kw_only=True, eq=False)
class PlaybackStarted(Event):
    pass


@dataclass(frozen=True, kw_only=True, eq=False)
class PlaybackStopped(Event):
    interrupted: bool = False


@dataclass(frozen=True, kw_only=True, eq=False)
class Notification(Event):
    """Something a plugin says outside a turn (a timer that fires)."""

    text: str
    source: str
    language: str = ""


# -- bookkeeping --------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True, eq=False)
class TurnStarted(Event):
    trigger: str  # wake | follow_up | open_mic (no wake word needed) | push_to_talk | text


@dataclass(frozen=True, kw_only=True, eq=False)
class TurnFinished(Event):
    outcome: str  # answered | no_speech | rejected | cancelled | error
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, eq=False)
class StageTiming(Event):
    stage: str
    ms: float


@dataclass(frozen=True, kw_only=True, eq=False)
class StateChanged(Event):
    """The session's state changed (``vaani.session.State`` values: idle, listening,
    thinking, speaking, muted, no_microphone, stopped)."""

    state: str
    previous: str = ""
    why: str = ""              # for no_microphone / stopped: what happened, in words


@dataclass(frozen=True, kw_only=True, eq=False)
class MicLevel(Event):
    """The microphone's level, a few times a second (not per block): for a level meter."""

    rms: float                 # root mean square of the last interval, 0..1
    peak: float                # largest absolute sample of the last interval, 0..1
    at: float = 0.0


@dataclass(frozen=True, kw_only=True, eq=False)
class Error(Event):
    title: str
    message: str
    source: str
    hint: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        AudioStart, AudioChunk, AudioStop, WakeDetected, VoiceStarted, VoiceStopped,
        Transcript, ReplyTextChunk, SpeechChunk, PlaybackStarted, PlaybackStopped,
        Notification, TurnStarted, TurnFinished, StageTiming, StateChanged, MicLevel, Error,
    )
}


def error_event(exc: BaseException, source: str, turn: int = 0) -> Error:
    """Turn any exception into an :class:`Error` event (VaaniError keeps its title/hint)."""
    from vaani.errors import VaaniError

    if isinstance(exc, VaaniError):
        return Error(title=exc.title, message=exc.message, hint=exc.hint or "",
                     source=source, turn=turn)
    return Error(title="Internal error", message=f"{type(exc).__name__}: {exc}",
                 source=source, turn=turn)


def to_dict(event: Event) -> dict[str, Any]:
    """JSON-ready form: arrays become their length and duration, never raw samples."""
    out: dict[str, Any] = {"kind": event.kind}
    for f in dataclasses.fields(event):
        value = getattr(event, f.name)
        if isinstance(value, np.ndarray):
            out["n_samples"] = int(value.shape[0])
        else:
            out[f.name] = value
    return out
