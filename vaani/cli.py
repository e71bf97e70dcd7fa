"""The ``vaani`` command. Each subcommand lives in ``vaani/commands/<name>.py`` and exposes
``add_parser(subparsers)``; the parser it adds sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from vaani import __version__
from vaani.errors import VaaniError

COMMANDS = ("run", "ask", "listen", "demo", "devices", "models", "plugins", "plugin", "doctor",
            "bench", "serve", "daemon", "status", "say", "ptt", "service", "gui")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaani", description="VAANI, the offline Hindi-first voice assistant")
    parser.add_argument("--version", action="version", version=f"vaani {__version__}")
    parser.add_argument("-c", "--config", help="config file (TOML); default: the user config")
    parser.add_argument("-v", "--verbose", action="count", default=0)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"vaani.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"vaani.commands.{name}":
                continue  # command not built yet
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")   # no loader may reach a hub
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2),
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except VaaniError as exc:
        print(exc.user_text(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
