"""The daemon over a real Unix socket: several clients at once, a client killed mid-stream,
garbage, a client too slow to read, the socket's permissions and the peer check, and
``vaani daemon`` / ``status`` / ``ask --daemon`` / ``say`` as real processes (fake engines)."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.test_cli import fake_config, to_toml
from tests.test_session import ANSWERS, make_assistant, until
from vaani import config as config_mod
from vaani import protocol
from vaani.client import Client
from vaani.daemon import DaemonError, Server, socket_path
from vaani.session import Session
from vaani.testing import FakeMicrophone, Script


@pytest.fixture
def short_tmp():
    """Unix socket paths are limited to ~107 bytes: pytest's tmp_path can be longer."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="vd-", dir="/tmp") as d:
        yield Path(d)


@pytest.fixture
def daemon(short_tmp):
    config = config_mod.from_dict(fake_config(assistant={"require_wake_word": False}))
    session = Session(config, make_assistant).start()
    server = Server(session, short_tmp / "run" / "vaani.sock").start()
    yield server
    server.close()
    session.close()


def raw(path: Path) -> tuple[socket.socket, object]:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(str(path))
    return s, s.makefile("rb")


def test_the_socket_is_private(daemon):
    path = daemon.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.is_socket()


def test_a_client_asks_and_gets_its_result_and_the_events(daemon):
    with Client(daemon.path, name="test") as c:
        assert c.welcome.protocol == protocol.PROTOCOL and c.welcome.pid == os.getpid()
        result = c.request(protocol.Ask(text="what time is it", id="a1"))
        assert (result.id, result.ok) == ("a1", True)
        assert result.data["reply"] == ANSWERS["what time is it"]
        kinds = [e.kind for e in c.events(timeout=1.0)]
        assert "TurnFinished" in kinds and "StateChanged" in kinds
        assert "AudioChunk" not in kinds and "SpeechChunk" not in kinds     # no audio asked


def test_several_clients_at_once(daemon):
    results: dict[int, protocol.Result] = {}

    def one(i: int) -> None:
        with Client(daemon.path, name=f"c{i}") as c:
            results[i] = c.request(protocol.Ask(text="what time is it"), timeout=30)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == list(range(5))
    assert all(r.ok and r.data["reply"] == ANSWERS["what time is it"] for r in results.values())
    status = Client(daemon.path).request(protocol.GetStatus())
    assert status.data["turns"] == 5 and status.data["clients"] == 1


def test_garbage_gets_an_error_and_the_client_is_dropped_and_the_daemon_goes_on(daemon):
    for junk in (b"hello\n", b"\xff\xfe\n", b'{"v":1,"type":"command","name":"Ask","id":"7"}\n',
                 b'{"v":1,"type":"command","name":"Ask","id":"8","txet":"x"}\n',
                 b"x" * (protocol.MAX_LINE + 10)):
        s, f = raw(daemon.path)
        assert isinstance(protocol.decode(f.readline()), protocol.Welcome)
        s.sendall(junk)
        answer = protocol.decode(f.readline())
        assert isinstance(answer, protocol.Result) and not answer.ok
        assert answer.error["title"] == "Protocol error" and answer.error["message"]
        if junk.startswith(b'{"v":1,"type":"command","name":"Ask","id":"7"'):
            assert (answer.id, answer.command) == ("7", "Ask")    # the client can match it
        try:                                                      # then it is dropped
            assert f.readline() == b""
        except ConnectionResetError:        # it hung up with the rest of the 1 MB unread
            pass
        s.close()
    assert daemon.dropped == 5
    with Client(daemon.path) as c:
        assert c.request(protocol.Ask(text="what time is it")).ok


def test_a_client_killed_mid_stream_does_not_disturb_the_others(daemon):
    code = ("import socket,sys;s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);"
            "s.sendall(b'{\"v\":1,\"type\":\"command\",\"name\":\"Ask\",\"id\":\"k\","
            "\"text\":\"what time is it\"}\\n');s.recv(10);import time;time.sleep(30)")
    victim = subprocess.Popen([sys.executable, "-c", code, str(daemon.path)])
    assert until(lambda: len(daemon.clients) == 1)
    with Client(daemon.path) as c:
        victim.kill()
        victim.wait(10)
        for _ in range(3):
            assert c.request(protocol.Ask(text="what time is it")).ok
    assert until(lambda: len(daemon.clients) == 0)


