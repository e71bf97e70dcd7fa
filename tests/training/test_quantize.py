"""INT4 quantization through llama.cpp's own quantizer: Q4_K_M and Q4_0 files load, quantize
every matrix (no fallbacks: Chimera's rows are multiples of 256), and a trained model keeps
its validation perplexity within 10% of the F16 export."""

from __future__ import annotations

import pytest

from training import pretrain
from training.eval import gguf_bpb, load_llama
from training.export import byte_tokenizer, load_checkpoint_model, write_gguf
from training.quantize import quantize, tensor_types


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A width-256 Chimera (pattern M-*-) trained briefly on the synthetic byte corpus."""
    d = tmp_path_factory.mktemp("q")
    pretrain.main(["--depth", "2", "--data", "synthetic", "--seq", "64", "--batch", "8",
                   "--steps", "50", "--warmup", "10", "--lr", "4e-3", "--eval-every", "0",
                   "--ckpt-every", "50", "--log-every", "20", "--threads", "2", "--nice", "0",
                   "--out", str(d / "run")])
    model = load_checkpoint_model(d / "run" / "ckpt.pt")
    f16 = write_gguf(model, d / "m-f16.gguf", byte_tokenizer(), dtype="f16")
    return d, f16


@pytest.mark.slow
@pytest.mark.parametrize("qtype,qname", [("q4_k_m", "Q4_K"), ("q4_0", "Q4_0")])
def test_quantized_model_loads_and_quantizes_every_matrix(trained, qtype, qname):
    d, f16 = trained
    q = quantize(f16, d / f"m-{qtype}.gguf", qtype)
    assert q.stat().st_size < 0.45 * f16.stat().st_size
    types = tensor_types(q)
    mats = {n: t for n, t in types.items()
            if n.endswith(("ssm_in.weight", "ssm_out.weight", "attn_q.weight",
                           "attn_output.weight", "ffn_up.weight", "ffn_down.weight"))}
    assert mats and all(t in (qname, "Q6_K", "Q5_K", "Q4_1") for t in mats.values()), mats
    assert sum(t == qname for t in mats.values()) >= len(mats) // 2
    assert types["blk.0.ssm_conv1d.weight"] == "F32" and types["blk.0.ssm_a"] == "F32"
    llm = load_llama(q, n_ctx=128, threads=2)
    out = llm.create_completion("the timer ", max_tokens=12, temperature=0.0)
    llm.close()
    assert out["choices"][0]["text"]


@pytest.mark.slow
def test_q4_k_m_perplexity_within_10_percent_of_f16(trained):
    d, f16 = trained
    corpus = pretrain.synthetic_corpus()
    q = d / "m-q4_k_m.gguf"
    if not q.exists():
        quantize(f16, q, "q4_k_m")
    ref = gguf_bpb(f16, corpus.val, corpus.token_bytes, n_ctx=256, max_tokens=2048)
    got = gguf_bpb(q, corpus.val, corpus.token_bytes, n_ctx=256, max_tokens=2048)
    for lang in ("hi", "en", "hinglish"):
        assert ref[lang]["ppl"] < 6.0                  # trained: far below 258 (uniform)
        assert got[lang]["ppl"] <= 1.10 * ref[lang]["ppl"], (lang, ref[lang], got[lang])


def test_unknown_type_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="qtype"):
        quantize(tmp_path / "a.gguf", tmp_path / "b.gguf", "q3_weird")
    with pytest.raises(FileNotFoundError):
        quantize(tmp_path / "missing.gguf", tmp_path / "b.gguf", "q4_0")
