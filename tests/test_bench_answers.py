"""`vaani bench answers`: the question sets, every grading rule on hand-written replies, and
the runner on fake engines with the real skills."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from vaani import cli
from vaani import config as config_mod
from vaani.assistant import Assistant
from vaani.bench import answers as A
from vaani.testing import FakeEngines, FakeLlm, fake_config

IST = timezone(timedelta(hours=5, minutes=30))
FRIDAY_1746 = datetime(2026, 12, 4, 17, 46, 10, tzinfo=IST)      # a Friday, 5:46 pm


def at(t: datetime = FRIDAY_1746) -> A.Asked:
    return A.Asked(t, t + timedelta(seconds=1))


HELD = {i.id: i for i in A.load_items("heldout")}


def by_question(question: str, set_name: str = "heldout") -> A.Item:
    items = HELD.values() if set_name == "heldout" else A.load_items(set_name)
    (item,) = [i for i in items if i.question == question]
    return item


def g(item: A.Item, reply: str, data=None, when: datetime = FRIDAY_1746) -> str:
    return A.grade(item, reply, data or {}, at(when)).grade


# -- the sets -------------------------------------------------------------------------------

def test_sets_are_large_balanced_and_disjoint():
    held, cal = A.load_items("heldout"), A.load_items("calibration")
    assert len(held) >= 200 and len(cal) >= 120
    for items, least in ((held, 8), (cal, 5)):
        cells = {(i.language, i.kind) for i in items}
        assert cells == {(lang, k) for lang in A.LANGUAGES for k in A.KINDS}
        for lang in A.LANGUAGES:
            for k in A.KINDS:
                assert sum(i.language == lang and i.kind == k for i in items) >= least
    assert not {i.question.casefold() for i in held} & {i.question.casefold() for i in cal}
    assert not {i.id for i in held} & {i.id for i in cal}


def test_questions_are_in_their_language_and_script():
    for item in A.load_items("heldout") + A.load_items("calibration"):
        deva, latin = A._letters(item.question)
        if item.language == "hi":
            assert deva and not latin, item.id
        else:
            assert latin and not deva, item.id
        assert len(item.question.split()) >= 3, item.id      # distinctive enough to filter


def test_a_malformed_item_is_refused():
    with pytest.raises(ValueError, match="needs 'value'"):
        A.Item.from_dict({"id": "x", "language": "en", "kind": "arithmetic",
                          "question": "what is two plus two", "rule": "number"})
    with pytest.raises(ValueError, match="unknown kind"):
        A.Item.from_dict({"id": "x", "language": "en", "kind": "poetry",
                          "question": "q q q", "rule": "decline"})


def test_the_sets_ship_as_package_data():
    text = Path(__file__).parents[1].joinpath("pyproject.toml").read_text()
    assert '"vaani.bench" = ["data/*.jsonl"]' in text
    assert A.set_path("heldout").is_file() and A.set_path("calibration").is_file()


def test_select_filters_and_limits_per_language_and_kind():
    items = A.select(A.load_items("heldout"), languages=["en", "hi"], kinds=["tool"], limit=2)
    assert [(i.language, i.kind) for i in items] == [("hi", "tool")] * 2 + [("en", "tool")] * 2


# -- grading ----------------------------------------------------------------------------------

def test_numbers_are_compared_by_value_in_any_language():
    en = by_question("What is seventy two times four?")
    hi = by_question("बहत्तर गुणा चार कितना होता है?")
    hg = by_question("Bahattar guna char kitna hota hai?")
    assert g(en, "72 times 4 is 288.") == "correct"
    assert g(en, "Seventy-two times four is two hundred eighty-eight.") == "correct"
    assert g(hi, "बहत्तर गुणा चार बराबर दो सौ अठासी।") == "correct"
    assert g(hi, "जवाब है 288।") == "correct"
    assert g(hg, "Jawab hai do sau athasi.") == "correct"
    assert g(hg, "बहत्तर गुणा चार बराबर दो सौ अट्ठासी।") == "correct"     # Hindi in Devanagari
    assert g(hi, "बहत्तर गुणा चार बराबर दो सौ अस्सी।") == "wrong"          # 280
    assert g(en, "It is 278.") == "wrong"
    assert g(en, "It is 288, or maybe 290.") == "wrong"                     # a stray number
    problem = by_question("Riya reads fifteen pages a day. How many pages does she read in a week?")
    assert g(problem, "15 x 7 = 105 pages.") == "correct"                    # allowed step
    noon = by_question("If a train leaves at nine in the morning and the journey takes three "
                       "hours, when does it arrive?")
    assert g(noon, "It arrives at noon.") == "correct"


def test_honest_abstentions():
    fr = by_question("फ़्रांस की राजधानी कौन सी है?")
    assert g(fr, "मुझे नहीं पता।") == "abstained"
    assert g(fr, "मुझे नहीं पता, शायद लंदन।") == "wrong"          # a decline that still misleads
    assert g(fr, "माफ़ कीजिए, यह मैं अभी नहीं कर सकती।") == "abstained"
    assert g(fr, "माफ़ कीजिए, मैं अभी इसका जवाब नहीं दे सकती।", {"abstained": "low_confidence"}) == "abstained"
    en = by_question("What is the capital city of France?")
    assert g(en, "I don't know that one yet.") == "abstained"
    assert g(en, "Sorry, I can't answer that offline yet.") == "abstained"
    hg = by_question("France ki rajdhani kaunsi hai?")
    assert g(hg, "Mujhe nahi pata.") == "abstained"
    r = A.grade(fr, "मुझे नहीं पता।", {"abstained": "low_confidence"}, at())
    assert r.grade == "abstained" and "low_confidence" in r.reason


def test_answers_need_an_accepted_form_and_no_rejected_one():
    en = by_question("What is the capital city of France?")
    assert g(en, "The capital of France is Paris.") == "correct"
    assert g(en, "London.") == "wrong"
    assert g(en, "It is Paris or London.") == "wrong"
    assert g(by_question("फ़्रांस की राजधानी कौन सी है?"), "फ़्रांस की राजधानी पेरिस है।") == "correct"
    heavy = by_question("Which is heavier, a kilogram of cotton or a kilogram of iron?")
    assert g(heavy, "Both weigh the same, one kilogram.") == "correct"
    assert g(heavy, "Iron is heavier.") == "wrong"


def test_claimed_actions_without_a_tool_are_wrong():
    timer = by_question("Set a ninety second timer.")
    assert g(timer, "Timer set for 90 seconds.") == "wrong"                  # nothing was set
    assert g(timer, "Timer set for 90 seconds.",
             {"action": "set", "id": 1, "seconds": 90, "label": ""}) == "correct"
    assert g(timer, "Timer set for 1 minute 30 seconds.",
             {"action": "set", "id": 1, "seconds": 90, "label": ""}) == "correct"
    assert g(timer, "Timer set for 60 seconds.",
             {"action": "set", "id": 1, "seconds": 60, "label": ""}) == "wrong"
    assert g(timer, "Okay.", {"action": "set", "id": 1, "seconds": 90}) == "wrong"  # not said
    tool = {"tool_calls": [{"name": "timer", "arguments": {"seconds": 90},
                            "result": {"ok": True, "timer_id": 3, "ends_at": "17:47:40"}}]}
    assert g(timer, "Okay, your timer for 90 seconds is set.", tool) == "correct"
    hi = by_question("डेढ़ मिनट का टाइमर चालू कर दो।")
    assert g(hi, "डेढ़ मिनट का टाइमर लगा दिया है।", {"action": "set", "seconds": 90}) == "correct"
    assert g(hi, "डेढ़ मिनट का टाइमर लगा दिया है।") == "wrong"
    assert g(hi, "। के लिए डेढ़ मिनट का टाइमर लगा दिया है।", {"action": "set", "seconds": 90}) == "wrong"
    fact = by_question("What is the capital city of France?")
    assert g(fact, "Paris. I have set a reminder for you.") == "wrong"
    assert g(fact, "Paris.", {"action": "set", "seconds": 60}) == "wrong"   # a timer nobody asked for


def test_out_of_scope_is_correct_only_when_declined():
    weather = by_question("What will the weather be like in Pune this afternoon?")
    assert g(weather, "It is sunny and 31 degrees in Pune.") == "wrong"
    assert g(weather, "Sorry, I can't check the weather offline.") == "correct"
    assert g(weather, "कुछ भी।", {"abstained": "live_information"}) == "wrong"  # wrong language
    assert g(weather, "I can't check live weather.", {"abstained": "live_information"}) == "correct"
    pm = by_question("Who is the current Prime Minister of India?")
    assert g(pm, "I don't know for sure, but it is Narendra Modi.") == "wrong"
    assert g(pm, "I can't tell who holds an office today, I work offline.") == "correct"
    alarm = by_question("Set an alarm for six thirty tomorrow morning.")   # the alarms skill's
    assert g(alarm, "Okay, your alarm is set for 6:30.") == "wrong"        # nothing was set
    assert g(alarm, "Sorry, I can't set alarms, only timers.") == "abstained"
    tool = {"tool_calls": [{"name": "timer", "arguments": {"minutes": 30},
                            "result": {"ok": True, "timer_id": 1, "ends_at": "18:16:10"}}]}
    assert g(alarm, "Sorry, I can't set alarms.", tool) == "wrong"           # but set a timer
    price = by_question("दिल्ली में आज पेट्रोल का भाव क्या है?")
    assert g(price, "मैं आज का भाव नहीं बता सकती, पर कल 95 रुपये था।") == "wrong"
    assert g(price, "माफ़ कीजिए, मैं पेट्रोल का भाव नहीं बता सकती।") == "correct"
    hg = by_question("Kal India ke cricket match ka score kya raha?")
    assert g(hg, "India ne match 20 run se jeeta.") == "wrong"
    assert g(hg, "Sorry, main offline hoon, score nahi bata sakti.") == "correct"


def test_wrong_language_or_script_is_wrong():
    hi = by_question("फ़्रांस की राजधानी कौन सी है?")
    en = by_question("What is the capital city of France?")
    hg = by_question("France ki rajdhani kaunsi hai?")
    assert g(hi, "Paris.") == "wrong"
    assert g(hi, "France ki rajdhani Paris hai.") == "wrong"            # romanised, not Devanagari
    assert g(en, "पेरिस।") == "wrong"
    assert g(en, "France ki rajdhani Paris hai.") == "wrong"
    assert g(hg, "France ki rajdhani Paris hai.") == "correct"
    assert g(hg, "फ़्रांस की राजधानी पेरिस है।") == "correct"
    assert g(hg, "The capital of France is Paris.") == "wrong"
    assert g(en, "") == "wrong" and g(en, "   ") == "wrong"


def test_the_time_is_graded_against_the_clock_when_asked():
    en = by_question("Could you tell me the time right now, VAANI?")
    hi = by_question("अभी घड़ी में कितने बजे हैं?")
    hg = by_question("Abhi ghadi mein kitne baje hain?")
    assert g(en, "It's 5:46 PM.") == "correct"
    assert g(en, "It's 5:47 PM.") == "correct"                # within a minute
    assert g(en, "It's five forty-six P M.") == "correct"
    assert g(en, "It's 17:46.") == "correct"
    assert g(en, "It's 5:46 AM.") == "wrong"
    assert g(en, "It's 5:50 PM.") == "wrong"
    assert g(en, "It is evening.") == "wrong"                 # no time stated
    assert g(hi, "अभी शाम के पाँच बजकर छियालीस मिनट हुए हैं।") == "correct"
    assert g(hi, "अभी सुबह के पाँच बजकर छियालीस मिनट हुए हैं।") == "wrong"   # wrong part of day
    assert g(hi, "अभी पौने छह बजे हैं।") == "correct"                   # 5:45 at 5:46: one off
    assert g(hi, "अभी पौने छह बजे हैं।", when=FRIDAY_1746 + timedelta(minutes=1)) == "wrong"
    assert g(hg, "Abhi shaam ke paanch bajkar chhiyalis minute hue hain.") == "correct"


def test_dates_and_weekdays():
    tomorrow = by_question("What will be the date tomorrow?")
    assert g(tomorrow, "Tomorrow is Saturday, December 5, 2026.") == "correct"
    assert g(tomorrow, "Tomorrow is the 5th of December.") == "correct"
    assert g(tomorrow, "Tomorrow is Saturday, December 6, 2026.") == "wrong"
    assert g(tomorrow, "Tomorrow is Sunday, December 5, 2026.") == "wrong"
    today_hi = by_question("आज की तारीख क्या है, बताइए?")
    assert g(today_hi, "आज शुक्रवार, 4 दिसंबर 2026 है।") == "correct"
    assert g(today_hi, "आज चार दिसम्बर है।") == "correct"
    assert g(today_hi, "आज 4 नवंबर है।") == "wrong"
    day = by_question("कल कौन सा दिन होगा?")
    assert g(day, "कल शनिवार होगा।") == "correct"
    assert g(day, "कल रविवार होगा।") == "wrong"
    assert g(day, "आज शुक्रवार है, तो कल शनिवार होगा।") == "correct"
    monday = by_question("If today is Monday, what day is it after two days?")
    assert g(monday, "If today is Monday, in two days it will be Wednesday.") == "correct"
    assert g(monday, "Tuesday.") == "wrong"
    assert g(monday, "Tuesday or Wednesday.") == "wrong"


def test_chit_chat_must_fit_and_claim_nothing_false():
    morning = by_question("Good morning, how are you feeling today?")
    nine_am = FRIDAY_1746.replace(hour=9)
    assert g(morning, "Good morning! I'm doing well, thank you.", when=nine_am) == "correct"
    assert g(morning, "Good morning! I'm doing well, thank you.") == "wrong"      # at 5:46 pm
    assert g(morning, "Hello! I'm doing well, thank you.") == "correct"
    assert g(morning, "The capital of France is Paris.") == "wrong"
    can = by_question("What can you do for me offline?")
    assert g(can, "I can tell the time and date, set timers and do calculations.") == "correct"
    assert g(can, "I can tell you the weather and read the news.") == "wrong"
    assert g(can, "I can set timers, but I can't check the weather.") == "correct"
    who = by_question("तुम कौन हो और तुम्हारा नाम क्या है?")
    assert g(who, "मैं वाणी हूँ, आपकी वॉइस असिस्टेंट।") == "correct"
    assert g(who, "I am VAANI.") == "wrong"


def test_patterns_catch_declines_and_claims_but_not_plain_answers():
    for text in ("Sorry, I can't do that right now.", "माफ़ कीजिए, यह मैं अभी नहीं कर सकती।",
                 "Mujhe nahi pata.", "मैं यह नहीं बता सकती।", "I'm not sure."):
        assert A.declines(text), text
    for text in ("Timer set for 5 minutes.", "ठीक है, दस मिनट का टाइमर लगा दिया है।",
                 "Theek hai, timer laga diya.", "I'll remind you tomorrow.", "Your email was sent.",
                 "Playing Kishore Kumar now.", "हो गया! पाँच मिनट बाद मैं बता दूँगी।",
                 "एक मिनट का टाइमर लग गया है।", "Do minute ka timer start ho gaya."):
        assert A.claims(text), text
    for text in ("The capital of France is Paris.", "Jaipur is called the Pink City.",
                 "72 times 4 is 288.", "अभी शाम के पाँच बजे हैं।"):
        assert not A.declines(text) and not A.claims(text), text


# -- the runner -------------------------------------------------------------------------------

def _skills():
    import vaani_calculator
    import vaani_clock
    import vaani_timer

    return [("clock", vaani_clock), ("timer", vaani_timer), ("calculator", vaani_calculator)]


def test_runner_asks_through_the_pipeline_grades_and_cancels_timers():
    import vaani_timer

    def reply(user: str) -> str:
        if "France" in user:
            return "Paris."
        if "Prime Minister" in user:
            return "Sorry, I can't answer that offline."
        if "फ़्रांस" in user:
            return "लंदन।"
        return "I have set it."

    llm = FakeLlm(reply, first_token_s=0.0, token_s=0.0)
    config = config_mod.from_dict(fake_config(guard={"enabled": False}))
    items = [by_question(q) for q in (
        "Could you tell me the time right now, VAANI?", "Set a ninety second timer.",
        "What is the capital city of France?", "Who is the current Prime Minister of India?",
        "फ़्रांस की राजधानी कौन सी है?", "Remind me to pay the electricity bill on Monday.")]
    with Assistant(config, needs=("llm",), extra_plugins=[("f", FakeEngines(llm=llm)), *_skills()],
                   entry_points=False, models=object(), trace=False) as assistant:
        records = A.ask_items(assistant, items, "baseline")
        assert vaani_timer._get().service.pending() == []       # the bench's timer is gone
    got = {r.question: (r.grade, r.source) for r in records}
    assert got == {
        "Could you tell me the time right now, VAANI?": ("correct", "plugin:clock"),
        "Set a ninety second timer.": ("correct", "plugin:timer"),
        "What is the capital city of France?": ("correct", "llm"),
        "Who is the current Prime Minister of India?": ("correct", "llm"),
        "फ़्रांस की राजधानी कौन सी है?": ("wrong", "llm"),
        "Remind me to pay the electricity bill on Monday.": ("wrong", "llm"),
    }
    timer = next(r for r in records if r.question == "Set a ninety second timer.")
    assert timer.data["seconds"] == 90 and timer.latency_ms >= 0
    # history never leaks from one question into the next
    for messages in llm.calls:
        assert sum(m["role"] == "user" for m in messages) == 1
    assert all(not r.errors for r in records)
    summary = A.summarize(records)["baseline"]
    assert summary["overall"]["n"] == 6 and summary["overall"]["wrong"] == 2
    assert summary["by_language"]["hi"]["wrong_rate"] == 1.0
    assert summary["by_source"]["llm"]["n"] == 4


def test_summary_and_comparison():
    def rec(mode, grade, lang="en", kind="knowledge", ms=100.0, source="llm"):
        return A.Record("heldout", mode, "x", lang, kind, "answer", "q", "r", grade, "", source,
                        "answered", ms, "")
    records = ([rec("baseline", "wrong")] * 3 + [rec("baseline", "correct")]
               + [rec("guarded", "abstained", ms=50.0)] * 3 + [rec("guarded", "correct", ms=50.0)])
    s = A.summarize(records)
    assert list(s) == ["guarded", "baseline"]
    assert s["baseline"]["overall"]["wrong_rate"] == 0.75 and not s["baseline"]["meets_goal"]
    assert s["guarded"]["meets_goal"]
    c = A.compare(s)
    assert c["overall"]["wrong"]["difference"] == -0.75
    assert c["overall"]["abstained"]["guarded"] == 0.75
    assert c["overall"]["latency_p50_ratio"] == 0.5
    assert "overall" in A._table(s)


@pytest.fixture
def fake_cli(tmp_path, monkeypatch, data_dir):
    spec = tmp_path / "fake.json"
    spec.write_text(json.dumps({"llm": "This is a fake answer."}))
    monkeypatch.setenv("VAANI_PLUGINS", "vaani.testing:from_env")
    monkeypatch.setenv("VAANI_FAKE_SCRIPT", str(spec))
    cfg = tmp_path / "config.toml"
    lines = []
    for section, table in fake_config().items():
        lines.append(f"[{section}]")
        for key, value in table.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


def test_the_command_runs_baseline_beside_guarded_and_writes_the_report(fake_cli, tmp_path, capsys):
    out = tmp_path / "answers.json"
    assert cli.main(["-c", str(fake_cli), "bench", "answers", "--baseline", "--limit", "1",
                     "--languages", "en", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["set"] == "heldout" and report["questions"] == len(A.KINDS)
    assert set(report["summary"]) == {"guarded", "baseline"}
    assert report["setup"]["baseline"]["guard"]["enabled"] is False
    assert report["setup"]["guarded"]["guard"]["enabled"] is True
    assert len(report["records"]) == 2 * len(A.KINDS)
    assert report["comparison"]["of"] == "guarded vs baseline"
    for r in report["records"]:
        assert r["grade"] in A.GRADES and r["language"] == "en"
    printed = capsys.readouterr().out
    assert "wrong" in printed and "report:" in printed


def test_the_calibration_set_dumps_records(fake_cli, tmp_path):
    out = tmp_path / "cal.json"
    assert cli.main(["-c", str(fake_cli), "bench", "answers", "--set", "calibration", "--limit", "1",
                     "--kinds", "knowledge,chitchat", "--quiet", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["set"] == "calibration" and len(report["records"]) == 6
    r = report["records"][0]
    assert {"question", "reply", "grade", "reason", "data", "source", "latency_ms"} <= set(r)
    assert r["id"].startswith("c-")


def test_a_plugin_that_raises_is_recorded_with_the_question():
    from vaani.hookspecs import hookimpl

    class Broken:
        @hookimpl
        def vaani_handle(self, utterance):
            raise RuntimeError("broken skill")

    llm = FakeLlm("Paris.", first_token_s=0.0, token_s=0.0)
    config = config_mod.from_dict(fake_config(guard={"enabled": False}))
    with Assistant(config, needs=("llm",), extra_plugins=[("f", FakeEngines(llm=llm)),
                                                          ("broken", Broken())],
                   entry_points=False, models=object(), trace=False) as assistant:
        (rec,) = A.ask_items(assistant, [by_question("What is the capital city of France?")], "x")
    assert rec.grade == "correct" and any("broken skill" in e for e in rec.errors)
    assert A.rates([rec])["with_errors"] == 1


# -- alarms and reminders: served by the alarms skill since it exists ------------------------

def test_an_alarm_request_is_correct_only_when_that_alarm_was_set_and_said():
    item = by_question("Set an alarm for six thirty tomorrow morning.")
    tomorrow = (FRIDAY_1746 + timedelta(days=1)).date().isoformat()
    set_it = {"action": "set", "id": 1, "time": "06:30", "date": tomorrow}
    assert g(item, "Alarm set for 6:30 AM tomorrow.", set_it) == "correct"
    assert g(item, "Alarm set for 7:00 AM tomorrow.", {**set_it, "time": "07:00"}) == "wrong"
    assert g(item, "Alarm set for 6:30 AM.", {**set_it, "date": "2026-12-04"}) == "wrong"
    assert g(item, "Alarm set for 6:30 AM tomorrow.") == "wrong"          # nothing ran
    assert g(item, "Sorry, I can't set alarms yet.") == "abstained"
    hi = by_question("कल सुबह साढ़े छह बजे का अलार्म लगा दो।")
    assert g(hi, "कल सुबह साढ़े छह बजे का अलार्म लगा दिया है।", set_it) == "correct"
    # an alarm nobody asked for is wrong wherever it happens
    assert g(by_question("Could you tell me the time right now, VAANI?"), "It is 5:46 pm.",
             set_it) == "wrong"


def test_a_reminder_without_a_time_is_answered_with_a_question():
    en = by_question("Remind me to pay the electricity bill on Monday.")
    assert g(en, "At what time on Monday?") == "correct"
    assert g(en, "I have set the reminder for Monday.") == "wrong"
    assert g(en, "At what time on Monday?", {"action": "set", "id": 2, "time": "09:00",
                                              "date": "2026-12-07"}) == "wrong"
    assert g(by_question("सोमवार को बिजली का बिल भरने की याद दिला देना।"), "सोमवार को किस समय?") \
        == "correct"
    assert g(by_question("Monday ko bijli ka bill bharne ki yaad dila dena."),
             "सोमवार को किस समय?") == "correct"


def test_the_bench_keeps_its_alarms_and_notes_out_of_the_users_data(data_dir):
    from vaani.config import data_dir as current

    config = config_mod.from_dict({})
    before = current()
    with A._throwaway_data_dir(config) as models:
        inside = current()
        assert inside != before and inside.is_dir()
        assert models == str(before / "models")          # models still read from the user's
    assert current() == before and not inside.exists()


def test_each_pass_over_the_questions_starts_with_no_alarms_or_notes(data_dir):
    """Fifty alarm questions over several passes (checks off and on, several models) filled
    the alarm skill ("You already have 50 alarms") when the passes shared a directory."""
    from vaani.config import data_dir as current

    user = current()
    seen = []
    for _ in range(2):
        with A.fresh_data_dir():
            seen.append(current())
            assert seen[-1] != user and not any(seen[-1].iterdir())
            (seen[-1] / "alarms.sqlite3").write_bytes(b"x")
    assert seen[0] != seen[1] and current() == user and not seen[0].exists()


@pytest.mark.models
def test_two_runs_at_one_seed_give_the_same_replies(require_models, tmp_path):
    """The LLM samples (temperature 0.3): at a fixed llm.seed, two runs of the same code differ
    nowhere, so a before/after comparison shows the change, not the dice."""
    require_models("chimera-v3")
    reports = []
    for i in range(2):
        out = tmp_path / f"answers{i}.json"
        assert cli.main(["bench", "answers", "--baseline", "--kinds", "out_of_scope,definition",
                         "--languages", "en,hinglish", "--limit", "4", "--quiet",
                         "--out", str(out)]) == 0
        reports.append(json.loads(out.read_text()))
    assert reports[0]["setup"]["baseline"]["llm"]["seed"] == 0
    replies = [[(r["id"], r["mode"], r["reply"]) for r in rep["records"]] for rep in reports]
    assert any(r["source"] == "llm" for r in reports[0]["records"])
    assert replies[0] == replies[1]
