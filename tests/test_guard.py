"""The reply guard (vaani/guard.py): every check, alone and through the pipeline.

Each pipeline test runs a scripted LLM through the real pipeline and the real plugin host;
each would speak the model's words if its check were removed.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from fractions import Fraction

import pytest

from vaani import guard as G
from vaani.hookspecs import Tool, hookimpl
from vaani.llm.tools import TOOL_CALL
from vaani.testing import FakeLlm, Script, rig

# -- the checks, one by one ------------------------------------------------------------------


@pytest.mark.parametrize("text, why", [
    ("return return return return", "repetition"),
    ("Here's a step in the world, a step in the world.", "repetition"),
    ("```python", "markup"),
    ("<|assistant|> Hello", "markup"),
    ("**Answer**: yes", "markup"),
    ("User: what time is it", "markup"),
    ('{"name": "clock"}', "markup"),
    ("See https://example.com for more.", "markup"),
    ("The moon is about 384,000 km away.", ""),
    ("यह बहुत बहुत अच्छा है।", ""),
])
def test_degenerate(text, why):
    assert G.degenerate(text) == why


def test_the_same_sentence_twice_is_repetition():
    assert G.degenerate("Here's a step in the world.", "Here's a step in the world.") == "repetition"
    assert G.degenerate("It is sunny today.", "The moon is far away.") == ""


@pytest.mark.parametrize("text, language, romanised, ok", [
    ("नमस्ते, मैं वाणी हूँ।", "hi", False, True),
    ("मैं ठीक हूँ, OK?", "hi", False, True),           # a Latin word in Hindi is fine
    ("I am fine, thank you.", "hi", False, False),       # Hindi asked, English answered
    ("Main theek hoon.", "hi", True, True),              # romanised Hindi asked: either
    ("मैं ठीक हूँ।", "hi", True, True),
    ("I am fine.", "en", False, True),
    ("मैं ठीक हूँ।", "en", False, False),
    ("مجھے نہیں معلوم", "hi", False, False),             # Urdu script: not what was asked
    ("12 + 30 = 42", "en", False, True),
    ("It comes to 500.", "hi", True, False),            # romanised Hindi asked, English said
    ("125 aur 375 milakar 500 hota hai.", "hi", True, True),
    ("500.", "hi", True, True),
])
def test_script(text, language, romanised, ok):
    assert G.script_ok(text, language, romanised) is ok


@pytest.mark.parametrize("text", [
    "Timer set.", "I've set a timer for 5 minutes.", "Your alarm has been set for 7 AM.",
    "I'll remind you at 5.", "Done!", "The message has been sent.", "Email sent to Ravi.",
    "टाइमर लगा दिया है।", "मैंने मैसेज भेज दिया।", "आपका टिकट बुक कर दिया।",
    "Maine alarm laga diya hai.",
    # the system skill's actions: never said unless its tool acted
    "I have locked the screen.", "The volume is muted.", "I've opened Firefox.",
    "मैंने स्क्रीन लॉक कर दी।", "फ़ायरफ़ॉक्स खोल दिया।", "maine volume badha diya",
])
def test_claims_of_action(text):
    assert G.claims_action(text)


@pytest.mark.parametrize("text", [
    "It's 3:33 PM.", "The answer is 288.", "I can set timers for you.", "नमस्ते!",
    "मैं समय बता सकती हूँ।", "Setting a timer needs a duration.",
    "What does locked mean?", "The shop opened in 1990.", "I can open apps and lock the screen.",
])
def test_not_claims_of_action(text):
    assert not G.claims_action(text)


@pytest.mark.parametrize("text, hour, bad", [
    ("Good morning!", 15, True), ("Good morning!", 9, False),
    ("Good night, sleep well.", 14, True), ("Good night, sleep well.", 22, False),
    ("Good evening!", 18, False), ("सुप्रभात!", 20, True), ("Hello!", 3, False),
])
def test_greeting_and_the_clock(text, hour, bad):
    assert G.greeting_conflict(text, hour) is bad


@pytest.mark.parametrize("hour", range(24))
def test_the_greeting_vaani_says_never_conflicts_with_the_clock(hour):
    # greeting_for (what VAANI says) and greeting_conflict (what it accepts) are one rule
    for language in ("en", "hi"):
        for morning_said in (False, True):
            said = G.greeting_for(hour, language, morning_said)
            assert not G.greeting_conflict(said, hour), (hour, language, said)


@pytest.mark.parametrize("hour, said", [
    (0, "Hello!"), (3, "Hello!"), (4, "Good morning!"), (11, "Good morning!"),
    (12, "Good afternoon!"), (16, "Good afternoon!"), (17, "Good evening!"),
    (23, "Good evening!"),
])
def test_greeting_for_the_hour(hour, said):
    assert G.greeting_for(hour, "en") == said


def test_greeting_for_in_hindi_says_suprabhat_only_in_the_morning_to_who_said_it():
    assert G.greeting_for(8, "hi", morning_said=True) == "सुप्रभात!"
    assert G.greeting_for(8, "hi") == "नमस्ते!"
    assert G.greeting_for(3, "hi", morning_said=True) == "नमस्ते!"


def _allowed(result, question="", arguments=None):
    a = G.Allowed()
    a.add(result)
    a.add(arguments or {})
    a.add_text(question)
    return a


CLOCK_RESULT = {"time": "15:33", "date": "2026-12-04", "weekday": "Friday"}


@pytest.mark.parametrize("reply", [
    "It's 3:33 PM.", "It is 15:33 on Friday.", "अभी दोपहर के तीन बजकर तैंतीस मिनट हुए हैं।",
    "Today is Friday, December 4, 2026.", "आज शुक्रवार है।",
])
def test_faithful_clock_answers(reply):
    assert G.unfaithful(reply, _allowed(CLOCK_RESULT, "what time is it")) == ""


@pytest.mark.parametrize("reply, what", [
    ("अभी सुबह के साढ़े चार बजे हैं।", "number 9/2"),       # what the shipped Chimera said
    ("It's 4:58 PM.", "number 58"),
    ("It's 3:33 AM.", "part of the day"),
    ("Today is Saturday.", "weekday saturday"),
    ("Today is November 4.", "month november"),
])
def test_unfaithful_clock_answers(reply, what):
    assert G.unfaithful(reply, _allowed(CLOCK_RESULT, "what time is it")).startswith(what)


def test_english_words_are_not_read_as_romanised_hindi_numbers():
    allowed = _allowed({"percent": 44})
    assert G.unfaithful("The battery is at 44 percent, do charge it.", allowed) == ""
    assert G.unfaithful("Battery 44 percent par hai.", allowed) == ""
    assert G.unfaithful("Battery aath percent par hai.", allowed) == "number 8"


def test_a_word_problem_with_its_own_prices_is_not_live_information():
    assert G.out_of_scope("एक किताब का दाम 50 रुपये है, तीन किताबों का दाम कितना होगा?") is None
    assert G.out_of_scope("What is the price of petrol today?") == ("live", "prices")


@pytest.mark.parametrize("question", [
    "how many rupees is a litre of petrol", "how many rupees does a kilo of onions cost",
    "how much rupees is petrol", "कितने रुपये का है सोना", "सोना कितने रुपये का है",
    "पेट्रोल कितने रुपए लीटर है", "kitne rupaye ka hai petrol", "petrol kitne rupaye ka hai",
    "how many rupees is 5 dollars", "कितने रुपये का एक डॉलर है",
])
def test_a_price_asked_rupees_first_is_live_information(question):
    # never stated from the model's memory, like "the price of petrol"
    assert G.out_of_scope(question) == ("live", "prices")


@pytest.mark.parametrize("question", [
    "how many rupees in a lakh", "how many rupees are there in a crore",
    "how many paise in a rupee", "एक रुपये में कितने पैसे होते हैं",
    "एक लाख में कितने रुपये होते हैं", "kitne rupaye hote hain ek lakh mein",
    "how many rupees do I have", "who is on the 500 rupee note",
    "a book costs 50 rupees, how many rupees for two books",
    "एक किताब 50 रुपये की है, तीन किताबें कितने रुपये की होंगी",
    "राम के पास 50 रुपये थे, उसने 20 खर्च किए, कितने रुपये बचे",
])
def test_rupees_in_a_fact_or_a_word_problem_are_not_a_price_question(question):
    assert G.out_of_scope(question) is None


def test_a_duration_must_be_the_one_set():
    # a 600 s timer was worded "10 सेकंड": 10 is in the arguments, the duration is not
    allowed = _allowed({"ok": True, "seconds": 600}, "दस मिनट का टाइमर लगाओ", {"minutes": 10})
    assert G.unfaithful("दस मिनट का टाइमर लग गया है।", allowed) == ""
    assert G.unfaithful("Your 10 minute timer is set.", allowed) == ""
    assert G.unfaithful("दस सेकंड का टाइमर लग गया है।", allowed) == "duration 10 s"
    assert G.unfaithful("Your timer for 10 hours is set.", allowed) == "duration 36000 s"


def test_numbers_may_come_from_the_result_the_arguments_or_the_question():
    allowed = _allowed({"result": 288}, "what is 72 times 4", {"expression": "72 * 4"})
    assert G.unfaithful("72 times 4 is 288.", allowed) == ""
    assert G.unfaithful("बहत्तर गुणा चार बराबर दो सौ अट्ठासी।", allowed) == ""
    assert G.unfaithful("72 times 4 is 312.", allowed) == "number 312"
    assert G.unfaithful("The answer is about 0.67.", _allowed({"result": 0.6667})) == ""


@pytest.mark.parametrize("question, scope", [
    ("what's the weather in Delhi", ("live", "weather")),
    ("आज मौसम कैसा रहेगा", ("live", "weather")),
    ("kal mausam kaisa hoga", ("live", "weather")),
    ("how cold will it be in Shimla tonight", ("live", "weather")),
    ("कल दिल्ली में कितनी ठंड होगी", ("live", "weather")),
    ("aaj dhoop rahegi kya", ("live", "weather")),
    ("निफ्टी कितने पर बंद हुआ", ("live", "prices")),
    ("Karnataka ke chief minister kaun hain", ("live", "office")),
    ("latest news please", ("live", "news")),
    ("आज सोने का भाव क्या है", ("live", "prices")),
    ("what is the price of petrol today", ("live", "prices")),
    ("who won the match yesterday", ("live", "scores")),
    ("who is the prime minister of India", ("live", "office")),
    ("भारत के प्रधानमंत्री कौन हैं", ("live", "office")),
    ("send an email to Ravi", ("action", "message")),
    ("mummy ko call karo", ("action", "call")),
    ("book a cab to the airport", ("action", "booking")),
    ("play some music", ("action", "music")),
    ("set an alarm for 7 am", ("action", "reminder")),
    ("remind me to call mom at 5", ("action", "reminder")),
    ("सुबह 7 बजे का अलार्म लगाओ", ("action", "reminder")),
    ("turn off the lights", ("action", "device")),
])
def test_out_of_scope(question, scope):
    assert G.out_of_scope(question) == scope


@pytest.mark.parametrize("question", [
    "who was the first prime minister of India", "what is the capital of France",
    "tell me a fun fact about the moon", "भारत की राजधानी क्या है", "what is 72 times 4",
    "set a timer for 5 minutes", "why is the sky blue", "how are you",
])
def test_in_scope(question):
    assert G.out_of_scope(question) is None


@pytest.mark.parametrize("question, topic", [
    ("aaj kitni garmi hai", "weather"), ("आज कितनी गर्मी है", "weather"),
    ("कितनी गर्मी है", "weather"), ("दिल्ली में कितनी ठंड है", "weather"),
    ("दिल्ली में तापमान कितना है", "weather"), ("abhi bahar kitni thand hai", "weather"),
    ("what is the temperature outside", "weather"), ("temperature in Delhi", "weather"),
    ("Kal Chennai mein kitni garmi hogi?", "weather"),
    ("is there a match today", "scores"), ("What is the score of the India match?", "scores"),
    ("Kal raat ka IPL match kisne jeeta?", "scores"), ("आज का मैच कौन जीत रहा है", "scores"),
    ("कल रात का आईपीएल मैच किसने जीता?", "scores"), ("today's match result", "scores"),
])
def test_current_weather_and_scores_are_still_live(question, topic):
    assert G.out_of_scope(question) == ("live", topic)


@pytest.mark.parametrize("question", [
    "पानी किस तापमान पर उबलता है", "पानी किस तापमान पर उबलता है?",
    "paani kis tapmaan par ubalta hai", "शरीर का सामान्य तापमान कितना है",
    "सर्दियों में तापमान कितना होता है", "गर्मी में पसीना क्यों आता है",
    "dhoop se vitamin d milta hai", "At what temperature in Celsius does water boil at sea level?",
    "convert temperature in fahrenheit to celsius",
    "how long is a football match", "How many overs are there in a T20 match?",
    "T20 मैच में कितने ओवर होते हैं", "फ़ुटबॉल मैच में कौन से नियम होते हैं", "what is ipl",
])
def test_facts_about_temperature_and_matches_are_not_live(question):
    # what makes a question live is "now" (a forecast, today, a place, who won), not the
    # word temperature or match
    assert G.out_of_scope(question) is None


def test_a_topic_an_installed_tool_serves_is_not_declined():
    weather = Tool("weather", "current weather for a city", {"city": "string"},
                   lambda a, l: {})
    assert G.out_of_scope("what's the weather in Delhi", [weather]) is None


REMINDER_TOOLS = [Tool("alarm_set", "set an alarm at a time the user said", {"time": "string"},
                      lambda a, l: {}),
                 Tool("reminder_set", "remind the user of something at a time they said",
                      {"time": "string"}, lambda a, l: {})]


@pytest.mark.parametrize("question", [
    "remind me to call mom at 5", "remind me to call mom",
    "मुझे 5 बजे माँ को फ़ोन करने की याद दिलाना", "5 बजे याद दिलाना कि माँ को फ़ोन करो",
    "shaam 5 baje yaad dilana ki papa ko phone karo", "set an alarm to call dad at 6",
    "remind me to email Ravi at 5",
])
def test_a_reminder_about_a_call_is_the_reminder_skills_not_a_call(question):
    # the first action asked for decides: the call is what the reminder is about
    assert G.first_action(question) == "reminder"
    assert G.out_of_scope(question, REMINDER_TOOLS) is None


@pytest.mark.parametrize("question, topic", [
    ("call mom", "call"), ("mummy ko call karo", "call"), ("माँ को फ़ोन करो", "call"),
    ("call mom and remind me at 5", "call"), ("send an email to Ravi", "message"),
])
def test_a_call_asked_for_first_is_still_declined_with_a_reminder_skill(question, topic):
    assert G.out_of_scope(question, REMINDER_TOOLS) == ("action", topic)


def test_without_a_reminder_skill_a_reminder_is_declined_as_a_reminder():
    assert G.out_of_scope("remind me to call mom at 5") == ("action", "reminder")
    assert G.out_of_scope("call mom and remind me at 5") == ("action", "call")


def test_arguments_must_have_been_said():
    assert G.arguments_said({"city": "Delhi"}, "what's the weather in Delhi")
    assert not G.arguments_said({"city": "Shimla"}, "what's the weather in Delhi")   # seen
    assert G.arguments_said({"expression": "72 * 4"}, "72 * 4")
    assert not G.arguments_said({"n": 5}, "what is 72 times 4")
    assert G.arguments_said({}, "anything at all")


def test_abstention_says_why_and_what_vaani_can_do():
    text = G.abstention("unsure", "en", ["calculations", "the time and date", "timers"])
    assert text == ("Sorry, I can't answer that offline yet. I can help with calculations, "
                    "the time and date, and timers.")
    text = G.abstention("live", "hi", ["हिसाब", "समय-तारीख़", "टाइमर"], "weather")
    assert text == ("मैं ऑफ़लाइन हूँ, इसलिए मौसम का हाल नहीं बता सकती। मैं हिसाब, समय-तारीख़ "
                    "और टाइमर में मदद कर सकती हूँ।")


def test_the_calibrated_threshold_is_used_unless_one_is_configured():
    assert G.min_confidence("some-unknown-model") == G.DEFAULT_MIN_CONFIDENCE
    assert G.min_confidence("chimera", 0.25) == 0.25


def _guard(question="why is the sky blue", language="en", now=datetime(2026, 12, 4, 15, 33),
           **settings):
    return G.ReplyGuard(G.Settings(**settings), language, question, now=lambda: now)


def test_guard_scores_each_clause_on_its_own_tokens():
    g = _guard(min_confidence=0.5)
    sure = [(0.0, 0.0)] * 5
    assert g.feed("The sky is blue.", sure) == []           # a dot waits for what follows
    assert g.feed(" It scatters", sure + [(-3.0, 0.0)] * 3) == ["The sky is blue."]
    assert g.finish(sure + [(-3.0, 0.0)] * 3) == []          # the unsure rest is cut
    assert g.text == "The sky is blue." and g.cut == "unsure"
    assert g.clauses[0]["confidence"] == pytest.approx(1.0)
    assert g.clauses[1]["confidence"] == pytest.approx(0.0498, abs=1e-3)


def test_two_clauses_in_one_piece_are_both_scored():
    g = _guard(min_confidence=0.5)
    assert g.feed("Yes. Sure", [(0.0, 0.0)]) == ["Yes."]
    assert g.feed(". Maybe.", [(0.0, 0.0)] * 2) == ["Sure."]
    assert g.finish([(0.0, 0.0)] * 2) == ["Maybe."]
    assert [c["tokens"] for c in g.clauses] == [1, 1, 1]


# -- through the pipeline ------------------------------------------------------------------------


def ask(question, reply, *, plugins=(), confidence=1.0, guard=None, language=None,
        token_s=0.0):
    """A typed question through the real pipeline with a scripted model."""
    llm = FakeLlm(reply, first_token_s=0.0, token_s=token_s, confidence=confidence)
    r = rig(Script(), llm=llm, plugins=plugins, config={"guard": guard or {}})
    return r.pipeline.ask(question, language), r


def test_a_loop_is_cut_and_never_spoken():
    turn, r = ask("Which is heavier, a kilogram of cotton or iron?", "return " * 40,
                  token_s=0.01)
    assert turn.reply == "Sorry, I can't answer that offline yet."
    assert turn.data["abstained"] == "repetition"
    assert all("return" not in text for text, _ in r.tts.texts)
    time.sleep(0.5)
    assert r.llm.finished_t is None                 # the model was stopped, not run to the end


def test_code_fences_and_template_text_are_never_spoken():
    turn, r = ask("write me a poem", "Sure. ```python\nprint('hi')\n```")
    assert turn.reply == "Sure." and turn.data["guard"]["cut"] == "markup"
    assert [t for t, _ in r.tts.texts] == ["Sure."]


def test_a_reply_for_speech_is_short():
    reply = " ".join(f"Sentence number {w} is here." for w in
                     ("one", "two", "three", "four", "five", "six"))
    turn, r = ask("tell me a story", reply, guard={"max_sentences": 3}, token_s=0.01)
    assert turn.reply == ("Sentence number one is here. Sentence number two is here. "
                          "Sentence number three is here.")
    assert turn.data["guard"]["cut"] == "length"
    time.sleep(0.5)                                 # it would have finished by now
    assert r.llm.finished_t is None                 # stopped: no use writing what is not said


def test_a_reply_in_the_wrong_language_is_not_spoken():
    turn, _ = ask("आसमान नीला क्यों होता है?", "Because of Rayleigh scattering.")
    assert turn.reply == "माफ़ कीजिए, इसका जवाब मैं अभी ऑफ़लाइन नहीं दे सकती।"
    assert turn.data["abstained"] == "wrong_language"
    turn, _ = ask("why is the sky blue", "क्योंकि प्रकाश बिखरता है।")
    assert turn.data["abstained"] == "wrong_language"


def test_romanised_hindi_may_be_answered_in_either_script():
    turn, _ = ask("aap kaise ho", "Main theek hoon, shukriya!")
    assert turn.reply == "Main theek hoon, shukriya!" and "abstained" not in turn.data
    turn, _ = ask("aap kaise ho", "मैं ठीक हूँ, शुक्रिया!")
    assert turn.reply == "मैं ठीक हूँ, शुक्रिया!"


def test_an_unsure_answer_becomes_an_honest_abstention():
    turn, _ = ask("What is the capital of France?", "Here's a step in the world.",
                  confidence=0.2, guard={"min_confidence": 0.5})
    assert turn.reply == "Sorry, I can't answer that offline yet."
    assert turn.data["abstained"] == "unsure"
    assert turn.data["guard"]["llm_text"] == "Here's a step in the world."
    turn, _ = ask("What is the capital of France?", "Paris is the capital of France.",
                  confidence=0.9, guard={"min_confidence": 0.5})
    assert turn.reply == "Paris is the capital of France." and "abstained" not in turn.data


def test_an_engine_that_gives_no_scores_is_trusted_only_with_the_threshold_off():
    class NoScores(FakeLlm):
        def process(self, messages, *, max_tokens=128, temperature=0.0, top_p=1.0,
                    stop=None, seed=None, cancel=None):
            return super().process(messages, max_tokens=max_tokens, cancel=cancel)
    llm = NoScores("Paris.", first_token_s=0.0, token_s=0.0)
    r = rig(Script(), llm=llm, config={"guard": {"min_confidence": 0.5}})
    assert r.pipeline.ask("capital of France?").data["abstained"] == "unsure"
    r = rig(Script(), llm=NoScores("Paris."), config={"guard": {"min_confidence": 0.0}})
    assert r.pipeline.ask("capital of France?").reply == "Paris."


def test_saying_something_was_done_when_no_tool_ran_is_not_allowed():
    turn, _ = ask("can you note that I parked on level 2", "Done! I've saved it.")
    assert turn.data["abstained"] == "claimed_action"
    assert turn.reply == "Sorry, I can't answer that offline yet."


def test_a_greeting_that_contradicts_the_clock_is_corrected():
    hour = datetime.now().hour
    wrong = "Good evening! How can I help?" if 4 <= hour < 12 else "Good morning! How can I help?"
    turn, _ = ask("hello", wrong)
    assert turn.reply == G.greeting_for(datetime.now().hour, "en")
    assert turn.data["guard"]["cut"] == "greeting"


def test_live_information_and_actions_are_declined_without_the_model():
    turn, r = ask("who is the prime minister of India", "Narendra Modi.")
    assert turn.reply == "I'm offline, so I can't check who holds that post today."
    assert turn.data["abstained"] == "live:office" and r.llm.calls == []
    turn, r = ask("मम्मी को मैसेज भेज दो", "मैसेज भेज दिया।")
    assert turn.reply == "मैं अभी मैसेज या ईमेल नहीं भेज सकती।" and r.llm.calls == []


class Clockish:
    """A read-only tool with its own wording, like the clock."""

    def __init__(self):
        self.calls = 0

    @hookimpl
    def vaani_tools(self):
        def call(args, language):
            self.calls += 1
            return {"time": "15:33", "date": "2026-12-04", "weekday": "Friday"}
        return [Tool("clock", "current local time", {}, call,
                     grounded=lambda args, text: "time" in text or "समय" in text,
                     say=lambda result, language: "It's 3:33 PM." if language == "en"
                     else "अभी दोपहर के तीन बजकर तैंतीस मिनट हुए हैं।")]

    @hookimpl
    def vaani_abilities(self, language):
        return ["the time"] if language == "en" else ["समय"]


def model_calling(tool, worded, arguments=None):
    call = TOOL_CALL + json.dumps({"name": tool, "arguments": arguments or {}})
    return lambda user: worded if user.startswith("{") else call


def test_a_worded_tool_answer_that_matches_the_result_is_spoken():
    turn, _ = ask("what's the time right now in words", model_calling("clock", "It is 3:33 PM."),
                  plugins=(Clockish(),))
    assert turn.reply == "It is 3:33 PM." and "replaced" not in turn.data["guard"]


def test_a_misread_tool_result_is_replaced_by_the_skills_own_wording():
    # the shipped Chimera read 15:33 as "सुबह के साढ़े चार"
    turn, _ = ask("अभी समय कितना हुआ बताओ ना", model_calling("clock", "अभी सुबह के साढ़े चार बजे हैं।"),
                  plugins=(Clockish(),))
    assert turn.reply == "अभी दोपहर के तीन बजकर तैंतीस मिनट हुए हैं।"
    assert turn.data["guard"]["replaced"].startswith("unfaithful")


def test_a_tool_result_worded_in_the_wrong_language_is_said_in_the_tools_own_words():
    # Chimera v2 answered "125 और 375 का जोड़" with the right call and "It comes to 500."
    turn, _ = ask("अभी समय कितना हुआ बताओ ना", model_calling("clock", "It is 3:33 PM."),
                  plugins=(Clockish(),))
    assert turn.reply == "अभी दोपहर के तीन बजकर तैंतीस मिनट हुए हैं।"
    assert turn.data["guard"]["replaced"] == "wrong_language" and "abstained" not in turn.data
    turn, _ = ask("abhi time kya hua hai", model_calling("clock", "It is 3:33 PM."),
                  plugins=(Clockish(),))
    assert turn.data["guard"]["replaced"] == "wrong_language"
    assert "तीन बजकर तैंतीस" in turn.reply


def test_the_model_reads_numbers_said_in_words_as_digits():
    seen = []

    def model(user):
        seen.append(user)
        return "Sorry."
    ask("मेरे पास पचास रुपये थे, अठारह का पेन लिया। कितने बचे?", model)
    assert seen[0] == "मेरे पास 50 रुपये थे, 18 का पेन लिया। कितने बचे?"
    seen.clear()
    r = rig(Script(), llm=FakeLlm(model), config={"llm": {"digits": False}})
    r.pipeline.ask("I had fifty rupees and spent eighteen. How much is left?")
    assert seen[0] == "I had fifty rupees and spent eighteen. How much is left?"


def test_a_tool_call_that_does_not_fit_the_question_is_not_run():
    clock = Clockish()
    turn, _ = ask("भारत की राजधानी क्या है", model_calling("clock", "अभी चार बजे हैं।"),
                  plugins=(clock,))
    assert clock.calls == 0 and turn.data["abstained"] == "tool_refused"
    assert turn.reply == ("माफ़ कीजिए, इसका जवाब मैं अभी ऑफ़लाइन नहीं दे सकती। "
                          "मैं समय में मदद कर सकती हूँ।")


def test_a_call_to_a_tool_that_does_not_exist_is_not_run():
    turn, _ = ask("tell me a joke", model_calling("joke", "Why did the chicken cross?"))
    assert turn.data["tool_calls"][0]["result"]["error"].startswith("no tool named")
    assert turn.reply == "Sorry, I can't do that right now."


def test_with_the_guard_off_the_models_words_are_spoken_as_before():
    turn, _ = ask("Which is heavier?", "return return return return", confidence=0.1,
                  guard={"enabled": False})
    assert turn.reply == "return return return return" and "guard" not in turn.data


def test_the_first_clause_is_spoken_while_the_model_still_writes():
    words = " ".join(f"w{i}" for i in range(60))
    llm = FakeLlm(f"Here is the first clause. Then {words}.", first_token_s=0.0, token_s=0.01)
    r = rig(Script(), llm=llm)
    turn = r.pipeline.ask("tell me something")
    assert r.tts.texts[0] == ("Here is the first clause.", "en")
    assert r.tts.first_audio_t[0] < llm.finished_t - 0.3
    assert turn.reply.startswith("Here is the first clause. Then w0")


def test_numbers_in_the_allowed_set_include_clock_fractions():
    a = G.Allowed()
    a.add_time(16, 30)
    assert {Fraction(9, 2), Fraction(4), Fraction(16), Fraction(30)} <= a.numbers
