"""openWakeWord engine with the hey-jarvis head on the real feature models."""

from __future__ import annotations

import numpy as np
import pytest

from tests.plugins.conftest import make_engine, say, shared_engine
from vaani.errors import ConfigError
from vaani.speech_fixtures import add_noise, white_noise

pytestmark = pytest.mark.models
FRAME = 1280
NAME = "wake-hey-jarvis"
THRESHOLD = 0.5                       # config default (wake.threshold)


@pytest.fixture(scope="module")
def wake():
    return shared_engine("wake", "openwakeword", NAME, packs=("oww-features", NAME))


def scores(wake, audio):
    wake.reset()
    return np.array([wake.process(audio[i:i + FRAME])[NAME]
                     for i in range(0, len(audio) - FRAME + 1, FRAME)])


@pytest.mark.parametrize("voice", [None, "espeak:en-us"])
def test_hey_jarvis_wakes(wake, voice):
    s = scores(wake, say("hey jarvis", "en", voice).audio)
    assert s.max() > THRESHOLD and wake.threshold == THRESHOLD
    assert wake.detect({NAME: float(s.max())}) == NAME


def test_hey_jarvis_in_noise(wake):
    u = say("hey jarvis")
    assert scores(wake, add_noise(u.audio, 10, "white", seed=1)).max() > THRESHOLD


@pytest.mark.parametrize("text,language", [
    ("what time is it", "en"),
    ("Please set a timer for ten minutes.", "en"),
    ("अभी क्या समय हुआ है?", "hi"),
    ("मुझे कल सुबह की ट्रेन के बारे में बताओ।", "hi"),
])
def test_other_speech_does_not_wake(wake, text, language):
    assert scores(wake, say(text, language).audio).max() < 0.2


def test_silence_and_noise_do_not_wake(wake):
    assert scores(wake, np.zeros(16000 * 2, np.float32)).max() < 0.05
    assert scores(wake, white_noise(3.0, level=0.1, seed=2)).max() < THRESHOLD
    assert wake.detect(wake.process(np.zeros(FRAME, np.float32))) is None


def test_reset_clears_the_buffers(wake):
    """Without reset the wake word's tail keeps scoring high (what our own TTS would do)."""
    audio = say("hey jarvis").audio
    s = scores(wake, audio)
    peak = int(np.argmax(s))
    silence = np.zeros(FRAME, np.float32)

    wake.reset()
    for i in range(peak + 1):
        wake.process(audio[i * FRAME:(i + 1) * FRAME])
    assert wake.process(silence)[NAME] > THRESHOLD          # still inside the word's window

    wake.reset()
    for i in range(peak + 1):
        wake.process(audio[i * FRAME:(i + 1) * FRAME])
    wake.reset()
    assert max(wake.process(silence)[NAME] for _ in range(10)) < 0.05


def test_scores_are_repeatable(wake):
    audio = say("hey jarvis").audio
    np.testing.assert_array_equal(scores(wake, audio), scores(wake, audio))


def test_options_are_checked():
    with pytest.raises(ConfigError, match="'sensitivity'"):
        make_engine("wake", "openwakeword", model=NAME, options={"sensitivity": 0.3})
    with pytest.raises(ConfigError, match="extra_models"):
        make_engine("wake", "openwakeword", model=NAME, options={"extra_models": "alexa"})
