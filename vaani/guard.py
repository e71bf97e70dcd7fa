"""The reply guard: what the LLM writes is checked before VAANI says it.

A voice assistant is judged by its worst answer, and a wrong answer is worse than an honest
"I can't answer that yet". Small local models (and larger ones) loop, switch language, word
a tool's result wrongly, claim to have done things no tool did, and state today's office
holders, prices and scores from memory. These checks hold whatever model sits behind
VAANI; they run clause by clause on the streamed reply, so a clause waits only for itself.

Before the model is asked (:meth:`ReplyGuard.before`):

* a request for live information (weather, news, prices, scores, who holds an office now)
  or for an action no installed tool offers (messages, calls, bookings, music, alarms and
  reminders, devices) is declined at once, honestly, without asking the model.

On every clause of the reply (:meth:`ReplyGuard.feed`):

* degenerate text (repeated words or phrases, code fences, markup, chat-template text) is
  cut and never spoken;
* a spoken reply is short (``guard.max_sentences``) and in the user's script (Devanagari
  for Hindi, Latin for English, either for romanised Hindi);
* after a tool ran, every number, time, date, weekday, month and part of the day in the
  worded answer must come from the tool's result, its arguments or the question; if not,
  the tool's own wording (:attr:`vaani.hookspecs.Tool.say`) is spoken instead;
* a reply may not say that something was done (set, added, sent, booked) unless a tool
  that acts ran and succeeded; no greeting that contradicts the clock;
* a free answer (no tool behind it) must be confident: the geometric mean of its tokens'
  probabilities (:func:`vaani.llm.sampling.score`) at least the model's calibrated
  threshold (:data:`CALIBRATED`, fitted on labelled answers by ``vaani bench answers
  --set calibration``).

When a check fails before anything was spoken, VAANI says in the user's language that it
cannot answer that offline yet and what it can do (:meth:`ReplyGuard.abstain`); after
something was spoken, the reply simply ends there. What happened is in :attr:`report`.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from vaani.language import DEVANAGARI, LATIN, is_romanized_hindi, tokens, words
from vaani.language import scores as language_scores
from vaani.numwords import durations, find_numbers
from vaani.stages.clauses import ClauseSplitter
from vaani.textnorm.spoken import (ENGLISH_MONTHS, ENGLISH_WEEKDAYS, HINDI_MONTHS,
                                   HINDI_WEEKDAYS)

# -- calibration ------------------------------------------------------------------------------

# Smallest confidence (geometric-mean token probability of a clause) at which a model's free
# answer is spoken, per model pack name: `vaani bench guard-calibration --model NAME` fits it
# on the calibration set of `vaani bench answers` (never on the reported held-out set) as
# the threshold that speaks the most right answers with at most 10% of those spoken wrong;
# results/guard-calibration-<model>.json. 1.0: no threshold qualifies, so the model's free
# answers are never spoken (only tool answers, checked against the tool's result).
CALIBRATED: dict[str, float] = {
    # 40 free answers, 2 right (AUROC 0.84: sure of wrong arithmetic at 0.999)
    "chimera": 1.0,
    # 76 free answers, 13 right (AUROC 0.63)
    "smollm2-135m": 1.0,
    # 6 free answers, 4 right (AUROC 0.63): too few to fit a threshold on; its answers come
    # through tools (results/guard-calibration-chimera-v2.json)
    "chimera-v2": 1.0,
    # 6 free answers, 4 right (AUROC 0.5): the same; results/guard-calibration-chimera-v3.json
    "chimera-v3": 1.0,
}
# A model nobody calibrated is trusted no more than the ones measured.
DEFAULT_MIN_CONFIDENCE = 1.0


def min_confidence(model: str, configured: float = -1.0) -> float:
    """The threshold in force: ``guard.min_confidence`` if set (0-1), else the calibrated
    value for ``model``, else :data:`DEFAULT_MIN_CONFIDENCE`."""
    if configured >= 0:
        return configured
    return CALIBRATED.get(model, DEFAULT_MIN_CONFIDENCE)


# -- what VAANI says instead -------------------------------------------------------------------

UNSURE = {"en": "Sorry, I can't answer that offline yet.",
          "hi": "माफ़ कीजिए, इसका जवाब मैं अभी ऑफ़लाइन नहीं दे सकती।"}
TOOL_FAILED = {"en": "Sorry, I can't do that right now.",
               "hi": "माफ़ कीजिए, यह मैं अभी नहीं कर सकती।"}
LIVE = {
    "weather": ("I'm offline, so I can't check the weather.",
                "मैं ऑफ़लाइन हूँ, इसलिए मौसम का हाल नहीं बता सकती।"),
    "news": ("I'm offline, so I can't get the news.",
             "मैं ऑफ़लाइन हूँ, इसलिए ख़बरें नहीं सुना सकती।"),
    "prices": ("I'm offline, so I can't look up today's prices or rates.",
               "मैं ऑफ़लाइन हूँ, इसलिए आज के दाम या रेट नहीं बता सकती।"),
    "scores": ("I'm offline, so I can't get scores or results.",
               "मैं ऑफ़लाइन हूँ, इसलिए मैच का स्कोर या नतीजे नहीं बता सकती।"),
    "office": ("I'm offline, so I can't check who holds that post today.",
               "मैं ऑफ़लाइन हूँ, इसलिए नहीं बता सकती कि आज उस पद पर कौन है।"),
}
ACTIONS = {
    "message": ("I can't send messages or emails yet.",
                "मैं अभी मैसेज या ईमेल नहीं भेज सकती।"),
    "call": ("I can't make calls yet.", "मैं अभी कॉल नहीं कर सकती।"),
    "booking": ("I can't book or order anything yet.",
                "मैं अभी कुछ बुक या ऑर्डर नहीं कर सकती।"),
    "music": ("I can't play music or videos yet.", "मैं अभी गाने या वीडियो नहीं चला सकती।"),
    "reminder": ("I can't set alarms or reminders yet.",
                 "मैं अभी अलार्म या रिमाइंडर नहीं लगा सकती।"),
    "device": ("I can't control lights or other devices yet.",
               "मैं अभी लाइट या दूसरे उपकरण नहीं चला सकती।"),
}


# What the plugin host answers a tool call it will not run (vaani/plugins.py).
REFUSED = ("the user did not ask for this",)


def _join(items: Sequence[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    last = " और " if language == "hi" else (", and " if len(items) > 2 else " and ")
    return ", ".join(items[:-1]) + last + items[-1]


def abilities_sentence(abilities: Sequence[str], language: str) -> str:
    """"I can help with the time and date, timers and calculations." from the installed
    skills' own phrases (``vaani_abilities``); "" when there are none."""
    if not abilities:
        return ""
    if language == "hi":
        return f"मैं {_join(abilities, 'hi')} में मदद कर सकती हूँ।"
    return f"I can help with {_join(abilities, 'en')}."


