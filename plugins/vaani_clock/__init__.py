"""Clock skill: the time, the date, the day of the week, in Hindi or English.

Answers "what time is it", "what's the date today", "what day is tomorrow", "समय क्या हुआ
है", "कितने बजे हैं", "आज कौन सा दिन है", "aaj ki tarikh kya hai", relative days ("कल कौन सा
दिन होगा" tomorrow, "कल कौन सा दिन था" yesterday: कल is told apart by the tense; "परसों",
"parso kya din hai" two days away), counting questions (:mod:`vaani_clock.calendar`: "what
day will it be in ten days", "if today is Monday, what day is it after two days", "which
month comes after March") and code-mixed forms, and nothing else: a question
about time in general ("tell me about time travel", "what time does the bank open",
"मीटिंग कितने बजे है") goes to the LLM. English questions must match one of a few sentence
shapes; Hindi ones (Devanagari or romanised) may use only a closed vocabulary of time words,
question words and fillers, so a word outside it means the question is about something else.

Config (``[plugins.clock]``): ``timezone`` (IANA name such as "Asia/Kolkata"; "" = the
computer's), ``hour_format`` (12 or 24, for English replies).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vaani.errors import ConfigError
from vaani.hookspecs import PluginContext, Reply, Tool, Utterance, hookimpl
from vaani.kit import ANY, Option, plugin_options
from vaani.language import keys, word_key, words
from vaani_clock import calendar
from vaani.textnorm.spoken import (ENGLISH_MONTHS, ENGLISH_WEEKDAYS, HINDI_MONTHS,
                                   HINDI_WEEKDAYS, hindi_time)

NAME = "clock"


# -- config ---------------------------------------------------------------------------------

def _zone(name: Any) -> tzinfo | None:
    if not isinstance(name, str):
        raise ValueError(f"expected a string, got {name!r}")
    if not name or name.lower() == "local":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"plugins.{NAME}.timezone: unknown time zone {name!r}",
                          hint='use an IANA name such as "Asia/Kolkata", or "" for '
                               "the computer's zone") from None


OPTIONS = plugin_options(
    NAME,
    Option("timezone", ANY, "", 'IANA name such as "Asia/Kolkata"; "" = the computer\'s zone',
           check=_zone),
    Option("hour_format", int, 12, "12 or 24, for English replies", choices=(12, 24)))


@dataclass(frozen=True)
class Settings:
    tz: tzinfo | None = None          # None: the computer's local zone
    hour_format: int = 12


def settings(table: dict[str, Any]) -> Settings:
    """Validated settings from the ``[plugins.clock]`` table (ConfigError names a bad key)."""
    values = OPTIONS.check(table)
    return Settings(values["timezone"] if "timezone" in table else None, values["hour_format"])


# -- understanding --------------------------------------------------------------------------

_PREAMBLE = re.compile(
    r"^(?:(?:hey|hi|hello|ok|okay|vaani|vani|so|and|um|uh|well|excuse me|sorry|please)\s)*"
    r"(?:(?:can|could|would|will) you (?:please )?(?:tell|give) me |(?:please )?tell me |"
    r"do you know |(?:may|can) i (?:know|ask) |i (?:want|would like) to know |"
    r"(?:let me know|give me) )?")
_SUFFIX = re.compile(
    r"(?:\s(?:please|now|right now|currently|exactly|at the moment|vaani|vani|thanks|"
    r"thank you|for me))*$")
_RELATIVE = r"(today|tomorrow|yesterday)"
_ENGLISH = (
    ("time", re.compile(
        r"what time is it|what time it is|what is the (?:current |exact )?time|"
        r"(?:the |current )time|what time do you have|what time have you got|"
        r"(?:what is )?the time and date|what is the time right|time check")),
    ("datetime", re.compile(r"(?:what is )?the (?:date and (?:the )?time|time and (?:the )?date)")),
    ("date", re.compile(
        rf"what is (?:the )?date(?: {_RELATIVE})?|what is {_RELATIVE} date|"
        rf"what date is it(?: {_RELATIVE})?|what date (?:is|was) {_RELATIVE}|"
        rf"which date is it(?: {_RELATIVE})?|{_RELATIVE} date|(?:the )?date {_RELATIVE}|"
        rf"(?:the |current |today )date|what is the date (?:of )?{_RELATIVE}|"
        rf"what was the date {_RELATIVE}|what will be the date {_RELATIVE}|what is {_RELATIVE}|"
        rf"what (?:the )?date (?:it )?is(?: {_RELATIVE})?|what {_RELATIVE} date is|"
        rf"what date it is(?: {_RELATIVE})?|which date is {_RELATIVE}")),
    ("day", re.compile(
        rf"(?:what|which) day (?:of the week )?(?:is|was) it(?: {_RELATIVE})?|"
        rf"(?:what|which) day (?:of the week )?(?:is|was) {_RELATIVE}|"
        rf"what is (?:the )?day(?: of the week)?(?: {_RELATIVE})?|what weekday is it|"
        rf"what is {_RELATIVE} day|(?:what|which) day (?:will|would) it be {_RELATIVE}|"
        rf"what day (?:will|would) {_RELATIVE} be")),
    ("month", re.compile(r"(?:what|which) month is it|what is the (?:current )?month")),
    # a follow-up in a conversation: "And the time?", "what about the date tomorrow?"
    ("time", re.compile(r"(?:and|what about|how about) (?:the |now the )?time")),
    ("date", re.compile(rf"(?:and|what about|how about) (?:the |today's )?date(?: {_RELATIVE})?")),
    ("day", re.compile(rf"(?:and|what about|how about) (?:the )?day(?: {_RELATIVE})?")),
    ("year", re.compile(r"(?:what|which) year is it|what is the (?:current )?year")),
)

# Hindi, Devanagari and romanised: intent words, question words, and what may surround them.
# How whisper-base writes these words in Hindi speech (seen in `vaani bench asr --set dev`
# and in the end-to-end tests on an AVX-512 CPU; none of them is another Hindi word): समय as
# समें, बता with a retroflex ट or a long आ, कितना/कितने without their न or with an extra आ,
# अभी as अपी/एपी, मुझे as मूजे.
_WHISPER = {
    "time": keys("समें".split()),
    "question": keys("बटा बटाओ बटाइए बटाइ बाता".split()),
    "how_many": keys("किता किते किताने".split()),
    "filler": keys("अपी एपी मूजे".split()),
}
_HI_INTENTS = {
    "time": keys("समय टाइम वक्त वक़्त बजे बजा बज time samay samai samaya waqt vakt vaqt baje "
                 "baja baj bje bajaa taim".split()) | _WHISPER["time"],
    "date": keys("तारीख तारीख़ तरीख दिनांक डेट date tarikh tareekh tarik dinank".split()),
    "day": keys("दिन वार day din vaar var".split()),
    "month": keys("महीना महिना month mahina mahinaa".split()),
    "year": keys("साल वर्ष year saal sal varsh".split()),
}
_HI_QUESTION = keys(
    "क्या कौन कौनसा कौनसी कौनसे बताओ बताइए बताइये बता बताना बताएं बताएँ बोलो बोलिए kya "
    "kaun kon konsa kaunsa konsi kaunsi batao bataiye bataye bata batana bataen bolo "
    "boliye".split()) | _WHISPER["question"]
# "how many": a fine way to ask the hour (कितने बजे) or the date (कितनी तारीख), but
# "कितने दिन/साल" asks for a count, which is not the clock's business
_HI_HOW_MANY = keys("कितने कितना कितनी kitne kitna kitni".split()) | _WHISPER["how_many"]
_HI_FILLER = keys(
    "अभी है हैं हुआ हुए हो रहा रहे रही गया गए ज़रा जरा मुझे प्लीज़ प्लीज अब इस सही ठीक "
    "घड़ी में जी तो कि कृपया दो दीजिए दीजिये दें वाणी हेलो यार भाई का की के सा सी से आज "
    "दोनों देखकर देख कर अच्छा dono dekh dekhkar kar achha acha accha "
    "और एंड एक्जैक्ट एक्जेक्ट चल आप तुम सकते सकती सकता सकें हफ़्ते हफ्ते सप्ताह please abhi hai "
    "hain hua hue ho raha rahe rahi hafte hafta saptah "
    "gaya gaye zara jara mujhe ab is sahi thik theek ghadi mein me mai ji to ki kripya do "
    "dijiye de vaani yaar bhai ka ke sa si se aaj aur and exact chal aap tum sakte sakti "
    "sakta hello hey ok okay".split()) | _WHISPER["filler"]
_TODAY = keys("आज aaj today".split())
_AND = keys("और aur and".split())
# Relative days: कल is both tomorrow and yesterday, told apart by the tense of the verb
# ("कल कौन सा दिन होगा" / "कल कौन सा दिन था"); with no tense (है, or none) it is tomorrow.
_RELATIVE_DAYS = {days: vocab for days, vocab in calendar.HI_DAYS.items() if days}
_FUTURE = calendar.HI_FUTURE
_PAST = calendar.HI_PAST | keys(["the"])     # romanised थे (after the English shapes failed)


@dataclass(frozen=True)
class Query:
    intent: str          # time | date | day | datetime | month | year
    offset_days: int = 0


def _english(text_words: tuple[str, ...]) -> Query | None:
    raw = " ".join(text_words)
    text = _PREAMBLE.sub("", raw, count=1)
    text = _SUFFIX.sub("", text, count=1).strip()
    if text == "time" and text != raw:          # "time please", "tell me time" (not "time")
        return Query("time")
    for intent, pattern in _ENGLISH:
        m = pattern.fullmatch(text)
        if m:
            rel = next((g for g in m.groups() if g), "")
            return Query(intent, {"tomorrow": 1, "yesterday": -1}.get(rel, 0))
    return None


def _hindi(text_words: tuple[str, ...]) -> Query | None:
    found: set[str] = set()
    question = how_many = False
    days: set[int] = set()            # 1: कल, 2: परसों
    tense = 0                         # +1 future, -1 past, 0 neither
    for w in text_words:
        k = word_key(w)
        intent = next((name for name, vocab in _HI_INTENTS.items() if k in vocab), None)
        relative = next((n for n, vocab in _RELATIVE_DAYS.items() if k in vocab), None)
        if intent:
            found.add(intent)
        elif relative:
            days.add(relative)
        elif k in _HI_QUESTION:
            question = True
        elif k in _HI_HOW_MANY:
            how_many = True
        elif k in _FUTURE:
            tense = tense or 1
        elif k in _PAST:
            tense = tense or -1
        elif k not in _HI_FILLER:
            return None
    if how_many and found & {"time", "date"} and not found & {"day", "month", "year"}:
        question = True
    if text_words and word_key(text_words[0]) in _AND and found:
        question = True               # a follow-up: "और आज की तारीख?", "aur time?"
    if not found or not question:
        return None
    if days:
        # "कल कौन सा दिन होगा": a day or a date; the time tomorrow, "आज और कल", "कल परसों"
        # are not questions the clock answers
        if len(days) > 1 or found - {"date", "day"} or any(word_key(w) in _TODAY
                                                           for w in text_words):
            return None
        offset = days.pop() * (-1 if tense < 0 else 1)
        return Query("date" if "date" in found else "day", offset)
    if "time" in found and found & {"date", "day"}:
        return Query("datetime")
    for intent in ("date", "day", "time", "month", "year"):
        if intent in found:
            return Query(intent)
    return None


def understand(text: str) -> Query | None:
    """What the user asks the clock, or None if it is not a clock question."""
    w = words(text)
    if not w or len(w) > 14:
        return None
    return _english(w) or _hindi(w)


# -- answering ------------------------------------------------------------------------------

class Clock:
    """The skill, with the clock and settings it answers from (``now`` is replaceable)."""

    def __init__(self, now: Callable[[], float] = time.time, config: Settings = Settings()) -> None:
        self.now = now
        self.config = config

    def current(self) -> datetime:
        return datetime.fromtimestamp(self.now(), self.config.tz).astimezone(self.config.tz)

    def handle(self, utterance: Utterance) -> Reply | None:
        query = understand(utterance.text)
        if query is None:
            return self.count(utterance)
        language = utterance.language if utterance.language in ("hi", "en") else "en"
        now = self.current()
        day = now + timedelta(days=query.offset_days)
        data = {"intent": query.intent, "time": now.strftime("%H:%M"),
                "date": day.date().isoformat(), "weekday": ENGLISH_WEEKDAYS[day.weekday()],
                "timezone": now.tzname() or ""}
        text = (self._hindi if language == "hi" else self._english)(query, now, day)
        return Reply(text, language, data)

    def count(self, utterance: Utterance) -> Reply | None:
        """A calendar question answered by counting (:mod:`vaani_clock.calendar`)."""
        found = calendar.understand(words(utterance.text))
        if found is None:
            return None
        q, shape = found
        language = "hi" if utterance.language == "hi" or shape == "hi" else "en"
        if isinstance(q, calendar.WeekdayIf):
            return Reply(calendar.weekday_answer(q, language), language,
                         {"intent": "weekday_if", "weekday": ENGLISH_WEEKDAYS[q.answer],
                          "given": ENGLISH_WEEKDAYS[q.weekday], "given_offset": q.anchor,
                          "offset": q.target})
        if isinstance(q, calendar.MonthNext):
            return Reply(calendar.month_answer(q, language), language,
                         {"intent": "month_order", "month": ENGLISH_MONTHS[q.answer],
                          "given": ENGLISH_MONTHS[q.month], "step": q.step})
        now = self.current()
        day = now + timedelta(days=q.offset)
        if language == "hi":
            said = (f"{HINDI_WEEKDAYS[day.weekday()]}, {day.day} {HINDI_MONTHS[day.month - 1]} "
                    f"{day.year}" if q.intent == "date" else HINDI_WEEKDAYS[day.weekday()])
        else:
            said = (f"{ENGLISH_WEEKDAYS[day.weekday()]}, {ENGLISH_MONTHS[day.month - 1]} "
                    f"{day.day}, {day.year}" if q.intent == "date"
                    else ENGLISH_WEEKDAYS[day.weekday()])
        return Reply(calendar.days_answer(q, said, language), language,
                     {"intent": q.intent, "offset": q.offset, "date": day.date().isoformat(),
                      "weekday": ENGLISH_WEEKDAYS[day.weekday()],
                      "timezone": now.tzname() or ""})

    def tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        """The LLM's ``clock`` tool: what an answer about the time or date needs."""
        now = self.current()
        return {"time": now.strftime("%H:%M"), "date": now.date().isoformat(),
                "weekday": ENGLISH_WEEKDAYS[now.weekday()]}

    def _english(self, q: Query, now: datetime, day: datetime) -> str:
        if self.config.hour_format == 24:
            clock = now.strftime("%H:%M")
        else:
            clock = f"{now.hour % 12 or 12}:{now.minute:02d} {'AM' if now.hour < 12 else 'PM'}"
        date = f"{ENGLISH_WEEKDAYS[day.weekday()]}, {ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}"
        which = {0: "Today is", 1: "Tomorrow is", -1: "Yesterday was",
                 2: "The day after tomorrow is",
                 -2: "The day before yesterday was"}[q.offset_days]
        if q.intent == "time":
            return f"It's {clock}."
        if q.intent == "datetime":
            return f"It's {clock} on {date}."
        if q.intent == "date":
            return f"{which} {date}."
        if q.intent == "day":
            return f"{which} {ENGLISH_WEEKDAYS[day.weekday()]}."
        if q.intent == "month":
            return f"It's {ENGLISH_MONTHS[now.month - 1]} {now.year}."
        return f"It's {now.year}."

    def _hindi(self, q: Query, now: datetime, day: datetime) -> str:
        said = hindi_time(now.hour, now.minute)
        clock = f"{said} हुए हैं" if said.endswith("मिनट") else f"{said} हैं"
        date = f"{HINDI_WEEKDAYS[day.weekday()]}, {day.day} {HINDI_MONTHS[day.month - 1]} {day.year}"
        if q.offset_days and q.intent in ("date", "day"):
            # "कल शनिवार होगा।", "कल गुरुवार था।", "परसों रविवार, 17 अगस्त 2025 होगा।"
            when = "कल" if abs(q.offset_days) == 1 else "परसों"
            said = date if q.intent == "date" else HINDI_WEEKDAYS[day.weekday()]
            return f"{when} {said} {'होगा' if q.offset_days > 0 else 'था'}।"
        if q.intent == "time":
            return f"अभी {clock}।"
        if q.intent == "datetime":
            return f"आज {date} है, और अभी {clock}।"
        if q.intent == "date":
            return f"आज {date} है।"
        if q.intent == "day":
            return f"आज {HINDI_WEEKDAYS[day.weekday()]} है।"
        if q.intent == "month":
            return f"अभी {HINDI_MONTHS[now.month - 1]} {now.year} चल रहा है।"
        return f"अभी साल {now.year} चल रहा है।"


