"""Pretrain Chimera: one script for CPU and GPU, single process or ``torchrun`` DDP.

    python -m training.pretrain --depth 4 --steps 3000 --out runs/chimera
    torchrun --nproc_per_node 2 -m training.pretrain --depth 2 --steps 20 --out runs/ddp
    python -m training.pretrain --resume runs/chimera/ckpt.pt       # continue exactly

What it does and why:

* AdamW (decoupled weight decay on matrices only), linear warmup then cosine or linear
  decay to ``min_lr_frac * lr``, gradient clipping, gradient accumulation, bf16 autocast on
  a GPU (fp32 on CPU). Kernels from ``kernels/`` are used automatically on CUDA.
* Batches are a pure function of (seed, step, micro-step, rank): random windows from the
  token stream. So the "data position" is the step itself, and a run resumed from a
  checkpoint (model, optimizer, scheduler, RNG states) produces the same losses as an
  uninterrupted one, bit for bit on CPU.
* Validation loss and bits per byte per language (hi / en / hinglish): the summed negative
  log-likelihood divided by ln 2 times the UTF-8 bytes of the predicted tokens (special
  tokens count zero bytes and are not scored), which compares tokenizers fairly.
* A JSONL log (one line per logged step and per validation) and a PNG loss curve.
* On CPU it is a good neighbour: ``--threads`` (default 1) and ``--nice`` (default 15).
* ``--teacher CKPT`` distils from a trained model (the speculative-decoding draft): loss =
  (1 - a) * cross-entropy + a * KL(teacher || student) over the full next-token distribution.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from training.config import ModelConfig, from_depth
from training.model import Chimera
from training.trainer import (RunLog, autocast_for, keep_copy, lr_lambda,  # noqa: F401
                              make_optimizer, merge_resumed_args, param_groups, rng_states,
                              save_checkpoint, saved_args, saved_decay_started,
                              set_rng_states, setup_device)

LN2 = math.log(2.0)


# ----------------------------------------------------------------------------- data

@dataclass
class Corpus:
    """A training token stream, validation streams per language, and bytes per token."""

    train: np.ndarray                       # 1-D token ids (documents joined by <eos>)
    val: dict[str, np.ndarray]              # language -> 1-D token ids
    token_bytes: np.ndarray                 # (vocab,) UTF-8 bytes of each token; 0 = special
    vocab_size: int
    description: dict = field(default_factory=dict)


def synthetic_corpus(n_train_bytes: int = 200_000, seed: int = 0) -> Corpus:
    """A byte-level corpus of templated Hindi / English / Hinglish sentences (for tests).

    Vocabulary: that of ``training.export.byte_tokenizer`` (256 bytes, " t" = 256, unused
    here, and <|endoftext|> = 257), so a model trained on it exports with that tokenizer.
    It has enough structure that a tiny model's loss falls quickly, which smoke tests need.
    """
    rng = random.Random(seed)
    langs = {
        "en": (["the timer", "my alarm", "the weather", "a reminder", "the music"],
               ["is set for", "starts at", "ends at", "will ring at"],
               ["seven", "eight", "nine", "ten", "eleven"]),
        "hi": (["टाइमर", "अलार्म", "मौसम", "रिमाइंडर", "गाना"],
               ["लगा है", "शुरू होगा", "खत्म होगा", "बजेगा"],
               ["सात", "आठ", "नौ", "दस", "ग्यारह"]),
        "hinglish": (["timer", "alarm", "mausam", "reminder", "gaana"],
                     ["laga hai", "shuru hoga", "khatam hoga", "bajega"],
                     ["saat", "aath", "nau", "das", "gyarah"]),
    }
    eos = 257

    def stream(n_bytes: int, r: random.Random, only: str | None = None) -> np.ndarray:
        out: list[int] = []
        while len(out) < n_bytes:
            lang = only or r.choice(list(langs))
            a, b, c = langs[lang]
            text = (f"{r.choice(a)} {r.choice(b)} {r.choice(c)} "
                    f"{'baje' if lang != 'en' else 'pm'}, #{r.randrange(1000)}.")
            out.extend(text.encode("utf-8"))
            out.append(eos)
        return np.array(out[:n_bytes], dtype=np.uint16)

    train = stream(n_train_bytes, rng)
    val = {lang: stream(4096, random.Random(seed + 1 + i), lang) for i, lang in enumerate(langs)}
    token_bytes = np.ones(258, dtype=np.int64)
    token_bytes[256], token_bytes[eos] = 2, 0
    return Corpus(train, val, token_bytes, 258, {"source": "synthetic", "seed": seed})


def load_corpus(spec: str, seed: int = 0) -> Corpus:
    """``synthetic`` or the data helper's corpus (see training.data)."""
    if spec == "synthetic":
        return synthetic_corpus(seed=seed)
    return corpus_from_data_dir(Path(spec))


