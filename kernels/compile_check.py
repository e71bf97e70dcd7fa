"""Compile every Triton kernel for real GPUs (sm_80, sm_90) on a machine without one.

    python -m kernels.compile_check            # bf16 (training), model shapes, sm_80 + sm_90
    python -m kernels.compile_check --all      # every dtype / head dim / shape

Why: CI has no GPU, and the interpreter that runs our kernel tests on CPU does not go
through Triton's compiler, so a construct that only the compiler rejects (operand dtypes that
differ in a ``tl.dot``, a tile below the minimum MMA size, shared memory beyond what the GPU
has) would pass CI and fail on the first GPU. Triton ships its own LLVM and ptxas, so it can
build the cubin for a given architecture without a device; this module does that for the
configurations the launch code uses and checks the shared memory each one needs.

Must run without TRITON_INTERPRET (it needs the compiler, not the interpreter).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass

# Shared memory per block that a kernel may use (opt-in maximum), bytes.
SMEM_LIMIT = {80: 163 * 1024, 90: 227 * 1024}


@dataclass
class Case:
    name: str
    kernel: object
    types: dict            # pointer / float parameters; every other non-constexpr is i32
    consts: dict
    num_warps: int = 4
    num_stages: int = 2


def _ptr(dtype: str, *names: str) -> dict:
    return {n: f"*{dtype}" for n in names}


def cases(everything: bool) -> list[Case]:
    """The launch configurations: bf16 (training) with the model's shapes by default, every
    dtype, head dim and shape with ``everything``."""
    from kernels.attention import triton_fa2 as fa
    from kernels.cross_entropy import triton_ce as ce
    from kernels.ssd import triton_ssd as ssd

    out: list[Case] = []
    dtypes = ["bf16", "fp16", "fp32"] if everything else ["bf16"]
    for dt in dtypes:
        prec = "ieee" if dt == "fp32" else "tf32"
        for d in (64, 128):
            for causal in (True, False):
                tag = f"fa2 {dt} d={d} causal={causal}"
                out.append(Case(f"{tag} fwd", fa._attn_fwd,
                                {**_ptr(dt, "Q", "K", "V", "O"), "LSE": "*fp32",
                                 "qk_scale": "fp32"},
                                dict(D=d, BLOCK_D=d, BLOCK_M=64, BLOCK_N=64, CAUSAL=causal,
                                     DOT_PREC=prec), fa._warps(d), 2))
                bwd = {**_ptr(dt, "Q", "K", "V", "DO"), "LSE": "*fp32", "DELTA": "*fp32",
                       "qk_scale": "fp32", "sm_scale": "fp32"}
                common = dict(D=d, BLOCK_D=d, BLOCK_M=64, BLOCK_N=64, CAUSAL=causal,
                              DOT_PREC=prec)
                out.append(Case(f"{tag} bwd dkdv", fa._attn_bwd_dkdv,
                                {**bwd, **_ptr(dt, "DK", "DV")}, common, fa._warps(d), 2))
                out.append(Case(f"{tag} bwd dq", fa._attn_bwd_dq, {**bwd, **_ptr(dt, "DQ")},
                                common, fa._warps(d), 2))
            out.append(Case(f"fa2 {dt} d={d} bwd preprocess", fa._bwd_preprocess,
                            {**_ptr(dt, "O", "DO"), "DELTA": "*fp32"},
                            dict(D=d, BLOCK_D=d, BLOCK_M=64)))
            for cfg in fa._autotune_configs():   # the forward's GPU autotune candidates
                out.append(Case(f"fa2 {dt} d={d} fwd autotune {cfg.kwargs} "
                                f"w{cfg.num_warps} s{cfg.num_stages}", fa._attn_fwd,
                                {**_ptr(dt, "Q", "K", "V", "O"), "LSE": "*fp32",
                                 "qk_scale": "fp32"},
                                dict(D=d, BLOCK_D=d, CAUSAL=True, DOT_PREC=prec, **cfg.kwargs),
                                cfg.num_warps, cfg.num_stages))
        for p, n in ([(64, 128), (64, 64), (128, 64), (32, 16)] if everything else [(64, 128)]):
            blk = dict(CHUNK=64, BLOCK_P=min(64, p), BLOCK_N=min(64, n), DOT_PREC=prec)
            for reverse, has_w in ((False, True), (True, False)):
                tag = f"ssd {dt} P={p} N={n} reverse={reverse}"
                out.append(Case(f"{tag} chunk_state", ssd._chunk_state,
                                {**_ptr(dt, "V", "K"), "A": "*fp32", "W": "*fp32",
                                 "STATES": "*fp32"},
                                dict(blk, HAS_W=has_w, REVERSE=reverse)))
                out.append(Case(f"{tag} chunk_out", ssd._chunk_out,
                                {**_ptr(dt, "V", "K", "Q"), "A": "*fp32", "W": "*fp32",
                                 "STATES": "*fp32", "Y": "*fp32" if reverse else f"*{dt}"},
                                dict(blk, HAS_W=has_w, REVERSE=reverse)))
                out.append(Case(f"{tag} state_pass", ssd._state_pass,
                                {"STATES": "*fp32", "INIT": "*fp32", "FINAL": "*fp32",
                                 "A": "*fp32"},
                                dict(CHUNK=64, BLOCK=1024, HAS_INIT=True, REVERSE=reverse)))
            out.append(Case(f"ssd {dt} P={p} N={n} ddA", ssd._ddA_kernel,
                            {**_ptr(dt, "X", "DY", "B", "C"), "DT": "*fp32", "A": "*fp32",
                             "SFWD": "*fp32", "SBWD": "*fp32", "DDA": "*fp32"}, blk))
        ce_types = {**_ptr(dt, "H", "W"), "T": "*i64", "LSE": "*fp32"}
        for e in ([1024, 40] if everything else [1024]):
            bm, bv, be, warps = ce._gpu_bwd_config(e, dt == "fp32")
            out.append(Case(f"ce {dt} E={e} bwd", ce._lce_bwd,
                            {**ce_types, "SCALE": "*fp32", "DH": "*fp32", "DW": "*fp32"},
                            dict(BLOCK_M=bm, BLOCK_V=bv, BLOCK_E=be, DOT_PREC=prec), warps))
        for cfg in ce._autotune_configs():
            out.append(Case(f"ce {dt} fwd {cfg.kwargs}", ce._lce_fwd,
                            {**ce_types, "LOSS": "*fp32"}, dict(DOT_PREC=prec, **cfg.kwargs),
                            cfg.num_warps, cfg.num_stages))
    return out


def compile_case(case: Case, arch: int):
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource

    sig = {name: ("constexpr" if name in case.consts else case.types.get(name, "i32"))
           for name in case.kernel.arg_names}
    src = ASTSource(case.kernel, sig, constexprs=case.consts)
    return triton.compile(src, target=GPUTarget("cuda", arch, 32),
                          options={"num_warps": case.num_warps, "num_stages": case.num_stages})


def run(archs: list[int], everything: bool, verbose: bool = True) -> list[str]:
    """Compile all cases for all archs; return the failures (empty when all is well)."""
    if os.environ.get("TRITON_INTERPRET") == "1":
        raise RuntimeError("kernels.compile_check needs TRITON_INTERPRET unset")
    os.environ.setdefault("TRITON_DEFAULT_FP_FUSION", "1")
    failures = []
    selected = cases(everything)
    for arch in archs:
        for case in selected:
            t0 = time.perf_counter()
            try:
                kernel = compile_case(case, arch)
            except Exception as exc:  # report every failing kernel, not just the first
                failures.append(f"sm_{arch} {case.name}: {type(exc).__name__}: {exc}")
                if verbose:
                    print(f"FAIL sm_{arch} {case.name}: {exc}", flush=True)
                continue
            shared = kernel.metadata.shared
            if shared > SMEM_LIMIT[arch]:
                failures.append(f"sm_{arch} {case.name}: needs {shared} B shared memory > "
                                f"{SMEM_LIMIT[arch]}")
            if verbose:
                print(f"ok   sm_{arch} {case.name}: {shared / 1024:.0f} KiB shared, "
                      f"{time.perf_counter() - t0:.1f}s", flush=True)
    return failures


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m kernels.compile_check", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", type=int, nargs="+", default=[80, 90], choices=sorted(SMEM_LIMIT))
    p.add_argument("--all", action="store_true", help="every dtype, head dim and config")
    args = p.parse_args(argv)
    failures = run(args.arch, args.all)
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{'FAILED' if failures else 'all kernels compiled'} ({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
