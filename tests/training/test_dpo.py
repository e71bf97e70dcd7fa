"""DPO: the loss is -log σ(β((π_c - ref_c) - (π_r - ref_r))) on the assistant turn only, it
falls and the implicit reward margin grows on a toy set, the reference stays frozen, β = 0
gives log 2 and no gradient, RPO mixing adds the chosen turn's NLL, resume is exact.
``--loss decision``: the margin loss at the first token where the pair parts, with KL to the
reference on the rest of the chosen turn, turns the policy's greedy choice there to the
chosen token on a toy set while the other tokens stay close to the reference."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from tests.training.tiny_align import COMMON, GGUFTemplate, tiny_checkpoint
from training import align, chat, dpo
from training import tokenizer as tok_mod
from training.data.tasks import Pair
from training.trainer import state_fingerprint


@pytest.fixture(scope="module")
def tok():
    return tok_mod.load()


@pytest.fixture(scope="module")
def init(tok, tmp_path_factory) -> Path:
    return tiny_checkpoint(tmp_path_factory.mktemp("dpo") / "init.pt", tok.vocab_size)


def _args(init: Path, out: Path, *extra: str) -> list[str]:
    return ["--init-from", str(init), "--data", "toy", "--out", str(out), "--seq", "128",
            "--batch", "4", "--steps", "20", "--lr", "3e-3", "--warmup", "2", "--beta", "0.5",
            "--log-every", "1", "--eval-every", "20", "--ckpt-every", "20", "--val-frac", "0.2",
            *COMMON, *extra]


def test_pair_ids_are_the_template_and_only_the_reply_is_scored(tok, tmp_path):
    g = GGUFTemplate(tmp_path, tok)
    try:
        pairs = align.toy_pairs()
        enc, _, dropped = dpo.encode_pairs(pairs, tok, 256)
        assert dropped == 0
        for p, (c, r, n) in zip(pairs, enc):
            assert c[:n] == r[:n] == g.ids(p.messages, p.tools, add_generation_prompt=True)
            assert c == g.ids([*p.messages, p.chosen], p.tools)
            assert r == g.ids([*p.messages, p.rejected], p.tools)
        rows = dpo.turn_rows(enc)
        for (p, e), (_, y) in zip(zip(pairs, enc), rows[:len(enc)]):
            scored = [t for t in y if t != -100]
            want = chat.render([p.chosen], bos=False)[len(chat.ASSISTANT):]
            assert tok.decode(scored) == want and want.endswith(chat.END)
    finally:
        g.close()


def test_loss_formula_beta_zero_and_rpo():
    pi_c = torch.tensor([-10.0, -5.0], requires_grad=True)
    pi_r = torch.tensor([-12.0, -4.0], requires_grad=True)
    ref_c, ref_r = torch.tensor([-11.0, -5.0]), torch.tensor([-11.0, -5.0])
    loss, st = dpo.dpo_loss(pi_c, pi_r, ref_c, ref_r, beta=0.1)
    want = [-math.log(1 / (1 + math.exp(-0.1 * ((-10 + 11) - (-12 + 11))))),
            -math.log(1 / (1 + math.exp(-0.1 * ((-5 + 5) - (-4 + 5)))))]
    assert loss.tolist() == pytest.approx(want, rel=1e-6)
    assert st["margin"].tolist() == pytest.approx([0.2, -0.1])
    assert st["chosen_reward"].tolist() == pytest.approx([0.1, 0.0])
    # β -> 0: log 2 whatever the model, no gradient
    loss0, _ = dpo.dpo_loss(pi_c, pi_r, ref_c, ref_r, beta=0.0)
    assert loss0.tolist() == pytest.approx([math.log(2)] * 2)
    loss0.sum().backward()
    assert torch.count_nonzero(pi_c.grad) == 0 and torch.count_nonzero(pi_r.grad) == 0
    # small β: the gradient is -β/2 on the chosen and +β/2 on the rejected log-prob
    pc = pi_c.detach().requires_grad_()
    dpo.dpo_loss(pc, pi_r.detach(), ref_c, ref_r, beta=1e-4)[0].sum().backward()
    assert pc.grad.tolist() == pytest.approx([-5e-5, -5e-5], rel=1e-3)


def test_loss_falls_margin_grows_and_reference_stays_frozen(tok, init, tmp_path):
    out = tmp_path / "run"
    hist = dpo.main(_args(init, out))
    first, last = hist[0], hist[-1]
    # step 1: the policy is the reference
    assert first["dpo_loss"] == pytest.approx(math.log(2), abs=1e-6)
    assert first["margin"] == pytest.approx(0.0, abs=1e-6)
    avg = lambda k, rs: sum(r[k] for r in rs) / len(rs)
    assert avg("loss", hist[-5:]) < 0.5 * avg("loss", hist[:3])
    assert avg("margin", hist[-5:]) > 1.0
    assert avg("accuracy", hist[-5:]) >= 0.9
    assert avg("chosen_reward", hist[-5:]) > avg("rejected_reward", hist[-5:])
    # the reference object at the end is the init checkpoint, bit for bit; the policy moved
    init_sd = torch.load(init, weights_only=False)["model"]
    assert last["ref_sha"] == state_fingerprint(init_sd)
    trained = torch.load(out / "ckpt.pt", weights_only=False)
    assert trained["ref_sha"] == last["ref_sha"]
    assert not torch.equal(trained["model"]["embed.weight"], init_sd["embed.weight"])
    recs = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    val = [r for r in recs if r["kind"] == "val"][-1]["val"]
    assert set(val) == {"hi", "en", "hinglish"}
    for k in ("loss", "margin", "accuracy", "chosen_reward", "rejected_reward", "beta"):
        assert k in recs[0]
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"


def test_reference_has_no_gradient_and_rpo_term(tok, init):
    pairs = align.toy_pairs()[:4]
    enc, _, _ = dpo.encode_pairs(pairs, tok, 256)
    policy = align.load_model(init, "cpu")
    ref = align.frozen(align.load_model(init, "cpu"))
    a = type("A", (), {"beta": 0.5, "rpo_alpha": 0.0, "loss": "dpo"})()
    null = lambda: torch.autocast("cpu", enabled=False)
    loss, s = dpo.batch_stats(policy, ref, enc, a, tok.eos_id, "cpu", null, 4, 1)
    loss.backward()
    assert all(p.grad is None for p in ref.parameters())
    assert any(p.grad is not None for p in policy.parameters())
    a.rpo_alpha = 0.5
    tokens = sum(len(c) - n for c, _, n in enc)
    loss2, s2 = dpo.batch_stats(policy, ref, enc, a, tok.eos_id, "cpu", null, 4, tokens)
    assert s2["sft_loss"] == pytest.approx(-s["logp_chosen"] * 4 / tokens, rel=1e-5)
    assert loss2.item() == pytest.approx(loss.item() + 0.5 * s2["sft_loss"], rel=1e-5)


def test_parting_is_the_first_differing_reply_token():
    assert dpo.parting([1, 2, 3, 4, 9], [1, 2, 3, 5, 9], 2) == 3
    assert dpo.parting([1, 2, 7, 4], [1, 2, 3, 4], 2) == 2
    assert dpo.parting([1, 2, 3], [1, 2, 3, 4], 2) is None
    assert dpo.parting([1, 2, 3], [1, 2, 3], 1) is None


def test_decision_loss_formula():
    v = 5
    logits = torch.zeros(2, 3, v)
    # row 0, parting at input position 1: chosen token 2 (log-odds 1 over the best other, 4)
    logits[0, 1] = torch.tensor([0.0, 0.0, 3.0, 0.0, 2.0])
    # row 1, parting at position 0: the rejected token 1 is the policy's top choice
    logits[1, 0] = torch.tensor([0.0, 4.0, 1.0, 0.0, 0.0])
    y = torch.tensor([[-100, 2, 0], [2, 3, -100]])
    at, rej = torch.tensor([1, 0]), torch.tensor([4, 1])
    lose, kl, st = dpo.decision_loss(logits, logits.clone(), y, at, rej, margin=1.0)
    assert st["margin"].tolist() == pytest.approx([1.0, -3.0])
    assert lose.tolist() == pytest.approx([math.log(2), math.log(1 + math.exp(4.0))])
    assert st["was_rejected"].tolist() == [0.0, 1.0]
    assert kl.tolist() == pytest.approx([0.0, 0.0], abs=1e-6)
    # KL counts the trained positions other than the parting one, and only those
    assert st["kl_tokens"].tolist() == [1, 1]
    ref = logits.clone()
    ref[1, 0] = 0.0                        # differs only at row 1's parting position
    ref[0, 0, 3] = 9.0                     # and at a position that is not trained
    _, kl2, _ = dpo.decision_loss(logits, ref, y, at, rej, margin=1.0)
    assert kl2.tolist() == pytest.approx([0.0, 0.0], abs=1e-6)
    ref[0, 2, 0] = 2.0
    p = torch.softmax(ref[0, 2], -1)
    want = float((p * (p.log() - torch.log_softmax(logits[0, 2], -1))).sum())
    assert dpo.decision_loss(logits, ref, y, at, rej, 1.0)[1][0].item() == pytest.approx(want)


def test_decision_loss_turns_the_greedy_choice_and_keeps_the_rest(tok, init, tmp_path):
    out = tmp_path / "decision"
    hist = dpo.main(_args(init, out, "--loss", "decision", "--margin", "1", "--kl", "1",
                          "--lr", "2e-3"))
    avg = lambda k, rs: sum(r[k] for r in rs) / len(rs)
    assert hist[0]["kl"] == pytest.approx(0.0, abs=1e-6)
    assert avg("accuracy", hist[:2]) <= 0.5
    assert avg("accuracy", hist[-5:]) >= 0.9
    assert avg("margin", hist[-5:]) > avg("margin", hist[:2]) + 1.0
    assert avg("decision_loss", hist[-5:]) < 0.5 * avg("decision_loss", hist[:2])
    assert avg("kl", hist[-5:]) < 0.5
    recs = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    val = [r for r in recs if r["kind"] == "val"][-1]["val"]
    for lang in ("hi", "en", "hinglish"):
        assert {"decision_loss", "kl", "margin", "accuracy",
                "flipped_from_rejected"} <= set(val[lang])
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"
    # greedy decoding of every training prompt now takes the chosen reply's parting token
    model = align.load_model(out / "ckpt.pt", "cpu").eval()
    train, _ = align.load_split("dpo", "toy", 0, 0, 0.2)
    enc, _, _ = dpo.encode_pairs(train, tok, 256)
    right = 0
    for c, r, n in enc:
        t = dpo.parting(c, r, n)
        with torch.no_grad():
            right += int(model(torch.tensor([c[:t]]))[0, -1].argmax()) == c[t]
    assert right == len(enc)


def test_anchors_keep_the_turns_the_policy_got_right(tok, init, tmp_path):
    """The same decision-loss run with anchors (other conversations, kept by KL to the
    reference) ends with those turns much closer to the reference than without."""
    anchors = tmp_path / "anchors.jsonl"
    align.write_jsonl(anchors, [Pair(p.messages, p.rejected, p.rejected, p.tools, p.lang,
                                     "anchor") for p in align.toy_pairs()])
    enc = dpo.encode_anchors(align.load_examples("dpo", str(anchors)), tok, 128)
    ex = ("--loss", "decision", "--lr", "2e-3", "--steps", "12", "--eval-every", "0")
    free = dpo.main(_args(init, tmp_path / "free", *ex))
    held = dpo.main(_args(init, tmp_path / "held", *ex, "--anchors", str(anchors),
                          "--anchor-kl", "5"))
    assert "anchor_kl" in held[-1] and "anchor_kl" not in free[-1]
    assert held[0]["anchor_kl"] == pytest.approx(0.0, abs=1e-6)
    ref = align.frozen(align.load_model(init, "cpu"))
    a = type("A", (), {"anchor_kl": 1.0, "anchor_margin": 0.0})()
    null = lambda: torch.autocast("cpu", enabled=False)
    total = sum(len(ids) - n for ids, n in enc)
    after = {}
    for name in ("free", "held"):
        model = align.frozen(align.load_model(tmp_path / name / "ckpt.pt", "cpu"))
        after[name] = dpo.anchor_stats(model, ref, enc, a, tok.eos_id, "cpu", null,
                                       total)[1]["anchor_kl"]
    assert after["held"] < 0.5 * after["free"]
    with pytest.raises(SystemExit, match="decision"):
        dpo.main(_args(init, tmp_path / "dpo", "--anchors", str(anchors)))


def test_top1_margin_and_the_anchor_margin_term(tok, init):
    lp = torch.log_softmax(torch.tensor([[0.0, 3.0, 1.0], [2.0, 0.0, 2.5]]), -1)
    m = dpo.top1_margin(lp, torch.tensor([1, 0]))
    assert m.tolist() == pytest.approx([2.0, -0.5])
    # same model as reference: KL 0, and the hold term is softplus(γ - m) per anchor token
    model = align.frozen(align.load_model(init, "cpu"))
    pairs = align.toy_pairs()[:3]
    enc = dpo.encode_anchors([Pair(p.messages, p.chosen, p.chosen, p.tools, p.lang, "anchor")
                              for p in pairs], tok, 128)
    total = sum(len(ids) - n for ids, n in enc)
    a = type("A", (), {"anchor_kl": 1.0, "anchor_margin": 2.0, "margin": 1.0})()
    null = lambda: torch.autocast("cpu", enabled=False)
    loss, st = dpo.anchor_stats(model, model, enc, a, tok.eos_id, "cpu", null, total)
    assert st["anchor_kl"] == pytest.approx(0.0, abs=1e-6)
    x, y = align.pad_rows([dpo.reply_row(ids, n) for ids, n in enc], tok.eos_id)
    with torch.no_grad():
        mm = dpo.top1_margin(model(x).log_softmax(-1), y.clamp(min=0))[y != -100]
    assert st["anchor_hold"] == pytest.approx(float(torch.nn.functional.softplus(1.0 - mm)
                                                    .sum()) / total, rel=1e-4)
    assert st["anchor_accuracy"] == pytest.approx(float((mm > 0).sum()) / total)
    assert float(loss) == pytest.approx(2.0 * st["anchor_hold"], rel=1e-4)


def test_anchor_margin_holds_the_anchor_tokens_greedy(tok, init, tmp_path):
    """With --anchor-margin the anchor turns become (and stay) what greedy decoding says; with
    the KL term alone, at the same weight, fewer of their tokens are the policy's top
    choice. Without anchors the option is refused."""
    anchors = tmp_path / "anchors.jsonl"
    align.write_jsonl(anchors, [Pair(p.messages, p.rejected, p.rejected, p.tools, p.lang,
                                     "anchor") for p in align.toy_pairs()])
    ex = ("--loss", "decision", "--lr", "2e-3", "--steps", "12", "--eval-every", "0",
          "--anchors", str(anchors), "--anchor-kl", "1")
    hold = dpo.main(_args(init, tmp_path / "hold", *ex, "--anchor-margin", "5"))
    assert {"anchor_hold", "anchor_accuracy"} <= set(hold[-1])
    assert hold[-1]["anchor_accuracy"] > hold[0]["anchor_accuracy"] + 0.2
    enc = dpo.encode_anchors(align.load_examples("dpo", str(anchors)), tok, 128)
    x, y = align.pad_rows([dpo.reply_row(ids, n) for ids, n in enc], tok.eos_id)
    kl_only = dpo.main(_args(init, tmp_path / "kl", *ex))
    assert "anchor_hold" not in kl_only[-1]
    greedy = {}
    for name in ("hold", "kl"):
        model = align.frozen(align.load_model(tmp_path / name / "ckpt.pt", "cpu"))
        with torch.no_grad():
            greedy[name] = float((model(x).argmax(-1) == y)[y != -100].float().mean())
    assert greedy["hold"] > greedy["kl"]
    with pytest.raises(SystemExit, match="--anchors"):
        dpo.main(_args(init, tmp_path / "x", "--loss", "decision", "--anchor-margin", "1"))


def test_replay_in_the_preference_stages(tok, init, replay_corpus, tmp_path):
    """--replay adds pretraining windows to every step (logged apart, their bits per byte
    measured at validation) and keeps them lower than a negligible weight does."""
    ex = ("--loss", "decision", "--lr", "3e-3", "--steps", "10", "--eval-every", "10",
          "--replay", str(replay_corpus))
    plain = dpo.main(_args(init, tmp_path / "plain", *ex, "--replay-weight", "1e-9"))
    mixed = dpo.main(_args(init, tmp_path / "mixed", *ex, "--replay-weight", "1.0"))
    assert all(r["replay_loss"] > 0 for r in mixed)
    assert mixed[-1]["loss"] == pytest.approx(mixed[-1]["decision_loss"] + mixed[-1]["kl"]
                                              + mixed[-1]["replay_loss"], rel=1e-5)
    log = lambda run: [json.loads(x) for x in (tmp_path / run / "log.jsonl").read_text()
                       .splitlines()]
    end = lambda run: [r for r in log(run) if r["kind"] == "val"][-1]["replay"]
    assert set(end("mixed")) == {"hi", "en", "hinglish"}
    assert (sum(v["bpb"] for v in end("mixed").values())
            < sum(v["bpb"] for v in end("plain").values()))
    assert json.loads((tmp_path / "mixed" / "config.json").read_text())["replay"]["weight"] == 1
    assert plain[-1]["replay_loss"] > 0


def test_resume_reproduces_uninterrupted_run(init, tmp_path):
    import shutil

    ex = ("--steps", "8", "--eval-every", "0", "--ckpt-every", "4")
    ref = shutil.copyfile(init, tmp_path / "ref.pt")
    full = dpo.main(_args(init, tmp_path / "a", *ex))
    dpo.main(_args(init, tmp_path / "b", *ex, "--ref", str(ref), "--stop-at", "4"))
    resumed = dpo.main(["--resume", str(tmp_path / "b" / "ckpt.pt"), *COMMON])
    strip = lambda rs: [{k: v for k, v in r.items() if k != "elapsed_s"} for r in rs]
    assert strip(resumed) == strip(full[4:])
    # a reference that changed on disk since the run started is refused
    tiny_checkpoint(ref, 16384, seed=5)
    with pytest.raises(SystemExit, match="reference"):
        dpo.main(["--resume", str(tmp_path / "b" / "ckpt.pt"), *COMMON])


def test_assistant_pairs_encode(tok):
    """The alignment data's pairs (training.data.assistant.dpo_pair) share the prompt and
    differ in the reply."""
    pytest.importorskip("training.data.assistant")
    pairs = align.load_examples("dpo", "assistant", 60, seed=0)
    enc, kept, _ = dpo.encode_pairs(pairs, tok, 1024)
    assert len(kept) > 0.9 * len(pairs)
    for c, r, n in enc:
        assert c[:n] == r[:n] and c[n:] != r[n:]
        assert c[-1] == r[-1] == tok.eot_id
