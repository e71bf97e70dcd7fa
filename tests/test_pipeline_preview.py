"""Plugin replies synthesised ahead (vaani_preview) on fakes: used only when the confirmed
reply is the previewed one; dropped when it differs, when the user goes on, or on failure."""

from vaani.audio import ArraySource, MemorySink
from vaani.hookspecs import Reply, hookimpl
from vaani.testing import FakeAsr, FakeTts, Script, rig


class PureClock:
    def __init__(self, handle_text="It is ten o'clock.", preview_text=None, raises=False):
        self.handle_text = handle_text
        self.preview_text = handle_text if preview_text is None else preview_text
        self.raises = raises
        self.previews = []
        self.handled = []

    @hookimpl
    def vaani_preview(self, utterance):
        self.previews.append(utterance.text)
        if self.raises:
            raise RuntimeError("preview broke")
        return Reply(self.preview_text) if "time" in utterance.text else None

    @hookimpl
    def vaani_handle(self, utterance):
        self.handled.append(utterance.text)
        return Reply(self.handle_text) if "time" in utterance.text else None


QUESTION = Script().silence(0.4).say("what time is it", 0.9).silence(1.0)


def run(skill, script=QUESTION):
    # real-time input: the preview is made in the end-of-turn pause, which needs wall time
    r = rig(script, plugins=(skill,), tts=FakeTts(first_audio_s=0.1),
            asr=FakeAsr(script.vocabulary, latency_s=0.01), sink=MemorySink(realtime=True))
    (turn,) = r.pipeline.run(ArraySource(script.audio, realtime=True))
    return r, turn


def test_the_previewed_reply_is_spoken_from_audio_made_in_the_pause():
    skill = PureClock()
    r, turn = run(skill)
    assert turn.reply == "It is ten o'clock." and turn.source == "plugin:p0_pureclock"
    assert turn.timings.get("tts_ahead") == 1.0
    assert r.tts.texts == [("It is ten o'clock.", "en")]        # synthesised once, ahead
    assert skill.previews == ["what time is it"] and skill.handled == ["what time is it"]
    assert len(r.sink.audio) > 0 and r.of("Error") == []


def test_a_reply_that_differs_from_its_preview_is_synthesised_anew():
    skill = PureClock(handle_text="It is five past ten.", preview_text="It is ten o'clock.")
    r, turn = run(skill)
    assert turn.reply == "It is five past ten." and "tts_ahead" not in turn.timings
    assert [t for t, _ in r.tts.texts] == ["It is ten o'clock.", "It is five past ten."]
    spoken = [e.text for e in r.of("SpeechChunk")]
    assert spoken and set(spoken) == {"It is five past ten."}


def test_a_failing_preview_changes_nothing_and_reports_nothing():
    skill = PureClock(raises=True)
    r, turn = run(skill)
    assert turn.reply == "It is ten o'clock." and "tts_ahead" not in turn.timings
    assert r.of("Error") == []


def test_a_preview_the_user_talked_over_is_dropped():
    s = Script().silence(0.3).say("what time", 0.6).silence(0.2).say("is it in delhi", 0.6).silence(1.0)
    skill = PureClock()
    r = rig(s, plugins=(skill,), asr=FakeAsr(s.vocabulary, latency_s=0.01),
            sink=MemorySink(realtime=True, speed=4.0))
    (turn,) = r.pipeline.run(ArraySource(s.audio, realtime=True, speed=4.0))
    assert turn.transcript == "what time is it in delhi" and turn.reply == "It is ten o'clock."
    assert skill.handled == ["what time is it in delhi"]
    assert {e.text for e in r.of("SpeechChunk")} == {"It is ten o'clock."}
