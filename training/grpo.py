"""Group relative policy optimisation of Chimera (GRPO, with DAPO's options), written here.

    python -m training.grpo --init-from runs/chimera-dpo/ckpt.pt --data assistant \\
        --examples 5000 --prompts 8 --group 8 --max-new 64 --steps 300 --lr 1e-5 \\
        --out runs/chimera-grpo
    python -m training.grpo ... --dapo          # decoupled clip, dynamic sampling, token mean
    python -m training.grpo --resume runs/chimera-grpo/ckpt.pt       # continue exactly

One step:

1. **Sample.** ``--prompts`` :class:`~training.data.tasks.Task`\\ s; for each, ``--group``
   (G) completions of its prompt (``training.chat.encode_prompt``: the runtime's template)
   from the current policy, with the model's caches (prefill once, copy G times),
   ``--temperature`` / ``--top-p``, at most ``--max-new`` tokens, stopping at ``<|end|>``.
   The sampling generator is a pure function of (seed, step, task), so a resumed run
   samples what the uninterrupted one would have.
2. **Score.** ``--reward module:function`` (default ``training.rewards:reward``) gets the
   task and the completion's text (special tokens kept, the final ``<|end|>`` dropped) and
   returns a number or ``Reward(total, components)``.
3. **Advantages**, per group: ``(r - mean) / std`` (``--scale-rewards none``: ``r - mean``);
   a group whose rewards are all equal has advantage 0. ``--dynamic-sampling`` (DAPO) skips
   such groups and draws further tasks (up to ``--max-draws`` rounds) to fill the batch.
4. **Update**, ``--updates`` passes over the batch in ``--minibatches`` optimizer steps each,
   on the clipped objective with old-policy log-probs (those of the policy that sampled)::

       ratio = exp(log π(t) - log π_old(t))
       loss(t) = -min(ratio · A, clip(ratio, 1 - ε_low, 1 + ε_high) · A)
                 + kl_coef · (exp(ref - log π) - (ref - log π) - 1)      [k3 estimator]

   ε_low = ε_high = ``--clip-eps`` (PPO), or DAPO's decoupled ``--clip-low`` /
   ``--clip-high``; averaged per sequence then over sequences (``--loss-agg seq``, GRPO) or
   over all tokens (``token``, DAPO). ``--mask-truncated`` leaves completions that hit
   ``--max-new`` out of the loss (DAPO's overlong filtering).

Logged per step (``log.jsonl``; PNG of the main curves): ``reward`` (mean of all sampled
completions), ``reward_std`` (within groups), ``reward_min/max``, ``reward_components``
(mean of each component over the completions whose task has it), ``reward_by_kind``,
``groups_sampled/kept/zero_var``, ``kl`` (k3, policy vs reference, mean per token),
``clip_frac`` (tokens whose gradient the clip removed), ``ratio_min/max``, ``len_mean/len_max``, ``truncated_frac``, ``nll`` (mean
-log π_old of the sampled tokens), ``loss``, ``grad_norm``, ``lr``, one ``sample``; ``val``
records: greedy completions of held-out tasks, reward per language and component.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from training import align
from training.trainer import (RunLog, add_optim_args, autocast_for, explicit_args, keep_copy,
                              make_optimizer, merge_resumed_args, plot_metrics, save_checkpoint,
                              saved_args, set_rng_states, setup_device, state_fingerprint)

DAPO = {"clip_low": 0.2, "clip_high": 0.28, "dynamic_sampling": True, "loss_agg": "token",
        "kl_coef": 0.0, "mask_truncated": True}


def parse_args(argv: list[str] | None = None, suppress: bool = False) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m training.grpo", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init-from", type=Path, help="policy start (the DPO or SFT checkpoint)")
    p.add_argument("--ref", default=None,
                   help="reference for the KL (default: --init-from; 'none': no reference)")
    p.add_argument("--data", default="assistant",
                   help="toy | assistant | a .jsonl of Tasks | a directory from "
                        "training.data.assistant (training.align)")
    p.add_argument("--examples", type=int, default=5000, help="tasks to generate (assistant)")
    p.add_argument("--data-seed", type=int, default=0)
    p.add_argument("--val-frac", type=float, default=0.02)
    p.add_argument("--tokenizer", type=Path, help="tokenizer directory (default: shipped)")
    p.add_argument("--reward", default="training.rewards:reward", help="module:function")
    p.add_argument("--prompts", type=int, default=8, help="tasks (groups) per step")
    p.add_argument("--group", type=int, default=8, help="completions per task (G)")
    p.add_argument("--max-new", type=int, default=64)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--updates", type=int, default=1, help="passes over each batch (μ)")
    p.add_argument("--minibatches", type=int, default=1, help="optimizer steps per pass")
    p.add_argument("--clip-eps", type=float, default=0.2, help="PPO clip ε (both sides)")
    p.add_argument("--clip-low", type=float, help="DAPO ε_low (default: --clip-eps)")
    p.add_argument("--clip-high", type=float, help="DAPO ε_high (default: --clip-eps)")
    p.add_argument("--kl-coef", type=float, default=0.0, help="weight of the k3 KL to --ref")
    p.add_argument("--scale-rewards", choices=["group", "none"], default="group",
                   help="divide advantages by the group's std (group) or not (none)")
    p.add_argument("--loss-agg", choices=["seq", "token"], default="seq",
                   help="seq: mean per sequence then over sequences (GRPO); token: over "
                        "all tokens (DAPO)")
    p.add_argument("--dynamic-sampling", action="store_true",
                   help="skip groups whose rewards are all equal and draw more tasks (DAPO)")
    p.add_argument("--max-draws", type=int, default=3,
                   help="with --dynamic-sampling: rounds of --prompts tasks per step at most")
    p.add_argument("--mask-truncated", action="store_true",
                   help="leave completions that hit --max-new out of the loss (DAPO)")
    p.add_argument("--dapo", action="store_true",
                   help="DAPO's settings where not given: clip 0.2/0.28, dynamic sampling, "
                        "token mean, no KL, truncated completions masked")
    p.add_argument("--eval-tasks", type=int, default=32, help="held-out tasks per language")
    add_optim_args(p, lr=1e-5, warmup=10, steps=200, decay="constant", weight_decay=0.0,
                   batch=None, seq=512)
    if suppress:
        for act in p._actions:
            act.default = argparse.SUPPRESS
    return p.parse_args(argv)


# ----------------------------------------------------------------------------- the objective

def group_advantages(rewards: torch.Tensor, scale: bool = True,
                     eps: float = 1e-6) -> torch.Tensor:
    """Advantages of a (groups, G) reward tensor: ``r - mean`` over each group, divided by the
    group's (population) std when ``scale``; exactly 0 for a group of equal rewards."""
    r = rewards.double()
    a = r - r.mean(-1, keepdim=True)
    if scale:
        a = a / (r.std(-1, keepdim=True, correction=0) + eps)
    flat = (r.amax(-1, keepdim=True) == r.amin(-1, keepdim=True))
    return torch.where(flat, torch.zeros_like(a), a).to(rewards.dtype)


