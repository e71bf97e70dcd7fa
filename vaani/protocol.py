"""The local protocol: what clients (``vaani ask --daemon``, the GUI, scripts) and the daemon
say to each other, as versioned JSON lines in both directions (docs/protocol.md).

Three kinds of message travel:

- **commands**, client -> daemon: the dataclasses below (:data:`COMMAND_TYPES`); each has an
  ``id`` the client chooses, echoed in the :class:`Result` that answers it;
- **events**, daemon -> client: every :mod:`vaani.events` event (:data:`vaani.events.EVENT_TYPES`);
- **replies**, daemon -> client: :class:`Welcome` (first line after connecting) and
  :class:`Result` (one per command).

The same command objects are what :class:`vaani.session.Session` accepts in its inbox, so
the daemon only decodes a line and hands the object on.

The codec (:func:`encode` / :func:`decode`, :func:`to_json` / :func:`from_json`,
:class:`LineReader`) follows the dataclasses and works from their annotations: a new command
or event needs no codec code, and tests/test_protocol.py round-trips it as soon as it is
registered. Anything a peer sends that is not a valid message is a :class:`ProtocolError`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import math
import typing
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vaani.errors import VaaniError
from vaani.events import EVENT_TYPES, Event

PROTOCOL = 1          # bumped on any change a version-1 peer could misread


# -- commands (client -> daemon) --------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Command:
    id: str = ""              # chosen by the client; echoed in the Result

    @property
    def name(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, kw_only=True)
class Hello(Command):
    """Optional first line from a client: who it is and which protocol it speaks; what it
    wants to receive (``events``: kinds, empty for all; ``audio``: raw samples of AudioChunk /
    SpeechChunk events, off by default: a level meter needs MicLevel, not samples)."""

    client: str = ""
    protocol: int = PROTOCOL
    events: tuple[str, ...] = ()
    audio: bool = False


@dataclass(frozen=True, kw_only=True)
class Ask(Command):
    """A typed question: answered as a spoken one is (skills, then the model), spoken when
    the daemon has a speaker; the Result carries the turn (text, reply, source, timings)."""

    text: str
    language: str = ""        # "" = detect


@dataclass(frozen=True, kw_only=True)
class Say(Command):
    """Speak ``text`` as it is (no skill, no model): announcements, scripts."""

    text: str
    language: str = ""


@dataclass(frozen=True, kw_only=True)
class PushToTalk(Command):
    """Push-to-talk: ``pressed`` starts a turn that takes the microphone as it is (no wake
    word, no end-of-speech detection); released, what was said is answered."""

    pressed: bool


@dataclass(frozen=True, kw_only=True)
class Cancel(Command):
    """Stop what is happening: the reply being spoken, a push-to-talk turn, listening."""


@dataclass(frozen=True, kw_only=True)
class SetMuted(Command):
    """Mute (the microphone is not listened to; nothing is heard or kept) or unmute."""

    muted: bool


@dataclass(frozen=True, kw_only=True)
class SetLanguage(Command):
    """The language to listen and answer in: ``hi``, ``en`` or ``auto``."""

    language: str


@dataclass(frozen=True, kw_only=True)
class ReloadConfig(Command):
    """Read the config file again and apply it (the models are reloaded when they changed)."""


@dataclass(frozen=True, kw_only=True)
class GetStatus(Command):
    """The Result's data: state, muted, language, models, plugins' health, pending timers
    and alarms, clients connected, uptime."""


COMMAND_TYPES: dict[str, type[Command]] = {
    cls.__name__: cls
    for cls in (Hello, Ask, Say, PushToTalk, Cancel, SetMuted, SetLanguage, ReloadConfig,
                GetStatus)
}


# -- replies (daemon -> client) ---------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Welcome:
    """The daemon's first line to every client."""

    protocol: int = PROTOCOL
    version: str = ""         # VAANI's version
    state: str = ""           # the session's state now
    pid: int = 0


