"""How the runtime asks for tool calls to be decoded (vaani.llm.calls): the config's mode
and every tool's composed arguments reach the model's engine; a parameter may be a JSON
schema (an enum the decoder enforces)."""

from __future__ import annotations

import pytest

from vaani.config import from_dict
from vaani.errors import ConfigError
from vaani.hookspecs import Tool, hookimpl
from vaani.testing import FakeLlm, Script, rig


class Tools:
    @hookimpl
    def vaani_tools(self):
        return [Tool("calc", "evaluate arithmetic", {"expression": "string"},
                     lambda a, lang: {"value": 4}, composed=("expression",)),
                Tool("fan", "turn the fan: speed low, medium or high",
                     {"speed": {"type": "string", "enum": ["low", "medium", "high"]}},
                     lambda a, lang: {"ok": True})]


def ask(config=None):
    llm = FakeLlm("I cannot answer that yet.", first_token_s=0.0, token_s=0.0)
    r = rig(Script(), llm=llm, plugins=(Tools(),), config={"guard": {"enabled": False},
                                                           **(config or {})})
    r.pipeline.ask("why is the sky blue")
    return llm


def test_the_runtime_asks_for_grounded_calls_with_the_composed_arguments():
    llm = ask()
    assert llm.call_rules[0] == ("grounded", {"calc": ["expression"]})
    fan = next(t for t in llm.tools[0] if t["function"]["name"] == "fan")
    assert fan["function"]["parameters"]["properties"]["speed"] == {
        "type": "string", "enum": ["low", "medium", "high"]}


@pytest.mark.parametrize("mode", ["schema", "free"])
def test_the_config_chooses_how_calls_are_decoded(mode):
    assert ask({"llm": {"tool_calls": mode}}).call_rules[0][0] == mode


def test_an_unknown_mode_is_a_config_error():
    with pytest.raises(ConfigError, match="llm.tool_calls"):
        from_dict({"llm": {"tool_calls": "strict"}}).validate()


