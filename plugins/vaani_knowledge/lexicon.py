"""The closed vocabulary the knowledge skill understands: concepts, fillers, entities.

A question is read as a bag of *concepts* (CAPITAL, PLANET, SUPERLATIVE, BIG ...) and
*entities* (country:FR, planet:mars, festival:diwali ...), whatever the language and word
order: "what is the largest planet", "सबसे बड़ा ग्रह कौन सा है" and "sabse bada grah kaun
sa hai" are all {SUPERL, BIG, PLANET}. Words that carry no meaning here (question words,
postpositions, "please", "tell me") are *fillers*. Any other word means the question is
about something this skill does not know, and it is left alone (precision first: the
negative tests check that other skills' phrasings are never taken).

Each entry is one string of spellings separated by ``|``: English, Devanagari and
romanised Hindi side by side. Single words are compared through
:func:`vaani.language.word_key` (spelling-tolerant), phrases word by word.
"""

from __future__ import annotations

# -- concepts -----------------------------------------------------------------------------

CONCEPTS: dict[str, str] = {
    # places
    "CAPITAL": "capital|capital city|capitals|राजधानी|राजधानियाँ|rajdhani|rajdhaani|raajdhani|"
               "rajadhani",
    "COUNTRY_W": "country|nation|देश|मुल्क|desh|mulk",
    "STATE_W": "state|states|union territory|union territories|राज्य|राज्यों|प्रदेश|"
               "केंद्र शासित प्रदेश|rajya|pradesh",
    "CITY_W": "city|town|शहर|नगर|shahar|sheher|nagar",
    "WORLD": "world|the world|on earth|दुनिया|विश्व|संसार|duniya|vishwa|vishva|sansar",
    "CONTINENT": "continent|continents|महाद्वीप|mahadweep|mahadvip",
    "OCEAN": "ocean|oceans|महासागर|महासागरों|mahasagar",
    "MOUNTAIN": "mountain|mountains|peak|पर्वत|पहाड़|चोटी|शिखर|parvat|pahad|pahaad",
    "RIVER": "river|rivers|नदी|नदियाँ|nadi",
    "DESERT": "desert|रेगिस्तान|मरुस्थल|registan|marusthal",
    "AREA": "area|by area|in area|size|क्षेत्रफल|आकार|kshetrafal|aakar",
    # space
    "PLANET": "planet|planets|ग्रह|ग्रहों|graha|grah|greh",
    "DWARF": "dwarf|बौना|बौने|bauna",
    "SOLAR_SYSTEM": "solar system|our solar system|the solar system|सौर मंडल|सौरमंडल|"
                    "सौर परिवार|saur mandal|saurmandal|saur parivar",
    "SUN": "sun|the sun|सूर्य|सूरज|surya|suraj|sooraj|sury",
    "MOON": "moon|moons|the moon|चंद्रमा|चन्द्रमा|चाँद|चांद|chand|chaand|chandrama|chandrma",
    "EARTH": "earth|the earth|पृथ्वी|धरती|prithvi|prithvee|dharti",
    "STAR": "star|तारा|सितारा|tara|sitara",
    "RED": "red|लाल|lal|laal",
    "BLUE": "blue|नीला|नीले|neela|nila",
    "RING": "rings|ring|वलय|छल्ले|chhalle",
    "MORNING_STAR": "morning star|evening star|भोर का तारा|सांझ का तारा|shukra tara",
    "ORDER": "order|sequence|in order|position|number|place|क्रम|क्रमानुसार|नंबर|स्थान|kram|"
             "sthan|numbar",
    "SATELLITE": "satellite|natural satellite|उपग्रह|upgrah|upgraha",
    # superlatives: English -est forms carry both parts
    "SUPERL": "most|सबसे|sabse|sabase|sab se",
    "SUPERL BIG": "largest|biggest|सबसे बड़ा|सबसे बड़ी|सबसे बड़े|sabse bada|sabse badi|"
                  "sabse bade|sabse bara",
    "BIG": "big|large|बड़ा|बड़ी|बड़े|bada|badi|bade|bara|vishal|विशाल",
    "SUPERL SMALL": "smallest|tiniest|सबसे छोटा|सबसे छोटी|sabse chhota|sabse chota|"
                    "sabse chhoti",
    "SMALL": "small|little|छोटा|छोटी|छोटे|chhota|chota|chhoti|choti|chhote",
    "SUPERL HOT": "hottest|सबसे गर्म|सबसे गरम|sabse garam|sabse garm",
    "HOT": "hot|गर्म|गरम|garam|garm",
    "SUPERL COLD": "coldest|सबसे ठंडा|sabse thanda",
    "SUPERL NEAR": "closest|nearest|सबसे पास|सबसे नज़दीक|सबसे नजदीक|सबसे करीब|सबसे क़रीब|"
                   "sabse paas|sabse pas|sabse nazdeek|sabse najdik|sabse kareeb|sabse karib",
    "NEAR": "close|near|पास|नज़दीक|नजदीक|करीब|क़रीब|paas|pas|nazdeek|najdik|kareeb|karib",
    "SUPERL FAR": "farthest|furthest|सबसे दूर|sabse door|sabse dur",
    "FAR": "far|how far|distance|away|दूर|दूरी|door|dur|doori|duri",
    "SUPERL LONG": "longest|सबसे लंबा|सबसे लंबी|सबसे लम्बी|सबसे लम्बा|sabse lamba|sabse lambi",
    "LONG": "long|लंबा|लंबी|लम्बी|लम्बा|lamba|lambi",
    "SUPERL HIGH": "highest|tallest|सबसे ऊँचा|सबसे ऊंचा|सबसे ऊँची|सबसे ऊंची|sabse uncha|"
                   "sabse oonchi|sabse unchi",
    "HIGH": "high|tall|height|ऊँचा|ऊंचा|ऊँची|ऊंची|ऊँचाई|ऊंचाई|uncha|unchi|unchai",
    # counting and asking
    "COUNT": "how many|how much|number of|the number of|कितने|कितनी|कितना|kitne|kitni|kitna|"
             "kitney|किता|किते",
    "WHEN": "when|what date|on what date|which date|which day|कब|किस दिन|किस तारीख़|किस तारीख|"
            "kab|kis din|kis tarikh",
    "WHY": "why|क्यों|क्यूँ|kyon|kyun|kyu",
    "WHO": "who|किसने|किसके द्वारा|kisne",
    "WRITE": "wrote|written|write|writer|composed|composer|author|लिखा|लिखी|लिखे|लिखा था|रचना|"
             "रचयिता|रचा|लेखक|likha|likhi|rachna|rachayita|lekhak",
    "ADOPT": "adopted|adopt|accepted|अपनाया|स्वीकार|apnaya|lagu|लागू|came into force|"
             "came into effect|implemented",
    "DESIGN": "designed|design|designer|डिज़ाइन|डिजाइन|बनाया|banaya",
    "MEANING": "meaning|mean|means|meant|अर्थ|मतलब|arth|matlab",
    # India
    "NATIONAL": "national|राष्ट्रीय|rashtriya|rashtreeya|राष्ट्र|rashtra|of the nation",
    "ANIMAL": "animal|पशु|जानवर|जीव|pashu|janwar|jaanvar|jeev",
    "BIRD": "bird|पक्षी|पंछी|चिड़िया|pakshi|panchhi|chidiya",
    "FLOWER": "flower|फूल|पुष्प|phool|phul|pushp",
    "TREE": "tree|पेड़|वृक्ष|ped|vriksh|vruksh",
    "FRUIT": "fruit|फल",      # not romanised "phal": its spelling key is that of "fall"
    "ANTHEM": "anthem|national anthem|jana gana mana|jan gan man|जन गण मन|"
              "राष्ट्रगान|राष्ट्र गान|राष्ट्रीय गान|rashtragan|"
              "rashtra gaan|rashtragaan|rashtriya gaan",
    "SONG": "song|गीत|गाना|geet|gaana|gana",
    "NATIONAL SONG": "national song|राष्ट्रगीत|राष्ट्र गीत|rashtrageet|rashtra geet|"
                     "vande mataram|vande matram|वंदे मातरम|वंदे मातरम्|वन्दे मातरम्",
    "EMBLEM": "emblem|national emblem|राजचिह्न|राज चिह्न|rajchinh|raj chinh",
    "SYMBOL": "symbol|symbols|प्रतीक|चिह्न|चिन्ह|निशान|pratik|prateek|chinh|chinha",
    "FLAG": "flag|झंडा|ध्वज|तिरंगा|तिरंगे|jhanda|dhwaj|dhvaj|tiranga",
    "CURRENCY": "currency|money|मुद्रा|करेंसी|mudra|karansi",
    "GAME": "game|sport|खेल|khel",
    "LANGUAGE": "language|languages|भाषा|भाषाएँ|bhasha|bhaasha",
    "NATIONAL LANGUAGE": "राष्ट्रभाषा|राष्ट्र भाषा|rashtrabhasha|rashtra bhasha",
    "OFFICIAL": "official|राजभाषा|आधिकारिक|सरकारी|rajbhasha|adhikarik",
    "CALENDAR": "calendar|पंचांग|कैलेंडर|panchang",
    "MOTTO": "motto|आदर्श वाक्य|ध्येय वाक्य|adarsh vakya",
    "HERITAGE": "heritage|विरासत|धरोहर|virasat|dharohar",
    "AQUATIC": "aquatic|जलीय|jaliya|jaleey",
    "COLOUR": "colour|colours|color|colors|रंग|rang",
    "SPOKE": "spokes|spoke|तीलियाँ|तीलियां|तीली|तिलियां|teeliyan|tiliyan",
    "CHAKRA": "chakra|wheel|ashoka chakra|अशोक चक्र|चक्र|chakr|ashok chakra",
    "FATHER": "father|पिता|राष्ट्रपिता|बापू|pita|rashtrapita|bapu",
    "FIRST": "first|पहला|पहले|पहली|प्रथम|pehla|pahla|pehle|pahle|pehli|pahli|pratham",
    "PRIME_MINISTER": "prime minister|pm|प्रधानमंत्री|प्रधान मंत्री|pradhanmantri|"
                      "pradhan mantri",
    "PRESIDENT": "president|राष्ट्रपति|rashtrapati",
    "WOMAN": "woman|female|lady|महिला|स्त्री|mahila",
    "PERSON": "person|man|human|व्यक्ति|आदमी|इंसान|मनुष्य|vyakti|aadmi|insaan|manushya|"
              "astronaut|अंतरिक्ष यात्री|antriksh yatri",
    "SPACE": "space|in space|to space|अंतरिक्ष|अन्तरिक्ष|antriksh|antariksh",
    "GO": "went|go|gone|travel|travelled|traveled|reached|गया|गई|गए|जाने|जाने वाले|"
          "जाने वाली|पहुँचा|पहुंचा|gaya|gayi|gaye|jane|jaane|wale|wali",
    "INDIAN": "indian|भारतीय|bhartiya|bharatiya",
    "INDEPENDENCE": "independence|independent|freedom|आज़ादी|आजादी|स्वतंत्रता|स्वाधीनता|azadi|"
                    "aazadi|swatantrata|svatantrata|azaad|आज़ाद|आजाद",
    "GET": "get|got|gain|gained|become|became|मिली|मिला|हुआ|milli|mili|mila",
    "CONSTITUTION": "constitution|संविधान|samvidhan|sanvidhan",
    "STATES_UTS": "states and union territories|राज्य और केंद्र शासित प्रदेश",
    # science
    "WATER": "water|पानी|जल|pani|paani|jal",
    "BOIL": "boil|boils|boiling|boiling point|उबलता|उबलती|उबलना|उबाल|क्वथनांक|ubalta|ubalna|"
            "ubal|kvathnank",
    "FREEZE": "freeze|freezes|freezing|freezing point|turn into ice|जमता|जमती|जमना|हिमांक|"
              "बर्फ़ बनता|बर्फ बनता|jamta|jamna|himank",
    "TEMPERATURE": "temperature|degrees|degree|what temperature|डिग्री|तापमान|ताप|tapman|"
                   "taapmaan|taapman",
    "POINT": "point|बिंदु|bindu",
    "SPEED": "speed|how fast|velocity|गति|रफ़्तार|रफ्तार|वेग|gati|raftar|raftaar|veg",
    "LIGHT": "light|प्रकाश|रोशनी|रौशनी|prakash|roshni",
    "SOUND": "sound|ध्वनि|आवाज़|आवाज|dhwani|dhvani|awaaz|avaj",
    "AIR": "air|in air|हवा|वायु|hawa|vayu",
    "DAY": "day|days|दिन|din",
    "YEAR": "year|years|साल|वर्ष|बरस|saal|sal|varsh|baras",
    "LEAP": "leap|leap year|लीप|लीप ईयर|अधिवर्ष|leap yr|adhivarsh",
    "WEEK": "week|weeks|सप्ताह|हफ़्ते|हफ्ते|हफ़्ता|हफ्ता|saptah|hafte|hafta",
    "MONTH": "month|months|महीने|महीना|मास|mahine|mahina|maas",
    "FEBRUARY": "february|फ़रवरी|फरवरी|farvari|farwari|february month",
    "OFTEN": "how often|every|हर|har|kitne saal mein|कितने साल में",
    "BONE": "bone|bones|हड्डी|हड्डियाँ|हड्डियां|हड्डियों|haddi|haddiyan|haddiya",
    "BODY": "body|human body|the human body|शरीर|मानव शरीर|sharir|shareer|manav sharir",
    "ADULT": "adult|grown up|वयस्क|व्यस्क|vayask",
    "TOOTH": "teeth|tooth|दाँत|दांत|daant|dant",
    "HEART": "heart|दिल|हृदय|ह्रदय|dil|hriday|hruday",
    "CHAMBER": "chambers|chamber|कक्ष|kaksh",
    "NORMAL": "normal|सामान्य|नॉर्मल|samanya|saamanya",
    "ORGAN": "organ|अंग|ang",
    "FORMULA": "formula|chemical formula|सूत्र|रासायनिक सूत्र|फ़ॉर्मूला|फार्मूला|sutra|sootra|"
               "formula",
    "CHEMICAL": "chemical|रासायनिक|rasayanik",
    "ATOMIC": "atomic number|परमाणु संख्या|परमाणु क्रमांक|parmanu sankhya",
    "GAS": "gas|gases|गैस|gais",
    "BREATHE": "breathe|breathe in|we breathe|साँस|सांस|saans|sans",
    "PLANT": "plants|plant|पौधे|पेड़ पौधे|पौधा|paudhe|paudha",
    "ABSORB": "absorb|take in|use|लेते|सोखते|ग्रहण|lete|sokhte",
    "TAKE": "take|takes|लगता|लगते|लगती|lagta|lagte|lagti",
    "REVOLVE": "go around|orbit|revolve|revolution|चक्कर|परिक्रमा|chakkar|parikrama",
    "ROTATE": "rotate|spin|turn on its axis|rotation|घूमती|घूमता|अपनी धुरी|ghoomti|ghumti",
    "REACH": "reach|to reach|पहुँचने|पहुंचने|पहुँचती|pahunchne",
    # sport
    "PLAYER": "players|player|खिलाड़ी|khiladi|khilaadi|members",
    "TEAM": "team|side|teams|टीम|team mein|dal",
    "OVER": "overs|over|ओवर",
    "MATCH_LEN": "long is|duration|how long|कितनी देर|कितने मिनट|kitni der",
    "SQUARE": "squares|square|खाने|ख़ाने|khane",
    "PIECE": "pieces|piece|मोहरे|मोहरों|mohre",
    "BOARD": "board|chessboard|बोर्ड|बिसात",
    # time-sensitive (declined by the skill itself)
    "POPULATION": "population|populous|most populous|people live|people living|"
                  "how many people|आबादी|जनसंख्या|"
                  "जन संख्या|लोग रहते|abadi|aabadi|jansankhya|log rehte",
    "RICH": "richest|wealthiest|rich|अमीर|धनी|amir|ameer|dhani|net worth|networth",
    "CURRENT": "current|currently|present|latest|now|right now|today|वर्तमान|"
               "मौजूदा|अभी|आज|ताज़ा|ताजा|abhi|aaj|vartaman|maujuda",
    "GDP": "gdp|gross domestic product|जीडीपी|economy",
    "RECORD": "record|world record|रिकॉर्ड|रिकार्ड",
    "BUILDING": "building|buildings|इमारत|बिल्डिंग|imarat",
    "THIS_YEAR": "this year|इस साल|इस वर्ष|is saal|is sal|this time|next|अगली|agli",
}