@dataclass(frozen=True, kw_only=True)
class Result:
    """The answer to one command: ``ok`` with ``data``, or the error VAANI would show
    (``title``, ``message``, ``hint``)."""

    id: str = ""
    command: str = ""         # the command's name
    ok: bool = True
    data: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] = field(default_factory=dict)   # title, message, hint


# -- the codec: one message per line, JSON, versioned (docs/protocol.md) ----------------------
#
# Kept below the dataclasses because it is generic over them: a field is encoded and checked
# from its annotation, so a new command or event needs no codec code, only a supported type.

MAX_LINE = 1 << 20    # bytes in one line, its "\n" included, in both directions

Message = Command | Event | Welcome | Result
M = typing.TypeVar("M", bound=Message)


class ProtocolError(VaaniError):
    """A line that is not a valid message, or an object that cannot be sent as one.

    ``id`` and ``name`` are the command's when they could be read before the problem was
    found, so the daemon can still address its error :class:`Result` to the right request.
    """

    title = "Protocol error"

    def __init__(self, message: str, *, hint: str | None = "see docs/protocol.md",
                 id: str = "", name: str = "") -> None:
        super().__init__(message, hint=hint)
        self.id = id
        self.name = name


def to_json(obj: Message, *, audio: bool = False) -> dict[str, Any]:
    """``obj`` as a JSON-ready dict: the envelope, then its fields by name.

    Tuples become lists. An array field (``samples``) becomes, with ``audio``, base64 of
    its little-endian float32 bytes (exact), and without it ``"n_samples": N`` (clients
    that draw a level meter or a transcript never pay for audio they do not use).
    """
    out: dict[str, Any] = {"v": PROTOCOL, "type": _message_type(obj)}
    if isinstance(obj, Command):
        out["name"] = obj.name
    elif isinstance(obj, Event):
        out["kind"] = obj.kind
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            samples = np.ascontiguousarray(value, dtype="<f4").ravel()
            if audio:
                out[f.name] = base64.b64encode(samples.tobytes()).decode("ascii")
            else:
                out["n_samples"] = int(samples.size)
        elif isinstance(value, tuple):
            out[f.name] = list(value)
        else:
            out[f.name] = value
    return out


def from_json(d: Any) -> Message:
    """The message ``d`` (a decoded JSON object) stands for; :class:`ProtocolError` otherwise.

    Fields are checked against the dataclass annotations. Unknown fields are an error in a
    command (a misspelt field must not be silently dropped) and ignored in events and
    replies (a newer daemon may add fields; an older client still reads the rest).
    """
    if not isinstance(d, dict):
        raise ProtocolError(f"a message is a JSON object, not {_json_type(d)}")
    if "v" not in d:
        raise ProtocolError('no protocol version: every message has "v": 1')
    v = d["v"]
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise ProtocolError(f'"v" must be a protocol version (1 or more), not {_short(v)}')
    if v > PROTOCOL:
        raise ProtocolError(f"protocol version {v} is newer than this VAANI reads ({PROTOCOL})",
                            hint="update VAANI on this side, or use a peer that speaks "
                                 f"version {PROTOCOL}")
    kind = d.get("type")
    if kind == "command":
        name = d.get("name")
        raw_id = d.get("id")
        ident = raw_id if isinstance(raw_id, str) else ""
        label = name[:40] if isinstance(name, str) else ""
        try:
            if not isinstance(name, str) or name not in COMMAND_TYPES:
                raise ProtocolError(f"unknown command {_short(name)}; the commands are "
                                    + ", ".join(COMMAND_TYPES))
            return _build(COMMAND_TYPES[name], d, name, strict=True)
        except ProtocolError as exc:
            exc.id, exc.name = ident, label
            raise
    if kind == "event":
        name = d.get("kind")
        if not isinstance(name, str) or name not in EVENT_TYPES:
            raise ProtocolError(f"unknown event kind {_short(name)}")
        return _build(EVENT_TYPES[name], d, name, strict=False)
    if kind == "welcome":
        return _build(Welcome, d, "Welcome", strict=False)
    if kind == "result":
        return _build(Result, d, "Result", strict=False)
    raise ProtocolError(f'"type" must be command, event, welcome or result, not {_short(kind)}')