def abstention(reason: str, language: str, abilities: Sequence[str] = (),
               topic: str = "") -> str:
    """What VAANI says when it will not answer: why, honestly, and what it can do."""
    hi = language == "hi"
    if reason == "live" and topic in LIVE:
        first = LIVE[topic][hi]
    elif reason == "action" and topic in ACTIONS:
        first = ACTIONS[topic][hi]
    elif reason == "tool_failed":
        first = TOOL_FAILED["hi" if hi else "en"]
    else:
        first = UNSURE["hi" if hi else "en"]
    rest = abilities_sentence(abilities, "hi" if hi else "en")
    return f"{first} {rest}".strip()


# -- out of scope: decided from the question ---------------------------------------------------

def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


# Words for the weather's heat and cold, and for now, in Hindi and romanised Hindi.
_HI_HEAT = r"(गर्मी|सर्दी|ठंड|ठंडक|उमस|धूप|तापमान)"
_HI_NOW = r"(आज|अभी|इस समय|इस वक़्त|इस वक्त|बाहर|आजकल)"
_ROMAN_HEAT = r"(garmi|sardi|thand|thandi|umas|dhoop|dhup|tapmaan|taapmaan|tapman)"
_ROMAN_NOW = r"(aaj|abhi|is samay|is waqt|bahar|baahar|aajkal)"

