"""Train VAANI's own wake word, "vaani" / "वाणी" (also "hey vaani"), offline, on this CPU.

    python -m training.wakeword.train                       # data, features, training, export
    python -m training.wakeword.train --out models/wake-vaani --report results/wake-train.json

The method is openWakeWord's: a small classifier head on the shared, frozen speech-embedding
features (the ``oww-features`` pack: mel spectrogram + an embedding model trained by Google on
a large speech corpus), so that a few thousand synthetic clips generalise to voices the head has
not heard. The head takes the last 16 embeddings (1.28 s) and answers one score every 80 ms; it
is written as an ONNX file the ``openwakeword`` engine loads like any other head
(``[wake] engine = "openwakeword"``, ``model = "wake-vaani"``).

**Positives**: the phrases of ``POSITIVES`` from every training voice (below), each clip placed
after 2.2 s of background and augmented (speed by resampling, which also moves pitch and
formants like another speaker; gain; white, pink, brown noise and babble of training voices
(``Babble``; the bench's babble stays held out) at 0-22 dB SNR over three in four; a
synthetic room; music or generated speech underneath). Windows that end between the end of the
word and 0.24 s after it are the positive examples.

**Negatives**: a stream built like the bench's (``vaani.bench.wake.negative_chunks``) but from
other text (the Chimera corpus generators, Hindi word strings from another seed), other voices
and another seed; close words of our own (``CLOSE_EN``/``CLOSE_HI``: "pani", "rani", "jaani",
"money", "Johnny", ...) alone and in carriers; noise and music (babble here is always
``Babble``, so the bench's stays held out; the first model, which heard the bench's babble
only as negative noise, missed 72% of the words said through it at 10 dB). Plus the
background before each positive.

**Held out** for ``vaani bench wake`` (never used here): festival's Hindi voice
(hindi_NSK_diphone) and its US English HTS voice (cmu_us_slt_arctic_hts), the espeak-ng
variants the bench uses ("", +m3, +m7, +f2, +f4), human recordings (pocketsphinx test data),
the bench's texts and its clip cache. Piper's en-joe is the one voice both see (the bench at
noise 0, training with noise): its bench figures are not held-out figures.

**Calibration**: the head's last bias is moved so that, on a validation stream (negatives of
another seed, not trained on), a score of 0.5 (VAANI's default ``wake.threshold``) gives at most
``--target-fa`` false accepts per hour; FRR at that point on held-back training-voice clips is
reported beside it. That stream saw no false accept from any head while the bench saw 2-4 an
hour; ``--calibrate dev`` meets ``--target-fa`` on the development set instead
(``training.wakeword.devset``: voices, names and text of neither training nor the bench), and
reports its FRR and false accepts.

**Voices for the positives**: ``--variants`` / ``--hi-variants`` espeak-ng variants per accent
(7 and 6 in the shipped recipe; the negatives and the babble keep those whatever is asked).

**Hard negatives** (``--hard-share``, off by default): "hey/okay/hi <name>" and "हे/अरे/ओके
<name>" (``HARD_NAMES_*``, none of the bench's), augmented like positives, a share of every
batch. Measured in ``README.md``: within the spread of reruns, so not in the shipped recipe.

The head's init, batches and noise follow ``--train-seed``: two runs with the same caches and
the same ``--threads`` write the same file (another thread count sums in another order and
ends elsewhere: seed 2026 gives validation FRR 8.9% with 1 thread, 8.2% with 2). ``--heads K``
trains K heads (seeds ``--train-seed`` .. +K-1) and writes one file scoring their mean logit,
calibrated as one (off by default; measured in ``README.md``).

Every step is cached under ``--work`` (clips, features), so a second run retrains in minutes.
Needs the ``train`` extra (torch) and ``onnx``; the runtime needs neither.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from vaani.bench import wake as W

RATE = 16000
SEED = 2026
FRAME_S = 0.08
WINDOW = 16                         # embeddings per decision (1.28 s)
EMB_DIM = 96
LEAD_S = 2.2                        # background before a word: the first window ends at 1.99 s
FEATURES_VERSION = 6                # of the example recipes: a change makes new feature caches
POSITIVES = {
    "en": ("vaani", "Vaani!", "hey vaani", "Hey, Vaani!", "okay vaani", "vahni"),
    "hi": ("वाणी", "वाणी!", "हे वाणी", "ओके वाणी"),
}
# phonetically close, never the name (the bench has its own list: vaani.bench.wake.CLOSE_*)
CLOSE_EN = ("pani", "rani", "jaani", "daani", "naani", "money", "funny", "honey", "Johnny",
            "Ronnie", "Bonnie", "Danny", "Vinnie", "Vienna", "Vanessa", "Hawaii", "wanna",
            "van", "bonny", "hey Johnny", "hey Ronnie", "hey money", "hey Danny", "okay Ronnie",
            "fine", "Varney", "barney", "Conny", "Jonny", "Sunny")
CLOSE_HI = ("पानी", "रानी", "नानी", "दानी", "जानी", "बानी", "वन", "वाह", "वहाँ", "वार", "हे रानी",
            "हे नानी", "ओके जानी", "कहानी", "निशानी", "मनमानी", "वापस", "वादा", "वाहन", "सानिया")
# a greeting and a name: "hey" + two syllables is what the heads woke on most (the bench's own
# "hey you, Marvin" and "hey, Mike"); names and texts of the bench's close list stay out
HARD_NAMES_EN = ("Johnny", "Ronnie", "Danny", "Bonnie", "Vinnie", "Sunny", "Lenny", "Kenny",
                 "Benny", "Penny", "Jenny", "Annie", "Tony", "Bobby", "Mandy", "Wendy", "Vanya",
                 "Bunny", "Manny", "Sonny", "Lonnie", "Connie", "Donny", "Ginny", "Jamie", "Kevin",
                 "Mary", "Molly", "Harry", "Barry", "Larry", "Gary", "Ivan", "Evan", "Brian",
                 "Ryan", "Hannah", "Anna", "Lana", "Diana", "Tanya", "Sonia", "Tiana", "Shani",
                 "Ravi", "Siri", "Google", "Cortana", "buddy", "man", "there", "honey", "mommy",
                 "daddy", "granny", "Bonnie Lee", "Martin", "Mark", "Steve", "Dave", "Melvin",
                 "Calvin", "Alvin", "Gavin", "Kelvin", "Darwin", "Irvin", "Pravin", "Navin",
                 "Arvind", "Garvey", "Harvey", "Jake", "Pete", "Nick", "Vic", "Max", "Fred",
                 "Mo", "Ben", "Dan", "Sam", "Joe", "Vaughn")
HARD_NAMES_HI = ("राम", "श्याम", "रवि", "मोनी", "सोनी", "रानी", "नानी", "दानी", "भाई", "दीदी",
                 "माँ", "बाबा", "भगवान", "मनी", "वीनू", "सानी", "गुड्डी", "पिंकी", "सोनू", "मोनू",
                 "राजू", "अनु", "तनु", "वीना", "मीना", "रीना", "हनी", "गूगल", "सिरी", "यार",
                 "दोस्त", "बहन", "बेटा", "वरुण", "मानव", "प्रवीण", "नवीन", "अरविंद", "पवन",
                 "जीवन", "माधवी", "सावन", "मोहन")
HARD_GREETINGS_EN = ("hey {n}", "hey {n}", "okay {n}", "hi {n}")
HARD_GREETINGS_HI = ("हे {n}", "हे {n}", "अरे {n}", "ओके {n}")
HARD_AUGMENT = 4                    # renderings of each hard phrase, augmented like a positive
CARRIERS_EN = ("we said {w} twice.", "is that {w} or not?", "{w} is the word.")
CARRIERS_HI = ("यह {w} है।", "मुझे {w} चाहिए।", "वो {w} था।")
# espeak-ng variants: the bench's ("", +m3, +m7, +f2, +f4) stay out
ESPEAK_VARIANTS = ("+m1", "+m2", "+m4", "+m5", "+m6", "+m8", "+f1", "+f3", "+f5", "+klatt",
                   "+klatt2", "+klatt4", "+Alex", "+Andy", "+Annie", "+Denis", "+ed", "+Gene",
                   "+Jacky", "+Lee", "+linda", "+Mario", "+Michael", "+paul", "+pedro",
                   "+quincy", "+steph", "+Storm", "+Tweaky", "+anika", "+grandma", "+grandpa",
                   "+norbert", "+shelby", "+travis", "+victor", "+zac", "+david", "+Henrique",
                   "+Hugo", "+max", "+rob", "+robert", "+sandro", "+john", "+aunty", "+belinda",
                   "+caleb", "+edward", "+iven", "+marcelo", "+michel", "+miguel", "+pablo")
ESPEAK_EN = ("en-us", "en-gb", "en-gb-x-rp", "en-029", "en-gb-scotland", "en-us-nyc",
             "en-gb-x-gbclan", "en-gb-x-gbcwmd")
ESPEAK_DEVANAGARI = ("hi", "mr", "ne")           # read "वाणी" with three accents
FESTIVAL_EN = ("kal_diphone", "ked_diphone")
HELD_OUT = ("festival:hindi_NSK_diphone", "festival:cmu_us_slt_arctic_hts",
            "espeak variants '', +m3, +m7, +f2, +f4", "pocketsphinx human speech")


# -- voices -----------------------------------------------------------------------------------

def train_voices(rng: random.Random, variants: int = 7,
                 hi_variants: int = 6) -> list[tuple[W.Voice, str]]:
    """(voice, language of the texts it reads) for every training voice: ``variants`` espeak-ng
    variants for each English accent, ``hi_variants`` for each Devanagari one."""
    out: list[tuple[W.Voice, str]] = []
    for _ in range(30):                        # Piper's one voice, varied by its noise and rate
        out.append((W.Voice("piper", W.PIPER, (
            ("length_scale", round(rng.uniform(0.75, 1.4), 2)),
            ("noise_scale", round(rng.uniform(0.3, 1.0), 2)),
            ("noise_w_scale", round(rng.uniform(0.3, 1.0), 2)))), "en"))
    for accent in ESPEAK_EN:
        for variant in rng.sample(ESPEAK_VARIANTS, variants):
            out.append((W.Voice("espeak", accent + variant, (
                ("pitch", rng.randint(20, 90)), ("words_per_minute", rng.randint(110, 210)))),
                "en"))
    for lang in ESPEAK_DEVANAGARI:
        for variant in rng.sample(ESPEAK_VARIANTS, hi_variants):
            out.append((W.Voice("espeak", lang + variant, (
                ("pitch", rng.randint(20, 90)), ("words_per_minute", rng.randint(110, 190)))),
                "hi"))
    for variant in rng.sample(ESPEAK_VARIANTS, 4):      # Hindi voice reading the Latin spelling
        out.append((W.Voice("espeak", "hi" + variant, (("pitch", rng.randint(20, 90)),)), "en"))
    for name in FESTIVAL_EN:
        out.append((W.Voice("festival", name), "en"))
    return out


# -- negative material ------------------------------------------------------------------------

def _is_wake(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in ("vaani", "vani", "vahni", "वाणी", "वानी", "वाणि"))


def negative_sentences(n_docs: int = 1500) -> tuple[list[str], list[str]]:
    """(English, Hindi) sentences from the Chimera corpus generators and Hindi word strings."""
    en, hi = generated_sentences(range(n_docs))
    en += [" ".join(w) for w in _english_strings(400)]
    hi += _hindi_strings(300)
    bench = set().union(*W.sentences())                  # held out: the bench's own text
    return ([s for s in dict.fromkeys(en) if s not in bench],
            [s for s in dict.fromkeys(hi) if s not in bench])


def generated_sentences(docs: range) -> tuple[list[str], list[str]]:
    """(English, Hindi) sentences of the Chimera corpus generators' documents ``docs`` (each
    seeded by its number), wake words and markup left out."""
    from training.data import generators as G

    en: list[str] = []
    hi: list[str] = []
    for i in docs:
        lang = ("en", "hi")[i % 2]
        try:
            doc = G.generate(random.Random(f"{SEED}:wake:{i}"), lang)
        except Exception:
            continue
        parts = ([m.get("content") or "" for m in doc.messages if m.get("role") in ("user", "assistant")]
                 if doc.messages is not None else [doc.text or ""])
        for part in parts:
            for s in part.replace("।", "।\n").replace(". ", ".\n").replace("? ", "?\n").splitlines():
                s = " ".join(s.split())
                if 3 <= len(s) <= 140 and not _is_wake(s) and "{" not in s and "<" not in s:
                    (hi if any("\u0900" <= c <= "\u097f" for c in s) else en).append(s)
    return en, hi


def _english_strings(count: int) -> list[list[str]]:
    """Strings of common English words (the smalltalk/lexicon vocabulary): sounds beyond the
    generators' templates."""
    from training.data import lexicon as L

    words = sorted({w.lower() for name in dir(L) for v in [getattr(L, name)]
                    if isinstance(v, (list, tuple)) for item in v
                    for w in (item if isinstance(item, (list, tuple)) else [item])
                    if isinstance(w, str) and w.isascii() and w.isalpha() and 2 < len(w) < 12})
    words = [w for w in words if not _is_wake(w)]
    rng = random.Random(SEED)
    return [rng.sample(words, rng.randint(4, 9)) for _ in range(count)] if len(words) > 20 else []


