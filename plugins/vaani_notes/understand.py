"""What the user wants from notes and lists: add, read, remove, clear, take a note.

"add milk to my shopping list", "put eggs and bread on the grocery list", "मेरी सूची में दूध
जोड़ो", "शॉपिंग लिस्ट में अंडे डाल दो", "doodh ko list mein add karo", "what's on my list",
"meri list mein kya hai", "read my to-do list", "remove milk from my list", "लिस्ट से दूध
हटा दो", "delete the last note", "आख़िरी नोट हटा दो", "clear my shopping list", "note that the
car is parked on level 2", "नोट कर लो कि गाड़ी लेवल 2 पर है", "what are my notes", "what lists
do I have".

Precision first: a request needs the word list/सूची/लिस्ट (with "my", "the" or a name:
"shopping list", "ख़रीदारी की सूची") or note/नोट in one of a few shapes ("note that", "take a
note", "नोट कर लो"), and its verb; what is not the item must come from a closed vocabulary.
"add 5 and 7", "list the planets", "a list of countries", "Schindler's List", "how do I make
a shopping list" and "remind me to buy milk" are left to the other skills and the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import re
import unicodedata
from dataclasses import replace

from vaani.language import keys, to_ascii_digits, word_key, words

LIST = keys("list lists लिस्ट लिस्टें सूची सूचियाँ सूचियां suchi soochi".split())
NOTE = keys("note notes नोट नोट्स".split())
# the lists every user has, by the names people give them
NAMED = {
    "shopping": keys("shopping grocery groceries शॉपिंग ग्रोसरी खरीदारी ख़रीदारी खरीददारी "
                     "सामान किराना राशन kirana rashan saman samaan kharidari kharidaari "
                     "bazaar बाज़ार market".split()),
    "todo": keys("todo to-do task tasks काम कामों kaam kamon".split()),
    "notes": NOTE,
}
_DET_EN = {"my", "the", "our"}
_DET_HI = keys("मेरी मेरा मेरे हमारी हमारा meri mera mere hamari hamara".split())
_OF_HI = keys("की का के ki ka ke".split())
_IN_HI = keys("में mein me mai mei".split())
_FROM_HI = keys("से se".split())
_TO_HI = keys("को ko".split())
_ADD_EN = {"add", "put", "include", "append", "write"}
_ADD_HI = keys("जोड़ो जोड़ जोड़िए जोड़िये जोड़ना जोड़ें डालो डाल डालिए डालिये डालना डालें लिखो लिख "
               "लिखिए लिखना ऐड jodo jod jodiye jodna daalo dalo daal dal daliye daalna likho "
               "likh likhiye likhna add".split())
_REMOVE_EN = {"remove", "delete", "erase", "drop", "scratch", "strike", "take", "cross",
              "tick", "check"}
_REMOVE_HI = keys("हटाओ हटा हटाइए हटाइये हटाना निकालो निकाल निकालिए मिटाओ मिटा मिटाइए काटो काट "
                  "डिलीट hatao hata hataiye hatana nikalo nikal nikaliye mitao mita kato kaat "
                  "delete remove".split())
_CLEAR_EN = {"clear", "empty", "wipe"}
_CLEAR_HI = keys("खाली ख़ाली साफ़ साफ khali saaf saf".split())
_ALL = keys("all everything every सब सारे सारी सभी sab sare saare sari saari sabhi".split())
_LAST = keys("last latest previous आखिरी आख़िरी अंतिम पिछला पिछली पिछले akhri aakhri akhiri "
             "aakhiri pichla pichhla pichli pichle".split())
_ITEM = keys("item items entry entries thing things चीज़ चीज आइटम cheez cheej item".split())
_DO_HI = keys("करो कर करें करना कीजिए कीजिये दो दें दीजिए दीजिये देना लो लें लीजिए लीजिये लेना "
              "karo kar kare karna kijiye do de dijiye dena lo le lijiye lena".split())
_READ_EN = {"what", "whats", "read", "show", "tell", "check", "list", "how"}
_READ_HI = keys("क्या बताओ बताइए बताइये बता पढ़ो पढ़िए पढ़कर सुनाओ सुनाइए दिखाओ दिखाइए कितनी "
                "कितने कितना कौन kya batao bataiye bata padho padhiye sunao sunaiye dikhao "
                "dikhaiye kitni kitne kitna kaun kon".split())
_FILLER = keys(
    "please can could would will you me i to on in onto into from off of my the a an and , "
    "hey ok okay vaani vani also just now for is are there what whats do have has been "
    "that this it any all items item things thing everything how many much read show tell "
    "check list lists note notes got out need want wanna yo bro dude yaar yar bhai यार भाई "
    "मेरी मेरा मेरे मुझे में से को की का के है हैं क्या क्या प्लीज़ प्लीज ज़रा जरा भी और जी "
    "वाणी हमारी हमारा तो अभी कौन सी कौनसी कितनी कितने सब सारी सारे चीज़ें चीजें आइटम लिखा "
    "meri mera mere mujhe mein se ko ki ka ke hai hain kya zara jara bhi aur ji vaani "
    "hamari hamara to abhi kaun si konsi kitni kitne sab saari sare cheezein cheezen likha"
    .split()) | _DO_HI
_QUESTION = keys("how why who where when which does did should कैसे क्यों कौन कहाँ कब "
                 "kaise kyun kyon kaun kahan kab".split())
_YES = keys("yes yeah yep sure ok okay confirm do it go ahead haan han ha हाँ हां जी ji "
            "please clear कर दो हटा दो साफ़ करो".split())
_NO = keys("no nope don't not cancel never mind नहीं नही मत रहने दो nahi nahin mat rehne "
           "rahne".split())
_NOTE_THAT_HI = keys("कि ki".split())
_SPLIT = keys("and aur और , &".split())
# an item or note that is only these says nothing ("put it on my list", "note that down")
_EMPTY = keys("it this that these those them down here there one इसे इसको यह ये वह वो उसे "
              "उसको ise isko ye yah wo woh use usko".split())


@dataclass(frozen=True)
class ListRef:
    key: str                # shopping | todo | notes | a custom name's key; "" = default
    name: str               # the words said ("shopping", "packing", "सफ़र")
    start: int              # token span of the whole phrase ("my shopping list")
    end: int
    mine: bool = True       # "my/the/मेरी ... list" (not "भारत के राज्यों की सूची")


@dataclass(frozen=True)
class NoteRequest:
    action: str             # add | read | check | remove | remove_last | clear | note | lists
    target: ListRef | None = None
    items: tuple[str, ...] = ()
    text: str = ""          # note: what to note


def _key(w: str) -> str:
    return word_key(w)


def list_key(name_words: Sequence[str]) -> str:
    """The key of a list named by these words: a known list, or the words themselves."""
    ks = [_key(x) for x in name_words]
    if ks == ["to", "do"] or ks == [_key("to"), _key("do")]:
        return "todo"
    for key, vocab in NAMED.items():
        if any(k in vocab for k in ks):
            return key
    return " ".join(x.lower() for x in name_words)


def find_list(w: Sequence[str], k: Sequence[str]) -> ListRef | None:
    """"my shopping list", "the list", "शॉपिंग लिस्ट", "ख़रीदारी की सूची", "meri list",
    "my notes"; None when the words name no list."""
    for i, key in enumerate(k):
        if key in LIST:
            j = i
            # Hindi "X की सूची": the name before की
            if j >= 1 and k[j - 1] in _OF_HI:
                j -= 1
            start = j
            name: list[str] = []
            while start > 0 and len(name) < 3:
                prev = k[start - 1]
                if w[start - 1] in _DET_EN or prev in _DET_HI:
                    start -= 1
                    break
                if prev in _FILLER_NAME_STOP or w[start - 1] in _ADD_EN | _REMOVE_EN | \
                        _CLEAR_EN | _READ_EN:
                    break
                name.insert(0, w[start - 1])
                start -= 1
            if name == ["do"] and start > 0 and w[start - 1] == "to":      # "to do list"
                name.insert(0, "to")
                start -= 1
                if start > 0 and (w[start - 1] in _DET_EN or k[start - 1] in _DET_HI):
                    start -= 1
            determined = start < i and (w[start] in _DET_EN or k[start] in _DET_HI)
            named_of = i >= 1 and k[i - 1] in _OF_HI           # "X की सूची"
            if name and not determined and not named_of and list_key(name) not in NAMED:
                name, start = [], i        # "Schindler's list", "सारी चीज़ें लिस्ट से": no name
            if not name and not determined:
                if i + 1 < len(k) and (k[i + 1] in _IN_HI | _FROM_HI) and i == 0:
                    return ListRef("", "", i, i + 1)          # "list mein doodh daalo"
                if i + 1 < len(k) and k[i + 1] in _IN_HI | _FROM_HI:
                    return ListRef("", "", i, i + 1)
                return None                                    # "a list of countries"
            if w[i] == "lists" and not name:
                return None
            if (name and name[0] in ("a", "an")) or (start > 0 and w[start - 1] in ("a", "an")):
                return None                                    # "what is a to-do list"
            return ListRef(list_key(name) if name else "", " ".join(name), start, i + 1,
                           mine=determined)
    for i, key in enumerate(k):
        if key not in NOTE:
            continue
        start = i
        if start > 0 and k[start - 1] in _LAST:
            start -= 1
        if start > 0 and (w[start - 1] in _DET_EN or k[start - 1] in _DET_HI):
            start -= 1
        plural = w[i] in ("notes", "नोट्स")
        if start < i or plural:           # "my notes", "the last note", "नोट्स", not "a note"
            return ListRef("notes", "notes", start, i + 1)
    return None


# words that end a list name when reading leftwards ("add milk to | shopping list")
_FILLER_NAME_STOP = keys("to on in onto into from off of and please is what whats में से को "
                         "और mein se ko aur add put remove delete".split()) | _IN_HI | _FROM_HI


_COMMA = re.compile(r"(?<!\d),|,(?!\d)")


def note_words(text: str) -> tuple[str, ...]:
    """:func:`vaani.language.words` with the commas kept (they separate items)."""
    out: list[str] = []
    for i, chunk in enumerate(_COMMA.split(text)):
        if i:
            out.append(",")
        out.extend(words(chunk))
    return tuple(out)


def understand(text: str, language: str = "en") -> NoteRequest | None:
    w = note_words(text)
    if not w or len(w) > 40:
        return None
    k = [_key(x) for x in w]
    first = next((x for x in w if x not in ("hey", "ok", "okay", "vaani", "please", "so")), "")
    if first in ("how", "why", "who", "where", "should") and "many" not in w:
        return None                                   # a question about lists
    note = _colon_note(text) or _take_note(w, k)
    if note is not None:
        return _as_said(note, text)
    overview = _lists(w, k)
    if overview is not None:
        return overview
    ref = find_list(w, k)
    if ref is None:
        return None
    for parse in (_remove_last, _clear, _add, _remove, _check, _read):
        r = parse(w, k, ref)
        if r is not None:
            return _as_said(r, text)
    return None


def said(text: str, toks: Sequence[str]) -> str:
    """The words ``toks`` as the user wrote them in ``text`` ("B12", "Riya", "5,000"),
    or the words joined when they cannot be found there (a contraction: "don't")."""
    toks = [t for t in toks if t]
    if not toks:
        return ""
    raw = unicodedata.normalize("NFC", to_ascii_digits(text))
    m = re.search(r"(?:['\u2019]s)?[\W_]*".join(re.escape(t) for t in toks), raw,
                  re.IGNORECASE)                  # "Riya's" is said as "riya"
    if m is None:
        return " ".join(toks).replace(" ,", ",")
    return m.group(0).strip(" .!?।,")


def _pieces(text: str) -> list[str]:
    return re.findall(r"[^\s,]+|,", text)


def _as_said(r: NoteRequest, text: str) -> NoteRequest:
    items = tuple(said(text, _pieces(i)) for i in r.items)
    body = said(text, _pieces(r.text)) if r.action == "note" else r.text
    return replace(r, items=items, text=body)


_NOTE_COLON = re.compile(r"^\W*(?:(?:hey|ok|okay|vaani|please)\W+)*(?:(?:take|make)\s+a\s+)?"
                         r"note\s*[:\-\u2013]\s*(?P<body>\S.*)$", re.IGNORECASE | re.DOTALL)


def _colon_note(text: str) -> NoteRequest | None:
    """"Note: call the electrician on Monday" (the colon is gone from the words)."""
    m = _NOTE_COLON.match(text.strip())
    if m is None:
        return None
    body = " ".join(note_words(m.group("body")))
    return NoteRequest("note", ListRef("notes", "notes", 0, 0), text=body) if body else None


_IS_EN = {"is", "are"}
_HAVE_EN = {"do", "did", "have", "has"}


def _check(w: Sequence[str], k: Sequence[str], ref: ListRef) -> NoteRequest | None:
    """"is milk on my list", "do I have eggs on my shopping list", "did I add bread to the
    list", "क्या दूध लिस्ट में है", "kya anda meri list mein hai", "doodh list mein hai kya"."""
    w = list(w)
    first = next((i for i, x in enumerate(w) if x not in ("hey", "ok", "okay", "vaani",
                                                         "please", "so")), 0)
    lead = None
    if w[first] in _IS_EN:
        lead = first + 1 + (w[first + 1:first + 2] == ["there"])
    elif w[first] in _HAVE_EN and w[first + 1:first + 2] in (["i"], ["we"]):
        lead = first + 2
        if lead < len(w) and w[lead] in ("have", "got", "add", "added", "put"):
            lead += 1
    if lead is not None:
        if ref.start <= lead or w[ref.start - 1] not in ("on", "in", "to"):
            return None
        idx = list(range(lead, ref.start - 1))
        tail = _rest(k, _span(0, ref.end), _FILLER)
        if tail:
            return None
    else:
        kya = [i for i, x in enumerate(k) if x == _key("क्या") or x == _key("kya")]
        hai = [i for i, x in enumerate(k) if x in keys("है hai".split())]
        if not kya or not hai or not (ref.end < len(k) and k[ref.end] in _IN_HI):
            return None
        start = kya[0] + 1 if kya[0] < ref.start else first
        idx = _segment(k, start, ref.start, _EDGE | _FILLER_HI_LEAD | _TO_HI)
        used = set(idx) | _span(ref.start, ref.end + 1) | set(kya) | set(hai)
        if _rest(k, used, _FILLER_HI_LEAD | keys("भी bhi".split())):
            return None
    idx = [i for i in idx if k[i] not in keys("any some कोई koi".split())]
    if not idx or any(k[i] in _QUESTION | _READ_HI for i in idx):
        return None
    if all(x in ("anything", "something", "kuch", "कुछ") for x in (w[i] for i in idx)):
        return NoteRequest("read", ref)
    items = _items(w, idx)
    return NoteRequest("check", ref, items) if items else None


