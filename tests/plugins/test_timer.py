"""Timer skill: understanding set/cancel/list in three forms, and timers that really fire
(short real durations, notify captured) from one scheduler thread."""

from __future__ import annotations

import threading
import time

import pytest

from tests.plugins.test_clock import ask, skills_host
from vaani.errors import ConfigError
from vaani.hookspecs import Utterance

import vaani_timer
from vaani_timer import Settings, TimerService, TimerSkill, understand

# (utterance, seconds, label)
SET_ENGLISH = [
    ("Set a timer for 5 minutes.", 300, ""),
    ("set a timer for five minutes", 300, ""),
    ("Start a 10 second timer", 10, ""),
    ("timer for 90 seconds", 90, ""),
    ("Set a timer for 1 hour 30 minutes", 5400, ""),
    ("set a timer for one hour and thirty minutes", 5400, ""),
    ("Set a timer for an hour and a half", 5400, ""),
    ("set a timer for one and a half hours", 5400, ""),
    ("half an hour timer", 1800, ""),
    ("Set a timer for 2 minutes 30 seconds", 150, ""),
    ("5 minute timer", 300, ""),
    ("set a pasta timer for 10 minutes", 600, "pasta"),
    ("set a timer for 10 minutes for the rice", 600, "rice"),
    ("Could you set a timer for twenty minutes please?", 1200, ""),
    ("I need a timer for 3 minutes", 180, ""),
    ("set a timer for 5", 300, ""),
    ("set a second timer for 2 minutes", 120, ""),
    ("set timer 15 mins", 900, ""),
]
SET_HINDI = [
    ("टाइमर लगाओ दो मिनट का", 120, ""),
    ("दो मिनट का टाइमर लगा दो", 120, ""),
    ("पाँच मिनट का टाइमर सेट करो", 300, ""),
    ("ढाई मिनट का टाइमर", 150, ""),
    ("डेढ़ घंटे का टाइमर लगाओ", 5400, ""),
    ("सवा घंटे का टाइमर लगा दो", 4500, ""),
    ("आधे घंटे का टाइमर लगाओ", 1800, ""),
    ("एक घंटा तीस मिनट का टाइमर", 5400, ""),
    ("10 सेकंड का टाइमर लगाओ", 10, ""),
    ("साढ़े तीन मिनट का टाइमर चालू करो", 210, ""),
    ("चाय के लिए पाँच मिनट का टाइमर लगाओ", 300, "चाय"),
    ("क्या तुम पंद्रह मिनट का टाइमर लगा सकते हो", 900, ""),
]
SET_ROMAN = [
    ("5 minute ka timer set karo", 300, ""),
    ("timer set karo 5 minute ka", 300, ""),
    ("do minute ka timer lagao", 120, ""),
    ("timer laga do paanch minute ka", 300, ""),
    ("dhai minute ka timer lagao", 150, ""),
    ("dedh ghante ka timer laga do", 5400, ""),
    ("das second ka timer", 10, ""),
    ("pandrah minute ka timer start karo", 900, ""),
    ("ek ghanta bees minute ka timer lagao", 4800, ""),
]
CANCEL = [
    ("cancel the timer", 0, "", False),
    ("Stop the timer.", 0, "", False),
    ("cancel all timers", 0, "", True),
    ("turn off the timer", 0, "", False),
    ("cancel the 5 minute timer", 300, "", False),
    ("delete the pasta timer", 0, "pasta", False),
    ("टाइमर बंद करो", 0, "", False),
    ("सारे टाइमर बंद करो", 0, "", True),
    ("पाँच मिनट वाला टाइमर बंद करो", 300, "", False),
    ("टाइमर हटा दो", 0, "", False),
    ("timer band karo", 0, "", False),
    ("timer cancel kar do", 0, "", False),
    ("saare timer hata do", 0, "", True),
]
LIST = [
    "how much time is left", "How much time is left on my timer?", "how long is left",
    "what timers do I have", "list my timers", "time left on the timer",
    "कितना समय बचा है", "टाइमर में कितना समय बाकी है", "कौन से टाइमर चल रहे हैं",
    "kitna time bacha hai", "timer mein kitna samay baaki hai",
]
NOT_TIMER = [
    "how does a timer work", "how does a 5 minute timer work", "what is a timer",
    "timer kaise kaam karta hai", "टाइमर क्या होता है", "give me a recipe for a five minute meal",
    "I have five minutes", "how much time is left until Diwali", "set an alarm for 7 am",
    "remind me in 5 minutes", "5 मिनट में आता हूँ", "दो मिनट रुको", "what time is it",
    "the timer on my oven is broken and my neighbour is loud", "why is my timer so slow",
]


