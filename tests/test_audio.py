"""Audio conversion, sources and sinks (sounddevice is mocked at its device list only)."""

import logging
import threading
import time
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from vaani import audio
from vaani.audio import (ArraySource, FileSource, MemorySink, StreamResampler, WavSink,
                         find_device, first_sound_index, list_devices, read_audio, resample,
                         to_pipeline)
from vaani.errors import AudioFormatError


def sine(rate, seconds=1.0, hz=440.0, level=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def dominant(x, rate=16000):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.argmax(spec) * rate / len(x)


@pytest.mark.parametrize("rate", [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000])
def test_any_rate_becomes_16k_with_pitch_and_length_kept(rate):
    out = to_pipeline(sine(rate, 1.0), rate)
    assert out.dtype == np.float32 and abs(len(out) - 16000) <= 1
    assert abs(dominant(out) - 440) < 5
    assert 0.45 < np.abs(out[2000:-2000]).max() < 0.55


@pytest.mark.parametrize("dtype, scale", [
    (np.int16, 32767), (np.int32, 2 ** 31 - 1), (np.float64, 1.0), (np.float32, 1.0)])
def test_sample_types_are_scaled_to_unit_range(dtype, scale):
    x = (sine(16000) * scale).astype(dtype)
    out = to_pipeline(x, 16000)
    assert out.dtype == np.float32 and 0.49 < np.abs(out).max() < 0.51


def test_uint8_is_unsigned_pcm():
    x = np.array([128, 255, 0, 128], np.uint8)
    assert np.allclose(to_pipeline(x, 16000), [0.0, 127 / 128, -1.0, 0.0])


def test_channels_are_mixed_to_mono():
    left, right = sine(16000, hz=300), sine(16000, hz=300) * 0.5
    out = to_pipeline(np.stack([left, right], axis=1), 16000)
    assert np.allclose(out, (left + right) / 2, atol=1e-6)
    with pytest.raises(AudioFormatError):
        to_pipeline(np.zeros((2, 2, 2)), 16000)


def test_stream_resampler_equals_whole_file_resampling():
    rng = np.random.default_rng(1)
    for rate in (44100, 48000, 22050, 8000):
        x = (rng.standard_normal(rate + 777) * 0.1).astype(np.float32)
        r = StreamResampler(rate)
        parts, i = [], 0
        while i < len(x):
            n = int(rng.integers(1, 4000))
            parts.append(r.process(x[i:i + n]))
            i += n
        parts.append(r.flush())
        streamed = np.concatenate(parts)
        whole = resample(x, rate)
        assert len(streamed) == len(whole)
        assert np.abs(streamed - whole).max() < 1e-5


@pytest.mark.parametrize("rate, channels, subtype", [
    (44100, 2, "PCM_16"), (48000, 1, "PCM_24"), (8000, 1, "PCM_U8"), (22050, 2, "FLOAT"),
    (16000, 1, "PCM_16")])
def test_wav_files_of_any_format_are_streamed_as_16k_mono(tmp_path, rate, channels, subtype):
    x = sine(rate, 1.5)
    data = np.stack([x] * channels, axis=1) if channels > 1 else x
    path = tmp_path / f"in_{rate}_{channels}.wav"
    sf.write(path, data, rate, subtype=subtype)
    src = FileSource(path, block_ms=32)
    assert (src.sample_rate, src.channels) == (rate, channels)
    blocks = list(src)
    out = np.concatenate(blocks)
    assert abs(len(out) - 24000) <= 2
    assert abs(dominant(out) - 440) < 5
    assert max(len(b) for b in blocks) <= 2 * 16000 * 0.032     # small blocks, never the file


def test_flac_and_ogg_are_read_too(tmp_path):
    for fmt in ("flac", "ogg"):
        path = tmp_path / f"x.{fmt}"
        sf.write(path, sine(22050), 22050)
        out = np.concatenate(list(FileSource(path)))
        assert abs(len(out) - 16000) <= 2


@pytest.mark.parametrize("content, message", [
    (b"", "not a readable audio file"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt garbage garbage garbage", "not a readable audio file"),
    (b"hello, I am a text file pretending to be audio\n" * 20, "not a readable audio file"),
    (bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)), "not a readable"),
])
def test_garbled_or_empty_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFormatError, match=message) as info:
        FileSource(path)
    assert "bad.wav" in str(info.value)


def test_a_wav_with_no_frames_says_so(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioFormatError, match="contains no audio"):
        FileSource(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(AudioFormatError, match="not found"):
        FileSource(tmp_path / "nope.wav")
    with pytest.raises(AudioFormatError, match="directory"):
        FileSource(tmp_path)


def test_a_truncated_file_is_read_up_to_the_damage(tmp_path):
    path = tmp_path / "cut.wav"
    sf.write(path, sine(16000, 2.0), 16000, subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])          # header says 2 s, 1 s is there
    out = np.concatenate(list(FileSource(path)))
    assert 0.9 * 16000 < len(out) <= 2 * 16000


