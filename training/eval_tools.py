"""Tool-call accuracy of a Chimera GGUF in Hindi, English and Hinglish, through the runtime.

Dialogues come from the corpus generators (clock, timer, calculator, weather), kept only when
the corpus split puts them on the validation side (``training.data.build.is_val``), so no
scored dialogue was trained on. Each is cut before the assistant's tool call; the model,
run by VAANI's own engine (``vaani.llm.LlamaEngine``, the GGUF's chat template, greedy),
must write ``<|tool_call|>{json}``. Scored per language and tool:

* ``called``: the reply is a tool call at all (not text),
* ``name``: the right tool,
* ``args``: exactly the right arguments (JSON equality),
* for calculator dialogues, ``answer``: after the real tool result is appended, the worded
  answer contains the result's number.

    python -m training.eval_tools --gguf models/chimera/chimera-q4_k_m.gguf --per-cell 12 \\
        --out results/chimera/tool-calls.json
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from training.data import generators as G
from training.data.build import VAL_FRAC, is_val

TOOLS = ("clock", "timer", "calculator", "weather")
LANGS = ("hi", "en", "hinglish")


def held_out_dialogues(tool: str, lang: str, n: int, seed: int = 0) -> list[G.Doc]:
    """``n`` validation-side dialogues of one generator (the corpus split of seed 0)."""
    rng = random.Random(f"eval-tools:{tool}:{lang}:{seed}")
    out: list[G.Doc] = []
    for _ in range(200_000):
        doc = G.generate(rng, lang, f"tool.{tool}")
        if is_val(doc.render(), 0, VAL_FRAC):
            out.append(doc)
            if len(out) == n:
                break
    return out


def _split(doc: G.Doc) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """(messages before the call, the expected call, the tool result message)."""
    msgs = doc.messages or []
    i = next(k for k, m in enumerate(msgs) if m.get("tool_calls"))
    call = msgs[i]["tool_calls"][0]["function"]
    args = call["arguments"]
    return msgs[:i], {"name": call["name"],
                      "arguments": json.loads(args) if isinstance(args, str) else args}, msgs[i:i + 2]


def evaluate(gguf: str | Path, per_cell: int = 12, threads: int = 1,
             max_tokens: int = 48) -> dict[str, Any]:
    from vaani.llm import LlamaEngine
    from vaani.llm.tools import ToolCallSplitter, parse_call

    engine = LlamaEngine(gguf, n_ctx=512, threads=threads, seed=0)
    cells: dict[str, dict[str, Any]] = {}
    examples: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    try:
        for tool in TOOLS:
            for lang in LANGS:
                c = {"n": 0, "called": 0, "name": 0, "args": 0, "answer": 0, "answer_n": 0}
                for doc in held_out_dialogues(tool, lang, per_cell):
                    before, want, result_turns = _split(doc)
                    text = "".join(engine.process(before, max_tokens=max_tokens,
                                                  temperature=0.0, tools=doc.tools))
                    s = ToolCallSplitter()
                    s.feed(text)
                    got = parse_call(s.call_text) if s.calling else None
                    c["n"] += 1
                    c["called"] += s.calling
                    c["name"] += got is not None and got[0] == want["name"]
                    ok = got is not None and got[0] == want["name"] and got[1] == want["arguments"]
                    c["args"] += ok
                    if tool == "calculator":
                        value = json.loads(result_turns[1]["content"])["result"]
                        answer = "".join(engine.process(before + result_turns, max_tokens=max_tokens,
                                                        temperature=0.0, tools=doc.tools))
                        c["answer_n"] += 1
                        c["answer"] += str(value) in answer.replace(",", "")
                    if len(examples) < 24 and (c["n"] <= 2):
                        examples.append({"tool": tool, "lang": lang,
                                         "user": before[-1]["content"], "want": want,
                                         "got": text[:200]})
                cells[f"{tool}/{lang}"] = c
    finally:
        engine.close()

    def rate(keys: list[str], field: str, n_field: str = "n") -> float:
        n = sum(cells[k][n_field] for k in keys)
        return round(sum(cells[k][field] for k in keys) / n, 4) if n else 0.0

    summary: dict[str, Any] = {}
    for group, keys in ([("all", list(cells))] + [(lang, [k for k in cells if k.endswith("/" + lang)])
                                                 for lang in LANGS]
                        + [(tool, [k for k in cells if k.startswith(tool + "/")]) for tool in TOOLS]):
        summary[group] = {f: rate(keys, f) for f in ("called", "name", "args")}
        if any(cells[k]["answer_n"] for k in keys):
            summary[group]["calculator_answer"] = rate(keys, "answer", "answer_n")
    return {"model": str(gguf), "per_cell": per_cell, "seconds": round(time.perf_counter() - t0, 1),
            "summary": summary, "cells": cells, "examples": examples}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.eval_tools", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gguf", type=Path, required=True)
    p.add_argument("--per-cell", type=int, default=12, help="dialogues per tool and language")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path)
    a = p.parse_args(argv)
    report = evaluate(a.gguf, a.per_cell, a.threads)
    for group, row in report["summary"].items():
        print(f"{group:11} " + "  ".join(f"{k} {v:6.1%}" for k, v in row.items()))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        print(f"report: {a.out}")


if __name__ == "__main__":
    main()
