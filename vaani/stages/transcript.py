"""Transcript filter: drop what should not become a command.

Whisper invents text on silence and noise ("Thank you.", "Thanks for watching!") and our
own reply can come back through the microphone. Rejected transcripts are still reported
(``Transcript.rejected``) but no plugin and no LLM sees them.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from vaani.engines import AsrResult

# Whisper's usual inventions on non-speech; only rejected when the audio also looks empty.
HALLUCINATIONS = {
    "thank you", "thanks for watching", "thank you for watching", "thank you very much",
    "please subscribe", "subscribe", "bye", "you", "so", "okay", "oh",
    "subtitles by the amara org community", "धन्यवाद", "शुक्रिया",
}


def normalize(text: str) -> str:
    """Lowercase, no punctuation, single spaces (Devanagari marks kept)."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = "".join(ch if (ch.isalnum() or unicodedata.category(ch).startswith("M")) else " "
                   for ch in text)
    return re.sub(r"\s+", " ", text).strip()


class TranscriptFilter:
    def __init__(self, no_speech_threshold: float = 0.6, logprob_threshold: float = -1.0,
                 min_chars: int = 2, echo_similarity: float = 0.8) -> None:
        self.no_speech_threshold = no_speech_threshold
        self.logprob_threshold = logprob_threshold
        self.min_chars = min_chars
        self.echo_similarity = echo_similarity
        self._last_reply = ""

    def remember_reply(self, text: str) -> None:
        """What we just said: a transcript that matches it is our own echo."""
        self._last_reply = normalize(text)

    def reset(self) -> None:
        self._last_reply = ""

    def process(self, result: AsrResult) -> str:
        """The reason to reject ``result`` ("" = keep it)."""
        if getattr(result, "rejected", ""):
            return result.rejected              # the engine's own guard spoke first
        text = normalize(result.text)
        if not text:
            return "empty"
        if (result.no_speech_prob > self.no_speech_threshold
                and result.avg_logprob < self.logprob_threshold):
            return "no_speech"
        if len(text.replace(" ", "")) < self.min_chars:
            return "too_short"
        if text in HALLUCINATIONS and (result.no_speech_prob > 0.2 or result.avg_logprob < -0.7):
            return "hallucination"
        if self._is_echo(text):
            return "echo"
        return ""

    def _is_echo(self, text: str) -> bool:
        reply = self._last_reply
        if not reply:
            return False
        if len(text.split()) >= 3 and text in reply:
            return True
        return difflib.SequenceMatcher(None, text, reply).ratio() >= self.echo_similarity
