"""The plugin host: loads plugins, validates their config, calls them under deadlines.

Built-in and third-party plugins are found the same way, through the ``vaani`` entry-point
group. Loading is explicit (:meth:`PluginHost.load`); nothing is called at import time.
Hook implementations are called with the arguments they declare (:func:`call_impl`), and
calls during turns run on a bounded :class:`CallPool` under the plugin deadline
(docs/plugins.md: the order, the deadlines, what happens to a plugin that hangs). A plugin
that is isolated (third-party ones by default, ``[plugins.NAME] isolate``) runs in a worker
process of its own (:mod:`vaani.isolation`): the host registers a proxy in its place and
calls it in the caller's thread, and a call past its deadline kills the worker.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from typing import Any

import pluggy
from pluggy import HookImpl

from vaani import hookspecs
from vaani.config import Config, PluginIsolation
from vaani.engines import KINDS, EngineContext, EngineSpec
from vaani.errors import ConfigError, EngineError, PluginError, PluginTimeoutError
from vaani.events import Error, Event, error_event
from vaani.guard import REFUSED, ToolRan, arguments_said
from vaani.hookspecs import Pending, PluginContext, Reply, Tool, Utterance
from vaani.isolation import (DEADLINE, PluginRef, Worker, WorkerCrashed, WorkerDown,
                             WorkerError, WorkerLate)

log = logging.getLogger(__name__)


@dataclass
class PluginHealth:
    name: str
    calls: int = 0               # calls into the plugin (hooks, tools), answered or not
    failures: int = 0            # consecutive failures
    total_failures: int = 0      # errors: raised, late, skipped or a wrong result
    timeouts: int = 0
    skipped: int = 0             # not called: its earlier calls had not returned
    disabled: bool = False
    last_error: str = ""
    last_ms: float = 0.0
    times_ms: deque[float] = field(default_factory=lambda: deque(maxlen=TIMES_KEPT),
                                   repr=False)

    def record(self, ms: float) -> None:
        self.calls += 1
        self.last_ms = ms
        self.times_ms.append(ms)

    @property
    def p95_ms(self) -> float | None:
        """The 95th percentile of the last calls' times (None before the first call)."""
        if not self.times_ms:
            return None
        times = sorted(self.times_ms)
        return times[max(0, math.ceil(0.95 * len(times)) - 1)]


# a call into a plugin still loading in the background (``ctx.warming``) waits at most this
# long for it before its own deadline starts
WARM_WAIT_S = 10.0
TIMES_KEPT = 512                 # call times kept per plugin for the p95


@dataclass(frozen=True)
class Answer:
    reply: Reply
    plugin: str
    ms: float


# -- the worker pool ----------------------------------------------------------------------

OK, RAISED, LATE, BUSY = "ok", "raised", "late", "busy"
# isolated plugins only: its worker is down (not called), or died during the call
DOWN, CRASHED = "down", "crashed"
# A tool call's error when its plugin did not answer (late, skipped, down, crashed): the
# assistant says that skill is not responding (SKILL_NOT_RESPONDING), in the user's language.
NOT_RESPONDING = ("the tool did not answer in time", "the skill is not responding")
SKILL_NOT_RESPONDING = {"hi": "वह स्किल अभी जवाब नहीं दे रही है।",
                        "en": "That skill is not responding right now."}


def not_responding(result: Any) -> bool:
    """Is this tool result the error of a plugin that did not answer?"""
    return isinstance(result, dict) and result.get("error") in NOT_RESPONDING
_QUEUED, _RUNNING, _DONE, _CANCELLED = range(4)


class _Task:
    __slots__ = ("plugin", "fn", "state", "abandoned", "result", "error", "done")

    def __init__(self, plugin: str, fn: Callable[[], Any]) -> None:
        self.plugin = plugin
        self.fn = fn
        self.state = _QUEUED
        self.abandoned = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = threading.Event()


@dataclass(frozen=True)
class Outcome:
    """How one call went: ``status`` is ok, raised (``value`` is the exception), late (missed
    its deadline; ``queued``: it never got a worker) or busy (not called: ``stuck`` earlier
    calls of the plugin are still running past their deadlines); for an isolated plugin
    also down (not called: its worker is restarting) or crashed (its worker died during the
    call; ``value`` says how), and ``note`` what happened to its worker."""

    status: str
    value: Any = None
    ms: float = 0.0
    queued: bool = False
    stuck: int = 0
    note: str = ""


