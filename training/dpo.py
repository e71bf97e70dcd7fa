"""Direct preference optimisation of Chimera (the loss written here, no TRL).

    python -m training.dpo --init-from runs/chimera-sft/ckpt.pt --data assistant \\
        --examples 10000 --beta 0.1 --steps 1000 --batch 8 --lr 5e-6 --out runs/chimera-dpo
    python -m training.dpo --resume runs/chimera-dpo/ckpt.pt          # continue exactly

The policy starts from ``--init-from`` (the SFT checkpoint); the reference is a frozen copy
of ``--ref`` (default: the same checkpoint), never updated (its weights' sha256 is checked on
resume and logged at the end). For a :class:`~training.data.tasks.Pair` (``messages``, then
``chosen`` preferred over ``rejected``), with ``π`` / ``ref`` the summed log-probabilities
of the assistant turn's tokens (content, tool calls, ``<|end|>``: masked like SFT) under the
policy / the reference::

    loss = -log σ(β · ((π_c - ref_c) - (π_r - ref_r)))   [+ α · NLL(chosen) per token]

The second term (``--rpo-alpha``, RPO-style) keeps the chosen answers likely. β → 0 makes
the loss log 2 whatever the model (no gradient); large β approaches a hinge on the margin.

``--loss decision`` aims at the one token where the pair parts: ``t``, the first position of
the reply where the chosen and rejected ids differ (everything before it is shared, so it
cancels out of the DPO margin anyway). The runtime decodes greedily, so what decides the
reply is whether the chosen token is the policy's top token there; with ``m`` the policy's
log-probability of the chosen token minus that of the strongest other token at ``t``::

    loss = softplus(γ - m) + κ · KL(ref ‖ π) per token of the rest of the chosen turn
           [+ α · NLL(chosen) per token]

``--margin`` is γ (nats), ``--kl`` is κ: the KL term keeps every other token of the turn
where the reference put it, so the step moves the decision and little else. The failing
prompts alone do not say which decisions must stay: ``--anchors`` (``anchors.jsonl`` of
``training.mine``: replies the policy got right, on other prompts) adds ``--anchor-kl`` ×
KL(ref ‖ π) per token over whole anchor turns, first token included, a batch of them beside
every batch of pairs (``anchor_kl`` in the log). KL spreads over ~25 tokens a turn and
hardly weighs the few tokens where the anchor's reply could go another way (its language, a
call or a decline); ``--anchor-margin`` w adds w × softplus(γ - m) per anchor token, m that
token's top-1 margin, which holds every greedy decision of the anchors and the close ones
most (``anchor_hold``, and ``anchor_accuracy``: the share of anchor tokens greedy decoding
still takes). ``--replay CORPUS`` (as in ``training.sft``) adds ``--replay-weight`` × the
NLL of pretraining windows to every step (``replay_loss``; validation: its bits per byte),
so that the language model does not drift while the decisions move. Logged:
``decision_loss``, ``kl``, ``margin`` (mean m), ``accuracy`` (m > 0: greedy decoding
takes the chosen token), ``flipped_from_rejected`` (the share of pairs whose top token at
``t`` is the rejected one: the policy's own mistake, before training most of them).

Logged (``log.jsonl``, ``train`` and per-language ``val`` records): ``loss``, ``dpo_loss``,
``sft_loss`` (with α > 0), ``beta``, ``margin`` (the implicit reward margin
β((π_c - ref_c) - (π_r - ref_r)), mean), ``chosen_reward`` β(π_c - ref_c) and
``rejected_reward`` β(π_r - ref_r), ``accuracy`` (margin > 0), ``logp_chosen`` /
``logp_rejected`` (policy, per sequence), ``lr``, ``grad_norm``; the final record has
``ref_sha``. PNG: loss, rewards and margin, accuracy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from training import align
from training.trainer import (RunLog, add_optim_args, autocast_for, explicit_args, keep_copy,
                              make_optimizer, merge_resumed_args, plot_metrics, save_checkpoint,
                              saved_args, set_rng_states, setup_device, state_fingerprint)


def parse_args(argv: list[str] | None = None, suppress: bool = False) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m training.dpo", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init-from", type=Path, help="policy start (the SFT checkpoint)")
    p.add_argument("--ref", type=Path, help="frozen reference (default: --init-from)")
    p.add_argument("--data", default="assistant",
                   help="toy | assistant | a .jsonl of Pairs | a directory from "
                        "training.data.assistant (training.align)")
    p.add_argument("--examples", type=int, default=10000, help="pairs to generate (assistant)")
    p.add_argument("--data-seed", type=int, default=0)
    p.add_argument("--val-frac", type=float, default=0.02)
    p.add_argument("--tokenizer", type=Path, help="tokenizer directory (default: shipped)")
    p.add_argument("--beta", type=float, default=0.1, help="DPO temperature β")
    p.add_argument("--rpo-alpha", type=float, default=0.0,
                   help="weight of the SFT loss on the chosen turn (RPO); 0: plain DPO")
    p.add_argument("--loss", choices=("dpo", "decision"), default="dpo",
                   help="dpo: the sequence-level DPO loss; decision: a margin loss at the "
                        "first token where chosen and rejected part, KL to the reference "
                        "elsewhere")
    p.add_argument("--margin", type=float, default=1.0,
                   help="decision loss: γ, the top-1 margin in nats the chosen token should "
                        "have over every other token at the parting position")
    p.add_argument("--kl", type=float, default=1.0,
                   help="decision loss: κ, weight of KL(ref ‖ policy) per token on the rest "
                        "of the chosen turn")
    p.add_argument("--anchors", type=Path,
                   help="decision loss: a .jsonl of turns the policy got right "
                        "(training.mine's anchors.jsonl), kept by KL to the reference")
    p.add_argument("--anchor-kl", type=float, default=1.0,
                   help="weight of KL(ref ‖ policy) per token on the anchor turns")
    p.add_argument("--anchor-margin", type=float, default=0.0,
                   help="weight of softplus(γ - m) per token on the anchor turns, m the "
                        "anchor token's top-1 margin: every greedy decision of an anchor "
                        "held, the close ones most (0: off)")
    align.add_replay_args(p)
    add_optim_args(p, lr=5e-6, warmup=20, steps=500, decay="cosine", weight_decay=0.0,
                   batch=8, seq=512)
    if suppress:
        for act in p._actions:
            act.default = argparse.SUPPRESS
    return p.parse_args(argv)


def dpo_loss(pi_c: torch.Tensor, pi_r: torch.Tensor, ref_c: torch.Tensor, ref_r: torch.Tensor,
             beta: float) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Per-pair DPO loss ``-log σ(β((π_c - ref_c) - (π_r - ref_r)))`` and its implicit rewards."""
    chosen = beta * (pi_c - ref_c)
    rejected = beta * (pi_r - ref_r)
    margin = chosen - rejected
    return -F.logsigmoid(margin), {"chosen_reward": chosen.detach(),
                                   "rejected_reward": rejected.detach(),
                                   "margin": margin.detach()}


