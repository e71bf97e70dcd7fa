"""On-policy preference pairs: where the policy fails a checkable task, its own reply is the
rejected turn and the task's reference is the chosen one.

    python -m training.mine --policy models/chimera-v2/chimera-v2-q4_k_m.gguf \\
        --tasks assistant --n 6000 --seed 1 --mix runs/data/align --mix-n 3000 \\
        --out runs/data/mined --workers 2

The automatic pairs of :mod:`training.data.assistant` (``dpo_pair``) pit a reference turn
against a corruption written by a rule: a wrong number, a spurious call. A trained model
stops making those mistakes and makes its own (an empty tool call where it should decline,
a listed tool with the wrong name, a result worded in English for a Hindi question), which
the rule pairs never show it. Here the policy itself (a GGUF, asked exactly as
:mod:`training.eval_assistant` asks it: VAANI's engine, the runtime's tool-call decoding,
greedy, numbers said in words sent as digits) answers GRPO tasks of the training side; each
reply is scored by :func:`training.rewards.reward` and by the evaluation's own failure flags
(:func:`training.eval_assistant.score`), and the task's reference turn (the generator's
``meta["reference"]``) is scored too. A pair is kept when the reference scores at least
``--min-ref`` and beats the reply by ``--gap``: then the conversation as the runtime sent it,
the reference as ``chosen`` and the policy's reply, raw, as ``rejected``
(``kind="onpolicy"``, ``meta``: the task's kind, both rewards, the failures). This is the
iterative, on-policy DPO of the literature (e.g. Pang et al. 2024, "Iterative Reasoning
Preference Optimization"), with the verifiable rewards as the judge.

Tasks (``--tasks``): ``assistant`` (``--n`` fresh tasks of ``training.data.assistant``'s
stream ``--seed``; use a seed other than the one GRPO trained on), a builder directory
(its ``grpo-train.jsonl``) or a ``.jsonl`` of Tasks. Every task on the validation side of
the builder's split (``--data-seed``, ``--val-frac``: the held-out evaluation's) is left
out, so the evaluation never meets a mined prompt.

Writes ``--out``: ``dpo-train.jsonl`` (the mined pairs of the training side, then
``--mix-n`` rule pairs from ``--mix``'s ``dpo-train.jsonl`` so the earlier lessons stay),
``dpo-val_<lang>.jsonl`` (mined pairs that the split puts on the validation side, and the
rule pairs' validation files), which ``training.dpo --data OUT`` reads; ``grpo-train.jsonl``
and ``grpo-val_<lang>.jsonl``, the task of every pair (its conversation as sent), which
``training.grpo --data OUT`` reads: reinforcement on exactly what the policy gets wrong; and
``anchors.jsonl``: up to ``--anchors`` replies the policy got right (both turns of the Pair
are the reply), which ``training.dpo --anchors`` keeps where they are while it moves the
failures; ``mine-report.json``: per language and kind, the tasks asked, the policy's mean reward,
the failures by flag and the pairs kept (what the policy gets wrong on its training
distribution, a measurement in itself).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from training.data.tasks import Pair, Task

if TYPE_CHECKING:
    from training.eval_assistant import Outcome

LANGS = ("hi", "en", "hinglish")


def load_tasks(spec: str, n: int, seed: int, data_seed: int, val_frac: float) -> list[Task]:
    """Training-side tasks with a reference turn (see the module doc)."""
    from training import align
    from training.data.build import is_val

    path = Path(spec)
    if path.is_dir():
        spec = str(path / "grpo-train.jsonl")
    tasks = align.load_examples("grpo", spec, n, seed)
    kept = [t for t in tasks if t.meta.get("reference") is not None
            and not is_val(align.example_text(t), data_seed, val_frac)]
    return kept[:n] if n else kept


def _ask(args: tuple[str, list[dict[str, Any]], int, bool]) -> list[dict[str, Any]]:
    """One worker: its shard of tasks through the engine (a separate process per shard)."""
    from training import align
    from training.eval_assistant import ask_tasks

    gguf, shard, max_tokens, digits = args
    tasks = [align.from_dict("grpo", d) for d in shard]
    outs = ask_tasks(gguf, tasks, threads=1, max_tokens=max_tokens, followups=False,
                     digits=digits)
    return [dataclasses.asdict(o) for o in outs]


def ask_all(gguf: str, tasks: list[Task], workers: int, max_tokens: int,
            digits: bool) -> list[dict[str, Any]]:
    """Every task's scored reply (``Outcome`` fields), in order; ``workers`` processes."""
    dicts = [dataclasses.asdict(t) for t in tasks]
    if workers <= 1:
        return _ask((gguf, dicts, max_tokens, digits))
    import multiprocessing as mp

    shards = [dicts[i::workers] for i in range(workers)]
    with mp.get_context("spawn").Pool(workers) as pool:
        parts = pool.map(_ask, [(gguf, s, max_tokens, digits) for s in shards])
    out: list[dict[str, Any]] = [{}] * len(tasks)
    for w, part in enumerate(parts):
        for j, o in enumerate(part):
            out[w + j * workers] = o
    return out


