"""Language resolution: which of the allowed languages this utterance is in."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)


def _script_guess(text: str, allowed: Sequence[str], hint: str | None) -> str:
    """Devanagari -> hi, Latin letters -> en; used only if vaani.language is absent."""
    deva = sum(1 for ch in text if "\u0900" <= ch <= "\u097f")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    guess = "hi" if deva > latin else ("en" if latin else (hint or ""))
    if guess in allowed:
        return guess
    return hint if hint is not None and hint in allowed else allowed[0]


def _resolver() -> Callable[[str, Sequence[str], str | None], str]:
    try:
        from vaani.language import resolve_language
    except ImportError:
        log.debug("vaani.language not available; resolving language by script")
        return _script_guess
    return resolve_language


class LanguageResolver:
    """``assistant.language`` fixed -> that; ``auto`` -> from the text, hinted by the ASR."""

    def __init__(self, language: str = "auto", allowed: Sequence[str] = ("hi", "en")) -> None:
        self.language = language
        self.allowed = list(allowed) or ["hi", "en"]
        self._resolve = _resolver()

    def process(self, text: str, hint: str | None = None) -> str:
        if self.language != "auto":
            return self.language
        hint = hint if hint in self.allowed else None
        try:
            lang = self._resolve(text, self.allowed, hint)
        except Exception as exc:          # a resolver bug must not lose the turn
            log.warning("language resolution failed (%s); using the script", exc)
            lang = _script_guess(text, self.allowed, hint)
        return lang if lang in self.allowed else self.allowed[0]

    def reset(self) -> None:
        pass
