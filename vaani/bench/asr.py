"""ASR quality: CER/WER per language and voice, language ID, time, and spoken Hindi skill commands.

What VAANI hears, measured on speech with known words: Hindi, English and Hinglish sentences
(commands and questions) spoken by the voices this machine has (festival ``hindi_NSK_diphone``,
espeak-ng ``hi`` and ``en-us``, Piper ``en-joe``), plus real human English from Debian's
pocketsphinx-testdata with its transcripts. Every clip goes through the ASR engine the
assistant uses, with the language left to the engine (``assistant.language = auto``), then
through VAANI's per-utterance language resolution; the same clips also run with today's
decoding (the baseline: no Hindi previous-text prompt, the legacy language rule) in the same
run, and the report gives both and their ratios.

Scoring (both systems alike):

* text is normalised before comparing: NFC, case folded, punctuation dropped, Devanagari
  digits made ASCII, single spaces;
* a reference may hold alternatives, ``{टाइमर|timer}``, ``{पाँच|5}``: a Hindi speaker's
  English word may be written in either script, and a number in words or digits; the score
  is the best over the combinations (either script accepted, word by word);
* Hinglish sentences have two references, Devanagari (with the English words in either
  script) and romanised Latin; the better one counts;
* ``cer_translit`` also maps hypothesis and reference to one folded Latin spelling (a plain
  Devanagari->Latin table, then :func:`vaani.language.roman_key` per word): it credits
  romanised Hindi that sounds right, so a change of script alone does not look like a gain
  in hearing.

**Spoken Hindi skill commands answered correctly**: Hindi and Hinglish commands for the clock,
timer and calculator, as audio through the real assistant (``Assistant`` with the default
config: VAD, the ASR engine, the transcript filter, language resolution, the real plugin host
with every installed plugin, the LLM when no skill answers) via ``pipeline.run`` on the file,
the path ``vaani run`` takes. A command counts only when the expected skill answers with the
expected data: the clock's intent and day, the calculator's value, the timer's seconds (then
the timer is cancelled through the skill).

Goals: Hindi CER <= 0.30 on the festival voice, language ID >= 95%, spoken Hindi skill
commands answered correctly >= 85%.

``--set dev`` runs the tuning sentences instead (disjoint from the reported ``test`` set);
``--system NAME:key=value,...`` adds a configuration (``asr.options`` keys, ``beam_size``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import re
import statistics
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

GOALS = {"hindi_cer_festival": 0.30, "language_id": 0.95, "hindi_skills": 0.85}
HI_VOICES = ("festival:hindi_NSK_diphone", "espeak:hi")
EN_VOICES = ("piper:piper-en-joe", "espeak:en-us")
PS_DATA = Path("/usr/share/pocketsphinx/test/data")


@dataclass(frozen=True)
class Sentence:
    kind: str                 # hi | en | hinglish
    text: str                 # what the voice reads
    refs: tuple[str, ...] = ()   # references with {a|b} alternatives; () = the text itself
    roman: str = ""           # Hinglish: the romanised form (not spoken: Piper's American
                              # voice reading Hindi words is no Hinglish speaker)

    @property
    def language(self) -> str:
        return "en" if self.kind == "en" else "hi"

    def references(self) -> tuple[str, ...]:
        return self.refs or (self.text,)


def S(kind: str, text: str, *refs: str, roman: str = "") -> Sentence:
    return Sentence(kind, text, tuple(refs), roman)


# -- the reported sentences ---------------------------------------------------------------

TEST = (
    # Hindi: commands and questions
    S("hi", "अभी क्या समय हुआ है?"),
    S("hi", "कितने बजे हैं?"),
    S("hi", "आज कौन सा दिन है?"),
    S("hi", "आज की तारीख क्या है?"),
    S("hi", "पाँच मिनट का टाइमर लगाओ।", "{पाँच|5} {मिनट|minute} का {टाइमर|timer} लगाओ"),
    S("hi", "दस मिनट का टाइमर लगा दो।", "{दस|10} {मिनट|minute} का {टाइमर|timer} लगा दो"),
    S("hi", "टाइमर बंद करो।", "{टाइमर|timer} बंद करो"),
    S("hi", "पच्चीस गुणा चार कितना होता है?", "{पच्चीस|25} गुणा {चार|4} कितना होता है"),
    S("hi", "सौ में से बीस घटाओ।", "{सौ|100} में से {बीस|20} घटाओ"),
    S("hi", "कल कौन सा दिन होगा?"),
    S("hi", "आसमान नीला क्यों होता है?"),
    S("hi", "मुझे एक कहानी सुनाओ।"),
    S("hi", "आज मौसम कैसा है?"),
    S("hi", "भारत की राजधानी क्या है?"),
    S("hi", "अच्छी नींद के लिए एक सलाह दो।"),
    S("hi", "कोई गाना बजाओ।"),
    S("hi", "मेरा नाम राहुल है।"),
    S("hi", "चाय बनाने का तरीका बताओ।"),
    S("hi", "सूरज कब निकलता है?"),
    S("hi", "बत्ती बंद कर दो।"),
    # Hinglish: Hindi with English words, read by the Hindi voices from Devanagari (how a
    # Hindi speaker says "timer"); scored against both scripts
    S("hinglish", "टाइम क्या हुआ है?", "{टाइम|time} क्या हुआ है", "time kya hua hai",
      roman="Time kya hua hai?"),
    S("hinglish", "पाँच मिनट का टाइमर सेट करो।",
      "{पाँच|5} {मिनट|minute} का {टाइमर|timer} {सेट|set} करो",
      "{paanch|5} minute ka timer set karo", roman="Paanch minute ka timer set karo."),
    S("hinglish", "आज का वेदर कैसा है?", "आज का {वेदर|weather} कैसा है",
      "aaj ka weather kaisa hai", roman="Aaj ka weather kaisa hai?"),
    S("hinglish", "मेरा फ़ोन कहाँ है?", "मेरा {फ़ोन|फोन|phone} कहाँ है", "mera phone kahan hai",
      roman="Mera phone kahan hai?"),
    S("hinglish", "लाइट ऑफ कर दो।", "{लाइट|light} {ऑफ|off} कर दो", "light off kar do",
      roman="Light off kar do."),
    S("hinglish", "म्यूज़िक प्ले करो।", "{म्यूज़िक|म्यूजिक|music} {प्ले|play} करो",
      "music play karo", roman="Music play karo."),
    S("hinglish", "अलार्म सुबह सात बजे का लगाओ।",
      "{अलार्म|alarm} सुबह {सात|7} बजे का लगाओ", "alarm subah {saat|7} baje ka lagao",
      roman="Alarm subah saat baje ka lagao."),
    S("hinglish", "ये मैसेज मम्मी को भेजो।", "ये {मैसेज|message} मम्मी को भेजो",
      "ye message mummy ko bhejo", roman="Ye message mummy ko bhejo."),
    S("hinglish", "बीस प्लस तीस कितना होता है?", "{बीस|20} {प्लस|plus} {तीस|30} कितना होता है",
      "{bees|20} plus {tees|30} kitna hota hai", roman="Bees plus tees kitna hota hai?"),
    S("hinglish", "कल का प्लान बताओ।", "कल का {प्लान|plan} बताओ", "kal ka plan batao",
      roman="Kal ka plan batao."),
    # English
    S("en", "What time is it?"),
    S("en", "Set a timer for ten minutes.", "set a timer for {ten|10} minutes"),
    S("en", "What is twenty five times four?", "what is {twenty five|25} times {four|4}"),
    S("en", "What day is it today?"),
    S("en", "Cancel the timer."),
    S("en", "Tell me a fun fact about the moon."),
    S("en", "Why is the sky blue?"),
    S("en", "What is the capital of France?"),
    S("en", "Play some music."),
    S("en", "How far is the moon from the earth?"),
    S("en", "Remind me to call my mother."),
    S("en", "What is fifteen percent of two hundred?",
      "what is {fifteen percent|15 percent|15%} of {two hundred|200}"),
)

# -- the tuning sentences (never reported as the result) ------------------------------------

DEV = (
    S("hi", "क्या समय हो गया है?"),
    S("hi", "घड़ी में कितने बजे हैं?"),
    S("hi", "ज़रा टाइम बताइए।", "{ज़रा|जरा} {टाइम|time} बताइए"),
    S("hi", "आज कौन सी तारीख है?"),
    S("hi", "कौन सा महीना चल रहा है?"),
    S("hi", "परसों कौन सा दिन था?"),
    S("hi", "दो मिनट का टाइमर लगाओ।", "{दो|2} {मिनट|minute} का {टाइमर|timer} लगाओ"),
    S("hi", "तीस सेकंड का टाइमर लगा दीजिए।", "{तीस|30} {सेकंड|second} का {टाइमर|timer} लगा दीजिए"),
    S("hi", "आधे घंटे का टाइमर लगाओ।", "आधे {घंटे|घंटा} का {टाइमर|timer} लगाओ"),
    S("hi", "सारे टाइमर हटा दो।", "सारे {टाइमर|timer} हटा दो"),
    S("hi", "टाइमर में कितना समय बचा है?", "{टाइमर|timer} में कितना समय बचा है"),
    S("hi", "बारह गुणा बारह कितना होता है?", "{बारह|12} गुणा {बारह|12} कितना होता है"),
    S("hi", "पचास को पाँच से भाग दो।", "{पचास|50} को {पाँच|5} से भाग दो"),
    S("hi", "सात और आठ जोड़ो।", "{सात|7} और {आठ|8} जोड़ो"),
    S("hi", "नौ गुणा छह क्या है?", "{नौ|9} गुणा {छह|6} क्या है"),
    S("hi", "मुझे कल सुबह जल्दी उठना है।"),
    S("hi", "हिमालय कितना ऊँचा है?"),
    S("hi", "पानी कितने डिग्री पर उबलता है?", "पानी कितने {डिग्री|degree} पर उबलता है"),
    S("hi", "मुझे एक चुटकुला सुनाओ।"),
    S("hi", "गंगा नदी कहाँ से निकलती है?"),
    S("hi", "तुम्हारा नाम क्या है?"),
    S("hi", "आज बारिश होगी क्या?"),
    S("hi", "दिल्ली से मुंबई कितनी दूर है?"),
    S("hi", "खाना खाने के बाद क्या करना चाहिए?"),
    S("hi", "सुबह की सैर के फायदे बताओ।"),
    S("hi", "एक अच्छी किताब का नाम बताओ।"),
    S("hi", "मैं बहुत थका हुआ हूँ।"),
    S("hi", "चाँद पर कौन गया था?"),
    S("hi", "हमारे सौरमंडल में कितने ग्रह हैं?"),
    S("hi", "धन्यवाद, बस इतना ही।"),
    S("hinglish", "टाइमर कैंसल करो।", "{टाइमर|timer} {कैंसल|cancel} करो", "timer cancel karo",
      roman="Timer cancel karo."),
    S("hinglish", "दस मिनट का टाइमर स्टार्ट करो।",
      "{दस|10} {मिनट|minute} का {टाइमर|timer} {स्टार्ट|start} करो",
      "{das|10} minute ka timer start karo", roman="Das minute ka timer start karo."),
    S("hinglish", "मेरा मूड ऑफ है।", "मेरा {मूड|mood} {ऑफ|off} है", "mera mood off hai",
      roman="Mera mood off hai."),
    S("hinglish", "टीवी का वॉल्यूम कम करो।", "{टीवी|tv} का {वॉल्यूम|volume} कम करो",
      "tv ka volume kam karo", roman="TV ka volume kam karo."),
    S("hinglish", "ऑफिस के लिए लेट हो रहा हूँ।", "{ऑफिस|office} के लिए {लेट|late} हो रहा हूँ",
      "office ke liye late ho raha hoon", roman="Office ke liye late ho raha hoon."),
    S("hinglish", "डेट क्या है आज?", "{डेट|date} क्या है आज", "date kya hai aaj",
      roman="Date kya hai aaj?"),
    S("hinglish", "छह गुणा सात कैलकुलेट करो।", "{छह|6} गुणा {सात|7} {कैलकुलेट|calculate} करो",
      "{chhe|6} guna {saat|7} calculate karo", roman="Chhe guna saat calculate karo."),
    S("hinglish", "नेक्स्ट सॉन्ग चलाओ।", "{नेक्स्ट|next} {सॉन्ग|song} चलाओ", "next song chalao",
      roman="Next song chalao."),
    S("en", "What's the time now?"),
    S("en", "Start a five minute timer.", "start a {five|5} minute timer"),
    S("en", "What is one hundred divided by four?",
      "what is {one hundred|a hundred|100} divided by {four|4}"),
    S("en", "Which day is tomorrow?"),
    S("en", "Stop all timers."),
    S("en", "Who wrote Romeo and Juliet?"),
    S("en", "How do airplanes fly?"),
    S("en", "Turn off the lights."),
    S("en", "Give me a recipe for pancakes."),
    S("en", "Good morning, how are you?"),
)

# -- real human English (pocketsphinx-testdata) ----------------------------------------------

def _ps_transcripts(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r"\s*<s>(.*)</s>\s*\((.+)\)\s*$", line)
        if m:
            out[m.group(2).strip()] = " ".join(m.group(1).split())
    return out


def human_clips(which: str) -> list[tuple[str, Path, str]]:
    """(name, file, transcript) of real English speech; ``test``: the clips with Debian's
    transcripts (goforward, librivox, cards); ``dev``: the others (no transcript: language
    ID only)."""
    if not PS_DATA.is_dir():
        return []
    if which == "dev":
        return [(p.name, p, "") for p in (PS_DATA / "numbers.raw", PS_DATA / "something.raw",
                                          PS_DATA / "tidigits/dhd.2934z.raw") if p.is_file()]
    out = []
    if (PS_DATA / "goforward.raw").is_file():
        out.append(("goforward.raw", PS_DATA / "goforward.raw", "go forward ten meters"))
    for folder in ("librivox", "cards"):
        transcripts = PS_DATA / folder / ("transcription" if folder == "librivox"
                                          else "cards.transcription")
        if not transcripts.is_file():
            continue
        for key, text in sorted(_ps_transcripts(transcripts).items()):
            wav = PS_DATA / folder / f"{key}.wav"
            if wav.is_file():
                out.append((f"{folder}/{key}", wav, text))
    return out


def read_human(path: Path) -> np.ndarray:
    """16 kHz mono float32 from a pocketsphinx test file (.raw is 16-bit LE, 16 kHz)."""
    if path.suffix == ".raw":
        return np.fromfile(path, dtype="<i2").astype(np.float32) / 32768.0
    from vaani.audio import read_audio, to_pipeline

    audio, rate = read_audio(path)
    return to_pipeline(audio, rate)


# -- scoring --------------------------------------------------------------------------------

_ALT = re.compile(r"\{([^{}]*)\}")
_DEVA_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def normalize(text: str) -> str:
    """NFC, case folded, Devanagari digits ASCII, punctuation to spaces, single spaces."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_DEVA_DIGITS)
    text = "".join(ch if (ch.isalnum() or unicodedata.category(ch).startswith("M")) else " "
                   for ch in text)
    return " ".join(text.split())


