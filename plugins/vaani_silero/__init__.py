"""Silero VAD v6 on onnxruntime: P(speech) for each 32 ms frame of 16 kHz audio.

Why not the ``silero-vad`` package: its helpers import torch, which the runtime must not.
The ONNX graph (``silero-vad`` pack, shipped inside faster-whisper) is an encoder over one
window plus an LSTM, so streaming needs two pieces of state that we keep ourselves:

* the last 64 samples of the previous frame, prepended to each 512-sample frame (the
  model was trained on 576-sample windows that overlap this way);
* the LSTM's ``h``/``c`` tensors, fed back on every call.

``reset()`` zeroes both, which is what a fresh stream (or the end of our own playback) needs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import AudioFormatError, EngineError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options

FRAME = 512          # samples per call at 16 kHz (32 ms)
CONTEXT = 64         # samples of the previous frame the model sees
STATE_SHAPE = (1, 1, 128)
OPTIONS = engine_options("vad", "silero", Option("threads", int, 1, "onnxruntime threads", min=1))


class SileroVad:
    """Stateful streaming VAD: one ``process(frame)`` per 512 samples, in order."""

    frame_samples = FRAME

    def __init__(self, model_path: str, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads    # a 32 ms frame is too small to split
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(model_path, sess_options=opts,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise EngineError(f"cannot load the Silero VAD model {model_path}: {exc}",
                              hint="vaani models install silero-vad --force") from exc
        names = [i.name for i in self.session.get_inputs()]
        if names != ["input", "h", "c"]:
            raise EngineError(f"{model_path} is not a Silero v6 VAD model (inputs {names})")
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros(STATE_SHAPE, np.float32)
        self._c = np.zeros(STATE_SHAPE, np.float32)
        self._context = np.zeros(CONTEXT, np.float32)

    def process(self, frame: np.ndarray) -> float:
        x = np.asarray(frame, dtype=np.float32)
        if x.shape != (FRAME,):
            raise AudioFormatError(f"Silero VAD takes {FRAME}-sample mono frames at 16 kHz, "
                                   f"got shape {x.shape}")
        window = np.concatenate([self._context, x])[None, :]
        prob, self._h, self._c = self.session.run(
            None, {"input": window, "h": self._h, "c": self._c})
        self._context = x[-CONTEXT:].copy()
        return float(np.asarray(prob).reshape(-1)[0])

    def probabilities(self, audio: np.ndarray) -> np.ndarray:
        """P(speech) for every whole frame of ``audio`` (continues the current stream)."""
        n = len(audio) // FRAME
        return np.array([self.process(audio[i * FRAME:(i + 1) * FRAME]) for i in range(n)],
                        dtype=np.float32)


def create(ctx: EngineContext) -> SileroVad:
    threads = OPTIONS.check(ctx.options)["threads"]
    model = ctx.model or "silero-vad"
    return SileroVad(str(ctx.models.file(model)), threads=threads)


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [EngineSpec("vad", "silero", create,
                       "Silero VAD v6 (ONNX, 32 ms frames, no torch)")]
