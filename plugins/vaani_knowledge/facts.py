"""The general-knowledge fact table: each fact, the questions that ask for it, its answer in
English and Hindi, and where it comes from.

A fact is asked for by a set of concepts and entities (see :mod:`lexicon`): ``need`` lists
what must be there (alternatives separated by `` / ``), ``may`` what else may be said.
Entity *slots* (``@country``, ``@state``, ``@city``, ``@element`` ...) take any entity of
that kind and the answer is made from it.

Sources, per fact: "WordNet 3.0" facts are checked by the tests against the gloss named in
``wordnet`` (lemma, text that gloss must contain); the rest are written here from general
knowledge, each naming the reference it follows. Nothing here changes from year to year:
office holders, prices, scores, populations and records are not in the table, and the skill
declines them (see ``TIME_SENSITIVE`` in the plugin).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lexicon import COMPOUNDS, CRICKET_FORMATS, ELEMENTS, ORDER, PLANETS, SPORTS

IAU = "written here; IAU planet definition (2006)"
GOI = "written here; Government of India, national symbols (india.gov.in)"
SI = "written here; SI definition"
STD = "written here from general knowledge (standard textbook value)"
RULES = "written here; the sport's laws"
GEO = "written here from general knowledge"
HIST = "written here from general knowledge (Indian history)"
CAL = "written here; the Gregorian calendar rule"


@dataclass(frozen=True)
class Fact:
    id: str
    need: tuple[frozenset[str], ...]      # alternatives: each a set that must be present
    may: frozenset[str]                   # may also be present
    en: str
    hi: str
    source: str
    wordnet: tuple[str, str] | None = None   # (lemma, text its gloss contains): checked
    slots: tuple[str, ...] = ()              # entity kinds this fact binds (country ...)
    data: dict[str, object] = field(default_factory=dict)


def _sets(text: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(alt.split()) for alt in text.split(" / "))


def F(id: str, need: str, en: str, hi: str, source: str, may: str = "",
      wordnet: tuple[str, str] | None = None, **data: object) -> Fact:
    sets = _sets(need)
    slots = tuple(sorted({t[1:] for s in sets for t in s if t.startswith("@")}))
    return Fact(id, sets, frozenset(may.split()), en, hi, source, wordnet, slots, data)


# "in the solar system", "in the world", "of India": may be said with most facts
SPACE = "SOLAR_SYSTEM WORLD"
INDIA = "country:IN NATIONAL INDIAN"

FACTS: list[Fact] = [
    # -- planets and space ------------------------------------------------------------------
    F("planet.largest", "SUPERL BIG PLANET",
      "Jupiter is the largest planet in the solar system.",
      "बृहस्पति सौर मंडल का सबसे बड़ा ग्रह है।", "WordNet 3.0 (Jupiter)", SPACE,
      ("Jupiter", "the largest planet")),
    F("planet.smallest", "SUPERL SMALL PLANET",
      "Mercury is the smallest planet in the solar system.",
      "बुध सौर मंडल का सबसे छोटा ग्रह है।", "WordNet 3.0 (Mercury)", SPACE,
      ("Mercury", "the smallest planet")),
    F("planet.nearest_sun", "SUPERL NEAR PLANET SUN / SUPERL NEAR PLANET",
      "Mercury is the planet closest to the Sun.", "बुध सूर्य के सबसे पास का ग्रह है।",
      "WordNet 3.0 (Mercury)", SPACE, ("Mercury", "the nearest to the sun")),
    F("planet.farthest_sun", "SUPERL FAR PLANET SUN / SUPERL FAR PLANET",
      "Neptune is the planet farthest from the Sun; Pluto, farther out, has been a dwarf "
      "planet since 2006.",
      "नेपच्यून (वरुण) सूर्य से सबसे दूर का ग्रह है; प्लूटो उससे आगे है, पर 2006 से वह बौना ग्रह "
      "माना जाता है।", IAU, SPACE),
    F("planet.hottest", "SUPERL HOT PLANET",
      "Venus is the hottest planet: its thick carbon dioxide atmosphere traps heat, so it is "
      "hotter than Mercury.",
      "शुक्र सबसे गर्म ग्रह है: उसका घना कार्बन डाइऑक्साइड वायुमंडल गर्मी रोक लेता है, इसलिए वह "
      "बुध से भी गर्म है।", STD, SPACE),
    F("planet.red", "RED PLANET", "Mars is called the Red Planet.",
      "मंगल को लाल ग्रह कहा जाता है।", "WordNet 3.0 (Mars)", SPACE + " planet:mars",
      ("Mars", "reddish planet")),
    F("planet.red_why", "RED planet:mars WHY / RED planet:mars",
      "Mars looks red because its surface is covered with iron-rich dust, iron oxide or rust.",
      "मंगल लाल दिखता है क्योंकि उसकी सतह पर लोहे वाली धूल, यानी आयरन ऑक्साइड (जंग) फैली है।",
      "WordNet 3.0 (Mars)", "PLANET", ("Mars", "minerals rich in iron cover its surface")),
    F("planet.blue", "BLUE PLANET", "Earth is called the Blue Planet, because most of it is "
      "covered by water.", "पृथ्वी को नीला ग्रह कहा जाता है, क्योंकि उसका ज़्यादातर हिस्सा पानी "
      "से ढका है।", STD, SPACE),
    F("planet.rings", "RING PLANET / RING", "Saturn is the planet famous for its rings; "
      "Jupiter, Uranus and Neptune have fainter rings too.",
      "शनि अपने वलयों (छल्लों) के लिए प्रसिद्ध ग्रह है; बृहस्पति, अरुण और वरुण के भी धुंधले वलय हैं।",
      "WordNet 3.0 (Saturn)", SPACE, ("Saturn", "rings")),
    F("planet.morning_star", "MORNING_STAR", "Venus is called the morning star and the evening "
      "star.", "शुक्र को भोर का तारा और सांझ का तारा कहा जाता है।", STD, "PLANET"),
    F("planet.count", "COUNT PLANET",
      "There are eight planets in the solar system: Mercury, Venus, Earth, Mars, Jupiter, "
      "Saturn, Uranus and Neptune.",
      "सौर मंडल में आठ ग्रह हैं: बुध, शुक्र, पृथ्वी, मंगल, बृहस्पति, शनि, अरुण और वरुण।", IAU,
      SPACE + " SUN"),
    F("planet.order", "ORDER PLANET / PLANET SUN ORDER",
      "From the Sun outwards: Mercury, Venus, Earth, Mars, Jupiter, Saturn, Uranus and "
      "Neptune.", "सूर्य से क्रम में: बुध, शुक्र, पृथ्वी, मंगल, बृहस्पति, शनि, अरुण और वरुण।",
      IAU, SPACE),
    F("planet.pluto", "planet:pluto PLANET / planet:pluto DWARF PLANET",
      "Pluto is a dwarf planet: since 2006 it is no longer counted among the planets.",
      "प्लूटो एक बौना ग्रह है: 2006 से उसे ग्रहों में नहीं गिना जाता।", IAU, SPACE),
    F("moon.earth", "SATELLITE EARTH / SATELLITE EARTH COUNT / MOON EARTH COUNT",
      "Earth has one natural satellite, the Moon.", "पृथ्वी का एक प्राकृतिक उपग्रह है: चंद्रमा।",
      "WordNet 3.0 (Moon)", "PLANET", ("Moon", "the natural satellite of the Earth")),
    F("moon.mars", "COUNT MOON planet:mars / COUNT SATELLITE planet:mars",
      "Mars has two small moons, Phobos and Deimos.",
      "मंगल के दो छोटे चंद्रमा हैं: फ़ोबोस और डीमोस।", STD, "PLANET"),
    F("moon.distance", "FAR MOON EARTH / FAR MOON",
      "The Moon is about 384,400 kilometres from Earth on average.",
      "चंद्रमा पृथ्वी से औसतन लगभग 3,84,400 किलोमीटर दूर है।", STD, "COUNT"),
    F("sun.distance", "FAR SUN EARTH / FAR SUN",
      "The Sun is about 150 million kilometres from Earth on average; its light takes about "
      "8 minutes 20 seconds to reach us.",
      "सूर्य पृथ्वी से औसतन लगभग 15 करोड़ किलोमीटर दूर है; उसकी रोशनी हम तक लगभग 8 मिनट 20 "
      "सेकंड में पहुँचती है।", STD, "COUNT"),
    F("sun.light_time", "LIGHT SUN EARTH REACH / LIGHT SUN REACH / LIGHT SUN EARTH TAKE",
      "Sunlight takes about 8 minutes 20 seconds to reach Earth.",
      "सूर्य की रोशनी को पृथ्वी तक पहुँचने में लगभग 8 मिनट 20 सेकंड लगते हैं।", STD,
      "COUNT TAKE REACH MATCH_LEN"),
    F("sun.star", "SUPERL NEAR STAR / SUPERL NEAR STAR EARTH",
      "The Sun is the star nearest to Earth; the next nearest is Proxima Centauri, about "
      "4.2 light years away.",
      "सूर्य पृथ्वी के सबसे नज़दीक का तारा है; उसके बाद प्रॉक्सिमा सेंटॉरी है, लगभग 4.2 प्रकाश "
      "वर्ष दूर।", STD, SPACE),
    F("sun.is_star", "SUN STAR", "Yes, the Sun is a star, the one at the centre of our solar "
      "system.", "हाँ, सूर्य एक तारा है, हमारे सौर मंडल के बीच का तारा।",
      "WordNet 3.0 (Sun)", SPACE, ("Sun", "the star that is the source of light")),
    F("earth.revolve", "EARTH SUN REVOLVE / EARTH REVOLVE",
      "Earth goes once around the Sun in about 365 and a quarter days.",
      "पृथ्वी लगभग 365 और चौथाई दिन में सूर्य का एक चक्कर लगाती है।", STD,
      "TAKE COUNT DAY YEAR MATCH_LEN"),
    F("earth.rotate", "EARTH ROTATE", "Earth turns once on its axis in about 24 hours.",
      "पृथ्वी लगभग 24 घंटे में अपनी धुरी पर एक बार घूमती है।", STD, "TAKE COUNT MATCH_LEN DAY"),
    # -- science ----------------------------------------------------------------------------
    F("water.boil", "BOIL WATER / BOIL WATER TEMPERATURE / BOIL WATER POINT",
      "Water boils at 100 degrees Celsius (212 degrees Fahrenheit) at sea level.",
      "पानी समुद्र तल पर 100 डिग्री सेल्सियस (212 डिग्री फ़ारेनहाइट) पर उबलता है।",
      "WordNet 3.0 (water)", "TEMPERATURE POINT COUNT", ("water", "boils above 100 degrees")),
    F("water.freeze", "FREEZE WATER / FREEZE WATER TEMPERATURE",
      "Water freezes at 0 degrees Celsius (32 degrees Fahrenheit).",
      "पानी 0 डिग्री सेल्सियस (32 डिग्री फ़ारेनहाइट) पर जमता है।", "WordNet 3.0 (water)",
      "TEMPERATURE POINT COUNT", ("water", "freezes into ice below 0 degrees")),
    F("water.formula", "FORMULA WATER / CHEMICAL FORMULA WATER",
      "The chemical formula of water is H2O: two hydrogen atoms and one oxygen atom.",
      "पानी का रासायनिक सूत्र H2O है, यानी हाइड्रोजन के दो और ऑक्सीजन का एक परमाणु।", STD,
      "CHEMICAL"),
    F("light.speed", "SPEED LIGHT",
      "Light travels at 299,792,458 metres per second in a vacuum, about 300,000 kilometres "
      "per second.",
      "प्रकाश निर्वात में 29,97,92,458 मीटर प्रति सेकंड की गति से चलता है, यानी लगभग 3 लाख "
      "किलोमीटर प्रति सेकंड।", "WordNet 3.0 (speed of light); SI definition", "COUNT",
      ("speed of light", "299,792")),
    F("sound.speed", "SPEED SOUND / SPEED SOUND AIR",
      "Sound travels at about 343 metres per second in air at 20 degrees Celsius.",
      "ध्वनि 20 डिग्री सेल्सियस की हवा में लगभग 343 मीटर प्रति सेकंड की गति से चलती है।", STD,
      "COUNT AIR"),
    F("body.bones", "BONE COUNT / BONE COUNT BODY / BONE COUNT ADULT",
      "An adult human body has 206 bones.", "एक वयस्क मनुष्य के शरीर में 206 हड्डियाँ होती हैं।",
      STD, "BODY ADULT PERSON"),
    F("body.teeth", "TOOTH COUNT / TOOTH COUNT ADULT",
      "An adult has 32 teeth; a child has 20 milk teeth.",
      "वयस्क के 32 दाँत होते हैं; बच्चे के 20 दूध के दाँत होते हैं।", STD, "ADULT PERSON BODY"),
    F("body.heart_chambers", "HEART CHAMBER / HEART CHAMBER COUNT",
      "The human heart has four chambers: two atria and two ventricles.",
      "मनुष्य के दिल में चार कक्ष होते हैं: दो आलिंद (एट्रियम) और दो निलय (वेंट्रिकल)।", STD,
      "BODY PERSON"),
    F("body.temperature", "NORMAL BODY TEMPERATURE / NORMAL TEMPERATURE PERSON",
      "Normal human body temperature is about 37 degrees Celsius (98.6 degrees "
      "Fahrenheit).",
      "मनुष्य के शरीर का सामान्य तापमान लगभग 37 डिग्री सेल्सियस (98.6 डिग्री फ़ारेनहाइट) होता है।",
      STD, "COUNT PERSON"),
    F("body.largest_organ", "SUPERL BIG ORGAN / SUPERL BIG ORGAN BODY",
      "The skin is the largest organ of the human body.", "त्वचा मानव शरीर का सबसे बड़ा अंग है।",
      STD, "PERSON"),
    F("body.longest_bone", "SUPERL LONG BONE / SUPERL LONG BONE BODY",
      "The femur, the thigh bone, is the longest bone in the human body.",
      "फ़ीमर, यानी जाँघ की हड्डी, मानव शरीर की सबसे लंबी हड्डी है।", "WordNet 3.0 (femur)",
      "PERSON", ("femur", "the longest and thickest bone")),
    F("gas.breathe", "GAS BREATHE", "We breathe in oxygen and breathe out carbon dioxide.",
      "हम साँस में ऑक्सीजन लेते हैं और कार्बन डाइऑक्साइड छोड़ते हैं।", STD, "ABSORB PERSON"),
    F("gas.plants", "GAS PLANT / GAS PLANT ABSORB",
      "Plants take in carbon dioxide and give out oxygen when they make food in sunlight.",
      "पौधे धूप में भोजन बनाते समय कार्बन डाइऑक्साइड लेते हैं और ऑक्सीजन छोड़ते हैं।", STD,
      "BREATHE"),
    F("gas.air", "SUPERL GAS AIR / SUPERL BIG GAS AIR / GAS AIR",
      "Air is about 78 percent nitrogen and 21 percent oxygen.",
      "हवा में लगभग 78 प्रतिशत नाइट्रोजन और 21 प्रतिशत ऑक्सीजन है।", STD, "COUNT"),
    # -- calendar ---------------------------------------------------------------------------
    F("cal.leap_days", "LEAP DAY / LEAP DAY COUNT / LEAP YEAR DAY",
      "A leap year has 366 days; February gets a 29th day.",
      "लीप ईयर (अधिवर्ष) में 366 दिन होते हैं; फ़रवरी में 29 दिन होते हैं।", CAL, "COUNT YEAR"),
    F("cal.year_days", "YEAR DAY COUNT",
      "A year has 365 days, and a leap year 366.", "एक साल में 365 दिन होते हैं, और लीप ईयर में "
      "366।", CAL, ""),
    F("cal.leap_when", "LEAP OFTEN / LEAP WHEN / LEAP YEAR OFTEN",
      "A leap year comes every four years: a year divisible by 4, except century years, which "
      "must be divisible by 400 (2000 was a leap year, 1900 was not).",
      "लीप ईयर हर चार साल में आता है: जो साल 4 से बँटे, पर सदी वाले साल तभी जब वे 400 से बँटें "
      "(2000 लीप ईयर था, 1900 नहीं)।", "WordNet 3.0 (leap year); " + CAL, "YEAR COUNT",
      ("leap year", "divisible by 4")),
    F("cal.february", "FEBRUARY DAY COUNT / FEBRUARY DAY",
      "February has 28 days, and 29 in a leap year.",
      "फ़रवरी में 28 दिन होते हैं, और लीप ईयर में 29।", CAL, "MONTH LEAP YEAR"),
    F("cal.weeks", "WEEK YEAR COUNT", "A year has 52 weeks and one day (two in a leap year).",
      "एक साल में 52 हफ़्ते और एक दिन होता है (लीप ईयर में दो दिन)।", CAL, ""),
    F("cal.months", "MONTH YEAR COUNT", "A year has 12 months.", "एक साल में 12 महीने होते हैं।",
      CAL, ""),
    # -- geography --------------------------------------------------------------------------
    F("geo.continents", "CONTINENT COUNT / CONTINENT",
      "There are seven continents: Asia, Africa, North America, South America, Antarctica, "
      "Europe and Australia.",
      "सात महाद्वीप हैं: एशिया, अफ़्रीका, उत्तरी अमेरिका, दक्षिणी अमेरिका, अंटार्कटिका, यूरोप और "
      "ऑस्ट्रेलिया।", GEO, "WORLD"),
    F("geo.oceans", "OCEAN COUNT / OCEAN",
      "There are five oceans: the Pacific, Atlantic, Indian, Southern and Arctic.",
      "पाँच महासागर हैं: प्रशांत, अटलांटिक, हिंद, दक्षिणी और आर्कटिक महासागर।", GEO, "WORLD"),
    F("geo.largest_ocean", "SUPERL BIG OCEAN", "The Pacific is the largest ocean.",
      "प्रशांत महासागर सबसे बड़ा महासागर है।", "WordNet 3.0 (Pacific)", "WORLD",
      ("Pacific", "the largest ocean")),
    F("geo.smallest_ocean", "SUPERL SMALL OCEAN", "The Arctic is the smallest ocean.",
      "आर्कटिक महासागर सबसे छोटा महासागर है।", GEO, "WORLD"),
    F("geo.largest_continent", "SUPERL BIG CONTINENT", "Asia is the largest continent.",
      "एशिया सबसे बड़ा महाद्वीप है।", "WordNet 3.0 (Asia)", "WORLD AREA",
      ("Asia", "the largest continent")),
    F("geo.smallest_continent", "SUPERL SMALL CONTINENT",
      "Australia is the smallest continent.", "ऑस्ट्रेलिया सबसे छोटा महाद्वीप है।",
      "WordNet 3.0 (Australia)", "WORLD AREA", ("Australia", "the smallest continent")),
    F("geo.highest_mountain", "SUPERL HIGH MOUNTAIN",
      "Mount Everest is the highest mountain in the world, 8,849 metres above sea level "
      "(the 2020 survey by Nepal and China).",
      "माउंट एवरेस्ट दुनिया का सबसे ऊँचा पर्वत है, समुद्र तल से 8,849 मीटर (नेपाल और चीन का 2020 "
      "का माप)।", "WordNet 3.0 (Everest); height: 2020 Nepal-China survey", "WORLD",
      ("Everest", "the highest mountain peak in the world")),
    F("geo.everest_height", "HIGH mountain:everest / HIGH mountain:everest COUNT",
      "Mount Everest is 8,849 metres high (the 2020 survey by Nepal and China).",
      "माउंट एवरेस्ट 8,849 मीटर ऊँचा है (नेपाल और चीन का 2020 का माप)।",
      "written here; 2020 Nepal-China survey", "MOUNTAIN"),
    F("geo.longest_river", "SUPERL LONG RIVER",
      "The Nile is usually counted the longest river in the world, about 6,650 kilometres; "
      "some measurements make the Amazon longer.",
      "नील नदी को आमतौर पर दुनिया की सबसे लंबी नदी माना जाता है, लगभग 6,650 किलोमीटर; कुछ मापों "
      "में अमेज़न लंबी निकलती है।", "WordNet 3.0 (Nile)", "WORLD",
      ("Nile", "the world's longest river")),
    F("geo.largest_desert", "SUPERL BIG DESERT",
      "The Sahara is the largest hot desert; counting cold deserts, Antarctica is larger.",
      "सहारा सबसे बड़ा गर्म रेगिस्तान है; ठंडे रेगिस्तानों को गिनें तो अंटार्कटिका उससे बड़ा है।",
      "WordNet 3.0 (Sahara)", "WORLD HOT", ("Sahara", "the world's largest desert")),
    F("geo.largest_country", "SUPERL BIG COUNTRY_W / SUPERL BIG COUNTRY_W AREA",
      "By area, Russia is the largest country in the world.",
      "क्षेत्रफल के हिसाब से रूस दुनिया का सबसे बड़ा देश है।", GEO, "WORLD"),
    F("geo.smallest_country", "SUPERL SMALL COUNTRY_W / SUPERL SMALL COUNTRY_W AREA",
      "Vatican City is the smallest country in the world.",
      "वेटिकन सिटी दुनिया का सबसे छोटा देश है।", GEO, "WORLD"),
    F("india.longest_river", "SUPERL LONG RIVER country:IN",
      "The Ganga is the longest river in India, about 2,525 kilometres.",
      "गंगा भारत की सबसे लंबी नदी है, लगभग 2,525 किलोमीटर।", GEO, "INDIAN"),
    F("india.largest_state", "SUPERL BIG STATE_W country:IN / SUPERL BIG STATE_W",
      "By area, Rajasthan is the largest state of India.",
      "क्षेत्रफल के हिसाब से राजस्थान भारत का सबसे बड़ा राज्य है।", GEO, "AREA"),
    F("india.smallest_state", "SUPERL SMALL STATE_W country:IN / SUPERL SMALL STATE_W",
      "By area, Goa is the smallest state of India.",
      "क्षेत्रफल के हिसाब से गोवा भारत का सबसे छोटा राज्य है।", GEO, "AREA"),
    F("india.states_count", "COUNT STATE_W country:IN / COUNT STATE_W / COUNT STATES_UTS",
      "India has 28 states and 8 union territories (since 2020).",
      "भारत में 28 राज्य और 8 केंद्र शासित प्रदेश हैं (2020 से)।",
      "written here; Government of India (2020 onwards)", "country:IN"),
    # -- India: national symbols ------------------------------------------------------------
    F("india.animal", "NATIONAL ANIMAL", "The tiger is India's national animal.",
      "बाघ भारत का राष्ट्रीय पशु है।", GOI, INDIA),
    F("india.bird", "NATIONAL BIRD", "The peacock (Indian peafowl) is India's national bird.",
      "मोर भारत का राष्ट्रीय पक्षी है।", GOI, INDIA),
    F("india.flower", "NATIONAL FLOWER", "The lotus is India's national flower.",
      "कमल भारत का राष्ट्रीय फूल है।", GOI, INDIA),
    F("india.tree", "NATIONAL TREE", "The banyan is India's national tree.",
      "बरगद भारत का राष्ट्रीय वृक्ष है।", GOI, INDIA),
    F("india.fruit", "NATIONAL FRUIT", "The mango is India's national fruit.",
      "आम भारत का राष्ट्रीय फल है।", GOI, INDIA),
    F("india.river", "NATIONAL RIVER", "The Ganga is India's national river.",
      "गंगा भारत की राष्ट्रीय नदी है।", GOI, INDIA),
    F("india.aquatic", "NATIONAL AQUATIC ANIMAL", "The Ganges river dolphin is India's "
      "national aquatic animal.", "गंगा डॉल्फ़िन भारत का राष्ट्रीय जलीय जीव है।", GOI, INDIA),
    F("india.heritage", "NATIONAL HERITAGE ANIMAL", "The elephant is India's national heritage "
      "animal.", "हाथी भारत का राष्ट्रीय धरोहर पशु है।", GOI, INDIA),
    F("india.anthem", "ANTHEM / NATIONAL ANTHEM",
      "India's national anthem is Jana Gana Mana, written by Rabindranath Tagore; it takes "
      "about 52 seconds to sing.",
      "भारत का राष्ट्रगान 'जन गण मन' है, जिसे रवींद्रनाथ टैगोर ने लिखा; इसे गाने में लगभग 52 "
      "सेकंड लगते हैं।", GOI, INDIA + " SONG"),
    F("india.anthem_writer", "ANTHEM WRITE / ANTHEM WHO WRITE / NATIONAL ANTHEM WRITE",
      "Rabindranath Tagore wrote India's national anthem, Jana Gana Mana.",
      "भारत का राष्ट्रगान 'जन गण मन' रवींद्रनाथ टैगोर ने लिखा था।", GOI, INDIA + " WHO"),
    F("india.song", "NATIONAL SONG", "India's national song is Vande Mataram, written by "
      "Bankim Chandra Chattopadhyay.", "भारत का राष्ट्रीय गीत 'वंदे मातरम्' है, जिसे बंकिम चंद्र "
      "चट्टोपाध्याय ने लिखा।", GOI, INDIA),
    F("india.song_writer", "NATIONAL SONG WRITE / NATIONAL SONG WHO WRITE",
      "Bankim Chandra Chattopadhyay wrote India's national song, Vande Mataram.",
      "भारत का राष्ट्रीय गीत 'वंदे मातरम्' बंकिम चंद्र चट्टोपाध्याय ने लिखा था।", GOI,
      INDIA + " WHO"),
    F("india.emblem", "NATIONAL EMBLEM / EMBLEM / NATIONAL SYMBOL",
      "India's national emblem is the Lion Capital of Ashoka from Sarnath, with the motto "
      "Satyameva Jayate.",
      "भारत का राजचिह्न सारनाथ का अशोक स्तंभ का सिंह शीर्ष है, जिस पर 'सत्यमेव जयते' लिखा है।",
      GOI, INDIA),
    F("india.motto", "NATIONAL MOTTO / MOTTO",
      "India's national motto is Satyameva Jayate, 'truth alone triumphs', from the Mundaka "
      "Upanishad.",
      "भारत का राष्ट्रीय आदर्श वाक्य 'सत्यमेव जयते' है, यानी सत्य की ही जीत होती है; यह मुंडक "
      "उपनिषद से लिया गया है।", GOI, INDIA),
    F("india.flag", "NATIONAL FLAG / FLAG / FLAG COLOUR",
      "India's national flag, the Tiranga, has saffron, white and green bands with the navy "
      "blue Ashoka Chakra of 24 spokes in the middle.",
      "भारत का राष्ट्रीय ध्वज तिरंगा है: केसरिया, सफ़ेद और हरी पट्टियाँ, और बीच में 24 तीलियों वाला "
      "नीला अशोक चक्र।", GOI, INDIA + " COUNT"),
    F("india.chakra", "CHAKRA SPOKE / CHAKRA SPOKE COUNT / FLAG CHAKRA SPOKE",
      "The Ashoka Chakra on India's flag has 24 spokes.",
      "भारत के झंडे के अशोक चक्र में 24 तीलियाँ हैं।", GOI, INDIA + " FLAG COUNT"),
    F("india.flag_designer", "FLAG DESIGN / FLAG WHO DESIGN",
      "Pingali Venkayya designed the flag on which India's national flag is based; it was "
      "adopted on 22 July 1947.",
      "भारत के राष्ट्रीय ध्वज का मूल डिज़ाइन पिंगली वेंकैया ने बनाया था; इसे 22 जुलाई 1947 को "
      "अपनाया गया।", GOI, INDIA + " WHO"),
    F("india.currency", "CURRENCY country:IN / NATIONAL CURRENCY / CURRENCY INDIAN",
      "India's currency is the Indian rupee, written with the sign ₹.",
      "भारत की मुद्रा भारतीय रुपया है, जिसका चिह्न ₹ है।", "WordNet 3.0 (Indian rupee)",
      INDIA, ("Indian rupee", "the basic unit of money in India")),
    F("india.calendar", "NATIONAL CALENDAR", "India's national calendar is the Saka calendar.",
      "भारत का राष्ट्रीय पंचांग शक संवत है।", GOI, INDIA),
    F("india.game", "NATIONAL GAME",
      "India has no officially declared national game; hockey is often called that, but the "
      "government has said none was ever declared.",
      "भारत का कोई आधिकारिक राष्ट्रीय खेल घोषित नहीं है; हॉकी को अक्सर ऐसा कहा जाता है, पर सरकार "
      "ने बताया है कि ऐसा कभी घोषित नहीं हुआ।", "written here; Ministry of Youth Affairs and "
      "Sports (2012 reply)", INDIA),
    F("india.language", "NATIONAL LANGUAGE / OFFICIAL LANGUAGE",
      "India has no national language; Hindi in Devanagari and English are the official "
      "languages of the Union, and the Constitution lists 22 scheduled languages.",
      "भारत की कोई राष्ट्रभाषा घोषित नहीं है; देवनागरी में हिंदी और अंग्रेज़ी संघ की राजभाषाएँ हैं, "
      "और संविधान की आठवीं अनुसूची में 22 भाषाएँ हैं।", "written here; Constitution of India "
      "(Article 343, Eighth Schedule)", INDIA + " OFFICIAL"),
    F("india.father", "FATHER NATIONAL / FATHER country:IN",
      "Mahatma Gandhi is called the Father of the Nation.",
      "महात्मा गांधी को राष्ट्रपिता कहा जाता है।", HIST, INDIA + " WHO"),
    # -- India: history ---------------------------------------------------------------------
    F("india.first_pm", "FIRST PRIME_MINISTER", "Jawaharlal Nehru was India's first prime "
      "minister, from 1947 to 1964.", "जवाहरलाल नेहरू भारत के पहले प्रधानमंत्री थे, 1947 से 1964 तक।",
      "WordNet 3.0 (Nehru)", INDIA + " WHO", ("Nehru", "the first prime minister")),
    F("india.first_woman_pm", "FIRST WOMAN PRIME_MINISTER",
      "Indira Gandhi was India's first woman prime minister, from 1966.",
      "इंदिरा गांधी भारत की पहली महिला प्रधानमंत्री थीं, 1966 से।",
      "WordNet 3.0 (Indira Gandhi)", INDIA + " WHO",
      ("Indira Gandhi", "prime minister of India from 1966")),
    F("india.first_president", "FIRST PRESIDENT", "Dr Rajendra Prasad was India's first "
      "president, from 1950 to 1962.", "डॉ. राजेंद्र प्रसाद भारत के पहले राष्ट्रपति थे, 1950 से 1962 "
      "तक।", HIST, INDIA + " WHO"),
    F("india.first_woman_president", "FIRST WOMAN PRESIDENT",
      "Pratibha Patil was India's first woman president, from 2007 to 2012.",
      "प्रतिभा पाटिल भारत की पहली महिला राष्ट्रपति थीं, 2007 से 2012 तक।", HIST, INDIA + " WHO"),
    F("india.first_in_space", "FIRST INDIAN SPACE / FIRST INDIAN PERSON SPACE / "
      "FIRST INDIAN SPACE GO / FIRST INDIAN PERSON SPACE GO",
      "Rakesh Sharma was the first Indian in space, in 1984.",
      "राकेश शर्मा अंतरिक्ष में जाने वाले पहले भारतीय थे, 1984 में।", HIST, "WHO country:IN"),
    F("india.first_woman_space", "FIRST INDIAN WOMAN SPACE / FIRST INDIAN WOMAN SPACE GO",
      "Kalpana Chawla was the first woman of Indian origin in space, in 1997.",
      "कल्पना चावला अंतरिक्ष में जाने वाली भारतीय मूल की पहली महिला थीं, 1997 में।", HIST,
      "WHO PERSON country:IN"),
    F("india.independence", "INDEPENDENCE country:IN / INDEPENDENCE country:IN WHEN / "
      "INDEPENDENCE country:IN GET",
      "India became independent on 15 August 1947.", "भारत 15 अगस्त 1947 को आज़ाद हुआ।", HIST,
      "WHEN GET YEAR"),
    F("india.constitution", "CONSTITUTION ADOPT / CONSTITUTION WHEN / CONSTITUTION country:IN",
      "The Constituent Assembly adopted India's Constitution on 26 November 1949, and it came "
      "into force on 26 January 1950.",
      "संविधान सभा ने भारत का संविधान 26 नवंबर 1949 को अपनाया, और यह 26 जनवरी 1950 को लागू हुआ।",
      HIST, "INDIAN country:IN WHEN ADOPT YEAR"),
    F("india.constitution_father", "CONSTITUTION WRITE / CONSTITUTION FATHER / "
      "CONSTITUTION WHO WRITE",
      "Dr B. R. Ambedkar chaired the committee that drafted India's Constitution and is "
      "called its chief architect.",
      "डॉ. भीमराव आंबेडकर ने भारत का संविधान बनाने वाली प्रारूप समिति की अध्यक्षता की थी; उन्हें "
      "संविधान का मुख्य शिल्पी कहा जाता है।", HIST, "INDIAN country:IN WHO"),
    # -- sport ------------------------------------------------------------------------------
    F("chess.squares", "chess SQUARE / chess SQUARE COUNT / chess BOARD SQUARE COUNT",
      "A chessboard has 64 squares.", "शतरंज की बिसात में 64 खाने होते हैं।", RULES, "BOARD"),
    F("chess.pieces", "chess PIECE / chess PIECE COUNT",
      "A game of chess starts with 32 pieces, 16 for each player.",
      "शतरंज में 32 मोहरे होते हैं, हर खिलाड़ी के 16।", RULES, "PLAYER"),
    F("football.duration", "sport:football MATCH_LEN",
      "A football match lasts 90 minutes: two halves of 45 minutes, plus stoppage time.",
      "फ़ुटबॉल मैच 90 मिनट का होता है: 45-45 मिनट के दो हाफ़, और ऊपर से जोड़ा गया समय।", RULES,
      "COUNT"),
]


def _planet_order_facts() -> list[Fact]:
    out = []
    en_ord = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
    hi_ord = ("पहला", "दूसरा", "तीसरा", "चौथा", "पाँचवाँ", "छठा", "सातवाँ", "आठवाँ")
    for n, pid in enumerate(ORDER, 1):
        en, hi, _ = PLANETS[pid]
        ordinal = "FIRST" if n == 1 else f"ORD{n}"
        token = "EARTH" if pid == "earth" else f"planet:{pid}"
        out.append(F(f"planet.order_{n}", f"{ordinal} PLANET / {ordinal} PLANET SUN",
                     f"{en} is the {en_ord[n - 1]} planet from the Sun.",
                     f"{hi} सूर्य से {hi_ord[n - 1]} ग्रह है।", IAU, SPACE))
        out.append(F(f"planet.position_{pid}", f"{token} ORDER / {token} ORDER SUN / "
                     f"{token} PLANET SUN ORDER / {token} PLANET SUN",
                     f"{en} is the {en_ord[n - 1]} planet from the Sun.",
                     f"{hi} सूर्य से {hi_ord[n - 1]} ग्रह है।", IAU, SPACE + " PLANET COUNT"))
    return out


def _sport_facts() -> list[Fact]:
    out = []
    for sid, (en, hi, _, players) in SPORTS.items():
        out.append(F(f"sport.players_{sid}", f"sport:{sid} PLAYER / sport:{sid} PLAYER COUNT / "
                     f"sport:{sid} TEAM COUNT",
                     f"A {en} team has {players} players on the field.",
                     f"{hi} की एक टीम में मैदान पर {players} खिलाड़ी होते हैं।", RULES,
                     "TEAM COUNT"))
    overs = {"t20": 20, "odi": 50}
    for fid, (en, hi, _) in CRICKET_FORMATS.items():
        if fid in overs:
            out.append(F(f"cricket.overs_{fid}", f"format:{fid} OVER / format:{fid} OVER COUNT",
                         f"In a {en} each side bats for up to {overs[fid]} overs.",
                         f"{hi} मैच में हर टीम ज़्यादा से ज़्यादा {overs[fid]} ओवर खेलती है।", RULES,
                         "sport:cricket TEAM COUNT"))
    out.append(F("cricket.test_days", "format:test DAY / format:test DAY COUNT / "
                 "format:test MATCH_LEN",
                 "A Test match is played over up to five days.",
                 "टेस्ट मैच ज़्यादा से ज़्यादा पाँच दिन खेला जाता है।", RULES, "sport:cricket COUNT"))
    return out


def _chemistry_facts() -> list[Fact]:
    out = []
    for eid, (en, hi, symbol, number, _) in ELEMENTS.items():
        out.append(F(f"element.symbol_{eid}", f"SYMBOL element:{eid} / CHEMICAL SYMBOL "
                     f"element:{eid}",
                     f"The chemical symbol of {en} is {symbol}.",
                     f"{hi} का रासायनिक चिह्न {symbol} है।", STD + " (IUPAC)", "CHEMICAL"))
        out.append(F(f"element.number_{eid}", f"ATOMIC element:{eid}",
                     f"The atomic number of {en} is {number}.",
                     f"{hi} की परमाणु संख्या {number} है।", STD + " (IUPAC)", "COUNT"))
    for cid, (en, hi, f_en, f_hi, _) in COMPOUNDS.items():
        if cid == "water":
            continue                       # the water facts above
        out.append(F(f"compound.formula_{cid}", f"FORMULA compound:{cid} / CHEMICAL FORMULA "
                     f"compound:{cid}",
                     f"The chemical formula of {en} is {f_en}.",
                     f"{hi} का रासायनिक सूत्र {f_hi} है।", STD, "CHEMICAL"))
    return out


FACTS += _planet_order_facts() + _sport_facts() + _chemistry_facts()

# Slot facts: answered from the places and festival tables (see the plugin).
SLOT_FACTS: list[Fact] = [
    F("capital.of_country", "CAPITAL @country", "", "", "", "COUNTRY_W NAME CITY_W"),
    F("capital.of_state", "CAPITAL @state", "", "", "", "STATE_W NAME CITY_W country:IN"),
    F("capital.which_country", "CAPITAL @city COUNTRY_W / CAPITAL @city STATE_W / "
      "CAPITAL @city", "", "", "", "CITY_W"),
    F("capital.check_country", "CAPITAL @city @country", "", "", "", "CITY_W COUNTRY_W"),
    F("capital.check_state", "CAPITAL @city @state", "", "", "", "CITY_W STATE_W"),
    F("city.country", "@city COUNTRY_W", "", "", "", "CITY_W"),
    F("festival.about", "@festival", "", "", "", "WHEN WHY THIS_YEAR country:IN INDIAN "
      "MEANING DAY"),
]
