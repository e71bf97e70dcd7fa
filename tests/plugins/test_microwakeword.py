"""microWakeWord engine (the default) on the real Apache-2.0 models, real generated speech."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.plugins.conftest import make_engine, say, shared_engine
from vaani.errors import ConfigError, ModelCorruptError, ModelError
from vaani.speech_fixtures import add_noise, white_noise

FRAME = 480
NAME = "mww-hey-jarvis"
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
    assert wake.phrases == {NAME: "Hey Jarvis"} and wake.threshold == THRESHOLD
    assert wake.detect(wake.process(np.zeros(FRAME, np.float32))) is None


@pytest.mark.models
@pytest.mark.parametrize("lead_s", [0.5, 1.23])
def test_hey_jarvis_wakes(wake, lead_s):
    """Piper's en_US joe; the espeak-ng and festival voices mostly miss this model (see
    results/wake.json: ``vaani bench wake``)."""
    s = scores(wake, say("hey jarvis", "en", None, lead_s=lead_s).audio)
    assert s.max() >= THRESHOLD
    assert wake.detect({NAME: float(s.max())}) == NAME


@pytest.mark.models
def test_hey_jarvis_in_noise(wake):
    assert scores(wake, add_noise(say("hey jarvis").audio, 10, "white", seed=1)).max() >= THRESHOLD


@pytest.mark.models
@pytest.mark.parametrize("text,language", [
    ("what time is it", "en"),
    ("Please set a timer for ten minutes.", "en"),
    ("jarvis", "en"),
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
    audio = say("hey jarvis").audio
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

    audio = say("hey jarvis").audio
    wake.reset()
    raw = max(wake.process(audio[i:i + FRAME], raw=True)[NAME]
              for i in range(0, len(audio) - FRAME + 1, FRAME))
    assert raw > 0.97                                  # the model's own cutoff (its JSON)
    assert scaled(0.97, 0.97) == 0.5 and scaled(0.0, 0.97) == 0.0 and scaled(1.0, 0.97) == 1.0
    assert scaled(0.5, 0.97) < scaled(0.96, 0.97) < 0.5 < scaled(0.98, 0.97)


@pytest.mark.models
def test_several_models_at_once():
    e = make_engine("wake", "microwakeword", model=NAME,
                    options={"extra_models": ["mww-okay-nabu"]}, packs=(NAME, "mww-okay-nabu"))
    s = scores(e, say("okay nabu").audio, "mww-okay-nabu")
    assert s.max() >= THRESHOLD
    assert e.names == [NAME, "mww-okay-nabu"]


@pytest.mark.models
@pytest.mark.parametrize("damage,match", [
    (lambda d: (d / "hey_jarvis.tflite").write_bytes(b"not a model at all"),
     "not a valid TFLite model"),
    (lambda d: (d / "hey_jarvis.tflite").write_bytes(
        (d / "hey_jarvis.tflite").read_bytes()[:1000]), "not a valid TFLite model"),
    (lambda d: (d / "hey_jarvis.json").write_text("{not json"),
     "not a microWakeWord model config"),
    (lambda d: (d / "hey_jarvis.tflite").unlink(), "hey_jarvis.tflite .*is missing"),
])
def test_bad_model_is_a_model_error(tmp_path, damage, match):
    from tests.conftest import model_path

    folder = tmp_path / "hey_jarvis"
    shutil.copytree(model_path(NAME), folder)
    damage(folder)
    with pytest.raises(ModelCorruptError, match=match) as err:
        make_engine("wake", "microwakeword", model=str(folder / "hey_jarvis.json"))
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
