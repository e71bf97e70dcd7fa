"""Calculator skill: spoken arithmetic in Hindi and English, evaluated safely.

"पच्चीस गुणा चार कितना होता है" -> "पच्चीस गुणा चार बराबर सौ।";
"what is 15 percent of 240" -> "15 percent of 240 is 36."; "pachchees guna char",
"दस में से तीन घटाओ", "बीस को चार से भाग दो", "square root of 144", "2 की घात 10".

How: the words become a sequence of numbers (vaani.numwords: words, digits, डेढ़/साढ़े),
operators (plus, जमा, गुणा, भाग, into, by, %, √ ...), a few structural words (में, से, को,
का, and, from, by, to) and fillers (what is, कितना होता है, batao). A filler-free utterance
must then be *entirely* one arithmetic expression, either a verb form ("X में Y जोड़ो",
"subtract X from Y", "X को Y से गुणा करो") or an infix expression with the usual precedence
(× ÷ before + −, powers right-associative). Any other word means the utterance is not
arithmetic ("what is the capital of France"), and it is left to the LLM.

Safety: a tree walk over :class:`fractions.Fraction` (exact, never ``eval``); operands and
results are bounded (|x| <= 10^15, exponents <= 64), division by zero and roots of negative
numbers get a polite answer.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vaani.hookspecs import Reply, Tool, Utterance, hookimpl
from vaani.kit import Option, plugin_options
from vaani.language import keys, word_key, words
from vaani.numwords import find_numbers, format_number, hindi_words, parse_number

NAME = "calculator"
OPTIONS = plugin_options(
    NAME, Option("max_places", int, 4, "decimal places said", min=0, max=10))
LIMIT = Fraction(10) ** 15
MAX_EXPONENT = 64


def settings(table: dict[str, Any]) -> int:
    """Validated ``[plugins.calculator]``: ``max_places`` (decimals said, 0-10)."""
    return OPTIONS.check(table)["max_places"]


# -- words -> items -------------------------------------------------------------------------

# Multi-word phrases first (matched on lower-cased words, longest first), then single words
# by spelling key.
_PHRASES = {
    ("divided", "by"): "/", ("divide", "by"): "/", ("multiplied", "by"): "*",
    ("multiply", "by"): "*", ("to", "the", "power", "of"): "^", ("to", "the", "power"): "^",
    ("raised", "to", "the", "power", "of"): "^", ("raised", "to", "the", "power"): "^",
    ("raised", "to"): "^",
    ("square", "root", "of"): "SQRT", ("square", "root"): "SQRT", ("root", "of"): "SQRT",
    ("cube", "root", "of"): "CBRT", ("square", "of"): "SQ", ("cube", "of"): "CUBE",
    ("percent", "of"): "PCT_OF", ("per", "cent", "of"): "PCT_OF", ("%", "of"): "PCT_OF",
    ("percentage", "of"): "PCT_OF",
    ("sum", "of"): "+", ("product", "of"): "*", ("difference", "between"): "DIFF",
    ("में", "से"): "INFROM", ("mein", "se"): "INFROM", ("me", "se"): "INFROM",
    ("main", "se"): "INFROM",
    ("का", "वर्गमूल"): "POST_SQRT", ("का", "वर्ग", "मूल"): "POST_SQRT",
    ("का", "स्क्वायर", "रूट"): "POST_SQRT", ("ka", "square", "root"): "POST_SQRT",
    ("ka", "vargmool"): "POST_SQRT", ("ka", "varg", "mool"): "POST_SQRT",
    ("का", "वर्ग"): "POST_SQ", ("का", "स्क्वायर"): "POST_SQ", ("ka", "square"): "POST_SQ",
    ("ka", "varg"): "POST_SQ", ("का", "घन"): "POST_CUBE", ("ka", "cube"): "POST_CUBE",
    ("ka", "ghan"): "POST_CUBE", ("की", "घात"): "^", ("ki", "ghat"): "^",
    ("डिवाइडेड", "बाय"): "/", ("मल्टीप्लाइड", "बाय"): "*",
}
_MAX_PHRASE = max(len(p) for p in _PHRASES)

_WORDS: dict[str, str] = {}
for _tag, _spellings in {
    "+": "plus + add added जमा प्लस जोड़ जोड़ो जोड़ें जोड़िए जोड़िये जोड़ना जोड़कर jama plus jod jodo "
         "jodiye jodna jodkar",
    "-": "minus - subtract subtracted माइनस घटा घटाओ घटाएं घटाइए घटाइये घटाना घटाकर ऋण निकालो "
         "ghata ghatao ghataiye ghatana ghatakar nikalo",
    "*": "times × * x into multiply multiplied गुणा गुना गुणे गुणित टाइम्स इनटू इंटू guna gune "
         "gunaa times",
    "/": "÷ / over divide divided भाग बटा विभाजित bhag bhaag",
    "^": "^",
    "SQRT": "√ sqrt",
    "POST_SQ": "squared",
    "POST_CUBE": "cubed",
    "PERCENT": "percent percentage % प्रतिशत परसेंट फ़ीसदी फीसदी pratishat parsent",
    "IN": "में mein main",
    "FROM": "से se",
    "FROM_EN": "from",
    "KO": "को ko",
    "KA": "का की के ka ki ke",
    "AND": "and और aur",
    "BY": "by बाय",
    "TO": "to",
    "BATA": "bata",
}.items():
    for _w in _spellings.split():
        _WORDS.setdefault(word_key(_w), _tag)

_FILLERS = keys(
    "what is whats the calculate compute solve evaluate tell me please can could would you "
    "hey ok okay vaani how much answer result equals equal value do know quick quickly so "
    "i want need of it will be are "
    "क्या है हैं कितना कितने कितनी होता होते होती होगा होंगे होगी बराबर बताओ बताइए बताइये "
    "बता बोलो जवाब उत्तर मुझे ज़रा जरा प्लीज़ प्लीज जी वाणी तो करो कर करें करके करना दीजिए "
    "दीजिये आएगा आता आती आएगी हिसाब लगाओ सवाल अगर हम यदि दें "
    "kya hai hain kitna kitne kitni hota hote hoti hoga honge hogi barabar batao bataiye "
    "bolo jawab uttar mujhe zara jara ji vaani to karo kar kare karke karna dijiye aayega "
    "aata aati hisab hisaab lagao agar "
    "किता किते हूता हुता".split())      # how Whisper writes कितना, कितने, होता in Hindi speech
# Fillers that mark an arithmetic question, so that "और"/"and" between numbers means plus.
_CUES = keys("what calculate compute equals how कितना कितने कितनी होता होते बराबर kitna kitne "
             "kitni hota hote barabar किता किते हूता हुता".split())
_DO = keys("दो do".split())


@dataclass(frozen=True)
class Item:
    tag: str                    # N | an operator | a structural tag
    value: Fraction | None = None


def _items(w: tuple[str, ...], roman_hindi: bool, trailing_do_is_verb: bool
           ) -> tuple[list[Item], bool] | None:
    """Numbers, operators and structural words of ``w`` (fillers dropped), and whether the
    utterance had a calculation cue; None if a word is none of these."""
    spans = {s.start: s for s in find_numbers(w, roman_hindi)}
    lower = [x.lower() for x in w]
    ks = [word_key(x) for x in w]
    # "… जोड़ दो" / "… bata do": a final "दो" after a word is the verb "give"
    verb_do = (len(w) - 1 if trailing_do_is_verb and len(w) > 1 and ks[-1] in _DO
               and len(w) - 2 not in spans and not w[-2][0].isdigit() else -1)
    items: list[Item] = []
    cue = False
    i = 0
    while i < len(w):
        if i == verb_do:
            i += 1
            continue
        for size in range(min(_MAX_PHRASE, len(w) - i), 1, -1):
            tag = _PHRASES.get(tuple(lower[i:i + size]))
            if tag:
                items.append(Item(tag))
                i += size
                break
        else:
            span = spans.get(i)
            if span is not None and not (span.end - 1 == verb_do):
                items.append(Item("N", span.value))
                i = span.end
                continue
            if span is not None:                       # number ending in the verb "दो"
                if span.end - span.start > 1:
                    sub = find_numbers(w[span.start:span.end - 1], roman_hindi)
                    if len(sub) == 1:
                        items.append(Item("N", sub[0].value))
                i = span.end
                continue
            k = ks[i]
            tag = _WORDS.get(k) or _WORDS.get(lower[i])
            if tag is not None:
                items.append(Item(tag))
            elif k in _FILLERS:
                cue = cue or k in _CUES
            else:
                return None
            i += 1
    return items, cue


# -- the expression tree --------------------------------------------------------------------

class MathError(Exception):
    """An expression that has no answer: division by zero, a root of a negative, too big."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Node:
    op: str                         # N + - * / ^ neg sqrt cbrt sq cube pct
    args: tuple["Node", ...] = ()
    value: Fraction | None = None

    def evaluate(self) -> Fraction:
        if self.op == "N":
            assert self.value is not None
            return _bounded(self.value)
        vals = [a.evaluate() for a in self.args]
        if self.op == "+":
            return _bounded(vals[0] + vals[1])
        if self.op == "-":
            return _bounded(vals[0] - vals[1])
        if self.op == "*":
            return _bounded(vals[0] * vals[1])
        if self.op == "/":
            if vals[1] == 0:
                raise MathError("division_by_zero")
            return _bounded(vals[0] / vals[1])
        if self.op == "pct":
            return _bounded(vals[0] * vals[1] / 100)
        if self.op == "neg":
            return -vals[0]
        if self.op == "sq":
            return _bounded(vals[0] ** 2)
        if self.op == "cube":
            return _bounded(vals[0] ** 3)
        if self.op == "^":
            return _power(vals[0], vals[1])
        if self.op == "sqrt":
            return _root(vals[0], 2)
        if self.op == "cbrt":
            return _root(vals[0], 3)
        raise AssertionError(self.op)


