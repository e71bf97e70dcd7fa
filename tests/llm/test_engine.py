"""The llama-cpp engine on SmolLM2-135M (a real transformer GGUF): the assistant's LLM stage."""

from __future__ import annotations

import threading
import time

from pathlib import Path

import pytest

from tests.llm.conftest import PROMPTS
from vaani import config as config_mod
from vaani.engines import EngineContext, LlmEngine
from vaani.errors import ConfigError
from vaani.llm import LlamaEngine, Request
from vaani.plugins import PluginHost

pytestmark = pytest.mark.models

CHAT = [{"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Name three fruits."}]


@pytest.fixture(scope="module")
def smol(smollm2):
    e = LlamaEngine(smollm2, n_ctx=1024, threads=1)
    yield e
    e.close()


def test_plugin_builds_the_engine_from_config(smollm2):
    from vaani.models import ModelStore

    config = config_mod.from_dict({"llm": {"model": str(smollm2), "context": 512, "threads": 1,
                                           "options": {"k_max": 4}}})
    host = PluginHost(config)
    host.load()
    ctx = EngineContext(config=config, models=ModelStore.from_config(config),
                        options=config.llm.options, model=config.llm.model)
    engine = host.create_engine("llm", "llama-cpp", ctx)
    try:
        assert isinstance(engine, LlmEngine)
        assert engine.n_ctx == 512 and engine.draft is None
        pieces = list(engine.process(CHAT, max_tokens=12))
        assert pieces and all(isinstance(p, str) for p in pieces)
    finally:
        engine.close()
    bad = EngineContext(config=config, models=ModelStore.from_config(config),
                        options={"k_maxx": 3}, model=str(smollm2))
    with pytest.raises(ConfigError, match="k_maxx"):
        host.create_engine("llm", "llama-cpp", bad)


def test_chat_template_comes_from_the_gguf(smol):
    prompt = smol.chat_prompt(CHAT)
    text = b"".join(smol.model.piece(t, special=True) for t in prompt).decode()
    assert text.startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>")
    assert text.endswith("<|im_start|>assistant\n")


def test_streams_pieces_and_stops_at_the_end_token(smol):
    pieces = list(smol.process(CHAT, max_tokens=200))
    assert len(pieces) > 3
    assert smol.last.finish_reason == "stop" and smol.last.completion_tokens < 200
    assert "".join(pieces) == smol.last.text
    assert smol.model.is_eog(smol.last.tokens[-1])


def test_max_tokens_and_stop_strings(smol):
    out = smol.complete(smol.chat_prompt(CHAT), Request(max_tokens=5))
    assert out.completion_tokens == 5 and out.finish_reason == "length"
    full = smol.complete(smol.chat_prompt(CHAT), Request(max_tokens=40)).text
    word = full.split()[2]
    out = smol.complete(smol.chat_prompt(CHAT), Request(max_tokens=40, stop=[word]))
    assert out.finish_reason == "stop" and word not in out.text
    assert full.startswith(out.text)


def test_seed_makes_sampling_reproducible(smol):
    req = dict(max_tokens=24, temperature=1.0, top_p=0.95)
    a = smol.complete(smol.chat_prompt(CHAT), Request(seed=11, **req))
    b = smol.complete(smol.chat_prompt(CHAT), Request(seed=11, **req))
    c = smol.complete(smol.chat_prompt(CHAT), Request(seed=12, **req))
    assert a.tokens == b.tokens
    assert a.tokens != c.tokens


def test_cancel_stops_between_tokens(smol):
    cancel = threading.Event()
    got = []
    for piece in smol.process(CHAT, max_tokens=200, temperature=0.8, seed=1, cancel=cancel):
        got.append(piece)
        cancel.set()
    assert len(smol.last.tokens) <= 2 and smol.last.finish_reason == "cancelled"
    # and the engine is fine afterwards
    assert smol.complete(smol.chat_prompt(CHAT), Request(max_tokens=3)).completion_tokens == 3


def test_prompt_cache_reuses_the_shared_prefix(smol):
    """A follow-up prompt only decodes what is new (the KV prefix is kept)."""
    smol.complete(smol.chat_prompt(CHAT), Request(max_tokens=4))
    calls = []
    orig = smol.ctx.decode
    smol.ctx.decode = lambda toks, *a, **k: (calls.append(len(toks)), orig(toks, *a, **k))[1]
    try:
        chat2 = CHAT[:1] + [{"role": "user", "content": "Name three colours."}]
        cold = smol.complete(smol.chat_prompt(chat2), Request(max_tokens=1))
    finally:
        del smol.ctx.decode
    assert calls[0] < cold.prompt_tokens - 10


def test_hindi_prompt_round_trips_utf8(smol):
    out = smol.complete(smol.chat_prompt([{"role": "user", "content": PROMPTS[1]}]),
                        Request(max_tokens=30))
    assert "\ufffd" not in out.text


def test_requests_are_served_one_at_a_time_in_order(smol):
    order = []

    def client(i: int) -> None:
        out = smol.complete(smol.chat_prompt(CHAT), Request(max_tokens=6, temperature=0.0))
        order.append((i, out.text))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(3)]
    for i, t in enumerate(threads):
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(60)
    assert len(order) == 3 and len({text for _, text in order}) == 1   # no corrupted state


