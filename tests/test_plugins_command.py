"""``vaani plugins``: hooks, engines, tools and health (a check through the host, and the
turns in the trace)."""

import json

from vaani import cli
from vaani.commands.plugins import trace_health

SKILL = '''
import time
from vaani.kit import Reply, Tool, hookimpl

@hookimpl
def vaani_handle(utterance):
    return None

@hookimpl
def vaani_tools():
    return [Tool("weather", "the weather", {"city": "string"}, lambda a, l: {"sky": "clear"})]

@hookimpl
def vaani_abilities(language):
    raise RuntimeError("abilities are broken")
'''


def test_plugins_shows_tools_and_health(tmp_path, monkeypatch, capsys, data_dir):
    (tmp_path / "weatherish.py").write_text(SKILL)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("VAANI_PLUGINS", "weatherish")
    trace = tmp_path / "trace.jsonl"
    lines = [{"turn": i, "source": "plugin:weatherish", "timings": {"plugin": float(i)},
              "errors": []} for i in range(1, 21)]
    lines += [{"turn": 30, "source": "llm", "timings": {}, "errors": [
        {"title": "Plugin error", "message": "x", "source": "plugin:weatherish"}]},
              {"error": "Plugin error", "message": "y", "source": "plugin:weatherish"},
              "not json"]
    trace.write_text("\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines))
    config = tmp_path / "config.toml"
    config.write_text(f'[trace]\npath = "{trace}"\n[plugins]\ndisabled = ["clock"]\n')
    assert cli.main(["-c", str(config), "plugins", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["plugins"]}
    row = rows["weatherish"]
    assert row["tools"] == ["weather"] and "vaani_tools" in row["hooks"]
    assert row["calls"] == 3 and row["failures"] == 2           # tools + abilities in hi, en
    assert row["p95_ms"] is not None and "abilities are broken" in row["last_error"]
    assert row["trace"] == {"answered": 20, "p95_ms": 19.0, "errors": 2}
    assert rows["timer"]["tools"] == ["timer"] and rows["timer"]["package"].startswith("vaani ")
    assert cli.main(["-c", str(config), "plugins"]) == 0
    out = capsys.readouterr().out
    assert "    tools:   weather\n" in out
    assert "    health:  3 calls, 2 errors, p95 " in out
    assert "in the trace: answered 20 turns, p95 19 ms; 2 errors" in out
    assert "disabled in config: clock" in out


def test_trace_health_without_a_trace(tmp_path):
    assert trace_health(None) == {} and trace_health(tmp_path / "none.jsonl") == {}
