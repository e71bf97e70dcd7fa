"""Ship a trained Chimera: export, quantize, evaluate, write the model cards and the
manifest entries, so that ``models/`` and ``models/manifest.toml`` hold what the runs made.

    python -m training.ship --target runs/chimera --draft runs/chimera-draft \
        --data runs/data/chimera --results results/chimera
    python -m training.ship --target runs/chimera-grpo --name chimera-v2 \
        --draft runs/chimera-draft-v2 --results results/chimera-v2        # an aligned model

Steps, each a module of its own that can be run by hand: ``training.export`` (F16 GGUF),
``training.quantize`` (Q4_K_M into ``models/<name>/``), ``training.eval`` (bits per byte of
F16 and Q4_K_M through llama.cpp, draft/target agreement, CPU speed against SmolLM2-135M in
the same run), ``training.eval_tools`` (tool-call accuracy), ``training.card`` (the cards),
and the packs shipped here rewritten in the ``# >>> chimera packs`` block of the manifest
from the files' hashes (the block's other packs are kept).

``--target`` may be a pretraining run or an alignment stage's run (SFT, DPO, GRPO): then
the stages of its ``config.json`` chain (back to pretraining) and the shipped v1 are
evaluated by ``training.eval_assistant`` (or ``--eval-assistant`` reads a report made
already), the corpus for bits per byte defaults to the pretraining run's, and the card
shows every stage's recipe and the per-stage table. v1 stays loadable by name: an aligned
model ships under a new pack name (``--name``, e.g. ``chimera-v2``), never over
``chimera``. Shipping never changes the assistant's default LLM (``llm.model``); it says
whether the new pack beats v1 on every column, the condition for making it the default.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

BEGIN, END = "# >>> chimera packs (written by python -m training.ship)", "# <<< chimera packs"
V1 = "chimera"
DESCRIPTIONS = {
    "chimera": ("llm", "Chimera Q4_K_M GGUF: VAANI's own hybrid Mamba-2/attention model, v1 "
                       "(pretrained only; Hindi, English, Hinglish; tool calls); load it by "
                       "name (llm.model = \"chimera\")"),
    "chimera-draft": ("llm-draft", "chimera-draft Q4_K_M GGUF: 4-block draft sharing "
                                   "Chimera's tokenizer, for speculative decoding"),
}


def describe(name: str, draft_of: str | None = None, stages: str = "") -> tuple[str, str]:
    """(role, description) of a pack: the known ones, else made from what it is."""
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    if draft_of:
        return ("llm-draft", f"{name} Q4_K_M GGUF: draft sharing Chimera's tokenizer, "
                             f"distilled for {draft_of}, for speculative decoding")
    from vaani.config import LlmConfig

    how = f"aligned {stages}" if stages else "pretrained"
    use = ("the default LLM" if name == LlmConfig().model
           else f"load it by name (llm.model = \"{name}\")")
    return ("llm", f"{name} Q4_K_M GGUF: VAANI's own hybrid Mamba-2/attention model, {how} "
                   f"(Hindi, English, Hinglish; tool calls); {use}")


def manifest_block(repo: Path, files: dict[str, Path],
                   descriptions: dict[str, tuple[str, str]] | None = None) -> str:
    from vaani.config import LlmConfig
    from vaani.models import manifest_entry

    parts = [BEGIN]
    for name, path in files.items():
        role, description = (descriptions or {}).get(name) or DESCRIPTIONS[name]
        # only the packs the assistant uses by default install by default (v1 and its draft,
        # and the default LLM); an aligned model that is not the default LLM is an optional
        # pack (vaani models install NAME)
        group = "default" if name in DESCRIPTIONS or name == LlmConfig().model else "extra"
        parts.append(manifest_entry(path, name=name, role=role, group=group,
                                    licence="Apache-2.0", description=description,
                                    repo_root=repo).rstrip())
    parts.append(END)
    return "\n\n".join(parts) + "\n"


_PACK = re.compile(r"^\[packs\.([A-Za-z0-9_.-]+)\]\s*$", re.M)


def block_entries(block: str) -> dict[str, str]:
    """The pack entries of a chimera block: name -> its text (``[packs.X]`` and its files)."""
    body = block.replace(BEGIN, "").replace(END, "")
    heads = list(_PACK.finditer(body))
    return {m.group(1): body[m.start():heads[i + 1].start() if i + 1 < len(heads)
                             else len(body)].strip()
            for i, m in enumerate(heads)}


def write_manifest(manifest: Path, block: str) -> None:
    """Put ``block``'s packs into the manifest's chimera block: a pack of the same name is
    replaced, the block's other packs (v1 when shipping v2) are kept, in their order."""
    text = manifest.read_text()
    if BEGIN in text:
        old = re.search(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", text, flags=re.S)
        entries = block_entries(old.group(0))
        entries.update(block_entries(block))
        merged = "\n\n".join([BEGIN, *entries.values(), END]) + "\n"
        text = text[:old.start()] + merged + text[old.end():]
    else:
        marker = "# ---------------------------------------------------------------- extra"
        i = text.index(marker)
        text = text[:i] + block + "\n" + text[i:]
    manifest.write_text(text)


def chain_stages(run: Path) -> dict[str, str]:
    """eval_assistant stages of a run's chain: ``{pretrained, sft, dpo, grpo: run folder}``
    (a repeated stage gets a number)."""
    from training.card import STAGE_NAMES, run_chain, stage_of

    out: dict[str, str] = {}
    for r, info in run_chain(run):
        if stage_of(info) == "imported":          # a shipped model read back: v1 is evaluated
            continue
        name = STAGE_NAMES.get(stage_of(info), stage_of(info))
        k, i = name, 2
        while k in out:
            k, i = f"{name}{i}", i + 1
        out[k] = str(r)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.ship", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", type=Path, required=True,
                   help="run folder of the model (pretraining or an alignment stage)")
    p.add_argument("--name", default=V1, help="its pack name (an aligned model: a new one, "
                                              "e.g. chimera-v2)")
    p.add_argument("--draft", type=Path, help="run folder of its draft model")
    p.add_argument("--draft-name", help="the draft's pack name (default NAME-draft)")
    p.add_argument("--data", type=Path,
                   help="corpus for bits per byte (default: the pretraining run's)")
    p.add_argument("--results", type=Path, default=Path("results/chimera"))
    p.add_argument("--models", type=Path, default=Path("models"))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--eval-tokens", type=int, default=16384)
    p.add_argument("--eval-assistant", type=Path,
                   help="a training.eval_assistant report to use (default: run it on the "
                        "target's stages and v1)")
    p.add_argument("--per-cell", type=int, default=20, help="eval_assistant tasks per cell")
    p.add_argument("--v1", default="models/chimera/chimera-q4_k_m.gguf",
                   help="the shipped v1 for eval_assistant")
    p.add_argument("--recipe", help="the script that made the model, named on the cards "
                                    "(default: the pretraining or the alignment recipe)")
    a = p.parse_args(argv)

    from training import card, eval as ev, eval_assistant, eval_tools, export, quantize
    from training.pretrain import load_corpus
    from vaani.models import ModelStore

    repo = Path(__file__).resolve().parent.parent
    chain = card.run_chain(a.target)
    if not chain:
        raise SystemExit(f"{a.target}: no config.json")
    aligned = card.stage_of(chain[-1][1]) != "pretrain"
    if aligned and a.name == V1:
        raise SystemExit(f"--target {a.target} is an alignment stage: ship it under a new pack "
                         f"name (--name chimera-v2), so that v1 stays loadable as {V1!r}")
    draft_name = a.draft_name or (f"{a.name}-draft" if a.draft else None)
    data = a.data
    if data is None:
        pre = chain[0][1] if card.stage_of(chain[0][1]) == "pretrain" else {}
        if not pre.get("args", {}).get("data"):
            raise SystemExit("--data: the target's chain has no pretraining run to take the "
                             "corpus from")
        data = card._path(pre["args"]["data"])
    a.results.mkdir(parents=True, exist_ok=True)
    stage_names = " → ".join(card.STAGE_NAMES.get(card.stage_of(i), card.stage_of(i))
                             for _, i in chain[1:])

    # the per-stage assistant table first: it reads v1 from models/ before anything is written
    assistant_json = a.eval_assistant
    if assistant_json is None and aligned:
        assistant_json = a.results / "eval-assistant.json"
        stages = {"v1": a.v1, **chain_stages(a.target)}
        report = eval_assistant.evaluate(stages, per_cell=a.per_cell, threads=a.threads,
                                         data=str(data), eval_tokens=a.eval_tokens)
        print(eval_assistant.write(report, assistant_json))

    corpus = load_corpus(str(data))
    runs = {a.name: a.target, **({draft_name: a.draft} if a.draft else {})}
    descriptions = {a.name: describe(a.name, stages=stage_names),
                    **({draft_name: describe(draft_name, draft_of=a.name)} if a.draft else {})}
    shipped: dict[str, Path] = {}
    evals: dict[str, dict[str, Path]] = {}
    for name, run in runs.items():
        f16 = run / "f16.gguf"
        export.main(["--ckpt", str(run / "ckpt.pt"), "--out", str(f16), "--name", name])
        q4 = a.models / name / f"{name}-q4_k_m.gguf"
        q4.parent.mkdir(parents=True, exist_ok=True)
        quantize.main([str(f16), str(q4)])
        shipped[name] = q4
        evals[name] = {}
        for kind, path in (("f16", f16), ("q4_k_m", q4)):
            out = a.results / f"eval-{name}-{kind}.json"
            out.write_text(json.dumps({"gguf": ev.gguf_bpb(path, corpus.val, corpus.token_bytes,
                                                            512, a.eval_tokens, a.threads)},
                                      indent=2) + "\n")
            evals[name][kind] = out
    agreement = None
    if a.draft:
        agreement = a.results / "agreement.json"
        agreement.write_text(json.dumps({"agreement": ev.agreement(
            shipped[a.name], shipped[draft_name], corpus.val, threads=a.threads)},
            indent=2) + "\n")
    from vaani import config as config_mod

    smol = ModelStore.from_config(config_mod.from_dict({})).file("smollm2-135m")
    speed = a.results / "speed.json"
    speed.write_text(json.dumps({"speed": ev.speed(
        {**shipped, "smollm2-135m": smol},
        "<|user|>आज मौसम कैसा रहेगा? What should I wear?<|end|><|assistant|>", threads=2)},
        indent=2) + "\n")
    tools = a.results / "tool-calls.json"
    tools.write_text(json.dumps(eval_tools.evaluate(shipped[a.name], 12, a.threads),
                                indent=2, ensure_ascii=False) + "\n")
    for name, run in runs.items():
        target = name == a.name
        other = (draft_name, a.draft) if target else (a.name, a.target)
        text = card.card(run, shipped[name],
                         {**evals[name], "agreement": None if target else agreement},
                         speed, name, tools if target else None,
                         pair=other if a.draft else None,
                         assistant_json=assistant_json if target else None,
                         recipe=a.recipe)
        (shipped[name].parent / "README.md").write_text(text)
    write_manifest(a.models / "manifest.toml", manifest_block(repo, shipped, descriptions))
    print(json.dumps({n: str(p) for n, p in shipped.items()}, indent=2))
    if assistant_json:
        print(verdict(json.loads(Path(assistant_json).read_text()), a.name))


def verdict(report: dict[str, Any], name: str) -> str:
    """Whether the shipped pack may become the default LLM (it must beat the report's
    baseline, v1 or the default it would replace, on every column); shipping itself never
    changes the default."""
    last = list(report["stages"])[-1]
    st = report["stages"][last]
    base = report.get("baseline") or "v1"
    if "beats_baseline" not in st:
        return f"{name}: no baseline in the evaluation; the default LLM stays as it is"
    if st["beats_baseline"]:
        return (f"{name} ({last}) beats {base} on every column of the evaluation: it may "
                f"become the default (LlmConfig.model = \"{name}\" in vaani/config.py); "
                "shipping did not change it")
    from vaani.config import LlmConfig

    worse = [c for c, ok in st["vs_baseline"].items() if not ok]
    return (f"{name} ({last}) does not beat {base} on: {', '.join(worse)}; the default LLM "
            f"stays {LlmConfig().model!r} (load {name} by name: llm.model = \"{name}\")")


if __name__ == "__main__":
    main()
