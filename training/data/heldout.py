"""Questions Chimera must never be trained on: the answer benchmark's sets.

``vaani bench answers`` grades VAANI on ``vaani/bench/data/answers-heldout.jsonl`` and fits
the reply guard's thresholds on ``answers-calibration.jsonl``. Both only mean something if
the model has not seen the questions, so the corpus builder (:mod:`training.data.build`)
drops every document whose text contains one of them. Texts are compared normalised:
NFC, case-folded, punctuation and symbols replaced by spaces, whitespace collapsed, and a
question must occur on word boundaries ("what day will it be tomorrow" is found in
"<|user|>What day will it be tomorrow?<|end|>", not inside a longer word).

Matching is fast enough for the whole corpus: each question is indexed under one word
from its middle (a word that must appear whole in any text containing the question), so
a document is only compared with the few questions whose index word it has.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Iterable
from importlib import resources

SETS = ("heldout", "calibration")


def normalise(text: str) -> str:
    """NFC, case-folded, punctuation/symbols as spaces, single spaces, no ends."""
    text = unicodedata.normalize("NFC", text).casefold()
    out = [" " if unicodedata.category(c)[0] in "PSZC" else c for c in text]
    return " ".join("".join(out).split())


def bench_questions(sets: Iterable[str] = SETS) -> tuple[str, ...]:
    """The questions of the answer bench's sets, as written."""
    out = []
    for name in sets:
        path = resources.files("vaani.bench") / "data" / f"answers-{name}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    return tuple(out)


class HeldOut:
    """Finds held-out questions in texts."""

    def __init__(self, questions: Iterable[str]) -> None:
        self.questions = tuple(dict.fromkeys(q for q in map(normalise, questions) if q))
        self._by_word: dict[str, list[str]] = {}
        self._short: list[str] = []          # one or two words: no inner word to index by
        for q in self.questions:
            inner = q.split()[1:-1]
            if not inner:
                self._short.append(q)
                continue
            self._by_word.setdefault(max(inner, key=len), []).append(q)

    def find(self, text: str) -> str | None:
        """The (normalised) held-out question ``text`` contains, or None."""
        norm = normalise(text)
        padded = f" {norm} "
        for q in self._short:
            if f" {q} " in padded:
                return q
        for word in self._by_word.keys() & set(norm.split()):
            for q in self._by_word[word]:
                if f" {q} " in padded:
                    return q
        return None

    def __contains__(self, text: str) -> bool:
        return self.find(text) is not None


@functools.lru_cache(maxsize=1)
def default() -> HeldOut:
    """The answer bench's held-out and calibration questions."""
    return HeldOut(bench_questions())