# Live information: the answer changes from day to day, so no model may state it from memory.
LIVE_TOPICS: dict[str, re.Pattern[str]] = {
    # Heat, cold, sun and temperature are the weather only when the question is about now or
    # a coming day: a forecast verb (होगी, rahegi), a now-word (आज, अभी, bahar, outside) or a
    # place (दिल्ली में कितनी ठंड है); "पानी किस तापमान पर उबलता है", "temperature in
    # Celsius", "dhoop se vitamin D milta hai" are facts.
    "weather": _rx(r"\bweather\b", r"\bforecast\b", r"\b(will|is) it (going to )?(rain|snow)",
                   r"\bhow (hot|cold|humid|warm|windy) (is it|will it be|is it going to be)\b",
                   r"\btemperature (outside|today|now|tonight|tomorrow|"
                   r"in (?!(celsius|centigrade|fahrenheit|kelvin|degrees?)\b)[a-z]+)",
                   rf"{_HI_HEAT}.{{0,20}}(होगी|होगा|रहेगी|रहेगा|पड़ेगी|पड़ेगा|हो रही|पड़ रही)",
                   rf"{_HI_NOW}.{{0,25}}{_HI_HEAT}", rf"{_HI_HEAT}.{{0,25}}{_HI_NOW}",
                   r"में\s+(अभी\s+|आज\s+)?(कितनी|कितना|कैसी|कैसा)\s+(गर्मी|सर्दी|ठंड|ठंडक|उमस|धूप)",
                   r"में\s+(अभी\s+|आज\s+)?तापमान\s+(कितना|क्या)\s+है",
                   r"(कितनी|कितना)\s+(गर्मी|सर्दी|ठंड|ठंडक|उमस|धूप)\s+(है|हो रही|पड़ रही)",
                   r"\b(kitni|kitna)\s+(garmi|sardi|thand|thandi|umas|dhoop|dhup)\s+"
                   r"(hai|ho rahi|pad rahi)\b",
                   rf"\b{_ROMAN_HEAT}\b.{{0,20}}\b(hogi|hoga|rahegi|rahega|padegi|padega|"
                   r"ho rahi|pad rahi)\b",
                   rf"\b{_ROMAN_NOW}\b.{{0,25}}\b{_ROMAN_HEAT}\b",
                   rf"\b{_ROMAN_HEAT}\b.{{0,25}}\b{_ROMAN_NOW}\b",
                   rf"\b(mein|me|main)\s+(abhi\s+|aaj\s+)?(kitni|kitna|kaisi|kaisa)\s+"
                   rf"{_ROMAN_HEAT}\b",
                   r"मौसम", r"बारिश (होगी|हो रही|आएगी|पड़ेगी)", r"\bmausam\b",
                   r"\bbaa?rish (hogi|ho rahi|aayegi)"),
    "news": _rx(r"\bnews\b", r"\bheadlines?\b", r"ख़बर", r"खबर", r"समाचार", r"\bkhabar",
                r"\bsamachar"),
    "prices": _rx(r"\bprices?\b", r"\b(exchange|interest|gold|silver|petrol|diesel) rates?\b",
                  r"\brate of (gold|silver|petrol|diesel|the dollar)", r"\bstock\b",
                  r"\bshare price", r"\bsensex\b", r"\bnifty\b", r"\bbitcoin\b",
                  r"सेंसेक्स", r"निफ़्टी", r"निफ्टी", r"शेयर", r"बिटकॉइन", r"डॉलर का",
                  r"\bhow much (is|does) (a |an |the )?(dollar|euro|pound|bitcoin|gold|petrol)",
                  r"\b(dollar|euro|pound) (to|in) (rupees?|inr)\b",
                  r"\b(dollar|euro|pound|dirham|yen)s?\b.{0,25}\b(rupees?|rupaye|rupaiye|inr)\b",
                  r"(डॉलर|यूरो|पाउंड|दिरहम).{0,25}(रुपये|रुपए|रुपया)",
                  # rupees first: "how many rupees is a dollar", "कितने रुपये का एक डॉलर"
                  r"\b(rupees?|rupaye|rupaiye|inr)\b.{0,25}\b(dollar|euro|pound|dirham|yen)s?\b",
                  r"(रुपये|रुपए|रुपया|रूपये|रूपए).{0,25}(डॉलर|यूरो|पाउंड|दिरहम)",
                  # the amount in rupees that something costs: "how many rupees is a litre
                  # of petrol", "कितने रुपये का है सोना", "kitne rupaye ka hai petrol" (not
                  # "how many rupees in a lakh", "कितने रुपये बचे", "how many paise in a rupee")
                  r"\bhow (many|much) (rupees?|rs\.?|inr)\s+(is|are|does|will|would|should|for|"
                  r"per|to buy|a|an|one|do (i|we|you) need)\b"
                  r"(?!.*\b(lakhs?|crores?|thousands?|millions?|billions?|hundreds?|paise|paisa)\b)",
                  r"कितने\s+(रुपये|रुपए|रुपया|रूपये|रूपए|रुपयों)\s*(का|की|के|में|प्रति|लीटर|किलो|"
                  r"दर्जन|ग्राम|तोला)",
                  r"\bkitne\s+(rupaye|rupaiye|rupay|rupye|rupiye|rupees?|rs)\s+(ka|ki|ke|"
                  r"mein|me|main|per|prati|litre|liter|kilo|kg|dozen|gram|tola)\b",
                  r"दाम", r"क़ीमत", r"कीमत", r"भाव", r"रेट", r"\bdaam\b", r"\bkeemat\b",
                  r"\bkimat\b", r"\bbhaav?\b", r"\brate\b"),
    # A match or the IPL is a live score only when asked about one now or just played
    # (who won, the result, today, kal, किसने जीता); "how long is a football match", "T20
    # मैच में कितने ओवर होते हैं" are facts.
    "scores": _rx(r"\bscores?\b", r"\bwho (won|is winning)\b", r"\bmatch (today|result)",
                  r"स्कोर", r"कौन जीत", r"\bkaun jeet",
                  r"\b(match|ipl)\b.{0,30}\b(today|tonight|now|live|results?|won|winning|lost|"
                  r"losing|going on|leading|points table|standings|kisne|jeet\w*|"
                  r"haar\w*|chal raha)\b",
                  r"\b(today|tonight|yesterday|last night|live|current|ongoing|this season|"
                  r"aaj|kal|abhi)('s)?\b.{0,30}\b(match|ipl)\b",
                  r"(मैच|आईपीएल).{0,30}(किसने|जीत|हार|नतीजा|नतीजे|रिज़ल्ट|रिजल्ट|चल रहा|"
                  r"चल रही)",
                  r"(आज|कल|अभी|लाइव|इस समय).{0,25}(मैच|आईपीएल)"),
    "office": _rx(
        r"\b(who|which) is (the )?(current |present |now |today'?s )?"
        r"(prime minister|president|chief minister|governor|ceo|captain|chief justice|"
        r"king|queen|pope|mayor|speaker|pm|cm|chairman|coach)\b",
        r"\b(current|present) (prime minister|president|chief minister|governor|ceo|captain|"
        r"chief justice|pm|cm|king|mayor)\b",
        r"(अभी|आज|इस समय|वर्तमान|मौजूदा)?\s*(के )?(प्रधानमंत्री|प्रधान मंत्री|राष्ट्रपति|"
        r"मुख्यमंत्री|मुख्य मंत्री|राज्यपाल|कप्तान|सीईओ)\s*(कौन|का नाम)",
        r"(कौन|किसके पास).{0,20}(प्रधानमंत्री|प्रधान मंत्री|राष्ट्रपति|मुख्यमंत्री|कप्तान)",
        r"\b(pradhan ?mantri|rashtrapati|mukhya ?mantri|pm|cm|president|captain|"
        r"(prime|chief) minister|governor|ceo)\b.{0,20}\b(kaun|kon)\b",
        r"\b(kaun|kon)\b.{0,20}\b(pradhan ?mantri|rashtrapati|mukhya ?mantri)\b"),
}
# ...unless the question is about the past ("who was the first prime minister"): history.
_PAST = _rx(r"\bwas\b", r"\bwere\b", r"\bfirst\b", r"\bin (1[0-9]|20[01])\d\b", r"\bhistory\b",
            r"पहले", r"प्रथम", r"\bthe\b.*\bin \d{4}\b", r"\bthe\b.*\bcentury\b",
            r"\bpehl[ae]\b", r"\bthe\b.*\bof \d{4}\b", r"थे\b", r"थी\b", r"था\b")

