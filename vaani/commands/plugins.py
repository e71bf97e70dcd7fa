"""``vaani plugins``: installed plugins, their hooks, the engines they provide, their health."""

from __future__ import annotations

import argparse
import json

from vaani.assistant import env_plugins, load_config
from vaani.plugins import PluginHost


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugins", help="list plugins, their hooks and engines")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    config = load_config(args)
    errors = []
    host = PluginHost(config, emit=lambda e: errors.append(e))
    host.load(extra=env_plugins())
    host.configure()
    rows = host.describe()
    if args.json:
        print(json.dumps({"plugins": rows, "errors": [
            {"source": e.source, "message": e.message} for e in errors]}, indent=2))
        return 0
    for r in rows:
        state = "DISABLED" if r["disabled"] else "ok"
        print(f"{r['name']}  [{state}]  {r['package']}")
        hooks = ", ".join(h for h in r["hooks"])
        print(f"    hooks:   {hooks or '-'}")
        if r["engines"]:
            print(f"    engines: {', '.join(r['engines'])}")
        if r["failures"] or r["timeouts"]:
            print(f"    health:  {r['failures']} failures, {r['timeouts']} timeouts; "
                  f"last: {r['last_error']}")
    for e in errors:
        print(f"error: {e.source}: {e.message}")
    disabled = config.plugins.disabled
    if disabled:
        print(f"disabled in config: {', '.join(disabled)}")
    if not rows:
        print("no plugins installed")
    return 0
