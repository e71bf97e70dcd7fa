"""One turn's reply, in threads of its own: transcript -> plugins or the LLM -> clauses -> TTS
-> sink. Split from the listening loop (vaani/pipeline.py) so that each sees the other through
a narrow interface: a reply knows the pipeline only as a :class:`TurnContext`, and the loop
drives a reply only through :meth:`TurnReply.start`, :meth:`~TurnReply.commit`,
:meth:`~TurnReply.abort`, :meth:`~TurnReply.interrupt`, ``done`` and ``result``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from vaani.audio import AudioSink
from vaani.config import Config
from vaani.errors import EngineError
from vaani.events import (Event, PlaybackStarted, PlaybackStopped, ReplyTextChunk, SpeechChunk,
                          StageTiming, Transcript, TurnFinished)
from vaani.guard import ReplyGuard, ToolRan
from vaani.hookspecs import Utterance
from vaani.llm.routing import LlmRoute
from vaani.llm.tools import stream_with_tools
from vaani.numwords import with_digits
from vaani.plugins import SKILL_NOT_RESPONDING, not_responding
from vaani.stages import ClauseSplitter, LanguageResolver, TranscriptFilter, TtsStage

if TYPE_CHECKING:
    from vaani.pipeline import Engines
    from vaani.plugins import PluginHost

log = logging.getLogger(__name__)

_END = object()


class TurnContext(Protocol):
    """What a reply may use of the pipeline that started it, and nothing more."""

    config: Config
    engines: Engines
    host: PluginHost | None
    sink: AudioSink
    tts: TtsStage | None
    language: LanguageResolver
    filter: TranscriptFilter
    llm_lock: threading.Lock
    tts_lock: threading.Lock

    @property
    def trigger(self) -> str: ...                         # what started the current turn

    def emit(self, event: Event) -> None: ...

    def error(self, exc: BaseException, source: str, turn: int) -> None: ...

    def reply_guard(self, text: str, language: str, model: str = "") -> ReplyGuard | None: ...

    def llm_route(self, language: str) -> LlmRoute: ...    # which model answers (routing)

    def messages(self, text: str) -> list[dict[str, str]]: ...

    def remember(self, user: str, reply: str) -> None: ...  # the exchange, for the context


@dataclass
class TurnResult:
    """What one turn came to, for the CLI, the bench and tests."""

    turn: int
    trigger: str
    outcome: str = ""
    transcript: str = ""
    language: str = ""
    rejected: str = ""
    reply: str = ""
    source: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)   # the answering plugin's Reply.data
    first_sound_t: float | None = None          # monotonic time the reply was first heard
    speech_end_at: float | None = None           # stream time of the end of speech (VAD)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d.pop("first_sound_t")
        d["timings"] = {k: round(v, 1) for k, v in self.timings.items()}
        return d


@dataclass(frozen=True)
class _Piece:
    """Streamed model text, and how many token scores existed when it was produced."""

    text: str
    scores: list[tuple[float, float]]
    n_scores: int


@dataclass(frozen=True)
class _Said:
    """A clause of VAANI's own in the reply stream (a request declined before the model)."""

    text: str


# Said when a tool the LLM called cannot serve the request, with the guard off (with it on,
# vaani.guard words the apology and adds what VAANI can do).
TOOL_APOLOGY = {"hi": "माफ़ कीजिए, यह मैं अभी नहीं कर सकती।",
                "en": "Sorry, I can't do that right now."}


def tool_apology(result: Any, language: str) -> str:
    """What is said for a failed tool call: that its skill is not responding when its plugin
    did not answer (late, crashed, its worker down: vaani.plugins.NOT_RESPONDING), else the
    fixed apology."""
    said = SKILL_NOT_RESPONDING if not_responding(result) else TOOL_APOLOGY
    return said.get(language, said["en"])


