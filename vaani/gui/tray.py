"""The tray icon: VAANI's state at a glance (a coloured dot: listening, thinking, speaking,
muted), and the few things one does without opening the window: talk, mute, show, quit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from vaani.gui.qt import STATE_WORDS, state_icon

if TYPE_CHECKING:
    from vaani.gui.window import MainWindow


class Tray(QSystemTrayIcon):
    """Follows the window's state; its menu drives the same actions as the window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(state_icon("starting"), window)
        self.window = window
        self.state = ""
        menu = QMenu()
        self.show_action = QAction("Show VAANI", menu)
        self.show_action.triggered.connect(self.show_window)
        self.talk_action = QAction("Push to talk", menu)
        self.talk_action.triggered.connect(window.toggle_talk)
        self.mute_action = QAction("Mute", menu)
        self.mute_action.setCheckable(True)
        self.mute_action.triggered.connect(window.set_muted)
        quit_action = QAction("Quit", menu)
        quit_action.triggered.connect(QApplication.quit)
        for action in (self.show_action, self.talk_action, self.mute_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(quit_action)
        self.menu = menu                       # kept: the tray does not own its menu
        self.setContextMenu(menu)
        self.activated.connect(self._activated)
        window.state_changed.connect(self.set_state)
        window.error_shown.connect(self._error)
        self.set_state(window.state)

    def set_state(self, state: str) -> None:
        self.state = state
        self.setIcon(state_icon(state))
        self.setToolTip(f"VAANI: {STATE_WORDS.get(state, state).lower()}")
        self.mute_action.blockSignals(True)
        self.mute_action.setChecked(state == "muted")
        self.mute_action.blockSignals(False)
        self.talk_action.setEnabled(self.window.ptt_button.isEnabled())

    def show_window(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            if self.window.isVisible():
                self.window.hide()
            else:
                self.show_window()

    def _error(self, title: str, message: str, hint: str) -> None:
        """An error while the window is hidden still reaches the user."""
        if not self.window.isVisible() and self.isVisible() and self.supportsMessages():
            self.showMessage(title, f"{message}\n{hint}".strip(),
                             QSystemTrayIcon.MessageIcon.Warning)
