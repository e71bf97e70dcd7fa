"""``vaani service``: the systemd user unit it renders and installs, and the packaging files.

No test touches the real ~/.config or a real service manager: HOME and the XDG folders point
into tmp_path and systemctl is a recorder. ``systemd-analyze`` and ``desktop-file-validate``
check the real files where installed (scripts/setup.sh installs both); without them the
checks skip, except in CI (``CI`` set), where a missing tool is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import ClassVar

import pytest

from vaani import cli, service
from vaani.commands import service as service_cmd
from vaani.errors import ConfigError
from vaani.service import ServiceError

ROOT = Path(__file__).parent.parent
FAKE_VAANI = "/opt/vaani/.venv/bin/vaani"
CONFIG = Path("/home/asha/.config/vaani/headless.toml")


def sections(unit: str) -> dict[str, dict[str, str]]:
    """A unit file's settings by section (comments dropped; no key repeats in ours)."""
    out: dict[str, dict[str, str]] = {}
    current = None
    for line in unit.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("["):
            current = out.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        assert current is not None and key not in current, f"{key} outside a section or twice"
        current[key] = value
    return out


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} is not installed (scripts/setup.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: missing in CI")
        pytest.skip(reason)
    return path


class FakeSystemctl:
    """Records ``systemctl --user`` calls instead of making them."""

    calls: ClassVar[list[tuple[str, ...]]] = []
    available = True

    def __call__(self, *args: str) -> None:
        self.calls.append(args)

    def query(self, *args: str) -> str:
        self.calls.append(args)
        return "inactive"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """HOME and the XDG folders in tmp_path; systemctl recorded, never run."""
    for name, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "home/.config"),
                      ("XDG_DATA_HOME", "home/.local/share")):
        (tmp_path / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(tmp_path / sub))
    FakeSystemctl.calls = []
    monkeypatch.setattr(service_cmd, "make_systemctl", FakeSystemctl)
    return tmp_path / "home"


def vaani(*argv: str) -> int:
    return cli.main(list(argv))


# -- the unit as rendered ---------------------------------------------------------------------

def test_the_unit_runs_the_installed_daemon_with_the_config():
    unit = service.render_unit([FAKE_VAANI], CONFIG)
    s = sections(unit)
    assert s["Service"]["ExecStart"] == f"{FAKE_VAANI} --config {CONFIG} daemon"
    assert "%h/vaani" not in unit and "vaani listen" not in unit
    assert "sound.target" not in s["Unit"].get("After", "")
    assert "pipewire.service" in s["Unit"]["After"]
    assert not {"Wants", "Requires", "BindsTo"} & s["Unit"].keys()    # ordering only
    assert s["Install"] == {"WantedBy": "default.target"}


def test_the_unit_restarts_crashes_only_and_gives_up():
    s = sections(service.render_unit([FAKE_VAANI], CONFIG))
    assert int(s["Unit"]["StartLimitBurst"]) <= 10
    assert int(s["Unit"]["StartLimitIntervalSec"]) >= 60
    assert s["Service"]["Restart"] == "on-failure"
    assert int(s["Service"]["RestartSec"]) >= 5
    assert s["Service"]["RestartPreventExitStatus"] == "78" == str(service.EX_CONFIG)


def test_the_unit_is_offline_unless_http_is_asked_for():
    plain = sections(service.render_unit([FAKE_VAANI], CONFIG))["Service"]
    assert plain["RestrictAddressFamilies"] == "AF_UNIX AF_NETLINK"
    http = sections(service.render_unit([FAKE_VAANI], CONFIG, http=True))["Service"]
    assert http["RestrictAddressFamilies"] == "AF_UNIX AF_NETLINK AF_INET AF_INET6"
    for s in (plain, http):
        assert s["NoNewPrivileges"] == "yes" and s["SystemCallArchitectures"] == "native"
        # no settings that a user manager ignores or that break the engines
        assert not {"IPAddressDeny", "IPAddressAllow", "MemoryDenyWriteExecute",
                    "ProtectSystem", "ProtectHome", "PrivateDevices", "PrivateUsers"} & s.keys()
        assert s["Environment"].split() == ["HF_HUB_OFFLINE=1", "PYTHONUNBUFFERED=1"]


