"""Exact rollback of rejected draft tokens on a hybrid (Mamba-2 + attention) model.

After a round keeps the verified token and m of k drafts, the state must be the state of a
context that only ever saw the kept tokens: the logits of the next token are compared with
such a fresh context (F32 KV cache, so the only differences left are from batch shapes, far
below the tolerance) and, to show the comparison can fail, with a context that also saw the
rejected tokens.
"""

from __future__ import annotations

import numpy as np
import pytest

from vaani.errors import EngineError
from vaani.llm.native import ContextParams, LlamaContext, LlamaModel
from vaani.llm.sequence import Sequence

K = 5
DRAFTS = [10, 200, 30, 140, 50]
T, Y = 100, 77
TOL = 1e-4


@pytest.fixture(scope="module")
def model(tiny):
    m = LlamaModel(tiny["target"])
    assert m.recurrent and m.architecture == "nemotron_h"
    yield m
    m.close()


def context(model, mode: str) -> LlamaContext:
    return LlamaContext(model, ContextParams(
        n_ctx=256, n_threads=1, kv_f32=True, n_rs_seq=K if mode == "rs" else 0,
        n_seq_max=2 if mode == "fork" else 1, kv_unified=mode == "fork"))


def reference(model, prompt, seen: list[int]) -> np.ndarray:
    ctx = context(model, "checkpoint")
    try:
        ctx.decode(prompt, 0, n_logits=0)
        ctx.decode(seen, len(prompt), n_logits=0)
        return ctx.decode([Y], len(prompt) + len(seen))[-1]
    finally:
        ctx.close()


@pytest.mark.parametrize("mode", ["rs", "checkpoint", "fork"])
def test_logits_after_rollback_equal_a_context_that_saw_only_the_kept_tokens(model, mode):
    prompt = model.tokenize("नमस्ते, hello")
    ctx = context(model, mode)
    seq = Sequence(ctx, mode)
    if mode == "rs":
        assert ctx.n_rs_seq == K
    try:
        for m in range(K + 1):
            seq.reset()
            seq.feed(prompt, 0)
            seq.begin()
            if mode == "fork":                 # a draft decodes one token at a time
                for tok in [T] + DRAFTS:
                    seq.step([tok])
            else:                              # a target verifies all in one batch
                seq.step([T] + DRAFTS, K + 1)
            seq.keep(1 + m)
            assert seq.tokens + seq.pending == prompt + [T] + DRAFTS[:m]
            got = seq.feed([Y])[-1]
            assert seq.tokens == prompt + [T] + DRAFTS[:m] + [Y]
            want = reference(model, prompt, [T] + DRAFTS[:m])
            assert np.abs(got - want).max() < TOL, (mode, m)
            if m < K:                          # the rejected tokens would have shown
                unrolled = reference(model, prompt, [T] + DRAFTS)
                assert np.abs(got - unrolled).max() > 100 * TOL
    finally:
        ctx.close()


def test_rs_refuses_the_rollbacks_that_llama_cpp_gets_wrong(model):
    """seq_rm returns true but leaves wrong state when it removes every token of the last
    decode, or reaches back past a single-token decode: Sequence must refuse both."""
    prompt = model.tokenize("hello")
    ctx = context(model, "rs")
    try:
        seq = Sequence(ctx, "rs")
        seq.feed(prompt, 0)
        seq.begin()
        seq.step([T] + DRAFTS[:3], 4)
        with pytest.raises(EngineError, match="outside the last decode"):
            seq.keep(0)                        # would drop the whole multi-token decode
        seq.keep(4)
        seq.begin()
        seq.step([T, 5, 6], 3)
        seq.step([7], 1)                       # a single-token decode on top
        with pytest.raises(EngineError, match="outside the last decode"):
            seq.keep(2)
    finally:
        ctx.close()


def test_rs_is_unavailable_without_snapshots(model):
    ctx = context(model, "checkpoint")          # n_rs_seq = 0
    try:
        with pytest.raises(EngineError, match="n_rs_seq"):
            Sequence(ctx, "rs")
    finally:
        ctx.close()


@pytest.mark.parametrize("mode", ["rs", "checkpoint"])
def test_prompt_reuse_on_a_recurrent_model_is_exact(model, mode):
    """A new prompt sharing a prefix with the last one restores a snapshot of the shared part
    (recurrent state cannot be trimmed): its logits equal a fresh prefill's."""
    ctx = context(model, mode)
    system = model.tokenize("You are VAANI, a helpful assistant. ")
    try:
        seq = Sequence(ctx, mode)
        seq.prefill(system + model.tokenize("What time is it?"))
        seq.feed([T, 5, 6])
        seq.prefill(system + model.tokenize("Tell me a joke"))   # snapshot at the split
        p3 = system + model.tokenize("नमस्ते!")
        got = seq.prefill(p3)[-1]
        assert seq.tokens == p3
        fresh = context(model, "checkpoint")
        want = fresh.decode(p3, 0)[-1]
        fresh.close()
        assert np.abs(got - want).max() < TOL
    finally:
        ctx.close()
