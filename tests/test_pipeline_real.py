"""The pipeline on the real engines and models (Silero, Whisper, openWakeWord, Piper), on
generated speech with known bounds. The LLM is a fake here (its engine has its own tests);
replies that need a long playback use the fake TTS."""

import numpy as np
import pytest

from vaani import config as config_mod
from vaani.audio import ArraySource, MemorySink
from vaani.engines import EngineContext
from vaani.hookspecs import hookimpl
from vaani.pipeline import Engines, Pipeline
from vaani.plugins import PluginHost
from vaani.testing import FakeLlm, FakeTts

pytestmark = [pytest.mark.models, pytest.mark.slow]


class Recorder:
    """Sees every utterance a plugin would see; answers only "time" questions."""

    def __init__(self):
        self.heard = []

    @hookimpl(tryfirst=True)
    def vaani_handle(self, utterance):
        self.heard.append(utterance.text)
        if "time" in utterance.text.lower():
            from vaani.hookspecs import Reply
            return Reply("It is ten o'clock.")
        return None


@pytest.fixture(scope="module")
def real():
    """The real engines, loaded once for the module."""
    from vaani.models import ModelStore

    for name in ("silero-vad", "whisper-base", "whisper-tiny-en", "oww-features",
                 "wake-hey-jarvis", "piper-en-joe"):
        try:
            ModelStore.from_config(config_mod.from_dict({})).path(name)
        except Exception as exc:
            import os
            if os.environ.get("CI"):
                pytest.fail(f"model missing in CI: {exc}")
            pytest.skip(str(exc))
    config = config_mod.from_dict({"assistant": {"language": "en"}})
    host = PluginHost(config)
    host.load()
    store = ModelStore.from_config(config)

    def make(kind, name, model="", voice="", options=None):
        return host.create_engine(kind, name, EngineContext(config, store, options or {},
                                                            model=model, voice=voice))
    return {
        "vad": make("vad", "silero", "silero-vad"),
        "asr": make("asr", "faster-whisper", "whisper-base"),
        "wake": make("wake", "openwakeword", "wake-hey-jarvis"),
        "tts": make("tts", "piper", "piper-en-joe", "piper-en-joe"),
        "store": store,
    }


def pipeline(real, *, wake=False, llm=None, tts=None, sink=None, **cfg):
    cfg.setdefault("assistant", {}).setdefault("language", "en")
    config = config_mod.from_dict(cfg)
    events = []
    box = []
    host = PluginHost(config, emit=lambda e: box[0].emit(e))
    recorder = Recorder()
    host.load(extra=[("recorder", recorder)], entry_points=False)
    engines = Engines(vad=real["vad"], asr=real["asr"], wake=real["wake"] if wake else None,
                      llm=llm or FakeLlm("Sure."), tts={"en": tts or real["tts"]})
    p = Pipeline(config, engines, host=host, sink=sink or MemorySink(), require_wake_word=wake)
    box.append(p)
    p.subscribe(events.append)
    return p, recorder, events


def utterance(text, lead=0.5, tail=1.2, **kw):
    from vaani.speech_fixtures import synthesize_utterance

    return synthesize_utterance(text, "en", lead_s=lead, tail_s=tail, **kw)


def test_spoken_question_is_heard_and_answered(real):
    p, rec, events = pipeline(real)
    u = utterance("What time is it?")
    (turn,) = p.run(ArraySource(u.audio))
    assert "what time is it" in turn.transcript.lower()
    assert turn.reply == "It is ten o'clock." and rec.heard == [turn.transcript]
    stopped = [e for e in events if e.kind == "VoiceStopped"][0]
    assert abs(stopped.at - u.end) < 0.15                 # Silero ends near the true end
    assert turn.timings["asr_reused"] == 1.0              # the speculative pass was used
    assert len(p.sink.audio) > 0


def test_wake_word_then_question(real):
    p, rec, events = pipeline(real, wake=True)
    wake = utterance("Hey Jarvis!", lead=0.5, tail=0.3)
    question = utterance("What time is it?", lead=0.0, tail=1.2)
    audio = np.concatenate([wake.audio, question.audio])
    (turn,) = p.run(ArraySource(audio))
    assert turn.trigger == "wake" and "time" in turn.transcript.lower()
    # the same question without the wake word does nothing
    p2, rec2, _ = pipeline(real, wake=True)
    assert p2.run(ArraySource(question.audio)) == [] and rec2.heard == []


