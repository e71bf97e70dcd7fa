"""English words inside Hindi text, written in Devanagari so a Hindi voice can say them.

Hindi voices mispronounce Latin letters or, like festival's, crash on them. Three layers:

1. a table of frequent loanwords, spelled the way Hindi writes them (timer -> टाइमर);
2. acronyms (all capitals) letter by letter (USB -> यू एस बी);
3. anything else through a small rule-based grapheme mapper: rough, but a rough Hindi
   reading beats silence or a crash. (No offline library does English->Devanagari
   phonetics without a neural model.)
"""

from __future__ import annotations

import re
from functools import lru_cache

LOANWORDS = {
    "timer": "टाइमर", "timers": "टाइमर", "alarm": "अलार्म", "minute": "मिनट", "minutes": "मिनट",
    "second": "सेकंड", "seconds": "सेकंड", "hour": "आवर", "hours": "आवर्स", "time": "टाइम",
    "date": "डेट", "phone": "फ़ोन", "mobile": "मोबाइल", "app": "ऐप", "apps": "ऐप्स",
    "internet": "इंटरनेट", "computer": "कंप्यूटर", "laptop": "लैपटॉप", "wifi": "वाईफ़ाई",
    "email": "ईमेल", "message": "मैसेज", "music": "म्यूज़िक", "song": "सॉन्ग", "video": "वीडियो",
    "office": "ऑफ़िस", "meeting": "मीटिंग", "school": "स्कूल", "college": "कॉलेज",
    "doctor": "डॉक्टर", "hospital": "हॉस्पिटल", "bus": "बस", "train": "ट्रेन",
    "ticket": "टिकट", "ok": "ओके", "okay": "ओके", "hello": "हेलो", "hi": "हाय", "bye": "बाय",
    "sorry": "सॉरी", "thanks": "थैंक्स", "thank": "थैंक", "you": "यू", "please": "प्लीज़",
    "google": "गूगल", "youtube": "यूट्यूब", "whatsapp": "व्हाट्सऐप", "online": "ऑनलाइन",
    "offline": "ऑफ़लाइन", "battery": "बैटरी", "charge": "चार्ज", "charger": "चार्जर",
    "set": "सेट", "reset": "रीसेट", "cancel": "कैंसल", "stop": "स्टॉप", "start": "स्टार्ट",
    "pause": "पॉज़", "play": "प्ले", "news": "न्यूज़", "weather": "वेदर",
    "temperature": "टेम्परेचर", "degree": "डिग्री", "degrees": "डिग्री", "percent": "परसेंट",
    "plus": "प्लस", "minus": "माइनस", "calculator": "कैलकुलेटर", "clock": "क्लॉक",
    "vaani": "वाणी", "assistant": "असिस्टेंट", "model": "मॉडल", "file": "फ़ाइल",
    "folder": "फ़ोल्डर", "password": "पासवर्ड", "account": "अकाउंट", "bank": "बैंक",
    "card": "कार्ड", "shop": "शॉप", "market": "मार्केट", "car": "कार", "road": "रोड",
    "city": "सिटी", "police": "पुलिस", "movie": "मूवी", "cricket": "क्रिकेट", "match": "मैच",
    "team": "टीम", "game": "गेम", "photo": "फ़ोटो", "camera": "कैमरा", "light": "लाइट",
    "fan": "फ़ैन", "volume": "वॉल्यूम", "sound": "साउंड", "speaker": "स्पीकर",
    "microphone": "माइक्रोफ़ोन", "mic": "माइक", "screen": "स्क्रीन", "button": "बटन",
    "update": "अपडेट", "download": "डाउनलोड", "software": "सॉफ़्टवेयर", "system": "सिस्टम",
    "question": "क्वेश्चन", "answer": "आंसर", "problem": "प्रॉब्लम", "power": "पावर",
    "list": "लिस्ट", "number": "नंबर", "total": "टोटल", "report": "रिपोर्ट", "class": "क्लास",
    "exam": "एग्ज़ाम", "result": "रिज़ल्ट", "party": "पार्टी", "birthday": "बर्थडे",
    "coffee": "कॉफ़ी", "tea": "टी", "pizza": "पिज़्ज़ा", "gym": "जिम", "yoga": "योगा",
    "kilometer": "किलोमीटर", "kilometre": "किलोमीटर", "meter": "मीटर", "metre": "मीटर",
    "kilo": "किलो", "gram": "ग्राम", "litre": "लीटर", "liter": "लीटर", "dollar": "डॉलर",
    "dollars": "डॉलर", "rupees": "रुपये", "rupee": "रुपया", "and": "एंड", "the": "द",
    "is": "इज़", "a": "अ", "of": "ऑफ़", "to": "टू", "in": "इन", "for": "फ़ॉर", "on": "ऑन",
    "good": "गुड", "morning": "मॉर्निंग", "night": "नाइट", "welcome": "वेलकम",
    "iphone": "आईफ़ोन", "android": "एंड्रॉइड", "covid": "कोविड", "nasa": "नासा", "isro": "इसरो",
    "unesco": "यूनेस्को", "nato": "नाटो", "laser": "लेज़र", "radar": "रडार",
}
# Capitalised words that are said as words, not spelled out
SAID_AS_WORDS = frozenset({"ok", "covid", "nasa", "isro", "unesco", "nato", "laser", "radar"})