# Actions no installed tool can carry out: declined, never claimed. The action asked for
# first in the sentence decides ("remind me to call mom" is a reminder, not a call: the call
# is what the reminder is about), so a reminder an installed skill serves is not declined
# for the call, message or booking in its subject (:func:`first_action`).
ACTION_TOPICS: dict[str, re.Pattern[str]] = {
    "reminder": _rx(r"\bremind\b", r"\breminder\b", r"\balarm\b", r"\bwake me\b",
                    r"याद दिला", r"रिमाइंडर", r"अलार्म", r"जगा (देना|दो|दीजिए)", r"उठा (देना|दो|दीजिए)",
                    r"\byaad dila", r"\breminder\b", r"\balarm\b", r"\b(jaga|utha) (dena|do|dijiye)\b",
                    r"\buthana\b"),
    "message": _rx(r"\b(send|text|email|e-mail|mail|whatsapp|sms|message)\b.{0,40}\b(to|my|a|an)\b",
                   r"\bsend (a |an )?(message|email|mail|text|sms)", r"\bemail\b", r"\bwhatsapp\b",
                   r"(मैसेज|संदेश|ईमेल|मेल|एसएमएस|व्हाट्सऐप|व्हाट्सएप).{0,30}(भेज|कर)",
                   r"भेज (दो|दीजिए|देना|दें)", r"\b(message|email|mail|sms)\b.{0,30}\b(bhej|kar)",
                   r"\bbhej (do|dijiye|dena)\b"),
    "call": _rx(r"\b(call|phone|dial|ring up)\s+(my|mom|mum|dad|him|her|them|to|[a-z]+ (at|on))",
                r"\bmake a (phone )?call\b", r"\bcall\s+[A-Z]?[a-z]+\b$",
                r"(कॉल|फ़ोन|फोन)\s*(करो|कर दो|लगाओ|लगा दो|कीजिए|मिलाओ)",
                r"\b(call|phone|fone)\s+(karo|kar do|lagao|laga do|milao)\b"),
    "booking": _rx(r"\b(book|reserve|order|buy|purchase)\b.{0,40}\b(ticket|table|cab|taxi|uber|"
                   r"ola|flight|train|hotel|room|food|pizza|for me|online)\b",
                   r"\border (a |an |some )?(food|pizza|biryani|groceries)", r"\bbook (a|an|me)\b",
                   r"(बुक|ऑर्डर|आर्डर|मंगवा|मँगवा|ख़रीद|खरीद)\s*(करो|कर दो|कीजिए|दो|दीजिए|लो)",
                   r"मंगवा|मँगवा", r"\b(book|order)\s+(karo|kar do|kijiye)\b", r"\bmangwa"),
    "music": _rx(r"\bplay\b.{0,30}\b(song|music|video|radio|playlist|album|podcast|bhajan|gaana)",
                 r"\bplay (some|a|the|me)\b", r"(गाना|गाने|संगीत|म्यूज़िक|म्यूजिक|वीडियो|भजन|रेडियो).{0,20}"
                 r"(बजाओ|चलाओ|सुनाओ|लगाओ|बजा दो|चला दो|सुना दो)",
                 r"\b(gaana|gana|gaane|song|music|bhajan)\b.{0,20}\b(bajao|chalao|sunao|lagao)\b"),
    "device": _rx(r"\bturn (on|off) the\b", r"\bswitch (on|off)\b", r"\b(lights?|fan|ac|tv|"
                  r"television|geyser)\b.{0,15}\b(on|off)\b",
                  r"(लाइट|बत्ती|पंखा|एसी|टीवी|गीज़र|गीजर).{0,15}(जलाओ|बुझाओ|चालू|बंद|चलाओ|ऑन|ऑफ़)",
                  r"\b(light|batti|pankha|fan|ac|tv)\b.{0,15}\b(jalao|bujhao|chalu|band|on|off)\b"),
}
# Words a tool's name or description carries when it serves an action topic.
_ACTION_TOOL_WORDS = {"message": ("message", "email", "sms", "send"), "call": ("call", "phone"),
                      "booking": ("book", "order", "ticket"), "music": ("music", "song", "play"),
                      "reminder": ("alarm", "remind"), "device": ("light", "device", "switch")}
_LIVE_TOOL_WORDS = {"weather": ("weather", "forecast"), "news": ("news", "headline"),
                    "prices": ("price", "rate", "stock", "currency"), "scores": ("score", "match"),
                    "office": ("office", "minister", "president")}


def _tool_serves(tools: Iterable[Any], topic_words: Sequence[str]) -> bool:
    for tool in tools:
        text = f"{getattr(tool, 'name', '')} {getattr(tool, 'description', '')}".lower()
        if any(w in text for w in topic_words):
            return True
    return False


def first_action(text: str) -> str | None:
    """The action topic asked for first in ``text`` (the earliest match; on a tie, the
    earlier topic in :data:`ACTION_TOPICS`), or None: "remind me to call mom" -> reminder,
    "call mom and remind me at 5" -> call."""
    found = []
    for order, (topic, pattern) in enumerate(ACTION_TOPICS.items()):
        match = pattern.search(text)
        if match:
            found.append((match.start(), order, topic))
    return min(found)[2] if found else None


def out_of_scope(question: str, tools: Iterable[Any] = ()) -> tuple[str, str] | None:
    """("live" | "action", topic) when an offline assistant must decline ``question``; None
    when it may try. A topic that an installed tool serves is never declined here; an action
    is judged by the one asked for first, so what a served reminder is about ("remind me to
    call mom") is not declined as a call of its own."""
    tools = list(tools)
    text = unicodedata.normalize("NFC", question)
    action = first_action(text)
    if action is not None and not _tool_serves(tools, _ACTION_TOOL_WORDS[action]):
        return "action", action
    for topic, pattern in LIVE_TOPICS.items():
        if not pattern.search(text) or _tool_serves(tools, _LIVE_TOOL_WORDS[topic]):
            continue
        if topic in ("office", "scores") and _PAST.search(text):
            continue
        if topic == "prices" and len(_said_numbers(text)) >= 2:
            continue                          # a word problem that gives its own prices
        return "live", topic
    return None


# -- checks on the reply's text ---------------------------------------------------------------

_MARKUP = re.compile(
    r"```|<\|[^>]*\|?>|</?[a-zA-Z][a-zA-Z0-9_]*[^<>]{0,40}>|\[/?INST\]|\*\*|__|^#+\s|\{|\}|"
    r"https?://|www\.|\b(?:user|assistant|system|human|ai|tool)\s*:|"
    r"<\|?(?:end|user|assistant|system|tool_call|tool_result|endoftext)",
    re.IGNORECASE | re.MULTILINE)


def _norm_words(text: str) -> list[str]:
    return [w for w in words(text) if any(ch.isalnum() for ch in w)]


