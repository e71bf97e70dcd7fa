"""The CLI commands, in process, on fake engines loaded through VAANI_PLUGINS."""

import json

import numpy as np
import pytest
import soundfile as sf

from vaani import audio, cli
from vaani.audio import ArraySource, MemorySink
from vaani.testing import Script, fake_config


def to_toml(data: dict) -> str:
    lines = []
    for section, table in data.items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def fakes(tmp_path, monkeypatch, data_dir):
    """Write a script's audio, the fake engines' description and a config selecting them."""
    def make(script: Script, answers=None, llm="This is a fake answer.", **sections):
        wav = tmp_path / "question.wav"
        sf.write(wav, script.audio, 16000)
        spec = tmp_path / "fake.json"
        spec.write_text(json.dumps({
            "vocabulary": {str(k): v for k, v in script.vocabulary.items()},
            "answers": answers or {}, "llm": llm}))
        # the fake plugins answer at once: a deadline far above the 300 ms default keeps a
        # loaded CI machine's scheduling from failing tests that are not about deadlines
        sections["plugins"] = {"timeout_ms": 3000, **sections.get("plugins", {})}
        config = tmp_path / "config.toml"
        config.write_text(to_toml(fake_config(**sections)))
        monkeypatch.setenv("VAANI_PLUGINS", "vaani.testing:from_env")
        monkeypatch.setenv("VAANI_FAKE_SCRIPT", str(spec))
        return wav, config
    return make


QUESTION = Script().silence(0.4).say("what time is it", 0.9).silence(1.0)
CLOCK = {"what time": "It is ten o'clock."}


def test_run_prints_transcript_reply_and_timings_and_writes_the_wav(fakes, tmp_path, capsys):
    wav, config = fakes(QUESTION, CLOCK)
    out = tmp_path / "reply.wav"
    assert cli.main(["-c", str(config), "run", "--input", str(wav), "--output", str(out)]) == 0
    text = capsys.readouterr().out
    assert "heard (en): what time is it" in text
    assert "reply (plugin:vaani.testing.from_env): It is ten o'clock." in text
    assert "e2e" in text and "asr" in text and "reply audio:" in text
    data, rate = sf.read(out)
    assert rate == 22050 and np.abs(data).max() > 0.1


OPEN_QUESTION = Script().silence(0.4).say("write a poem about the sea", 0.9).silence(1.0)


def test_run_json(fakes, tmp_path, capsys):
    # a question no skill plugin takes (the built-in clock would answer "what time is it",
    # small talk "how are you today")
    wav, config = fakes(OPEN_QUESTION, llm="Waves on the shore.")
    assert cli.main(["-c", str(config), "run", "-i", str(wav), "--json", "--realtime"]) == 0
    result = json.loads(capsys.readouterr().out)
    (turn,) = result["turns"]
    assert (turn["transcript"], turn["reply"], turn["source"], turn["outcome"]) == (
        "write a poem about the sea", "Waves on the shore.", "llm", "answered")
    assert {"endpoint", "asr", "llm_first_token", "tts_first_audio", "e2e"} <= set(turn["timings"])


