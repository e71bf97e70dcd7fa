"""TTS stage: text normalisation, then the voice configured for the language.

``config.tts.voices`` maps a language to ``"engine:voice"`` (``en = "piper:piper-en-joe"``,
``hi = "espeak:hi"``). The pipeline builds one engine per voice; this stage picks one per
clause, normalises the text for it (numbers, times, ₹ in Hindi) and trims the silence a voice
puts before the first word of a reply, which is pure latency.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import numpy as np

from vaani.audio import trim_leading_silence
from vaani.engines import TtsEngine
from vaani.errors import ConfigError

log = logging.getLogger(__name__)


def parse_voice(spec: str) -> tuple[str, str]:
    """``"piper:piper-en-joe"`` -> ("piper", "piper-en-joe"); ``"espeak"`` -> ("espeak", "")."""
    engine, _, voice = spec.partition(":")
    if not engine:
        raise ConfigError(f"tts.voices: bad voice {spec!r}", hint='use "engine:voice"')
    return engine.strip(), voice.strip()


def default_normalizer() -> Callable[[str, str], str]:
    try:
        from vaani.textnorm import normalize
    except ImportError:
        log.debug("vaani.textnorm not available; TTS gets raw text")
        return lambda text, language: text
    return normalize


class TtsStage:
    def __init__(self, voices: dict[str, TtsEngine], default_language: str = "en",
                 normalize: Callable[[str, str], str] | None = None) -> None:
        if not voices:
            raise ConfigError("no TTS voice configured", hint="set [tts] voices")
        self.voices = voices
        self.default_language = default_language if default_language in voices else next(iter(voices))
        self.normalize = normalize or default_normalizer()

    def engine_for(self, language: str) -> tuple[TtsEngine, str]:
        if language in self.voices:
            return self.voices[language], language
        return self.voices[self.default_language], self.default_language

    def process(self, text: str, language: str, *, first: bool = False) -> Iterator[tuple[np.ndarray, int]]:
        """Yield (float32 samples, sample_rate) chunks for one clause.

        ``first``: this is the first clause of a reply; its lead-in silence is trimmed.
        """
        engine, language = self.engine_for(language)
        try:
            spoken = self.normalize(text, language)
        except Exception as exc:        # a normaliser bug must not silence the reply
            log.warning("text normalisation failed (%s); speaking the raw text", exc)
            spoken = text
        if not spoken.strip():
            return
        rate = int(engine.sample_rate)
        trimming = first
        for chunk in engine.process(spoken, language):
            chunk = np.asarray(chunk, np.float32)
            if chunk.ndim > 1:
                chunk = chunk.reshape(-1)
            if trimming:
                chunk = trim_leading_silence(chunk, rate)
                if not len(chunk):
                    continue
                trimming = False
            if len(chunk):
                yield chunk, rate

    def reset(self) -> None:
        for engine in self.voices.values():
            engine.reset()
