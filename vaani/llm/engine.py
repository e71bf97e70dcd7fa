"""The LLM engine: a GGUF model (optionally with a draft) that streams chat replies.

One engine holds the model(s) and context(s) for the life of the process; every request
(the assistant's turns, the HTTP server's clients) goes through :meth:`LlamaEngine.stream`,
one generation at a time in arrival order (a FIFO lock), so no two requests ever share a
context at once. A request that is cancelled (``cancel`` set, client gone) stops before the
next decode. The prompt that the previous request left in the context is reused.

Without a draft each token is one target decode; with a draft the speculative loop of
:mod:`vaani.llm.speculative` runs instead and produces the same output distribution.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vaani.config import TOOL_CALL_MODES, sampling_problem
from vaani.errors import ConfigError, EngineError
from vaani.llm import chat, sampling
from vaani.llm.calls import CallDecoder, CallRules
from vaani.llm.chat import RequestError
from vaani.llm.native import ContextParams, DecodeAborted, LlamaContext, LlamaModel
from vaani.llm.ngram import NgramIndex
from vaani.llm.sequence import Sequence
from vaani.llm.speculative import (DraftPolicy, NgramPolicy, Sampler, SpecStats,
                                   speculative_tokens)
from vaani.llm.text import TextStream
from vaani.llm.tools import TOOL_CALL

log = logging.getLogger(__name__)

ROLLBACKS = ("auto", "kv", "rs", "checkpoint", "fork")
DRAFT_SOURCES = ("auto", "model", "ngram")


@dataclass
class Request:
    """Sampling settings of one generation."""

    max_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    draft_temperature: float | None = None   # None: same as the target's
    draft_top_p: float | None = None
    speculative: bool = True                 # use the draft if there is one
    draft: str = "auto"                      # auto | model | ngram: which draft sources
    k: int = 0                               # fixed draft length (0: the cost model's)
    calls: CallRules | None = None           # tool calls inside their schemas (vaani.llm.calls)

    def check(self) -> None:
        if isinstance(self.max_tokens, bool) or not isinstance(self.max_tokens, int) \
                or self.max_tokens < 0:
            raise RequestError(f"max_tokens must be a non-negative integer (got {self.max_tokens!r})")
        problem = sampling_problem(self.temperature, self.top_p)    # the config's rule too
        if problem:
            raise RequestError(problem)
        if self.draft not in DRAFT_SOURCES:
            raise RequestError(f"draft must be one of {', '.join(DRAFT_SOURCES)}")
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 0:
            raise RequestError(f"k must be a non-negative integer (got {self.k!r})")


@dataclass
class Chunk:
    """A piece of streamed output; the last one has ``finish_reason`` set."""

    text: str
    tokens: list[int] = field(default_factory=list)
    finish_reason: str | None = None         # stop | length | cancelled
    prompt_tokens: int = 0
    completion_tokens: int = 0
    result: Completion | None = None         # on the last chunk: the whole generation


@dataclass
class Completion:
    """One finished generation. ``seconds`` runs from the grant of the engine (prompt
    evaluation included) to the last token; ``first_token_s`` from the grant to the first
    token; ``queued_s`` is the wait for the engine before the grant; ``arrival`` and
    ``served`` number the request in order of joining the queue and of being granted
    (equal order: first come first served); ``spec`` is the :class:`SpecStats` of a
    speculative generation (None when it decoded plainly)."""

    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    tokens: list[int] = field(default_factory=list)
    spec: dict[str, Any] | None = None
    first_token_s: float | None = None
    queued_s: float = 0.0
    arrival: int = 0
    served: int = 0

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds > 0 else 0.0


class Ticket:
    """A place in a :class:`FifoLock`'s queue, taken when the request arrives."""

    __slots__ = ("arrival", "joined", "served", "granted")

    def __init__(self, arrival: int) -> None:
        self.arrival = arrival                # 1, 2, ... in order of joining
        self.joined = time.perf_counter()
        self.served = 0                       # 1, 2, ... in order of grants (0: not yet)
        self.granted = 0.0

    @property
    def waited(self) -> float:
        return (self.granted - self.joined) if self.served else 0.0


