"""Pretraining: loss falls, a resumed run reproduces the uninterrupted one exactly, the
log and the loss curve are written, and DDP (torchrun, gloo, 2 processes) trains."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from training import pretrain

ROOT = Path(__file__).resolve().parents[2]
SMALL = json.dumps({"n_embd": 64, "d_inner": 128, "ssm_head_dim": 32, "d_state": 16,
                    "n_head": 2, "n_head_kv": 1, "head_dim": 32, "ffn": 128, "chunk_size": 16})


def _args(out: Path, *extra: str) -> list[str]:
    return ["--depth", "2", "--config-json", SMALL, "--data", "synthetic", "--seq", "64",
            "--batch", "4", "--steps", "30", "--warmup", "5", "--lr", "3e-3", "--log-every", "1",
            "--eval-every", "15", "--ckpt-every", "10", "--nice", "0", "--out", str(out), *extra]


def _train_losses(log: Path) -> dict[int, float]:
    recs = [json.loads(line) for line in log.read_text().splitlines()]
    return {r["step"]: r["loss"] for r in recs if r["kind"] == "train"}


def test_loss_falls_and_outputs_are_written(tmp_path):
    losses = pretrain.main(_args(tmp_path / "run"))
    assert len(losses) == 30
    assert sum(losses[-5:]) / 5 < 0.6 * sum(losses[:5]) / 5
    run = tmp_path / "run"
    recs = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    vals = [r for r in recs if r["kind"] == "val"]
    assert [v["step"] for v in vals] == [15, 30]
    for lang in ("hi", "en", "hinglish"):
        assert vals[-1]["val"][lang]["bpb"] < vals[0]["val"][lang]["bpb"]
    png = (run / "loss.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
    assert (run / "ckpt.pt").stat().st_size > 0


def test_resume_reproduces_uninterrupted_run(tmp_path):
    full = pretrain.main(_args(tmp_path / "a", "--eval-every", "0"))
    pretrain.main(_args(tmp_path / "b", "--eval-every", "0", "--stop-at", "20"))
    resumed = pretrain.main(["--resume", str(tmp_path / "b" / "ckpt.pt"), "--nice", "0"])
    assert resumed == full[20:]                       # bit for bit on CPU
    assert _train_losses(tmp_path / "b" / "log.jsonl") == _train_losses(tmp_path / "a" / "log.jsonl")


def test_gradient_accumulation_matches_a_bigger_batch(tmp_path):
    """accum 2 x batch 2 sees other windows than batch 4, but both train; the run with
    accumulation logs tokens for the whole effective batch."""
    pretrain.main(_args(tmp_path / "acc", "--batch", "2", "--accum", "2", "--steps", "6",
                        "--eval-every", "0"))
    recs = [json.loads(line) for line in (tmp_path / "acc" / "log.jsonl").read_text().splitlines()]
    assert recs[-1]["tokens"] == 6 * 2 * 2 * 64


@pytest.mark.slow
def test_ddp_two_processes_gloo(tmp_path):
    torchrun = Path(sys.executable).with_name("torchrun")
    out = tmp_path / "ddp"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    cmd = [str(torchrun), "--nproc_per_node", "2", "--master_port", "29517", "-m",
           "training.pretrain", *_args(out, "--steps", "8", "--eval-every", "8")]
    r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    recs = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    train = [r for r in recs if r["kind"] == "train"]
    assert len(train) == 8                             # only rank 0 logs
    assert train[-1]["tokens"] == 8 * 4 * 64 * 2       # two ranks' batches per step
    assert train[-1]["loss"] < train[0]["loss"]
    assert any(r["kind"] == "val" for r in recs)


def test_distillation_from_a_teacher_checkpoint(tmp_path):
    """The draft recipe: a smaller student trained on CE + KL to a trained teacher."""
    pretrain.main(_args(tmp_path / "teacher", "--eval-every", "0"))
    student = json.dumps({"n_embd": 32, "d_inner": 64, "ssm_head_dim": 32, "d_state": 16,
                          "n_head": 1, "n_head_kv": 1, "head_dim": 32, "ffn": 64,
                          "chunk_size": 16, "pattern": "M-"})
    losses = pretrain.main(_args(tmp_path / "student", "--config-json", student, "--steps", "20",
                                 "--eval-every", "0", "--teacher",
                                 str(tmp_path / "teacher" / "ckpt.pt")))
    assert sum(losses[-4:]) < 0.8 * sum(losses[:4])
    with pytest.raises(SystemExit, match="vocabulary"):
        pretrain.distill_check_vocab(300, 258)


def test_wsd_schedule_can_be_lengthened_on_resume(tmp_path):
    """With --decay wsd the planned length may change on resume before the decay starts,
    and the run is then the same as one planned that long; after that it is refused."""
    wsd = ["--decay", "wsd", "--decay-frac", "0.5", "--eval-every", "0"]
    full = pretrain.main(_args(tmp_path / "a", *wsd))                        # 30 steps
    pretrain.main(_args(tmp_path / "b", *wsd, "--steps", "20", "--stop-at", "10"))
    resumed = pretrain.main(["--resume", str(tmp_path / "b" / "ckpt.pt"), "--steps", "30",
                             "--nice", "0"])
    assert resumed == full[10:]
    with pytest.raises(SystemExit, match="wsd"):
        pretrain.main(["--resume", str(tmp_path / "a" / "ckpt.pt"), "--steps", "40"])


def test_eval_windows_cover_a_short_stream_and_spread_over_a_long_one():
    from training.pretrain import eval_windows

    assert eval_windows(100, 32, 1000) == [0, 32, 64, 96]        # all of it
    starts = eval_windows(100_000, 128, 1024)                   # 8 windows across the stream
    assert len(starts) == 8 and starts[0] == 0 and starts[-1] == 100_000 - 128 - 1
    assert all(b - a > 128 for a, b in zip(starts, starts[1:]))
