"""Units skill: conversions of length, mass, volume, temperature, area, speed, time, data
sizes, cooking measures and Indian numbers (lakh, crore), in Hindi and English.

"convert 5 km to miles", "100 fahrenheit in celsius", "how many feet in a yard", "how many
lakhs in a crore", "पाँच किलो कितने पाउंड होते हैं", "एक गज में कितने फ़ीट", "ek gaj mein
kitne feet", "डेढ़ लीटर को मिलीलीटर में बदलो", "1 crore in million", "30°C in F".
And which of two quantities is more (:mod:`vaani_units.compare`): "which is longer, a week or
ten days", "एक किलो रुई और एक किलो लोहे में कौन ज़्यादा भारी है".

How: the words are cut into unit names (longest first: "square feet", "km/h", "degrees
Fahrenheit", "वर्ग मीटर"), one number (vaani.numwords: digits, words, डेढ़/साढ़े, "half a"),
and a closed vocabulary of connecting words ("in", "to", "how many", "में", "कितने", "होते
हैं", "बदलो"). Anything else means the utterance is not a conversion and is left to the
others. Exactly two units of one kind must be named; the number belongs to the unit it
stands before, which is converted into the other ("how many km is 5 miles" converts the
miles). A unit name with several meanings takes the one that fits the other unit: "pound"
is mass beside kilograms and money beside rupees, "gaj" a yard beside feet and a square
yard beside acres, "ounce" a fluid ounce beside cups.

Answers are exact where the result is short (1 yard is 3 feet, 1 inch is 2.54 cm) and
otherwise rounded to what a person would say (3 significant figures below 100, whole
numbers from 100 on) with "about"; English replies write the numbers in digits (the text is
shown, and the speech normaliser says them), Hindi ones in words.

Conventions (and why): a ton is the metric tonne (1000 kg, as in India); a gallon, pint,
quart and fluid ounce are US measures, and said as such; a cup is ``cup_ml`` (240 ml, the
US legal cup: 16 tablespoons of 15 ml, 48 teaspoons of 5 ml); a kilobyte is ``data_prefix``
bytes (1024, what computers show; 1000 if set); "degrees" alone is Celsius, and the reply
says so. Not converted, because they differ by place or need a density: bigha (unless
``bigha_sq_ft`` is set: its size varies by state), tola, maund, a cup of flour in grams,
months and years.

Currency only at the user's own rates (``rates = {USD = 83.2}``, rupees per unit): this
skill never invents a rate. Without rates, money questions are not this skill's (VAANI
declines them as live prices).

Config (``[plugins.units]``): ``rates``, ``bigha_sq_ft``, ``cup_ml``, ``data_prefix``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from vaani.hookspecs import PluginContext, Reply, Tool, Utterance, hookimpl
from vaani.kit import Option, plugin_options
from vaani.language import keys, word_key, words
from vaani.numwords import (NumberSpan, find_numbers, format_number, hindi_words, lookup,
                            parse_number)

from . import compare

NAME = "units"
F = Fraction

# -- currencies the skill can name (rates come from the user) ------------------------------

CURRENCIES: dict[str, tuple[str, str, str, str]] = {
    # code: English singular, plural, Hindi, spellings (Hindi and English, "/"-separated)
    "USD": ("US dollar", "US dollars", "डॉलर",
            "dollar/dollars/us dollar/us dollars/american dollar/american dollars/usd/$/"
            "डॉलर/डालर/dolar/dollaar"),
    "EUR": ("euro", "euros", "यूरो", "euro/euros/eur/यूरो/€"),
    "GBP": ("British pound", "British pounds", "ब्रिटिश पाउंड",
            "pound/pounds/pound sterling/pounds sterling/british pound/british pounds/gbp/"
            "पाउंड/पौंड/£"),
    "AED": ("UAE dirham", "UAE dirhams", "दिरहम",
            "dirham/dirhams/uae dirham/uae dirhams/aed/दिरहम"),
    "JPY": ("Japanese yen", "Japanese yen", "येन", "yen/japanese yen/jpy/येन/¥"),
    "SAR": ("Saudi riyal", "Saudi riyals", "रियाल",
            "riyal/riyals/saudi riyal/saudi riyals/sar/रियाल"),
    "CNY": ("Chinese yuan", "Chinese yuan", "युआन", "yuan/chinese yuan/cny/युआन"),
}
RUPEE_SPELLINGS = ("rupee/rupees/rupaye/rupaiye/rupiya/rupaya/rupye/rs/inr/₹/रुपये/रुपए/रुपया/"
                   "रुपयों/रूपये/रुपैया")
MAX_RATE = 10 ** 6


# -- config ---------------------------------------------------------------------------------

def _rates(table: Any) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for code, rate in table.items():
        code_up = str(code).upper()
        if code_up not in CURRENCIES:
            raise ValueError(f"unknown currency {code!r} (known: {', '.join(CURRENCIES)}; "
                             "rates are rupees per unit)")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) \
                or not math.isfinite(rate) or not 0 < rate <= MAX_RATE:
            raise ValueError(f"the rate for {code_up} must be a positive number of rupees, "
                             f"got {rate!r}")
        out[code_up] = F(str(rate))
    return out


OPTIONS = plugin_options(
    NAME,
    Option("rates", dict, {}, "rupees per unit of a currency you set yourself, e.g. "
           "{USD = 83.2}; money is converted only at rates set here", check=_rates),
    Option("bigha_sq_ft", float, 0.0, "square feet in one bigha where you live (it differs "
           "by state); 0 = not set, and bigha is not converted", min=0, max=10 ** 6),
    Option("cup_ml", float, 240.0, "millilitres in a cup", above=0, max=1000),
    Option("data_prefix", int, 1024, "bytes in a kilobyte", choices=(1024, 1000)))


@dataclass(frozen=True)
class Settings:
    rates: dict[str, Fraction] = field(default_factory=dict)
    bigha_sq_ft: Fraction = F(0)
    cup_ml: Fraction = F(240)
    data_prefix: int = 1024


def settings(table: dict[str, Any]) -> Settings:
    """Validated ``[plugins.units]`` (ConfigError names a bad key)."""
    v = OPTIONS.check(table)
    return Settings(dict(v["rates"]) if "rates" in table else {},
                    F(str(v["bigha_sq_ft"])), F(str(v["cup_ml"])), v["data_prefix"])


# -- the units ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    id: str
    dim: str                    # length mass volume temperature area speed time data count money
    factor: Fraction | None     # in the dimension's base unit; None: not convertible (bigha)
    en: tuple[str, str]         # singular, plural
    hi: tuple[str, str, str]    # direct singular, oblique singular, plural
    spellings: str = ""         # "/"-separated; each may be several words
    short: bool = False         # a one-letter name (m, g, c): only right after a number,
                                # or as the unit asked for ("... in f")

    def name(self, value: Fraction, language: str, oblique: bool = False) -> str:
        one = abs(value) == 1
        if language == "hi":
            return self.hi[1 if oblique else 0] if one else self.hi[2]
        return self.en[0] if one else self.en[1]


def _hi(direct: str, oblique: str = "", plural: str = "") -> tuple[str, str, str]:
    return direct, oblique or direct, plural or oblique or direct


def _catalogue(s: Settings) -> list[Unit]:
    u: list[Unit] = []

    def add(id: str, dim: str, factor: Any, en: tuple[str, str], hi: tuple[str, str, str],
            spellings: str, short: str = "") -> None:
        f = None if factor is None else F(factor)
        u.append(Unit(id, dim, f, en, hi, spellings))
        if short:
            u.append(Unit(id, dim, f, en, hi, short, short=True))

    # length (metres)
    add("mm", "length", "0.001", ("millimetre", "millimetres"), _hi("मिलीमीटर"),
        "mm/millimetre/millimetres/millimeter/millimeters/मिलीमीटर/मिमी/milimeter")
    add("cm", "length", "0.01", ("centimetre", "centimetres"), _hi("सेंटीमीटर"),
        "cm/cms/centimetre/centimetres/centimeter/centimeters/सेंटीमीटर/सेंटिमीटर/सेमी/"
        "sentimeter")
    add("m", "length", 1, ("metre", "metres"), _hi("मीटर"),
        "metre/metres/meter/meters/मीटर/mitar/meetar", short="m")
    add("km", "length", 1000, ("kilometre", "kilometres"), _hi("किलोमीटर"),
        "km/kms/kilometre/kilometres/kilometer/kilometers/किलोमीटर/किमी/kilomitar")
    add("inch", "length", "0.0254", ("inch", "inches"), _hi("इंच"), "inch/inches/इंच/inchs")
    add("foot", "length", "0.3048", ("foot", "feet"), _hi("फ़ुट", "फ़ुट", "फ़ीट"),
        "foot/feet/ft/फ़ुट/फुट/फ़ीट/फीट/fut")
    add("yard", "length", "0.9144", ("yard", "yards"), _hi("गज"),
        "yard/yards/yd/yds/गज/गज़/यार्ड/gaj/gaz")
    add("mile", "length", "1609.344", ("mile", "miles"), _hi("मील"),
        "mile/miles/mi/मील/meel")
    add("nmi", "length", 1852, ("nautical mile", "nautical miles"), _hi("नॉटिकल मील"),
        "nautical mile/nautical miles/नॉटिकल मील/समुद्री मील")
    # mass (kilograms)
    add("mg", "mass", "0.000001", ("milligram", "milligrams"), _hi("मिलीग्राम"),
        "mg/milligram/milligrams/milligramme/milligrammes/मिलीग्राम")
    add("g", "mass", "0.001", ("gram", "grams"), _hi("ग्राम"),
        "gram/grams/gramme/grammes/gm/gms/gms/ग्राम/graam", short="g")
    add("kg", "mass", 1, ("kilogram", "kilograms"), _hi("किलो"),
        "kg/kgs/kilo/kilos/kilogram/kilograms/kilogramme/kilogrammes/किलो/किलोग्राम/"
        "किग्रा/keelo")
    add("quintal", "mass", 100, ("quintal", "quintals"), _hi("क्विंटल"),
        "quintal/quintals/क्विंटल/कुंतल/kuntal/quintel")
    add("tonne", "mass", 1000, ("tonne", "tonnes"), _hi("टन"),
        "tonne/tonnes/ton/tons/metric ton/metric tons/metric tonne/metric tonnes/टन")
    add("lb", "mass", "0.45359237", ("pound", "pounds"), _hi("पाउंड"),
        "pound/pounds/lb/lbs/पाउंड/पौंड/paund")
    add("oz", "mass", "0.028349523125", ("ounce", "ounces"), _hi("औंस"),
        "ounce/ounces/oz/औंस/auns")
    # volume (litres)
    add("ml", "volume", "0.001", ("millilitre", "millilitres"), _hi("मिलीलीटर"),
        "ml/mls/millilitre/millilitres/milliliter/milliliters/cc/मिलीलीटर/मिली/एमएल/"
        "mililitar")
    add("l", "volume", 1, ("litre", "litres"), _hi("लीटर"),
        "litre/litres/liter/liters/ltr/ltrs/लीटर/litar/leetar", short="l")
    add("m3", "volume", 1000, ("cubic metre", "cubic metres"), _hi("घन मीटर"),
        "cubic metre/cubic metres/cubic meter/cubic meters/घन मीटर/क्यूबिक मीटर")
    add("ft3", "volume", "28.316846592", ("cubic foot", "cubic feet"), _hi("घन फ़ुट"),
        "cubic foot/cubic feet/घन फ़ुट/घन फुट/क्यूबिक फ़ीट/क्यूबिक फीट")
    add("gal", "volume", "3.785411784", ("US gallon", "US gallons"), _hi("अमेरिकी गैलन"),
        "gallon/gallons/us gallon/us gallons/गैलन/gailan")
    add("impgal", "volume", "4.54609", ("imperial gallon", "imperial gallons"),
        _hi("ब्रिटिश गैलन"), "imperial gallon/imperial gallons/uk gallon/uk gallons/"
        "british gallon/british gallons/ब्रिटिश गैलन")
    add("floz", "volume", "0.0295735295625", ("US fluid ounce", "US fluid ounces"),
        _hi("फ़्लूइड औंस"), "fluid ounce/fluid ounces/us fluid ounce/us fluid ounces/fl oz/"
        "floz/ounce/ounces/oz/औंस/फ़्लूइड औंस/फ्लूइड औंस")
    add("pint", "volume", "0.473176473", ("US pint", "US pints"), _hi("अमेरिकी पाइंट"),
        "pint/pints/us pint/us pints/पाइंट/पिंट")
    add("quart", "volume", "0.946352946", ("US quart", "US quarts"), _hi("अमेरिकी क्वार्ट"),
        "quart/quarts/us quart/us quarts/क्वार्ट")
    add("cup", "volume", s.cup_ml / 1000, ("cup", "cups"), _hi("कप"), "cup/cups/कप/kap")
    add("tbsp", "volume", "0.015", ("tablespoon", "tablespoons"), _hi("टेबलस्पून"),
        "tablespoon/tablespoons/tbsp/tbs/table spoon/table spoons/टेबलस्पून/टेबल स्पून/"
        "बड़ा चम्मच/बड़े चम्मच/bada chammach/bade chammach")
    add("tsp", "volume", "0.005", ("teaspoon", "teaspoons"), _hi("टीस्पून"),
        "teaspoon/teaspoons/tsp/tea spoon/tea spoons/टीस्पून/टी स्पून/छोटा चम्मच/"
        "छोटे चम्मच/chhota chammach/chhote chammach")
    # temperature (converted through kelvin, see _convert)
    add("C", "temperature", None, ("degree Celsius", "degrees Celsius"), _hi("डिग्री सेल्सियस"),
        "celsius/centigrade/degree celsius/degrees celsius/degree centigrade/"
        "degrees centigrade/सेल्सियस/सेंटीग्रेड/डिग्री सेल्सियस/डिग्री सेंटीग्रेड/selsius/"
        "degree/degrees/deg/डिग्री/digri", short="c")
    add("F", "temperature", None, ("degree Fahrenheit", "degrees Fahrenheit"),
        _hi("डिग्री फ़ारेनहाइट"),
        "fahrenheit/farenheit/farenhite/degree fahrenheit/degrees fahrenheit/फ़ारेनहाइट/"
        "फारेनहाइट/फ़ॉरेनहाइट/फारनहाइट/फैरनहाइट/फैरेनहाइट/डिग्री फ़ारेनहाइट/डिग्री फारेनहाइट/"
        "डिग्री फैरनहाइट", short="f")
    add("K", "temperature", None, ("kelvin", "kelvin"), _hi("केल्विन"),
        "kelvin/kelvins/degree kelvin/degrees kelvin/केल्विन/kelvin")
    # area (square metres): "square", "sq" or "वर्ग" before any name of a length
    lengths: dict[str, Unit] = {}
    for x in u:
        lengths.setdefault(x.id, x)
    for id, length, factor, en, hi in (
            ("cm2", "cm", "0.0001", "square centimetre", "वर्ग सेंटीमीटर"),
            ("m2", "m", 1, "square metre", "वर्ग मीटर"),
            ("km2", "km", 1000000, "square kilometre", "वर्ग किलोमीटर"),
            ("in2", "inch", "0.00064516", "square inch", "वर्ग इंच"),
            ("ft2", "foot", "0.09290304", "square foot", "वर्ग फ़ुट"),
            ("yd2", "yard", "0.83612736", "square yard", "वर्ग गज"),
            ("mi2", "mile", "2589988.110336", "square mile", "वर्ग मील")):
        names = [n for n in lengths[length].spellings.split("/") if n != "mi"]
        square = [f"{p} {n}" for p in ("square", "sq", "वर्ग", "स्क्वायर", "स्क्वेयर", "varg")
                  for n in names]
        # a plot's "100 gaj" is square yards (beside another area; beside feet, a length)
        extra = {"ft2": "/sqft/sft", "m2": "/sqm/sq m/square m", "yd2": "/gaj/gaz/गज/गज़"}
        plural = {"square foot": "square feet", "square inch": "square inches"}.get(en, en + "s")
        add(id, "area", factor, (en, plural), _hi(hi), "/".join(square) + extra.get(id, ""))
    add("acre", "area", "4046.8564224", ("acre", "acres"), _hi("एकड़"),
        "acre/acres/एकड़/एकड/ekad/ekar/akad")
    add("hectare", "area", 10000, ("hectare", "hectares"), _hi("हेक्टेयर"),
        "hectare/hectares/हेक्टेयर/हेक्टर/hektare/hectar")
    add("guntha", "area", "101.17141056", ("guntha", "gunthas"), _hi("गुंठा", "गुंठे", "गुंठे"),
        "guntha/gunthas/gunta/guntas/गुंठा/गुंठे/गुंटा")
    add("bigha", "area", s.bigha_sq_ft * F("0.09290304") if s.bigha_sq_ft else None,
        ("bigha", "bighas"), _hi("बीघा", "बीघे", "बीघे"), "bigha/bighas/बीघा/बीघे/biga")
    # speed (metres per second)
    add("mps", "speed", 1, ("metre per second", "metres per second"), _hi("मीटर प्रति सेकंड"),
        "m SLASH s/metre per second/metres per second/meter per second/meters per second/"
        "मीटर प्रति सेकंड")
    kmh = [f"{k} {p} {h}" for k in ("km", "kms", "kilometre", "kilometres", "kilometer",
                                    "kilometers", "किलोमीटर", "किमी")
           for p in ("per", "an", "a", "प्रति", "SLASH")
           for h in ("hour", "hr", "h", "घंटा", "घंटे", "ghanta", "ghante")]
    add("kmh", "speed", F(1000, 3600), ("kilometre per hour", "kilometres per hour"),
        _hi("किलोमीटर प्रति घंटा", "किलोमीटर प्रति घंटे", "किलोमीटर प्रति घंटे"),
        "/".join(kmh) + "/kmph/kph/kmh")
    mph = [f"{m} {p} {h}" for m in ("mile", "miles", "मील") for p in ("per", "an", "a", "प्रति")
           for h in ("hour", "hr", "घंटा", "घंटे", "ghanta")]
    add("mph", "speed", F("1609.344") / 3600, ("mile per hour", "miles per hour"),
        _hi("मील प्रति घंटा", "मील प्रति घंटे", "मील प्रति घंटे"), "/".join(mph) + "/mph")
    add("knot", "speed", F(1852, 3600), ("knot", "knots"), _hi("नॉट"), "knot/knots/नॉट")
    # time (seconds)
    add("ms", "time", "0.001", ("millisecond", "milliseconds"), _hi("मिलीसेकंड"),
        "millisecond/milliseconds/msec/मिलीसेकंड", short="ms")
    add("s", "time", 1, ("second", "seconds"), _hi("सेकंड"),
        "second/seconds/sec/secs/सेकंड/सेकेंड/सेकण्ड/sekand/sekend", short="s")
    add("min", "time", 60, ("minute", "minutes"), _hi("मिनट"),
        "minute/minutes/min/mins/मिनट/मिनिट/minat/mint", short="m")
    add("h", "time", 3600, ("hour", "hours"), _hi("घंटा", "घंटे", "घंटे"),
        "hour/hours/hr/hrs/घंटा/घंटे/घण्टा/घण्टे/ghanta/ghante", short="h")
    add("day", "time", 86400, ("day", "days"), _hi("दिन"), "day/days/दिन/din")
    add("week", "time", 604800, ("week", "weeks"), _hi("हफ़्ता", "हफ़्ते", "हफ़्ते"),
        "week/weeks/हफ़्ता/हफ्ता/हफ़्ते/हफ्ते/सप्ताह/hafta/hafte/saptah")
    # data (bytes)
    k = s.data_prefix
    add("bit", "data", F(1, 8), ("bit", "bits"), _hi("बिट"), "bit/bits/बिट")
    add("byte", "data", 1, ("byte", "bytes"), _hi("बाइट"), "byte/bytes/बाइट")
    for i, (p, sym, hip) in enumerate((("kilo", "k", "किलो"), ("mega", "m", "मेगा"),
                                       ("giga", "g", "गीगा"), ("tera", "t", "टेरा"),
                                       ("peta", "p", "पेटा")), start=1):
        add(f"{sym}b", "data", F(k) ** i, (f"{p}byte", f"{p}bytes"), _hi(f"{hip}बाइट"),
            f"{sym}b/{p}byte/{p}bytes/{hip}बाइट/{'केबी एमबी जीबी टीबी पीबी'.split()[i - 1]}")
        add(f"{sym}bit", "data", F(k) ** i / 8, (f"{p}bit", f"{p}bits"), _hi(f"{hip}बिट"),
            f"{p}bit/{p}bits/{hip}बिट")
    # money (rupees), only at the user's rates
    if s.rates:
        add("INR", "money", 1, ("rupee", "rupees"), _hi("रुपया", "रुपये", "रुपये"),
            RUPEE_SPELLINGS)
        for code, rate in s.rates.items():
            en1, en2, hi, spellings = CURRENCIES[code]
            add(code, "money", rate, (en1, en2), _hi(hi), spellings)
    return u


# Indian and Western counting words: numbers to the number reader, units to the converter.
COUNTS: dict[str, tuple[int, tuple[str, str], str]] = {
    "thousand": (1000, ("thousand", "thousand"), "हज़ार"),
    "lakh": (10 ** 5, ("lakh", "lakh"), "लाख"),
    "million": (10 ** 6, ("million", "million"), "मिलियन"),
    "crore": (10 ** 7, ("crore", "crore"), "करोड़"),
    "billion": (10 ** 9, ("billion", "billion"), "बिलियन"),
    "arab": (10 ** 9, ("arab", "arab"), "अरब"),
}
_MILLION_WORDS = keys("million millions मिलियन milian".split())
_BILLION_WORDS = keys("billion billions बिलियन bilian".split())
# Counting words the number reader does not know (plurals, Devanagari spellings of English
# ones): read here, alone or after a number ("दस मिलियन").
_MORE_COUNTS = {**{k: 10 ** 6 for k in _MILLION_WORDS}, **{k: 10 ** 9 for k in _BILLION_WORDS},
                **{k: 1000 for k in keys("thousands हज़ारों हजारों".split())}}


# -- the words around them ------------------------------------------------------------------

_FILLERS = keys(
    "convert conversion converted change turn to into in is are was what how many much does "
    "do did make makes equal equals equivalent the a an of there please tell me can could "
    "would will you i want need know give exactly approximately roughly about it that be "
    "vaani hey ok okay so from get as hello hi namaste नमस्ते हेलो "
    "में से को का की के कितने कितना कितनी किता किते होते होता होती होंगे होगा होगी है हैं "
    "हुए हुआ बदलो बदलें बदलिए बदलिये बदल बदलना दीजिए दीजिये करो कर करें करना करके बताओ "
    "बताइए बताइये बता बताना क्या बराबर यानी लगभग जी वाणी ज़रा जरा प्लीज़ प्लीज मुझे तो "
    "कन्वर्ट हो जाते जाएंगे जाएँगे हूता हुता "
    "mein me main se ko ka ki ke kitne kitna kitni hote hota hoti honge hoga hogi hai hain "
    "hue hua badlo badlen badliye badal badalna dijiye karo kar karen karna karke batao "
    "bataiye bata batana kya barabar yani lagbhag ji zara jara mujhe jaate jayenge".split())
# Words that make an utterance ask for a conversion (and not just name two units).
_LINKS = keys("convert converted conversion change turn to into in is are equals equal "
              "equivalent make makes how में को कितने कितना कितनी किता किते बराबर बदलो बदलें "
              "बदलिए बदलिये बदल कन्वर्ट mein me ko kitne kitna kitni barabar badlo badal".split())
_HOW_MANY = keys("कितने कितना कितनी किता किते kitne kitna kitni".split())
_MANY = keys("many much".split())
_TO = keys("to into in".split())                # "... in miles": the unit asked for follows
_KO = keys("को ko".split())                     # "पाँच किलो को ...": the unit converted
_MINUS = keys("minus negative माइनस ऋण - −".split())
_ARTICLE = frozenset(("a", "an"))
_DO = keys("दो do".split())
_VERB_BEFORE_DO = keys("बदल कर बता badal kar bata".split())


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Query:
    """A conversion asked for: ``value`` of ``source`` into ``target``. ``problem`` is set
    when the answer is that it cannot be converted (an unset bigha, below absolute zero)."""

    value: Fraction
    source: Unit
    target: Unit
    how_many: bool = False            # asked as "how many X in a Y" / "Y में कितने X"
    problem: str = ""
    spoken: Fraction | None = None    # counts: the whole number said ("50 lakh" = 5000000)


class Units:
    """The units known under some settings, and how they are named."""

    def __init__(self, config: Settings = Settings()) -> None:
        self.config = config
        self.units = _catalogue(config)
        self.by_id: dict[str, Unit] = {}
        self.lexicon: dict[tuple[str, ...], list[Unit]] = {}
        for unit in self.units:
            self.by_id.setdefault(unit.id, unit)
            names = unit.spellings.split("/") + ([] if unit.short else list(unit.en))
            for spelling in names:
                spelling = spelling.replace("SLASH", "/")          # "m/s", "km/h"
                seq = tuple(word_key(w) for w in words(spelling) or (spelling,))
                readings = self.lexicon.setdefault(seq, [])
                if all(r.id != unit.id for r in readings):
                    readings.append(unit)
        self.longest = max(len(k) for k in self.lexicon)
        for name, (size, en, hi) in COUNTS.items():
            self.by_id[name] = Unit(name, "count", F(size), en, _hi(hi), name)

    # -- reading --

    def mentions(self, w: Sequence[str], ks: Sequence[str]) -> list[Mention]:
        """Unit names in the words, longest first; a one-letter name only right after a
        number in digits or right after "to/in/into/में"."""
        out: list[Mention] = []
        i = 0
        while i < len(ks):
            for size in range(min(self.longest, len(ks) - i), 0, -1):
                readings = self.lexicon.get(tuple(ks[i:i + size]))
                if not readings:
                    continue
                ok = [r for r in readings if not r.short or (
                    i and (w[i - 1][0].isdigit() or ks[i - 1] in _TO))]
                if ok:
                    out.append(Mention(i, i + size, tuple(ok)))
                    i += size
                    break
            else:
                i += 1
        return out

    def resolve(self, name: str) -> list[Unit]:
        """The units a name (a tool argument: "km", "miles", "डिग्री सेल्सियस") may mean."""
        w = words(name)
        found = list(self.lexicon.get(tuple(word_key(x) for x in w), []))
        count = _count_name(w[0]) if len(w) == 1 else None
        unit = self.by_id.get(name.strip()) or self.by_id.get(count or "")
        if unit is not None and all(u.id != unit.id for u in found):
            found.insert(0, unit)
        return found

    # -- converting --

    def convert(self, value: Fraction, source: Unit, target: Unit) -> Fraction:
        if source.dim == "temperature":
            kelvin = {"C": value + F("273.15"), "F": (value - 32) * F(5, 9) + F("273.15"),
                      "K": value}[source.id]
            return {"C": kelvin - F("273.15"), "F": (kelvin - F("273.15")) * F(9, 5) + 32,
                    "K": kelvin}[target.id]
        assert source.factor is not None and target.factor is not None
        return value * source.factor / target.factor


def _pair(a: Mention, b: Mention) -> tuple[Unit, Unit] | None:
    """The first readings of two mentions that measure the same thing."""
    for x in a.units:
        for y in b.units:
            if x.dim == y.dim and x.id != y.id:
                return x, y
    return None


_LIMIT = F(10) ** 12


def understand(text: str, language: str = "en", units: Units | None = None) -> Query | None:
    """The conversion ``text`` asks for, or None if it is not (only) a conversion."""
    units = units or _units
    w = list(words(text))
    if not w or len(w) > 20:
        return None
    ks = [word_key(x) for x in w]
    roman = language == "hi"
    toks = list(w)
    for i, k in enumerate(ks):               # "बदल दो", "kar do": the verb, not the number 2
        if k in _DO and i and ks[i - 1] in _VERB_BEFORE_DO:
            toks[i] = "दीजिए"
            ks[i] = word_key("दीजिए")
    mentions = units.mentions(w, ks)
    in_unit = {i for m in mentions for i in range(m.start, m.end)}
    spans = _more_counts(w, ks, find_numbers(["§" if i in in_unit else t
                                              for i, t in enumerate(toks)], roman), in_unit)
    used = set(in_unit) | {i for s in spans for i in range(s.start, s.end)}
    negative: set[int] = set()               # spans with a minus before them
    for s in spans:
        if s.start and ks[s.start - 1] in _MINUS or (s.start and w[s.start - 1] == "-"):
            negative.add(s.start)
            used.add(s.start - 1)
    rest = [i for i in range(len(w)) if i not in used]
    if any(ks[i] not in _FILLERS and w[i] not in _FILLERS for i in rest):
        return None
    if not any(ks[i] in _LINKS for i in rest):
        return None
    how_many_at = [i for i in rest if ks[i] in _HOW_MANY or (
        w[i] == "how" and i + 1 < len(w) and ks[i + 1] in _MANY)]
    if not mentions:
        return _counts(w, spans, negative, how_many_at, units)
    if len(mentions) != 2 or len(spans) > 1:
        return None
    a, b = mentions
    value = F(1)
    source: Mention | None = None
    if spans:
        span = spans[0]
        value = -span.value if span.start in negative else span.value
        for m in (a, b):
            gap = w[span.end:m.start]
            if m.start == span.end or (m.start == span.end + 1 and gap[0] in _ARTICLE):
                source = m                   # "5 km", "half a kilo"
            elif m.end == span.start and m.units[0].dim == "money":
                source = m                   # "$100", "₹500"
        if source is None:
            return None
    else:
        target = _asked_for(w, ks, (a, b), how_many_at)
        if target is None:
            return None
        source = b if target is a else a
    target_m = b if source is a else a
    pair = _pair(source, target_m)
    if pair is None:
        return None
    src, tgt = pair
    if abs(value) > _LIMIT:
        return None
    how_many = bool(how_many_at) and any(target_m.start > i for i in how_many_at)
    if value < 0 and src.dim != "temperature":
        return None
    if src.factor is None and src.dim != "temperature" or \
            tgt.factor is None and tgt.dim != "temperature":
        return Query(value, src, tgt, how_many, problem="unset")
    if src.dim == "temperature" and units.convert(value, src, units.by_id["K"]) < 0:
        return Query(value, src, tgt, how_many, problem="below_absolute_zero")
    return Query(value, src, tgt, how_many)


def _more_counts(w: Sequence[str], ks: Sequence[str], spans: list[NumberSpan],
                 in_unit: set[int]) -> list[NumberSpan]:
    """``spans`` with the counting words of :data:`_MORE_COUNTS` read: alone ("how many
    thousands") or scaling the number before them ("दस मिलियन")."""
    taken = {i for s in spans for i in range(s.start, s.end)}
    out = list(spans)
    for i, k in enumerate(ks):
        size = _MORE_COUNTS.get(k)
        if size is None or i in taken or i in in_unit or lookup(w[i]) is not None:
            continue
        before = next((s for s in out if s.end == i), None)
        if before is not None:
            out[out.index(before)] = NumberSpan(before.start, i + 1, before.value * size, True)
        else:
            out.append(NumberSpan(i, i + 1, F(size), True))
    return sorted(out, key=lambda s: s.start)


def _asked_for(w: Sequence[str], ks: Sequence[str], mentions: tuple[Mention, Mention],
               how_many_at: list[int]) -> Mention | None:
    """With no number said: which unit is asked for ("how many feet in a yard": feet;
    "convert miles to km": km; "गज को फ़ीट में बदलो": फ़ीट)."""
    a, b = mentions
    for m in mentions:
        if any(i < m.start and all(ks[j] in _MANY for j in range(i + 1, m.start))
               for i in how_many_at):
            return m
    for m in (b, a):
        if m.start and ks[m.start - 1] in _TO:
            return m
    for m, other in ((a, b), (b, a)):
        if m.end < len(ks) and ks[m.end] in _KO:
            return other
    return None


def _counts(w: Sequence[str], spans: list[NumberSpan], negative: set[int],
            how_many_at: list[int], units: Units) -> Query | None:
    """Lakh, crore, million and billion, which the number reader reads as numbers: "how many
    lakhs in a crore", "50 lakh in crore", "ek crore mein kitne lakh"."""
    if len(spans) != 2 or negative:
        return None

    def bare(span: NumberSpan) -> str | None:
        """The counting word a span is made of alone ("lakh", "a crore"), if it is."""
        toks = [t for t in w[span.start:span.end] if t not in _ARTICLE]
        return _count_name(toks[0]) if len(toks) == 1 else None

    names = [bare(s) for s in spans]
    if names[0] and names[1]:
        # both bare ("how many lakhs in a crore"): the one after "how many" is asked for
        first = any(i < spans[0].start for i in how_many_at) and not any(
            spans[0].end <= i < spans[1].start for i in how_many_at)
        asked = 0 if first else 1
    elif names[0] or names[1]:
        asked = 0 if names[0] else 1
    else:
        return None
    target = units.by_id[names[asked]]           # type: ignore[index]
    said = spans[1 - asked]
    scales = [n for n in (_count_name(t) for t in w[said.start:said.end]) if n]
    if scales:
        name = max(scales, key=lambda n: COUNTS[n][0])
        source, scale = units.by_id[name], COUNTS[name][0]
    else:                                         # "100000 in lakhs": a plain number
        source, scale = Unit("", "count", F(1), ("", ""), _hi("")), 1
    if source.id == target.id:
        return None
    how_many = any(spans[asked].start > i for i in how_many_at)
    return Query(said.value / scale, source, target, how_many, spoken=said.value)


def _count_name(tok: str) -> str | None:
    """"lakh", "crore", "million" ... for a counting word, else None."""
    k = word_key(tok)
    word = lookup(tok)
    if k in _MORE_COUNTS and word is None:
        return {1000: "thousand", 10 ** 6: "million", 10 ** 9: "billion"}[_MORE_COUNTS[k]]
    if word is None or word.kind != "scale":
        return None
    if k in _MILLION_WORDS:
        return "million"
    if k in _BILLION_WORDS:
        return "billion"
    if word.value == 10 ** 9:
        return "arab"
    return {1000: "thousand", 10 ** 5: "lakh", 10 ** 7: "crore"}.get(int(word.value))


# -- saying ---------------------------------------------------------------------------------

def rounded(x: Fraction) -> tuple[Fraction, bool]:
    """``x`` as a person would say it, and whether that is exact: exact when it has at most
    two decimals (2.54, 273.15), else whole numbers from 100 on, 1 decimal from 10, 2 from
    1, 3 significant figures below 1."""
    ax = abs(x)
    if (x * 100).denominator == 1:
        return x, True
    if ax >= 100:
        places = 0
    elif ax >= 10:
        places = 1
    elif ax >= 1:
        places = 2
    elif ax == 0:
        return x, True
    else:
        places = min(12, 2 - math.floor(math.log10(ax)))
    r = F(round(x * 10 ** places), 10 ** places)
    return r, r == x


_HINDI_HALVES = {F(1, 2): "आधा", F(3, 2): "डेढ़", F(5, 2): "ढाई"}


def hindi_amount(x: Fraction) -> str:
    """A quantity as Hindi speakers say it: आधा, डेढ़, ढाई, साढ़े तीन; else number words."""
    if x in _HINDI_HALVES:
        return _HINDI_HALVES[x]
    if x > 3 and x < 100 and x - int(x) == F(1, 2):
        return f"साढ़े {hindi_words(int(x))}"
    return hindi_words(x)


def _english_number(x: Fraction) -> str:
    return ("minus " + format_number(-x)) if x < 0 else format_number(x)


def phrase(value: Fraction, unit: Unit, language: str, oblique: bool = False) -> str:
    """"5 kilometres", "पाँच किलोमीटर", "1 crore"."""
    if language == "hi":
        return f"{hindi_amount(value)} {unit.name(value, 'hi', oblique)}".strip()
    return f"{_english_number(value)} {unit.name(value, 'en')}".strip()


def sentence(query: Query, result: Fraction, exact: bool, language: str) -> str:
    """The spoken answer: "5 kilometres is about 3.11 miles." / "एक गज तीन फ़ीट के बराबर है।"."""
    value, src, tgt = query.value, query.source, query.target
    hi = language == "hi"
    if hi and query.spoken is not None and src.id not in ("million", "billion"):
        said = hindi_words(query.spoken)           # "एक करोड़ पचास लाख", as it is said
    else:
        said = phrase(value, src, language, oblique=hi and query.how_many)
    about = "" if exact else ("लगभग " if hi else "about ")
    money = src.dim == "money"               # at the user's own rate, and said so
    if hi:
        if money:
            about = "आपके तय किए रेट पर " + about
        if (query.how_many and src.dim != "temperature") or src.dim == "count":
            # (counts always so: "एक करोड़ सौ लाख के बराबर" would be heard as 2 crore)
            verb = "होता है" if abs(result) <= 1 else "होते हैं"
            return f"{said} में {about}{phrase(result, tgt, 'hi')} {verb}।"
        return f"{said} {about}{phrase(result, tgt, 'hi', oblique=True)} के बराबर है।"
    rate = " at the rate you set" if money else ""
    text = f"{said} is {about}{phrase(result, tgt, 'en')}{rate}."
    return text[0].upper() + text[1:]


_PROBLEMS = {
    "unset": ("A bigha is a different size in each state, so I can't convert it until its "
              "size is set in my settings.",
              "बीघा का नाप हर राज्य में अलग होता है, इसलिए सेटिंग में उसका नाप दिए बिना मैं इसे "
              "नहीं बदल सकती।"),
    "below_absolute_zero": ("Nothing is colder than absolute zero, minus 273.15 degrees "
                            "Celsius.",
                            "परम शून्य, यानी माइनस दो सौ तिहत्तर दशमलव एक पाँच डिग्री सेल्सियस "
                            "से ठंडा कुछ नहीं होता।"),
    "too_large": ("That number is too large for me.", "यह संख्या मेरे हिसाब के लिए बहुत बड़ी है।"),
}


def _number(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


class Converter:
    def __init__(self, config: Settings = Settings()) -> None:
        self.units = Units(config)

    def handle(self, utterance: Utterance) -> Reply | None:
        language = utterance.language if utterance.language in ("hi", "en") else "en"
        query = understand(utterance.text, language, self.units)
        if query is None:
            return self._compare(utterance.text, language)
        data: dict[str, Any] = {"value": _number(query.value), "from": query.source.id,
                                "to": query.target.id, "dimension": query.source.dim}
        if query.problem:
            return Reply(_PROBLEMS[query.problem][language == "hi"], language,
                         {**data, "error": query.problem})
        result = self.units.convert(query.value, query.source, query.target)
        if abs(result) > F(10) ** 15:
            return Reply(_PROBLEMS["too_large"][language == "hi"], language,
                         {**data, "error": "too_large"})
        said, exact = rounded(result)
        data.update(result=_number(said), exact=exact)
        return Reply(sentence(query, said, exact, language), language, data)

    def _compare(self, text: str, language: str) -> Reply | None:
        """Which of two quantities is more (:mod:`vaani_units.compare`)."""
        comparison = compare.understand(text, self.units)
        if comparison is None:
            return None
        said, data = compare.answer(comparison, self.units, language)
        return Reply(said, language, data)

    # -- the LLM's tool --

    def tool(self, arguments: dict[str, Any], language: str) -> dict[str, Any]:
        """``convert(value, from, to)`` -> ``{"value", "from", "to", "result", "exact"}``."""
        pair = self._tool_units(arguments)
        if isinstance(pair, str):
            return {"error": pair}
        value, src, tgt = pair
        if src.factor is None and src.dim != "temperature" or \
                tgt.factor is None and tgt.dim != "temperature":
            return {"error": "that unit's size is not set"}
        if src.dim == "temperature" and self.units.convert(value, src, self.units.by_id["K"]) < 0:
            return {"error": "below absolute zero"}
        if value < 0 and src.dim != "temperature":
            return {"error": "value must not be negative"}
        result = self.units.convert(value, src, tgt)
        if abs(result) > F(10) ** 15:
            return {"error": "result too large"}
        said, exact = rounded(result)
        out: dict[str, Any] = {"value": _number(value), "from": src.en[1], "to": tgt.en[1],
                               "result": _number(said), "exact": exact}
        if src.dim == "count":                # "1 crore is 100 lakh" says 10000000 twice
            assert src.factor is not None and tgt.factor is not None
            out["numbers"] = [_number(value * src.factor), _number(said * tgt.factor)]
        return out

    def _tool_units(self, arguments: dict[str, Any]) -> tuple[Fraction, Unit, Unit] | str:
        raw = arguments.get("value")
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return "value must be a number"
        try:
            value = F(str(raw).strip().replace(",", ""))
        except (ValueError, ZeroDivisionError):
            parsed = parse_number(raw) if isinstance(raw, str) else None
            if parsed is None:
                return "value must be a number"
            value = parsed
        if isinstance(raw, float) and not math.isfinite(raw):
            return "value must be a number"
        if abs(value) > _LIMIT:
            return "value too large"
        names = arguments.get("from"), arguments.get("to")
        if not all(isinstance(n, str) and n.strip() for n in names):
            return "from and to must name units"
        readings = [self.units.resolve(n) for n in names]       # type: ignore[arg-type]
        for x in readings[0]:
            for y in readings[1]:
                if x.dim == y.dim and x.id != y.id:
                    return value, x, y
        return "those units cannot be converted into each other"

    def grounded(self, arguments: dict[str, Any], utterance: str) -> bool:
        """The call converts a value the user said (or 1, when no number was said) between
        two units the user named."""
        pair = self._tool_units(arguments)
        if isinstance(pair, str):
            return False
        value, src, tgt = pair
        toks = words(utterance)
        said_numbers = {s.value for roman in (True, False) for s in find_numbers(toks, roman)}
        said_units = self._said_units(utterance)
        if value not in said_numbers and abs(value) not in said_numbers and not (
                value == 1 and not said_numbers):
            # a count such as "50 lakh" may be passed as 50 with from = "lakh"
            if not (src.dim == "count" and value * src.factor in said_numbers):  # type: ignore
                return False
        return src.id in said_units and tgt.id in said_units

    def _said_units(self, utterance: str) -> set[str]:
        w = words(utterance)
        ks = [word_key(x) for x in w]
        found = {u.id for m in self.units.mentions(w, ks) for u in m.units}
        found |= {n for n in (_count_name(t) for t in w) if n}
        return found

    def say(self, result: dict[str, Any], language: str) -> str:
        """The skill's own wording of a tool result."""
        src = self.units.resolve(str(result["from"]))
        tgt = self.units.resolve(str(result["to"]))
        pair = next(((x, y) for x in src for y in tgt if x.dim == y.dim and x.id != y.id), None)
        if pair is None:
            return ""
        query = Query(F(str(result["value"])), pair[0], pair[1])
        return sentence(query, F(str(result["result"])), bool(result.get("exact")), language)


# -- hooks ----------------------------------------------------------------------------------

_lock = threading.Lock()
_converter = Converter()
_units = _converter.units


def _set(converter: Converter) -> None:
    global _converter, _units
    with _lock:
        _converter, _units = converter, converter.units


@hookimpl
def vaani_configure(config: Any, table: dict[str, Any]) -> None:
    settings(table)


@hookimpl
def vaani_startup(ctx: PluginContext) -> None:
    _set(Converter(settings(ctx.table)))


@hookimpl
def vaani_handle(utterance: Utterance) -> Reply | None:
    return _converter.handle(utterance)


@hookimpl
def vaani_preview(utterance: Utterance) -> Reply | None:
    return _converter.handle(utterance)            # a pure function of the utterance


# The description names no money, rate or price: the reply guard declines live prices unless
# a tool's name or description says it serves them, and this one never looks a rate up.
DESCRIPTION = ("convert a value between units: length, weight, volume, temperature, area, "
               "speed, time, data size, cooking measures, lakh and crore")


@hookimpl
def vaani_tools() -> list[Tool]:
    return [Tool("convert", DESCRIPTION, {"value": "number", "from": "string", "to": "string"},
                 lambda arguments, language: _converter.tool(arguments, language),
                 grounded=lambda arguments, utterance: _converter.grounded(arguments, utterance),
                 say=lambda result, language: _converter.say(result, language))]


@hookimpl
def vaani_abilities(language: str) -> list[str]:
    return ["इकाई बदलने" if language == "hi" else "unit conversions"]


@hookimpl
def vaani_shutdown() -> None:
    _set(Converter())

