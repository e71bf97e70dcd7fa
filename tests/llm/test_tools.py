"""Tool calls in a streamed reply (vaani.llm.tools): never spoken, run, answered from."""

import json

import pytest

from vaani.llm.tools import TOOL_CALL, ToolCallSplitter, parse_call, stream_with_tools


def feed_all(pieces):
    s = ToolCallSplitter()
    out = "".join(s.feed(p) for p in pieces) + s.flush()
    return out, s.calling, s.call_text


@pytest.mark.parametrize("pieces", [
    ["Hello ", "world."],
    ["a < b and <| is not ", "a marker <|tool"],          # a held prefix that never completes
    ["<", "|", "tool"],
])
def test_text_without_a_call_passes_through_whole(pieces):
    assert feed_all(pieces) == ("".join(pieces), False, "")


def test_a_marker_split_across_pieces_is_found_and_nothing_after_it_is_passed_on():
    out, calling, call = feed_all(["Let me check.", "<|too", "l_call|>{\"name\": ", "\"clock\"}"])
    assert (out, calling, call) == ("Let me check.", True, '{"name": "clock"}')


def test_held_text_is_released_as_soon_as_it_cannot_be_the_marker():
    s = ToolCallSplitter()
    assert s.feed("It is <|") == "It is "
    assert s.feed("x") == "<|x"


@pytest.mark.parametrize("text, expected", [
    ('{"name": "timer", "arguments": {"minutes": 5}}', ("timer", {"minutes": 5})),
    ('{"name": "timer", "arguments": "{\\"minutes\\": 5}"}', ("timer", {"minutes": 5})),
    (' {"name": "clock"} trailing', ("clock", {})),
    ('{"arguments": {}}', None), ("not json", None), ("[1, 2]", None),
    ('{"name": "x", "arguments": "{bad"}', None),
    ('{"name": "timer", "arguments": {"minutes": NaN}}', None),
    ('{"name": "timer", "arguments": "{\\"minutes\\": Infinity}"}', None),
])
def test_parse_call(text, expected):
    assert parse_call(text) == expected


def scripted(*rounds):
    """A generate() that plays one list of pieces per call and records the messages."""
    seen = []

    def generate(messages):
        seen.append(json.loads(json.dumps(messages)))
        yield from rounds[len(seen) - 1]
    return generate, seen


def test_a_call_is_run_and_the_model_answers_from_its_result():
    generate, seen = scripted(
        [TOOL_CALL, '{"name": "clock", ', '"arguments": {}}'],
        ["It is ", "ten past five."])
    calls = []

    def call_tool(name, args):
        calls.append((name, args))
        return {"time": "17:10"}

    msgs = [{"role": "user", "content": "time?"}]
    out = "".join(stream_with_tools(generate, msgs, call_tool))
    assert out == "It is ten past five." and calls == [("clock", {})]
    assert seen[1][-2:] == [
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "clock", "arguments": "{}"}}]},
        {"role": "tool", "content": '{"time": "17:10"}'}]
    assert msgs == [{"role": "user", "content": "time?"}]          # the caller's list untouched


def test_a_model_that_keeps_calling_is_cut_off_silently():
    call = [TOOL_CALL, '{"name": "clock", "arguments": {}}']
    generate, seen = scripted(call, call, call, ["never"])
    calls = []
    out = list(stream_with_tools(generate, [], lambda n, a: calls.append(n) or {}, max_calls=2))
    assert out == [] and len(calls) == 2 and len(seen) == 3


def test_a_call_that_is_not_json_ends_the_reply_without_speaking_it():
    generate, _ = scripted(["Sure. ", TOOL_CALL, "{oops"])
    out = "".join(stream_with_tools(generate, [], lambda n, a: pytest.fail("called")))
    assert out == "Sure. "


