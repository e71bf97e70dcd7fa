"""The training machinery every stage shares (pretraining, SFT, DPO, GRPO).

Factored out of :mod:`training.pretrain` so that the alignment stages run with the very same
optimiser, schedule, checkpoint format, exact resume and logging:

* :func:`param_groups`, :func:`make_optimizer`: AdamW with decoupled weight decay on
  matrices only, linear warmup then cosine / linear / warmup-stable-decay (:func:`lr_lambda`);
* :func:`setup_device`, :func:`autocast_for`: CPU threads and niceness, or a CUDA device with
  TF32 matmuls and bf16 autocast;
* :func:`save_checkpoint`, :func:`rng_states`: one atomic checkpoint format (model, optimizer,
  scheduler, step, RNG states, arguments) that ``training.export`` loads and every stage
  accepts as ``--init-from``;
* :func:`merge_resumed_args`: a resumed run continues with its saved settings, only the
  operational ones may change (and the planned length of a WSD run before its decay);
* :class:`RunLog` (JSONL, truncated to the checkpoint on resume so it reads as one run) and
  :func:`plot_metrics` (a PNG of any logged metrics against the step).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import torch

# Settings a resumed run may change: they do not alter what it computes.
OPERATIONAL = {"threads", "nice", "device", "eval_every", "ckpt_every", "log_every",
               "keep_every", "eval_tokens", "compile"}


# ----------------------------------------------------------------------------- schedule

def lr_lambda(step: int, warmup: int, total: int, decay: str, min_frac: float,
              decay_frac: float = 0.25) -> float:
    """Warmup, then cosine / linear decay to ``min_frac``, or "wsd": constant until the last
    ``decay_frac`` of the steps, then linear. With wsd the planned length may be changed on
    resume (``--steps``) as long as the decay has not started: the run is then identical to
    one planned that long from the start (useful on a shared CPU of unknown speed)."""
    if step < warmup:
        return (step + 1) / warmup
    if decay == "wsd":
        start = int(total * (1 - decay_frac))
        if step < start:
            return 1.0
        return 1.0 - (1 - min_frac) * min(1.0, (step - start) / max(1, total - start))
    frac = min(1.0, (step - warmup) / max(1, total - warmup))
    if decay == "cosine":
        return min_frac + (1 - min_frac) * 0.5 * (1 + math.cos(math.pi * frac))
    if decay == "linear":
        return 1.0 - (1 - min_frac) * frac
    if decay == "constant":
        return 1.0
    raise ValueError(f"decay must be cosine, linear, wsd or constant, got {decay!r}")


def saved_decay_started(args: dict, step: int) -> bool:
    """Whether a saved run's schedule already depends on its planned length at ``step``."""
    if args.get("decay") == "constant":
        return False
    if args.get("decay") != "wsd":
        return True
    return step > int(args["steps"] * (1 - args.get("decay_frac", 0.25)))


