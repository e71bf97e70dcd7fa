"""Fake engines with scripted timelines, for testing pipeline logic without models.

The fakes read the audio they are given, so a test describes a conversation as audio
(:class:`Script`) and the engines react to it the way real ones would: a "word" is a pure
tone whose frequency identifies its text, the wake word is a 3.5 kHz tone, silence is
silence. Compute time is simulated with sleeps (``*_s`` arguments), so tests can check
what overlaps with what (e.g. the first audio leaves before the LLM has finished).

Only pipeline logic and timing are tested with these; the real engines are tested on the
real models.
"""

from __future__ import annotations

import math
import re
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from vaani.engines import AsrResult, EngineSpec
from vaani.hookspecs import Reply, Utterance, hookimpl

RATE = 16000
WAKE_HZ = 3500.0
LEVEL = 0.3
_FRAME = 512


def tone(seconds: float, hz: float, level: float = LEVEL, rate: int = RATE) -> np.ndarray:
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def dominant_hz(frame: np.ndarray, rate: int = RATE) -> float:
    spectrum = np.abs(np.fft.rfft(frame * np.hanning(len(frame))))
    return float(np.argmax(spectrum) * rate / len(frame))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


@dataclass
class Said:
    text: str
    start: float
    end: float
    hz: float


@dataclass
class Script:
    """A conversation as audio: ``Script().silence(.5).wake().say("what time is it")...``"""

    parts: list[np.ndarray] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)
    vocabulary: dict[float, str] = field(default_factory=dict)
    wakes: list[tuple[float, float]] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return sum(len(p) for p in self.parts) / RATE

    def silence(self, seconds: float) -> Script:
        self.parts.append(np.zeros(int(round(seconds * RATE)), np.float32))
        return self

    def noise(self, seconds: float, level: float = 0.002, seed: int = 0) -> Script:
        rng = np.random.default_rng(seed)
        self.parts.append((rng.standard_normal(int(seconds * RATE)) * level).astype(np.float32))
        return self

    def wake(self, seconds: float = 0.6) -> Script:
        start = self.duration
        self.parts.append(tone(seconds, WAKE_HZ))
        self.wakes.append((start, start + seconds))
        return self

    def say(self, text: str, seconds: float | None = None) -> Script:
        """A "word": one tone per distinct text (250 Hz + 125 Hz steps, FFT-resolvable)."""
        hz = next((h for h, t in self.vocabulary.items() if t == text), None)
        if hz is None:
            hz = 250.0 + 125.0 * len(self.vocabulary)
            if hz >= WAKE_HZ - 250:
                raise ValueError("too many distinct phrases in one script")
            self.vocabulary[hz] = text
        seconds = seconds if seconds is not None else max(0.5, 0.06 * len(text))
        start = self.duration
        self.parts.append(tone(seconds, hz))
        self.said.append(Said(text, start, start + seconds, hz))
        return self

    @property
    def audio(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)


def decode(audio: np.ndarray, vocabulary: dict[float, str]) -> str:
    """What the fake ASR "hears": the texts whose tones appear, in order."""
    words: list[str] = []
    last = None
    for i in range(0, len(audio) - _FRAME + 1, _FRAME):
        frame = audio[i: i + _FRAME]
        if rms(frame) < 0.01:
            last = None
            continue
        hz = dominant_hz(frame)
        if abs(hz - WAKE_HZ) < 100:
            last = None
            continue
        best = min(vocabulary, key=lambda h: abs(h - hz), default=None)
        if best is None or abs(best - hz) > 50:
            continue
        if best != last:
            words.append(vocabulary[best])
            last = best
    return " ".join(words)


# -- engines ------------------------------------------------------------------------------

class FakeVad:
    """Speech = energy (any non-silent frame, wake tone included); ``lag_frames`` keeps the
    probability up after the sound stops, like Silero's decay."""

    frame_samples = _FRAME

    def __init__(self, lag_frames: int = 0, level: float = 0.01) -> None:
        self.lag_frames = lag_frames
        self.level = level
        self._hold = 0
        self.calls = 0

    def process(self, frame: np.ndarray) -> float:
        self.calls += 1
        if rms(frame) >= self.level:
            self._hold = self.lag_frames
            return 0.95
        if self._hold > 0:
            self._hold -= 1
            return 0.8
        return 0.02

    def reset(self) -> None:
        self._hold = 0


