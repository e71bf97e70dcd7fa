import numpy as np
import pytest

from vaani.audio import SILENCE_LEVEL
from vaani.engines import AsrResult
from vaani.stages import (BargeInDetector, ClauseSplitter, Discard, EndOfTurn, Endpointer,
                          LanguageResolver, Pause, Resume, Reuse, SpeculativeAsr, Start,
                          TranscriptFilter, TtsStage, VoiceOnset, WakeGate)
from vaani.testing import FakeEndOfTurn, FakeTts, FakeVad, FakeWake, Script, tone

# -- clause splitter ----------------------------------------------------------------------


def split_stream(text, pieces=1, **kw):
    s = ClauseSplitter(**kw)
    out = []
    step = max(1, pieces)
    for i in range(0, len(text), step):
        out += s.process(text[i:i + step])
    return out + s.flush()


@pytest.mark.parametrize("step", [1, 3, 1000])
def test_clauses_split_on_terminators_whatever_the_token_size(step):
    text = "नमस्ते! आज मौसम अच्छा है। क्या आप बाहर जाएंगे? Sure. It costs 3.5 rupees, Dr. Rao said."
    assert split_stream(text, step) == [
        "नमस्ते!", "आज मौसम अच्छा है।", "क्या आप बाहर जाएंगे?", "Sure.",
        "It costs 3.5 rupees,", "Dr. Rao said."]


def test_comma_splits_only_after_a_few_words():
    assert split_stream("Yes, I can do that, and then I will tell you more, okay") == [
        "Yes, I can do that,", "and then I will tell you more,", "okay"]


def test_first_clause_is_emitted_before_the_reply_ends():
    s = ClauseSplitter()
    assert s.process("The time is ") == []
    assert s.process("ten o'clock. And") == ["The time is ten o'clock."]
    assert s.flush() == ["And"]


def test_run_on_text_is_cut_at_a_space():
    words = " ".join(f"w{i}" for i in range(30))
    out = split_stream(words, 4)
    assert out[0] == " ".join(f"w{i}" for i in range(8))
    assert " ".join(out) == words


def test_punctuation_only_pieces_join_the_previous_clause():
    assert split_stream("Really?!... Yes.", 1000) == ["Really?!...", "Yes."]
    assert split_stream("Really?!... Yes.", 1) == ["Really?", "Yes."]   # stray marks dropped


def test_ellipsis_quotes_and_abbreviations():
    assert split_stream('He said "go." Then e.g. this, ok') == ['He said "go."', "Then e.g. this, ok"]


# -- endpointer ---------------------------------------------------------------------------


def run_endpointer(audio, **kw):
    ep = Endpointer(FakeVad(), **kw)
    out = []
    for i in range(0, len(audio), 480):         # blocks that are not frame multiples
        out += ep.process(audio[i:i + 480], i / 16000)
    return out + ep.flush(len(audio) / 16000), ep


def test_endpointer_onset_pause_end_with_preroll():
    s = Script().silence(0.5).say("a", 1.0).silence(0.6)
    out, _ = run_endpointer(s.audio, hangover_ms=250, pre_roll_ms=300)
    kinds = [type(e).__name__ for e in out]
    assert kinds == ["VoiceOnset", "Pause", "EndOfTurn"]
    onset, pause, end = out
    assert abs(onset.at - 0.5) < 0.04
    assert abs(pause.at - 1.5) < 0.04 and abs(end.at - 1.5) < 0.04
    assert 0.22 <= end.decided_at - end.at <= 0.3      # the hangover
    assert end.reason == "silence"
    # pre-roll: the utterance starts ~300 ms before the onset
    assert 1.0 + 0.25 < len(end.audio) / 16000 < 1.0 + 0.3 + 0.3


def test_short_blip_is_not_a_voice():
    s = Script().silence(0.3).say("click", 0.06).silence(1.0)
    out, _ = run_endpointer(s.audio, min_speech_ms=120)
    assert out == []


