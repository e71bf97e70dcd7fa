"""Clock skill: time, date and day in English, Devanagari Hindi and romanised Hindi, through
the real plugin host (entry points) with a frozen clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from importlib import metadata
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vaani import config as config_mod
from vaani.errors import ConfigError
from vaani.hookspecs import Utterance
from vaani.language import resolve_language
from vaani.plugins import PluginHost

SKILLS = ("clock", "timer", "calculator")
IST = ZoneInfo("Asia/Kolkata")
# Friday, 15 August 2025, 16:35:20 in India
FROZEN = datetime(2025, 8, 15, 16, 35, 20, tzinfo=IST).timestamp()


def skills_host(tables: dict[str, dict[str, Any]] | None = None,
                now: Callable[[], float] = time.time,
                notify: Callable[[str, str, str], None] | None = None) -> PluginHost:
    """A real PluginHost with only the three skills loaded from their entry points."""
    others = sorted(ep.name for ep in metadata.entry_points(group="vaani")
                    if ep.name not in SKILLS)
    config = config_mod.from_dict({"plugins": {"disabled": others, **(tables or {})}})
    host = PluginHost(config)
    host.load()
    assert set(SKILLS) <= set(host.plugin_names()), host.plugin_names()
    host.configure()
    host.startup(notify or (lambda text, language, plugin: None), now=now)
    return host


def ask(host: PluginHost, text: str, language: str | None = None):
    language = language or resolve_language(text, ("hi", "en"), None)
    return host.handle(Utterance(text, language), timeout_ms=2000)


@pytest.fixture(scope="module")
def host() -> Iterator[PluginHost]:
    h = skills_host({"clock": {"timezone": "Asia/Kolkata"}}, now=lambda: FROZEN)
    yield h
    h.shutdown()


# (utterance, intent, day offset)
ENGLISH = [
    ("What time is it?", "time", 0),
    ("what's the time", "time", 0),
    ("What is the time now?", "time", 0),
    ("Tell me the time, please.", "time", 0),
    ("Can you tell me the time?", "time", 0),
    ("Do you know what time it is?", "time", 0),
    ("Hey Vaani, what time is it right now?", "time", 0),
    ("What's the current time?", "time", 0),
    ("What is the date today?", "date", 0),
    ("What's today's date?", "date", 0),
    ("What date is it?", "date", 0),
    ("today's date", "date", 0),
    ("What is the date tomorrow?", "date", 1),
    ("What was the date yesterday?", "date", -1),
    ("What day is it?", "day", 0),
    ("What day is it today?", "day", 0),
    ("Which day of the week is it?", "day", 0),
    ("What day is tomorrow?", "day", 1),
    ("What day was yesterday?", "day", -1),
    ("What's the date and time?", "datetime", 0),
    ("What year is it?", "year", 0),
    ("What month is it?", "month", 0),
    ("time please", "time", 0),
]
HINDI = [
    ("समय क्या हुआ है?", "time"),
    ("क्या समय हुआ है?", "time"),
    ("कितने बजे हैं?", "time"),
    ("अभी कितने बजे हैं", "time"),
    ("कितना बजा है", "time"),
    ("टाइम क्या हुआ है", "time"),
    ("अभी क्या टाइम है", "time"),
    ("समय बताओ", "time"),
    ("ज़रा टाइम बताइए", "time"),
    ("क्या वक़्त हुआ है", "time"),
    ("घड़ी में कितने बजे हैं", "time"),
    ("क्या आप समय बता सकते हैं", "time"),
    ("आज कौन सा दिन है?", "day"),
    ("आज क्या दिन है", "day"),
    ("आज कौनसा वार है", "day"),
    ("आज की तारीख क्या है?", "date"),
    ("आज कौन सी तारीख है", "date"),
    ("आज कितनी तारीख है", "date"),
    ("तारीख बताओ", "date"),
    ("आज की तारीख और समय बताओ", "datetime"),
    ("कौन सा साल चल रहा है", "year"),
    ("कौन सा महीना है", "month"),
]
ROMAN = [
    ("samay kya hua hai", "time"),
    ("kya samay hua hai", "time"),
    ("kitne baje hain", "time"),
    ("abhi kitne baje hai", "time"),
    ("kitna baja hai", "time"),
    ("time kya hua hai", "time"),
    ("Kya time ho raha hai?", "time"),
    ("abhi kya time hai", "time"),
    ("time batao", "time"),
    ("waqt kya hua hai", "time"),
    ("aaj kaun sa din hai", "day"),
    ("aaj kya din hai", "day"),
    ("aaj ki tarikh kya hai", "date"),
    ("aaj ki tareekh kya hai", "date"),
    ("aaj kya date hai", "date"),
    ("aaj kitni tarikh hai", "date"),
    ("abhi kitne baj rahe hain", "time"),
    ("kitna baj gaya", "time"),
]
NOT_CLOCK = [
    "tell me about time travel", "what is time", "what time does the bank open",
    "what time is it in London", "time is money", "who invented the clock",
    "what day is Diwali this year", "what is the date of Christmas", "I don't have time",
    "set a timer for 5 minutes", "समय यात्रा क्या है", "मीटिंग कितने बजे है",
    "कल कितने बजे उठना है", "कितने दिन हैं", "कितने साल हो गए", "अभी समय नहीं है",
    "क्या आपके पास समय है", "कितना समय बचा है", "din kaisa raha", "time pass kaise karein",
    "what a day", "have a nice day", "Thank you.", "", "time", "Time.",
]


@pytest.mark.parametrize("text, intent, offset", ENGLISH)
def test_english(host, text, intent, offset):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "clock", text
    assert answer.reply.language == "en"
    assert answer.reply.data["intent"] == intent
    assert answer.reply.data["time"] == "16:35"
    assert answer.reply.data["date"] == ["2025-08-14", "2025-08-15", "2025-08-16"][offset + 1]


@pytest.mark.parametrize("text, intent", HINDI + ROMAN)
def test_hindi(host, text, intent):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "clock", text
    assert answer.reply.language == "hi"
    assert answer.reply.data["intent"] == intent
    assert answer.reply.data["time"] == "16:35"


@pytest.mark.parametrize("text", NOT_CLOCK)
def test_not_the_clock(host, text):
    for language in ("en", "hi"):
        answer = ask(host, text, language)
        assert answer is None or answer.plugin != "clock", (text, answer)


# Relative days in Hindi (Friday 15 August 2025): कल by tense, default tomorrow; परसों ±2.
# (utterance, intent, day offset, reply)
RELATIVE = [
    ("कल कौन सा दिन होगा?", "day", 1, "कल शनिवार होगा।"),
    ("कल कौन सा दिन था?", "day", -1, "कल गुरुवार था।"),
    ("कल कौन सा दिन है", "day", 1, "कल शनिवार होगा।"),
    ("कल क्या दिन रहेगा", "day", 1, "कल शनिवार होगा।"),
    ("परसों कौन सा दिन होगा", "day", 2, "परसों रविवार होगा।"),
    ("परसों कौन सा दिन था", "day", -2, "परसों बुधवार था।"),
    ("परसो कौनसा वार है", "day", 2, "परसों रविवार होगा।"),
    ("कल की तारीख क्या होगी", "date", 1, "कल शनिवार, 16 अगस्त 2025 होगा।"),
    ("कल कौन सी तारीख थी", "date", -1, "कल गुरुवार, 14 अगस्त 2025 था।"),
    ("kal kaun sa din hoga", "day", 1, "कल शनिवार होगा।"),
    ("kal kya din tha", "day", -1, "कल गुरुवार था।"),
    ("kal kaunsa din hai", "day", 1, "कल शनिवार होगा।"),
    ("parso kaun sa din hoga", "day", 2, "परसों रविवार होगा।"),
    ("parson kya din tha", "day", -2, "परसों बुधवार था।"),
    ("parso ki tarikh kya hogi", "date", 2, "परसों रविवार, 17 अगस्त 2025 होगा।"),
    ("आज कौन सा दिन होगा", "day", 0, "आज शुक्रवार है।"),
]
NOT_RELATIVE = [
    "कल क्या समय होगा", "कल कितने बजे उठना है", "कल का मौसम कैसा रहेगा", "कल क्या हुआ था",
    "आज और कल कौन सा दिन है", "कल परसों कौन सा दिन है", "कल मैं बाज़ार गया था",
    "kal kya hoga", "kal ka plan batao", "परसों कितने साल हो जाएंगे",
]


@pytest.mark.parametrize("text, intent, offset, reply", RELATIVE)
def test_hindi_relative_days(host, text, intent, offset, reply):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "clock", text
    assert answer.reply.language == "hi"
    assert answer.reply.data["intent"] == intent
    assert answer.reply.data["date"] == f"2025-08-{15 + offset:02d}"
    assert answer.reply.text == reply


@pytest.mark.parametrize("text", NOT_RELATIVE)
def test_relative_day_sentences_that_are_not_the_clocks(host, text):
    answer = ask(host, text, "hi")
    assert answer is None or answer.plugin != "clock", (text, answer)


def test_relative_days_in_english_replies():
    import vaani_clock

    clock = vaani_clock.Clock(lambda: FROZEN, vaani_clock.settings({"timezone": "Asia/Kolkata"}))
    assert clock.handle(Utterance("parso kya din hoga", "en")).text == \
        "The day after tomorrow is Sunday."
    assert clock.handle(Utterance("परसों कौन सा दिन था", "en")).text == \
        "The day before yesterday was Wednesday."


def test_reply_texts(host):
    def reply(text):
        return ask(host, text).reply.text

    assert reply("What time is it?") == "It's 4:35 PM."
    assert reply("समय क्या हुआ है?") == "अभी शाम के चार बजकर पैंतीस मिनट हुए हैं।"
    assert reply("kitne baje hain") == "अभी शाम के चार बजकर पैंतीस मिनट हुए हैं।"
    assert reply("What's today's date?") == "Today is Friday, August 15, 2025."
    assert reply("What day is tomorrow?") == "Tomorrow is Saturday."
    assert reply("आज की तारीख क्या है?") == "आज शुक्रवार, 15 अगस्त 2025 है।"
    assert reply("आज कौन सा दिन है?") == "आज शुक्रवार है।"
    assert reply("What's the date and time?") == "It's 4:35 PM on Friday, August 15, 2025."


@pytest.mark.parametrize("hour, minute, english, hindi", [
    (0, 5, "It's 12:05 AM.", "अभी रात के बारह बजकर पाँच मिनट हुए हैं।"),
    (9, 0, "It's 9:00 AM.", "अभी सुबह के नौ बजे हैं।"),
    (12, 0, "It's 12:00 PM.", "अभी दोपहर के बारह बजे हैं।"),
    (13, 30, "It's 1:30 PM.", "अभी दोपहर के डेढ़ बजे हैं।"),
    (16, 15, "It's 4:15 PM.", "अभी शाम के सवा चार बजे हैं।"),
    (20, 45, "It's 8:45 PM.", "अभी रात के पौने नौ बजे हैं।"),
])
def test_times_of_day(hour, minute, english, hindi):
    import vaani_clock

    t = datetime(2025, 8, 15, hour, minute, tzinfo=IST).timestamp()
    clock = vaani_clock.Clock(lambda: t, vaani_clock.settings({"timezone": "Asia/Kolkata"}))
    assert clock.handle(Utterance("what time is it", "en")).text == english
    assert clock.handle(Utterance("समय क्या हुआ है", "hi")).text == hindi


def test_the_reply_is_spoken_well():
    """What the TTS stage makes of the replies: the time in words, nothing left in digits."""
    from vaani.textnorm import normalize

    import vaani_clock

    clock = vaani_clock.Clock(lambda: FROZEN, vaani_clock.settings({"timezone": "Asia/Kolkata"}))
    assert normalize(clock.handle(Utterance("what time is it", "en")).text, "en") == \
        "It's four thirty-five P M."
    assert normalize(clock.handle(Utterance("आज की तारीख क्या है", "hi")).text, "hi") == \
        "आज शुक्रवार, पंद्रह अगस्त दो हज़ार पच्चीस है।"


def test_timezone_and_hour_format():
    host = skills_host({"clock": {"timezone": "UTC", "hour_format": 24}}, now=lambda: FROZEN)
    try:
        answer = ask(host, "what time is it")
        assert answer.reply.text == "It's 11:05." and answer.reply.data["time"] == "11:05"
        assert answer.reply.data["timezone"] == "UTC"
    finally:
        host.shutdown()


@pytest.mark.parametrize("table, message", [
    ({"timezon": "UTC"}, "plugins.clock.timezon"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"timezone": 5}, "expected a string"),
    ({"hour_format": 13}, "hour_format must be 12 or 24"),
])
def test_config_errors(table, message):
    with pytest.raises(ConfigError, match=message):
        skills_host({"clock": table})


def test_uses_ctx_now_and_local_time_by_default():
    host = skills_host(now=lambda: FROZEN)
    try:
        expected = datetime.fromtimestamp(FROZEN).astimezone().strftime("%H:%M")
        assert ask(host, "what time is it").reply.data["time"] == expected
    finally:
        host.shutdown()


@pytest.mark.parametrize("text", ["Can you tell me what the date is today?",
                                  "tell me what date it is", "do you know what today's date is"])
def test_embedded_date_questions(text):
    from vaani_clock import understand

    assert understand(text) is not None and understand(text).intent == "date"


# How whisper-base writes spoken Hindi (vaani bench asr --set dev): accepted where it is no
# other word, and the closed vocabulary still holds
@pytest.mark.parametrize("text", ["समय, बटा।", "समय बटाइ", "अभी किते बजे हैं", "किता बजा है",
                                  "समें क्या हुआ है", "अपी क्या समय, है", "मूजे समय, बाता",
                                  "एपी किताने बजे हैं"])
def test_whisper_spellings_of_clock_words(host, text):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "clock" and answer.reply.language == "hi"
    assert answer.reply.data["intent"] == "time"


@pytest.mark.parametrize("text", ["तीन बटा चार", "किते दिन हैं", "समें जाओ", "किता समय बचा है",
                                  "अपी समय है", "मूजे समय बचाना है", "किताने दिन हैं"])
def test_whisper_spellings_do_not_open_the_clock(host, text):
    answer = ask(host, text, "hi")
    assert answer is None or answer.plugin != "clock", (text, answer)


def test_day_of_the_week_in_hindi():
    from vaani_clock import understand

    assert understand("आज हफ़्ते का कौन सा दिन है?").intent == "day"
    assert understand("कितने हफ़्ते बचे हैं") is None          # a count, not the clock's


@pytest.mark.parametrize("text, intent", [
    ("And the time?", "time"), ("what about the date?", "date"), ("and the day?", "day"),
    ("और आज की तारीख?", "date"), ("और समय?", "time"), ("aur time?", "time"),
])
def test_follow_up_questions(text, intent):
    """A follow-up in a conversation ("and the time?") is a clock question, and its tool
    call is grounded; "and" with no clock word, or "और दिन भर ...", is not."""
    import vaani_clock as clock

    query = clock.understand(text)
    assert query == clock.Query(intent) and clock.grounded({}, text)


@pytest.mark.parametrize("text", ["and", "और दिन भर क्या किया", "and the time machine",
                                  "aur saal bhar", "and the daily news"])
def test_follow_up_shapes_that_are_not_the_clock(text):
    import vaani_clock as clock

    assert clock.understand(text) is None
