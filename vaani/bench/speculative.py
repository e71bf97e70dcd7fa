"""Speculative decoding: tokens/s with and without the draft, in one run on the same prompts.

For every prompt the target alone and the target with its draft generate the same number of
tokens (greedy by default, so the outputs must also be identical); the two runs alternate so
that machine load hits both alike. Reported: decode tokens/s of each (the prompt evaluation,
which both pay alike, is excluded; end-to-end figures are in the JSON), the speed-up ratio,
the acceptance rate, the mean number of accepted draft tokens per round, the draft lengths
chosen, and the target's batch-cost curve C(n) = time(n-token batch) / time(1 token), which
is what limits speculative decoding on a CPU.

    vaani bench speculative --model chimera --draft-model chimera-draft --out spec.json
    vaani bench speculative             # config's llm.model, draft = llm.draft_model or itself
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

PROMPTS = (
    ("en", "Tell me a short story about a brave little robot."),
    ("en", "Explain why the sky is blue in simple words."),
    ("en", "Give me three tips for better sleep."),
    ("en", "List the planets of the solar system in order."),
    ("hi", "मुझे एक छोटी सी कहानी सुनाओ।"),
    ("hi", "आसमान नीला क्यों होता है? आसान शब्दों में समझाओ।"),
    ("hi", "अच्छी नींद के लिए तीन सलाह दो।"),
    ("hi", "भारत के पाँच बड़े शहरों के नाम बताओ।"),
)
GOAL = 2.4


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="target model (pack name or .gguf); default: llm.model")
    p.add_argument("--draft-model", help="draft model; default: llm.draft_model, else the "
                                         "target itself (measures the machinery, not a gain)")
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--temperature", type=float, default=0.0,
                   help="target temperature (0 = greedy; outputs are then compared)")
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--draft-temperature", type=float, default=None)
    p.add_argument("--k-max", type=int, default=8)
    p.add_argument("--k", type=int, default=0, help="fixed draft length (0 = adaptive)")
    p.add_argument("--threads", type=int, default=None, help="default: llm.threads")
    p.add_argument("--context", type=int, default=2048)
    p.add_argument("--prompts", type=int, default=len(PROMPTS), help="how many of the prompts")
    p.add_argument("--repeat", type=int, default=1, help="runs per prompt and mode")
    p.add_argument("--out", help="write the JSON report here")


def run(args: argparse.Namespace) -> int:
    from vaani.assistant import load_config
    from vaani.llm import LlamaEngine, Request
    from vaani.models import ModelStore

    config = load_config(args)
    store = ModelStore.from_config(config)
    model_name = args.model or config.llm.model
    draft_name = args.draft_model or config.llm.draft_model or model_name
    threads = config.llm.threads if args.threads is None else args.threads
    model_path = store.file(model_name)
    draft_path = store.file(draft_name)
    print(f"target {model_name}: {model_path}\ndraft  {draft_name}: {draft_path}")

    t = time.perf_counter()
    engine = LlamaEngine(model_path, draft=draft_path, n_ctx=args.context, threads=threads,
                         k_max=args.k_max, k_fixed=args.k, calibrate=False)
    load_s = time.perf_counter() - t
    try:
        assert engine.draft is not None          # made with a draft model
        calib = engine.calibrate(repeats=5)
        curve = {int(n): round(v, 3) for n, v in calib["batch_cost"].items() if n != "t1"}
        print(f"loaded in {load_s:.1f} s; rollback {engine.target.mode}/{engine.draft.mode}; "
              f"single target step {calib['batch_cost']['t1'] * 1000:.1f} ms, "
              f"draft/target step {calib['draft_cost']:.3f}")
        print("batch cost C(n) = time(n) / time(1): "
              + "  ".join(f"{n}:{c:.2f}" for n, c in curve.items()))
        diff = calib["batch_logit_diff"]
        print(f"batched vs single-token logits: max diff {diff:.3g}"
              + (" (bit-exact: greedy speculative output must equal plain output)" if diff == 0
                 else " (NOT exact: greedy outputs may differ at near-ties; K-quants do this,"
                      " Q4_0/Q8_0 do not)"))
        req = dict(max_tokens=args.max_tokens, temperature=args.temperature, top_p=args.top_p)
        rows: list[dict[str, Any]] = []
        prompts = PROMPTS[:max(1, args.prompts)]
        # warm both paths once (page faults, caches) before timing
        warm = engine.chat_prompt([{"role": "user", "content": "Hello"}])
        engine.complete(warm, Request(max_tokens=8, speculative=False))
        engine.complete(warm, Request(max_tokens=8))
        for i, (lang, text) in enumerate(prompts):
            prompt = engine.chat_prompt([{"role": "system", "content": config.assistant.system_prompt},
                                         {"role": "user", "content": text}])
            for r in range(args.repeat):
                order = ("plain", "spec") if (i + r) % 2 == 0 else ("spec", "plain")
                res: dict[str, Any] = {}
                for mode in order:
                    res[mode] = timed(engine, prompt, Request(
                        speculative=mode == "spec", seed=1000 + i,
                        draft_temperature=args.draft_temperature, **req))
                row = {"lang": lang, "prompt": text, "prompt_tokens": len(prompt), **{
                    f"{m}_{k}": v for m, d in res.items() for k, v in d.items()
                    if k not in ("tokens", "spec")}}
                row["spec_stats"] = res["spec"]["spec"]
                row["identical"] = res["plain"]["tokens"] == res["spec"]["tokens"]
                row["speedup"] = (res["spec"]["decode_tok_s"] / res["plain"]["decode_tok_s"]
                                  if res["plain"]["decode_tok_s"] else 0.0)
                rows.append(row)
                st = row["spec_stats"]
                print(f"{lang} {text[:38]:<38} plain {row['plain_decode_tok_s']:6.1f} tok/s  "
                      f"spec {row['spec_decode_tok_s']:6.1f} tok/s  x{row['speedup']:.2f}  "
                      f"acc {st['acceptance_rate']:.2f}  per round {st['tokens_per_round']:.2f}"
                      + ("" if row["identical"] or args.temperature > 0 else "  output differs"))
        summary = summarize(rows, args.temperature)
        summary["attainable"] = attainable(engine.policy, args.k_max)
        print(f"\nplain {summary['plain_tok_s']:.1f} tok/s, speculative {summary['spec_tok_s']:.1f} "
              f"tok/s: speed-up x{summary['speedup']:.2f} (goal x{GOAL}); acceptance "
              f"{summary['acceptance_rate']:.2f}, mean accepted {summary['mean_accepted']:.2f} per "
              f"round, {summary['tokens_per_round']:.2f} tokens per round"
              + (f"; greedy outputs identical: {summary['identical']}/{len(rows)}"
                 if args.temperature == 0 else ""))
        print(f"limit: {summary['limit']}")
        att = summary["attainable"]
        print("attainable speed-up from the measured costs (best k): "
              + "  ".join(f"acc {a}: x{v['speedup']:.2f} (k={v['k']})"
                          for a, v in att["with_this_draft"].items())
              + f"; ceiling with a free, always-right draft: x{att['ceiling']['speedup']:.2f} "
              f"(k={att['ceiling']['k']})")
        report = {
            "bench": "speculative", "model": model_name, "draft_model": draft_name,
            "model_path": str(model_path), "draft_path": str(draft_path),
            "engine": engine.describe(), "threads": threads, "k_max": args.k_max, "k": args.k,
            "max_tokens": args.max_tokens, "temperature": args.temperature, "top_p": args.top_p,
            "batch_cost": curve, "target_step_ms": round(calib["batch_cost"]["t1"] * 1000, 3),
            "draft_cost": round(calib["draft_cost"], 4),
            "batch_logit_diff": calib["batch_logit_diff"], "summary": summary, "rows": rows,
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                        "note": "timings on a shared machine: compare ratios, not absolutes"},
        }
    finally:
        engine.close()
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(f"report: {args.out}")
    return 0


def timed(engine: Any, prompt: list[int], req: Any) -> dict[str, Any]:
    """One generation: time to the first token (prompt evaluation) and decode speed after it."""
    engine.reset()                      # both modes pay the same full prompt evaluation
    t0 = time.perf_counter()
    first = None
    n = 0
    for chunk in engine.stream(prompt, req):
        if chunk.tokens and first is None:
            first = time.perf_counter()
        n = chunk.completion_tokens or n
    end = time.perf_counter()
    last = engine.last
    tokens = last.tokens
    first = first or end
    # tokens after the first one, over the time after the first one
    decode_s = end - first
    return {"tokens": tokens, "completion_tokens": len(tokens),
            "first_token_ms": round((first - t0) * 1000, 2),
            "total_s": round(end - t0, 4),
            "decode_tok_s": round((len(tokens) - 1) / decode_s, 2) if decode_s > 0 and len(tokens) > 1 else 0.0,
            "e2e_tok_s": round(len(tokens) / (end - t0), 2),
            "spec": last.spec}


def attainable(policy: Any, k_max: int) -> dict[str, Any]:
    """What speculative decoding could give on this machine: the policy's speed model
    E(k) / (k c + C(k+1)) with the measured batch-cost curve C and draft cost c, at several
    acceptance rates, and the ceiling for a draft that costs nothing and is always right."""
    out: dict[str, Any] = {"with_this_draft": {}, "draft_cost": round(policy.draft_cost, 4)}
    for a in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        k, v = policy.best(a=a, k_top=k_max)
        out["with_this_draft"][str(a)] = {"k": k, "speedup": round(v, 3)}
    saved = policy.draft_cost
    policy.draft_cost = 0.0
    try:
        k, v = policy.best(a=1.0, k_top=k_max)
    finally:
        policy.draft_cost = saved
    out["ceiling"] = {"k": k, "speedup": round(v, 3)}
    return out


def summarize(rows: list[dict[str, Any]], temperature: float) -> dict[str, Any]:
    plain_tokens = sum(r["plain_completion_tokens"] - 1 for r in rows)
    spec_tokens = sum(r["spec_completion_tokens"] - 1 for r in rows)
    plain_s = sum((r["plain_completion_tokens"] - 1) / r["plain_decode_tok_s"]
                  for r in rows if r["plain_decode_tok_s"])
    spec_s = sum((r["spec_completion_tokens"] - 1) / r["spec_decode_tok_s"]
                 for r in rows if r["spec_decode_tok_s"])
    drafted = sum(r["spec_stats"]["drafted"] for r in rows)
    accepted = sum(r["spec_stats"]["accepted"] for r in rows)
    rounds = sum(r["spec_stats"]["rounds"] for r in rows)
    plain_rate = plain_tokens / plain_s if plain_s else 0.0
    spec_rate = spec_tokens / spec_s if spec_s else 0.0
    speedup = spec_rate / plain_rate if plain_rate else 0.0
    acc = accepted / drafted if drafted else 0.0
    per_round = (accepted + rounds) / rounds if rounds else 0.0
    if speedup >= GOAL:
        limit = "goal reached"
    elif rounds == 0:
        limit = ("the cost model predicted no gain with this draft (see draft_cost and "
                 "batch_cost), so the engine decoded without it")
    elif acc < 0.5:
        limit = (f"the draft agrees too rarely ({acc:.0%} of its tokens accepted): "
                 "distil the draft from the target")
    else:
        limit = ("verification cost: a batch of k+1 tokens costs several single steps on this "
                 "CPU (see batch_cost) and the draft's own steps are not free (draft_cost)")
    return {"plain_tok_s": round(plain_rate, 2), "spec_tok_s": round(spec_rate, 2),
            "speedup": round(speedup, 3), "goal": GOAL,
            "median_prompt_speedup": round(float(np.median([r["speedup"] for r in rows])), 3),
            "acceptance_rate": round(acc, 4),
            "mean_accepted": round(accepted / rounds, 3) if rounds else 0.0,
            "tokens_per_round": round(per_round, 3),
            "identical": sum(1 for r in rows if r["identical"]) if temperature == 0 else None,
            "limit": limit}
