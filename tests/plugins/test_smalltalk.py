"""Small talk through the real plugin host (entry points) beside the other skills: greetings
that fit the time of day, thanks, who/what, jokes, "what can you do" from the installed
skills, and the other skills' own requests left to them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.plugins import test_calculator, test_clock, test_timer
from tests.plugins.skillhost import ask, host_of
from vaani.errors import ConfigError
from vaani.guard import greeting_conflict, greeting_for, script_ok
from vaani.hookspecs import Utterance
from vaani.language import DEVANAGARI
from vaani.plugins import PluginHost

import vaani_smalltalk
from vaani_smalltalk import JOKES, SmallTalk, understand

IST = ZoneInfo("Asia/Kolkata")


def at(hour: int, minute: int = 0) -> float:
    """A moment on 15 August 2025 in India."""
    return datetime(2025, 8, 15, hour, minute, tzinfo=IST).timestamp()


class Clock:
    """A wall clock the test sets."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture()
def clock() -> Clock:
    return Clock(at(15))


@pytest.fixture()
def host(clock) -> Iterator[PluginHost]:
    h = host_of(tables={"smalltalk": {"timezone": "Asia/Kolkata"},
                        "clock": {"timezone": "Asia/Kolkata"}}, now=clock)
    yield h
    h.shutdown()


# (utterance, intent, reply language)
ENGLISH = [
    ("hello", "greet"), ("Hi!", "greet"), ("Hey there", "greet"), ("hello vaani", "greet"),
    ("good morning", "greet"), ("Good evening, Vaani.", "greet"), ("how are you", "how"),
    ("How are you doing today?", "how"), ("what's up", "how"), ("Hi, how are you?", "how"),
    ("I'm fine, thanks", "fine"), ("who are you", "who"), ("What's your name?", "who"),
    ("tell me about yourself", "who"), ("what can you do", "abilities"),
    ("What all can you do?", "abilities"), ("help", "abilities"), ("thank you", "thanks"),
    ("Thanks a lot!", "thanks"), ("thank you so much vaani", "thanks"), ("sorry", "sorry"),
    ("I'm sorry about that", "sorry"), ("ok", "ok"), ("okay cool", "ok"), ("got it", "ok"),
    ("bye", "bye"), ("goodbye", "bye"), ("see you later", "bye"), ("good night", "bye"),
    ("thanks, bye", "bye"), ("are you a robot?", "robot"), ("Are you human?", "robot"),
    ("tell me a joke", "joke"), ("Tell me another joke.", "joke"),
    ("can you tell me a joke please", "joke"), ("do you know any jokes", "joke"),
    ("make me laugh", "joke"), ("good job", "praise"), ("well done", "praise"),
    ("are you there", "here"),
    # thanks for something, meeting, how the day went, abilities offline
    ("Thank you for helping me.", "thanks"), ("thanks for everything", "thanks"),
    ("That was really helpful!", "thanks"), ("I appreciate it", "thanks"),
    ("Nice to meet you, Vaani.", "greet"), ("pleased to meet you", "greet"),
    ("How are you feeling?", "how"), ("How was your day?", "how"),
    ("good evening, how has your day been", "how"),
    ("What can you do without the internet?", "abilities"),
]
HINDI = [
    ("नमस्ते", "greet"), ("नमस्कार जी", "greet"), ("हेलो वाणी", "greet"), ("सुप्रभात", "greet"),
    ("आप कैसे हैं?", "how"), ("तुम कैसी हो", "how"), ("क्या हाल है", "how"),
    ("मैं ठीक हूँ", "fine"), ("तुम कौन हो?", "who"), ("आपका नाम क्या है", "who"),
    ("अपने बारे में बताओ", "who"), ("तुम क्या कर सकती हो", "abilities"),
    ("आप क्या-क्या कर सकती हैं?", "abilities"), ("धन्यवाद", "thanks"),
    ("बहुत बहुत शुक्रिया", "thanks"), ("माफ़ कीजिए", "sorry"), ("अच्छा", "ok"),
    ("ठीक है", "ok"), ("अलविदा", "bye"), ("फिर मिलते हैं", "bye"), ("शुभ रात्रि", "bye"),
    ("क्या तुम रोबोट हो", "robot"), ("क्या आप इंसान हैं?", "robot"),
    ("एक चुटकुला सुनाओ", "joke"), ("कोई जोक सुनाइए", "joke"), ("मुझे हँसाओ", "joke"),
    ("शाबाश", "praise"), ("बहुत बढ़िया", "praise"),
    ("मदद के लिए धन्यवाद", "thanks"), ("इससे बहुत मदद मिली", "thanks"),
    ("आपसे मिलकर ख़ुशी हुई", "greet"), ("तुम्हारा दिन कैसा रहा?", "how"),
    ("आप ऑफ़लाइन क्या कर सकती हैं", "abilities"),
    # "today", "and", "what else": around phrases that were already known
    ("आप आज कैसे हैं?", "how"), ("और सुनाओ", "how"), ("आप कौन हैं और आपका नाम क्या है", "who"),
]
ROMAN = [
    ("namaste", "greet"), ("namaste ji", "greet"), ("aap kaise ho", "how"),
    ("kaise ho yaar", "how"), ("kya haal hai", "how"), ("tum kaun ho", "who"),
    ("aapka naam kya hai", "who"), ("tum kya kya kar sakti ho", "abilities"),
    ("dhanyavaad", "thanks"), ("bahut shukriya", "thanks"), ("maaf karna", "sorry"),
    ("acha", "ok"), ("theek hai", "ok"), ("alvida", "bye"), ("phir milenge", "bye"),
    ("kya tum robot ho", "robot"), ("ek joke sunao", "joke"), ("mujhe ek chutkula sunao", "joke"),
    ("koi joke sunao na", "joke"), ("shabash", "praise"),
    ("aapki madad ke liye shukriya", "thanks"), ("isse madad mili", "thanks"),
    ("tumse milkar achha laga", "greet"), ("aapka din kaisa ja raha hai", "how"),
    ("tum offline mere liye kya kar sakti ho", "abilities"),
    ("aaj aap kaise hain", "how"), ("aur batao yaar", "how"),
]


