"""Reading a question as a bag of concepts and entities, and finding the fact it asks for.

:class:`Reader` cuts an utterance into the longest known phrases (entities, concepts,
fillers; see :mod:`lexicon`) and fails on any word it does not know. A phrase that names
two things (Chandigarh: a union territory and a city; Djibouti: a country and its capital)
gives one reading per meaning, tried in the order country, state, city, other. A reading
matches a fact when everything the fact needs is there and nothing is there that the fact
does not allow; the fact that needs the most wins, and two different facts that match
equally well are not guessed between.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from vaani.language import word_key, words

from . import lexicon
from .facts import FACTS, SLOT_FACTS, Fact
from .festivals import FESTIVALS
from .places import Places

# Words that make an utterance a question even when it names only a thing ("what is Diwali").
QUESTION_WORDS = frozenset(word_key(w) for w in (
    "what which who when why how tell about explain describe know क्या कौन कब क्यों कैसे "
    "बताओ बताइए बताइये बताना बता kya kaun kon kab kyon kyun kaise batao bataiye batana bata "
    "kya".split()))
# Concepts any fact may come with ("now", "today")
ALWAYS_ALLOWED = frozenset({"CURRENT"})
# Concepts that make a question time-sensitive: declined, never answered from the table
TIME_SENSITIVE = frozenset({"POPULATION", "RICH", "GDP", "RECORD", "BUILDING"})
OFFICE = frozenset({"PRIME_MINISTER", "PRESIDENT"})
_KIND_ORDER = {"country": 0, "state": 1, "city": 2}
MAX_READINGS = 32


@dataclass(frozen=True)
class Reading:
    tokens: tuple[str, ...]          # concepts and entity tokens ("country:FR")
    asked: bool                      # a question word was said


@dataclass(frozen=True)
class Match:
    fact: Fact
    bindings: dict[str, str]         # slot kind -> entity code ("country" -> "FR")
    tokens: tuple[str, ...]


def _phrase_key(text: str) -> tuple[str, ...]:
    return tuple(word_key(w) for w in words(text))


class Reader:
    """The phrase table, built once from the lexicon and the places."""

    def __init__(self, places: Places | None) -> None:
        self.table: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        self.collisions: list[tuple[str, str, str]] = []
        self.fillers: set[tuple[str, ...]] = set()
        for phrase in lexicon.FILLERS.split("|"):
            if phrase.strip():
                key = _phrase_key(phrase)
                if key:
                    self.fillers.add(key)
        for concept, spellings in lexicon.CONCEPTS.items():
            self._add(spellings, tuple(concept.split()))
        for n, spellings in lexicon.ORDINALS.items():
            if n > 1:                                    # "first" is FIRST
                self._add(spellings, (f"ORD{n}",))
        for pid, (_, _, spellings) in lexicon.PLANETS.items():
            if spellings:
                self._add(spellings, (f"planet:{pid}",))
        for sid, (_, _, spellings, _) in lexicon.SPORTS.items():
            self._add(spellings, (f"sport:{sid}",))
        for fid, (_, _, spellings) in lexicon.CRICKET_FORMATS.items():
            self._add(spellings, (f"format:{fid}",))
        self._add(lexicon.CHESS[2], ("chess",))
        self._add("everest|mount everest|mt everest|एवरेस्ट|माउंट एवरेस्ट", ("mountain:everest",))
        for eid, (*_, spellings) in lexicon.ELEMENTS.items():
            self._add(spellings, (f"element:{eid}",))
        for cid, (*_, spellings) in lexicon.COMPOUNDS.items():
            if spellings:
                self._add(spellings, (f"compound:{cid}",))
        for fid, (_, _, spellings, *_) in FESTIVALS.items():
            self._add(spellings, (f"festival:{fid}",))
        if places is not None:
            for code, place in places.countries.items():
                self._add("|".join(place.aliases), (f"country:{code}",))
            for code, place in places.states.items():
                self._add("|".join(place.aliases), (f"state:{code}",))
            for name, place in places.cities.items():
                self._add("|".join(place.aliases), (f"city:{name}",))
        for key in self.table:
            self.table[key].sort(key=_reading_order)
        self.longest = max(len(k) for k in list(self.table) + list(self.fillers))

    def _add(self, spellings: str, tokens: tuple[str, ...]) -> None:
        for phrase in spellings.split("|"):
            key = _phrase_key(phrase)
            if not key:
                continue
            entry = self.table.setdefault(key, [])
            if tokens in entry:
                continue
            if entry and not any(":" in t for t in tokens + entry[0]):
                self.collisions.append((phrase, " ".join(entry[0]), " ".join(tokens)))
                continue                                  # a concept keeps its first meaning
            entry.append(tokens)

    def segments(self, text: str, lenient: bool = False
                 ) -> list[list[tuple[str, ...]]] | None:
        """Per phrase, its meanings (``[()]`` for a filler); None if a word is unknown
        (``lenient``: unknown words are skipped instead)."""
        ws = [w for w in words(text)]
        keys = [word_key(w) for w in ws]
        out: list[list[tuple[str, ...]]] = []
        i = 0
        while i < len(keys):
            for size in range(min(self.longest, len(keys) - i), 0, -1):
                key = tuple(keys[i:i + size])
                meanings = self.table.get(key)
                if meanings is not None:
                    out.append(list(meanings))
                    i += size
                    break
                if key in self.fillers:
                    out.append([("?",)] if set(key) & QUESTION_WORDS else [()])
                    i += size
                    break
            else:
                if not lenient:
                    return None
                i += 1
        return out

    def readings(self, text: str) -> list[Reading]:
        segs = self.segments(text)
        if segs is None or not segs:
            return []
        out = []
        for combo in itertools.islice(itertools.product(*segs), MAX_READINGS):
            tokens = [t for group in combo for t in group]
            asked = "?" in tokens
            out.append(Reading(tuple(t for t in tokens if t != "?"), asked))
        return out

    def tokens_said(self, text: str) -> set[str]:
        """Every concept and entity in ``text``, unknown words skipped (for grounding)."""
        segs = self.segments(text, lenient=True) or []
        return {t for seg in segs for meaning in seg for t in meaning if t != "?"}


def _reading_order(tokens: tuple[str, ...]) -> int:
    kind = tokens[0].split(":")[0] if tokens and ":" in tokens[0] else ""
    return _KIND_ORDER.get(kind, 3)


def match_reading(reading: Reading, facts: Iterable[Fact]) -> list[tuple[int, Match]]:
    found: list[tuple[int, Match]] = []
    bag = Counter(reading.tokens)
    if not bag:
        return found
    for fact in facts:
        for need in fact.need:
            kinds = {t[1:] for t in need if t.startswith("@")}
            abstract: Counter[str] = Counter()
            bindings: dict[str, str] = {}
            ok = True
            for token, n in bag.items():
                kind, _, code = token.partition(":")
                if code and kind in kinds:
                    if n != 1 or kind in bindings:
                        ok = False
                        break
                    bindings[kind] = code
                    abstract[f"@{kind}"] += 1
                else:
                    abstract[token] += n
            if not ok:
                continue
            present = set(abstract)
            if not need <= present or not present <= need | fact.may | ALWAYS_ALLOWED:
                continue
            # a question that only names a thing ("Diwali") must be asked as a question
            if not reading.asked and not any(":" not in t and not t.startswith("@")
                                             for t in present):
                continue
            found.append((len(need), Match(fact, bindings, reading.tokens)))
            break
    return found


def find(reader: Reader, text: str, facts: Iterable[Fact] | None = None) -> Match | None:
    """The one fact ``text`` asks for, or None. Over every reading, the fact that needs the
    most wins; between readings an earlier one (country before state before city) wins a
    tie; two facts that fit one reading equally well are not guessed between."""
    facts = list(facts) if facts is not None else FACTS + SLOT_FACTS
    best: tuple[int, Match] | None = None
    for reading in reader.readings(text):
        found = match_reading(reading, facts)
        if not found:
            continue
        score = max(s for s, _ in found)
        top = [m for s, m in found if s == score]
        if len({m.fact.id for m in top}) > 1:
            return None                            # two facts fit equally: not guessed
        if best is None or score > best[0]:
            best = (score, top[0])
    return best[1] if best else None


def time_sensitive(reader: Reader, text: str) -> str | None:
    """"population" / "office" ... when ``text`` asks for something that changes over
    time: the skill declines it instead of answering from the table. Read wholly; or, for a
    question (a question word in it), with unknown words skipped ("what is the world record
    in the 100 metres")."""
    readings = reader.readings(text)
    token_sets = [set(r.tokens) for r in readings]
    if not readings:
        segs = reader.segments(text, lenient=True) or []
        tokens = {t for seg in segs for meaning in seg for t in meaning}
        if "?" in tokens or tokens & {"WHO", "WHEN", "COUNT"}:
            token_sets = [tokens & (TIME_SENSITIVE | {"RICH"})]
    for tokens in token_sets:
        if tokens & TIME_SENSITIVE:
            return sorted(tokens & TIME_SENSITIVE)[0].lower()
        if tokens & OFFICE and "FIRST" not in tokens:
            return "office"
    return None