def mine(tasks: list[Task], outcomes: list[dict[str, Any]], *, min_ref: float = 0.9,
         gap: float = 0.25, digits: bool = True, failed: list[Task] | None = None,
         passed: list[Pair] | None = None) -> tuple[list[Pair], dict[str, Any]]:
    """The pairs and the report from the scored replies (``outcomes[i]`` answers
    ``tasks[i]``); ``failed`` gets the task of every pair, its conversation as sent (GRPO on
    exactly what the policy gets wrong); ``passed`` gets every reply that passed, as an
    anchor (:func:`anchor`)."""
    from training import rewards
    from training.data.assistant import _same_turn
    from training.eval_assistant import Outcome, sent_messages

    pairs: list[Pair] = []
    cells: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"tasks": 0, "reward": 0.0, "ref_reward": 0.0, "failed": 0, "pairs": 0,
                 "flags": Counter(), "weak_reference": 0})
    for task, od in zip(tasks, outcomes):
        o = Outcome(**od)
        ref = task.meta["reference"]
        ref_reward = rewards.reward(task, ref).total
        flags = o.failures()
        c = cells[(task.lang, task.kind)]
        c["tasks"] += 1
        c["reward"] += o.reward
        c["ref_reward"] += ref_reward
        c["flags"].update(flags)
        if o.reward >= 0.999 and not flags:
            if passed is not None:
                passed.append(anchor(task, o, digits))
            continue
        c["failed"] += 1
        if ref_reward < min_ref:
            c["weak_reference"] += 1
            continue
        chosen, rejected = {"content": ref}, {"content": o.completion}
        if ref_reward - o.reward < gap or _same_turn(chosen, rejected):
            continue
        c["pairs"] += 1
        sent = sent_messages(task, digits)
        if failed is not None:
            failed.append(dataclasses.replace(task, messages=sent))
        pairs.append(Pair(sent, chosen, rejected, task.tools, task.lang,
                          "onpolicy", meta={"task_kind": task.kind, "key": o.key,
                                            "reward": o.reward, "ref_reward": ref_reward,
                                            "failures": flags}))
    report: dict[str, Any] = {"cells": []}
    for (lang, kind), c in sorted(cells.items()):
        n = c["tasks"]
        report["cells"].append({"lang": lang, "kind": kind, "tasks": n,
                                "reward": round(c["reward"] / n, 4),
                                "ref_reward": round(c["ref_reward"] / n, 4),
                                "failed": c["failed"], "weak_reference": c["weak_reference"],
                                "pairs": c["pairs"], "flags": dict(c["flags"])})
    n = sum(c["tasks"] for c in cells.values())
    report["all"] = {"tasks": n, "reward": round(sum(c["reward"] for c in cells.values())
                                                 / max(n, 1), 4),
                     "failed": sum(c["failed"] for c in cells.values()),
                     "pairs": len(pairs),
                     "flags": dict(sum((c["flags"] for c in cells.values()), Counter()))}
    return pairs, report


def anchor(task: Task, o: Outcome, digits: bool) -> Pair:
    """A reply the policy got right, as a Pair whose both turns are that reply
    (``kind="anchor"``): ``training.dpo --anchors`` keeps the policy's distribution on such
    turns where the reference had it, the decisions it already gets right included."""
    from training.eval_assistant import sent_messages

    turn = {"content": o.completion}
    return Pair(sent_messages(task, digits), turn, turn, task.tools, task.lang, "anchor",
                meta={"task_kind": task.kind, "key": o.key})


def _calls(turn: dict[str, Any]) -> bool:
    from training.chat import TOOL_CALL

    return bool(turn.get("tool_calls")) or TOOL_CALL in (turn.get("content") or "")


