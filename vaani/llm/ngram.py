"""Prompt-lookup (n-gram) drafting: a draft that costs no model at all.

Replies often repeat what is already in the context: code echoes the names in the question,
a list repeats its pattern, an explanation reuses the question's phrases. So the tokens that
followed the last earlier occurrence of the current suffix are a good guess for what comes
next (Saxena 2023, "prompt lookup decoding"; llama.cpp's ``ngram`` speculative mode).

:class:`NgramIndex` keeps, for every n-gram (``n_min`` <= n <= ``n_max``) of the committed
tokens (prompt + reply so far), where it last occurred; :meth:`NgramIndex.propose` looks up
the longest suffix that occurred before and returns what followed it. Adding a token costs
``n_max - n_min + 1`` dict writes, a lookup as many reads: nothing next to one decode.

The proposal is deterministic, so for speculative sampling its distribution q is one-hot on
the proposed token: it is accepted with probability p(token), and after a rejection the next
token is drawn from p without that token (:func:`vaani.llm.sampling.residual` does both), so
the output distribution stays the target's and greedy output stays the target's greedy
output.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from vaani.llm.sampling import Dist


class NgramIndex:
    """Where each n-gram of a token history last occurred, and what followed it."""

    def __init__(self, n_min: int = 2, n_max: int = 4) -> None:
        if not 1 <= n_min <= n_max:
            raise ValueError(f"need 1 <= n_min <= n_max (got {n_min}, {n_max})")
        self.n_min = n_min
        self.n_max = n_max
        self.tokens: list[int] = []
        # n-gram -> index in tokens of the token that followed its latest occurrence
        self._next: dict[tuple[int, ...], int] = {}
        self.last_match = 0                # length of the n-gram the last proposal matched

    def __len__(self) -> int:
        return len(self.tokens)

    def reset(self, tokens: Iterable[int] = ()) -> None:
        self.tokens = []
        self._next = {}
        self.extend(tokens)

    def extend(self, tokens: Iterable[int]) -> None:
        toks = self.tokens
        nxt = self._next
        for t in tokens:
            j = len(toks)                      # t is the token that follows toks[j-n:j]
            for n in range(self.n_min, min(self.n_max, j) + 1):
                nxt[tuple(toks[j - n:j])] = j
            toks.append(int(t))

    def sync(self, history: list[int]) -> None:
        """Make the index hold ``history`` (append when it extends what is held)."""
        n = len(self.tokens)
        if len(history) >= n and history[:n] == self.tokens:
            self.extend(history[n:])
        else:
            self.reset(history)

    def propose(self, k: int) -> list[int]:
        """Up to ``k`` tokens that followed the latest earlier occurrence of the longest
        suffix (n_max down to n_min tokens) of the history; [] when none occurred."""
        toks = self.tokens
        self.last_match = 0
        if k <= 0:
            return []
        for n in range(min(self.n_max, len(toks) - 1), self.n_min - 1, -1):
            j = self._next.get(tuple(toks[len(toks) - n:]))
            if j is not None:
                self.last_match = n
                return toks[j:j + k]
        return []


def one_hot(token: int) -> Dist:
    """The distribution of a deterministic draft's token."""
    return Dist(np.array([token], np.int64), np.ones(1))