class CallPool:
    """A bounded pool of daemon worker threads that runs plugin calls under deadlines.

    A call that misses its deadline is abandoned (a Python thread cannot be killed): it keeps
    its worker until it returns and its result is dropped. Such a worker is counted as
    *stuck* for its plugin and no longer as one of the pool's ``workers``, so hung plugins
    never starve the others; and a plugin with ``stuck_per_plugin`` calls stuck is not
    called again until one returns (:data:`BUSY`, at once, instead of waiting out another
    deadline). Threads: at most ``workers`` + ``stuck_per_plugin`` per plugin.
    """

    def __init__(self, workers: int = 8, stuck_per_plugin: int = 2) -> None:
        if workers < 1 or stuck_per_plugin < 1:
            raise ValueError("a pool needs at least one worker and one stuck call per plugin")
        self.workers = workers
        self.stuck_per_plugin = stuck_per_plugin
        self._cv = threading.Condition()
        self._queue: deque[_Task] = deque()
        self._threads = 0
        self._idle = 0
        self._started = 0
        self.busy: Counter[str] = Counter()      # workers running a call of each plugin
        self.stuck: Counter[str] = Counter()     # of those, calls past their deadline

    @property
    def threads(self) -> int:
        with self._cv:
            return self._threads

    def run(self, plugin: str, fn: Callable[[], Any], timeout_s: float) -> Outcome:
        """Call ``fn`` on a worker, waiting at most ``timeout_s`` for it. Never raises."""
        start = time.perf_counter()
        with self._cv:
            stuck = self.stuck[plugin]
            if stuck >= self.stuck_per_plugin:
                return Outcome(BUSY, stuck=stuck)
            task = _Task(plugin, fn)
            self._queue.append(task)
            live = self._threads - sum(self.stuck.values())
            if self._idle < len(self._queue) and live < self.workers:
                self._threads += 1
                self._started += 1
                threading.Thread(target=self._work, daemon=True,
                                 name=f"vaani-plugin-{self._started}").start()
            self._cv.notify()
        finished = task.done.wait(timeout_s)
        ms = (time.perf_counter() - start) * 1000
        if not finished:
            with self._cv:
                if task.state == _QUEUED:        # no worker was free in time
                    self._queue.remove(task)
                    task.state = _CANCELLED
                    return Outcome(LATE, ms=ms, queued=True)
                if task.state == _RUNNING:
                    task.abandoned = True
                    self.stuck[plugin] += 1
                    return Outcome(LATE, ms=ms)
        if task.error is not None:
            return Outcome(RAISED, task.error, ms)
        return Outcome(OK, task.result, ms)

    def _work(self) -> None:
        while True:
            with self._cv:
                self._idle += 1
                while not self._queue:
                    self._cv.wait()
                self._idle -= 1
                task = self._queue.popleft()
                task.state = _RUNNING
                self.busy[task.plugin] += 1
            try:
                task.result = task.fn()
            except BaseException as exc:  # noqa: BLE001 - reported to the caller
                task.error = exc
            with self._cv:
                task.state = _DONE
                self.busy[task.plugin] -= 1
                if task.abandoned:
                    self.stuck[task.plugin] -= 1
                task.done.set()
                # a stuck worker that comes back is one too many if it was replaced
                if self._threads - sum(self.stuck.values()) > self.workers:
                    self._threads -= 1
                    return


def call_impl(impl: HookImpl, **kwargs: Any) -> Any:
    """Call one hook implementation the way pluggy does: with only the arguments it
    declares (an implementation may take any subset of the hook's arguments)."""
    return impl.function(*[kwargs[name] for name in impl.argnames])


def _call_list(impl: HookImpl) -> list[Any]:
    """A hook implementation that takes no arguments and returns a list (or None)."""
    return list(call_impl(impl) or ())


def _notify_as(notify: Callable[[str, str, str], None],
               name: str) -> Callable[[str, str], None]:
    """Plugin ``name``'s ``ctx.notify(text, language)``: ``notify`` with its name."""
    return lambda text, language: notify(text, language, name)


def _accepts(grounded: Callable[[dict[str, Any], str], Any], utterance: str) -> bool:
    """A parameterless tool's check of ``utterance``."""
    return bool(grounded({}, utterance))


