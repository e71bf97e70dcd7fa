"""`vaani bench speculative --extra-draft`: a second draft model compared in the same run,
on the tiny random models (the figures themselves are in results/)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vaani.bench import speculative as bench


def test_extra_draft_gets_its_own_modes_in_one_run(tiny, tmp_path: Path):
    p = argparse.ArgumentParser()
    p.add_argument("-c", "--config", default=None)
    bench.add_arguments(p)
    out = tmp_path / "spec.json"
    args = p.parse_args(["--model", str(tiny["target"]), "--draft-model", str(tiny["draft"]),
                         "--extra-draft", str(tiny["target"]), "--modes", "plain,model",
                         "--prompts", "2", "--max-tokens", "12", "--threads", "1",
                         "--k-max", "4", "--out", str(out)])
    assert bench.run(args) == 0
    report = json.loads(out.read_text())
    modes = ["plain", "model", "model:target", "auto:target"]
    assert report["modes"] == modes
    assert set(report["extra_drafts"]) == {"target"}
    assert "model:target" in report["attainable"]["by_draft"]
    summary = report["passes"][0]["summary"]["modes"]
    for mode in modes[1:]:
        assert summary[mode]["identical"] == 2          # greedy: every mode is plain's output
    # the target drafting for itself, on its own engine: everything it drafts is accepted
    assert report["extra_drafts"]["target"]["engine"]["draft"] \
        != report["engine"]["draft"]
    assert summary["model:target"]["acceptance_rate"] == 1.0
    assert set(report["extra_drafts"]["target"]["own_batch_cost"]) >= {"2", "3"}
