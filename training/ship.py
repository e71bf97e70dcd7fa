"""Ship a trained Chimera pair: export, quantize, evaluate, write the model cards and the
manifest entries, so that ``models/`` and ``models/manifest.toml`` hold what the runs made.

    python -m training.ship --target runs/chimera --draft runs/chimera-draft \
        --data runs/data/chimera --results results/chimera

Steps, each a module of its own that can be run by hand: ``training.export`` (F16 GGUF),
``training.quantize`` (Q4_K_M into ``models/<name>/``), ``training.eval`` (bits per byte of
F16 and Q4_K_M through llama.cpp, draft/target agreement, CPU speed against SmolLM2-135M in
the same run), ``training.eval_tools`` (tool-call accuracy), ``training.card`` (the cards),
and the ``# >>> chimera packs`` block of the manifest rewritten from the files' hashes.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

BEGIN, END = "# >>> chimera packs (written by python -m training.ship)", "# <<< chimera packs"
DESCRIPTIONS = {
    "chimera": ("llm", "Chimera Q4_K_M GGUF: VAANI's own hybrid Mamba-2/attention model "
                       "(Hindi, English, Hinglish; tool calls); the default LLM"),
    "chimera-draft": ("llm-draft", "chimera-draft Q4_K_M GGUF: 4-block draft sharing "
                                   "Chimera's tokenizer, for speculative decoding"),
}


def manifest_block(repo: Path, files: dict[str, Path]) -> str:
    from vaani.models import manifest_entry

    parts = [BEGIN]
    for name, path in files.items():
        role, description = DESCRIPTIONS[name]
        parts.append(manifest_entry(path, name=name, role=role, group="default",
                                    licence="Apache-2.0", description=description,
                                    repo_root=repo).rstrip())
    parts.append(END)
    return "\n\n".join(parts) + "\n"


def write_manifest(manifest: Path, block: str) -> None:
    text = manifest.read_text()
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", lambda _m: block,
                      text, flags=re.S)
    else:
        marker = "# ---------------------------------------------------------------- extra"
        i = text.index(marker)
        text = text[:i] + block + "\n" + text[i:]
    manifest.write_text(text)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.ship", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--target", type=Path, required=True, help="run folder of chimera")
    p.add_argument("--draft", type=Path, required=True, help="run folder of chimera-draft")
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--results", type=Path, default=Path("results/chimera"))
    p.add_argument("--models", type=Path, default=Path("models"))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--eval-tokens", type=int, default=16384)
    a = p.parse_args(argv)

    from training import card, eval as ev, eval_tools, export, quantize
    from training.pretrain import load_corpus
    from vaani.models import ModelStore

    repo = Path(__file__).resolve().parent.parent
    a.results.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(str(a.data))
    shipped: dict[str, Path] = {}
    evals: dict[str, dict[str, Path]] = {}
    for name, run in (("chimera", a.target), ("chimera-draft", a.draft)):
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
    agreement = a.results / "agreement.json"
    agreement.write_text(json.dumps({"agreement": ev.agreement(
        shipped["chimera"], shipped["chimera-draft"], corpus.val, threads=a.threads)},
        indent=2) + "\n")
    from vaani import config as config_mod

    smol = ModelStore.from_config(config_mod.from_dict({})).file("smollm2-135m")
    speed = a.results / "speed.json"
    speed.write_text(json.dumps({"speed": ev.speed(
        {"chimera": shipped["chimera"], "chimera-draft": shipped["chimera-draft"],
         "smollm2-135m": smol}, "<|user|>आज मौसम कैसा रहेगा? What should I wear?<|end|>"
        "<|assistant|>", threads=2)}, indent=2) + "\n")
    tools = a.results / "tool-calls.json"
    tools.write_text(json.dumps(eval_tools.evaluate(shipped["chimera"], 12, a.threads),
                                indent=2, ensure_ascii=False) + "\n")
    for name, run in (("chimera", a.target), ("chimera-draft", a.draft)):
        text = card.card(run, shipped[name],
                         {**evals[name], "agreement": agreement if name == "chimera-draft" else None},
                         speed, name, tools if name == "chimera" else None,
                         pair=("chimera-draft", a.draft) if name == "chimera" else ("chimera", a.target))
        (shipped[name].parent / "README.md").write_text(text)
    write_manifest(a.models / "manifest.toml", manifest_block(repo, shipped))
    print(json.dumps({n: str(p) for n, p in shipped.items()}, indent=2))


if __name__ == "__main__":
    main()
