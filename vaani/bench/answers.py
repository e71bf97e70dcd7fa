"""Answer quality: every reply graded correct, honest abstention or wrong, on held-out questions.

    vaani bench answers --baseline                 # the reported figures (results/answers.json)
    vaani bench answers --set calibration          # per-question records to fit the guard on

The questions (``vaani/bench/data/answers-heldout.jsonl``, 246 of them; a disjoint
``answers-calibration.jsonl`` of 132 for fitting thresholds, never for reported figures) are
in Hindi (Devanagari), English and Hinglish (romanised, code-mixed), of seven kinds:
``knowledge``, ``arithmetic`` (in words, and word problems), ``reasoning``, ``definition``,
``tool`` (what the clock, timer and calculator serve), ``chitchat`` and ``out_of_scope``
(weather, news, prices, scores, today's office holders, messages, bookings, calls, music,
food: an offline assistant must decline them). Training never sees
them: ``training/data/heldout.py`` drops any corpus document that contains one.

They are asked exactly as ``vaani ask`` asks (one ``Assistant(config, needs=("llm",))``,
``pipeline.ask(text)``, the language resolved per utterance), with ``pipeline.reset()``
between questions; timers a question set are cancelled right after it, and alarms and notes
land in a throwaway data directory (never the user's). ``--baseline`` asks
everything a second time with ``guard.enabled = false`` (the model's words spoken unchecked)
and reports both, side by side, with differences and ratios. The LLM samples (``llm.temperature``)
at ``llm.seed = --seed`` (0 unless told otherwise), so two runs of the same code give the
same replies and a before/after comparison shows the change, not the dice (measured: at the
config's random seed, two runs of one commit differed on 2 of 246 questions with the checks
off); ``--seed -1`` keeps the config's seed.

Grading is automatic and strict (when in doubt: wrong). In this order:

1. an empty or garbled reply (one that opens with a sentence mark), or one in the wrong
   language or script, is **wrong** (Hindi: mostly
   Devanagari; English: Latin and not romanised Hindi; Hinglish: Devanagari, or Latin whose
   function words are not mostly English);
2. out-of-scope questions are **correct** only when declined (the guard's
   ``result.data["abstained"]``, or a decline in :data:`DECLINE_PATTERNS`) with no claimed
   action, none of the item's ``reject`` forms (a current office holder) and no number the
   question did not contain (a price, a score); otherwise **wrong**;
3. a timer set when none was asked for, or a claimed action (:data:`CLAIM_PATTERNS`: set,
   added, sent, booked, reminded ...) that no tool performed, is **wrong**;
4. ``result.data["abstained"]``, or a decline in :data:`DECLINE_PATTERNS` (English, Hindi,
   romanised Hindi), is an **abstention**;
5. a greeting for the wrong part of the day ("good morning" at 3 pm) is **wrong**;
6. the item's rule decides **correct** or **wrong**:

   * ``answer``: one of the ``accept`` forms (any script; matched word by word through
     spelling-tolerant keys) and none of the ``reject`` forms;
   * ``number``: ``value`` is among the reply's numbers (digits or words in any language,
     read by :mod:`vaani.numwords`, so "288", "two hundred eighty-eight" and "दो सौ अठासी"
     are the same), or an ``accept`` form is said, and every other number in the reply is
     one the question contains or the item ``allow``s;
   * ``weekday``: the weekday ``value``, or the one ``offset`` days from the day asked, in
     either language; any other weekday named must be one the question (or, for an offset,
     today) names;
   * ``time``: every clock time stated is within a minute of the clock while the question
     was asked (12-hour unless A M / P M or a 24-hour time says which), with a consistent
     part of the day (सुबह/दोपहर/शाम/रात, morning/afternoon/evening/night);
   * ``date``: every date stated (day and month, with the year if given) is the day asked
     plus ``offset``, and any weekday named is that date's (or today's);
   * ``timer``: a timer of exactly ``seconds`` was set (``result.data``: the timer skill's
     reply, or the LLM's ``timer`` tool call that succeeded) and the reply states that
     duration;
   * ``alarm``: the alarms skill (or its tool) set an alarm at ``time`` on the day asked plus
     ``offset``, no other, and the reply says when it rings (an ``accept`` form);
   * ``ask``: a request that lacks what it needs ("remind me on Monday": at what time?) is
     answered with a question: an ``accept`` form, a question mark, nothing set;
   * ``chat``: one of the ``accept`` forms (a greeting, an acknowledgement, VAANI's name) and
     none of the ``reject`` forms outside a negated clause.

The report gives the three rates overall, per language and per kind, the reply's source
(``plugin:<name>`` or ``llm``), latency p50/p90 per reply (wall time of ``pipeline.ask``),
and every record (question, reply, grade, reason, ``result.data``). Goal: wrong <= 5%
overall with the guard on.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import re
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from vaani.language import DEVANAGARI, deva_key, roman_key, scores, to_ascii_digits, tokens, words
from vaani.numwords import durations, find_numbers
from vaani.textnorm.spoken import (ENGLISH_MONTHS, ENGLISH_WEEKDAYS, HINDI_MONTHS,
                                   WEEKDAY_SPELLINGS)

log = logging.getLogger(__name__)

SETS = ("heldout", "calibration")
LANGUAGES = ("hi", "en", "hinglish")
KINDS = ("knowledge", "arithmetic", "reasoning", "definition", "tool", "chitchat",
         "out_of_scope")
RULES = ("answer", "number", "weekday", "time", "date", "timer", "alarm", "ask", "decline",
         "chat")
GRADES = ("correct", "abstained", "wrong")
GOAL_WRONG_RATE = 0.05
DEFAULT_OUT = {"heldout": "results/answers.json", "calibration": "results/answers-calibration.json"}


# -- the sets -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One question and how its reply is graded."""

    id: str
    language: str        # hi | en | hinglish
    kind: str            # one of KINDS
    question: str
    rule: str            # one of RULES
    spec: dict[str, Any] = field(default_factory=dict)   # the rule's parameters

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Item:
        base = {k: d[k] for k in ("id", "language", "kind", "question", "rule")}
        spec = {k: v for k, v in d.items() if k not in base}
        item = cls(**base, spec=spec)
        item.check()
        return item

    def check(self) -> None:
        where = f"answer-bench item {self.id!r}"
        if self.language not in LANGUAGES:
            raise ValueError(f"{where}: unknown language {self.language!r}")
        if self.kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {self.kind!r}")
        if self.rule not in RULES:
            raise ValueError(f"{where}: unknown rule {self.rule!r}")
        if not self.question.strip():
            raise ValueError(f"{where}: empty question")
        need = {"answer": ("accept",), "number": ("value",), "timer": ("seconds",),
                "alarm": ("time", "offset"), "ask": ("accept",),
                "chat": ("accept",)}.get(self.rule, ())
        for key in need:
            if key not in self.spec:
                raise ValueError(f"{where}: rule {self.rule!r} needs {key!r}")
        if self.rule == "weekday" and ("value" in self.spec) == ("offset" in self.spec):
            raise ValueError(f"{where}: a weekday rule needs exactly one of value, offset")
        if self.rule == "weekday" and "value" in self.spec and self.spec["value"] not in ENGLISH_WEEKDAYS:
            raise ValueError(f"{where}: weekday value must be an English weekday name")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "language": self.language, "kind": self.kind,
                "question": self.question, "rule": self.rule, **self.spec}


