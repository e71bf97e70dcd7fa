"""The Assistant: engines by name through the plugin host, warm-up, voices, errors."""

import pytest

from vaani import config as config_mod
from vaani.assistant import Assistant, asr_language, asr_model, tts_voices
from vaani.engines import EngineSpec
from vaani.errors import ConfigError, ModelMissingError
from vaani.hookspecs import hookimpl
from vaani.testing import (FakeAsr, FakeEngines, FakeLlm, FakeTts, FakeVad, FakeWake, Notifier,
                           fake_config)


class CountingTts(FakeTts):
    made = 0

    def __init__(self, **kw):
        super().__init__(**kw)
        CountingTts.made += 1


class Store:
    def path(self, name):
        raise ModelMissingError(f"model '{name}' is not installed",
                                hint=f"vaani models install {name}")

    file = path


def build(**cfg):
    engines = FakeEngines(vad=FakeVad(), wake=FakeWake(), asr=FakeAsr({}), llm=FakeLlm(),
                          tts=FakeTts())
    config = config_mod.from_dict(fake_config(**cfg))
    return Assistant(config, extra_plugins=[("fakes", engines)], entry_points=False,
                     models=object(), trace=False), engines


def test_engines_are_created_by_name_with_their_model_and_options():
    a, engines = build(asr={"model": "whisper-x", "options": {"beam": 2}})
    with a:
        assert a.engines.asr is engines.engines["asr"] and a.engines.wake is not None
        asr_ctx = [c for c in engines.contexts if c.model == "whisper-x"][0]
        assert asr_ctx.options == {"beam": 2}
        assert set(a.engines.tts) == {"en", "hi"}
        assert set(a.warmup_ms) >= {"wake", "vad", "asr", "llm", "tts:en", "tts:hi"}
        assert a.pipeline is not None


def test_only_the_needed_engines_are_built():
    engines = FakeEngines(llm=FakeLlm(), tts=FakeTts())
    config = config_mod.from_dict(fake_config())
    with Assistant(config, needs=("llm",), extra_plugins=[("f", engines)], entry_points=False,
                   models=object(), trace=False) as a:
        assert a.engines.llm is not None and a.engines.asr is None and a.engines.tts == {}
        assert a.pipeline.ask("hi").reply == "This is a fake answer."


def test_one_engine_per_distinct_voice():
    CountingTts.made = 0

    class Plugin:
        @hookimpl
        def vaani_engines(self):
            return [EngineSpec("tts", "fake", lambda ctx: CountingTts())]

    config = config_mod.from_dict(fake_config(tts={"voices": {"en": "fake:same", "hi": "fake:same"}}))
    with Assistant(config, needs=("tts",), extra_plugins=[("p", Plugin())], entry_points=False,
                   models=object(), trace=False, warm=False) as a:
        assert a.engines.tts["en"] is a.engines.tts["hi"] and CountingTts.made == 1


def test_a_language_without_a_voice_is_a_config_error():
    config = config_mod.from_dict(fake_config(tts={"voices": {"en": "fake:a", "hi": ""}}))
    with pytest.raises(ConfigError, match="no voice for language 'hi'"):
        tts_voices(config)


def test_a_voice_for_one_language_keeps_the_default_voice_of_the_other():
    config = config_mod.from_dict({"tts": {"voices": {"en": "fake:a"}}})
    assert tts_voices(config) == {"hi": ("espeak", "hi"), "en": ("fake", "a")}


def test_a_missing_model_reaches_the_user_with_its_fix():
    class NeedsModel:
        @hookimpl
        def vaani_engines(self):
            return [EngineSpec("vad", "fake", lambda ctx: ctx.models.path("silero-vad"))]

    config = config_mod.from_dict(fake_config())
    a = Assistant(config, needs=("vad",), extra_plugins=[("p", NeedsModel())],
                  entry_points=False, models=Store(), trace=False)
    with pytest.raises(ModelMissingError) as info:
        a.start()
    assert "vaani models install silero-vad" in info.value.user_text()


def test_plugins_get_startup_and_can_notify_through_the_pipeline():
    notifier = Notifier()
    engines = FakeEngines(vad=FakeVad(), asr=FakeAsr({}), llm=FakeLlm(), tts=FakeTts())
    config = config_mod.from_dict(fake_config())
    with Assistant(config, extra_plugins=[("f", engines), ("n", notifier)], entry_points=False,
                   models=object(), trace=False, needs=("vad", "asr", "llm", "tts")) as a:
        notifier.say("Timer done.")
        assert a.pipeline._notifications.qsize() == 1


def test_trace_goes_to_the_configured_file(tmp_path):
    engines = FakeEngines(llm=FakeLlm(), tts=FakeTts())
    config = config_mod.from_dict(fake_config(trace={"enabled": True,
                                                     "path": str(tmp_path / "t.jsonl")}))
    with Assistant(config, needs=("llm",), extra_plugins=[("f", engines)], entry_points=False,
                   models=object()) as a:
        a.pipeline.ask("hello")
    assert '"transcript": "hello"' in (tmp_path / "t.jsonl").read_text()


@pytest.mark.parametrize("language, languages, expected", [
    ("en", ["hi", "en"], "en"), ("auto", ["hi", "en"], None), ("auto", ["en"], "en"),
    ("hi", ["hi", "en"], "hi")])
def test_asr_language_and_model(language, languages, expected):
    config = config_mod.from_dict({"assistant": {"language": language, "languages": languages}})
    assert asr_language(config) == expected
    assert asr_model(config) == ("whisper-tiny-en" if expected == "en" else "whisper-base")


def test_llm_warm_up_reads_the_tools_a_turn_will_offer():
    """So the engine keeps the system prompt with the tool list evaluated (Qwen2.5's template
    spends 1,300 tokens on 18 tools): the first turn's prompt then shares that prefix."""
    from vaani.hookspecs import Tool

    class Tools:
        @hookimpl
        def vaani_tools(self):
            return [Tool("weather", "weather for a city", {"city": "string"},
                         lambda args, language: {})]

    engines = FakeEngines(llm=FakeLlm(), tts=FakeTts())
    config = config_mod.from_dict(fake_config())
    with Assistant(config, needs=("llm",), extra_plugins=[("f", engines), ("t", Tools())],
                   entry_points=False, models=object(), trace=False) as a:
        llm = a.engines.llm
        warm = llm.tools[0]
        assert [t["function"]["name"] for t in warm] == ["weather"]
        a.pipeline.ask("why is the sky blue")
        assert llm.tools[-1] == warm                 # the same list, so the same prefix