class FifoLock:
    """A lock granted in arrival order, so queued clients are served first come first served.

    ``with lock:`` joins the queue and waits in one step. A server that must keep the order
    in which requests *arrived* (not the order in which its worker threads happen to reach
    the lock) takes a :meth:`join` ticket on arrival and later enters ``lock.hold(ticket)``
    from any thread; a ticket that will never be held is given up with :meth:`leave`."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[Ticket] = deque()
        self._arrivals = 0
        self._grants = 0

    def join(self) -> Ticket:
        with self._cond:
            self._arrivals += 1
            ticket = Ticket(self._arrivals)
            self._queue.append(ticket)
            return ticket

    @contextlib.contextmanager
    def hold(self, ticket: Ticket | None = None) -> Iterator[Ticket]:
        me = ticket if ticket is not None else self.join()
        with self._cond:
            if me not in self._queue:
                raise RuntimeError("this ticket has left the queue")
            while self._queue[0] is not me:
                self._cond.wait()
            self._grants += 1
            me.served = self._grants
            me.granted = time.perf_counter()
        try:
            yield me
        finally:
            self.leave(me)

    def leave(self, ticket: Ticket) -> None:
        """Give up ``ticket``'s place (a no-op once it has been held and released)."""
        with self._cond:
            if ticket in self._queue:
                self._queue.remove(ticket)
                self._cond.notify_all()

    def __enter__(self) -> FifoLock:
        me = self.join()
        with self._cond:
            while self._queue[0] is not me:
                self._cond.wait()
            self._grants += 1
            me.served = self._grants
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._queue.popleft()
            self._cond.notify_all()

    @property
    def waiting(self) -> int:
        """Requests in the queue behind the one being served (or about to be)."""
        return max(0, len(self._queue) - 1)

    @property
    def busy(self) -> bool:
        return bool(self._queue)


