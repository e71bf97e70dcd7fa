"""training.mine: on-policy pairs from the policy's own failures, never from the held-out side,
and the whole command on a random tiny GGUF (two worker processes) feeding training.dpo."""

from __future__ import annotations

import json

import pytest

from training import align
from training import eval_assistant as EA
from training import mine as M
from training import rewards
from training.data.build import is_val
from training.data.tasks import Task

LIMITS = {"max_sentences": 2, "max_chars": 240, "tools": ["timer", "clock"]}
CALL = "<|tool_call|>"


def _task(kind: str, lang: str, user: str, expect: dict, reference: str) -> Task:
    return Task([{"role": "user", "content": user}], None, lang, kind, {**LIMITS, **expect},
                meta={"reference": reference})


DECLINE = _task("decline", "hi", "कल मैच कौन जीता?", {"reason": "unsure", "topic": ""},
                "माफ़ कीजिए, यह मैं अभी ऑफ़लाइन नहीं बता सकती।")
TIMER = _task("tool_call", "hinglish", "paanch minute ka timer laga do",
              {"tool": "timer", "arguments": {"minutes": 5}},
              CALL + '{"name": "timer", "arguments": {"minutes": 5}}')


def _outcome(task: Task, completion: str) -> dict:
    import dataclasses

    return dataclasses.asdict(EA.score(task, completion))


def test_a_failure_pairs_the_reference_against_the_policys_own_reply():
    assert rewards.reward(DECLINE, DECLINE.meta["reference"]).total >= 0.9
    bad = CALL                                         # an empty call where it should decline
    pairs, report = M.mine([DECLINE, TIMER], [_outcome(DECLINE, bad),
                                              _outcome(TIMER, TIMER.meta["reference"])])
    [p] = pairs
    assert (p.kind, p.lang, p.meta["task_kind"]) == ("onpolicy", "hi", "decline")
    assert p.chosen == {"content": DECLINE.meta["reference"]} and p.rejected == {"content": bad}
    assert "false_call" in p.meta["failures"] and "not_declined" in p.meta["failures"]
    assert p.meta["ref_reward"] - p.meta["reward"] >= 0.25
    # the right call made no pair; the report counts per language and kind
    cells = {(c["lang"], c["kind"]): c for c in report["cells"]}
    assert cells[("hinglish", "tool_call")] == {
        "lang": "hinglish", "kind": "tool_call", "tasks": 1, "reward": 1.0, "ref_reward": 1.0,
        "failed": 0, "weak_reference": 0, "pairs": 0, "flags": {}}
    assert cells[("hi", "decline")]["failed"] == 1 and report["all"]["pairs"] == 1
    assert report["all"]["flags"]["false_call"] == 1


def test_the_conversation_is_the_one_the_runtime_sent():
    wrong = _outcome(TIMER, CALL + '{"name": "clock", "arguments": {}}')
    failed: list = []
    [p], _ = M.mine([TIMER], [wrong], failed=failed)
    assert p.messages[0]["content"] == "5 minute ka timer laga do"       # [llm] digits
    assert [t.messages for t in failed] == [p.messages] and failed[0].expect == TIMER.expect
    assert "wrong_tool" in p.meta["failures"]
    [p], _ = M.mine([TIMER], [wrong], digits=False)
    assert p.messages == TIMER.messages


def test_a_passed_reply_is_an_anchor_and_a_failed_one_is_not(tmp_path):
    passed: list = []
    right = TIMER.meta["reference"]
    pairs, _ = M.mine([DECLINE, TIMER], [_outcome(DECLINE, CALL), _outcome(TIMER, right)],
                      passed=passed)
    [a] = passed
    assert a.kind == "anchor" and a.chosen == a.rejected == {"content": right}
    assert a.messages[0]["content"] == "5 minute ka timer laga do"     # as sent
    assert a.lang == "hinglish" and a.meta["task_kind"] == "tool_call"
    assert len(pairs) == 1 and pairs[0].meta["task_kind"] == "decline"
    # written: at most n, a random choice of them
    many = [M.anchor(_task("tool_call", "en", f"set a timer for {m} minutes",
                           {"tool": "timer", "arguments": {"minutes": m}}, ""),
                     EA.score(TIMER, right), True) for m in range(2, 12)]
    assert M.write_anchors(tmp_path, many, 4, 0) == 4
    four = align.load_examples("dpo", str(tmp_path / "anchors.jsonl"))
    assert len(four) == 4 and all(x in many for x in four)
    assert M.write_anchors(tmp_path, many, 20, 0) == len(many)      # every one, none dropped
    assert len(align.load_examples("dpo", str(tmp_path / "anchors.jsonl"))) == len(many)


