"""Fit the reply guard's confidence threshold for a model, on labelled answers.

    vaani bench guard-calibration                       # the configured model (Chimera)
    vaani bench guard-calibration --model smollm2-135m

Asks the **calibration** set of ``vaani bench answers`` (never the held-out set the answer
figures are reported on) through the same path as ``vaani ask``, with the guard on but its
confidence gate open (``guard.min_confidence = 0``), grades every reply with the answer
bench's grader, and looks at the free answers: replies written by the model whose first
clause passed every other check (no tool behind it, not declined, not cut for a loop or
the wrong script). Each is labelled correct or wrong and carries its first clause's scores:

* ``confidence``: geometric-mean token probability (what the guard gates on),
* ``min_logprob``: the least likely token's log-probability,
* ``mean_entropy``: the mean entropy of the next-token distribution (lower = surer).

It reports how well each score separates right from wrong (AUROC) and picks the threshold:
the one that speaks the most correct free answers while at most ``--max-wrong-share`` of
the free answers spoken are wrong (default 0.1); none qualifies -> 1.0 (the model's free
answers are never spoken). The JSON (``results/guard-calibration-<model>.json``) has every
labelled answer; copy the threshold into :data:`vaani.guard.CALIBRATED`.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

SCORES = ("confidence", "min_logprob", "mean_entropy")
HIGHER_IS_SURER = {"confidence": True, "min_logprob": True, "mean_entropy": False}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="", help="LLM model pack or GGUF (default: the config's)")
    p.add_argument("--max-wrong-share", type=float, default=0.1,
                   help="largest share of wrong answers among the free answers spoken")
    p.add_argument("--limit", type=int, default=0, help="at most N questions per language and kind")
    p.add_argument("--out", default="", help="JSON report (default "
                                             "results/guard-calibration-<model>.json)")


def free_answers(records: list[Any]) -> list[dict[str, Any]]:
    """The answers the confidence gate decides on, labelled, with their first clause's scores."""
    out = []
    for r in records:
        guard = (r.data or {}).get("guard") or {}
        clauses = guard.get("clauses") or []
        if r.source != "llm" or not clauses or r.data.get("tool_calls"):
            continue
        first = clauses[0]
        if first.get("verdict") != "ok" or first.get("confidence") is None:
            continue                          # another check decided, or no scores
        if r.grade not in ("correct", "wrong"):
            continue
        out.append({"id": r.id, "language": r.language, "kind": r.kind, "question": r.question,
                    "reply": r.reply, "grade": r.grade, "reason": r.reason,
                    **{k: first.get(k) for k in SCORES}})
    return out


def auroc(answers: list[dict[str, Any]], score: str) -> float | None:
    """P(a right answer scores surer than a wrong one), ties counting half."""
    sign = 1.0 if HIGHER_IS_SURER[score] else -1.0
    right = [sign * a[score] for a in answers if a["grade"] == "correct" and a[score] is not None]
    wrong = [sign * a[score] for a in answers if a["grade"] == "wrong" and a[score] is not None]
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return round(wins / (len(right) * len(wrong)), 4)


def choose_threshold(answers: list[dict[str, Any]], max_wrong_share: float) -> dict[str, Any]:
    """The confidence threshold that speaks the most correct answers with at most
    ``max_wrong_share`` of those spoken wrong (ties: the higher threshold)."""
    candidates = sorted({round(a["confidence"], 4) for a in answers}) + [1.0]
    best = {"threshold": 1.0, "spoken": 0, "correct": 0, "wrong": 0}
    table = []
    for t in candidates:
        spoken = [a for a in answers if a["confidence"] >= t]
        right = sum(a["grade"] == "correct" for a in spoken)
        wrong = len(spoken) - right
        table.append({"threshold": t, "spoken": len(spoken), "correct": right, "wrong": wrong})
        if spoken and wrong <= max_wrong_share * len(spoken) and right >= best["correct"]:
            if right > best["correct"] or t > best["threshold"]:
                best = table[-1]
    return {**best, "table": table}


def run(args: argparse.Namespace) -> int:
    from vaani.assistant import Assistant, load_config
    from vaani.bench import answers as A
    from vaani.offline import block_network

    config = load_config(args)
    if args.model:
        config.llm.model = args.model
    config.assistant.language = "auto"
    config.trace.enabled = False
    config.guard.enabled = True
    config.guard.min_confidence = 0.0          # the gate open: every free answer is seen
    items = A.select(A.load_items("calibration"), limit=args.limit)
    started = time.time()
    with block_network(), Assistant(config, needs=("llm",)) as assistant:
        records = A.ask_items(assistant, items, "calibration", "calibration",
                             tz=A.clock_zone(config))
    answers = free_answers(records)
    fit = choose_threshold(answers, args.max_wrong_share)
    report = {
        "bench": "guard-calibration", "model": config.llm.model, "questions": len(items),
        "free_answers": len(answers),
        "correct": sum(a["grade"] == "correct" for a in answers),
        "wrong": sum(a["grade"] == "wrong" for a in answers),
        "auroc": {s: auroc(answers, s) for s in SCORES},
        "max_wrong_share": args.max_wrong_share,
        "threshold": fit["threshold"],
        "at_threshold": {k: fit[k] for k in ("spoken", "correct", "wrong")},
        "thresholds": fit["table"],
        "grades_all": {g: sum(r.grade == g for r in records) for g in A.GRADES},
        "duration_s": round(time.time() - started, 1),
        "answers": answers,
    }
    print(f"{config.llm.model}: {len(items)} calibration questions, {len(answers)} free "
          f"answers ({report['correct']} correct, {report['wrong']} wrong)")
    print("AUROC (right vs wrong): " + ", ".join(f"{s} {v}" for s, v in report["auroc"].items()))
    print(f"threshold {fit['threshold']}: speaks {fit['spoken']} free answers, "
          f"{fit['correct']} correct, {fit['wrong']} wrong "
          f"(at most {args.max_wrong_share:.0%} wrong)")
    name = Path(config.llm.model).stem
    out = Path(args.out or f"results/guard-calibration-{name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"report: {out}")
    return 0
