"""Verifiable rewards for GRPO: ``reward(task, completion) -> Reward(total, components)``.

``completion`` is what the policy wrote for the assistant's turn after ``task.messages``
(special tokens kept, the final ``<|end|>`` dropped: ``training.grpo``). Every check is a
program, most of them VAANI's own: the tool-call marker and JSON are read as the runtime
reads them (:class:`vaani.llm.tools.ToolCallSplitter`, :func:`vaani.llm.tools.parse_call`);
faithfulness is the reply guard's (:func:`vaani.guard.unfaithful`), degenerate text too
(:func:`vaani.guard.degenerate`), claimed actions are the guard's and the answer bench's
(:func:`vaani.guard.claims_action`, :func:`vaani.bench.answers.claims`), declines the
bench's patterns and the runtime's own abstentions, numbers are read by
:mod:`vaani.numwords` in any language, and an arithmetic call is evaluated by the calculator
plugin itself.

Components (each in [0, 1]; which ones a task gets depends on its kind, ``WEIGHTS``):

* ``format``: exactly one tool call, valid JSON, nothing before or after it;
* ``tool``: the expected (listed) tool's name;
* ``arguments``: the share of the expected arguments given exactly (an extra or a missing
  one counts as wrong; 1 only when they are equal; strings compared after NFC, numbers by
  value);
* ``arithmetic``: the calculator's expression evaluates to the right value (call), or the
  answer states the result's value (after the result);
* ``grounded``: the calculator would be run: its expression uses only numbers the user
  said (the plugin's ``grounded``);
* ``no_call``: no tool call where the turn must be words;
* ``faithful``: every number, time, weekday, month and part of the day said is backed by
  the tool's result, its arguments or the question (the guard's check, plus romanised
  weekdays);
* ``informative``: the answer states what was asked (the share of ``expect["must"]`` groups
  met: the hour of a time, the result of a sum, the translation);
* ``honest``: no claimed action (set, sent, booked ...) where none succeeded;
* ``apology``: after a tool error, the reply apologises or declines;
* ``declined``: an out-of-scope request is declined;
* ``no_invented``: a decline or small talk states no number the question did not contain;
* ``answered``: small talk is answered, not declined; ``content``: it says one of
  ``expect["accept"]`` (a name to remember, "offline" when asked about the internet, a
  greeting back: a weak check of relevance, words of the generator's own replies);
* ``language``: the user's language and script (1), Hindi in Devanagari for a Hinglish user
  (0.5), anything else (0);
* ``length``: at most ``expect["max_sentences"]`` sentences and ``max_chars`` characters;
* ``no_repeat``: not degenerate (repetition, markup, leaked template tokens).

``total`` is the weighted mean of the task's components, times 0.25 + 0.75 x the task's gate
component (``GATES``: the content of small talk, the decline, the value, faithfulness, the
tool), except that a turn of the wrong type (a call where words were due, words where a call
was due) or an empty one scores 0.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from training.data.tasks import Task

WEIGHTS: dict[str, dict[str, float]] = {
    "tool_call": {"format": 1.0, "tool": 2.0, "arguments": 3.0},
    "arithmetic_call": {"format": 1.0, "tool": 2.0, "arithmetic": 3.0, "grounded": 1.0},
    "arithmetic_word": {"no_call": 1.0, "arithmetic": 3.0, "faithful": 2.0, "language": 1.0,
                        "length": 0.5, "no_repeat": 0.5},
    "word_result": {"no_call": 1.0, "faithful": 3.0, "informative": 2.0, "language": 1.0,
                    "length": 0.5, "no_repeat": 0.5},
    "word_error": {"no_call": 1.0, "honest": 3.0, "apology": 2.0, "faithful": 1.0,
                   "language": 1.0, "length": 0.5, "no_repeat": 0.5},
    "no_tool": {"no_call": 3.0, "answered": 1.0, "honest": 1.0, "content": 1.0,
                "no_invented": 1.0, "language": 1.5, "length": 0.5, "no_repeat": 0.5},
    "decline": {"no_call": 2.0, "declined": 3.0, "honest": 1.0, "no_invented": 1.0,
                "language": 1.0, "length": 0.5, "no_repeat": 0.5},
}


# The component that says whether the turn is right at all: a fluent reply in the right
# language that misses it (the wrong fact, a refusal where an answer was due, an unfaithful
# wording) keeps only a quarter of its score. Without the gate the weighted mean gave 0.89 to
# fluent nonsense on a small-talk task (no call, right language, nothing invented), so GRPO's
# group advantages barely separated it from the right answer.
GATES: dict[str, str] = {"no_tool": "content", "decline": "declined",
                         "arithmetic_word": "arithmetic", "word_result": "faithful",
                         "word_error": "honest", "tool_call": "tool",
                         "arithmetic_call": "arithmetic"}
GATE_FLOOR = 0.25


@dataclass
class Reward:
    total: float
    components: dict[str, float] = field(default_factory=dict)


@dataclass
class Parsed:
    """A completion as the runtime reads it: the text before a tool call (spoken) and the
    call."""

    text: str
    called: bool                       # the tool-call marker was written
    call: tuple[str, Any] | None       # (name, arguments) when its JSON parses
    clean: bool                        # one call and nothing else


def parse(completion: str) -> Parsed:
    from vaani.llm.tools import ToolCallSplitter, parse_call

    s = ToolCallSplitter()
    text = s.feed(completion) + s.flush()
    if not s.calling:
        return Parsed(text.strip(), False, None, False)
    call = parse_call(s.call_text)
    clean = False
    if call is not None:
        body = s.call_text.strip()
        try:
            _, end = json.JSONDecoder().raw_decode(body)
            clean = not text.strip() and not body[end:].strip() and isinstance(call[1], dict)
        except ValueError:
            clean = False
    return Parsed(text.strip(), True, call, clean)


# ----------------------------------------------------------------------------- checks

def _norm(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        try:
            return Fraction(str(v))
        except ValueError:
            return v
    if isinstance(v, str):
        return unicodedata.normalize("NFC", v).strip()
    return v


def arguments_score(got: Any, want: dict[str, Any]) -> float:
    """Share of the expected arguments given exactly (extra and missing ones count)."""
    if not isinstance(got, dict):
        return 0.0
    keys = set(got) | set(want)
    if not keys:
        return 1.0
    same = sum(1 for k in keys if k in got and k in want and _norm(got[k]) == _norm(want[k])
               and type(_norm(got[k])) is type(_norm(want[k])))
    return same / len(keys)


def said_numbers(text: str, lang: str | None = None, strict: bool = False) -> set[Fraction]:
    """The numbers ``text`` says, digits or words (:func:`vaani.bench.answers.numbers`).
    Romanised Hindi number words are read only in Hinglish (``lang``), so English "at" is
    not "aath" (8) nor "do" 2; ``strict`` leaves out single words that are numbers only
    sometimes ("do", "दो", "saath"), as the answer bench does when a number counts against
    a reply."""
    from vaani.bench.answers import numbers

    romans = (True, False) if lang in (None, "hinglish") else (False,)
    return {v for roman in romans for v, ambiguous in numbers(text, roman)
            if not (strict and ambiguous)}


def _durations(text: str) -> set[int]:
    from vaani.language import words
    from vaani.numwords import durations

    return {round(d.seconds) for roman in (True, False) for d in durations(words(text), roman)}


def informative(text: str, must: list[list[str]], lang: str | None = None) -> float:
    """The share of ``must`` groups the text meets; a group is met when one of its
    alternatives is: ``n:<number>`` said (digits or words, any language), ``w:<word>``
    written, ``d:<seconds>`` a duration said."""
    if not must:
        return 1.0
    nums = said_numbers(text, lang)
    durs = _durations(text)
    low = unicodedata.normalize("NFC", text).casefold()
    met = 0
    for group in must:
        for alt in group:
            kind, _, v = alt.partition(":")
            if (kind == "n" and Fraction(v) in nums) or (kind == "d" and int(v) in durs) or \
                    (kind == "w" and unicodedata.normalize("NFC", v).casefold() in low):
                met += 1
                break
    return met / len(must)


_ROMAN_WEEKDAYS: dict[str, int] | None = None


def unfaithful(text: str, result: Any, arguments: Any, question: str, lang: str) -> str:
    """What in ``text`` (a reply in ``lang``) the tool's result, its arguments and the
    question do not back ("" = nothing): :func:`vaani.guard.unfaithful`, with two changes.
    Numbers are read for the reply's language (:func:`said_numbers`: the guard reads
    romanised Hindi number words in English too, so "The battery is at 44 percent" has an
    8 and "I can't do that" a 2 for it); weekdays in romanised Hindi (Somvaar ...), which
    the guard does not read, are checked too."""
    global _ROMAN_WEEKDAYS
    from training.data import lexicon as L
    from vaani import guard

    allowed = guard.Allowed()
    allowed.add(result)
    allowed.add(arguments)
    allowed.add_text(question)
    for value in sorted(said_numbers(text, lang, strict=True)):
        if value not in allowed.numbers:
            return f"number {value}"
    # the numbers passed: let the guard's other checks (durations, weekdays, months, parts
    # of the day) run without its number reading
    allowed.numbers |= said_numbers(text, None)
    bad = guard.unfaithful(text, allowed)
    if bad:
        return bad
    if _ROMAN_WEEKDAYS is None:
        _ROMAN_WEEKDAYS = {w[2].lower(): i for i, w in enumerate(L.WEEKDAYS)}
    low = text.lower()
    for name, i in _ROMAN_WEEKDAYS.items():
        if re.search(rf"\b{name}\b", low) and i not in allowed.weekdays:
            return f"weekday {name}"
    return ""


def declined(text: str) -> bool:
    """An honest "I can't": the answer bench's decline patterns, or one of the runtime's
    abstentions (:func:`training.data.assistant.known_declines`)."""
    from training.data.assistant import known_declines
    from vaani.bench.answers import declines

    t = text.strip()
    return bool(declines(t)) or any(t.startswith(d) for d in known_declines())


_SORRY = re.compile(r"^\s*(sorry|i'?m sorry|माफ़ कीजिए|माफ़ करें|माफ कीजिए|माफ करें|maaf)",
                    re.IGNORECASE)


def apologised(text: str) -> bool:
    return bool(_SORRY.match(unicodedata.normalize("NFC", text))) or declined(text)


def claims(text: str) -> bool:
    """The text says something was done: the guard's patterns or the answer bench's."""
    from vaani import guard
    from vaani.bench.answers import claims as bench_claims

    return guard.claims_action(text) or bool(bench_claims(text))


def language_score(text: str, lang: str) -> float:
    """1: the user's language and script; 0.5: Hindi in Devanagari for a Hinglish user."""
    from training.data.assistant import language_ok
    from vaani.bench.answers import language_ok as bench_ok

    if language_ok(text, lang):
        return 1.0
    if lang == "hinglish" and bench_ok(text, "hi"):
        return 0.5
    return 0.0


