"""``vaani doctor``: is this machine ready to run VAANI offline?

Checks Python and the platform, the config, every default model pack and every model the
config names (a stat check; ``--deep`` re-hashes), the data files and programs the skills use
(a missing one is a warning: it takes one ability away), the audio devices, the inference engines,
that the offline guard blocks what it should, and that importing the runtime does not drag in
torch (checked in a fresh interpreter, because this one may already have imported anything).
Exit code 0 when every required check passes, 1 otherwise; ``--json`` for scripts and CI.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from vaani import __version__
from vaani.errors import VaaniError

ENGINES = (("onnxruntime", "onnxruntime"), ("ctranslate2", "ctranslate2"),
           ("faster_whisper", "faster-whisper"), ("llama_cpp", "llama-cpp-python"),
           ("piper", "piper-tts"), ("pymicro_wakeword", "pymicro-wakeword"),
           ("openwakeword", "openwakeword"))
RUNTIME_MODULES = ("vaani", "vaani.cli", "vaani.config", "vaani.models", "vaani.offline",
                   "vaani.pipeline", "vaani.assistant")
HEAVY = ("torch", "PySide6", "tensorflow", "transformers")


@dataclass
class Check:
    group: str
    name: str
    status: str            # ok | warn | fail
    detail: str = ""
    required: bool = True
    fix: str = ""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check that models, audio and engines are ready (offline)")
    p.add_argument("--deep", action="store_true", help="re-hash every model file (slower)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    checks: list[Check] = []
    checks += check_python()
    config, found = check_config(getattr(args, "config", None))
    checks += found
    checks += check_models(config, deep=args.deep)
    checks += check_skill_data(config)
    checks += check_skill_tools(config)
    checks += check_audio()
    checks += check_engines()
    checks += check_offline()
    checks += check_runtime_imports()
    ok = not any(c.status == "fail" and c.required for c in checks)
    if args.json:
        print(json.dumps({"ok": ok, "vaani": __version__, "seconds": round(time.monotonic() - t0, 2),
                          "checks": [asdict(c) for c in checks]}, indent=2))
        return 0 if ok else 1
    for c in checks:
        mark = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL" if c.required else "warn"}[c.status]
        print(f"{mark}  {c.group:<8} {c.name:<20} {c.detail}")
        if c.fix and c.status != "ok":
            print(f"{'':6}{'':<8} {'':<20} fix: {c.fix}")
    failed = sum(c.status == "fail" and c.required for c in checks)
    warned = sum(c.status != "ok" for c in checks) - failed
    print(f"\n{'ready' if ok else 'NOT ready'}: {failed} failed, {warned} warnings "
          f"({time.monotonic() - t0:.1f} s)")
    return 0 if ok else 1


# ------------------------------------------------------------------------------ checks


def check_python() -> list[Check]:
    v = sys.version_info
    status = "ok" if (v.major, v.minor) == (3, 11) else "warn"
    return [Check("system", "python", status,
                  f"{platform.python_version()} ({sys.executable}), vaani {__version__}",
                  required=False),
            Check("system", "platform", "ok",
                  f"{platform.platform()} {platform.machine()}, {_cpus()} CPUs", required=False)]


def _cpus() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def check_config(path: str | None) -> tuple[Any, list[Check]]:
    from vaani import config as config_mod

    try:
        config = config_mod.load(path)
    except VaaniError as exc:
        return config_mod.from_dict({}), [Check("system", "config", "fail", exc.message,
                                                fix=exc.hint or "fix the config file")]
    return config, [Check("system", "config", "ok", config.source)]


def _configured_models(config: Any) -> list[str]:
    names = [config.asr.model, config.asr.english_model, config.vad.model, config.wake.model,
             config.llm.model, config.llm.draft_model]
    if config.vad.end_of_turn:
        names.append(config.vad.end_of_turn)
    for voice in config.tts.voices.values():
        engine, _, name = voice.partition(":")
        if engine == "piper" and name:
            names.append(name)
    return [n for n in names if n]


def check_models(config: Any, *, deep: bool) -> list[Check]:
    from vaani.models import ModelStore

    store = ModelStore.from_config(config)
    out: list[Check] = []
    try:
        usage = shutil.disk_usage(store.root if store.root.exists() else store.root.parent
                                  if store.root.parent.exists() else "/")
        out.append(Check("models", "folder", "ok", f"{store.root} ({usage.free / 1e9:.1f} GB free)",
                         required=False))
        packs = store.packs()
    except (VaaniError, OSError) as exc:
        return out + [Check("models", "manifest", "fail", str(exc))]
    default = [n for n, p in packs.items() if p.group == "default"]
    names = list(dict.fromkeys([*default, *_configured_models(config)]))
    deep_state = {}
    if deep:
        deep_state = {s.name: s for s in store.verify([n for n in names if n in packs])}
    for name in names:
        if name not in packs:                       # a path in the config
            try:
                path = store.file(name)
                out.append(Check("models", name[-20:], "ok", f"path {path}"))
            except VaaniError as exc:
                out.append(Check("models", name[-20:], "fail", exc.message, fix=exc.hint or ""))
            continue
        pack = packs[name]
        status = deep_state.get(name) or store.status(name)
        used = " (configured)" if name in _configured_models(config) else ""
        if status.ok:
            how = "sha256 re-checked" if deep else "present, unchanged since verified"
            out.append(Check("models", name, "ok", f"{pack.role}{used}: {how}"))
        else:
            out.append(Check("models", name, "fail", f"{pack.role}{used}: {status.state}: "
                                                     f"{status.detail}",
                             fix=pack.install_hint()))
    return out


# Debian data packages skills read (paths as the skills default them; a [plugins.<name>]
# table may move them): (plugin, config key, default dir, file, package, what for)
SKILL_DATA = (
    ("knowledge", "wordnet_dir", "/usr/share/wordnet", "index.noun", "wordnet-base",
     "English definitions"),
    ("knowledge", "freedict_dir", "/usr/share/dictd", "freedict-eng-hin.index",
     "dict-freedict-eng-hin", "English-Hindi words"),
)


def check_skill_data(config: Any) -> list[Check]:
    """Data files of the enabled skills (a missing one only takes that ability away)."""
    out = []
    for plugin, key, default, name, package, what in SKILL_DATA:
        if plugin in config.plugins.disabled:
            continue
        path = os.path.join(config.plugin_tables.get(plugin, {}).get(key) or default, name)
        if os.path.isfile(path):
            out.append(Check("skills", f"{plugin}: {package}", "ok", path, required=False))
        else:
            out.append(Check("skills", f"{plugin}: {package}", "warn",
                             f"{path} missing: no {what}", required=False,
                             fix=f"sudo apt-get install {package} (or scripts/setup.sh)"))
    return out


# Programs skills run (any one of each row will do): (plugin, what for, programs, Debian
# packages that provide them, what happens without them)
SKILL_TOOLS = (
    ("system", "volume", ("wpctl", "pactl", "amixer"),
     ("wireplumber", "pulseaudio-utils", "alsa-utils"), "no volume control by voice"),
    ("system", "media player", ("playerctl",), ("playerctl",), "no play/pause/next by voice"),
    ("system", "opening apps", ("gtk-launch",), ("libgtk-3-bin",),
     "apps are opened from their desktop entry's Exec line"),
    ("system", "screen lock", ("loginctl", "xdg-screensaver"), ("systemd", "xdg-utils"),
     "no screen lock by voice"),
)


def check_skill_tools(config: Any, which: Any = shutil.which) -> list[Check]:
    """Programs the enabled skills run (a missing one only takes that ability away; apps
    still open from their Exec line without gtk-launch)."""
    out = []
    for plugin, what, programs, packages, without in SKILL_TOOLS:
        if plugin in config.plugins.disabled:
            continue
        if plugin == "system" and what == "volume":
            chosen = config.plugin_tables.get(plugin, {}).get("audio", "auto")
            if chosen in programs:
                programs, packages = (chosen,), (packages[programs.index(chosen)],)
        found = [(p, which(p)) for p in programs]
        found = [(p, path) for p, path in found if path]
        name = f"{plugin}: {what}"
        if found:
            out.append(Check("skills", name, "ok", f"{found[0][0]} ({found[0][1]})",
                             required=False))
            continue
        fix = f"sudo apt-get install {packages[0]}"
        if len(packages) > 1:
            fix += f" (or {', '.join(packages[1:])})"
        out.append(Check("skills", name, "warn",
                         f"{' / '.join(programs)} not installed: {without}",
                         required=False, fix=fix))
    return out


def check_audio() -> list[Check]:
    try:
        import sounddevice as sd
    except Exception as exc:          # OSError when the PortAudio library is missing
        return [Check("audio", "sounddevice", "fail", f"cannot load sounddevice/PortAudio: {exc}",
                      fix="install PortAudio (Debian/Ubuntu: sudo apt install libportaudio2)")]
    try:
        devices = list(sd.query_devices())
    except Exception as exc:
        return [Check("audio", "devices", "warn", f"PortAudio could not list devices: {exc}",
                      required=False)]
    ins = [d for d in devices if d.get("max_input_channels", 0) > 0]
    outs = [d for d in devices if d.get("max_output_channels", 0) > 0]
    version = getattr(sd, "get_portaudio_version", lambda: (0, "?"))()[1]
    out = [Check("audio", "portaudio", "ok", f"{version}, sounddevice {sd.__version__}")]
    out.append(Check("audio", "microphone", "ok" if ins else "warn",
                     f"{len(ins)} input device(s)" + (f", e.g. {ins[0]['name']}" if ins else
                                                      ": no microphone (files still work)"),
                     required=False, fix="" if ins else "connect a microphone; `vaani devices`"))
    out.append(Check("audio", "speaker", "ok" if outs else "warn",
                     f"{len(outs)} output device(s)" + (f", e.g. {outs[0]['name']}" if outs else
                                                        ": no speaker (replies can go to files)"),
                     required=False, fix="" if outs else "connect a speaker; `vaani devices`"))
    return out


def check_engines() -> list[Check]:
    out = []
    for module, dist in ENGINES:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        try:
            importlib.import_module(module)
        except Exception as exc:
            out.append(Check("engines", module, "fail", f"{dist} {version}: import failed: {exc}",
                             fix=f"pip install {dist}"))
            continue
        out.append(Check("engines", module, "ok", f"{dist} {version}"))
    return out


def check_offline() -> list[Check]:
    """The guard must block a connection to the outside and let a loopback one through."""
    from vaani import offline
    from vaani.errors import NetworkBlockedError

    problems = []
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(3)
    accepter = threading.Thread(target=lambda: _accept_one(srv), daemon=True)
    accepter.start()
    try:
        with offline.block_network() as guard:
            try:
                socket.create_connection(("93.184.216.34", 80), timeout=1).close()
                problems.append("a connection to 93.184.216.34 was NOT blocked")
            except NetworkBlockedError:
                pass
            except OSError as exc:
                problems.append(f"the outside connection was not blocked by the guard ({exc})")
            try:
                socket.create_connection(srv.getsockname(), timeout=3).close()
            except OSError as exc:
                problems.append(f"loopback connection failed: {exc}")
            recorded = len(guard.attempts)
        if recorded != 1:
            problems.append(f"{recorded} blocked attempts recorded, expected 1")
    finally:
        srv.close()
        accepter.join(3)
    if problems:
        return [Check("offline", "guard", "fail", "; ".join(problems))]
    return [Check("offline", "guard", "ok", "outside connections blocked and recorded, "
                                            "loopback allowed")]


def _accept_one(srv: socket.socket) -> None:
    try:
        conn, _ = srv.accept()
        conn.close()
    except OSError:
        pass


_PROBE = """
import importlib, json, sys
heavy = {heavy!r}
mods = list({mods!r})
try:
    from importlib.metadata import entry_points
    mods += [ep.value.split(":")[0] for ep in entry_points(group="vaani")]