class LlamaEngine:
    """``process(messages, ...)`` streams a reply (the :class:`vaani.engines.LlmEngine` API)."""

    def __init__(self, model: str | Path, *, draft: str | Path | None = None,
                 n_ctx: int = 2048, threads: int = 0, seed: int = -1, k_max: int = 8,
                 k_fixed: int = 0, p_min: float = 0.5, rollback: str = "auto",
                 draft_rollback: str = "auto",
                 kv_f32: bool = False, calibrate: bool = True, name: str = "",
                 ngram: bool = False, ngram_min: int = 2, ngram_max: int = 4,
                 repack: bool = True, exact: bool = True) -> None:
        """``ngram``: also draft by n-gram lookup in the prompt and reply (works without a
        draft model). ``repack``: llama.cpp's repacked weights for the target (faster; then
        only batches of up to 3 tokens give one-by-one logits bit for bit). ``exact``: keep
        every verified batch at a size whose logits are bit-identical to one-by-one decoding
        (measured by :meth:`calibrate`), so greedy speculative output is plain greedy output
        token for token; off, a longer draft may pay more but greedy output can differ at
        near-ties."""
        if rollback not in ROLLBACKS or draft_rollback not in ROLLBACKS:
            raise ConfigError(f"rollback must be one of {', '.join(ROLLBACKS)}")
        if n_ctx < 16:
            raise ConfigError(f"llm.context must be at least 16 (got {n_ctx})")
        if not 1 <= k_max <= 32:
            raise ConfigError(f"k_max must be between 1 and 32 (got {k_max})")
        self.model = LlamaModel(model, repack=repack)
        self.name = name or self.model.name
        # control tokens whose text the caller must see: a tool call's marker
        # (vaani.llm.tools); every other control token renders empty
        self.visible_specials = _single_tokens(self.model, (TOOL_CALL,))
        # where a call starts, for decoding calls inside their schemas (vaani.llm.calls)
        self.call_marker: int | None = next(iter(self.visible_specials), None)
        self.seed = seed
        self.threads = threads
        self.k_max = k_max
        self.p_min = p_min
        self.lock = FifoLock()
        n_ctx = min(n_ctx, self.model.n_ctx_train) if self.model.n_ctx_train > 0 else n_ctx
        self.draft_model: LlamaModel | None = None
        self.draft: Sequence | None = None
        self.policy: DraftPolicy | None = None
        self.ngram: NgramIndex | None = NgramIndex(ngram_min, ngram_max) if ngram else None
        self.ngram_policy: NgramPolicy | None = None
        self.exact = exact
        self.exact_batch: int | None = None       # measured by calibrate()
        speculative = bool(draft) or ngram
        rs = 0
        if draft:
            self.draft_model = LlamaModel(draft)   # its rounding never changes the output
            self._check_vocab()
        if speculative and self.model.recurrent and rollback in ("auto", "rs"):
            rs = k_max
        params = ContextParams(n_ctx=n_ctx, n_batch=512, n_threads=threads, n_rs_seq=rs,
                               kv_f32=kv_f32)
        self.ctx = LlamaContext(self.model, params)
        self.n_ctx = self.ctx.n_ctx
        mode = rollback
        if mode == "auto":
            if not self.model.recurrent:
                mode = "kv"
            elif speculative and self.ctx.n_rs_seq >= k_max:
                mode = "rs"
            else:
                mode = "checkpoint"
        if mode == "rs" and self.ctx.n_rs_seq < k_max:
            raise EngineError(f"{self.model.name}: n_rs_seq={self.ctx.n_rs_seq} after asking for "
                              f"{k_max}: this architecture cannot roll back in place",
                              hint="use rollback = \"checkpoint\"")
        self.target = Sequence(self.ctx, mode)
        if self.draft_model is not None:
            dmode = draft_rollback
            if dmode == "auto":
                dmode = "fork" if self.draft_model.recurrent else "kv"
            fork = dmode == "fork"
            dparams = ContextParams(n_ctx=self.n_ctx, n_batch=512, n_threads=threads,
                                    n_seq_max=2 if fork else 1, kv_unified=fork, kv_f32=kv_f32)
            self.draft_ctx = LlamaContext(self.draft_model, dparams)
            self.draft = Sequence(self.draft_ctx, dmode)
        if speculative:
            self.policy = DraftPolicy(k_max, k_fixed=k_fixed)
            if ngram:
                # lookup costs microseconds next to a decode of milliseconds
                self.ngram_policy = NgramPolicy(k_max, draft_cost=0.01, k_fixed=k_fixed)
            if calibrate:
                self.calibrate()
        self.last: Completion | None = None

    batch_logit_diff: float | None = None      # measured by calibrate()

    # -- set-up --------------------------------------------------------------------------------

    def _check_vocab(self) -> None:
        assert self.draft_model is not None
        a, b = self.model.vocab_fingerprint(), self.draft_model.vocab_fingerprint()
        if a != b:
            raise ConfigError(
                f"draft model {self.draft_model.name} does not share the vocabulary of "
                f"{self.model.name} (n_vocab {b[0]} vs {a[0]})",
                hint="a draft must use the same tokenizer as its target")

    def calibrate(self, repeats: int = 3, n_max: int | None = None) -> dict[str, Any]:
        """Measure which batch sizes verify bit-exactly, the target's batch-cost curve
        C(n) = time(n tokens) / time(1 token) (n up to ``n_max``, default: the longest batch
        the engine will verify) and the draft/target step ratio, which
        :class:`DraftPolicy` uses to choose k."""
        with self.lock:
            self.exact_batch = exact_batch_size(self.target, self.k_max + 1)
            self.batch_logit_diff = (0.0 if self.exact_batch > self.k_max else
                                     batch_invariance(self.target, min(self.k_max + 1, 6)))
            cap = self.k_cap
            n = n_max or ((cap + 1) if cap is not None else self.k_max + 1)
            curve = batch_cost_curve(self.target, max(2, n), repeats=repeats)
            draft_step = 1.0
            if self.draft is not None:
                d = batch_cost_curve(self.draft, 1, repeats=repeats, absolute=True)
                draft_step = d[1] / curve["t1"]
        if self.batch_logit_diff > 0.0 and self.exact and self.exact_batch >= 2:
            log.info("%s: batches of up to %d tokens give one-by-one logits bit for bit; "
                     "drafts are kept to %d tokens so greedy output stays exact",
                     self.model.name, self.exact_batch, self.exact_batch - 1)
        elif self.batch_logit_diff > 0.0:
            log.warning("%s: logits of a verified batch differ from single-token decoding by "
                        "up to %.3g (a quantization whose batched CPU kernels round "
                        "differently, e.g. K-quants): speculative greedy output can then "
                        "differ from plain decoding at near-ties. Q4_0/Q8_0 are exact.",
                        self.model.name, self.batch_logit_diff)
        if self.policy is not None:
            self.policy.batch_cost = {n: c for n, c in curve.items() if isinstance(n, int)}
            self.policy.draft_cost = draft_step
        if self.ngram_policy is not None:
            self.ngram_policy.batch_cost = {n: c for n, c in curve.items() if isinstance(n, int)}
        return {"batch_cost": curve, "draft_cost": draft_step,
                "batch_logit_diff": self.batch_logit_diff, "exact_batch": self.exact_batch}

    @property
    def k_cap(self) -> int | None:
        """The longest draft the exactness rule allows (None: no limit but k_max)."""
        if not self.exact or self.exact_batch is None or self.exact_batch > self.k_max:
            return None
        return max(1, self.exact_batch - 1)

    # -- prompts ---------------------------------------------------------------------------------

    def chat_prompt(self, messages: list[dict[str, str]],
                    tools: list[dict[str, Any]] | None = None) -> list[int]:
        messages = chat.check_messages(messages)
        bos = self.model.piece(self.model.bos, special=True).decode("utf-8", "replace")
        eos = self.model.piece(self.model.eos, special=True).decode("utf-8", "replace")
        text = chat.render(messages, self.model.chat_template, bos_token=bos, eos_token=eos,
                           tools=chat.check_tools(tools))
        add = self.model.add_bos and not (bos and text.startswith(bos))
        return self.model.tokenize(text, add_special=add, parse_special=True)

    def fitting_prompt(self, messages: list[dict[str, str]],
                       tools: list[dict[str, Any]] | None = None, reserve: int = 64) -> list[int]:
        """The chat prompt, made to leave ``reserve`` tokens for the reply: when it would not,
        the oldest turns go first (the system message and the last user turn stay), then the
        tools least related to the last user turn (words shared with a tool's name and
        description), so a small-context model still answers when many plugins offer tools.
        What still does not fit is left to :meth:`stream` to refuse."""
        return self._fit(messages, tools, reserve)[0]

    def _fit(self, messages: list[dict[str, str]], tools: list[dict[str, Any]] | None,
             reserve: int) -> tuple[list[int], list[dict[str, Any]]]:
        """:meth:`fitting_prompt`, and the tools it kept."""
        limit = self.n_ctx - max(1, reserve)
        prompt = self.chat_prompt(messages, tools)
        if len(prompt) <= limit:
            return prompt, list(tools or [])
        msgs = list(messages)
        while len(prompt) > limit:
            drop = next((i for i, m in enumerate(msgs[:-1]) if m.get("role") != "system"), None)
            if drop is None:
                break
            del msgs[drop]
            prompt = self.chat_prompt(msgs, tools)
        offered = list(tools or [])
        kept: list[dict[str, Any] | None] = list(offered)
        if len(prompt) > limit and kept:
            asked = set(re.findall(r"\w+", str(msgs[-1].get("content", "")).casefold()))

            def related(tool: dict[str, Any]) -> int:
                fn = tool.get("function", tool)
                words = re.findall(r"\w+", f"{fn.get('name', '')} {fn.get('description', '')}"
                                   .replace("_", " ").casefold())
                return len(asked & set(words))

            order = sorted(range(len(offered)), key=lambda i: (related(offered[i]), -i))
            for i in order:                      # least related first, later ones first
                kept[i] = None
                prompt = self.chat_prompt(msgs, [t for t in kept if t is not None] or None)
                if len(prompt) <= limit:
                    break
        return prompt, [t for t in kept if t is not None]

    def text_prompt(self, text: str) -> list[int]:
        return self.model.tokenize(text, add_special=self.model.add_bos, parse_special=False)

    # -- generation ------------------------------------------------------------------------------

    def process(self, messages: list[dict[str, str]], *, max_tokens: int = 128,
                temperature: float = 0.0, top_p: float = 1.0, stop: list[str] | None = None,
                seed: int | None = None, cancel: threading.Event | None = None,
                tools: list[dict[str, Any]] | None = None,
                scores: list[tuple[float, float]] | None = None,
                tool_calls: str = "grounded",
                composed: Mapping[str, Iterable[str]] | None = None) -> Iterator[str]:
        """Stream the reply to ``messages``. ``scores``: a list that receives one
        (log-probability, entropy) pair per generated token, in order (the reply guard's
        confidence; :func:`vaani.llm.sampling.score`).

        ``tool_calls`` (models whose calls start with Chimera's ``<|tool_call|>`` token;
        :mod:`vaani.llm.calls`): ``grounded`` (default) decodes a call inside the offered
        tools' schemas with string values copied from the user's words, except the
        ``composed`` arguments of a tool (``{name: [argument]}``);
        ``schema`` without the copying; ``free``: as the model writes it."""
        if tool_calls not in TOOL_CALL_MODES:
            raise RequestError(f"tool_calls must be one of {', '.join(TOOL_CALL_MODES)}")
        req = Request(max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                      stop=list(stop or []), seed=seed)
        prompt, kept = self._fit(messages, tools, reserve=min(max_tokens, 64))
        if kept and tool_calls != "free" and self.call_marker is not None:
            req.calls = CallRules(kept, CallRules.user_words(messages)
                                  if tool_calls == "grounded" else None, dict(composed or {}))
        for chunk in self.stream(prompt, req, cancel, scores):
            if chunk.text:
                yield chunk.text

    def complete(self, prompt: list[int], req: Request,
                 cancel: threading.Event | None = None) -> Completion:
        parts = []
        last = Chunk("")
        for chunk in self.stream(prompt, req, cancel):
            parts.append(chunk.text)
            last = chunk
        result = last.result
        assert result is not None
        return Completion("".join(parts), last.finish_reason or "stop", last.prompt_tokens,
                          last.completion_tokens, result.seconds, result.tokens, result.spec,
                          result.first_token_s, result.queued_s, result.arrival, result.served)

    def stream(self, prompt: list[int], req: Request,
               cancel: threading.Event | None = None,
               scores: list[tuple[float, float]] | None = None,
               ticket: Ticket | None = None) -> Iterator[Chunk]:
        """Generate from token ids; the last chunk carries finish_reason, usage counts and
        the whole :class:`Completion` (timings, queue wait, speculative statistics).

        Waits for earlier requests (FIFO), from ``ticket`` (``self.lock.join()``) when
        given, else from now; the ticket is given up if the request is refused. Raises
        RequestError (an EngineError and a ValueError) for a bad request (a prompt that does
        not fit the context, bad settings) before generating anything.
        """
        try:
            req.check()
            if not prompt:
                raise RequestError("the prompt is empty")
            if len(prompt) >= self.n_ctx:
                raise RequestError(f"the prompt is {len(prompt)} tokens; the context holds "
                                   f"{self.n_ctx} (including the reply)")
        except RequestError:
            if ticket is not None:
                self.lock.leave(ticket)
            raise
        with self.lock.hold(ticket) as held:
            if cancel is not None and cancel.is_set():
                result = Completion("", "cancelled", len(prompt), 0, 0.0,
                                    queued_s=held.waited, arrival=held.arrival,
                                    served=held.served)
                self.last = result
                yield Chunk("", finish_reason="cancelled", prompt_tokens=len(prompt),
                            result=result)
                return
            yield from self._generate(prompt, req, cancel, scores, held)

    def _generate(self, prompt: list[int], req: Request, cancel: threading.Event | None,
                  scores: list[tuple[float, float]] | None = None,
                  ticket: Ticket | None = None) -> Iterator[Chunk]:
        seed = req.seed if req.seed is not None else (self.seed if self.seed >= 0 else None)
        rng = np.random.default_rng(seed)
        target_s = Sampler(float(req.temperature), float(req.top_p))
        t0 = time.perf_counter()
        out = TextStream(req.stop)
        tokens: list[int] = []
        finish = "length"
        stats = SpecStats()
        first_token_s: float | None = None
        max_tokens = min(req.max_tokens, self.n_ctx - len(prompt))
        draft = self.draft if req.draft in ("auto", "model") else None
        ngram = self.ngram if req.draft in ("auto", "ngram") else None
        calls = (CallDecoder(self.model, self.call_marker, req.calls)
                 if req.calls is not None and self.call_marker is not None else None)
        # a call is decoded token by token inside its schema: no drafts for such a request
        use_draft = req.speculative and calls is None and (draft is not None or ngram is not None)
        rounds: Iterator[list[int]]
        if max_tokens <= 0:
            rounds = iter(())
        elif use_draft:
            assert self.policy is not None
            draft_s = Sampler(
                float(req.temperature if req.draft_temperature is None else req.draft_temperature),
                float(req.top_p if req.draft_top_p is None else req.draft_top_p))
            rounds = speculative_tokens(self.model, self.target, draft, prompt,
                                        max_tokens=max_tokens, target_sampler=target_s,
                                        draft_sampler=draft_s, rng=rng, policy=self.policy,
                                        stats=stats, cancel=cancel, p_min=self.p_min,
                                        scores=scores, ngram=ngram,
                                        ngram_policy=self.ngram_policy, k_cap=self.k_cap,
                                        k_fixed=req.k)
        else:
            rounds = ([t] for t in plain_tokens(self.target, prompt, max_tokens=max_tokens,
                                                sampler=target_s, rng=rng, cancel=cancel,
                                                scores=scores, calls=calls))
        self.ctx.cancel = cancel
        if self.draft is not None:
            self.draft_ctx.cancel = cancel
        try:
            for new in rounds:
                text_parts = []
                if first_token_s is None and new:
                    first_token_s = time.perf_counter() - t0
                for tok in new:
                    tokens.append(tok)
                    if self.model.is_eog(tok):
                        finish = "stop"
                        break
                    text_parts.append(out.feed(self.model.piece(
                        tok, special=tok in self.visible_specials)))
                    if out.stopped:
                        finish = "stop"
                        break
                text = "".join(text_parts)
                if text:
                    yield Chunk(text, list(new))
                if finish == "stop":
                    break
                if cancel is not None and cancel.is_set():
                    finish = "cancelled"
                    break
            else:
                if cancel is not None and cancel.is_set() and len(tokens) < max_tokens:
                    finish = "cancelled"
        except DecodeAborted:
            finish = "cancelled"
        finally:
            close = getattr(rounds, "close", None)
            if close is not None:
                close()
            self.target.close_segment()
            if self.draft is not None:
                self.draft.close_segment()
        tail = out.finish()
        seconds = time.perf_counter() - t0
        result = Completion(out.text, finish, len(prompt), len(tokens), seconds, tokens,
                            stats.to_dict() if use_draft else None, first_token_s,
                            ticket.waited if ticket is not None else 0.0,
                            ticket.arrival if ticket is not None else 0,
                            ticket.served if ticket is not None else 0)
        self.last = result
        if use_draft:
            self._refresh_costs()
        yield Chunk(tail, finish_reason=finish, prompt_tokens=len(prompt),
                    completion_tokens=len(tokens), result=result)

    def _refresh_costs(self) -> None:
        """Fold the timings of real decodes into the policies' cost models."""
        assert self.policy is not None
        t = self.target.timings
        if 1 in t and t[1] > 0:
            for n, v in t.items():
                if 1 < n <= self.k_max + 1:
                    self.policy.batch_cost[n] = v / t[1]
                    if self.ngram_policy is not None:
                        self.ngram_policy.batch_cost[n] = v / t[1]
            if self.draft is not None and 1 in self.draft.timings:
                self.policy.draft_cost = self.draft.timings[1] / t[1]

    def independent_prompts(self, block: int = 32) -> None:
        """Make every request's output independent of the requests before it (what a server
        promises its clients): prompts are evaluated in ``block``-token blocks at fixed
        positions and only such blocks are reused (:class:`~vaani.llm.sequence.Sequence`'s
        ``block``; transformers; a recurrent model's snapshots are unchanged). Costs up to
        ``block - 1`` re-evaluated prompt tokens per request."""
        with self.lock:
            self.target.block = block
            self.target.reset()

    def reset(self) -> None:
        """Forget the cached prompt (the next request starts from an empty context)."""
        with self.lock:
            self.target.reset()
            if self.draft is not None:
                self.draft.reset()

    def close(self) -> None:
        with self.lock:
            if self.draft is not None:
                self.draft_ctx.close()
                assert self.draft_model is not None
                self.draft_model.close()
            self.ctx.close()
            self.model.close()

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {"model": self.name, "path": str(self.model.path),
                             "architecture": self.model.architecture, "n_ctx": self.n_ctx,
                             "rollback": self.target.mode}
        if self.draft is not None:
            assert self.draft_model is not None and self.policy is not None
            d.update(draft=self.draft_model.name, draft_rollback=self.draft.mode,
                     acceptance_estimate=round(self.policy.rate, 3))
        if self.ngram is not None:
            assert self.ngram_policy is not None
            d.update(ngram=[self.ngram.n_min, self.ngram.n_max],
                     ngram_acceptance_estimate=self.ngram_policy.rates())
        if self.policy is not None:
            d.update(k_max=self.k_max, k_cap=self.k_cap, repack=self.model.repack,
                     exact=self.exact, exact_batch=self.exact_batch,
                     batch_logit_diff=self.batch_logit_diff)
        return d


