"""How the host calls plugins: with only the arguments each implementation declares (as
pluggy does), on a bounded worker pool under deadlines, with health per plugin."""

import threading
import time

import pytest

from vaani import config as config_mod
from vaani.assistant import Assistant
from vaani.engines import EngineSpec
from vaani.events import Error, Notification
from vaani.hookspecs import Pending, Reply, Tool, Utterance, hookimpl
from vaani.plugins import BUSY, LATE, OK, RAISED, REFUSED, CallPool, PluginHost
from vaani.testing import FakeEngines, FakeLlm, fake_config


def make_host(*plugins, **cfg):
    events = []
    host = PluginHost(config_mod.from_dict(cfg), emit=events.append)
    host.load(extra=[(type(p).__name__.lower(), p) for p in plugins], entry_points=False)
    return host, events


# -- any subset of a hook's arguments ---------------------------------------------------------

class Terse:
    """Every hook VAANI calls, each declaring fewer arguments than the hook has (or none)."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def vaani_configure(self, table):
        self.seen.append(("configure", table))

    @hookimpl
    def vaani_startup(self):
        self.seen.append(("startup",))

    @hookimpl
    def vaani_shutdown(self):
        self.seen.append(("shutdown",))

    @hookimpl
    def vaani_handle(self):
        self.seen.append(("handle",))
        return Reply("handled without looking")

    @hookimpl
    def vaani_preview(self):
        return Reply("previewed without looking")

    @hookimpl
    def vaani_tools(self):
        return [Tool("terse", "a tool", {}, lambda arguments, language: {"ok": 1})]

    @hookimpl
    def vaani_abilities(self):
        return ["being terse"]

    @hookimpl
    def vaani_pending(self):
        return [Pending("the terse alarm", 5.0)]

    @hookimpl
    def vaani_on_event(self):
        self.seen.append(("event",))

    @hookimpl
    def vaani_engines(self):
        return [EngineSpec("asr", "terse", lambda ctx: "engine")]


class ConfigOnly:
    @hookimpl
    def vaani_configure(self, config):
        self.config = config


def test_every_hook_works_with_a_subset_of_its_arguments():
    terse, config_only = Terse(), ConfigOnly()
    host, events = make_host(terse, config_only, plugins={"terse": {"x": 1}})
    host.configure()
    host.startup(notify=lambda text, language, name: None)
    assert config_only.config is host.config
    assert host.handle(Utterance("anything", "en")).reply.text == "handled without looking"
    assert host.preview(Utterance("anything", "en")).text == "previewed without looking"
    assert list(host.tools()) == ["terse"]
    assert host.call_tool("terse", {}, "en") == {"ok": 1}
    assert host.abilities("hi") == ["being terse"]
    assert [p.what for _, p in host.pending()] == ["the terse alarm"]
    host.on_event(Notification(text="x", source="s"))
    assert "terse" in {n for k, n in host.engine_specs()}
    assert host.describe()[1]["engines"] == ["asr:terse"]
    host.shutdown()
    assert [s[0] for s in terse.seen] == ["configure", "startup", "handle", "event", "shutdown"]
    assert terse.seen[0] == ("configure", {"x": 1})
    assert events == []


def test_module_style_plugin_taking_only_table_starts_an_assistant():
    """The issue's case: ``def vaani_configure(table)`` crashed Assistant.start()."""
    import types

    module = types.ModuleType("table_only")
    seen = {}

    def vaani_configure(table):
        seen["table"] = table

    def vaani_handle(utterance):
        return Reply(f"you said {utterance.text}") if "echo" in utterance.text else None

    module.vaani_configure = hookimpl(vaani_configure)
    module.vaani_handle = hookimpl(vaani_handle)
    config = config_mod.from_dict(fake_config(plugins={"table_only": {"loud": True}}))
    with Assistant(config, needs=("llm",), entry_points=False, models=object(), trace=False,
                   extra_plugins=[("f", FakeEngines(llm=FakeLlm())), ("table_only", module)]) as a:
        assert seen["table"] == {"loud": True}
        assert a.pipeline.ask("echo this").reply == "you said echo this"


def test_hook_wrappers_are_reported_not_called():
    class Wrapper:
        @hookimpl(wrapper=True)
        def vaani_handle(self, utterance):
            return (yield)

    host, events = make_host(Wrapper())
    assert any("hook wrapper" in e.message for e in events)
    assert host.handle(Utterance("hi", "en")) is None


