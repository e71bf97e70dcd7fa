"""What plugins will still say, for one-shot commands (``vaani ask``, ``vaani run``).

A timer set by ``vaani ask "set a timer for 2 minutes"`` rings through its plugin's
``ctx.notify``; ``vaani listen`` speaks that between turns, but a one-shot command has no
listening loop and would exit first, taking the timer with it. :class:`Waiter` reads what
the plugins list in ``vaani_pending`` (vaani/hookspecs.py) and either waits until each has
been given (printed, and spoken into the command's sink) or, with ``--no-wait``, says what
becomes of each (:func:`not_waiting`): a timer lives in this process only, so one-shot mode
cannot ring it; an alarm or reminder is saved (``Pending.kept``) and still rings when VAANI
runs then. Ctrl-C while waiting cancels the wait cleanly, not what was saved.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from vaani.events import Event, Notification
from vaani.hookspecs import Pending


def add_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-wait", action="store_true",
                   help="exit at once even if a timer, alarm or reminder was set: a timer "
                        "stops when VAANI exits, an alarm or reminder is saved and rings if "
                        "VAANI runs then (default: wait until it rings; Ctrl-C cancels)")


def in_words(seconds: float) -> str:
    """A wait for people: "45 s", "2 min", "1 h 5 min" (rounded up to the second)."""
    s = max(0, math.ceil(seconds))
    if s < 60:
        return f"{s} s"
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    parts = [f"{h} h"] if h else []
    if m:
        parts.append(f"{m} min")
    if s and not h:
        parts.append(f"{s} s")
    return " ".join(parts)


def names(pending: list[Pending]) -> str:
    """"the 2 minute timer", "the 2 minute timer and the tea timer"."""
    whats = [p.what for p in pending]
    return whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " and " + whats[-1]


def not_waiting(pending: list[Pending], now: float, cancelled: bool = False) -> str:
    """What becomes of ``pending`` when the command exits without waiting (``--no-wait``, or
    Ctrl-C while waiting with ``cancelled``), true for each kind: a timer in this process is
    lost; an alarm or reminder that is ``kept`` (saved) rings later when VAANI runs then."""
    lost = [p for p in pending if not p.kept]
    kept = [p for p in pending if p.kept]
    parts = []
    if lost:
        if cancelled:
            parts.append(f"{names(lost)} will not ring")
        else:
            it = "it stops" if len(lost) == 1 else "they stop"
            parts.append(f"one-shot mode cannot ring {names(lost)} (due in "
                         f"{in_words(lost[0].due - now)}): {it} when VAANI exits; use "
                         "`vaani listen` to keep timers running")
    if kept:
        one = len(kept) == 1
        parts.append(f"{names(kept)} (due in {in_words(kept[0].due - now)}) "
                     f"{'is' if one else 'are'} saved: {'it rings' if one else 'they ring'} "
                     "if VAANI is running then (`vaani listen`); if not, VAANI says "
                     f"{'it was' if one else 'they were'} missed the next time it starts")
    text = "; ".join(parts)
    return f"cancelled: {text}" if cancelled else text


class Waiter:
    """Collects the notifications given while a one-shot command runs and waits for the
    ones still to come. ``out``: where messages go (stdout; stderr when stdout is JSON)."""

    def __init__(self, assistant: Any, *, out: TextIO | None = None, show: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.assistant = assistant
        self.out = out
        self.show = show
        self.clock = clock
        self.given: list[dict[str, str]] = []
        self.not_given: list[dict[str, Any]] = []
        self.cancelled = False
        assistant.subscribe(self._on_event)

    def _say(self, text: str) -> None:
        print(text, file=self.out or sys.stdout, flush=True)

    def _on_event(self, event: Event) -> None:
        if isinstance(event, Notification):
            self.given.append({"text": event.text, "language": event.language,
                               "source": event.source})
            if self.show:
                self._say(f"[{event.source or 'notification'}] {event.text}")

    def _pending(self) -> list[Pending]:
        return [p for _, p in self.assistant.host.pending()]

    def finish(self, wait: bool = True) -> int:
        """Give what is due: wait for every pending notification (``wait``), or say that
        one-shot mode cannot give them. Returns the exit code: 130 after Ctrl-C, else 0."""
        pipeline = self.assistant.pipeline
        pending = self._pending()
        if not pending:
            pipeline.speak_notifications()
            return 0
        if not wait:
            self._drop(pending, not_waiting(pending, self.clock()))
            return 0
        try:
            soonest = pending[0].due - self.clock()
            if len(pending) == 1:
                self._say(f"waiting for {names(pending)} to ring in {in_words(soonest)} "
                          "(Ctrl-C cancels)")
            else:
                whens = ", ".join(f"{p.what} in {in_words(p.due - self.clock())}"
                                  for p in pending)
                self._say(f"waiting for {len(pending)} notifications to ring ({whens}; "
                          "Ctrl-C cancels)")
            while True:
                # pending is read before speaking: a notification not listed any more was
                # queued before, so this pass speaks it
                pending = self._pending()
                given = pipeline.speak_notifications()
                if not pending and not given:
                    return 0
                if pending:
                    time.sleep(max(0.02, min(0.5, pending[0].due - self.clock())))
        except KeyboardInterrupt:
            self.cancelled = True
            left = self._pending()
            self._drop(left, not_waiting(left, self.clock(), cancelled=True) if left
                       else "cancelled")
            return 130

    def _drop(self, pending: list[Pending], message: str) -> None:
        self.not_given = [{"what": p.what, "due_in_s": round(max(0.0, p.due - self.clock()), 1),
                           "kept": p.kept} for p in pending]
        self._say(message)

    def to_dict(self) -> dict[str, Any]:
        """For ``--json``: what was given and what was not (``kept``: saved, it still rings
        when VAANI runs then)."""
        return {"notifications": self.given, "not_rung": self.not_given}
