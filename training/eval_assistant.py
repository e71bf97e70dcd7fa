"""Chimera as an assistant after every stage: one table, a row per stage, v1 beside them.

    python -m training.eval_assistant --stage pretrained=runs/chimera \\
        --stage sft=runs/chimera-sft --stage dpo=runs/chimera-dpo --stage grpo=runs/chimera-grpo \\
        --per-cell 20 --data runs/data/chimera --out results/chimera/eval-assistant.json

``--stage NAME=PATH[#MODE]`` (repeated; the table keeps this order; ``MODE``: how tool calls
are decoded, ``grounded`` by default as in the runtime, or ``schema`` / ``free``, see
:mod:`vaani.llm.calls`): a run folder or a ``ckpt.pt``
is exported to F16 (:mod:`training.export`) and quantized to Q4_K_M (:mod:`training.quantize`)
into ``--cache`` (keyed by the checkpoint's hash, so a second run reuses it), as shipping
does; a ``.gguf`` is used as it is. The shipped v1 (``--v1``, default
``models/chimera/chimera-q4_k_m.gguf``) is added first unless a stage is named ``v1`` or
``--v1 none``; every other stage is compared with it (``--baseline``).

**Tasks.** Held-out GRPO tasks of :mod:`training.data.assistant`: example ``i`` of the
stream the recipe builds (``random.Random(f"{seed}:grpo:{i}")``, languages in turn), kept
only when the builder's split puts it on the validation side
(:func:`training.data.build.is_val` of its text, ``--data-seed``, ``--val-frac``), so none
is a training task of any size of that build; the first ``--per-cell`` of each language
and kind (``tool_call``, ``arithmetic``: the call or the worded result, ``word_result``:
a tool's result or error to word, ``no_tool``, ``decline``). ``--tasks DIR`` reads them
from the builder's ``grpo-val_<lang>.jsonl`` instead. Each is asked through VAANI's own
engine (:class:`vaani.llm.LlamaEngine`: the GGUF's chat template, the task's tools, the
stage's tool-call decoding, greedy, ``--max-tokens``; the user's numbers in words as
digits, as the runtime sends them, ``[llm] digits``, unless ``--no-digits``). Tasks whose
conversation ends with a tool's result are asked with it; when a stage calls the
calculator right on an arithmetic task, the calculator plugin runs its expression and the
result turn is appended and asked too (a follow-up, scored as a worded result).

**Metrics** (per language and overall; every reply read as the runtime reads it and scored
by :func:`training.rewards.reward`):

* tool-call **precision**: right calls / all calls made, on every task and follow-up (a
  call on a no-tool, decline or worded-result turn is a false call); a right call is to
  the expected tool on a task that needs one;
* **recall**: right calls / tasks that need a call;
* **exact arguments**: tasks that need a call and got the right tool with exactly the
  expected arguments (an arithmetic call: the calculator's value right and every number
  the user's) / tasks that need a call;
* **faithful**: worded results (after a tool's result or error) whose every number, time,
  weekday, month and part of the day the result, the arguments or the question back (the
  reward's ``faithful``, :func:`vaani.guard.unfaithful`) / worded results answered in words;
* **declined**: out-of-scope requests declined in words / out-of-scope requests;
* **wrong language**: replies with words whose language scores 0 (not the user's
  language and script; Devanagari Hindi for a Hinglish user is not wrong, it scores 0.5) /
  replies with words;
* **degenerate**: replies that are empty or that :func:`vaani.guard.degenerate` rejects
  (repetition, markup, leaked template tokens) / all replies;
* **mean reward** of the tasks (follow-ups left out, so every stage averages the same set).

Then ``vaani bench answers`` on its held-out questions (``--answers-limit`` per language
and kind; 0: all 246), asked through the whole assistant with ``config.llm.model`` = the
GGUF (defaults otherwise, ``llm.seed`` 0), with the runtime's reply checks off and on:
correct / abstained / wrong (the JSON adds the rates of the replies the model itself wrote,
``llm``, and the reply sources: the skills answer first, alike for every stage). With ``--data DIR`` (a pretraining corpus), bits per byte per
language of the GGUF through llama.cpp (:func:`training.eval.gguf_bpb`).

**Goals** (issue 9) are checked per column: precision and recall >= 95%, exact arguments
>= 90%, faithful >= 98%, declined >= 90%, wrong language <= 2%, degenerate <= 1%, answers
wrong <= 5% with the checks off (and with them on: the bench's own goal). A stage **beats
v1** when on every compared column it is better; equal counts only where the goal is met or
the value cannot be better (0% degenerate against 0%). The compared columns: precision,
recall, exact, faithful, declined, wrong language, degenerate, mean reward, answers right
and wrong with checks off and on, bits per byte when measured.

Writes ``--out`` (JSON, with every reply) and a Markdown table beside it (``.md``), and
prints the table.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable

from training.data.tasks import Task

REPO = Path(__file__).resolve().parent.parent
LANGS = ("hi", "en", "hinglish")
KINDS = ("tool_call", "arithmetic", "word_result", "no_tool", "decline")   # GRPO_KINDS
VAL_FRAC = 0.02                     # training.data.assistant.build's default split
V1 = "models/chimera/chimera-q4_k_m.gguf"
NEEDS_CALL = ("tool_call", "arithmetic_call")             # training.rewards.WEIGHTS keys
# the tasks' tool arguments the model writes itself (plugins/vaani_calculator's Tool.composed)
COMPOSED = {"calculator": ["expression"]}
WORDED = ("arithmetic_word", "word_result", "word_error")

# column -> (direction, threshold): ">=" a rate at least, "<=" at most (issue 9)
GOALS: dict[str, tuple[str, float]] = {
    "precision": (">=", 0.95), "recall": (">=", 0.95), "exact": (">=", 0.90),
    "faithful": (">=", 0.98), "declined": (">=", 0.90), "wrong_language": ("<=", 0.02),
    "degenerate": ("<=", 0.01), "answers_off_wrong": ("<=", 0.05),
    "answers_on_wrong": ("<=", 0.05),          # vaani bench answers' own goal (checks on)
}
# the columns a stage must beat v1 on, and which way is better
COMPARED: dict[str, bool] = {       # True: higher is better
    "precision": True, "recall": True, "exact": True, "faithful": True, "declined": True,
    "wrong_language": False, "degenerate": False, "reward": True,
    "answers_off_correct": True, "answers_off_wrong": False,
    "answers_on_correct": True, "answers_on_wrong": False, "bpb": False,
}
METRICS = ("precision", "recall", "exact", "faithful", "declined", "wrong_language",
           "degenerate", "reward")


# ----------------------------------------------------------------------------- tasks

def held_out_tasks(per_cell: int, seed: int = 0, val_frac: float = VAL_FRAC,
                   max_draws: int = 2_000_000) -> list[Task]:
    """The first ``per_cell`` validation-side tasks of each language and kind in the
    builder's stream (see the module doc); deterministic."""
    from training.data import assistant as A
    from training.data.build import is_val

    got: dict[tuple[str, str], list[Task]] = {(lg, k): [] for lg in LANGS for k in KINDS}

    def full(lang: str) -> bool:
        return all(len(got[(lang, k)]) >= per_cell for k in KINDS)

    for i in range(max_draws):
        lang = LANGS[i % 3]
        if full(lang):
            if all(full(lg) for lg in LANGS):
                break
            continue
        task = A.grpo_task(random.Random(f"{seed}:grpo:{i}"), lang)
        cell = got[(lang, task.kind)]
        if len(cell) < per_cell and is_val(A.example_text(task), seed, val_frac):
            cell.append(task)
    else:
        raise RuntimeError(f"fewer than {per_cell} held-out tasks per cell in {max_draws} draws")
    return [t for lg in LANGS for k in KINDS for t in got[(lg, k)]]


