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
    assert c.tts.voices == {"hi": "festival:hindi_NSK_diphone", "en": "piper:piper-en-joe"}


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


def test_a_voice_override_keeps_the_other_languages_defaults():
    default = config.from_dict({}).tts.voices
    assert set(default) == {"hi", "en"}
    c = config.from_dict({"tts": {"voices": {"en": "espeak:en"}}})
    assert c.tts.voices == {"en": "espeak:en", "hi": default["hi"]}
    c = config.from_dict({"tts": {"voices": {"mr": "espeak:mr"}, "speed": 1.2}})
    assert c.tts.voices == {**default, "mr": "espeak:mr"} and c.tts.speed == 1.2
    assert config.from_dict({}).tts.voices == default           # the defaults are not changed


def test_a_voice_override_in_a_file_keeps_the_hindi_voice(tmp_path):
    from vaani.assistant import tts_voices

    f = tmp_path / "vaani.toml"
    f.write_text('[tts.voices]\nen = "espeak:en"\n', encoding="utf-8")
    assert tts_voices(config.load(f)) == {"hi": ("espeak", "hi"), "en": ("espeak", "en")}


@pytest.mark.parametrize("key, value", [
    ("temperature", -0.1), ("temperature", 10.5), ("temperature", float("nan")),
    ("temperature", float("inf")), ("top_p", 0.0), ("top_p", 1.01), ("top_p", -1.0),
    ("top_p", float("nan")),
])
def test_llm_sampling_settings_are_checked_like_the_server_checks_them(key, value):
    with pytest.raises(ConfigError) as info:
        config.from_dict({"llm": {key: value}})
    assert str(info.value).startswith(f"llm.{key} must be")
    # the same rule and words as a request to `vaani serve` (vaani.llm.engine.Request.check)
    from vaani.llm.chat import RequestError
    from vaani.llm.engine import Request

    with pytest.raises(RequestError) as request_info:
        Request(**{key: value}).check()
    assert str(info.value) == f"llm.{request_info.value}"


@pytest.mark.parametrize("temperature, top_p", [(0, 1), (10, 0.001), (0.3, 0.95), (2.5, 0.5)])
def test_llm_sampling_settings_in_range_are_kept(temperature, top_p):
    c = config.from_dict({"llm": {"temperature": temperature, "top_p": top_p}})
    assert (c.llm.temperature, c.llm.top_p) == (temperature, top_p)
    from vaani.llm.engine import Request

    Request(temperature=temperature, top_p=top_p).check()


@pytest.mark.parametrize("languages, fragment", [
    ([], "at least one"),
    (["fr"], "unknown language 'fr'"),
    (["hi", "hi"], "twice"),
    ("hi", "expected a list"),
    ([5], "asr.languages[0]"),
])
def test_asr_languages_are_checked(languages, fragment):
    with pytest.raises(ConfigError) as info:
        config.from_dict({"asr": {"languages": languages}})
    assert fragment in str(info.value) and "asr.languages" in str(info.value)


def test_asr_languages_default_and_kept():
    assert config.from_dict({}).asr.languages == ["hi", "en"]
    assert config.from_dict({"asr": {"languages": ["en"]}}).asr.languages == ["en"]
    assert config.from_dict({"asr": {"languages": ["en", "hi"]}}).asr.languages == ["en", "hi"]
