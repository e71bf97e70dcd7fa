"""Chimera's chat format: one definition for the training data and for the GGUF template.

A conversation is a flat token sequence; every turn is a role token, its text and
``<|end|>``. No newlines between turns (they would cost tokens and teach nothing)::

    <|endoftext|><|system|>You are VAANI...<|end|><|user|>टाइमर लगाओ 5 मिनट<|end|>
    <|assistant|><|tool_call|>{"name": "timer", "arguments": {"minutes": 5}}<|end|>
    <|tool_result|>{"ok": true, "minutes": 5}<|end|><|assistant|>5 मिनट का टाइमर लग गया।<|end|>

* ``<|endoftext|>`` is both BOS and EOS: every training document starts with it, and the
  template begins with ``bos_token`` so a chat prompt starts the way documents do.
* ``<|end|>`` ends a turn and is end-of-generation in llama.cpp (it recognises the name),
  so generation stops after an answer *and* after a tool call: the runtime runs the tool,
  appends ``<|tool_result|>...<|end|>`` and asks for ``<|assistant|>`` again.
* A tool call is ``{"name": NAME, "arguments": ARGS}`` written by ``json.dumps`` with
  ``ensure_ascii=False`` and default separators. The template writes it by concatenation
  from an OpenAI-style ``tool_calls`` entry whose ``function.arguments`` is the JSON *string*
  (the OpenAI convention), so no Jinja JSON filter (whose output differs between
  renderers) is involved. A dict there goes through ``tojson``, which matches
  llama-cpp-python's ``json.dumps`` filter.
* Tools offered to the model (``tools=``) are listed in one system turn as
  ``Tools: name(arg1, arg2) - description; name2() - description`` (`` - description``
  only when the schema has one), compact enough for a small model, and enough for it to
  tell what a tool it never saw in training does.

:data:`CHAT_TEMPLATE` is the Jinja version of :func:`render`; tests check that
llama-cpp-python's ``Jinja2ChatFormatter`` and VAANI's own renderer produce the same text,
and that llama.cpp and our tokenizer turn it into the same ids.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

BOS = "<|endoftext|>"
SYSTEM, USER, ASSISTANT = "<|system|>", "<|user|>", "<|assistant|>"
TOOL_CALL, TOOL_RESULT, END = "<|tool_call|>", "<|tool_result|>", "<|end|>"
ROLE_TOKENS = {"system": SYSTEM, "user": USER, "assistant": ASSISTANT, "tool": TOOL_RESULT}

# What the assistant says about itself by default (kept equal to vaani's default config, so
# training data uses the very prompt the runtime sends).
DEFAULT_SYSTEM_PROMPT = (
    "You are VAANI, a helpful offline voice assistant. Answer in one or two short "
    "sentences, in the language of the question."
)

CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% if tools %}"
    "{{ '<|system|>Tools: ' }}"
    "{% for tool in tools %}"
    "{% set f = tool.function if tool.function is defined else tool %}"
    "{{ f.name ~ '(' }}"
    "{% if f.parameters is defined and f.parameters.properties is defined %}"
    "{{ f.parameters.properties | list | join(', ') }}"
    "{% endif %}"
    "{{ ')' }}"
    "{% if f.description %}{{ ' - ' ~ f.description }}{% endif %}"
    "{% if not loop.last %}{{ '; ' }}{% endif %}"
    "{% endfor %}"
    "{{ '<|end|>' }}"
    "{% endif %}"
    "{% for message in messages %}"
    "{% if message.role == 'system' %}"
    "{{ '<|system|>' ~ message.content ~ '<|end|>' }}"
    "{% elif message.role == 'user' %}"
    "{{ '<|user|>' ~ message.content ~ '<|end|>' }}"
    "{% elif message.role == 'tool' %}"
    "{{ '<|tool_result|>' ~ message.content ~ '<|end|>' }}"
    "{% elif message.role == 'assistant' %}"
    "{{ '<|assistant|>' }}"
    "{% if message.content %}{{ message.content }}{% endif %}"
    "{% if message.tool_calls %}"
    "{% for call in message.tool_calls %}"
    "{% set f = call.function if call.function is defined else call %}"
    "{{ '<|tool_call|>{\"name\": \"' ~ f.name ~ '\", \"arguments\": ' }}"
    "{% if f.arguments is string %}{{ f.arguments }}{% else %}{{ f.arguments | tojson }}{% endif %}"
    "{{ '}' }}"
    "{% endfor %}"
    "{% endif %}"
    "{{ '<|end|>' }}"
    "{% else %}"
    "{{ raise_exception('unknown role: ' ~ message.role) }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"
)


def tool_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-style tool call entry whose arguments are a JSON string (as the API sends)."""
    return {"type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}


def _tools_line(tools: Iterable[dict[str, Any]]) -> str:
    parts = []
    for tool in tools:
        f = tool.get("function", tool)
        props = (f.get("parameters") or {}).get("properties") or {}
        entry = f"{f['name']}({', '.join(props)})"
        if f.get("description"):
            entry += f" - {f['description']}"
        parts.append(entry)
    return f"{SYSTEM}Tools: {'; '.join(parts)}{END}"


def _content(m: dict[str, Any]) -> str:
    c = m.get("content")
    return "" if c is None else str(c)


def render(messages: list[dict[str, Any]], *, tools: list[dict[str, Any]] | None = None,
           add_generation_prompt: bool = False, bos: bool = True) -> str:
    """The conversation as text with special tokens, exactly as :data:`CHAT_TEMPLATE` does.

    Training documents use ``add_generation_prompt=False`` (the last turn is complete);
    prompts use True so the model continues as the assistant.
    """
    out = [BOS] if bos else []
    if tools:
        out.append(_tools_line(tools))
    for m in messages:
        role = m.get("role")
        if role == "assistant":
            out.append(ASSISTANT + _content(m))
            for call in m.get("tool_calls") or []:
                f = call.get("function", call)
                args = f.get("arguments", {})
                if not isinstance(args, str):
                    args = json.dumps(args, ensure_ascii=False)
                out.append(f'{TOOL_CALL}{{"name": "{f["name"]}", "arguments": {args}}}')
            out.append(END)
        elif role in ROLE_TOKENS:
            out.append(ROLE_TOKENS[role] + _content(m) + END)
        else:
            raise ValueError(f"unknown role: {role}")
    if add_generation_prompt:
        out.append(ASSISTANT)
    return "".join(out)


def encode_messages(messages: list[dict[str, Any]], tok, *, tools=None,
                    add_generation_prompt: bool = False) -> list[int]:
    """Token ids of a conversation (BOS included) with the project tokenizer ``tok``."""
    return tok.encode(render(messages, tools=tools, add_generation_prompt=add_generation_prompt),
                      special=True)


def encode_prompt(messages: list[dict[str, Any]], tok, *, tools=None) -> list[int]:
    """Token ids that ask the model for the assistant's next turn."""
    return encode_messages(messages, tok, tools=tools, add_generation_prompt=True)


def jinja_render(messages: list[dict[str, Any]], *, tools=None,
                 add_generation_prompt: bool = False) -> str:
    """:data:`CHAT_TEMPLATE` rendered the way llama-cpp-python renders a GGUF's template."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    fmt = Jinja2ChatFormatter(CHAT_TEMPLATE, eos_token=BOS, bos_token=BOS,
                              add_generation_prompt=add_generation_prompt)
    return fmt(messages=messages, tools=tools).prompt
