"""Benchmark the kernels against PyTorch in one run; writes JSON and a PNG plot.

    python -m kernels.bench --out results/kernels/            # on a CUDA GPU (bf16)
    python -m kernels.bench --cpu --out /tmp/kbench            # CI smoke test: tiny sizes,
                                                                # Triton interpreter, fp32

What it measures, for sequence lengths 512..16384 (tokens per batch kept near 16k):
* attention: our FlashAttention-2 forward and forward+backward time and TFLOP/s against
  ``scaled_dot_product_attention`` restricted to its math backend and to its flash backend,
  plus peak memory; the CUDA C++ forward too when its extension builds;
* SSD scan: ours against the chunked PyTorch reference (time, peak memory);
* loss: the fused linear + cross-entropy against ``F.cross_entropy`` over full logits (time,
  peak memory and the memory the loss needs beyond its inputs and gradients).
Ratios are computed within the run (same machine, same moment), and the issue's goals at
N = 4096 are checked and listed under "goals".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Callable

GPU_SEQ_LENS = [512, 1024, 2048, 4096, 8192, 16384]
CPU_SEQ_LENS = [64, 128]
TOKENS_PER_BATCH = 16384
GOAL_N = 4096


def _parse(argv):
    p = argparse.ArgumentParser(prog="python -m kernels.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("results/kernels"),
                   help="directory for bench.json and bench.png")
    p.add_argument("--cpu", action="store_true",
                   help="tiny sizes on CPU through the Triton interpreter (smoke test)")
    p.add_argument("--seq-lens", type=int, nargs="+", help="override the sequence lengths")
    p.add_argument("--head-dims", type=int, nargs="+", help="attention head dims (GPU: 64 128)")
    p.add_argument("--non-causal", action="store_true", help="also time non-causal attention")
    p.add_argument("--vocab", type=int, help="loss benchmark vocabulary (GPU: 32768)")
    p.add_argument("--embed", type=int, help="loss benchmark hidden size (GPU: 1024)")
    p.add_argument("--only", nargs="+", choices=["attention", "ssd", "loss"],
                   default=["attention", "ssd", "loss"])
    return p.parse_args(argv)


class Bench:
    """Timing and memory measurement on one device."""

    def __init__(self, device):
        import torch

        self.torch = torch
        self.device = device
        self.cuda = device.type == "cuda"

    def time_ms(self, fn: Callable[[], object], grads=()) -> float:
        if self.cuda:
            from triton.testing import do_bench

            return float(do_bench(fn, warmup=25, rep=100, grad_to_none=list(grads) or None))
        fn()  # warm-up (the interpreter parses kernels once)
        t0 = time.perf_counter()
        fn()
        return (time.perf_counter() - t0) * 1e3

    def peak_mib(self, fn: Callable[[], object]) -> float | None:
        """Peak memory allocated while fn runs, above what was allocated before (CUDA only)."""
        if not self.cuda:
            return None
        torch = self.torch
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        fn()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - base) / 2**20

    def measure(self, name: str, fn: Callable[[], object], grads=()) -> dict:
        """Time and peak memory of fn, or the reason it could not run (OOM, unsupported)."""
        torch = self.torch
        for t in grads:
            t.grad = None
        try:
            ms = self.time_ms(fn, grads)
            for t in grads:
                t.grad = None
            mib = self.peak_mib(fn)
            for t in grads:
                t.grad = None
            return {"ms": ms, "peak_mib": mib}
        except torch.cuda.OutOfMemoryError:
            return {"error": "out of memory"}
        except (RuntimeError, ValueError) as exc:  # e.g. a backend refusing these inputs
            return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
        finally:
            for t in grads:
                t.grad = None
            if self.cuda:
                torch.cuda.empty_cache()


def _with_tflops(result: dict, flops: float) -> dict:
    if "ms" in result:
        result["tflops"] = flops / (result["ms"] * 1e-3) / 1e12
    return result


def bench_attention(b: Bench, seq_lens, head_dims, causal_modes, dtype) -> list[dict]:
    torch = b.torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    from kernels.attention.triton_fa2 import flash_attention_triton

    cuda_fwd = None
    cuda_error = None
    if b.cuda:
        try:
            from kernels.attention.cuda_fa2 import _extension, flash_attention_cuda

            _extension()
            cuda_fwd = flash_attention_cuda
        except Exception as exc:  # the extension build is optional for the benchmark
            cuda_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"

    def sdpa(backend):
        def run(q, k, v, causal):
            with sdpa_kernel([backend]):
                return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        return run

    impls = {"triton_fa2": lambda q, k, v, c: flash_attention_triton(q, k, v, causal=c),
             "sdpa_math": sdpa(SDPBackend.MATH), "sdpa_flash": sdpa(SDPBackend.FLASH_ATTENTION)}
    rows = []
    for d in head_dims:
        heads = max(1, 2048 // d) if b.cuda else 2
        for causal in causal_modes:
            for n in seq_lens:
                batch = max(1, TOKENS_PER_BATCH // n) if b.cuda else 1
                shape = (batch, heads, n, d)
                q, k, v = (torch.randn(shape, device=b.device, dtype=dtype, requires_grad=True)
                           for _ in range(3))
                do = torch.randn(shape, device=b.device, dtype=dtype)
                fwd_flops = 4 * batch * heads * n * n * d * (0.5 if causal else 1.0)
                row = {"n": n, "batch": batch, "heads": heads, "head_dim": d, "causal": causal,
                       "dtype": str(dtype).replace("torch.", "")}
                for name, fn in impls.items():
                    with torch.no_grad():
                        row[f"{name}_fwd"] = _with_tflops(
                            b.measure(name, lambda fn=fn: fn(q, k, v, causal)), fwd_flops)
                    row[f"{name}_fwdbwd"] = _with_tflops(
                        b.measure(name, lambda fn=fn: fn(q, k, v, causal).backward(do),
                                  grads=(q, k, v)),
                        3.5 * fwd_flops)   # backward = 2.5 forwards (5 matmuls instead of 2)
                if cuda_fwd is not None:
                    row["cuda_fa2_fwd"] = _with_tflops(
                        b.measure("cuda", lambda: cuda_fwd(q, k, v, causal)), fwd_flops)
                elif cuda_error:
                    row["cuda_fa2_fwd"] = {"error": cuda_error}
                for ref in ("sdpa_math", "sdpa_flash"):
                    for mode in ("fwd", "fwdbwd"):
                        ours, theirs = row[f"triton_fa2_{mode}"], row[f"{ref}_{mode}"]
                        if "ms" in ours and "ms" in theirs:
                            row[f"speedup_{mode}_vs_{ref}"] = theirs["ms"] / ours["ms"]
                rows.append(row)
                _print_row("attention", row)
                del q, k, v, do
    return rows


def bench_ssd(b: Bench, seq_lens, dtype) -> list[dict]:
    torch = b.torch
    from kernels.ssd.reference import ssd_chunked
    from kernels.ssd.triton_ssd import ssd_scan_triton

    heads, p, g, n_state, chunk = (16, 64, 1, 128, 64) if b.cuda else (2, 16, 1, 16, 32)
    rows = []
    for n in seq_lens:
        batch = max(1, TOKENS_PER_BATCH // n) if b.cuda else 1
        x = torch.randn(batch, n, heads, p, device=b.device, dtype=dtype, requires_grad=True)
        dt = torch.nn.functional.softplus(torch.randn(batch, n, heads, device=b.device) - 2)
        dt.requires_grad_()
        a = (-torch.exp(torch.randn(heads, device=b.device))).requires_grad_()
        bb, cc = (torch.randn(batch, n, g, n_state, device=b.device, dtype=dtype,
                              requires_grad=True) for _ in range(2))
        dy = torch.randn(batch, n, heads, p, device=b.device, dtype=dtype)
        leaves = (x, dt, a, bb, cc)
        row = {"n": n, "batch": batch, "heads": heads, "head_dim": p, "state": n_state,
               "chunk": chunk, "dtype": str(dtype).replace("torch.", "")}
        for name, fn in (("triton_ssd", ssd_scan_triton), ("torch_chunked", ssd_chunked)):
            with torch.no_grad():
                row[f"{name}_fwd"] = b.measure(name, lambda fn=fn: fn(x, dt, a, bb, cc,
                                                                      chunk_size=chunk))
            row[f"{name}_fwdbwd"] = b.measure(
                name, lambda fn=fn: fn(x, dt, a, bb, cc, chunk_size=chunk)[0].backward(dy),
                grads=leaves)
        for mode in ("fwd", "fwdbwd"):
            ours, theirs = row[f"triton_ssd_{mode}"], row[f"torch_chunked_{mode}"]
            if "ms" in ours and "ms" in theirs:
                row[f"speedup_{mode}"] = theirs["ms"] / ours["ms"]
        rows.append(row)
        _print_row("ssd", row)
    return rows


def bench_loss(b: Bench, seq_lens, dtype, vocab: int, embed: int) -> list[dict]:
    torch = b.torch
    import torch.nn.functional as F

    from kernels.cross_entropy.triton_ce import linear_cross_entropy_triton

    def full_logits(h, w, t):
        return F.cross_entropy((h @ w.t()).float(), t)

    rows = []
    for n in seq_lens:
        h = torch.randn(n, embed, device=b.device, dtype=dtype, requires_grad=True)
        w = (torch.randn(vocab, embed, device=b.device) / math.sqrt(embed)).to(dtype)
        w.requires_grad_()
        t = torch.randint(0, vocab, (n,), device=b.device)
        grad_mib = (h.numel() * h.element_size() + w.numel() * w.element_size()) / 2**20
        row = {"n": n, "vocab": vocab, "embed": embed, "dtype": str(dtype).replace("torch.", ""),
               "gradients_mib": grad_mib}
        for name, fn in (("fused_triton", linear_cross_entropy_triton),
                         ("full_logits", full_logits)):
            r = b.measure(name, lambda fn=fn: fn(h, w, t).backward(), grads=(h, w))
            if r.get("peak_mib") is not None:
                r["extra_mib"] = r["peak_mib"] - grad_mib   # beyond the gradients both produce
            row[name] = r
        ours, theirs = row["fused_triton"], row["full_logits"]
        if "ms" in ours and "ms" in theirs:
            row["speedup"] = theirs["ms"] / ours["ms"]
        if ours.get("peak_mib") and theirs.get("peak_mib"):
            row["peak_memory_ratio"] = theirs["peak_mib"] / ours["peak_mib"]
            row["extra_memory_ratio"] = theirs["extra_mib"] / max(ours["extra_mib"], 1e-3)
        rows.append(row)
        _print_row("loss", row)
    return rows


def _print_row(kind: str, row: dict) -> None:
    parts = [f"{kind:9s} n={row['n']:5d}"]
    for key, val in row.items():
        if isinstance(val, dict):
            if "ms" in val:
                extra = f" {val['tflops']:.1f}TF/s" if "tflops" in val else ""
                mem = f" {val['peak_mib']:.0f}MiB" if val.get("peak_mib") is not None else ""
                parts.append(f"{key}={val['ms']:.3f}ms{extra}{mem}")
            else:
                parts.append(f"{key}=ERR")
        elif key.startswith(("speedup", "peak_memory_ratio", "extra_memory_ratio")):
            parts.append(f"{key}={val:.2f}x")
    print("  ".join(parts), flush=True)


def _goals(report: dict) -> dict:
    """The issue's targets at N = 4096 (meaningful on an H100 only)."""
    goals = {}
    for row in report.get("attention", []):
        if row["n"] != GOAL_N or not row["causal"]:
            continue
        for mode in ("fwd", "fwdbwd"):
            tag = f"attention_d{row['head_dim']}_{mode}"
            for ref, need in (("sdpa_math", 2.0), ("sdpa_flash", 0.8)):
                val = row.get(f"speedup_{mode}_vs_{ref}")
                goals[f"{tag}_vs_{ref}"] = {"measured": val, "goal": f">= {need}x",
                                            "met": val is not None and val >= need}
    for row in report.get("loss", []):
        if row["n"] == GOAL_N:
            val = row.get("extra_memory_ratio")
            goals["loss_memory_ratio"] = {"measured": val, "goal": ">= 10x",
                                          "met": val is not None and val >= 10,
                                          "peak_ratio": row.get("peak_memory_ratio")}
    return goals