def tasks_from_dir(path: Path, per_cell: int) -> list[Task]:
    """The first ``per_cell`` tasks of each language and kind of a built data directory's
    validation files (``grpo-val_<lang>.jsonl``)."""
    out: list[Task] = []
    names = {f.name for f in dataclasses.fields(Task)}
    for lang in LANGS:
        f = path / f"grpo-val_{lang}.jsonl"
        if not f.exists():
            raise SystemExit(f"--tasks {path}: no {f.name} (python -m training.data.assistant "
                             f"--stage grpo --out {path})")
        count: dict[str, int] = {}
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                t = Task(**{k: v for k, v in json.loads(line).items() if k in names})
                if count.get(t.kind, 0) < per_cell:
                    count[t.kind] = count.get(t.kind, 0) + 1
                    out.append(t)
    return out


def cached_tasks(cache: Path | None, per_cell: int, seed: int, val_frac: float) -> list[Task]:
    """:func:`held_out_tasks`, kept as JSONL in ``cache`` (finding them takes a while)."""
    if cache is None:
        return held_out_tasks(per_cell, seed, val_frac)
    f = cache / f"tasks-seed{seed}-val{val_frac}-per{per_cell}.jsonl"
    if f.exists():
        return [Task(**json.loads(line)) for line in f.read_text(encoding="utf-8").splitlines()
                if line.strip()]
    tasks = held_out_tasks(per_cell, seed, val_frac)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = f.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(dataclasses.asdict(t), ensure_ascii=False) + "\n"
                           for t in tasks), encoding="utf-8")
    tmp.replace(f)
    return tasks


