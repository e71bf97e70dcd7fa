"""Devanagari -> Latin letters, the way Hindi is typed in chat ("सेब" -> "seb", "कमरा" ->
"kamra", "किताब" -> "kitaab").

Used to find the Hindi word a user typed (or Whisper wrote) in Latin letters ("seb ko
english mein kya kehte hain") among the Devanagari words of the dictionary: both sides are
compared through :func:`vaani.language.roman_key`, which folds the usual spelling variation
(aa/a, ee/i, w/v ...). The inherent vowel is dropped at the end of a word and in the middle
where Hindi drops it (a vowel, a consonant, the schwa, then a consonant with a vowel: कमरा
kamra, समझना samajhna); :func:`keys` also gives the spelling with every schwa kept, so that
"samajhana" or "namak" match too.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from vaani.language import roman_key

_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j",
    "झ": "jh", "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t",
    "थ": "th", "द": "d", "ध": "dh", "न": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh",
    "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s",
    "ह": "h", "ळ": "l",
    # precomposed nukta letters
    "क़": "q", "ख़": "kh", "ग़": "gh", "ज़": "z", "ड़": "r", "ढ़": "rh", "फ़": "f", "य़": "y",
}
_NUKTA = {"क": "q", "ख": "kh", "ग": "gh", "ज": "z", "ड": "r", "ढ": "rh", "फ": "f"}
_VOWELS = {"अ": "a", "आ": "aa", "इ": "i", "ई": "ee", "उ": "u", "ऊ": "oo", "ऋ": "ri",
           "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o", "ऍ": "e"}
_SIGNS = {"ा": "aa", "ि": "i", "ी": "ee", "ु": "u", "ू": "oo", "ृ": "ri", "े": "e",
          "ै": "ai", "ो": "o", "ौ": "au", "ॉ": "o", "ॅ": "e"}
_VIRAMA, _NUKTA_SIGN = "्", "़"
_NASAL = {"ं", "ँ"}
_SCHWA = "\x00"            # an inherent vowel, decided later


def _syllables(word: str) -> list[str]:
    """Latin pieces with each consonant's inherent vowel marked as _SCHWA."""
    word = unicodedata.normalize("NFC", word)
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if ch in _CONSONANTS:
            latin = _CONSONANTS[ch]
            if i + 1 < len(word) and word[i + 1] == _NUKTA_SIGN:
                latin = _NUKTA.get(ch, latin)
                i += 1
            out.append(latin)
            nxt = word[i + 1] if i + 1 < len(word) else ""
            if nxt == _VIRAMA:
                i += 1
            elif nxt in _SIGNS:
                out.append(_SIGNS[nxt])
                i += 1
            else:
                out.append(_SCHWA)
        elif ch in _VOWELS:
            out.append(_VOWELS[ch])
        elif ch in _NASAL:
            out.append("n")
        elif ch == "ः":
            out.append("h")
        elif ch.isascii() and ch.isalnum():
            out.append(ch.lower())
        elif ch in " -":
            out.append(" ")
        i += 1
    return out


def _is_vowel(piece: str) -> bool:
    return piece == _SCHWA or (piece[:1] in "aeiou" and piece != "")


def _drop_schwas(pieces: list[str]) -> list[str]:
    """Final schwa dropped; a medial one dropped between V C _ C V (right to left)."""
    p = list(pieces)
    # word by word (a gloss may have spaces)
    ends = [i for i, x in enumerate(p) if x == " "] + [len(p)]
    start = 0
    for end in ends:
        word = p[start:end]
        # final schwa: dropped, except after a conjunct (मित्र mitra)
        if (word and word[-1] == _SCHWA and len(word) > 2
                and (len(word) < 4 or _is_vowel(word[-3]))):
            word[-1] = ""
        for j in range(len(word) - 3, 1, -1):
            if word[j] != _SCHWA:
                continue
            before_v = _is_vowel(word[j - 2]) if j >= 2 else False
            after = word[j + 1:j + 3]
            if (before_v and len(after) == 2 and not _is_vowel(after[0]) and after[0]
                    and _is_vowel(after[1]) and after[1] != ""):
                word[j] = ""
        p[start:end] = word
        start = end + 1
    return p


@lru_cache(maxsize=16384)
def romanize(word: str) -> str:
    """Chat-style Latin spelling: "सेब" -> "seb", "पानी" -> "paani", "कमरा" -> "kamra"."""
    pieces = _drop_schwas(_syllables(word))
    text = "".join("a" if x == _SCHWA else x for x in pieces)
    # a final long vowel is written short in chat: "kamra", "sukhi"
    return " ".join(w[:-2] + {"aa": "a", "ee": "i"}[w[-2:]]
                    if w.endswith(("aa", "ee")) and len(w) > 3 else w for w in text.split())


def romanize_kept(word: str) -> str:
    """:func:`romanize` with every inherent vowel written ("समझना" -> "samajhanaa")."""
    return "".join("a" if x == _SCHWA else x for x in _syllables(word))


@lru_cache(maxsize=16384)
def keys(word: str) -> frozenset[str]:
    """roman_key spellings a Latin-typed ``word`` may have: schwas dropped and kept."""
    pieces = _syllables(word)
    dropped = romanize(word)
    kept = romanize_kept(word)
    final_only = "".join("a" if x == _SCHWA else x for x in _drop_final(pieces))
    return frozenset(roman_key(s.replace(" ", "")) for s in (dropped, kept, final_only)
                     if s.strip())


def _drop_final(pieces: list[str]) -> list[str]:
    """Only each word's final schwa dropped (अप्रचलित aprachalit)."""
    p = list(pieces) + [" "]
    for i in range(1, len(p)):
        if p[i] == " " and p[i - 1] == _SCHWA and i >= 3:
            p[i - 1] = ""
    return p[:-1]
