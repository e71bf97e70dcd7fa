"""The plugin interface: every hook VAANI calls, in one place.

A plugin is a module or object with functions marked ``@vaani.hookimpl`` whose names are
hook names below. Register it under the ``vaani`` entry-point group::

    [project.entry-points.vaani]
    weather = "vaani_weather"

Built-in plugins (``plugins/vaani_*``) are registered the same way. Rules:

* No hook is called at import time; the host loads plugins, calls ``vaani_configure``
  once, then ``vaani_startup`` once, and ``vaani_shutdown`` at exit.
* ``vaani_handle`` is first-result: the first plugin that returns a :class:`Reply` answers the
  turn and no other plugin (nor the LLM) does. Each call has a deadline
  (``plugins.timeout_ms``); a plugin that raises or runs late produces an ``Error`` event,
  the turn goes on to the next plugin, and a plugin that fails ``plugins.max_failures``
  times in a row is disabled.
* Hooks run in worker threads (a bounded pool; a plugin whose earlier calls are all still
  running past their deadlines is skipped): keep them quick and thread-safe.
* A third-party plugin runs in a worker process of its own (``[plugins.NAME] isolate``):
  what it returns must pickle as builtin types or these classes; a crash, a hang past the
  deadline or too much memory restarts the worker, not VAANI (docs/plugins.md, Isolation).
* An implementation may declare any subset of its hook's arguments, in any order
  (``def vaani_configure(table)``), as with pluggy; hook wrappers are not called.

docs/plugins.md is the author's guide: hooks, order, deadlines, tools, testing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from vaani.config import Config
    from vaani.engines import EngineSpec
    from vaani.events import Event

PROJECT = "vaani"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class Utterance:
    """What the user said, as the plugins see it."""

    text: str
    language: str           # "hi" or "en": resolved for this utterance
    turn: int = 0


@dataclass(frozen=True)
class Reply:
    """A plugin's answer: spoken (and shown) in ``language`` (default: the utterance's)."""

    text: str
    language: str = ""
    data: dict[str, Any] = field(default_factory=dict)   # structured result for GUIs/tests


@dataclass(frozen=True)
class Tool:
    """A function the LLM may call when no plugin answered the utterance itself.

    Chimera writes ``<|tool_call|>{"name": NAME, "arguments": {...}}``; the runtime calls
    ``call(arguments, language)`` (under the plugin deadline) and gives the model the JSON it
    returns, from which the model words the spoken answer. ``parameters`` maps argument
    names to JSON types (``"string"``, ``"integer"``, ``"number"``, ``"boolean"``) or to a
    JSON schema of the argument (``{"type": "string", "enum": ["up", "down"]}``). Return
    ``{"error": "..."}`` for a call you cannot serve; raising is reported as a plugin error.

    The model writes a call inside this schema (:mod:`vaani.llm.calls`): an offered tool's
    name, its arguments only, values of their types, an ``enum``'s values, and strings
    copied from the user's words, except the ``composed`` arguments, which the model writes
    itself (the calculator's expression from "पच्चीस गुणा चार").
    """

    name: str
    description: str
    parameters: dict[str, Any]
    call: Callable[[dict[str, Any], str], dict[str, Any]]
    # A tool that acts (sets a timer, sends a message) runs only when ``grounded(arguments,
    # utterance)`` confirms the user asked for exactly this: small models invent calls
    # ("a fun fact about the moon" -> a 105 s timer). Without ``grounded`` it never runs.
    acts: bool = False
    grounded: Callable[[dict[str, Any], str], bool] | None = None
    # Optional, for any tool: ``grounded`` also decides whether a tool that only reads (a
    # clock) fits the utterance ("the capital of India" -> a clock call is refused). A
    # tool without it is run only when every number and word of its arguments was said.
    # ``say(result, language)``: the tool's own sentence for a result. The model words
    # the answer; if its wording does not match the result (a number, time or day that is
    # not in it), VAANI speaks this instead (vaani/guard.py).
    say: Callable[[dict[str, Any], str], str] | None = None
    composed: tuple[str, ...] = ()

    def schema(self) -> dict[str, Any]:
        """The tool as an OpenAI function schema, as the model's chat template lists it."""
        return {"type": "function", "function": {
            "name": self.name, "description": self.description,
            "parameters": {"type": "object",
                           "properties": {k: dict(t) if isinstance(t, dict) else {"type": t}
                                          for k, t in self.parameters.items()}}}}


def _no_abilities(language: str) -> list[str]:
    return []


def _run_now(fn: Callable[[], Any]) -> None:
    fn()


@dataclass
class PluginContext:
    """What plugins get at start-up: config, a way to speak later, a clock, and what the
    assistant can do."""

    config: Config
    table: dict[str, Any]                         # this plugin's [plugins.<name>] table
    notify: Callable[[str, str], None]            # notify(text, language): speak outside a turn
    emit: Callable[[Event], None]                 # emit any event on the bus
    now: Callable[[], float]                      # wall clock (time.time), replaceable in tests
    # abilities(language): every enabled plugin's vaani_abilities phrases, gathered by the
    # host when called (for a skill that answers "what can you do"); call it in a turn,
    # not at start-up, when other plugins may not be loaded yet
    abilities: Callable[[str], list[str]] = _no_abilities
    # warming(fn): run ``fn`` (slow loading: an index, a cache) on a thread of its own now,
    # so start-up does not wait for it; until it returns, calls into this plugin wait for
    # it (at most ``vaani.plugins.WARM_WAIT_S``) before their deadline starts, so a question
    # asked right after start-up is answered, not timed out. In an isolated worker it runs
    # before start-up returns.
    warming: Callable[[Callable[[], Any]], None] = _run_now


@dataclass(frozen=True)
class Pending:
    """A notification a plugin will give later by itself: a timer, an alarm, a reminder."""

    what: str               # for people, in English: "the 2 minute timer", "the 7:00 alarm"
    due: float              # when it is due, wall clock (``time.time()``)
    # saved (an alarm in its file): it still rings when VAANI runs then, after this process
    # exits; False: it lives in this process only (a timer) and is lost when it exits
    kept: bool = False


@hookspec
def vaani_engines() -> list[EngineSpec]:
    """Engines this plugin provides (wake, vad, end_of_turn, asr, llm, tts)."""


@hookspec
def vaani_configure(config: Config, table: dict[str, Any]) -> None:
    """Validate this plugin's own config table; raise ``ConfigError`` naming a bad key.

    ``table`` is the ``[plugins.<name>]`` table of the plugin being called (empty if absent).
    """


@hookspec
def vaani_startup(ctx: PluginContext) -> None:
    """The assistant is starting: keep ``ctx`` to speak later (timers)."""


@hookspec
def vaani_shutdown() -> None:
    """The assistant is stopping: stop threads, flush state."""


@hookspec
def vaani_pending() -> list[Pending]:
    """Optional: what this plugin will still say through ``ctx.notify``, one
    :class:`Pending` each (a running timer, a set alarm), including one being said right
    now until its ``notify`` call has returned.

    One-shot commands have no listening loop to speak later: ``vaani ask "set a timer for 2
    minutes"`` reads this, waits until each is given (printing and speaking it), and only
    then exits; ``--no-wait`` says instead that one-shot mode cannot give it (one in this
    process only) or that it was saved and rings when VAANI runs then (``kept``). A plugin
    that notifies later without implementing this loses its notifications when such a
    command exits."""


@hookspec(firstresult=True)
def vaani_handle(utterance: Utterance) -> Reply | None:
    """Answer the utterance, or return None to let other plugins and then the LLM try."""


@hookspec(firstresult=True)
def vaani_preview(utterance: Utterance) -> Reply | None:
    """Optional: the reply ``vaani_handle`` would give, computed WITHOUT side effects.

    Called while the user may still resume speaking (during the end-of-turn pause), so that
    VAANI can synthesise the reply's first clause ahead of time. The audio is used only if
    ``vaani_handle`` then returns exactly the same text; otherwise it is dropped. Implement it
    only for answers that are pure functions of the utterance (a clock, a calculator), never
    for ones that act (a timer).
    """


@hookspec
def vaani_tools() -> list[Tool]:
    """Functions the LLM may call (see :class:`Tool`); names are unique across plugins."""


@hookspec
def vaani_abilities(language: str) -> list[str]:
    """Optional: what this plugin lets VAANI do, as short noun phrases in ``language``
    ("the time and date" / "समय और तारीख़"). When VAANI cannot answer something it says
    so and lists these, so the user learns what to ask instead."""


@hookspec
def vaani_on_event(event: Event) -> None:
    """Observe every event on the bus, in order, on the pipeline's observer thread (not the
    emitting one); an observer far behind loses audio events, so keep it short."""
