"""Third-party plugins for the isolation tests (tests/test_isolation.py), loaded in worker
processes by name (``VAANI_PLUGINS=tests.isolation_plugins:Segfaults``) or sent by value.

Each misbehaving one answers "ping" and misbehaves on "crash": it segfaults, calls
``os._exit(3)``, allocates without bound, or sleeps forever. :class:`Good` behaves, with
every hook, a tool, and a context it uses (``ctx.now``, ``ctx.notify``, ``ctx.abilities``).
This module imports nothing heavy: a worker imports it.
"""

from __future__ import annotations

import ctypes
import os
import time

from vaani.kit import Pending, Reply, Tool, hookimpl, plugin_options


class Misbehaving:
    name = "misbehaving"

    def misbehave(self) -> None:
        raise NotImplementedError

    @hookimpl
    def vaani_handle(self, utterance):
        if utterance.text == "crash":
            self.misbehave()
        if utterance.text == "ping":
            return Reply(f"pong from {self.name} in {os.getpid()}", data={"pid": os.getpid()})
        return None

    @hookimpl
    def vaani_tools(self):
        return [Tool(f"{self.name}_tool", f"what {self.name} does", {"what": "string"},
                     lambda arguments, language: {"what": arguments["what"]},
                     grounded=lambda arguments, utterance: True)]


class Segfaults(Misbehaving):
    name = "segfaults"

    def misbehave(self) -> None:
        ctypes.string_at(0)


class Exits(Misbehaving):
    name = "exits"

    def misbehave(self) -> None:
        os._exit(3)


class Hogs(Misbehaving):
    name = "hogs"

    def misbehave(self) -> None:
        hoard = []
        while True:
            hoard.append(bytearray(16 << 20))


class Sleeps(Misbehaving):
    name = "sleeps"

    def misbehave(self) -> None:
        while True:
            time.sleep(3600)


OPTIONS = plugin_options("good")


class Good:
    """Behaves: the same replies in process and in a worker."""

    def __init__(self) -> None:
        self.ctx = None
        self.seen: list[str] = []

    @hookimpl
    def vaani_configure(self, table):
        OPTIONS.check(table)

    @hookimpl
    def vaani_startup(self, ctx):
        self.ctx = ctx

    @hookimpl(tryfirst=True)
    def vaani_handle(self, utterance):
        if utterance.text.startswith("echo "):
            return Reply(utterance.text[5:].upper(), language=utterance.language,
                         data={"turn": utterance.turn, "n": [1, 2.5, None]})
        if utterance.text == "what time":
            return Reply(f"it is {self.ctx.now():.0f}")
        if utterance.text == "what can you do":
            return Reply(", ".join(self.ctx.abilities(utterance.language)))
        if utterance.text == "tell me later":
            self.ctx.notify("later is now", "en")
            return Reply("I will")
        if utterance.text == "fail":
            raise ValueError("asked to fail")
        if utterance.text == "events seen":
            return Reply(" ".join(self.seen))
        if utterance.text == "emit":
            from vaani.events import Notification

            self.ctx.emit(Notification(text="emitted", source="good", turn=utterance.turn))
            return Reply("done")
        return None

    @hookimpl
    def vaani_on_event(self, event):
        self.seen.append(event.kind)

    @hookimpl
    def vaani_preview(self, utterance):
        if utterance.text.startswith("echo ") or utterance.text == "what time":
            return self.vaani_handle(utterance)          # without side effects
        return None

    @hookimpl
    def vaani_tools(self):
        return [Tool("shout", "says a word loudly",
                     {"word": "string", "how": {"type": "string", "enum": ["loud", "louder"]},
                      "why": "string"},
                     lambda arguments, language: {"loud": arguments["word"].upper()},
                     grounded=lambda arguments, utterance: arguments["word"] in utterance,
                     say=lambda result, language: f"{result['loud']}!", composed=("why",))]

    @hookimpl
    def vaani_abilities(self, language):
        return ["shouting"] if language == "en" else ["चिल्लाना"]

    @hookimpl
    def vaani_pending(self):
        return [Pending("the good alarm", 1234.0)]


class Engines:
    """A plugin that provides an engine: engines run in VAANI's process, never in a worker."""

    @hookimpl
    def vaani_engines(self):
        from vaani.engines import EngineSpec

        return [EngineSpec("tts", "isolation-test", lambda ctx: object())]
