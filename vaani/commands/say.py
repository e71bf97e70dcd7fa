"""``vaani say "text"``: the running daemon speaks the text as it is (no skill, no model)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("say", help="make the running VAANI daemon speak a text")
    p.add_argument("text")
    p.add_argument("--language", choices=["hi", "en"], help="default: from the text")
    p.add_argument("--socket", help="the daemon's socket (default: the user's)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from vaani.client import Client
    from vaani.protocol import Say

    with Client(args.socket, name="vaani-say") as client:
        result = client.request(Say(text=args.text, language=args.language or ""), timeout=60)
    if not result.ok:
        print(f"{result.error.get('title')}: {result.error.get('message')}")
        return 1
    return 0
