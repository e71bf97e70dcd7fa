"""How the alarm skill says times, days and its alarms, in Hindi and English.

English replies use digits ("7:00 AM", shown as well as spoken; the normaliser says them),
Hindi replies the way times are said ("सुबह साढ़े छह बजे"), as the clock and timer do.
"""

from __future__ import annotations

from datetime import date, datetime

from vaani.numwords import hindi_words
from vaani.textnorm.spoken import (ENGLISH_MONTHS, ENGLISH_WEEKDAYS, HINDI_MONTHS,
                                   HINDI_WEEKDAYS, english_duration, hindi_clock,
                                   hindi_day_period, hindi_duration)

from vaani_alarms.store import Alarm
from vaani_alarms.when import DAILY, WEEKDAYS, WEEKENDS


def en_clock(hour: int, minute: int) -> str:
    """"7:00 AM", "12:30 PM"."""
    return f"{hour % 12 or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def hi_clock(hour: int, minute: int) -> str:
    """"सुबह सात बजे", "शाम साढ़े पाँच बजे", "रात बारह बजे"."""
    return f"{hindi_day_period(hour)} {hindi_clock(hour, minute)}"


def _join(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def en_day(day: date, today: date) -> str:
    """"today", "tomorrow", "yesterday", "on Monday", "on Monday, March 16"."""
    ahead = (day - today).days
    if ahead == 0:
        return "today"
    if ahead == 1:
        return "tomorrow"
    if ahead == -1:
        return "yesterday"
    name = ENGLISH_WEEKDAYS[day.weekday()]
    if 2 <= ahead <= 6:
        return f"on {name}"
    return f"on {name}, {ENGLISH_MONTHS[day.month - 1]} {day.day}"


def hi_day(day: date, today: date) -> str:
    """"आज", "कल", "परसों", "सोमवार को", "सोमवार, 16 मार्च को"."""
    ahead = (day - today).days
    if ahead == 0:
        return "आज"
    if abs(ahead) == 1:
        return "कल"
    if abs(ahead) == 2:
        return "परसों"
    name = HINDI_WEEKDAYS[day.weekday()]
    if 3 <= ahead <= 6:
        return f"{name} को"
    return f"{name}, {day.day} {HINDI_MONTHS[day.month - 1]} को"


def en_repeat(days: frozenset[int]) -> str:
    if days == DAILY:
        return "every day"
    if days == WEEKDAYS:
        return "every weekday"
    if days == WEEKENDS:
        return "every weekend"
    return "every " + _join([ENGLISH_WEEKDAYS[d] for d in sorted(days)], "and")


def hi_repeat(days: frozenset[int]) -> str:
    if days == DAILY:
        return "हर रोज़"
    if days == WEEKDAYS:
        return "सोमवार से शुक्रवार हर रोज़"
    return "हर " + _join([HINDI_WEEKDAYS[d] for d in sorted(days)], "और")


def en_when(due: datetime, now: datetime, repeat: frozenset[int] = frozenset()) -> str:
    """"7:00 AM tomorrow", "6:00 AM every weekday", "5:00 PM on Monday"."""
    clock = en_clock(due.hour, due.minute)
    return f"{clock} {en_repeat(repeat) if repeat else en_day(due.date(), now.date())}"


def hi_when(due: datetime, now: datetime, repeat: frozenset[int] = frozenset()) -> str:
    """"कल सुबह सात बजे", "हर रोज़ सुबह छह बजे", "सोमवार को शाम पाँच बजे"."""
    clock = hi_clock(due.hour, due.minute)
    return f"{hi_repeat(repeat) if repeat else hi_day(due.date(), now.date())} {clock}"


def duration(seconds: float, language: str) -> str:
    return hindi_duration(seconds) if language == "hi" else english_duration(seconds)


def count_hi(n: int) -> str:
    return hindi_words(n)


# -- an alarm, described ---------------------------------------------------------------------

def describe(alarm: Alarm, due: datetime, now: datetime, language: str) -> str:
    """An alarm in a list: "an alarm at 7:00 AM tomorrow", "a reminder at 5:00 PM today:
    call your mom" / "कल सुबह सात बजे का अलार्म", "आज शाम पाँच बजे का रिमाइंडर: ..."."""
    if language == "hi":
        when = hi_when(due, now, alarm.repeat)
        if alarm.kind == "reminder":
            return f"{when} का रिमाइंडर" + (f": {alarm.label}" if alarm.label else "")
        return (f"{alarm.label} के लिए " if alarm.label else "") + f"{when} का अलार्म"
    when = en_when(due, now, alarm.repeat)
    if alarm.kind == "reminder":
        return f"a reminder at {when}" + (f": {alarm.label}" if alarm.label else "")
    return (f"a {alarm.label} alarm" if alarm.label else "an alarm") + f" at {when}"


def ring_text(alarm: Alarm, due: datetime, language: str) -> str:
    """What VAANI says when an alarm or reminder is due. It names the time it was set for,
    never "it is now ...": after a suspended laptop wakes up it may ring late."""
    if language == "hi":
        clock = hi_clock(alarm.hour, alarm.minute)
        if alarm.kind == "reminder":
            return (f"याद दिला रही हूँ: {alarm.label}।" if alarm.label
                    else f"आपका {clock} का रिमाइंडर।")
        if alarm.wake:
            return f"उठने का समय हो गया! {clock} का अलार्म।"
        name = f"{alarm.label} का " if alarm.label else ""
        return f"आपका {clock} का {name}अलार्म बज रहा है।"
    clock = en_clock(alarm.hour, alarm.minute)
    if alarm.kind == "reminder":
        return f"Reminder: {alarm.label}." if alarm.label else f"Your {clock} reminder."
    if alarm.wake:
        return f"Time to wake up! Your {clock} alarm."
    name = f"{alarm.label} " if alarm.label else ""
    return f"Your {clock} {name}alarm."


def missed_text(missed: list[tuple[Alarm, datetime]], now: datetime, language: str) -> str:
    """One sentence for everything that was due while VAANI was not running."""
    items = []
    for alarm, due in missed[:5]:
        if language == "hi":
            when = f"{hi_day(due.date(), now.date())} {hi_clock(due.hour, due.minute)}"
            what = "रिमाइंडर" if alarm.kind == "reminder" else "अलार्म"
            items.append(f"{when} का {what}" + (f": {alarm.label}" if alarm.label else ""))
        else:
            when = f"{en_clock(due.hour, due.minute)} {en_day(due.date(), now.date())}"
            if alarm.kind == "reminder":
                items.append(f"a reminder at {when}" + (f": {alarm.label}" if alarm.label
                                                        else ""))
            else:
                items.append(f"your alarm at {when}")
    more = len(missed) - len(items)
    if language == "hi":
        text = "जब मैं बंद थी, तब ये छूट गए: " + "; ".join(items)
        return text + (f"; और {count_hi(more)} और।" if more else "।")
    text = "While I was off, you missed " + "; ".join(items)
    return text + (f"; and {more} more." if more else ".")