# ----------------------------------------------------------------------------- scoring

@dataclass
class Outcome:
    """One reply, scored."""

    lang: str
    kind: str                       # the task's kind
    key: str                        # training.rewards' weights key (arithmetic_call ...)
    completion: str
    followup: bool = False
    error: str = ""                 # the engine refused the prompt (counted as empty)
    needs_call: bool = False
    called: bool = False            # the tool-call marker was written
    right_call: bool = False        # the expected tool, on a task that needs a call
    exact: bool | None = None       # ... with exactly the expected arguments (needs_call)
    faithful: bool | None = None    # a worded result, answered in words
    declined: bool | None = None    # an out-of-scope request
    wrong_language: bool | None = None   # a reply with words
    degenerate: bool = False
    reward: float = 0.0
    components: dict[str, float] = field(default_factory=dict)

    def failures(self) -> list[str]:
        """What this reply got wrong, by the columns :func:`aggregate` counts: a missed,
        false or wrong call, inexact arguments, unfaithful, not declined, wrong language,
        degenerate (``training.mine`` pairs the reference against such replies)."""
        checks = {
            "missed_call": self.needs_call and not self.called,
            "false_call": not self.needs_call and self.called,
            "wrong_tool": self.needs_call and self.called and not self.right_call,
            "inexact": self.right_call and not self.exact,
            "unfaithful": self.faithful is False,
            "not_declined": self.declined is False,
            "wrong_language": self.wrong_language is True,
            "degenerate": self.degenerate,
        }
        return [name for name, failed in checks.items() if failed]


def score(task: Task, completion: str, *, followup: bool = False, error: str = "") -> Outcome:
    """Score one completion of ``task`` (what the engine wrote for the assistant's turn,
    the tool-call marker kept)."""
    from training import rewards
    from vaani import guard

    key, comps, _ = rewards.components(task, completion)
    total = rewards.reward(task, completion).total
    p = rewards.parse(completion)
    o = Outcome(task.lang, task.kind, key, completion, followup, error,
                reward=total, components=comps)
    o.needs_call = key in NEEDS_CALL
    o.called = p.called
    o.right_call = o.needs_call and p.call is not None and p.call[0] == task.expect.get("tool")
    if o.needs_call:
        o.exact = o.right_call and (comps.get("arguments") == 1.0 if key == "tool_call" else
                                    comps.get("arithmetic") == 1.0 and comps.get("grounded") == 1.0)
    if key in WORDED and p.text and not p.called:
        o.faithful = comps.get("faithful") == 1.0
    if key == "decline":
        o.declined = comps.get("declined") == 1.0
    if p.text:
        o.wrong_language = rewards.language_score(p.text, task.lang) == 0.0
        o.degenerate = bool(guard.degenerate(p.text))
    else:
        o.degenerate = not p.called            # nothing at all
    return o


def _rate(num: int, den: int) -> dict[str, Any]:
    return {"rate": round(num / den, 4) if den else None, "n": num, "of": den}


def aggregate(outcomes: Iterable[Outcome]) -> dict[str, dict[str, Any]]:
    """The metrics of a set of scored replies: ``{metric: {"rate", "n", "of"}}``
    (``rate`` None when nothing counts, e.g. precision of a model that never calls)."""
    os_ = list(outcomes)
    tasks = [o for o in os_ if not o.followup]
    right = sum(o.right_call for o in os_)
    out = {
        "precision": _rate(right, sum(o.called for o in os_)),
        "recall": _rate(right, sum(o.needs_call for o in os_)),
        "exact": _rate(sum(o.exact is True for o in os_), sum(o.needs_call for o in os_)),
        "faithful": _rate(sum(o.faithful is True for o in os_),
                          sum(o.faithful is not None for o in os_)),
        "declined": _rate(sum(o.declined is True for o in os_),
                          sum(o.declined is not None for o in os_)),
        "wrong_language": _rate(sum(o.wrong_language is True for o in os_),
                                sum(o.wrong_language is not None for o in os_)),
        "degenerate": _rate(sum(o.degenerate for o in os_), len(os_)),
    }
    out["reward"] = {"rate": round(sum(o.reward for o in tasks) / len(tasks), 4) if tasks
                     else None, "n": len(tasks), "of": len(tasks)}
    return out