def _single_tokens(model: LlamaModel, texts: tuple[str, ...]) -> frozenset[int]:
    """Ids of the texts that are one special token in this vocabulary."""
    ids = set()
    for text in texts:
        toks = model.tokenize(text, add_special=False, parse_special=True)
        if len(toks) == 1 and model.piece(toks[0], special=True).decode("utf-8", "replace") == text \
                and not model.piece(toks[0]):
            ids.add(toks[0])
    return frozenset(ids)


def plain_tokens(target: Sequence, prompt: list[int], *, max_tokens: int, sampler: Sampler,
                 rng: np.random.Generator, cancel: threading.Event | None = None,
                 scores: list[tuple[float, float]] | None = None,
                 calls: CallDecoder | None = None) -> Iterator[int]:
    """Target-only decoding: one decode per token. The reference the speculative loop must
    reproduce exactly (greedy) or in distribution (sampling). ``scores`` receives each
    token's (log-probability, entropy under the model's own logits). ``calls``: tool calls
    are decoded inside their schemas (:mod:`vaani.llm.calls`)."""
    def scorer(logits: np.ndarray) -> Callable[..., list[Any] | None]:
        """What the call decoder tries candidate token sequences with, after ``logits``."""
        return lambda seqs, end=None, prefixes=False: try_sequences(
            target, logits, seqs, end=end, prefixes=prefixes)

    logits = target.prefill(prompt)[-1]
    for i in range(max_tokens):
        if calls is not None and calls.active:
            x = calls.pick(logits, sampler, rng)
        else:
            x = sampling.sample(sampler.dist(logits), rng)
            if calls is not None and calls.begins_call(x):
                x = calls.open(x, logits, sampler, rng, scorer(logits))
        if scores is not None:
            scores.append(sampling.score(logits, x))
        yield x
        if i + 1 >= max_tokens or target.ctx.model.is_eog(x):
            return
        if cancel is not None and cancel.is_set():
            return
        if target.n_past + 1 >= target.ctx.n_ctx:
            return
        if calls is not None:
            calls.advance(x)
        logits = target.feed([x])[-1]
        if calls is not None:
            calls.fed(x, logits, scorer(logits))


