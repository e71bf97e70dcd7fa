"""``vaani serve`` under concurrent streaming clients: speculative against plain decoding.

The server (the same app as ``vaani serve``, uvicorn on a free localhost port in this
process) gets bursts of ``--clients`` streaming chat requests at once, each from its own
thread with the official ``openai`` client, each client its own prompt (answers,
explanations, lists, code, edits, Hindi; from ``vaani bench speculative``), greedy. Modes
take turns burst by burst, so machine load hits all alike:

``plain``  the request turns drafting off (``{"vaani": {"speculative": false}}``);
``auto``   the engine's choice every round (draft model, n-gram lookup or plain, by the
           cost model): what a client of ``vaani serve --draft ...`` gets;
``model``  the draft model forced at the longest exactly verifiable draft;
``ngram``  n-gram lookup only.

Reported per mode: aggregate tokens/s (every completion token over the wall time of the
bursts), p50/p95 of the time to the first token and of the total time per request (client
side, from sending to the first text / the end of the stream: queueing included), the
longest queue wait (server side), drafted / accepted tokens per source (the server's
figures), whether every output equals that request's output alone, and whether every
burst was served in arrival order; and the ratio of each mode to plain.

    vaani bench serve --model qwen2.5-coder-1.5b --draft qwen2.5-coder-0.5b \\
        --out results/serve-qwen.json
    vaani bench serve --model chimera --draft chimera-draft --out results/serve-chimera.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import openai
import uvicorn

from vaani.bench.speculative import PROMPTS

MODES = ("plain", "auto", "model", "ngram")
# one prompt of each kind first, then the rest: any number of clients gets a varied set
ORDER = (0, 4, 8, 12, 17, 20, 18, 13, 1, 5, 9, 14, 19, 21, 2, 6, 10, 15, 22, 3, 7, 11, 16, 23)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="target model (pack name or .gguf); default: llm.model")
    p.add_argument("--draft", "--draft-model", dest="draft_model", metavar="DRAFT",
                   help="draft model; default: llm.draft_model (none: n-gram drafting only)")
    p.add_argument("--no-ngram", action="store_true", help="no n-gram lookup drafting")
    p.add_argument("--modes", default="plain,auto,model",
                   help=f"comma-separated, from {', '.join(MODES)} (plain is always run)")
    p.add_argument("--clients", type=int, default=8, help="concurrent streaming clients")
    p.add_argument("--rounds", type=int, default=2, help="bursts per mode")
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=None, help="default: llm.threads")
    p.add_argument("--context", type=int, default=2048)
    p.add_argument("--out", help="write the JSON report here")


def run(args: argparse.Namespace) -> int:
    from vaani.assistant import load_config
    from vaani.llm import LlamaEngine
    from vaani.llm.server import create_app
    from vaani.models import ModelStore

    config = load_config(args)
    store = ModelStore.from_config(config)
    model_name = args.model or config.llm.model
    draft_name = args.draft_model or config.llm.draft_model or None
    threads = config.llm.threads if args.threads is None else args.threads
    wanted = [m for m in args.modes.split(",") if m]
    unknown = [m for m in wanted if m not in MODES]
    if unknown:
        print(f"unknown mode(s) {unknown}: choose from {', '.join(MODES)}")
        return 2
    modes = ["plain"] + [m for m in dict.fromkeys(wanted) if m != "plain"]
    if "model" in modes and not draft_name:
        modes.remove("model")
    if args.no_ngram and "ngram" in modes:
        modes.remove("ngram")
    model_path = store.file(model_name)
    draft_path = store.file(draft_name) if draft_name else None
    print(f"target {model_name}: {model_path}\ndraft  {draft_name}: {draft_path}")
    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    t = time.perf_counter()
    engine = LlamaEngine(model_path, draft=draft_path, n_ctx=args.context, threads=threads,
                         ngram=not args.no_ngram, name=model_name)
    load_s = time.perf_counter() - t
    model_k = engine.k_cap or engine.k_max
    print(f"loaded and calibrated in {load_s:.1f} s; {args.clients} clients x {args.rounds} "
          f"bursts per mode, {args.max_tokens} tokens each; modes {', '.join(modes)}")
    prompts = [PROMPTS[ORDER[i % len(ORDER)]] for i in range(args.clients)]
    messages = [[{"role": "user", "content": text}] for _, _, text in prompts]
    try:
        with serving(create_app(engine, model_ids=[model_name])) as url:
            client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0, timeout=900)
            for mode in modes:                    # warm every path once
                one(client, model_name, messages[0], 8, extension(mode, model_k))
            # each request alone, plain: the text every burst must reproduce
            alone = [one(client, model_name, m, args.max_tokens, extension("plain", model_k))
                     for m in messages]
            bursts: list[dict[str, Any]] = []
            for r in range(args.rounds):
                order = modes[r % len(modes):] + modes[:r % len(modes)]
                for mode in order:
                    b = burst(client, model_name, messages, args.max_tokens,
                              extension(mode, model_k))
                    b.update(mode=mode, round=r,
                             identical=sum(x["text"] == a["text"]
                                           for x, a in zip(b["requests"], alone)))
                    bursts.append(b)
                    print(f"  {mode:<6} round {r}: {b['tokens']} tokens in {b['wall_s']:.2f} s "
                          f"= {b['tokens'] / b['wall_s']:.1f} tok/s; identical to alone "
                          f"{b['identical']}/{len(messages)}; arrival order "
                          f"{'kept' if b['fifo'] else 'BROKEN'}")
            server_metrics = httpx.get(url.removesuffix("/v1") + "/metrics").json()
    finally:
        engine.close()
    summary = {mode: summarize([b for b in bursts if b["mode"] == mode]) for mode in modes}
    base = summary["plain"]["tokens_per_second"]
    for mode in modes:
        s = summary[mode]
        s["ratio_to_plain"] = round(s["tokens_per_second"] / base, 3) if base else None
    print_summary(summary, modes)
    report = {
        "bench": "serve", "model": model_name, "draft_model": draft_name,
        "model_path": str(model_path), "draft_path": str(draft_path) if draft_path else None,
        "engine": engine_description(engine), "threads": threads, "clients": args.clients,
        "rounds": args.rounds, "max_tokens": args.max_tokens, "model_k": model_k,
        "load_s": round(load_s, 2), "modes": modes, "summary": summary,
        "alone": [{"prompt": text, "kind": kind, "completion_tokens": a["completion_tokens"],
                   "total_s": a["total_s"], "first_token_s": a["first_token_s"]}
                  for (_, kind, text), a in zip(prompts, alone)],
        "bursts": bursts, "server_metrics": server_metrics,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_avg_start": load_start,
                    "load_avg_end": os.getloadavg() if hasattr(os, "getloadavg") else None,
                    "note": "timings on a shared machine: compare ratios, not absolutes"},
    }
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(f"report: {args.out}")
    ok = all(b["identical"] == len(messages) and b["fifo"] and b["complete"] for b in bursts)
    return 0 if ok else 1


def engine_description(engine: Any) -> dict[str, Any]:
    with contextlib.suppress(Exception):
        return engine.describe()
    return {}


def extension(mode: str, model_k: int) -> dict[str, Any]:
    if mode == "plain":
        return {"speculative": False}
    if mode == "model":
        return {"draft": "model", "k": model_k}
    return {"draft": mode}


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` on uvicorn at a free localhost port, in a thread; yields the /v1 base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the server did not start")
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(30)


def one(client: Any, model: str, messages: list[dict[str, str]], max_tokens: int,
        ext: dict[str, Any]) -> dict[str, Any]:
    """One streamed request, timed from sending: text, first token, end, server figures."""
    t0 = time.perf_counter()
    first = None
    parts: list[str] = []
    finish = figures = None
    for chunk in client.chat.completions.create(model=model, messages=messages,
                                                max_tokens=max_tokens, temperature=0,
                                                stream=True, extra_body={"vaani": ext}):
        for c in chunk.choices:
            if c.delta.content:
                parts.append(c.delta.content)
                if first is None:
                    first = time.perf_counter() - t0
            finish = c.finish_reason or finish
        figures = (chunk.model_extra or {}).get("vaani") or figures
    total = time.perf_counter() - t0
    f = figures or {}
    return {"text": "".join(parts), "finish_reason": finish,
            "first_token_s": round(first, 4) if first is not None else None,
            "total_s": round(total, 4), "completion_tokens": f.get("completion_tokens", 0),
            "server": f}


def burst(client: Any, model: str, messages: list[list[dict[str, str]]], max_tokens: int,
          ext: dict[str, Any]) -> dict[str, Any]:
    """Every client sends at once (a barrier) and streams its reply."""
    n = len(messages)
    gate = threading.Barrier(n + 1)
    results: list[dict[str, Any] | None] = [None] * n
    errors: list[str] = []

    def client_thread(i: int) -> None:
        gate.wait()
        try:
            results[i] = one(client, model, messages[i], max_tokens, ext)
        except Exception as exc:          # counted below: the burst is incomplete
            errors.append(f"client {i}: {exc!r}")

    threads = [threading.Thread(target=client_thread, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    gate.wait()
    t0 = time.perf_counter()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    done = [r for r in results if r is not None]
    by_arrival = sorted(done, key=lambda r: r["server"].get("arrival", 0))
    served = [r["server"].get("served", 0) for r in by_arrival]
    return {"wall_s": round(wall, 4), "tokens": sum(r["completion_tokens"] for r in done),
            "complete": len(done) == n and not errors and all(r["finish_reason"] for r in done),
            "errors": errors, "fifo": served == sorted(served) and 0 not in served,
            "requests": done}


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 4) if values else None


def summarize(bursts: list[dict[str, Any]]) -> dict[str, Any]:
    reqs = [r for b in bursts for r in b["requests"]]
    tokens = sum(b["tokens"] for b in bursts)
    wall = sum(b["wall_s"] for b in bursts)
    firsts = [r["first_token_s"] for r in reqs if r["first_token_s"] is not None]
    totals = [r["total_s"] for r in reqs]
    waits = [r["server"].get("queued_s", 0.0) for r in reqs]
    spec = [r["server"] for r in reqs if r["server"].get("speculative")]
    sources: dict[str, dict[str, int]] = {}
    for f in spec:
        for name, s in f.get("sources", {}).items():
            t = sources.setdefault(name, {"rounds": 0, "drafted": 0, "accepted": 0})
            for k in t:
                t[k] += s[k]
    drafted = sum(f.get("drafted", 0) for f in spec)
    accepted = sum(f.get("accepted", 0) for f in spec)
    return {
        "bursts": len(bursts), "requests": len(reqs), "tokens": tokens,
        "wall_s": round(wall, 3),
        "tokens_per_second": round(tokens / wall, 2) if wall else 0.0,
        "first_token_s_p50": _pct(firsts, 50), "first_token_s_p95": _pct(firsts, 95),
        "total_s_p50": _pct(totals, 50), "total_s_p95": _pct(totals, 95),
        "queue_wait_s_max": round(max(waits), 4) if waits else None,
        "drafted": drafted, "accepted": accepted,
        "acceptance": round(accepted / drafted, 4) if drafted else None,
        "rounds": sum(f.get("rounds", 0) for f in spec),
        "plain_steps": sum(f.get("plain_steps", 0) for f in spec),
        "sources": {k: {**v, "acceptance": round(v["accepted"] / v["drafted"], 4)
                        if v["drafted"] else None} for k, v in sorted(sources.items())},
        "identical_to_alone": sum(b["identical"] for b in bursts),
        "arrival_order_kept": sum(bool(b["fifo"]) for b in bursts),
        "complete": sum(bool(b["complete"]) for b in bursts),
    }


def print_summary(summary: dict[str, Any], modes: list[str]) -> None:
    print(f"\n{'mode':<7}{'tok/s':>8}{'x plain':>9}{'TTFT p50':>10}{'p95':>8}"
          f"{'total p50':>11}{'p95':>8}{'max wait':>10}{'accept':>8}  identical  in order")
    for mode in modes:
        s = summary[mode]
        acc = f"{s['acceptance']:.2f}" if s["acceptance"] is not None else "-"
        print(f"{mode:<7}{s['tokens_per_second']:>8.1f}{s['ratio_to_plain']:>9.2f}"
              f"{s['first_token_s_p50']:>10.2f}{s['first_token_s_p95']:>8.2f}"
              f"{s['total_s_p50']:>11.2f}{s['total_s_p95']:>8.2f}"
              f"{s['queue_wait_s_max']:>10.2f}{acc:>8}  {s['identical_to_alone']:>4}/"
              f"{s['requests']:<4}  {s['arrival_order_kept']}/{s['bursts']}")