LETTERS = {
    "a": "ए", "b": "बी", "c": "सी", "d": "डी", "e": "ई", "f": "एफ़", "g": "जी", "h": "एच",
    "i": "आई", "j": "जे", "k": "के", "l": "एल", "m": "एम", "n": "एन", "o": "ओ", "p": "पी",
    "q": "क्यू", "r": "आर", "s": "एस", "t": "टी", "u": "यू", "v": "वी", "w": "डब्ल्यू",
    "x": "एक्स", "y": "वाई", "z": "ज़ेड",
}

# -- the grapheme mapper ------------------------------------------------------------------

_CONSONANTS = (
    ("tion", "शन"), ("chh", "छ"), ("sch", "स्क"), ("ch", "च"), ("sh", "श"), ("th", "थ"),
    ("dh", "ध"), ("bh", "भ"), ("ph", "फ़"), ("kh", "ख"), ("gh", "घ"), ("jh", "झ"),
    ("ck", "क"), ("qu", "क्व"), ("x", "क्स"), ("b", "ब"), ("c", "क"), ("d", "ड"), ("f", "फ़"),
    ("g", "ग"), ("h", "ह"), ("j", "ज"), ("k", "क"), ("l", "ल"), ("m", "म"), ("n", "न"),
    ("p", "प"), ("q", "क"), ("r", "र"), ("s", "स"), ("t", "ट"), ("v", "व"), ("w", "व"),
    ("y", "य"), ("z", "ज़"),
)
# (spelling, independent vowel, vowel sign after a consonant)
_VOWELS = (
    ("aa", "आ", "ा"), ("ai", "ऐ", "ै"), ("au", "औ", "ौ"), ("ay", "ए", "े"), ("ee", "ई", "ी"),
    ("ea", "ई", "ी"), ("oo", "ऊ", "ू"), ("ou", "औ", "ौ"), ("ow", "ओ", "ो"), ("ie", "ई", "ी"),
    ("a", "अ", ""), ("e", "ए", "े"), ("i", "इ", "ि"), ("o", "ओ", "ो"), ("u", "उ", "ु"),
)
_VIRAMA = "\u094d"


@lru_cache(maxsize=4096)
def phonetic(word: str, english: bool = True) -> str:
    """A rough Devanagari spelling of a Latin word: "kaise" -> "कैसे", "laptop" -> "लपटोप".

    ``english``: the word is English, whose final e is silent ("line"); romanised Hindi
    says it ("kaise").
    """
    word = word.lower()
    if english and len(word) > 3 and word.endswith("e") and word[-2] not in "aeiouy":
        word = word[:-1]                 # silent final e: "line", "phone"
    out: list[str] = []
    after_consonant = False
    i = 0
    while i < len(word):
        for spelling, independent, sign in _VOWELS:
            if word.startswith(spelling, i):
                if after_consonant:
                    # a final a is long: Sharma, India, pizza
                    out.append("ा" if spelling == "a" and i == len(word) - 1 else sign)
                else:
                    out.append(independent)
                after_consonant = False
                i += len(spelling)
                break
        else:
            for spelling, letter in _CONSONANTS:
                if word.startswith(spelling, i):
                    if after_consonant:
                        out.append(_VIRAMA)
                    out.append(letter)
                    after_consonant = not spelling == "tion"
                    i += len(spelling)
                    break
            else:
                i += 1                   # not a letter we know: drop it
    return "".join(out)


_ACRONYM = re.compile(r"^[A-Z]{2,6}s?$")


def spell_letters(word: str) -> str:
    """"USB" -> "यू एस बी"."""
    return " ".join(LETTERS[c] for c in word.lower() if c in LETTERS)


def to_devanagari(word: str, guess: bool = True, english: bool = True) -> str | None:
    """A Latin word in Devanagari: loanword table, acronym letters, or (``guess``) phonetics.

    None when the word is not in the table, not an acronym and ``guess`` is off.
    """
    lower = word.lower()
    if lower in LOANWORDS and not (word.isupper() and len(word) > 1
                                   and lower not in SAID_AS_WORDS):
        return LOANWORDS[lower]
    if _ACRONYM.match(word) or (len(word) == 1 and word.isalpha()):
        if word.endswith("s") and len(word) > 2:
            return spell_letters(word[:-1]) + "ज़"
        return spell_letters(word)
    if lower in LOANWORDS:
        return LOANWORDS[lower]
    return phonetic(word, english) if guess else None
