"""Speculative decoding: tokens/s of plain decoding and of each draft strategy, in one run.

For every prompt the target decodes the same request in each mode, the modes in a rotating
order so that machine load hits all alike:

``plain``  the target alone, one decode per token;
``model``  the draft model proposes (forced: it drafts every round at ``--model-k``, default
           the longest exactly verifiable draft, so its acceptance and cost are measured
           even when the cost model would not use it);
``ngram``  prompt lookup: the continuation of the latest earlier match of the last 2-4
           tokens in the prompt and reply (:mod:`vaani.llm.ngram`), k by the cost model;
``auto``   the engine's own choice every round: n-gram, the draft model or plain,
           whichever the cost model expects to be fastest.

``--extra-draft NAME`` (repeatable) compares other draft models in the same run: each gets
its own engine on the same target file, and the modes ``model:NAME`` (forced, as ``model``)
and ``auto:NAME`` (the per-round choice between n-gram, NAME and plain).

Each temperature in ``--temperatures`` is a pass over all prompts (0 = greedy: every mode's
output must be token for token the plain output). Reported per mode: decode tokens/s (the
prompt evaluation, which all modes pay alike, is excluded; end-to-end figures are in the
JSON), the ratio to plain, acceptance, tokens per verification round, the draft lengths
chosen, and per prompt kind; with the target's batch-cost curve C(n) = time(n-token batch) /
time(1 token), the draft/target step ratio and what speed-up they allow at all.

    vaani bench speculative --model qwen2.5-coder-1.5b --draft-model qwen2.5-coder-0.5b \\
        --max-tokens 128 --temperatures 0,0.7 --out results/speculative-qwen.json
    vaani bench speculative --model chimera --draft-model chimera-draft --modes plain,model
    vaani bench speculative --model qwen2.5-coder-1.5b --draft-model qwen2.5-coder-0.5b \\
        --extra-draft runs/qwen-drafter/chimera-qwen-draft-q4_k_m.gguf   # training.drafter
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

# (language, kind, prompt): answers, explanations, lists, code, edits of given text, Hindi
PROMPTS = (
    ("en", "answer", "What is the capital of Australia, and why was it chosen over Sydney "
                     "and Melbourne?"),
    ("en", "answer", "How many bones are in the adult human body, and which is the longest?"),
    ("en", "answer", "Who wrote the play Romeo and Juliet, and roughly when was it written?"),
    ("en", "answer", "What is the difference between weather and climate?"),
    ("en", "explain", "Explain why the sky is blue in simple words."),
    ("en", "explain", "Explain how a refrigerator keeps food cold."),
    ("en", "explain", "Explain what a hash table is and why lookups in it are fast."),
    ("en", "explain", "Explain the difference between a process and a thread."),
    ("en", "list", "List the planets of the solar system in order, with one fact about each."),
    ("en", "list", "Give me five tips for better sleep, as a numbered list."),
    ("en", "list", "List the steps to make a cup of tea."),
    ("en", "list", "List ten common Linux shell commands and what each one does."),
    ("en", "code", "Write a Python function that checks whether a string is a palindrome, "
                   "with a docstring and two examples."),
    ("en", "code", "Write a Python function to compute the n-th Fibonacci number "
                   "iteratively, and a version with memoization."),
    ("en", "code", "Write a SQL query that returns the five customers with the highest total "
                   "order value from tables customers(id, name) and orders(id, customer_id, "
                   "amount)."),
    ("en", "code", "Write a JavaScript function that debounces another function."),
    ("en", "code", "Write a bash script that renames every .txt file in a folder to .md."),
    ("en", "edit", "Rewrite this code with type hints and keep everything else the same:\n"
                   "def add_item(cart, item, price, quantity):\n"
                   "    total = price * quantity\n"
                   "    cart[item] = cart.get(item, 0) + total\n"
                   "    return cart\n"
                   "def remove_item(cart, item):\n"
                   "    if item in cart:\n"
                   "        del cart[item]\n"
                   "    return cart"),
    ("en", "edit", "Convert this JSON to YAML: {\"name\": \"vaani\", \"version\": \"0.4.0\", "
                   "\"languages\": [\"hi\", \"en\"], \"models\": {\"asr\": \"whisper-base\", "
                   "\"llm\": \"qwen2.5-coder-1.5b\", \"draft\": \"qwen2.5-coder-0.5b\"}}"),
    ("en", "edit", "Fix the spelling mistakes in this paragraph and return the whole "
                   "corrected paragraph: Their are many reasons why peple enjoy reading. "
                   "Books let us travle to other places, meet new charaters and learn about "
                   "the wrold without leaving home."),
    ("hi", "hindi", "मुझे एक छोटी सी कहानी सुनाओ।"),
    ("hi", "hindi", "आसमान नीला क्यों होता है? आसान शब्दों में समझाओ।"),
    ("hi", "hindi", "अच्छी नींद के लिए तीन सलाह दो।"),
    ("hi", "hindi", "भारत के पाँच बड़े शहरों के नाम बताओ।"),
)
MODES = ("plain", "model", "ngram", "auto")
GOAL = 2.4


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="target model (pack name or .gguf); default: llm.model")
    p.add_argument("--draft-model", help="draft model; default: llm.draft_model, else the "
                                         "target itself (measures the machinery, not a gain)")
    p.add_argument("--extra-draft", action="append", default=[], metavar="NAME",
                   help="another draft model (pack name or .gguf) compared in the same run: "
                        "adds the modes model:NAME and auto:NAME")
    p.add_argument("--modes", default=",".join(MODES),
                   help=f"comma-separated, from {', '.join(MODES)} (plain is always run)")
    p.add_argument("--max-tokens", type=int, default=128)
    p.add_argument("--temperatures", default="0",
                   help="comma-separated target temperatures, one pass each (0 = greedy: "
                        "outputs are compared with plain)")
    p.add_argument("--temperature", type=float, default=None,
                   help="one temperature (same as --temperatures T)")
    p.add_argument("--top-p", type=float, default=0.95, help="for sampled passes")
    p.add_argument("--draft-temperature", type=float, default=None)
    p.add_argument("--k-max", type=int, default=8)
    p.add_argument("--model-k", type=int, default=0,
                   help="draft length of the forced model mode (0: the longest draft the "
                        "exactness rule allows, else k-max)")
    p.add_argument("--inexact", action="store_true",
                   help="verify batches of any size, even where their logits differ from "
                        "one-by-one decoding (greedy outputs may then differ)")
    p.add_argument("--no-repack", action="store_true",
                   help="target weights in llama.cpp's plain layout (every batch exact)")
    p.add_argument("--compare-layouts", action="store_true",
                   help="also load the target without repacking and measure its step time "
                        "and C(n) beside the repacked one")
    p.add_argument("--threads", type=int, default=None, help="default: llm.threads")
    p.add_argument("--context", type=int, default=2048)
    p.add_argument("--prompts", type=int, default=len(PROMPTS), help="how many of the prompts")
    p.add_argument("--system", default=None,
                   help="system prompt (default: the assistant's; \"\" = none, the model's "
                        "template then uses its own default)")
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
    modes = ["plain"] + [m for m in dict.fromkeys(args.modes.split(",")) if m in MODES
                         and m != "plain"]
    extra = {_label(name): store.file(name) for name in args.extra_draft}
    for label in extra:
        modes += [f"model:{label}", f"auto:{label}"]
    unknown = [m for m in args.modes.split(",") if m not in MODES]
    if unknown:
        print(f"unknown mode(s) {unknown}: choose from {', '.join(MODES)}")
        return 2
    temps = ([args.temperature] if args.temperature is not None
             else [float(t) for t in args.temperatures.split(",")])
    system = config.assistant.system_prompt if args.system is None else args.system
    print(f"target {model_name}: {model_path}\ndraft  {draft_name}: {draft_path}")
    for label, path in extra.items():
        print(f"draft  {label}: {path}")

    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    t = time.perf_counter()
    engine = LlamaEngine(model_path, draft=draft_path, n_ctx=args.context, threads=threads,
                         k_max=args.k_max, calibrate=False, ngram=True,
                         repack=not args.no_repack, exact=not args.inexact)
    load_s = time.perf_counter() - t
    report: dict[str, Any] = {}
    engines: dict[str, Any] = {"": engine}
    try:
        for label, path in extra.items():
            engines[label] = LlamaEngine(model_path, draft=path, n_ctx=args.context,
                                         threads=threads, k_max=args.k_max, calibrate=False,
                                         ngram=True, repack=not args.no_repack,
                                         exact=not args.inexact)
        calib = engine.calibrate(repeats=5, n_max=args.k_max + 1)
        curve = {int(n): round(v, 3) for n, v in calib["batch_cost"].items() if n != "t1"}
        cap = engine.k_cap
        model_k = args.model_k or cap or args.k_max
        draft_mode = engine.draft.mode if engine.draft is not None else "-"
        print(f"loaded in {load_s:.1f} s; rollback {engine.target.mode}/{draft_mode}; "
              f"single target step {calib['batch_cost']['t1'] * 1000:.1f} ms, "
              f"draft/target step {calib['draft_cost']:.3f}")
        print("batch cost C(n) = time(n) / time(1): "
              + "  ".join(f"{n}:{c:.2f}" for n, c in curve.items()))
        diff = calib["batch_logit_diff"]
        print(f"batched vs single-token logits: max diff {diff:.3g}; batches of up to "
              f"{engine.exact_batch} tokens are bit-exact"
              + (f"; drafts capped at {cap} tokens so greedy output stays exact" if cap
                 else ""))
        extra_info: dict[str, Any] = {}
        for label in extra:
            e = engines[label]
            c = e.calibrate(repeats=5, n_max=args.k_max + 1)
            own_curve = {int(n): round(v, 3) for n, v in c["batch_cost"].items() if n != "t1"}
            # one target, one cost curve: every engine chooses from the reference engine's
            # C(n), so that auto and auto:NAME differ only in the draft (the curve this
            # engine measured itself is kept in the report)
            for pol in (e.policy, e.ngram_policy):
                if pol is not None and engine.policy is not None:
                    pol.batch_cost = dict(engine.policy.batch_cost)
            extra_info[label] = {"own_batch_cost": own_curve, "path": str(extra[label]), "draft_cost": round(c["draft_cost"], 4),
                                 "k_cap": e.k_cap, "model_k": args.model_k or e.k_cap or args.k_max,
                                 "engine": e.describe()}
            print(f"draft {label}: draft/target step {c['draft_cost']:.3f}")
        layouts = compare_layouts(engine, model_path, threads, args) \
            if args.compare_layouts else None
        prompts = PROMPTS[:max(1, args.prompts)]
        # warm every path once (page faults, caches) before timing
        warm = engine.chat_prompt([{"role": "user", "content": "Hello"}])
        def engine_of(mode: str) -> Any:
            return engines[mode.split(":", 1)[1]] if ":" in mode else engine

        def k_of(mode: str) -> int:
            return extra_info[mode.split(":", 1)[1]]["model_k"] if ":" in mode else model_k

        for mode in modes:
            engine_of(mode).complete(warm, request(Request, mode, 8, 0.0, 1.0, None,
                                                   k_of(mode), 0))
        passes = []
        for temp in temps:
            top_p = args.top_p if temp > 0 else 1.0
            print(f"\n== temperature {temp}" + (f", top-p {top_p}" if temp > 0 else " (greedy)"))
            rows: list[dict[str, Any]] = []
            for i, (lang, kind, text) in enumerate(prompts):
                messages = ([{"role": "system", "content": system}] if system else []) \
                    + [{"role": "user", "content": text}]
                prompt = engine.chat_prompt(messages)
                for r in range(args.repeat):
                    shift = (i + r) % len(modes)
                    order = modes[shift:] + modes[:shift]
                    res = {mode: timed(engine_of(mode), prompt, request(
                        Request, mode, args.max_tokens, temp, top_p, args.draft_temperature,
                        k_of(mode), 1000 + i)) for mode in order}
                    rows.append(row_of(lang, kind, text, prompt, res, modes))
                    print_row(rows[-1], modes, temp)
            summary = summarize(rows, modes, temp)
            print_summary(summary, modes, temp)
            passes.append({"temperature": temp, "top_p": top_p, "summary": summary,
                           "rows": rows})
        att = attainable(engine.policy, args.k_max, cap)
        for label in extra:
            # the reference engine's C(n) with this draft's cost, so that every row of the
            # table rests on one measured curve; each engine's own curve is in the report
            policy = engine.policy
            assert policy is not None              # a draft model makes the engine speculative
            saved = policy.draft_cost
            policy.draft_cost = extra_info[label]["draft_cost"]
            try:
                more = attainable(policy, args.k_max, cap)
            finally:
                policy.draft_cost = saved
            att["by_draft"][f"model:{label}"] = more["by_draft"]["model"]
            extra_info[label]["attainable"] = more["by_draft"]["model"]
        print("\nattainable speed-up from the measured costs (best k):")
        for name, table in att["by_draft"].items():
            print(f"  {name:<6} " + "  ".join(f"acc {a}: x{v['speedup']:.2f} (k={v['k']})"
                                              for a, v in table.items()))
        print(f"  ceiling (free, always-right draft): x{att['ceiling']['speedup']:.2f} "
              f"(k={att['ceiling']['k']})"
              + (f"; within the exact cap k<={cap}: x{att['ceiling_capped']['speedup']:.2f}"
                 if cap else ""))
        report = {
            "bench": "speculative", "model": model_name, "draft_model": draft_name,
            "model_path": str(model_path), "draft_path": str(draft_path),
            "engine": engine.describe(), "threads": threads, "k_max": args.k_max,
            "k_cap": cap, "model_k": model_k, "modes": modes,
            "max_tokens": args.max_tokens, "system_prompt": system,
            "batch_cost": curve, "target_step_ms": round(calib["batch_cost"]["t1"] * 1000, 3),
            "draft_cost": round(calib["draft_cost"], 4),
            "batch_logit_diff": calib["batch_logit_diff"], "exact_batch": engine.exact_batch,
            "layouts": layouts, "attainable": att, "passes": passes,
            "extra_drafts": extra_info,
            "goal": GOAL,
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                        "load_avg_start": load_start,
                        "load_avg_end": os.getloadavg() if hasattr(os, "getloadavg") else None,
                        "note": "timings on a shared machine: compare ratios, not absolutes"},
        }
    finally:
        for e in engines.values():
            e.close()
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(f"report: {args.out}")
    return 0


def _label(name: str) -> str:
    """A draft's name in mode names: a pack name as it is, a file by its stem."""
    p = Path(name)
    return p.stem if p.suffix == ".gguf" else name