def test_a_weak_reference_or_a_small_gap_makes_no_pair():
    weak = _task("decline", "en", "Who won the match yesterday?",
                 {"reason": "unsure", "topic": ""}, "It was India, by six wickets.")
    assert rewards.reward(weak, weak.meta["reference"]).total < 0.9
    pairs, report = M.mine([weak], [_outcome(weak, "India won.")])
    assert pairs == [] and report["cells"][0]["weak_reference"] == 1
    # a reply nearly as good as the reference (an honest decline, in English to a Hindi
    # question: 0.89 against 1.0) is a failure but too small a lesson at the default gap
    other = _outcome(DECLINE, "Sorry, I can't tell you that offline yet.")
    pairs, report = M.mine([DECLINE], [other], gap=0.25)
    assert pairs == [] and report["all"]["failed"] == 1
    assert len(M.mine([DECLINE], [other], gap=0.1)[0]) == 1


def test_the_held_out_side_is_never_mined():
    tasks = M.load_tasks("assistant", 40, seed=0, data_seed=0, val_frac=0.5)
    assert 0 < len(tasks) < 40
    assert not any(is_val(align.example_text(t), 0, 0.5) for t in tasks)
    assert all(t.meta["reference"] for t in tasks)


def test_only_the_rule_kinds_asked_for_are_mixed(tmp_path):
    from training.data import assistant

    rule = tmp_path / "align"
    assistant.build("dpo", 60, rule)
    kinds = {p.kind for p in align.load_examples("dpo", str(rule / "dpo-train.jsonl"))}
    assert "language" in kinds and len(kinds) > 1
    w = M.write(tmp_path / "lang", [], rule, 1000, 0, 0, 0.02, mix_kinds=("language",))
    train, val = align.load_split("dpo", str(tmp_path / "lang"), 0, 0, 0.02)
    assert w["rule_train"] == len(train) > 0 and w["rule_val"] == len(val)
    assert {p.kind for p in train + val} == {"language"}
    every = M.write(tmp_path / "all", [], rule, 1000, 0, 0, 0.02)
    assert every["rule_train"] > w["rule_train"]
    worded = M.write(tmp_path / "worded", [], rule, 1000, 0, 0, 0.02,
                     mix_kinds=("language/word_result", "language/arithmetic"))
    train, val = align.load_split("dpo", str(tmp_path / "worded"), 0, 0, 0.02)
    assert 0 < worded["rule_train"] < w["rule_train"]
    assert {(p.kind, p.messages[-1]["role"]) for p in train + val} == {("language", "tool")}


@pytest.mark.parametrize("spec", ["langauge", "language/answer", "/decline"])
def test_an_unknown_rule_kind_is_refused_not_an_empty_mix(tmp_path, spec):
    with pytest.raises(ValueError, match="unknown rule pair kind"):
        M.mix_filter((spec,))
    with pytest.raises(SystemExit, match="--mix-kinds"):
        M.main(["--policy", __file__, "--mix-kinds", f"decline,{spec}",
                "--out", str(tmp_path / "x")])
    assert not (tmp_path / "x").exists()


