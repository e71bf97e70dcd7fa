"""Which model writes an LLM turn: ``[llm] route_english`` for English, ``[llm] model`` for the
rest (issue 12).

A turn reaches the LLM only when no skill answered it, and its language is resolved before
the model is asked (:class:`vaani.stages.LanguageResolver`: Devanagari and romanised Hindi
are ``hi``), so routing is one decision on that language: ``en`` goes to the English model
when one is loaded, everything else (Hindi, Hinglish) stays on the main model (Chimera).
The route names its model so that the guard applies that model's calibrated confidence
(:func:`vaani.guard.min_confidence`), and says whether its engine gives token scores and
takes tools, exactly as for the main model: a routed reply passes through the same checks.

Loading (:func:`english_engine`) never fails the assistant: a pack that is not installed,
or an engine that cannot be built, is one warning and the main model for every turn.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vaani.config import Config

log = logging.getLogger(__name__)

ROUTED_LANGUAGE = "en"


@dataclass(frozen=True)
class LlmRoute:
    """The engine for one turn, its model's name (for the guard) and what it can do."""

    engine: Any
    model: str
    scores: bool          # process() takes scores= (the guard reads token confidence)
    tools: bool           # process() takes tools= (the installed tools go in its prompt)
    routed: bool          # True: the English model, not the main one
    calls: bool = False   # process() takes tool_calls= and composed= (vaani.llm.calls)


def accepts(fn: Any, name: str) -> bool:
    """Does callable ``fn`` take keyword argument ``name``?"""
    if fn is None:
        return False
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _route(engine: Any, model: str, routed: bool) -> LlmRoute:
    process = getattr(engine, "process", None)
    return LlmRoute(engine, model, accepts(process, "scores"), accepts(process, "tools"), routed,
                    accepts(process, "tool_calls"))


class LlmRouter:
    """``process(language) -> LlmRoute``: the English model for ``en`` when there is one,
    else the main model. Pure: no loading, no I/O."""

    def __init__(self, main: Any, main_model: str, english: Any = None,
                 english_model: str = "") -> None:
        self.main = _route(main, main_model, False)
        self.english = _route(english, english_model, True) if english is not None else None

    def process(self, language: str) -> LlmRoute:
        if self.english is not None and language == ROUTED_LANGUAGE:
            return self.english
        return self.main

    def reset(self) -> None:
        pass


def english_config(config: Config) -> Config:
    """``config`` with ``[llm] model`` / ``draft_model`` set to the English route's, so that
    any LLM engine builds the routed model from the same options as the main one."""
    c = config.llm
    llm = dataclasses.replace(c, model=c.route_english, draft_model=c.route_english_draft)
    return dataclasses.replace(config, llm=llm)


def english_engine(config: Config, models: Any, create: Callable[[Config], Any]) -> Any:
    """The English route's engine (``create(english_config(config))``), or None: off, the
    same model as the main one, its pack (or its draft's) not installed, or the engine failed
    to build. Every None but "off" and "same model" is one warning naming the fix."""
    c = config.llm
    if not c.route_english or (c.route_english == c.model and not c.route_english_draft):
        return None
    missing = [name for name in (c.route_english, c.route_english_draft)
               if name and not _installed(models, name)]
    if missing:
        log.warning("llm.route_english: %s not installed, so every LLM turn stays on %s "
                    "(install with `vaani models install %s`)", " and ".join(missing),
                    c.model, " ".join(missing))
        return None
    try:
        return create(english_config(config))
    except Exception as exc:       # a routing extra must never stop the assistant
        log.warning("llm.route_english: cannot load %s (%s), so every LLM turn stays on %s",
                    c.route_english, exc, c.model)
        return None


def _installed(models: Any, name: str) -> bool:
    if models is None:
        return False
    try:
        models.file(name)
    except Exception:
        return False
    return True
