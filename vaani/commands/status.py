"""``vaani status``: what the running daemon is doing (state, language, clients, timers)."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="what the running VAANI daemon is doing")
    p.add_argument("--socket", help="the daemon's socket (default: the user's)")
    p.add_argument("--json", action="store_true", help="everything, as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from vaani.client import Client
    from vaani.daemon import status_line
    from vaani.protocol import GetStatus

    with Client(args.socket, name="vaani-status") as client:
        result = client.request(GetStatus())
    if not result.ok:
        print(f"{result.error.get('title')}: {result.error.get('message')}")
        return 1
    if args.json:
        print(json.dumps(result.data, ensure_ascii=False, indent=2))
    else:
        print(status_line(result.data))
    return 0