class _Preview:
    """A plugin's side-effect-free answer (``vaani_preview``) and its first clause's audio,
    made in the end-of-turn pause so that a confirmed plugin turn starts speaking at once."""

    def __init__(self, reply: TurnReply, text: str, language: str) -> None:
        self.r = reply
        self.text = text
        self.language = language
        self.reply_text: str | None = None
        self.reply_language = ""
        self.clause = ""
        self.audio: list[tuple[np.ndarray, int]] = []
        self.complete = False
        self.stop = threading.Event()             # the preview is not wanted any more
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"vaani-preview-{reply.turn}")
        self.thread.start()

    def _run(self) -> None:
        r, p = self.r, self.r.p
        try:
            assert p.host is not None and p.tts is not None
            answer = p.host.preview(Utterance(self.text, self.language, r.turn))
            if answer is None or self._unwanted() or not answer.text.strip():
                return
            self.reply_text = answer.text
            self.reply_language = answer.language or self.language
            self.clause = next(iter(r._split(answer.text)), "")
            if not self.clause:
                return
            lang = r._clause_language(self.clause, self.reply_language)
            with p.tts_lock:
                for samples, rate in p.tts.process(self.clause, lang, first=True):
                    if self._unwanted():
                        return
                    self.audio.append((np.asarray(samples), rate))
            self.complete = True
        except Exception as exc:            # the normal path will synthesise (and report)
            log.debug("preview failed: %r", exc)

    def _unwanted(self) -> bool:
        return self.stop.is_set() or self.r.cancel.is_set()

    def audio_for(self, text: str, language: str) -> tuple[str, list[tuple[np.ndarray, int]]] | None:
        """The first clause's audio if the confirmed reply is the previewed one."""
        if self.reply_text is not None and (self.reply_text, self.reply_language) != (text, language):
            self.stop.set()                       # a different reply: do not wait for it
        self.thread.join()
        if not self.complete or self.reply_text != text or self.reply_language != language:
            return None
        return self.clause, self.audio


