"""The daemon's socket: the :mod:`vaani.protocol` on a Unix socket, for any number of local
clients at once (``vaani status``, ``vaani ask --daemon``, the desktop app, scripts).

The socket lives in ``$XDG_RUNTIME_DIR/vaani/`` (a directory of mode 0700 in a per-user tmpfs),
is itself mode 0600, and every connection's peer is checked (``SO_PEERCRED``): a process of
another user is refused even if the modes were loosened. Each client gets the daemon's
:class:`~vaani.protocol.Welcome`, then a :class:`~vaani.protocol.Result` for each command it
sends and the events it asked for (all but raw audio by default), through a bounded queue and
a writer thread of its own: a client that stops reading loses level events, then is
disconnected; it never slows the microphone. A line that is not a valid command is answered
with an error and the client is dropped (logged); the daemon goes on.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import stat
import struct
import threading
from pathlib import Path
from typing import Any

from vaani import __version__, protocol
from vaani.errors import VaaniError
from vaani.events import Event
from vaani.session import DROPPABLE, Session, Subscription

log = logging.getLogger(__name__)

SOCKET_NAME = "vaani.sock"
CLIENT_QUEUE = 1024             # lines waiting for a client before it counts as stuck


class DaemonError(VaaniError):
    title = "Daemon error"


def runtime_dir() -> Path:
    """Where the socket lives: ``$XDG_RUNTIME_DIR/vaani`` (``/tmp/vaani-<uid>`` without it)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    return Path(base) / "vaani" if base else Path(f"/tmp/vaani-{os.getuid()}")


def socket_path() -> Path:
    return runtime_dir() / SOCKET_NAME


def peer_uid(conn: socket.socket) -> int | None:
    """The user id of the process at the other end (Linux ``SO_PEERCRED``), None elsewhere."""
    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, opt, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


