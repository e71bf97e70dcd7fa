"""``vaani service``: VAANI's headless daemon as a systemd user service, started at login.

    vaani service install [--config PATH] [--http] [--desktop] [--enable] [--dry-run]
    vaani service uninstall [--dry-run]
    vaani service status

``install`` writes ~/.config/systemd/user/vaani.service running `vaani daemon` from this
install, with --config (else your config file, else the headless example written beside it),
then says the two systemctl commands that start it (--enable runs them). ``--user-dir DIR``
writes somewhere else instead and never calls systemctl (packaging, tests).
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from vaani import service
from vaani.service import UNIT_NAME, ServiceError

make_systemctl = service.Systemctl        # tests replace it: no test may reach a real manager
START = "systemctl --user daemon-reload && systemctl --user enable --now vaani"
RESTART = "systemctl --user daemon-reload && systemctl --user restart vaani"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("service", help="run VAANI as a systemd user service (install, "
                                       "uninstall, status)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ssub = p.add_subparsers(dest="service_command", metavar="ACTION")

    def user_dir(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--user-dir", metavar="DIR",
                            help="unit folder to use instead of ~/.config/systemd/user "
                                 "(systemctl is then never called)")

    i = ssub.add_parser("install", help="write the user unit (and say how to start it)")
    i.add_argument("--config", dest="service_config", metavar="PATH",
                   help="config the daemon runs with (default: your config file if there is "
                        "one, else headless.toml beside it, written from the example)")
    i.add_argument("--http", action="store_true",
                   help="let the daemon open IP sockets (its HTTP API on loopback)")
    i.add_argument("--desktop", action="store_true",
                   help="also install the desktop entry and icon for `vaani gui`")
    i.add_argument("--enable", action="store_true",
                   help="also run systemctl: reload, enable at login, (re)start now")
    i.add_argument("--dry-run", action="store_true", help="print the unit, write nothing")
    user_dir(i)
    i.set_defaults(func=_install)

    u = ssub.add_parser("uninstall", help="stop and disable the service, remove its files")
    u.add_argument("--dry-run", action="store_true", help="say what would go, change nothing")
    user_dir(u)
    u.set_defaults(func=_uninstall)

    s = ssub.add_parser("status", help="the unit's path, what it runs, whether it is running")
    user_dir(s)
    s.set_defaults(func=_status)

    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _unit_dir(args: argparse.Namespace) -> tuple[Path, bool]:
    """The unit folder, and whether it is the one the user manager reads (systemctl applies)."""
    if args.user_dir:
        return Path(args.user_dir).expanduser().absolute(), False
    return service.user_unit_dir(), True


def _install(args: argparse.Namespace) -> int:
    unit_dir, managed = _unit_dir(args)
    if args.enable and not managed:
        raise ServiceError("--enable needs the default unit folder: the user manager does not "
                           f"read {unit_dir}", hint="leave out --user-dir, or --enable")
    config = service.choose_config(args.service_config or args.config)
    command = service.entry_point()
    result = service.install(unit_dir, command, config, http=args.http, desktop=args.desktop,
                             dry_run=args.dry_run)
    if args.dry_run:
        print(result.text, end="")
        print()
        for path in result.written:
            print(f"would write {path}")
        if not result.written:
            print(f"{result.unit} is already this unit: nothing to write")
        return 0

    if result.action == "unchanged":
        print(f"{result.unit} is already up to date")
    elif result.action == "replaced":
        print(f"replaced {result.unit} (it differed; the old one is {result.backup})")
    else:
        print(f"wrote {result.unit}")
    print(f"  runs:    {shlex.join(service.exec_start(command, config.path))}")
    note = {"given": "", "user": " (your config file)",
            "headless": " (the headless example; after editing it: "
                        "systemctl --user reload vaani)"}
    print(f"  config:  {config.path}{note[config.origin]}")
    print("  network: " + ("loopback IP allowed (--http)" if args.http
                           else "none (local sockets only; --http allows the HTTP API)"))
    for path in result.written:
        if path != result.unit:
            print(f"  wrote   {path}")

    if args.enable:
        systemctl = make_systemctl()
        steps = [("daemon-reload",), ("enable", UNIT_NAME),
                 ("restart" if result.action == "replaced" else "start", UNIT_NAME)]
        for step in steps:
            systemctl(*step)
            print(f"ran: systemctl --user {' '.join(step)}")
        print("VAANI is running and starts at every login "
              "(journalctl --user -u vaani shows its log)")
        return 0
    print("\nto start it now and at every login:")
    print(f"  {START}")
    if result.action == "replaced":
        print(f"if it was running, to run the new unit:\n  {RESTART}")
    if not managed:
        print(f"(systemd reads user units from {service.user_unit_dir()}, not {unit_dir})")
    return 0


def _uninstall(args: argparse.Namespace) -> int:
    unit_dir, managed = _unit_dir(args)
    systemctl = make_systemctl() if managed else None
    unit = unit_dir / UNIT_NAME
    if systemctl is not None and systemctl.available and unit.exists():
        if args.dry_run:
            print(f"would run: systemctl --user disable --now {UNIT_NAME}")
        else:
            try:
                systemctl("disable", "--now", UNIT_NAME)
                print(f"ran: systemctl --user disable --now {UNIT_NAME}")
            except ServiceError as exc:     # no user manager: nothing runs it; remove anyway
                print(f"could not stop it ({exc.message}); removing its files anyway")
                systemctl = None
    gone = service.uninstall(unit_dir, dry_run=args.dry_run)
    for path in gone:
        print(f"{'would remove' if args.dry_run else 'removed'} {path}")
    if not gone:
        print(f"not installed: {unit} does not exist")
    elif systemctl is not None and systemctl.available and not args.dry_run:
        systemctl("daemon-reload")
        print("ran: systemctl --user daemon-reload")
    return 0


def _status(args: argparse.Namespace) -> int:
    unit_dir, managed = _unit_dir(args)
    state = service.status(unit_dir)
    print(f"unit:      {state.unit} ({'installed' if state.installed else 'not installed'})")
    if state.argv:
        print(f"runs:      {shlex.join(state.argv)}")
    if state.config:
        print(f"config:    {state.config}")
    for problem in state.problems:
        print(f"problem:   {problem} (fix: vaani service install)")
    if managed:
        systemctl = make_systemctl()
        print(f"active:    {systemctl.query('is-active', UNIT_NAME)}")
        print(f"enabled:   {systemctl.query('is-enabled', UNIT_NAME)}")
    if not state.installed:
        print("install it with: vaani service install")
    return 0 if state.installed and not state.problems else 1
