import threading
import time

import pytest

from vaani import config as config_mod
from vaani.engines import EngineContext, EngineSpec
from vaani.errors import ConfigError
from vaani.events import Error, Notification
from vaani.hookspecs import Reply, Utterance, hookimpl
from vaani.plugins import PluginHost


class Echo:
    @hookimpl
    def vaani_handle(self, utterance):
        if utterance.text.startswith("echo "):
            return Reply(utterance.text[5:])
        return None


class Raises:
    @hookimpl(tryfirst=True)
    def vaani_handle(self, utterance):
        raise RuntimeError("broken plugin")


class Hangs:
    def __init__(self):
        self.release = threading.Event()

    @hookimpl(tryfirst=True)
    def vaani_handle(self, utterance):
        self.release.wait(5)
        return Reply("too late")


class Fallback:
    @hookimpl(trylast=True)
    def vaani_handle(self, utterance):
        return Reply("fallback")


def make_host(*plugins, **cfg):
    events = []
    host = PluginHost(config_mod.from_dict(cfg), emit=events.append)
    host.load(extra=[(type(p).__name__.lower(), p) for p in plugins], entry_points=False)
    return host, events


def test_first_result_wins_and_order_respects_trylast():
    host, events = make_host(Fallback(), Echo())
    answer = host.handle(Utterance("echo hello", "en"))
    assert (answer.reply.text, answer.plugin) == ("hello", "echo")
    assert host.handle(Utterance("something else", "en")).plugin == "fallback"
    assert events == []


def test_plugin_that_raises_gives_error_event_and_turn_continues():
    host, events = make_host(Raises(), Echo())
    answer = host.handle(Utterance("echo hi", "en", turn=7))
    assert answer.reply.text == "hi"
    assert len(events) == 1 and isinstance(events[0], Error)
    assert events[0].source == "plugin:raises" and "broken plugin" in events[0].message
    assert events[0].turn == 7


def test_plugin_that_hangs_is_abandoned_at_its_deadline():
    hangs = Hangs()
    host, events = make_host(hangs, Echo())
    start = time.monotonic()
    answer = host.handle(Utterance("echo hi", "en"), timeout_ms=100)
    elapsed = time.monotonic() - start
    hangs.release.set()
    assert answer.reply.text == "hi"
    assert elapsed < 2.0
    assert any("did not answer within 100 ms" in e.message for e in events)
    assert host.health["hangs"].timeouts == 1


def test_repeated_failures_disable_the_plugin():
    host, events = make_host(Raises(), Echo(), plugins={"max_failures": 2})
    for _ in range(4):
        host.handle(Utterance("echo hi", "en"))
    assert host.health["raises"].disabled
    assert host.health["raises"].total_failures == 2
    assert any("disabled" in e.message for e in events)


def test_non_reply_result_is_reported():
    class Wrong:
        @hookimpl(tryfirst=True)
        def vaani_handle(self, utterance):
            return "a plain string"

    host, events = make_host(Wrong(), Echo())
    assert host.handle(Utterance("echo x", "en")).reply.text == "x"
    assert "not Reply" in events[0].message


def test_configure_passes_each_plugin_its_own_table():
    seen = {}

    class Timerish:
        @hookimpl
        def vaani_configure(self, config, table):
            seen["timerish"] = table
            if "bad" in table:
                raise ConfigError("unknown config key 'plugins.timerish.bad'")

    class Other:
        @hookimpl
        def vaani_configure(self, config, table):
            seen["other"] = table

    host, _ = make_host(Timerish(), Other(), plugins={"timerish": {"max": 2}})
    host.configure()
    assert seen == {"timerish": {"max": 2}, "other": {}}

    host, _ = make_host(Timerish(), plugins={"timerish": {"bad": 1}})
    with pytest.raises(ConfigError, match="plugins.timerish.bad"):
        host.configure()

    host, _ = make_host(Timerish(), plugins={"nosuch": {"x": 1}})
    with pytest.raises(ConfigError, match="plugins.nosuch"):
        host.configure()


