"""Model card for a shipped Chimera GGUF, from the files its training run left behind.

    python -m training.card --run runs/chimera --gguf models/chimera/chimera-q4_k_m.gguf \
        --eval-f16 results/chimera/eval-f16.json --eval-q4 results/chimera/eval-q4.json \
        --speed results/chimera/speed.json \
        --out models/chimera/README.md

Everything in the card is read from files (the run's config and JSONL log, the corpus
manifest, the evaluation and speed reports, the GGUF itself), so it cannot drift from them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_log(run: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The last train record and the last validation record of a run."""
    train: dict[str, Any] = {}
    val: dict[str, Any] = {}
    for line in (run / "log.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec.get("kind") == "train":
            train = rec
        elif rec.get("kind") == "val":
            val = rec
    return train, val


def card(run: Path, gguf: Path, evals: dict[str, Path | None], speed_json: Path | None,
         name: str, tools_json: Path | None = None,
         pair: tuple[str, Path] | None = None) -> str:
    from training.config import ModelConfig, param_count

    info = json.loads((run / "config.json").read_text())
    cfg = ModelConfig(**info["config"])
    params = param_count(cfg)
    args = info["args"]
    train, val = read_log(run)
    data = Path(args["data"])
    manifest = json.loads((data / "manifest.json").read_text())
    per_lang = manifest["tokens_per_language"]
    lines = [
        f"# {name}",
        "",
        f"A hybrid Mamba-2 + attention language model (llama.cpp architecture `nemotron_h`) "
        f"trained from scratch by VAANI on the shared 2-core CPU machine "
        f"(`training/recipes/chimera-cpu.sh`). Tokenizer: the project's 16,384-id byte-level "
        f"BPE (`training/data/tokenizer`); chat format and template: `training/chat.py`.",
        "",
        "| | |",
        "|---|---|",
        f"| file | `{gguf.name}` ({gguf.stat().st_size / 1e6:.1f} MB, Q4_K_M) |",
        f"| sha256 | `{sha256(gguf)}` |",
        f"| parameters | {params['total']:,} ({params.get('embedding', 0):,} in the tied "
        f"embedding) |",
        f"| blocks | {len(cfg.pattern)} (`{cfg.pattern}`: M Mamba-2, * attention, - ReLU² MLP) |",
        f"| width | {cfg.n_embd}, Mamba d_inner {cfg.d_inner}, state {cfg.d_state}, "
        f"attention {cfg.n_head} heads / {cfg.n_head_kv} K/V head |",
        f"| context | {cfg.context_length} tokens (trained length) |",
        f"| training | {train.get('step', 0):,} steps of {args['batch']} x {args['seq']} "
        f"tokens: **{train.get('tokens', 0):,} tokens seen**, AdamW lr {args['lr']}, "
        f"{args['decay']} schedule, {train.get('tok_per_s', 0):.0f} tokens/s on "
        f"{args.get('threads', 1)} CPU thread(s) |",
        f"| corpus | {manifest['train_tokens']:,} training tokens (hi "
        f"{per_lang['hi']['train']:,}, en {per_lang['en']['train']:,}, hinglish "
        f"{per_lang['hinglish']['train']:,}); mixture in `training/DATA.md` |",
        "",
        "## Validation bits per byte (held-out split of the corpus)",
        "",
        "| language | PyTorch (training, last eval) | llama.cpp F16 | llama.cpp Q4_K_M |",
        "|---|---:|---:|---:|",
    ]
    ev = {k: json.loads(v.read_text()) for k, v in evals.items() if v}
    n_torch = {lang: v.get("tokens") for lang, v in val.get("val", {}).items()}
    n_gguf = {lang: v.get("tokens") for lang, v in ev.get("f16", {}).get("gguf", {}).items()}
    for lang in ("hi", "en", "hinglish"):
        torch_bpb = val.get("val", {}).get(lang, {}).get("bpb")
        f16 = ev.get("f16", {}).get("gguf", {}).get(lang, {}).get("bpb")
        q4 = ev.get("q4_k_m", {}).get("gguf", {}).get(lang, {}).get("bpb")
        fmt = lambda x: f"{x:.3f}" if isinstance(x, (int, float)) else "-"  # noqa: E731
        lines.append(f"| {lang} | {fmt(torch_bpb)} | {fmt(f16)} | {fmt(q4)} |")
    lines += ["", f"Token counts scored per language: PyTorch {n_torch}, llama.cpp {n_gguf} "
              "(the columns score different windows of the same validation stream; the export's "
              "F32 parity with PyTorch is a test: `tests/training/test_export.py`)."]
    if pair is not None:
        other_name, other_run = pair
        o_train, o_val = read_log(other_run)
        lines += ["", f"Beside `{other_name}` (same corpus, trained at the same time on the other "
                  f"core): {train.get('tokens', 0):,} vs {o_train.get('tokens', 0):,} tokens seen; "
                  "last validation bits per byte " + ", ".join(
                      f"{lang} {val['val'][lang]['bpb']:.3f} vs {o_val['val'][lang]['bpb']:.3f}"
                      for lang in ("hi", "en", "hinglish")
                      if lang in val.get("val", {}) and lang in o_val.get("val", {})) + "."]
    agree = ev.get("agreement", {}).get("agreement")
    if agree:
        lines += ["", "Top-1 agreement of chimera-draft with chimera on validation text "
                  "(Q4_K_M, llama.cpp): " + ", ".join(
                      f"{k} {v['top1_agreement']:.1%}" for k, v in agree.items())]
    if tools_json:
        tc = json.loads(tools_json.read_text())
        lines += ["", f"## Tool calls (`training.eval_tools`, {tc['per_cell']} held-out "
                  "dialogues per tool and language, greedy, through VAANI's engine)", "",
                  "| | called a tool | right tool | exact arguments | calculator answer |",
                  "|---|---:|---:|---:|---:|"]
        for group, row in tc["summary"].items():
            ans = row.get("calculator_answer")
            lines.append(f"| {group} | {row['called']:.0%} | {row['name']:.0%} | "
                         f"{row['args']:.0%} | {'-' if ans is None else f'{ans:.0%}'} |")
    if speed_json:
        sp = json.loads(speed_json.read_text()).get("speed", {})
        lines += ["", "## Speed on this CPU (llama-cpp-python, greedy, same run)", "",
                  "| model | size | first token | decode |", "|---|---:|---:|---:|"]
        for key, row in sp.items():
            if isinstance(row, dict) and "decode_tok_per_s" in row:
                lines.append(f"| {Path(row['path']).name} | {row['size_mb']:.1f} MB | "
                             f"{row['first_token_ms']:.1f} ms | {row['decode_tok_per_s']:.0f} tok/s |")
        for k, v in sp.get("ratios", {}).items():
            lines.append(f"\nRatio {k}: **{v}**")
    lines += ["", "## What it is and is not", "",
              "Trained on generated assistant dialogues (tool calls for clock, timer, "
              "calculator and weather; times, dates, numbers, arithmetic, small talk) in "
              "Hindi, English and romanised Hindi, plus a thin layer of teacher-written prose "
              "(Gemma-3-270M Hindi, SmolLM2-135M English) and ChatterBot dialogues, for a few "
              "million tokens on a CPU. It keeps the chat and tool-call format and picks the "
              "right tool on held-out dialogues (table above), but it often gets arguments and "
              "read-backs wrong (it can misread a time from the clock's result), calls tools "
              "for questions that need none, and knows few facts. The runtime guards for "
              "this: the deterministic skills answer first, a tool that acts runs only when "
              "its arguments are in what the user said, and a failed tool call is answered "
              "with a fixed apology, not the model's words. Licence: Apache-2.0 for the "
              "weights; the teacher text it learnt from is covered by the Gemma Terms of Use.",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.card", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--gguf", type=Path, required=True)
    p.add_argument("--eval-f16", type=Path, help="training.eval --gguf F16 --data ... --out JSON")
    p.add_argument("--eval-q4", type=Path, help="the same for the Q4_K_M file")
    p.add_argument("--agreement", type=Path, help="training.eval --gguf T --draft D --out JSON")
    p.add_argument("--speed", type=Path, help="training.eval --speed --out JSON")
    p.add_argument("--name", default="")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    evals = {"f16": a.eval_f16, "q4_k_m": a.eval_q4, "agreement": a.agreement}
    text = card(a.run, a.gguf, evals, a.speed, a.name or a.gguf.parent.name)
    a.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
