"""training.eval_assistant: each metric on hand-made replies, the held-out tasks, the verdict
against v1, and the whole command on a tiny checkpoint run and a random tiny GGUF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training import eval_assistant as EA
from training import rewards
from training.data.tasks import Task
from vaani import guard

CALL = "<|tool_call|>"
LIMITS = {"max_sentences": 2, "max_chars": 240}


def _call(name: str, args: dict) -> str:
    return CALL + json.dumps({"name": name, "arguments": args})


def _task(kind: str, lang: str, user: str, expect: dict, before: list | None = None) -> Task:
    return Task((before or []) + [{"role": "user", "content": user}], None, lang, kind,
                {**LIMITS, "tools": ["timer", "clock", "calculator"], **expect})


TIMER = _task("tool_call", "en", "Set a timer for 5 minutes.",
              {"tool": "timer", "arguments": {"minutes": 5}})
SUM_CALL = _task("arithmetic", "en", "What is 3 times 4?",
                 {"tool": "calculator", "value": 12, "stage": "call", "argument": "expression"})
SUM_WORD = Task([{"role": "user", "content": "What is 3 times 4?"},
                 {"role": "assistant", "content": "",
                  "tool_calls": [{"type": "function", "function": {
                      "name": "calculator", "arguments": '{"expression": "3 * 4"}'}}]},
                 {"role": "tool", "content": '{"result": 12}'}], None, "en", "arithmetic",
                {**LIMITS, "result": {"result": 12}, "arguments": {"expression": "3 * 4"},
                 "error": False, "tool": "calculator", "must": [["n:12"]], "value": 12,
                 "stage": "word", "tools": ["calculator"]})
CHAT = _task("no_tool", "en", "How are you?", {"accept": ["fine"]})
CHAT_HI = _task("no_tool", "hi", "आप कैसे हैं?", {"accept": []})
CHAT_HG = _task("no_tool", "hinglish", "Aap kaise ho?", {"accept": []})
SCOPE = _task("decline", "en", "Who won the match yesterday?", {"reason": "unsure", "topic": ""})


def test_a_tool_call_is_right_exact_or_false():
    right = EA.score(TIMER, _call("timer", {"minutes": 5}))
    assert (right.key, right.needs_call, right.called, right.right_call, right.exact) == \
        ("tool_call", True, True, True, True)
    assert right.reward == rewards.reward(TIMER, _call("timer", {"minutes": 5})).total == 1.0
    args = EA.score(TIMER, _call("timer", {"minutes": 6}))
    assert args.right_call and args.exact is False
    wrong = EA.score(TIMER, _call("clock", {}))
    assert wrong.called and not wrong.right_call and wrong.exact is False
    words = EA.score(TIMER, "Sure, five minutes.")
    assert not words.called and not words.right_call and words.exact is False
    # arithmetic: the calculator's value of the expression, from the user's numbers
    assert EA.score(SUM_CALL, _call("calculator", {"expression": "4 * 3"})).exact is True
    off = EA.score(SUM_CALL, _call("calculator", {"expression": "3 * 5"}))
    assert off.right_call and off.exact is False
    # a call where words were due is a call made, never a right one
    for task in (CHAT, SCOPE, SUM_WORD):
        o = EA.score(task, _call("clock", {}))
        assert o.called and not o.needs_call and not o.right_call and o.exact is None


def test_faithful_declined_language_and_degenerate():
    assert EA.score(SUM_WORD, "It's 12.").faithful is True
    assert EA.score(SUM_WORD, "It's 13.").faithful is False
    assert EA.score(SUM_WORD, _call("calculator", {"expression": "3 * 4"})).faithful is None
    assert EA.score(CHAT, "I'm fine, thanks.").faithful is None       # not a worded result
    assert EA.score(SCOPE, guard.UNSURE["en"]).declined is True
    assert EA.score(SCOPE, "India won by five runs.").declined is False
    assert EA.score(SCOPE, _call("clock", {})).declined is False
    assert EA.score(CHAT, "I'm fine.").declined is None
    assert EA.score(CHAT_HI, "I'm fine.").wrong_language is True
    assert EA.score(CHAT_HI, "मैं ठीक हूँ।").wrong_language is False
    assert EA.score(CHAT_HG, "मैं ठीक हूँ।").wrong_language is False      # 0.5, not wrong
    assert EA.score(CHAT_HG, "I am fine.").wrong_language is True
    assert EA.score(TIMER, _call("timer", {"minutes": 5})).wrong_language is None
    assert EA.score(CHAT, "fine fine fine").degenerate is True
    assert EA.score(CHAT, "").degenerate is True
    assert EA.score(CHAT, "I'm fine.").degenerate is False
    assert EA.score(TIMER, _call("timer", {"minutes": 5})).degenerate is False


def test_aggregate_counts_false_calls_against_precision():
    outs = [EA.score(TIMER, _call("timer", {"minutes": 5})),        # right, exact
            EA.score(TIMER, _call("timer", {"minutes": 6})),        # right, not exact
            EA.score(TIMER, "Sure."),                               # missed
            EA.score(SUM_CALL, _call("calculator", {"expression": "3 * 4"})),   # right, exact
            EA.score(CHAT, _call("clock", {})),                     # false call
            EA.score(SCOPE, _call("timer", {"minutes": 1})),        # false call
            EA.score(SCOPE, guard.UNSURE["en"]),                    # declined
            EA.score(SUM_WORD, "It's 12."), EA.score(SUM_WORD, "It's 13."),
            EA.score(CHAT_HI, "I'm fine."), EA.score(CHAT, "")]
    m = EA.aggregate(outs)
    assert m["precision"] == {"rate": 0.6, "n": 3, "of": 5}
    assert m["recall"] == {"rate": 0.75, "n": 3, "of": 4}
    assert m["exact"] == {"rate": 0.5, "n": 2, "of": 4}
    assert m["faithful"] == {"rate": 0.5, "n": 1, "of": 2}
    assert m["declined"] == {"rate": 0.5, "n": 1, "of": 2}
    words = [o for o in outs if o.completion and CALL not in o.completion]
    assert m["wrong_language"] == {"rate": round(1 / len(words), 4), "n": 1, "of": len(words)}
    assert m["degenerate"] == {"rate": round(1 / 11, 4), "n": 1, "of": 11}
    assert m["reward"]["rate"] == pytest.approx(sum(o.reward for o in outs) / 11, abs=1e-4)
    assert EA.aggregate([EA.score(CHAT, "Fine.")])["precision"]["rate"] is None   # no calls
    by = EA.by_language(outs)
    assert by["hi"]["wrong_language"] == {"rate": 1.0, "n": 1, "of": 1}
    assert by["hinglish"]["degenerate"]["of"] == 0


def test_a_follow_up_words_the_calculators_result_and_is_left_out_of_the_mean_reward():
    fu = EA.followup_task(SUM_CALL, ("calculator", {"expression": "4 * 3"}))
    assert fu.messages[:-2] == SUM_CALL.messages
    assert fu.messages[-2]["tool_calls"][0]["function"]["name"] == "calculator"
    assert json.loads(fu.messages[-1]["content"]) == {"result": 12}
    o = EA.score(fu, "It comes to 12.", followup=True)
    assert o.key == "arithmetic_word" and o.faithful is True and o.reward == 1.0
    assert EA.followup_task(SUM_CALL, ("calculator", {"expression": "3 / 0"})) is None
    m = EA.aggregate([EA.score(SUM_CALL, "Twelve."), o])
    assert m["reward"] == {"rate": 0.0, "n": 1, "of": 1} and m["faithful"]["of"] == 1


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ea-cache")


def test_held_out_tasks_are_the_builders_validation_side(cache, tmp_path):
    from training.data import assistant as A
    from training.data.build import is_val

    tasks = EA.cached_tasks(cache, 1, 0, EA.VAL_FRAC)
    assert [(t.lang, t.kind) for t in tasks] == [(lg, k) for lg in EA.LANGS for k in EA.KINDS]
    assert all(is_val(A.example_text(t), 0, EA.VAL_FRAC) for t in tasks)
    assert EA.cached_tasks(cache, 1, 0, EA.VAL_FRAC) == tasks          # read back
    assert EA.held_out_tasks(1) == tasks                                # deterministic
    A.build("grpo", 150, tmp_path, seed=0, val_frac=0.2)
    val = EA.tasks_from_dir(tmp_path, 2)
    assert val and all(is_val(A.example_text(t), 0, 0.2) for t in val)
    assert all(sum(u.lang == t.lang and u.kind == t.kind for u in val) <= 2 for t in val)


def _stage(metrics: dict, answers_off_wrong: float = 0.1, correct: float = 0.5,
           bpb: float | None = None) -> dict:
    all_ = {k: {"rate": v, "n": 0, "of": 0} for k, v in metrics.items()}
    st = {"metrics": {lg: all_ for lg in ("all",) + EA.LANGS},
          "answers": {mode: {lg: {"n": 10, "correct_rate": correct, "abstained_rate": 0.2,
                                  "wrong_rate": answers_off_wrong if mode == "off" else 0.0}
                             for lg in ("all",) + EA.LANGS} for mode in ("off", "on")}}
    if bpb is not None:
        st["bpb"] = {lg: bpb for lg in ("all",) + EA.LANGS}
    return st


def test_goals_and_the_verdict_against_v1():
    good = {"precision": 0.97, "recall": 0.96, "exact": 0.91, "faithful": 0.99, "declined": 0.9,
            "wrong_language": 0.0, "degenerate": 0.0, "reward": 0.8}
    v1 = {**good, "precision": 0.5, "recall": 0.4, "exact": 0.2, "faithful": 0.6,
          "declined": 0.1, "wrong_language": 0.2, "reward": 0.5}
    report = {"baseline": "v1", "per_cell": 3, "tasks": {"n": 45}, "stages": {
        "v1": _stage(v1, 0.4), "grpo": _stage(good, 0.04, 0.6),
        "sft": _stage({**good, "reward": 0.5}, 0.04, 0.6)}}
    EA.judge(report)
    g = report["stages"]["grpo"]
    assert all(g["goals"]["all"].values())
    assert g["beats_baseline"] is True               # degenerate 0 = 0: it cannot be better
    s = report["stages"]["sft"]
    assert s["beats_baseline"] is False and s["vs_baseline"]["reward"] is False  # tie, no goal
    assert [c for c, ok in s["vs_baseline"].items() if not ok] == ["reward"]
    assert report["stages"]["v1"]["goals"]["all"]["answers_off_wrong"] is False
    assert "vs_baseline" not in report["stages"]["v1"]
    assert EA.beats("precision", 0.9, None) and not EA.beats("precision", None, 0.5)
    assert EA.beats("bpb", 0.9, 1.0) and not EA.beats("wrong_language", 0.05, 0.01)
    text = EA.markdown(report)
    assert "| grpo | all | 97.0% ✓ | 96.0% ✓ | 91.0% ✓ | 99.0% ✓ | 90.0% ✓ | 0.0% ✓ | " \
        "0.0% ✓ | 0.800 | 60/20/4 ✓ | 60/20/0 ✓ |" in text
    assert "| v1 | all | 50.0% ✗ |" in text and "|  | hinglish |" in text
    assert "- **grpo**: beats v1 on every column; meets every goal." in text
    assert "- **sft**: does not beat v1 (not better on: reward)" in text
    assert "bits/byte" not in text                   # not measured: no column
    report["stages"]["grpo"]["bpb"] = {"all": 1.1}
    report["stages"]["v1"]["bpb"] = {"all": 1.0}
    EA.judge(report)
    assert report["stages"]["grpo"]["vs_baseline"]["bpb"] is False
    assert "bits/byte" in EA.markdown(report)


def test_end_to_end_on_a_tiny_run_and_a_random_gguf(cache, tmp_path):
    from tests.training.tiny_align import tiny_checkpoint
    from training import export
    from training import tokenizer as tok_mod

    run = tmp_path / "sft"
    tiny_checkpoint(run / "ckpt.pt", tok_mod.load().vocab_size)
    (run / "config.json").write_text(json.dumps({"stage": "sft", "init_from": "pre/ckpt.pt"}))
    rnd = tmp_path / "random.gguf"
    export.write_random_tiny_gguf(rnd, seed=0, context_length=4096)
    out = tmp_path / "res" / "eval.json"
    EA.main(["--stage", f"rand={rnd}", "--stage", f"sft={run}", "--v1", "none",
             "--baseline", "rand", "--per-cell", "1", "--answers-limit", "1",
             "--cache", str(cache), "--out", str(out)])
    rep = json.loads(out.read_text())
    assert list(rep["stages"]) == ["rand", "sft"] and rep["baseline"] == "rand"
    assert rep["tasks"]["n"] == 15 and set(rep["tasks"]["cells"].values()) == {1}
    sft = rep["stages"]["sft"]
    q4 = Path(sft["gguf"])
    assert q4.parent.parent == cache and q4.name == "q4_k_m.gguf"     # exported into the cache
    assert EA.stage_gguf(run, cache) == q4                              # and reused
    assert sft["run"]["stage"] == "sft" and rep["stages"]["rand"]["gguf"] == str(rnd)
    assert rep["stages"]["rand"]["errors"] == 0          # 4096 tokens hold every prompt
    for st in rep["stages"].values():
        assert len([r for r in st["records"] if not r["followup"]]) == 15
        assert st["metrics"]["all"]["degenerate"]["of"] == len(st["records"])
        assert st["metrics"]["all"]["recall"]["of"] == sum(
            r["needs_call"] for r in st["records"])
        assert st["answers"]["off"]["all"]["n"] == st["answers"]["on"]["all"]["n"] == 21
        assert {r["mode"] for r in st["answers"]["records"]} == {"off", "on"}
        assert st["answers"]["off"]["llm"]["n"] == st["answers"]["off"]["sources"].get("llm", 0)
    assert "beats_baseline" in sft and "beats_baseline" not in rep["stages"]["rand"]
    md = out.with_suffix(".md").read_text()
    assert md.count("| all |") == 2 and "| sft | all |" in md and "**sft**" in md


def test_a_prompt_the_context_cannot_hold_counts_as_an_empty_reply(tmp_path):
    from training import export

    gguf = tmp_path / "short.gguf"
    export.write_random_tiny_gguf(gguf, seed=1, context_length=256)
    long = _task("tool_call", "en", "Set a timer for 5 minutes. " * 20,
                 {"tool": "timer", "arguments": {"minutes": 5}})
    [o] = EA.ask_tasks(gguf, [long])
    assert o.error and o.completion == "" and o.degenerate and o.needs_call and not o.called


def test_a_stage_may_say_how_its_tool_calls_are_decoded():
    assert EA.split_mode("models/x.gguf") == ("models/x.gguf", "grounded")
    assert EA.split_mode("models/x.gguf#free") == ("models/x.gguf", "free")
    assert EA.parse_stages(["v1-free=a.gguf#free", "v1=a.gguf"]) == {
        "v1-free": "a.gguf#free", "v1": "a.gguf"}
    with pytest.raises(SystemExit, match="tool-call mode"):
        EA.parse_stages(["v1=a.gguf#strict"])


def test_the_composed_arguments_are_the_calculator_plugins():
    vaani_calculator = pytest.importorskip("vaani_calculator")
    tools = {t.name: t for t in vaani_calculator.vaani_tools()}
    assert {name: list(t.composed) for name, t in tools.items()} == EA.COMPOSED
