"""A client of the daemon (:mod:`vaani.daemon`): what ``vaani status``, ``vaani ask --daemon``,
``vaani say`` and ``vaani ptt`` use, and what a script can use.

    with Client() as c:
        result = c.request(Ask(text="what time is it"))
        print(result.data["reply"])

One thread: :meth:`Client.request` sends a command and reads lines until its Result, keeping
the events that arrive meanwhile for :meth:`Client.events`.

:class:`Connection` is the same protocol for a front end that must never wait on the daemon
(the desktop app): commands return futures at once, and a reader thread of its own resolves
them by ``id`` and hands each event to a callback as it comes.
"""

from __future__ import annotations

import collections
import itertools
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from vaani import protocol
from vaani.daemon import DaemonError, socket_path
from vaani.events import Event

log = logging.getLogger(__name__)

_ids = itertools.count(1)


def _connect(path: Path, timeout: float) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError as exc:
        sock.close()
        raise DaemonError(f"no VAANI daemon is running on {path} ({exc.strerror})",
                          hint="start one: `vaani daemon` (or `vaani service install`)"
                          ) from None
    return sock


class Client:
    def __init__(self, path: str | Path | None = None, *, name: str = "vaani-cli",
                 events: tuple[str, ...] = (), timeout: float = 10.0) -> None:
        self.path = Path(path) if path is not None else socket_path()
        self.timeout = timeout
        self.sock = _connect(self.path, timeout)
        self._buf = b""
        self._events: collections.deque[Event] = collections.deque()
        welcome = self._read(timeout)
        if not isinstance(welcome, protocol.Welcome):
            raise DaemonError(f"{self.path} did not greet as a VAANI daemon")
        self.welcome = welcome
        self.request(protocol.Hello(client=name, events=events))

    def send(self, command: protocol.Command) -> protocol.Command:
        """Send ``command`` (given an id if it has none) without waiting."""
        if not command.id:
            command = _with_id(command, str(next(_ids)))
        self.sock.sendall(protocol.encode(command))
        return command

    def request(self, command: protocol.Command, timeout: float | None = None) -> protocol.Result:
        """Send ``command`` and wait for its Result (events meanwhile are kept)."""
        command = self.send(command)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            message = self._read(max(0.01, deadline - time.monotonic()))
            if isinstance(message, protocol.Result):
                if message.id == command.id or (not message.id and not message.ok):
                    return message
            elif isinstance(message, Event):
                self._events.append(message)

    def events(self, timeout: float | None = None) -> Iterator[Event]:
        """The events, as they come; stops after ``timeout`` seconds without one."""
        while True:
            if self._events:
                yield self._events.popleft()
                continue
            try:
                message = self._read(self.timeout if timeout is None else timeout)
            except TimeoutError:
                return
            if isinstance(message, Event):
                yield message

    def _read(self, timeout: float) -> Any:
        """The next message; TimeoutError after ``timeout`` s without a whole line (what
        came so far is kept for the next call)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            if len(self._buf) > protocol.MAX_LINE:
                raise DaemonError("the daemon sent a line longer than the protocol allows")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the daemon did not answer within {timeout:.0f} s")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                continue
            if not chunk:
                raise DaemonError("the daemon closed the connection")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return protocol.decode(line + b"\n")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Connection:
    """A daemon connection that never blocks its caller on the daemon.

    :meth:`submit` sends a command and returns a :class:`~concurrent.futures.Future` of its
    :class:`~vaani.protocol.Result` at once; a reader thread resolves futures by ``id`` and
    calls ``on_event(event)`` for each event, in order, on that thread (a GUI hands it on to
    its own thread). When the daemon goes away, every future still waiting gets an error
    Result, so no caller waits forever, and ``on_close(why)`` is called once. Event lines this
    VAANI cannot decode (a newer daemon's kinds) are logged and skipped, as docs/protocol.md
    asks of clients.

        conn = Connection(on_event=print)
        conn.submit(Ask(text="what time is it")).add_done_callback(...)
    """

    def __init__(self, path: str | Path | None = None, *, name: str = "vaani-client",
                 events: tuple[str, ...] = (),
                 on_event: Callable[[Event], None] | None = None,
                 on_close: Callable[[str], None] | None = None, timeout: float = 5.0) -> None:
        self.path = Path(path) if path is not None else socket_path()
        self.on_event = on_event
        self.on_close = on_close
        self.sock = _connect(self.path, timeout)
        self._reader = protocol.LineReader(self.sock.makefile("rb"))
        try:
            welcome = self._welcome()
        except BaseException:
            self.sock.close()
            raise
        self.welcome = welcome
        self.sock.settimeout(None)          # an idle daemon is fine; close() ends the read
        self._futures: dict[str, tuple[Future[protocol.Result], str]] = {}   # id -> (future, name)
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._read, name="vaani-connection", daemon=True)
        self._thread.start()
        self.hello = self.submit(protocol.Hello(client=name, events=events))

    def _welcome(self) -> protocol.Welcome:
        try:
            line = self._reader.readline()
            message = protocol.decode(line) if line else None
        except (OSError, protocol.ProtocolError):
            message = None
        if not isinstance(message, protocol.Welcome):
            raise DaemonError(f"{self.path} did not greet as a VAANI daemon")
        return message

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def submit(self, command: protocol.Command) -> Future[protocol.Result]:
        """Send ``command`` (given an id if it has none); its Result comes in the future."""
        if not command.id:
            command = _with_id(command, str(next(_ids)))
        future: Future[protocol.Result] = Future()
        with self._lock:
            if command.id in self._futures:
                raise ValueError(f"a command with id {command.id!r} is still waiting")
            self._futures[command.id] = (future, command.name)
        if self._closed.is_set():
            self._fail(command.id, "the connection to the daemon is closed")
            return future
        try:
            line = protocol.encode(command)
            with self._send_lock:
                self.sock.sendall(line)
        except protocol.ProtocolError as exc:
            self._resolve(protocol.Result(id=command.id, command=command.name, ok=False,
                                          error={"title": exc.title, "message": exc.message,
                                                 "hint": exc.hint or ""}))
        except OSError as exc:
            self._fail(command.id, f"the daemon cannot be reached ({exc})")
        return future

    def request(self, command: protocol.Command, timeout: float | None = 10.0) -> protocol.Result:
        """:meth:`submit` and wait (not on a GUI thread) for the Result."""
        return self.submit(command).result(timeout)

    def close(self) -> None:
        """Hang up; futures still waiting get an error Result (``on_close`` is not called)."""
        if self._closed.is_set():
            return
        self._closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._thread.join(2.0)
        self._reader.stream.close()
        self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the reader thread ---------------------------------------------------------------------

    def _read(self) -> None:
        why = "the daemon closed the connection"
        try:
            while True:
                try:
                    line = self._reader.readline()
                except protocol.ProtocolError as exc:     # a line over the limit: skipped
                    log.warning("the daemon sent a line this client cannot read: %s",
                                exc.message)
                    continue
                if line is None:
                    break
                if not line.strip():
                    continue
                try:
                    message = protocol.decode(line)
                except protocol.ProtocolError as exc:
                    log.info("skipped a line from the daemon: %s", exc.message)
                    continue
                if isinstance(message, protocol.Result):
                    if not self._resolve(message) and not message.ok:
                        log.warning("the daemon refused a line: %s",
                                    message.error.get("message", ""))
                elif isinstance(message, Event) and self.on_event is not None:
                    try:
                        self.on_event(message)
                    except Exception as exc:      # the callback's bug must not end the read
                        log.warning("event callback failed on %s: %s", message.kind, exc)
        except ConnectionResetError:               # it closed with our lines unread
            pass
        except OSError as exc:
            why = f"the connection to the daemon broke ({exc.strerror or exc})"
        finally:
            lost = not self._closed.is_set()
            self._closed.set()
            with self._lock:
                ids = list(self._futures)
            for ident in ids:
                self._fail(ident, why if lost else "the connection to the daemon is closed")
            if lost and self.on_close is not None:
                try:
                    self.on_close(why)
                except Exception as exc:
                    log.warning("on_close callback failed: %s", exc)

    def _resolve(self, result: protocol.Result) -> bool:
        with self._lock:
            entry = self._futures.pop(result.id, None)
        if entry is None:
            return False
        if not entry[0].done():
            entry[0].set_result(result)
        return True

    def _fail(self, ident: str, message: str) -> None:
        with self._lock:
            entry = self._futures.get(ident)
        self._resolve(protocol.Result(
            id=ident, command=entry[1] if entry else "", ok=False,
            error={"title": DaemonError.title, "message": message,
                   "hint": "start the daemon again (`vaani daemon`), then reconnect"}))


def _with_id(command: protocol.Command, id: str) -> protocol.Command:
    import dataclasses

    return dataclasses.replace(command, id=id)