def _legend(ax, size: int) -> None:
    if ax.lines:
        ax.legend(fontsize=size)
    else:
        ax.text(0.5, 0.5, "no data (CPU run)", ha="center", transform=ax.transAxes)


def _plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(22, 5))
    att = report.get("attention", [])
    ax = axes[0]
    for d in sorted({r["head_dim"] for r in att}):
        rows = [r for r in att if r["head_dim"] == d and r["causal"]] or \
               [r for r in att if r["head_dim"] == d]
        for key, style in (("triton_fa2_fwd", "-o"), ("triton_fa2_fwdbwd", "--o"),
                           ("sdpa_flash_fwd", "-s"), ("sdpa_flash_fwdbwd", "--s"),
                           ("sdpa_math_fwd", "-^"), ("sdpa_math_fwdbwd", "--^"),
                           ("cuda_fa2_fwd", "-x")):
            pts = [(r["n"], r[key]["tflops"]) for r in rows if "tflops" in r.get(key, {})]
            if pts:
                ax.plot(*zip(*pts), style, label=f"{key} d={d}")
    ax.set(xscale="log", xlabel="sequence length", ylabel="TFLOP/s", title="attention (causal)")
    _legend(ax, 6)
    ax = axes[1]
    for key, style in (("triton_fa2_fwdbwd", "-o"), ("sdpa_flash_fwdbwd", "-s"),
                       ("sdpa_math_fwdbwd", "-^")):
        pts = [(r["n"], r[key]["peak_mib"]) for r in att
               if r.get(key, {}).get("peak_mib") is not None and r["causal"]]
        if pts:
            ax.plot(*zip(*pts), style, label=key)
    ax.set(xscale="log", yscale="log", xlabel="sequence length", ylabel="peak MiB",
           title="attention fwd+bwd memory")
    _legend(ax, 7)
    ax = axes[2]
    for key, style in (("triton_ssd_fwd", "-o"), ("triton_ssd_fwdbwd", "--o"),
                       ("torch_chunked_fwd", "-s"), ("torch_chunked_fwdbwd", "--s")):
        pts = [(r["n"], r[key]["ms"]) for r in report.get("ssd", []) if "ms" in r.get(key, {})]
        if pts:
            ax.plot(*zip(*pts), style, label=key)
    ax.set(xscale="log", yscale="log", xlabel="sequence length", ylabel="ms", title="SSD scan")
    _legend(ax, 7)
    ax = axes[3]
    for key, style in (("fused_triton", "-o"), ("full_logits", "-s")):
        rows = report.get("loss", [])
        pts = [(r["n"], r[key]["peak_mib"]) for r in rows
               if r.get(key, {}).get("peak_mib") is not None]
        if not pts:  # CPU: no memory figures, plot time
            pts = [(r["n"], r[key]["ms"]) for r in rows if "ms" in r.get(key, {})]
            ax.set_ylabel("ms (no memory figures on CPU)")
        else:
            ax.set_ylabel("peak MiB (fwd+bwd)")
        if pts:
            ax.plot(*zip(*pts), style, label=key)
    ax.set(xscale="log", yscale="log", xlabel="tokens", title="linear + cross-entropy")
    _legend(ax, 7)
    fig.suptitle(f"{report['device']}  ({report['command']})", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    args = _parse(argv)
    if args.cpu:
        # must precede the first import of the kernel modules (read when kernels are decorated)
        os.environ.setdefault("TRITON_INTERPRET", "1")
    import torch
    import triton

    if args.cpu:
        device, dtype = torch.device("cpu"), torch.float32
        torch.set_num_threads(min(2, torch.get_num_threads()))
    elif torch.cuda.is_available():
        device, dtype = torch.device("cuda"), torch.bfloat16
    else:
        print("no CUDA GPU: run with --cpu for the interpreter smoke test", file=sys.stderr)
        return 2
    seq_lens = args.seq_lens or (CPU_SEQ_LENS if args.cpu else GPU_SEQ_LENS)
    head_dims = args.head_dims or ([16] if args.cpu else [64, 128])
    vocab = args.vocab or (256 if args.cpu else 32768)
    embed = args.embed or (32 if args.cpu else 1024)
    causal_modes = [True, False] if args.non_causal else [True]
    b = Bench(device)
    report = {
        "command": "python -m kernels.bench " + " ".join(sys.argv[1:] if argv is None else argv),
        "device": torch.cuda.get_device_name() if b.cuda else f"CPU ({platform.machine()}), "
                  "Triton interpreter: times are not performance figures",
        "torch": torch.__version__, "triton": triton.__version__,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    if "attention" in args.only:
        report["attention"] = bench_attention(b, seq_lens, head_dims, causal_modes, dtype)
    if "ssd" in args.only:
        report["ssd"] = bench_ssd(b, seq_lens, dtype)
    if "loss" in args.only:
        report["loss"] = bench_loss(b, seq_lens, dtype, vocab, embed)
    report["goals"] = _goals(report) if b.cuda else {}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(report, indent=1))
    _plot(report, args.out / "bench.png")
    for name, g in report["goals"].items():
        print(f"goal {name}: {g['measured']} ({g['goal']}) {'MET' if g['met'] else 'NOT MET'}")
    print(f"wrote {args.out / 'bench.json'} and {args.out / 'bench.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
