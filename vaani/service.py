"""The systemd user service: render VAANI's unit, install it, remove it, report on it.

``vaani service install`` writes ``~/.config/systemd/user/vaani.service`` running
``<the installed vaani> --config <config> daemon``: the entry point is found from the running
program (never a clone's path), the config is the one given, else the user's config, else
the headless example written beside it. Nothing here needs ``vaani daemon`` to exist: the
unit only names it.

The files the installer writes are kept here as text, so that an installed wheel has them
too; ``packaging/vaani.service.in``, ``packaging/vaani.desktop``, ``packaging/vaani.svg`` and
``examples/headless.toml`` are checked copies (tests/test_service.py fails when they drift).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vaani.errors import VaaniError

UNIT_NAME = "vaani.service"
EX_CONFIG = 78                      # the daemon's exit status for a config it cannot use
LOCAL_FAMILIES = ("AF_UNIX", "AF_NETLINK")
HTTP_FAMILIES = ("AF_INET", "AF_INET6")


class ServiceError(VaaniError):
    title = "Service error"


# -- where things go ---------------------------------------------------------------------------

def _xdg(name: str, default: str) -> Path:
    value = os.environ.get(name, "")
    return Path(value) if os.path.isabs(value) else Path.home() / default


def user_unit_dir() -> Path:
    """Where the user's systemd manager reads units written by hand."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "systemd" / "user"


def desktop_paths() -> tuple[Path, Path]:
    """Where ``--desktop`` puts the desktop entry and the icon (XDG data dir)."""
    data = _xdg("XDG_DATA_HOME", ".local/share")
    return (data / "applications" / "vaani.desktop",
            data / "icons" / "hicolor" / "scalable" / "apps" / "vaani.svg")


