"""Small talk: greetings, thanks, "how are you", "who are you", "what can you do", jokes.

"hello", "good morning", "namaste", "नमस्ते", "how are you", "aap kaise ho", "तुम कौन हो",
"what's your name", "what can you do", "tum kya kya kar sakti ho", "thank you", "धन्यवाद",
"sorry", "ok", "acha", "bye", "good night", "शुभ रात्रि", "are you a robot", "क्या तुम इंसान
हो", "tell me a joke", "ek joke sunao", "चुटकुला सुनाओ", and short combinations of these
("hi, how are you?", "thanks, bye").

Precision first: an utterance is small talk only if *all* of it is made of the phrases
below (and a few fillers: "vaani", "please", "ji", "yaar"), so "hello, what time is it" is
left to the clock and "thank you, now set a timer for 5 minutes" to the others. Phrases are
compared through the spelling-tolerant keys of :mod:`vaani.language`.

Replies:

* in the utterance's language, except that Hindi-only phrases ("namaste", "dhanyavaad",
  "kaise ho") make the reply Hindi whatever the text's language was resolved to, unless
  English-only phrases have more words ("Namaste, nice to meet you" is answered in English,
  "Good evening, aapka din kaisa raha" in Hindi);
* Hindi replies are always in Devanagari, also for romanised Hindi (Hinglish) input, as
  the other skills do: the Hindi voice reads Devanagari, and the screen shows what it says;
* a greeting fits the time of day of the plugin's clock (``ctx.now``, in ``timezone``):
  never "good morning" at 3 pm, whatever the user said; "good night" is answered in kind
  only at night;
* "what can you do" lists the installed skills' own ``vaani_abilities`` phrases through
  ``ctx.abilities`` (a host without it leaves the question to the rest of VAANI, which
  answers it with the same list when it cannot help);
* jokes come from a curated list (:data:`JOKES`, 20+ per language), each told once before
  any is repeated, in an order shuffled per start.

Config (``[plugins.smalltalk]``): ``timezone`` (IANA name; "" = the computer's).
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vaani.errors import ConfigError
from vaani.guard import abilities_sentence, greeting_fits, greeting_for
from vaani.hookspecs import PluginContext, Reply, Utterance, hookimpl
from vaani.kit import ANY, Option, plugin_options
from vaani.language import word_key, words

NAME = "smalltalk"


# -- config ---------------------------------------------------------------------------------

def _zone(name: Any) -> tzinfo | None:
    if not isinstance(name, str):
        raise ValueError(f"expected a string, got {name!r}")
    if not name or name.lower() == "local":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"plugins.{NAME}.timezone: unknown time zone {name!r}",
                          hint='use an IANA name such as "Asia/Kolkata", or "" for '
                               "the computer's zone") from None


OPTIONS = plugin_options(
    NAME,
    Option("timezone", ANY, "", 'IANA name such as "Asia/Kolkata" for the time of day of '
                                "greetings; \"\" = the computer's zone", check=_zone))


def settings(table: dict[str, Any]) -> tzinfo | None:
    """The time zone from a validated ``[plugins.smalltalk]`` table (None: the computer's)."""
    values = OPTIONS.check(table)
    return values["timezone"] if "timezone" in table else None


# -- the phrases ----------------------------------------------------------------------------

# Pattern syntax: words separated by spaces; "a/b" is either word, "[a/b]" either or none.
# Each intent has English, Hindi (Devanagari and romanised) and shared phrases; a Hindi one
# makes the reply Hindi.
_EN, _HI, _ANY = "en", "hi", ""

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "greet": {
        _EN: ("hello/hi/hey/hiya/howdy [there/everyone/again]", "hello/hi hello/hi",
              "good morning/afternoon/evening", "morning", "greetings",
              "[it is] nice/pleased/glad/good to meet/see you [again/too]",
              "nice meeting you"),
        _HI: ("नमस्ते/नमस्कार/प्रणाम [जी]", "राम राम", "सत श्री अकाल", "आदाब", "सलाम",
              "हेलो/हैलो/हलो/हाय/हाई/हेल्लो", "सुप्रभात/सुप्रभातम", "शुभ प्रभात/संध्या",
              "[आपसे/तुमसे] मिलकर/मिलके [बहुत] अच्छा लगा [है]",
              "[आपसे/तुमसे] मिलकर/मिलके [बहुत] अच्छा लग रहा है",
              "[आपसे/तुमसे] मिलकर/मिलके [बहुत] ख़ुशी/खुशी हुई [है]",
              "[aapse/tumse] milkar/milke [bahut] achha/accha/acha laga",
              "[aapse/tumse] milkar/milke [bahut] khushi hui [hai]",
              "गुड मॉर्निंग/मोर्निंग/आफ्टरनून/आफ़्टरनून/इवनिंग",
              "namaste/namaskar/namaskaar/pranam/pranaam", "ram ram", "sat sri/shri akal",
              "adab/aadab/salaam/salam", "suprabhat/suprabhatam", "shubh prabhat/sandhya"),
        _ANY: (),
    },
    "how": {
        _EN: ("how are you [doing/today/doing today]", "how is it going", "how do you do",
              "how have you been", "what is up", "wassup/sup", "how are things",
              "how is your day [going]", "are you ok/okay/well/fine",
              "how are you feeling [today]", "how was your day [today]",
              "how has your day been", "how is everything"),
        _HI: ("[आज] [आप/तुम] [आज] कैसे/कैसी हो/हैं/है [आप/तुम] [आज]",
              "[और] क्या हाल/हालचाल है/हैं",
              "[और] क्या हाल चाल है", "हाल चाल कैसा है", "[और] क्या चल रहा है",
              "और बताओ/बताइए/सुनाओ/सुनाइए", "aur batao/bataiye/sunao/sunaiye",
              "[aaj/aj] [aap/tum] [aaj/aj] kaise/kaisi ho/hain/hai [aap/tum] [aaj/aj]",
              "[aur] kya haal/hal/halchal hai",
              "[aur] kya haal chaal hai", "haal chaal kaisa hai", "[aur] kya chal raha hai",
              "[आपका/तुम्हारा] दिन कैसा रहा/गया/है", "[आपका/तुम्हारा] दिन कैसा जा रहा है",
              "[aapka/tumhara] din kaisa raha/gaya/hai", "[aapka/tumhara] din kaisa ja raha hai"),
        _ANY: (),
    },
    "here": {
        _EN: ("are you there/listening/awake", "can you hear me", "you there"),
        _HI: ("[क्या] [आप/तुम] सुन रहे/रही हो/हैं [क्या]",
              "[क्या] [आप/तुम] वहाँ/वहां/यहाँ/यहां हो/हैं [क्या]",
              "[kya] [aap/tum] sun rahe/rahi ho/hain [kya]",
              "[kya] [aap/tum] vahan/wahan/yahan ho/hain [kya]"),
        _ANY: (),
    },
    "fine": {
        _EN: ("i am fine/good/great/okay/ok/well/alright [too/also]",
              "i am doing well/good/great",
              "[i am] fine/good [thanks/thank you]", "not bad", "all good"),
        _HI: ("मैं [भी] ठीक/बढ़िया/अच्छा/अच्छी हूँ/हूं/हु", "मैं [भी] मज़े/मजे में हूँ/हूं/हु",
              "main/mai/mein [bhi] theek/thik/badhiya/achha/accha/acha hoon/hun/hu",
              "main/mai/mein [bhi] maze/maje mein hoon/hun/hu", "सब बढ़िया/अच्छा [है]",
              "sab badhiya/accha/achha/acha [hai]"),
        _ANY: (),
    },
    "who": {
        _EN: ("who are you", "who is this", "what are you", "what is your name",
              "your name", "tell me about yourself", "introduce yourself",
              "who am i talking/speaking to/with", "what should i call you"),
        _HI: ("[आप/तुम] कौन हो/हैं/है [आप/तुम]", "[आपका/तुम्हारा/तेरा] नाम क्या है",
              "आपका/तुम्हारा नाम", "अपने बारे में बताओ/बताइए/बताइये",
              "अपना परिचय दो/दीजिए/दीजिये", "[aap/tum] kaun/kon ho/hain/hai [aap/tum]",
              "[aapka/tumhara/tera] naam/nam kya hai", "aapka/tumhara naam",
              "apne bare/baare mein/me batao/bataiye", "apna parichay do/dijiye"),
        _ANY: (),
    },
    "abilities": {
        _EN: ("what can you do [for me]", "what all can you do", "what else can you do",
              "what do you do", "what are you able to do", "what can i ask [you]",
              "how can you help [me]", "can you help [me]", "what can you help [me] with",
              "what are your skills/features", "what do you know", "help", "help me",
              "what [all/else] can you do [for me] offline",
              "what [all/else] can you do [for me] without [the] internet"),
        _HI: ("[आप/तुम] [ऑफ़लाइन/ऑफलाइन] [मेरे लिए] क्या [क्या] कर सकते/सकती/सकता हो/हैं/है",
              "[aap/tum] [offline] [mere liye] kya [kya] kar sakte/sakti/sakta ho/hain/hai",
              "[आप/तुम] किस/किन चीज़/चीज/चीज़ों/चीजों में मदद कर सकते/सकती हो/हैं",
              "मैं [आपसे/तुमसे] क्या [क्या] पूछ सकता/सकती हूँ/हूं", "मदद", "मदद करो/कीजिए",
              "[aap/tum] kya [kya] kar sakte/sakti/sakta ho/hain/hai",
              "main/mai [aapse/tumse] kya [kya] puch/pooch sakta/sakti hoon/hun/hu",
              "madad", "madad karo/kijiye"),
        _ANY: (),
    },
    "robot": {
        _EN: ("are you a robot/human/person/machine/bot/computer/program",
              "are you an ai/android", "are you a real person", "are you real/alive/human",
              "is this a robot/human/person/bot", "am i talking/speaking to a robot/human/"
              "person/bot/machine"),
        _HI: ("[क्या] [आप/तुम] रोबोट/इंसान/इन्सान/मशीन/मनुष्य/असली हो/हैं [क्या]",
              "[kya] [aap/tum] robot/insaan/insan/machine/asli ho/hain [kya]"),
        _ANY: (),
    },
    "thanks": {
        _EN: ("thank you [so much/very much/a lot/so very much/again]",
              "thanks [a lot/so much/a ton/again]",
              "thank you very much", "many thanks", "thanks a million", "thank u", "thx",
              "thank you [so much/very much/a lot] for [all] [your/the] help/everything/"
              "that/this", "thanks [so much/a lot] for [all] [your/the] help/everything/"
              "that/this", "thank you/u [so much/a lot] for helping [me]",
              "thanks [so much/a lot] for helping [me]",
              "that was [really/very/so] helpful/useful", "that/it helped [me] [a lot]",
              "you have been [really/very/so] helpful", "[i] appreciate it/that"),
        _HI: ("[बहुत] [बहुत] धन्यवाद/शुक्रिया", "[आपका/तुम्हारा] [बहुत] धन्यवाद/शुक्रिया",
              "थैंक यू/यु", "थैंक्यू/थैंक्स/थैंकयू",
              "[bahut] [bahut] dhanyavaad/dhanyawad/dhanyavad/shukriya",
              "[aapka/tumhara] [bahut] dhanyavaad/dhanyawad/shukriya",
              "[आपकी/तुम्हारी] मदद के लिए [आपका/तुम्हारा] [बहुत] [बहुत] धन्यवाद/शुक्रिया",
              "[इससे/इस से/आपसे/तुमसे] [बहुत] मदद मिली",
              "[aapki/tumhari] madad/help ke liye [bahut] [bahut] dhanyavaad/dhanyawad/"
              "shukriya/thanks", "[isse/aapse/tumse] [bahut] madad/help mili"),
        _ANY: (),
    },
    "sorry": {
        _EN: ("[i am] sorry [about that]", "my bad", "my apologies", "oops", "i apologise/"
              "apologize"),
        _HI: ("माफ़/माफ करना/कीजिए/कीजिये/करो", "माफ़ी चाहता/चाहती हूँ/हूं", "सॉरी",
              "maaf/maf karna/kijiye/karo", "maafi/mafi chahta/chahti hoon/hun/hu"),
        _ANY: (),
    },
    "ok": {
        _EN: ("ok/okay/alright/cool/sure/hmm [then]", "all right", "got it", "i see",
              "ok/okay cool", "sounds good", "never mind", "nevermind"),
        _HI: ("अच्छा/ठीक/ओके [है/हैं]", "[अच्छा] ठीक है", "सही है", "समझ गया/गई/गयी",
              "कोई बात नहीं", "acha/achha/accha/theek/thik [hai]", "[acha/achha] theek/thik hai",
              "sahi hai", "samajh gaya/gayi", "koi baat nahi/nahin"),
        _ANY: (),
    },
    "praise": {
        _EN: ("good/great/nice job/work", "well done", "nice/great/awesome/amazing/excellent/"
              "perfect/wonderful/brilliant/wow", "you are [so/very/really] smart/great/"
              "awesome/amazing/clever/helpful/good/funny", "you are the best", "i like/love you",
              "very good"),
        _HI: ("शाबाश", "[बहुत] बढ़िया/अच्छे/खूब/ख़ूब", "वाह [वाह]",
              "[आप/तुम] [बहुत] अच्छी/होशियार/समझदार/कमाल हो/हैं", "shabash/shabaash",
              "[bahut] badhiya/achhe/acche/khoob/khub", "wah/waah [wah/waah]",
              "[aap/tum] [bahut] achhi/acchi/hoshiyar/samajhdar/kamaal ho/hain"),
        _ANY: (),
    },
    "bye": {
        _EN: ("bye [bye/now/then]", "goodbye", "good bye", "see you [later/soon/tomorrow/again]",
              "see ya", "talk to you later", "take care", "catch you later", "good night",
              "night night", "that is all [for now]", "that will be all", "i am done"),
        _HI: ("अलविदा", "बाय [बाय]", "टाटा", "फिर मिलेंगे/मिलते [हैं]", "कल मिलते/मिलेंगे [हैं]",
              "शुभ रात्रि/रात", "गुड नाइट/नाईट", "चलो/चलिए बाय/अलविदा", "ध्यान रखना/रखिए",
              "बस इतना [ही]", "alvida/alvidaa", "tata/taata", "phir milenge/milte [hain]",
              "kal milenge/milte [hain]", "shubh ratri/raatri/raat", "chalo/chaliye bye/alvida",
              "dhyan/dhyaan rakhna/rakhiye", "bas itna [hi]"),
        _ANY: (),
    },
    "joke": {
        _EN: ("[tell/say] [me/us] [a/another/one/some] [more] [funny] joke/jokes",
              "tell me something funny", "say something funny", "make me laugh",
              "do you know a/any joke/jokes", "i want to hear a joke", "one more joke",
              "another one"),
        _HI: ("[मुझे] [एक/कोई] [और] जोक/जोक्स/चुटकुला/चुटकुले सुनाओ/सुनाइए/सुनाइये/सुना/बोलो/"
              "बताओ [ना/न]", "[एक] और जोक/चुटकुला", "मुझे हँसाओ/हंसाओ",
              "कुछ मज़ेदार/मजेदार सुनाओ/बोलो",
              "[mujhe] [ek/koi] [aur] joke/jokes/chutkula/chutkule sunao/sunaiye/suna/bolo/"
              "batao [na]", "[ek] aur joke/chutkula", "mujhe hasao/hansao",
              "kuch mazedar/majedar sunao/bolo"),
        _ANY: (),
    },
    # words that may stand around the phrases and change nothing
    "filler": {
        _EN: ("please", "can/could/would/will you [please]", "hey", "so", "oh", "well",
              "dear", "buddy", "friend", "my friend", "um", "uh", "and", "now"),
        _HI: ("जी", "यार", "भाई", "अरे", "प्लीज़/प्लीज", "ज़रा/जरा", "और", "ji", "yaar/yar",
              "bhai", "arre/arey", "zara/jara", "aur"),
        _ANY: ("vaani/vani/वाणी/वानी",),
    },
}
# The reply to the phrase that matters most (a joke asked for with a greeting is a joke).
PRECEDENCE = ("joke", "abilities", "who", "robot", "here", "how", "fine", "bye", "thanks",
              "sorry", "praise", "ok", "greet")