def test_pause_shorter_than_hangover_resumes_the_same_utterance():
    s = Script().silence(0.3).say("a", 0.6).silence(0.15).say("b", 0.5).silence(0.5)
    out, _ = run_endpointer(s.audio, hangover_ms=250)
    assert [type(e).__name__ for e in out] == ["VoiceOnset", "Pause", "Resume", "Pause", "EndOfTurn"]
    assert abs(out[-1].at - 1.55) < 0.04


def test_max_utterance_caps_a_long_turn():
    s = Script().say("a", 4.0).silence(0.5)
    out, _ = run_endpointer(s.audio, max_utterance_s=2.0)
    end = [e for e in out if isinstance(e, EndOfTurn)][0]
    assert end.reason == "max_length" and abs(end.decided_at - 2.0) < 0.1


def test_end_of_stream_closes_an_open_utterance():
    s = Script().silence(0.2).say("a", 1.0)
    out, _ = run_endpointer(s.audio)
    assert out[-1].reason == "end_of_stream"


def test_end_of_turn_model_extends_the_hangover():
    s = Script().say("a", 0.8).silence(0.5).say("b", 0.5).silence(1.5)
    eot = FakeEndOfTurn(0.1)                    # "not finished" every time
    out, _ = run_endpointer(s.audio, hangover_ms=250, end_of_turn=eot, eot_max_ms=800)
    ends = [e for e in out if isinstance(e, EndOfTurn)]
    assert len(ends) == 1 and ends[0].end_of_turn_p == pytest.approx(0.1)
    assert 0.75 <= ends[0].decided_at - ends[0].at <= 0.85
    assert eot.calls == 2                       # once per pause
    # and without the model the 0.5 s pause ends the turn
    out, _ = run_endpointer(s.audio, hangover_ms=250)
    assert len([e for e in out if isinstance(e, EndOfTurn)]) == 2


def test_vad_lag_delays_the_pause():
    s = Script().say("a", 1.0).silence(1.0)
    ep = Endpointer(FakeVad(lag_frames=3), hangover_ms=250)
    out = ep.process(s.audio, 0.0)
    assert abs(out[1].at - (1.0 + 3 * 0.032)) < 0.04


# -- wake gate ----------------------------------------------------------------------------


def test_wake_gate_fires_once_per_wake_word():
    s = Script().silence(0.3).wake(0.6).silence(0.5).wake(0.6).silence(1.2).wake(0.6).silence(0.3)
    gate = WakeGate(FakeWake(), threshold=0.5, refractory_s=1.5)
    hits = []
    for i in range(0, len(s.audio), 1000):
        hits += gate.process(s.audio[i:i + 1000], i / 16000)
    assert len(hits) == 2                       # the second one fell in the refractory time
    assert 0.9 <= hits[0].at < 1.1           # at the end of the phrase


# -- speculative ASR ----------------------------------------------------------------------


def test_speculative_pass_reused_when_the_user_does_not_resume():
    c = SpeculativeAsr()
    audio = np.zeros(100, np.float32)
    assert c.process(VoiceOnset(0.0)) == []
    (start,) = c.process(Pause(1.0, audio))
    assert isinstance(start, Start) and start.kind == "speculative"
    assert c.process(EndOfTurn(1.0, 1.25, "silence", audio)) == [Reuse(start.job)]


def test_speculative_pass_discarded_and_redone_when_the_user_resumes():
    c = SpeculativeAsr()
    audio = np.zeros(100, np.float32)
    (first,) = c.process(Pause(1.0, audio))
    assert c.process(Resume(1.1)) == [Discard(first.job)]
    out = c.process(EndOfTurn(2.0, 2.25, "max_length", audio))
    assert len(out) == 1 and isinstance(out[0], Start) and out[0].kind == "final"


def test_speculation_off_transcribes_at_the_end_only():
    c = SpeculativeAsr(enabled=False)
    assert c.process(Pause(1.0, np.zeros(1))) == []
    (start,) = c.process(EndOfTurn(1.0, 1.2, "silence", np.zeros(1)))
    assert start.kind == "final"


