"""A client of the daemon (:mod:`vaani.daemon`): what ``vaani status``, ``vaani ask --daemon``,
``vaani say`` and ``vaani ptt`` use, and what a script can use.

    with Client() as c:
        result = c.request(Ask(text="what time is it"))
        print(result.data["reply"])

One thread: :meth:`Client.request` sends a command and reads lines until its Result, keeping
the events that arrive meanwhile for :meth:`Client.events`.
"""

from __future__ import annotations

import collections
import itertools
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vaani import protocol
from vaani.daemon import DaemonError, socket_path
from vaani.events import Event

_ids = itertools.count(1)


class Client:
    def __init__(self, path: str | Path | None = None, *, name: str = "vaani-cli",
                 events: tuple[str, ...] = (), timeout: float = 10.0) -> None:
        self.path = Path(path) if path is not None else socket_path()
        self.timeout = timeout
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(str(self.path))
        except OSError as exc:
            sock.close()
            raise DaemonError(f"no VAANI daemon is running on {self.path} ({exc.strerror})",
                              hint="start one: `vaani daemon` (or `vaani service install`)"
                              ) from None
        self.sock = sock
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


def _with_id(command: protocol.Command, id: str) -> protocol.Command:
    import dataclasses

    return dataclasses.replace(command, id=id)
