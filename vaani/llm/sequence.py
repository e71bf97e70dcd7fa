"""What one context has decoded, and exact undo of speculative tokens.

A :class:`Sequence` owns the live llama.cpp sequence of a context: the tokens decoded so far
(``tokens``, at positions 0..n-1) and committed tokens not decoded yet (``pending``; they go
in front of the next decode). Speculative work happens inside a *segment*: ``begin()``,
one or more ``step()`` decodes, then ``keep(n)`` keeps the first ``n`` tokens decoded in the
segment and undoes the rest. How undo works depends on the model (``mode``):

``kv``          plain transformer: ``seq_rm`` of the tail of the KV cache, always exact.
``rs``          recurrent/hybrid with ``n_rs_seq`` snapshots: ``seq_rm`` rolls the recurrent
                state back in place. Exact only inside the most recent multi-token decode and
                only if at least one of its tokens stays (llama.cpp returns true but leaves
                wrong state otherwise), so that is enforced here; ``seq_rm``'s result is
                checked.
``checkpoint``  recurrent/hybrid without ``n_rs_seq``: the recurrent part of the state is
                saved at ``begin()``; a partial keep restores it, trims the KV cache to the
                segment start and queues the kept tokens to be decoded again with the next
                decode (no extra call).
``fork``        a draft that decodes one token at a time (so ``rs`` cannot undo it): the
                segment runs on a copy of the sequence (``seq_cp`` into a spare sequence id);
                a full keep makes the copy the live sequence, a partial keep drops it and
                queues the kept tokens like ``checkpoint``.

Prompt reuse: a new prompt that extends what was decoded continues from there; a transformer
also reuses any common prefix; recurrent models restore full-state snapshots taken where
consecutive prompts diverged (the system prompt, in practice).

History-independent prompts (``block`` > 0, transformers): a K-quant's batched kernels round
differently from its one-token kernel and by batch size, so the same prompt evaluated from
another reused prefix (after another request) can give logits that differ in the last bits,
and greedy output can then differ at a near-tie. With ``block`` set, prompts are evaluated in
blocks of ``block`` tokens at fixed positions (0, block, 2*block, ...), and only whole
blocks decoded that way are reused: every prompt is then computed by the same decodes
whatever came before, at the cost of re-evaluating up to ``block - 1`` shared tokens.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np

from vaani.errors import EngineError
from vaani.llm.native import DecodeAborted, LlamaContext

MODES = ("kv", "rs", "checkpoint", "fork")
MIN_SNAPSHOT = 8            # tokens: shorter shared prefixes are not worth a snapshot
MAX_SNAPSHOTS = 4


def common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


class Sequence:
    def __init__(self, ctx: LlamaContext, mode: str, *, seq: int = 0, spare: int = 1) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown rollback mode {mode!r}")
        if mode == "rs" and ctx.n_rs_seq < 1:
            raise EngineError(f"{ctx.model.name}: n_rs_seq rollback is not available "
                              "(llama.cpp clamps it to 0 for this architecture)")
        if mode == "fork" and ctx.params.n_seq_max < 2:
            raise EngineError("fork rollback needs a context with n_seq_max >= 2")
        self.ctx = ctx
        self.mode = mode
        self.seq = seq
        self.spare = spare
        self.tokens: list[int] = []
        self.pending: list[int] = []
        self._seg_start: int | None = None
        self._last_call: int = 0            # index in tokens where the latest decode began
        self._ckpt: bytes | None = None
        self._prev_prompt: list[int] = []
        self._snapshots: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self.timings: dict[int, float] = {}  # batch size -> EMA seconds per decode call
        self.block = 0                      # >0: history-independent prompts (see above)
        self._canonical = 0                 # leading tokens decoded in such blocks

    # -- whole-sequence operations -----------------------------------------------------------

    @property
    def n_past(self) -> int:
        return len(self.tokens)

    def reset(self) -> None:
        self.ctx.clear()
        self.tokens = []
        self._canonical = 0
        self.pending = []
        self._seg_start = None
        self._ckpt = None

    def prefill(self, prompt: list[int], *, n_logits: int = 1) -> np.ndarray:
        """Decode ``prompt`` (reusing what is already decoded); logits of its last token."""
        if not prompt:
            raise EngineError("empty prompt")
        self.close_segment()
        self.pending = []
        keep = common_prefix(self.tokens, prompt)
        if keep == len(prompt):
            keep -= 1                      # the last token must be decoded for its logits
        blocks = self.block > 0 and not self.ctx.model.recurrent
        if blocks:
            keep = min(keep, self._canonical)
            keep -= keep % self.block
        if keep < len(self.tokens):
            if self.mode == "kv" or not self.ctx.model.recurrent:
                if not self.ctx.seq_rm(self.seq, keep, -1):
                    self.reset()
                    keep = 0
                else:
                    del self.tokens[keep:]
            else:
                keep = self._restore_snapshot(prompt)
        # a snapshot where this prompt and the previous one part ways (the shared system
        # prompt; or just before the last token when the same prompt comes again), for
        # recurrent models that cannot trim their state later
        split = min(common_prefix(self._prev_prompt, prompt), len(prompt) - 1)
        self._prev_prompt = list(prompt)
        if (self.ctx.model.recurrent and self.mode != "kv" and split >= MIN_SNAPSHOT
                and keep < split and tuple(prompt[:split]) not in self._snapshots):
            self._decode(prompt[keep:split], 0)
            self._save_snapshot()
            keep = split
        if blocks:
            return self._decode_blocks(prompt, keep, n_logits)
        return self._decode(prompt[keep:], n_logits)

    def _decode_blocks(self, prompt: list[int], keep: int, n_logits: int) -> np.ndarray:
        """``prompt[keep:]`` (``keep`` on a block boundary) in blocks at fixed positions."""
        b = self.block
        last = max(keep, (len(prompt) - 1) // b * b)      # the final block, whole or partial
        if len(prompt) - last < n_logits:
            last = keep                                    # the logits span blocks: one call
        for start in range(keep, last, b):
            self._decode(prompt[start:start + b], 0)
        out = self._decode(prompt[last:], n_logits)
        self._canonical = len(prompt) // b * b if len(prompt) - last <= b else keep
        return out

    def _save_snapshot(self) -> None:
        key = tuple(self.tokens)
        self._snapshots[key] = self.ctx.save_seq(self.seq)
        self._snapshots.move_to_end(key)
        while len(self._snapshots) > MAX_SNAPSHOTS:
            self._snapshots.popitem(last=False)

    def _restore_snapshot(self, prompt: list[int]) -> int:
        best: tuple[int, ...] = ()
        for key in self._snapshots:
            if len(key) > len(best) and len(key) < len(prompt) and tuple(prompt[:len(key)]) == key:
                best = key
        self.reset()
        if best:
            self.ctx.load_seq(self._snapshots[best], self.seq)
            self._snapshots.move_to_end(best)
            self.tokens = list(best)
        return len(best)

    def _decode(self, tokens: list[int], n_logits: int, seq: int | None = None) -> np.ndarray:
        t = time.perf_counter()
        try:
            out = self.ctx.decode(tokens, len(self.tokens),
                                  seq=self.seq if seq is None else seq, n_logits=n_logits)
        except DecodeAborted:
            self.reset()             # part of the batch may be in memory: start clean
            raise
        dt = time.perf_counter() - t
        n = len(tokens)
        if n <= 64:
            old = self.timings.get(n)
            self.timings[n] = dt if old is None else 0.8 * old + 0.2 * dt
        self._last_call = len(self.tokens)
        self.tokens.extend(tokens)
        return out

    def feed(self, tokens: list[int], n_logits: int = 1) -> np.ndarray:
        """Committed decode (outside a segment): pending + ``tokens``."""
        if self._seg_start is not None:
            raise RuntimeError("feed inside a speculative segment: use step")
        batch = self.pending + list(tokens)
        self.pending = []
        return self._decode(batch, n_logits)

    # -- speculative segments ----------------------------------------------------------------

    def close_segment(self) -> None:
        """Keep everything decoded in an open segment (a generation that was cut short):
        ``tokens`` always says exactly what the state holds, so nothing is lost."""
        if self._seg_start is not None:
            self.keep(len(self.tokens) - self._seg_start)

    def begin(self) -> None:
        if self._seg_start is not None:
            raise RuntimeError("segment already open")
        self._seg_start = len(self.tokens)
        if self.mode == "checkpoint":
            self._ckpt = self.ctx.save_seq(self.seq, partial=True)
        elif self.mode == "fork":
            self.ctx.seq_rm(self.spare, -1, -1)
            self.ctx.seq_cp(self.seq, self.spare, -1, -1)

    def step(self, tokens: list[int], n_logits: int = 1) -> np.ndarray:
        """Decode pending + ``tokens`` inside the segment; logits of the last ``n_logits``."""
        if self._seg_start is None:
            raise RuntimeError("step outside a segment: call begin() first")
        batch = self.pending + list(tokens)
        self.pending = []
        seq = self.spare if self.mode == "fork" else self.seq
        return self._decode(batch, n_logits, seq=seq)

    def branches(self, prefix: list[int], tails: list[list[int]]
                 ) -> tuple[np.ndarray, list[np.ndarray]] | None:
        """Try ``prefix`` and then each of ``tails`` after it, undoing every tail back to the
        end of the prefix and, at the end, the prefix too: the logits after every token of
        the prefix, and of each tail (rows, one per token). The prefix is decoded once
        however many tails there are. None for modes that cannot undo to a point inside a
        segment (``rs``, ``fork``)."""
        if self.mode not in ("kv", "checkpoint") or not prefix:
            return None
        self.begin()
        try:
            head = self.step(prefix, n_logits=len(prefix))
            mark = len(self.tokens)
            state = self.ctx.save_seq(self.seq, partial=True) if self.mode == "checkpoint" \
                else None
            rows = []
            for tail in tails:
                if not tail:
                    rows.append(np.empty((0, head.shape[1]), np.float32))
                    continue
                rows.append(self._decode(list(tail), len(tail)))
                if state is not None:
                    self.ctx.load_seq(state, self.seq, partial=True)
                if not self.ctx.seq_rm(self.seq, mark, -1):
                    raise EngineError(f"llama.cpp refused to remove KV positions >= {mark}")
                del self.tokens[mark:]
        finally:
            self.keep(0)
        return head, rows

    @property
    def segment(self) -> list[int]:
        assert self._seg_start is not None
        return self.tokens[self._seg_start:]

    def keep(self, n: int) -> None:
        """Keep the first ``n`` tokens decoded in the segment; undo the others exactly."""
        start = self._seg_start
        if start is None:
            raise RuntimeError("keep outside a segment")
        seg = self.tokens[start:]
        if not 0 <= n <= len(seg):
            raise ValueError(f"keep({n}) of a {len(seg)}-token segment")
        cut = start + n
        if self.mode == "rs" and n < len(seg):
            # only inside the latest multi-token decode, keeping at least one of its tokens
            if cut < self._last_call + 1 or len(self.tokens) - self._last_call < 2:
                raise EngineError(
                    f"n_rs_seq rollback to {cut} is outside the last decode "
                    f"[{self._last_call}, {len(self.tokens)}): it would leave wrong state")
            if len(self.tokens) - cut > self.ctx.n_rs_seq:
                raise EngineError(f"rollback of {len(self.tokens) - cut} tokens > n_rs_seq "
                                  f"{self.ctx.n_rs_seq}")
        self._seg_start = None
        ckpt, self._ckpt = self._ckpt, None
        if n == len(seg):
            if self.mode == "fork":
                self.ctx.seq_rm(self.seq, -1, -1)
                self.seq, self.spare = self.spare, self.seq
            return
        if self.mode == "kv":
            if not self.ctx.seq_rm(self.seq, cut, -1):
                raise EngineError(f"llama.cpp refused to remove KV positions >= {cut}")
            del self.tokens[cut:]
        elif self.mode == "rs":
            if not self.ctx.seq_rm(self.seq, cut, -1):
                raise EngineError(f"llama.cpp refused to roll back to position {cut}")
            del self.tokens[cut:]
        elif self.mode == "checkpoint":
            assert ckpt is not None
            self.ctx.load_seq(ckpt, self.seq, partial=True)
            if not self.ctx.seq_rm(self.seq, start, -1):
                raise EngineError(f"llama.cpp refused to trim the KV cache to {start}")
            self.pending = seg[:n] + self.pending
            del self.tokens[start:]
        else:   # fork
            self.ctx.seq_rm(self.spare, -1, -1)
            self.pending = seg[:n] + self.pending
            del self.tokens[start:]