# ordinals (planets from the sun)
ORDINALS = {
    1: "first|1st|पहला|पहले|पहली|प्रथम|pehla|pahla",
    2: "second|2nd|दूसरा|दूसरे|doosra|dusra",
    3: "third|3rd|तीसरा|तीसरे|teesra|tisra",
    4: "fourth|4th|चौथा|चौथे|chautha|chotha",
    5: "fifth|5th|पाँचवाँ|पांचवां|पाँचवें|पांचवें|panchva|paanchva|panchwa",
    6: "sixth|6th|छठा|छठे|chhatha|chhata|chatha",
    7: "seventh|7th|सातवाँ|सातवां|सातवें|satva|saatva|satwa",
    8: "eighth|8th|आठवाँ|आठवां|आठवें|athva|aathva|aathwa",
}

# Words that carry no meaning for this skill. Kept closed: a word outside every list
# means the question is not one this skill answers.
FILLERS = (
    # English
    "what|what is|whats|which|whom|whose|is|are|was|were|be|been|am|the|a|an|of|in|on|at|to|"
    "for|from|by|with|about|does|do|did|tell|me|please|can|could|would|will|you|know|your|i|"
    "we|us|our|there|it|its|that|this|these|those|called|call|known|as|also|say|give|let|"
    "hey|ok|okay|vaani|vani|so|um|uh|well|actually|exactly|really|kindly|one|has|have|how|"
    "and|name|names|named|list|all|each|many|celebrated|celebrate|celebrates|festival|"
    "festivals|holiday|observed|marked|where|into|around|after|before|near to|usually|"
    "generally|roughly|approximately|about|tell me|do you know|can you tell me|"
    "could you tell me|i want to know|please tell me|which one|"
    "happen|happens|held|fall|falls|come|comes|its name|match|live|lives|living|"
    # Hindi, Devanagari
    "|क्या|है|हैं|था|थी|थे|कौन|कौनसा|कौनसी|कौनसे|कौन सा|कौन सी|कौन से|सा|सी|से|का|की|के|को|में|"
    "पर|ने|भी|तो|जी|बताओ|बताइए|बताइये|बता|बताना|बताएं|बताएँ|बोलो|बोलिए|वाणी|यह|ये|वह|वो|"
    "होता|होती|होते|हो|हुआ|हुई|किस|किसे|किसको|किसका|किसकी|किसके|कहाँ|कहां|कहते|कहलाता|"
    "कहलाती|कहा|जाता|जाती|जाते|जाना|कि|एक|कोई|मुझे|हमें|हमारे|हमारा|हमारी|अपने|आप|ज़रा|"
    "जरा|प्लीज़|प्लीज|कृपया|नाम|नामों|और|तथा|एवं|सभी|सब|सारे|दीजिए|दीजिये|दो|मनाया|मनाई|"
    "मनाते|मनाता|मनाई जाती|मनाया जाता|त्योहार|त्यौहार|पर्व|उत्सव|आता|आती|आते|पड़ता|पड़ती|"
    "होता है|रहता|रहती|लगभग|करीब करीब|आमतौर|ही|वाला|वाली|वाले|द्वारा|क्यों कि|"
    # Hindi, romanised
    "|kya|hai|hain|hei|he|tha|thi|kaun|kon|konsa|kaunsa|konsi|kaunsi|konse|kaunse|sa|si|se|"
    "ka|ki|ke|ko|mein|me|main|mai|par|ne|bhi|to|ji|batao|bataiye|bata|batana|bolo|boliye|"
    "yeh|ye|woh|vo|wo|hota|hoti|hote|ho|hua|hui|kis|kise|kisko|kiska|kiski|kiske|kahan|"
    "kehte|kahte|kahlata|kahlati|jata|jati|jaata|jaati|jate|jana|ek|koi|mujhe|hume|humein|"
    "hamare|hamara|hamari|apne|aap|zara|jara|kripya|naam|aur|sabhi|sab|saare|dijiye|manaya|"
    "manai|manate|tyohar|tyohaar|parv|utsav|aata|aati|aate|padta|padti|rehta|rehti|lagbhag|"
    "aamtaur|hi|dwara"
)

