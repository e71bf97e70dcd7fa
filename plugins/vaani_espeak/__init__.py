"""Command-line TTS voices for Hindi: espeak-ng (``espeak``) and festival (``festival``).

No Piper Hindi voice is packaged anywhere, so Hindi speech comes from these two Debian
voices (``tts.voices.hi = "espeak:hi"`` or ``"festival:hindi_NSK_diphone"``). Both run as a
subprocess per clause with the text on stdin (never a shell, never a command-line string
built from the text) and a timeout; WAV comes back on stdout.

festival's Hindi voice (festvox-hi-nsk) needs care:
* as packaged it fails on every input ("Feature Int_Method not defined"): we select the
  simple intonation model it forgot to set;
* it segfaults on Latin letters, emoji, the nukta sign, ZWJ/ZWNJ and on a few ordinary words
  (about 0.3% of the 24k most frequent Hindi words). So the text is reduced to what the
  voice knows (Devanagari without nukta, digits, sentence punctuation), and when festival
  still crashes the clause is split until the words that crash it are found; those are
  skipped (and remembered) and the rest is spoken.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from typing import Any

import numpy as np

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import AudioFormatError, ConfigError, EngineError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options, own_table

log = logging.getLogger(__name__)

_BINARY = dict(expect="a program name or path", test=bool)
ESPEAK_OPTIONS = engine_options(
    "tts", "espeak",
    Option("binary", str, "espeak-ng", "the espeak-ng program", **_BINARY),
    Option("timeout_s", float, 10.0, "longest a sentence may take", above=0),
    Option("pitch", int, None, "voice pitch", min=0, max=500),
    Option("words_per_minute", int, None, "speaking rate (default 160 x tts.speed)",
           min=0, max=500),
    kind="TTS")
FESTIVAL_OPTIONS = engine_options(
    "tts", "festival",
    Option("binary", str, "text2wave", "festival's text2wave program", **_BINARY),
    Option("timeout_s", float, 20.0, "longest a sentence may take", above=0),
    kind="TTS")
ESPEAK_WPM = 160
HINDI_NSK_STRETCH = 1.4            # the voice's own Duration_Stretch
_ESPEAK_VOICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+\-/.]*$")
_FESTIVAL_VOICE = re.compile(r"^[A-Za-z0-9_]+$")


# -- shared helpers -------------------------------------------------------------------------

def parse_wav(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV bytes -> (float32 mono, rate).

    Tolerates the placeholder sizes that tools writing to a pipe put in the header
    (espeak-ng writes 0x7ffff000): the data chunk is whatever follows it.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFormatError("the voice did not produce a WAV stream")
    pos, rate, channels, bits = 12, 0, 0, 0
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        body = pos + 8
        if cid == b"fmt ":
            fmt = data[body:body + 16]
            if len(fmt) < 16:
                break
            tag = int.from_bytes(fmt[0:2], "little")
            channels = int.from_bytes(fmt[2:4], "little")
            rate = int.from_bytes(fmt[4:8], "little")
            bits = int.from_bytes(fmt[14:16], "little")
            if tag != 1 or bits != 16 or channels < 1:
                raise AudioFormatError(f"unsupported WAV from the voice (format {tag}, "
                                       f"{bits} bits, {channels} channels)")
        elif cid == b"data":
            if not rate:
                break
            # a writer on a pipe cannot go back to fix the size: 0 or too big = to the end
            end = len(data) if size == 0 or body + size > len(data) else body + size
            raw = data[body:end]
            raw = raw[: len(raw) // (2 * channels) * 2 * channels]
            pcm = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)
            return (pcm.mean(axis=1) / 32768.0).astype(np.float32), rate
        pos = body + size + (size & 1)
    raise AudioFormatError("WAV stream from the voice has no audio data")


def _run(cmd: list[str], text: str, timeout_s: float, what: str) -> bytes:
    try:
        proc = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True,
                              timeout=timeout_s, check=False)
    except FileNotFoundError as exc:
        raise EngineError(f"{what}: program '{cmd[0]}' not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise EngineError(f"{what} took longer than {timeout_s:g} s on {text[:40]!r}") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        why = err[-1] if err else f"exit status {proc.returncode}"
        raise _Failed(proc.returncode, f"{what} failed: {why}")
    return proc.stdout


class _Failed(EngineError):
    def __init__(self, returncode: int, message: str) -> None:
        super().__init__(message)
        self.returncode = returncode


def _find_binary(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise EngineError(f"TTS program '{name}' is not installed",
                          hint=f"sudo apt install {package}")
    return path


# -- espeak-ng ------------------------------------------------------------------------------

class EspeakTts:
    """espeak-ng: robotic but instant (about 10 ms a sentence) and speaks any language."""

    def __init__(self, voice: str = "hi", *, binary: str = "espeak-ng", speed: float = 1.0,
                 pitch: int | None = None, words_per_minute: int | None = None,
                 timeout_s: float = 10.0) -> None:
        if not _ESPEAK_VOICE.match(voice):
            raise ConfigError(f"bad espeak-ng voice name {voice!r}",
                              hint="e.g. hi, en-us, en-gb (espeak-ng --voices)")
        self.binary = _find_binary(binary, "espeak-ng")
        self.voice = voice
        self.timeout_s = timeout_s
        wpm = words_per_minute or round(ESPEAK_WPM * speed)
        self.cmd = [self.binary, "-v", voice, "-b", "1", "-s", str(int(wpm)), "--stdout"]
        if pitch is not None:
            self.cmd[1:1] = ["-p", str(int(pitch))]
        try:
            _, self.sample_rate = self._synth("a")   # checks the voice, learns the rate
        except _Failed as exc:
            raise EngineError(f"espeak-ng cannot use voice '{voice}': {exc}",
                              hint="list voices with: espeak-ng --voices") from exc

    def _synth(self, text: str) -> tuple[np.ndarray, int]:
        return parse_wav(_run(self.cmd, text, self.timeout_s, "espeak-ng"))

    def process(self, text: str, language: str = "") -> Iterator[np.ndarray]:
        text = _printable(text)
        if not text.strip():
            return
        audio, _ = self._synth(text)
        if len(audio):
            yield audio

    def reset(self) -> None:
        """Stateless."""


def _printable(text: str) -> str:
    """Drop control characters (they end espeak's input early); keep every script."""
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


# -- festival -------------------------------------------------------------------------------

_DEVANAGARI_OK = (set(range(0x0901, 0x093A)) | set(range(0x093E, 0x094E))
                  | {0x0950} | set(range(0x0960, 0x0964)) | set(range(0x0966, 0x0970)))
_PUNCT_OK = set(".,?!;:-'\"") | {"।", "॥"}


def festival_hindi_text(text: str) -> str:
    """Reduce text to what festival's Hindi voice can read without crashing.

    Nukta forms become their base letter (ज़ -> ज), sentence punctuation and digits stay,
    everything else (Latin, emoji, symbols, joiners) becomes a space.
    """
    text = unicodedata.normalize("NFD", text).replace("\u093c", "")
    text = text.replace("\u200c", "").replace("\u200d", "")     # joiners: only rendering hints
    out = []
    for ch in text:
        if ord(ch) in _DEVANAGARI_OK or ch in _PUNCT_OK or "0" <= ch <= "9":
            out.append(ch)
        else:
            out.append(" ")
    text = unicodedata.normalize("NFC", "".join(out))
    # a virama with no letter after it (end of a word) crashes the voice
    text = re.sub("\u094d(?=[^\u0915-\u0939]|$)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _has_sound(text: str) -> bool:
    return any(0x0905 <= ord(ch) <= 0x0939 or 0x0960 <= ord(ch) <= 0x0963
               or 0x0966 <= ord(ch) <= 0x096F or "0" <= ch <= "9" for ch in text)


class FestivalTts:
    """festival ``text2wave`` with a Festival voice (``hindi_NSK_diphone`` by default)."""

    def __init__(self, voice: str = "hindi_NSK_diphone", *, binary: str = "text2wave",
                 speed: float = 1.0, timeout_s: float = 20.0) -> None:
        if not _FESTIVAL_VOICE.match(voice):
            raise ConfigError(f"bad festival voice name {voice!r}",
                              hint="e.g. hindi_NSK_diphone (the name after voice_)")
        self.binary = _find_binary(binary, "festival festvox-hi-nsk festival-hi")
        self.voice = voice
        self.hindi = voice.startswith("hindi")
        self.timeout_s = timeout_s
        setup = [f"(voice_{voice})"]
        if self.hindi:
            setup += ["(Parameter.set 'Int_Method 'Simple)",
                      "(set! int_simple_params '((f0_mean 120) (f0_std 20)))",
                      f"(Parameter.set 'Duration_Stretch {HINDI_NSK_STRETCH / speed:.3f})"]
        self.cmd = [self.binary, "-eval", "(begin " + " ".join(setup) + ")"]
        self._bad_words: set[str] = set()
        probe = "नमस्ते" if self.hindi else "hello"
        try:
            _, self.sample_rate = self._synth(probe)
        except EngineError as exc:
            raise EngineError(f"festival cannot use voice '{voice}': {exc}",
                              hint="sudo apt install festival festvox-hi-nsk festival-hi") from exc

    def _synth(self, text: str) -> tuple[np.ndarray, int]:
        data = _run(self.cmd, text, self.timeout_s, "festival")
        if not data:
            raise _Failed(0, "festival produced no audio (unknown voice?)")
        return parse_wav(data)

    def _speak(self, words: list[str]) -> list[np.ndarray]:
        """Synthesize ``words``; on a crash, split in halves to find and skip the bad words."""
        text = " ".join(words)
        if not (_has_sound(text) if self.hindi else any(ch.isalnum() for ch in text)):
            return []
        try:
            return [self._synth(text)[0]]
        except _Failed as exc:
            if exc.returncode >= 0:          # an error festival reported, not a crash
                raise
            if len(words) == 1:
                log.info("festival crashes on %r; skipping that word from now on", text)
                self._bad_words.add(text)
                return []
        mid = len(words) // 2
        return self._speak(words[:mid]) + self._speak(words[mid:])

    def process(self, text: str, language: str = "") -> Iterator[np.ndarray]:
        if self.hindi:
            text = festival_hindi_text(text)
        else:
            text = _printable(text)
        words = [w for w in text.split() if w not in self._bad_words]
        known_bad = len(self._bad_words)
        pieces = self._speak(words)
        if len(pieces) > 1 and len(self._bad_words) > known_bad:
            # the halves each carry their own pauses: say the clause again in one piece
            clean = [w for w in words if w not in self._bad_words]
            try:
                pieces = [self._synth(" ".join(clean))[0]]
            except _Failed:
                pass
        if pieces:
            yield np.concatenate(pieces)

    def reset(self) -> None:
        """Stateless (the list of words that crash the voice is kept on purpose)."""


# -- factories ------------------------------------------------------------------------------

def create_espeak(ctx: EngineContext) -> EspeakTts:
    opts = ESPEAK_OPTIONS.check(own_table(ctx.options, "espeak"))
    return EspeakTts(ctx.voice or ctx.model or "hi", binary=opts["binary"],
                     speed=ctx.config.tts.speed, pitch=opts["pitch"],
                     words_per_minute=opts["words_per_minute"], timeout_s=opts["timeout_s"])


def create_festival(ctx: EngineContext) -> FestivalTts:
    opts = FESTIVAL_OPTIONS.check(own_table(ctx.options, "festival"))
    return FestivalTts(ctx.voice or ctx.model or "hindi_NSK_diphone", binary=opts["binary"],
                       speed=ctx.config.tts.speed, timeout_s=opts["timeout_s"])


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [
        EngineSpec("tts", "espeak", create_espeak,
                   "espeak-ng voices (robotic, instant, any language; Hindi: hi)"),
        EngineSpec("tts", "festival", create_festival,
                   "festival voices (Hindi: hindi_NSK_diphone, Devanagari input)",
                   languages=("hi",)),
    ]
