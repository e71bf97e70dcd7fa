"""The benchmark script runs end to end (tiny sizes, CPU, interpreter) and writes its report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_cpu_smoke(tmp_path):
    env = dict(os.environ, TRITON_INTERPRET="1", PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "kernels.bench", "--cpu", "--seq-lens", "48",
                          "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((tmp_path / "bench.json").read_text())
    assert (tmp_path / "bench.png").stat().st_size > 10_000
    assert report["command"].startswith("python -m kernels.bench --cpu")
    att, = report["attention"]
    for key in ("triton_fa2_fwd", "triton_fa2_fwdbwd", "sdpa_math_fwd", "sdpa_math_fwdbwd"):
        assert att[key]["ms"] > 0, key
    assert att["speedup_fwd_vs_sdpa_math"] > 0
    ssd, = report["ssd"]
    assert ssd["triton_ssd_fwdbwd"]["ms"] > 0 and ssd["torch_chunked_fwdbwd"]["ms"] > 0
    loss, = report["loss"]
    assert loss["fused_triton"]["ms"] > 0 and loss["full_logits"]["ms"] > 0
