"""Plugins out of process: one worker process per isolated plugin.

The host (:mod:`vaani.plugins`) registers a *proxy* in place of an isolated plugin: a
module-like object with one function per hook the plugin implements (same ``tryfirst`` /
``trylast``), each forwarding its call to the plugin's :class:`Worker`. The worker process
(:data:`WORKER_MAIN`, :func:`main`) imports the plugin, registers it on a pluggy manager of its
own (so it is validated exactly as in process) and calls its hook implementations with the
arguments each declares. VAANI's process never imports the plugin.

What the worker adds: a call past its deadline kills the worker (a process can be killed,
a thread cannot); a worker that crashes (a segfault, ``os._exit``) or is killed is started
again after an exponential back-off (:data:`RESTART_FIRST_S` doubling up to
:data:`RESTART_MAX_S`), and ``vaani_configure`` / ``vaani_startup`` are replayed; its
address space is limited (``RLIMIT_AS``, ``[plugins.NAME] memory_mb``), so runaway memory is
a ``MemoryError`` in the worker, which then restarts. While a worker is down, calls into the
plugin fail at once (:class:`WorkerDown`) and the turn goes on without it.

The protocol: pickled tuples, framed by :mod:`multiprocessing.connection` (a length, then the
bytes) over a socketpair. VAANI to the worker: ``load``, ``call``, ``tool``, ``event``,
``answer``, ``exit``. The worker to VAANI: ``hello`` / ``fail`` (after loading), ``reply``,
``notify``, ``emit`` and ``request`` (``ctx.now()``, ``ctx.abilities(language)``). What the
worker sends is unpickled by VAANI with a restricted unpickler (:func:`loads`): builtin
types, VAANI's own classes (:class:`~vaani.hookspecs.Reply`, events, ...), dates, decimals,
numpy arrays; never a class of the plugin's, which would import the plugin here. A tool
crosses as a :class:`ToolSpec`: its ``call``, ``grounded`` and ``say`` stay in the worker.

Isolation protects VAANI from a plugin's crashes, hangs and memory; it is not a sandbox (the
worker runs as the user, with the same files).
"""

from __future__ import annotations

import atexit
import builtins
import contextvars
import importlib
import io
import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from vaani.errors import ConfigError, PluginError, PluginTimeoutError, VaaniError

log = logging.getLogger(__name__)

LOAD_TIMEOUT_S = 30.0            # import + registration in a new worker
LIFECYCLE_TIMEOUT_S = 15.0       # vaani_configure / vaani_startup / vaani_shutdown, replays
RESTART_FIRST_S = 0.5            # back-off before the first restart; doubles per crash ...
RESTART_MAX_S = 30.0             # ... up to this, until a call succeeds again
EVENTS_QUEUED = 256              # events waiting for a busy worker (more are dropped)
REQUEST_TIMEOUT_S = 5.0          # ctx.now() / ctx.abilities() asked of VAANI by a worker

# The deadline of the call the current thread makes into a worker (seconds); the host sets
# it around each call on the pool's behalf. Unset: the lifecycle timeout.
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "vaani_isolation_deadline", default=None)

# Hooks an isolated plugin may implement. vaani_engines is not one: an engine runs on the
# audio path in VAANI's process (a plugin that provides engines runs in process).
HOOKS = ("vaani_configure", "vaani_startup", "vaani_shutdown", "vaani_pending",
         "vaani_handle", "vaani_preview", "vaani_tools", "vaani_abilities", "vaani_on_event")


# -- what crosses the pipe ------------------------------------------------------------------

@dataclass(frozen=True)
class PluginRef:
    """A plugin by where it is, not yet imported: ``module`` (the module is the plugin),
    ``module`` + ``attr`` (an entry point's ``module:attr``: the attribute is the plugin),
    with ``factory`` (``VAANI_PLUGINS``' ``module:factory``: called to make it), or
    ``pickled`` (an object handed to the host, sent by value: its class must be importable
    in the worker)."""

    module: str = ""
    attr: str = ""
    factory: bool = False
    pickled: bytes | None = None

    @property
    def spec(self) -> str:
        if self.pickled is not None:
            return "(an object sent by value)"
        return f"{self.module}:{self.attr}" if self.attr else self.module

    def load(self) -> object:
        if self.pickled is not None:
            return pickle.loads(self.pickled)
        obj: Any = importlib.import_module(self.module)
        for part in filter(None, self.attr.split(".")):
            obj = getattr(obj, part)
        return obj() if self.factory else obj