def _rest(k: Sequence[str], used: set[int], vocab: frozenset[str]) -> list[int]:
    return [i for i, x in enumerate(k) if i not in used and x not in vocab]


def _span(a: int, b: int) -> set[int]:
    return set(range(a, b))


def _take_note(w: Sequence[str], k: Sequence[str]) -> NoteRequest | None:
    """"note that X", "take a note X", "make a note of X", "note down X", "jot down X",
    "remember that X", "नोट करो कि X", "X नोट कर लो", "लिख लो कि X", "याद रखना कि X"."""
    n = len(w)
    content: tuple[int, int] | None = None
    lead = 0
    for i in range(n):
        if w[i] == "note" and i + 1 < n and w[i + 1] in ("that", "down"):
            lead, content = i, (i + 2, n)
        elif w[i] == "note" and i >= 2 and w[i - 2] in ("take", "make") and w[i - 1] == "a":
            lead = i - 2
            j = i + 1
            if j < n and w[j] in ("that", "of", "saying"):
                j += 1
            content = (j, n)
        elif w[i] in ("jot", "write") and i + 1 < n and w[i + 1] == "down":
            lead, content = i, (i + 2, n)
        elif w[i] == "remember" and i + 1 < n and w[i + 1] == "that":
            lead, content = i, (i + 2, n)
        elif k[i] in NOTE and i + 1 < n and k[i + 1] in _DO_HI:
            # "नोट करो कि X", "नोट कर लो X", "X नोट कर लो"
            j = i + 1
            while j < n and k[j] in _DO_HI:
                j += 1
            if j < n and k[j] in _NOTE_THAT_HI:
                lead, content = i, (j + 1, n)
            elif j < n:
                lead, content = i, (j, n)
            elif i > 0:
                lead, content = 0, (0, i)
        elif k[i] in keys("लिख likh".split()) and i + 1 < n and k[i + 1] in keys("लो lo".split()) \
                and i + 2 < n and k[i + 2] in _NOTE_THAT_HI:
            lead, content = i, (i + 3, n)
        elif k[i] in keys("याद yaad yad".split()) and i + 1 < n and k[i + 1] in keys(
                "रखना रखो रखिए rakhna rakho rakhiye".split()) and i + 2 < n \
                and k[i + 2] in _NOTE_THAT_HI:
            lead, content = i, (i + 3, n)
        if content is not None:
            break
    if content is None:
        return None
    if any(k[j] not in _FILLER and k[j] not in keys("take make हेलो".split())
           for j in range(lead)):
        return None                          # "why should I note that ..."
    body = [x for x in w[content[0]:content[1]]]
    while body and _key(body[-1]) in keys("please प्लीज़ vaani वाणी".split()):
        body.pop()
    while body and body[0] in ("that", ":"):
        body = body[1:]
    if not body or len(body) > 40 or all(_key(x) in _EMPTY for x in body):
        return None
    return NoteRequest("note", ListRef("notes", "notes", 0, 0),
                       text=" ".join(body).replace(" ,", ","))