def by_language(outcomes: list[Outcome]) -> dict[str, dict[str, dict[str, Any]]]:
    return {"all": aggregate(outcomes),
            **{lg: aggregate(o for o in outcomes if o.lang == lg) for lg in LANGS}}


# ----------------------------------------------------------------------------- running

def followup_task(task: Task, call: tuple[str, Any]) -> Task | None:
    """After a right calculator call on an arithmetic task: the conversation with that call
    and the calculator plugin's result for it, to be worded (None: the plugin failed)."""
    from training.data import assistant as A

    name, args = call
    expr = args.get(task.expect.get("argument", "expression")) if isinstance(args, dict) else None
    if not isinstance(expr, str):
        return None
    res = A._calc(expr)
    if "result" not in res:
        return None
    value = res["result"]
    must = [[f"n:{Fraction(str(value))}", f"n:{Fraction(str(round(value, 2)))}"]]
    expect = {"result": res, "arguments": args, "error": False, "tool": name, "must": must,
              "value": value, "stage": "word",
              **{k: task.expect[k] for k in ("max_sentences", "max_chars", "tools")
                 if k in task.expect}}
    return Task(task.messages + [A._call(name, args), A._result(res)], task.tools, task.lang,
                "arithmetic", expect, meta={"followup": True})


def sent_messages(task: Task, digits: bool = True) -> list[dict[str, Any]]:
    """The task's conversation as the runtime sends it to the model: with ``digits``
    (``[llm] digits``) the user's numbers in words become digits."""
    if not digits:
        return task.messages
    from vaani.numwords import with_digits

    return [{**m, "content": with_digits(m["content"], roman_hindi=task.lang != "en")}
            if m.get("role") == "user" and isinstance(m.get("content"), str) else m
            for m in task.messages]


