"""A speculative-decoding drafter of our own for a large target: the Chimera architecture with
the *target's* tokenizer, distilled from the target's outputs.

A draft must share its target's vocabulary (:class:`vaani.llm.LlamaEngine` checks it), so the
drafter for Qwen2.5-Coder-1.5B is a Chimera whose embedding has Qwen's 151,936 rows and whose
GGUF carries Qwen's tokenizer, copied from the target file. Three steps:

    # 1. the target answers prompts made from templates (never the bench's prompts), greedy;
    #    each step's top-k log-probabilities are kept for soft distillation; resumable
    python -m training.drafter collect --target qwen2.5-coder-1.5b --n 400 \\
        --out runs/qwen-drafter/target.jsonl
    # 2. train: cross-entropy on the target's tokens plus KL to its top-k, on a compact
    #    vocabulary (the tokens the data uses) that is exact for the full one (below)
    python -m training.drafter train --data runs/qwen-drafter/target.jsonl \\
        --target qwen2.5-coder-1.5b --text /usr/lib/python3.11 --out runs/qwen-drafter
    # 3. the full-vocabulary nemotron_h GGUF with the target's tokenizer, then Q4_K_M
    python -m training.drafter export --ckpt runs/qwen-drafter/ckpt.pt \\
        --target qwen2.5-coder-1.5b --out runs/qwen-drafter/f16.gguf

**The compact vocabulary.** Qwen's output layer is 151,936 × width: at width 256 that is 39M
multiply-adds per token, ~95% of a small drafter's training compute, while the data uses a
few ten thousand tokens. Training keeps only the rows of tokens that occur (``keep``) and
fixes every other row at zero: their logit is then exactly 0, so the full softmax's
normaliser is ``logsumexp(z_keep) ⊕ log(n_other)`` and the loss adds that one constant
column. The exported GGUF writes the kept rows back at their ids and zeros elsewhere, and
computes exactly the distribution that was trained (a token never seen is never proposed
above its share, rather than arbitrarily).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np

# --------------------------------------------------------------------------- prompts
# Templates × topics, in the bench's kinds (answers, explanations, lists, code, edits,
# Hindi). The bench's own prompts (vaani.bench.speculative.PROMPTS) are held out: a test
# checks that none of them is made here.

_ANSWER_EN = (
    "What is {t}?", "Who discovered or invented {t}, and when?", "Why is {t} important?",
    "What are the main uses of {t}?", "Give a short history of {t}.",
)
_TOPICS_EN = (
    "the printing press", "penicillin", "the telephone", "electricity", "the internet",
    "photosynthesis", "the steam engine", "vaccination", "the compass", "the transistor",
    "gravity", "the periodic table", "DNA", "the microscope", "radio", "the airplane",
    "plate tectonics", "the Great Wall of China", "the Taj Mahal", "the Amazon rainforest",
    "the Himalayas", "the river Ganges", "the Sahara desert", "the Moon", "Mars",
    "the Milky Way", "black holes", "volcanoes", "earthquakes", "monsoons", "coral reefs",
    "the human heart", "the immune system", "antibiotics", "solar panels", "wind turbines",
    "nuclear power", "batteries", "the decimal system", "zero as a number", "chess",
    "cricket", "the Olympic Games", "yoga", "the Silk Road", "the Renaissance",
    "the Industrial Revolution", "democracy", "inflation", "compound interest",
)
_EXPLAIN_EN = (
    "Explain {t} in simple words.", "How does {t} work?", "Explain {t} to a ten-year-old.",
    "What is the difference between {t}?",
)
_CONCEPTS_EN = (
    "a rainbow", "a microwave oven", "an electric motor", "a vaccine", "a credit card",
    "a search engine", "public key encryption", "a neural network", "a compiler",
    "garbage collection in programming languages", "a database index", "recursion",
    "a virtual machine", "DNS", "HTTPS", "a blockchain", "GPS", "a refrigerator's compressor",
    "tides", "seasons on Earth", "a solar eclipse", "digestion", "sleep cycles",
    "muscle growth", "a car engine", "an airplane wing", "a bicycle gear", "a thermostat",
    "version control with git", "a REST API", "unit testing", "big-O notation",
    "a linked list", "a binary search", "caching", "load balancing", "a mutex",
    "floating point numbers", "Unicode", "a hash function",
)
_PAIRS_EN = (
    "a virus and a bacterium", "a list and a tuple in Python",
    "TCP and UDP", "RAM and storage", "speed and velocity", "an alligator and a crocodile",
    "a compiler and an interpreter", "mass and weight", "a stock and a bond",
    "SQL and NoSQL databases", "a library and a framework",
)
_LIST_EN = (
    "List {n} {t}.", "Give me {n} {t}, as a numbered list.", "Name {n} {t} with one "
    "sentence about each.",
)
_THINGS_EN = (
    "healthy breakfast ideas", "ways to save electricity at home", "famous Indian scientists",
    "tips for learning a new language", "uses of a spreadsheet", "rivers of India",
    "good habits for programmers", "ways to reduce stress", "fruits rich in vitamin C",
    "board games for families", "tips for a job interview", "common Git commands",
    "Python built-in functions", "ways to stay safe online", "indoor plants that are easy "
    "to grow", "things to pack for a trip", "exercises you can do at home",
    "tips for writing clear emails", "HTTP status codes and their meaning",
    "data structures every programmer should know",
)
_CODE_EN = (
    "Write a Python function that {t}.", "Write a JavaScript function that {t}.",
    "Write a Python function that {t}, with a docstring and an example.",
    "Write a Go function that {t}.",
)
_TASKS = (
    "reverses a linked list", "counts the words in a string", "finds the largest number in "
    "a list", "removes duplicates from a list while keeping the order", "checks whether a "
    "number is prime", "converts Celsius to Fahrenheit", "merges two sorted lists",
    "returns the factorial of a number", "flattens a nested list", "computes the average of "
    "a list of numbers", "checks whether two strings are anagrams", "sorts a list of "
    "dictionaries by a key", "reads a CSV file and returns its rows", "validates an email "
    "address with a regular expression", "counts how often each character occurs",
    "finds the second smallest element of a list", "capitalizes every word in a sentence",
    "converts a Roman numeral to an integer", "implements binary search", "chunks a list "
    "into pieces of size n", "computes the greatest common divisor of two numbers",
    "returns the n-th row of Pascal's triangle", "parses a query string into a dictionary",
    "rotates a matrix by 90 degrees", "implements a stack with push and pop",
)
_EDIT_EN = (
    "Rewrite this sentence in a formal tone: {t}",
    "Fix the grammar in this sentence and return it: {t}",
    "Translate this sentence into simple English: {t}",
    "Summarise this in one line: {t}",
)
_SENTENCES = (
    "hey can u send me the report by tmrw i need it asap",
    "the meeting got moved to thursday cause the boss is out",
    "me and him goes to the market every sunday to buys vegetables",
    "this laptop is super slow and keeps crashing when i open too many tabs",
    "i dont think we should of launched the product without more testing",
    "our team finished the project two weeks early and under budget, which surprised "
    "everyone in the company",
    "the train was late so i missed the first half of the movie and had to watch it again",
    "she have been working here since five years and knows everything about the system",
)
_HI = (
    "{t} के बारे में बताओ।", "{t} क्या होता है? आसान शब्दों में समझाओ।",
    "{t} क्यों ज़रूरी है?", "{t} के बारे में तीन बातें बताओ।",
)
_TOPICS_HI = (
    "सूरज", "चाँद", "बारिश", "योग", "क्रिकेट", "दिवाली", "होली", "गंगा नदी", "हिमालय",
    "ताजमहल", "कंप्यूटर", "इंटरनेट", "मोबाइल फ़ोन", "बिजली", "पेड़-पौधे", "पानी की बचत",
    "स्वस्थ भोजन", "व्यायाम", "नींद", "शिक्षा", "लोकतंत्र", "पर्यावरण", "प्रदूषण",
    "सौर ऊर्जा", "किसान", "रेलगाड़ी", "हवाई जहाज़", "डॉक्टर", "पुस्तकालय", "गणित",
)


def make_prompts(n: int, seed: int = 0) -> list[dict[str, str]]:
    """``n`` distinct prompts ({"lang", "kind", "text"}), a fixed shuffle of every template ×
    topic (about 750), so a larger ``n`` extends a smaller one's set."""
    pool: list[tuple[str, str, str]] = []
    pool += [("en", "answer", t.format(t=x)) for t in _ANSWER_EN for x in _TOPICS_EN]
    pool += [("en", "explain", t.format(t=x)) for t in _EXPLAIN_EN[:3] for x in _CONCEPTS_EN]
    pool += [("en", "explain", _EXPLAIN_EN[3].format(t=x)) for x in _PAIRS_EN]
    pool += [("en", "list", t.format(n=n_, t=x)) for t in _LIST_EN for x in _THINGS_EN
             for n_ in ("three", "five")]
    pool += [("en", "code", t.format(t=x)) for t in _CODE_EN for x in _TASKS]
    pool += [("en", "edit", t.format(t=x)) for t in _EDIT_EN for x in _SENTENCES]
    pool += [("hi", "hindi", t.format(t=x)) for t in _HI for x in _TOPICS_HI]
    rng = random.Random(seed)
    rng.shuffle(pool)
    return [{"lang": lang, "kind": kind, "text": text} for lang, kind, text in pool[:n]]


