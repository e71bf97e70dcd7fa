"""``vaani listen``: the microphone loop (wake word -> question -> spoken reply), until Ctrl-C.

In the foreground, for a terminal: events are printed as they happen (or written as JSON
lines with ``--json``). ``vaani daemon`` runs the same loop in the background and serves it
to clients.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from vaani.assistant import Assistant, load_config
from vaani.audio import MicrophoneSource, SpeakerSink
from vaani.events import Event, to_dict
from vaani.offline import block_network
from vaani.stages.wake import wake_phrase
from vaani.trace import EventPrinter, rejected_why


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("listen", help="talk to VAANI through the microphone (Ctrl-C to stop)")
    p.add_argument("--no-wake", action="store_true", help="answer any speech, no wake word")
    p.add_argument("--input-device", help="microphone name or part of it (audio.input_device)")
    p.add_argument("--output-device", help="speaker name or part of it (audio.output_device)")
    p.add_argument("--language", choices=["auto", "hi", "en"], help="override assistant.language")
    p.add_argument("--partials", action="store_true", help="show partial transcripts")
    p.add_argument("--json", action="store_true", help="print every event as a JSON line")
    p.set_defaults(func=main)


def event_json(event: Event) -> dict[str, Any]:
    """An event as a ``--json`` line; a rejected transcript also says why in plain words."""
    d = to_dict(event)
    rejected = getattr(event, "rejected", "")
    if rejected:
        d["rejected_why"] = rejected_why(rejected)
    return d


def main(args: argparse.Namespace) -> int:
    config = load_config(args, **{"audio.input_device": args.input_device,
                                  "audio.output_device": args.output_device,
                                  "assistant.language": args.language})
    if args.partials and config.asr.partial_every_s <= 0:
        config.asr.partial_every_s = 1.0
    sink = SpeakerSink(config.audio.output_device, latency_ms=config.audio.output_latency_ms)
    source = MicrophoneSource(config.audio.input_device, block_ms=config.audio.block_ms)
    wake = not args.no_wake and config.assistant.require_wake_word
    with block_network(), Assistant(config, sink=sink, require_wake_word=wake) as assistant:
        pipeline = assistant.pipeline
        assert pipeline is not None            # built by Assistant.start()
        if args.json:
            pipeline.subscribe(lambda e: None if e.kind in ("AudioChunk", "SpeechChunk") else
                               print(json.dumps(event_json(e), ensure_ascii=False), flush=True))
        else:
            pipeline.subscribe(EventPrinter(partials=args.partials))
        stop = threading.Event()

        def on_signal(signum: int, frame: object) -> None:
            stop.set()
            pipeline.stop()

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, on_signal)
        if not args.json:
            prompt = f"say \"{wake_phrase(config.wake.model)}\"" if wake else "speak"
            print(f"listening on {source.name}: {prompt}, Ctrl-C to stop", file=sys.stderr)
        try:
            pipeline.run(source)
        except KeyboardInterrupt:
            pipeline.stop()
        finally:
            sink.close()
    if not args.json:
        print("stopped", file=sys.stderr)
    return 0
