"""What the alignment stages (``training.sft``, ``training.dpo``, ``training.grpo``) share.

* **Token ids and loss masks.** Every id a stage trains on comes from
  :func:`training.chat.encode_messages` / :func:`training.chat.encode_prompt`, i.e. the very
  text the GGUF's chat template renders at run time. :func:`assistant_mask` marks the tokens
  the assistant writes: each assistant turn's content, its tool calls and its ``<|end|>``,
  not the ``<|assistant|>`` role token (the runtime's generation prompt supplies it) and
  nothing of the system, user or tool-result turns.
* **Examples** (:func:`load_examples`): chat :class:`~training.data.generators.Doc`\\ s for
  SFT, :class:`~training.data.tasks.Pair`\\ s for DPO, :class:`~training.data.tasks.Task`\\ s
  for GRPO, from ``toy`` (the small hand-written sets below, for tests and smoke runs),
  ``assistant`` (``training.data.assistant``), ``generators`` (the pretraining corpus's
  chats, SFT only), a JSONL file of their fields, or a directory that
  ``training.data.assistant`` wrote (split already); :func:`split_val` holds out a stable
  hash-chosen part per language.
* **Batches** are a pure function of (seed, step, micro-step) (:func:`batch_indices`), so a
  resumed run sees the same examples as an uninterrupted one.
* :func:`token_logprobs`: per-token log-probabilities of the targets (through the model's
  fused linear cross-entropy, so a GPU never stores the full logits).
* :func:`sample_group`: G completions of one prompt with the model's recurrent / KV caches
  (prefill once, copy the caches G times, then one token at a time), temperature and top-p,
  stopping at ``<|end|>`` (or ``<|endoftext|>``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch

from training import chat
from training.data.generators import Doc
from training.data.tasks import Pair, Task

LANGS = ("hi", "en", "hinglish")
KINDS = {"sft": Doc, "dpo": Pair, "grpo": Task}


# ----------------------------------------------------------------------------- ids and masks

def assistant_mask(ids: Sequence[int], tok) -> list[bool]:
    """True for the tokens the assistant writes: after each ``<|assistant|>`` up to and
    including the ``<|end|>`` that closes that turn (content, tool calls, end of turn)."""
    a_id, end_id = tok.special_ids[chat.ASSISTANT], tok.special_ids[chat.END]
    mask, inside = [], False
    for t in ids:
        if inside:
            mask.append(True)
            if t == end_id:
                inside = False
        else:
            mask.append(False)
            if t == a_id:
                inside = True
    return mask


def encode_chat(messages: list[dict[str, Any]], tools, tok) -> tuple[list[int], list[bool]]:
    """A whole conversation (SFT): the template's ids and the assistant-token mask."""
    ids = chat.encode_messages(messages, tok, tools=tools)
    return ids, assistant_mask(ids, tok)


def encode_turn(messages: list[dict[str, Any]], reply: dict[str, Any] | None, tools,
                tok) -> tuple[list[int], int]:
    """``messages`` then one assistant turn ``reply`` (DPO, GRPO): the template's ids and
    the length of the prompt (``encode_prompt``, ending with ``<|assistant|>``).

    The prompt's ids are a prefix of the whole conversation's ids because every turn is
    delimited by special tokens, which the tokenizer never merges across; checked here."""
    prompt = chat.encode_prompt(messages, tok, tools=tools)
    if reply is None:
        return prompt, len(prompt)
    full = chat.encode_messages([*messages, {**reply, "role": "assistant"}], tok, tools=tools)
    if full[:len(prompt)] != prompt:
        raise ValueError("the prompt's ids are not a prefix of the conversation's ids")
    return full, len(prompt)


def targets(ids: Sequence[int], mask: Sequence[bool]) -> tuple[list[int], list[int]]:
    """Inputs ``ids[:-1]`` and targets ``ids[1:]`` with -100 where the target is not trained."""
    return list(ids[:-1]), [t if m else -100 for t, m in zip(ids[1:], mask[1:])]


