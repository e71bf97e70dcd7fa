"""Numbers in words: read them (English, Hindi in Devanagari and romanised, digits) and say them.

Hindi numbers 0-99 are irregular (पच्चीस is not "twenty five"), grouped the Indian way (सौ,
हज़ार, लाख, करोड़) and have fractional words used in everyday speech: डेढ़ 1½, ढाई 2½,
साढ़े N N+½, सवा N N+¼, पौने N N-¼ (साढ़े तीन सौ = 350, पौने दो घंटे = 1¾ h).
No library covers Hindi (num2words, text2num and word2number have no Hindi), and the reader
has to share one grammar with English for code-mixed speech ("five minute ka timer"), so this
module does both languages. Values are :class:`fractions.Fraction`: exact, so 0.1 + 0.2 is 0.3
in the calculator and "साढ़े" adds exactly one half.

Reading works on the tokens of :func:`vaani.language.tokens`; :func:`find_numbers` returns
the spans it recognised, so skills can tell what else was said around a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from collections.abc import Sequence

from vaani.language import deva_key, roman_key, token_spans, tokens

# -- the lexicon --------------------------------------------------------------------------

HINDI_0_99 = (
    "शून्य एक दो तीन चार पाँच छह सात आठ नौ "
    "दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस "
    "बीस इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस "
    "तीस इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस "
    "चालीस इकतालीस बयालीस तैंतालीस चवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास "
    "पचास इक्यावन बावन तिरेपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ "
    "साठ इकसठ बासठ तिरेसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर "
    "सत्तर इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी "
    "अस्सी इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी "
    "नब्बे इक्यानवे बानवे तिरानवे चौरानवे पचानवे छियानवे सत्तानवे अट्ठानवे निन्यानवे"
).split()
assert len(HINDI_0_99) == 100

# Other spellings in use (after deva_key folding, which already equates nasal and vowel-length
# variants, so पांच, पन्द्रह and पच्चिस need no entry).
_HINDI_VARIANTS = {
    6: "छः छे छ", 17: "सतरह", 18: "अठ्ठारह अट्ठारह", 19: "उनिस", 21: "इकीस", 22: "बाइस",
    23: "तेइस", 26: "छबीस", 27: "सताईस", 28: "अठ्ठाईस अठाईस", 29: "उन्तीस", 31: "इकत्तीस",
    33: "तेंतीस", 34: "चौतीस", 39: "उन्तालीस", 41: "इक्तालीस", 42: "बियालीस",
    43: "तेंतालीस", 44: "चौवालीस चौआलीस", 46: "छयालीस", 48: "अडतालीस", 49: "उनन्चास",
    51: "इकावन", 53: "तिरपन", 54: "चौअन चौबन", 57: "सतावन", 58: "अठावन अठ्ठावन",
    61: "इकसठ", 63: "तिरसठ", 64: "चौसठ", 67: "सरसठ", 69: "उनहत्तर", 72: "बहत्तर",
    76: "छियत्तर", 77: "सत्तहत्तर", 78: "अठत्तर", 79: "उनासी उन्नासी", 87: "सतासी",
    88: "अठासी", 89: "नवासी", 91: "इक्यानबे", 92: "बानबे", 93: "तिरानबे", 94: "चौरानबे",
    95: "पंचानबे पचानबे पंचानवे", 96: "छियानबे", 97: "सत्तानबे", 98: "अट्ठानबे अठानवे",
    99: "निन्यानबे",
}

# Romanised Hindi, as people (and Whisper) write it; roman_key folds the rest.
ROMAN_0_100 = {
    0: "shunya shoonya sunya", 1: "ek ekk", 2: "do doh", 3: "teen tin", 4: "char chaar",
    5: "paanch panch paach", 6: "chhe chhah chah chhey chhai chheh chha", 7: "saat sat",
    8: "aath aat ath", 9: "nau naw", 10: "das dus", 11: "gyarah gyaarah gyara igyarah",
    12: "barah baarah bara", 13: "terah tera", 14: "chaudah chauda choudah chodah",
    15: "pandrah pandra pundrah", 16: "solah sola", 17: "satrah sattrah satra",
    18: "atharah attharah athara", 19: "unnees unnis unis", 20: "bees bis",
    21: "ikkees ikkis ekkis", 22: "baees baais bais", 23: "teis teyis teees",
    24: "chaubees chaubis chobis", 25: "pachchees pachees pacchis pachis",
    26: "chhabbees chhabbis chabbis", 27: "sattaees sattais sattaes",
    28: "atthaees atthais athais", 29: "unatees untees untis", 30: "tees tis",
    31: "ikatees iktees ikattis iktis", 32: "battees battis", 33: "taintees taintis tetis",
    34: "chauntees chautis chauntis", 35: "paintees paintis pentis",
    36: "chhattees chhattis chattis", 37: "saintees saintis sentis",
    38: "adtees artees adtis artis", 39: "untaalees untalis", 40: "chaalees chalis chaalis",
    41: "iktaalees iktalis", 42: "bayaalees bayalis biyalis", 43: "taintaalees taintalis",
    44: "chavaalees chauvalis chawalis", 45: "paintaalees paintalis pentalis",
    46: "chhiyaalees chhiyalis chiyalis", 47: "saintaalees saintalis sentalis",
    48: "adtaalees adtalis artalis", 49: "unchaas unchas", 50: "pachaas pachas",
    51: "ikyaavan ikyavan ekyavan", 52: "baavan bavan", 53: "tirepan tirpan",
    54: "chauvan chauwan", 55: "pachpan", 56: "chhappan chappan", 57: "sattaavan sattavan",
    58: "atthaavan athavan", 59: "unsath unsat", 60: "saath", 61: "iksath", 62: "baasath",
    63: "tiresath tirsath", 64: "chaunsath chausath", 65: "painsath pensath",
    66: "chhiyaasath chhiyasath", 67: "sadsath sarsath", 68: "adsath arsath",
    69: "unhattar", 70: "sattar", 71: "ikhattar", 72: "bahattar", 73: "tihattar",
    74: "chauhattar", 75: "pachhattar pachattar", 76: "chhihattar chihattar",
    77: "satattar sathattar", 78: "athattar", 79: "unaasi unasi unyasi", 80: "assi assee",
    81: "ikyaasi ikyasi", 82: "bayaasi bayasi", 83: "tiraasi tirasi", 84: "chauraasi chaurasi",
    85: "pachaasi pachasi", 86: "chhiyaasi chhiyasi", 87: "sattaasi sattasi",
    88: "atthaasi athasi", 89: "navaasi navasi", 90: "nabbe nabbey navve",
    91: "ikyaanave ikyanve", 92: "baanave banve", 93: "tiraanave tiranve",
    94: "chauraanave chauranve", 95: "pachaanave pachanve panchanve",
    96: "chhiyaanave chhiyanve", 97: "sattaanave sattanve", 98: "atthaanave atthanve",
    99: "ninyaanave ninyanve", 100: "sau",
}

ENGLISH_0_19 = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                "fourteen fifteen sixteen seventeen eighteen nineteen").split()
ENGLISH_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                "ninety")
ENGLISH_SCALES = ((10 ** 12, "trillion"), (10 ** 9, "billion"), (10 ** 6, "million"),
                  (1000, "thousand"))

HALF = Fraction(1, 2)
QUARTER = Fraction(1, 4)


@dataclass(frozen=True)
class Word:
    kind: str        # unit | teen | tens | hnum | frac | hundred | scale | mod | point | and | a | half
    value: Fraction = Fraction(0)


def _lexicons() -> tuple[dict[str, Word], dict[str, Word], dict[str, Word]]:
    english: dict[str, Word] = {}
    for i, w in enumerate(ENGLISH_0_19):
        english[w] = Word("unit" if i < 10 else "teen", Fraction(i))
    english["oh"] = english["zero"]
    english["nought"] = english["zero"]
    for i, w in enumerate(ENGLISH_TENS):
        if w:
            english[w] = Word("tens", Fraction(i * 10))
    english["fourty"] = english["forty"]
    english["hundred"] = Word("hundred", Fraction(100))
    for value, name in ENGLISH_SCALES:
        english[name] = Word("scale", Fraction(value))
    for name, value in (("lakh", 10 ** 5), ("lakhs", 10 ** 5), ("lac", 10 ** 5),
                        ("lacs", 10 ** 5), ("crore", 10 ** 7), ("crores", 10 ** 7)):
        english[name] = Word("scale", Fraction(value))
    english["point"] = Word("point")
    english["and"] = Word("and")
    english["a"] = english["an"] = Word("a", Fraction(1))
    english["half"] = Word("half", HALF)

    deva: dict[str, Word] = {}
    for i, w in enumerate(HINDI_0_99):
        deva[deva_key(w)] = Word("hnum", Fraction(i))
    for i, spellings in _HINDI_VARIANTS.items():
        for w in spellings.split():
            deva.setdefault(deva_key(w), Word("hnum", Fraction(i)))
    for words, word in (
        ("सौ सो", Word("hundred", Fraction(100))),
        ("हज़ार हजार", Word("scale", Fraction(1000))),
        ("लाख", Word("scale", Fraction(10 ** 5))),
        ("करोड़ करोड", Word("scale", Fraction(10 ** 7))),
        ("अरब", Word("scale", Fraction(10 ** 9))),
        ("खरब", Word("scale", Fraction(10 ** 11))),
        ("डेढ़ डेढ", Word("frac", Fraction(3, 2))),
        ("ढाई अढ़ाई", Word("frac", Fraction(5, 2))),
        ("पौन", Word("frac", Fraction(3, 4))),
        ("साढ़े साढे", Word("mod", HALF)),
        ("सवा", Word("mod", QUARTER)),
        ("पौने", Word("mod", -QUARTER)),
        ("आधा आधे आधी", Word("half", HALF)),
        ("दशमलव पॉइंट पाइंट प्वाइंट", Word("point")),
    ):
        for w in words.split():
            deva[deva_key(w)] = word
    # "सो" also means "sleep": only count it as 100 after a number (see _parse_at)
    deva[deva_key("सो")] = Word("hundred_weak", Fraction(100))

    roman: dict[str, Word] = {}
    for i, spellings in ROMAN_0_100.items():
        kind = "hundred" if i == 100 else "hnum"
        for w in spellings.split():
            roman.setdefault(roman_key(w), Word(kind, Fraction(i)))
    for words, word in (
        ("hazaar hazar hajar hajaar", Word("scale", Fraction(1000))),
        ("lakh laakh lac", Word("scale", Fraction(10 ** 5))),
        ("karod karor crore", Word("scale", Fraction(10 ** 7))),
        ("arab", Word("scale", Fraction(10 ** 9))),
        ("dedh derh dedha", Word("frac", Fraction(3, 2))),
        ("dhai dhaai adhai arhai", Word("frac", Fraction(5, 2))),
        ("paun paon", Word("frac", Fraction(3, 4))),
        ("saadhe sadhe saade sade saarhe sarhe", Word("mod", HALF)),
        ("sava savaa sawa", Word("mod", QUARTER)),
        ("paune pone poune", Word("mod", -QUARTER)),
        ("aadha adha aadhe adhe aadhi", Word("half", HALF)),
        ("dashamlav dashamalav dashmalav", Word("point")),
    ):
        for w in words.split():
            roman[roman_key(w)] = word
    return english, deva, roman


ENGLISH, DEVA, ROMAN = _lexicons()
_DIGITS = re.compile(r"^\d+(?:,\d+)*(?:\.\d+)?$")
_INDIAN_GROUPS = re.compile(r"^\d{1,2}(?:,\d{2})*,\d{3}$")
_WESTERN_GROUPS = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def parse_digits(text: str) -> Fraction | None:
    """ASCII digits with Indian (1,50,000) or Western (150,000) grouping and a decimal part."""
    text = text.strip()
    if not _DIGITS.match(text):
        return None
    whole, _, frac = text.partition(".")
    if "," in whole and not (_INDIAN_GROUPS.match(whole) or _WESTERN_GROUPS.match(whole)):
        return None
    return Fraction(whole.replace(",", "") + ("." + frac if frac else ""))


def lookup(tok: str, roman_hindi: bool = True) -> Word | None:
    """What a single token is as part of a number (None: not a number word)."""
    if tok[0].isdigit():
        value = parse_digits(tok)
        return Word("digits", value) if value is not None else None
    if tok.isascii():
        word = ENGLISH.get(tok)
        if word is not None:
            return word
        if roman_hindi and tok.isalpha():
            return ROMAN.get(roman_key(tok))
        return None
    return DEVA.get(deva_key(tok))


# -- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class NumberSpan:
    start: int           # token index of the first word of the number
    end: int             # one past the last
    value: Fraction
    spoken: bool         # written in words (not digits only)


_SMALL = ("unit", "teen", "tens", "hnum", "frac")
_DIGIT_WORDS = ("unit", "hnum")


def _parse_at(toks: Sequence[str], i: int, roman_hindi: bool) -> NumberSpan | None:
    """The longest number starting at token ``i``."""
    total = Fraction(0)
    cur: Fraction | None = None        # the group below the current scale word
    last = ""                          # kind of the last word taken
    top_scale = Fraction(0)
    mod: Fraction | None = None        # साढ़े / सवा / पौने waiting for its number
    end = i                            # one past the last token that completed a number
    spoken = False
    j = i
    n = len(toks)

    def word_at(k: int) -> Word | None:
        return lookup(toks[k], roman_hindi) if k < n else None

    while j < n:
        w = word_at(j)
        if w is None:
            break
        kind = w.kind
        if kind == "digits":
            if j != i:
                break
            cur, last = w.value, "digits"
            j += 1
            end = j
            continue
        if kind == "hundred_weak":
            kind = "hundred" if cur is not None and last in _SMALL + ("digits",) else ""
        if kind in _SMALL:
            v = w.value
            if mod is not None:
                if kind == "frac":
                    break
                v = v + mod
                mod = None
                if cur is not None:
                    break
                cur = v
            elif cur is None:
                cur = v
            elif last == "tens" and kind == "unit" and v > 0:
                cur += v                               # twenty five
            elif last in ("hundred", "and") and v < 100 and cur % 100 == 0:
                cur += v                               # two hundred (and) fifty, एक सौ पचास
            else:
                break
            last = kind
            spoken = True
            j += 1
            end = j
            continue
        if kind == "hundred":
            if mod is not None:
                cur, mod = 1 + mod, None            # सवा सौ = 125
            elif cur is None:
                cur = Fraction(1)
            elif cur >= 100 or last not in _SMALL + ("digits", "a"):
                break
            cur *= 100
            last = "hundred"
            spoken = True
            j += 1
            end = j
            continue
        if kind == "scale":
            if mod is not None:
                cur, mod = 1 + mod, None            # सवा लाख = 125000
            if cur is None and last == "scale":
                if w.value <= top_scale:
                    break
                total *= w.value                    # हज़ार करोड़
                top_scale = w.value
                j += 1
                end = j
                continue
            if cur is None:
                cur = Fraction(1)
            if top_scale and w.value >= top_scale:
                total = (total + cur) * w.value         # hazaar crore
            else:
                total += cur * w.value
            top_scale = w.value
            cur = None
            last = "scale"
            spoken = True
            j += 1
            end = j
            continue
        if kind == "mod":
            if cur is not None or mod is not None:
                break
            nxt = word_at(j + 1)
            if nxt is None or nxt.kind not in ("unit", "teen", "tens", "hnum", "hundred",
                                               "scale", "digits"):
                if w.value == QUARTER:              # सवा घंटा: सवा alone is 1¼
                    cur, last = 1 + QUARTER, "frac"
                    spoken = True
                    j += 1
                    end = j
                break
            mod = w.value
            if nxt.kind == "digits":               # साढ़े 3 (Whisper mixes scripts)
                cur = nxt.value + mod
                mod = None
                last = "digits"
                j += 2
                end = j
                spoken = True
                continue
            j += 1
            continue
        if kind == "a":
            # "a hundred", "a thousand"; "a" anywhere else is not a number
            nxt = word_at(j + 1)
            if j != i or nxt is None or nxt.kind not in ("hundred", "scale"):
                break
            cur, last = Fraction(1), "a"
            j += 1
            continue
        if kind == "and":
            # "two hundred and fifty", "one and a half"
            nxt = word_at(j + 1)
            if cur is None and last != "scale":
                break
            if (j + 2 < n and toks[j + 1] in ("a", "an") and toks[j + 2] == "half"
                    and last in _SMALL + ("digits",)):
                cur = (cur or Fraction(0)) + HALF
                j += 3
                end = j
                last = "frac"
                break
            if nxt is None or nxt.kind not in _SMALL or last not in ("hundred", "scale"):
                break
            last = "and"
            j += 1
            continue
        if kind == "point":
            if cur is None and j == i:
                cur = Fraction(0)                   # "point five"
            elif cur is None or last not in _SMALL + ("hundred", "digits"):
                break
            digits = ""
            k = j + 1
            while k < n:
                d = word_at(k)
                if d is None:
                    break
                if d.kind in _DIGIT_WORDS and d.value < 10:
                    digits += str(int(d.value))
                elif d.kind in ("teen", "tens", "hnum") and not digits:
                    digits = str(int(d.value))
                    k += 1
                    break
                elif d.kind == "digits" and not digits and d.value.denominator == 1:
                    digits = toks[k].replace(",", "")
                    k += 1
                    break
                else:
                    break
                k += 1
            if not digits:
                break
            cur += Fraction(int(digits), 10 ** len(digits))
            j = end = k
            spoken = True
            break
        if kind == "half":
            if j != i:
                break
            cur, last = w.value, "frac"
            j += 1
            end = j
            spoken = True
            break
        break

    if end == i:
        return None
    # replay to the last complete position (a trailing "and"/"a"/modifier is not part of it)
    if end != j:
        return _parse_prefix(toks, i, end, roman_hindi)
    return NumberSpan(i, end, total + (cur or 0), spoken)


def _parse_prefix(toks: Sequence[str], i: int, end: int, roman_hindi: bool) -> NumberSpan | None:
    return _parse_at(toks[:end], i, roman_hindi)


def find_numbers(toks: Sequence[str], roman_hindi: bool = True) -> list[NumberSpan]:
    """Every number in a token list, left to right, each as long as the grammar allows."""
    spans: list[NumberSpan] = []
    i = 0
    while i < len(toks):
        span = _parse_at(toks, i, roman_hindi)
        if span is None:
            i += 1
            continue
        spans.append(span)
        i = span.end
    return spans


# Words that are a number alone only sometimes, so left as said: the Latin "do" (the verb:
# ghata do = subtract; or the English word) and "at" (how "aath", 8, folds); "one", "ek",
# "एक" (an article as often as a number: "one notebook", "एक कॉपी").
_NOT_NUMBERS_ALONE = frozenset({"do", "at", "one", "ek", "एक"})


def with_digits(text: str, roman_hindi: bool = True) -> str:
    """``text`` with its numbers in words written in digits: "I had fifty rupees" -> "I had
    50 rupees", "बस में बयालीस लोग थे" -> "बस में 42 लोग थे", "ek sau pachchees" -> "125"
    (with ``roman_hindi``), "two thousand" -> "2000" (no separators), "४२" -> "42". A small language model copies digits into a calculator call far
    more reliably than it converts number words (ASR systems call this inverse text
    normalisation). A lone "one"/"ek"/"एक", "do" and "at" are left as they are; so is the
    whole text if its words cannot be located one to one (then nothing is guessed)."""
    located = token_spans(text)
    if located is None:
        return text
    t, spans = located
    toks = tokens(text)
    out, at = [], 0
    for span in find_numbers(toks, roman_hindi):
        if not span.spoken:
            continue
        if span.end - span.start == 1 and toks[span.start] in _NOT_NUMBERS_ALONE:
            continue
        start, end = spans[span.start][0], spans[span.end - 1][1]
        out += [t[at:start], format_number(span.value).replace(",", "")]
        at = end
    return "".join(out) + t[at:]


def parse_number(text: str, roman_hindi: bool = True) -> Fraction | None:
    """The number ``text`` is, if all of it is one number ("two hundred and fifty", "साढ़े
    तीन सौ", "pachchees", "1,50,000", "१२"); else None."""
    toks = tokens(text)
    if not toks:
        return None
    span = _parse_at(toks, 0, roman_hindi)
    if span is None or span.end != len(toks):
        return None
    return span.value


# -- durations ----------------------------------------------------------------------------

def _unit_keys(text: str) -> frozenset[str]:
    from vaani.language import keys
    return keys(text.split())


DURATION_UNITS = {
    1: _unit_keys("second seconds sec secs s सेकंड सेकेंड सेकण्ड सैकंड सेकेण्ड सेकिंड sekand "
                  "sekend"),
    60: _unit_keys("minute minutes min mins m मिनट मिनिट मिनटों minat mint minit"),
    3600: _unit_keys("hour hours hr hrs h घंटा घंटे घंटों घण्टा घण्टे घंटो ghanta ghante ghanton "
                     "ghantaa"),
}
_UNIT_OF = {k: size for size, vocab in DURATION_UNITS.items() for k in vocab}
_SINGLE_LETTER_UNITS = {"s", "m", "h"}          # only right after digits: 5m, 10 s
_AND = frozenset(("and", "aur", "और"))


@dataclass(frozen=True)
class DurationSpan:
    start: int           # token index of its first word
    end: int             # one past the last
    seconds: float


def durations(w: Sequence[str], roman_hindi: bool = True) -> list[DurationSpan]:
    """Every duration said in the words ``w`` (:func:`vaani.language.words`): "5 minutes",
    "डेढ़ घंटे", "an hour", "half an hour", "an hour and a half"; adjacent parts ("one hour
    thirty minutes", "एक घंटा और दस मिनट") are one duration."""
    from vaani.language import word_key

    out: list[DurationSpan] = []
    spans = {s.start: s for s in find_numbers(w, roman_hindi)}
    i = 0
    while i < len(w):
        span = spans.get(i)
        value: Fraction | None = None
        j = i
        if span is not None:
            value, j = span.value, span.end
            # "half an hour": an article between the number and the unit
            if value == HALF and j < len(w) and w[j] in ("a", "an"):
                j += 1
        elif w[i] in ("a", "an") and i + 1 < len(w) and _UNIT_OF.get(word_key(w[i + 1]), 1) > 1:
            value, j = Fraction(1), i + 1       # "an hour", "a minute" (not "a second timer")
        size = None
        if value is not None and j < len(w):
            unit_key = word_key(w[j])
            size = _UNIT_OF.get(unit_key)
            if size and unit_key in _SINGLE_LETTER_UNITS and not w[j - 1][0].isdigit():
                size = None
        if not size:
            i += 1
            continue
        assert value is not None
        seconds = float(value) * size
        end = j + 1
        if tuple(w[end:end + 3]) == ("and", "a", "half"):   # "an hour and a half"
            seconds += size / 2
            end += 3
        last = out[-1] if out else None
        if last is not None and (last.end == i or (last.end == i - 1 and w[i - 1] in _AND)):
            out[-1] = DurationSpan(last.start, end, last.seconds + seconds)
        else:
            out.append(DurationSpan(i, end, seconds))
        i = end
    return out


# -- saying -------------------------------------------------------------------------------

def _as_fraction(n: int | float | Fraction | str) -> Fraction:
    if isinstance(n, float):
        return Fraction(repr(n))
    return Fraction(n)


def _decimal_digits(value: Fraction, max_places: int) -> tuple[int, str]:
    """Integer part and decimal digits (rounded to ``max_places``, trailing zeros dropped)."""
    scaled = round(abs(value) * 10 ** max_places)
    whole, frac = divmod(scaled, 10 ** max_places)
    digits = str(frac).rjust(max_places, "0").rstrip("0") if max_places else ""
    return whole, digits


def _hindi_int(n: int) -> str:
    if n < 100:
        return HINDI_0_99[n]
    parts: list[str] = []
    for size, name in ((10 ** 7, "करोड़"), (10 ** 5, "लाख"), (1000, "हज़ार"), (100, "सौ")):
        if n >= size:
            count, n = divmod(n, size)
            parts.append(f"{_hindi_int(count)} {name}")
    if n:
        parts.append(HINDI_0_99[n])
    return " ".join(parts)


def hindi_words(n: int | float | Fraction | str, max_places: int = 6) -> str:
    """A number in Hindi words, grouped the Indian way.

    150000 -> "एक लाख पचास हज़ार"; 100 -> "सौ" (as said alone; 105 is "एक सौ पाँच");
    2.75 -> "दो दशमलव सात पाँच" (decimal digits one by one, as read aloud); -5 -> "माइनस पाँच".
    """
    value = _as_fraction(n)
    whole, digits = _decimal_digits(value, max_places)
    text = "सौ" if whole == 100 else _hindi_int(whole)
    if digits:
        text += " दशमलव " + " ".join(HINDI_0_99[int(d)] for d in digits)
    if value < 0 and (whole or digits):
        text = "माइनस " + text
    return text


def _english_below_1000(n: int) -> str:
    parts = []
    if n >= 100:
        parts.append(f"{ENGLISH_0_19[n // 100]} hundred")
        n %= 100
    if n >= 20:
        tens, unit = divmod(n, 10)
        parts.append(ENGLISH_TENS[tens] + (f"-{ENGLISH_0_19[unit]}" if unit else ""))
    elif n or not parts:
        parts.append(ENGLISH_0_19[n])
    return " ".join(parts)


def _english_int(n: int, indian: bool) -> str:
    if n < 1000:
        return _english_below_1000(n)
    scales = ((10 ** 7, "crore"), (10 ** 5, "lakh"), (1000, "thousand")) if indian \
        else ENGLISH_SCALES
    parts = []
    for size, name in scales:
        if n >= size:
            count, n = divmod(n, size)
            parts.append(f"{_english_int(count, indian)} {name}")
    if n:
        parts.append(_english_below_1000(n))
    return " ".join(parts)


def english_words(n: int | float | Fraction | str, indian: bool = False,
                  max_places: int = 6) -> str:
    """A number in English words: 1234 -> "one thousand two hundred thirty-four";
    ``indian=True``: 150000 -> "one lakh fifty thousand"; 3.14 -> "three point one four"."""
    value = _as_fraction(n)
    whole, digits = _decimal_digits(value, max_places)
    text = _english_int(whole, indian)
    if digits:
        text += " point " + " ".join(ENGLISH_0_19[int(d)] for d in digits)
    if value < 0 and (whole or digits):
        text = "minus " + text
    return text


_EN_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                         "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}


def english_ordinal(n: int) -> str:
    """21 -> "twenty-first", 100 -> "one hundredth"."""
    words = english_words(n)
    head, sep, last = words.rpartition("-") if "-" in words.split(" ")[-1] else \
        words.rpartition(" ")
    if last in _EN_ORDINAL_IRREGULAR:
        last = _EN_ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + sep + last


_HI_ORDINAL = {1: ("पहला", "पहली", "पहले"), 2: ("दूसरा", "दूसरी", "दूसरे"),
               3: ("तीसरा", "तीसरी", "तीसरे"), 4: ("चौथा", "चौथी", "चौथे"),
               6: ("छठा", "छठी", "छठे")}


def hindi_ordinal(n: int, form: str = "m") -> str:
    """5 -> "पाँचवाँ"; ``form``: "m" (-वाँ), "f" (-वीं) or "o" (oblique -वें)."""
    index = {"m": 0, "f": 1, "o": 2}[form]
    if n in _HI_ORDINAL:
        return _HI_ORDINAL[n][index]
    return hindi_words(n) + ("वाँ", "वीं", "वें")[index]


@lru_cache(maxsize=256)
def number_words(n: int | Fraction, language: str) -> str:
    """Words for ``n`` in ``language`` ("hi" or "en"): the one call replies use."""
    return hindi_words(n) if language == "hi" else english_words(n)


def format_number(value: Fraction | float | int, max_places: int = 6) -> str:
    """Digits for display: 36, 3.5, 0.333333 (rounded, trailing zeros dropped), 1,000,000."""
    value = _as_fraction(value)
    whole, digits = _decimal_digits(value, max_places)
    text = f"{whole:,}" + (f".{digits}" if digits else "")
    return ("-" + text) if value < 0 and (whole or digits) else text
