"""Start the desktop app: the Qt application, the Devanagari check, the window and the tray,
and the backend (the running daemon, else a session in this process) opened on a worker
thread, so the window is up before the models have loaded."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from vaani.gui.backend import open_backend
from vaani.gui.qt import devanagari_problem, state_icon
from vaani.gui.tray import Tray
from vaani.gui.window import MainWindow


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("VAANI")
    app.setApplicationDisplayName("VAANI")
    app.setDesktopFileName("vaani")            # packaging/vaani.desktop: the same icon, Exec
    app.setWindowIcon(state_icon())
    return app


def build(*, mode: str = "auto", socket: str | Path | None = None,
          config_path: str | Path | None = None, audio: bool = True,
          **backend_kwargs: Any) -> tuple[MainWindow, Tray]:
    """The window and tray, with the backend opening on a worker thread."""
    tray_ok = QSystemTrayIcon.isSystemTrayAvailable()
    window = MainWindow(config_path=config_path, close_to_tray=tray_ok)
    tray = Tray(window)
    if tray_ok:
        tray.show()
    problem = devanagari_problem()
    if problem is not None:
        window.show_error(problem)
    window.start_backend(lambda: open_backend(mode, socket=socket, config_path=config_path,
                                              audio=audio, **backend_kwargs))
    return window, tray


def run(*, mode: str = "auto", socket: str | Path | None = None,
        config_path: str | Path | None = None, audio: bool = True) -> int:
    """``vaani gui``: run until the window (or the tray's Quit) closes the app."""
    from vaani.offline import block_network

    app = application()
    _quit_on_signals(app)
    with block_network():
        window, tray = build(mode=mode, socket=socket, config_path=config_path, audio=audio)
        window.show()
        app.setQuitOnLastWindowClosed(not window.close_to_tray)
        try:
            code = app.exec()
        finally:
            tray.hide()
            window.shutdown()
    return int(code)


def _quit_on_signals(app: QApplication) -> None:
    """Ctrl-C in the terminal and a service manager's SIGTERM close the app cleanly (the
    backend is closed, the daemon told goodbye): Python runs signal handlers only between
    bytecodes, so a timer wakes the interpreter while Qt's loop waits."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(200)