def pad_rows(rows: list[tuple[list[int], list[int]]], pad_id: int,
             length: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad (inputs, targets) rows to one length; padded targets are -100. The model is
    causal, so padding on the right changes nothing at the real positions."""
    n = max(len(x) for x, _ in rows) if length is None else length
    x = torch.full((len(rows), n), pad_id, dtype=torch.long)
    y = torch.full((len(rows), n), -100, dtype=torch.long)
    for i, (xi, yi) in enumerate(rows):
        x[i, :len(xi)] = torch.tensor(xi[:n], dtype=torch.long)
        y[i, :len(yi)] = torch.tensor(yi[:n], dtype=torch.long)
    return x, y


def pack_rows(seqs: list[tuple[list[int], list[bool]]],
              seq: int) -> list[tuple[list[int], list[int]]]:
    """Concatenate whole sequences (each starts with ``<|endoftext|>``, like the pretraining
    stream) into as few rows of at most ``seq + 1`` tokens as first-fit allows, in order."""
    bins: list[tuple[list[int], list[bool]]] = []
    for ids, mask in seqs:
        for b in bins:
            if len(b[0]) + len(ids) <= seq + 1:
                b[0].extend(ids)
                b[1].extend(mask)
                break
        else:
            bins.append((list(ids), list(mask)))
    return [targets(ids, mask) for ids, mask in bins]


def token_logprobs(model, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """log p(y_t | x_<=t) per position (b, l), float32, 0 where ``y == -100``."""
    nll = model(x, y, reduction="none")
    return -nll.float().view(y.shape)


# ----------------------------------------------------------------------------- examples

def batch_indices(n: int, batch: int, seed: int, step: int, micro: int, accum: int) -> list[int]:
    """The examples of one micro-batch: walks epoch-wise random permutations of ``range(n)``,
    a pure function of its arguments (so resuming at a step sees the same examples)."""
    out = []
    start = (step * accum + micro) * batch
    for p in range(start, start + batch):
        epoch, k = divmod(p, n)
        perm = np.random.default_rng([seed, epoch]).permutation(n)
        out.append(int(perm[k]))
    return out


def example_text(ex: Doc | Pair | Task) -> str:
    """A stable text of an example (its split is a hash of it)."""
    if isinstance(ex, Doc):
        return ex.render()
    return json.dumps(dataclasses.asdict(ex), ensure_ascii=False, sort_keys=True)


def _hash01(seed: int, text: str) -> float:
    h = hashlib.blake2b(f"{seed}\x00{text}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "little") / 2**64


def split_val(examples: list, seed: int, frac: float) -> tuple[list, list]:
    """(train, val): an example is held out when a hash of (seed, its text) falls below
    ``frac``; identical examples land on the same side. A language with at least two
    examples and none held out gives its lowest-hash example to validation, so that small
    sets still have a per-language validation figure."""
    if frac <= 0:
        return list(examples), []
    scored = [(_hash01(seed, example_text(e)), i) for i, e in enumerate(examples)]
    val_idx = {i for h, i in scored if h < frac}
    for lang in LANGS:
        mine = [(h, i) for h, i in scored if examples[i].lang == lang]
        if len(mine) >= 2 and not any(i in val_idx for _, i in mine):
            lowest = min(mine)[0]
            val_idx |= {i for h, i in mine if h == lowest}
    train = [e for i, e in enumerate(examples) if i not in val_idx]
    val = [e for i, e in enumerate(examples) if i in val_idx]
    return train, val


def load_split(kind: str, spec: str, n: int, seed: int, val_frac: float) -> tuple[list, list]:
    """(train, val) examples of a stage. A directory written by ``python -m
    training.data.assistant --stage KIND --out DIR`` holds them split already
    (``KIND-train.jsonl``, ``KIND-val_<lang>.jsonl``); anything else goes through
    :func:`load_examples` and :func:`split_val` (the same hash as that builder's split)."""
    path = Path(spec)
    if path.is_dir():
        train_file = path / f"{kind}-train.jsonl"
        if not train_file.exists():
            raise SystemExit(f"--data {spec}: no {train_file.name} (build it with python -m "
                             f"training.data.assistant --stage {kind} --out {spec})")
        val = [e for lang in LANGS if (path / f"{kind}-val_{lang}.jsonl").exists()
               for e in _read_jsonl(kind, path / f"{kind}-val_{lang}.jsonl")]
        return _read_jsonl(kind, train_file), val
    return split_val(load_examples(kind, spec, n, seed), seed, val_frac)


def _read_jsonl(kind: str, path: Path) -> list:
    with open(path, encoding="utf-8") as f:
        return [from_dict(kind, json.loads(line)) for line in f if line.strip()]


def from_dict(kind: str, d: dict[str, Any]):
    cls = KINDS[kind]
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in names})