# -- entities -------------------------------------------------------------------------------

PLANETS = {
    # id: English | Hindi | spellings
    "mercury": ("Mercury", "बुध", "mercury|बुध|budh|budha|मर्करी"),
    "venus": ("Venus", "शुक्र", "venus|शुक्र|shukra|shukr|वीनस"),
    "earth": ("Earth", "पृथ्वी", ""),          # the EARTH concept stands for it
    "mars": ("Mars", "मंगल", "mars|मंगल|mangal|मार्स"),
    "jupiter": ("Jupiter", "बृहस्पति", "jupiter|बृहस्पति|वृहस्पति|गुरु|brihaspati|"
                                        "vrihaspati|guru|जुपिटर"),
    "saturn": ("Saturn", "शनि", "saturn|शनि|shani|सैटर्न"),
    "uranus": ("Uranus", "अरुण (यूरेनस)", "uranus|अरुण|यूरेनस|arun|yurenas"),
    "neptune": ("Neptune", "वरुण (नेपच्यून)", "neptune|वरुण|नेपच्यून|नेप्च्यून|varun|"
                                                "nepchun"),
    "pluto": ("Pluto", "प्लूटो", "pluto|प्लूटो|yam|यम"),
}
ORDER = ("mercury", "venus", "earth", "mars", "jupiter", "saturn", "uranus", "neptune")

