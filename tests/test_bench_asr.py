"""`vaani bench asr`: its scoring, its sentence sets and its checks of skill answers (no models)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from vaani.bench import asr


def test_normalize_folds_case_punctuation_and_digits():
    assert asr.normalize("  What's the TIME?! ") == "what s the time"
    assert asr.normalize("अभी क्या समय हुआ है?") == "अभी क्या समय हुआ है"
    assert asr.normalize("५ मिनट") == "5 मिनट"


def test_alternatives_expand_word_by_word():
    assert asr.expand("{पाँच|5} {मिनट|minute} का") == [
        "पाँच मिनट का", "पाँच minute का", "5 मिनट का", "5 minute का"]
    assert asr.expand("no braces") == ["no braces"]


@pytest.mark.parametrize("hyp, ref, cer, wer", [
    ("abc", "abc", 0.0, 0.0),
    ("abd", "abc", 1 / 3, 1.0),
    ("", "ab cd", 1.0, 1.0),
    ("ab cd ef", "ab cd", 3 / 5, 0.5),
])
def test_cer_and_wer(hyp, ref, cer, wer):
    assert asr.cer(hyp, ref) == pytest.approx(cer)
    assert asr.wer(hyp, ref) == pytest.approx(wer)


def test_either_script_is_accepted_where_the_reference_says_so():
    refs = ("{पाँच|5} {मिनट|minute} का {टाइमर|timer} लगाओ",)
    assert asr.score("5 minute का timer लगाओ", refs)["cer"] == 0.0
    assert asr.score("पाँच मिनट का टाइमर लगाओ।", refs)["cer"] == 0.0
    assert asr.score("पांच मिनट का टाइमर लगाओ", refs)["cer"] > 0      # a spelling is an error
    # Hinglish: a romanised reference counts as well
    s = asr.Sentence("hinglish", "टाइम क्या हुआ है?", ("{टाइम|time} क्या हुआ है",
                                                       "time kya hua hai"))
    assert asr.score("Time kya hua hai?", s.references())["wer"] == 0.0


def test_transliteration_invariant_cer_credits_romanised_hindi():
    ref = ("अभी क्या समय हुआ है?",)
    romanised = asr.score("abhi kya samay hua hai", ref)
    assert romanised["cer"] >= 1.0 and romanised["cer_translit"] == 0.0
    assert asr.score("अभी क्या समय हुआ है", ref)["cer_translit"] == 0.0
    assert asr.romanize("समय") == "samay" and asr.romanize("मिनट") == "minat"
    assert asr.score("Gyaa saa mea hoa ah hai", ref)["cer_translit"] > 0.3


def test_the_reported_and_the_tuning_sentences_do_not_overlap():
    test = {s.text for s in asr.TEST}
    dev = {s.text for s in asr.DEV}
    assert not test & dev
    assert not {c.text for c in asr.COMMANDS["test"]} & {c.text for c in asr.COMMANDS["dev"]}
    kinds = [s.kind for s in asr.TEST]
    # at least 80 utterances: every sentence in two voices, plus the human clips
    assert 2 * len(kinds) >= 80 and {"hi", "en", "hinglish"} == set(kinds)
    for s in asr.TEST + asr.DEV:
        assert all(asr.expand(r) for r in s.references())
        assert s.kind != "hinglish" or len(s.references()) == 2


def test_human_clips_come_with_debian_transcripts():
    if not asr.PS_DATA.is_dir():
        pytest.skip("pocketsphinx-testdata is not installed")
    clips = asr.human_clips("test")
    assert ("goforward.raw", asr.PS_DATA / "goforward.raw", "go forward ten meters") in clips
    assert len(clips) >= 11 and all(text for _, _, text in clips)
    audio = asr.read_human(asr.PS_DATA / "goforward.raw")
    assert 2.5 < len(audio) / 16000 < 3.0 and 0.05 < abs(audio).max() <= 1.0
    assert {name for name, _, _ in asr.human_clips("dev")}.isdisjoint(
        {name for name, _, _ in clips})


def _turn(source, **data):
    return SimpleNamespace(source=source, data=data, outcome="answered")


def test_a_command_counts_only_with_the_expected_answer():
    today = date(2025, 8, 15)
    clock = asr.Command("कल कौन सा दिन होगा?", "clock", ("day", 1))
    assert asr.check_command(clock, _turn("plugin:clock", intent="day", date="2025-08-16"),
                             today) == ""
    assert asr.check_command(clock, _turn("plugin:clock", intent="day", date="2025-08-14"),
                             today) == "date 2025-08-14"
    assert asr.check_command(clock, _turn("llm"), today).startswith("answered by llm")
    assert asr.check_command(clock, None, today) == "no turn"
    timer = asr.Command("पाँच मिनट का टाइमर लगाओ।", "timer", 300)
    assert asr.check_command(timer, _turn("plugin:timer", action="set", seconds=300), today) == ""
    assert asr.check_command(timer, _turn("plugin:timer", action="set", seconds=500), today)
    calc = asr.Command("पच्चीस गुणा चार", "calculator", 100)
    assert asr.check_command(calc, _turn("plugin:calculator", value=100), today) == ""
    assert asr.check_command(calc, _turn("plugin:calculator", value=29), today) == "value 29"


def test_systems_from_the_command_line():
    name, options = asr.parse_system("p:hindi_prompt=जी, बताइए।;hindi_beam_size=3;x=true")
    assert name == "p" and options == {"hindi_prompt": "जी, बताइए।", "hindi_beam_size": 3,
                                       "x": True}
    assert asr.parse_system("plain:") == ("plain", {})
    with pytest.raises(SystemExit):
        asr.parse_system("bad:nokey")


def test_summaries_ratios_and_goals():
    def row(system, kind, voice, cer, ok, ms):
        return {"system": system, "mode": "auto", "kind": kind, "voice": voice, "cer": cer,
                "wer": cer, "cer_translit": cer, "language_ok": ok, "rejected": "", "ms": ms}

    rows = [row("old", "hi", "festival:hindi_NSK_diphone", 1.0, False, 100),
            row("old", "en", "piper", 0.0, True, 100),
            row("new", "hi", "festival:hindi_NSK_diphone", 0.4, True, 200),
            row("new", "en", "piper", 0.0, True, 100)]
    report = {"summary": {}, "commands": {
        "old": asr.summarize_commands([{"voice": "f", "skill": "clock", "hinglish": False,
                                        "correct": False}]),
        "new": asr.summarize_commands([{"voice": "f", "skill": "clock", "hinglish": False,
                                        "correct": True}])}}
    for name in ("old", "new"):
        report["summary"][name] = {"auto": asr.summarize([r for r in rows
                                                          if r["system"] == name])}
    ratios = asr.ratios(report, "new", "old")
    assert ratios["auto"]["hi/festival:hindi_NSK_diphone"]["cer"] == 0.4
    assert ratios["auto"]["all"]["language_id"] == 2.0
    goals = asr.goals(report, "new")
    missed = goals["hindi_cer_festival"]
    assert {k: missed[k] for k in ("value", "target", "met", "missed_by")} == {
        "value": 0.4, "target": 0.3, "met": False, "missed_by": 0.1}
    assert "whisper-base" in missed["why"] and "why" not in goals["language_id"]
    assert goals["language_id"]["met"] and goals["hindi_skills"]["met"]
