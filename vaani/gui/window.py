"""The main window: the conversation as it happens, a text box, push-to-talk, stop, mute, the
state and the microphone level, errors with their fix, and the side panels (timers and
alarms, plugin health, settings, models).

Everything here runs on the GUI thread and nothing here waits: commands go to the backend
as futures whose results come back through :class:`~vaani.gui.qt.Invoker`, and so do events.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QFont, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QLineEdit, QMainWindow,
                               QProgressBar, QPushButton, QScrollArea, QSizePolicy, QSplitter,
                               QTabWidget, QToolButton, QVBoxLayout, QWidget)

from vaani import protocol
from vaani.errors import VaaniError
from vaani.events import Event
from vaani.gui import model
from vaani.gui.backend import Backend, result_error
from vaani.gui.qt import STATE_COLOURS, STATE_WORDS, Invoker, as_vaani_error, in_worker, state_icon
from vaani.stages.wake import wake_phrase

STATUS_EVERY_MS = 1000
HOLD_S = 0.4            # pressed longer than this, push-to-talk ends on release (else a click)
PTT_SHORTCUT = "Ctrl+Space"
TIMELINE_COLOURS = {"endpoint": "#a78bfa", "ASR": "#60a5fa", "skills": "#34d399",
                    "LLM": "#fbbf24", "speech": "#f87171"}


# -- pieces of the conversation -------------------------------------------------------------

class TimelineBar(QWidget):
    """A turn's stages on one time axis (see :func:`vaani.gui.model.timeline`), with the
    first audio marked: where the wait went, at a glance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline = model.Timeline((), None)
        self.setMinimumHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_timeline(self, timeline: model.Timeline) -> None:
        self.timeline = timeline
        self.setToolTip(timeline.summary())
        self.update()

    def paintEvent(self, event: Any) -> None:
        span = self.timeline.end_ms
        if span <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width() - 2, self.height() - 2
        for seg in self.timeline.segments:
            x = 1 + w * seg.start_ms / span
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(TIMELINE_COLOURS.get(seg.label, "#9ca3af")))
            painter.drawRoundedRect(QRectF(x, 1, max(2.0, w * seg.ms / span), h), 3, 3)
        if self.timeline.first_audio_ms is not None:
            x = 1 + w * self.timeline.first_audio_ms / span
            painter.setPen(QColor("#111827"))
            painter.drawLine(int(x), 0, int(x), h + 2)
        painter.end()