def test_nothing_runs_after_cancel():
    generate, seen = scripted([TOOL_CALL, '{"name": "timer", "arguments": {"minutes": 1}}'])
    out = list(stream_with_tools(generate, [], lambda n, a: pytest.fail("called"),
                                 cancelled=lambda: True))
    assert out == [] and len(seen) == 1


def test_a_barge_in_during_the_tool_call_ends_the_reply_there():
    generate, seen = scripted([TOOL_CALL, '{"name": "clock", "arguments": {}}'], ["It is late."])
    state = {"cancelled": False}

    def call_tool(name, args):
        state["cancelled"] = True          # the user interrupted while the tool ran
        return {"time": "23:00"}
    out = list(stream_with_tools(generate, [], call_tool, cancelled=lambda: state["cancelled"]))
    assert out == [] and len(seen) == 1


def test_a_failed_call_ends_in_the_apology_without_asking_the_model():
    generate, seen = scripted([TOOL_CALL, '{"name": "weather", "arguments": {}}'], ["It is sunny."])
    out = "".join(stream_with_tools(generate, [], lambda n, a: {"error": "no data"},
                                    apology="Sorry."))
    assert out == "Sorry." and len(seen) == 1


# -- Qwen2.5's format: <tool_call>\n{json}\n</tool_call> in ChatML ---------------------------------

def test_qwen_tool_call_marker_is_found_and_its_closing_tag_ignored():
    out, calling, call = feed_all(["Sure.", "<tool", "_call>\n{\"name\": \"timer\", ",
                                   "\"arguments\": {\"minutes\": 5}}\n</tool_call>"])
    assert (out, calling) == ("Sure.", True)
    assert parse_call(call) == ("timer", {"minutes": 5})
    # text that only starts like one of the markers is released once it cannot be one
    assert feed_all(["a <tool", "box> b <|x ``", "`py"]) == ("a <toolbox> b <|x ```py", False, "")


def test_qwen_coder_fenced_json_call_is_a_call():
    s = ToolCallSplitter()
    said = s.feed("``") + s.feed("`json\n{\n  \"name\": \"define\",\n  \"arguments\": ")
    said += s.feed("{\"word\": \"serendipity\"}\n}\n```") + s.flush()
    assert said == "" and s.calling and s.marker == "```json"
    assert parse_call(s.call_text) == ("define", {"word": "serendipity"})


def test_templates_that_encode_arguments_get_objects_not_json_strings():
    from vaani.llm import chat

    qwen_like = ("{% for m in messages %}{% for c in m.tool_calls or [] %}"
                 "{% set c = c.function %}<tool_call>{\"name\": \"{{ c.name }}\", "
                 "\"arguments\": {{ c.arguments | tojson }}}</tool_call>{% endfor %}"
                 "{% endfor %}")
    msgs = [{"role": "assistant", "content": "", "tool_calls": [
        {"type": "function", "function": {"name": "timer", "arguments": '{"minutes": 5}'}}]}]
    text = chat.render(msgs, qwen_like, add_generation_prompt=False)
    assert text == '<tool_call>{"name": "timer", "arguments": {"minutes": 5}}</tool_call>'
    assert msgs[0]["tool_calls"][0]["function"]["arguments"] == '{"minutes": 5}'   # untouched


def test_a_call_given_up_is_answered_like_a_failed_call():
    """vaani.llm.calls gives up a call no offered tool fits: the marker alone."""
    from vaani.llm.tools import GIVEN_UP

    calls = []
    out = list(stream_with_tools(lambda msgs: iter([TOOL_CALL]), [{"role": "user", "content": "x"}],
                                 lambda n, a: calls.append(n) or {}, apology=lambda r: f"sorry {r}"))
    assert out == [f"sorry {GIVEN_UP}"] and not calls
    # without an apology nothing is said, as for any call that cannot run
    assert list(stream_with_tools(lambda msgs: iter([TOOL_CALL, "  "]),
                                  [{"role": "user", "content": "x"}], lambda n, a: {})) == []
