"""English definitions read straight from WordNet 3.0's database files (Debian ``wordnet-base``).

No NLTK, no download: the ``index.<pos>`` files are sorted, so a lemma is found by binary
search over the memory-mapped file; its synsets are read at their byte offsets in
``data.<pos>``. Inflected forms ("running", "geese") go through WordNet's own exception
lists and detachment rules (what WordNet's ``morphy`` does). Which part of speech a word
mostly is comes from ``cntlist.rev`` (how often each sense was tagged in the SemCor corpus),
so "run" is defined as the verb it usually is and "book" as a noun.

WordNet licence (Princeton, permissive): see /usr/share/doc/wordnet-base/copyright.
"""

from __future__ import annotations

import mmap
import os
import threading
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = "/usr/share/wordnet"
SOURCE = "WordNet 3.0"
POS = ("noun", "verb", "adj", "adv")
POS_NAMES = {"noun": "noun", "verb": "verb", "adj": "adjective", "adv": "adverb"}
_SENSE_KEY_POS = {"1": "noun", "2": "verb", "3": "adj", "4": "adv", "5": "adj"}
_REQUIRED = tuple(f"{kind}.{pos}" for kind in ("index", "data") for pos in POS)

# WordNet's detachment rules (morphy): suffix -> replacement, per part of speech
_RULES = {
    "noun": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
             ("shes", "sh"), ("men", "man"), ("ies", "y")),
    "verb": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
             ("ing", "e"), ("ing", "")),
    "adj": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "adv": (),
}


@dataclass(frozen=True)
class Sense:
    pos: str                 # noun | verb | adj | adv
    gloss: str               # the definition only, examples dropped
    words: tuple[str, ...]   # the synset's lemmas (synonyms), spaces for underscores


@dataclass(frozen=True)
class Definition:
    word: str                # as asked
    lemma: str               # the WordNet lemma it was found under
    pos: str
    senses: tuple[Sense, ...]   # of ``pos``, most frequent first
    tagged: tuple[int, ...] = ()   # how often each sense was tagged in SemCor (0: never)

    @property
    def gloss(self) -> str:
        return self.senses[0].gloss

    @property
    def undecided(self) -> bool:
        """The first sense is not clearly the usual one: the second was tagged at least half
        as often ("vacant": 2 against 1), or neither was ever tagged."""
        if len(self.senses) < 2 or len(self.tagged) < 2:
            return False
        return 2 * self.tagged[1] >= self.tagged[0]