def ask_tasks(gguf: str | Path, tasks: list[Task], *, threads: int = 1, max_tokens: int = 96,
              followups: bool = True, n_ctx: int = 2048, tool_calls: str = "grounded",
              digits: bool = True,
              progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Every task through VAANI's engine (greedy), scored; follow-ups after right
    calculator calls. With ``digits`` the user's numbers in words reach the model as digits,
    as the runtime sends them (``[llm] digits``; scoring reads the words as said)."""
    from training import rewards
    from vaani.llm import LlamaEngine
    from vaani.llm.chat import RequestError

    engine = LlamaEngine(gguf, n_ctx=n_ctx, threads=threads, seed=0)

    def ask(t: Task) -> tuple[str, str]:
        try:
            return "".join(engine.process(sent_messages(t, digits), tools=t.tools,
                                          max_tokens=max_tokens, temperature=0.0,
                                          tool_calls=tool_calls, composed=COMPOSED)), ""
        except RequestError as e:        # a prompt longer than the context: counted as empty
            return "", str(e)

    out: list[Outcome] = []
    try:
        for i, task in enumerate(tasks):
            text, err = ask(task)
            o = score(task, text, error=err)
            out.append(o)
            if followups and o.key == "arithmetic_call" and o.exact:
                fu = followup_task(task, rewards.parse(text).call)
                if fu is not None:
                    text, err = ask(fu)
                    out.append(score(fu, text, followup=True, error=err))
            if progress:
                progress(i + 1, len(tasks))
    finally:
        engine.close()
    return out


def answers_bench(gguf: str | Path, *, limit: int = 0, threads: int = 1,
                  tool_calls: str = "grounded", digits: bool = True) -> dict[str, Any]:
    """``vaani bench answers`` (held-out set) with the GGUF as the LLM, checks off and on:
    ``{"off"|"on": {"all"|lang: {correct_rate, abstained_rate, wrong_rate, n}}, "records"}``."""
    from vaani import config as config_mod
    from vaani.assistant import Assistant
    from vaani.bench import answers as B
    from vaani.offline import block_network

    items = B.select(B.load_items("heldout"), limit=limit)
    records: list[Any] = []
    for mode, on in (("baseline", False), ("guarded", True)):
        config = config_mod.from_dict({})
        config.llm.model = str(Path(gguf).resolve())
        config.llm.seed = 0
        config.llm.threads = threads
        config.llm.tool_calls = tool_calls
        config.llm.digits = digits
        config.assistant.language = "auto"
        config.trace.enabled = False
        config.guard.enabled = on
        # alarms and notes in an empty throwaway directory for each pass, never the user's
        with B.fresh_data_dir(), block_network(), Assistant(config, needs=("llm",)) as assistant:
            records += B.ask_items(assistant, items, mode, "heldout", tz=B.clock_zone(config))
    summary = B.summarize(records)
    keep = ("n", "correct_rate", "abstained_rate", "wrong_rate")
    out: dict[str, Any] = {}
    for mode, name in (("baseline", "off"), ("guarded", "on")):
        s = summary[mode]
        out[name] = {"all": {k: s["overall"][k] for k in keep},
                     **{lg: {k: r[k] for k in keep} for lg, r in s["by_language"].items()},
                     # the replies the model wrote (the rest are the skills', the same for
                     # every stage)
                     "llm": {k: v for k, v in s["by_source"].get("llm", {"n": 0}).items()
                             if k in keep},
                     "sources": s["overall"]["sources"]}
    out["questions"] = len(items)
    out["temperature"] = config.llm.temperature
    out["records"] = [{"mode": "off" if r.mode == "baseline" else "on", "id": r.id,
                       "language": r.language, "kind": r.kind, "grade": r.grade,
                       "reason": r.reason, "source": r.source, "reply": r.reply}
                      for r in records]
    return out


def bpb(gguf: str | Path, data: str, *, max_tokens: int = 16384, threads: int = 1,
        corpus: Any = None) -> dict[str, Any]:
    """Bits per byte per language (and over all bytes) of a GGUF on a corpus's
    validation split."""
    from training.eval import gguf_bpb
    from training.pretrain import load_corpus

    corpus = corpus or load_corpus(data)
    res = gguf_bpb(gguf, corpus.val, corpus.token_bytes, 512, max_tokens, threads)
    out = {lg: round(r["bpb"], 4) for lg, r in res.items()}
    total = sum(r["bytes"] for r in res.values())
    if total:
        out["all"] = round(sum(r["bpb"] * r["bytes"] for r in res.values()) / total, 4)
    return out


# ----------------------------------------------------------------------------- stages

def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def resolve(path: str | Path) -> Path:
    """A path as given, else relative to the repository (runs' configs store relative
    paths)."""
    p = Path(path)
    return p if p.exists() or p.is_absolute() else (REPO / p if (REPO / p).exists() else p)


def stage_gguf(path: str | Path, cache: Path, threads: int = 1, name: str = "chimera") -> Path:
    """The Q4_K_M GGUF of a stage: a ``.gguf`` as it is; a run folder's ``ckpt.pt`` or a
    checkpoint exported to F16 and quantized into ``cache/<sha>/`` (reused when there)."""
    p = resolve(path)
    if p.suffix == ".gguf":
        if not p.is_file():
            raise SystemExit(f"{path}: no such GGUF")
        return p
    ckpt = p / "ckpt.pt" if p.is_dir() else p
    if not ckpt.is_file():
        raise SystemExit(f"{path}: not a .gguf, a checkpoint or a run folder with ckpt.pt")
    d = cache / sha256(ckpt)[:16]
    q4 = d / "q4_k_m.gguf"
    if q4.is_file():
        return q4
    from training import export, quantize

    d.mkdir(parents=True, exist_ok=True)
    f16 = d / "f16.gguf"
    if not f16.is_file():
        export.write_gguf(export.load_checkpoint_model(ckpt), f16.with_suffix(".tmp"),
                          export.project_tokenizer(), dtype="f16", name=name)
        f16.with_suffix(".tmp").replace(f16)
    quantize.quantize(f16, q4.with_suffix(".tmp"), "q4_k_m", threads)
    q4.with_suffix(".tmp").replace(q4)
    return q4


def run_info(path: str | Path) -> dict[str, Any] | None:
    """The stage and run folder of a checkpoint or run folder (its ``config.json``)."""
    p = resolve(path)
    run = p if p.is_dir() else p.parent
    if p.suffix == ".gguf" or not (run / "config.json").is_file():
        return None
    info = json.loads((run / "config.json").read_text())
    return {"dir": str(path if p.is_dir() else Path(path).parent),
            "stage": info.get("stage", "pretrain"), "init_from": info.get("init_from")}


def evaluate_stage(path: str | Path, tasks: list[Task], *, cache: Path, threads: int = 1,
                   max_tokens: int = 96, answers: bool = True, answers_limit: int = 0,
                   data: str | None = None, eval_tokens: int = 16384, corpus: Any = None,
                   tool_calls: str = "grounded", digits: bool = True,
                   log: Callable[[str], None] = print) -> dict[str, Any]:
    t0 = time.time()
    gguf = stage_gguf(path, cache, threads)
    log(f"  {gguf}: {len(tasks)} tasks, tool calls {tool_calls}")
    outs = ask_tasks(gguf, tasks, threads=threads, max_tokens=max_tokens, tool_calls=tool_calls,
                     digits=digits)
    rep: dict[str, Any] = {
        "source": str(path), "tool_calls": tool_calls, "gguf": str(gguf),
        "gguf_sha256": sha256(gguf),
        "run": run_info(path), "metrics": by_language(outs),
        "by_kind": {f"{lg}/{k}": {"n": len(sel), "reward": round(sum(o.reward for o in sel)
                                                                  / len(sel), 4)}
                    for lg in LANGS for k in KINDS
                    if (sel := [o for o in outs if o.lang == lg and o.kind == k
                                and not o.followup])},
        "followups": sum(o.followup for o in outs),
        "errors": sum(bool(o.error) for o in outs),
    }
    if answers:
        log(f"  vaani bench answers ({'all' if not answers_limit else answers_limit} per "
            "language and kind), checks off and on")
        rep["answers"] = answers_bench(gguf, limit=answers_limit, threads=threads,
                                       tool_calls=tool_calls, digits=digits)
    if data:
        log(f"  bits per byte on {data}")
        rep["bpb"] = bpb(gguf, data, max_tokens=eval_tokens, threads=threads, corpus=corpus)
    rep["seconds"] = round(time.time() - t0, 1)
    rep["records"] = [dataclasses.asdict(o) for o in outs]
    return rep


# ----------------------------------------------------------------------------- verdicts

def value(stage: dict[str, Any], column: str, lang: str = "all") -> float | None:
    """A stage's figure for one column and language (None: not measured)."""
    if column in METRICS:
        return stage["metrics"].get(lang, {}).get(column, {}).get("rate")
    if column.startswith("answers_"):
        _, mode, grade = column.split("_")
        return ((stage.get("answers") or {}).get(mode, {}).get(lang) or {}).get(f"{grade}_rate")
    if column == "bpb":
        return (stage.get("bpb") or {}).get(lang)
    raise KeyError(column)


def meets(column: str, v: float | None) -> bool | None:
    """Whether ``v`` meets the column's goal (None: the column has none)."""
    if column not in GOALS:
        return None
    op, x = GOALS[column]
    if v is None:
        return False
    return v >= x - 1e-12 if op == ">=" else v <= x + 1e-12


def beats(column: str, v: float | None, base: float | None) -> bool:
    """Better than the baseline on ``column``; equal counts only where the goal is met or
    the value cannot be better (a rate of 0 or 1 the right way round)."""
    if v is None:
        return False
    if base is None:
        return True
    if abs(v - base) < 1e-12:
        best = column != "bpb" and v == (1.0 if COMPARED[column] else 0.0)
        return bool(meets(column, v)) or best
    return v > base if COMPARED[column] else v < base


def judge(report: dict[str, Any]) -> None:
    """Fill each stage's ``goals`` (per language) and, against the baseline, ``vs_baseline``
    and ``beats_baseline``."""
    stages = report["stages"]
    base = stages.get(report.get("baseline") or "")
    for name, st in stages.items():
        st["goals"] = {lg: {c: meets(c, value(st, c, lg)) for c in GOALS}
                       for lg in ("all",) + LANGS}
        if base is None or st is base:
            continue
        cols = [c for c in COMPARED if c != "bpb" or (st.get("bpb") and base.get("bpb"))]
        if not (st.get("answers") and base.get("answers")):
            cols = [c for c in cols if not c.startswith("answers_")]
        st["vs_baseline"] = {c: beats(c, value(st, c), value(base, c)) for c in cols}
        st["beats_baseline"] = all(st["vs_baseline"].values())


# ----------------------------------------------------------------------------- the table

COLUMNS = [  # (label, column key or answers mode)
    ("tool precision ≥95%", "precision"), ("tool recall ≥95%", "recall"),
    ("exact args ≥90%", "exact"), ("faithful ≥98%", "faithful"), ("declined ≥90%", "declined"),
    ("wrong lang ≤2%", "wrong_language"), ("degenerate ≤1%", "degenerate"),
    ("mean reward", "reward"), ("answers, checks off: right/abst/wrong (wrong ≤5%)", "off"),
    ("answers, checks on: right/abst/wrong (wrong ≤5%)", "on"), ("bits/byte", "bpb"),
]


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f}%"