class TurnCard(QFrame):
    """One turn: what was heard (or typed), the reply, who answered, the timeline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("turn")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(3)
        self.header = QLabel()
        self.header.setStyleSheet("color: #6b7280; font-size: 11px")
        self.heard = self._text()
        self.reply = self._text()
        self.source = QLabel()
        self.source.setStyleSheet("color: #4f46e5; font-size: 11px")
        self.timeline = TimelineBar()
        self.timing = QLabel()
        self.timing.setStyleSheet("color: #6b7280; font-size: 11px")
        self.errors = self._text()
        self.errors.setStyleSheet("color: #b91c1c")
        self.view = model.TurnView(0)
        for w in (self.header, self.heard, self.reply, self.source, self.timeline, self.timing,
                  self.errors):
            layout.addWidget(w)

    @staticmethod
    def _text() -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def show_turn(self, view: model.TurnView, llm_model: str = "") -> None:
        self.view = view
        how = model.TRIGGERS.get(view.trigger, view.trigger)
        lang = {"hi": "हिंदी", "en": "English"}.get(view.language, view.language)
        self.header.setText(" · ".join(p for p in (f"turn {view.turn}", how, lang) if p))
        heard = view.heard
        if view.rejected:
            heard = f"{heard}  (not used: {view.rejected})" if heard else f"({view.rejected})"
        self.heard.setText(f"<b>You:</b> {_html(heard)}" if heard else
                           ("<i>listening…</i>" if not view.outcome else ""))
        self.heard.setVisible(bool(self.heard.text()))
        self.reply.setText(f"<b>VAANI:</b> {_html(view.reply.strip())}" if view.reply else "")
        self.reply.setVisible(bool(view.reply))
        outcome = model.OUTCOMES.get(view.outcome, view.outcome)
        source = f"answered by {model.source_label(view.source, llm_model)}" if view.source else ""
        self.source.setText(" · ".join(p for p in (source, outcome) if p))
        self.source.setVisible(bool(self.source.text()))
        line = model.timeline(view.timings)
        self.timeline.set_timeline(line)
        self.timeline.setVisible(bool(line.segments))
        self.timing.setText(line.summary())
        self.timing.setVisible(bool(line.segments))
        self.errors.setText("<br>".join(_html(e) for e in view.errors))
        self.errors.setVisible(bool(view.errors))


class ConversationView(QScrollArea):
    """The turns, newest at the bottom, kept in view as they grow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        inner = QWidget()
        self.column = QVBoxLayout(inner)
        self.column.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.column.setSpacing(6)
        self.setWidget(inner)
        self.cards: dict[int, TurnCard] = {}           # by TurnView.key
        self.notes: list[QLabel] = []
        self.limit = 200                  # turns kept on screen (the model keeps as many)
        self.empty = QLabel("Ask something: type below, or hold the talk button "
                            f"({PTT_SHORTCUT}).\nकुछ पूछिए: नीचे लिखिए, या बोलने का बटन दबाइए।")
        self.empty.setStyleSheet("color: #6b7280")
        self.column.addWidget(self.empty)
        self.verticalScrollBar().rangeChanged.connect(
            lambda lo, hi: self.verticalScrollBar().setValue(hi))

    def show_item(self, item: model.TurnView | model.NoteView, llm_model: str = "") -> None:
        self.empty.hide()
        if isinstance(item, model.NoteView):
            note = QLabel(f"🔔 {_html(item.text)}  <span style='color:#6b7280'>"
                          f"({_html(item.source)})</span>")
            note.setWordWrap(True)
            note.setObjectName("note")
            self.notes.append(note)
            self.column.addWidget(note)
            while len(self.notes) > self.limit:
                self.notes.pop(0).deleteLater()
            return
        card = self.cards.get(item.key)
        if card is None:
            card = self.cards[item.key] = TurnCard()
            self.column.addWidget(card)
            while len(self.cards) > self.limit:          # a day-long session stays light
                self.cards.pop(min(self.cards)).deleteLater()
        card.show_turn(item, llm_model)

    def latest(self) -> TurnCard | None:
        return self.cards[max(self.cards)] if self.cards else None