def write_jsonl(path: Path, examples: list) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for e in examples:
            f.write(json.dumps(dataclasses.asdict(e), ensure_ascii=False) + "\n")


def load_examples(kind: str, spec: str, n: int = 0, seed: int = 0) -> list:
    """Examples for a stage (``kind``: sft | dpo | grpo) from ``spec``:

    * ``toy``: the hand-written sets of this module (tests, smoke runs);
    * ``assistant``: ``n`` examples of ``training.data.assistant`` (``sft_doc``,
      ``dpo_pair``, ``grpo_task``), languages in turn, example ``i`` made by
      ``random.Random(f"{seed}:{kind}:{i}")``;
    * ``generators`` (sft only): ``n`` chat documents of the pretraining generators;
    * a path to a ``.jsonl`` file, one example's fields per line (:func:`write_jsonl`).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}")
    if spec == "toy":
        return {"sft": toy_docs, "dpo": toy_pairs, "grpo": toy_tasks}[kind]()
    if spec == "assistant":
        return assistant_examples(kind, n, seed)
    if spec == "generators":
        if kind != "sft":
            raise SystemExit("--data generators has chat documents only (SFT)")
        from training.data import generators as G

        out, i = [], 0
        while len(out) < n:
            d = G.generate(random.Random(f"{seed}:sft-gen:{i}"), LANGS[i % 3])
            i += 1
            if d.messages is not None and any(m.get("role") == "assistant" for m in d.messages):
                out.append(d)
        return out
    path = Path(spec)
    if not path.is_file():
        raise SystemExit(f"--data {spec}: not toy, assistant, generators, a .jsonl file or "
                         "a directory of them")
    return _read_jsonl(kind, path)


def assistant_examples(kind: str, n: int, seed: int) -> list:
    """``n`` examples from ``training.data.assistant`` (the alignment data generators)."""
    try:
        from training.data import assistant
    except ImportError as e:
        raise SystemExit(f"--data assistant needs training/data/assistant.py ({e})") from e
    if hasattr(assistant, "examples"):
        return assistant.examples(kind, n, seed)
    fn = {"sft": "sft_doc", "dpo": "dpo_pair", "grpo": "grpo_task"}[kind]
    make = getattr(assistant, fn)
    return [make(random.Random(f"{seed}:{kind}:{i}"), LANGS[i % 3]) for i in range(n)]


# ----------------------------------------------------------------------------- models

def load_model(path: Path | dict, device, cfg_check=None):
    """A Chimera from a checkpoint of any stage (``config`` + ``model``; a path or the
    loaded dict)."""
    from training.config import ModelConfig
    from training.model import Chimera

    ck = path if isinstance(path, dict) else torch.load(path, map_location="cpu",
                                                         weights_only=False)
    cfg = ModelConfig.from_dict(ck["config"])
    if cfg_check is not None and cfg != cfg_check:
        raise SystemExit(f"{path if not isinstance(path, dict) else 'checkpoint'}: its "
                         "config differs from this run's")
    model = Chimera(cfg, init=False)
    model.load_state_dict(ck["model"])
    return model.to(device)


def frozen(model):
    """A reference model: eval mode, no gradients."""
    model.eval()
    model.requires_grad_(False)
    return model


def check_vocab(model, tok) -> None:
    if model.cfg.vocab_size != tok.vocab_size:
        raise SystemExit(f"model vocabulary {model.cfg.vocab_size} != tokenizer's "
                         f"{tok.vocab_size} (train on the tokenizer the model was made with)")


def write_run_info(out: Path, stage: str, a, model, extra: dict | None = None) -> None:
    """``out/config.json``: the stage, model config, arguments, parameters, and the run it
    started from (its own config.json, so a card can follow the chain back to pretraining)."""
    from training.trainer import saved_args

    info: dict[str, Any] = {"stage": stage, "config": model.cfg.to_dict(),
                            "args": saved_args(a), "params": model.num_params(), **(extra or {})}
    init = getattr(a, "init_from", None)
    if init:
        parent = Path(init).parent / "config.json"
        info["init_from"] = str(init)
        if parent.exists():
            p = json.loads(parent.read_text())
            info["parent"] = {"run": str(Path(init).parent), "stage": p.get("stage", "pretrain")}
    (out / "config.json").write_text(json.dumps(info, indent=2, ensure_ascii=False))


# ----------------------------------------------------------------------------- replay

def add_replay_args(p) -> None:
    """``--replay`` and its options: pretraining text mixed into a fine-tuning stage."""
    p.add_argument("--replay", help="pretraining corpus mixed into every step "
                                    "(a training.data directory, or synthetic)")
    p.add_argument("--replay-rows", type=int, default=2,
                   help="--seq-token windows of the replay corpus per micro-batch")
    p.add_argument("--replay-weight", type=float, default=0.5,
                   help="loss = the stage's loss + this x replay NLL (a mean per token)")
    p.add_argument("--replay-eval-tokens", type=int, default=16384,
                   help="replay validation tokens per language")


def load_replay(a, tok):
    """The ``--replay`` corpus (``training.pretrain.Corpus``), or None without it; refused
    when its vocabulary is not the tokenizer's."""
    if not a.replay:
        return None
    if a.replay_rows < 1 or a.replay_weight <= 0:
        raise SystemExit("--replay needs --replay-rows >= 1 and --replay-weight > 0")
    from training.pretrain import load_corpus

    replay = load_corpus(a.replay)
    if len(replay.token_bytes) != tok.vocab_size:
        raise SystemExit(f"--replay {a.replay}: its vocabulary ({len(replay.token_bytes)}) "
                         f"is not the tokenizer's ({tok.vocab_size})")
    return replay


