"""The desktop app's Qt-free parts: the conversation folded from events, the latency
timeline, the level meter's scale, the cancel phrases the real timer and alarm skills
understand, and the settings written to the config file with its comments kept."""

from __future__ import annotations

import tomllib

import pytest

from vaani.errors import ConfigError
from vaani.events import (Error, Notification, ReplyTextChunk, Transcript, TurnFinished,
                          TurnStarted)
from vaani.gui import model


def test_events_fold_into_turns():
    conv = model.Conversation()
    assert conv.apply(TurnStarted(trigger="push_to_talk", turn=4)).trigger == "push_to_talk"
    conv.apply(Transcript(text="what ti", language="en", final=False, turn=4))
    assert conv.turns[4].heard == "what ti"
    conv.apply(Transcript(text="what time is it", language="en", turn=4))
    conv.apply(ReplyTextChunk(text="It is ", source="plugin:clock", turn=4))
    conv.apply(ReplyTextChunk(text="ten.", source="plugin:clock", final=True, turn=4))
    conv.apply(Error(title="Plugin error", message="boom", source="x", turn=4))
    view = conv.apply(TurnFinished(outcome="answered", timings={"plugin": 2.0}, turn=4))
    assert (view.heard, view.reply, view.source, view.outcome) == (
        "what time is it", "It is ten.", "plugin:clock", "answered")
    assert view.errors == ["Plugin error: boom"] and view.partial == ""
    note = conv.apply(Notification(text="Your 5 minute timer is done.", source="timer"))
    assert isinstance(note, model.NoteView) and conv.items[-1] is note
    assert conv.apply(Error(title="Audio error", message="gone", source="sink")) is None
    assert model.source_label("plugin:clock") == "the clock skill"
    assert model.source_label("llm", "chimera") == "the model (chimera)"


def test_a_turn_number_used_again_after_a_reload_is_a_new_turn():
    conv = model.Conversation()
    conv.apply(TurnStarted(trigger="text", turn=1))
    conv.apply(ReplyTextChunk(text="First.", source="llm", turn=1))
    conv.apply(TurnFinished(outcome="answered", turn=1))
    again = conv.apply(TurnStarted(trigger="text", turn=1))     # a new pipeline counts anew
    conv.apply(ReplyTextChunk(text="Second.", source="llm", turn=1))
    first, second = conv.items
    assert (first.reply, second.reply) == ("First.", "Second.") and again is second
    assert first.key != second.key
    late = conv.apply(Transcript(text="joined mid-turn", language="en", turn=9))
    assert late.heard == "joined mid-turn" and late.key == 3


def test_the_conversation_keeps_a_bounded_history():
    conv = model.Conversation(limit=3)
    for n in range(1, 6):
        conv.apply(TurnStarted(trigger="text", turn=n))
    assert sorted(conv.turns) == [3, 4, 5] and len(conv.items) == 3


def test_the_timeline_of_a_spoken_turn_answered_by_the_model():
    line = model.timeline({"endpoint": 250.0, "asr": 400.0, "asr_wait": 60.0, "plugin": 2.0,
                           "llm_first_token": 90.0, "response": 210.0, "e2e": 460.0})
    assert [(s.label, s.start_ms, s.ms) for s in line.segments] == [
        ("endpoint", 0.0, 250.0), ("ASR", 250.0, 60.0), ("skills", 310.0, 2.0),
        ("LLM", 312.0, 90.0), ("speech", 402.0, 58.0)]
    assert line.first_audio_ms == 460.0 and line.end_ms == 460.0
    assert line.summary() == ("endpoint 250 ms · ASR 60 ms · skills 2 ms · LLM 90 ms · "
                              "first audio at 460 ms")


def test_the_timeline_of_a_typed_turn_and_of_one_that_never_spoke():
    typed = model.timeline({"plugin": 1.5, "response": 24.0})
    assert [s.label for s in typed.segments] == ["skills", "speech"]
    assert typed.first_audio_ms == 24.0
    silent = model.timeline({"endpoint": 250.0})
    assert silent.first_audio_ms is None and silent.summary() == "endpoint 250 ms"
    assert model.timeline({}).segments == ()


def test_the_level_meter_is_in_decibels():
    assert model.level_fraction(0.0) == 0.0 and model.level_fraction(1.0) == 1.0
    assert model.level_fraction(0.001) == 0.0                  # -60 dBFS: empty
    assert model.level_fraction(0.0316) == pytest.approx(0.5, abs=0.01)    # -30 dBFS: half


