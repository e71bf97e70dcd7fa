"""GGUF export: llama.cpp (llama-cpp-python 0.3.36) runs our nemotron_h file and computes
what PyTorch computes: logits within 1e-3 relative error (F32 weights, F32 KV cache, flash
attention off, as shared/design/chimera-gguf.md prescribes) and the same greedy tokens."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from training.eval import llama_logits, load_llama
from training.export import (byte_tokenizer, gguf_tensors, random_tiny_model, write_gguf,
                             write_random_tiny_gguf)

REQUIRED = {
    "M": {"attn_norm.weight", "ssm_in.weight", "ssm_conv1d.weight", "ssm_conv1d.bias",
          "ssm_dt.bias", "ssm_a", "ssm_d", "ssm_norm.weight", "ssm_out.weight"},
    "*": {"attn_norm.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight",
          "attn_output.weight"},
    "-": {"attn_norm.weight", "ffn_up.weight", "ffn_down.weight"},
}


@pytest.fixture(scope="module")
def f32_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("gguf") / "tiny-f32.gguf"
    model = write_random_tiny_gguf(path, seed=11, dtype="f32")
    llm = load_llama(path, n_ctx=256, threads=2, logits_all=True, exact=True)
    yield model, llm, path
    llm.close()


def test_f32_logits_match_pytorch(f32_model):
    model, llm, _ = f32_model
    toks = np.random.default_rng(0).integers(0, 257, 120).tolist()
    got = llama_logits(llm, toks)
    with torch.no_grad():
        ref = model(torch.tensor([toks]))[0].numpy()
    rel = np.linalg.norm(got - ref) / np.linalg.norm(ref)
    assert rel <= 1e-3
    assert np.abs(got - ref).max() <= 1e-3 * np.abs(ref).max()
    assert (got.argmax(-1) == ref.argmax(-1)).mean() > 0.99


def test_same_greedy_continuation_for_32_tokens(f32_model):
    model, llm, _ = f32_model
    prompt = list(b"the timer is set for ")
    ours = model.generate(torch.tensor([prompt]), 32)[0].tolist()
    llm.reset()
    theirs = []
    for tok in llm.generate(prompt, top_k=1, temp=0.0, reset=True):
        theirs.append(tok)
        if len(theirs) == 32:
            break
    assert theirs == ours
    assert len(set(ours)) > 1                          # not a degenerate constant output


def test_exactly_the_required_tensors_and_keys(f32_model):
    import gguf

    model, _, path = f32_model
    r = gguf.GGUFReader(str(path))
    names = {t.name for t in r.tensors}
    want = {"token_embd.weight", "output_norm.weight"}
    for i, kind in enumerate(model.cfg.pattern):
        want |= {f"blk.{i}.{n}" for n in REQUIRED[kind]}
    assert names == want                               # tied output: no output.weight
    shapes = {t.name: tuple(int(d) for d in t.shape) for t in r.tensors}   # ggml order
    c = model.cfg
    assert shapes["blk.0.ssm_in.weight"] == (c.n_embd, 2 * c.d_inner + 2 * c.n_groups * c.d_state
                                             + c.ssm_heads)
    assert shapes["blk.0.ssm_conv1d.weight"] == (c.d_conv, c.conv_dim)
    assert shapes["blk.0.ssm_a"] == (1, c.ssm_heads)
    assert shapes["blk.0.ssm_norm.weight"] == (c.d_inner // c.n_groups, c.n_groups)
    f = r.fields
    kv = [int(f["nemotron_h.attention.head_count_kv"].parts[i][0])
          for i in f["nemotron_h.attention.head_count_kv"].data]
    assert kv == [c.n_head_kv if k == "*" else 0 for k in c.pattern]
    assert int(f["nemotron_h.ssm.time_step_rank"].parts[-1][0]) == c.ssm_heads
    assert int(f["nemotron_h.context_length"].parts[-1][0]) == c.context_length


def test_f16_export_keeps_small_tensors_f32_and_stays_close(tmp_path):
    import gguf

    model = random_tiny_model(seed=5)
    path = write_gguf(model, tmp_path / "tiny-f16.gguf", byte_tokenizer(), dtype="f16")
    types = {t.name: t.tensor_type.name for t in gguf.GGUFReader(str(path)).tensors}
    for name, t in types.items():
        small = any(s in name for s in ("norm", "conv1d", "ssm_a", "ssm_d", "dt.bias"))
        assert t == ("F32" if small else "F16"), name
    llm = load_llama(path, n_ctx=128, threads=2, logits_all=True, exact=True)
    toks = list(range(40, 100))
    got = llama_logits(llm, toks)
    llm.close()
    with torch.no_grad():
        ref = model(torch.tensor([toks]))[0].numpy()
    assert np.linalg.norm(got - ref) / np.linalg.norm(ref) < 2e-2


def test_random_tiny_gguf_is_deterministic_and_untied_works(tmp_path):
    a = write_random_tiny_gguf(tmp_path / "a.gguf", seed=2)
    b = write_random_tiny_gguf(tmp_path / "b.gguf", seed=2)
    assert (tmp_path / "a.gguf").read_bytes() == (tmp_path / "b.gguf").read_bytes()
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                  b.state_dict().values()))
    m = write_random_tiny_gguf(tmp_path / "u.gguf", seed=3, pattern="M-*-",
                               tie_embeddings=False)
    assert "output.weight" in [n for n, _, _ in gguf_tensors(m)]
    llm = load_llama(tmp_path / "u.gguf", n_ctx=64, threads=1, logits_all=True, exact=True)
    got = llama_logits(llm, [1, 2, 3, 4, 5])
    llm.close()
    with torch.no_grad():
        ref = m(torch.tensor([[1, 2, 3, 4, 5]]))[0].numpy()
    assert np.linalg.norm(got - ref) / np.linalg.norm(ref) < 1e-3


def test_vocab_mismatch_is_refused(tmp_path):
    model = random_tiny_model(seed=1, vocab_size=300)
    with pytest.raises(ValueError, match="vocab"):
        write_gguf(model, tmp_path / "x.gguf", byte_tokenizer(), dtype="f32")


def _project_tokenizer_or_skip():
    from training import tokenizer as tok_mod

    try:
        return tok_mod.load()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


def test_export_with_the_project_tokenizer_and_chat_template(tmp_path):
    """Our GGUF with the real vocabulary: llama.cpp renders the chat template, tokenizes it
    like training/tokenizer.py, stops on <|end|>, and still matches PyTorch's logits."""
    from training import chat
    from training.export import project_tokenizer

    tok = _project_tokenizer_or_skip()
    gt = project_tokenizer()
    assert gt.chat_template == chat.CHAT_TEMPLATE and gt.pre == "qwen35"
    model = random_tiny_model(seed=4, vocab_size=tok.vocab_size, pattern="M*M-")
    path = write_gguf(model, tmp_path / "chimera-tok.gguf", gt, dtype="f32")
    llm = load_llama(path, n_ctx=256, threads=2, logits_all=True, exact=True)
    msgs = [{"role": "user", "content": "नमस्ते! Aaj ka mausam kaisa hai? What time is it?"}]
    ours = chat.encode_prompt(msgs, tok)
    text = chat.jinja_render(msgs, add_generation_prompt=True)
    assert llm.tokenize(text.encode("utf-8"), add_bos=False, special=True) == ours
    assert llm.token_eos() == tok.eos_id
    got = llama_logits(llm, ours)
    llm.close()
    with torch.no_grad():
        ref = model(torch.tensor([ours]))[0].numpy()
    assert np.linalg.norm(got - ref) / np.linalg.norm(ref) <= 1e-3