def replay_info(a, replay) -> dict | None:
    """The ``replay`` entry of a run's config.json."""
    if replay is None:
        return None
    return {"spec": a.replay, "rows": a.replay_rows, "weight": a.replay_weight,
            "train_tokens": int(len(replay.train))}


def replay_eval(model, replay, a, device, autocast) -> tuple[dict, str]:
    """Loss and bits per byte of the replay corpus's validation streams, per language, and
    the line the stages print for them."""
    from training.pretrain import evaluate as lm_evaluate

    r = lm_evaluate(model, replay, a.seq, a.replay_eval_tokens, device, autocast)
    return r, "  replay bpb " + " ".join(f"{k} {x['bpb']:.3f}" for k, x in r.items())


def replay_batch(corpus, a, step: int, micro: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``--replay-rows`` windows of the pretraining stream for (step, micro): a pure function
    of them and the seed (exact resume), drawn apart from pretraining's own batches."""
    from training.pretrain import get_batch

    return get_batch(corpus.train, a.replay_rows, a.seq, a.seed + 1_000_003, step, micro, 0)


def replay_backward(model, corpus, a, step: int, device, autocast) -> float:
    """Back-propagates ``--replay-weight`` × the replay NLL per token of the step (``--accum``
    micro-batches) into ``model``'s gradients; returns that NLL."""
    n_replay = a.accum * a.replay_rows * a.seq
    total = 0.0
    for micro in range(a.accum):
        x, y = replay_batch(corpus, a, step, micro)
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with autocast():
            loss = model(x, y, reduction="sum") / n_replay
        (a.replay_weight * loss).backward()
        total += float(loss.detach())
    return total


# ----------------------------------------------------------------------------- sampling

def expand_cache(cache, n: int) -> None:
    """Repeat a batch-1 generation cache ``n`` times along the batch (in place)."""
    from training.model import KVState, MambaState

    for i, st in enumerate(cache.layers):
        if isinstance(st, MambaState):
            cache.layers[i] = MambaState(conv=st.conv.expand(n, *st.conv.shape[1:]).contiguous(),
                                         ssm=st.ssm.expand(n, *st.ssm.shape[1:]).contiguous())
        elif isinstance(st, KVState):
            cache.layers[i] = KVState(k=st.k.expand(n, *st.k.shape[1:]).contiguous(),
                                      v=st.v.expand(n, *st.v.shape[1:]).contiguous())


def pick_tokens(logits: torch.Tensor, temperature: float, top_p: float,
                generator: torch.Generator | None) -> torch.Tensor:
    """(b, V) logits -> (b,) tokens: greedy at temperature 0, else nucleus sampling."""
    if temperature <= 0:
        return logits.argmax(-1)
    probs = torch.softmax(logits.float() / temperature, -1)
    if top_p < 1.0:
        sp, si = probs.sort(-1, descending=True)
        drop = sp.cumsum(-1) - sp > top_p          # keep the smallest set reaching top_p
        sp = sp.masked_fill(drop, 0.0)
        probs = torch.zeros_like(probs).scatter_(-1, si, sp)
    return torch.multinomial(probs, 1, generator=generator)[:, 0]


@torch.no_grad()
def sample_group(model, prompt: list[int], n: int, max_new: int, temperature: float,
                 top_p: float, stop_ids: set[int], generator: torch.Generator | None,
                 device, autocast=None) -> list[list[int]]:
    """``n`` completions of ``prompt``; each ends with its stop token, or is ``max_new``
    tokens long (truncated). The prompt is prefilled once; its caches are copied ``n`` times."""
    ctx = autocast or (lambda: torch.autocast("cpu", enabled=False))
    was_training = model.training
    model.eval()
    cache = model.new_cache()
    with ctx():
        logits = model(torch.tensor([prompt], device=device), cache=cache)[:, -1]
    expand_cache(cache, n)
    logits = logits.expand(n, -1)
    out = torch.zeros(n, max_new, dtype=torch.long)
    length = torch.full((n,), max_new, dtype=torch.long)
    done = torch.zeros(n, dtype=torch.bool)
    stop = torch.tensor(sorted(stop_ids))
    for t in range(max_new):
        nxt = pick_tokens(logits.float().cpu(), temperature, top_p, generator)
        nxt = torch.where(done, torch.zeros_like(nxt), nxt)
        out[:, t] = nxt
        hit = torch.isin(nxt, stop) & ~done
        length[hit] = t + 1
        done |= hit
        if bool(done.all()) or t == max_new - 1:
            break
        with ctx():
            logits = model(nxt.to(device)[:, None], cache=cache)[:, -1]
    model.train(was_training)
    return [out[i, :int(length[i])].tolist() for i in range(n)]


def task_rng(seed: int, *parts: int) -> torch.Generator:
    """A torch generator that is a pure function of (seed, parts)."""
    h = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return torch.Generator().manual_seed(int.from_bytes(h, "little") & (2**63 - 1))


# ----------------------------------------------------------------------------- rewards

@dataclass
class ScoredReward:
    total: float
    components: dict[str, float] = field(default_factory=dict)


def as_reward(r) -> ScoredReward:
    """Whatever a reward function returns (a number, ``.total``/``.components``, a dict)."""
    if isinstance(r, (int, float)):
        return ScoredReward(float(r))
    if isinstance(r, dict):
        return ScoredReward(float(r["total"]), {k: float(v) for k, v in
                                                (r.get("components") or {}).items()})
    comps = getattr(r, "components", None) or {}
    return ScoredReward(float(r.total), {k: float(v) for k, v in comps.items()})


def load_reward(spec: str) -> Callable[[Task, str], Any]:
    """``module:function`` (e.g. ``training.rewards:reward``)."""
    import importlib

    mod, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(mod), name or "reward")
    except (ImportError, AttributeError) as e:
        raise SystemExit(f"--reward {spec}: {e}") from e


