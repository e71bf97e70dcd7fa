"""Alarms and reminders: set, list, cancel and snooze them by voice, in Hindi, English and
Hinglish; they ring while VAANI runs and survive a restart.

"remind me to call mom at 5", "सुबह 7 बजे का अलार्म लगाओ", "kal subah 6 baje uthana", "wake me
up at 6:30 tomorrow", "remind me in 20 minutes to check the oven", "set an alarm for 6 every
weekday", "हर सोमवार शाम 7 बजे याद दिलाना कि कूड़ा बाहर रखना है", "what alarms do I have",
"मेरे अलार्म कौन से हैं", "cancel my 7 am alarm", "सारे अलार्म हटा दो", "snooze for 5 minutes".

Never a guessed time. "at 5" is the next 5 o'clock and the reply says which ("5:00 PM
today"); "tomorrow at 5" could be either, so the skill asks "5:00 AM or 5:00 PM?" and takes
a one-word answer ("evening", "शाम", "PM") on the next turn; "wake me at 6 tomorrow" is the
morning. A reminder with no time ("remind me to call mom") asks when; contradictory times
("at 5 ... at 6", "9 in the afternoon") and times already past ("today at 5 am" at noon) are
said back, not set. The ``alarm_set``/``reminder_set`` tools run only when the time they
were given is one the user said (:func:`grounded`).

Stored in SQLite (``alarms.sqlite3`` in :func:`vaani.config.data_dir`, created on the first
alarm). One scheduler thread rings them through ``ctx.notify`` in the language each was set
in. At start-up, what came due while VAANI was off is announced once ("While I was off, you
missed ...") and taken off the schedule (a repeating alarm moves to its next day).

A one-shot ``vaani ask`` waits (``vaani_pending``) only for what it set itself that is due
within ``wait_minutes`` (default 60): "remind me in 20 minutes" rings before the command
exits, an alarm for tomorrow morning stays in the file and rings the next time VAANI is
running then (or is announced as missed). Alarms set earlier never hold a one-shot command.

Config (``[plugins.alarms]``): ``timezone`` (IANA name; "" = the computer's),
``snooze_minutes`` (default 10), ``max_alarms`` (default 50), ``wait_minutes`` (default 60;
0: a one-shot command never waits).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vaani.errors import ConfigError
from vaani.hookspecs import Pending, PluginContext, Reply, Tool, Utterance, hookimpl
from vaani.kit import ANY, Option, plugin_options
from vaani.language import scores, word_key
from vaani.textnorm.spoken import ENGLISH_WEEKDAYS

from vaani_alarms.phrases import (count_hi, describe, duration, en_clock, en_day, en_repeat,
                                  en_when, hi_clock, hi_day, hi_when)
from vaani_alarms.scheduler import Scheduler
from vaani_alarms.store import Alarm, AlarmStore
from vaani_alarms.understand import (ALARM, REMINDER, Request, all_said, content_words,
                                     follow_up_time, never_mind, triggers, understand)
from vaani_alarms.when import (DAILY, WEEKDAYS, WEEKENDS, WEEKDAY_WORDS, Conflict, Moment,
                               Problem, When, combine, hours, resolve, scan, twords)

log = logging.getLogger(__name__)

NAME = "alarms"
DB_NAME = "alarms.sqlite3"
FOLLOW_UP_S = 60.0          # how long an "AM or PM?" question waits for its answer
SNOOZE_WINDOW_S = 1800.0    # "snooze" applies to what rang in the last half hour


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
    Option("snooze_minutes", int, 10, "how long 'snooze' puts an alarm off", min=1, max=120),
    Option("max_alarms", int, 50, "most alarms and reminders kept", min=1, max=1000),
    Option("wait_minutes", int, 60, "a one-shot `vaani ask` waits for what it set that is due "
                                    "this soon (0: never waits)", min=0, max=24 * 60))


@dataclass(frozen=True)
class Settings:
    tz: tzinfo | None = None
    snooze_minutes: int = 10
    max_alarms: int = 50
    wait_minutes: int = 60


def settings(table: dict[str, Any]) -> Settings:
    """Validated settings from ``[plugins.alarms]`` (ConfigError names a bad key)."""
    values = OPTIONS.check(table)
    return Settings(values["timezone"] if "timezone" in table else None,
                    values["snooze_minutes"], values["max_alarms"], values["wait_minutes"])


# -- the skill ------------------------------------------------------------------------------

@dataclass
class FollowUp:
    """A question the skill asked, waiting for its answer on the next turn."""

    what: str                      # when | ampm | which
    request: Request
    language: str
    expires: float
    ids: list[int] = field(default_factory=list)     # which: the alarms it could be


def _lang(language: str) -> str:
    return language if language in ("hi", "en") else "en"


class AlarmSkill:
    """Requests -> the store and the scheduler; replies in the user's language."""

    def __init__(self, store: AlarmStore, notify: Callable[[str, str], None],
                 now: Callable[[], float] = time.time, config: Settings = Settings(),
                 threaded: bool = True) -> None:
        self.store = store
        self.config = config
        self.now = now
        self.scheduler = Scheduler(store, notify, now, config.tz, threaded)
        self.session: set[int] = set()          # set by this process (vaani_pending)
        self._lock = threading.Lock()
        self._follow_up: FollowUp | None = None

    # -- time --

    def current(self) -> datetime:
        return self.scheduler.local(self.now())

    def local(self, ts: float) -> datetime:
        return self.scheduler.local(ts)

    # -- turns --

    def handle(self, utterance: Utterance) -> Reply | None:
        language = _lang(utterance.language)
        with self._lock:
            follow_up, self._follow_up = self._follow_up, None
        if follow_up is not None and follow_up.expires >= self.now():
            reply = self._answer(follow_up, utterance.text, language)
            if reply is not None:
                return reply
        request = understand(utterance.text, language)
        if request is None:
            return None
        if request.action == "set":
            if request.again and not request.label and request.when.seconds:
                reply = self._snooze(request.when.seconds, language)
                if reply is not None:
                    return reply
            return self._set(request, language)
        if request.action == "list":
            return self._list(request, language)
        if request.action == "cancel":
            return self._cancel(request, language)
        return self._snooze(request.seconds, language) or self._nothing_to_snooze(language)

    def preview(self, utterance: Utterance) -> Reply | None:
        """Listing is side-effect free; everything else acts (or may answer a question)."""
        with self._lock:
            if self._follow_up is not None:
                return None
        request = understand(utterance.text, _lang(utterance.language))
        if request is None or request.action != "list":
            return None
        return self._list(request, _lang(utterance.language))

    def _ask(self, what: str, request: Request, language: str, text: str,
             ids: list[int] | None = None, data: dict[str, Any] | None = None) -> Reply:
        with self._lock:
            self._follow_up = FollowUp(what, request, language, self.now() + FOLLOW_UP_S,
                                       list(ids or ()))
        return Reply(text, language, {"action": request.action, "asked": what, **(data or {})})

    def _answer(self, follow_up: FollowUp, text: str, language: str) -> Reply | None:
        """The answer to the question asked last turn, or None (then the turn is new)."""
        hi_score, en_score = scores(text)
        if hi_score == en_score:             # "dono", "7", "OK": the question's language
            language = follow_up.language
        hi = language == "hi"
        if never_mind(text):
            if follow_up.what == "which":
                return Reply("ठीक है, कुछ नहीं हटाया।" if hi else "OK, I didn't cancel anything.",
                             language, {"action": "cancel", "cancelled": []})
            return Reply("ठीक है, नहीं लगाया।" if hi else "OK, I won't set it.", language,
                         {"action": "set", "cancelled": True})
        if follow_up.what == "which":
            return self._answer_which(follow_up, text, language)
        answer = follow_up_time(text, language)
        if answer is None:
            return None
        old = [s for s in follow_up.request.when.spans if s.kind != "vague"
               and not (answer.clock is not None and s.kind == "clock")]
        try:
            when = combine([*old, *answer.spans])
        except Conflict:
            return self._conflict(follow_up.request, follow_up.language)
        return self._set(replace(follow_up.request, when=when, conflict=False),
                         follow_up.language)

    # -- set --

    def _set(self, r: Request, language: str) -> Reply:
        hi = language == "hi"
        if r.conflict:
            return self._conflict(r, language)
        now = self.current()
        moment = resolve(r.when, now, self.config.tz, wake=r.wake)
        if isinstance(moment, Problem):
            return self._problem(moment, r, language, now)
        if self.store.count() >= self.config.max_alarms:
            n = self.config.max_alarms
            text = (f"पहले से {count_hi(n)} अलार्म और रिमाइंडर लगे हैं, इससे ज़्यादा नहीं रख सकती।"
                    if hi else f"You already have {n} alarms and reminders, the most I can keep.")
            return Reply(text, language, {"action": "set", "error": "too_many"})
        alarm = self.add(r.kind, r.label, language, moment, r.wake)
        return Reply(self.set_text(alarm, moment, r.connector, language), language,
                     {"action": "set", **self.result(alarm)})

    def add(self, kind: str, label: str, language: str, moment: Moment, wake: bool) -> Alarm:
        alarm = self.store.add(kind, label, language, moment.due.timestamp(), moment.hour,
                               moment.minute, moment.repeat, wake, created=self.now())
        with self._lock:
            self.session.add(alarm.id)
        self.scheduler.wake()
        return alarm

    def result(self, alarm: Alarm) -> dict[str, Any]:
        """An alarm as a tool result and in ``Reply.data``: the numbers a reply may say."""
        due = self.local(alarm.due)
        return {"id": alarm.id, "kind": alarm.kind, "time": due.strftime("%H:%M"),
                "date": due.date().isoformat(), "weekday": ENGLISH_WEEKDAYS[due.weekday()],
                "repeat": en_repeat(alarm.repeat) if alarm.repeat else "",
                "label": alarm.label, "wake": alarm.wake}

    def set_text(self, alarm: Alarm, moment: Moment | None, connector: str, language: str) -> str:
        """The confirmation: when it rings, said so that a chosen AM/PM is plain."""
        now = self.current()
        due = self.local(alarm.due)
        rel = moment.relative if moment is not None else 0.0
        if language == "hi":
            when = hi_when(due, now, alarm.repeat)
            if rel:
                when = f"{duration(rel, 'hi')} बाद, {hi_clock(due.hour, due.minute)},"
            if alarm.kind == "reminder":
                return f"ठीक है, {when} याद दिला दूँगी" + (f": {alarm.label}।" if alarm.label
                                                         else "।")
            if alarm.wake:
                return f"ठीक है, {when} जगा दूँगी।"
            name = f"{alarm.label} के लिए " if alarm.label else ""
            return f"{name}{when} का अलार्म लगा दिया है।"
        when = en_when(due, now, alarm.repeat)
        if rel:
            when = f"in {duration(rel, 'en')}, at {en_clock(due.hour, due.minute)}"
        else:
            when = f"at {when}"
        if alarm.kind == "reminder":
            if not alarm.label:
                return f"OK, I'll remind you {when}."
            if connector in ("to", ""):
                return f"OK, I'll remind you to {alarm.label} {when}." if connector else \
                    f"OK, I'll remind you {when}: {alarm.label}."
            return f"OK, I'll remind you {when} {connector} {alarm.label}."
        if alarm.wake:
            return f"OK, I'll wake you {when}."
        name = f"{alarm.label.capitalize()} alarm" if alarm.label else "Alarm"
        if rel:
            return f"{name} set for {en_clock(due.hour, due.minute)}, in {duration(rel, 'en')}."
        return f"{name} set for {when[3:]}."

    def _conflict(self, r: Request, language: str) -> Reply:
        text = ("मुझे दो अलग-अलग समय सुनाई दिए; कृपया एक ही समय बताइए।" if language == "hi"
                else "I heard two different times; please say the time once.")
        return Reply(text, language, {"action": "set", "error": "conflict"})

    def _problem(self, problem: Problem, r: Request, language: str, now: datetime) -> Reply:
        hi = language == "hi"
        reason = problem.reason
        if reason in ("no_time", "vague"):
            if hi:
                text = ("कब याद दिलाऊँ?" if r.kind == "reminder" else
                        "किस समय जगाऊँ?" if r.wake else "किस समय का अलार्म लगाऊँ?")
            else:
                text = ("When should I remind you?" if r.kind == "reminder" else
                        "What time should I wake you?" if r.wake else
                        "What time should I set the alarm for?")
            return self._ask("when", r, language, text)
        if reason == "no_clock":
            day = self._day_words(r.when, now, language)
            text = (f"{day} किस समय?" if hi else f"At what time {day}?").strip()
            return self._ask("when", r, language, text[0].upper() + text[1:])
        if reason == "ampm":
            a, b = problem.options
            if hi:
                text = f"{hi_day(a.date(), now.date())} {hi_clock(a.hour, a.minute)} या " \
                       f"{hi_clock(b.hour, b.minute)}?"
                if r.when.repeat:
                    text = f"{hi_clock(a.hour, a.minute)} या {hi_clock(b.hour, b.minute)}?"
            else:
                day = en_repeat(r.when.repeat) if r.when.repeat else en_day(a.date(), now.date())
                text = f"{en_clock(a.hour, a.minute)} or {en_clock(b.hour, b.minute)} {day}?"
            return self._ask("ampm", r, language, text,
                             data={"options": [o.strftime("%H:%M") for o in problem.options]})
        if reason == "passed":
            text = ("वह समय आज निकल चुका है।" if hi else "That time has already passed today.")
        elif reason == "too_far":
            text = ("मैं एक साल से आगे का अलार्म नहीं लगा सकती।" if hi
                    else "I can only set alarms up to a year ahead.")
        else:                                   # bad_period: "9 in the afternoon"
            text = ("यह समय समझ नहीं आया; कृपया सुबह, शाम या रात के साथ फिर से बताइए।" if hi
                    else "I didn't get that time; please say it again with AM or PM.")
        return Reply(text, language, {"action": "set", "error": reason})

    def _day_words(self, when: When, now: datetime, language: str) -> str:
        if when.repeat:
            return en_repeat(when.repeat) if language == "en" else ""
        if when.day is not None:
            day = now.date() + timedelta(days=when.day)
            return hi_day(day, now.date()) if language == "hi" else en_day(day, now.date())
        if when.weekday is not None:
            names = ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार")
            return f"{names[when.weekday]} को" if language == "hi" else \
                f"on {ENGLISH_WEEKDAYS[when.weekday]}"
        return ""

    # -- list --

    def _of_kind(self, kind: str) -> list[Alarm]:
        return [a for a in self.store.all() if not kind or a.kind == kind]

    def _list(self, r: Request, language: str) -> Reply:
        hi = language == "hi"
        now = self.current()
        alarms = self._of_kind(r.kind)
        if r.when.day is not None:
            day = now.date() + timedelta(days=r.when.day)
            alarms = [a for a in alarms if self.local(a.due).date() == day]
        rows = [self.result(a) for a in alarms]
        data = {"action": "list", "alarms": rows}
        if not alarms:
            return Reply(self._none_text(r.kind, language), language, data)
        items = [describe(a, self.local(a.due), now, language) for a in alarms[:6]]
        more = len(alarms) - len(items)
        if hi:
            if len(items) == 1:
                text = f"{items[0]} लगा है।"
            else:
                text = f"{count_hi(len(alarms))} लगे हैं: " + "; ".join(items) + \
                       (f"; और {count_hi(more)} और।" if more else "।")
        elif len(items) == 1:
            text = f"You have {items[0]}."
        else:
            what = {"alarm": "alarms", "reminder": "reminders"}.get(r.kind,
                                                                     "alarms and reminders")
            text = f"You have {len(alarms)} {what}: " + "; ".join(items) + \
                   (f"; and {more} more." if more else ".")
        return Reply(text, language, data)

    @staticmethod
    def _none_text(kind: str, language: str) -> str:
        if language == "hi":
            return {"alarm": "कोई अलार्म नहीं लगा है।",
                    "reminder": "कोई रिमाइंडर नहीं लगा है।"}.get(kind,
                                                              "कोई अलार्म या रिमाइंडर नहीं लगा है।")
        return {"alarm": "You have no alarms set.", "reminder": "You have no reminders."}.get(
            kind, "You have no alarms or reminders.")

    # -- cancel --

    def matching(self, r: Request, alarms: list[Alarm]) -> list[Alarm]:
        """The alarms a cancel request names by time, day and words (all of them if it
        names none)."""
        now = self.current()
        chosen = alarms
        when = r.when
        if when.clock is not None:
            options = hours(when.clock, when.period) or []
            readings = {(h, when.clock.minute) for h, _ in options}
            chosen = [a for a in chosen if (a.hour, a.minute) in readings]
        if when.day is not None:
            day = now.date() + timedelta(days=when.day)
            chosen = [a for a in chosen if self.local(a.due).date() == day]
        if when.weekday is not None:
            chosen = [a for a in chosen if self.local(a.due).weekday() == when.weekday]
        if when.repeat:
            chosen = [a for a in chosen if a.repeat == when.repeat]
        said = content_words(r.label)
        if said:
            chosen = [a for a in chosen if said <= content_words(a.label)]
        return chosen

    def _cancel(self, r: Request, language: str) -> Reply:
        hi = language == "hi"
        alarms = self._of_kind(r.kind)
        if not alarms:
            return Reply(self._none_text(r.kind, language), language,
                         {"action": "cancel", "cancelled": []})
        chosen = self.matching(r, alarms)
        named = not r.when.empty or bool(content_words(r.label))
        if not chosen:
            text = ("ऐसा कोई अलार्म या रिमाइंडर नहीं मिला।" if hi
                    else "I couldn't find an alarm or reminder like that.")
            return Reply(text, language, {"action": "cancel", "cancelled": []})
        if len(chosen) > 1 and not r.all:
            now = self.current()
            items = [describe(a, self.local(a.due), now, language) for a in chosen[:6]]
            if hi:
                text = f"{count_hi(len(chosen))} लगे हैं: " + "; ".join(items) + \
                       "। कौन सा हटाऊँ, या सब?"
            else:
                text = f"You have {len(chosen)}: " + "; ".join(items) + \
                       ". Which one should I cancel, or all of them?"
            return self._ask("which", r, language, text, ids=[a.id for a in chosen],
                             data={"named": named})
        return self._delete(chosen, language)

    def _delete(self, chosen: list[Alarm], language: str) -> Reply:
        hi = language == "hi"
        self.store.delete([a.id for a in chosen])
        self.scheduler.wake()
        now = self.current()
        if len(chosen) == 1:
            item = describe(chosen[0], self.local(chosen[0].due), now, language)
            text = f"{item} हटा दिया।" if hi else f"Cancelled your {item.split(' ', 1)[1]}."
        else:
            kinds = {a.kind for a in chosen}
            what = ("अलार्म" if kinds == {"alarm"} else "रिमाइंडर" if kinds == {"reminder"}
                    else "अलार्म और रिमाइंडर") if hi else \
                ("alarms" if kinds == {"alarm"} else "reminders" if kinds == {"reminder"}
                 else "alarms and reminders")
            text = (f"{count_hi(len(chosen))} {what} हटा दिए।" if hi
                    else f"Cancelled {len(chosen)} {what}.")
        return Reply(text, language, {"action": "cancel", "cancelled": [a.id for a in chosen]})

    def _answer_which(self, follow_up: FollowUp, text: str, language: str) -> Reply | None:
        alarms = [a for a in self._of_kind("") if a.id in follow_up.ids]
        if not alarms:
            return None
        if all_said(text):
            return self._delete(alarms, language)
        answer = follow_up_time(text, language)
        if answer is not None:
            chosen = self.matching(Request("cancel", when=answer), alarms)
        else:
            said = content_words(text) - {word_key(x) for x in twords(text)
                                          if word_key(x) in ALARM | REMINDER}
            chosen = [a for a in alarms if said and said <= content_words(a.label)]
        if len(chosen) != 1:
            return None
        return self._delete(chosen, language)

    # -- snooze --

    def _snooze(self, seconds: float, language: str) -> Reply | None:
        fired = self.scheduler.last_fired
        if fired is None or self.now() - fired.at > SNOOZE_WINDOW_S:
            return None
        seconds = seconds or self.config.snooze_minutes * 60
        alarm = fired.alarm
        due = self.now() + seconds
        # the same alarm to the user: it keeps its name ("Your 7:00 AM alarm.")
        moment = Moment(self.local(due), alarm.hour, alarm.minute, relative=seconds)
        new = self.add(alarm.kind, alarm.label, alarm.language, moment, alarm.wake)
        self.scheduler.last_fired = None
        clock = self.local(due)
        if language == "hi":
            text = (f"ठीक है, {duration(seconds, 'hi')} बाद, "
                    f"{hi_clock(clock.hour, clock.minute)}, फिर से याद दिलाऊँगी।")
        else:
            text = f"Snoozed for {duration(seconds, 'en')}, until " \
                   f"{en_clock(clock.hour, clock.minute)}."
        return Reply(text, language, {"action": "snooze", **self.result(new)})

    @staticmethod
    def _nothing_to_snooze(language: str) -> Reply:
        text = ("अभी कोई अलार्म नहीं बजा है।" if language == "hi"
                else "No alarm or reminder has gone off in the last half hour.")
        return Reply(text, language, {"action": "snooze", "error": "nothing_rang"})

    # -- what a one-shot command waits for --

    def pending(self) -> list[Pending]:
        horizon = self.now() + self.config.wait_minutes * 60
        with self._lock:
            session = set(self.session)
        out = []
        wall_offset = time.time() - self.now()
        alarms = [a for a in self.store.all() if a.id in session and a.due <= horizon]
        alarms += [a for a in list(self.scheduler.firing.values()) if a.id in session]
        for a in alarms:
            what = (f"the reminder at {en_clock(a.hour, a.minute)}" if a.kind == "reminder"
                    else f"the {en_clock(a.hour, a.minute)} alarm")
            out.append(Pending(what, a.due + wall_offset, kept=True))   # in the file
        return sorted(out, key=lambda p: p.due)

    # -- tools --

    def tool_set(self, kind: str, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        """``alarm_set`` / ``reminder_set``: the same rules as a spoken request."""
        language = _lang(language)
        parsed = tool_moment(arguments, self.current(), self.config.tz, kind)
        if isinstance(parsed, str):
            return {"error": parsed}
        moment, wake = parsed
        label = arguments.get("label") or ""
        if not isinstance(label, str):
            return {"error": "label must be a string"}
        if self.store.count() >= self.config.max_alarms:
            return {"error": f"{self.config.max_alarms} alarms are already set"}
        alarm = self.add(kind, label.strip()[:80], language, moment, wake)
        return {"ok": True, **self.result(alarm)}

    def tool_list(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        return {"alarms": [self.result(a) for a in self.store.all()]}

    def tool_cancel(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        alarms = self.store.all()
        if not alarms:
            return {"error": "no alarms or reminders are set"}
        time_text = arguments.get("time") or ""
        label = arguments.get("label") or ""
        if not isinstance(time_text, str) or not isinstance(label, str):
            return {"error": "time and label must be strings"}
        try:
            when = parse_time(time_text, language) if time_text else When()
        except Conflict:
            return {"error": "the time names two different times"}
        chosen = self.matching(Request("cancel", when=when, label=label), alarms)
        if not chosen:
            return {"error": "no alarm or reminder matches"}
        if len(chosen) > 1:
            return {"error": f"{len(chosen)} alarms match; say which one"}
        self.store.delete([chosen[0].id])
        self.scheduler.wake()
        return {"ok": True, "cancelled": self.result(chosen[0])}


def parse_time(text: str, language: str) -> When:
    w = twords(text)
    spans = scan(w, language == "hi", answer=True)
    return combine(spans)


def parse_repeat(value: Any) -> frozenset[int] | None:
    """A tool's ``repeat``: "", "daily", "weekdays", "weekends", or weekday names."""
    if value in (None, ""):
        return frozenset()
    if not isinstance(value, str):
        return None
    text = value.lower().strip()
    if text in ("daily", "every day", "everyday"):
        return DAILY
    if text in ("weekdays", "every weekday"):
        return WEEKDAYS
    if text in ("weekends", "every weekend"):
        return WEEKENDS
    days = {i for i, vocab in enumerate(WEEKDAY_WORDS) for x in twords(text)
            if word_key(x) in vocab or word_key(x.rstrip("s")) in vocab}
    return frozenset(days) or None


def tool_moment(arguments: dict[str, Any], now: datetime, tz: tzinfo | None,
                kind: str) -> tuple[Moment, bool] | str:
    """The moment a tool call names (and whether it wakes the user), or why it names none."""
    text = arguments.get("time")
    if not isinstance(text, str) or not text.strip():
        return "time is required (as said: '7 am tomorrow', 'in 20 minutes')"
    repeat = parse_repeat(arguments.get("repeat"))
    if repeat is None:
        return "repeat must be '', 'daily', 'weekdays', 'weekends' or weekday names"
    language = "hi" if any("\u0900" <= c <= "\u097f" for c in text) else "en"
    try:
        when = parse_time(text, language)
    except Conflict:
        return "the time names two different times"
    if repeat and not when.repeat:
        when = replace(when, repeat=repeat)
    elif repeat and when.repeat != repeat:
        return "the time and repeat disagree"
    moment = resolve(when, now, tz)
    if isinstance(moment, Problem):
        return {"ampm": "the time could be AM or PM: ask the user which",
                "passed": "that time has already passed today",
                "no_time": "no time was given", "no_clock": "no clock time was given",
                "vague": "the time is too vague: ask the user when exactly",
                "too_far": "alarms can be set up to a year ahead"}.get(
                    moment.reason, "the time is not clear: ask the user")
    return moment, False


# -- grounding ------------------------------------------------------------------------------

def _said_moments(utterance: str, now: datetime, tz: tzinfo | None) -> list[tuple[datetime,
                                                                             frozenset[int]]]:
    """Every moment the utterance itself names, as the skill would read it (ambiguous ones
    name none): what a tool call must match."""
    out = []
    asked = triggers(utterance)
    wake = "wake" in asked and not asked & {"remind", "reminder"}
    for language in ("en", "hi"):
        w = twords(utterance)
        nouns = [i for i, x in enumerate(w) if word_key(x) in ALARM | REMINDER]
        try:
            when = combine(scan(w, language == "hi", nouns))
        except Conflict:
            continue
        moment = resolve(when, now, tz, wake=wake)
        if isinstance(moment, Moment):
            out.append((moment.due, moment.repeat))
    return out


def grounded_set(arguments: dict[str, Any], utterance: str, skill: AlarmSkill,
                 kind: str) -> bool:
    """An ``alarm_set``/``reminder_set`` call fits what was said: the user asked for an
    alarm or a reminder, said the time the call names (resolved the same way, to the
    minute; a guessed AM/PM or day is refused) and any repeat, and said the label's words."""
    from vaani.guard import arguments_said

    if not triggers(utterance):
        return False                      # no alarm, reminder or wake-up was asked for
    now = skill.current()
    parsed = tool_moment(arguments, now, skill.config.tz, kind)
    if isinstance(parsed, str):
        return True          # the call fails on its own, with an error the model can word
    moment, _ = parsed
    said = _said_moments(utterance, now, skill.config.tz)
    if not any(abs((due - moment.due).total_seconds()) < 90 and repeat == moment.repeat
               for due, repeat in said):
        return False
    label = arguments.get("label") or ""
    if isinstance(label, str) and label.strip():
        flipped = " ".join(x for x in twords(label)
                           if x not in ("your", "you", "aapko", "आपको", "aapka", "आपका"))
        return arguments_said({"label": flipped}, utterance)
    return True


def grounded_list(arguments: dict[str, Any], utterance: str) -> bool:
    return any(word_key(x) in ALARM | REMINDER for x in twords(utterance))


def grounded_cancel(arguments: dict[str, Any], utterance: str) -> bool:
    """A cancel call: the user asked to cancel an alarm or reminder, and named the time or
    words the call names."""
    from vaani.guard import arguments_said

    r = understand(utterance, "en") or understand(utterance, "hi")
    if r is None or r.action != "cancel":
        return False
    return arguments_said({k: v for k, v in arguments.items() if k in ("time", "label")},
                          utterance)


# -- wording of tool results ----------------------------------------------------------------

def say(result: dict[str, Any], language: str) -> str:
    """The skill's own sentence for a set/cancel result."""
    alarm = result.get("cancelled") if isinstance(result.get("cancelled"), dict) else result
    try:
        due = datetime.fromisoformat(f"{alarm['date']}T{alarm['time']}")
    except (KeyError, TypeError, ValueError):
        return "हो गया।" if language == "hi" else "Done."
    kind = alarm.get("kind", "alarm")
    with _lock:
        skill = _skill
    now = (skill.current() if skill is not None else datetime.now()).replace(tzinfo=None)
    repeat = parse_repeat(alarm.get("repeat")) or frozenset()
    if language == "hi":
        when = hi_when(due, now, repeat)
        what = "रिमाइंडर" if kind == "reminder" else "अलार्म"
        if "cancelled" in result:
            return f"{when} का {what} हटा दिया।"
        return f"{when} का {what} लगा दिया है।"
    when = en_when(due, now, repeat)
    what = "reminder" if kind == "reminder" else "alarm"
    if "cancelled" in result:
        return f"Cancelled the {what} at {when}."
    return f"{what.capitalize()} set for {when}."


# -- hooks ----------------------------------------------------------------------------------

_lock = threading.Lock()
_skill: AlarmSkill | None = None


def db_path() -> Path:
    from vaani.config import data_dir

    return data_dir() / DB_NAME


def _get() -> AlarmSkill:
    global _skill
    with _lock:
        if _skill is None:
            # handle() before startup (a library user): alarms are kept, rings are logged
            _skill = AlarmSkill(AlarmStore(db_path()), lambda text, language: log.warning(
                "alarm (no notifier): %s", text))
        return _skill


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    global _skill
    skill = AlarmSkill(AlarmStore(db_path()), ctx.notify, ctx.now, settings(ctx.table))
    with _lock:
        old, _skill = _skill, skill
    if old is not None:
        old.scheduler.stop()
    skill.scheduler.start()


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _get().handle(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return _get().preview(utterance)


@hookimpl
def vaani_pending() -> list[Pending]:
    with _lock:
        skill = _skill
    return skill.pending() if skill is not None else []


@hookimpl
def vaani_tools() -> list[Tool]:
    params = {"time": "string", "label": "string", "repeat": "string"}
    return [
        Tool("alarm_set", "set an alarm at a time the user said ('7 am tomorrow'; repeat: "
                          "'daily', 'weekdays' or weekday names)", params,
             lambda a, lang: _get().tool_set("alarm", a, lang), acts=True,
             grounded=lambda a, u: grounded_set(a, u, _get(), "alarm"), say=say,
             composed=("repeat",)),
        Tool("reminder_set", "remind the user of something at a time they said ('5 pm', "
                             "'in 20 minutes')", params,
             lambda a, lang: _get().tool_set("reminder", a, lang), acts=True,
             grounded=lambda a, u: grounded_set(a, u, _get(), "reminder"), say=say,
             composed=("repeat",)),
        Tool("alarm_list", "the alarms and reminders that are set", {},
             lambda a, lang: _get().tool_list(a, lang), grounded=grounded_list),
        Tool("alarm_cancel", "cancel an alarm or reminder (by its time or words)",
             {"time": "string", "label": "string"},
             lambda a, lang: _get().tool_cancel(a, lang), acts=True,
             grounded=grounded_cancel, say=say),
    ]


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["अलार्म और रिमाइंडर" if language == "hi" else "alarms and reminders"]


@hookimpl
def vaani_shutdown() -> None:
    global _skill
    with _lock:
        old, _skill = _skill, None
    if old is not None:
        old.scheduler.stop()
