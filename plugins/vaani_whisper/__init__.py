"""faster-whisper ASR, tuned for short spoken commands on a CPU.

Speed (the ASR pass is the floor of VAANI's latency):
* the models are loaded once: whisper-base (multilingual, Hindi-capable) and, when the
  ``whisper-tiny-en`` pack is installed, tiny.en for utterances known to be English (about
  twice as fast);
* one encoder pass per call, even when the language must be detected: we encode once, read
  the language probabilities from that encoding, keep only the languages the user speaks
  (``asr.languages``) and decode from the same encoding. (faster-whisper's
  ``transcribe(language=None)`` encodes twice, and its temperature fallback can decode six
  times on noise: 12-22 s for 2 s of noise on this machine.)
* the encoder sees a window fitted to the utterance (``asr.options.window_s``, default 10 s,
  or the utterance plus 1 s if longer) instead of Whisper's padded 30 s: 3x faster on a
  2 s command (``vaani bench asr-window``: whisper-base 688 -> 214 ms, tiny.en 392 -> 112 ms,
  same English text on every clip). Below ~10 s tiny.en started repeating itself;
  ``window_s = 30`` restores the full window;
* greedy or ``asr.beam_size`` beam search at temperature 0 only, no timestamps, no
  conditioning on the previous utterance, no VAD (the pipeline already gated the audio), and
  a token budget proportional to the audio length.

Hindi (``vaani bench asr`` measures all of this; the wording and settings were chosen on its
``--set dev`` sentences, never on the reported ones):

* whisper-base left alone writes spoken Hindi as romanised nonsense ("Abhi kiya Samayahu
  Commission"). Decoded after a fixed Devanagari previous text (``hindi_prompt``, default
  "समय, टाइमर, मिनट, बजे।") it writes Devanagari; a repetition penalty
  (``hindi_repetition_penalty`` 1.2) stops the loops that prompt brings, and tokens of other
  scripts are suppressed (``hindi_scripts_only``: it drifted into Urdu, Tamil, Greek
  letters). On the dev set (festival voice, CER): no prompt 1.10; " ठीक है, बताइए।" 0.82,
  with penalty 1.2 0.58; neutral wordings with penalty 0.53-0.58 (no better than each other
  within noise); the domain words 0.52 (0.48 as the pipeline cuts the audio); beam 3 a
  further 0.02-0.1 for 100-150 ms more. Wordings that hold sample commands leaked them.
  Whatever of the prompt Whisper copies is removed (:func:`remove_prompt`; a transcript that
  was nothing else is a ``prompt_echo``).
* whisper-base still hears synthetic Hindi poorly: about half the characters are wrong on
  the festival voice, and a transcript rarely has every word a skill needs. Hindi decodes
  cost about 100 ms more than the romanised ones (more tokens).
* language detection (``language_rule = "compare"``): see :meth:`FasterWhisper.detect`.

Hallucination guard: Whisper writes text on silence and noise ("Thank you.", subtitle
credits, repeated phrases, other scripts). :func:`judge` decides from the audio level, the
decoder's no-speech probability and log-probability, a list of known inventions in English
and Hindi, repetition and script; a rejected result has ``text == ""`` and the reason in
``AsrResult.rejected`` (the raw text stays in ``segments`` for traces).
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vaani.engines import AsrResult, EngineContext, EngineSpec
from vaani.errors import AudioFormatError, ConfigError, EngineError, ModelCorruptError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options

log = logging.getLogger(__name__)

RATE = 16000
MAX_SECONDS = 30                 # Whisper's window; longer input is cut to its first 30 s
# Hindi is decoded after this Devanagari "previous text": whisper-base then writes Devanagari
# instead of romanised nonsense, and the words the skills need are spelt as they expect.
# Chosen on the dev sentences of `vaani bench asr` (module docstring); "" = no prompt (the
# old decoding).
HINDI_PROMPT = "समय, टाइमर, मिनट, बजे।"
LANGUAGE_RULES = ("compare", "legacy")
FRAMES_PER_S = 100               # Whisper's log-mel hop: 10 ms
WINDOW_S = 10.0                  # default encoder window for short commands

# Whisper's inventions on non-speech, normalised (see normalize()).
# Never a command, whatever the scores say:
ALWAYS_HALLUCINATED = {
    "thanks for watching", "thank you for watching", "thanks for watching and see you next time",
    "thank you so much for watching", "please subscribe", "subscribe to my channel",
    "like and subscribe", "like share and subscribe", "don t forget to subscribe",
    "subtitles by the amara org community", "subtitles by", "transcribed by",
    "captions by", "translated by", "please like and subscribe",
    "देखने के लिए धन्यवाद", "सब्सक्राइब करें", "चैनल को सब्सक्राइब करें",
    "हमारे चैनल को सब्सक्राइब करें", "लाइक और सब्सक्राइब करें", "वीडियो देखने के लिए धन्यवाद",
}
ALWAYS_PATTERNS = re.compile(r"amara\s*org|subtitles? by|captions? by|subscribe|सब्सक्राइब")
# Real words a user may say, but also what Whisper writes on noise: rejected only when the
# evidence for speech is weak.
SUSPECT = {
    "thank you", "thank you very much", "thanks", "thank you so much", "you", "bye",
    "bye bye", "so", "okay", "oh", "hmm", "um", "uh", "ah", "music", "applause", "the",
    "धन्यवाद", "शुक्रिया", "बहुत बहुत धन्यवाद", "हम्म", "हाँ", "अच्छा",
}
NON_SPEECH_TAG = re.compile(r"^\s*[\[(*♪♫].*[\])*♪♫]\s*$|^[\s♪♫.…]*$")


def normalize(text: str) -> str:
    """Lowercase, punctuation to spaces, single spaces (Devanagari marks kept)."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = "".join(ch if (ch.isalnum() or unicodedata.category(ch).startswith("M")) else " "
                   for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def repeats(words: list[str]) -> bool:
    """A word said 4+ times in a row, or a 2-8 word phrase 3+ times in a row."""
    for n, times in ((1, 4), *((k, 3) for k in range(2, 9))):
        for i in range(len(words) - n * times + 1):
            gram = words[i:i + n]
            if all(words[i + k * n:i + (k + 1) * n] == gram for k in range(1, times)):
                return True
    return False


