"""Shared word lists for the generators and the teacher prompts, in three registers.

Every entry that has a meaning in all three registers is a triple
``(Devanagari Hindi, English, romanised Hinglish)`` so one random choice renders the
same content in whichever language a sample is written in. Hand-written, small, and
checked by a native reading: the variety of the corpus comes from combining these, not
from their length.
"""

from __future__ import annotations

LANGS = ("hi", "en", "hinglish")

# People: (Hindi, English/Hinglish spelling). Names are the same in en and hinglish.
NAMES = [
    ("राहुल", "Rahul"), ("प्रिया", "Priya"), ("अमित", "Amit"), ("सीता", "Sita"),
    ("अनु", "Anu"), ("रवि", "Ravi"), ("नेहा", "Neha"), ("अर्जुन", "Arjun"),
    ("पूजा", "Pooja"), ("विकास", "Vikas"), ("कविता", "Kavita"), ("सुनील", "Sunil"),
    ("मीरा", "Meera"), ("आदित्य", "Aditya"), ("दीपा", "Deepa"), ("करण", "Karan"),
    ("सोनिया", "Sonia"), ("मोहन", "Mohan"), ("गीता", "Geeta"), ("इमरान", "Imran"),
    ("फ़ातिमा", "Fatima"), ("जसप्रीत", "Jaspreet"), ("लक्ष्मी", "Lakshmi"), ("अरुण", "Arun"),
    ("रेखा", "Rekha"), ("सलमान", "Salman"), ("तारा", "Tara"), ("विजय", "Vijay"),
]

# Cities: (Hindi, English/Hinglish), with the state in Hindi and English.
CITIES = [
    ("दिल्ली", "Delhi", "दिल्ली", "Delhi"), ("मुंबई", "Mumbai", "महाराष्ट्र", "Maharashtra"),
    ("जयपुर", "Jaipur", "राजस्थान", "Rajasthan"), ("लखनऊ", "Lucknow", "उत्तर प्रदेश", "Uttar Pradesh"),
    ("पटना", "Patna", "बिहार", "Bihar"), ("भोपाल", "Bhopal", "मध्य प्रदेश", "Madhya Pradesh"),
    ("वाराणसी", "Varanasi", "उत्तर प्रदेश", "Uttar Pradesh"),
    ("कोलकाता", "Kolkata", "पश्चिम बंगाल", "West Bengal"),
    ("चेन्नई", "Chennai", "तमिलनाडु", "Tamil Nadu"), ("बेंगलुरु", "Bengaluru", "कर्नाटक", "Karnataka"),
    ("हैदराबाद", "Hyderabad", "तेलंगाना", "Telangana"), ("पुणे", "Pune", "महाराष्ट्र", "Maharashtra"),
    ("अहमदाबाद", "Ahmedabad", "गुजरात", "Gujarat"), ("चंडीगढ़", "Chandigarh", "पंजाब", "Punjab"),
    ("शिमला", "Shimla", "हिमाचल प्रदेश", "Himachal Pradesh"),
    ("देहरादून", "Dehradun", "उत्तराखंड", "Uttarakhand"), ("रांची", "Ranchi", "झारखंड", "Jharkhand"),
    ("इंदौर", "Indore", "मध्य प्रदेश", "Madhya Pradesh"), ("नागपुर", "Nagpur", "महाराष्ट्र", "Maharashtra"),
    ("गुवाहाटी", "Guwahati", "असम", "Assam"), ("अमृतसर", "Amritsar", "पंजाब", "Punjab"),
    ("कानपुर", "Kanpur", "उत्तर प्रदेश", "Uttar Pradesh"), ("उदयपुर", "Udaipur", "राजस्थान", "Rajasthan"),
]