class PluginHost:
    """Owns the pluggy manager, the worker pool plugin calls run on, and every plugin's
    health.

    Every hook implementation is called with only the arguments it declares
    (:func:`call_impl`, as pluggy would). Calls that answer a turn or feed the model
    (``vaani_handle``, ``vaani_preview``, ``vaani_pending``, ``vaani_tools``,
    ``vaani_abilities``, and a tool's ``call``, ``grounded`` and ``say``) run on the pool
    under the plugin deadline; ``vaani_configure``, ``vaani_startup``, ``vaani_shutdown``
    and ``vaani_on_event`` run in the caller's thread. An isolated plugin (``workers``:
    name -> :class:`~vaani.isolation.Worker`) is called in the caller's thread instead of
    on the pool: its worker process enforces the deadline."""

    def __init__(self, config: Config, emit: Callable[[Event], None] | None = None, *,
                 workers: int | None = None, stuck_per_plugin: int = 2) -> None:
        self.config = config
        self._emit = emit or (lambda event: None)
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.health: dict[str, PluginHealth] = {}
        self.pool = CallPool(workers or config.plugins.pool_size, stuck_per_plugin)
        self.workers: dict[str, Worker] = {}      # isolated plugins' worker processes
        self._dists: dict[str, str] = {}          # plugin name -> "project version"
        self._lock = threading.Lock()
        self._started = False
        self._warming: dict[str, threading.Event] = {}   # plugin -> set once warm

    # -- loading ------------------------------------------------------------------------

    def load(self, extra: Iterable[tuple[str, object]] = (), entry_points: bool = True) -> None:
        """Register entry-point plugins (minus ``plugins.disabled``) and ``extra`` ones (an
        object, or a :class:`~vaani.isolation.PluginRef` as ``VAANI_PLUGINS`` names them).

        Where each runs (:meth:`isolated`): third-party plugins (installed, or named in
        ``VAANI_PLUGINS``) in a worker process of their own, VAANI's built-in ones and
        objects handed to the host in process, unless ``[plugins.NAME] isolate`` says
        otherwise. Workers are started together, then registered in order."""
        disabled = set(self.config.plugins.disabled)
        items: list[tuple[str, Any, str]] = []      # (name, object or PluginRef, origin)
        if entry_points:
            for ep in sorted(metadata.entry_points(group=hookspecs.PROJECT), key=lambda e: e.name):
                if ep.name in disabled or self.pm.has_plugin(ep.name):
                    continue
                ours = ep.dist is None or _vaani_dist(ep.dist.name)
                items.append((ep.name, PluginRef(ep.module, ep.attr or ""),
                              BUILT_IN if ours else INSTALLED))
                if ep.dist is not None:
                    self._dists[ep.name] = f"{ep.dist.name} {ep.dist.version}"
        for name, plugin in extra:
            if name in disabled:
                continue
            if isinstance(plugin, PluginRef):
                items.append((name, plugin, BUILT_IN if shipped_with_vaani(plugin.module)
                              else NAMED))
            else:
                items.append((name, plugin, GIVEN))
        started: list[Worker] = []
        try:
            for name, plugin, origin in items:       # every worker starts loading at once
                if self.isolated(name, origin):
                    worker = self._worker(name, plugin)
                    worker.spawn()
                    started.append(worker)
            for name, plugin, origin in items:
                self._register(name, plugin, origin)
        except BaseException:
            for worker in started:
                worker.stop(grace_s=0.1)
            raise
        self.pm.check_pending()
        for name in self.plugin_names():
            self.health.setdefault(name, PluginHealth(name))
        for caller in self.pm.hook.__dict__.values():
            for impl in getattr(caller, "get_hookimpls", lambda: [])():
                if impl.hookwrapper or impl.wrapper:
                    self._report(PluginError(
                        f"plugin '{impl.plugin_name}': {caller.name} is a hook wrapper, which "
                        "VAANI does not call (each implementation is called on its own, "
                        "under a deadline)"), impl.plugin_name)

    def isolated(self, name: str, origin: str) -> bool:
        """Does plugin ``name`` run in a worker process? ``[plugins.NAME] isolate``, else
        by origin: installed third-party plugins and ``VAANI_PLUGINS`` ones do."""
        setting = self.config.plugin_isolation.get(name, PluginIsolation()).isolate
        return setting if setting is not None else origin in (INSTALLED, NAMED)

    def _worker(self, name: str, plugin: Any) -> Worker:
        ref = plugin if isinstance(plugin, PluginRef) else _ref_of(name, plugin)
        memory_mb = self.config.plugin_isolation.get(name, PluginIsolation()).memory_mb
        worker = Worker(name, ref, memory_mb=memory_mb,
                        crashed=lambda message: self._fail(name, PluginError(message)),
                        abilities=lambda language: self.abilities_by_plugin(
                            language, exclude=name))
        self.workers[name] = worker
        return worker

    def _register(self, name: str, plugin: Any, origin: str) -> None:
        """Register one plugin: its proxy when it runs in a worker (whose start is waited for
        here), else the plugin itself (imported now if it is a reference). A plugin that
        cannot load is reported and left out when installed; named in ``VAANI_PLUGINS`` or
        handed to the host, it stops the start."""
        worker = self.workers.get(name)
        try:
            if worker is not None:
                hello = worker.handshake()
                if hello.engines:                     # engines run in VAANI's process
                    worker.stop(grace_s=0.1)
                    del self.workers[name]
                    if self.config.plugin_isolation.get(name, PluginIsolation()).isolate:
                        raise ConfigError(
                            f"plugins.{name}.isolate: plugin '{name}' provides engines, "
                            "which run in VAANI's process", hint="set isolate = false")
                    log.info("plugin %s provides engines: it runs in process", name)
                    self._register(name, plugin, origin)
                    return
                worker.start_done()
                for hook in hello.wrappers:
                    self._report(PluginError(
                        f"plugin '{name}': {hook} is a hook wrapper, which VAANI does not call "
                        "(each implementation is called on its own, under a deadline)"), name)
                self.pm.register(worker.proxy(), name=name)
                return
            if isinstance(plugin, PluginRef):
                plugin = plugin.load()
        except ConfigError:
            raise
        except Exception as exc:  # a broken third-party plugin must not stop us
            if worker is not None:
                worker.stop(grace_s=0.1)
                self.workers.pop(name, None)
            if origin == NAMED or (origin == BUILT_IN and isinstance(plugin, PluginRef)
                                   and name not in self._dists):
                raise ConfigError(f"VAANI_PLUGINS: cannot load {plugin.spec!r}: "
                                  f"{_reason(exc)}") from None
            if origin == GIVEN:
                raise
            self._report(exc if isinstance(exc, PluginError) and worker is not None else
                         PluginError(f"plugin '{name}' failed to import: {exc}"), name)
            return
        self.pm.register(plugin, name=name)

    def plugin_names(self) -> list[str]:
        return sorted(name for name, _ in self.pm.list_name_plugin())

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        return sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])

    def describe(self) -> list[dict[str, Any]]:
        """One row per plugin: name, where it comes from, hooks, engines, tools, health."""
        tools: dict[str, list[str]] = {}
        for tool_name, (plugin_name, _) in self.tools().items():
            tools.setdefault(plugin_name, []).append(tool_name)
        rows = []
        for name in self.plugin_names():
            plugin = self.pm.get_plugin(name)
            h = self.health.get(name, PluginHealth(name))
            p95 = h.p95_ms
            rows.append({
                "name": name,
                "package": self._dists.get(name, "(not installed)"),
                "isolation": self.isolation_of(name),
                "hooks": self.hooks_of(name),
                "engines": [f"{s.kind}:{s.name}" for s in self._engine_specs_of(plugin)],
                "tools": sorted(tools.get(name, [])),
                "disabled": h.disabled, "calls": h.calls, "failures": h.total_failures,
                "timeouts": h.timeouts, "skipped": h.skipped,
                "p95_ms": None if p95 is None else round(p95, 1),
                "busy": self.pool.busy[name], "stuck": self.pool.stuck[name],
                "last_error": h.last_error,
            })
        return rows

    def isolation_of(self, name: str) -> dict[str, Any]:
        """Where plugin ``name`` runs: ``{"mode": "in-process"}``, or ``"isolated"`` with its
        worker's ``state`` (up, starting, down, stopped), ``pid`` (None unless up),
        ``restarts``, ``memory_mb``, ``last_exit`` (how its last worker ended) and, when down,
        ``restart_in_s``."""
        worker = self.workers.get(name)
        if worker is None:
            return {"mode": "in-process"}
        out: dict[str, Any] = {"mode": "isolated", "state": worker.state, "pid": worker.pid,
                               "restarts": worker.restarts, "memory_mb": worker.memory_mb,
                               "last_exit": worker.last_exit}
        if worker.state == "down":
            out["restart_in_s"] = round(max(0.0, worker.restart_at - time.monotonic()), 1)
        return out

    def _impls(self, hook: str, order: str = "call") -> list[HookImpl]:
        """A hook's implementations, wrappers left out: in pluggy's call order (``call``:
        tryfirst first, then the last registered first) or by plugin name (``name``)."""
        impls = [i for i in getattr(self.pm.hook, hook).get_hookimpls()
                 if not (i.hookwrapper or i.wrapper)]
        if order == "name":
            return sorted(impls, key=lambda i: i.plugin_name)
        return list(reversed(impls))       # get_hookimpls() is the reverse of call order

    def _enabled(self, name: str) -> bool:
        return not self.health.get(name, PluginHealth(name)).disabled

    # -- engines ------------------------------------------------------------------------

    def _engine_specs_of(self, plugin: object) -> list[EngineSpec]:
        out: list[EngineSpec] = []
        for impl in self.pm.hook.vaani_engines.get_hookimpls():
            if impl.plugin is plugin:
                out.extend(call_impl(impl) or [])
        return out

    def engine_specs(self) -> dict[tuple[str, str], EngineSpec]:
        specs: dict[tuple[str, str], EngineSpec] = {}
        # pluggy calls the last registered first; walk in reverse so the earliest wins
        # a name clash unless a plugin is tryfirst.
        for result in self.pm.hook.vaani_engines():
            for spec in result or []:
                if spec.kind not in KINDS:
                    raise PluginError(f"engine '{spec.name}' has unknown kind '{spec.kind}'")
                specs.setdefault((spec.kind, spec.name), spec)
        return specs

    def create_engine(self, kind: str, name: str, ctx: EngineContext) -> Any:
        specs = self.engine_specs()
        spec = specs.get((kind, name))
        if spec is None:
            known = ", ".join(sorted(n for k, n in specs if k == kind)) or "none"
            raise ConfigError(f"unknown {kind} engine '{name}'",
                              hint=f"installed {kind} engines: {known}")
        try:
            return spec.factory(ctx)
        except (ConfigError, EngineError) as exc:
            raise exc
        except Exception as exc:
            from vaani.errors import VaaniError
            if isinstance(exc, VaaniError):
                raise
            raise EngineError(f"{kind} engine '{name}' failed to start: {exc}") from exc

    # -- lifecycle ----------------------------------------------------------------------

    def configure(self) -> None:
        """Each plugin validates its own ``[plugins.<name>]`` table."""
        known = set(self.plugin_names())
        for table_name in self.config.plugin_tables:
            if table_name not in known and table_name not in self.config.plugins.disabled:
                raise ConfigError(f"unknown config key 'plugins.{table_name}': no such plugin",
                                  hint="installed plugins: " + ", ".join(sorted(known)))
        for impl in self._impls("vaani_configure"):
            table = self.config.plugin_tables.get(impl.plugin_name, {})
            try:
                call_impl(impl, config=self.config, table=table)
            except WorkerError as exc:  # its worker crashed or hung: configured on restart
                self._fail(impl.plugin_name, exc)

    def startup(self, notify: Callable[[str, str, str], None],
                now: Callable[[], float] = time.time) -> None:
        """``notify(text, language, plugin_name)`` speaks outside a turn."""
        for impl in self._impls("vaani_startup"):
            name = impl.plugin_name
            ctx = PluginContext(
                config=self.config, table=self.config.plugin_tables.get(name, {}),
                notify=_notify_as(notify, name),
                emit=self._emit, now=now, abilities=self.abilities,
                warming=partial(self._warm, name))
            try:
                call_impl(impl, ctx=ctx)
            except Exception as exc:
                self._fail(name, exc)
        self._started = True

    def _warm(self, name: str, fn: Callable[[], Any]) -> None:
        """``ctx.warming(fn)`` of plugin ``name``: ``fn`` on a thread; calls wait for it."""
        done = threading.Event()
        with self._lock:
            self._warming[name] = done

        def run() -> None:
            t = time.perf_counter()
            try:
                fn()
            except Exception as exc:
                self._fail(name, exc)
            finally:
                done.set()
                log.debug("plugin %s warm in %.0f ms", name, (time.perf_counter() - t) * 1000)

        threading.Thread(target=run, name=f"vaani-warm-{name}", daemon=True).start()

    def wait_warm(self, timeout_s: float | None = None) -> bool:
        """Wait until every plugin's ``ctx.warming`` work is done (at most ``timeout_s``,
        default :data:`WARM_WAIT_S`); False if some is still running."""
        deadline = time.monotonic() + (WARM_WAIT_S if timeout_s is None else timeout_s)
        with self._lock:
            events = list(self._warming.values())
        return all(e.wait(max(0.0, deadline - time.monotonic())) for e in events)

    def shutdown(self) -> None:
        for impl in self._impls("vaani_shutdown"):
            try:
                call_impl(impl)
            except Exception as exc:
                log.warning("plugin %s failed to shut down: %s", impl.plugin_name, exc)
        self.close()
        self._started = False

    def close(self) -> None:
        """Stop every isolated plugin's worker (no hooks called: see :meth:`shutdown`)."""
        for worker in self.workers.values():
            worker.stop()

    # -- calls on the pool --------------------------------------------------------------

    def _run(self, name: str, fn: Callable[[], Any], timeout_s: float, late: str, *,
             turn: int = 0, report: bool = True) -> tuple[bool, Any]:
        """``fn``, a call into plugin ``name``, on the pool under ``timeout_s``: (True,
        result), or (False, status) once the failure (raised, late or busy) is counted and,
        with ``report``, emitted as an error event (``late``: what a call past its deadline
        failed to do)."""
        health = self.health.setdefault(name, PluginHealth(name))
        worker = self.workers.get(name)
        warming = self._warming.get(name)
        if warming is not None and not warming.is_set():   # asked right after start-up
            warming.wait(WARM_WAIT_S)
        out = (self._run_isolated(fn, timeout_s) if worker is not None
               else self.pool.run(name, fn, timeout_s))
        # a call that never started (no worker got to it before its deadline: a loaded
        # machine) says nothing about the plugin: skipped, never counted toward disabling it
        never_ran = out.status == LATE and out.queued
        with self._lock:
            if out.status in (BUSY, DOWN) or never_ran:
                health.skipped += 1
            else:
                health.record(out.ms)
                if out.status == LATE:
                    health.timeouts += 1
        if out.status == OK:
            return True, out.value
        if out.status == DOWN:          # reported when its worker went down, not per call
            log.debug("plugin %s not called: %s", name, out.value)
            return False, DOWN
        if out.status == BUSY:
            exc: BaseException = PluginTimeoutError(
                f"plugin '{name}' skipped: {out.stuck} earlier calls have not returned "
                f"(still running past their deadlines)",
                hint="fix the plugin, or add it to plugins.disabled")
        elif out.status == LATE:
            why = " (no worker was free)" if out.queued else out.note
            exc = PluginTimeoutError(f"{late} within {timeout_s * 1000:.0f} ms{why}")
        else:
            exc = out.value
        if never_ran:
            log.warning("%s", exc)
        elif report:
            self._fail(name, exc, turn=turn)
        else:
            log.debug("call into plugin %s failed: %r", name, exc)
        return False, out.status

    @staticmethod
    def _run_isolated(fn: Callable[[], Any], timeout_s: float) -> Outcome:
        """``fn``, a call into an isolated plugin, in this thread: its worker enforces
        ``timeout_s`` (:data:`~vaani.isolation.DEADLINE`). Never raises."""
        start = time.perf_counter()
        token = DEADLINE.set(timeout_s)
        try:
            value = fn()
        except WorkerDown as exc:
            return Outcome(DOWN, exc)
        except WorkerLate as exc:
            note = (" (its worker was busy with another call)" if exc.queued else
                    f"; its worker was stopped (restarting in {exc.restart_in:.1f} s)")
            return Outcome(LATE, ms=(time.perf_counter() - start) * 1000, queued=False,
                           note=note)
        except WorkerCrashed as exc:
            return Outcome(CRASHED, exc, (time.perf_counter() - start) * 1000)
        except Exception as exc:  # noqa: BLE001 - the plugin's own error, reported
            return Outcome(RAISED, exc, (time.perf_counter() - start) * 1000)
        finally:
            DEADLINE.reset(token)
        return Outcome(OK, value, (time.perf_counter() - start) * 1000)

    def pending(self, timeout_ms: float | None = None) -> list[tuple[str, Pending]]:
        """(plugin, :class:`Pending`) for every notification the enabled plugins will still
        give (``vaani_pending``), soonest first. Never raises: a plugin that fails, runs
        late or returns junk is reported and left out."""
        timeout_s = self._timeout_s(timeout_ms)
        out: list[tuple[str, Pending]] = []
        for impl in self._impls("vaani_pending"):
            name = impl.plugin_name
            if not self._enabled(name):
                continue
            ok, result = self._run(
                name, partial(_call_list, impl), timeout_s,
                f"plugin '{name}' did not list its pending notifications")
            if not ok:
                continue
            for item in result:
                if isinstance(item, Pending):
                    out.append((name, item))
                else:
                    self._fail(name, PluginError(
                        f"plugin '{name}' listed {type(item).__name__} as pending, not Pending"))
        return sorted(out, key=lambda pair: pair[1].due)

    # -- the fast path ------------------------------------------------------------------

    def handle(self, utterance: Utterance, timeout_ms: float | None = None) -> Answer | None:
        """First-result dispatch with a deadline per plugin. Never raises."""
        timeout_s = self._timeout_s(timeout_ms)
        for impl in self._impls("vaani_handle"):
            name = impl.plugin_name
            if not self._enabled(name):
                continue
            start = time.perf_counter()
            ok, result = self._run(
                name, partial(call_impl, impl, utterance=utterance), timeout_s,
                f"plugin '{name}' did not answer", turn=utterance.turn)
            ms = (time.perf_counter() - start) * 1000
            if not ok:
                continue
            with self._lock:
                self.health[name].failures = 0
            if result is None:
                continue
            if not isinstance(result, Reply):
                self._fail(name, PluginError(
                    f"plugin '{name}' returned {type(result).__name__}, not Reply"),
                    turn=utterance.turn)
                continue
            return Answer(result, name, ms)
        return None

    def preview(self, utterance: Utterance, timeout_ms: float | None = None) -> Reply | None:
        """First-result over ``vaani_preview`` (side-effect-free answers), for synthesising
        ahead. Never raises and emits nothing: the real ``handle`` call follows and reports."""
        timeout_s = self._timeout_s(timeout_ms)
        for impl in self._impls("vaani_preview"):
            name = impl.plugin_name
            if not self._enabled(name):
                continue
            ok, result = self._run(
                name, partial(call_impl, impl, utterance=utterance), timeout_s,
                f"plugin '{name}' did not preview", report=False)
            if ok and isinstance(result, Reply):
                return result
        return None

    # -- tools for the LLM --------------------------------------------------------------

    def tools(self, timeout_ms: float | None = None) -> dict[str, tuple[str, Tool]]:
        """Tool name -> (plugin, tool), from enabled plugins; a plugin whose ``vaani_tools``
        raises, runs late or returns junk is reported and left out, a duplicate name keeps
        the first."""
        timeout_s = self._timeout_s(timeout_ms)
        found: dict[str, tuple[str, Tool]] = {}
        for impl in self._impls("vaani_tools"):
            name = impl.plugin_name
            if not self._enabled(name):
                continue
            ok, tools = self._run(name, partial(_call_list, impl), timeout_s,
                                  f"plugin '{name}' did not list its tools")
            if not ok:
                # an isolated plugin that is down still offers its last tools, so that a
                # call to one is answered "that skill is not responding", not "no such tool"
                worker = self.workers.get(name)
                if worker is None or worker.up or not worker.tools:
                    continue
                tools = list(worker.tools)
            for tool in tools:
                if not isinstance(tool, Tool):
                    self._fail(name, PluginError(
                        f"plugin '{name}' offered {type(tool).__name__} as a tool, not Tool"))
                elif tool.name in found:
                    log.warning("tool %r of plugin %s ignored: plugin %s has one by that name",
                                tool.name, name, found[tool.name][0])
                else:
                    found[tool.name] = (name, tool)
        return found

    def tools_for(self, utterance: str, turn: int = 0,
                  timeout_ms: float | None = None) -> list[Tool]:
        """The tools a model may call for ``utterance``: every tool, except one without
        parameters whose ``grounded`` check refuses the utterance: :meth:`call_tool` would
        refuse any call of it, so offering it only lets a small model pick it over the tool
        that fits (chimera picked ``clock`` for "I had fifty rupees and spent eighteen")."""
        timeout_s = self._timeout_s(timeout_ms)
        out: list[Tool] = []
        for plugin, tool in self.tools().values():
            if not tool.parameters and tool.grounded is not None:
                ran, ok = self._run(
                    plugin, partial(_accepts, tool.grounded, utterance), timeout_s,
                    f"tool '{tool.name}' of plugin '{plugin}' did not check the utterance",
                    turn=turn)
                if not (ran and ok is True):
                    continue
            out.append(tool)
        return out

    def call_tool(self, name: str, arguments: Any, language: str, turn: int = 0,
                  timeout_ms: float | None = None, utterance: str | None = None) -> dict[str, Any]:
        """Call a tool under the plugin deadline. Never raises: failures are error events
        and an ``{"error": ...}`` result the model can word an apology from. A tool with a
        ``grounded`` check runs only if it accepts the arguments for ``utterance`` (a tool
        that acts never runs without one); any other tool only if its arguments were said
        (:func:`vaani.guard.arguments_said`). An unknown tool is never run."""
        entry = self.tools().get(name)
        if entry is None:
            return {"error": f"no tool named {name!r} is available offline"}
        if not isinstance(arguments, dict):
            return {"error": "arguments must be a JSON object"}
        plugin, tool = entry
        timeout_s = self._timeout_s(timeout_ms)
        if tool.acts or tool.grounded is not None:
            ok = False
            grounded = tool.grounded
            if grounded is not None and utterance is not None:
                ran, ok = self._run(
                    plugin, lambda: bool(grounded(dict(arguments), utterance)), timeout_s,
                    f"tool '{name}' of plugin '{plugin}' did not check its arguments", turn=turn)
                if not ran and ok in (LATE, BUSY, DOWN, CRASHED):
                    return {"error": _not_answering(ok)}
                ok = ran and ok
        else:                                    # a tool that reads: its arguments were said
            ok = utterance is None or arguments_said(arguments, utterance)
        if not ok:
            log.info("tool %r not run: %r is not what %r asked for", name, arguments, utterance)
            return {"error": REFUSED[0]}
        ran, result = self._run(plugin, lambda: tool.call(dict(arguments), language), timeout_s,
                                f"tool '{name}' of plugin '{plugin}' did not answer", turn=turn)
        if not ran:
            return {"error": _not_answering(result) if result in (LATE, BUSY, DOWN, CRASHED)
                    else "the tool failed"}
        if not isinstance(result, dict):
            self._fail(plugin, PluginError(
                f"tool '{name}' of plugin '{plugin}' returned {type(result).__name__}, not dict"),
                turn=turn)
            return {"error": "the tool failed"}
        return result

    def tool_ran(self, name: str, arguments: Any, result: Any, language: str) -> ToolRan:
        """A finished tool call as the reply guard sees it: whether the tool acts, and its
        own wording of the result (``Tool.say``; "" when it has none or it fails)."""
        entry = self.tools().get(name)
        if entry is None:
            return ToolRan(name, arguments, result)
        plugin, tool = entry
        say = ""
        own_words = tool.say
        if own_words is not None and isinstance(result, dict) and "error" not in result:
            ok, text = self._run(plugin, lambda: own_words(dict(result), language),
                                 self._timeout_s(None),
                                 f"tool '{name}' of plugin '{plugin}' did not word its result")
            if ok and isinstance(text, str):
                say = text.strip()
        return ToolRan(name, arguments, result, acts=tool.acts, say=say)

    def abilities(self, language: str, timeout_ms: float | None = None) -> list[str]:
        """What the enabled plugins let VAANI do (``vaani_abilities``), in ``language``, in
        the order of the plugins' names."""
        out: list[str] = []
        for _, phrases in self.abilities_by_plugin(language, timeout_ms):
            out += [phrase for phrase in phrases if phrase not in out]
        return out

    def abilities_by_plugin(self, language: str, timeout_ms: float | None = None,
                            exclude: str = "") -> list[tuple[str, list[str]]]:
        """(plugin, its phrases) for each enabled plugin but ``exclude``, by name (an isolated
        plugin's ``ctx.abilities`` adds its own, in its worker)."""
        timeout_s = self._timeout_s(timeout_ms)
        out: list[tuple[str, list[str]]] = []
        for impl in self._impls("vaani_abilities", order="name"):
            name = impl.plugin_name
            if name == exclude or not self._enabled(name):
                continue
            ok, phrases = self._run(name, partial(call_impl, impl, language=language),
                                    timeout_s, f"plugin '{name}' did not list its abilities")
            if not ok:
                continue
            out.append((name, [phrase.strip() for phrase in phrases or ()
                               if isinstance(phrase, str) and phrase.strip()]))
        return out

    def has_observers(self) -> bool:
        """Does any plugin implement ``vaani_on_event``?"""
        return bool(self._impls("vaani_on_event"))

    def on_event(self, event: Event) -> None:
        """Broadcast to observers (in the caller's thread: observers must not block); an
        observer that raises is reported, never propagated."""
        for impl in self._impls("vaani_on_event"):
            try:
                call_impl(impl, event=event)
            except Exception as exc:
                if isinstance(event, Error):   # do not loop on errors about errors
                    log.warning("observer %s failed on an error event: %s", impl.plugin_name, exc)
                else:
                    self._fail(impl.plugin_name, exc, turn=event.turn)

    def _timeout_s(self, timeout_ms: float | None) -> float:
        """A call's deadline in seconds: ``timeout_ms`` or ``plugins.timeout_ms``."""
        return (timeout_ms if timeout_ms is not None else self.config.plugins.timeout_ms) / 1000

    # -- failures -----------------------------------------------------------------------

    def _fail(self, name: str, exc: BaseException, turn: int = 0) -> None:
        health = self.health.setdefault(name, PluginHealth(name))
        with self._lock:
            health.failures += 1
            health.total_failures += 1
            health.last_error = str(exc)
            limit = self.config.plugins.max_failures
            newly_disabled = not health.disabled and limit > 0 and health.failures >= limit
            if newly_disabled:
                health.disabled = True
        if not isinstance(exc, PluginError):
            exc = PluginError(f"plugin '{name}' raised {type(exc).__name__}: {exc}")
        self._report(exc, name, turn)
        if newly_disabled and name in self.workers:
            threading.Thread(target=self.workers[name].stop, daemon=True).start()
        if newly_disabled:
            self._report(PluginError(
                f"plugin '{name}' disabled after {health.failures} failures in a row",
                hint=f"fix the plugin, or add it to plugins.disabled"), name, turn)

    def _report(self, exc: BaseException, name: str, turn: int = 0) -> None:
        log.warning("%s", exc)
        self._emit(error_event(exc, source=f"plugin:{name}", turn=turn))