def test_odd_paths_are_quoted_for_systemd_and_read_back():
    program, config = "/home/a b/100%$x/vaani", Path('/c/$HOME "q"/x.toml')
    line = sections(service.render_unit([program], config))["Service"]["ExecStart"]
    # % escaped everywhere, $ only in arguments (systemd expands variables there only)
    assert line == '"/home/a b/100%%$x/vaani" --config "/c/$$HOME \\"q\\"/x.toml" daemon'
    with pytest.raises(ServiceError, match="control characters"):
        service.render_unit(["/a/vaani"], Path("/x\n[Service]"))
    with pytest.raises(ServiceError, match="absolute"):
        service.render_unit(["vaani"], CONFIG)


def test_the_daemon_command_accepts_the_exec_start_line():
    """``--config`` goes before ``daemon``: the global option every command reads."""
    parser = cli.build_parser()
    if "daemon" not in parser._subparsers._group_actions[0].choices:   # type: ignore[union-attr]
        pytest.skip("`vaani daemon` is not in this tree yet")
    args = parser.parse_args(service.exec_start([FAKE_VAANI], CONFIG)[1:])
    assert args.command == "daemon" and args.config == str(CONFIG)


# -- finding the installed entry point -----------------------------------------------------------

def test_the_entry_point_is_the_running_vaani_else_the_venv_else_path(tmp_path):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    python, script = bin_dir / "python", bin_dir / "vaani"
    for f in (python, script):
        f.write_text("#!/bin/sh\n")
        f.chmod(0o755)
    other = tmp_path / "other" / "vaani"
    other.parent.mkdir()
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)

    def nowhere(name: str) -> None:
        return None

    assert service.entry_point(str(other), str(python), nowhere) == [str(other)]
    # `python -m vaani`: argv[0] is vaani/__main__.py, the venv's script is next to python
    assert service.entry_point("/x/vaani/__main__.py", str(python), nowhere) == [str(script)]
    script.unlink()
    assert service.entry_point("-c", str(python), lambda name: str(other)) == [str(other)]
    assert service.entry_point("-c", str(python), nowhere) == [str(python), "-m", "vaani"]


def test_a_relative_argv0_becomes_absolute(tmp_path, monkeypatch):
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "vaani"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    assert service.entry_point("bin/vaani", "/nowhere/python", lambda n: None) == [str(script)]


# -- install / uninstall / status through the CLI ------------------------------------------------

def test_install_writes_the_unit_and_the_headless_config_then_uninstall_removes_it(
        home, tmp_path, capsys):
    units = tmp_path / "units"
    assert vaani("service", "install", "--user-dir", str(units)) == 0
    out = capsys.readouterr().out
    unit = (units / "vaani.service").read_text()
    headless = home / ".config" / "vaani" / "headless.toml"
    assert headless.read_text() == service.HEADLESS_CONFIG
    argv = sections(unit)["Service"]["ExecStart"].split()
    assert os.path.isabs(argv[0]) and os.access(argv[0], os.X_OK)
    assert argv[1:] == ["--config", str(headless), "daemon"]
    assert service_cmd.START in out and "headless example" in out
    assert FakeSystemctl.calls == []                   # --user-dir: systemctl is never run

    assert vaani("service", "install", "--user-dir", str(units)) == 0
    assert "already up to date" in capsys.readouterr().out
    assert not (units / "vaani.service.bak").exists()

    assert vaani("service", "status", "--user-dir", str(units)) == 0
    out = capsys.readouterr().out
    assert "installed" in out and str(headless) in out and "problem" not in out

    (units / "default.target.wants").mkdir()
    (units / "default.target.wants" / "vaani.service").symlink_to(units / "vaani.service")
    assert vaani("service", "uninstall", "--user-dir", str(units)) == 0
    assert sorted(p.name for p in units.rglob("*")) == ["default.target.wants"]
    assert headless.exists()                           # the user's config stays
    assert vaani("service", "status", "--user-dir", str(units)) == 1
    assert "not installed" in capsys.readouterr().out
    assert vaani("service", "uninstall", "--user-dir", str(units)) == 0


