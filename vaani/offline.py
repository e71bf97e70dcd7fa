"""The offline guard: make any attempt to reach the network fail loudly, and remember it.

VAANI promises that nothing it does at run time touches the network. Reviews and unit tests
cannot prove that for third-party code (a loader that "just checks for updates", a hub name
that slipped into a config), so the guard patches the few Python entry points every
connection goes through:

* ``socket.socket.connect`` / ``connect_ex`` / ``sendto`` / ``sendmsg`` (TCP, UDP, and the
  sockets asyncio, ``http.client``, urllib3 and httpx open),
* ``socket.create_connection``, ``socket.getaddrinfo``, ``gethostbyname(_ex)``,
  ``gethostbyaddr`` (name lookups are already a network request),

and lets through what stays on the machine: loopback addresses, ``localhost``, and
``AF_UNIX`` / ``AF_NETLINK`` sockets (the local HTTP server, the daemon socket). A blocked
attempt raises :class:`BlockedConnection` (a :class:`~vaani.errors.NetworkBlockedError` that is
also a ``ConnectionRefusedError``, so libraries that handle "offline" gracefully do so) and is
recorded, so a test can assert that a whole turn attempted nothing.

The guard is process-wide on purpose: a worker thread must not escape it. Patching happens
once; afterwards each socket call pays one integer test while the guard is off. Code in C
extensions that opens sockets itself is out of reach; the systemd unit denies network address
families for that (packaging/).

    with block_network() as guard:
        run_a_turn()
    assert guard.attempts == []

    install()          # the whole process, for `vaani run` / the daemon
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from vaani.errors import NetworkBlockedError

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
LOCAL_NAMES = frozenset({"", "localhost", "localhost.localdomain", "ip6-localhost",
                         "ip6-loopback"})
MAX_RECORDED = 1000


class BlockedConnection(NetworkBlockedError, ConnectionRefusedError):
    """What a blocked attempt raises: catchable as VAANI's error and as an ``OSError``."""


@dataclass(frozen=True)
class Attempt:
    kind: str              # connect, connect_ex, sendto, sendmsg, create_connection, getaddrinfo, ...
    target: str            # the address or host name
    thread: str
    t: float               # time.monotonic()
    seq: int = 0           # running number since the process started


_lock = threading.Lock()
_depth = 0                 # > 0 while blocking (open block_network() contexts, +1 for install())
_installed_for_process = False
_patched = False
_attempts: list[Attempt] = []
_seq = 0                   # attempts ever recorded (Guard uses it to find its own)
_saved_env: dict[str, str | None] = {}


# ------------------------------------------------------------------------------ decisions


def is_local_host(host: Any) -> bool:
    """``localhost``, a loopback or unspecified address: traffic that stays on the machine."""
    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


_LOCAL_FAMILIES = {getattr(socket, n) for n in ("AF_UNIX", "AF_NETLINK") if hasattr(socket, n)}
_IP_FAMILIES = {socket.AF_INET, getattr(socket, "AF_INET6", socket.AF_INET)}


def _allowed(family: int, address: Any) -> bool:
    if family in _LOCAL_FAMILIES:
        return True
    if family in _IP_FAMILIES:
        if isinstance(address, tuple) and address:
            return is_local_host(address[0])
        return False
    return False           # AF_PACKET, Bluetooth, ...: not something VAANI needs


def _block(kind: str, target: Any) -> None:
    global _seq
    with _lock:
        _seq += 1
        attempt = Attempt(kind, _describe(target), threading.current_thread().name,
                          time.monotonic(), _seq)
        _attempts.append(attempt)
        del _attempts[:-MAX_RECORDED]          # keep the newest when something loops
    raise BlockedConnection(f"blocked a network request ({kind} {attempt.target}): VAANI runs "
                            "offline", hint="whatever made this request must use local files only")


def _describe(target: Any) -> str:
    if isinstance(target, tuple) and len(target) >= 2:
        host = target[0].decode() if isinstance(target[0], bytes) else target[0]
        return f"{host}:{target[1]}"
    return str(target)


# ------------------------------------------------------------------------------ the patches