class FakeWake:
    """Fires on the first frame after a run of wake-tone frames (as a real detector scores
    highest at the end of the phrase)."""

    frame_samples = 1280

    def __init__(self, name: str = "hey_fake") -> None:
        self.name = name
        self._run = 0
        self.resets = 0
        self.calls: list[float] = []

    def process(self, frame: np.ndarray) -> dict[str, float]:
        self.calls.append(time.monotonic())
        is_wake = rms(frame) >= 0.01 and abs(dominant_hz(frame) - WAKE_HZ) < 100
        if is_wake:
            self._run += 1
            return {self.name: 0.3}
        fired = self._run >= 2
        self._run = 0
        return {self.name: 0.99 if fired else 0.0}

    def reset(self) -> None:
        self._run = 0
        self.resets += 1


@dataclass
class AsrCall:
    seconds: float
    language: str | None
    text: str
    started: float
    finished: float


class FakeAsr:
    """Decodes :class:`Script` tones; each call takes ``latency_s`` (+ ``per_second_s`` per
    second of audio). ``calls`` records every pass, so tests can tell reuse from redo."""

    def __init__(self, vocabulary: dict[float, str], latency_s: float = 0.05,
                 per_second_s: float = 0.0, language: str = "en",
                 fail: BaseException | None = None) -> None:
        self.vocabulary = vocabulary
        self.latency_s = latency_s
        self.per_second_s = per_second_s
        self.language = language
        self.fail = fail
        self.calls: list[AsrCall] = []
        self._lock = threading.Lock()

    def process(self, audio: np.ndarray, language: str | None = None) -> AsrResult:
        started = time.monotonic()
        time.sleep(self.latency_s + self.per_second_s * len(audio) / RATE)
        if self.fail is not None:
            raise self.fail
        text = decode(audio, self.vocabulary)
        with self._lock:
            self.calls.append(AsrCall(len(audio) / RATE, language, text, started,
                                      time.monotonic()))
        lang = language or self.language
        if not text:
            return AsrResult("", lang, no_speech_prob=0.9, avg_logprob=-1.5)
        return AsrResult(text, lang, no_speech_prob=0.01, avg_logprob=-0.2)

    def reset(self) -> None:
        pass


class FakeLlm:
    """Streams ``reply`` word by word: ``first_token_s`` then ``token_s`` per word.

    ``reply`` may be a callable of the user's last message. Records when generation
    finished or was cancelled. ``confidence``: the probability the fake model gives each of
    its words (the token scores the reply guard reads; 1.0 = sure of every word).
    """

    def __init__(self, reply: str | Callable[[str], str] = "This is a fake answer.",
                 first_token_s: float = 0.05, token_s: float = 0.02,
                 fail_after: int | None = None, confidence: float = 1.0) -> None:
        self.reply = reply
        self.first_token_s = first_token_s
        self.token_s = token_s
        self.fail_after = fail_after
        self.confidence = confidence
        self.calls: list[list[dict[str, str]]] = []
        self.tools: list[list[dict[str, Any]] | None] = []    # the tools listed per call
        # per call with tools: (tool_calls, composed), how the runtime asked calls decoded
        self.call_rules: list[tuple[str, dict[str, list[str]]]] = []
        self.finished_t: float | None = None
        self.cancelled = 0
        self.started_t: float | None = None

    def process(self, messages: list[dict[str, str]], *, max_tokens: int = 128,
                temperature: float = 0.0, top_p: float = 1.0, stop: list[str] | None = None,
                seed: int | None = None, cancel: threading.Event | None = None,
                scores: list[tuple[float, float]] | None = None,
                tools: list[dict[str, Any]] | None = None, tool_calls: str = "grounded",
                composed: dict[str, list[str]] | None = None) -> Iterator[str]:
        self.calls.append(messages)
        self.tools.append(tools)
        if tools:
            self.call_rules.append((tool_calls, dict(composed or {})))
        self.started_t = time.monotonic()
        self.finished_t = None
        user = messages[-1]["content"]
        text = self.reply(user) if callable(self.reply) else self.reply
        pieces = re.findall(r"\S+\s*", text)[:max_tokens]
        time.sleep(self.first_token_s)
        done = False
        try:
            for i, piece in enumerate(pieces):
                if cancel is not None and cancel.is_set():
                    return
                if self.fail_after is not None and i >= self.fail_after:
                    raise RuntimeError("fake LLM failure")
                if i:
                    time.sleep(self.token_s)
                if scores is not None:
                    scores.append((math.log(max(self.confidence, 1e-9)), 0.0))
                yield piece
            done = True
            self.finished_t = time.monotonic()
        finally:
            if not done:          # stopped early: by ``cancel`` or by closing the generator
                self.cancelled += 1

    def reset(self) -> None:
        pass