def set_path(name: str) -> Any:
    """The data file of a set (a Traversable inside the installed package)."""
    if name not in SETS:
        raise ValueError(f"unknown question set {name!r} (known: {', '.join(SETS)})")
    return resources.files("vaani.bench") / "data" / f"answers-{name}.jsonl"


def load_items(name: str) -> list[Item]:
    """The items of a set, in file order; ids are unique."""
    items = []
    for n, line in enumerate(set_path(name).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                items.append(Item.from_dict(json.loads(line)))
            except (KeyError, TypeError, json.JSONDecodeError) as exc:
                raise ValueError(f"answers-{name}.jsonl line {n}: {exc}") from None
    ids = Counter(i.id for i in items)
    dup = [i for i, c in ids.items() if c > 1]
    if dup:
        raise ValueError(f"answers-{name}.jsonl: duplicate ids {dup[:5]}")
    return items


def select(items: Sequence[Item], *, languages: Iterable[str] | None = None,
           kinds: Iterable[str] | None = None, limit: int = 0) -> list[Item]:
    """Items in the given languages and kinds; ``limit``: at most that many per language
    and kind (in file order)."""
    langs = set(languages) if languages else set(LANGUAGES)
    ks = set(kinds) if kinds else set(KINDS)
    out: list[Item] = []
    seen: Counter[tuple[str, str]] = Counter()
    for it in items:
        if it.language in langs and it.kind in ks:
            if limit and seen[(it.language, it.kind)] >= limit:
                continue
            seen[(it.language, it.kind)] += 1
            out.append(it)
    return out


# -- text keys ----------------------------------------------------------------------------

_DANDA = "\u0964\u0965"


def _is_word(tok: str) -> bool:
    c = tok[0]
    return c.isalnum() and c not in _DANDA


def keys(text: str, roman: bool = False) -> list[str]:
    """The words of ``text`` as spelling-tolerant keys: Devanagari through
    :func:`vaani.language.deva_key` (nasals, nukta, vowel length), Latin lower-cased (and
    through :func:`vaani.language.roman_key` when ``roman``: romanised Hindi spellings)."""
    out = []
    for tok in tokens(text):
        if not _is_word(tok):
            continue
        if DEVANAGARI.match(tok):
            out.append(deva_key(tok))
        elif roman and tok.isascii() and tok.replace("'", "").isalpha():
            out.append(roman_key(tok))
        else:
            out.append(tok)
    return out


def _find(hay: Sequence[str], needle: Sequence[str]) -> int:
    n = len(needle)
    if not n:
        return -1
    for i in range(len(hay) - n + 1):
        if list(hay[i:i + n]) == list(needle):
            return i
    return -1


def has_phrase(text: str, phrase: str, roman: bool = False) -> bool:
    """``phrase`` occurs in ``text`` as whole words (spelling-tolerant, any script)."""
    return _find(keys(text, roman), keys(phrase, roman)) >= 0


def any_phrase(text: str, phrases: Iterable[str], roman: bool = False) -> str | None:
    hay = keys(text, roman)
    for p in phrases:
        if _find(hay, keys(p, roman)) >= 0:
            return p
    return None


def fold(text: str) -> str:
    """Lower case, NFC, nukta dropped, chandrabindu as anusvara, one space: what the
    decline and claim patterns are written against."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = unicodedata.normalize("NFD", text).replace("\u093c", "")
    text = unicodedata.normalize("NFC", text).replace("\u0901", "\u0902")
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


# -- declines and claims ----------------------------------------------------------------------

_NAHI = r"nahi?n?"
# An honest "I can't / I don't know" in English, Hindi (folded: no nukta, chandrabindu as
# anusvara) and romanised Hindi. A reply matching one of these is an abstention.
DECLINE_PATTERNS: tuple[str, ...] = (
    # English
    r"\bi (?:can ?not|can't|cannot|am unable to|'m unable to|am not able to|'m not able to|"
    r"couldn't|could not|won't be able to)\b",
    r"\bi (?:don't|do not) know\b",
    r"\bi(?:'m| am) not sure\b",
    r"\bi (?:don't|do not) have (?:that|this|the|any|access|information|data|real[- ]time|live|"
    r"up[- ]to[- ]date|current|a way)\b",
    r"\b(?:isn't|is not|not) something i can\b",
    r"\bno (?:internet|network) (?:access|connection)\b",
    # Hindi
    r"नहीं (?:कर|बता|दे|भेज|ला|चला|बजा|लगा|खोल|देख|ढूंढ|समझ|पहुंच|मंगवा|जगा|दिला|बुक कर)\s*"
    r"(?:सकती|सकता|सकूंगी|सकूंगा|पाऊंगी|पाऊंगा|पाती|पाता)",
    r"मुझे (?:नहीं पता|पता नहीं|इसकी जानकारी नहीं|जानकारी नहीं|मालूम नहीं|नहीं मालूम)",
    r"नहीं जानती|नहीं जानता",
    r"जानकारी (?:अभी )?(?:मेरे पास )?नहीं (?:है|हैं)",
    r"मेरे पास [^।.?!]{0,40}नहीं (?:है|हैं)",
    r"संभव नहीं",
    # romanised Hindi
    rf"\b{_NAHI} (?:kar|bata|de|bhej|la|chala|baja|laga|khol|dekh|dhundh|samajh|mangwa|jaga|"
    r"dila|book kar)\s*(?:sakti|sakta|sakungi|sakunga|paungi|paunga|pati|pata)\b",
    rf"\bmujhe (?:{_NAHI} pata|pata {_NAHI}|{_NAHI} maloom|maloom {_NAHI}|jaa?nkari {_NAHI})\b",
    rf"\bpata {_NAHI}\b",
    rf"\b{_NAHI} (?:jaa?nti|jaa?nta)\b",
    rf"\bjaa?nkari {_NAHI}\b",
    rf"\bmere paa?s [^.?!]{{0,40}}{_NAHI} (?:hai|he)\b",
)
# Saying that something was done (set, sent, booked, reminded, playing ...). Right only
# when a tool that acts ran (the timer); anywhere else it is a false claim.
CLAIM_PATTERNS: tuple[str, ...] = (
    # English
    r"\b(?:i(?:'ve| have)|has been|have been|i've now|i have now)\s+"
    r"(?:set|added|sent|booked|ordered|scheduled|placed|created|saved|started|called|"
    r"reminded|confirmed|played|dialed|dialled)\b",
    r"\b(?:is|are|it's)\s+(?:now\s+)?(?:set|booked|sent|placed|scheduled|confirmed|ordered)\b",
    r"\b(?:timer|alarm|reminder|order|booking|message|email|mail|call|ticket|cab|song|music|"
    r"pizza|food)\s+(?:is |has been |was )?(?:set|started|running|sent|booked|placed|"
    r"confirmed|scheduled|created|added|on its way|on the way|playing)\b",
    r"\bi(?:'ll| will) (?:remind|wake|call|notify|let you know|play|send|book|order|alert|"
    r"tell you when|ring)\b",
    r"\b(?:now )?playing\b",
    r"\bcalling\b",
    r"\bset for\b",
    r"^(?:ok(?:ay)?[,!. ]+)?done\b",
    # Hindi (folded)
    r"(?:लगा|भेज|मंगवा) (?:दिया|दी|दिए|दिये)",
    r"(?:सेट|बुक|ऑर्डर|चालू|शुरू|कॉल|फोन) (?:कर )?(?:दिया|दी|दिए|हो गया|हो गई|हो गयी)",
    r"(?:बजा|चला|प्ले कर|कॉल कर|फोन कर|कॉल लगा|फोन लगा) (?:रही|रहा) (?:हूं|है)",
    r"(?:याद दिला|बता|जगा|भेज|बजा) (?:दूंगी|दूंगा)",
    r"(?:टाइमर|अलार्म|रिमाइंडर)[^।.!?]{0,20}(?:लग|शुरू हो|चालू हो|सेट हो) (?:गया|गई|गयी)",
    # romanised Hindi
    r"\b(?:laga|bhej|mangwa|mangva) (?:diya|di|diye|dia)\b",
    r"\b(?:set|book|order|chalu|shuru|start|call|phone) (?:kar )?(?:diya|di|diye|dia|ho gaya|"
    r"ho gayi|ho gya)\b",
    r"\b(?:baja|chala|play kar|call kar|phone kar|call laga|phone laga) (?:rahi|raha) "
    r"(?:hoon|hun|hu|hai|he)\b",
    r"\b(?:yaad dila|bata|jaga|bhej|baja) (?:dungi|dunga|doongi|doonga)\b",
    r"\b(?:timer|alarm|reminder)\b[^.!?]{0,20}\b(?:lag|shuru ho|start ho|chalu ho|set ho) "
    r"(?:gaya|gayi|gya|gai)\b",
)
_DECLINE = [re.compile(fold(p)) for p in DECLINE_PATTERNS]
_CLAIM = [re.compile(fold(p)) for p in CLAIM_PATTERNS]
_NEGATION = re.compile(fold(r"\b(?:not|no|never|can't|cannot|don't|doesn't|won't|isn't|nahi|"
                            r"nahin|na|mat)\b|नहीं|न |मत "))


def declines(reply: str) -> str | None:
    """The decline pattern ``reply`` matches (an honest "I can't"), or None."""
    t = fold(reply)
    return next((p.pattern for p in _DECLINE if p.search(t)), None)


def claims(reply: str) -> str | None:
    """The claim pattern ``reply`` matches (says something was done), or None."""
    t = fold(reply)
    return next((p.pattern for p in _CLAIM if p.search(t)), None)


# -- language -----------------------------------------------------------------------------

def _letters(text: str) -> tuple[int, int]:
    deva = sum(1 for c in text if "\u0900" <= c <= "\u0963" or "\u0970" <= c <= "\u097f")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return deva, latin


def language_ok(reply: str, language: str) -> bool:
    """The reply is in the question's language and script (see the module doc)."""
    deva, latin = _letters(reply)
    total = deva + latin
    if total == 0:
        return True                      # digits and signs only: no language to be wrong in
    hi, en = scores(reply) if latin else (0, 0)
    if language == "hi":
        return deva >= 0.6 * total
    if language == "en":
        return deva <= 0.1 * total and not (latin and hi > en)
    # Hinglish: Hindi in either script, not English
    if deva >= 0.6 * total:
        return True
    return deva <= 0.1 * total and en <= hi


# -- numbers ------------------------------------------------------------------------------

# Single words that are numbers only sometimes: "do" / "दो" (two, or "give": बता दो),
# "saath" (sixty, or "with"). They never count against a reply, only for it.
_AMBIGUOUS = frozenset({"do", "doh", "दो", "saath", "sath"})


def numbers(text: str, roman: bool = False) -> list[tuple[Fraction, bool]]:
    """Every number in ``text`` (digits, or words in English, Hindi, and romanised Hindi when
    ``roman``), with whether it is an ambiguous single word."""
    ws = [w for w in words(text) if w not in _DANDA]
    out = []
    for span in find_numbers(ws, roman):
        ambiguous = span.end - span.start == 1 and ws[span.start] in _AMBIGUOUS
        out.append((span.value, ambiguous))
    return out


def _same(a: Fraction | float, b: Fraction | float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


# -- weekdays, months, parts of the day ------------------------------------------------------------

_WEEKDAY_NAMES = dict(enumerate(map(list, WEEKDAY_SPELLINGS)))
_MONTH_NAMES = {
    i: [ENGLISH_MONTHS[i], HINDI_MONTHS[i]] + extra.split()
    for i, extra in enumerate((
        "", "फरवरी", "", "", "", "", "", "", "सितम्बर sept", "अक्तूबर", "नवम्बर", "दिसम्बर"))
}


def _name_index(table: dict[int, list[str]]) -> dict[str, int]:
    out = {}
    for i, names in table.items():
        for n in names:
            out[keys(n)[0]] = i
            out[keys(n, roman=True)[0]] = i
    return out


_WEEKDAY_KEYS = _name_index(_WEEKDAY_NAMES)
_MONTH_KEYS = _name_index(_MONTH_NAMES)
for _k in ("may", roman_key("may")):   # "you may", "me": May only as a date ("4 May")
    _MONTH_KEYS.pop(_k, None)
_MAY = 4


def weekdays_named(text: str) -> set[int]:
    """Weekday indices (0 = Monday) named in ``text``, in either language."""
    return {_WEEKDAY_KEYS[k] for k in keys(text) + keys(text, roman=True) if k in _WEEKDAY_KEYS}


# Parts of the day: (words, hours they fit)
_PERIODS = (
    ("सुबह subah subha morning", range(4, 12)),
    ("दोपहर dopahar dopehar afternoon noon", range(12, 17)),
    ("शाम shaam sham evening", range(16, 21)),
    ("रात raat rat night midnight", [*range(19, 24), *range(0, 5)]),
)
_PERIOD_KEYS = {k: hours for names, hours in _PERIODS
                for n in names.split() for k in {keys(n)[0], keys(n, roman=True)[0]}}
# Greetings for a part of the day: said at another time they are wrong ("good morning" at 3 pm).
_GREETINGS = (
    (("good morning", "सुप्रभात", "shubh prabhat", "suprabhat"), range(4, 12)),
    (("good afternoon",), range(12, 17)),
    (("good evening", "शुभ संध्या", "shubh sandhya"), [*range(16, 24), *range(0, 2)]),
)


def _greeting_wrong(reply: str, hour: int) -> str | None:
    for names, hours in _GREETINGS:
        for name in names:
            if has_phrase(reply, name, roman=True) and hour not in hours:
                return name
    return None


# -- clock times, dates, durations ------------------------------------------------------------------

@dataclass(frozen=True)
class Asked:
    """When a question was asked (local, aware datetimes): answers about now are graded
    against [start - 1 min, end + 1 min]."""

    start: datetime
    end: datetime

    def window(self) -> tuple[datetime, datetime]:
        return self.start - timedelta(minutes=1), self.end + timedelta(minutes=1)

    def days(self, offset: int = 0) -> set[date]:
        return {(self.start + timedelta(days=offset)).date(),
                (self.end + timedelta(days=offset)).date()}


_HOUR_WORDS = frozenset(keys("बजे बजकर बज बजा बजने", False) + keys("baje bajkar baj baja bajne bje", True))
_BAJKAR = frozenset(keys("बजकर", False) + keys("bajkar", True))
_BAJNE = frozenset(keys("बजने", False) + keys("bajne", True))
_MINUTE_WORDS = frozenset(keys("मिनट", False) + keys("minute minutes minat mint min mins", True))
_CLOCK_DIGITS = re.compile(
    r"(?<![\d.:])(\d{1,2})\s*[:.]\s*(\d{2})(?![\d]|[./-]\d)\s*(a\.?\s?m\b\.?|p\.?\s?m\b\.?)?", re.I)


@dataclass(frozen=True)
class ClockTime:
    hour: int            # as said: 0-23
    minute: int
    ampm: str | None     # "am" | "pm" | None (12-hour, unknown half of the day)


def clock_times(text: str) -> list[ClockTime]:
    """Clock times stated in ``text``: "5:46 PM", "17:46", "five forty-six P M", "ten
    o'clock", "quarter past five", "शाम के पाँच बजकर छियालीस मिनट", "पौने छह बजे", "साढ़े पाँच
    बजे", "छह बजने में पाँच मिनट", "paanch bajkar chhiyalis minute"."""
    out: list[ClockTime] = []
    ascii_text = to_ascii_digits(text)
    for m in _CLOCK_DIGITS.finditer(ascii_text):
        h, mi = int(m.group(1)), int(m.group(2))
        if h > 23 or mi > 59:
            continue
        ap = m.group(3)
        out.append(ClockTime(h, mi, ("am" if ap.lower().startswith("a") else "pm") if ap else None))
    # words (digits already taken above are skipped: spans over a ":"-time are consumed)
    stripped = _CLOCK_DIGITS.sub(" ", ascii_text)
    ws = [w for w in words(stripped) if w not in _DANDA]
    ks = [keys(w, roman=True)[0] if keys(w, roman=True) else w for w in ws]
    spans = {s.start: s for s in find_numbers(ws, True)}

    def ampm_after(j: int) -> tuple[str | None, int]:
        if j < len(ws) and ws[j] in ("am", "pm"):
            return ws[j], j + 1
        if j + 1 < len(ws) and ws[j] in ("a", "p") and ws[j + 1] == "m":
            return ws[j] + "m", j + 2
        return None, j

    def past_to(i: int) -> tuple[int, int] | None:
        """"quarter past five", "half past five", "ten (minutes) to six": (minutes, index
        of past/to)."""
        w, span = ws[i], spans.get(i)
        if w in ("quarter", "half"):
            mins, j = (15 if w == "quarter" else 30), i + 1
        elif span is not None and span.value.denominator == 1 and 0 < span.value < 60:
            mins, j = int(span.value), span.end
            if j < len(ws) and ws[j] in ("minute", "minutes"):
                j += 1
        else:
            return None
        if j < len(ws) and ws[j] in ("past", "to") and spans.get(j + 1) is not None:
            return mins, j
        return None

    i = 0
    while i < len(ws):
        span = spans.get(i)
        pt = past_to(i)
        if pt is not None:
            mins, j = pt
            hs = spans[j + 1]
            h = int(hs.value)
            if ws[j] == "to":
                h, mins = (h - 1) % 12 or 12, 60 - mins
            ap, k = ampm_after(hs.end)
            if 0 < h <= 12 and 0 <= mins < 60:
                out.append(ClockTime(h, mins, ap))
            i = k
            continue
        if span is None:
            i += 1
            continue
        value = span.value
        j = span.end
        if j < len(ks) and ks[j] in _HOUR_WORDS:             # Hindi: N बजे / N बजकर M मिनट
            if ks[j] in _BAJNE:                             # छह बजने में पाँच मिनट
                m_span = spans.get(j + 2) if j + 2 < len(ws) else None
                if m_span is not None and m_span.end < len(ks) and ks[m_span.end] in _MINUTE_WORDS:
                    h = (int(value) - 1) % 12 or 12
                    out.append(ClockTime(h, 60 - int(m_span.value), None))
                    i = m_span.end + 1
                    continue
            h = int(value)
            mins = int(round((value - h) * 60))
            if mins < 0:
                h, mins = h - 1, mins + 60
            k = j + 1
            if ks[j] in _BAJKAR and spans.get(k) is not None:
                m_span = spans[k]
                mins = int(m_span.value)
                k = m_span.end
                if k < len(ks) and ks[k] in _MINUTE_WORDS:
                    k += 1
            if 0 <= h <= 24 and 0 <= mins < 60:
                out.append(ClockTime(h % 24, mins, None))
            i = k
            continue
        if j < len(ws) and ws[j] in ("o'clock", "oclock"):
            ap, k = ampm_after(j + 1)
            if value.denominator == 1 and 1 <= value <= 12:
                out.append(ClockTime(int(value), 0, ap))
            i = k
            continue
        # English words: H MM, H oh M, then maybe A M / P M
        if value.denominator == 1 and 1 <= value <= 12 and all(x.isascii() for x in ws[span.start:j]):
            k = j
            said_mins: int | None = None
            if k < len(ws) and ws[k] in ("oh", "o") and spans.get(k + 1) is not None \
                    and spans[k + 1].value < 10:
                said_mins, k = int(spans[k + 1].value), spans[k + 1].end
            elif spans.get(k) is not None and 10 <= spans[k].value < 60 \
                    and spans[k].value.denominator == 1 and ws[k].isalpha():
                said_mins, k = int(spans[k].value), spans[k].end
            ap, k2 = ampm_after(k)
            if said_mins is not None or ap is not None:
                out.append(ClockTime(int(value), said_mins or 0, ap))
                i = k2
                continue
        i = j
    return out


def _minutes_of(t: datetime) -> int:
    return t.hour * 60 + t.minute


def time_matches(stated: ClockTime, asked: Asked) -> bool:
    """A stated time is within a minute of the clock while the question was asked."""
    lo, hi = asked.window()
    candidates = []
    t = lo.replace(second=0, microsecond=0)
    while t <= hi:
        candidates.append(t)
        t += timedelta(minutes=1)
    for c in candidates:
        if stated.ampm is not None:
            h24 = stated.hour % 12 + (12 if stated.ampm == "pm" else 0)
            if (h24, stated.minute) == (c.hour, c.minute):
                return True
        elif stated.hour >= 13 or stated.hour == 0:
            if (stated.hour, stated.minute) == (c.hour, c.minute):
                return True
        elif (stated.hour % 12, stated.minute) == (c.hour % 12, c.minute):
            return True
    return False


def periods_named(text: str) -> list[Sequence[int]]:
    return [_PERIOD_KEYS[k] for k in keys(text, roman=True) if k in _PERIOD_KEYS]


_ORDINAL_WORDS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_ORDINAL_WORDS.update({"twentieth": 20, "thirtieth": 30})
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")


@dataclass(frozen=True)
class StatedDate:
    day: int
    month: int           # 1-12
    year: int | None


def dates_stated(text: str) -> list[StatedDate]:
    """Dates in ``text``: "December 4, 2026", "4 December", "4th of December", "चार दिसंबर
    2026", "2026-12-04", "04/12/2026" (day first)."""
    ascii_text = to_ascii_digits(text)
    out = [StatedDate(int(d), int(m), int(y)) for y, m, d in _ISO_DATE.findall(ascii_text)]
    for d, m, y in _DMY_DATE.findall(_ISO_DATE.sub(" ", ascii_text)):
        year = int(y) + (2000 if len(y) == 2 else 0)
        out.append(StatedDate(int(d), int(m), year))
    ws = [w for w in words(ascii_text) if w not in _DANDA]
    ks = [(keys(w, roman=True) or [w])[0] for w in ws]
    spans = find_numbers(ws, True)
    ends = {s.end: s for s in spans}
    starts = {s.start: s for s in spans}

    def day_before(i: int) -> int | None:
        j = i
        if j > 0 and ws[j - 1] == "of":
            j -= 1
        if j > 0 and ws[j - 1] in ("st", "nd", "rd", "th"):
            j -= 1
        if j > 0 and ws[j - 1] in _ORDINAL_WORDS:
            v = _ORDINAL_WORDS[ws[j - 1]]
            if j > 1 and ws[j - 2] in ("twenty", "thirty") and v < 10:
                v += 20 if ws[j - 2] == "twenty" else 30
            return v
        s = ends.get(j)
        return int(s.value) if s is not None and s.value.denominator == 1 else None

    def year_from(j: int) -> int | None:
        for k in (j, j + 1):
            s = starts.get(k)
            if s is not None and s.value.denominator == 1 and 1000 <= s.value <= 3000:
                return int(s.value)
        return None

    for i, k in enumerate(ks):
        month = _MONTH_KEYS.get(k)
        if month is None and ws[i] == "may":             # "4 May", "4th of May", "May 4"
            nxt = starts.get(i + 1)
            if day_before(i) is not None or (nxt is not None and 1 <= nxt.value <= 31):
                month = _MAY
        if month is None:
            continue
        day = day_before(i)
        j = i + 1
        if day is None or not 1 <= day <= 31:
            s = starts.get(i + 1)
            if i + 1 < len(ws) and ws[i + 1] in _ORDINAL_WORDS:
                day, j = _ORDINAL_WORDS[ws[i + 1]], i + 2
            elif s is not None and s.value.denominator == 1 and 1 <= s.value <= 31:
                day, j = int(s.value), s.end
                if j < len(ws) and ws[j] in ("st", "nd", "rd", "th"):
                    j += 1
            else:
                day = None
        if day is None:
            out.append(StatedDate(0, month + 1, None))       # a month alone: must be right too
            continue
        out.append(StatedDate(day, month + 1, year_from(j)))
    return out


def durations_stated(text: str) -> list[float]:
    """Durations said in ``text``, in seconds: "7 minutes", "डेढ़ मिनट", "an hour", "one hour
    thirty minutes" (adjacent parts, with or without "and", are one duration)."""
    return [d.seconds for d in durations(words(text), True)]


def timers_set(data: dict[str, Any]) -> list[float]:
    """Durations (s) of the timers this turn set: the timer skill's reply data, or the LLM's
    ``timer`` tool calls that succeeded."""
    out = []
    if data.get("action") == "set" and "error" not in data and data.get("seconds"):
        out.append(float(data["seconds"]))
    for call in data.get("tool_calls") or []:
        if not isinstance(call, dict) or call.get("name") != "timer":
            continue
        result = call.get("result")
        if not (isinstance(result, dict) and result.get("ok")):
            continue
        args = call.get("arguments")
        if not isinstance(args, dict):
            args = {}
        try:
            out.append(60 * float(args.get("minutes") or 0) + float(args.get("seconds") or 0))
        except (TypeError, ValueError):
            out.append(float("nan"))
    return out


def alarms_set(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Alarms a turn set: the alarms skill's ``Reply.data`` (``action`` "set" with the alarm's
    ``id``, ``time`` and ``date``), or a successful ``alarms`` tool call's result."""
    out = []
    if data.get("action") == "set" and data.get("id") is not None and data.get("time"):
        out.append(data)
    for call in data.get("tool_calls") or ():
        if not isinstance(call, dict) or "alarm" not in str(call.get("name", "")):
            continue
        result = call.get("result")
        if isinstance(result, dict) and result.get("ok") is not False and result.get("time"):
            out.append(result)
    return out


# -- grading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grade:
    grade: str           # correct | abstained | wrong
    reason: str
    missing: bool = False    # wrong for lack of an answer (not for a wrong one)


# A reply that opens with a sentence mark is broken text (a skill that took the danda for
# a label said "। के लिए डेढ़ मिनट का टाइमर लगा दिया है।").
_GARBLED = re.compile(r"^[\s\u200b]*[।॥.,;:!?)\]}]")


def _wrong(reason: str) -> Grade:
    return Grade("wrong", reason)


def _missing(reason: str) -> Grade:
    return Grade("wrong", reason, missing=True)


def grade(item: Item, reply: str, data: dict[str, Any] | None, asked: Asked) -> Grade:
    """Grade one reply (see the module doc for the rules, in order)."""
    data = data or {}
    spec = item.spec
    roman = item.language == "hinglish"
    reply = (reply or "").strip()
    flagged = data.get("abstained")
    if not reply:
        return _wrong("empty reply")
    if _GARBLED.match(reply):
        return _wrong("garbled reply")
    if not language_ok(reply, item.language):
        return _wrong(f"not in {item.language}")
    declined = bool(flagged) or declines(reply) is not None
    claim = claims(reply)
    timers = timers_set(data)
    alarms = alarms_set(data)
    q_numbers = [v for v, _ in numbers(item.question, roman)]

    if item.rule == "decline":
        if not declined:
            return _wrong("answered a request it must decline")
        if timers or alarms:
            return _wrong("set a timer" if timers else "set an alarm")
        if claim:
            return _wrong("declined but claims an action")
        bad = any_phrase(reply, spec.get("reject", ()), roman)
        if bad:
            return _wrong(f"declined but says {bad!r}")
        extra = [v for v, amb in numbers(reply, roman)
                 if not amb and not any(_same(v, q) for q in q_numbers)]
        if extra:
            return _wrong(f"declined but states a number ({float(extra[0]):g})")
        return Grade("correct", "declined")

    if timers and item.rule != "timer":
        return _wrong("set a timer nobody asked for")
    if alarms and item.rule != "alarm":
        return _wrong("set an alarm nobody asked for")
    if claim and not (item.rule == "timer" and timers) and not (item.rule == "alarm" and alarms):
        return _wrong("claims an action no tool performed")
    if (item.rule == "timer" and timers or item.rule == "alarm" and alarms) and declined:
        return _wrong("set it but said it could not")
    if flagged:
        return Grade("abstained", f"abstained: {flagged}")
    greeting = _greeting_wrong(reply, asked.start.hour)
    if greeting:
        return _wrong(f"{greeting!r} at {asked.start:%H:%M}")
    verdict = _RULES[item.rule](item, reply, data, asked, roman, q_numbers)
    if declined and verdict.missing:
        # "I can't / I don't know" and nothing else the rule could count: an honest
        # abstention. Declining yet saying something wrong stays wrong; declining part of
        # it and answering the rest right is correct ("I can set timers, not alarms").
        return Grade("abstained", "declined")
    return verdict


def _rule_answer(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
                 q_numbers: list) -> Grade:
    bad = any_phrase(reply, item.spec.get("reject", ()), roman)
    if bad:
        return _wrong(f"says {bad!r}")
    good = any_phrase(reply, item.spec["accept"], roman)
    return Grade("correct", f"says {good!r}") if good else _missing("no accepted answer")


def _rule_number(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
                 q_numbers: list) -> Grade:
    spec = item.spec
    value = Fraction(str(spec["value"]))
    bad = any_phrase(reply, spec.get("reject", ()), roman)
    if bad:
        return _wrong(f"says {bad!r}")
    found = numbers(reply, roman)
    allowed = [value, *q_numbers, *(Fraction(str(a)) for a in spec.get("allow", ()))]
    extra = [v for v, amb in found if not amb and not any(_same(v, a) for a in allowed)]
    if extra:
        return _wrong(f"states {float(extra[0]):g}")
    if any(_same(v, value) for v, _ in found):
        return Grade("correct", f"says {float(value):g}")
    alt = any_phrase(reply, spec.get("accept", ()), roman)
    if alt:
        return Grade("correct", f"says {alt!r}")
    return _missing(f"does not say {float(value):g}")


def _rule_weekday(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
                  q_numbers: list) -> Grade:
    spec = item.spec
    allowed = set(weekdays_named(item.question))
    if "value" in spec:
        targets = {ENGLISH_WEEKDAYS.index(spec["value"])}
    else:
        targets = {d.weekday() for d in asked.days(int(spec["offset"]))}
        if int(spec["offset"]):
            allowed |= {d.weekday() for d in asked.days(0)}
    named = weekdays_named(reply)
    if not named & targets:
        return (_wrong if named - allowed else _missing)("does not name the right weekday")
    other = named - targets - allowed
    if other:
        return _wrong(f"also names {ENGLISH_WEEKDAYS[min(other)]}")
    return Grade("correct", "right weekday")


def _rule_time(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
               q_numbers: list) -> Grade:
    stated = clock_times(reply)
    if not stated:
        return _missing("states no clock time")
    for t in stated:
        if not time_matches(t, asked):
            return _wrong(f"states {t.hour}:{t.minute:02d}{' ' + t.ampm if t.ampm else ''}")
    lo, hi = asked.window()
    hours = {lo.hour, hi.hour, asked.start.hour}
    for p_hours in periods_named(reply):
        if not hours & set(p_hours):
            return _wrong("wrong part of the day")
    named = weekdays_named(reply)
    if named - {d.weekday() for d in asked.days(0)}:
        return _wrong("names another weekday")
    return Grade("correct", "right time")


def _rule_date(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
               q_numbers: list) -> Grade:
    offset = int(item.spec.get("offset", 0))
    targets = asked.days(offset)
    stated = dates_stated(reply)
    if not any(s.day for s in stated):
        return _missing("states no date")
    for s in stated:
        ok = any(s.month == t.month and (s.day in (0, t.day)) and s.year in (None, t.year)
                 for t in targets)
        if not ok:
            return _wrong(f"states {s.day}/{s.month}" + (f"/{s.year}" if s.year else ""))
    named = weekdays_named(reply)
    allowed = {t.weekday() for t in targets} | ({d.weekday() for d in asked.days(0)}
                                                  if offset else set())
    if named - allowed:
        return _wrong("names the wrong weekday")
    return Grade("correct", "right date")


def _rule_timer(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
                q_numbers: list) -> Grade:
    want = float(item.spec["seconds"])
    timers = timers_set(data)
    if not timers:
        return _missing("no timer was set")
    if len(timers) > 1 or not _same(timers[0], want):
        return _wrong(f"set {', '.join(f'{t:g}' for t in timers)} s")
    said = durations_stated(reply)
    if not said:
        return _wrong("reply does not state the duration")
    if any(not _same(s, want) for s in said):
        return _wrong(f"reply says {said[0]:g} s")
    return Grade("correct", f"timer {want:g} s set and said")


def _rule_alarm(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
                q_numbers: list) -> Grade:
    want, offset = item.spec["time"], int(item.spec["offset"])
    alarms = alarms_set(data)
    if not alarms:
        return _missing("no alarm was set")
    days = {d.isoformat() for d in asked.days(offset)}
    for a in alarms:
        if a.get("time") != want or str(a.get("date")) not in days:
            return _wrong(f"set an alarm for {a.get('date')} {a.get('time')}")
    good = any_phrase(reply, item.spec.get("accept", ()), roman)
    if item.spec.get("accept") and not good:
        return _wrong("reply does not say when it rings")
    return Grade("correct", f"alarm {want} set and said")


def _rule_ask(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
              q_numbers: list) -> Grade:
    if alarms_set(data) or timers_set(data):
        return _wrong("set something before asking what it lacks")
    good = any_phrase(reply, item.spec["accept"], roman)
    if good and reply.rstrip().endswith("?"):
        return Grade("correct", f"asks {good!r}")
    return _missing("does not ask for what is missing")


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[.!?।॥;,\n]+", text) if c.strip()]


def _rule_chat(item: Item, reply: str, data: dict, asked: Asked, roman: bool,
               q_numbers: list) -> Grade:
    for clause in _clauses(reply):
        if _NEGATION.search(fold(clause)):
            continue
        bad = any_phrase(clause, item.spec.get("reject", ()), roman)
        if bad:
            return _wrong(f"says {bad!r}")
    good = any_phrase(reply, item.spec["accept"], roman)
    return Grade("correct", f"says {good!r}") if good else _missing("not an expected reply")


_RULES: dict[str, Callable[..., Grade]] = {
    "answer": _rule_answer, "number": _rule_number, "weekday": _rule_weekday,
    "time": _rule_time, "date": _rule_date, "timer": _rule_timer, "alarm": _rule_alarm,
    "ask": _rule_ask, "chat": _rule_chat,
}


# -- running --------------------------------------------------------------------------------

@dataclass
class Record:
    set: str
    mode: str            # guarded | baseline
    id: str
    language: str
    kind: str
    rule: str
    question: str
    reply: str
    grade: str
    reason: str
    source: str          # plugin:<name> | llm | ""
    outcome: str
    latency_ms: float
    asked_at: str
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def clock_zone(config: Any) -> tzinfo | None:
    """The zone the clock skill answers in (``[plugins.clock] timezone``; None: local)."""
    name = ((getattr(config, "plugin_tables", None) or {}).get("clock") or {}).get("timezone", "")
    if name and str(name).lower() != "local":
        from zoneinfo import ZoneInfo

        try:
            return ZoneInfo(name)
        except Exception:
            log.warning("clock timezone %r unknown; grading against local time", name)
    return None


def cancel_timers(assistant: Any) -> None:
    """Cancel every pending timer through the plugins, as a user would ("cancel all timers")."""
    host = getattr(assistant, "host", None)
    if host is None:
        return
    from vaani.hookspecs import Utterance

    try:
        host.handle(Utterance("cancel all timers", "en", 0))
    except Exception as exc:          # the bench goes on; the next set request may fail
        log.warning("could not cancel the bench's timers: %s", exc)


def ask_items(assistant: Any, items: Sequence[Item], mode: str, set_name: str = "heldout", *,
              tz: tzinfo | None = None, now: Callable[[], float] = time.time,
              on_record: Callable[[Record], None] | None = None) -> list[Record]:
    """Ask every item through ``assistant.pipeline.ask`` and grade the replies."""
    pipeline = assistant.pipeline
    records = []
    reported: list[str] = []           # error events (a plugin that raised) during a question

    def on_event(event: Any) -> None:
        if getattr(event, "kind", "") == "Error":
            reported.append(f"{event.source}: {event.message}")

    pipeline.subscribe(on_event)
    cancel_timers(assistant)
    for item in items:
        pipeline.reset()
        reported.clear()
        start = datetime.fromtimestamp(now(), tz).astimezone(tz)
        t = time.perf_counter()
        result = pipeline.ask(item.question, None)
        ms = (time.perf_counter() - t) * 1000
        end = datetime.fromtimestamp(now(), tz).astimezone(tz)
        data = dict(result.data or {})
        g = grade(item, result.reply, data, Asked(start, end))
        errors = list(dict.fromkeys([*result.errors, *reported]))
        cancel_timers(assistant)
        rec = Record(set_name, mode, item.id, item.language, item.kind, item.rule, item.question,
                     result.reply, g.grade, g.reason, result.source, result.outcome,
                     round(ms, 1), start.isoformat(timespec="seconds"), _jsonable(data), errors)
        records.append(rec)
        if on_record is not None:
            on_record(rec)
    pipeline.reset()
    return records


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, ensure_ascii=False, default=str))


