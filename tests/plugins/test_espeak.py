"""espeak-ng and festival TTS engines (Debian voices; no model packs needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.plugins.conftest import make_engine
from vaani.errors import AudioFormatError, ConfigError, EngineError

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
needs_festival = pytest.mark.skipif(shutil.which("text2wave") is None, reason="festival not installed")
HINDI = "अभी क्या समय हुआ है?"


@pytest.fixture(scope="module")
def espeak_hi():
    return make_engine("tts", "espeak", voice="hi")


@pytest.fixture(scope="module")
def festival():
    return make_engine("tts", "festival", voice="hindi_NSK_diphone")


def speak(engine, text, language="hi"):
    chunks = list(engine.process(text, language))
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


def rms(x):
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


@needs_espeak
@pytest.mark.models
def test_espeak_speaks_devanagari(espeak_hi):
    audio = speak(espeak_hi, HINDI)
    assert audio.dtype == np.float32 and espeak_hi.sample_rate == 22050
    assert 0.8 < len(audio) / espeak_hi.sample_rate < 5 and rms(audio) > 0.02


@needs_festival
@pytest.mark.models
def test_festival_speaks_devanagari(festival):
    audio = speak(festival, HINDI)
    assert festival.sample_rate == 16000
    assert 1.0 < len(audio) / festival.sample_rate < 6 and rms(audio) > 0.02


@needs_festival
@pytest.mark.models
def test_festival_survives_what_crashes_the_hindi_voice(festival):
    # Latin letters, emoji, nukta, brackets and ZWJ each segfault festival-hi when passed raw
    text = "ज़रूर (ठीक) ABC 😀 क\u200dष आना।"
    assert rms(speak(festival, text)) > 0.02
    assert len(speak(festival, "hello 😀 ...")) == 0       # nothing it can say: silence
    # a word that crashes the voice on its own is skipped and remembered
    assert len(speak(festival, "नियोजन")) == 0
    assert "नियोजन" in festival._bad_words


@needs_festival
@pytest.mark.models
def test_festival_finds_and_skips_the_word_that_crashes_it(tmp_path):
    # a text2wave that segfaults whenever the clause holds one particular word
    fake = tmp_path / "text2wave"
    fake.write_text('#!/bin/sh\ntext=$(cat)\ncase "$text" in *विस्फोट*) kill -SEGV $$;; esac\n'
                    'printf "%s" "$text" | exec text2wave "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    engine = make_engine("tts", "festival", voice="hindi_NSK_diphone",
                         options={"festival": {"binary": str(fake)}})
    whole = speak(engine, "आज मौसम अच्छा है और कल भी")
    skipped = speak(engine, "आज मौसम अच्छा है विस्फोट और कल भी")
    assert engine._bad_words == {"विस्फोट"}
    assert abs(len(skipped) - len(whole)) < 0.25 * len(whole)   # the rest was spoken


def test_festival_text_reduction():
    from vaani_espeak import festival_hindi_text

    assert festival_hindi_text("ज़रूर!") == "जरूर!"           # nukta dropped
    assert festival_hindi_text("ok 😀 ठीक (है)") == "ठीक है"
    assert festival_hindi_text("क्\u200dष") == "क्ष"         # joiners dropped
    assert festival_hindi_text("वाक्") == "वाक"               # final virama dropped
    assert festival_hindi_text("५ बजे 10:30") == "५ बजे 10:30"


@needs_espeak
@pytest.mark.models
def test_text_is_never_a_command(espeak_hi, tmp_path):
    marker = tmp_path / "pwned"
    text = f"-v en $(touch {marker}); `touch {marker}` \"; (quit) \x00\x07 मैं ठीक हूँ"
    assert rms(speak(espeak_hi, text)) > 0.02
    assert not marker.exists()


@needs_espeak
@pytest.mark.models
def test_empty_text_gives_no_audio(espeak_hi):
    assert list(espeak_hi.process("   ", "hi")) == []


@pytest.mark.parametrize("name,voice", [("espeak", "hi"), ("festival", "hindi_NSK_diphone")])
def test_missing_binary_is_an_engine_error(name, voice):
    with pytest.raises(EngineError, match="not installed") as info:
        make_engine("tts", name, voice=voice, options={name: {"binary": "/nonexistent/tts-bin"}})
    assert "apt install" in (info.value.hint or "")


@needs_espeak
def test_timeouts_bad_voices_and_options():
    with pytest.raises(EngineError, match="longer than"):
        make_engine("tts", "espeak", voice="hi", options={"espeak": {"timeout_s": 1e-4}})
    with pytest.raises(EngineError, match="voice"):
        make_engine("tts", "espeak", voice="xx-nosuch")
    with pytest.raises(ConfigError, match="voice name"):
        make_engine("tts", "espeak", voice="-w/tmp/x")
    with pytest.raises(ConfigError, match="voice name"):
        make_engine("tts", "festival", voice="x) (system \"ls\"")
    with pytest.raises(ConfigError, match="'volum'"):
        make_engine("tts", "espeak", voice="hi", options={"volum": 3})
    # other engines' option tables are theirs to check
    make_engine("tts", "espeak", voice="hi", options={"piper": {"noise_scale": 0.0}})


def test_parse_wav_tolerates_pipe_headers_and_rejects_garbage():
    from vaani_espeak import parse_wav

    pcm = (np.sin(np.arange(800) / 5) * 10000).astype("<i2").tobytes()
    header = (b"RIFF" + (0x7FFFF000).to_bytes(4, "little") + b"WAVE"
              + b"fmt " + (16).to_bytes(4, "little") + (1).to_bytes(2, "little")
              + (1).to_bytes(2, "little") + (22050).to_bytes(4, "little")
              + (44100).to_bytes(4, "little") + (2).to_bytes(2, "little")
              + (16).to_bytes(2, "little"))
    for size in (0x7FFFF000, 0):                      # espeak's and festival's placeholders
        audio, rate = parse_wav(header + b"data" + size.to_bytes(4, "little") + pcm)
        assert rate == 22050 and len(audio) == 800
        assert abs(audio.max() - 10000 / 32768) < 1e-3
    with pytest.raises(AudioFormatError):
        parse_wav(b"not a wav at all")
