"""Audio in and out: sources, sinks, and conversion to the pipeline format.

The pipeline only ever sees float32 mono 16 kHz blocks. Everything else (a 44.1 kHz stereo
int16 WAV, a 48 kHz microphone, an MP3) is converted here, block by block, so that a long
file is streamed and never loaded whole. Sinks take float32 mono at the TTS engine's rate
and convert to their own rate.

Sinks also keep the time at which the first audible sample of a reply reaches the listener
(:attr:`AudioSink.first_sound_t`): that is the end point of the E2E latency
(architecture.md, "Latency").
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Iterator
from math import gcd
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from vaani.errors import AudioDeviceError, AudioFormatError

log = logging.getLogger(__name__)

RATE = 16000
# A sample counts as "sound" above this level (about -40 dBFS): used for trimming TTS lead-in
# and for the E2E end point.
SILENCE_LEVEL = 0.01


# -- conversion ---------------------------------------------------------------------------

def to_float32(samples: np.ndarray) -> np.ndarray:
    """Any integer or float PCM array -> float32 in [-1, 1] (channels kept)."""
    a = np.asarray(samples)
    if a.dtype == np.float32:
        return a
    if np.issubdtype(a.dtype, np.floating):
        return a.astype(np.float32)
    if a.dtype == np.uint8:                         # 8-bit WAV is unsigned
        return (a.astype(np.float32) - 128.0) / 128.0
    if np.issubdtype(a.dtype, np.signedinteger):
        return (a.astype(np.float32) / float(2 ** (8 * a.dtype.itemsize - 1)))
    if a.dtype == np.bool_:
        raise AudioFormatError("audio samples must be numbers, not booleans")
    raise AudioFormatError(f"unsupported sample type {a.dtype}")


def to_mono(samples: np.ndarray) -> np.ndarray:
    """(frames,) or (frames, channels) -> (frames,) by averaging channels."""
    if samples.ndim == 1:
        return samples
    if samples.ndim == 2:
        if samples.shape[1] == 1:
            return samples[:, 0]
        return samples.mean(axis=1, dtype=np.float32)
    raise AudioFormatError(f"audio must be 1-D or (frames, channels), got shape {samples.shape}")


class StreamResampler:
    """Polyphase resampling of a stream, block by block, equal to resampling it whole.

    ``scipy.signal.resample_poly`` has no state, so each block is resampled with enough
    real neighbouring input on both sides (``context``) that the filter never sees an
    artificial edge, and only the middle is kept. Block boundaries fall on multiples of the
    decimation factor so output samples line up exactly.
    """

    def __init__(self, rate_in: int, rate_out: int = RATE) -> None:
        if rate_in <= 0 or rate_out <= 0:
            raise AudioFormatError(f"invalid sample rate {rate_in}")
        g = gcd(int(rate_in), int(rate_out))
        self.up, self.down = int(rate_out) // g, int(rate_in) // g
        self.identity = self.up == self.down
        # the default resample_poly filter reaches 10*max(up, down) upsampled samples each side
        reach = -(-10 * max(self.up, self.down) // self.up) + 2
        self.context = -(-reach // self.down) * self.down
        self._buf = np.zeros(self.context, np.float32)   # left context starts as silence
        self._n_in = 0
        self._n_out = 0

    def process(self, block: np.ndarray) -> np.ndarray:
        block = np.asarray(block, np.float32)
        if self.identity:
            return block
        self._n_in += len(block)
        self._buf = np.concatenate([self._buf, block])
        ready = len(self._buf) - 2 * self.context
        ready -= ready % self.down
        if ready <= 0:
            return np.zeros(0, np.float32)
        out = self._resample(self._buf[: ready + 2 * self.context], ready)
        self._buf = self._buf[ready:]
        return out

    def flush(self) -> np.ndarray:
        """The rest of the stream (the end is treated as silence, like whole resampling)."""
        if self.identity:
            return np.zeros(0, np.float32)
        pending = len(self._buf) - self.context
        total = -(-self._n_in * self.up // self.down)       # ceil, as resample_poly
        if pending <= 0:
            return np.zeros(0, np.float32)
        pad = (-pending) % self.down
        buf = np.concatenate([self._buf, np.zeros(pad + self.context, np.float32)])
        out = self._resample(buf, pending + pad)
        excess = self._n_out - total            # the zero padding is not part of the stream
        if excess > 0:
            out = out[: len(out) - excess]
            self._n_out = total
        self._buf = np.zeros(self.context, np.float32)
        return out

    def _resample(self, buf: np.ndarray, middle: int) -> np.ndarray:
        from scipy.signal import resample_poly

        y = resample_poly(buf, self.up, self.down, window=_filter(self.up, self.down))
        start = self.context * self.up // self.down
        out = y[start: start + middle * self.up // self.down].astype(np.float32)
        self._n_out += len(out)
        return out


@functools.lru_cache(maxsize=16)
def _filter(up: int, down: int) -> np.ndarray:
    """resample_poly's own default filter, designed once (designing it costs more than
    filtering a 32 ms block)."""
    from scipy.signal import firwin

    max_rate = max(up, down)
    return firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0))


def resample(samples: np.ndarray, rate_in: int, rate_out: int = RATE) -> np.ndarray:
    """Resample a whole float32 mono array."""
    if rate_in == rate_out:
        return np.asarray(samples, np.float32)
    from scipy.signal import resample_poly

    g = gcd(int(rate_in), int(rate_out))
    up, down = rate_out // g, rate_in // g
    return resample_poly(samples, up, down, window=_filter(up, down)).astype(np.float32)


def to_pipeline(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Any array at any rate and channel count -> float32 mono 16 kHz."""
    a = np.asarray(samples)
    if a.size == 0:
        return np.zeros(0, np.float32)
    return resample(to_mono(to_float32(a)), sample_rate, RATE)