def request(Request: Any, mode: str, max_tokens: int, temp: float, top_p: float,
            draft_temp: float | None, model_k: int, seed: int) -> Any:
    mode = mode.split(":", 1)[0]            # model:NAME / auto:NAME run on NAME's engine
    return Request(max_tokens=max_tokens, temperature=temp, top_p=top_p, seed=seed,
                   draft_temperature=draft_temp, speculative=mode != "plain",
                   draft="auto" if mode in ("plain", "auto") else mode,
                   k=model_k if mode == "model" else 0)


def timed(engine: Any, prompt: list[int], req: Any) -> dict[str, Any]:
    """One generation: time to the first token (prompt evaluation) and decode speed after it."""
    engine.reset()                      # every mode pays the same full prompt evaluation
    t0 = time.perf_counter()
    first = None
    cpu_first = None
    for chunk in engine.stream(prompt, req):
        if chunk.tokens and first is None:
            first = time.perf_counter()
            cpu_first = time.process_time()
    end = time.perf_counter()
    cpu_end = time.process_time()
    last = engine.last
    tokens = last.tokens
    first = first or end
    decode_s = end - first              # tokens after the first one, over the time after it
    # CPU seconds of this process (every llama.cpp thread) while decoding: the work done,
    # which other programs on a shared machine disturb far less than the wall time
    decode_cpu_s = cpu_end - (cpu_first if cpu_first is not None else cpu_end)
    n = len(tokens) - 1
    return {"tokens": tokens, "completion_tokens": len(tokens),
            "first_token_ms": round((first - t0) * 1000, 2),
            "total_s": round(end - t0, 4), "decode_s": round(decode_s, 4),
            "decode_cpu_s": round(decode_cpu_s, 4),
            "decode_tok_s": round(n / decode_s, 2) if decode_s > 0 and n > 0 else 0.0,
            "decode_tok_per_cpu_s": round(n / decode_cpu_s, 2)
            if decode_cpu_s > 0 and n > 0 else 0.0,
            "e2e_tok_s": round(len(tokens) / (end - t0), 2),
            "spec": last.spec}