def test_due_times_read_naturally():
    assert model.due_text(0) == "due now"
    assert model.due_text(299.6) == "in 5:00" and model.due_text(65) == "in 1:05"
    assert model.due_text(2 * 3600 + 600) == "in 2 h 10 min"
    assert model.due_text(3 * 86400) == "in 3 days"


@pytest.mark.parametrize("what", ["the 5 minute timer", "the pasta timer",
                                  "the 1 hour 30 minute timer", "the 90 second timer"])
def test_the_timer_skill_takes_each_cancel_phrase(what):
    import vaani_timer

    request = vaani_timer.understand(model.cancel_phrase(what))
    assert request is not None and request.action == "cancel"


@pytest.mark.parametrize("what,kind", [("the 7:00 AM alarm", "alarm"),
                                       ("the reminder at 7:30 PM", "reminder"),
                                       ("the 12:00 PM alarm", "alarm")])
def test_the_alarm_skill_takes_each_cancel_phrase(what, kind):
    from vaani_alarms.understand import understand

    request = understand(model.cancel_phrase(what), "en")
    assert request is not None and (request.action, request.kind) == ("cancel", kind)
    assert request.when.clock is not None


def test_the_pending_descriptions_are_what_the_phrases_expect():
    """The words ``vaani_pending`` uses are the ones the phrases above were checked with."""
    import vaani_timer
    from vaani_alarms.phrases import en_clock

    assert f"the {vaani_timer._name(300, '', 'en')} timer" == "the 5 minute timer"
    assert f"the {vaani_timer._name(5400, '', 'en')} timer" == "the 1 hour 30 minute timer"
    assert f"the {vaani_timer._name(60, 'pasta', 'en')} timer" == "the pasta timer"
    assert f"the {en_clock(7, 0)} alarm" == "the 7:00 AM alarm"


# -- the settings file ----------------------------------------------------------------------------

@pytest.fixture
def configfile():
    pytest.importorskip("tomlkit", reason="the gui extra (tomlkit) is not installed")
    from vaani.gui import configfile as module

    return module


USER_FILE = """\
# VAANI, my way
[assistant]
language = "auto"  # per question
follow_up_s = 3.0

[tts.voices]
hi = "espeak:hi"   # the Hindi voice I like

[plugins.units]
rates = { usd = 83.0 }
"""


def test_settings_write_only_what_changed_and_keep_comments(tmp_path, configfile):
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    before = configfile.read(path)
    assert before["assistant.language"] == "auto" and before["tts.voices.hi"] == "espeak:hi"
    assert before["tts.voices.en"] == "piper:piper-en-joe"            # the default, merged
    configfile.write(path, {"assistant.language": "hi", "tts.voices.en": "espeak:en",
                            "audio.input_device": "USB", "assistant.require_wake_word": False})
    text = path.read_text(encoding="utf-8")
    for kept in ("# VAANI, my way", "# per question", "# the Hindi voice I like",
                 "follow_up_s = 3.0", "rates = { usd = 83.0 }"):
        assert kept in text
    data = tomllib.loads(text)
    assert data["assistant"] == {"language": "hi", "follow_up_s": 3.0,
                                 "require_wake_word": False}
    assert data["tts"]["voices"] == {"hi": "espeak:hi", "en": "espeak:en"}
    assert data["audio"] == {"input_device": "USB"}
    after = configfile.read(path)
    assert after["assistant.language"] == "hi" and after["audio.input_device"] == "USB"
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_new_file_and_its_folder_are_created(tmp_path, configfile):
    path = tmp_path / "vaani" / "config.toml"
    assert configfile.read(path)["assistant.language"] == "auto"     # the defaults
    configfile.write(path, {"llm.model": "smollm2-135m"})
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"llm": {"model": "smollm2-135m"}}


def test_a_value_vaani_refuses_leaves_the_file_alone(tmp_path, configfile):
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    with pytest.raises(ConfigError, match="assistant.language"):
        configfile.write(path, {"assistant.language": "fr"})
    with pytest.raises(ConfigError, match="not a setting"):
        configfile.write(path, {"guard.enabled": False})
    path.write_text("[assistant\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        configfile.write(path, {"assistant.language": "hi"})
    assert path.read_text(encoding="utf-8") == "[assistant\n"


def test_the_default_file_is_the_users(monkeypatch, tmp_path, configfile):
    from vaani import config as config_mod

    monkeypatch.setattr(config_mod, "default_path", lambda: tmp_path / "user.toml")
    assert configfile.settings_path(None) == tmp_path / "user.toml"
    assert configfile.settings_path(tmp_path / "x.toml") == tmp_path / "x.toml"
