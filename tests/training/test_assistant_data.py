"""The alignment data (training.data.assistant): valid chats in the runtime's template, calls
only to listed tools with the user's own arguments (the runtime would run them), faithful
worded results, honest declines, the user's language and script, short replies, every tool
schema shape, deterministic streams, and DPO pairs / GRPO tasks whose two sides differ in
exactly the way their kind says."""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter
from functools import lru_cache

import pytest

from training import chat
from training import rewards as R
from training.data import assistant as A
from training.data.tasks import Pair, Task
from vaani import guard
from vaani.bench.answers import language_ok as bench_language_ok

LANGS = A.LANGS
N_DOCS = 900          # per check; ~0.5 ms each


@lru_cache(maxsize=None)
def docs(n: int = N_DOCS, seed: int = 0):
    return tuple(A.sft_doc(random.Random(f"t{seed}:sft:{i}"), LANGS[i % 3]) for i in range(n))


@lru_cache(maxsize=None)
def pairs(n: int = N_DOCS):
    return tuple(A.dpo_pair(random.Random(f"t:dpo:{i}"), LANGS[i % 3]) for i in range(n))


@lru_cache(maxsize=None)
def tasks(n: int = N_DOCS):
    return tuple(A.grpo_task(random.Random(f"t:grpo:{i}"), LANGS[i % 3]) for i in range(n))


def _props(tools) -> dict[str, dict[str, str]]:
    return {t["function"]["name"]: {k: v["type"] for k, v in
                                    t["function"]["parameters"]["properties"].items()}
            for t in tools or []}


def _calls(msg) -> list[tuple[str, dict]]:
    out = []
    for c in msg.get("tool_calls") or []:
        f = c["function"]
        out.append((f["name"], json.loads(f["arguments"])))
    return out


_JSON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float)}


def _grounded(family: str, args: dict, utterance: str, acts: bool) -> bool:
    """Would VAANI's runtime run this call for this utterance? (the plugin's ``grounded``
    for its own tools, else every word and number of the arguments was said)."""
    if family in A.REAL:
        import importlib

        return importlib.import_module(f"vaani_{family}").grounded(args, utterance)
    return guard.arguments_said(args, utterance)


def _check_conversation(messages, tools, langs) -> Counter:
    """Every rule of one conversation; ``langs[i]``: the language of message i's exchange."""
    seen: Counter = Counter()
    listed = _props(tools)
    guard_tools = [type("T", (), {"name": t["function"]["name"],
                                  "description": t["function"]["description"]})()
                   for t in tools or []]
    user, last_call, last_result = "", None, None
    for i, m in enumerate(messages):
        role = m["role"]
        if role == "user":
            user, last_call, last_result = m["content"], None, None
            continue
        if role == "tool":
            last_result = json.loads(m["content"])
            continue
        if role != "assistant":
            continue
        lang = langs[i]
        calls = _calls(m)
        if calls:
            assert not m["content"] and len(calls) == 1
            name, args = calls[0]
            assert name in listed, (name, list(listed))           # a call only to a listed tool
            assert set(args) <= set(listed[name]), (name, args)
            for k, v in args.items():
                assert isinstance(v, _JSON_TYPES[listed[name][k]]) and not isinstance(v, bool)
            fam = A.family_of(next(t for t in tools if t["function"]["name"] == name))
            assert fam is not None and fam.request is not None
            assert _grounded(fam.key, args, user, fam.acts), (name, args, user)
            for v in args.values():                    # strings are the user's own words
                if isinstance(v, str) and fam.key != "calculator":
                    assert v in user, (v, user)
            assert guard.out_of_scope(user, guard_tools) is None, user   # the guard lets it through
            last_call = (fam, args)
            seen[f"call:{fam.key}"] += 1
            for shape in _shapes(fam, args):
                seen[f"shape:{shape}"] += 1
            continue
        text = m["content"]
        assert A.reply_problem(text, lang) == "", (A.reply_problem(text, lang), lang, text)
        if last_result is not None:
            fam, args = last_call
            if "error" in last_result:
                assert not R.claims(text) and R.apologised(text), text
                seen["error"] += 1
            else:
                bad = R.unfaithful(text, last_result, args, user, lang)
                assert not bad, (bad, text, last_result)
                seen["worded"] += 1
            last_result = None
        else:
            assert not R.claims(text), text                 # nothing acted: no claim
            seen["declined" if R.declined(text) else "answered"] += 1
    return seen


