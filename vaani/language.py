"""Which language an utterance is in (Hindi or English), and the word keys skills match on.

Whisper has no "Hinglish": a Hindi speaker may come back as Devanagari, as roughly right
romanised Hindi ("samay kya hua hai"), as Urdu script, or code-mixed ("timer set karo 5
minute ka"). The reply must be in the language the user spoke, so the language is resolved
per utterance from the text itself:

* Devanagari (or Urdu script, which Whisper uses for spoken Hindi) -> ``hi``;
* Latin text whose function words are Hindi (kya, hai, karo, kitne, ka, mein ...) -> ``hi``;
* other Latin text -> ``en``;
* no evidence either way (empty text, digits only, a tie) -> the ASR's language hint.

Skills compare words through spelling-tolerant keys (:func:`deva_key`, :func:`roman_key`)
because both scripts are written inconsistently: पाँच/पांच, पंद्रह/पन्द्रह, वक़्त/वक्त,
"pachchees"/"pacchis", "kitne"/"kitney".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

DEVANAGARI = re.compile(r"[\u0900-\u097f]")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile(r"[A-Za-z]")
_WORD_HYPHEN = re.compile(r"(?<=[a-z\u0900-\u097f])-(?=[a-z\u0900-\u097f])")

_DEVA_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# A token: a number with separators, a Devanagari word (with its signs), a Latin word
# (with an inner apostrophe: what's), or one symbol.
_TOKEN = re.compile(
    r"\d+(?:[.,]\d+)*"
    r"|[\u0900-\u0963\u0966-\u097f\u200c\u200d]+"
    r"|[a-z]+(?:'[a-z]+)?"
    r"|[^\s\w]",
)

# Romanised Hindi function words: frequent, and not English words (so no "is", "to",
# "main", "the", "par", "do", "he", "me", "hi"). Spelling variants collapse through
# roman_key, so one spelling of each is enough.
HINDI_MARKERS = frozenset(
    "kya kyaa kyun kyon kaise kaisa kaisi kaun kon kaunsa konsa kitna kitne kitni kab kahan "
    "kidhar hai hain hei hun hoon tha thi raha rahe rahi hua hue hota hote hoti hoga hogi "
    "karo kijiye kariye karna karke kar karenge karega lagao lagaa lagana laga lagado "
    "batao bataiye batana bata bataao bolo boliye sunao dikhao hatao rok roko band chalu "
    "ka ki ke ko se mein mai mujhe mera meri mere tum tumhara aap aapka apna hum humko "
    "yeh ye woh vo wo aur bhi nahi nahin mat abhi aaj kal parso baje bajkar samay waqt "
    "vakt ghanta ghante minat tarikh tareekh din wala wali wale liye chahiye diya dijiye "
    "bas thoda zara jara accha acha theek thik ji haan kuch sab saare sabhi baad pehle "
    "bahut bohot yaar isse usse iska uska inka unka iski uski hamara hamari tumse aapse "
    "bacha baki baaki bolo kaha hoon ghatao jodo guna bhag barabar jama "
    # number words that are not English words
    "ek paanch chhe saat aath nau das dus gyarah barah terah chaudah pandrah solah satrah "
    "atharah unnees pachchees pacchis tees chaalis pachaas sattar assi nabbe sau hazaar "
    "dedh dhai saadhe sawa paune aadha".split()) - {"band"}
# English words whose spelling key equals a Hindi marker's ("same" ~ samay, "men" ~ mein):
# written exactly so, they are English. Found against an English frequency list.
ENGLISH_LOOKALIKES = frozenset(
    "he me our may say same bad men hey key band app valley matt ap bass thee han kay hum "
    "mat bat ban sat yay hay use apse".split())

# English function words. Content words (time, timer, minute, set) are not evidence:
# code-mixed Hindi uses them as much as English does ("5 minute ka timer set karo").
ENGLISH_MARKERS = frozenset(
    "the a an is are was were be been am what whats what's which who whom whose how why "
    "when where it it's its this that these those of for in on at by with from about into "
    "can could would should will shall does did my your me you i we they he she there "
    "than then or not no today tomorrow yesterday".split())


def to_ascii_digits(text: str) -> str:
    """Devanagari digits (०-९) -> ASCII digits."""
    return text.translate(_DEVA_DIGITS)


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """Lower-cased words, numbers and single symbols, Devanagari digits made ASCII.

    NFC first, so the two spellings of a nukta letter (one code point or two) agree.
    """
    text = unicodedata.normalize("NFC", to_ascii_digits(text)).lower()
    text = text.replace("’", "'").replace("‘", "'")
    text = _WORD_HYPHEN.sub(" ", text)          # twenty-five, x-ray
    return tuple(_TOKEN.findall(text))


def token_spans(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """``text`` NFC-normalised with ASCII digits, and where each of :func:`tokens`' tokens
    lies in it (start, end); None where lower-casing changes its length (no one-to-one
    map), which Devanagari and Latin text never do."""
    t = unicodedata.normalize("NFC", to_ascii_digits(text))
    lowered = t.lower()
    if len(lowered) != len(t):
        return None
    lowered = _WORD_HYPHEN.sub(" ", lowered.replace("’", "'").replace("‘", "'"))
    found = list(_TOKEN.finditer(lowered))
    if tuple(m.group() for m in found) != tokens(text):
        return None
    return t, [m.span() for m in found]


_CONTRACTIONS = {"s": "is", "re": "are", "m": "am", "ll": "will", "ve": "have", "d": "would"}
_IS_BEFORE = frozenset("what it that where when how who there here".split())
_SYMBOL_WORDS = frozenset("+ - × * / ÷ % ^ = ₹ $ √".split())
_DEVANAGARI_MARKS = frozenset("। ॥ ॰".split())      # danda, double danda: punctuation


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """:func:`tokens` without punctuation, English contractions expanded ("what's" -> "what
    is", "today's" -> "today"), arithmetic and currency signs kept."""
    out: list[str] = []
    for tok in tokens(text):
        if tok == "'":                            # a quote mark: 'obsolete'
            continue
        if "'" in tok:
            base, _, tail = tok.partition("'")
            if tail == "t":                       # don't, isn't
                out.extend((base[:-1] if base.endswith("n") else base, "not"))
                continue
            if tail == "s" and base not in _IS_BEFORE:
                out.append(base)                  # possessive: today's date
            elif tail in _CONTRACTIONS:
                out.extend((base, _CONTRACTIONS[tail]))
            else:
                out.append(base + tail)           # o'clock
            continue
        if tok[0].isalnum() or tok in _SYMBOL_WORDS or (DEVANAGARI.match(tok)
                                                         and tok not in _DEVANAGARI_MARKS):
            out.append(tok)
    return tuple(out)


# -- spelling-tolerant keys -----------------------------------------------------------------

_NASAL_CLUSTER = re.compile(r"[नमणङञ]\u094d(?=[\u0915-\u0939])")
_DEVA_FOLD = str.maketrans({
    "\u093c": None,      # nukta: ज़ -> ज, ड़ -> ड
    "\u0901": None,      # chandrabindu
    "\u0902": None,      # anusvara
    "\u0903": None,      # visarga (छः)
    "\u200c": None, "\u200d": None,
    "\u0940": "\u093f",  # ी -> ि
    "\u0942": "\u0941",  # ू -> ु
    "\u0908": "\u0907",  # ई -> इ
    "\u090a": "\u0909",  # ऊ -> उ
    "\u0949": "\u094b",  # ॉ -> ो
    "\u0945": "\u0947",  # ॅ -> े
    "\u0911": "\u0913",  # ऑ -> ओ
})


@lru_cache(maxsize=8192)
def deva_key(word: str) -> str:
    """A Devanagari word with the differences people (and Whisper) make dropped.

    Nasalisation (ं ँ and a half nasal before a consonant), nukta and vowel length do not
    tell two number or keyword spellings apart: पाँच = पांच, पन्द्रह = पंद्रह, वक़्त = वक्त,
    पच्चिस = पच्चीस.
    """
    word = unicodedata.normalize("NFC", word)
    word = _NASAL_CLUSTER.sub("", word)
    return word.translate(_DEVA_FOLD)


_ROMAN_STEPS = (
    (re.compile(r"[^a-z]"), ""),
    (re.compile(r"chch|cch|chh"), "ch"),
    (re.compile(r"w"), "v"),
    (re.compile(r"z"), "j"),
    (re.compile(r"q"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ee|ii"), "i"),
    (re.compile(r"oo|uu"), "u"),
    (re.compile(r"([a-z])\1+"), r"\1"),
    (re.compile(r"ai|ay|ae|ei|ey"), "e"),
    (re.compile(r"ow|ou"), "au"),
    (re.compile(r"(?<=[aeiou])h$"), ""),
)


@lru_cache(maxsize=8192)
def roman_key(word: str) -> str:
    """A romanised Hindi word with its spelling variation folded away.

    "pachchees", "pacchis", "pachis" -> "pachis"; "kitney" -> "kitne"; "barah" -> "bara";
    "hai", "hae", "hay" -> "he"; "waqt" -> "vakt".
    """
    key = word.lower()
    for pattern, repl in _ROMAN_STEPS:
        key = pattern.sub(repl, key)
    return key


def word_key(word: str) -> str:
    """The key of any token: Devanagari words by :func:`deva_key`, Latin by :func:`roman_key`."""
    if DEVANAGARI.search(word):
        return deva_key(word)
    return roman_key(word) if word.isascii() and word.isalpha() else word


def keys(words: Iterable[str]) -> frozenset[str]:
    """Keys of a vocabulary (mixed scripts allowed), for membership tests."""
    return frozenset(word_key(w) for w in words)


_HINDI_KEYS = keys(HINDI_MARKERS)
_ENGLISH_WORDS = ENGLISH_MARKERS


# -- resolution -------------------------------------------------------------------------------

def scores(text: str) -> tuple[int, int]:
    """(Hindi evidence, English evidence) in ``text``: script letters and function words."""
    deva = len(DEVANAGARI.findall(text)) + len(ARABIC.findall(text))
    hi = en = 0
    for tok in tokens(text):
        if not tok.isascii() or not tok[0].isalpha():
            continue
        if tok in _ENGLISH_WORDS:
            en += 1
        elif tok not in ENGLISH_LOOKALIKES and roman_key(tok) in _HINDI_KEYS:
            hi += 1
    if deva:
        # script outweighs function words: a Devanagari sentence with an English word in it
        # ("टाइमर set करो") is Hindi
        hi += max(deva, 2 * en + 1)
    return hi, en


def is_romanized_hindi(text: str) -> bool:
    """Latin-script text whose function words are mostly Hindi."""
    if DEVANAGARI.search(text) or not LATIN.search(text):
        return False
    hi, en = scores(text)
    return hi > en


def resolve_language(text: str, allowed: Sequence[str] = ("hi", "en"),
                     hint: str | None = None) -> str:
    """``"hi"`` or ``"en"`` for this utterance, within ``allowed``.

    ``hint`` (the language the ASR detected, or was told) breaks ties and decides when the
    text carries no evidence. The answer is always one of ``allowed``.
    """
    allowed = [a for a in allowed if a in ("hi", "en")] or ["hi", "en"]
    hi, en = scores(text)
    if hi > en:
        guess = "hi"
    elif en > hi:
        guess = "en"
    elif hint in ("hi", "en"):
        guess = hint
    else:
        guess = "en" if LATIN.search(text) else allowed[0]
    if guess in allowed:
        return guess
    return hint if hint in allowed else allowed[0]
