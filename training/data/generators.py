"""Programmatic documents: assistant dialogues with tools, word problems, times, dates, facts.

Each generator is a function ``(rng, lang) -> Doc`` that writes one document in Devanagari
Hindi (``hi``), English (``en``) or romanised Hinglish (``hinglish``). A :class:`Doc` is
either running text or a chat (rendered with :mod:`training.chat`), plus a little metadata;
word problems carry their answer so tests can check every sum in the text.

Documents are a pure function of the ``random.Random`` passed in, so a corpus built from
``Random(f"{seed}:{i}")`` is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from typing import Any, Callable

from training import chat
from training.data import lexicon as L
from training.data import numbers as N

LANG_INDEX = {"hi": 0, "en": 1, "hinglish": 2}


@dataclass
class Doc:
    """One training document."""

    source: str                                  # e.g. "gen.tool_dialogue"
    lang: str                                    # hi | en | hinglish
    text: str | None = None                      # running text, or
    messages: list[dict[str, Any]] | None = None  # a conversation
    tools: list[dict[str, Any]] | None = None    # tools listed in the conversation
    meta: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        """The text the tokenizer sees (chats with special tokens, BOS not included)."""
        if self.messages is not None:
            return chat.render(self.messages, tools=self.tools, bos=False)
        return self.text or ""


def pick(rng: random.Random, lang: str, options: dict[str, list[str]]) -> str:
    return rng.choice(options[lang])


def _name(rng: random.Random, lang: str) -> str:
    n = rng.choice(L.NAMES)
    return n[0] if lang == "hi" else n[1]


def _two_names(rng: random.Random, lang: str) -> tuple[str, str]:
    a, b = rng.sample(L.NAMES, 2)
    i = 0 if lang == "hi" else 1
    return a[i], b[i]


def _num(rng: random.Random, lang: str, n: int, words_p: float = 0.25) -> str:
    """A number as digits, or (sometimes, when small) as a word."""
    if n <= 20 and rng.random() < words_p:
        if lang == "hi":
            return N.HI_0_99[n]
        if lang == "en":
            return N.EN_0_19[n] if n < 20 else "twenty"
        return N.HINGLISH_0_20[n]
    if lang == "hi" and rng.random() < 0.05:
        return N.devanagari_digits(n)
    return str(n)


# ----------------------------------------------------------------------------- system prompts

SYSTEM_PROMPTS = {
    "hi": ["आप वाणी हैं, एक मददगार ऑफ़लाइन वॉइस असिस्टेंट। छोटे और साफ़ जवाब दें।",
           "तुम वाणी हो। सवाल जिस भाषा में हो, उसी भाषा में एक-दो वाक्यों में जवाब दो।"],
    "en": ["You are VAANI, a friendly voice assistant that works offline. Keep answers short.",
           "You are a helpful assistant. Reply briefly and clearly."],
    "hinglish": ["Tum Vaani ho, ek helpful offline voice assistant. Chhote jawab do.",
                 "You are VAANI. User ki language mein hi short reply karo."],
}


def _system(rng: random.Random, lang: str) -> list[dict[str, str]]:
    r = rng.random()
    if r < 0.45:
        return [{"role": "system", "content": chat.DEFAULT_SYSTEM_PROMPT}]
    if r < 0.75:
        return [{"role": "system", "content": pick(rng, lang, SYSTEM_PROMPTS)}]
    return []


# ----------------------------------------------------------------------------- tools

def _tool(name: str, description: str, params: dict[str, str]) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object",
                       "properties": {k: {"type": t} for k, t in params.items()}}}}


TOOLS = {
    "clock": _tool("clock", "current local time and date", {}),
    "timer": _tool("timer", "start a countdown timer",
                   {"minutes": "integer", "seconds": "integer", "label": "string"}),
    "calculator": _tool("calculator", "evaluate an arithmetic expression",
                        {"expression": "string"}),
    "weather": _tool("weather", "weather for a city (from the last sync)", {"city": "string"}),
}


def _tools_for(rng: random.Random, needed: str) -> list[dict[str, Any]] | None:
    """Sometimes list the tools (always including the one used), sometimes not."""
    if rng.random() < 0.5:
        return None
    names = [n for n in TOOLS if n == needed or rng.random() < 0.6]
    rng.shuffle(names)
    return [TOOLS[n] for n in names]


def _call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": "", "tool_calls": [chat.tool_call(name, args)]}


def _result(obj: dict[str, Any]) -> dict[str, str]:
    return {"role": "tool", "content": json.dumps(obj, ensure_ascii=False)}


def _random_datetime(rng: random.Random) -> dt.datetime:
    base = dt.datetime(2024, 1, 1)
    return base + dt.timedelta(days=rng.randrange(900), minutes=rng.randrange(24 * 60))


def _hi_clock_sentence(h: int, m: int) -> str:
    part = N.hindi_day_part(h)
    t = N.hindi_time(h, m)
    if "बजने में" in t:
        return f"अभी {part} के {t} बाकी हैं।"
    if "बजकर" in t:
        return f"अभी {part} के {t} हुए हैं।"
    return f"अभी {part} के {t} हैं।"


def _date_text(d: dt.date, lang: str) -> str:
    wd = L.WEEKDAYS[d.weekday()]
    mo = L.MONTHS[d.month - 1]
    if lang == "hi":
        return f"{wd[0]}, {d.day} {mo[0]} {d.year}"
    if lang == "en":
        return f"{wd[1]}, {d.day} {mo[1]} {d.year}"
    return f"{wd[2]}, {d.day} {mo[1]} {d.year}"


def gen_clock(rng: random.Random, lang: str) -> Doc:
    now = _random_datetime(rng)
    h, m = now.hour, now.minute
    if rng.random() < 0.4:
        m = rng.choice([0, 15, 30, 45])
    ask_date = rng.random() < 0.3
    if ask_date:
        q = pick(rng, lang, {
            "hi": ["आज कौन सी तारीख है?", "आज क्या दिन है?", "आज की तारीख बताओ।",
                   "आज कौन सा वार है?", "तारीख क्या है आज?"],
            "en": ["What's the date today?", "What day is it today?", "Which date is it?",
                   "Tell me today's date.", "What is today?"],
            "hinglish": ["Aaj kya date hai?", "Aaj kaunsa din hai?", "Aaj ki date batao.",
                         "Date kya hai aaj?", "Aaj kya vaar hai?"]})
        d = _date_text(now.date(), lang)
        a = pick(rng, lang, {"hi": [f"आज {d} है।", f"आज की तारीख है {d}।"],
                             "en": [f"Today is {d}.", f"It's {d}."],
                             "hinglish": [f"Aaj {d} hai.", f"Aaj ki date hai {d}."]})
    else:
        q = pick(rng, lang, {
            "hi": ["अभी कितने बजे हैं?", "समय क्या हुआ है?", "टाइम बताओ।", "कितने बज गए?",
                   "वाणी, अभी क्या समय है?", "ज़रा समय बताना।"],
            "en": ["What time is it?", "What's the time?", "Tell me the time.",
                   "Do you know what time it is?", "VAANI, what time is it now?", "Time please."],
            "hinglish": ["Kitne baje hain?", "Time kya hua hai?", "Abhi kya time hai?",
                         "Time batao na.", "Vaani, kitne baj gaye?", "Zara time batana."]})
        if lang == "hi":
            a = _hi_clock_sentence(h, m) if rng.random() < 0.8 else \
                f"अभी {h % 12 or 12}:{m:02d} बजे हैं।"
        elif lang == "en":
            a = rng.choice([f"It's {N.english_time(h, m)}.", f"The time is {N.english_time(h, m)}."])
        else:
            a = rng.choice([f"Abhi {N.hinglish_day_part(h)} ke {N.hinglish_time(h, m)} hain.",
                            f"Abhi {N.english_time(h, m)} ho rahe hain."])
    result = {"time": f"{h:02d}:{m:02d}", "date": now.date().isoformat(),
              "weekday": L.WEEKDAYS[now.weekday()][1]}
    msgs = _system(rng, lang) + [{"role": "user", "content": q}, _call("clock", {}),
                                 _result(result), {"role": "assistant", "content": a}]
    return Doc("gen.tool.clock", lang, messages=msgs, tools=_tools_for(rng, "clock"))


def _duration_phrase(rng: random.Random, lang: str, minutes: int, seconds: int) -> str:
    if lang == "hi":
        if minutes == 90 and not seconds:
            return "डेढ़ घंटे"
        if minutes == 60 and not seconds:
            return "एक घंटे"
        if minutes and seconds:
            return f"{_num(rng, lang, minutes)} मिनट {_num(rng, lang, seconds)} सेकंड"
        return f"{_num(rng, lang, minutes)} मिनट" if minutes else f"{_num(rng, lang, seconds)} सेकंड"
    if lang == "en":
        parts = []
        if minutes:
            parts.append(f"{_num(rng, lang, minutes)} minute{'s' if minutes != 1 else ''}")
        if seconds:
            parts.append(f"{_num(rng, lang, seconds)} second{'s' if seconds != 1 else ''}")
        return " and ".join(parts)
    if minutes == 90 and not seconds:
        return "dedh ghante"
    parts = []
    if minutes:
        parts.append(f"{_num(rng, lang, minutes)} minute")
    if seconds:
        parts.append(f"{_num(rng, lang, seconds)} second")
    return " ".join(parts)


def gen_timer(rng: random.Random, lang: str) -> Doc:
    r = rng.random()
    if r < 0.6:
        minutes, seconds = rng.choice([1, 2, 3, 5, 5, 10, 10, 15, 20, 25, 30, 40, 45, 60, 90]), 0
    elif r < 0.8:
        minutes, seconds = 0, rng.choice([10, 15, 20, 30, 45, 50])
    else:
        minutes, seconds = rng.randint(1, 12), rng.choice([15, 30, 45])
    act = rng.choice(L.ACTIVITIES) if rng.random() < 0.5 else None
    dur = _duration_phrase(rng, lang, minutes, seconds)
    if lang == "hi":
        q = rng.choice([f"{dur} का टाइमर लगा दो।", f"{dur} का टाइमर सेट करो।",
                        f"मेरे लिए {dur} का टाइमर लगाओ।", f"{dur} बाद याद दिला देना।"])
        if act:
            obl = L.ACTIVITY_OBLIQUE_HI.get(act[0], act[0])
            q = rng.choice([f"{obl} के लिए {dur} का टाइमर लगा दो।",
                            f"{obl} का टाइमर लगाओ, {dur} का।"])
    elif lang == "en":
        q = rng.choice([f"Set a timer for {dur}.", f"Start a timer for {dur}.",
                        f"Can you set a timer for {dur}?", f"Remind me in {dur}."])
        if act:
            q = rng.choice([f"Set a timer for the {act[1]}, {dur}.",
                            f"Timer for {act[1]}, {dur} please."])
    else:
        q = rng.choice([f"{dur} ka timer laga do.", f"{dur} ka timer set karo.",
                        f"Mere liye {dur} ka timer lagao.", f"{dur} baad yaad dila dena."])
        if act:
            q = rng.choice([f"{act[2]} ke liye {dur} ka timer laga do.",
                            f"{act[2]} ka timer lagao, {dur} ka."])
    q = q[0].upper() + q[1:]
    args: dict[str, Any] = {}
    if minutes:
        args["minutes"] = minutes
    if seconds:
        args["seconds"] = seconds
    if act:
        args["label"] = act[LANG_INDEX[lang]]
    now = _random_datetime(rng)
    end = now + dt.timedelta(minutes=minutes, seconds=seconds)
    result = {"ok": True, "timer_id": rng.randint(1, 9), "ends_at": end.strftime("%H:%M:%S")}
    label = act[LANG_INDEX[lang]] if act else None
    a = {
        "hi": [f"ठीक है, {dur} का टाइमर लगा दिया है।", f"{dur} का टाइमर शुरू हो गया।",
               f"हो गया! {dur} बाद मैं बता दूँगी।"],
        "en": [f"Okay, your timer for {dur} is set.", f"Done, timer started for {dur}.",
               f"Timer set for {dur}. I'll let you know."],
        "hinglish": [f"Theek hai, {dur} ka timer laga diya hai.", f"{dur} ka timer start ho gaya.",
                     f"Ho gaya! {dur} baad bata dungi."]}
    ans = rng.choice(a[lang])
    if label and rng.random() < 0.6:
        ans = {"hi": f"ठीक है, {L.ACTIVITY_OBLIQUE_HI.get(label, label)} के लिए {dur} का टाइमर "
                     "लगा दिया है।",
               "en": f"Okay, the {label} timer is running for {dur}.",
               "hinglish": f"Theek hai, {label} ke liye {dur} ka timer laga diya."}[lang]
    msgs = _system(rng, lang) + [{"role": "user", "content": q}, _call("timer", args),
                                 _result(result), {"role": "assistant", "content": ans}]
    return Doc("gen.tool.timer", lang, messages=msgs, tools=_tools_for(rng, "timer"))


_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "/": lambda a, b: a / b}
_OP_WORDS = {
    "hi": {"+": "जोड़", "-": "घटा", "*": "गुणा", "/": "भाग"},
    "en": {"+": "plus", "-": "minus", "*": "times", "/": "divided by"},
    "hinglish": {"+": "plus", "-": "minus", "*": "into", "/": "divided by"},
}


def _fmt_result(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 2)


def gen_calculator(rng: random.Random, lang: str) -> Doc:
    op = rng.choice("+-*/")
    if op == "*":
        a, b = rng.randint(2, 999), rng.randint(2, 99)
    elif op == "/":
        b = rng.randint(2, 50)
        a = b * rng.randint(2, 500) if rng.random() < 0.8 else rng.randint(10, 5000)
    else:
        a, b = rng.randint(10, 99999), rng.randint(10, 9999)
        if op == "-" and b > a:
            a, b = b, a
    pct = op == "*" and rng.random() < 0.2
    if pct:
        a, b = rng.choice([5, 10, 12, 15, 18, 20, 25, 50]), rng.randint(1, 200) * 100
        expr = f"{b} * {a} / 100"
        value = _fmt_result(b * a / 100)
        q = pick(rng, lang, {"hi": [f"{b} का {a} प्रतिशत कितना है?", f"{b} का {a}% निकालो।"],
                             "en": [f"What is {a} percent of {b}?", f"{a}% of {b}?"],
                             "hinglish": [f"{b} ka {a} percent kitna hai?",
                                          f"{b} ka {a}% nikalo."]})
        ans = {"hi": f"{b} का {a} प्रतिशत {value} है।", "en": f"{a}% of {b} is {value}.",
               "hinglish": f"{b} ka {a} percent {value} hai."}[lang]
    else:
        expr = f"{a} {op} {b}"
        value = _fmt_result(_OPS[op](a, b))
        w = _OP_WORDS[lang][op]
        if lang == "hi":
            q = rng.choice([f"{a} {w} {b} कितना होता है?", f"{a} {op} {b} कितना है?",
                            f"ज़रा हिसाब लगाओ: {a} {w} {b}",
                            {"+": f"{a} और {b} का जोड़ बताओ।", "-": f"{a} में से {b} घटाओ।",
                             "*": f"{a} को {b} से गुणा करो।", "/": f"{a} को {b} से भाग दो।"}[op]])
            ans = rng.choice([f"{a} {w} {b} बराबर {value} होता है।", f"जवाब है {value}।"])
        elif lang == "en":
            q = rng.choice([f"What is {a} {w} {b}?", f"What's {a} {op} {b}?",
                            f"Calculate {a} {w} {b}.", f"Quick maths: {a} {op} {b}"])
            ans = rng.choice([f"{a} {w} {b} is {value}.", f"The answer is {value}."])
        else:
            q = rng.choice([f"{a} {w} {b} kitna hota hai?", f"{a} {op} {b} kitna hai?",
                            f"Zara calculate karo: {a} {w} {b}",
                            {"+": f"{a} aur {b} ka total batao.", "-": f"{a} mein se {b} ghatao.",
                             "*": f"{a} ko {b} se multiply karo.", "/": f"{a} ko {b} se divide karo."}[op]])
            ans = rng.choice([f"{a} {w} {b} = {value} hota hai.", f"Jawab hai {value}."])
    msgs = _system(rng, lang) + [{"role": "user", "content": q},
                                 _call("calculator", {"expression": expr}),
                                 _result({"result": value}), {"role": "assistant", "content": ans}]
    return Doc("gen.tool.calculator", lang, messages=msgs, tools=_tools_for(rng, "calculator"),
               meta={"expression": expr, "answer": value})


def gen_weather(rng: random.Random, lang: str) -> Doc:
    city = rng.choice(L.CITIES)
    cname = city[0] if lang == "hi" else city[1]
    w = rng.choice(L.WEATHER)
    temp = rng.randint(4, 44)
    hum = rng.randint(20, 95)
    q = pick(rng, lang, {
        "hi": [f"{cname} में मौसम कैसा है?", f"आज {cname} का मौसम बताओ।",
               f"क्या {cname} में बारिश हो रही है?", f"{cname} में कितनी गर्मी है?"],
        "en": [f"What's the weather in {cname}?", f"How is the weather in {cname} today?",
               f"Is it raining in {cname}?", f"How hot is it in {cname}?"],
        "hinglish": [f"{cname} mein mausam kaisa hai?", f"Aaj {cname} ka weather batao.",
                     f"Kya {cname} mein baarish ho rahi hai?", f"{cname} mein kitni garmi hai?"]})
    msgs = _system(rng, lang) + [{"role": "user", "content": q},
                                 _call("weather", {"city": city[1]})]
    if rng.random() < 0.07:
        msgs.append(_result({"error": "no weather data synced for this city"}))
        ans = {"hi": f"माफ़ कीजिए, {cname} के मौसम की जानकारी अभी मेरे पास नहीं है।",
               "en": f"Sorry, I don't have weather data for {cname} right now.",
               "hinglish": f"Sorry, {cname} ke weather ki jaankari abhi mere paas nahi hai."}[lang]
    else:
        msgs.append(_result({"city": city[1], "temp_c": temp, "condition": w[0],
                             "humidity": hum}))
        ans = {"hi": f"{cname} में अभी {temp} डिग्री तापमान है और {w[1]}।",
               "en": f"In {cname} it is {temp} degrees and {w[2]}.",
               "hinglish": f"{cname} mein abhi {temp} degree hai aur {w[3]}."}[lang]
    msgs.append({"role": "assistant", "content": ans})
    return Doc("gen.tool.weather", lang, messages=msgs, tools=_tools_for(rng, "weather"))


# ----------------------------------------------------------------------------- word problems

def _item(rng: random.Random) -> tuple[str, str, str, str]:
    return rng.choice(L.ITEMS)


def _hi_pl(item: str) -> str:
    return L.ITEM_PLURAL_HI.get(item, item)


def _hi_f(item: str) -> bool:
    return item in L.ITEM_FEMININE_HI


def _problem(rng: random.Random, lang: str) -> tuple[str, list[str], int, str]:
    """(question, solution steps, answer, kind). Every step is 'a op b = c', checkable."""
    kind = rng.choice(["add", "sub", "mul", "div", "money", "speed", "add3"])
    A, B = _two_names(rng, lang)
    it = _item(rng)
    it = (it[0], it[1], it[2], L.ITEM_PLURAL_HINGLISH.get(it[3], it[3]))
    hi_pl, f = _hi_pl(it[0]), _hi_f(it[0])
    kitne = "कितनी" if f else "कितने"
    if kind == "add":
        a, b = rng.randint(2, 60), rng.randint(2, 60)
        c = a + b
        q = {"hi": f"{A} के पास {a} {hi_pl} हैं। {B} ने {A} को {b} {hi_pl} और {'दीं' if f else 'दिए'}। "
                   f"अब {A} के पास {kitne} {hi_pl} हैं?",
             "en": f"{A} has {a} {it[2]}. {B} gives {A} {b} more. How many {it[2]} does {A} have now?",
             "hinglish": f"{A} ke paas {a} {it[3]} hain. {B} ne {A} ko {b} {it[3]} aur diye. "
                         f"Ab {A} ke paas kitne {it[3]} hain?"}[lang]
        steps = [f"{a} + {b} = {c}"]
    elif kind == "add3":
        a, b, d = rng.randint(2, 40), rng.randint(2, 40), rng.randint(2, 40)
        c = a + b + d
        q = {"hi": f"एक दुकान में सोमवार को {a}, मंगलवार को {b} और बुधवार को {d} {hi_pl} बिके। "
                   f"तीन दिनों में कुल {kitne} {hi_pl} बिके?",
             "en": f"A shop sold {a} {it[2]} on Monday, {b} on Tuesday and {d} on Wednesday. "
                   f"How many {it[2]} did it sell in the three days?",
             "hinglish": f"Ek dukaan ne Monday ko {a}, Tuesday ko {b} aur Wednesday ko {d} {it[3]} beche. "
                         f"Teen din mein total kitne {it[3]} bike?"}[lang]
        steps = [f"{a} + {b} = {a + b}", f"{a + b} + {d} = {c}"]
    elif kind == "sub":
        a = rng.randint(10, 90)
        b = rng.randint(2, a - 1)
        c = a - b
        q = {"hi": f"{A} के पास {a} {hi_pl} {'थीं' if f else 'थे'}। उसने {b} {hi_pl} {B} को दे "
                   f"{'दीं' if f else 'दिए'}। अब {A} के पास {kitne} {hi_pl} {'बचीं' if f else 'बचे'}?",
             "en": f"{A} had {a} {it[2]} and gave {b} of them to {B}. How many {it[2]} are left?",
             "hinglish": f"{A} ke paas {a} {it[3]} the. Usne {b} {it[3]} {B} ko de diye. "
                         f"Ab kitne {it[3]} bache?"}[lang]
        steps = [f"{a} - {b} = {c}"]
    elif kind == "mul":
        a, b = rng.randint(2, 25), rng.randint(2, 24)
        c = a * b
        q = {"hi": f"एक डिब्बे में {b} {hi_pl} हैं। ऐसे {a} डिब्बों में कुल {kitne} {hi_pl} "
                   f"{'होंगी' if f else 'होंगे'}?",
             "en": f"One box holds {b} {it[2]}. How many {it[2]} are there in {a} such boxes?",
             "hinglish": f"Ek dabbe mein {b} {it[3]} hain. Aise {a} dabbon mein total kitne "
                         f"{it[3]} honge?"}[lang]
        steps = [f"{a} × {b} = {c}"]
    elif kind == "div":
        b, c = rng.randint(2, 12), rng.randint(2, 20)
        a = b * c
        q = {"hi": f"{a} {L.ITEM_OBLIQUE_PLURAL_HI[it[0]]} को {b} बच्चों में बराबर-बराबर बाँटना है। हर बच्चे को {kitne} "
                   f"{hi_pl} {'मिलेंगी' if f else 'मिलेंगे'}?",
             "en": f"{a} {it[2]} are shared equally among {b} children. How many does each child get?",
             "hinglish": f"{a} {it[3]} ko {b} bachchon mein barabar baantna hai. Har bachche ko "
                         f"kitne {it[3]} milenge?"}[lang]
        steps = [f"{a} ÷ {b} = {c}"]
    elif kind == "money":
        qty, price = rng.randint(2, 12), rng.choice([5, 8, 10, 12, 15, 20, 25, 30, 40, 45, 50])
        cost = qty * price
        note = next(n for n in (50, 100, 200, 500, 2000) if n >= cost)
        c = note - cost
        q = {"hi": f"{A} ने {qty} {hi_pl} {'खरीदीं' if f else 'खरीदे'}। एक का दाम ₹{price} है। "
                   f"उसने दुकानदार को ₹{note} का नोट दिया। उसे कितने रुपये वापस मिलेंगे?",
             "en": f"{A} buys {qty} {it[2]} at ₹{price} each and pays with a ₹{note} note. "
                   f"How much change does {A} get?",
             "hinglish": f"{A} ne {qty} {it[3]} khareede, ek ka daam ₹{price} hai. Usne ₹{note} ka "
                         f"note diya. Kitne paise wapas milenge?"}[lang]
        steps = [f"{qty} × {price} = {cost}", f"{note} - {cost} = {c}"]
    else:  # speed
        v, t = rng.choice([30, 40, 45, 50, 60, 72, 80, 90]), rng.randint(2, 9)
        c = v * t
        q = {"hi": f"एक रेलगाड़ी {v} किलोमीटर प्रति घंटे की रफ़्तार से {t} घंटे चलती है। "
                   f"वह कितनी दूरी तय करती है?",
             "en": f"A train runs at {v} km per hour for {t} hours. How far does it travel?",
             "hinglish": f"Ek train {v} km per hour ki speed se {t} ghante chalti hai. "
                         f"Kitni doori tay karti hai?"}[lang]
        steps = [f"{v} × {t} = {c}"]
    return q, steps, c, kind


ANSWER_WORD = {"hi": "उत्तर", "en": "Answer", "hinglish": "Jawab"}
SOLUTION_WORD = {"hi": "हल", "en": "Solution", "hinglish": "Hal"}


def gen_word_problem(rng: random.Random, lang: str) -> Doc:
    q, steps, ans, kind = _problem(rng, lang)
    body = "\n".join(steps)
    solution = f"{SOLUTION_WORD[lang]}:\n{body}\n{ANSWER_WORD[lang]}: {ans}"
    meta = {"answer": ans, "steps": steps, "kind": kind}
    if rng.random() < 0.5:
        prefix = {"hi": "प्रश्न", "en": "Question", "hinglish": "Sawaal"}[lang]
        return Doc("gen.word_problem", lang, text=f"{prefix}: {q}\n{solution}", meta=meta)
    msgs = _system(rng, lang) + [{"role": "user", "content": q},
                                 {"role": "assistant", "content": solution}]
    return Doc("gen.word_problem", lang, messages=msgs, meta=meta)


# ----------------------------------------------------------------------------- numbers, times, dates

def gen_numbers(rng: random.Random, lang: str) -> Doc:
    lines = []
    for _ in range(rng.randint(3, 7)):
        mag = rng.choice([2, 3, 4, 5, 6, 7, 8])
        n = rng.randint(10 ** (mag - 1), 10 ** mag - 1)
        if rng.random() < 0.4:
            n = round(n, -(mag - 2)) or n
        g = N.indian_grouping(n)
        k = rng.random()
        if lang == "hi":
            if k < 0.6:
                lines.append(f"{g} को शब्दों में लिखते हैं: {N.hindi_words(n)}।")
            elif k < 0.8:
                lines.append(f"{N.hindi_words(n)} = {g}")
            else:
                lines.append(f"{g} को देवनागरी अंकों में {N.devanagari_digits(g)} लिखते हैं।")
        elif lang == "en":
            if k < 0.5 or n < 100_000:
                lines.append(f"{N.western_grouping(n)} is written as {N.english_words(n)}.")
            else:
                lines.append(f"In the Indian system, {N.western_grouping(n)} is written "
                             f"{g}, that is {N.lakh_crore_en(n)}.")
        else:
            n = max(n, rng.randint(1, 99) * 100_000)
            lines.append(f"{N.indian_grouping(n)} ko Indian system mein {N.lakh_crore_en(n)} "
                         "bolte hain.")
    if rng.random() < 0.5:
        lines.append({"hi": "एक लाख में सौ हज़ार होते हैं और एक करोड़ में सौ लाख।",
                      "en": "One lakh is a hundred thousand, and one crore is ten million.",
                      "hinglish": "Ek lakh mein 100 hazaar hote hain aur ek crore mein 100 lakh."
                      }[lang])
    rng.shuffle(lines)
    return Doc("gen.numbers", lang, text="\n".join(lines))


def gen_times(rng: random.Random, lang: str) -> Doc:
    lines = []
    for _ in range(rng.randint(3, 6)):
        h, m = rng.randrange(24), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50, 55])
        if lang == "hi":
            lines.append(rng.choice([
                f"{h % 12 or 12}:{m:02d} को हम {N.hindi_day_part(h)} के {N.hindi_time(h, m)} कहते हैं।",
                f"घड़ी में {h:02d}:{m:02d} का मतलब है {N.hindi_day_part(h)} के {N.hindi_time(h, m)}।"]))
        elif lang == "en":
            lines.append(f"{h:02d}:{m:02d} on a 24-hour clock is {N.english_time(h, m)}.")
        else:
            lines.append(f"{h % 12 or 12}:{m:02d} matlab {N.hinglish_day_part(h)} ke "
                         f"{N.hinglish_time(h, m)}.")
    # durations with checkable sums
    a, b = rng.randint(1, 5), rng.choice([10, 15, 20, 30, 45])
    total = a * 60 + b
    lines.append({"hi": f"{a} घंटे {b} मिनट = {a} × 60 + {b} = {total} मिनट।",
                  "en": f"{a} hours {b} minutes = {a} × 60 + {b} = {total} minutes.",
                  "hinglish": f"{a} ghante {b} minute = {a} × 60 + {b} = {total} minute."}[lang])
    if rng.random() < 0.5:
        lines.append({"hi": "डेढ़ घंटा यानी 90 मिनट, और ढाई घंटे यानी 150 मिनट।",
                      "en": "An hour and a half is 90 minutes; two and a half hours is 150 minutes.",
                      "hinglish": "Dedh ghanta matlab 90 minute, aur dhaai ghante matlab 150 minute."
                      }[lang])
    return Doc("gen.times", lang, text="\n".join(lines))


def gen_dates(rng: random.Random, lang: str) -> Doc:
    d = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(3650))
    k = rng.randint(1, 60)
    e = d + dt.timedelta(days=k)
    lines = {
        "hi": [f"{d.day} {L.MONTHS[d.month - 1][0]} {d.year} को {L.WEEKDAYS[d.weekday()][0]} था।",
               f"{d.day} {L.MONTHS[d.month - 1][0]} से {k} दिन बाद {_date_text(e, 'hi')} होगा।",
               f"{d.year} में {'366' if d.year % 4 == 0 else '365'} दिन हैं।"],
        "en": [f"{d.day} {L.MONTHS[d.month - 1][1]} {d.year} was a {L.WEEKDAYS[d.weekday()][1]}.",
               f"{k} days after {d.day} {L.MONTHS[d.month - 1][1]} is {_date_text(e, 'en')}.",
               f"The year {d.year} has {'366' if d.year % 4 == 0 else '365'} days."],
        "hinglish": [f"{d.day} {L.MONTHS[d.month - 1][1]} {d.year} ko {L.WEEKDAYS[d.weekday()][2]} tha.",
                     f"{d.day} {L.MONTHS[d.month - 1][1]} se {k} din baad {_date_text(e, 'hinglish')} hoga.",
                     f"{d.year} mein {'366' if d.year % 4 == 0 else '365'} din hain."],
    }[lang]
    rng.shuffle(lines)
    return Doc("gen.dates", lang, text=" ".join(lines[: rng.randint(2, 3)]))


# ----------------------------------------------------------------------------- facts

FACTS = [
    ("भारत की राजधानी नई दिल्ली है।", "The capital of India is New Delhi.",
     "India ki capital New Delhi hai."),
    ("हिंदी देवनागरी लिपि में लिखी जाती है।", "Hindi is written in the Devanagari script.",
     "Hindi Devanagari script mein likhi jaati hai."),
    ("एक हफ़्ते में सात दिन होते हैं।", "A week has seven days.", "Ek hafte mein saat din hote hain."),
    ("एक साल में बारह महीने होते हैं।", "A year has twelve months.",
     "Ek saal mein barah mahine hote hain."),
    ("एक घंटे में साठ मिनट होते हैं।", "An hour has sixty minutes.",
     "Ek ghante mein saath minute hote hain."),
    ("एक मिनट में साठ सेकंड होते हैं।", "A minute has sixty seconds.",
     "Ek minute mein saath second hote hain."),
    ("एक दिन में चौबीस घंटे होते हैं।", "A day has twenty-four hours.",
     "Ek din mein chaubees ghante hote hain."),
    ("समुद्र तल पर पानी 100 डिग्री सेल्सियस पर उबलता है।",
     "At sea level, water boils at 100 degrees Celsius.",
     "Sea level par paani 100 degree Celsius par ubalta hai."),
    ("पानी 0 डिग्री सेल्सियस पर जम जाता है।", "Water freezes at 0 degrees Celsius.",
     "Paani 0 degree Celsius par jam jaata hai."),
    ("पृथ्वी सूरज के चारों ओर घूमती है।", "The Earth goes around the Sun.",
     "Prithvi suraj ke chaaron taraf ghoomti hai."),
    ("सूरज पूर्व में उगता है और पश्चिम में डूबता है।", "The Sun rises in the east and sets in the west.",
     "Suraj poorab mein ugta hai aur pashchim mein doobta hai."),
    ("चाँद पृथ्वी का चक्कर लगाता है।", "The Moon orbits the Earth.",
     "Chaand prithvi ka chakkar lagaata hai."),
    ("गंगा भारत की सबसे लंबी नदी है।", "The Ganga is the longest river in India.",
     "Ganga India ki sabse lambi nadi hai."),
    ("माउंट एवरेस्ट दुनिया की सबसे ऊँची चोटी है।", "Mount Everest is the highest mountain in the world.",
     "Mount Everest duniya ki sabse oonchi choti hai."),
    ("भारत 15 अगस्त 1947 को आज़ाद हुआ।", "India became independent on 15 August 1947.",
     "India 15 August 1947 ko azaad hua."),
    ("26 जनवरी को गणतंत्र दिवस मनाया जाता है।", "Republic Day is celebrated on 26 January.",
     "26 January ko Republic Day manaaya jaata hai."),
    ("बाघ भारत का राष्ट्रीय पशु है।", "The tiger is India's national animal.",
     "Baagh India ka national animal hai."),
    ("मोर भारत का राष्ट्रीय पक्षी है।", "The peacock is India's national bird.",
     "Mor India ka national bird hai."),
    ("कमल भारत का राष्ट्रीय फूल है।", "The lotus is India's national flower.",
     "Kamal India ka national flower hai."),
    ("भारत की मुद्रा रुपया है।", "India's currency is the rupee.", "India ki currency rupaya hai."),
    ("ताजमहल आगरा में है।", "The Taj Mahal is in Agra.", "Taj Mahal Agra mein hai."),
    ("लाल किला दिल्ली में है।", "The Red Fort is in Delhi.", "Laal Qila Delhi mein hai."),
    ("गेटवे ऑफ़ इंडिया मुंबई में है।", "The Gateway of India is in Mumbai.",
     "Gateway of India Mumbai mein hai."),
    ("पौधे धूप से अपना भोजन बनाते हैं।", "Plants make their food using sunlight.",
     "Paudhe dhoop se apna khaana banaate hain."),
    ("दिल पूरे शरीर में खून पहुँचाता है।", "The heart pumps blood through the body.",
     "Dil poore shareer mein khoon pahunchaata hai."),
    ("एक किलोमीटर में 1000 मीटर होते हैं।", "One kilometre is 1000 metres.",
     "Ek kilometre mein 1000 metre hote hain."),
    ("एक किलोग्राम में 1000 ग्राम होते हैं।", "One kilogram is 1000 grams.",
     "Ek kilo mein 1000 gram hote hain."),
    ("रोशनी आवाज़ से कहीं ज़्यादा तेज़ चलती है।", "Light travels much faster than sound.",
     "Roshni awaaz se kahin zyada tez chalti hai."),
    ("हिमालय भारत के उत्तर में है।", "The Himalayas are in the north of India.",
     "Himalaya India ke north mein hai."),
    ("इंद्रधनुष में सात रंग होते हैं।", "A rainbow has seven colours.",
     "Rainbow mein saat rang hote hain."),
    ("मधुमक्खियाँ फूलों से शहद बनाती हैं।", "Bees make honey from flowers.",
     "Madhumakkhiyaan phoolon se shahad banaati hain."),
    ("शतरंज की बिसात पर 64 खाने होते हैं।", "A chessboard has 64 squares.",
     "Chess board par 64 khaane hote hain."),
    ("क्रिकेट की एक टीम में ग्यारह खिलाड़ी होते हैं।", "A cricket team has eleven players.",
     "Cricket team mein gyaarah khiladi hote hain."),
    ("सौरमंडल में आठ ग्रह हैं।", "There are eight planets in the solar system.",
     "Solar system mein aath grah hain."),
    ("हम साँस में ऑक्सीजन लेते हैं।", "We breathe in oxygen.", "Hum saans mein oxygen lete hain."),
    ("दीवाली रोशनी का त्योहार है।", "Diwali is the festival of lights.",
     "Diwali roshni ka tyohaar hai."),
    ("होली रंगों का त्योहार है।", "Holi is the festival of colours.", "Holi rangon ka tyohaar hai."),
    ("एक दर्जन में बारह चीज़ें होती हैं।", "A dozen means twelve things.",
     "Ek darjan mein baarah cheezein hoti hain."),
    ("त्रिभुज की तीन भुजाएँ होती हैं।", "A triangle has three sides.",
     "Triangle ki teen bhujaayein hoti hain."),
    ("वर्ग की चारों भुजाएँ बराबर होती हैं।", "All four sides of a square are equal.",
     "Square ki chaaron sides barabar hoti hain."),
]

_FACT_QA = {
    "hi": ["क्या तुम मुझे कोई रोचक बात बताओगी?", "कोई एक तथ्य बताओ।", "कुछ नया बताओ।"],
    "en": ["Tell me a fact.", "Tell me something interesting.", "Teach me something new."],
    "hinglish": ["Koi interesting fact batao.", "Kuch naya batao.", "Ek fact sunao."],
}


def gen_facts(rng: random.Random, lang: str) -> Doc:
    i = LANG_INDEX[lang]
    picked = rng.sample(FACTS, rng.randint(2, 5))
    if rng.random() < 0.5:
        return Doc("gen.facts", lang, text=" ".join(f[i] for f in picked))
    msgs = _system(rng, lang) + [{"role": "user", "content": pick(rng, lang, _FACT_QA)},
                                 {"role": "assistant", "content": picked[0][i]}]
    if rng.random() < 0.5:
        msgs += [{"role": "user", "content": {"hi": "एक और बताओ।", "en": "One more.",
                                              "hinglish": "Ek aur batao."}[lang]},
                 {"role": "assistant", "content": picked[1][i]}]
    return Doc("gen.facts", lang, messages=msgs)


# ----------------------------------------------------------------------------- small talk

_SMALL_TALK = {
    "hi": [
        ("आप कैसी हैं?", ["मैं ठीक हूँ, धन्यवाद! बताइए, मैं आपकी क्या मदद करूँ?",
                          "बिल्कुल ठीक! आप सुनाइए, क्या मदद चाहिए?"]),
        ("तुम्हारा नाम क्या है?", ["मेरा नाम वाणी है। मैं आपकी वॉइस असिस्टेंट हूँ।"]),
        ("तुम क्या-क्या कर सकती हो?", ["मैं समय और तारीख बता सकती हूँ, टाइमर लगा सकती हूँ, "
                                     "हिसाब कर सकती हूँ और मौसम बता सकती हूँ।"]),
        ("धन्यवाद!", ["आपका स्वागत है!", "कोई बात नहीं, खुशी हुई।"]),
        ("शुभ रात्रि।", ["शुभ रात्रि! अच्छी नींद लीजिए।"]),
        ("क्या तुम्हें इंटरनेट चाहिए?", ["नहीं, मैं पूरी तरह ऑफ़लाइन काम करती हूँ।"]),
        ("मुझे एक चुटकुला सुनाओ।", ["टीचर: बताओ, पेड़ से फल क्यों गिरता है? छात्र: क्योंकि उसे "
                                   "पकड़ने वाला कोई नहीं होता!"]),
        ("मैं बोर हो रहा हूँ।", ["कोई किताब पढ़िए, थोड़ा टहल आइए, या मुझसे कोई पहेली पूछिए!"]),
    ],
    "en": [
        ("How are you?", ["I'm fine, thank you! How can I help you?",
                          "Doing well! What can I do for you?"]),
        ("What's your name?", ["My name is VAANI. I'm your voice assistant."]),
        ("What can you do?", ["I can tell the time and date, set timers, do calculations and "
                              "tell you the weather."]),
        ("Thank you!", ["You're welcome!", "Happy to help."]),
        ("Good night.", ["Good night! Sleep well."]),
        ("Do you need the internet?", ["No, I work completely offline."]),
        ("Tell me a joke.", ["Why did the computer go to the doctor? It had a virus!"]),
        ("I'm bored.", ["How about reading a book, taking a short walk, or asking me a riddle?"]),
    ],
    "hinglish": [
        ("Kaisi ho?", ["Main theek hoon, thank you! Batao, kya help chahiye?",
                       "Ekdum badhiya! Aap batao, kya madad karoon?"]),
        ("Tumhara naam kya hai?", ["Mera naam Vaani hai. Main aapki voice assistant hoon."]),
        ("Tum kya kya kar sakti ho?", ["Main time aur date bata sakti hoon, timer laga sakti hoon, "
                                       "calculation kar sakti hoon aur mausam bata sakti hoon."]),
        ("Thank you!", ["Welcome ji!", "Koi baat nahi, khushi hui."]),
        ("Good night.", ["Good night! Achhi neend lo."]),
        ("Kya tumhe internet chahiye?", ["Nahi, main poori tarah offline kaam karti hoon."]),
        ("Ek joke sunao.", ["Teacher: Homework kyun nahi kiya? Student: Sir, light chali gayi thi, "
                            "aur mera dimaag bhi!"]),
        ("Main bore ho raha hoon.", ["Koi book padho, thoda walk kar lo, ya mujhse koi paheli "
                                     "poochho!"]),
    ],
}


def gen_small_talk(rng: random.Random, lang: str) -> Doc:
    g = rng.choice(L.GREETINGS[lang])
    reply = {"hi": f"{g}! मैं वाणी हूँ। बताइए, मैं आपकी क्या मदद कर सकती हूँ?",
             "en": f"{g}! I'm VAANI. How can I help you today?",
             "hinglish": f"{g}! Main Vaani hoon. Batao, kya help karoon?"}[lang]
    msgs = _system(rng, lang)
    if rng.random() < 0.6:
        name = _name(rng, lang)
        msgs += [{"role": "user", "content": {"hi": f"{g} वाणी, मैं {name} हूँ।",
                                              "en": f"{g} VAANI, I'm {name}.",
                                              "hinglish": f"{g} Vaani, main {name} hoon."}[lang]},
                 {"role": "assistant", "content": {"hi": f"{g} {name} जी! आपसे मिलकर खुशी हुई।",
                                                   "en": f"{g} {name}! Nice to meet you.",
                                                   "hinglish": f"{g} {name}! Aapse milke khushi hui."
                                                   }[lang]}]
    else:
        msgs += [{"role": "user", "content": g}, {"role": "assistant", "content": reply}]
    for q, answers in rng.sample(_SMALL_TALK[lang], rng.randint(1, 3)):
        msgs += [{"role": "user", "content": q}, {"role": "assistant", "content": rng.choice(answers)}]
    return Doc("gen.small_talk", lang, messages=msgs)


def gen_multi_tool(rng: random.Random, lang: str) -> Doc:
    """Two requests in one conversation (tool, then another), as real sessions go."""
    first = rng.choice([gen_clock, gen_timer, gen_weather, gen_calculator])(rng, lang)
    second = rng.choice([gen_clock, gen_timer, gen_weather, gen_calculator])(rng, lang)
    msgs = (first.messages or []) + [m for m in (second.messages or []) if m["role"] != "system"]
    tools = first.tools or second.tools
    return Doc("gen.tool.multi", lang, messages=msgs, tools=tools)


# ----------------------------------------------------------------------------- drills

_TABLE_WORDS = ["एकम", "दूनी", "तिया", "चौके", "पंजे", "छक्के", "सत्ते", "अट्ठे", "नवां", "दहाई"]


def gen_table(rng: random.Random, lang: str) -> Doc:
    """A multiplication table (पहाड़ा), as children recite it; every line is checkable."""
    n = rng.randint(2, 20)
    upto = 10
    head = {"hi": f"{n} का पहाड़ा:", "en": f"The {n} times table:",
            "hinglish": f"{n} ka pahaada:"}[lang]
    lines = [f"{n} × {k} = {n * k}" for k in range(1, upto + 1)]
    if lang == "hi" and rng.random() < 0.5:      # recited: "दो एकम दो, दो दूनी चार, ..."
        lines = [f"{N.HI_0_99[n]} {_TABLE_WORDS[k - 1]} {N.hindi_words(n * k)}"
                 for k in range(1, upto + 1)]
    return Doc("gen.table", lang, text="\n".join([head, *lines]), meta={"n": n})


def gen_weekday_math(rng: random.Random, lang: str) -> Doc:
    """'Today is Monday; what day is it in 10 days?' with the counting shown."""
    d0, k = rng.randrange(7), rng.randint(1, 30)
    d1 = (d0 + k) % 7
    w0, w1 = L.WEEKDAYS[d0], L.WEEKDAYS[d1]
    i = LANG_INDEX[lang]
    q = {"hi": f"आज {w0[0]} है। {k} दिन बाद कौन सा दिन होगा?",
         "en": f"Today is {w0[1]}. What day will it be in {k} days?",
         "hinglish": f"Aaj {w0[2]} hai. {k} din baad kaunsa din hoga?"}[lang]
    r = k % 7
    step = f"{k // 7} × 7 + {r} = {k}" if k >= 7 else f"{k} < 7"
    a = {"hi": f"हफ़्ते में 7 दिन होते हैं। {step}, इसलिए {r} दिन आगे गिनें। "
               f"{ANSWER_WORD['hi']}: {w1[0]}",
         "en": f"A week has 7 days. {step}, so count {r} day{'' if r == 1 else 's'} forward. "
               f"{ANSWER_WORD['en']}: {w1[1]}",
         "hinglish": f"Hafte mein 7 din hote hain. {step}, to {r} din aage gino. "
                     f"{ANSWER_WORD['hinglish']}: {w1[2]}"}[lang]
    msgs = _system(rng, lang) + [{"role": "user", "content": q},
                                 {"role": "assistant", "content": a}]
    return Doc("gen.weekday_math", lang, messages=msgs,
               meta={"start": d0, "days": k, "answer": w1[i]})


_UNITS = [
    # (factor, (hi big, hi small), (en big, en small), (hinglish big, hinglish small))
    (1000, ("किलोमीटर", "मीटर"), ("kilometres", "metres"), ("kilometre", "metre")),
    (1000, ("किलोग्राम", "ग्राम"), ("kilograms", "grams"), ("kilo", "gram")),
    (60, ("घंटे", "मिनट"), ("hours", "minutes"), ("ghante", "minute")),
    (60, ("मिनट", "सेकंड"), ("minutes", "seconds"), ("minute", "second")),
    (100, ("मीटर", "सेंटीमीटर"), ("metres", "centimetres"), ("metre", "centimetre")),
    (1000, ("लीटर", "मिलीलीटर"), ("litres", "millilitres"), ("litre", "ml")),
    (100, ("रुपये", "पैसे"), ("rupees", "paise"), ("rupaye", "paise")),
    (12, ("दर्जन", "चीज़ें"), ("dozen", "things"), ("darjan", "cheezein")),
    (7, ("हफ़्ते", "दिन"), ("weeks", "days"), ("hafte", "din")),
]


def gen_units(rng: random.Random, lang: str) -> Doc:
    """Unit conversions with the multiplication shown (checkable)."""
    lines = []
    for _ in range(rng.randint(2, 4)):
        f, hi, en, hg = rng.choice(_UNITS)
        big, small = {"hi": hi, "en": en, "hinglish": hg}[lang]
        n = rng.randint(2, 25)
        lines.append(f"{n} {big} = {n} × {f} = {n * f} {small}")
    if rng.random() < 0.5:
        c = rng.choice([0, 10, 20, 25, 30, 35, 40, 100])
        f_ = c * 9 // 5 + 32
        lines.append({"hi": f"{c} डिग्री सेल्सियस = {f_} डिग्री फ़ारेनहाइट",
                      "en": f"{c} degrees Celsius = {f_} degrees Fahrenheit",
                      "hinglish": f"{c} degree Celsius = {f_} degree Fahrenheit"}[lang])
    return Doc("gen.units", lang, text="\n".join(lines))


def gen_compare(rng: random.Random, lang: str) -> Doc:
    """Which number is bigger, and by how much (checkable subtraction)."""
    a, b = rng.sample(range(1, 100_000 if rng.random() < 0.5 else 1000), 2)
    big, small = max(a, b), min(a, b)
    q = {"hi": f"{a} और {b} में कौन सी संख्या बड़ी है, और कितनी?",
         "en": f"Which is bigger, {a} or {b}, and by how much?",
         "hinglish": f"{a} aur {b} mein kaunsa number bada hai, aur kitna?"}[lang]
    a_ = {"hi": f"{big} बड़ी है। {big} - {small} = {big - small}, यानी {big - small} ज़्यादा।",
          "en": f"{big} is bigger. {big} - {small} = {big - small}, so by {big - small}.",
          "hinglish": f"{big} bada hai. {big} - {small} = {big - small}, yaani {big - small} zyada."
          }[lang]
    if rng.random() < 0.5:
        return Doc("gen.compare", lang, text=f"{q}\n{a_}", meta={"answer": big})
    msgs = _system(rng, lang) + [{"role": "user", "content": q},
                                 {"role": "assistant", "content": a_}]
    return Doc("gen.compare", lang, messages=msgs, meta={"answer": big})


# ----------------------------------------------------------------------------- registry

# name -> (function, weight within the generator share)
GENERATORS: dict[str, tuple[Callable[[random.Random, str], Doc], float]] = {
    "tool.clock": (gen_clock, 1.0),
    "tool.timer": (gen_timer, 1.0),
    "tool.calculator": (gen_calculator, 1.0),
    "tool.weather": (gen_weather, 1.0),
    "tool.multi": (gen_multi_tool, 0.6),
    "word_problem": (gen_word_problem, 1.6),
    "numbers": (gen_numbers, 0.6),
    "times": (gen_times, 0.5),
    "dates": (gen_dates, 0.5),
    "facts": (gen_facts, 0.6),
    "small_talk": (gen_small_talk, 0.8),
    "table": (gen_table, 0.3),
    "weekday_math": (gen_weekday_math, 0.3),
    "units": (gen_units, 0.4),
    "compare": (gen_compare, 0.3),
}


def generate(rng: random.Random, lang: str, name: str | None = None) -> Doc:
    """One document from a named (or weighted-random) generator."""
    if name is None:
        names = list(GENERATORS)
        name = rng.choices(names, weights=[GENERATORS[n][1] for n in names])[0]
    return GENERATORS[name][0](rng, lang)
