"""``vaani plugins``: installed plugins, their hooks, engines and tools, and their health.

Each plugin's isolation is shown: in process, or isolated in a worker process (its pid,
memory limit and restarts, or down and when it restarts). Health is measured twice: here, by asking every plugin for its tools and its abilities in
each language through the host (the same pool and deadlines a turn uses: calls, errors,
p95 time), and, where a trace exists, over the turns VAANI has run (turns each plugin
answered, the fast-path time of those turns, the errors it caused).
"""

from __future__ import annotations

import argparse
import json
import math
from collections import deque
from pathlib import Path
from typing import Any

from vaani.assistant import env_plugins, load_config
from vaani.events import Error, Event
from vaani.plugins import PluginHost

TRACE_LINES = 5000               # the last turns of the trace that are read


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugins", help="list plugins: hooks, engines, tools and health")
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-trace", action="store_true",
                   help="do not read the health of past turns from the trace")
    p.set_defaults(func=main)


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def trace_health(path: Path | None, limit: int = TRACE_LINES) -> dict[str, dict[str, Any]]:
    """Per plugin, from the last ``limit`` lines of the trace: turns it answered, the p95
    of those turns' plugin (fast path) time, and the errors it caused."""
    if path is None or not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8") as f:
            lines = deque(f, maxlen=limit)
    except OSError:
        return {}
    answered: dict[str, list[float]] = {}
    errors: dict[str, int] = {}

    def error(source: str) -> None:
        if source.startswith("plugin:"):
            name = source.split(":", 1)[1]
            errors[name] = errors.get(name, 0) + 1

    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if "error" in rec:
            error(str(rec.get("source", "")))
            continue
        for err in rec.get("errors", ()):
            error(str(err.get("source", "")))
        source = str(rec.get("source", ""))
        if source.startswith("plugin:"):
            ms = rec.get("timings", {}).get("plugin")
            answered.setdefault(source.split(":", 1)[1], []).extend(
                [ms] if isinstance(ms, (int, float)) else [])
    out: dict[str, dict[str, Any]] = {}
    for name in set(answered) | set(errors):
        times = answered.get(name, [])
        value = p95(times)
        out[name] = {"answered": len(times), "p95_ms": None if value is None else round(value, 1),
                     "errors": errors.get(name, 0)}
    return out


def main(args: argparse.Namespace) -> int:
    config = load_config(args)
    errors: list[Error] = []

    def on_event(event: Event) -> None:
        # the host emits only Error events here (vaani_startup, and with it ctx.emit, is
        # never called)
        if isinstance(event, Error):
            errors.append(event)

    host = PluginHost(config, emit=on_event)
    host.load(extra=env_plugins())
    host.configure()
    for language in config.assistant.languages:       # a health check through the pool
        host.abilities(language)
    rows = host.describe()                             # asks for the tools too
    host.close()                                       # isolated plugins' workers
    trace = {}
    if not args.no_trace:
        from vaani.trace import trace_path
        trace = trace_health(trace_path(config))
    for row in rows:
        row["trace"] = trace.get(row["name"], {})
    if args.json:
        print(json.dumps({"plugins": rows, "errors": [
            {"source": e.source, "message": e.message} for e in errors]}, indent=2,
            ensure_ascii=False))
        return 0
    for r in rows:
        state = "DISABLED" if r["disabled"] else "ok"
        print(f"{r['name']}  [{state}]  {r['package']}")
        hooks = ", ".join(h for h in r["hooks"])
        print(f"    runs:    {isolation_line(r['isolation'])}")
        print(f"    hooks:   {hooks or '-'}")
        if r["engines"]:
            print(f"    engines: {', '.join(r['engines'])}")
        if r["tools"]:
            print(f"    tools:   {', '.join(r['tools'])}")
        if r["calls"] or r["failures"] or r["skipped"]:
            print(f"    health:  {health_line(r)}")
        if r["trace"]:
            t = r["trace"]
            time = f", p95 {t['p95_ms']:.0f} ms" if t["p95_ms"] is not None else ""
            turns = "turn" if t["answered"] == 1 else "turns"
            errs = "error" if t["errors"] == 1 else "errors"
            print(f"    in the trace: answered {t['answered']} {turns}{time}; "
                  f"{t['errors']} {errs}")
    for e in errors:
        print(f"error: {e.source}: {e.message}")
    disabled = config.plugins.disabled
    if disabled:
        print(f"disabled in config: {', '.join(disabled)}")
    if not rows:
        print("no plugins installed")
    return 0


def isolation_line(isolation: dict[str, Any]) -> str:
    """``in process``, ``isolated, pid 4242, memory limit 512 MB, 1 restart (last: killed by
    SIGSEGV)`` or ``isolated, DOWN: its worker exited with status 3; restarting in 1.0 s``."""
    if isolation.get("mode") != "isolated":
        return "in process"
    state = isolation["state"]
    restarts = isolation.get("restarts", 0)
    tail = f", {restarts} restart{'' if restarts == 1 else 's'}" if restarts else ""
    last = isolation.get("last_exit") or ""
    if state == "up":
        limit = isolation.get("memory_mb") or 0
        memory = f", memory limit {limit} MB" if limit else ", no memory limit"
        return (f"isolated, pid {isolation['pid']}{memory}{tail}"
                + (f" (last: {last})" if last and restarts else ""))
    if state == "down":
        wait = isolation.get("restart_in_s")
        when = f"; restarting in {wait:.1f} s" if wait is not None else ""
        return f"isolated, DOWN: its worker {last or 'stopped'}{when}{tail}"
    return f"isolated, {state}{tail}"


def health_line(row: dict[str, Any]) -> str:
    """``3 calls, 0 errors, p95 0.2 ms`` (+ timeouts, skips, stuck calls, the last error)."""
    parts = [f"{row['calls']} calls", f"{row['failures']} errors"]
    if row["p95_ms"] is not None:
        parts.append(f"p95 {row['p95_ms']:.1f} ms")
    if row["timeouts"]:
        parts.append(f"{row['timeouts']} timeouts")
    if row["skipped"]:
        parts.append(f"{row['skipped']} skipped")
    if row["stuck"]:
        parts.append(f"{row['stuck']} calls still running")
    text = ", ".join(parts)
    if row["last_error"]:
        text += f"; last error: {row['last_error']}"
    return text