# --------------------------------------------------------------------------- collect

def _target_path(name: str) -> Path:
    """A pack name or a .gguf path, as VAANI resolves models."""
    from vaani import config as config_mod
    from vaani.models import ModelStore
    return ModelStore.from_config(config_mod.from_dict({})).file(name)


def collect(target: str, out: Path, *, n: int, max_tokens: int = 128, topk: int = 8,
            threads: int = 0, system: str | None = None, seed: int = 0) -> int:
    """The target's greedy answers to :func:`make_prompts` ``(n)``, appended to ``out`` (one
    JSON line per prompt: token ids of prompt and completion, the top-``topk`` ids and
    log-probabilities at every completion step). Prompts already in ``out`` are skipped, so
    an interrupted run resumes. Returns the number of new rows."""
    from vaani.config import AssistantConfig
    from vaani.llm import LlamaEngine

    system = AssistantConfig().system_prompt if system is None else system
    done: set[str] = set()
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            if line.strip():
                done.add(json.loads(line)["text"])
    todo = [p for p in make_prompts(n, seed) if p["text"] not in done]
    if not todo:
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    engine = LlamaEngine(_target_path(target), n_ctx=1024, threads=threads, calibrate=False)
    t0, made = time.perf_counter(), 0
    try:
        with out.open("a", encoding="utf-8") as f:
            for p in todo:
                msgs = ([{"role": "system", "content": system}] if system else []) \
                    + [{"role": "user", "content": p["text"]}]
                prompt = engine.chat_prompt(msgs)
                ids, top_ids, top_lp = _greedy(engine, prompt, max_tokens, topk)
                reply = b"".join(engine.model.piece(t) for t in ids).decode("utf-8", "replace")
                row = dict(p, prompt=prompt, completion=ids, top_ids=top_ids, top_lp=top_lp,
                           reply=reply)
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
                f.flush()
                made += 1
                print(f"[{len(done) + made}/{n}] {p['kind']:<7} {len(ids):>3} tokens "
                      f"({time.perf_counter() - t0:.0f} s) {p['text'][:60]}", flush=True)
    finally:
        engine.close()
    return made