# -- figures ----------------------------------------------------------------------------------

def _pct(values: list[float], p: float) -> float | None:
    return round(float(np.percentile(values, p)), 1) if values else None


def rates(records: Sequence[Record]) -> dict[str, Any]:
    n = len(records)
    counts = Counter(r.grade for r in records)
    lat = [r.latency_ms for r in records]
    out: dict[str, Any] = {"n": n}
    for g in GRADES:
        out[g] = counts[g]
    for g in GRADES:
        out[f"{g}_rate"] = round(counts[g] / n, 4) if n else None
    out["latency_p50_ms"] = _pct(lat, 50)
    out["latency_p90_ms"] = _pct(lat, 90)
    out["sources"] = dict(Counter((r.source or "none") for r in records).most_common())
    out["with_errors"] = sum(bool(r.errors) for r in records)
    return out


def summarize(records: Sequence[Record]) -> dict[str, Any]:
    """Per mode: overall, by language, by kind, by language x kind, by source; latency."""
    out: dict[str, Any] = {}
    for mode in sorted({r.mode for r in records}, key=lambda m: (m != "guarded", m)):
        rs = [r for r in records if r.mode == mode]
        srcs = sorted({"llm" if r.source == "llm" else (r.source or "none") for r in rs})
        out[mode] = {
            "overall": rates(rs),
            "by_language": {lang: rates(g) for lang in LANGUAGES
                            if (g := [r for r in rs if r.language == lang])},
            "by_kind": {k: rates(g) for k in KINDS if (g := [r for r in rs if r.kind == k])},
            "by_language_kind": {f"{lang}/{k}": rates(g) for lang in LANGUAGES for k in KINDS
                                 if (g := [r for r in rs if r.language == lang and r.kind == k])},
            "by_source": {s: rates([r for r in rs if (r.source or "none") == s]) for s in srcs},
            "latency_ms": {
                "all": {"p50": _pct([r.latency_ms for r in rs], 50),
                        "p90": _pct([r.latency_ms for r in rs], 90)},
                "llm": {"p50": _pct([r.latency_ms for r in rs if r.source == "llm"], 50),
                        "p90": _pct([r.latency_ms for r in rs if r.source == "llm"], 90)},
                "plugin": {"p50": _pct([r.latency_ms for r in rs if r.source.startswith("plugin:")], 50),
                           "p90": _pct([r.latency_ms for r in rs if r.source.startswith("plugin:")], 90)},
            },
        }
        wr = out[mode]["overall"]["wrong_rate"]
        out[mode]["meets_goal"] = wr is not None and wr <= GOAL_WRONG_RATE
    return out


