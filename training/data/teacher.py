"""Text sampled from the local teacher models, cached to disk, resumable, deterministic.

No Hindi running text exists in any package we may use (shared/design/offline-assets.md),
so Chimera's Hindi prose comes from Gemma-3-270M (a base model that writes fluent
Devanagari) continuing Hindi openings, its English prose from the same model continuing
English openings, and its English chat from SmolLM2-135M-Instruct answering everyday
questions. Gemma cannot write romanised Hindi (it drifts into English), so Hinglish comes
from the generators instead.

    nice -n 15 python -m training.data.teacher --job gemma-hi --tokens 300000
    python -m training.data.teacher --job smollm2-en --tokens 100000 --threads 1

Each job appends one JSON line per sample to ``<out>/<job>-s<seed>.jsonl`` (default
``$VAANI_DATA_DIR/chimera/teacher``) and flushes it,
so a killed run loses at most one sample and a rerun continues where the file ends.
Sample ``i`` is a pure function of ``(job, seed, i)``: its prompt comes from
``random.Random(f"{job}:{seed}:{i}")`` and llama.cpp's sampler is seeded with a number
derived from the same triple. With the same thread count the text is the same too
(llama.cpp's float reductions depend on the thread split). Raw text is kept; cleaning and
filtering happen in the corpus builder, so they can change without resampling.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from training.data import lexicon as L



def default_out() -> Path:
    """``$VAANI_DATA_DIR/chimera/teacher``: outside the git tree, shared by every checkout."""
    from vaani.config import data_dir

    return data_dir() / "chimera" / "teacher"


# ----------------------------------------------------------------------------- prompts

_HI_OPENINGS = [
    "{city} {state} का एक प्रमुख शहर है।",
    "एक समय की बात है, {city} के पास एक छोटे से गाँव में {name} नाम का एक लड़का रहता था।",
    "एक समय की बात है, एक घने जंगल में",
    "प्रिय {name},\nआशा है कि तुम स्वस्थ और प्रसन्न हो।",
    "{topic} पर निबंध\n\n",
    "{topic} हमारे जीवन का एक महत्वपूर्ण हिस्सा है।",
    "नई दिल्ली, {day} {month}: ",
    "{city}, {day} {month}। शहर में आज",
    "आज सुबह जब मैं उठा तो",
    "मेरी दादी अक्सर कहा करती थीं कि",
    "बच्चों, आज हम {topic} के बारे में पढ़ेंगे।",
    "प्रश्न: {topic} क्यों ज़रूरी है?\nउत्तर:",
    "स्वादिष्ट {food} बनाने की विधि\n\nसामग्री:",
    "{city} की यात्रा मेरे जीवन की सबसे यादगार यात्रा थी।",
    "गर्मियों की छुट्टियों में हम",
    "किसान {name} सुबह-सुबह अपने खेत पर",
    "भारत में {topic} का इतिहास बहुत पुराना है।",
    "डॉक्टरों का कहना है कि अच्छी सेहत के लिए",
    "हमारे मोहल्ले में एक पुराना पेड़ है,",
    "{name} ने अपने दोस्त से पूछा, \"",
    "कल शाम बाज़ार में",
    "विज्ञान की दृष्टि से देखें तो",
    "मेरा प्रिय त्योहार दीवाली है।",
    "होली रंगों का त्योहार है।",
    "रेलवे स्टेशन पर बहुत भीड़ थी।",
    "मोबाइल फ़ोन ने हमारी ज़िंदगी को",
    "पानी बचाना हम सबकी ज़िम्मेदारी है।",
    "आज के समय में {topic}",
    "{name} एक मेहनती छात्र था।",
    "गाँव के स्कूल में नए अध्यापक आए।",
    "बारिश के मौसम में",
    "सर्दियों की एक सुबह",
    "पुराने ज़माने में लोग",
    "यह कहानी {city} की है।",
    "कंप्यूटर एक ऐसी मशीन है जो",
    "हिमालय पर्वत",
    "गंगा नदी",
    "सूरज हर दिन पूर्व से उगता है और",
    "अच्छी आदतें बचपन से ही",
    "{name} और {name2} बचपन के दोस्त थे।",
    "समाचार: {city} में",
    "योग करने के कई फ़ायदे हैं।",
    "हमारे देश में अनेक भाषाएँ बोली जाती हैं।",
    "पुस्तकें हमारी सबसे अच्छी मित्र होती हैं।",
    "समय का महत्व",
    "माँ ने रसोई से आवाज़ दी,",
    "चाय भारत में सबसे ज़्यादा पिया जाने वाला पेय है।",
    "क्रिकेट मैच के आख़िरी ओवर में",
    "अंतरिक्ष के बारे में सोचते ही",
    "एक बार की बात है, एक राजा था।",
    "पेड़-पौधे हमें",
    "सड़क पर चलते समय",
    "{topic} के बारे में कुछ रोचक तथ्य:\n1.",
    "आज का दिन बहुत खास था क्योंकि",
    "जब मैं छोटा था,",
    "शिक्षक ने कक्षा में पूछा,",
    "इस साल {city} में",
    "हमारा परिवार",
    "सुबह की सैर",
    "{name} ने {city} जाने के लिए टिकट",
]

_EN_OPENINGS = [
    "{city_en} is a city in the Indian state of {state_en}.",
    "Once upon a time, in a small village near {city_en}, there lived",
    "Dear {name_en},\nI hope this letter finds you well.",
    "An essay on {topic_en}\n\n",
    "{topic_en} plays an important role in our daily lives.",
    "How to make a good cup of tea:",
    "The history of {topic_en} in India",
    "Yesterday evening, {name_en} walked to the market and",
    "Here are five simple tips for better sleep:",
    "Scientists have long wondered why",
    "The train to {city_en} was late again, so",
    "Q: Why is {topic_en} important?\nA:",
    "Every morning, my grandmother",
    "Learning a new language is",
    "The monsoon arrived early this year.",
    "A computer is a machine that",
    "In the summer holidays, we",
    "The best way to save money is",
    "Our school library has",
    "The river flowed quietly past the old temple,",
    "A short guide to {topic_en}:",
    "It was the last over of the cricket match, and",
    "Water is essential for life because",
    "My favourite festival is Diwali, because",
    "The farmer looked at the sky and",
]

_EN_QUESTIONS = [
    "How do I make masala chai at home?",
    "Give me three tips to sleep better.",
    "What is a good way to start learning to cook?",
    "Explain {topic_en} in simple words.",
    "Why is {topic_en} important for children?",
    "Write a short story about a {item} that could talk.",
    "What should I pack for a trip to {city_en}?",
    "How can I save money on groceries?",
    "What are some easy exercises I can do at home?",
    "How do I stay focused while studying?",
    "Write a short poem about the rain.",
    "What is the difference between weather and climate?",
    "How does a refrigerator keep food cold?",
    "Can you suggest a healthy breakfast?",
    "How do plants make their food?",
    "What are good habits for a student?",
    "Tell me a fun fact about {topic_en}.",
    "How do I write a polite email to my teacher?",
    "What should I do if I feel stressed before an exam?",
    "How can I remember new words in a language?",
    "Why is the sky blue?",
    "How do I set a daily routine?",
    "What is a timer and how do I use one when cooking?",
    "How many minutes should I boil an egg?",
    "Explain what a calculator does.",
    "How do I take care of a small plant?",
    "What are the benefits of drinking water?",
    "How can I be kind to my neighbours?",
    "Give me a simple recipe using {item_pl}.",
    "What games can children play indoors?",
    "Describe a busy railway station.",
    "How do I plan a birthday party on a budget?",
    "What is the best time of day to exercise?",
    "How do I explain {topic_en} to a friend?",
    "What can I do on a rainy {weekday}?",
]


def _fill(template: str, rng: random.Random) -> str:
    name, name2 = rng.sample(L.NAMES, 2)
    city = rng.choice(L.CITIES)
    topic = rng.choice(L.TOPICS)
    item = rng.choice(L.ITEMS)
    month = rng.choice(L.MONTHS)
    return template.format(
        name=name[0], name2=name2[0], name_en=name[1], city=city[0], state=city[2],
        city_en=city[1], state_en=city[3], topic=topic[0], topic_en=topic[1],
        food=rng.choice(["खीर", "पोहा", "दाल", "पनीर", "हलवा", "खिचड़ी", "समोसे", "पराठे"]),
        day=rng.randint(1, 28), month=month[0], item=item[1], item_pl=item[2],
        weekday=rng.choice(L.WEEKDAYS)[1])


@dataclass(frozen=True)
class Job:
    """One teacher run: which pack, which language, how a prompt is made and sampled."""

    pack: str
    lang: str
    chat: bool
    prompt: Callable[[random.Random], str]
    max_tokens: int = 256
    temperature: float = 0.8
    top_p: float = 0.95
    repeat_penalty: float = 1.1


JOBS: dict[str, Job] = {
    "gemma-hi": Job("gemma3-270m", "hi", False, lambda r: _fill(r.choice(_HI_OPENINGS), r)),
    "gemma-en": Job("gemma3-270m", "en", False, lambda r: _fill(r.choice(_EN_OPENINGS), r)),
    "smollm2-en": Job("smollm2-135m", "en", True, lambda r: _fill(r.choice(_EN_QUESTIONS), r),
                      max_tokens=200, temperature=0.7),
}


def sample_seed(job: str, seed: int, i: int) -> int:
    """llama.cpp's sampler seed for sample ``i`` (a stable hash, not Python's ``hash``)."""
    h = hashlib.sha256(f"{job}:{seed}:{i}".encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


def cache_path(out: Path, job: str, seed: int) -> Path:
    return Path(out) / f"{job}-s{seed}.jsonl"


def read_cache(path: Path) -> list[dict]:
    """The complete samples in a cache file (a torn last line from a kill is ignored)."""
    if not path.exists():
        return []
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return out


def model_file(pack: str) -> Path:
    """The teacher GGUF from the installed model pack (``vaani models install --group train``)."""
    from vaani import config as config_mod
    from vaani.models import ModelStore

    return ModelStore.from_config(config_mod.from_dict({})).file(pack)


def run(job_name: str, tokens: int, out: Path | None = None, seed: int = 0, threads: int = 1,
        model_path: Path | None = None, log: Callable[[str], None] = print,
        max_tokens: int | None = None) -> dict:
    """Sample until the cache holds ``tokens`` teacher tokens; return throughput figures.

    ``max_tokens`` overrides the job's per-sample length (tests use short samples).
    """
    from vaani.llm.native import open_llama

    job = JOBS[job_name]
    if max_tokens is not None:
        job = dataclasses.replace(job, max_tokens=max_tokens)
    path = cache_path(out or default_out(), job_name, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = read_cache(path)
    # Rewrite the file without a torn tail so appends start on a clean line.
    with open(path, "w", encoding="utf-8") as f:
        for rec in done:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    have = sum(r["tokens"] for r in done)
    i = len(done)
    if have >= tokens:
        return {"job": job_name, "samples": i, "tokens": have, "new_tokens": 0, "seconds": 0.0}
    llm = open_llama(model_path or model_file(job.pack), n_ctx=1024, n_threads=threads,
                     n_threads_batch=threads, verbose=False, seed=seed)
    t0, new = time.monotonic(), 0
    try:
        with open(path, "a", encoding="utf-8") as f:
            while have < tokens:
                prompt = job.prompt(random.Random(f"{job_name}:{seed}:{i}"))
                kw = dict(max_tokens=job.max_tokens, temperature=job.temperature,
                          top_p=job.top_p, repeat_penalty=job.repeat_penalty,
                          seed=sample_seed(job_name, seed, i))
                llm.reset()
                if job.chat:
                    r = llm.create_chat_completion([{"role": "user", "content": prompt}], **kw)
                    text = r["choices"][0]["message"]["content"]
                else:
                    r = llm.create_completion(prompt, **kw)
                    text = r["choices"][0]["text"]
                n = r["usage"]["completion_tokens"]
                rec = {"i": i, "job": job_name, "pack": job.pack, "lang": job.lang,
                       "chat": job.chat, "prompt": prompt, "text": text, "tokens": n,
                       "finish": r["choices"][0]["finish_reason"]}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                f.flush()
                i, have, new = i + 1, have + n, new + n
                if i % 20 == 0:
                    dt = time.monotonic() - t0
                    log(f"{job_name}: {i} samples, {have}/{tokens} tokens, "
                        f"{new / max(dt, 1e-9):.1f} tok/s")
    finally:
        llm.close()
    dt = time.monotonic() - t0
    return {"job": job_name, "samples": i, "tokens": have, "new_tokens": new,
            "seconds": round(dt, 1), "tokens_per_s": round(new / max(dt, 1e-9), 2),
            "threads": threads}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m training.data.teacher", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--job", required=True, choices=sorted(JOBS))
    p.add_argument("--tokens", type=int, required=True, help="teacher tokens to have in the cache")
    p.add_argument("--out", type=Path, help="default: $VAANI_DATA_DIR/chimera/teacher")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--model", type=Path, help="a GGUF path instead of the installed pack")
    p.add_argument("--nice", type=int, default=15, help="niceness (shared machine)")
    a = p.parse_args(argv)
    if a.nice:
        os.nice(a.nice)
    res = run(a.job, a.tokens, a.out, a.seed, a.threads, a.model,
              log=lambda s: print(s, file=sys.stderr, flush=True))
    print(json.dumps(res))


if __name__ == "__main__":
    main()


# ----------------------------------------------------------------------------- cleaning

_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_SENT_END = re.compile(r"[।?!.](?=[\s\"'”’)]|$)")
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_LATIN = re.compile(r"[A-Za-z]")


def _cut_to_sentence(text: str) -> str:
    """Drop a trailing unfinished sentence (samples stop at the token limit mid-sentence)."""
    ends = [m.end() for m in _SENT_END.finditer(text)]
    return text[: ends[-1]] if ends else ""


def _repetitive(text: str) -> bool:
    """True when a sample loops: few distinct word trigrams or a line repeated 3+ times."""
    words = text.split()
    if len(words) >= 30:
        tri = list(zip(words, words[1:], words[2:]))
        if len(set(tri)) / len(tri) < 0.6:
            return True
    lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) > 10]
    return any(lines.count(ln) >= 3 for ln in set(lines))


def script_share(text: str) -> float:
    """Devanagari letters / (Devanagari + Latin letters); 0.5 for text with neither."""
    d, l = len(_DEVANAGARI.findall(text)), len(_LATIN.findall(text))
    return d / (d + l) if d + l else 0.5


def clean(rec: dict) -> "Doc | None":
    """A teacher sample as a training document, or None when it is unusable.

    Strips HTML tags Gemma learned from the web, cuts an unfinished last sentence, and
    drops loops, very short samples and samples in the wrong script.
    """
    from training.data.generators import Doc

    lang = rec["lang"]
    text = _TAG.sub("", rec["text"])
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    if rec.get("finish") == "length":
        text = _cut_to_sentence(text)
    text = text.strip()
    if len(text) < 40 or _repetitive(text):
        return None
    share = script_share(text)
    if (lang == "hi" and share < 0.85) or (lang == "en" and share > 0.02):
        return None
    source = f"teacher.{rec['job']}"
    if rec.get("chat"):
        msgs = [{"role": "user", "content": rec["prompt"]},
                {"role": "assistant", "content": text}]
        return Doc(source, lang, messages=msgs, meta={"i": rec["i"]})
    body = rec["prompt"] + (text if rec["prompt"].endswith(("\n", " ")) else " " + text)
    return Doc(source, lang, text=body.strip(), meta={"i": rec["i"]})