SPORTS = {
    # id: English | Hindi | spellings | players on the field per side
    "cricket": ("cricket", "क्रिकेट", "cricket|क्रिकेट|kriket", 11),
    "football": ("football (soccer)", "फ़ुटबॉल", "football|soccer|फ़ुटबॉल|फुटबॉल|फुटबाल|"
                                                "futbol|futball", 11),
    "hockey": ("field hockey", "हॉकी", "hockey|field hockey|हॉकी|हाकी|haki", 11),
    "basketball": ("basketball", "बास्केटबॉल", "basketball|बास्केटबॉल|बास्केटबाल", 5),
    "volleyball": ("volleyball", "वॉलीबॉल", "volleyball|वॉलीबॉल|वालीबाल|वॉलीबाल", 6),
    "kabaddi": ("kabaddi", "कबड्डी", "kabaddi|kabbadi|कबड्डी", 7),
    "kho_kho": ("kho-kho", "खो-खो", "kho kho|खो खो|खोखो", 9),
    "baseball": ("baseball", "बेसबॉल", "baseball|बेसबॉल", 9),
    "rugby": ("rugby union", "रग्बी यूनियन", "rugby|rugby union|रग्बी", 15),
    "handball": ("handball", "हैंडबॉल", "handball|हैंडबॉल", 7),
    "netball": ("netball", "नेटबॉल", "netball|नेटबॉल", 7),
    "water_polo": ("water polo", "वॉटर पोलो", "water polo|वॉटर पोलो", 7),
    "ice_hockey": ("ice hockey", "आइस हॉकी", "ice hockey|आइस हॉकी", 6),
    "polo": ("polo", "पोलो", "polo|पोलो", 4),
}
CRICKET_FORMATS = {
    "t20": ("T20", "टी20", "t20|t 20|twenty20|twenty 20|टी20|टी 20|टी-20|टी ट्वेंटी"),
    "odi": ("one-day international", "वनडे", "odi|one day|one day international|one-day|"
                                              "वनडे|वन डे|एकदिवसीय|ek divasiya"),
    "test": ("Test match", "टेस्ट मैच", "test match|test cricket|टेस्ट मैच|टेस्ट क्रिकेट"),
}
CHESS = ("chess", "शतरंज", "chess|शतरंज|shatranj")

