"""Model card for a shipped Chimera GGUF, from the files its training run left behind.

    python -m training.card --run runs/chimera --gguf models/chimera/chimera-q4_k_m.gguf \
        --eval-f16 results/chimera/eval-f16.json --eval-q4 results/chimera/eval-q4.json \
        --speed results/chimera/speed.json \
        --out models/chimera/README.md

Everything in the card is read from files (the run's config and JSONL log, the corpus
manifest, the evaluation and speed reports, the GGUF itself), so it cannot drift from them.

An alignment stage's run (SFT, DPO, GRPO) works too: the card follows each ``config.json``'s
``parent`` / ``init_from`` back to the pretraining run (whose settings and corpus it shows),
lists every stage's recipe and last logged figures, and with ``--eval-assistant`` shows the
per-stage table of ``python -m training.eval_assistant``.
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


STAGE_NAMES = {"pretrain": "pretrained", "imported": "imported", "sft": "sft", "dpo": "dpo",
               "grpo": "grpo", "soup": "soup"}


def _path(p: str | Path) -> Path:
    """A path from a run's config: as written (relative to where the run was started,
    the repository), else relative to the repository."""
    p = Path(p)
    repo = Path(__file__).resolve().parent.parent
    return p if p.exists() or p.is_absolute() else repo / p


def stage_of(info: dict[str, Any]) -> str:
    """A run's stage (pretraining runs' config.json names none)."""
    return info.get("stage", "pretrain")


def run_chain(run: Path) -> list[tuple[Path, dict[str, Any]]]:
    """``run`` and the runs it started from (each ``config.json``'s ``parent`` or
    ``init_from``), back to pretraining, oldest first. A parent without a ``config.json``
    ends the chain there."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: set[Path] = set()
    cur: Path | None = Path(run)
    while cur is not None and cur.resolve() not in seen and (cur / "config.json").is_file():
        seen.add(cur.resolve())
        info = json.loads((cur / "config.json").read_text())
        chain.append((cur, info))
        if stage_of(info) in ("pretrain", "imported"):
            break
        parent = (info.get("parent") or {}).get("run")
        if parent is None and info.get("init_from"):
            parent = str(Path(info["init_from"]).parent)
        cur = _path(parent) if parent else None
    return chain[::-1]


def _f(x: Any, fmt: str = ".3f") -> str:
    return format(x, fmt) if isinstance(x, (int, float)) else "-"


def _per_lang(val: dict[str, Any], key: str, fmt: str = ".3f") -> str:
    got = [f"{lang} {_f(val[lang].get(key), fmt)}" for lang in ("hi", "en", "hinglish")
           if isinstance(val.get(lang), dict) and key in val[lang]]
    return ", ".join(got)