def degenerate(clause: str, before: str = "") -> str:
    """Why ``clause`` (after ``before``, what was already said) must not be spoken: "markup",
    "repetition", or "" when it may."""
    if _MARKUP.search(clause):
        return "markup"
    mine = _norm_words(clause)
    for i in range(len(mine) - 2):            # one word three times in a row
        if mine[i] == mine[i + 1] == mine[i + 2]:
            return "repetition"
    for n in range(2, 7):                      # a phrase said twice in a row
        for i in range(len(mine) - 2 * n + 1):
            if mine[i:i + n] == mine[i + n:i + 2 * n]:
                return "repetition"
    if before:
        prior = _norm_words(before)
        if mine and len(mine) >= 3 and " ".join(mine) in " ".join(prior):
            return "repetition"               # the same sentence again
        grams = {tuple(prior[i:i + 4]) for i in range(len(prior) - 3)}
        if any(tuple(mine[i:i + 4]) in grams for i in range(len(mine) - 3)):
            return "repetition"
    whole = f"{before} {clause}".strip().encode()
    if len(whole) > 80 and len(whole) / len(zlib.compress(whole)) > 2.4:
        return "repetition"
    return ""


def script_ok(text: str, language: str, romanised: bool = False) -> bool:
    """The reply is in the user's script: Devanagari for Hindi (a few Latin words allowed),
    Latin for English, either for a question in romanised Hindi (Latin then with Hindi
    function words no fewer than English ones). No other script."""
    letters = [ch for ch in text if ch.isalpha() or unicodedata.category(ch).startswith("M")]
    if not letters:
        return True
    deva = sum(1 for ch in letters if DEVANAGARI.match(ch))
    latin = sum(1 for ch in letters if LATIN.match(ch))
    if deva + latin < 0.95 * len(letters):
        return False                          # Arabic, CJK ...: not what the user speaks
    if language == "en":
        return deva == 0
    if language == "hi":
        if deva >= 0.7 * len(letters):
            return True
        if not romanised or deva:
            return False
        hi, en = language_scores(text)     # romanised Hindi, not English: "It comes to 500." is
        return en <= hi                    # no answer to "... ka total kitna hai?"
    return True


_CLAIM = _rx(
    r"\b(i'?ve|i have|i'?ll|i will|i just|i've just|has been|have been|is now|are now|"
    r"successfully)\s+(set|added|sent|booked|scheduled|created|saved|reminded|remind|ordered|"
    r"called|cancell?ed|deleted|started|turned|played|noted|booked|done|made|locked|muted|"
    r"unmuted|opened|paused|launched|resumed|skipped|lowered|raised|increased|decreased|"
    r"changed)\b",
    r"\b(timer|alarm|reminder|note|message|email|booking|order|call|event|screen|volume|app|"
    r"music|song|media)\s+(is |has been )?"
    r"(set|added|sent|booked|scheduled|created|saved|placed|started|cancell?ed|done|locked|"
    r"muted|unmuted|opened|paused|launched|changed|increased|decreased|lowered|raised)\b",
    r"(?<!well )(?<!well-)\b(done|all set)[.!]", r"\bi('ll| will) remind you\b",
    r"\bset (it )?for you\b",
    r"(लगा|सेट कर|जोड़|भेज|बुक कर|ऑर्डर कर|शुरू कर|बंद कर|हटा|रख|सेव कर|नोट कर|कैंसल कर|"
    r"लॉक कर|म्यूट कर|खोल|बढ़ा|घटा|कम कर|रोक)"
    r"\s*(दिया|दी|दिए|दूँगी|दूंगी|दूँगा|दूंगा)",
    r"याद दिला(ऊँगी|ऊंगी|ऊँगा|ऊंगा|\s*दूँगी|\s*दूंगी)", r"हो गया है", r"हो गई है",
    r"\b(laga|set kar|jod|bhej|book kar|order kar|shuru kar|band kar|hata|save kar|note kar|"
    r"lock kar|mute kar|khol|badha|ghata|kam kar|rok)\s*"
    r"(diya|di|diye|dungi|dunga)\b", r"\byaad dila(ungi|unga| dungi)\b")


def claims_action(text: str) -> bool:
    """The text says something was done (set, added, sent, booked, reminded ...)."""
    return bool(_CLAIM.search(unicodedata.normalize("NFC", text)))


# One rule for greetings and the hours of the day, for what VAANI says (:func:`greeting_for`,
# the small-talk skill) and what it lets a model say (:func:`greeting_conflict`). Per part of
# the day: the hours [start, end) in which VAANI greets so itself (the day split once; in the
# small hours, 0-4, it says a plain "Hello"), and the hours in which the greeting fits when
# anyone says it (a little wider: "good evening" at 4:30 pm or just after midnight is fine).
DAY_PARTS: dict[str, tuple[tuple[int, int] | None, tuple[tuple[int, int], ...]]] = {
    "morning": ((4, 12), ((4, 12),)),
    "afternoon": ((12, 17), ((12, 17),)),
    "evening": ((17, 24), ((16, 24), (0, 1))),
    "night": (None, ((19, 24), (0, 5))),           # said on leaving, never as a hello
}
_GREETING_WORDS = {
    "morning": _rx(r"\bgood morning\b", r"सुप्रभात", r"शुभ प्रभात", r"गुड मॉर्निंग",
                   r"\bsuprabhat\b"),
    "afternoon": _rx(r"\bgood afternoon\b", r"गुड आफ़्टरनून", r"गुड आफ्टरनून"),
    "evening": _rx(r"\bgood evening\b", r"शुभ संध्या", r"गुड इवनिंग"),
    "night": _rx(r"\bgood night\b", r"शुभ रात्रि", r"शुभ रात", r"गुड नाइट", r"\bshubh ratri\b"),
}
_GREETINGS = tuple((_GREETING_WORDS[part], fits) for part, (_, fits) in DAY_PARTS.items())


def greeting_fits(part: str, hour: int) -> bool:
    """"good ``part``" (morning, afternoon, evening, night) is right at ``hour`` (0-23)."""
    return any(a <= hour % 24 < b for a, b in DAY_PARTS[part][1])


