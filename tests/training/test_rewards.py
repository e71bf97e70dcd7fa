"""training.rewards: a perfect completion scores 1.0, and each kind of mistake loses its own
component (wrong tool, altered argument, unfaithful number, wrong language, a claimed success
after an error, an answer to an out-of-scope question, a spurious call ...)."""

from __future__ import annotations

import json
import random

import pytest

from training import chat
from training import rewards as R
from training.data import assistant as A
from training.data.tasks import Task

SYS = {"role": "system", "content": chat.DEFAULT_SYSTEM_PROMPT}


def _tool(key: str):
    return A.instantiate(random.Random(0), A.FAMILIES[key], plain=True).schema


CLOCK, TIMER, CALC, WEATHER = (_tool(k) for k in ("clock", "timer", "calculator", "weather"))
TOOLS = [CLOCK, TIMER, CALC, WEATHER]
NAMES = ["clock", "timer", "calculator", "weather"]


def _call(name: str, args: dict) -> str:
    return chat.TOOL_CALL + json.dumps({"name": name, "arguments": args}, ensure_ascii=False)


def _u(text: str) -> dict:
    return {"role": "user", "content": text}


def _after(user: str, name: str, args: dict, result: dict) -> list[dict]:
    return [SYS, _u(user), {"role": "assistant", "content": "",
                            "tool_calls": [chat.tool_call(name, args)]},
            {"role": "tool", "content": json.dumps(result, ensure_ascii=False)}]


def _task(kind: str, messages: list[dict], lang: str, **expect) -> Task:
    return Task(messages, TOOLS, lang, kind,
                {"max_sentences": 2, "max_chars": 240, "tools": NAMES, **expect})


def _lost(task: Task, completion: str, *components: str) -> R.Reward:
    """The completion scores below 1 and exactly the named components are below 1."""
    r = R.reward(task, completion)
    assert r.total < 1.0, r
    assert {k for k, v in r.components.items() if v < 1.0} == set(components), r.components
    return r


WEATHER_CALL = _task("tool_call", [SYS, _u("दिल्ली में मौसम कैसा है?")], "hi", tool="weather",
                     arguments={"city": "दिल्ली"})


def test_tool_call():
    perfect = _call("weather", {"city": "दिल्ली"})
    assert R.reward(WEATHER_CALL, perfect) == R.Reward(1.0, {"format": 1.0, "tool": 1.0,
                                                             "arguments": 1.0})
    _lost(WEATHER_CALL, _call("weather", {"city": "शिमला"}), "arguments")         # Delhi -> Shimla
    r = _lost(WEATHER_CALL, _call("weather", {"city": "दिल्ली", "days": 3}), "arguments")
    assert r.components["arguments"] == 0.5                                       # one extra
    _lost(WEATHER_CALL, _call("clock", {}), "tool", "arguments")                  # wrong tool
    _lost(WEATHER_CALL, _call("forecast", {"city": "दिल्ली"}), "tool", "arguments")  # unlisted
    _lost(WEATHER_CALL, "ठीक है। " + perfect, "format")                          # words first
    _lost(WEATHER_CALL, perfect + _call("clock", {}), "format")                   # two calls
    assert R.reward(WEATHER_CALL, "दिल्ली में धूप है।").total == 0.0               # no call at all
    assert R.reward(WEATHER_CALL, chat.TOOL_CALL + '{"name": "weather", "arg').total == 0.0
    # numbers are compared by value, strings after NFC
    t = _task("tool_call", [SYS, _u("5 मिनट का टाइमर")], "hi", tool="timer",
              arguments={"minutes": 5})
    assert R.reward(t, _call("timer", {"minutes": 5.0})).total == 1.0
    _lost(t, _call("timer", {"minutes": "5"}), "arguments")
    _lost(t, _call("timer", {"minutes": 50}), "arguments")


def test_arithmetic_call_is_evaluated_by_the_calculator():
    t = _task("arithmetic", [SYS, _u("240 का 15 प्रतिशत कितना है?")], "hi", tool="calculator",
              value=36, stage="call", argument="expression")
    for expr in ("240 * 15 / 100", "15 * 240 / 100", "240*15/100"):
        assert R.reward(t, _call("calculator", {"expression": expr})).total == 1.0
    _lost(t, _call("calculator", {"expression": "240 * 15"}), "arithmetic")
    # right value, but 36 was never said: the runtime would not run it
    _lost(t, _call("calculator", {"expression": "6 * 6"}), "grounded")
    _lost(t, _call("clock", {}), "tool", "arithmetic", "grounded")


