"""A thin, typed layer over llama-cpp-python's low-level (ctypes) API.

Why not ``llama_cpp.Llama``: speculative decoding needs what the high-level class hides
(logits for every position of a batch, several sequences, ``n_rs_seq`` rollback and partial
state checkpoints), and its own draft support ignores the result of ``seq_rm``, which silently
corrupts recurrent state. Everything here is a direct call into llama.cpp; the decoding
logic lives in :mod:`vaani.llm.generate` and :mod:`vaani.llm.speculative`.

No network, no hub names: a model is a local GGUF path.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vaani.errors import EngineError, ModelCorruptError, ModelMissingError

log = logging.getLogger(__name__)

ABORTABLE = 64               # batches at least this long can be stopped mid-way by ``cancel``
_init_lock = threading.Lock()
_initialised = False
_log_callback = None          # keep the ctypes callback alive for the life of the process


def _llama():
    """Import llama_cpp lazily (it loads a shared library) and initialise it once."""
    global _initialised, _log_callback
    # llama.cpp's CPU backend runs on OpenMP; by default its idle workers spin after every
    # decode, stealing the core that Python needs for sampling, the HTTP server or the audio
    # pipeline. On 2 cores that made a served request 4-10x slower than a direct one;
    # passive waiting costs nothing measurable per decode. (Read once, when libgomp loads.)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import llama_cpp

    with _init_lock:
        if not _initialised:
            @llama_cpp.llama_log_callback
            def _route(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
                # llama.cpp is chatty on stderr; its messages go to our logger instead
                # (errors stay visible; warnings and the rest only with -vv).
                # ggml levels: 1 debug, 2 info, 3 warn, 4 error, 5 continuation
                msg = text.decode("utf-8", "replace").rstrip()
                if msg:
                    log.log(logging.ERROR if level == 4 else logging.DEBUG, "%s", msg)

            _log_callback = _route
            llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
            llama_cpp.llama_backend_init()
            _initialised = True
    return llama_cpp


# Below this size a model decodes fastest on one thread: waking a second (passively
# waiting) OpenMP thread costs more than its half of the work (Chimera, 8 MB, on 2 cores:
# 1495 tokens/s on one thread, 153 on two; `vaani bench speculative --threads 1|2`).
SMALL_MODEL_BYTES = 32 * 1024 * 1024


def default_threads(threads: int = 0, model_bytes: int | None = None) -> int:
    """``0`` means every core this process may use, or one for a small model."""
    if threads > 0:
        return threads
    if model_bytes is not None and model_bytes < SMALL_MODEL_BYTES:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:       # not Linux
        return max(1, os.cpu_count() or 1)


@functools.cache
def cpu_has_amx(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Does this CPU have Intel AMX (Xeon since Sapphire Rapids)? Read from ``cpuinfo``;
    False where that cannot be read."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return "amx_int8" in line.split()
    except OSError:
        pass
    return False


def _set_extra_bufts(params, wanted: bool, name: str) -> bool:
    """Let llama.cpp use its extra buffer types (repacked weights, AMX) for a model when
    ``wanted``, except on an AMX CPU: llama.cpp b11312's AMX matrix kernel crashes the
    process on Chimera's first decode (SIGSEGV in ggml_backend_amx_mul_mat; SmolLM2 runs),
    so there the weights stay as stored. Returns what was set."""
    if wanted and cpu_has_amx():
        log.info("AMX CPU: loading %s without llama.cpp's extra buffer types", name)
        wanted = False
    if hasattr(params, "use_extra_bufts"):
        params.use_extra_bufts = wanted
    return wanted


_defaults_lock = threading.Lock()


def open_llama(path: str | Path, **kw):
    """``llama_cpp.Llama(path, **kw)`` (the high-level class, for the training tools) with
    :class:`LlamaModel`'s AMX guard (:func:`_set_extra_bufts`). ``Llama`` has no argument for
    it: its default model parameters are swapped while it loads."""
    _llama()
    import llama_cpp
    import llama_cpp.llama_cpp as low

    with _defaults_lock:
        original = low.llama_model_default_params

        def guarded():
            params = original()
            _set_extra_bufts(params, bool(getattr(params, "use_extra_bufts", True)),
                             Path(path).name)
            return params

        low.llama_model_default_params = guarded
        try:
            return llama_cpp.Llama(model_path=str(path), **kw)
        finally:
            low.llama_model_default_params = original


class LlamaModel:
    """A loaded GGUF: weights, vocabulary, chat template. Shared by every context on it."""

    def __init__(self, path: str | Path, *, repack: bool = True) -> None:
        """``repack``: let llama.cpp repack the weights for its faster CPU kernels (on x86,
        K-quants go to an interleaved layout). Faster, but a batch of 4 or more tokens then
        goes through a matrix kernel that rounds differently from the one-token kernel, so
        batched logits differ slightly from one-by-one logits (batches of up to 3 do not).
        Without repacking every batch size gives bit-identical logits, at some speed."""
        L = _llama()
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelMissingError(f"GGUF model not found: {self.path}")
        params = L.llama_model_default_params()
        params.n_gpu_layers = 0
        self.repack = _set_extra_bufts(params, repack, self.path.name)
        ptr = L.llama_model_load_from_file(str(self.path).encode(), params)
        if not ptr:
            raise ModelCorruptError(f"llama.cpp could not load {self.path}",
                                    hint="re-install the model pack; run with -vv for details")
        self._L = L
        self.ptr = ptr
        self.vocab = L.llama_model_get_vocab(ptr)
        self.n_vocab = int(L.llama_vocab_n_tokens(self.vocab))
        self.n_ctx_train = int(L.llama_model_n_ctx_train(ptr))
        self.recurrent = bool(L.llama_model_is_recurrent(ptr)) or bool(L.llama_model_is_hybrid(ptr))
        self.name = self.meta("general.name") or self.path.stem
        self.architecture = self.meta("general.architecture") or ""
        self.add_bos = bool(L.llama_vocab_get_add_bos(self.vocab))
        self.bos = int(L.llama_vocab_bos(self.vocab))
        self.eos = int(L.llama_vocab_eos(self.vocab))
        self._pieces: dict[int, bytes] = {}
        self._buf = ctypes.create_string_buffer(256)
        tmpl = L.llama_model_chat_template(ptr, None)
        self.chat_template: str | None = tmpl.decode("utf-8") if tmpl else None

    def meta(self, key: str) -> str | None:
        buf = ctypes.create_string_buffer(4096)
        n = self._L.llama_model_meta_val_str(self.ptr, key.encode(), buf, len(buf))
        return buf.value.decode("utf-8", "replace") if n >= 0 else None

    def is_eog(self, token: int) -> bool:
        return bool(self._L.llama_vocab_is_eog(self.vocab, token))

    def tokenize(self, text: str, *, add_special: bool = True, parse_special: bool = True) -> list[int]:
        data = text.encode("utf-8")
        cap = len(data) + 16
        arr = (self._L.llama_token * cap)()
        n = self._L.llama_tokenize(self.vocab, data, len(data), arr, cap, add_special, parse_special)
        if n < 0:                                   # cannot happen with cap > bytes, but be safe
            arr = (self._L.llama_token * -n)()
            n = self._L.llama_tokenize(self.vocab, data, len(data), arr, -n, add_special,
                                       parse_special)
        return list(arr[:n])

    def piece(self, token: int, special: bool = False) -> bytes:
        """The bytes of one token (control tokens render empty unless ``special``)."""
        key = token if not special else -1 - token
        cached = self._pieces.get(key)
        if cached is not None:
            return cached
        n = self._L.llama_token_to_piece(self.vocab, token, self._buf, len(self._buf), 0, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = self._L.llama_token_to_piece(self.vocab, token, buf, len(buf), 0, special)
            out = buf.raw[:n]
        else:
            out = self._buf.raw[:n]
        self._pieces[key] = out
        return out

    @functools.cached_property
    def eog_ids(self) -> list[int]:
        """Every end-of-generation token id."""
        return [t for t in range(self.n_vocab) if self.is_eog(t)]

    def ids_starting_with(self, prefix: bytes) -> np.ndarray:
        """The ids of the tokens whose bytes start with ``prefix`` (kept per prefix)."""
        cache = self.__dict__.setdefault("_starting", {})
        if prefix not in cache:
            cache[prefix] = np.asarray([t for t in range(self.n_vocab)
                                        if self.piece(t).startswith(prefix)], np.int64)
        return cache[prefix]

    def vocab_fingerprint(self) -> tuple[int, int, int, tuple[bytes, ...]]:
        """Enough of the vocabulary to tell whether two models share it (draft/target)."""
        step = max(1, self.n_vocab // 512)
        sample = tuple(self.piece(t, special=True) for t in range(0, self.n_vocab, step))
        return (self.n_vocab, self.bos, self.eos, sample)

    def close(self) -> None:
        if getattr(self, "ptr", None):
            self._L.llama_model_free(self.ptr)
            self.ptr = None

    def __del__(self) -> None:      # pragma: no cover - interpreter shutdown order varies
        try:
            self.close()
        except Exception:
            pass


@dataclass(frozen=True)
class ContextParams:
    n_ctx: int = 2048
    n_batch: int = 512
    n_threads: int = 0
    n_seq_max: int = 1
    n_rs_seq: int = 0             # recurrent-state snapshots per sequence (rollback depth)
    kv_f32: bool = False          # F32 KV cache + no flash attention: bit-exact parity tests
    kv_unified: bool = False


class LlamaContext:
    """One llama.cpp context (KV cache / recurrent state) on a model.

    ``decode`` returns the logits of the rows asked for as a fresh numpy array (llama.cpp
    reuses its buffer on the next decode).
    """

    def __init__(self, model: LlamaModel, params: ContextParams) -> None:
        L = model._L
        self._L = L
        self.model = model
        self.params = params
        cp = L.llama_context_default_params()
        cp.n_ctx = params.n_ctx
        cp.n_batch = params.n_batch
        cp.n_ubatch = params.n_batch
        cp.n_seq_max = params.n_seq_max
        cp.n_rs_seq = params.n_rs_seq
        cp.n_outputs_max_per_seq = 0
        try:
            size = model.path.stat().st_size
        except OSError:
            size = None
        threads = default_threads(params.n_threads, size)
        cp.n_threads = threads
        cp.n_threads_batch = threads
        cp.kv_unified = params.kv_unified
        cp.no_perf = True
        if params.kv_f32:
            cp.type_k = L.GGML_TYPE_F32
            cp.type_v = L.GGML_TYPE_F32
            cp.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_DISABLED
        ptr = L.llama_init_from_model(model.ptr, cp)
        if not ptr:
            raise EngineError(f"llama.cpp could not create a context for {model.name} "
                              f"(n_ctx={params.n_ctx})")
        self.ptr = ptr
        self.mem = L.llama_get_memory(ptr)
        self.n_ctx = int(L.llama_n_ctx(ptr))
        self.n_batch = int(L.llama_n_batch(ptr))
        self.n_rs_seq = int(L.llama_n_rs_seq(ptr))
        self.n_vocab = model.n_vocab
        self._batch = L.llama_batch_init(self.n_batch, 0, params.n_seq_max)
        # ``cancel`` stops a long prompt evaluation early. The callback runs Python for every
        # graph node, so it is installed only for big batches, never for generation steps.
        self.cancel: threading.Event | None = None
        self._abort_cb = L.ggml_abort_callback(
            lambda _data: self.cancel is not None and self.cancel.is_set())
        self._no_abort = L.ggml_abort_callback()          # a NULL callback: none

    # -- decoding ---------------------------------------------------------------------------

    def decode(self, tokens: list[int], pos0: int, *, seq: int = 0,
               n_logits: int = 1) -> np.ndarray:
        """Decode ``tokens`` at positions ``pos0..`` on ``seq``; logits of the last
        ``n_logits`` tokens as an array (n_logits, n_vocab). Long inputs are split into
        ``n_batch`` pieces (only the last piece may carry logits)."""
        if not tokens:
            return np.empty((0, self.n_vocab), np.float32)
        if pos0 + len(tokens) > self.n_ctx:
            raise EngineError(f"context full: {pos0 + len(tokens)} tokens > n_ctx {self.n_ctx}")
        if n_logits > self.n_batch:
            raise ValueError("n_logits larger than a batch")
        start = 0
        n = len(tokens)
        out = np.empty((0, self.n_vocab), np.float32)
        while start < n:
            end = min(n, start + self.n_batch)
            # keep every logits row in the last chunk
            if end < n and n - end < n_logits:
                end = n - n_logits
            first_out = n - n_logits
            out = self._decode_chunk(tokens[start:end], pos0 + start, seq,
                                     max(0, first_out - start))
            start = end
        return out

    def _decode_chunk(self, tokens: list[int], pos0: int, seq: int, first_out: int) -> np.ndarray:
        L = self._L
        b = self._batch
        n = len(tokens)
        b.n_tokens = n
        for i, tok in enumerate(tokens):
            b.token[i] = tok
            b.pos[i] = pos0 + i
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = seq
            b.logits[i] = 1 if i >= first_out else 0
        watch = n >= ABORTABLE and self.cancel is not None
        if watch:
            L.llama_set_abort_callback(self.ptr, self._abort_cb, None)
        try:
            rc = L.llama_decode(self.ptr, b)
        finally:
            if watch:
                L.llama_set_abort_callback(self.ptr, self._no_abort, None)
        if rc != 0:
            if rc == 2:
                raise DecodeAborted()
            raise EngineError(f"llama_decode failed with code {rc} "
                              f"({'no KV slot: context full' if rc == 1 else 'see -vv log'})")
        n_out = n - first_out
        if n_out <= 0:
            return np.empty((0, self.n_vocab), np.float32)
        ptr = L.llama_get_logits(self.ptr)
        return np.ctypeslib.as_array(ptr, shape=(n_out, self.n_vocab)).copy()

    # -- memory -----------------------------------------------------------------------------

    def seq_rm(self, seq: int, p0: int, p1: int = -1) -> bool:
        return bool(self._L.llama_memory_seq_rm(self.mem, seq, p0, p1))

    def seq_cp(self, src: int, dst: int, p0: int = -1, p1: int = -1) -> None:
        self._L.llama_memory_seq_cp(self.mem, src, dst, p0, p1)

    def pos_max(self, seq: int = 0) -> int:
        return int(self._L.llama_memory_seq_pos_max(self.mem, seq))

    def clear(self) -> None:
        self._L.llama_memory_clear(self.mem, True)

    def save_seq(self, seq: int = 0, *, partial: bool = False) -> bytes:
        """The state of one sequence; ``partial``: only the recurrent part (not the KV)."""
        L = self._L
        flags = L.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY if partial else L.LLAMA_STATE_SEQ_FLAGS_NONE
        size = int(L.llama_state_seq_get_size_ext(self.ptr, seq, flags))
        buf = (ctypes.c_uint8 * max(size, 1))()
        n = int(L.llama_state_seq_get_data_ext(self.ptr, buf, size, seq, flags))
        if n == 0 and size:
            raise EngineError("llama.cpp could not save the sequence state")
        return bytes(buf)[:n]

    def load_seq(self, data: bytes, seq: int = 0, *, partial: bool = False) -> None:
        L = self._L
        flags = L.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY if partial else L.LLAMA_STATE_SEQ_FLAGS_NONE
        buf = (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        n = int(L.llama_state_seq_set_data_ext(self.ptr, buf, len(data), seq, flags))
        if n == 0:
            raise EngineError("llama.cpp could not restore the sequence state")

    def close(self) -> None:
        if getattr(self, "ptr", None):
            self._L.llama_batch_free(self._batch)
            self._L.llama_free(self.ptr)
            self.ptr = None

    def __del__(self) -> None:      # pragma: no cover
        try:
            self.close()
        except Exception:
            pass


class DecodeAborted(Exception):
    """A decode was stopped because ``LlamaContext.cancel`` was set. Part of the batch may be
    in the memory: the caller must forget the sequence (``Sequence`` resets itself)."""