def part_of_day(hour: int) -> str:
    """The part of the day VAANI greets by at ``hour`` (0-23): "morning", "afternoon",
    "evening", or "" in the small hours (a plain hello)."""
    for part, (said, _) in DAY_PARTS.items():
        if said is not None and said[0] <= hour % 24 < said[1]:
            return part
    return ""


def greeting_for(hour: int, language: str, morning_said: bool = False) -> str:
    """The greeting VAANI says at ``hour`` (0-23), one that never conflicts with the clock
    (:func:`greeting_conflict`): good morning 4-12, afternoon 12-17, evening 17-24, a plain
    hello in the small hours; in Hindi नमस्ते, or सुप्रभात in the morning to someone who
    said it (``morning_said``)."""
    part = part_of_day(hour)
    if language == "hi":
        return "सुप्रभात!" if morning_said and part == "morning" else "नमस्ते!"
    return f"Good {part}!" if part else "Hello!"


def greeting_conflict(text: str, hour: int) -> bool:
    """A time-of-day greeting that does not fit ``hour`` (good morning at 3 pm)."""
    for pattern, spans in _GREETINGS:
        if pattern.search(text) and not any(a <= hour < b for a, b in spans):
            return True
    return False


# -- tool results ------------------------------------------------------------------------------

_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_WEEKDAYS = {w.lower(): i for i, w in enumerate(ENGLISH_WEEKDAYS)} | \
            {w: i for i, w in enumerate(HINDI_WEEKDAYS)}
_MONTHS = {m.lower(): i for i, m in enumerate(ENGLISH_MONTHS)} | \
          {m: i for i, m in enumerate(HINDI_MONTHS)} | {"फरवरी": 1, "सितम्बर": 8, "नवम्बर": 10,
                                                        "दिसम्बर": 11, "अक्तूबर": 9}
_PERIODS = (  # words that place a time in the day, and the hours they fit
    (_rx(r"\b(a\.?\s?m\.?)(?![a-z])", r"\bmorning\b", r"सुबह", r"\bsubah\b"), (0, 12)),
    (_rx(r"\b(p\.?\s?m\.?)(?![a-z])", r"\bafternoon\b", r"\bevening\b", r"दोपहर", r"शाम",
         r"\bdopahar\b", r"\bshaam\b"), (12, 24)),
    (_rx(r"\bnight\b", r"रात", r"\braat\b"), (19, 29)),    # 19:00 to 05:00 (24 + 5)
)


_DURATION_KEYS = (("hours", 3600), ("minutes", 60), ("seconds", 1))


