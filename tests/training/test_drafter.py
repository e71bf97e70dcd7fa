"""training.drafter: a Chimera drafter with a target's tokenizer, distilled from the target.

On a tiny configuration: a random nemotron_h target (byte-level vocabulary) answers prompts,
the drafter trains on them (its loss falls, its agreement with the target rises), the
compact vocabulary is exact for the full one, and the exported GGUF loads as the target's
draft (same vocabulary) and computes what PyTorch computes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training import drafter as D  # noqa: E402


def test_prompts_hold_out_the_bench_and_extend_by_prefix():
    from vaani.bench.speculative import PROMPTS

    every = D.make_prompts(10 ** 6)
    texts = [p["text"] for p in every]
    assert len(texts) == len(set(texts)) > 700
    assert not {t for _, _, t in PROMPTS} & set(texts)
    assert {p["kind"] for p in every} == {"answer", "explain", "list", "code", "edit", "hindi"}
    assert D.make_prompts(50) == every[:50]


def test_compact_vocabulary_is_exact_for_the_full_one():
    """The compact softmax (kept rows + one column for the zero rows) gives every kept token
    the probability that the full-vocabulary model, with zeros elsewhere, gives it."""
    from training.config import from_depth
    from training.model import Chimera

    n_vocab = 300
    compact = D.Compact(np.array([5, 7, 9, 40, 41, 299]), n_vocab)
    assert compact.size == 7 and compact.n_other == 294
    assert compact.index[7] == 1 and compact.index[8] == compact.other
    cfg = from_depth(1, compact.size, width=256)
    model = Chimera(cfg)
    model.reset_parameters(seed=0, std=0.2)
    D._zero_other_row(model, compact)
    ck = {"config": cfg.to_dict(), "model": model.state_dict(), "keep": compact.keep.tolist(),
          "n_vocab": n_vocab}
    full = D.full_model(ck)
    ids = [5, 8, 299, 40, 123]
    with torch.no_grad():
        z_small = D._compact_logits(model.eval(), torch.as_tensor(compact.index[ids])[None], compact)
        z_full = full(torch.tensor([ids]))
    lp_small = torch.log_softmax(z_small, -1)[0, :, :-1]
    lp_full = torch.log_softmax(z_full, -1)[0][:, torch.as_tensor(compact.keep)]
    assert torch.allclose(lp_small, lp_full, atol=1e-5)
    other = torch.log_softmax(z_full, -1)[0, :, 8]
    assert torch.allclose(torch.log_softmax(z_small, -1)[0, :, -1] - math.log(294), other,
                          atol=1e-5)


@pytest.fixture(scope="module")
def distilled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from training import export

    torch.set_num_threads(1)
    d = tmp_path_factory.mktemp("drafter")
    target = d / "target.gguf"
    export.write_random_tiny_gguf(target, seed=3)
    rows = d / "target.jsonl"
    assert D.collect(str(target), rows, n=12, max_tokens=12, topk=4, threads=1) == 12
    assert D.collect(str(target), rows, n=12, max_tokens=12, threads=1) == 0    # resumes
    text = d / "text.txt"
    text.write_text("def add(a, b):\n    return a + b\n" * 40, encoding="utf-8")
    run = d / "run"
    last = D.train(rows, run, target=str(target), text=[text], text_budget=2000, width=256,
                   depth=2, steps=40, batch=4, text_batch_size=2, seq=32, lr=3e-3,
                   warmup=5, threads=1, eval_every=20, val_frac=0.25)
    return {"target": target, "rows": rows, "run": run, "last": last}  # type: ignore[dict-item]


def test_training_finishes_names_its_held_out_answers_and_logs_once(distilled):
    run = distilled["run"]
    assert json.loads((run / "done.json").read_text())["step"] == 40
    ck = torch.load(run / "best.pt", map_location="cpu", weights_only=False)
    assert len(ck["val_texts"]) == 3
    steps = [json.loads(x)["step"] for x in (run / "log.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 41))


def test_collect_keeps_the_targets_greedy_tokens_and_top_k(distilled):
    rows = D.load_rows(distilled["rows"])
    assert len(rows) == 12
    for r in rows:
        assert r["completion"] and len(r["top_ids"]) == len(r["completion"])
        assert [t[0] for t in r["top_ids"]] == r["completion"]        # greedy
        for lp in r["top_lp"]:
            assert lp == sorted(lp, reverse=True) and lp[0] <= 0


def test_training_lowers_the_loss_and_learns_the_targets_tokens(distilled):
    log = [json.loads(x) for x in (distilled["run"] / "log.jsonl").read_text().splitlines()]
    first, last = np.mean([r["ce"] for r in log[:5]]), np.mean([r["ce"] for r in log[-5:]])
    assert last < 0.6 * first
    assert len([r for r in log if "val_agree" in r]) == 2
    # a random target is not learnable from 9 answers, but they are memorised: the trained
    # drafter picks the target's next token far more often than an untrained one
    from training.config import ModelConfig
    from training.model import Chimera

    ck = torch.load(distilled["run"] / "ckpt.pt", map_location="cpu", weights_only=False)
    compact = D.Compact(np.asarray(ck["keep"]), ck["n_vocab"])
    rows = D.load_rows(distilled["rows"])
    model = Chimera(ModelConfig.from_dict(ck["config"]))
    model.reset_parameters(seed=1)
    before = D.evaluate(model, rows, compact)
    model.load_state_dict(ck["model"])
    after = D.evaluate(model, rows, compact)
    assert after["val_agree"] > max(0.5, before["val_agree"] + 0.3)
    assert after["val_ce"] < before["val_ce"]


def test_export_is_a_draft_of_its_target_and_matches_pytorch(distilled, tmp_path):
    from vaani.llm import LlamaEngine
    from vaani.llm.native import ContextParams, LlamaContext, LlamaModel

    ck = torch.load(distilled["run"] / "ckpt.pt", map_location="cpu", weights_only=False)
    gguf_path = D.export(distilled["run"] / "ckpt.pt", str(distilled["target"]),
                         tmp_path / "draft.gguf", dtype="f32")
    engine = LlamaEngine(distilled["target"], draft=gguf_path, n_ctx=256, threads=1,
                         calibrate=False)          # refuses a draft with another vocabulary
    try:
        assert engine.draft_model is not None
        assert engine.draft_model.vocab_fingerprint() == engine.model.vocab_fingerprint()
    finally:
        engine.close()
    lm = LlamaModel(gguf_path)
    ctx = LlamaContext(lm, ContextParams(n_ctx=64, n_threads=1, kv_f32=True))
    try:
        ids = lm.tokenize("def add(a, b): return", add_special=False)
        got = ctx.decode(ids, 0, n_logits=len(ids))
        with torch.no_grad():
            want = D.full_model(ck)(torch.tensor([ids]))[0].numpy()
        assert np.abs(got - want).max() < 1e-4
    finally:
        ctx.close()
        lm.close()


def test_gated_simulation_counts_rounds_tokens_and_costs():
    """A confident right token (its round also yields the next, bonus, token), then a
    confident wrong one; a gate nobody passes is plain decoding; a free perfect draft."""
    conf = [(np.array([0.9, 0.2, 0.95]), np.array([True, False, False]))]
    curve = {1: 1.0, 2: 1.5, 3: 2.0}
    r = D.simulate(conf, curve, 0.1, gate=0.5, k=1)
    # round 1 at position 0: drafts 1, accepted, 2 tokens for C(2) + 2 draft steps;
    # position 2: drafted, rejected: 1 token for C(2) + 2 draft steps
    assert r["acceptance"] == 0.5 and r["drafting_share"] == 1.0
    assert r["speedup"] == round(3 / (2 * (1.5 + 0.2)), 4)
    plain = D.simulate(conf, curve, 0.1, gate=1.1, k=1)          # never confident
    assert plain["drafting_share"] == 0.0 and plain["speedup"] == round(3 / 3.3, 4)
    free_right = [(np.ones(4), np.ones(4, bool))]
    assert D.simulate(free_right, curve, 0.0, gate=0.0, k=2)["speedup"] == round(4 / 3.5, 4)
    # a round of two with a miss in it: 1 accepted + the correction, C(3) + 3 draft steps
    miss = [(np.array([0.9, 0.9, 0.1]), np.array([True, False, True]))]
    r = D.simulate(miss, curve, 0.1, gate=0.5, k=2)
    assert (r["acceptance"], r["speedup"]) == (0.5, round(3 / (2.0 + 0.3 + 1.1), 4))
    with pytest.raises(ValueError, match="no C"):
        D.simulate(miss, {1: 1.0, 2: 1.5}, 0.1, gate=0.5, k=2)
