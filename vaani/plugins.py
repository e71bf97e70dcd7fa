"""The plugin host: loads plugins, validates their config, calls them under deadlines.

Built-in and third-party plugins are found the same way, through the ``vaani`` entry-point
group. Loading is explicit (:meth:`PluginHost.load`); nothing is called at import time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from vaani import hookspecs
from vaani.config import Config
from vaani.engines import KINDS, EngineContext, EngineSpec
from vaani.errors import ConfigError, EngineError, PluginError, PluginTimeoutError
from vaani.events import Error, Event, error_event
from vaani.guard import REFUSED, ToolRan, arguments_said
from vaani.hookspecs import Pending, PluginContext, Reply, Tool, Utterance

log = logging.getLogger(__name__)


@dataclass
class PluginHealth:
    name: str
    calls: int = 0
    failures: int = 0            # consecutive failures
    total_failures: int = 0
    timeouts: int = 0
    disabled: bool = False
    last_error: str = ""
    last_ms: float = 0.0


@dataclass(frozen=True)
class Answer:
    reply: Reply
    plugin: str
    ms: float


def _call_with_deadline(fn: Callable[[], Any], timeout_s: float) -> tuple[bool, Any]:
    """Run ``fn`` in a daemon thread. Returns (finished, result-or-exception).

    A call that misses its deadline is abandoned (Python threads cannot be killed); it
    keeps its thread until it returns, and its result is dropped.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name="vaani-plugin-call")
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        return False, None
    if "error" in box:
        return True, box["error"]
    return True, box.get("result")