# chemical elements: id: English | Hindi | symbol | atomic number | spellings
ELEMENTS = {
    "hydrogen": ("hydrogen", "हाइड्रोजन", "H", 1, "hydrogen|हाइड्रोजन|हाइड्रोजेन"),
    "helium": ("helium", "हीलियम", "He", 2, "helium|हीलियम"),
    "carbon": ("carbon", "कार्बन", "C", 6, "carbon|कार्बन"),
    "nitrogen": ("nitrogen", "नाइट्रोजन", "N", 7, "nitrogen|नाइट्रोजन"),
    "oxygen": ("oxygen", "ऑक्सीजन", "O", 8, "oxygen|ऑक्सीजन|आक्सीजन|ऑक्सिजन|oxigen"),
    "sodium": ("sodium", "सोडियम", "Na", 11, "sodium|सोडियम"),
    "magnesium": ("magnesium", "मैग्नीशियम", "Mg", 12, "magnesium|मैग्नीशियम"),
    "aluminium": ("aluminium", "एल्युमिनियम", "Al", 13, "aluminium|aluminum|एल्युमिनियम|"
                                                        "एल्यूमीनियम|एल्युमीनियम"),
    "sulphur": ("sulphur", "गंधक (सल्फ़र)", "S", 16, "sulphur|sulfur|गंधक|सल्फ़र|सल्फर|"
                                                    "gandhak"),
    "chlorine": ("chlorine", "क्लोरीन", "Cl", 17, "chlorine|क्लोरीन"),
    "potassium": ("potassium", "पोटैशियम", "K", 19, "potassium|पोटैशियम|पोटेशियम"),
    "calcium": ("calcium", "कैल्शियम", "Ca", 20, "calcium|कैल्शियम|कैल्सियम"),
    "iron": ("iron", "लोहा", "Fe", 26, "iron|लोहा|लोहे|loha|lohe"),
    "copper": ("copper", "ताँबा", "Cu", 29, "copper|ताँबा|तांबा|ताँबे|तांबे|tamba|taamba"),
    "zinc": ("zinc", "जस्ता", "Zn", 30, "zinc|जस्ता|जस्ते|jasta"),
    "silver": ("silver", "चाँदी", "Ag", 47, "silver|चाँदी|चांदी|chandi|chaandi"),
    "tin": ("tin", "टिन", "Sn", 50, "tin|टिन|रांगा|राँगा"),
    "platinum": ("platinum", "प्लैटिनम", "Pt", 78, "platinum|प्लैटिनम|प्लेटिनम"),
    "gold": ("gold", "सोना", "Au", 79, "gold|सोना|सोने|sona|sone"),
    "mercury_el": ("mercury", "पारा", "Hg", 80, "पारा|पारे|para|quicksilver"),
    "lead": ("lead", "सीसा", "Pb", 82, "lead|सीसा|सीसे|seesa|sisa"),
    "uranium": ("uranium", "यूरेनियम", "U", 92, "uranium|यूरेनियम"),
}
# compounds: id: English | Hindi | formula as said (en, hi) | spellings
COMPOUNDS = {
    "water": ("water", "पानी", "H2O: two hydrogen atoms and one oxygen atom",
              "H2O, यानी हाइड्रोजन के दो और ऑक्सीजन का एक परमाणु", ""),
    "co2": ("carbon dioxide", "कार्बन डाइऑक्साइड", "CO2", "CO2",
            "carbon dioxide|कार्बन डाइऑक्साइड|कार्बन डाई ऑक्साइड|carbon dioxide gas"),
    "salt": ("common salt (sodium chloride)", "नमक (सोडियम क्लोराइड)", "NaCl", "NaCl",
             "salt|common salt|table salt|sodium chloride|नमक|साधारण नमक|सोडियम क्लोराइड|namak"),
    "ammonia": ("ammonia", "अमोनिया", "NH3", "NH3", "ammonia|अमोनिया"),
    "methane": ("methane", "मीथेन", "CH4", "CH4", "methane|मीथेन"),
    "ozone": ("ozone", "ओज़ोन", "O3", "O3", "ozone|ओज़ोन|ओजोन"),
    "glucose": ("glucose", "ग्लूकोज़", "C6H12O6", "C6H12O6", "glucose|ग्लूकोज़|ग्लूकोज"),
    "h2so4": ("sulphuric acid", "सल्फ़्यूरिक अम्ल", "H2SO4", "H2SO4",
              "sulphuric acid|sulfuric acid|सल्फ्यूरिक एसिड|सल्फ़्यूरिक अम्ल|गंधक का अम्ल"),
    "baking_soda": ("baking soda (sodium bicarbonate)", "खाने का सोडा (सोडियम बाइकार्बोनेट)",
                    "NaHCO3", "NaHCO3", "baking soda|sodium bicarbonate|खाने का सोडा|"
                    "बेकिंग सोडा|meetha soda|मीठा सोडा"),
}