_SPECIAL = re.compile(r"<\|[a-z_0-9]+\|>")


def script_fraction(text: str, script: str) -> float:
    """Share of the letters of ``text`` (special tokens removed) in ``script``:
    devanagari or latin; 0 when there are no letters."""
    letters = [c for c in _SPECIAL.sub("", text) if c.isalpha()]
    if not letters:
        return 0.0
    if script == "devanagari":
        good = sum("\u0900" <= c <= "\u097f" for c in letters)
    else:
        good = sum(c.isascii() for c in letters)
    return good / len(letters)


def toy_reward(task: Task, completion: str) -> ScoredReward:
    """A verifiable toy reward (tests, smoke runs): the completion is written in the script
    of the task's language (``expect["script"]``), and is not longer than
    ``expect["max_chars"]`` when given. ``total`` is the script share (the length check is
    a component, reported but not rewarded, to exercise per-component logging)."""
    script = task.expect.get("script", "devanagari" if task.lang == "hi" else "latin")
    s = script_fraction(completion, script)
    comps = {"script": s}
    if "max_chars" in task.expect:
        comps["short"] = float(len(_SPECIAL.sub("", completion)) <= task.expect["max_chars"])
    return ScoredReward(s, comps)


def constant_reward(task: Task, completion: str) -> float:
    """Reward 1 whatever the completion (every group has zero variance: tests)."""
    return 1.0


