"""The one way the system skill touches the computer: argv lists run without a shell.

Every backend command (``wpctl``, ``pactl``, ``amixer``, ``playerctl``, ``gtk-launch``,
``loginctl``, ``xdg-screensaver``, an app's Exec line) goes through a :class:`Runner`, so tests
put a fake at the process boundary (it records the argv and answers exit codes) and the skill
never says an action was done unless its command ran and exited 0.

* :meth:`Runner.run` waits for the command, at most ``timeout`` seconds (then it is killed,
  with whatever it started);
* :meth:`Runner.start` launches an app detached from VAANI (its own session, no terminal)
  and waits ``wait`` seconds: a launcher that exited 0, or a program still running then,
  has started; one that exited non-zero, or could not be started, has not.

Commands are looked up on ``PATH`` (:meth:`Runner.which`) and run by their full path, with
standard input closed; nothing is ever passed through ``sh -c``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Ran:
    """What became of one command."""

    argv: tuple[str, ...]
    code: int | None = None      # exit status; None: it did not exit (running, killed) or start
    out: str = ""
    err: str = ""
    failure: str = ""            # "" | "missing" (not on PATH) | "timeout" | "error: <why>"
    running: bool = False        # start(): started and still running after the wait

    @property
    def ok(self) -> bool:
        """It ran and exited 0 (or, for :meth:`Runner.start`, is still running)."""
        return not self.failure and (self.code == 0 or self.running)

    @property
    def detail(self) -> str:
        """One line on what went wrong, for logs and ``Reply.data``."""
        if self.failure:
            return self.failure
        text = (self.err or self.out).strip().splitlines()
        return f"exit status {self.code}" + (f": {text[0][:200]}" if text else "")


class Runner(Protocol):
    def which(self, program: str) -> str | None:
        """The program's path if it is installed, else None."""

    def run(self, argv: Sequence[str], timeout: float) -> Ran:
        """Run ``argv`` and wait for it (killed after ``timeout`` seconds)."""

    def start(self, argv: Sequence[str], wait: float) -> Ran:
        """Start ``argv`` detached and wait up to ``wait`` seconds for an early exit."""

    def graphical(self) -> bool:
        """A graphical session is there to open apps in (DISPLAY or WAYLAND_DISPLAY)."""


# what an app needs from the graphical session (systemd-run --setenv=NAME takes our value)
SESSION_ENV = ("DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR",
               "DBUS_SESSION_BUS_ADDRESS", "XDG_CURRENT_DESKTOP", "XDG_SESSION_TYPE", "LANG")


class SubprocessRunner:
    """The real runner. ``path`` replaces ``PATH`` for finding programs and ``env`` the
    environment they get (both default to this process's)."""

    def __init__(self, path: str | None = None, env: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.env = dict(env) if env is not None else None

    def _environ(self) -> Mapping[str, str]:
        return self.env if self.env is not None else os.environ

    def which(self, program: str) -> str | None:
        path = self.path if self.path is not None else self._environ().get("PATH")
        return shutil.which(program, path=path)

    def _resolve(self, argv: Sequence[str]) -> tuple[str, ...] | None:
        if not argv or not argv[0]:
            return None
        program = argv[0] if "/" in argv[0] else self.which(argv[0])
        if program is None or not os.access(program, os.X_OK):
            return None
        return (program, *argv[1:])

    def run(self, argv: Sequence[str], timeout: float) -> Ran:
        argv = tuple(argv)
        full = self._resolve(argv)
        if full is None:
            return Ran(argv, failure="missing")
        try:
            # its own session, so a timeout kills whatever it started too (a child holding
            # its output open would otherwise keep us waiting)
            proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, errors="replace",
                                    env=self.env, start_new_session=True, close_fds=True)
        except OSError as exc:
            return Ran(argv, failure=f"error: {exc.strerror or exc}")
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return Ran(argv, failure="timeout")
        return Ran(argv, proc.returncode, out, err)

    def start(self, argv: Sequence[str], wait: float) -> Ran:
        argv = tuple(argv)
        full = self._resolve(argv)
        if full is None:
            return Ran(argv, failure="missing")
        full = self._outside_the_service(full)
        try:
            proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True,
                                    close_fds=True, env=self.env)
        except OSError as exc:
            return Ran(argv, failure=f"error: {exc.strerror or exc}")
        try:
            return Ran(argv, proc.wait(timeout=wait))
        except subprocess.TimeoutExpired:
            # still running: it started. Reap it when it exits, so no zombie stays behind.
            threading.Thread(target=proc.wait, name="vaani-app-reaper", daemon=True).start()
            return Ran(argv, running=True)

    def _outside_the_service(self, full: tuple[str, ...]) -> tuple[str, ...]:
        """Under VAANI's systemd unit (``INVOCATION_ID`` set) an app started as our child
        would inherit the unit's sandbox (no network: a browser that cannot load a page)
        and be stopped with it; ``systemd-run --user`` starts it as a unit of its own,
        with the session's display and bus passed on."""
        env = self._environ()
        runner = self.which("systemd-run") if env.get("INVOCATION_ID") else None
        if runner is None:
            return full
        keep = [f"--setenv={name}" for name in SESSION_ENV if env.get(name)]
        return (runner, "--user", "--collect", "--quiet", *keep, "--", *full)

    def graphical(self) -> bool:
        env = self._environ()
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _kill(proc: subprocess.Popen[str]) -> None:
    """Kill a timed-out command and everything in its session, and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.communicate(timeout=1.0)
    except (subprocess.TimeoutExpired, ValueError):
        threading.Thread(target=proc.wait, name="vaani-reaper", daemon=True).start()