def expand(reference: str, limit: int = 256) -> list[str]:
    """Every reading of ``reference``: ``"{पाँच|5} मिनट"`` -> ``["पाँच मिनट", "5 मिनट"]``."""
    parts = _ALT.split(reference)
    choices = [[p] if i % 2 == 0 else p.split("|") for i, p in enumerate(parts)]
    out = []
    for combo in itertools.islice(itertools.product(*choices), limit):
        out.append(normalize("".join(combo)))
    return out


def edits(a: list[str] | str, b: list[str] | str) -> int:
    """Levenshtein distance."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def cer(hyp: str, ref: str) -> float:
    return edits(hyp, ref) / max(1, len(ref))


def wer(hyp: str, ref: str) -> float:
    return edits(hyp.split(), ref.split()) / max(1, len(ref.split()))


_VOWELS = dict(zip("अआइईउऊऋएऐओऔऑ", "a aa i ii u uu ri e ai o au o".split()))
_MATRAS = dict(zip("\u093e\u093f\u0940\u0941\u0942\u0943\u0947\u0948\u094b\u094c\u0949\u0945",
                   "aa i ii u uu ri e ai o au o e".split()))
_CONSONANTS = dict(zip(
    "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहक़ख़ग़ज़ड़ढ़फ़य़",
    ("k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h "
     "k kh g j r rh f y").split()))


def romanize(text: str) -> str:
    """A plain Devanagari -> Latin spelling (inherent 'a', final schwa dropped, nasals as n),
    for comparing scripts: not a transliteration standard."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    for word in text.split():
        letters: list[str] = []
        pending = False                     # a consonant's inherent 'a' not yet written
        for ch in word:
            if ch in _CONSONANTS:
                if pending:
                    letters.append("a")
                letters.append(_CONSONANTS[ch])
                pending = True
            elif ch in _MATRAS:
                letters.append(_MATRAS[ch])
                pending = False
            elif ch == "\u094d":            # virama
                pending = False
            elif ch in "\u0902\u0901":      # anusvara, chandrabindu
                if pending:
                    letters.append("a")
                letters.append("n")
                pending = False
            elif ch in _VOWELS:
                if pending:
                    letters.append("a")
                letters.append(_VOWELS[ch])
                pending = False
            elif ch in "\u093c\u0903":
                continue
            else:
                if pending:
                    letters.append("a")
                letters.append(ch)
                pending = False
        out.append("".join(letters))        # a final inherent 'a' is not said in Hindi
    return " ".join(out)


