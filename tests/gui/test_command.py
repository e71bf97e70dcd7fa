"""``vaani gui`` as a real process: it attaches to a running daemon (a real one, on fake
engines), is counted among its clients, and closes cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.gui.conftest import until
from tests.test_cli import to_toml
from vaani.testing import fake_config

pytest.importorskip("PySide6", reason="the gui extra (PySide6) is not installed")

pytestmark = pytest.mark.gui


def test_vaani_gui_attaches_to_the_daemon_and_quits_on_sigterm(tmp_path):
    from vaani.client import Client

    spec = tmp_path / "fake.json"
    spec.write_text(json.dumps({"answers": {"what time": "It is ten o'clock."}}))
    config = tmp_path / "config.toml"
    config.write_text(to_toml(fake_config()))
    with tempfile.TemporaryDirectory(prefix="vg-", dir="/tmp") as run:
        env = dict(os.environ, VAANI_PLUGINS="vaani.testing:from_env",
                   VAANI_FAKE_SCRIPT=str(spec), XDG_RUNTIME_DIR=run,
                   VAANI_DATA_DIR=str(tmp_path / "data"))
        sock = Path(run) / "vaani" / "vaani.sock"
        daemon = subprocess.Popen([sys.executable, "-m", "vaani", "-c", str(config), "daemon",
                                   "--no-audio"], env=env, stderr=subprocess.PIPE, text=True)
        gui = None
        try:
            assert until(lambda: sock.exists() or daemon.poll() is not None, timeout=60)
            gui = subprocess.Popen([sys.executable, "-m", "vaani", "-c", str(config), "gui",
                                    "--daemon-only"], env=env, stderr=subprocess.PIPE,
                                   text=True)

            def clients() -> int:
                with Client(sock) as c:
                    return int(c.request(_status()).data["clients"])

            assert until(lambda: gui.poll() is not None or clients() == 2, timeout=60), \
                gui.stderr.read() if gui.poll() is not None else "not attached"
            gui.send_signal(signal.SIGTERM)
            assert gui.wait(20) == 0, gui.stderr.read()
            assert until(lambda: clients() == 1, timeout=10)
        finally:
            for proc in (gui, daemon):
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.wait(10)


def _status():
    from vaani.protocol import GetStatus

    return GetStatus()
