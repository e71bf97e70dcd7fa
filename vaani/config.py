"""One typed configuration tree, read from a TOML file.

Defaults live here and nowhere else. Unknown keys are errors that name the key
(``assistant.langauge``). Engine options that only one engine understands go in that
section's ``options`` table, which the engine validates. Each plugin validates its own
table under ``[plugins.<name>]`` in its ``vaani_configure`` hook.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaani.errors import ConfigError

LANGUAGES = ("hi", "en")


TOOL_CALL_MODES = ("grounded", "schema", "free")     # vaani.llm.calls


def sampling_problem(temperature: float, top_p: float, prefix: str = "") -> str:
    """What is wrong with these sampling settings ("" = nothing), naming the key as
    ``prefix`` + its name. The one rule for ``llm.temperature`` / ``llm.top_p`` here and for
    every request to the LLM (``vaani.llm.engine.Request.check``, so ``vaani serve``)."""
    if not 0.0 <= float(temperature) <= 10.0:            # NaN fails too
        return f"{prefix}temperature must be between 0 and 10 (got {temperature!r})"
    if not 0.0 < float(top_p) <= 1.0:
        return f"{prefix}top_p must be in (0, 1] (got {top_p!r})"
    return ""


@dataclass
class AssistantConfig:
    language: str = "auto"            # hi | en | auto (resolved per utterance)
    languages: list[str] = field(default_factory=lambda: ["hi", "en"])
    follow_up_s: float = 5.0          # listen without the wake word after a reply
    require_wake_word: bool = True
    barge_in: str = "speech"          # speech (speech or wake word) | wake | off
    system_prompt: str = (
        "You are VAANI, a helpful offline voice assistant. Answer in one or two short "
        "sentences, in the language of the question."
    )


@dataclass
class AudioConfig:
    input_device: str = ""            # name (or part of it); empty = system default
    output_device: str = ""
    sample_rate: int = 16000          # pipeline rate; input of any rate is converted
    block_ms: int = 32                # microphone block size
    output_latency_ms: int = 40


@dataclass
class WakeConfig:
    # VAANI's own name, "vaani" / "वाणी" (trained here: training/wakeword/, Apache-2.0): in
    # `vaani bench wake` (results/wake.json) it misses 19.2% of held-out synthetic voices at 3.0
    # false wakes/h where microWakeWord "okay nabu" (engine "microwakeword", model
    # "mww-okay-nabu") misses 52% at 1.8; openWakeWord's "hey jarvis" is personal use only
    engine: str = "openwakeword"
    model: str = "wake-vaani"         # a model pack name from the manifest, or a path
    # 0.5 = the model's own cutoff (each engine maps its scores so; see the engine's docstring)
    threshold: float = 0.5
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class VadConfig:
    engine: str = "silero"
    model: str = "silero-vad"
    threshold: float = 0.5
    hangover_ms: int = 250            # silence that ends a turn (<=300 ms by design)
    min_speech_ms: int = 120
    pre_roll_ms: int = 300            # audio kept from before the voice onset
    max_utterance_s: float = 15.0
    no_speech_timeout_s: float = 6.0  # after wake/follow-up, give up if nobody speaks
    end_of_turn: str = ""             # "" (hangover only) or "smart-turn"
    end_of_turn_threshold: float = 0.5
    end_of_turn_max_ms: int = 1000    # longest silence the end-of-turn model may wait for
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class AsrConfig:
    engine: str = "faster-whisper"
    model: str = "whisper-base"
    english_model: str = "whisper-tiny-en"  # used when the language is known to be English
    language: str = ""                # "" = follow assistant.language
    # the languages the user speaks: the ASR's language detection chooses among these only
    languages: list[str] = field(default_factory=lambda: ["hi", "en"])
    compute_type: str = "int8"
    beam_size: int = 1
    threads: int = 0                  # 0 = all cores
    no_speech_threshold: float = 0.6
    logprob_threshold: float = -1.0
    speculative: bool = True          # transcribe during the hangover / while speaking
    partial_every_s: float = 0.0      # live partial transcripts while speaking (0 = off)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class LlmConfig:
    engine: str = "llama-cpp"
    # the project's own model, aligned (models/chimera-v3; "chimera-v2" and v1, "chimera", stay
    # loadable by name)
    model: str = "chimera-v3"
    draft_model: str = ""             # speculative decoding draft ("" = off)
    # English turns no skill answered go to this model when its pack is installed (Hindi and
    # Hinglish stay on `model`); "" = off. E.g. "qwen2.5-coder-1.5b" (vaani/llm/routing.py)
    route_english: str = ""
    route_english_draft: str = ""     # its speculative draft ("" = none)
    max_tokens: int = 96
    temperature: float = 0.3
    top_p: float = 0.95
    context: int = 2048
    threads: int = 0                  # 0 = all cores (one for a model under 32 MB)
    seed: int = -1
    # how a tool call is decoded (vaani/llm/calls.py): "grounded" inside the tools' schemas,
    # strings copied from the user's words; "schema" without the copying; "free" as written
    tool_calls: str = "grounded"
    # the model reads numbers said in words as digits ("fifty" -> 50; vaani.numwords.
    # with_digits): small models copy digits into a calculator call, not number words
    digits: bool = True
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class TtsConfig:
    engine: str = "auto"              # pick a voice per language from `voices`
    voices: dict[str, str] = field(default_factory=lambda: {
        "en": "piper:piper-en-joe", "hi": "espeak:hi"})
    speed: float = 1.0
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class GuardConfig:
    """Checks every LLM reply passes before it is spoken (vaani/guard.py)."""

    enabled: bool = True              # false: speak the model's words unchecked (benchmarks)
    max_sentences: int = 3            # a spoken reply is short
    min_confidence: float = -1.0      # 0-1: geometric-mean token probability a free answer
                                      # needs; negative = the value calibrated for the model


@dataclass
class PluginsConfig:
    disabled: list[str] = field(default_factory=list)
    timeout_ms: int = 300             # per call deadline for a skill
    max_failures: int = 3             # a plugin that fails this often is disabled
    pool_size: int = 8                # worker threads for calls into in-process plugins


POOL_SIZE_MAX = 64
MEMORY_MB_MIN, MEMORY_MB_MAX = 64, 1 << 20


@dataclass(frozen=True)
class PluginIsolation:
    """Where a plugin runs, from the host's keys of its ``[plugins.NAME]`` table (taken out
    before the table reaches the plugin's ``vaani_configure``)."""

    isolate: bool | None = None       # None: by origin (third-party isolated, built-in not)
    memory_mb: int = 512              # address-space limit of its worker (0: none)