def _greedy(engine: Any, prompt: list[int], max_tokens: int,
            topk: int) -> tuple[list[int], list[list[int]], list[list[float]]]:
    seq = engine.target
    seq.reset()
    logits = seq.prefill(prompt)[-1]
    ids: list[int] = []
    top_ids: list[list[int]] = []
    top_lp: list[list[float]] = []
    for _ in range(max_tokens):
        z = logits.astype(np.float64)
        lse = z.max() + math.log(np.exp(z - z.max()).sum())
        top = np.argpartition(-z, topk)[:topk]
        top = top[np.argsort(-z[top])]
        x = int(top[0])
        ids.append(x)
        top_ids.append([int(t) for t in top])
        top_lp.append([round(float(z[t] - lse), 4) for t in top])
        if engine.model.is_eog(x) or seq.n_past + 1 >= engine.n_ctx:
            break
        logits = seq.feed([x])[-1]
    return ids, top_ids, top_lp


# --------------------------------------------------------------------------- train

def load_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def text_files(paths: list[Path],
               suffixes: tuple[str, ...] = (".py", ".txt", ".md", ".rst", ".yml"),
               ) -> list[Path]:
    """Files under ``paths`` (files as given, folders walked in name order)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in suffixes
                          and "test" not in f.parts and "site-packages" not in f.parts)
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"no such text file or folder: {p}")
    return out


def text_tokens(tokenize, paths: list[Path], budget: int) -> np.ndarray:
    """Up to ``budget`` tokens of the files' text in the target's tokenization (documents
    separated by -1, which the windows never cross into as a target). Files are read in
    the order given, folders in name order, until the budget is spent: a later source may
    not be reached at all."""
    chunks: list[np.ndarray] = []
    total = 0
    for f in text_files(paths):
        try:
            text = f.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        ids = np.asarray(tokenize(text), dtype=np.int64)
        if len(ids) < 16:
            continue
        ids = ids[:budget - total]
        chunks += [ids, np.array([-1])]
        total += len(ids)
        if total >= budget:
            break
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)


class Compact:
    """The kept token ids and the map full id -> compact id (unkept -> the zero row, last)."""

    def __init__(self, keep: np.ndarray, n_vocab: int) -> None:
        self.keep = np.unique(keep.astype(np.int64))
        self.n_vocab = n_vocab
        self.other = len(self.keep)                  # index of the fixed zero row
        self.n_other = n_vocab - len(self.keep)
        self.index = np.full(n_vocab, self.other, dtype=np.int64)
        self.index[self.keep] = np.arange(len(self.keep))

    @property
    def size(self) -> int:
        return len(self.keep) + 1

    @classmethod
    def from_data(cls, rows: list[dict[str, Any]], text: np.ndarray, n_vocab: int,
                  min_count: int = 2) -> "Compact":
        """Every token of the target's rows (prompts, completions, top-k) and the text's
        tokens seen at least ``min_count`` times. (Training passes every row, the held-out
        ones too: their rare tokens get rows of their own rather than the zero row, which
        flatters held-out agreement slightly.)"""
        ids = [np.asarray(r["prompt"] + r["completion"] + sum(r["top_ids"], []))
               for r in rows]
        target = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        t = text[text >= 0]
        counts = np.bincount(t, minlength=n_vocab) if len(t) else np.zeros(n_vocab, int)
        return cls(np.concatenate([target, np.nonzero(counts >= min_count)[0]]), n_vocab)


def _compact_logits(model, idx, compact: Compact, mask=None, bucket: float = 1.0):
    """Logits over the compact vocabulary (only at ``mask``'s positions when given: the
    output layer is most of the cost); the last column stands for the n_other tokens whose
    rows are zero, so its logit is log(n_other) (their summed probability). ``bucket`` < 1
    weighs them less (a training warm-up only; 1 is the exported model exactly)."""
    import torch
    h = model.hidden(idx)
    if mask is not None:
        h = h[mask]
    z = h.float() @ model.output_weight.float().t()
    if compact.n_other > 0:
        bump = torch.zeros(z.shape[-1], dtype=z.dtype)
        bump[-1] = bucket * math.log(compact.n_other)
        z = z + bump
    return z


def _zero_other_row(model, compact: Compact) -> None:
    import torch
    with torch.no_grad():
        model.embed.weight[compact.other].zero_()
        if model.lm_head is not None:
            model.lm_head.weight[compact.other].zero_()


def target_rows_pca(path: Path, ids: np.ndarray, width: int) -> np.ndarray:
    """The target's output-layer rows for ``ids`` (dequantized from its GGUF; its token
    embedding where the output is tied), centred and projected on their first ``width``
    principal components: the drafter's starting embedding, in which the tokens that the
    target predicts in similar contexts are already neighbours."""
    import gguf

    r = gguf.GGUFReader(str(path))
    by_name = {t.name: t for t in r.tensors}
    t = by_name.get("output.weight") or by_name["token_embd.weight"]
    rows = np.concatenate([gguf.quants.dequantize(t.data[ids[i:i + 4096]], t.tensor_type)
                           for i in range(0, len(ids), 4096)]).astype(np.float32)
    rows -= rows.mean(0, keepdims=True)
    _, _, vt = np.linalg.svd(rows[:: max(1, len(rows) // 8192)], full_matrices=False)
    return rows @ vt[:width].T


def target_batch(rows: list[dict[str, Any]], compact: Compact, alpha: float):
    """Inputs, hard targets (-100 = no loss) and soft targets (ids, probabilities) for the
    completion positions of target rows, right-padded."""
    import torch
    seqs = [r["prompt"] + r["completion"] for r in rows]
    L = max(len(s) for s in seqs) - 1
    K = max(len(r["top_ids"][0]) for r in rows if r["top_ids"])
    idx = torch.full((len(rows), L), compact.other, dtype=torch.long)
    hard = torch.full((len(rows), L), -100, dtype=torch.long)
    soft_ids = torch.zeros((len(rows), L, K), dtype=torch.long)
    soft_p = torch.zeros((len(rows), L, K))
    for b, (r, s) in enumerate(zip(rows, seqs)):
        full = torch.as_tensor(compact.index[np.asarray(s)])
        idx[b, :len(s) - 1] = full[:-1]
        n0 = len(r["prompt"]) - 1                 # position predicting completion[0]
        n = len(r["completion"])
        hard[b, n0:n0 + n] = full[len(r["prompt"]):]
        if alpha > 0:
            ti = torch.as_tensor(compact.index[np.asarray(r["top_ids"])])
            tp = torch.softmax(torch.as_tensor(r["top_lp"], dtype=torch.float32), -1)
            soft_ids[b, n0:n0 + n] = ti
            soft_p[b, n0:n0 + n] = tp
    return idx, hard, soft_ids, soft_p


def text_batch(text: np.ndarray, compact: Compact, batch: int, seq: int,
               rng: np.random.Generator):
    """``batch`` random windows of the text stream; targets across a document border and
    after it are not scored."""
    import torch
    starts = rng.integers(0, max(1, len(text) - seq - 1), size=batch)
    win = np.stack([text[s:s + seq + 1] for s in starts])
    x = np.where(win[:, :-1] >= 0, compact.index[np.maximum(win[:, :-1], 0)], compact.other)
    y = np.where(win[:, 1:] >= 0, compact.index[np.maximum(win[:, 1:], 0)], -100)
    # nothing at or after a border is scored (the next document's opening tokens are
    # scored only by windows that start inside it)
    border = np.cumsum(win[:, :-1] < 0, axis=1) > 0
    y = np.where(border, -100, y)
    return torch.as_tensor(x), torch.as_tensor(y)


def train(data: Path, out: Path, *, target: str, text: list[Path], text_budget: int,
          width: int = 256, depth: int = 4, steps: int = 600, batch: int = 8,
          text_batch_size: int = 4, seq: int = 256, lr: float = 3e-3, warmup: int = 30,
          alpha: float = 0.5, out_scale: float = 2.0, init_from_target: bool = True,
          bucket_ramp: int | None = None,
          threads: int = 2, seed: int = 0, val_frac: float = 0.1,
          eval_every: int = 100, resume: bool = False) -> dict[str, Any]:
    """Train the drafter; writes ``out/ckpt.pt`` (to resume), ``out/best.pt`` (the
    evaluation with the most agreement: the one to export) and ``out/log.jsonl``; returns
    the last validation figures (greedy agreement with the target on held-out rows)."""
    import torch
    import torch.nn.functional as F

    from training.config import from_depth
    from training.model import Chimera
    from training.trainer import make_optimizer

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    bucket_ramp = steps // 4 if bucket_ramp is None else bucket_ramp
    rows = load_rows(data)
    rng = random.Random(seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    n_val = max(1, int(len(rows) * val_frac))
    val = [rows[i] for i in order[:n_val]]
    tr = [rows[i] for i in order[n_val:]]
    from vaani.llm.native import LlamaModel
    tm = LlamaModel(_target_path(target))
    try:
        n_vocab = tm.n_vocab
        stream = text_tokens(lambda s: tm.tokenize(s, add_special=False, parse_special=False),
                             text, text_budget) if text else np.zeros(0, dtype=np.int64)
    finally:
        tm.close()
    compact = Compact.from_data(rows, stream, n_vocab)
    cfg = from_depth(depth, compact.size, width=width, context_length=1024)
    if "M" not in cfg.pattern:
        raise ValueError(f"depth {depth} has no Mamba-2 block ({cfg.pattern}); llama.cpp's "
                         "nemotron_h needs one: use depth >= 2")
    model = Chimera(cfg)
    model.reset_parameters(seed=seed)
    with torch.no_grad():
        if init_from_target:
            pca = torch.as_tensor(target_rows_pca(_target_path(target), compact.keep, width))
            # fewer components than the width (a tiny target): the rest stays random
            model.embed.weight[:len(compact.keep), :pca.shape[1]] = pca
        # the ~140k unkept tokens sit at logit 0 and together weigh log(n_other) ≈ 12: a
        # larger output scale from the start lets the kept tokens climb past them in tens
        # of steps instead of hundreds
        model.norm.weight.fill_(out_scale)
    _zero_other_row(model, compact)
    opt, sched = make_optimizer(model, argparse.Namespace(
        lr=lr, weight_decay=0.1, beta2=0.95, warmup=warmup, steps=steps, decay="cosine",
        min_lr_frac=0.1, decay_frac=0.25), torch.device("cpu"))
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path, log_path, best_path = out / "ckpt.pt", out / "log.jsonl", out / "best.pt"
    done_path = out / "done.json"
    step = 0
    best = -1.0
    if resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        if not np.array_equal(np.asarray(ck["keep"]), compact.keep):
            raise ValueError(f"{ckpt_path}: kept tokens differ from this data's; resume "
                             "with the same --data and --text")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        step = ck["step"]
        best = ck.get("best", -1.0)
    info = {"rows_train": len(tr), "rows_val": len(val), "text_tokens": int((stream >= 0).sum()),
            "kept": len(compact.keep), "n_vocab": n_vocab, "params": model.num_params(),
            "config": cfg.to_dict()}
    print(json.dumps({k: v for k, v in info.items() if k != "config"}))
    nprng = np.random.default_rng(seed + step)
    if step and log_path.exists():            # drop what was logged after the checkpoint
        kept_lines = [x for x in log_path.read_text(encoding="utf-8").splitlines()
                      if x.strip() and json.loads(x)["step"] <= step]
        log_path.write_text("".join(x + "\n" for x in kept_lines), encoding="utf-8")
    log = log_path.open("a" if step else "w", encoding="utf-8")
    t0 = time.perf_counter()
    last: dict[str, Any] = {}
    try:
        while step < steps:
            model.train()
            pick = [tr[i] for i in nprng.integers(0, len(tr), size=batch)]
            x, hard, sid, sp = target_batch(pick, compact, alpha)
            mask = hard != -100
            # the unkept tokens' weight comes in over the first bucket_ramp steps: at full
            # weight from the start they hold ~all the probability and learning crawls
            frac = min(1.0, step / bucket_ramp) if bucket_ramp > 0 else 1.0
            logq = torch.log_softmax(_compact_logits(model, x, compact, mask, frac), -1)
            ce = F.nll_loss(logq, hard[mask])
            loss = (1 - alpha) * ce
            if alpha > 0:
                soft = -(sp[mask] * logq.gather(-1, sid[mask])).sum(-1).mean()
                loss = loss + alpha * soft
            if text_batch_size and len(stream) > seq + 1:
                tx, ty = text_batch(stream, compact, text_batch_size, seq, nprng)
                tm_ = ty != -100
                lm = F.cross_entropy(_compact_logits(model, tx, compact, tm_, frac), ty[tm_])
                loss = loss + lm
            else:
                lm = torch.zeros(())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            _zero_other_row(model, compact)
            step += 1
            rec: dict[str, Any] = {"step": step, "loss": round(loss.item(), 4),
                                   "ce": round(ce.item(), 4), "lm": round(lm.item(), 4),
                                   "lr": sched.get_last_lr()[0],
                                   "s": round(time.perf_counter() - t0, 1)}
            if step % eval_every == 0 or step == steps:
                rec.update(evaluate(model, val, compact))
                last = rec
                state = {"config": cfg.to_dict(), "model": model.state_dict(), "step": step,
                         "keep": compact.keep.tolist(), "n_vocab": n_vocab,
                         "target": str(target), "info": info, "val": rec,
                         "val_texts": [r["text"] for r in val]}
                if rec["val_agree"] > best:     # the checkpoint to export: most agreement
                    best = rec["val_agree"]
                    torch.save(state, best_path)
                torch.save(dict(state, opt=opt.state_dict(), sched=sched.state_dict(),
                                best=best), ckpt_path)
            if step % 10 == 0 or "val_agree" in rec:
                print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
    finally:
        log.close()
    if step >= steps:
        done_path.write_text(json.dumps(last), encoding="utf-8")
    return last


def evaluate(model, rows: list[dict[str, Any]], compact: Compact) -> dict[str, Any]:
    """On held-out target rows, teacher-forced: how often the drafter's greedy token equals
    the target's (the acceptance of a greedy draft of one token), and the CE."""
    import torch
    model.eval()
    agree = total = 0
    nll = 0.0
    with torch.no_grad():
        for i in range(0, len(rows), 8):
            x, hard, _, _ = target_batch(rows[i:i + 8], compact, 0.0)
            mask = hard != -100
            z = _compact_logits(model, x, compact, mask)
            # the greedy draft token: any one unkept token has logit 0, not their sum
            z_one = z.clone()
            z_one[:, -1] = 0.0
            agree += int((z_one.argmax(-1) == hard[mask]).sum())
            total += int(mask.sum())
            nll += float(torch.nn.functional.cross_entropy(z, hard[mask], reduction="sum"))
    model.train()
    return {"val_agree": round(agree / max(1, total), 4),
            "val_ce": round(nll / max(1, total), 4), "val_tokens": total}


