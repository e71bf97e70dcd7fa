"""``vaani doctor`` runs everywhere (no sound card, no models) and says what is wrong."""

from __future__ import annotations

import json
import sys

import pytest

from vaani import cli
from vaani.commands import doctor


def _run(capsys, *args: str) -> tuple[int, dict]:
    code = cli.main(["doctor", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def _by_name(report: dict) -> dict[str, dict]:
    return {f"{c['group']}/{c['name']}": c for c in report["checks"]}


def test_doctor_json_on_an_empty_data_dir_fails_on_models_and_names_the_fix(capsys, data_dir):
    code, report = _run(capsys)
    checks = _by_name(report)
    assert code == 1 and report["ok"] is False
    base = checks["models/whisper-base"]
    assert base["status"] == "fail" and base["fix"] == "vaani models install whisper-base"
    assert checks["offline/guard"]["status"] == "ok"
    assert checks["runtime/no torch"]["status"] == "ok"
    assert checks["system/python"]["detail"].startswith("3.")
    assert checks["engines/onnxruntime"]["status"] == "ok"
    assert any(c["group"] == "audio" for c in report["checks"])   # a warning at most, no crash


def test_a_missing_portaudio_is_reported_not_a_crash(monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)         # import fails
    [check] = doctor.check_audio()
    assert check.status == "fail" and "sounddevice" in check.detail and "portaudio" in check.fix


def test_a_config_error_is_a_failed_check(tmp_path, capsys, data_dir):
    bad = tmp_path / "bad.toml"
    bad.write_text("[asr]\nmodle = 'x'\n")
    code = cli.main(["-c", str(bad), "doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and _by_name(report)["system/config"]["status"] == "fail"
    assert "asr.modle" in _by_name(report)["system/config"]["detail"]


def test_the_torch_check_names_the_module_that_imported_torch(tmp_path, monkeypatch):
    (tmp_path / "heavy_plugin.py").write_text("import torch\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(doctor, "RUNTIME_MODULES", ("vaani", "heavy_plugin"))
    checks = {c.name: c for c in doctor.check_runtime_imports()}
    assert checks["no torch"].status == "fail" and "heavy_plugin" in checks["no torch"].detail


@pytest.mark.models
def test_doctor_passes_the_model_checks_when_packs_are_installed(capsys, require_models):
    require_models("whisper-base", "piper-en-joe", "chimera-v3")
    code, report = _run(capsys, "--deep")
    models = [c for c in report["checks"] if c["group"] == "models" and c["name"] != "folder"]
    assert models and all(c["status"] == "ok" for c in models), models
    assert all("sha256 re-checked" in c["detail"] for c in models)