class FakeTts:
    """A tone per clause: ``lead_s`` of silence (trimmed by the pipeline), then
    ``per_char_s`` of sound per character, in ``chunk_s`` chunks, after ``first_audio_s``."""

    def __init__(self, sample_rate: int = 22050, first_audio_s: float = 0.02,
                 per_char_s: float = 0.05, chunk_s: float = 0.2, lead_s: float = 0.05,
                 hz: float = 1000.0) -> None:
        self.sample_rate = sample_rate
        self.first_audio_s = first_audio_s
        self.per_char_s = per_char_s
        self.chunk_s = chunk_s
        self.lead_s = lead_s
        self.hz = hz
        self.texts: list[tuple[str, str]] = []
        self.first_audio_t: list[float] = []

    def process(self, text: str, language: str) -> Iterator[np.ndarray]:
        self.texts.append((text, language))
        time.sleep(self.first_audio_s)
        audio = np.concatenate([
            np.zeros(int(self.lead_s * self.sample_rate), np.float32),
            tone(self.per_char_s * len(text), self.hz, 0.5, self.sample_rate)])
        step = max(1, int(self.chunk_s * self.sample_rate))
        for i in range(0, len(audio), step):
            if i == 0:
                self.first_audio_t.append(time.monotonic())
            yield audio[i: i + step]

    def reset(self) -> None:
        pass


class FakeEndOfTurn:
    """Returns ``probability`` (a number, or a callable of the utterance audio)."""

    def __init__(self, probability: float | Callable[[np.ndarray], float] = 1.0) -> None:
        self.probability = probability
        self.calls = 0

    def process(self, audio: np.ndarray) -> float:
        self.calls += 1
        p = self.probability
        return float(p(audio) if callable(p) else p)

    def reset(self) -> None:
        pass


# -- plugins ------------------------------------------------------------------------------

class FakeEngines:
    """A plugin providing the given engine objects under the engine name ``fake``."""

    def __init__(self, **engines: Any) -> None:
        self.engines = engines
        self.contexts: list[Any] = []

    @hookimpl
    def vaani_engines(self) -> list[EngineSpec]:
        def factory(obj: Any) -> Callable[[Any], Any]:
            def make(ctx: Any) -> Any:
                self.contexts.append(ctx)
                return obj
            return make
        return [EngineSpec(kind, "fake", factory(obj), description="test double")
                for kind, obj in self.engines.items()]


class ScriptedSkill:
    """A skill plugin answering fixed phrases (substring match, case-insensitive)."""

    def __init__(self, answers: dict[str, str], language: str = "",
                 delay_s: float = 0.0) -> None:
        self.answers = {k.lower(): v for k, v in answers.items()}
        self.language = language
        self.delay_s = delay_s
        self.handled: list[str] = []

    @hookimpl
    def vaani_handle(self, utterance: Any) -> Reply | None:
        time.sleep(self.delay_s)
        for key, answer in self.answers.items():
            if key in utterance.text.lower():
                self.handled.append(utterance.text)
                return Reply(answer, language=self.language)
        return None


class ScriptedEngines(FakeEngines):
    """Fake engines and a :class:`ScriptedSkill` in one plugin object (:func:`from_env`)."""

    def __init__(self, skill: ScriptedSkill, **engines: Any) -> None:
        super().__init__(**engines)
        self.skill = skill

    @hookimpl
    def vaani_handle(self, utterance: Any) -> Reply | None:
        return self.skill.vaani_handle(utterance)


