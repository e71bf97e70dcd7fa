"""Piper TTS (piper-tts 1.8): neural English voice, one float32 chunk per sentence.

The voice is a model pack (``piper-en-joe``) or any imported Piper voice: a pack name or a
path to the ``.onnx`` (its ``.onnx.json`` next to it), passed as the voice part of
``tts.voices`` (``en = "piper:piper-en-joe"``). We build the onnxruntime session ourselves
instead of ``PiperVoice.load`` so the thread count is ours to choose.

Options (``[tts.options.piper]``; flat keys in ``[tts.options]`` are accepted too, tables
named after other engines are left to them):
``length_scale`` (default 1/tts.speed), ``noise_scale`` and ``noise_w_scale`` (0 makes the
output deterministic, which fixtures need), ``speaker_id``, ``volume``, ``threads``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import ConfigError, EngineError, ModelCorruptError, ModelMissingError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options, own_table

NAME = "piper"
DEFAULT_VOICE = "piper-en-joe"
OPTIONS = engine_options(
    "tts", NAME,
    Option("length_scale", float, None, "speech length (default 1/tts.speed)", min=0),
    Option("noise_scale", float, None, "voice variation (0: deterministic)", min=0),
    Option("noise_w_scale", float, None, "timing variation (0: deterministic)", min=0),
    Option("volume", float, 1.0, "loudness factor", min=0),
    Option("speaker_id", int, None, "speaker of a multi-speaker voice", min=0),
    Option("threads", int, 0, "onnxruntime threads (0: all cores)", min=0),
    kind="TTS")


def find_voice(path: Path) -> tuple[Path, Path]:
    """(model.onnx, config.json) from a pack directory or an ``.onnx`` path."""
    if path.is_dir():
        onnx = sorted(path.glob("*.onnx"))
        if len(onnx) != 1:
            raise ModelCorruptError(f"{path} should hold exactly one Piper .onnx voice, "
                                    f"found {len(onnx)}")
        path = onnx[0]
    config = path.with_name(path.name + ".json")
    if not path.is_file():
        raise ModelMissingError(f"Piper voice not found: {path}")
    if not config.is_file():
        raise ModelCorruptError(f"Piper voice {path.name} has no {config.name} next to it",
                                hint="import the voice with its .onnx.json file")
    return path, config


class PiperTts:
    """``process(text)`` yields one float32 array per sentence, as soon as it is ready."""

    def __init__(self, model: Path, config: Path, *, length_scale: float | None = None,
                 noise_scale: float | None = None, noise_w_scale: float | None = None,
                 speaker_id: int | None = None, volume: float = 1.0, threads: int = 0) -> None:
        import onnxruntime as ort
        from piper import PiperVoice
        from piper.config import PiperConfig, SynthesisConfig

        try:
            with open(config, encoding="utf-8") as f:
                voice_config = PiperConfig.from_dict(json.load(f))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelCorruptError(f"bad Piper voice config {config}: {exc}") from exc
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            session = ort.InferenceSession(str(model), sess_options=opts,
                                           providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelCorruptError(f"cannot load Piper voice {model}: {exc}") from exc
        self.voice = PiperVoice(session=session, config=voice_config)
        self.sample_rate = int(voice_config.sample_rate)
        self.name = model.stem
        self.synthesis = SynthesisConfig(speaker_id=speaker_id, length_scale=length_scale,
                                         noise_scale=noise_scale, noise_w_scale=noise_w_scale,
                                         volume=volume)

    def process(self, text: str, language: str = "") -> Iterator[np.ndarray]:
        if not text or not text.strip():
            return
        try:
            chunks = self.voice.synthesize(text, self.synthesis)
            for chunk in chunks:
                audio = np.asarray(chunk.audio_float_array, dtype=np.float32)
                if len(audio):
                    yield audio
        except EngineError:
            raise
        except Exception as exc:   # phonemizer / onnx failures on odd input
            raise EngineError(f"Piper could not speak {text[:40]!r}: {exc}") from exc

    def reset(self) -> None:
        """Stateless between clauses."""


def create(ctx: EngineContext) -> PiperTts:
    opts = OPTIONS.check(own_table(ctx.options, NAME))
    speed = ctx.config.tts.speed
    if speed <= 0:
        raise ConfigError(f"tts.speed must be positive, got {speed}")
    length_scale = opts["length_scale"]
    if length_scale is None and speed != 1.0:
        length_scale = 1.0 / speed
    voice = ctx.voice or ctx.model or DEFAULT_VOICE
    model, config = find_voice(Path(ctx.models.file(voice)))
    return PiperTts(model, config, length_scale=length_scale,
                    noise_scale=opts["noise_scale"], noise_w_scale=opts["noise_w_scale"],
                    speaker_id=opts["speaker_id"], volume=opts["volume"], threads=opts["threads"])


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    # any language: the voice decides (piper-en-joe is English; imported voices may be Hindi)
    return [EngineSpec("tts", NAME, create, "Piper neural TTS (packaged or imported voices)")]
