"""Real engines on the real model packs, each loaded once per test session.

Engines are created the way the assistant creates them: through the plugin host, from the
``vaani`` entry points, with models resolved by the model store. A missing pack skips the
test locally and fails it in CI (see tests/conftest.py).
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from tests.conftest import model_path
from vaani import config as config_mod
from vaani.engines import EngineContext


@functools.lru_cache(maxsize=1)
def _host() -> Any:
    from vaani.plugins import PluginHost

    host = PluginHost(config_mod.from_dict({}))
    host.load()
    return host


def make_engine(kind: str, name: str, *, model: str = "", voice: str = "",
                options: dict[str, Any] | None = None, config: dict[str, Any] | None = None,
                packs: tuple[str, ...] = ()) -> Any:
    """A fresh engine through the plugin host (skips/fails when ``packs`` are missing)."""
    for pack in packs:
        model_path(pack)
    from vaani.models import ModelStore

    cfg = config_mod.from_dict(config or {})
    ctx = EngineContext(config=cfg, models=ModelStore.from_config(cfg),
                        options=dict(options or {}), model=model, voice=voice)
    return _host().create_engine(kind, name, ctx)


_cache: dict[tuple[str, str, str], Any] = {}


def shared_engine(kind: str, name: str, model: str = "", voice: str = "",
                  packs: tuple[str, ...] = ()) -> Any:
    """The default-configured engine, created once per session."""
    key = (kind, name, model or voice)
    if key not in _cache:
        _cache[key] = make_engine(kind, name, model=model, voice=voice, packs=packs)
    return _cache[key]


@functools.lru_cache(maxsize=None)
def say(text: str, language: str = "en", voice: str | None = None, lead_s: float = 0.5,
        tail_s: float = 1.0) -> Any:
    """A generated utterance (cached: several tests listen to the same sentence)."""
    from vaani.speech_fixtures import synthesize_utterance

    if voice is None or voice.startswith("piper"):
        model_path("piper-en-joe")
    return synthesize_utterance(text, language, voice, lead_s=lead_s, tail_s=tail_s)


@pytest.fixture(scope="session")
def asr() -> Any:
    return shared_engine("asr", "faster-whisper", "whisper-base",
                         packs=("whisper-base", "whisper-tiny-en"))


@pytest.fixture(scope="session")
def piper() -> Any:
    return shared_engine("tts", "piper", voice="piper-en-joe", packs=("piper-en-joe",))
