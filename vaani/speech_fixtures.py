"""Speech fixtures generated on the spot: real TTS voices, known start and end of speech.

Tests and the latency benchmark need utterances whose true end of speech is known (the E2E
latency is measured from it). Instead of committing WAV blobs we synthesize them with the
same engines the assistant speaks with (Piper for English, festival or espeak-ng for Hindi),
resample to the pipeline's 16 kHz, find where speech really starts and ends from the signal
itself, and pad with exact amounts of silence.

Deterministic: Piper runs with its noise scales at 0 (its sampling noise cannot be seeded),
the command-line voices are deterministic, and noise comes from seeded generators.
The engines are created through the plugin host (entry points), like the assistant's.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np

from vaani.errors import AudioFormatError, ConfigError

RATE = 16000
DEFAULT_VOICES = {"en": "piper:piper-en-joe", "hi": "festival:hindi_NSK_diphone"}
# Piper's noise cannot be seeded; without it the same text gives the same samples.
_ENGINE_OPTIONS = {"piper": {"noise_scale": 0.0, "noise_w_scale": 0.0}}
PEAK = 0.5              # every fixture is scaled to this peak (-6 dBFS)
FRAME_S = 0.01          # analysis frame for finding speech bounds
LEVEL_DB = -40.0        # speech = frames within this many dB of the loudest frame
_BABBLE = (("en-us", "The weather report said it would rain later in the afternoon."),
           ("hi", "कल सुबह हम बाज़ार जाएंगे और सब्ज़ियां खरीदेंगे।"),
           ("en-gb", "Could you pass me the newspaper from the kitchen table please?"),
           ("hi", "यह फिल्म बहुत लंबी थी लेकिन कहानी अच्छी थी।"),
           ("en-us+f3", "My brother is coming home for the holidays next week."),
           ("hi+f2", "बच्चे स्कूल से आकर खाना खाते हैं और खेलते हैं।"))


@dataclass(frozen=True)
class Utterance:
    """One synthetic utterance: silence, speech, silence."""

    audio: np.ndarray          # float32 mono
    sample_rate: int
    speech_start_s: float      # true start of speech in ``audio``
    speech_end_s: float        # true end of speech in ``audio``
    text: str = ""
    language: str = ""
    voice: str = ""

    @property
    def start(self) -> float:
        return self.speech_start_s

    @property
    def end(self) -> float:
        return self.speech_end_s

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate

    def speech(self) -> np.ndarray:
        """Only the speech part."""
        a, b = (round(t * self.sample_rate) for t in (self.speech_start_s, self.speech_end_s))
        return self.audio[a:b]


# -- engines ----------------------------------------------------------------------------------

_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _host() -> Any:
    from vaani import config as config_mod
    from vaani.plugins import PluginHost

    host = PluginHost(config_mod.from_dict({}))
    host.load()
    return host


_engines: dict[tuple[str, str, int], Any] = {}


def tts_engine(voice: str, models: Any = None) -> Any:
    """The TTS engine for ``"engine:voice"``, created once per process."""
    engine, _, name = voice.partition(":")
    if not engine:
        raise ConfigError(f"bad voice {voice!r}", hint='use "engine:voice", e.g. "espeak:hi"')
    key = (engine, name, id(models))
    with _lock:
        if key not in _engines:
            from vaani.engines import EngineContext

            host = _host()
            if models is None:
                from vaani.models import ModelStore

                models = ModelStore.from_config(host.config)
            ctx = EngineContext(config=host.config, models=models,
                                options=dict(_ENGINE_OPTIONS.get(engine, {})),
                                model=name, voice=name)
            _engines[key] = host.create_engine("tts", engine, ctx)
        return _engines[key]


# -- signal helpers ---------------------------------------------------------------------------

def resample(audio: np.ndarray, rate_in: int, rate_out: int = RATE) -> np.ndarray:
    from scipy.signal import resample_poly

    audio = np.asarray(audio, dtype=np.float32)
    if rate_in == rate_out:
        return audio
    g = gcd(int(rate_in), int(rate_out))
    return resample_poly(audio, rate_out // g, rate_in // g).astype(np.float32)


def frame_rms(audio: np.ndarray, sample_rate: int = RATE, frame_s: float = FRAME_S) -> np.ndarray:
    n = max(1, round(frame_s * sample_rate))
    frames = len(audio) // n
    if frames == 0:
        return np.zeros(0, np.float32)
    x = np.asarray(audio[: frames * n], dtype=np.float64).reshape(frames, n)
    return np.sqrt(np.mean(x * x, axis=1))


def speech_bounds(audio: np.ndarray, sample_rate: int = RATE, level_db: float = LEVEL_DB,
                  floor: float = 1e-4) -> tuple[float, float]:
    """(start_s, end_s) of the sound in ``audio``: first and last 10 ms frame whose RMS is
    within ``level_db`` of the loudest frame (and above ``floor``)."""
    rms = frame_rms(audio, sample_rate)
    if not len(rms) or rms.max() <= floor:
        raise AudioFormatError("the voice produced silence")
    loud = np.flatnonzero(rms >= max(floor, rms.max() * 10 ** (level_db / 20)))
    n = round(FRAME_S * sample_rate)
    return loud[0] * n / sample_rate, min(len(audio), (loud[-1] + 1) * n) / sample_rate


# -- the fixtures -----------------------------------------------------------------------------

def synthesize_utterance(text: str, language: str = "en", voice: str | None = None,
                         lead_s: float = 0.5, tail_s: float = 1.0, sample_rate: int = RATE,
                         models: Any = None) -> Utterance:
    """``text`` spoken by ``voice`` ("piper:piper-en-joe", "espeak:hi", "festival:..."),
    trimmed to the speech, scaled to a -6 dBFS peak, with ``lead_s``/``tail_s`` of silence."""
    voice = voice or DEFAULT_VOICES.get(language) or DEFAULT_VOICES["en"]
    engine = tts_engine(voice, models)
    chunks = [np.asarray(c, dtype=np.float32) for c in engine.process(text, language)]
    if not chunks:
        raise AudioFormatError(f"{voice} produced no audio for {text!r}")
    audio = resample(np.concatenate(chunks), engine.sample_rate, sample_rate)
    start, end = speech_bounds(audio, sample_rate)
    speech = audio[round(start * sample_rate): round(end * sample_rate)]
    speech = speech * (PEAK / max(1e-9, float(np.abs(speech).max())))
    lead, tail = round(lead_s * sample_rate), round(tail_s * sample_rate)
    out = np.concatenate([np.zeros(lead, np.float32), speech.astype(np.float32),
                          np.zeros(tail, np.float32)])
    return Utterance(out, sample_rate, lead / sample_rate, (lead + len(speech)) / sample_rate,
                     text=text, language=language, voice=voice)


def silence(seconds: float, sample_rate: int = RATE) -> np.ndarray:
    return np.zeros(round(seconds * sample_rate), np.float32)


def white_noise(seconds: float, level: float = 0.05, seed: int = 0,
                sample_rate: int = RATE) -> np.ndarray:
    """Gaussian noise with RMS ``level``."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(round(seconds * sample_rate)) * level).astype(np.float32)