def corpus_from_data_dir(path: Path) -> Corpus:
    """The corpus built by ``python -m training.data`` (shards, manifest, tokenizer)."""
    from training.data import corpus as data_corpus

    c = data_corpus.load(path)
    return Corpus(c.train, c.val, c.token_bytes, c.vocab_size, c.description)


def get_batch(tokens: np.ndarray, batch: int, seq: int, seed: int, step: int, micro: int,
              rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of seq+1 tokens; a pure function of its arguments (exact resume)."""
    rng = np.random.default_rng([seed, step, micro, rank])
    starts = rng.integers(0, len(tokens) - seq - 1, size=batch)
    win = np.stack([tokens[s:s + seq + 1] for s in starts]).astype(np.int64)
    w = torch.from_numpy(win)
    return w[:, :-1], w[:, 1:]


# ----------------------------------------------------------------------------- eval

def eval_windows(n: int, seq: int, max_tokens: int) -> list[int]:
    """Starts of the windows to score: all of a short stream, else ``max_tokens // seq``
    windows evenly spread over it (validation streams are grouped by source, so a prefix
    would measure only the first few sources)."""
    if n - 1 <= max_tokens:
        return list(range(0, n - 1, seq))
    k = max(1, max_tokens // seq)
    return [int(x) for x in np.linspace(0, n - seq - 1, k)]


@torch.no_grad()
def evaluate(model: Chimera, corpus: Corpus, seq: int, max_tokens: int, device,
             autocast) -> dict[str, dict[str, float]]:
    """Loss (nats/token) and bits per byte on each language's validation tokens."""
    model.eval()
    tb = torch.from_numpy(corpus.token_bytes.astype(np.int64)).to(device)
    out = {}
    for lang, toks in corpus.val.items():
        nll, n_tok, n_bytes = 0.0, 0, 0
        for s in eval_windows(len(toks), seq, max_tokens):
            w = torch.from_numpy(np.asarray(toks[s:s + seq + 1]).astype(np.int64)).to(device)[None]
            x, y = w[:, :-1], w[:, 1:]
            with autocast():
                logits = model(x)
            lp = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1),
                                 reduction="none")
            nb = tb[y.reshape(-1)]
            scored = nb > 0
            nll += float(lp[scored].sum())
            n_tok += int(scored.sum())
            n_bytes += int(nb.sum())
        out[lang] = {"loss": nll / max(1, n_tok), "bpb": nll / (LN2 * max(1, n_bytes)),
                     "tokens": n_tok, "bytes": n_bytes}
    model.train()
    return out


# ----------------------------------------------------------------------------- plot

