"""Qt helpers the window, panels and tray share: running a function on the GUI thread from
any thread, running a job on a worker thread, the icon in each state, the Devanagari check."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from vaani.errors import VaaniError

log = logging.getLogger(__name__)

# the state's colour: on the tray icon's dot and the window's state pill
STATE_COLOURS = {
    "idle": "#9ca3af", "listening": "#16a34a", "thinking": "#d97706", "speaking": "#2563eb",
    "muted": "#dc2626", "no_microphone": "#dc2626", "stopped": "#6b7280", "starting": "#9ca3af",
}
STATE_WORDS = {
    "idle": "Waiting for the wake word", "listening": "Listening", "thinking": "Thinking",
    "speaking": "Speaking", "muted": "Muted", "no_microphone": "No microphone",
    "stopped": "Stopped", "starting": "Starting",
}


class Invoker(QObject):
    """``call(fn)`` from any thread runs ``fn()`` on the thread this object lives on (the
    GUI thread): a queued signal, the one safe way into Qt from the session's threads."""

    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def call(self, fn: Callable[[], Any]) -> None:
        self._call.emit(fn)

    @Slot(object)
    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except Exception:                       # a GUI bug must not take the app down
            log.exception("GUI callback failed")


def in_worker(job: Callable[[], Any], done: Callable[[Any, BaseException | None], None],
              invoker: Invoker, name: str = "vaani-gui-worker") -> threading.Thread:
    """Run ``job()`` on a thread of its own; ``done(result, error)`` runs on the GUI thread."""

    def run() -> None:
        try:
            result = job()
        except BaseException as exc:            # reported, not raised into the void
            error = exc
            invoker.call(lambda: done(None, error))
            return
        invoker.call(lambda: done(result, None))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def as_vaani_error(exc: BaseException) -> VaaniError:
    """Any exception as a title, message and hint to show."""
    if isinstance(exc, VaaniError):
        return exc
    error = VaaniError(f"{type(exc).__name__}: {exc}")
    error.title = "Internal error"
    return error


# -- icons ------------------------------------------------------------------------------------

def _svg() -> bytes:
    from vaani.service import ICON_SVG       # the packaged icon's text, also in a wheel

    return ICON_SVG.encode("utf-8")


def icon_pixmap(size: int = 64, state: str = "") -> QPixmap:
    """VAANI's icon; with ``state``, a dot of the state's colour at the lower right."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(QByteArray(_svg())).render(painter, QRectF(0, 0, size, size))
    if state:
        d = size * 0.42
        painter.setPen(QColor("white"))
        painter.setBrush(QColor(STATE_COLOURS.get(state, "#9ca3af")))
        painter.drawEllipse(QRectF(size - d - 1, size - d - 1, d, d))
    painter.end()
    return pixmap


def state_icon(state: str = "") -> QIcon:
    icon = QIcon()
    for size in (16, 22, 32, 48, 64):
        icon.addPixmap(icon_pixmap(size, state))
    return icon


# -- fonts ------------------------------------------------------------------------------------

SAMPLE = "नमस्ते क्षत्रिय"        # a conjunct (क्ष, त्रि) that a font without shaping breaks


def devanagari_problem() -> VaaniError | None:
    """None when Hindi text can be drawn; otherwise what is missing and how to install it.
    Call after the QApplication exists."""
    families = QFontDatabase.families(QFontDatabase.WritingSystem.Devanagari)
    usable = [f for f in families if QFontMetrics(QFont(f)).inFontUcs4(ord("क"))]
    if usable:
        return None
    error = VaaniError("no Devanagari font is installed: Hindi text would show as empty "
                       "boxes", hint="sudo apt-get install fonts-lohit-deva (or fonts-noto-core)")
    error.title = "Hindi font missing"
    return error


def devanagari_families() -> list[str]:
    return list(QFontDatabase.families(QFontDatabase.WritingSystem.Devanagari))
