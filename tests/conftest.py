"""Shared fixtures.

Tests that need the real offline models are marked ``models``. Locally, when a pack is not
installed, they are skipped with the command that installs it; in CI (``CI`` set) a
missing pack is a failure, so a broken install cannot pass silently.

Packs of the ``large`` group (the 1.6 GB Qwen2.5-Coder pair) are optional everywhere: neither
``make setup`` nor CI installs them, so tests that need them (:func:`large_model_file`) are
skipped when they are missing, in CI too, with the command that installs them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty VAANI data dir (no models, trace goes here)."""
    d = tmp_path / "vaani-data"
    d.mkdir()
    monkeypatch.setenv("VAANI_DATA_DIR", str(d))
    return d


def model_path(name: str) -> Path:
    """The installed pack ``name``; skip (locally) or fail (CI) when it is missing."""
    from vaani import config as config_mod

    try:
        from vaani.models import ModelStore
    except ImportError:
        _missing(f"vaani.models is not available (needed for {name})")
    from vaani.errors import ModelMissingError

    try:
        return ModelStore.from_config(config_mod.from_dict({})).path(name)
    except ModelMissingError as exc:
        _missing(str(exc))
    raise AssertionError("unreachable")


def large_model_file(name: str) -> Path:
    """The main file of the installed ``large``-group pack ``name``; skipped when it is not
    installed, in CI as well (CI never installs the large group)."""
    from vaani import config as config_mod
    from vaani.errors import ModelMissingError
    from vaani.models import ModelStore

    try:
        return ModelStore.from_config(config_mod.from_dict({})).file(name)
    except ModelMissingError as exc:
        pytest.skip(f"optional large pack not installed (CI and `make setup` never install "
                    f"it): {exc}; install with `vaani models install --group large`")
    raise AssertionError("unreachable")


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"model missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_models():
    """``require_models("whisper-base", "piper-en-joe")`` -> dict of paths, or skip."""
    def need(*names: str) -> dict[str, Path]:
        return {n: model_path(n) for n in names}
    return need