def plot_log(log_path: Path, png_path: Path) -> None:
    """Training loss (and validation loss per language) against tokens seen."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train, val = [], {}
    for line in log_path.read_text().splitlines():
        r = json.loads(line)
        if r.get("kind") == "train":
            train.append((r["tokens"], r["loss"]))
        elif r.get("kind") == "val":
            for lang, v in r["val"].items():
                val.setdefault(lang, []).append((r["tokens"], v["loss"], v["bpb"]))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    if train:
        ax1.plot(*zip(*train), label="train", lw=0.8)
    for lang, pts in val.items():
        t, lo, bpb = zip(*pts)
        ax1.plot(t, lo, marker="o", ms=3, label=f"val {lang}")
        ax2.plot(t, bpb, marker="o", ms=3, label=lang)
    ax1.set(xlabel="tokens seen", ylabel="loss (nats/token)", title="Chimera pretraining")
    ax2.set(xlabel="tokens seen", ylabel="bits per byte", title="validation bits per byte")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)


# ----------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None = None, suppress: bool = False) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m training.pretrain", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--depth", type=int, default=4, help="the one dial (training.config)")
    p.add_argument("--width", type=int, help="pin n_embd (default: derived from depth)")
    p.add_argument("--size", help="a named size from training.config (sets depth and width)")
    p.add_argument("--init-from", type=Path,
                   help="start from this checkpoint's weights (fresh optimizer and schedule)")
    p.add_argument("--config-json", help="explicit ModelConfig overrides as JSON")
    p.add_argument("--data", default="synthetic",
                   help="'synthetic' or the data directory built by training.data")
    p.add_argument("--out", type=Path, default=Path("runs/chimera"))
    p.add_argument("--resume", type=Path, help="checkpoint to continue from (exactly)")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch", type=int, default=8, help="sequences per micro-batch per rank")
    p.add_argument("--seq", type=int, default=256)
    p.add_argument("--accum", type=int, default=1, help="micro-batches per optimizer step")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--min-lr-frac", type=float, default=0.1)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--decay", choices=["cosine", "linear", "wsd"], default="cosine")
    p.add_argument("--decay-frac", type=float, default=0.25, help="wsd: decaying fraction")
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--beta2", type=float, default=0.95)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--eval-tokens", type=int, default=16384, help="per language")
    p.add_argument("--ckpt-every", type=int, default=100)
    p.add_argument("--keep-every", type=int, default=0,
                   help="also keep a copy of the checkpoint every N steps (0: never)")
    p.add_argument("--stop-at", type=int, default=0,
                   help="stop after this step (schedule still planned for --steps)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--nice", type=int, default=15, help="CPU niceness (0: leave as is)")
    p.add_argument("--device", default="auto")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the training step (about 2x faster on CPU after a "
                        "couple of minutes of compiling)")
    p.add_argument("--teacher", type=Path, help="checkpoint to distil from")
    p.add_argument("--distill-alpha", type=float, default=0.7)
    p.add_argument("--distill-temp", type=float, default=1.0)
    if suppress:  # only what the command line sets explicitly
        for act in p._actions:
            act.default = argparse.SUPPRESS
    return p.parse_args(argv)


def build_config(a: argparse.Namespace, vocab: int) -> ModelConfig:
    overrides = json.loads(a.config_json) if a.config_json else {}
    overrides.setdefault("context_length", a.seq)
    if a.size:
        from training.config import named

        return named(a.size, vocab, **overrides)
    return from_depth(a.depth, vocab, a.width, **overrides)


def main(argv: list[str] | None = None) -> list[float]:
    a = parse_args(argv)
    given = vars(parse_args(argv, suppress=True))   # what the command line set explicitly
    ddp = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    rank = int(os.environ.get("RANK", 0))
    world = int(os.environ.get("WORLD_SIZE", 1))
    device = setup_device(a.device, a.threads, a.nice)
    if ddp:
        import torch.distributed as dist

        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    master = rank == 0

    resume = torch.load(a.resume, map_location="cpu", weights_only=False) if a.resume else None
    if resume is not None:
        # the run continues with its saved settings; only operational ones may change
        merge_resumed_args(a, given, resume["args"], resume["step"],
                           path_keys=("out", "teacher", "init_from"))
    corpus = load_corpus(a.data, a.seed)
    cfg = (ModelConfig.from_dict(resume["config"]) if resume is not None
           else build_config(a, corpus.vocab_size))
    if cfg.vocab_size != corpus.vocab_size:
        raise SystemExit(f"model vocab {cfg.vocab_size} != corpus vocab {corpus.vocab_size}")

    torch.manual_seed(a.seed)
    model = Chimera(cfg)
    model.reset_parameters(seed=a.seed)
    model.to(device)
    opt, sched = make_optimizer(model, a, device)
    start = 0
    if a.init_from and resume is None:
        init = torch.load(a.init_from, map_location="cpu", weights_only=False)
        if ModelConfig.from_dict(init["config"]) != cfg:
            raise SystemExit(f"--init-from {a.init_from}: its config differs from this run's")
        model.load_state_dict(init["model"])
    if resume is not None:
        model.load_state_dict(resume["model"])
        opt.load_state_dict(resume["optimizer"])
        sched.load_state_dict(resume["scheduler"])
        set_rng_states(resume["rng"])
        start = resume["step"]
    teacher = None
    if a.teacher:
        from training.export import load_checkpoint_model

        teacher = load_checkpoint_model(a.teacher).to(device)
        distill_check_vocab(teacher.cfg.vocab_size, cfg.vocab_size)
        teacher.requires_grad_(False)
        if a.compile:
            teacher = torch.compile(teacher)
    train_model = torch.compile(model) if a.compile else model
    if ddp:
        from torch.nn.parallel import DistributedDataParallel as DDP

        train_model = DDP(train_model, device_ids=[device.index] if device.type == "cuda" else None)

    autocast = autocast_for(device)

    out = Path(a.out)
    log_path, ckpt_path = out / "log.jsonl", out / "ckpt.pt"
    if master:
        out.mkdir(parents=True, exist_ok=True)
        if resume is None:
            log_path.write_text("")
            (out / "config.json").write_text(json.dumps(
                {"config": cfg.to_dict(), "args": {k: str(v) if isinstance(v, Path) else v
                                                   for k, v in vars(a).items()},
                 "corpus": corpus.description, "params": model.num_params()}, indent=2))
        else:  # drop log lines past the checkpoint so the log reads as one run
            lines = [ln for ln in log_path.read_text().splitlines()
                     if json.loads(ln).get("step", 0) <= start]
            log_path.write_text("".join(ln + "\n" for ln in lines))
    args_saved = saved_args(a)
    tokens_per_step = a.batch * a.seq * a.accum * world
    end = min(a.steps, a.stop_at) if a.stop_at else a.steps
    losses: list[float] = []
    t0, t_last, last_logged = time.time(), time.time(), start

    def log(rec: dict) -> None:
        if master:
            with open(log_path, "a") as f:
                f.write(json.dumps(rec) + "\n")

    model.train()
    for step in range(start, end):
        loss_sum = torch.zeros((), device=device)
        for micro in range(a.accum):
            x, y = get_batch(corpus.train, a.batch, a.seq, a.seed, step, micro, rank)
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            sync = (not ddp) or micro == a.accum - 1
            ctx = train_model.no_sync() if (ddp and not sync) else _null()
            with ctx, autocast():
                if teacher is None:
                    loss = train_model(x, y)
                else:
                    loss = distill_loss(train_model, teacher, x, y, a.distill_alpha,
                                        a.distill_temp)
            (loss / a.accum).backward()
            loss_sum += loss.detach() / a.accum
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if ddp:
            import torch.distributed as dist

            dist.all_reduce(loss_sum, op=dist.ReduceOp.AVG if device.type == "cuda"
                            else dist.ReduceOp.SUM)
            if device.type != "cuda":
                loss_sum /= world
        lv = float(loss_sum)
        losses.append(lv)
        done = step + 1
        if done % a.log_every == 0 or done == end:
            now = time.time()
            n, last_logged = done - last_logged, done
            log({"kind": "train", "step": done, "loss": lv, "lr": sched.get_last_lr()[0],
                 "grad_norm": float(norm), "tokens": done * tokens_per_step,
                 "tok_per_s": n * tokens_per_step / max(1e-9, now - t_last),
                 "elapsed_s": now - t0})
            t_last = now
            if master:
                print(f"step {done}/{a.steps} loss {lv:.4f} lr {sched.get_last_lr()[0]:.2e}",
                      flush=True)
        if master and a.eval_every and (done % a.eval_every == 0 or done == end):
            val = evaluate(model, corpus, a.seq, a.eval_tokens, device, autocast)
            log({"kind": "val", "step": done, "tokens": done * tokens_per_step, "val": val})
            print("  val " + " ".join(f"{k}: loss {v['loss']:.3f} bpb {v['bpb']:.3f}"
                                      for k, v in val.items()), flush=True)
        if master and (done % a.ckpt_every == 0 or done == end):
            save_checkpoint(ckpt_path, model, opt, sched, done, args_saved,
                            {"tokens_seen": done * tokens_per_step,
                             "corpus": corpus.description})
            keep_copy(ckpt_path, done, a.keep_every)
            plot_log(log_path, out / "loss.png")
    if ddp:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()
    return losses


def distill_check_vocab(teacher_vocab: int, student_vocab: int) -> None:
    if teacher_vocab != student_vocab:
        raise SystemExit(f"teacher and student must share the vocabulary "
                         f"({teacher_vocab} != {student_vocab})")


def distill_loss(student, teacher: Chimera, x, y, alpha: float, temp: float) -> torch.Tensor:
    """(1 - alpha) * CE(student, y) + alpha * T^2 * KL(teacher_T || student_T)."""
    s_logits = student(x)
    with torch.no_grad():
        t_logits = teacher(x)
    V = s_logits.shape[-1]
    ce = F.cross_entropy(s_logits.reshape(-1, V), y.reshape(-1))
    kl = F.kl_div(F.log_softmax(s_logits.reshape(-1, V) / temp, -1),
                  F.log_softmax(t_logits.reshape(-1, V).float() / temp, -1),
                  log_target=True, reduction="batchmean") * temp * temp
    return (1 - alpha) * ce + alpha * kl


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main(sys.argv[1:])
