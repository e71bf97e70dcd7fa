"""Calendar questions the clock answers by counting, in English, Hindi and romanised Hindi.

* Days from now: "what day will it be in ten days", "what date was it 3 days ago",
  "दस दिन बाद कौन सी तारीख होगी", "paanch din pehle kaunsa din tha" (real dates, from the
  clock; up to a year either way).
* Weekdays from a given day: "if today is Monday, what day is it after two days?", "if
  yesterday was Friday, what day is it today?", "अगर आज सोमवार है, तो दो दिन बाद कौन सा दिन
  होगा?", "agar kal Friday tha to aaj kaunsa din hai?" (no clock needed: the user's day).
* The order of months: "which month comes right after March?", "मार्च से पहले कौन सा महीना
  आता है?", "March ke baad kaunsa mahina aata hai?".

Precision first, like the rest of the clock: English questions must fit a few sentence
shapes; Hindi ones may use only the closed vocabulary below, so a word outside it ("अगर आज
सोमवार है तो दो दिन बाद मीटिंग कब है") leaves the question to the rest of VAANI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaani.language import keys, word_key
from vaani.numwords import parse_number
from vaani.textnorm.spoken import (ENGLISH_MONTHS, ENGLISH_WEEKDAYS, HINDI_MONTHS, HINDI_WEEKDAYS,
                                   WEEKDAY_SPELLINGS)

MAX_DAYS = 366


@dataclass(frozen=True)
class DaysFromNow:
    """The real day ``offset`` days from today: its weekday (``day``) or its date."""

    intent: str              # "day" | "date"
    offset: int


@dataclass(frozen=True)
class WeekdayIf:
    """Given that the day ``anchor`` days from today is ``weekday`` (0 = Monday), the
    weekday ``target`` days from today."""

    weekday: int
    anchor: int
    target: int

    @property
    def answer(self) -> int:
        return (self.weekday - self.anchor + self.target) % 7


@dataclass(frozen=True)
class MonthNext:
    """The month right after (``step`` 1) or before (-1) ``month`` (0 = January)."""

    month: int
    step: int

    @property
    def answer(self) -> int:
        return (self.month + self.step) % 12


Question = DaysFromNow | WeekdayIf | MonthNext


def _count(text: str) -> int | None:
    """A whole number of days said in digits or words ("10", "ten", "twenty one", "दस")."""
    n = parse_number(text)
    if n is None or n.denominator != 1 or not 0 < n <= MAX_DAYS:
        return None
    return int(n)


# -- English ---------------------------------------------------------------------------------

_WD_EN = "|".join(w.lower() for w in ENGLISH_WEEKDAYS)
_MONTH_EN = "|".join(m.lower() for m in ENGLISH_MONTHS)
_REL = (r"today|tomorrow|yesterday|the day after tomorrow|the day before yesterday|"
        r"day after tomorrow|day before yesterday")
_REL_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1, "the day after tomorrow": 2,
             "day after tomorrow": 2, "the day before yesterday": -2,
             "day before yesterday": -2}
_N = r"[a-z0-9][a-z0-9 -]*?"
_AHEAD = (rf"(?:in|after) (?P<a>{_N}) days?(?: from (?:now|today))?|"
          rf"(?P<b>{_N}) days? (?:from (?:now|today)|later|after|after today)")
_BACK = rf"(?P<c>{_N}) days? (?:ago|back|earlier|before|before today)"
_TARGET = rf"(?P<rel>{_REL})|{_AHEAD}|{_BACK}"
_VERB = r"is it|was it|will it be|would it be|is|was|will be|would be|it will be|it was|it is"
_DAY_Q = rf"(?:what|which) (?P<what>day|date|weekday)(?: of the week)?"
_ENGLISH_DAYS = (
    re.compile(rf"{_DAY_Q} (?:{_VERB})(?: (?:{_TARGET}))?"),
    re.compile(rf"(?:{_TARGET}),? {_DAY_Q} (?:{_VERB})"),
    re.compile(rf"{_DAY_Q} (?:will|would) (?:{_TARGET}) be"),
)
_IF = re.compile(
    rf"if (?:(?P<arel>{_REL}) (?:is|was|will be|were|would be) (?P<wd>{_WD_EN})|"
    rf"it (?:is|was|will be) (?P<wd2>{_WD_EN}) (?P<arel2>{_REL}))(?: then)? (?P<q>.+)")
_MONTH_Q = (
    re.compile(rf"(?:what|which) month (?:comes |is |falls )?(?:right |just |immediately )?"
               rf"(?P<dir>after|before) (?P<m>{_MONTH_EN})"),
    re.compile(rf"(?:what|which) is the month (?:right |just |immediately )?"
               rf"(?P<dir>after|before) (?P<m>{_MONTH_EN})"),
    re.compile(rf"what comes (?:right |just |immediately )?(?P<dir>after|before) "
               rf"(?P<m>{_MONTH_EN})"),
)
_LEAD = re.compile(r"^(?:(?:hey|hi|ok|okay|vaani|vani|so|and|please|tell me|can you tell me|"
                   r"could you tell me|do you know|may i know|can i know|now)\s)*")


def _target(m: re.Match[str]) -> int | None:
    """The offset a matched day phrase names (None: a number that is not one)."""
    if m.group("rel"):
        return _REL_DAYS[m.group("rel")]
    for name, sign in (("a", 1), ("b", 1), ("c", -1)):
        said = m.group(name)
        if said:
            n = _count(said)
            return None if n is None else sign * n
    return 0


def english(w: tuple[str, ...]) -> Question | None:
    text = _LEAD.sub("", " ".join(w), count=1)
    for pattern in _MONTH_Q:
        m = pattern.fullmatch(text)
        if m:
            return MonthNext([x.lower() for x in ENGLISH_MONTHS].index(m.group("m")),
                             1 if m.group("dir") == "after" else -1)
    m = _IF.fullmatch(text)
    if m:
        weekday = [x.lower() for x in ENGLISH_WEEKDAYS].index(m.group("wd") or m.group("wd2"))
        anchor = _REL_DAYS[m.group("arel") or m.group("arel2")]
        for pattern in _ENGLISH_DAYS:
            q = pattern.fullmatch(m.group("q"))
            if q and q.group("what") != "date":
                target = _target(q)
                return None if target is None else WeekdayIf(weekday, anchor, target)
        return None
    for pattern in _ENGLISH_DAYS:
        q = pattern.fullmatch(text)
        if q and not q.group("rel") and any(q.group(g) for g in "abc"):
            target = _target(q)        # today/tomorrow/yesterday: the clock's own shapes
            if target is None:
                return None
            return DaysFromNow("date" if q.group("what") == "date" else "day", target)
    return None


# -- Hindi and romanised Hindi ---------------------------------------------------------------

_HI_WEEKDAYS = [keys(names) for names in WEEKDAY_SPELLINGS]
_HI_MONTHS = [keys([hi, en.lower()]) for hi, en in zip(HINDI_MONTHS, ENGLISH_MONTHS)]
_HI_IF = keys("अगर यदि agar yadi".split())
_HI_THEN = keys("तो to".split())
# आज, कल (tomorrow or yesterday, by the verb's tense), परसों (two days either way); the
# clock's own relative-day questions use these too
HI_DAYS = {0: keys("आज aaj aj".split()), 1: keys("कल kal kall".split()),
           2: keys("परसों परसो parso parson parsoon parsun parsom".split())}
_HI_PRESENT = keys("है हैं hai hain".split())
HI_FUTURE = keys("होगा होगी होंगे रहेगा रहेगी रहेंगे hoga hogi honge rahega rahegi "
                 "rahenge".split())
HI_PAST = keys("था थी थे tha thi".split())
_HI_DAY = keys("दिन वार din vaar var".split())
_HI_DATE = keys("तारीख तारीख़ दिनांक tarikh tareekh".split())
_HI_MONTH = keys("महीना महिना mahina mahinaa".split())
_HI_AFTER = keys("बाद baad bad".split())
_HI_BEFORE = keys("पहले पहिले pehle pahle".split())
_HI_QUESTION = keys("कौन कौनसा कौनसी कौनसे क्या kaun kon kaunsa konsa kaunsi konsi kya "
                    "बताओ बताइए batao bataiye".split())
_HI_FILLER = keys("सा सी से के का की में ठीक एकदम आता आती आएगा आएगी होता होती जी वाणी "
                  "sa si se ke ka ki mein me theek thik ekdam aata aati aayega aayegi hota "
                  "hoti ji vaani".split())


def _tense(ks: list[str]) -> int:
    for k in ks:
        if k in HI_PAST:
            return -1
        if k in HI_FUTURE:
            return 1
    return 0


def _hindi_target(ks: list[str]) -> tuple[int, str] | None:
    """(offset, what is asked: "day"/"date") of a Hindi question clause, or None."""
    what, rel, n = None, None, None
    i = 0
    question = False
    while i < len(ks):
        k = ks[i]
        if i + 2 < len(ks) and ks[i + 1] in _HI_DAY and \
                (ks[i + 2] in _HI_AFTER or ks[i + 2] in _HI_BEFORE):      # "दो दिन बाद"
            count = _count(k)
            if count is None or n is not None:
                return None
            n = count if ks[i + 2] in _HI_AFTER else -count
            i += 3
            continue
        if k in _HI_DAY or k in _HI_DATE:
            if what is not None:
                return None
            what = "date" if k in _HI_DATE else "day"
        elif any(k in v for v in HI_DAYS.values()):
            if rel is not None:
                return None
            rel = next(d for d, v in HI_DAYS.items() if k in v)
        elif k in _HI_QUESTION:
            question = True
        elif not (k in _HI_FILLER or k in _HI_PRESENT or k in HI_FUTURE or k in HI_PAST):
            return None
        i += 1
    if not question or what is None or (rel is not None and n is not None):
        return None
    if n is not None:
        return n, what
    days = rel or 0
    return (days * (-1 if _tense(ks) < 0 else 1), what)


def hindi(w: tuple[str, ...]) -> Question | None:
    ks = [word_key(x) for x in w]
    months = [i for i, k in enumerate(ks) if any(k in m for m in _HI_MONTHS)]
    if months:
        return _hindi_month(ks, months)
    if ks and ks[0] in _HI_IF:
        return _hindi_if(ks[1:])
    if not any(k in _HI_AFTER or k in _HI_BEFORE for k in ks):
        return None                              # आज/कल/परसों: the clock's own shapes
    found = _hindi_target(ks)
    if found is None or found[0] == 0:
        return None
    return DaysFromNow(found[1], found[0])


def _hindi_if(ks: list[str]) -> WeekdayIf | None:
    found = next(((i, d) for i, k in enumerate(ks) for d, v in enumerate(_HI_WEEKDAYS)
                  if k in v), None)
    if found is None:
        return None
    at, weekday = found
    # the condition: up to "तो", else up to its verb after the weekday
    cut = next((i for i, k in enumerate(ks) if k in _HI_THEN), None)
    if cut is None:
        cut = next((i for i in range(at, len(ks))
                    if ks[i] in _HI_PRESENT or ks[i] in HI_PAST or ks[i] in HI_FUTURE), at)
        head, rest = ks[:cut + 1], ks[cut + 1:]
    else:
        head, rest = ks[:cut], ks[cut + 1:]
    anchor = None
    for k in head:
        if any(k in v for v in _HI_WEEKDAYS) or k in _HI_PRESENT or k in HI_FUTURE or \
                k in HI_PAST or k in _HI_FILLER:
            continue
        days = next((d for d, v in HI_DAYS.items() if k in v), None)
        if days is None or anchor is not None:
            return None
        anchor = days
    anchor = (anchor or 0) * (-1 if _tense(head) < 0 else 1)
    target = _hindi_target(rest)
    if target is None or target[1] != "day":
        return None
    return WeekdayIf(weekday, anchor, target[0])


def _hindi_month(ks: list[str], months: list[int]) -> MonthNext | None:
    if len(months) != 1:
        return None
    month = next(i for i, m in enumerate(_HI_MONTHS) if ks[months[0]] in m)
    step = None
    question = asked = False
    for i, k in enumerate(ks):
        if i == months[0]:
            continue
        if k in _HI_AFTER or k in _HI_BEFORE:
            if step is not None:
                return None
            step = 1 if k in _HI_AFTER else -1
        elif k in _HI_MONTH:
            asked = True
        elif k in _HI_QUESTION:
            question = True
        elif not (k in _HI_FILLER or k in _HI_PRESENT):
            return None
    if step is None or not (question and asked):
        return None
    return MonthNext(month, step)


def understand(w: tuple[str, ...]) -> tuple[Question, str] | None:
    """The calendar question in the words ``w`` and the language of its shape ("en", or
    "hi" for Hindi and romanised Hindi), or None."""
    if not w or len(w) > 20:
        return None
    q = english(w)
    if q is not None:
        return q, "en"
    q = hindi(w)
    return None if q is None else (q, "hi")


# -- wording ---------------------------------------------------------------------------------

def _en_when(days: int) -> tuple[str, str]:
    """("Tomorrow", "will be") for an offset from today."""
    from vaani.numwords import number_words

    named = {0: ("Today", "is"), 1: ("Tomorrow", "will be"), -1: ("Yesterday", "was"),
             2: ("The day after tomorrow", "will be"), -2: ("The day before yesterday", "was")}
    if days in named:
        return named[days]
    n = number_words(abs(days), "en")
    return (f"In {n} days", "it will be") if days > 0 else (f"{n.capitalize()} days ago", "it was")


def _hi_when(days: int) -> tuple[str, str]:
    """("कल", "होगा") for an offset from today."""
    from vaani.numwords import number_words

    named = {0: ("आज", "है"), 1: ("कल", "होगा"), -1: ("कल", "था"), 2: ("परसों", "होगा"),
             -2: ("परसों", "था")}
    if days in named:
        return named[days]
    n = number_words(abs(days), "hi")
    return (f"{n} दिन बाद", "होगा") if days > 0 else (f"{n} दिन पहले", "था")


def weekday_answer(q: WeekdayIf, language: str) -> str:
    day = q.answer
    if language == "hi":
        when, verb = _hi_when(q.target)
        return f"तो {when} {HINDI_WEEKDAYS[day]} {verb}।"
    when, verb = _en_when(q.target)
    return f"Then {when[0].lower() + when[1:]} {verb} {ENGLISH_WEEKDAYS[day]}."


def month_answer(q: MonthNext, language: str) -> str:
    if language == "hi":
        if q.step > 0:
            return f"{HINDI_MONTHS[q.month]} के बाद {HINDI_MONTHS[q.answer]} आता है।"
        return f"{HINDI_MONTHS[q.month]} से पहले {HINDI_MONTHS[q.answer]} आता है।"
    where = "after" if q.step > 0 else "before"
    return f"{ENGLISH_MONTHS[q.answer]} comes {where} {ENGLISH_MONTHS[q.month]}."


def days_answer(q: DaysFromNow, said: str, language: str) -> str:
    """``said``: the day's weekday or full date, already in ``language``."""
    if language == "hi":
        when, verb = _hi_when(q.offset)
        return f"{when} {said} {verb}।"
    when, verb = _en_when(q.offset)
    return f"{when} {verb} {said}."
