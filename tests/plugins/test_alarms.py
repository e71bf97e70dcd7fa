"""Alarms and reminders: many phrasings per language, times resolved against a fake clock
(never guessed), ringing in the language set, repeats, snooze, SQLite persistence across a
restart (missed ones announced once), the tools' grounding and wording, and the negatives
through the real plugin host. Every database lives in a tmp dir."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vaani import config as config_mod
from vaani.errors import ConfigError
from vaani.hookspecs import Utterance
from vaani.language import resolve_language
from vaani.plugins import PluginHost

from vaani_alarms import AlarmSkill, Settings, settings
from vaani_alarms.store import AlarmStore
from vaani_alarms.understand import understand

IST = ZoneInfo("Asia/Kolkata")
NOW = datetime(2026, 3, 5, 10, 0, tzinfo=IST)          # Thursday, 10:00 in India


class FakeClock:
    def __init__(self, when: datetime = NOW) -> None:
        self.t = when.timestamp()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds

    def to(self, when: datetime) -> None:
        self.t = when.timestamp()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def rung() -> list[tuple[str, str]]:
    return []


def make_skill(path: Path, clock: FakeClock, rung: list, **config: Any) -> AlarmSkill:
    return AlarmSkill(AlarmStore(path), lambda text, language: rung.append((text, language)),
                      clock, Settings(tz=IST, **config), threaded=False)


@pytest.fixture
def skill(tmp_path: Path, clock: FakeClock, rung: list) -> AlarmSkill:
    return make_skill(tmp_path / "alarms.sqlite3", clock, rung)


def ask(skill: AlarmSkill, text: str, language: str | None = None):
    return skill.handle(Utterance(text, language or resolve_language(text, ("hi", "en"))))


def due_of(reply) -> str:
    return f"{reply.data['date'][5:]} {reply.data['time']}"


# -- understanding and resolving: (utterance, kind, wake, label, due "MM-DD HH:MM", repeat) --

EVERY_DAY = "every day"
WEEKDAYS = "every weekday"
SET_ENGLISH = [
    ("remind me to call mom at 5", "reminder", False, "call mom", "03-05 17:00", ""),
    ("remind me to call my Mom and Riya at 5 pm", "reminder", False, "call your Mom and Riya",
     "03-05 17:00", ""),
    ("Remind me that I have to take my B12 tablet at 9 pm", "reminder", False,
     "you have to take your B12 tablet", "03-05 21:00", ""),
    ("Remind me to call my mom at 5 pm.", "reminder", False, "call your mom", "03-05 17:00", ""),
    ("wake me up at 6:30 tomorrow", "alarm", True, "", "03-06 06:30", ""),
    ("Wake me at 6 tomorrow", "alarm", True, "", "03-06 06:00", ""),
    ("remind me in 20 minutes to check the oven", "reminder", False, "check the oven",
     "03-05 10:20", ""),
    ("Set an alarm for 7 am", "alarm", False, "", "03-06 07:00", ""),
    ("set an alarm for 7:45 pm", "alarm", False, "", "03-05 19:45", ""),
    ("Set an alarm for 6 a.m. tomorrow", "alarm", False, "", "03-06 06:00", ""),
    ("set an alarm for tomorrow at 6 in the morning", "alarm", False, "", "03-06 06:00", ""),
    ("alarm at 11 tonight", "alarm", False, "", "03-05 23:00", ""),
    ("set an alarm for noon", "alarm", False, "", "03-05 12:00", ""),
    ("set an alarm for midnight", "alarm", False, "", "03-06 00:00", ""),
    ("set an alarm for half past six in the evening", "alarm", False, "", "03-05 18:30", ""),
    ("set an alarm for quarter to seven tomorrow morning", "alarm", False, "", "03-06 06:45", ""),
    ("set an alarm for six thirty pm", "alarm", False, "", "03-05 18:30", ""),
    ("set an alarm for 7 o'clock tonight", "alarm", False, "", "03-05 19:00", ""),
    ("set an alarm for 6 every weekday morning", "alarm", False, "", "03-06 06:00", WEEKDAYS),
    ("set an alarm for 7 am every day", "alarm", False, "", "03-06 07:00", EVERY_DAY),
    ("set an alarm for 8 am on weekends", "alarm", False, "", "03-07 08:00", "every weekend"),
    ("Set an alarm for 6:15 am every Monday and Wednesday", "alarm", False, "", "03-09 06:15",
     "every Monday and Wednesday"),
    ("set an alarm for 9 pm on Saturday", "alarm", False, "", "03-07 21:00", ""),
    ("set an alarm for 7 am on mondays", "alarm", False, "", "03-09 07:00", "every Monday"),
    ("set a gym alarm for 6 am", "alarm", False, "gym", "03-06 06:00", ""),
    ("set an alarm for 6 am called Yoga", "alarm", False, "Yoga", "03-06 06:00", ""),
    ("remind me at 5 pm to take my medicine every day", "reminder", False, "take your medicine",
     "03-05 17:00", EVERY_DAY),
    ("remind me tomorrow at 9 am to pay the electricity bill", "reminder", False,
     "pay the electricity bill", "03-06 09:00", ""),
    ("remind me in an hour to stretch", "reminder", False, "stretch", "03-05 11:00", ""),
    ("remind me in half an hour to check the rice", "reminder", False, "check the rice",
     "03-05 10:30", ""),
    ("Can you remind me about the meeting at 3 pm?", "reminder", False, "the meeting",
     "03-05 15:00", ""),
    ("remind me that the plumber is coming at 4 pm tomorrow", "reminder", False,
     "the plumber is coming", "03-06 16:00", ""),
    ("set a reminder for 6 pm to water the plants", "reminder", False, "water the plants",
     "03-05 18:00", ""),
    ("remind me to look at the oven at 5:30 pm", "reminder", False, "look at the oven",
     "03-05 17:30", ""),
    ("remind me at 5 pm to buy 2 kg rice", "reminder", False, "buy 2 kg rice", "03-05 17:00", ""),
    ("wake me up in 45 minutes", "alarm", True, "", "03-05 10:45", ""),
    ("please set an alarm for 5:30 am on Monday", "alarm", False, "", "03-09 05:30", ""),
    ("yo remind me to call mom at 5 bro", "reminder", False, "call mom", "03-05 17:00", ""),
    ("remind me at 7 pm tonight to take out the trash", "reminder", False,
     "take out the trash", "03-05 19:00", ""),
    ("set an alarm for 2 am tonight", "alarm", False, "", "03-06 02:00", ""),
    ("set an alarm for 6 pm tonight", "alarm", False, "", "03-05 18:00", ""),
    ("set an alarm for 18:30", "alarm", False, "", "03-05 18:30", ""),
    ("remind me at 17:00 to leave office", "reminder", False, "leave office", "03-05 17:00", ""),
    ("remind me every sunday at 10 am to call grandma", "reminder", False, "call grandma",
     "03-08 10:00", "every Sunday"),
]
SET_HINDI = [
    ("सुबह 7 बजे का अलार्म लगाओ", "alarm", False, "", "03-06 07:00", ""),
    ("कल सुबह छह बजे का अलार्म लगा दो", "alarm", False, "", "03-06 06:00", ""),
    ("शाम साढ़े पाँच बजे का अलार्म लगाओ", "alarm", False, "", "03-05 17:30", ""),
    ("मुझे कल सुबह साढ़े छह बजे जगा देना", "alarm", True, "", "03-06 06:30", ""),
    ("रात दस बजे का अलार्म लगा दो", "alarm", False, "", "03-05 22:00", ""),
    ("परसों सुबह 8 बजे का अलार्म", "alarm", False, "", "03-07 08:00", ""),
    ("पौने सात बजे सुबह का अलार्म", "alarm", False, "", "03-06 06:45", ""),
    ("सवा छह बजे का अलार्म लगाओ सुबह", "alarm", False, "", "03-06 06:15", ""),
    ("दोपहर डेढ़ बजे का अलार्म लगाओ", "alarm", False, "", "03-05 13:30", ""),
    ("छह बजकर बीस मिनट पर सुबह का अलार्म लगाओ", "alarm", False, "", "03-06 06:20", ""),
    ("हर रोज़ सुबह छह बजे का अलार्म लगाओ", "alarm", False, "", "03-06 06:00", EVERY_DAY),
    ("जिम के लिए सुबह 6 बजे का अलार्म लगाओ", "alarm", False, "जिम", "03-06 06:00", ""),
    ("आज रात 12 बजे का अलार्म लगा दो", "alarm", False, "", "03-06 00:00", ""),
    ("हर सोमवार शाम 7 बजे याद दिलाना कि कूड़ा बाहर रखना है", "reminder", False,
     "कूड़ा बाहर रखना है", "03-09 19:00", "every Monday"),
    ("मुझे शाम पाँच बजे माँ को फ़ोन करने की याद दिलाना", "reminder", False, "माँ को फ़ोन करना",
     "03-05 17:00", ""),
    ("20 मिनट बाद याद दिलाना कि ओवन देखना है", "reminder", False, "ओवन देखना है",
     "03-05 10:20", ""),
    ("आधे घंटे बाद मुझे याद दिलाना कि चाय बनानी है", "reminder", False, "चाय बनानी है",
     "03-05 10:30", ""),
    ("दोपहर 2 बजे दवाई लेने का रिमाइंडर लगा दो", "reminder", False, "दवाई लेना",
     "03-05 14:00", ""),
    ("सवा आठ बजे रात को याद दिलाना कि दरवाज़ा बंद करना है", "reminder", False,
     "दरवाज़ा बंद करना है", "03-05 20:15", ""),
    ("सोमवार को सुबह 9 बजे याद दिलाना कि मीटिंग है", "reminder", False, "मीटिंग है",
     "03-09 09:00", ""),
    ("याद दिलाना कि मुझे दवाई लेनी है रात 9 बजे", "reminder", False, "आपको दवाई लेनी है",
     "03-05 21:00", ""),
]
SET_ROMAN = [
    ("kal subah 6 baje uthana", "alarm", True, "", "03-06 06:00", ""),
    ("subah 7 baje ka alarm laga do", "alarm", False, "", "03-06 07:00", ""),
    ("alarm laga do 5:30 baje shaam ka", "alarm", False, "", "03-05 17:30", ""),
    ("5 baje mummy ko call karne ka reminder lagao", "reminder", False, "mummy ko call karna",
     "03-05 17:00", ""),
    ("roz subah 6 baje ka alarm set karo", "alarm", False, "", "03-06 06:00", EVERY_DAY),
    ("har somvar aur budhvar subah 6 baje ka alarm lagao", "alarm", False, "", "03-09 06:00",
     "every Monday and Wednesday"),
    ("20 minute baad yaad dilana ki oven check karna hai", "reminder", False,
     "oven check karna hai", "03-05 10:20", ""),
    ("raat 9 baje dawai lene ka reminder lagao", "reminder", False, "dawai lena",
     "03-05 21:00", ""),
    ("do ghante baad yaad dila dena ki gaadi nikalni hai", "reminder", False,
     "gaadi nikalni hai", "03-05 12:00", ""),
    ("parso shaam 4 baje ka alarm", "alarm", False, "", "03-07 16:00", ""),
    ("mujhe kal subah saade paanch baje jaga dena", "alarm", True, "", "03-06 05:30", ""),
    ("kal subah 7 baje meeting ki yaad dilana", "reminder", False, "meeting", "03-06 07:00", ""),
    ("yaar kal subah 7 baje ka alarm laga do", "alarm", False, "", "03-06 07:00", ""),
    ("reminder lagao kal subah 8 baje gym jaane ka", "reminder", False, "gym jaana",
     "03-06 08:00", ""),
    ("ek ghante baad yaad dila dena ki chai bani hai", "reminder", False, "chai bani hai",
     "03-05 11:00", ""),
]


@pytest.mark.parametrize("text, kind, wake, label, due, repeat",
                         SET_ENGLISH + SET_HINDI + SET_ROMAN)
def test_set(skill, text, kind, wake, label, due, repeat):
    reply = ask(skill, text)
    assert reply is not None, text
    assert "error" not in reply.data and "asked" not in reply.data, reply.text
    assert (reply.data["kind"], reply.data["wake"], reply.data["label"], due_of(reply),
            reply.data["repeat"]) == (kind, wake, label, due, repeat), reply.text
    (alarm,) = skill.store.all()
    assert alarm.language == ("hi" if text in {t for t, *_ in SET_HINDI + SET_ROMAN} else "en")


def test_replies_say_exactly_when_in_the_language_asked(skill):
    assert ask(skill, "remind me to call mom at 5").text == \
        "OK, I'll remind you to call mom at 5:00 PM today."
    assert ask(skill, "Wake me up at 6:30 tomorrow").text == \
        "OK, I'll wake you at 6:30 AM tomorrow."
    assert ask(skill, "set an alarm for 6 every weekday morning").text == \
        "Alarm set for 6:00 AM every weekday."
    assert ask(skill, "remind me in 20 minutes to check the oven").text == \
        "OK, I'll remind you to check the oven in 20 minutes, at 10:20 AM."
    assert ask(skill, "सुबह 7 बजे का अलार्म लगाओ").text == "कल सुबह सात बजे का अलार्म लगा दिया है।"
    assert ask(skill, "kal subah 6 baje uthana").text == "ठीक है, कल सुबह छह बजे जगा दूँगी।"
    assert ask(skill, "मुझे शाम पाँच बजे माँ को फ़ोन करने की याद दिलाना").text == \
        "ठीक है, आज शाम पाँच बजे याद दिला दूँगी: माँ को फ़ोन करना।"
    assert ask(skill, "हर रोज़ सुबह छह बजे का अलार्म लगाओ").text == \
        "हर रोज़ सुबह छह बजे का अलार्म लगा दिया है।"


@pytest.mark.parametrize("now, text, due, said", [
    (datetime(2026, 3, 5, 10, 0, tzinfo=IST), "remind me at 5 to call mom", "03-05 17:00",
     "5:00 PM today"),
    (datetime(2026, 3, 5, 18, 0, tzinfo=IST), "remind me at 5 to call mom", "03-06 05:00",
     "5:00 AM tomorrow"),
    (datetime(2026, 3, 5, 3, 0, tzinfo=IST), "set an alarm for 5", "03-05 05:00",
     "5:00 AM today"),
    (datetime(2026, 3, 5, 16, 0, tzinfo=IST), "wake me up at 6", "03-05 18:00",
     "6:00 PM today"),
    (datetime(2026, 3, 5, 22, 0, tzinfo=IST), "wake me up at 6", "03-06 06:00",
     "6:00 AM tomorrow"),
    (datetime(2026, 3, 5, 10, 0, tzinfo=IST), "aaj 5 baje ka alarm lagao", "03-05 17:00",
     "शाम पाँच बजे"),
])
def test_a_bare_hour_is_the_next_such_time_and_the_reply_says_which(tmp_path, rung, now, text,
                                                                     due, said):
    skill = make_skill(tmp_path / "a.sqlite3", FakeClock(now), rung)
    reply = ask(skill, text)
    assert due_of(reply) == due and said in reply.text


# -- asking back instead of guessing --------------------------------------------------------

@pytest.mark.parametrize("text, asked, answer, due", [
    ("kal 5 baje ka alarm lagao", "ampm", "शाम को", "03-06 17:00"),
    ("set an alarm for 6 tomorrow", "ampm", "AM", "03-06 06:00"),
    ("remind me tomorrow at 8 to call the bank", "ampm", "in the morning", "03-06 08:00"),
    ("set an alarm for 7 every day", "ampm", "7 am", "03-06 07:00"),
    ("remind me to call mom", "when", "at 5 pm", "03-05 17:00"),
    ("remind me later to call mom", "when", "in 10 minutes", "03-05 10:10"),
    ("set an alarm", "when", "6:30 am", "03-06 06:30"),
    ("set an alarm for tomorrow", "when", "7 am", "03-06 07:00"),
    ("अलार्म लगा दो", "when", "कल सुबह सात बजे", "03-06 07:00"),
    ("याद दिलाना कि दूध लाना है", "when", "शाम छह बजे", "03-05 18:00"),
    ("थोड़ी देर बाद याद दिलाना कि दूध लाना है", "when", "आधे घंटे बाद", "03-05 10:30"),
    ("kal shaam ko yaad dilana ki bill bharna hai", "when", "7 baje", "03-06 19:00"),
])
def test_ambiguous_or_missing_times_are_asked_back_then_set(skill, text, asked, answer, due):
    question = ask(skill, text)
    assert question.data.get("asked") == asked, question.text
    assert skill.store.all() == []
    language = resolve_language(text, ("hi", "en"))
    reply = ask(skill, answer, language)
    assert reply is not None and due_of(reply) == due, reply and reply.text


def test_ampm_question_offers_both_times_in_the_language_asked(skill):
    assert ask(skill, "set an alarm for 6 tomorrow").text == "6:00 AM or 6:00 PM tomorrow?"
    assert ask(skill, "kal 5 baje ka alarm lagao").text == "कल सुबह पाँच बजे या शाम पाँच बजे?"
    assert ask(skill, "remind me to call mom").text == "When should I remind you?"
    assert ask(skill, "alarm lagao").text == "किस समय का अलार्म लगाऊँ?"
    assert ask(skill, "set an alarm for tomorrow").text == "At what time tomorrow?"


def test_a_question_can_be_dropped_or_forgotten(skill, clock):
    ask(skill, "set an alarm for 6 tomorrow")
    assert ask(skill, "never mind").text == "OK, I won't set it."
    assert ask(skill, "AM") is None                      # the question is gone
    ask(skill, "remind me to call mom")
    clock.advance(120)                                   # too late for an answer
    assert ask(skill, "at 5 pm") is None
    ask(skill, "remind me to call mom")
    assert ask(skill, "what is the capital of France") is None    # not an answer
    assert ask(skill, "at 5 pm") is None
    assert skill.store.all() == []


@pytest.mark.parametrize("text, error", [
    ("set an alarm for today at 5 am", "passed"),
    ("aaj subah 6 baje ka alarm lagao", "passed"),
    ("set an alarm at 5 and at 6", "conflict"),
    ("set an alarm for 5 pm in the morning", "conflict"),
    ("set an alarm for 9 in the afternoon", "bad_period"),
    ("kal aur parso 6 baje ka alarm", "conflict"),
    ("remind me in 20 minutes at 5 pm to call mom", "conflict"),
    ("remind me in 10000 hours to renew the passport", "too_far"),
])
def test_contradictory_or_past_times_are_said_back_not_set(skill, text, error):
    reply = ask(skill, text)
    assert reply.data.get("error") == error, reply.text
    assert skill.store.all() == []


def test_limit(tmp_path, clock, rung):
    skill = make_skill(tmp_path / "a.sqlite3", clock, rung, max_alarms=2)
    ask(skill, "set an alarm for 6 am")
    ask(skill, "set an alarm for 7 am")
    reply = ask(skill, "set an alarm for 8 am")
    assert reply.data["error"] == "too_many" and len(skill.store.all()) == 2


# -- list and cancel ------------------------------------------------------------------------

LIST = ["what alarms do I have", "What alarms do I have set?", "list my alarms",
        "show my reminders", "do I have any alarms", "when is my alarm", "what time is my alarm",
        "is my alarm set for tomorrow", "how many alarms do I have", "tell me my reminders",
        "मेरे अलार्म कौन से हैं", "कौन कौन से अलार्म लगे हैं", "मेरे रिमाइंडर बताओ",
        "kitne alarm lage hain", "mere alarms dikhao", "alarm kitne baje ka hai",
        "kal ka alarm kitne baje ka hai", "मेरा अलार्म कब है"]


@pytest.mark.parametrize("text", LIST)
def test_list_phrasings(text):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and r.action == "list", text


def test_list_reads_alarms_soonest_first(skill):
    assert ask(skill, "what alarms do I have").text == "You have no alarms set."
    assert ask(skill, "मेरे अलार्म कौन से हैं").text == "कोई अलार्म नहीं लगा है।"
    ask(skill, "set an alarm for 6 every weekday morning")
    ask(skill, "remind me to call mom at 5")
    ask(skill, "set a gym alarm for 7 pm")
    assert ask(skill, "what alarms do I have").text == (
        "You have 2 alarms: a gym alarm at 7:00 PM today; an alarm at 6:00 AM every weekday.")
    assert ask(skill, "show my reminders").text == (
        "You have a reminder at 5:00 PM today: call mom.")
    assert ask(skill, "मेरे अलार्म कौन से हैं").text == (
        "दो लगे हैं: gym के लिए आज शाम सात बजे का अलार्म; सोमवार से शुक्रवार हर रोज़ सुबह छह बजे "
        "का अलार्म।")
    assert ask(skill, "is my alarm set for tomorrow").data["alarms"][0]["time"] == "06:00"


def test_listing_is_previewed_and_setting_is_not(skill):
    ask(skill, "set an alarm for 6 am")
    text = "what alarms do I have"
    assert skill.preview(Utterance(text, "en")).text == ask(skill, text).text
    assert skill.preview(Utterance("set an alarm for 7 am", "en")) is None
    assert len(skill.store.all()) == 1


CANCEL = [
    ("cancel my 7 am alarm", "07:00", False),
    ("delete the alarm at 7", "07:00", False),
    ("turn off my alarm for tomorrow", "", False),
    ("cancel all my alarms", "", True),
    ("सारे अलार्म हटा दो", "", True),
    ("सुबह सात बजे वाला अलार्म हटा दो", "07:00", False),
    ("7 baje ka alarm band karo", "07:00", False),
    ("alarm cancel kar do", "", False),
    ("reminder hata do", "", False),
]


@pytest.mark.parametrize("text, clock_time, every", CANCEL)
def test_cancel_phrasings(text, clock_time, every):
    r = understand(text, resolve_language(text, ("hi", "en")))
    assert r is not None and r.action == "cancel", text
    assert r.all == every
    if clock_time:
        assert f"{r.when.clock.hour:02d}:{r.when.clock.minute:02d}" == clock_time


def test_cancel_by_time_words_or_all(skill):
    ask(skill, "set an alarm for 7 am")
    ask(skill, "set an alarm for 6 every weekday morning")
    ask(skill, "remind me to call my mom at 5")
    ask(skill, "remind me to water the plants at 8 pm")
    assert ask(skill, "cancel my 7 am alarm").text == "Cancelled your alarm at 7:00 AM tomorrow."
    assert ask(skill, "cancel the reminder to call mom").text == \
        "Cancelled your reminder at 5:00 PM today: call your mom."
    assert ask(skill, "cancel the 9 am alarm").data["cancelled"] == []
    ask(skill, "set an alarm for 9 am")
    assert ask(skill, "cancel the 9 am alarm").text == "Cancelled your alarm at 9:00 AM tomorrow."
    assert ask(skill, "सारे अलार्म हटा दो").text == \
        "सोमवार से शुक्रवार हर रोज़ सुबह छह बजे का अलार्म हटा दिया।"
    assert [a.label for a in skill.store.all()] == ["water the plants"]
    assert ask(skill, "mera reminder hata do").text.endswith("हटा दिया।")
    assert ask(skill, "cancel my alarm").text == "You have no alarms set."


def test_cancel_asks_which_when_several_match(skill):
    ask(skill, "set an alarm for 6:30 am")
    ask(skill, "set an alarm for 7 am")
    question = ask(skill, "cancel my alarm")
    assert question.data["asked"] == "which" and "Which one" in question.text
    assert ask(skill, "the 6:30 one").text == "Cancelled your alarm at 6:30 AM tomorrow."
    ask(skill, "set an alarm for 8 am")
    assert ask(skill, "mera alarm hata do").data["asked"] == "which"
    assert ask(skill, "dono").text == "दो अलार्म हटा दिए।" and skill.store.all() == []


# -- ringing --------------------------------------------------------------------------------

def test_alarms_ring_in_the_language_they_were_set_in(skill, clock, rung):
    ask(skill, "remind me in 20 minutes to check the oven")
    ask(skill, "20 मिनट बाद याद दिलाना कि ओवन देखना है")
    ask(skill, "wake me up in 30 minutes")
    ask(skill, "आधे घंटे बाद का अलार्म लगा दो")
    clock.advance(19 * 60)
    assert skill.scheduler.fire_due() == [] and rung == []
    clock.advance(60)
    skill.scheduler.fire_due()
    assert rung == [("Reminder: check the oven.", "en"), ("याद दिला रही हूँ: ओवन देखना है।", "hi")]
    clock.advance(600)
    skill.scheduler.fire_due()
    assert rung[2:] == [("Time to wake up! Your 10:30 AM alarm.", "en"),
                        ("आपका सुबह साढ़े दस बजे का अलार्म बज रहा है।", "hi")]
    assert skill.store.all() == []                    # one-time alarms are done
    skill.scheduler.fire_due()
    assert len(rung) == 4                             # nothing rings twice


def test_a_weekday_alarm_skips_the_weekend(skill, clock, rung):
    ask(skill, "set an alarm for 6 am every weekday")
    days = []
    for _ in range(6):
        (alarm,) = skill.store.all()
        clock.t = alarm.due
        skill.scheduler.fire_due()
        days.append(datetime.fromtimestamp(alarm.due, IST).strftime("%a %H:%M"))
    assert days == ["Fri 06:00", "Mon 06:00", "Tue 06:00", "Wed 06:00", "Thu 06:00",
                    "Fri 06:00"]
    assert rung == [("Your 6:00 AM alarm.", "en")] * 6


def test_a_daily_hindi_alarm_rings_every_day(skill, clock, rung):
    ask(skill, "रोज़ रात 10 बजे याद दिलाना कि दवाई लेनी है")
    for day in range(3):
        clock.to(datetime(2026, 3, 5 + day, 22, 0, tzinfo=IST))
        skill.scheduler.fire_due()
    assert rung == [("याद दिला रही हूँ: दवाई लेनी है।", "hi")] * 3
    (alarm,) = skill.store.all()
    assert datetime.fromtimestamp(alarm.due, IST) == datetime(2026, 3, 8, 22, 0, tzinfo=IST)


def test_snooze(skill, clock, rung):
    assert ask(skill, "snooze").data["error"] == "nothing_rang"
    ask(skill, "set an alarm for 10:05 am")
    clock.advance(5 * 60)
    skill.scheduler.fire_due()
    assert ask(skill, "snooze").text == "Snoozed for 10 minutes, until 10:15 AM."
    clock.advance(10 * 60)
    skill.scheduler.fire_due()
    assert rung == [("Your 10:05 AM alarm.", "en")] * 2
    assert ask(skill, "5 minute ke liye snooze karo").text == \
        "ठीक है, पाँच मिनट बाद, सुबह दस बजकर बीस मिनट, फिर से याद दिलाऊँगी।"
    clock.advance(5 * 60)
    skill.scheduler.fire_due()
    assert len(rung) == 3
    clock.advance(3600)
    assert ask(skill, "snooze for 5 minutes").data["error"] == "nothing_rang"


def test_remind_me_again_after_a_reminder_is_a_snooze(skill, clock, rung):
    ask(skill, "remind me in 10 minutes to check the oven")
    clock.advance(600)
    skill.scheduler.fire_due()
    reply = ask(skill, "remind me again in 5 minutes")
    assert reply.data["action"] == "snooze" and reply.data["label"] == "check the oven"


def test_snooze_length_is_configurable(tmp_path, clock, rung):
    skill = make_skill(tmp_path / "a.sqlite3", clock, rung, snooze_minutes=3)
    ask(skill, "remind me in 1 minute to stir")
    clock.advance(60)
    skill.scheduler.fire_due()
    assert ask(skill, "snooze").data["time"] == "10:04"


def test_the_thread_rings_when_the_clock_reaches_the_alarm(tmp_path, clock):
    done = threading.Event()
    rung: list = []

    def notify(text, language):
        rung.append((text, language))
        done.set()
    skill = AlarmSkill(AlarmStore(tmp_path / "a.sqlite3"), notify, clock, Settings(tz=IST))
    try:
        ask(skill, "remind me in 2 minutes to stir the dal")
        assert not done.wait(0.3)
        clock.advance(120)
        skill.scheduler.wake()
        assert done.wait(5)
        assert rung == [("Reminder: stir the dal.", "en")]
    finally:
        skill.scheduler.stop()


# -- persistence ----------------------------------------------------------------------------

def test_alarms_survive_a_restart_and_missed_ones_are_announced_once(tmp_path, clock):
    path = tmp_path / "alarms.sqlite3"
    first: list = []
    skill = make_skill(path, clock, first)
    ask(skill, "remind me at 11 am to call the bank")
    ask(skill, "kal subah 6 baje uthana")
    ask(skill, "set an alarm for 7 am every day")
    ask(skill, "remind me at 9 pm to lock the door")
    # VAANI stops; it is started again at 8:00 the next morning
    clock.to(datetime(2026, 3, 6, 8, 0, tzinfo=IST))
    told: list = []
    again = make_skill(path, clock, told)
    again.scheduler.start()
    assert told == [
        ("While I was off, you missed a reminder at 11:00 AM yesterday: call the bank; "
         "a reminder at 9:00 PM yesterday: lock the door; your alarm at 7:00 AM today.", "en"),
        ("जब मैं बंद थी, तब ये छूट गए: आज सुबह छह बजे का अलार्म।", "hi")]
    left = again.store.all()
    assert [(a.label, datetime.fromtimestamp(a.due, IST).strftime("%m-%d %H:%M"))
            for a in left] == [("", "03-07 07:00")]            # the daily alarm: tomorrow
    third: list = []
    make_skill(path, clock, third).scheduler.start()
    assert third == []                                         # told once only
    assert first == []


def test_an_alarm_just_due_at_startup_rings_rather_than_being_missed(tmp_path, clock):
    path = tmp_path / "alarms.sqlite3"
    skill = make_skill(path, clock, [])
    ask(skill, "remind me in 5 minutes to stir")
    clock.advance(5 * 60 + 30)
    told: list = []
    again = make_skill(path, clock, told)
    again.scheduler.start()
    assert told == []
    again.scheduler.fire_due()
    assert told == [("Reminder: stir.", "en")]


def test_the_database_is_made_only_when_an_alarm_is_set(tmp_path, clock):
    path = tmp_path / "sub" / "alarms.sqlite3"
    skill = make_skill(path, clock, [])
    skill.scheduler.start()
    assert ask(skill, "what alarms do I have").text == "You have no alarms set."
    assert ask(skill, "set an alarm") is not None
    assert not path.exists()
    ask(skill, "set an alarm for 6 am")
    assert path.exists()


def test_two_processes_sharing_the_file_ring_an_alarm_once(tmp_path, clock):
    path = tmp_path / "alarms.sqlite3"
    rung: list = []
    a, b = make_skill(path, clock, rung), make_skill(path, clock, rung)
    ask(a, "remind me in 1 minute to stir")
    clock.advance(60)
    (alarm,) = a.store.due_by(clock())
    assert a.scheduler._reschedule(alarm, clock())            # a claims it first
    assert b.scheduler.fire_due() == [] and rung == []


# -- what a one-shot command waits for ------------------------------------------------------

def test_pending_lists_what_this_process_set_within_the_hour(tmp_path, clock):
    path = tmp_path / "alarms.sqlite3"
    earlier = make_skill(path, clock, [])
    ask(earlier, "remind me in 10 minutes to stir")
    skill = make_skill(path, clock, [])
    ask(skill, "remind me in 20 minutes to check the oven")
    ask(skill, "set an alarm for 7 am")                         # tomorrow: not waited for
    ask(skill, "wake me up in 50 minutes")
    pending = skill.pending()
    assert [p.what for p in pending] == ["the reminder at 10:20 AM", "the 10:50 AM alarm"]
    assert 0 < pending[0].due - __import__("time").time() <= 20 * 60 + 5
    never = make_skill(path, clock, [], wait_minutes=0)
    ask(never, "remind me in 1 minute to stir")
    assert never.pending() == []


def test_pending_alarms_are_listed_as_saved_so_no_wait_does_not_call_them_lost(tmp_path, clock):
    skill = make_skill(tmp_path / "alarms.sqlite3", clock, [])
    ask(skill, "remind me in 20 minutes to check the oven")
    ask(skill, "wake me up in 50 minutes")
    assert [p.kept for p in skill.pending()] == [True, True]    # in the file, not the process


# -- config ---------------------------------------------------------------------------------

def test_settings():
    assert settings({}) == Settings()
    assert settings({"timezone": "Asia/Kolkata", "snooze_minutes": 5}).snooze_minutes == 5
    for bad in ({"snoze_minutes": 5}, {"snooze_minutes": 0}, {"max_alarms": "9"},
                {"timezone": "Mars/Olympus"}, {"wait_minutes": True}, {"timezone": 5}):
        with pytest.raises(ConfigError):
            settings(bad)


# -- through the real plugin host: negatives, tools, startup --------------------------------

SKILLS = ("clock", "timer", "calculator", "alarms")


def skills_host(now, notify=None, tables=None) -> PluginHost:
    others = sorted(ep.name for ep in metadata.entry_points(group="vaani")
                    if ep.name not in SKILLS)
    host = PluginHost(config_mod.from_dict({"plugins": {
        "disabled": others, "alarms": {"timezone": "Asia/Kolkata"}, **(tables or {})}}))
    host.load()
    assert set(SKILLS) <= set(host.plugin_names())
    host.configure()
    host.startup(notify or (lambda text, language, plugin: None), now=now)
    return host


@pytest.fixture
def host(data_dir, clock):
    h = skills_host(clock)
    yield h
    h.shutdown()


def host_ask(host, text):
    answer = host.handle(Utterance(text, resolve_language(text, ("hi", "en"))), timeout_ms=2000)
    return answer


@pytest.mark.parametrize("text, plugin", [
    ("set a timer for 5 minutes", "timer"), ("5 minute ka timer lagao", "timer"),
    ("टाइमर बंद करो", "timer"), ("what time is it", "clock"), ("कल कौन सा दिन होगा", "clock"),
    ("what is 5 plus 7", "calculator"), ("remind me to call mom at 5", "alarms"),
    ("सुबह 7 बजे का अलार्म लगाओ", "alarms"), ("kal subah 6 baje uthana", "alarms"),
])
def test_each_skill_keeps_its_own_requests(host, text, plugin):
    answer = host_ask(host, text)
    assert answer is not None and answer.plugin == plugin, (text, answer)


NEGATIVE = [
    "what is an alarm", "how do I set an alarm", "alarm kaise lagate hain", "alarm kya hota hai",
    "my alarm didn't ring this morning", "remind me what the capital of France is",
    "फ़ोन उठाओ", "tell me about alarm clocks", "the fire alarm is ringing", "wake up",
    "I woke up at 6 today", "मुझे याद है", "क्या तुम्हें याद है", "alarm clock kitne ka hai",
    "अलार्म घड़ी कितने की है", "what's a good time to wake up", "how many alarms can I set",
    "what does snooze mean", "reminder app suggestions", "why do alarms ring",
    "kal subah mujhe uthna hai", "who invented the alarm clock", "कल क्या है",
    "set a timer for 20 minutes to check the oven", "what time is it", "5 baje",
    "at 5", "tell me a joke", "कल सुबह", "what is 20 minutes from now",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_not_for_the_alarm_skill(host, text):
    answer = host_ask(host, text)
    assert answer is None or answer.plugin != "alarms", (text, answer.reply.text)


def test_startup_through_the_host_uses_the_data_dir_and_announces_missed(data_dir, clock):
    told: list = []
    h = skills_host(clock, lambda text, language, plugin: told.append((text, language, plugin)))
    try:
        assert not (data_dir / "alarms.sqlite3").exists()
        assert host_ask(h, "remind me at 11 am to call the bank").plugin == "alarms"
        assert (data_dir / "alarms.sqlite3").exists()
    finally:
        h.shutdown()
    clock.advance(3 * 3600)
    h = skills_host(clock, lambda text, language, plugin: told.append((text, language, plugin)))
    h.shutdown()
    assert told == [("While I was off, you missed a reminder at 11:00 AM today: call the bank.",
                     "en", "alarms")]


def test_tools_are_offered_and_grounded(host, clock):
    tools = host.tools()
    assert {"alarm_set", "reminder_set", "alarm_list", "alarm_cancel"} <= set(tools)
    assert all(tools[n][1].acts for n in ("alarm_set", "reminder_set", "alarm_cancel"))
    result = host.call_tool("alarm_set", {"time": "7 am tomorrow"}, "en",
                            utterance="yo vaani wake me at 7 in the morning tomorrow bro")
    assert result.get("ok") and (result["date"], result["time"]) == ("2026-03-06", "07:00"), result
    result = host.call_tool("reminder_set", {"time": "in 20 minutes", "label": "check the oven"},
                            "en", utterance="in twenty minutes remind me the oven, check it")
    assert result["ok"] and result["time"] == "10:20"
    refused = {"error": "the user did not ask for this"}
    # a guessed AM/PM, a different day, a repeat or label not said, nothing asked at all
    assert host.call_tool("alarm_set", {"time": "5 pm tomorrow"}, "en",
                          utterance="set an alarm for tomorrow at 5 yaar") == refused
    assert host.call_tool("alarm_set", {"time": "7 am"}, "en",
                          utterance="put an alarm day after tomorrow 7 am") == refused
    assert host.call_tool("alarm_set", {"time": "7 am", "repeat": "daily"}, "en",
                          utterance="I want an alarm at 7 am, ok?") == refused
    assert host.call_tool("reminder_set", {"time": "5 pm", "label": "buy flowers"}, "en",
                          utterance="reminder for 5 pm to call my sister") == refused
    assert host.call_tool("alarm_set", {"time": "6 am"}, "en",
                          utterance="tell me a fun fact about the moon") == refused
    assert host.call_tool("alarm_list", {}, "en", utterance="what is the capital of India") \
        == refused
    listed = host.call_tool("alarm_list", {}, "en", utterance="any alarms for me, vaani?")
    assert [a["time"] for a in listed["alarms"]] == ["10:20", "07:00"]
    assert host.call_tool("alarm_cancel", {"time": "7 am"}, "en",
                          utterance="is the 7 am alarm for tomorrow?") == refused
    assert host.call_tool("alarm_cancel", {"time": "8 am"}, "en",
                          utterance="cancel the 7 am alarm yaar") == refused
    cancelled = host.call_tool("alarm_cancel", {"time": "7 am"}, "en",
                               utterance="cancel the 7 am alarm yaar")
    assert cancelled["ok"] and cancelled["cancelled"]["time"] == "07:00"


def test_tool_errors_are_words_the_model_can_say(host):
    call = host.call_tool
    said = "set an alarm for tomorrow at 5 yaar"
    assert "AM or PM" in call("alarm_set", {"time": "5 tomorrow"}, "en", utterance=said)["error"]
    assert "error" in call("alarm_set", {"time": ""}, "en", utterance="set an alarm")
    assert "error" in call("alarm_set", {"time": "7 am", "repeat": "sometimes"}, "en",
                           utterance="set an alarm for 7 am sometimes")


def test_tools_say_their_result_in_each_language(host):
    tool = host.tools()["alarm_set"][1]
    result = {"ok": True, "kind": "alarm", "time": "07:00", "date": "2026-03-06",
              "repeat": "", "label": ""}
    assert tool.say(result, "en") == "Alarm set for 7:00 AM tomorrow."
    assert tool.say(result, "hi") == "कल सुबह सात बजे का अलार्म लगा दिया है।"
    reminder = dict(result, kind="reminder", time="17:00", date="2026-03-05")
    assert tool.say(reminder, "en") == "Reminder set for 5:00 PM today."
    assert tool.say(dict(result, repeat="every weekday"), "hi") == \
        "सोमवार से शुक्रवार हर रोज़ सुबह सात बजे का अलार्म लगा दिया है।"


def test_the_guard_lets_alarm_requests_through_once_the_tools_exist(host):
    from vaani.guard import out_of_scope

    tools = [tool for _, tool in host.tools().values()]
    assert out_of_scope("remind me to water the plants at 5") == ("action", "reminder")
    assert out_of_scope("remind me to water the plants at 5", tools) is None
    assert host.abilities("en")[0] == "alarms and reminders"
    assert "अलार्म और रिमाइंडर" in host.abilities("hi")


def test_vaani_pending_through_the_host(host):
    host_ask(host, "remind me in 20 minutes to check the oven")
    host_ask(host, "set an alarm for 7 am")
    assert [(plugin, p.what) for plugin, p in host.pending()] == [
        ("alarms", "the reminder at 10:20 AM")]
    assert timedelta(seconds=0) < timedelta(seconds=host.pending()[0][1].due
                                            - __import__("time").time())
