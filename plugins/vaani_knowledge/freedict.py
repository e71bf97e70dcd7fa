"""English <-> Hindi words from the FreeDict English-Hindi dictionary (Debian
``dict-freedict-eng-hin``: ``/usr/share/dictd/freedict-eng-hin.{index,dict.dz}``).

The dictionary is GPL-2+, so VAANI does not ship it: the Debian package is installed beside
VAANI (``scripts/setup.sh``) and read here in its dictd format. ``.dict.dz`` is dictzip,
which is gzip, so the whole 2.8 MB text is decompressed once (about 30 ms); the index gives
each headword's byte offset and length in base64 digits.

An entry looks like::

    apple /ˈapəl/ <N>
    1. सेब
          "An apple a day keeps the doctor away ."

Senses are numbered; a sense may list synonyms separated by commas; ``~`` joins the words of
a phrase (छोड़~देना); ``{...}`` and ``[...]`` are notes. The source says of itself "Database
Status: low quality": only senses written wholly in Devanagari are used.

Hindi -> English uses a reverse index of every Devanagari sense term, ranked: the term is a
whole sense (not one synonym among several), it is an early sense, the headword is one word,
and the headword is frequent in English (WordNet's SemCor tag counts, when WordNet is
there).
"""

from __future__ import annotations

import gzip
import os
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vaani.language import deva_key, roman_key

from .roman import keys as roman_keys
from .roman import romanize, romanize_kept

DEFAULT_DIR = "/usr/share/dictd"
NAME = "freedict-eng-hin"
SOURCE = "FreeDict English-Hindi 1.6 (GPL-2+)"
_B64 = {c: i for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_HEAD = re.compile(r"^(?P<head>.*?) (?:/[^/]*/ )?<(?P<pos>[^>]*)>\s*$")
_SENSE = re.compile(r"^(\d+)\.\s+(.*)$")
_NOTES = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)")
_DEVANAGARI_TERM = re.compile(r"^[\u0900-\u097f][\u0900-\u097f \-]*$")
POS_NAMES = {"N": "noun", "V": "verb", "VT": "verb", "VI": "verb", "VTI": "verb",
             "Adj": "adjective", "Adv": "adverb", "Prep": "preposition", "Pron": "pronoun",
             "Conj": "conjunction", "Interj": "interjection", "Det": "determiner"}


def _b64(text: str) -> int:
    n = 0
    for c in text:
        n = n * 64 + _B64[c]
    return n


@dataclass(frozen=True)
class Entry:
    headword: str
    pos: str                              # FreeDict's tag: N, Adj, V, VT ...
    senses: tuple[tuple[str, ...], ...]   # each sense: its Devanagari terms


@dataclass(frozen=True)
class Translation:
    word: str                 # as asked
    headword: str             # dictionary form it was found under
    to: str                   # "hi" or "en"
    words: tuple[str, ...]    # best first
    pos: str = ""
    first: tuple[str, ...] = ()   # Hindi: the terms of the first sense (synonyms)

    @property
    def best(self) -> str:
        return self.words[0]


def _terms(sense: str) -> tuple[str, ...]:
    text = unicodedata.normalize("NFC", _NOTES.sub("", sense)).replace("~", " ")
    out = []
    for part in text.split(","):
        term = " ".join(part.split()).strip(" .")
        if term and _DEVANAGARI_TERM.match(term) and term not in out:
            out.append(term)
    return tuple(out)


def parse_entry(text: str) -> Entry | None:
    lines = text.splitlines()
    if not lines:
        return None
    head = _HEAD.match(lines[0])
    if not head:
        return None
    senses = []
    for line in lines[1:]:
        m = _SENSE.match(line)
        if m:
            terms = _terms(m.group(2))
            if terms:
                senses.append(terms)
    return Entry(head.group("head"), head.group("pos"), tuple(senses))