def _lang(text: str) -> str:
    from vaani.language import resolve_language
    return resolve_language(text, ("hi", "en"), None)


@pytest.mark.parametrize("text, seconds, label", SET_ENGLISH + SET_HINDI + SET_ROMAN)
def test_set(text, seconds, label):
    r = understand(text, roman_hindi=_lang(text) == "hi")
    assert r is not None and r.action == "set", text
    assert r.seconds == seconds and r.label == label


@pytest.mark.parametrize("text, seconds, label, everything", CANCEL)
def test_cancel(text, seconds, label, everything):
    r = understand(text, roman_hindi=_lang(text) == "hi")
    assert r is not None and r.action == "cancel", text
    assert (r.seconds, r.label, r.all) == (seconds, label, everything)


@pytest.mark.parametrize("text", LIST)
def test_list(text):
    r = understand(text, roman_hindi=_lang(text) == "hi")
    assert r is not None and r.action == "list", text


@pytest.mark.parametrize("text", NOT_TIMER)
def test_not_a_timer_request(text):
    assert understand(text, roman_hindi=True) is None
    assert understand(text, roman_hindi=False) is None


# Courtesy and filler before the request (or a thank-you after it) are never the label.
@pytest.mark.parametrize("text, label", [
    ("thank you, now set a timer for 5 minutes", ""),
    ("thanks, set a timer for 5 minutes", ""),
    ("ok, set a timer for 5 minutes", ""),
    ("okay now set a timer for 5 minutes", ""),
    ("shukriya, 5 minute ka timer lagao", ""),
    ("धन्यवाद, 5 मिनट का टाइमर लगाओ", ""),
    ("शुक्रिया, 5 मिनट का टाइमर लगाओ", ""),
    ("set a timer for 5 minutes, thank you", ""),
    # the label the user gave is still kept
    ("thank you, now set a tea timer for 5 minutes", "tea"),
    ("okay, set a timer for 5 minutes for the rice", "rice"),
    ("ठीक है, अब चाय के लिए 5 मिनट का टाइमर लगाओ", "चाय"),
    ("great, set a pasta timer for 5 minutes", "pasta"),
])
def test_courtesy_before_a_request_is_not_the_label(text, label):
    r = understand(text, roman_hindi=_lang(text) == "hi")
    assert r is not None and r.action == "set", text
    assert (r.seconds, r.label) == (300, label)


def test_courtesy_before_cancel_and_list_is_not_a_label_either():
    r = understand("thank you, cancel the tea timer")
    assert r is not None and (r.action, r.label) == ("cancel", "tea")
    r = understand("thanks, cancel the timer")
    assert r is not None and (r.action, r.label) == ("cancel", "")
    r = understand("thanks, how much time is left")
    assert r is not None and r.action == "list"


@pytest.mark.parametrize("text", ["thank you", "thank you so much", "ok", "धन्यवाद"])
def test_courtesy_alone_is_not_a_timer_request(text):
    assert understand(text) is None


def test_a_thank_you_does_not_name_the_timer_through_the_host():
    host = skills_host(notify=Said())
    try:
        a = ask(host, "thank you, now set a timer for 5 minutes")
        assert a.plugin == "timer" and a.reply.text == "Timer set for 5 minutes."
        assert a.reply.data["label"] == ""
    finally:
        host.shutdown()


# -- the scheduler --------------------------------------------------------------------------