MAX_WORDS = 12


_SLOT = re.compile(r"\[([^\]]*)\]|(\S+)")


def _expand(pattern: str) -> list[tuple[str, ...]]:
    """Every word sequence a pattern allows, as spelling keys. A slot is a word with
    "/"-separated alternatives, or an optional "[...]" group whose alternatives may be
    several words ("[so much/a lot]")."""
    seqs: list[tuple[str, ...]] = [()]
    for m in _SLOT.finditer(pattern):
        optional = m.group(1) is not None
        body = m.group(1) if optional else m.group(2)
        alternatives = [tuple(word_key(w) for w in words(a)) for a in body.split("/")
                        if a.strip()]
        seqs = [s + a for s in seqs for a in alternatives] + (seqs if optional else [])
    return [s for s in seqs if s]


def _lexicon() -> dict[tuple[str, ...], set[tuple[str, str]]]:
    lexicon: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for intent, by_language in PHRASES.items():
        for language, patterns in by_language.items():
            for pattern in patterns:
                for seq in _expand(pattern):
                    lexicon.setdefault(seq, set()).add((intent, language))
    return lexicon


LEXICON = _lexicon()
_LONGEST = max(len(k) for k in LEXICON)
_MORNING = frozenset(word_key(w) for w in "morning सुप्रभात सुप्रभातम प्रभात मॉर्निंग मोर्निंग "
                     "suprabhat suprabhatam prabhat".split())
