"""Evaluate Chimera: bits per byte per language (PyTorch or llama.cpp) and CPU speed.

    python -m training.eval --ckpt runs/chimera/ckpt.pt --data DATA         # PyTorch bpb
    python -m training.eval --gguf models/chimera/chimera-q4_k_m.gguf --data DATA
    python -m training.eval --speed --gguf models/chimera/chimera-q4_k_m.gguf \
        --baseline /path/SmolLM2-135M-Instruct.Q4_1.gguf --out results/chimera/speed.json

Perplexity through llama.cpp runs the GGUF exactly as the assistant will (same loader, same
kernels, quantized weights), on non-overlapping windows of the validation tokens; bits per
byte divide the summed negative log-likelihood by ln 2 times the UTF-8 bytes of the scored
tokens, so models with different tokenizers compare fairly.

The speed benchmark loads both models in the same process with the same threads and
prompt length and reports, per model, the median first-token latency (prompt evaluation +
first token) and decode tokens/s, plus their ratios, as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import time
from pathlib import Path

import numpy as np

LN2 = math.log(2.0)


def eval_windows(n: int, seq: int, max_tokens: int) -> list[int]:
    from training.pretrain import eval_windows as ew

    return ew(n, seq, max_tokens)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def load_llama(path: str | Path, n_ctx: int = 512, threads: int = 2, logits_all: bool = False,
               exact: bool = False, **kw):
    """A llama-cpp-python model. ``exact``: F32 KV cache, no flash attention (parity tests)."""
    from vaani.llm.native import open_llama

    if exact:
        kw.update(type_k=0, type_v=0, flash_attn=False)
    return open_llama(path, n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
                      n_threads=threads, n_threads_batch=threads, logits_all=logits_all,
                      verbose=False, **kw)


def llama_logits(llm, tokens: list[int]) -> np.ndarray:
    """Logits (len(tokens), vocab) from a fresh context state (needs logits_all=True)."""
    llm.reset()
    llm.eval(list(map(int, tokens)))
    return np.array(llm.scores[: len(tokens)], dtype=np.float32)


def gguf_bpb(path: str | Path, val: dict[str, np.ndarray], token_bytes: np.ndarray,
             n_ctx: int = 512, max_tokens: int = 16384, threads: int = 2) -> dict:
    """Per language: loss (nats/token), perplexity, bits per byte, through llama.cpp."""
    llm = load_llama(path, n_ctx=n_ctx, threads=threads, logits_all=True)
    out = {}
    for lang, toks in val.items():
        nll, n_tok, n_bytes = 0.0, 0, 0
        for s in eval_windows(len(toks), n_ctx, max_tokens):
            win = np.asarray(toks[s:s + n_ctx + 1], dtype=np.int64)
            x, y = win[:-1], win[1:]
            lp = _log_softmax(llama_logits(llm, x.tolist()))
            nb = token_bytes[y]
            scored = nb > 0
            nll -= float(lp[np.arange(len(y)), y][scored].sum())
            n_tok += int(scored.sum())
            n_bytes += int(nb.sum())
        loss = nll / max(1, n_tok)
        out[lang] = {"loss": loss, "ppl": math.exp(loss), "bpb": nll / (LN2 * max(1, n_bytes)),
                     "tokens": n_tok, "bytes": n_bytes}
    llm.close()
    return out


def torch_bpb(ckpt: str | Path, corpus, seq: int = 512, max_tokens: int = 16384) -> dict:
    """The same figures from a PyTorch checkpoint (training.pretrain.evaluate)."""
    import torch

    from training.export import load_checkpoint_model
    from training.pretrain import evaluate

    model = load_checkpoint_model(ckpt)
    return evaluate(model, corpus, seq, max_tokens, torch.device("cpu"),
                    lambda: torch.autocast("cpu", enabled=False))


def agreement(target: str | Path, draft: str | Path, val: dict[str, np.ndarray],
              n_ctx: int = 256, max_tokens: int = 4096, threads: int = 2) -> dict:
    """How often the draft's greedy next token equals the target's, teacher-forced on the
    validation text, per language; with a fixed per-token agreement rate a, a draft of k
    tokens yields (1 - a^(k+1)) / (1 - a) tokens per verification on average."""
    t = load_llama(target, n_ctx=n_ctx, threads=threads, logits_all=True)
    d = load_llama(draft, n_ctx=n_ctx, threads=threads, logits_all=True)
    out = {}
    for lang, toks in val.items():
        same = total = 0
        for s in eval_windows(len(toks), n_ctx, max_tokens):
            win = np.asarray(toks[s:s + n_ctx], dtype=np.int64).tolist()
            same += int((llama_logits(t, win).argmax(-1) == llama_logits(d, win).argmax(-1)).sum())
            total += len(win)
        a = same / max(1, total)
        out[lang] = {"top1_agreement": round(a, 4), "tokens": total,
                     **{f"expected_tokens_per_check_k{k}": round((1 - a ** (k + 1)) / (1 - a), 3)
                        if a < 1 else k + 1 for k in (2, 4, 6)}}
    t.close()
    d.close()
    return out


def speed(models: dict[str, Path], prompt: str, n_new: int = 64, repeats: int = 3,
          threads: int = 2) -> dict:
    """First-token latency and decode tokens/s of each GGUF, greedy, EOS ignored."""
    res: dict = {}
    for name, path in models.items():
        llm = load_llama(path, n_ctx=1024, threads=threads)
        toks = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        ttft, tps = [], []
        for _ in range(repeats + 1):      # the first round warms caches and is dropped
            llm.reset()
            t0 = time.perf_counter()
            t_first = None
            n = 0
            for _tok in llm.generate(toks, top_k=1, temp=0.0, reset=True):
                n += 1
                if t_first is None:
                    t_first = time.perf_counter()
                if n >= n_new:
                    break
            t_end = time.perf_counter()
            ttft.append(t_first - t0)
            tps.append((n - 1) / (t_end - t_first))
        res[name] = {"path": str(path), "size_mb": round(Path(path).stat().st_size / 1e6, 2),
                     "prompt_tokens": len(toks), "new_tokens": n_new,
                     "first_token_ms": round(1000 * statistics.median(ttft[1:]), 2),
                     "decode_tok_per_s": round(statistics.median(tps[1:]), 1)}
        llm.close()
    names = list(models)
    if len(names) >= 2:                   # every model against the last one (the baseline)
        base = names[-1]
        res["ratios"] = {}
        for n in names[:-1]:
            res["ratios"][f"decode_tok_per_s {n}/{base}"] = round(
                res[n]["decode_tok_per_s"] / res[base]["decode_tok_per_s"], 3)
            res["ratios"][f"first_token_ms {n}/{base}"] = round(
                res[n]["first_token_ms"] / res[base]["first_token_ms"], 3)
    res["machine"] = {"cpu": platform.processor() or platform.machine(), "threads": threads,
                      "note": "shared 2-core machine; other jobs may have been running"}
    return res


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ckpt", type=Path, help="PyTorch checkpoint to evaluate")
    p.add_argument("--gguf", type=Path, help="GGUF to evaluate through llama.cpp")
    p.add_argument("--data", default=None, help="corpus (training.pretrain --data)")
    p.add_argument("--ctx", type=int, default=512)
    p.add_argument("--max-tokens", type=int, default=16384, help="per language")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--speed", action="store_true", help="CPU speed benchmark (needs --gguf)")
    p.add_argument("--baseline", type=Path, help="second GGUF for --speed (SmolLM2-135M)")
    p.add_argument("--draft", type=Path, help="draft GGUF: top-1 agreement with --gguf on --data")
    p.add_argument("--prompt", default="<|user|>\nआज मौसम कैसा रहेगा? What should I wear?\n"
                                       "<|assistant|>\n")
    p.add_argument("--new-tokens", type=int, default=64)
    p.add_argument("--out", type=Path, help="write the JSON here too")
    a = p.parse_args(argv)
    result: dict = {}
    if a.speed:
        if not a.gguf:
            p.error("--speed needs --gguf")
        models = {"chimera": a.gguf}
        if a.baseline:
            models["baseline"] = a.baseline
        result["speed"] = speed(models, a.prompt, a.new_tokens, threads=a.threads)
    elif a.data:
        from training.pretrain import load_corpus

        corpus = load_corpus(a.data)
        if a.draft:
            if not a.gguf:
                p.error("--draft needs --gguf (the target)")
            result["agreement"] = agreement(a.gguf, a.draft, corpus.val, threads=a.threads)
        if a.ckpt:
            result["torch"] = torch_bpb(a.ckpt, corpus, a.ctx, a.max_tokens)
        if a.gguf:
            result["gguf"] = gguf_bpb(a.gguf, corpus.val, corpus.token_bytes, a.ctx,
                                      a.max_tokens, a.threads)
    else:
        p.error("give --data (with --ckpt and/or --gguf) or --speed")
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
