"""The test kit authors get: vaani.testing.PluginKit and the pytest fixtures registered
through the ``pytest11`` entry point (vaani/pytest_plugin.py), used here as an author would."""

from __future__ import annotations

import textwrap
from datetime import datetime

import pytest

from vaani.hookspecs import Reply, Tool, hookimpl
from vaani.testing import FakeClock, PluginKit, en, hi, utterance

pytest_plugins = ["pytester"]


class Weather:
    """A small third-party-style skill: answers the weather, offers a tool, says later."""

    def __init__(self):
        self.ctx = None
        self.table = None

    @hookimpl
    def vaani_configure(self, table):
        self.table = table

    @hookimpl
    def vaani_startup(self, ctx):
        self.ctx = ctx

    @hookimpl
    def vaani_handle(self, utterance):
        if "weather" in utterance.text or "मौसम" in utterance.text:
            when = datetime.fromtimestamp(self.ctx.now()).strftime("%H:%M")
            text = "It is sunny." if utterance.language == "en" else "आज धूप है।"
            return Reply(text, data={"at": when})
        return None

    @hookimpl
    def vaani_tools(self):
        return [Tool("weather", "the weather in a city", {"city": "string"},
                     lambda args, language: {"city": args["city"], "temp_c": 31},
                     say=lambda result, language: f"It is {result['temp_c']} degrees in "
                                                  f"{result['city']}.")]

    @hookimpl
    def vaani_abilities(self, language):
        return ["the weather" if language == "en" else "मौसम"]


@pytest.fixture
def vaani_plugins():
    return {"weather": Weather()}


@pytest.fixture
def vaani_config():
    return {"plugins": {"weather": {"city": "Pune"}}}


def test_the_fixtures_are_registered_through_the_entry_point(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("vaani"), \
        "the pytest11 entry point is missing: .venv/bin/pip install -e . --no-deps"


def test_ask_gives_the_reply_the_answering_plugin_and_the_events(vaani):
    said = vaani.ask("what's the weather")
    assert (said.text, said.plugin, said.language) == ("It is sunny.", "weather", "en")
    assert said.kinds()[0] == "TurnStarted" and said.kinds()[-1] == "TurnFinished"
    assert said.errors == [] and str(said) == "It is sunny."
    assert vaani.ask("आज मौसम कैसा है").text == "आज धूप है।"
    assert vaani.host.pm.get_plugin("weather").table == {"city": "Pune"}


def test_the_model_path_and_tool_calls_with_the_fake_model(vaani, vaani_ask):
    assert vaani_ask("tell me a story").source == "llm"
    vaani.model_says("Once upon a time.")
    assert vaani_ask("tell me a story").text == "Once upon a time."
    vaani.model_calls("weather", {"city": "Pune"})
    said = vaani_ask("how hot is it in Pune")
    assert said.text == "It is 31 degrees in Pune." and said.source == "llm"
    assert said.tool_calls == [{"name": "weather", "arguments": {"city": "Pune"},
                                "result": {"city": "Pune", "temp_c": 31}}]
    assert list(vaani.tools()) == ["weather"]
    assert vaani.call_tool("weather", {"city": "Pune"}, utterance="weather in Pune") == {
        "city": "Pune", "temp_c": 31}
    assert vaani.abilities("hi") == ["मौसम"]


def test_utterance_builders_and_the_plugins_alone(vaani):
    assert hi("alarm lagao").language == "hi" and en("hello").language == "en"
    assert utterance("समय क्या है").language == "hi" and utterance("what time").language == "en"
    assert vaani.hi("मौसम").language == "hi"
    assert vaani.handle("what's the weather").plugin == "weather"
    assert vaani.handle(vaani.en("hello there")) is None
    assert vaani.preview("what's the weather") is None          # no vaani_preview


def test_a_clock_the_test_controls(vaani, vaani_time):
    assert vaani.ask("what's the weather").data["at"] == "10:30"
    vaani_time.advance(minutes=90)
    assert vaani.ask("what's the weather").data["at"] == "12:00"
    vaani_time.set(datetime(2026, 5, 1, 7, 5))
    assert vaani.ask("what's the weather").data["at"] == "07:05"


def test_fake_clock():
    clock = FakeClock(datetime(2026, 1, 1, 0, 0))
    start = clock()
    assert clock.advance(hours=1, minutes=1, seconds=1) == start + 3661
    assert clock.datetime() == datetime(2026, 1, 1, 1, 1, 1) and clock.now() == clock()


@pytest.mark.vaani(entry_points=True, config={"plugins": {"disabled": ["timer"]}})
def test_the_built_in_skills_beside_yours(vaani):
    assert vaani.ask("what time is it").plugin == "clock"
    assert vaani.ask("what's the weather").plugin == "weather"
    assert "timer" not in vaani.host.plugin_names()


def test_notifications_said_later():
    weather = Weather()
    with PluginKit({"weather": weather}) as kit:
        weather.ctx.notify("Rain in ten minutes.", "en")
        assert kit.notifications(wait_s=1.0) == ["Rain in ten minutes."]
        assert kit.notifications() == []


def test_a_plugin_that_raises_shows_as_an_error_event_of_the_turn():
    class Broken:
        @hookimpl
        def vaani_handle(self, utterance):
            raise RuntimeError("boom")

    with PluginKit({"broken": Broken()}) as kit:
        said = kit.ask("anything")
        assert said.source == "llm" and "boom" in said.errors[0].message
        assert kit.errors() == said.errors


@pytest.mark.models
@pytest.mark.vaani(engines="real")
def test_real_engines_answer_through_the_same_kit(vaani):
    assert vaani.ask("what's the weather").plugin == "weather"
    said = vaani.ask("what time is it")
    assert said.plugin == "clock" and said.text


def test_real_engines_are_skipped_without_models(pytester):
    pytester.makepyfile(textwrap.dedent("""
        import pytest

        @pytest.mark.vaani(engines="real", config={"llm": {"model": "not-installed"}})
        def test_real(vaani):
            assert vaani.ask("hello").text
    """))
    result = pytester.runpytest("-p", "no:cacheprovider", "-q", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*real engines need the models*"])


def test_an_authors_conftest_overrides_the_fixtures(pytester):
    pytester.makepyfile(my_skill=textwrap.dedent("""
        from vaani.kit import Reply, hookimpl

        @hookimpl
        def vaani_configure(table):
            global GREETING
            GREETING = table.get("greeting", "Hello!")

        @hookimpl
        def vaani_handle(utterance):
            return Reply(GREETING) if "hello" in utterance.text else None
    """))
    pytester.makeconftest(textwrap.dedent("""
        import pytest

        @pytest.fixture
        def vaani_plugins():
            import my_skill
            return {"my_skill": my_skill}
    """))
    pytester.makepyfile(test_skill=textwrap.dedent("""
        import pytest

        def test_default(vaani_ask):
            assert vaani_ask("hello").text == "Hello!"

        @pytest.mark.vaani(config={"plugins": {"my_skill": {"greeting": "Namaste!"}}})
        def test_marked(vaani):
            assert vaani.ask("hello").plugin == "my_skill"
            assert vaani.ask("hello").text == "Namaste!"
    """))
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2)