@pytest.mark.parametrize("text, intent", ENGLISH)
def test_english(host, text, intent):
    answer = ask(host, text, "en")
    assert answer is not None and answer.plugin == "smalltalk", text
    assert answer.reply.data["intent"] == intent
    assert answer.reply.language == "en" and script_ok(answer.reply.text, "en")


@pytest.mark.parametrize("text, language", [
    ("Namaste VAANI, nice to meet you.", "en"), ("namaste, how are you", "en"),
    ("Good evening, aapka din kaisa raha?", "hi"), ("hello, kaise ho", "hi"),
    ("thanks, bahut bahut shukriya", "hi")])
def test_mixed_phrases_are_answered_in_the_language_of_most_of_them(host, text, language):
    for resolved in ("en", "hinglish"):
        answer = ask(host, text, resolved)
        assert answer is not None and answer.plugin == "smalltalk", text
        assert answer.reply.language == language, (text, resolved)


@pytest.mark.parametrize("text, intent", HINDI + ROMAN)
def test_hindi_and_hinglish_get_devanagari_hindi(host, text, intent):
    for language in ("hi", "en"):            # a Hindi word makes the reply Hindi either way
        answer = ask(host, text, language)
        assert answer is not None and answer.plugin == "smalltalk", text
        assert answer.reply.data["intent"] == intent
        assert answer.reply.language == "hi", (text, language)
        assert script_ok(answer.reply.text, "hi") and DEVANAGARI.search(answer.reply.text)


def test_english_words_reply_in_the_language_spoken(host):
    # "thank you" from a Hindi speaker (the utterance resolved as Hindi) is answered in Hindi
    assert ask(host, "thank you", "hi").reply.text == "आपका स्वागत है!"
    assert ask(host, "thank you", "en").reply.text == "You're welcome!"


def test_the_set_is_big_enough():
    assert len(ENGLISH) >= 30 and len(HINDI) >= 20 and len(ROMAN) >= 15


# -- greetings and the time of day ----------------------------------------------------------

@pytest.mark.parametrize("hour", range(24))
def test_a_greeting_always_fits_the_hour(hour):
    skill = SmallTalk(now=lambda: at(hour, 30), tz=IST)
    for text in ("good morning", "good afternoon", "good evening", "hello", "namaste",
                 "सुप्रभात", "good night", "hi, how are you", "शुभ रात्रि", "bye"):
        for language in ("en", "hi"):
            reply = skill.answer(Utterance(text, language), advance=False)
            assert reply is not None and reply.data["hour"] == hour
            assert not greeting_conflict(reply.text, hour), (hour, text, reply.text)


@pytest.mark.parametrize("hour, said, expected", [
    (15, "good morning", "Good afternoon! How can I help?"),
    (9, "good evening", "Good morning! How can I help?"),
    (20, "hello", "Good evening! How can I help?"),
    (2, "hello", "Hello! How can I help?"),
    (9, "hi, how are you", "Good morning! I'm doing well, thanks for asking! How can I help?"),
    (22, "good night", "Good night! Sleep well."),
    (14, "good night", "Goodbye! Talk to you soon."),
])
def test_english_greetings_follow_the_clock_not_the_user(hour, said, expected):
    skill = SmallTalk(now=lambda: at(hour), tz=IST)
    assert skill.answer(Utterance(said, "en"), advance=False).text == expected


