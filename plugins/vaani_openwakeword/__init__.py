"""openWakeWord (0.6.0) wake words on onnxruntime: one score per model every 80 ms.

openwakeword 0.6.0 ships no models and its downloader needs the internet, so every file
comes from model packs: the shared feature extractors (``oww-features``: melspectrogram and
speech-embedding ONNX, language-agnostic) and one or more wake word heads
(``wake.model``, default ``wake-hey-jarvis``; more in ``wake.options.extra_models``).

Two details the library leaves to the caller:
* it expects int16-scaled samples, while the pipeline carries float32 in [-1, 1];
* its ``reset()`` seeds the feature history with *random* audio (global numpy RNG), which
  makes scores differ from run to run. We compute that history once from a seeded
  generator and restore it on every reset, so the same audio always gives the same scores.
``reset()`` must be called after our own TTS has played, or the tail of a reply that
sounded like the wake word could fire it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import AudioFormatError, EngineError, ModelCorruptError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options

FRAME = 1280                     # 80 ms at 16 kHz: the rate at which scores are produced
FEATURES = "oww-features"
OPTIONS = engine_options(
    "wake", "openwakeword",
    Option("extra_models", list, [], "more wake-word models listened for (names or paths)",
           expect="a list of model names or paths",
           test=lambda v: all(isinstance(m, str) and m for m in v)),
    Option("threads", int, 1, "onnxruntime threads", min=1))


class OpenWakeWord:
    """``process(frame)`` -> ``{wake word: score}``; ``detect(scores)`` applies the threshold."""

    frame_samples = FRAME

    def __init__(self, models: dict[str, Path], features_dir: Path, threshold: float = 0.5,
                 threads: int = 1) -> None:
        from openwakeword.model import Model

        mel = features_dir / "melspectrogram.onnx"
        emb = features_dir / "embedding_model.onnx"
        for f in (mel, emb):
            if not f.is_file():
                raise ModelCorruptError(f"{f.name} missing from {features_dir}",
                                        hint=f"vaani models install {FEATURES} --force")
        try:
            self.model = Model(wakeword_models=[str(p) for p in models.values()],
                               inference_framework="onnx", melspec_model_path=str(mel),
                               embedding_model_path=str(emb), ncpu=threads)
        except Exception as exc:
            raise EngineError(f"openWakeWord could not load {list(models)}: {exc}") from exc
        # the library names a model after its file stem; we report the configured names
        stems = {Path(p).stem: name for name, p in models.items()}
        self._names = {stem: stems.get(stem, stem) for stem in self.model.models}
        self.threshold = threshold
        rng = np.random.default_rng(0)
        noise = rng.integers(-1000, 1000, 16000 * 4).astype(np.int16)
        self._initial_features = self.model.preprocessor._get_embeddings(noise)
        self.reset()

    @property
    def names(self) -> list[str]:
        return list(self._names.values())

    def reset(self) -> None:
        self.model.reset()
        self.model.preprocessor.feature_buffer = self._initial_features.copy()

    def process(self, frame: np.ndarray) -> dict[str, float]:
        x = np.asarray(frame, dtype=np.float32)
        if x.ndim != 1:
            raise AudioFormatError(f"wake word engine takes mono audio, got shape {x.shape}")
        pcm = np.clip(x * 32767.0, -32768, 32767).astype(np.int16)
        scores = self.model.predict(pcm)
        return {self._names.get(k, k): float(v) for k, v in scores.items()}

    def detect(self, scores: dict[str, float]) -> str | None:
        """The best wake word at or above the threshold, if any."""
        if not scores:
            return None
        name, score = max(scores.items(), key=lambda kv: kv[1])
        return name if score >= self.threshold else None


def create(ctx: EngineContext) -> OpenWakeWord:
    opts = OPTIONS.check(ctx.options)
    extra, threads = opts["extra_models"], opts["threads"]
    names = list(dict.fromkeys([ctx.model or ctx.config.wake.model, *extra]))
    models: dict[str, Path] = {}
    for name in names:
        path = Path(ctx.models.file(name))
        if path.is_dir():
            onnx = sorted(path.glob("*.onnx"))
            if len(onnx) != 1:
                raise ModelCorruptError(f"{path} should hold one wake word .onnx, found {len(onnx)}")
            path = onnx[0]
        key = Path(name).stem if Path(name).suffix == ".onnx" else name
        models[key] = path
    return OpenWakeWord(models, Path(ctx.models.path(FEATURES)),
                        threshold=ctx.config.wake.threshold, threads=threads)


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [EngineSpec("wake", "openwakeword", create,
                       "openWakeWord heads on the shared ONNX feature models (80 ms frames)")]