def try_sequences(target: Sequence, logits: np.ndarray, seqs: list[list[int]], *,
                  end: Callable[[np.ndarray], float] | None = None,
                  prefixes: bool = False) -> list[Any] | None:
    """The log-probability of each token sequence after what ``target`` has decoded
    (``logits``: its last token's), each tried in one decode and undone; ``end(row)`` adds
    a term on the logits after the sequence (the log-probability that it ends there).
    ``prefixes``: for each sequence, the list of those figures for each of its prefixes
    (lengths 1..n), from the same decode. None where the sequence cannot undo a whole
    decode (``rs`` rollback keeps one token of it)."""
    if target.mode == "rs":
        return None
    first = _log_softmax(logits)
    decoded = _decode_all(target, [seq if end is not None else seq[:-1] for seq in seqs],
                          len(logits))
    out: list[Any] = []
    for seq, rows in zip(seqs, decoded):
        after = [logits] + [rows[j] for j in range(len(rows))]   # what follows each token
        cum = float(first[seq[0]])
        figures = []
        for k in range(1, len(seq) + 1):           # the prefix of k tokens
            if k > 1:
                cum += float(_log_softmax(after[k - 1])[seq[k - 1]])
            if prefixes or k == len(seq):
                figures.append(cum + (end(after[k]) if end is not None else 0.0))
        out.append(figures if prefixes else figures[-1])
    return out