def test_end_to_end_on_a_random_gguf_feeds_dpo(tmp_path):
    from training import export
    from training.data import assistant

    gguf = tmp_path / "random.gguf"
    export.write_random_tiny_gguf(gguf, seed=0, context_length=4096)
    rule = tmp_path / "align"
    assistant.build("dpo", 40, rule)
    out = tmp_path / "mined"
    M.main(["--policy", str(gguf), "--n", "8", "--seed", "3", "--mix", str(rule),
            "--mix-n", "5", "--workers", "2", "--max-tokens", "16", "--balance",
            "--out", str(out)])
    rep = json.loads((out / "mine-report.json").read_text())
    assert rep["all"]["tasks"] == 8 == sum(c["tasks"] for c in rep["cells"])
    assert rep["all"]["failed"] >= 6                      # random weights fail nearly everything
    assert rep["all"]["pairs"] >= 1
    w = rep["written"]
    assert w["mined_train"] + w["mined_val"] == rep["all"]["pairs"] and w["rule_train"] == 5
    train, val = align.load_split("dpo", str(out), 0, 0, 0.02)
    assert len(train) == w["mined_train"] + 5 - w["dropped"]
    assert len(val) == w["mined_val"] + w["rule_val"]
    assert w["directions"].get("words>call", 0) <= w["directions"].get("call>words", 0)
    # the failed tasks, for GRPO: one per mined pair, read back as tasks
    gtrain, gval = align.load_split("grpo", str(out), 0, 0, 0.02)
    assert len(gtrain) + len(gval) == rep["all"]["pairs"] == w["tasks_train"] + w["tasks_val"]
    asked = {json.dumps(t.messages, ensure_ascii=False) for t in gtrain + gval}
    assert {json.dumps(p.messages, ensure_ascii=False)
            for p in train + val if p.kind == "onpolicy"} <= asked
    tasks = M.load_tasks("assistant", 8, 3, 0, 0.02)
    by_prompt = {json.dumps(EA.sent_messages(t), ensure_ascii=False): t for t in tasks}
    for p in (p for p in train if p.kind == "onpolicy"):
        t = by_prompt[json.dumps(p.messages, ensure_ascii=False)]
        assert p.chosen == {"content": t.meta["reference"]} and p.lang == t.lang
    # the replies that passed (few, from random weights) are the anchors
    anchors = align.load_examples("dpo", str(out / "anchors.jsonl"))
    assert len(anchors) == w["anchors"] <= 8 - rep["all"]["failed"]
    # one process asks the same and pairs each reply with its own task: the same files
    one = tmp_path / "one"
    M.main(["--policy", str(gguf), "--n", "8", "--seed", "3", "--mix", str(rule),
            "--mix-n", "5", "--workers", "1", "--max-tokens", "16", "--balance",
            "--out", str(one)])
    for name in ("dpo-train.jsonl", "dpo-val_hi.jsonl", "dpo-val_en.jsonl"):
        assert (one / name).read_text() == (out / name).read_text()


def test_balance_keeps_no_more_do_not_call_pairs_than_call_pairs():
    from training.data.tasks import Pair

    call = {"content": CALL + '{"name": "timer", "arguments": {"minutes": 5}}'}
    listed = {"content": "", "tool_calls": [{"type": "function", "function": {
        "name": "timer", "arguments": '{"minutes": 5}'}}]}
    words = {"content": "Sorry, I can't do that yet."}

    def pair(chosen, rejected, i):
        return Pair([{"role": "user", "content": f"q{i}"}], chosen, rejected, None, "en", "x")

    assert M.direction(pair(call, words, 0)) == "call>words"
    assert M.direction(pair(words, listed, 0)) == "words>call"       # a rule pair's form
    assert M.direction(pair(call, listed, 0)) == M.direction(pair(words, words, 0)) == "same"
    pairs = ([pair(words, call, i) for i in range(5)] + [pair(call, words, i) for i in range(2)]
             + [pair(call, call, i) for i in range(3)])
    kept, dropped = M.balance(pairs, seed=0)
    assert dropped == 3 and len(kept) == 7
    got = [M.direction(p) for p in kept]
    assert got.count("words>call") == got.count("call>words") == 2 and got.count("same") == 3
    assert [p.messages for p in kept if M.direction(p) != "words>call"] == \
        [p.messages for p in pairs if M.direction(p) != "words>call"]     # the rest in order
    assert M.balance(pairs, seed=0) == (kept, 3)                        # seeded