def first_sound_index(samples: np.ndarray, level: float = SILENCE_LEVEL) -> int | None:
    """Index of the first sample louder than ``level``; None if there is none."""
    loud = np.flatnonzero(np.abs(samples) > level)
    return int(loud[0]) if loud.size else None


def trim_leading_silence(samples: np.ndarray, sample_rate: int, keep_ms: float = 5.0,
                         level: float = SILENCE_LEVEL) -> np.ndarray:
    """Drop the silence a TTS voice puts before the first word (it is pure latency)."""
    i = first_sound_index(samples, level)
    if i is None:
        return samples[:0]
    return samples[max(0, i - int(sample_rate * keep_ms / 1000)):]


# -- sources ------------------------------------------------------------------------------

class AudioSource(Protocol):
    """An iterator of float32 mono 16 kHz blocks."""

    name: str
    sample_rate: int          # the rate of the underlying input (before conversion)
    channels: int
    realtime: bool            # True: blocks arrive at the pace they were captured

    @property
    def t0(self) -> float | None:
        """time.monotonic() of stream time 0 (set when iteration starts)."""

    def __iter__(self) -> Iterator[np.ndarray]: ...

    def close(self) -> None: ...


class _Pacer:
    """Releases block n no earlier than ``t0 + end_of_block_n / rate / speed``, like a mic."""

    def __init__(self, realtime: bool, speed: float) -> None:
        self.realtime = realtime
        self.speed = speed
        self.t0: float | None = None
        self.n = 0

    def start(self) -> float:
        self.t0 = time.monotonic()
        self.n = 0
        return self.t0

    def wait(self, n_samples: int) -> None:
        self.n += n_samples
        if self.realtime and self.t0 is not None:
            delay = self.t0 + self.n / RATE / self.speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)


