"""Numbers, times and dates written the way people say them in Hindi, English and Hinglish.

Hindi number words below 100 are irregular (every one is its own word), so they are a
table; larger numbers use the Indian system (सौ, हज़ार, लाख, करोड़) and Indian digit
grouping (12,34,567). Times use the everyday fractions (सवा, साढ़े, पौने, डेढ़, ढाई).
"""

from __future__ import annotations

HI_0_99 = (
    "शून्य एक दो तीन चार पाँच छह सात आठ नौ "
    "दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस "
    "बीस इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस "
    "तीस इकतीस बत्तीस तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस "
    "चालीस इकतालीस बयालीस तैंतालीस चौवालीस पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास "
    "पचास इक्यावन बावन तिरेपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ "
    "साठ इकसठ बासठ तिरेसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर "
    "सत्तर इकहत्तर बहत्तर तिहत्तर चौहत्तर पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी "
    "अस्सी इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी अट्ठासी नवासी "
    "नब्बे इक्यानवे बानवे तिरानवे चौरानवे पचानवे छियानवे सत्तानवे अट्ठानवे निन्यानवे"
).split()
assert len(HI_0_99) == 100

# Romanised forms people type in Hinglish chats (one common spelling each).
HINGLISH_0_20 = (
    "zero ek do teen chaar paanch chhah saat aath nau das gyaarah baarah terah chaudah "
    "pandrah solah satrah athaarah unnees bees"
).split()
HINGLISH_TENS = {30: "tees", 40: "chaalees", 50: "pachaas", 60: "saath", 70: "sattar",
                 80: "assi", 90: "nabbe", 25: "pachchees", 45: "paintaalees", 15: "pandrah"}

EN_0_19 = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

HI_SCALE = [(10_000_000, "करोड़"), (100_000, "लाख"), (1000, "हज़ार"), (100, "सौ")]

DEVANAGARI_DIGITS = "०१२३४५६७८९"


def hindi_words(n: int) -> str:
    """``n`` (0 <= n < 10**11) in Hindi words, Indian system: 1234567 -> दस लाख ... ."""
    if n < 0:
        return "ऋण " + hindi_words(-n)
    if n < 100:
        return HI_0_99[n]
    parts = []
    for value, word in HI_SCALE:
        if n >= value:
            q, n = divmod(n, value)
            parts.append(f"{hindi_words(q)} {word}")
    if n:
        parts.append(HI_0_99[n])
    return " ".join(parts)


def english_words(n: int) -> str:
    """``n`` in English words, international system (thousand, million)."""
    if n < 0:
        return "minus " + english_words(-n)
    if n < 20:
        return EN_0_19[n]
    if n < 100:
        t, u = divmod(n, 10)
        return EN_TENS[t] + ("-" + EN_0_19[u] if u else "")
    for value, word in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"),
                        (100, "hundred")):
        if n >= value:
            q, r = divmod(n, value)
            head = f"{english_words(q)} {word}"
            if not r:
                return head
            sep = " and " if value == 100 else " "
            return head + sep + english_words(r)
    raise AssertionError(n)


def indian_grouping(n: int) -> str:
    """Digits grouped the Indian way: 12345678 -> '1,23,45,678'."""
    s = str(abs(n))
    if len(s) > 3:
        head, tail = s[:-3], s[-3:]
        groups = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        if head:
            groups.insert(0, head)
        s = ",".join(groups + [tail])
    return ("-" if n < 0 else "") + s


def western_grouping(n: int) -> str:
    return f"{n:,}"


def devanagari_digits(s: str | int) -> str:
    """'2024' -> '२०२४' (other characters unchanged)."""
    return "".join(DEVANAGARI_DIGITS[int(c)] if c.isdigit() else c for c in str(s))


def lakh_crore_en(n: int) -> str:
    """An amount the way Indian English says it: 2500000 -> '25 lakh', 54709504 ->
    'about 5.47 crore' (below a lakh: the grouped digits)."""
    for value, word in ((10_000_000, "crore"), (100_000, "lakh")):
        if n >= value:
            exact = n % (value // 100) == 0
            v = f"{n / value:.2f}".rstrip("0").rstrip(".")
            return f"{v} {word}" if exact else f"about {v} {word}"
    return indian_grouping(n)


# ----------------------------------------------------------------------------- time


def hindi_time(h: int, m: int) -> str:
    """A clock time as said in Hindi: 4:15 -> 'सवा चार बजे', 3:45 -> 'पौने चार बजे'."""
    h12 = h % 12 or 12
    nxt = h12 % 12 + 1
    if m == 0:
        return f"{HI_0_99[h12]} बजे"
    if m == 30:
        if h12 == 1:
            return "डेढ़ बजे"
        if h12 == 2:
            return "ढाई बजे"
        return f"साढ़े {HI_0_99[h12]} बजे"
    if m == 15:
        return f"सवा {HI_0_99[h12]} बजे"
    if m == 45:
        return f"पौने {HI_0_99[nxt]} बजे"
    if m < 30:
        return f"{HI_0_99[h12]} बजकर {HI_0_99[m]} मिनट"
    return f"{HI_0_99[nxt]} बजने में {HI_0_99[60 - m]} मिनट"


def hindi_day_part(h: int) -> str:
    """सुबह / दोपहर / शाम / रात for an hour of the day (0-23)."""
    if 4 <= h < 12:
        return "सुबह"
    if 12 <= h < 16:
        return "दोपहर"
    if 16 <= h < 20:
        return "शाम"
    return "रात"


def english_time(h: int, m: int) -> str:
    """'4:15 pm' style."""
    suffix = "am" if h < 12 else "pm"
    return f"{h % 12 or 12}:{m:02d} {suffix}"


def hinglish_time(h: int, m: int) -> str:
    """Romanised Hindi: 4:30 -> 'saadhe chaar baje', 7:05 -> '7 bajkar 5 minute'."""
    h12 = h % 12 or 12
    nxt = h12 % 12 + 1
    word = HINGLISH_0_20[h12]
    if m == 0:
        return f"{word} baje"
    if m == 30:
        return {1: "dedh baje", 2: "dhaai baje"}.get(h12, f"saadhe {word} baje")
    if m == 15:
        return f"sawa {word} baje"
    if m == 45:
        return f"paune {HINGLISH_0_20[nxt]} baje"
    return f"{h12} bajkar {m} minute"


def hinglish_day_part(h: int) -> str:
    return {"सुबह": "subah", "दोपहर": "dopahar", "शाम": "shaam", "रात": "raat"}[hindi_day_part(h)]
