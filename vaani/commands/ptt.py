"""``vaani ptt``: push-to-talk through the running daemon. The turn starts at once (a reply
being spoken stops); speak, then press Enter (or wait ``--seconds``); the transcript and the
reply are printed as they come."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ptt", help="push-to-talk: speak to the running daemon, Enter to finish")
    p.add_argument("--seconds", type=float, help="let go after this long instead of on Enter")
    p.add_argument("--socket", help="the daemon's socket (default: the user's)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import time

    from vaani.client import Client
    from vaani.protocol import PushToTalk

    kinds = ("Transcript", "ReplyTextChunk", "TurnFinished", "Error")
    with Client(args.socket, name="vaani-ptt", events=kinds) as client:
        result = client.request(PushToTalk(pressed=True))
        if not result.ok:
            print(f"{result.error.get('title')}: {result.error.get('message')}", file=sys.stderr)
            if result.error.get("hint"):
                print(f"  fix: {result.error['hint']}", file=sys.stderr)
            return 1
        turn = result.data.get("turn", 0)
        try:
            if args.seconds is not None:
                print(f"speak now ({args.seconds:g} s)", file=sys.stderr)
                time.sleep(args.seconds)
            else:
                print("speak now, then press Enter", file=sys.stderr)
                sys.stdin.readline()
        except KeyboardInterrupt:
            from vaani.protocol import Cancel

            client.request(Cancel())
            return 130
        client.request(PushToTalk(pressed=False))
        reply: list[str] = []
        for event in client.events(timeout=60):
            if getattr(event, "turn", 0) != turn:
                continue
            kind = event.kind
            if kind == "Transcript" and getattr(event, "final", True):
                print(f"heard ({event.language}): {event.text}")  # type: ignore[attr-defined]
            elif kind == "ReplyTextChunk":
                reply.append(event.text)  # type: ignore[attr-defined]
                if event.final:  # type: ignore[attr-defined]
                    print(f"reply: {''.join(reply).strip()}")
            elif kind == "Error":
                print(f"error: {event.message}", file=sys.stderr)  # type: ignore[attr-defined]
            elif kind == "TurnFinished":
                return 0 if event.outcome == "answered" else 1  # type: ignore[attr-defined]
    return 1
