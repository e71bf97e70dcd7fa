"""The clock's counting questions (vaani_clock.calendar): days from now, weekdays from a
given day, the order of months; in English, Hindi and romanised Hindi, through the real
plugin host with a frozen clock (Friday, 15 August 2025, in India)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.plugins.skillhost import SKILLS, ask, host_of
from tests.plugins.test_clock import FROZEN, NOT_RELATIVE
from vaani.plugins import PluginHost
from vaani_clock import calendar


@pytest.fixture(scope="module")
def host() -> Iterator[PluginHost]:
    h = host_of(SKILLS, {"clock": {"timezone": "Asia/Kolkata"},
                         "smalltalk": {"timezone": "Asia/Kolkata"}}, now=lambda: FROZEN)
    yield h
    h.shutdown()


# (question, reply): the whole reply, so a wrong day or a wrong tense fails
WEEKDAY_IF = [
    ("If today is Monday, what day is it after two days?",
     "Then the day after tomorrow will be Wednesday."),
    ("If yesterday was Friday, what day is it today?", "Then today is Saturday."),
    ("if tomorrow is Sunday, what day was it yesterday", "Then yesterday was Friday."),
    ("If today is Wednesday, what day will it be in ten days?",
     "Then in ten days it will be Saturday."),
    ("if it is Tuesday today then what day was it 3 days ago",
     "Then three days ago it was Saturday."),
    ("अगर आज सोमवार है, तो दो दिन बाद कौन सा दिन होगा?", "तो परसों बुधवार होगा।"),
    ("अगर कल शुक्रवार था, तो आज कौन सा दिन है?", "तो आज शनिवार है।"),
    ("यदि कल रविवार होगा तो परसों कौन सा दिन होगा", "तो परसों सोमवार होगा।"),
    ("अगर आज गुरुवार है तो दस दिन पहले कौन सा दिन था", "तो दस दिन पहले सोमवार था।"),
    ("Agar aaj Monday hai to do din baad kaunsa din hoga?", "तो परसों बुधवार होगा।"),
    ("Agar kal Friday tha, to aaj kaunsa din hai?", "तो आज शनिवार है।"),
    ("agar aaj shanivar hai to kal kaun sa din tha", "तो कल शुक्रवार था।"),
    ("agar aaj virvar hai to kal kaun sa din hoga", "तो कल शुक्रवार होगा।"),   # alarms' first
]
MONTHS = [
    ("Which month comes right after March?", "April comes after March."),
    ("what month comes before January", "December comes before January."),
    ("What is the month just after December?", "January comes after December."),
    ("मार्च के ठीक बाद कौन सा महीना आता है?", "मार्च के बाद अप्रैल आता है।"),
    ("जनवरी से पहले कौन सा महीना आता है", "जनवरी से पहले दिसंबर आता है।"),
    ("March ke theek baad kaunsa mahina aata hai?", "मार्च के बाद अप्रैल आता है।"),
]
DAYS_FROM_NOW = [
    ("what day will it be in ten days", "In ten days it will be Monday.", "2025-08-25"),
    ("What date was it 3 days ago?", "Three days ago it was Tuesday, August 12, 2025.",
     "2025-08-12"),
    ("may I know what day it is in 5 days", "In five days it will be Wednesday.",
     "2025-08-20"),
    ("दस दिन बाद कौन सी तारीख होगी", "दस दिन बाद सोमवार, 25 अगस्त 2025 होगा।", "2025-08-25"),
    ("paanch din pehle kaunsa din tha", "पाँच दिन पहले रविवार था।", "2025-08-10"),
]
NOT_COUNTING = [
    "अगर आज सोमवार है तो दो दिन बाद मीटिंग कब है", "what comes after march madness",
    "if today is monday call my mother", "if today is my birthday what day is it",
    "what day is it in london", "which month has thirty one days",
    "in ten days what should i do", "agar kal baarish hui to kya hoga",
    "मार्च के बाद क्या करना है", "what day will it be in a thousand days",
    "दो दिन बाद मेरी परीक्षा है", "which month comes after march and april",
]


@pytest.mark.parametrize("text, reply", WEEKDAY_IF)
def test_weekdays_counted_from_the_day_given(host, text, reply):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "clock", text
    assert answer.reply.text == reply
    assert answer.reply.data["intent"] == "weekday_if"


@pytest.mark.parametrize("text, reply", MONTHS)
def test_the_month_after_or_before(host, text, reply):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "clock", text
    assert answer.reply.text == reply


@pytest.mark.parametrize("text, reply, date", DAYS_FROM_NOW)
def test_days_from_now_come_from_the_clock(host, text, reply, date):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "clock", text
    assert answer.reply.text == reply
    assert answer.reply.data["date"] == date


@pytest.mark.parametrize("text", NOT_COUNTING + NOT_RELATIVE)
def test_other_sentences_are_not_counted(host, text):
    answer = ask(host, text)
    assert answer is None or answer.plugin != "clock", (text, answer.reply.text)


def test_english_yesterday_in_the_clocks_own_shape(host):
    answer = ask(host, "What day was it yesterday?")
    assert answer is not None and answer.reply.text == "Yesterday was Thursday."


def test_every_weekday_and_offset_by_arithmetic():
    """The answer is the given weekday moved by (target - anchor) days, for every case."""
    for weekday in range(7):
        for anchor in (-2, -1, 0, 1, 2):
            for target in (-9, -2, -1, 0, 1, 2, 9):
                q = calendar.WeekdayIf(weekday, anchor, target)
                assert (q.answer - weekday) % 7 == (target - anchor) % 7