def test_bad_requests(smol):
    with pytest.raises(ValueError, match="context"):
        list(smol.stream(list(range(100, 100 + smol.n_ctx)), Request(max_tokens=1)))
    with pytest.raises(ValueError, match="max_tokens"):
        list(smol.stream([1, 2], Request(max_tokens=-1)))
    with pytest.raises(ValueError, match="top_p"):
        list(smol.stream([1, 2], Request(top_p=0.0)))


# -- a transformer draft/target pair ---------------------------------------------------------

@pytest.fixture(scope="module")
def smol_pair(smollm2):
    # a fixed k: the cost model would rightly decode without a draft as costly as the target
    e = LlamaEngine(smollm2, draft=smollm2, n_ctx=1024, threads=1, k_max=4, k_fixed=3,
                    p_min=0.0, calibrate=False)
    yield e
    e.close()


@pytest.mark.parametrize("draft_temperature", [0.0, 1.0])
def test_transformer_pair_greedy_is_the_targets(smol_pair, draft_temperature):
    """Same GGUF as draft: with a greedy draft everything is accepted; with a sampling draft
    (q != p) tokens are rejected and resampled, and the output must not change."""
    e = smol_pair
    assert (e.target.mode, e.draft.mode) == ("kv", "kv")
    for text in PROMPTS[:2]:
        prompt = e.chat_prompt([{"role": "user", "content": text}])
        plain = e.complete(prompt, Request(max_tokens=32, speculative=False))
        spec = e.complete(prompt, Request(max_tokens=32, draft_temperature=draft_temperature,
                                          seed=5))
        assert spec.tokens == plain.tokens, text
        if draft_temperature == 0.0:
            assert spec.spec["acceptance_rate"] == 1.0
        else:
            assert spec.spec["accepted"] < spec.spec["drafted"]


def test_loads_and_generates_with_the_network_blocked(smollm2):
    from vaani.offline import block_network

    with block_network() as guard:
        e = LlamaEngine(smollm2, n_ctx=256, threads=1)
        try:
            assert "".join(e.process(CHAT, max_tokens=4))
        finally:
            e.close()
    assert guard.attempts == []


def test_verification_batches_are_bit_exact_on_this_quantization(smol):
    """Greedy speculative output equals plain output only if a batch's logits equal
    single-token logits: true for Q4_0/Q4_1/Q8_0 on llama.cpp's CPU kernels (K-quants are
    not; the engine warns about those)."""
    from vaani.llm.engine import batch_invariance

    assert batch_invariance(smol.target, 6) == 0.0


def test_auto_threads_one_for_a_small_model_all_cores_for_a_big_one():
    from vaani.llm.native import SMALL_MODEL_BYTES, default_threads

    assert default_threads(0, 8_000_000) == 1                 # Chimera-sized
    assert default_threads(0, SMALL_MODEL_BYTES * 4) >= 1
    assert default_threads(3, 8_000_000) == 3                 # an explicit count wins


def test_a_prompt_too_long_for_the_context_drops_old_turns_then_unrelated_tools():
    """Chimera's context is 512 tokens: with every plugin's tools offered, a question must
    still be answered, keeping the tool it is about (the overflow was an 'llm failed')."""
    from vaani.llm.engine import LlamaEngine

    path = Path(__file__).resolve().parents[2] / "models" / "chimera" / "chimera-q4_k_m.gguf"
    if not path.is_file():
        pytest.skip("the shipped Chimera GGUF is not in models/")
    e = LlamaEngine(path, n_ctx=512, threads=1)
    try:
        tools = [{"type": "function", "function": {
            "name": f"gadget_{i}", "description": f"Controls household gadget number {i} "
            "(brightness, colour, schedule and power state).",
            "parameters": {"type": "object", "properties": {"level": {"type": "integer"}}}}}
            for i in range(40)]
        tools.insert(5, {"type": "function", "function": {
            "name": "timer", "description": "Start a countdown timer.",
            "parameters": {"type": "object", "properties": {"minutes": {"type": "number"}}}}})
        messages = [{"role": "system", "content": "You are VAANI."},
                    {"role": "user", "content": "hello " * 150},
                    {"role": "assistant", "content": "Hello! " * 20},
                    {"role": "user", "content": "set a timer for five minutes"}]
        assert len(e.chat_prompt(messages, tools)) > 512
        prompt = e.fitting_prompt(messages, tools, reserve=64)
        assert len(prompt) <= 512 - 64
        text = b"".join(e.model.piece(t, special=True) for t in prompt).decode("utf-8", "replace")
        assert "timer(minutes)" in text and "set a timer for five minutes" in text
        assert "hello hello" not in text and "You are VAANI." in text
        out = "".join(e.process(messages, max_tokens=8, tools=tools))
        assert isinstance(out, str)
        # a prompt that fits is left as it is
        short = [{"role": "user", "content": "hi"}]
        assert e.fitting_prompt(short, tools[:2]) == e.chat_prompt(short, tools[:2])
    finally:
        e.close()
