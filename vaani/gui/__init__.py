"""The desktop app (``vaani gui``): a window and a tray icon in front of a VAANI session.

The only part of VAANI that imports PySide6 (the ``gui`` extra); the rest of the package must
stay importable without it (tests/test_gui_boundary.py). The modules split along that line:

- Qt-free, importable and testable anywhere: :mod:`.backend` (what the window talks to: a
  running daemon through :class:`vaani.client.Connection`, or a :class:`vaani.session.Session`
  in this process), :mod:`.model` (the conversation folded from events, the latency
  timeline, pending timers' cancel phrases), :mod:`.configfile` (settings written back to
  the TOML file with its comments kept);
- Qt: :mod:`.qt` (thread hand-off, icons, the Devanagari font check), :mod:`.window`,
  :mod:`.panels`, :mod:`.tray`, :mod:`.app` (start-up).

The rule that shapes the Qt side: the GUI thread never waits on an engine, the daemon or a
disk-heavy job. Commands are submitted (futures), events arrive on the session's or the
connection's thread and are handed to the GUI thread through a queued signal, and model
installs, device lists and the in-process session's start run on worker threads.
"""
