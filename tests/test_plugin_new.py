"""``vaani plugin new NAME``: a ready package whose tests pass straight after generation."""

import subprocess
import sys

import pytest

from vaani import cli


def test_new_plugin_is_complete_and_its_tests_pass_as_written(tmp_path, capsys):
    target = tmp_path / "vaani-cricket-scores"
    assert cli.main(["plugin", "new", "cricket_scores", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert "wrote the plugin 'cricket_scores'" in out and "pytest" in out
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "tests/conftest.py",
                     "tests/test_cricket_scores.py", "vaani_cricket_scores/__init__.py"]
    pyproject = (target / "pyproject.toml").read_text()
    assert '[project.entry-points.vaani]\ncricket_scores = "vaani_cricket_scores"' in pyproject
    assert 'name = "vaani-cricket-scores"' in pyproject
    skill = (target / "vaani_cricket_scores" / "__init__.py").read_text()
    for hook in ("vaani_configure", "vaani_handle", "vaani_preview", "vaani_tools",
                 "vaani_abilities"):
        assert f"def {hook}(" in skill
    assert "__" not in skill.replace("__init__", "").replace("__future__", "")
    # nothing installed: pytest in the package's directory, as its author would run it
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=target, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "15 passed" in run.stdout


def test_the_generated_skill_works_in_this_process(tmp_path, monkeypatch):
    from vaani.commands.plugin import new_plugin
    from vaani.testing import PluginKit

    new_plugin("lettercount", tmp_path / "pkg")
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    import vaani_lettercount

    with PluginKit({"lettercount": vaani_lettercount}) as kit:
        assert kit.ask("केला में कितने अक्षर हैं").text == "केला में 2 अक्षर हैं।"
        assert kit.ask("how many letters does 'a' have").text == "a has 1 letter."


@pytest.mark.parametrize("name, message", [
    ("Bad-Name", "bad plugin name"),
    ("9lives", "bad plugin name"),
    ("clock", "already installed"),
])
def test_bad_names(tmp_path, capsys, name, message):
    assert cli.main(["plugin", "new", name, "--dir", str(tmp_path / "x")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_an_existing_directory_is_not_overwritten(tmp_path, capsys):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("keep me")
    assert cli.main(["plugin", "new", "fresh", "--dir", str(tmp_path / "taken")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["mine.txt"]
