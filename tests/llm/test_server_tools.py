"""OpenAI tool calling through ``vaani serve``: a model's ``<|tool_call|>{json}`` becomes a
``tool_calls`` entry (finish_reason "tool_calls"), streaming and not, with the official client.
The engine here is scripted (what a Chimera model writes); the real model's prompt with tools
is checked in test_chimera_format.py."""

from __future__ import annotations

import json
import pytest

from vaani.llm.engine import Chunk, Completion, FifoLock
from vaani.llm.tools import TOOL_CALL

openai = pytest.importorskip("openai")
uvicorn = pytest.importorskip("uvicorn")


class ScriptedEngine:
    """Answers every chat with ``reply`` in 3-character chunks; records the tools it saw."""

    name = "scripted"
    n_ctx = 512
    call_marker = 7                    # its calls start with a control token, as Chimera's

    def __init__(self):
        self.reply = ""
        self.tools_seen = []
        self.rules_seen = []
        self.lock = FifoLock()
        self.model = type("M", (), {"n_vocab": 100})()

    def describe(self):
        return {"model": self.name}

    def chat_prompt(self, messages, tools=None):
        self.tools_seen.append(tools)
        return [1, 2, 3]

    def text_prompt(self, text):
        return [1, 2, 3]

    def stream(self, prompt, req, cancel=None, ticket=None):
        self.rules_seen.append(req.calls)
        with self.lock.hold(ticket):
            for i in range(0, len(self.reply), 3):
                yield Chunk(self.reply[i:i + 3])
            yield Chunk("", finish_reason="stop", prompt_tokens=3,
                        completion_tokens=len(self.reply) // 3)

    def complete(self, prompt, req, cancel=None):
        text = "".join(c.text for c in self.stream(prompt, req, cancel))
        return Completion(text, "stop", 3, len(self.reply) // 3, 0.01, [], None)


TOOLS = [{"type": "function", "function": {
    "name": "weather", "description": "weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
ASK = [{"role": "user", "content": "What's the weather in Pune?"}]
CALL = TOOL_CALL + json.dumps({"name": "weather", "arguments": {"city": "Pune"}})


@pytest.fixture(scope="module")
def served():
    from tests.llm.test_server import running
    from vaani.llm.server import create_app

    engine = ScriptedEngine()
    with running(create_app(engine, model_ids=["vaani"])) as url:
        yield engine, openai.OpenAI(base_url=url, api_key="x", max_retries=0)


def test_a_tool_call_is_returned_as_tool_calls(served):
    engine, client = served
    engine.reply = CALL
    r = client.chat.completions.create(model="vaani", messages=ASK, tools=TOOLS)
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls" and not choice.message.content
    (call,) = choice.message.tool_calls
    assert call.type == "function" and call.function.name == "weather"
    assert json.loads(call.function.arguments) == {"city": "Pune"} and call.id.startswith("call_")
    assert engine.tools_seen[-1] == TOOLS


def test_streamed_tool_call_is_one_tool_calls_delta_and_no_marker_text(served):
    engine, client = served
    engine.reply = "Let me check. " + CALL
    chunks = list(client.chat.completions.create(model="vaani", messages=ASK, tools=TOOLS,
                                                 stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    calls = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert text == "Let me check. "
    assert [(tc.function.name, json.loads(tc.function.arguments)) for tc in calls] == [
        ("weather", {"city": "Pune"})]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_plain_answers_and_the_tool_result_round_trip(served):
    engine, client = served
    engine.reply = "It is 31 degrees in Pune."
    msgs = ASK + [{"role": "assistant", "content": None, "tool_calls": [
        {"id": "call_1", "type": "function",
         "function": {"name": "weather", "arguments": "{\"city\": \"Pune\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\": 31}"}]
    r = client.chat.completions.create(model="vaani", messages=msgs, tools=TOOLS)
    assert r.choices[0].finish_reason == "stop"
    assert r.choices[0].message.content == "It is 31 degrees in Pune."
    assert not r.choices[0].message.tool_calls


@pytest.mark.parametrize("tools", ["weather", [{"type": "retrieval"}], [{"function": 3}],
                                   [{"type": "function", "function": {"name": "x",
                                                                      "parameters": 5}}]])
def test_malformed_tools_are_400(served, tools):
    _, client = served
    with pytest.raises(openai.BadRequestError) as err:
        client.chat.completions.create(model="vaani", messages=ASK, tools=tools)
    assert err.value.body["param"] == "tools"


@pytest.mark.parametrize("extra", [{}, {"tools": TOOLS, "tool_choice": "none"}])
def test_no_tool_calls_for_a_client_that_offered_no_tools(served, extra):
    engine, client = served
    engine.reply = CALL
    r = client.chat.completions.create(model="vaani", messages=ASK, **extra)
    assert r.choices[0].finish_reason == "stop" and not r.choices[0].message.tool_calls
    assert r.choices[0].message.content == CALL


def test_a_streamed_call_that_is_not_json_comes_back_as_text(served):
    engine, client = served
    engine.reply = "Sure. " + TOOL_CALL + '{"name": "weather", "argu'
    chunks = list(client.chat.completions.create(model="vaani", messages=ASK, tools=TOOLS,
                                                 stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == engine.reply and chunks[-1].choices[0].finish_reason == "stop"


def test_a_client_s_tools_are_the_schemas_the_call_is_decoded_in(served):
    engine, client = served
    engine.reply = CALL
    client.chat.completions.create(model="vaani", messages=ASK, tools=TOOLS)
    rules = engine.rules_seen[-1]
    assert rules is not None and rules.tools == TOOLS
    assert rules.ground is None          # the server cannot tell a client's user words apart
    client.chat.completions.create(model="vaani", messages=ASK, tools=TOOLS, tool_choice="none")
    assert engine.rules_seen[-1] is None
    client.chat.completions.create(model="vaani", messages=ASK)
    assert engine.rules_seen[-1] is None