def row_of(lang: str, kind: str, text: str, prompt: list[int], res: dict[str, Any],
           modes: list[str]) -> dict[str, Any]:
    plain = res["plain"]
    row: dict[str, Any] = {"lang": lang, "kind": kind, "prompt": text,
                           "prompt_tokens": len(prompt)}
    for mode in modes:
        r = res[mode]
        row[mode] = {k: v for k, v in r.items() if k != "tokens"}
        if mode != "plain":
            row[mode]["identical"] = r["tokens"] == plain["tokens"]
            row[mode]["speedup"] = (round(r["decode_tok_s"] / plain["decode_tok_s"], 3)
                                    if plain["decode_tok_s"] else 0.0)
            row[mode]["cpu_speedup"] = (
                round(r["decode_tok_per_cpu_s"] / plain["decode_tok_per_cpu_s"], 3)
                if plain["decode_tok_per_cpu_s"] else 0.0)
    return row


def print_row(row: dict[str, Any], modes: list[str], temp: float) -> None:
    parts = [f"{row['kind']:<7} {row['prompt'][:30]:<30} plain {row['plain']['decode_tok_s']:5.1f}"]
    for mode in modes[1:]:
        r = row[mode]
        st = r["spec"] or {}
        parts.append(f"{mode} {r['decode_tok_s']:5.1f} x{r['speedup']:.2f} "
                     f"(cpu x{r['cpu_speedup']:.2f}) "
                     f"a{st.get('acceptance_rate', 0):.2f}"
                     + ("" if r["identical"] or temp > 0 else " DIFF"))
    print("  ".join(parts), flush=True)


