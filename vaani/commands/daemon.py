"""``vaani daemon``: VAANI as a background service: the microphone loop (wake word, question,
spoken reply) plus the local socket that clients talk to (vaani/daemon.py, docs/protocol.md).

No microphone is not an error here: the daemon says so (state ``no_microphone``, shown by
``vaani status`` and the desktop app), keeps trying to open it, and answers typed questions
meanwhile. ``--no-audio`` runs it without microphone or speaker (text turns, tests). It exits
0 on SIGTERM or Ctrl-C, and 78 (EX_CONFIG) for a config it cannot use, so that a service
manager does not restart it in a loop for something a restart cannot fix.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from vaani.errors import AudioError, ConfigError, ModelError

log = logging.getLogger(__name__)

EX_CONFIG = 78


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("daemon", help="run VAANI in the background, serving local clients "
                                      "(vaani status, vaani ask --daemon, the desktop app)")
    p.add_argument("--no-audio", action="store_true",
                   help="no microphone or speaker: typed questions only")
    p.add_argument("--no-wake", action="store_true", help="answer any speech, no wake word")
    p.add_argument("--socket", help="the socket's path (default $XDG_RUNTIME_DIR/vaani/vaani.sock)")
    p.add_argument("--input-device", help="microphone name or part of it (audio.input_device)")
    p.add_argument("--output-device", help="speaker name or part of it (audio.output_device)")
    p.add_argument("--language", choices=["auto", "hi", "en"], help="override assistant.language")
    p.add_argument("--http", type=int, metavar="PORT",
                   help="also serve the assistant (skills in the loop) as an OpenAI-compatible "
                        "API on loopback, at this port")
    p.add_argument("--http-host", default="127.0.0.1", help="loopback address for --http")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from vaani.assistant import Assistant, load_config
    from vaani.audio import MicrophoneSource, NullSink, SpeakerSink
    from vaani.daemon import Server
    from vaani.offline import block_network
    from vaani.session import Session

    try:
        config = load_config(args, **{"audio.input_device": args.input_device,
                                      "audio.output_device": args.output_device,
                                      "assistant.language": args.language})
    except ConfigError as exc:
        print(exc.user_text(), file=sys.stderr)
        return EX_CONFIG
    wake = not args.no_wake and config.assistant.require_wake_word
    sink: Any = NullSink()
    if not args.no_audio:
        try:
            sink = SpeakerSink(config.audio.output_device,
                               latency_ms=config.audio.output_latency_ms)
        except AudioError as exc:          # answers are still printed to clients
            log.warning("no speaker (%s): replies are not spoken", exc.message)

    def make_assistant(cfg: Any) -> Assistant:
        needs = ("llm", "tts") if args.no_audio else ("wake", "vad", "asr", "llm", "tts")
        return Assistant(cfg, sink=sink, needs=needs, require_wake_word=wake)

    def open_microphone() -> MicrophoneSource:
        audio = session.config.audio          # after a ReloadConfig: the device chosen now
        return MicrophoneSource(audio.input_device, block_ms=audio.block_ms)

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    with block_network():
        session = Session(config, make_assistant,
                          source=None if args.no_audio else open_microphone,
                          config_path=getattr(args, "config", None))
        try:
            session.start()
        except (ConfigError, ModelError) as exc:
            print(exc.user_text(), file=sys.stderr)
            sink.close()
            return EX_CONFIG
        server = Server(session, args.socket)
        http = None
        try:
            server.start()
            if args.http is not None:
                from vaani.http_api import HttpServer

                http = HttpServer(session, args.http_host, args.http).start()
                print(f"OpenAI-compatible routes on {http.url}", file=sys.stderr, flush=True)
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGTERM, on_signal)
                signal.signal(signal.SIGHUP, lambda *a: session.submit(_reload()))
            print(f"VAANI daemon on {server.path} ({session.state.value})", file=sys.stderr,
                  flush=True)
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
        finally:
            if http is not None:
                http.close()
            server.close()
            session.close()
            sink.close()
    print("stopped", file=sys.stderr)
    return 0


def _reload() -> Any:
    from vaani.protocol import ReloadConfig

    return ReloadConfig(id="SIGHUP")