def encode(obj: Message, *, audio: bool = False) -> bytes:
    """One line: compact UTF-8 JSON (Hindi stays readable) and ``b"\\n"``.

    Raises :class:`ProtocolError` for what the peer could not read: NaN or infinity (not
    JSON), a value JSON has no form for, a line over :data:`MAX_LINE` (an audio event too
    long to send whole must be split or sent without ``audio``).
    """
    d = to_json(obj, audio=audio)       # TypeError for a non-message: a bug, not a peer's
    try:
        text = json.dumps(d, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":"), default=_json_default)
        # JSON allows these raw inside strings, but str.splitlines() and some readers
        # break lines on them: escaped, a line is a line for every reader
        for ch, esc in _LINE_BREAKS:
            text = text.replace(ch, esc)
        line = text.encode("utf-8") + b"\n"
    except (ValueError, TypeError, RecursionError) as exc:   # UnicodeError is a ValueError
        raise ProtocolError(f"{type(obj).__name__} cannot be sent: {str(exc)[:200]}") from None
    if len(line) > MAX_LINE:
        raise ProtocolError(f"{type(obj).__name__} is {len(line)} bytes as a line, over the limit "
                            f"of {MAX_LINE}")
    return line


def decode(line: bytes | str) -> Message:
    """The message on one line (its trailing newline optional); :class:`ProtocolError` for
    anything else. Numbers must be finite: JSON has no NaN or infinity, and Python's
    ``NaN`` / ``Infinity`` extensions are refused so that every peer reads the same."""
    data = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else bytes(line)
    if len(data) > MAX_LINE:
        raise ProtocolError(f"a line of {len(data)} bytes is over the limit of {MAX_LINE}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the line is not UTF-8 (byte {data[exc.start]:#04x} at "
                            f"{exc.start})") from None
    try:
        d = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except RecursionError:
        raise ProtocolError("the line is not JSON: nested too deeply") from None
    except ValueError as exc:     # JSONDecodeError, a non-finite number, a huge integer
        raise ProtocolError(f"the line is not JSON: {str(exc)[:200]}") from None
    return from_json(d)


class LineReader:
    """Lines from a byte stream, none longer than :data:`MAX_LINE`, in bounded memory.

    For a blocking socket: ``LineReader(conn.makefile("rb"))``; anything with
    ``readline(size)`` works. A line that is too long raises :class:`ProtocolError` as
    soon as ``limit`` bytes have come without a newline; the next :meth:`readline` skips the
    rest of it (reading and dropping, never storing), so one bad line costs one error
    Result, not the connection or the daemon's memory.
    """

    def __init__(self, stream: Any, limit: int = MAX_LINE) -> None:
        self.stream = stream
        self.limit = limit
        self._skipping = False

    def readline(self) -> bytes | None:
        """The next line with its ``b"\\n"`` (the last one may lack it); None at the end."""
        while self._skipping:
            chunk = self.stream.readline(self.limit)
            if not chunk:
                return None
            self._skipping = not chunk.endswith(b"\n")
        line: bytes = self.stream.readline(self.limit)
        if not line:
            return None
        if len(line) >= self.limit and not line.endswith(b"\n"):
            self._skipping = True
            raise ProtocolError(f"a line longer than {self.limit} bytes")
        return line


# -- codec helpers ----------------------------------------------------------------------------

_LINE_BREAKS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085"))


def _message_type(obj: Any) -> str:
    """The envelope's ``type``; only registered classes are messages (not the bases)."""
    cls = type(obj)
    if COMMAND_TYPES.get(cls.__name__) is cls:
        return "command"
    if EVENT_TYPES.get(cls.__name__) is cls:
        return "event"
    if cls is Welcome:
        return "welcome"
    if cls is Result:
        return "result"
    raise TypeError(f"{cls.__name__} is not a protocol message (see COMMAND_TYPES, EVENT_TYPES)")