def compare(summary: dict[str, Any], a: str = "baseline", b: str = "guarded") -> dict[str, Any]:
    """``b`` against ``a``: each rate's difference (b - a) and ratio (b / a), overall, per
    language and per kind; latency p50 ratio."""
    if a not in summary or b not in summary:
        return {}

    def diff(ra: dict, rb: dict) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for g in GRADES:
            x, y = ra[f"{g}_rate"], rb[f"{g}_rate"]
            row[g] = {a: x, b: y, "difference": round(y - x, 4) if None not in (x, y) else None,
                      "ratio": round(y / x, 3) if x else None}
        x, y = ra["latency_p50_ms"], rb["latency_p50_ms"]
        row["latency_p50_ratio"] = round(y / x, 3) if x and y else None
        return row

    sa, sb = summary[a], summary[b]
    return {
        "of": f"{b} vs {a}",
        "overall": diff(sa["overall"], sb["overall"]),
        "by_language": {k: diff(v, sb["by_language"][k]) for k, v in sa["by_language"].items()
                        if k in sb["by_language"]},
        "by_kind": {k: diff(v, sb["by_kind"][k]) for k, v in sa["by_kind"].items()
                    if k in sb["by_kind"]},
    }


def _group_of(by: str, key: str) -> Callable[[dict[str, Any]], Any]:
    """A mode's summary -> its ``by`` (by_language, by_kind) entry ``key``, or None."""
    return lambda s: s[by].get(key)


