"""The TTS text front end: what Hindi and English voices are given to say."""

import random
import re

import pytest

from vaani.textnorm import (english_year, hindi_clock, hindi_duration, hindi_time, hindi_year,
                            normalize, to_devanagari)

HINDI = [
    # money
    ("₹1,50,000", "एक लाख पचास हज़ार रुपये"),
    ("₹ 500", "पाँच सौ रुपये"),
    ("₹1", "एक रुपया"),
    ("₹10.50", "दस रुपये पचास पैसे"),
    ("₹5 लाख", "पाँच लाख रुपये"),
    ("₹2.5 करोड़", "दो करोड़ पचास लाख रुपये"),
    ("Rs. 500", "पाँच सौ रुपये"),
    ("500 रुपये", "पाँच सौ रुपये"),
    ("1,00,000/-", "एक लाख रुपये"),
    ("$5", "पाँच डॉलर"),
    # times
    ("10:30", "साढ़े दस बजे"),
    ("10:30 बजे मिलते हैं", "साढ़े दस बजे मिलते हैं"),
    ("10:15", "सवा दस बजे"),
    ("10:45", "पौने ग्यारह बजे"),
    ("12:45", "पौने एक बजे"),
    ("1:30", "डेढ़ बजे"),
    ("2:30", "ढाई बजे"),
    ("10:00", "दस बजे"),
    ("10:20", "दस बजकर बीस मिनट"),
    ("4:35 PM", "शाम के चार बजकर पैंतीस मिनट"),
    ("9:05 am", "सुबह के नौ बजकर पाँच मिनट"),
    ("14:30", "दोपहर के ढाई बजे"),
    ("22:00", "रात के दस बजे"),
    ("0:15", "रात के सवा बारह बजे"),
    # dates
    ("15/08/2025", "पंद्रह अगस्त दो हज़ार पच्चीस"),
    ("15-08-2025", "पंद्रह अगस्त दो हज़ार पच्चीस"),
    ("2025-08-15", "पंद्रह अगस्त दो हज़ार पच्चीस"),
    ("26.01.1950", "छब्बीस जनवरी उन्नीस सौ पचास"),
    ("आज 15 अगस्त 2025 है।", "आज पंद्रह अगस्त दो हज़ार पच्चीस है।"),
    ("1 जनवरी", "एक जनवरी"),
    ("सन् 1999 में", "सन् उन्नीस सौ निन्यानवे में"),
    ("1947 में आज़ादी मिली", "उन्नीस सौ सैंतालीस में आज़ादी मिली"),
    # numbers
    ("3.14", "तीन दशमलव एक चार"),
    ("-5 डिग्री", "माइनस पाँच डिग्री"),
    ("25°C", "पच्चीस डिग्री सेल्सियस"),
    ("100", "सौ"),
    ("105", "एक सौ पाँच"),
    ("1,23,45,678", "एक करोड़ तेईस लाख पैंतालीस हज़ार छह सौ अठहत्तर"),
    ("१२ बजे", "बारह बजे"),
    ("15% छूट", "पंद्रह प्रतिशत छूट"),
    ("2-3 दिन", "दो से तीन दिन"),
    ("5 + 3 = 8", "पाँच प्लस तीन बराबर आठ"),
    ("1/2 कप", "आधा कप"),
    ("3/4", "तीन चौथाई"),
    ("5km", "पाँच किलोमीटर"),
    ("2 kg आटा", "दो किलो आटा"),
    ("मेरा नंबर 9876543210 है", "मेरा नंबर नौ आठ सात छह पाँच चार तीन दो एक शून्य है"),
    ("पिन 0123", "पिन शून्य एक दो तीन"),
    # ordinals
    ("5वीं कक्षा", "पाँचवीं कक्षा"),
    ("1ला", "पहला"),
    ("21st सदी", "इक्कीसवाँ सदी"),
    # abbreviations and English words
    ("डॉ. शर्मा", "डॉक्टर शर्मा"),
    ("Dr. Sharma", "डॉक्टर शर्मा"),
    ("टाइमर set करो", "टाइमर सेट करो"),
    ("USB और AI", "यू एस बी और ए आई"),
    ("मैंने laptop पर Google खोला", "मैंने लैपटॉप पर गूगल खोला"),
    ("OK, timer लगा दिया", "ओके, टाइमर लगा दिया"),
    ("आपका 5 minute का timer", "आपका पाँच मिनट का टाइमर"),
    ("aap kaise ho", "आप कैसे हो"),
    ("नमस्ते!", "नमस्ते!"),
    ("iPhone 15 अच्छा है", "आईफ़ोन पंद्रह अच्छा है"),
    ("COVID के दौरान", "कोविड के दौरान"),
    ("5G फ़ोन", "पाँच जी फ़ोन"),
    ("500g आटा", "पाँच सौ ग्राम आटा"),
    ("Hello, I am Vaani.", "हेलो, आई अम वाणी."),
    # Hindi says डेढ़ लाख, ढाई किलो, सवा तीन घंटे
    ("1.5 लाख लोग", "डेढ़ लाख लोग"),
    ("2.5 किलो", "ढाई किलो"),
    ("3.5 घंटे", "साढ़े तीन घंटे"),
    ("0.5 लीटर", "आधा लीटर"),
    ("3.25 किलो", "सवा तीन किलो"),
    ("4.75 मीटर", "पौने पाँच मीटर"),
    ("1.2 लाख", "एक लाख बीस हज़ार"),
    ("2.5 गुना", "ढाई गुना"),
    ("10:30-11:30 बजे", "साढ़े दस बजे से साढ़े ग्यारह बजे"),
]

