"""[llm] route_english (issue 12): English turns no skill answered go to the English model,
everything else to the main one; a missing pack is one warning and the main model for all;
routed replies pass the same guard and tools as the main model's."""

import json
import logging
import time

import pytest

from vaani import config as config_mod
from vaani.errors import ConfigError, ModelMissingError
from vaani.hookspecs import Reply, Tool, hookimpl
from vaani.llm.routing import LlmRouter, english_config, english_engine
from vaani.llm.tools import TOOL_CALL
from vaani.testing import FakeLlm, FakeTts, Script, rig

from tests.conftest import large_model_file

ROUTED = {"llm": {"route_english": "big-en"}}

MAIN = config_mod.LlmConfig().model              # the default LLM (chimera-v3)


class Store:
    """A model store with some packs installed."""

    def __init__(self, *installed):
        self.installed = set(installed)

    def file(self, name):
        if name not in self.installed:
            raise ModelMissingError(f"model pack '{name}' is not installed")
        return f"/models/{name}.gguf"


def routed_rig(english, *, plugins=(), config=None, main=None):
    """A pipeline on fakes whose Engines carry an English model, as Assistant builds them."""
    from vaani.pipeline import Engines, Pipeline

    r = rig(Script(), llm=main or FakeLlm("मुख्य मॉडल।", first_token_s=0.0, token_s=0.0),
            plugins=plugins, config={**ROUTED, **(config or {})})
    p = r.pipeline
    engines = Engines(llm=p.engines.llm, llm_english=english, llm_english_model="big-en",
                      tts={"en": FakeTts(), "hi": FakeTts()})
    routed = Pipeline(p.config, engines, host=r.host, sink=r.sink)
    r.host.emit = routed.emit
    return routed, r


# -- the decision, pure ------------------------------------------------------------------------


def test_english_goes_to_the_english_model_everything_else_to_the_main_one():
    main, big = FakeLlm(), FakeLlm()
    router = LlmRouter(main, "chimera", big, "big-en")
    en = router.process("en")
    assert en.engine is big and en.model == "big-en" and en.routed
    assert en.scores and en.tools                   # the guard reads its scores, tools listed
    for language in ("hi", "", "mr"):
        route = router.process(language)
        assert route.engine is main and route.model == "chimera" and not route.routed


def test_without_an_english_model_every_language_stays_on_the_main_one():
    main = FakeLlm()
    router = LlmRouter(main, "chimera")
    assert router.process("en").engine is main and router.process("hi").engine is main


def test_the_english_engine_is_built_from_the_route_s_model_and_draft():
    cfg = config_mod.from_dict({"llm": {"route_english": "big-en",
                                        "route_english_draft": "small-en",
                                        "draft_model": "chimera-draft"}})
    built = []
    engine = english_engine(cfg, Store("big-en", "small-en"),
                            lambda c: built.append(c) or "engine")
    assert engine == "engine"
    (c,) = built
    assert (c.llm.model, c.llm.draft_model) == ("big-en", "small-en")
    assert cfg.llm.model == MAIN and cfg.llm.draft_model == "chimera-draft"  # untouched
    assert english_config(cfg).assistant is cfg.assistant


def test_a_missing_pack_is_one_warning_and_the_main_model_for_everything(caplog):
    cfg = config_mod.from_dict(ROUTED)
    built = []
    with caplog.at_level(logging.WARNING, logger="vaani.llm.routing"):
        engine = english_engine(cfg, Store("chimera"), built.append)
    assert engine is None and not built
    (record,) = caplog.records
    assert "big-en not installed" in record.getMessage()
    assert "vaani models install big-en" in record.getMessage()
    main = FakeLlm()
    assert LlmRouter(main, "chimera", engine).process("en").engine is main


def test_a_missing_draft_or_a_failing_engine_never_stops_the_assistant(caplog):
    cfg = config_mod.from_dict({"llm": {"route_english": "big-en",
                                        "route_english_draft": "small-en"}})
    with caplog.at_level(logging.WARNING, logger="vaani.llm.routing"):
        assert english_engine(cfg, Store("big-en"), lambda c: "engine") is None
        assert english_engine(config_mod.from_dict(ROUTED), Store("big-en"),
                              lambda c: 1 / 0) is None
        assert english_engine(config_mod.from_dict(ROUTED), None, lambda c: "engine") is None
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert "small-en not installed" in messages[0] and "cannot load big-en" in messages[1]


def test_off_or_the_main_model_itself_loads_nothing(caplog):
    with caplog.at_level(logging.WARNING):
        assert english_engine(config_mod.from_dict({}), Store(), lambda c: 1 / 0) is None
        same = config_mod.from_dict({"llm": {"route_english": MAIN}})
        assert english_engine(same, Store(MAIN), lambda c: 1 / 0) is None
    assert not caplog.records


def test_config_route_english_defaults_off_and_a_draft_needs_its_model():
    assert config_mod.from_dict({}).llm.route_english == ""
    with pytest.raises(ConfigError, match="route_english_draft needs llm.route_english"):
        config_mod.from_dict({"llm": {"route_english_draft": "small-en"}})
    with pytest.raises(ConfigError, match="route_englsh"):
        config_mod.from_dict({"llm": {"route_englsh": "big-en"}})


# -- through the pipeline: same guard, same tools ----------------------------------------------