def _shapes(fam, args) -> list[str]:
    """The schema shapes a call exercises: no_args, each argument type, several, optional."""
    if not fam.params:
        return ["no_args"]
    out = sorted({t for _, t, _ in fam.params})
    if len(fam.params) > 1:
        out.append("several")
    if len(args) < len(fam.params):
        out.append("optional")
    return out


def _doc_langs(doc) -> list[str]:
    return doc.meta["turn_langs"]


def test_sft_docs_keep_every_rule():
    seen: Counter = Counter()
    n_tools = 0
    for d in docs():
        assert d.source == "align.sft" and d.lang in LANGS and d.messages
        assert d.messages[-1]["role"] == "assistant"
        seen += _check_conversation(d.messages, d.tools, _doc_langs(d))
        n_tools += bool(d.tools)
        last_user = [m for m in d.messages if m["role"] == "user"][-1]["content"]
        assert bench_language_ok(last_user, d.lang), (d.lang, last_user)
    # tools listed most of the time; answered, declined, called and worded all common
    assert n_tools / len(docs()) > 0.8
    for key, least in (("answered", 0.3), ("declined", 0.2), ("worded", 0.3), ("error", 0.015)):
        assert seen[key] > least * len(docs()), (key, seen)
    # every requestable tool is called, every schema shape occurs (optional arguments too)
    for fam in A.REQUESTABLE:
        assert seen[f"call:{fam}"] > 3, (fam, seen)
    for shape in ("no_args", "string", "integer", "number", "several", "optional"):
        assert seen[f"shape:{shape}"] > 3, (shape, sorted(k for k in seen if k.startswith("shape")))


def test_render_round_trips_and_equals_the_gguf_template():
    for d in docs()[:150]:
        text = chat.render(d.messages, tools=d.tools)
        assert text == chat.jinja_render(d.messages, tools=d.tools)
        assert d.render() == text[len(chat.BOS):]
        for m in d.messages:                     # every call is JSON as the runtime reads it
            for c in m.get("tool_calls") or []:
                body = chat.render([m], bos=False).split(chat.TOOL_CALL, 1)[1][:-len(chat.END)]
                assert R.parse(chat.TOOL_CALL + body).clean
        if d.tools:
            line = text.split(chat.END, 1)[0]
            for t in d.tools:                     # each tool's description is in the prompt
                assert f"{t['function']['name']}(" in line and t["function"]["description"] in line


def test_made_up_tools_vary_their_names_and_the_real_ones_do_not():
    names: dict[str, set] = {}
    for d in docs():
        for t in d.tools or []:
            fam = A.family_of(t)
            assert fam is not None
            names.setdefault(fam.key, set()).add((t["function"]["name"],
                                                  tuple(t["function"]["parameters"]["properties"])))
    for real in A.REAL:
        assert len(names[real]) == 1
    assert names["timer"] == {("timer", ("minutes", "seconds", "label"))}       # the plugin's
    for fam in ("translate", "unit_convert", "reminder", "note_add"):
        assert len(names[fam]) >= 5, (fam, names[fam])


def test_hindi_is_devanagari_english_latin_hinglish_romanised():
    from vaani.language import DEVANAGARI, is_romanized_hindi

    for d in docs():
        for m, lang in zip(d.messages, _doc_langs(d)):
            if m["role"] != "assistant" or not m["content"]:
                continue
            letters = [c for c in m["content"] if c.isalpha()]
            deva = sum(1 for c in letters if DEVANAGARI.match(c))
            if lang == "hi":
                assert deva >= 0.7 * len(letters), m["content"]
            elif lang == "en":
                assert deva == 0 and not is_romanized_hindi(m["content"]), m["content"]
            else:
                assert deva == 0, m["content"]


def test_conversations_have_follow_ups_and_switch_language_now_and_then():
    multi = sum(1 for d in docs() if sum(m["role"] == "user" for m in d.messages) > 1)
    switched = sum(1 for d in docs() if len(set(x for x in _doc_langs(d) if x)) > 1)
    assert multi / len(docs()) > 0.3 and switched > 10
    # a follow-up refers to the exchange before it ("Aur date?", "And in Pune?")
    follow = [d for d in docs() if any(m["role"] == "user" and m["content"].split()[0].strip(",")
                                       in ("और", "And", "Aur", "Also", "What", "Achha,",
                                           "अच्छा,")
                                       for m in d.messages[2:])]
    assert len(follow) > 20


def test_streams_are_deterministic():
    for stage, make in A.STAGES.items():
        for i in range(30):
            a = make(random.Random(f"det:{i}"), LANGS[i % 3])
            b = make(random.Random(f"det:{i}"), LANGS[i % 3])
            assert A.example_text(a) == A.example_text(b)
    assert A.example_text(A.sft_doc(random.Random("x"), "hi")) != \
        A.example_text(A.sft_doc(random.Random("y"), "hi"))


