"""How times, dates, years and amounts are said, in Hindi and English.

Shared by the text normaliser and by skills (the clock builds its reply from these), so the
assistant says "साढ़े चार बजे" the same way whether a plugin or the LLM wrote "4:30".
"""

from __future__ import annotations

from fractions import Fraction

from vaani.numwords import english_ordinal, english_words, hindi_words

HINDI_MONTHS = ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर",
                "अक्टूबर", "नवंबर", "दिसंबर")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")
HINDI_WEEKDAYS = ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार")
ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday")
# every way of writing a weekday that VAANI reads (Monday first): the English name, the
# Devanagari names in use, the romanised spellings (skills, the answer bench)
WEEKDAY_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("Monday", "सोमवार", "somvar", "somvaar", "somwar", "somwaar"),
    ("Tuesday", "मंगलवार", "mangalvar", "mangalvaar", "mangalwar", "mangalwaar"),
    ("Wednesday", "बुधवार", "budhvar", "budhvaar", "budhwar", "budhwaar"),
    ("Thursday", "गुरुवार", "बृहस्पतिवार", "वीरवार", "guruvar", "guruvaar", "guruwar",
     "guruwaar", "brihaspativar", "veervar", "virvar"),
    ("Friday", "शुक्रवार", "shukravar", "shukravaar", "shukrawar", "shukrawaar", "sukravar"),
    ("Saturday", "शनिवार", "shanivar", "shanivaar", "shaniwar", "shaniwaar"),
    ("Sunday", "रविवार", "इतवार", "ravivar", "ravivaar", "raviwar", "raviwaar", "itvar",
     "itvaar", "itwar", "itwaar", "etvar", "etwar"),
)


def hindi_day_period(hour: int) -> str:
    """The part of the day a 24-hour ``hour`` falls in, as Hindi speakers name it."""
    if 4 <= hour < 12:
        return "सुबह"
    if 12 <= hour < 16:
        return "दोपहर"
    if 16 <= hour < 20:
        return "शाम"
    return "रात"


def hindi_clock(hour: int, minute: int) -> str:
    """A clock time the way it is said: "साढ़े चार बजे", "पौने पाँच बजे", "डेढ़ बजे",
    "चार बजकर पैंतीस मिनट" (``hour`` 0-23, said on the 12-hour dial)."""
    h12 = hour % 12 or 12
    nxt = h12 % 12 + 1
    if minute == 0:
        return f"{hindi_words(h12)} बजे"
    if minute == 15:
        return f"सवा {hindi_words(h12)} बजे"
    if minute == 30:
        if h12 == 1:
            return "डेढ़ बजे"
        if h12 == 2:
            return "ढाई बजे"
        return f"साढ़े {hindi_words(h12)} बजे"
    if minute == 45:
        return f"पौने {hindi_words(nxt)} बजे"
    return f"{hindi_words(h12)} बजकर {hindi_words(minute)} मिनट"


def hindi_time(hour: int, minute: int, period: bool = True) -> str:
    """"शाम के चार बजकर पैंतीस मिनट": the clock time with the part of the day."""
    text = hindi_clock(hour, minute)
    return f"{hindi_day_period(hour)} के {text}" if period else text


def english_clock(hour: int, minute: int, ampm: str | None = None) -> str:
    """"four thirty-five P M", "ten o'clock", "ten oh five A M".

    ``ampm`` None: ``hour`` is 24-hour; P M is said from noon on and A M for the hour after
    midnight (16:35 -> "four thirty-five P M", 09:00 -> "nine o'clock"); "" never says it.
    """
    if ampm is None:
        ampm = "pm" if hour >= 12 else ("am" if hour == 0 else "")
    h12 = hour % 12 or 12
    if minute == 0:
        text = english_words(h12) + ("" if ampm else " o'clock")
    elif minute < 10:
        text = f"{english_words(h12)} oh {english_words(minute)}"
    else:
        text = f"{english_words(h12)} {english_words(minute)}"
    if ampm:
        text += " A M" if ampm.lower().startswith("a") else " P M"
    return text


