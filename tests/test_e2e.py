"""End to end through the real CLI: a spoken "what time is it" (English, Piper) and its Hindi
form (festival) go through ``vaani run``; the clock plugin answers; the reply audio says the
time that was answered (English: transcribed back by the same ASR; Hindi: whisper-base cannot
write espeak-ng's Hindi numbers back, so its forced scores must pick this time over others)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.models, pytest.mark.slow]

EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
HI_WORDS = dict(zip(
    ("शून्य एक दो तीन चार पाँच छह सात आठ नौ दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह "
     "उन्नीस बीस इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस तीस इकतीस बत्तीस "
     "तैंतीस चौंतीस पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस चालीस इकतालीस बयालीस तैंतालीस चवालीस "
     "पैंतालीस छियालीस सैंतालीस अड़तालीस उनचास पचास इक्यावन बावन तिरेपन चौवन पचपन छप्पन "
     "सत्तावन अट्ठावन उनसठ").split(), range(60)))
HI_WORDS.update({"पांच": 5, "छः": 6, "छे": 6, "पन्द्रह": 15, "अठ्ठाईस": 28, "चौवालीस": 44,
                 "तिरपन": 53, "अठावन": 58})


def numbers(text: str) -> list[int]:
    """Every number in ``text``, in order: digits (Latin or Devanagari), English words up to
    59 ("forty-seven"), Hindi words up to 59."""
    text = text.translate(str.maketrans("०१२३४५६७८९", "0123456789")).lower()
    out: list[int] = []
    tokens = re.findall(r"\d+|[a-z]+|[\u0900-\u097f]+", text.replace("-", " "))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isdigit():
            out.append(int(tok))
        elif tok in EN_TENS:
            value = EN_TENS[tok]
            if i + 1 < len(tokens) and tokens[i + 1] in EN_WORDS and EN_WORDS[tokens[i + 1]] < 10:
                value += EN_WORDS[tokens[i + 1]]
                i += 1
            out.append(value)
        elif tok in EN_WORDS:
            out.append(EN_WORDS[tok])
        elif tok in HI_WORDS:
            out.append(HI_WORDS[tok])
        i += 1
    if not out:                      # romanised Hindi ("chhe baj kar pachpan"): the skills' reader
        from vaani.language import tokens
        from vaani.numwords import find_numbers
        out = [int(span.value) for span in find_numbers(tokens(text)) if span.value.denominator == 1]
    return out


def test_numbers_parser():
    assert numbers("It is 6:47 PM.") == [6, 47]
    assert numbers("it's six forty-seven p.m.") == [6, 47]
    assert numbers("अभी शाम के छह बजकर सैंतालीस मिनट हुए हैं") == [6, 47]
    assert numbers("६ बजकर ४७ मिनट") == [6, 47]
    assert numbers("Abhi chhe baj kar pachpan minute") == [6, 55]


def times(text: str) -> set[tuple[int, int]]:
    """Every (hour 1-12, minute) ``text`` may say: "7:28", "7 28", "728", "seven twenty-eight",
    "सात बजकर अट्ठाईस", or an hour alone ("seven o'clock")."""
    nums = numbers(text)
    out = set()
    for i, n in enumerate(nums):
        if 100 <= n <= 1259 and n % 100 < 60:            # Whisper writes "728 PM"
            out.add((n // 100 % 12 or 12, n % 100))
        if 1 <= n <= 24:
            out.add((n % 12 or 12, 0))
            if i + 1 < len(nums) and nums[i + 1] < 60:
                out.add((n % 12 or 12, nums[i + 1]))
    # the clock's quarter and half hours in Hindi: सवा तीन 3:15, ढाई 2:30, पौने तीन 2:45
    from vaani.language import tokens
    from vaani.numwords import find_numbers
    for span in find_numbers(tokens(text)):
        v = span.value
        if v.denominator in (2, 4) and 1 <= v < 13:
            out.add((int(v) % 12 or 12, int((v - int(v)) * 60)))
    return out


def test_times_reader():
    assert (7, 28) in times("It's 728 PM.") and (7, 28) in times("It's 7:28 p.m.")
    assert (7, 28) in times("seven twenty-eight") and (7, 0) in times("seven o'clock")
    assert (7, 29) in times("अभी शाम के सात बजकर उनतीस मिनट हुए हैं।")
    assert (2, 30) in times("अभी दोपहर के ढाई बजे हैं।")
    assert (2, 45) in times("अभी दोपहर के पौने तीन बजे हैं।")
    assert (3, 15) in times("अभी सवा तीन बजे हैं।") and (1, 30) in times("डेढ़ बजे हैं")
    assert (7, 30) in times("साढ़े सात बजे")


def spoken_time(reply: str) -> tuple[int, int]:
    """(hour 1-12, minute) said in the reply text."""
    nums = numbers(reply)
    assert nums, f"no time in the reply {reply!r}"
    hour = nums[0] % 12 or 12
    minute = nums[1] if len(nums) > 1 and nums[1] < 60 else 0
    return hour, minute


def transcribe(path: Path, language: str) -> str:
    """The reply audio through the same ASR engine the assistant used."""
    from vaani import config as config_mod
    from vaani.assistant import Assistant
    from vaani.audio import read_audio, to_pipeline

    audio, rate = read_audio(path)
    config = config_mod.from_dict({"assistant": {"language": language}})
    with Assistant(config, needs=("asr",), warm=False, trace=False) as a:
        return a.engines.asr.process(to_pipeline(audio, rate), language).text


WHISPER_HINDI = ("whisper-base mishears this festival sentence: it writes 'जाइ समय, मिन्यों "
                 "आही' (vaani bench asr measures how often spoken Hindi commands get through); "
                 "strict: when it passes, drop this mark")


def says(path: Path, text: str, others: list[str], language: str = "hi") -> int:
    """How many of ``others`` the reply audio matches better than ``text``: each sentence is
    scored against the audio by the assistant's own Whisper (forced decoding, mean token
    log-probability). For replies whose numbers Whisper cannot write back (espeak-ng Hindi
    "छह बजकर सैंतालीस" comes back as "जर्पायको से तलिस"; piper's "four seventeen" as
    "for 17") but still tells which of several times was said."""
    import ctranslate2
    import numpy as np

    from vaani import config as config_mod
    from vaani.assistant import Assistant
    from vaani.audio import read_audio, to_pipeline
    from vaani.textnorm import normalize

    audio, rate = read_audio(path)
    config = config_mod.from_dict({"assistant": {"language": language}})
    with Assistant(config, needs=("asr",), warm=False, trace=False) as a:
        whisper = a.engines.asr.main
        tok = whisper.tokenizer(language)
        encoded = np.array(whisper.encode(to_pipeline(audio, rate), 30))
        sentences = [normalize(t, language) for t in [text, *others]]
        tokens = [tok.encode(" " + t) for t in sentences]
        batch = ctranslate2.StorageView.from_array(
            np.ascontiguousarray(np.repeat(encoded, len(tokens), axis=0)))
        start = list(whisper.model.get_prompt(tok, [], without_timestamps=True))
        results = whisper.model.model.align(batch, start, tokens,
                                            [encoded.shape[1] * 2] * len(tokens))
    scores = [float(np.mean(np.log(np.maximum(r.text_token_probs, 1e-9)))) for r in results]
    return sum(s > scores[0] for s in scores[1:])


CLOCK_QUESTION = {"hi": "समय बताओ", "en": "what time is it"}


def clock_replies(hour: int, minute: int, language: str) -> list[str]:
    """What the clock says in ``language`` at five other times of day."""
    from datetime import datetime

    import vaani_clock
    from vaani.hookspecs import Utterance

    out = []
    for k in range(1, 6):
        t = datetime(2025, 8, 15, (hour + 3 * k) % 24, (minute + 11 * k) % 60).timestamp()
        reply = vaani_clock.Clock(lambda t=t: t).handle(
            Utterance(CLOCK_QUESTION[language], language))
        assert reply is not None
        out.append(reply.text)
    return out


@pytest.mark.parametrize("language, question", [
    ("en", "What time is it?"),
    pytest.param("hi", "क्या समय हुआ है?", marks=pytest.mark.xfail(reason=WHISPER_HINDI,
                                                                   strict=True)),
    # whisper-base writes it "अपी क्या समय, है" on an AVX-512 CPU; the clock knows that
    # spelling. ("समय बताओ", which passed on AVX2 CI machines, comes back "समय, यबा टा।")
    ("hi", "अभी क्या समय है"),
])
def test_vaani_run_answers_the_time_and_the_reply_audio_says_it(language, question, tmp_path,
                                                                require_models):
    from vaani.speech_fixtures import synthesize_utterance, write_wav

    require_models("silero-vad", "whisper-base", "piper-en-joe", "chimera-v3")
    u = synthesize_utterance(question, language, lead_s=0.5, tail_s=1.5)
    question_wav = write_wav(tmp_path / "question.wav", u.audio, u.sample_rate)
    reply_wav = tmp_path / "reply.wav"
    env = dict(os.environ, VAANI_DATA_DIR=os.environ.get("VAANI_DATA_DIR", ""))
    if not env["VAANI_DATA_DIR"]:
        env.pop("VAANI_DATA_DIR")
    config = tmp_path / "config.toml"
    config.write_text(f'[trace]\npath = "{tmp_path / "trace.jsonl"}"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "vaani", "-c", str(config), "run", "--input", str(question_wav),
         "--output", str(reply_wav), "--language", language, "--json"],
        capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    (turn,) = result["turns"]
    assert turn["source"] == "plugin:clock", (turn, proc.stderr[-2000:])
    assert turn["language"] == language
    if language == "hi":
        assert re.search(r"[\u0900-\u097f]", turn["transcript"]), turn   # heard in Devanagari
    heard = transcribe(reply_wav, language) if language == "en" else ""
    if language == "hi" or spoken_time(turn["reply"]) not in times(heard):
        # Whisper could not write the time back (Hindi numbers; "four" heard as "for"): the
        # audio says this time if at most one of five other times fits it better, and the
        # time it says fits it better than another time does
        hh, mm = (int(x) for x in turn["data"]["time"].split(":"))
        others = clock_replies(hh, mm, language)
        assert says(reply_wav, turn["reply"], others, language) <= 1, (
            turn["reply"], heard, others)
        assert says(reply_wav, others[0], [turn["reply"]], language) == 1, (
            turn["reply"], heard, others[0])
    trace = [json.loads(line) for line in (tmp_path / "trace.jsonl").read_text().splitlines()]
    assert trace[-1]["source"] == "plugin:clock" and "e2e" in trace[-1]["timings"]


def test_vaani_ask_in_hindi_answers_in_hindi_with_the_hindi_voice(tmp_path, require_models):
    """What works in Hindi without a Hindi-capable ASR: text in, the clock's Hindi answer,
    normalised and spoken by the configured Hindi voice."""
    import numpy as np

    from vaani.audio import read_audio

    require_models("chimera-v3")
    reply_wav = tmp_path / "reply.wav"
    config = tmp_path / "config.toml"
    config.write_text(f'[trace]\npath = "{tmp_path / "trace.jsonl"}"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "vaani", "-c", str(config), "ask", "क्या समय हुआ है?",
         "--language", "hi", "--output", str(reply_wav), "--json"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["source"] == "plugin:clock" and result["language"] == "hi"
    assert re.search(r"[\u0900-\u097f]", result["reply"]) and times(result["reply"])
    audio, rate = read_audio(reply_wav)
    assert len(audio) / rate > 1.0 and np.abs(audio).max() > 0.1