def test_partials_every_n_seconds_when_asr_idle():
    c = SpeculativeAsr(partial_every_s=1.0)
    assert c.tick(np.zeros(8000, np.float32), busy=False) == []
    assert c.tick(np.zeros(16000, np.float32), busy=True) == []
    (p,) = c.tick(np.zeros(16000, np.float32), busy=False)
    assert p.kind == "partial"
    assert c.tick(np.zeros(20000, np.float32), busy=False) == []


# -- transcript filter --------------------------------------------------------------------


@pytest.mark.parametrize("result, reason", [
    (AsrResult("", "en"), "empty"),
    (AsrResult(" ... ", "en"), "empty"),
    (AsrResult("Thank you.", "en", no_speech_prob=0.7, avg_logprob=-1.2), "no_speech"),
    (AsrResult("Thank you.", "en", no_speech_prob=0.3, avg_logprob=-0.5), "hallucination"),
    (AsrResult("a", "en"), "too_short"),
    (AsrResult("Thank you.", "en", no_speech_prob=0.01, avg_logprob=-0.2), ""),
    (AsrResult("क्या समय हुआ है", "hi", no_speech_prob=0.1, avg_logprob=-0.4), ""),
    (AsrResult("Hello there", "en", rejected="repetition"), "repetition"),
])
def test_transcript_filter(result, reason):
    assert TranscriptFilter().process(result) == reason


def test_echo_of_our_own_reply_is_rejected():
    f = TranscriptFilter()
    f.remember_reply("It is ten o'clock in the evening.")
    assert f.process(AsrResult("it is ten o clock in the evening", "en")) == "echo"
    assert f.process(AsrResult("ten o'clock in the evening", "en")) == "echo"
    assert f.process(AsrResult("set a timer for ten minutes", "en")) == ""
    f.reset()
    assert f.process(AsrResult("it is ten o clock in the evening", "en")) == ""


# -- language -----------------------------------------------------------------------------


def test_language_fixed_or_resolved_within_allowed():
    assert LanguageResolver("hi").process("what time is it", "en") == "hi"
    auto = LanguageResolver("auto", ["hi", "en"])
    assert auto.process("क्या समय हुआ है", "hi") == "hi"
    assert auto.process("what time is it", "en") == "en"
    assert LanguageResolver("auto", ["en"]).process("क्या समय हुआ है", "hi") == "en"


# -- TTS stage ----------------------------------------------------------------------------


def test_tts_stage_picks_the_voice_normalizes_and_trims_lead_in():
    en, hi = FakeTts(lead_s=0.2), FakeTts(sample_rate=16000, lead_s=0.2)
    stage = TtsStage({"en": en, "hi": hi}, "en", normalize=lambda t, lang: f"[{lang}]{t}")
    chunks = list(stage.process("५ बजे", "hi", first=True))
    assert hi.texts == [("[hi]५ बजे", "hi")] and en.texts == []
    assert chunks[0][1] == 16000
    lead = np.flatnonzero(np.abs(chunks[0][0]) > SILENCE_LEVEL)[0]
    assert lead <= 16000 * 0.006                # ~200 ms of lead-in trimmed to <= 5 ms
    # not the first clause: untouched; unknown language: the default voice
    later = np.concatenate([c for c, _ in stage.process("hello", "fr")])
    assert en.texts == [("[en]hello", "en")]
    assert np.flatnonzero(np.abs(later) > SILENCE_LEVEL)[0] >= 0.19 * 22050


def test_tts_stage_survives_a_broken_normalizer():
    def boom(text, lang):
        raise ValueError("bug")
    tts = FakeTts()
    assert list(TtsStage({"en": tts}, "en", normalize=boom).process("hi there", "en"))
    assert tts.texts == [("hi there", "en")]


# -- barge-in -----------------------------------------------------------------------------


