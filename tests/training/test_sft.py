"""SFT: the loss covers exactly the assistant's tokens, the ids are the runtime template's,
the loss falls on a toy set, accumulation equals a bigger batch, resume is exact, and the
checkpoint exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tests.training.tiny_align import COMMON, GGUFTemplate, chat_docs, tiny_checkpoint
from training import align, chat, sft
from training import tokenizer as tok_mod


@pytest.fixture(scope="module")
def tok():
    return tok_mod.load()


@pytest.fixture(scope="module")
def init(tok, tmp_path_factory) -> Path:
    return tiny_checkpoint(tmp_path_factory.mktemp("sft") / "init.pt", tok.vocab_size)


def _args(init: Path, out: Path, *extra: str) -> list[str]:
    return ["--init-from", str(init), "--data", "toy", "--out", str(out), "--seq", "128",
            "--batch", "4", "--steps", "30", "--lr", "3e-3", "--warmup", "3", "--log-every", "1",
            "--eval-every", "15", "--ckpt-every", "30", "--val-frac", "0.2", *COMMON, *extra]


def _assistant_strings(messages) -> list[str]:
    """What each assistant turn writes, from the message dicts (content, calls, <|end|>)."""
    out = []
    for m in messages:
        if m["role"] != "assistant":
            continue
        s = m.get("content") or ""
        for call in m.get("tool_calls") or []:
            f = call["function"]
            s += f'{chat.TOOL_CALL}{{"name": "{f["name"]}", "arguments": {f["arguments"]}}}'
        out.append(s + chat.END)
    return out


def _runs(ids, keep) -> list[list[int]]:
    """Maximal runs of consecutive ids where ``keep`` is true."""
    runs, cur = [], []
    for t, k in zip(ids, keep):
        if k:
            cur.append(t)
        elif cur:
            runs.append(cur)
            cur = []
    return runs + ([cur] if cur else [])


@pytest.mark.parametrize("pack", [False, True])
def test_trained_tokens_are_exactly_the_assistant_turns(tok, pack):
    """Through the rows SFT builds (shifted targets, padding or packing), the trained targets
    decode to each assistant turn's content + tool calls + <|end|>, and nothing else: no
    system, user or tool-result token, no <|assistant|> role token."""
    docs = chat_docs()
    assert sum(1 for d in docs if sum(m["role"] == "assistant" for m in d.messages) > 1) > 10
    seqs, kept, dropped = sft.encode_docs(docs, tok, 512)
    assert dropped == 0 and len(seqs) == len(docs)
    a = type("A", (), {"pack": pack, "seq": 512})()
    for d, s in zip(docs, seqs):
        ids, mask = s
        assert ids == chat.encode_messages(d.messages, tok, tools=d.tools)
        rows = sft.make_rows([s], a)
        x, y = align.pad_rows(rows, tok.eos_id)
        assert x[0, :len(ids) - 1].tolist() == ids[:-1]
        trained = _runs(y[0].tolist(), (y[0] != -100).tolist())
        assert [tok.decode(r) for r in trained] == _assistant_strings(d.messages)
        untrained = tok.decode([t for t, m in zip(ids, mask) if not m])
        for m in d.messages:
            if m["role"] in ("system", "user", "tool") and m.get("content"):
                assert m["content"] in untrained
    # a packed row trains the same tokens as the rows of its chats one by one
    packed = align.pad_rows(sft.make_rows(seqs[:6], a), tok.eos_id)[1]
    single = [align.targets(*s)[1] for s in seqs[:6]]
    if pack:
        assert packed.shape[0] < 6
        assert sorted(t for t in packed.flatten().tolist() if t != -100) == \
            sorted(t for row in single for t in row if t != -100)


def test_ids_equal_the_gguf_template(tok, tmp_path):
    """The ids SFT trains on are those the runtime (the GGUF's template, llama.cpp's
    tokenizer) makes of the same conversation."""
    g = GGUFTemplate(tmp_path, tok)
    try:
        docs = chat_docs()
        seqs, _, _ = sft.encode_docs(docs, tok, 512)
        for d, (ids, _) in zip(docs, seqs):
            assert ids == g.ids(d.messages, d.tools)
    finally:
        g.close()


def test_loss_falls_validation_per_language_and_checkpoint_exports(tok, init, tmp_path):
    from training import export

    out = tmp_path / "run"
    losses = sft.main(_args(init, out))
    assert len(losses) == 30
    assert sum(losses[-5:]) / 5 < 0.75 * sum(losses[:5]) / 5
    recs = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    vals = [r for r in recs if r["kind"] == "val"]
    assert [v["step"] for v in vals] == [15, 30]
    assert set(vals[-1]["val"]) == {"hi", "en", "hinglish"}
    for lang in ("hi", "en", "hinglish"):
        assert vals[-1]["val"][lang]["tokens"] > 0
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"
    info = json.loads((out / "config.json").read_text())
    assert info["stage"] == "sft" and info["data"]["train"] + info["data"]["val"] == 15
    model = export.load_checkpoint_model(out / "ckpt.pt")
    export.write_gguf(model, tmp_path / "sft.gguf", export.project_tokenizer(), dtype="f32")
    assert (tmp_path / "sft.gguf").stat().st_size > 4 * model.num_params()


def test_accumulation_equals_the_bigger_batch(tok, init, tmp_path):
    """accum 2 x batch 2 sees the examples of batch 4 and normalises by the step's assistant
    tokens, so the two runs agree (up to float rounding of other padding)."""
    a = sft.main(_args(init, tmp_path / "a", "--steps", "4", "--eval-every", "0"))
    b = sft.main(_args(init, tmp_path / "b", "--steps", "4", "--eval-every", "0",
                       "--batch", "2", "--accum", "2"))
    assert a == pytest.approx(b, rel=1e-4)


def test_resume_reproduces_uninterrupted_run(tok, init, tmp_path):
    full = sft.main(_args(init, tmp_path / "a", "--steps", "10", "--eval-every", "5",
                          "--ckpt-every", "5"))
    sft.main(_args(init, tmp_path / "b", "--steps", "10", "--eval-every", "5",
                   "--ckpt-every", "5", "--stop-at", "5"))
    resumed = sft.main(["--resume", str(tmp_path / "b" / "ckpt.pt"), *COMMON])
    assert resumed == full[5:]                               # bit for bit on CPU
    log = lambda run: [json.loads(x) for x in (run / "log.jsonl").read_text().splitlines()]
    strip = lambda recs: [{k: v for k, v in r.items() if k not in ("tok_per_s", "elapsed_s")}
                          for r in recs]
    assert strip(log(tmp_path / "b")) == strip(log(tmp_path / "a"))
    a = torch.load(tmp_path / "a" / "ckpt.pt", weights_only=False)["model"]
    b = torch.load(tmp_path / "b" / "ckpt.pt", weights_only=False)["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_assistant_data_trains_on_its_assistant_turns(tok, tmp_path):
    """The alignment data (training.data.assistant.sft_doc): same checks as the toy chats."""
    pytest.importorskip("training.data.assistant")
    docs = align.load_examples("sft", "assistant", 60, seed=0)
    assert {d.lang for d in docs} == {"hi", "en", "hinglish"}
    seqs, kept, _ = sft.encode_docs(docs, tok, 1024)
    assert len(kept) > 0.9 * len(docs)
    g = GGUFTemplate(tmp_path, tok)
    try:
        for d, (ids, mask) in zip(kept, seqs):
            assert ids == g.ids(d.messages, d.tools)
            trained = _runs(ids, mask)
            assert [tok.decode(r) for r in trained] == _assistant_strings(d.messages)
    finally:
        g.close()


def test_replay_keeps_the_language_model(tok, init, replay_corpus, tmp_path):
    """With --replay, pretraining windows share every step: their loss is logged apart, their
    validation bits per byte are measured, and they end lower than with a negligible weight
    (the same steps, seed and assistant batches)."""
    base = ["--steps", "25", "--eval-every", "25", "--lr", "1e-2"]
    plain = tmp_path / "plain"
    sft.main(_args(init, plain, *base, "--replay", str(replay_corpus),
                   "--replay-weight", "1e-9"))
    mixed = tmp_path / "mixed"
    sft.main(_args(init, mixed, *base, "--replay", str(replay_corpus),
                   "--replay-rows", "2", "--replay-weight", "1.0"))
    log = lambda run: [json.loads(x) for x in (run / "log.jsonl").read_text().splitlines()]
    train = [r for r in log(mixed) if r["kind"] == "train"]
    assert all(r["replay_loss"] > 0 and r["sft_loss"] > 0 for r in train)
    assert train[-1]["loss"] == pytest.approx(train[-1]["sft_loss"] + train[-1]["replay_loss"])
    end = lambda run: [r for r in log(run) if r["kind"] == "val"][-1]["replay"]
    assert set(end(mixed)) == {"hi", "en", "hinglish"}
    forgot = sum(v["bpb"] for v in end(plain).values())
    kept = sum(v["bpb"] for v in end(mixed).values())
    assert kept < forgot
    assert json.loads((mixed / "config.json").read_text())["replay"]["rows"] == 2


def test_replay_refuses_another_vocabulary(tok, init, tmp_path):
    with pytest.raises(SystemExit, match="vocabulary"):
        sft.main(_args(init, tmp_path / "x", "--replay", "synthetic"))
