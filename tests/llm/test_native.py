"""The llama.cpp layer's guard against its AMX kernel: on a CPU with AMX, llama.cpp b11312's
AMX matrix multiplication crashed the process on Chimera's first decode (SIGSEGV in
``ggml_backend_amx_mul_mat``, seen on a Sapphire Rapids Xeon), so models load there without
llama.cpp's extra buffer types."""

from __future__ import annotations

import subprocess
import sys

import pytest

from vaani.llm import native
from vaani.llm.native import LlamaModel, cpu_has_amx, open_llama


def test_cpu_has_amx_reads_the_cpu_flags(tmp_path):
    amx = tmp_path / "amx"
    amx.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f amx_bf16 amx_int8 amx_tile\n")
    plain = tmp_path / "plain"
    plain.write_text("processor\t: 0\nflags\t\t: fpu sse avx2 avx512f\n")
    assert cpu_has_amx(str(amx)) and not cpu_has_amx(str(plain))
    assert not cpu_has_amx(str(tmp_path / "missing"))


@pytest.mark.parametrize("amx", [True, False])
def test_on_an_amx_cpu_weights_are_never_handed_to_the_amx_kernel(tiny, monkeypatch, amx):
    monkeypatch.setattr(native, "cpu_has_amx", lambda: amx)
    m = LlamaModel(tiny["target"])
    try:
        assert m.repack is (not amx)
    finally:
        m.close()
    m = LlamaModel(tiny["target"], repack=False)
    try:
        assert m.repack is False
    finally:
        m.close()


@pytest.mark.parametrize("amx", [True, False])
def test_the_training_tools_llama_has_the_same_guard(tiny, monkeypatch, amx):
    import llama_cpp.llama_cpp as low

    monkeypatch.setattr(native, "cpu_has_amx", lambda: amx)
    before = low.llama_model_default_params
    llm = open_llama(tiny["target"], n_ctx=64, verbose=False)
    try:
        assert llm.model_params.use_extra_bufts is (not amx)
    finally:
        llm.close()
    assert low.llama_model_default_params is before          # the defaults are put back


def test_the_shipped_chimera_decodes_on_this_cpu(require_models):
    """In a child process, so that a crash in llama.cpp fails this test, not the run."""
    require_models("chimera")
    code = ("from vaani import config; from vaani.models import ModelStore\n"
            "from vaani.llm.native import LlamaModel, LlamaContext, ContextParams\n"
            "path = ModelStore.from_config(config.from_dict({})).file('chimera')\n"
            "m = LlamaModel(path)\n"
            "ctx = LlamaContext(m, ContextParams(n_ctx=128, n_threads=1))\n"
            "logits = ctx.decode(m.tokenize('Hello, how are you?'), 0, n_logits=4)\n"
            "print(logits.shape[-1] == m.n_vocab)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "True", (
        proc.returncode, proc.stderr[-2000:])
