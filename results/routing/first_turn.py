"""Load the English route at start or on the first English turn? (issue 12, results/routing)

    .venv/bin/python results/routing/first_turn.py results/routing/first-turn.json

For route off, route on loaded and warmed at start (what VAANI does), and route on loaded at
start but not warmed: start-up time, resident memory after start, and the first English LLM
turn's timings. A lazy load would cost the first English turn the load time (measured here
as its own step) plus the cold turn's extra prompt evaluation (the system prompt and the
tool list, about 1,300 tokens for Qwen2.5).
"""

import json
import platform
import sys
import time
from pathlib import Path

from vaani import config as config_mod
from vaani.assistant import Assistant
from vaani.offline import block_network

QUESTION = "Why is the sky blue?"
ROUTE = "qwen2.5-coder-1.5b"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(route: str, warm: bool) -> dict:
    cfg = config_mod.from_dict({"llm": {"route_english": route},
                                "guard": {"min_confidence": 0.0},   # the model's words spoken
                                "trace": {"enabled": False}})
    t = time.perf_counter()
    with block_network(), Assistant(cfg, needs=("llm",), warm=warm) as a:
        start_ms = (time.perf_counter() - t) * 1000
        rss = rss_mb()
        t = time.perf_counter()
        turn = a.pipeline.ask(QUESTION)
        wall = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        second = a.pipeline.ask("Why do we have seasons?")
        wall2 = (time.perf_counter() - t) * 1000
    return {"route_english": route, "warm": warm, "start_ms": round(start_ms),
            "warmup_ms": {k: round(v) for k, v in a.warmup_ms.items()},
            "rss_mb_after_start": round(rss), "first_turn": {
                "model": turn.data.get("llm_model"), "reply": turn.reply, "wall_ms": round(wall),
                "timings_ms": {k: round(v) for k, v in turn.timings.items()}},
            "second_turn": {"model": second.data.get("llm_model"), "wall_ms": round(wall2),
                            "timings_ms": {k: round(v) for k, v in second.timings.items()}}}


def main() -> None:
    import os

    from vaani.llm import LlamaEngine
    from vaani.models import ModelStore

    store = ModelStore.from_config(config_mod.from_dict({}))
    t = time.perf_counter()
    engine = LlamaEngine(str(store.file(ROUTE)), name=ROUTE)
    load_ms = (time.perf_counter() - t) * 1000
    engine.close()
    runs = [run("", True), run(ROUTE, True), run(ROUTE, False)]
    report = {"bench": "routing first turn", "question": QUESTION,
              "load_ms": {ROUTE: round(load_ms)}, "runs": runs,
              "machine": {"cpus": os.cpu_count(), "load_avg": [round(x, 2) for x in os.getloadavg()],
                          "python": platform.python_version()}}
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