# -- hooks ----------------------------------------------------------------------------------

_lock = threading.Lock()
_clock = Clock()


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    global _clock
    with _lock:
        _clock = Clock(ctx.now, settings(ctx.table))


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _clock.handle(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return _clock.handle(utterance)            # a pure function of the utterance


@hookimpl
def vaani_tools() -> list[Tool]:
    return [Tool("clock", "current local time and date", {},
                 lambda arguments, language: _clock.tool(arguments, language),
                 grounded=grounded, say=say)]


def grounded(arguments: dict[str, Any], utterance: str) -> bool:
    """The clock tool runs only for a question the clock skill itself understands: its
    result answers nothing else. A word test let through "आज हफ़्ते का कौन सा दिन है",
    worded from the result as the time (faithful, but not what was asked), and before that
    "the capital of India" and "what time is it in London"."""
    query = understand(utterance)
    return query is not None and query.offset_days == 0      # the tool reads now only


def say(result: dict[str, Any], language: str) -> str:
    """The clock's own wording of a tool result (time and date)."""
    when = datetime.fromisoformat(f"{result['date']}T{result['time']}")
    query = Query("datetime")
    return (_clock._hindi if language == "hi" else _clock._english)(query, when, when)


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["समय-तारीख़" if language == "hi" else "the time and date"]


@hookimpl
def vaani_shutdown() -> None:
    global _clock
    with _lock:
        _clock = Clock()