def recipe_row(run: Path, info: dict[str, Any]) -> str:
    """One Markdown row of the recipe table: what a stage ran with and how it ended."""
    stage, a = stage_of(info), info.get("args", {})
    train, val = read_log(run) if (run / "log.jsonl").is_file() else ({}, {})
    v = val.get("val", {})
    d = info.get("data") or {}
    schedule = f"lr {a.get('lr')} {a.get('decay')}, warmup {a.get('warmup')}"
    steps = train.get("step", 0)
    if stage == "pretrain":
        what = (f"{steps:,} steps of {a.get('batch')} x {a.get('seq')} tokens, {schedule}"
                + (f", distilled from `{a['teacher']}`" if a.get("teacher") else ""))
        data = f"corpus `{a.get('data')}`"
        last = f"{train.get('tokens', 0):,} tokens seen; val bpb {_per_lang(v, 'bpb')}"
    elif stage == "sft":
        accum = f" x {a['accum']}" if a.get("accum", 1) > 1 else ""
        what = (f"{steps:,} steps, batch {a.get('batch')}{accum}, seq {a.get('seq')}"
                f"{', packed' if a.get('pack') else ''}, {schedule}")
        data = (f"`{d.get('spec', a.get('data'))}`: {d.get('train', '?'):,} chats "
                f"({d.get('assistant_tokens', 0):,} assistant tokens), {d.get('val', '?')} "
                "held out")
        last = (f"loss {_f(train.get('loss'))}; val bpb (assistant tokens) "
                f"{_per_lang(v, 'bpb')}")
    elif stage == "dpo":
        what = (f"{steps:,} steps, batch {a.get('batch')}, β {a.get('beta')}, RPO α "
                f"{a.get('rpo_alpha')}, {schedule}, reference `{info.get('ref')}`")
        data = f"`{d.get('spec', a.get('data'))}`: {d.get('train', '?'):,} pairs, " \
               f"{d.get('val', '?')} held out"
        last = (f"margin {_f(train.get('margin'))}, accuracy {_f(train.get('accuracy'), '.0%')}; "
                f"val accuracy {_per_lang(v, 'accuracy', '.0%')}")
    elif stage == "grpo":
        opts = [f"clip {a.get('clip_low')}/{a.get('clip_high')}", f"{a.get('loss_agg')} mean"]
        if a.get("kl_coef"):
            opts.append(f"KL {a['kl_coef']} to `{info.get('ref')}`")
        if a.get("dynamic_sampling"):
            opts.append("dynamic sampling")
        if a.get("mask_truncated"):
            opts.append("truncated masked")
        what = (f"{steps:,} steps of {a.get('prompts')} prompts x {a.get('group')} samples "
                f"(at most {a.get('max_new')} tokens, temperature {a.get('temperature')}), "
                f"{', '.join(opts)}, {schedule}, reward `{a.get('reward')}`")
        data = f"`{d.get('spec', a.get('data'))}`: {d.get('train', '?'):,} tasks, " \
               f"{d.get('val', '?')} held out"
        last = f"reward {_f(train.get('reward'))}; val reward {_per_lang(v, 'reward')}"
    elif stage == "soup":
        what = ("the weight average of " + ", ".join(
            f"`{s.get('run')}` ({s.get('stage')}, weight {_f(s.get('weight'), 'g')})"
            for s in info.get("soup") or []) + " (python -m training.soup)")
        data, last = "theirs", "-"
    elif stage == "imported":
        imp = info.get("imported") or {}
        what = (f"weights read back from `{imp.get('source')}` (sha256 "
                f"{str(imp.get('sha256'))[:12]}...), dequantized from "
                f"{', '.join(f'{n} {k}' for k, n in (imp.get('tensor_types') or {}).items())} "
                "tensors (python -m training.import_gguf)")
        data, last = "-", "the shipped model's own weights, rounding included"
    else:
        what, data, last = f"{steps:,} steps", f"`{a.get('data')}`", ""
    start = info.get("init_from") or a.get("init_from") or "-"
    return f"| {stage} | `{run}` | `{start}` | {what} | {data} | {last} |"