_NIGHT = frozenset(word_key(w) for w in "night रात्रि रात नाइट नाईट ratri raatri raat".split())


@dataclass(frozen=True)
class Talk:
    """What was said: its phrases' intents, whether it was mostly Hindi-only phrases (more
    of their words than of English-only ones), and the time-of-day words used."""

    intents: tuple[str, ...]
    hindi: bool = False
    morning: bool = False
    night: bool = False

    @property
    def main(self) -> str:
        return next(i for i in PRECEDENCE if i in self.intents)


def _segment(ks: Sequence[str]) -> list[tuple[set[tuple[str, str]], int]] | None:
    """``ks`` cut into lexicon phrases (longest first, backtracking), or None; each phrase
    as (its (intent, language) readings, its length in words)."""
    memo: dict[int, list[tuple[set[tuple[str, str]], int]] | None] = {}

    def at(i: int) -> list[tuple[set[tuple[str, str]], int]] | None:
        if i == len(ks):
            return []
        if i in memo:
            return memo[i]
        memo[i] = None
        for size in range(min(_LONGEST, len(ks) - i), 0, -1):
            found = LEXICON.get(tuple(ks[i:i + size]))
            if found:
                rest = at(i + size)
                if rest is not None:
                    memo[i] = [(found, size), *rest]
                    break
        return memo[i]

    return at(0)