except Exception:
    pass
culprit, failed = {{}}, {{}}
for m in dict.fromkeys(mods):
    try:
        importlib.import_module(m)
    except Exception as exc:
        failed[m] = f"{{type(exc).__name__}}: {{exc}}"
    for h in heavy:
        if h in sys.modules and h not in culprit:
            culprit[h] = m
print(json.dumps({{"culprit": culprit, "failed": failed,
                  "imported": len(set(mods)) - len(failed)}}))
"""


def check_runtime_imports() -> list[Check]:
    """Import the runtime and the built-in plugins in a fresh interpreter and look at
    ``sys.modules``: torch (or a GUI toolkit) there means a slow start and a broken promise."""
    code = _PROBE.format(heavy=HEAVY, mods=RUNTIME_MODULES)
    t0 = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120)
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.TimeoutExpired, ValueError, IndexError, OSError) as exc:
        return [Check("runtime", "imports", "fail", f"could not run the import probe: {exc}")]
    took = time.monotonic() - t0
    out = []
    culprit = result["culprit"]
    if "torch" in culprit:
        out.append(Check("runtime", "no torch", "fail",
                         f"importing {culprit['torch']} imported torch", fix="the runtime must not "
                         "import torch: move that import to training/ or make it lazy"))
    else:
        out.append(Check("runtime", "no torch", "ok",
                         f"{result['imported']} runtime/plugin modules imported without torch "
                         f"({took:.1f} s)"))
    others = {h: m for h, m in culprit.items() if h != "torch"}
    if others:
        out.append(Check("runtime", "heavy imports", "warn",
                         ", ".join(f"{m} imported {h}" for h, m in others.items()), required=False))
    for module, error in result["failed"].items():
        out.append(Check("runtime", module[-20:], "fail", f"import failed: {error}",
                         fix="reinstall VAANI (pip install -e .)"))
    return out
