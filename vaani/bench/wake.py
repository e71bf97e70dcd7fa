"""Wake word: missed wakes (FRR) on spoken positives, false wakes per hour on negative audio, CPU.

Every system (``--system ENGINE:MODEL``, default: the configured wake model, the other
microWakeWord phrase and openWakeWord's hey_jarvis) is run on the same audio in one run.

**Positives**: each system's own phrase spoken by every local voice: Piper ``en-joe`` at three
speaking rates, espeak-ng English accents and variants with their own speed and pitch, festival's
Hindi voice and espeak-ng Hindi reading it in Devanagari (a Hindi speaker saying it); each clip
clean and augmented (gain -18/+6 dB, speed 0.9/1.1 by resampling, white and babble noise at 10
and 5 dB SNR, pink noise at 20 dB, a synthetic room impulse response with and without noise).
A positive is caught when the score reaches the threshold between the start of the phrase and
1 s after its end (1 s of quiet room tone before it, engine reset first).

**Negatives** (``--hours``, default 5; the reported figure needs at least 5): a stream made of
generated Hindi and English speech (sentences from the repo's own text: the ASR and answer
bench sets, the small-talk plugin's phrasings, the chatterbot training corpus when installed,
strings of frequent Hindi words from the wordfreq pack), phonetically close words alone and in
carrier sentences ("vani", "pani", "rani", "paani", "wahan", "jarvis", "service", "okay",
"nabu", ...), real human English (Debian pocketsphinx-testdata), noise (white, pink, brown,
babble) and music-like tones, each with a random gain and some with noise or reverb, joined by
pauses of room tone. The engine runs over it without reset, as it listens in the assistant; a
false accept is a score reaching the threshold, counted once per second at most (the pipeline's
1 s refractory). Clips are generated once and cached (``--cache``, default
``$VAANI_DATA_DIR/bench-wake`` else ``~/.cache/vaani/bench-wake``); the stream is rebuilt from
a seed. Unique speech is less than the stream: clips come back with other augmentations
(the report gives both).

**CPU**: engine CPU time (process time, all threads) per 80 ms of audio over the negative
stream, and idle listening (60 s of quiet room tone fed in the pipeline's 80 ms blocks) as % of
one core. The machine may be shared: compare systems within one report (ratios).

Outputs: the JSON report (``--out``, default ``results/wake.json``) and a DET curve PNG (FRR
against false accepts per hour as the threshold moves; ``--png``). FRR and false accepts per
hour come with 95% intervals (Wilson; exact Poisson on the count): 432 positives and 5 hours
resolve about +-4 points of FRR and a factor of 2 in a rate of 2-4 false accepts per hour.
Systems that share a phrase are also compared pair by pair (``paired``): the clips only one
of them missed and the false accepts only one of them made, with sign-test p values; that
separates two heads that the intervals alone cannot. Goal (issue 13): FRR <= 5%
at <= 0.5 false accepts per hour; idle <= 5% of one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16000
VERSION = 1                       # of the clip recipes: a change makes new cache keys
REFRACTORY_S = 1.0                # as vaani.stages.wake.WakeGate
GOAL = {"frr": 0.05, "fa_per_hour": 0.5, "idle_cpu_pct": 5.0}
SEED = 13
ROOM_DB = -60.0                   # room tone between clips and around positives (RMS, dBFS)

# what each model's users say, in English and as a Hindi speaker writes it
PHRASES = {
    "hey_jarvis": ("hey jarvis", "Hey, Jarvis!", "हे जार्विस"),
    "okay_nabu": ("okay nabu", "Okay, Nabu!", "ओके नाबू"),
    "alexa": ("alexa", "Alexa!", "अलेक्सा"),
    "hey_mycroft": ("hey mycroft", "Hey, Mycroft!", "हे माइक्रोफ़्ट"),
    "vaani": ("vaani", "hey vaani", "वाणी"),          # VAANI's own (training/wakeword/)
}
WAKE_WORDS = ("jarvis", "nabu", "alexa", "mycroft", "vaani", "vani", "जार्विस", "नाबू",
              "अलेक्सा", "वाणी", "वानी")
# phonetically close words and phrases (never a whole wake phrase)
CLOSE_EN = ("pani", "rani", "paani", "wahan", "jarvis", "service", "hey", "harvest",
            "nervous", "hey Travis", "hey Charles", "hey Jarvie", "Jarvis Cocker", "okay",
            "okay now", "nabu", "okay Nadia", "a bamboo", "hey you, Marvin", "my craft",
            "Alex", "a lexicon", "hey, Mike")
CLOSE_HI = ("पानी", "रानी", "पाणी", "वहाँ", "जानी", "नबी", "ओके",
            "ओके नाबी", "हे जानी", "सर्विस", "जार्विस", "बाबू", "नाबू")
CARRIERS_EN = ("I said {w} yesterday.", "Did you hear {w} just now?", "{w}, that is all.")
CARRIERS_HI = ("मैंने {w} कहा था।", "{w} लाओ।", "क्या तुमने {w} सुना?")
ESPEAK_EN = ("en-us", "en-gb", "en-gb-x-rp", "en-029", "en-gb-scotland", "en-us-nyc",
             "en-gb-x-gbclan", "en-gb-x-gbcwmd")
ESPEAK_VARIANTS = ("", "+m3", "+m7", "+f2", "+f4")
AUGMENTS = ("clean", "gain-18", "gain+6", "speed0.9", "speed1.1", "white10", "babble10",
            "white5", "babble5", "pink20", "room", "room+white10")
HUMAN = Path("/usr/share/pocketsphinx/test/data")


# -- voices and clips -------------------------------------------------------------------------

@dataclass(frozen=True)
class Voice:
    engine: str                            # piper | espeak | festival
    name: str                              # pack / espeak voice / festival voice
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.options)
        return f"{self.engine}:{self.name}" + (f"({opts})" if opts else "")

    @property
    def family(self) -> str:
        if self.engine == "espeak" and self.name.startswith("hi"):
            return "espeak-hi"
        if self.engine == "festival":
            return "festival-hi" if self == FESTIVAL_HI else "festival-en"
        return self.engine


PIPER = "piper-en-joe"
FESTIVAL_HI = Voice("festival", "hindi_NSK_diphone")
FESTIVAL_EN = Voice("festival", "cmu_us_slt_arctic_hts")     # Debian festvox-us-slt-hts


def positive_voices() -> list[tuple[Voice, int]]:
    """(voice, which text of PHRASES[...]): 0/1 English spellings, 2 Devanagari."""
    rng = np.random.default_rng(SEED)
    out: list[tuple[Voice, int]] = []
    for length in (0.8, 1.0, 1.25):
        for text in (0, 1):
            out.append((Voice("piper", PIPER, (("length_scale", length), ("noise_scale", 0.0),
                                               ("noise_w_scale", 0.0))), text))
    for accent in ESPEAK_EN:
        for variant in rng.choice(ESPEAK_VARIANTS, 3, replace=False):
            opts = (("pitch", int(rng.integers(25, 80))),
                    ("words_per_minute", int(rng.integers(120, 200))))
            out.append((Voice("espeak", accent + str(variant), opts), int(rng.integers(2))))
    out.append((FESTIVAL_HI, 2))
    out += [(FESTIVAL_EN, 0), (FESTIVAL_EN, 1)]
    for variant in ("", "+m3", "+f2"):
        out.append((Voice("espeak", "hi" + variant, (("words_per_minute", 140),)), 2))
    return out


class Synth:
    """Cached TTS: one engine per voice, one ``.npy`` (int16, 16 kHz) per clip."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._engines: dict[Voice, Any] = {}
        self._host: Any = None
        self._store: Any = None
        self.generated = 0
        self.failed: list[str] = []

    def _engine(self, voice: Voice) -> Any:
        if voice not in self._engines:
            from vaani import config as config_mod
            from vaani.engines import EngineContext
            from vaani.models import ModelStore
            from vaani.plugins import PluginHost

            if self._host is None:
                self._host = PluginHost(config_mod.from_dict({}))
                self._host.load()
                self._store = ModelStore.from_config(self._host.config)
            ctx = EngineContext(config=self._host.config, models=self._store,
                                options=dict(voice.options), model=voice.name, voice=voice.name)
            self._engines[voice] = self._host.create_engine("tts", voice.engine, ctx)
        return self._engines[voice]

    def key(self, voice: Voice, text: str) -> Path:
        h = hashlib.sha1(json.dumps([VERSION, voice.label, text], ensure_ascii=False)
                         .encode()).hexdigest()
        return self.cache / "clips" / h[:2] / f"{h}.npy"

    def __call__(self, voice: Voice, text: str, language: str) -> np.ndarray | None:
        """``text`` spoken by ``voice``: speech only (10 ms margins), peak -6 dBFS; None when
        the voice cannot say it."""
        path = self.key(voice, text)
        if path.is_file():
            pcm = np.load(path)
            return None if not len(pcm) else pcm.astype(np.float32) / 32767.0
        from vaani.speech_fixtures import resample, speech_bounds

        try:
            engine = self._engine(voice)
            chunks = [np.asarray(c, np.float32) for c in engine.process(text, language)]
            audio = resample(np.concatenate(chunks), engine.sample_rate) if chunks else None
            if audio is not None:
                a, b = speech_bounds(audio)
                audio = audio[max(0, round((a - 0.01) * RATE)): round((b + 0.01) * RATE)]
                audio = audio * (0.5 / max(1e-9, float(np.abs(audio).max())))
        except Exception as exc:                       # a voice that cannot say a word
            self.failed.append(f"{voice.label} {text[:30]!r}: {type(exc).__name__}: {exc}"[:200])
            audio = None
        path.parent.mkdir(parents=True, exist_ok=True)
        pcm = (np.zeros(0, np.int16) if audio is None
               else np.clip(np.round(audio * 32767), -32768, 32767).astype(np.int16))
        np.save(path, pcm)
        self.generated += 1
        return None if audio is None else pcm.astype(np.float32) / 32767.0