def understand(text: str) -> Talk | None:
    """The small talk in ``text``, or None if any part of it is something else."""
    w = words(text)
    if not w or len(w) > MAX_WORDS:
        return None
    ks = [word_key(x) for x in w]
    segments = _segment(ks)
    if segments is None:
        return None
    intents: list[str] = []
    said = {_HI: 0, _EN: 0}                  # words of Hindi-only and English-only phrases
    for found, size in segments:
        names = {intent for intent, _ in found}
        intent = next((i for i in PRECEDENCE if i in names), "filler")
        if intent == "filler":
            continue
        intents.append(intent)
        languages = {language for i, language in found if i == intent}
        if len(languages) == 1 and languages <= {_HI, _EN}:
            said[languages.pop()] += size
    if not intents or len(intents) > 3:
        return None
    return Talk(tuple(intents), said[_HI] > said[_EN], morning=any(k in _MORNING for k in ks),
                night=any(k in _NIGHT for k in ks))


# -- the jokes ------------------------------------------------------------------------------

JOKES: dict[str, tuple[str, ...]] = {
    "en": (
        "Why did the scarecrow win an award? Because he was outstanding in his field.",
        "Why don't eggs tell jokes? They would crack each other up.",
        "What do you call a fake noodle? An impasta.",
        "Why did the maths book look sad? It had too many problems.",
        "What do you call a bear with no teeth? A gummy bear.",
        "Why can't a bicycle stand up on its own? It's two tired.",
        "What did the ocean say to the beach? Nothing, it just waved.",
        "Why did the computer go to the doctor? It had a virus.",
        "What do you call a sleeping dinosaur? A dino-snore.",
        "What kind of tree fits in your hand? A palm tree.",
        "Why did the cookie go to the doctor? It was feeling crummy.",
        "What do you call cheese that isn't yours? Nacho cheese.",
        "What did one wall say to the other wall? I'll meet you at the corner.",
        "Why are ghosts bad at lying? You can see right through them.",
        "Why did the golfer bring two pairs of trousers? In case he got a hole in one.",
        "What has hands but can't clap? A clock.",
        "Why don't skeletons fight each other? They don't have the guts.",
        "What do you call a dog that does magic tricks? A labracadabrador.",
        "Why did the phone wear glasses? It lost its contacts.",
        "What did zero say to eight? Nice belt!",
        "Why do bees have sticky hair? Because they use honeycombs.",
        "Why was the broom late? It over-swept.",
        "What do you call a fish that wears a bow tie? Sofishticated.",
        "I tried to tell a joke about the internet, but I'm offline, so you'll have to "
        "imagine the punchline.",
    ),
    "hi": (
        "मरीज़: डॉक्टर साहब, मुझे भूलने की बीमारी है। डॉक्टर: कब से? मरीज़: कौन सी बीमारी?",
        "मरीज़: डॉक्टर साहब, मुझे हर चीज़ दो-दो दिखती है। डॉक्टर: आप चारों बैठ जाइए।",
        "टीचर: हम पेड़ क्यों लगाते हैं? छात्र: क्योंकि पेड़ ख़ुद चलकर तो आएँगे नहीं!",
        "टीचर: पानी का फ़ॉर्मूला बताओ। छात्र: एच, आई, जे, के, एल, एम, एन, ओ। टीचर: ये क्या है? "
        "छात्र: आपने ही तो कहा था, एच टू ओ!",
        "ग्राहक: वेटर, सूप में मक्खी है! वेटर: धीरे बोलिए साहब, वरना सब यही माँगने लगेंगे।",
        "पिता: प्रिंसिपल का बेटा फ़ेल हो गया, और तुम? बेटा: मैं कौन सा प्रिंसिपल का बेटा हूँ, "
        "मैं भी फ़ेल!",
        "बच्चा: टीचर, जो काम किया ही न हो, उसकी सज़ा मिलनी चाहिए? टीचर: बिल्कुल नहीं। बच्चा: "
        "तो मैंने होमवर्क नहीं किया।",
        "टीचर: तुम्हारे पास पाँच आम थे, तीन मैंने ले लिए, तो तुम्हारे पास क्या बचा? छात्र: "
        "ग़ुस्सा, मैडम!",
        "टीचर: पानी में रहने वाले दो जीवों के नाम बताओ। छात्र: मछली, और उसका भाई!",
        "गोलू: पापा, मैं बड़ा होकर पायलट बनूँगा। पापा: क्यों? गोलू: ताकि कभी ट्रैफ़िक जाम में "
        "न फँसूँ!",
        "किसी ने आलसी से पूछा: सबसे अच्छा काम क्या है? आलसी: आराम करना। और दूसरा? थोड़ा और "
        "आराम करना!",
        "बच्चा: माँ, मुझे चाँद पर जाना है। माँ: पहले होमवर्क पूरा करो। बच्चा: यानी मैं कभी नहीं "
        "जा पाऊँगा!",
        "टीचर: न्यूटन का नियम बताओ। छात्र: पेड़ से सेब गिरे, तो उठाकर खा लो!",
        "बेटा: पापा, फ़ोन में नेटवर्क नहीं है। पापा: कोई बात नहीं बेटा, आज हमसे ही बात कर लो!",
        "ट्रैफ़िक पुलिस: हेलमेट कहाँ है? आदमी: घर पर, सर, बिल्कुल सुरक्षित है!",
        "टीचर: 'आई एम गोइंग' का मतलब बताओ। छात्र: मैं जा रहा हूँ। टीचर: अरे, बैठो, पहले मतलब "
        "तो बताओ!",
        "ग्राहक: ये घड़ी वॉटरप्रूफ़ है? दुकानदार: बिल्कुल! ग्राहक: तो पानी में डालकर दिखाओ। "
        "दुकानदार: इतनी भी नहीं!",
        "टीचर: सबसे ज़्यादा बर्फ़ कहाँ मिलती है? छात्र: फ़्रिज में, मैडम!",
        "एक मच्छर ने दूसरे से पूछा: तुम इतने ख़ुश क्यों हो? दूसरा बोला: आज किसी ने मच्छरदानी "
        "खुली छोड़ दी!",
        "दोस्त: तुम हर परीक्षा से पहले मंदिर क्यों जाते हो? दूसरा: ताकि ज़िम्मेदारी बँट जाए!",
        "टीचर: कल स्कूल क्यों नहीं आए? छात्र: कल बारिश में छाता ढूँढ रहा था। टीचर: मिला? "
        "छात्र: हाँ, आज धूप में!",
        "मैं बिना इंटरनेट के भी चुटकुले सुना सकती हूँ, पर हँसना आपको ख़ुद पड़ेगा!",
    ),
}


