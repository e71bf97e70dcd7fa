"""`vaani bench speculative`: the modes map to requests, the summary adds up, and the prompt
set covers what issue 12 asks for (no model needed; the run itself is in results/)."""

from __future__ import annotations

from vaani.bench import speculative as bench
from vaani.llm import Request


def test_prompts_cover_answers_explanations_lists_code_edits_and_hindi():
    kinds = [k for _, k, _ in bench.PROMPTS]
    assert len(bench.PROMPTS) >= 20
    assert {"answer", "explain", "list", "code", "edit", "hindi"} <= set(kinds)
    assert all(lang == "hi" for lang, k, _ in bench.PROMPTS if k == "hindi")


def test_modes_become_requests():
    def req(mode):
        return bench.request(Request, mode, 128, 0.0, 1.0, None, 2, 7)

    assert not req("plain").speculative
    assert (req("model").draft, req("model").k) == ("model", 2)      # forced, fixed k
    assert (req("ngram").draft, req("ngram").k) == ("ngram", 0)      # the cost model's k
    assert (req("auto").draft, req("auto").k, req("auto").speculative) == ("auto", 0, True)
    for mode in bench.MODES:
        req(mode).check()
    # another draft's modes run on its own engine and ask for what model / auto ask for
    assert (req("model:chimera-qwen-draft").draft, req("model:chimera-qwen-draft").k) \
        == ("model", 2)
    assert req("auto:chimera-qwen-draft").draft == "auto"
    assert bench._label("runs/qwen-drafter/chimera-qwen-draft-q4_k_m.gguf") \
        == "chimera-qwen-draft-q4_k_m"
    assert bench._label("qwen2.5-coder-0.5b") == "qwen2.5-coder-0.5b"


def row(kind, plain_s, spec_s, drafted, accepted, rounds, identical=True, tokens=101):
    def run(s, cpu):
        return {"completion_tokens": tokens, "decode_s": s, "decode_cpu_s": cpu,
                "decode_tok_s": (tokens - 1) / s}
    spec = run(spec_s, spec_s * 2)
    spec.update(identical=identical, speedup=plain_s / spec_s, cpu_speedup=plain_s / spec_s,
                spec={"drafted": drafted, "accepted": accepted, "rounds": rounds,
                      "plain_steps": 3, "k_hist": {"2": rounds},
                      "sources": {"ngram": {"rounds": rounds, "drafted": drafted,
                                            "accepted": accepted}}})
    return {"kind": kind, "plain": run(plain_s, plain_s * 2), "ngram": spec}


def test_summary_rates_ratios_acceptance_and_wins_per_kind():
    rows = [row("code", 10.0, 5.0, 40, 30, 20), row("answer", 10.0, 12.5, 10, 2, 5,
                                                     identical=False)]
    s = bench.summarize(rows, ["plain", "ngram"], 0.0)
    m = s["modes"]["ngram"]
    assert s["plain_tok_s"] == 10.0 and m["tok_s"] == round(200 / 17.5, 2)
    assert m["speedup"] == round((200 / 17.5) / 10.0, 3)
    assert m["cpu_speedup"] == m["speedup"]                # CPU time scaled alike here
    assert (m["acceptance_rate"], m["tokens_per_round"]) == (0.64, round(57 / 25, 3))
    assert m["identical"] == 1 and m["k_hist"] == {"2": 25}
    assert m["sources"]["ngram"]["acceptance_rate"] == 0.64
    assert m["by_kind"]["code"]["speedup"] == 2.0
    assert s["wins_by_kind"] == {"code": ("ngram", 2.0), "answer": ("plain", 1.0)}
    assert bench.summarize(rows, ["plain", "ngram"], 0.7)["modes"]["ngram"]["identical"] is None
