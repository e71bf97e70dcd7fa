"""``vaani ask "text"``: a typed question; the reply as text, and optionally as audio.

A timer (alarm, reminder) the question sets is waited for: the command prints that it
waits, then prints and speaks the notification when it rings, and exits (``--no-wait``:
exit at once, saying that one-shot mode cannot ring a timer, or that an alarm or reminder is
saved and rings when VAANI runs then; vaani/commands/pending.py).
"""

from __future__ import annotations

import argparse
import json
import sys

from vaani.assistant import Assistant, load_config
from vaani.audio import AudioSink, NullSink, WavSink
from vaani.commands import pending
from vaani.commands.run import turn_json
from vaani.offline import block_network
from vaani.trace import format_timings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask a question in text; print (and optionally speak) the reply")
    p.add_argument("text", help="the question")
    p.add_argument("--output", "-o", help="also write the spoken reply to this WAV file")
    p.add_argument("--speak", action="store_true", help="also play the reply on the speaker")
    p.add_argument("--language", choices=["auto", "hi", "en"], help="language of the question")
    p.add_argument("--json", action="store_true")
    p.add_argument("--daemon", action="store_true",
                   help="ask the running daemon (vaani daemon) instead of loading the models")
    p.add_argument("--socket", help="with --daemon: its socket (default: the user's)")
    pending.add_argument(p)
    p.set_defaults(func=main)


def ask_daemon(args: argparse.Namespace) -> int:
    """The question through the daemon's socket: its models are loaded already, its timers
    ring where it runs (so nothing is waited for here)."""
    from vaani.client import Client
    from vaani.protocol import Ask

    language = "" if args.language in (None, "auto") else args.language
    with Client(args.socket, name="vaani-ask") as client:
        result = client.request(Ask(text=args.text, language=language), timeout=120)
    if args.json:
        print(json.dumps(result.data if result.ok else {"error": result.error},
                         ensure_ascii=False, indent=2, default=str))
    elif result.ok:
        print(str(result.data.get("reply", "")).strip() or "(no answer)", flush=True)
        for err in result.data.get("errors", []):
            print(f"error: {err}", flush=True)
    else:
        print(f"{result.error.get('title')}: {result.error.get('message')}", file=sys.stderr)
    return 0 if result.ok else 1


def main(args: argparse.Namespace) -> int:
    if args.daemon:
        return ask_daemon(args)
    config = load_config(args)
    sink: AudioSink
    if args.speak:
        from vaani.audio import SpeakerSink
        sink = SpeakerSink(config.audio.output_device, latency_ms=config.audio.output_latency_ms)
    else:
        sink = WavSink(args.output) if args.output else NullSink()
    needs = ("llm", "tts") if (args.output or args.speak) else ("llm",)
    language = None if args.language in (None, "auto") else args.language
    try:
        with block_network(), Assistant(config, sink=sink, needs=needs) as assistant:
            # with --json, stdout is one JSON document: messages go to stderr
            waiter = pending.Waiter(assistant, out=sys.stderr if args.json else None,
                                    show=not args.json)
            assert assistant.pipeline is not None       # built by Assistant.start()
            result = assistant.pipeline.ask(args.text, language)
            if not args.json:
                print(result.reply.strip() or "(no answer)", flush=True)
                for err in result.errors:
                    print(f"error: {err}", flush=True)
            waited = waiter.finish(wait=not args.no_wait)
    finally:
        sink.close()
    if args.json:
        print(json.dumps({**turn_json(result), **waiter.to_dict()}, ensure_ascii=False,
                         indent=2, default=str))
    else:
        if args.output:
            print(f"reply audio: {args.output}")
        if args.verbose:
            print(f"source: {result.source}; timings: {format_timings(result.timings)}")
    if waited:
        return waited
    return 0 if result.outcome == "answered" else 1
