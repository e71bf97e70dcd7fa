"""Which word a definition or translation question is about, and in which direction.

English: "what does ephemeral mean", "define generous", "meaning of obsolete", "what is
apple in Hindi", "how do you say happy in Hindi", "Hindi word for water", "what is सेब in
English". Hindi, Devanagari or romanised: "सेब को अंग्रेज़ी में क्या कहते हैं", "'happy' ka
hindi kya hai", "happy की हिंदी क्या होती है", "obsolete ka matlab kya hai" (an English word's
meaning, asked in Hindi: its Hindi translation).

The sentence must be one of these shapes, around a word of at most three words; whether the
word is in the dictionary is checked by the caller (an unknown word leaves the question to
the rest of the skill, then to the other skills and the model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaani.language import DEVANAGARI, words


@dataclass(frozen=True)
class Request:
    kind: str            # "define" | "translate"
    word: str
    to: str = ""         # translate: "hi" or "en"; define: ""


_PRE = (r"(?:(?:hey|hi|hello|ok|okay|vaani|vani|so|um|uh|please|excuse me|sorry)\s)*"
        r"(?:(?:can|could|would|will) you (?:please )?(?:tell me |say |give me )?|"
        r"(?:please )?tell me |do you know |i want to know |i would like to know |"
        r"let me know |give me )?")
_SUF = r"(?:\s(?:please|vaani|vani|exactly|again))*"
_W = r"(?P<w>[^\s].{0,60}?)"
_WORD = r"(?:the )?(?:word |term )?"

_EN_DEFINE = [re.compile(_PRE + p + _SUF) for p in (
    rf"what (?:does|do|did) {_WORD}{_W} mean(?: in english)?",
    rf"what is (?:the )?(?:meaning|definition|defination) of {_WORD}{_W}(?: in english)?",
    rf"(?:the )?(?:meaning|definition|defination) of {_WORD}{_W}(?: in english)?",
    rf"define {_WORD}{_W}",
    rf"what (?:is meant|do you mean|does one mean) by {_WORD}{_W}",
    rf"{_W} (?:meaning|definition)(?: in english)?",
    rf"what is (?:a |an )?{_W} (?:mean|means)",
    rf"what {_WORD}{_W} means",
)]

_LANG_HI = r"(?:hindi|हिंदी|हिन्दी)"
_LANG_EN = r"(?:english|इंग्लिश|अंग्रेज़ी|अंग्रेजी|अँग्रेज़ी|अँग्रेजी|angrezi|angreji|inglish)"

# English sentences: (pattern, target language)
_EN_TRANSLATE = [(re.compile(_PRE + p + _SUF), to) for p, to in (
    (rf"(?:what is|whats|how do you say|how do i say|how to say|how would you say|"
     rf"what do you call|what do we call|what do they call|say|translate|tell) {_WORD}{_W} "
     rf"(?:in|into|to) (?P<lang>hindi|english)(?: language)?", ""),
    (rf"(?:what is )?(?:the )?(?P<lang>hindi|english) (?:word |name |translation |term )?"
     rf"(?:for|of) {_WORD}{_W}", ""),
    (rf"{_WORD}{_W} (?:in|into|to) (?P<lang>hindi|english)", ""),
    (rf"(?:what is )?(?:the )?(?:meaning|translation) of {_WORD}{_W} in (?P<lang>hindi|english)",
     ""),
    (rf"what (?:does|do) {_WORD}{_W} mean in (?P<lang>hindi|english)", ""),
    (rf"{_W} (?:meaning|translation) in (?P<lang>hindi|english)", ""),
    (rf"(?P<lang>hindi|english) (?:meaning|translation) of {_WORD}{_W}", ""),
)]

# Hindi (Devanagari or romanised) sentences
_KO = r"(?:को|ko)"
_KA = r"(?:का|की|के|ka|ki|ke)"
_IN = r"(?:में|mein|me|main|mai|men)"
_KYA = r"(?:क्या|kya|kiya)"
_HAI = (r"(?:है|हैं|होता है|होती है|होगा|होगी|होंगे|hai|hain|hota hai|hoti hai|hoga|hogi|"
        r"he|hei)")
_SAY = (r"(?:कहते हैं|कहते है|कहते|बोलते हैं|बोलते है|बोलते|कहेंगे|बोलेंगे|"
        r"कहा जाता है|बोला जाता है|कहलाता है|होता है|kehte hain|kehte hai|kehte|kahte hain|kahte hai|kahte|bolte hain|"
        r"bolte hai|bolte|kahenge|bolenge|kaha jata hai|bola jata hai|hota hai)")
_TELL = r"(?:बताओ|बताइए|बताइये|बता दो|बताना|batao|bataiye|bata do|batana|bolo|boliye)"
_MEANING = r"(?:मतलब|अर्थ|मीनिंग|matlab|arth|meaning|matalab)"
LANG_HI, LANG_EN, MEANING = _LANG_HI, _LANG_EN, _MEANING     # the tool's grounding reads them
_WORDNOUN = r"(?:शब्द|वर्ड|shabd|word)"


def _hi(lang: str) -> list[str]:
    """Patterns asking for ``lang`` (a regex of the language's names) in Hindi."""
    return [
        rf"{_W} {_KO} {lang} {_IN} {_KYA} {_SAY}",
        rf"{_W} {_KO} {lang} {_IN} (?:कैसे|kaise) {_SAY}",
        rf"{lang} {_IN} {_W} {_KO} {_KYA} {_SAY}",
        rf"{_W} {_KA} {lang} (?:{_WORDNOUN} |{_MEANING} |नाम |naam )?{_KYA} {_HAI}",
        rf"{_W} {_KA} {lang} (?:{_WORDNOUN} |{_MEANING} )?{_TELL}",
        rf"{_W} {_KA} {lang} (?:{_WORDNOUN}|{_MEANING})",
        rf"{_W} {lang} {_IN} {_KYA} {_HAI}",
        rf"{_W} {lang} {_IN} {_KYA} {_SAY}",
        rf"{_W} {_KO} {lang} {_IN} {_TELL}",
        rf"{_W} {_KA} {lang} {_IN} {_MEANING} {_KYA} {_HAI}",
        rf"{_W} {_KA} {lang} {_IN} {_MEANING}",
        rf"{_W} {_MEANING} (?:in )?{lang}",
    ]


_HI_TRANSLATE = ([(re.compile(p), "hi") for p in _hi(_LANG_HI)]
                 + [(re.compile(p), "en") for p in _hi(_LANG_EN)])
# "obsolete ka matlab kya hai": an English word's meaning asked in Hindi
_HI_MEANING = [re.compile(p) for p in (
    rf"{_W} {_KA} {_MEANING} {_KYA} {_HAI}",
    rf"{_W} {_KA} {_MEANING} {_KYA} (?:होता|hota) {_HAI}",
    rf"{_W} {_KA} {_MEANING} {_TELL}",
    rf"{_W} {_KA} {_MEANING}",
    rf"{_W} {_KYA} {_HAI} {_MEANING}",
    rf"{_W} {_MEANING} {_KYA} {_HAI}",
)]
_ARTICLE = re.compile(r"^(?:the|a|an|word|term) ")
_LANG_WORDS = re.compile(r"(?:hindi|english|हिंदी|हिन्दी|अंग्रेज़ी|अंग्रेजी|इंग्लिश)")
MAX_WORDS = 3
# "what does it mean", "what do you mean by that": no word is asked about
_FUNCTION_WORDS = frozenset(
    "it this that these those he she they them we us you i me my your his her its our their "
    "a an the is are was were be do does did what which who whom how why when where there "
    "here so not no yes and or but if then than of to in on at by for with from up down out "
    "all any some one everything something anything nothing".split())


def _clean(word: str) -> str | None:
    w = word.strip()
    while _ARTICLE.match(w):
        w = _ARTICLE.sub("", w, count=1)
    if not w or len(w.split()) > MAX_WORDS or _LANG_WORDS.search(w):
        return None
    if any(ch.isdigit() for ch in w) or all(x in _FUNCTION_WORDS for x in w.split()):
        return None
    return w


def read(text: str) -> Request | None:
    """The definition or translation ``text`` asks for (not yet checked in a dictionary)."""
    said = " ".join(words(text))
    if not said:
        return None
    for pattern, to in _HI_TRANSLATE:
        m = pattern.fullmatch(said)
        if m and (w := _clean(m.group("w"))):
            return Request("translate", w, to)
    for pattern, _ in _EN_TRANSLATE:
        m = pattern.fullmatch(said)
        if m and (w := _clean(m.group("w"))):
            return Request("translate", w, "hi" if m.group("lang") == "hindi" else "en")
    for pattern in _HI_MEANING:
        m = pattern.fullmatch(said)
        if m and (w := _clean(m.group("w"))):
            # an English word's meaning asked in Hindi: say it in Hindi (a Hindi word's
            # meaning in Hindi is a Hindi dictionary's job, which VAANI does not have)
            return Request("translate", w, "hi") if not DEVANAGARI.search(w) else None
    for pattern in _EN_DEFINE:
        m = pattern.fullmatch(said)
        if m and (w := _clean(m.group("w"))):
            return Request("define", w)
    return None