def _table(summary: dict[str, Any]) -> str:
    modes = list(summary)
    head = f"{'':14}" + "".join(f" | {m:^37}" for m in modes)
    sub = f"{'group':14}" + "".join(f" | {'n':>4} {'right':>6} {'abst':>6} {'wrong':>6} {'p50':>5} {'p90':>5}"
                                    for _ in modes)
    lines = [head, sub, "-" * len(sub)]
    first = summary[modes[0]]
    groups: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("overall", lambda s: s["overall"])]
    groups += [(lang, _group_of("by_language", lang)) for lang in first["by_language"]]
    groups += [(k, _group_of("by_kind", k)) for k in first["by_kind"]]
    for name, get in groups:
        row = f"{name:14}"
        for m in modes:
            r = get(summary[m])
            if r is None:
                row += f" | {'':37}"
                continue

            def pc(x: float | None) -> str:
                return f"{100 * x:5.1f}%" if x is not None else "     -"

            p50 = f"{r['latency_p50_ms']:5.0f}" if r["latency_p50_ms"] is not None else "    -"
            p90 = f"{r['latency_p90_ms']:5.0f}" if r["latency_p90_ms"] is not None else "    -"
            row += (f" | {r['n']:>4} {pc(r['correct_rate'])} {pc(r['abstained_rate'])} "
                    f"{pc(r['wrong_rate'])} {p50} {p90}")
        lines.append(row)
    return "\n".join(lines)


