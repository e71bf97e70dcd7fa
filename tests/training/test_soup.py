"""training.soup: the weight average of runs from one start, written as a run folder whose
chain goes on from that start, and refused for runs that do not share one."""

from __future__ import annotations

import json

import pytest
import torch

from tests.training.tiny_align import tiny_checkpoint
from training import soup as S
from training.card import recipe_row, run_chain


def _run(path, start, seed, stage="dpo"):
    """A fine-tune of ``start`` as the stages save it: its weights moved by ``seed``."""
    ck = torch.load(start, map_location="cpu", weights_only=False)
    g = torch.Generator().manual_seed(seed)
    ck["model"] = {k: v + 0.01 * torch.randn(v.shape, generator=g) if v.is_floating_point()
                   else v for k, v in ck["model"].items()}
    ck.update(stage=stage, init_from=str(start))
    path.mkdir(parents=True)
    torch.save(ck, path / "ckpt.pt")
    (path / "config.json").write_text(json.dumps({
        "stage": stage, "config": ck["config"], "init_from": str(start),
        "parent": {"run": str(start.parent), "stage": "sft"}, "args": {}}))
    return path


@pytest.fixture
def runs(tmp_path):
    start = tiny_checkpoint(tmp_path / "start" / "ckpt.pt", 512)
    (tmp_path / "start" / "config.json").write_text(json.dumps({
        "stage": "imported", "config": torch.load(start, weights_only=False)["config"],
        "imported": {"source": "models/x.gguf"}}))
    return start, _run(tmp_path / "a", start, 1), _run(tmp_path / "b", start, 2)


def test_the_soup_is_the_weighted_mean_and_its_chain_goes_on_from_the_start(runs, tmp_path):
    from training.model import Chimera

    start, a, b = runs
    out = tmp_path / "soup"
    S.main(["--runs", str(a), str(b), "--weights", "1,3", "--out", str(out)])
    ck = torch.load(out / "ckpt.pt", weights_only=False)
    sa = torch.load(a / "ckpt.pt", weights_only=False)["model"]
    sb = torch.load(b / "ckpt.pt", weights_only=False)["model"]
    for k, v in ck["model"].items():
        assert v.dtype == sa[k].dtype
        if v.is_floating_point():
            assert torch.allclose(v, 0.25 * sa[k] + 0.75 * sb[k], atol=1e-6), k
    # a model the stages and the export load as they load any run's checkpoint
    from training.config import ModelConfig

    m = Chimera(ModelConfig(**ck["config"]))
    m.load_state_dict(ck["model"])
    info = json.loads((out / "config.json").read_text())
    assert info["stage"] == "soup" and info["init_from"] == str(start)
    assert [s["weight"] for s in info["soup"]] == [0.25, 0.75]
    assert [r for r, _ in run_chain(out)] == [start.parent, out]
    row = recipe_row(out, info)
    assert row.startswith("| soup |") and f"`{a}` (dpo, weight 0.25)" in row


def test_runs_from_different_starts_or_models_are_refused(runs, tmp_path):
    start, a, b = runs
    other = tiny_checkpoint(tmp_path / "other" / "ckpt.pt", 512, seed=5)
    c = _run(tmp_path / "c", other, 3)
    with pytest.raises(SystemExit, match="different checkpoints"):
        S.main(["--runs", str(a), str(c), "--out", str(tmp_path / "x")])
    wider = tiny_checkpoint(tmp_path / "wide" / "ckpt.pt", 1024)
    with pytest.raises(SystemExit, match="configs differ"):
        S.main(["--runs", str(a), str(_run(tmp_path / "d", wider, 4)),
                "--out", str(tmp_path / "x")])
    for bad in (["--runs", str(a)], ["--runs", str(a), str(b), "--weights", "1"],
                ["--runs", str(a), str(tmp_path / "nothing")]):
        with pytest.raises(SystemExit, match="training.soup"):
            S.main([*bad, "--out", str(tmp_path / "x")])
    assert not (tmp_path / "x").exists()