def test_example_text_is_the_trainers():
    align = pytest.importorskip("training.align")
    for ex in (docs()[0], pairs()[0], tasks()[0]):
        assert A.example_text(ex) == align.example_text(ex)


def _turn_text(m) -> str:
    return A.completion(m)


def test_dpo_pairs_differ_the_way_their_kind_says():
    kinds = Counter()
    for p in pairs():
        assert isinstance(p, Pair) and p.kind in A.DPO_KINDS
        kinds[p.meta["sub"]] += 1
        c, r = p.chosen, p.rejected
        assert _turn_text(c) != _turn_text(r)
        q = [m for m in p.messages if m["role"] == "user"][-1]["content"]
        listed = _props(p.tools)
        assert p.messages[-1]["role"] in ("user", "tool")
        # the chosen turn keeps every rule (checked as the end of the conversation)
        _check_conversation(p.messages + [c], p.tools, _pair_langs(p))
        if p.kind == "faithful":
            result = json.loads(p.messages[-1]["content"])
            args = _calls(p.messages[-2])[0][1]
            assert not R.unfaithful(c["content"], result, args, q, p.lang)
            assert R.unfaithful(r["content"], result, args, q, p.lang)
        elif p.kind == "claim":
            assert "error" in json.loads(p.messages[-1]["content"])
            assert not R.claims(c["content"]) and R.apologised(c["content"])
            assert not R.apologised(r["content"])
        elif p.kind == "decline":
            assert R.declined(c["content"]) and not _calls(c)
            assert not R.declined(r["content"]) and not _calls(r)
        elif p.kind == "language":
            assert A.language_ok(c["content"], p.lang) and not A.language_ok(r["content"], p.lang)
        elif p.meta["sub"] == "tool_choice:spurious":
            assert not _calls(c) and _calls(r) and p.tools
        elif p.meta["sub"] == "tool_choice:unlisted":
            assert _calls(r) and _calls(r)[0][0] not in listed
        elif p.meta["sub"] == "tool_choice:arguments":
            (cn, ca), (rn, ra) = _calls(c)[0], _calls(r)[0]
            assert cn == rn and ca != ra
        elif p.meta["sub"] == "tool_choice:declined":
            # the tool is listed, so the call is right and the decline (the reply that is
            # right only without it) is the worse turn
            assert _calls(c) and _calls(c)[0][0] in listed
            assert R.declined(r["content"]) and not _calls(r)
        else:
            raise AssertionError(p.meta)
    for sub in ("faithful", "claim", "decline", "language", "tool_choice:spurious",
                "tool_choice:unlisted", "tool_choice:arguments", "tool_choice:declined"):
        assert kinds[sub] > 15, kinds
    # unfaithful rejections cover times (and their parts of the day), durations and numbers
    fams = Counter(p.meta["tools"] and _calls(p.messages[-2])[0][0] for p in pairs()
                   if p.kind == "faithful")
    assert fams["clock"] > 3 and fams["timer"] > 3 and fams["calculator"] > 3


def _pair_langs(p: Pair) -> list[str]:
    return p.meta["turn_langs"]


def test_grpo_tasks_cover_every_kind_and_their_reference_scores_one():
    kinds = Counter()
    for t in tasks():
        assert isinstance(t, Task) and t.kind in A.GRPO_KINDS
        kinds[t.kind] += 1
        assert t.messages[-1]["role"] in ("user", "tool")
        if t.kind in ("tool_call",) or t.expect.get("stage") == "call":
            assert t.tools and t.expect["tool"] in _props(t.tools)
        r = R.reward(t, t.meta["reference"])
        assert r.total == 1.0, (t.kind, t.meta["reference"], r.components)
    for k in A.GRPO_KINDS:
        assert kinds[k] > len(tasks()) * 0.08, kinds


def test_declines_are_the_runtimes_words_and_name_what_the_listed_tools_do():
    clock, timer = (A.instantiate(random.Random(0), A.FAMILIES[k]).schema for k in ("clock", "timer"))
    assert A.decline_text("live", "en", [clock, timer], "weather") == \
        "I'm offline, so I can't check the weather. I can help with the time and date and timers."
    assert A.decline_text("unsure", "hi", [timer]) == \
        guard.abstention("unsure", "hi", ["टाइमर"])
    assert A.decline_text("action", "hinglish", None, "reminder") == \
        "Main abhi alarm ya reminder nahi laga sakti."
    for text in A.known_declines():
        assert R.declined(text), text