def _script(ch: str) -> str:
    if "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff":
        return "devanagari"
    if ch.isascii() or "\u00c0" <= ch <= "\u024f":
        return "latin"
    return "other"


def wrong_script(text: str, language: str) -> bool:
    """Hindi comes back in Devanagari or romanised; English in Latin. Hebrew or Arabic
    letters for a Hindi clip mean Whisper did not understand it."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    ok = {"hi": ("devanagari", "latin"), "en": ("latin",)}.get(language)
    if ok is None:
        return False
    bad = sum(_script(ch) not in ok for ch in letters)
    return bad > 0.3 * len(letters)


@dataclass(frozen=True)
class Guard:
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    min_rms: float = 0.003               # about -50 dBFS: nothing there to transcribe
    compression_ratio_threshold: float = 2.4
    words_per_second: float = 6.0        # faster than anyone speaks


def loudness(audio: np.ndarray) -> float:
    """RMS of the loudest 20 ms frames (95th percentile): robust to a click, blind to
    how much silence surrounds the speech."""
    n = len(audio) // 320
    if n == 0:
        return float(np.sqrt(np.mean(np.square(audio)))) if len(audio) else 0.0
    frames = np.asarray(audio[: n * 320], dtype=np.float64).reshape(n, 320)
    return float(np.percentile(np.sqrt(np.mean(frames * frames, axis=1)), 95))


def remove_prompt(text: str, prompt: str) -> str:
    """``text`` without what Whisper copied from its previous-text ``prompt``.

    Given previous text, Whisper sometimes writes it again, before or after what was said or
    instead of it (English speech decoded as Hindi came back as "बोलिए।"). Removed: every
    copy of the whole prompt, and at the start or the end of the text a run of the prompt's
    words, in the prompt's order, that ends with its last word and holds at least half of its
    words ("बोलिए" for "हाँ, बोलिए।"; a user's own "हाँ, ..." is kept). Words are compared
    normalised (case, punctuation); the text's own spelling and punctuation are kept.
    """
    want = normalize(prompt).split()
    if not want or not text.strip():
        return text
    pieces = text.split()
    keys = [normalize(p) for p in pieces]
    n = len(want)
    drop: set[int] = set()
    i = 0
    while i <= len(keys) - n:                          # whole copies, anywhere
        if keys[i:i + n] == want:
            drop.update(range(i, i + n))
            i += n
        else:
            i += 1
    tails = [want[k:] for k in range(n) if 2 * (n - k) >= n]    # runs ending with the last word
    for run in sorted(tails, key=len, reverse=True):
        m = len(run)
        if keys[:m] == run:
            drop.update(range(m))
        if len(keys) >= m and keys[len(keys) - m:] == run:
            drop.update(range(len(keys) - m, len(keys)))
    if not drop:
        return text
    kept = [p for j, p in enumerate(pieces) if j not in drop and keys[j]]
    return " ".join(kept).strip(" ,।")


def judge(text: str, language: str, *, no_speech_prob: float, avg_logprob: float,
          seconds: float, guard: Guard = Guard(), prompt: str = "") -> str:
    """Why this transcript must not become a command ("" = it may). ``text`` is what the
    decoder wrote; with the ``prompt`` it was decoded after, the prompt's copies are removed
    first (:func:`remove_prompt`), and a text of nothing but the prompt's words is a
    ``prompt_echo`` (on white noise the Hindi decode wrote the prompt's last word, "बजे।")."""
    if not text.strip():
        return "empty"
    if prompt:
        text = remove_prompt(text, prompt)
        if not set(normalize(text).split()) - set(normalize(prompt).split()):
            return "prompt_echo"
    norm = normalize(text)
    if not norm or NON_SPEECH_TAG.match(text):
        return "non_speech_tag"
    if no_speech_prob > guard.no_speech_threshold and avg_logprob < guard.logprob_threshold:
        return "no_speech"
    if no_speech_prob > guard.no_speech_threshold and sum(ch.isalpha() for ch in norm) <= 2:
        # a fragment where Whisper itself doubts there was speech: on white noise it wrote
        # "य।" at no-speech 0.77, log-probability -0.94 (an AVX-512 CPU)
        return "no_speech"
    if norm in ALWAYS_HALLUCINATED or ALWAYS_PATTERNS.search(norm):
        return "hallucination"
    if norm in SUSPECT and (no_speech_prob > 0.2 or avg_logprob < -0.7):
        return "hallucination"
    words = norm.split()
    if compression_ratio(norm) > guard.compression_ratio_threshold or repeats(words):
        return "repetition"
    if len(words) > guard.words_per_second * seconds + 4:
        return "too_many_words"
    if wrong_script(text, language):
        return "wrong_script"
    return ""


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level BPE alphabet (which Whisper's tokenizer uses) back to bytes."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1),
                 *range(ord("®"), ord("ÿ") + 1)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[chr(b)] = b
        else:
            table[chr(256 + extra)] = b
            extra += 1
    return table


def _devanagari_or_latin(data: bytes) -> bool:
    """Whether a token's UTF-8 bytes (maybe a fragment of a character) can only be part of
    ASCII, Latin letters (U+0080-024F), general punctuation and currency (U+2000-20CF, as
    ₹) or Devanagari (U+0900-097F)."""
    for i, b in enumerate(data):
        if b < 0xC2 or 0xC2 <= b <= 0xC9:      # ASCII, continuation bytes, Latin-1/Extended
            continue
        if b == 0xE2 and (i + 1 == len(data) or 0x80 <= data[i + 1] <= 0x83):
            continue
        if b == 0xE0 and (i + 1 == len(data) or data[i + 1] in (0xA4, 0xA5)):
            continue
        return False
    return True


def window_frames(n_frames: int, window_s: float) -> int:
    """Encoder frames for an utterance of ``n_frames`` log-mel frames."""
    full = MAX_SECONDS * FRAMES_PER_S
    return int(min(full, max(window_s * FRAMES_PER_S, n_frames + FRAMES_PER_S)))


class _Whisper:
    """One loaded CTranslate2 Whisper model and its per-language tokenizers."""

    def __init__(self, path: Path, compute_type: str, threads: int) -> None:
        from faster_whisper import WhisperModel

        for needed in ("model.bin", "config.json", "tokenizer.json"):
            if not (path / needed).is_file():
                # faster-whisper would fetch a missing tokenizer from the Hub
                raise ModelCorruptError(f"{needed} missing from Whisper model {path}",
                                        hint=f"vaani models install {path.name} --force")
        try:
            self.model = WhisperModel(str(path), device="cpu", compute_type=compute_type,
                                      cpu_threads=threads, num_workers=1,
                                      local_files_only=True)
        except ValueError as exc:
            raise ConfigError(f"asr.compute_type {compute_type!r} is not usable here: {exc}",
                              hint="int8 works on every CPU") from exc
        except Exception as exc:
            raise ModelCorruptError(f"cannot load Whisper model {path}: {exc}") from exc
        self.name = path.name
        self.multilingual = bool(self.model.model.is_multilingual)
        self._tokenizers: dict[str, Any] = {}
        self._suppress: dict[str, tuple[int, ...]] = {}
        self._previous: dict[tuple[str, str], list[int]] = {}
        self._other_scripts: tuple[int, ...] | None = None

    def tokenizer(self, language: str) -> Any:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        if language not in self._tokenizers:
            tok = Tokenizer(self.model.hf_tokenizer, self.multilingual, task="transcribe",
                            language=language if self.multilingual else None)
            self._tokenizers[language] = tok
            self._suppress[language] = get_suppressed_tokens(tok, [-1])
        return self._tokenizers[language]

    def other_scripts(self) -> tuple[int, ...]:
        """Tokens that write a script other than Devanagari and Latin (cached): suppressed
        when decoding Hindi, which otherwise drifts into Urdu, Tamil, Greek or Thai letters
        mid-sentence (and the guard then rejects the whole transcript as wrong_script)."""
        if self._other_scripts is None:
            decoder = _byte_decoder()
            eot = self.tokenizer("en").eot
            self._other_scripts = tuple(sorted(
                i for token, i in self.model.hf_tokenizer.get_vocab().items()
                if i < eot and not _devanagari_or_latin(bytes(decoder.get(c, 0) for c in token))))
        return self._other_scripts

    def encode(self, audio: np.ndarray, window_s: float = MAX_SECONDS) -> Any:
        """Encode ``audio`` in a window of ``window_s`` (or the audio plus 1 s if longer),
        at most Whisper's 30 s."""
        from faster_whisper.audio import pad_or_trim

        features = self.model.feature_extractor(audio)
        frames = window_frames(features.shape[-1], window_s)
        return self.model.encode(pad_or_trim(features, frames))

    def language_probs(self, encoded: Any) -> dict[str, float]:
        results = self.model.model.detect_language(encoded)[0]
        return {token[2:-2]: float(prob) for token, prob in results}

    def previous_tokens(self, language: str, previous: str) -> list[int]:
        """``previous`` as Whisper's previous-text tokens (cached)."""
        key = (language, previous)
        if key not in self._previous:
            text = previous.strip()
            self._previous[key] = self.tokenizer(language).encode(" " + text) if text else []
        return self._previous[key]

    def decode(self, encoded: Any, language: str, beam_size: int,
               max_new_tokens: int, previous: str = "", repetition_penalty: float = 1.0,
               suppress: tuple[int, ...] = ()) -> tuple[str, float, float]:
        """(text, no_speech_prob, avg_logprob) from one greedy/beam decode at T=0, with
        ``previous`` as Whisper's previous text (the context it continues) and the
        ``suppress`` tokens never written."""
        tok = self.tokenizer(language)
        prompt = self.model.get_prompt(tok, self.previous_tokens(language, previous),
                                       without_timestamps=True)
        max_length = min(self.model.max_length, len(prompt) + max_new_tokens)
        result = self.model.model.generate(
            encoded, [prompt], beam_size=beam_size, patience=1, length_penalty=1,
            repetition_penalty=repetition_penalty,
            max_length=max_length, return_scores=True, return_no_speech_prob=True,
            suppress_blank=True, suppress_tokens=[*self._suppress[language], *suppress],
            max_initial_timestamp_index=50)[0]
        tokens = result.sequences_ids[0]
        # as faster-whisper does: the score is the length-normalised sum of log-probs
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        text = tok.decode(tokens).strip()
        return text, float(result.no_speech_prob), float(avg_logprob)


@dataclass(frozen=True)
class Decoded:
    """One decode of an utterance in one language, judged."""

    language: str
    text: str                 # what the decoder wrote, prompt copies removed
    raw: str                  # what the decoder wrote
    no_speech_prob: float
    avg_logprob: float
    rejected: str             # judge()'s reason, "" = usable


class FasterWhisper:
    """``process(audio16k, language)`` -> :class:`AsrResult`; ``language=None`` detects
    among ``languages`` only."""

    def __init__(self, model: Path, *, english_model: Path | None = None,
                 compute_type: str = "int8", threads: int = 0, beam_size: int = 1,
                 languages: tuple[str, ...] = ("hi", "en"), guard: Guard = Guard(),
                 tokens_per_second: float = 25.0, language_threshold: float = 0.3,
                 window_s: float = WINDOW_S, hindi_prompt: str = HINDI_PROMPT,
                 hindi_repetition_penalty: float = 1.2, hindi_beam_size: int = 0,
                 language_rule: str = "compare", english_above: float = 0.5,
                 hindi_below: float = 0.1, logprob_margin: float = 0.3,
                 hindi_scripts_only: bool = True, doubt_logprob: float = -1.0,
                 english_sure: float = -0.5) -> None:
        self.main = _Whisper(model, compute_type, threads)
        self.english = None
        if english_model is not None and english_model != model:
            self.english = _Whisper(english_model, compute_type, threads)
        self.beam_size = beam_size
        self.languages = tuple(languages) or ("hi", "en")
        self.guard = guard
        self.tokens_per_second = tokens_per_second
        self.language_threshold = language_threshold
        self.window_s = window_s
        self.hindi_prompt = hindi_prompt
        self.hindi_repetition_penalty = hindi_repetition_penalty
        self.hindi_beam_size = hindi_beam_size or beam_size
        self.language_rule = language_rule
        self.english_above = english_above
        self.hindi_below = hindi_below
        self.logprob_margin = logprob_margin
        self.hindi_scripts_only = hindi_scripts_only
        self.doubt_logprob = doubt_logprob
        self.english_sure = english_sure

    def _pick(self, language: str | None) -> _Whisper:
        if not self.main.multilingual:
            return self.main
        if language == "en" and self.english is not None:
            return self.english
        return self.main

    def process(self, audio: np.ndarray, language: str | None = None) -> AsrResult:
        x = np.asarray(audio, dtype=np.float32)
        if x.ndim != 1:
            raise AudioFormatError(f"ASR takes mono 16 kHz audio, got shape {x.shape}")
        if not np.all(np.isfinite(x)):
            raise AudioFormatError("ASR input holds NaN or infinite samples")
        language = None if language in (None, "", "auto") else language
        x = x[: MAX_SECONDS * RATE]
        seconds = len(x) / RATE
        model = self._pick(language)
        if not model.multilingual:
            language = "en"
        if len(x) < RATE // 10 or loudness(x) < self.guard.min_rms:
            return AsrResult("", language or self.languages[0], no_speech_prob=1.0,
                             avg_logprob=0.0, language_prob=0.0, rejected="silence")
        encoded = model.encode(x, self.window_s)
        budget = int(16 + self.tokens_per_second * seconds)
        if language is None:
            best, language_prob = self.detect(model, encoded, budget, seconds, x)
        else:
            if model.multilingual:
                try:
                    model.tokenizer(language)
                except ValueError as exc:
                    raise EngineError(f"Whisper does not know language {language!r}") from exc
            best, language_prob = self.decode(model, encoded, language, budget, seconds), 1.0
        return AsrResult(text="" if best.rejected else best.text, language=best.language,
                         no_speech_prob=best.no_speech_prob, avg_logprob=best.avg_logprob,
                         language_prob=language_prob, segments=((0.0, seconds, best.raw),),
                         rejected=best.rejected)

    def decode(self, model: _Whisper, encoded: Any, language: str, budget: int,
               seconds: float) -> Decoded:
        """Decode in ``language`` (Hindi after the Hindi prompt, with its beam and repetition
        penalty) and judge the text."""
        hindi = language == "hi" and model.multilingual
        prompt = self.hindi_prompt if hindi else ""
        raw, no_speech, logprob = model.decode(
            encoded, language, self.hindi_beam_size if hindi else self.beam_size, budget,
            previous=prompt, repetition_penalty=self.hindi_repetition_penalty if hindi else 1.0,
            suppress=model.other_scripts() if hindi and self.hindi_scripts_only else ())
        reason = judge(raw, language, no_speech_prob=no_speech, avg_logprob=logprob,
                       seconds=seconds, guard=self.guard, prompt=prompt)
        text = remove_prompt(raw, prompt) if prompt else raw
        return Decoded(language, text, raw, no_speech, logprob, reason)

    def detect(self, model: _Whisper, encoded: Any, budget: int, seconds: float,
               audio: np.ndarray | None = None) -> tuple[Decoded, float]:
        """The decode in the user's language, among ``languages``, and that language's
        probability.

        ``compare`` (the default, for Hindi and English): whisper-base is sure of English
        (0.7-0.99 on clear speech) but gives Hindi tiny probabilities (mostly under 0.1,
        often below Arabic or Japanese), and on a short window even clear English can fall
        to 0.25 (or, synthetic, below 0.1). So:

        * English probability >= ``english_above``: English;
        * between ``hindi_below`` and ``english_above``: decode both, keep English only when
          its log-probability beats Hindi's by ``logprob_margin``; a decode the guard
          rejects loses, but only to one that is not doubtful (log-probability at least
          ``doubt_logprob``: an echoed prompt must not hand the turn to an English guess);
        * under ``hindi_below``: Hindi, unless the Hindi decode is doubtful or rejected and
          the English one is sure (log-probability at least ``english_sure``, and ahead by
          the margin): "set a timer for ten minutes" in espeak-ng's voice got English 0.095.

        English chosen while whisper-base was unsure is written by tiny.en when it is
        installed (``audio`` given). ``legacy`` is the old rule (:meth:`choose_language`).
        """
        probs = model.language_probs(encoded)
        if self.language_rule == "legacy" or set(self.languages) != {"hi", "en"}:
            language, prob = self.choose_language(probs)
            return self.decode(model, encoded, language, budget, seconds), prob
        p_en = probs.get("en", 0.0)
        if p_en >= self.english_above:
            return self.decode(model, encoded, "en", budget, seconds), p_en
        hi = self.decode(model, encoded, "hi", budget, seconds)
        if p_en >= self.hindi_below:
            en = self.decode(model, encoded, "en", budget, seconds)
            best = self.better(en, hi)
        elif hi.rejected or hi.avg_logprob < self.doubt_logprob:
            en = self.decode(model, encoded, "en", budget, seconds)
            sure = (not en.rejected and en.avg_logprob >= self.english_sure
                    and en.avg_logprob > hi.avg_logprob + self.logprob_margin)
            best = en if sure else hi
        else:
            return hi, probs.get("hi", 0.0)
        if best is en and audio is not None and self.english is not None:
            # whisper-base was unsure, and then on a fitted window it may drop the start of
            # English ("10 meters" for "go forward ten meters"; on the dev set "Rotomio and
            # Juliet" for "who wrote Romeo and Juliet"): tiny.en, which only knows English,
            # writes it whole. One more encode, only in this case.
            tiny = self.decode(self.english, self.english.encode(audio, self.window_s), "en",
                               budget, seconds)
            best = best if tiny.rejected else tiny
        return best, probs.get(best.language, 0.0)

    def better(self, en: Decoded, hi: Decoded) -> Decoded:
        """The English or the Hindi decode of the same audio (see :meth:`detect`)."""
        if en.rejected and not hi.rejected and hi.avg_logprob >= self.doubt_logprob:
            return hi
        if hi.rejected and not en.rejected and en.avg_logprob >= self.doubt_logprob:
            return en
        return en if en.avg_logprob > hi.avg_logprob + self.logprob_margin else hi

    def choose_language(self, probs: dict[str, float]) -> tuple[str, float]:
        """The legacy rule: the language to decode in, among the assistant's languages only.

        The first configured language is the default; another one wins when it is the most
        probable and at least ``language_threshold`` likely. Why the bias: whisper-base
        recognises English confidently (0.3-0.98 even on espeak) but gives Hindi speech
        tiny probabilities (0.003-0.07 on festival Hindi, below English and often below
        Arabic or Malay), so a plain arg-max would decode most Hindi as English.
        """
        allowed = {lang: probs.get(lang, 0.0) for lang in self.languages}
        best = max(allowed, key=allowed.__getitem__)
        first = self.languages[0]
        if best != first and allowed[best] < self.language_threshold:
            best = first
        return best, allowed[best]

    @property
    def models(self) -> list[str]:
        return [m.name for m in (self.main, self.english) if m is not None]

    def reset(self) -> None:
        """Stateless between utterances (the Hindi prompt is fixed, not the last utterance)."""


def _fraction(key: str, default: float, description: str) -> Option:
    return Option(key, float, default, description, min=0, max=1,
                  expect="between 0 and 1")


def _logprob(key: str, default: float, description: str) -> Option:
    return Option(key, float, default, description, min=-10, max=0,
                  expect="a log-probability from -10 to 0")


OPTIONS = engine_options(
    "asr", "faster-whisper",
    Option("min_rms", float, Guard.min_rms, "quieter audio is not transcribed", min=0),
    Option("compression_ratio_threshold", float, Guard.compression_ratio_threshold,
           "a more repetitive transcript is rejected", min=0),
    Option("tokens_per_second", float, 25.0, "most words a second of speech can hold", min=0),
    Option("english_model", str, None, 'the English-only model ("" = none; default '
           "asr.english_model)", expect='a model name, path or ""'),
    Option("language_threshold", float, 0.3, "least language probability to leave the first "
           "language", min=0),
    Option("window_s", float, WINDOW_S, "encoder window for short commands, seconds",
           min=1, max=MAX_SECONDS, expect=f"between 1 and {MAX_SECONDS} s"),
    Option("hindi_prompt", str, HINDI_PROMPT, "previous text for Hindi decoding",
           test=lambda v: len(v) <= 200, expect='a short text ("" = no prompt)'),
    Option("hindi_repetition_penalty", float, 1.2, "repetition penalty for Hindi (1 = off)",
           min=1, expect="at least 1 (1 = off)"),
    Option("hindi_beam_size", int, 0, "beam size for Hindi (0 = asr.beam_size)", min=0, max=10,
           expect="an integer from 0 to 10 (0 = asr.beam_size)"),
    Option("language_rule", str, "compare", "how Hindi and English decodes are chosen",
           choices=LANGUAGE_RULES),
    _fraction("english_above", 0.5, "English probability above which English is decoded"),
    _fraction("hindi_below", 0.1, "English probability below which Hindi is decoded"),
    Option("logprob_margin", float, 0.3, "how much better a decode must score to win", min=0),
    Option("hindi_scripts_only", bool, True, "Hindi transcripts only in Devanagari or Latin"),
    _logprob("doubt_logprob", -1.0, "a Hindi decode below this is checked against English"),
    _logprob("english_sure", -0.5, "the English decode that then wins"))


def create(ctx: EngineContext) -> FasterWhisper:
    from vaani.errors import ModelMissingError

    opts = OPTIONS.check(ctx.options)
    c = ctx.config.asr
    if c.beam_size < 1:
        raise ConfigError(f"asr.beam_size must be at least 1, got {c.beam_size}")
    above, below = opts["english_above"], opts["hindi_below"]
    if below > above:
        raise ConfigError(f"asr.options.hindi_below ({below}) must not exceed english_above "
                          f"({above})")
    guard = Guard(no_speech_threshold=c.no_speech_threshold,
                  logprob_threshold=c.logprob_threshold, min_rms=opts["min_rms"],
                  compression_ratio_threshold=opts["compression_ratio_threshold"])
    main_name = ctx.model or c.model
    english_name = c.english_model if opts["english_model"] is None else opts["english_model"]
    main = Path(ctx.models.path(main_name))
    english = None
    if english_name and english_name != main_name:
        try:
            english = Path(ctx.models.path(english_name))
        except ModelMissingError:
            log.info("%s not installed: English goes through %s too", english_name, main_name)
    return FasterWhisper(main, english_model=english, compute_type=c.compute_type,
                         threads=max(0, c.threads), beam_size=c.beam_size,
                         languages=tuple(c.languages), guard=guard,
                         tokens_per_second=opts["tokens_per_second"],
                         language_threshold=opts["language_threshold"],
                         window_s=opts["window_s"], hindi_prompt=opts["hindi_prompt"],
                         hindi_repetition_penalty=opts["hindi_repetition_penalty"],
                         hindi_beam_size=opts["hindi_beam_size"],
                         language_rule=opts["language_rule"], english_above=above,
                         hindi_below=below, logprob_margin=opts["logprob_margin"],
                         hindi_scripts_only=opts["hindi_scripts_only"],
                         doubt_logprob=opts["doubt_logprob"], english_sure=opts["english_sure"])


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [EngineSpec("asr", "faster-whisper", create,
                       "faster-whisper (CTranslate2): whisper-base, tiny.en for English",
                       languages=("hi", "en"))]