# ----------------------------------------------------------------------------- toy sets

_SYS = {"hi": "आप वाणी हैं, एक मददगार ऑफ़लाइन वॉइस असिस्टेंट। छोटे और साफ़ जवाब दें।",
        "en": "You are VAANI, a helpful offline voice assistant. Keep answers short.",
        "hinglish": "Tum Vaani ho, ek helpful offline voice assistant. Chhote jawab do."}
_TIMER = {"type": "function", "function": {
    "name": "timer", "description": "start a countdown timer",
    "parameters": {"type": "object", "properties": {"minutes": {"type": "integer"},
                                                    "label": {"type": "string"}}}}}
_CLOCK = {"type": "function", "function": {
    "name": "clock", "description": "current local time and date",
    "parameters": {"type": "object", "properties": {}}}}


def _u(text: str) -> dict:
    return {"role": "user", "content": text}


def _a(text: str) -> dict:
    return {"role": "assistant", "content": text}


def _call(name: str, args: dict) -> dict:
    return {"role": "assistant", "content": "", "tool_calls": [chat.tool_call(name, args)]}


def _result(obj: dict) -> dict:
    return {"role": "tool", "content": json.dumps(obj, ensure_ascii=False)}


def toy_docs() -> list[Doc]:
    """Hand-written SFT chats: tool calls and the worded results, plain answers, declines,
    multi-turn context, in Hindi, English and Hinglish (with and without system turns)."""
    s = {k: {"role": "system", "content": v} for k, v in _SYS.items()}
    tools = [_TIMER, _CLOCK]
    rows = [
        ("hi", [s["hi"], _u("5 मिनट का टाइमर लगाओ"), _call("timer", {"minutes": 5}),
                _result({"ok": True, "minutes": 5}), _a("5 मिनट का टाइमर लग गया।")], tools),
        ("hi", [_u("अभी कितने बजे हैं?"), _call("clock", {}),
                _result({"time": "15:33"}), _a("अभी दोपहर के 3 बजकर 33 मिनट हुए हैं।")], tools),
        ("hi", [_u("नमस्ते"), _a("नमस्ते! मैं वाणी हूँ। बताइए, क्या मदद करूँ?")], None),
        ("hi", [s["hi"], _u("कल का शेयर बाज़ार कैसा रहेगा?"),
                _a("माफ़ कीजिए, यह मैं नहीं बता सकती।")], tools),
        ("hi", [_u("मेरा नाम आरव है।"), _a("नमस्ते आरव!"), _u("मेरा नाम क्या है?"),
                _a("आपका नाम आरव है।")], None),
        ("en", [s["en"], _u("Set a timer for 10 minutes."), _call("timer", {"minutes": 10}),
                _result({"ok": True, "minutes": 10}), _a("Your 10 minute timer is set.")], tools),
        ("en", [_u("What time is it?"), _call("clock", {}), _result({"time": "07:05"}),
                _a("It's 7:05 in the morning.")], tools),
        ("en", [_u("Hello!"), _a("Hello! I'm VAANI. How can I help?")], None),
        ("en", [s["en"], _u("Who will win the next election?"),
                _a("Sorry, I can't know that.")], tools),
        ("en", [_u("My sister is Meera."), _a("Nice to meet Meera!"),
                _u("Who is my sister?"), _a("Your sister is Meera.")], None),
        ("hinglish", [s["hinglish"], _u("2 minute ka timer laga do"),
                      _call("timer", {"minutes": 2, "label": "chai"}),
                      _result({"ok": True, "minutes": 2}), _a("2 minute ka timer lag gaya.")],
         tools),
        ("hinglish", [_u("abhi time kya hua hai?"), _call("clock", {}),
                      _result({"time": "21:10"}), _a("Abhi raat ke 9 baj kar 10 minute hue hain.")],
         tools),
        ("hinglish", [_u("kaise ho?"), _a("Main theek hoon! Aap batao, kya madad karun?")], None),
        ("hinglish", [s["hinglish"], _u("kal lottery ka number kya aayega?"),
                      _a("Sorry, yeh main nahi bata sakti.")], tools),
        ("hinglish", [_u("mera shehar Pune hai."), _a("Achha, Pune!"),
                      _u("mera shehar kaunsa hai?"), _a("Aapka shehar Pune hai.")], None),
    ]
    return [Doc("toy.sft", lang, messages=m, tools=t) for lang, m, t in rows]


