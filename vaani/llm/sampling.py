"""Token sampling in numpy, written out so that speculative acceptance is exact.

Speculative sampling is lossless only if ``p`` and ``q`` in min(1, p/q) are *exactly* the
distributions the target and the draft sample from. llama.cpp's sampler chain does not hand
those distributions back, so both sides sample here from the raw logits:

* temperature ``<= 0`` is greedy: a one-hot distribution on the argmax (ties: lowest id);
* otherwise softmax(logits / T) in float64, then top-p: the smallest set of most likely
  tokens whose mass reaches ``top_p`` (the token that crosses the threshold is kept),
  renormalised.

A :class:`Dist` is sparse (token ids + probabilities), because top-p keeps a few tokens out
of tens of thousands; acceptance and residual sampling work on the union of two supports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_CANDIDATES = 256        # look at this many top tokens first; widen if top-p needs more


@dataclass(frozen=True)
class Dist:
    """A distribution over token ids: ``ids`` (unique) with probabilities ``probs``."""

    ids: np.ndarray      # int64
    probs: np.ndarray    # float64, sums to 1

    def prob(self, token: int) -> float:
        hit = np.nonzero(self.ids == token)[0]
        return float(self.probs[hit[0]]) if len(hit) else 0.0

    def dense(self, n_vocab: int) -> np.ndarray:
        out = np.zeros(n_vocab, np.float64)
        out[self.ids] = self.probs
        return out

    @property
    def greedy(self) -> bool:
        return len(self.ids) == 1


def greedy_token(logits: np.ndarray) -> int:
    return int(np.argmax(logits))


def distribution(logits: np.ndarray, temperature: float, top_p: float = 1.0) -> Dist:
    """The distribution a sampler with these settings draws from (see module doc)."""
    if temperature <= 0.0:
        return Dist(np.array([greedy_token(logits)], np.int64), np.ones(1))
    z = logits.astype(np.float64) / temperature
    z -= z.max()
    e = np.exp(z)
    total = e.sum()
    if top_p >= 1.0:
        ids = np.nonzero(e > 0.0)[0]
        return Dist(ids.astype(np.int64), e[ids] / total)
    n = len(e)
    k = min(_CANDIDATES, n)
    while True:
        cand = np.argpartition(-e, k - 1)[:k] if k < n else np.arange(n)
        # by probability descending, then by id: deterministic ties
        cand = cand[np.lexsort((cand, -e[cand]))]
        cum = np.cumsum(e[cand]) / total
        if cum[-1] >= top_p - 1e-12 or k >= n:
            cut = min(int(np.searchsorted(cum, top_p - 1e-12)) + 1, len(cand))
            keep = cand[:cut]
            break
        k = min(n, k * 8)
    p = e[keep]
    return Dist(keep.astype(np.int64), p / p.sum())


def sample(dist: Dist, rng: np.random.Generator) -> int:
    if len(dist.ids) == 1:
        return int(dist.ids[0])
    cum = np.cumsum(dist.probs)
    i = int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))
    return int(dist.ids[min(i, len(dist.ids) - 1)])


def accept(p: Dist, q: Dist, token: int, rng: np.random.Generator) -> bool:
    """Accept the draft's ``token`` (drawn from ``q``) with probability min(1, p/q)."""
    pt = p.prob(token)
    if pt <= 0.0:
        return False
    qt = q.prob(token)
    if qt <= pt:                 # ratio >= 1: always (no random draw: greedy stays exact)
        return True
    return bool(rng.random() < pt / qt)


def residual(p: Dist, q: Dist) -> Dist:
    """normalize(max(0, p - q)): what to sample from after the draft's token was rejected.

    If p and q are equal the residual is empty; that happens only with probability 0 of a
    rejection, but guard anyway by falling back to p.
    """
    ids = np.union1d(p.ids, q.ids)
    pd = np.zeros(len(ids))
    qd = np.zeros(len(ids))
    pd[np.searchsorted(ids, p.ids)] = p.probs
    qd[np.searchsorted(ids, q.ids)] = q.probs
    r = np.maximum(pd - qd, 0.0)
    total = r.sum()
    if total <= 1e-300:
        return p
    keep = r > 0
    return Dist(ids[keep], r[keep] / total)


def score(logits: np.ndarray, token: int) -> tuple[float, float]:
    """(log-probability of ``token``, entropy in nats) under softmax(logits) at temperature 1:
    how sure the model itself was, whatever the sampler did with it. Read by the reply guard
    (vaani/guard.py) to tell a confident answer from a guess."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max()
    e = np.exp(z)
    total = e.sum()
    p = e / total
    logp = float(z[token] - np.log(total))
    nz = p > 0.0
    entropy = float(-(p[nz] * np.log(p[nz])).sum())
    return logp, entropy
