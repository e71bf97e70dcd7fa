"""A whole turn with the network blocked: nothing may even try to connect."""

import socket

import pytest

from vaani.audio import ArraySource, NullSink
from vaani.offline import BlockedConnection, block_network
from vaani.testing import Script, ScriptedSkill, rig


def test_the_guard_sees_an_attempt():
    """Negative control: the guard in this process does catch a connection attempt."""
    with block_network() as guard:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with pytest.raises(BlockedConnection):
            s.connect(("192.0.2.1", 80))            # TEST-NET-1: never reachable anyway
        s.close()
    assert [a.kind for a in guard.attempts] == ["connect"]


def test_a_turn_on_fake_engines_attempts_no_connection():
    s = (Script().silence(0.3).say("what time is it", 0.8).silence(1.0)
         .say("tell me a joke", 0.8).silence(1.0))
    with block_network() as guard:
        r = rig(s, plugins=(ScriptedSkill({"what time": "Ten o'clock."}),))
        turns = r.pipeline.run(ArraySource(s.audio))
    assert [t.source for t in turns] == ["plugin:p0_scriptedskill", "llm"]
    assert guard.attempts == []


@pytest.mark.models
@pytest.mark.slow
def test_a_real_turn_loads_and_answers_without_the_network(require_models, tmp_path):
    """Models are loaded, warmed and used with every socket call blocked: a spoken question
    goes through VAD, Whisper, the plugins, the LLM and TTS."""
    import shutil

    from vaani import config as config_mod
    from vaani.assistant import Assistant
    from vaani.speech_fixtures import synthesize_utterance

    require_models("silero-vad", "whisper-base", "whisper-tiny-en", "piper-en-joe",
                           "chimera-v3")
    config = config_mod.from_dict({"assistant": {"language": "en", "follow_up_s": 0.0},
                                   "trace": {"path": str(tmp_path / "trace.jsonl")}})
    question = synthesize_utterance("Tell me a fun fact about the moon.", "en", lead_s=0.3,
                                    tail_s=1.2)
    with block_network() as guard:
        with Assistant(config, sink=NullSink(), needs=("vad", "asr", "llm", "tts"),
                       require_wake_word=False) as assistant:
            (turn,) = assistant.pipeline.run(ArraySource(question.audio), max_turns=1)
    assert "moon" in turn.transcript.lower()
    assert turn.outcome == "answered" and turn.reply.strip()
    assert guard.attempts == [], guard.attempts
    assert shutil.which("true")                      # (the guard is gone again)