def toy_pairs() -> list[Pair]:
    """Hand-written preference pairs: faithful vs unfaithful wording of a tool result, the
    right tool vs a spurious call, a decline vs an invented answer, the user's language."""
    tools = [_TIMER, _CLOCK]
    clock_hi = [_u("अभी कितने बजे हैं?"), _call("clock", {}), _result({"time": "15:33"})]
    clock_en = [_u("What time is it?"), _call("clock", {}), _result({"time": "07:05"})]
    clock_hg = [_u("abhi time kya hua hai?"), _call("clock", {}), _result({"time": "21:10"})]
    rows = [
        ("hi", "faithful", clock_hi, _a("अभी 3 बजकर 33 मिनट हुए हैं।"),
         _a("अभी सुबह के साढ़े चार बजे हैं।")),
        ("hi", "tool_choice", [_u("5 मिनट का टाइमर लगाओ")], _call("timer", {"minutes": 5}),
         _call("timer", {"minutes": 50})),
        ("hi", "decline", [_u("कल सोने का भाव क्या होगा?")],
         _a("माफ़ कीजिए, यह मैं नहीं बता सकती।"), _a("कल सोना 71,000 रुपये होगा।")),
        ("hi", "language", [_u("नमस्ते, कैसी हो?")], _a("मैं ठीक हूँ, धन्यवाद!"),
         _a("I am fine, thank you!")),
        ("en", "faithful", clock_en, _a("It's 7:05 in the morning."),
         _a("It's half past nine at night.")),
        ("en", "tool_choice", [_u("Tell me a joke.")], _a("Why did the clock smile? It had time."),
         _call("clock", {})),
        ("en", "decline", [_u("What will the stock market do tomorrow?")],
         _a("Sorry, I can't know that."), _a("It will go up by 3 percent.")),
        ("en", "language", [_u("Good morning!")], _a("Good morning! How can I help?"),
         _a("सुप्रभात! मैं क्या मदद करूँ?")),
        ("hinglish", "faithful", clock_hg, _a("Abhi raat ke 9 baj kar 10 minute hue hain."),
         _a("Abhi subah ke 6 baje hain.")),
        ("hinglish", "tool_choice", [_u("2 minute ka timer laga do")],
         _call("timer", {"minutes": 2}), _a("Theek hai.")),
        ("hinglish", "decline", [_u("kal ka match kaun jeetega?")],
         _a("Sorry, yeh main nahi bata sakti."), _a("Kal India jeetega.")),
        ("hinglish", "language", [_u("kya haal hai?")], _a("Sab badhiya! Aap batao?"),
         _a("सब बढ़िया! आप बताइए?")),
    ]
    return [Pair(m, c, r, tools, lang, kind) for lang, kind, m, c, r in rows]


def toy_tasks() -> list[Task]:
    """Hand-written GRPO tasks with a checkable expectation for :func:`toy_reward`
    (answer in the script of the question's language)."""
    rows = [
        ("hi", "devanagari", "नमस्ते, आप कैसी हैं?"), ("hi", "devanagari", "आज मौसम कैसा है?"),
        ("hi", "devanagari", "मुझे एक कहानी सुनाओ।"),
        ("en", "latin", "Hello, how are you?"), ("en", "latin", "Tell me something nice."),
        ("en", "latin", "What is your name?"),
        ("hinglish", "latin", "kaise ho aap?"), ("hinglish", "latin", "kuch accha batao."),
        ("hinglish", "latin", "tumhara naam kya hai?"),
    ]
    return [Task([_u(q)], None, lang, "language", {"script": script, "max_chars": 80})
            for lang, script, q in rows]