def test_word_result_faithful_and_informative():
    msgs = _after("What time is it?", "clock", {},
                  {"time": "15:33", "date": "2025-03-14", "weekday": "Friday"})
    t = _task("word_result", msgs, "en", result={"time": "15:33", "date": "2025-03-14",
                                                  "weekday": "Friday"},
              arguments={}, error=False, tool="clock", must=[["n:3", "n:15"], ["n:33", "n:27"]])
    assert R.reward(t, "It's 3:33 pm.").total == 1.0
    _lost(t, "It's 4:33 pm.", "faithful", "informative")                  # wrong hour
    _lost(t, "It's 3:33 in the morning.", "faithful")                     # wrong part of the day
    _lost(t, "It's 3:33 pm on Monday.", "faithful")                       # wrong weekday
    _lost(t, "It's past three.", "informative")                           # says too little
    _lost(t, "अभी दोपहर के तीन बजकर तैंतीस मिनट हुए हैं।", "language")     # right, wrong language
    _lost(t, "It's 3:33 pm. " * 3, "length", "no_repeat")
    assert R.reward(t, _call("clock", {})).total == 0.0                  # calls again
    # Hindi day periods and fractions: साढ़े चार at 16:30, सुबह at 16:30 is wrong
    msgs = _after("अभी कितने बजे हैं?", "clock", {},
                  {"time": "16:30", "date": "2025-03-14", "weekday": "Friday"})
    hi = _task("word_result", msgs, "hi", result={"time": "16:30"}, arguments={}, error=False,
               must=[["n:4", "n:16", "n:9/2"]])
    assert R.reward(hi, "अभी शाम के साढ़े चार बजे हैं।").total == 1.0
    _lost(hi, "अभी सुबह के साढ़े चार बजे हैं।", "faithful")
    _lost(hi, "अभी शाम के साढ़े पाँच बजे हैं।", "faithful", "informative")
    # Hinglish: romanised; Devanagari Hindi is half right, English wrong
    hg = _task("word_result", msgs, "hinglish", result={"time": "16:30"}, arguments={},
               error=False, must=[["n:4", "n:16", "n:9/2"]])
    assert R.reward(hg, "Abhi shaam ke saadhe chaar baje hain.").total == 1.0
    assert R.reward(hg, "अभी शाम के साढ़े चार बजे हैं।").components["language"] == 0.5
    assert R.reward(hg, "It's 4:30 pm.").components["language"] == 0.0
    # a romanised weekday the guard does not read is still checked
    day = _task("word_result", _after("Aaj kaunsa din hai?", "clock", {},
                                      {"time": "10:00", "date": "2025-03-14", "weekday": "Friday"}),
                "hinglish", result={"time": "10:00", "date": "2025-03-14", "weekday": "Friday"},
                arguments={}, error=False, must=[["w:Shukravaar", "w:Friday"]])
    assert R.reward(day, "Aaj Shukravaar hai.").total == 1.0
    _lost(day, "Aaj Somvaar hai.", "faithful", "informative")


def test_durations_and_decimals():
    msgs = _after("डेढ़ घंटे का टाइमर लगाओ", "timer", {"minutes": 90},
                  {"ok": True, "timer_id": 1, "seconds": 5400, "ends_at": "12:30:00"})
    t = _task("word_result", msgs, "hi", result={"ok": True, "seconds": 5400},
              arguments={"minutes": 90}, error=False, must=[["d:5400"]])
    assert R.reward(t, "ठीक है, डेढ़ घंटे का टाइमर लगा दिया है।").total == 1.0
    _lost(t, "ठीक है, ढाई घंटे का टाइमर लगा दिया है।", "faithful", "informative")
    msgs = _after("10 को 3 से भाग दो", "calculator", {"expression": "10 / 3"}, {"result": 3.3333})
    a = _task("arithmetic", msgs, "hi", result={"result": 3.3333},
              arguments={"expression": "10 / 3"}, value=3.3333, stage="word")
    assert R.reward(a, "जवाब लगभग 3.33 है।").total == 1.0
    assert R.reward(a, "जवाब 3.3333 है।").total == 1.0
    _lost(a, "जवाब लगभग 3.5 है।", "arithmetic", "faithful")