# -- the worker pool ---------------------------------------------------------------------------

def test_pool_runs_calls_and_reports_raised_and_late():
    pool = CallPool(workers=2)
    assert pool.run("a", lambda: 42, 1.0).value == 42
    out = pool.run("a", lambda: 1 / 0, 1.0)
    assert out.status == RAISED and isinstance(out.value, ZeroDivisionError)
    release = threading.Event()
    out = pool.run("a", lambda: release.wait(5), 0.05)
    assert out.status == LATE and not out.queued and pool.stuck["a"] == 1
    release.set()
    for _ in range(100):
        if pool.stuck["a"] == 0:
            break
        time.sleep(0.01)
    assert pool.stuck["a"] == 0 and pool.busy["a"] == 0
    assert pool.threads <= 2                           # workers are reused, not one per call
    for _ in range(20):
        assert pool.run("b", lambda: "again", 1.0).status == OK
    assert pool.threads <= 2


def test_a_plugin_whose_calls_are_all_stuck_is_skipped_at_once():
    pool = CallPool(workers=2, stuck_per_plugin=2)
    release = threading.Event()
    for _ in range(2):
        assert pool.run("hung", lambda: release.wait(5), 0.02).status == LATE
    start = time.monotonic()
    out = pool.run("hung", lambda: "never called", 1.0)
    assert out.status == BUSY and out.stuck == 2 and time.monotonic() - start < 0.05
    # stuck workers do not count against the pool: two other plugins still run side by side
    both = threading.Barrier(2, timeout=2)
    results = []
    threads = [threading.Thread(target=lambda n=n: results.append(
        pool.run(n, lambda: both.wait() is not None, 2.0).status)) for n in ("x", "y")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [OK, OK]
    release.set()
    time.sleep(0.1)
    assert pool.run("hung", lambda: "back", 1.0).value == "back"
    assert pool.threads <= 2 + 2


def test_a_queued_call_that_gets_no_worker_in_time_is_late_and_never_runs():
    pool = CallPool(workers=1)
    gate, ran = threading.Event(), []
    t = threading.Thread(target=lambda: pool.run("a", lambda: gate.wait(5), 5.0))
    t.start()
    time.sleep(0.05)
    out = pool.run("b", lambda: ran.append(1), 0.05)
    assert out.status == LATE and out.queued
    gate.set()
    t.join()
    time.sleep(0.05)
    assert ran == []


def test_a_call_that_never_got_a_worker_is_not_counted_against_its_plugin():
    """On a loaded machine (here: a one-worker pool kept busy) a plugin's call can miss its
    deadline before it starts; the plugin did nothing wrong and is never disabled for it."""
    host, events = make_host(Echo(), plugins={"max_failures": 1, "timeout_ms": 50,
                                              "pool_size": 1})
    gate = threading.Event()
    busy = threading.Thread(target=lambda: host.pool.run("other", lambda: gate.wait(5), 5.0))
    busy.start()
    time.sleep(0.05)
    try:
        assert host.handle(Utterance("hello", "en")) is None
        h = host.health["echo"]
        assert (h.failures, h.timeouts, h.skipped, h.disabled) == (0, 0, 1, False)
        assert not [e for e in events if isinstance(e, Error)]
    finally:
        gate.set()
        busy.join()
    assert host.handle(Utterance("hello", "en")).reply.text == "hello"


class Hangs:
    def __init__(self):
        self.release = threading.Event()
        self.calls = 0

    @hookimpl(tryfirst=True)
    def vaani_handle(self, utterance):
        self.calls += 1
        self.release.wait(10)
        return Reply("too late")


class Echo:
    @hookimpl
    def vaani_handle(self, utterance):
        return Reply(utterance.text)


def test_a_hung_plugin_for_many_turns_neither_blocks_turns_nor_exhausts_the_pool():
    hangs = Hangs()
    host, events = make_host(hangs, Echo(), plugins={"max_failures": 0, "timeout_ms": 50})
    try:
        start = time.monotonic()
        for turn in range(60):
            answer = host.handle(Utterance(f"turn {turn}", "en", turn=turn))
            assert answer.plugin == "echo" and answer.reply.text == f"turn {turn}"
        elapsed = time.monotonic() - start
        assert hangs.calls == 2                          # then skipped, not called
        assert elapsed < 2.0                             # 2 deadlines, then no waiting
        assert host.pool.threads <= host.pool.workers + 2
        h = host.health["hangs"]
        assert (h.timeouts, h.skipped, h.disabled) == (2, 58, False)
        skipped = [e for e in events if isinstance(e, Error) and "skipped" in e.message]
        assert len(skipped) == 58 and skipped[-1].turn == 59
        assert skipped[0].source == "plugin:hangs"
    finally:
        hangs.release.set()
    time.sleep(0.1)                                      # the stuck calls return ...
    host.handle(Utterance("again", "en"))
    assert hangs.calls == 3                              # ... and the plugin is called again


def test_a_hung_plugin_is_still_disabled_after_max_failures():
    hangs = Hangs()
    host, events = make_host(hangs, Echo(), plugins={"max_failures": 3, "timeout_ms": 30})
    try:
        for turn in range(10):
            assert host.handle(Utterance("x", "en")).plugin == "echo"
        assert host.health["hangs"].disabled and hangs.calls == 2
    finally:
        hangs.release.set()


class SlowTools:
    def __init__(self):
        self.release = threading.Event()

    @hookimpl
    def vaani_tools(self):
        self.release.wait(5)
        return []

    @hookimpl
    def vaani_abilities(self, language):
        self.release.wait(5)
        return ["never"]


def test_tools_and_abilities_have_deadlines_too():
    slow = SlowTools()
    host, events = make_host(slow, plugins={"timeout_ms": 50})
    try:
        assert host.tools() == {} and host.abilities("en") == []
        messages = [e.message for e in events]
        assert any("did not list its tools within 50 ms" in m for m in messages)
        assert any("did not list its abilities within 50 ms" in m for m in messages)
    finally:
        slow.release.set()


# -- health ------------------------------------------------------------------------------------

def test_health_counts_calls_errors_and_p95_time():
    class Sometimes:
        def __init__(self):
            self.n = 0

        @hookimpl
        def vaani_handle(self, utterance):
            self.n += 1
            if self.n % 5 == 0:
                raise RuntimeError("every fifth call fails")
            time.sleep(0.02 if self.n == 7 else 0)
            return None

    host, _ = make_host(Sometimes(), plugins={"max_failures": 0})
    for _ in range(20):
        host.handle(Utterance("x", "en"))
    (row,) = host.describe()
    assert row["calls"] == 20 and row["failures"] == 4 and row["timeouts"] == 0
    assert row["p95_ms"] is not None and row["p95_ms"] < 20     # one slow call in 20
    assert host.health["sometimes"].p95_ms <= max(host.health["sometimes"].times_ms)
    assert row["tools"] == [] and row["busy"] == 0


def test_describe_lists_each_plugins_tools():
    class TwoTools:
        @hookimpl
        def vaani_tools(self):
            return [Tool(n, n, {}, lambda a, lang: {}) for n in ("b_tool", "a_tool")]

    host, _ = make_host(TwoTools())
    assert host.describe()[0]["tools"] == ["a_tool", "b_tool"]


def test_a_tool_without_parameters_is_offered_only_where_its_check_accepts_the_utterance():
    """The model is not offered a parameterless tool that would refuse any call for this
    utterance (chimera picked ``clock`` for a money word problem); tools with parameters,
    and those without a check, are always offered."""
    class Tools:
        @hookimpl
        def vaani_tools(self):
            now = Tool("now", "the time", {}, lambda a, lang: {"time": "10:00"},
                       grounded=lambda a, u: "time" in u)
            broken = Tool("broken", "raises", {}, lambda a, lang: {},
                          grounded=lambda a, u: 1 / 0)
            plain = Tool("plain", "no check", {}, lambda a, lang: {})
            calc = Tool("calc", "arithmetic", {"expression": "string"}, lambda a, lang: {},
                        grounded=lambda a, u: False)
            return [now, broken, plain, calc]

    host, _ = make_host(Tools())
    names = lambda text: sorted(t.name for t in host.tools_for(text))
    assert names("what time is it") == ["calc", "now", "plain"]
    assert names("I had fifty rupees and spent eighteen") == ["calc", "plain"]
    assert host.call_tool("now", {}, "en", utterance="fifty rupees") == {"error": REFUSED[0]}


@pytest.mark.parametrize("workers, stuck", [(0, 1), (1, 0)])
def test_pool_needs_a_worker(workers, stuck):
    with pytest.raises(ValueError):
        CallPool(workers, stuck)