# Keys of a [plugins.NAME] table that are the host's, not the plugin's (docs/plugins.md).
HOST_KEYS = ("isolate", "memory_mb")


@dataclass
class TraceConfig:
    path: str = ""                    # JSONL of per-stage timings; "" = data dir default
    enabled: bool = True


@dataclass
class ModelsConfig:
    dir: str = ""                     # "" = platform data dir (~/.local/share/vaani/models)


@dataclass
class Config:
    assistant: AssistantConfig = field(default_factory=AssistantConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    wake: WakeConfig = field(default_factory=WakeConfig)
    vad: VadConfig = field(default_factory=VadConfig)
    asr: AsrConfig = field(default_factory=AsrConfig)
    llm: LlmConfig = field(default_factory=LlmConfig)
    tts: TtsConfig = field(default_factory=TtsConfig)
    guard: GuardConfig = field(default_factory=GuardConfig)
    plugins: PluginsConfig = field(default_factory=PluginsConfig)
    trace: TraceConfig = field(default_factory=TraceConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    # [plugins.<name>] tables, validated by each plugin's vaani_configure hook
    plugin_tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the host's keys of those tables (isolate, memory_mb), per plugin that sets one
    plugin_isolation: dict[str, PluginIsolation] = field(default_factory=dict)
    source: str = "<defaults>"

    def validate(self) -> None:
        lang = self.assistant.language
        if lang not in ("auto", *LANGUAGES):
            raise ConfigError(f"assistant.language must be one of auto, hi, en (got {lang!r})")
        for code in self.assistant.languages:
            if code not in LANGUAGES:
                raise ConfigError(f"assistant.languages: unknown language {code!r}")
        if self.asr.language not in ("", "auto", *LANGUAGES):
            raise ConfigError(f"asr.language must be '', auto, hi or en (got {self.asr.language!r})")
        if not self.asr.languages:
            raise ConfigError("asr.languages must name at least one language (hi, en)")
        for code in self.asr.languages:
            if code not in LANGUAGES:
                raise ConfigError(f"asr.languages: unknown language {code!r} (known: hi, en)")
        if len(set(self.asr.languages)) != len(self.asr.languages):
            raise ConfigError(f"asr.languages lists a language twice: {self.asr.languages}")
        if not 0 < self.vad.hangover_ms <= 2000:
            raise ConfigError("vad.hangover_ms must be between 1 and 2000")
        if self.assistant.barge_in not in ("speech", "wake", "off"):
            raise ConfigError("assistant.barge_in must be speech, wake or off "
                              f"(got {self.assistant.barge_in!r})")
        if self.vad.max_utterance_s <= 0:
            raise ConfigError("vad.max_utterance_s must be positive")
        for name in ("threshold",):
            for section in (self.wake, self.vad):
                value = getattr(section, name)
                if not 0.0 < value < 1.0:
                    raise ConfigError(f"{type(section).__name__[:-6].lower()}.{name} must be in (0, 1)")
        if not 1 <= self.plugins.pool_size <= POOL_SIZE_MAX:
            raise ConfigError(f"plugins.pool_size must be an integer from 1 to {POOL_SIZE_MAX}, "
                              f"got {self.plugins.pool_size!r}")
        if self.guard.max_sentences < 1:
            raise ConfigError("guard.max_sentences must be at least 1")
        if self.guard.min_confidence > 1:
            raise ConfigError("guard.min_confidence must be at most 1 (negative: calibrated)")
        if self.llm.route_english_draft and not self.llm.route_english:
            raise ConfigError("llm.route_english_draft needs llm.route_english (the model it "
                              "drafts for)")
        if self.llm.max_tokens <= 0:
            raise ConfigError("llm.max_tokens must be positive")
        if self.llm.tool_calls not in TOOL_CALL_MODES:
            raise ConfigError(f"llm.tool_calls must be one of {', '.join(TOOL_CALL_MODES)} "
                              f"(got {self.llm.tool_calls!r})")
        problem = sampling_problem(self.llm.temperature, self.llm.top_p, prefix="llm.")
        if problem:
            raise ConfigError(problem)
        if self.audio.sample_rate != 16000:
            raise ConfigError("audio.sample_rate: the pipeline runs at 16000 Hz")


def _check_type(value: Any, tp: Any, key: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        return value
    if tp in (str, bool):
        if not isinstance(value, tp):
            raise ConfigError(f"{key}: expected {tp.__name__}, got {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        (item_tp,) = typing.get_args(tp)
        return [_check_type(v, item_tp, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a table, got {value!r}")
        _, val_tp = typing.get_args(tp)
        if val_tp is Any:
            return dict(value)
        return {k: _check_type(v, val_tp, f"{key}.{k}") for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        return value
    return value


def _build(cls: type, data: dict[str, Any], prefix: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if key not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(f"unknown config key '{full}'", hint=f"known keys here: {known}")
        tp = hints[key]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):   # a section's class
            if not isinstance(value, dict):
                raise ConfigError(f"{full}: expected a table, got {value!r}")
            kwargs[key] = _build(tp, value, f"{full}.")
        else:
            kwargs[key] = _check_type(value, tp, full)
    return cls(**kwargs)


# Tables whose keys are merged over the defaults instead of replacing them: a config that
# sets only `[tts.voices] en = ...` keeps the default Hindi voice.
MERGED = (("tts", "voices"),)


def _merge_defaults(data: dict[str, Any]) -> dict[str, Any]:
    defaults = Config()
    for section, key in MERGED:
        table = data.get(section)
        if isinstance(table, dict) and isinstance(table.get(key), dict):
            default = getattr(getattr(defaults, section), key)
            data[section] = {**table, key: {**default, **table[key]}}
    return data


def _isolation(name: str, table: dict[str, Any]) -> PluginIsolation | None:
    """The host's keys of ``[plugins.NAME]`` (removed from ``table``), checked."""
    from vaani.kit import Option

    if not any(key in table for key in HOST_KEYS):
        return None
    default = PluginIsolation()
    options = (
        Option("isolate", bool, None, "run the plugin in a worker process of its own"),
        Option("memory_mb", int, default.memory_mb, "address-space limit of its worker",
               test=lambda v: v == 0 or MEMORY_MB_MIN <= v <= MEMORY_MB_MAX,
               expect=f"0 (no limit) or an integer from {MEMORY_MB_MIN} to {MEMORY_MB_MAX}"))
    values = {o.name: o.value(table.pop(o.name), f"plugins.{name}.{o.name}")
              for o in options if o.name in table}
    return PluginIsolation(**values)


def from_dict(data: dict[str, Any], source: str = "<dict>") -> Config:
    data = _merge_defaults(dict(data))
    plugin_tables: dict[str, dict[str, Any]] = {}
    plugin_isolation: dict[str, PluginIsolation] = {}
    plugins = data.get("plugins")
    if isinstance(plugins, dict):
        plugins = dict(plugins)
        for key in list(plugins):
            if isinstance(plugins[key], dict):
                table = dict(plugins.pop(key))
                isolation = _isolation(key, table)
                if isolation is not None:
                    plugin_isolation[key] = isolation
                plugin_tables[key] = table
        data["plugins"] = plugins
    for bad in ("plugin_tables", "plugin_isolation", "source"):
        if bad in data:
            raise ConfigError(f"unknown config key '{bad}'")
    config = _build(Config, data, "")
    config.plugin_tables = plugin_tables
    config.plugin_isolation = plugin_isolation
    config.source = source
    config.validate()
    return config


def load(path: str | Path | None = None) -> Config:
    """Load the config file (or the defaults when ``path`` is None and no user file exists)."""
    if path is None:
        path = default_path()
        if not path.exists():
            return from_dict({}, source="<defaults>")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return from_dict(data, source=str(path))


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("vaani")) / "config.toml"


def data_dir() -> Path:
    import os

    import platformdirs

    env = os.environ.get("VAANI_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir("vaani"))
