"""What the alignment stages train on, beside plain documents (:class:`generators.Doc`).

* SFT trains on :class:`~training.data.generators.Doc` chats, loss on the assistant's turns.
* DPO trains on :class:`Pair`: one conversation, a preferred and a dispreferred assistant
  turn (a faithful vs an unfaithful wording of a tool result, the right tool vs a spurious
  call, a decline vs an invented answer, the user's language vs the other).
* GRPO trains on :class:`Task`: a conversation whose next assistant turn can be checked by
  a program (``expect``, read by :mod:`training.rewards`), no reference answer needed.

All three are pure functions of the ``random.Random`` that made them, like every generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Pair:
    """A preference pair for DPO: ``messages`` then ``chosen`` is better than ``rejected``."""

    messages: list[dict[str, Any]]          # the conversation before the assistant's turn
    chosen: dict[str, Any]                  # an assistant message (content and/or tool_calls)
    rejected: dict[str, Any]
    tools: list[dict[str, Any]] | None
    lang: str                               # hi | en | hinglish
    kind: str                               # faithful | tool_choice | decline | language ...
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Task:
    """A prompt whose answer a program can check (GRPO's verifiable reward)."""

    messages: list[dict[str, Any]]          # the conversation before the assistant's turn
    tools: list[dict[str, Any]] | None
    lang: str
    kind: str                               # tool_call | no_tool | decline | word_result ...
    expect: dict[str, Any]                  # what training.rewards checks, e.g.
                                            # {"tool": "timer", "arguments": {"minutes": 5}}
    meta: dict[str, Any] = field(default_factory=dict)
