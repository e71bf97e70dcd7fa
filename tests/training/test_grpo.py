"""GRPO / DAPO: advantages are group-normalised, the clip removes the gradient outside its
range (symmetric and decoupled), the cached group sampler agrees with a full forward and
stops at its stop token, dynamic sampling skips groups of equal rewards, a verifiable reward
rises on a toy task within a dozen steps, and resume is exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tests.training.tiny_align import COMMON, GGUFTemplate, tiny_checkpoint
from training import align, grpo
from training import tokenizer as tok_mod


@pytest.fixture(scope="module")
def tok():
    return tok_mod.load()


@pytest.fixture(scope="module")
def init(tok, tmp_path_factory) -> Path:
    """Large random weights give a peaked next-token distribution, as a trained model has,
    so that a few steps can move probability between the tokens it favours."""
    return tiny_checkpoint(tmp_path_factory.mktemp("grpo") / "init.pt", tok.vocab_size,
                           std=0.3)


@pytest.fixture(scope="module")
def latin_tasks(tmp_path_factory) -> Path:
    """The toy tasks in English and Hinglish (reward: Latin script), as a JSONL file."""
    path = tmp_path_factory.mktemp("tasks") / "tasks.jsonl"
    align.write_jsonl(path, [t for t in align.toy_tasks() if t.lang != "hi"])
    return path


def _args(init: Path, data, out: Path, *extra: str) -> list[str]:
    return ["--init-from", str(init), "--data", str(data), "--reward",
            "training.align:toy_reward", "--out", str(out), "--steps", "12", "--prompts", "4",
            "--group", "6", "--max-new", "8", "--seq", "64", "--lr", "1e-2", "--warmup", "0",
            "--log-every", "1", "--eval-every", "0", "--ckpt-every", "12", "--val-frac", "0",
            *COMMON, *extra]


def hindi_is_constant(task, completion: str):
    """Reward 0.5 for every Hindi completion (zero variance), the toy reward otherwise."""
    return 0.5 if task.lang == "hi" else align.toy_reward(task, completion)


def test_advantages_are_group_normalised():
    g = torch.Generator().manual_seed(0)
    r = torch.rand(5, 8, generator=g, dtype=torch.float64)
    r[2] = 0.7                                                   # a group of equal rewards
    a = grpo.group_advantages(r)
    for i in (0, 1, 3, 4):
        assert float(a[i].mean()) == pytest.approx(0.0, abs=1e-9)
        assert float(a[i].std(correction=0)) == pytest.approx(1.0, rel=1e-4)
        assert torch.argsort(a[i]).tolist() == torch.argsort(r[i]).tolist()
    assert torch.count_nonzero(a[2]) == 0
    plain = grpo.group_advantages(r, scale=False)
    assert torch.allclose(plain[0], r[0] - r[0].mean())


def test_clip_removes_the_gradient_outside_the_range():
    ratios = torch.tensor([0.5, 0.79, 1.0, 1.1, 1.25, 1.5], dtype=torch.float64)
    old = torch.zeros(2, 6, dtype=torch.float64)
    mask = torch.ones(2, 6, dtype=torch.bool)
    adv = torch.tensor([1.0, -1.0], dtype=torch.float64)
    for lo, hi in ((0.2, 0.2), (0.2, 0.28)):
        logp = ratios.log().repeat(2, 1).requires_grad_()
        loss, st = grpo.clipped_token_loss(logp, old, adv, mask, lo, hi)
        loss.sum().backward()
        # A > 0: no gradient once the ratio is above 1 + ε_high; A < 0: below 1 - ε_low
        pos = [float(x) > 1 + hi for x in ratios]
        neg = [float(x) < 1 - lo for x in ratios]
        assert (logp.grad[0] == 0).tolist() == pos
        assert (logp.grad[1] == 0).tolist() == neg
        assert st["clipped"][0].tolist() == pos and st["clipped"][1].tolist() == neg
        # inside the range the gradient is the policy gradient ratio * A
        assert float(logp.grad[0, 2]) == pytest.approx(-1.0)
    assert not pos[4]                   # 1.25 is clipped at ε = 0.2 but not at ε_high = 0.28


def test_kl_term_and_aggregation():
    logp = torch.tensor([[-1.0, -2.0, 0.0]], requires_grad=True)
    ref = torch.tensor([[-1.0, -1.5, 0.0]])
    mask = torch.tensor([[True, True, False]])
    loss, st = grpo.clipped_token_loss(logp, logp.detach(), torch.zeros(1), mask, 0.2, 0.2,
                                       ref, kl_coef=0.1)
    loss = loss.detach()
    d = 0.5
    assert st["kl"][0, :2].tolist() == pytest.approx([0.0, torch.tensor(d).exp().item() - d - 1])
    assert loss[0, 2] == 0                                          # masked
    assert float(grpo.aggregate(loss, mask, "token", 1, 2)) == pytest.approx(float(loss.sum()) / 2)
    assert float(loss[0, 1]) == pytest.approx(0.1 * float(st["kl"][0, 1]))      # A = 0
    rows = torch.tensor([[1.0, 1.0, 0.0], [3.0, 0.0, 0.0]])
    m = torch.tensor([[True, True, False], [True, False, False]])
    assert float(grpo.aggregate(rows, m, "seq", 2, 3)) == pytest.approx((1.0 + 3.0) / 2)
    assert float(grpo.aggregate(rows, m, "token", 2, 3)) == pytest.approx(5.0 / 3)


def test_cached_group_sampling(tok, init):
    model = align.load_model(init, "cpu").eval()
    prompt = align.encode_turn(align.toy_tasks()[3].messages, None, None, tok)[0]
    greedy = align.sample_group(model, prompt, 3, 10, 0.0, 1.0, set(), None, "cpu")
    assert greedy[0] == greedy[1] == greedy[2] and len(greedy[0]) == 10
    # the cached continuation is what a full forward over prompt + completion predicts
    with torch.no_grad():
        logits = model(torch.tensor([prompt + greedy[0]]))[0]
    assert logits[len(prompt) - 1:-1].argmax(-1).tolist() == greedy[0]
    # a stop token ends a completion (and is kept)
    stopped = align.sample_group(model, prompt, 2, 10, 0.0, 1.0, {greedy[0][3]}, None, "cpu")
    assert stopped == [greedy[0][:4]] * 2
    # sampling is a pure function of the generator
    s1 = align.sample_group(model, prompt, 4, 8, 1.0, 0.9, tok.stop_ids,
                            align.task_rng(0, 1, 2), "cpu")
    s2 = align.sample_group(model, prompt, 4, 8, 1.0, 0.9, tok.stop_ids,
                            align.task_rng(0, 1, 2), "cpu")
    assert s1 == s2 and len({tuple(s) for s in s1}) > 1


def test_prompts_are_the_runtime_template(tok, tmp_path):
    g = GGUFTemplate(tmp_path, tok)
    try:
        for t in align.toy_tasks():
            ids, n = align.encode_turn(t.messages, None, t.tools, tok)
            assert ids == g.ids(t.messages, t.tools, add_generation_prompt=True) and n == len(ids)
    finally:
        g.close()


def test_reward_rises_on_a_toy_task(init, latin_tasks, tmp_path):
    """Toy reward: the share of Latin letters in the answer to an English/Hinglish prompt
    (0.4 at the start). Two clipped updates per batch, KL to the start model logged."""
    out = tmp_path / "run"
    hist = grpo.main(_args(init, latin_tasks, out, "--updates", "2"))
    avg = lambda rs: sum(r["reward"] for r in rs) / len(rs)
    assert avg(hist[:3]) < 0.6
    assert avg(hist[-3:]) > avg(hist[:3]) + 0.25
    assert all(set(r["reward_components"]) == {"script", "short"} for r in hist)
    assert hist[0]["kl"] == pytest.approx(0.0, abs=1e-6) and hist[-1]["kl"] > 0.01
    assert max(r["clip_frac"] for r in hist) > 0                 # the 2nd update clips
    assert all(r["groups_sampled"] == 4 and r["len_max"] <= 8 for r in hist)
    recs = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    assert len(recs) == 12 and (out / "loss.png").read_bytes()[:4] == b"\x89PNG"
    from training.export import load_checkpoint_model

    assert load_checkpoint_model(out / "ckpt.pt").cfg.vocab_size == 16384


def test_dynamic_sampling_skips_zero_variance_groups(tok, init, tmp_path):
    tasks = align.toy_tasks()                                 # a third of them Hindi
    prompts = [align.encode_turn(t.messages, None, None, tok)[0] for t in tasks]
    model = align.load_model(init, "cpu")
    for dynamic in (False, True):
        a = grpo.parse_args(["--prompts", "4", "--group", "4", "--max-new", "6",
                             "--max-draws", "3"] + (["--dynamic-sampling"] if dynamic else []))
        kept_n = draws = zero = 0
        for step in range(3):
            kept, every, zero_var = grpo.collect(model, tasks, prompts, step, a, tok,
                                                 hindi_is_constant, "cpu", None)
            kept_n += len(kept)
            draws += len(every)
            zero += zero_var
            assert zero_var == sum(g[0].task.lang == "hi" for g in every)
            for g in kept:
                advs = [ro.adv for ro in g]
                if dynamic:
                    assert g[0].task.lang != "hi" and max(advs) > 0
                elif g[0].task.lang == "hi":
                    assert advs == [0.0] * 4
            assert len(kept) == 4
        assert zero > 0
        assert (draws > kept_n) == dynamic                     # skipped groups were replaced
    out = tmp_path / "dapo"
    hist = grpo.main(_args(init, "toy", out, "--reward",
                           "tests.training.test_grpo:hindi_is_constant", "--steps", "3",
                           "--dapo", "--ckpt-every", "3"))
    assert sum(r["groups_zero_var"] for r in hist) > 0
    assert all(r["groups_kept"] == 4 for r in hist)
    info = json.loads((out / "config.json").read_text())["args"]
    assert (info["clip_low"], info["clip_high"], info["loss_agg"], info["dynamic_sampling"]) \
        == (0.2, 0.28, "token", True)


def test_resume_reproduces_uninterrupted_run(init, latin_tasks, tmp_path):
    ex = ("--steps", "4", "--ckpt-every", "2", "--kl-coef", "0.05")
    full = grpo.main(_args(init, latin_tasks, tmp_path / "a", *ex))
    grpo.main(_args(init, latin_tasks, tmp_path / "b", *ex, "--stop-at", "2"))
    resumed = grpo.main(["--resume", str(tmp_path / "b" / "ckpt.pt"), *COMMON])
    timing = ("elapsed_s", "gen_s", "train_s")
    strip = lambda rs: [{k: v for k, v in r.items() if k not in timing} for r in rs]
    assert strip(resumed) == strip(full[2:])


def test_assistant_tasks_and_rewards(tok, init):
    """The alignment data's tasks with training.rewards.reward: the completion text the
    trainer hands over (special tokens kept, the stop token dropped) is what the reward
    reads (the expected call scores 1, another tool less), and sampled groups are scored."""
    pytest.importorskip("training.data.assistant")
    rewards = pytest.importorskip("training.rewards")
    from training import chat

    tasks = align.load_examples("grpo", "assistant", 30, seed=0)
    calls = [t for t in tasks if t.kind == "tool_call"]
    assert calls
    for t in calls:
        for name, want in ((t.expect["tool"], 1.0), ("not_a_tool", None)):
            reply = {"role": "assistant", "content": "",
                     "tool_calls": [chat.tool_call(name, t.expect["arguments"])]}
            ids, n = align.encode_turn(t.messages, reply, t.tools, tok)
            assert ids[-1] == tok.eot_id
            r = rewards.reward(t, grpo.completion_text(tok, ids[n:], truncated=False))
            assert r.total == want if want is not None else r.total < 1.0
    model = align.load_model(init, "cpu")
    a = grpo.parse_args(["--prompts", "3", "--group", "4", "--max-new", "12", "--seq", "1024"])
    prompts = [align.encode_turn(t.messages, None, t.tools, tok)[0] for t in tasks]
    kept, every, _ = grpo.collect(model, tasks, prompts, 0, a, tok, rewards.reward, "cpu", None)
    assert len(every) == 3
    for g in every:
        for ro in g:
            assert isinstance(ro.reward.total, float) and ro.reward.components
