"""Prompt-lookup (n-gram) drafting: the index proposes what followed the latest earlier match,
and speculative decoding with it stays lossless (greedy: token for token the target's on a
real transformer and on hybrid rollback; sampling: the target's distribution)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.llm.conftest import PROMPTS
from tests.llm.test_speculative import (ALPHA, N_SAMPLES, N_TOKENS, TEMP, TOP_P, chi_square_p,
                                        exact_joint, favour_drafting)
from vaani.llm import LlamaEngine, Request, RequestError, sampling
from vaani.llm.ngram import NgramIndex, one_hot

# -- the index -----------------------------------------------------------------------------------


def test_proposes_the_continuation_of_the_longest_latest_match():
    idx = NgramIndex(2, 4)
    idx.extend([1, 2, 3, 4, 5, 9, 2, 3, 7, 1, 2, 3])
    # suffix [1, 2, 3] occurred at 0..2 (followed by 4 5 9); [2, 3] more recently (then 7):
    # the longer match wins
    assert idx.propose(3) == [4, 5, 9] and idx.last_match == 3
    idx.extend([8])                          # suffix [3, 8]: never seen
    assert idx.propose(3) == [] and idx.last_match == 0
    idx.extend([2, 3])              # [8, 2, 3] unseen; [2, 3]: latest at 10..11, then 8 2
    assert idx.propose(2) == [8, 2] and idx.last_match == 2
    assert idx.propose(0) == []


def test_a_proposal_may_run_into_the_suffix_and_is_cut_at_k():
    idx = NgramIndex(2, 3)
    idx.extend([5, 6, 5, 6, 5, 6])           # a loop: [5, 6] last followed by 5 at index 4
    assert idx.propose(8) == [5, 6]          # what is known after index 4
    idx.extend([5])
    assert idx.propose(1) == [6]


def test_sync_extends_or_rebuilds():
    idx = NgramIndex(2, 2)
    idx.sync([1, 2, 3])
    idx.sync([1, 2, 3, 1, 2])                # extends
    assert idx.tokens == [1, 2, 3, 1, 2] and idx.propose(5) == [3, 1, 2]
    idx.sync([9, 9, 1, 2])                   # another history: rebuilt, old n-grams gone
    assert idx.tokens == [9, 9, 1, 2] and idx.propose(3) == []
    with pytest.raises(ValueError):
        NgramIndex(3, 2)


def test_one_hot_acceptance_and_residual_keep_the_targets_distribution():
    """A deterministic draft token t is accepted with probability p(t); after a rejection the
    next token comes from p without t. Together: exactly p."""
    p = sampling.Dist(np.array([3, 5, 7]), np.array([0.5, 0.3, 0.2]))
    q = one_hot(5)
    r = sampling.residual(p, q)
    assert dict(zip(r.ids.tolist(), r.probs.round(6).tolist())) == {3: 0.714286, 7: 0.285714}
    rng = np.random.default_rng(0)
    n = 20000
    accepted = sum(sampling.accept(p, q, 5, rng) for _ in range(n))
    assert abs(accepted / n - 0.3) < 0.015
    greedy = sampling.Dist(np.array([5]), np.ones(1))
    assert sampling.accept(greedy, q, 5, rng) and not sampling.accept(greedy, one_hot(3), 3, rng)


# -- greedy: token for token the target's --------------------------------------------------------

REPETITIVE = [
    "List the days of the week, then list them again in the same order:",
    "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n\ndef mul(a, b):",
    "Repeat after me three times: the quick brown fox jumps over the lazy dog.",
]


@pytest.mark.models
def test_greedy_ngram_drafting_is_the_targets_output_on_a_real_transformer(smollm2):
    e = LlamaEngine(smollm2, n_ctx=512, threads=1, calibrate=False, ngram=True, k_max=6)
    try:
        assert e.draft is None and e.ngram is not None     # n-gram alone, no draft model
        drafted = accepted = 0
        for text in REPETITIVE:
            prompt = e.chat_prompt([{"role": "user", "content": text}])
            plain = e.complete(prompt, Request(max_tokens=64, speculative=False))
            for req in (Request(max_tokens=64, draft="ngram", k=4), Request(max_tokens=64)):
                favour_drafting(e)
                e.ngram_policy.batch_cost = dict(e.policy.batch_cost)
                e.ngram_policy.draft_cost = 0.0
                spec = e.complete(prompt, req)
                assert spec.tokens == plain.tokens, (text, req)
                assert spec.text == plain.text
                src = spec.spec["sources"].get("ngram", {"drafted": 0, "accepted": 0})
                drafted += src["drafted"]
                accepted += src["accepted"]
                assert "model" not in spec.spec["sources"]
        assert drafted > 20 and 0 < accepted < drafted     # it drafts, hits and misses
    finally:
        e.close()


@pytest.mark.models
def test_drafts_stay_within_the_exact_batch_size(smollm2):
    """Where only batches of up to 3 tokens verify bit-exactly (x86 repacked K-quants),
    no draft is longer than 2, whatever k is asked for."""
    e = LlamaEngine(smollm2, n_ctx=512, threads=1, calibrate=False, ngram=True, k_max=6)
    try:
        e.exact_batch = 3
        assert e.k_cap == 2
        prompt = e.chat_prompt([{"role": "user", "content": REPETITIVE[2]}])
        spec = e.complete(prompt, Request(max_tokens=48, draft="ngram", k=5))
        assert spec.spec["rounds"] > 0 and max(map(int, spec.spec["k_hist"])) <= 2
        e.exact = False                                      # inexact: k as asked
        assert e.k_cap is None
        spec = e.complete(prompt, Request(max_tokens=48, draft="ngram", k=5))
        assert max(map(int, spec.spec["k_hist"])) > 2
    finally:
        e.close()


@pytest.mark.parametrize("rollback", ["rs", "checkpoint"])
def test_greedy_ngram_drafting_with_hybrid_rollback(tiny, rollback):
    """The tiny Mamba-2/attention model: rejected n-gram drafts are undone in the recurrent
    state too (n_rs_seq in place, or a checkpoint)."""
    e = LlamaEngine(tiny["target"], n_ctx=512, threads=1, calibrate=False, ngram=True,
                    ngram_min=1, rollback=rollback, k_max=4)
    assert e.target.mode == rollback and e.draft is None
    try:
        rounds = 0
        for text in PROMPTS:
            prompt = e.text_prompt(text * 2)
            plain = e.complete(prompt, Request(max_tokens=40, speculative=False))
            spec = e.complete(prompt, Request(max_tokens=40, draft="ngram", k=3))
            assert spec.tokens == plain.tokens, text
            rounds += spec.spec["rounds"]
        assert rounds > 10
    finally:
        e.close()


def test_request_checks_the_draft_source_and_k(tiny):
    e = LlamaEngine(tiny["target"], n_ctx=256, threads=1, calibrate=False, ngram=True)
    try:
        prompt = e.text_prompt("abc")
        with pytest.raises(RequestError, match="draft must be one of"):
            e.complete(prompt, Request(draft="psychic"))
        with pytest.raises(RequestError, match="k must be"):
            e.complete(prompt, Request(k=-1))
        # asking for the draft model where there is none: plain decoding, no error
        out = e.complete(prompt, Request(max_tokens=5, draft="model"))
        assert out.completion_tokens == 5 and out.spec is None
    finally:
        e.close()


# -- sampling: the target's distribution ------------------------------------------------------------


@pytest.mark.slow
def test_sampled_ngram_output_follows_the_targets_distribution(tiny):
    """Any deterministic proposal must leave the target's distribution unchanged. The tiny
    random model rarely repeats its prompt, so the index is given the most likely path (a
    proposal that is accepted often and rejected often) in place of its lookups; k = 2."""
    e = LlamaEngine(tiny["target"], n_ctx=256, threads=1, calibrate=False, ngram=True,
                    rollback="rs", k_max=4)
    prompt = e.text_prompt("ab")
    exact = exact_joint(tiny["target"], prompt, N_TOKENS)
    mode = max(exact, key=exact.get)
    assert len(mode) == N_TOKENS and 0.05 < exact[mode] < 0.9
    index = e.ngram

    def propose(k: int) -> list[int]:
        done = len(index.tokens) - len(prompt)
        return list(mode[done:done + k])

    index.propose = propose
    samples = []
    drafted = accepted = 0
    try:
        for i in range(N_SAMPLES):
            c = e.complete(prompt, Request(max_tokens=N_TOKENS, temperature=TEMP, top_p=TOP_P,
                                           draft="ngram", k=2, seed=i))
            samples.append(tuple(c.tokens[:N_TOKENS]))
            drafted += c.spec["drafted"]
            accepted += c.spec["accepted"]
    finally:
        e.close()
    assert drafted >= N_SAMPLES and 0.1 < accepted / drafted < 0.95   # both branches, often
    p = chi_square_p(samples, exact)
    assert p > ALPHA, f"chi-square p={p:.2e}: n-gram speculative sampling is not the target's"
