"""``vaani demo``: the main job, end to end, on the default models, in one command.

It makes a spoken question with the default voice ("What time is it?"), writes it to
``out/``, runs it through the whole assistant as if it came from a microphone (real time),
writes the spoken reply next to it and prints what was heard, what was answered and how
long each stage took. Then the same for a question only the LLM can answer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from vaani.assistant import Assistant, load_config
from vaani.audio import RATE, FileSource, WavSink, to_pipeline, write_wav
from vaani.commands.run import print_turns, turn_json
from vaani.offline import block_network

QUESTIONS = {
    "en": ("What time is it?", "Tell me a fun fact about the moon."),
    "hi": ("क्या समय हुआ है?", "आसमान नीला क्यों होता है?"),
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="speak two questions to VAANI and save the replies under out/")
    p.add_argument("--out", default="out", help="folder for the WAV files (default ./out)")
    p.add_argument("--language", choices=sorted(QUESTIONS), default="en")
    p.add_argument("--fast", action="store_true", help="feed the audio as fast as possible")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def speak(assistant: Assistant, text: str, language: str) -> np.ndarray:
    """The question in the assistant's own default voice, 16 kHz, with silence around it."""
    engine = assistant.engines.tts[language]
    audio = to_pipeline(np.concatenate(list(engine.process(text, language))), engine.sample_rate)
    pad = np.zeros(RATE // 2, np.float32)
    return np.concatenate([pad, audio, pad, pad, pad])


def main(args: argparse.Namespace) -> int:
    config = load_config(args, **{"assistant.language": args.language})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = []
    failed = False
    with block_network(), Assistant(config, needs=("vad", "asr", "llm", "tts"),
                                     require_wake_word=False) as assistant:
        for i, text in enumerate(QUESTIONS[args.language], 1):
            question = write_wav(out / f"demo-{i}-question.wav", speak(assistant, text, args.language), RATE)
            reply_path = out / f"demo-{i}-reply.wav"
            sink = WavSink(reply_path)
            assistant.use_sink(sink)
            assert assistant.pipeline is not None   # built by Assistant.start()
            assistant.pipeline.reset()
            try:
                turns = assistant.pipeline.run(FileSource(question, realtime=not args.fast), max_turns=1)
            finally:
                sink.close()
            failed |= not turns or turns[0].outcome != "answered"
            report.append({"question": text, "question_wav": str(question),
                           "reply_wav": str(reply_path), "turns": [turn_json(t) for t in turns]})
            if not args.json:
                print(f"\n[{i}] asked: {text}   ({question})")
                print_turns(turns)
                print(f"    reply audio: {reply_path}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if failed else 0