# -- replies --------------------------------------------------------------------------------

def greeting(hour: int, language: str, morning_said: bool = False) -> str:
    """A greeting that fits ``hour`` (0-23): the reply guard's rule
    (:func:`vaani.guard.greeting_for`), so what this skill says and what the guard accepts
    are one rule: good morning 4-12, afternoon 12-17, evening 17-24, plain hello in the small
    hours; in Hindi नमस्ते, or सुप्रभात in the morning to someone who said it."""
    return greeting_for(hour, language, morning_said)


def is_night(hour: int) -> bool:
    """"Good night" fits ``hour`` (the guard's rule: 19:00 to 05:00)."""
    return greeting_fits("night", hour)


_REPLIES = {
    "how": ("I'm doing well, thanks for asking! How can I help?",
            "मैं ठीक हूँ, पूछने के लिए शुक्रिया! बताइए, क्या मदद करूँ?"),
    "here": ("Yes, I'm here. How can I help?", "हाँ, मैं यहीं हूँ। बताइए, क्या मदद करूँ?"),
    "fine": ("Glad to hear it! How can I help?", "यह सुनकर अच्छा लगा! बताइए, क्या मदद करूँ?"),
    "who": ("I'm VAANI, a voice assistant that works offline, right here on this computer. "
            "Ask me what I can do!",
            "मैं वाणी हूँ, एक वॉइस असिस्टेंट जो इसी कंप्यूटर पर ऑफ़लाइन चलती है। पूछिए कि मैं "
            "क्या-क्या कर सकती हूँ!"),
    "robot": ("I'm not a person. I'm VAANI, a computer program that runs offline on this "
              "computer.",
              "नहीं, मैं इंसान नहीं हूँ। मैं वाणी हूँ, इसी कंप्यूटर पर चलने वाला एक प्रोग्राम।"),
    "thanks": ("You're welcome!", "आपका स्वागत है!"),
    "sorry": ("No problem at all.", "कोई बात नहीं।"),
    "ok": ("Okay! I'm here if you need me.", "ठीक है! ज़रूरत हो तो बुलाइए।"),
    "praise": ("Thank you! Happy to help.", "शुक्रिया! मदद करके अच्छा लगा।"),
    "bye": ("Goodbye! Talk to you soon.", "अलविदा! फिर मिलेंगे।"),
    "good_night": ("Good night! Sleep well.", "शुभ रात्रि! आराम से सोइए।"),
    "thanks_bye": ("You're welcome! Goodbye.", "आपका स्वागत है! फिर मिलेंगे।"),
    "help": ("How can I help?", "बताइए, क्या मदद करूँ?"),
    "just_ask": ("Just ask!", "बस पूछिए!"),
}


