"""The offline guard blocks and records every non-local connection, in every thread, and leaves
loopback and Unix sockets alone. No test here reaches the network: blocked calls never get to
the real socket call, and the only real connections are to 127.0.0.1 / a Unix socket."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from vaani import offline
from vaani.errors import NetworkBlockedError

OUTSIDE = ("93.184.216.34", 80)       # example.com's old address: must never be reached


@pytest.fixture
def server():
    """A loopback TCP server that accepts connections in a thread."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(5)
    accepted = []

    def serve():
        try:
            while True:
                conn, _ = srv.accept()
                conn.sendall(b"hi")
                accepted.append(conn)
        except OSError:
            pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield srv.getsockname()
    srv.close()
    for c in accepted:
        c.close()


def test_connect_outside_is_blocked_and_recorded():
    with offline.block_network() as guard:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            with pytest.raises(NetworkBlockedError) as exc:
                s.connect(OUTSIDE)
            with pytest.raises(NetworkBlockedError):
                s.connect_ex(OUTSIDE)
        finally:
            s.close()
        with pytest.raises(NetworkBlockedError):
            socket.create_connection(OUTSIDE, timeout=1)
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo("example.com", 443)
        with pytest.raises(NetworkBlockedError):
            socket.gethostbyname("pypi.org")
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            with pytest.raises(NetworkBlockedError):
                u.sendto(b"x", ("8.8.8.8", 53))
        finally:
            u.close()
    kinds = [(a.kind, a.target) for a in guard.attempts]
    assert kinds == [("connect", "93.184.216.34:80"), ("connect_ex", "93.184.216.34:80"),
                     ("create_connection", "93.184.216.34:80"), ("getaddrinfo", "example.com"),
                     ("gethostbyname", "pypi.org"), ("sendto", "8.8.8.8:53")]
    assert "93.184.216.34:80" in str(exc.value) and exc.value.hint
    # also an OSError, so libraries that handle "offline" see a refused connection
    assert isinstance(exc.value, ConnectionRefusedError)


def test_offline_env_is_set_inside_and_restored(monkeypatch):
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    with offline.block_network():
        assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert os.environ["HF_HUB_OFFLINE"] == "0" and "TRANSFORMERS_OFFLINE" not in os.environ


def test_loopback_and_unix_sockets_work(server, tmp_path):
    with offline.block_network() as guard:
        for host in ("127.0.0.1", "localhost"):
            with socket.create_connection((host, server[1]), timeout=5) as c:
                assert c.recv(2) == b"hi"
        assert socket.getaddrinfo("localhost", server[1])
        # a Unix socket (the daemon's) is local by definition
        path = str(tmp_path / "d.sock")
        us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        us.bind(path)
        us.listen(1)
        uc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        uc.connect(path)
        uc.close()
        us.close()
    assert guard.attempts == []


def test_other_threads_are_covered(server):
    results: dict[str, object] = {}

    def worker():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.connect(OUTSIDE)
            results["outside"] = "connected"
        except NetworkBlockedError as exc:
            results["outside"] = exc
        finally:
            s.close()
        with socket.create_connection(("127.0.0.1", server[1]), timeout=5) as c:
            results["loopback"] = c.recv(2)

    with offline.block_network() as guard:
        t = threading.Thread(target=worker, name="asr-worker")
        t.start()
        t.join(10)
    assert isinstance(results["outside"], NetworkBlockedError)
    assert results["loopback"] == b"hi"
    assert [(a.kind, a.thread) for a in guard.attempts] == [("connect", "asr-worker")]


def test_guard_is_off_outside_the_block():
    """After the block, the wrappers let calls through (checked on a local lookup only)."""
    with offline.block_network():
        assert offline.is_blocking()
    assert not offline.is_blocking() or offline._installed_for_process
    assert socket.getaddrinfo("127.0.0.1", 80)


@pytest.mark.parametrize("host,local", [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", True), ("::ffff:127.0.0.1", True), (None, True), (b"localhost", True),
    ("93.184.216.34", False), ("10.0.0.2", False), ("example.com", False), ("::ffff:8.8.8.8", False),
])
def test_what_counts_as_local(host, local):
    assert offline.is_local_host(host) is local
