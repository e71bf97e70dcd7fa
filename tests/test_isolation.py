"""Plugins out of process (vaani/isolation.py): real worker processes, real crashes.

The plugins are in tests/isolation_plugins.py; a worker imports them by name
(``VAANI_PLUGINS``) or gets them by value (an object handed to the host with
``isolate = true``). Nothing of the isolation itself is faked.
"""

from __future__ import annotations

import json
import os
import statistics
import time

import pytest

from tests import isolation_plugins as iso
from vaani import cli
from vaani import config as config_mod
from vaani.assistant import env_plugins
from vaani.errors import ConfigError
from vaani.hookspecs import Reply, Utterance
from vaani.plugins import SKILL_NOT_RESPONDING, PluginHost, shipped_with_vaani
from vaani.testing import PluginKit

GOOD = "tests.isolation_plugins.Good"


def host_of(extra=(), **cfg):
    events = []
    host = PluginHost(config_mod.from_dict(cfg), emit=events.append)
    host.load(extra=extra, entry_points=False)
    return host, events


def wait_up(host, name, timeout_s=10.0):
    """Wait for the plugin's worker to be up again; its isolation row."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = host.isolation_of(name)
        if row["state"] == "up":
            return row
        time.sleep(0.02)
    raise AssertionError(f"{name} did not restart: {host.isolation_of(name)}")


def alive(pid, wait_s=2.0):
    """Is process ``pid`` still there (given ``wait_s`` to be killed and reaped)?"""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.01)


# -- config ---------------------------------------------------------------------------------

def test_the_hosts_keys_are_taken_out_of_the_plugins_table_and_checked():
    c = config_mod.from_dict({"plugins": {"pool_size": 4, "w": {
        "isolate": False, "memory_mb": 256, "city": "Pune"}, "x": {"isolate": True}}})
    assert c.plugin_tables == {"w": {"city": "Pune"}, "x": {}}
    assert c.plugin_isolation["w"] == config_mod.PluginIsolation(False, 256)
    assert c.plugin_isolation["x"] == config_mod.PluginIsolation(True, 512)
    assert c.plugins.pool_size == 4 and PluginHost(c).pool.workers == 4
    for table, message in [
            ({"w": {"isolate": "yes"}}, "plugins.w.isolate must be true or false, got 'yes'"),
            ({"w": {"memory_mb": 10}}, "plugins.w.memory_mb must be 0 (no limit) or an integer "
                                       "from 64 to 1048576, got 10"),
            ({"pool_size": 0}, "plugins.pool_size must be an integer from 1 to 64, got 0"),
            ({"pool_size": 65}, "plugins.pool_size must be an integer from 1 to 64, got 65")]:
        with pytest.raises(ConfigError) as err:
            config_mod.from_dict({"plugins": table})
        assert str(err.value) == message
    with pytest.raises(ConfigError, match="plugin_isolation"):
        config_mod.from_dict({"plugin_isolation": {}})


# -- where plugins run ------------------------------------------------------------------------

def test_third_party_plugins_are_isolated_and_vaanis_own_are_not(monkeypatch):
    monkeypatch.setenv("VAANI_PLUGINS", f"{GOOD.rsplit('.', 1)[0]}:Good,vaani_clock")
    host, _ = host_of(env_plugins(), plugins={"given": {}})
    given = PluginHost(config_mod.from_dict({}))
    given.load(extra=[("given", iso.Good())], entry_points=False)
    try:
        row = host.isolation_of(GOOD)
        assert row["mode"] == "isolated" and row["state"] == "up" and row["memory_mb"] == 512
        assert row["pid"] != os.getpid() and alive(row["pid"], wait_s=0)
        assert host.isolation_of("vaani_clock") == {"mode": "in-process"}
        assert given.isolation_of("given") == {"mode": "in-process"}      # handed in: in process
        assert shipped_with_vaani("vaani_clock") and shipped_with_vaani("vaani.testing")
        assert not shipped_with_vaani("tests.isolation_plugins")
        assert not shipped_with_vaani("vaani_weather")                    # not in plugins/
    finally:
        host.shutdown()
    assert not alive(row["pid"])                                           # stopped with VAANI


def test_vaanis_process_never_imports_an_isolated_plugin(tmp_path, monkeypatch):
    marks = tmp_path / "imported-in"
    (tmp_path / "marks_its_importer.py").write_text(
        "import os\n"
        f"open({str(marks)!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
        "from vaani.kit import Reply, hookimpl\n"
        "@hookimpl\n"
        "def vaani_handle(utterance):\n"
        "    return Reply('marked')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("VAANI_PLUGINS", "marks_its_importer")
    host, _ = host_of(env_plugins())
    try:
        pid = host.isolation_of("marks_its_importer")["pid"]
        assert host.handle(Utterance("x", "en")).reply.text == "marked"
        assert marks.read_text().split() == [str(pid)]
        assert "marks_its_importer" not in __import__("sys").modules
    finally:
        host.shutdown()


def test_isolate_in_the_config_overrides_the_origin(monkeypatch):
    monkeypatch.setenv("VAANI_PLUGINS", "tests.isolation_plugins:Good")
    host, _ = host_of(env_plugins(), plugins={GOOD: {"isolate": False}})
    assert host.isolation_of(GOOD) == {"mode": "in-process"}
    host, _ = host_of([("good", iso.Good()), ("mod", iso)],
                      plugins={"good": {"isolate": True, "memory_mb": 128},
                               "mod": {"isolate": True}})
    try:
        assert host.isolation_of("good")["memory_mb"] == 128          # sent by value
        assert host.isolation_of("mod")["state"] == "up"               # a module, by name
    finally:
        host.shutdown()


def test_a_plugin_that_provides_engines_runs_in_process(monkeypatch):
    monkeypatch.setenv("VAANI_PLUGINS", "tests.isolation_plugins:Engines")
    name = "tests.isolation_plugins.Engines"
    host, _ = host_of(env_plugins())
    assert host.isolation_of(name) == {"mode": "in-process"}
    assert ("tts", "isolation-test") in host.engine_specs()
    with pytest.raises(ConfigError, match="provides engines"):
        host_of(env_plugins(), plugins={name: {"isolate": True}})


def test_a_config_error_in_a_worker_stops_the_start_naming_the_key(monkeypatch):
    monkeypatch.setenv("VAANI_PLUGINS", "tests.isolation_plugins:Good")
    host, _ = host_of(env_plugins(), plugins={GOOD: {"loud": True}})
    try:
        with pytest.raises(ConfigError) as err:
            host.configure()
        assert str(err.value) == ("unknown config key 'plugins.good.loud' "
                                  "(known keys: none)")
    finally:
        host.shutdown()


def test_a_plugin_that_cannot_be_imported_in_its_worker_is_a_config_error(monkeypatch):
    monkeypatch.setenv("VAANI_PLUGINS", "tests.no_such_plugin")
    with pytest.raises(ConfigError, match="VAANI_PLUGINS: cannot load 'tests.no_such_plugin': "
                                          "ModuleNotFoundError: No module named"):
        host_of(env_plugins())


# -- the same answers ---------------------------------------------------------------------------

def test_an_isolated_plugin_answers_as_it_does_in_process():
    hosts, said = {}, {}
    for where in ("in", "out"):
        host, events = host_of([("good", iso.Good())],
                               plugins={"good": {"isolate": where == "out"}})
        host.configure()
        said[where] = []
        host.startup(notify=lambda text, language, name, _s=said[where]: _s.append(
            (text, language, name)), now=lambda: 1767225600.0)
        hosts[where] = (host, events)
    try:
        (inside, in_events), (outside, out_events) = hosts["in"], hosts["out"]
        assert outside.isolation_of("good")["pid"] != os.getpid()
        for text, language in [("echo namaste", "hi"), ("what time", "en"),
                               ("what can you do", "hi"), ("tell me later", "en"),
                               ("fail", "en"), ("nothing", "en")]:
            u = Utterance(text, language, turn=7)
            a, b = inside.handle(u), outside.handle(u)
            assert (a and (a.reply, a.plugin)) == (b and (b.reply, b.plugin)), text
            assert inside.preview(u) == outside.preview(u), text
        assert outside.handle(Utterance("echo x", "en")).reply == Reply(
            "X", language="en", data={"turn": 0, "n": [1, 2.5, None]})
        assert said["in"] == said["out"] == [("later is now", "en", "good")]
        assert [e.message for e in in_events] == [e.message for e in out_events] == [
            "plugin 'good' raised ValueError: asked to fail"]
        in_tools, out_tools = inside.tools(), outside.tools()
        assert ([t.schema() for _, t in in_tools.values()]
                == [t.schema() for _, t in out_tools.values()])
        # what the model's call decoder reads crosses too (vaani.llm.calls)
        assert [t.composed for _, t in out_tools.values()] == [("why",)]
        assert out_tools["shout"][1].schema()["function"]["parameters"]["properties"][
            "how"] == {"type": "string", "enum": ["loud", "louder"]}
        for host in (inside, outside):
            assert host.call_tool("shout", {"word": "hi"}, "en", utterance="say hi") == {
                "loud": "HI"}
            assert host.call_tool("shout", {"word": "yo"}, "en", utterance="say hi") == {
                "error": "the user did not ask for this"}
            assert host.tool_ran("shout", {"word": "hi"}, {"loud": "HI"}, "en").say == "HI!"
            assert host.abilities("hi") == ["चिल्लाना"]
            assert [(n, p.what, p.due) for n, p in host.pending()] == [
                ("good", "the good alarm", 1234.0)]
        rows = {where: host.describe()[0] for where, (host, _) in hosts.items()}
        for key in ("hooks", "tools", "calls", "failures", "timeouts", "skipped"):
            assert rows["in"][key] == rows["out"][key], key
        assert rows["out"]["calls"] >= 20 and rows["out"]["failures"] == 1
        assert rows["out"]["isolation"]["restarts"] == 0
        for host, events in hosts.values():             # ctx.emit, vaani_on_event
            assert host.handle(Utterance("emit", "en", turn=3)).reply.text == "done"
            assert (events[-1].kind, events[-1].text, events[-1].turn) == (
                "Notification", "emitted", 3)
            for event in events:
                host.on_event(event)
        deadline = time.monotonic() + 2             # events go to a worker without waiting
        while (outside.handle(Utterance("events seen", "en")).reply.text
               != "Error Notification" and time.monotonic() < deadline):
            time.sleep(0.01)
        assert (inside.handle(Utterance("events seen", "en")).reply
                == outside.handle(Utterance("events seen", "en")).reply
                == Reply("Error Notification"))
    finally:
        for host, _ in hosts.values():
            host.shutdown()


# -- misbehaving plugins --------------------------------------------------------------------------

MISBEHAVING = [
    (iso.Segfaults, "crashed: its worker killed by SIGSEGV; restarting in 0.5 s", {}),
    (iso.Exits, "crashed: its worker exited with status 3; restarting in 0.5 s", {}),
    (iso.Hogs, "crashed: MemoryError (its memory limit is 256 MB); its worker was stopped "
               "(restarting in 0.5 s)", {"memory_mb": 256}),
    (iso.Sleeps, "did not answer within 300 ms; its worker was stopped (restarting in 0.5 s)",
     {}),
]


@pytest.mark.parametrize("plugin,error,table", MISBEHAVING,
                         ids=[p.__name__ for p, _, _ in MISBEHAVING])
def test_a_plugin_that_crashes_hangs_or_hogs_memory_leaves_vaani_answering(plugin, error,
                                                                           table):
    config = {"plugins": {"timeout_ms": 300, "max_failures": 0,
                          "bad": {"isolate": True, **table}}}
    with PluginKit({"bad": plugin()}, config=config) as kit:
        first = kit.ask("ping")
        pid = first.data["pid"]
        assert first.plugin == "bad" and pid != os.getpid()

        t = time.monotonic()
        crashed = kit.ask("crash")                      # the model answers instead
        assert crashed.source == "llm" and crashed.text == "This is a fake answer."
        assert [(e.source, e.message) for e in crashed.errors] == [
            ("plugin:bad", f"plugin 'bad' {error}")]
        assert time.monotonic() - t < 2.0
        assert kit.host.isolation_of("bad")["state"] == "down" and not alive(pid)

        t = time.monotonic()
        while_down = kit.ask("ping")                    # not called, no waiting, no error
        assert while_down.source == "llm" and while_down.errors == []
        assert time.monotonic() - t < 0.5

        row = wait_up(kit.host, "bad")                  # after the back-off
        assert row["restarts"] == 1 and row["pid"] not in (None, pid)
        again = kit.ask("ping")
        assert again.plugin == "bad" and again.data["pid"] == row["pid"]
        health = kit.host.health["bad"]
        assert health.total_failures == 1 and health.skipped >= 1
        assert health.timeouts == (1 if plugin is iso.Sleeps else 0)


def test_the_back_off_doubles_while_the_plugin_keeps_crashing():
    host, events = host_of([("bad", iso.Exits())],
                           plugins={"max_failures": 0, "bad": {"isolate": True}})
    try:
        host.handle(Utterance("crash", "en"))
        assert host.isolation_of("bad")["restart_in_s"] <= 0.5
        wait_up(host, "bad")
        host.handle(Utterance("crash", "en"))           # no call answered in between
        assert 0.5 < host.isolation_of("bad")["restart_in_s"] <= 1.0
        wait_up(host, "bad")
        assert host.handle(Utterance("ping", "en")).plugin == "bad"   # answers: back to 0.5 s
        host.handle(Utterance("crash", "en"))
        assert host.isolation_of("bad")["restart_in_s"] <= 0.5
        assert [e.message.split("; ")[-1] for e in events] == [
            "restarting in 0.5 s", "restarting in 1.0 s", "restarting in 0.5 s"]
    finally:
        host.shutdown()


def test_a_plugin_that_keeps_failing_is_disabled_and_its_worker_stopped():
    host, events = host_of([("bad", iso.Exits())],
                           plugins={"max_failures": 1, "bad": {"isolate": True}})
    pid = host.isolation_of("bad")["pid"]
    host.handle(Utterance("crash", "en"))
    assert host.health["bad"].disabled and events[-1].message == (
        "plugin 'bad' disabled after 1 failures in a row")
    time.sleep(0.8)                                     # past the back-off: not restarted
    assert host.isolation_of("bad")["state"] == "stopped" and not alive(pid)


@pytest.mark.parametrize("language,guard", [("hi", True), ("en", False)])
def test_a_tool_of_a_plugin_that_is_down_is_said_not_to_respond(language, guard):
    config = {"guard": {"enabled": guard},
              "plugins": {"max_failures": 0, "timeout_ms": 300, "bad": {"isolate": True}}}
    question = {"hi": "स्लीप्स से कुछ करवाओ", "en": "make sleeps do something"}[language]
    with PluginKit({"bad": iso.Sleeps()}, config=config) as kit:
        assert "sleeps_tool" in kit.tools()
        kit.ask("crash")                                 # its worker is killed at the deadline
        kit.model_calls("sleeps_tool", {"what": "something"})
        said = kit.ask(question, language=language)
        assert said.tool_calls[0]["result"] == {"error": "the skill is not responding"}
        assert said.text == SKILL_NOT_RESPONDING[language]
        assert said.text != "Sorry, I can't do that right now."


# -- vaani plugins -------------------------------------------------------------------------------

def test_vaani_plugins_shows_where_each_plugin_runs(tmp_path, monkeypatch, capsys, data_dir):
    monkeypatch.setenv("VAANI_PLUGINS", "tests.isolation_plugins:Good")
    config = tmp_path / "config.toml"
    config.write_text('[plugins."tests.isolation_plugins.Good"]\nmemory_mb = 300\n')
    assert cli.main(["-c", str(config), "plugins", "--json", "--no-trace"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["plugins"]}
    isolation = rows[GOOD]["isolation"]
    assert isolation["mode"] == "isolated" and isolation["memory_mb"] == 300
    assert isolation["pid"] != os.getpid() and not alive(isolation["pid"])   # closed after
    assert rows["clock"]["isolation"] == {"mode": "in-process"}
    assert rows[GOOD]["tools"] == ["shout"] and rows[GOOD]["calls"] == 3
    assert cli.main(["-c", str(config), "plugins", "--no-trace"]) == 0
    out = capsys.readouterr().out
    assert f"{GOOD}  [ok]  (not installed)\n    runs:    isolated, pid " in out
    assert ", memory limit 300 MB\n" in out and "clock  [ok]  vaani " in out
    assert "    runs:    in process\n" in out


def test_the_isolation_line_for_a_worker_that_is_down():
    from vaani.commands.plugins import isolation_line

    assert isolation_line({"mode": "in-process"}) == "in process"
    assert isolation_line({"mode": "isolated", "state": "down", "restarts": 2,
                           "last_exit": "killed by SIGSEGV", "restart_in_s": 1.5}) == (
        "isolated, DOWN: its worker killed by SIGSEGV; restarting in 1.5 s, 2 restarts")
    assert isolation_line({"mode": "isolated", "state": "up", "pid": 42, "restarts": 1,
                           "memory_mb": 512, "last_exit": "exited with status 3"}) == (
        "isolated, pid 42, memory limit 512 MB, 1 restart (last: exited with status 3)")


# -- what isolation costs -------------------------------------------------------------------------

@pytest.mark.slow
def test_an_isolated_call_costs_well_under_the_deadline(capsys):
    """The overhead of one ``vaani_handle`` call through a worker, median of 200."""
    medians = {}
    for where in ("in", "out"):
        host, _ = host_of([("good", iso.Good())], plugins={"good": {"isolate": where == "out"}})
        u = Utterance("echo hi", "en")
        for _ in range(20):
            host.handle(u)
        times = []
        for _ in range(200):
            t = time.perf_counter()
            assert host.handle(u).reply.text == "HI"
            times.append((time.perf_counter() - t) * 1000)
        medians[where] = statistics.median(times)
        host.shutdown()
    with capsys.disabled():
        print(f"\nvaani_handle, median of 200: in process {medians['in']:.3f} ms, isolated "
              f"{medians['out']:.3f} ms (+{medians['out'] - medians['in']:.3f} ms)")
    assert medians["out"] < 5.0


def test_a_worker_socket_is_closed_once_whichever_threads_close_it(monkeypatch):
    """stop() and the reader thread (the worker exited) both close a worker's socket; two
    closes of one Connection closed its descriptor twice (EBADF in a full run)."""
    import subprocess
    import sys
    import threading
    from multiprocessing import Pipe

    from vaani.isolation import _Proc

    ours, theirs = Pipe()
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    p = _Proc(proc, ours)
    closes = []
    real = ours.close
    monkeypatch.setattr(ours, "close", lambda: closes.append(1) or real())
    threads = [threading.Thread(target=p.close_conn) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    p.close()
    assert closes == [1] and ours.closed
    theirs.close()