# Countable things for word problems: (Hindi, English singular, English plural, Hinglish).
ITEMS = [
    ("सेब", "apple", "apples", "seb"), ("आम", "mango", "mangoes", "aam"),
    ("केला", "banana", "bananas", "kela"), ("किताब", "book", "books", "kitaab"),
    ("पेंसिल", "pencil", "pencils", "pencil"), ("गेंद", "ball", "balls", "gend"),
    ("अंडा", "egg", "eggs", "anda"), ("टॉफ़ी", "toffee", "toffees", "toffee"),
    ("कॉपी", "notebook", "notebooks", "copy"), ("गुब्बारा", "balloon", "balloons", "gubbara"),
    ("फूल", "flower", "flowers", "phool"), ("संतरा", "orange", "oranges", "santra"),
    ("लड्डू", "laddoo", "laddoos", "laddoo"), ("समोसा", "samosa", "samosas", "samosa"),
    ("पौधा", "plant", "plants", "paudha"), ("कुर्सी", "chair", "chairs", "kursi"),
]

# Oblique plural (before को, में, के लिए ...): "कॉपियों को", "केलों में".
ITEM_OBLIQUE_PLURAL_HI = {
    "सेब": "सेबों", "आम": "आमों", "केला": "केलों", "किताब": "किताबों", "पेंसिल": "पेंसिलों",
    "गेंद": "गेंदों", "अंडा": "अंडों", "टॉफ़ी": "टॉफ़ियों", "कॉपी": "कॉपियों",
    "गुब्बारा": "गुब्बारों", "फूल": "फूलों", "संतरा": "संतरों", "लड्डू": "लड्डुओं",
    "समोसा": "समोसों", "पौधा": "पौधों", "कुर्सी": "कुर्सियों",
}

# Oblique forms of the plural activity labels ("कपड़ों के लिए").
ACTIVITY_OBLIQUE_HI = {"अंडे": "अंडों", "कपड़े": "कपड़ों", "पौधे": "पौधों"}

# Grammatical gender in Hindi (f = feminine) decides कितने/कितनी and verb endings.
ITEM_FEMININE_HI = {"किताब", "पेंसिल", "गेंद", "टॉफ़ी", "कॉपी", "कुर्सी"}

# Hindi plurals differ by gender and ending; for the items above (direct case, count > 1).
ITEM_PLURAL_HI = {
    "केला": "केले", "अंडा": "अंडे", "गुब्बारा": "गुब्बारे", "संतरा": "संतरे",
    "समोसा": "समोसे", "पौधा": "पौधे", "किताब": "किताबें", "पेंसिल": "पेंसिलें",
    "गेंद": "गेंदें", "टॉफ़ी": "टॉफ़ियाँ", "कॉपी": "कॉपियाँ", "कुर्सी": "कुर्सियाँ",
}

# Hinglish plurals of the items above that change (-a -> -e).
ITEM_PLURAL_HINGLISH = {"kela": "kele", "anda": "ande", "gubbara": "gubbare", "santra": "santre",
                        "samosa": "samose", "paudha": "paudhe"}

# Weather: (tool's condition key, Hindi clause, English clause, Hinglish clause).
WEATHER = [
    ("sunny", "धूप खिली है", "it is sunny", "dhoop khili hai"),
    ("cloudy", "बादल छाए हैं", "it is cloudy", "baadal chhaaye hain"),
    ("rain", "बारिश हो रही है", "it is raining", "baarish ho rahi hai"),
    ("light rain", "हल्की बारिश हो रही है", "there is light rain", "halki baarish ho rahi hai"),
    ("fog", "कोहरा छाया है", "it is foggy", "kohra chhaaya hai"),
    ("windy", "तेज़ हवा चल रही है", "it is windy", "tez hawa chal rahi hai"),
    ("storm", "आंधी चल रही है", "there is a storm", "aandhi chal rahi hai"),
    ("clear", "आसमान साफ़ है", "the sky is clear", "aasmaan saaf hai"),
]

