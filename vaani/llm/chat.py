"""Chat messages -> prompt text, with the model's own template from its GGUF metadata.

GGUF files carry the Hugging Face Jinja template (``tokenizer.chat_template``); we render it
in a sandbox, the way ``transformers.apply_chat_template`` does, so a model sees exactly the
format it was trained on. A model without a template gets ChatML, the most common format.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from vaani.errors import EngineError


class RequestError(EngineError, ValueError):
    """A request the engine cannot serve as asked (bad messages or settings, a prompt that
    does not fit): the caller's mistake, reported before anything is generated."""

    title = "Bad LLM request"

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

ROLES = ("system", "user", "assistant", "tool")


def check_messages(messages: Any) -> list[dict[str, Any]]:
    """Validate a chat (list of {role, content}) and return it as plain dicts.

    OpenAI-style ``tool_calls`` on assistant turns (and ``name`` / ``tool_call_id``) are
    kept for templates that render them (Chimera's does)."""
    if not isinstance(messages, list) or not messages:
        raise RequestError("messages must be a non-empty list")
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise RequestError(f"messages[{i}] must be an object")
        role = m.get("role")
        content = m.get("content", "")
        if role not in ROLES:
            raise RequestError(f"messages[{i}].role must be one of {', '.join(ROLES)}")
        if content is None:
            content = ""
        if isinstance(content, list):      # OpenAI content parts: keep the text ones
            parts = []
            for part in content:
                if not isinstance(part, dict) or part.get("type") != "text":
                    raise RequestError(f"messages[{i}].content: only text parts are supported")
                parts.append(str(part.get("text", "")))
            content = "".join(parts)
        if not isinstance(content, str):
            raise RequestError(f"messages[{i}].content must be a string")
        msg: dict[str, Any] = {"role": role, "content": content}
        calls = m.get("tool_calls")
        if calls is not None:
            if not isinstance(calls, list) or not all(isinstance(c, dict) for c in calls):
                raise RequestError(f"messages[{i}].tool_calls must be a list of objects")
            msg["tool_calls"] = calls
        for key in ("name", "tool_call_id"):
            if isinstance(m.get(key), str):
                msg[key] = m[key]
        out.append(msg)
    return out


@functools.lru_cache(maxsize=8)
def _compile(template: str):
    from jinja2 import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise EngineError(f"chat template: {message}")

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    try:
        return env.from_string(template)
    except TemplateError as exc:
        raise EngineError(f"the model's chat template does not compile: {exc}") from exc


def check_tools(tools: Any) -> list[dict[str, Any]] | None:
    """OpenAI ``tools`` (function tools only) as plain dicts; None or [] means none."""
    if tools in (None, []):
        return None
    if not isinstance(tools, list):
        raise RequestError("tools must be a list")
    for i, t in enumerate(tools):
        f = t.get("function") if isinstance(t, dict) else None
        if not isinstance(t, dict) or t.get("type", "function") != "function" \
                or not isinstance(f, dict) or not isinstance(f.get("name"), str):
            raise RequestError(f"tools[{i}] must be {{\"type\": \"function\", \"function\": "
                               f"{{\"name\": ...}}}}")
        params = f.get("parameters")
        if params is not None and not isinstance(params, dict):
            raise RequestError(f"tools[{i}].function.parameters must be an object")
    return tools


def _arguments_as_objects(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool calls with their arguments as objects, not JSON strings (the OpenAI convention):
    templates that encode them themselves (Qwen2.5's ``tool_call.arguments | tojson``) would
    otherwise show the model a quoted string where it wrote an object."""
    out = []
    for m in messages:
        calls = m.get("tool_calls")
        if calls:
            fixed = []
            for call in calls:
                fn = call.get("function") if isinstance(call.get("function"), dict) else None
                args = (fn or call).get("arguments")
                if isinstance(args, str):
                    try:
                        args = json.loads(args)
                    except ValueError:
                        args = None
                    if isinstance(args, dict):
                        if fn is not None:
                            call = {**call, "function": {**fn, "arguments": args}}
                        else:
                            call = {**call, "arguments": args}
                fixed.append(call)
            m = {**m, "tool_calls": fixed}
        out.append(m)
    return out


def render(messages: list[dict[str, Any]], template: str | None, *, bos_token: str = "",
           eos_token: str = "", add_generation_prompt: bool = True,
           tools: list[dict[str, Any]] | None = None) -> str:
    """The prompt text for ``messages`` under ``template`` (None: ChatML); ``tools`` go to
    templates that list them (Chimera's does)."""
    from jinja2 import TemplateError

    if template and "arguments | tojson" in template:
        messages = _arguments_as_objects(messages)
    try:
        return _compile(template or CHATML).render(
            messages=messages, add_generation_prompt=add_generation_prompt,
            bos_token=bos_token, eos_token=eos_token, tools=tools)
    except TemplateError as exc:
        raise EngineError(f"the model's chat template failed: {exc}") from exc