@dataclass
class Allowed:
    """What a worded tool answer may mention: numbers, weekdays, months, hours."""

    numbers: set[Fraction] = field(default_factory=set)
    weekdays: set[int] = field(default_factory=set)
    months: set[int] = field(default_factory=set)
    hours: set[int] = field(default_factory=set)
    durations: set[int] = field(default_factory=set)     # seconds

    def add_number(self, value: Any) -> None:
        try:
            x = Fraction(value) if not isinstance(value, float) else Fraction(str(value))
        except (ValueError, TypeError, ZeroDivisionError):
            return
        self.numbers.add(x)
        self.numbers.add(abs(x))
        for places in (0, 1, 2):
            self.numbers.add(Fraction(round(x, places)))

    def add_time(self, hour: int, minute: int) -> None:
        h12 = hour % 12 or 12
        self.hours.add(hour)
        for v in (hour, h12, minute):
            self.numbers.add(Fraction(v))
        # साढ़े चार = 4:30, सवा चार = 4:15, पौने पाँच = 4:45, डेढ़ = 1:30, ढाई = 2:30
        quarter = {15: Fraction(1, 4), 30: Fraction(1, 2), 45: Fraction(-1, 4)}.get(minute)
        if quarter is not None:
            base = h12 + 1 if minute == 45 else h12
            self.numbers.add(base + quarter)
            self.numbers.add(Fraction(base % 12 or 12) + quarter)
        if minute == 45:
            self.numbers.add(Fraction(h12 % 12 + 1))
        if minute == 0:
            self.numbers.add(Fraction(0))

    def add_date(self, d: date) -> None:
        for v in (d.year, d.month, d.day):
            self.numbers.add(Fraction(v))
        self.weekdays.add(d.weekday())
        self.months.add(d.month - 1)

    def add_text(self, text: str) -> None:
        m = _HHMM.match(text)
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            self.add_time(int(m.group(1)), int(m.group(2)))
            return
        m = _ISO_DATE.match(text)
        if m:
            try:
                self.add_date(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
            except ValueError:
                pass
        low = text.lower()
        for name, i in _WEEKDAYS.items():
            if name in low:
                self.weekdays.add(i)
        for name, i in _MONTHS.items():
            if name in low:
                self.months.add(i)
        for roman in (True, False):
            for span in find_numbers(tokens(text), roman):
                self.add_number(span.value)
            for d in durations(words(text), roman):
                self.durations.add(round(d.seconds))

    def add(self, obj: Any) -> None:
        """Everything mentionable in a JSON value (a tool's result or arguments)."""
        if isinstance(obj, bool) or obj is None:
            return
        if isinstance(obj, (int, float)):
            if isinstance(obj, float) and not math.isfinite(obj):
                return
            self.add_number(obj)
        elif isinstance(obj, str):
            self.add_text(obj)
        elif isinstance(obj, Mapping):
            for value in obj.values():
                self.add(value)
            # {"minutes": 10, "seconds": 0}: a duration of 600 s
            parts = [(size, obj.get(unit)) for unit, size in _DURATION_KEYS]
            if any(isinstance(v, (int, float)) and not isinstance(v, bool) for _, v in parts):
                total = sum(size * float(v) for size, v in parts
                            if isinstance(v, (int, float)) and not isinstance(v, bool)
                            and math.isfinite(v))
                if total > 0:
                    self.durations.add(round(total))
        elif isinstance(obj, (list, tuple)):
            for value in obj:
                self.add(value)


def unfaithful(text: str, allowed: Allowed) -> str:
    """What in a worded tool answer is not backed by ``allowed`` ("" = nothing): the first
    number, weekday, month or part of the day that does not match."""
    # romanised Hindi number words only in romanised Hindi: in English "at" is not आठ
    roman = is_romanized_hindi(text)
    for span in find_numbers(tokens(text), roman):
        if span.value not in allowed.numbers:
            return f"number {span.value}"
    if allowed.durations:                    # "10 सेकंड" for a 600 s timer
        for d in durations(words(text), roman):
            if round(d.seconds) not in allowed.durations:
                return f"duration {round(d.seconds)} s"
    low = unicodedata.normalize("NFC", text).lower()
    for name, i in _WEEKDAYS.items():
        if re.search(rf"(?<![\w\u0900-\u097f]){re.escape(name)}", low) and i not in allowed.weekdays:
            return f"weekday {name}"
    for name, i in _MONTHS.items():
        if re.search(rf"(?<![\w\u0900-\u097f]){re.escape(name)}(?![a-z])", low) \
                and i not in allowed.months:
            return f"month {name}"
    if allowed.hours:
        for pattern, (a, b) in _PERIODS:
            said = pattern.search(low)
            if said and not any(a <= h < b or a <= h + 24 < b for h in allowed.hours):
                return f"part of the day {said.group(0)!r}"
    return ""


# -- tool calls -----------------------------------------------------------------------------------

def _said_numbers(text: str) -> set[Fraction]:
    toks = tokens(text)
    return {span.value for roman in (True, False) for span in find_numbers(toks, roman)}


def arguments_said(arguments: Any, utterance: str) -> bool:
    """Every number and every word in a tool call's arguments was said by the user: the
    rule for tools that bring no ``grounded`` check of their own ("weather in Delhi" must
    not become a call for Shimla). Words match across scripts and spellings."""
    from vaani.language import word_key
    from vaani.textnorm.translit import to_devanagari

    said_keys = {word_key(w) for w in words(utterance)}
    said_numbers = _said_numbers(utterance)

    def word_said(w: str) -> bool:
        if word_key(w) in said_keys:
            return True
        if w.isascii() and w.isalpha():
            deva = to_devanagari(w)
            return deva is not None and word_key(deva) in said_keys
        return False

    def ok(value: Any) -> bool:
        if isinstance(value, bool) or value is None:
            return True
        if isinstance(value, (int, float)):
            try:
                return Fraction(str(value)) in said_numbers
            except ValueError:
                return False
        if isinstance(value, str):
            toks = words(value)
            spans = [s for roman in (True, False) for s in find_numbers(toks, roman)]
            if {s.value for s in spans} - said_numbers:
                return False
            in_number = {i for s in spans for i in range(s.start, s.end)}
            return all(word_said(w) for i, w in enumerate(toks)
                       if i not in in_number and len(w) > 1 and w.isalnum())
        if isinstance(value, Mapping):
            return all(ok(v) for v in value.values())
        if isinstance(value, (list, tuple)):
            return all(ok(v) for v in value)
        return False

    return ok(arguments)


def clause_confidence(scores: Sequence[tuple[float, float]]) -> float | None:
    """The confidence of a clause: the geometric mean of its tokens' probabilities,
    exp(mean log-probability); None when the engine gave no scores."""
    if not scores:
        return None
    return math.exp(sum(lp for lp, _ in scores) / len(scores))


# -- the guard of one reply ----------------------------------------------------------------------

@dataclass(frozen=True)
class ToolRan:
    """A tool call of this reply and what it returned (the pipeline passes it on in order
    with the reply's text)."""

    name: str
    arguments: Any
    result: Any
    acts: bool = False
    say: str = ""          # the tool's own wording of the result ("" = none)


@dataclass
class Settings:
    enabled: bool = True
    max_sentences: int = 3
    min_confidence: float = DEFAULT_MIN_CONFIDENCE


class ReplyGuard:
    """Checks one LLM reply clause by clause; :meth:`feed` returns what may be spoken.

    ``scores`` is the list the engine appends one (log-probability, entropy) pair to per
    generated token; :meth:`feed` gets how many of them existed when the piece was produced,
    so each clause is scored on its own tokens. ``now`` is the wall clock (greetings).
    """

    def __init__(self, settings: Settings, language: str, question: str, *,
                 abilities: Sequence[str] = (), tools: Iterable[Any] = (),
                 now: Callable[[], datetime] = datetime.now) -> None:
        self.settings = settings
        self.language = language if language in ("hi", "en") else "en"
        self.question = question
        self.romanised = is_romanized_hindi(question)
        self.abilities = list(abilities)
        self.tools = list(tools)
        self.now = now
        self.splitter = ClauseSplitter()
        self.spoken: list[str] = []
        self.sentences = 0
        self.done = False                      # nothing more of the model's text is wanted
        self.abstained = ""                    # why VAANI declined ("" = it did not)
        self.replaced = ""                     # why the tool's own wording was spoken
        self.cut = ""                          # why the reply was ended early
        self.clauses: list[dict[str, Any]] = []   # per clause: text, confidence, verdict
        self.tool_runs: list[ToolRan] = []
        self._allowed: Allowed | None = None
        self._text = ""                          # everything fed so far
        self._at = 0                             # where the next clause starts in it
        self._marks: list[tuple[int, int]] = []  # (end of a piece in _text, scores by then)
        self._score_at = 0                       # scores already given to earlier clauses
        self._scores: Sequence[tuple[float, float]] = ()

    # -- before the model ----------------------------------------------------------------------

    def before(self) -> list[str]:
        """Clauses to say instead of asking the model (a request it must decline), or []."""
        if not self.settings.enabled:
            return []
        scope = out_of_scope(self.question, self.tools)
        if scope is None:
            return []
        kind, topic = scope
        return self.abstain(kind, topic)

    # -- the reply -------------------------------------------------------------------------------

    def tool_ran(self, run: ToolRan) -> list[str]:
        """A tool call finished: a failure ends the reply with an honest apology."""
        self.tool_runs.append(run)
        if self.done:
            return []
        if isinstance(run.result, Mapping) and "error" in run.result:
            # a call the user did not ask for (the time for "the capital of India"): the
            # question is one VAANI cannot answer; a real call that failed: say so
            refused = run.result.get("error") in REFUSED
            return self.abstain("tool_refused" if refused else "tool_failed")
        allowed = self._allowed or Allowed()
        allowed.add(run.result)
        allowed.add(run.arguments)
        allowed.add_text(self.question)
        self._allowed = allowed
        return []

    def feed(self, piece: str, scores: Sequence[tuple[float, float]] = ()) -> list[str]:
        """Text streamed by the model; ``scores``: every token score so far."""
        if self.done:
            return []
        self._scores = scores
        self._text += piece
        self._marks.append((len(self._text), len(scores)))
        out: list[str] = []
        for clause in self.splitter.process(piece):
            out += self._check(clause)
            if self.done:
                break
        return out

    def finish(self, scores: Sequence[tuple[float, float]] = ()) -> list[str]:
        """The model stopped: check what is left."""
        if self.done:
            return []
        if len(scores) > len(self._scores):
            self._scores = scores
            self._marks.append((len(self._text), len(scores)))
        out: list[str] = []
        for clause in self.splitter.flush():
            out += self._check(clause)
            if self.done:
                break
        if not self.spoken and not self.done:
            out += self.abstain("empty")
        self.done = True
        return out

    def abstain(self, reason: str, topic: str = "") -> list[str]:
        """Decline honestly (nothing of the model's is spoken after this)."""
        self.done = True
        self.abstained = f"{reason}:{topic}" if topic else reason
        return self._say(abstention(reason, self.language, self.abilities, topic))

    def _say(self, text: str) -> list[str]:
        """Text of VAANI's own (an abstention, a tool's wording), as clauses to speak."""
        splitter = ClauseSplitter()
        parts = splitter.process(text) + splitter.flush()
        self.spoken += parts
        return parts

    # -- one clause ----------------------------------------------------------------------------

    def _clause_scores(self, clause: str) -> list[tuple[float, float]]:
        """The scores of the tokens that wrote ``clause``: those produced up to the piece
        in which the clause ends, after the last clause's."""
        found = self._text.find(clause, self._at)
        end = found + len(clause) if found >= 0 else len(self._text)
        self._at = max(self._at, end)
        upto = next((n for pos, n in self._marks if pos >= end), len(self._scores))
        new = list(self._scores[self._score_at:upto])
        self._score_at = max(self._score_at, upto)
        if not new and upto:                  # two clauses ended in one piece: share it
            new = list(self._scores[max(0, upto - 1):upto])
        return new

    def _check(self, clause: str) -> list[str]:
        scores = self._clause_scores(clause)
        confidence = clause_confidence(scores)
        record: dict[str, Any] = {"text": clause, "confidence": confidence, "tokens": len(scores)}
        if scores:                            # other candidate scores, for calibration
            record["min_logprob"] = round(min(lp for lp, _ in scores), 4)
            record["mean_entropy"] = round(sum(h for _, h in scores) / len(scores), 4)
        self.clauses.append(record)
        verdict = self._verdict(clause, confidence)
        record["verdict"] = verdict or "ok"
        if not verdict:
            self.spoken.append(clause)
            if clause.rstrip()[-1:] in ".?!।॥":
                self.sentences += 1
            if self.sentences >= self.settings.max_sentences:
                self.done = True
                self.cut = "length"
            return [clause]
        kind, _, why = verdict.partition(":")
        if kind == "replace":
            return self._replace(why)
        if kind == "greet":
            fixed = greeting_for(self.now().hour, self.language)
            self.spoken.append(fixed)
            self.done = True
            self.cut = "greeting"
            return [fixed]
        if self.spoken:                 # something true was said: end the reply there
            self.done = True
            self.cut = why
            return []
        return self.abstain(why)

    def _verdict(self, clause: str, confidence: float | None) -> str:
        """"" = speak it; "stop:<why>" = never; "replace:<why>" = the tool's own wording;
        "greet:<why>" = a greeting that contradicts the clock."""
        ok_runs = [r for r in self.tool_runs
                   if not (isinstance(r.result, Mapping) and "error" in r.result)]
        # a tool's result the model worded badly (garbled, or in the other language) is
        # still the answer: the tool's own wording says it
        fix = "replace" if ok_runs else "stop"
        bad = degenerate(clause, " ".join(self.spoken))
        if bad:
            return f"{fix}:{bad}"
        if not script_ok(clause, self.language, self.romanised):
            return f"{fix}:wrong_language"
        if claims_action(clause) and not any(r.acts for r in ok_runs):
            return "stop:claimed_action"
        if ok_runs and self._allowed is not None:
            wrong = unfaithful(clause, self._allowed)
            if wrong:
                return f"replace:unfaithful ({wrong})"
            return ""
        if greeting_conflict(clause, self.now().hour):
            return "greet:greeting"
        if confidence is not None and confidence < self.settings.min_confidence:
            return "stop:unsure"
        if confidence is None and self.settings.min_confidence > 0:
            return "stop:unsure"          # an engine that cannot say how sure it is
        return ""

    def _replace(self, why: str) -> list[str]:
        """The model misworded a tool's result (unfaithful, garbled, the other language): the
        tool's own wording, or an apology."""
        say = next((r.say for r in reversed(self.tool_runs) if r.say), "")
        self.replaced = why
        if self.spoken or not say:
            if self.spoken:
                self.done = True
                self.cut = why
                return []
            return self.abstain(why.split(" ")[0])
        self.done = True
        return self._say(say)

    # -- what happened ---------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return " ".join(self.spoken)

    @property
    def report(self) -> dict[str, Any]:
        out: dict[str, Any] = {"clauses": self.clauses,
                               "min_confidence": self.settings.min_confidence}
        for key in ("abstained", "replaced", "cut"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out
