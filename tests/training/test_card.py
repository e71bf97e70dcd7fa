"""The model card is read from the run's files, so its figures are the run's figures; an
alignment stage's card follows its config.json chain back to pretraining, and shipping one
keeps v1 loadable by name."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from training.card import card
from training.config import named


def test_card_reports_what_the_run_files_say(tmp_path):
    cfg = named("chimera", 16384)
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.json").write_text(json.dumps({
        "train_tokens": 1000, "tokens_per_language": {
            lang: {"train": n, "val": 1} for lang, n in (("hi", 500), ("en", 300), ("hinglish", 200))}}))
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config": cfg.to_dict(), "args": {
        "data": str(data), "batch": 4, "seq": 512, "lr": 0.002, "decay": "wsd", "threads": 1}}))
    (run / "log.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"kind": "train", "step": 10, "tokens": 20480, "tok_per_s": 800.0},
        {"kind": "val", "step": 10, "val": {"hi": {"bpb": 0.9}, "en": {"bpb": 1.5}}},
        {"kind": "train", "step": 20, "tokens": 40960, "tok_per_s": 812.0}]) + "\n")
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF" + bytes(100))
    q4 = tmp_path / "q4.json"
    q4.write_text(json.dumps({"gguf": {"hi": {"bpb": 0.95}}}))
    text = card(run, gguf, {"q4_k_m": q4}, None, "chimera")
    assert "**40,960 tokens seen**" in text and "20 steps of 4 x 512" in text
    assert hashlib.sha256(gguf.read_bytes()).hexdigest() in text
    assert "| hi | 0.900 | - | 0.950 |" in text and "| hinglish | - | - | - |" in text
    assert "10,262,672" in text and "M-M-*-M-M-M-*-M-" in text


# ----------------------------------------------------------------------------- a stage chain

TINY_CFG = {"vocab_size": 16384, "n_embd": 64, "pattern": "M-*-", "n_head": 2, "n_head_kv": 1,
            "head_dim": 32, "d_inner": 128, "ssm_head_dim": 32, "d_state": 16, "n_groups": 1,
            "d_conv": 4, "ffn": 128, "norm_eps": 1e-05, "tie_embeddings": True,
            "context_length": 256, "chunk_size": 16, "depth": 2}
VAL = {"hi": {"bpb": 0.9, "tokens": 9}, "en": {"bpb": 1.5, "tokens": 9},
       "hinglish": {"bpb": 1.1, "tokens": 9}}


def _run(path, info, records):
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"config": TINY_CFG, **info}))
    (path / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def stage_chain(tmp_path):
    """Tiny run folders as pretraining, SFT, DPO and GRPO leave them (their config.json
    keys and log records), each started from the one before."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.json").write_text(json.dumps({
        "train_tokens": 1000, "tokens_per_language": {
            lang: {"train": n} for lang, n in (("hi", 500), ("en", 300), ("hinglish", 200))}}))
    common = {"lr": 0.0003, "decay": "cosine", "warmup": 5, "threads": 1}
    pre = _run(tmp_path / "pre", {"args": {"data": str(data), "batch": 4, "seq": 512,
                                           "lr": 0.002, "decay": "wsd", "warmup": 200,
                                           "threads": 1}},
               [{"kind": "train", "step": 20, "tokens": 40960, "tok_per_s": 812.0},
                {"kind": "val", "step": 20, "val": VAL}])

    def stage(name, parent, args, extra, records):
        return _run(tmp_path / name, {
            "stage": name, "args": {"init_from": str(parent / "ckpt.pt"), "data": "runs/align",
                                    **common, **args},
            "init_from": str(parent / "ckpt.pt"),
            "parent": {"run": str(parent), "stage": "pretrain" if parent == pre else "x"},
            **extra}, records)

    sft = stage("sft", pre, {"batch": 16, "accum": 1, "seq": 512, "pack": False},
                {"data": {"spec": "runs/align", "train": 12000, "val": 240,
                          "assistant_tokens": 654321}},
                [{"kind": "train", "step": 1000, "loss": 0.412},
                 {"kind": "val", "step": 1000, "val": {"hi": {"loss": 0.5, "bpb": 0.31}}}])
    dpo = stage("dpo", sft, {"batch": 8, "beta": 0.1, "rpo_alpha": 0.2},
                {"ref": str(sft / "ckpt.pt"), "data": {"spec": "runs/align", "train": 9800,
                                                       "val": 200}},
                [{"kind": "train", "step": 300, "margin": 2.5, "accuracy": 0.875},
                 {"kind": "val", "step": 300, "val": {"en": {"accuracy": 0.8}}}])
    grpo = stage("grpo", dpo, {"prompts": 8, "group": 8, "max_new": 64, "temperature": 1.0,
                               "clip_low": 0.2, "clip_high": 0.28, "loss_agg": "token",
                               "kl_coef": 0.02, "dynamic_sampling": True, "mask_truncated": True,
                               "reward": "training.rewards:reward"},
                 {"ref": str(sft / "ckpt.pt"), "data": {"spec": "runs/align", "train": 4900,
                                                        "val": 100}},
                 [{"kind": "train", "step": 150, "reward": 0.71},
                  {"kind": "val", "step": 150, "val": {"hinglish": {"reward": 0.66}}}])
    return pre, sft, dpo, grpo


