"""The runtime talks to Chimera in exactly the format it is trained on: a tiny random
nemotron_h written with the project tokenizer and chat template (training.export)."""

from __future__ import annotations

import pytest

from vaani.llm import LlamaEngine, Request


@pytest.fixture(scope="module")
def chimera_like(tmp_path_factory):
    torch = pytest.importorskip("torch")
    export = pytest.importorskip("training.export")
    chat = pytest.importorskip("training.chat")
    torch.set_num_threads(1)
    try:
        tok = export.project_tokenizer()
    except Exception as exc:            # the trained tokenizer is not there
        pytest.skip(f"project tokenizer unavailable: {exc}")
    path = tmp_path_factory.mktemp("chimera-like") / "tiny-chat.gguf"
    export.write_random_tiny_gguf(path, seed=3, tokenizer=tok)
    return path, chat


MESSAGES = [{"role": "system", "content": "You are VAANI."},
            {"role": "user", "content": "टाइमर लगाओ 5 मिनट"},
            {"role": "assistant", "content": "ठीक है।"},
            {"role": "user", "content": "What time is it?"}]


def test_prompt_is_the_training_format_token_for_token(chimera_like):
    path, chat = chimera_like
    e = LlamaEngine(path, n_ctx=512, threads=1)
    try:
        ids = e.chat_prompt(MESSAGES)
        text = b"".join(e.model.piece(t, special=True) for t in ids).decode()
        assert text == chat.render(MESSAGES, add_generation_prompt=True)
        assert text.count(chat.BOS) == 1                       # BOS once, from the template
        end = e.model.tokenize(chat.END, add_special=False)
        assert len(end) == 1 and e.model.is_eog(end[0])          # a turn end stops generation
        for role in (chat.SYSTEM, chat.USER, chat.ASSISTANT):
            assert len(e.model.tokenize(role, add_special=False)) == 1
        out = e.complete(ids, Request(max_tokens=8))
        assert out.completion_tokens <= 8 and "<|" not in out.text   # control tokens hidden
    finally:
        e.close()


def test_the_tool_call_marker_is_the_one_control_token_the_stream_shows(chimera_like):
    path, chat = chimera_like
    e = LlamaEngine(path, n_ctx=512, threads=1)
    try:
        (marker,) = e.model.tokenize(chat.TOOL_CALL, add_special=False)
        assert e.visible_specials == {marker}
        # a tool-call turn of the training format round-trips through the prompt renderer
        msgs = MESSAGES + [{"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "clock", "arguments": "{}"}}]},
            {"role": "tool", "content": '{"time": "17:10"}'}]
        ids = e.chat_prompt(msgs)
        text = b"".join(e.model.piece(t, special=True) for t in ids).decode()
        assert text == chat.render(msgs, add_generation_prompt=True)
        assert '<|tool_call|>{"name": "clock", "arguments": {}}<|end|><|tool_result|>' in text
    finally:
        e.close()


def test_tools_offered_by_a_client_are_listed_the_way_chimera_was_trained(chimera_like):
    path, chat = chimera_like
    tools = [{"type": "function", "function": {"name": "weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}}}},
             {"type": "function", "function": {"name": "clock"}}]
    e = LlamaEngine(path, n_ctx=512, threads=1)
    try:
        ids = e.chat_prompt(MESSAGES[-1:], tools=tools)
        text = b"".join(e.model.piece(t, special=True) for t in ids).decode()
        assert text.startswith("<|endoftext|><|system|>Tools: weather(city); clock()<|end|>")
        assert text == chat.render(MESSAGES[-1:], tools=tools, add_generation_prompt=True)
    finally:
        e.close()


def test_tool_descriptions_reach_the_prompt_as_chimera_is_trained(chimera_like):
    path, chat = chimera_like
    tools = [{"type": "function", "function": {
        "name": "unit_convert", "description": "convert a value between units",
        "parameters": {"type": "object", "properties": {
            "value": {"type": "number"}, "from": {"type": "string"}, "to": {"type": "string"}}}}},
             {"type": "function", "function": {"name": "clock",
                                               "description": "current local time and date"}}]
    e = LlamaEngine(path, n_ctx=512, threads=1)
    try:
        ids = e.chat_prompt(MESSAGES[-1:], tools=tools)
        text = b"".join(e.model.piece(t, special=True) for t in ids).decode()
        assert text.startswith("<|endoftext|><|system|>Tools: unit_convert(value, from, to) - "
                               "convert a value between units; clock() - current local time "
                               "and date<|end|>")
        assert text == chat.render(MESSAGES[-1:], tools=tools, add_generation_prompt=True)
    finally:
        e.close()
