"""Units skill through the real plugin host beside the other skills: conversions in English,
Hindi and Hinglish, rounding said the way people say it, Indian counting words, money only at
the user's own rates, the LLM's convert tool, and the negative set."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest

from tests.plugins import test_calculator, test_clock, test_timer
from tests.plugins.skillhost import ask, host_of
from vaani.errors import ConfigError
from vaani.guard import Allowed, out_of_scope, unfaithful
from vaani.hookspecs import Utterance
from vaani.plugins import PluginHost

import vaani_units
from vaani_units import Converter, Settings, hindi_amount, rounded, understand


@pytest.fixture()
def host() -> Iterator[PluginHost]:
    h = host_of()
    yield h
    h.shutdown()


# (utterance, from, to, result as said)
ENGLISH = [
    ("convert 5 km to miles", "km", "mile", 3.11),
    ("Convert 5 kilometers into miles.", "km", "mile", 3.11),
    ("what is 5 km in miles", "km", "mile", 3.11),
    ("how many miles is 5 km", "km", "mile", 3.11),
    ("how many km is 5 miles", "mile", "km", 8.05),
    ("1 mile in km", "mile", "km", 1.61),
    ("100 fahrenheit in celsius", "F", "C", 37.8),
    ("What is 100 degrees Fahrenheit in Celsius?", "F", "C", 37.8),
    ("30°C in F", "C", "F", 86),
    ("37 degrees in fahrenheit", "C", "F", 98.6),
    ("minus 40 celsius in fahrenheit", "C", "F", -40),
    ("0 celsius to kelvin", "C", "K", 273.15),
    ("how many feet in a yard", "yard", "foot", 3),
    ("how many inches are there in a foot", "foot", "inch", 12),
    ("how many centimetres in an inch", "inch", "cm", 2.54),
    ("10 feet in metres", "foot", "m", 3.05),
    ("5 kg in pounds", "kg", "lb", 11),
    ("half a kilo in grams", "kg", "g", 500),
    ("how many grams in a pound", "lb", "g", 454),
    ("2 tonnes in kg", "tonne", "kg", 2000),
    ("how many kilos in a quintal", "quintal", "kg", 100),
    ("1 gallon in litres", "gal", "l", 3.79),
    ("how many ml in a litre", "l", "ml", 1000),
    ("how many tablespoons in a cup", "cup", "tbsp", 16),
    ("how many teaspoons in a tablespoon", "tbsp", "tsp", 3),
    ("how many ounces in a cup", "cup", "floz", 8.12),
    ("2 cups in ml", "cup", "ml", 480),
    ("1 acre in square feet", "acre", "ft2", 43560),
    ("1 hectare in acres", "hectare", "acre", 2.47),
    ("how many square feet in a square metre", "m2", "ft2", 10.8),
    ("100 gaj in square feet", "yd2", "ft2", 900),
    ("1 guntha in square feet", "guntha", "ft2", 1089),
    ("5 km/h in m/s", "kmh", "mps", 1.39),
    ("60 mph in km/h", "mph", "kmh", 96.6),
    ("100 kilometres per hour in miles per hour", "kmh", "mph", 62.1),
    ("how many seconds in a day", "day", "s", 86400),
    ("how many minutes in a week", "week", "min", 10080),
    ("90 minutes in hours", "min", "h", 1.5),
    ("1 GB in MB", "gb", "mb", 1024),
    ("how many bits in a byte", "byte", "bit", 8),
    ("how many lakhs in a crore", "crore", "lakh", 100),
    ("50 lakh in crore", "lakh", "crore", 0.5),
    ("1 crore in million", "crore", "million", 10),
    ("10 lakh in million", "lakh", "million", 1),
    ("how many thousands in a lakh", "lakh", "thousand", 100),
    ("1 billion in crore", "billion", "crore", 100),
    ("convert miles to km", "mile", "km", 1.61),
]
HINDI = [
    ("पाँच किलो कितने पाउंड होते हैं", "kg", "lb", 11),
    ("पांच किलो में कितने पाउंड", "kg", "lb", 11),
    ("एक गज में कितने फ़ीट होते हैं", "yard", "foot", 3),
    ("एक किलोमीटर में कितने मीटर", "km", "m", 1000),
    ("सौ फ़ारेनहाइट कितने सेल्सियस", "F", "C", 37.8),
    ("100 डिग्री फारेनहाइट को सेल्सियस में बदलो", "F", "C", 37.8),
    ("डेढ़ लीटर को मिलीलीटर में बदलो", "l", "ml", 1500),
    ("ढाई किलो कितने ग्राम", "kg", "g", 2500),
    ("एक एकड़ में कितने वर्ग फुट", "acre", "ft2", 43560),
    ("एक घंटे में कितने मिनट", "h", "min", 60),
    ("एक करोड़ में कितने लाख होते हैं", "crore", "lakh", 100),
    ("दस लाख कितने मिलियन होते हैं", "lakh", "million", 1),
    ("एक मील कितने किलोमीटर", "mile", "km", 1.61),
    ("दो कप में कितने मिलीलीटर", "cup", "ml", 480),
    ("ek gaj mein kitne feet", "yard", "foot", 3),
    ("paanch kilo kitne pound hote hain", "kg", "lb", 11),
    ("5 km kitne mile hote hain", "km", "mile", 3.11),
    ("ek mile mein kitne kilometer", "mile", "km", 1.61),
    ("ek crore mein kitne lakh", "crore", "lakh", 100),
    ("ek lakh mein kitne hazaar", "lakh", "thousand", 100),
    ("ek ghante mein kitne second", "h", "s", 3600),
    ("10 kilo ko pound mein badlo", "kg", "lb", 22),
    ("100 fahrenheit ko celsius mein badal do", "F", "C", 37.8),
]


@pytest.mark.parametrize("text, source, target, result", ENGLISH + HINDI)
def test_conversions(host, text, source, target, result):
    answer = ask(host, text)
    assert answer is not None and answer.plugin == "units", text
    data = answer.reply.data
    assert (data["from"], data["to"]) == (source, target), (text, data)
    assert data["result"] == pytest.approx(result), (text, answer.reply.text)
    assert answer.reply.language == ("hi" if (text, source, target, result) in HINDI else "en")


def test_the_positive_sets_are_big_enough():
    assert len(ENGLISH) >= 40 and len(HINDI) >= 20


def test_reply_texts(host):
    def reply(text):
        return ask(host, text).reply.text

    assert reply("convert 5 km to miles") == "5 kilometres is about 3.11 miles."
    assert reply("how many feet in a yard") == "1 yard is 3 feet."
    assert reply("100 fahrenheit in celsius") == \
        "100 degrees Fahrenheit is about 37.8 degrees Celsius."
    assert reply("37 degrees in fahrenheit") == "37 degrees Celsius is 98.6 degrees Fahrenheit."
    assert reply("minus 40 celsius in fahrenheit") == \
        "Minus 40 degrees Celsius is minus 40 degrees Fahrenheit."
    assert reply("how many lakhs in a crore") == "1 crore is 100 lakh."
    assert reply("50 lakh in crore") == "50 lakh is 0.5 crore."
    assert reply("1 acre in square feet") == "1 acre is 43,560 square feet."
    assert reply("1 gallon in litres") == "1 US gallon is about 3.79 litres."
    assert reply("पाँच किलो कितने पाउंड होते हैं") == "पाँच किलो में लगभग ग्यारह पाउंड होते हैं।"
    assert reply("ek gaj mein kitne feet") == "एक गज में तीन फ़ीट होते हैं।"
    assert reply("एक फ़ुट कितने इंच") == "एक फ़ुट में बारह इंच होते हैं।"
    assert reply("100 डिग्री फारेनहाइट को सेल्सियस में बदलो") == \
        "सौ डिग्री फ़ारेनहाइट लगभग सैंतीस दशमलव आठ डिग्री सेल्सियस के बराबर है।"
    assert reply("डेढ़ लीटर को मिलीलीटर में बदलो") == \
        "डेढ़ लीटर एक हज़ार पाँच सौ मिलीलीटर के बराबर है।"
    assert reply("एक करोड़ में कितने लाख होते हैं") == "एक करोड़ में सौ लाख होते हैं।"
    assert reply("50 lakh kitne crore") == "पचास लाख में आधा करोड़ होता है।"
    assert reply("ek ghante mein kitne minute") == "एक घंटे में साठ मिनट होते हैं।"


@pytest.mark.parametrize("value, said, exact", [
    (Fraction(3), 3, True), (Fraction("2.54"), Fraction("2.54"), True),
    (Fraction("3.10686"), Fraction("3.11"), False), (Fraction("37.7778"), Fraction("37.8"), False),
    (Fraction("43560"), 43560, True), (Fraction("160.934"), 161, False),
    (Fraction("0.45359237"), Fraction("0.454"), False), (Fraction(1, 8), Fraction("0.125"), True),
    (Fraction(0), 0, True), (Fraction("-40"), -40, True),
    (Fraction("0.000621371"), Fraction("0.000621"), False),
])
def test_rounding_a_person_would_say(value, said, exact):
    assert rounded(value) == (said, exact)


def test_hindi_amounts():
    assert [hindi_amount(Fraction(x)) for x in ("0.5", "1.5", "2.5", "3.5", "7", "0.25")] == [
        "आधा", "डेढ़", "ढाई", "साढ़े तीन", "सात", "शून्य दशमलव दो पाँच"]


def test_what_cannot_be_converted_is_said_honestly(host):
    bigha = ask(host, "ek bigha mein kitne acre")
    assert bigha.plugin == "units" and bigha.reply.data["error"] == "unset"
    assert "राज्य" in bigha.reply.text
    assert ask(host, "how many square feet in a bigha").reply.data["error"] == "unset"
    cold = ask(host, "-500 celsius in kelvin")
    assert cold.reply.data["error"] == "below_absolute_zero"
    assert "absolute zero" in cold.reply.text


def test_bigha_as_configured():
    h = host_of(tables={"units": {"bigha_sq_ft": 27000}})
    try:
        answer = ask(h, "ek bigha mein kitne square feet")
        assert answer.reply.data["result"] == 27000
        assert ask(h, "1 bigha in acres").reply.text == "1 bigha is about 0.62 acres."
    finally:
        h.shutdown()


def test_config_changes_the_conventions():
    h = host_of(tables={"units": {"data_prefix": 1000, "cup_ml": 250}})
    try:
        assert ask(h, "1 GB in MB").reply.data["result"] == 1000
        assert ask(h, "2 cups in ml").reply.data["result"] == 500
    finally:
        h.shutdown()


# -- money: only at the user's own rates ----------------------------------------------------

MONEY = ["100 dollars in rupees", "how many rupees is 50 euros", "ek dollar kitne rupaye ka hai",
         "100 डॉलर कितने रुपये", "$100 in rupees", "convert 1000 rupees to dollars"]


@pytest.mark.parametrize("text", MONEY)
def test_no_money_without_rates(host, text):
    assert understand(text, "en", Converter().units) is None
    assert understand(text, "hi", Converter().units) is None
    answer = ask(host, text)
    assert answer is None or answer.plugin != "units"
    # ... and the units tool does not change what VAANI declines as a live price
    tools = [tool for _, tool in host.tools().values()]
    assert out_of_scope(text, tools) == out_of_scope(text, [])


def test_money_at_the_rates_set():
    h = host_of(tables={"units": {"rates": {"USD": 83.2, "eur": 90}}})
    try:
        assert ask(h, "100 dollars in rupees").reply.text == \
            "100 US dollars is 8,320 rupees at the rate you set."
        assert ask(h, "$100 in rupees").reply.data["result"] == 8320
        assert ask(h, "how many rupees is 50 euros").reply.data["result"] == 4500
        assert ask(h, "convert 1000 rupees to dollars").reply.data["result"] == 12
        assert ask(h, "100 डॉलर कितने रुपये").reply.text == \
            "सौ डॉलर में आपके तय किए रेट पर आठ हज़ार तीन सौ बीस रुपये होते हैं।"
        assert ask(h, "5 pounds in kg").reply.data["from"] == "lb"      # still a weight
        answer = ask(h, "100 pounds in rupees")                         # no GBP rate set
        assert answer is None or answer.plugin != "units"
    finally:
        h.shutdown()


@pytest.mark.parametrize("table, message", [
    ({"rates": {"XYZ": 2}}, "unknown currency 'XYZ'"),
    ({"rates": {"USD": -1}}, "the rate for USD must be a positive number"),
    ({"rates": {"USD": True}}, "the rate for USD must be a positive number"),
    ({"rates": [83]}, "plugins.units.rates must be a table"),
    ({"cup_ml": 0}, "plugins.units.cup_ml must be"),
    ({"data_prefix": 1023}, "plugins.units.data_prefix must be 1024 or 1000"),
    ({"bigha_sq_ft": "big"}, "plugins.units.bigha_sq_ft must be"),
    ({"currency": {}}, "unknown config key 'plugins.units.currency'"),
])
def test_config_errors(table, message):
    with pytest.raises(ConfigError, match=message):
        host_of(("units",), {"units": table})


# -- the LLM's tool -------------------------------------------------------------------------

def test_the_convert_tool(host):
    (plugin, tool), = [v for k, v in host.tools().items() if k == "convert"]
    assert plugin == "units"
    assert tool.parameters == {"value": "number", "from": "string", "to": "string"}
    result = host.call_tool("convert", {"value": 5, "from": "km", "to": "miles"}, "en",
                            utterance="how far is 5 km in miles")
    assert result == {"value": 5, "from": "kilometres", "to": "miles", "result": 3.11,
                      "exact": False}
    assert host.call_tool("convert", {"value": 100, "from": "fahrenheit", "to": "celsius"},
                          "hi", utterance="सौ फ़ारेनहाइट कितना सेल्सियस")["result"] == 37.8
    assert host.call_tool("convert", {"value": 1, "from": "yard", "to": "feet"}, "en",
                          utterance="how many feet make up a yard")["result"] == 3
    assert host.call_tool("convert", {"value": 50, "from": "lakh", "to": "crore"}, "en",
                          utterance="50 lakh is what in crore")["result"] == 0.5


@pytest.mark.parametrize("arguments, utterance", [
    ({"value": 6, "from": "km", "to": "miles"}, "convert 5 km to miles"),      # not said
    ({"value": 5, "from": "kg", "to": "pounds"}, "convert 5 km to miles"),     # not said
    ({"value": 5, "from": "km", "to": "miles"}, "what is the capital of France"),
    ({"value": 2, "from": "km", "to": "miles"}, "tell me a fun fact about the moon"),
    ({"value": 100, "from": "dollars", "to": "rupees"}, "100 dollars in rupees"),
    ({"value": 5, "from": "km", "to": "kg"}, "5 km in kg"),
    ({"value": "lots", "from": "km", "to": "miles"}, "lots of km in miles"),
    ({"value": float("nan"), "from": "km", "to": "miles"}, "nan km in miles"),
    ({"from": "km", "to": "miles"}, "km in miles"),
])
def test_the_tool_runs_only_for_what_was_asked(host, arguments, utterance):
    result = host.call_tool("convert", arguments, "en", utterance=utterance)
    assert "error" in result, result


def test_the_tool_answers_errors_it_cannot_serve():
    converter = Converter()
    assert "error" in converter.tool({"value": 1, "from": "bigha", "to": "acre"}, "en")
    assert "error" in converter.tool({"value": -500, "from": "C", "to": "K"}, "en")
    assert "error" in converter.tool({"value": 10 ** 13, "from": "km", "to": "mm"}, "en")
    assert "error" in converter.tool({"value": 1, "from": "km", "to": "km"}, "en")


@pytest.mark.parametrize("arguments", [
    {"value": 5, "from": "km", "to": "miles"}, {"value": 100, "from": "F", "to": "C"},
    {"value": 1, "from": "crore", "to": "lakh"}, {"value": 50, "from": "lakh", "to": "crore"},
    {"value": 2.5, "from": "kg", "to": "grams"}, {"value": 1, "from": "acre", "to": "sq ft"},
    {"value": 3, "from": "cups", "to": "tablespoons"}, {"value": 1, "from": "GB", "to": "MB"},
])
def test_the_tools_own_wording_is_faithful_to_its_result(arguments):
    converter = Converter()
    result = converter.tool(arguments, "en")
    assert "error" not in result, result
    for language in ("en", "hi"):
        text = converter.say(result, language)
        assert text, (arguments, language)
        allowed = Allowed()
        allowed.add(result)
        assert unfaithful(text, allowed) == "", (text, result)


def test_the_tool_description_does_not_claim_live_prices(host):
    tools = [tool for _, tool in host.tools().values()]
    for question in ("what is the gold price today", "dollar rate today",
                     "petrol ka rate kya hai", "आज डॉलर का भाव क्या है"):
        assert out_of_scope(question, tools) == ("live", "prices"), question


def test_skills_say_what_they_can_do(host):
    assert "unit conversions" in host.abilities("en")
    assert "इकाई बदलने" in host.abilities("hi")


def test_preview_is_the_same_answer(host):
    for text, language in (("convert 5 km to miles", "en"), ("ek gaj mein kitne feet", "hi")):
        u = Utterance(text, language)
        assert host.preview(u).text == host.handle(u).reply.text


# -- the negative set ------------------------------------------------------------------------

def _others_positives() -> list[str]:
    from tests.plugins.test_smalltalk import ENGLISH as TALK_EN, HINDI as TALK_HI, ROMAN

    out = [t for t, *_ in test_clock.ENGLISH + test_clock.HINDI + test_clock.ROMAN]
    out += [t for t, *_ in test_clock.RELATIVE]
    out += [t for t, *_ in test_timer.SET_ENGLISH + test_timer.SET_HINDI + test_timer.SET_ROMAN]
    out += [t for t, *_ in test_timer.CANCEL] + list(test_timer.LIST)
    out += [t for t, _ in test_calculator.ENGLISH + test_calculator.HINDI + test_calculator.ROMAN]
    out += [t for t, _ in TALK_EN + TALK_HI + ROMAN]
    return out


OTHERS = _others_positives()
NOT_UNITS = [
    "how far is Delhi from Mumbai in km", "I ran 5 km today", "what is 5 kg",
    "how many km from Delhi to Agra", "how many days until Diwali", "how many days in February",
    "convert this file to pdf", "how many minutes until 5 pm", "I weigh 60 kg",
    "what is a kilogram", "how hot is it in celsius today", "what is the temperature outside",
    "how many calories in a cup of rice", "how many grams of protein in an egg",
    "how many litres of water should I drink", "5 km plus 3 miles", "5 km 3 miles",
    "एक किलो आलू कितने का है", "दिल्ली से आगरा कितने किलोमीटर है", "मेरा वज़न साठ किलो है",
    "kal kitne degree tapman rahega", "aaj kitni garmi hai", "ek cup chai banao",
    "ek cup atta kitne gram hota hai", "1 tola sona kitne gram", "how many grams in a cup of flour",
    "lakh", "1 crore", "2 lakh plus 3 lakh", "what is 10 lakh times 2", "dus lakh ka sona",
    "how many people live in India", "how many seconds until the timer ends",
    "set a timer for 1 hour in minutes", "5 minute ka timer", "kitne baje hain",
    "90 degrees in radians", "how many degrees in a circle", "",
]


NOT_COMPARISONS = [
    "which is heavier, a metre or a foot",         # the adjective does not fit the units
    "which is longer, the Ganga or the Yamuna",    # no quantities
    "a kilo or a pound?",                          # nothing asked
    "which is cheaper, a kilo of rice or a kilo of dal",
    "5 km or 3 miles, which one should I run today",
    "which is heavier, a kilo of cotton or a kilo of iron or a kilo of gold",
    "एक किलो आलू या दो किलो प्याज़ लाऊँ",
    "which is more, 5 dollars or 400 rupees",       # money: only at the user's rates
]


def test_the_negative_sets_are_big_enough():
    assert len(OTHERS) >= 200 and len(NOT_UNITS) >= 35


@pytest.mark.parametrize("text", OTHERS)
def test_the_other_skills_requests_are_not_conversions(text):
    for language in ("en", "hi"):
        assert understand(text, language) is None, text


@pytest.mark.parametrize("text", NOT_UNITS + NOT_COMPARISONS)
def test_not_a_conversion(host, text):
    for language in ("en", "hi"):
        answer = ask(host, text, language)
        assert answer is None or answer.plugin != "units", (text, answer and answer.reply.text)


def test_handle_before_startup_still_works():
    vaani_units.vaani_shutdown()
    assert vaani_units.vaani_handle(Utterance("how many feet in a yard", "en")).text == \
        "1 yard is 3 feet."
    assert Converter(Settings()).handle(Utterance("what time is it", "en")) is None


# -- which of two quantities is more ---------------------------------------------------------

COMPARISONS = [
    # (text, language asked in, answer: left / right / equal, a phrase the reply says)
    ("Which is longer, a week or ten days?", "en", "right", "10 days is longer: 1 week is 7 days."),
    ("Which is heavier, a kilogram of cotton or a kilogram of iron?", "en", "equal",
     "They are the same: 1 kilogram is 1 kilogram, whatever it is of."),
    ("which is longer, one hour or fifty minutes", "en", "left", "1 hour is 60 minutes"),
    ("which is less, 500 grams or half a kilo", "en", "equal", "500 grams is 0.5 kilograms"),
    ("which is more, 1 mile or 1.5 km", "en", "left", "1 mile is about 1.61 kilometres"),
    ("1 litre or 900 ml, which is less?", "en", "right", "900 millilitres is less"),
    ("which is hotter, 30 celsius or 80 fahrenheit", "en", "left", "86 degrees Fahrenheit"),
    ("एक किलो रुई और एक किलो लोहे में कौन ज़्यादा भारी है?", "hi", "equal",
     "दोनों बराबर हैं: एक किलो एक किलो ही होता है, चाहे किसी भी चीज़ का हो।"),
    ("एक हफ़्ता और दस दिन में कौन सा समय ज़्यादा लंबा है?", "hi", "right",
     "दस दिन ज़्यादा लंबा है: एक हफ़्ता सात दिन के बराबर है।"),
    ("हज़ार ग्राम और एक किलो में कौन भारी है", "hi", "equal", "दोनों बराबर हैं"),
    ("Ek kilo rui aur ek kilo lohe mein kaun zyada bhaari hai?", "hi", "equal", "दोनों बराबर"),
    ("ek ghanta aur pachaas minute mein kaun kam hai", "hi", "right", "पचास मिनट कम है"),
    ("do meter ya saat feet mein kaunsa lamba hai", "hi", "right", "सात फ़ीट"),
]


@pytest.mark.parametrize("text, language, which, says", COMPARISONS)
def test_which_of_two_quantities_is_more(host, text, language, which, says):
    answer = ask(host, text, language)
    assert answer is not None and answer.plugin == "units", text
    assert answer.reply.data["kind"] == "comparison"
    assert answer.reply.data["answer"] == which, answer.reply.text
    assert says in answer.reply.text and answer.reply.language == language


def test_the_other_skills_requests_are_not_comparisons():
    from vaani_units import compare

    for text in OTHERS + NOT_UNITS:
        assert compare.understand(text, vaani_units._units) is None, text
