"""Timer skill: set, cancel and list kitchen timers by voice, in Hindi or English.

"set a timer for 5 minutes", "टाइमर लगाओ दो मिनट का", "5 minute ka timer set karo",
"ढाई मिनट का टाइमर", "an hour and a half timer for the rice", "cancel the 5 minute timer",
"सारे टाइमर बंद करो", "how much time is left", "kitna time bacha hai".

Timers keep running while the assistant does other things: one scheduler thread (a heap
under a condition variable, not a thread per timer) calls ``ctx.notify(text, language)``
when one is due ("Your 5 minute timer is done." / "आपका पाँच मिनट का टाइमर पूरा हुआ।"), in
the language the timer was set in. Everything is thread-safe; shutdown stops the thread and
drops pending timers. ``vaani_pending`` lists the timers still to ring, so a one-shot
``vaani ask`` waits for them instead of exiting first.

Precision first: a set request needs the word "timer" (any script) and a duration, may not
be a question about timers ("how does a timer work"), and may carry at most a two-word
label (never the courtesy around it: "thank you, now set a timer ..." has none); anything
else is left to other plugins and the LLM.

Config (``[plugins.timer]``): ``max_timers`` (default 10), ``max_seconds`` (longest timer,
default 86400 = 24 h).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vaani.hookspecs import Pending, PluginContext, Reply, Tool, Utterance, hookimpl
from vaani.kit import Option, plugin_options
from vaani.language import keys, word_key, words
from vaani.numwords import durations, find_numbers, hindi_words
from vaani.textnorm.spoken import english_duration, hindi_duration

log = logging.getLogger(__name__)

NAME = "timer"
OPTIONS = plugin_options(
    NAME,
    Option("max_timers", int, 10, "timers that may run at once", min=1, max=100),
    Option("max_seconds", float, 86400.0, "the longest timer, in seconds", min=1, max=7 * 86400))


@dataclass(frozen=True)
class Settings:
    max_timers: int = 10
    max_seconds: float = 86400.0


def settings(table: dict[str, Any]) -> Settings:
    """Validated settings from ``[plugins.timer]`` (ConfigError names a bad key)."""
    return Settings(**OPTIONS.check(table))


# -- understanding --------------------------------------------------------------------------

_TIMER = keys("timer timers टाइमर टायमर टाईमर taimar taimer "
              "ताइमर तीमर चाइमर".split())             # the last three: Whisper's टाइमर
_CANCEL = keys("cancel stop delete remove clear kill dismiss off बंद हटाओ हटा हटाना हटा "
               "रद्द कैंसल कैंसिल रोको रोक ख़त्म खत्म मिटाओ स्टॉप band hatao hata radd "
               "cancel roko rok khatam khatm mitao".split())
_REMAINING = keys("left remaining remain बचा बचे बची बाकी बाक़ी शेष bacha bache bachi baki "
                  "baaki".split())
# Asking which timers exist: "list my timers", "what timers do I have", "कौन से टाइमर चल
# रहे हैं" (a bare "what is a timer" is a question about timers, for the LLM).
_LIST = keys("list show running have got चल chal".split())
_ALL = keys("all every सारे सभी सब sare saare sabhi sab".split())
# Words that make an utterance a question *about* timers, never a request to set one.
_INTERROGATIVE = keys("how why what who where which does did doesn't कैसे क्यों क्यूँ "
                      "मतलब kaise kyun kyon kyu matlab meaning".split())
# What may surround a duration and the word "timer" in a set request.
_SET_VOCAB = keys(
    "set a an the my me for of to on start starts begin run create make put add new another "
    "please can could would will you i need want give timer timers up called named with "
    "one ok okay hey vaani and countdown now just quick second "
    "लगाओ लगा लगाना लगाइए लगाइये लगाएं लगाएँ लगा दो दें दीजिए दीजिये सेट करो कर करें करना "
    "चालू शुरू चला चलाओ का की के लिए एक मेरा मेरे मुझे प्लीज़ प्लीज ज़रा जरा भी और जी "
    "वाणी फिर नया क्या तुम आप सकते सकती हो "
    "lagao laga lagana lagaiye lagaye lagado do de dijiye set karo kar kare karna chalu "
    "shuru chala chalao ka ki ke liye ek mera mere mujhe zara jara bhi aur ji vaani phir "
    "naya kya tum aap sakte sakti ho".split())
_CANCEL_VOCAB = _SET_VOCAB | _CANCEL | _ALL | keys(
    "off turn timers वाला वाले वाली को कर दो दें दीजिए करो है हैं सारे इस उस this that "
    "wala wale wali ko kar do karo hai hain is us".split())
_LIST_VOCAB = _SET_VOCAB | _REMAINING | _LIST | _INTERROGATIVE | keys(
    "how much long longer time is are there on in है हैं कितना कितनी समय टाइम में पर अभी "
    "और रहा रहे रही से सा कौन कौनसे कितने do have got much many kitna kitni samay time mein par "
    "abhi hai hain raha rahe rahi aur se sa kaun konse kitne".split())
# Courtesy and filler said before the request ("thank you, now set a timer ...", "ok so ...",
# "धन्यवाद, ...") or a thank-you after it: never a timer's label. "you" only after "thank".
_FILLER = keys("thank thanks thankyou ok okay alright now so well right great cool fine "
               "shukriya shukria dhanyavad dhanyavaad dhanyawad dhanyawaad accha acha achha "
               "theek thik hai ab "
               "धन्यवाद शुक्रिया ठीक है अच्छा अब".split())
_THANKS = keys("thank thanks thankyou shukriya shukria dhanyavad dhanyavaad dhanyawad "
               "dhanyawaad धन्यवाद शुक्रिया".split())
_THANK, _YOU = word_key("thank"), word_key("you")
_VERB_BEFORE_DO = keys("लगा कर हटा रोक बंद चला सेट बता दिखा laga kar hata rok band chala "
                       "set bata dikha".split())
_DO = keys("दो do".split())


@dataclass(frozen=True)
class Request:
    action: str                       # set | cancel | list
    seconds: float = 0.0              # set; cancel by duration (0 = any)
    label: str = ""
    all: bool = False


def _durations(w: tuple[str, ...], roman_hindi: bool) -> tuple[float, set[int]]:
    """Seconds in every "NUMBER UNIT" of ``w`` (summed) and the token indices they used."""
    found = durations(w, roman_hindi)
    return (sum(d.seconds for d in found),
            {i for d in found for i in range(d.start, d.end)})


def _filler(ks: list[str]) -> set[int]:
    """Indices of the courtesy and filler words before the request, and of a thank-you at
    its end: "thank you, now set a timer ..." -> {0, 1, 2}."""
    out: set[int] = set()
    for i, k in enumerate(ks):                          # leading: thank you, ok now, धन्यवाद
        if k in _FILLER or (k == _YOU and i and ks[i - 1] == _THANK):
            out.add(i)
        else:
            break
    for i in range(len(ks) - 1, -1, -1):               # trailing: ..., thank you / thanks
        if ks[i] in _THANKS or (ks[i] == _YOU and i and ks[i - 1] == _THANK):
            out.add(i)
        else:
            break
    return out


def understand(text: str, roman_hindi: bool = True) -> Request | None:
    """What the user wants from the timer skill, or None if it is not a timer request."""
    w = words(text)
    if not w or len(w) > 20:
        return None
    ks = [word_key(x) for x in w]
    has_timer = any(k in _TIMER for k in ks)
    question = any(k in _INTERROGATIVE for k in ks)
    seconds, used = _durations(w, roman_hindi)
    has_duration = bool(used)
    used |= _filler(ks)                 # courtesy before or after: not a label
    # a "दो" right after a verb stem is the verb "give" (लगा दो), not the number two
    for i, k in enumerate(ks):
        if k in _DO and i and ks[i - 1] in _VERB_BEFORE_DO:
            used.add(i)
    if has_timer and not has_duration:
        # "set a timer for 5": a lone number is minutes
        loose = [s for s in find_numbers(w, roman_hindi) if s.start not in used]
        if len(loose) == 1 and any(k in _SET_VOCAB for k in ks) and not question:
            span = loose[0]
            seconds = float(span.value) * 60
            has_duration = True
            used.update(range(span.start, span.end))

    if any(k in _REMAINING for k in ks) or (has_timer and not has_duration
                                            and any(k in _LIST for k in ks)):
        if _only(ks, used, _LIST_VOCAB | _TIMER):
            return Request("list")
        return None
    if question:
        return None
    if any(k in _CANCEL for k in ks) and has_timer:
        rest = _rest(ks, used, _CANCEL_VOCAB | _TIMER)
        if len(rest) > 2:
            return None
        return Request("cancel", seconds, " ".join(w[i] for i in rest),
                       all=any(k in _ALL for k in ks))
    if has_timer and has_duration:
        rest = _rest(ks, used, _SET_VOCAB | _TIMER)
        if len(rest) > 2:
            return None
        return Request("set", seconds, " ".join(w[i] for i in rest))
    return None


def _rest(ks: list[str], used: set[int], vocab: frozenset[str] | set[str]) -> list[int]:
    return [i for i, k in enumerate(ks) if i not in used and k not in vocab]


def _only(ks: list[str], used: set[int], vocab: frozenset[str] | set[str]) -> bool:
    return not _rest(ks, used, vocab)


# -- the scheduler --------------------------------------------------------------------------

@dataclass
class Timer:
    id: int
    seconds: float
    label: str
    language: str
    due: float                        # time.monotonic() when it fires

    def remaining(self, now: float) -> float:
        return max(0.0, self.due - now)


class TimerService:
    """Pending timers and the one thread that fires them."""

    def __init__(self, notify: Callable[[str, str], None], config: Settings = Settings(),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.notify = notify
        self.config = config
        self.clock = clock
        self._cond = threading.Condition()
        self._timers: dict[int, Timer] = {}
        self._heap: list[tuple[float, int]] = []
        self._firing: dict[int, Timer] = {}       # due, being announced (notify running)
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- public, thread-safe --

    def add(self, seconds: float, label: str, language: str) -> Timer:
        with self._cond:
            timer = Timer(next(self._ids), seconds, label, language, self.clock() + seconds)
            self._timers[timer.id] = timer
            heapq.heappush(self._heap, (timer.due, timer.id))
            self._ensure_thread()
            self._cond.notify()
            return timer

    def cancel(self, ids: list[int]) -> list[Timer]:
        with self._cond:
            gone = [self._timers.pop(i) for i in ids if i in self._timers]
            self._cond.notify()
            return gone

    def pending(self) -> list[Timer]:
        with self._cond:
            return sorted(self._timers.values(), key=lambda t: t.due)

    def upcoming(self) -> list[Timer]:
        """What the service will still announce: the pending timers and any being announced
        right now (until its ``notify`` call returns), soonest first."""
        with self._cond:
            return sorted([*self._timers.values(), *self._firing.values()], key=lambda t: t.due)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._timers.clear()
            self._heap.clear()
            self._firing.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)

    # -- the thread --

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="vaani-timers", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._next_due()
                while not self._stopping and (due is None or due[0] > self.clock()):
                    self._cond.wait(None if due is None else max(0.0, due[0] - self.clock()))
                    due = self._next_due()
                if self._stopping:
                    return
                assert due is not None
                heapq.heappop(self._heap)
                timer = self._timers.pop(due[1], None)
                if timer is not None:
                    self._firing[timer.id] = timer
            if timer is not None:
                try:
                    self._fire(timer)
                finally:
                    with self._cond:
                        self._firing.pop(timer.id, None)

    def _next_due(self) -> tuple[float, int] | None:
        """The earliest heap entry of a timer still pending (cancelled ones are dropped)."""
        while self._heap and self._heap[0][1] not in self._timers:
            heapq.heappop(self._heap)
        return self._heap[0] if self._heap else None

    def _fire(self, timer: Timer) -> None:
        try:
            self.notify(done_text(timer), timer.language)
        except Exception:     # a failing speaker must not kill the scheduler
            log.exception("timer %s: notify failed", timer.id)


# -- words ----------------------------------------------------------------------------------

def _name(seconds: float, label: str, language: str) -> str:
    """How a timer is referred to: "5 minute" / "pasta" (en), "पाँच मिनट" / "चाय" (hi)."""
    if label:
        return label
    return hindi_duration(seconds) if language == "hi" else english_duration(seconds, adjective=True)


def done_text(timer: Timer) -> str:
    if timer.language == "hi":
        return f"आपका {_name(timer.seconds, timer.label, 'hi')} का टाइमर पूरा हुआ।"
    return f"Your {_name(timer.seconds, timer.label, 'en')} timer is done."


def _count_hi(n: int) -> str:
    return hindi_words(n)


class TimerSkill:
    """Turns requests into scheduler calls and replies."""

    def __init__(self, service: TimerService) -> None:
        self.service = service

    def handle(self, utterance: Utterance) -> Reply | None:
        language = utterance.language if utterance.language in ("hi", "en") else "en"
        request = understand(utterance.text, roman_hindi=language == "hi")
        if request is None:
            return None
        hi = language == "hi"
        if request.action == "set":
            return self._set(request, language, hi)
        if request.action == "cancel":
            return self._cancel(request, language, hi)
        return self._list(language, hi)

    def _set(self, r: Request, language: str, hi: bool) -> Reply:
        cfg = self.service.config
        seconds = round(r.seconds)
        problem = self._limit(seconds)
        if problem == "too_short":
            text = "टाइमर कम से कम एक सेकंड का होना चाहिए।" if hi else \
                "A timer needs to be at least one second long."
            return Reply(text, language, {"action": "set", "error": "too_short"})
        if problem == "too_long":
            limit = hindi_duration(cfg.max_seconds) if hi else english_duration(cfg.max_seconds)
            text = (f"टाइमर ज़्यादा से ज़्यादा {limit} का हो सकता है।" if hi
                    else f"Timers can be at most {limit} long.")
            return Reply(text, language, {"action": "set", "error": "too_long",
                                          "max_seconds": cfg.max_seconds})
        if problem == "too_many":
            text = (f"पहले से {_count_hi(cfg.max_timers)} टाइमर चल रहे हैं, इससे ज़्यादा नहीं लग सकते।"
                    if hi else f"You already have {cfg.max_timers} timers running, "
                               "which is the most I can keep.")
            return Reply(text, language, {"action": "set", "error": "too_many",
                                          "max_timers": cfg.max_timers})
        timer = self.service.add(seconds, r.label, language)
        if hi:
            text = (f"{r.label} के लिए {hindi_duration(seconds)} का टाइमर लगा दिया है।"
                    if r.label else f"{hindi_duration(seconds)} का टाइमर लगा दिया है।")
        else:
            what = f"{r.label.capitalize()} timer" if r.label else "Timer"
            text = f"{what} set for {english_duration(seconds)}."
        return Reply(text, language, {"action": "set", "id": timer.id, "seconds": seconds,
                                      "label": r.label})

    def _limit(self, seconds: int) -> str | None:
        """Why a timer of ``seconds`` cannot be set (too_short, too_long, too_many), or None."""
        cfg = self.service.config
        if seconds < 1:
            return "too_short"
        if seconds > cfg.max_seconds:
            return "too_long"
        if len(self.service.pending()) >= cfg.max_timers:
            return "too_many"
        return None

    def tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        """The LLM's ``timer`` tool: ``{"minutes": 5, "seconds": 0, "label": "tea"}``, with
        the same limits as a spoken request."""
        asked = asked_seconds(arguments)
        if asked is None:
            return {"error": "minutes and seconds must be finite numbers"}
        label = arguments.get("label") or ""
        if not isinstance(label, str):
            return {"error": "label must be a string"}
        seconds = round(asked)
        cfg = self.service.config
        problem = self._limit(seconds)
        if problem is not None:
            return {"error": {"too_short": "a timer needs at least one second",
                              "too_long": f"timers can be at most {int(cfg.max_seconds)} seconds",
                              "too_many": f"{cfg.max_timers} timers are already running"}[problem]}
        timer = self.service.add(seconds, label[:60], language if language in ("hi", "en") else "en")
        ends = time.strftime("%H:%M:%S", time.localtime(time.time() + seconds))
        return {"ok": True, "timer_id": timer.id, "seconds": seconds, "ends_at": ends}

    def _matching(self, r: Request) -> list[Timer]:
        pending = self.service.pending()
        if r.all or (not r.seconds and not r.label):
            return pending
        chosen = pending
        if r.seconds:
            chosen = [t for t in chosen if abs(t.seconds - r.seconds) < 0.5]
        if r.label:
            chosen = [t for t in chosen if t.label and (t.label in r.label or r.label in t.label)]
        return chosen

    def _cancel(self, r: Request, language: str, hi: bool) -> Reply:
        if not self.service.pending():
            text = "कोई टाइमर नहीं चल रहा है।" if hi else "You have no timers running."
            return Reply(text, language, {"action": "cancel", "cancelled": []})
        chosen = self._matching(r)
        if not chosen:
            what = _name(r.seconds, r.label, language)
            text = (f"{what} का कोई टाइमर नहीं मिला।" if hi
                    else f"I couldn't find a {what} timer.")
            return Reply(text, language, {"action": "cancel", "cancelled": []})
        gone = self.service.cancel([t.id for t in chosen])
        if len(gone) == 1:
            t = gone[0]
            text = (f"{_name(t.seconds, t.label, 'hi')} का टाइमर बंद कर दिया।" if hi
                    else f"Cancelled your {_name(t.seconds, t.label, 'en')} timer.")
        else:
            text = (f"{_count_hi(len(gone))} टाइमर बंद कर दिए।" if hi
                    else f"Cancelled {len(gone)} timers.")
        return Reply(text, language, {"action": "cancel", "cancelled": [t.id for t in gone]})

    def _list(self, language: str, hi: bool) -> Reply:
        now = self.service.clock()
        pending = self.service.pending()
        rows = [{"id": t.id, "seconds": t.seconds, "label": t.label,
                 "remaining": math.ceil(t.remaining(now))} for t in pending]
        data = {"action": "list", "timers": rows}
        if not pending:
            return Reply("कोई टाइमर नहीं चल रहा है।" if hi else "You have no timers running.",
                         language, data)
        parts = []
        for t, row in zip(pending, rows):
            left = max(1, row["remaining"])
            if hi:
                verb = "है" if left in (1, 60, 3600) else "हैं"     # एक मिनट बाकी है
                parts.append(f"{_name(t.seconds, t.label, 'hi')} वाले टाइमर में "
                             f"{hindi_duration(left)} बाकी {verb}")
            else:
                parts.append(f"your {_name(t.seconds, t.label, 'en')} timer has "
                             f"{english_duration(left)} left")
        if len(parts) == 1:
            text = (parts[0] + "।") if hi else (parts[0][0].upper() + parts[0][1:] + ".")
        elif hi:
            text = f"{_count_hi(len(parts))} टाइमर चल रहे हैं: " + "; ".join(parts) + "।"
        else:
            text = f"You have {len(parts)} timers: " + "; ".join(parts) + "."
        return Reply(text, language, data)


# -- hooks ----------------------------------------------------------------------------------

_lock = threading.Lock()
_skill: TimerSkill | None = None


def _get() -> TimerSkill:
    global _skill
    with _lock:
        if _skill is None:
            # handle() before startup (a library user): timers run, announcements are logged
            _skill = TimerSkill(TimerService(
                lambda text, language: log.warning("timer done (no notifier): %s", text)))
        return _skill


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    global _skill
    with _lock:
        old, _skill = _skill, TimerSkill(TimerService(ctx.notify, settings(ctx.table)))
    if old is not None:
        old.service.stop()


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _get().handle(utterance)


@hookimpl
def vaani_pending() -> list[Pending]:
    """Every timer still to ring (so `vaani ask` can wait for it)."""
    with _lock:
        skill = _skill
    if skill is None:
        return []
    service = skill.service
    wall, now = time.time(), service.clock()
    return [Pending(f"the {_name(t.seconds, t.label, 'en')} timer", wall + t.remaining(now))
            for t in service.upcoming()]


@hookimpl
def vaani_tools() -> list[Tool]:
    return [Tool("timer", "start a countdown timer",
                 {"minutes": "integer", "seconds": "integer", "label": "string"},
                 lambda arguments, language: _get().tool(arguments, language),
                 acts=True, grounded=grounded, say=say)]


def say(result: dict[str, Any], language: str) -> str:
    """The timer's own wording of a tool result."""
    seconds = result.get("seconds")
    if not isinstance(seconds, (int, float)) or seconds <= 0:
        return "टाइमर लग गया है।" if language == "hi" else "Your timer is set."
    if language == "hi":
        return f"{hindi_duration(seconds)} का टाइमर लग गया है।"
    return f"Your {english_duration(seconds, adjective=True)} timer is set."


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["टाइमर" if language == "hi" else "timers"]