def _private_dir(path: Path) -> None:
    """Make ``path`` (mode 0700, ours); refuse one that someone else owns or can enter."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if st.st_uid != os.getuid():
        raise DaemonError(f"{path} belongs to another user",
                          hint="set XDG_RUNTIME_DIR to a directory of your own")
    if stat.S_IMODE(st.st_mode) & 0o077:
        path.chmod(0o700)


class Server:
    """Serve ``session`` on a Unix socket at ``path`` until :meth:`close`."""

    def __init__(self, session: Session, path: str | Path | None = None) -> None:
        self.session = session
        self.path = Path(path) if path is not None else socket_path()
        self.clients: set[_Client] = set()
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._closed = threading.Event()
        self.refused = 0
        self.dropped = 0
        session.clients = lambda: len(self.clients)

    def start(self) -> Server:
        _private_dir(self.path.parent)
        if self.path.exists() or self.path.is_symlink():
            if answers(self.path):
                raise DaemonError(f"a VAANI daemon is already running on {self.path}",
                                  hint="`vaani status` talks to it; stop it first to start "
                                       "another")
            self.path.unlink()                      # left by a daemon that died
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # bound and listening under a temporary name, then renamed into place: a client
        # that sees the path can connect at once (no window between bind and listen)
        staging = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        staging.unlink(missing_ok=True)
        old = os.umask(0o177)                       # the socket is born 0600
        try:
            sock.bind(str(staging))
        finally:
            os.umask(old)
        staging.chmod(0o600)
        sock.listen(16)
        os.replace(staging, self.path)
        self._sock = sock
        self._thread = threading.Thread(target=self._accept, name="vaani-daemon-accept",
                                        daemon=True)
        self._thread.start()
        log.info("serving on %s", self.path)
        return self

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
        with self._lock:
            clients = list(self.clients)
        for client in clients:
            client.close("the daemon is stopping")
        try:
            if self.path.is_socket():
                self.path.unlink()
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(2.0)

    def _accept(self) -> None:
        assert self._sock is not None
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            uid = peer_uid(conn)
            if uid is not None and uid != os.getuid():
                self.refused += 1
                log.warning("refused a connection from user %d", uid)
                conn.close()
                continue
            client = _Client(self, conn)
            with self._lock:
                self.clients.add(client)
            client.start()

    def _gone(self, client: _Client) -> None:
        with self._lock:
            self.clients.discard(client)


class _Client:
    """One connection: a reader thread (commands in), a writer thread (lines out)."""

    _count = 0

    def __init__(self, server: Server, conn: socket.socket) -> None:
        _Client._count += 1
        self.n = _Client._count
        self.server = server
        self.session = server.session
        self.conn = conn
        self.name = f"client-{self.n}"
        self.audio = False
        self.kinds: frozenset[str] = frozenset()
        self._out: queue.Queue[bytes | None] = queue.Queue(maxsize=CLIENT_QUEUE)
        self._closed = threading.Event()
        self._sub: Subscription | None = None

    def start(self) -> None:
        self.conn.settimeout(None)      # idle clients are welcome; a stuck one fills its queue
        threading.Thread(target=self._write, name=f"vaani-{self.name}-out", daemon=True).start()
        self._send_line(protocol.encode(protocol.Welcome(
            version=__version__, state=self.session.state.value, pid=os.getpid())))
        self._sub = self.session.subscribe(self._on_event, name=self.name, maxsize=CLIENT_QUEUE,
                                           on_overflow=lambda sub: self.close("too far behind"))
        threading.Thread(target=self._read, name=f"vaani-{self.name}-in", daemon=True).start()

    # in ---------------------------------------------------------------------------------------

    def _read(self) -> None:
        reader = protocol.LineReader(self.conn.makefile("rb"))
        try:
            while not self._closed.is_set():
                try:
                    line = reader.readline()
                    if line is None:
                        break                       # the client hung up
                    if not line.strip():
                        continue
                    message = protocol.decode(line)
                    if not isinstance(message, protocol.Command):
                        raise protocol.ProtocolError(
                            f"clients send commands, not {type(message).__name__}")
                except protocol.ProtocolError as exc:
                    self.server.dropped += 1
                    log.warning("%s sent garbage, dropped: %s", self.name, exc.message)
                    self._send_line(protocol.encode(protocol.Result(
                        id=exc.id or "", command=exc.name or "", ok=False,
                        error={"title": exc.title, "message": exc.message,
                               "hint": exc.hint or ""})))
                    break
                except OSError:
                    break
                self._command(message)
        finally:
            reader.stream.close()
            self.close("", flush=True)

    def _command(self, command: protocol.Command) -> None:
        if isinstance(command, protocol.Hello):
            if command.protocol > protocol.PROTOCOL:
                log.info("%s speaks protocol %d; this daemon %d", self.name, command.protocol,
                         protocol.PROTOCOL)
            self.name = f"{command.client or 'client'}-{self.n}"
            self.audio = command.audio
            self.kinds = frozenset(command.events)
        future = self.session.submit(command)
        future.add_done_callback(lambda f: self._send_line(protocol.encode(f.result())))

    # out --------------------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if self.kinds and event.kind not in self.kinds:
            return
        if event.kind in ("AudioChunk", "SpeechChunk") and not self.audio:
            return
        try:
            line = protocol.encode(event, audio=self.audio)
        except protocol.ProtocolError:              # audio longer than a line: no samples
            try:
                line = protocol.encode(event, audio=False)
            except protocol.ProtocolError as exc:
                log.debug("event %s not sent: %s", event.kind, exc.message)
                return
        self._send_line(line, droppable=event.kind in DROPPABLE)

    def _send_line(self, line: bytes, droppable: bool = False) -> None:
        if self._closed.is_set():
            return
        try:
            self._out.put_nowait(line)
        except queue.Full:
            if not droppable:
                self.close("too far behind")

    def _write(self) -> None:
        while True:
            line = self._out.get()
            if line is None:
                break
            try:
                self.conn.sendall(line)
            except OSError:                          # gone, or shut down while stuck
                self.close("")
                break
        self._hang_up()

    def close(self, why: str, *, flush: bool = False) -> None:
        """Disconnect: at once (a stuck client, the daemon stopping), or with ``flush`` once
        what is queued has been written (the last error Result for a garbage line)."""
        if self._closed.is_set():
            if not flush:
                self._hang_up()
            return
        self._closed.set()
        if why:
            log.warning("%s disconnected: %s", self.name, why)
        if self._sub is not None:
            self.session.unsubscribe(self._sub)
        self.server._gone(self)
        try:
            self._out.put_nowait(None)               # the writer hangs up after the queue
        except queue.Full:
            flush = False
        if not flush:
            self._hang_up()

    def _hang_up(self) -> None:
        try:
            self.conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()


def answers(path: str | Path | None = None) -> bool:
    """Is a daemon listening on ``path`` (default: the user's socket)?"""
    path = Path(path) if path is not None else socket_path()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(str(path))
        return True
    except OSError:
        return False
    finally:
        s.close()


def status_line(status: dict[str, Any]) -> str:
    """``vaani status`` in one line: state, why, muted, language, clients, pending."""
    parts = [status.get("state", "?")]
    if status.get("why"):
        parts.append(f"({status['why']})")
    parts.append(f"language {status.get('language', '?')}")
    if not status.get("audio", True):
        parts.append("text only (--no-audio)")
    parts.append(f"{status.get('clients', 0)} client(s)")
    pending = status.get("pending") or []
    if pending:
        parts.append("pending: " + ", ".join(
            f"{p['what']} in {_duration(p['due_in_s'])}" for p in pending))
    return ", ".join(parts)


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
