"""INT4 (Q4_K_M, Q4_0) and Q8_0 quantization of a Chimera GGUF with llama.cpp itself.

Uses ``llama_cpp.llama_model_quantize`` (the low-level binding of llama-cpp-python 0.3.36),
so the result is exactly what llama.cpp's own quantizer makes. K-quants work on blocks of
256 along each row, Q4_0 on 32; Chimera's dims are multiples of 256 so nothing falls back.

    python -m training.quantize chimera-f16.gguf chimera-q4_k_m.gguf --type q4_k_m
"""

from __future__ import annotations

import argparse
import ctypes
import os
from pathlib import Path

QTYPES = {"f32": 0, "f16": 1, "q4_0": 2, "q8_0": 7, "q4_k_m": 15}


def quantize(src: str | Path, dst: str | Path, qtype: str = "q4_k_m",
             threads: int | None = None) -> Path:
    """Quantize ``src`` into ``dst``; raises RuntimeError when llama.cpp reports failure."""
    import llama_cpp

    if qtype not in QTYPES:
        raise ValueError(f"qtype must be one of {sorted(QTYPES)}, got {qtype!r}")
    src, dst = Path(src), Path(dst)
    if not src.is_file():
        raise FileNotFoundError(src)
    dst.parent.mkdir(parents=True, exist_ok=True)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = QTYPES[qtype]
    params.nthread = threads or min(2, os.cpu_count() or 1)
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(),
                                        ctypes.byref(params))
    if rc != 0:
        raise RuntimeError(f"llama_model_quantize({src} -> {dst}, {qtype}) failed: {rc}")
    return dst


def tensor_types(path: str | Path) -> dict[str, str]:
    """Tensor name -> ggml type name, read back from a GGUF (to check for fallbacks)."""
    import gguf

    r = gguf.GGUFReader(str(path))
    return {t.name: t.tensor_type.name for t in r.tensors}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.quantize", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("src", type=Path)
    p.add_argument("dst", type=Path)
    p.add_argument("--type", choices=sorted(QTYPES), default="q4_k_m")
    p.add_argument("--threads", type=int)
    a = p.parse_args(argv)
    quantize(a.src, a.dst, a.type, a.threads)
    counts: dict[str, int] = {}
    for t in tensor_types(a.dst).values():
        counts[t] = counts.get(t, 0) + 1
    print(f"{a.dst} ({a.dst.stat().st_size / 1e6:.1f} MB): {counts}")


if __name__ == "__main__":
    main()
