"""Tool calls inside a streamed reply: Chimera's ``<|tool_call|>{json}<|end|>`` turns, and
Qwen2.5's ``<tool_call>\n{json}\n</tool_call>`` (ChatML; its GGUF template lists the tools),
and the ```` ```json {...} ``` ```` block Qwen2.5-Coder writes in its place.

A model trained on ``training/chat.py``'s format answers "what's the weather in Pune" by
writing ``<|tool_call|>{"name": "weather", "arguments": {"city": "Pune"}}`` and stopping.
:func:`stream_with_tools` watches the streamed text for the marker: text before it is
passed on (it may be spoken), the call itself never is. The call runs through
``call_tool(name, arguments)``, its JSON result goes back as a ``tool`` message, and the model
is asked again, now to word the answer, which streams on. At most ``max_calls`` calls per
reply; a model that keeps calling is cut off with nothing more spoken.

Models that never write a marker (SmolLM2 and other plain chat models) stream through
unchanged, at the cost of holding back text that could be the start of a marker. Whatever
follows the JSON object (Qwen's ``</tool_call>``, the closing fence) is ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

log = logging.getLogger(__name__)

TOOL_CALL = "<|tool_call|>"              # Chimera (training/chat.py): a control token
QWEN_TOOL_CALL = "<tool_call>"           # Qwen2.5 (Hermes style): plain text in its vocabulary
# Qwen2.5-Coder, offered tools in its own template, writes the same {"name", "arguments"}
# object in a Markdown JSON block instead (5 of 5 tool requests; never <tool_call>). A reply
# to be spoken never contains one, and what is not a call is handled like a malformed call.
FENCED_JSON = "```json"
MARKERS = (TOOL_CALL, QWEN_TOOL_CALL, FENCED_JSON)
# what a call that was begun and given up (the marker alone) is answered as
GIVEN_UP = {"error": "no tool offered for this"}


class ToolCallSplitter:
    """Feed text pieces; get the text before a tool call, and the call's text after it."""

    def __init__(self, marker: str | tuple[str, ...] = MARKERS) -> None:
        self.markers = (marker,) if isinstance(marker, str) else tuple(marker)
        self.marker = self.markers[0]         # the one that opened the call, once calling
        self._held = ""
        self.calling = False
        self.call_text = ""

    def feed(self, piece: str) -> str:
        if self.calling:
            self.call_text += piece
            return ""
        text = self._held + piece
        found = [(i, m) for m in self.markers if (i := text.find(m)) >= 0]
        if found:
            i, marker = min(found)
            self.marker = marker
            self.calling = True
            self.call_text = text[i + len(marker):]
            self._held = ""
            return text[:i]
        keep = 0                              # a tail that may be a marker's beginning
        for marker in self.markers:
            for n in range(min(len(marker) - 1, len(text)), keep, -1):
                if text.endswith(marker[:n]):
                    keep = n
                    break
        self._held = text[len(text) - keep:] if keep else ""
        return text[:len(text) - keep]

    def flush(self) -> str:
        out, self._held = ("" if self.calling else self._held), ""
        return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON a tool may get")


def parse_call(text: str) -> tuple[str, Any] | None:
    """``{"name": ..., "arguments": {...}}`` -> (name, arguments); None if it is not one."""
    text = text.strip()
    try:
        obj, _ = json.JSONDecoder(parse_constant=_no_constant).raw_decode(text)
    except ValueError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        return None
    args = obj.get("arguments", {})
    if isinstance(args, str):                 # the OpenAI convention: a JSON string
        try:
            args = json.loads(args, parse_constant=_no_constant)
        except ValueError:
            return None
    return obj["name"], args


def stream_with_tools(generate: Callable[[list[dict[str, Any]]], Iterable[str]],
                      messages: list[dict[str, Any]],
                      call_tool: Callable[[str, Any], dict[str, Any]], *,
                      max_calls: int = 2,
                      cancelled: Callable[[], bool] = lambda: False,
                      apology: str | Callable[[dict[str, Any]], str] | None = None
                      ) -> Iterator[str]:
    """Yield the reply's speakable text, running the tool calls the model makes.

    ``apology``: said instead of the model's words when a tool call fails (``{"error": ...}``):
    a small model asked to word a failure may claim success ("your timer is set"). A
    function of the failed result words it for that failure."""
    messages = list(messages)
    for round_ in range(max_calls + 1):
        splitter = ToolCallSplitter()
        for piece in generate(messages):
            text = splitter.feed(piece)
            if text:
                yield text
        tail = splitter.flush()
        if tail:
            yield tail
        if not splitter.calling or cancelled():
            return
        call = parse_call(splitter.call_text)
        if call is None and not splitter.call_text.strip():
            # a call given up (vaani.llm.calls: no offered tool fits): as a failed call
            if apology is not None:
                yield apology(GIVEN_UP) if callable(apology) else apology
            return
        if call is None:
            log.warning("the model wrote a tool call that is not JSON: %r", splitter.call_text[:200])
            return
        if round_ == max_calls:
            log.warning("the model asked for more than %d tool calls; reply cut", max_calls)
            return
        name, args = call
        result = call_tool(name, args)
        if cancelled():
            return
        if apology is not None and isinstance(result, dict) and "error" in result:
            yield apology(result) if callable(apology) else apology
            return
        arguments = json.dumps(args, ensure_ascii=False)
        messages += [
            {"role": "assistant", "content": "", "tool_calls": [
                {"type": "function", "function": {"name": name, "arguments": arguments}}]},
            {"role": "tool", "content": json.dumps(result, ensure_ascii=False)}]
