"""The skills as tools the LLM calls (vaani_tools): clock, calculator, timer."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.plugins.test_clock import skills_host

FROZEN = datetime(2026, 3, 5, 17, 10, tzinfo=ZoneInfo("Asia/Kolkata")).timestamp()


@pytest.fixture()
def host():
    fired = []
    done = threading.Event()

    def notify(text, language, plugin):
        fired.append((text, language, plugin))
        done.set()
    h = skills_host({"clock": {"timezone": "Asia/Kolkata"}}, now=lambda: FROZEN, notify=notify)
    h.fired, h.done = fired, done
    yield h
    h.shutdown()


def test_the_three_skills_offer_their_tools(host):
    tools = host.tools()
    assert {name: plugin for name, (plugin, _) in tools.items()} == {
        "clock": "clock", "calculator": "calculator", "timer": "timer"}
    assert tools["timer"][1].parameters == {"minutes": "integer", "seconds": "integer",
                                            "label": "string"}


def test_clock_tool_gives_what_chimera_was_trained_on(host):
    assert host.call_tool("clock", {}, "hi", utterance="अभी टाइम क्या है यार") == {
        "time": "17:10", "date": "2026-03-05", "weekday": "Thursday"}


@pytest.mark.parametrize("utterance", ["what is the capital of India", "भारत की राजधानी क्या है",
                                       "tell me a fun fact about the moon", "tum kaun ho",
                                       "what time is it in London", "how many days until Diwali",
                                       "दिवाली कब है", "what day will it be tomorrow",
                                       "कल कौन सा दिन होगा"])
def test_clock_tool_is_not_run_for_a_question_that_is_not_about_the_time(host, utterance):
    # the shipped Chimera answered these by calling the clock
    assert host.call_tool("clock", {}, "en", utterance=utterance) == {
        "error": "the user did not ask for this"}


@pytest.mark.parametrize("expression, result, utterance", [
    ("240 * 15 / 100", 36, "what is 15 percent of 240"), ("12 + 30", 42, "12 and 30 together"),
    ("7 / 2", 3.5, "seven split in two"), ("2 / 3", 0.6667, "2 divided by 3"),
    ("पच्चीस गुणा चार", 100, "पच्चीस गुणा चार"), ("five times six", 30, "5 boxes of 6 eggs"),
])
def test_calculator_tool(host, expression, result, utterance):
    assert host.call_tool("calculator", {"expression": expression}, "en",
                          utterance=utterance) == {"result": result}


@pytest.mark.parametrize("args", [{}, {"expression": ""}, {"expression": 42},
                                  {"expression": "hello there"}, {"expression": "5 / 0"}])
def test_calculator_tool_errors(host, args):
    assert "error" in host.call_tool("calculator", args, "en", utterance="5 by 0")


def test_calculator_tool_only_uses_numbers_the_user_said(host):
    # "72 * 4" must not become 72 * 5, and a question with no numbers gets no arithmetic
    assert host.call_tool("calculator", {"expression": "72 * 5"}, "en",
                          utterance="72 * 4") == {"error": "the user did not ask for this"}
    assert host.call_tool("calculator", {"expression": "2 + 2"}, "en",
                          utterance="what is the capital of France") == {
        "error": "the user did not ask for this"}


def test_each_skill_words_its_own_tool_result(host):
    clock = host.tools()["clock"][1]
    assert clock.say({"time": "15:33", "date": "2026-12-04"}, "en") == \
        "It's 3:33 PM on Friday, December 4, 2026."
    assert "दोपहर के तीन बजकर तैंतीस मिनट" in clock.say({"time": "15:33", "date": "2026-12-04"}, "hi")
    calculator = host.tools()["calculator"][1]
    assert calculator.say({"result": 288}, "en") == "The answer is 288."
    assert calculator.say({"result": 288}, "hi") == "जवाब दो सौ अट्ठासी है।"
    timer = host.tools()["timer"][1]
    assert timer.say({"ok": True, "seconds": 300}, "en") == "Your 5 minute timer is set."
    assert timer.say({"ok": True, "seconds": 300}, "hi") == "पाँच मिनट का टाइमर लग गया है।"


def test_skills_say_what_they_can_do(host):
    assert host.abilities("en") == ["calculations", "the time and date", "timers"]
    assert host.abilities("hi") == ["हिसाब", "समय-तारीख़", "टाइमर"]


def test_timer_tool_sets_a_timer_that_fires_in_the_language_asked(host):
    result = host.call_tool("timer", {"seconds": 1, "label": "चाय"}, "hi",
                            utterance="चाय के लिए एक सेकंड का टाइमर")
    assert result["ok"] is True and result["timer_id"] >= 1
    assert time.strptime(result["ends_at"], "%H:%M:%S")
    assert host.done.wait(5)
    (text, language, plugin), = host.fired
    assert language == "hi" and plugin == "timer" and "चाय" in text


@pytest.mark.parametrize("args", [{"minutes": 0}, {"minutes": "soon"}, {"minutes": 100000},
                                  {"minutes": 1, "label": 7}])
def test_timer_tool_limits(host, args):
    import vaani_timer

    assert "error" in vaani_timer._get().tool(args, "en") and host.fired == []
    assert vaani_timer._get().service.pending() == []


def test_clock_and_calculator_preview_what_they_would_answer_and_the_timer_does_not(host):
    from vaani.hookspecs import Utterance

    for text, language in (("what time is it", "en"), ("पच्चीस गुणा चार", "hi")):
        u = Utterance(text, language)
        assert host.preview(u).text == host.handle(u).reply.text
    u = Utterance("set a timer for five minutes", "en")
    import vaani_timer

    assert host.preview(u) is None and vaani_timer._get().service.pending() == []


@pytest.mark.parametrize("args, utterance, ok", [
    ({"minutes": 5}, "पाँच मिनट का टाइमर लगाओ", True),
    ({"minutes": 5}, "can you start a countdown of 5 minutes please", True),
    ({"seconds": 90}, "remind me in a minute and a half", True),
    ({"minutes": 10}, "chai 10 minute", True),
    ({"minutes": 1, "seconds": 45}, "Tell me a fun fact about the moon.", False),
    ({"minutes": 3}, "tea timer for ten minutes", False),
    ({"minutes": 0}, "timer for zero minutes", False),
    ({"minutes": "five"}, "five minutes", False),
    ({"minutes": 90}, "remind me in 90 seconds", False),        # units said: they count
    ({"seconds": 90}, "remind me in 90 seconds", True),
    ({"minutes": float("nan")}, "timer nan", False),
    ({"minutes": 1e308, "seconds": 1e308}, "a long timer", False),
])
def test_the_llm_sets_a_timer_only_for_a_duration_the_user_said(host, args, utterance, ok):
    import vaani_timer

    result = host.call_tool("timer", args, "en", utterance=utterance)
    assert ("ok" in result) is ok, result
    assert len(vaani_timer._get().service.pending()) == (1 if ok else 0)


def test_timer_tool_needs_a_timer_asked_for(host):
    # "ek dollar kitne rupaye ka hai" made the shipped Chimera set a one minute timer
    assert host.call_tool("timer", {"minutes": 1}, "hi",
                          utterance="Aaj ek dollar kitne rupaye ka hai?") == {
        "error": "the user did not ask for this"}
    assert host.call_tool("timer", {"minutes": 10}, "en",
                          utterance="tea timer 10")["ok"] is True
