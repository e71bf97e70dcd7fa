"""The local protocol's codec: every message round-trips exactly, and nothing a client can
send makes the decoder raise anything but ProtocolError.

Strategies are built from the dataclass annotations, so a new command or event is tested as
soon as it is registered; a field type the codec has no rule for fails here first.
"""

from __future__ import annotations

import dataclasses
import io
import json
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vaani import events, protocol
from vaani.protocol import (COMMAND_TYPES, MAX_LINE, LineReader, ProtocolError,
                            Result, Welcome, decode, encode, from_json, to_json)

FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

MESSAGE_TYPES: dict[str, type] = {
    **{f"command {n}": c for n, c in COMMAND_TYPES.items()},
    **{f"event {n}": c for n, c in events.EVENT_TYPES.items()},
    "Welcome": Welcome, "Result": Result,
}

# Hindi, emoji (with a joiner and a skin tone), quotes, backslashes and every line break a
# reader might split on, mixed into arbitrary Unicode
TRICKY = "नमस्ते क्या समय है। ॥ ०१२ 😀🙏👍🏽‍👩‍💻\"\\\n\r\t\x00\x85\u2028\u2029"
TEXT = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from(TRICKY)), max_size=30)
FLOAT = st.floats(allow_nan=False, allow_infinity=False)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | FLOAT | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8)


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Values of annotation ``tp`` as the codec must carry them exactly."""
    simple = {str: TEXT, int: st.integers(), float: FLOAT, bool: st.booleans(),
              Any: JSON_VALUE,
              np.ndarray: arrays(np.float32, st.integers(0, 64))}   # NaN too: bits are kept
    if tp in simple:
        return simple[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple and args[1:] == (Ellipsis,):
        return st.lists(strategy(args[0]), max_size=4).map(tuple)
    if origin is dict and args[0] is str:
        return st.dictionaries(TEXT, strategy(args[1]), max_size=4)
    raise AssertionError(f"no strategy for {tp!r}: teach this test and the codec the type")


def messages(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: strategy(hints[f.name]) for f in dataclasses.fields(cls)})


def assert_same(a: Any, b: Any) -> None:
    """Field by field, with the exact type (a tuple stays a tuple, a float a float) and
    arrays compared bit for bit (events are eq=False, so == would be identity)."""
    assert type(a) is type(b)
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert y.dtype == np.float32 and x.tobytes() == y.tobytes(), f.name
        else:
            assert x == y and type(x) is type(y), f.name


# -- round trips --------------------------------------------------------------------------------

@pytest.mark.parametrize("label", MESSAGE_TYPES)
def test_round_trip(label: str) -> None:
    @FAST
    @given(messages(MESSAGE_TYPES[label]))
    def check(msg: Any) -> None:
        assert_same(from_json(to_json(msg, audio=True)), msg)
        line = encode(msg, audio=True)
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        text = line.decode("utf-8")
        assert len(text.splitlines()) == 1          # no \u2028, \x85 ... left raw either
        assert_same(decode(line), msg)
        assert_same(decode(text), msg)
        assert json.loads(text) == json.loads(json.dumps(to_json(msg, audio=True)))
    check()


def test_every_message_class_is_registered_and_codable() -> None:
    """A new command or event class must be in its registry (so the round trip above tests
    it) and must not use a field name that the envelope already uses."""
    defined_events = {c for c in vars(events).values() if isinstance(c, type)
                      and issubclass(c, events.Event) and c is not events.Event}
    assert defined_events == set(events.EVENT_TYPES.values())
    defined_commands = {c for c in vars(protocol).values() if isinstance(c, type)
                        and issubclass(c, protocol.Command) and c is not protocol.Command}
    assert defined_commands == set(COMMAND_TYPES.values())
    for label, cls in MESSAGE_TYPES.items():
        names = {f.name for f in dataclasses.fields(cls)}
        tag = {"command": {"name"}, "event": {"kind"}}.get(label.split()[0], set())
        assert not names & ({"v", "type"} | tag), label
        for tp in typing.get_type_hints(cls).values():
            strategy(tp)


def test_hindi_stays_readable() -> None:
    line = encode(protocol.Ask(id="1", text="अभी क्या समय है?"))
    assert "अभी क्या समय है?".encode() in line
    assert line.startswith(b'{"v":1,"type":"command","name":"Ask","id":"1",')


def test_audio_is_dropped_by_default() -> None:
    samples = np.linspace(-1, 1, 480, dtype=np.float32)
    chunk = events.SpeechChunk(samples=samples, sample_rate=22050, text="नमस्ते", turn=3)
    d = to_json(chunk)
    assert "samples" not in d and d["n_samples"] == 480
    back = decode(encode(chunk))
    assert isinstance(back, events.SpeechChunk)
    assert back.samples.dtype == np.float32 and back.samples.size == 0
    assert (back.sample_rate, back.text, back.turn, back.t) == (22050, "नमस्ते", 3, chunk.t)
    with_audio = decode(encode(chunk, audio=True))
    assert isinstance(with_audio, events.SpeechChunk)
    assert np.array_equal(with_audio.samples, samples)
    assert with_audio.samples.flags.writeable


def test_events_ignore_unknown_fields_commands_reject_them() -> None:
    d = to_json(events.MicLevel(rms=0.1, peak=0.5))
    d["loudness_db"] = -20.0                   # from a newer daemon
    assert isinstance(from_json(d), events.MicLevel)
    d = to_json(Result(id="1", command="Ask"))
    d["extra"] = {}
    assert from_json(d) == Result(id="1", command="Ask")
    with pytest.raises(ProtocolError, match="unknown field 'txet'") as info:
        from_json({"v": 1, "type": "command", "name": "Ask", "id": "9", "txet": "hi"})
    assert (info.value.id, info.value.name) == ("9", "Ask")    # the error Result can echo them


def test_int_is_accepted_for_float() -> None:
    got = from_json({"v": 1, "type": "event", "kind": "StageTiming", "t": 5, "stage": "asr",
                     "ms": 12})
    assert isinstance(got, events.StageTiming) and got.ms == 12.0 and type(got.ms) is float


def test_numpy_scalars_are_sent_as_numbers() -> None:
    wake = events.WakeDetected(name="hey_vaani", score=np.float32(0.75),  # type: ignore[arg-type]
                               at=np.float64(1.5))
    back = decode(encode(wake))
    assert isinstance(back, events.WakeDetected) and back.score == 0.75


# -- what cannot be sent ------------------------------------------------------------------------

def test_non_finite_floats_are_refused_on_both_sides() -> None:
    with pytest.raises(ProtocolError, match="MicLevel cannot be sent"):
        encode(events.MicLevel(rms=float("nan"), peak=0.0))
    with pytest.raises(ProtocolError):
        encode(Result(data={"x": float("inf")}))
    line = encode(events.MicLevel(rms=0.5, peak=0.5))
    for bad in (b"NaN", b"Infinity", b"-Infinity", b"1e999"):
        with pytest.raises(ProtocolError, match="not JSON"):
            decode(line.replace(b"0.5", bad, 1))
    with pytest.raises(ProtocolError, match="out of range"):
        from_json({"v": 1, "type": "event", "kind": "MicLevel", "rms": 10**400, "peak": 0})


def test_too_long_and_non_json_values_cannot_be_sent() -> None:
    big = events.AudioChunk(samples=np.zeros(MAX_LINE // 3, np.float32), at=0.0)
    with pytest.raises(ProtocolError, match="over the limit"):
        encode(big, audio=True)
    assert encode(big).endswith(b"\n")               # without audio it is a few bytes
    with pytest.raises(ProtocolError, match="no JSON form"):
        encode(Result(data={"x": {1, 2}}))
    with pytest.raises(ProtocolError, match="surrogates"):
        encode(protocol.Say(text="bad name \udcff"))   # a lone surrogate has no UTF-8 form
    with pytest.raises(TypeError):
        encode(protocol.Command())                   # the base class is not a message


# -- garbage in ---------------------------------------------------------------------------------

def ask(**fields: Any) -> bytes:
    return json.dumps({"v": 1, "type": "command", "name": "Ask", **fields}).encode()


GARBAGE = {
    "not utf-8": (b'{"v":1,"text":"\xff\xfe"}', "not UTF-8"),
    "half an object": (b"{", "not JSON"),
    "empty": (b"\n", "not JSON"),
    "an array": (b"[]", "JSON object, not an array"),
    "null": (b"null", "JSON object, not null"),
    "a string": (b'"Ask"', "JSON object, not a string"),
    "2 MB": (b'{"v":1,"text":"' + b"a" * 2_000_000 + b'"}', "over the limit"),
    "deep nesting": (b"[" * 100_000, "nested too deeply"),
    "huge integer": (b'{"v":' + b"9" * 5000 + b"}", "not JSON"),
    "no version": (b'{"type":"command","name":"Cancel"}', "no protocol version"),
    "version as text": (b'{"v":"1","type":"command","name":"Cancel"}', '"v" must be'),
    "newer version": (b'{"v":99,"type":"command","name":"Cancel"}', "version 99 is newer"),
    "unknown type": (b'{"v":1,"type":"cmd","name":"Cancel"}', '"type" must be'),
    "unknown name": (b'{"v":1,"type":"command","name":"Reboot"}', "unknown command 'Reboot'"),
    "unknown kind": (b'{"v":1,"type":"event","kind":"Boom"}', "unknown event kind 'Boom'"),
    "kind on a command": (b'{"v":1,"type":"command","name":"Cancel","kind":"Error"}',
                          "Cancel: unknown field 'kind'; its fields are id"),
    "Ask without text": (ask(id="1"), "Ask: the field 'text' is missing"),
    "Ask text=5": (ask(text=5), "Ask.text: expected a string, got an integer"),
    "pressed='yes'": (b'{"v":1,"type":"command","name":"PushToTalk","pressed":"yes"}',
                      "PushToTalk.pressed: expected true or false, got a string"),
    "pressed=1": (b'{"v":1,"type":"command","name":"PushToTalk","pressed":1}',
                  "expected true or false, got an integer"),
    "turn=true": (b'{"v":1,"type":"event","kind":"PlaybackStarted","turn":true}',
                  "PlaybackStarted.turn: expected an integer, got a boolean"),
    "events=[1]": (b'{"v":1,"type":"command","name":"Hello","events":[1]}',
                   r"Hello.events\[0\]: expected a string"),
    "timings not numbers": ((b'{"v":1,"type":"event","kind":"TurnFinished","outcome":"x",'
                             b'"timings":{"asr":"fast"}}'), "TurnFinished.timings"),
    "bad base64": (b'{"v":1,"type":"event","kind":"AudioChunk","at":0,"samples":"@@"}',
                   "not valid base64"),
    "partial sample": (b'{"v":1,"type":"event","kind":"AudioChunk","at":0,"samples":"AAA="}',
                       "not a whole number of float32"),
    "no samples": (b'{"v":1,"type":"event","kind":"AudioChunk","at":0}', "is missing"),
    "huge n_samples is fine, negative is not": (
        b'{"v":1,"type":"event","kind":"AudioChunk","at":0,"n_samples":-1}', "must be a count"),
}


@pytest.mark.parametrize("label", GARBAGE)
def test_garbage_is_a_protocol_error(label: str) -> None:
    line, message = GARBAGE[label]
    with pytest.raises(ProtocolError, match=message) as info:
        decode(line)
    assert len(str(info.value)) < 300                # never the megabytes back
    assert info.value.title == "Protocol error"


def test_unknown_name_is_cut_in_the_message() -> None:
    with pytest.raises(ProtocolError) as info:
        decode(json.dumps({"v": 1, "type": "command", "name": "x" * 100_000, "id": "4"}))
    assert len(str(info.value)) < 400 and info.value.id == "4"


def test_huge_n_samples_allocates_nothing() -> None:
    got = decode(b'{"v":1,"type":"event","kind":"AudioChunk","at":0,"n_samples":1000000000000}')
    assert isinstance(got, events.AudioChunk) and got.samples.size == 0


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_arbitrary_input_is_a_message_or_a_protocol_error(line: bytes | str) -> None:
    try:
        decode(line)
    except ProtocolError:
        pass


ENVELOPES = st.one_of(
    st.fixed_dictionaries({"v": st.just(1), "type": st.just("command"),
                           "name": st.sampled_from(sorted(COMMAND_TYPES))}),
    st.fixed_dictionaries({"v": st.just(1), "type": st.just("event"),
                           "kind": st.sampled_from(sorted(events.EVENT_TYPES))}),
    st.fixed_dictionaries({"v": st.sampled_from([0, 1, 2, True, None, "1"]),
                           "type": st.sampled_from(["welcome", "result", "other"])}))
FIELD_NAMES = st.sampled_from(sorted({f.name for c in MESSAGE_TYPES.values()
                                      for f in dataclasses.fields(c)} | {"n_samples"}))


@settings(max_examples=300, deadline=None)
@given(ENVELOPES, st.dictionaries(FIELD_NAMES, JSON_VALUE, max_size=6))
def test_wrong_fields_are_a_protocol_error(envelope: dict[str, Any],
                                          fields: dict[str, Any]) -> None:
    """Real message names with fields of any JSON type: checked, never a crash."""
    try:
        msg = decode(json.dumps({**fields, **envelope}))
    except ProtocolError:
        return
    assert_same(decode(encode(msg, audio=True)), msg)


# -- reading lines ------------------------------------------------------------------------------

def test_line_reader_bounds_memory_and_recovers() -> None:
    ok = encode(protocol.Cancel(id="a"))
    stream = io.BufferedReader(io.BytesIO(ok + b"x" * (10 * MAX_LINE) + b"\n" + ok + b"tail"))
    reader = LineReader(stream)
    assert reader.readline() == ok
    with pytest.raises(ProtocolError, match="longer than"):
        reader.readline()
    assert stream.tell() <= 2 * MAX_LINE             # raised without reading the 10 MB
    assert reader.readline() == ok                   # the rest of the long line was skipped
    assert reader.readline() == b"tail"              # the last line may lack its newline
    assert reader.readline() is None


def test_line_reader_limit_is_exact() -> None:
    fits = b"a" * (MAX_LINE - 1) + b"\n"
    reader = LineReader(io.BytesIO(fits + b"a" * MAX_LINE + b"\n"))
    assert reader.readline() == fits
    with pytest.raises(ProtocolError):
        reader.readline()                            # MAX_LINE bytes and no newline yet
    assert reader.readline() is None


def test_line_reader_on_a_socket() -> None:
    import socket

    a, b = socket.socketpair()
    with a, b:
        a.sendall(encode(protocol.Ask(id="1", text="नमस्ते")) + encode(protocol.GetStatus()))
        a.shutdown(socket.SHUT_WR)
        reader = LineReader(b.makefile("rb"))
        got = [decode(line) for line in iter(reader.readline, None)]
    assert [type(m) for m in got] == [protocol.Ask, protocol.GetStatus]
    assert isinstance(got[0], protocol.Ask) and got[0].text == "नमस्ते"


# -- the documentation --------------------------------------------------------------------------

def test_docs_name_every_command_and_event() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "protocol.md").read_text(encoding="utf-8")
    missing = [n for n in [*COMMAND_TYPES, *events.EVENT_TYPES, "Welcome", "Result"]
               if f"`{n}`" not in doc]
    assert not missing, f"docs/protocol.md does not describe {missing}"
    for cls in [*COMMAND_TYPES.values(), *events.EVENT_TYPES.values(), Welcome, Result]:
        for f in dataclasses.fields(cls):
            assert f"`{f.name}`" in doc, f"docs/protocol.md: {cls.__name__}.{f.name}"