def test_an_error_is_met_with_an_apology_not_a_claimed_success():
    msgs = _after("Set a timer for 5 minutes.", "timer", {"minutes": 5},
                  {"error": "3 timers are already running"})
    t = _task("word_result", msgs, "en", result={"error": "3 timers are already running"},
              arguments={"minutes": 5}, error=True, acts=True)
    assert R.reward(t, "Sorry, I can't do that right now.").total == 1.0
    assert R.reward(t, "Sorry, 3 timers are already running, so I can't start another.").total == 1.0
    _lost(t, "Okay, your timer for 5 minutes is set.", "honest", "apology")
    _lost(t, "Sorry, I can't do that right now, 4 timers are running.", "faithful")


def test_declines_and_small_talk():
    t = _task("decline", [SYS, _u("Who is the current prime minister of Japan?")], "en",
              reason="live", topic="office")
    good = A.decline_text("live", "en", TOOLS, "office")
    assert R.reward(t, good).total == 1.0
    _lost(t, "The prime minister of Japan is Taro Yamada.", "declined")       # invented answer
    _lost(t, "Sorry, I can't answer that. It has 47 members.", "no_invented")
    _lost(t, "माफ़ कीजिए, इसका जवाब मैं अभी ऑफ़लाइन नहीं दे सकती।", "language")
    assert R.reward(t, _call("clock", {})).total == 0.0                       # a spurious call
    hg = _task("decline", [SYS, _u("Mere boss ko message bhej do.")], "hinglish",
               reason="action", topic="message")
    assert R.reward(hg, A.decline_text("action", "hinglish", TOOLS, "message")).total == 1.0
    _lost(hg, "Theek hai, message bhej diya.", "declined", "honest")
    chat_t = _task("no_tool", [SYS, _u("Mera naam Ravi hai."), {"role": "assistant", "content":
                                                                 "Hello Ravi!"},
                               _u("Mera naam kya hai?")], "hinglish", accept=["Ravi"])
    assert R.reward(chat_t, "Aapka naam Ravi hai.").total == 1.0
    _lost(chat_t, "Aapka naam Amit hai.", "content")
    _lost(chat_t, "Sorry, iska jawab main abhi offline nahi de sakti.", "answered", "content")
    _lost(chat_t, "Your name is Ravi.", "language")
    r = R.reward(chat_t, _call("clock", {}))
    assert r.total == 0.0 and r.components["no_call"] == 0.0
    assert R.reward(chat_t, "").total == 0.0


def test_every_generated_task_scores_its_reference_one_and_a_swapped_reference_less():
    """Another task's reference is (nearly always) wrong here: the checks are specific."""
    n = lower = 0
    for i in range(300):
        t = A.grpo_task(random.Random(f"rw:{i}"), A.LANGS[i % 3])
        assert R.reward(t, t.meta["reference"]).total == 1.0
        other = A.grpo_task(random.Random(f"rw-other:{i}"), A.LANGS[(i + 1) % 3])
        if other.meta["reference"] != t.meta["reference"]:
            n += 1
            lower += R.reward(t, other.meta["reference"]).total < 1.0
    assert n > 250 and lower >= 0.97 * n, (lower, n)


def test_grpo_reads_it_as_its_reward():
    align = pytest.importorskip("training.align")
    fn = align.load_reward("training.rewards:reward")
    t = A.grpo_task(random.Random("x"), "hi")
    got = align.as_reward(fn(t, t.meta["reference"]))
    assert got.total == 1.0 and got.components


def test_fluent_replies_that_miss_the_point_keep_a_quarter_of_their_score():
    """Nonsense in the right language on a small-talk task scored 0.89 before the gate."""
    for i in range(200):
        t = A.grpo_task(random.Random(f"gate:{i}"), A.LANGS[i % 3])
        if t.kind == "no_tool":
            assert t.expect.get("accept"), t.messages[-1]       # every one is checkable
            fluent = {"hi": "आज मौसम बहुत अच्छा है।", "en": "The river flows to the sea.",
                      "hinglish": "Aaj mausam bahut achha hai."}[t.lang]
            if not any(a.casefold() in fluent.casefold() for a in t.expect["accept"]):
                assert R.reward(t, fluent).total <= 0.25
        if t.kind == "decline":
            assert R.reward(t, t.meta["reference"]).total == 1.0
            answer = {"hi": "हाँ, ज़रूर।", "en": "Sure, here it is.", "hinglish": "Haan, zaroor."}[t.lang]
            assert R.reward(t, answer).total <= 0.25