class ArraySource:
    """An in-memory recording, at any rate / channel count / dtype."""

    def __init__(self, samples: np.ndarray, sample_rate: int = RATE, *, realtime: bool = False,
                 block_ms: int = 32, speed: float = 1.0, name: str = "array") -> None:
        a = np.asarray(samples)
        self.channels = 1 if a.ndim == 1 else int(a.shape[1])
        self.sample_rate = int(sample_rate)
        self.audio = to_pipeline(a, sample_rate)
        self.name = name
        self.realtime = realtime
        self.block = max(1, RATE * block_ms // 1000)
        self._pacer = _Pacer(realtime, speed)
        self._closed = False

    @property
    def t0(self) -> float | None:
        return self._pacer.t0

    @property
    def speed(self) -> float:
        return self._pacer.speed

    @property
    def duration(self) -> float:
        return len(self.audio) / RATE

    def __iter__(self) -> Iterator[np.ndarray]:
        self._pacer.start()
        for i in range(0, len(self.audio), self.block):
            if self._closed:
                return
            block = self.audio[i: i + self.block]
            self._pacer.wait(len(block))
            yield block

    def close(self) -> None:
        self._closed = True


class FileSource:
    """Any file libsndfile reads (WAV, FLAC, OGG, MP3...), streamed block by block.

    A ten-minute file is never held in memory: it is read, converted and yielded
    ``block_ms`` at a time. Problems with the file raise :class:`AudioFormatError` when
    the source is created, before the pipeline starts.
    """

    def __init__(self, path: str | Path, *, realtime: bool = False, block_ms: int = 32,
                 speed: float = 1.0) -> None:
        import soundfile as sf

        self.path = Path(path)
        self.name = str(path)
        self.realtime = realtime
        if not self.path.exists():
            raise AudioFormatError(f"audio file not found: {self.path}")
        if self.path.is_dir():
            raise AudioFormatError(f"{self.path} is a directory, not an audio file")
        try:
            info = sf.info(str(self.path))
        except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
            raise AudioFormatError(
                f"{self.path} is not a readable audio file ({_short(exc)})",
                hint="use a WAV, FLAC, OGG or MP3 file") from None
        if info.frames == 0 or info.samplerate <= 0:
            raise AudioFormatError(f"{self.path} contains no audio")
        self.sample_rate = int(info.samplerate)
        self.channels = int(info.channels)
        self.frames = int(info.frames)
        self.block_in = max(1, self.sample_rate * block_ms // 1000)
        self._pacer = _Pacer(realtime, speed)
        self._closed = False

    @property
    def t0(self) -> float | None:
        return self._pacer.t0

    @property
    def speed(self) -> float:
        return self._pacer.speed

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    def __iter__(self) -> Iterator[np.ndarray]:
        import soundfile as sf

        resampler = StreamResampler(self.sample_rate, RATE)
        self._pacer.start()
        try:
            with sf.SoundFile(str(self.path)) as f:
                while not self._closed:
                    try:
                        data = f.read(self.block_in, dtype="float32", always_2d=True)
                    except (sf.LibsndfileError, RuntimeError) as exc:
                        raise AudioFormatError(
                            f"{self.path} is damaged: reading stopped at "
                            f"{f.tell() / self.sample_rate:.1f} s ({_short(exc)})") from None
                    if len(data) == 0:
                        break
                    out = resampler.process(to_mono(data))
                    if len(out):
                        self._pacer.wait(len(out))
                        yield out
            tail = resampler.flush()
            if len(tail) and not self._closed:
                self._pacer.wait(len(tail))
                yield tail
        except (sf.LibsndfileError, RuntimeError) as exc:
            if isinstance(exc, AudioFormatError):
                raise
            raise AudioFormatError(f"cannot read {self.path}: {_short(exc)}") from None

    def close(self) -> None:
        self._closed = True


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a whole (short) file as float32 mono at its own rate. For tests and tools."""
    import soundfile as sf

    src = FileSource(path)            # same validation as streaming
    data, rate = sf.read(str(src.path), dtype="float32", always_2d=True)
    return to_mono(data), int(rate)


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> Path:
    import soundfile as sf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.asarray(samples, np.float32), int(sample_rate), subtype="PCM_16")
    return path


# -- devices ------------------------------------------------------------------------------

def _sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as exc:          # PortAudio library missing
        raise AudioDeviceError(f"audio devices unavailable: {exc}",
                               hint="install libportaudio2 (apt install libportaudio2)") from None
    return sd


def list_devices() -> list[dict[str, Any]]:
    """Every audio device: index, name, host API, channel counts, default rate, default flags."""
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        default_in, default_out = _defaults(sd)
        apis = sd.query_hostapis()
    except Exception as exc:  # PortAudio errors are plain Exceptions
        raise AudioDeviceError(f"cannot list audio devices: {exc}") from None
    rows = []
    for i, d in enumerate(devices):
        api = d.get("hostapi", 0)
        rows.append({
            "index": i, "name": d["name"],
            "hostapi": apis[api]["name"] if 0 <= api < len(apis) else "",
            "inputs": int(d["max_input_channels"]), "outputs": int(d["max_output_channels"]),
            "default_rate": float(d["default_samplerate"]),
            "default_input": i == default_in, "default_output": i == default_out,
        })
    return rows


def _defaults(sd: Any) -> tuple[int, int]:
    try:
        din, dout = sd.default.device
    except Exception:
        return -1, -1
    return (int(din) if din is not None else -1), (int(dout) if dout is not None else -1)


def find_device(name: str, kind: str) -> int | None:
    """Device index for ``name`` (case-insensitive substring) with ``kind`` channels.

    Empty name = the system default (None). A name that matches nothing falls back to the
    default with a warning, so an unplugged headset does not stop the assistant.
    """
    if not name:
        return None
    key = "inputs" if kind == "input" else "outputs"
    rows = [r for r in list_devices() if r[key] > 0]
    wanted = name.casefold()
    for r in rows:
        if r["name"].casefold() == wanted:
            return r["index"]
    for r in rows:
        if wanted in r["name"].casefold():
            return r["index"]
    available = ", ".join(r["name"] for r in rows) or "none"
    log.warning("no %s device matches %r; using the default (available: %s)", kind, name,
                available)
    return None


class MicrophoneSource:
    """The microphone, through a sounddevice InputStream whose callback fills a queue.

    The callback only copies; conversion happens in the reading thread. If the reader falls
    behind by more than ``max_queue_s`` the oldest blocks are dropped (and counted) rather
    than letting memory grow.
    """

    realtime = True

    def __init__(self, device: str = "", *, block_ms: int = 32, max_queue_s: float = 5.0) -> None:
        sd = _sounddevice()
        self.device = find_device(device, "input")
        try:
            info = sd.query_devices(self.device, "input")
        except Exception as exc:
            raise AudioDeviceError(f"no microphone available: {exc}",
                                   hint="check `vaani devices` and audio.input_device") from None
        self.name = f"mic:{info['name']}"
        self.channels = 1
        try:
            sd.check_input_settings(device=self.device, samplerate=RATE, channels=1,
                                    dtype="float32")
            self.sample_rate = RATE
        except Exception:
            self.sample_rate = int(info["default_samplerate"])
        self.block_in = max(1, self.sample_rate * block_ms // 1000)
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(
            maxsize=max(4, int(max_queue_s * 1000 / block_ms)))
        self.dropped = 0
        self.status_flags = 0
        self.t0: float | None = None
        self._stream: Any = None
        self._closed = threading.Event()

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status:
            self.status_flags += 1
        try:
            self._queue.put_nowait(indata[:, 0].copy())
        except queue.Full:
            self.dropped += 1
            try:
                self._queue.get_nowait()
                self._queue.put_nowait(indata[:, 0].copy())
            except (queue.Empty, queue.Full):
                pass

    def __iter__(self) -> Iterator[np.ndarray]:
        sd = _sounddevice()
        resampler = StreamResampler(self.sample_rate, RATE)
        try:
            self._stream = sd.InputStream(
                device=self.device, samplerate=self.sample_rate, channels=1, dtype="float32",
                blocksize=self.block_in, callback=self._callback)
            self._stream.start()
        except Exception as exc:
            raise AudioDeviceError(f"cannot open the microphone: {exc}",
                                   hint="check `vaani devices` and audio.input_device") from None
        self.t0 = time.monotonic()
        try:
            while not self._closed.is_set():
                try:
                    block = self._queue.get(timeout=0.5)
                except queue.Empty:
                    continue
                if block is None:
                    break
                out = resampler.process(block)
                if len(out):
                    yield out
        finally:
            self._stop_stream()

    def _stop_stream(self) -> None:
        if self._stream is not None:
            try:
                self._stream.abort()
                self._stream.close()
            except Exception:
                pass
            self._stream = None

    def close(self) -> None:
        self._closed.set()
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass


# -- sinks --------------------------------------------------------------------------------

class AudioSink:
    """Where replies go. ``write`` never blocks for long; ``stop`` silences at once.

    ``begin()`` marks the start of a reply: the next audible sample written sets
    :attr:`first_sound_t`, the monotonic time it reaches the listener.
    """

    name = "sink"
    latency_s = 0.0
    rate: int | None = None
    level = 0.0               # RMS of what is playing now (0 for files: nothing is heard)

    def __init__(self) -> None:
        self.first_sound_t: float | None = None
        self._armed = False

    def begin(self) -> None:
        self.first_sound_t = None
        self._armed = True

    def write(self, samples: np.ndarray, sample_rate: int) -> None:
        samples = np.asarray(samples, np.float32)
        if self.rate is None:
            self.rate = int(sample_rate)
            self._open(self.rate)
        if sample_rate != self.rate:
            samples = resample(samples, sample_rate, self.rate)
        if self._armed and len(samples):
            i = first_sound_index(samples)
            if i is not None:
                self._armed = False
                self.first_sound_t = self._play_time(i / self.rate)
        self._write(samples)

    # to override
    def _open(self, rate: int) -> None:
        pass

    def _play_time(self, offset_s: float) -> float:
        """When the sample ``offset_s`` into the block being written will be heard."""
        return time.monotonic() + offset_s + self.latency_s

    def _write(self, samples: np.ndarray) -> None:
        pass

    def drain(self, cancel: threading.Event | None = None) -> None:
        """Block until everything written has been heard (or ``cancel`` is set)."""

    def stop(self) -> None:
        """Silence now and drop what is queued."""

    def close(self) -> None:
        pass


class NullSink(AudioSink):
    name = "null"


class MemorySink(AudioSink):
    """Keeps what was written; optionally "plays" it in real time (for pipeline tests).

    With ``realtime`` the sink behaves like a speaker: audio takes its duration (divided by
    ``speed``) to play, ``drain`` waits for that, and ``stop`` cuts it, recording how much
    was heard.
    """

    name = "memory"

    def __init__(self, realtime: bool = False, speed: float = 1.0) -> None:
        super().__init__()
        self.realtime = realtime
        self.speed = speed
        self.chunks: list[np.ndarray] = []
        self.stops = 0
        self.heard_s = 0.0
        self._lock = threading.Lock()
        self._play_end = 0.0           # monotonic time the queued audio finishes playing
        self._queued_s = 0.0

    @property
    def audio(self) -> np.ndarray:
        with self._lock:
            return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)

    def _play_time(self, offset_s: float) -> float:
        now = time.monotonic()
        if self.realtime:
            return max(now, self._play_end) + offset_s / self.speed
        return now

    def _write(self, samples: np.ndarray) -> None:
        with self._lock:
            self.chunks.append(samples)
            if self.realtime and self.rate:
                now = time.monotonic()
                if self._play_end < now:
                    self._play_end = now
                self._play_end += len(samples) / self.rate / self.speed

    def drain(self, cancel: threading.Event | None = None) -> None:
        while self.realtime:
            with self._lock:
                left = self._play_end - time.monotonic()
            if left <= 0 or (cancel is not None and cancel.is_set()):
                return
            time.sleep(min(left, 0.01))

    def stop(self) -> None:
        with self._lock:
            self.stops += 1
            now = time.monotonic()
            if self._play_end > now:
                cut = (self._play_end - now) * self.speed
                self.heard_s = max(0.0, self.duration_s() - cut)
                self._play_end = now
            self._armed = False

    def duration_s(self) -> float:
        return sum(len(c) for c in self.chunks) / self.rate if self.rate else 0.0


class WavSink(AudioSink):
    """Writes the reply to a WAV file (16-bit PCM) at the rate of the first audio written."""

    name = "wav"

    def __init__(self, path: str | Path, sample_rate: int | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.rate = sample_rate
        self._file: Any = None
        self.frames = 0
        if sample_rate:
            self._open(sample_rate)

    def _open(self, rate: int) -> None:
        import soundfile as sf

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._file = sf.SoundFile(str(self.path), "w", samplerate=rate, channels=1,
                                      subtype="PCM_16", format="WAV")
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise AudioFormatError(f"cannot write {self.path}: {_short(exc)}") from None

    def _write(self, samples: np.ndarray) -> None:
        self._file.write(np.clip(samples, -1.0, 1.0))
        self.frames += len(samples)

    def close(self) -> None:
        if self._file is None:          # nothing was said: still leave a valid, empty WAV
            self._open(self.rate or 22050)
        self._file.close()


class SpeakerSink(AudioSink):
    """The speaker, through a sounddevice OutputStream pulling from a small buffer.

    ``stop`` empties the buffer under a lock, so the callback plays silence from its very
    next block: barge-in is heard at once, not after the queued reply.
    """

    name = "speaker"

    def __init__(self, device: str = "", *, latency_ms: int = 40) -> None:
        super().__init__()
        self._sd = _sounddevice()
        self.device = find_device(device, "output")
        self.latency_s = latency_ms / 1000
        self.level = 0.0
        self._pending: list[np.ndarray] = []
        self._offset = 0
        self._queued = 0
        self._lock = threading.Lock()
        self._stream: Any = None

    def _open(self, rate: int) -> None:
        try:
            self._sd.check_output_settings(device=self.device, samplerate=rate, channels=1,
                                           dtype="float32")
        except Exception:
            info = self._sd.query_devices(self.device, "output")
            self.rate = int(info["default_samplerate"])

    def _ensure_stream(self) -> None:
        if self._stream is not None:
            return
        try:
            self._stream = self._sd.OutputStream(
                device=self.device, samplerate=self.rate, channels=1, dtype="float32",
                latency=self.latency_s, callback=self._callback)
            self._stream.start()
        except Exception as exc:
            self._stream = None
            raise AudioDeviceError(f"cannot open the speaker: {exc}",
                                   hint="check `vaani devices` and audio.output_device") from None

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        out = outdata[:, 0]
        filled = 0
        with self._lock:
            while filled < frames and self._pending:
                head = self._pending[0]
                take = min(frames - filled, len(head) - self._offset)
                out[filled: filled + take] = head[self._offset: self._offset + take]
                filled += take
                self._offset += take
                if self._offset >= len(head):
                    self._pending.pop(0)
                    self._offset = 0
            self._queued -= filled
        out[filled:] = 0.0
        # what the room hears now: the barge-in detector compares the mic against it
        block_rms = float(np.sqrt(np.mean(np.square(out)))) if frames else 0.0
        self.level = 0.6 * self.level + 0.4 * block_rms

    def _play_time(self, offset_s: float) -> float:
        with self._lock:
            queued_s = self._queued / self.rate if self.rate else 0.0
        return time.monotonic() + queued_s + offset_s + self.latency_s

    def _write(self, samples: np.ndarray) -> None:
        self._ensure_stream()
        with self._lock:
            self._pending.append(samples)
            self._queued += len(samples)

    def drain(self, cancel: threading.Event | None = None) -> None:
        while True:
            with self._lock:
                left = self._queued
            if left <= 0 or (cancel is not None and cancel.is_set()):
                break
            time.sleep(0.01)
        if not (cancel is not None and cancel.is_set()):
            time.sleep(self.latency_s)      # the device buffer still has to play out

    def stop(self) -> None:
        with self._lock:
            self._pending.clear()
            self._offset = 0
            self._queued = 0
            self._armed = False

    def close(self) -> None:
        self.stop()
        if self._stream is not None:
            try:
                self._stream.abort()
                self._stream.close()
            except Exception:
                pass
            self._stream = None