class ErrorBanner(QFrame):
    """An error as VAANI states it everywhere: its title, what happened, and the fix."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("error")
        self.setStyleSheet("#error { background: #fef2f2; border: 1px solid #fca5a5; "
                           "border-radius: 6px }")
        layout = QHBoxLayout(self)
        text = QVBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; color: #991b1b")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (self.title, self.message, self.hint):
            text.addWidget(w)
        layout.addLayout(text, 1)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_error(self, title: str, message: str, hint: str = "") -> None:
        self.title.setText(title)
        self.message.setText(message)
        self.hint.setText(f"Fix: {hint}" if hint else "")
        self.hint.setVisible(bool(hint))
        self.show()


# -- the window -------------------------------------------------------------------------------

class MainWindow(QMainWindow):
    """VAANI's window. ``attach(backend)`` connects it (or ``start_backend(open)`` opens one
    on a worker thread); ``shutdown()`` closes the backend."""

    state_changed = Signal(str)
    error_shown = Signal(str, str, str)

    def __init__(self, *, config_path: Any = None, store: Callable[[], Any] | None = None,
                 close_to_tray: bool = False) -> None:
        super().__init__()
        self.backend: Backend | None = None
        self.invoker = Invoker(self)
        self.conversation = model.Conversation()
        self.config_path = config_path
        self.close_to_tray = close_to_tray
        self.state = "starting"
        self.why = ""
        self.status: dict[str, Any] = {}
        self.talking = False
        self._pressed_at = 0.0
        self._stop_on_release = False
        self._status_pending = False
        self._emitted = ""
        self.setWindowTitle("VAANI")
        self.setWindowIcon(state_icon())
        self.resize(1040, 660)
        self._build(store)
        self._shortcuts()
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_EVERY_MS)
        self.status_timer.timeout.connect(self.refresh_status)
        self._set_state("starting", "loading VAANI")

    # -- layout -----------------------------------------------------------------------------

    def _build(self, store: Callable[[], Any] | None) -> None:
        from vaani.gui.panels import ModelsPanel, PendingPanel, PluginsPanel, SettingsPanel

        root = QWidget()
        outer = QVBoxLayout(root)
        top = QHBoxLayout()
        self.state_label = QLabel()
        self.state_label.setObjectName("state")
        self.why_label = QLabel()
        self.why_label.setStyleSheet("color: #b91c1c")
        self.level = QProgressBar()
        self.level.setRange(0, 100)
        self.level.setTextVisible(False)
        self.level.setFixedWidth(140)
        self.level.setFixedHeight(10)
        self.level.setToolTip("microphone level")
        self.mute_button = QPushButton("Mute")
        self.mute_button.setCheckable(True)
        self.mute_button.setToolTip("Close the microphone: nothing is heard (Ctrl+M)")
        self.mute_button.toggled.connect(self.set_muted)
        self.mode_label = QLabel()
        self.mode_label.setStyleSheet("color: #6b7280")
        top.addWidget(self.state_label)
        top.addWidget(self.why_label, 1)
        top.addWidget(QLabel("mic"))
        top.addWidget(self.level)
        top.addWidget(self.mute_button)
        outer.addLayout(top)
        self.banner = ErrorBanner()
        outer.addWidget(self.banner)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        self.view = ConversationView()
        column.addWidget(self.view, 1)
        legend = " ".join(f"<span style='color:{c}'>■</span> {name}"
                          for name, c in TIMELINE_COLOURS.items())
        self.legend = QLabel(f"<span style='color:#6b7280; font-size:11px'>timeline, from the "
                             f"end of your speech: {legend} · ▏ first audio</span>")
        column.addWidget(self.legend)
        row = QHBoxLayout()
        self.text_box = QLineEdit()
        self.text_box.setPlaceholderText("Type a question… / सवाल लिखिए…")
        self.text_box.returnPressed.connect(self.send_text)
        self.send_button = QPushButton("Ask")
        self.send_button.clicked.connect(self.send_text)
        self.ptt_button = QPushButton(f"Hold to talk ({PTT_SHORTCUT})")
        self.ptt_button.setToolTip("Hold while you speak, or click to start and click again "
                                   "to finish")
        self.ptt_button.pressed.connect(self._ptt_pressed)
        self.ptt_button.released.connect(self._ptt_released)
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.setToolTip("Stop the reply or the turn under way (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        for w, stretch in ((self.text_box, 1), (self.send_button, 0), (self.ptt_button, 0),
                           (self.cancel_button, 0)):
            row.addWidget(w, stretch)
        column.addLayout(row)

        self.tabs = QTabWidget()
        self.pending_panel = PendingPanel(self)
        self.plugins_panel = PluginsPanel(self)
        self.settings_panel = SettingsPanel(self)
        self.models_panel = ModelsPanel(self, store)
        self.tabs.addTab(self.pending_panel, "Timers")
        self.tabs.addTab(self.plugins_panel, "Plugins")
        self.tabs.addTab(self.settings_panel, "Settings")
        self.tabs.addTab(self.models_panel, "Models")
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addWidget(split, 1)
        outer.addWidget(self.mode_label)
        self.setCentralWidget(root)

    def _shortcuts(self) -> None:
        everywhere = Qt.ShortcutContext.ApplicationShortcut
        QShortcut(QKeySequence(PTT_SHORTCUT), self, self.toggle_talk, everywhere)
        QShortcut(QKeySequence("Esc"), self, self.cancel, everywhere)
        QShortcut(QKeySequence("Ctrl+M"), self, self.mute_button.toggle, everywhere)

    # -- the backend --------------------------------------------------------------------------

    def start_backend(self, open_backend: Callable[[], Backend]) -> None:
        """Open a backend on a worker thread (loading models can take seconds) and attach."""
        def done(backend: Backend | None, error: BaseException | None) -> None:
            if error is not None:
                self._set_state("stopped", "VAANI could not start")
                self.show_error(as_vaani_error(error))
            elif backend is not None:
                self.attach(backend)

        in_worker(open_backend, done, self.invoker, name="vaani-gui-start")

    def attach(self, backend: Backend) -> None:
        self.backend = backend
        backend.subscribe(lambda event: self.invoker.call(lambda: self.on_event(event)))
        self.mode_label.setText(backend.describe())
        for note in backend.notes:
            self.banner.show_error("Note", note)
        self._set_state("idle", "")
        self.status_timer.start()
        self.refresh_status()
        self.settings_panel.load()

    def submit(self, command: protocol.Command,
               on_result: Callable[[protocol.Result], None] | None = None) -> None:
        """Send a command; its Result is handled on the GUI thread (a failure is shown)."""
        if self.backend is None:
            self.show_error(VaaniError("VAANI is still starting", hint="wait a moment"))
            return

        def handle(result: protocol.Result) -> None:
            error = result_error(result)
            if error is not None and command.name != "GetStatus":
                self.show_error(error)
            if on_result is not None:
                on_result(result)

        future = self.backend.submit(command)
        future.add_done_callback(lambda f: self.invoker.call(lambda: handle(f.result())))

    def shutdown(self) -> None:
        self.status_timer.stop()
        backend, self.backend = self.backend, None
        if backend is not None:
            backend.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.close_to_tray:
            event.ignore()
            self.hide()
            return
        super().closeEvent(event)

    # -- actions ----------------------------------------------------------------------------

    def send_text(self) -> None:
        text = self.text_box.text().strip()
        if not text:
            return
        self.text_box.clear()
        self.submit(protocol.Ask(text=text))

    def _ptt_pressed(self) -> None:
        self._pressed_at = time.monotonic()
        self._stop_on_release = False
        if self.talking:
            self.stop_talking()                # the second click of click-to-talk
        else:
            self.start_talking()
            self._stop_on_release = True

    def _ptt_released(self) -> None:
        held = time.monotonic() - self._pressed_at
        if self._stop_on_release and self.talking and held >= HOLD_S:
            self.stop_talking()                # held down while speaking

    def toggle_talk(self) -> None:
        if self.talking:
            self.stop_talking()
        else:
            self.start_talking()

    def start_talking(self) -> None:
        if not self.ptt_button.isEnabled():
            return
        self.talking = True
        self._show_talking()

        def started(result: protocol.Result) -> None:
            if not result.ok:
                self.talking = False
                self._show_talking()

        self.submit(protocol.PushToTalk(pressed=True), started)

    def stop_talking(self) -> None:
        if not self.talking:
            return
        self.talking = False
        self._show_talking()
        self.submit(protocol.PushToTalk(pressed=False))

    def cancel(self) -> None:
        self.talking = False
        self._show_talking()
        self.submit(protocol.Cancel())

    def set_muted(self, muted: bool) -> None:
        if self.backend is None or muted == (self.state == "muted"):
            return

        def done(result: protocol.Result) -> None:
            if not result.ok:                  # the button goes back to what is true
                self._set_state(self.state, self.why)

        self.submit(protocol.SetMuted(muted=muted), done)

    def show_error(self, error: VaaniError) -> None:
        self.banner.show_error(error.title, error.message, error.hint or "")
        self.error_shown.emit(error.title, error.message, error.hint or "")

    # -- what comes back ----------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """One event, on the GUI thread."""
        kind = event.kind
        e: Any = event
        if kind == "StateChanged":
            self._set_state(e.state, e.why)
        elif kind == "MicLevel":
            self.level.setValue(round(100 * model.level_fraction(e.rms)))
        elif kind == "Error":
            self.banner.show_error(e.title, e.message, e.hint)
            self.error_shown.emit(e.title, e.message, e.hint)
        elif kind == "TurnFinished" and self.talking:
            self.talking = False
            self._show_talking()
        if kind in ("TurnFinished", "Notification"):
            self.refresh_status()              # a timer set or rung: the panel follows
        changed = self.conversation.apply(event)
        if changed is not None:
            self.view.show_item(changed, self.status.get("models", {}).get("llm", ""))

    def refresh_status(self) -> None:
        if self.backend is None or self._status_pending:
            return
        self._status_pending = True

        def got(result: protocol.Result) -> None:
            self._status_pending = False
            if result.ok:
                self.apply_status(result.data)

        self.submit(protocol.GetStatus(), got)

    def apply_status(self, status: dict[str, Any]) -> None:
        first = not self.status
        self.status = status
        if first:                              # later, StateChanged events keep it
            self._set_state(status.get("state", "idle"), status.get("why", ""))
        else:
            self._set_state(self.state, self.why)     # "Ready" or "wake word" may change
        self.pending_panel.show_pending(status.get("pending") or [])
        self.plugins_panel.show_plugins(status.get("plugins") or [])
        self._enable()

    def _set_state(self, state: str, why: str = "") -> None:
        self.state, self.why = state, why
        colour = STATE_COLOURS.get(state, "#9ca3af")
        words = STATE_WORDS.get(state, state)
        if state == "idle" and not (self.status.get("wake_word") and self.status.get("audio")):
            words = "Ready"                    # nothing waits for a wake word
        elif state == "idle" and (self.status.get("models") or {}).get("wake"):
            words = f'Say "{wake_phrase(self.status["models"]["wake"])}"'   # which words work
        self.state_label.setText(f"● {words}")
        self.state_label.setStyleSheet(f"color: {colour}; font-weight: bold")
        self.why_label.setText(why)
        self.mute_button.blockSignals(True)
        self.mute_button.setChecked(state == "muted")
        self.mute_button.setText("Unmute" if state == "muted" else "Mute")
        self.mute_button.blockSignals(False)
        if state in ("muted", "no_microphone", "stopped"):
            self.level.setValue(0)
            if self.talking:
                self.talking = False
                self._show_talking()
        self._enable()
        if state != self._emitted:
            self._emitted = state
            self.state_changed.emit(state)

    def _enable(self) -> None:
        ready = self.backend is not None and self.state not in ("stopped", "starting")
        audio = bool(self.status.get("audio", True))
        self.ptt_button.setEnabled(ready and audio and self.state not in ("muted",
                                                                           "no_microphone"))
        self.ptt_button.setToolTip(
            "this VAANI runs without a microphone (--no-audio)" if not audio else
            "the microphone is muted" if self.state == "muted" else
            f"no microphone: {self.why}" if self.state == "no_microphone" else
            "Hold while you speak, or click to start and click again to finish")
        self.mute_button.setEnabled(ready and audio)
        for w in (self.text_box, self.send_button, self.cancel_button):
            w.setEnabled(ready)

    def _show_talking(self) -> None:
        self.ptt_button.setText("Listening… release or click to send" if self.talking
                                else f"Hold to talk ({PTT_SHORTCUT})")
        font = QFont(self.ptt_button.font())
        font.setBold(self.talking)
        self.ptt_button.setFont(font)


def _html(text: str) -> str:
    from html import escape

    return escape(text).replace("\n", "<br>")
