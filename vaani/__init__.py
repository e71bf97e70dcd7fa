"""VAANI: a Hindi-first voice assistant that runs fully offline.

The public facade, for front ends (the daemon, the desktop app, scripts) that drive VAANI
without reaching into its internals::

    import vaani

    config = vaani.load_config()
    with vaani.Session(config, vaani.assistant_factory()) as session:
        result = session.request(vaani.Ask(text="अभी क्या समय हुआ है"))
        print(result.data["reply"])

or, with a daemon running, ``vaani.Client().request(vaani.Ask(text=...))``. Names are
imported on first use, so ``import vaani`` stays cheap (the CLI imports it for its version).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Session": "vaani.session", "State": "vaani.session", "Subscription": "vaani.session",
    "Assistant": "vaani.assistant",
    "Client": "vaani.client",
    "Ask": "vaani.protocol", "Say": "vaani.protocol", "PushToTalk": "vaani.protocol",
    "Cancel": "vaani.protocol", "SetMuted": "vaani.protocol", "SetLanguage": "vaani.protocol",
    "ReloadConfig": "vaani.protocol", "GetStatus": "vaani.protocol", "Result": "vaani.protocol",
    "Config": "vaani.config", "VaaniError": "vaani.errors",
}

__all__ = [*_EXPORTS, "load_config", "assistant_factory", "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vaani' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def load_config(path: str | None = None) -> Any:
    """The user's config (``~/.config/vaani/config.toml``), or the file at ``path``, checked."""
    from vaani import config as config_mod

    config = config_mod.load(path)
    config.validate()
    return config


def assistant_factory(**kwargs: Any) -> Any:
    """``make_assistant(config)`` for :class:`Session`: an :class:`Assistant` built with
    ``kwargs`` (``sink``, ``needs``, ``require_wake_word``, ...)."""
    from vaani.assistant import Assistant

    return lambda config: Assistant(config, **kwargs)
