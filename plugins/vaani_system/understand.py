"""What a system request asks for, in English, Hindi and Hinglish; precision first.

Each request is a closed vocabulary: the words that name it (a volume word and a direction,
a media word and a verb, "lock" and the screen, "open" and an app), a number where one
belongs, and courtesy and Hindi helper words around them ("please", "zara", "कर दो"). A
single word outside it means the utterance is about something else and is left alone:
"what is the volume of a sphere", "play cricket with me", "how do I lock my car", "next
week". Questions ("how", "what", "कैसे", "kitna") are never requests.

An app's name is whatever is left around "open"/"खोलो": the skill opens it only if an
installed app has that name (:mod:`vaani_system.apps`), so "open a bank account" is not its.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from vaani.language import keys, word_key, words
from vaani.numwords import find_numbers


@dataclass(frozen=True)
class Request:
    kind: str                          # volume | media | open | lock
    action: str                        # volume: up down set mute unmute; media: play pause
    #                                    next previous; open: open; lock: lock
    percent: int | None = None         # volume set: the level; up/down: the step said
    query: tuple[str, ...] = ()        # open: the app's name as said
    app_word: bool = False             # open: "app"/"application"/"ऐप" was said
    strong: bool = True                # open: "open"/"खोलो" (False: "start"/"run"/"चलाओ")
    out_of_range: bool = False         # volume: a level above 100 (or a step of 0) was said


# -- vocabulary ---------------------------------------------------------------------------

QUESTION = keys("what whats how why which who whom where when does did is are was were "
                "should कैसे क्यों क्यूँ कितना कितनी कितने कौन कौनसा कहाँ कब "
                "kaise kyun kyon kitna kitni kitne kaun kahan kab".split())
FILLER = keys(
    "please pls plz kindly can could would will you i me my the a an hey hi ok okay vaani "
    "vani now just bit little tiny for thoda thodi thode zara jara ji yaar yar bhai sir "
    "madam kya tum aap sakte sakti sakta ho hai na and "
    "प्लीज़ प्लीज ज़रा जरा थोड़ा थोड़ी थोड़े जी यार भाई वाणी अभी abhi क्या तुम आप सकते "
    "सकती सकता हो है ना".split())
# Hindi helper verbs and postpositions: "कर दो", "kar dijiye", "volume ko", "50 par"
HELPERS = keys("karo kar kariye karein kare karna kijiye kijie do de dijiye dijie dena dein "
               "ko ka ki ke mein se "
               "करो कर करिए करिये करें करना कीजिए कीजिये दो दे दें दीजिए दीजिये देना को का की "
               "के में से".split())
_DO = keys("do दो".split())
PERCENT = keys("percent per cent % pratishat pratisat fisadi परसेंट प्रतिशत फ़ीसदी फीसदी "
               "पर्सेंट".split())

VOLUME = keys("volume vol sound audio awaaz awaz avaaz avaz aawaz awaj आवाज़ आवाज वॉल्यूम "
              "वॉल्युम वोल्यूम वोल्युम साउंड ऑडियो speaker speakers स्पीकर".split())
UP = keys("up increase raise louder higher boost more badhao badha badhaiye badhaaiye "
          "badhana badhaye zyada jyada jyaada tez tej unchi uncha upar बढ़ाओ बढ़ा बढ़ाइए "
          "बढ़ाइये बढ़ाना बढ़ाएं बढ़ाएँ ज़्यादा ज्यादा तेज़ तेज ऊँची ऊंची ऊँचा ऊंचा ऊपर".split())
DOWN = keys("down decrease lower reduce quieter softer less kam kum ghatao ghata ghataiye "
            "ghatana dheere dheeme dheemi dheema neeche niche कम घटाओ घटा घटाइए घटाना धीमी धीमा "
            "धीमे धीरे नीचे".split())
# alone (no volume word needed): "louder please", "make it quieter"
LOUDER = keys("louder".split())
QUIETER = keys("quieter softer".split())
MUTE = keys("mute muted म्यूट".split())
UNMUTE = keys("unmute unmuted अनम्यूट".split())
_UN = word_key("un")
_OFF = "__off__"          # "off" by itself: its spelling key is the key of "of"
OFF = keys("band बंद".split()) | {_OFF}
ON = keys("on back chalu चालू".split())
FULL = keys("full max maximum poora poori pura puri पूरा पूरी पूरे फ़ुल फुल मैक्स".split())
SET_WORDS = keys("set to at make change put keep turn level tak pe par rakho rakh rakhiye "
                 "rakhna badlo badal तक पे पर रखो रख रखिए रखिये रखना बदलो बदल it".split())
TO = keys("to tak upto till तक".split())
BY = keys("by".split())
VOLUME_VOCAB = (FILLER | HELPERS | PERCENT | VOLUME | UP | DOWN | LOUDER | QUIETER | MUTE
                | UNMUTE | OFF | ON | FULL | SET_WORDS | BY | keys("un the system".split()))

MEDIA = keys("music song songs track tracks video videos audio playback player media "
             "podcast gaana gana gaane gane geet sangeet gaanaa "
             "गाना गाने गीत संगीत म्यूज़िक म्यूजिक सॉन्ग वीडियो ट्रैक पॉडकास्ट मीडिया "
             "प्लेयर".split())
PLAY = keys("play resume continue unpause start chalao chala chalaiye chalu bajao baja "
            "bajaiye lagao laga lagaiye shuru चलाओ चला चलाइए चलाइये चालू बजाओ बजा बजाइए "
            "लगाओ लगा लगाइए शुरू प्ले रिज़्यूम".split())
PLAY_ALONE = keys("play resume unpause प्ले".split())
PAUSE = keys("pause stop hold roko rok rokiye rokna band thamo बंद रोको रोक रोकिए रोकें "
             "रोकना थामो पॉज़ पॉज स्टॉप".split())
PAUSE_ALONE = keys("pause पॉज़ पॉज".split())
NEXT = keys("next skip agla agle agli change badlo badal अगला अगले अगली नेक्स्ट स्किप "
            "बदलो बदल".split())
NEXT_ALONE = keys("skip स्किप".split())
PREVIOUS = keys("previous prev back pichla pichhla pichle pichhle pichli पिछला पिछले "
                "पिछली".split())
MEDIA_VOCAB = (FILLER | HELPERS | MEDIA | PLAY | PAUSE | NEXT | PREVIOUS | keys(
    "some this that it current again go to phir fir se wala wali wale yeh ye ise isko "
    "फिर से वाला वाली वाले यह ये इसे इसको".split()))

LOCK = keys("lock लॉक लोक".split())
SCREEN = keys("screen display computer laptop pc system desktop session स्क्रीन कंप्यूटर "
              "कम्प्यूटर लैपटॉप सिस्टम डिस्प्ले".split())
LOCK_VOCAB = FILLER | HELPERS | LOCK | SCREEN | keys("up the this".split())

OPEN = keys("open launch kholo khol kholiye kholna kholdo खोलो खोल खोलिए खोलिये खोलना "
            "ओपन लॉन्च".split())
RUN = keys("start run chalao chala chalaiye shuru स्टार्ट चलाओ चला चलाइए चलाइये शुरू".split())
APP = keys("app apps application applications program programme ऐप एप एप्प एप्लीकेशन "
           "एप्लिकेशन प्रोग्राम".split())
OPEN_VOCAB = FILLER | HELPERS | OPEN | RUN | APP | keys("up".split())
MAX_APP_WORDS = 4

YES = keys("yes yeah yep yup sure ok okay confirm confirmed ahead haan han haa ha ji hanji "
           "zaroor jaroor bilkul lock हाँ हां हा जी हाँजी ज़रूर जरूर बिल्कुल बिलकुल लॉक".split())
NO = keys("no nope not cancel never nahi nahin mat rehne rahne ruko wait stop "
          "नहीं नही मत रहने रुको".split())
_NA = keys("na nah ना".split())
_KAR = keys("kar karo karein kijiye कर करो करें कीजिए".split())     # "haan, kar do"
ANSWER_VOCAB = YES | NO | _NA | FILLER | HELPERS | LOCK | SCREEN | keys(
    "go do it mind yes please right away".split())


# Romanised Hindi words of these requests. The pipeline's language resolution knows Hindi
# by its function words ("ka", "hai", "karo"), so "volume badhao", "firefox kholo" and
# "agla gaana" come as English; said with these words, the reply is Hindi.
ROMAN_HINDI = keys(
    "badhao badha badhaiye badhaaiye badhana ghatao ghata ghataiye kam kum dheere dheeme "
    "dheemi dheema tez tej zyada jyada jyaada unchi kholo khol kholiye kholna kholdo bajao "
    "baja bajaiye chalao chala chalaiye lagao laga lagaiye roko rok rokiye rokna thamo "
    "gaana gana gaane gane geet sangeet agla agle agli pichla pichhla pichle pichhle pichli "
    "awaaz awaz avaaz avaz aawaz awaj karo kar kariye kijiye dijiye rakho rakhiye badlo "
    "chalu zara jara thoda thodi pura poora".split())


def reply_language(text: str, language: str) -> str:
    """The language to answer in: ``language``, or Hindi when romanised Hindi words of a
    system request were said."""
    if language == "hi":
        return "hi"
    said = {word_key(x) for x in words(text) if x.isascii()}
    return "hi" if said & ROMAN_HINDI else (language if language in ("hi", "en") else "en")


def key_list(w: Sequence[str]) -> list[str]:
    """The words' keys, "off" kept apart from "of" ("volume of a sphere" has no "off")."""
    return [_OFF if x == "off" else word_key(x) for x in w]