@pytest.mark.parametrize("hour, said, expected", [
    (8, "सुप्रभात", "सुप्रभात! बताइए, क्या मदद करूँ?"),
    (15, "सुप्रभात", "नमस्ते! बताइए, क्या मदद करूँ?"),
    (15, "namaste", "नमस्ते! बताइए, क्या मदद करूँ?"),
    (23, "शुभ रात्रि", "शुभ रात्रि! आराम से सोइए।"),
    (11, "शुभ रात्रि", "अलविदा! फिर मिलेंगे।"),
])
def test_hindi_greetings_follow_the_clock(hour, said, expected):
    skill = SmallTalk(now=lambda: at(hour), tz=IST)
    assert skill.answer(Utterance(said, "hi"), advance=False).text == expected


@pytest.mark.parametrize("hour", range(24))
def test_the_skill_and_the_guard_greet_by_one_rule(hour):
    for language in ("en", "hi"):
        for morning_said in (False, True):
            assert vaani_smalltalk.greeting(hour, language, morning_said) == \
                greeting_for(hour, language, morning_said)
    assert vaani_smalltalk.is_night(hour) == (not greeting_conflict("Good night!", hour))


def test_at_3_am_the_greeting_is_a_plain_hello():
    assert greeting_for(3, "en") == vaani_smalltalk.greeting(3, "en") == "Hello!"
    skill = SmallTalk(now=lambda: at(3), tz=IST)
    assert skill.answer(Utterance("good evening", "en"), advance=False).text == \
        "Hello! How can I help?"


def test_the_greeting_moves_with_the_host_clock(host, clock):
    clock.t = at(8)
    assert ask(host, "hello", "en").reply.text.startswith("Good morning!")
    clock.t = at(15)
    assert ask(host, "good morning", "en").reply.text.startswith("Good afternoon!")


# -- who, what, thanks ----------------------------------------------------------------------

def test_replies(host):
    def reply(text, language=None):
        return ask(host, text, language).reply.text

    assert reply("thank you", "en") == "You're welcome!"
    assert reply("धन्यवाद") == "आपका स्वागत है!"
    assert reply("thanks, bye", "en") == "You're welcome! Goodbye."
    assert reply("sorry", "en") == "No problem at all."
    assert reply("how are you", "en") == "I'm doing well, thanks for asking! How can I help?"
    assert reply("aap kaise ho") == "मैं ठीक हूँ, पूछने के लिए शुक्रिया! बताइए, क्या मदद करूँ?"
    assert "VAANI" in reply("who are you", "en") and "offline" in reply("who are you", "en")
    assert "वाणी" in reply("tum kaun ho") and "ऑफ़लाइन" in reply("tum kaun ho")
    assert reply("are you a robot", "en").startswith("I'm not a person.")


def test_what_can_you_do_lists_the_installed_skills(host):
    answer = ask(host, "what can you do", "en")
    assert answer.reply.text == ("I can help with calculations, the time and date, small "
                                 "talk and jokes, timers, and unit conversions. Just ask!")
    assert answer.reply.data["abilities"] == host.abilities("en")
    hindi = ask(host, "tum kya kya kar sakti ho").reply
    assert hindi.text == ("मैं हिसाब, समय-तारीख़, बातचीत और चुटकुले, टाइमर और इकाई बदलने में "
                          "मदद कर सकती हूँ। बस पूछिए!")


def test_what_can_you_do_follows_what_is_installed():
    h = host_of(("clock", "smalltalk"))
    try:
        assert ask(h, "what can you do", "en").reply.text == (
            "I can help with the time and date and small talk and jokes. Just ask!")
    finally:
        h.shutdown()


def test_without_a_host_list_what_can_you_do_is_left_to_vaani():
    # (a host that gives no abilities: VAANI's own "I can't ... I can help with" answers)
    assert SmallTalk().answer(Utterance("what can you do", "en"), advance=True) is None


# -- jokes ----------------------------------------------------------------------------------

def test_the_joke_lists():
    for language, jokes in JOKES.items():
        assert len(jokes) >= 20, language
        assert len(set(jokes)) == len(jokes)
        for joke in jokes:
            assert len(joke) <= 200 and script_ok(joke, language), joke
            if language == "hi":
                assert DEVANAGARI.search(joke) and not any("a" <= c.lower() <= "z" for c in joke)


def test_jokes_are_not_repeated_until_all_were_told(host):
    for language, text in (("en", "tell me a joke"), ("hi", "ek joke sunao")):
        told = [ask(host, text, language).reply.data["joke"] for _ in JOKES[language]]
        assert sorted(told) == list(range(len(JOKES[language]))), language
        again = ask(host, text, language).reply.data["joke"]
        assert again == told[0]                 # then the same order again