def _decode_all(target: Sequence, seqs: list[list[int]], n_vocab: int) -> list[np.ndarray]:
    """The logits after every token of each sequence, each tried after what ``target`` has
    decoded and undone; the tokens all of them start with are decoded once."""
    share = 0
    if len(seqs) > 1 and all(seqs):
        while all(len(s) > share + 1 for s in seqs) and len({s[share] for s in seqs}) == 1:
            share += 1
    if share:
        got = target.branches(seqs[0][:share], [s[share:] for s in seqs])
        if got is not None:
            head, tails = got
            return [np.concatenate([head, t]) for t in tails]
    out = []
    for seq in seqs:
        if not seq:
            out.append(np.empty((0, n_vocab), np.float32))
            continue
        target.begin()
        try:
            out.append(target.step(seq, n_logits=len(seq)))
        finally:
            target.keep(0)
    return out


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, np.float64)
    z = z - z.max()
    return z - np.log(np.exp(z).sum())


def batch_cost_curve(seq: Sequence, n_max: int, *, repeats: int = 2,
                     absolute: bool = False) -> dict[Any, float]:
    """Seconds to decode a batch of n tokens (n = 1..n_max) after a short prefix, relative to
    n = 1 (``absolute``: in seconds). Leaves the sequence empty."""
    seq.reset()
    vocab = seq.ctx.n_vocab
    prefix = [int(i) % vocab for i in range(1000, 1032)]
    times: dict[int, list[float]] = {n: [] for n in range(1, n_max + 1)}
    seq.feed(prefix, 1)
    base = seq.n_past
    for _ in range(repeats + 1):          # the first pass warms caches and is dropped
        for n in range(1, n_max + 1):
            toks = [int(i) % vocab for i in range(2000, 2000 + n)]
            t = time.perf_counter()
            seq.ctx.decode(toks, base, seq=seq.seq, n_logits=n)
            times[n].append(time.perf_counter() - t)
            seq.ctx.seq_rm(seq.seq, base, -1) or _restart(seq, prefix)
    seq.reset()
    seq.timings.clear()
    med = {n: float(np.min(v[1:])) for n, v in times.items()}   # min: least disturbed
    if absolute:
        return dict(med)
    out: dict[Any, float] = {n: med[n] / med[1] for n in med}
    out["t1"] = med[1]
    return out


