"""Tokens -> streamed text: UTF-8 that may be split across tokens, and stop strings.

Byte-level BPE splits Devanagari (3 bytes a character) across tokens, so pieces are decoded
incrementally and a partial character is held back until its last byte arrives. Stop strings
may also span tokens: text that could still be the start of a stop string is held back until
it is known not to be one, so the caller never sees any part of a stop string.
"""

from __future__ import annotations

import codecs


class TextStream:
    """Feed token bytes, get text that is safe to show; ``stopped`` once a stop string hit."""

    def __init__(self, stop: list[str] | None = None) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.stop = [s for s in (stop or []) if s]
        self._held = ""
        self.stopped = False
        self.text = ""              # everything emitted so far

    def feed(self, data: bytes) -> str:
        """Text to emit after these bytes ("" while held back)."""
        if self.stopped:
            return ""
        self._held += self._decoder.decode(data)
        return self._release(final=False)

    def finish(self) -> str:
        """Flush what is held back (generation ended without a stop string)."""
        if self.stopped:
            return ""
        self._held += self._decoder.decode(b"", final=True)
        return self._release(final=True)

    def _release(self, final: bool) -> str:
        held = self._held
        if self.stop:
            cut = -1
            for s in self.stop:
                i = held.find(s)
                if i >= 0 and (cut < 0 or i < cut):
                    cut = i
            if cut >= 0:
                self.stopped = True
                self._held = ""
                out = held[:cut]
                self.text += out
                return out
            if not final:
                keep = 0
                for s in self.stop:
                    for n in range(min(len(s) - 1, len(held)), 0, -1):
                        if held.endswith(s[:n]):
                            keep = max(keep, n)
                            break
                out, self._held = held[:len(held) - keep], held[len(held) - keep:]
                self.text += out
                return out
        self._held = ""
        self.text += held
        return held
