"""Data for Chimera's alignment stages: SFT chats, DPO preference pairs, GRPO tasks.

    python -m training.data.assistant --stage sft --n 20000 --out runs/data/align
    python -m training.data.assistant --stage dpo --n 10000 --out runs/data/align
    python -m training.data.assistant --stage grpo --n 5000 --out runs/data/align

What Chimera must learn here is judgement, not knowledge: for a request in Hindi
(Devanagari), English or Hinglish (romanised), **answer** (small talk, questions about
VAANI), **call one of the tools listed in the prompt** (read from their schemas, including
made-up tools it never saw before), or **decline honestly** (world knowledge, live
information, actions no listed tool can do, a needed tool that is not listed), and after a
tool ran, **word its result faithfully and briefly** in the user's language and script.

Every example is a pure function of the ``random.Random`` passed in and a language:

* :func:`sft_doc` -> :class:`~training.data.generators.Doc`: one to three exchanges (a
  follow-up may refer to the previous one; an earlier exchange may be in another language).
* :func:`dpo_pair` -> :class:`~training.data.tasks.Pair` of kind ``faithful``,
  ``tool_choice``, ``decline``, ``language`` or ``claim``.
* :func:`grpo_task` -> :class:`~training.data.tasks.Task` of kind ``tool_call``,
  ``no_tool``, ``decline``, ``word_result`` or ``arithmetic``, with an ``expect`` that
  :mod:`training.rewards` checks.

How the data is made, and the rules every example keeps (the tests check them):

* **Tools.** VAANI's own tools (``clock``, ``timer``, ``calculator``) with the schemas their
  plugins publish, and made-up ones of every schema shape (no arguments, strings, integers,
  numbers, several and optional arguments: ``translate(word, to)``, ``unit_convert(value,
  from, to)``, ``reminder(time, text)``, ``note_add(text)``, ``dice(sides)`` ...), under
  varying names, parameter names and descriptions, plus listed-only distractors. The prompt
  lists tools most of the time (:func:`listing`); a call is only ever to a listed tool, and
  a request whose tool is not listed is declined.
* **Arguments** are copied from what the user said: strings are verbatim spans of the
  user's message (a Hindi city stays Devanagari), numbers are the numbers said. Every call
  passes the runtime's own check that the user asked for exactly this (the tool's
  ``grounded`` for VAANI's tools, :func:`vaani.guard.arguments_said` for the others).
* **Results** have the real tools' shapes (the calculator's result is computed by the
  calculator plugin itself); worded answers pass :func:`vaani.guard.unfaithful` (every
  number, time, weekday, month and part of the day comes from the result, the arguments or
  the question). An error is met with an apology, never a claimed success.
* **Declines** are the runtime's own words (:func:`vaani.guard.abstention`, romanised for
  Hinglish) followed by what VAANI can do with the listed tools; a request is declined as
  live information or an action exactly when :func:`vaani.guard.out_of_scope` says so for
  the listed tools.
* **Replies** are short (at most two sentences), in the user's language and script, not
  degenerate (:func:`reply_problem`, also the filter for teacher replies).
* **Held out.** No example contains a question of VAANI's answer benchmark
  (:mod:`training.data.heldout`): a generator that draws one draws again from the same
  ``rng``, so the stream stays deterministic.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from training import chat
from training.data import generators as G
from training.data import heldout as H
from training.data import lexicon as L
from training.data import numbers as N
from training.data.generators import Doc
from training.data.tasks import Pair, Task
from vaani import guard

LANGS = ("hi", "en", "hinglish")
MAX_SENTENCES = 2          # a spoken reply
MAX_CHARS = 240


def _pick(rng: random.Random, lang: str, options: dict[str, list[str]]) -> str:
    return rng.choice(options[lang])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _fmt(x: int | float | Fraction) -> str:
    """A number as a reply says it: 12, 12.5, 3.3333 (no trailing zeros, no grouping)."""
    x = Fraction(str(x)) if isinstance(x, float) else Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    return f"{float(x):.4f}".rstrip("0").rstrip(".")


def _jsonnum(x: Fraction | int | float) -> int | float:
    x = Fraction(str(x)) if isinstance(x, float) else Fraction(x)
    return x.numerator if x.denominator == 1 else float(x)


def _say_num(rng: random.Random, lang: str, n: int | float) -> str:
    """A result's number in a reply: digits, sometimes words for small whole numbers."""
    if isinstance(n, int) and 0 < n < 20 and rng.random() < 0.3:
        return {"hi": N.HI_0_99, "en": N.EN_0_19, "hinglish": N.HINGLISH_0_20}[lang][n]
    return _fmt(n)


# ----------------------------------------------------------------------------- declining

# The runtime's abstentions (vaani.guard) in romanised Hindi, for Hinglish users.
HINGLISH_UNSURE = "Sorry, iska jawab main abhi offline nahi de sakti."
HINGLISH_TOOL_FAILED = "Sorry, yeh main abhi nahi kar sakti."
HINGLISH_LIVE = {
    "weather": "Main offline hoon, isliye mausam ka haal nahi bata sakti.",
    "news": "Main offline hoon, isliye khabrein nahi bata sakti.",
    "prices": "Main offline hoon, isliye aaj ke daam ya rate nahi bata sakti.",
    "scores": "Main offline hoon, isliye match ka score ya result nahi bata sakti.",
    "office": "Main offline hoon, isliye nahi bata sakti ki aaj us pad par kaun hai.",
}
HINGLISH_ACTIONS = {
    "message": "Main abhi message ya email nahi bhej sakti.",
    "call": "Main abhi call nahi kar sakti.",
    "booking": "Main abhi kuch book ya order nahi kar sakti.",
    "music": "Main abhi gaane ya video nahi chala sakti.",
    "reminder": "Main abhi alarm ya reminder nahi laga sakti.",
    "device": "Main abhi light ya doosre device nahi chala sakti.",
}
MAX_ABILITIES = 3           # "I can help with ..." names at most this many listed tools