def test_reply_filter_for_teacher_samples():
    recs = [{"i": 0, "lang": "en", "prompt": "How are you?", "text": "I'm well, thanks! And you?"},
            {"i": 1, "lang": "en", "prompt": "Hi", "text": "Hello hello hello hello there."},
            {"i": 2, "lang": "hi", "prompt": "नमस्ते", "text": "Hello! How can I help?"},
            {"i": 3, "lang": "en", "prompt": "Hi", "text": "Sure. " * 2 + "One. Two. Three."},
            {"i": 4, "lang": "en", "prompt": "Set it", "text": "I've set your alarm."},
            {"i": 5, "lang": "hi", "prompt": "कैसी हो?", "text": "मैं ठीक हूँ, धन्यवाद!"},
            {"i": 6, "lang": "en", "prompt": "What is the capital city of France?", "text": "Paris."}]
    kept, dropped = A.teacher_reply_docs(recs, "teacher.test")
    assert [d.meta["i"] for d in kept] == [0, 5]
    assert dropped == Counter({"repetition": 1, "wrong_language": 1, "too_long": 1,
                               "claims_action": 1, "heldout": 1})


def test_builder_writes_jsonl_split_per_language(tmp_path):
    from training.data.build import is_val

    m = A.build("grpo", 120, tmp_path, seed=3, val_frac=0.2)
    rows = [json.loads(x) for x in (tmp_path / "grpo-train.jsonl").read_text().splitlines()]
    val = {lg: [json.loads(x) for x in (tmp_path / f"grpo-val_{lg}.jsonl").read_text().splitlines()]
           for lg in LANGS}
    assert len(rows) + sum(map(len, val.values())) == 120 and all(val.values())
    want = A.examples("grpo", 120, seed=3)
    for ex in want:
        text = A.example_text(ex)
        side = val[ex.lang] if is_val(text, 3, 0.2) else rows
        assert dataclasses.asdict(ex) in side
    assert sum(c["n"] for c in m["counts"]) == 120


def test_ids_are_the_gguf_templates_through_llama_cpp(tmp_path):
    """What the trainers encode (SFT chats, DPO prompts and turns, GRPO prompts) is what
    llama.cpp makes of the GGUF's own template, tools and descriptions included; and every
    example fits the trainers' 512-token rows."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    from training import tokenizer as tok_mod

    tok = tok_mod.load()
    llama = tok_mod.LlamaVocab(tok_mod.write_vocab_gguf(tmp_path / "v.gguf", tok))
    try:
        llm = llama.llm
        fmt = Jinja2ChatFormatter(llm.metadata["tokenizer.chat_template"], eos_token=chat.BOS,
                                  bos_token=chat.BOS)
        convs = [(d.messages[:-1], d.tools) for d in docs()[:20]]
        convs += [(p.messages + [p.chosen, {"role": "user", "content": "?"}], p.tools)
                  for p in pairs()[:20]]
        convs += [(t.messages, t.tools) for t in tasks()[:20]]
        for msgs, tools in convs:
            res = fmt(messages=msgs, tools=tools)
            ids = llm.tokenize(res.prompt.encode("utf-8"), add_bos=not res.added_special,
                               special=True)
            assert ids == chat.encode_prompt(msgs, tok, tools=tools)
    finally:
        llama.close()
    for ex in docs()[:300]:
        assert len(chat.encode_messages(ex.messages, tok, tools=ex.tools)) <= 512


def test_word_problems_are_also_asked_in_words():
    """Half the word problems say their numbers in words, as people ask them; the expression
    the model must write keeps digits and is still grounded in the question."""
    import random

    import vaani_calculator

    assert A._spelled("Ravi had 42 apples and gave 19 to Meera.", "en") == \
        "Ravi had forty-two apples and gave nineteen to Meera."
    assert A._spelled("रवि के पास 42 आम थे, ₹40 का एक।", "hi") == "रवि के पास बयालीस आम थे, ₹40 का एक।"
    assert A._spelled("Ravi ke paas 42 aam the, 7.5 kilo.", "hinglish") == \
        "Ravi ke paas 42 aam the, 7.5 kilo."                  # romanised words up to 20 only
    rng = random.Random(0)
    spelled = 0
    for i in range(300):
        req = A._rq_calc(rng, A.LANGS[i % 3])
        q, expr = req.user, req.args["expression"]
        assert vaani_calculator.grounded({"expression": expr}, q)
        spelled += not any(c.isdigit() for c in q)
    assert spelled >= 20
