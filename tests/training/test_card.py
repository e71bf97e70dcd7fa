"""The model card is read from the run's files, so its figures are the run's figures."""

import hashlib
import json

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