def _hindi_strings(count: int) -> list[str]:
    """Strings of frequent Hindi words, another seed than the bench's."""
    folder = W._pack("wordfreq-hi")
    if folder is None:
        return []
    import gzip

    import msgpack

    f = next(iter(sorted(folder.glob("*.msgpack.gz"))))
    data = msgpack.unpackb(gzip.decompress(f.read_bytes()), raw=False)
    words = [w for bucket in data[1:] for w in bucket
             if isinstance(w, str) and all("\u0900" <= c <= "\u097f" for c in w)
             and not _is_wake(w)][:4000]
    rng = np.random.default_rng(SEED)
    return [" ".join(rng.choice(words, int(rng.integers(4, 10)))) + "।" for _ in range(count)]


def voice_pools(voices: list[tuple[W.Voice, str]]) -> tuple[list[W.Voice], list[W.Voice], list[W.Voice]]:
    """(English voices but Piper, Hindi voices, Piper's settings) of the training voices."""
    return ([v for v, lang in voices if lang == "en" and v.engine != "piper"],
            [v for v, lang in voices if lang == "hi"],
            [v for v, _ in voices if v.engine == "piper"])


def negative_items(voices: list[tuple[W.Voice, str]], seed: int) -> list[W.Item]:
    """Speech by the training voices, close words, noise and music, interleaved."""
    en, hi = negative_sentences()
    rng = random.Random(seed)
    en_voices, hi_voices, piper = voice_pools(voices)
    lanes: dict[str, list[W.Item]] = {
        "piper": [W.Item("speech-en", rng.choice(piper), s, "en") for s in rng.sample(en, len(en) // 4)],
        "en": [W.Item("speech-en", rng.choice(en_voices), s, "en") for s in en],
        "hi": [W.Item("speech-hi", rng.choice(hi_voices), s, "hi") for s in hi],
        "close": [],
        "noise": [W.Item("noise", seconds=rng.uniform(5, 30)) for _ in range(150)],
        "music": [W.Item("music", seconds=rng.uniform(5, 30)) for _ in range(150)],
    }
    for word in CLOSE_EN:
        for v in rng.sample(en_voices, 6) + rng.sample(piper, 2):
            lanes["close"].append(W.Item("close", v, word, "en"))
        for c in CARRIERS_EN:
            lanes["close"].append(W.Item("close", rng.choice(en_voices), c.format(w=word), "en"))
    for word in CLOSE_HI:
        for v in rng.sample(hi_voices, 6):
            lanes["close"].append(W.Item("close", v, word, "hi"))
        for c in CARRIERS_HI:
            lanes["close"].append(W.Item("close", rng.choice(hi_voices), c.format(w=word), "hi"))
    for lane in lanes.values():
        rng.shuffle(lane)
    return W.interleave(lanes, {"piper": 1, "en": 3, "hi": 3, "close": 3, "noise": 1, "music": 1})


def hard_items(voices: list[tuple[W.Voice, str]], seed: int = SEED) -> list[tuple[W.Item, bool]]:
    """(item, held back for validation) for every greeting and name of ``HARD_NAMES_*``: each
    greeting by another training voice (Piper one time in four for English); the names of one
    in eight are held back, so the report can say how often a greeting still wakes the head."""
    rng = random.Random(f"{seed}:hard")
    en_voices, hi_voices, piper = voice_pools(voices)
    out: list[tuple[W.Item, bool]] = []
    for names, greetings, lang in ((HARD_NAMES_EN, HARD_GREETINGS_EN, "en"),
                                   (HARD_NAMES_HI, HARD_GREETINGS_HI, "hi")):
        for i, name in enumerate(names):
            for g in greetings:
                pool = hi_voices if lang == "hi" else piper if rng.random() < 0.25 else en_voices
                out.append((W.Item("close", rng.choice(pool), g.format(n=name), lang), i % 8 == 7))
    return out


def hard_features(work: Path, voices: list[tuple[W.Voice, str]], synth: W.Synth, feats: Any,
                  neg_pool: list[np.ndarray], babble: Any) -> dict[str, np.ndarray]:
    """Hard negatives (``hard_items``), each augmented like a positive (same background,
    noise and babble): every window from the start of the phrase on; held-back names as
    ``val_hard``. Cached under ``work``."""
    hard = hard_items(voices)
    key = hashlib.sha256(json.dumps([[i.voice.label if i.voice else "", i.text, h]
                                     for i, h in hard], ensure_ascii=False).encode()).hexdigest()[:10]
    hard_cache = work / f"hard-v{FEATURES_VERSION}-{HARD_AUGMENT}-{key}.npz"
    if hard_cache.is_file():
        z = np.load(hard_cache)
        return {k: z[k] for k in z.files}
    hard_w: list[np.ndarray] = []
    hard_val: list[np.ndarray] = []
    hrng = np.random.default_rng(SEED + 2)
    t0 = time.time()
    for item, held in hard:
        assert item.voice is not None
        clean = synth(item.voice, item.text, item.language)
        if clean is None or not 0.15 < len(clean) / RATE < 4.0:
            continue
        for _ in range(1 if held else HARD_AUGMENT):
            audio, a, _b = positive_example(clean, hrng, neg_pool, babble)
            emb = feats(audio)
            ends = Features.end_s(np.arange(WINDOW - 1, len(emb)))
            w = windows(emb)[ends >= a]
            (hard_val if held else hard_w).append(w)
    print(f"hard negatives: {sum(map(len, hard_w))} windows, {len(hard_val)} held-back clips "
          f"in {time.time() - t0:.0f} s", flush=True)
    hard_data = {"hard": np.concatenate(hard_w), "val_hard": np.concatenate(hard_val),
                 "val_hard_lens": np.array([len(v) for v in hard_val])}
    np.savez(hard_cache, **hard_data)
    return hard_data


class Babble:
    """Training babble: eight training voices (four English, four Hindi) reading training
    sentences, loops summed with staggered starts. The bench's babble
    (``vaani.speech_fixtures.babble``: six other talkers, other texts) stays held out. Called
    like it: ``babble(seconds, level, seed)``."""

    def __init__(self, voices: list[tuple[W.Voice, str]], synth: W.Synth, seed: int = SEED) -> None:
        from vaani.speech_fixtures import talker_mix

        en, hi = negative_sentences(200)
        rng = random.Random(f"{seed}:babble")
        talkers: list[np.ndarray] = []
        for lang, texts, n in (("en", en, 4), ("hi", hi, 4)):
            pool = [v for v, vl in voices if vl == lang]
            for v in rng.sample(pool, min(n, len(pool))):
                parts = [synth(v, t, lang) for t in rng.sample(texts, 3)]
                x = np.concatenate([c for c in parts if c is not None and len(c)] or [np.zeros(1)])
                if W.rms(x) > 0:
                    talkers.append(x)
        if not talkers:
            raise SystemExit("no training voice could speak the babble")
        self.src = talker_mix(talkers)

    def __call__(self, seconds: float, level: float = 1.0, seed: int = 0) -> np.ndarray:
        from vaani.speech_fixtures import babble_slice

        return babble_slice(self.src, seconds, level, seed)


def negative_stream(items: list[W.Item], hours: float, synth: W.Synth,
                    seed: int, chunk_s: float = 60.0, babble: Any = None):
    """``chunk_s`` blocks of the negative stream (speech with random gain, noise, reverb and
    speed; room tone between), ``hours`` in all."""
    rng = np.random.default_rng(seed)
    target = int(hours * 3600 * RATE)
    made, buf, i = 0, [], 0
    while made < target:
        item = items[i % len(items)]
        again = i >= len(items)
        i += 1
        x = W.render(item, synth, rng, babble)
        if x is None or not len(x):
            continue
        if item.kind not in ("noise", "music"):
            x = x * W.db(float(rng.uniform(-20, 3)))
            if again or rng.random() < 0.4:
                x = W.speed(x, float(rng.uniform(0.85, 1.15)))
            roll = rng.random()
            if roll < 0.3:
                x = W.with_noise(x, float(rng.uniform(0, 25)),
                                 str(rng.choice(["white", "pink", "babble"])), rng, babble)
            elif roll < 0.45:
                x = W.reverb(x, rng)
        buf += [np.clip(x, -1, 1).astype(np.float32), W.room_tone(int(rng.uniform(0.2, 1.5) * RATE), rng)]
        while sum(map(len, buf)) >= chunk_s * RATE:
            block = np.concatenate(buf)
            take = min(int(chunk_s * RATE), target - made)
            yield block[:take]
            made += take
            buf = [block[take:]]
            if made >= target:
                return


# -- features ---------------------------------------------------------------------------------

class Features:
    """openWakeWord's embeddings (one 96-vector per 80 ms) for whole clips."""

    def __init__(self) -> None:
        from openwakeword.utils import AudioFeatures

        folder = W._pack("oww-features")
        if folder is None or not (folder / "embedding_model.onnx").is_file():
            raise SystemExit("the oww-features pack is missing: vaani models install oww-features")
        self.f = AudioFeatures(melspec_model_path=str(folder / "melspectrogram.onnx"),
                               embedding_model_path=str(folder / "embedding_model.onnx"),
                               inference_framework="onnx", ncpu=1)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """(frames, 96); frame j covers mel frames [8j, 8j + 76), i.e. ends near
        ``end_s(j)`` seconds into ``audio``."""
        pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype(np.int16)
        return self.f._get_embeddings(pcm).astype(np.float32)

    @staticmethod
    def end_s(j: int | np.ndarray) -> Any:
        return (8 * np.asarray(j) + 76) * 0.01 + 0.03


def windows(emb: np.ndarray) -> np.ndarray:
    """Every run of WINDOW consecutive embeddings: (n, WINDOW, 96), window k ending at k+WINDOW-1."""
    if len(emb) < WINDOW:
        return np.zeros((0, WINDOW, EMB_DIM), np.float32)
    idx = np.arange(len(emb) - WINDOW + 1)[:, None] + np.arange(WINDOW)[None]
    return emb[idx]


def background(n: int, rng: np.random.Generator, neg_pool: list[np.ndarray],
               speech_rms: float) -> np.ndarray:
    """What is heard before and under a word: room tone, noise, music or other speech, from
    quiet to 5 dB below the word (``speech_rms``)."""
    roll = rng.random()
    if roll < 0.35 or not neg_pool and roll >= 0.8:      # no speech pool yet: room tone
        x = W.room_tone(n, rng) * W.db(float(rng.uniform(-10, 20)))
        return x.astype(np.float32)
    if roll < 0.7:
        x = W.colored_noise(n, str(rng.choice(["white", "pink", "brown"])), rng)
    elif roll < 0.8:
        x = W.music(n / RATE, rng)[:n]
    else:
        src = neg_pool[int(rng.integers(len(neg_pool)))]
        x = np.resize(src, n) if len(src) < n else src[int(rng.integers(len(src) - n + 1)):][:n]
    x = x / (W.rms(x) + 1e-9) * speech_rms * W.db(-float(rng.uniform(5, 35)))
    return x.astype(np.float32)


def positive_example(clean: np.ndarray, rng: np.random.Generator, neg_pool: list[np.ndarray],
                     babble: Any = None) -> tuple[np.ndarray, float, float]:
    """(audio, word start s, word end s): an augmented clip after LEAD_S of background; three
    in four also have noise over everything at 0-22 dB SNR, babble (``Babble``) most often: a
    word heard through other talkers is the commonest miss."""
    x = clean * W.db(float(rng.uniform(-18, 4)))
    if rng.random() < 0.7:
        x = W.speed(x, float(rng.uniform(0.82, 1.2)))
    if rng.random() < 0.35:
        x = W.reverb(x, rng)
    lead = int(LEAD_S * RATE)
    tail = int(rng.uniform(0.3, 0.6) * RATE)
    voiced = x[np.abs(x) > 0.01 * np.abs(x).max()] if len(x) else x
    bg = background(lead + len(x) + tail, rng, neg_pool, W.rms(voiced))
    audio = bg.copy()
    audio[lead:lead + len(x)] += x
    if rng.random() < 0.75:                         # noise over everything at a speech SNR
        kind = str(rng.choice(["white", "pink", "babble", "brown"], p=[0.25, 0.2, 0.4, 0.15]))
        snr = float(rng.uniform(0, 22))
        level = W.rms(voiced) * W.db(-snr)
        noise = (babble(len(audio) / RATE, 1.0, int(rng.integers(1 << 30)))[:len(audio)]
                 if kind == "babble" and babble is not None
                 else W.colored_noise(len(audio), kind if kind != "babble" else "pink", rng))
        audio = audio + level * noise / (W.rms(noise) + 1e-12)
    return np.clip(audio, -1, 1).astype(np.float32), LEAD_S, LEAD_S + len(x) / RATE


# -- the head ---------------------------------------------------------------------------------

def build_head(hidden: int, dropout: float = 0.0):
    """Flatten, dropout (training only), then Linear-LayerNorm-ReLU twice and Linear to a logit."""
    import torch
    from torch import nn

    return nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(WINDOW * EMB_DIM, hidden),
                         nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, 1)), torch