# -- helpers --------------------------------------------------------------------------------

def _numbers(w: Sequence[str], ks: Sequence[str]) -> list[tuple[int, int, Fraction]]:
    """The numbers said, as (start, end, value); a "do"/"दो" is the verb ("kar do") unless
    a percent word follows it."""
    out = []
    for span in find_numbers(w, roman_hindi=True):
        if span.end - span.start == 1 and ks[span.start] in _DO and not (
                span.end < len(ks) and ks[span.end] in PERCENT):
            continue
        out.append((span.start, span.end, span.value))
    return out


def _only(ks: Sequence[str], skip: set[int], vocab: frozenset[str]) -> bool:
    return all(i in skip or k in vocab for i, k in enumerate(ks))


# -- the parts ------------------------------------------------------------------------------

def _volume(ks: list[str], nums: list[tuple[int, int, Fraction]]) -> Request | None:
    noun = any(k in VOLUME for k in ks)
    used = {i for s, e, _ in nums for i in range(s, e)}
    if not _only(ks, used, VOLUME_VOCAB):
        return None
    unmute = any(k in UNMUTE for k in ks) or any(
        k in MUTE and i and ks[i - 1] == _UN for i, k in enumerate(ks))
    if unmute:
        return None if nums else Request("volume", "unmute")
    if any(k in MUTE for k in ks):
        return None if nums else Request("volume", "mute")
    if not noun and not any(k in LOUDER | QUIETER for k in ks):
        return None
    up = [i for i, k in enumerate(ks) if k in UP or k in LOUDER]
    down = [i for i, k in enumerate(ks) if k in DOWN or k in QUIETER]
    if up and down:
        return None
    if len(nums) > 1:
        return None
    if nums:
        start, end, value = nums[0]
        percent_said = end < len(ks) and ks[end] in PERCENT
        if value < 1 and not percent_said:          # "volume aadha kar do", "half"
            value *= 100
        if value != int(value) or value < 0:
            return None
        level = int(value)
        said_to = any(k in TO for k in ks)
        said_by = any(k in BY for k in ks)
        if (up or down) and not said_to:
            # "volume 10 percent badhao", "increase the volume by 10": a step;
            # "volume badha ke 80 kar do": the verb after the number sets the level
            after = [i for i in (up or down) if i > start]
            helper_after = any(ks[i] in HELPERS for i in range(end, len(ks)))
            if said_by or after or not helper_after:
                return Request("volume", "up" if up else "down", level,
                               out_of_range=not 0 < level <= 100)
        return Request("volume", "set", level, out_of_range=level > 100)
    if any(k in FULL for k in ks) and noun:
        return Request("volume", "set", 100)
    if noun and any(k in OFF for k in ks):
        return Request("volume", "mute")
    if noun and any(k in ON for k in ks) and not (up or down):
        return Request("volume", "unmute")
    if up:
        return Request("volume", "up")
    if down:
        return Request("volume", "down")
    return None