def card(run: Path, gguf: Path, evals: dict[str, Path | None], speed_json: Path | None,
         name: str, tools_json: Path | None = None,
         pair: tuple[str, Path] | None = None, assistant_json: Path | None = None,
         recipe: str | None = None) -> str:
    """The card of ``gguf``, made from ``run``: a pretraining run, or an alignment stage
    whose ``config.json`` chain leads back to one (the card then shows every stage's
    recipe; ``assistant_json``: a ``training.eval_assistant`` report, its per-stage
    table). ``recipe``: the script that made it (default: the pretraining or the alignment
    recipe, by the run's stage)."""
    from training.config import ModelConfig, param_count

    info = json.loads((run / "config.json").read_text())
    cfg = ModelConfig(**info["config"])
    params = param_count(cfg)
    chain = run_chain(run)
    aligned = stage_of(info) != "pretrain"
    pre = chain[0] if chain and stage_of(chain[0][1]) == "pretrain" else None
    args = pre[1]["args"] if pre else {}
    train, val = read_log(pre[0]) if pre and (pre[0] / "log.jsonl").is_file() else ({}, {})
    manifest_path = _path(args["data"]) / "manifest.json" if args.get("data") else None
    manifest = json.loads(manifest_path.read_text()) if manifest_path and \
        manifest_path.is_file() else None
    stages = " → ".join(STAGE_NAMES.get(stage_of(i), stage_of(i)) for _, i in chain)
    if pre:
        training = (f"{train.get('step', 0):,} steps of {args['batch']} x {args['seq']} "
                    f"tokens: **{train.get('tokens', 0):,} tokens seen**, AdamW lr {args['lr']}, "
                    f"{args['decay']} schedule, {train.get('tok_per_s', 0):.0f} tokens/s on "
                    f"{args.get('threads', 1)} CPU thread(s)")
    elif chain and stage_of(chain[0][1]) == "imported":
        src = (chain[0][1].get("imported") or {}).get("source", "?")
        training = (f"the shipped `{src}` (its own card says how it was pretrained), read back "
                    "from that INT4 file, dequantized (training.import_gguf)")
    else:
        training = "the pretraining run is not in this run's config.json chain"
    if aligned:
        training = f"pretraining: {training}; then {stages} (recipe below)"
    if manifest:
        per_lang = manifest["tokens_per_language"]
        corpus = (f"{manifest['train_tokens']:,} training tokens (hi "
                  f"{per_lang['hi']['train']:,}, en {per_lang['en']['train']:,}, hinglish "
                  f"{per_lang['hinglish']['train']:,}); mixture in `training/DATA.md`")
    elif chain and stage_of(chain[0][1]) == "imported":
        corpus = "that of the imported model (its card)"
    else:
        corpus = f"`{args.get('data', '?')}` (its manifest.json is not here)"
    recipe = f"`{recipe}`" if recipe else (
        "`training/recipes/chimera-align-cpu.sh`" if aligned else
        "`training/recipes/chimera-cpu.sh`")
    lines = [
        f"# {name}",
        "",
        f"A hybrid Mamba-2 + attention language model (llama.cpp architecture `nemotron_h`) "
        f"trained from scratch by VAANI on the shared 2-core CPU machine "
        f"({recipe}). Tokenizer: the project's 16,384-id byte-level "
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
        f"| training | {training} |",
        f"| corpus | {corpus} |",
    ]
    if aligned or len(chain) > 1:
        lines += ["", "## Recipe (each run's `config.json` and last logged figures, oldest "
                  "first)", "",
                  "| stage | run | started from | settings | data | last logged |",
                  "|---|---|---|---|---|---|"]
        lines += [recipe_row(r, i) for r, i in chain]
    if assistant_json:
        from training.eval_assistant import markdown

        rep = json.loads(assistant_json.read_text())
        lines += ["", f"## As an assistant after every stage (`training.eval_assistant`, "
                  f"{rep.get('per_cell')} held-out tasks per language and kind)", "",
                  markdown(rep).rstrip()]
    torch_label = "PyTorch (pretrained base, last eval)" if aligned else \
        "PyTorch (training, last eval)"
    lines += [
        "",
        "## Validation bits per byte (held-out split of the corpus)",
        "",
        f"| language | {torch_label} | llama.cpp F16 | llama.cpp Q4_K_M |",
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
    if pair is not None and not aligned and stage_of(
            json.loads((pair[1] / "config.json").read_text())) == "pretrain":
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
    if aligned:
        lines += ["", "## What it is and is not", "", _aligned_summary(stages, assistant_json),
                  ""]
        return "\n".join(lines)
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


def _aligned_summary(stages: str, assistant_json: Path | None) -> str:
    """The aligned model in a few sentences, its verdict read from the evaluation."""
    text = (f"Pretrained on generated dialogues and teacher prose (`training/DATA.md`), then "
            f"aligned ({stages}) on VAANI's generated assistant data "
            "(`training.data.assistant`: tool calls to the listed tools read from their "
            "schemas, worded tool results, honest declines, small talk, in Hindi, English "
            "and romanised Hindi) with the verifiable rewards of `training.rewards`. ")
    if assistant_json:
        rep = json.loads(assistant_json.read_text())
        base = rep.get("baseline")
        last = list(rep["stages"])[-1]
        st = rep["stages"][last]
        missed = [c for c, ok in st.get("goals", {}).get("all", {}).items() if not ok]
        text += (f"On the held-out evaluation its last stage (`{last}`) "
                 + ("meets every goal of issue 9" if not missed else
                    f"misses these goals of issue 9: {', '.join(missed)}"))
        if "beats_baseline" in st:
            text += (f", and {'beats' if st['beats_baseline'] else 'does not beat'} "
                     f"`{base}` on every column")
        text += ". "
    text += ("It becomes the assistant's default LLM only if it beats v1 on every column; "
             "v1 stays loadable as `chimera`. The runtime's reply checks stay on by default "
             "(the deterministic skills answer first, tool arguments must be in what the user "
             "said, worded results are checked against the tool's result). Licence: "
             "Apache-2.0 for the weights; the teacher text it learnt from is covered by the "
             "Gemma Terms of Use.")
    return text


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.card", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--gguf", type=Path, required=True)
    p.add_argument("--eval-f16", type=Path, help="training.eval --gguf F16 --data ... --out JSON")
    p.add_argument("--eval-q4", type=Path, help="the same for the Q4_K_M file")
    p.add_argument("--agreement", type=Path, help="training.eval --gguf T --draft D --out JSON")
    p.add_argument("--speed", type=Path, help="training.eval --speed --out JSON")
    p.add_argument("--eval-assistant", type=Path,
                   help="training.eval_assistant --out JSON (the per-stage table)")
    p.add_argument("--name", default="")
    p.add_argument("--recipe", help="the script that made the model (training/recipes/...)")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    evals = {"f16": a.eval_f16, "q4_k_m": a.eval_q4, "agreement": a.agreement}
    text = card(a.run, a.gguf, evals, a.speed, a.name or a.gguf.parent.name,
                assistant_json=a.eval_assistant, recipe=a.recipe)
    a.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
