"""The ``llama-cpp`` LLM engine: any GGUF model through llama.cpp, with speculative decoding.

Config (``[llm]``): ``model`` (pack name or .gguf path; default ``chimera``),
``draft_model`` (pack or path sharing the model's vocabulary; "" = no draft), ``context``,
``threads`` (0 = all cores), ``seed`` (-1 = random). Options (``[llm.options]``):

``k_max``           longest draft per round (default 8)
``k``               fixed draft length instead of the adaptive one (0 = adaptive)
``p_min``           stop drafting when the draft's top token is less likely than this (0.5)
``rollback``        target rollback: auto | kv | rs | checkpoint (auto: kv for transformers,
                    n_rs_seq for hybrids that support it, else checkpoint)
``draft_rollback``  auto | kv | fork | checkpoint (auto: kv for transformers, fork for hybrids)
``kv_f32``          F32 KV cache, no flash attention (bit-exact parity work; slower)
``ngram``           also draft from n-gram matches in the prompt and reply (prompt lookup;
                    free, pays on repetition and code); works without a draft model (false)
``repack``          llama.cpp's repacked weight layout for the target (true: faster; on x86
                    K-quants then verify bit-exactly only in batches of up to 3 tokens)
``exact``           keep verified batches at a size that is bit-exact with one-by-one decoding,
                    so greedy speculative output equals plain output token for token (true)

The Qwen2.5-Coder pair (``vaani models install --group large``)::

    [llm]
    model = "qwen2.5-coder-1.5b"
    draft_model = "qwen2.5-coder-0.5b"
    [llm.options]
    ngram = true

The engine is the same one ``vaani serve`` uses (:class:`vaani.llm.LlamaEngine`).
"""

from __future__ import annotations

from typing import Any

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import ModelMissingError
from vaani.hookspecs import hookimpl
from vaani.kit import Option, engine_options, own_table

NAME = "llama-cpp"
DEFAULT_MODEL = "chimera"
OPTIONS = engine_options(
    "llm", NAME,
    Option("k_max", int, 8, "longest draft per round"),
    Option("k", int, 0, "fixed draft length instead of the adaptive one (0 = adaptive)"),
    Option("p_min", float, 0.5, "stop drafting below this top-token probability"),
    Option("rollback", str, "auto", "target rollback: auto | kv | rs | checkpoint"),
    Option("draft_rollback", str, "auto", "draft rollback: auto | kv | fork | checkpoint"),
    Option("kv_f32", bool, False, "F32 KV cache, no flash attention"),
    Option("ngram", bool, False, "also draft from n-gram matches in the prompt and reply"),
    Option("repack", bool, True, "llama.cpp's repacked (faster) weight layout"),
    Option("exact", bool, True, "verify only batch sizes bit-exact with one-by-one decoding"),
    kind="LLM")


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    return OPTIONS.check(own_table(options, NAME))


def resolve(ctx: EngineContext, name: str) -> str:
    if ctx.models is None:
        raise ModelMissingError(f"cannot resolve the model '{name}': no model store",
                                hint="vaani models install " + name)
    return str(ctx.models.file(name))


def create(ctx: EngineContext) -> Any:
    from vaani.llm import LlamaEngine

    opts = check_options(ctx.options)
    c = ctx.config.llm
    model = resolve(ctx, ctx.model or c.model or DEFAULT_MODEL)
    draft = resolve(ctx, c.draft_model) if c.draft_model else None
    return LlamaEngine(model, draft=draft, n_ctx=c.context, threads=c.threads, seed=c.seed,
                       k_max=opts["k_max"], k_fixed=opts["k"], p_min=opts["p_min"],
                       rollback=opts["rollback"], draft_rollback=opts["draft_rollback"],
                       kv_f32=opts["kv_f32"], ngram=opts["ngram"], repack=opts["repack"],
                       exact=opts["exact"],
                       name=ctx.model or c.model or DEFAULT_MODEL)


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [EngineSpec("llm", NAME, create,
                       "GGUF models on llama.cpp (chat template from the model, optional "
                       "speculative draft)")]