# -- signal helpers -------------------------------------------------------------------------

def db(x: float) -> float:
    return 10 ** (x / 20)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def colored_noise(n: int, color: str, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS white, pink (1/f) or brown (1/f^2) noise."""
    white = rng.standard_normal(n)
    if color != "white" and n > 1:
        spec = np.fft.rfft(white)
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        spec /= f ** (0.5 if color == "pink" else 1.0)
        white = np.fft.irfft(spec, n)
    return (white / (rms(white) + 1e-12)).astype(np.float32)


def room_tone(n: int, rng: np.random.Generator) -> np.ndarray:
    return colored_noise(n, "pink", rng) * db(ROOM_DB)


def speed(x: np.ndarray, factor: float) -> np.ndarray:
    """Faster (factor > 1) and higher, by resampling (numpy/scipy, no sox needed)."""
    from scipy.signal import resample_poly

    return resample_poly(x, 100, int(round(100 * factor))).astype(np.float32)


def room_impulse(rt60: float, rng: np.random.Generator) -> np.ndarray:
    """A synthetic room: direct sound, then exponentially decaying noise (the RT60 given)."""
    n = int(rt60 * RATE)
    t = np.arange(n) / RATE
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    tail[: int(0.005 * RATE)] = 0.0                  # first reflections after 5 ms
    h = 0.3 * tail / (np.sqrt(np.sum(tail ** 2)) + 1e-12)
    h[0] = 1.0
    return h.astype(np.float32)


def reverb(x: np.ndarray, rng: np.random.Generator, rt60: float | None = None) -> np.ndarray:
    from scipy.signal import fftconvolve

    h = room_impulse(rt60 or float(rng.uniform(0.3, 0.7)), rng)
    y = fftconvolve(x, h)[: len(x) + len(h) // 2]
    return (y * (np.abs(x).max() / (np.abs(y).max() + 1e-9))).astype(np.float32)


def with_noise(x: np.ndarray, snr_db: float, kind: str, rng: np.random.Generator,
               babble: Any = None) -> np.ndarray:
    level = rms(x[np.abs(x) > 0.01 * np.abs(x).max()] if len(x) else x) * db(-snr_db)
    if kind == "babble" and babble is not None:
        noise = babble(len(x) / RATE, 1.0, int(rng.integers(1 << 30)))[: len(x)]
        noise = noise / (rms(noise) + 1e-12)
    else:
        noise = colored_noise(len(x), kind if kind != "babble" else "pink", rng)
    return np.clip(x + level * noise, -1, 1).astype(np.float32)


def augment(x: np.ndarray, name: str, rng: np.random.Generator,
            babble: Any = None) -> np.ndarray:
    """``x`` with the augmentation ``name`` (``AUGMENTS``); babble is the bench's own unless
    ``babble`` (same call) is given."""
    babble = babble or _babble_fn()
    if name == "clean":
        return x
    if name.startswith("gain"):
        return np.clip(x * db(float(name[4:])), -1, 1).astype(np.float32)
    if name.startswith("speed"):
        return speed(x, float(name[5:]))
    if name == "room":
        return reverb(x, rng)
    if name == "room+white10":
        return with_noise(reverb(x, rng), 10, "white", rng)
    for kind in ("white", "babble", "pink"):
        if name.startswith(kind):
            return with_noise(x, float(name[len(kind):]), kind, rng, babble)
    raise ValueError(f"unknown augmentation {name!r}")


def music(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Music-like audio: notes of harmonic tones (chords or a melody) with envelopes and a beat."""
    n = int(seconds * RATE)
    out = np.zeros(n, np.float32)
    bpm = float(rng.uniform(70, 160))
    step = int(RATE * 60 / bpm / 2)
    root = float(rng.uniform(110, 330))
    scale = np.array([0, 2, 4, 5, 7, 9, 11, 12])
    t = np.arange(step * 2) / RATE
    env = np.minimum(1, t / 0.01) * np.exp(-t * float(rng.uniform(2, 8)))
    for start in range(0, n, step):
        notes = rng.choice(scale, int(rng.integers(1, 4)), replace=False)
        tone = np.zeros(len(t))
        for k in notes:
            f = root * 2 ** (k / 12) * (2 if rng.random() < 0.3 else 1)
            for h in range(1, 5):
                tone += np.sin(2 * np.pi * f * h * t + rng.uniform(0, 6.3)) / h ** 1.5
        seg = (tone * env)[: n - start]
        out[start:start + len(seg)] += seg.astype(np.float32)
        if rng.random() < 0.5:                        # a drum-like click
            hit = rng.standard_normal(min(800, n - start)) * np.exp(-np.arange(min(800, n - start)) / 120)
            out[start:start + len(hit)] += 0.5 * hit.astype(np.float32)
    return (out / (np.abs(out).max() + 1e-9) * 0.5).astype(np.float32)


# -- negative material ----------------------------------------------------------------------

def _has_wake_word(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in WAKE_WORDS)


def sentences() -> tuple[list[str], list[str]]:
    """(English, Hindi) sentences from the repo's own text, wake words left out."""
    en: list[str] = []
    hi: list[str] = []
    try:
        from vaani.bench import asr
        for s in (*asr.TEST, *getattr(asr, "DEV", ())):
            (en if s.kind == "en" else hi).append(s.text)
            if s.roman:
                en.append(s.roman)
    except ImportError:
        pass
    data = Path(__file__).parent / "data"
    for f in sorted(data.glob("answers-*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            (hi if q["language"] == "hi" else en).append(q["question"])
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "plugins"))
        import vaani_smalltalk

        for table in vaani_smalltalk.PHRASES.values():
            for lang, phrases in table.items():
                for p in phrases:
                    (hi if any("\u0900" <= c <= "\u097f" for c in p) else en).append(p)
    except ImportError:
        pass
    en += _chatterbot("english")
    hi += _chatterbot("hindi")
    hi += _hindi_word_strings(300)

    def clean(xs: list[str]) -> list[str]:
        seen: dict[str, None] = {}
        for x in xs:
            x = " ".join(x.split())
            if 2 <= len(x) <= 160 and not _has_wake_word(x):
                seen.setdefault(x, None)
        return list(seen)

    return clean(en), clean(hi)


def _pack(name: str) -> Path | None:
    try:
        from vaani import config as config_mod
        from vaani.models import ModelStore

        return ModelStore.from_config(config_mod.from_dict({})).path(name)
    except Exception:
        return None


def _chatterbot(language: str) -> list[str]:
    """Lines of the chatterbot corpus pack (train group), read without a YAML parser."""
    folder = _pack("chatterbot-corpus")
    out: list[str] = []
    if folder is None or not (folder / language).is_dir():
        return out
    for f in sorted((folder / language).glob("*.yml")):
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines():
            s = line.strip()
            if s.startswith("- - "):
                s = s[4:]
            elif s.startswith("- "):
                s = s[2:]
            else:
                continue
            s = s.strip().strip("'\"")
            if s and not s.endswith(":") and "|" not in s:
                out.append(s)
    return out


def _hindi_word_strings(count: int) -> list[str]:
    """Strings of 5-9 frequent Hindi words (wordfreq pack): Hindi sounds beyond our sentences."""
    folder = _pack("wordfreq-hi")
    if folder is None:
        return []
    try:
        import gzip

        import msgpack

        f = next(iter(sorted(folder.glob("*.msgpack.gz"))))
        data = msgpack.unpackb(gzip.decompress(f.read_bytes()), raw=False)
    except Exception:
        return []
    words = [w for bucket in data[1:] for w in bucket
             if isinstance(w, str) and all("\u0900" <= c <= "\u097f" for c in w)][:3000]
    if not words:
        return []
    rng = np.random.default_rng(SEED)
    return [" ".join(rng.choice(words, int(rng.integers(5, 10)))) + "।" for _ in range(count)]


@dataclass(frozen=True)
class Item:
    kind: str                  # speech-en | speech-hi | close | human | noise | music
    voice: Voice | None = None
    text: str = ""
    language: str = ""
    path: str = ""             # human speech file
    seconds: float = 0.0       # noise / music


def negative_items() -> list[Item]:
    """Every negative clip, interleaved so that any prefix of the list mixes every kind."""
    en, hi = sentences()
    rng = np.random.default_rng(SEED + 1)
    espeak_en = [Voice("espeak", a + v) for a in ESPEAK_EN for v in ESPEAK_VARIANTS]
    espeak_hi = [Voice("espeak", "hi" + v) for v in ESPEAK_VARIANTS]
    piper = Voice("piper", PIPER, (("noise_scale", 0.0), ("noise_w_scale", 0.0)))
    lanes: dict[str, list[Item]] = {
        "piper-en": [Item("speech-en", piper, s, "en") for s in en],
        "espeak-en": [Item("speech-en", espeak_en[int(rng.integers(len(espeak_en)))], s, "en")
                      for s in en],
        "festival-hi": [Item("speech-hi", FESTIVAL_HI, s, "hi") for s in hi],
        "espeak-hi": [Item("speech-hi", espeak_hi[int(rng.integers(len(espeak_hi)))], s, "hi")
                      for s in hi],
        "close": [],
        "human": [Item("human", path=str(p))
                  for p in sorted(HUMAN.glob("librivox/*.wav")) + sorted(HUMAN.glob("cards/*.wav"))],
        "noise": [Item("noise", seconds=float(s)) for s in rng.uniform(5, 30, 120)],
        "music": [Item("music", seconds=float(s)) for s in rng.uniform(5, 30, 120)],
    }
    close_voices = [piper, *espeak_en[::4]]
    for word in CLOSE_EN:
        for v in close_voices:
            lanes["close"].append(Item("close", v, word, "en"))
        for c in CARRIERS_EN:
            lanes["close"].append(Item("close", close_voices[int(rng.integers(len(close_voices)))],
                                       c.format(w=word), "en"))
    for word in CLOSE_HI:
        for v in (FESTIVAL_HI, *espeak_hi[:3]):
            lanes["close"].append(Item("close", v, word, "hi"))
        for c in CARRIERS_HI:
            lanes["close"].append(Item("close", FESTIVAL_HI, c.format(w=word), "hi"))
    for lane in lanes.values():
        order = rng.permutation(len(lane))
        lane[:] = [lane[i] for i in order]
    return interleave(lanes, {"piper-en": 3, "espeak-en": 3, "festival-hi": 3, "espeak-hi": 3,
                              "close": 3, "human": 1, "noise": 1, "music": 1})


def interleave(lanes: dict[str, list[Item]], weights: dict[str, int]) -> list[Item]:
    """The lanes' items in turns of ``weights[lane]`` each, until every lane is spent: any
    prefix of the result mixes every kind in about those shares."""
    out: list[Item] = []
    pos = dict.fromkeys(lanes, 0)
    while any(pos[k] < len(lanes[k]) for k in lanes):
        for k, w in weights.items():
            for _ in range(w):
                if pos[k] < len(lanes[k]):
                    out.append(lanes[k][pos[k]])
                    pos[k] += 1
    return out


def render(item: Item, synth: Synth, rng: np.random.Generator,
           babble: Any = None) -> np.ndarray | None:
    """One negative item as audio. Noise items are white, pink, brown or babble: the bench's
    own (``vaani.speech_fixtures.babble``) unless ``babble`` (same call) is given, as training
    does so that the bench's babble stays held out."""
    if item.kind == "noise":
        color = str(rng.choice(["white", "pink", "brown", "babble"]))
        n = int(item.seconds * RATE)
        if color == "babble":
            x = (babble or _babble_fn())(item.seconds, 1.0, int(rng.integers(1 << 30)))
        else:
            x = colored_noise(n, color, rng)
        return (x / (rms(x) + 1e-12) * db(float(rng.uniform(-45, -15)))).astype(np.float32)
    if item.kind == "music":
        return music(item.seconds, rng) * db(float(rng.uniform(-12, 0)))
    if item.kind == "human":
        import soundfile as sf

        x, rate = sf.read(item.path, dtype="float32")
        if rate != RATE:
            from vaani.speech_fixtures import resample

            x = resample(x, rate)
        return (x * (0.5 / (np.abs(x).max() + 1e-9))).astype(np.float32)
    assert item.voice is not None
    return synth(item.voice, item.text, item.language)


def negative_chunks(hours: float, synth: Synth, stats: dict[str, Any],
                    chunk_s: float = 60.0, items: list[Item] | None = None,
                    seed: int = SEED + 2, babble: Any = None) -> Iterator[np.ndarray]:
    """The negative stream, ``chunk_s`` at a time, until ``hours`` of audio. ``items``,
    ``seed`` and ``babble`` default to the bench's; training's development set
    (``training.wakeword.devset``) passes its own, rendered the same way."""
    items = negative_items() if items is None else items
    babble = babble or _babble_fn()
    rng = np.random.default_rng(seed)
    target = int(hours * 3600 * RATE)
    made = 0
    buf: list[np.ndarray] = []
    buffered = 0
    unique: set[int] = set()
    passes = 0
    i = 0
    timeline: list[tuple[int, Item]] = stats.setdefault("timeline", [])   # (first sample, item)
    while made < target:
        if i == len(items):
            i, passes = 0, passes + 1
        item = items[i]
        x = render(item, synth, rng, babble)
        if x is not None and len(x):
            if item.kind not in ("noise", "music"):
                if i not in unique:
                    unique.add(i)
                    stats["unique_speech_s"] += len(x) / RATE
                x = x * db(float(rng.uniform(-20, 3)))
                roll = rng.random()
                if roll < 0.2 or passes:
                    x = with_noise(x, float(rng.choice([20, 10, 5])),
                                   str(rng.choice(["white", "pink", "babble"])), rng, babble)
                elif roll < 0.35:
                    x = reverb(x, rng)
                if passes and rng.random() < 0.5:
                    x = speed(x, float(rng.uniform(0.85, 1.15)))
            stats["seconds_by_kind"][item.kind] = (stats["seconds_by_kind"].get(item.kind, 0.0)
                                                   + len(x) / RATE)
            gap = room_tone(int(rng.uniform(0.2, 1.5) * RATE), rng)
            timeline.append((made + buffered, item))
            for part in (np.clip(x, -1, 1).astype(np.float32), gap):
                buf.append(part)
                buffered += len(part)
        i += 1
        while buffered >= chunk_s * RATE or (made + buffered >= target and buffered):
            block = np.concatenate(buf)
            take = min(len(block), int(chunk_s * RATE), target - made)
            yield block[:take]
            made += take
            rest = block[take:]
            buf, buffered = ([rest], len(rest)) if len(rest) else ([], 0)
            if made >= target:
                break
    stats["passes"] = passes + (i / max(1, len(items)))
    stats["items"] = len(items)


def _babble_fn() -> Any:
    from vaani.speech_fixtures import babble

    return babble


# -- systems --------------------------------------------------------------------------------

class System:
    def __init__(self, spec: str, config: Any, store: Any, threshold: float) -> None:
        from vaani.engines import EngineContext
        from vaani.plugins import PluginHost

        engine, _, model = spec.partition(":")
        if not engine or not model:
            raise SystemExit(f"--system {spec!r}: use ENGINE:MODEL, e.g. "
                             "microwakeword:mww-hey-jarvis")
        self.spec, self.engine_name, self.model = spec, engine, model
        key = Path(model).stem.replace("-", "_")
        self.phrase_key = next((k for k in PHRASES if k in key), "")
        if not self.phrase_key:
            raise SystemExit(f"--system {spec!r}: no phrase known for this model "
                             f"(known: {', '.join(PHRASES)})")
        host = PluginHost(config)
        host.load()
        options = dict(config.wake.options) if engine == config.wake.engine else {}
        self.engine = host.create_engine("wake", engine, EngineContext(
            config=config, models=store, options=options, model=model))
        self.frame = int(self.engine.frame_samples)
        self.threshold = threshold
        pack = store.packs().get(model)
        self.licence = getattr(pack, "licence", "") if pack else ""
        self.cpu_s = 0.0
        self.audio_s = 0.0
        self._tail = np.zeros(0, np.float32)

    def scores(self, audio: np.ndarray, reset: bool = False) -> np.ndarray:
        """The best score per frame, over ``audio`` (continuing the stream unless ``reset``)."""
        if reset:
            self.engine.reset()
            self._tail = np.zeros(0, np.float32)
        x = np.concatenate([self._tail, audio]) if len(self._tail) else audio
        n = len(x) // self.frame
        out = np.empty(n, np.float32)
        t0 = time.process_time()
        for k in range(n):
            s = self.engine.process(x[k * self.frame:(k + 1) * self.frame])
            out[k] = max(s.values()) if s else 0.0
        self.cpu_s += time.process_time() - t0
        self.audio_s += n * self.frame / RATE
        self._tail = x[n * self.frame:].copy()
        return out

    def idle_cpu_pct(self, seconds: float = 60.0) -> float:
        """CPU of listening to a quiet room, % of one core (80 ms blocks as the pipeline)."""
        rng = np.random.default_rng(SEED + 3)
        audio = room_tone(int(seconds * RATE), rng)
        self.engine.reset()
        buf = np.zeros(0, np.float32)
        t0 = time.process_time()
        for k in range(0, len(audio), 1280):
            buf = np.concatenate([buf, audio[k:k + 1280]])
            while len(buf) >= self.frame:
                self.engine.process(buf[: self.frame])
                buf = buf[self.frame:]
        return 100 * (time.process_time() - t0) / seconds


def event_frames(frame_scores: np.ndarray, threshold: float, frame_s: float) -> list[int]:
    """The frames where the wake gate fires: at or above threshold, 1 s refractory."""
    idx = np.flatnonzero(frame_scores >= threshold)
    gap = max(1, int(round(REFRACTORY_S / frame_s)))
    events: list[int] = []
    quiet_until = -1
    for k in idx.tolist():
        if k >= quiet_until:
            events.append(k)
            quiet_until = k + gap
    return events


def count_events(frame_scores: np.ndarray, threshold: float, frame_s: float) -> int:
    """Detections as the wake gate makes them: at or above threshold, 1 s refractory."""
    return len(event_frames(frame_scores, threshold, frame_s))


def wilson_interval(misses: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a rate (FRR: ``misses`` of ``n`` positives)."""
    if n <= 0:
        return 0.0, 1.0
    p = misses / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _poisson_cdf(k: int, lam: float) -> float:
    if lam <= 0:
        return 1.0
    return min(1.0, sum(math.exp(-lam + i * math.log(lam) - math.lgamma(i + 1)) for i in range(k + 1)))


def poisson_interval(count: int, alpha: float = 0.05) -> tuple[float, float]:
    """Exact (Garwood) 95% interval of a Poisson mean from one ``count`` (false accepts in a
    run): two counts whose intervals overlap widely are not a measured difference."""
    def solve(f: Any, lo: float, hi: float) -> float:      # f falls from + to - on [lo, hi]
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
        return (lo + hi) / 2

    if count > 500:                         # Wilson-Hilferty: within 0.1% there, and no long sums
        z = 1.959964

        def wh(k: float, sign: float) -> float:
            return k * (1 - 1 / (9 * k) + sign * z / (3 * math.sqrt(k))) ** 3

        return wh(count, -1.0), wh(count + 1, 1.0)
    top = count + 10 * math.sqrt(count + 1) + 10
    upper = solve(lambda lam: _poisson_cdf(count, lam) - alpha / 2, 0.0, top)
    lower = 0.0 if count == 0 else solve(
        lambda lam: (1 - _poisson_cdf(count - 1, lam)) - alpha / 2 if lam > 0 else -1.0, top, 0.0)
    return lower, upper


def sign_test_p(k: int, n: int) -> float:
    """Exact two-sided sign test: ``k`` of ``n`` discordant items went one way."""
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def paired(a_rows: list[dict[str, Any]], a_events_s: list[float],
           b_rows: list[dict[str, Any]], b_events_s: list[float], threshold: float) -> dict[str, Any]:
    """Two systems with the same phrase on the same clips and the same stream: which clips only
    one of them missed, which false accepts only one of them made (within the 1 s refractory of
    each other counts as the same), and the sign-test p of each split. Paired counts separate two
    systems that per-system intervals cannot."""
    def key(r: dict[str, Any]) -> tuple[str, str, str]:
        return r["voice"], r["text"], r["augment"]

    b_by = {key(r): r["max_score"] < threshold for r in b_rows}
    both = [(r["max_score"] < threshold, b_by[key(r)]) for r in a_rows if key(r) in b_by]
    a_only = sum(1 for x, y in both if x and not y)
    b_only = sum(1 for x, y in both if y and not x)
    b_left = sorted(b_events_s)
    shared = 0
    for t in sorted(a_events_s):
        hit = next((u for u in b_left if abs(u - t) <= REFRACTORY_S), None)
        if hit is not None:
            b_left.remove(hit)
            shared += 1
    fa_a, fa_b = len(a_events_s) - shared, len(b_left)
    return {"positives": len(both), "missed_by_a_only": a_only, "missed_by_b_only": b_only,
            "frr_p": float(f"{sign_test_p(a_only, a_only + b_only):.3g}"),
            "false_accepts_both": shared, "false_accepts_a_only": fa_a,
            "false_accepts_b_only": fa_b, "fa_p": float(f"{sign_test_p(fa_a, fa_a + fa_b):.3g}")}


def false_accept_sources(frame_scores: np.ndarray, threshold: float, frame: int,
                         timeline: list[tuple[int, Any]], limit: int = 25) -> dict[str, Any]:
    """What each false accept at ``threshold`` heard: the negative item playing 0.3 s before the
    frame that fired (a detector fires just after the word), counted by kind, the first
    ``limit`` listed with their time, voice and text."""
    import bisect

    starts = [t for t, _ in timeline]
    by_kind: dict[str, int] = {}
    texts: dict[str, int] = {}
    examples: list[dict[str, Any]] = []
    for k in event_frames(frame_scores, threshold, frame / RATE):
        at = (k + 1) * frame
        j = bisect.bisect_right(starts, max(0, at - int(0.3 * RATE))) - 1
        item = timeline[j][1] if j >= 0 else None
        kind = item.kind if item is not None else "?"
        by_kind[kind] = by_kind.get(kind, 0) + 1
        text = (item.text or Path(item.path).name or item.kind) if item else "?"
        texts[text] = texts.get(text, 0) + 1
        if len(examples) < limit:
            examples.append({"at_s": round(at / RATE, 2), "score": round(float(frame_scores[k]), 4),
                             "kind": kind, "voice": item.voice.label if item and item.voice else "",
                             "text": (item.text or Path(item.path).name) if item else ""})
    top = sorted(texts.items(), key=lambda kv: -kv[1])
    return {"false_accepts_by_kind": dict(sorted(by_kind.items())),
            # the stream repeats its material: many events can be one phrase heard again
            "false_accept_texts": len(texts), "false_accepts_top_texts": dict(top[:3]),
            "false_accept_examples": examples}


THRESHOLDS = np.unique(np.concatenate([np.linspace(0.01, 0.99, 99),
                                       1 - np.logspace(-4, -2, 13), [0.995, 0.999]]))


# -- the run --------------------------------------------------------------------------------

def default_cache() -> Path:
    if os.environ.get("VAANI_DATA_DIR"):
        return Path(os.environ["VAANI_DATA_DIR"]) / "bench-wake"
    return Path.home() / ".cache" / "vaani" / "bench-wake"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--system", action="append", default=[], metavar="ENGINE:MODEL",
                   help="a wake model to measure (repeatable). Default: the configured one, "
                   "microwakeword:mww-okay-nabu and openwakeword:wake-hey-jarvis")
    p.add_argument("--hours", type=float, default=5.0,
                   help="hours of negative audio (default 5; a few seconds for a smoke test)")
    p.add_argument("--threshold", type=float, default=None,
                   help="operating threshold (default: wake.threshold of the config)")
    p.add_argument("--max-positives", type=int, default=0,
                   help="at most this many positives per system (spread over voices and "
                   "augmentations; 0 = all)")
    p.add_argument("--cache", type=Path, default=None,
                   help="where generated clips are kept (default $VAANI_DATA_DIR/bench-wake "
                   "or ~/.cache/vaani/bench-wake)")
    p.add_argument("--out", default="results/wake.json", help="the JSON report")
    p.add_argument("--png", default=None, help="the DET curve (default: beside --out, .png)")


def positives(system: System, synth: Synth, limit: int) -> list[dict[str, Any]]:
    texts = PHRASES[system.phrase_key]
    grid = [(v, t, a) for v, t in positive_voices() for a in AUGMENTS]
    if limit and limit < len(grid):
        grid = [grid[int(i)] for i in np.linspace(0, len(grid) - 1, limit).round()]
    rows = []
    frame_s = system.frame / RATE
    for n, (voice, t, aug) in enumerate(grid):
        text = texts[t]
        clean = synth(voice, text, "hi" if t == 2 else "en")
        if clean is None:
            continue
        rng = np.random.default_rng([SEED, n])
        x = augment(clean, aug, rng)
        lead, tail = room_tone(RATE, rng), room_tone(RATE, rng)
        s = system.scores(np.concatenate([lead, x, tail]), reset=True)
        a, b = int(len(lead) / RATE / frame_s), int((len(lead) + len(x)) / RATE / frame_s) + 1
        window = s[a: b + int(1.0 / frame_s)]
        rows.append({"voice": voice.label, "family": voice.family, "text": text,
                     "augment": aug, "max_score": round(float(window.max()) if len(window) else 0.0, 4)})
    return rows


def summarize(system: System, rows: list[dict[str, Any]], neg_scores: np.ndarray,
              hours: float, timeline: list[tuple[int, Any]] | None = None) -> dict[str, Any]:
    frame_s = system.frame / RATE
    maxes = np.array([r["max_score"] for r in rows])
    th = system.threshold
    det: list[dict[str, Any]] = []
    for t in THRESHOLDS:
        det.append({"threshold": round(float(t), 5),
                    "frr": round(float(np.mean(maxes < t)) if len(maxes) else 0.0, 4),
                    "fa": count_events(neg_scores, float(t), frame_s)})
    for d in det:
        d["fa_per_hour"] = round(d["fa"] / hours, 3) if hours else None
    fa = count_events(neg_scores, th, frame_s)
    frr = float(np.mean(maxes < th)) if len(maxes) else None

    def breakdown(key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for r in rows:
            out.setdefault(r[key], []).append(r["max_score"] < th)
        return {k: {"n": len(v), "frr": round(float(np.mean(v)), 3)} for k, v in out.items()}

    by_voice: dict[str, dict[str, float]] = {}
    for r in rows:
        by_voice.setdefault(f'{r["voice"]} "{r["text"]}"', {})[r["augment"]] = r["max_score"]
    ok = [d for d in det if d["fa_per_hour"] is not None and d["fa_per_hour"] <= GOAL["fa_per_hour"]]
    best = min(ok, key=lambda d: (d["frr"], d["threshold"])) if ok else None
    return {
        "engine": system.engine_name, "model": system.model, "licence": system.licence,
        "phrase": PHRASES[system.phrase_key][0], "frame_samples": system.frame,
        "threshold": th, "positives": len(rows),
        "frr": None if frr is None else round(frr, 4),
        "frr_ci95": None if frr is None else [round(x, 4) for x in
                                              wilson_interval(int((maxes < th).sum()), len(maxes))],
        "false_accepts": fa, "fa_per_hour": round(fa / hours, 3) if hours else None,
        "fa_per_hour_ci95": [round(x / hours, 3) for x in poisson_interval(fa)] if hours else None,
        "frr_by_voice_family": breakdown("family"), "frr_by_augment": breakdown("augment"),
        "frr_by_voice": breakdown("voice"),
        # chosen on these same positives and negatives: an oracle, not a held-out figure
        "oracle_threshold_at_goal_fa": best,
        "cpu_ms_per_80ms": round(1000 * system.cpu_s / max(1e-9, system.audio_s / 0.08), 4),
        "cpu_pct_listening": round(100 * system.cpu_s / max(1e-9, system.audio_s), 3),
        "meets_goal": bool(frr is not None and hours and frr <= GOAL["frr"]
                           and fa / hours <= GOAL["fa_per_hour"]),
        **false_accept_sources(neg_scores, th, system.frame, timeline or []),
        "det": det,
        "positive_max_scores": by_voice,
    }


def run(args: argparse.Namespace) -> int:
    from vaani import config as config_mod
    from vaani.models import ModelStore
    from vaani.offline import block_network

    config = config_mod.load(getattr(args, "config", None))
    threshold = args.threshold if args.threshold is not None else config.wake.threshold
    specs = args.system or list(dict.fromkeys([
        f"{config.wake.engine}:{config.wake.model}", "microwakeword:mww-hey-jarvis",
        "microwakeword:mww-okay-nabu", "openwakeword:wake-hey-jarvis"]))
    cache = args.cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    store = ModelStore.from_config(config)
    started = time.time()
    with block_network():
        systems = [System(s, config, store, threshold) for s in specs]
        synth = Synth(cache)
        results: dict[str, Any] = {}
        pos_rows: dict[str, list[dict[str, Any]]] = {}
        for system in systems:
            t0 = time.time()
            pos_rows[system.spec] = positives(system, synth, args.max_positives)
            print(f"{system.spec}: {len(pos_rows[system.spec])} positives in "
                  f"{time.time() - t0:.0f} s", flush=True)
        for system in systems:                     # CPU is measured on the stream only
            system.cpu_s = system.audio_s = 0.0
            system.engine.reset()
        stats: dict[str, Any] = {"unique_speech_s": 0.0, "seconds_by_kind": {}}
        neg: dict[str, list[np.ndarray]] = {s.spec: [] for s in systems}
        done = 0.0
        for chunk in negative_chunks(args.hours, synth, stats):
            for system in systems:
                neg[system.spec].append(system.scores(chunk))
            done += len(chunk) / RATE
            if int(done) % 600 < len(chunk) / RATE:
                print(f"  negatives: {done / 3600:.2f} h of {args.hours:g} h "
                      f"({time.time() - started:.0f} s)", flush=True)
        hours = done / 3600
        scores_file = cache / f"scores-{args.hours:g}h.npz"        # to re-read the run
        stream = {s.spec: np.concatenate(neg[s.spec] or [np.zeros(0, np.float32)]) for s in systems}
        arrays: dict[str, Any] = {k.replace(":", "__"): v for k, v in stream.items()}
        np.savez_compressed(scores_file, **arrays)
        for system in systems:
            results[system.spec] = summarize(system, pos_rows[system.spec], stream[system.spec],
                                             hours, stats.get("timeline"))
            results[system.spec]["idle_cpu_pct"] = round(system.idle_cpu_pct(), 3)
            r = results[system.spec]
            r["meets_goal"] = bool(r["meets_goal"] and r["idle_cpu_pct"] <= GOAL["idle_cpu_pct"])
        events = {s.spec: [(k + 1) * s.frame / RATE
                           for k in event_frames(stream[s.spec], s.threshold, s.frame / RATE)]
                  for s in systems}
        comparisons = [{"a": a.spec, "b": b.spec,
                        **paired(pos_rows[a.spec], events[a.spec], pos_rows[b.spec],
                                 events[b.spec], threshold)}
                       for i, a in enumerate(systems) for b in systems[i + 1:]
                       if a.phrase_key == b.phrase_key]     # same phrase: same clips, paired
    report = {
        "bench": "wake",
        "command": "vaani bench wake " + " ".join(sys.argv[3:] if sys.argv[1:3] == ["bench", "wake"]
                                                  else []),
        "goal": GOAL, "threshold": threshold, "refractory_s": REFRACTORY_S,
        "negatives": {"hours": round(hours, 4), "unique_speech_hours":
                      round(stats["unique_speech_s"] / 3600, 3),
                      "hours_by_kind": {k: round(v / 3600, 3)
                                        for k, v in sorted(stats["seconds_by_kind"].items())},
                      "passes_over_material": round(stats.get("passes", 0.0), 2),
                      "items": stats.get("items")},
        "positives": {"voices": sorted({v.label for v, _ in positive_voices()}),
                      "augmentations": list(AUGMENTS)},
        "systems": results,
        "paired": comparisons,
        "clips_generated_this_run": synth.generated, "voice_failures": synth.failed[:20],
        "machine": {"cpus": os.cpu_count(), "load_avg": _loadavg(), "platform": platform.platform(),
                    "python": platform.python_version(),
                    "note": "CPU figures from process time; compare systems within a run"},
        "duration_s": round(time.time() - started, 1),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    png = Path(args.png) if args.png else out.with_suffix(".png")
    det_png(results, png, hours)
    _print(report)
    print(f"\nreport: {out}\nDET curve: {png}")
    return 0


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _print(report: dict[str, Any]) -> None:
    print(f"\nnegatives: {report['negatives']['hours']:.3f} h "
          f"({report['negatives']['unique_speech_hours']:.3f} h unique speech); "
          f"threshold {report['threshold']}")
    print(f"{'system':40} {'FRR':>7} {'(95% CI)':>13} {'FA/h':>8} {'(95% CI)':>13} "
          f"{'ms/80ms':>8} {'idle %':>7}  goal")
    for name, r in report["systems"].items():
        frr = "-" if r["frr"] is None else f"{100 * r['frr']:.1f}%"
        lo_hi = r.get("frr_ci95")
        frr_ci = f"({100 * lo_hi[0]:.1f}-{100 * lo_hi[1]:.1f})" if lo_hi else ""
        fa_ci = r.get("fa_per_hour_ci95")
        fa_ci_s = f"({fa_ci[0]:.1f}-{fa_ci[1]:.1f})" if fa_ci else ""
        print(f"{name:40} {frr:>7} {frr_ci:>13} {r['fa_per_hour']:>8} {fa_ci_s:>13} "
              f"{r['cpu_ms_per_80ms']:>8} {r['idle_cpu_pct']:>7}  "
              f"{'met' if r['meets_goal'] else 'missed'}")
    print("(95% intervals: Wilson for FRR, exact Poisson for FA/h; systems whose intervals overlap "
          "widely are not measured apart)")
    for c in report.get("paired", []):
        print(f"{c['a']} vs {c['b']}: missed by one only {c['missed_by_a_only']} / "
              f"{c['missed_by_b_only']} (p {c['frr_p']:.2g}); false accepts by one only "
              f"{c['false_accepts_a_only']} / {c['false_accepts_b_only']} (p {c['fa_p']:.2g}), "
              f"both {c['false_accepts_both']}")
    for name, r in report["systems"].items():
        kinds = ", ".join(f"{k} {n}" for k, n in r.get("false_accepts_by_kind", {}).items())
        top = ", ".join(f"{t!r} {n}" for t, n in r.get("false_accepts_top_texts", {}).items())
        print(f"{name}: false accepts on {kinds or 'nothing'}"
              + (f"; {r['false_accept_texts']} distinct texts, most: {top}" if top else ""))


# -- DET curve ------------------------------------------------------------------------------

def det_png(results: dict[str, Any], path: Path, hours: float) -> Path:
    """FRR (%) against false accepts per hour, one line per system; matplotlib when installed
    (the train extra), else a plain raster written with zlib."""
    path.parent.mkdir(parents=True, exist_ok=True)
    floor = 1 / max(hours, 1e-6) / 2                  # where 0 false accepts is drawn
    curves = {}
    for name, r in results.items():
        pts = [(max(d["fa_per_hour"] or 0.0, floor), 100 * d["frr"]) for d in r["det"]]
        curves[name] = (pts, (max(r["fa_per_hour"] or 0.0, floor), 100 * (r["frr"] or 0.0)))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return _det_png_plain(curves, path)
    fig, ax = plt.subplots(figsize=(7, 5), dpi=100)
    for name, (pts, op) in curves.items():
        xs, ys = zip(*pts)                           # in threshold order
        line, = ax.plot(xs, ys, label=name, drawstyle="steps-post")
        ax.plot([op[0]], [op[1]], "o", color=line.get_color())
    ax.axvline(GOAL["fa_per_hour"], color="grey", ls=":")
    ax.axhline(100 * GOAL["frr"], color="grey", ls=":")
    ax.set_xscale("log")
    ax.set_xlabel(f"false accepts per hour ({hours:.2f} h of negatives; 0 drawn at {floor:.2g})")
    ax.set_ylabel("false rejections (%)")
    ax.set_title("wake word DET (dots: operating threshold; dotted: goal)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _det_png_plain(curves: dict[str, Any], path: Path) -> Path:
    import struct
    import zlib

    w, h, m = 480, 320, 30
    img = np.full((h, w, 3), 255, np.uint8)
    img[h - m, m:w - m] = img[m:h - m, m] = 0
    xs_all = [np.log10(x) for pts, _ in curves.values() for x, _ in pts]
    lo, hi = (min(xs_all), max(xs_all) + 1e-6) if xs_all else (0, 1)
    colors = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]
    for c, (pts, _) in enumerate(curves.values()):
        for x, y in pts:
            px = m + int((np.log10(x) - lo) / (hi - lo) * (w - 2 * m - 1))
            py = h - m - int(y / 100 * (h - 2 * m - 1))
            img[max(0, py - 1):py + 2, max(0, px - 1):px + 2] = colors[c % len(colors)]
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path