def hindi_year(year: int) -> str:
    """1999 -> "उन्नीस सौ निन्यानवे" (as years are said), 2025 -> "दो हज़ार पच्चीस"."""
    if 1100 <= year <= 1999:
        high, low = divmod(year, 100)
        return f"{hindi_words(high)} सौ" + (f" {hindi_words(low)}" if low else "")
    return hindi_words(year)


def english_year(year: int) -> str:
    """1999 -> "nineteen ninety-nine", 2005 -> "two thousand five", 2025 -> "twenty twenty-five"."""
    if 2000 <= year <= 2009 or not 1100 <= year <= 2099:
        return english_words(year)
    high, low = divmod(year, 100)
    if low == 0:
        return f"{english_words(high)} hundred"
    if low < 10:
        return f"{english_words(high)} oh {english_words(low)}"
    return f"{english_words(high)} {english_words(low)}"


def hindi_date(day: int, month: int, year: int | None = None) -> str:
    """"पंद्रह अगस्त दो हज़ार पच्चीस" (Hindi says the day as a plain number)."""
    text = f"{hindi_words(day)} {HINDI_MONTHS[month - 1]}"
    return f"{text} {hindi_year(year)}" if year is not None else text


def english_date(day: int, month: int, year: int | None = None, month_first: bool = False) -> str:
    """"the fifteenth of August, twenty twenty-five" or ("August fifteenth, twenty twenty-five")."""
    if month_first:
        text = f"{ENGLISH_MONTHS[month - 1]} {english_ordinal(day)}"
    else:
        text = f"the {english_ordinal(day)} of {ENGLISH_MONTHS[month - 1]}"
    return f"{text}, {english_year(year)}" if year is not None else text


def hindi_rupees(amount: Fraction) -> str:
    """₹10.50 -> "दस रुपये पचास पैसे"; ₹1 -> "एक रुपया"."""
    rupees = int(amount)
    paise = round((amount - rupees) * 100)
    parts = []
    if rupees or not paise:
        parts.append(f"{hindi_words(rupees)} {'रुपया' if rupees == 1 else 'रुपये'}")
    if paise:
        parts.append(f"{hindi_words(paise)} पैसे")
    return " ".join(parts)


def english_rupees(amount: Fraction) -> str:
    """₹1,50,000 -> "one lakh fifty thousand rupees" (Indian grouping, as Indians say it)."""
    rupees = int(amount)
    paise = round((amount - rupees) * 100)
    parts = []
    if rupees or not paise:
        parts.append(f"{english_words(rupees, indian=True)} {'rupee' if rupees == 1 else 'rupees'}")
    if paise:
        parts.append(f"{english_words(paise)} paise")
    return " and ".join(parts)


def hindi_duration(seconds: float) -> str:
    """"डेढ़ घंटे", "ढाई मिनट", "एक घंटे तीस मिनट", "दस सेकंड" (oblique form, as in
    "… का टाइमर" and "… बाकी")."""
    seconds = max(1, int(round(seconds))) if seconds > 0 else 0
    for size, unit in ((3600, "घंटे"), (60, "मिनट")):
        if seconds == size * 3 // 2:
            return f"डेढ़ {unit}"
        if seconds == size * 5 // 2:
            return f"ढाई {unit}"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hindi_words(hours)} घंटे")
    if minutes:
        parts.append(f"{hindi_words(minutes)} मिनट")
    if secs or not parts:
        parts.append(f"{hindi_words(secs)} सेकंड")
    return " ".join(parts)


def english_duration(seconds: float, adjective: bool = False) -> str:
    """"1 hour 30 minutes", "45 seconds"; ``adjective``: "5 minute" (as in "5 minute timer").

    Digits, not words: replies are shown as well as spoken, and the normaliser says them.
    """
    seconds = max(1, int(round(seconds))) if seconds > 0 else 0
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts: list[str] = []
    for count, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")):
        if count or (unit == "second" and not parts):
            plural = "" if adjective or count == 1 else "s"
            parts.append(f"{count} {unit}{plural}")
    return " ".join(parts)