def _rate(rows: list[dict[str, Any]], mode: str, key: str = "decode_s") -> tuple[int, float]:
    tokens = sum(r[mode]["completion_tokens"] - 1 for r in rows)
    seconds = sum(r[mode][key] for r in rows)
    return tokens, (tokens / seconds if seconds else 0.0)


def summarize(rows: list[dict[str, Any]], modes: list[str], temp: float) -> dict[str, Any]:
    _, plain_rate = _rate(rows, "plain")
    _, plain_cpu = _rate(rows, "plain", "decode_cpu_s")
    out: dict[str, Any] = {"plain_tok_s": round(plain_rate, 2),
                           "plain_tok_per_cpu_s": round(plain_cpu, 2), "modes": {}}
    for mode in modes[1:]:
        _, rate = _rate(rows, mode)
        _, cpu_rate = _rate(rows, mode, "decode_cpu_s")
        stats = [r[mode]["spec"] or {} for r in rows]
        drafted = sum(s.get("drafted", 0) for s in stats)
        accepted = sum(s.get("accepted", 0) for s in stats)
        rounds = sum(s.get("rounds", 0) for s in stats)
        plain_steps = sum(s.get("plain_steps", 0) for s in stats)
        ks: dict[str, int] = {}
        sources: dict[str, dict[str, float]] = {}
        for s in stats:
            for k, n in s.get("k_hist", {}).items():
                ks[k] = ks.get(k, 0) + n
            for name, v in s.get("sources", {}).items():
                agg = sources.setdefault(name, {"rounds": 0, "drafted": 0, "accepted": 0})
                for key in agg:
                    agg[key] += v[key]
        for v in sources.values():
            v["acceptance_rate"] = round(v["accepted"] / v["drafted"], 4) if v["drafted"] else 0.0
        by_kind: dict[str, Any] = {}
        for kind in dict.fromkeys(r["kind"] for r in rows):
            sub = [r for r in rows if r["kind"] == kind]
            _, kp = _rate(sub, "plain")
            _, km = _rate(sub, mode)
            _, kpc = _rate(sub, "plain", "decode_cpu_s")
            _, kmc = _rate(sub, mode, "decode_cpu_s")
            kd = sum((r[mode]["spec"] or {}).get("drafted", 0) for r in sub)
            ka = sum((r[mode]["spec"] or {}).get("accepted", 0) for r in sub)
            by_kind[kind] = {"speedup": round(km / kp, 3) if kp else 0.0,
                             "cpu_speedup": round(kmc / kpc, 3) if kpc else 0.0,
                             "acceptance_rate": round(ka / kd, 4) if kd else 0.0}
        speedups = [r[mode]["speedup"] for r in rows]
        out["modes"][mode] = {
            "tok_s": round(rate, 2),
            "speedup": round(rate / plain_rate, 3) if plain_rate else 0.0,
            "tok_per_cpu_s": round(cpu_rate, 2),
            "cpu_speedup": round(cpu_rate / plain_cpu, 3) if plain_cpu else 0.0,
            "mean_prompt_speedup": round(float(np.mean(speedups)), 3),
            "median_prompt_speedup": round(float(np.median(speedups)), 3),
            "acceptance_rate": round(accepted / drafted, 4) if drafted else 0.0,
            "tokens_per_round": round((accepted + rounds) / rounds, 3) if rounds else 0.0,
            "rounds": rounds, "plain_steps": plain_steps, "drafted": drafted,
            "accepted": accepted, "k_hist": dict(sorted(ks.items())), "sources": sources,
            "identical": sum(1 for r in rows if r[mode]["identical"]) if temp == 0 else None,
            "by_kind": by_kind,
        }
    best = max(out["modes"].items(), key=lambda kv: kv[1]["speedup"], default=None)
    out["best_mode"] = best[0] if best else "plain"
    # which mode wins per kind of prompt, by CPU time (steadier than wall time on a shared
    # machine); plain when no mode does better than it
    out["wins_by_kind"] = {
        kind: max(((m, v["by_kind"][kind]["cpu_speedup"]) for m, v in out["modes"].items()),
                  key=lambda mv: mv[1], default=("plain", 1.0))
        for kind in dict.fromkeys(r["kind"] for r in rows)}
    out["wins_by_kind"] = {k: (m, v) if v > 1.0 else ("plain", 1.0)
                           for k, (m, v) in out["wins_by_kind"].items()}
    out["prompts"] = len(rows)
    return out