def _media(ks: list[str]) -> Request | None:
    if not _only(ks, set(), MEDIA_VOCAB):
        return None
    noun = any(k in MEDIA for k in ks)
    nxt = any(k in NEXT for k in ks)
    prev = any(k in PREVIOUS for k in ks)
    pause = any(k in PAUSE for k in ks)
    play = any(k in PLAY for k in ks)
    if nxt and prev:
        return None
    if nxt and (noun or any(k in NEXT_ALONE for k in ks)):
        return Request("media", "next")
    if prev and noun:
        return Request("media", "previous")
    if nxt or prev:
        return None
    if pause and play:
        # "play" words that are also helpers of a pause ("band kar do") never get here:
        # a pause word and a play word together is unclear ("stop and play")
        return None
    if pause and (noun or any(k in PAUSE_ALONE for k in ks)):
        return Request("media", "pause")
    if play and (noun or any(k in PLAY_ALONE for k in ks)):
        return Request("media", "play")
    return None


def _lock(ks: list[str]) -> Request | None:
    if any(k in LOCK for k in ks) and any(k in SCREEN for k in ks) and _only(ks, set(), LOCK_VOCAB):
        return Request("lock", "lock")
    return None


def _open(w: Sequence[str], ks: list[str]) -> Request | None:
    verbs = [i for i, k in enumerate(ks) if k in OPEN or k in RUN]
    if not verbs:
        return None
    rest = [i for i, k in enumerate(ks) if k not in OPEN_VOCAB]
    if not rest or len(rest) > MAX_APP_WORDS or rest != list(range(rest[0], rest[-1] + 1)):
        return None
    # English puts the verb before the name ("open firefox"), Hindi after ("firefox kholo")
    if not (verbs[0] < rest[0] or verbs[-1] > rest[-1]):
        return None
    strong = any(k in OPEN for k in ks)
    return Request("open", "open", query=tuple(w[i] for i in rest),
                   app_word=any(k in APP for k in ks), strong=strong)


