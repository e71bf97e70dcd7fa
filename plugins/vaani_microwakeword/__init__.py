"""microWakeWord (pymicro-wakeword 2.5.0) wake words: Apache-2.0 models on TFLite, no torch.

The default wake engine. pymicro-wakeword runs Kevin Ahrendt's microWakeWord streaming
models (hey_jarvis, okay_nabu, alexa, hey_mycroft, all Apache-2.0) with the TFLite C library
its wheel carries and the TFLite Micro audio frontend of ``pymicro-features``: 40 features
every 10 ms, one inference every ``stride`` (3) features = 30 ms, the mean of the last 5
probabilities as the score. We use the library's own inference; only the files come from
elsewhere: each model is a pack (``mww-okay-nabu``, ...: the model's JSON and ``.tflite``,
copied out of the pinned wheel and checked by sha256 by ``vaani models install``), and is
loaded from the model store by path, never from the package's bundled ``models/`` folder.

What this module adds to the library:

* **one score per 30 ms frame** (``frame_samples = 480``): the pipeline's float32 blocks
  become the 16-bit PCM the frontend wants; a frame that completes no inference (the
  frontend's first window) repeats the last score;
* **a score on VAANI's shared scale**: every wake engine is read with one threshold
  (``wake.threshold``, default 0.5). microWakeWord models publish their own cutoff (0.97 for
  hey_jarvis, 0.85 for okay_nabu), so the window mean ``p`` is mapped piecewise-linearly,
  ``p <= c -> 0.5 p / c`` and ``p > c -> 0.5 + 0.5 (p - c) / (1 - c)``: the threshold 0.5 is
  the model author's operating point, 0.75 is half-way from it to 1. The map is monotonic,
  so a DET curve is the same on either scale; ``raw=True`` on :meth:`process` gives ``p``;
* **a bad model is a clear ModelCorruptError** (the C library returns NULL for a file that
  is not a TFLite flatbuffer, and the library would hand that NULL on to the interpreter);
* ``reset()`` also resets the frontend: after our own speech has played, neither the
  features nor the model's streaming state may remember it.
"""

from __future__ import annotations

import ctypes
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import AudioFormatError, EngineError, ModelCorruptError, ModelMissingError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options

RATE = 16000
FEATURE_STEP = 160               # 10 ms: one frontend feature vector per step
FRAME = 480                      # 30 ms = stride 3 x 10 ms: one inference per frame
SHARED_THRESHOLD = 0.5           # where every model's own cutoff lands on VAANI's scale
OPTIONS = engine_options(
    "wake", "microwakeword",
    Option("extra_models", list, [], "more wake-word models listened for (names or paths)",
           expect="a list of model names or paths",
           test=lambda v: all(isinstance(m, str) and m for m in v)),
    Option("cutoff", float, None, "the model's own probability cutoff, mapped to 0.5 on "
           "VAANI's scale (default: the one in the model's JSON)", above=0, max=0.999),
    kind="wake")


@dataclass(frozen=True)
class ModelSpec:
    """A microWakeWord model as its JSON describes it."""

    name: str                    # what scores are reported under (the pack name)
    tflite: Path
    wake_word: str               # the phrase ("Okay Nabu")
    cutoff: float                # the model's own probability cutoff
    window: int                  # probabilities averaged
    languages: tuple[str, ...] = ()


def read_model(name: str, path: Path, cutoff: float | None = None) -> ModelSpec:
    """``path``: a pack folder, a model JSON, or a ``.tflite`` (its JSON read when beside it)."""
    path = Path(path)
    if path.is_dir():
        configs = sorted(p for p in path.glob("*.json") if not p.name.startswith("."))
        if len(configs) != 1:
            raise ModelCorruptError(f"{path} should hold one microWakeWord .json, "
                                    f"found {len(configs)}")
        path = configs[0]
    if not path.exists():
        raise ModelMissingError(f"wake word model not found: {path}")
    if path.suffix == ".tflite":
        beside = path.with_suffix(".json")
        if not beside.is_file():             # a bare model: the library's defaults
            return ModelSpec(name, path, path.stem.replace("_", " "),
                             cutoff if cutoff is not None else 0.5, 5)
        path = beside
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
        micro = cfg["micro"]
        tflite = path.parent / cfg["model"]
        spec = ModelSpec(name, tflite, str(cfg.get("wake_word", path.stem)),
                         float(micro["probability_cutoff"]) if cutoff is None else cutoff,
                         int(micro.get("sliding_window_size", 5)),
                         tuple(cfg.get("trained_languages", ())))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ModelCorruptError(f"{path.name} is not a microWakeWord model config "
                                f"({type(exc).__name__}: {exc})",
                                hint="it needs 'model' and 'micro.probability_cutoff'") from None
    if cfg.get("type", "micro") != "micro":
        raise ModelCorruptError(f"{path.name} describes a '{cfg.get('type')}' model; only "
                                "microWakeWord ('micro') models run here")
    if not 0 < spec.cutoff < 1 or spec.window < 1:
        raise ModelCorruptError(f"{path.name}: cutoff {spec.cutoff} / window {spec.window} "
                                "out of range")
    if not spec.tflite.is_file():
        raise ModelCorruptError(f"{spec.tflite.name} (named by {path.name}) is missing")
    return spec


def _library() -> Path:
    """The TFLite C library inside the pymicro-wakeword wheel (code, not a model)."""
    try:
        import pymicro_wakeword
    except ImportError as exc:
        raise EngineError("pymicro-wakeword is not installed",
                          hint="pip install pymicro-wakeword==2.5.0 (or: make setup)") from exc
    found = sorted((Path(pymicro_wakeword.__file__).parent / "lib").glob("*tensorflowlite_c.*"))
    if not found:
        raise EngineError("pymicro-wakeword has no TFLite library for this platform")
    return found[0]