@pytest.mark.parametrize("engine,model,phrase,frame", [
    (None, None, "Hey Vaani!", 1280),                      # the default: VAANI's own name
    ("microwakeword", "mww-okay-nabu", "Okay Nabu!", 480),   # microWakeWord, 30 ms frames
])
def test_default_wake_word_then_question(real, engine, model, phrase, frame):
    """The configured wake engine in the same pipeline as the other real engines."""
    from tests.conftest import model_path

    config = config_mod.from_dict({} if engine is None else
                                  {"wake": {"engine": engine, "model": model}})
    model_path(config.wake.model)
    host = PluginHost(config)
    host.load()
    mww = host.create_engine("wake", config.wake.engine, EngineContext(
        config, real["store"], {}, model=config.wake.model))
    assert mww.frame_samples == frame
    if engine is None:
        assert (config.wake.engine, config.wake.model) == ("openwakeword", "wake-vaani")
    p, rec, events = pipeline(dict(real, wake=mww), wake=True)
    wake = utterance(phrase, lead=0.5, tail=0.3)
    question = utterance("What time is it?", lead=0.0, tail=1.2)
    (turn,) = p.run(ArraySource(np.concatenate([wake.audio, question.audio])))
    assert turn.trigger == "wake" and "time" in turn.transcript.lower()
    p2, rec2, _ = pipeline(dict(real, wake=mww), wake=True)
    mww.reset()
    assert p2.run(ArraySource(question.audio)) == [] and rec2.heard == []


@pytest.mark.parametrize("kind", ["silence", "white", "hum", "babble"])
def test_silence_and_noise_cause_no_action(real, kind):
    from vaani.speech_fixtures import babble, white_noise

    seconds = 4.0
    if kind == "silence":
        audio = np.zeros(int(seconds * 16000), np.float32)
    elif kind == "white":
        audio = white_noise(seconds, level=0.05, seed=1)
    elif kind == "babble":                  # six talkers at once: speech nobody said to us
        audio = babble(seconds, level=0.05, seed=3)
    else:
        t = np.arange(int(seconds * 16000)) / 16000
        audio = (0.05 * np.sin(2 * np.pi * 50 * t) + white_noise(seconds, 0.005, seed=2)).astype(np.float32)
    llm = FakeLlm("I should not be asked.")
    p, rec, events = pipeline(real, llm=llm)
    turns = p.run(ArraySource(audio))
    assert rec.heard == [] and llm.finished_t is None
    assert all(t.outcome in ("rejected", "no_speech") for t in turns)
    assert len(p.sink.audio) == 0


def test_speech_barges_in_on_a_long_reply(real):
    speed = 1.0
    animals = ("dog cat cow horse goat sheep tiger lion bear deer fox wolf owl crow duck "
               "hen parrot monkey camel zebra").split()      # no repetition for the guard to cut
    llm = FakeLlm("Once upon a time, " + ", ".join(f"the {a} came" for a in animals) + ".",
                  token_s=0.05)
    sink = MemorySink(realtime=True, speed=speed)
    p, rec, events = pipeline(real, llm=llm, tts=FakeTts(per_char_s=0.03), sink=sink,
                              assistant={"language": "en", "follow_up_s": 3.0})
    story = utterance("Tell me a story.", lead=0.3, tail=2.0)
    stop = utterance("What time is it?", lead=0.0, tail=1.5)
    turns = p.run(ArraySource(np.concatenate([story.audio, stop.audio]), realtime=True))
    assert [t.outcome for t in turns][:2] == ["cancelled", "answered"]
    assert "time" in turns[1].transcript.lower()
    assert sink.stops >= 1 and llm.cancelled >= 1
    interrupted = [e for e in events if e.kind == "PlaybackStopped" and e.interrupted]
    # playback stopped within ~0.5 s of the user starting to speak
    t0 = p._source.t0
    start_wall = t0 + (len(story.audio) / 16000) + stop.start
    assert interrupted and interrupted[0].t - start_wall < 0.6