def _items(w: Sequence[str], idx: list[int]) -> tuple[str, ...]:
    """Items said in a row: "milk", "milk, eggs and bread", "दूध और अंडे"."""
    words_ = [w[i] for i in idx]
    parts: list[list[str]] = [[]]
    for x in words_:
        if _key(x) in _SPLIT:
            parts.append([])
        else:
            parts[-1].append(x)
    parts = [p for p in parts if p]
    if len(parts) > 1 and any(len(p) > 4 for p in parts):
        parts = [[x for x in words_]]                 # one long item with "and" in it
    out = []
    for p in parts:
        while p and p[0] in ("some", "the"):
            p = p[1:]
        if len(p) == 2 and p[0] in ("a", "an"):          # "an apple"; "a dozen eggs" stays
            p = p[1:]
        if p:
            out.append(" ".join(p))
    return tuple(out)


def _segment(k: Sequence[str], a: int, b: int, skip: frozenset[str]) -> list[int]:
    """Indices in [a, b) with the little words at its edges dropped."""
    idx = list(range(a, b))
    while idx and k[idx[0]] in skip:
        idx = idx[1:]
    while idx and k[idx[-1]] in skip:
        idx = idx[:-1]
    return idx


_EDGE = keys("please to on onto into in from off of the my some को ko में mein से se "
             "भी bhi ज़रा zara".split())


