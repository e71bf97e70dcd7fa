"""The plugin kit's option checker (vaani/kit.py): one wording for every plugin's table."""

import pytest

from vaani.errors import ConfigError
from vaani.kit import ANY, Option, engine_options, plugin_options

OPTIONS = plugin_options(
    "weather",
    Option("city", str, "Delhi", "the city asked about when none is named"),
    Option("days", int, 3, "how many days a forecast covers", min=1, max=7),
    Option("scale", float, 1.0, "a factor", above=0),
    Option("units", str, "metric", choices=("metric", "imperial")),
    Option("speak", bool, True),
    Option("extra", list, None),
    Option("zone", ANY, "", check=lambda v: v if isinstance(v, str) else
           (_ for _ in ()).throw(ValueError(f"expected a string, got {v!r}"))),
)


def test_defaults_fill_what_the_table_leaves_out_and_ints_become_floats():
    assert OPTIONS.check({}) == {"city": "Delhi", "days": 3, "scale": 1.0, "units": "metric",
                                 "speak": True, "extra": None, "zone": ""}
    got = OPTIONS.check({"days": 7, "scale": 2, "extra": ["a"]})
    assert got["days"] == 7 and got["scale"] == 2.0 and isinstance(got["scale"], float)
    assert OPTIONS.check(None)["city"] == "Delhi"


@pytest.mark.parametrize("table, message", [
    ({"dayz": 1}, "unknown config key 'plugins.weather.dayz'"),
    ({"days": 0}, "plugins.weather.days must be an integer from 1 to 7, got 0"),
    ({"days": True}, "plugins.weather.days must be an integer from 1 to 7, got True"),
    ({"days": 2.5}, "plugins.weather.days must be an integer"),
    ({"scale": 0}, "plugins.weather.scale must be a positive number, got 0"),
    ({"scale": "big"}, "plugins.weather.scale must be a positive number"),
    ({"units": "si"}, "plugins.weather.units must be metric or imperial, got 'si'"),
    ({"speak": "yes"}, "plugins.weather.speak must be true or false"),
    ({"city": 5}, "plugins.weather.city must be a string, got 5"),
    ({"extra": "a"}, "plugins.weather.extra must be a list"),
    ({"zone": 5}, "plugins.weather.zone: expected a string, got 5"),
])
def test_errors_name_the_key(table, message):
    with pytest.raises(ConfigError) as info:
        OPTIONS.check(table)
    assert message in str(info.value)


def test_unknown_key_hint_lists_known_keys_and_engine_wording():
    with pytest.raises(ConfigError) as info:
        OPTIONS.check({"dayz": 1})
    assert "known keys: city, days, extra, scale, speak, units, zone" in str(info.value)
    vad = engine_options("vad", "silero", Option("threads", int, 1, min=1))
    with pytest.raises(ConfigError) as info:
        vad.check({"treshold": 1})
    assert str(info.value) == ("unknown option 'treshold' for engine 'silero' "
                               "(known options: threads)")
    with pytest.raises(ConfigError, match="vad.options.threads must be a positive integer"):
        vad.check({"threads": 0})
    tts = engine_options("tts", "piper", kind="TTS")
    with pytest.raises(ConfigError, match="unknown option 'x' for TTS engine 'piper'"):
        tts.check({"x": 1})


def test_expectations_in_words_and_describe():
    assert Option("n", int, 0, min=0).expectation() == "a non-negative integer"
    assert Option("n", float, 0.0, min=0).expectation() == "a non-negative number"
    assert Option("n", float, 1.0, min=1).expectation() == "a number of at least 1"
    assert Option("n", float, 0.5, min=0, max=1).expectation() == "a number from 0 to 1"
    assert Option("n", str, "a", choices=("a", "b", "c")).expectation() == "one of a, b, c"
    assert Option("n", int, 0, expect="a small number").expectation() == "a small number"
    rows = {r["name"]: r for r in OPTIONS.describe()}
    assert rows["days"] == {"name": "days", "type": "int", "default": 3,
                            "allowed": "an integer from 1 to 7",
                            "description": "how many days a forecast covers"}
    assert rows["zone"]["type"] == "any"
    with pytest.raises(ValueError, match="twice"):
        plugin_options("x", Option("a"), Option("a"))


def test_a_test_predicate_and_shared_tables():
    from vaani.kit import own_table
    models = plugin_options("w", Option("models", list, [], expect="a list of model names",
                                        test=lambda v: all(isinstance(m, str) and m for m in v)))
    assert models.check({"models": ["a"]}) == {"models": ["a"]}
    with pytest.raises(ConfigError, match="plugins.w.models must be a list of model names, got"):
        models.check({"models": ["a", ""]})
    shared = {"timeout_s": 5, "piper": {"volume": 2, "timeout_s": 6}, "espeak": {"pitch": 50}}
    assert own_table(shared, "piper") == {"timeout_s": 6, "volume": 2}
    assert own_table(shared, "espeak") == {"timeout_s": 5, "pitch": 50}
    assert own_table(None, "x") == {}
