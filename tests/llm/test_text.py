"""Streamed text: UTF-8 split across tokens, stop strings split across pieces; chat prompts."""

from __future__ import annotations

import pytest

from vaani.errors import EngineError
from vaani.llm import chat
from vaani.llm.text import TextStream


def feed_all(stream: TextStream, pieces: list[bytes]) -> list[str]:
    out = [stream.feed(p) for p in pieces]
    out.append(stream.finish())
    return out


def test_devanagari_split_inside_a_character_is_held_back():
    data = "नमस्ते दुनिया".encode()
    pieces = [data[i:i + 1] for i in range(len(data))]     # one byte per "token"
    out = feed_all(TextStream(), pieces)
    assert "".join(out) == "नमस्ते दुनिया"
    assert all("\ufffd" not in o for o in out)


def test_stop_string_across_pieces_is_never_shown():
    s = TextStream(stop=["<|end|>", "\n\n"])
    out = feed_all(s, [b"Hello <", b"|en", b"d|> more"])
    assert "".join(out) == "Hello " and s.stopped
    assert s.text == "Hello "


def test_a_near_miss_is_released():
    s = TextStream(stop=["STOP"])
    out = feed_all(s, [b"ST", b"ay ", b"here"])
    assert "".join(out) == "STay here" and not s.stopped
    assert out[0] == ""          # held while it could still be "STOP"


def test_earliest_stop_string_wins():
    s = TextStream(stop=["b", "abc"])
    assert s.feed(b"xxabc") == "xx" and s.stopped     # "abc" starts before "b"


def test_chatml_fallback_and_generation_prompt():
    text = chat.render([{"role": "user", "content": "hi"}], None)
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


def test_template_errors_are_engine_errors():
    with pytest.raises(EngineError):
        chat.render([{"role": "user", "content": "x"}], "{{ raise_exception('no system') }}")
    with pytest.raises(EngineError):
        chat.render([{"role": "user", "content": "x"}], "{% for %}")


@pytest.mark.parametrize("bad", [[], "hi", [{"role": "wizard", "content": "x"}],
                                 [{"role": "user", "content": 3}], [["user", "x"]]])
def test_bad_messages_are_rejected(bad):
    with pytest.raises(ValueError):
        chat.check_messages(bad)


def test_text_content_parts_are_joined():
    msgs = chat.check_messages([{"role": "user", "content": [{"type": "text", "text": "a"},
                                                             {"type": "text", "text": "b"}]}])
    assert msgs == [{"role": "user", "content": "ab"}]
