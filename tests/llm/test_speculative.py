"""Speculative decoding is lossless: greedy output is token-for-token the target's, and
sampled output follows the target's distribution (chi-square test)."""

from __future__ import annotations

import pytest

from tests.llm.conftest import PROMPTS
from vaani.errors import ConfigError
from vaani.llm import LlamaEngine, Request, sampling
from vaani.llm.native import ContextParams, LlamaContext

PAIRS = [("rs", "fork"), ("checkpoint", "checkpoint"), ("rs", "checkpoint"),
         ("checkpoint", "fork")]


def favour_drafting(e: LlamaEngine) -> None:
    """Make the cost model see drafting as nearly free, so that the adaptive policy always
    drafts (the tiny draft costs as much as the tiny target: on its own the policy would
    rightly decode without it). Set again before every call: real timings update it."""
    e.policy.draft_cost = 0.01
    e.policy.batch_cost = {n: 1.0 + 0.05 * (n - 1) for n in range(1, 16)}


def engine(tiny, rollback, draft_rollback, draft="draft", **kw) -> LlamaEngine:
    kw.setdefault("k_max", 6)
    if kw.get("k_fixed"):
        kw.setdefault("p_min", 0.0)        # exactly k drafts every round
    return LlamaEngine(tiny["target"], draft=tiny[draft], n_ctx=512, threads=1,
                       rollback=rollback, draft_rollback=draft_rollback, calibrate=False, **kw)


@pytest.mark.parametrize("rollback,draft_rollback", PAIRS)
def test_greedy_is_token_for_token_the_targets_on_a_hybrid_pair(tiny, rollback, draft_rollback):
    # p_min low: the random draft is rarely sure of itself, but sometimes
    e = engine(tiny, rollback, draft_rollback, p_min=0.12)
    assert (e.target.mode, e.draft.mode) == (rollback, draft_rollback)
    drafted = accepted = 0
    ks: set[str] = set()
    try:
        for text in PROMPTS:
            prompt = e.text_prompt(text)
            plain = e.complete(prompt, Request(max_tokens=48, speculative=False))
            favour_drafting(e)
            spec = e.complete(prompt, Request(max_tokens=48))
            assert spec.tokens == plain.tokens, text
            ks.update(spec.spec["k_hist"])
            assert spec.text == plain.text
            drafted += spec.spec["drafted"]
            accepted += spec.spec["accepted"]
        # the draft agrees often but not always: rounds end at every kind of place
        assert 0.15 < accepted / drafted < 0.95
        assert len(ks) > 2                     # the adaptive k and p_min vary the draft length
    finally:
        e.close()


def test_greedy_with_a_sampling_draft_still_equals_greedy_target(tiny):
    """q is not one-hot: rejections and residuals happen, the output must not change."""
    e = engine(tiny, "rs", "fork", draft="target", k_fixed=3)
    try:
        for text in PROMPTS[:2]:
            prompt = e.text_prompt(text)
            plain = e.complete(prompt, Request(max_tokens=40, speculative=False))
            spec = e.complete(prompt, Request(max_tokens=40, draft_temperature=1.0, seed=3))
            assert spec.tokens == plain.tokens
            assert spec.spec["accepted"] < spec.spec["drafted"]
    finally:
        e.close()


def test_identical_draft_accepts_everything_and_adds_bonus_tokens(tiny):
    e = engine(tiny, "rs", "fork", draft="target", k_fixed=4)
    try:
        prompt = e.text_prompt(PROMPTS[2])      # runs past 41 tokens without an end token
        spec = e.complete(prompt, Request(max_tokens=41))
        plain = e.complete(prompt, Request(max_tokens=41, speculative=False))
        assert spec.tokens == plain.tokens and len(spec.tokens) == 41
        assert spec.spec["acceptance_rate"] == 1.0
        assert spec.spec["rounds"] == 8       # 1 token from the prompt, then 8 rounds of 4+1
    finally:
        e.close()


def test_max_tokens_and_stop_strings_with_a_draft(tiny):
    e = engine(tiny, "rs", "fork", k_fixed=3)
    try:
        prompt = e.text_prompt(PROMPTS[2])
        for n in (1, 2, 3, 7, 20):
            out = e.complete(prompt, Request(max_tokens=n))
            assert out.completion_tokens == n and out.finish_reason == "length"
        full = e.complete(prompt, Request(max_tokens=30, speculative=False)).text
        stop = full[10:13]
        out = e.complete(prompt, Request(max_tokens=30, stop=[stop]))
        assert out.finish_reason == "stop" and out.text == full[:full.index(stop)]
        assert out.spec["rounds"] > 0
    finally:
        e.close()


