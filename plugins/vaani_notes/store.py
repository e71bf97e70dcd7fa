"""Notes and lists on disk: one SQLite file in the user's data directory, made on the first
write (reading an absent file reads nothing and leaves no file behind). Each call opens its
own connection, so any thread may use the store; a lock keeps writers in order."""

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
CREATE TABLE IF NOT EXISTS lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,           -- shopping | todo | notes | a name the user gave
    name TEXT NOT NULL,                 -- as the user said it ("packing", "सफ़र")
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    language TEXT NOT NULL,             -- hi | en: the language it was said in
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class NoteList:
    id: int
    key: str
    name: str
    created: float


@dataclass(frozen=True)
class Item:
    id: int
    list_id: int
    text: str
    language: str
    created: float


class NoteStore:
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
                conn.execute("PRAGMA foreign_keys = ON")
                conn.executescript(_SCHEMA)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)",
                             (str(SCHEMA_VERSION),))
                yield conn
                conn.commit()
            finally:
                conn.close()

    # -- lists --

    def lists(self) -> list[NoteList]:
        with self._db(write=False) as db:
            if db is None:
                return []
            return [NoteList(r["id"], r["key"], r["name"], r["created"])
                    for r in db.execute("SELECT * FROM lists ORDER BY created, id")]

    def find(self, key: str) -> NoteList | None:
        with self._db(write=False) as db:
            if db is None:
                return None
            r = db.execute("SELECT * FROM lists WHERE key = ?", (key,)).fetchone()
            return NoteList(r["id"], r["key"], r["name"], r["created"]) if r else None

    def ensure(self, key: str, name: str, now: float | None = None) -> tuple[NoteList, bool]:
        """The list ``key`` (made if missing), and whether it was made now."""
        with self._db(write=True) as db:
            assert db is not None
            r = db.execute("SELECT * FROM lists WHERE key = ?", (key,)).fetchone()
            made = r is None
            if made:
                db.execute("INSERT INTO lists (key, name, created) VALUES (?, ?, ?)",
                           (key, name, time.time() if now is None else now))
                r = db.execute("SELECT * FROM lists WHERE key = ?", (key,)).fetchone()
            return NoteList(r["id"], r["key"], r["name"], r["created"]), made

    def drop(self, list_id: int) -> None:
        with self._db(write=False) as db:
            if db is not None:
                db.execute("DELETE FROM items WHERE list_id = ?", (list_id,))
                db.execute("DELETE FROM lists WHERE id = ?", (list_id,))

    # -- items --

    def items(self, list_id: int) -> list[Item]:
        with self._db(write=False) as db:
            if db is None:
                return []
            return [Item(r["id"], r["list_id"], r["text"], r["language"], r["created"])
                    for r in db.execute("SELECT * FROM items WHERE list_id = ? ORDER BY id",
                                        (list_id,))]

    def add(self, list_id: int, texts: list[str], language: str,
            now: float | None = None) -> list[Item]:
        with self._db(write=True) as db:
            assert db is not None
            out = []
            for text in texts:
                created = time.time() if now is None else now
                cur = db.execute("INSERT INTO items (list_id, text, language, created) "
                                 "VALUES (?, ?, ?, ?)", (list_id, text, language, created))
                out.append(Item(int(cur.lastrowid or 0), list_id, text, language, created))
            return out

    def remove(self, ids: list[int]) -> int:
        if not ids:
            return 0
        with self._db(write=False) as db:
            if db is None:
                return 0
            return db.executemany("DELETE FROM items WHERE id = ?", [(i,) for i in ids]).rowcount

    def clear(self, list_id: int) -> int:
        with self._db(write=False) as db:
            if db is None:
                return 0
            return db.execute("DELETE FROM items WHERE list_id = ?", (list_id,)).rowcount