_orig: dict[str, Any] = {}


def _connect(self: socket.socket, address: Any) -> Any:
    if _depth and not _allowed(self.family, address):
        _block("connect", address)
    return _orig["connect"](self, address)


def _connect_ex(self: socket.socket, address: Any) -> Any:
    if _depth and not _allowed(self.family, address):
        _block("connect_ex", address)
    return _orig["connect_ex"](self, address)


def _sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    if _depth and args and not _allowed(self.family, args[-1]):
        _block("sendto", args[-1])
    return _orig["sendto"](self, data, *args)


def _sendmsg(self: socket.socket, buffers: Any, *args: Any) -> Any:
    if _depth and len(args) >= 3 and args[2] is not None and not _allowed(self.family, args[2]):
        _block("sendmsg", args[2])
    return _orig["sendmsg"](self, buffers, *args)


def _create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
    if _depth and not (isinstance(address, tuple) and address and is_local_host(address[0])):
        _block("create_connection", address)
    return _orig["create_connection"](address, *args, **kwargs)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if _depth and not is_local_host(host):
        _block("getaddrinfo", host)
    return _orig["getaddrinfo"](host, *args, **kwargs)


def _gethostbyname(host: Any) -> Any:
    if _depth and not is_local_host(host):
        _block("gethostbyname", host)
    return _orig["gethostbyname"](host)


def _gethostbyname_ex(host: Any) -> Any:
    if _depth and not is_local_host(host):
        _block("gethostbyname_ex", host)
    return _orig["gethostbyname_ex"](host)


def _gethostbyaddr(host: Any) -> Any:
    if _depth and not is_local_host(host):
        _block("gethostbyaddr", host)
    return _orig["gethostbyaddr"](host)


_METHODS = {"connect": _connect, "connect_ex": _connect_ex, "sendto": _sendto,
            "sendmsg": _sendmsg}
_FUNCTIONS = {"create_connection": _create_connection, "getaddrinfo": _getaddrinfo,
              "gethostbyname": _gethostbyname, "gethostbyname_ex": _gethostbyname_ex,
              "gethostbyaddr": _gethostbyaddr}


def _patch() -> None:
    """Install the wrappers once; they stay (inert while ``_depth`` is 0)."""
    global _patched
    with _lock:
        if _patched:
            return
        for name, wrapper in _METHODS.items():
            if hasattr(socket.socket, name):
                _orig[name] = getattr(socket.socket, name)
                setattr(socket.socket, name, wrapper)
        for name, wrapper in _FUNCTIONS.items():
            _orig[name] = getattr(socket, name)
            setattr(socket, name, wrapper)
        _patched = True


# ------------------------------------------------------------------------------ public API


class Guard:
    """What ``block_network()`` yields: the attempts made while it was active."""

    def __init__(self, start: int) -> None:
        self._start = start

    @property
    def attempts(self) -> list[Attempt]:
        with _lock:
            return [a for a in _attempts if a.seq > self._start]


@contextlib.contextmanager
def block_network() -> Iterator[Guard]:
    """Block non-local connections in every thread of the process while the block runs."""
    global _depth
    _patch()
    with _lock:
        if _depth == 0:
            _saved_env.update({k: os.environ.get(k) for k in OFFLINE_ENV})
        os.environ.update(OFFLINE_ENV)
        _depth += 1
        start = _seq
    try:
        yield Guard(start)
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:                    # the last block ends: restore the environment
                for key, value in _saved_env.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
                _saved_env.clear()


def install() -> None:
    """Block the network for the rest of the process (``vaani run``, the daemon)."""
    global _depth, _installed_for_process
    _patch()
    with _lock:
        os.environ.update(OFFLINE_ENV)
        _saved_env.clear()                     # never restored
        if not _installed_for_process:
            _installed_for_process = True
            _depth += 1


def is_blocking() -> bool:
    return _depth > 0


def attempts() -> list[Attempt]:
    """Every blocked attempt since the process started (or :func:`clear_attempts`)."""
    with _lock:
        return list(_attempts)


def clear_attempts() -> None:
    with _lock:
        _attempts.clear()
