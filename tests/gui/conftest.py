"""The desktop app's tests: the real window (pytest-qt) on a real X server (Xvfb, started by
pytest-xvfb), driven the way a user drives it, in front of a real Session on fake engines
(or a real daemon on a socket). The test modules skip themselves when the ``gui`` extra or
pytest-qt is not installed; this file imports no Qt at module level.

Screenshots go to ``$VAANI_SCREENSHOTS`` when it is set (``VAANI_SCREENSHOTS=docs/screenshots
pytest tests/gui`` refreshes the README's), else to the test's tmp folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_session import until  # noqa: F401  (the gui tests import it from here)

if not any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
    # no Xvfb here (pytest-xvfb found none): Qt's offscreen platform draws the same widgets
    # and fonts; without a platform Qt would abort the whole test run
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

import vaani_calculator  # noqa: E402
import vaani_clock  # noqa: E402
import vaani_timer  # noqa: E402

from vaani import config as config_mod  # noqa: E402
from vaani.assistant import Assistant  # noqa: E402
from vaani.audio import MemorySink  # noqa: E402
from vaani.session import Session  # noqa: E402
from vaani.testing import (FakeAsr, FakeEngines, FakeLlm, FakeTts, FakeVad, FakeWake,  # noqa: E402
                           Script, ScriptedSkill, fake_config)

QUESTION = Script().silence(0.3).say("what time is it", 0.9).silence(0.6)
LONG = " ".join(f"{n}." for n in range(1, 41))           # about 12 s when spoken in real time
ANSWERS = {"count to forty": LONG, "say hello": "Hello!"}
LLM_REPLY = "मैं वाणी हूँ, आपकी ऑफ़लाइन सहायक।"


def make_assistant(config: Any, *, sink: Any = None, extra: tuple[Any, ...] = ()) -> Assistant:
    """Fake engines, the real clock, calculator and timer skills, a scripted skill."""
    engines = FakeEngines(vad=FakeVad(), wake=FakeWake(), asr=FakeAsr(QUESTION.vocabulary),
                          llm=FakeLlm(LLM_REPLY), tts=FakeTts())
    plugins = [("fakes", engines), ("clock", vaani_clock), ("calculator", vaani_calculator),
               ("timer", vaani_timer), ("scripted", ScriptedSkill(ANSWERS)), *extra]
    return Assistant(config, extra_plugins=plugins, entry_points=False, models=object(),
                     trace=False, sink=sink if sink is not None else MemorySink())




@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VAANI_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def sessions(data_dir: Path) -> Iterator[Any]:
    """``sessions(mic=..., wake=..., path=..., sink=..., extra=...)`` -> a started Session
    on fakes; every one is closed after the test."""
    made: list[Session] = []

    def make(*, mic: Any = None, source: Any = None, wake: bool = False, path: Any = None,
             sink: Any = None, extra: tuple[Any, ...] = ()) -> Session:
        if path is not None:
            config = config_mod.load(path)
        else:
            config = config_mod.from_dict(fake_config(assistant={"require_wake_word": wake}))
        opener = source if source is not None else (lambda: mic) if mic is not None else None
        s = Session(config, lambda c: make_assistant(c, sink=sink, extra=extra), source=opener,
                    config_path=path)
        made.append(s.start())
        return s

    yield make
    for s in made:
        s.close()


@pytest.fixture
def gui(qtbot: Any, sessions: Any, tmp_path: Path) -> Any:
    """``gui(session_or_backend)`` -> (window, tray), attached and showing, closed after."""
    from vaani.gui.app import application
    from vaani.gui.backend import Backend, SessionBackend
    from vaani.gui.tray import Tray
    from vaani.gui.window import MainWindow

    application()
    opened: list[Any] = []

    def make(target: Any = None, *, config_path: Any = None) -> tuple[Any, Any]:
        window = MainWindow(config_path=config_path or tmp_path / "config.toml")
        qtbot.addWidget(window)
        tray = Tray(window)
        window.show()
        if target is not None:
            backend = target if isinstance(target, Backend) else SessionBackend(
                target, config_path=config_path)
            window.attach(backend)
            qtbot.waitUntil(lambda: bool(window.status), timeout=10000)
        opened.append(window)
        return window, tray

    yield make
    for window in opened:
        window.shutdown()