class RaisingSkill:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl(tryfirst=True)
    def vaani_handle(self, utterance: Any) -> Reply | None:
        self.calls += 1
        raise RuntimeError("this skill is broken")


class HangingSkill:
    def __init__(self, seconds: float = 5.0) -> None:
        self.seconds = seconds
        self.release = threading.Event()

    @hookimpl(tryfirst=True)
    def vaani_handle(self, utterance: Any) -> Reply | None:
        self.release.wait(self.seconds)
        return Reply("too late")


class Notifier:
    """A plugin that keeps its ``notify`` so a test can speak "between turns"."""

    def __init__(self) -> None:
        self.ctx: Any = None

    @hookimpl
    def vaani_startup(self, ctx: Any) -> None:
        self.ctx = ctx

    def say(self, text: str, language: str = "en") -> None:
        self.ctx.notify(text, language)


class FakeMicrophone:
    """A live microphone for session and daemon tests: silence in real time (``speed`` times
    faster), and whatever :meth:`play` queues, as it would be heard. ``fail`` makes opening
    it raise, like a laptop whose microphone is missing."""

    realtime = True
    sample_rate = RATE
    channels = 1

    def __init__(self, *, block_ms: int = 32, speed: float = 2.0, name: str = "mic:fake") -> None:
        self.name = name
        self.speed = speed
        self.block = RATE * block_ms // 1000
        self.t0: float | None = None
        self.opened = 0
        self._pending: list[np.ndarray] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()

    def play(self, audio: np.ndarray) -> None:
        with self._lock:
            self._pending.append(np.asarray(audio, np.float32))

    @property
    def playing(self) -> bool:
        with self._lock:
            return bool(self._pending)

    def __iter__(self) -> Iterator[np.ndarray]:
        self._closed.clear()
        self.opened += 1
        self.t0 = time.monotonic()
        sent = 0
        while not self._closed.is_set():
            with self._lock:
                if self._pending:
                    head = self._pending[0]
                    block, rest = head[:self.block], head[self.block:]
                    if len(rest):
                        self._pending[0] = rest
                    else:
                        self._pending.pop(0)
                else:
                    block = np.zeros(self.block, np.float32)
            if len(block) < self.block:
                block = np.concatenate([block, np.zeros(self.block - len(block), np.float32)])
            sent += len(block)
            delay = self.t0 + sent / RATE / self.speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            yield block

    def close(self) -> None:
        self._closed.set()


# -- a whole pipeline on fakes ------------------------------------------------------------

@dataclass
class Rig:
    """A pipeline on fake engines, with everything a test wants to look at."""

    pipeline: Any
    host: Any
    sink: Any
    events: list[Any]
    vad: FakeVad
    wake: FakeWake
    asr: FakeAsr
    llm: FakeLlm
    tts: FakeTts

    def kinds(self, skip: tuple[str, ...] = ("AudioChunk", "SpeechChunk", "ReplyTextChunk",
                                              "StageTiming")) -> list[str]:
        return [e.kind for e in self.events if e.kind not in skip]

    def of(self, kind: str) -> list[Any]:
        return [e for e in self.events if e.kind == kind]


def rig(script: Script, *, plugins: tuple[Any, ...] = (), sink: Any = None,
        llm: FakeLlm | None = None, tts: FakeTts | None = None, asr: FakeAsr | None = None,
        vad: FakeVad | None = None, end_of_turn: FakeEndOfTurn | None = None,
        require_wake_word: bool = False, config: dict[str, Any] | None = None) -> Rig:
    """Build a :class:`vaani.pipeline.Pipeline` on fakes (plugins loaded without entry points)."""
    from vaani import config as config_mod
    from vaani.audio import MemorySink
    from vaani.pipeline import Engines, Pipeline
    from vaani.plugins import PluginHost

    cfg = config_mod.from_dict(config or {})
    events: list[Any] = []
    pipeline_box: list[Any] = []
    host = PluginHost(cfg, emit=lambda e: pipeline_box[0].emit(e))
    host.load(extra=[(f"p{i}_{type(p).__name__.lower()}", p) for i, p in enumerate(plugins)],
              entry_points=False)
    host.configure()
    vad = vad or FakeVad()
    wake = FakeWake()
    asr = asr or FakeAsr(script.vocabulary)
    llm = llm or FakeLlm()
    tts = tts or FakeTts()
    sink = sink if sink is not None else MemorySink()
    engines = Engines(vad=vad, asr=asr, wake=wake, end_of_turn=end_of_turn, llm=llm,
                      tts={"en": tts, "hi": tts})
    pipeline = Pipeline(cfg, engines, host=host, sink=sink, require_wake_word=require_wake_word)
    pipeline_box.append(pipeline)
    pipeline.subscribe(events.append)
    host.startup(notify=lambda text, language, name: pipeline.notify(text, language, name))
    return Rig(pipeline, host, sink, events, vad, wake, asr, llm, tts)


