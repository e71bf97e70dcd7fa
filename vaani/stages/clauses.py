"""Clause splitter: cut streaming LLM text into speakable pieces as soon as they close.

TTS starts on the first clause, never after the whole reply. A clause ends at ``।`` ``॥``
``?`` ``!`` (and their full-width forms), at a ``.`` that ends a sentence (not ``3.5``,
``Dr.`` or ``e.g.``), at a newline, and at a comma, semicolon or colon once the clause has
``min_words`` words. A run-on without punctuation is cut at a space after ``max_words``
(``first_max_words`` for the first clause, which matters most for latency).
"""

from __future__ import annotations

import re

TERMINATORS = "।॥?!？！"
SOFT = ",;:،、，；："
CLOSERS = "\"')]}»”’"
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "eg", "ie", "no", "sr", "jr",
                 "prof", "approx", "dept", "fig", "govt", "rs"}
_WORD = re.compile(r"\S+")


def _speakable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class ClauseSplitter:
    def __init__(self, min_words: int = 4, first_max_words: int = 8, max_words: int = 25) -> None:
        self.min_words = min_words
        self.first_max_words = first_max_words
        self.max_words = max_words
        self.reset()

    def reset(self) -> None:
        self._buf = ""
        self._emitted = 0

    def process(self, piece: str) -> list[str]:
        self._buf += piece
        out: list[str] = []
        while True:
            cut = self._find_cut(self._buf)
            if cut is None:
                break
            clause, self._buf = self._buf[:cut], self._buf[cut:]
            self._push(clause, out)
        return out

    def flush(self) -> list[str]:
        """The text left when the reply is complete."""
        out: list[str] = []
        clause, self._buf = self._buf, ""
        self._push(clause, out)
        return out

    def _push(self, clause: str, out: list[str]) -> None:
        clause = clause.strip()
        if not clause:
            return
        if not _speakable(clause):
            if out:                           # stray punctuation joins the clause before
                out[-1] += clause
            return
        out.append(clause)
        self._emitted += 1

    def _find_cut(self, text: str) -> int | None:
        n = len(text)
        for i, ch in enumerate(text):
            if ch in TERMINATORS or ch == "\n":
                return self._after_closers(text, i + 1)
            if ch == "." and self._sentence_dot(text, i):
                return self._after_closers(text, i + 1)
            if ch in SOFT and (i + 1 < n and text[i + 1].isspace()):
                if len(_WORD.findall(text[:i])) >= self.min_words:
                    return i + 1
        limit = self.first_max_words if self._emitted == 0 else self.max_words
        words = list(_WORD.finditer(text))
        if len(words) > limit:
            return words[limit].start()       # cut before the word past the limit
        return None

    def _after_closers(self, text: str, j: int) -> int:
        while j < len(text) and (text[j] in CLOSERS or text[j] in TERMINATORS or text[j] == "."):
            j += 1
        return j

    def _sentence_dot(self, text: str, i: int) -> bool:
        """Is the ``.`` at ``i`` the end of a sentence? Undecidable at the end of the buffer
        (``3.`` may become ``3.5``, ``e.`` may become ``e.g.``): wait for the next piece."""
        nxt = text[i + 1] if i + 1 < len(text) else None
        if nxt is not None and not (nxt.isspace() or nxt in CLOSERS):
            return False                      # 3.5, e.g., www.x
        if nxt is None:
            return False                      # wait for one more piece (or the flush)
        last = re.search(r"(\S*)$", text[:i])
        assert last is not None                # (\S*)$ matches every string
        word = last.group(1)
        if not word or word[-1].isdigit():
            return True
        bare = word.strip(CLOSERS + "(").replace(".", "").casefold()
        if bare in ABBREVIATIONS:
            return False
        if len(bare) == 1 and bare.isalpha() and word[-1].isupper():
            return False                      # an initial: "J. R. R. Tolkien"
        return True
