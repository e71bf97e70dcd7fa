"""Tool calls decoded inside their schemas: a small model cannot write a call that is not there.

A 10M-parameter Chimera asked to call ``vaani_remind_me`` writes ``remind_me`` (a name it
learnt, not the one offered), ``{"time": ...}`` for a tool whose argument is ``when``, and
the label ``pizza`` for "set an eggs timer": it remembers instead of reading the prompt.
Structured-output decoding (llama.cpp grammars, OpenAI's strict schemas) takes those
mistakes away at the source; this module does it for the model's own call format
(``<|tool_call|>{"name": N, "arguments": {...}}<|end|>``, ``json.dumps`` with default
separators, as ``training/chat.py`` writes it):

* **the name** is one of the offered tools: each offered name is scored as a whole by the
  model (the mean log-probability of its tokens up to the closing quote, in the canonical
  tokenization the model was trained on), and the best is written; a first-token choice
  would be myopic (``vaani_remind_me`` starts with a token the model does not expect);
* **the arguments** follow the chosen tool's schema, token by token: only its property names
  (each at most once, ``required`` ones before the object closes), values of the property's
  JSON type (``integer``, ``number``, ``boolean``, ``string``, an ``enum``'s values); a
  property of another type (array, object) releases the constraint for the rest of the call;
* **string values are the user's words** (``ground``): a span of whole words of what the
  user said, never a remembered one, chosen as a whole like the name (the spans starting
  with the likeliest tokens, each scored with the string's end after it); fixed values
  are an ``enum`` in the schema (volume: up, down, set ...); a tool's ``composed``
  arguments (the calculator's expression, which the model writes from number words) are
  free text;
* then only the end of the turn;
* a call the model begins for a tool nobody offers (the best offered name is unlikely after
  the marker, ``min_name_logprob``) is given up: the marker and the end of the turn, which
  the runtime answers like a failed call, with its apology.

:class:`CallDecoder` works on logits (numpy) and the token pieces of the vocabulary, so the
speculative loop is not involved: a request with call rules decodes one token at a time
(Chimera's cost model turns speculation off anyway). Off (``rules=None``) nothing changes.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vaani.llm import sampling

log = logging.getLogger(__name__)

MAX_DIGITS = 12            # a number longer than this is not an argument anyone said
# CallRules.min_name_logprob. Measured on chimera-v2 over 450 generated tasks that are not
# the held-out ones (a name scored per token up to its closing quote): every right call's
# name scored >= -0.69, the false calls (on requests no tool serves) from -2.51 up; -0.75
# keeps all 117 right calls and gives up 15 of the 28 false ones.
MIN_NAME_LOGPROB = -0.75
SCAN = 512                 # tokens looked at first (by logit) for an allowed one


# ----------------------------------------------------------------------------- the grammar

@dataclass(frozen=True)
class Param:
    kind: str                              # integer | number | boolean | string | enum | free
    options: tuple[bytes, ...] = ()        # enum: the JSON text of each value
    ground: bool = False                   # string: a span of the grounding text


@dataclass(frozen=True)
class ToolShape:
    name: str
    params: Mapping[str, Param]
    required: frozenset[str]
    ground: bytes = b""                    # what string values may be spans of


def _param(spec: Any, grounded: bool) -> Param:
    if not isinstance(spec, dict):
        return Param("free")
    enum = spec.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, (str, int, float, bool))
                                               and v is not None for v in enum):
        return Param("enum", tuple(json.dumps(v, ensure_ascii=False).encode() for v in enum))
    kind = spec.get("type")
    if kind in ("integer", "number", "boolean"):
        return Param(kind)
    if kind == "string":
        return Param("string", ground=grounded)
    return Param("free")


def shapes(tools: Iterable[dict[str, Any]], *, ground: str | None,
           composed: Mapping[str, Iterable[str]] | None = None) -> dict[str, ToolShape]:
    """The offered tools (OpenAI function schemas) as call shapes. ``ground``: the user's
    words (string values must be spans of them); None: any string. ``composed``: per tool,
    arguments that are free text even so."""
    out: dict[str, ToolShape] = {}
    for tool in tools:
        fn = tool.get("function", tool) if isinstance(tool, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            continue
        params: dict[str, Any] = fn.get("parameters") or {}
        if not isinstance(params, dict):
            params = {}
        props: dict[str, Any] = params.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        free = set((composed or {}).get(fn["name"], ()))
        req: list[Any] = params.get("required") or []
        if not isinstance(req, list):
            req = []
        text = ground.encode() if ground is not None else b""
        out[fn["name"]] = ToolShape(
            fn["name"],
            {k: _param(v, ground is not None and k not in free) for k, v in props.items()},
            frozenset(k for k in req if k in props), text)
    return out


# A state is a tuple (immutable, cheap to branch on):
#   ("lit", text, i, then)          the rest of a fixed text, then state `then`
#   ("args", shape, used, first)    inside the arguments object: a key, or "}" to close
#   ("key", shape, used, sofar)     a property name being written
#   ("str", shape, used, sofar, ground)  a string value; ("esc", ...) after a backslash
#   ("int"|"num", shape, used, sofar)    a number
#   ("enum", shape, used, options, sofar)
#   ("after", shape, used)          a value ended: ", " or "}"
#   ("end",)                        the call is complete: only the end of the turn
#   ("free",)                       released: anything
State = tuple


def _after_close() -> State:
    return ("lit", b"}", 0, ("end",))


def _value_state(shape: ToolShape, used: frozenset[str], key: str) -> State:
    p = shape.params[key]
    if p.kind == "free":
        return ("free",)
    if p.kind == "boolean":
        return ("enum", shape, used, (b"true", b"false"), b"")
    if p.kind == "enum":
        return ("enum", shape, used, p.options, b"")
    if p.kind in ("integer", "number"):
        return ("int" if p.kind == "integer" else "num", shape, used, b"")
    return ("lit", b'"', 0, ("str", shape, used, b"", p.ground))


def _close_ok(shape: ToolShape, used: frozenset[str]) -> bool:
    return shape.required <= used


def _sep(shape: ToolShape, used: frozenset[str], b: int) -> State | None:
    """A byte right after a value: ", " and the next key, or the closing braces."""
    if b == 0x2C and len(used) < len(shape.params):
        return ("lit", b" ", 0, ("args", shape, used, False))
    if b == 0x7D and _close_ok(shape, used):
        return _after_close()
    return None


def advance(state: State, b: int) -> State | None:
    """The state after byte ``b``, or None if no call of the grammar goes on that way."""
    tag = state[0]
    if tag == "free":
        return state
    if tag == "end":
        return None
    if tag == "lit":
        _, text, i, then = state
        if text[i] != b:
            return None
        return then if i + 1 == len(text) else ("lit", text, i + 1, then)
    if tag == "args":
        _, shape, used, first = state
        if b == 0x22 and len(used) < len(shape.params):
            return ("key", shape, used, b"")
        if b == 0x7D and first and _close_ok(shape, used):
            return _after_close()
        return None
    if tag == "key":
        _, shape, used, sofar = state
        if b == 0x22:
            key = sofar.decode("utf-8", "replace")
            if key in shape.params and key not in used:
                return ("lit", b": ", 0, _value_state(shape, used | {key}, key))
            return None
        grown = sofar + bytes((b,))
        if any(k.encode().startswith(grown) for k in shape.params if k not in used):
            return ("key", shape, used, grown)
        return None
    if tag == "str":
        _, shape, used, sofar, ground = state
        if b == 0x22:
            if ground and (not sofar or sofar not in shape.ground):
                return None
            return ("after", shape, used)
        if b < 0x20:
            return None
        if b == 0x5C:
            return None if ground else ("esc", shape, used, sofar, ground)
        grown = sofar + bytes((b,))
        if ground and grown not in shape.ground:
            return None
        return ("str", shape, used, grown, ground)
    if tag == "esc":
        _, shape, used, sofar, ground = state
        if b in b'"\\/bfnrt':
            return ("str", shape, used, sofar + b"\\" + bytes((b,)), ground)
        return None
    if tag in ("int", "num"):
        _, shape, used, sofar = state
        digits = sofar.lstrip(b"-").split(b".")
        if 0x30 <= b <= 0x39:
            whole = digits[0]
            if len(digits) == 1 and whole == b"0":
                return None                      # no leading zeros (not JSON)
            if sum(len(d) for d in digits) >= MAX_DIGITS:
                return None
            return (tag, shape, used, sofar + bytes((b,)))
        if b == 0x2D and not sofar:
            return (tag, shape, used, b"-")
        if b == 0x2E and tag == "num" and len(digits) == 1 and digits[0]:
            return (tag, shape, used, sofar + b".")
        if digits[-1]:                           # a complete number: what follows it
            return _sep(shape, used, b)
        return None
    if tag == "enum":
        _, shape, used, options, sofar = state
        grown = sofar + bytes((b,))
        if any(o.startswith(grown) for o in options):
            return ("enum", shape, used, options, grown)
        if sofar in options:
            return _sep(shape, used, b)
        return None
    if tag == "after":
        _, shape, used = state
        return _sep(shape, used, b)
    raise AssertionError(f"unknown state {tag!r}")


def feed(state: State | None, data: bytes) -> State | None:
    for b in data:
        if state is None:
            return None
        state = advance(state, b)
    return state


def arguments_state(shape: ToolShape) -> State:
    """Right after ``{"name": "N", "arguments":``: the object of N's arguments."""
    return ("lit", b" {", 0, ("args", shape, frozenset(), True))


def call_text(name: str) -> str:
    """What a call to ``name`` starts with, up to its arguments (the training format)."""
    return '{"name": ' + json.dumps(name, ensure_ascii=False) + ', "arguments":'


# ----------------------------------------------------------------------------- decoding

@dataclass
class CallRules:
    """What a request's tool calls must be: the offered tools, and the user's words that
    string values are copied from (None: any string)."""

    tools: list[dict[str, Any]]
    ground: str | None = None
    composed: Mapping[str, Iterable[str]] = field(default_factory=dict)
    # the best offered name's mean log-probability per token below which a begun call is
    # given up (nats; -inf: never)
    min_name_logprob: float = field(default_factory=lambda: MIN_NAME_LOGPROB)

    @staticmethod
    def user_words(messages: list[dict[str, Any]]) -> str:
        return "\n".join(str(m.get("content") or "") for m in messages if m.get("role") == "user")


class CallDecoder:
    """Watches one generation; from the call marker on, picks tokens inside the schema.

    ``marker``: the id of the model's call token. ``score(candidates)``: log-probabilities
    of token sequences after the tokens so far (or None when the sequence cannot try tokens
    and undo them: then the name is chosen token by token, like the arguments)."""

    def __init__(self, model: Any, marker: int, rules: CallRules) -> None:
        self.model = model
        self.marker = marker
        self.shapes = shapes(rules.tools, ground=rules.ground, composed=rules.composed)
        self.state: State | None = None          # None: not in a call (yet)
        self.forced: list[int] = []
        self.released = False
        self.name: str | None = None
        self.eog = model.eog_ids
        self.min_name_logprob = rules.min_name_logprob
        # the best offered name's score once a call began: what MIN_NAME_LOGPROB is set from
        self.best_name_logprob: float | None = None
        self._marker_pending = False

    @property
    def active(self) -> bool:
        return bool(self.shapes) and not self.released and (self.state is not None or
                                                             bool(self.forced))

    # -- the name --------------------------------------------------------------------------

    def _prefix_tokens(self, name: str) -> list[int]:
        """The canonical tokens of ``{"name": "N", "arguments":`` (as the model saw them in
        a whole call), cut where they stop being a prefix of that text."""
        whole = self.model.tokenize(call_text(name) + " {}}", add_special=False,
                                    parse_special=False)
        want = call_text(name).encode()
        out, got = [], b""
        for t in whole:
            piece = self.model.piece(t)
            if not want.startswith(got + piece):
                break
            out.append(t)
            got += piece
        if got != want:        # the text does not end on a token boundary: finish it bytewise
            out += self.model.tokenize(want[len(got):].decode("utf-8", "replace"),
                                       add_special=False, parse_special=False)
        return out

    def _name_end(self, name: str, tokens: list[int]) -> int:
        """How many of a call's opening ``tokens`` it takes to write ``{"name": "N",``."""
        want = len(('{"name": ' + json.dumps(name, ensure_ascii=False) + ",").encode())
        got = 0
        for k, t in enumerate(tokens, 1):
            got += len(self.model.piece(t))
            if got >= want:
                return k
        return len(tokens)

    def open(self, token: int, logits: np.ndarray, sampler: Any, rng: np.random.Generator,
             score: Any) -> int:
        """The model chose the call marker ``token`` (``logits``: what it chose from): score
        every offered name after it (each whole, per token, so a name's decorations such as
        ``vaani_`` or ``my_`` cost it nothing). The best one is queued and the marker
        returned. If even the best is below ``min_name_logprob``, the model was after a
        tool nobody offers, and writing one anyway would be a wrong call ("book a cab" ->
        the timer): the call is given up, the marker followed by the end of the turn, which
        the runtime answers as a call that failed (:func:`vaani.llm.tools.stream_with_tools`:
        its honest apology)."""
        names = list(self.shapes)
        seqs = [self._prefix_tokens(n) for n in names]
        # scored up to the name's closing quote: what follows (, "arguments":) is the same
        # for every name, and decoding it sixteen times cost a voice turn ~100 ms
        cut = [self._name_end(n, q) for n, q in zip(names, seqs)]
        table = score([[token] + q[:k] for q, k in zip(seqs, cut)], prefixes=True)
        if table is None:                         # cannot try and undo: token by token
            self.state = ("name", b"")
            self._marker_pending = True           # advance() sees the marker first
            return token
        means = [(row[-1] - row[0]) / k for row, k in zip(table, cut)]
        best = int(np.argmax(means))
        self.best_name_logprob = float(means[best])
        if means[best] < self.min_name_logprob:
            log.info("no offered tool fits the call the model began (best %s: %.2f per token); "
                     "the call is given up", names[best], means[best])
            self.state = ("end",)                 # the marker, then the end of the turn
            self._marker_pending = True
            return token
        self.name = names[best]
        self.forced = list(seqs[best])
        self.state = arguments_state(self.shapes[self.name])
        self._marker_pending = True
        return token

    # -- one step --------------------------------------------------------------------------

    def pick(self, logits: np.ndarray, sampler: Any,
             rng: np.random.Generator) -> int:
        if self.forced:
            return self.forced[0]
        assert self.state is not None
        if self.state == ("end",):
            return max(self.eog, key=lambda t: float(logits[t]))
        if self.state[0] == "free":
            return sampling.sample(sampler.dist(logits), rng)
        allowed = self._allowed(logits, first=float(getattr(sampler, "temperature", 1.0)) <= 0.0)
        if not allowed:
            log.warning("no token continues the %s call inside its schema; released",
                        self.name or "tool")
            self.released = True
            return sampling.sample(sampler.dist(logits), rng)
        masked = np.full_like(logits, -np.inf)
        idx = np.asarray(allowed, np.int64)
        masked[idx] = logits[idx]
        return sampling.sample(sampler.dist(masked), rng)

    def _ok(self, token: int) -> bool:
        assert self.state is not None
        if self.state[0] == "free":
            return True
        if token in self.eog:
            return False
        piece = self.model.piece(token)
        if not piece:
            return False
        if self.state[0] == "name":
            return self._name_state(self.state[1] + piece) is not None
        new = feed(self.state, piece)
        if new is None:
            return False
        # a copied string opens on a token of its own, so that its words are chosen whole
        return not (new[0] == "str" and new[4] and new[3] and self.state[0] != "str")

    def _name_state(self, sofar: bytes) -> State | None:
        """Choosing the name token by token: ``sofar`` is the text after the marker."""
        for n in self.shapes:
            whole = call_text(n).encode()
            if whole.startswith(sofar):
                return ("name", sofar)
            if sofar.startswith(whole):
                return feed(arguments_state(self.shapes[n]), sofar[len(whole):])
        return None

    def _allowed(self, logits: np.ndarray, first: bool = False) -> list[int]:
        """The allowed tokens among the ``SCAN`` most likely (all of them if none is);
        ``first``: only the most likely allowed one (greedy decoding)."""
        n = len(logits)
        k = min(SCAN, n)
        top = np.argpartition(-logits, k - 1)[:k] if k < n else np.arange(n)

        def rest() -> np.ndarray:            # the others, only when none of the top will do
            ids = np.setdiff1d(np.arange(n), top)
            return ids[np.lexsort((ids, -logits[ids]))]

        for part in ((lambda: top[np.lexsort((top, -logits[top]))]), rest)[:1 + (k < n)]:
            allowed = []
            for t in part():
                if self._ok(int(t)):
                    allowed.append(int(t))
                    if first:
                        return allowed
            if allowed:
                return allowed
        return []

    def advance(self, token: int) -> None:
        """Token ``token`` was chosen (by :meth:`pick`, or by the model before the call)."""
        if self.released:
            return
        if self._marker_pending:
            self._marker_pending = False
            return
        if self.forced:
            self.forced.pop(0)
            return
        if self.state is None:
            return
        if self.state[0] == "name":
            st = self._name_state(self.state[1] + self.model.piece(token))
            if st is not None and st[0] != "name":
                self.name = next(n for n in self.shapes if (self.state[1] + self.model.piece(
                    token)).startswith(call_text(n).encode()))
            self.state = st
        elif self.state[0] not in ("free", "end"):
            self.state = feed(self.state, self.model.piece(token))
        if self.state is None:                   # cannot happen after pick(); be safe
            self.released = True

    def begins_call(self, token: int) -> bool:
        return self.state is None and not self.released and bool(self.shapes) \
            and token == self.marker

    def fed(self, token: int, logits: np.ndarray, score: Any) -> None:
        """``token`` was decoded and ``logits`` follow it: where a copied string begins,
        choose it whole. ``score(seqs, end=, prefixes=)``: see
        :func:`vaani.llm.engine.try_sequences`."""
        if (not self.forced and self.state is not None and self.state[0] == "str"
                and self.state[4] and not self.state[3]):
            self.choose_span(logits, score)

    # -- a copied string -------------------------------------------------------------------

    def choose_span(self, logits: np.ndarray, score: Any) -> None:
        """Right after a copied string's opening quote: score the spans of whole words of
        the grounding text (those starting with the likeliest first tokens) together with
        the string's end after them, and write the best one. Token by token, a model that
        wants a word the user did not say copies a fragment ("दी" for "pencil")."""
        assert self.state is not None
        shape = self.state[1]
        spans = word_spans(shape.ground.decode("utf-8", "replace"))
        if not spans:
            return
        seqs = [self.model.tokenize(s, add_special=False, parse_special=False) for s in spans]
        keep = [i for i, q in enumerate(seqs) if q]
        firsts = sorted({seqs[i][0] for i in keep}, key=lambda t: -float(logits[t]))[:SPAN_STARTS]
        keep = [i for i in keep if seqs[i][0] in firsts]
        quote = self.model.ids_starting_with(b'"')
        # one decode scores a span and every shorter span it starts with (a word's tokens do
        # not depend on the words after it): one per longest span, not one per span
        longest = [i for i in keep if not any(j != i and len(seqs[j]) > len(seqs[i])
                                              and seqs[j][:len(seqs[i])] == seqs[i]
                                              for j in keep)]
        longest = list({tuple(seqs[i]): i for i in longest}.values())
        table = score([seqs[i] for i in longest], end=lambda row: _log_mass(row, quote),
                      prefixes=True)
        if table is None:
            return
        scores = []
        for i in keep:
            n = len(seqs[i])
            at = next(k for k, j in enumerate(longest) if seqs[j][:n] == seqs[i])
            scores.append(table[at][n - 1])
        # per token (the end counted as one), as for names: a long span is not a worse one
        best = keep[int(np.argmax([sc / (len(seqs[i]) + 1) for sc, i in zip(scores, keep)]))]
        self.forced = list(seqs[best])
        # the span was scored with the string's end after it: nothing may be added to it
        self.state = ("lit", b'"', 0, ("after", shape, self.state[2]))

SPAN_STARTS = 4            # a copied string: spans starting with this many likeliest tokens
SPAN_WORDS = 8             # ... of at most this many words
_WORD = re.compile(r"[^\s'\"‘’“”.,!?।:;()\[\]{}]+(?:['’][^\s'\"‘’“”.,!?।:;()]+)*")


def word_spans(text: str, max_words: int = SPAN_WORDS) -> list[str]:
    """Every run of 1..``max_words`` consecutive words of each line of ``text`` (punctuation
    around it left out), each once, in order of first appearance."""
    out: dict[str, None] = {}
    for line in text.splitlines():
        words = [(m.start(), m.end()) for m in _WORD.finditer(line)]
        for i in range(len(words)):
            for j in range(i, min(len(words), i + max_words)):
                span = line[words[i][0]:words[j][1]]
                if '"' not in span and "\\" not in span:
                    out.setdefault(span, None)
    return list(out)


def _log_mass(row: np.ndarray, ids: np.ndarray) -> float:
    z = np.asarray(row, np.float64)
    z = z - z.max()
    e = np.exp(z)
    return float(np.log(max(e[ids].sum(), 1e-300)) - np.log(e.sum()))