def from_env() -> FakeEngines:
    """``VAANI_PLUGINS=vaani.testing:from_env``: fake engines (engine name ``fake``) and a
    scripted skill for CLI tests, described by the JSON file in ``VAANI_FAKE_SCRIPT``:
    ``{"vocabulary": {"250.0": "what time is it"}, "answers": {...}, "llm": "..."}``."""
    import json
    import os

    spec = json.loads(open(os.environ["VAANI_FAKE_SCRIPT"], encoding="utf-8").read())
    vocabulary = {float(k): v for k, v in spec.get("vocabulary", {}).items()}
    skill = ScriptedSkill(spec.get("answers", {}))
    return ScriptedEngines(skill, vad=FakeVad(), wake=FakeWake(), asr=FakeAsr(vocabulary),
                           llm=FakeLlm(spec.get("llm", "This is a fake answer.")),
                           tts=FakeTts(), end_of_turn=FakeEndOfTurn())


def fake_config(**sections: Any) -> dict[str, Any]:
    """A config dict selecting the ``fake`` engines everywhere (and no trace)."""
    cfg: dict[str, Any] = {
        "wake": {"engine": "fake", "model": "fake"}, "vad": {"engine": "fake", "model": "fake"},
        "asr": {"engine": "fake", "model": "fake", "english_model": ""},
        "llm": {"engine": "fake", "model": "fake"},
        "tts": {"engine": "auto", "voices": {"en": "fake:a", "hi": "fake:b"}},
        "trace": {"enabled": False}}
    for name, table in sections.items():
        cfg.setdefault(name, {}).update(table)
    return cfg


# -- the plugin author's test kit -----------------------------------------------------------
#
# ``PluginKit`` is an assistant for a plugin's tests: ``ask(text)`` runs a whole typed turn
# (the plugins, else the model, the reply guard) and returns the reply with the turn's
# events. The pytest fixtures in vaani/pytest_plugin.py build one per test.

DEFAULT_NOW = datetime(2026, 1, 15, 10, 30)     # a Thursday morning, local time
KIT_TIMEOUT_MS = 2000


class FakeClock:
    """A wall clock a test controls, handed to plugins as ``ctx.now``: ``clock()`` is the
    time (``time.time()`` style), ``set(datetime(...))`` or ``advance(minutes=5)`` move it.
    A naive datetime is local time, as a user's clock shows it."""

    def __init__(self, start: datetime | float = DEFAULT_NOW) -> None:
        self._t = 0.0
        self._lock = threading.Lock()
        self.set(start)

    def __call__(self) -> float:
        with self._lock:
            return self._t

    now = __call__

    def set(self, when: datetime | float) -> None:
        with self._lock:
            self._t = when.timestamp() if isinstance(when, datetime) else float(when)

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0,
                days: float = 0.0) -> float:
        with self._lock:
            self._t += seconds + 60 * minutes + 3600 * hours + 86400 * days
            return self._t

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self())


def utterance(text: str, language: str | None = None, turn: int = 0) -> Utterance:
    """What a plugin sees for ``text``: the language resolved as the assistant resolves it
    (Devanagari and romanised Hindi are ``hi``) unless given."""
    from vaani.language import resolve_language

    return Utterance(text, language or resolve_language(text, ("hi", "en"), None), turn)


def hi(text: str, turn: int = 0) -> Utterance:
    """A Hindi utterance (Devanagari or romanised: "अलार्म लगाओ", "alarm lagao")."""
    return Utterance(text, "hi", turn)