ENGLISH = [
    ("₹1,50,000", "one lakh fifty thousand rupees"),
    ("₹2.5 crore", "two crore fifty lakh rupees"),
    ("₹10.50", "ten rupees and fifty paise"),
    ("$5", "five dollars"),
    ("$1", "one dollar"),
    ("It's 4:35 PM.", "It's four thirty-five P M."),
    ("It's 4:35 p.m. today", "It's four thirty-five P M today"),
    ("10:00", "ten o'clock"),
    ("10:05", "ten oh five"),
    ("16:35", "four thirty-five P M"),
    ("The meeting is at 10:30 AM on 5th March.",
     "The meeting is at ten thirty A M on the fifth of March."),
    ("15/08/2025", "the fifteenth of August, twenty twenty-five"),
    ("Today is Friday, August 15, 2025.",
     "Today is Friday, August fifteenth, twenty twenty-five."),
    ("1st January", "the first of January"),
    ("in 1999", "in nineteen ninety-nine"),
    ("in 2005", "in two thousand five"),
    ("21st century", "twenty-first century"),
    ("15% off", "fifteen percent off"),
    ("15 percent of 240 is 36.", "fifteen percent of two hundred forty is thirty-six."),
    ("10 divided by 3 is about 3.3333.", "ten divided by three is about three point three three three three."),
    ("Minus 5 plus 3 is -2.", "Minus five plus three is minus two."),
    ("1,234,567", "one million two hundred thirty-four thousand five hundred sixty-seven"),
    ("2 × 3 = 6", "two times three equals six"),
    ("Dr. Sharma", "Doctor Sharma"),
    ("No. 5", "number five"),
    ("Say no.", "Say no."),
    ("I have 3 apples & 2 oranges", "I have three apples and two oranges"),
    ("Your 5 minute timer is done.", "Your five minute timer is done."),
    ("It weighs 1 kg", "It weighs one kilogram"),
    ("It is 25°C", "It is twenty-five degrees Celsius"),
    ("Call 9876543210", "Call nine eight seven six five four three two one zero"),
    ("2-3 days", "two to three days"),
    ("Hello there!", "Hello there!"),
    ("The 2nd of October", "The second of October"),
    ("10:30 - 11:30", "ten thirty to eleven thirty"),
    ("1.5 million", "one point five million"),
]


@pytest.mark.parametrize("text, spoken", HINDI)
def test_hindi(text, spoken):
    assert normalize(text, "hi") == spoken


@pytest.mark.parametrize("text, spoken", ENGLISH)
def test_english(text, spoken):
    assert normalize(text, "en") == spoken


def test_other_languages_pass_through():
    assert normalize("10:30 ₹5", "fr") == "10:30 ₹5"
    assert normalize("", "hi") == ""


def test_hindi_output_has_no_digits_or_latin_letters():
    """Whatever mix of digits, symbols and English the LLM writes, a Hindi voice gets only
    Devanagari and punctuation (festival crashes on Latin letters)."""
    rng = random.Random(3)
    parts = ["₹1,50,000", "10:30", "15/08/2025", "25%", "3.14", "-7", "5km", "USB", "timer",
             "Google", "laptop", "2-3", "21st", "9876543210", "आज", "है", "और", "1/2", "10:45 PM",
             "२०२५", "₹10.50", "x", "A", "1,234"]
    for _ in range(300):
        text = " ".join(rng.choice(parts) for _ in range(rng.randint(1, 6)))
        out = normalize(text, "hi")
        assert not re.search(r"[0-9A-Za-z]", out), (text, out)


def test_never_raises_on_odd_input():
    rng = random.Random(5)
    alphabet = "0123456789०१२:,./-₹$%°+=×÷ abcXYZ क ख ा ि ़ ं ँ ् \u200d"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        for language in ("hi", "en"):
            assert isinstance(normalize(text, language), str)


def test_spoken_phrases():
    assert hindi_clock(16, 35) == "चार बजकर पैंतीस मिनट"
    assert hindi_time(16, 35) == "शाम के चार बजकर पैंतीस मिनट"
    assert hindi_time(9, 0) == "सुबह के नौ बजे"
    assert hindi_time(12, 30) == "दोपहर के साढ़े बारह बजे"
    assert hindi_time(13, 30) == "दोपहर के डेढ़ बजे"
    assert hindi_time(23, 45) == "रात के पौने बारह बजे"
    assert hindi_year(1999) == "उन्नीस सौ निन्यानवे" and hindi_year(2025) == "दो हज़ार पच्चीस"
    assert english_year(1999) == "nineteen ninety-nine" and english_year(1905) == "nineteen oh five"
    assert english_year(2000) == "two thousand" and english_year(1900) == "nineteen hundred"
    assert hindi_duration(90) == "डेढ़ मिनट" and hindi_duration(150) == "ढाई मिनट"
    assert hindi_duration(5400) == "डेढ़ घंटे" and hindi_duration(3725) == "एक घंटे दो मिनट पाँच सेकंड"


def test_transliteration_layers():
    assert to_devanagari("timer") == "टाइमर"          # the table
    assert to_devanagari("USB") == "यू एस बी"         # an acronym
    assert to_devanagari("PDFs") == "पी डी एफ़ज़"
    assert to_devanagari("kaise", english=False) == "कैसे"   # phonetic guess
    assert to_devanagari("blorp", guess=False) is None