def test_a_client_that_stops_reading_is_dropped_not_waited_for(daemon, monkeypatch):
    import vaani.daemon as daemon_mod

    monkeypatch.setattr(daemon_mod, "CLIENT_QUEUE", 32)
    s, f = raw(daemon.path)
    s.sendall(protocol.encode(protocol.Hello(client="stuck", audio=True)))
    assert until(lambda: len(daemon.clients) == 1)
    t = time.monotonic()
    with Client(daemon.path) as c:      # keeps the session busy: events pile up for "stuck"
        for _ in range(4):
            assert c.request(protocol.Ask(text="count to forty please"), timeout=30).ok
        took = time.monotonic() - t
    assert until(lambda: len(daemon.clients) == 0, timeout=20)   # stuck was dropped
    assert took < 30
    s.close()


def test_a_second_daemon_on_the_same_socket_is_refused_and_a_stale_one_replaced(daemon, short_tmp):
    with pytest.raises(DaemonError, match="already running"):
        Server(daemon.session, daemon.path).start()
    stale = short_tmp / "stale" / "vaani.sock"
    stale.parent.mkdir(mode=0o700)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(stale))
    dead.close()                         # the file stays, nobody listens: a crashed daemon
    config = config_mod.from_dict(fake_config())
    session = Session(config, make_assistant).start()
    try:
        server = Server(session, stale).start()
        assert Client(stale).request(protocol.GetStatus()).ok
        server.close()
        assert not stale.exists()
    finally:
        session.close()


def test_no_daemon_is_a_clear_error(short_tmp):
    with pytest.raises(DaemonError, match="no VAANI daemon is running") as err:
        Client(short_tmp / "nothing.sock")
    assert "vaani daemon" in err.value.hint


def test_the_default_socket_is_in_the_users_runtime_dir(monkeypatch, short_tmp):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(short_tmp))
    assert socket_path() == short_tmp / "vaani" / "vaani.sock"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert socket_path() == Path(f"/tmp/vaani-{os.getuid()}/vaani.sock")


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to connect as another user")
def test_another_user_is_refused_even_when_the_modes_are_loosened(daemon):
    daemon.path.parent.parent.chmod(0o755)
    daemon.path.parent.chmod(0o755)
    daemon.path.chmod(0o666)
    code = ("import os,socket,sys;os.setgid(65534);os.setuid(65534);"
            "s=socket.socket(socket.AF_UNIX);s.connect(sys.argv[1]);s.settimeout(5);"
            "print(repr(s.recv(100)))")
    out = subprocess.run([sys.executable, "-c", code, str(daemon.path)], capture_output=True,
                         text=True, timeout=30)
    assert out.stdout.strip() == "b''", out            # closed without a Welcome
    assert daemon.refused == 1


def test_push_to_talk_through_the_socket_with_a_microphone(short_tmp):
    question = Script().silence(0.3).say("what time is it", 0.9).silence(0.5)
    mic = FakeMicrophone(speed=2.0)
    config = config_mod.from_dict(fake_config(assistant={"require_wake_word": True}))
    session = Session(config, make_assistant, source=lambda: mic).start()
    server = Server(session, short_tmp / "vaani.sock").start()
    try:
        assert until(lambda: mic.opened == 1)
        with Client(server.path, events=("TurnFinished", "Transcript", "MicLevel")) as c:
            pressed = c.request(protocol.PushToTalk(pressed=True))
            assert pressed.ok
            mic.play(question.audio)
            assert until(lambda: not mic.playing)
            assert c.request(protocol.PushToTalk(pressed=False)).ok
            seen = []
            for e in c.events(timeout=10):
                seen.append(e)
                if e.kind == "TurnFinished":
                    break
            assert {e.kind for e in seen} <= {"TurnFinished", "Transcript", "MicLevel"}
            heard = [e for e in seen if e.kind == "Transcript"]
            assert heard and heard[-1].text == "what time is it"
            assert seen[-1].outcome == "answered" and seen[-1].turn == pressed.data["turn"]
            assert any(e.kind == "MicLevel" for e in seen)
    finally:
        server.close()
        session.close()


# -- the commands, as real processes --------------------------------------------------------------

