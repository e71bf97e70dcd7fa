"""The text front end for TTS: written forms -> what a voice should say.

Hindi voices (espeak-ng, festival) read digits, "₹", "10:30", "15/08/2025", "%" and Latin
words badly or not at all, and Piper reads "4:35 PM" or "₹1,50,000" oddly. Before a clause is
synthesised, :func:`normalize` rewrites, in this order (earlier passes see the raw text):

currency (₹ $ € £ Rs, with lakh/crore), times (10:30, 4:35 PM), dates (15/08/2025,
2025-08-15, 15 अगस्त 2025, August 15), percentages, ordinals (21st, 5वाँ), ranges (2-3),
arithmetic signs, negative numbers, numbers with units (5km), plain numbers (Indian or
Western grouping, decimals; long digit strings such as phone numbers digit by digit),
abbreviations (Dr., No., डॉ.), symbols (&, °) and, for Hindi, Latin words into Devanagari.

Pure Python with precompiled patterns: well under a millisecond per clause.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import partial

from vaani.language import DEVANAGARI, is_romanized_hindi, to_ascii_digits
from vaani.numwords import (english_ordinal, english_words, hindi_ordinal, hindi_words,
                            parse_digits)
from vaani.textnorm import spoken
from vaani.textnorm.translit import LOANWORDS, to_devanagari

_NUM = r"\d+(?:,\d+)*(?:\.\d+)?"
_D = r"\u0900-\u097f"                              # Devanagari block
_WORD_BEFORE = rf"(?<![\w{_D}.,])"                 # not glued to a word or a number before
_WORD_AFTER = rf"(?![\w{_D}])"


@dataclass(frozen=True)
class Speller:
    """Language-specific words for the passes below."""

    language: str
    number: Callable[[Fraction], str]
    ordinal: Callable[[int, str], str]
    year: Callable[[int], str]
    rupees: Callable[[Fraction], str]
    percent: str
    minus: str
    plus: str
    times: str
    divide: str
    equals: str
    to: str            # "2-3" -> "two to three"
    and_: str
    at: str
    degree: str
    digit: Callable[[int], str]


def _hi_number(value: Fraction) -> str:
    return hindi_words(value)


def _en_number(value: Fraction) -> str:
    return english_words(value)


HI = Speller("hi", _hi_number, lambda n, form: hindi_ordinal(n, form or "m"), spoken.hindi_year,
             spoken.hindi_rupees, "प्रतिशत", "माइनस", "प्लस", "गुणा", "भाग", "बराबर", "से",
             "और", "ऐट", "डिग्री", lambda d: hindi_words(d))
EN = Speller("en", _en_number, lambda n, form: english_ordinal(n), spoken.english_year,
             spoken.english_rupees, "percent", "minus", "plus", "times", "divided by", "equals",
             "to", "and", "at", "degrees", lambda d: english_words(d))

_SCALES = {"lakh": 10 ** 5, "lakhs": 10 ** 5, "lac": 10 ** 5, "लाख": 10 ** 5,
           "crore": 10 ** 7, "crores": 10 ** 7, "cr": 10 ** 7, "करोड़": 10 ** 7, "करोड": 10 ** 7,
           "thousand": 1000, "k": 1000, "हज़ार": 1000, "हजार": 1000,
           "million": 10 ** 6, "mn": 10 ** 6, "billion": 10 ** 9, "bn": 10 ** 9}
_SCALE_WORDS = "|".join(sorted((re.escape(k) for k in _SCALES), key=len, reverse=True))


def _value(text: str) -> Fraction | None:
    return parse_digits(text)


# -- डेढ़ लाख, ढाई किलो ---------------------------------------------------------------------

_MEASURES = ("लाख करोड़ करोड हज़ार हजार सौ किलो ग्राम लीटर घंटे घंटा मिनट सेकंड साल वर्ष महीने "
             "महीना दिन हफ़्ते हफ्ते मीटर किलोमीटर रुपये रुपए प्रतिशत गुना कप चम्मच दर्जन").split()
_HI_FRACTION = re.compile(
    rf"{_WORD_BEFORE}(?P<n>\d+)\.(?P<f>5|50|25|75)\s?(?P<w>{'|'.join(_MEASURES)})(?![{_D}])")


def _hi_fraction(sp: Speller, m: re.Match[str]) -> str:
    """Hindi says 1.5 लाख as डेढ़ लाख and 3.25 किलो as सवा तीन किलो, not with दशमलव."""
    n, frac = int(m["n"]), m["f"]
    if frac in ("5", "50"):
        word = {0: "आधा", 1: "डेढ़", 2: "ढाई"}.get(n) or f"साढ़े {hindi_words(n)}"
    elif frac == "25":
        if n == 0:
            return m[0]
        word = f"सवा {hindi_words(n)}"
    else:
        word = f"पौने {hindi_words(n + 1)}" if n else "पौन"
    return f" {word} {m['w']}"


_HI_SCALED = re.compile(rf"{_WORD_BEFORE}(?P<num>\d+\.\d+)\s?(?P<scale>लाख|करोड़|करोड|हज़ार|हजार)"
                        rf"(?![{_D}])")


def _hi_scaled(sp: Speller, m: re.Match[str]) -> str:
    """1.2 लाख -> "एक लाख बीस हज़ार" (a decimal point before लाख is not read out)."""
    value = _value(m["num"])
    if value is None:
        return m[0]
    value *= _SCALES[m["scale"]]
    if value.denominator != 1:
        return m[0]
    return " " + hindi_words(value) + " "


# -- currency -------------------------------------------------------------------------------

_CURRENCY_BEFORE = re.compile(
    rf"(?P<sym>₹|rs\.?|inr|रु\.?|रू\.?|\$|€|£)\s?(?P<num>{_NUM})"
    rf"(?:\s?(?P<scale>{_SCALE_WORDS}){_WORD_AFTER})?"
    rf"(?:\s?(?:/-|रुपये|रुपए|rupees){_WORD_AFTER})?", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    rf"{_WORD_BEFORE}(?P<num>{_NUM})\s?(?P<scale>{_SCALE_WORDS})?\s?"
    rf"(?P<word>रुपये|रुपए|रुपया|rupees|rupee|rs\.?|/-){_WORD_AFTER}", re.IGNORECASE)
_FOREIGN = {"$": ("डॉलर", "dollars", "dollar"), "€": ("यूरो", "euros", "euro"),
            "£": ("पाउंड", "pounds", "pound")}


def _amount(num: str, scale: str | None) -> Fraction | None:
    value = _value(num)
    if value is None:
        return None
    if scale:
        value *= _SCALES[scale.lower()]
    return value


def _say_amount(sp: Speller, value: Fraction, sym: str) -> str:
    if sym in _FOREIGN:
        hi, plural, single = _FOREIGN[sym]
        if sp.language == "hi":
            return f"{sp.number(value)} {hi}"
        return f"{sp.number(value)} {single if value == 1 else plural}"
    return sp.rupees(value)


def _currency_before(sp: Speller, m: re.Match[str]) -> str:
    value = _amount(m["num"], m["scale"])
    if value is None:
        return m[0]
    return " " + _say_amount(sp, value, m["sym"]) + " "


def _currency_after(sp: Speller, m: re.Match[str]) -> str:
    value = _amount(m["num"], m["scale"])
    if value is None:
        return m[0]
    return " " + sp.rupees(value) + " "


# -- times ----------------------------------------------------------------------------------

_TIME = re.compile(
    rf"{_WORD_BEFORE}(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::(?P<s>\d{{2}}))?"
    rf"(?:\s?(?P<ampm>[ap]\.?\s?m\.?){_WORD_AFTER})?(?P<baje>\s?बजे)?(?![\d:])",
    re.IGNORECASE)


_TIME_RANGE = re.compile(
    rf"{_WORD_BEFORE}(?P<a>\d{{1,2}}:\d{{2}})\s?[-–]\s?(?P<b>\d{{1,2}}:\d{{2}})(?![\d:])")


def _time_range(sp: Speller, m: re.Match[str]) -> str:
    """"10:30-11:30" -> "10:30 से 11:30" (the time pass then says both)."""
    return f"{m['a']} {sp.to} {m['b']}"


def _time(sp: Speller, m: re.Match[str]) -> str:
    hour, minute = int(m["h"]), int(m["m"])
    if hour > 24 or minute > 59:
        return m[0]
    ampm = (m["ampm"] or "").lower().replace(".", "").replace(" ", "")
    out = _say_time(sp, hour, minute, ampm)
    # "4:35 PM." ends a sentence: keep its full stop
    rest = m.string[m.end():]
    if m[0].endswith(".") and (not rest.strip() or rest[:1].isspace() and rest.strip()[:1].isupper()):
        out += "."
    return " " + out + " "


def _say_time(sp: Speller, hour: int, minute: int, ampm: str) -> str:
    if sp.language == "hi":
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        period = bool(ampm) or hour >= 13 or hour == 0
        return spoken.hindi_time(hour % 24, minute, period=period)
    if ampm:
        return spoken.english_clock(hour, minute, ampm)
    return spoken.english_clock(hour, minute, None if hour >= 13 or hour == 0 else "")


# -- dates ----------------------------------------------------------------------------------

_EN_MONTHS = {name.lower(): i + 1 for i, name in enumerate(spoken.ENGLISH_MONTHS)}
_EN_MONTHS.update({name.lower()[:3]: i + 1 for i, name in enumerate(spoken.ENGLISH_MONTHS)})
_EN_MONTHS["sept"] = 9
_HI_MONTHS = {name: i + 1 for i, name in enumerate(spoken.HINDI_MONTHS)}
_HI_MONTHS.update({"फरवरी": 2, "सितम्बर": 9, "अक्तूबर": 10, "नवम्बर": 11, "दिसम्बर": 12,
                   "अप्रेल": 4, "जुलायी": 7})
_MONTH_WORDS = "|".join(sorted((re.escape(k) for k in (*_EN_MONTHS, *_HI_MONTHS)),
                               key=len, reverse=True))

_DATE_NUMERIC = re.compile(
    rf"{_WORD_BEFORE}(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})"
    rf"(?![\d{_D}])")
_DATE_ISO = re.compile(rf"{_WORD_BEFORE}(?P<y>\d{{4}})-(?P<mo>\d{{2}})-(?P<d>\d{{2}})(?![\d])")
_DATE_DAY_MONTH = re.compile(
    rf"{_WORD_BEFORE}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s?(?:of\s)?(?P<mon>{_MONTH_WORDS})\.?"
    rf"{_WORD_AFTER}(?:,?\s(?P<y>\d{{4}})(?!\d))?", re.IGNORECASE)
_DATE_MONTH_DAY = re.compile(
    rf"(?<![\w{_D}])(?P<mon>{_MONTH_WORDS})\.?\s(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"
    rf"(?:,?\s(?P<y>\d{{4}})(?!\d))?", re.IGNORECASE)
_YEAR_CONTEXT = re.compile(
    rf"(?P<pre>(?<![\w{_D}])(?:in|since|year|सन्|सन|वर्ष|साल)\s)(?P<y>1[1-9]\d\d|20\d\d)(?!\d)"
    rf"|(?P<y2>1[1-9]\d\d|20\d\d)(?P<post>\s(?:में|तक|से|का|की|के))(?![{_D}])",
    re.IGNORECASE)


def _month(name: str) -> int | None:
    return _EN_MONTHS.get(name.lower()) or _HI_MONTHS.get(name)


def _say_date(sp: Speller, day: int, month: int, year: int | None,
              month_first: bool = False) -> str:
    if sp.language == "hi":
        return spoken.hindi_date(day, month, year)
    return spoken.english_date(day, month, year, month_first=month_first)


def _valid(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11)
                                              else 31)


def _date_numeric(sp: Speller, m: re.Match[str]) -> str:
    a, b, year = int(m["a"]), int(m["b"]), int(m["y"])
    if len(m["y"]) == 2:
        year += 2000
    day, month = a, b                    # India writes the day first
    if not _valid(day, month) and _valid(b, a):
        day, month = b, a
    if not _valid(day, month):
        return m[0]
    return " " + _say_date(sp, day, month, year) + " "


def _date_iso(sp: Speller, m: re.Match[str]) -> str:
    day, month = int(m["d"]), int(m["mo"])
    if not _valid(day, month):
        return m[0]
    return " " + _say_date(sp, day, month, int(m["y"])) + " "


def _date_day_month(sp: Speller, m: re.Match[str]) -> str:
    month = _month(m["mon"])
    day = int(m["d"])
    if month is None or not _valid(day, month):
        return m[0]
    out = _say_date(sp, day, month, int(m["y"]) if m["y"] else None)
    if out.startswith("the ") and m.string[:m.start()].lower().endswith("the "):
        out = out[4:]                                 # "The 2nd of October"
    # "5th March." ends a sentence ("Aug." is an abbreviation)
    if m[0].endswith(".") and len(m["mon"]) > 4:
        out += "."
    return " " + out + " "


def _date_month_day(sp: Speller, m: re.Match[str]) -> str:
    month = _month(m["mon"])
    day = int(m["d"])
    if month is None or not _valid(day, month):
        return m[0]
    return " " + _say_date(sp, day, month, int(m["y"]) if m["y"] else None,
                           month_first=True) + " "


def _year_context(sp: Speller, m: re.Match[str]) -> str:
    if m["y"]:
        return m["pre"] + sp.year(int(m["y"]))
    return sp.year(int(m["y2"])) + m["post"]


# -- percentages, ordinals, ranges, signs ---------------------------------------------------

_PERCENT = re.compile(rf"{_WORD_BEFORE}(?P<neg>-)?(?P<num>{_NUM})\s?%")
_ORDINAL_EN = re.compile(rf"{_WORD_BEFORE}(?P<n>\d+)(?:st|nd|rd|th){_WORD_AFTER}", re.IGNORECASE)
_ORDINAL_HI = re.compile(
    rf"{_WORD_BEFORE}(?P<n>\d+)\s?(?P<suf>ला|ली|ले|रा|री|रे|था|थी|थे|वाँ|वां|वीं|वी|वें|वे)"
    rf"(?![{_D}])")
_RANGE = re.compile(rf"{_WORD_BEFORE}(?P<a>{_NUM})\s?[-–—]\s?(?P<b>{_NUM})(?![\d/.-])")
_ARITH = re.compile(rf"(?<=[\d\s])(?P<op>[+×÷=*/^]|\s-\s)(?=[\s\d])")
_NEGATIVE = re.compile(rf"(?<![\w{_D}\d)])[-−](?P<num>{_NUM})")
_FRACTION = re.compile(rf"{_WORD_BEFORE}(?P<a>\d{{1,3}})/(?P<b>\d{{1,3}})(?![\d/])")


def _percent(sp: Speller, m: re.Match[str]) -> str:
    value = _value(m["num"])
    if value is None:
        return m[0]
    sign = sp.minus + " " if m["neg"] else ""
    return f" {sign}{sp.number(value)} {sp.percent} "


def _ordinal_en(sp: Speller, m: re.Match[str]) -> str:
    n = int(m["n"])
    if sp.language == "hi":
        return " " + hindi_ordinal(n, "m") + " "
    return " " + english_ordinal(n) + " "


_HI_SUFFIX_FORM = {"ला": "m", "रा": "m", "था": "m", "वाँ": "m", "वां": "m", "ली": "f", "री": "f",
                   "थी": "f", "वीं": "f", "वी": "f", "ले": "o", "रे": "o", "थे": "o", "वें": "o",
                   "वे": "o"}


def _ordinal_hi(sp: Speller, m: re.Match[str]) -> str:
    return " " + hindi_ordinal(int(m["n"]), _HI_SUFFIX_FORM[m["suf"]]) + " "


def _range(sp: Speller, m: re.Match[str]) -> str:
    a, b = _value(m["a"]), _value(m["b"])
    if a is None or b is None:
        return m[0]
    return f" {sp.number(a)} {sp.to} {sp.number(b)} "


_FRACTION_WORDS = {
    "hi": {(1, 2): "आधा", (1, 4): "एक चौथाई", (3, 4): "तीन चौथाई", (1, 3): "एक तिहाई",
           (2, 3): "दो तिहाई"},
    "en": {(1, 2): "one half", (1, 4): "one quarter", (3, 4): "three quarters",
           (1, 3): "one third", (2, 3): "two thirds"},
}


def _fraction(sp: Speller, m: re.Match[str]) -> str:
    a, b = int(m["a"]), int(m["b"])
    if b == 0:
        return m[0]
    known = _FRACTION_WORDS[sp.language].get((a, b))
    if known:
        return f" {known} "
    joiner = "बटा" if sp.language == "hi" else "over"
    return f" {sp.number(Fraction(a))} {joiner} {sp.number(Fraction(b))} "


def _arith(sp: Speller, m: re.Match[str]) -> str:
    op = m["op"].strip()
    word = {"+": sp.plus, "-": sp.minus, "×": sp.times, "*": sp.times, "÷": sp.divide,
            "/": sp.divide, "=": sp.equals,
            "^": "की घात" if sp.language == "hi" else "to the power of"}[op]
    return f" {word} "


def _negative(sp: Speller, m: re.Match[str]) -> str:
    value = _value(m["num"])
    if value is None:
        return m[0]
    return f" {sp.minus} {sp.number(value)} "


# -- numbers and units ----------------------------------------------------------------------

_UNITS = {
    "km": ("किलोमीटर", "kilometres"), "kms": ("किलोमीटर", "kilometres"),
    "kmph": ("किलोमीटर प्रति घंटा", "kilometres per hour"),
    "km/h": ("किलोमीटर प्रति घंटा", "kilometres per hour"),
    "kg": ("किलो", "kilograms"), "kgs": ("किलो", "kilograms"), "g": ("ग्राम", "grams"),
    "gm": ("ग्राम", "grams"), "mg": ("मिलीग्राम", "milligrams"), "cm": ("सेंटीमीटर", "centimetres"),
    "mm": ("मिलीमीटर", "millimetres"), "ml": ("मिलीलीटर", "millilitres"),
    "°c": ("डिग्री सेल्सियस", "degrees Celsius"), "°f": ("डिग्री फ़ारेनहाइट", "degrees Fahrenheit"),
    "°": ("डिग्री", "degrees"), "hrs": ("घंटे", "hours"), "hr": ("घंटा", "hour"),
    "mins": ("मिनट", "minutes"), "min": ("मिनट", "minutes"), "sec": ("सेकंड", "seconds"),
    "secs": ("सेकंड", "seconds"), "gb": ("जीबी", "gigabytes"), "mb": ("एमबी", "megabytes"),
    "kb": ("केबी", "kilobytes"), "mp": ("मेगापिक्सल", "megapixels"),
}
_UNIT_WORDS = "|".join(sorted((re.escape(k) for k in _UNITS), key=len, reverse=True))
_NUMBER_UNIT = re.compile(rf"{_WORD_BEFORE}(?P<num>{_NUM})\s?(?P<unit>{_UNIT_WORDS})"
                          rf"(?![\w{_D}])", re.IGNORECASE)
_NUMBER = re.compile(rf"(?<![\w{_D}])(?P<num>{_NUM})")


def _say_plain_number(sp: Speller, text: str) -> str:
    plain = text.replace(",", "")
    if "." not in plain and (plain.startswith("0") and len(plain) > 1 or len(plain) >= 10):
        # phone numbers, PINs, codes: digit by digit
        return " ".join(sp.digit(int(c)) for c in plain)
    value = _value(text)
    if value is None:
        # bad grouping ("1,2,3"): each part on its own
        return " , ".join(_say_plain_number(sp, part) for part in text.split(",") if part)
    return sp.number(value)


def _number_unit(sp: Speller, m: re.Match[str]) -> str:
    if m["unit"] in ("G", "MP") or m["unit"].isupper() and len(m["unit"]) == 1:
        return f"{_say_plain_number(sp, m['num'])} {m['unit']}"     # 5G, 4K: not units
    unit = _UNITS[m["unit"].lower()]
    value = _value(m["num"])
    if value is None:
        return m[0]
    word = unit[0] if sp.language == "hi" else unit[1]
    if sp.language == "en" and value == 1:
        word = word[:-1] if word.endswith("s") and " " not in word else word
    return f" {sp.number(value)} {word} "


def _number(sp: Speller, m: re.Match[str]) -> str:
    return " " + _say_plain_number(sp, m["num"]) + " "


# -- abbreviations and symbols --------------------------------------------------------------

_ABBREVIATIONS = {
    "hi": {"डॉ.": "डॉक्टर", "नं.": "नंबर", "कि.मी.": "किलोमीटर", "Dr.": "डॉक्टर",
           "Mr.": "मिस्टर", "Mrs.": "मिसेज़", "Ms.": "मिस", "etc.": "वगैरह", "e.g.": "जैसे",
           "i.e.": "यानी", "vs.": "बनाम", "vs": "बनाम", "No.": "नंबर", "no.": "नंबर"},
    "en": {"Dr.": "Doctor", "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz",
           "etc.": "et cetera", "e.g.": "for example", "i.e.": "that is", "vs.": "versus",
           "vs": "versus", "No.": "number", "no.": "number"},
}
_SYMBOLS = {
    "hi": {"&": "और", "@": "ऐट", "°": "डिग्री", "+": "प्लस", "=": "बराबर", "%": "प्रतिशत"},
    "en": {"&": "and", "@": "at", "°": "degrees", "+": "plus", "=": "equals", "%": "percent"},
}


def _abbreviation_pattern(table: dict[str, str]) -> re.Pattern[str]:
    alternatives = []
    for key in sorted(table, key=len, reverse=True):
        escaped = re.escape(key)
        if key in ("No.", "no."):
            escaped += r"(?=\s?\d)"           # only "No. 5", not "no." at a sentence end
        if key[0].isalpha() or DEVANAGARI.match(key):
            escaped = rf"(?<![\w{_D}]){escaped}"
        if key[-1].isalpha():
            escaped += rf"(?![\w{_D}])"
        alternatives.append(escaped)
    return re.compile("|".join(alternatives))


_ABBREV_RE = {lang: _abbreviation_pattern(table) for lang, table in _ABBREVIATIONS.items()}
_SYMBOL_RE = re.compile("[&@°+=%]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_SPACES = re.compile(r"[ \t]+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?।॥;:])")


def _latin_to_devanagari(text: str) -> str:
    """Latin words in Hindi text: the table, acronyms letter by letter, else a phonetic guess
    (romanised Hindi keeps its final vowels: "kaise"). A Hindi voice cannot read Latin
    letters (festival's crashes on them), so even an English sentence is better guessed."""
    romanized = not DEVANAGARI.search(text) and is_romanized_hindi(text)

    def repl(m: re.Match[str]) -> str:
        out = to_devanagari(m[0].replace("'", ""), guess=True, english=not romanized)
        return out if out is not None else m[0]

    return _LATIN_WORD.sub(repl, text)


# -- the entry point ------------------------------------------------------------------------

_PASSES: tuple[tuple[re.Pattern[str], Callable[[Speller, re.Match[str]], str]], ...] = (
    (_CURRENCY_BEFORE, _currency_before),
    (_CURRENCY_AFTER, _currency_after),
    (_HI_FRACTION, _hi_fraction),
    (_HI_SCALED, _hi_scaled),
    (_TIME_RANGE, _time_range),
    (_TIME, _time),
    (_DATE_ISO, _date_iso),
    (_DATE_NUMERIC, _date_numeric),
    (_DATE_DAY_MONTH, _date_day_month),
    (_DATE_MONTH_DAY, _date_month_day),
    (_YEAR_CONTEXT, _year_context),
    (_PERCENT, _percent),
    (_ORDINAL_HI, _ordinal_hi),
    (_ORDINAL_EN, _ordinal_en),
    (_RANGE, _range),
    (_FRACTION, _fraction),
    (_ARITH, _arith),
    (_NEGATIVE, _negative),
    (_NUMBER_UNIT, _number_unit),
    (_NUMBER, _number),
)


def normalize(text: str, language: str) -> str:
    """``text`` as a ``language`` ("hi" or "en") voice should read it; other languages are
    returned unchanged. Never raises on odd input (the TTS stage relies on that)."""
    if language not in ("hi", "en") or not text:
        return text
    sp = HI if language == "hi" else EN
    out = unicodedata.normalize("NFC", to_ascii_digits(text))
    table = _ABBREVIATIONS[language]
    out = _ABBREV_RE[language].sub(lambda m: f" {table[m[0]]} ", out)
    for pattern, fn in _PASSES:
        if pattern in (_ORDINAL_HI, _HI_FRACTION, _HI_SCALED) and language != "hi":
            continue
        out = pattern.sub(partial(fn, sp), out)
    symbols = _SYMBOLS[language]
    out = _SYMBOL_RE.sub(lambda m: f" {symbols[m[0]]} ", out)
    if language == "hi":
        out = _latin_to_devanagari(out)
    out = _SPACES.sub(" ", out)
    out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
    return out.strip()


__all__ = ["normalize", "LOANWORDS"]