class FreeDict:
    """The English-Hindi dictionary, loaded from its dictd files (thread-safe)."""

    def __init__(self, directory: str | os.PathLike[str] = DEFAULT_DIR,
                 counts: Callable[[str], dict[str, int]] | None = None) -> None:
        self.dir = Path(directory)
        index = self.dir / f"{NAME}.index"
        data = self.dir / f"{NAME}.dict.dz"
        if not data.is_file():
            data = self.dir / f"{NAME}.dict"
        if not index.is_file() or not data.is_file():
            raise FileNotFoundError(f"FreeDict English-Hindi not found in {self.dir} "
                                    f"(needs {NAME}.index and {NAME}.dict.dz)")
        raw = gzip.open(data).read() if data.suffix == ".dz" else data.read_bytes()
        self.entries: dict[str, list[Entry]] = {}
        for line in index.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) != 3 or parts[0].startswith("00database"):
                continue
            start, length = _b64(parts[1]), _b64(parts[2])
            entry = parse_entry(raw[start:start + length].decode("utf-8", "replace"))
            if entry is not None and entry.senses:
                self.entries.setdefault(parts[0].lower(), []).append(entry)
        # how often an English word is used, per part of speech (WordNet's SemCor counts)
        self._pos_counts = counts or (lambda word: {})
        self._has_counts = counts is not None
        self._reverse: dict[str, list[tuple[tuple[int, ...], str]]] | None = None
        self._roman: dict[str, set[str]] | None = None
        self._lock = threading.Lock()

    # -- English -> Hindi ------------------------------------------------------------------

    def has(self, word: str) -> bool:
        return word.strip().lower() in self.entries

    def to_hindi(self, word: str, lemmas: Callable[[str], list[str]] | None = None
                 ) -> Translation | None:
        """Hindi for an English word (its dictionary forms tried too: "apples" -> apple)."""
        asked = " ".join(word.strip().lower().split())
        candidates = [asked] + [w for w in (lemmas(asked) if lemmas else []) if w != asked]
        for head in candidates:
            entries = self.entries.get(head)
            if not entries:
                continue
            # the part of speech the word mostly is first (water: the noun), then the one
            # with the most senses
            counts = self._pos_counts(head)
            entries = sorted(entries, key=lambda e: (-counts.get(_WORDNET_POS.get(e.pos, ""), 0),
                                                     -len(e.senses)))
            words: list[str] = []
            for entry in entries:
                for sense in entry.senses:
                    for term in sense:
                        if term not in words:
                            words.append(term)
            return Translation(word, head, "hi", tuple(words), entries[0].pos,
                               entries[0].senses[0])
        return None

    # -- Hindi -> English ------------------------------------------------------------------

    def _build_reverse(self) -> None:
        reverse: dict[str, list[tuple[tuple[int, ...], str]]] = {}
        for head, entries in self.entries.items():
            words = len(head.split())
            freq = sum(self._pos_counts(head).values())
            for entry in entries:
                for n, sense in enumerate(entry.senses):
                    for term in sense:
                        rank = (int(len(sense) > 1), min(n, 3), int(words > 1), -freq,
                                len(head))
                        reverse.setdefault(deva_key(term), []).append((rank, head))
        for items in reverse.values():
            items.sort()
        self._reverse = reverse

    def _build_roman(self) -> None:
        assert self._reverse is not None
        roman: dict[str, set[str]] = {}
        for key in self._reverse:
            if " " in key:               # phrases are not typed in Latin letters here
                continue
            for k in roman_keys(key):
                roman.setdefault(k, set()).add(key)
        self._roman = roman

    def warm(self, roman: bool = True) -> None:
        """Build the Hindi -> English indexes now (about 1 s with ``roman``) rather than
        on first use: the plugin does it in a background thread at start-up."""
        with self._lock:
            if self._reverse is None:
                self._build_reverse()
            if roman and self._roman is None:
                self._build_roman()

    def to_english(self, word: str) -> Translation | None:
        """English for a Hindi word, Devanagari or typed in Latin letters ("seb")."""
        asked = " ".join(word.strip().split())
        latin = not re.search(r"[\u0900-\u097f]", asked)
        self.warm(roman=latin)
        assert self._reverse is not None
        if not latin:
            key = deva_key(unicodedata.normalize("NFC", asked))
        else:
            assert self._roman is not None
            matches = sorted(self._roman.get(roman_key(asked.replace(" ", "")), ()),
                             key=lambda k: self._reverse[k][0][0])      # type: ignore[index]
            if not matches:
                return None
            spelled = [k for k in matches if _vowels(asked) in _spelling_vowels(k)]
            if len(matches) > 1 and len(spelled) == 1:
                key = spelled[0]            # "aasmaan": आसमान (sky), not असमान (uneven)
            elif len(matches) > 1 and not _dominates(self._reverse[matches[0]][0][0],
                                                     self._reverse[matches[1]][0][0]):
                return None                 # दाल/डाल both read "dal": not guessed
            else:
                key = matches[0]
        items = self._reverse.get(key)
        if not items or not self._strong(items[0][0]):
            return None
        words: list[str] = []
        for _, head in items:
            if head not in words:
                words.append(head)
        return Translation(word, key, "en", tuple(words[:5]))


    def _strong(self, rank: tuple[int, ...]) -> bool:
        """The best link from a Hindi word back to English is one to say: from the English
        word's first sense (दोस्त is only in "boy"'s second sense, so it is not said to mean
        boy), to a word people use (with SemCor counts: "morn", "narked" and "graft" never
        occur there, so सुबह, गुस्सा and कलम are not answered with them)."""
        first_sense = rank[1] == 0
        used = not self._has_counts or -rank[3] > 0
        return first_sense and used


_VOWEL_RUN = re.compile(r"[aeiou]+")
_LONG = {"aa": "A", "ee": "I", "ii": "I", "oo": "U", "uu": "U"}


def _vowels(latin: str) -> tuple[str, ...]:
    """The vowels of a Latin spelling, long ones marked: "aasmaan" -> (A, A), "asmaan" ->
    (a, A). roman_key folds this difference away; it still tells two dictionary words apart
    when the user wrote it."""
    return tuple(_LONG.get(v, v) for v in _VOWEL_RUN.findall(latin.lower()))


def _spelling_vowels(devanagari: str) -> set[tuple[str, ...]]:
    """:func:`_vowels` of the chat spellings of a Devanagari word (final long vowels are
    often written short: "kamra")."""
    out = set()
    for latin in (romanize(devanagari), romanize_kept(devanagari)):
        v = _vowels(latin)
        out.add(v)
        if v and v[-1] in "AIU":
            out.add(v[:-1] + (v[-1].lower(),))
    return out


def _dominates(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Rank ``a`` is clearly the word meant over ``b``: a better kind of match, or a
    common English word against a rare one (पानी "water" over पनी "tinsel" for "pani")."""
    if a[:3] != b[:3]:
        return a[:3] < b[:3]
    return -a[3] >= 20 and -b[3] <= 2


_WORDNET_POS = {"N": "noun", "V": "verb", "VT": "verb", "VI": "verb", "VTI": "verb",
                "Adj": "adj", "Adv": "adv"}
