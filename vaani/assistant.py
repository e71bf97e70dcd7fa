"""The assistant: everything built from one :class:`~vaani.config.Config`.

Order matters and is the same for every front end (CLI, daemon, GUI, tests):

1. plugins are loaded (entry points + extras), validate their config tables;
2. engines are created by name through the plugin host, with models resolved by the model
   store (a missing model raises :class:`~vaani.errors.ModelMissingError` naming the
   command that installs it);
3. each engine does one dummy pass (warm-up) so that the first turn is not a cold one;
4. the pipeline is built, the trace is attached, plugins get ``vaani_startup``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from vaani.audio import AudioSink, NullSink
from vaani.config import Config
from vaani.engines import EngineContext
from vaani.errors import ConfigError
from vaani.events import Event
from vaani.pipeline import Engines, Pipeline
from vaani.plugins import PluginHost
from vaani.stages.tts import parse_voice
from vaani.trace import TraceWriter, trace_path

log = logging.getLogger(__name__)

ALL = ("wake", "vad", "asr", "llm", "tts")
WARM_TEXT = {"en": "Hello.", "hi": "नमस्ते।"}


def asr_language(config: Config) -> str | None:
    """The language ASR is told, or None to let it detect."""
    lang = config.asr.language or config.assistant.language
    if lang in ("", "auto"):
        langs = config.assistant.languages
        return langs[0] if len(langs) == 1 else None
    return lang


def asr_model(config: Config) -> str:
    """The model that will transcribe: tiny.en when the language is known to be English
    (the ASR engine picks it; this is for reports)."""
    if asr_language(config) == "en" and config.asr.english_model:
        return config.asr.english_model
    return config.asr.model


def tts_voices(config: Config) -> dict[str, tuple[str, str]]:
    """language -> (engine, voice) for every language the assistant speaks."""
    voices: dict[str, tuple[str, str]] = {}
    wanted = list(dict.fromkeys([*config.assistant.languages, *config.tts.voices]))
    for lang in wanted:
        spec = config.tts.voices.get(lang)
        if config.tts.engine != "auto":
            engine, voice = parse_voice(spec) if spec else (config.tts.engine, "")
            if engine != config.tts.engine:
                voice = ""
            voices[lang] = (config.tts.engine, voice or lang)
        elif spec:
            voices[lang] = parse_voice(spec)
        elif lang in config.assistant.languages:
            raise ConfigError(f"tts.voices has no voice for language '{lang}'",
                              hint=f'add {lang} = "engine:voice" under [tts.voices]')
    return voices


def env_plugins() -> list[tuple[str, object]]:
    """Plugins named in ``VAANI_PLUGINS`` (``module`` or ``module:factory``, comma-separated),
    loaded in addition to installed ones: try a plugin without installing it, like
    ``pytest -p``. A ``factory`` is called with no arguments to make the plugin object.
    Returned as references, not imported: the host imports each where it runs (in process,
    or in a worker of its own: docs/plugins.md, Isolation); one that cannot be loaded is a
    ConfigError then."""
    import os

    from vaani.isolation import PluginRef

    out: list[tuple[str, object]] = []
    for spec in filter(None, (s.strip() for s in os.environ.get("VAANI_PLUGINS", "").split(","))):
        module_name, _, attr = spec.partition(":")
        out.append((spec.replace(":", "."), PluginRef(module_name, attr, factory=bool(attr))))
    return out


class Assistant:
    def __init__(self, config: Config, *, sink: AudioSink | None = None,
                 needs: Sequence[str] = ALL, extra_plugins: Iterable[tuple[str, object]] = (),
                 entry_points: bool = True, models: Any = None, trace: bool = True,
                 warm: bool = True, require_wake_word: bool | None = None,
                 now: Callable[[], float] = time.time) -> None:
        unknown = set(needs) - set(ALL)
        if unknown:
            raise ValueError(f"unknown engine kinds {unknown}")
        self.config = config
        self.sink = sink or NullSink()
        self.needs = tuple(needs)
        self.extra_plugins = list(extra_plugins)
        self.entry_points = entry_points
        self.models = models
        self.warm = warm
        self.require_wake_word = require_wake_word
        self.want_trace = trace
        self.now = now                       # the wall clock plugins get (tests replace it)
        self.host = PluginHost(config, emit=self._emit)
        self.engines = Engines()
        self.pipeline: Pipeline | None = None
        self.trace: TraceWriter | None = None
        self.warmup_ms: dict[str, float] = {}
        self._early: list[Event] = []        # events before the pipeline exists
        self._started = False

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> Assistant:
        self.host.load(extra=[*self.extra_plugins, *env_plugins()], entry_points=self.entry_points)
        self.host.configure()
        if self.models is None:
            try:
                from vaani.models import ModelStore
            except ImportError:            # a partial install: engines that need models fail
                log.warning("vaani.models is missing; engines cannot resolve model packs")
            else:
                self.models = ModelStore.from_config(self.config)
        self._build_engines()
        if self.warm:
            self.warm_up()
        self.pipeline = Pipeline(self.config, self.engines, host=self.host, sink=self.sink,
                                 require_wake_word=self.require_wake_word)
        path = trace_path(self.config) if self.want_trace else None
        if path is not None:
            self.trace = TraceWriter(path)
            self.pipeline.subscribe(self.trace)
        for event in self._early:
            self.pipeline.emit(event)
        self._early.clear()
        self.host.startup(notify=self._notify, now=self.now)
        self._started = True
        return self

    def close(self) -> None:
        if self._started:
            self.host.shutdown()
        if self.pipeline is not None:
            self.pipeline.close()
        if self.trace is not None:
            self.trace.close()
        self._started = False

    def __enter__(self) -> Assistant:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def use_sink(self, sink: AudioSink) -> None:
        """Send the replies to ``sink`` from the next turn on (a WAV file per question)."""
        self.sink = sink
        if self.pipeline is not None:
            self.pipeline.sink = sink

    def subscribe(self, fn: Any) -> None:
        assert self.pipeline is not None, "start() first"
        self.pipeline.subscribe(fn)

    def _notify(self, text: str, language: str, name: str) -> None:
        """A plugin's ``ctx.notify``: spoken by the pipeline between turns."""
        assert self.pipeline is not None, "plugins start after the pipeline is built"
        self.pipeline.notify(text, language, name)

    def _emit(self, event: Event) -> None:
        if self.pipeline is not None:
            self.pipeline.emit(event)
        else:
            self._early.append(event)

    # -- engines --------------------------------------------------------------------------

    def _ctx(self, options: dict[str, Any], model: str = "", voice: str = "") -> EngineContext:
        return EngineContext(config=self.config, models=self.models, options=dict(options),
                             model=model, voice=voice)

    def _create(self, kind: str, name: str, ctx: EngineContext) -> Any:
        t = time.perf_counter()
        engine = self.host.create_engine(kind, name, ctx)
        log.info("%s engine %s (%s) loaded in %.0f ms", kind, name, ctx.model or ctx.voice,
                 (time.perf_counter() - t) * 1000)
        return engine

    def _build_engines(self) -> None:
        c = self.config
        e = self.engines
        needs = set(self.needs)
        if "asr" in needs or "wake" in needs:
            needs.add("vad")                     # listening always needs the endpointer
        if "wake" in needs and c.wake.engine:
            e.wake = self._create("wake", c.wake.engine, self._ctx(c.wake.options, c.wake.model))
        if "vad" in needs:
            e.vad = self._create("vad", c.vad.engine, self._ctx(c.vad.options, c.vad.model))
            if c.vad.end_of_turn:
                e.end_of_turn = self._create("end_of_turn", c.vad.end_of_turn, self._ctx({}))
        if "asr" in needs:
            # the main (multilingual) model; the engine switches to asr.english_model itself
            # when the pipeline tells it the language is English
            e.asr = self._create("asr", c.asr.engine, self._ctx(c.asr.options, c.asr.model))
        if "llm" in needs and c.llm.engine:
            e.llm = self._create("llm", c.llm.engine, self._ctx(c.llm.options, c.llm.model))
            if c.llm.route_english:
                from vaani.llm.routing import english_engine

                # loaded (and warmed) at start, not on the first English turn: a lazy load
                # costs that turn the load and the tool-list prompt (results/routing/)
                e.llm_english = english_engine(c, self.models, lambda routed: self._create(
                    "llm", routed.llm.engine, EngineContext(
                        config=routed, models=self.models, options=dict(routed.llm.options),
                        model=routed.llm.model)))
                e.llm_english_model = c.llm.route_english if e.llm_english is not None else ""
        if "tts" in needs:
            built: dict[tuple[str, str], Any] = {}
            for lang, (engine, voice) in tts_voices(c).items():
                if (engine, voice) not in built:
                    built[engine, voice] = self._create(
                        "tts", engine, self._ctx(c.tts.options, model=voice, voice=voice))
                e.tts[lang] = built[engine, voice]

    def warm_up(self) -> dict[str, float]:
        """One dummy pass per engine: the first real turn must not pay for lazy init, page
        faults or the LLM's system-prompt evaluation."""
        e = self.engines
        rng = np.random.default_rng(0)

        def timed(name: str, fn: Any) -> None:
            t = time.perf_counter()
            try:
                fn()
            except Exception as exc:         # warm-up is best effort; the turn will report
                log.warning("warm-up of %s failed: %s", name, exc)
            self.warmup_ms[name] = (time.perf_counter() - t) * 1000

        if e.wake is not None:
            timed("wake", lambda: [e.wake.process(np.zeros(e.wake.frame_samples, np.float32))
                                   for _ in range(4)] and e.wake.reset())
        if e.vad is not None:
            timed("vad", lambda: [e.vad.process(np.zeros(e.vad.frame_samples, np.float32))
                                  for _ in range(4)] and e.vad.reset())
        if e.end_of_turn is not None:
            timed("end_of_turn", lambda: e.end_of_turn.process(np.zeros(16000, np.float32)))
        if e.asr is not None:
            noise = (rng.standard_normal(16000) * 0.01).astype(np.float32)
            timed("asr", lambda: e.asr.process(noise, asr_language(self.config)))
        for name, llm in (("llm", e.llm), ("llm:en", e.llm_english)):
            if llm is None:
                continue
            c = self.config
            msgs = [{"role": "system", "content": c.assistant.system_prompt},
                    {"role": "user", "content": "Hi"}]
            # with the tools a turn will offer, so the engine keeps the system prompt and the
            # tool list evaluated: a model whose template lists them at length (Qwen2.5:
            # 1,300 tokens for 18 tools) would otherwise read them in the first turn
            kw: dict[str, Any] = {}
            if _takes(llm.process, "tools"):
                schemas = [tool.schema() for _, tool in self.host.tools().values()]
                if schemas:
                    kw["tools"] = schemas
            timed(name, lambda llm=llm, kw=kw, msgs=msgs: list(llm.process(
                msgs, max_tokens=2, temperature=0.0, **kw)))
        for lang, engine in e.tts.items():
            timed(f"tts:{lang}", lambda engine=engine, lang=lang: list(
                engine.process(WARM_TEXT.get(lang, "Hello."), lang)))
        log.info("warm-up (ms): %s", {k: round(v) for k, v in self.warmup_ms.items()})
        return self.warmup_ms


def _takes(fn: Any, name: str) -> bool:
    """Does callable ``fn`` take keyword argument ``name``?"""
    import inspect

    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def load_config(args: Any, **overrides: Any) -> Config:
    """The config for a CLI command: ``--config`` (or the user file), then command-line
    overrides such as ``assistant.language``: ``load_config(args, **{"assistant.language": "hi"})``."""
    from vaani import config as config_mod

    config = config_mod.load(getattr(args, "config", None))
    for dotted, value in overrides.items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        setattr(getattr(config, section), key, value)
    config.validate()
    return config
