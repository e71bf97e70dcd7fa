"""microWakeWord engine (the default: "okay nabu") on the real Apache-2.0 models, real generated
speech."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.plugins.conftest import make_engine, say, shared_engine
from vaani.errors import ConfigError, ModelCorruptError, ModelError
from vaani.speech_fixtures import add_noise, white_noise

FRAME = 480
NAME = "mww-okay-nabu"                 # the default wake model
JARVIS = "mww-hey-jarvis"
THRESHOLD = 0.5                       # config default (wake.threshold): the model's own cutoff


@pytest.fixture(scope="module")
def wake():
    return shared_engine("wake", "microwakeword", NAME, packs=(NAME,))


def scores(wake, audio, name=NAME):
    wake.reset()
    return np.array([wake.process(audio[i:i + FRAME])[name]
                     for i in range(0, len(audio) - FRAME + 1, FRAME)])


@pytest.mark.models
def test_engine_shape(wake):
    assert wake.frame_samples == FRAME and wake.names == [NAME]
    assert wake.phrases == {NAME: "Okay Nabu"} and wake.threshold == THRESHOLD
    assert wake.detect(wake.process(np.zeros(FRAME, np.float32))) is None


@pytest.mark.models
@pytest.mark.parametrize("voice,lead_s", [
    (None, 0.5), (None, 1.23),                         # Piper's en_US joe
    ("espeak:en-us", 0.5), ("espeak:en-gb", 0.5),
])
def test_okay_nabu_wakes(wake, voice, lead_s):
    s = scores(wake, say("okay nabu", "en", voice, lead_s=lead_s).audio)
    assert s.max() >= THRESHOLD
    assert wake.detect({NAME: float(s.max())}) == NAME


@pytest.mark.models
def test_okay_nabu_in_noise(wake):
    """espeak-ng's voice holds up in noise; Piper's falls under the cutoff near 20 dB SNR (the
    bench's white/babble rows show how much noise costs this model)."""
    u = say("okay nabu", "en", "espeak:en-us")
    for kind in ("white", "babble"):
        assert scores(wake, add_noise(u.audio, 10, kind, seed=1)).max() >= THRESHOLD
    assert scores(wake, add_noise(say("okay nabu").audio, 30, "white", seed=1)).max() >= THRESHOLD


@pytest.mark.models
@pytest.mark.parametrize("text,language", [
    ("what time is it", "en"),
    ("Please set a timer for ten minutes.", "en"),
    ("okay", "en"),
    ("hey jarvis", "en"),
    ("अभी क्या समय हुआ है?", "hi"),
    ("मुझे कल सुबह की ट्रेन के बारे में बताओ।", "hi"),
    ("वाणी, पानी लाओ।", "hi"),
])
def test_other_speech_does_not_wake(wake, text, language):
    assert scores(wake, say(text, language).audio).max() < THRESHOLD


@pytest.mark.models
def test_silence_and_noise_do_not_wake(wake):
    assert scores(wake, np.zeros(16000 * 2, np.float32)).max() < 0.05
    assert scores(wake, white_noise(3.0, level=0.1, seed=2)).max() < THRESHOLD


@pytest.mark.models
def test_reset_forgets_and_scores_repeat(wake):
    audio = say("okay nabu").audio
    first = scores(wake, audio)
    np.testing.assert_array_equal(first, scores(wake, audio))
    peak = int(np.argmax(first))
    wake.reset()
    for i in range(peak + 1):
        wake.process(audio[i * FRAME:(i + 1) * FRAME])
    wake.reset()
    silence = np.zeros(FRAME, np.float32)
    assert max(wake.process(silence)[NAME] for _ in range(20)) < 0.05


@pytest.mark.models
def test_raw_probability_and_scale(wake):
    """``raw=True`` is the model's window mean; the shared scale puts its cutoff at 0.5."""
    from vaani_microwakeword import scaled

    audio = say("okay nabu").audio
    wake.reset()
    raw = max(wake.process(audio[i:i + FRAME], raw=True)[NAME]
              for i in range(0, len(audio) - FRAME + 1, FRAME))
    assert raw > 0.85                                  # the model's own cutoff (its JSON)
    assert scaled(0.97, 0.97) == 0.5 and scaled(0.0, 0.97) == 0.0 and scaled(1.0, 0.97) == 1.0
    assert scaled(0.5, 0.97) < scaled(0.96, 0.97) < 0.5 < scaled(0.98, 0.97)


@pytest.mark.models
def test_several_models_at_once():
    """hey_jarvis beside the default: each scores its own phrase (Piper's voice)."""
    e = make_engine("wake", "microwakeword", model=NAME,
                    options={"extra_models": [JARVIS]}, packs=(NAME, JARVIS))
    assert e.names == [NAME, JARVIS]
    assert scores(e, say("hey jarvis").audio, JARVIS).max() >= THRESHOLD
    assert scores(e, say("hey jarvis").audio, NAME).max() < THRESHOLD
    assert e.detect(e.process(np.zeros(FRAME, np.float32))) is None


@pytest.mark.models
@pytest.mark.parametrize("damage,match", [
    (lambda d: (d / "okay_nabu.tflite").write_bytes(b"not a model at all"),
     "not a valid TFLite model"),
    (lambda d: (d / "okay_nabu.tflite").write_bytes(
        (d / "okay_nabu.tflite").read_bytes()[:1000]), "not a valid TFLite model"),
    (lambda d: (d / "okay_nabu.json").write_text("{not json"),
     "not a microWakeWord model config"),
    (lambda d: (d / "okay_nabu.tflite").unlink(), "okay_nabu.tflite .*is missing"),
])
def test_bad_model_is_a_model_error(tmp_path, damage, match):
    from tests.conftest import model_path

    folder = tmp_path / "okay_nabu"
    shutil.copytree(model_path(NAME), folder)
    damage(folder)
    with pytest.raises(ModelCorruptError, match=match) as err:
        make_engine("wake", "microwakeword", model=str(folder / "okay_nabu.json"))
    assert isinstance(err.value, ModelError) and "Model" in err.value.user_text()


def test_a_tflite_that_is_not_a_wake_word(tmp_path):
    """A readable TFLite model of the wrong kind: the library's own inference would fail."""
    import pymicro_wakeword

    from vaani_microwakeword import MicroWakeWordEngine, read_model

    (tmp_path / "x.json").write_text('{"type": "other", "model": "x.tflite", "micro": '
                                     '{"probability_cutoff": 0.5}}')
    (tmp_path / "x.tflite").write_bytes(b"")
    with pytest.raises(ModelCorruptError, match="only microWakeWord"):
        read_model("x", tmp_path / "x.json")
    assert pymicro_wakeword.__file__                      # the runtime library is installed
    (tmp_path / "bare.tflite").write_bytes(b"TFL3" * 8)   # no JSON beside it: defaults
    spec = read_model("bare", tmp_path / "bare.tflite")
    assert (spec.cutoff, spec.window) == (0.5, 5)
    with pytest.raises(ModelCorruptError, match="not a valid TFLite"):
        MicroWakeWordEngine([spec])


def test_options_are_checked():
    with pytest.raises(ConfigError, match="'sensitivity'"):
        make_engine("wake", "microwakeword", model=NAME, options={"sensitivity": 0.3})
    with pytest.raises(ConfigError, match="extra_models"):
        make_engine("wake", "microwakeword", model=NAME, options={"extra_models": "alexa"})
    with pytest.raises(ConfigError, match="cutoff"):
        make_engine("wake", "microwakeword", model=NAME, options={"cutoff": 1.5})