def test_run_on_silence_says_so_and_does_nothing(fakes, tmp_path, capsys):
    wav, config = fakes(Script().silence(3.0), {"": "I answer everything"})
    out = tmp_path / "reply.wav"
    assert cli.main(["-c", str(config), "run", "-i", str(wav), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "no speech heard" in text and "reply (" not in text
    assert sf.info(out).frames == 0


@pytest.mark.parametrize("content, message", [
    (b"not audio at all" * 10, "not a readable audio file"),
    (b"", "not a readable audio file"),
])
def test_run_on_a_bad_file_is_a_clear_error(fakes, tmp_path, capsys, content, message):
    _, config = fakes(QUESTION)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    assert cli.main(["-c", str(config), "run", "-i", str(bad)]) == 2
    err = capsys.readouterr().err
    assert message in err and "bad.wav" in err


def test_bad_config_key_exits_2_naming_the_key(tmp_path, capsys, data_dir):
    config = tmp_path / "config.toml"
    config.write_text('[assistant]\nlangauge = "hi"\n')
    wav = tmp_path / "q.wav"
    sf.write(wav, QUESTION.audio, 16000)
    assert cli.main(["-c", str(config), "run", "-i", str(wav)]) == 2
    err = capsys.readouterr().err
    assert "assistant.langauge" in err and "language" in err


def test_bad_engine_name_exits_2_listing_the_installed_ones(fakes, tmp_path, capsys):
    wav, config = fakes(QUESTION, asr={"engine": "whisperx"})
    assert cli.main(["-c", str(config), "run", "-i", str(wav)]) == 2
    err = capsys.readouterr().err
    assert "unknown asr engine 'whisperx'" in err and "fake" in err


def test_missing_model_names_the_install_command(tmp_path, capsys, data_dir):
    """Default config, empty data dir: the first engine's model is missing."""
    wav = tmp_path / "q.wav"
    sf.write(wav, QUESTION.audio, 16000)
    config = tmp_path / "config.toml"
    config.write_text("")
    assert cli.main(["-c", str(config), "run", "-i", str(wav)]) == 2
    err = capsys.readouterr().err
    assert "vaani models install" in err


def test_ask_prints_the_reply_and_writes_audio(fakes, tmp_path, capsys):
    _, config = fakes(QUESTION, CLOCK)
    out = tmp_path / "ask.wav"
    assert cli.main(["-c", str(config), "ask", "what time is it", "-o", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "It is ten o'clock."
    assert sf.info(out).frames > 0
    assert cli.main(["-c", str(config), "ask", "write a short poem about the sea", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == "llm" and result["reply"] == "This is a fake answer."


def test_listen_runs_until_ctrl_c_and_exits_cleanly(fakes, monkeypatch, capsys):
    # 4 s of silence after the question (1 s at speed 4) for the reply to reach the speaker
    # before Ctrl-C, on a loaded machine too
    script = (Script().silence(0.3).wake().silence(0.2).say("what time is it", 0.8)
              .silence(4.0))
    _, config = fakes(script, CLOCK)

    class Mic(ArraySource):
        def __init__(self, device="", block_ms=32):
            super().__init__(script.audio, realtime=True, speed=4.0, name="mic:fake")

        def __iter__(self):
            yield from super().__iter__()
            raise KeyboardInterrupt          # the user presses Ctrl-C

    sink = MemorySink(realtime=True, speed=4.0)
    monkeypatch.setattr("vaani.commands.listen.MicrophoneSource", Mic)
    monkeypatch.setattr("vaani.commands.listen.SpeakerSink", lambda *a, **k: sink)
    assert cli.main(["-c", str(config), "listen"]) == 0
    captured = capsys.readouterr()
    assert "[wake] hey_fake" in captured.out
    assert "[you, en] what time is it" in captured.out
    assert "It is ten o'clock." in captured.out
    assert "stopped" in captured.err and len(sink.audio) > 0


class FakeSd:
    class default:
        device = (0, 1)

    devices = [
        {"name": "Built-in Microphone", "hostapi": 0, "max_input_channels": 2,
         "max_output_channels": 0, "default_samplerate": 48000.0},
        {"name": "Built-in Speakers", "hostapi": 0, "max_input_channels": 0,
         "max_output_channels": 2, "default_samplerate": 48000.0},
        {"name": "USB Headset", "hostapi": 0, "max_input_channels": 1,
         "max_output_channels": 2, "default_samplerate": 44100.0}]

    def query_devices(self, device=None, kind=None):
        return self.devices

    def query_hostapis(self):
        return [{"name": "ALSA"}]


def test_devices_lists_and_marks_the_selection(monkeypatch, tmp_path, capsys, data_dir):
    monkeypatch.setattr(audio, "_sounddevice", lambda: FakeSd())
    config = tmp_path / "c.toml"
    config.write_text('[audio]\ninput_device = "usb"\n')
    assert cli.main(["-c", str(config), "devices"]) == 0
    out = capsys.readouterr().out
    assert "USB Headset (ALSA) <- microphone" in out
    assert "Built-in Speakers (ALSA) <- speaker" in out
    assert cli.main(["-c", str(config), "devices", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows if r["selected_input"]] == ["USB Headset"]


def test_plugins_lists_hooks_and_engines(fakes, capsys):
    _, config = fakes(QUESTION)
    assert cli.main(["-c", str(config), "plugins", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["plugins"]}
    fake = rows["vaani.testing.from_env"]
    assert {"vaani_engines", "vaani_handle"} <= set(fake["hooks"])
    assert "asr:fake" in fake["engines"] and not fake["disabled"]
    assert cli.main(["-c", str(config), "plugins"]) == 0
    out = capsys.readouterr().out
    assert "vaani.testing.from_env  [ok]" in out and "engines: " in out


def test_bench_without_a_name_shows_help(capsys):
    assert cli.main(["bench"]) == 2
    assert "latency" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["config.toml", "hindi.toml", "english-fast.toml", "headless.toml",
                                  "route-english.toml", "qwen-pair.toml"])
def test_example_configs_are_valid(name):
    from pathlib import Path

    from vaani import config as config_mod
    config = config_mod.load(Path(__file__).parent.parent / "examples" / name)
    assert config.vad.hangover_ms <= 300


def test_the_commented_example_lists_every_key_with_its_default():
    import tomllib
    from dataclasses import asdict
    from pathlib import Path

    from vaani import config as config_mod
    path = Path(__file__).parent.parent / "examples" / "config.toml"
    example = tomllib.loads(path.read_text())
    defaults = asdict(config_mod.from_dict({}))
    for section, table in example.items():
        for key, value in table.items():
            if key != "voices":
                assert defaults[section][key] == value, f"{section}.{key}"
    missing = [f"{s}.{k}" for s, t in defaults.items() if isinstance(t, dict)
               for k in t if s in example and k not in example[s] and k not in ("system_prompt", "options")]
    assert missing == []


def test_run_on_a_ten_minute_file_streams_it_and_finds_the_question(fakes, tmp_path, capsys):
    import tracemalloc

    question = Script().say("what time is it", 0.9)
    # the knowledge skill loads its dictionaries on a thread of its own, finishing during a
    # long run and not a short one: kept out, so what is measured is the streaming alone
    wav, config = fakes(question, CLOCK, plugins={"disabled": ["knowledge"]})
    long = tmp_path / "long.wav"
    with sf.SoundFile(long, "w", samplerate=16000, channels=1, subtype="PCM_16") as f:
        for _ in range(59):
            f.write(np.zeros(160000, np.float32))         # 9 min 50 s of silence
        f.write(np.concatenate([question.audio, np.zeros(16000 * 2, np.float32)]))

    def peak(path) -> int:
        tracemalloc.start()
        assert cli.main(["-c", str(config), "run", "-i", str(path), "--json"]) == 0
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    peak(wav)                                             # imports and caches, once
    capsys.readouterr()
    short = peak(wav)                                     # a 1 s file: what the skills load
    capsys.readouterr()
    ten_minutes = peak(long)
    (turn,) = json.loads(capsys.readouterr().out)["turns"]
    assert turn["reply"] == "It is ten o'clock." and turn["speech_end_at"] > 590
    # the whole file is 19 MB as int16, 38 MB as float32; streaming adds no more than a block
    assert ten_minutes - short < 8_000_000, f"{ten_minutes} vs {short} bytes: the file was held"


# -- a timer set by a one-shot command (vaani/commands/pending.py) -------------------------

TIMER_1S = "set a timer for 1 second"


def test_ask_waits_for_the_timer_it_set_then_prints_and_speaks_it(fakes, tmp_path, capsys):
    import time

    # 3 s, not 1: on a loaded machine a 1 s timer could ring before the wait began (it is
    # then spoken all the same, but the "waiting" line this test reads is not printed)
    timer = "set a timer for 3 seconds"
    _, config = fakes(QUESTION)
    quick = tmp_path / "quick.wav"
    assert cli.main(["-c", str(config), "ask", timer, "-o", str(quick), "--no-wait"]) == 0
    capsys.readouterr()
    out = tmp_path / "waited.wav"
    start = time.monotonic()
    assert cli.main(["-c", str(config), "ask", timer, "-o", str(out)]) == 0
    elapsed = time.monotonic() - start
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Timer set for 3 seconds."
    assert lines[1].startswith("waiting for the 3 second timer to ring in ")
    assert lines[2] == "[timer] Your 3 second timer is done."
    assert elapsed >= 2.9
    # the notification was spoken into --output after the reply
    assert sf.info(out).frames > sf.info(quick).frames > 0


def test_ask_json_waits_and_reports_the_notification(fakes, capsys):
    _, config = fakes(QUESTION)
    assert cli.main(["-c", str(config), "ask", TIMER_1S, "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)                   # stdout stays one JSON document
    assert result["reply"] == "Timer set for 1 second."
    assert result["notifications"] == [{"text": "Your 1 second timer is done.",
                                         "language": "en", "source": "timer"}]
    assert result["not_rung"] == [] and "waiting for the 1 second timer" in captured.err


def test_ask_no_wait_says_one_shot_mode_cannot_ring_the_timer(fakes, capsys):
    import time

    _, config = fakes(QUESTION)
    start = time.monotonic()
    assert cli.main(["-c", str(config), "ask", "set a timer for 2 minutes", "--no-wait"]) == 0
    assert time.monotonic() - start < 60
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Timer set for 2 minutes."
    assert lines[1].startswith("one-shot mode cannot ring the 2 minute timer (due in 2 min)")
    assert "use `vaani listen`" in lines[1] and "waiting" not in "\n".join(lines)
    assert cli.main(["-c", str(config), "ask", "set a timer for 2 minutes", "--no-wait",
                     "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["notifications"] == []
    assert [r["what"] for r in result["not_rung"]] == ["the 2 minute timer"]
    assert 115 <= result["not_rung"][0]["due_in_s"] <= 120


def test_ask_without_a_timer_does_not_wait(fakes, capsys):
    _, config = fakes(QUESTION, CLOCK)
    assert cli.main(["-c", str(config), "ask", "what time is it"]) == 0
    assert capsys.readouterr().out == "It is ten o'clock.\n"


@pytest.mark.xfail(strict=False, reason="failed once in a full run on 2026-12-05 (no exit within "
                   "20 s of SIGINT) and passed in every run since, alone and after every file "
                   "before it: kept running, not yet trusted to gate CI")
def test_ctrl_c_while_waiting_for_a_timer_cancels_cleanly(fakes, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    _, config = fakes(QUESTION)
    proc = subprocess.Popen([sys.executable, "-m", "vaani", "-c", str(config), "ask",
                             "set a timer for 2 minutes"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        first = [proc.stdout.readline(), proc.stdout.readline()]
        assert first == ["Timer set for 2 minutes.\n",
                         "waiting for the 2 minute timer to ring in 2 min (Ctrl-C cancels)\n"]
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 130 and time.monotonic() - start < 10
    assert out == "cancelled: the 2 minute timer will not ring\n"
    assert "Traceback" not in err


def test_run_waits_for_a_timer_the_question_set(fakes, capsys):
    script = Script().silence(0.4).say(TIMER_1S, 0.9).silence(1.0)
    wav, config = fakes(script)
    assert cli.main(["-c", str(config), "run", "-i", str(wav)]) == 0
    text = capsys.readouterr().out
    assert "reply (plugin:timer): Timer set for 1 second." in text
    assert text.index("waiting for the 1 second timer") < text.index(
        "[timer] Your 1 second timer is done.")


# -- why a turn was ignored ------------------------------------------------------------------

MUMBLE = Script().silence(0.4).say("a", 0.9).silence(1.0)     # one letter: too short


def test_run_says_in_words_why_a_turn_was_ignored(fakes, capsys):
    wav, config = fakes(MUMBLE, {"": "I answer everything"})
    assert cli.main(["-c", str(config), "run", "-i", str(wav)]) == 0
    text = capsys.readouterr().out
    assert "heard (en): a\nignored: too short to be a request\n" in text
    assert "reply (" not in text
    assert cli.main(["-c", str(config), "run", "-i", str(wav), "--json"]) == 0
    (turn,) = json.loads(capsys.readouterr().out)["turns"]
    assert (turn["outcome"], turn["rejected"], turn["rejected_why"]) == (
        "rejected", "too_short", "too short to be a request")


def test_listen_says_why_a_turn_was_ignored(fakes, monkeypatch, capsys):
    script = Script().silence(0.3).wake().silence(0.2).say("a", 0.8).silence(1.0)
    _, config = fakes(script)

    class Mic(ArraySource):
        def __init__(self, device="", block_ms=32):
            super().__init__(script.audio, realtime=False, name="mic:fake")

        def __iter__(self):
            yield from super().__iter__()
            raise KeyboardInterrupt

    monkeypatch.setattr("vaani.commands.listen.MicrophoneSource", Mic)
    monkeypatch.setattr("vaani.commands.listen.SpeakerSink", lambda *a, **k: MemorySink())
    assert cli.main(["-c", str(config), "listen"]) == 0
    assert "[ignored: too short to be a request] (heard: a)" in capsys.readouterr().out
    assert cli.main(["-c", str(config), "listen", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (rejected,) = [e for e in lines if e["kind"] == "Transcript" and e["rejected"]]
    assert rejected["rejected_why"] == "too short to be a request"


def test_every_rejection_reason_has_words_for_the_user():
    """One mapping (vaani/trace.py) covers every code the filter and the ASR guard give."""
    import inspect
    import re

    import vaani_whisper
    from vaani.stages.transcript import TranscriptFilter
    from vaani.trace import REJECTED_WHY, rejected_why

    codes = set()
    for fn in (TranscriptFilter.process, vaani_whisper.judge):
        codes |= set(re.findall(r'return "([a-z_]+)"', inspect.getsource(fn)))
    codes |= set(re.findall(r'rejected="([a-z_]+)"', inspect.getsource(vaani_whisper)))
    assert {"no_speech", "too_short", "hallucination", "echo", "wrong_script",
            "silence"} <= codes
    assert codes - set(REJECTED_WHY) == set()
    assert all(rejected_why(c) and "_" not in rejected_why(c) for c in codes)
    assert rejected_why("") == "" and rejected_why("new_code") == (
        "the transcript was not used (new code)")


# -- vaani serve -------------------------------------------------------------------------------

def test_serve_on_a_taken_port_fails_before_the_banner_and_names_the_port(
        monkeypatch, capsys, data_dir):
    import socket

    import vaani.commands.serve as serve_cmd

    def no_model(*args, **kwargs):
        raise AssertionError("the model must not load when the port is taken")

    monkeypatch.setattr(serve_cmd, "build_engine", no_model)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(["serve", "--port", str(port)])
    captured = capsys.readouterr()
    assert code != 0 and captured.out == ""                  # no banner
    assert f"port {port}" in captured.err and "already in use" in captured.err
    assert "--port" in captured.err