def translit_key(text: str) -> str:
    """One folded Latin spelling of normalised text in either script."""
    from vaani.language import roman_key

    words = romanize(text).split()
    return " ".join(roman_key(w) if w.isascii() and w.isalpha() else w for w in words)


def score(hyp: str, refs: tuple[str, ...]) -> dict[str, float]:
    """Best CER, WER and transliteration-invariant CER of ``hyp`` over the references and
    their alternatives."""
    h = normalize(hyp)
    readings = [r for ref in refs for r in expand(ref)]
    hk = translit_key(h)
    return {"cer": min(cer(h, r) for r in readings),
            "wer": min(wer(h, r) for r in readings),
            "cer_translit": min(cer(hk, translit_key(r)) for r in readings)}


# -- the pipeline's cut -------------------------------------------------------------------

class Segmenter:
    """Cuts a clip the way the pipeline cuts an utterance for ASR: the configured VAD and
    endpointer, from the first voice onset (minus the pre-roll) to the last pause; a clip
    that the endpointer splits into several turns is kept whole (one sentence, one score)."""

    def __init__(self, config: Any, vad: Any) -> None:
        from vaani.stages.endpoint import Endpointer

        v = config.vad
        self.endpointer = Endpointer(vad, threshold=v.threshold, hangover_ms=v.hangover_ms,
                                     min_speech_ms=v.min_speech_ms, pre_roll_ms=v.pre_roll_ms,
                                     max_utterance_s=v.max_utterance_s)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        from vaani.stages.endpoint import EndOfTurn, Pause

        ep = self.endpointer
        ep.reset()
        rate = 16000
        block = ep.frame
        cuts: list[tuple[float, float]] = []
        start: float | None = None
        pad = np.zeros(rate, np.float32)             # let the last turn end by silence
        x = np.concatenate([np.asarray(audio, np.float32), pad])
        for i in range(0, len(x) - block + 1, block):
            at = i / rate
            for ev in ep.process(x[i:i + block], at):
                if isinstance(ev, Pause) and start is None:
                    start = ev.at - len(ev.audio) / rate + ep.frame_s * ep.pause_frames
                if isinstance(ev, (Pause, EndOfTurn)):
                    end = ev.at + ep.frame_s * ep.pause_frames
                    if isinstance(ev, EndOfTurn):
                        begin = start if start is not None else ev.at - len(ev.audio) / rate
                        cuts.append((begin, end))
                        start = None
        for ev in ep.flush(len(x) / rate):
            cuts.append((ev.at - len(ev.audio) / rate, ev.at))
        if not cuts:
            return np.asarray(audio, np.float32)
        a = max(0, int(min(c[0] for c in cuts) * rate))
        b = min(len(audio), int(max(c[1] for c in cuts) * rate))
        return np.asarray(audio[a:b], np.float32)