# --------------------------------------------------------------------------- export

def target_tokenizer(path: Path):
    """The target GGUF's tokenizer as a :class:`training.export.GGUFTokenizer` (tokens,
    types, merges, pre-tokenizer, special ids, chat template), so ids match exactly."""
    import gguf

    from training.export import GGUFTokenizer
    r = gguf.GGUFReader(str(path))

    def get(key: str, default: Any = None) -> Any:
        f = r.fields.get(key)
        return default if f is None else f.contents()

    tokens = get("tokenizer.ggml.tokens")
    if not tokens:
        raise ValueError(f"{path}: no tokenizer.ggml.tokens")
    eos = int(get("tokenizer.ggml.eos_token_id"))
    eot = get("tokenizer.ggml.eot_token_id")
    pad = get("tokenizer.ggml.padding_token_id")
    return GGUFTokenizer(
        tokens=list(tokens), token_types=[int(t) for t in get("tokenizer.ggml.token_type")],
        merges=list(get("tokenizer.ggml.merges")), pre=str(get("tokenizer.ggml.pre")),
        bos_id=int(get("tokenizer.ggml.bos_token_id", eos)), eos_id=eos,
        eot_id=None if eot is None else int(eot), pad_id=None if pad is None else int(pad),
        add_bos=bool(get("tokenizer.ggml.add_bos_token", False)),
        chat_template=get("tokenizer.chat_template"), model=str(get("tokenizer.ggml.model")))


