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

The engine is the same one ``vaani serve`` uses (:class:`vaani.llm.LlamaEngine`).
"""

from __future__ import annotations

from typing import Any

from vaani.engines import EngineContext, EngineSpec
from vaani.errors import ConfigError, ModelMissingError
from vaani.hookspecs import hookimpl

NAME = "llama-cpp"
DEFAULT_MODEL = "chimera"
OPTIONS: dict[str, type | tuple[type, ...]] = {
    "k_max": int, "k": int, "p_min": (int, float), "rollback": str, "draft_rollback": str,
    "kv_f32": bool}


def check_options(options: dict[str, Any]) -> dict[str, Any]:
    mine = dict(options.get(NAME, {})) if isinstance(options.get(NAME), dict) else {}
    mine.update({k: v for k, v in options.items() if not isinstance(v, dict)})
    for key, value in mine.items():
        tp = OPTIONS.get(key)
        if tp is None:
            raise ConfigError(f"unknown option '{key}' for LLM engine '{NAME}'",
                              hint="known options: " + ", ".join(sorted(OPTIONS)))
        name = tp.__name__ if isinstance(tp, type) else "number"
        if not isinstance(value, tp) or (tp is not bool and isinstance(value, bool)):
            raise ConfigError(f"llm.options.{key} must be a {name}, got {value!r}")
    return mine


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
                       k_max=opts.get("k_max", 8), k_fixed=opts.get("k", 0),
                       p_min=float(opts.get("p_min", 0.5)),
                       rollback=opts.get("rollback", "auto"),
                       draft_rollback=opts.get("draft_rollback", "auto"),
                       kv_f32=opts.get("kv_f32", False),
                       name=ctx.model or c.model or DEFAULT_MODEL)


@hookimpl
def vaani_engines() -> list[EngineSpec]:
    return [EngineSpec("llm", NAME, create,
                       "GGUF models on llama.cpp (chat template from the model, optional "
                       "speculative draft)")]