_FIELDS: dict[type, tuple[tuple[str, Any, bool], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, Any, bool], ...]:
    """(name, resolved annotation, required) for each field of a message class, resolved
    once: annotations are strings here (``from __future__ import annotations``)."""
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        _FIELDS[cls] = tuple(
            (f.name, hints[f.name],
             f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
            for f in dataclasses.fields(cls))
    return _FIELDS[cls]


def _build(cls: type[M], d: dict[str, Any], label: str, *, strict: bool) -> M:
    fields = _fields(cls)
    known = {name for name, _, _ in fields}
    if strict:                                   # commands: "kind" has no place either
        unknown = [k for k in d if k not in known and k not in ("v", "type", "name")]
        if unknown:
            names = ", ".join(_short(k) for k in unknown[:3])
            more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
            raise ProtocolError(f"{label}: unknown field {names}{more}; its fields are "
                                + ", ".join(sorted(known)))
    kwargs: dict[str, Any] = {}
    for name, tp, required in fields:
        where = f"{label}.{name}"
        if tp is np.ndarray:
            kwargs[name] = _samples(d, name, where)
        elif name in d:
            kwargs[name] = _check(d[name], tp, where)
        elif required:
            raise ProtocolError(f"{label}: the field {name!r} is missing")
    return cls(**kwargs)


def _samples(d: dict[str, Any], name: str, where: str) -> np.ndarray:
    """An array field: base64 float32 little-endian, or ``n_samples`` alone (no audio sent:
    an empty array, so no peer can make the receiver allocate by naming a large N)."""
    if name in d and "n_samples" in d:
        raise ProtocolError(f"{where}: send {name} or n_samples, not both")
    if name not in d:
        n = d.get("n_samples")
        if n is None:
            raise ProtocolError(f"{where}: the field {name!r} (or n_samples) is missing")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ProtocolError(f"{where}: n_samples must be a count, not {_short(n)}")
        return np.zeros(0, np.float32)
    value = d[name]
    if not isinstance(value, str):
        raise ProtocolError(f"{where}: expected base64 float32 samples, got {_json_type(value)}")
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise ProtocolError(f"{where}: not valid base64") from None
    if len(raw) % 4:
        raise ProtocolError(f"{where}: {len(raw)} bytes is not a whole number of float32 "
                            "samples")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def _check(value: Any, tp: Any, where: str) -> Any:
    """``value`` as the annotation ``tp`` wants it (int accepted for float, list for tuple)."""
    if tp is Any:
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ProtocolError(f"{where}: expected true or false, got {_json_type(value)}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ProtocolError(f"{where}: expected an integer, got {_json_type(value)}")
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if math.isfinite(number):
                return number
            raise ProtocolError(f"{where}: the number is out of range")
        raise ProtocolError(f"{where}: expected a number, got {_json_type(value)}")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ProtocolError(f"{where}: expected a string, got {_json_type(value)}")
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if isinstance(value, (list, tuple)):
            return tuple(_check(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
        raise ProtocolError(f"{where}: expected an array, got {_json_type(value)}")
    if origin is dict and args and args[0] is str:
        if isinstance(value, dict):
            return {k: _check(v, args[1], f"{where}[{_short(k)}]") for k, v in value.items()}
        raise ProtocolError(f"{where}: expected an object, got {_json_type(value)}")
    raise TypeError(f"{where}: the codec has no rule for {tp!r}")   # a new field type: add one


def _json_type(value: Any) -> str:
    """The JSON name of a value's type (what a client in any language will recognise)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: Any, limit: int = 40) -> str:
    """repr of a value a peer sent, cut: an error never echoes megabytes back."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):          # numpy scalars from engines: 0.93 not 'float32'
        return value.item()
    raise TypeError(f"a value of type {type(value).__name__} has no JSON form")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {_short(text, 20)} is out of range")
    return number