def asked_seconds(arguments: dict[str, Any]) -> float | None:
    """A tool call's ``minutes`` + ``seconds`` in seconds; None if they are not finite numbers."""
    try:
        asked = 60 * float(arguments.get("minutes") or 0) + float(arguments.get("seconds") or 0)
    except (TypeError, ValueError):
        return None
    return asked if math.isfinite(asked) else None


def grounded(arguments: dict[str, Any], utterance: str) -> bool:
    """The LLM's timer call matches a duration the user said (in any form the skill reads)."""
    asked = asked_seconds(arguments)
    if asked is None or asked <= 0:
        return False
    w = words(utterance)
    said = {round(_durations(w, roman)[0]) for roman in (True, False)} - {0}
    if said:                          # "90 seconds" said: exactly that, whatever the units
        return round(asked) in said
    # no unit said ("tea timer 10"): a bare number, as minutes or as seconds, but only when
    # the user asked for a timer at all ("ek dollar kitne rupaye" set a 1 minute timer)
    if not any(word_key(x) in _TIMER for x in w):
        return False
    numbers = {float(n.value) for roman in (True, False) for n in find_numbers(w, roman)}
    return asked in {x * 60 for x in numbers} | numbers


@hookimpl
def vaani_shutdown() -> None:
    global _skill
    with _lock:
        old, _skill = _skill, None
    if old is not None:
        old.service.stop()
