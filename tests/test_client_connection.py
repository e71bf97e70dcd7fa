"""vaani.client.Connection, the daemon client that never blocks its caller (the desktop
app's): futures resolved by id whatever the order, events to a callback, a daemon that goes
away fails every waiting future instead of leaving it hanging, and lines it cannot read are
skipped. A real daemon on a socket (fake engines), and a hand-written one for odd lines."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.test_session import make_assistant, until
from vaani import config as config_mod
from vaani import protocol
from vaani.client import Connection
from vaani.daemon import DaemonError, Server
from vaani.events import TurnFinished
from vaani.session import Session
from vaani.testing import fake_config


@pytest.fixture
def short_tmp():
    with tempfile.TemporaryDirectory(prefix="vc-", dir="/tmp") as d:
        yield Path(d)


@pytest.fixture
def daemon(short_tmp):
    config = config_mod.from_dict(fake_config(assistant={"require_wake_word": False}))
    session = Session(config, make_assistant).start()
    server = Server(session, short_tmp / "vaani.sock").start()
    yield server
    server.close()
    session.close()


def test_results_come_back_by_id_and_events_to_the_callback(daemon):
    events = []
    with Connection(daemon.path, events=("TurnFinished", "ReplyTextChunk"),
                    on_event=events.append) as conn:
        assert conn.welcome.pid > 0 and conn.hello.result(5).ok
        asked = conn.submit(protocol.Ask(text="count to forty please"))
        status = conn.submit(protocol.GetStatus())
        assert status.result(10).data["clients"] == 1       # answered while the Ask runs
        result = asked.result(10)
        assert result.ok and result.command == "Ask" and result.data["outcome"] == "answered"
        assert until(lambda: any(isinstance(e, TurnFinished) for e in events))
        assert {e.kind for e in events} == {"TurnFinished", "ReplyTextChunk"}
        bad = conn.request(protocol.SetLanguage(language="fr"))
        assert not bad.ok and bad.error["title"] == "Configuration error"


def test_a_daemon_that_goes_away_fails_what_waits_and_says_so_once(daemon):
    closed = []
    conn = Connection(daemon.path, on_close=closed.append)
    daemon.close()
    assert until(lambda: conn.closed)
    assert len(closed) == 1 and "closed" in closed[0]
    late = conn.request(protocol.GetStatus(), timeout=5)
    assert not late.ok and late.error["title"] == "Daemon error"
    assert "vaani daemon" in late.error["hint"]
    conn.close()
    assert len(closed) == 1


def test_no_daemon_is_a_clear_error(short_tmp):
    with pytest.raises(DaemonError) as err:
        Connection(short_tmp / "nobody.sock")
    assert "no VAANI daemon is running" in err.value.message and "vaani daemon" in err.value.hint


def test_lines_it_cannot_read_are_skipped_and_waiting_futures_fail_at_the_end(short_tmp):
    """A newer daemon's event kind, garbage, then a real event and a Result: the client keeps
    reading; when the peer hangs up, the command still waiting gets an error Result."""
    path = short_tmp / "odd.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        f = conn.makefile("rwb")
        f.write(protocol.encode(protocol.Welcome(version="9", pid=1)))
        f.flush()
        hello = protocol.decode(f.readline())
        asked = protocol.decode(f.readline())
        f.write(b'{"v":1,"type":"event","kind":"Hologram","t":1,"turn":0}\n')
        f.write(b"not json at all\n")
        f.write(protocol.encode(TurnFinished(outcome="answered", turn=3)))
        f.write(protocol.encode(protocol.Result(id=hello.id, command="Hello")))
        f.flush()
        time.sleep(0.2)
        assert asked.name == "Ask"
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    events = []
    conn = Connection(path, on_event=events.append)
    pending = conn.submit(protocol.Ask(text="hello", id="q1"))
    assert conn.hello.result(5).ok
    assert until(lambda: len(events) == 1) and events[0].turn == 3
    result = pending.result(5)
    assert not result.ok and result.id == "q1" and result.command == "Ask"
    thread.join(5)
    listener.close()