def direction(p: Pair) -> str:
    """What a pair teaches about calling: ``call>words`` (call where it answered in words),
    ``words>call`` (answer or decline where it called), ``same`` (both call or both words)."""
    c, r = _calls(p.chosen), _calls(p.rejected)
    return "call>words" if c and not r else "words>call" if r and not c else "same"


def balance(pairs: list[Pair], seed: int) -> tuple[list[Pair], int]:
    """At most as many ``words>call`` pairs as ``call>words`` ones (a random choice of them,
    order kept otherwise): pairs that only ever say "do not call" teach the model to stop
    calling tools, and its recall falls (measured: 1,001 against 320 took recall from
    84.6% to 71.4%). Returns the pairs kept and how many were dropped."""
    against = [i for i, p in enumerate(pairs) if direction(p) == "words>call"]
    room = sum(direction(p) == "call>words" for p in pairs)
    rng = random.Random(seed)
    drop = set(rng.sample(against, max(0, len(against) - room)))
    return [p for i, p in enumerate(pairs) if i not in drop], len(drop)


def mix_filter(kinds: tuple[str, ...]) -> Callable[[Pair], bool]:
    """Which rule pairs to mix: each of ``kinds`` is a DPO kind (``language``) or a kind and
    the step it replaces (``language/word_result``: a tool's result worded in the user's
    language, not a decline in it); empty keeps every pair. An unknown name is a ValueError,
    not a filter that silently keeps nothing."""
    from training.data.assistant import DPO_KINDS, STEP_KINDS

    wanted = set()
    for spec in kinds:
        kind, _, step = spec.partition("/")
        if kind not in DPO_KINDS or (step and step not in STEP_KINDS):
            raise ValueError(f"unknown rule pair kind {spec!r}: a kind ({', '.join(DPO_KINDS)})"
                             f", optionally /step ({', '.join(STEP_KINDS)})")
        wanted.add((kind, step))
    if not wanted:
        return lambda p: True
    return lambda p: (p.kind, "") in wanted or (p.kind, p.meta.get("step", "")) in wanted


def write(out: Path, pairs: list[Pair], mix: Path | None, mix_n: int, seed: int,
          data_seed: int, val_frac: float, balanced: bool = False,
          mix_kinds: tuple[str, ...] = ()) -> dict[str, int]:
    """``dpo-train.jsonl`` and ``dpo-val_<lang>.jsonl`` in ``out`` (see the module doc);
    ``balanced``: the training pairs (mined and mixed) through :func:`balance`;
    ``mix_kinds``: only rule pairs of these kinds are mixed in (all when empty; see
    :func:`mix_filter`)."""
    from training import align

    out.mkdir(parents=True, exist_ok=True)
    train, val = align.split_val(pairs, data_seed, val_frac)
    rule_train: list[Pair] = []
    rule_val: dict[str, list[Pair]] = {lang: [] for lang in LANGS}
    keep = mix_filter(mix_kinds)
    if mix is not None:
        rule = [p for p in align.load_examples("dpo", str(mix / "dpo-train.jsonl")) if keep(p)]
        random.Random(seed).shuffle(rule)
        rule_train = rule[:mix_n]
        for lang in LANGS:
            f = mix / f"dpo-val_{lang}.jsonl"
            if f.exists():
                rule_val[lang] = [p for p in align.load_examples("dpo", str(f)) if keep(p)]
    mixed, dropped = balance(train + rule_train, seed) if balanced else (train + rule_train, 0)
    random.Random(seed).shuffle(mixed)
    align.write_jsonl(out / "dpo-train.jsonl", mixed)
    for lang in LANGS:
        align.write_jsonl(out / f"dpo-val_{lang}.jsonl",
                          [p for p in val if p.lang == lang] + rule_val[lang])
    return {"mined_train": len(train), "mined_val": len(val), "rule_train": len(rule_train),
            "rule_val": sum(len(v) for v in rule_val.values()), "dropped": dropped,
            "directions": dict(Counter(direction(p) for p in mixed))}


def write_anchors(out: Path, anchors: list[Pair], n: int, seed: int) -> int:
    """``anchors.jsonl``: up to ``n`` of the passed replies, a random choice (every language
    and kind in its share of what passed). They are all training side already: the tasks
    came through :func:`load_tasks`, which keeps no held-out task."""
    from training import align

    chosen = list(anchors)
    random.Random(seed).shuffle(chosen)
    align.write_jsonl(out / "anchors.jsonl", chosen[:n])
    return min(n, len(chosen))


