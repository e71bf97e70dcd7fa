"""Alarms and reminders on disk: one SQLite file in the user's data directory.

The file is created on the first alarm set, never just by starting VAANI or reading (a test
or a ``vaani ask`` that sets nothing leaves no file behind). Each call opens its own
connection, so any thread may use the store; a lock keeps writers in order.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS alarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,                  -- alarm | reminder
    label TEXT NOT NULL DEFAULT '',      -- what to remind of, as it will be said
    language TEXT NOT NULL,              -- hi | en: the language it was set in, and rings in
    due REAL NOT NULL,                   -- when it rings next (seconds since the epoch)
    hour INTEGER NOT NULL,               -- the local clock time it was set for
    minute INTEGER NOT NULL,
    repeat TEXT NOT NULL DEFAULT '',     -- weekdays it repeats on, 0 = Monday ('' = once)
    wake INTEGER NOT NULL DEFAULT 0,     -- a wake-up alarm ("wake me at 6")
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Alarm:
    id: int
    kind: str
    label: str
    language: str
    due: float
    hour: int
    minute: int
    repeat: frozenset[int]
    wake: bool
    created: float

    @property
    def repeats(self) -> bool:
        return bool(self.repeat)


def _repeat_text(days: frozenset[int]) -> str:
    return "".join(str(d) for d in sorted(days))


def _row(row: sqlite3.Row) -> Alarm:
    return Alarm(row["id"], row["kind"], row["label"], row["language"], row["due"], row["hour"],
                 row["minute"], frozenset(int(c) for c in row["repeat"]), bool(row["wake"]),
                 row["created"])


class AlarmStore:
    """The alarms table of ``path`` (created with its directory on the first write)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()

    @contextmanager
    def _db(self, write: bool) -> Iterator[sqlite3.Connection | None]:
        with self._lock:
            if not write and not self.path.exists():
                yield None
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5.0)
            try:
                conn.row_factory = sqlite3.Row
                conn.executescript(_SCHEMA)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)",
                             (str(SCHEMA_VERSION),))
                yield conn
                conn.commit()
            finally:
                conn.close()

    def add(self, kind: str, label: str, language: str, due: float, hour: int, minute: int,
            repeat: frozenset[int] = frozenset(), wake: bool = False,
            created: float | None = None) -> Alarm:
        with self._db(write=True) as db:
            assert db is not None
            cur = db.execute(
                "INSERT INTO alarms (kind, label, language, due, hour, minute, repeat, wake, "
                "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, label, language, due, hour, minute, _repeat_text(repeat), int(wake),
                 time.time() if created is None else created))
            row = db.execute("SELECT * FROM alarms WHERE id = ?", (cur.lastrowid,)).fetchone()
            return _row(row)

    def all(self) -> list[Alarm]:
        """Every alarm, soonest first."""
        with self._db(write=False) as db:
            if db is None:
                return []
            return [_row(r) for r in db.execute("SELECT * FROM alarms ORDER BY due, id")]

    def get(self, alarm_id: int) -> Alarm | None:
        with self._db(write=False) as db:
            if db is None:
                return None
            row = db.execute("SELECT * FROM alarms WHERE id = ?", (alarm_id,)).fetchone()
            return _row(row) if row is not None else None

    def due_by(self, when: float) -> list[Alarm]:
        with self._db(write=False) as db:
            if db is None:
                return []
            return [_row(r) for r in db.execute(
                "SELECT * FROM alarms WHERE due <= ? ORDER BY due, id", (when,))]

    def next_due(self) -> float | None:
        with self._db(write=False) as db:
            if db is None:
                return None
            row = db.execute("SELECT MIN(due) AS due FROM alarms").fetchone()
            return row["due"] if row is not None else None

    def count(self) -> int:
        with self._db(write=False) as db:
            if db is None:
                return 0
            return int(db.execute("SELECT COUNT(*) FROM alarms").fetchone()[0])

    def delete(self, ids: list[int]) -> int:
        if not ids:
            return 0
        with self._db(write=False) as db:
            if db is None:
                return 0
            cur = db.executemany("DELETE FROM alarms WHERE id = ?", [(i,) for i in ids])
            return cur.rowcount

    def claim(self, alarm: Alarm, next_due: float | None) -> bool:
        """Take a due alarm off the schedule (delete it, or move it to ``next_due``) only if
        no one else did since it was read: of two VAANI processes sharing the file (a daemon
        and a ``vaani ask``) only the one whose claim succeeds rings it."""
        with self._db(write=False) as db:
            if db is None:
                return False
            if next_due is None:
                cur = db.execute("DELETE FROM alarms WHERE id = ? AND due = ?",
                                 (alarm.id, alarm.due))
            else:
                cur = db.execute("UPDATE alarms SET due = ? WHERE id = ? AND due = ?",
                                 (next_due, alarm.id, alarm.due))
            return cur.rowcount == 1

    def reschedule(self, alarm_id: int, due: float) -> None:
        with self._db(write=False) as db:
            if db is not None:
                db.execute("UPDATE alarms SET due = ? WHERE id = ?", (due, alarm_id))