def _join_hinglish(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " aur " + items[-1]


def abilities_of(tools: list[dict[str, Any]] | None, lang: str) -> list[str]:
    """What the listed tools let VAANI do, in ``lang`` (their families' phrases, in listing
    order, without repeats, at most :data:`MAX_ABILITIES`)."""
    out: list[str] = []
    for t in tools or []:
        fam = family_of(t)
        if fam is None:
            continue
        phrase = fam.ability[LANGS.index(lang)]
        if phrase not in out:
            out.append(phrase)
    return out[:MAX_ABILITIES]


def decline_text(reason: str, lang: str, tools: list[dict[str, Any]] | None,
                 topic: str = "") -> str:
    """An honest decline and what the listed tools can do: the runtime's words
    (:func:`vaani.guard.abstention`) for Hindi and English, the same romanised for Hinglish.
    ``reason``: live | action (with ``topic``), tool_failed, or anything else (unsure)."""
    abilities = abilities_of(tools, lang)
    if lang in ("hi", "en"):
        return guard.abstention(reason, lang, abilities, topic)
    if reason == "live" and topic in HINGLISH_LIVE:
        first = HINGLISH_LIVE[topic]
    elif reason == "action" and topic in HINGLISH_ACTIONS:
        first = HINGLISH_ACTIONS[topic]
    elif reason == "tool_failed":
        first = HINGLISH_TOOL_FAILED
    else:
        first = HINGLISH_UNSURE
    rest = f"Main {_join_hinglish(abilities)} mein madad kar sakti hoon." if abilities else ""
    return f"{first} {rest}".strip()


def known_declines() -> tuple[str, ...]:
    """Every first sentence a decline here may open with (for :mod:`training.rewards`)."""
    out = [*guard.UNSURE.values(), *guard.TOOL_FAILED.values(), HINGLISH_UNSURE,
           HINGLISH_TOOL_FAILED, *HINGLISH_LIVE.values(), *HINGLISH_ACTIONS.values()]
    for en, hi in [*guard.LIVE.values(), *guard.ACTIONS.values()]:
        out += [en, hi]
    return tuple(out)


# ----------------------------------------------------------------------------- reply checks

def sentences(text: str) -> int:
    """Sentences in a reply: sentence marks followed by a space or the end (a last sentence
    without one counts too)."""
    import re

    marks = re.findall(r"[.?!।]+(?=\s|$)", text.strip())
    tail = 0 if re.search(r"[.?!।]\s*$", text.strip()) or not text.strip() else 1
    return len(marks) + tail


def language_ok(text: str, lang: str) -> bool:
    """The reply is in the user's language *and script*: the answer bench's rule
    (:func:`vaani.bench.answers.language_ok`) and the reply guard's
    (:func:`vaani.guard.script_ok`: Hindi at least 70% Devanagari), and Hinglish stays
    romanised."""
    from vaani.bench.answers import language_ok as bench_ok
    from vaani.language import DEVANAGARI

    if lang == "hinglish":
        return bench_ok(text, lang) and not DEVANAGARI.search(text) and \
            guard.script_ok(text, "hi", romanised=True)
    return bench_ok(text, lang) and guard.script_ok(text, lang)


def reply_problem(text: str, lang: str, *, max_sentences: int = MAX_SENTENCES,
                  max_chars: int = MAX_CHARS) -> str:
    """Why ``text`` is no good as a spoken reply in ``lang`` ("" when it is): empty,
    markup or repetition (:func:`vaani.guard.degenerate`), wrong language or script,
    too long. The filter for generated replies and for teacher samples alike."""
    text = text.strip()
    if not text:
        return "empty"
    bad = guard.degenerate(text)
    if bad:
        return bad
    if not language_ok(text, lang):
        return "wrong_language"
    if sentences(text) > max_sentences or len(text) > max_chars:
        return "too_long"
    return ""


def teacher_reply_docs(records: list[dict[str, Any]], source: str) -> tuple[list[Doc], Counter]:
    """Chat samples of a teacher (``training.data.teacher`` cache records with ``chat``,
    ``prompt``, ``text``, ``lang``) kept as SFT chats only when the reply passes
    :func:`reply_problem` and claims no action; returns the kept docs and why the others
    were dropped. No teacher is trusted blindly: Qwen2.5-Coder answers the world from
    memory and Gemma loops, so its samples go through the same checks as generated text."""
    kept, dropped = [], Counter()
    for rec in records:
        text = str(rec.get("text", "")).strip()
        why = reply_problem(text, rec.get("lang", "en"))
        if not why and guard.claims_action(text):
            why = "claims_action"
        if not why and H.default().find(f"{rec.get('prompt', '')} {text}"):
            why = "heldout"
        if why:
            dropped[why] += 1
            continue
        kept.append(Doc(source, rec["lang"], messages=[
            {"role": "user", "content": rec["prompt"]}, {"role": "assistant", "content": text}],
            meta={"i": rec.get("i")}))
    return kept, dropped


# ----------------------------------------------------------------------------- tools

@dataclass(frozen=True)
class Family:
    """A kind of tool: its possible names, descriptions and parameters, what VAANI says it
    can do with it (hi, en, hinglish), and how a request for it is made (None: the tool is
    only ever listed, a distractor)."""

    key: str
    names: tuple[str, ...]
    descriptions: tuple[str, ...]
    params: tuple[tuple[str, str, tuple[str, ...]], ...]     # (canonical, JSON type, names)
    ability: tuple[str, str, str]
    acts: bool = False
    real: bool = False                # one of VAANI's plugins: name and schema fixed
    request: Callable[[random.Random, str], "Req"] | None = None


def _schema(name: str, description: str, params: dict[str, str]) -> dict[str, Any]:
    return G._tool(name, description, params)


def family_of(tool: dict[str, Any]) -> Family | None:
    """The family a listed tool belongs to, from its name and parameter names (unique
    across families); None for a tool of none."""
    f = tool.get("function", tool)
    key = _BY_SIGNATURE.get((f["name"], tuple((f.get("parameters") or {}).get("properties")
                                              or {})))
    return FAMILIES.get(key) if key else None


@dataclass
class Req:
    """One request for a tool and its outcome.

    ``args`` use the family's canonical parameter names; ``word(result, lang, rng)`` words a
    result (any result: the real one, or a changed one for an unfaithful reply);
    ``fake(rng)`` is a different, plausible result; ``alter(rng)`` different arguments (never
    what the user said); ``error``/``apology`` a failure and its honest wording; ``must``
    what an informative answer states (groups of alternatives, see
    :func:`training.rewards.informative`)."""

    family: str
    user: str
    args: dict[str, Any]
    result: dict[str, Any]
    word: Callable[[dict[str, Any], str, random.Random], str]
    fake: Callable[[random.Random], dict[str, Any]] | None = None
    alter: Callable[[random.Random], dict[str, Any]] | None = None
    error: dict[str, Any] | None = None
    apology: Callable[[str, random.Random], str] | None = None
    must: list[list[str]] = field(default_factory=list)
    value: Any = None                         # the calculator's result
    claimed: dict[str, Any] | None = None     # a success to pretend after an error (DPO)
    follow: Callable[[random.Random, str], "Req"] | None = None
    numeric: bool = True                      # a wrong number in a wording is detectable


# -- clock ------------------------------------------------------------------------------------

_CLOCK_Q = {
    "time": {
        "hi": ["अभी कितने बजे हैं?", "समय क्या हो रहा है?", "ज़रा टाइम बताओ।", "कितने बज गए?",
               "वाणी, अभी क्या टाइम है?", "घड़ी देखकर बताओ कितने बजे हैं।", "अभी का समय बताइए।",
               "टाइम क्या हुआ है?"],
        "en": ["What time is it?", "What's the time now?", "Tell me the time.", "Time check please.",
               "VAANI, what's the time?", "Could you tell me what time it is?",
               "Do you know the time?", "Time please, VAANI."],
        "hinglish": ["Kitne baje hain?", "Time kya ho raha hai?", "Abhi kya time hai?",
                     "Zara time batao.", "Vaani, kitne baj gaye?", "Ghadi dekh ke batao kitne baje hain.",
                     "Time batana zara.", "Abhi ka time kya hai?"]},
    "date": {
        "hi": ["आज कौन सी तारीख है?", "आज की तारीख क्या है?", "तारीख बताओ।", "आज तारीख कितनी है?"],
        "en": ["What's the date today?", "What date is it?", "Tell me today's date.",
               "Which date is today?"],
        "hinglish": ["Aaj kya date hai?", "Aaj ki tareekh kya hai?", "Date batao.",
                     "Aaj kaunsi date hai?"]},
    "day": {
        "hi": ["आज कौन सा दिन है?", "आज कौन सा वार है?", "आज क्या वार है?"],
        "en": ["What day is it today?", "Which day of the week is it?", "What weekday is it?"],
        "hinglish": ["Aaj kaunsa din hai?", "Aaj kya vaar hai?", "Aaj kaunsa vaar hai?"]},
    "datetime": {
        "hi": ["आज की तारीख और समय बताओ।", "अभी समय और तारीख क्या है?"],
        "en": ["Tell me the date and the time.", "What's the time and date?"],
        "hinglish": ["Date aur time dono batao.", "Abhi time aur date kya hai?"]},
}


def _clock_fields(res: dict[str, Any]) -> tuple[int, int, dt.date]:
    h, m = (int(x) for x in res["time"].split(":"))
    return h, m, dt.date.fromisoformat(res["date"])


def _say_time(h: int, m: int, lang: str, rng: random.Random) -> str:
    if lang == "hi":
        if rng.random() < 0.2:
            return f"अभी {N.hindi_day_part(h)} के {h % 12 or 12}:{m:02d} बजे हैं।"
        if m > 30 and m != 45:      # "सात बजने में पच्चीस मिनट": the guard cannot read it
            return f"अभी {N.hindi_day_part(h)} के {N.HI_0_99[h % 12 or 12]} बजकर " \
                   f"{N.HI_0_99[m]} मिनट हुए हैं।"
        return G._hi_clock_sentence(h, m)
    if lang == "en":
        return rng.choice([f"It's {N.english_time(h, m)}.", f"The time is {N.english_time(h, m)}."])
    t = N.hinglish_time(h, m)
    verb = "hue hain" if t.endswith("minute") else "hain"
    return f"Abhi {N.hinglish_day_part(h)} ke {t} {verb}."


def _say_date(d: dt.date, lang: str, rng: random.Random, weekday_only: bool = False) -> str:
    if weekday_only:
        wd = L.WEEKDAYS[d.weekday()][LANGS.index(lang)]
        return {"hi": f"आज {wd} है।", "en": f"Today is {wd}.", "hinglish": f"Aaj {wd} hai."}[lang]
    text = G._date_text(d, lang)
    return {"hi": rng.choice([f"आज {text} है।", f"आज की तारीख है {text}।"]),
            "en": rng.choice([f"Today is {text}.", f"It's {text}."]),
            "hinglish": rng.choice([f"Aaj {text} hai.", f"Aaj ki date hai {text}."])}[lang]


def _hour_alternatives(h: int, m: int) -> list[str]:
    """Numbers a reply may say the hour of h:m with (3, 15, साढ़े तीन = 7/2, पौने चार ...)."""
    h12 = h % 12 or 12
    alts = {Fraction(h), Fraction(h12)}
    if m == 15:
        alts.add(h12 + Fraction(1, 4))
    if m == 30:
        alts.add(h12 + Fraction(1, 2))
    if m == 45:
        alts.add((h12 % 12 + 1) - Fraction(1, 4))
    return sorted(f"n:{a}" for a in alts)


def _rq_clock(rng: random.Random, lang: str, intent: str | None = None,
              now: dt.datetime | None = None) -> Req:
    if now is None:
        now = G._random_datetime(rng)
        if rng.random() < 0.35:
            now = now.replace(minute=rng.choice([0, 15, 30, 45]))
    intent = intent or rng.choices(["time", "date", "day", "datetime"], [0.55, 0.2, 0.15, 0.1])[0]
    user = _pick(rng, lang, _CLOCK_Q[intent])
    result = {"time": now.strftime("%H:%M"), "date": now.date().isoformat(),
              "weekday": L.WEEKDAYS[now.weekday()][1]}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        h, m, d = _clock_fields(res)
        if intent == "time":
            return _say_time(h, m, lg, r)
        if intent == "date":
            return _say_date(d, lg, r)
        if intent == "day":
            return _say_date(d, lg, r, weekday_only=True)
        return f"{_say_date(d, lg, r)} {_say_time(h, m, lg, r)}"

    def fake(r: random.Random) -> dict[str, Any]:
        if intent in ("time", "datetime"):
            t = now + dt.timedelta(minutes=r.choice([-1, 1]) * r.randint(47, 11 * 60))
        else:
            t = now + dt.timedelta(days=r.choice([1, 2, 3, 4, 5, 6, -1, -2, -3]))
        return {"time": t.strftime("%H:%M"), "date": t.date().isoformat(),
                "weekday": L.WEEKDAYS[t.weekday()][1]}

    must: list[list[str]] = []
    if intent in ("time", "datetime"):
        must.append(_hour_alternatives(now.hour, now.minute))
        if now.minute not in (0, 15, 30, 45):
            must.append([f"n:{now.minute}", f"n:{60 - now.minute}"])
    if intent in ("date", "datetime"):
        must.append([f"n:{now.day}"])
    if intent == "day":
        must.append([f"w:{w}" for w in L.WEEKDAYS[now.weekday()]])

    def follow(r: random.Random, lg: str) -> Req:
        nxt = {"time": "date", "date": "time", "day": "time", "datetime": "day"}[intent]
        later = now + dt.timedelta(seconds=r.randint(5, 50))
        req = _rq_clock(r, lg, nxt, later)
        req.user = _pick(r, lg, {
            "time": {"hi": ["और समय?", "अच्छा, और टाइम क्या हुआ है?"],
                     "en": ["And the time?", "Okay, and what time is it?"],
                     "hinglish": ["Aur time?", "Achha, aur time kya hua hai?"]},
            "date": {"hi": ["और आज की तारीख?", "अच्छा, तारीख क्या है?"],
                     "en": ["And the date?", "Okay, and what's the date?"],
                     "hinglish": ["Aur date?", "Achha, aaj ki date kya hai?"]},
            "day": {"hi": ["और आज कौन सा दिन है?"], "en": ["And which day is it?"],
                    "hinglish": ["Aur aaj kaunsa din hai?"]}}[nxt])
        return req

    return Req("clock", user, {}, result, word, fake=fake, must=must, follow=follow)


# -- timer ------------------------------------------------------------------------------------

def _timer_duration(rng: random.Random) -> tuple[int, int]:
    r = rng.random()
    if r < 0.6:
        return rng.choice([1, 2, 3, 4, 5, 5, 7, 8, 10, 10, 12, 15, 20, 25, 30, 40, 45, 60, 90]), 0
    if r < 0.8:
        return 0, rng.choice([10, 15, 20, 30, 40, 45, 50])
    return rng.randint(1, 12), rng.choice([15, 30, 45])


def _rq_timer(rng: random.Random, lang: str) -> Req:
    minutes, seconds = _timer_duration(rng)
    dur = G._duration_phrase(rng, lang, minutes, seconds)
    act = rng.choice(L.ACTIVITIES) if rng.random() < 0.45 else None

    def label_in(lg: str) -> str | None:
        if act is None:
            return None
        return L.ACTIVITY_OBLIQUE_HI.get(act[0], act[0]) if lg == "hi" else act[LANGS.index(lg)]

    label = None
    if lang == "hi":
        user = rng.choice([f"{dur} का टाइमर लगा दो।", f"{dur} का टाइमर सेट करो।",
                           f"मेरे लिए {dur} का टाइमर लगाओ।", f"टाइमर लगाओ, {dur} का।",
                           f"{dur} का टाइमर चालू कर दो।"])
        if act:
            label = L.ACTIVITY_OBLIQUE_HI.get(act[0], act[0])
            user = rng.choice([f"{label} के लिए {dur} का टाइमर लगा दो।",
                               f"{label} का टाइमर लगाओ, {dur} का।",
                               f"{dur} का टाइमर लगाओ {label} के लिए।"])
    elif lang == "en":
        user = rng.choice([f"Set a timer for {dur}.", f"Start a timer for {dur}.",
                           f"Can you set a timer for {dur}?", f"Timer for {dur}, please.",
                           f"Start a {dur} countdown."])
        if act:
            label = act[1]
            user = rng.choice([f"Set a {label} timer for {dur}.",
                               f"Start a timer for {dur} for the {label}.",
                               f"Timer for {label}, {dur} please."])
    else:
        user = rng.choice([f"{dur} ka timer laga do.", f"{dur} ka timer set karo.",
                           f"Mere liye {dur} ka timer lagao.", f"Timer lagao, {dur} ka.",
                           f"{dur} ka timer chalu kar do."])
        if act:
            label = act[2]
            user = rng.choice([f"{label} ke liye {dur} ka timer laga do.",
                               f"{label} ka timer lagao, {dur} ka.",
                               f"{dur} ka timer lagao {label} ke liye."])
    user = _cap(user)
    if label and not label in user:
        label = _cap(label)               # said first in the sentence: copied as said
    args: dict[str, Any] = {}
    if minutes:
        args["minutes"] = minutes
    if seconds:
        args["seconds"] = seconds
    if label:
        args["label"] = label
    total = 60 * minutes + seconds
    start = G._random_datetime(rng)
    result = {"ok": True, "timer_id": rng.randint(1, 9), "seconds": total,
              "ends_at": (start + dt.timedelta(seconds=total)).strftime("%H:%M:%S")}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        import vaani_timer

        s = int(res["seconds"])
        m_, s_ = divmod(s, 60)
        d = G._duration_phrase(random.Random(0), lg, m_, s_)
        label = label_in(lg)
        if lg in ("hi", "en") and r.random() < 0.35 and not label:
            return vaani_timer.say(res, lg)             # the plugin's own sentence
        if lg == "hi":
            if label:
                return f"ठीक है, {label} के लिए {d} का टाइमर लगा दिया है।"
            return r.choice([f"ठीक है, {d} का टाइमर लगा दिया है।", f"{d} का टाइमर शुरू हो गया।",
                             f"हो गया, {d} बाद मैं बता दूँगी।"])
        if lg == "en":
            if label:
                return f"Okay, the {label} timer is running for {d}."
            return r.choice([f"Okay, your timer for {d} is set.", f"Done, timer started for {d}.",
                             f"Timer set for {d}. I'll let you know."])
        if label:
            return f"Theek hai, {label} ke liye {d} ka timer laga diya."
        return r.choice([f"Theek hai, {d} ka timer laga diya hai.", f"{_cap(d)} ka timer start ho gaya.",
                         f"Ho gaya, {d} baad bata dungi."])

    def fake(r: random.Random) -> dict[str, Any]:
        other = r.choice([x for x in (30, 45, 60, 120, 180, 300, 420, 600, 900, 1200, 1800,
                                      2700, 3600) if x != total])
        return {**result, "seconds": other}

    def alter(r: random.Random) -> dict[str, Any]:
        a = dict(args)
        if minutes:
            a["minutes"] = r.choice([x for x in (minutes * 10, minutes + 5, minutes * 2, 1, 15)
                                     if x != minutes])
        else:
            a["seconds"] = r.choice([x for x in (seconds * 2, seconds + 10, 60) if x != seconds])
        if label and r.random() < 0.3:
            del a["label"]
        return a

    def apology(lg: str, r: random.Random) -> str:
        return _apology(lg, r, {"hi": "अभी 3 टाइमर पहले से चल रहे हैं, इसलिए नया नहीं लगा सकती।",
                                "en": "3 timers are already running, so I can't start another.",
                                "hinglish": "abhi 3 timer pehle se chal rahe hain, isliye naya "
                                            "nahi laga sakti."})

    def follow(r: random.Random, lg: str) -> Req:
        req = _rq_timer(r, lg)
        first = r.choice({"hi": ["एक और टाइमर भी: ", "और "], "en": ["Also, ", "And one more: "],
                          "hinglish": ["Ek aur timer bhi: ", "Aur "]}[lg])
        req.user = first + (req.user if lg == "hi" else req.user[:1].lower() + req.user[1:])
        return req

    return Req("timer", user, args, result, word, fake=fake, alter=alter,
               error={"error": "3 timers are already running"}, apology=apology,
               must=[[f"d:{total}"] + ([f"n:{minutes}"] if minutes and not seconds else [])
                     + ([f"n:{seconds}"] if seconds and not minutes else [])],
               follow=follow)


def _apology(lg: str, r: random.Random, specific: dict[str, str] | None = None) -> str:
    """An apology after a tool failed: the runtime's words, or the failure said plainly
    (``specific``: what went wrong, without the "sorry")."""
    if specific and r.random() < 0.6:
        return {"hi": "माफ़ कीजिए, ", "en": "Sorry, ", "hinglish": "Sorry, "}[lg] + specific[lg]
    return {"hi": guard.TOOL_FAILED["hi"], "en": guard.TOOL_FAILED["en"],
            "hinglish": HINGLISH_TOOL_FAILED}[lg]


# -- calculator ---------------------------------------------------------------------------------

def _calc(expression: str) -> dict[str, Any]:
    """What VAANI's calculator tool returns for ``expression`` (the plugin itself)."""
    import vaani_calculator

    return vaani_calculator.Calculator().tool({"expression": expression}, "en")


def _calc_grounded(expression: str, utterance: str) -> bool:
    import vaani_calculator

    return vaani_calculator.grounded({"expression": expression}, utterance)


def _steps_expression(steps: list[str]) -> str:
    """A word problem's solution steps ('a × b = c', 'n - c = d') as one expression
    ('n - a * b'), in the operators the calculator reads."""
    def parts(step: str) -> tuple[str, str, str, str]:
        lhs, rhs = step.split(" = ")
        a, op, b = lhs.split(" ")
        return a, {"×": "*", "÷": "/"}.get(op, op), b, rhs

    a, op, b, prev = parts(steps[0])
    expr = f"{a} {op} {b}"
    for step in steps[1:]:
        a, op, b, rhs = parts(step)
        if a == prev:
            expr = f"{expr} {op} {b}"
        elif b == prev and op in "+-":
            expr = f"{a} {op} {expr}"
        else:
            raise ValueError(step)
        prev = rhs
    return expr


_SQUARE_Q = {"hi": ["{a} का वर्ग कितना होता है?", "{a} को {a} से गुणा करो।"],
             "en": ["What is {a} squared?", "What's {a} times {a}?"],
             "hinglish": ["{a} ka square kitna hota hai?", "{a} ko {a} se multiply karo."]}
_DECIMAL_Q = {"hi": ["{a} गुणा {b} कितना है?", "{a} और {b} को जोड़ो।", "{a} में से {b} घटाओ।"],
              "en": ["What is {a} times {b}?", "Add {a} and {b}.", "Subtract {b} from {a}."],
              "hinglish": ["{a} guna {b} kitna hai?", "{a} aur {b} ko jodo.",
                           "{a} mein se {b} ghatao."]}
_ZERO_Q = {"hi": "{a} को 0 से भाग दो।", "en": "Divide {a} by 0.", "hinglish": "{a} ko 0 se divide karo."}


_BARE_NUMBER = re.compile(r"(?<![₹\d.,])\b\d+\b(?![.,]\d)")


def _spelled(text: str, lang: str) -> str:
    """``text`` with its whole numbers said in words, as people ask ("I had fifty rupees and
    spent eighteen"): Hindi and English words for any of them, romanised Hindi up to 20
    (larger ones stay digits, as ASR writes them); prices (₹) and decimals stay as they are."""
    def say(m: re.Match[str]) -> str:
        n = int(m.group())
        if lang == "hi":
            return N.hindi_words(n) if n < 1000 else m.group()
        if lang == "en":
            return N.english_words(n) if n < 1000 else m.group()
        return N.HINGLISH_0_20[n] if n <= 20 else m.group()

    return _BARE_NUMBER.sub(say, text)


def _calc_question(rng: random.Random, lang: str) -> tuple[str, str]:
    """(question, expression) of an arithmetic request; a word problem's numbers are said in
    words half of the time (the expression keeps digits: the model writes them)."""
    r = rng.random()
    if r < 0.45:
        d = G.gen_calculator(rng, lang)
        user = next(m["content"] for m in d.messages or [] if m["role"] == "user")
        return user, d.meta["expression"]
    if r < 0.75:
        q, steps, _, _ = G._problem(rng, lang)
        if rng.random() < 0.5:
            q = _spelled(q, lang)
        return q, _steps_expression(steps)
    if r < 0.87:
        a = rng.randint(11, 99)
        return _pick(rng, lang, _SQUARE_Q).format(a=a), f"{a} * {a}"
    a = rng.choice([1.5, 2.5, 3.75, 12.5, 7.2, 99.9, 0.5, 4.25])
    b = rng.choice([2, 4, 3, 1.5, 10, 0.25, 6])
    i = rng.randrange(3)
    op = "*+-"[i]
    if op == "-" and b > a:
        a, b = b, a
    return _DECIMAL_Q[lang][i].format(a=_fmt(a), b=_fmt(b)), f"{_fmt(a)} {op} {_fmt(b)}"


def _rq_calc(rng: random.Random, lang: str) -> Req:
    for _ in range(20):
        user, expr = _calc_question(rng, lang)
        res = _calc(expr)
        if "result" in res and _calc_grounded(expr, user):
            break
    else:
        raise RuntimeError("no grounded arithmetic question")
    value = res["result"]

    def word(res_: dict[str, Any], lg: str, r: random.Random) -> str:
        v = res_["result"]
        rough = isinstance(v, float) and round(v, 2) != v
        s = _fmt(round(v, 2)) if rough else _say_num(r, lg, v)
        if lg == "hi":
            if rough:
                return f"जवाब लगभग {s} है।"
            return r.choice([f"जवाब {s} है।", f"यह {s} होता है।", f"{s} होता है।"])
        if lg == "en":
            if rough:
                return f"It's about {s}."
            return r.choice([f"The answer is {s}.", f"That's {s}.", f"It comes to {s}."])
        if rough:
            return f"Jawab lagbhag {s} hai."
        return r.choice([f"Jawab {s} hai.", f"Yeh {s} hota hai.", f"{s} hota hai."])

    def fake(r: random.Random) -> dict[str, Any]:
        v = Fraction(str(value))
        options = [v + r.choice([1, 2, 10, -1, -10, 100]), v * 10, v / 10 if v else v + 7,
                   v + Fraction(1, 2)]
        wrong = r.choice([o for o in options if o != v and o >= 0] or [v + 1])
        return {"result": _jsonnum(round(wrong, 4))}

    def alter(r: random.Random) -> dict[str, Any]:
        toks = expr.split(" ")
        idx = [i for i, t in enumerate(toks) if t[0].isdigit()]
        i = r.choice(idx)
        n = Fraction(toks[i])
        toks[i] = _fmt(n + r.choice([1, 2, 5, 10]) if r.random() < 0.7 else n * 10)
        return {"expression": " ".join(toks)}

    def follow(r: random.Random, lg: str) -> Req:
        req = _rq_calc(r, lg)
        req.user = {"hi": "और ", "en": "And ", "hinglish": "Aur "}[lg] + \
            (req.user if lg == "hi" else req.user[:1].lower() + req.user[1:])
        return req

    return Req("calculator", user, {"expression": expr}, res, word, fake=fake, alter=alter,
               must=[[f"n:{Fraction(str(value))}", f"n:{Fraction(str(round(value, 2)))}"]],
               value=value, follow=follow)


def _rq_divzero(rng: random.Random, lang: str) -> Req:
    a = rng.randint(2, 500)
    user, expr = _ZERO_Q[lang].format(a=a), f"{a} / 0"
    err = _calc(expr)
    req = _rq_calc(rng, lang)             # its wording for the (never used) success
    return dataclasses.replace(req, user=user, args={"expression": expr}, result=err,
                               error=err, value=None, follow=None, claimed={"result": 0},
                               apology=lambda lg, r: {
                                   "hi": "माफ़ कीजिए, किसी संख्या को शून्य से भाग नहीं दिया जा सकता।",
                                   "en": "Sorry, a number can't be divided by zero.",
                                   "hinglish": "Sorry, kisi number ko zero se divide nahi kar "
                                               "sakte."}[lg])


# -- weather (a third-party plugin's tool; not one of VAANI's) -----------------------------------

def _rq_weather(rng: random.Random, lang: str, city: tuple | None = None) -> Req:
    city = city or rng.choice(L.CITIES)
    cname = city[0] if lang == "hi" else city[1]
    user = _pick(rng, lang, {
        "hi": [f"{cname} में मौसम कैसा है?", f"आज {cname} का मौसम बताओ।",
               f"क्या {cname} में बारिश हो रही है?", f"{cname} में कितनी गर्मी है?"],
        "en": [f"What's the weather in {cname}?", f"How is the weather in {cname} today?",
               f"Is it raining in {cname}?", f"Weather report for {cname}, please."],
        "hinglish": [f"{cname} mein mausam kaisa hai?", f"Aaj {cname} ka weather batao.",
                     f"Kya {cname} mein baarish ho rahi hai?", f"{cname} ka mausam kaisa hai?"]})
    w = rng.choice(L.WEATHER)
    result = {"city": city[1], "temp_c": rng.randint(4, 44), "condition": w[0],
              "humidity": rng.randint(20, 95)}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        name = city[0] if lg == "hi" else city[1]
        cond = next(x for x in L.WEATHER if x[0] == res["condition"])
        if cond[0] == "storm":      # "आंधी" reads as "आधी" (a half) to the guard
            cond = (*cond[:1], "तेज़ तूफ़ान चल रहा है", *cond[2:])
        t = res["temp_c"]
        return {"hi": f"{name} में अभी {t} डिग्री तापमान है और {cond[1]}।",
                "en": f"In {name} it is {t} degrees and {cond[2]}.",
                "hinglish": f"{name} mein abhi {t} degree hai aur {cond[3]}."}[lg]

    def fake(r: random.Random) -> dict[str, Any]:
        t = result["temp_c"]
        return {**result, "temp_c": r.choice([x for x in range(2, 47) if abs(x - t) > 3])}

    def alter(r: random.Random) -> dict[str, Any]:
        other = r.choice([c for c in L.CITIES if c != city])
        return {"city": other[0] if lang == "hi" else other[1]}

    def apology(lg: str, r: random.Random) -> str:
        name = city[0] if lg == "hi" else city[1]
        return {"hi": f"माफ़ कीजिए, {name} के मौसम की जानकारी अभी मेरे पास नहीं है।",
                "en": f"Sorry, I don't have weather data for {name} right now.",
                "hinglish": f"Sorry, {name} ke mausam ki jaankari abhi mere paas nahi hai."}[lg]

    def follow(r: random.Random, lg: str) -> Req:
        other = r.choice([c for c in L.CITIES if c != city])
        req = _rq_weather(r, lg, other)
        name = other[0] if lg == "hi" else other[1]
        req.user = _pick(r, lg, {"hi": [f"और {name} में?", f"अच्छा, {name} का?"],
                                 "en": [f"And in {name}?", f"What about {name}?"],
                                 "hinglish": [f"Aur {name} mein?", f"Achha, {name} ka?"]})
        return req

    return Req("weather", user, {"city": cname}, result, word, fake=fake, alter=alter,
               error={"error": "no weather data synced for this city"}, apology=apology,
               must=[[f"n:{result['temp_c']}"]], follow=follow)


# -- translate ------------------------------------------------------------------------------------

_WORDS = [(it[0], it[1], it[3]) for it in L.ITEMS] + [
    ("पानी", "water", "paani"), ("घर", "house", "ghar"), ("दोस्त", "friend", "dost"),
    ("किताब", "book", "kitaab"), ("सूरज", "sun", "suraj"), ("चाँद", "moon", "chaand"),
    ("पेड़", "tree", "ped"), ("खिड़की", "window", "khidki"), ("दरवाज़ा", "door", "darwaza"),
    ("कुत्ता", "dog", "kutta"), ("बिल्ली", "cat", "billi"), ("दूध", "milk", "doodh"),
    ("नदी", "river", "nadi"), ("बाज़ार", "market", "bazaar"), ("सड़क", "road", "sadak")]
_WORDS = list(dict.fromkeys(_WORDS))


def _rq_translate(rng: random.Random, lang: str, word_: tuple | None = None,
                  direction: str | None = None) -> Req:
    w = word_ or rng.choice(_WORDS)
    hi_, en_, hg_ = w
    direction = direction or (rng.choice(["to_hi", "to_en"]) if lang != "en" else "to_hi")
    if lang == "hi":
        if direction == "to_hi":
            src, to = en_, "हिंदी"
            user = rng.choice([f"'{en_}' को हिंदी में क्या कहते हैं?", f"{en_} का हिंदी बताओ।",
                               f"'{en_}' शब्द को हिंदी में बदलो।"])
        else:
            src, to = hi_, "अंग्रेज़ी"
            user = rng.choice([f"{hi_} को अंग्रेज़ी में क्या कहते हैं?",
                               f"'{hi_}' का अंग्रेज़ी शब्द बताओ।"])
    elif lang == "en":
        src, to = en_, "Hindi"
        user = rng.choice([f"How do you say {en_} in Hindi?", f"What is '{en_}' in Hindi?",
                           f"Translate {en_} into Hindi."])
    else:
        if direction == "to_hi":
            src, to = en_, "Hindi"
            user = rng.choice([f"{_cap(en_)} ko Hindi mein kya kehte hain?",
                               f"{_cap(en_)} ka Hindi batao."])
        else:
            src, to = hg_, "English"
            user = rng.choice([f"{_cap(hg_)} ko English mein kya kehte hain?",
                               f"{_cap(hg_)} ka English word batao."])
        src = src if user.startswith(src) else _cap(src)
    if to in ("हिंदी", "Hindi"):
        result: dict[str, Any] = {"translation": hi_, "roman": hg_}
    else:
        result = {"translation": en_}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        t = res["translation"]
        to_hindi = "roman" in res
        here = src if lg == lang else None            # the word as this user said it
        if lg == "hi":
            if to_hindi:
                return f"अंग्रेज़ी शब्द '{here or en_}' को हिंदी में '{t}' कहते हैं।"
            return f"{here or hi_} को अंग्रेज़ी में '{t}' कहते हैं।"
        if lg == "en":
            if to_hindi:
                return f"In Hindi, {here or en_} is '{res['roman']}'."
            return f"In English, {hg_} is '{t}'."
        if to_hindi:
            return f"{_cap(here or en_)} ko Hindi mein '{res['roman']}' kehte hain."
        return f"{_cap(here or hg_)} ko English mein '{t}' kehte hain."

    def fake(r: random.Random) -> dict[str, Any]:
        o = r.choice([x for x in _WORDS if x != w])
        return {"translation": o[0], "roman": o[2]} if "roman" in result else {"translation": o[1]}

    def alter(r: random.Random) -> dict[str, Any]:
        o = r.choice([x for x in _WORDS if x != w])
        return {"word": {"hi": o[0], "en": o[1], "hinglish": o[2]}[
            "hi" if src == hi_ else "en" if src == en_ else "hinglish"], "to": to}

    def follow(r: random.Random, lg: str) -> Req:
        o = r.choice([x for x in _WORDS if x != w])
        return _rq_translate(r, lg, o, direction if lg == lang else None)

    said = result.get("roman", result["translation"]) if lang != "hi" else result["translation"]
    return Req("translate", user, {"word": src, "to": to}, result, word, fake=fake, alter=alter,
               must=[[f"w:{said}"]], follow=follow, numeric=False)


# -- notes ---------------------------------------------------------------------------------------

_NOTES = {
    "hi": ["दूध और ब्रेड लाना", "बिजली का बिल भरना", "दादी का चश्मा ठीक कराना", "गैस सिलेंडर बुक करना",
           "बच्चों की फ़ीस जमा करना", "पौधों में पानी डालना", "कपड़े प्रेस कराना", "डॉक्टर से मिलना",
           "2 किलो आटा लाना", "किताबें लौटाना"],
    "en": ["buy milk and bread", "pay the electricity bill", "get grandma's glasses fixed",
           "return the library books", "water the plants", "pick up the laundry",
           "buy 2 kilos of flour", "see the dentist", "clean the fridge", "renew the insurance"],
    "hinglish": ["doodh aur bread laana", "bijli ka bill bharna", "dadi ka chashma theek karana",
                 "bachchon ki fees jama karna", "paudhon mein paani daalna", "kapde press karana",
                 "2 kilo aata laana", "kitaabein lautaana", "doctor se milna", "fridge saaf karna"],
}


def _rq_note_add(rng: random.Random, lang: str) -> Req:
    text = rng.choice(_NOTES[lang])
    user = _pick(rng, lang, {
        "hi": [f"नोट कर लो: {text}।", f"एक नोट बनाओ, {text}।", f"लिख लो कि {text} है।"],
        "en": [f"Add a note: {text}.", f"Make a note to {text}.", f"Note this down: {text}."],
        "hinglish": [f"Note kar lo: {text}.", f"Ek note banao, {text}.",
                     f"Likh lo ki {text} hai."]})
    result = {"ok": True, "id": rng.randint(1, 30)}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        t = text if lg == lang else r.choice(_NOTES[lg])
        return {"hi": r.choice([f"ठीक है, नोट में लिख लिया: {t}।", "ठीक है, नोट सेव हो गया।"]),
                "en": r.choice([f"Noted: {t}.", "Okay, your note is saved."]),
                "hinglish": r.choice([f"Theek hai, note kar liya: {t}.",
                                      "Theek hai, note save ho gaya."])}[lg]

    def alter(r: random.Random) -> dict[str, Any]:
        return {"text": r.choice([x for x in _NOTES[lang] if x != text])}

    def follow(r: random.Random, lg: str) -> Req:
        req = _rq_note_add(r, lg)
        req.user = {"hi": "एक और नोट: ", "en": "One more note: ", "hinglish": "Ek aur note: "}[lg] \
            + req.args["text"] + ("।" if lg == "hi" else ".")
        return req

    return Req("note_add", user, {"text": text}, result, word, alter=alter,
               error={"error": "notes storage is full"},
               apology=lambda lg, r: _apology(lg, r, {
                   "hi": "नोट्स की जगह भर गई है, इसलिए यह नोट नहीं लिख सकी।",
                   "en": "your notes are full, so I couldn't save it.",
                   "hinglish": "notes ki jagah bhar gayi hai, isliye yeh note save nahi hua."}),
               follow=follow, numeric=False)


def _rq_note_list(rng: random.Random, lang: str) -> Req:
    user = _pick(rng, lang, {
        "hi": ["मेरे नोट्स पढ़कर सुनाओ।", "मैंने क्या-क्या नोट किया है?", "मेरे नोट्स में क्या है?"],
        "en": ["Read my notes.", "What's in my notes?", "What did I note down?"],
        "hinglish": ["Mere notes padh ke sunao.", "Maine kya kya note kiya hai?",
                     "Mere notes mein kya hai?"]})
    n = rng.choice([0, 1, 2, 2, 3])
    notes = rng.sample(_NOTES[lang], n)
    result = {"notes": notes, "count": n}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        items = res["notes"] if lg == lang else [r.choice(_NOTES[lg]) for _ in res["notes"]]
        c = res["count"]
        if not items:
            return {"hi": "अभी आपका कोई नोट नहीं है।", "en": "You have no notes yet.",
                    "hinglish": "Abhi aapka koi note nahi hai."}[lg]
        if len(items) == 1:
            return {"hi": f"आपका एक नोट है: {items[0]}।", "en": f"You have one note: {items[0]}.",
                    "hinglish": f"Aapka ek note hai: {items[0]}."}[lg]
        joined = {"hi": ", ".join(items[:-1]) + " और " + items[-1],
                  "en": ", ".join(items[:-1]) + " and " + items[-1],
                  "hinglish": ", ".join(items[:-1]) + " aur " + items[-1]}[lg]
        return {"hi": f"आपके {c} नोट हैं: {joined}।", "en": f"You have {c} notes: {joined}.",
                "hinglish": f"Aapke {c} notes hain: {joined}."}[lg]

    def fake(r: random.Random) -> dict[str, Any]:
        m = r.choice([k for k in (1, 2, 3, 4) if k != n])
        return {"notes": r.sample(_NOTES[lang], m), "count": m}

    must = [[f"w:{x}"] for x in notes] if notes else []
    return Req("note_list", user, {}, result, word, fake=fake, must=must)


# -- units ---------------------------------------------------------------------------------------

# (hi, en, hinglish) names, and a function from the first unit to the second
_CONVERSIONS = [
    (("किलोमीटर", "kilometres", "kilometre"), ("मील", "miles", "mile"), lambda x: x * 0.621371),
    (("मील", "miles", "mile"), ("किलोमीटर", "kilometres", "kilometre"), lambda x: x * 1.609344),
    (("किलो", "kilograms", "kilo"), ("पाउंड", "pounds", "pound"), lambda x: x * 2.20462),
    (("पाउंड", "pounds", "pound"), ("किलो", "kilograms", "kilo"), lambda x: x * 0.453592),
    (("फ़ुट", "feet", "feet"), ("मीटर", "metres", "metre"), lambda x: x * 0.3048),
    (("मीटर", "metres", "metre"), ("फ़ुट", "feet", "feet"), lambda x: x * 3.28084),
    (("इंच", "inches", "inch"), ("सेंटीमीटर", "centimetres", "centimetre"), lambda x: x * 2.54),
    (("सेल्सियस", "Celsius", "Celsius"), ("फ़ारेनहाइट", "Fahrenheit", "Fahrenheit"),
     lambda x: x * 9 / 5 + 32),
    (("फ़ारेनहाइट", "Fahrenheit", "Fahrenheit"), ("सेल्सियस", "Celsius", "Celsius"),
     lambda x: (x - 32) * 5 / 9),
    (("लीटर", "litres", "litre"), ("मिलीलीटर", "millilitres", "ml"), lambda x: x * 1000),
]


def _rq_unit(rng: random.Random, lang: str) -> Req:
    a, b, f = rng.choice(_CONVERSIONS)
    value = rng.choice([1, 2, 5, 10, 12, 25, 42, 100, 2.5, 1.5, 0.5, 36.6, 98.6, 7.5])
    if a[1] == "Fahrenheit":
        value = rng.choice([50, 68, 77, 86, 98.6, 100, 104, 212])    # no negative results
    i = LANGS.index(lang)
    fa, fb = a[i], b[i]
    v = _fmt(value)
    user = _pick(rng, lang, {
        "hi": [f"{v} {fa} कितने {fb} होते हैं?", f"{v} {fa} को {fb} में बदलो।"],
        "en": [f"How many {fb} is {v} {fa}?", f"Convert {v} {fa} to {fb}."],
        "hinglish": [f"{v} {fa} kitne {fb} hote hain?", f"{v} {fa} ko {fb} mein convert karo."]})
    out = round(f(value), 2)
    result = {"value": _jsonnum(Fraction(str(out))), "unit": b[1]}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        k = LANGS.index(lg)
        x = _fmt(res["value"])
        return {"hi": f"{v} {a[k]} लगभग {x} {b[k]} होते हैं।",
                "en": f"{v} {a[k]} is about {x} {b[k]}.",
                "hinglish": f"{v} {a[k]} lagbhag {x} {b[k]} hote hain."}[lg]

    def fake(r: random.Random) -> dict[str, Any]:
        return {**result, "value": _jsonnum(Fraction(str(round(out * r.choice([2, 0.5, 10, 1.5])
                                                               + r.choice([1, 3]), 2))))}

    def alter(r: random.Random) -> dict[str, Any]:
        return {"value": _jsonnum(Fraction(str(value)) + r.choice([1, 5, 10])), "from": fa, "to": fb}

    return Req("unit_convert", user, {"value": _jsonnum(Fraction(str(value))), "from": fa,
                                      "to": fb}, result, word, fake=fake, alter=alter,
               must=[[f"n:{Fraction(str(result['value']))}"]])


# -- reminder --------------------------------------------------------------------------------------

_REMIND_WHAT = [("दवाई लेने", "take my medicine", "dawai lene"),
                ("पौधों में पानी डालने", "water the plants", "paudhon mein paani daalne"),
                ("बिल भरने", "pay the bill", "bill bharne"),
                ("माँ से बात करने", "talk to mom", "maa se baat karne"),
                ("दूध लाने", "buy milk", "doodh laane"), ("कसरत करने", "exercise", "exercise karne")]


def _rq_reminder(rng: random.Random, lang: str) -> Req:
    h = rng.choice([6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21])
    h12 = h % 12 or 12
    what = rng.choice(_REMIND_WHAT)[LANGS.index(lang)]
    if lang == "hi":
        when = f"{N.hindi_day_part(h)} {h12} बजे"
        user = rng.choice([f"{when} {what} की याद दिला देना।", f"मुझे {when} {what} की याद दिलाना।"])
    elif lang == "en":
        when = f"{h12} {'am' if h < 12 else 'pm'}"
        user = rng.choice([f"Remind me at {when} to {what}.", f"At {when}, remind me to {what}."])
    else:
        when = f"{N.hinglish_day_part(h)} {h12} baje"
        user = rng.choice([f"Mujhe {when} {what} ki yaad dila dena.",
                           f"Reminder lagao, {when} {what} ka."])
    result = {"ok": True, "at": f"{h:02d}:00"}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        hh = int(res["at"][:2])
        k = h12 if hh == h else (hh % 12 or 12)
        w_ = what if lg == lang else r.choice(_REMIND_WHAT)[LANGS.index(lg)]
        return {"hi": f"ठीक है, {N.hindi_day_part(hh)} {k} बजे {w_} की याद दिला दूँगी।",
                "en": f"Okay, I'll remind you at {k} {'am' if hh < 12 else 'pm'} to {w_}.",
                "hinglish": f"Theek hai, {N.hinglish_day_part(hh)} {k} baje {w_} ki yaad dila "
                            "dungi."}[lg]

    def fake(r: random.Random) -> dict[str, Any]:
        return {"ok": True, "at": f"{r.choice([x for x in range(6, 22) if x != h]):02d}:00"}

    def alter(r: random.Random) -> dict[str, Any]:
        o = r.choice([x for x in (6, 7, 8, 9, 10, 11) if x != h12])
        return {"time": when.replace(f"{h12}", f"{o}"), "text": what}

    return Req("reminder", user, {"time": when, "text": what}, result, word, fake=fake,
               alter=alter, must=[[f"n:{h12}", f"n:{h}"]])


# -- small tools: random number, dice, coin, battery, volume ------------------------------------

def _rq_random(rng: random.Random, lang: str) -> Req:
    lo, hi = rng.choice([(1, 10), (1, 100), (1, 6), (10, 50), (1, 1000), (0, 9)])
    user = _pick(rng, lang, {
        "hi": [f"{lo} से {hi} के बीच कोई नंबर चुनो।", f"{lo} और {hi} के बीच एक नंबर बोलो।"],
        "en": [f"Pick a number between {lo} and {hi}.", f"Give me a random number from {lo} to {hi}."],
        "hinglish": [f"{lo} se {hi} ke beech koi number bolo.", f"{lo} aur {hi} ke beech ek number chuno."]})
    n = rng.randint(lo, hi)
    result = {"number": n}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        x = res["number"]
        return {"hi": r.choice([f"आपका नंबर है {x}।", f"मैंने {x} चुना।"]),
                "en": r.choice([f"Your number is {x}.", f"I picked {x}."]),
                "hinglish": r.choice([f"Aapka number hai {x}.", f"Maine {x} chuna."])}[lg]

    def fake(r: random.Random) -> dict[str, Any]:
        return {"number": r.choice([x for x in range(lo, hi + 1) if x not in (n, lo, hi)]
                                   or [hi + 7])}

    def alter(r: random.Random) -> dict[str, Any]:
        return r.choice([{"low": hi, "high": lo}, {"low": lo, "high": hi * 10}, {"low": lo + 1, "high": hi}])

    return Req("random_number", user, {"low": lo, "high": hi}, result, word, fake=fake,
               alter=alter, must=[[f"n:{n}"]])


def _rq_dice(rng: random.Random, lang: str) -> Req:
    sides = rng.choice([None, None, 6, 12, 20])
    if sides is None:
        user = _pick(rng, lang, {"hi": ["एक पासा फेंको।", "पासा फेंक कर बताओ।"],
                                 "en": ["Roll a die.", "Roll the dice for me."],
                                 "hinglish": ["Ek dice roll karo.", "Paasa phenko."]})
    else:
        user = _pick(rng, lang, {"hi": [f"{sides} खानों वाला पासा फेंको।"],
                                 "en": [f"Roll a {sides}-sided die."],
                                 "hinglish": [f"{sides} side wala dice roll karo."]})
    n = rng.randint(1, sides or 6)
    result = {"roll": n, "sides": sides or 6}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        x = res["roll"]
        return {"hi": f"पासे पर {x} आया।", "en": f"You rolled a {x}.",
                "hinglish": f"Dice par {x} aaya."}[lg]

    def fake(r: random.Random) -> dict[str, Any]:
        return {**result, "roll": r.choice([x for x in range(1, (sides or 6) + 1)
                                            if x not in (n, sides or 6)])}

    return Req("dice", user, {"sides": sides} if sides else {}, result, word, fake=fake,
               must=[[f"n:{n}"]])


def _rq_coin(rng: random.Random, lang: str) -> Req:
    user = _pick(rng, lang, {"hi": ["सिक्का उछालो।", "टॉस करो।"],
                             "en": ["Flip a coin.", "Heads or tails? Toss a coin."],
                             "hinglish": ["Sikka uchhaalo.", "Toss karo na."]})
    side = rng.choice(["heads", "tails"])
    result = {"side": side}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        s = res["side"]
        return {"hi": "चित आया।" if s == "heads" else "पट आया।",
                "en": f"It's {s}.", "hinglish": f"{_cap(s)} aaya."}[lg]

    return Req("coin_flip", user, {}, result, word,
               fake=lambda r: {"side": "tails" if side == "heads" else "heads"},
               must=[["w:चित" if side == "heads" else "w:पट", f"w:{side}"]], numeric=False)


def _rq_battery(rng: random.Random, lang: str) -> Req:
    user = _pick(rng, lang, {"hi": ["बैटरी कितनी बची है?", "फ़ोन की बैटरी कितनी है?"],
                             "en": ["How much battery is left?", "What's the battery level?"],
                             "hinglish": ["Battery kitni bachi hai?", "Phone ki battery kitni hai?"]})
    p = rng.randint(3, 100)
    charging = rng.random() < 0.3
    result = {"percent": p, "charging": charging}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        x = res["percent"]
        ch = res["charging"]
        return {"hi": f"बैटरी {x} प्रतिशत है" + (" और चार्ज हो रही है।" if ch else "।"),
                "en": f"The battery is {x} percent full" + (" and charging." if ch else "."),
                "hinglish": f"Battery {x} percent hai" + (" aur charge ho rahi hai." if ch else ".")}[lg]

    def fake(r: random.Random) -> dict[str, Any]:
        return {**result, "percent": r.choice([x for x in range(1, 101) if abs(x - p) > 5])}

    return Req("battery", user, {}, result, word, fake=fake, must=[[f"n:{p}"]])


def _rq_volume(rng: random.Random, lang: str) -> Req:
    level = rng.choice([10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 100, 150])
    user = _pick(rng, lang, {"hi": [f"आवाज़ {level} कर दो।", f"वॉल्यूम {level} पर रखो।"],
                             "en": [f"Set the volume to {level}.", f"Volume {level}, please."],
                             "hinglish": [f"Awaaz {level} kar do.", f"Volume {level} pe rakho."]})
    ok = level <= 100
    err = {"error": "level must be between 0 and 100"}
    result = {"ok": True, "level": level} if ok else err
    success = {"ok": True, "level": level}

    def word(res: dict[str, Any], lg: str, r: random.Random) -> str:
        x = res.get("level", level)
        return {"hi": f"ठीक है, आवाज़ {x} पर कर दी है।", "en": f"Okay, the volume is now {x}.",
                "hinglish": f"Theek hai, volume {x} kar diya."}[lg]

    def alter(r: random.Random) -> dict[str, Any]:
        return {"level": r.choice([x for x in (5, 15, 35, 55, 100) if x != level])}

    return Req("volume", user, {"level": level}, result, word, alter=alter,
               fake=(lambda r: {"ok": True, "level": r.choice([x for x in (15, 35, 45, 65, 85)
                                                               if x != level])}) if ok else None,
               error=err if not ok else None, claimed=success,
               apology=lambda lg, r: {"hi": "माफ़ कीजिए, आवाज़ 0 से 100 के बीच ही हो सकती है।",
                                      "en": "Sorry, the volume can only be from 0 to 100.",
                                      "hinglish": "Sorry, volume 0 se 100 ke beech hi ho sakta hai."}[lg],
               must=[[f"n:{level}"]])


# -- the families ---------------------------------------------------------------------------------

def _real(key: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple]:
    """Name, description and parameters of one of VAANI's own tools, from its plugin."""
    import importlib

    tool = importlib.import_module(f"vaani_{key}").vaani_tools()[0]
    return ((tool.name,), (tool.description,),
            tuple((p, t, (p,)) for p, t in tool.parameters.items()))


def _families() -> dict[str, Family]:
    out = []
    for key, ability, fn, acts in (
            ("clock", ("समय-तारीख़", "the time and date", "time aur date"), _rq_clock, False),
            ("timer", ("टाइमर", "timers", "timer"), _rq_timer, True),
            ("calculator", ("हिसाब", "calculations", "hisaab"), _rq_calc, False)):
        names, descs, params = _real(key)
        out.append(Family(key, names, descs, params, ability, acts, True, fn))
    out += [
        Family("weather", ("weather", "weather_now", "city_weather"),
               ("weather for a city (from the last sync)", "current weather of a city",
                "temperature and sky for a city"), (("city", "string", ("city", "place")),),
               ("मौसम की जानकारी", "the weather", "mausam ki jaankari"), request=_rq_weather),
        Family("translate", ("translate", "translator", "word_translate"),
               ("translate a word between Hindi and English", "translate a word",
                "say a word in another language"),
               (("word", "string", ("word", "text")), ("to", "string", ("to", "target", "language"))),
               ("शब्दों के अनुवाद", "translating words", "words ke translation"),
               request=_rq_translate),
        Family("note_add", ("note_add", "add_note", "notes_write"),
               ("save a short note", "add a note to the user's notes", "write down a note"),
               (("text", "string", ("text", "note", "content")),),
               ("नोट लिखने", "notes", "notes likhne"), acts=True, request=_rq_note_add),
        Family("note_list", ("note_list", "read_notes", "notes_read"),
               ("read the saved notes", "list the user's notes", "all saved notes"), (),
               ("नोट पढ़ने", "reading your notes", "notes padhne"), request=_rq_note_list),
        Family("unit_convert", ("unit_convert", "convert_units", "converter"),
               ("convert a value between units", "change a measurement to another unit",
                "unit conversion (length, weight, temperature, volume)"),
               (("value", "number", ("value", "amount", "quantity")),
                ("from", "string", ("from", "from_unit", "source")),
                ("to", "string", ("to", "to_unit", "target_unit"))),
               ("इकाइयाँ बदलने", "converting units", "units badalne"), request=_rq_unit),
        Family("reminder", ("reminder", "remind_me", "set_reminder"),
               ("remind the user at a time", "set a reminder for later",
                "reminders at a given time"),
               (("time", "string", ("time", "when", "at")), ("text", "string", ("text", "what", "task"))),
               ("रिमाइंडर", "reminders", "reminder"), acts=True, request=_rq_reminder),
        Family("random_number", ("random_number", "pick_number", "randint"),
               ("pick a random whole number in a range", "a random number between two numbers",
                "random integer from low to high"),
               (("low", "integer", ("low", "min", "start")), ("high", "integer", ("high", "max", "end"))),
               ("कोई भी नंबर चुनने", "random numbers", "random number"), request=_rq_random),
        Family("dice", ("dice", "roll_dice", "die_roll"),
               ("roll a die (6 sides unless told)", "throw a dice", "roll dice with optional sides"),
               (("sides", "integer", ("sides", "faces")),),
               ("पासा फेंकने", "rolling dice", "dice"), request=_rq_dice),
        Family("coin_flip", ("coin_flip", "toss", "flip_coin"),
               ("toss a coin: heads or tails", "flip a coin", "coin toss"), (),
               ("सिक्का उछालने", "tossing a coin", "sikka uchhaalne"), request=_rq_coin),
        Family("battery", ("battery", "battery_level", "power_status"),
               ("battery level of this device", "how charged the device is",
                "battery percent and charging state"), (),
               ("बैटरी की जानकारी", "the battery level", "battery ki jaankari"), request=_rq_battery),
        Family("volume", ("volume", "set_volume", "speaker_volume"),
               ("set the speaker volume (0-100)", "change how loud VAANI speaks",
                "speaker loudness from 0 to 100"), (("level", "integer", ("level", "percent", "value")),),
               ("आवाज़ कम-ज़्यादा करने", "the volume", "awaaz kam-zyada karne"), acts=True,
               request=_rq_volume),
        # listed only (distractors): never asked for here
        Family("contact", ("contact_lookup", "find_contact"), ("phone number of a saved contact",
                                                                "look up a contact"),
               (("name", "string", ("name", "person")),), ("संपर्क ढूँढने", "finding contacts",
                                                           "contacts dhoondhne")),
        Family("recipe", ("recipe_find", "recipes"), ("find a saved recipe", "recipe for a dish"),
               (("dish", "string", ("dish", "food")),), ("रेसिपी ढूँढने", "finding recipes",
                                                        "recipe dhoondhne")),
        Family("steps", ("step_count", "pedometer"), ("steps walked today", "today's step count"),
               (), ("क़दम गिनने", "counting steps", "kadam ginne")),
        Family("spell", ("spell", "spell_word"), ("spell a word letter by letter", "spelling of a word"),
               (("word", "string", ("word", "term")),), ("स्पेलिंग बताने", "spelling words",
                                                        "spelling batane")),
        Family("stopwatch", ("stopwatch", "stop_watch"), ("start, stop or read a stopwatch",
                                                          "a stopwatch"),
               (("action", "string", ("action", "command")),), ("स्टॉपवॉच", "the stopwatch",
                                                                "stopwatch")),
        Family("day_count", ("days_until", "day_count"), ("days from today until a date",
                                                           "count days to a date"),
               (("date", "string", ("date", "day")),), ("दिन गिनने", "counting days", "din ginne")),
    ]
    return {f.key: f for f in out}


FAMILIES = _families()
REAL = ("clock", "timer", "calculator")
REQUESTABLE = tuple(k for k, f in FAMILIES.items() if f.request is not None)
MADE_UP = tuple(k for k in REQUESTABLE if k not in REAL)
DISTRACTORS = tuple(k for k, f in FAMILIES.items() if f.request is None)
# families whose results carry numbers a wrong wording can be caught on (DPO 'faithful')
_NAME_PREFIXES = ("", "", "", "get_", "my_", "vaani_", "do_")


def _signatures() -> dict[tuple[str, tuple[str, ...]], str]:
    """(tool name, parameter names) -> family, for every name any family may take."""
    import itertools

    out: dict[tuple[str, tuple[str, ...]], str] = {}
    for fam in FAMILIES.values():
        names = [p + n for n in fam.names for p in set(_NAME_PREFIXES)] if not fam.real \
            else list(fam.names)
        for name in names:
            for combo in itertools.product(*[ps for _, _, ps in fam.params]):
                key = (name, tuple(combo))
                if key in out and out[key] != fam.key:
                    raise AssertionError(f"two families share the signature {key}")
                out[key] = fam.key
    return out


_BY_SIGNATURE = _signatures()


@dataclass(frozen=True)
class Listed:
    """A tool as one prompt lists it: its family, the name and parameter names it has here."""

    family: Family
    name: str
    params: dict[str, str]            # canonical -> this schema's name
    schema: dict[str, Any]

    def args(self, canonical: dict[str, Any]) -> dict[str, Any]:
        return {self.params[k]: v for k, v in canonical.items()}


def instantiate(rng: random.Random, fam: Family, plain: bool = False) -> Listed:
    """One listing of a family: VAANI's tools as their plugins publish them; a made-up tool
    under a random name, parameter names and description (``plain``: the first of each)."""
    if fam.real or plain:
        name, desc = fam.names[0], fam.descriptions[0]
        params = {k: names[0] for k, _, names in fam.params}
    else:
        name = rng.choice(_NAME_PREFIXES) + rng.choice(fam.names)
        desc = rng.choice(fam.descriptions)
        params = {k: rng.choice(names) for k, _, names in fam.params}
    schema = _schema(name, desc, {params[k]: t for k, t, _ in fam.params})
    return Listed(fam, name, params, schema)


def listing(rng: random.Random, need: str | None = None, exclude: str | None = None,
            p_none: float = 0.12) -> list[Listed]:
    """The tools one prompt lists (empty: no tools line): each of VAANI's tools often, a few
    made-up ones and distractors, shuffled; ``need`` is always listed, ``exclude`` never."""
    if need is None and rng.random() < p_none:
        return []
    keys = [k for k in REAL if rng.random() < 0.7]
    keys += rng.sample(MADE_UP, rng.choice([0, 1, 1, 2, 2, 3]))
    keys += rng.sample(DISTRACTORS, rng.choice([0, 0, 1, 1, 2]))
    if need and need not in keys:
        keys.append(need)
    keys = [k for k in dict.fromkeys(keys) if k != exclude]
    rng.shuffle(keys)
    return [instantiate(rng, FAMILIES[k]) for k in keys]


def _guard_tools(uses: list[Listed]) -> list[SimpleNamespace]:
    """The listed tools as :func:`vaani.guard.out_of_scope` reads installed ones."""
    return [SimpleNamespace(name=u.name, description=u.schema["function"]["description"])
            for u in uses]


# ----------------------------------------------------------------------------- exchanges

def _call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": "", "tool_calls": [chat.tool_call(name, args)]}


def _result(obj: dict[str, Any]) -> dict[str, Any]:
    return {"role": "tool", "content": json.dumps(obj, ensure_ascii=False)}


def _say(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": text}


@dataclass
class Step:
    """One assistant turn of an exchange, what checks it (``kind``, ``expect``: a GRPO
    task's), and how to make a worse turn in its place, per DPO kind."""

    at: int                                   # index of the turn in the exchange
    kind: str                                 # tool_call | arithmetic | word_result | no_tool | decline
    expect: dict[str, Any]
    worse: dict[str, Callable[[random.Random], dict[str, Any] | None]] = field(default_factory=dict)


@dataclass
class Exchange:
    lang: str
    messages: list[dict[str, Any]]
    steps: list[Step]
    req: Req | None = None
    listed: Listed | None = None


def _other_lang(rng: random.Random, lang: str) -> str:
    return rng.choice([x for x in LANGS if x != lang])


def _text_worse(word: Callable[[str, random.Random], str], lang: str) -> Callable:
    """A rejected turn for the 'language' kind: the same reply in another language (one
    that a check can tell from the user's: "Maine 45 chuna" passes for English)."""
    def make(r: random.Random) -> dict[str, Any] | None:
        others = [x for x in LANGS if x != lang]
        r.shuffle(others)
        for other in others:
            text = word(other, r)
            if not language_ok(text, lang):
                return _say(text)
        return None
    return make


def _spurious(uses: list[Listed], user: str) -> Callable[[random.Random], dict[str, Any] | None]:
    """A call nobody asked for, to one of the listed tools (or to the clock)."""
    def make(r: random.Random) -> dict[str, Any] | None:
        if not uses:
            return _call("clock", {})
        u = r.choice(uses)
        args = {}
        for k, t, _ in u.family.params:
            if r.random() < 0.6 or not args:
                args[u.params[k]] = r.choice([5, 10, 2]) if t in ("integer", "number") else \
                    r.choice(user.split()).strip("?.!,।")
        return _call(u.name, args)
    return make


def ex_tool(rng: random.Random, lang: str, uses: list[Listed], fam: str | None = None,
            error: bool | None = None, req: Req | None = None) -> Exchange:
    """A request for a listed tool: the call, its result, the worded answer (or, on an
    error result, an apology)."""
    use = next(u for u in uses if u.family.key == fam) if fam else \
        rng.choice([u for u in uses if u.family.request is not None])
    if req is None and use.family.key == "calculator" and error is not False \
            and rng.random() < 0.05:
        req = _rq_divzero(rng, lang)              # "divide 7 by 0": the calculator's error
    if req is None:
        for _ in range(20):
            req = use.family.request(rng, lang)
            # a request the runtime's guard would decline before asking the model (a word
            # problem with "दाम" in it reads as a question about prices) is not asked here
            if guard.out_of_scope(req.user, _guard_tools(uses)) is None:
                break
    if error is None:
        error = req.error is not None and rng.random() < 0.15
    error = req.error is not None and (error or "error" in req.result)
    result = req.error if error else req.result
    call = _call(use.name, use.args(req.args))
    if error:
        text = req.apology(lang, rng) if req.apology else _apology(lang, rng)
    else:
        text = req.word(req.result, lang, rng)
    msgs = [{"role": "user", "content": req.user}, call, _result(result), _say(text)]
    names = [u.name for u in uses]
    arith = use.family.key == "calculator" and not error
    call_expect: dict[str, Any] = {"tool": use.name, "arguments": use.args(req.args)}
    if arith:
        call_expect = {"tool": use.name, "value": req.value, "stage": "call",
                       "argument": use.params["expression"]}

    def unlisted(r: random.Random) -> dict[str, Any]:
        pool = [p + n for n in use.family.names for p in ("", "get_")] + \
            {"clock": ["time", "get_time"], "timer": ["set_timer", "countdown"],
             "calculator": ["calc", "math"]}.get(use.family.key, [])
        pool = [n for n in pool if n not in names]
        return _call(r.choice(pool), use.args(req.args))

    def altered(r: random.Random) -> dict[str, Any] | None:
        return _call(use.name, use.args(req.alter(r))) if req.alter else None

    def declined(r: random.Random) -> dict[str, Any]:
        # the decline that is right when the tool is not listed (ex_missing's), said while it is
        others = [u for u in uses if u is not use]
        reason, topic = _missing_reason(req.user, use.family.key, others)
        return _say(decline_text(reason, lang, [u.schema for u in others], topic))

    call_step = Step(1, "arithmetic" if arith else "tool_call", call_expect,
                     {"tool_choice:unlisted": unlisted, "tool_choice:arguments": altered,
                      "tool_choice:declined": declined})
    ans_expect: dict[str, Any] = {"result": result, "arguments": use.args(req.args),
                                  "error": error, "tool": use.name}
    worse: dict[str, Callable] = {"language": _text_worse(
        lambda lg, r: (req.apology(lg, r) if req.apology else _apology(lg, r)) if error
        else req.word(req.result, lg, r), lang)}
    if error:
        ans_expect["acts"] = use.family.acts
        claimed = req.claimed or (req.result if "error" not in req.result else None)
        worse["claim"] = (lambda r: _say(req.word(claimed, lang, r))) if claimed else \
            (lambda r: None)
    else:
        ans_expect["must"] = req.must
        if req.fake and req.numeric:
            def unfaithful(r: random.Random) -> dict[str, Any] | None:
                for _ in range(8):
                    text_ = req.word(req.fake(r), lang, r)
                    if _unfaithful(text_, result, req.args, req.user, lang):
                        return _say(text_)
                return None
            worse["faithful"] = unfaithful
    if arith:
        ans_expect = {**ans_expect, "value": req.value, "stage": "word"}
    ans_step = Step(3, "arithmetic" if arith else "word_result", ans_expect, worse)
    return Exchange(lang, msgs, [call_step, ans_step], req, use)


def _unfaithful(text: str, result: dict[str, Any], args: dict[str, Any], question: str,
                lang: str) -> str:
    from training.rewards import unfaithful

    return unfaithful(text, result, args, question, lang)


# requests to do something (declined with "I can't do that"), not questions ("I can't answer")
_DOING = ("timer", "note_add", "reminder", "volume", "dice", "coin_flip", "random_number")


def _missing_reason(user: str, fam: str, uses: list[Listed]) -> tuple[str, str]:
    """Why a request for ``fam``'s tool is declined when ``uses`` are the listed tools: the
    runtime guard's reason and topic, else "I can't do that" for an action and "I can't
    answer" for a question."""
    scope = guard.out_of_scope(user, _guard_tools(uses))
    return scope if scope else ("tool_failed" if fam in _DOING else "unsure", "")


def ex_missing(rng: random.Random, lang: str, uses: list[Listed],
               fam: str | None = None) -> Exchange:
    """A request whose tool is not listed: declined, saying what the listed tools can do."""
    listed = {u.family.key for u in uses}
    fam = fam or rng.choice([k for k in REQUESTABLE if k not in listed])
    req = FAMILIES[fam].request(rng, lang)
    tools = [u.schema for u in uses]
    reason, topic = _missing_reason(req.user, fam, uses)
    text = decline_text(reason, lang, tools, topic)
    invented = req.result if "error" not in req.result else (req.fake(rng) if req.fake else None)
    worse: dict[str, Callable] = {
        "language": _text_worse(lambda lg, r: decline_text(reason, lg, tools, topic), lang),
        "tool_choice:unlisted": lambda r: _call(instantiate(r, FAMILIES[fam], plain=True).name,
                                                req.args),
        "decline": (lambda r: _say(req.word(invented, lang, r))) if invented else
        (lambda r: None)}
    step = Step(1, "decline", {"reason": reason, "topic": topic, "need": fam}, worse)
    return Exchange(lang, [{"role": "user", "content": req.user}, _say(text)], [step])


# -- out of scope ------------------------------------------------------------------------------

_COUNTRIES = [("फ़्रांस", "France", "France"), ("जापान", "Japan", "Japan"), ("रूस", "Russia", "Russia"),
              ("ब्राज़ील", "Brazil", "Brazil"), ("मिस्र", "Egypt", "Egypt"), ("कनाडा", "Canada", "Canada"),
              ("जर्मनी", "Germany", "Germany"), ("इटली", "Italy", "Italy"), ("नेपाल", "Nepal", "Nepal"),
              ("स्पेन", "Spain", "Spain"), ("केन्या", "Kenya", "Kenya"), ("पेरू", "Peru", "Peru"),
              ("नॉर्वे", "Norway", "Norway"), ("तुर्की", "Turkey", "Turkey")]
_THINGS = [("टेलीफ़ोन", "the telephone", "telephone"), ("बल्ब", "the light bulb", "bulb"),
           ("रेडियो", "the radio", "radio"), ("हवाई जहाज़", "the aeroplane", "hawai jahaaz"),
           ("कंप्यूटर", "the computer", "computer"), ("साइकिल", "the bicycle", "cycle")]
_PLACES = [("क़ुतुब मीनार", "the Qutub Minar", "Qutub Minar"), ("चारमीनार", "the Charminar", "Charminar"),
           ("हवा महल", "Hawa Mahal", "Hawa Mahal"), ("इंडिया गेट", "India Gate", "India Gate"),
           ("गोल गुंबज", "Gol Gumbaz", "Gol Gumbaz"), ("सांची स्तूप", "the Sanchi Stupa", "Sanchi Stupa")]


def _world(rng: random.Random, lang: str) -> tuple[str, str]:
    """(question, an invented answer) about the world, which VAANI does not answer from
    memory."""
    i = LANGS.index(lang)
    c, t, p = rng.choice(_COUNTRIES), rng.choice(_THINGS), rng.choice(_PLACES)
    city = rng.choice(L.CITIES)
    cn = city[0] if lang == "hi" else city[1]
    year = rng.randint(1200, 1990)
    n = rng.randint(2, 90) * 100_000
    name = G._name(rng, lang)
    table = {
        "hi": [(f"{c[0]} की राजधानी कौन सी है?", f"{c[0]} की राजधानी {cn} है।"),
               (f"{t[0]} का आविष्कार किसने किया था?", f"{t[0]} का आविष्कार {name} ने किया था।"),
               (f"{p[0]} कब बना था?", f"{p[0]} सन {year} में बना था।"),
               (f"{cn} की आबादी कितनी है?", f"{cn} की आबादी {N.indian_grouping(n)} है।"),
               (f"{p[0]} कितना ऊँचा है?", f"{p[0]} {rng.randint(20, 90)} मीटर ऊँचा है।"),
               (f"{c[0]} में कौन सी भाषा बोली जाती है?", f"{c[0]} में हिंदी बोली जाती है।"),
               ("आसमान नीला क्यों दिखता है?", "क्योंकि समुद्र का रंग आसमान में दिखता है।"),
               (f"{c[0]} किस महाद्वीप में है?", f"{c[0]} एशिया में है।")],
        "en": [(f"Which city is the capital of {c[1]}?", f"The capital of {c[1]} is {cn}."),
               (f"Who invented {t[1]}?", f"{t[1][:1].upper() + t[1][1:]} was invented by {name}."),
               (f"When was {p[1]} built?", f"{_cap(p[1])} was built in {year}."),
               (f"What is the population of {cn}?", f"About {N.lakh_crore_en(n)} people live in {cn}."),
               (f"How tall is {p[1]}?", f"{_cap(p[1])} is {rng.randint(20, 90)} metres tall."),
               (f"What language do people speak in {c[1]}?", f"People in {c[1]} speak Hindi."),
               ("Why do cats purr?", "Cats purr because they are hungry."),
               (f"On which continent is {c[1]}?", f"{c[1]} is in Asia.")],
        "hinglish": [(f"{c[2]} ki capital kaunsi hai?", f"{c[2]} ki capital {cn} hai."),
                     (f"{_cap(t[2])} ka invention kisne kiya tha?", f"{_cap(t[2])} {name} ne banaya tha."),
                     (f"{p[2]} kab bana tha?", f"{p[2]} {year} mein bana tha."),
                     (f"{cn} ki population kitni hai?", f"{cn} ki population {N.lakh_crore_en(n)} hai."),
                     (f"{p[2]} kitna ooncha hai?", f"{p[2]} {rng.randint(20, 90)} metre ooncha hai."),
                     (f"{c[2]} mein kaunsi bhasha boli jaati hai?", f"{c[2]} mein Hindi boli jaati hai."),
                     ("Aasmaan neela kyun dikhta hai?", "Kyunki samundar ka rang aasmaan mein dikhta hai."),
                     (f"{c[2]} kis continent mein hai?", f"{c[2]} Asia mein hai.")],
    }
    return rng.choice(table[lang])


def _not_the_clock(rng: random.Random, lang: str) -> tuple[str, str]:
    """Questions with time words that the local clock cannot answer."""
    c = rng.choice(_COUNTRIES)
    h = rng.randint(1, 12)
    return rng.choice({
        "hi": [(f"{c[0]} में अभी कितने बजे हैं?", f"{c[0]} में अभी {h} बजे हैं।"),
               ("बैंक कितने बजे खुलता है?", f"बैंक सुबह {h} बजे खुलता है।"),
               ("दिवाली में कितने दिन बाकी हैं?", f"दिवाली में {h * 3} दिन बाकी हैं।")],
        "en": [(f"What time is it in {c[1]} right now?", f"It's {h} o'clock in {c[1]}."),
               ("What time does the bank open?", f"The bank opens at {h} am."),
               ("How many days until Diwali?", f"Diwali is {h * 3} days away.")],
        "hinglish": [(f"{c[2]} mein abhi kitne baje hain?", f"{c[2]} mein abhi {h} baje hain."),
                     ("Bank kitne baje khulta hai?", f"Bank subah {h} baje khulta hai."),
                     ("Diwali mein kitne din baaki hain?", f"Diwali mein {h * 3} din baaki hain.")]}[lang])


def _live(rng: random.Random, lang: str) -> tuple[str, str]:
    """(request for live information or an action no tool offers, an invented answer)."""
    city = rng.choice(L.CITIES)
    cn = city[0] if lang == "hi" else city[1]
    name = G._name(rng, lang)
    n = rng.randint(2, 9)
    price = rng.randint(50, 99) * 1000
    bank = {
        "hi": [(f"कल {cn} में बारिश होगी क्या?", f"हाँ, कल {cn} में बारिश होगी।"),
               (f"आज {cn} का मौसम कैसा रहेगा?", f"आज {cn} में धूप रहेगी और {n + 25} डिग्री होगा।"),
               ("आज की ताज़ा ख़बरें सुनाओ।", "आज सरकार ने नया क़ानून पास किया।"),
               ("आज सोने का भाव क्या है?", f"आज सोना {N.indian_grouping(price)} रुपये है।"),
               ("पेट्रोल का रेट क्या चल रहा है?", f"पेट्रोल {n + 95} रुपये लीटर है।"),
               ("आज के मैच का स्कोर क्या है?", f"भारत ने {n} विकेट से मैच जीत लिया।"),
               (f"{city[2]} के मुख्यमंत्री कौन हैं?", f"{name} {city[2]} के मुख्यमंत्री हैं।"),
               (f"{name} को मैसेज भेज दो कि मैं देर से आऊँगा।", "ठीक है, मैसेज भेज दिया।"),
               (f"{name} को फ़ोन लगाओ।", f"{name} को फ़ोन लगा रही हूँ।"),
               (f"{cn} के लिए ट्रेन का टिकट बुक करो।", "टिकट बुक कर दिया है।"),
               ("कोई पुराना गाना बजाओ।", "गाना बजा रही हूँ।"),
               (f"सुबह {n} बजे का अलार्म लगा दो।", f"सुबह {n} बजे का अलार्म लगा दिया।"),
               ("पंखा बंद कर दो।", "पंखा बंद कर दिया।")],
        "en": [(f"Will it rain in {cn} tomorrow?", f"Yes, it will rain in {cn} tomorrow."),
               (f"What's the weather forecast for {cn}?", f"It will be sunny and {n + 25} degrees."),
               ("What's in the news today?", "Today the government passed a new law."),
               ("What is the gold rate today?", f"Gold is at {price} rupees today."),
               ("How much does a litre of petrol cost now?", f"Petrol costs {n + 95} rupees a litre."),
               ("What's the score of today's match?", f"India won by {n} wickets."),
               (f"Who is the current chief minister of {city[3]}?", f"{name} is the chief minister."),
               (f"Send a message to {name} that I'll be late.", "Okay, I've sent the message."),
               (f"Call {name} on the phone.", f"Calling {name} now."),
               (f"Book a train ticket to {cn} for me.", "I've booked your ticket."),
               ("Play some old songs.", "Playing some old songs for you."),
               (f"Set an alarm for {n} in the morning.", f"Your alarm is set for {n} am."),
               ("Turn off the lights in the bedroom.", "I've turned off the lights.")],
        "hinglish": [(f"Kal {cn} mein baarish hogi kya?", f"Haan, kal {cn} mein baarish hogi."),
                     (f"Aaj {cn} ka mausam kaisa rahega?", f"Aaj {cn} mein dhoop rahegi."),
                     ("Aaj ki khabar sunao.", "Aaj sarkar ne naya kanoon pass kiya."),
                     ("Aaj sone ka bhaav kya hai?", f"Aaj sona {price} rupaye hai."),
                     ("Petrol ka rate kya chal raha hai?", f"Petrol {n + 95} rupaye litre hai."),
                     ("Aaj ke match ka score kya hai?", f"India ne {n} wicket se match jeet liya."),
                     (f"{city[3]} ka CM kaun hai?", f"{name} {city[3]} ke CM hain."),
                     (f"{name} ko message bhej do ki main late aaunga.", "Theek hai, message bhej diya."),
                     (f"{name} ko phone lagao.", f"{name} ko phone laga rahi hoon."),
                     (f"{cn} ke liye train ka ticket book karo.", "Ticket book kar diya hai."),
                     ("Koi purana gaana bajao.", "Gaana baja rahi hoon."),
                     (f"Subah {n} baje ka alarm laga do.", f"Subah {n} baje ka alarm laga diya."),
                     ("Pankha band kar do.", "Pankha band kar diya.")],
    }
    return rng.choice(bank[lang])


def ex_scope(rng: random.Random, lang: str, uses: list[Listed]) -> Exchange:
    """Something an offline assistant must decline whatever tools are listed: live
    information, an action no listed tool offers, knowledge of the world; the reason is the
    guard's (:func:`vaani.guard.out_of_scope` with the listed tools) where it has one."""
    tools = [u.schema for u in uses]
    r = rng.random()
    for _ in range(20):
        if r < 0.45:
            q, invented = _live(rng, lang)
        elif r < 0.85:
            q, invented = _world(rng, lang)
        else:
            q, invented = _not_the_clock(rng, lang)
        scope = guard.out_of_scope(q, _guard_tools(uses))
        if r >= 0.45 or scope is not None:
            break
        # a listed tool serves this request (a reminder tool for an alarm): ask another
    else:
        q, invented = _world(rng, lang)
        scope = guard.out_of_scope(q, _guard_tools(uses))
    reason, topic = scope if scope else ("unsure", "")
    text = decline_text(reason, lang, tools, topic)
    worse = {"language": _text_worse(lambda lg, r: decline_text(reason, lg, tools, topic), lang),
             "decline": lambda r: _say(invented),
             "tool_choice:spurious": _spurious(uses, q)}
    step = Step(1, "decline", {"reason": reason, "topic": topic}, worse)
    return Exchange(lang, [{"role": "user", "content": q}, _say(text)], [step])


# -- no tool: small talk, VAANI itself -------------------------------------------------------------

def _about_vaani(rng: random.Random, lang: str,
                 tools: list[dict[str, Any]]) -> tuple[str, Callable, list[str]]:
    abilities = {lg: abilities_of(tools, lg) for lg in LANGS}

    def can(lg: str, r: random.Random) -> str:
        ab = abilities[lg]
        if not ab:
            return {"hi": "मैं वाणी हूँ, आपकी ऑफ़लाइन वॉइस असिस्टेंट। मुझसे बात कीजिए!",
                    "en": "I'm VAANI, your offline voice assistant. Just talk to me!",
                    "hinglish": "Main Vaani hoon, aapki offline voice assistant. Mujhse baat karo!"}[lg]
        if lg in ("hi", "en"):
            return guard.abilities_sentence(ab, lg)
        return f"Main {_join_hinglish(ab)} mein madad kar sakti hoon."

    me = ["वाणी", "VAANI", "Vaani"]
    options = [
        ({"hi": "तुम क्या-क्या कर सकती हो?", "en": "What can you help me with?",
          "hinglish": "Tum kya kya kar sakti ho?"}, can, abilities[lang] or me),
        ({"hi": "तुम्हारा नाम क्या है?", "en": "What's your name?", "hinglish": "Tumhara naam kya hai?"},
         lambda lg, r: {"hi": "मेरा नाम वाणी है। मैं आपकी वॉइस असिस्टेंट हूँ।",
                        "en": "My name is VAANI. I'm your voice assistant.",
                        "hinglish": "Mera naam Vaani hai. Main aapki voice assistant hoon."}[lg], me),
        ({"hi": "क्या तुम्हें इंटरनेट चाहिए?", "en": "Do you need the internet to work?",
          "hinglish": "Kya tumhe internet chahiye?"},
         lambda lg, r: {"hi": "नहीं, मैं पूरी तरह ऑफ़लाइन काम करती हूँ।",
                        "en": "No, I work completely offline.",
                        "hinglish": "Nahi, main poori tarah offline kaam karti hoon."}[lg],
         ["offline", "ऑफ़लाइन"]),
        ({"hi": "तुम कौन-कौन सी भाषाएँ समझती हो?", "en": "Which languages do you understand?",
          "hinglish": "Tum kaunsi languages samajhti ho?"},
         lambda lg, r: {"hi": "मैं हिंदी और अंग्रेज़ी समझती हूँ, और दोनों को मिलाकर भी।",
                        "en": "I understand Hindi and English, and a mix of the two.",
                        "hinglish": "Main Hindi aur English samajhti hoon, aur dono ka mix bhi."}[lg],
         ["Hindi", "हिंदी"]),
        ({"hi": "क्या तुम इंसान हो?", "en": "Are you a human?", "hinglish": "Kya tum insaan ho?"},
         lambda lg, r: {"hi": "नहीं, मैं इसी डिवाइस पर चलने वाला कंप्यूटर प्रोग्राम हूँ।",
                        "en": "No, I'm a computer program running on this device.",
                        "hinglish": "Nahi, main computer program hoon jo isi device par chalta hai."}[lg],
         ["program", "प्रोग्राम"]),
    ]
    q, answer, accept = rng.choice(options)
    return q[lang], answer, accept


_CHAT = [  # (user hi, en, hinglish), (reply hi, en, hinglish), words a reply says (hi, en, hg)
    (("आप कैसी हैं?", "How are you doing?", "Kaisi ho?"),
     ("मैं ठीक हूँ, धन्यवाद! बताइए, क्या मदद करूँ?", "I'm fine, thank you! How can I help?",
      "Main theek hoon, thank you! Batao, kya madad karoon?"),
     (["ठीक"], ["fine", "well"], ["theek"])),
    (("बहुत-बहुत शुक्रिया!", "Thanks a lot!", "Bahut shukriya!"),
     ("आपका स्वागत है!", "You're welcome!", "Koi baat nahi, khushi hui!"),
     (["स्वागत"], ["welcome"], ["koi baat nahi", "welcome"])),
    (("अच्छा, अब चलता हूँ।", "Okay, talk to you later.", "Achha, ab chalta hoon."),
     ("ठीक है, फिर मिलते हैं!", "Sure, talk to you soon!", "Theek hai, phir milte hain!"),
     (["मिलते"], ["talk to you", "bye"], ["milte"])),
    (("मैं बहुत थका हुआ हूँ।", "I'm really tired.", "Main bahut thak gaya hoon."),
     ("थोड़ा आराम कर लीजिए, पानी पीजिए।", "Take a little rest and drink some water.",
      "Thoda aaram kar lo, paani piyo."),
     (["आराम"], ["rest"], ["aaram"])),
    (("मुझे नींद नहीं आ रही।", "I can't fall asleep.", "Mujhe neend nahi aa rahi."),
     ("गहरी साँस लीजिए और थोड़ी देर फ़ोन से दूर रहिए।", "Try slow deep breaths and keep the phone away for a while.",
      "Gehri saans lo aur thodi der phone se door raho."),
     (["साँस"], ["breath"], ["saans"])),
    (("तुम बहुत अच्छी हो।", "You're really nice.", "Tum bahut achhi ho."),
     ("धन्यवाद, यह सुनकर अच्छा लगा!", "Thank you, that's kind of you!", "Thank you, sunkar achha laga!"),
     (["धन्यवाद"], ["thank"], ["thank"])),
    (("मैं बोर हो रहा हूँ।", "I'm bored.", "Main bore ho raha hoon."),
     ("कोई किताब पढ़िए या थोड़ा टहल आइए!", "How about a book or a short walk?",
      "Koi book padho ya thoda ghoom aao!"),
     (["किताब", "टहल"], ["book", "walk"], ["book", "ghoom"])),
    (("मुझे कोई अच्छी बात कहो।", "Say something nice to me.", "Kuch achha bolo na."),
     ("आप जैसे हैं, बहुत अच्छे हैं!", "You're doing better than you think!", "Aap jaise ho, bahut achhe ho!"),
     (["अच्छे"], ["better", "great"], ["achhe"])),
    (("ठीक है।", "Okay.", "Theek hai."),
     ("कुछ और चाहिए तो बताइए।", "Let me know if you need anything else.", "Kuch aur chahiye to batana."),
     (["बताइए"], ["let me know"], ["batana"])),
    (("एक चुटकुला सुनाओ।", "Tell me a joke.", "Ek joke sunao."),
     ("टीचर: पेड़ से फल क्यों गिरता है? छात्र: क्योंकि उसे पकड़ने वाला कोई नहीं होता!",
      "Why did the computer go to the doctor? It had a virus!",
      "Teacher: Homework kyun nahi kiya? Student: Sir, light chali gayi thi, aur dimaag bhi!"),
     ([], [], [])),
]


def ex_chat(rng: random.Random, lang: str, uses: list[Listed]) -> Exchange:
    """Small talk or a question about VAANI: answered, never with a tool call."""
    tools = [u.schema for u in uses]
    i = LANGS.index(lang)
    r = rng.random()
    accept: list[str] = []
    if r < 0.25:
        g = rng.choice(L.GREETINGS[lang])
        user = {"hi": f"{g} वाणी!", "en": f"{g}, VAANI!", "hinglish": f"{g} Vaani!"}[lang]
        accept = [*L.GREETINGS[lang], "मदद", "help", "madad"]

        def word(lg: str, r_: random.Random) -> str:
            g_ = g if lg == lang else r_.choice(L.GREETINGS[lg])
            return {"hi": f"{g_}! बताइए, मैं आपकी क्या मदद कर सकती हूँ?",
                    "en": f"{g_}! How can I help you?",
                    "hinglish": f"{g_}! Batao, kya help karoon?"}[lg]
    elif r < 0.5:
        user, word, accept = _about_vaani(rng, lang, tools)
    elif r < 0.62:
        name = rng.choice(L.NAMES)
        user = {"hi": f"मेरा नाम {name[0]} है।", "en": f"My name is {name[1]}.",
                "hinglish": f"Mera naam {name[1]} hai."}[lang]

        def word(lg: str, r_: random.Random) -> str:
            n = name[0] if lg == "hi" else name[1]
            return {"hi": f"नमस्ते {n} जी, आपसे मिलकर ख़ुशी हुई!", "en": f"Nice to meet you, {n}!",
                    "hinglish": f"Hello {n}, aapse milkar khushi hui!"}[lg]
        ex = _one(user, word, lang, uses, [name[0] if lang == "hi" else name[1]])
        ask = {"hi": "मेरा नाम क्या है?", "en": "What's my name?", "hinglish": "Mera naam kya hai?"}[lang]

        def recall(lg: str, r_: random.Random) -> str:
            n = name[0] if lg == "hi" else name[1]
            return {"hi": f"आपका नाम {n} है।", "en": f"Your name is {n}.",
                    "hinglish": f"Aapka naam {n} hai."}[lg]
        if rng.random() < 0.6:
            later = _one(ask, recall, lang, uses, [name[0] if lang == "hi" else name[1]])
            later.steps[0].at += 2
            return Exchange(lang, ex.messages + later.messages, ex.steps + later.steps)
        return ex
    else:
        q, a, words = rng.choice(_CHAT)
        user = q[i]
        accept = list(words[i])

        def word(lg: str, r_: random.Random) -> str:
            return a[LANGS.index(lg)]
    return _one(user, word, lang, uses, accept)


def _one(user: str, word: Callable[[str, random.Random], str], lang: str, uses: list[Listed],
         accept: list[str]) -> Exchange:
    rng0 = random.Random(user)
    text = word(lang, rng0)
    worse = {"language": _text_worse(word, lang), "tool_choice:spurious": _spurious(uses, user)}
    expect: dict[str, Any] = {"accept": accept} if accept else {}
    return Exchange(lang, [{"role": "user", "content": user}, _say(text)],
                    [Step(1, "no_tool", expect, worse)])


# ----------------------------------------------------------------------------- scenes

@dataclass
class Scene:
    """A conversation: the listed tools and the exchanges, in order."""

    lang: str
    system: list[dict[str, Any]]
    uses: list[Listed]
    exchanges: list[Exchange]

    @property
    def tools(self) -> list[dict[str, Any]] | None:
        return [u.schema for u in self.uses] or None

    def messages(self) -> list[dict[str, Any]]:
        out = list(self.system)
        for ex in self.exchanges:
            out += ex.messages
        return out

    def turn_langs(self) -> list[str | None]:
        """The language of each message's exchange (None for system turns)."""
        out: list[str | None] = [None] * len(self.system)
        for ex in self.exchanges:
            out += [ex.lang] * len(ex.messages)
        return out

    def before(self, ex_i: int, step: Step) -> list[dict[str, Any]]:
        """The conversation up to (not including) ``step`` of exchange ``ex_i``."""
        out = list(self.system)
        for ex in self.exchanges[:ex_i]:
            out += ex.messages
        return out + self.exchanges[ex_i].messages[:step.at]


_EX_WEIGHTS = {"tool": 0.44, "missing": 0.08, "scope": 0.18, "chat": 0.30}


def _exchange(rng: random.Random, lang: str, uses: list[Listed], kind: str) -> Exchange:
    requestable = [u for u in uses if u.family.request is not None]
    if kind == "tool" and requestable:
        return ex_tool(rng, lang, uses)
    if kind in ("tool", "missing"):
        return ex_missing(rng, lang, uses)
    if kind == "scope":
        return ex_scope(rng, lang, uses)
    return ex_chat(rng, lang, uses)


def _follow_up(rng: random.Random, lang: str, uses: list[Listed], prev: Exchange) -> Exchange | None:
    """A request that refers to the previous one (the date after the time, another city)."""
    if prev.req is None or prev.req.follow is None or prev.listed is None:
        return None
    for _ in range(20):
        req = prev.req.follow(rng, lang)
        if guard.out_of_scope(req.user, _guard_tools(uses)) is None:
            return ex_tool(rng, lang, uses, prev.listed.family.key, req=req)
    return None


def scene(rng: random.Random, lang: str, target: Callable[[list[Listed]], Exchange] | None = None,
          need: str | None = None, exclude: str | None = None, context: bool = True) -> Scene:
    """A conversation in ``lang``: a system turn (often), the listed tools, one to three
    exchanges (the last one made by ``target`` when given), follow-ups and an earlier
    exchange in another language now and then."""
    system = G._system(rng, lang)
    uses = listing(rng, need, exclude)
    n = rng.choices([1, 2, 3], [0.6, 0.3, 0.1])[0] if context else 1
    exchanges: list[Exchange] = []
    for k in range(n):
        last = k == n - 1
        lg = lang if last or rng.random() > 0.12 else _other_lang(rng, lang)
        if last and target is not None:
            exchanges.append(target(uses))
            break
        ex = None
        if exchanges and rng.random() < 0.5:
            ex = _follow_up(rng, lg, uses, exchanges[-1])
        if ex is None:
            kind = rng.choices(list(_EX_WEIGHTS), list(_EX_WEIGHTS.values()))[0]
            ex = _exchange(rng, lg, uses, kind)
        exchanges.append(ex)
    return Scene(lang, system, uses, exchanges)


# ----------------------------------------------------------------------------- the stages

def _held_out_free(make: Callable[[], Any], text: Callable[[Any], str], tries: int = 100) -> Any:
    """``make()`` again (from the same rng, so deterministically) until what it made
    contains no question of the answer benchmark."""
    held = H.default()
    for _ in range(tries):
        ex = make()
        if held.find(text(ex)) is None:
            return ex
        _HELDOUT_REDRAWS[0] += 1
    raise RuntimeError("every draw contained a held-out question")


_HELDOUT_REDRAWS = [0]                 # draws thrown away for a benchmark question (a count)


def example_text(ex: Doc | Pair | Task) -> str:
    """The text an example's split is hashed on; equal to ``training.align.example_text``
    (without importing torch)."""
    if isinstance(ex, Doc):
        return ex.render()
    return json.dumps(dataclasses.asdict(ex), ensure_ascii=False, sort_keys=True)


def _sft(rng: random.Random, lang: str) -> Doc:
    sc = scene(rng, lang)
    kinds = [s.kind for ex in sc.exchanges for s in ex.steps]
    return Doc("align.sft", lang, messages=sc.messages(), tools=sc.tools,
               meta={"steps": kinds, "tools": [u.family.key for u in sc.uses],
                     "turn_langs": sc.turn_langs()})


def sft_doc(rng: random.Random, lang: str) -> Doc:
    """One SFT chat in ``lang``: tools listed most of the time, one to three exchanges of
    tool calls with worded results, declines, small talk and follow-ups."""
    return _held_out_free(lambda: _sft(rng, lang), example_text)


DPO_KINDS = {"faithful": 0.22, "tool_choice": 0.26, "decline": 0.2, "language": 0.17, "claim": 0.15}
_NUMERIC = ("clock", "timer", "calculator", "weather", "unit_convert", "reminder", "random_number",
            "dice", "battery", "volume")
_ERRORS = ("timer", "calculator", "weather", "note_add", "volume")


def _target_tool(rng: random.Random, lang: str, fams: tuple[str, ...], error: bool | None = None,
                 avoid: tuple[str, ...] = ()) -> tuple[str, Callable[[list[Listed]], Exchange]]:
    fam = rng.choice([f for f in fams if f not in avoid])

    def make(uses: list[Listed]) -> Exchange:
        if fam == "calculator" and error:
            return ex_tool(rng, lang, uses, fam, True, req=_rq_divzero(rng, lang))
        if fam == "volume" and error:
            for _ in range(50):
                req = _rq_volume(rng, lang)
                if req.error:
                    return ex_tool(rng, lang, uses, fam, True, req=req)
        return ex_tool(rng, lang, uses, fam, error)
    return fam, make


def _dpo(rng: random.Random, lang: str) -> Pair:
    kind = rng.choices(list(DPO_KINDS), list(DPO_KINDS.values()))[0]
    for _ in range(50):
        if kind == "faithful":
            fam, make = _target_tool(rng, lang, _NUMERIC, error=False)
            sc = scene(rng, lang, make, need=fam)
            keys = ["faithful"]
        elif kind == "claim":
            fam, make = _target_tool(rng, lang, _ERRORS, error=True)
            sc = scene(rng, lang, make, need=fam)
            keys = ["claim"]
        elif kind == "decline":
            if rng.random() < 0.7:
                sc = scene(rng, lang, lambda uses: ex_scope(rng, lang, uses))
            else:
                fam = rng.choice(REQUESTABLE)
                sc = scene(rng, lang, lambda uses: ex_missing(rng, lang, uses, fam), exclude=fam)
            keys = ["decline"]
        elif kind == "tool_choice":
            sub = rng.choice(["spurious", "unlisted", "unlisted", "arguments", "declined"])
            if sub == "spurious":
                sc = scene(rng, lang, lambda uses: (ex_chat if rng.random() < 0.6 else ex_scope)(
                    rng, lang, uses))
                if not sc.uses:
                    continue
            elif sub == "unlisted" and rng.random() < 0.5:
                fam = rng.choice(REQUESTABLE)
                sc = scene(rng, lang, lambda uses: ex_missing(rng, lang, uses, fam), exclude=fam)
            else:
                fam, make = _target_tool(rng, lang, REQUESTABLE, error=False)
                sc = scene(rng, lang, make, need=fam)
            keys = [f"tool_choice:{sub}"]
        else:
            sc = scene(rng, lang)
            keys = ["language"]
        ex_i = len(sc.exchanges) - 1
        options = [s for s in sc.exchanges[ex_i].steps if any(k in s.worse for k in keys)]
        rng.shuffle(options)
        for step in options:
            k = next(k for k in keys if k in step.worse)
            worse = step.worse[k](rng)
            if worse is None:
                continue
            chosen = sc.exchanges[ex_i].messages[step.at]
            if _same_turn(worse, chosen):
                continue
            before = sc.before(ex_i, step)
            return Pair(before, chosen, worse, sc.tools, lang, kind,
                        meta={"sub": k, "step": step.kind, "tools": [u.family.key for u in sc.uses],
                              "turn_langs": sc.turn_langs()[:len(before) + 1]})
    raise RuntimeError(f"no {kind} pair")


def _same_turn(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return chat.render([{**a, "role": "assistant"}], bos=False) == \
        chat.render([{**b, "role": "assistant"}], bos=False)


def dpo_pair(rng: random.Random, lang: str) -> Pair:
    """One preference pair in ``lang``: ``faithful`` (the result worded right vs a wrong
    number, time, part of the day or duration), ``tool_choice`` (no call vs a spurious one,
    a listed tool vs an unlisted one, the user's arguments vs altered ones, the call of a
    listed tool vs the decline that is right only without it), ``decline``
    (an honest decline vs an invented answer), ``language`` (the user's language vs
    another), ``claim`` (an apology after a tool error vs a claimed success)."""
    return _held_out_free(lambda: _dpo(rng, lang), example_text)


GRPO_KINDS = {"tool_call": 0.24, "arithmetic": 0.16, "word_result": 0.2, "no_tool": 0.2,
              "decline": 0.2}
STEP_KINDS = tuple(GRPO_KINDS)      # what a Step checks; a DPO pair's meta["step"]


def _grpo(rng: random.Random, lang: str) -> Task:
    kind = rng.choices(list(GRPO_KINDS), list(GRPO_KINDS.values()))[0]
    for _ in range(50):
        if kind in ("tool_call", "word_result"):
            error = kind == "word_result" and rng.random() < 0.15
            fam, make = _target_tool(rng, lang, _ERRORS if error else REQUESTABLE, error=error,
                                     avoid=("calculator",))
            sc = scene(rng, lang, make, need=fam)
        elif kind == "arithmetic":
            fam, make = _target_tool(rng, lang, ("calculator",), error=False)
            sc = scene(rng, lang, make, need=fam)
        elif kind == "no_tool":
            sc = scene(rng, lang, lambda uses: ex_chat(rng, lang, uses))
        else:
            if rng.random() < 0.7:
                sc = scene(rng, lang, lambda uses: ex_scope(rng, lang, uses))
            else:
                fam = rng.choice(REQUESTABLE)
                sc = scene(rng, lang, lambda uses: ex_missing(rng, lang, uses, fam), exclude=fam)
        ex_i = len(sc.exchanges) - 1
        steps = [s for s in sc.exchanges[ex_i].steps if s.kind == kind]
        if kind == "tool_call" or (kind == "arithmetic" and rng.random() < 0.5):
            steps = steps[:1]
        elif kind in ("word_result", "arithmetic", "no_tool"):
            steps = steps[-1:]
        if not steps:
            continue
        step = steps[0]
        expect = {**step.expect, "max_sentences": MAX_SENTENCES, "max_chars": MAX_CHARS,
                  "tools": [u.name for u in sc.uses]}
        turn = sc.exchanges[ex_i].messages[step.at]
        return Task(sc.before(ex_i, step), sc.tools, lang, kind, expect,
                    meta={"tools": [u.family.key for u in sc.uses], "reference": completion(turn)})
    raise RuntimeError(f"no {kind} task")


def completion(turn: dict[str, Any]) -> str:
    """An assistant turn as the policy writes it (what ``training.grpo`` scores): its text,
    then its tool call, without the final ``<|end|>``."""
    return chat.render([{**turn, "role": "assistant"}], bos=False)[len(chat.ASSISTANT):-len(chat.END)]


def grpo_task(rng: random.Random, lang: str) -> Task:
    """One GRPO task in ``lang``: the conversation before an assistant turn and what
    :mod:`training.rewards` checks it on (``kind``: tool_call, arithmetic, word_result,
    no_tool, decline). Small talk with nothing to check (a joke) is drawn again: its reward
    could not tell a good reply from fluent nonsense."""
    def checkable() -> Task:
        while True:
            task = _grpo(rng, lang)
            if task.kind != "no_tool" or task.expect.get("accept"):
                return task
    return _held_out_free(checkable, example_text)


STAGES = {"sft": sft_doc, "dpo": dpo_pair, "grpo": grpo_task}


# ----------------------------------------------------------------------------- builder

def examples(stage: str, n: int, seed: int = 0) -> list[Doc | Pair | Task]:
    """``n`` examples of a stage, languages in turn, example ``i`` from
    ``random.Random(f"{seed}:{stage}:{i}")`` (what ``training.align``'s ``--data assistant``
    makes, so a JSONL written here trains exactly like it)."""
    make = STAGES[stage]
    return [make(random.Random(f"{seed}:{stage}:{i}"), LANGS[i % 3]) for i in range(n)]


def build(stage: str, n: int, out: Path, seed: int = 0, val_frac: float = 0.02) -> dict[str, Any]:
    """Write ``out/<stage>-train.jsonl`` and ``out/<stage>-val_<lang>.jsonl`` (split by
    :func:`training.data.build.is_val` on :func:`example_text`) and ``<stage>-manifest.json``."""
    from training.data.build import is_val

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    before = _HELDOUT_REDRAWS[0]
    exs = examples(stage, n, seed)
    held = H.default()
    files = {"train": open(out / f"{stage}-train.jsonl", "w", encoding="utf-8")}
    for lg in LANGS:
        files[lg] = open(out / f"{stage}-val_{lg}.jsonl", "w", encoding="utf-8")
    counts: Counter = Counter()
    try:
        for ex in exs:
            text = example_text(ex)
            assert held.find(text) is None
            val = is_val(text, seed, val_frac)
            files[ex.lang if val else "train"].write(
                json.dumps(dataclasses.asdict(ex), ensure_ascii=False) + "\n")
            kind = getattr(ex, "kind", None) or "+".join(sorted(set(ex.meta["steps"])))
            counts[("val" if val else "train", ex.lang, kind)] += 1
    finally:
        for f in files.values():
            f.close()
    manifest = {"stage": stage, "n": n, "seed": seed, "val_frac": val_frac,
                "heldout_redraws": _HELDOUT_REDRAWS[0] - before,
                "counts": [{"split": s, "lang": lg, "kind": k, "n": c}
                           for (s, lg, k), c in sorted(counts.items())]}
    (out / f"{stage}-manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1)
                                                + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.data.assistant", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stage", choices=sorted(STAGES), required=True)
    p.add_argument("--n", type=int, required=True, help="examples to generate")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--val-frac", type=float, default=0.02)
    p.add_argument("--show", type=int, default=0, help="print this many examples rendered")
    a = p.parse_args(argv)
    m = build(a.stage, a.n, a.out, a.seed, a.val_frac)
    for ex in examples(a.stage, a.show, a.seed):
        print(show(ex), end="\n\n")
    print(json.dumps({k: m[k] for k in ("stage", "n", "heldout_redraws")}), file=sys.stderr)


def show(ex: Doc | Pair | Task) -> str:
    """An example as readable text (the chat template's rendering)."""
    if isinstance(ex, Doc):
        return ex.render()
    prompt = chat.render(ex.messages, tools=ex.tools, add_generation_prompt=True, bos=False)
    if isinstance(ex, Pair):
        def turn(m: dict[str, Any]) -> str:
            return chat.render([{**m, "role": "assistant"}], bos=False)[len(chat.ASSISTANT):]
        return (f"[{ex.lang} {ex.kind} {ex.meta.get('sub', '')}] {prompt}\n  chosen:   "
                f"{turn(ex.chosen)}\n  rejected: {turn(ex.rejected)}")
    return f"[{ex.lang} {ex.kind}] {prompt}\n  expect: {json.dumps(ex.expect, ensure_ascii=False)}"


if __name__ == "__main__":
    main()