# -- spoken skill commands ------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    text: str                 # what the Hindi voice reads
    skill: str                # clock | timer | calculator
    expect: Any               # clock: (intent, day offset); timer: seconds; calculator: value
    hinglish: bool = False


def C(text: str, skill: str, expect: Any, hinglish: bool = False) -> Command:
    return Command(text, skill, expect, hinglish)


COMMANDS = {
    "test": (
        C("अभी क्या समय हुआ है?", "clock", ("time", 0)),
        C("कितने बजे हैं?", "clock", ("time", 0)),
        C("समय बताओ।", "clock", ("time", 0)),
        C("आज कौन सा दिन है?", "clock", ("day", 0)),
        C("आज की तारीख क्या है?", "clock", ("date", 0)),
        C("कल कौन सा दिन होगा?", "clock", ("day", 1)),
        C("परसों कौन सा दिन था?", "clock", ("day", -2)),
        C("टाइम क्या हुआ है?", "clock", ("time", 0), hinglish=True),
        C("पाँच मिनट का टाइमर लगाओ।", "timer", 300),
        C("दस मिनट का टाइमर लगा दो।", "timer", 600),
        C("टाइमर लगाओ तीन मिनट का।", "timer", 180),
        C("बीस सेकंड का टाइमर लगाओ।", "timer", 20),
        C("एक घंटे का टाइमर लगाओ।", "timer", 3600),
        C("पंद्रह मिनट का टाइमर लगाओ।", "timer", 900),
        C("दो मिनट का टाइमर सेट करो।", "timer", 120, hinglish=True),
        C("टाइमर सेट करो सात मिनट का।", "timer", 420, hinglish=True),
        C("पच्चीस गुणा चार कितना होता है?", "calculator", 100),
        C("सौ में से बीस घटाओ।", "calculator", 80),
        C("बारह गुणा बारह कितना होता है?", "calculator", 144),
        C("पचास भाग पाँच।", "calculator", 10),
        C("नौ गुणा छह कितना होता है?", "calculator", 54),
        C("साठ में से दस घटाओ।", "calculator", 50),
        C("दस और पाँच जोड़ो।", "calculator", 15),
        C("आठ प्लस सात कितना होता है?", "calculator", 15, hinglish=True),
    ),
    "dev": (
        C("क्या समय हो गया है?", "clock", ("time", 0)),
        C("घड़ी में कितने बजे हैं?", "clock", ("time", 0)),
        C("ज़रा समय बताइए।", "clock", ("time", 0)),
        C("आज क्या दिन है?", "clock", ("day", 0)),
        C("आज कौन सी तारीख है?", "clock", ("date", 0)),
        C("कल कौन सा दिन था?", "clock", ("day", -1)),
        C("परसों कौन सा दिन होगा?", "clock", ("day", 2)),
        C("अभी टाइम क्या है?", "clock", ("time", 0), hinglish=True),
        C("चार मिनट का टाइमर लगाओ।", "timer", 240),
        C("आठ मिनट का टाइमर लगा दो।", "timer", 480),
        C("तीस सेकंड का टाइमर लगाओ।", "timer", 30),
        C("दो घंटे का टाइमर लगाओ।", "timer", 7200),
        C("बारह मिनट का टाइमर लगाओ।", "timer", 720),
        C("टाइमर लगाओ छह मिनट का।", "timer", 360),
        C("नौ मिनट का टाइमर सेट करो।", "timer", 540, hinglish=True),
        C("टाइमर सेट करो चालीस सेकंड का।", "timer", 40, hinglish=True),
        C("बीस गुणा तीन कितना होता है?", "calculator", 60),
        C("पचास में से पाँच घटाओ।", "calculator", 45),
        C("सात गुणा आठ कितना होता है?", "calculator", 56),
        C("सौ भाग चार।", "calculator", 25),
        C("छह गुणा छह कितना होता है?", "calculator", 36),
        C("चालीस में से दस घटाओ।", "calculator", 30),
        C("बीस और तीस जोड़ो।", "calculator", 50),
        C("नौ प्लस छह कितना होता है?", "calculator", 15, hinglish=True),
    ),
}


