"""Every Triton kernel compiles to a cubin for sm_80 and sm_90 (no GPU needed): catches what
the CPU interpreter lets through (operand dtypes, MMA tile minimums, shared memory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_triton_kernels_compile_for_sm80_and_sm90(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    env.update(PYTHONPATH=str(ROOT), TRITON_CACHE_DIR=str(tmp_path / "cache"))
    run = subprocess.run([sys.executable, "-m", "kernels.compile_check", "--arch", "80", "90"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert "all kernels compiled" in run.stdout
    assert run.stdout.count("ok   sm_90") >= 30
