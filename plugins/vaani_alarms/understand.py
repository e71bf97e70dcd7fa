"""What the user wants from the alarm skill: set, list, cancel or snooze an alarm or reminder.

Precision first, as in the other skills: a request needs a trigger word ("alarm", "remind",
"reminder", "wake me", अलार्म, याद दिलाना, रिमाइंडर, उठाना/जगाना, yaad dilana, uthana, snooze);
the words around it must come from a closed vocabulary (fillers, time words, politeness), except
a reminder's subject ("to call mom", "कि दवाई लेनी है", "दूध लाने की") and an alarm's short
name ("gym"). A question *about* alarms ("how do I set an alarm", "alarm kaise lagate hain",
"what is an alarm") is left to the LLM, and so is anything with words the skill cannot place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from vaani.language import keys, to_ascii_digits, word_key

from vaani_alarms.when import Conflict, Span, When, combine, scan, twords

ALARM = keys("alarm alarms alaram alarum alarams अलार्म अलार्मों अलार्मो अलारम अलाम".split())
REMINDER = keys("reminder reminders रिमाइंडर रिमाइंडरों रिमाइन्डर रिमांडर rimaindar".split())
_REMIND = keys("remind reminds".split())
_YAAD = keys("याद yaad yad".split())
_DILA = keys("दिलाना दिला दिलाओ दिलाइए दिलाइये दिलाएँ दिलाएं दिलवाना दिलाइएगा dilana dila "
             "dilao dilaiye dilaye dilaana dilwana dilaiyega".split())
_WAKE_HI = keys("उठाना उठा उठाओ उठाइए उठाइये उठाइएगा जगाना जगा जगाओ जगाइए जगाइये जगाइएगा uthana "
                "utha uthao uthaiye uthaana uthaiyega jagana jaga jagao jagaiye jagaana "
                "jagaiyega".split())
_GIVE = keys("देना दो दें दीजिए दीजिये देंगे देगी dena do de dijiye dijie dena".split())
_ME = {"me", "us"}
_SNOOZE = keys("snooze snoozes स्नूज़ स्नूज snooz snuz".split())
# English words as written (keys fold "off" into "of"), Hindi ones by key
_CANCEL_EN = frozenset("cancel cancelled delete remove clear stop dismiss disable off rid "
                       "unset".split())
_CANCEL = keys("बंद हटाओ हटा हटाना हटाइए हटाइये रद्द कैंसल कैंसिल मिटाओ मिटा मिटाइए डिलीट band "
               "hatao hata hatana hataiye radd mitao mita".split())
_ALL = keys("all every both सारे सभी सब दोनों sare saare sabhi sab dono".split())
_AGAIN = keys("again फिर दोबारा phir fir dobara".split())
_QUESTION = keys("how why what who where which does did should कैसे क्यों क्यूँ मतलब क्या कौन "
                 "कहाँ कब kaise kyun kyon kyu matlab kya kaun kon kahan kab".split())
# a list question starts with one of these (English), or holds one of these (Hindi)
_EN_LIST_START = {"what", "which", "when", "do", "does", "is", "are", "any", "list", "show",
                  "tell", "read", "how", "have", "check", "whats"}
_HI_LIST = keys("कौन कौनसे कौनसा कौनसी क्या कब कितने कितना बताओ बताइए बताइये बता दिखाओ दिखाइए "
                "दिखा सुनाओ सुनाइए पढ़ो kaun kon konse kaunse konsa kaunsa kya kab kitne kitna "
                "batao bataiye bata dikhao dikhaiye dikha sunao sunaiye padho list".split())
# the list question is about the user's alarms, not about alarms in general
_MINE = keys("my mine any set upcoming pending scheduled have got i मेरे मेरा मेरी कोई लगे लगा "
             "लगी हैं है mere mera meri koi lage laga lagi hain hai".split())
_SET_EN = {"set", "make", "create", "add", "put", "schedule", "start", "need", "want"}
_SET_HI = keys("लगाओ लगा लगाना लगाइए लगाइये लगाएं लगाएँ लगादो सेट रखो रख बनाओ बना lagao laga "
               "lagana lagaiye lagaye lagado rakho rakh banao bana".split())
_FILLER = keys(
    "set a an the my me for of to on start make create put add new another please can could "
    "would will you i need want give up called named with one ok okay hey hi hello vaani vani "
    "and now just quick get schedule us also yo bro dude yaar yar bhai "
    "लगाओ लगा लगाना लगाइए लगाइये लगाएं लगाएँ दो दें दीजिए दीजिये देना सेट करो कर करें करना "
    "चालू का की के लिए एक मेरा मेरे मेरी मुझे प्लीज़ प्लीज ज़रा जरा भी और जी वाणी फिर नया क्या "
    "तुम आप सकते सकती हो हमें हम को भी रखो रख बनाओ बना है "
    "lagao laga lagana lagaiye lagaye lagado do de dena dijiye set karo kar kare karna chalu "
    "ka ki ke liye ek mera mere meri mujhe zara jara bhi aur ji vaani phir naya kya tum aap "
    "sakte sakti ho hume hum ko rakho rakh banao bana hai यार भाई".split())
_LIST_VOCAB = _FILLER | _HI_LIST | _MINE | keys(
    "what which when do does is are any list show tell read how many have check whats there "
    "time at for today tomorrow all upcoming pending scheduled next ones kitne बजे baje समय "
    "टाइम samay time वाले wale के ke में mein कल आज kal aaj अभी abhi हैं hain से se "
    "कौन kaun".split())
_CANCEL_VOCAB = _FILLER | _CANCEL | keys(_CANCEL_EN) | _ALL | keys(
    "turn switch get of that this those these ones one वाला वाले वाली wala wale wali इस उस is us "
    "दो दें dijiye".split())
_SNOOZE_VOCAB = _FILLER | _SNOOZE | keys("it alarm for minutes minute more aur और मिनट "
                                         "और".split())
_FOLLOW_UP_VOCAB = _FILLER | keys("make it um uh ok okay yes haan हाँ हां जी bas बस".split())
_NEVER_MIND = keys("never mind nevermind forget it cancel no nahi nahin रहने दो छोड़ो छोड़ "
                   "नहीं rehne rahne chhodo chodo".split())
_NOT = keys("not no never नहीं नही मत nahi nahin mat".split())
_CONNECTOR_EN = ("to", "that", "about", "of", "for")
# politeness at the edges of a reminder's subject, never part of it
_EDGE = keys("please प्लीज़ प्लीज vaani vani वाणी ok okay now ji जी zara jara ज़रा जरा thanks "
             "again once more फिर से दोबारा phir fir se dobara yo bro dude yaar yar bhai यार "
             "भाई".split())
_CONNECTOR_HI = keys("कि ki".split())
_OBLIQUE = keys("की का के ki ka ke".split())
_STOP = keys("the a an my your to of for that about and please".split())
_PRONOUNS_EN = {"my": "your", "me": "you", "i": "you", "mine": "yours", "myself": "yourself",
                "am": "are", "i'm": "you're"}
_PRONOUNS_HI = {"मुझे": "आपको", "मेरा": "आपका", "मेरी": "आपकी", "मेरे": "आपके", "मैं": "आप",
                "मैंने": "आपने", "mujhe": "aapko", "mera": "aapka", "meri": "aapki",
                "mere": "aapke", "main": "aap", "maine": "aapne"}


@dataclass(frozen=True)
class Request:
    action: str                         # set | list | cancel | snooze
    kind: str = "alarm"                 # alarm | reminder ("" for list/cancel: both)
    wake: bool = False
    when: When = field(default_factory=When)
    conflict: bool = False              # the time words contradict each other
    label: str = ""
    connector: str = ""                 # to | that | about (English reminders)
    all: bool = False
    seconds: float = 0.0                # snooze for
    again: bool = False                 # "remind me again in 10 minutes"
    words: tuple[str, ...] = ()         # what was left for matching (cancel by label)


@dataclass
class _Parsed:
    w: tuple[str, ...]
    k: list[str]
    triggers: list[tuple[int, int, str]]      # (start, end, alarm | reminder | wake)
    spans: list[Span]
    used: set[int]
    text: str = ""


def said(text: str, toks: Sequence[str]) -> str:
    """The words ``toks`` as the user wrote them in ``text`` ("Riya", "B12", "Riya's"), or
    the words joined when they cannot be found there."""
    toks = [t for t in toks if t]
    if not toks:
        return ""
    raw = unicodedata.normalize("NFC", to_ascii_digits(text))
    m = re.search(r"(?:['\u2019]s)?[\W_]*".join(re.escape(t) for t in toks), raw,
                  re.IGNORECASE)
    return m.group(0).strip(" .!?।,") if m else " ".join(toks)


def _triggers(w: Sequence[str], k: Sequence[str]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    n = len(w)
    i = 0
    while i < n:
        if k[i] in ALARM:
            out.append((i, i + 1, "alarm"))
        elif k[i] in REMINDER:
            out.append((i, i + 1, "reminder"))
        elif k[i] in _REMIND:
            end = i + 1 + (i + 1 < n and w[i + 1] in _ME)
            out.append((i, end, "remind"))
            i = end
            continue
        elif k[i] in _YAAD and i + 1 < n and k[i + 1] in _DILA:
            end = i + 2
            while end < n and k[end] in _GIVE:
                end += 1
            out.append((i, end, "remind"))
            i = end
            continue
        elif w[i] == "wake" and i + 1 < n and (w[i + 1] in _ME or (
                w[i + 1] == "up" and i + 2 < n and w[i + 2] in _ME)):
            end = i + 2
            if end < n and w[end] in _ME | {"up"}:
                end += 1
            if end < n and w[end] == "up":
                end += 1
            out.append((i, end, "wake"))
            i = end
            continue
        elif k[i] in _WAKE_HI:
            end = i + 1
            while end < n and k[end] in _GIVE:
                end += 1
            out.append((i, end, "wake"))
            i = end
            continue
        i += 1
    return out


def triggers(text: str) -> set[str]:
    """Which of alarm, reminder, remind, wake the words of ``text`` ask for."""
    w = twords(text)
    return {kind for _, _, kind in _triggers(w, [word_key(x) for x in w])}


def _parse(text: str, roman: bool) -> _Parsed | None:
    w = twords(text)
    if not w or len(w) > 40:
        return None
    k = [word_key(x) for x in w]
    triggers = _triggers(w, k)
    weak = [end - 1 for _, end, _ in triggers]
    spans = scan(w, roman, weak)
    used = {i for s in spans for i in range(s.start, s.end)}
    used |= {i for a, b, _ in triggers for i in range(a, b)}
    return _Parsed(w, k, triggers, spans, used, text)


def understand(text: str, language: str = "en") -> Request | None:
    """What ``text`` asks of the alarm skill, or None if it is not for this skill."""
    roman = language == "hi"
    p = _parse(text, roman)
    if p is None:
        return None
    k, w = p.k, p.w
    kinds = {kind for _, _, kind in p.triggers}
    if any(x in _SNOOZE for x in k):
        return _snooze(p)
    if not kinds:
        return None
    try:
        when = combine(p.spans)
        conflict = False
    except Conflict:
        when, conflict = When(spans=tuple(p.spans)), True
    nouns = kinds & {"alarm", "reminder"}
    kind = "reminder" if kinds & {"reminder", "remind"} else "alarm"
    if nouns and _cancelling(p):
        return _cancel(p, nouns, when)
    if nouns and _is_list(p):
        rest = _rest(p, _LIST_VOCAB)
        if rest:
            return None
        return Request("list", kind="" if len(nouns) > 1 else kind, when=when)
    if _is_question(p):
        return None
    wake = "wake" in kinds and kind == "alarm"
    again = any(x in _AGAIN for x in k)
    if kind == "reminder":
        label = _reminder_label(p, language)
        if label is None:
            return None
        text_, connector = label
        return Request("set", "reminder", False, when, conflict, text_, connector, again=again)
    if any(x in _NOT for x in k):
        return None                        # "my alarm didn't ring"
    rest = _rest(p, _FILLER)
    if wake and rest:
        return None                        # "फ़ोन उठाओ": pick up the phone, not a wake-up
    label = _alarm_name(p, rest)
    if label is None:
        return None
    return Request("set", "alarm", wake, when, conflict, label, again=again)


def _alarm_name(p: _Parsed, rest: list[int]) -> str | None:
    """An alarm's name: one or two words right before "alarm" ("gym alarm") or after
    "for/called/named" ("alarm for the gym") or before "के लिए" ("जिम के लिए अलार्म");
    None when other words are left over."""
    if not rest:
        return ""
    if len(rest) > 2 or rest != list(range(rest[0], rest[-1] + 1)):
        return None
    w, k = p.w, p.k
    first, last = rest[0], rest[-1]
    before = first - 1
    while before >= 0 and w[before] in ("the", "a", "an", "my"):
        before -= 1
    named = (last + 1 < len(k) and k[last + 1] in ALARM) or (
        before >= 0 and w[before] in ("for", "called", "named", "labelled", "labeled")) or (
        k[last + 1:last + 3] == [word_key("के"), word_key("लिए")]) or (
        k[last + 1:last + 3] == [word_key("ke"), word_key("liye")])
    return said(p.text, [w[i] for i in rest]) if named else None


def _cancelling(p: _Parsed) -> bool:
    said = [i for i, (x, key) in enumerate(zip(p.w, p.k)) if x in _CANCEL_EN or key in _CANCEL]
    return bool(said) and not any(x in _SET_HI or x in _SET_EN for i, x in enumerate(p.k)
                                  if i not in said)


def _rest(p: _Parsed, vocab: frozenset[str]) -> list[int]:
    return [i for i, x in enumerate(p.k) if i not in p.used and x not in vocab]


def _is_question(p: _Parsed) -> bool:
    """A question about alarms ("how do I set an alarm", "alarm kaise lagate hain")."""
    first = next((x for x in p.w if x not in ("hey", "ok", "okay", "vaani", "so", "um", "yo",
                                              "yaar")), "")
    if first in ("how", "why", "what", "who", "where", "which", "does", "did", "should"):
        return True
    return any(x in keys("कैसे क्यों क्यूँ मतलब kaise kyun kyon kyu matlab".split())
               for x in p.k)


def _is_list(p: _Parsed) -> bool:
    k, w = p.k, p.w
    if any(x in _SET_HI for x in k):
        return False
    first = next((x for x in w if x not in ("hey", "ok", "okay", "vaani", "so", "um", "please")),
                 "")
    if first == "how" and "many" not in w:
        return False                      # "how do I set an alarm"
    if first in ("how", "what", "which") and any(x in ("can", "could", "should") for x in w):
        return False                      # "how many alarms can I set"
    mine = any(x in _MINE for x in k) or any(x.endswith("s") and word_key(x) in
                                             ALARM | REMINDER for x in w)
    if first in _EN_LIST_START:
        setting = any(x in _SET_EN for x in w)
        return mine and (not setting or first in ("is", "are", "do", "does", "what", "which",
                                                  "when", "any"))
    return mine and any(x in _HI_LIST for x in k) and not any(x in _SET_EN for x in w)


def _snooze(p: _Parsed) -> Request | None:
    from vaani.numwords import durations

    found = durations(p.w, True) or durations(p.w, False)
    used = set(p.used) | {i for d in found for i in range(d.start, d.end)}
    if any(i not in used and x not in _SNOOZE_VOCAB for i, x in enumerate(p.k)):
        return None
    seconds = sum(d.seconds for d in found)
    return Request("snooze", seconds=seconds)


def _cancel(p: _Parsed, nouns: set[str], when: When) -> Request | None:
    rest = _rest(p, _CANCEL_VOCAB)
    words_ = [p.w[i] for i in rest]
    if words_ and words_[0] in _CONNECTOR_EN:
        words_ = words_[1:]
    if any(word_key(x) in _QUESTION for x in words_) or len(words_) > 8:
        return None
    kind = "" if len(nouns) > 1 else next(iter(nouns))
    every = any(x in _ALL for x in p.k)
    return Request("cancel", kind, when=when, all=every, label=" ".join(words_),
                   words=tuple(words_))


def _reminder_label(p: _Parsed, language: str) -> tuple[str, str] | None:
    """The subject of a reminder (pronouns turned to the listener's) and its English
    connector; ("", "") for none; None when the words cannot be placed."""
    w, k = p.w, p.k
    used = set(p.used)
    # "की/का/के" just before the trigger: "दूध लाने की याद दिलाना", "call karne ka reminder"
    oblique = False
    for start, _, kind in p.triggers:
        if kind in ("reminder", "remind") and start > 0 and k[start - 1] in _OBLIQUE \
                and start - 1 not in used:
            used.add(start - 1)
            oblique = True
    segments: list[list[int]] = []
    for i in range(len(w)):
        if i in used:
            continue
        if segments and segments[-1][-1] == i - 1:
            segments[-1].append(i)
        else:
            segments.append([i])
    # a segment of fillers only ("set a", "please", "मुझे", "लगा दो") is not a subject
    real = [s for s in segments if not all(k[i] in _FILLER for i in s)
            or (len(s) >= 2 and k[s[0]] in _CONNECTOR_HI)]
    if not real:
        return "", ""
    if len(real) > 1:
        return None
    seg = real[0]
    # fillers at the edges: "please", "set a", "लगा दो", "मुझे" (not inside: "call my mom")
    while seg and k[seg[-1]] in _EDGE:
        seg = seg[:-1]
    connector = ""
    while seg and k[seg[0]] in _EDGE:
        seg = seg[1:]
    if seg and w[seg[0]] in _CONNECTOR_EN:
        connector = w[seg[0]]
        seg = seg[1:]
    elif seg and k[seg[0]] in _CONNECTOR_HI:
        seg = seg[1:]
    elif language == "en" and seg:
        return None                      # "remind me what the capital is": a question
    label = [w[i] for i in seg]
    if not label:
        return "", ""
    if any(word_key(x) in _QUESTION for x in label):
        return None
    if len(label) > 1 and word_key(label[-1]) in _OBLIQUE:       # "dawai lene ki"
        label.pop()
        oblique = True
    pronouns = _PRONOUNS_EN if language == "en" else _PRONOUNS_HI
    out = []
    parts = said(p.text, label).split()
    for j, part in enumerate(parts):        # "call my Mom" -> "call your Mom"
        core = part.rstrip(",.;:!?")
        tail = part[len(core):]
        low = core.lower()
        if low in pronouns:
            core = pronouns[low] if low == "i" or not core[:1].isupper() else \
                pronouns[low].capitalize()
        if oblique and j == len(parts) - 1:
            core = _infinitive(core)
        out.append(core + tail)
    return " ".join(out), connector


def _infinitive(word: str) -> str:
    """"लाने" -> "लाना", "karne" -> "karna" (the subject said before की/का याद/रिमाइंडर)."""
    if word.endswith("ने"):
        return word[:-2] + "ना"
    if word.endswith("ne") and word.isascii():
        return word[:-2] + "na"
    return word


def follow_up_time(text: str, language: str) -> When | None:
    """An answer to "when?" / "morning or evening?": time words only ("at 5", "शाम को",
    "PM", "कल सुबह 7 बजे"); None for anything else."""
    w = twords(text)
    if not w or len(w) > 12:
        return None
    spans = scan(w, language == "hi", answer=True)          # a bare "7" answers "when?"
    used = {i for s in spans for i in range(s.start, s.end)}
    if not spans or any(i not in used and word_key(x) not in _FOLLOW_UP_VOCAB
                        for i, x in enumerate(w)):
        return None
    try:
        return combine(spans)
    except Conflict:
        return None


def never_mind(text: str) -> bool:
    w = twords(text)
    return bool(w) and len(w) <= 4 and all(word_key(x) in _NEVER_MIND | _FILLER for x in w) \
        and any(word_key(x) in _NEVER_MIND for x in w)


def all_said(text: str) -> bool:
    """"all", "both", "दोनों", "सब" as an answer to "which one?"."""
    w = twords(text)
    return bool(w) and len(w) <= 5 and any(word_key(x) in _ALL for x in w) and \
        all(word_key(x) in _ALL | _CANCEL_VOCAB | ALARM | REMINDER for x in w)


def content_words(text: str) -> set[str]:
    """Keys of the words that tell reminders apart ("call mom" -> call, mom)."""
    return {word_key(x) for x in twords(text)} - _STOP - {word_key(x) for x in
                                                         ("your", "you", "आपको", "aapko")}
