"""The session: one assistant, driven by one loop that owns its state, and commands from any
thread through an inbox.

Front ends (the daemon's socket clients, the desktop app, scripts embedding VAANI) never touch
the pipeline. They :meth:`Session.submit` a command (the :mod:`vaani.protocol` dataclasses:
Ask, PushToTalk, Cancel, SetMuted, SetLanguage, ReloadConfig, GetStatus, Say) and get a
:class:`~concurrent.futures.Future` of its :class:`~vaani.protocol.Result`; they
:meth:`Session.subscribe` to events and get them on a thread and a bounded queue of their own,
so a slow subscriber loses microphone-level events rather than stalling the microphone.

The loop is the only thread that changes the pipeline's listening state: with a microphone it
applies commands between audio blocks (``Pipeline.run(on_block=...)``), without one it waits
on the inbox. The one exception is stopping a reply that is speaking (:meth:`Session.submit`
of a ``Cancel`` silences it at once from the caller's thread, through the thread-safe
``Pipeline.interrupt``): a stop button must not wait for the next block.

No microphone is a state (``no_microphone``, with why), not a crash: the loop tries to open it
again every few seconds, and typed questions are answered meanwhile.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from vaani import protocol
from vaani.errors import AudioError, ConfigError, VaaniError
from vaani.events import AudioChunk, Event, MicLevel, StateChanged

log = logging.getLogger(__name__)

LEVEL_EVERY_S = 0.1            # MicLevel events: ten a second, of stream time
RETRY_S = (1.0, 2.0, 5.0, 10.0, 30.0)     # opening the microphone again after it failed
DROPPABLE = frozenset({"AudioChunk", "SpeechChunk", "MicLevel"})


class State(str, Enum):
    IDLE = "idle"                    # waiting for the wake word (or, without audio, a command)
    LISTENING = "listening"          # taking the question (open mic, after the wake word, PTT)
    THINKING = "thinking"            # the question is being answered, nothing heard yet
    SPEAKING = "speaking"            # the reply or a notification is playing
    MUTED = "muted"                  # the microphone is closed on purpose
    NO_MICROPHONE = "no_microphone"  # it cannot be opened; retried, typed questions work
    STOPPED = "stopped"


# -- subscribers ----------------------------------------------------------------------------------

class Subscription:
    """One subscriber's queue and thread. ``fn`` is called with each event, in order, on the
    subscription's own thread. When the queue is full, events in :data:`DROPPABLE` and
    partial transcripts are dropped (counted in ``dropped``); any other event calls
    ``on_overflow`` (default: count it in ``lost`` and go on): the daemon disconnects a
    client that far behind."""

    def __init__(self, fn: Callable[[Event], None], *, name: str = "", maxsize: int = 512,
                 kinds: Iterable[str] = (),
                 on_overflow: Callable[[Subscription], None] | None = None) -> None:
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "subscriber")
        self.kinds = frozenset(kinds)
        self.on_overflow = on_overflow
        self.dropped = 0
        self.lost = 0
        self.closed = False
        self._queue: queue.Queue[Event | None] = queue.Queue(maxsize=maxsize)
        self._thread = threading.Thread(target=self._run, name=f"vaani-sub-{self.name}",
                                        daemon=True)
        self._thread.start()

    def offer(self, event: Event) -> None:
        if self.closed or (self.kinds and event.kind not in self.kinds):
            return
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            if event.kind in DROPPABLE or getattr(event, "final", True) is False:
                self.dropped += 1
            elif self.on_overflow is not None:
                self.on_overflow(self)
            else:
                self.lost += 1
                log.warning("subscriber %s is behind: %s lost", self.name, event.kind)

    def close(self, wait: bool = False) -> None:
        """Stop after the events already queued (``wait``: until they are handled)."""
        if self.closed:
            return
        self.closed = True
        try:
            self._queue.put_nowait(None)
        except queue.Full:               # behind anyway: it ends at the next get
            pass
        if wait and threading.current_thread() is not self._thread:
            self._thread.join(5.0)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None or (self.closed and self._queue.empty() and event is None):
                return
            try:
                self.fn(event)
            except Exception as exc:      # a subscriber's bug must not stop the others
                log.warning("event subscriber %s failed on %s: %s", self.name, event.kind, exc)
            if self.closed and self._queue.empty():
                return


class Bus:
    """Fan-out to subscriptions; :meth:`publish` never blocks."""

    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()

    def subscribe(self, fn: Callable[[Event], None], **kwargs: Any) -> Subscription:
        sub = Subscription(fn, **kwargs)
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)
        sub.close()

    def publish(self, event: Event) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub.offer(event)

    def close(self) -> None:
        with self._lock:
            subs, self._subs = self._subs, []
        for sub in subs:
            sub.close(wait=True)


# -- the session ----------------------------------------------------------------------------------

@dataclass
class _Pending:
    command: protocol.Command
    future: Future[protocol.Result]


class Session:
    """One assistant and the loop that drives it.

    ``make_assistant(config)`` builds an (unstarted) :class:`vaani.assistant.Assistant`;
    ``source()`` opens the microphone (an :class:`~vaani.audio.AudioSource`; None: no
    audio, text only). ``config_path`` is what ``ReloadConfig`` reads again.
    """

    def __init__(self, config: Any, make_assistant: Callable[[Any], Any], *,
                 source: Callable[[], Any] | None = None,
                 config_path: str | Path | None = None) -> None:
        self.config = config
        self.make_assistant = make_assistant
        self.open_source = source
        self.config_path = config_path
        self.bus = Bus()
        self.assistant: Any = None
        self.clients: Callable[[], int] = lambda: 0      # the daemon says how many
        self.started_at = time.monotonic()
        self._inbox: queue.Queue[_Pending | None] = queue.Queue()
        self._state = State.IDLE
        self._why = ""
        self._state_lock = threading.Lock()
        self._muted = False
        self._mic_error = ""
        self._retry = 0
        self._next_try = 0.0
        self._playing = False
        self._said = False                   # the reply under way has finished speaking
        self._turns = 0
        self._asks: list[tuple[Any, Future[protocol.Result], protocol.Ask]] = []
        self._closing = threading.Event()
        self._leave_run = False
        self._running = False                # the loop is inside pipeline.run
        self._level_sum = 0.0
        self._level_n = 0
        self._level_peak = 0.0
        self._level_at = 0.0
        self._thread: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------------------------

    @property
    def audio(self) -> bool:
        return self.open_source is not None

    def start(self) -> Session:
        """Load the models (in this thread: errors reach the caller) and start the loop."""
        self._start_assistant(self.config)
        self._thread = threading.Thread(target=self._loop, name="vaani-session", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the loop, the assistant and every subscription (idempotent)."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._inbox.put(None)
        pipeline = self.pipeline
        if pipeline is not None:
            pipeline.interrupt()
            pipeline.stop()
        if self._thread is not None and threading.current_thread() is not self._thread:
            self._thread.join(10.0)
        self._set_state(State.STOPPED)
        if self.assistant is not None:
            self.assistant.close()
        self.bus.close()

    def __enter__(self) -> Session:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pipeline(self) -> Any:
        return self.assistant.pipeline if self.assistant is not None else None

    @property
    def state(self) -> State:
        return self._state

    # -- commands -------------------------------------------------------------------------------

    def submit(self, command: protocol.Command) -> Future[protocol.Result]:
        """Queue ``command`` for the loop (any thread); the future gets its Result. A Cancel
        also silences the reply at once, here."""
        future: Future[protocol.Result] = Future()
        if self._closing.is_set():
            future.set_result(_error(command, VaaniError("the session has stopped")))
            return future
        if isinstance(command, protocol.Cancel) and self.pipeline is not None:
            self.pipeline.interrupt()
        self._inbox.put(_Pending(command, future))
        return future

    def request(self, command: protocol.Command, timeout: float | None = None) -> protocol.Result:
        """:meth:`submit` and wait for the Result."""
        return self.submit(command).result(timeout)

    def subscribe(self, fn: Callable[[Event], None], **kwargs: Any) -> Subscription:
        """Events on a thread and a bounded queue of their own (see :class:`Subscription`)."""
        return self.bus.subscribe(fn, **kwargs)

    def unsubscribe(self, sub: Subscription) -> None:
        self.bus.unsubscribe(sub)

    # -- the loop -------------------------------------------------------------------------------

    def _loop(self) -> None:
        try:
            while not self._closing.is_set():
                if self.audio and not self._muted and time.monotonic() >= self._next_try:
                    self._listen()
                    continue
                wait = max(0.05, self._next_try - time.monotonic()) if (
                    self.audio and not self._muted) else None
                self._update_state()
                try:
                    item = self._inbox.get(timeout=wait)
                except queue.Empty:
                    continue
                if item is None:
                    break
                self._apply(item)
                self._drain()
        except Exception as exc:        # a bug here must not leave clients hanging
            log.exception("session loop failed: %s", exc)
        finally:
            for pending in self._drain_all():
                pending.future.set_result(_error(pending.command,
                                                 VaaniError("the session has stopped")))
            for _, future, ask in self._asks:
                if not future.done():
                    future.set_result(_error(ask, VaaniError("the session has stopped")))

    def _listen(self) -> None:
        """Open the microphone and run the pipeline on it until a command or a failure
        makes it leave; a failure to open is the ``no_microphone`` state, retried."""
        assert self.open_source is not None
        try:
            source = self.open_source()
        except (AudioError, OSError) as exc:
            self._mic_failed(exc)
            return
        self._leave_run = False
        self._mic_error = ""
        self._running = True
        self._update_state()
        try:
            self.pipeline.run(source, on_block=self._between_blocks)
        except (AudioError, OSError) as exc:
            self._mic_failed(exc)
            return
        finally:
            self._running = False
            self._finish_asks()                # run() waited for a reply under way
        if not self._leave_run and not self._closing.is_set():
            self._mic_failed(AudioError("the microphone stopped sending audio"))
        else:
            self._retry = 0

    def _mic_failed(self, exc: BaseException) -> None:
        message = getattr(exc, "message", str(exc))
        wait = RETRY_S[min(self._retry, len(RETRY_S) - 1)]
        self._retry += 1
        self._next_try = time.monotonic() + wait
        if message != self._mic_error:
            log.warning("microphone: %s (trying again in %.0f s)", message, wait)
        self._mic_error = message
        self._update_state()

    def _between_blocks(self) -> None:
        self._drain()
        self._finish_asks()
        self._update_state()
        if self._leave_run or self._closing.is_set():
            self.pipeline.stop()

    def _drain(self) -> None:
        for pending in self._drain_all():
            self._apply(pending)

    def _drain_all(self) -> list[_Pending]:
        out: list[_Pending] = []
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                return out
            if item is None:
                self._closing.set()
                self._leave_run = True
                return out
            out.append(item)

    def _apply(self, pending: _Pending) -> None:
        command = pending.command
        try:
            handler = getattr(self, f"_do_{command.name}", None)
            if handler is None:
                raise VaaniError(f"the session does not take {command.name} commands")
            result = handler(command, pending.future)
        except VaaniError as exc:
            result = _error(command, exc)
        except Exception as exc:
            log.exception("command %s failed", command.name)
            result = _error(command, VaaniError(f"{type(exc).__name__}: {exc}"))
        if result is not None:
            pending.future.set_result(result)
        self._update_state()

    # -- one method per command (in the loop's thread; None: the Result comes later) -------------

    def _do_Hello(self, c: protocol.Hello, f: Future[protocol.Result]) -> protocol.Result:
        return _ok(c, {"state": self._state.value})

    def _do_Ask(self, c: protocol.Ask, f: Future[protocol.Result]) -> protocol.Result | None:
        text = c.text.strip()
        if not text:
            raise VaaniError("nothing to answer: the question is empty")
        language = c.language or None
        if language not in (None, "hi", "en"):
            raise VaaniError(f"language must be hi, en or empty, not {c.language!r}")
        pipeline = self.pipeline
        if self._in_run():
            reply = pipeline.start_text(text, language)     # ended by the audio loop
            self._asks.append((reply, f, c))
            return None
        result = pipeline.ask(text, language)
        return _ok(c, result.to_dict())

    def _do_Say(self, c: protocol.Say, f: Future[protocol.Result]) -> protocol.Result:
        text = c.text.strip()
        if not text:
            raise VaaniError("nothing to say: the text is empty")
        self.pipeline.notify(text, c.language, "say")
        spoken = 0 if self._in_run() else self.pipeline.speak_notifications()
        return _ok(c, {"queued": self._in_run(), "spoken": spoken})

    def _do_PushToTalk(self, c: protocol.PushToTalk, f: Future[protocol.Result]) -> protocol.Result:
        if not self.audio:
            raise AudioError("push-to-talk needs the microphone, and this session has none",
                             hint="run the daemon without --no-audio")
        if self._muted:
            raise AudioError("the microphone is muted", hint="unmute first")
        if not self._in_run():
            raise AudioError(f"no microphone: {self._mic_error or 'not open'}",
                             hint="check `vaani devices` and audio.input_device")
        self.pipeline.push_to_talk(c.pressed)
        return _ok(c, {"turn": self.pipeline.turn})

    def _do_Cancel(self, c: protocol.Cancel, f: Future[protocol.Result]) -> protocol.Result:
        self.pipeline.cancel()
        return _ok(c, {})

    def _do_SetMuted(self, c: protocol.SetMuted, f: Future[protocol.Result]) -> protocol.Result:
        if c.muted != self._muted:
            self._muted = c.muted
            if c.muted and self._in_run():
                self.pipeline.cancel()
                self._leave_run = True            # run() returns; the microphone closes
            if not c.muted:
                self._next_try = 0.0
                self._retry = 0
        return _ok(c, {"muted": self._muted})

    def _do_SetLanguage(self, c: protocol.SetLanguage, f: Future[protocol.Result]) -> protocol.Result:
        if c.language not in ("hi", "en", "auto"):
            raise ConfigError(f"language must be hi, en or auto, not {c.language!r}")
        self.pipeline.set_language(c.language)
        return _ok(c, {"language": c.language})

    def _do_ReloadConfig(self, c: protocol.ReloadConfig, f: Future[protocol.Result]) -> protocol.Result:
        from vaani import config as config_mod

        config = config_mod.load(self.config_path)
        config.validate()
        if config == self.config:
            return _ok(c, {"reloaded": False})
        old = self.assistant
        self.pipeline.cancel()
        self._start_assistant(config)          # a failure here keeps the old one running
        old.close()
        self.config = config
        self._leave_run = True                 # run() returns; the loop opens the mic again
        return _ok(c, {"reloaded": True})

    def _do_GetStatus(self, c: protocol.GetStatus, f: Future[protocol.Result]) -> protocol.Result:
        return _ok(c, self.status())

    # -- state ----------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """What a status line or a GUI shows (any thread)."""
        a = self.assistant
        cfg = self.config
        pending = []
        plugins = []
        if a is not None:
            now = time.time()
            for name, p in a.host.pending():
                pending.append({"plugin": name, "what": p.what, "due_in_s": round(p.due - now, 1),
                                "kept": p.kept})
            for d in a.host.describe():
                plugins.append({k: d[k] for k in ("name", "calls", "failures", "timeouts")
                                if k in d})
        return {
            "state": self._state.value, "why": self._why, "muted": self._muted,
            "config_path": str(self.config_path or _default_config_path()),
            "audio": self.audio, "language": cfg.assistant.language,
            "languages": list(cfg.assistant.languages),
            "models": {"asr": cfg.asr.model, "llm": cfg.llm.model, "wake": cfg.wake.model,
                       "tts": dict(cfg.tts.voices)},
            "wake_word": bool(self.pipeline is not None and self.pipeline.require_wake),
            "plugins": plugins, "pending": pending, "clients": self.clients(),
            "turns": self._turns,
            "uptime_s": round(time.monotonic() - self.started_at, 1),
        }

    def _derive(self) -> tuple[State, str]:
        from vaani.pipeline import HOLDING, IDLE, REPLYING

        if self._closing.is_set():
            return State.STOPPED, ""
        if self._muted:
            return State.MUTED, ""
        if self.audio and self._mic_error:
            return State.NO_MICROPHONE, self._mic_error
        if self.audio and not self._running:      # opening the microphone (again)
            return self._state, self._why
        p = self.pipeline
        if p is None:
            return State.IDLE, ""
        if p.state == REPLYING and self._playing:
            return State.SPEAKING, ""
        if p.state == REPLYING and not self._said:
            return State.THINKING, ""
        if p.state == HOLDING:
            return State.LISTENING, ""
        if not self._in_run() or p.state == IDLE:
            return State.IDLE, ""
        return State.LISTENING, ""

    def _update_state(self) -> None:
        self._set_state(*self._derive())

    def _set_state(self, state: State, why: str = "") -> None:
        with self._state_lock:
            if state == self._state and why == self._why:
                return
            previous, self._state, self._why = self._state, state, why
        event = StateChanged(state=state.value, previous=previous.value, why=why)
        pipeline = self.pipeline
        if pipeline is not None and state != State.STOPPED:
            pipeline.emit(event)            # the trace and plugin observers see it too
        else:
            self.bus.publish(event)

    # -- from the pipeline (in whichever thread emitted: keep it short) -------------------------

    def _on_event(self, event: Event) -> None:
        kind = event.kind
        self.bus.publish(event)
        if isinstance(event, AudioChunk):
            self._level(event)
            return
        if kind == "PlaybackStarted":
            self._playing = True
        elif kind in ("PlaybackStopped", "TurnFinished"):
            self._turns += kind == "TurnFinished"
            self._playing = False
            self._said = True            # nothing more is said for this reply
        elif kind in ("TurnStarted", "Notification"):
            self._said = False
        elif kind not in ("VoiceStopped", "Transcript"):
            return
        self._update_state()

    def _level(self, chunk: AudioChunk) -> None:
        x = chunk.samples
        if not len(x):
            return
        self._level_sum += float(np.dot(x, x))
        self._level_n += len(x)
        self._level_peak = max(self._level_peak, float(np.max(np.abs(x))))
        if chunk.at - self._level_at >= LEVEL_EVERY_S:
            rms = (self._level_sum / self._level_n) ** 0.5
            self.bus.publish(MicLevel(rms=round(rms, 5), peak=round(self._level_peak, 5),
                                      at=chunk.at, turn=chunk.turn))
            self._level_sum, self._level_n, self._level_peak = 0.0, 0, 0.0
            self._level_at = chunk.at

    # -- helpers --------------------------------------------------------------------------------

    def _start_assistant(self, config: Any) -> None:
        assistant = self.make_assistant(config)
        assistant.start()
        assistant.subscribe(self._on_event)
        self.assistant = assistant

    def _in_run(self) -> bool:
        """Is the loop feeding microphone blocks to the pipeline right now?"""
        return self._running and not self._leave_run

    def _finish_asks(self) -> None:
        if not self._asks:
            return
        still = []
        for reply, future, ask in self._asks:
            if reply.done.is_set():
                future.set_result(_ok(ask, reply.result.to_dict()))
            else:
                still.append((reply, future, ask))
        self._asks = still


def _default_config_path() -> Path:
    """The file ``ReloadConfig`` reads when the session was given none (may not exist)."""
    from vaani.config import default_path

    return default_path()


def _ok(command: protocol.Command, data: dict[str, Any]) -> protocol.Result:
    return protocol.Result(id=command.id, command=command.name, ok=True, data=data)


def _error(command: protocol.Command, exc: VaaniError) -> protocol.Result:
    return protocol.Result(id=command.id, command=command.name, ok=False,
                           error={"title": exc.title, "message": exc.message,
                                  "hint": exc.hint or ""})
