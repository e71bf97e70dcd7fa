"""``vaani run --input IN.wav --output OUT.wav``: one turn, file to file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from typing import Any

from vaani.assistant import Assistant, load_config
from vaani.audio import FileSource, NullSink, WavSink
from vaani.commands import pending
from vaani.offline import block_network
from vaani.pipeline import TurnResult
from vaani.trace import format_timings, rejected_why


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="answer the question in an audio file, reply into a WAV",
                       description="Run one turn from an audio file (any format libsndfile "
                       "reads) to a WAV file, and print the transcript, the reply and "
                       "per-stage timings.")
    p.add_argument("--input", "-i", required=True, help="audio file with the question")
    p.add_argument("--output", "-o", help="WAV file for the spoken reply")
    p.add_argument("--realtime", action="store_true",
                   help="feed the file at real-time pace, like a microphone (else as fast as possible)")
    p.add_argument("--language", choices=["auto", "hi", "en"], help="override assistant.language")
    p.add_argument("--wake", action="store_true", help="the file starts with the wake word")
    p.add_argument("--turns", type=int, default=1, help="stop after this many turns (default 1)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    pending.add_argument(p)
    p.set_defaults(func=main)


def turn_json(t: TurnResult) -> dict[str, Any]:
    """A turn for ``--json``: :meth:`TurnResult.to_dict` plus ``rejected_why``, why a
    rejected turn was ignored in plain words ("" when it was not)."""
    d = t.to_dict()
    d["rejected_why"] = rejected_why(t.rejected)
    return d


def print_turns(turns: list[TurnResult], out=None) -> None:
    out = out or sys.stdout     # looked up per call: sys.stdout may have been replaced
    for t in turns:
        if t.transcript:
            print(f"heard ({t.language}): {t.transcript}", file=out)
        if t.rejected:
            print(f"ignored: {rejected_why(t.rejected)}", file=out)
        if t.reply:
            print(f"reply ({t.source}): {t.reply}", file=out)
        for err in t.errors:
            print(f"error: {err}", file=out)
        if t.outcome not in ("answered",) and not (t.rejected and t.outcome == "rejected"):
            print(f"outcome: {t.outcome}", file=out)
        print(f"timings: {format_timings(t.timings)}", file=out)


def main(args: argparse.Namespace) -> int:
    config = load_config(args, **{"assistant.language": args.language})
    source = FileSource(args.input, realtime=args.realtime)     # bad files fail before models load
    sink = WavSink(args.output) if args.output else NullSink()
    needs = ("wake", "vad", "asr", "llm", "tts") if args.wake else ("vad", "asr", "llm", "tts")
    errors: list[str] = []
    try:
        with block_network(), Assistant(config, sink=sink, needs=needs,
                                         require_wake_word=args.wake) as assistant:
            assistant.subscribe(lambda e: errors.append(f"{e.title}: {e.message}")
                                if e.kind == "Error" and not e.turn else None)
            # with --json, stdout is one JSON document: messages go to stderr
            waiter = pending.Waiter(assistant, out=sys.stderr if args.json else None,
                                    show=not args.json)
            assert assistant.pipeline is not None       # built by Assistant.start()
            turns = assistant.pipeline.run(source, max_turns=args.turns)
            if not args.json:
                if not turns:
                    print(f"no speech heard in {args.input}")
                print_turns(turns)
                sys.stdout.flush()
            waited = waiter.finish(wait=not args.no_wait)     # a timer the question set
    finally:
        sink.close()
    if args.json:
        print(json.dumps({"input": str(args.input), "output": args.output,
                          "turns": [turn_json(t) for t in turns], "errors": errors,
                          **waiter.to_dict()},
                         ensure_ascii=False, indent=2, default=str))
    else:
        for err in errors:
            print(f"error: {err}")
        if args.output:
            print(f"reply audio: {Path(args.output)} ({getattr(sink, 'frames', 0) / (sink.rate or 1):.1f} s)")
    if waited:
        return waited
    return 1 if any(t.outcome == "error" for t in turns) else 0