def test_engines_are_found_by_kind_and_name():
    class Engines:
        @hookimpl
        def vaani_engines(self):
            return [EngineSpec("asr", "fake-asr", lambda ctx: ("built", ctx.model))]

    host, _ = make_host(Engines())
    ctx = EngineContext(config=host.config, models=None, model="m")
    assert host.create_engine("asr", "fake-asr", ctx) == ("built", "m")
    with pytest.raises(ConfigError) as info:
        host.create_engine("asr", "nope", ctx)
    assert "unknown asr engine 'nope'" in str(info.value) and "fake-asr" in str(info.value)


def test_engine_factory_failure_becomes_engine_error():
    from vaani.errors import EngineError

    class Broken:
        @hookimpl
        def vaani_engines(self):
            return [EngineSpec("tts", "broken", lambda ctx: 1 / 0)]

    host, _ = make_host(Broken())
    with pytest.raises(EngineError, match="tts engine 'broken' failed to start"):
        host.create_engine("tts", "broken", EngineContext(config=host.config, models=None))


def test_startup_notify_carries_plugin_name_and_observer_errors_are_reported():
    said = []

    class Speaker:
        @hookimpl
        def vaani_startup(self, ctx):
            ctx.notify("timer done", "en")

        @hookimpl
        def vaani_on_event(self, event):
            raise ValueError("observer broke")

    host, events = make_host(Speaker())
    host.startup(notify=lambda text, lang, name: said.append((text, lang, name)))
    assert said == [("timer done", "en", "speaker")]
    host.on_event(Notification(text="x", source="s"))
    assert any("observer broke" in e.message for e in events)
    host.on_event(Error(title="t", message="m", source="s"))  # no loop on error events


def test_disabled_plugins_are_not_loaded():
    host, _ = make_host(Echo(), plugins={"disabled": ["echo"]})
    assert "echo" not in host.plugin_names()
    assert host.handle(Utterance("echo hi", "en")) is None


def test_describe_lists_hooks():
    host, _ = make_host(Echo())
    (row,) = host.describe()
    assert row["name"] == "echo" and row["hooks"] == ["vaani_handle"]


# -- tools for the LLM ---------------------------------------------------------------------

from vaani.hookspecs import Tool  # noqa: E402


class Tools:
    def __init__(self):
        self.release = threading.Event()

    @hookimpl
    def vaani_tools(self):
        return [Tool("add", "add two numbers", {"a": "number", "b": "number"},
                     lambda args, language: {"result": args["a"] + args["b"], "lang": language}),
                Tool("boom", "raises", {}, lambda args, language: 1 / 0),
                Tool("slow", "hangs", {}, lambda args, language: self.release.wait(5) or {}),
                Tool("junk", "not a dict", {}, lambda args, language: [1])]


class Shadow:
    @hookimpl(trylast=True)
    def vaani_tools(self):
        return [Tool("add", "a second add", {}, lambda args, language: {"result": "shadow"}),
                "not a tool"]


def test_tools_are_collected_and_called_with_the_language():
    host, events = make_host(Tools())
    assert sorted(host.tools()) == ["add", "boom", "junk", "slow"]
    assert host.call_tool("add", {"a": 2, "b": 3}, "hi") == {"result": 5, "lang": "hi"}
    assert events == []


def test_tool_failures_are_results_the_model_can_apologise_from_and_error_events():
    tools = Tools()
    host, events = make_host(tools)
    assert "error" in host.call_tool("nope", {}, "en")                 # unknown: no event
    assert "error" in host.call_tool("add", ["not", "a", "dict"], "en")
    assert events == []
    assert host.call_tool("boom", {}, "en", turn=3) == {"error": "the tool failed"}
    assert events[-1].source == "plugin:tools" and "ZeroDivisionError" in events[-1].message
    assert events[-1].turn == 3
    assert host.call_tool("junk", {}, "en") == {"error": "the tool failed"}
    start = time.monotonic()
    assert host.call_tool("slow", {}, "en", timeout_ms=100) == {"error": "the tool did not answer in time"}
    tools.release.set()
    assert time.monotonic() - start < 2.0 and host.health["tools"].timeouts == 1


def test_a_duplicate_tool_name_keeps_the_first_and_junk_is_reported():
    host, events = make_host(Tools(), Shadow())
    assert host.tools()["add"][0] == "tools"
    assert any("not Tool" in e.message for e in events)