def understand(text: str) -> Request | None:
    """The system request in ``text``, or None. An "open" request still has to name an
    installed app (the skill checks)."""
    w = words(text)
    if not w or len(w) > 16:
        return None
    ks = key_list(w)
    if any(k in QUESTION for k in ks):
        return None
    nums = _numbers(w, ks)
    for part in (_lock(ks), _volume(ks, nums), None if nums else _media(ks)):
        if part is not None:
            return part
    return _open(w, ks)


def is_yes(text: str) -> bool:
    """A short yes to a question ("yes", "haan", "हाँ, लॉक कर दो", "go ahead")."""
    w = words(text)
    if not w or len(w) > 6:
        return False
    ks = [word_key(x) for x in w]
    if is_no(text) or not all(k in ANSWER_VOCAB for k in ks):
        return False
    return any(k in YES for k in ks) or ks == [word_key("do"), word_key("it")] or (
        len(ks) <= 3 and all(k in HELPERS or k in _NA for k in ks) and bool(set(ks) & _KAR))


def is_no(text: str) -> bool:
    """A short no ("no", "nahi", "मत करो", "रहने दो", "never mind"); "na" only first or alone
    ("karo na" is a yes)."""
    w = words(text)
    if not w or len(w) > 6:
        return False
    ks = [word_key(x) for x in w]
    return any(k in NO for k in ks) or ks[0] in _NA