def _add(w: Sequence[str], k: Sequence[str], ref: ListRef) -> NoteRequest | None:
    verbs = [i for i, x in enumerate(w) if x in _ADD_EN or k[i] in _ADD_HI]
    if not verbs:
        return None
    v = verbs[0]
    if v < ref.start:                      # English: "add X to my list" / "add to my list X"
        if w[v] == "write" and not (v + 1 < len(w) and w[v + 1] == "down"):
            pass
        idx = _segment(k, v + 1, ref.start, _EDGE)
        after = _segment(k, ref.end, len(w), _EDGE | keys("please".split()))
        if idx and after:
            return None
        idx = idx or after
        used = _span(v, v + 1) | _span(ref.start, ref.end) | set(idx) | _span(v + 1, ref.start)
        if idx and idx[0] >= ref.end:
            used |= _span(ref.end, len(w))
    else:                                  # Hindi: "[X को] लिस्ट में [X] जोड़ो"
        before = _segment(k, 0, ref.start, _EDGE | _FILLER_HI_LEAD)
        between = _segment(k, ref.end, v, _EDGE | _IN_HI)
        if before and between:
            return None
        idx = before or between
        used = _span(ref.start, ref.end) | set(idx) | _span(v, v + 1)
    if not idx or _rest(k, used, _FILLER | _IN_HI | _ADD_HI | _DO_HI):
        return None
    if any(k[i] in _QUESTION for i in idx):
        return None
    items = _items(w, idx)
    if any(all(_key(x) in _EMPTY for x in item.split()) for item in items):
        return None                        # "put it on my list": what "it" is, we don't know
    return NoteRequest("add", ref, items) if items else None


