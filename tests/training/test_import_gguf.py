"""Reading a Chimera GGUF back into PyTorch (training.import_gguf): every tensor of an F32
export comes back exactly, the config comes back from the file's keys, and the shipped INT4
model, dequantized, computes in PyTorch what llama.cpp computes from the same file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from training.export import random_tiny_model, write_gguf, byte_tokenizer, write_random_tiny_gguf
from training.import_gguf import import_gguf, main

REPO = Path(__file__).resolve().parents[2]
V1 = REPO / "models" / "chimera" / "chimera-q4_k_m.gguf"


@pytest.mark.parametrize("overrides", [{}, {"pattern": "M-*-", "tie_embeddings": False}])
def test_an_f32_export_comes_back_exactly(tmp_path, overrides):
    path = tmp_path / "tiny.gguf"
    model = write_random_tiny_gguf(path, seed=5, dtype="f32", **overrides)
    back, info = import_gguf(path)
    assert back.cfg == model.cfg.replace(chunk_size=back.cfg.chunk_size)
    want, got = model.state_dict(), back.state_dict()
    assert want.keys() == got.keys()
    for k in want:
        tol = 1e-6 if k.endswith("A_log") else 0.0        # stored as -exp(A_log)
        assert torch.allclose(want[k], got[k], rtol=0, atol=tol), k
    assert info["tensor_types"] == {"F32": len(want)}


def test_f16_export_comes_back_within_f16_rounding(tmp_path):
    model = random_tiny_model(seed=3)
    path = write_gguf(model, tmp_path / "tiny-f16.gguf", byte_tokenizer(), dtype="f16")
    back, _ = import_gguf(path)
    w, g = model.blocks[0].mixer.in_proj.weight, back.blocks[0].mixer.in_proj.weight
    assert not torch.equal(w, g) and torch.allclose(w, g, rtol=1e-3, atol=1e-4)


@pytest.mark.skipif(not V1.is_file(), reason="the shipped Chimera GGUF is not in models/")
def test_the_shipped_int4_model_computes_what_llama_cpp_computes(tmp_path):
    from training import tokenizer as tok_mod
    from training.eval import llama_logits, load_llama

    model, info = import_gguf(V1)
    assert model.cfg.depth == 8 and model.cfg.norm_eps == 1e-5     # the named "chimera" size
    assert info["tensor_types"].get("Q4_K", 0) > 0
    ids = tok_mod.load().encode("भारत की राजधानी नई दिल्ली है। What time is it?")
    with torch.no_grad():
        ours = model(torch.tensor([ids]))[0].numpy()
    llm = load_llama(V1, n_ctx=128, threads=2, logits_all=True)
    theirs = llama_logits(llm, ids)
    llm.close()
    assert (ours.argmax(-1) == theirs.argmax(-1)).mean() > 0.95
    assert np.abs(ours - theirs).max() < 0.05 * np.abs(theirs).max()
    # the command writes a checkpoint that --init-from reads
    out = tmp_path / "v1" / "ckpt.pt"
    main([str(V1), "--out", str(out)])
    from training.align import load_model
    again = load_model(out, "cpu")
    assert torch.equal(again.embed.weight, model.embed.weight)
    assert (out.parent / "config.json").is_file()


def test_a_file_that_is_not_chimera_is_refused(tmp_path):
    import gguf

    path = tmp_path / "llama.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(1)
    w.add_tensor("token_embd.weight", np.zeros((4, 8), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with pytest.raises(ValueError, match="architecture is 'llama'"):
        import_gguf(path)