def test_an_english_question_no_skill_takes_is_answered_by_the_english_model():
    big = FakeLlm("Because air scatters blue light most.", first_token_s=0.0, token_s=0.0)
    p, r = routed_rig(big, config={"guard": {"min_confidence": 0.0}})
    turn = p.ask("Why is the sky blue?")
    assert turn.source == "llm" and turn.reply == "Because air scatters blue light most."
    assert turn.data["llm_model"] == "big-en" and len(big.calls) == 1 and not r.llm.calls
    assert big.tools[0] is None                     # no tools installed in this rig


def test_hindi_and_hinglish_stay_on_the_main_model():
    big = FakeLlm("English.", first_token_s=0.0, token_s=0.0)
    p, r = routed_rig(big, config={"guard": {"min_confidence": 0.0}})
    for question in ("आसमान नीला क्यों होता है?", "aasman neela kyon hota hai?"):
        turn = p.ask(question)
        assert turn.language == "hi" and turn.data["llm_model"] == MAIN
    assert len(r.llm.calls) == 2 and not big.calls


def test_a_skill_answer_never_reaches_either_model():
    class Clock:
        @hookimpl
        def vaani_handle(self, utterance):
            return Reply("It is ten o'clock.") if "time" in utterance.text else None

    big = FakeLlm("Nine.", first_token_s=0.0, token_s=0.0)
    p, r = routed_rig(big, plugins=(Clock(),))
    turn = p.ask("What time is it?")
    assert turn.source.startswith("plugin:") and turn.reply == "It is ten o'clock."
    assert not big.calls and not r.llm.calls


def test_the_guard_stops_a_routed_claim_that_no_tool_ran():
    big = FakeLlm("Done! I've saved it.", first_token_s=0.0, token_s=0.0)
    p, _ = routed_rig(big, config={"guard": {"min_confidence": 0.0}})
    turn = p.ask("can you note that I parked on level 2")
    assert turn.data["llm_model"] == "big-en" and big.calls
    assert turn.data["abstained"] == "claimed_action" and "saved" not in turn.reply


def test_the_guard_declines_live_information_before_the_routed_model_is_asked():
    big = FakeLlm("The prime minister is Someone.", first_token_s=0.0, token_s=0.0)
    p, _ = routed_rig(big, config={"guard": {"min_confidence": 0.0}})
    turn = p.ask("Who is the prime minister today?")
    assert "abstained" in turn.data and "Someone" not in turn.reply and not big.calls


def test_the_routed_model_s_own_calibrated_threshold_applies():
    # an uncalibrated model's free answers are not spoken (guard.DEFAULT_MIN_CONFIDENCE = 1)
    big = FakeLlm("Paris.", first_token_s=0.0, token_s=0.0, confidence=0.99)
    p, _ = routed_rig(big)
    turn = p.ask("What is the capital of France?")
    assert turn.data["abstained"] == "unsure" and big.calls


def test_a_routed_tool_call_runs_through_the_plugins_and_is_worded_from_the_result():
    class Weather:
        def __init__(self):
            self.calls = []

        @hookimpl
        def vaani_tools(self):
            def call(args, language):
                self.calls.append((args, language))
                return {"city": args.get("city"), "temp_c": 31}
            return [Tool("weather", "weather for a city", {"city": "string"}, call)]

    def model(user):
        if user.startswith("{"):
            return f"In {json.loads(user)['city']} it is 31 degrees."
        return TOOL_CALL + json.dumps({"name": "weather", "arguments": {"city": "Pune"}})

    weather = Weather()
    big = FakeLlm(model, first_token_s=0.0, token_s=0.0)
    p, r = routed_rig(big, plugins=(weather,), config={"guard": {"min_confidence": 0.0}})
    turn = p.ask("What is the weather like in Pune for my trip?")
    assert weather.calls == [({"city": "Pune"}, "en")] and not r.llm.calls
    assert [t["function"]["name"] if "function" in t else t["name"] for t in big.tools[0]] \
        == ["weather"]
    assert turn.data["tool_calls"][0]["result"] == {"city": "Pune", "temp_c": 31}
    assert turn.data["llm_model"] == "big-en"


# -- the real pair (skips without the large group) ---------------------------------------------


@pytest.mark.slow
@pytest.mark.models
def test_the_assistant_routes_english_to_the_installed_large_model():
    from vaani.assistant import Assistant

    large_model_file("qwen2.5-coder-1.5b")
    cfg = config_mod.from_dict({"llm": {"route_english": "qwen2.5-coder-1.5b",
                                        "max_tokens": 24},
                                "guard": {"min_confidence": 0.0}, "trace": {"enabled": False}})
    t = time.perf_counter()
    with Assistant(cfg, needs=("llm",)) as a:
        started_s = time.perf_counter() - t
        assert a.engines.llm_english is not None and "llm:en" in a.warmup_ms
        en = a.pipeline.ask("Why is the sky blue?")
        hi = a.pipeline.ask("आसमान नीला क्यों होता है?")
    assert en.source == "llm" and en.data["llm_model"] == "qwen2.5-coder-1.5b", en
    assert "scatter" in en.reply.lower() or "light" in en.reply.lower(), en
    assert hi.data["llm_model"] == MAIN and hi.language == "hi"
    assert started_s < 120