def _bounded(x: Fraction) -> Fraction:
    if abs(x) > LIMIT:
        raise MathError("too_large")
    return x


def _power(base: Fraction, exp: Fraction) -> Fraction:
    if exp.denominator != 1:
        raise MathError("unsupported_power")
    if base == 0 and exp < 0:
        raise MathError("division_by_zero")
    if abs(base) not in (0, 1):
        if float(exp) * math.log10(abs(float(base))) > 15.5:
            raise MathError("too_large")
        if abs(exp) > MAX_EXPONENT:          # 0.5 ^ 1000: exact, but absurdly long
            raise MathError("unsupported_power")
    return _bounded(base ** int(exp))


def _root(x: Fraction, n: int) -> Fraction:
    if x < 0 and n == 2:
        raise MathError("negative_root")
    sign = -1 if x < 0 else 1
    approx = abs(float(x)) ** (1 / n)
    for candidate in (Fraction(round(approx)), Fraction(round(approx * 1000), 1000)):
        if candidate ** n == abs(x):
            return sign * candidate
    return sign * Fraction(approx)


class _Parser:
    """Recursive descent over items: expr := term (+|- term)*; term := factor (*|/ factor)*;
    factor := unary (^ factor)?; unary := - unary | √ unary | primary postfix*;
    primary := N [percent of unary] | N का N प्रतिशत | square of unary | cube of unary."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.i = 0
        self.ops = 0                  # binary or unary operations seen (a bare number is none)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.items[j].tag if j < len(self.items) else ""

    def take(self, tag: str) -> Item:
        if self.peek() != tag:
            raise ValueError(tag)
        item = self.items[self.i]
        self.i += 1
        return item

    def parse(self) -> Node:
        node = self.expr()
        if self.i != len(self.items):
            raise ValueError("trailing words")
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take(self.peek()).tag
            node = Node(op, (node, self.term()))
            self.ops += 1
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.peek() in ("*", "/", "BY", "BATA"):
            op = {"BY": "/", "BATA": "/"}.get(self.peek(), self.peek())
            self.i += 1
            node = Node(op, (node, self.factor()))
            self.ops += 1
        return node

    def factor(self) -> Node:
        node = self.unary()
        if self.peek() == "^":
            self.i += 1
            node = Node("^", (node, self.factor()))
            self.ops += 1
        return node

    def unary(self) -> Node:
        tag = self.peek()
        if tag == "-":
            self.i += 1
            return Node("neg", (self.unary(),))
        if tag in ("SQRT", "CBRT", "SQ", "CUBE"):
            self.i += 1
            self.ops += 1
            return Node({"SQRT": "sqrt", "CBRT": "cbrt", "SQ": "sq", "CUBE": "cube"}[tag],
                        (self.unary(),))
        node = self.primary()
        while self.peek() in ("POST_SQ", "POST_SQRT", "POST_CUBE"):
            tag = self.take(self.peek()).tag
            node = Node({"POST_SQ": "sq", "POST_SQRT": "sqrt", "POST_CUBE": "cube"}[tag], (node,))
            self.ops += 1
        return node

    def primary(self) -> Node:
        first = self.take("N")
        node = Node("N", value=first.value)
        if self.peek() == "PCT_OF":
            self.i += 1
            self.ops += 1
            return Node("pct", (node, self.unary()))
        if self.peek() == "KA" and self.peek(1) == "N" and self.peek(2) == "PERCENT":
            # 240 का 15 प्रतिशत
            self.i += 1
            pct = self.take("N")
            self.i += 1
            self.ops += 1
            return Node("pct", (Node("N", value=pct.value), node))
        return node


# Verb forms over a signature of tags: "N IN N +" is X + Y ("दस में पाँच जोड़ो").
_VERB_FORMS = (
    (re.compile(r"N (?:IN|AND|AND KO) N \+"), "+", False),
    (re.compile(r"N (?:INFROM|IN) N -"), "-", False),
    (re.compile(r"N KO N FROM \*"), "*", False),
    (re.compile(r"N AND N (?:KO )?\*"), "*", False),
    (re.compile(r"N KO N FROM /"), "/", False),
    (re.compile(r"\+ N (?:AND|TO) N"), "+", False),
    (re.compile(r"- N FROM_EN N"), "-", True),        # subtract X from Y = Y - X
    (re.compile(r"DIFF N AND N"), "-", False),
    (re.compile(r"\* N (?:BY|AND) N"), "*", False),
    (re.compile(r"/ N BY N"), "/", False),
)


def _verb_form(items: list[Item]) -> Node | None:
    signature = " ".join(item.tag for item in items)
    numbers = [Node("N", value=item.value) for item in items if item.tag == "N"]
    for pattern, op, swap in _VERB_FORMS:
        if pattern.fullmatch(signature):
            a, b = numbers
            return Node(op, (b, a) if swap else (a, b))
    return None


_GROUP = re.compile(r"\(([^()]*)\)")
_PLACEHOLDER = 987654321                     # stands for a bracketed group while parsing


def _parse_groups(text: str, roman_hindi: bool) -> Node | None:
    """``text`` with brackets: each innermost group is parsed on its own and stands as one
    number in what surrounds it ("(12 + 8) / 4" is 5; words() drops brackets, which made
    it 12 + 8 / 4 = 14). Unbalanced brackets are not arithmetic."""
    groups: list[Node] = []

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        node = parse(inner, roman_hindi)
        if node is None:
            value = parse_number(inner.strip(), roman_hindi) if inner.strip() else None
            if value is None:
                raise ValueError(inner)
            node = Node("N", value=value)
        groups.append(node)
        return f" {_PLACEHOLDER + len(groups) - 1} "

    try:
        while "(" in text or ")" in text:
            text, n = _GROUP.subn(one, text)
            if n == 0:
                return None                   # unbalanced
    except ValueError:
        return None
    outer = parse(text, roman_hindi) if text.strip() else None
    if outer is None:
        value = parse_number(text.strip(), roman_hindi)
        if value is None or not groups:
            return None
        outer = Node("N", value=value)

    def splice(node: Node) -> Node:
        if node.op == "N" and node.value is not None and node.value.denominator == 1 \
                and 0 <= int(node.value) - _PLACEHOLDER < len(groups):
            return splice(groups[int(node.value) - _PLACEHOLDER])
        return Node(node.op, tuple(splice(a) for a in node.args), node.value)

    node = splice(outer)
    return None if node.op == "N" else node       # "(5)" asks for nothing


def parse(text: str, roman_hindi: bool = True) -> Node | None:
    """The arithmetic ``text`` asks for, as a tree; None if it is not (only) arithmetic."""
    if "(" in text or ")" in text:
        return _parse_groups(text, roman_hindi)
    w = words(text)
    if not w or len(w) > 30:
        return None
    for trailing_do_is_verb in (True, False):
        got = _items(w, roman_hindi, trailing_do_is_verb)
        if got is None:
            continue
        items, cue = got
        if not any(item.tag == "N" for item in items):
            return None
        while items and items[-1].tag == "TO":                 # "... is equal to"
            items.pop()
        while items and items[0].tag == "TO":                  # "to 5 plus 3 kitna hai"
            items.pop(0)
        # romanised "bata" is बटा (over) only between two numbers; else बता (tell)
        items = [item for j, item in enumerate(items) if item.tag != "BATA" or (
            0 < j < len(items) - 1 and items[j + 1].tag in ("N", "-", "SQRT"))]
        node = _verb_form(items)
        if node is not None:
            return node
        # "और"/"and" between numbers is plus in a question that asks for a result
        items = [Item("+") if item.tag == "AND" and cue else item for item in items]
        try:
            parser = _Parser(items)
            node = parser.parse()
        except ValueError:
            continue
        if parser.ops:
            return node
    return None


# -- saying it ------------------------------------------------------------------------------

_EN_OPS = {"+": "plus", "-": "minus", "*": "times", "/": "divided by", "^": "to the power of"}
_HI_OPS = {"+": "जमा", "-": "घटा", "*": "गुणा", "/": "भाग", "^": "की घात"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 3}


def _say(node: Node, hi: bool) -> str:
    """The expression read back: "25 times 4" / "पच्चीस गुणा चार"."""
    if node.op == "N":
        assert node.value is not None
        return hindi_words(node.value) if hi else format_number(node.value)
    a = [_say(x, hi) for x in node.args]
    if node.op in _EN_OPS:
        return f"{a[0]} {(_HI_OPS if hi else _EN_OPS)[node.op]} {a[1]}"
    if node.op == "neg":
        return f"{'माइनस' if hi else 'minus'} {a[0]}"
    if node.op == "pct":
        return f"{a[1]} का {a[0]} प्रतिशत" if hi else f"{a[0]} percent of {a[1]}"
    names = {"sqrt": ("का वर्गमूल", "the square root of"), "cbrt": ("का घनमूल", "the cube root of"),
             "sq": ("का वर्ग", "squared"), "cube": ("का घन", "cubed")}
    hi_name, en_name = names[node.op]
    if hi:
        return f"{a[0]} {hi_name}"
    return f"{en_name} {a[0]}" if en_name.startswith("the") else f"{a[0]} {en_name}"


def _expression(node: Node) -> str:
    """Plain notation for data and logs: "25 * 4"."""
    if node.op == "N":
        return format_number(node.value or 0).replace(",", "")
    a = [_expression(x) for x in node.args]
    if node.op in _PRECEDENCE:
        return f"({a[0]} {node.op} {a[1]})"
    return f"{node.op}({', '.join(a)})"


_ERRORS = {
    "division_by_zero": ("शून्य से भाग नहीं दिया जा सकता।", "Dividing by zero isn't defined."),
    "negative_root": ("ऋणात्मक संख्या का वर्गमूल वास्तविक संख्या नहीं होता।",
                      "A negative number has no real square root."),
    "too_large": ("यह संख्या मेरे हिसाब के लिए बहुत बड़ी है।", "That number is too large for me."),
    "unsupported_power": ("मैं सिर्फ़ छोटी पूर्ण संख्या वाली घात निकाल सकती हूँ।",
                          "I can only raise numbers to small whole powers."),
}


class Calculator:
    def __init__(self, max_places: int = 4) -> None:
        self.max_places = max_places

    def handle(self, utterance: Utterance) -> Reply | None:
        language = utterance.language if utterance.language in ("hi", "en") else "en"
        hi = language == "hi"
        node = parse(utterance.text, roman_hindi=hi)
        if node is None:
            return None
        expression = _expression(node)
        try:
            value = node.evaluate()
        except MathError as exc:
            text = _ERRORS[exc.kind][0 if hi else 1]
            return Reply(text, language, {"error": exc.kind, "expression": expression})
        rounded = self._rounded(value)
        exact = rounded == value
        said = _say(node, hi)
        if hi:
            result = hindi_words(rounded, self.max_places)
            text = f"{said} बराबर {'' if exact else 'लगभग '}{result}।"
        else:
            result = format_number(rounded, self.max_places)
            text = f"{said} is {'' if exact else 'about '}{result}."
            text = text[0].upper() + text[1:]
        number: int | float = int(value) if value.denominator == 1 else round(float(value), 10)
        return Reply(text, language, {"value": number, "expression": expression,
                                      "exact": exact})


    def tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        """The LLM's ``calculator`` tool: ``{"expression": "240 * 15 / 100"}`` (digits or
        words, any language the skill reads) -> ``{"result": 36}`` or ``{"error": kind}``."""
        expression = arguments.get("expression")
        if not isinstance(expression, str) or not expression.strip():
            return {"error": "expression must be a non-empty string"}
        node = parse(expression[:500])
        if node is None:
            return {"error": "not an arithmetic expression"}
        try:
            value = node.evaluate()
        except MathError as exc:
            return {"error": exc.kind}
        rounded = self._rounded(value)
        return {"result": int(rounded) if rounded.denominator == 1 else float(rounded)}

    def _rounded(self, value: Fraction) -> Fraction:
        return Fraction(round(value * 10 ** self.max_places), 10 ** self.max_places)


_lock = threading.Lock()
_calculator = Calculator()


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: Any) -> None:
    global _calculator
    with _lock:
        _calculator = Calculator(settings(ctx.table))


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _calculator.handle(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return _calculator.handle(utterance)            # a pure function of the utterance


@hookimpl
def vaani_tools() -> list[Tool]:
    return [Tool("calculator", "evaluate an arithmetic expression", {"expression": "string"},
                 lambda arguments, language: _calculator.tool(arguments, language),
                 grounded=grounded, say=say, composed=("expression",))]


def _times_said(text: str) -> Counter[Fraction]:
    """How often each number occurs (read with romanised Hindi or without, the larger)."""
    toks = words(text)
    counts = [Counter(n.value for n in find_numbers(toks, roman)) for roman in (True, False)]
    return counts[0] | counts[1]


# Numbers a question implies without saying them: "15 percent of 240" is 240 * 15 / 100.
_IMPLIED = (
    (keys("percent percentage % प्रतिशत फ़ीसदी फीसदी परसेंट pratishat fisadi".split()), 100),
    (keys("half double twice आधा आधी दुगना दोगुना दुगुना aadha adha dugna".split()), 2),
    (keys("triple thrice तिगुना tiguna".split()), 3),
    (keys("quarter चौथाई chauthai".split()), 4),
    (keys("dozen dozens दर्जन darjan".split()), 12),
    (keys("hour hours minute minutes घंटे घंटा मिनट ghante ghanta minat".split()), 60),
    (keys("day days दिन din".split()), 24),
    (keys("week weeks हफ़्ते हफ्ते सप्ताह hafte".split()), 7),
)


def grounded(arguments: dict[str, Any], utterance: str) -> bool:
    """The LLM's expression uses only numbers the user said or implied (a word problem's
    "5 apples, 2 eaten" may become "5 - 2"; "the capital of India" may not become "2 + 2")."""
    expression = arguments.get("expression")
    if not isinstance(expression, str):
        return False
    used, said = _times_said(expression), _times_said(utterance)
    if not used or not said:
        return False
    utterance_keys = {word_key(w) for w in words(utterance)}
    implied = {Fraction(value) for vocabulary, value in _IMPLIED if utterance_keys & vocabulary}
    if not set(used) <= set(said) | implied:
        return False
    # a number said once is used once: "50 rupees, a pen for 18" is not "18 - 18"
    return all(n <= said[value] for value, n in used.items() if value not in implied)


def say(result: dict[str, Any], language: str) -> str:
    """The calculator's own wording of a tool result."""
    value = Fraction(str(result["result"]))
    if language == "hi":
        return f"जवाब {hindi_words(value)} है।"
    return f"The answer is {format_number(value)}."


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["हिसाब" if language == "hi" else "calculations"]


@hookimpl
def vaani_shutdown() -> None:
    global _calculator
    with _lock:
        _calculator = Calculator()
