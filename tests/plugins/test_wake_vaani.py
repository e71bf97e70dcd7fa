"""VAANI's own wake word (models/wake-vaani, trained by training/wakeword/train.py) in the
openwakeword engine: it wakes on the name in English and Hindi, and not on other speech."""

from __future__ import annotations

import numpy as np
import pytest

from tests.plugins.conftest import shared_engine, say
from vaani.speech_fixtures import add_noise, white_noise

pytestmark = pytest.mark.models
FRAME = 1280
NAME = "wake-vaani"
THRESHOLD = 0.5                       # config default (wake.threshold); the head is calibrated to it


@pytest.fixture(scope="module")
def wake():
    return shared_engine("wake", "openwakeword", NAME, packs=("oww-features", NAME))


def scores(wake, audio):
    wake.reset()
    return np.array([wake.process(audio[i:i + FRAME])[NAME]
                     for i in range(0, len(audio) - FRAME + 1, FRAME)])


@pytest.mark.parametrize("text,language,voice", [
    ("hey vaani", "en", None),                       # Piper
    ("hey vaani", "en", "espeak:en-us"),             # an espeak variant training never used
    ("हे वाणी", "hi", None),                          # the default Hindi voice: held out
])
def test_wakes_on_its_name(wake, text, language, voice):
    s = scores(wake, say(text, language, voice).audio)
    assert s.max() > THRESHOLD and wake.threshold == THRESHOLD
    assert wake.detect({NAME: float(s.max())}) == NAME


def test_wakes_in_noise(wake):
    assert scores(wake, add_noise(say("hey vaani").audio, 10, "white", seed=1)).max() > THRESHOLD


@pytest.mark.parametrize("text,language", [
    ("what time is it", "en"),
    ("Please set a timer for ten minutes.", "en"),
    ("Johnny wants some honey.", "en"),
    ("अभी क्या समय हुआ है?", "hi"),
    ("मुझे एक गिलास पानी दो।", "hi"),
    ("रानी की कहानी सुनाओ।", "hi"),
])
def test_other_speech_does_not_wake(wake, text, language):
    assert scores(wake, say(text, language).audio).max() < THRESHOLD


def test_silence_and_noise_do_not_wake(wake):
    assert scores(wake, np.zeros(16000 * 2, np.float32)).max() < 0.05
    assert scores(wake, white_noise(3.0, level=0.1, seed=2)).max() < THRESHOLD