def full_model(ckpt: dict[str, Any]):
    """The compact checkpoint as a full-vocabulary Chimera: kept rows at their ids, zeros
    elsewhere (so every unkept token's logit is 0, as in training)."""
    import torch

    from training.config import ModelConfig
    from training.model import Chimera
    small = ModelConfig.from_dict(ckpt["config"])
    cfg = small.replace(vocab_size=int(ckpt["n_vocab"]))
    model = Chimera(cfg, init=False)
    keep = torch.as_tensor(ckpt["keep"], dtype=torch.long)
    state = dict(ckpt["model"])
    for name in ("embed.weight", "lm_head.weight"):
        if name in state:
            w = torch.zeros(cfg.vocab_size, cfg.n_embd, dtype=state[name].dtype)
            w[keep] = state[name][:len(keep)]
            state[name] = w
    model.load_state_dict(state)
    return model.eval()


def export(ckpt_path: Path, target: str, out: Path, dtype: str = "f16",
           name: str = "chimera-qwen-draft") -> Path:
    import torch

    from training.export import write_gguf
    ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    model = full_model(ck)
    tok = target_tokenizer(_target_path(target))
    return write_gguf(model, out, tok, dtype=dtype, name=name,
                      metadata={"vaani.draft_for": Path(str(target)).name})


