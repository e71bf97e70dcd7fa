import pytest

from vaani import config
from vaani.errors import ConfigError


def test_defaults_are_valid():
    c = config.from_dict({})
    assert c.vad.hangover_ms <= 300, "the design budget for end of turn is <= 300 ms"
    assert c.asr.compute_type == "int8"
    assert c.llm.model


def test_values_are_typed_and_kept():
    c = config.from_dict({"asr": {"beam_size": 2, "language": "hi"},
                          "vad": {"hangover_ms": 200, "threshold": 0.4},
                          "tts": {"voices": {"hi": "festival:hindi_NSK_diphone"}}})
    assert c.asr.beam_size == 2 and c.asr.language == "hi"
    assert c.vad.hangover_ms == 200 and c.vad.threshold == pytest.approx(0.4)
    assert c.tts.voices == {"hi": "festival:hindi_NSK_diphone"}


def test_int_accepted_where_float_expected():
    assert config.from_dict({"assistant": {"follow_up_s": 3}}).assistant.follow_up_s == 3.0


@pytest.mark.parametrize("data, key", [
    ({"assistant": {"langauge": "hi"}}, "assistant.langauge"),
    ({"asr": {"modle": "x"}}, "asr.modle"),
    ({"colour": 1}, "colour"),
    ({"plugins": {"timeout": 3}}, "plugins.timeout"),
])
def test_unknown_key_is_an_error_that_names_it(data, key):
    with pytest.raises(ConfigError) as info:
        config.from_dict(data)
    assert f"'{key}'" in str(info.value)


@pytest.mark.parametrize("data, fragment", [
    ({"asr": {"beam_size": "two"}}, "asr.beam_size"),
    ({"asr": {"beam_size": True}}, "asr.beam_size"),
    ({"assistant": {"languages": "hi"}}, "assistant.languages"),
    ({"assistant": {"language": "fr"}}, "assistant.language"),
    ({"vad": {"hangover_ms": 0}}, "vad.hangover_ms"),
    ({"wake": {"threshold": 1.5}}, "wake.threshold"),
    ({"tts": {"voices": {"hi": 3}}}, "tts.voices.hi"),
    ({"vad": 5}, "vad"),
])
def test_bad_values_name_the_key(data, fragment):
    with pytest.raises(ConfigError) as info:
        config.from_dict(data)
    assert fragment in str(info.value)


def test_plugin_tables_are_set_aside_for_plugins():
    c = config.from_dict({"plugins": {"timeout_ms": 100, "timer": {"max_timers": 3}}})
    assert c.plugins.timeout_ms == 100
    assert c.plugin_tables == {"timer": {"max_timers": 3}}


def test_load_file_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        config.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[asr\nmodel = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(bad)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError):
        config.load(binary)


def test_load_file(tmp_path):
    f = tmp_path / "vaani.toml"
    f.write_text('[assistant]\nlanguage = "hi"\n[llm]\nmax_tokens = 40\n', encoding="utf-8")
    c = config.load(f)
    assert c.assistant.language == "hi" and c.llm.max_tokens == 40 and c.source == str(f)
