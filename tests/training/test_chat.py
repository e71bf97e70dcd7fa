"""The chat format: Python renderer == GGUF Jinja template (llama-cpp-python and VAANI's own
renderer) == the same token ids in llama.cpp and in our tokenizer."""

from __future__ import annotations

import json
import random

import pytest

from training import chat
from training import tokenizer as tok_mod


def _conversations() -> list[tuple[list[dict], list[dict] | None]]:
    from training.data import generators as G

    convs = []
    for i in range(120):
        d = G.generate(random.Random(f"chat:{i}"), ("hi", "en", "hinglish")[i % 3])
        if d.messages is not None:
            convs.append((d.messages, d.tools))
    # hand-written edge cases: content None/empty, dict arguments, several calls, no system
    convs.append(([{"role": "user", "content": "2+2?"},
                   {"role": "assistant", "content": None, "tool_calls": [
                       {"type": "function", "function": {"name": "calculator",
                                                         "arguments": {"expression": "2+2"}}},
                       chat.tool_call("clock", {})]},
                   {"role": "tool", "content": "{\"result\": 4}"},
                   {"role": "assistant", "content": "चार।"}], None))
    convs.append(([{"role": "system", "content": ""}, {"role": "user", "content": ""}], None))
    return convs


def test_python_render_equals_llama_cpp_python_jinja():
    convs = _conversations()
    assert sum(1 for m, _ in convs if any(x.get("tool_calls") for x in m)) > 20
    assert sum(1 for _, t in convs if t) > 10
    for msgs, tools in convs:
        for gen in (False, True):
            assert chat.render(msgs, tools=tools, add_generation_prompt=gen) == \
                chat.jinja_render(msgs, tools=tools, add_generation_prompt=gen)


def test_vaani_runtime_renderer_agrees():
    """VAANI's LLM stage renders the GGUF template itself (plain role/content messages)."""
    from vaani.llm import chat as vchat

    for msgs, _ in _conversations():
        plain = vchat.check_messages([{"role": m["role"], "content": m.get("content") or ""}
                                      for m in msgs])
        assert vchat.render(plain, chat.CHAT_TEMPLATE, bos_token=chat.BOS,
                            eos_token=chat.BOS) == chat.render(plain, add_generation_prompt=True)


def test_tool_call_is_json_and_ends_the_turn():
    msgs = [{"role": "user", "content": "5 मिनट का टाइमर"},
            chat.tool_call("timer", {"minutes": 5, "label": "चाय"})]
    text = chat.render([msgs[0], {"role": "assistant", "content": "", "tool_calls": [msgs[1]]}])
    body = text.split(chat.TOOL_CALL, 1)[1]
    assert body.endswith(chat.END)
    call = json.loads(body[: -len(chat.END)])
    assert call == {"name": "timer", "arguments": {"minutes": 5, "label": "चाय"}}
    assert "चाय" in body                                   # not \u-escaped


def test_unknown_role_is_an_error():
    with pytest.raises(ValueError):
        chat.render([{"role": "robot", "content": "x"}])
    with pytest.raises(ValueError):
        chat.jinja_render([{"role": "robot", "content": "x"}])


def test_same_ids_from_llama_cpp_template_and_training_format(tmp_path):
    """The GGUF as llama-cpp-python sees it: its own template, bos/eos texts, tokenize()."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    tok = tok_mod.load()
    llama = tok_mod.LlamaVocab(tok_mod.write_vocab_gguf(tmp_path / "v.gguf", tok))
    try:
        llm = llama.llm
        assert llm.chat_format == "chat_template.default"     # it picked the GGUF template
        model = llm._model
        bos, eos = model.token_get_text(model.token_bos()), model.token_get_text(model.token_eos())
        fmt = Jinja2ChatFormatter(llm.metadata["tokenizer.chat_template"], eos_token=eos,
                                  bos_token=bos)
        for msgs, tools in _conversations():
            res = fmt(messages=msgs, tools=tools)
            # what llama_chat_format.chat_formatter_to_chat_completion_handler does:
            ids = llm.tokenize(res.prompt.encode("utf-8"), add_bos=not res.added_special,
                               special=True)
            assert ids == chat.encode_prompt(msgs, tok, tools=tools)
            assert ids[0] == tok.bos_id and ids[-1] == tok.special_ids[chat.ASSISTANT]
    finally:
        llama.close()


def test_tools_line_carries_each_tools_description():
    """A tool's description follows its arguments, so a tool never seen in training can be
    understood from the prompt; a tool without one is listed as before. Python, llama-cpp-
    python's Jinja and VAANI's runtime renderer agree."""
    from training.data import generators as G
    from vaani.llm import chat as vchat

    tools = [G.TOOLS["clock"], G.TOOLS["timer"],
             {"type": "function", "function": {"name": "note_add", "parameters": {
                 "type": "object", "properties": {"text": {"type": "string"}}}}},
             {"name": "translate", "description": "translate a word, e.g. 'apple' -> 'सेब'",
              "parameters": {"type": "object", "properties": {"word": {"type": "string"},
                                                              "to": {"type": "string"}}}}]
    msgs = [{"role": "user", "content": "'apple' को हिंदी में क्या कहते हैं?"}]
    text = chat.render(msgs, tools=tools, add_generation_prompt=True)
    assert text.startswith(
        "<|endoftext|><|system|>Tools: clock() - current local time and date; "
        "timer(minutes, seconds, label) - start a countdown timer; note_add(text); "
        "translate(word, to) - translate a word, e.g. 'apple' -> 'सेब'<|end|><|user|>")
    assert text == chat.jinja_render(msgs, tools=tools, add_generation_prompt=True)
    assert text == vchat.render(vchat.check_messages(msgs), chat.CHAT_TEMPLATE,
                                bos_token=chat.BOS, eos_token=chat.BOS, tools=tools)
    # an empty description is no description
    bare = {"type": "function", "function": {"name": "clock", "description": ""}}
    assert chat.render([], tools=[bare]) == chat.jinja_render([], tools=[bare]) == \
        "<|endoftext|><|system|>Tools: clock()<|end|>"