def _assistant_report(path):
    from training import eval_assistant as EA

    def st(rate):
        m = {k: {"rate": rate if k not in ("wrong_language", "degenerate") else 1 - rate,
                 "n": 1, "of": 1} for k in EA.METRICS}
        return {"metrics": {lg: m for lg in ("all",) + EA.LANGS}}

    rep = {"baseline": "v1", "per_cell": 20, "tasks": {"n": 300},
           "stages": {"v1": st(0.2), "pretrained": st(0.1), "sft": st(0.6), "dpo": st(0.7),
                      "grpo": st(0.8)}}
    EA.judge(rep)
    path.write_text(json.dumps(rep))
    return path


def test_card_of_an_aligned_stage_follows_its_chain_back_to_pretraining(tmp_path):
    from training.card import run_chain

    pre, sft, dpo, grpo = stage_chain(tmp_path)
    assert [r for r, _ in run_chain(grpo)] == [pre, sft, dpo, grpo]
    assert [r for r, _ in run_chain(pre)] == [pre]
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF" + bytes(100))
    text = card(grpo, gguf, {}, None, "chimera-v2",
                assistant_json=_assistant_report(tmp_path / "ea.json"))
    assert "pretraining: 20 steps of 4 x 512 tokens: **40,960 tokens seen**" in text
    assert "then pretrained → sft → dpo → grpo (recipe below)" in text
    assert "1,000 training tokens (hi 500, en 300, hinglish 200)" in text
    rows = [line for line in text.splitlines() if line.startswith(("| pretrain |", "| sft |",
                                                                   "| dpo |", "| grpo |"))
            and "| all |" not in line]
    assert [r.split(" | ")[0] for r in rows] == ["| pretrain", "| sft", "| dpo", "| grpo"]
    assert "val bpb hi 0.900, en 1.500, hinglish 1.100" in rows[0]
    assert "1,000 steps, batch 16, seq 512" in rows[1] and "12,000 chats (654,321 assistant" \
        in rows[1] and "loss 0.412" in rows[1] and f"`{pre / 'ckpt.pt'}`" in rows[1]
    assert "β 0.1, RPO α 0.2" in rows[2] and "margin 2.500, accuracy 88%" in rows[2]
    assert "150 steps of 8 prompts x 8 samples (at most 64 tokens" in rows[3]
    assert "clip 0.2/0.28, token mean, KL 0.02 to" in rows[3] and "reward 0.710" in rows[3]
    assert "val reward hinglish 0.660" in rows[3]
    assert "| grpo | all | 80.0% ✗ |" in text and "| v1 | all | 20.0% ✗ |" in text
    assert "- **grpo**: beats v1 on every column" in text
    assert "PyTorch (pretrained base, last eval)" in text and "| hi | 0.900 | - | - |" in text
    assert "its last stage (`grpo`) misses these goals" in text and "and beats `v1`" in text
    # a chain whose pretraining run is gone still makes a card
    shutil.rmtree(pre)
    text = card(sft, gguf, {}, None, "x")
    assert "not in this run's config.json chain" in text and "| sft |" in text


