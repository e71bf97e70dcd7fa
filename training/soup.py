"""Average the weights of runs that started from the same checkpoint (a "model soup").

Two preference rounds from one start that differ in their data move the same decisions
opposite ways: one round's pairs taught "call the listed tool rather than decline" and it
calls more (recall up, declines down), the other's did not and it declines more. Their
weight average sits between them, and measured it beat the start on every column that
either one lost (results/onpolicy/eval-soup-*). Fine-tunes of one start stay in one basin,
which is why the average of their weights is a model and not noise; runs from different
starts are refused.

    python -m training.soup --runs runs/chimera-v3/round2w runs/chimera-v3/round2t \
        --out runs/chimera-v3/soup

The result is a run folder like any stage's (``ckpt.pt`` with ``config`` and ``model``,
``config.json`` with ``stage: soup``), so ``training.eval_assistant``, ``training.export``
and ``training.ship`` take it as they are; its ``init_from`` is the runs' common start, so
the card's recipe chain goes on from there, and ``soup`` lists the runs and their weights.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch


def average(states: list[dict[str, torch.Tensor]],
            weights: list[float]) -> dict[str, torch.Tensor]:
    """The weighted mean of state dicts with the same keys and shapes (in float32, then
    each tensor's own dtype)."""
    keys = set(states[0])
    for s in states[1:]:
        if set(s) != keys:
            raise ValueError(f"the runs' parameters differ: {sorted(keys ^ set(s))[:5]}")
    out: dict[str, torch.Tensor] = {}
    for k, first in states[0].items():
        if any(s[k].shape != first.shape for s in states):
            raise ValueError(f"{k}: shapes differ: {[tuple(s[k].shape) for s in states]}")
        if not first.is_floating_point():
            if any(not torch.equal(s[k], first) for s in states):
                raise ValueError(f"{k}: an integer tensor that differs between the runs")
            out[k] = first.clone()
            continue
        acc = sum(w * s[k].float() for w, s in zip(weights, states))
        out[k] = torch.as_tensor(acc).to(first.dtype)
    return out


def soup(runs: list[Path], weights: list[float] | None, out: Path) -> dict[str, Any]:
    """Write the average of ``runs`` (run folders or ``ckpt.pt`` files) to ``out``; returns
    its ``config.json``."""
    if len(runs) < 2:
        raise ValueError("a soup needs at least two runs")
    weights = weights or [1.0 / len(runs)] * len(runs)
    if len(weights) != len(runs) or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"--weights: {len(runs)} non-negative numbers, not {weights}")
    weights = [w / sum(weights) for w in weights]
    files = [r / "ckpt.pt" if r.is_dir() else r for r in runs]
    for f in files:
        if not f.is_file():
            raise ValueError(f"{f}: no checkpoint")
    ckpts = [torch.load(f, map_location="cpu", weights_only=False) for f in files]
    configs = [c["config"] for c in ckpts]
    if any(c != configs[0] for c in configs):
        raise ValueError("the runs' model configs differ: only fine-tunes of one model average")
    starts = {c.get("init_from") for c in ckpts}
    if len(starts) != 1 or None in starts:
        raise ValueError(f"the runs started from different checkpoints "
                         f"({sorted(map(str, starts))}): only runs from one start share a "
                         "basin to average in")
    start = starts.pop()
    from training.card import sha256

    model = average([c["model"] for c in ckpts], weights)
    parts = [{"run": str(r), "weight": round(w, 6), "stage": c.get("stage"),
              "sha256": sha256(f)} for r, f, w, c in zip(runs, files, weights, ckpts)]
    info: dict[str, Any] = {"stage": "soup", "config": configs[0], "init_from": start,
                            "soup": parts, "args": {"runs": [str(r) for r in runs],
                                                    "weights": weights}}
    out.mkdir(parents=True, exist_ok=True)
    torch.save({"config": configs[0], "model": model, "stage": "soup", "init_from": start,
                "soup": parts}, out / "ckpt.pt")
    (out / "config.json").write_text(json.dumps(info, indent=2) + "\n")
    return info


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.soup", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=Path, nargs="+", required=True,
                   help="run folders (or ckpt.pt files) that started from one checkpoint")
    p.add_argument("--weights", help="comma-separated, one per run (default: equal)")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    try:
        weights = [float(w) for w in a.weights.split(",")] if a.weights else None
        info = soup(a.runs, weights, a.out)
    except ValueError as e:
        raise SystemExit(f"training.soup: {e}") from None
    print(json.dumps({"out": str(a.out), "init_from": info["init_from"],
                      "soup": [(s["run"], s["weight"]) for s in info["soup"]]}))


if __name__ == "__main__":
    main()