class Said:
    """Captures notify() calls and lets a test wait for them."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self.cond = threading.Condition()

    def __call__(self, text: str, language: str, *plugin: str) -> None:
        with self.cond:
            self.items.append((text, language))
            self.cond.notify_all()

    def wait(self, n: int, timeout: float = 10.0) -> list[tuple[str, str]]:
        with self.cond:
            self.cond.wait_for(lambda: len(self.items) >= n, timeout)
            return list(self.items)


def test_a_timer_fires_and_notifies_in_its_language():
    said = Said()
    service = TimerService(said)
    try:
        start = time.monotonic()
        service.add(0.2, "", "en")
        assert said.wait(1) == [("Your 1 second timer is done.", "en")]
        elapsed = time.monotonic() - start
        assert 0.19 <= elapsed < 5.0
        assert service.pending() == []
    finally:
        service.stop()


def test_timers_fire_in_order_from_one_thread():
    said = Said()
    service = TimerService(said)
    try:
        before = set(threading.enumerate())
        service.add(0.4, "rice", "en")
        service.add(0.1, "चाय", "hi")
        service.add(0.25, "", "hi")
        texts = said.wait(3, timeout=10.0)
        assert texts == [("आपका चाय का टाइमर पूरा हुआ।", "hi"),
                         ("आपका एक सेकंड का टाइमर पूरा हुआ।", "hi"),
                         ("Your rice timer is done.", "en")]
        new = [t for t in threading.enumerate() if t not in before]
        assert [t.name for t in new] == ["vaani-timers"]
    finally:
        service.stop()
    assert not any(t.name == "vaani-timers" and t.is_alive() for t in threading.enumerate())


def test_cancelled_timers_do_not_fire_and_stop_drops_the_rest():
    said = Said()
    service = TimerService(said)
    a = service.add(0.15, "a", "en")
    service.add(0.3, "b", "en")
    service.cancel([a.id])
    assert said.wait(1, timeout=2.0) == [("Your b timer is done.", "en")]
    service.add(0.2, "c", "en")
    service.stop()
    time.sleep(0.4)
    assert said.items == [("Your b timer is done.", "en")]


def test_a_failing_notifier_does_not_kill_the_scheduler():
    calls = []

    def notify(text, language):
        calls.append(text)
        if len(calls) == 1:
            raise RuntimeError("speaker unplugged")

    service = TimerService(notify)
    try:
        service.add(0.05, "one", "en")
        service.add(0.15, "two", "en")
        deadline = time.monotonic() + 3
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert calls == ["Your one timer is done.", "Your two timer is done."]
    finally:
        service.stop()


def test_concurrent_requests_are_safe():
    service = TimerService(lambda text, language: None, Settings(max_timers=100))
    skill = TimerSkill(service)
    try:
        errors = []

        def worker(k):
            try:
                for _ in range(5):
                    skill.handle(Utterance(f"set a timer for {k + 10} minutes", "en"))
                    skill.handle(Utterance("how much time is left", "en"))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and len(service.pending()) == 40
        assert len({t.id for t in service.pending()}) == 40
    finally:
        service.stop()


# -- through the plugin host ----------------------------------------------------------------

def test_set_list_cancel_and_fire_through_the_host():
    said = Said()
    host = skills_host(notify=said)
    try:
        a = ask(host, "Set a timer for 5 minutes.")
        assert a.plugin == "timer" and a.reply.text == "Timer set for 5 minutes."
        assert a.reply.data["seconds"] == 300
        b = ask(host, "पास्ता के लिए दस मिनट का टाइमर लगाओ")
        assert b.reply.text == "पास्ता के लिए दस मिनट का टाइमर लगा दिया है।"
        c = ask(host, "how much time is left")
        assert c.reply.text in (
            "You have 2 timers: your 5 minute timer has 5 minutes left; "
            "your पास्ता timer has 10 minutes left.",
            "You have 2 timers: your 5 minute timer has 4 minutes 59 seconds left; "
            "your पास्ता timer has 9 minutes 59 seconds left.")
        assert [row["seconds"] for row in c.reply.data["timers"]] == [300, 600]
        d = ask(host, "कितना समय बचा है")
        assert d.reply.text.startswith("दो टाइमर चल रहे हैं: पाँच मिनट वाले टाइमर में ")
        assert "; पास्ता वाले टाइमर में " in d.reply.text
        e = ask(host, "cancel the 5 minute timer")
        assert e.reply.text == "Cancelled your 5 minute timer."
        f = ask(host, "cancel the 7 minute timer")
        assert f.reply.text == "I couldn't find a 7 minute timer."
        g = ask(host, "टाइमर बंद करो")
        assert g.reply.text == "पास्ता का टाइमर बंद कर दिया।"
        h = ask(host, "how much time is left")
        assert h.reply.text == "You have no timers running."
        i = ask(host, "5 minute ka timer set karo")
        assert i.reply.language == "hi" and i.reply.text == "पाँच मिनट का टाइमर लगा दिया है।"
        ask(host, "सारे टाइमर बंद करो")

        ask(host, "set a timer for 1 second")
        assert said.wait(1, timeout=5.0) == [("Your 1 second timer is done.", "en")]
        ask(host, "एक सेकंड का टाइमर लगाओ")
        assert said.wait(2, timeout=5.0)[1] == ("आपका एक सेकंड का टाइमर पूरा हुआ।", "hi")
    finally:
        host.shutdown()
    assert not any(t.name == "vaani-timers" and t.is_alive() for t in threading.enumerate())


def test_limits_get_a_clear_reply():
    host = skills_host({"timer": {"max_timers": 2, "max_seconds": 3600}})
    try:
        assert ask(host, "set a timer for 2 hours").reply.text == "Timers can be at most 1 hour long."
        assert ask(host, "तीन घंटे का टाइमर लगाओ").reply.text == \
            "टाइमर ज़्यादा से ज़्यादा एक घंटे का हो सकता है।"
        ask(host, "set a timer for 5 minutes")
        ask(host, "set a timer for 6 minutes")
        full = ask(host, "set a timer for 7 minutes")
        assert full.reply.data["error"] == "too_many"
        assert full.reply.text == "You already have 2 timers running, which is the most I can keep."
        assert ask(host, "set a timer for 0 seconds").reply.data["error"] == "too_short"
    finally:
        host.shutdown()


@pytest.mark.parametrize("table, message", [
    ({"max_timer": 3}, "plugins.timer.max_timer"),
    ({"max_timers": 0}, "max_timers must be an integer"),
    ({"max_timers": True}, "max_timers must be an integer"),
    ({"max_seconds": "1h"}, "max_seconds must be a number"),
    ({"max_seconds": 10 ** 9}, "max_seconds must be a number"),
])
def test_config_errors(table, message):
    with pytest.raises(ConfigError, match=message):
        skills_host({"timer": table})


def test_handle_before_startup_still_works():
    vaani_timer.vaani_shutdown()
    reply = vaani_timer.vaani_handle(Utterance("set a timer for 5 minutes", "en"))
    assert reply.text == "Timer set for 5 minutes."
    vaani_timer.vaani_shutdown()


def test_pending_lists_running_timers_until_their_announcement_is_given():
    """``vaani_pending`` (one-shot `vaani ask` waits on it): a timer stays listed while it is
    being announced, so a waiter never sees "nothing pending" before the notification."""
    release = threading.Event()
    said = Said()

    def slow_notify(text, language, *plugin):
        release.wait(5)                   # a speaker still busy with the announcement
        said(text, language)

    host = skills_host(notify=slow_notify)
    try:
        assert host.pending() == []
        ask(host, "set a timer for 1 second")
        ask(host, "set a timer for 5 minutes for the rice")
        start = time.time()
        pending = [(name, p.what, p.due - start) for name, p in host.pending()]
        assert [p[:2] for p in pending] == [("timer", "the 1 second timer"),
                                            ("timer", "the rice timer")]
        assert 0.5 < pending[0][2] <= 1.01 and 299 < pending[1][2] <= 300.01
        time.sleep(1.5)                   # due and being announced: still listed
        assert [p.what for _, p in host.pending()] == ["the 1 second timer", "the rice timer"]
        assert said.items == []
        release.set()
        assert said.wait(1) == [("Your 1 second timer is done.", "en")]
        deadline = time.time() + 5
        while len(host.pending()) > 1 and time.time() < deadline:
            time.sleep(0.01)
        assert [p.what for _, p in host.pending()] == ["the rice timer"]
    finally:
        release.set()
        host.shutdown()
    assert vaani_timer.vaani_pending() == []


@pytest.mark.parametrize("text, seconds", [
    ("पाँच मिनट का ताइमर लगाओ", 300), ("तीमर लगाओ दस मिनट का", 600), ("दो मिनट का चाइमर सेट करो", 120),
])
def test_whisper_spellings_of_timer(text, seconds):
    """How whisper-base writes टाइमर in Hindi speech (vaani bench asr --set dev)."""
    r = understand(text, roman_hindi=True)
    assert r is not None and (r.action, r.seconds) == ("set", seconds), text
    assert understand("पाँच मिनट का ताइमर", roman_hindi=True).seconds == 300
    assert understand("ताइमर कैसे काम करता है", roman_hindi=True) is None