class PluginHost:
    """Owns the pluggy manager and the health of every plugin."""

    def __init__(self, config: Config, emit: Callable[[Event], None] | None = None) -> None:
        self.config = config
        self._emit = emit or (lambda event: None)
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.health: dict[str, PluginHealth] = {}
        self._lock = threading.Lock()
        self._started = False

    # -- loading ------------------------------------------------------------------------

    def load(self, extra: Iterable[tuple[str, object]] = (), entry_points: bool = True) -> None:
        """Register entry-point plugins (minus ``plugins.disabled``) and ``extra`` ones."""
        disabled = set(self.config.plugins.disabled)
        if entry_points:
            for ep in sorted(metadata.entry_points(group=hookspecs.PROJECT), key=lambda e: e.name):
                if ep.name in disabled or self.pm.has_plugin(ep.name):
                    continue
                try:
                    plugin = ep.load()
                except Exception as exc:  # a broken third-party plugin must not stop us
                    self._report(PluginError(f"plugin '{ep.name}' failed to import: {exc}"),
                                 ep.name)
                    continue
                self.pm.register(plugin, name=ep.name)
        for name, plugin in extra:
            if name not in disabled:
                self.pm.register(plugin, name=name)
        self.pm.check_pending()
        for name in self.plugin_names():
            self.health.setdefault(name, PluginHealth(name))

    def plugin_names(self) -> list[str]:
        return sorted(name for name, _ in self.pm.list_name_plugin())

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        return sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])

    def describe(self) -> list[dict[str, Any]]:
        """One row per plugin: name, where it comes from, hooks, health."""
        dists = {p: d for p, d in self.pm.list_plugin_distinfo()}
        rows = []
        for name in self.plugin_names():
            plugin = self.pm.get_plugin(name)
            dist = dists.get(plugin)
            h = self.health.get(name, PluginHealth(name))
            rows.append({
                "name": name,
                "package": f"{dist.project_name} {dist.version}" if dist else "(in process)",
                "hooks": self.hooks_of(name),
                "engines": [f"{s.kind}:{s.name}" for s in self._engine_specs_of(plugin)],
                "disabled": h.disabled, "failures": h.total_failures, "timeouts": h.timeouts,
                "last_error": h.last_error,
            })
        return rows

    # -- engines ------------------------------------------------------------------------

    def _engine_specs_of(self, plugin: object) -> list[EngineSpec]:
        fn = getattr(plugin, "vaani_engines", None)
        if fn is None:
            return []
        return list(fn() or [])

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
        for impl in self.pm.hook.vaani_configure.get_hookimpls():
            table = self.config.plugin_tables.get(impl.plugin_name, {})
            impl.function(config=self.config, table=table)

    def startup(self, notify: Callable[[str, str, str], None],
                now: Callable[[], float] = time.time) -> None:
        """``notify(text, language, plugin_name)`` speaks outside a turn."""
        for impl in self.pm.hook.vaani_startup.get_hookimpls():
            name = impl.plugin_name
            ctx = PluginContext(
                config=self.config, table=self.config.plugin_tables.get(name, {}),
                notify=lambda text, language, _n=name: notify(text, language, _n),
                emit=self._emit, now=now)
            try:
                impl.function(ctx=ctx)
            except Exception as exc:
                self._fail(name, exc)
        self._started = True

    def shutdown(self) -> None:
        for impl in self.pm.hook.vaani_shutdown.get_hookimpls():
            try:
                impl.function()
            except Exception as exc:
                log.warning("plugin %s failed to shut down: %s", impl.plugin_name, exc)
        self._started = False

    def pending(self, timeout_ms: float | None = None) -> list[tuple[str, Pending]]:
        """(plugin, :class:`Pending`) for every notification the enabled plugins will still
        give (``vaani_pending``), soonest first. Never raises: a plugin that fails, runs
        late or returns junk is reported and left out."""
        timeout_s = self._timeout_s(timeout_ms)
        out: list[tuple[str, Pending]] = []
        for impl in self.pm.hook.vaani_pending.get_hookimpls():
            name = impl.plugin_name
            if self.health.get(name, PluginHealth(name)).disabled:
                continue
            finished, result = _call_with_deadline(lambda f=impl.function: list(f() or ()),
                                                   timeout_s)
            if not finished:
                self._fail(name, PluginTimeoutError(
                    f"plugin '{name}' did not list its pending notifications within "
                    f"{timeout_s * 1000:.0f} ms"))
                continue
            if isinstance(result, BaseException):
                self._fail(name, result)
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
        # get_hookimpls() is in call-order reversed (pluggy calls the last one first)
        for impl in reversed(self.pm.hook.vaani_handle.get_hookimpls()):
            name = impl.plugin_name
            health = self.health.setdefault(name, PluginHealth(name))
            if health.disabled:
                continue
            start = time.perf_counter()
            finished, result = _call_with_deadline(
                lambda f=impl.function: f(utterance=utterance), timeout_s)
            ms = (time.perf_counter() - start) * 1000
            with self._lock:
                health.calls += 1
                health.last_ms = ms
            if not finished:
                with self._lock:
                    health.timeouts += 1
                self._fail(name, PluginTimeoutError(
                    f"plugin '{name}' did not answer within {timeout_s * 1000:.0f} ms"),
                    turn=utterance.turn)
                continue
            if isinstance(result, BaseException):
                self._fail(name, result, turn=utterance.turn)
                continue
            with self._lock:
                health.failures = 0
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
        for impl in reversed(self.pm.hook.vaani_preview.get_hookimpls()):
            if self.health.get(impl.plugin_name, PluginHealth(impl.plugin_name)).disabled:
                continue
            finished, result = _call_with_deadline(
                lambda f=impl.function: f(utterance=utterance), timeout_s)
            if not finished or isinstance(result, BaseException):
                log.debug("preview of %s failed: %r", impl.plugin_name, result)
                continue
            if isinstance(result, Reply):
                return result
        return None

    # -- tools for the LLM --------------------------------------------------------------

    def tools(self) -> dict[str, tuple[str, Tool]]:
        """Tool name -> (plugin, tool), from enabled plugins; a plugin whose ``vaani_tools``
        raises or returns junk is reported and left out, a duplicate name keeps the first."""
        found: dict[str, tuple[str, Tool]] = {}
        for impl in reversed(self.pm.hook.vaani_tools.get_hookimpls()):
            name = impl.plugin_name
            if self.health.get(name, PluginHealth(name)).disabled:
                continue
            try:
                tools = list(impl.function() or ())
            except Exception as exc:
                self._fail(name, exc)
                continue
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
        if tool.acts or tool.grounded is not None:
            try:
                ok = (tool.grounded is not None and utterance is not None
                      and bool(tool.grounded(dict(arguments), utterance)))
            except Exception as exc:
                self._fail(plugin, exc, turn=turn)
                ok = False
        else:                                    # a tool that reads: its arguments were said
            ok = utterance is None or arguments_said(arguments, utterance)
        if not ok:
            log.info("tool %r not run: %r is not what %r asked for", name, arguments, utterance)
            return {"error": REFUSED[0]}
        timeout_s = self._timeout_s(timeout_ms)
        finished, result = _call_with_deadline(lambda: tool.call(dict(arguments), language),
                                               timeout_s)
        if not finished:
            with self._lock:
                self.health.setdefault(plugin, PluginHealth(plugin)).timeouts += 1
            self._fail(plugin, PluginTimeoutError(
                f"tool '{name}' of plugin '{plugin}' did not answer within "
                f"{timeout_s * 1000:.0f} ms"), turn=turn)
            return {"error": "the tool did not answer in time"}
        if isinstance(result, BaseException):
            self._fail(plugin, result, turn=turn)
            return {"error": "the tool failed"}
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
        if tool.say is not None and isinstance(result, dict) and "error" not in result:
            finished, text = _call_with_deadline(lambda: tool.say(dict(result), language),
                                                 self._timeout_s(None))
            if finished and isinstance(text, str):
                say = text.strip()
            elif finished and isinstance(text, BaseException):
                self._fail(plugin, text)
        return ToolRan(name, arguments, result, acts=tool.acts, say=say)

    def abilities(self, language: str) -> list[str]:
        """What the enabled plugins let VAANI do (``vaani_abilities``), in ``language``, in
        the order of the plugins' names."""
        out: list[str] = []
        impls = sorted(self.pm.hook.vaani_abilities.get_hookimpls(), key=lambda i: i.plugin_name)
        for impl in impls:
            if self.health.get(impl.plugin_name, PluginHealth(impl.plugin_name)).disabled:
                continue
            try:
                phrases = impl.function(language=language)
            except Exception as exc:
                self._fail(impl.plugin_name, exc)
                continue
            for phrase in phrases or ():
                if isinstance(phrase, str) and phrase.strip() and phrase.strip() not in out:
                    out.append(phrase.strip())
        return out

    def on_event(self, event: Event) -> None:
        """Broadcast to observers; an observer that raises is reported, never propagated."""
        for impl in self.pm.hook.vaani_on_event.get_hookimpls():
            try:
                impl.function(event=event)
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
        if newly_disabled:
            self._report(PluginError(
                f"plugin '{name}' disabled after {health.failures} failures in a row",
                hint=f"fix the plugin, or add it to plugins.disabled"), name, turn)

    def _report(self, exc: BaseException, name: str, turn: int = 0) -> None:
        log.warning("%s", exc)
        self._emit(error_event(exc, source=f"plugin:{name}", turn=turn))
