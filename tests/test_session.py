"""The session core: commands from any thread through the inbox, the state as events, slow
subscribers that cannot stall the microphone, no microphone as a state, push-to-talk, mute,
language and config reload. Fake engines (pipeline logic and timing), a fake live microphone."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from vaani import config as config_mod
from vaani import protocol
from vaani.assistant import Assistant
from vaani.audio import MemorySink
from vaani.errors import AudioDeviceError
from vaani.session import Bus, Session, State
from vaani.testing import (FakeAsr, FakeEngines, FakeLlm, FakeMicrophone, FakeTts, FakeVad,
                           FakeWake, Script, ScriptedSkill, fake_config)

QUESTION = Script().silence(0.3).say("what time is it", 0.9).silence(1.2)
ANSWERS = {"what time is it": "It is ten o'clock.",
           "count to forty please": " ".join(f"{n}." for n in range(1, 41))}   # ~12 s spoken


def make_assistant(config, *, tts=None, llm=None, sink=None):
    engines = FakeEngines(vad=FakeVad(), wake=FakeWake(), asr=FakeAsr(QUESTION.vocabulary),
                          llm=llm or FakeLlm(), tts=tts or FakeTts())
    return Assistant(config, extra_plugins=[("fakes", engines), ("skill", ScriptedSkill(ANSWERS))],
                     entry_points=False, models=object(), trace=False,
                     sink=sink if sink is not None else MemorySink())


def session(audio=False, mic=None, wake=False, **kw):
    config = config_mod.from_dict(fake_config(assistant={"require_wake_word": wake}))
    source = (lambda: mic) if audio else None
    s = Session(config, lambda c: make_assistant(c, **kw), source=source)
    return s.start()


def until(predicate, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def states(events):
    return [e.state for e in events if e.kind == "StateChanged"]


# -- text only ------------------------------------------------------------------------------------

def test_a_typed_question_is_answered_with_its_turn_and_the_states_in_order():
    s = session()
    events = []
    s.subscribe(events.append)
    try:
        result = s.request(protocol.Ask(text="what time is it", id="q1"), timeout=10)
        assert (result.id, result.command, result.ok) == ("q1", "Ask", True)
        assert result.data["reply"] == "It is ten o'clock."
        assert result.data["source"] == "plugin:skill" and result.data["outcome"] == "answered"
        assert until(lambda: "TurnFinished" in [e.kind for e in events])
        assert until(lambda: states(events)[-1:] == ["idle"])
        assert states(events) == ["thinking", "speaking", "idle"]
        kinds = [e.kind for e in events]
        assert kinds.index("PlaybackStarted") < kinds.index("TurnFinished")
    finally:
        s.close()
    assert s.state == State.STOPPED


def test_commands_from_many_threads_are_all_answered():
    s = session()
    results = []
    try:
        threads = [threading.Thread(target=lambda i=i: results.append(
            s.request(protocol.Ask(text="what time is it", id=str(i)), timeout=30)))
            for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(int(r.id) for r in results) == list(range(8))
        assert all(r.ok and r.data["reply"] == "It is ten o'clock." for r in results)
        assert s.status()["turns"] == 8
    finally:
        s.close()


def test_bad_commands_get_errors_and_the_session_goes_on():
    s = session()
    try:
        empty = s.request(protocol.Ask(text="  "), timeout=5)
        assert not empty.ok and "empty" in empty.error["message"]
        lang = s.request(protocol.SetLanguage(language="fr"), timeout=5)
        assert not lang.ok and lang.error["title"] == "Configuration error"
        ptt = s.request(protocol.PushToTalk(pressed=True), timeout=5)
        assert not ptt.ok and "microphone" in ptt.error["message"] and ptt.error["hint"]
        assert s.request(protocol.Ask(text="what time is it"), timeout=5).ok
    finally:
        s.close()
    late = s.request(protocol.GetStatus(), timeout=5)
    assert not late.ok and "stopped" in late.error["message"]


def test_status_says_what_a_gui_shows():
    s = session()
    try:
        data = s.request(protocol.GetStatus(), timeout=5).data
        assert data["state"] == "idle" and data["audio"] is False and data["muted"] is False
        assert data["language"] == "auto" and data["languages"] == ["hi", "en"]
        assert {p["name"] for p in data["plugins"]} >= {"skill"}
        assert data["pending"] == [] and data["clients"] == 0 and data["uptime_s"] >= 0
        assert data["config_path"].endswith("config.toml")      # what ReloadConfig reads
    finally:
        s.close()


def test_set_language_applies_to_the_next_turn():
    s = session()
    try:
        assert s.request(protocol.SetLanguage(language="hi"), timeout=5).data == {"language": "hi"}
        result = s.request(protocol.Ask(text="what time is it"), timeout=5)
        assert result.data["language"] == "hi"
        assert s.status()["language"] == "hi"
    finally:
        s.close()


def test_say_speaks_the_text_as_it_is():
    s = session()
    events = []
    s.subscribe(events.append)
    try:
        result = s.request(protocol.Say(text="Dinner is ready.", language="en"), timeout=10)
        assert result.ok and result.data["spoken"] == 1
        assert until(lambda: any(e.kind == "Notification" for e in events))
        note = next(e for e in events if e.kind == "Notification")
        assert (note.text, note.source) == ("Dinner is ready.", "say")
    finally:
        s.close()


def test_cancel_stops_a_reply_that_is_speaking_at_once():
    s = session(sink=MemorySink(realtime=True))
    events = []
    s.subscribe(events.append)
    try:
        future = s.submit(protocol.Ask(text="count to forty please"))
        assert until(lambda: any(e.kind == "PlaybackStarted" for e in events))
        t = time.monotonic()
        assert s.request(protocol.Cancel(), timeout=10).ok
        result = future.result(10)
        assert time.monotonic() - t < 3.0
        assert result.data["outcome"] == "cancelled"
        assert until(lambda: any(e.kind == "PlaybackStopped" for e in events))
        assert next(e for e in events if e.kind == "PlaybackStopped").interrupted
    finally:
        s.close()


# -- subscribers ----------------------------------------------------------------------------------

def test_a_slow_subscriber_drops_level_events_and_never_blocks_the_bus():
    from vaani.events import MicLevel, TurnFinished

    bus = Bus()
    release = threading.Event()
    got = []
    slow = bus.subscribe(lambda e: (release.wait(5), got.append(e.kind)), name="slow", maxsize=4)
    fast = []
    bus.subscribe(lambda e: fast.append(e.kind), name="fast")
    t = time.monotonic()
    for i in range(200):
        bus.publish(MicLevel(rms=0.1, peak=0.2, at=i / 10))
    bus.publish(TurnFinished(outcome="answered"))
    assert time.monotonic() - t < 0.5                   # publish never waited for "slow"
    assert until(lambda: len(fast) == 201)
    assert slow.dropped >= 190
    release.set()
    assert until(lambda: len(got) == 200 - slow.dropped + 1 - slow.lost)
    bus.close()


def test_a_stuck_subscriber_is_told_when_it_would_lose_turn_events():
    from vaani.events import TurnFinished

    bus = Bus()
    release = threading.Event()
    overflowed = []
    bus.subscribe(lambda e: release.wait(5), name="stuck", maxsize=2,
                  on_overflow=lambda sub: overflowed.append(sub.name))
    for _ in range(5):
        bus.publish(TurnFinished(outcome="answered"))
    assert overflowed and overflowed[0] == "stuck"
    release.set()
    bus.close()


def test_a_subscriber_that_raises_does_not_stop_the_others():
    s = session()
    seen = []
    s.subscribe(lambda e: 1 / 0, name="broken")
    s.subscribe(seen.append)
    try:
        assert s.request(protocol.Ask(text="what time is it"), timeout=5).ok
        assert until(lambda: any(e.kind == "TurnFinished" for e in seen))
    finally:
        s.close()


# -- with a microphone ----------------------------------------------------------------------------

def test_spoken_question_on_an_open_microphone_with_levels():
    mic = FakeMicrophone(speed=2.0)
    s = session(audio=True, mic=mic)
    events = []
    s.subscribe(events.append)
    try:
        assert until(lambda: s.state == State.LISTENING)
        mic.play(QUESTION.audio)
        assert until(lambda: any(e.kind == "TurnFinished" for e in events))
        text = "".join(e.text for e in events if e.kind == "ReplyTextChunk")
        assert text.strip() == "It is ten o'clock."
        assert until(lambda: s.state == State.LISTENING)
        assert states(events)[-3:] == ["thinking", "speaking", "listening"]
        levels = [e for e in events if e.kind == "MicLevel"]
        audio_s = sum(len(e.samples) for e in events if e.kind == "AudioChunk") / 16000
        # about ten a second of audio, not one per 32 ms block
        assert 5 * audio_s <= len(levels) <= 12 * audio_s + 2
        assert max(e.peak for e in levels) > 0.05 and min(e.rms for e in levels) == 0.0
    finally:
        s.close()


def test_a_typed_question_while_listening_is_answered_by_the_loop():
    mic = FakeMicrophone(speed=2.0)
    s = session(audio=True, mic=mic)
    try:
        assert until(lambda: s.state == State.LISTENING)
        result = s.request(protocol.Ask(text="what time is it"), timeout=10)
        assert result.ok and result.data["reply"] == "It is ten o'clock."
        assert result.data["trigger"] == "text"
        assert until(lambda: s.state == State.LISTENING)
    finally:
        s.close()


def test_push_to_talk_takes_the_question_without_wake_word_or_endpointing():
    mic = FakeMicrophone(speed=2.0)
    s = session(audio=True, mic=mic, wake=True)
    events = []
    s.subscribe(events.append)
    try:
        assert until(lambda: s.state == State.IDLE and mic.opened == 1)
        pressed = s.request(protocol.PushToTalk(pressed=True), timeout=5)
        assert pressed.ok and pressed.data["turn"] > 0
        assert until(lambda: s.state == State.LISTENING)
        mic.play(QUESTION.audio)
        assert until(lambda: not mic.playing)
        assert s.request(protocol.PushToTalk(pressed=False), timeout=5).ok
        assert until(lambda: any(e.kind == "TurnFinished" for e in events))
        started = next(e for e in events if e.kind == "TurnStarted")
        stopped = next(e for e in events if e.kind == "VoiceStopped")
        assert started.trigger == "push_to_talk" and stopped.reason == "push_to_talk"
        heard = next(e for e in events if e.kind == "Transcript" and e.final)
        assert heard.text == "what time is it"
        finished = next(e for e in events if e.kind == "TurnFinished")
        assert finished.outcome == "answered"
        assert until(lambda: s.state == State.IDLE)
    finally:
        s.close()


def test_a_push_to_talk_let_go_at_once_asks_nothing():
    mic = FakeMicrophone(speed=2.0)
    s = session(audio=True, mic=mic, wake=True)
    events = []
    s.subscribe(events.append)
    try:
        assert until(lambda: mic.opened == 1)
        s.request(protocol.PushToTalk(pressed=True), timeout=5)
        s.request(protocol.PushToTalk(pressed=False), timeout=5)
        assert until(lambda: any(e.kind == "TurnFinished" for e in events))
        assert next(e for e in events if e.kind == "TurnFinished").outcome == "no_speech"
        assert not any(e.kind == "Transcript" for e in events)
    finally:
        s.close()


def test_mute_closes_the_microphone_and_unmute_opens_it_again():
    mic = FakeMicrophone(speed=2.0)
    s = session(audio=True, mic=mic)
    events = []
    s.subscribe(events.append)
    try:
        assert until(lambda: s.state == State.LISTENING)
        assert s.request(protocol.SetMuted(muted=True), timeout=5).data == {"muted": True}
        assert until(lambda: s.state == State.MUTED)
        chunks = sum(e.kind == "AudioChunk" for e in events)
        mic.play(QUESTION.audio)
        time.sleep(0.5)
        assert sum(e.kind == "AudioChunk" for e in events) <= chunks + 1    # nothing heard
        assert s.request(protocol.Ask(text="what time is it"), timeout=5).ok   # typing works
        assert s.request(protocol.SetMuted(muted=False), timeout=5).ok
        assert until(lambda: s.state == State.LISTENING) and mic.opened == 2
    finally:
        s.close()


def test_no_microphone_is_a_state_retried_and_typed_questions_work(monkeypatch):
    import vaani.session as session_mod

    monkeypatch.setattr(session_mod, "RETRY_S", (0.2,))
    mic = FakeMicrophone(speed=2.0)
    tries = []

    def open_mic():
        tries.append(time.monotonic())
        if len(tries) < 3:
            raise AudioDeviceError("no microphone available: no input device",
                                   hint="check `vaani devices`")
        return mic

    config = config_mod.from_dict(fake_config(assistant={"require_wake_word": False}))
    s = Session(config, make_assistant, source=open_mic).start()
    events = []
    s.subscribe(events.append)
    try:
        assert until(lambda: s.state == State.NO_MICROPHONE)
        status = s.status()
        assert status["state"] == "no_microphone" and "no input device" in status["why"]
        assert s.request(protocol.Ask(text="what time is it"), timeout=5).ok
        assert until(lambda: s.state == State.LISTENING)
        assert len(tries) == 3 and mic.opened == 1
        # the state is set before its event reaches subscribers (through the pipeline): wait
        assert until(lambda: any(e.kind == "StateChanged" and e.state == "listening"
                                 for e in events))
        change = next(e for e in events if e.kind == "StateChanged" and e.state == "listening")
        assert change.previous == "no_microphone"
    finally:
        s.close()


def test_reload_config_applies_a_changed_file_and_keeps_a_broken_one_out(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[assistant]\nlanguage = "auto"\n[trace]\nenabled = false\n'
                    '[wake]\nengine = "fake"\nmodel = "fake"\n[vad]\nengine = "fake"\n'
                    'model = "fake"\n[asr]\nengine = "fake"\nmodel = "fake"\n'
                    'english_model = ""\n[llm]\nengine = "fake"\nmodel = "fake"\n'
                    '[tts]\nengine = "auto"\n[tts.voices]\nen = "fake:a"\nhi = "fake:b"\n',
                    encoding="utf-8")
    config = config_mod.load(path)
    s = Session(config, make_assistant, config_path=path).start()
    try:
        assert s.request(protocol.ReloadConfig(), timeout=10).data == {"reloaded": False}
        first = s.assistant
        path.write_text(path.read_text(encoding="utf-8").replace('"auto"\n[trace]',
                                                                 '"hi"\n[trace]', 1))
        assert s.request(protocol.ReloadConfig(), timeout=10).data == {"reloaded": True}
        assert s.assistant is not first and s.status()["language"] == "hi"
        assert s.request(protocol.Ask(text="what time is it"), timeout=5).data["language"] == "hi"
        path.write_text("[assistant\nbroken", encoding="utf-8")
        bad = s.request(protocol.ReloadConfig(), timeout=10)
        assert not bad.ok and bad.error["title"] == "Configuration error"
        assert s.request(protocol.Ask(text="what time is it"), timeout=5).ok
    finally:
        s.close()


@pytest.mark.parametrize("audio", [False, True])
def test_close_is_prompt_and_idempotent(audio):
    s = session(audio=audio, mic=FakeMicrophone(speed=2.0))
    t = time.monotonic()
    s.close()
    s.close()
    assert time.monotonic() - t < 5 and s.state == State.STOPPED


def test_the_facade_drives_a_session_without_internals():
    import vaani

    config = config_mod.from_dict(fake_config())
    with vaani.Session(config, lambda c: make_assistant(c)) as s:
        result = s.request(vaani.Ask(text="what time is it"), timeout=5)
        assert isinstance(result, vaani.Result) and result.data["reply"] == "It is ten o'clock."
        assert s.state in (vaani.State.IDLE, vaani.State.THINKING, vaani.State.SPEAKING)
    assert callable(vaani.assistant_factory(trace=False))
    with pytest.raises(AttributeError):
        vaani.Pipeline


def test_importing_vaani_loads_nothing_heavy():
    import subprocess
    import sys

    code = ("import sys, vaani; heavy = [m for m in ('numpy', 'vaani.session', 'vaani.pipeline') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