def _speech_power(audio: np.ndarray, sample_rate: int) -> float:
    rms = frame_rms(audio, sample_rate)
    if not len(rms) or rms.max() <= 0:
        return 0.0
    active = rms[rms >= rms.max() * 10 ** (LEVEL_DB / 20)]
    return float(np.mean(active ** 2))


@functools.lru_cache(maxsize=4)
def _babble_source(sample_rate: int) -> np.ndarray:
    """Six espeak-ng talkers (English and Hindi, different voices) summed: speech-like noise
    whose words nobody should act on."""
    talkers = []
    for voice, text in _BABBLE:
        chunks = list(tts_engine(f"espeak:{voice}").process(text, voice[:2]))
        talkers.append(resample(np.concatenate(chunks), tts_engine(f"espeak:{voice}").sample_rate,
                                sample_rate))
    return talker_mix(talkers)


def talker_mix(talkers: list[np.ndarray]) -> np.ndarray:
    """Talkers at equal level, each looped to the longest and started at a staggered point,
    summed and scaled to RMS 1: a babble source for :func:`babble_slice`."""
    n = max(len(t) for t in talkers)
    mix = np.zeros(n, np.float64)
    for i, t in enumerate(talkers):
        t = t / (np.sqrt(np.mean(t.astype(np.float64) ** 2)) + 1e-9)
        mix += np.roll(np.resize(t, n), i * n // len(talkers))   # loop, staggered
    return (mix / np.sqrt(np.mean(mix ** 2))).astype(np.float32)


def babble_slice(src: np.ndarray, seconds: float, level: float, seed: int,
                 sample_rate: int = RATE) -> np.ndarray:
    """``seconds`` of a looped babble source at RMS ``level``, from a seeded offset."""
    n = round(seconds * sample_rate)
    offset = int(np.random.default_rng(seed).integers(len(src)))
    return (np.resize(np.roll(src, -offset), n) * level).astype(np.float32)


def babble(seconds: float, level: float = 0.05, seed: int = 0,
           sample_rate: int = RATE) -> np.ndarray:
    """Babble with RMS ``level``, from a seeded offset into the looped talker mix."""
    return babble_slice(_babble_source(sample_rate), seconds, level, seed, sample_rate)


def add_noise(audio: np.ndarray, snr_db: float, kind: str = "white", seed: int = 0,
              sample_rate: int = RATE) -> np.ndarray:
    """``audio`` plus noise at ``snr_db`` relative to the power of its speech frames
    (silent lead/tail do not dilute the SNR). Clipped to [-1, 1]."""
    audio = np.asarray(audio, dtype=np.float32)
    power = _speech_power(audio, sample_rate)
    if power <= 0:
        raise AudioFormatError("cannot set an SNR on silent audio")
    level = float(np.sqrt(power / 10 ** (snr_db / 10)))
    seconds = len(audio) / sample_rate
    if kind == "white":
        noise = white_noise(seconds, level, seed, sample_rate)
    elif kind == "babble":
        noise = babble(seconds, level, seed, sample_rate)
    else:
        raise ValueError(f"unknown noise kind {kind!r} (white or babble)")
    noise = np.resize(noise, len(audio))
    return np.clip(audio + noise, -1.0, 1.0).astype(np.float32)


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int = RATE) -> Path:
    """16-bit PCM WAV, for listening to a fixture or feeding ``vaani listen --file``."""
    import soundfile as sf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.clip(np.asarray(audio, dtype=np.float32), -1, 1), sample_rate,
             subtype="PCM_16")
    return path
