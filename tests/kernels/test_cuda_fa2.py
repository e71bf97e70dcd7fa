"""The CUDA C++ FlashAttention-2 forward: compiled with nvcc everywhere (CI has nvcc but no
GPU), checked numerically where a GPU exists."""

from __future__ import annotations

import math
import shutil
import subprocess
import sysconfig

import pytest
import torch

from kernels.attention.cuda_fa2 import SOURCE_DIR
from kernels.attention.reference import attention_reference
from tests.kernels.conftest import gpu, needs_gpu

NVCC = shutil.which("nvcc")
CXX = shutil.which("g++") or shutil.which("c++")


@pytest.mark.slow
@pytest.mark.skipif(NVCC is None, reason="nvcc is not installed")
def test_kernel_compiles_for_sm80_and_sm90(tmp_path):
    cmd = [NVCC, "-c", str(SOURCE_DIR / "fa2_fwd.cu"), "-o", str(tmp_path / "fa2_fwd.o"),
           "-O3", "-std=c++17", "-Werror", "all-warnings",
           "-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=sm_90"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "fa2_fwd.o").stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.skipif(CXX is None, reason="no C++ compiler")
def test_torch_binding_compiles():
    from torch.utils.cpp_extension import include_paths

    incs = [f"-I{p}" for p in [*include_paths(), sysconfig.get_paths()["include"]]]
    cmd = [CXX, "-std=c++20", "-fsyntax-only", "-Wall", "-Werror=return-type",
           "-DTORCH_EXTENSION_NAME=vaani_fa2_fwd", *incs, str(SOURCE_DIR / "fa2_binding.cpp")]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@gpu
@needs_gpu
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("d", [64, 128])
@pytest.mark.parametrize("causal", [True, False])
def test_cuda_forward_matches_reference(dtype, d, causal):
    from kernels.attention.cuda_fa2 import flash_attention_cuda

    q = torch.randn(2, 8, 333, d, device="cuda", dtype=dtype)
    k = torch.randn(2, 2, 333, d, device="cuda", dtype=dtype)
    v = torch.randn(2, 2, 333, d, device="cuda", dtype=dtype)
    o, lse = flash_attention_cuda(q, k, v, causal=causal, return_lse=True)
    ref = attention_reference(q.double(), k.double(), v.double(), causal=causal)
    tol = 1e-5 if dtype == torch.float32 else 2e-2
    torch.testing.assert_close(o.double(), ref, atol=tol, rtol=tol)
    s = q.double() @ k.double().repeat_interleave(4, 1).transpose(-1, -2) / math.sqrt(d)
    if causal:
        s = s.masked_fill(torch.ones(333, 333, dtype=torch.bool, device="cuda").triu(1),
                          -math.inf)
    torch.testing.assert_close(lse.double(), torch.logsumexp(s, -1), atol=1e-3, rtol=1e-3)


@gpu
@needs_gpu
def test_cuda_forward_with_cache_offset():
    from kernels.attention.cuda_fa2 import flash_attention_cuda

    q = torch.randn(1, 4, 17, 64, device="cuda")
    k = torch.randn(1, 4, 130, 64, device="cuda")
    v = torch.randn(1, 4, 130, 64, device="cuda")
    ref = attention_reference(q.double(), k.double(), v.double(), causal=True)
    torch.testing.assert_close(flash_attention_cuda(q, k, v, causal=True).double(), ref,
                               atol=1e-5, rtol=1e-5)