def parting(chosen: list[int], rejected: list[int], n: int) -> int | None:
    """The first index at or after ``n`` (the prompt's length) where the two differ; None if
    one is a prefix of the other (never for two replies that both end with ``<|end|>``)."""
    return next((i for i in range(n, min(len(chosen), len(rejected)))
                 if chosen[i] != rejected[i]), None)


def decision_loss(logits: torch.Tensor, ref_logits: torch.Tensor, y: torch.Tensor,
                  at: torch.Tensor, rejected: torch.Tensor, margin: float
                  ) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
    """Per pair: the margin loss at the parting position and the summed KL(ref ‖ π) over the
    other target positions, with the top-1 margin and whether the top token was the rejected
    one. ``logits`` / ``ref_logits`` (b, l, V) of the chosen rows, ``y`` their targets (-100
    where not trained), ``at`` (b,) the input position whose next token is the parting one,
    ``rejected`` (b,) the rejected token there."""
    rows = torch.arange(len(at), device=at.device)
    lp = logits[rows, at].log_softmax(-1)
    target = y[rows, at]
    m = top1_margin(lp, target)
    lose = F.softplus(margin - m)
    was_rejected = (lp.argmax(-1) == rejected).float()

    mask = (y != -100)
    mask[rows, at] = False
    return lose, kl_rows(logits, ref_logits, mask), {
        "margin": m.detach(), "was_rejected": was_rejected.detach(), "kl_tokens": mask.sum(1)}