@pytest.fixture
def daemon_process(tmp_path, short_tmp, monkeypatch):
    spec = tmp_path / "fake.json"
    spec.write_text(json.dumps({"vocabulary": {}, "answers": {"what time": "It is ten o'clock."},
                                "llm": "This is a fake answer."}))
    config = tmp_path / "config.toml"
    config.write_text(to_toml(fake_config()))
    env = dict(os.environ, VAANI_PLUGINS="vaani.testing:from_env", VAANI_FAKE_SCRIPT=str(spec),
               XDG_RUNTIME_DIR=str(short_tmp), VAANI_DATA_DIR=str(tmp_path / "data"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    proc = subprocess.Popen([sys.executable, "-m", "vaani", "-c", str(config), "daemon",
                             "--no-audio"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sock = short_tmp / "vaani" / "vaani.sock"
    if not until(lambda: sock.exists() or proc.poll() is not None, timeout=60):
        proc.kill()
    if proc.poll() is not None:
        pytest.fail(f"the daemon exited: {proc.communicate()[1]}")
    yield proc, config, env
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def vaani(env, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", "vaani", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_the_daemon_and_its_clients_as_commands(daemon_process, short_tmp):
    proc, config, env = daemon_process
    status = vaani(env, "status")
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("idle, language auto, text only (--no-audio), 1 client(s)")
    data = json.loads(vaani(env, "status", "--json").stdout)
    assert data["audio"] is False and data["state"] == "idle"
    asked = vaani(env, "ask", "--daemon", "what time is it")
    assert (asked.returncode, asked.stdout) == (0, "It is ten o'clock.\n"), asked.stderr
    said = vaani(env, "say", "Dinner is ready.")
    assert said.returncode == 0, said.stderr
    ptt = vaani(env, "ptt", "--seconds", "0")
    assert ptt.returncode == 1 and "push-to-talk needs the microphone" in ptt.stderr
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    assert not (short_tmp / "vaani" / "vaani.sock").exists()


def test_a_bad_config_exits_78_so_the_service_is_not_restarted(tmp_path, short_tmp):
    bad = tmp_path / "bad.toml"
    bad.write_text("[assistant]\nlanguage = 5\n")
    env = dict(os.environ, XDG_RUNTIME_DIR=str(short_tmp))
    out = vaani(env, "-c", str(bad), "daemon", "--no-audio")
    assert out.returncode == 78 and "Configuration error" in out.stderr


def test_status_without_a_daemon_says_how_to_start_one(short_tmp):
    out = vaani(dict(os.environ, XDG_RUNTIME_DIR=str(short_tmp)), "status")
    assert out.returncode == 2
    assert "no VAANI daemon is running" in out.stderr and "vaani daemon" in out.stderr


# -- the OpenAI-compatible routes (vaani daemon --http) --------------------------------------------

def test_the_assistant_behind_openai_routes_answers_with_its_skills():
    import httpx
    from openai import OpenAI

    from vaani.http_api import HttpServer

    config = config_mod.from_dict(fake_config())
    session = Session(config, make_assistant).start()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    http = HttpServer(session, "127.0.0.1", port).start()
    try:
        client = OpenAI(base_url=http.url, api_key="none")
        assert [m.id for m in client.models.list().data] == ["vaani"]
        answer = client.chat.completions.create(
            model="vaani", messages=[{"role": "user", "content": "what time is it"}])
        assert answer.choices[0].message.content == ANSWERS["what time is it"]
        assert answer.model_extra["vaani"]["source"] == "plugin:skill"
        chunks = list(client.chat.completions.create(
            model="vaani", stream=True, messages=[{"role": "user", "content": "what time is it"}]))
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == ANSWERS["what time is it"]
        bad = httpx.post(f"{http.url}/chat/completions", json={"messages": [
            {"role": "user", "content": "hi"}], "tools": [{"type": "function"}]})
        assert bad.status_code == 400 and "plugins" in bad.json()["error"]["message"]
        junk = httpx.post(f"{http.url}/chat/completions", content=b"\xff{")
        assert junk.status_code == 400
        empty = httpx.post(f"{http.url}/chat/completions", json={"messages": []})
        assert empty.status_code == 400
        assert session.request(protocol.GetStatus()).data["turns"] == 2   # and it goes on
    finally:
        http.close()
        session.close()


def test_the_http_routes_listen_on_loopback_only():
    from vaani.errors import ConfigError
    from vaani.http_api import check_loopback

    check_loopback("127.0.0.1")
    check_loopback("::1")
    check_loopback("localhost")
    for host in ("0.0.0.0", "192.168.1.5", "example.com"):
        with pytest.raises(ConfigError, match="loopback"):
            check_loopback(host)
