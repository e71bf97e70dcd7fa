"""The one thread that rings alarms, and the announcement of the ones missed while VAANI was
off.

The store is the schedule: the thread sleeps until the earliest ``due`` in it (at most
``POLL_S``, so a wall-clock jump such as a laptop resuming from sleep is noticed), rings what
is due through ``notify(text, language)`` in the language each alarm was set in, then deletes
a one-time alarm or moves a repeating one to its next day. :meth:`Scheduler.fire_due` is that
step on its own, so tests drive it with a fake clock and no thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from vaani_alarms.phrases import missed_text, ring_text
from vaani_alarms.store import Alarm, AlarmStore
from vaani_alarms.when import next_after

log = logging.getLogger(__name__)

POLL_S = 30.0          # longest sleep: a clock jump (suspend, resume) is noticed this soon
LATE_S = 120.0         # due this long before start-up: rung late; earlier: announced missed


@dataclass(frozen=True)
class Fired:
    alarm: Alarm
    at: float          # when it rang (wall clock)


class Scheduler:
    def __init__(self, store: AlarmStore, notify: Callable[[str, str], None],
                 now: Callable[[], float], tz: tzinfo | None, threaded: bool = True) -> None:
        self.store = store
        self.threaded = threaded          # False: tests call fire_due() themselves
        self._fire_lock = threading.Lock()   # one ringer at a time: nothing rings twice
        self.notify = notify
        self.now = now
        self.tz = tz
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.firing: dict[int, Alarm] = {}          # being announced (notify running)
        self.last_fired: Fired | None = None        # for "snooze"

    def local(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, self.tz) if self.tz is not None else \
            datetime.fromtimestamp(ts).astimezone()

    # -- control --

    def start(self) -> None:
        """Announce what was missed, then run the thread if anything is set."""
        with self._fire_lock:
            self.announce_missed()
        if self.store.next_due() is not None:
            self._ensure_thread()

    def wake(self) -> None:
        """Something changed (an alarm set or cancelled, the clock moved in a test)."""
        with self._cond:
            if self.store.next_due() is not None:
                self._ensure_thread()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)

    def _ensure_thread(self) -> None:
        if self._stopping or not self.threaded:
            return
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="vaani-alarms", daemon=True)
            self._thread.start()

    # -- the thread --

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                try:
                    due = self.store.next_due()
                except Exception:                  # a locked or broken file: retry later
                    log.exception("alarms: reading the schedule failed")
                    due = self.now() + POLL_S
                if due is None:
                    self._thread = None            # nothing set: the thread ends
                    return
                wait = due - self.now()
                if wait > 0:
                    self._cond.wait(min(wait, POLL_S))
                    continue
            self.fire_due()

    def fire_due(self) -> list[Alarm]:
        """Ring everything due now; returns what rang."""
        with self._fire_lock:
            return self._fire_due()

    def _fire_due(self) -> list[Alarm]:
        now = self.now()
        rang = []
        for alarm in self.store.due_by(now):
            if not self._reschedule(alarm, now):
                continue                           # another process rang it
            self.firing[alarm.id] = alarm
            try:
                self.notify(ring_text(alarm, self.local(alarm.due), alarm.language),
                            alarm.language)
            except Exception:                      # a failing speaker must not stop the thread
                log.exception("alarm %s: notify failed", alarm.id)
            finally:
                self.firing.pop(alarm.id, None)
            self.last_fired = Fired(alarm, now)
            rang.append(alarm)
        return rang

    def _reschedule(self, alarm: Alarm, now: float) -> bool:
        """A one-time alarm is done; a repeating one moves to its next day after now. False
        when someone else already did (it is theirs to ring)."""
        after = self.local(max(now, alarm.due))
        nxt = next_after(after, alarm.hour, alarm.minute, alarm.repeat, self.tz)
        return self.store.claim(alarm, None if nxt is None else nxt.timestamp())

    def announce_missed(self) -> list[Alarm]:
        """Say once what came due while VAANI was not running (one sentence per language),
        and take it off the schedule. Due within ``LATE_S``: left to ring now, late."""
        now = self.now()
        missed = self.store.due_by(now - LATE_S)
        if not missed:
            return []
        missed = [a for a in missed if self._reschedule(a, now)]
        if not missed:
            return []
        now_dt = self.local(now)
        for language in sorted({a.language for a in missed}):
            mine = [(a, self.local(a.due)) for a in missed if a.language == language]
            try:
                self.notify(missed_text(mine, now_dt, language), language)
            except Exception:
                log.exception("alarms: announcing missed ones failed")
        return missed
