"""Per-utterance language resolution: Devanagari, romanised Hindi, Hinglish, English."""

import pytest

from vaani.language import (deva_key, is_romanized_hindi, resolve_language, roman_key,
                            tokens, words)
from vaani.stages.language import LanguageResolver

HINDI = [
    "समय क्या हुआ है?", "कितने बजे हैं", "आज कौन सा दिन है?", "पच्चीस गुणा चार कितना होता है?",
    "टाइमर लगाओ दो मिनट का", "मुझे चाँद के बारे में कुछ बताओ।",
    "samay kya hua hai", "kitne baje hain", "aaj kaun sa din hai", "aaj ki tarikh kya hai",
    "pachchees guna char kitna hota hai", "mujhe ek joke sunao", "aap kaise ho",
    "main ghar ja raha hoon", "kya time ho raha hai",
    # Hinglish: English content words, Hindi grammar
    "timer set karo 5 minute ka", "5 minute ka timer set karo", "do minute ka timer lagao",
    "timer laga do paanch minute ka", "time batao please", "alarm band karo",
    "टाइमर set करो",
    # Whisper writes spoken Hindi in Urdu script when it detects Urdu
    "کیا وقت ہوا ہے",
]
ENGLISH = [
    "What time is it?", "set a timer for 5 minutes", "what is the same time",
    "What is twenty five times four?", "Tell me a fun fact about the moon.",
    "Why is the sky blue?", "how much time is left on my timer", "hey what time is it",
    "Give me one tip for better sleep.", "cancel the timer",
]


@pytest.mark.parametrize("text", HINDI)
def test_hindi(text):
    assert resolve_language(text, ("hi", "en"), "en") == "hi"


@pytest.mark.parametrize("text", ENGLISH)
def test_english(text):
    assert resolve_language(text, ("hi", "en"), "hi") == "en"


def test_no_evidence_follows_the_hint():
    assert resolve_language("", ("hi", "en"), "hi") == "hi"
    assert resolve_language("123", ("hi", "en"), "en") == "en"
    assert resolve_language("Hello", ("hi", "en"), "hi") == "hi"     # a tie
    assert resolve_language("Hello", ("hi", "en"), None) == "en"


def test_the_answer_is_always_allowed():
    assert resolve_language("समय क्या हुआ है", ("en",), None) == "en"
    assert resolve_language("what time is it", ("hi",), "en") == "hi"
    assert resolve_language("what time is it", (), None) == "en"


def test_romanised_detection():
    assert is_romanized_hindi("kitne baje hain")
    assert not is_romanized_hindi("what is the same time")
    assert not is_romanized_hindi("कितने बजे हैं")


def test_the_pipeline_stage_uses_it():
    stage = LanguageResolver("auto", ["hi", "en"])
    assert stage.process("kitne baje hain", hint="en") == "hi"
    assert stage.process("What time is it?", hint="hi") == "en"
    assert LanguageResolver("en").process("kitne baje hain") == "en"


def test_tokens_and_words():
    assert tokens("What's the time? १२:३०") == ("what's", "the", "time", "?", "12", ":", "30")
    assert words("What's today's date, don't you know?") == (
        "what", "is", "today", "date", "do", "not", "you", "know")
    assert words("5+3 = ?") == ("5", "+", "3", "=")
    assert words("twenty-five o'clock") == ("twenty", "five", "oclock")


@pytest.mark.parametrize("a, b", [
    ("पाँच", "पांच"), ("पंद्रह", "पन्द्रह"), ("वक़्त", "वक्त"), ("पच्चीस", "पच्चिस"),
    ("छः", "छ"), ("डॉक्टर", "डोक्टर"),
])
def test_deva_key_equates_spellings(a, b):
    assert deva_key(a) == deva_key(b)


@pytest.mark.parametrize("a, b", [
    ("pachchees", "pacchis"), ("kitne", "kitney"), ("barah", "baarah"), ("hai", "hae"),
    ("waqt", "vakt"), ("chhe", "che"),
])
def test_roman_key_equates_spellings(a, b):
    assert roman_key(a) == roman_key(b)


def test_nukta_in_either_encoding_is_one_word():
    composed, decomposed = "\u095b", "\u091c\u093c"      # ज़ as one code point or two
    assert tokens(composed + "रा") == tokens(decomposed + "रा")


def test_quote_marks_are_not_words():
    # an empty "word" made every skill that reads numbers raise IndexError
    assert words("What does 'obsolete' mean?") == ("what", "does", "obsolete", "mean")


def test_a_danda_is_not_a_word():
    # the timer took "।" for a label: "। के लिए डेढ़ मिनट का टाइमर"
    assert words("डेढ़ मिनट का टाइमर लगाओ।") == ("डेढ़", "मिनट", "का", "टाइमर", "लगाओ")


@pytest.mark.parametrize("text, language", [
    ("Thanks yaar, bahut accha laga", "hi"), ("isse kya hoga", "hi"),
    ("How do I use this?", "en"),            # "use" is English, not the key of "usse"
])
def test_common_romanised_hindi_words(text, language):
    assert resolve_language(text) == language