def length_ok(text: str, expect: dict[str, Any]) -> float:
    from training.data.assistant import MAX_CHARS, MAX_SENTENCES, sentences

    return float(sentences(text) <= expect.get("max_sentences", MAX_SENTENCES)
                 and len(text) <= expect.get("max_chars", MAX_CHARS))


def _question(task: Task) -> str:
    return next((m.get("content") or "" for m in reversed(task.messages)
                 if m.get("role") == "user"), "")


def _value_of(expression: Any) -> Fraction | None:
    """What VAANI's calculator tool returns for ``expression`` (None: an error)."""
    import vaani_calculator

    if not isinstance(expression, str):
        return None
    res = vaani_calculator.Calculator().tool({"expression": expression}, "en")
    return Fraction(str(res["result"])) if "result" in res else None


def _same_value(said: set[Fraction], value: Any) -> bool:
    v = Fraction(str(value))
    return v in said or Fraction(str(round(float(v), 2))) in said


# ----------------------------------------------------------------------------- the reward

def components(task: Task, completion: str) -> tuple[str, dict[str, float], bool]:
    """(weights key, components, whether the turn is of the right type at all)."""
    e = task.expect
    p = parse(completion)
    question = _question(task)
    if task.kind == "tool_call" or (task.kind == "arithmetic" and e.get("stage") == "call"):
        key = "tool_call" if task.kind == "tool_call" else "arithmetic_call"
        if p.call is None:
            return key, {k: 0.0 for k in WEIGHTS[key]}, False
        name, args = p.call
        c = {"format": float(p.clean), "tool": float(name == e["tool"])}
        if key == "tool_call":
            c["arguments"] = arguments_score(args, e["arguments"]) if c["tool"] else 0.0
        else:
            import vaani_calculator

            expr = args.get(e.get("argument", "expression")) if isinstance(args, dict) else None
            value = _value_of(expr) if c["tool"] else None
            c["arithmetic"] = float(value is not None and value == Fraction(str(e["value"])))
            c["grounded"] = float(c["tool"] == 1.0 and isinstance(expr, str)
                                  and vaani_calculator.grounded({"expression": expr}, question))
        return key, c, True

    text = p.text
    if task.kind == "arithmetic":
        key = "arithmetic_word"
    elif task.kind == "word_result":
        key = "word_error" if e.get("error") else "word_result"
    elif task.kind in ("no_tool", "decline"):
        key = task.kind
    else:
        raise ValueError(f"unknown task kind {task.kind!r}")
    if p.called or not text:
        return key, {k: 0.0 for k in WEIGHTS[key]}, False
    from vaani import guard

    c: dict[str, float] = {"no_call": 1.0}
    if key in ("arithmetic_word", "word_result", "word_error"):
        c["faithful"] = float(not unfaithful(text, e.get("result"), e.get("arguments"), question,
                                             task.lang))
    if key == "arithmetic_word":
        c["arithmetic"] = float(_same_value(said_numbers(text, task.lang), e["value"]))
    if key == "word_result":
        c["informative"] = informative(text, e.get("must") or [], task.lang)
    if key == "word_error":
        c["honest"] = float(not claims(text))
        c["apology"] = float(apologised(text))
    if key == "no_tool":
        c["answered"] = float(not declined(text))
        c["honest"] = float(not claims(text))
        accept = e.get("accept") or []
        low = text.casefold()
        # no accepted words (a joke): the content cannot be checked, so it earns half
        c["content"] = (float(any(a.casefold() in low for a in accept)) if accept else 0.5)
        c["no_invented"] = float(said_numbers(text, task.lang, strict=True)
                                 <= said_numbers(question, None))
    if key == "decline":
        c["declined"] = float(declined(text))
        c["honest"] = float(not claims(text))
        c["no_invented"] = float(said_numbers(text, task.lang, strict=True)
                                 <= said_numbers(question, None))
    c["language"] = language_score(text, task.lang)
    c["length"] = length_ok(text, e)
    c["no_repeat"] = float(not guard.degenerate(text))
    return key, c, True


def reward(task: Task, completion: str) -> Reward:
    """The reward of one completion of ``task`` (see the module doc)."""
    key, c, right_type = components(task, completion)
    if not right_type:
        return Reward(0.0, c)
    w = WEIGHTS[key]
    total = sum(w[k] * c[k] for k in w) / sum(w.values())
    total *= GATE_FLOOR + (1 - GATE_FLOOR) * c[GATES[key]]
    return Reward(round(total, 6), c)