def top1_margin(lp: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The log-probability of ``target`` minus that of the strongest other token: ``lp``
    (..., V) log-probabilities, ``target`` (...) ids. Greedy decoding takes ``target``
    exactly when it is > 0."""
    lp_t = lp.gather(-1, target[..., None])[..., 0]
    others = lp.scatter(-1, target[..., None], float("-inf"))
    return lp_t - others.max(-1).values


def kl_rows(logits: torch.Tensor, ref_logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """KL(ref ‖ π) summed over the positions of each row where ``mask`` is set: (b,)."""
    ref_lp = ref_logits.log_softmax(-1)
    kl_tok = (ref_lp.exp() * (ref_lp - logits.log_softmax(-1))).sum(-1)
    return (kl_tok * mask).sum(1)


def encode_anchors(pairs, tok, seq: int) -> list[tuple[list[int], int]]:
    """Per anchor: (ids of the conversation and its turn, prompt length); longer than seq+1
    left out."""
    out = []
    for p in pairs:
        ids, n = align.encode_turn(p.messages, p.chosen, p.tools, tok)
        if len(ids) <= seq + 1:
            out.append((ids, n))
    return out


def anchor_stats(model, ref, anchors, a, pad_id, device, autocast,
                 tok_total: int) -> tuple[torch.Tensor, dict[str, float]]:
    """The anchor terms of a micro-batch, per token of the anchor turns (``tok_total`` of the
    step): ``--anchor-kl`` × KL(ref ‖ π) [+ ``--anchor-margin`` × softplus(γ - m), m each
    anchor token's top-1 margin], and their statistics (``anchor_kl``; with the margin term
    ``anchor_hold`` and ``anchor_accuracy``, the share of anchor tokens greedy decoding
    still takes)."""
    x, y = align.pad_rows([reply_row(ids, n) for ids, n in anchors], pad_id)
    x, y = x.to(device), y.to(device)
    with autocast():
        logits = model(x)
        with torch.no_grad():
            ref_logits = ref(x)
    mask = y != -100
    kl = kl_rows(logits.float(), ref_logits.float(), mask).sum() / tok_total
    loss = a.anchor_kl * kl
    stats = {"anchor_kl": float(kl.detach())}
    if a.anchor_margin:
        m = top1_margin(logits.float().log_softmax(-1), y.clamp(min=0))
        hold = (F.softplus(a.margin - m) * mask).sum() / tok_total
        loss = loss + a.anchor_margin * hold
        stats["anchor_hold"] = float(hold.detach())
        stats["anchor_accuracy"] = float(((m > 0) & mask).sum()) / tok_total
    return loss, stats


def encode_pairs(pairs, tok, seq: int):
    """Per pair: (chosen ids, rejected ids, prompt length); pairs longer than seq+1 are left
    out, and so are pairs whose two replies encode to the same ids."""
    out, kept, dropped = [], [], 0
    for p in pairs:
        c, n = align.encode_turn(p.messages, p.chosen, p.tools, tok)
        r, n2 = align.encode_turn(p.messages, p.rejected, p.tools, tok)
        assert n == n2
        if max(len(c), len(r)) > seq + 1 or parting(c, r, n) is None:
            dropped += 1
            continue
        out.append((c, r, n))
        kept.append(p)
    return out, kept, dropped


def reply_row(ids: list[int], n: int) -> tuple[list[int], list[int]]:
    """(inputs, targets) of a conversation whose final assistant turn starts at ``n``:
    targets only on that turn."""
    return align.targets(ids, [i >= n for i in range(len(ids))])


def turn_rows(enc) -> list[tuple[list[int], list[int]]]:
    """Rows: every chosen, then every rejected; targets only on the final assistant turn."""
    return [reply_row(e[which], e[2]) for which in (0, 1) for e in enc]


def pair_logprobs(model, enc, pad_id, device, autocast) -> tuple[torch.Tensor, torch.Tensor,
                                                                  torch.Tensor, torch.Tensor]:
    """Summed log-probs of the chosen and rejected turns (b,), (b,), and their token counts."""
    x, y = align.pad_rows(turn_rows(enc), pad_id)
    x, y = x.to(device), y.to(device)
    with autocast():
        lp = align.token_logprobs(model, x, y)
    seq_lp = lp.sum(1)
    n_tok = (y != -100).sum(1)
    b = len(enc)
    return seq_lp[:b], seq_lp[b:], n_tok[:b], n_tok[b:]


def decision_stats(model, ref, enc, a, pad_id, device, autocast, n_total: int,
                   tok_total: int) -> tuple[torch.Tensor, dict[str, float]]:
    """``--loss decision`` for a micro-batch, scaled to the step like :func:`batch_stats`."""
    x, y = align.pad_rows([reply_row(c, n) for c, _, n in enc], pad_id)
    x, y = x.to(device), y.to(device)
    at = torch.tensor([parting(c, r, n) - 1 for c, r, n in enc], device=device)
    rej = torch.tensor([r[parting(c, r, n)] for c, r, n in enc], device=device)
    with autocast():
        logits = model(x)
        with torch.no_grad():
            ref_logits = ref(x)
    lose, kl, st = decision_loss(logits.float(), ref_logits.float(), y, at, rej, a.margin)
    kl_total = max(1, tok_total - n_total)
    dec = lose.sum() / n_total
    kl_term = kl.sum() / kl_total
    loss = dec + a.kl * kl_term
    sums = {"decision_loss": float(dec.detach()), "kl": float(kl_term.detach()),
            "margin": float(st["margin"].sum()) / n_total,
            "accuracy": float((st["margin"] > 0).float().sum()) / n_total,
            "flipped_from_rejected": float(st["was_rejected"].sum()) / n_total}
    if a.rpo_alpha:
        lp = logits.float().log_softmax(-1)
        nll = -(lp.gather(-1, y.clamp(min=0)[..., None])[..., 0] * (y != -100)).sum()
        sft = nll / tok_total
        loss = loss + a.rpo_alpha * sft
        sums["sft_loss"] = float(sft.detach())
    sums["loss"] = float(loss.detach())
    return loss, sums


def batch_stats(model, ref, enc, a, pad_id, device, autocast, n_total: int,
                tok_total: int) -> tuple[torch.Tensor, dict[str, float]]:
    """The loss of a micro-batch scaled to the step (pairs / chosen tokens of the whole step)
    and its summed statistics."""
    if a.loss == "decision":
        return decision_stats(model, ref, enc, a, pad_id, device, autocast, n_total, tok_total)
    pi_c, pi_r, nc, _ = pair_logprobs(model, enc, pad_id, device, autocast)
    with torch.no_grad():
        ref_c, ref_r, _, _ = pair_logprobs(ref, enc, pad_id, device, autocast)
    per_pair, st = dpo_loss(pi_c, pi_r, ref_c, ref_r, a.beta)
    dpo = per_pair.sum() / n_total
    loss = dpo
    sums = {"dpo_loss": float(dpo.detach()),
            "chosen_reward": float(st["chosen_reward"].sum()) / n_total,
            "rejected_reward": float(st["rejected_reward"].sum()) / n_total,
            "margin": float(st["margin"].sum()) / n_total,
            "accuracy": float((st["margin"] > 0).float().sum()) / n_total,
            "logp_chosen": float(pi_c.detach().sum()) / n_total,
            "logp_rejected": float(pi_r.detach().sum()) / n_total}
    if a.rpo_alpha:
        sft = -pi_c.sum() / tok_total
        loss = loss + a.rpo_alpha * sft
        sums["sft_loss"] = float(sft.detach())
    sums["loss"] = float(loss.detach())
    return loss, sums


@torch.no_grad()
def evaluate(model, ref, val_by_lang, a, pad_id, device, autocast) -> dict:
    model.eval()
    out = {}
    for lang, enc in val_by_lang.items():
        tot: dict[str, float] = {}
        tok_total = sum(len(e[0]) - e[2] for e in enc)
        for i in range(0, len(enc), a.batch):
            _, s = batch_stats(model, ref, enc[i:i + a.batch], a, pad_id, device, autocast,
                               len(enc), tok_total)
            for k, v in s.items():
                tot[k] = tot.get(k, 0.0) + v
        out[lang] = {**tot, "pairs": len(enc)}
    model.train()
    return out


def main(argv: list[str] | None = None) -> list[dict]:
    a = parse_args(argv)
    given = explicit_args(parse_args, argv)
    resume = torch.load(a.resume, map_location="cpu", weights_only=False) if a.resume else None
    if resume is not None:
        merge_resumed_args(a, given, resume["args"], resume["step"],
                           path_keys=("out", "init_from", "ref", "tokenizer", "anchors"))
    if not a.init_from or not a.out:
        raise SystemExit("--init-from and --out are required (or --resume)")
    device = setup_device(a.device, a.threads, a.nice)
    autocast = autocast_for(device)
    from training import tokenizer as tok_mod

    tok = tok_mod.load(a.tokenizer)
    train_pairs, val_pairs = align.load_split("dpo", a.data, a.examples, a.data_seed,
                                                  a.val_frac)
    train, _, dropped = encode_pairs(train_pairs, tok, a.seq)
    val, val_kept, _ = encode_pairs(val_pairs, tok, a.seq)
    if not train:
        raise SystemExit("no preference pair fits in --seq tokens")
    val_by_lang: dict[str, list] = {}
    for p, e in zip(val_kept, val):
        val_by_lang.setdefault(p.lang, []).append(e)
    anchors: list[tuple[list[int], int]] = []
    if a.anchors:
        if a.loss != "decision":
            raise SystemExit("--anchors goes with --loss decision")
        if not Path(a.anchors).is_file():
            raise SystemExit(f"--anchors {a.anchors}: no such file")
        anchors = encode_anchors(align.load_examples("dpo", str(a.anchors)), tok, a.seq)
        if not anchors:
            raise SystemExit(f"--anchors {a.anchors}: no anchor fits in --seq tokens")
    if a.anchor_margin and not anchors:
        raise SystemExit("--anchor-margin needs --anchors")
    replay = align.load_replay(a, tok)

    torch.manual_seed(a.seed)
    model = align.load_model(resume if resume is not None else a.init_from, device)
    align.check_vocab(model, tok)
    ref = align.frozen(align.load_model(a.ref or a.init_from, device, cfg_check=model.cfg))
    ref_sha = state_fingerprint(ref)
    opt, sched = make_optimizer(model, a, device)
    start = 0
    if resume is not None:
        if resume.get("ref_sha") != ref_sha:
            raise SystemExit(f"the reference {a.ref or a.init_from} is not the one this run "
                             "started with")
        opt.load_state_dict(resume["optimizer"])
        sched.load_state_dict(resume["scheduler"])
        set_rng_states(resume["rng"])
        start = resume["step"]
    out = Path(a.out)
    log = RunLog(out, start if resume is not None else None)
    if resume is None:
        align.write_run_info(out, "dpo", a, model, {
            "ref": str(a.ref or a.init_from), "ref_sha": ref_sha,
            "data": {"spec": a.data, "train": len(train), "val": len(val),
                     "left_out": dropped, "anchors": len(anchors)},
            "replay": align.replay_info(a, replay)})
    ckpt_path = out / "ckpt.pt"
    end = min(a.steps, a.stop_at) if a.stop_at else a.steps
    history: list[dict] = []
    t0 = time.time()

    model.train()
    for step in range(start, end):
        micro = [[train[i] for i in align.batch_indices(len(train), a.batch, a.seed, step, m,
                                                        a.accum)] for m in range(a.accum)]
        n_total = a.batch * a.accum
        tok_total = sum(len(e[0]) - e[2] for mb in micro for e in mb)
        rec: dict[str, float] = {}
        held = [[anchors[i] for i in align.batch_indices(len(anchors), a.batch, a.seed + 1,
                                                         step, m, a.accum)]
                for m in range(a.accum)] if anchors else []
        held_total = sum(len(ids) - n for mb in held for ids, n in mb)
        for m, enc in enumerate(micro):
            loss, s = batch_stats(model, ref, enc, a, tok.eos_id, device, autocast, n_total,
                                  tok_total)
            if held:
                extra, st = anchor_stats(model, ref, held[m], a, tok.eos_id, device, autocast,
                                         held_total)
                loss = loss + extra
                s.update(st)
                s["loss"] += float(extra.detach())
            loss.backward()
            for k, v in s.items():
                rec[k] = rec.get(k, 0.0) + v
        if replay is not None:
            rec["replay_loss"] = align.replay_backward(model, replay, a, step, device, autocast)
            rec["loss"] += a.replay_weight * rec["replay_loss"]
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        done = step + 1
        rec = {"kind": "train", "step": done, **rec, "beta": a.beta,
               "lr": sched.get_last_lr()[0], "grad_norm": float(norm),
               "elapsed_s": time.time() - t0}
        if done == end:
            rec["ref_sha"] = state_fingerprint(ref)
        history.append(rec)
        if done % a.log_every == 0 or done == end:
            log(rec)
            print(f"step {done}/{a.steps} loss {rec['loss']:.4f} margin {rec['margin']:.4f} "
                  f"acc {rec['accuracy']:.2f}"
                  + (f" kl {rec['kl']:.4f}" if a.loss == "decision" else "")
                  + (f" anchor kl {rec['anchor_kl']:.4f}" if anchors else "")
                  + (f" anchor acc {rec['anchor_accuracy']:.3f}" if a.anchor_margin else "")
                  + (f" replay {rec['replay_loss']:.4f}" if replay is not None else ""),
                  flush=True)
        if val_by_lang and a.eval_every and (done % a.eval_every == 0 or done == end):
            v = evaluate(model, ref, val_by_lang, a, tok.eos_id, device, autocast)
            vrec: dict = {"kind": "val", "step": done, "val": v}
            line = ""
            if replay is not None:
                vrec["replay"], line = align.replay_eval(model, replay, a, device, autocast)
            log(vrec)
            print("  val " + " ".join(f"{k}: loss {x['loss']:.3f} acc {x['accuracy']:.2f}"
                                      for k, x in v.items()) + line, flush=True)
        if done % a.ckpt_every == 0 or done == end:
            save_checkpoint(ckpt_path, model, opt, sched, done, saved_args(a),
                            {"stage": "dpo", "init_from": str(a.init_from), "ref_sha": ref_sha})
            keep_copy(ckpt_path, done, a.keep_every)
            if a.loss == "decision":
                title = f"Chimera decision loss (γ = {a.margin}, κ = {a.kl})"
                middle = ("top-1 margin at the parting token / KL",
                          [("train", "margin"), ("train", "kl"), ("train", "anchor_kl")]
                          + [("val", f"val.{lang}.margin") for lang in val_by_lang])
                first = ("loss", [("train", "loss"), ("train", "decision_loss")]
                         + [("val", f"val.{lang}.loss") for lang in val_by_lang])
            else:
                title = f"Chimera DPO (β = {a.beta})"
                middle = ("implicit reward", [("train", "chosen_reward"),
                                              ("train", "rejected_reward"), ("train", "margin")])
                first = ("loss", [("train", "loss"), ("train", "dpo_loss")]
                         + [("val", f"val.{lang}.loss") for lang in val_by_lang])
            plot_metrics(log.path, out / "loss.png", title, [
                first, middle,
                ("accuracy (margin > 0)", [("train", "accuracy"), ("train", "anchor_accuracy")]
                 + [("val", f"val.{lang}.accuracy") for lang in val_by_lang])])
    return history


if __name__ == "__main__":
    main(sys.argv[1:])
