"""Knowledge skill: word meanings, English <-> Hindi words, and a checked fact table.

* **Definitions** (English, WordNet 3.0 from Debian ``wordnet-base``): "what does ephemeral
  mean", "define generous", "meaning of obsolete" -> "Ephemeral, adjective: lasting a very
  short time."
* **Translations** (FreeDict English-Hindi from Debian ``dict-freedict-eng-hin``, GPL-2+,
  installed beside VAANI, never shipped inside it): "what is apple in Hindi" -> "Apple in
  Hindi is सेब."; "सेब को अंग्रेज़ी में क्या कहते हैं" -> "सेब को अंग्रेज़ी में apple कहते
  हैं।"; "'happy' ka hindi kya hai" -> "happy को हिंदी में सुखी कहते हैं।".
* **Facts** (:mod:`facts`, :mod:`places`, :mod:`festivals`): capitals of countries (names from
  Unicode CLDR through babel) and Indian states, planets, national symbols of India,
  festivals and national days, basic science, calendar, geography and sport. Every fact
  carries its source, returned in ``Reply.data["source"]``.

Precision first: a question is answered only if every word of it is known to the skill
(:mod:`understand`); anything else is left to other skills and the model. Time-sensitive
questions (populations, office holders, the richest, records, prices, scores) are never
answered: what the reply guard declines (:func:`vaani.guard.out_of_scope`: prices, scores,
today's office holders, weather, news) is left to it, and the rest is declined here.

Language: the reply is in the utterance's language. Hinglish (romanised Hindi) resolves to
``hi`` (vaani.language) and is answered in Devanagari, as every VAANI skill does: the Hindi
voices read Devanagari, and a Hindi speaker reads it more easily than a romanisation.

Missing data (a Debian package not installed, babel missing): start-up reports an Error
event naming the package and how to install it, the rest of the skill keeps working, and a
question that needs the missing data is declined in so many words.

Config (``[plugins.knowledge]``): ``wordnet_dir`` (default /usr/share/wordnet),
``freedict_dir`` (default /usr/share/dictd).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from vaani.errors import ConfigError, PluginError
from vaani.events import error_event
from vaani.guard import LIVE, out_of_scope
from vaani.hookspecs import PluginContext, Reply, Tool, Utterance, hookimpl
from vaani.language import DEVANAGARI, deva_key, roman_key, words

from . import asking, freedict, understand, wordnet
from .festivals import FESTIVALS, computed_answer
from .places import Place, Places, capitals_of
from .roman import keys as roman_keys

log = logging.getLogger(__name__)
NAME = "knowledge"
DEFAULTS: dict[str, Any] = {"wordnet_dir": wordnet.DEFAULT_DIR,
                            "freedict_dir": freedict.DEFAULT_DIR}
INSTALL_HINT = "run scripts/setup.sh, or: sudo apt-get install {package}"


def settings(table: dict[str, Any]) -> dict[str, str]:
    """Validated ``[plugins.knowledge]`` (ConfigError names a bad key)."""
    for key in table:
        if key not in DEFAULTS:
            raise ConfigError(f"unknown config key 'plugins.{NAME}.{key}'",
                              hint="known keys: " + ", ".join(sorted(DEFAULTS)))
    out = dict(DEFAULTS)
    for key, value in table.items():
        if not isinstance(value, str) or not value:
            raise ConfigError(f"plugins.{NAME}.{key} must be a directory path (got {value!r})")
        out[key] = value
    return out


# -- what the skill says ---------------------------------------------------------------------

MISSING = {
    "wordnet": ("I can't look up word meanings: the WordNet dictionary (Debian package "
                "wordnet-base) isn't installed.",
                "मैं शब्दों के अर्थ नहीं देख सकती: WordNet शब्दकोश (डेबियन पैकेज wordnet-base) "
                "इंस्टॉल नहीं है।"),
    "freedict": ("I can't translate words: the English-Hindi dictionary (Debian package "
                 "dict-freedict-eng-hin) isn't installed.",
                 "मैं शब्दों का अनुवाद नहीं कर सकती: अंग्रेज़ी-हिंदी शब्दकोश (डेबियन पैकेज "
                 "dict-freedict-eng-hin) इंस्टॉल नहीं है।"),
}
DECLINE = {
    "population": ("Populations change every year, so I can't give a current figure offline.",
                   "जनसंख्या हर साल बदलती है, इसलिए मैं ऑफ़लाइन उसका ताज़ा आँकड़ा नहीं बता सकती।"),
    "rich": ("Who is richest changes all the time, so I can't answer that offline.",
             "सबसे अमीर कौन है, यह बदलता रहता है, इसलिए मैं ऑफ़लाइन यह नहीं बता सकती।"),
    "gdp": ("Economic figures change every year, so I can't give a current one offline.",
            "अर्थव्यवस्था के आँकड़े हर साल बदलते हैं, इसलिए मैं ऑफ़लाइन ताज़ा आँकड़ा नहीं बता सकती।"),
    "record": ("Records keep being broken, so I can't give the current one offline.",
               "रिकॉर्ड टूटते रहते हैं, इसलिए मैं ऑफ़लाइन मौजूदा रिकॉर्ड नहीं बता सकती।"),
    "building": ("The tallest and largest buildings keep changing, so I can't answer that "
                 "offline.", "सबसे ऊँची इमारतें बदलती रहती हैं, इसलिए मैं ऑफ़लाइन यह नहीं बता सकती।"),
    "office": LIVE["office"],
}
THIS_YEAR = (" I can't work out this year's exact date offline.",
             " इस साल की सही तारीख़ मैं ऑफ़लाइन नहीं निकाल सकती।")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: list[str], hi: bool) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" और " if hi else " and ") + items[-1]


class Knowledge:
    """The skill with its data; everything loads on first use (or at start-up)."""

    def __init__(self, config: dict[str, str] | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.config = dict(config or DEFAULTS)
        self.now = now
        self._lock = threading.Lock()
        self._loaded = False
        self.wordnet: wordnet.WordNet | None = None
        self.freedict: freedict.FreeDict | None = None
        self.places: Places | None = None
        self.reader: understand.Reader | None = None
        self.problems: dict[str, tuple[str, str]] = {}      # data -> (message, package)

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> dict[str, tuple[str, str]]:
        """Open the data (once); returns what is missing: {name: (message, package)}."""
        with self._lock:
            if self._loaded:
                return self.problems
            try:
                self.wordnet = wordnet.WordNet(self.config["wordnet_dir"])
            except OSError as exc:
                self.problems["wordnet"] = (str(exc), "wordnet-base")
            try:
                counts = self.wordnet.tag_count if self.wordnet else None
                self.freedict = freedict.FreeDict(self.config["freedict_dir"], counts=counts)
            except OSError as exc:
                self.problems["freedict"] = (str(exc), "dict-freedict-eng-hin")
            try:
                from . import places as places_mod
                self.places = places_mod.load()
            except ImportError as exc:
                self.problems["cldr"] = (f"country names need babel (Unicode CLDR): {exc}",
                                         "python3-babel (or pip install babel)")
            self.reader = understand.Reader(self.places)
            self._loaded = True
            return self.problems

    def warm(self) -> None:
        """Build the slower indexes (Hindi -> English) ahead of the first question."""
        self.load()
        if self.freedict is not None:
            self.freedict.warm()

    # -- the fast path ---------------------------------------------------------------------

    def handle(self, utterance: Utterance) -> Reply | None:
        self.load()
        text = utterance.text
        language = utterance.language if utterance.language in ("hi", "en") else "en"
        if not words(text) or len(words(text)) > 20:
            return None
        request = asking.read(text)
        if request is not None:
            reply = self._dictionary(request, language)
            if reply is not None:
                return reply
        assert self.reader is not None
        # The table holds nothing that changes over time and no fact allows a
        # time-sensitive word, so a question it answers is never a live one (and is answered
        # even where the guard's broader patterns would take it for live information).
        match = understand.find(self.reader, text)
        answer = self.answer(match, language) if match is not None else None
        if match is not None and answer is not None:
            text_out, source = answer
            return Reply(text_out, language, {"kind": "fact", "id": match.fact.id,
                                              "source": source, "bindings": match.bindings})
        if out_of_scope(text) is not None:
            return None                 # the guard declines it, in the same words for all
        topic = understand.time_sensitive(self.reader, text)
        if topic is not None:
            en, hi = DECLINE[topic]
            return Reply(hi if language == "hi" else en, language,
                         {"kind": "declined", "reason": "time_sensitive", "topic": topic})
        return None

    # -- dictionary ------------------------------------------------------------------------

    def _dictionary(self, request: asking.Request, language: str) -> Reply | None:
        hi = language == "hi"
        if request.kind == "define":
            if self.wordnet is None:
                return self._missing("wordnet", language) if _looks_english(request.word) \
                    else None
            definition = self.wordnet.define(request.word)
            if definition is None:
                return None
            # definitions are English (WordNet), whatever the question's language
            return Reply(define_text(definition), "en", _define_data(definition))
        if self.freedict is None:
            return self._missing("freedict", language)
        if request.to == "hi":
            if DEVANAGARI.search(request.word):
                return None
            lemmas = ((lambda w: [lemma for lemma, _ in self.wordnet.lemmas(w)])
                      if self.wordnet else None)
            found = self.freedict.to_hindi(request.word, lemmas)
            if found is None:
                # an English word's meaning asked in Hindi, with no Hindi entry: its
                # English definition is still an answer (said in English)
                if self.wordnet is not None and hi and (d := self.wordnet.define(request.word)):
                    return Reply(define_text(d), "en", _define_data(d))
                return None
        else:
            if not DEVANAGARI.search(request.word) and self.freedict.has(request.word):
                return None                   # an English word "in English": nothing to do
            found = self.freedict.to_english(request.word)
            if found is None:
                return None
        return Reply(translate_text(found, language), language, _translate_data(found))

    def _missing(self, what: str, language: str) -> Reply:
        en, hi = MISSING[what]
        return Reply(hi if language == "hi" else en, language,
                     {"kind": "declined", "reason": "missing_data", "data": what})

    # -- facts -----------------------------------------------------------------------------

    def answer(self, match: understand.Match, language: str) -> tuple[str, str] | None:
        """(answer in ``language``, its source) for a matched fact."""
        hi = language == "hi"
        fact = match.fact
        if not fact.slots:
            return (fact.hi if hi else fact.en), fact.source
        assert self.places is not None or "festival" in fact.slots
        b = match.bindings
        if fact.id == "festival.about":
            return self._festival(b["festival"], hi, "THIS_YEAR" in match.tokens)
        places = self.places
        if places is None:
            return None
        country = places.countries.get(b.get("country", ""))
        state = places.states.get(b.get("state", ""))
        city = places.cities.get(b.get("city", ""))
        if fact.id == "capital.of_country" and country:
            return _capital_of(country, hi), country.source
        if fact.id == "capital.of_state" and state:
            return _capital_of(state, hi), state.source
        if fact.id == "capital.which_country" and city:
            return _capital_which(places, city, hi), city.source
        if fact.id in ("capital.check_country", "capital.check_state") and city:
            place = country or state
            if place is None:
                return None
            return _capital_check(places, city, place, hi), place.source
        if fact.id == "city.country" and city:
            home = places.countries.get(city.country)
            if home is None:
                return None
            if hi:
                return f"{city.hi} {home.hi} में है।", city.source
            return f"{city.en} is in {home.en}.", city.source
        return None

    def _festival(self, fid: str, hi: bool, this_year: bool) -> tuple[str, str]:
        name_en, name_hi, _, en, hi_text, source = FESTIVALS[fid]
        if not en:                                   # computed (Easter, Good Friday)
            today = datetime.fromtimestamp(self.now()).date()
            en, hi_text = computed_answer(fid, today)
            return (hi_text if hi else en), source
        text = hi_text if hi else en
        if this_year and ("changes" in source or "moves" in source):
            text += THIS_YEAR[hi]
        return text, source

    # -- tools -----------------------------------------------------------------------------

    def tool_define(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        self.load()
        word = arguments.get("word")
        if not isinstance(word, str) or not word.strip():
            return {"error": "word must be a non-empty string"}
        if self.wordnet is None:
            return {"error": MISSING["wordnet"][0]}
        definition = self.wordnet.define(word.strip()[:60])
        if definition is None:
            return {"error": f"no definition of {word!r} in WordNet"}
        return _define_data(definition)

    def tool_translate(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        self.load()
        word, to = arguments.get("word"), _language_code(arguments.get("to"))
        if not isinstance(word, str) or not word.strip():
            return {"error": "word must be a non-empty string"}
        if to is None:
            return {"error": "to must be 'hi' (Hindi) or 'en' (English)"}
        if self.freedict is None:
            return {"error": MISSING["freedict"][0]}
        word = word.strip()[:60]
        if to == "hi":
            lemmas = ((lambda w: [lemma for lemma, _ in self.wordnet.lemmas(w)])
                      if self.wordnet else None)
            found = self.freedict.to_hindi(word, lemmas)
        else:
            found = self.freedict.to_english(word)
        if found is None:
            return {"error": f"{word!r} is not in the English-Hindi dictionary"}
        return _translate_data(found)

    def tool_fact(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        self.load()
        question = arguments.get("question")
        if not isinstance(question, str) or not question.strip():
            return {"error": "question must be a non-empty string"}
        assert self.reader is not None
        question = question.strip()[:300]
        if out_of_scope(question) is not None or \
                understand.time_sensitive(self.reader, question) is not None:
            return {"error": "time-sensitive: not answered offline"}
        match = understand.find(self.reader, question)
        answer = self.answer(match, language) if match else None
        if match is None or answer is None:
            return {"error": "not in the offline fact table"}
        en = self.answer(match, "en")
        hi = self.answer(match, "hi")
        assert en is not None and hi is not None
        return {"id": match.fact.id, "answer": answer[0], "answer_en": en[0],
                "answer_hi": hi[0], "source": answer[1]}


# -- wording ---------------------------------------------------------------------------------

def define_text(d: wordnet.Definition) -> str:
    """"Ephemeral, adjective: lasting a very short time." (first sense, part of speech);
    the second sense too when WordNet's counts do not make the first the usual one
    ("Vacant, adjective: void of thought or knowledge; or: without an occupant or
    incumbent.")."""
    gloss = _short(d.gloss)
    word = d.word.strip()
    shown = word if word.lower() != d.lemma.lower() else d.lemma
    lemma_note = f" (from {d.lemma})" if d.lemma.lower() != word.lower() else ""
    if d.undecided and len(gloss) <= 90:
        second = _short(d.senses[1].gloss)
        if len(second) <= 100 and second != gloss:
            gloss = f"{gloss}; or: {second}"
    return f"{_cap(shown)}{lemma_note}, {wordnet.POS_NAMES[d.pos]}: {gloss}."


def _short(gloss: str) -> str:
    return gloss.split("; ")[0] if len(gloss) > 120 else gloss


def _define_data(d: wordnet.Definition) -> dict[str, Any]:
    return {"kind": "definition", "word": d.word, "lemma": d.lemma,
            "part_of_speech": wordnet.POS_NAMES[d.pos], "definition": d.gloss,
            "more": [s.gloss for s in d.senses[1:]], "source": wordnet.SOURCE}


def translate_text(t: freedict.Translation, language: str) -> str:
    """"Apple in Hindi is सेब." / "सेब को अंग्रेज़ी में apple कहते हैं।": the best word, and a
    synonym from the same first sense (पुस्तक या किताब), never a word from another sense."""
    alternatives = list(t.first[:2] if t.first else t.words[:1])
    word = t.word.strip()
    if t.to == "hi":
        if language == "hi":
            return f"{word} को हिंदी में {' या '.join(alternatives)} कहते हैं।"
        return f"{_cap(word)} in Hindi is {' or '.join(alternatives)}."
    if language == "hi":
        return f"{word} को अंग्रेज़ी में {' या '.join(alternatives)} कहते हैं।"
    return f"In English, {word} is {' or '.join(alternatives)}."


def _translate_data(t: freedict.Translation) -> dict[str, Any]:
    return {"kind": "translation", "word": t.word, "headword": t.headword, "to": t.to,
            "translation": t.best, "alternatives": list(t.words[1:5]),
            "source": freedict.SOURCE}


def _capital_of(place: Place, hi: bool) -> str:
    if hi:
        text = f"{place.hi} की राजधानी {place.capital_hi} है।"
        return text + (f" {place.note_hi}।" if place.note_hi else "")
    text = f"The capital of {place.en} is {place.capital_en}".rstrip(".") + "."
    return text + (f" {_cap(place.note_en)}." if place.note_en else "")


def _capital_which(places: Places, city: Place, hi: bool) -> str:
    of = capitals_of(places, city)
    if of:
        if hi:
            return f"{city.hi} {_join([p.hi for p in of], True)} की राजधानी है।"
        return f"{city.en} is the capital of {_join([p.en for p in of], False)}."
    home = places.countries.get(city.country)
    if home is None:
        return ""
    if hi:
        return (f"{city.hi} किसी देश की राजधानी नहीं है; यह {home.hi} में है, जिसकी राजधानी "
                f"{home.capital_hi} है।")
    return (f"{city.en} is not a capital; it is in {home.en}, whose capital is "
            f"{home.capital_en}".rstrip(".") + ".")


def _capital_check(places: Places, city: Place, place: Place, hi: bool) -> str:
    if place.capital_en == city.code:
        if hi:
            return f"हाँ, {city.hi} {place.hi} की राजधानी है।"
        return f"Yes, {city.en} is the capital of {place.en}."
    if hi:
        return f"नहीं, {place.hi} की राजधानी {place.capital_hi} है।"
    return f"No, the capital of {place.en} is {place.capital_en}".rstrip(".") + "."


def _looks_english(word: str) -> bool:
    return word.isascii()


def _language_code(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return {"hi": "hi", "hindi": "hi", "हिंदी": "hi", "en": "en", "english": "en",
            "अंग्रेज़ी": "en"}.get(value.strip().lower())


# -- grounding: a tool runs only for what was said -------------------------------------------

def _said_keys(utterance: str) -> set[str]:
    out: set[str] = set()
    for w in words(utterance):
        out.add(w.lower())
        if DEVANAGARI.search(w):
            out.add(deva_key(w))
        else:
            out.add(roman_key(w))
    return out


def _english_forms(word: str) -> set[str]:
    """A word and its dictionary forms ("running" -> running, run)."""
    forms = {word.lower()}
    if _skill.wordnet is not None:
        forms.update(lemma for lemma, _ in _skill.wordnet.lemmas(word))
    return forms


def _word_said(word: str, utterance: str) -> bool:
    """Every word of ``word`` was said: Devanagari by spelling key (or typed in Latin
    letters), English as said or as another form of a word said ("run" for "running")."""
    said = _said_keys(utterance)
    parts = words(word)
    if not parts:
        return False
    spoken_forms: set[str] | None = None
    for part in parts:
        if DEVANAGARI.search(part):
            if deva_key(part) not in said and not (roman_keys(part) & said):
                return False
        elif part.lower() not in said and roman_key(part) not in said:
            if spoken_forms is None:
                spoken_forms = set()
                for w in words(utterance):
                    if not DEVANAGARI.search(w):
                        spoken_forms |= _english_forms(w)
            if not (_english_forms(part) & spoken_forms):
                return False
    return True


def grounded_define(arguments: dict[str, Any], utterance: str) -> bool:
    word = arguments.get("word")
    return isinstance(word, str) and _word_said(word, utterance)


# Words nobody asks to have translated: a model that calls translate on one of them was
# after something else ("ek sau pachchees aur ... ka total kitna hai" -> translate "ka").
_FUNCTION_WORDS = frozenset("""का की के को में मे से ने पर और या है हैं था थे क्या कौन कितना
    ka ki ke ko mein me se ne par aur ya hai hain tha the kya kaun kitna
    a an the of to in on at is are was were and or what which how""".split())
# ... and a request for a translation names a language, a meaning or translating
_ASKS_TRANSLATION = re.compile(
    rf"{asking.LANG_HI}|{asking.LANG_EN}|{asking.MEANING}|translat|अनुवाद|anuvaad|\bmean")


def grounded_translate(arguments: dict[str, Any], utterance: str) -> bool:
    word = arguments.get("word")
    return (isinstance(word, str) and _language_code(arguments.get("to")) is not None
            and word.strip().lower() not in _FUNCTION_WORDS
            and _ASKS_TRANSLATION.search(utterance.lower()) is not None
            and _word_said(word, utterance))


def grounded_fact(arguments: dict[str, Any], utterance: str) -> bool:
    """The question the model asks the fact table is made of things the user said (in any
    language): its concepts and entities all occur in the utterance."""
    question = arguments.get("question")
    if not isinstance(question, str):
        return False
    _skill.load()
    reader = _skill.reader
    assert reader is not None
    match = understand.find(reader, question)
    if match is None:
        return False
    needed = {t for t in match.tokens if t not in understand.ALWAYS_ALLOWED}
    return bool(needed) and needed <= reader.tokens_said(utterance)


def say_define(result: dict[str, Any], language: str) -> str:
    return f"{_cap(result['word'])}, {result['part_of_speech']}: {result['definition']}."


def say_translate(result: dict[str, Any], language: str) -> str:
    t = freedict.Translation(result["word"], result["headword"], result["to"],
                             (result["translation"],))
    return translate_text(t, language)


def say_fact(result: dict[str, Any], language: str) -> str:
    return result["answer_hi"] if language == "hi" else result["answer_en"]


# -- hooks -----------------------------------------------------------------------------------

_lock = threading.Lock()
_skill = Knowledge()


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    """Open the data now; a missing package is an Error event (the skill keeps running)."""
    global _skill
    skill = Knowledge(settings(ctx.table), ctx.now)
    problems = skill.load()
    with _lock:
        _skill = skill
    for what, (message, package) in problems.items():
        exc = PluginError(f"knowledge skill: {message}",
                          hint=INSTALL_HINT.format(package=package))
        log.warning("%s", exc)
        ctx.emit(error_event(exc, source=f"plugin:{NAME}"))
    ctx.warming(skill.warm)        # the Hindi -> English index; the first question waits


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _skill.handle(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return _skill.handle(utterance)          # a pure function of the utterance (and the date)


@hookimpl
def vaani_tools() -> list[Tool]:
    return [
        Tool("define", "the meaning of an English word (WordNet dictionary)", {"word": "string"},
             lambda arguments, language: _skill.tool_define(arguments, language),
             grounded=grounded_define, say=say_define),
        Tool("translate", "an English word in Hindi or a Hindi word in English "
             "(to: 'hi' or 'en')",
             {"word": "string", "to": {"type": "string", "enum": ["hi", "en", "Hindi", "English",
                                                                  "हिंदी", "अंग्रेज़ी"]}},
             lambda arguments, language: _skill.tool_translate(arguments, language),
             grounded=grounded_translate, say=say_translate),
        Tool("fact", "a general-knowledge fact: capitals, planets, India's national symbols, "
             "festivals, basic science", {"question": "string"},
             lambda arguments, language: _skill.tool_fact(arguments, language),
             grounded=grounded_fact, say=say_fact),
    ]


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    _skill.load()
    hi = language == "hi"
    out = []
    if _skill.wordnet is not None:
        out.append("शब्दों के अर्थ" if hi else "word meanings")
    if _skill.freedict is not None:
        out.append("हिंदी-अंग्रेज़ी शब्द" if hi else "English-Hindi words")
    out.append("सामान्य ज्ञान" if hi else "general knowledge")
    return out


@hookimpl
def vaani_shutdown() -> None:
    global _skill
    with _lock:
        old, _skill = _skill, Knowledge()
    if old.wordnet is not None:
        old.wordnet.close()
