"""``vaani devices``: the audio devices, and which ones VAANI would use."""

from __future__ import annotations

import argparse
import json

from vaani.assistant import load_config
from vaani.audio import find_device, list_devices


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("devices", help="list microphones and speakers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    config = load_config(args)
    rows = list_devices()
    chosen_in = find_device(config.audio.input_device, "input")
    chosen_out = find_device(config.audio.output_device, "output")
    for r in rows:
        r["selected_input"] = (r["index"] == chosen_in if chosen_in is not None
                               else r["default_input"]) and r["inputs"] > 0
        r["selected_output"] = (r["index"] == chosen_out if chosen_out is not None
                                else r["default_output"]) and r["outputs"] > 0
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no audio devices found (is PortAudio able to see a sound card?)")
        return 0
    print(f"{'#':>3}  {'in':>3} {'out':>3}  {'rate':>6}  name")
    for r in rows:
        mark = (" <- microphone" if r["selected_input"] else "") + (
            " <- speaker" if r["selected_output"] else "")
        print(f"{r['index']:>3}  {r['inputs']:>3} {r['outputs']:>3}  {r['default_rate']:>6.0f}  "
              f"{r['name']} ({r['hostapi']}){mark}")
    print("\nchoose with audio.input_device / audio.output_device (a name or part of it)")
    return 0
