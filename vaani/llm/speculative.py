"""Speculative decoding: a cheap draft proposes, the target verifies, output is the target's.

One round, with ``t`` the last committed token (sampled, not yet decoded):

1. the draft decodes ``t`` (plus any committed tokens it has not seen) and proposes
   ``d_0..d_{k-1}`` one at a time, each drawn from its distribution ``q_i``;
2. the target decodes ``[t, d_0..d_{k-1}]`` in ONE batch, logits for every position -> p_0..p_k;
3. ``d_i`` is accepted with probability min(1, p_i(d_i)/q_i(d_i)); at the first rejection the
   next token is drawn from normalize(max(0, p_m - q_m)); if all k are accepted a bonus token
   is drawn from p_k. Every round yields between 1 and k+1 tokens whose distribution is
   exactly the target's (Leviathan et al. 2023; Chen et al. 2023). With temperature 0 both
   distributions are one-hot and the output is token-for-token the target's greedy output.
4. both sides drop what was rejected (:class:`vaani.llm.sequence.Sequence` knows how, for
   transformers and for recurrent/hybrid models).

``k`` is chosen every round by :class:`DraftPolicy` from the recent acceptance rate and the
measured cost of a target batch of n tokens relative to one token (on a CPU verifying 9
tokens costs several single steps, so a long draft only pays when most of it is accepted).

Two draft sources: a draft model (above), and n-gram lookup in the prompt and the reply so
far (:mod:`vaani.llm.ngram`: free, one-hot q). Each has its own policy (acceptance estimate,
draft cost); every round the one with the higher expected speed drafts, or neither.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from vaani.llm import sampling
from vaani.llm.native import LlamaModel
from vaani.llm.ngram import NgramIndex, one_hot
from vaani.llm.sequence import Sequence


@dataclass
class SpecStats:
    rounds: int = 0                   # verification rounds with at least one draft token
    drafted: int = 0
    accepted: int = 0
    ks: list[int] = field(default_factory=list)
    plain_steps: int = 0              # rounds where no source was expected to pay
    # per draft source ("model", "ngram"): [rounds, drafted, accepted]
    sources: dict[str, list[int]] = field(default_factory=dict)

    def add(self, source: str, drafted: int, accepted: int) -> None:
        self.rounds += 1
        self.drafted += drafted
        self.accepted += accepted
        self.ks.append(drafted)
        s = self.sources.setdefault(source, [0, 0, 0])
        s[0] += 1
        s[1] += drafted
        s[2] += accepted

    @property
    def acceptance(self) -> float:
        return self.accepted / self.drafted if self.drafted else 0.0

    @property
    def mean_accepted(self) -> float:
        """Accepted draft tokens per verification round."""
        return self.accepted / self.rounds if self.rounds else 0.0

    def to_dict(self) -> dict:
        return {"rounds": self.rounds, "drafted": self.drafted, "accepted": self.accepted,
                "acceptance_rate": round(self.acceptance, 4),
                "mean_accepted": round(self.mean_accepted, 3),
                "tokens_per_round": round((self.accepted + self.rounds) / self.rounds, 3)
                if self.rounds else 0.0,
                "k_hist": {str(k): self.ks.count(k) for k in sorted(set(self.ks))},
                "plain_steps": self.plain_steps,
                "sources": {name: {"rounds": r, "drafted": d, "accepted": a,
                                   "acceptance_rate": round(a / d, 4) if d else 0.0}
                            for name, (r, d, a) in sorted(self.sources.items())}}


class DraftPolicy:
    """Chooses the draft length k that maximises expected tokens per unit of time.

    With a per-token acceptance probability ``a`` (assumed independent), a round with k
    drafts yields E(k) = (1 - a^(k+1)) / (1 - a) tokens and costs k draft steps plus one
    target batch of k+1 tokens: cost(k) = k * c_draft + C(k+1), in units of one target step.
    ``a`` is a decayed estimate from recent rounds (a geometric-run MLE: accepted / (accepted
    + rejections)); ``C`` is the measured batch-cost curve, ``c_draft`` the draft/target cost
    ratio. When no k is expected to beat plain decoding (speed 1), ``choose`` returns 0 and
    the loop finishes the generation without the draft: keeping a draft in sync costs
    about as much as using it, so probing now and then would not be cheap. The estimate
    carries over to the next generation, which decides afresh.
    """

    def __init__(self, k_max: int, *, batch_cost: dict[int, float] | None = None,
                 draft_cost: float = 0.2, prior: float = 0.7, decay: float = 0.9,
                 k_fixed: int = 0) -> None:
        self.k_max = k_max
        self.batch_cost = dict(batch_cost or {})
        self.draft_cost = draft_cost
        self.decay = decay
        self.prior = prior
        self._acc = 2.0 * prior           # pseudo-counts of the prior
        self._rej = 2.0 * (1.0 - prior)
        self.k_fixed = k_fixed

    @property
    def rate(self) -> float:
        return self._acc / (self._acc + self._rej)

    def cost(self, n: int) -> float:
        """Target batch of n tokens, in single-token steps (linear extrapolation if unmeasured)."""
        if n in self.batch_cost:
            return self.batch_cost[n]
        known = sorted(self.batch_cost)
        if not known:
            return 1.0 + 0.4 * (n - 1)
        lo = max([k for k in known if k < n], default=known[0])
        hi = min([k for k in known if k > n], default=known[-1])
        if lo == hi:
            slope = (self.batch_cost[known[-1]] - 1.0) / max(known[-1] - 1, 1)
            return self.batch_cost[lo] + slope * (n - lo)
        w = (n - lo) / (hi - lo)
        return self.batch_cost[lo] * (1 - w) + self.batch_cost[hi] * w

    def expected(self, k: int, a: float | None = None) -> float:
        a = self.rate if a is None else a
        if a >= 1.0:
            return k + 1.0
        return (1.0 - a ** (k + 1)) / (1.0 - a)

    def speed(self, k: int, a: float | None = None) -> float:
        """Expected tokens per target-step of time with k drafts (plain decoding: 1)."""
        if k == 0:
            return 1.0
        return self.expected(k, a) / (k * self.draft_cost + self.cost(k + 1))

    def best(self, a: float | None = None, k_top: int | None = None) -> tuple[int, float]:
        """(k, speed) of the best k >= 1 at acceptance ``a`` (default: the estimate)."""
        best, best_k = -1.0, 1
        for k in range(1, (k_top or self.k_max) + 1):
            v = self.speed(k, a)
            if v > best + 1e-9:
                best, best_k = v, k
        return best_k, best

    def choose(self, limit: int | None = None) -> int:
        k_top = self.k_max if limit is None else max(1, min(self.k_max, limit))
        if self.k_fixed:
            return min(self.k_fixed, k_top)
        k, speed = self.best(k_top=k_top)
        return k if speed > 1.0 else 0

    def update(self, drafted: int, accepted: int, *, stopped_early: bool = False) -> None:
        self._acc = self.decay * self._acc + accepted
        rejected = 1 if accepted < drafted else 0
        self._rej = self.decay * self._rej + rejected

    def relax(self) -> None:
        """Move the estimate one step back towards the prior (a source that was not used
        this round): a free draft (n-gram lookup) whose estimate fell below paying would
        otherwise never be tried again, however the text changes."""
        self._acc = self.decay * self._acc + (1.0 - self.decay) * 2.0 * self.prior
        self._rej = self.decay * self._rej + (1.0 - self.decay) * 2.0 * (1.0 - self.prior)


class NgramPolicy(DraftPolicy):
    """:class:`DraftPolicy` for n-gram lookup, with one acceptance estimate per length of
    the matched n-gram (``use(n)`` before asking): a 4-token match is right far more often
    than a 2-token one, and one estimate for all would let the weak matches silence the
    strong ones. ``priors``: the starting estimate per length (the longest listed applies
    to longer ones); the shared parts (k_max, batch costs, draft cost) are the parent's."""

    PRIORS = {1: 0.5, 2: 0.7, 3: 0.8, 4: 0.9}

    def __init__(self, k_max: int, *, priors: dict[int, float] | None = None,
                 **kw: object) -> None:
        super().__init__(k_max, **kw)  # type: ignore[arg-type]
        self.priors = dict(priors or self.PRIORS)
        self._counts: dict[int, list[float]] = {}
        self.match = max(self.priors)

    def use(self, match: int) -> None:
        self.match = match

    def _prior(self) -> float:
        fitting = [n for n in self.priors if n <= self.match]
        return self.priors[max(fitting)] if fitting else self.prior

    def _c(self) -> list[float]:
        c = self._counts.get(self.match)
        if c is None:
            p = self._prior()
            c = self._counts[self.match] = [2.0 * p, 2.0 * (1.0 - p)]
        return c

    @property
    def rate(self) -> float:
        c = self._c()
        return c[0] / (c[0] + c[1])

    def rates(self) -> dict[int, float]:
        keep = self.match
        try:
            out = {}
            for n in sorted(set(self._counts) | set(self.priors)):
                self.match = n
                out[n] = round(self.rate, 3)
            return out
        finally:
            self.match = keep

    def update(self, drafted: int, accepted: int, *, stopped_early: bool = False) -> None:
        c = self._c()
        c[0] = self.decay * c[0] + accepted
        c[1] = self.decay * c[1] + (1 if accepted < drafted else 0)

    def relax(self) -> None:
        c = self._c()
        p = self._prior()
        c[0] = self.decay * c[0] + (1.0 - self.decay) * 2.0 * p
        c[1] = self.decay * c[1] + (1.0 - self.decay) * 2.0 * (1.0 - p)


