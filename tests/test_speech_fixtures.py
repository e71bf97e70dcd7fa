"""vaani.speech_fixtures: generated utterances with known speech bounds, noise at a set SNR."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from vaani import speech_fixtures as sf

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")


def burst(rate=16000):
    """0.4 s silence, 0.6 s of a 300 Hz tone, 0.5 s silence."""
    t = np.arange(int(0.6 * rate)) / rate
    return np.concatenate([np.zeros(int(0.4 * rate)), 0.3 * np.sin(2 * np.pi * 300 * t),
                           np.zeros(int(0.5 * rate))]).astype(np.float32)


def test_speech_bounds_of_a_known_signal():
    start, end = sf.speech_bounds(burst())
    assert start == pytest.approx(0.4, abs=0.011) and end == pytest.approx(1.0, abs=0.011)
    with pytest.raises(Exception):
        sf.speech_bounds(np.zeros(16000, np.float32))


def test_resample_keeps_duration_and_pitch():
    rate = 22050
    t = np.arange(rate) / rate
    out = sf.resample(np.sin(2 * np.pi * 440 * t).astype(np.float32), rate, 16000)
    assert len(out) == 16000
    peak_hz = np.argmax(np.abs(np.fft.rfft(out))) * 16000 / len(out)
    assert abs(peak_hz - 440) < 2


def test_white_noise_at_requested_snr():
    clean = burst()
    noisy = sf.add_noise(clean, 10, "white", seed=3)
    speech = slice(int(0.45 * 16000), int(0.95 * 16000))
    noise = noisy - clean
    snr = 10 * np.log10(np.mean(clean[speech] ** 2) / np.mean(noise ** 2))
    assert snr == pytest.approx(10, abs=0.5)
    np.testing.assert_array_equal(noisy, sf.add_noise(clean, 10, "white", seed=3))
    assert not np.array_equal(noisy, sf.add_noise(clean, 10, "white", seed=4))


def test_write_wav_round_trip(tmp_path):
    import soundfile

    path = sf.write_wav(tmp_path / "a" / "b.wav", burst())
    audio, rate = soundfile.read(str(path), dtype="float32")
    assert rate == 16000 and np.abs(audio - burst()).max() < 1e-4


@pytest.mark.models
@pytest.mark.parametrize("text,language,voice", [
    ("What time is it?", "en", None),
    ("What time is it?", "en", "espeak:en-us"),
    ("अभी क्या समय हुआ है?", "hi", None),
    ("अभी क्या समय हुआ है?", "hi", "espeak:hi"),
])
def test_utterance_has_exact_padding_and_true_bounds(text, language, voice, require_models):
    if voice is None and language == "en":
        require_models("piper-en-joe")
    u = sf.synthesize_utterance(text, language, voice, lead_s=0.3, tail_s=0.7)
    assert u.sample_rate == 16000 and u.audio.dtype == np.float32
    assert u.voice == (voice or sf.DEFAULT_VOICES[language])
    assert u.start == u.speech_start_s == pytest.approx(0.3)
    assert u.duration_s - u.end == pytest.approx(0.7, abs=1e-3)
    a, b = int(u.start * 16000), int(u.end * 16000)
    assert not u.audio[:a].any() and not u.audio[b:].any()       # padding is pure silence
    rms = sf.frame_rms(u.audio)
    assert rms[a // 160] > 1e-3 and rms[b // 160 - 1] > 1e-3       # speech right at the bounds
    assert 0.4 < u.end - u.start < 4
    assert np.abs(u.audio).max() == pytest.approx(sf.PEAK, rel=1e-3)
    again = sf.synthesize_utterance(text, language, voice, lead_s=0.3, tail_s=0.7)
    np.testing.assert_array_equal(u.audio, again.audio)          # deterministic


@needs_espeak
@pytest.mark.models
def test_babble_is_speech_like_seeded_noise():
    b1, b2 = sf.babble(2.0, seed=1), sf.babble(2.0, seed=1)
    np.testing.assert_array_equal(b1, b2)
    assert not np.array_equal(b1, sf.babble(2.0, seed=2))
    assert np.sqrt(np.mean(b1 ** 2)) == pytest.approx(0.05, rel=0.2)
    # speech-like: the level moves (syllables), unlike white noise
    env = sf.frame_rms(b1, frame_s=0.05)
    assert env.std() / env.mean() > 0.1
    noisy = sf.add_noise(burst(), 0, "babble", seed=1)
    assert noisy.shape == burst().shape