# -- the command ----------------------------------------------------------------------------

def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", default="heldout", choices=SETS,
                   help="question set: heldout (the reported figures) or calibration (for "
                        "fitting the guard's thresholds; never reported)")
    p.add_argument("--baseline", action="store_true",
                   help="also run with guard.enabled = false, in the same run, and compare")
    p.add_argument("--out", help="JSON report (default results/answers.json; "
                                 "results/answers-calibration.json for --set calibration)")
    p.add_argument("--limit", type=int, default=0, help="at most N questions per language and kind")
    p.add_argument("--kinds", default="", help=f"comma-separated, of {','.join(KINDS)}")
    p.add_argument("--languages", default="", help="comma-separated, of hi,en,hinglish")
    p.add_argument("--quiet", action="store_true", help="no line per question")
    p.add_argument("--seed", type=int, default=0,
                   help="the LLM's sampling seed (llm.seed) for the run, so that two runs, or "
                        "a before and an after, differ only where the code does; -1: the "
                        "config's (random by default, as users get)")


def _split(arg: str, known: Sequence[str], what: str) -> list[str]:
    chosen = [x.strip() for x in arg.split(",") if x.strip()]
    unknown = [x for x in chosen if x not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return chosen


def run(args: argparse.Namespace) -> int:
    from vaani.assistant import load_config

    items = select(load_items(args.set), languages=_split(args.languages, LANGUAGES, "languages"),
                   kinds=_split(args.kinds, KINDS, "kinds"), limit=args.limit)
    if not items:
        print("no questions selected")
        return 2
    modes = ["guarded"] + (["baseline"] if args.baseline else [])
    with _throwaway_data_dir(load_config(args)) as models_dir:
        return _run(args, items, modes, models_dir)


@contextlib.contextmanager
def _throwaway_data_dir(config: Any):
    """The user's alarms and notes stay untouched: the skills' data directory is a temporary
    one for the run; the models are still read from where the config says."""
    from vaani.models import ModelStore

    models_dir = str(ModelStore.from_config(config).root)
    with fresh_data_dir():
        yield models_dir


@contextlib.contextmanager
def fresh_data_dir() -> Iterator[str]:
    """An empty skills' data directory (``VAANI_DATA_DIR``) while the block runs, removed
    after: each pass over the questions starts with no alarms or notes (fifty alarm
    questions asked over several passes fill the alarm skill and change its answers)."""
    old = os.environ.get("VAANI_DATA_DIR")
    with tempfile.TemporaryDirectory(prefix="vaani-bench-") as tmp:
        os.environ["VAANI_DATA_DIR"] = tmp
        try:
            yield tmp
        finally:
            if old is None:
                os.environ.pop("VAANI_DATA_DIR", None)
            else:
                os.environ["VAANI_DATA_DIR"] = old


def _run(args: argparse.Namespace, items: list, modes: list[str], models_dir: str) -> int:
    from vaani.assistant import Assistant, load_config
    from vaani.offline import block_network

    records: list[Record] = []
    setup: dict[str, Any] = {}
    started = time.time()
    for mode in modes:
        config = load_config(args)
        config.models.dir = models_dir
        config.assistant.language = "auto"       # resolved per question, as `vaani ask` does
        config.trace.enabled = False
        config.guard.enabled = mode == "guarded"
        if args.seed >= 0:
            config.llm.seed = args.seed
        setup[mode] = {"llm": {"engine": config.llm.engine, "model": config.llm.model,
                               "temperature": config.llm.temperature, "seed": config.llm.seed,
                               "max_tokens": config.llm.max_tokens,
                               "route_english": config.llm.route_english},
                       "guard": asdict(config.guard)}
        print(f"\n== {mode}: {len(items)} questions ({args.set}), guard "
              f"{'on' if config.guard.enabled else 'off'}, llm {config.llm.model}", flush=True)
        with fresh_data_dir(), block_network(), Assistant(config, needs=("llm",)) as assistant:
            setup[mode]["warmup_ms"] = {k: round(v) for k, v in assistant.warmup_ms.items()}
            records += ask_items(assistant, items, mode, args.set, tz=clock_zone(config),
                                 on_record=None if args.quiet else _print_record)
            # a plugin that kept failing is disabled for the rest of the run (as in a real
            # session): the figures after that are not the plugin's; say so
            setup[mode]["plugins_disabled"] = sorted(
                name for name, h in getattr(assistant.host, "health", {}).items() if h.disabled)
    summary = summarize(records)
    report = {
        "bench": "answers", "set": args.set, "questions": len(items),
        "goal": {"wrong_rate_max": GOAL_WRONG_RATE, "mode": "guarded"},
        "selection": {"languages": args.languages or "all", "kinds": args.kinds or "all",
                      "limit_per_language_kind": args.limit},
        "grading": "vaani/bench/answers.py (module doc)",
        "summary": summary, "comparison": compare(summary), "setup": setup,
        "machine": {"cpus": os.cpu_count(), "load_avg": _loadavg(),
                    "python": platform.python_version(), "platform": platform.platform()},
        "duration_s": round(time.time() - started, 1),
        "records": [asdict(r) for r in records],
    }
    print()
    print(_table(summary))
    for mode, s in summary.items():
        o = s["overall"]
        print(f"{mode}: wrong {100 * o['wrong_rate']:.1f}% (goal <= {100 * GOAL_WRONG_RATE:.0f}%: "
              f"{'met' if s['meets_goal'] else 'not met'}), sources {o['sources']}")
        if o["with_errors"] or setup[mode].get("plugins_disabled"):
            print(f"  {o['with_errors']} questions raised errors (records' 'errors'); plugins "
                  f"disabled during the run: {', '.join(setup[mode]['plugins_disabled']) or 'none'}")
    cmp = report["comparison"]
    if cmp:
        ov = cmp["overall"]
        print("guarded - baseline: " + ", ".join(
            f"{g} {100 * ov[g]['difference']:+.1f} pts" for g in GRADES)
            + f"; latency p50 x{ov['latency_p50_ratio']}")
    out = Path(args.out or DEFAULT_OUT[args.set])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"report: {out}")
    return 0


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _print_record(r: Record) -> None:
    reply = " ".join(r.reply.split())
    if len(reply) > 90:
        reply = reply[:87] + "..."
    print(f"{r.mode[:5]} {r.language:8} {r.kind:12} {r.grade:9} {r.latency_ms:6.0f} ms "
          f"{r.source or '-':18} {r.question[:50]!r} -> {reply!r} ({r.reason})", flush=True)
