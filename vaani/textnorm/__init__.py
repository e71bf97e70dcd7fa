"""Text normalisation for TTS: numbers, times, dates, money and English words made speakable.

``normalize(text, language)`` is what the TTS stage calls on every clause (see
:mod:`vaani.textnorm.core`); :mod:`vaani.textnorm.spoken` has the phrases skills reuse
(Hindi clock times, dates, durations) and :mod:`vaani.textnorm.translit` the English-to-
Devanagari fallback.
"""

from vaani.textnorm.core import normalize
from vaani.textnorm.spoken import (english_clock, english_date, english_duration, english_year,
                                   hindi_clock, hindi_date, hindi_duration, hindi_time,
                                   hindi_year)
from vaani.textnorm.translit import to_devanagari

__all__ = ["normalize", "english_clock", "english_date", "english_duration", "english_year",
           "hindi_clock", "hindi_date", "hindi_duration", "hindi_time", "hindi_year",
           "to_devanagari"]