def check_command(command: Command, turn: Any, today: Any) -> str:
    """"" if the expected skill gave the expected answer, else what went wrong."""
    from datetime import timedelta

    want = f"plugin:{command.skill}"
    if turn is None:
        return "no turn"
    if turn.source != want:
        return f"answered by {turn.source or turn.outcome or 'nobody'}"
    data = turn.data or {}
    if command.skill == "clock":
        intent, offset = command.expect
        if data.get("intent") != intent:
            return f"intent {data.get('intent')}"
        if data.get("date") != (today + timedelta(days=offset)).isoformat():
            return f"date {data.get('date')}"
        return ""
    if command.skill == "timer":
        if data.get("action") != "set" or data.get("seconds") != command.expect:
            return f"timer {data.get('action')} {data.get('seconds')}"
        return ""
    if data.get("value") != command.expect:
        return f"value {data.get('value')}"
    return ""


# -- running ------------------------------------------------------------------------------

BASELINE = {"hindi_prompt": "", "hindi_repetition_penalty": 1.0, "language_rule": "legacy",
            "hindi_scripts_only": False}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", help="write the JSON report here")
    p.add_argument("--set", choices=("test", "dev"), default="test",
                   help="test: the reported sentences (default); dev: the tuning ones")
    p.add_argument("--system", action="append", default=[], metavar="NAME:KEY=VALUE;...",
                   help="a configuration to measure: asr.options keys and beam_size, e.g. "
                   "'p2:hindi_prompt=जी, बताइए।;hindi_beam_size=3' (repeatable). Default: "
                   "baseline (today's decoding) and vaani (the configured one)")
    p.add_argument("--no-skills", action="store_true", help="skip the spoken skill commands")
    p.add_argument("--no-forced", action="store_true",
                   help="skip the decodes with the language given (assistant.language set)")
    p.add_argument("--limit", type=int, default=0, help="at most this many sentences per kind")


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_system(spec: str) -> tuple[str, dict[str, Any]]:
    name, _, rest = spec.partition(":")
    options: dict[str, Any] = {}
    for item in filter(None, (x.strip() for x in rest.split(";"))):
        key, eq, value = item.partition("=")
        if not eq:
            raise SystemExit(f"--system {spec!r}: {item!r} is not KEY=VALUE")
        options[key.strip()] = _value(value.strip())
    return name.strip() or "system", options


@dataclass
class Clip:
    kind: str                 # hi | en | hinglish | human
    voice: str
    text: str
    refs: tuple[str, ...]
    language: str             # the language the user spoke (hi for Hinglish)
    audio: np.ndarray         # as the pipeline cuts it for ASR
    skill: str = ""           # the plugin that answers the sentence's own text ("" = none)


