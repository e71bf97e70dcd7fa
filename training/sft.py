"""Supervised fine-tuning of Chimera on chat documents, loss on the assistant's tokens only.

    python -m training.sft --init-from runs/chimera/ckpt.pt --data assistant --examples 20000 \\
        --steps 2000 --batch 16 --lr 3e-4 --out runs/chimera-sft
    python -m training.sft --resume runs/chimera-sft/ckpt.pt          # continue exactly

* Ids are exactly what the runtime's chat template gives (``training.chat.encode_messages``);
  the loss is the mean negative log-likelihood of the tokens the assistant writes (content,
  tool calls, each turn's ``<|end|>``; :func:`training.align.assistant_mask`), averaged
  over all such tokens of the optimizer step (so gradient accumulation equals a bigger batch).
* Rows are right-padded (targets -100), or with ``--pack`` whole chats are concatenated into
  rows of ``--seq`` tokens (each starts with ``<|endoftext|>``, like the pretraining stream).
  A chat longer than ``--seq + 1`` tokens is left out (counted in config.json).
* The optimiser, schedule, bf16 autocast on a GPU, ``--compile``, exact resume, JSONL log and
  PNG curve are pretraining's (:mod:`training.trainer`).
* Validation: loss and bits per byte on the assistant tokens of a held-out, hash-chosen split
  (``--val-frac``), per language.
* Replay (``--replay CORPUS``): every micro-batch also has ``--replay-rows`` windows of the
  pretraining corpus (``python -m training.data``'s directory), loss on all their tokens,
  added with weight ``--replay-weight``. Fine-tuning on assistant chats alone forgets the
  language model (chimera-v2's SFT: bits per byte 0.438 -> 0.601 on the pretraining
  validation text); replay keeps it. Its validation bits per byte per language are logged.

Logged (``log.jsonl``): ``train`` records (loss, lr, grad_norm, assistant tokens, tokens/s;
with replay ``sft_loss`` and ``replay_loss``), ``val`` records (per language: loss, bpb,
tokens; with replay ``replay``: the pretraining validation streams' loss and bpb). The
checkpoint is the pretraining format (``training.export`` exports it; every stage's
``--init-from`` reads it).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import torch

from training import align
from training.trainer import (RunLog, add_optim_args, autocast_for, explicit_args, keep_copy,
                              make_optimizer, merge_resumed_args, plot_metrics, save_checkpoint,
                              saved_args, set_rng_states, setup_device)

LN2 = math.log(2.0)


def parse_args(argv: list[str] | None = None, suppress: bool = False) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m training.sft", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init-from", type=Path, help="checkpoint to fine-tune (pretraining)")
    p.add_argument("--data", default="assistant",
                   help="toy | assistant | generators | a .jsonl of Docs | a directory from "
                        "training.data.assistant (training.align)")
    p.add_argument("--examples", type=int, default=20000,
                   help="how many documents to generate (assistant, generators)")
    p.add_argument("--data-seed", type=int, default=0)
    p.add_argument("--val-frac", type=float, default=0.02)
    p.add_argument("--tokenizer", type=Path, help="tokenizer directory (default: shipped)")
    p.add_argument("--pack", action="store_true", help="pack chats into rows of --seq")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the model (rows padded to --seq: static shapes)")
    align.add_replay_args(p)
    add_optim_args(p, lr=3e-4, warmup=50, steps=1000, decay="cosine", weight_decay=0.0,
                   batch=16, seq=512)
    if suppress:
        for act in p._actions:
            act.default = argparse.SUPPRESS
    return p.parse_args(argv)


def encode_docs(docs, tok, seq: int) -> tuple[list[tuple[list[int], list[bool]]], list, int]:
    """(ids, mask) per chat that fits in ``seq + 1`` tokens, the docs kept, how many left out."""
    out, kept, dropped = [], [], 0
    for d in docs:
        if d.messages is None:
            raise SystemExit(f"SFT trains on chats; {d.source} is running text")
        ids, mask = align.encode_chat(d.messages, d.tools, tok)
        if len(ids) > seq + 1 or not any(mask):
            dropped += 1
            continue
        out.append((ids, mask))
        kept.append(d)
    return out, kept, dropped


def make_rows(seqs, a) -> list[tuple[list[int], list[int]]]:
    if a.pack:
        return align.pack_rows(seqs, a.seq)
    return [align.targets(ids, mask) for ids, mask in seqs]


@torch.no_grad()
def evaluate(model, val_by_lang: dict[str, list], tok, a, device, autocast) -> dict:
    """Loss (nats per assistant token) and bits per byte of the assistant tokens, per language."""
    model.eval()
    tb = torch.as_tensor(tok.token_bytes(), dtype=torch.long, device=device)
    out = {}
    for lang, seqs in val_by_lang.items():
        nll, n_tok, n_bytes = 0.0, 0, 0
        for i in range(0, len(seqs), a.batch):
            x, y = align.pad_rows([align.targets(ids, m) for ids, m in seqs[i:i + a.batch]],
                                  tok.eos_id)
            x, y = x.to(device), y.to(device)
            with autocast():
                lp = align.token_logprobs(model, x, y)
            keep = y != -100
            nll -= float(lp[keep].sum())
            n_tok += int(keep.sum())
            n_bytes += int(tb[y[keep]].sum())
        out[lang] = {"loss": nll / max(1, n_tok), "bpb": nll / (LN2 * max(1, n_bytes)),
                     "tokens": n_tok}
    model.train()
    return out


def main(argv: list[str] | None = None) -> list[float]:
    a = parse_args(argv)
    given = explicit_args(parse_args, argv)
    resume = torch.load(a.resume, map_location="cpu", weights_only=False) if a.resume else None
    if resume is not None:
        merge_resumed_args(a, given, resume["args"], resume["step"],
                           path_keys=("out", "init_from", "tokenizer"))
    if not a.init_from or not a.out:
        raise SystemExit("--init-from and --out are required (or --resume)")
    device = setup_device(a.device, a.threads, a.nice)
    autocast = autocast_for(device)
    from training import tokenizer as tok_mod

    tok = tok_mod.load(a.tokenizer)
    train_docs, val_docs = align.load_split("sft", a.data, a.examples, a.data_seed,
                                                 a.val_frac)
    train, train_kept, dropped = encode_docs(train_docs, tok, a.seq)
    val, val_kept, _ = encode_docs(val_docs, tok, a.seq)
    if not train:
        raise SystemExit("no training chat fits in --seq tokens")
    val_by_lang: dict[str, list] = {}
    for d, s in zip(val_kept, val):
        val_by_lang.setdefault(d.lang, []).append(s)

    replay = align.load_replay(a, tok)

    torch.manual_seed(a.seed)
    model = align.load_model(resume if resume is not None else a.init_from, device)
    align.check_vocab(model, tok)
    opt, sched = make_optimizer(model, a, device)
    start = 0
    if resume is not None:
        opt.load_state_dict(resume["optimizer"])
        sched.load_state_dict(resume["scheduler"])
        set_rng_states(resume["rng"])
        start = resume["step"]
    train_model = torch.compile(model) if a.compile else model
    out = Path(a.out)
    log = RunLog(out, start if resume is not None else None)
    if resume is None:
        align.write_run_info(out, "sft", a, model, {
            "data": {"spec": a.data, "train": len(train), "val": len(val),
                     "left_out_too_long": dropped,
                     "assistant_tokens": sum(sum(m) for _, m in train)},
            "replay": align.replay_info(a, replay)})
    ckpt_path = out / "ckpt.pt"
    end = min(a.steps, a.stop_at) if a.stop_at else a.steps
    losses: list[float] = []
    t0 = t_last = time.time()
    tokens_since = 0

    model.train()
    for step in range(start, end):
        micro_rows = []
        for micro in range(a.accum):
            idx = align.batch_indices(len(train), a.batch, a.seed, step, micro, a.accum)
            rows = make_rows([train[i] for i in idx], a)
            micro_rows.append(align.pad_rows(rows, tok.eos_id, a.seq if a.compile else None))
        n_tok = sum(int((y != -100).sum()) for _, y in micro_rows)
        loss_sum = 0.0
        for x, y in micro_rows:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with autocast():
                loss = train_model(x, y, reduction="sum") / n_tok
            loss.backward()
            loss_sum += float(loss.detach())
        replay_sum = (0.0 if replay is None
                      else align.replay_backward(train_model, replay, a, step, device, autocast))
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss_sum)
        tokens_since += n_tok
        extra = {} if replay is None else {"sft_loss": loss_sum, "replay_loss": replay_sum}
        done = step + 1
        if done % a.log_every == 0 or done == end:
            now = time.time()
            log({"kind": "train", "step": done,
                 "loss": loss_sum + (a.replay_weight * replay_sum if replay else 0.0),
                 **extra, "lr": sched.get_last_lr()[0],
                 "grad_norm": float(norm), "assistant_tokens": n_tok,
                 "tok_per_s": tokens_since / max(1e-9, now - t_last), "elapsed_s": now - t0})
            t_last, tokens_since = now, 0
            print(f"step {done}/{a.steps} loss {loss_sum:.4f}"
                  + (f" replay {replay_sum:.4f}" if replay else "")
                  + f" lr {sched.get_last_lr()[0]:.2e}", flush=True)
        if val_by_lang and a.eval_every and (done % a.eval_every == 0 or done == end):
            v = evaluate(model, val_by_lang, tok, a, device, autocast)
            rec: dict = {"kind": "val", "step": done, "val": v}
            line = ""
            if replay is not None:
                rec["replay"], line = align.replay_eval(model, replay, a, device, autocast)
            log(rec)
            print("  val " + " ".join(f"{k}: loss {x['loss']:.3f} bpb {x['bpb']:.3f}"
                                      for k, x in v.items()) + line, flush=True)
        if done % a.ckpt_every == 0 or done == end:
            save_checkpoint(ckpt_path, model, opt, sched, done, saved_args(a),
                            {"stage": "sft", "init_from": str(a.init_from)})
            keep_copy(ckpt_path, done, a.keep_every)
            plot_metrics(log.path, out / "loss.png", "Chimera SFT (assistant tokens)", [
                ("loss (nats/assistant token)",
                 [("train", "loss")] + [("val", f"val.{lang}.loss") for lang in val_by_lang]),
                ("bits per byte (validation)",
                 [("val", f"val.{lang}.bpb") for lang in val_by_lang]
                 + ([("val", f"replay.{lang}.bpb") for lang in replay.val]
                    if replay is not None else []))])
    return losses


if __name__ == "__main__":
    main(sys.argv[1:])