def write_tasks(out: Path, tasks: list[Task], data_seed: int, val_frac: float) -> dict[str, int]:
    """The failed tasks as ``grpo-train.jsonl`` / ``grpo-val_<lang>.jsonl`` in ``out``, which
    ``training.grpo --data OUT`` reads (split like the pairs)."""
    from training import align

    train, val = align.split_val(tasks, data_seed, val_frac)
    align.write_jsonl(out / "grpo-train.jsonl", train)
    for lang in LANGS:
        align.write_jsonl(out / f"grpo-val_{lang}.jsonl", [t for t in val if t.lang == lang])
    return {"tasks_train": len(train), "tasks_val": len(val)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.mine", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--policy", required=True, help="the policy's GGUF (as the runtime runs it)")
    p.add_argument("--tasks", default="assistant",
                   help="assistant | a training.data.assistant directory | a .jsonl of Tasks")
    p.add_argument("--n", type=int, default=3000, help="tasks to ask (0: all of a file)")
    p.add_argument("--seed", type=int, default=1, help="the task stream (assistant) and shuffles")
    p.add_argument("--data-seed", type=int, default=0, help="the held-out split's seed")
    p.add_argument("--val-frac", type=float, default=0.02)
    p.add_argument("--min-ref", type=float, default=0.9,
                   help="a reference below this reward makes no pair")
    p.add_argument("--gap", type=float, default=0.25,
                   help="the reference must beat the reply by this much")
    p.add_argument("--mix", type=Path, help="a builder directory whose dpo pairs are mixed in")
    p.add_argument("--mix-n", type=int, default=0)
    p.add_argument("--mix-kinds", default="",
                   help="comma-separated rule pair kinds to mix (claim, decline, faithful, "
                        "language, tool_choice), each optionally /STEP, the turn it replaces "
                        "(tool_call, arithmetic, word_result, no_tool, decline): "
                        "language/word_result; default: every kind")
    p.add_argument("--balance", action="store_true",
                   help="no more 'answer, do not call' pairs than 'call, do not answer' ones")
    p.add_argument("--anchors", type=int, default=3000,
                   help="passed replies written to anchors.jsonl (training.dpo --anchors)")
    p.add_argument("--max-tokens", type=int, default=96)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-digits", dest="digits", action="store_false",
                   help="send numbers as said (the runtime's [llm] digits = false)")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    if not Path(a.policy).is_file():
        raise SystemExit(f"--policy {a.policy}: no such GGUF")
    if a.mix is not None and not (a.mix / "dpo-train.jsonl").is_file():
        raise SystemExit(f"--mix {a.mix}: no dpo-train.jsonl (python -m training.data.assistant "
                         f"--stage dpo --out {a.mix})")
    kinds = tuple(k.strip() for k in a.mix_kinds.split(",") if k.strip())
    try:
        mix_filter(kinds)
    except ValueError as e:
        raise SystemExit(f"--mix-kinds: {e}") from None
    t0 = time.time()
    tasks = load_tasks(a.tasks, a.n, a.seed, a.data_seed, a.val_frac)
    if not tasks:
        raise SystemExit(f"--tasks {a.tasks}: no training-side task with a reference")
    outcomes = ask_all(a.policy, tasks, a.workers, a.max_tokens, a.digits)
    failed: list[Task] = []
    passed: list[Pair] = []
    pairs, report = mine(tasks, outcomes, min_ref=a.min_ref, gap=a.gap, digits=a.digits,
                         failed=failed, passed=passed)
    report["written"] = write(a.out, pairs, a.mix, a.mix_n, a.seed, a.data_seed, a.val_frac,
                              a.balance, kinds)
    report["written"].update(write_tasks(a.out, failed, a.data_seed, a.val_frac))
    report["written"]["anchors"] = write_anchors(a.out, passed, a.anchors, a.seed)
    report["settings"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(a).items()}
    report["seconds"] = round(time.time() - t0, 1)
    (a.out / "mine-report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1)
                                            + "\n", encoding="utf-8")
    print(json.dumps({"all": report["all"], "written": report["written"],
                      "seconds": report["seconds"]}, ensure_ascii=False), file=sys.stderr)
    for c in report["cells"]:
        print(f"{c['lang']:9s} {c['kind']:12s} tasks {c['tasks']:5d} reward {c['reward']:.3f} "
              f"(ref {c['ref_reward']:.3f}) failed {c['failed']:4d} pairs {c['pairs']:4d} "
              f"{c['flags']}")


if __name__ == "__main__":
    main()