def _mark(ok: bool | None) -> str:
    return "" if ok is None else (" ✓" if ok else " ✗")


def _cell(stage: dict[str, Any], col: str, lang: str) -> str:
    if col in ("off", "on"):
        a = (stage.get("answers") or {}).get(col, {}).get(lang)
        if not a:
            return "–"
        s = "/".join("–" if a[f"{g}_rate"] is None else f"{100 * a[f'{g}_rate']:.0f}"
                     for g in ("correct", "abstained", "wrong"))
        return s + _mark(meets(f"answers_{col}_wrong", a["wrong_rate"]))
    v = value(stage, col, lang)
    if col in ("reward", "bpb"):
        return "–" if v is None else f"{v:.3f}"
    return _pct(v) + _mark(meets(col, v))


def markdown(report: dict[str, Any]) -> str:
    """The per-stage table (rows: stage x language), then one verdict line per stage."""
    cols = [c for c in COLUMNS if c[1] != "bpb" or any(s.get("bpb") for s in
                                                        report["stages"].values())]
    if not any(s.get("answers") for s in report["stages"].values()):
        cols = [c for c in cols if c[1] not in ("off", "on")]
    lines = ["| stage | lang | " + " | ".join(c[0] for c in cols) + " |",
             "|---|---|" + "---:|" * len(cols)]
    for name, st in report["stages"].items():
        for lg in ("all",) + LANGS:
            lines.append(f"| {name if lg == 'all' else ''} | {lg} | "
                         + " | ".join(_cell(st, c[1], lg) for c in cols) + " |")
    base = report.get("baseline")
    lines.append("")
    t = report.get("tasks", {})
    lines.append(f"{t.get('n', '?')} held-out tasks ({report.get('per_cell')} per language and "
                 f"kind: {', '.join(KINDS)}), greedy through vaani.llm.LlamaEngine; rates are "
                 "counts over their own denominators (JSON: n / of). ✓/✗: the issue's goal.")
    for name, st in report["stages"].items():
        extra = []
        if st.get("followups"):
            extra.append(f"{st['followups']} follow-ups")
        if st.get("errors"):
            extra.append(f"{st['errors']} prompts refused by the engine")
        if "beats_baseline" in st:
            worse = [c for c, ok in st["vs_baseline"].items() if not ok]
            verdict = (f"beats {base} on every column" if st["beats_baseline"] else
                       f"does not beat {base} (not better on: {', '.join(worse)})")
        else:
            verdict = "the baseline" if name == base else "no baseline to compare"
        missed = [c for c, ok in st.get("goals", {}).get("all", {}).items() if not ok]
        goals = "meets every goal" if not missed else f"goals missed: {', '.join(missed)}"
        mode = f" (tool calls {st['tool_calls']})" if st.get("tool_calls") else ""
        lines.append(f"- **{name}**{mode}: {verdict}; {goals}"
                     + (f" ({'; '.join(extra)})" if extra else "") + ".")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- command