def print_summary(summary: dict[str, Any], modes: list[str], temp: float) -> None:
    print(f"\nplain {summary['plain_tok_s']:.1f} tok/s ({summary['plain_tok_per_cpu_s']:.1f} "
          "per CPU-second)")
    for mode in modes[1:]:
        s = summary["modes"][mode]
        print(f"{mode:<6} {s['tok_s']:5.1f} tok/s  x{s['speedup']:.2f} (CPU time "
              f"x{s['cpu_speedup']:.2f}; mean over prompts "
              f"x{s['mean_prompt_speedup']:.2f}; goal x{GOAL})  acceptance "
              f"{s['acceptance_rate']:.2f}, {s['tokens_per_round']:.2f} tokens per round, "
              f"{s['rounds']} rounds + {s['plain_steps']} plain steps, k {s['k_hist']}"
              + (f"; identical to plain {s['identical']}/{summary['prompts']}"
                 if temp == 0 else ""))
        print("         by kind: " + "  ".join(f"{k} x{v['speedup']:.2f}/cpu x{v['cpu_speedup']:.2f}"
                                                 f" (a{v['acceptance_rate']:.2f})"
                                          for k, v in s["by_kind"].items()))
    print("best per kind (CPU time): " + "  ".join(f"{k}: {m} x{v:.2f}"
                                        for k, (m, v) in summary["wins_by_kind"].items()))