def batch_invariance(seq: Sequence, n: int = 5) -> float:
    """Largest difference between the logits of n tokens decoded one by one and the same
    tokens decoded as one batch (what verification does). 0.0 means speculative greedy
    output is exactly plain greedy output. Leaves the sequence empty."""
    seq.reset()
    vocab = seq.ctx.n_vocab
    prefix = [int(i) % vocab for i in range(1000, 1024)]
    toks = [int(i) % vocab for i in range(3000, 3000 + n)]
    seq.ctx.decode(prefix, 0, seq=seq.seq, n_logits=0)
    state = seq.ctx.save_seq(seq.seq)
    single = np.stack([seq.ctx.decode([t], len(prefix) + i, seq=seq.seq)[-1]
                       for i, t in enumerate(toks)])
    seq.ctx.clear()
    seq.ctx.load_seq(state, seq.seq)
    batch = seq.ctx.decode(toks, len(prefix), seq=seq.seq, n_logits=n)
    seq.reset()
    return float(np.abs(single - batch).max())


def exact_batch_size(seq: Sequence, n_max: int) -> int:
    """The largest batch size up to ``n_max`` whose logits are bit-identical to one-by-one
    decoding (1 if none is). Batch kernels differ from the one-token kernel in steps (x86
    repacked K-quants: from 4 tokens on), so the sizes are tried upwards after ``n_max``
    itself. Leaves the sequence empty."""
    if n_max < 2 or batch_invariance(seq, n_max) == 0.0:
        return max(1, n_max)
    for n in range(2, n_max):
        if batch_invariance(seq, n) != 0.0:
            return n - 1
    return n_max - 1


def _restart(seq: Sequence, prefix: list[int]) -> bool:
    """Recurrent models cannot drop a batch without n_rs_seq: rebuild the prefix."""
    seq.reset()
    seq.feed(prefix, 1)
    return True