def test_ten_minute_file_is_streamed_not_loaded(tmp_path):
    """8 kHz stereo int16, 10 minutes = 19 MB on disk, 38 MB as float32 at 16 kHz."""
    path = tmp_path / "long.wav"
    rate, minutes = 8000, 10
    with sf.SoundFile(path, "w", samplerate=rate, channels=2, subtype="PCM_16") as f:
        chunk = np.stack([sine(rate, 10.0, level=0.1)] * 2, axis=1)
        for _ in range(minutes * 6):
            f.write(chunk)
    src = FileSource(path, block_ms=32)
    assert src.duration == pytest.approx(600.0)
    tracemalloc.start()
    total = 0
    for block in src:
        total += len(block)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert abs(total - 600 * 16000) <= 2
    assert peak < 2_000_000, f"peak {peak} bytes: the file was not streamed"


def test_real_time_pacing(tmp_path):
    src = ArraySource(np.zeros(16000 // 2, np.float32), realtime=True, speed=2.0)
    t = time.monotonic()
    n = sum(len(b) for b in src)
    assert n == 8000
    assert 0.2 <= time.monotonic() - t < 1.0          # 0.5 s of audio at speed 2
    assert src.t0 is not None


def test_read_audio_and_first_sound(tmp_path):
    path = tmp_path / "x.wav"
    x = np.concatenate([np.zeros(800, np.float32), sine(16000, 0.2)])
    sf.write(path, x, 16000)
    y, rate = read_audio(path)
    assert rate == 16000 and len(y) == len(x)
    assert 800 <= first_sound_index(y) <= 805
    assert first_sound_index(np.zeros(100)) is None


# -- sinks --------------------------------------------------------------------------------


def test_wav_sink_writes_at_the_first_rate_and_converts_later_chunks(tmp_path):
    sink = WavSink(tmp_path / "out" / "reply.wav")
    sink.begin()
    sink.write(np.zeros(2205, np.float32), 22050)
    sink.write(sine(22050, 0.5), 22050)
    sink.write(sine(16000, 0.5), 16000)              # another voice at another rate
    sink.close()
    data, rate = sf.read(tmp_path / "out" / "reply.wav", dtype="float32")
    assert rate == 22050 and abs(len(data) - int(22050 * 1.1)) <= 2
    assert sink.first_sound_t is not None


def test_wav_sink_with_nothing_said_leaves_a_valid_empty_file(tmp_path):
    sink = WavSink(tmp_path / "silent.wav")
    sink.close()
    info = sf.info(tmp_path / "silent.wav")
    assert info.frames == 0


def test_memory_sink_plays_in_real_time_and_stops_at_once():
    sink = MemorySink(realtime=True, speed=4.0)
    sink.begin()
    sink.write(sine(16000, 4.0), 16000)               # 1 s of wall time at speed 4
    t = time.monotonic()
    threading.Timer(0.2, sink.stop).start()
    sink.drain()
    assert time.monotonic() - t < 0.5
    assert 0.5 < sink.heard_s < 1.6 and sink.stops == 1


# -- devices (sounddevice mocked at its device list) --------------------------------------


class FakeSd:
    def __init__(self, devices, default=(0, 1)):
        self.devices = devices

        class Default:
            device = default
        self.default = Default()

    def query_devices(self, device=None, kind=None):
        if device is None and kind is None:
            return self.devices
        return self.devices[device if device is not None else self.default.device[0 if kind == "input" else 1]]

    def query_hostapis(self):
        return [{"name": "ALSA"}]


DEVICES = [
    {"name": "HDA Intel PCH: ALC257 Analog", "hostapi": 0, "max_input_channels": 2,
     "max_output_channels": 2, "default_samplerate": 48000.0},
    {"name": "USB Headset Mono", "hostapi": 0, "max_input_channels": 1,
     "max_output_channels": 0, "default_samplerate": 44100.0},
    {"name": "HDMI 0", "hostapi": 0, "max_input_channels": 0, "max_output_channels": 8,
     "default_samplerate": 48000.0},
]


@pytest.fixture
def fake_sd(monkeypatch):
    sd = FakeSd(DEVICES)
    monkeypatch.setattr(audio, "_sounddevice", lambda: sd)
    return sd


def test_list_devices(fake_sd):
    rows = list_devices()
    assert [r["name"] for r in rows] == [d["name"] for d in DEVICES]
    assert rows[0]["default_input"] and rows[1]["inputs"] == 1 and rows[2]["outputs"] == 8


def test_device_by_name_substring_case_insensitive(fake_sd):
    assert find_device("usb headset", "input") == 1
    assert find_device("hdmi", "output") == 2
    assert find_device("", "input") is None


def test_unknown_or_wrong_kind_device_falls_back_with_a_warning(fake_sd, caplog):
    with caplog.at_level(logging.WARNING):
        assert find_device("Bluetooth", "input") is None
        assert find_device("HDMI", "input") is None       # HDMI has no input channels
    assert "no input device matches 'Bluetooth'" in caplog.text
    assert "USB Headset Mono" in caplog.text              # lists what is available


# -- microphone and speaker (sounddevice's streams replaced at the boundary) ---------------


class FakeStreams(FakeSd):
    """sounddevice with a 48 kHz-only microphone fed from an array by a thread, and a
    speaker whose callback is pulled by a thread like PortAudio's."""

    def __init__(self, mic_audio=None, rate=48000):
        super().__init__(DEVICES)
        self.mic_audio = mic_audio
        self.rate = rate
        self.played = []
        outer = self

        class InputStream:
            def __init__(self, device, samplerate, channels, dtype, blocksize, callback):
                self.callback, self.blocksize, self.samplerate = callback, blocksize, samplerate
                self.running = False

            def start(self):
                self.running = True
                threading.Thread(target=self._run, daemon=True).start()

            def _run(self):
                audio = outer.mic_audio
                for i in range(0, len(audio), self.blocksize):
                    if not self.running:
                        return
                    block = audio[i:i + self.blocksize].reshape(-1, 1)
                    self.callback(block, len(block), None, None)
                    time.sleep(self.blocksize / self.samplerate / 8)    # 8x real time

            def abort(self):
                self.running = False

            def close(self):
                pass

        class OutputStream:
            def __init__(self, device, samplerate, channels, dtype, latency, callback):
                self.callback, self.samplerate = callback, samplerate
                self.running = False

            def start(self):
                self.running = True
                threading.Thread(target=self._run, daemon=True).start()

            def _run(self):
                while self.running:
                    out = np.zeros((441, 1), np.float32)
                    self.callback(out, 441, None, None)
                    outer.played.append(out[:, 0].copy())
                    time.sleep(441 / self.samplerate / 8)

            def abort(self):
                self.running = False

            def close(self):
                pass

        self.InputStream, self.OutputStream = InputStream, OutputStream

    def check_input_settings(self, device=None, samplerate=None, **kw):
        if samplerate != self.rate:
            raise ValueError("Invalid sample rate")

    def check_output_settings(self, device=None, samplerate=None, **kw):
        if samplerate not in (22050, 44100, 48000):
            raise ValueError("Invalid sample rate")

    def query_devices(self, device=None, kind=None):
        if device is None and kind is None:
            return self.devices
        return {**self.devices[0], "default_samplerate": float(self.rate)}


def test_microphone_at_48k_is_delivered_as_16k_blocks(monkeypatch):
    tone = sine(48000, 1.0, hz=440.0)
    sd = FakeStreams(tone)
    monkeypatch.setattr(audio, "_sounddevice", lambda: sd)
    mic = audio.MicrophoneSource("", block_ms=32)
    assert mic.sample_rate == 48000                       # 16 kHz refused: converted here
    got = []
    for block in mic:
        got.append(block)
        if sum(len(b) for b in got) >= 15000:
            mic.close()
    out = np.concatenate(got)
    assert abs(dominant(out[2000:14000]) - 440) < 5
    assert mic.t0 is not None and mic.dropped == 0


def test_microphone_drops_the_oldest_audio_when_the_reader_stalls(monkeypatch):
    sd = FakeStreams(sine(48000, 3.0), rate=48000)
    monkeypatch.setattr(audio, "_sounddevice", lambda: sd)
    mic = audio.MicrophoneSource("", block_ms=32, max_queue_s=0.2)
    it = iter(mic)
    next(it)
    time.sleep(0.6)                                       # the reader is busy elsewhere
    mic.close()
    list(it)
    assert mic.dropped > 0


def test_speaker_plays_stops_at_once_and_drains(monkeypatch):
    sd = FakeStreams()
    monkeypatch.setattr(audio, "_sounddevice", lambda: sd)
    sink = audio.SpeakerSink("", latency_ms=10)
    sink.begin()
    sink.write(sine(22050, 0.2), 22050)
    sink.drain()                                          # returns once it has been played
    played = np.concatenate(sd.played)
    assert np.abs(played).max() > 0.4 and sink.first_sound_t is not None
    sink.write(sine(22050, 8.0), 22050)                   # 1 s at 8x
    time.sleep(0.1)
    sink.stop()
    n = len(sd.played)
    time.sleep(0.1)
    after = np.concatenate(sd.played[n + 1:])
    assert np.abs(after).max() == 0.0                     # silence right after stop()
    assert sink.level >= 0.0
    sink.close()