def feed(det, audio, level=0.0, block=512):
    for i in range(0, len(audio), block):
        hit = det.process(audio[i:i + block], i / 16000, level)
        if hit:
            return hit, i / 16000
    return None, None


def test_speech_barge_in_needs_sustained_speech():
    det = BargeInDetector(FakeVad(), None, min_speech_ms=300)
    assert feed(det, Script().silence(0.3).say("x", 0.2).silence(0.3).audio) == (None, None)
    det.reset()
    hit, at = feed(det, Script().silence(0.3).say("x", 1.0).audio)
    assert hit == "speech" and 0.5 < at < 0.7
    assert len(det.recent()) >= 0.5 * 16000     # the start of the words is kept


def test_wake_barge_in_and_modes():
    audio = Script().silence(0.2).wake(0.6).silence(0.4).audio
    det = BargeInDetector(FakeVad(), WakeGate(FakeWake()), mode="wake")
    assert feed(det, audio)[0] == "wake"
    det = BargeInDetector(FakeVad(), WakeGate(FakeWake()), mode="wake")
    assert feed(det, Script().say("x", 1.0).audio) == (None, None)
    det = BargeInDetector(FakeVad(), WakeGate(FakeWake()), mode="off")
    assert feed(det, audio) == (None, None)


def test_echo_of_our_playback_does_not_barge_in_but_louder_speech_does():
    det = BargeInDetector(FakeVad(), None, min_speech_ms=200, calibrate_ms=300)
    echo = tone(2.0, 500, level=0.05)           # our voice, heard faintly by the mic
    assert feed(det, echo, level=0.5) == (None, None)
    assert 0.06 < det.coupling < 0.09      # rms(sine 0.05) / 0.5
    user = tone(1.0, 300, level=0.3)            # the user, much louder than the echo
    hit, _ = feed(det, echo[:1600].tolist() and np.concatenate([echo[:1600], user]), level=0.5)
    assert hit == "speech"


class ListVad:
    """Returns the given probabilities, one per frame."""
    frame_samples = 512

    def __init__(self, probs):
        self.probs = list(probs)
        self.i = 0

    def process(self, frame):
        p = self.probs[self.i] if self.i < len(self.probs) else 0.0
        self.i += 1
        return p

    def reset(self):
        pass


def test_one_frame_dips_and_hysteresis_do_not_make_a_pause():
    # speech, a 1-frame dip, speech, frames in the hysteresis band (0.35..0.5), speech, end
    probs = [0.0] * 5 + [0.9] * 10 + [0.1] + [0.9] * 5 + [0.4] * 3 + [0.9] * 5 + [0.1] * 20
    ep = Endpointer(ListVad(probs), hangover_ms=250, pre_roll_ms=0)
    out = ep.process(np.zeros(512 * len(probs), np.float32), 0.0)
    kinds = [type(e).__name__ for e in out]
    assert kinds == ["VoiceOnset", "Pause", "EndOfTurn"]
    assert abs(out[1].at - 29 * 0.032) < 1e-6          # end of the last confident frame
    assert out[2].decided_at - out[2].at == pytest.approx(8 * 0.032)


def test_pause_frames_one_reacts_to_the_first_silent_frame():
    probs = [0.9] * 10 + [0.1] + [0.9] * 5 + [0.1] * 20
    ep = Endpointer(ListVad(probs), hangover_ms=250, pause_frames=1, pre_roll_ms=0)
    kinds = [type(e).__name__ for e in ep.process(np.zeros(512 * len(probs), np.float32), 0.0)]
    assert kinds == ["VoiceOnset", "Pause", "Resume", "Pause", "EndOfTurn"]


def test_wake_phrase_from_model_names():
    from vaani.stages.wake import wake_phrase

    assert wake_phrase("mww-okay-nabu") == "okay nabu"
    assert wake_phrase("wake-hey-jarvis") == "hey jarvis"
    assert wake_phrase("/models/hey_jarvis_v0.1.onnx") == "hey jarvis"
    assert wake_phrase("~/wake/okay_nabu.json") == "okay nabu"