def param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    """Weight decay on projection / embedding matrices, none on norms, SSM scalars, conv."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (decay if p.dim() == 2 and not name.endswith("conv_weight") else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0}]


def make_optimizer(model: torch.nn.Module, a: argparse.Namespace, device: torch.device):
    """AdamW and its LambdaLR schedule from the usual options (lr, weight_decay, beta2,
    warmup, steps, decay, min_lr_frac, decay_frac)."""
    opt = torch.optim.AdamW(param_groups(model, a.weight_decay), lr=a.lr,
                            betas=(0.9, a.beta2), eps=1e-8, fused=device.type == "cuda")
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: lr_lambda(s, a.warmup, a.steps, a.decay, a.min_lr_frac, a.decay_frac))
    return opt, sched


def add_optim_args(p: argparse.ArgumentParser, *, lr: float, warmup: int, steps: int,
                   decay: str = "cosine", weight_decay: float = 0.1, batch: int | None = 8,
                   seq: int = 512) -> None:
    """The optimiser / schedule / bookkeeping options of an alignment stage (``batch=None``:
    no --batch / --accum, the stage batches otherwise)."""
    p.add_argument("--out", type=Path, required=False)
    p.add_argument("--resume", type=Path, help="checkpoint to continue from (exactly)")
    p.add_argument("--steps", type=int, default=steps)
    if batch is not None:
        p.add_argument("--batch", type=int, default=batch, help="examples per micro-batch")
        p.add_argument("--accum", type=int, default=1, help="micro-batches per optimizer step")
    p.add_argument("--seq", type=int, default=seq, help="longest sequence (tokens)")
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--min-lr-frac", type=float, default=0.1)
    p.add_argument("--warmup", type=int, default=warmup)
    p.add_argument("--decay", choices=["cosine", "linear", "wsd", "constant"], default=decay)
    p.add_argument("--decay-frac", type=float, default=0.25, help="wsd: decaying fraction")
    p.add_argument("--weight-decay", type=float, default=weight_decay)
    p.add_argument("--beta2", type=float, default=0.95)
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping")
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--ckpt-every", type=int, default=50)
    p.add_argument("--keep-every", type=int, default=0,
                   help="also keep a copy of the checkpoint every N steps (0: never)")
    p.add_argument("--stop-at", type=int, default=0,
                   help="stop after this step (schedule still planned for --steps)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--nice", type=int, default=15, help="CPU niceness (0: leave as is)")
    p.add_argument("--device", default="auto")


def explicit_args(parser_fn: Callable[..., argparse.Namespace],
                  argv: list[str] | None) -> dict[str, Any]:
    """Only the options the command line set (``parser_fn(argv, suppress=True)``)."""
    return vars(parser_fn(argv, suppress=True))


# ----------------------------------------------------------------------------- device

def setup_device(name: str, threads: int, nice: int) -> torch.device:
    """``auto``: the local rank's GPU if there is one, else the CPU (with ``threads`` and
    ``nice``, a good neighbour on a shared machine)."""
    if name == "auto":
        device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
                              if torch.cuda.is_available() else "cpu")
    else:
        device = torch.device(name)
    if device.type == "cpu":
        torch.set_num_threads(threads)
        if nice:
            try:
                os.nice(nice)
            except OSError:
                pass
    else:
        torch.cuda.set_device(device)
        torch.backends.cuda.matmul.allow_tf32 = True
    return device


def autocast_for(device: torch.device) -> Callable[[], Any]:
    """A context factory: bf16 autocast on a GPU, plain fp32 on the CPU."""
    def autocast():
        if device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return torch.autocast("cpu", enabled=False)
    return autocast


# ----------------------------------------------------------------------------- checkpoints

def rng_states() -> dict:
    st = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
          "python": random.getstate()}
    if torch.cuda.is_available():
        st["cuda"] = torch.cuda.get_rng_state_all()
    return st


def set_rng_states(st: dict) -> None:
    torch.set_rng_state(st["torch"])
    np.random.set_state(st["numpy"])
    random.setstate(st["python"])
    if "cuda" in st and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(st["cuda"])


def save_checkpoint(path: Path, model, opt, sched, step: int, args: dict,
                    extra: dict | None = None) -> None:
    """Atomic write (tmp + rename) so an interrupted save never leaves a broken file."""
    ck = {"config": model.cfg.to_dict(), "model": model.state_dict(),
          "optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "step": step,
          "rng": rng_states(), "args": args, **(extra or {})}
    tmp = path.with_suffix(".tmp")
    torch.save(ck, tmp)
    os.replace(tmp, path)


def keep_copy(ckpt_path: Path, step: int, keep_every: int) -> None:
    if keep_every and step % keep_every == 0:
        import shutil

        shutil.copyfile(ckpt_path, ckpt_path.parent / f"ckpt-{step:06d}.pt")


def state_fingerprint(model: torch.nn.Module | dict) -> str:
    """sha256 of a model's weights (names, shapes, float32 bytes): proves a frozen model
    stayed frozen, and that a resumed run found the same reference."""
    import hashlib

    sd = model.state_dict() if isinstance(model, torch.nn.Module) else model
    h = hashlib.sha256()
    for k in sorted(sd):
        t = sd[k].detach().to("cpu", torch.float32).contiguous()
        h.update(k.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


def saved_args(a: argparse.Namespace) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(a).items()}


def merge_resumed_args(a: argparse.Namespace, given: dict, saved: dict, step: int,
                       path_keys: Iterable[str] = ("out",),
                       may_change: set[str] = OPERATIONAL) -> None:
    """Continue with the saved settings; operational ones (and ``--steps`` of a WSD run
    before its decay) may be changed on the command line."""
    path_keys = set(path_keys)
    for k, v in saved.items():
        if k in ("resume", "stop_at"):
            continue
        if k == "steps" and "steps" in given and v != a.steps:
            if saved_decay_started(saved, step):
                raise SystemExit("--steps can change on resume only with --decay wsd "
                                 "before the decay has started")
            continue
        if k not in may_change or k not in given:
            setattr(a, k, Path(v) if k in path_keys and v else v)


# ----------------------------------------------------------------------------- log and plot

class RunLog:
    """``out/log.jsonl``: one JSON object per line. A fresh run empties it; a resumed run
    drops the lines past its checkpoint's step so the log reads as one run."""

    def __init__(self, out: Path, resume_step: int | None, enabled: bool = True) -> None:
        self.path = out / "log.jsonl"
        self.enabled = enabled
        if not enabled:
            return
        out.mkdir(parents=True, exist_ok=True)
        if resume_step is None or not self.path.exists():
            self.path.write_text("")
        else:
            lines = [ln for ln in self.path.read_text().splitlines()
                     if json.loads(ln).get("step", 0) <= resume_step]
            self.path.write_text("".join(ln + "\n" for ln in lines))

    def __call__(self, rec: dict) -> None:
        if self.enabled:
            with open(self.path, "a") as f:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def records(self, kind: str | None = None) -> list[dict]:
        recs = [json.loads(ln) for ln in self.path.read_text().splitlines()]
        return [r for r in recs if kind is None or r.get("kind") == kind]


def _get(rec: dict, key: str):
    for part in key.split("."):
        if not isinstance(rec, dict) or part not in rec:
            return None
        rec = rec[part]
    return rec


def plot_metrics(log_path: Path, png_path: Path, title: str,
                 panels: list[tuple[str, list[tuple[str, str]]]]) -> None:
    """One subplot per panel ``(ylabel, [(kind, key), ...])`` against the step; a key may
    be dotted (``val.hi.loss``) or end in ``.*`` (every sub-key, e.g. per reward component)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    recs = [json.loads(ln) for ln in log_path.read_text().splitlines()]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.8), squeeze=False)
    for ax, (ylabel, series) in zip(axes[0], panels):
        for kind, key in series:
            keys = [key]
            if key.endswith(".*"):
                base = key[:-2]
                keys = sorted({f"{base}.{k}" for r in recs if r.get("kind") == kind
                               for k in (_get(r, base) or {})})
            for k in keys:
                pts = [(r["step"], _get(r, k)) for r in recs
                       if r.get("kind") == kind and isinstance(_get(r, k), (int, float))]
                if pts:
                    label = k if kind == "train" else f"{kind} {k}"
                    ax.plot(*zip(*pts), marker="o" if kind != "train" else None, ms=3,
                            lw=0.9, label=label)
        ax.set(xlabel="step", ylabel=ylabel)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