WEEKDAYS = [
    ("सोमवार", "Monday", "Somvaar"), ("मंगलवार", "Tuesday", "Mangalvaar"),
    ("बुधवार", "Wednesday", "Budhvaar"), ("गुरुवार", "Thursday", "Guruvaar"),
    ("शुक्रवार", "Friday", "Shukravaar"), ("शनिवार", "Saturday", "Shanivaar"),
    ("रविवार", "Sunday", "Ravivaar"),
]

MONTHS = [
    ("जनवरी", "January"), ("फ़रवरी", "February"), ("मार्च", "March"), ("अप्रैल", "April"),
    ("मई", "May"), ("जून", "June"), ("जुलाई", "July"), ("अगस्त", "August"),
    ("सितंबर", "September"), ("अक्टूबर", "October"), ("नवंबर", "November"), ("दिसंबर", "December"),
]

# Timer labels / everyday activities: (Hindi, English, Hinglish).
ACTIVITIES = [
    ("चाय", "tea", "chai"), ("दाल", "dal", "dal"), ("चावल", "rice", "chawal"),
    ("पढ़ाई", "study", "padhai"), ("कसरत", "exercise", "exercise"), ("योग", "yoga", "yoga"),
    ("ध्यान", "meditation", "dhyaan"), ("अंडे", "eggs", "ande"),
    ("कपड़े", "laundry", "kapde"), ("दवाई", "medicine", "dawai"),
    ("मीटिंग", "meeting", "meeting"), ("झपकी", "nap", "jhapki"), ("पिज़्ज़ा", "pizza", "pizza"),
    ("रोटी", "roti", "roti"), ("पौधे", "plants", "paudhe"),
]

# Topics for teacher prompts and facts: (Hindi, English).
TOPICS = [
    ("मौसम", "the weather"), ("खेती", "farming"), ("क्रिकेट", "cricket"), ("शिक्षा", "education"),
    ("स्वास्थ्य", "health"), ("तकनीक", "technology"), ("रेलगाड़ी", "trains"), ("त्योहार", "festivals"),
    ("खाना", "food"), ("पानी", "water"), ("पर्यावरण", "the environment"), ("विज्ञान", "science"),
    ("इतिहास", "history"), ("संगीत", "music"), ("सिनेमा", "cinema"), ("योग", "yoga"),
    ("गाँव", "village life"), ("शहर", "city life"), ("परिवार", "family"), ("दोस्ती", "friendship"),
    ("बाज़ार", "the market"), ("बारिश", "rain"), ("सर्दी", "winter"), ("गर्मी", "summer"),
    ("पेड़", "trees"), ("नदियाँ", "rivers"), ("पहाड़", "mountains"), ("समुद्र", "the sea"),
    ("अंतरिक्ष", "space"), ("कंप्यूटर", "computers"), ("मोबाइल फ़ोन", "mobile phones"),
    ("बिजली", "electricity"), ("डाक", "the post office"), ("अस्पताल", "hospitals"),
    ("पुस्तकालय", "libraries"), ("खेल", "sports"), ("जानवर", "animals"), ("पक्षी", "birds"),
    ("चाय", "tea"), ("मसाले", "spices"), ("कपड़े", "clothes"), ("यात्रा", "travel"),
    ("पैसे की बचत", "saving money"), ("नींद", "sleep"), ("बच्चे", "children"), ("बुज़ुर्ग", "old age"),
]

GREETINGS = {
    "hi": ["नमस्ते", "नमस्कार", "प्रणाम", "राम राम", "सुप्रभात", "शुभ संध्या"],
    "en": ["Hello", "Hi", "Good morning", "Good evening", "Hey", "Good afternoon"],
    "hinglish": ["Namaste", "Hello ji", "Namaskar", "Hi yaar", "Good morning ji", "Ram Ram"],
}

ASSISTANT_NAME = {"hi": "वाणी", "en": "VAANI", "hinglish": "Vaani"}