_FILLER_HI_LEAD = keys("मेरी मेरा मेरे meri mera mere please प्लीज़ vaani वाणी yaar yar bhai "
                       "यार भाई yo bro".split())


def _remove(w: Sequence[str], k: Sequence[str], ref: ListRef) -> NoteRequest | None:
    verbs = [i for i, x in enumerate(w) if x in _REMOVE_EN or k[i] in _REMOVE_HI]
    if not verbs:
        return None
    v = verbs[0]
    if v < ref.start:                      # "remove X from my list", "take X off my list"
        idx = _segment(k, v + 1, ref.start, _EDGE | keys("off".split()))
        used = _span(v, v + 1) | _span(ref.start, ref.end) | set(idx)
        tail = [i for i in range(ref.end, len(w)) if w[i] == "off"]     # "cross X off"
        if not idx and ref.end < len(w):
            idx = _segment(k, v + 1, len(w), _EDGE)
            idx = [i for i in idx if i not in _span(ref.start, ref.end)]
        used |= set(tail)
    else:                                  # "लिस्ट से X हटा दो", "X को लिस्ट से हटाओ"
        before = _segment(k, 0, ref.start, _EDGE | _FILLER_HI_LEAD)
        between = _segment(k, ref.end, v, _EDGE | _FROM_HI)
        if before and between:
            return None
        idx = before or between
        used = _span(ref.start, ref.end) | set(idx) | _span(v, v + 1)
    if not idx or _rest(k, used, _FILLER | _FROM_HI | _REMOVE_HI | _DO_HI):
        return None
    if any(k[i] in _ALL for i in idx) and all(k[i] in _ALL | _ITEM | _FILLER for i in idx):
        return NoteRequest("clear", ref)   # "सब हटा दो", "remove all items from my list"
    items = _items(w, idx)
    return NoteRequest("remove", ref, items) if items else None