@dataclass(frozen=True)
class ToolSpec:
    """A :class:`~vaani.hookspecs.Tool` as it crosses from a worker: its data, and which of
    its functions exist (they are called in the worker, by tool name)."""

    name: str
    description: str
    parameters: dict[str, Any]
    acts: bool = False
    grounded: bool = False
    say: bool = False
    composed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raised:
    """An exception raised in a worker, carried by name: its class may exist only there."""

    type_name: str
    message: str
    hint: str | None = None
    kind: str = "other"            # "config" (a ConfigError), "vaani" (another VaaniError),
                                   # "builtin" (ValueError, ...), "other"

    @classmethod
    def of(cls, exc: BaseException) -> Raised:
        if isinstance(exc, ConfigError):
            return cls(type(exc).__name__, exc.message, exc.hint, "config")
        if isinstance(exc, VaaniError):
            return cls(type(exc).__name__, exc.message, exc.hint, "vaani")
        kind = "builtin" if type(exc).__module__ == "builtins" else "other"
        return cls(type(exc).__name__, str(exc), None, kind)

    def exception(self, plugin: str) -> BaseException:
        """The exception to raise in VAANI: a ConfigError stays one (so a bad table stops the
        start, naming the key, as in process); a builtin exception is rebuilt; any other is
        a PluginError worded as the host words an exception it catches."""
        if self.kind == "config":
            return ConfigError(self.message, hint=self.hint)
        if self.kind == "vaani":
            return PluginError(self.message, hint=self.hint)
        if self.kind == "builtin":
            cls = getattr(builtins, self.type_name, None)
            if isinstance(cls, type) and issubclass(cls, Exception):
                try:
                    return cls(self.message)
                except Exception:  # noqa: BLE001 - an exception that takes other arguments
                    pass
        return PluginError(f"plugin '{plugin}' raised {self.type_name}: {self.message}")


def dumps(obj: Any) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


_SAFE_BUILTINS = frozenset({
    "set", "frozenset", "list", "dict", "tuple", "str", "bytes", "bytearray", "int", "float",
    "complex", "bool", "range", "slice", "object"})
_SAFE = {
    "copyreg": {"_reconstructor", "__newobj__"},
    "datetime": {"date", "time", "datetime", "timedelta", "timezone"},
    "decimal": {"Decimal"}, "fractions": {"Fraction"},
    "collections": {"OrderedDict", "deque", "Counter", "defaultdict"},
    "pathlib": {"Path", "PurePath", "PosixPath", "PurePosixPath"},
    "uuid": {"UUID"},
    "numpy": {"dtype", "ndarray"},
    "numpy.core.multiarray": {"_reconstruct", "scalar"},
    "numpy._core.multiarray": {"_reconstruct", "scalar"},
    "numpy.core.numeric": {"_frombuffer"}, "numpy._core.numeric": {"_frombuffer"},
}