def test_preview_tells_the_joke_handle_will_tell_without_moving_on(host):
    u = Utterance("tell me a joke", "en")
    first = host.preview(u)
    assert host.preview(u).text == first.text
    assert host.handle(u).reply.text == first.text
    assert host.preview(u).text != first.text
    for text, language in (("hello", "en"), ("namaste", "hi"), ("thank you", "en")):
        u = Utterance(text, language)
        assert host.preview(u).text == host.handle(u).reply.text


def test_joke_order_differs_between_starts():
    orders = {tuple(SmallTalk(seed=seed)._order["en"]) for seed in range(5)}
    assert len(orders) > 1


# -- precision: the other skills' requests, and what is not small talk ----------------------

def _others_positives() -> list[str]:
    from tests.plugins.test_units import ENGLISH as UNITS_EN, HINDI as UNITS_HI

    out = [t for t, *_ in test_clock.ENGLISH + test_clock.HINDI + test_clock.ROMAN]
    out += [t for t, *_ in test_clock.RELATIVE]
    out += [t for t, *_ in test_timer.SET_ENGLISH + test_timer.SET_HINDI + test_timer.SET_ROMAN]
    out += [t for t, *_ in test_timer.CANCEL] + list(test_timer.LIST)
    out += [t for t, _ in test_calculator.ENGLISH + test_calculator.HINDI + test_calculator.ROMAN]
    out += [t for t, *_ in UNITS_EN + UNITS_HI]
    return out


OTHERS = _others_positives()
# Small talk around a request: the request's skill (or the LLM) answers it.
MIXED = [
    ("hello what time is it", "clock"), ("Hi Vaani, what's the date today?", "clock"),
    ("namaste, samay kya hua hai", None), ("thank you, now set a timer for 5 minutes", None),
    ("okay set a timer for 5 minutes", "timer"), ("sorry, what time is it", "clock"),
    ("hey what is 25 times 4", "calculator"), ("thanks, how many feet in a yard", None),
    ("नमस्ते, पाँच किलो कितने पाउंड होते हैं", "units"),
    ("hello, how many feet in a yard", "units"),
]
NOT_SMALLTALK = [
    "tell me a joke about cats", "what is the capital of France", "how are you able to work "
    "offline", "who are you talking to", "what is your name in Hindi", "thank you for nothing",
    "I am not fine", "good morning sunshine song", "hello world program in python",
    "say hello to my mother", "who is your creator", "what are you doing tomorrow",
    "okay google", "bye bye birdie movie", "mujhe tumhara naam pasand hai",
    "तुम्हारा नाम किसने रखा", "कैसे हो सकता है", "धन्यवाद पत्र कैसे लिखें", "joke kya hota hai",
    "chutkule ki kitaab", "ok what is the weather", "namaste ka matlab kya hai", "vaani",
    "please", "", "Thank you for watching!", "thank you for subscribing",
    "how was the movie", "what can you do with python offline", "nice to meet you in hindi",
    "मदद के लिए किसे बुलाऊँ", "आज क्या है", "और क्या", "aur batao kal ka mausam kaisa hai",
    "आज कौन सा दिन है और कितने बजे हैं",
]


def test_the_negative_sets_are_big_enough():
    assert len(OTHERS) >= 150 and len(NOT_SMALLTALK) >= 25


@pytest.mark.parametrize("text", OTHERS)
def test_the_other_skills_requests_are_not_small_talk(text):
    assert understand(text) is None, text


@pytest.mark.parametrize("text, owner", MIXED)
def test_small_talk_around_a_request_is_left_to_the_request(host, text, owner):
    answer = ask(host, text)
    assert answer is None or answer.plugin != "smalltalk", (text, answer)
    if owner is not None:
        assert answer is not None and answer.plugin == owner, (text, answer)


@pytest.mark.parametrize("text", NOT_SMALLTALK)
def test_not_small_talk(host, text):
    for language in ("en", "hi"):
        answer = ask(host, text, language)
        assert answer is None or answer.plugin != "smalltalk", (text, answer)


# -- config ---------------------------------------------------------------------------------

@pytest.mark.parametrize("table, message", [
    ({"timezone": "Mars/Olympus"}, "plugins.smalltalk.timezone: unknown time zone"),
    ({"timezone": 5}, "plugins.smalltalk.timezone"),
    ({"greeting": "hi"}, "unknown config key 'plugins.smalltalk.greeting'"),
])
def test_config_errors(table, message):
    with pytest.raises(ConfigError, match=message):
        host_of(("smalltalk",), {"smalltalk": table})


def test_handle_before_startup_still_works():
    vaani_smalltalk.vaani_shutdown()
    assert vaani_smalltalk.vaani_handle(Utterance("thank you", "en")).text == "You're welcome!"
