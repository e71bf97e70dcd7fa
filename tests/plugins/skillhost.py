"""A real plugin host with chosen skills, for the skill tests (small talk, units)."""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from vaani import config as config_mod
from vaani.hookspecs import Utterance
from vaani.language import resolve_language
from vaani.plugins import Answer, PluginHost

SKILLS = ("calculator", "clock", "smalltalk", "timer", "units")


def host_of(skills: tuple[str, ...] = SKILLS, tables: dict[str, dict[str, Any]] | None = None,
            now: Callable[[], float] = time.time) -> PluginHost:
    """A PluginHost with only ``skills`` loaded from their entry points, configured and
    started (``now``: the plugins' wall clock)."""
    others = sorted(ep.name for ep in metadata.entry_points(group="vaani")
                    if ep.name not in skills)
    config = config_mod.from_dict({"plugins": {"disabled": others, **(tables or {})}})
    host = PluginHost(config)
    host.load()
    assert set(skills) <= set(host.plugin_names()), host.plugin_names()
    host.configure()
    host.startup(lambda text, language, plugin: None, now=now)
    return host


def ask(host: PluginHost, text: str, language: str | None = None) -> Answer | None:
    """The host's answer to ``text`` (its language resolved from the text if not given)."""
    language = language or resolve_language(text, ("hi", "en"), None)
    return host.handle(Utterance(text, language), timeout_ms=2000)