def en(text: str, turn: int = 0) -> Utterance:
    """An English utterance."""
    return Utterance(text, "en", turn)


@dataclass
class Asked:
    """One typed turn through the assistant: the reply and everything that happened."""

    text: str                         # the reply as spoken ("" when nothing was said)
    language: str
    source: str                       # "plugin:NAME", "llm", or "" when nothing answered
    outcome: str                      # "answered", ...
    data: dict[str, Any]              # the answering plugin's Reply.data (+ "tool_calls")
    events: list[Any]                 # every event of the turn, in order
    result: Any                       # the pipeline's TurnResult

    @property
    def plugin(self) -> str:
        """The plugin that answered, "" if the model did (or nothing)."""
        return self.source.split(":", 1)[1] if self.source.startswith("plugin:") else ""

    @property
    def tool_calls(self) -> list[dict[str, Any]]:
        """The model's tool calls this turn: ``{"name", "arguments", "result"}`` each."""
        return list(self.data.get("tool_calls", []))

    @property
    def errors(self) -> list[Any]:
        """The turn's :class:`~vaani.events.Error` events (a plugin that raised, ran late)."""
        return [e for e in self.events if e.kind == "Error"]

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]

    def __str__(self) -> str:
        return self.text


def _named(plugins: Any) -> list[tuple[str, object]]:
    """``[obj, (name, obj), ...]`` or ``{name: obj}`` -> ``[(name, obj), ...]``; an object
    without a name is named after its module (``my_weather``) or class (``weather``)."""
    items = list(plugins.items()) if isinstance(plugins, dict) else list(plugins or ())
    out: list[tuple[str, object]] = []
    for item in items:
        if isinstance(item, tuple):
            out.append((str(item[0]), item[1]))
        elif isinstance(item, types.ModuleType):
            out.append((item.__name__.rsplit(".", 1)[-1], item))
        else:
            out.append((type(item).__name__.lower(), item))
    return out