def test_a_different_unit_is_replaced_and_kept_as_bak(home, tmp_path, capsys):
    units = tmp_path / "units"
    units.mkdir()
    old = "[Service]\nExecStart=%h/vaani/.venv/bin/vaani listen\n"
    (units / "vaani.service").write_text(old)
    assert vaani("service", "status", "--user-dir", str(units)) == 1
    assert "does not run `vaani daemon`" in capsys.readouterr().out
    assert vaani("service", "install", "--user-dir", str(units)) == 0
    out = capsys.readouterr().out
    assert "replaced" in out and "vaani.service.bak" in out and service_cmd.RESTART in out
    assert (units / "vaani.service.bak").read_text() == old
    assert "daemon" in (units / "vaani.service").read_text()


def test_the_users_config_is_preferred_and_given_configs_are_checked(home, tmp_path, capsys):
    units = tmp_path / "units"
    user = home / ".config" / "vaani" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[assistant]\nlanguage = "hi"\n')
    assert vaani("service", "install", "--user-dir", str(units)) == 0
    assert f"--config {user} daemon" in (units / "vaani.service").read_text()
    assert not (user.parent / "headless.toml").exists()

    mine = tmp_path / "mine.toml"
    mine.write_text("[assistant]\nlanguage = \"en\"\n")
    for argv in (["service", "install", "--config", str(mine)],
                 ["-c", str(mine), "service", "install"]):           # the global -c too
        assert vaani(*argv, "--user-dir", str(units)) == 0
        assert f"--config {mine} daemon" in (units / "vaani.service").read_text()

    capsys.readouterr()
    mine.write_text("[assistant]\nlangauge = \"en\"\n")
    before = (units / "vaani.service").read_text()
    assert vaani("service", "install", "--config", str(mine), "--user-dir", str(units)) == 2
    assert "langauge" in capsys.readouterr().err               # refused: the daemon would exit 78
    assert (units / "vaani.service").read_text() == before
    with pytest.raises(ServiceError, match="not found"):
        service.choose_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError):
        service.check_config(service.choose_config(mine))


def test_dry_run_writes_nothing(home, tmp_path, capsys):
    units = tmp_path / "units"
    before = sorted(tmp_path.rglob("*"))
    assert vaani("service", "install", "--dry-run", "--desktop", "--http",
                 "--user-dir", str(units)) == 0
    out = capsys.readouterr().out
    assert "ExecStart=" in out and "AF_INET6" in out
    assert f"would write {units / 'vaani.service'}" in out and "headless.toml" in out
    assert sorted(tmp_path.rglob("*")) == before
    assert FakeSystemctl.calls == []


def test_enable_reloads_enables_and_starts_and_uninstall_disables(home, capsys):
    assert vaani("service", "install", "--enable") == 0
    assert (home / ".config" / "systemd" / "user" / "vaani.service").is_file()
    assert FakeSystemctl.calls == [("daemon-reload",), ("enable", "vaani.service"),
                                   ("start", "vaani.service")]
    FakeSystemctl.calls = []
    assert vaani("service", "status") == 0
    assert FakeSystemctl.calls == [("is-active", "vaani.service"), ("is-enabled", "vaani.service")]
    FakeSystemctl.calls = []
    assert vaani("service", "uninstall") == 0
    assert FakeSystemctl.calls == [("disable", "--now", "vaani.service"), ("daemon-reload",)]
    assert not (home / ".config" / "systemd" / "user" / "vaani.service").exists()


def test_enable_needs_the_default_folder_and_systemd(home, tmp_path, capsys):
    assert vaani("service", "install", "--enable", "--user-dir", str(tmp_path / "u")) == 2
    assert "--enable needs the default unit folder" in capsys.readouterr().err
    assert not (tmp_path / "u").exists()

    with pytest.raises(ServiceError, match="systemctl not found"):
        service.Systemctl(which=lambda name: None)("daemon-reload")

    def no_bus(argv, **kw):
        assert argv[1:3] == ["--user", "daemon-reload"]
        return subprocess.CompletedProcess(argv, 1, "", "Failed to connect to bus: No medium found")
    with pytest.raises(ServiceError) as err:
        service.Systemctl(run=no_bus, which=lambda name: "/bin/systemctl")("daemon-reload")
    assert "Failed to connect to bus" in err.value.message and "enable-linger" in err.value.hint