def _remove_last(w: Sequence[str], k: Sequence[str], ref: ListRef) -> NoteRequest | None:
    """"delete the last note", "remove the last item from my list", "आख़िरी नोट हटा दो"."""
    if not any(x in _REMOVE_EN or k[i] in _REMOVE_HI for i, x in enumerate(w)):
        return None
    last = [i for i, x in enumerate(k) if x in _LAST]
    if not last:
        return None
    i = last[0]
    if not (i + 1 < len(k) and (k[i + 1] in NOTE | _ITEM)):
        return None
    used = {i, i + 1} | _span(ref.start, ref.end)
    if _rest(k, used, _FILLER | _FROM_HI | _REMOVE_HI | keys(_REMOVE_EN) | _DO_HI):
        return None
    target = ref if k[i + 1] not in NOTE or ref.key == "notes" else ListRef("notes", "notes",
                                                                              i, i + 2)
    return NoteRequest("remove_last", target)


def _clear(w: Sequence[str], k: Sequence[str], ref: ListRef) -> NoteRequest | None:
    """"clear my shopping list", "empty the list", "delete my shopping list", "delete all
    my notes", "शॉपिंग लिस्ट ख़ाली करो", "list saaf kar do"."""
    verbs = [i for i, x in enumerate(w) if x in _CLEAR_EN or k[i] in _CLEAR_HI
             or (x in ("delete", "erase", "remove") and (i + 1 == ref.start or any(
                 k[j] in _ALL for j in range(i + 1, ref.start))))]
    if not verbs:
        return None
    used = set(verbs) | _span(ref.start, ref.end)
    if _rest(k, used, _FILLER | _DO_HI | _ALL | keys("from".split())):
        return None
    return NoteRequest("clear", ref)


def _read(w: Sequence[str], k: Sequence[str], ref: ListRef) -> NoteRequest | None:
    """"what's on my list", "read my shopping list", "what are my notes", "what's my last
    note", "मेरी सूची में क्या है", "shopping list batao"."""
    outside = [i for i in range(len(w)) if not ref.start <= i < ref.end]
    asks = any(w[i] in _READ_EN or k[i] in _READ_HI for i in outside)
    determined = w[ref.start] in _DET_EN or k[ref.start] in _DET_HI
    mine = determined or bool(ref.name) or any(x in _LAST for x in k)
    if not asks and not (determined and len(w) == ref.end - ref.start):
        return None                       # "my shopping list" reads it; "Schindler's list" not
    if not mine:
        return None
    used = _span(ref.start, ref.end)
    if _rest(k, used, _FILLER | _READ_HI | _LAST | keys("क्या-क्या लिखा likha".split())):
        return None
    last = any(x in _LAST for x in k)
    return NoteRequest("read", ref, text="last" if last else "")


_WHICH_HI = keys("कौन कौनसी कौनसे कितनी kaun kon konsi kaunsi kitni".split())


def _lists(w: Sequence[str], k: Sequence[str]) -> NoteRequest | None:
    """"what lists do I have", "show my lists", "मेरी कौन कौन सी लिस्ट हैं", "meri kitni list
    hain"."""
    at = [i for i, x in enumerate(w) if x == "lists" or x in ("सूचियाँ", "सूचियां", "लिस्टें")
          or (k[i] in LIST and any(y in _WHICH_HI for y in k[:i]))]
    if not at:
        return None
    asks = any(w[i] in _READ_EN or k[i] in _READ_HI for i in range(len(w)) if i not in at)
    if not asks or _rest(k, set(at), _FILLER | _READ_HI | keys("सी si".split())):
        return None
    return NoteRequest("lists")


def yes(text: str) -> bool:
    w = note_words(text)
    return bool(w) and len(w) <= 5 and any(_key(x) in _YES for x in w) and \
        not any(_key(x) in _NO for x in w)


def no(text: str) -> bool:
    w = words(text)
    return bool(w) and len(w) <= 5 and any(_key(x) in _NO for x in w)
