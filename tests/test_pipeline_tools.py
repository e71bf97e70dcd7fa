"""The LLM path with tool calls (Chimera's format) on fakes: the call is run through the
plugins' tools, never spoken, and never run for a turn a plugin answered or the user went on."""

import json
import threading

import pytest

from vaani.audio import ArraySource, MemorySink
from vaani.hookspecs import Reply, Tool, hookimpl
from vaani.llm.tools import TOOL_CALL
from vaani.testing import FakeAsr, FakeLlm, Script, rig


class Weather:
    """A tool plugin recording its calls (and a skill answering only 'what time')."""

    def __init__(self):
        self.calls = []
        self.called = threading.Event()

    @hookimpl
    def vaani_tools(self):
        def call(args, language):
            self.calls.append((args, language))
            self.called.set()
            return {"city": args.get("city"), "temp_c": 31, "condition": "sunny"}
        return [Tool("weather", "weather for a city", {"city": "string"}, call)]

    @hookimpl
    def vaani_handle(self, utterance):
        return Reply("It is ten o'clock.") if "what time" in utterance.text else None


def tool_model(user_text: str) -> str:
    """Calls the weather tool for a question, answers from a tool result."""
    if user_text.startswith("{"):
        result = json.loads(user_text)
        return f"In {result['city']} it is {result['temp_c']} degrees and {result['condition']}."
    return TOOL_CALL + json.dumps({"name": "weather", "arguments": {"city": "Pune"}})


def test_a_tool_call_is_run_and_only_the_worded_answer_is_spoken():
    s = Script().silence(0.3).say("weather in pune", 0.8).silence(1.0)
    weather = Weather()
    r = rig(s, plugins=(weather,), llm=FakeLlm(tool_model))
    (turn,) = r.pipeline.run(ArraySource(s.audio))
    assert turn.source == "llm" and turn.outcome == "answered"
    assert turn.reply == "In Pune it is 31 degrees and sunny."
    assert r.tts.texts and all("{" not in t and "tool" not in t for t, _ in r.tts.texts)
    assert weather.calls == [({"city": "Pune"}, "en")]
    assert turn.data["tool_calls"] == [{"name": "weather", "arguments": {"city": "Pune"},
                                        "result": {"city": "Pune", "temp_c": 31,
                                                   "condition": "sunny"}}]
    assert "tool" in turn.timings
    # the second round saw the call and its result, in the chat format
    assert r.llm.calls[-1][-1] == {"role": "tool", "content": json.dumps(
        {"city": "Pune", "temp_c": 31, "condition": "sunny"})}


class BrokenWeather:
    """A weather tool whose station is down."""

    @hookimpl
    def vaani_tools(self):
        return [Tool("weather", "weather for a city", {"city": "string"},
                     lambda args, language: {"error": "station offline"})]


@pytest.mark.parametrize("guard", [True, False])
def test_a_failed_tool_call_is_answered_with_a_fixed_apology_not_the_models_words(guard):
    # a small model asked to word a failure may claim success: it is not asked
    s = Script().silence(0.3).say("weather in pune", 0.8).silence(1.0)
    llm = FakeLlm(lambda u: "Done, it is sunny." if u.startswith("{") else tool_model(u))
    r = rig(s, llm=llm, plugins=(BrokenWeather(),), config={"guard": {"enabled": guard}})
    (turn,) = r.pipeline.run(ArraySource(s.audio))
    assert turn.reply == "Sorry, I can't do that right now." and len(llm.calls) == 1
    assert turn.data["tool_calls"][0]["result"] == {"error": "station offline"}
    assert turn.data.get("abstained") == ("tool_failed" if guard else None)


def test_weather_with_no_weather_tool_is_declined_without_asking_the_model():
    s = Script().silence(0.3).say("weather in pune", 0.8).silence(1.0)
    r = rig(s, llm=FakeLlm(tool_model))
    (turn,) = r.pipeline.run(ArraySource(s.audio))
    assert turn.reply == "I'm offline, so I can't check the weather."
    assert turn.data["abstained"] == "live:weather" and r.llm.calls == []


def test_no_tool_runs_when_a_plugin_answers_the_turn():
    # the LLM starts speculatively in the pause and asks for a tool at once, but the
    # plugin answers the confirmed turn: the tool (which may act, like a timer) never runs
    s = Script().silence(0.3).say("what time is it", 0.8).silence(1.0)
    weather = Weather()
    llm = FakeLlm(tool_model, first_token_s=0.0, token_s=0.0)
    r = rig(s, plugins=(weather,), llm=llm)
    (turn,) = r.pipeline.run(ArraySource(s.audio))
    assert turn.reply == "It is ten o'clock." and weather.calls == []


def test_no_tool_runs_for_a_speculation_the_user_talked_over():
    s = Script().silence(0.3).say("weather", 0.6).silence(0.2).say("in pune", 0.5).silence(1.0)
    weather = Weather()
    llm = FakeLlm(tool_model, first_token_s=0.0, token_s=0.0)
    r = rig(s, plugins=(weather,), llm=llm, asr=FakeAsr(s.vocabulary, latency_s=0.01),
            sink=MemorySink(realtime=True, speed=4.0))
    (turn,) = r.pipeline.run(ArraySource(s.audio, realtime=True, speed=4.0))
    assert turn.transcript == "weather in pune"
    assert weather.calls == [({"city": "Pune"}, "en")]          # once: for the whole question


class Alarm:
    """An acting tool, grounded only when the user said the number of minutes."""

    def __init__(self):
        self.set = []

    @hookimpl
    def vaani_tools(self):
        return [Tool("alarm", "set an alarm", {"minutes": "integer"},
                     lambda args, language: self.set.append(args) or {"ok": True}, acts=True,
                     grounded=lambda args, text: str(args.get("minutes")) in text.split())]


def test_an_invented_call_to_a_tool_that_acts_does_nothing():
    s = Script().silence(0.3).say("tell me about the moon", 0.8).silence(1.0)
    alarm = Alarm()
    llm = FakeLlm(lambda u: "The moon is far." if u.startswith("{") else
                  TOOL_CALL + json.dumps({"name": "alarm", "arguments": {"minutes": 2}}))
    r = rig(s, plugins=(alarm,), llm=llm)
    (turn,) = r.pipeline.run(ArraySource(s.audio))
    assert alarm.set == [] and turn.reply == "Sorry, I can't answer that offline yet."
    assert turn.data["tool_calls"][0]["result"] == {"error": "the user did not ask for this"}
    assert turn.data["abstained"] == "tool_refused"


def test_the_installed_tools_are_listed_to_the_model():
    # a model can only call what it is told exists (a third-party tool included)
    s = Script().silence(0.3).say("weather in pune", 0.8).silence(1.0)
    r = rig(s, plugins=(Weather(),), llm=FakeLlm(tool_model))
    r.pipeline.run(ArraySource(s.audio))
    (listed,) = {json.dumps(t, sort_keys=True) for t in r.llm.tools}
    assert json.loads(listed) == [{"type": "function", "function": {
        "name": "weather", "description": "weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