class TurnReply:
    """One answer, in its own thread: transcript -> plugins or LLM -> clauses -> TTS -> sink.

    Created at a pause (speculative) or at the end of the turn. Until :meth:`commit` it only
    does work without side effects (ASR, the filter, the LLM) and emits nothing; if the user
    resumes speaking it is :meth:`abort`-ed and vanishes.
    """

    def __init__(self, p: TurnContext, turn: int, *, job: Future | None = None,
                 text: str | None = None, language: str | None = None,
                 notification: tuple[str, str, str] | None = None,
                 audio_seconds: float = 0.0, speculative: bool = False) -> None:
        self.p = p
        self.turn = turn
        self.job = job
        self.text = text
        self.language = language
        self.notification = notification
        self.audio_seconds = audio_seconds
        self.speculative = speculative
        self.cancel = threading.Event()          # stop everything (abort or barge-in)
        self.committed = threading.Event()
        self.done = threading.Event()
        self.timings: dict[str, float] = {}
        self.speech_end_at: float | None = None
        self.decided_wall = 0.0
        self.result = TurnResult(turn, p.trigger if turn else "notification")
        self._llm_cancel = threading.Event()
        self._llm_go = threading.Event()         # cleared: the LLM waits (first audio first)
        self._llm_go.set()
        self._llm_chosen = threading.Event()     # set: no plugin answered, the LLM speaks
        self._preview: _Preview | None = None    # a plugin reply's first clause, synthesised ahead
        self._llm_queue: queue.Queue[Any] | None = None
        self._guard: ReplyGuard | None = None
        self._llm_t0 = 0.0
        self._aborted = False
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"vaani-reply-{turn}")

    # control (called from the listening loop) --------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def commit(self, decided_wall: float) -> None:
        self.decided_wall = decided_wall
        self.committed.set()

    def abort(self) -> None:
        """The speculation was wrong (the user went on speaking): vanish without a trace."""
        if self.committed.is_set():
            return
        self._aborted = True
        self._llm_cancel.set()
        self.cancel.set()
        if self.job is not None:
            self.job.cancel()

    def interrupt(self) -> None:
        """Barge-in: silence now, cancel the rest (LLM included)."""
        self._llm_cancel.set()
        self.cancel.set()
        self.p.sink.stop()

    # the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        p = self.p
        outcome = "error"
        try:
            if self.notification is not None:
                text, language, source = self.notification
                self._speak(self._split(text), language)
                outcome = "answered"
                return
            if self.job is not None:
                heard = self._hear()
                if heard is None:
                    outcome = self.result.outcome or (
                        "cancelled" if self.cancel.is_set() else "rejected")
                    return
                text, language = heard
            else:
                text = (self.text or "").strip()
                language = self.language or p.language.process(text, None)
                self.result.transcript, self.result.language = text, language
                p.emit(Transcript(text=text, language=language, turn=self.turn))
            outcome = self._answer(text, language)
        except Exception as exc:
            if not self._aborted:
                self.result.errors.append(str(exc))
                p.error(exc, "pipeline", self.turn)
            outcome = "error"
        finally:
            self._llm_cancel.set()
            if self._preview is not None:
                self._preview.stop.set()
            try:
                if not self._aborted:
                    if self.cancel.is_set() and outcome not in ("rejected", "no_speech"):
                        outcome = "cancelled"
                    self._finish(outcome)
            finally:
                self.done.set()

    def _wait_commit(self) -> bool:
        while not self.committed.wait(0.01):
            if self.cancel.is_set():
                return False
        return not self._aborted

    def _hear(self) -> tuple[str, str] | None:
        p = self.p
        assert self.job is not None
        while True:
            try:
                result, t0, t1 = self.job.result(timeout=0.02)
                break
            except FutureTimeout:
                if self.cancel.is_set():
                    return None
            except CancelledError:
                return None
            except Exception as exc:
                if not self._wait_commit():
                    return None
                self.result.errors.append(str(exc))
                p.error(engine_error("asr", exc), "asr", self.turn)
                self.result.outcome = "error"
                return None
        text = result.text.strip()
        rejected = p.filter.process(result)
        language = p.language.process(text, result.language) if not rejected else result.language
        if (not rejected and self.speculative and p.engines.llm is not None
                and not self.committed.is_set()):
            # no side effects: safe before the turn is confirmed. Once it is, the plugins
            # go first: a needless LLM prompt evaluation would slow the plugin's TTS down.
            self._start_llm(text, language)
        if (not rejected and self.speculative and p.host is not None and p.tts is not None
                and not self.committed.is_set()):
            self._preview = _Preview(self, text, language)
        if not self._wait_commit():
            return None
        self.timings["asr"] = (t1 - t0) * 1000
        self.timings["asr_wait"] = max(0.0, t1 - self.decided_wall) * 1000
        self.result.transcript, self.result.language, self.result.rejected = text, language, rejected
        self.result.speech_end_at = self.speech_end_at
        p.emit(Transcript(text=text, language=language, final=True,
                          audio_seconds=self.audio_seconds,
                          no_speech_prob=result.no_speech_prob,
                          avg_logprob=result.avg_logprob, rejected=rejected, turn=self.turn))
        if rejected:
            self.result.outcome = "rejected"
            return None
        return text, language

    def _answer(self, text: str, language: str) -> str:
        p = self.p
        answer = None
        if p.host is not None:
            t = time.perf_counter()
            answer = p.host.handle(Utterance(text, language, self.turn))
            self.timings["plugin"] = (time.perf_counter() - t) * 1000
        if self.cancel.is_set():
            return "cancelled"
        if answer is not None:
            self._llm_cancel.set()
            reply = answer.reply
            rlang = reply.language or language
            source = f"plugin:{answer.plugin}"
            self.result.reply, self.result.source, self.result.language = reply.text, source, language
            self.result.data = dict(reply.data or {})
            p.emit(ReplyTextChunk(text=reply.text, source=source, final=True, language=rlang,
                                  turn=self.turn))
            preview = self._preview
            ready = preview.audio_for(reply.text, rlang) if preview is not None else None
            ok = self._speak(self._split(reply.text), rlang, ready=ready)
            self._remember(text, reply.text)
            return "answered" if ok else ("cancelled" if self.cancel.is_set() else "error")
        if p.engines.llm is None:
            p.error(EngineError("no plugin could answer and no LLM is configured",
                                 hint="set [llm] engine and model"), "pipeline", self.turn)
            return "unanswered"
        self._llm_chosen.set()
        if self._preview is not None:
            self._preview.stop.set()
        if self._llm_queue is None:
            self._start_llm(text, language)
        self.result.source = "llm"
        ok = self._speak(self._llm_clauses(language), language)
        self._remember(text, self.result.reply)
        return "answered" if ok and not self.result.errors else "error"

    def _remember(self, user: str, reply: str) -> None:
        if reply.strip() and not self.cancel.is_set():
            self.p.remember(user, reply.strip())

    # LLM ---------------------------------------------------------------------------------

    def _start_llm(self, text: str, language: str) -> None:
        p = self.p
        cfg = p.config.llm
        q: queue.Queue[Any] = queue.Queue(maxsize=max(64, cfg.max_tokens * 2))
        self._llm_queue = q
        # English to [llm] route_english when it is loaded; the same guard and tools either way
        route = p.llm_route(language)
        self.result.data["llm_model"] = route.model
        guard = self._guard = p.reply_guard(text, language, route.model)
        if guard is not None:
            declined = guard.before()          # live information, actions no tool offers
            if declined:
                for clause in declined:
                    q.put(_Said(clause))
                q.put(_END)
                return
        # the model reads "50", not "पचास" (the tools' grounding still checks the words said)
        messages = p.messages(with_digits(text, roman_hindi=language != "en")
                              if cfg.digits else text)
        cancel = self._llm_cancel
        scores: list[tuple[float, float]] = []
        extra: dict[str, Any] = {"scores": scores} if guard is not None and route.scores else {}
        if route.tools and p.host is not None:   # the model reads what it may call
            tools = p.host.tools_for(text, turn=self.turn)
            if tools:
                extra["tools"] = [tool.schema() for tool in tools]
                if route.calls:                      # written inside the schemas
                    extra["tool_calls"] = cfg.tool_calls
                    extra["composed"] = {t.name: list(t.composed) for t in tools if t.composed}

        def generate(msgs: list[dict[str, Any]]) -> Iterator[str]:
            return route.engine.process(
                msgs, max_tokens=cfg.max_tokens, temperature=cfg.temperature,
                top_p=cfg.top_p, seed=cfg.seed if cfg.seed >= 0 else None, cancel=cancel,
                **extra)

        def call_tool(name: str, args: Any) -> dict[str, Any]:
            # a tool may act (a timer): only once the turn is confirmed and no plugin took it
            while not self._llm_chosen.wait(0.02):
                if cancel.is_set():
                    return {"error": "cancelled"}
            if cancel.is_set():                  # barge-in while the model wrote the call
                return {"error": "cancelled"}
            if p.host is None:
                return {"error": f"no tool named {name!r} is available offline"}
            t = time.perf_counter()
            result = p.host.call_tool(name, args, language, turn=self.turn, utterance=text)
            self.timings["tool"] = self.timings.get("tool", 0.0) + (time.perf_counter() - t) * 1000
            self.result.data.setdefault("tool_calls", []).append(
                {"name": name, "arguments": args, "result": result})
            if guard is not None:                # in order with the reply's text
                q.put(p.host.tool_ran(name, args, result, language))
            return result

        def produce() -> None:
            with p.llm_lock:                 # one generation at a time on one model
                self._llm_t0 = time.perf_counter()
                try:
                    if cancel.is_set():
                        return
                    first = True
                    # after a failed call the model is not asked again (with the guard on,
                    # the guard words the apology instead of this one)
                    for piece in stream_with_tools(
                            generate, messages, call_tool, cancelled=cancel.is_set,
                            apology=lambda result: tool_apology(result, language)):
                        if first:
                            self.timings["llm_first_token"] = (time.perf_counter() - self._llm_t0) * 1000
                            first = False
                        q.put(_Piece(piece, scores, len(scores)))
                        if cancel.is_set():
                            break
                        # On 2 cores the LLM and TTS slow each other down. The first clause
                        # is all that matters for latency, so the LLM yields the CPU until
                        # its audio is out; it has a whole clause of playback to catch up.
                        while not self._llm_go.wait(0.05):
                            if cancel.is_set():
                                break
                except Exception as exc:
                    q.put(exc)
                finally:
                    self.timings["llm_total"] = (time.perf_counter() - self._llm_t0) * 1000
                    q.put(_END)

        threading.Thread(target=produce, daemon=True, name=f"vaani-llm-{self.turn}").start()

    def _llm_clauses(self, language: str) -> Iterator[str]:
        """The reply's clauses as they close; with the guard on, only those it passed."""
        p = self.p
        assert self._llm_queue is not None
        guard = self._guard
        splitter = ClauseSplitter()
        parts: list[str] = []
        said: list[str] = []
        first = True
        scores: list[tuple[float, float]] = []

        def out(clauses: list[str]) -> Iterator[str]:
            nonlocal first
            for clause in clauses:
                if first:
                    self.timings["llm_first_clause"] = (time.perf_counter() - self._llm_t0) * 1000
                    first = False
                if guard is not None:
                    p.emit(ReplyTextChunk(text=(" " if said else "") + clause, source="llm",
                                          language=language, turn=self.turn))
                    said.append(clause)
                    self.result.reply = " ".join(said)
                yield clause

        try:
            while True:
                try:
                    item = self._llm_queue.get(timeout=0.05)
                except queue.Empty:
                    if self.cancel.is_set():
                        return
                    continue
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    self.result.errors.append(str(item))
                    p.error(engine_error("llm", item), "llm", self.turn)
                    break
                if isinstance(item, _Said):            # declined before asking the model
                    yield from out([item.text])
                    continue
                if isinstance(item, ToolRan):
                    if guard is not None:
                        clauses = guard.tool_ran(item)
                        if guard.done and not_responding(item.result):
                            # its plugin did not answer: say so rather than "I can't"
                            clauses = list(self._split(tool_apology(item.result, language)))
                        yield from out(clauses)
                        if guard.done:
                            self._llm_cancel.set()
                            break
                    continue
                piece = item.text
                parts.append(piece)
                if guard is None:
                    self.result.reply = "".join(parts)
                    p.emit(ReplyTextChunk(text=piece, source="llm", language=language,
                                          turn=self.turn))
                    yield from out(splitter.process(piece))
                else:
                    scores = item.scores[:item.n_scores]
                    yield from out(guard.feed(piece, scores))
                    if guard.done:
                        self._llm_cancel.set()        # nothing more of it will be spoken
                        break
                if self.cancel.is_set():
                    return
            if guard is None:
                yield from out(splitter.flush())
            elif not self.cancel.is_set():
                yield from out(guard.finish(scores))
        finally:
            if guard is not None:
                report = guard.report
                if parts:
                    report["llm_text"] = "".join(parts)
                self.result.data["guard"] = report
                if guard.abstained:
                    self.result.data["abstained"] = guard.abstained
            p.emit(ReplyTextChunk(text="", source="llm", final=True, language=language,
                                  turn=self.turn))

    # speaking ----------------------------------------------------------------------------

    def _split(self, text: str) -> Iterator[str]:
        splitter = ClauseSplitter()
        yield from splitter.process(text)
        yield from splitter.flush()

    def _clause_language(self, clause: str, language: str) -> str:
        """The language a clause is spoken in: resolved per clause when the assistant's
        language is auto (a Hindi reply may quote English), else the reply's."""
        p = self.p
        return p.language.process(clause, language) if p.language.language == "auto" else language

    def _speak(self, clauses: Iterator[str], language: str,
               ready: tuple[str, list[tuple[np.ndarray, int]]] | None = None) -> bool:
        """TTS clause by clause into the sink; True if it all went out. ``ready``: the first
        clause and its audio, synthesised ahead (a plugin's preview)."""
        try:
            return self._speak_clauses(clauses, language, ready)
        finally:
            self._llm_go.set()

    def _speak_clauses(self, clauses: Iterator[str], language: str,
                       ready: tuple[str, list[tuple[np.ndarray, int]]] | None = None) -> bool:
        p = self.p
        if p.tts is None:
            for _ in clauses:
                pass
            return True
        sink = p.sink
        started = False
        ok = True
        first_clause = True
        try:
            for clause in clauses:
                if self.cancel.is_set():
                    break
                lang = self._clause_language(clause, language)
                if not started:
                    self._llm_go.clear()
                t = time.perf_counter()
                try:
                    ahead = first_clause and ready is not None and ready[0] == clause
                    if ahead:
                        self.timings["tts_ahead"] = 1.0
                    chunks = (iter(ready[1]) if ahead and ready is not None
                              else p.tts.process(clause, lang, first=first_clause))  # lazy
                    with contextlib.nullcontext() if ahead else p.tts_lock:
                        for samples, rate in chunks:
                            if self.cancel.is_set():
                                break
                            if not started:
                                self.timings["tts_first_audio"] = (time.perf_counter() - t) * 1000
                                sink.begin()
                                p.emit(PlaybackStarted(turn=self.turn))
                                started = True
                            p.emit(SpeechChunk(samples=samples, sample_rate=rate, text=clause,
                                               turn=self.turn))
                            sink.write(samples, rate)
                            self._llm_go.set()
                except Exception as exc:
                    ok = False
                    self.result.errors.append(str(exc))
                    p.error(engine_error("tts", exc), "tts", self.turn)
                    break
                first_clause = False
        finally:
            if started:
                if not self.cancel.is_set():
                    sink.drain(self.cancel)
                if sink.first_sound_t is not None:
                    self.result.first_sound_t = sink.first_sound_t
                    self.timings["response"] = (sink.first_sound_t - self.decided_wall) * 1000
                    if "endpoint" in self.timings:
                        self.timings["e2e"] = self.timings["endpoint"] + self.timings["response"]
                p.emit(PlaybackStopped(interrupted=self.cancel.is_set(), turn=self.turn))
        return ok and not self.cancel.is_set()

    def _finish(self, outcome: str) -> None:
        p = self.p
        if self.notification is not None:
            return
        self.result.outcome = outcome
        if self.result.source.startswith("plugin:"):     # a speculative LLM start was dropped
            for key in ("llm_first_token", "llm_first_clause", "llm_total"):
                self.timings.pop(key, None)
        self.result.timings = dict(self.timings)      # a snapshot: the LLM thread may still add
        for stage, ms in self.result.timings.items():
            if stage != "asr_reused":
                p.emit(StageTiming(stage=stage, ms=ms, turn=self.turn))
        p.emit(TurnFinished(outcome=outcome, timings=dict(self.timings), turn=self.turn))


def engine_error(kind: str, exc: BaseException) -> BaseException:
    from vaani.errors import VaaniError

    if isinstance(exc, VaaniError):
        return exc
    return EngineError(f"{kind} engine failed: {type(exc).__name__}: {exc}")