class _Unpickler(pickle.Unpickler):
    """Loads what a worker sends: builtin types, VAANI's classes, a few value types.
    Anything else (a class of the plugin's) is refused rather than imported here."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins":
            obj = getattr(builtins, name, None)
            if name in _SAFE_BUILTINS or (isinstance(obj, type)
                                          and issubclass(obj, BaseException)):
                return obj
        elif module == "vaani" or module.startswith("vaani."):
            obj = super().find_class(module, name)
            if isinstance(obj, type):
                return obj
        elif name in _SAFE.get(module, ()):
            return super().find_class(module, name)
        elif module.startswith("numpy") and name in ("dtype", "ndarray"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"a value of type {module}.{name}, which VAANI does not load from a plugin's "
            "worker (return builtin types and vaani.kit classes)")


def loads(data: bytes) -> Any:
    """Unpickle what a worker sent (restricted: see :class:`_Unpickler`)."""
    return _Unpickler(io.BytesIO(data)).load()


def exit_words(returncode: int | None) -> str:
    """How a worker ended, in words: "killed by SIGSEGV", "exited with status 3"."""
    if returncode is None:
        return "stopped"
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exited with status {returncode}"


# -- errors a call into a worker ends with ----------------------------------------------------

class WorkerError(PluginError):
    """A call into an isolated plugin that did not get an answer from it."""


class WorkerDown(WorkerError):
    """The worker is not running (restarting after a crash, or stopped): not called."""


class WorkerCrashed(WorkerError):
    """The worker died during the call (a crash, ``os._exit``, out of memory)."""


class WorkerLate(WorkerError, PluginTimeoutError):
    """The call missed its deadline: the worker was killed and starts again in
    ``restart_in`` seconds (``queued``: the call never got the worker, another call held it
    past the deadline; then nothing was killed)."""

    def __init__(self, message: str, *, queued: bool = False, restart_in: float = 0.0,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.queued = queued
        self.restart_in = restart_in


# -- VAANI's side -----------------------------------------------------------------------------

UP, STARTING, DOWN, STOPPED = "up", "starting", "down", "stopped"

# The worker's command (``python -c``), so that this module's classes pickle under their own
# name there (``-m vaani.isolation`` would make them ``__main__``'s).
WORKER_MAIN = "import sys; from vaani.isolation import main; sys.exit(main())"

_workers: weakref.WeakSet[Worker] = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:
    for worker in list(_workers):
        worker.stop(grace_s=0.2)


@dataclass(frozen=True)
class Hello:
    """What a worker says once the plugin is loaded: its process, and the hooks the plugin
    implements (``(hook, tryfirst, trylast)``), wrappers apart."""

    pid: int
    hooks: tuple[tuple[str, bool, bool], ...]
    wrappers: tuple[str, ...]
    engines: bool


class _Proc:
    """One worker process (a generation of a :class:`Worker`)."""

    def __init__(self, proc: subprocess.Popen[bytes], conn: Connection) -> None:
        self.proc = proc
        self.conn = conn
        self.send_lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._closed = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(self, msg: tuple[Any, ...]) -> None:
        data = dumps(msg)
        with self.send_lock:
            self.conn.send_bytes(data)

    def kill(self) -> None:
        try:
            self.proc.kill()
        except OSError:
            pass

    def close(self) -> None:
        """Kill the process (if it runs), reap it and close the socket."""
        self.kill()
        _reap(self)
        self.close_conn()

    def close_conn(self) -> None:
        """Close the socket once, whichever thread gets here first: the reader (the worker
        exited) and ``stop`` may both close it, and two unsynchronised closes of one
        Connection close its descriptor twice (EBADF, or worse, someone else's new fd)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        try:
            self.conn.close()
        except OSError:
            pass


class _Slot:
    __slots__ = ("cid", "done", "status", "payload", "why")

    def __init__(self, cid: int) -> None:
        self.cid = cid
        self.done = threading.Event()
        self.status = ""
        self.payload = b""
        self.why = ""


class Worker:
    """VAANI's end of one isolated plugin: its process (started again after a crash, with
    back-off), calls under deadlines, and what the worker asks of VAANI.

    ``crashed(message)`` is called when the worker dies outside a call, or cannot be
    started again (the host reports it); ``ctx`` (set at ``vaani_startup``) serves the
    worker's ``ctx.notify``, ``ctx.emit`` and ``ctx.now``; ``abilities(language)`` the other
    plugins' phrases for its ``ctx.abilities``."""

    def __init__(self, name: str, ref: PluginRef, *, memory_mb: int = 0,
                 crashed: Callable[[str], None] = lambda message: None,
                 abilities: Callable[[str], list[tuple[str, list[str]]]] = lambda lang: []
                 ) -> None:
        self.name = name
        self.ref = ref
        self.memory_mb = memory_mb
        self._crashed = crashed
        self._abilities = abilities
        self.state = STARTING
        self.restarts = 0            # times the worker was started again
        self.crashes = 0             # deaths: crashes, kills at a deadline, failed starts
        self.last_exit = ""          # how the last worker process ended
        self.restart_at = 0.0        # time.monotonic() of the next start (state down)
        self.tools: list[Any] | None = None       # the last tools listed (offered when down)
        self._backoff = 0            # crashes since the last call that succeeded
        self._lock = threading.RLock()
        self._call_lock = threading.Lock()
        self._current: _Proc | None = None
        self._starting: _Proc | None = None
        self._slot: _Slot | None = None
        self._seq = 0
        self._timer: threading.Timer | None = None
        self._events: queue.Queue[Any] | None = None
        self._configure: dict[str, Any] | None = None   # replayed after a restart
        self._startup: dict[str, Any] | None = None
        self.ctx: Any = None
        self.hello: Hello | None = None
        _workers.add(self)

    # -- life cycle ---------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        current = self._current
        return current.pid if current is not None and self.state == UP else None

    @property
    def up(self) -> bool:
        return self.state == UP

    def spawn(self) -> None:
        """Start the process and send it the plugin to load (returns at once)."""
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        # a plugin has no business starting a BLAS thread per core inside VAANI (and those
        # threads' buffers count against memory_mb)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")
        env.setdefault("MALLOC_ARENA_MAX", "2")   # 64 MB of address space per thread arena
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", WORKER_MAIN, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                stdout=2 if _fd_open(2) else subprocess.DEVNULL,   # print() goes to stderr
                env=env, start_new_session=True)
        finally:
            theirs.close()
        p = _Proc(proc, Connection(ours.detach()))
        try:
            p.send(("load", self.name, self.ref, list(sys.path), self.memory_mb))
        except OSError:
            pass                     # it died already: the handshake says how
        with self._lock:
            self._starting = p

    def handshake(self, timeout_s: float = LOAD_TIMEOUT_S) -> Hello:
        """Wait for the spawned worker to load the plugin. Raises :class:`PluginError` (why
        it could not: an import error, a crash) or the plugin's ConfigError."""
        p = self._starting
        assert p is not None, "spawn() first"
        try:
            if not p.conn.poll(timeout_s):
                p.close()
                raise PluginError(f"plugin '{self.name}' did not load in its worker within "
                                  f"{timeout_s:.0f} s")
            msg = loads(p.conn.recv_bytes())
        except (EOFError, OSError):
            returncode = _reap(p)
            p.close()
            raise PluginError(f"plugin '{self.name}' failed to load in its worker: "
                              f"{exit_words(returncode)}") from None
        if msg[0] == "fail":
            p.close()
            raised: Raised = msg[1]
            exc = raised.exception(self.name)
            if isinstance(exc, ConfigError):
                raise exc
            raise PluginError(f"plugin '{self.name}' failed to import: "
                              f"{raised.type_name}: {raised.message}")
        _, pid, hooks, wrappers, engines = msg
        hello = Hello(pid, tuple(tuple(h) for h in hooks), tuple(wrappers), bool(engines))
        self.hello = self.hello or hello
        threading.Thread(target=self._read, args=(p,), daemon=True,
                         name=f"vaani-isolated-{self.name}").start()
        return hello

    def start(self) -> Hello:
        """Spawn, load, and mark the worker up (the first start)."""
        self.spawn()
        hello = self.handshake()
        self.start_done()
        return hello

    def start_done(self) -> None:
        """The first start went well (after :meth:`spawn` and :meth:`handshake`): up."""
        with self._lock:
            self._current, self._starting = self._starting, None
            self.state = UP

    def stop(self, grace_s: float = 1.0) -> None:
        """Stop the worker for good (shutdown, or the plugin was disabled)."""
        with self._lock:
            self.state = STOPPED
            procs = [p for p in (self._current, self._starting) if p is not None]
            self._current = self._starting = None
            if self._timer is not None:
                self._timer.cancel()
            slot = self._slot
        if slot is not None:
            slot.why = "stopped"
            slot.status = "died"
            slot.done.set()
        for p in procs:
            try:
                p.send(("exit",))
            except (OSError, ValueError):
                pass
        for p in procs:
            try:
                p.proc.wait(grace_s)
            except subprocess.TimeoutExpired:
                p.kill()
                p.proc.wait()
            p.close_conn()

    def _read(self, p: _Proc) -> None:
        """VAANI's reader of one worker process: replies, notifications, events, requests."""
        while True:
            try:
                data = p.conn.recv_bytes()
            except (EOFError, OSError):
                break
            try:
                msg = loads(data)
                kind = msg[0]
                if kind == "reply":
                    slot = self._slot
                    if slot is not None and slot.cid == msg[1]:
                        slot.status, slot.payload = msg[2], msg[3]
                        slot.done.set()
                elif kind == "notify":
                    if self.ctx is not None:
                        self.ctx.notify(msg[1], msg[2])
                elif kind == "emit":
                    if self.ctx is not None:
                        self.ctx.emit(loads(msg[1]))
                elif kind == "request":
                    self._serve(p, msg[1], msg[2], msg[3])
            except Exception as exc:  # noqa: BLE001 - one bad message must not stop the reader
                log.warning("plugin %s: a message from its worker was dropped: %s",
                            self.name, exc)
        self._died(p)
        p.close_conn()

    def _serve(self, p: _Proc, rid: int, what: str, args: tuple[Any, ...]) -> None:
        def answer() -> None:
            try:
                if what == "now":
                    value: Any = self.ctx.now() if self.ctx is not None else time.time()
                elif what == "abilities":
                    value = self._abilities(*args)
                else:
                    raise ValueError(f"unknown request {what!r}")
                reply: tuple[Any, ...] = ("answer", rid, True, value)
            except Exception as exc:  # noqa: BLE001 - the worker gets it
                reply = ("answer", rid, False, Raised.of(exc))
            try:
                p.send(reply)
            except (OSError, ValueError):
                pass
        if what == "now":
            answer()                 # quick: served by the reader
        else:                        # may call other plugins: not on the reader's thread
            threading.Thread(target=answer, daemon=True).start()

    def _died(self, p: _Proc) -> None:
        """A worker process ended. Unexpected (not killed by us): report it, restart later."""
        returncode = _reap(p)
        with self._lock:
            if self._current is not p:
                return               # killed on purpose (a deadline, stop): handled there
            self._current = None
            self.state = DOWN
            self.last_exit = exit_words(returncode)
            slot = self._slot
            delay = self._schedule_restart()
        if slot is not None and not slot.done.is_set():
            slot.why = f"{self.last_exit}; restarting in {delay:.1f} s"
            slot.status = "died"
            slot.done.set()
        else:
            self._crashed(f"plugin '{self.name}': its worker {self.last_exit}; "
                          f"restarting in {delay:.1f} s")

    def _kill(self, p: _Proc, why: str) -> float:
        """Kill a worker on purpose (a missed deadline, out of memory): restart after the
        back-off; returns the back-off."""
        with self._lock:
            if self._current is not p:
                return max(0.0, self.restart_at - time.monotonic())
            self._current = None
            self.state = DOWN
            self.last_exit = why
            delay = self._schedule_restart()
        p.kill()
        return delay

    def _schedule_restart(self) -> float:
        """(Under the lock.) Count a crash and start the worker again after the back-off."""
        self.crashes += 1
        self._backoff += 1
        delay = min(RESTART_MAX_S, RESTART_FIRST_S * 2 ** (self._backoff - 1))
        self.restart_at = time.monotonic() + delay
        if self.state != STOPPED:
            self._timer = threading.Timer(delay, self._restart)
            self._timer.daemon = True
            self._timer.start()
        return delay

    def _restart(self) -> None:
        with self._lock:
            if self.state != DOWN:
                return
            self.state = STARTING
        p: _Proc | None = None
        try:
            self.spawn()
            p = self._starting
            self.handshake()
            assert p is not None            # handshake() raises when spawn() left none
            with self._lock:
                if self.state != STARTING:          # stopped meanwhile
                    p.kill()
                    return
                self._current, self._starting = p, None
            if self._configure is not None:
                self._call(p, ("call", "vaani_configure", self._configure), LIFECYCLE_TIMEOUT_S)
            if self._startup is not None:
                self._call(p, ("call", "vaani_startup", self._startup), LIFECYCLE_TIMEOUT_S)
            with self._lock:
                if self._current is not p:
                    return
                self.state = UP
                self.restarts += 1
            log.info("plugin %s: worker started again (pid %d)", self.name, p.pid)
        except Exception as exc:  # noqa: BLE001 - reported; the next try comes later
            if p is not None:
                p.close()
            with self._lock:
                if self.state == STOPPED:
                    return
                if self._current is p:
                    self._current = None
                self._starting = None
                self.state = DOWN
                self.last_exit = f"failed to start: {exc}"
                delay = self._schedule_restart()
            self._crashed(f"plugin '{self.name}': its worker failed to start again ({exc}); "
                          f"next try in {delay:.1f} s")

    # -- calls ----------------------------------------------------------------------------

    def call(self, hook: str, **kwargs: Any) -> Any:
        """Call the plugin's ``hook`` in the worker under the current :data:`DEADLINE`."""
        if hook == "vaani_configure":
            self._configure = dict(kwargs)
        elif hook == "vaani_startup":
            ctx = kwargs.pop("ctx")
            self.ctx = ctx
            kwargs = {"config": ctx.config, "table": ctx.table}
            self._startup = dict(kwargs)
        elif hook == "vaani_shutdown":
            self._startup = None
        value = self.request(("call", hook, kwargs))
        if hook == "vaani_tools":
            value = self._tools(value)
        return value

    def call_tool(self, tool: str, which: str, *args: Any) -> Any:
        """Call one of a tool's functions (``call``, ``grounded``, ``say``) in the worker."""
        return self.request(("tool", tool, which, args))

    def request(self, msg: tuple[Any, ...]) -> Any:
        timeout = DEADLINE.get()
        timeout_s = LIFECYCLE_TIMEOUT_S if timeout is None else timeout
        with self._lock:
            p = self._current
            if p is None or self.state != UP:
                raise self._down()
        return self._call(p, msg, timeout_s)

    def _down(self) -> WorkerDown:
        if self.state == STOPPED:
            return WorkerDown(f"plugin '{self.name}' is stopped")
        wait = max(0.0, self.restart_at - time.monotonic())
        return WorkerDown(f"plugin '{self.name}' is not responding: its worker "
                          f"{self.last_exit or 'is starting'}"
                          + (f"; restarting in {wait:.1f} s" if self.state == DOWN else ""))

    def _call(self, p: _Proc, msg: tuple[Any, ...], timeout_s: float) -> Any:
        start = time.monotonic()
        if not self._call_lock.acquire(timeout=timeout_s):
            raise WorkerLate(f"plugin '{self.name}' did not answer within "
                             f"{timeout_s * 1000:.0f} ms (its worker was busy with another "
                             "call)", queued=True)
        try:
            with self._lock:
                if self._current is not p:
                    raise self._down()
                self._seq += 1
                slot = self._slot = _Slot(self._seq)
            try:
                p.send((msg[0], slot.cid, *msg[1:]))
            except (pickle.PicklingError, TypeError, AttributeError) as exc:
                raise PluginError(f"plugin '{self.name}': the call could not be sent to its "
                                  f"worker: {exc}") from None
            except (OSError, ValueError):
                pass                 # the worker died: the reader reports it in the slot
            left = max(0.0, timeout_s - (time.monotonic() - start))
            if not slot.done.wait(left):
                delay = self._kill(p, f"was stopped: a call ran past its "
                                      f"{timeout_s * 1000:.0f} ms deadline")
                raise WorkerLate(f"plugin '{self.name}' did not answer within "
                                 f"{timeout_s * 1000:.0f} ms; its worker was stopped "
                                 f"(restarting in {delay:.1f} s)", restart_in=delay)
            if slot.status == "died":
                raise WorkerCrashed(f"plugin '{self.name}' crashed: its worker {slot.why}")
            if slot.status == "fatal":
                raised = loads(slot.payload)
                delay = self._kill(p, f"ran out of memory (memory_mb = {self.memory_mb})")
                raise WorkerCrashed(
                    f"plugin '{self.name}' crashed: {raised.type_name} (its memory limit is "
                    f"{self.memory_mb} MB); its worker was stopped (restarting in "
                    f"{delay:.1f} s)", hint=f"raise plugins.{self.name}.memory_mb")
            try:
                value = loads(slot.payload)
            except Exception as exc:  # noqa: BLE001 - refused by the restricted unpickler
                raise PluginError(f"plugin '{self.name}' returned {exc}") from None
            if slot.status == "raised":
                raise value.exception(self.name)
            with self._lock:
                self._backoff = 0            # it answers: the next crash restarts it quickly
            return value
        finally:
            with self._lock:
                self._slot = None
            self._call_lock.release()

    def _tools(self, items: list[Any]) -> list[Any]:
        """Tool specs from the worker as :class:`~vaani.hookspecs.Tool`s whose functions call
        back into it (anything else is passed on for the host to refuse)."""
        from vaani.hookspecs import Tool

        out: list[Any] = []
        for item in items:
            if not isinstance(item, ToolSpec):
                out.append(item)
                continue
            name = item.name
            out.append(Tool(
                name=name, description=item.description, parameters=dict(item.parameters),
                acts=item.acts, composed=tuple(item.composed),
                call=partial(self.call_tool, name, "call"),
                grounded=partial(self.call_tool, name, "grounded") if item.grounded else None,
                say=partial(self.call_tool, name, "say") if item.say else None))
        self.tools = out
        return out

    def post_event(self, event: Any) -> None:
        """``vaani_on_event``: queued for the worker, never blocking the caller."""
        if self.state != UP:
            return
        if self._events is None:
            with self._lock:
                if self._events is None:
                    self._events = queue.Queue(EVENTS_QUEUED)
                    threading.Thread(target=self._send_events, daemon=True,
                                     name=f"vaani-isolated-{self.name}-events").start()
        try:
            self._events.put_nowait(event)
        except queue.Full:
            log.debug("plugin %s: event dropped (its worker is behind)", self.name)

    def _send_events(self) -> None:
        assert self._events is not None
        while True:
            event = self._events.get()
            p = self._current
            if p is None or self.state != UP:
                continue
            try:
                p.send(("event", event))
            except (OSError, ValueError):
                pass
            except Exception as exc:  # noqa: BLE001 - an event that does not pickle
                log.debug("plugin %s: event %r not sent: %s", self.name, event, exc)

    def proxy(self) -> object:
        """The object the host registers in the plugin's place: one function per hook the
        plugin implements, with its tryfirst/trylast, declaring all the hook's arguments."""
        import types

        from vaani.hookspecs import hookimpl

        assert self.hello is not None
        forward: dict[str, Callable[..., Any]] = {
            "vaani_configure": lambda config, table: self.call(
                "vaani_configure", config=config, table=table),
            "vaani_startup": lambda ctx: self.call("vaani_startup", ctx=ctx),
            "vaani_shutdown": lambda: self.call("vaani_shutdown"),
            "vaani_pending": lambda: self.call("vaani_pending"),
            "vaani_handle": lambda utterance: self.call("vaani_handle", utterance=utterance),
            "vaani_preview": lambda utterance: self.call("vaani_preview", utterance=utterance),
            "vaani_tools": lambda: self.call("vaani_tools"),
            "vaani_abilities": lambda language: self.call("vaani_abilities",
                                                          language=language),
            "vaani_on_event": lambda event: self.post_event(event),
        }
        module = types.ModuleType(f"vaani_isolated_{self.name}",
                                  f"plugin {self.name!r}, running in a worker process")
        for hook, tryfirst, trylast in self.hello.hooks:
            if hook in forward:
                setattr(module, hook, hookimpl(tryfirst=tryfirst, trylast=trylast)(forward[hook]))
        return module