def zero_variance(rewards: list[float]) -> bool:
    return max(rewards) == min(rewards)


def clipped_token_loss(logp: torch.Tensor, old_logp: torch.Tensor, adv: torch.Tensor,
                       mask: torch.Tensor, eps_low: float, eps_high: float,
                       ref_logp: torch.Tensor | None = None,
                       kl_coef: float = 0.0) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Per-token loss (b, l), zero outside ``mask``, and its statistics.

    ``-min(ratio·A, clip(ratio, 1-ε_low, 1+ε_high)·A)``: where the clipped term is the
    smaller one (the ratio has already moved past the range in the advantage's direction)
    the loss is a constant and the token gives no gradient.
    """
    ratio = torch.exp(logp - old_logp)
    a = adv[:, None].to(ratio.dtype)
    surr = ratio * a
    surr_clipped = torch.clamp(ratio, 1 - eps_low, 1 + eps_high) * a
    loss = -torch.minimum(surr, surr_clipped)
    m = mask.to(loss.dtype)
    stats = {"clipped": ((surr_clipped < surr) & mask).detach(),
             "ratio": ratio.detach()}
    if ref_logp is not None:
        d = ref_logp - logp
        k3 = torch.exp(d) - d - 1
        stats["kl"] = k3.detach()
        if kl_coef:
            loss = loss + kl_coef * k3
    return loss * m, stats


def aggregate(token_loss: torch.Tensor, mask: torch.Tensor, how: str, n_seqs: int,
              n_tokens: int) -> torch.Tensor:
    """``token``: sum over tokens / ``n_tokens``; ``seq``: each sequence's token mean, summed
    / ``n_seqs`` (the normalisers are those of the whole optimizer step)."""
    if how == "token":
        return token_loss.sum() / max(1, n_tokens)
    per_seq = token_loss.sum(1) / mask.sum(1).clamp(min=1)
    return per_seq.sum() / max(1, n_seqs)


# ----------------------------------------------------------------------------- sampling

@dataclass
class Rollout:
    task: object
    prompt: list[int]
    completion: list[int]
    truncated: bool
    reward: align.ScoredReward
    adv: float = 0.0


def completion_text(tok, completion: list[int], truncated: bool) -> str:
    """What the reward reads: the completion with special tokens, without the stop token."""
    return tok.decode(completion if truncated else completion[:-1])


def collect(model, tasks, prompts, step: int, a, tok, reward_fn, device, autocast):
    """Sample and score groups for one step; returns (kept rollouts, all rollouts, counts)."""
    rounds = a.max_draws if a.dynamic_sampling else 1
    kept: list[list[Rollout]] = []
    every: list[list[Rollout]] = []
    zero_var = 0
    for r in range(rounds):
        for j, ti in enumerate(align.batch_indices(len(tasks), a.prompts, a.seed, step, r,
                                                   rounds)):
            if len(kept) >= a.prompts:
                break
            task, prompt = tasks[ti], prompts[ti]
            gen = align.task_rng(a.seed, step, r, j)
            comps = align.sample_group(model, prompt, a.group, a.max_new, a.temperature,
                                       a.top_p, tok.stop_ids, gen, device, autocast)
            group = []
            for c in comps:
                trunc = not c or c[-1] not in tok.stop_ids
                rew = align.as_reward(reward_fn(task, completion_text(tok, c, trunc)))
                group.append(Rollout(task, prompt, c, trunc, rew))
            every.append(group)
            flat = zero_variance([g.reward.total for g in group])
            zero_var += flat
            if flat and a.dynamic_sampling:
                continue
            adv = group_advantages(torch.tensor([[g.reward.total for g in group]],
                                                dtype=torch.float64),
                                   a.scale_rewards == "group")[0]
            for g, v in zip(group, adv.tolist()):
                g.adv = v
            kept.append(group)
        if len(kept) >= a.prompts:
            break
    return kept, every, zero_var


def rollout_rows(rollouts: list[Rollout], mask_truncated: bool):
    rows = []
    for ro in rollouts:
        ids = ro.prompt + ro.completion
        n = len(ro.prompt)
        train = not (mask_truncated and ro.truncated)
        rows.append(align.targets(ids, [train and i >= n for i in range(len(ids))]))
    return rows


# ----------------------------------------------------------------------------- eval

@torch.no_grad()
def evaluate(model, val_by_lang, a, tok, reward_fn, device, autocast) -> dict:
    out = {}
    for lang, items in val_by_lang.items():
        tot, comps = 0.0, {}
        for task, prompt in items:
            c = align.sample_group(model, prompt, 1, a.max_new, 0.0, 1.0, tok.stop_ids, None,
                                   device, autocast)[0]
            trunc = not c or c[-1] not in tok.stop_ids
            r = align.as_reward(reward_fn(task, completion_text(tok, c, trunc)))
            tot += r.total
            for k, v in r.components.items():
                comps[k] = comps.get(k, 0.0) + v
        n = len(items)
        out[lang] = {"reward": tot / n, "components": {k: v / n for k, v in comps.items()},
                     "tasks": n}
    return out


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> list[dict]:
    a = parse_args(argv)
    given = explicit_args(parse_args, argv)
    resume = torch.load(a.resume, map_location="cpu", weights_only=False) if a.resume else None
    if resume is not None:
        merge_resumed_args(a, given, resume["args"], resume["step"],
                           path_keys=("out", "init_from", "tokenizer"))
    elif a.dapo:
        for k, v in DAPO.items():
            if k not in given:
                setattr(a, k, v)
    if a.clip_low is None:
        a.clip_low = a.clip_eps
    if a.clip_high is None:
        a.clip_high = a.clip_eps
    if not a.init_from or not a.out:
        raise SystemExit("--init-from and --out are required (or --resume)")
    use_ref = a.ref is None or str(a.ref).lower() != "none"
    if a.kl_coef and not use_ref:
        raise SystemExit("--kl-coef needs a reference (--ref)")
    device = setup_device(a.device, a.threads, a.nice)
    autocast = autocast_for(device)
    from training import tokenizer as tok_mod

    tok = tok_mod.load(a.tokenizer)
    reward_fn = align.load_reward(a.reward)
    train_tasks, val_tasks = align.load_split("grpo", a.data, a.examples, a.data_seed,
                                                  a.val_frac)

    def prompts_of(ts):
        kept, ids = [], []
        for t in ts:
            p = align.encode_turn(t.messages, None, t.tools, tok)[0]
            if len(p) + a.max_new <= a.seq + 1:
                kept.append(t)
                ids.append(p)
        return kept, ids

    train_tasks, train_prompts = prompts_of(train_tasks)
    if not train_tasks:
        raise SystemExit("no task's prompt fits in --seq - --max-new tokens")
    val_by_lang: dict[str, list] = {}
    for t, p in zip(*prompts_of(val_tasks)):
        if len(val_by_lang.setdefault(t.lang, [])) < a.eval_tasks:
            val_by_lang[t.lang].append((t, p))

    torch.manual_seed(a.seed)
    model = align.load_model(resume if resume is not None else a.init_from, device)
    align.check_vocab(model, tok)
    ref, ref_sha = None, None
    if use_ref:
        ref = align.frozen(align.load_model(Path(a.ref or a.init_from), device,
                                            cfg_check=model.cfg))
        ref_sha = state_fingerprint(ref)
    opt, sched = make_optimizer(model, a, device)
    start = 0
    if resume is not None:
        if resume.get("ref_sha") != ref_sha:
            raise SystemExit("the reference is not the one this run started with")
        opt.load_state_dict(resume["optimizer"])
        sched.load_state_dict(resume["scheduler"])
        set_rng_states(resume["rng"])
        start = resume["step"]
    out = Path(a.out)
    log = RunLog(out, start if resume is not None else None)
    if resume is None:
        align.write_run_info(out, "grpo", a, model, {
            "ref": str(a.ref or a.init_from) if use_ref else None, "ref_sha": ref_sha,
            "data": {"spec": a.data, "train": len(train_tasks),
                     "val": sum(len(v) for v in val_by_lang.values())}})
    ckpt_path = out / "ckpt.pt"
    end = min(a.steps, a.stop_at) if a.stop_at else a.steps
    history: list[dict] = []
    t0 = time.time()

    for step in range(start, end):
        t_gen = time.time()
        kept, every, zero_var = collect(model, train_tasks, train_prompts, step, a, tok,
                                        reward_fn, device, autocast)
        t_train = time.time()
        rollouts = [ro for g in kept for ro in g]
        rec = step_record(every, kept, zero_var, tok)
        if rollouts:
            rec.update(update_policy(model, ref, rollouts, a, opt, tok, device, autocast))
        sched.step()
        done = step + 1
        rec = {"kind": "train", "step": done, **rec, "lr": sched.get_last_lr()[0],
               "gen_s": t_train - t_gen, "train_s": time.time() - t_train,
               "elapsed_s": time.time() - t0}
        if done == end and ref is not None:
            rec["ref_sha"] = state_fingerprint(ref)
        history.append(rec)
        if done % a.log_every == 0 or done == end:
            log(rec)
            print(f"step {done}/{a.steps} reward {rec['reward']:.3f} kl {rec.get('kl', 0):.4f} "
                  f"clip {rec.get('clip_frac', 0):.3f} len {rec['len_mean']:.1f} "
                  f"groups {rec['groups_kept']}/{rec['groups_sampled']}", flush=True)
        if val_by_lang and a.eval_every and (done % a.eval_every == 0 or done == end):
            v = evaluate(model, val_by_lang, a, tok, reward_fn, device, autocast)
            log({"kind": "val", "step": done, "val": v})
            print("  val " + " ".join(f"{k}: reward {x['reward']:.3f}" for k, x in v.items()),
                  flush=True)
        if done % a.ckpt_every == 0 or done == end:
            save_checkpoint(ckpt_path, model, opt, sched, done, saved_args(a),
                            {"stage": "grpo", "init_from": str(a.init_from), "ref_sha": ref_sha})
            keep_copy(ckpt_path, done, a.keep_every)
            plot_metrics(log.path, out / "loss.png", "Chimera GRPO", [
                ("reward", [("train", "reward"), ("train", "reward_components.*")]
                 + [("val", f"val.{lang}.reward") for lang in val_by_lang]),
                ("KL to reference (k3) / clip fraction", [("train", "kl"),
                                                          ("train", "clip_frac")]),
                ("completion length (tokens)", [("train", "len_mean"), ("train", "len_max")])])
    return history


def step_record(every: list[list[Rollout]], kept: list[list[Rollout]], zero_var: int,
                tok) -> dict:
    """Reward and length statistics of everything sampled this step."""
    allr = [ro for g in every for ro in g]
    totals = [ro.reward.total for ro in allr]
    comps: dict[str, list[float]] = {}
    kinds: dict[str, list[float]] = {}
    for ro in allr:
        for k, v in ro.reward.components.items():
            comps.setdefault(k, []).append(v)
        kinds.setdefault(getattr(ro.task, "kind", "?"), []).append(ro.reward.total)
    lens = [len(ro.completion) for ro in allr]
    stds = [float(torch.tensor([ro.reward.total for ro in g]).std(correction=0)) for g in every]
    first = kept[0][0] if kept else allr[0]
    return {"reward": sum(totals) / len(totals), "reward_std": sum(stds) / len(stds),
            "reward_min": min(totals), "reward_max": max(totals),
            "reward_components": {k: sum(v) / len(v) for k, v in comps.items()},
            "reward_by_kind": {k: sum(v) / len(v) for k, v in kinds.items()},
            "groups_sampled": len(every), "groups_kept": len(kept), "groups_zero_var": zero_var,
            "len_mean": sum(lens) / len(lens), "len_max": max(lens),
            "truncated_frac": sum(ro.truncated for ro in allr) / len(allr),
            "sample": {"text": completion_text(tok, first.completion, first.truncated),
                       "reward": first.reward.total}}


def update_policy(model, ref, rollouts: list[Rollout], a, opt, tok, device, autocast) -> dict:
    """Old-policy (and reference) log-probs, then ``--updates`` x ``--minibatches`` steps."""
    n = len(rollouts)
    k = max(1, min(a.minibatches, n))
    bounds = [(i * n // k, (i + 1) * n // k) for i in range(k)]
    mbs = []
    with torch.no_grad():
        model.eval()
        for lo, hi in bounds:
            x, y = align.pad_rows(rollout_rows(rollouts[lo:hi], a.mask_truncated), tok.eos_id)
            x, y = x.to(device), y.to(device)
            with autocast():
                old = align.token_logprobs(model, x, y)
                rlp = align.token_logprobs(ref, x, y) if ref is not None else None
            adv = torch.tensor([ro.adv for ro in rollouts[lo:hi]], device=device)
            mbs.append((x, y, old, rlp, adv))
        model.train()
    mask_all = [y != -100 for _, y, _, _, _ in mbs]
    n_tok_all = sum(int(m.sum()) for m in mask_all)
    nll = -sum(float(old[m].sum()) for (_, _, old, _, _), m in zip(mbs, mask_all))
    stats = {"nll": nll / max(1, n_tok_all),
             "adv_abs_mean": sum(abs(ro.adv) for ro in rollouts) / n}
    if ref is not None:
        kl = 0.0
        for (_, _, old, rlp, _), m in zip(mbs, mask_all):
            d = rlp - old
            kl += float((torch.exp(d) - d - 1)[m].sum())
        stats["kl"] = kl / max(1, n_tok_all)
    clipped = counted = 0
    rmin, rmax, loss_sum, norm = float("inf"), float("-inf"), 0.0, 0.0
    for _ in range(a.updates):
        for (x, y, old, rlp, adv), m in zip(mbs, mask_all):
            with autocast():
                lp = align.token_logprobs(model, x, y)
            tl, st = clipped_token_loss(lp, old, adv, m, a.clip_low, a.clip_high, rlp,
                                        a.kl_coef)
            loss = aggregate(tl, m, a.loss_agg, x.shape[0], int(m.sum()))
            loss.backward()
            norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip))
            opt.step()
            opt.zero_grad(set_to_none=True)
            loss_sum += float(loss.detach())
            clipped += int(st["clipped"].sum())
            counted += int(m.sum())
            if m.any():
                rmin = min(rmin, float(st["ratio"][m].min()))
                rmax = max(rmax, float(st["ratio"][m].max()))
    stats.update({"loss": loss_sum / (a.updates * len(mbs)), "grad_norm": norm,
                  "clip_frac": clipped / max(1, counted),
                  "ratio_min": rmin if counted else 1.0, "ratio_max": rmax if counted else 1.0})
    return stats


if __name__ == "__main__":
    main(sys.argv[1:])
