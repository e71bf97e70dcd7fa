"""Smart Turn v3.2: has the speaker finished? P(turn complete) from the last 8 s of audio.

A silence hangover alone either cuts people off mid-thought (short) or makes every turn
slow (long). Smart Turn looks at the prosody and wording of the utterance so far and says
whether it sounds finished, so the pipeline can act after a short pause when it does and
wait when it does not. The ONNX model (``smart-turn`` pack, from pipecat-ai's wheel) is a
Whisper-encoder classifier; its input is Whisper-style log-mel features of exactly 8 s
(shorter audio is padded with silence *before* it), computed here in numpy so the
assistant depends on neither transformers nor pipecat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import AudioFormatError, EngineError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options

RATE = 16000
WINDOW_S = 8
N_SAMPLES = RATE * WINDOW_S      # 128000
N_FFT = 400                      # 25 ms
HOP = 160                        # 10 ms
N_MELS = 80
OPTIONS = engine_options("end_of_turn", "smart-turn",
                         Option("threads", int, 1, "onnxruntime threads", min=1))


# -- Whisper log-mel features ---------------------------------------------------------------

def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney mel scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) * (27.0 / np.log(6.4))
    return np.where(hz < 1000.0, hz * 3.0 / 200.0, log_part)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel < 15.0, mel * 200.0 / 3.0,
                    1000.0 * np.exp((mel - 15.0) * (np.log(6.4) / 27.0)))


def mel_filterbank(rate: int = RATE, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """(n_mels, n_fft//2+1) triangular filters on the Slaney scale, area-normalised (the
    filterbank Whisper was trained with)."""
    fft_hz = np.linspace(0.0, rate / 2, n_fft // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(rate / 2), n_mels + 2))
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (fft_hz[None, :] - lower) / (centre - lower)
    falling = (upper - fft_hz[None, :]) / (upper - centre)
    tri = np.maximum(0.0, np.minimum(rising, falling))
    return tri * (2.0 / (upper - lower))


_FILTERS = mel_filterbank()
_WINDOW = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)   # periodic Hann


def fit_window(audio: np.ndarray, n: int = N_SAMPLES) -> np.ndarray:
    """The last ``n`` samples; shorter audio gets leading zeros (silence before speech)."""
    x = np.asarray(audio, dtype=np.float32)
    if len(x) >= n:
        return x[len(x) - n:]
    return np.concatenate([np.zeros(n - len(x), np.float32), x])


def log_mel(audio: np.ndarray, normalize: bool = True) -> np.ndarray:
    """Whisper-style log-mel features (80, len/160) of ``audio`` (16 kHz).

    Steps, as the model expects: optional zero-mean unit-variance waveform; centred STFT
    (reflect padding, periodic Hann, 400-point FFT every 160 samples); power; mel; log10
    floored at 1e-10; the last frame dropped; values clamped to 8 (log10 units) below the
    maximum; then scaled by (x + 4) / 4.
    """
    x = np.asarray(audio, dtype=np.float32)
    if normalize:
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    frames = sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=-1)) ** 2       # (T, 201)
    mel = power @ _FILTERS.T                                         # (T, 80)
    spec = np.log10(np.maximum(mel, 1e-10)).T[:, :-1]
    spec = np.maximum(spec, spec.max() - 8.0)
    return ((spec + 4.0) / 4.0).astype(np.float32)


# -- the engine -----------------------------------------------------------------------------

class SmartTurn:
    """``process(utterance so far)`` -> P(the speaker has finished). Stateless."""

    def __init__(self, model_path: str, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(model_path, sess_options=opts,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise EngineError(f"cannot load the Smart Turn model {model_path}: {exc}",
                              hint="vaani models install smart-turn --force") from exc
        inputs = self.session.get_inputs()
        if [i.name for i in inputs] != ["input_features"] or inputs[0].shape[1:] != [N_MELS, 800]:
            raise EngineError(f"{model_path} is not a Smart Turn v3 model")

    def features(self, audio: np.ndarray) -> np.ndarray:
        x = np.asarray(audio, dtype=np.float32)
        if x.ndim != 1:
            raise AudioFormatError(f"Smart Turn takes mono 16 kHz audio, got shape {x.shape}")
        return log_mel(fit_window(x))

    def process(self, audio: np.ndarray) -> float:
        feats = self.features(audio)[None]
        (out,) = self.session.run(None, {"input_features": feats})
        return float(np.asarray(out).reshape(-1)[0])    # the graph ends in a sigmoid

    def reset(self) -> None:
        """Stateless: each call sees the whole utterance so far."""


def create(ctx: EngineContext) -> SmartTurn:
    threads = OPTIONS.check(ctx.options)["threads"]
    return SmartTurn(str(ctx.models.file(ctx.model or "smart-turn")), threads=threads)


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [EngineSpec("end_of_turn", "smart-turn", create,
                       "Smart Turn v3.2 (ONNX): semantic end of turn from the last 8 s")]