# --------------------------------------------------------------------------- gated drafting

def confidences(model, rows: list[dict[str, Any]], compact: Compact
                ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per completion, teacher-forced: the drafter's greedy probability at every position
    (in the full vocabulary's terms) and whether its greedy token is the target's."""
    import torch
    model.eval()
    out = []
    with torch.no_grad():
        for r in rows:
            x, hard, _, _ = target_batch([r], compact, 0.0)
            mask = hard != -100
            z = _compact_logits(model, x, compact, mask)
            p = torch.softmax(z, -1)
            p[:, -1] /= max(1, compact.n_other)       # one unkept token's share
            top, arg = p.max(-1)
            out.append((top.numpy(), (arg == hard[mask]).numpy()))
    return out


def simulate(conf: list[tuple[np.ndarray, np.ndarray]], batch_cost: dict[int, float],
             draft_cost: float, gate: float, k: int) -> dict[str, float]:
    """Greedy speculative decoding replayed on teacher-forced figures: at each
    position the drafter proposes while its probability is at least ``gate``, up to ``k``
    tokens; no proposal is a plain step. The drafter reads every token either way (its
    ``draft_cost`` per token keeps it in sync). Accepted counts are exact for greedy (a
    draft's i-th token is the target's whenever the ones before it were accepted); the
    length of a round after a miss is not (the real drafter's confidence there follows its
    own wrong token, the replay's the target's), which matters little for k <= 2. Returns
    tokens per target step of time (plain = 1), the share of positions that drafted, and
    the acceptance there. ``batch_cost`` must hold C(n) for n up to k + 1."""
    missing = [n for n in range(2, k + 2) if n not in batch_cost]
    if missing:
        raise ValueError(f"batch_cost has no C(n) for n = {missing}")
    tokens = cost = 0.0
    drafted = accepted = rounds = positions = 0
    for top, ok in conf:
        i, n = 0, len(top)
        while i < n:
            j = 0
            while j < k and i + j < n and top[i + j] >= gate:
                j += 1
            positions += 1
            if j == 0:
                tokens += 1
                cost += 1.0 + draft_cost
                i += 1
                continue
            m = 0
            while m < j and ok[i + m]:
                m += 1
            step = min(m + 1, n - i)
            rounds += 1
            drafted += j
            accepted += m
            tokens += step
            cost += batch_cost[j + 1] + draft_cost * (j + 1)
            i += step
    return {"gate": gate, "k": k, "speedup": round(tokens / cost, 4) if cost else 0.0,
            "drafting_share": round(rounds / positions, 4) if positions else 0.0,
            "acceptance": round(accepted / drafted, 4) if drafted else 0.0}


def gate_table(ckpt_path: Path, data: Path, bench: Path, *, label: str | None = None,
               seed: int = 0, val_frac: float = 0.1) -> dict[str, Any]:
    """What gating the drafter by its own confidence would give, from the bench's measured
    C(n) and the cost of its draft ``label`` (default: the report's first extra draft), on
    training's held-out answers (the checkpoint names them; older ones: the same split
    from ``seed`` and ``val_frac``)."""
    import torch

    from training.config import ModelConfig
    from training.model import Chimera
    ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
    compact = Compact(np.asarray(ck["keep"]), ck["n_vocab"])
    model = Chimera(ModelConfig.from_dict(ck["config"]))
    model.load_state_dict(ck["model"])
    rows = load_rows(data)
    if "val_texts" in ck:
        named = set(ck["val_texts"])
        val = [r for r in rows if r["text"] in named]
    else:
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        val = [rows[i] for i in order[:max(1, int(len(rows) * val_frac))]]
    conf = confidences(model, val, compact)
    rep = json.loads(bench.read_text(encoding="utf-8"))
    curve = {int(n): float(v) for n, v in rep["batch_cost"].items()}
    extras = rep.get("extra_drafts") or {}
    label = label or next(iter(extras), None)
    if label is not None and label not in extras:
        raise ValueError(f"{bench}: no extra draft {label!r} (has {sorted(extras)})")
    c = float(extras[label]["draft_cost"]) if label else 0.0
    cap = rep.get("k_cap") or rep.get("k_max") or 2
    table = [simulate(conf, curve, c, g, k) for k in range(1, cap + 1)
             for g in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)]
    free = [simulate(conf, curve, 0.0, g, k) for k in range(1, cap + 1)
            for g in (0.0, 0.5, 0.7, 0.9)]
    tops = np.concatenate([t for t, _ in conf])
    oks = np.concatenate([o for _, o in conf])
    return {"ckpt": str(ckpt_path), "bench": str(bench), "batch_cost": curve,
            "draft_cost": c, "k_cap": cap, "positions": int(len(tops)),
            "agreement": round(float(oks.mean()), 4),
            "calibration": [{"p_from": lo, "share": round(float(((tops >= lo) & (tops < hi)
                                                                  ).mean()), 4),
                             "agreement": round(float(oks[(tops >= lo) & (tops < hi)].mean()),
                                                4) if ((tops >= lo) & (tops < hi)).any()
                             else None}
                            for lo, hi in ((0, .3), (.3, .5), (.5, .7), (.7, .9), (.9, 1.01))],
            "gated": table, "gated_free_draft": free,
            "best": max(table, key=lambda r: r["speedup"])}


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.drafter", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect", help="the target's answers and top-k, resumable")
    c.add_argument("--target", required=True, help="pack name or .gguf")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--n", type=int, default=400)
    c.add_argument("--max-tokens", type=int, default=128)
    c.add_argument("--topk", type=int, default=8)
    c.add_argument("--threads", type=int, default=0)
    c.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("train", help="distil the drafter (compact vocabulary)")
    t.add_argument("--data", type=Path, required=True, help="collect's JSONL")
    t.add_argument("--target", required=True, help="pack name or .gguf (its tokenizer)")
    t.add_argument("--text", type=Path, nargs="*", default=[],
                   help="files or folders of text for language-model loss beside the "
                        "target's answers (e.g. the Python standard library)")
    t.add_argument("--text-budget", type=int, default=2_000_000, help="tokens of --text")
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--width", type=int, default=256)
    t.add_argument("--depth", type=int, default=4)
    t.add_argument("--steps", type=int, default=600)
    t.add_argument("--batch", type=int, default=8, help="target rows per step")
    t.add_argument("--text-batch", type=int, default=4, help="text windows per step")
    t.add_argument("--seq", type=int, default=256, help="text window length")
    t.add_argument("--lr", type=float, default=3e-3)
    t.add_argument("--warmup", type=int, default=30)
    t.add_argument("--alpha", type=float, default=0.5,
                   help="weight of the soft (top-k) target against the target's token")
    t.add_argument("--bucket-ramp", type=int, default=None,
                   help="steps over which the unkept tokens' weight comes in (default: a "
                        "quarter of --steps; 0: full weight from the start)")
    t.add_argument("--out-scale", type=float, default=2.0,
                   help="starting output-norm weight (the unkept tokens weigh ~12 nats)")
    t.add_argument("--no-target-init", action="store_true",
                   help="random embedding instead of the target's output rows (PCA)")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--eval-every", type=int, default=100)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--resume", action="store_true")
    e = sub.add_parser("export", help="full-vocabulary GGUF with the target's tokenizer")
    e.add_argument("--ckpt", type=Path, required=True)
    e.add_argument("--target", required=True)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--dtype", choices=("f32", "f16"), default="f16")
    e.add_argument("--name", default="chimera-qwen-draft")
    g = sub.add_parser("gate", help="what drafting only when confident would give, from a "
                                    "bench report's measured costs")
    g.add_argument("--ckpt", type=Path, required=True)
    g.add_argument("--data", type=Path, required=True)
    g.add_argument("--bench", type=Path, required=True,
                   help="vaani bench speculative --extra-draft's JSON")
    g.add_argument("--label", help="which extra draft of the report (default: the first)")
    g.add_argument("--seed", type=int, default=0, help="training's, for checkpoints that "
                                                      "do not name their held-out answers")
    g.add_argument("--val-frac", type=float, default=0.1)
    g.add_argument("--out", type=Path)
    a = p.parse_args(argv)
    if a.cmd == "gate":
        rep = gate_table(a.ckpt, a.data, a.bench, label=a.label, seed=a.seed,
                         val_frac=a.val_frac)
        for r in rep["calibration"]:
            print(f"p >= {r['p_from']:.1f}: {r['share']:.1%} of positions, agreement "
                  f"{r['agreement']}")
        for r in rep["gated"]:
            print(f"k {r['k']} gate {r['gate']:.1f}: x{r['speedup']:.3f} (drafts at "
                  f"{r['drafting_share']:.1%} of positions, acceptance {r['acceptance']:.2f})")
        if a.out:
            a.out.write_text(json.dumps(rep, indent=2))
    elif a.cmd == "train":
        last = train(a.data, a.out, target=a.target, text=a.text, text_budget=a.text_budget,
                     width=a.width, depth=a.depth, steps=a.steps, batch=a.batch,
                     text_batch_size=a.text_batch, seq=a.seq, lr=a.lr, warmup=a.warmup,
                     alpha=a.alpha, out_scale=a.out_scale, bucket_ramp=a.bucket_ramp,
                     init_from_target=not a.no_target_init, threads=a.threads, seed=a.seed, eval_every=a.eval_every,
                     resume=a.resume)
        print(json.dumps(last))
    elif a.cmd == "export":
        print(export(a.ckpt, a.target, a.out, dtype=a.dtype, name=a.name))
    elif a.cmd == "collect":
        made = collect(a.target, a.out, n=a.n, max_tokens=a.max_tokens, topk=a.topk,
                       threads=a.threads, seed=a.seed)
        print(f"{made} new rows in {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
