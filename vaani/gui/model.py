"""What the window shows, computed from events and status without Qt: the conversation turn
by turn, the latency timeline of a turn, the microphone level on a meter, and how a pending
timer or alarm is cancelled. The Qt widgets only draw these, so the rules are tested here
once, whatever draws them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from vaani.events import Event

TRIGGERS = {"wake": "wake word", "follow_up": "follow-up", "open_mic": "spoken",
            "push_to_talk": "push to talk", "text": "typed"}
OUTCOMES = {"answered": "", "no_speech": "nothing was heard", "rejected": "not understood",
            "cancelled": "cancelled", "error": "failed"}


@dataclass
class TurnView:
    """One turn as the conversation shows it."""

    turn: int                         # the pipeline's number (restarts with a reload)
    key: int = 0                      # unique in this conversation
    trigger: str = ""
    transcript: str = ""
    language: str = ""
    partial: str = ""                 # a live partial transcript, until the final one
    rejected: str = ""                # why the transcript was dropped
    reply: str = ""
    source: str = ""                  # plugin:<name> or llm
    outcome: str = ""                 # "" while the turn runs
    timings: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def heard(self) -> str:
        return self.transcript or self.partial


@dataclass
class NoteView:
    """Something said outside a turn (a timer rang, ``vaani say``)."""

    text: str
    source: str


class Conversation:
    """Events folded into turns, in the order they started. :meth:`apply` returns what
    changed (a :class:`TurnView` or a new :class:`NoteView`) or None.

    A turn is found by its number until the next ``TurnStarted`` with that number: numbers
    start again at 1 when VAANI reloads its config or the daemon restarts, and a new turn
    must not be written into an old one."""

    def __init__(self, limit: int = 200) -> None:
        self.turns: dict[int, TurnView] = {}      # turn number -> its latest view
        self.items: list[TurnView | NoteView] = []
        self.limit = limit
        self._keys = 0

    def turn(self, number: int, *, new: bool = False) -> TurnView:
        view = self.turns.get(number)
        if view is None or new:
            self._keys += 1
            view = self.turns[number] = TurnView(number, key=self._keys)
            self._add(view)
        return view

    def _add(self, item: TurnView | NoteView) -> None:
        self.items.append(item)
        while len(self.items) > self.limit:
            old = self.items.pop(0)
            if isinstance(old, TurnView) and self.turns.get(old.turn) is old:
                del self.turns[old.turn]

    def apply(self, event: Event) -> TurnView | NoteView | None:
        kind = event.kind
        e: Any = event
        if kind == "Notification":
            note = NoteView(e.text, e.source)
            self._add(note)
            return note
        if not event.turn:
            return None
        if kind == "TurnStarted":
            view = self.turn(event.turn, new=True)
            view.trigger = e.trigger
        elif kind == "Transcript":
            view = self.turn(event.turn)
            if not e.final:
                view.partial = e.text
            else:
                view.transcript, view.language, view.partial = e.text, e.language, ""
                view.rejected = e.rejected
        elif kind == "ReplyTextChunk":
            view = self.turn(event.turn)
            view.reply += e.text
            view.source = e.source or view.source
        elif kind == "TurnFinished":
            view = self.turn(event.turn)
            view.outcome = e.outcome
            view.timings = dict(e.timings)
        elif kind == "Error":
            view = self.turn(event.turn)
            view.errors.append(f"{e.title}: {e.message}")
        else:
            return None
        return view


def source_label(source: str, llm_model: str = "") -> str:
    """Who answered, in words: "the clock skill", "the model (chimera)"."""
    if source.startswith("plugin:"):
        return f"the {source.split(':', 1)[1]} skill"
    if source == "llm":
        return f"the model ({llm_model})" if llm_model else "the model"
    return source or "nobody"


# -- the latency timeline ---------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    label: str                       # endpoint | ASR | skills | LLM | speech
    start_ms: float                  # from the end of the user's speech (typed: the question)
    ms: float


@dataclass(frozen=True)
class Timeline:
    segments: tuple[Segment, ...]
    first_audio_ms: float | None     # when the reply started to sound; None: it did not

    @property
    def end_ms(self) -> float:
        ends = [s.start_ms + s.ms for s in self.segments]
        if self.first_audio_ms is not None:
            ends.append(self.first_audio_ms)
        return max(ends, default=0.0)

    def summary(self) -> str:
        parts = [f"{s.label} {s.ms:.0f} ms" for s in self.segments if s.label != "speech"]
        if self.first_audio_ms is not None:
            parts.append(f"first audio at {self.first_audio_ms:.0f} ms")
        return " · ".join(parts)


def timeline(timings: dict[str, float]) -> Timeline:
    """The stages of a turn on one time axis, from the end of speech (``endpoint``: the
    silence that decided it), then what was waited for after that decision: ASR (the part
    not done speculatively during the silence), the skills, the model's first token, and
    speech synthesis up to the first sound (``response`` after the decision)."""
    segments: list[Segment] = []
    at = 0.0
    endpoint = timings.get("endpoint")
    if endpoint is not None:
        segments.append(Segment("endpoint", 0.0, endpoint))
        at = endpoint
    decided = at
    asr = timings.get("asr_wait", timings.get("asr"))
    if asr is not None:
        segments.append(Segment("ASR", at, asr))
        at += asr
    if timings.get("plugin") is not None:      # the skills, answering or passing to the LLM
        segments.append(Segment("skills", at, timings["plugin"]))
        at += timings["plugin"]
    if timings.get("llm_first_token") is not None:
        segments.append(Segment("LLM", at, timings["llm_first_token"]))
        at += timings["llm_first_token"]
    first = None
    if timings.get("response") is not None:
        first = decided + timings["response"]
        if first > at:
            segments.append(Segment("speech", at, first - at))
    return Timeline(tuple(segments), first)


# -- the level meter ----------------------------------------------------------------------------

FLOOR_DB = -60.0


def level_fraction(rms: float) -> float:
    """An RMS level (0..1) on a meter from -60 dBFS (empty) to 0 dBFS (full): speech near
    -30 dBFS sits in the middle instead of at the bottom of a linear scale."""
    if rms <= 0:
        return 0.0
    db = 20 * math.log10(min(rms, 1.0))
    return max(0.0, min(1.0, (db - FLOOR_DB) / -FLOOR_DB))


# -- timers and alarms --------------------------------------------------------------------------

def cancel_phrase(what: str) -> str:
    """What to say to cancel a pending item, from its ``what`` (``vaani_pending``'s
    description: "the 5 minute timer", "the pasta timer", "the 7:00 AM alarm", "the reminder
    at 7:30 PM"): the timer and alarm skills take "cancel <what>" as a request. There is no
    command that cancels one pending item by id, so the cancel buttons go through the same
    skill a spoken "cancel the 5 minute timer" reaches (two timers of the same length are
    both cancelled, as they would be by voice)."""
    what = what.strip()
    return f"cancel {what}" if what else ""


def due_text(seconds: float) -> str:
    """"in 4:05", "in 2 h 10 min", "due now"."""
    s = round(seconds)
    if s <= 0:
        return "due now"
    if s < 3600:
        return f"in {s // 60}:{s % 60:02d}"
    h, m = divmod(s // 60, 60)
    if h < 48:
        return f"in {h} h {m} min"
    return f"in {h // 24} days"
