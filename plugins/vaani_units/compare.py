"""Which of two quantities is more: "which is longer, a week or ten days", "which is heavier,
a kilogram of cotton or a kilogram of iron", "एक घंटा और पचास मिनट में कौन ज़्यादा लंबा है",
"ek kilo rui aur ek kilo lohe mein kaun zyada bhaari hai", "which is less, 500 grams or
half a kilo".

Two quantities of one kind (a number, or "a"/"an" for one, and a unit the converter knows),
joined by "or" / "और" / "aur" / "या" / "ya", each optionally followed by what it is of (at
most two words: "of cotton", "रुई", "lohe"); everything else must be comparison words
(closed lists below), so anything that is not only this comparison is left to the others.
An adjective that names a kind ("heavier", "लंबा") must fit the units' kind. Equal amounts are
said to be equal, whatever they are of (the old riddle).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from vaani.language import keys, word_key, words
from vaani.numwords import find_numbers

if TYPE_CHECKING:
    from vaani_units import Unit, Units

# adjectives: (the kinds they fit, None = any; more (+1) or less (-1); English; Hindi)
_ADJECTIVES: list[tuple[str, frozenset[str] | None, int, str, str]] = [
    ("longer lengthier लंबा लंबी लम्बा लम्बी lamba lambi", frozenset({"length", "time"}), 1,
     "longer", "लंबा"),
    ("shorter छोटा छोटी chhota chhoti chota choti", frozenset({"length", "time"}), -1,
     "shorter", "छोटा"),
    ("heavier भारी bhaari bhari", frozenset({"mass"}), 1, "heavier", "भारी"),
    ("lighter हल्का हल्की halka halki", frozenset({"mass"}), -1, "lighter", "हल्का"),
    ("bigger larger greater more बड़ा बड़ी bada badi", None, 1, "more", "बड़ा"),
    ("smaller less fewer", None, -1, "less", "छोटा"),
    ("hotter warmer गर्म गरम garam garm", frozenset({"temperature"}), 1, "hotter", "गर्म"),
    ("colder cooler ठंडा ठंडी thanda thandi", frozenset({"temperature"}), -1, "colder", "ठंडा"),
    ("faster quicker तेज़ तेज tez tej", frozenset({"speed"}), 1, "faster", "तेज़"),
    ("slower धीमा धीमी dheema dhima", frozenset({"speed"}), -1, "slower", "धीमा"),
]
_ADJECTIVE = {k: (kinds, sign, en, hi) for spellings, kinds, sign, en, hi in _ADJECTIVES
              for k in keys(spellings.split())}
# "ज़्यादा लंबा" (more long), "कम" (less): Hindi says the degree apart from the adjective
_MORE = keys("ज़्यादा ज्यादा अधिक zyada jyada jada adhik".split())
_LESS = keys("कम kam".split())
_OR = keys("or और या aur ya versus vs".split())
_WORDS = keys(
    "which what who is are one of the two thing things amount quantity time period ? , "
    "कौन कौनसा कौनसी कौन-सा सा सी से में है हैं होता होती होते चीज़ चीज समय मात्रा दोनों "
    "kaun kaunsa kaunsi konsa konsi kon sa si se mein me main hai hain hota hoti hote cheez "
    "chiz samay dono please vaani वाणी tell me बताओ बताइए batao bataiye".split())
_OF = keys("of का की के ka ki ke".split())
_ONE = frozenset(("a", "an"))
MAX_OF = 2                      # words saying what a quantity is of


@dataclass(frozen=True)
class Side:
    value: Fraction
    unit: Unit
    of: tuple[str, ...] = ()    # what it is of, as said


@dataclass(frozen=True)
class Comparison:
    left: Side
    right: Side
    sign: int                   # +1: which is more; -1: which is less
    en: str                     # the adjective asked with ("longer"), or "more"/"less"
    hi: str                     # "लंबा"


def understand(text: str, units: Units) -> Comparison | None:
    """The comparison ``text`` asks for, or None if it is not (only) one."""
    w = list(words(text))
    if not w or len(w) > 24:
        return None
    ks = [word_key(x) for x in w]
    ors = [i for i, k in enumerate(ks) if k in _OR]
    if len(ors) != 1:
        return None
    mentions = units.mentions(w, ks)
    if len(mentions) != 2 or not (mentions[0].end <= ors[0] < mentions[1].start):
        return None
    in_unit = {i for m in mentions for i in range(m.start, m.end)}
    spans = find_numbers(["§" if i in in_unit else t for i, t in enumerate(w)], True)
    used = set(in_unit) | set(ors)
    sides: list[Side] = []
    readings: list[Sequence[Unit]] = []
    for m in mentions:
        # "10 days"; "half a kilo"
        span = next((s for s in spans if s.end == m.start or (
            s.end == m.start - 1 and w[s.end] in _ONE)), None)
        if span is not None:
            value = span.value
            used.update(range(span.start, m.start))
        elif m.start and w[m.start - 1] in _ONE:
            value = Fraction(1)
            used.add(m.start - 1)
        else:
            return None
        # what it is of: "of cotton", "रुई", "lohe" (up to the "or" or the question words)
        j = m.end
        if j < len(w) and ks[j] in _OF and j + 1 < len(w) and ks[j + 1] not in _WORDS:
            j += 1
        end = ors[0] if m is mentions[0] else len(w)
        of: list[str] = []
        while j < end and len(of) < MAX_OF and ks[j] not in _WORDS and ks[j] not in _ADJECTIVE \
                and ks[j] not in _MORE and ks[j] not in _LESS and w[j] not in _ONE:
            of.append(w[j])
            j += 1
        used.update(range(m.end, j))
        sides.append(Side(value, m.units[0], tuple(of)))
        readings.append(m.units)
    pair = _pair(*readings)
    if pair is None:
        return None
    rest = [i for i in range(len(w)) if i not in used]
    adjectives = [_ADJECTIVE[ks[i]] for i in rest if ks[i] in _ADJECTIVE]
    degree = [i for i in rest if ks[i] in _MORE or ks[i] in _LESS]
    if len(adjectives) > 1 or len(degree) > 1 or not (adjectives or degree):
        return None
    if any(ks[i] not in _WORDS and ks[i] not in _ADJECTIVE and i not in degree for i in rest):
        return None
    kinds, sign, en, hi = adjectives[0] if adjectives else (None, 1, "more", "")
    if kinds is not None and pair[0].dim not in kinds:
        return None                          # "which is heavier, a metre or a foot"
    if degree and ks[degree[0]] in _LESS:
        sign, en = -sign, {"more": "less"}.get(en, en)
    if not adjectives:
        en = "more" if sign > 0 else "less"
    left, right = (replace(side, unit=unit) for side, unit in zip(sides, pair))
    return Comparison(left, right, sign, en, hi)


def _pair(a: Sequence[Unit], b: Sequence[Unit]) -> tuple[Unit, Unit] | None:
    """The first readings of two unit mentions that measure the same kind (one unit twice
    is fine here: a kilogram of cotton and a kilogram of iron)."""
    def usable(u: Unit) -> bool:
        return u.dim not in ("money", "count") and (u.factor is not None
                                                    or u.dim == "temperature")
    for x in a:
        for y in b:
            if x.dim == y.dim and usable(x) and usable(y):
                return x, y
    return None


def answer(c: Comparison, units: Units, language: str) -> tuple[str, dict[str, Any]]:
    """The spoken answer and the reply's data: "10 days is longer: 1 week is 7 days." /
    "दोनों बराबर हैं: ..."."""
    from vaani_units import phrase, rounded

    hi = language == "hi"
    left_in_right = units.convert(c.left.value, c.left.unit, c.right.unit)
    diff = left_in_right - c.right.value
    data: dict[str, Any] = {"kind": "comparison", "dimension": c.left.unit.dim,
                            "left": {"value": float(c.left.value), "unit": c.left.unit.id},
                            "right": {"value": float(c.right.value), "unit": c.right.unit.id}}
    a = phrase(c.left.value, c.left.unit, language)
    b = phrase(c.right.value, c.right.unit, language)
    if diff == 0:
        data["answer"] = "equal"
        same = c.left.unit.id == c.right.unit.id
        if hi:
            whatever = (", चाहे किसी भी चीज़ का हो" if c.left.of or c.right.of else "")
            why = (f"{a} {a} ही होता है" if same else
                   f"{a} {phrase(c.right.value, c.right.unit, 'hi', oblique=True)} के बराबर है")
            return f"दोनों बराबर हैं: {why}{whatever}।", data
        whatever = ", whatever it is of" if c.left.of or c.right.of else ""
        why = f"{a} is {b}" if not same else f"{a} is {a}"
        return f"They are the same: {why}{whatever}.", data
    left_wins = (diff > 0) == (c.sign > 0)
    winner, other = (c.left, c.right) if left_wins else (c.right, c.left)
    data["answer"] = "left" if left_wins else "right"
    said = phrase(winner.value, winner.unit, language)
    # the side in the bigger unit said in the smaller one ("1 week is 7 days", "1 hour is
    # 60 minutes"), unless they share a unit
    why = ""
    if other.unit.id != winner.unit.id:
        big, small = winner, other
        if big.unit.factor is not None and small.unit.factor is not None \
                and big.unit.factor < small.unit.factor:
            big, small = other, winner
        amount, exact = rounded(units.convert(big.value, big.unit, small.unit))
        about = "" if exact else ("लगभग " if hi else "about ")
        why = (f"{phrase(big.value, big.unit, 'hi')} {about}"
               f"{phrase(amount, small.unit, 'hi', oblique=True)} के बराबर है"
               if hi else f"{phrase(big.value, big.unit, 'en')} is {about}"
                          f"{phrase(amount, small.unit, 'en')}")
    if hi:
        degree = "ज़्यादा" if c.sign > 0 else "कम"
        text = f"{said} {degree} {c.hi} है" if c.hi else f"{said} {degree} है"
        return text + (f": {why}।" if why else "।"), data
    text = f"{said} is {c.en}" + (f": {why}." if why else ".")
    return text[0].upper() + text[1:], data