def make_clips(which: str, segment: Segmenter, models: Any, limit: int = 0) -> list[Clip]:
    from vaani.speech_fixtures import synthesize_utterance

    sentences = TEST if which == "test" else DEV
    seen: dict[str, int] = {}
    clips: list[Clip] = []
    for s in sentences:
        seen[s.kind] = seen.get(s.kind, 0) + 1
        if limit and seen[s.kind] > limit:
            continue
        voices = EN_VOICES if s.kind == "en" else HI_VOICES
        for voice in voices:
            u = synthesize_utterance(s.text, "en" if s.kind == "en" else "hi", voice,
                                     lead_s=0.5, tail_s=0.5, models=models)
            clips.append(Clip(s.kind, voice, s.text, s.references(), s.language,
                              segment(u.audio)))
    for name, path, text in human_clips(which):
        clips.append(Clip("human", "pocketsphinx", name if not text else text,
                          (text,) if text else (), "en", segment(read_human(path))))
    return clips


def _config(base: Any, options: dict[str, Any]) -> Any:
    import copy

    config = copy.deepcopy(base)
    opts = dict(options)
    if "beam_size" in opts:
        config.asr.beam_size = int(opts.pop("beam_size"))
    config.asr.options = {**config.asr.options, **opts}
    config.trace.enabled = False
    config.validate()
    return config


def _mean(values: list[float]) -> float | None:
    return round(statistics.mean(values), 4) if values else None


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def transcribe(assistant: Any, clip: Clip, forced: bool) -> dict[str, Any]:
    """One clip through the ASR engine and language resolution, as the pipeline does."""
    resolver = assistant.pipeline.language
    language = clip.language if forced else None
    t = time.perf_counter()
    result = assistant.engines.asr.process(clip.audio, language)
    ms = (time.perf_counter() - t) * 1000
    text = result.text.strip()
    resolved = resolver.process(text, result.language) if text else result.language
    if forced:
        resolved = clip.language
    row: dict[str, Any] = {"kind": clip.kind, "voice": clip.voice, "text": clip.text,
                           "mode": "forced" if forced else "auto", "heard": text,
                           "raw": result.segments[0][2] if result.segments else "",
                           "asr_language": result.language, "language": resolved,
                           "rejected": result.rejected, "ms": round(ms, 1),
                           "language_ok": resolved == clip.language}
    if clip.refs:
        row.update({k: round(v, 4) for k, v in score(text, clip.refs).items()})
    if not forced:
        row["skill"] = skill_of(assistant, text, resolved) if text else ""
        row["wrong_skill"] = bool(row["skill"]) and row["skill"] != clip.skill
    return row


def skill_of(assistant: Any, text: str, language: str) -> str:
    """The plugin that answers ``text`` ("" = none: the LLM would); a timer it sets is
    cancelled at once."""
    from vaani.hookspecs import Utterance

    answer = assistant.host.handle(Utterance(text, language), 2000)
    if answer is None:
        return ""
    if answer.plugin == "timer" and answer.reply.data.get("action") == "set":
        assistant.host.handle(Utterance("cancel all timers", "en"), 2000)
    return answer.plugin


def run_commands(assistant: Any, which: str, voices: tuple[str, ...], models: Any,
                 today: Any, cache: dict[tuple[str, str], np.ndarray]) -> list[dict[str, Any]]:
    """The spoken skill commands through the whole pipeline (VAD, ASR, language, plugins,
    LLM if no plugin answers), checked against the skills' data."""
    from vaani.audio import ArraySource
    from vaani.hookspecs import Utterance
    from vaani.speech_fixtures import synthesize_utterance

    rows = []
    for command in COMMANDS[which]:
        for voice in voices:
            key = (command.text, voice)
            if key not in cache:
                cache[key] = synthesize_utterance(command.text, "hi", voice, lead_s=0.5,
                                                  tail_s=1.0, models=models).audio
            pipeline = assistant.pipeline
            pipeline.reset()
            t = time.perf_counter()
            turns = pipeline.run(ArraySource(cache[key], realtime=False, name=command.text),
                                 max_turns=1)
            ms = (time.perf_counter() - t) * 1000
            turn = turns[0] if turns else None
            problem = check_command(command, turn, today)
            row = {"command": command.text, "skill": command.skill, "voice": voice,
                   "hinglish": command.hinglish, "heard": turn.transcript if turn else "",
                   "language": turn.language if turn else "",
                   "source": turn.source if turn else "", "reply": turn.reply if turn else "",
                   "correct": not problem, "problem": problem, "turn_ms": round(ms, 1)}
            if turn is not None and turn.source == "plugin:timer" and \
                    (turn.data or {}).get("action") == "set":
                cancel = assistant.host.handle(Utterance("सारे टाइमर बंद करो", "hi"), 2000)
                gone = cancel.reply.data.get("cancelled", []) if cancel else []
                row["cancelled"] = turn.data.get("id") in gone
                if not row["cancelled"]:
                    row["correct"], row["problem"] = False, "the timer was not cancelled"
            rows.append(row)
    return rows


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """CER/WER/LID/time per (kind, voice), per kind and overall, for one system and mode."""
    def block(group: list[dict[str, Any]]) -> dict[str, Any]:
        scored = [r for r in group if "cer" in r]
        out: dict[str, Any] = {"n": len(group)}
        if scored:
            out.update(cer=_mean([r["cer"] for r in scored]),
                       wer=_mean([r["wer"] for r in scored]),
                       cer_translit=_mean([r["cer_translit"] for r in scored]))
        if any("skill" in r for r in group):
            out["wrong_skill"] = sum(1 for r in group if r.get("wrong_skill"))
        out.update(language_id=_mean([1.0 if r["language_ok"] else 0.0 for r in group]),
                   rejected=sum(1 for r in group if r["rejected"]),
                   ms_mean=round(statistics.mean(r["ms"] for r in group), 1),
                   ms_p50=_pct([r["ms"] for r in group], 0.5),
                   ms_p90=_pct([r["ms"] for r in group], 0.9))
        return out

    out: dict[str, Any] = {"by_voice": {}, "by_kind": {}}
    for key in sorted({(r["kind"], r["voice"]) for r in rows}):
        out["by_voice"][f"{key[0]}/{key[1]}"] = block(
            [r for r in rows if (r["kind"], r["voice"]) == key])
    for kind in sorted({r["kind"] for r in rows}):
        out["by_kind"][kind] = block([r for r in rows if r["kind"] == kind])
    out["all"] = block(rows)
    return out


