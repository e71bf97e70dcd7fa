"""The settings the desktop app edits, read from and written back to the config file.

Written with tomlkit, so the user's comments, key order and other tables stay as they were:
only the keys that changed are set. A change is checked by the same rules as any config
(:func:`vaani.config.from_dict`) before the file is touched, and the file is replaced
atomically, so a bad value or a crash never leaves a broken config behind.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from vaani import config as config_mod
from vaani.errors import ConfigError

# dotted key -> how the settings panel names it
SETTINGS = {
    "assistant.language": "language",
    "assistant.require_wake_word": "wake word required",
    "wake.model": "wake word",
    "llm.model": "model",
    "tts.voices.hi": "Hindi voice",
    "tts.voices.en": "English voice",
    "audio.input_device": "microphone",
    "audio.output_device": "speaker",
}


def settings_path(config_path: str | Path | None) -> Path:
    """The file the settings go to: the one VAANI was started with, else the user's."""
    return Path(config_path) if config_path else config_mod.default_path()


def values(config: config_mod.Config) -> dict[str, Any]:
    """The current value of every setting in :data:`SETTINGS`."""
    out: dict[str, Any] = {}
    for key in SETTINGS:
        node: Any = config
        for part in key.split("."):
            node = node.get(part, "") if isinstance(node, dict) else getattr(node, part)
        out[key] = node
    return out


def read(path: str | Path | None) -> dict[str, Any]:
    """The settings as the file (or the defaults, when it does not exist yet) has them."""
    target = settings_path(path)
    config = config_mod.load(target) if target.exists() else config_mod.from_dict({})
    return values(config)


def write(path: str | Path | None, changes: dict[str, Any]) -> Path:
    """Set ``changes`` (dotted key -> value) in the file, keeping everything else; create
    the file (and its folder) if needed. Raises :class:`ConfigError` for a value VAANI
    would refuse, before anything is written. Returns the path written."""
    import tomlkit

    unknown = [k for k in changes if k not in SETTINGS]
    if unknown:
        raise ConfigError(f"not a setting the app edits: {', '.join(unknown)}")
    target = settings_path(path)
    try:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {target}: {exc}") from None
    try:
        doc = tomlkit.parse(text)
    except Exception as exc:                          # tomlkit's ParseError and kin
        raise ConfigError(f"{target} is not valid TOML: {exc}",
                          hint="fix the file by hand, then save again") from None
    for key, value in changes.items():
        _set(doc, key.split("."), value)
    new_text = tomlkit.dumps(doc)
    config_mod.from_dict(tomllib.loads(new_text), source=str(target))    # refuses bad values
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(new_text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}",
                          hint="check that the folder is yours and writable") from None
    return target


def _set(doc: Any, parts: list[str], value: Any) -> None:
    import tomlkit

    node = doc
    for part in parts[:-1]:
        if part not in node:
            node[part] = tomlkit.table()
        node = node[part]
    node[parts[-1]] = value