def attainable(policy: Any, k_max: int, cap: int | None) -> dict[str, Any]:
    """What speculative decoding could give on this machine: the policy's speed model
    E(k) / (k c + C(k+1)) with the measured batch-cost curve C, for the draft model's cost c
    and for a free draft (n-gram lookup), at several acceptance rates; and the ceiling for
    a draft that costs nothing and is always right (with and without the exactness cap)."""
    saved = policy.draft_cost
    out: dict[str, Any] = {"by_draft": {}, "draft_cost": round(saved, 4)}
    try:
        for name, cost in (("model", saved), ("ngram", 0.0)):
            policy.draft_cost = cost
            table = {}
            for a in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
                k, v = policy.best(a=a, k_top=cap or k_max)
                table[str(a)] = {"k": k, "speedup": round(v, 3)}
            out["by_draft"][name] = table
        policy.draft_cost = 0.0
        k, v = policy.best(a=1.0, k_top=k_max)
        out["ceiling"] = {"k": k, "speedup": round(v, 3)}
        k, v = policy.best(a=1.0, k_top=cap or k_max)
        out["ceiling_capped"] = {"k": k, "speedup": round(v, 3)}
    finally:
        policy.draft_cost = saved
    return out


def compare_layouts(engine: Any, model_path: Path, threads: int,
                    args: argparse.Namespace) -> dict[str, Any]:
    """Step time and C(n) of the target with and without llama.cpp's weight repacking,
    measured alternately in this process (what the exactness rule costs either way)."""
    from vaani.llm.engine import batch_cost_curve, exact_batch_size
    from vaani.llm.native import ContextParams, LlamaContext, LlamaModel
    from vaani.llm.sequence import Sequence

    other = LlamaModel(model_path, repack=engine.model.repack is False)
    ctx = LlamaContext(other, ContextParams(n_ctx=256, n_threads=threads))
    try:
        seqs = {engine.model.repack: engine.target, other.repack: Sequence(ctx, "kv")}
        runs: dict[bool, list[dict[Any, float]]] = {True: [], False: []}
        for i in range(3):
            for repack in ((True, False) if i % 2 == 0 else (False, True)):
                runs[repack].append(batch_cost_curve(seqs[repack], args.k_max + 1, repeats=2,
                                                     absolute=True))
        out: dict[str, dict[str, Any]] = {}
        for repack, curves in runs.items():
            t = {n: float(np.median([c[n] for c in curves])) for n in curves[0]}
            out["repack" if repack else "plain_layout"] = {
                "step_ms": round(t[1] * 1000, 2),
                "batch_cost": {n: round(v / t[1], 3) for n, v in t.items()},
                "exact_batch": exact_batch_size(seqs[repack], args.k_max + 1)}
        print("layouts: " + "; ".join(
            f"{name} step {v['step_ms']:.1f} ms, exact up to {v['exact_batch']}, C: "
            + " ".join(f"{n}:{c:.2f}" for n, c in v["batch_cost"].items())
            for name, v in out.items()))
        return out
    finally:
        engine.target.reset()
        ctx.close()
        other.close()
