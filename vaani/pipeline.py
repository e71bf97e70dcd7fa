"""The pipeline: the one module that owns concurrency.

Stages (vaani/stages) are synchronous and know nothing of threads. This module drives them:

* the **listening loop** runs in the caller's thread: each input block goes through the wake
  gate (idle), the endpointer (listening) or the barge-in detector (while we speak). These
  are cheap (a few ms per block), so the loop keeps up with a microphone.
* **ASR** runs in one worker thread. A pass starts at the first silent frame after speech
  (speculative) and is reused when the turn ends without the user resuming.
* each **reply** runs in its own thread: it waits for its transcript, and, while the
  hangover is still running, already starts the LLM (no side effects) so the first clause
  may be ready when the turn is confirmed. Plugins are asked only after the turn is
  confirmed (they may act: set a timer). Then text -> clause splitter -> TTS -> sink, clause
  by clause; the LLM runs in one more thread so it keeps generating while TTS speaks.
* **barge-in** (wake word or speech while we speak) stops the sink at once and cancels the
  rest of the reply, LLM included.
* after a reply has really finished playing, the wake word model and the VAD are reset and
  a **follow-up window** opens in which no wake word is needed.
* plugin **notifications** (timers) are spoken between turns.

Every event goes through :meth:`Pipeline.emit`: internal subscribers (CLI printer, trace)
and the plugins' ``vaani_on_event``. A failing engine or plugin becomes an ``Error`` event;
the loop goes on.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from vaani.audio import RATE, AudioSink, AudioSource, NullSink
from vaani.config import Config
from vaani.engines import AsrResult
from vaani.errors import EngineError
from vaani.events import (AudioChunk, AudioStart, AudioStop, Event, Notification,
                          PlaybackStarted, PlaybackStopped, ReplyTextChunk, SpeechChunk,
                          StageTiming, Transcript, TurnFinished, TurnStarted, VoiceStarted,
                          VoiceStopped, WakeDetected, error_event)
from vaani.guard import ReplyGuard, ToolRan, min_confidence
from vaani.guard import Settings as GuardSettings
from vaani.hookspecs import Utterance
from vaani.llm.tools import stream_with_tools
from vaani.plugins import SKILL_NOT_RESPONDING, not_responding
from vaani.stages import (BargeInDetector, ClauseSplitter, Discard, EndOfTurn, Endpointer,
                          LanguageResolver, Reuse, SpeculativeAsr, Start,
                          TranscriptFilter, TtsStage, VoiceOnset, WakeGate)

if TYPE_CHECKING:
    from vaani.plugins import PluginHost

log = logging.getLogger(__name__)

IDLE, LISTENING, REPLYING = "idle", "listening", "replying"
HOLDING = "holding"          # push-to-talk: the button is down, every block is the question
PTT_MIN_S = 0.25             # a shorter press is a slip, not a question
_END = object()


@dataclass
class Engines:
    """The engine objects a pipeline drives (any may be absent if the job does not need it)."""

    vad: Any = None
    asr: Any = None
    wake: Any = None
    end_of_turn: Any = None
    llm: Any = None
    tts: dict[str, Any] = field(default_factory=dict)     # language -> TTS engine


@dataclass
class TurnResult:
    """What one turn came to, for the CLI, the bench and tests."""

    turn: int
    trigger: str
    outcome: str = ""
    transcript: str = ""
    language: str = ""
    rejected: str = ""
    reply: str = ""
    source: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)   # the answering plugin's Reply.data
    first_sound_t: float | None = None          # monotonic time the reply was first heard
    speech_end_at: float | None = None           # stream time of the end of speech (VAD)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d.pop("first_sound_t")
        d["timings"] = {k: round(v, 1) for k, v in self.timings.items()}
        return d


class Pipeline:
    def __init__(self, config: Config, engines: Engines, *, host: PluginHost | None = None,
                 sink: AudioSink | None = None, require_wake_word: bool | None = None,
                 normalize: Callable[[str, str], str] | None = None) -> None:
        self.config = config
        self.engines = engines
        self.host = host
        self.sink = sink or NullSink()
        a, v = config.assistant, config.vad
        self.require_wake = (a.require_wake_word if require_wake_word is None
                             else require_wake_word) and engines.wake is not None
        self._subscribers: list[Callable[[Event], None]] = []
        self._emit_lock = threading.RLock()
        # plugins' vaani_on_event: on a thread of their own, never in the emitting one
        self._observers = (_Observers(host) if host is not None and host.has_observers()
                           else None)

        # stages
        self.wake_gate = WakeGate(engines.wake, config.wake.threshold) if engines.wake else None
        self.endpointer = Endpointer(
            engines.vad, threshold=v.threshold, hangover_ms=v.hangover_ms,
            min_speech_ms=v.min_speech_ms, pre_roll_ms=v.pre_roll_ms,
            max_utterance_s=v.max_utterance_s, end_of_turn=engines.end_of_turn,
            eot_threshold=v.end_of_turn_threshold,
            eot_max_ms=v.end_of_turn_max_ms) if engines.vad else None
        self.speculative = SpeculativeAsr(config.asr.speculative, config.asr.partial_every_s)
        self.filter = TranscriptFilter(config.asr.no_speech_threshold,
                                       config.asr.logprob_threshold)
        self.language = LanguageResolver(a.language, a.languages)
        fixed = a.language if a.language != "auto" else (a.languages or ["en"])[0]
        self.tts = TtsStage(engines.tts, fixed, normalize) if engines.tts else None
        barge_wake = WakeGate(engines.wake, config.wake.threshold) if engines.wake else None
        self.barge = BargeInDetector(engines.vad, barge_wake, mode=a.barge_in,
                                     threshold=v.threshold) if engines.vad else None
        asr_lang = config.asr.language or a.language
        self.asr_language = None if asr_lang in ("", "auto") else asr_lang
        # the guard reads the model's token scores when the engine can give them
        self.llm_scores = _accepts(getattr(engines.llm, "process", None), "scores")
        # ...and the installed tools are listed in its prompt when it takes them
        self.llm_tools = _accepts(getattr(engines.llm, "process", None), "tools")

        # workers
        self._asr_pool = ThreadPoolExecutor(1, thread_name_prefix="vaani-asr")
        self._asr_pending = 0
        self._asr_lock = threading.Lock()
        self.llm_lock = threading.Lock()
        self.tts_lock = threading.Lock()

        # state (owned by the listening loop)
        self.state = LISTENING if not self.require_wake else IDLE
        self._turn_counter = 0
        self.turn = 0                        # the current turn (0: none)
        self._trigger = ""
        self._deadline: float | None = None  # stream time: give up listening
        self._follow_up = False
        self._resume_deadline: float | None = None
        self._last_listen_error = -1e9
        self._reply: _Reply | None = None
        self._spec: dict[int, _Reply] = {}
        self._at = 0.0
        self._source_at0 = 0.0
        self._source: AudioSource | None = None
        self._stop = threading.Event()
        self._held: list[np.ndarray] = []     # push-to-talk audio while HOLDING
        self._held_at = 0.0
        self._notifications: queue.Queue[tuple[str, str, str]] = queue.Queue(maxsize=32)
        self.history: list[dict[str, str]] = []
        self.results: list[TurnResult] = []
        self.turns_finished = 0

    # -- the bus --------------------------------------------------------------------------

    def subscribe(self, fn: Callable[[Event], None]) -> None:
        self._subscribers.append(fn)

    def emit(self, event: Event) -> None:
        with self._emit_lock:
            for fn in list(self._subscribers):
                try:
                    fn(event)
                except Exception as exc:        # an observer's bug must not stop the turn
                    log.warning("event subscriber %r failed: %s", fn, exc)
        if self._observers is not None:
            self._observers.offer(event)

    def _error(self, exc: BaseException, source: str, turn: int) -> None:
        log.warning("%s failed: %s", source, exc)
        self.emit(error_event(exc, source=source, turn=turn))

    # -- public API -----------------------------------------------------------------------

    def notify(self, text: str, language: str = "", source: str = "") -> None:
        """Speak ``text`` between turns (thread-safe; plugins call it through their context)."""
        try:
            self._notifications.put_nowait((text, language, source))
        except queue.Full:
            log.warning("too many pending notifications; dropped %r", text)

    def speak_notifications(self) -> int:
        """Speak the queued notifications now, one after another; returns how many. For a
        front end with no listening loop (``vaani ask`` waiting for a timer): the loop
        itself speaks them between turns. Printed and spoken as in the loop (a
        ``Notification`` event, then TTS into the sink when there is one)."""
        count = 0
        while self._reply is None and not self._notifications.empty():
            self._start_notification()
            reply = self._reply
            assert reply is not None
            reply.done.wait()
            self._reply = None
            self.state = LISTENING if not self.require_wake else IDLE
            count += 1
        return count

    def stop(self) -> None:
        """Ask :meth:`run` to return (from another thread or a signal handler)."""
        self._stop.set()
        if self._source is not None:
            self._source.close()

    def run(self, source: AudioSource, *, max_turns: int | None = None,
            on_block: Callable[[], None] | None = None) -> list[TurnResult]:
        """Listen to ``source`` until it ends, :meth:`stop` is called, or ``max_turns`` turns
        have finished. Returns the turns. ``on_block`` is called in this thread after each
        block: the session applies its commands there, between blocks, so the state this
        loop owns is only ever changed by this loop."""
        self._source = source
        self._source_at0 = self._at
        self._stop.clear()
        self.emit(AudioStart(source=source.name, sample_rate=source.sample_rate,
                             channels=source.channels))
        first = len(self.results)
        try:
            for block in source:
                if self._stop.is_set():
                    break
                try:
                    self.feed(block)
                except Exception as exc:        # a wake/VAD engine failed on this block
                    self._listening_failed(exc)
                if on_block is not None:
                    on_block()
                if max_turns is not None and self._done_turns(first) >= max_turns:
                    break
            self.finish(wait=max_turns is None or self._done_turns(first) < max_turns)
        finally:
            source.close()
            self.emit(AudioStop(at=self._at))
        return self.results[first:]

    def _listening_failed(self, exc: Exception) -> None:
        """Report (at most every 5 s of input), reset the listening stages, go on."""
        if self._at - self._last_listen_error >= 5.0:
            self._last_listen_error = self._at
            self._error(_engine_error("listening", exc), "listening", self.turn)
        for stage in (self.wake_gate, self.endpointer, self.barge):
            if stage is not None:
                try:
                    stage.reset()
                except Exception:
                    pass
        for r in list(self._spec.values()):
            r.abort()
        self._spec.clear()
        if self.state == LISTENING:
            self.speculative.reset()

    def _done_turns(self, first: int) -> int:
        return sum(1 for r in self.results[first:] if r.outcome)

    def ask(self, text: str, language: str | None = None) -> TurnResult:
        """A typed question: plugins or the LLM answer, TTS speaks into the sink."""
        reply = self.start_text(text, language)
        reply.done.wait()
        self._reply = None
        self.state = LISTENING if not self.require_wake else IDLE
        self.turn = 0
        return reply.result

    def start_text(self, text: str, language: str | None = None) -> _Reply:
        """A typed question, started and not waited for (call from the listening loop's
        thread): :meth:`feed` ends it like a spoken turn once it is done, without opening a
        follow-up window (whoever typed it did not speak). A reply still playing is
        interrupted. ``reply.done`` is set when it has finished; ``reply.result`` is the turn."""
        self._drop_current()
        turn = self._new_turn("text")
        reply = _Reply(self, turn, text=text, language=language)
        self._reply = reply
        self.state = REPLYING
        reply.commit(decided_wall=time.monotonic())
        reply.start()
        return reply

    def _drop_current(self) -> None:
        """Whatever is under way gives way to a new turn: speculation is dropped, a reply
        still playing is interrupted and counted, a held push-to-talk is let go."""
        for r in list(self._spec.values()):
            r.abort()
        self._spec.clear()
        reply = self._reply
        if reply is not None:
            reply.interrupt()
            reply.done.wait(2.0)
            self._reply = None
            if reply.notification is None:
                self.results.append(reply.result)
                self.turns_finished += 1
        if self.state == HOLDING:
            self._end_hold("cancelled")
        self.turn = 0

    def push_to_talk(self, pressed: bool) -> None:
        """Push-to-talk (call from the listening loop's thread). Pressed: a turn starts now,
        whatever was happening (a reply playing is cut), and every block is the question, with
        no wake word and no end-of-speech detection. Released: what was said is answered
        (too short, under :data:`PTT_MIN_S`: the turn ends as ``no_speech``)."""
        if pressed:
            if self.state == HOLDING:
                return
            self._drop_current()
            self._new_turn("push_to_talk")
            self._held = []
            self._held_at = self._at
            self._deadline = None
            self._follow_up = False
            self.state = HOLDING
            self.emit(VoiceStarted(at=self._at, turn=self.turn))
            return
        if self.state != HOLDING:
            return
        audio = (np.concatenate(self._held) if self._held else np.zeros(0, np.float32))
        self._held = []
        if len(audio) < PTT_MIN_S * RATE:
            self._end_hold("no_speech")
            return
        from vaani.stages.endpoint import EndOfTurn

        self.emit(VoiceStopped(at=self._at, reason="push_to_talk", turn=self.turn))
        end = EndOfTurn(at=self._at, decided_at=self._at, reason="push_to_talk", audio=audio)
        reply = _Reply(self, self.turn, job=self._submit_asr(audio),
                       audio_seconds=len(audio) / RATE)
        self._commit(reply, end, reused=False)
        reply.start()

    def _end_hold(self, outcome: str) -> None:
        """A push-to-talk turn that asked nothing: let go too soon, or cancelled."""
        self._held = []
        result = TurnResult(self.turn, "push_to_talk", outcome=outcome)
        self.results.append(result)
        self.turns_finished += 1
        self.emit(TurnFinished(outcome=outcome, turn=self.turn))
        self.turn = 0
        self.state = IDLE if self.require_wake else LISTENING
        for stage in (self.wake_gate, self.endpointer):
            if stage is not None:
                stage.reset()

    def interrupt(self) -> bool:
        """Silence the reply being spoken now (any thread: a stop button, Ctrl-C); its turn
        ends as ``cancelled``. True if there was one."""
        reply = self._reply
        if reply is None or reply.done.is_set():
            return False
        reply.interrupt()
        return True

    def cancel(self) -> None:
        """Stop what is under way (call from the listening loop's thread): the reply, a held
        push-to-talk, a wake-word turn waiting for the question."""
        if self.state == HOLDING:
            self._end_hold("cancelled")
            return
        if self._reply is not None:
            self._drop_current()
            self.state = IDLE if self.require_wake else LISTENING
            return
        if self.turn:
            self._listen_timeout()

    def set_language(self, language: str) -> None:
        """Listen and answer in ``language`` (``hi``, ``en`` or ``auto``) from the next turn
        (call from the listening loop's thread)."""
        self.config.assistant.language = language
        self.language.language = language
        asr_lang = self.config.asr.language or language
        self.asr_language = None if asr_lang in ("", "auto") else asr_lang

    @property
    def stream_time(self) -> float:
        """Seconds of input audio fed so far (over all runs)."""
        return self._at

    def reset(self) -> None:
        """Forget the conversation: a fresh start for an unrelated one (bench, tests)."""
        for r in list(self._spec.values()):
            r.abort()
        self._spec.clear()
        if self._reply is not None:
            self._reply.interrupt()
            self._reply.done.wait(5.0)
            self._reply = None
        self.history.clear()
        self.filter.reset()
        for stage in (self.wake_gate, self.endpointer, self.barge):
            if stage is not None:
                stage.reset()
        self.speculative.reset()
        self.turn = 0
        self._deadline = self._resume_deadline = None
        self._follow_up = False
        self.state = LISTENING if not self.require_wake else IDLE

    def close(self) -> None:
        if self._observers is not None:
            self._observers.close()
        for r in list(self._spec.values()):
            r.abort()
        if self._reply is not None:
            self._reply.interrupt()
        self._asr_pool.shutdown(wait=False, cancel_futures=True)

    # -- the listening loop ---------------------------------------------------------------

    def feed(self, block: np.ndarray) -> None:
        """One block of 16 kHz mono float32 input."""
        at = self._at
        self._at += len(block) / RATE
        self.emit(AudioChunk(samples=block, at=at, turn=self.turn))
        if self.state == HOLDING:
            if self._at - self._held_at <= self.config.vad.max_utterance_s:
                self._held.append(block)
            return
        if self.state == REPLYING:
            reply = self._reply
            src = self._source
            if reply is not None and src is not None and not src.realtime:
                reply.done.wait()     # as fast as possible: a reply is never talked over
            if reply is not None and reply.done.is_set():
                self._after_reply()
            elif reply is not None and reply.committed.is_set() and self.barge is not None:
                hit = self.barge.process(block, at, self.sink_level())
                if hit:
                    self._barge_in(hit, self._at)
                return
            else:
                return
        if self.state in (IDLE, LISTENING) and self._may_notify():
            self._start_notification()
            return
        if self.state == IDLE:
            if self.wake_gate is None:
                self.state = LISTENING
            else:
                for hit in self.wake_gate.process(block, at):
                    self._on_wake(hit.name, hit.score, hit.at)
                    # people run the question on after the wake word: what follows the
                    # frame that fired is already part of it
                    rest = block[max(0, int(round((hit.at - at) * RATE))):]
                    if len(rest) and self.endpointer is not None:
                        for ev in self.endpointer.process(rest, at + (len(block) - len(rest)) / RATE):
                            self._on_endpoint(ev)
                    break
                return
        if self.state == LISTENING and self.endpointer is not None:
            for ev in self.endpointer.process(block, at):
                self._on_endpoint(ev)
            self._partials()
            if (self.state == LISTENING and self._deadline is not None
                    and not self.endpointer.busy and self._at >= self._deadline):
                self._listen_timeout()

    def finish(self, wait: bool = True) -> None:
        """The input ended: close an open utterance and let the reply finish."""
        if self.state == HOLDING:               # the input ended with the button down
            self.push_to_talk(False)
        if self.state == LISTENING and self.endpointer is not None:
            for ev in self.endpointer.flush(self._at):
                self._on_endpoint(ev)
        for job, r in list(self._spec.items()):
            r.abort()
            self._spec.pop(job, None)
        if self._reply is not None:
            if wait:
                self._reply.done.wait()
            else:
                self._reply.interrupt()
                self._reply.done.wait(5.0)
            self._after_reply(end=True)
        elif self.turn and self._trigger == "wake":
            self._listen_timeout()

    def sink_level(self) -> float:
        return float(getattr(self.sink, "level", 0.0) or 0.0)

    # -- turns ----------------------------------------------------------------------------

    def _new_turn(self, trigger: str) -> int:
        self._turn_counter += 1
        self.turn = self._turn_counter
        self._trigger = trigger
        self.emit(TurnStarted(trigger=trigger, turn=self.turn))
        return self.turn

    def _on_wake(self, name: str, score: float, at: float) -> None:
        turn = self._new_turn("wake")
        self.emit(WakeDetected(name=name, score=score, at=at, turn=turn))
        self._listen(deadline=self._at + self.config.vad.no_speech_timeout_s)

    def _listen(self, deadline: float | None, follow_up: bool = False) -> None:
        self.state = LISTENING
        self._deadline = deadline
        self._follow_up = follow_up
        if self.endpointer is not None:
            self.endpointer.reset()
        self.speculative.reset()

    def _listen_timeout(self) -> None:
        """Nobody spoke in time: a wake-word turn ends as ``no_speech``; a follow-up window
        simply closes."""
        if self.turn and self._trigger == "wake":
            result = TurnResult(self.turn, "wake", outcome="no_speech")
            self.results.append(result)
            self.emit(TurnFinished(outcome="no_speech", turn=self.turn))
            self.turns_finished += 1
        self.turn = 0
        self._deadline = None
        self._follow_up = False
        self.history.clear()
        self.filter.reset()
        self.state = IDLE if self.require_wake else LISTENING
        if self.wake_gate is not None:
            self.wake_gate.reset()

    def _on_endpoint(self, ev: object) -> None:
        if isinstance(ev, VoiceOnset):
            if not self.turn:
                self._new_turn("follow_up" if self._follow_up else "open_mic")
            self.emit(VoiceStarted(at=ev.at, turn=self.turn))
        if isinstance(ev, EndOfTurn):
            self.emit(VoiceStopped(at=ev.at, reason=ev.reason, turn=self.turn))
        for action in self.speculative.process(ev):
            if isinstance(action, Start):
                reply = _Reply(self, self.turn, job=self._submit_asr(action.audio),
                               audio_seconds=len(action.audio) / RATE,
                               speculative=action.kind == "speculative")
                if action.kind == "final":
                    self._commit(reply, ev, reused=False)
                else:
                    self._spec[action.job] = reply
                reply.start()
            elif isinstance(action, Reuse):
                reply = self._spec.pop(action.job, None)
                if reply is not None:
                    self._commit(reply, ev, reused=True)
            elif isinstance(action, Discard):
                reply = self._spec.pop(action.job, None)
                if reply is not None:
                    reply.abort()

    def _commit(self, reply: _Reply, ev: object, reused: bool) -> None:
        assert isinstance(ev, EndOfTurn)
        for r in self._spec.values():
            r.abort()
        self._spec.clear()
        reply.speech_end_at = ev.at
        reply.timings["endpoint"] = (ev.decided_at - ev.at) * 1000
        reply.timings["asr_reused"] = 1.0 if reused else 0.0
        self._reply = reply
        self.state = REPLYING
        self._resume_deadline = self._deadline if self._follow_up else None
        self._deadline = None
        if self.barge is not None:
            self.barge.reset()
        reply.commit(decided_wall=self._wall_of(ev.decided_at))

    def _wall_of(self, at: float) -> float:
        """The monotonic time at which stream time ``at`` was captured."""
        src = self._source
        if src is not None and src.realtime and src.t0 is not None:
            return src.t0 + (at - self._source_at0) / float(getattr(src, "speed", 1.0))
        return time.monotonic()

    def _after_reply(self, end: bool = False) -> None:
        """The reply has finished playing: reset what heard it, open the follow-up window."""
        reply = self._reply
        self._reply = None
        if reply is None:
            return
        if reply.notification is None:
            self.results.append(reply.result)
            self.turns_finished += 1
            if reply.result.reply:
                self.filter.remember_reply(reply.result.reply)
        self.turn = 0
        for stage in (self.wake_gate, self.endpointer, self.barge):
            if stage is not None:
                stage.reset()
        if end:
            self.state = IDLE if self.require_wake else LISTENING
            return
        follow = self.config.assistant.follow_up_s
        if reply.notification is not None:
            self._listen(self._deadline if self._follow_up else None, self._follow_up)
            if self.require_wake and not self._follow_up:
                self.state = IDLE
        elif reply.result.trigger == "text":       # typed: no follow-up, the context kept
            if self.require_wake:
                self.state = IDLE
            else:
                self._listen(None)
        elif reply.result.outcome == "answered" and follow > 0 and self.endpointer is not None:
            self._listen(deadline=self._at + follow, follow_up=True)
        elif (reply.result.outcome == "rejected" and self._resume_deadline is not None
              and self._resume_deadline > self._at):
            self._listen(deadline=self._resume_deadline, follow_up=True)   # e.g. our own echo
        elif self.require_wake:
            self.history.clear()
            self.filter.reset()
            self.state = IDLE
        else:
            self._listen(None)

    def _barge_in(self, kind: str, at: float) -> None:
        reply = self._reply
        assert reply is not None and self.barge is not None
        recent = self.barge.recent()
        reply.interrupt()
        reply.done.wait(2.0)              # its thread emits PlaybackStopped + TurnFinished
        self._reply = None
        if reply.notification is None:
            self.results.append(reply.result)
            self.turns_finished += 1
        self.turn = 0
        if self.wake_gate is not None:
            self.wake_gate.reset()
        if kind == "wake":
            self._on_wake(self.config.wake.model, 1.0, at)
            return
        # speech: the user is already talking; replay what the detector kept so the start
        # of their sentence reaches the endpointer.
        self._listen(deadline=at + self.config.vad.no_speech_timeout_s, follow_up=True)
        if self.endpointer is not None and len(recent):
            for ev in self.endpointer.process(recent, max(0.0, at - len(recent) / RATE)):
                self._on_endpoint(ev)

    # -- notifications --------------------------------------------------------------------

    def _may_notify(self) -> bool:
        if self._notifications.empty() or self._reply is not None or self.tts is None:
            return False
        return self.endpointer is None or not self.endpointer.busy

    def _start_notification(self) -> None:
        text, language, source = self._notifications.get_nowait()
        language = language or self.language.process(text, None)
        self.emit(Notification(text=text, source=source, language=language))
        reply = _Reply(self, 0, notification=(text, language, source))
        self._reply = reply
        self.state = REPLYING
        reply.commit(decided_wall=time.monotonic())
        reply.start()

    # -- ASR ------------------------------------------------------------------------------

    def _submit_asr(self, audio: np.ndarray) -> Future:
        asr = self.engines.asr
        language = self.asr_language
        with self._asr_lock:
            self._asr_pending += 1

        def job() -> tuple[AsrResult, float, float]:
            try:
                t0 = time.monotonic()
                result = asr.process(audio, language)
                return result, t0, time.monotonic()
            finally:
                with self._asr_lock:
                    self._asr_pending -= 1

        return self._asr_pool.submit(job)

    def _partials(self) -> None:
        if self.speculative.partial_every_s <= 0 or self.endpointer is None:
            return
        if self.endpointer.state != "speech":
            return
        for action in self.speculative.tick(self.endpointer.utterance(), self._asr_pending > 0):
            if isinstance(action, Start):
                future = self._submit_asr(action.audio)
                turn = self.turn
                seconds = len(action.audio) / RATE

                def done(f: Future, turn: int = turn, seconds: float = seconds) -> None:
                    if f.cancelled() or f.exception() is not None:
                        return
                    result = f.result()[0]
                    if result.text.strip() and self.turn == turn and self.state == LISTENING:
                        self.emit(Transcript(text=result.text.strip(), language=result.language,
                                             final=False, audio_seconds=seconds, turn=turn))

                future.add_done_callback(done)

    # -- LLM ------------------------------------------------------------------------------

    def reply_guard(self, text: str, language: str) -> ReplyGuard | None:
        """The checks for one LLM reply (None with ``guard.enabled = false``)."""
        g = self.config.guard
        if not g.enabled:
            return None
        host = self.host
        tools = [tool for _, tool in host.tools().values()] if host is not None else []
        abilities = host.abilities(language) if host is not None else []
        settings = GuardSettings(max_sentences=g.max_sentences,
                                 min_confidence=min_confidence(self.config.llm.model,
                                                               g.min_confidence))
        return ReplyGuard(settings, language, text, abilities=abilities, tools=tools)

    def messages(self, text: str) -> list[dict[str, str]]:
        msgs = [{"role": "system", "content": self.config.assistant.system_prompt}]
        return msgs + self.history[-4:] + [{"role": "user", "content": text}]


class _Observers:
    """Plugins' ``vaani_on_event`` on one thread with a bounded queue: an observer that is
    slow (or a plugin in a worker) never holds up the thread that emitted, which for audio
    blocks is the microphone loop. When the queue is full audio events are dropped
    (counted); anything else waits at most a moment, then is dropped and logged."""

    DROPPABLE = ("AudioChunk", "SpeechChunk", "MicLevel")

    def __init__(self, host: PluginHost, maxsize: int = 1024) -> None:
        self.host = host
        self.dropped = 0
        self._queue: queue.Queue[Event | None] = queue.Queue(maxsize=maxsize)
        self._thread = threading.Thread(target=self._run, name="vaani-observers", daemon=True)
        self._thread.start()

    def offer(self, event: Event) -> None:
        try:
            if event.kind in self.DROPPABLE:
                self._queue.put_nowait(event)
            else:
                self._queue.put(event, timeout=0.05)
        except queue.Full:
            self.dropped += 1
            if event.kind not in self.DROPPABLE:
                log.warning("plugin observers are behind: %s not delivered", event.kind)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event offered so far has been delivered (tests, shutdown)."""
        done = threading.Event()
        marker = _FlushMarker(done)
        try:
            self._queue.put(marker, timeout=timeout)  # type: ignore[arg-type]
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self) -> None:
        self.flush(2.0)
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            if isinstance(event, _FlushMarker):
                event.done.set()
                continue
            try:
                self.host.on_event(event)
            except Exception as exc:        # on_event reports plugin failures itself
                log.warning("plugin observers failed on %s: %s", event.kind, exc)


@dataclass(frozen=True)
class _FlushMarker:
    done: threading.Event


@dataclass(frozen=True)
class _Piece:
    """Streamed model text, and how many token scores existed when it was produced."""

    text: str
    scores: list[tuple[float, float]]
    n_scores: int


@dataclass(frozen=True)
class _Said:
    """A clause of VAANI's own in the reply stream (a request declined before the model)."""

    text: str


# Said when a tool the LLM called cannot serve the request, with the guard off (with it on,
# vaani.guard words the apology and adds what VAANI can do).
TOOL_APOLOGY = {"hi": "माफ़ कीजिए, यह मैं अभी नहीं कर सकती।",
                "en": "Sorry, I can't do that right now."}


def tool_apology(result: Any, language: str) -> str:
    """What is said for a failed tool call: that its skill is not responding when its plugin
    did not answer (late, crashed, its worker down: vaani.plugins.NOT_RESPONDING), else the
    fixed apology."""
    said = SKILL_NOT_RESPONDING if not_responding(result) else TOOL_APOLOGY
    return said.get(language, said["en"])


class _Preview:
    """A plugin's side-effect-free answer (``vaani_preview``) and its first clause's audio,
    made in the end-of-turn pause so that a confirmed plugin turn starts speaking at once."""

    def __init__(self, reply: _Reply, text: str, language: str) -> None:
        self.r = reply
        self.text = text
        self.language = language
        self.reply_text: str | None = None
        self.reply_language = ""
        self.clause = ""
        self.audio: list[tuple[np.ndarray, int]] = []
        self.complete = False
        self.stop = threading.Event()             # the preview is not wanted any more
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"vaani-preview-{reply.turn}")
        self.thread.start()

    def _run(self) -> None:
        r, p = self.r, self.r.p
        try:
            assert p.host is not None and p.tts is not None
            answer = p.host.preview(Utterance(self.text, self.language, r.turn))
            if answer is None or self._unwanted() or not answer.text.strip():
                return
            self.reply_text = answer.text
            self.reply_language = answer.language or self.language
            self.clause = next(iter(r._split(answer.text)), "")
            if not self.clause:
                return
            lang = r._clause_language(self.clause, self.reply_language)
            with p.tts_lock:
                for samples, rate in p.tts.process(self.clause, lang, first=True):
                    if self._unwanted():
                        return
                    self.audio.append((np.asarray(samples), rate))
            self.complete = True
        except Exception as exc:            # the normal path will synthesise (and report)
            log.debug("preview failed: %r", exc)

    def _unwanted(self) -> bool:
        return self.stop.is_set() or self.r.cancel.is_set()

    def audio_for(self, text: str, language: str) -> tuple[str, list[tuple[np.ndarray, int]]] | None:
        """The first clause's audio if the confirmed reply is the previewed one."""
        if self.reply_text is not None and (self.reply_text, self.reply_language) != (text, language):
            self.stop.set()                       # a different reply: do not wait for it
        self.thread.join()
        if not self.complete or self.reply_text != text or self.reply_language != language:
            return None
        return self.clause, self.audio


class _Reply:
    """One answer, in its own thread: transcript -> plugins or LLM -> clauses -> TTS -> sink.

    Created at a pause (speculative) or at the end of the turn. Until :meth:`commit` it only
    does work without side effects (ASR, the filter, the LLM) and emits nothing; if the user
    resumes speaking it is :meth:`abort`-ed and vanishes.
    """

    def __init__(self, p: Pipeline, turn: int, *, job: Future | None = None,
                 text: str | None = None, language: str | None = None,
                 notification: tuple[str, str, str] | None = None,
                 audio_seconds: float = 0.0, speculative: bool = False) -> None:
        self.p = p
        self.turn = turn
        self.job = job
        self.text = text
        self.language = language
        self.notification = notification
        self.audio_seconds = audio_seconds
        self.speculative = speculative
        self.cancel = threading.Event()          # stop everything (abort or barge-in)
        self.committed = threading.Event()
        self.done = threading.Event()
        self.timings: dict[str, float] = {}
        self.speech_end_at: float | None = None
        self.decided_wall = 0.0
        self.result = TurnResult(turn, p._trigger if turn else "notification")
        self._llm_cancel = threading.Event()
        self._llm_go = threading.Event()         # cleared: the LLM waits (first audio first)
        self._llm_go.set()
        self._llm_chosen = threading.Event()     # set: no plugin answered, the LLM speaks
        self._preview: _Preview | None = None    # a plugin reply's first clause, synthesised ahead
        self._llm_queue: queue.Queue[Any] | None = None
        self._guard: ReplyGuard | None = None
        self._llm_t0 = 0.0
        self._aborted = False
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"vaani-reply-{turn}")

    # control (called from the listening loop) --------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def commit(self, decided_wall: float) -> None:
        self.decided_wall = decided_wall
        self.committed.set()

    def abort(self) -> None:
        """The speculation was wrong (the user went on speaking): vanish without a trace."""
        if self.committed.is_set():
            return
        self._aborted = True
        self._llm_cancel.set()
        self.cancel.set()
        if self.job is not None:
            self.job.cancel()

    def interrupt(self) -> None:
        """Barge-in: silence now, cancel the rest (LLM included)."""
        self._llm_cancel.set()
        self.cancel.set()
        self.p.sink.stop()

    # the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        p = self.p
        outcome = "error"
        try:
            if self.notification is not None:
                text, language, source = self.notification
                self._speak(self._split(text), language)
                outcome = "answered"
                return
            if self.job is not None:
                heard = self._hear()
                if heard is None:
                    outcome = self.result.outcome or (
                        "cancelled" if self.cancel.is_set() else "rejected")
                    return
                text, language = heard
            else:
                text = (self.text or "").strip()
                language = self.language or p.language.process(text, None)
                self.result.transcript, self.result.language = text, language
                p.emit(Transcript(text=text, language=language, turn=self.turn))
            outcome = self._answer(text, language)
        except Exception as exc:
            if not self._aborted:
                self.result.errors.append(str(exc))
                p._error(exc, "pipeline", self.turn)
            outcome = "error"
        finally:
            self._llm_cancel.set()
            if self._preview is not None:
                self._preview.stop.set()
            try:
                if not self._aborted:
                    if self.cancel.is_set() and outcome not in ("rejected", "no_speech"):
                        outcome = "cancelled"
                    self._finish(outcome)
            finally:
                self.done.set()

    def _wait_commit(self) -> bool:
        while not self.committed.wait(0.01):
            if self.cancel.is_set():
                return False
        return not self._aborted

    def _hear(self) -> tuple[str, str] | None:
        p = self.p
        assert self.job is not None
        while True:
            try:
                result, t0, t1 = self.job.result(timeout=0.02)
                break
            except FutureTimeout:
                if self.cancel.is_set():
                    return None
            except CancelledError:
                return None
            except Exception as exc:
                if not self._wait_commit():
                    return None
                self.result.errors.append(str(exc))
                p._error(_engine_error("asr", exc), "asr", self.turn)
                self.result.outcome = "error"
                return None
        text = result.text.strip()
        rejected = p.filter.process(result)
        language = p.language.process(text, result.language) if not rejected else result.language
        if (not rejected and self.speculative and p.engines.llm is not None
                and not self.committed.is_set()):
            # no side effects: safe before the turn is confirmed. Once it is, the plugins
            # go first: a needless LLM prompt evaluation would slow the plugin's TTS down.
            self._start_llm(text, language)
        if (not rejected and self.speculative and p.host is not None and p.tts is not None
                and not self.committed.is_set()):
            self._preview = _Preview(self, text, language)
        if not self._wait_commit():
            return None
        self.timings["asr"] = (t1 - t0) * 1000
        self.timings["asr_wait"] = max(0.0, t1 - self.decided_wall) * 1000
        self.result.transcript, self.result.language, self.result.rejected = text, language, rejected
        self.result.speech_end_at = self.speech_end_at
        p.emit(Transcript(text=text, language=language, final=True,
                          audio_seconds=self.audio_seconds,
                          no_speech_prob=result.no_speech_prob,
                          avg_logprob=result.avg_logprob, rejected=rejected, turn=self.turn))
        if rejected:
            self.result.outcome = "rejected"
            return None
        return text, language

    def _answer(self, text: str, language: str) -> str:
        p = self.p
        answer = None
        if p.host is not None:
            t = time.perf_counter()
            answer = p.host.handle(Utterance(text, language, self.turn))
            self.timings["plugin"] = (time.perf_counter() - t) * 1000
        if self.cancel.is_set():
            return "cancelled"
        if answer is not None:
            self._llm_cancel.set()
            reply = answer.reply
            rlang = reply.language or language
            source = f"plugin:{answer.plugin}"
            self.result.reply, self.result.source, self.result.language = reply.text, source, language
            self.result.data = dict(reply.data or {})
            p.emit(ReplyTextChunk(text=reply.text, source=source, final=True, language=rlang,
                                  turn=self.turn))
            preview = self._preview
            ready = preview.audio_for(reply.text, rlang) if preview is not None else None
            ok = self._speak(self._split(reply.text), rlang, ready=ready)
            self._remember(text, reply.text)
            return "answered" if ok else ("cancelled" if self.cancel.is_set() else "error")
        if p.engines.llm is None:
            p._error(EngineError("no plugin could answer and no LLM is configured",
                                 hint="set [llm] engine and model"), "pipeline", self.turn)
            return "unanswered"
        self._llm_chosen.set()
        if self._preview is not None:
            self._preview.stop.set()
        if self._llm_queue is None:
            self._start_llm(text, language)
        self.result.source = "llm"
        ok = self._speak(self._llm_clauses(language), language)
        self._remember(text, self.result.reply)
        return "answered" if ok and not self.result.errors else "error"

    def _remember(self, user: str, reply: str) -> None:
        if reply.strip() and not self.cancel.is_set():
            self.p.history += [{"role": "user", "content": user},
                               {"role": "assistant", "content": reply.strip()}]

    # LLM ---------------------------------------------------------------------------------

    def _start_llm(self, text: str, language: str) -> None:
        p = self.p
        cfg = p.config.llm
        q: queue.Queue[Any] = queue.Queue(maxsize=max(64, cfg.max_tokens * 2))
        self._llm_queue = q
        guard = self._guard = p.reply_guard(text, language)
        if guard is not None:
            declined = guard.before()          # live information, actions no tool offers
            if declined:
                for clause in declined:
                    q.put(_Said(clause))
                q.put(_END)
                return
        messages = p.messages(text)
        cancel = self._llm_cancel
        scores: list[tuple[float, float]] = []
        extra: dict[str, Any] = {"scores": scores} if guard is not None and p.llm_scores else {}
        if p.llm_tools and p.host is not None:   # the model reads what it may call
            schemas = [tool.schema() for _, tool in p.host.tools().values()]
            if schemas:
                extra["tools"] = schemas

        def generate(msgs: list[dict[str, Any]]) -> Iterator[str]:
            return p.engines.llm.process(
                msgs, max_tokens=cfg.max_tokens, temperature=cfg.temperature,
                top_p=cfg.top_p, seed=cfg.seed if cfg.seed >= 0 else None, cancel=cancel,
                **extra)

        def call_tool(name: str, args: Any) -> dict[str, Any]:
            # a tool may act (a timer): only once the turn is confirmed and no plugin took it
            while not self._llm_chosen.wait(0.02):
                if cancel.is_set():
                    return {"error": "cancelled"}
            if cancel.is_set():                  # barge-in while the model wrote the call
                return {"error": "cancelled"}
            if p.host is None:
                return {"error": f"no tool named {name!r} is available offline"}
            t = time.perf_counter()
            result = p.host.call_tool(name, args, language, turn=self.turn, utterance=text)
            self.timings["tool"] = self.timings.get("tool", 0.0) + (time.perf_counter() - t) * 1000
            self.result.data.setdefault("tool_calls", []).append(
                {"name": name, "arguments": args, "result": result})
            if guard is not None:                # in order with the reply's text
                q.put(p.host.tool_ran(name, args, result, language))
            return result

        def produce() -> None:
            with p.llm_lock:                 # one generation at a time on one model
                self._llm_t0 = time.perf_counter()
                try:
                    if cancel.is_set():
                        return
                    first = True
                    # after a failed call the model is not asked again (with the guard on,
                    # the guard words the apology instead of this one)
                    for piece in stream_with_tools(
                            generate, messages, call_tool, cancelled=cancel.is_set,
                            apology=lambda result: tool_apology(result, language)):
                        if first:
                            self.timings["llm_first_token"] = (time.perf_counter() - self._llm_t0) * 1000
                            first = False
                        q.put(_Piece(piece, scores, len(scores)))
                        if cancel.is_set():
                            break
                        # On 2 cores the LLM and TTS slow each other down. The first clause
                        # is all that matters for latency, so the LLM yields the CPU until
                        # its audio is out; it has a whole clause of playback to catch up.
                        while not self._llm_go.wait(0.05):
                            if cancel.is_set():
                                break
                except Exception as exc:
                    q.put(exc)
                finally:
                    self.timings["llm_total"] = (time.perf_counter() - self._llm_t0) * 1000
                    q.put(_END)

        threading.Thread(target=produce, daemon=True, name=f"vaani-llm-{self.turn}").start()

    def _llm_clauses(self, language: str) -> Iterator[str]:
        """The reply's clauses as they close; with the guard on, only those it passed."""
        p = self.p
        assert self._llm_queue is not None
        guard = self._guard
        splitter = ClauseSplitter()
        parts: list[str] = []
        said: list[str] = []
        first = True
        scores: list[tuple[float, float]] = []

        def out(clauses: list[str]) -> Iterator[str]:
            nonlocal first
            for clause in clauses:
                if first:
                    self.timings["llm_first_clause"] = (time.perf_counter() - self._llm_t0) * 1000
                    first = False
                if guard is not None:
                    p.emit(ReplyTextChunk(text=(" " if said else "") + clause, source="llm",
                                          language=language, turn=self.turn))
                    said.append(clause)
                    self.result.reply = " ".join(said)
                yield clause

        try:
            while True:
                try:
                    item = self._llm_queue.get(timeout=0.05)
                except queue.Empty:
                    if self.cancel.is_set():
                        return
                    continue
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    self.result.errors.append(str(item))
                    p._error(_engine_error("llm", item), "llm", self.turn)
                    break
                if isinstance(item, _Said):            # declined before asking the model
                    yield from out([item.text])
                    continue
                if isinstance(item, ToolRan):
                    if guard is not None:
                        clauses = guard.tool_ran(item)
                        if guard.done and not_responding(item.result):
                            # its plugin did not answer: say so rather than "I can't"
                            clauses = list(self._split(tool_apology(item.result, language)))
                        yield from out(clauses)
                        if guard.done:
                            self._llm_cancel.set()
                            break
                    continue
                piece = item.text
                parts.append(piece)
                if guard is None:
                    self.result.reply = "".join(parts)
                    p.emit(ReplyTextChunk(text=piece, source="llm", language=language,
                                          turn=self.turn))
                    yield from out(splitter.process(piece))
                else:
                    scores = item.scores[:item.n_scores]
                    yield from out(guard.feed(piece, scores))
                    if guard.done:
                        self._llm_cancel.set()        # nothing more of it will be spoken
                        break
                if self.cancel.is_set():
                    return
            if guard is None:
                yield from out(splitter.flush())
            elif not self.cancel.is_set():
                yield from out(guard.finish(scores))
        finally:
            if guard is not None:
                report = guard.report
                if parts:
                    report["llm_text"] = "".join(parts)
                self.result.data["guard"] = report
                if guard.abstained:
                    self.result.data["abstained"] = guard.abstained
            p.emit(ReplyTextChunk(text="", source="llm", final=True, language=language,
                                  turn=self.turn))

    # speaking ----------------------------------------------------------------------------

    def _split(self, text: str) -> Iterator[str]:
        splitter = ClauseSplitter()
        yield from splitter.process(text)
        yield from splitter.flush()

    def _clause_language(self, clause: str, language: str) -> str:
        """The language a clause is spoken in: resolved per clause when the assistant's
        language is auto (a Hindi reply may quote English), else the reply's."""
        p = self.p
        return p.language.process(clause, language) if p.language.language == "auto" else language

    def _speak(self, clauses: Iterator[str], language: str,
               ready: tuple[str, list[tuple[np.ndarray, int]]] | None = None) -> bool:
        """TTS clause by clause into the sink; True if it all went out. ``ready``: the first
        clause and its audio, synthesised ahead (a plugin's preview)."""
        try:
            return self._speak_clauses(clauses, language, ready)
        finally:
            self._llm_go.set()

    def _speak_clauses(self, clauses: Iterator[str], language: str,
                       ready: tuple[str, list[tuple[np.ndarray, int]]] | None = None) -> bool:
        p = self.p
        if p.tts is None:
            for _ in clauses:
                pass
            return True
        sink = p.sink
        started = False
        ok = True
        first_clause = True
        try:
            for clause in clauses:
                if self.cancel.is_set():
                    break
                lang = self._clause_language(clause, language)
                if not started:
                    self._llm_go.clear()
                t = time.perf_counter()
                try:
                    ahead = first_clause and ready is not None and ready[0] == clause
                    if ahead:
                        self.timings["tts_ahead"] = 1.0
                    chunks = (iter(ready[1]) if ahead and ready is not None
                              else p.tts.process(clause, lang, first=first_clause))  # lazy
                    with contextlib.nullcontext() if ahead else p.tts_lock:
                        for samples, rate in chunks:
                            if self.cancel.is_set():
                                break
                            if not started:
                                self.timings["tts_first_audio"] = (time.perf_counter() - t) * 1000
                                sink.begin()
                                p.emit(PlaybackStarted(turn=self.turn))
                                started = True
                            p.emit(SpeechChunk(samples=samples, sample_rate=rate, text=clause,
                                               turn=self.turn))
                            sink.write(samples, rate)
                            self._llm_go.set()
                except Exception as exc:
                    ok = False
                    self.result.errors.append(str(exc))
                    p._error(_engine_error("tts", exc), "tts", self.turn)
                    break
                first_clause = False
        finally:
            if started:
                if not self.cancel.is_set():
                    sink.drain(self.cancel)
                if sink.first_sound_t is not None:
                    self.result.first_sound_t = sink.first_sound_t
                    self.timings["response"] = (sink.first_sound_t - self.decided_wall) * 1000
                    if "endpoint" in self.timings:
                        self.timings["e2e"] = self.timings["endpoint"] + self.timings["response"]
                p.emit(PlaybackStopped(interrupted=self.cancel.is_set(), turn=self.turn))
        return ok and not self.cancel.is_set()

    def _finish(self, outcome: str) -> None:
        p = self.p
        if self.notification is not None:
            return
        self.result.outcome = outcome
        if self.result.source.startswith("plugin:"):     # a speculative LLM start was dropped
            for key in ("llm_first_token", "llm_first_clause", "llm_total"):
                self.timings.pop(key, None)
        self.result.timings = dict(self.timings)      # a snapshot: the LLM thread may still add
        for stage, ms in self.result.timings.items():
            if stage != "asr_reused":
                p.emit(StageTiming(stage=stage, ms=ms, turn=self.turn))
        p.emit(TurnFinished(outcome=outcome, timings=dict(self.timings), turn=self.turn))


def _accepts(fn: Any, name: str) -> bool:
    """Does callable ``fn`` take keyword argument ``name``?"""
    import inspect

    if fn is None:
        return False
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _engine_error(kind: str, exc: BaseException) -> BaseException:
    from vaani.errors import VaaniError

    if isinstance(exc, VaaniError):
        return exc
    return EngineError(f"{kind} engine failed: {type(exc).__name__}: {exc}")