def _check_tflite(lib: Any, path: Path) -> None:
    """Fail clearly before the library builds an interpreter on a NULL model."""
    model = lib.TfLiteModelCreateFromFile(str(path.resolve()).encode())
    if not model:
        raise ModelCorruptError(f"{path.name} is not a valid TFLite model "
                                f"({path.stat().st_size} bytes)",
                                hint="reinstall the pack: vaani models install NAME --force")
    lib.TfLiteModelDelete(ctypes.c_void_p(model))


def scaled(p: float, cutoff: float) -> float:
    """The window mean ``p`` on VAANI's scale: ``cutoff`` -> 0.5, monotonic, [0, 1]."""
    if p <= cutoff:
        return SHARED_THRESHOLD * max(0.0, p) / cutoff
    return min(1.0, SHARED_THRESHOLD + (1 - SHARED_THRESHOLD) * (p - cutoff) / (1 - cutoff))


class _Detector:
    """One model with its own frontend (features are cheap; models then never share state)."""

    def __init__(self, spec: ModelSpec, lib_path: Path) -> None:
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures

        self.spec = spec
        try:
            self.model = MicroWakeWord(spec.name, wake_word=spec.wake_word,
                                       tflite_model=spec.tflite,
                                       probability_cutoff=spec.cutoff,
                                       sliding_window_size=spec.window,
                                       trained_languages=list(spec.languages),
                                       libtensorflowlite_c_path=lib_path)
        except ValueError as exc:              # e.g. a float model: not a streaming one
            raise ModelCorruptError(f"{spec.tflite.name} is not a microWakeWord streaming "
                                    f"model ({exc})") from None
        dims = [self.model.lib.TfLiteTensorDim(self.model.input_tensor, i)
                for i in range(self.model.lib.TfLiteTensorNumDims(self.model.input_tensor))]
        if len(dims) != 3 or dims[2] != 40 or dims[1] < 1:
            raise ModelCorruptError(f"{spec.tflite.name} is a TFLite model but not a "
                                    f"microWakeWord one (input {dims}, expected [1, stride, 40])")
        self.stride = int(self.model.stride)
        self.features = MicroWakeWordFeatures()
        self._seen = 0
        self.prob = 0.0

    def process(self, pcm: bytes) -> float:
        """The highest window mean completed in this audio (the last one when none was)."""
        best: float | None = None
        for feature in self.features.process_streaming(pcm):
            p = self.model.process_streaming_prob(feature)
            self._seen += 1
            if self._seen % self.stride == 0 and p is not None:   # an inference ran
                self.prob = float(p)
                best = self.prob if best is None else max(best, self.prob)
        return self.prob if best is None else best

    def reset(self) -> None:
        self.model.reset()                 # reloads the interpreter: streaming state gone
        self.features.reset()
        self._seen = 0
        self.prob = 0.0


class MicroWakeWordEngine:
    """``process(frame)`` -> ``{model name: score}``; ``detect(scores)`` applies the threshold."""

    frame_samples = FRAME

    def __init__(self, models: list[ModelSpec], threshold: float = SHARED_THRESHOLD) -> None:
        if not models:
            raise EngineError("microWakeWord needs at least one model")
        lib_path = _library()
        from pymicro_wakeword.wakeword import TfLiteWakeWord

        lib = TfLiteWakeWord(lib_path).lib
        for spec in models:
            _check_tflite(lib, spec.tflite)
        self.detectors = [_Detector(spec, lib_path) for spec in models]
        self.threshold = threshold

    @property
    def names(self) -> list[str]:
        return [d.spec.name for d in self.detectors]

    @property
    def phrases(self) -> dict[str, str]:
        """Model name -> the words that wake it (for docs, the GUI, `vaani doctor`)."""
        return {d.spec.name: d.spec.wake_word for d in self.detectors}

    def process(self, frame: np.ndarray, raw: bool = False) -> dict[str, float]:
        x = np.asarray(frame, dtype=np.float32)
        if x.ndim != 1:
            raise AudioFormatError(f"wake word engine takes mono audio, got shape {x.shape}")
        pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2").tobytes()
        out = {}
        for d in self.detectors:
            p = d.process(pcm)
            out[d.spec.name] = p if raw else scaled(p, d.spec.cutoff)
        return out

    def detect(self, scores: dict[str, float]) -> str | None:
        """The best wake word at or above the threshold, if any."""
        if not scores:
            return None
        name, score = max(scores.items(), key=lambda kv: kv[1])
        return name if score >= self.threshold else None

    def reset(self) -> None:
        for d in self.detectors:
            d.reset()


def create(ctx: EngineContext) -> MicroWakeWordEngine:
    opts = OPTIONS.check(ctx.options)
    names = list(dict.fromkeys([ctx.model or ctx.config.wake.model, *opts["extra_models"]]))
    specs = []
    for name in names:
        path = Path(ctx.models.file(name))          # a pack's main file: its model JSON
        key = Path(name).stem if Path(name).suffix in (".json", ".tflite") else name
        specs.append(read_model(key, path, opts["cutoff"]))
    return MicroWakeWordEngine(specs, threshold=ctx.config.wake.threshold)


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [EngineSpec("wake", "microwakeword", create,
                       "microWakeWord streaming models on TFLite (Apache-2.0; 30 ms frames)")]
