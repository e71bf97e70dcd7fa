"""What a one-shot command says about what it will not wait for (vaani/commands/pending.py):
a timer lives in this process and is lost; an alarm or reminder is saved and rings later."""

from __future__ import annotations

import io

from vaani.commands.pending import Waiter, not_waiting
from vaani.hookspecs import Pending

NOW = 1_000_000.0
TIMER = Pending("the 2 minute timer", NOW + 120)
ALARM = Pending("the 7:00 AM alarm", NOW + 3600, kept=True)
REMINDER = Pending("the reminder at 5:00 PM", NOW + 7200, kept=True)


class _Host:
    def __init__(self, pending):
        self._pending = pending

    def pending(self):
        return [("plugin", p) for p in self._pending]


class _Pipeline:
    def speak_notifications(self):
        return []


class _Assistant:
    def __init__(self, pending):
        self.host = _Host(pending)
        self.pipeline = _Pipeline()

    def subscribe(self, callback):
        pass


def _no_wait(pending):
    out = io.StringIO()
    waiter = Waiter(_Assistant(pending), out=out, clock=lambda: NOW)
    assert waiter.finish(wait=False) == 0
    return out.getvalue().strip(), waiter.to_dict()["not_rung"]


def test_no_wait_does_not_say_a_saved_alarm_is_lost():
    said, not_rung = _no_wait([ALARM])
    assert said == ("the 7:00 AM alarm (due in 1 h) is saved: it rings if VAANI is running "
                    "then (`vaani listen`); if not, VAANI says it was missed the next time "
                    "it starts")
    assert "cannot ring" not in said and "stops when VAANI exits" not in said
    assert not_rung == [{"what": "the 7:00 AM alarm", "due_in_s": 3600.0, "kept": True}]


def test_no_wait_still_warns_that_a_timer_is_lost():
    said, not_rung = _no_wait([TIMER])
    assert said == ("one-shot mode cannot ring the 2 minute timer (due in 2 min): it stops "
                    "when VAANI exits; use `vaani listen` to keep timers running")
    assert "saved" not in said
    assert not_rung == [{"what": "the 2 minute timer", "due_in_s": 120.0, "kept": False}]


def test_no_wait_with_a_timer_and_alarms_says_what_becomes_of_each():
    said, _ = _no_wait([TIMER, ALARM, REMINDER])
    lost, kept = said.split("; use `vaani listen` to keep timers running; ")
    assert lost == "one-shot mode cannot ring the 2 minute timer (due in 2 min): it stops " \
                   "when VAANI exits"
    assert kept.startswith("the 7:00 AM alarm and the reminder at 5:00 PM (due in 1 h) are "
                           "saved: they ring if VAANI is running then")


def test_a_cancelled_wait_does_not_say_a_saved_alarm_will_not_ring():
    assert not_waiting([TIMER], NOW, cancelled=True) == \
        "cancelled: the 2 minute timer will not ring"
    said = not_waiting([ALARM], NOW, cancelled=True)
    assert "will not ring" not in said and said.startswith("cancelled: the 7:00 AM alarm")
    assert "is saved: it rings if VAANI is running then" in said


def test_a_plugin_that_does_not_say_kept_is_taken_as_in_process_only():
    assert Pending("the tea timer", NOW + 60).kept is False
