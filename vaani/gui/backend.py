"""What the desktop app talks to: a running daemon, or a session of its own.

Both look the same to the window (:class:`Backend`): ``submit(command)`` returns a future of
the :class:`~vaani.protocol.Result`, ``subscribe(fn)`` delivers events on a thread that is
not the GUI's, ``close()``. :func:`open_backend` attaches to the daemon when its socket
answers, and otherwise starts a :class:`~vaani.session.Session` in this process (loading the
models: call it on a worker thread). Qt-free, so the choice is testable without a display.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from vaani import protocol
from vaani.errors import AudioError, VaaniError
from vaani.events import Event, StateChanged

log = logging.getLogger(__name__)

# What the window shows; the rest (audio, stage-by-stage detail) is not sent to it.
GUI_EVENTS = ("TurnStarted", "TurnFinished", "Transcript", "ReplyTextChunk", "StateChanged",
              "MicLevel", "Notification", "Error", "PlaybackStarted", "PlaybackStopped",
              "WakeDetected", "VoiceStarted", "VoiceStopped")

IN_PROCESS, DAEMON = "in-process", "daemon"


class Backend:
    """The window's view of VAANI. ``mode`` is :data:`IN_PROCESS` or :data:`DAEMON`;
    ``config_path`` is the file the settings panel writes (None: the user's default file)."""

    mode = ""
    config_path: Path | None = None
    notes: tuple[str, ...] = ()             # things the user should know (no speaker, ...)

    def submit(self, command: protocol.Command) -> Future[protocol.Result]:
        raise NotImplementedError

    def subscribe(self, fn: Callable[[Event], None]) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SessionBackend(Backend):
    """A :class:`~vaani.session.Session` in this process (already started)."""

    mode = IN_PROCESS

    def __init__(self, session: Any, *, config_path: str | Path | None = None,
                 on_close: Callable[[], None] | None = None,
                 notes: tuple[str, ...] = ()) -> None:
        self.session = session
        self.config_path = Path(config_path) if config_path else None
        self.notes = notes
        self._on_close = on_close

    def submit(self, command: protocol.Command) -> Future[protocol.Result]:
        future: Future[protocol.Result] = self.session.submit(command)
        return future

    def subscribe(self, fn: Callable[[Event], None]) -> None:
        # a big queue: the GUI thread can be busy painting; only level events are dropped
        self.session.subscribe(fn, name="gui", maxsize=2048,
                               kinds=GUI_EVENTS)

    def describe(self) -> str:
        return "running in this window (no daemon found)"

    def close(self) -> None:
        self.session.close()
        if self._on_close is not None:
            self._on_close()


class DaemonBackend(Backend):
    """The running daemon, through a :class:`vaani.client.Connection`."""

    mode = DAEMON

    def __init__(self, path: str | Path | None = None, *,
                 config_path: str | Path | None = None) -> None:
        from vaani.client import Connection

        self._subscribers: list[Callable[[Event], None]] = []
        self.connection = Connection(path, name="vaani-gui", events=GUI_EVENTS,
                                     on_event=self._event, on_close=self._lost)
        self.config_path = Path(config_path) if config_path else None
        self.pid = self.connection.welcome.pid
        if self.config_path is None:           # the file the daemon reads, so settings apply
            try:
                status = self.connection.submit(protocol.GetStatus()).result(5.0)
            except Exception:                  # an older daemon, or slow: the default file
                status = None
            if status is not None and status.ok and status.data.get("config_path"):
                self.config_path = Path(status.data["config_path"])

    def submit(self, command: protocol.Command) -> Future[protocol.Result]:
        return self.connection.submit(command)

    def subscribe(self, fn: Callable[[Event], None]) -> None:
        self._subscribers.append(fn)

    def describe(self) -> str:
        return f"attached to the VAANI daemon (pid {self.pid})"

    def close(self) -> None:
        self.connection.close()

    def _event(self, event: Event) -> None:
        for fn in list(self._subscribers):
            fn(event)

    def _lost(self, why: str) -> None:
        """The daemon went away: the window shows it as stopped, with why."""
        from vaani.events import Error

        self._event(Error(title="Daemon error", message=f"{why}: VAANI is not running now",
                          hint="start it again (`vaani daemon`, or `systemctl --user start "
                               "vaani`), then reopen this window", source="daemon"))
        self._event(StateChanged(state="stopped", why=why))


def daemon_answers(path: str | Path | None = None) -> bool:
    """Is a daemon listening on ``path`` (default: the user's socket)?"""
    from vaani.daemon import answers

    return answers(path)


def open_backend(mode: str = "auto", *, socket: str | Path | None = None,
                 config_path: str | Path | None = None, audio: bool = True,
                 make_assistant: Callable[[Any], Any] | None = None,
                 source: Callable[[], Any] | None = None) -> Backend:
    """Attach to the daemon (``mode`` ``auto`` or ``daemon``), else run a session here
    (``auto`` or ``in-process``). Loads the models in the in-process case: not on the GUI
    thread. ``make_assistant`` / ``source`` replace the real engines and microphone (tests).

    Raises :class:`~vaani.daemon.DaemonError` when ``mode`` is ``daemon`` and none answers,
    and the session's errors (a bad config, a missing model) when it cannot start.
    """
    if mode not in ("auto", DAEMON, IN_PROCESS):
        raise ValueError(f"mode must be auto, daemon or in-process, not {mode!r}")
    if mode != IN_PROCESS:
        from vaani.daemon import DaemonError

        try:
            return DaemonBackend(socket, config_path=config_path)
        except DaemonError:
            if mode == DAEMON:
                raise
    return _in_process(config_path, audio, make_assistant, source)


def _in_process(config_path: str | Path | None, audio: bool,
                make_assistant: Callable[[Any], Any] | None,
                source: Callable[[], Any] | None) -> SessionBackend:
    from vaani import config as config_mod
    from vaani.session import Session

    config = config_mod.load(config_path)
    config.validate()
    notes: list[str] = []
    sinks = _Sinks(audio, notes)
    if make_assistant is None:
        from vaani.assistant import Assistant

        needs = ("wake", "vad", "asr", "llm", "tts") if audio else ("llm", "tts")

        def make_assistant(cfg: Any) -> Any:
            return Assistant(cfg, sink=sinks.get(cfg.audio.output_device,
                                                        cfg.audio.output_latency_ms),
                             needs=needs)

    session: Session

    def open_microphone() -> Any:
        from vaani.audio import MicrophoneSource

        cfg = session.config             # the input device of the config as reloaded
        return MicrophoneSource(cfg.audio.input_device, block_ms=cfg.audio.block_ms)

    if source is None and audio:
        source = open_microphone
    session = Session(config, make_assistant, source=source, config_path=config_path)
    try:
        session.start()
    except BaseException:
        sinks.close()
        raise
    return SessionBackend(session, config_path=config_path, on_close=sinks.close,
                          notes=tuple(notes))


class _Sinks:
    """One speaker per output device named in the config, so a device chosen in the settings
    applies after the reload; no speaker is a note (replies are shown, not heard), not an
    error."""

    def __init__(self, audio: bool, notes: list[str]) -> None:
        self.audio = audio
        self.notes = notes
        self._sinks: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, device: str, latency_ms: int = 40) -> Any:
        from vaani.audio import NullSink, SpeakerSink

        with self._lock:
            if device not in self._sinks:
                sink: Any = NullSink()
                if self.audio:
                    try:
                        sink = SpeakerSink(device, latency_ms=latency_ms)
                    except AudioError as exc:
                        self.notes.append(f"no speaker ({exc.message}): replies are shown, "
                                          "not spoken")
                        log.warning("no speaker: %s", exc.message)
                self._sinks[device] = sink
            return self._sinks[device]

    def close(self) -> None:
        with self._lock:
            sinks, self._sinks = list(self._sinks.values()), {}
        for sink in sinks:
            try:
                sink.close()
            except Exception as exc:          # closing must not hide the reason we stop
                log.debug("closing a sink: %s", exc)


def result_error(result: protocol.Result) -> VaaniError | None:
    """A failed Result as the error VAANI would show (title, message, hint); None if ok."""
    if result.ok:
        return None
    error = VaaniError(result.error.get("message", "") or f"{result.command} failed",
                       hint=result.error.get("hint") or None)
    error.title = result.error.get("title") or VaaniError.title
    return error