FLUSH = 8     # a draft this many tokens behind catches up outside the speculative segment


def top_prob(logits: np.ndarray) -> float:
    """Probability of the most likely token under softmax(logits)."""
    z = logits.astype(np.float64)
    return float(1.0 / np.exp(z - z.max()).sum())


@dataclass
class Sampler:
    """Sampling settings of one side (target or draft)."""

    temperature: float
    top_p: float

    def dist(self, logits: np.ndarray) -> sampling.Dist:
        return sampling.distribution(logits, self.temperature, self.top_p)


def speculative_tokens(model: LlamaModel, target: Sequence, draft: Sequence | None,
                       prompt: list[int], *, max_tokens: int, target_sampler: Sampler,
                       draft_sampler: Sampler, rng: np.random.Generator, policy: DraftPolicy,
                       stats: SpecStats, cancel: threading.Event | None = None,
                       p_min: float = 0.0,
                       scores: list[tuple[float, float]] | None = None,
                       ngram: NgramIndex | None = None,
                       ngram_policy: DraftPolicy | None = None,
                       k_cap: int | None = None, k_fixed: int = 0) -> Iterator[list[int]]:
    """Yield the generated tokens round by round (each list is final: stream it).

    Stops after ``max_tokens`` tokens, after an end-of-generation token (yielded), when the
    context is full, or when ``cancel`` is set (checked before every decode). ``p_min``:
    stop drafting early when the draft's most likely next token has less probability than
    this (at temperature 1); it changes speed only, never the output distribution.
    ``scores`` receives each yielded token's (log-probability, entropy) under the target.

    Drafts come from the draft model (``draft``, chosen by ``policy``) and/or from n-gram
    lookup in the prompt and reply (``ngram``, chosen by ``ngram_policy``): every round the
    source with the higher expected speed is used, or neither (one plain target step) when
    none beats plain decoding. ``k_cap``: the longest draft verification may check (the
    engine keeps verified batches at a size whose logits are bit-identical to one-by-one
    decoding). ``k_fixed``: draft exactly this many tokens whenever a source is available
    (n-gram first), for measurements.
    """
    n_ctx = target.ctx.n_ctx
    if max_tokens <= 0:
        return
    cap = policy.k_max if k_cap is None else max(1, min(k_cap, policy.k_max))
    p_logits = target.prefill(prompt)[-1]
    x = sampling.sample(target_sampler.dist(p_logits), rng)
    produced = 1
    if scores is not None:
        scores.append(sampling.score(p_logits, x))
    yield [x]
    if model.is_eog(x):
        return
    target.pending.append(x)
    history = list(prompt) + [x]              # committed tokens (the last one not decoded)
    use_model = draft is not None             # the draft model may still pay this request
    synced = False                            # the draft has seen history[:-1]
    if ngram is not None:
        ngram.sync(history)

    while produced < max_tokens:
        if cancel is not None and cancel.is_set():
            return
        room = n_ctx - target.n_past - len(target.pending)   # free positions in the target
        if room < 1:
            return
        limit = min(max_tokens - produced - 1, room - 1, cap)
        if k_cap is not None:                     # the verified batch is pending + drafts
            limit = min(limit, k_cap + 1 - len(target.pending))
        source, k = "", 0
        proposal: list[int] = []
        if limit >= 1:
            best = 1.0                            # plain decoding
            if ngram is not None and ngram_policy is not None:
                proposal = ngram.propose(limit)
                if proposal and isinstance(ngram_policy, NgramPolicy):
                    ngram_policy.use(ngram.last_match)
                if proposal:
                    forced = k_fixed or ngram_policy.k_fixed
                    if forced:
                        source, k, best = "ngram", min(forced, len(proposal)), float("inf")
                    else:
                        kn, speed = ngram_policy.best(k_top=len(proposal))
                        if speed > best:
                            source, k, best = "ngram", kn, speed
                        else:
                            ngram_policy.relax()
            if use_model and best != float("inf"):
                forced = k_fixed or policy.k_fixed
                if forced:
                    km, speed = min(forced, limit), float("inf")
                else:
                    km = policy.choose(limit=limit)
                    speed = policy.speed(km) if km else 0.0
                    use_model = km > 0            # once it does not pay, never this request
                if km and speed > best:
                    source, k = "model", km
        if source == "model" and not synced:      # the draft reads the prompt only if used
            assert draft is not None
            draft.prefill(history[:-1], n_logits=0)
            draft.pending = [history[-1]]
            synced = True

        # -- draft ---------------------------------------------------------------------------
        drafts: list[int] = []
        qs: list[sampling.Dist] = []
        decoded = 0                               # proposals the draft has decoded itself
        if source == "ngram":
            drafts = proposal[:k]
            qs = [one_hot(d) for d in drafts]
        elif source == "model":
            assert draft is not None
            if len(draft.pending) > FLUSH:        # long catch-up: commit it outside the segment
                last = draft.pending.pop()
                draft.feed([], 0)
                draft.pending = [last]
            draft.begin()
            logits = draft.step([], 1)[-1]
            while True:
                if drafts and p_min > 0.0 and top_prob(logits) < p_min:
                    break                         # the draft is unsure: verify what we have
                q = draft_sampler.dist(logits)
                d = sampling.sample(q, rng)
                drafts.append(d)
                qs.append(q)
                if model.is_eog(d) or len(drafts) == k:
                    break
                if cancel is not None and cancel.is_set():
                    break
                logits = draft.step([d], 1)[-1]
                decoded += 1

        # -- verify --------------------------------------------------------------------------
        if cancel is not None and cancel.is_set():
            if source == "model":
                assert draft is not None
                draft.close_segment()
            return
        k_eff = len(drafts)
        target.begin()
        P = target.step(drafts, k_eff + 1)
        accepted: list[int] = []
        x = -1
        for i, d in enumerate(drafts):
            p = target_sampler.dist(P[i])
            if sampling.accept(p, qs[i], d, rng):
                accepted.append(d)
                if model.is_eog(d):
                    break
            else:
                x = sampling.sample(sampling.residual(p, qs[i]), rng)
                break
        m = len(accepted)
        ended = m > 0 and model.is_eog(accepted[-1])
        if x < 0 and not ended:                   # every draft accepted: the bonus token
            x = sampling.sample(target_sampler.dist(P[k_eff]), rng)

        # -- roll back what was rejected ------------------------------------------------------
        seg = len(target.segment)
        target.keep(seg - k_eff + m)
        if source == "model":
            assert draft is not None
            kept = min(m, decoded)
            draft.keep(len(draft.segment) - decoded + kept)
            draft.pending.extend(accepted[kept:])
        elif synced and use_model:
            assert draft is not None
            draft.pending.extend(accepted)
        if source:
            stats.add(source, k_eff, m)
            (policy if source == "model" else ngram_policy).update(k_eff, m)  # type: ignore[union-attr]
        else:
            stats.plain_steps += 1

        out = accepted if ended else accepted + [x]
        out = out[:max_tokens - produced]
        if scores is not None:                    # position i of the batch scored token i
            scores.extend(sampling.score(P[i], t) for i, t in enumerate(out))
        produced += len(out)
        yield out
        if ended or (out and model.is_eog(out[-1])):
            return
        history.extend(out)
        if ngram is not None:
            ngram.extend(out)
        target.pending.append(x)
        if synced and use_model:
            assert draft is not None
            draft.pending.append(x)
