"""When, as people say it to an alarm clock: in Hindi, English and Hinglish.

:func:`scan` finds the time words of an utterance (each a :class:`Span` over its words):

* clock times: "5", "5 pm", "5:30", "5.30 baje", "six thirty", "half past five", "quarter to
  seven", "7 o'clock", "noon", "midnight", "पाँच बजे", "साढ़े पाँच बजे", "सवा छह", "पौने सात",
  "डेढ़ बजे", "छह बजकर बीस मिनट", "saade paanch baje";
* parts of the day: am/pm, morning/afternoon/evening/night/tonight, सुबह/दोपहर/शाम/रात,
  subah/dopahar/shaam/raat;
* days: today/tomorrow/the day after tomorrow, आज/कल/परसों, aaj/kal/parso, weekday names
  ("on Monday", "next Friday", "सोमवार को", "agle somvar");
* repeats: every day/daily/रोज़/हर रोज़/har din, weekdays, weekends, "every Monday and
  Thursday", "हर सोमवार", "Monday to Friday", "Mondays";
* relative times: "in 20 minutes", "after an hour", "20 minutes from now", "20 मिनट बाद",
  "दो घंटे में", "aadhe ghante baad";
* vague ones ("later", "थोड़ी देर बाद"), which the skill asks about rather than guessing.

A bare number is a clock time only where nothing else can be meant: after "at" ("at 5"), after
a part of the day ("सुबह 6"), or after "alarm for"/"reminder for"; "for 2 people" is not.

:func:`combine` merges the spans into one :class:`When` (or says what conflicts: two clock
times, "5 pm in the morning"), and :func:`resolve` turns a ``When`` into the moment it names
given the current time, or into a :class:`Problem` the skill asks back about: "at 5" is the
next 5 o'clock (the reply says which), but "tomorrow at 5" is 5 in the morning or in the
evening, so the skill asks instead of guessing; "wake me at 6 tomorrow" is 6 in the morning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from fractions import Fraction

from vaani.language import keys, to_ascii_digits, word_key, words
from vaani.numwords import DURATION_UNITS, durations, find_numbers
from vaani.textnorm.spoken import WEEKDAY_SPELLINGS

# -- words ----------------------------------------------------------------------------------

_CLOCK_TEXT = re.compile(r"(?<![\d:.,])(\d{1,2})\s?:\s?(\d{2})(?![\d:])")
_COLON = re.compile(r"^(\d{1,2}):(\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{2})$")


def twords(text: str) -> tuple[str, ...]:
    """:func:`vaani.language.words`, with "6:30" kept as one word (words() splits it)."""
    text = to_ascii_digits(text)
    out: list[str] = []
    pos = 0
    for m in _CLOCK_TEXT.finditer(text):
        out.extend(words(text[pos:m.start()]))
        out.append(f"{m.group(1)}:{m.group(2)}")
        pos = m.end()
    out.extend(words(text[pos:]))
    return tuple(out)


_BAJE = keys("बजे बजा बज बजें baje baja baj bje bajhe bajey bage".split())
_BAJKAR = keys("बजकर बजके bajkar bajke".split())
_KAR = keys("कर kar".split())
_MINUTE = DURATION_UNITS[60]
_UNITS = DURATION_UNITS[1] | DURATION_UNITS[60] | DURATION_UNITS[3600]
_AM = ("am", "a.m")
_PM = ("pm", "p.m")
_NOON = keys("noon midday नून".split())
_MIDNIGHT = keys("midnight मिडनाइट".split())
_HALF_WORDS = keys("आधी aadhi adhi".split())       # आधी रात: midnight
_PERIODS = {
    "morning": keys("morning mornings सुबह सुबहे सवेरे सबेरे प्रातः subah subha subeh savere "
                    "sawere savera".split()),
    "afternoon": keys("afternoon दोपहर दुपहर dopahar dopehar dophar dupahar dupehar".split()),
    "evening": keys("evening evenings शाम sham shaam saam".split()),
    "night": keys("night nights रात रात्रि raat raatri".split()),
}
_PERIOD_OF = {k: name for name, vocab in _PERIODS.items() for k in vocab}
_TONIGHT = keys("tonight".split())
_TODAY = keys("today aaj आज".split())
_TOMORROW = keys("tomorrow tommorow tomorow tommorrow kal kall कल".split())
_DAY_AFTER = keys("परसों परसो parso parson parsoon parsun parsom".split())
# the shared spellings, and the short forms said before a time ("mangal ko")
WEEKDAY_WORDS: tuple[frozenset[str], ...] = tuple(
    keys([*names, *extra]) for names, extra in zip(WEEKDAY_SPELLINGS, (
        (), ("mangal",), ("budh",), (), (), (), ())))
_WEEKDAY_OF = {k: i for i, vocab in enumerate(WEEKDAY_WORDS) for k in vocab}
_PLURAL_WEEKDAYS = {word_key(n + "s"): i for i, n in enumerate(
    "monday tuesday wednesday thursday friday saturday sunday".split())}
_EVERY = keys("every each har हर प्रत्येक pratyek".split())
_DAILY = keys("daily everyday रोज़ रोज रोज़ाना रोजाना रोज़ाना roz roj rozana rojana roza "
              "प्रतिदिन pratidin nitya नित्य".split())
_DAY_WORD = keys("day days din दिन roz रोज़ रोज".split())
_WEEKDAYS_WORD = keys("weekday weekdays वीकडे वीकडेज़ वीकडेज weekdey".split())
_WEEKEND_WORD = keys("weekend weekends वीकेंड वीकेंड्स".split())
_RANGE = keys("to through till until thru se से तक tak -".split())
_AND = keys("and aur और or , &".split())
_NEXT = keys("next agle अगले agla अगला coming".split())
_THIS = keys("this इस".split())
_IN = {"in", "within"}
_AFTER = {"after"}
_LATER = keys("later baad बाद बाद़".split())
_IN_HI = keys("में mein mai me mei".split())
_VAGUE = keys("later soon sometime baadmein".split())
_VAGUE_HI = keys("थोड़ी थोड़े कुछ thodi thode kuch".split())
_DER = keys("देर der dair".split())
# little words that belong to the time expression next to them
_BEFORE_CLOCK = {"at", "@", "by", "around", "about"}
_AFTER_TIME = keys("को ko पर pe par के ke का ka वाला wala वाले wale वाली wali".split())
_AFTER_PERIOD = keys("के ke को ko में mein me".split())
_BEFORE_PERIOD = ("in the", "at", "this", "in")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str           # clock | period | day | weekday | repeat | in | vague
    value: object


@dataclass(frozen=True)
class Clock:
    hour: int                         # 0-23 as said (a 12-hour dial reading: 1-12)
    minute: int
    h24: bool = False                 # said on a 24-hour dial (13:00, 07:00, noon, midnight)
    period: str = ""                  # am/pm said right after it
    midnight: bool = False


def _am_pm(w: Sequence[str], j: int) -> tuple[str, int]:
    """("am" | "pm" | "", words used) at ``w[j]``: "pm", "p m", "p.m"."""
    if j < len(w):
        if w[j] in ("am", "pm"):
            return w[j], 1
        if w[j] in ("a", "p") and j + 1 < len(w) and w[j + 1] == "m":
            return w[j] + "m", 2
    return "", 0


class _Scanner:
    def __init__(self, w: Sequence[str], roman: bool, answer: bool = False) -> None:
        self.answer = answer              # the words answer "when?": a lone "AM" is a time
        self.w = list(w)
        self.k = [word_key(x) for x in w]
        self.roman = roman
        self.numbers = {s.start: s for s in find_numbers(self.w, roman)}
        self.durations = {d.start: d for d in durations(self.w, roman)}
        self.n = len(w)

    # -- pieces --

    def key(self, i: int) -> str:
        return self.k[i] if 0 <= i < self.n else ""

    def clock(self, i: int, weak_ok: bool) -> tuple[int, Clock] | None:
        """A clock time starting at ``i``: (end, Clock). ``weak_ok``: a bare number will do."""
        if i >= self.n:
            return None
        tok = self.w[i]
        strong = False
        minute_said = False
        m = _COLON.match(tok)
        if self.key(i) in _NOON:
            return self._particles(i + 1, Clock(12, 0, h24=True))
        if self.key(i) in _MIDNIGHT:
            return self._particles(i + 1, Clock(0, 0, h24=True, midnight=True))
        if self.key(i) in _HALF_WORDS and self.key(i + 1) in _PERIODS["night"]:
            return self._particles(i + 2, Clock(0, 0, h24=True, midnight=True))
        if tok in ("half", "quarter") or (tok == "a" and self.w[i + 1:i + 2] == ["quarter"]):
            return self._past_to(i)
        if m:
            hour, minute = int(m.group(1)), int(m.group(2))
            h24 = hour == 0 or hour >= 13 or m.group(1).startswith("0")
            j, strong, minute_said = i + 1, True, True
        else:
            m = _DOTTED.match(tok)
            span = self.numbers.get(i)
            if m:
                hour, minute, h24, j = int(m.group(1)), int(m.group(2)), False, i + 1
                minute_said = True
            elif span is not None and span.end > span.start:
                value = span.value
                frac = value - int(value)
                if frac == 0 and 0 <= value <= 24:
                    hour, minute = int(value), 0
                elif frac in (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4)) and 1 <= value < 13:
                    hour, minute = int(value), int(frac * 60)     # साढ़े पाँच, सवा छह, पौने सात
                    minute_said = True
                else:
                    return None
                if hour == 24:
                    hour = 0
                h24 = hour == 0 or hour >= 13
                j = span.end
                # "six thirty", "6 30", "six oh five"
                nxt = self.numbers.get(j)
                if not minute_said and nxt is not None and self.key(nxt.end) not in _UNITS:
                    mv = nxt.value
                    if mv.denominator == 1 and 10 <= mv <= 59 and (
                            weak_ok or self._marker(nxt.end)):
                        minute, j, minute_said = int(mv), nxt.end, True
                elif not minute_said and self.w[j:j + 1] == ["oh"] and (j + 1) in self.numbers:
                    mv = self.numbers[j + 1].value
                    if mv.denominator == 1 and 1 <= mv <= 9:
                        minute, j, minute_said = int(mv), self.numbers[j + 1].end, True
            else:
                return None
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            return None
        # what follows the number: बजे, बजकर M मिनट, o'clock, am/pm
        period = ""
        if self.key(j) in _BAJE:
            strong = True
            j += 1
            if self.key(j) in _KAR:                      # "बज कर"
                j += 1
                j, minute, minute_said = self._minutes_after(j, minute, minute_said)
        elif self.key(j) in _BAJKAR or (self.key(j) in ("baj", "बज") and self.key(j + 1) in _KAR):
            strong = True
            j += 1 if self.key(j) in _BAJKAR else 2
            j, minute, minute_said = self._minutes_after(j, minute, minute_said)
        elif self.key(j) == "oclock":
            strong, j = True, j + 1
        elif self.w[j:j + 2] == ["o", "clock"]:
            strong, j = True, j + 2
        ampm, used = _am_pm(self.w, j)
        if ampm:
            if hour > 12 or hour == 0:
                return None
            period, strong, j = ampm, True, j + used
            if self.key(j) in _BAJE:                     # "5 pm baje" (Hinglish)
                j += 1
        if self.key(j) in _UNITS:                        # "at 5 minutes": a duration
            return None
        if not strong and not weak_ok:
            return None
        return self._particles(j, Clock(hour, minute, h24=h24, period=period))

    def _minutes_after(self, j: int, minute: int, said: bool) -> tuple[int, int, bool]:
        span = self.numbers.get(j)
        if span is not None and span.value.denominator == 1 and 0 <= span.value <= 59:
            j = span.end
            if self.key(j) in _MINUTE:
                j += 1
            return j, int(span.value), True
        return j, minute, said

    def _marker(self, j: int) -> bool:
        return (self.key(j) in _BAJE or self.key(j) == "oclock" or bool(_am_pm(self.w, j)[0]))

    def _past_to(self, i: int) -> tuple[int, Clock] | None:
        """"half past five", "quarter past 6", "a quarter to seven"."""
        j = i + (1 if self.w[i] != "a" else 2)
        minutes = 30 if self.w[j - 1] == "half" else 15
        if self.w[j:j + 1] not in (["past"], ["to"]):
            return None
        to = self.w[j] == "to"
        if to and minutes == 30:
            return None
        span = self.numbers.get(j + 1)
        if span is None or span.value.denominator != 1 or not 1 <= span.value <= 12:
            return None
        hour = int(span.value)
        if to:
            hour, minute = (hour - 1) or 12, 60 - minutes
        else:
            minute = minutes
        end = span.end
        ampm, used = _am_pm(self.w, end)
        return self._particles(end + used, Clock(hour, minute, period=ampm))

    def _particles(self, j: int, value: object) -> tuple[int, object]:
        while self.key(j) in _AFTER_TIME:
            j += 1
        return j, value

    def period(self, i: int) -> tuple[int, str] | None:
        k = self.key(i)
        if self.answer and self.w[i] in ("am", "pm"):     # "AM" answering "AM or PM?"
            return i + 1, self.w[i]
        if self.answer and self.w[i] in ("a", "p") and self.w[i + 1:i + 2] == ["m"]:
            return i + 2, self.w[i] + "m"
        if k in _PERIOD_OF:
            j = i + 1
            while self.key(j) in _AFTER_PERIOD:
                j += 1
            return j, _PERIOD_OF[k]
        return None

    def day(self, i: int) -> tuple[int, str, object] | None:
        """(end, "day" | "weekday", value) at ``i``."""
        k = self.key(i)
        if k in _TODAY:
            return self._after_day(i + 1, "day", 0)
        if k in _TOMORROW:
            return self._after_day(i + 1, "day", 1)
        if k in _DAY_AFTER:
            return self._after_day(i + 1, "day", 2)
        if self.w[i:i + 3] == ["day", "after", "tomorrow"]:
            return self._after_day(i + 3, "day", 2)
        nxt = k in _NEXT
        j = i + 1 if (nxt or k in _THIS) else i
        if self.key(j) in _WEEKDAY_OF and self.key(j + 1) not in _RANGE:
            return self._after_day(j + 1, "weekday", (self._WEEKDAY(j), nxt))
        return None

    def _WEEKDAY(self, j: int) -> int:   # noqa: N802
        return _WEEKDAY_OF[self.key(j)]

    def _after_day(self, j: int, kind: str, value: object) -> tuple[int, str, object]:
        while self.key(j) in ("को", "ko", "ke", "के"):
            j += 1
        return j, kind, value

    def repeat(self, i: int) -> tuple[int, frozenset[int], str] | None:
        """(end, weekdays, period said with it: "every morning") at ``i``."""
        k = self.key(i)
        every = k in _EVERY
        j = i + 1 if every else i
        kj = self.key(j)
        if every and kj in _DAILY:                        # हर रोज़
            return self._after_day(j + 1, "", 0)[0], DAILY, ""
        if k in _DAILY:                                   # रोज़ (सुबह: its own span)
            return self._after_day(i + 1, "", 0)[0], DAILY, ""
        if every and kj in _DAY_WORD:
            return self._after_day(j + 1, "", 0)[0], DAILY, ""
        if every and kj in _PERIOD_OF:                    # every morning: daily, in the morning
            return self._after_day(j + 1, "", 0)[0], DAILY, _PERIOD_OF[kj]
        if kj in _WEEKDAYS_WORD and (every or k in _WEEKDAYS_WORD or self.w[i - 1:i] == ["on"]):
            return self._after_day(j + 1, "", 0)[0], WEEKDAYS, ""
        if kj in _WEEKEND_WORD:
            return self._after_day(j + 1, "", 0)[0], WEEKENDS, ""
        if kj in _PLURAL_WEEKDAYS:                        # "Mondays"
            return self._more_days(j + 1, {_PLURAL_WEEKDAYS[kj]})
        if kj in _WEEKDAY_OF:
            first = _WEEKDAY_OF[kj]
            if self.key(j + 1) in _RANGE and self.key(j + 2) in _WEEKDAY_OF:
                last = _WEEKDAY_OF[self.key(j + 2)]
                days = {d % 7 for d in range(first, first + 7)
                        if (d - first) % 7 <= (last - first) % 7}
                end = j + 3
                while self.key(end) in _RANGE | {"को", "ko"}:        # सोमवार से शुक्रवार तक
                    end += 1
                return end, frozenset(days), ""
            if every:
                return self._more_days(j + 1, {first})
        return None

    def _more_days(self, j: int, days: set[int]) -> tuple[int, frozenset[int], str]:
        """"every Monday and Thursday", "Mondays, Wednesdays and Fridays"."""
        while True:
            k = j + 1 if self.key(j) in _AND else j
            kk = self.key(k)
            if kk in _WEEKDAY_OF:
                days.add(_WEEKDAY_OF[kk])
            elif kk in _PLURAL_WEEKDAYS:
                days.add(_PLURAL_WEEKDAYS[kk])
            else:
                break
            j = k + 1
        j = self._after_day(j, "", 0)[0]
        return j, frozenset(days), ""

    def relative(self, i: int) -> tuple[int, float] | None:
        """"in 20 minutes", "after an hour", "20 minutes from now", "20 मिनट बाद", "दो घंटे में"."""
        if self.w[i] in _IN | _AFTER and (i + 1) in self.durations:
            d = self.durations[i + 1]
            j = d.end
            if self.w[j:j + 2] == ["from", "now"]:
                j += 2
            elif self.key(j) in _LATER:
                j += 1
            return j, d.seconds
        d = self.durations.get(i)
        if d is None:
            return None
        j = d.end
        if self.w[j:j + 2] == ["from", "now"]:
            return j + 2, d.seconds
        if self.key(j) in _LATER:
            j += 1
            if self.key(j) in _IN_HI:                     # बाद में
                j += 1
            return j, d.seconds
        if self.key(j) in _IN_HI and self.roman:           # "20 मिनट में": Hindi only
            return j + 1, d.seconds
        return None

    def vague(self, i: int) -> int | None:
        k = self.key(i)
        if k in _VAGUE and self.w[i - 1:i] != ["a"]:
            return i + 1
        if self.w[i:i + 3] in (["in", "a", "bit"], ["in", "a", "while"]):
            return i + 3
        if k in _VAGUE_HI and self.key(i + 1) in _DER:
            j = i + 2
            if self.key(j) in _LATER | _IN_HI:
                j += 1
            if self.key(j) in _IN_HI:
                j += 1
            return j
        if k in _LATER and k != "later" and self.key(i + 1) in _IN_HI:
            return i + 2                                  # "बाद में" with no duration
        return None

    # -- the scan --

    def scan(self, weak_after: frozenset[int] = frozenset()) -> list[Span]:
        spans: list[Span] = []
        i = 0
        while i < self.n:
            found = self._at(i, spans, weak_after)
            if found is None:
                i += 1
                continue
            spans.append(found)
            i = found.end
        return spans

    def _at(self, i: int, spans: list[Span], weak_after: frozenset[int]) -> Span | None:
        w, k = self.w, self.key(i)
        after_period = bool(spans) and spans[-1].kind == "period" and spans[-1].end == i
        # repeats, days, relative times, vague times
        r = self.repeat(i)
        if r is not None:
            end, days, period = r
            return Span(i, end, "repeat", (days, period))
        if w[i] == "on" and i + 1 < self.n:
            r = self.repeat(i + 1)
            if r is not None:
                return Span(i, r[0], "repeat", (r[1], r[2]))
            d = self.day(i + 1)
            if d is not None and d[1] == "weekday":
                return Span(i, d[0], "weekday", d[2])
        d = self.day(i)
        if d is not None:
            return Span(i, d[0], d[1], d[2])
        if k in _TONIGHT:
            return Span(i, i + 1, "tonight", None)
        rel = self.relative(i)
        if rel is not None:
            return Span(i, rel[0], "in", rel[1])
        v = self.vague(i)
        if v is not None:
            return Span(i, v, "vague", None)
        # parts of the day: "in the morning", "at night", "this evening", "सुबह के"
        for before in _BEFORE_PERIOD:
            b = before.split()
            if w[i:i + len(b)] == b:
                p = self.period(i + len(b))
                if p is not None:
                    return Span(i, p[0], "period", p[1])
        p = self.period(i)
        if p is not None:
            return Span(i, p[0], "period", p[1])
        # clock times: "at 5", "alarm for 7", "सुबह 6", "5 बजे", "5 pm", "6:30"
        if w[i] in _BEFORE_CLOCK:
            c = self.clock(i + 1, weak_ok=True)
            if c is not None:
                return Span(i, c[0], "clock", c[1])
        if w[i] == "for" and (i - 1) in weak_after:
            c = self.clock(i + 1, weak_ok=True)
            if c is not None:
                return Span(i, c[0], "clock", c[1])
        c = self.clock(i, weak_ok=after_period or (i - 1) in weak_after)
        if c is not None:
            return Span(i, c[0], "clock", c[1])
        return None


DAILY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
WEEKENDS = frozenset((5, 6))


def scan(w: Sequence[str], roman: bool, weak_after: Sequence[int] = (),
         answer: bool = False) -> list[Span]:
    """The time words of ``w`` (from :func:`twords`), left to right. ``roman``: read romanised
    Hindi number words (``do`` is 2); ``weak_after``: indices of words after which a bare
    number is a clock time ("alarm for 7", "alarm 7"); ``answer``: the words answer a
    question about the time, so a lone "7" or "AM" is one."""
    if answer:
        weak_after = [*weak_after, -1]
    return _Scanner(w, roman, answer).scan(frozenset(weak_after))


# -- one expression -------------------------------------------------------------------------

@dataclass(frozen=True)
class When:
    """The time an utterance names (all parts optional)."""

    clock: Clock | None = None
    period: str = ""                     # am | pm | morning | afternoon | evening | night
    day: int | None = None               # 0 today, 1 tomorrow, 2 the day after
    weekday: int | None = None           # 0 Monday ... 6 Sunday (the next one)
    next_week: bool = False              # "next Monday": not today
    repeat: frozenset[int] = frozenset()  # weekdays it repeats on
    seconds: float = 0.0                 # "in 20 minutes"
    vague: bool = False                  # "later", "थोड़ी देर बाद"
    spans: tuple[Span, ...] = field(default=(), compare=False)
    periods: tuple[str, ...] = ()        # every part of the day said ("7 pm tonight")

    @property
    def empty(self) -> bool:
        return (self.clock is None and not self.period and self.day is None
                and self.weekday is None and not self.repeat and not self.seconds
                and not self.vague)


class Conflict(ValueError):
    """Time words that contradict each other ("at 5 ... at 6", "5 pm in the morning")."""


# the hours each part of the day allows: "7 pm tonight" agree, "5 pm in the morning" do not
_PERIOD_HOURS = {"am": set(range(0, 12)), "pm": set(range(12, 24)), "morning": set(range(3, 12)),
                 "afternoon": set(range(12, 17)), "evening": set(range(15, 24)),
                 "night": set(range(19, 24)) | set(range(0, 5))}
# which reading wins when several are said: night knows "2 am tonight" is after midnight
_PERIOD_ORDER = ("night", "am", "pm", "morning", "afternoon", "evening")


def combine(spans: Sequence[Span]) -> When:
    """The spans of one utterance as one :class:`When`; :class:`Conflict` when they disagree."""
    clocks = [s.value for s in spans if s.kind == "clock"]
    periods = [s.value for s in spans if s.kind == "period"]
    days = [s.value for s in spans if s.kind == "day"]
    weekdays = [s.value for s in spans if s.kind == "weekday"]
    repeats = [s.value for s in spans if s.kind == "repeat"]
    rel = [s.value for s in spans if s.kind == "in"]
    if any(s.kind == "tonight" for s in spans):
        days.append(0)
        periods.append("night")
    for c in clocks:
        assert isinstance(c, Clock)
        if c.period:
            periods.append(c.period)
    for days_, period in repeats:                      # type: ignore[misc]
        if period:
            periods.append(period)
    if len(set(clocks)) > 1 or len(set(days)) > 1 or len(weekdays) > 1 or len(repeats) > 1 \
            or len(rel) > 1:
        raise Conflict("two times")
    if periods and not set.intersection(*(_PERIOD_HOURS[p] for p in periods)):
        raise Conflict("two parts of the day")
    if rel and (clocks or days or weekdays or repeats or periods):
        raise Conflict("a relative time and a clock time")
    if (days and weekdays) or (repeats and (days or weekdays)):
        raise Conflict("two days")
    ordered = tuple(p for p in _PERIOD_ORDER if p in periods)
    period = ordered[0] if ordered else ""
    repeat = frozenset()
    if repeats:
        repeat = repeats[0][0]                         # type: ignore[index]
    weekday, next_week = (weekdays[0] if weekdays else (None, False))  # type: ignore[misc]
    return When(clocks[0] if clocks else None, period, days[0] if days else None,
                weekday, next_week, repeat, float(rel[0]) if rel else 0.0,
                any(s.kind == "vague" for s in spans), tuple(spans), ordered)


def parse(text: str, roman: bool, weak_after_words: frozenset[str] = frozenset()) -> When:
    """The one time ``text`` names (:class:`Conflict` if it names two)."""
    w = twords(text)
    weak = [i for i, x in enumerate(w) if word_key(x) in weak_after_words]
    return combine(scan(w, roman, weak))


# -- resolving ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """Why a :class:`When` names no single moment: the skill asks back or declines."""

    reason: str          # no_time | no_clock | ampm | passed | bad_period | vague | too_far
    options: tuple[datetime, ...] = ()     # ampm: the two moments it could be


@dataclass(frozen=True)
class Moment:
    """A resolved time: when it is first due, and how it repeats."""

    due: datetime
    hour: int
    minute: int
    repeat: frozenset[int] = frozenset()
    relative: float = 0.0                  # seconds, for "in 20 minutes"
    chosen: bool = False                   # am/pm chosen as the next such time ("at 5")


MAX_AHEAD = timedelta(days=366)


def local(day: date, hour: int, minute: int, tz: tzinfo | None) -> datetime:
    """``day`` at ``hour:minute`` in ``tz`` (None: the computer's zone), as an aware datetime."""
    if tz is None:
        return datetime(day.year, day.month, day.day, hour, minute).astimezone()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def hours(clock: Clock, period: str) -> list[tuple[int, int]] | None:
    """(hour 0-23, days later) the clock reading can mean with ``period``; None: it cannot
    be read with that part of the day ("5 बजे सुबह" fine, "सुबह 9 बजे रात" not)."""
    h = clock.hour
    if clock.h24:
        if clock.midnight:
            return [(0, 1)] if period in ("", "night", "am") else None
        if not period:
            return [(h, 0)]
        ok = {"am": h < 12, "pm": h >= 12, "morning": 3 <= h < 12, "afternoon": 12 <= h < 17,
              "evening": 15 <= h < 24, "night": h >= 19 or h < 5}[period]
        return [(h, 1 if period == "night" and h < 5 else 0)] if ok else None
    if period == "am":
        return [(h % 12, 0)]
    if period == "pm":
        return [(h % 12 + 12, 0)]
    if period == "morning":
        return [(h, 0)] if 1 <= h <= 11 else None
    if period == "afternoon":
        if h == 12:
            return [(12, 0)]
        return [(h + 12, 0)] if 1 <= h <= 6 else None
    if period == "evening":
        return [(h + 12, 0)] if 3 <= h <= 11 else None
    if period == "night":
        if 7 <= h <= 11:
            return [(h + 12, 0)]
        if h == 12:
            return [(0, 1)]
        return [(h, 1)] if 1 <= h <= 5 else None
    return [(h % 12, 0), (h % 12 + 12, 0)]


def resolve(when: When, now: datetime, tz: tzinfo | None, wake: bool = False) -> Moment | Problem:
    """The moment ``when`` names, said at ``now`` (aware, in ``tz``); a :class:`Problem` when
    it names none or more than one."""
    if when.seconds:
        due = now + timedelta(seconds=when.seconds)
        if due - now > MAX_AHEAD:
            return Problem("too_far")
        return Moment(due, due.hour, due.minute, relative=when.seconds)
    if when.vague:
        return Problem("vague")
    if when.clock is None:
        if when.day is not None or when.weekday is not None or when.repeat or when.period:
            return Problem("no_clock")
        return Problem("no_time")
    options = None
    for period in when.periods or (when.period,):       # "6 pm tonight": pm reads it
        options = hours(when.clock, period)
        if options is not None:
            break
    if options is None:
        return Problem("bad_period")
    minute = when.clock.minute
    today = now.date()
    dated = when.day is not None or when.weekday is not None or bool(when.repeat)
    chosen = False
    if len(options) == 2:
        if wake and 3 <= when.clock.hour <= 11 and dated:
            options = options[:1]                     # "wake me at 6 tomorrow": the morning
        elif dated and when.day != 0:
            moments = tuple(sorted(_first(when, h, shift, minute, now, tz) or now
                                   for h, shift in options))
            return Problem("ampm", moments)
        else:
            chosen = True                             # "at 5": the next 5 o'clock
    found = [m for m in (_first(when, h, shift, minute, now, tz) for h, shift in options)
             if m is not None]
    if not found:
        return Problem("passed")
    due = min(found)
    if due - now > MAX_AHEAD:
        return Problem("too_far")
    repeat = when.repeat
    if repeat:
        shift = next(s for h, s in options if h == due.hour)
        repeat = frozenset((d + shift) % 7 for d in repeat)
    return Moment(due, due.hour, minute, repeat, chosen=chosen)


def _first(when: When, hour: int, shift: int, minute: int, now: datetime,
           tz: tzinfo | None) -> datetime | None:
    """The first time at ``hour:minute`` that ``when``'s day words allow, after ``now``."""
    today = now.date()
    if when.day is not None:
        at = local(today + timedelta(days=when.day + shift), hour, minute, tz)
        return at if at > now else None
    if when.repeat or when.weekday is not None:
        days = when.repeat or frozenset({when.weekday})        # type: ignore[arg-type]
        for ahead in range(0, 8):
            day = today + timedelta(days=ahead)
            if day.weekday() not in days or (when.next_week and ahead == 0):
                continue
            at = local(day + timedelta(days=shift), hour, minute, tz)
            if at > now:
                return at
        return None
    for ahead in (0, 1):                      # no day said: the next such time
        at = local(today + timedelta(days=ahead), hour, minute, tz)
        if at > now:
            return at
    return None


def next_after(after: datetime, hour: int, minute: int, repeat: frozenset[int],
               tz: tzinfo | None) -> datetime | None:
    """The next time a repeating alarm rings after ``after`` (None when it does not repeat)."""
    if not repeat:
        return None
    day = after.date()
    for ahead in range(0, 9):
        d = day + timedelta(days=ahead)
        if d.weekday() in repeat:
            at = local(d, hour, minute, tz)
            if at > after:
                return at
    return None