class Acting:
    def __init__(self):
        self.done = []

    @hookimpl
    def vaani_tools(self):
        act = lambda args, language: self.done.append(args) or {"ok": True}  # noqa: E731
        return [Tool("send", "sends", {"n": "integer"}, act, acts=True,
                     grounded=lambda args, text: str(args.get("n")) in text),
                Tool("ungrounded", "acts, no check", {}, act, acts=True),
                Tool("badcheck", "acts, broken check", {}, act, acts=True,
                     grounded=lambda args, text: 1 / 0)]


def test_a_tool_that_acts_runs_only_when_grounded_in_what_the_user_said():
    acting = Acting()
    host, events = make_host(acting)
    assert host.call_tool("send", {"n": 7}, "en", utterance="send 7 please") == {"ok": True}
    assert "error" in host.call_tool("send", {"n": 8}, "en", utterance="send 7 please")
    assert "error" in host.call_tool("send", {"n": 7}, "en")            # no utterance: no
    assert "error" in host.call_tool("ungrounded", {}, "en", utterance="anything")
    assert "error" in host.call_tool("badcheck", {}, "en", utterance="anything")
    assert acting.done == [{"n": 7}] and "ZeroDivisionError" in events[-1].message


# -- vaani_pending: what plugins will still say (one-shot commands wait for it) ----------

from vaani.hookspecs import Pending  # noqa: E402


class Alarms:
    def __init__(self, *items):
        self.items = list(items)

    @hookimpl
    def vaani_pending(self):
        return self.items


class BrokenAlarms:
    @hookimpl
    def vaani_pending(self):
        raise RuntimeError("alarm store unreadable")


class JunkAlarms:
    @hookimpl
    def vaani_pending(self):
        return ["the 7:00 alarm", Pending("the 8:00 alarm", 30.0)]


def test_pending_lists_every_plugins_notifications_soonest_first():
    host, events = make_host(Alarms(Pending("the tea timer", 20.0), Pending("the rice timer", 5.0)),
                             JunkAlarms(), BrokenAlarms())
    assert [(name, p.what) for name, p in host.pending()] == [
        ("alarms", "the rice timer"), ("alarms", "the tea timer"),
        ("junkalarms", "the 8:00 alarm")]
    errors = [e.message for e in events if isinstance(e, Error)]
    assert any("alarm store unreadable" in m for m in errors)
    assert any("listed str as pending, not Pending" in m for m in errors)


def test_pending_without_plugins_that_implement_it_is_empty():
    host, events = make_host(Echo())
    assert host.pending() == [] and events == []


class SlowToLoad:
    """Starts its index on ``ctx.warming``: start-up returns at once, a question asked before
    the index is built waits for it instead of timing out."""

    def __init__(self, seconds=0.6, fail=False):
        self.seconds, self.fail = seconds, fail
        self.index = None

    def build(self):
        time.sleep(self.seconds)
        if self.fail:
            raise OSError("index file is corrupt")
        self.index = {"ping": "pong"}

    @hookimpl
    def vaani_startup(self, ctx):
        ctx.warming(self.build)

    @hookimpl
    def vaani_handle(self, utterance):
        return Reply((self.index or {}).get(utterance.text, "no index"))


def test_a_plugin_warming_in_the_background_is_waited_for_not_timed_out():
    plugin = SlowToLoad(0.6)
    host, events = make_host(plugin, plugins={"timeout_ms": 100})
    start = time.monotonic()
    host.startup(lambda *a: None)
    assert time.monotonic() - start < 0.3                  # start-up did not wait
    answer = host.handle(Utterance("ping", "en"))          # its deadline is 100 ms
    assert answer is not None and answer.reply.text == "pong"
    assert time.monotonic() - start >= 0.55 and events == []
    assert host.wait_warm(0) is True
    host.shutdown()


def test_warming_that_fails_is_reported_and_calls_go_on():
    host, events = make_host(SlowToLoad(0.05, fail=True))
    host.startup(lambda *a: None)
    assert host.wait_warm(5) is True
    assert host.handle(Utterance("ping", "en")).reply.text == "no index"
    assert [e.message for e in events if isinstance(e, Error)] == [
        "plugin 'slowtoload' raised OSError: index file is corrupt"]
    host.shutdown()


def test_wait_warm_says_when_warming_is_still_running():
    host, _ = make_host(SlowToLoad(1.0))
    host.startup(lambda *a: None)
    assert host.wait_warm(0.05) is False
    assert host.wait_warm(5) is True
    host.shutdown()