def summarize_commands(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def rate(group: list[dict[str, Any]]) -> dict[str, Any]:
        n = len(group)
        ok = sum(r["correct"] for r in group)
        return {"n": n, "correct": ok, "rate": round(ok / n, 4) if n else None}

    return {"all": rate(rows),
            "by_voice": {v: rate([r for r in rows if r["voice"] == v])
                         for v in sorted({r["voice"] for r in rows})},
            "by_skill": {s: rate([r for r in rows if r["skill"] == s])
                         for s in sorted({r["skill"] for r in rows})},
            "hinglish": rate([r for r in rows if r["hinglish"]])}


def _ratio(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old == 0:
        return None
    return round(new / old, 3)


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from vaani import config as config_mod
    from vaani.assistant import Assistant
    from vaani.engines import EngineContext
    from vaani.models import ModelStore
    from vaani.offline import block_network

    base = config_mod.load(getattr(args, "config", None))
    systems = [parse_system(s) for s in args.system] or [("baseline", BASELINE),
                                                         ("vaani", {})]
    store = ModelStore.from_config(base)
    needs = ("asr",) if args.no_skills else ("vad", "asr", "llm", "tts")
    report: dict[str, Any] = {
        "bench": "asr", "set": args.set, "machine": platform.machine(),
        "python": platform.python_version(), "asr_model": base.asr.model,
        "systems": {name: options for name, options in systems},
        "goals": {}, "summary": {}, "commands": {}, "rows": [], "command_rows": []}
    with block_network():
        assistants = {}
        try:
            for name, options in systems:
                a = Assistant(_config(base, options), needs=needs, trace=False,
                              require_wake_word=False, models=store)
                assistants[name] = a.start()
            first = next(iter(assistants.values()))
            vad = first.host.create_engine("vad", base.vad.engine, EngineContext(
                config=base, models=store, options=dict(base.vad.options), model=base.vad.model))
            t0 = time.perf_counter()
            clips = make_clips(args.set, Segmenter(base, vad), store, args.limit)
            for clip in clips:
                clip.skill = skill_of(first, clip.text, clip.language) if clip.refs else ""
            print(f"{len(clips)} clips ({args.set}) made in {time.perf_counter() - t0:.0f} s",
                  flush=True)
            modes = (False,) if args.no_forced else (False, True)
            for i, clip in enumerate(clips):
                for forced in modes:
                    if forced and clip.kind == "human":
                        continue
                    for name, a in assistants.items():       # interleaved: same load
                        row = transcribe(a, clip, forced)
                        row["system"] = name
                        report["rows"].append(row)
                        if not forced:
                            print(f"[{i + 1}/{len(clips)}] {name:9} {clip.kind:8} "
                                  f"{clip.voice[:20]:20} {row.get('cer', float('nan')):5.2f} "
                                  f"{row['language']} {row['ms']:5.0f} ms {row['heard'][:50]!r}",
                                  flush=True)
            if not args.no_skills:
                today = datetime.now().astimezone().date()
                cache: dict[tuple[str, str], np.ndarray] = {}
                for name, a in assistants.items():
                    rows = run_commands(a, args.set, HI_VOICES, store, today, cache)
                    for r in rows:
                        r["system"] = name
                        print(f"  skills {name:9} {r['voice'][:10]:10} {r['correct']!s:5} "
                              f"{r['command']} -> {r['heard']!r} ({r['problem']})", flush=True)
                    report["command_rows"] += rows
        finally:
            for a in assistants.values():
                a.close()
    names = [n for n, _ in systems]
    for name in names:
        mine = [r for r in report["rows"] if r["system"] == name]
        forced_rows = [r for r in mine if r["mode"] == "forced"]
        report["summary"][name] = {
            "auto": summarize([r for r in mine if r["mode"] == "auto"]),
            "forced": summarize(forced_rows) if forced_rows else {}}
        cmd = [r for r in report["command_rows"] if r["system"] == name]
        if cmd:
            report["commands"][name] = summarize_commands(cmd)
    if len(names) >= 2:
        report["ratios"] = ratios(report, names[-1], names[0])
    report["goals"] = goals(report, names[-1])
    print_table(report, names)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(f"report: {args.out}")
    return 0


def ratios(report: dict[str, Any], new: str, old: str) -> dict[str, Any]:
    """new / old for every CER, WER, time and rate in the summaries."""
    out: dict[str, Any] = {"of": f"{new} / {old}", "auto": {}}
    a, b = report["summary"][new]["auto"], report["summary"][old]["auto"]
    for group in ("by_voice", "by_kind"):
        for key, s in a[group].items():
            o = b[group].get(key, {})
            out["auto"][key] = {m: _ratio(s.get(m), o.get(m))
                                for m in ("cer", "wer", "cer_translit", "language_id", "ms_mean")
                                if s.get(m) is not None}
    out["auto"]["all"] = {m: _ratio(a["all"].get(m), b["all"].get(m))
                          for m in ("language_id", "ms_mean", "ms_p50")}
    if new in report["commands"] and old in report["commands"]:
        out["commands"] = _ratio(report["commands"][new]["all"]["rate"],
                                 report["commands"][old]["all"]["rate"])
    return out


def goals(report: dict[str, Any], name: str) -> dict[str, Any]:
    s = report["summary"][name]["auto"]
    fest = s["by_voice"].get("hi/festival:hindi_NSK_diphone", {}).get("cer")
    lid = s["all"].get("language_id")
    cmd = report["commands"].get(name, {}).get("all", {}).get("rate")
    out = {}
    for key, value, target, better in (("hindi_cer_festival", fest, GOALS["hindi_cer_festival"], "lower"),
                                       ("language_id", lid, GOALS["language_id"], "higher"),
                                       ("hindi_skills", cmd, GOALS["hindi_skills"], "higher")):
        if value is None:
            continue
        met = value <= target if better == "lower" else value >= target
        out[key] = {"value": value, "target": target, "met": met,
                    "missed_by": 0.0 if met else round(abs(value - target), 4)}
        if not met:
            out[key]["why"] = why(key, s, report.get("commands", {}).get(name, {}))
    return out


def why(goal: str, s: dict[str, Any], commands: dict[str, Any]) -> str:
    """What the measurements say about a missed goal."""
    def get(key: str, metric: str) -> Any:
        return s["by_voice"].get(key, {}).get(metric)

    fest, espeak = "hi/festival:hindi_NSK_diphone", "hi/espeak:hi"
    if goal == "hindi_cer_festival":
        return (f"whisper-base hears the synthetic Hindi poorly, not only in the wrong script: "
                f"even comparing sounds across scripts (cer_translit) {get(fest, 'cer_translit')}"
                f" of the festival voice is wrong ({get(espeak, 'cer_translit')} on espeak-ng). "
                "Prompt wordings, repetition penalty, beam, encoder window and lead silence "
                "were tried on the dev set (best festival CER 0.46 with beam 3, 0.48 greedy); "
                "the rest needs a larger or Hindi-tuned Whisper, and none is packaged")
    if goal == "language_id":
        return ("clips sent to the wrong language are listed in rows (language_ok false): "
                "whisper-base gives spoken Hindi tiny probabilities, and an unsure English "
                "decode can out-score a poor Hindi one")
    n, ok = commands.get("all", {}).get("n"), commands.get("all", {}).get("correct")
    return (f"{ok} of {n}: a skill answers only when every word it needs is heard (a number, "
            "a unit, the word timer, a question word), and at the CER above a transcript "
            "rarely has them all (command_rows: heard). Whisper's spellings of the skill words "
            "were added where they are no other word; widening further would take non-commands "
            "(precision first). Evidence for the next step: Whisper's own forced scores put "
            "the true command first among the 24 dev commands for 46 of 48 dev clips, so "
            "rescoring against the skills' phrases would get most of them (about 45 ms a "
            "candidate on this CPU)")


def print_table(report: dict[str, Any], names: list[str]) -> None:
    print()
    head = f"{'auto language':38}" + "".join(f"{n:>34}" for n in names)
    print(head)
    print(f"{'':38}" + "".join(f"{'CER':>8}{'WER':>7}{'LID':>7}{'ms':>7}{'':>5}" for _ in names))
    keys = list(report["summary"][names[0]]["auto"]["by_voice"])
    keys += [f"all {k}" for k in report["summary"][names[0]]["auto"]["by_kind"]] + ["all"]
    for key in keys:
        cells = []
        for n in names:
            s = report["summary"][n]["auto"]
            b = s["all"] if key == "all" else (s["by_kind"][key[4:]] if key.startswith("all ")
                                                 else s["by_voice"][key])
            cer = f"{b['cer']:8.3f}" if b.get("cer") is not None else f"{'-':>8}"
            wer = f"{b['wer']:7.3f}" if b.get("wer") is not None else f"{'-':>7}"
            cells.append(f"{cer}{wer}{b['language_id']:7.2f}{b['ms_mean']:7.0f}{'':>5}")
        print(f"{key[:38]:38}" + "".join(cells))
    for n in names:
        c = report["commands"].get(n)
        if c:
            per = ", ".join(f"{v}: {r['correct']}/{r['n']}" for v, r in c["by_voice"].items())
            print(f"spoken Hindi skill commands ({n}): {c['all']['correct']}/{c['all']['n']} "
                  f"= {c['all']['rate']:.0%} ({per})")
    for n in names:
        wrong = report["summary"][n]["auto"]["all"].get("wrong_skill")
        if wrong is not None:
            print(f"wrong skill answers ({n}): {wrong} of {report['summary'][n]['auto']['all']['n']}"
                  " clips (a skill answered, but not the one the sentence's own text gets)")
    for key, g in report["goals"].items():
        print(f"goal {key}: {g['value']} (target {g['target']}) "
              f"{'met' if g['met'] else 'MISSED by ' + str(g['missed_by'])}")