def test_ship_names_an_aligned_model_anew_and_keeps_v1_in_the_manifest(tmp_path):
    from training import ship
    from vaani.models import load_manifest

    pre, sft, dpo, grpo = stage_chain(tmp_path)
    assert ship.chain_stages(grpo) == {"pretrained": str(pre), "sft": str(sft),
                                       "dpo": str(dpo), "grpo": str(grpo)}
    with pytest.raises(SystemExit, match="--name chimera-v2"):
        ship.main(["--target", str(grpo)])
    from vaani.config import LlmConfig

    main = LlmConfig().model                             # the default LLM: an aligned pack
    repo = Path(__file__).resolve().parents[2]
    manifest = tmp_path / "models" / "manifest.toml"
    manifest.parent.mkdir()
    shutil.copy(repo / "models" / "manifest.toml", manifest)
    gguf = tmp_path / "models" / main / f"{main}-q4_k_m.gguf"
    gguf.parent.mkdir()
    gguf.write_bytes(b"GGUF" + bytes(64))
    desc = {main: ship.describe(main, stages="sft → dpo → grpo")}
    for _ in range(2):                                 # shipping again replaces the entry
        ship.write_manifest(manifest, ship.manifest_block(tmp_path, {main: gguf}, desc))
    text = manifest.read_text()
    assert text.count(f"[packs.{main}]") == 1 and text.count(ship.BEGIN) == 1
    packs = load_manifest(manifest).packs
    assert packs["chimera"].role == "llm" and packs["chimera-draft"].role == "llm-draft"
    # the default LLM installs by default and says so; another aligned pack is loaded by name
    assert packs[main].role == "llm" and packs[main].group == "default"
    assert "the default LLM" in packs[main].description and \
        "aligned sft → dpo → grpo" in packs[main].description
    other = ship.manifest_block(tmp_path, {"chimera-v9": gguf},
                                {"chimera-v9": ship.describe("chimera-v9", stages="sft")})
    assert 'llm.model = \\"chimera-v9\\"' in other and 'group = "extra"' in other
    assert {"chimera", "chimera-draft", "chimera-v2", "chimera-v2-draft", main} <= set(packs)
    assert ship.describe("chimera-v2-draft", draft_of="chimera-v2")[0] == "llm-draft"
    rep = json.loads(_assistant_report(tmp_path / "ea.json").read_text())
    assert "beats v1 on every column" in ship.verdict(rep, "chimera-v9")
    rep["stages"]["grpo"]["vs_baseline"]["exact"] = False
    rep["stages"]["grpo"]["beats_baseline"] = False
    assert f"does not beat v1 on: exact; the default LLM stays '{main}'" in \
        ship.verdict(rep, "chimera-v9")


def test_a_chain_that_starts_from_an_imported_gguf_says_so_and_ship_skips_it(tmp_path):
    """SFT started from the shipped model read back from its INT4 file (training.import_gguf):
    the chain ends at the import, the card names the file, and ship evaluates v1 for it."""
    from training import ship
    from training.card import run_chain

    imp = _run(tmp_path / "v1", {"stage": "imported", "imported": {
        "source": "models/chimera/chimera-q4_k_m.gguf", "sha256": "ab" * 32,
        "tensor_types": {"Q4_K": 31, "Q6_K": 6, "F32": 53}}}, [])
    sft = _run(tmp_path / "sft", {"stage": "sft", "init_from": str(imp / "ckpt.pt"),
                                  "parent": {"run": str(imp), "stage": "imported"},
                                  "args": {"batch": 8, "seq": 512, "lr": 3e-4},
                                  "data": {"spec": "runs/align", "train": 19600, "val": 400,
                                           "assistant_tokens": 123}},
               [{"kind": "train", "step": 800, "loss": 1.2}])
    assert [r for r, _ in run_chain(sft)] == [imp, sft]
    assert ship.chain_stages(sft) == {"sft": str(sft)}
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF" + bytes(100))
    text = card(sft, gguf, {}, None, "chimera-v2")
    assert "the shipped `models/chimera/chimera-q4_k_m.gguf`" in text
    assert "| imported |" in text and "31 Q4_K, 6 Q6_K, 53 F32" in text and "| sft |" in text
    # the card names the script that made it: by stage unless told
    assert "(`training/recipes/chimera-align-cpu.sh`)" in text
    told = card(sft, gguf, {}, None, "chimera-v3", recipe="training/recipes/chimera-v3-cpu.sh")
    assert "(`training/recipes/chimera-v3-cpu.sh`)" in told and "chimera-align-cpu" not in told