class _Sorted:
    """A sorted text file searched by line prefix without reading it all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as f:
            self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

    def _line_at(self, pos: int) -> tuple[int, bytes]:
        start = self.data.rfind(b"\n", 0, pos) + 1
        end = self.data.find(b"\n", pos)
        end = len(self.data) if end < 0 else end
        return start, self.data[start:end]

    def lines_with_prefix(self, prefix: bytes) -> list[bytes]:
        lo, hi = 0, len(self.data)
        while lo < hi:                         # first line whose text is >= prefix
            mid = (lo + hi) // 2
            start, line = self._line_at(mid)
            if line.startswith(b"  ") or line < prefix:     # licence header sorts first
                lo = start + len(line) + 1
            else:
                hi = start
        out = []
        pos = lo
        while pos < len(self.data):
            start, line = self._line_at(pos)
            if not line.startswith(prefix):
                break
            out.append(line)
            pos = start + len(line) + 1
        return out


class WordNet:
    """Definitions from a WordNet database directory; thread-safe, nothing loaded up front
    beyond the exception lists (about 6,000 lines)."""

    def __init__(self, directory: str | os.PathLike[str] = DEFAULT_DIR) -> None:
        self.dir = Path(directory)
        missing = [name for name in _REQUIRED if not (self.dir / name).is_file()]
        if missing:
            raise FileNotFoundError(f"WordNet database incomplete in {self.dir}: "
                                    f"missing {', '.join(missing)}")
        self._index = {pos: _Sorted(self.dir / f"index.{pos}") for pos in POS}
        self._counts = (_Sorted(self.dir / "cntlist.rev")
                        if (self.dir / "cntlist.rev").is_file() else None)
        self._data_lock = threading.Lock()
        self._all_counts: dict[str, dict[str, int]] | None = None
        self._data = {pos: open(self.dir / f"data.{pos}", "rb") for pos in POS}
        self._exc: dict[str, dict[str, list[str]]] = {}
        for pos in POS:
            table: dict[str, list[str]] = {}
            path = self.dir / f"{pos}.exc"
            if path.is_file():
                for line in path.read_text(encoding="utf-8").splitlines():
                    parts = line.split()
                    if len(parts) >= 2:
                        table.setdefault(parts[0], []).extend(parts[1:])
            self._exc[pos] = table

    def close(self) -> None:
        for f in self._data.values():
            f.close()

    # -- lookups ---------------------------------------------------------------------------

    def _index_entry(self, lemma: str, pos: str) -> list[int]:
        """Synset offsets of ``lemma`` in ``pos``, most frequent sense first ([] if none)."""
        key = lemma.encode("utf-8")
        for line in self._index[pos].lines_with_prefix(key + b" "):
            parts = line.decode("utf-8").split()
            p_cnt = int(parts[3])
            offsets = parts[4 + p_cnt + 2:]
            return [int(o) for o in offsets]
        return []

    def has(self, lemma: str, pos: str | None = None) -> bool:
        key = lemma.lower().replace(" ", "_")
        return any(self._index_entry(key, p) for p in ((pos,) if pos else POS))

    def _synset(self, pos: str, offset: int) -> Sense:
        with self._data_lock:
            f = self._data[pos]
            f.seek(offset)
            line = f.readline().decode("utf-8")
        head, _, gloss = line.partition(" | ")
        fields = head.split()
        w_cnt = int(fields[3], 16)
        words = tuple(fields[4 + 2 * i].replace("_", " ") for i in range(w_cnt))
        words = tuple(w.split("(")[0] for w in words)        # adjective markers: (a) (p)
        return Sense(pos, _definition_part(gloss), words)

    def tag_count(self, lemma: str) -> dict[str, int]:
        """How often ``lemma`` was tagged in SemCor, per part of speech (cntlist.rev)."""
        return dict(self.tag_counts().get(lemma.lower().replace(" ", "_"), {}))

    def tag_counts(self) -> dict[str, dict[str, int]]:
        """Every lemma's SemCor tag counts per part of speech (read once, about 40 ms)."""
        with self._data_lock:
            if self._all_counts is None:
                table: dict[str, dict[str, int]] = {}
                if self._counts is not None:
                    for line in self._counts.data[:].decode("utf-8").splitlines():
                        parts = line.split()
                        if len(parts) != 3 or "%" not in parts[0]:
                            continue
                        lemma, _, rest = parts[0].partition("%")
                        pos = _SENSE_KEY_POS.get(rest[:1], "")
                        if pos:
                            counts = table.setdefault(lemma, {})
                            counts[pos] = counts.get(pos, 0) + int(parts[2])
                self._all_counts = table
            return self._all_counts

    def sense_tags(self, lemma: str, pos: str, n: int) -> tuple[int, ...]:
        """SemCor tag counts of the first ``n`` senses of ``lemma`` as ``pos`` (cntlist.rev:
        ``sense_key sense_number tag_count``)."""
        out = [0] * n
        if self._counts is None:
            return tuple(out)
        key = lemma.lower().replace(" ", "_").encode("utf-8") + b"%"
        for line in self._counts.lines_with_prefix(key):
            parts = line.decode("utf-8").split()
            if len(parts) != 3:
                continue
            kind = parts[0].partition("%")[2][:1]
            if _SENSE_KEY_POS.get(kind) == pos and parts[1].isdigit() and parts[2].isdigit():
                number = int(parts[1])
                if 1 <= number <= n:
                    out[number - 1] += int(parts[2])
        return tuple(out)

    def lemmas(self, word: str) -> list[tuple[str, str]]:
        """(lemma, pos) pairs ``word`` can be a form of: itself first, then exceptions
        ("geese" -> goose), then the detachment rules ("running" -> run)."""
        w = word.strip().lower().replace(" ", "_")
        out: list[tuple[str, str]] = []

        def add(lemma: str, pos: str) -> None:
            if (lemma, pos) not in out and self._index_entry(lemma, pos):
                out.append((lemma, pos))

        for pos in POS:
            add(w, pos)
        for pos in POS:
            for base in self._exc[pos].get(w, ()):
                add(base, pos)
        for pos in POS:
            for suffix, repl in _RULES[pos]:
                if w.endswith(suffix) and len(w) > len(suffix) + 1:
                    add(w[: len(w) - len(suffix)] + repl, pos)
        return out

    def define(self, word: str, max_senses: int = 3) -> Definition | None:
        """The definition of ``word`` in its most frequent part of speech, or None."""
        candidates = self.lemmas(word)
        if not candidates:
            return None
        exact = [c for c in candidates if c[0] == word.strip().lower().replace(" ", "_")]
        pool = exact or candidates
        lemma0 = pool[0][0]
        counts = self.tag_count(lemma0)

        def rank(c: tuple[str, str]) -> tuple[int, int, int, int]:
            lemma, pos = c
            return (-int(lemma == lemma0), -counts.get(pos, 0) if lemma == lemma0 else 0,
                    -len(self._index_entry(lemma, pos)), POS.index(pos))

        lemma, pos = min(pool, key=rank)
        senses = tuple(self._synset(pos, off)
                       for off in self._index_entry(lemma, pos)[:max_senses])
        return Definition(word, lemma.replace("_", " "), pos, senses,
                          self.sense_tags(lemma, pos, len(senses)))


def _definition_part(gloss: str) -> str:
    """"lasting a very short time; \"the ephemeral joys\"" -> "lasting a very short time"."""
    gloss = gloss.strip()
    parts: list[str] = []
    for piece in gloss.split(";"):
        piece = piece.strip()
        if not piece or piece.startswith('"'):
            break
        parts.append(piece)
    return "; ".join(parts) if parts else gloss.strip('" ')