def entry_point(argv0: str | None = None, executable: str | None = None,
                which: Callable[[str], str | None] = shutil.which) -> list[str]:
    """The command that starts this VAANI, as absolute paths: the ``vaani`` script that is
    running, else the one beside this Python (a venv's bin/), else the one on PATH, else
    ``python -m vaani``. Links are kept (a pipx link keeps working across upgrades)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    candidates = []
    if argv0 and Path(argv0).name == "vaani":
        candidates.append(Path(argv0))
    if executable:
        candidates.append(Path(executable).parent / "vaani")
    found = which("vaani")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return [os.path.abspath(path)]
    if executable and os.path.isabs(executable):
        return [executable, "-m", "vaani"]
    raise ServiceError("cannot find the installed `vaani` program",
                       hint="run this with the vaani of the install you want the service to "
                            "use, e.g. ~/vaani/.venv/bin/vaani service install")


# -- rendering ----------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9_@+=:,./-]+")


def systemd_quote(arg: str, *, program: bool = False) -> str:
    """One word of an ExecStart= line: ``%`` escaped (no specifier is expanded), ``$`` too in
    arguments (systemd expands variables there, not in the program's path), double quotes
    around anything with spaces, quotes or backslashes."""
    if any(ord(c) < 32 or ord(c) == 127 for c in arg):
        raise ServiceError(f"a unit file cannot hold control characters: {arg!r}")
    if arg == ";":
        return "\\;"                # a lone ; would separate two commands
    text = arg.replace("%", "%%") if program else arg.replace("%", "%%").replace("$", "$$")
    if arg and _PLAIN.fullmatch(arg):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exec_start(command: Sequence[str], config: Path) -> list[str]:
    """The daemon's argv. ``--config`` is the global option (before the subcommand), as for
    every other command."""
    return [*command, "--config", str(config), "daemon"]


def render_unit(command: Sequence[str], config: Path, *, http: bool = False) -> str:
    """The unit file for ``command`` (see :func:`entry_point`) with ``config``; ``http`` lets
    the daemon open IP sockets (its OpenAI-compatible routes on loopback)."""
    argv = exec_start(command, config)
    if not os.path.isabs(argv[0]):
        raise ServiceError(f"ExecStart needs an absolute path, not {argv[0]!r}")
    families = LOCAL_FAMILIES + (HTTP_FAMILIES if http else ())
    words = [systemd_quote(argv[0], program=True)] + [systemd_quote(a) for a in argv[1:]]
    text = (UNIT_TEMPLATE.replace("@EXEC_START@", " ".join(words))
            .replace("@ADDRESS_FAMILIES@", " ".join(families)))
    left = re.findall(r"@[A-Z_]+@", text)
    assert not left, f"unfilled placeholders in the unit template: {left}"
    return text


def _desktop_quote(arg: str) -> str:
    """One argument of a desktop entry's Exec= key (the spec's quoting, then its escaping
    of backslashes in string values)."""
    text = arg.replace("%", "%%")
    if re.search(r"[\s\"'\\><~|&;$*?#()`]", arg):
        text = '"' + re.sub(r'(["`$\\])', r"\\\1", text) + '"'
    return text.replace("\\", "\\\\")


def render_desktop(command: Sequence[str]) -> str:
    """The desktop entry with Exec=/TryExec= pointing at this install (a desktop session's
    PATH often lacks the venv)."""
    program = " ".join(_desktop_quote(a) for a in command)
    lines = []
    for line in DESKTOP_ENTRY.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={program} gui"
        elif line.startswith("TryExec="):
            line = "TryExec=" + command[0].replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- the config the daemon runs with -----------------------------------------------------------

@dataclass(frozen=True)
class ConfigChoice:
    path: Path
    origin: str                 # "given" | "user" | "headless"
    create: bool = False        # the headless example is to be written there


def choose_config(given: str | os.PathLike[str] | None) -> ConfigChoice:
    """``given`` (must exist), else the user's config file, else ``headless.toml`` beside it
    (written from the example unless it is already there: the user's edits are kept)."""
    from vaani import config as config_mod

    if given:
        path = Path(given).expanduser().absolute()
        if not path.is_file():
            raise ServiceError(f"config file not found: {path}",
                               hint="give an existing file, or leave --config out to use "
                                    f"{config_mod.default_path()} or the headless example")
        return ConfigChoice(path, "given")
    user = config_mod.default_path()
    if user.is_file():
        return ConfigChoice(user.absolute(), "user")
    headless = user.with_name("headless.toml").absolute()
    return ConfigChoice(headless, "headless", create=not headless.exists())


def check_config(choice: ConfigChoice) -> None:
    """Refuse a config the daemon would refuse (it would exit 78 and never be restarted)."""
    from vaani import config as config_mod

    if choice.create:
        import tomllib
        config_mod.from_dict(tomllib.loads(HEADLESS_CONFIG), source=str(choice.path))
    else:
        config_mod.load(choice.path)


# -- systemctl ----------------------------------------------------------------------------------

class Systemctl:
    """``systemctl --user``, with a clear error where there is no systemd or no user manager."""

    def __init__(self, run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
                 which: Callable[[str], str | None] = shutil.which) -> None:
        self._run = run
        self.path = which("systemctl")

    @property
    def available(self) -> bool:
        return self.path is not None

    def query(self, *args: str) -> str:
        """Output of a query (``is-active``...), or why there is none."""
        if self.path is None:
            return "unknown (no systemctl)"
        proc = self._call(args)
        out = proc.stdout.strip() or proc.stderr.strip()
        return out.splitlines()[0] if out else f"unknown (exit {proc.returncode})"

    def __call__(self, *args: str) -> None:
        """Run an action; raise :class:`ServiceError` naming it when it fails."""
        if self.path is None:
            raise ServiceError("systemctl not found: this system does not run systemd",
                               hint="start `vaani daemon` from your session's autostart instead")
        proc = self._call(args)
        if proc.returncode != 0:
            why = (proc.stderr or proc.stdout).strip() or f"exit status {proc.returncode}"
            hint = None
            if "bus" in why.lower() or "XDG_RUNTIME_DIR" in why:
                hint = ("no user service manager here: run it in your desktop session (not "
                        "through su/sudo), or keep it running after logout with "
                        "`loginctl enable-linger $USER`")
            raise ServiceError(f"`systemctl --user {' '.join(args)}` failed: {why}", hint=hint)

    def _call(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return self._run([str(self.path), "--user", *args], capture_output=True, text=True,
                         timeout=60, check=False)


# -- install / uninstall / status ---------------------------------------------------------------

@dataclass
class Installed:
    unit: Path
    text: str
    action: str                                   # "created" | "replaced" | "unchanged"
    backup: Path | None = None
    config: ConfigChoice | None = None
    written: list[Path] = field(default_factory=list)    # every file written (or to write)


def _write(path: Path, text: str, dry_run: bool, written: list[Path],
           keep: bool = False) -> str:
    """Write ``text`` to ``path`` unless identical; an existing different file becomes
    ``path.bak`` (``keep``: leave an existing file alone). Returns the action."""
    if path.exists():
        if keep or path.read_text(encoding="utf-8") == text:
            return "unchanged"
        action = "replaced"
    else:
        action = "created"
    written.append(path)
    if not dry_run:
        path.parent.mkdir(parents=True, exist_ok=True)
        if action == "replaced":
            os.replace(path, path.with_name(path.name + ".bak"))
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return action


def install(unit_dir: Path, command: Sequence[str], config: ConfigChoice, *,
            http: bool = False, desktop: bool = False, dry_run: bool = False) -> Installed:
    """Write the unit (and the headless config, the desktop entry and icon when asked);
    ``dry_run`` writes nothing and says what it would write."""
    check_config(config)
    unit = unit_dir / UNIT_NAME
    text = render_unit(command, config.path, http=http)
    written: list[Path] = []
    if config.create:
        _write(config.path, HEADLESS_CONFIG, dry_run, written, keep=True)
    action = _write(unit, text, dry_run, written)
    if desktop:
        entry, icon = desktop_paths()
        _write(entry, render_desktop(command), dry_run, written)
        _write(icon, ICON_SVG, dry_run, written)
    backup = unit.with_name(UNIT_NAME + ".bak") if action == "replaced" else None
    return Installed(unit, text, action, backup, config, written)


def uninstall(unit_dir: Path, *, dry_run: bool = False) -> list[Path]:
    """Remove the unit, the links ``systemctl enable`` made to it, and the desktop entry and
    icon if installed. Returns what was (or would be) removed. Stopping the service is the
    caller's job (before this)."""
    gone = [unit_dir / UNIT_NAME]
    gone += [link for link in unit_dir.glob(f"*.wants/{UNIT_NAME}") if link.is_symlink()]
    gone += list(desktop_paths())
    gone = [p for p in gone if p.is_symlink() or p.exists()]
    if not dry_run:
        for path in gone:
            path.unlink()
    return gone


@dataclass
class Status:
    unit: Path
    installed: bool
    argv: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def config(self) -> str | None:
        if "--config" in self.argv[:-1]:
            return self.argv[self.argv.index("--config") + 1]
        return None


def status(unit_dir: Path) -> Status:
    """What is installed, and whether it can run: its program and config still exist."""
    unit = unit_dir / UNIT_NAME
    if not unit.is_file():
        return Status(unit, False)
    result = Status(unit, True)
    for line in unit.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            words = shlex.split(line.removeprefix("ExecStart="))
            result.argv = [w.replace("%%", "%") if i == 0 else
                           w.replace("%%", "%").replace("$$", "$") for i, w in enumerate(words)]
    if not result.argv:
        result.problems.append("the unit has no ExecStart= line")
        return result
    program = result.argv[0]
    if not (os.path.isfile(program) and os.access(program, os.X_OK)):
        result.problems.append(f"its program is gone: {program}")
    if "daemon" not in result.argv:
        result.problems.append("it does not run `vaani daemon` (an old unit?)")
    if result.config and not os.path.isfile(result.config):
        result.problems.append(f"its config is gone: {result.config}")
    return result


# -- the files the installer writes (checked copies in packaging/ and examples/) ---------------

UNIT_TEMPLATE = """\
# VAANI's headless daemon (`vaani daemon`) as a systemd user service, started at login.
# Written by `vaani service install` from packaging/vaani.service.in, filling in the two
# @...@ fields. Reinstalling replaces this file (keeping a .bak), so put your changes in a
# drop-in: `systemctl --user edit vaani`. Check it with `vaani service status`.

[Unit]
Description=VAANI offline voice assistant (headless daemon)
# Start after the sound server when the session has one, without pulling one in.
# (sound.target belongs to the system manager: a user unit cannot order itself after it.)
After=pipewire.service pipewire-pulse.service pulseaudio.service
# Crashing 5 times within 5 minutes stops the restarts: the unit is then "failed".
StartLimitIntervalSec=300
StartLimitBurst=5

[Service]
# Started once the program runs; a missing program fails the start at once.
Type=exec
# The installed entry point, the config, the daemon (absolute paths).
ExecStart=@EXEC_START@
# `systemctl --user reload vaani` makes the daemon re-read its config (SIGHUP).
ExecReload=kill -HUP $MAINPID
# Relative paths in the config resolve from your home folder.
WorkingDirectory=%h
# Journal lines are tagged "vaani" (journalctl --user -u vaani).
SyslogIdentifier=vaani
# Restart after a crash only. No microphone is not a crash: the daemon keeps running and
# retries the device itself. A stop exits 0; a config it cannot use exits 78 (EX_CONFIG),
# which a restart cannot fix.
Restart=on-failure
RestartSec=5
RestartPreventExitStatus=78
# Logging out never waits on a stuck model load for longer than this.
TimeoutStopSec=15
# Models are read from local files only; log lines reach the journal as they are written.
Environment=HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
# A background job: what you are doing keeps the CPU first.
Nice=5
# The daemon's socket folder ($XDG_RUNTIME_DIR/vaani), private, removed when it stops.
RuntimeDirectory=vaani
RuntimeDirectoryMode=0700

# Sandboxing that an unprivileged user manager can apply (seccomp filters and
# no_new_privs). Programs VAANI starts (the system skill's commands) inherit it.
# Never gain privileges through setuid/setgid programs or file capabilities.
NoNewPrivileges=yes
# Local sockets only (the daemon's socket, PipeWire/PulseAudio, D-Bus) and netlink (device
# hot-plug): no network. `vaani service install --http` adds AF_INET AF_INET6 for the
# OpenAI-compatible routes on loopback.
RestrictAddressFamilies=@ADDRESS_FAMILIES@
# Native system calls only (no 32-bit ABI to get around the filters above).
SystemCallArchitectures=native
# No switching the kernel's execution domain (personality).
LockPersonality=yes
# No creating setuid/setgid files.
RestrictSUIDSGID=yes
# Left out on purpose:
#  MemoryDenyWriteExecute: Whisper's kernels are compiled at run time (CTranslate2's
#   oneDNN JIT) and the microphone callback needs writable+executable memory (cffi).
#  RestrictRealtime: the sound client raises its audio thread to realtime, which keeps
#   speech free of dropouts while the models load both cores.
#  ProtectSystem, ProtectHome, PrivateTmp, PrivateDevices, ProtectKernel*: a user manager
#   only gets these with PrivateUsers=, an unprivileged user namespace that some
#   distributions forbid (the service would then not start at all); PrivateDevices would
#   also hide /dev/snd.
#  IPAddressDeny/IPAddressAllow: a user manager cannot install this BPF firewall
#   ("not running as root"): it would only look like protection.

[Install]
WantedBy=default.target
"""

HEADLESS_CONFIG = """\
# A laptop daemon (`vaani daemon` under systemd: `vaani service install`): loudspeaker
# without echo cancellation, so only the wake word interrupts a reply; a trace to see what
# happened.
[assistant]
barge_in = "wake"
follow_up_s = 4.0

[audio]
input_device = ""              # e.g. "USB" for a USB microphone; falls back to the default
output_device = ""

[trace]
enabled = true
path = "~/.local/state/vaani/trace.jsonl"
"""

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.4
Name=VAANI
Name[hi]=वाणी
GenericName=Voice Assistant
GenericName[hi]=आवाज़ सहायक
Comment=Offline voice assistant for Hindi and English
Comment[hi]=हिंदी और अंग्रेज़ी के लिए ऑफ़लाइन आवाज़ सहायक
Exec=vaani gui
TryExec=vaani
Icon=vaani
Terminal=false
StartupNotify=true
Categories=Utility;Accessibility;
Keywords=voice;assistant;speech;offline;Hindi;Hinglish;आवाज़;सहायक;वाणी;बोलो;
Keywords[hi]=आवाज़;सहायक;वाणी;बोलो;हिंदी;voice;assistant;
"""

ICON_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <title>VAANI</title>
  <defs>
    <linearGradient id="vaani-bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#4f46e5"/>
      <stop offset="1" stop-color="#7c3aed"/>
    </linearGradient>
  </defs>
  <!-- a speech bubble: a circle with its tail at the lower left -->
  <path d="M32 4a28 28 0 1 1-11.8 53.4L6 61l3.1-12.9A28 28 0 0 1 32 4z" fill="url(#vaani-bg)"/>
  <!-- a voice: five bars of a waveform, the middle one saffron -->
  <g fill="#fff">
    <rect x="15.25" y="27" width="4.5" height="10" rx="2.25"/>
    <rect x="22.5" y="21" width="4.5" height="22" rx="2.25"/>
    <rect x="37" y="21" width="4.5" height="22" rx="2.25"/>
    <rect x="44.25" y="27" width="4.5" height="10" rx="2.25"/>
  </g>
  <rect x="29.75" y="15" width="4.5" height="34" rx="2.25" fill="#ff9933"/>
</svg>
"""
