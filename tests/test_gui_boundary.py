"""The core stays free of Qt: nothing under vaani/ outside vaani/gui/ imports PySide6 (read
from the source, so a lazy import inside a function is caught too), and importing the core,
the CLI with every command, and the desktop app's Qt-free modules loads no PySide6. Runs
without the gui extra installed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

VAANI = Path(__file__).resolve().parents[1] / "vaani"
QT = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6")


def qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(
                node.func, "id", "")) in ("import_module", "__import__") and node.args
              and isinstance(node.args[0], ast.Constant)):
            names = [str(node.args[0].value)]
        found += [f"{path.relative_to(VAANI.parent)}:{node.lineno} imports {n}"
                  for n in names if n.split(".")[0] in QT]
    return found


def test_no_module_outside_vaani_gui_imports_qt():
    gui = VAANI / "gui"
    offenders = [hit for path in sorted(VAANI.rglob("*.py")) if gui not in path.parents
                 for hit in qt_imports(path)]
    assert offenders == []


def test_the_scan_sees_a_lazy_import():
    assert qt_imports(VAANI / "gui" / "window.py")        # the window does import Qt


def test_importing_the_core_cli_and_the_qt_free_gui_modules_loads_no_qt():
    modules = ["vaani", "vaani.session", "vaani.daemon", "vaani.client", "vaani.protocol",
               "vaani.assistant", "vaani.pipeline", "vaani.plugins", "vaani.config",
               "vaani.models", "vaani.audio", "vaani.gui", "vaani.gui.backend",
               "vaani.gui.model", "vaani.gui.configfile", "vaani.commands.gui"]
    code = (f"import sys, importlib\nfor m in {modules!r}: importlib.import_module(m)\n"
            "from vaani.cli import build_parser\nbuild_parser()\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=VAANI.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_vaani_gui_without_a_display_says_so(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "vaani", "gui"], capture_output=True, text=True,
                         timeout=120, env=env, cwd=tmp_path)
    assert out.returncode == 2
    assert "Desktop app unavailable: no graphical session" in out.stderr
    assert "vaani daemon" in out.stderr
