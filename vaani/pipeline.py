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

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from vaani.audio import RATE, AudioSink, AudioSource, NullSink
from vaani.config import Config
from vaani.engines import AsrResult
from vaani.events import (AudioChunk, AudioStart, AudioStop, Event, Notification,
                          Transcript, TurnFinished, TurnStarted, VoiceStarted,
                          VoiceStopped, WakeDetected, error_event)
from vaani.guard import ReplyGuard, min_confidence
from vaani.guard import Settings as GuardSettings
from vaani.llm.routing import LlmRoute, LlmRouter
from vaani.stages import (BargeInDetector, Discard, EndOfTurn, Endpointer, LanguageResolver,
                          Reuse, SpeculativeAsr, Start, TranscriptFilter, TtsStage, VoiceOnset,
                          WakeGate)
from vaani.turn import TurnReply, TurnResult, engine_error, tool_apology  # noqa: F401

if TYPE_CHECKING:
    from vaani.plugins import PluginHost

log = logging.getLogger(__name__)

IDLE, LISTENING, REPLYING = "idle", "listening", "replying"
__all__ = ["Engines", "Pipeline", "TurnResult", "tool_apology", "IDLE", "LISTENING", "REPLYING",
           "HOLDING"]
HOLDING = "holding"          # push-to-talk: the button is down, every block is the question
PTT_MIN_S = 0.25             # a shorter press is a slip, not a question


@dataclass
class Engines:
    """The engine objects a pipeline drives (any may be absent if the job does not need it)."""

    vad: Any = None
    asr: Any = None
    wake: Any = None
    end_of_turn: Any = None
    llm: Any = None
    llm_english: Any = None        # [llm] route_english's engine (None: off or not installed)
    llm_english_model: str = ""
    tts: dict[str, Any] = field(default_factory=dict)     # language -> TTS engine


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
        # which model writes an LLM turn: English to [llm] route_english when it is loaded;
        # the route says whether its engine gives token scores (for the guard) and takes the
        # installed tools in its prompt
        self.llm_router = LlmRouter(engines.llm, config.llm.model, engines.llm_english,
                                    engines.llm_english_model)

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
        self._reply: TurnReply | None = None
        self._spec: dict[int, TurnReply] = {}
        self._at = 0.0
        self._source_at0 = 0.0
        self._source: AudioSource | None = None
        self._stop = threading.Event()
        self._held: list[np.ndarray] = []     # push-to-talk audio while HOLDING
        self._held_at = 0.0
        self._notifications: queue.Queue[tuple[str, str, str]] = queue.Queue(maxsize=32)
        self.history: list[dict[str, str]] = []
        self._history_lock = threading.Lock()
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

    # -- what a reply sees of the pipeline (vaani.turn.TurnContext) ------------------------

    def error(self, exc: BaseException, source: str, turn: int) -> None:
        """Report a failure as an ``Error`` event (any thread)."""
        self._error(exc, source, turn)

    @property
    def trigger(self) -> str:
        return self._trigger

    def remember(self, user: str, reply: str) -> None:
        """Keep an exchange for the model's context (the reply's thread; the loop clears
        the history under the same lock)."""
        with self._history_lock:
            self.history += [{"role": "user", "content": user},
                             {"role": "assistant", "content": reply}]

    def forget(self) -> None:
        """A new conversation: the history and the transcript filter's memory go."""
        with self._history_lock:
            self.history = []
        self.filter.reset()

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
            self._error(engine_error("listening", exc), "listening", self.turn)
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

    def start_text(self, text: str, language: str | None = None) -> TurnReply:
        """A typed question, started and not waited for (call from the listening loop's
        thread): :meth:`feed` ends it like a spoken turn once it is done, without opening a
        follow-up window (whoever typed it did not speak). A reply still playing is
        interrupted. ``reply.done`` is set when it has finished; ``reply.result`` is the turn."""
        self._drop_current()
        turn = self._new_turn("text")
        reply = TurnReply(self, turn, text=text, language=language)
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
        reply = TurnReply(self, self.turn, job=self._submit_asr(audio),
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
        self.forget()
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
                for wake in self.wake_gate.process(block, at):
                    self._on_wake(wake.name, wake.score, wake.at)
                    # people run the question on after the wake word: what follows the
                    # frame that fired is already part of it
                    rest = block[max(0, int(round((wake.at - at) * RATE))):]
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
        self.forget()
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
                reply = TurnReply(self, self.turn, job=self._submit_asr(action.audio),
                                  audio_seconds=len(action.audio) / RATE,
                                  speculative=action.kind == "speculative")
                if action.kind == "final":
                    self._commit(reply, ev, reused=False)
                else:
                    self._spec[action.job] = reply
                reply.start()
            elif isinstance(action, Reuse):
                kept = self._spec.pop(action.job, None)
                if kept is not None:
                    self._commit(kept, ev, reused=True)
            elif isinstance(action, Discard):
                dropped = self._spec.pop(action.job, None)
                if dropped is not None:
                    dropped.abort()

    def _commit(self, reply: TurnReply, ev: object, reused: bool) -> None:
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
            self.forget()
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
        reply = TurnReply(self, 0, notification=(text, language, source))
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

    def llm_route(self, language: str) -> LlmRoute:
        """The model that answers an LLM turn in ``language`` (vaani/llm/routing.py)."""
        return self.llm_router.process(language)

    def reply_guard(self, text: str, language: str, model: str = "") -> ReplyGuard | None:
        """The checks for one LLM reply (None with ``guard.enabled = false``), with the
        confidence threshold of ``model`` (default: ``[llm] model``), the one that writes it."""
        g = self.config.guard
        if not g.enabled:
            return None
        host = self.host
        tools = [tool for _, tool in host.tools().values()] if host is not None else []
        abilities = host.abilities(language) if host is not None else []
        settings = GuardSettings(max_sentences=g.max_sentences,
                                 min_confidence=min_confidence(model or self.config.llm.model,
                                                               g.min_confidence))
        return ReplyGuard(settings, language, text, abilities=abilities, tools=tools)

    def messages(self, text: str) -> list[dict[str, str]]:
        msgs = [{"role": "system", "content": self.config.assistant.system_prompt}]
        with self._history_lock:
            recent = self.history[-4:]
        return msgs + recent + [{"role": "user", "content": text}]


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

