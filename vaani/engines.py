"""What an engine is: the small synchronous interfaces the pipeline drives.

Engines are provided by plugins (``vaani_engines`` hook) as :class:`EngineSpec` objects and
chosen by name in config (``[asr] engine = "faster-whisper"``). An engine does no I/O of its
own beyond loading its model, never starts threads and never touches the network; the
pipeline owns concurrency. All audio is float32 mono in [-1, 1]; input audio is 16 kHz.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from vaani.config import Config
    from vaani.models import ModelStore

KINDS = ("wake", "vad", "end_of_turn", "asr", "llm", "tts")


@dataclass
class EngineContext:
    """What an engine factory gets: the whole config, its own options, and the model store."""

    config: Config
    models: ModelStore
    options: dict[str, Any] = field(default_factory=dict)
    model: str = ""         # model pack name or path chosen in config
    voice: str = ""         # TTS only: the voice part of "engine:voice"


@dataclass(frozen=True)
class EngineSpec:
    kind: str               # one of KINDS
    name: str               # the name used in config
    factory: Callable[[EngineContext], Any]
    description: str = ""
    languages: tuple[str, ...] = ()   # TTS / ASR: languages it handles ("" = any)


@runtime_checkable
class WakeWordEngine(Protocol):
    frame_samples: int      # samples per process() call at 16 kHz (openWakeWord: 1280)

    def process(self, frame: np.ndarray) -> dict[str, float]:
        """Scores in [0, 1] per wake word for this frame."""

    def reset(self) -> None: ...


@runtime_checkable
class VadEngine(Protocol):
    frame_samples: int      # Silero: 512 at 16 kHz

    def process(self, frame: np.ndarray) -> float:
        """Probability that this frame holds speech."""

    def reset(self) -> None: ...


@runtime_checkable
class EndOfTurnEngine(Protocol):
    def process(self, audio: np.ndarray) -> float:
        """Probability that the speaker has finished, from the utterance so far (16 kHz)."""

    def reset(self) -> None: ...


@dataclass(frozen=True)
class AsrResult:
    text: str
    language: str
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    language_prob: float = 1.0
    segments: tuple[tuple[float, float, str], ...] = ()
    rejected: str = ""     # non-empty: why the engine dropped the text (hallucination guard)


@runtime_checkable
class AsrEngine(Protocol):
    def process(self, audio: np.ndarray, language: str | None = None) -> AsrResult:
        """Transcribe a whole utterance (16 kHz). ``language`` None = detect."""

    def reset(self) -> None: ...


@runtime_checkable
class LlmEngine(Protocol):
    def process(self, messages: list[dict[str, str]], *, max_tokens: int = 128,
                temperature: float = 0.0, top_p: float = 1.0, stop: list[str] | None = None,
                seed: int | None = None,
                cancel: threading.Event | None = None) -> Iterator[str]:
        """Stream the reply to a chat as text pieces; stop early when ``cancel`` is set."""

    def reset(self) -> None: ...


@runtime_checkable
class TtsEngine(Protocol):
    sample_rate: int

    def process(self, text: str, language: str) -> Iterator[np.ndarray]:
        """Synthesize one clause; yield float32 chunks as soon as each is ready."""

    def reset(self) -> None: ...