# -- where plugins come from -----------------------------------------------------------------

BUILT_IN = "built-in"        # shipped with VAANI (its entry points, plugins/vaani_*)
INSTALLED = "installed"      # a third-party entry point
NAMED = "named"              # a third-party plugin named in VAANI_PLUGINS
GIVEN = "given"              # an object handed to the host (tests, the kit, an embedding app)


def _vaani_dist(dist_name: str) -> bool:
    return dist_name.lower().replace("_", "-") == "vaani"


def shipped_with_vaani(module: str) -> bool:
    """Is ``module`` part of VAANI: ``vaani`` itself, a package one of VAANI's own entry
    points names, or a ``vaani_*`` package in VAANI's ``plugins/`` (not yet registered)."""
    import importlib.util
    from pathlib import Path

    top = module.split(".")[0]
    if top == "vaani":
        return True
    for ep in metadata.entry_points(group=hookspecs.PROJECT):
        if ep.dist is not None and _vaani_dist(ep.dist.name) and ep.module.split(".")[0] == top:
            return True
    if not top.startswith("vaani_"):
        return False
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    plugins_dir = Path(__file__).resolve().parents[1] / "plugins"
    origin = spec.origin if spec is not None else None
    return origin is not None and Path(origin).resolve().is_relative_to(plugins_dir)


def _ref_of(name: str, plugin: object) -> PluginRef:
    """How a worker gets an object handed to the host: a module by its name, anything else
    pickled (its class must be importable there)."""
    import pickle
    import sys
    import types

    if isinstance(plugin, types.ModuleType):
        if sys.modules.get(plugin.__name__) is plugin and plugin.__spec__ is not None:
            return PluginRef(plugin.__name__)
        raise ConfigError(f"plugins.{name}.isolate: module {plugin.__name__!r} cannot be "
                          "imported by name in a worker", hint="set isolate = false")
    try:
        return PluginRef(pickled=pickle.dumps(plugin, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception as exc:
        raise ConfigError(f"plugins.{name}.isolate: plugin '{name}' cannot be sent to a "
                          f"worker process: {exc}", hint="set isolate = false") from None


def _reason(exc: BaseException) -> str:
    """An import failure in words, without repeating the plugin's name."""
    text = str(exc)
    return text.split(": ", 1)[1] if text.startswith("plugin '") and ": " in text else text


def _not_answering(status: str) -> str:
    """The tool error for a plugin that did not answer (see :data:`NOT_RESPONDING`)."""
    return NOT_RESPONDING[0] if status in (LATE, BUSY) else NOT_RESPONDING[1]