@pytest.mark.models
def test_draft_must_share_the_vocabulary(tiny, smollm2):
    with pytest.raises(ConfigError, match="vocabulary"):
        LlamaEngine(smollm2, draft=tiny["target"], n_ctx=256, threads=1, calibrate=False)



# -- sampling: the output distribution is the target's ------------------------------------------

TEMP, TOP_P = 0.4, 0.9              # target
D_TEMP, D_TOP_P = 0.25, 0.8         # draft: q != p, so acceptance and residuals matter
ALPHA = 1e-3                        # significance level of the chi-square test
MIN_EXPECTED = 20                   # cells expected less often are pooled (chi-square approximation)
N_SAMPLES = 2000
N_TOKENS = 3


def exact_joint(model_path, prompt: list[int], n: int, floor: float = 2e-4) -> dict:
    """P(first n tokens) under plain target sampling, by walking the tree of prefixes
    (a prefix ending in the end token is a whole output)."""
    from vaani.llm.native import LlamaModel

    model = LlamaModel(model_path)
    ctx = LlamaContext(model, ContextParams(n_ctx=256, n_threads=1))
    out: dict[tuple[int, ...], float] = {}

    def walk(prefix: tuple[int, ...], prob: float) -> None:
        if len(prefix) == n or (prefix and model.is_eog(prefix[-1])):
            out[prefix] = prob
            return
        ctx.clear()
        logits = ctx.decode(prompt + list(prefix), 0)[-1]
        d = sampling.distribution(logits, TEMP, TOP_P)
        for tok, p in zip(d.ids.tolist(), d.probs.tolist()):
            if prob * p >= floor:
                walk(prefix + (tok,), prob * p)

    walk((), 1.0)
    ctx.close()
    model.close()
    return out


def chi_square_p(samples: list[tuple[int, ...]], exact: dict) -> float:
    from scipy.stats import chi2

    counts: dict = {}
    for s in samples:
        counts[s] = counts.get(s, 0) + 1
    n = len(samples)
    cells = [k for k, p in exact.items() if p * n >= MIN_EXPECTED]
    obs = [counts.get(k, 0) for k in cells]
    exp = [exact[k] * n for k in cells]
    rest_obs, rest_exp = n - sum(obs), n - sum(exp)   # everything else in one cell
    if rest_exp > 1e-6:
        obs.append(rest_obs)
        exp.append(rest_exp)
    elif rest_obs:
        return 0.0                               # outputs the target never gives
    stat = sum((o - e) ** 2 / e for o, e in zip(obs, exp))
    return float(chi2.sf(stat, len(obs) - 1))


def speculative_samples(e: LlamaEngine, prompt: list[int]) -> list[tuple[int, ...]]:
    out = []
    for i in range(N_SAMPLES):
        c = e.complete(prompt, Request(max_tokens=N_TOKENS, temperature=TEMP, top_p=TOP_P,
                                       draft_temperature=D_TEMP, draft_top_p=D_TOP_P, seed=i))
        out.append(tuple(c.tokens[:N_TOKENS]))
    return out


@pytest.fixture(scope="module")
def joint(tiny):
    e = LlamaEngine(tiny["target"], n_ctx=256, threads=1)
    prompt = e.text_prompt("ab")
    e.close()
    return prompt, exact_joint(tiny["target"], prompt, N_TOKENS)


@pytest.mark.slow
@pytest.mark.parametrize("rollback,draft_rollback", [("rs", "fork"), ("checkpoint", "checkpoint")])
def test_sampled_output_follows_the_targets_distribution(tiny, joint, rollback, draft_rollback):
    prompt, exact = joint
    e = engine(tiny, rollback, draft_rollback, k_fixed=2)
    try:
        samples = speculative_samples(e, prompt)
    finally:
        e.close()
    p = chi_square_p(samples, exact)
    assert p > ALPHA, f"chi-square p={p:.2e}: speculative sampling is not the target's"


@pytest.mark.slow
@pytest.mark.parametrize("bug", ["accept_all", "resample_from_p"])
def test_the_chi_square_test_catches_a_biased_sampler(tiny, joint, monkeypatch, bug):
    """Classic bugs (accepting every draft token; resampling from p instead of the residual
    after a rejection) must fail the same test."""
    prompt, exact = joint
    if bug == "accept_all":
        monkeypatch.setattr(sampling, "accept", lambda p, q, token, rng: True)
    else:
        monkeypatch.setattr(sampling, "residual", lambda p, q: p)
    e = engine(tiny, "rs", "fork", k_fixed=2)
    try:
        samples = speculative_samples(e, prompt)
    finally:
        e.close()
    assert chi_square_p(samples, exact) < ALPHA