def _say(key: str, hi: bool) -> str:
    return _REPLIES[key][1 if hi else 0]


@dataclass
class SmallTalk:
    """The skill, with the clock (``now``, ``tz``) and abilities source it answers from."""

    now: Callable[[], float] = time.time
    tz: tzinfo | None = None
    abilities: Callable[[str], list[str]] | None = None
    seed: int | None = None
    _order: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _next: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        for language, jokes in JOKES.items():
            order = list(range(len(jokes)))
            rng.shuffle(order)
            self._order[language] = order
            self._next[language] = 0

    def hour(self) -> int:
        return datetime.fromtimestamp(self.now(), self.tz).astimezone(self.tz).hour

    def joke(self, language: str, advance: bool) -> tuple[int, str]:
        """The next joke (its index in :data:`JOKES` and text); ``advance`` moves past it."""
        with self._lock:
            position = self._next[language]
            index = self._order[language][position]
            if advance:
                self._next[language] = (position + 1) % len(self._order[language])
        return index, JOKES[language][index]

    def answer(self, utterance: Utterance, advance: bool) -> Reply | None:
        talk = understand(utterance.text)
        if talk is None:
            return None
        language = "hi" if talk.hindi or utterance.language == "hi" else "en"
        hi = language == "hi"
        main = talk.main
        hour = self.hour()
        data: dict[str, Any] = {"intent": main, "intents": list(talk.intents), "hour": hour}
        hello = greeting(hour, language, talk.morning)
        if main == "greet":
            text = f"{hello} {_say('help', hi)}"
        elif main == "joke":
            index, text = self.joke(language, advance)
            data["joke"] = index
        elif main == "abilities":
            listed = self.abilities(language) if self.abilities is not None else []
            if not listed:
                return None             # nothing to list: VAANI's fallback says what it can
            text = f"{abilities_sentence(listed, language)} {_say('just_ask', hi)}"
            data["abilities"] = list(listed)
        elif main == "bye":
            if "thanks" in talk.intents:
                text = _say("thanks_bye", hi)
            elif talk.night and is_night(hour):
                text = _say("good_night", hi)
            else:
                text = _say("bye", hi)
        else:
            text = _say(main, hi)
        if "greet" in talk.intents and main in ("how", "who", "robot", "joke", "abilities"):
            text = f"{hello} {text}"
        return Reply(text, language, data)


# -- hooks ----------------------------------------------------------------------------------

_lock = threading.Lock()
_skill = SmallTalk()


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    global _skill
    abilities = getattr(ctx, "abilities", None)
    with _lock:
        _skill = SmallTalk(ctx.now, settings(ctx.table),
                           abilities if callable(abilities) else None,
                           seed=int(ctx.now() * 1000))


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _skill.answer(utterance, advance=True)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    # the same reply, without moving on to the next joke: handle() then tells this one
    return _skill.answer(utterance, advance=False)


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["बातचीत और चुटकुले" if language == "hi" else "small talk and jokes"]


@hookimpl
def vaani_shutdown() -> None:
    global _skill
    with _lock:
        _skill = SmallTalk()
