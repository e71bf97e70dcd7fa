"""``vaani gui``: the desktop app (the ``gui`` extra, PySide6). It attaches to the running
daemon, or runs VAANI in its own process when none answers. PySide6 is imported only when
the command runs, so ``vaani`` without the extra still works and says how to get it."""

from __future__ import annotations

import argparse
import os

from vaani.errors import VaaniError


class GuiError(VaaniError):
    title = "Desktop app unavailable"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="the desktop app: conversation, push-to-talk, timers, "
                                   "settings and models (needs the gui extra)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--daemon-only", action="store_true",
                     help="attach to the running daemon; fail if none is running")
    how.add_argument("--in-process", action="store_true",
                     help="run VAANI in this process even if a daemon is running")
    p.add_argument("--socket", help="the daemon's socket (default $XDG_RUNTIME_DIR/vaani/vaani.sock)")
    p.add_argument("--no-audio", action="store_true",
                   help="in-process: no microphone or speaker, typed questions only")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if not any(os.environ.get(k) for k in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        raise GuiError("no graphical session: DISPLAY and WAYLAND_DISPLAY are not set",
                       hint="run it from your desktop session; `vaani daemon` runs VAANI "
                            "without a window")
    import importlib.util

    if importlib.util.find_spec("PySide6") is None:      # looked up, not imported
        raise GuiError("PySide6 is not installed",
                       hint="pip install 'vaani[gui]' (or run scripts/setup.sh)")
    from vaani.gui.app import run

    mode = "daemon" if args.daemon_only else "in-process" if args.in_process else "auto"
    return run(mode=mode, socket=args.socket, config_path=getattr(args, "config", None),
               audio=not args.no_audio)