def split_mode(spec: str) -> tuple[str, str]:
    """``PATH`` or ``PATH#MODE`` -> (path, how its tool calls are decoded; default
    ``grounded``, the runtime's: :mod:`vaani.llm.calls`)."""
    path, sep, mode = spec.rpartition("#")
    if not sep:
        return spec, "grounded"
    from vaani.config import TOOL_CALL_MODES

    if mode not in TOOL_CALL_MODES:
        raise SystemExit(f"{spec!r}: tool-call mode must be one of "
                         f"{', '.join(TOOL_CALL_MODES)}")
    return path, mode


def parse_stages(specs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in specs:
        name, sep, path = s.partition("=")
        if not sep or not name or not path:
            raise SystemExit(f"--stage {s!r}: expected NAME=PATH[#MODE]")
        if name in out:
            raise SystemExit(f"--stage {name} given twice")
        split_mode(path)
        out[name] = path
    return out


def evaluate(stages: dict[str, str], *, per_cell: int = 20, baseline: str | None = "v1",
             cache: Path = REPO / ".cache" / "eval-assistant", tasks_dir: Path | None = None,
             seed: int = 0, val_frac: float = VAL_FRAC, threads: int = 1, max_tokens: int = 96,
             answers: bool = True, answers_limit: int = 0, data: str | None = None,
             eval_tokens: int = 16384, digits: bool = True,
             log: Callable[[str], None] = print) -> dict[str, Any]:
    t0 = time.time()
    tasks = tasks_from_dir(tasks_dir, per_cell) if tasks_dir else \
        cached_tasks(cache, per_cell, seed, val_frac)
    corpus = None
    if data:
        from training.pretrain import load_corpus

        corpus = load_corpus(data)
    report: dict[str, Any] = {
        "eval": "assistant", "per_cell": per_cell, "baseline": baseline if baseline in stages
        else None,
        "tasks": {"n": len(tasks), "source": str(tasks_dir) if tasks_dir else
                  f"training.data.assistant grpo stream, seed {seed}, validation side "
                  f"(val_frac {val_frac})",
                  "cells": {f"{lg}/{k}": sum(t.lang == lg and t.kind == k for t in tasks)
                            for lg in LANGS for k in KINDS}},
        "settings": {"max_tokens": max_tokens, "temperature": 0.0, "threads": threads,
                     "digits": digits,
                     "answers_limit": answers_limit, "data": data, "eval_tokens": eval_tokens},
        "goals": {c: list(g) for c, g in GOALS.items()}, "stages": {},
    }
    for name, spec in stages.items():
        path, mode = split_mode(spec)
        log(f"{name}: {path}")
        report["stages"][name] = evaluate_stage(
            path, tasks, cache=cache, threads=threads, max_tokens=max_tokens, answers=answers,
            answers_limit=answers_limit, data=data, eval_tokens=eval_tokens, corpus=corpus,
            tool_calls=mode, digits=digits, log=log)
    judge(report)
    report["seconds"] = round(time.time() - t0, 1)
    return report


def write(report: dict[str, Any], out: Path) -> str:
    """Write the JSON and the Markdown table beside it; returns the table."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    table = markdown(report)
    out.with_suffix(".md").write_text(
        "# Chimera after every stage (`python -m training.eval_assistant`)\n\n" + table,
        encoding="utf-8")
    return table


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.eval_assistant", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stage", action="append", default=[], metavar="NAME=PATH",
                   help="a run folder, ckpt.pt or .gguf (repeat; table order), optionally "
                        "#grounded (default, the runtime's), #schema or #free: how its tool "
                        "calls are decoded (vaani.llm.calls)")
    p.add_argument("--v1", default=V1, help="the shipped v1 GGUF, added first as stage v1 "
                                            "('none': leave it out)")
    p.add_argument("--baseline", default="v1", help="the stage the others must beat")
    p.add_argument("--per-cell", type=int, default=20, help="tasks per language and kind")
    p.add_argument("--tasks", type=Path, help="a built data dir: its grpo-val_<lang>.jsonl")
    p.add_argument("--data-seed", type=int, default=0)
    p.add_argument("--val-frac", type=float, default=VAL_FRAC)
    p.add_argument("--max-tokens", type=int, default=96, help="per reply (the runtime's)")
    p.add_argument("--answers-limit", type=int, default=0,
                   help="vaani bench answers: questions per language and kind (0: all)")
    p.add_argument("--no-answers", action="store_true", help="skip vaani bench answers")
    p.add_argument("--data", help="corpus dir (training.data): bits per byte per language")
    p.add_argument("--eval-tokens", type=int, default=16384, help="bpb tokens per language")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--no-digits", action="store_true",
                   help="numbers in words reach the model as said (the runtime's [llm] digits "
                        "= false); default: as digits, as the runtime sends them")
    p.add_argument("--cache", type=Path, default=REPO / ".cache" / "eval-assistant",
                   help="exported GGUFs and the task list")
    p.add_argument("--out", type=Path, default=Path("results/chimera/eval-assistant.json"))
    a = p.parse_args(argv)
    stages = parse_stages(a.stage)
    if a.v1 != "none" and "v1" not in stages:
        stages = {"v1": a.v1, **stages}
    if not stages:
        p.error("give at least one --stage (or keep --v1)")
    report = evaluate(stages, per_cell=a.per_cell, baseline=a.baseline, cache=a.cache,
                      tasks_dir=a.tasks, seed=a.data_seed, val_frac=a.val_frac,
                      threads=a.threads, max_tokens=a.max_tokens, answers=not a.no_answers,
                      answers_limit=a.answers_limit, data=a.data, eval_tokens=a.eval_tokens,
                      digits=not a.no_digits, log=lambda s: print(s, file=sys.stderr, flush=True))
    table = write(report, a.out)
    print(table)
    print(f"report: {a.out} and {a.out.with_suffix('.md')} ({report['seconds']} s)")


if __name__ == "__main__":
    main()