class PluginKit:
    """An assistant for testing plugins. ``engines="fake"`` (default): the model is a
    :class:`FakeLlm` the test scripts (:meth:`model_says`, :meth:`model_calls`), no model
    files needed; ``"real"``: the installed engines from the config (``vaani models
    install`` first; raises :class:`~vaani.errors.ModelMissingError` otherwise). Only
    ``plugins`` are loaded unless ``entry_points`` (every installed plugin, the built-in
    skills too: precision next to them). ``clock`` is the plugins' ``ctx.now``."""

    def __init__(self, plugins: Any = (), *, config: dict[str, Any] | None = None,
                 engines: str = "fake", entry_points: bool = False,
                 clock: FakeClock | None = None,
                 llm: str | Callable[[str], str] = "This is a fake answer.") -> None:
        if engines not in ("fake", "real"):
            raise ValueError(f"engines must be 'fake' or 'real', not {engines!r}")
        self.plugins = _named(plugins)
        self.engines = engines
        self.entry_points = entry_points or engines == "real"
        self.clock = clock or FakeClock()
        self.llm = FakeLlm(llm, first_token_s=0.0, token_s=0.0)
        self.config_dict = dict(config or {})
        self.events: list[Any] = []
        self.assistant: Any = None
        self._language = "en"

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> PluginKit:
        from importlib import metadata

        from vaani import config as config_mod
        from vaani.assistant import Assistant

        extra = list(self.plugins)
        if self.entry_points:                # an installed plugin is loaded once, as itself
            installed = {ep.name for ep in metadata.entry_points(group="vaani")}
            extra = [(n, p) for n, p in extra if n not in installed]
        sections = {k: dict(v) for k, v in self.config_dict.items()}
        # a loaded test machine must not fail a plugin: 2 s deadlines unless the test sets one
        sections.setdefault("plugins", {}).setdefault("timeout_ms", KIT_TIMEOUT_MS)
        if self.engines == "fake":
            config = config_mod.from_dict(fake_config(**sections))
            extra.insert(0, ("vaani_fake_engines", FakeEngines(llm=self.llm)))
            self.assistant = Assistant(config, needs=("llm",), extra_plugins=extra,
                                       entry_points=self.entry_points, models=object(),
                                       trace=False, warm=False, now=self.clock)
        else:
            config = config_mod.from_dict({**sections, "trace": {"enabled": False}})
            self.assistant = Assistant(config, needs=("llm",), extra_plugins=extra,
                                       entry_points=True, trace=False, now=self.clock)
        self.assistant.start()
        self.assistant.subscribe(self.events.append)
        return self

    def close(self) -> None:
        if self.assistant is not None:
            self.assistant.close()
            self.assistant = None

    def __enter__(self) -> PluginKit:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def host(self) -> Any:
        return self.assistant.host

    @property
    def pipeline(self) -> Any:
        return self.assistant.pipeline

    # -- turns ------------------------------------------------------------------------------

    hi = staticmethod(hi)                # utterance builders, on the fixture too
    en = staticmethod(en)
    utterance = staticmethod(utterance)

    def ask(self, text: str, language: str | None = None) -> Asked:
        """A whole typed turn, as ``vaani ask`` runs it: plugins first, then the model."""
        first = len(self.events)
        self._language = language or utterance(text).language
        result = self.pipeline.ask(text, language)
        events = self.events[first:]
        return Asked(result.reply.strip(), result.language, result.source, result.outcome,
                     dict(result.data), events, result)

    def handle(self, text: str | Utterance, language: str | None = None) -> Any:
        """The plugins alone (no model): the :class:`~vaani.plugins.Answer` or None."""
        u = text if isinstance(text, Utterance) else utterance(text, language)
        return self.host.handle(u, timeout_ms=self._deadline_ms())

    def preview(self, text: str | Utterance, language: str | None = None) -> Reply | None:
        u = text if isinstance(text, Utterance) else utterance(text, language)
        return self.host.preview(u, timeout_ms=self._deadline_ms())

    def tools(self) -> dict[str, Any]:
        """Tool name -> :class:`~vaani.hookspecs.Tool`, as the model is offered them."""
        return {name: tool for name, (_, tool) in self.host.tools().items()}

    def call_tool(self, name: str, arguments: dict[str, Any], language: str = "en",
                  utterance: str | None = None) -> dict[str, Any]:
        """A tool call as the model would make it (grounded against ``utterance``)."""
        return self.host.call_tool(name, arguments, language, utterance=utterance,
                                   timeout_ms=self._deadline_ms())

    def abilities(self, language: str = "en") -> list[str]:
        return self.host.abilities(language)

    def notifications(self, wait_s: float = 0.0) -> list[str]:
        """What plugins said by themselves (``ctx.notify``: a timer ringing) since the last
        call, waiting up to ``wait_s`` for the first one."""
        deadline = time.monotonic() + wait_s
        said: list[str] = []
        while True:
            first = len(self.events)
            self.pipeline.speak_notifications()
            said += [e.text for e in self.events[first:] if e.kind == "Notification"]
            if said or time.monotonic() >= deadline:
                return said
            time.sleep(0.01)

    def errors(self) -> list[Any]:
        """Every Error event so far (plugins that raised, ran late, were skipped)."""
        return [e for e in self.events if e.kind == "Error"]

    # -- the fake model ---------------------------------------------------------------------

    def model_says(self, reply: str | Callable[[str], str]) -> None:
        """What the fake model answers (a text, or a function of the user's message)."""
        self.llm.reply = reply

    def model_calls(self, tool: str, arguments: dict[str, Any],
                    answer: str | Callable[[dict[str, Any]], str] | None = None) -> None:
        """The fake model calls ``tool`` with ``arguments`` (as Chimera writes a call), then
        words the result: ``answer`` (a text, or a function of the result), by default the
        tool's own ``say`` sentence for it."""
        import json

        from vaani.llm.tools import TOOL_CALL

        def reply(message: str) -> str:
            if not message.startswith("{"):
                return TOOL_CALL + json.dumps({"name": tool, "arguments": arguments})
            result = json.loads(message)
            if callable(answer):
                return answer(result)
            if answer is not None:
                return answer
            found = self.tools().get(tool)
            if found is not None and found.say is not None and "error" not in result:
                return found.say(result, self._language)
            return json.dumps(result, ensure_ascii=False)
        self.llm.reply = reply

    def _deadline_ms(self) -> float:
        return float(self.assistant.config.plugins.timeout_ms)