def export_onnx(model: Any, path: Path) -> None:
    """The trained head as ONNX (opset 17): input ``x`` (N, 16, 96) float32, output (N, 1),
    the sigmoid score, as openWakeWord's heads. A list of heads (``--heads``) becomes one file
    whose score is the sigmoid of their mean logit."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from torch import nn

    heads = model if isinstance(model, list) else [model]
    inits: list[Any] = []
    nodes = [helper.make_node("Flatten", ["x"], ["f"], axis=1)]
    for k, head in enumerate(heads):
        lin1, lin2, lin3 = [m for m in head if isinstance(m, nn.Linear)]
        ln1, ln2 = [m for m in head if isinstance(m, nn.LayerNorm)]
        n = "" if len(heads) == 1 else f"_{k}"

        def t(name: str, value: Any, n: str = n) -> Any:
            return numpy_helper.from_array(value.detach().cpu().numpy().astype(np.float32), name + n)

        inits += [t("w1", lin1.weight), t("b1", lin1.bias), t("g1", ln1.weight), t("c1", ln1.bias),
                  t("w2", lin2.weight), t("b2", lin2.bias), t("g2", ln2.weight), t("c2", ln2.bias),
                  t("w3", lin3.weight), t("b3", lin3.bias)]
        nodes += [
            helper.make_node("Gemm", ["f", "w1" + n, "b1" + n], ["h1" + n], transB=1),
            helper.make_node("LayerNormalization", ["h1" + n, "g1" + n, "c1" + n], ["n1" + n],
                             axis=-1, epsilon=ln1.eps),
            helper.make_node("Relu", ["n1" + n], ["r1" + n]),
            helper.make_node("Gemm", ["r1" + n, "w2" + n, "b2" + n], ["h2" + n], transB=1),
            helper.make_node("LayerNormalization", ["h2" + n, "g2" + n, "c2" + n], ["n2" + n],
                             axis=-1, epsilon=ln2.eps),
            helper.make_node("Relu", ["n2" + n], ["r2" + n]),
            helper.make_node("Gemm", ["r2" + n, "w3" + n, "b3" + n], ["logit" + n], transB=1),
        ]
    if len(heads) > 1:
        nodes.append(helper.make_node("Mean", [f"logit_{k}" for k in range(len(heads))], ["logit"]))
    nodes.append(helper.make_node("Sigmoid", ["logit"], ["score"]))
    graph = helper.make_graph(
        nodes, "vaani_wake",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", WINDOW, EMB_DIM])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                          producer_name="vaani training.wakeword")
    m.ir_version = 8
    onnx.checker.check_model(m)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(m, str(path))


def events(scores: np.ndarray, threshold: float) -> int:
    return W.count_events(scores, threshold, FRAME_S)


def train_head(pos: Any, neg: Any, hard_neg: Any, args: argparse.Namespace, seed: int) -> Any:
    """One head trained on the windows (torch tensors; ``hard_neg`` None without hard
    negatives); ``seed`` fixes its init, batches and noise."""
    import torch

    torch.manual_seed(seed)                        # before the head exists: its init too
    head, _ = build_head(args.hidden, args.dropout)
    n_hard = round(384 * args.hard_share) if hard_neg is not None else 0
    opt = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=args.steps)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    t0 = time.time()
    g = torch.Generator().manual_seed(seed)
    for step in range(args.steps):
        pi = torch.randint(len(pos), (128,), generator=g)
        ni = torch.randint(len(neg), (384 - n_hard,), generator=g)
        parts = [pos[pi], neg[ni]]
        if n_hard:
            parts.append(hard_neg[torch.randint(len(hard_neg), (n_hard,), generator=g)])
        x = torch.cat(parts)
        x = x + args.noise * torch.randn(x.shape, generator=g)
        y = torch.cat([torch.ones(128), torch.zeros(384)])
        logit = head(x).squeeze(1)
        # negatives count more as training goes on (openWakeWord's schedule, simplified)
        w_neg = 1.0 + (args.neg_weight - 1) * min(1.0, step / (0.5 * args.steps))
        weight = torch.where(y > 0, torch.ones_like(y), torch.full_like(y, w_neg))
        loss = bce(logit, y, weight=weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 1000 == 0 or step == args.steps - 1:
            print(f"seed {seed} step {step}: loss {loss.item():.4f} ({time.time() - t0:.0f} s)", flush=True)
    head.eval()
    return head


# -- the run ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", type=Path, default=Path(os.environ.get(
        "VAANI_WAKE_WORK", Path.home() / ".cache" / "vaani" / "wake-train")))
    p.add_argument("--out", type=Path, default=Path("models/wake-vaani/vaani.onnx"))
    p.add_argument("--report", type=Path, default=Path("results/wake-train.json"))
    p.add_argument("--augment", type=int, default=16, help="augmented examples per clean clip")
    p.add_argument("--neg-hours", type=float, default=6.0, help="hours of negative stream")
    p.add_argument("--val-hours", type=float, default=1.0, help="hours of validation stream")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.5, help="on the input embeddings")
    p.add_argument("--noise", type=float, default=4.0,
                   help="std of Gaussian noise added to the embeddings in training (theirs is ~16)")
    p.add_argument("--neg-weight", type=float, default=20.0,
                   help="final weight of a negative against a positive")
    p.add_argument("--steps", type=int, default=10000)
    p.add_argument("--target-fa", type=float, default=0.2,
                   help="false accepts per hour allowed at 0.5 on the validation stream")
    p.add_argument("--hard-share", type=float, default=0.0,
                   help="share of each batch's negatives drawn from the hard negatives "
                        "(greetings with names, HARD_NAMES_*); 0, the shipped recipe, makes none")
    p.add_argument("--train-seed", type=int, default=SEED,
                   help="seed of the head's init, batches and noise (the data keep SEED)")
    p.add_argument("--heads", type=int, default=1,
                   help="heads trained with seeds --train-seed, +1, ...; the file scores their "
                        "mean logit")
    p.add_argument("--variants", type=int, default=7,
                   help="espeak-ng variants per English accent saying the positives (of %d; "
                        "the negatives keep 7)" % len(ESPEAK_VARIANTS))
    p.add_argument("--hi-variants", type=int, default=6,
                   help="espeak-ng variants per Devanagari accent saying the positives (the "
                        "negatives keep 6)")
    p.add_argument("--calibrate", choices=("val", "dev"), default="val",
                   help="where --target-fa is met at 0.5: the validation stream (training "
                        "voices) or the development set (training.wakeword.devset: voices, "
                        "names and text of neither training nor the bench)")
    p.add_argument("--dev-hours", type=float, default=6.0, help="hours of the development set")
    p.add_argument("--match", type=Path, default=None,
                   help="with --calibrate dev: --target-fa is this head's false accepts per hour "
                        "at 0.5 on the development set (no more false wakes than it)")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    if args.heads < 1:
        p.error("--heads must be at least 1")
    if args.match and (args.calibrate != "dev" or not args.match.is_file()):
        p.error("--match takes an existing head and --calibrate dev")
    if not (1 <= args.variants <= len(ESPEAK_VARIANTS) and 1 <= args.hi_variants <= len(ESPEAK_VARIANTS)):
        p.error(f"--variants and --hi-variants must be between 1 and {len(ESPEAK_VARIANTS)}")

    started = time.time()
    args.work.mkdir(parents=True, exist_ok=True)
    synth = W.Synth(args.work)
    feats = Features()
    rng = random.Random(SEED)
    voices = train_voices(rng)                     # the negatives' and the babble's
    pos_voices = (voices if (args.variants, args.hi_variants) == (7, 6)
                  else train_voices(random.Random(SEED), args.variants, args.hi_variants))
    report: dict[str, Any] = {"method": "openWakeWord head on oww-features embeddings",
                              "voices": len(pos_voices), "held_out": HELD_OUT, "seed": SEED}

    # positives: clean clips, 1 in 8 clean clips held back for validation
    clips: list[tuple[str, str, np.ndarray, bool]] = []
    for n, (voice, lang) in enumerate(pos_voices):
        for text in POSITIVES[lang]:
            x = synth(voice, text, lang)
            if x is not None and 0.15 < len(x) / RATE < 2.5:
                clips.append((voice.label, text, x, (n + len(clips)) % 8 == 0))
    print(f"{len(clips)} positive clips from {len(pos_voices)} voices "
          f"({synth.generated} generated, {len(synth.failed)} failed)", flush=True)
    report["positive_clips"] = len(clips)
    babble = Babble(voices, synth)

    neg_cache = args.work / f"negatives-v{FEATURES_VERSION}-{args.neg_hours:g}-{args.val_hours:g}.npz"
    if neg_cache.is_file():
        z = np.load(neg_cache)
        data = {k: z[k] for k in z.files}
    else:
        items = negative_items(voices, SEED)
        val_items = negative_items(voices, SEED + 1)
        pool: list[np.ndarray] = []
        neg_emb: list[np.ndarray] = []
        t0 = time.time()
        for block in negative_stream(items, args.neg_hours, synth, SEED, babble=babble):
            if len(pool) < 40:
                pool.append(block[: 20 * RATE])
            neg_emb.append(windows(feats(block)))
        print(f"negatives: {sum(map(len, neg_emb))} windows in {time.time() - t0:.0f} s", flush=True)
        val_emb = [feats(b) for b in negative_stream(val_items, args.val_hours, synth, SEED + 1,
                                                                  babble=babble)]
        data = {"neg": np.concatenate(neg_emb), "val_neg": np.concatenate(val_emb),
                "val_neg_lens": np.array([len(e) for e in val_emb]),
                "pool": np.stack(pool)}
        np.savez(neg_cache, **data)
    neg_pool = list(data.pop("pool"))
    pos_key = ("" if pos_voices is voices else "-" + hashlib.sha256(
        json.dumps([c[:2] for c in clips], ensure_ascii=False).encode()).hexdigest()[:10])
    pos_cache = args.work / f"positives-v{FEATURES_VERSION}-{args.augment}{pos_key}.npz"
    if pos_cache.is_file():
        z = np.load(pos_cache)
        data.update({k: z[k] for k in z.files})
    else:
        pos_w: list[np.ndarray] = []
        pos_val: list[np.ndarray] = []
        bg_w: list[np.ndarray] = []
        nrng = np.random.default_rng(SEED)
        t0 = time.time()
        for label, text, clean, held in clips:
            for _ in range(2 if held else args.augment):
                audio, a, b = positive_example(clean, nrng, neg_pool, babble)
                emb = feats(audio)
                ends = Features.end_s(np.arange(WINDOW - 1, len(emb)))
                w = windows(emb)
                pos = (ends >= b - 0.04) & (ends <= b + 0.24)
                (pos_val if held else pos_w).append(w[pos])
                if not held:
                    bg_w.append(w[ends < a - 0.1])
        print(f"positives: {sum(map(len, pos_w))} windows in {time.time() - t0:.0f} s", flush=True)
        pos_data = {"bg": np.concatenate(bg_w), "pos": np.concatenate(pos_w),
                    "val_pos": np.concatenate(pos_val),
                    "val_pos_lens": np.array([len(v) for v in pos_val])}
        np.savez(pos_cache, **pos_data)
        data.update(pos_data)
    if args.hard_share > 0:
        data.update(hard_features(args.work, voices, synth, feats, neg_pool, babble))
    report.update({k: int(len(v)) for k, v in data.items() if not k.endswith("_lens")})

    import torch

    torch.set_num_threads(args.threads)
    seeds = [args.train_seed + k for k in range(args.heads)]
    t0 = time.time()
    neg = torch.from_numpy(np.concatenate([data["neg"], data["bg"]]))      # 1.6 GB: once
    hard_neg = torch.from_numpy(data["hard"]) if "hard" in data and args.hard_share > 0 else None
    heads = [train_head(torch.from_numpy(data["pos"]), neg, hard_neg, args, seed) for seed in seeds]

    def logits(x: np.ndarray) -> np.ndarray:
        """The mean logit of the heads (one head: its logit), as the exported file computes."""
        if not len(x):
            return np.zeros(0)
        with torch.no_grad():
            return np.concatenate([
                torch.stack([h(torch.from_numpy(x[i:i + 4096])).squeeze(1) for h in heads]).mean(0).numpy()
                for i in range(0, len(x), 4096)])

    # calibration: shift the last bias so 0.5 allows target-fa false accepts per hour
    val_hours = float(data["val_neg"].shape[0]) * FRAME_S / 3600
    streams, k = [], 0
    for n in data["val_neg_lens"]:
        streams.append(logits(windows(data["val_neg"][k:k + n])))
        k += n

    def clip_maxes(x: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The highest logit of each clip's windows (``x`` is the clips' windows end to end)."""
        ends = np.cumsum(lens)
        return np.array([logits(x[e - n:e]).max(initial=-1e9) for n, e in zip(lens, ends)])

    val_pos_max_arr = clip_maxes(data["val_pos"], data["val_pos_lens"])
    neg_logits = np.concatenate(streams)

    def fa_per_hour(shift: float) -> float:
        return sum(events(1 / (1 + np.exp(-(s + shift))), 0.5) for s in streams) / max(val_hours, 1e-9)

    shift = 0.0
    for cand in np.arange(6.0, -12.01, -0.25):       # the largest shift that meets the target
        if fa_per_hour(float(cand)) <= args.target_fa:
            shift = float(cand)
            break
    dev: dict[str, Any] = {}
    if args.calibrate == "dev":                      # the threshold the dev set picks becomes 0.5
        from training.wakeword import devset as D

        dev_data = D.build(args.work, args.dev_hours)
        if args.match:
            args.target_fa = D.score(D.Head(args.match), dev_data, 0.0)["fa_per_hour_at_0.5"]
            print(f"target: {args.target_fa} false accepts per hour on the dev set, "
                  f"as {args.match} at 0.5", flush=True)

        def dev_head(at: float) -> Any:
            return lambda emb: 1 / (1 + np.exp(-(logits(windows(emb)) + at)))

        t = D.score(dev_head(0.0), dev_data, args.target_fa)["threshold_at_target"]
        shift = -float(np.log(t / (1 - t)))
        r = D.score(dev_head(shift), dev_data, args.target_fa)
        dev = {"hours": r["hours"], "positives": r["positives"], "logit_shift": round(shift, 4),
               "fa_per_hour_at_0.5": r["fa_per_hour_at_0.5"], "frr_at_0.5": r["frr_at_0.5"],
               "false_accepts_by_kind": r["false_accepts_by_kind"]}
    with torch.no_grad():                           # mean(l_k + shift) = mean(l_k) + shift
        for h in heads:
            list(h)[-1].bias += shift
    frr = float(np.mean(val_pos_max_arr + shift < 0))
    hard_max = clip_maxes(data["val_hard"], data["val_hard_lens"]) if "val_hard" in data else []
    report.update({
        "validation": {"hours": round(val_hours, 3), "logit_shift": shift,
                       "fa_per_hour_at_0.5": round(fa_per_hour(shift), 3),
                       "frr_at_0.5_training_voices": round(frr, 4),
                       "positives": int(len(val_pos_max_arr)),
                       **({"held_back_greetings_accepted":
                           round(float(np.mean(np.array(hard_max) + shift > 0)), 4),
                           "held_back_greetings": len(hard_max)} if len(hard_max) else {}),
                       "negative_max_score": round(float(1 / (1 + np.exp(-(neg_logits.max() + shift)))), 4)},
        "calibrated_on": args.calibrate, "target_fa": args.target_fa, **({"dev": dev} if dev else {}),
        "variants": [args.variants, args.hi_variants],
        "steps": args.steps, "hidden": args.hidden, "dropout": args.dropout,
        "noise": args.noise, "neg_weight": args.neg_weight, "hard_share": args.hard_share,
        "train_seed": args.train_seed, "heads": args.heads,
        "train_seconds": round(time.time() - t0, 1), "duration_s": round(time.time() - started, 1),
        "command": "python -m training.wakeword.train " + " ".join(sys.argv[1:]),
    })
    export_onnx(heads, args.out)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps(report["validation"], ensure_ascii=False))
    if dev:
        print("dev: " + json.dumps(dev, ensure_ascii=False))
    print(f"model: {args.out}\nreport: {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