def test_desktop_installs_the_entry_and_icon(home, tmp_path):
    assert vaani("service", "install", "--desktop", "--user-dir", str(tmp_path / "u")) == 0
    entry, icon = service.desktop_paths()
    assert entry == home / ".local/share/applications/vaani.desktop"
    assert icon.read_text() == service.ICON_SVG
    lines = entry.read_text().splitlines()
    exec_line = next(line for line in lines if line.startswith("Exec="))
    assert os.path.isabs(exec_line.split()[0].removeprefix("Exec=")) and exec_line.endswith(" gui")
    assert vaani("service", "uninstall", "--user-dir", str(tmp_path / "u")) == 0
    assert not entry.exists() and not icon.exists()


# -- the packaging files -----------------------------------------------------------------------

@pytest.mark.parametrize("path, text", [
    ("packaging/vaani.service.in", service.UNIT_TEMPLATE),
    ("packaging/vaani.desktop", service.DESKTOP_ENTRY),
    ("packaging/vaani.svg", service.ICON_SVG),
    ("examples/headless.toml", service.HEADLESS_CONFIG),
])
def test_the_checked_in_files_are_what_the_installer_writes(path, text):
    assert (ROOT / path).read_text(encoding="utf-8") == text, (
        f"{path} differs from vaani/service.py, which an installed wheel writes: change both")


def test_the_icon_is_a_small_valid_svg():
    root = ET.fromstring(service.ICON_SVG)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 64 64" and len(service.ICON_SVG) < 2048


def _verify(unit_dir: Path, tmp_path: Path) -> str:
    """``systemd-analyze --user verify``: its complaints about our unit (it exits 0 on many)."""
    tool = require("systemd-analyze")
    runtime = tmp_path / "runtime"          # a user manager needs one, even a test one
    runtime.mkdir(mode=0o700, exist_ok=True)
    unit = unit_dir / "vaani.service"
    proc = subprocess.run([tool, "--user", "verify", str(unit)], capture_output=True, text=True,
                          check=False, env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60)
    text = proc.stdout + proc.stderr
    complaints = [line for line in text.splitlines() if "vaani.service" in line]
    if proc.returncode != 0 and not complaints:
        complaints = [text.strip() or f"exit status {proc.returncode}"]
    return "\n".join(complaints)


@pytest.mark.parametrize("http", [False, True])
def test_systemd_analyze_verifies_the_rendered_unit(tmp_path, http):
    """On the real entry point (verify checks that ExecStart's program exists), from a folder
    whose name needs quoting."""
    odd = tmp_path / "my units" / "100%"
    odd.mkdir(parents=True)
    program = odd / "vaani"
    program.symlink_to(service.entry_point()[0])       # the venv's vaani (or its python)
    (odd / "vaani.service").write_text(
        service.render_unit([str(program)], odd / "config.toml", http=http))
    assert _verify(odd, tmp_path) == ""


def test_systemd_analyze_catches_a_broken_unit(tmp_path):
    """The check above is live: a unit whose program is gone or with a bad value fails it."""
    unit = service.render_unit(["/nowhere/vaani"], CONFIG).replace("RestartSec=5",
                                                                   "RestartSec=five")
    (tmp_path / "vaani.service").write_text(unit)
    complaints = _verify(tmp_path, tmp_path)
    assert "/nowhere/vaani" in complaints and "five" in complaints


def test_the_desktop_entry_validates(tmp_path):
    tool = require("desktop-file-validate")
    rendered = tmp_path / "vaani.desktop"
    rendered.write_text(service.render_desktop(["/home/a b/100%/vaani"]))
    for path in (ROOT / "packaging" / "vaani.desktop", rendered):
        proc = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False,
                              timeout=60)
        assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr
    assert 'Exec="/home/a b/100%%/vaani" gui' in rendered.read_text()
