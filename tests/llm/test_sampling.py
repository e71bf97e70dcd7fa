"""The numpy sampler and the speculative acceptance rule, checked exactly (no models)."""

from __future__ import annotations

import numpy as np
import pytest

from vaani.llm import sampling


def test_greedy_is_argmax_lowest_id_on_ties():
    logits = np.array([0.0, 3.0, 1.0, 3.0], np.float32)
    d = sampling.distribution(logits, 0.0, 0.5)
    assert list(d.ids) == [1] and list(d.probs) == [1.0]


def test_softmax_with_temperature_matches_definition():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=300).astype(np.float32)
    d = sampling.distribution(logits, 0.7, 1.0).dense(300)
    ref = np.exp(logits / 0.7 - (logits / 0.7).max())
    np.testing.assert_allclose(d, ref / ref.sum(), rtol=1e-6)


@pytest.mark.parametrize("top_p", [0.05, 0.5, 0.9, 0.999])
def test_top_p_keeps_the_smallest_set_reaching_p(top_p):
    rng = np.random.default_rng(1)
    logits = (rng.normal(size=5000) * 3).astype(np.float32)
    full = sampling.distribution(logits, 1.0, 1.0).dense(5000)
    d = sampling.distribution(logits, 1.0, top_p)
    order = np.argsort(-full, kind="stable")
    n = int(np.searchsorted(np.cumsum(full[order]), top_p)) + 1
    assert set(d.ids.tolist()) == set(order[:n].tolist())
    np.testing.assert_allclose(d.probs.sum(), 1.0)
    np.testing.assert_allclose(d.dense(5000)[order[:n]], full[order[:n]] / full[order[:n]].sum(),
                               rtol=1e-9)


def test_sample_follows_the_distribution():
    d = sampling.Dist(np.array([3, 7, 9]), np.array([0.2, 0.5, 0.3]))
    rng = np.random.default_rng(2)
    draws = np.array([sampling.sample(d, rng) for _ in range(20000)])
    freq = [(draws == t).mean() for t in (3, 7, 9)]
    np.testing.assert_allclose(freq, [0.2, 0.5, 0.3], atol=0.015)


def _dist(rng, n, support):
    ids = np.sort(rng.choice(n, size=support, replace=False))
    p = rng.random(support) ** 3
    return sampling.Dist(ids.astype(np.int64), p / p.sum())


@pytest.mark.parametrize("seed", range(5))
def test_accept_then_residual_reproduces_p_exactly(seed):
    """P(out = x) = q(x) min(1, p(x)/q(x)) + P(reject) * residual(x) must equal p(x)."""
    rng = np.random.default_rng(seed)
    n = 50
    p, q = _dist(rng, n, 20), _dist(rng, n, 25)
    P, Q = p.dense(n), q.dense(n)
    accept = np.minimum(1.0, np.divide(P, Q, out=np.zeros(n), where=Q > 0)) * (Q > 0)
    reject = 1.0 - (Q * accept).sum()
    out = Q * accept + reject * sampling.residual(p, q).dense(n)
    np.testing.assert_allclose(out, P, atol=1e-12)


def test_accept_rule_monte_carlo():
    rng = np.random.default_rng(7)
    p = sampling.Dist(np.array([0, 1, 2]), np.array([0.6, 0.3, 0.1]))
    q = sampling.Dist(np.array([0, 1, 3]), np.array([0.2, 0.5, 0.3]))
    out = []
    for _ in range(30000):
        d = sampling.sample(q, rng)
        out.append(d if sampling.accept(p, q, d, rng) else sampling.sample(sampling.residual(p, q), rng))
    out = np.array(out)
    np.testing.assert_allclose([(out == t).mean() for t in range(4)], [0.6, 0.3, 0.1, 0.0],
                               atol=0.012)


def test_greedy_acceptance_is_deterministic():
    """Greedy on both sides: accept iff the draft's token is the target's argmax, without
    consuming randomness; the residual is the target's argmax."""
    rng = np.random.default_rng(0)
    p = sampling.distribution(np.array([0.0, 5.0, 1.0]), 0.0)
    q_same = sampling.distribution(np.array([0.0, 2.0, 1.0]), 0.0)
    q_diff = sampling.distribution(np.array([3.0, 2.0, 1.0]), 0.0)
    state = rng.bit_generator.state
    assert sampling.accept(p, q_same, 1, rng)
    assert not sampling.accept(p, q_diff, 0, rng)
    assert rng.bit_generator.state == state
    assert list(sampling.residual(p, q_diff).ids) == [1]