def _fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def _reap(p: _Proc) -> int | None:
    try:
        return p.proc.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.proc.wait()


# -- the worker's side ------------------------------------------------------------------------

class _Child:
    """The worker process: loads one plugin and serves calls, one at a time, in order."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.send_lock = threading.Lock()
        self.inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self.answers: dict[int, list[Any]] = {}
        self.answers_lock = threading.Lock()
        self.rid = 0
        self.name = ""
        self.impls: dict[str, Any] = {}
        self.tools: dict[str, Any] = {}

    def send(self, msg: tuple[Any, ...]) -> None:
        data = dumps(msg)
        with self.send_lock:
            self.conn.send_bytes(data)

    def read(self) -> None:
        """The reader thread: answers to this worker's requests go to their waiters, the rest
        to the main thread. VAANI gone (end of file): exit at once, even mid-call."""
        try:
            while True:
                msg = pickle.loads(self.conn.recv_bytes())
                if msg[0] == "answer":
                    with self.answers_lock:
                        waiter = self.answers.get(msg[1])
                    if waiter is not None:
                        waiter[1:] = msg[2:]
                        waiter[0].set()
                else:
                    self.inbox.put(msg)
        except BaseException:  # noqa: BLE001 - EOF, or a message that cannot be read
            os._exit(0)

    def ask(self, what: str, *args: Any) -> Any:
        """A request to VAANI (``ctx.now()``, ``ctx.abilities()``), from any thread."""
        with self.answers_lock:
            self.rid += 1
            rid = self.rid
            waiter: list[Any] = [threading.Event(), None, None]
            self.answers[rid] = waiter
        try:
            self.send(("request", rid, what, args))
            if not waiter[0].wait(REQUEST_TIMEOUT_S):
                raise TimeoutError(f"VAANI did not answer {what}() in time")
        finally:
            with self.answers_lock:
                self.answers.pop(rid, None)
        ok, value = waiter[1], waiter[2]
        if not ok:
            raise value.exception(self.name)
        return value

    def load(self, msg: tuple[Any, ...]) -> None:
        import pluggy

        from vaani import hookspecs

        _, self.name, ref, sys_path, memory_mb = msg
        sys.path[:0] = [p for p in sys_path if p not in sys.path]
        if memory_mb and memory_mb > 0:
            import resource
            limit = int(memory_mb) * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            plugin = ref.load()
            pm = pluggy.PluginManager(hookspecs.PROJECT)
            pm.add_hookspecs(hookspecs)
            pm.register(plugin, name=self.name)
            pm.check_pending()
        except BaseException as exc:  # noqa: BLE001 - told to VAANI, then exit
            self.send(("fail", Raised.of(exc)))
            os._exit(1)
        hooks, wrappers = [], []
        for caller in pm.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is not plugin:
                    continue
                if impl.hookwrapper or impl.wrapper:
                    wrappers.append(caller.name)
                else:
                    self.impls[caller.name] = impl
                    hooks.append((caller.name, bool(impl.tryfirst), bool(impl.trylast)))
        self.send(("hello", os.getpid(), hooks, wrappers, "vaani_engines" in self.impls))

    def context(self, config: Any, table: dict[str, Any]) -> Any:
        from vaani.hookspecs import PluginContext

        def abilities(language: str) -> list[str]:
            pairs = list(self.ask("abilities", language))
            own = self.impls.get("vaani_abilities")
            if own is not None:
                phrases = _call(own, language=language) or ()
                pairs.append((self.name, [p.strip() for p in phrases
                                          if isinstance(p, str) and p.strip()]))
            out: list[str] = []
            for _, phrases in sorted(pairs, key=lambda pair: pair[0]):
                out += [p for p in phrases if p not in out]
            return out

        def notify(text: str, language: str = "") -> None:
            self.send(("notify", text, language))

        return PluginContext(
            config=config, table=table,
            notify=notify,
            emit=lambda event: self.send(("emit", dumps(event))),
            now=lambda: self.ask("now"), abilities=abilities)

    def run(self) -> None:
        while True:
            msg = self.inbox.get()
            kind = msg[0]
            if kind == "exit":
                return
            if kind == "event":
                impl = self.impls.get("vaani_on_event")
                if impl is not None:
                    try:
                        _call(impl, event=msg[1])
                    except Exception as exc:  # noqa: BLE001 - as in process: logged
                        log.warning("plugin %s failed on an event: %s", self.name, exc)
                continue
            cid = msg[1]
            try:
                value = self.serve(msg)
            except MemoryError:              # the memory limit: VAANI stops this worker
                self.reply(cid, "fatal", Raised("MemoryError", "out of memory"))
            except BaseException as exc:  # noqa: BLE001 - the plugin's error, for VAANI
                self.reply(cid, "raised", Raised.of(exc))
            else:
                self.reply(cid, "ok", value)

    def serve(self, msg: tuple[Any, ...]) -> Any:
        if msg[0] == "tool":
            _, _, tool_name, which, args = msg
            tool = self.tools.get(tool_name)
            if tool is None:             # a new worker: list the tools again
                self.list_tools()
                tool = self.tools.get(tool_name)
            if tool is None:
                raise LookupError(f"no tool named {tool_name!r}")
            fn = getattr(tool, which)
            if fn is None:
                raise LookupError(f"tool {tool_name!r} has no {which}")
            return fn(*args)
        _, _, hook, kwargs = msg
        impl = self.impls.get(hook)
        if impl is None:
            return None
        if hook == "vaani_startup":
            return _call(impl, ctx=self.context(kwargs["config"], kwargs["table"]))
        if hook == "vaani_tools":
            return self.list_tools()
        return _call(impl, **kwargs)

    def list_tools(self) -> list[Any]:
        from vaani.hookspecs import Tool

        impl = self.impls.get("vaani_tools")
        items = list((_call(impl) if impl is not None else None) or ())
        self.tools = {}
        out: list[Any] = []
        for item in items:
            if isinstance(item, Tool):
                self.tools.setdefault(item.name, item)
                out.append(ToolSpec(item.name, item.description, dict(item.parameters),
                                    acts=bool(item.acts), grounded=item.grounded is not None,
                                    say=item.say is not None, composed=tuple(item.composed)))
            else:
                out.append(item)
        return out

    def reply(self, cid: int, status: str, value: Any) -> None:
        try:
            payload = dumps(value)
        except Exception as exc:  # noqa: BLE001 - a result that does not pickle
            status, payload = "raised", dumps(Raised(
                "PluginError", f"returned a value that cannot leave its worker: {exc}",
                kind="vaani"))
        self.send(("reply", cid, status, payload))


def _call(impl: Any, **kwargs: Any) -> Any:
    """A hook implementation called with only the arguments it declares (as in process)."""
    return impl.function(*[kwargs[name] for name in impl.argnames])


def main(argv: list[str] | None = None) -> int:
    """A worker (``python -c WORKER_MAIN FD``), talking to VAANI over the socket FD."""
    argv = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # VAANI stops its workers itself
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    child = _Child(Connection(int(argv[0])))
    first = pickle.loads(child.conn.recv_bytes())
    child.load(first)
    threading.Thread(target=child.read, daemon=True, name="vaani-worker-reader").start()
    child.run()
    return 0


if __name__ == "__main__":
    from vaani.isolation import main as _main     # the classes under their module's name
    sys.exit(_main())
