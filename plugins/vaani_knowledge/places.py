"""Countries and their capitals, Indian states and theirs, in English and Hindi.

* Country names: Unicode CLDR through ``babel`` (English and Hindi, ``CLDR <version>``),
  with a few spoken forms added here ("America", "Britain", "अमेरिका", "bharat").
* Capitals: the table below, written here from general knowledge and checked against
  WordNet 3.0's glosses wherever WordNet names a country's capital ("Paris: the capital and
  largest city of France"); where WordNet (2006) names another city, ``CHANGED_SINCE_WORDNET``
  says why (tests/plugins/test_knowledge.py checks both: WordNet names 180 of the
  capitals, 172 agree, 8 are listed).
  A capital's Hindi spelling is written here; where the city is a CLDR time-zone exemplar
  city its CLDR Hindi name is an accepted spelling too (``tz`` column).
* Countries whose capital is disputed (Israel, Palestine, Taiwan, Kosovo, Western Sahara)
  are left out: the skill does not answer them.
* Indian states and union territories: written here, checked against the Government of
  India's list of states and union territories as of 2024 (Andhra Pradesh: Amaravati;
  Jammu and Kashmir and Ladakh: union territories since 2019; Dadra and Nagar Haveli and
  Daman and Diu merged in 2020).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

CAPITAL_SOURCE = ("written here from general knowledge, checked against WordNet 3.0 glosses "
                  "where WordNet names the capital")
STATE_SOURCE = ("written here, checked against the Government of India's list of states and "
                "union territories (2024)")

# code | capital (English) | capital (Hindi) | CLDR time zone whose exemplar city it is | note
# A note (English | Hindi) is said with the answer where one city alone would mislead.
_CAPITALS = """
AF|Kabul|काबुल|Asia/Kabul
AL|Tirana|तिराना|Europe/Tirane
DZ|Algiers|अल्जीयर्स|Africa/Algiers
AD|Andorra la Vella|अंडोरा ला वेला|
AO|Luanda|लुआंडा|Africa/Luanda
AG|Saint John's|सेंट जॉन्स|
AR|Buenos Aires|ब्यूनस आयर्स|America/Argentina/Buenos_Aires
AM|Yerevan|येरेवान|Asia/Yerevan
AU|Canberra|कैनबरा|
AT|Vienna|वियना|Europe/Vienna
AZ|Baku|बाकू|Asia/Baku
BS|Nassau|नासाउ|America/Nassau
BH|Manama|मनामा|
BD|Dhaka|ढाका|Asia/Dhaka
BB|Bridgetown|ब्रिजटाउन|
BY|Minsk|मिन्स्क|Europe/Minsk
BE|Brussels|ब्रसेल्स|Europe/Brussels
BZ|Belmopan|बेलमोपान|
BJ|Porto-Novo|पोर्टो-नोवो|Africa/Porto-Novo|the government sits in Cotonou|सरकार कोटोनू से चलती है
BT|Thimphu|थिंपू|Asia/Thimphu
BO|Sucre|सुक्रे||the seat of government is La Paz|सरकार ला पाज़ में बैठती है
BA|Sarajevo|साराजेवो|Europe/Sarajevo
BW|Gaborone|गैबोरोन|Africa/Gaborone
BR|Brasília|ब्रासीलिया|
BN|Bandar Seri Begawan|बंदर सेरी बेगवान|
BG|Sofia|सोफ़िया|Europe/Sofia
BF|Ouagadougou|वागादुगू|Africa/Ouagadougou
BI|Gitega|गितेगा||Bujumbura is the largest city|बुजुम्बुरा सबसे बड़ा शहर है
CV|Praia|प्राया|
KH|Phnom Penh|नोम पेन्ह|Asia/Phnom_Penh
CM|Yaoundé|याउंडे|
CA|Ottawa|ओटावा|
CF|Bangui|बांगी|Africa/Bangui
TD|N'Djamena|न्जामेना|Africa/Ndjamena
CL|Santiago|सैंटियागो|America/Santiago
CN|Beijing|बीजिंग|
CO|Bogotá|बोगोटा|America/Bogota
KM|Moroni|मोरोनी|
CG|Brazzaville|ब्राज़ाविल|Africa/Brazzaville
CD|Kinshasa|किंशासा|Africa/Kinshasa
CR|San José|सैन होज़े|
CI|Yamoussoukro|यामूसुक्रो||Abidjan is the largest city|आबिदजान सबसे बड़ा शहर है
HR|Zagreb|ज़ाग्रेब|Europe/Zagreb
CU|Havana|हवाना|America/Havana
CY|Nicosia|निकोसिया|Asia/Nicosia
CZ|Prague|प्राग|Europe/Prague
DK|Copenhagen|कोपेनहेगन|Europe/Copenhagen
DJ|Djibouti|जिबूती|Africa/Djibouti
DM|Roseau|रोज़ो|
DO|Santo Domingo|सैंटो डोमिंगो|America/Santo_Domingo
EC|Quito|क्वीटो|
EG|Cairo|काहिरा|Africa/Cairo
SV|San Salvador|सैन सल्वाडोर|
GQ|Malabo|मलाबो|Africa/Malabo
ER|Asmara|अस्मारा|Africa/Asmara
EE|Tallinn|तालिन|Europe/Tallinn
SZ|Mbabane|म्बाबाने|Africa/Mbabane|Lobamba is the royal and legislative capital|लोबाम्बा शाही और विधायी राजधानी है
ET|Addis Ababa|अदीस अबाबा|Africa/Addis_Ababa
FJ|Suva|सूवा|
FI|Helsinki|हेलसिंकी|Europe/Helsinki
FR|Paris|पेरिस|Europe/Paris
GA|Libreville|लिब्रेविल|Africa/Libreville
GM|Banjul|बंजुल|Africa/Banjul
GE|Tbilisi|त्बिलिसी|Asia/Tbilisi
DE|Berlin|बर्लिन|Europe/Berlin
GH|Accra|अक्रा|Africa/Accra
GR|Athens|एथेंस|Europe/Athens
GD|St. George's|सेंट जॉर्जेस|
GT|Guatemala City|ग्वाटेमाला सिटी|
GN|Conakry|कोनाक्री|Africa/Conakry
GW|Bissau|बिसाउ|Africa/Bissau
GY|Georgetown|जॉर्जटाउन|
HT|Port-au-Prince|पोर्ट-ओ-प्रिंस|America/Port-au-Prince
HN|Tegucigalpa|तेगुसिगाल्पा|America/Tegucigalpa
HU|Budapest|बुडापेस्ट|Europe/Budapest
IS|Reykjavík|रेक्याविक|Atlantic/Reykjavik
IN|New Delhi|नई दिल्ली|
ID|Jakarta|जकार्ता|Asia/Jakarta|a new capital, Nusantara, is being built|नई राजधानी नुसंतारा बन रही है
IR|Tehran|तेहरान|Asia/Tehran
IQ|Baghdad|बग़दाद|Asia/Baghdad
IE|Dublin|डबलिन|Europe/Dublin
IT|Rome|रोम|Europe/Rome
JM|Kingston|किंग्स्टन|
JP|Tokyo|टोक्यो|Asia/Tokyo
JO|Amman|अम्मान|Asia/Amman
KZ|Astana|अस्ताना|
KE|Nairobi|नैरोबी|Africa/Nairobi
KI|South Tarawa|दक्षिण तरावा|
KW|Kuwait City|कुवैत सिटी|
KG|Bishkek|बिश्केक|Asia/Bishkek
LA|Vientiane|वियनतियान|Asia/Vientiane
LV|Riga|रीगा|Europe/Riga
LB|Beirut|बेरूत|Asia/Beirut
LS|Maseru|मासेरु|Africa/Maseru
LR|Monrovia|मोनरोविया|Africa/Monrovia
LY|Tripoli|त्रिपोली|Africa/Tripoli
LI|Vaduz|वादुज़|Europe/Vaduz
LT|Vilnius|विल्नियस|Europe/Vilnius
LU|Luxembourg|लक्ज़मबर्ग|Europe/Luxembourg
MG|Antananarivo|अंतानानारिवो|Indian/Antananarivo
MW|Lilongwe|लिलोंग्वे|
MY|Kuala Lumpur|कुआलालंपुर|Asia/Kuala_Lumpur|the government sits in Putrajaya|सरकार पुत्रजया से चलती है
MV|Malé|माले|
ML|Bamako|बामाको|Africa/Bamako
MT|Valletta|वैलेटा|
MH|Majuro|माजुरो|Pacific/Majuro
MR|Nouakchott|नुआकशॉट|Africa/Nouakchott
MU|Port Louis|पोर्ट लुई|
MX|Mexico City|मेक्सिको सिटी|America/Mexico_City
FM|Palikir|पालिकिर|
MD|Chișinău|किशिनाउ|Europe/Chisinau
MC|Monaco|मोनाको|Europe/Monaco
MN|Ulaanbaatar|उलानबातर|Asia/Ulaanbaatar
ME|Podgorica|पॉडगोरिका|Europe/Podgorica
MA|Rabat|रबात|
MZ|Maputo|मापुटो|Africa/Maputo
MM|Naypyidaw|नेपीडॉ||Yangon is the largest city|यांगून सबसे बड़ा शहर है
NA|Windhoek|विंडहोक|Africa/Windhoek
NR|Yaren|यारेन||Nauru has no official capital; the government sits in Yaren|नाउरू की कोई आधिकारिक राजधानी नहीं है; सरकार यारेन में है
NP|Kathmandu|काठमांडू|Asia/Kathmandu
NL|Amsterdam|एम्स्टर्डम|Europe/Amsterdam|the government sits in The Hague|सरकार हेग में बैठती है
NZ|Wellington|वेलिंगटन|
NI|Managua|मानागुआ|America/Managua
NE|Niamey|नियामे|Africa/Niamey
NG|Abuja|अबुजा|
KP|Pyongyang|प्योंगयांग|Asia/Pyongyang
MK|Skopje|स्कोप्जे|Europe/Skopje
NO|Oslo|ओस्लो|Europe/Oslo
OM|Muscat|मस्कट|Asia/Muscat
PK|Islamabad|इस्लामाबाद|
PW|Ngerulmud|न्गेरुलमुड|
PA|Panama City|पनामा सिटी|
PG|Port Moresby|पोर्ट मोरेस्बी|Pacific/Port_Moresby
PY|Asunción|असुनसियोन|America/Asuncion
PE|Lima|लीमा|America/Lima
PH|Manila|मनीला|Asia/Manila
PL|Warsaw|वारसॉ|Europe/Warsaw
PT|Lisbon|लिस्बन|Europe/Lisbon
QA|Doha|दोहा|
RO|Bucharest|बुखारेस्ट|Europe/Bucharest
RU|Moscow|मॉस्को|Europe/Moscow
RW|Kigali|किगाली|Africa/Kigali
KN|Basseterre|बासेतेर|
LC|Castries|कैस्ट्रीज़|
VC|Kingstown|किंग्सटाउन|
WS|Apia|आपिया|Pacific/Apia
SM|San Marino|सैन मैरिनो|Europe/San_Marino
ST|São Tomé|साओ टोमे|Africa/Sao_Tome
SA|Riyadh|रियाद|Asia/Riyadh
SN|Dakar|डकार|Africa/Dakar
RS|Belgrade|बेलग्रेड|Europe/Belgrade
SC|Victoria|विक्टोरिया|
SL|Freetown|फ़्रीटाउन|Africa/Freetown
SG|Singapore|सिंगापुर|Asia/Singapore|Singapore is a city-state|सिंगापुर एक नगर-राष्ट्र है
SK|Bratislava|ब्रातिस्लावा|Europe/Bratislava
SI|Ljubljana|ल्यूबल्याना|Europe/Ljubljana
SB|Honiara|होनियारा|
SO|Mogadishu|मोगादिशु|Africa/Mogadishu
ZA|Pretoria|प्रिटोरिया||South Africa has three capitals: Pretoria (government), Cape Town (parliament) and Bloemfontein (courts)|दक्षिण अफ़्रीका की तीन राजधानियाँ हैं: प्रिटोरिया (सरकार), केप टाउन (संसद) और ब्लूमफ़ोंटेन (न्यायपालिका)
KR|Seoul|सियोल|Asia/Seoul
SS|Juba|जूबा|Africa/Juba
ES|Madrid|मैड्रिड|Europe/Madrid
LK|Sri Jayawardenepura Kotte|श्री जयवर्धनेपुरा कोट्टे||Colombo is the largest city and the commercial capital|कोलंबो सबसे बड़ा शहर और व्यापारिक राजधानी है
SD|Khartoum|ख़ार्तूम|Africa/Khartoum
SR|Paramaribo|पारामारिबो|America/Paramaribo
SE|Stockholm|स्टॉकहोम|Europe/Stockholm
CH|Bern|बर्न||Switzerland calls Bern its federal city|स्विट्ज़रलैंड बर्न को संघीय नगर कहता है
SY|Damascus|दमिश्क|Asia/Damascus
TJ|Dushanbe|दुशांबे|Asia/Dushanbe
TZ|Dodoma|डोडोमा||Dar es Salaam is the largest city|दार-ए-सलाम सबसे बड़ा शहर है
TH|Bangkok|बैंकॉक|Asia/Bangkok
TL|Dili|दिली|Asia/Dili
TG|Lomé|लोमे|Africa/Lome
TO|Nuku'alofa|नुकुआलोफ़ा|
TT|Port of Spain|पोर्ट ऑफ़ स्पेन|America/Port_of_Spain
TN|Tunis|ट्यूनिस|Africa/Tunis
TR|Ankara|अंकारा|
TM|Ashgabat|अश्गाबात|Asia/Ashgabat
TV|Funafuti|फ़ुनाफ़ुटी|Pacific/Funafuti
UG|Kampala|कंपाला|Africa/Kampala
UA|Kyiv|कीव|Europe/Kyiv
AE|Abu Dhabi|अबू धाबी|
GB|London|लंदन|Europe/London
US|Washington, D.C.|वॉशिंगटन डी.सी.|
UY|Montevideo|मोंटेवीडियो|America/Montevideo
UZ|Tashkent|ताशकंद|Asia/Tashkent
VU|Port Vila|पोर्ट विला|
VA|Vatican City|वेटिकन सिटी||Vatican City is a city-state|वेटिकन सिटी एक नगर-राष्ट्र है
VE|Caracas|काराकास|America/Caracas
VN|Hanoi|हनोई|
YE|Sanaa|सना||
ZM|Lusaka|लुसाका|Africa/Lusaka
ZW|Harare|हरारे|Africa/Harare
"""

# Where WordNet 3.0 (2006) names another capital than the table, and why (a change since,
# or a country with two capitals): the WordNet check accepts these and no others.
CHANGED_SINCE_WORDNET = {
    "BI": "Gitega replaced Bujumbura as the political capital in 2019",
    "MM": "the government moved from Yangon to Naypyidaw in 2005-2006",
    "CI": "Yamoussoukro has been the official capital since 1983; WordNet also names Abidjan",
    "LK": "Sri Jayawardenepura Kotte is the official capital; WordNet names Colombo",
    "TZ": "Dodoma is the official capital; WordNet names Dar es Salaam",
    "KI": "WordNet names Tarawa, the atoll; the capital is South Tarawa on it",
    "FM": "Palikir replaced Kolonia in 1989; WordNet names Kolonia",
    "BO": "Sucre is the constitutional capital and La Paz the seat of government (the answer "
          "says both); WordNet names La Paz",
}

# Spoken names that CLDR does not give (English, Devanagari and romanised Hindi).
_ALIASES = {
    "US": "america|usa|u s a|u s|the us|the usa|united states of america|the united states|"
          "the states|अमेरिका|अमरीका|यूएसए|यू एस ए|संयुक्त राज्य अमेरिका|amerika|amrika|"
          "amreeka",
    "GB": "uk|u k|the uk|britain|great britain|the united kingdom|ब्रिटेन|इंग्लिस्तान|यूके|"
          "यू के|ग्रेट ब्रिटेन|united kingdom of great britain and northern ireland",
    "IN": "bharat|bharath|hindustan|india|भारत|हिंदुस्तान|हिन्दुस्तान|इंडिया|भारतवर्ष",
    "CN": "cheen|chin|china|चीन|people's republic of china",
    "RU": "roos|rus|russia|russian federation|रूस|रशिया",
    "JP": "jaapan|japan|जापान",
    "EG": "misr|egypt|मिस्र|मिश्र|इजिप्ट",
    "DE": "germany|jarmani|जर्मनी",
    "FR": "france|faans|frans|फ्रांस|फ़्रांस|फ्रान्स",
    "TR": "turkey|turkiye|टर्की|तुर्की|तुर्किये",
    "NL": "the netherlands|holland|netherlands|हॉलैंड|नीदरलैंड|नीदरलैंड्स",
    "CZ": "czech republic|the czech republic|चेक गणराज्य",
    "MK": "macedonia|मैसिडोनिया|मकदूनिया",
    "SZ": "swaziland|स्वाज़ीलैंड",
    "MM": "burma|myanmar|बर्मा|म्यांमार|म्यांमा",
    "CI": "ivory coast|cote d'ivoire|cote divoire|आइवरी कोस्ट",
    "TL": "east timor|पूर्वी तिमोर",
    "CD": "democratic republic of the congo|the democratic republic of the congo|drc|dr congo|"
          "congo kinshasa|कांगो लोकतांत्रिक गणराज्य",
    "CG": "republic of the congo|the republic of the congo|congo brazzaville|कांगो गणराज्य",
    "KR": "south korea|korea|दक्षिण कोरिया|kore",
    "KP": "north korea|उत्तर कोरिया",
    "AE": "uae|u a e|the uae|the united arab emirates|यूएई|यू ए ई",
    "SA": "saudi|saudi arabia|सऊदी|सऊदी अरब|saudi arab",
    "LK": "sri lanka|srilanka|ceylon|श्रीलंका|श्री लंका",
    "BD": "bangladesh|bangla desh|बांग्लादेश|बंगलादेश",
    "PK": "pakistan|पाकिस्तान",
    "NP": "nepal|नेपाल",
    "BT": "bhutan|भूटान",
    "AF": "afghanistan|अफ़ग़ानिस्तान|अफगानिस्तान",
    "IR": "iran|ईरान|persia",
    "IQ": "iraq|इराक|इराक़",
    "AU": "australia|ऑस्ट्रेलिया|आस्ट्रेलिया",
    "NZ": "new zealand|न्यूज़ीलैंड|न्यूजीलैंड",
    "CA": "canada|कनाडा",
    "BR": "brazil|ब्राज़ील|ब्राजील",
    "IT": "italy|इटली",
    "ES": "spain|स्पेन",
    "PH": "the philippines|philippines|फ़िलीपींस|फिलीपींस",
    "BS": "the bahamas|bahamas",
    "GM": "the gambia|gambia",
    "MV": "the maldives|maldives|मालदीव",
    "CF": "the central african republic|car",
    "DO": "the dominican republic",
    "SG": "singapore|सिंगापुर",
    "MY": "malaysia|मलेशिया",
    "ID": "indonesia|इंडोनेशिया",
    "TH": "thailand|थाईलैंड",
    "VN": "vietnam|viet nam|वियतनाम",
    "KN": "saint kitts and nevis|st kitts and nevis",
    "VC": "saint vincent and the grenadines|st vincent and the grenadines",
    "LC": "saint lucia|st lucia",
    "ST": "sao tome and principe",
    "BA": "bosnia|bosnia and herzegovina|बोस्निया",
    "TT": "trinidad|trinidad and tobago",
    "AG": "antigua|antigua and barbuda",
    "VA": "the vatican|vatican|वेटिकन",
    "FM": "federated states of micronesia",
    "ZA": "south africa|दक्षिण अफ्रीका|दक्षिण अफ़्रीका",
    "CH": "switzerland|स्विट्ज़रलैंड|स्विट्जरलैंड|स्विटज़रलैंड",
    "GR": "greece|यूनान|ग्रीस",
    "UA": "ukraine|यूक्रेन",
    "KZ": "kazakhstan|कज़ाख़िस्तान|कजाकिस्तान",
}
# Other names of capitals, spoken or historical (a city's capital_aliases and aliases).
_CITY_ALIASES = {
    "New Delhi": "delhi|dilli|दिल्ली|nai dilli|new delhi",
    "Kyiv": "kiev|कीएव", "Ashgabat": "ashkhabad", "Porto-Novo": "porto novo",
    "Monaco": "monaco-ville", "Beijing": "peking|पेकिंग", "Mumbai": "bombay|बंबई|bambai",
    "Kolkata": "calcutta|कलकत्ता|kalkatta", "Chennai": "madras|मद्रास",
    "Bengaluru": "bangalore|बैंगलोर|बंगलौर|bengaluru|bangaluru",
    "Thiruvananthapuram": "trivandrum|त्रिवेंद्रम", "Panaji": "panjim",
    "Gurugram": "gurgaon", "Puducherry": "pondicherry|पांडिचेरी",
    "Sri Vijaya Puram": "port blair|पोर्ट ब्लेयर",
}

# The English name said in an answer, where CLDR's label is not how it is said.
_SAY_EN = {
    "US": "the United States", "GB": "the United Kingdom", "NL": "the Netherlands",
    "PH": "the Philippines", "AE": "the United Arab Emirates", "BS": "the Bahamas",
    "GM": "the Gambia", "MV": "the Maldives", "CF": "the Central African Republic",
    "DO": "the Dominican Republic", "CD": "the Democratic Republic of the Congo",
    "CG": "the Republic of the Congo", "MM": "Myanmar", "KN": "Saint Kitts and Nevis",
    "VC": "Saint Vincent and the Grenadines", "ST": "São Tomé and Príncipe",
    "BA": "Bosnia and Herzegovina", "TT": "Trinidad and Tobago", "AG": "Antigua and Barbuda",
    "MH": "the Marshall Islands", "SB": "the Solomon Islands", "CZ": "the Czech Republic",
    "TR": "Turkey", "FM": "Micronesia", "CV": "Cape Verde",
}
_SAY_HI = {"US": "अमेरिका", "MM": "म्यांमार", "CD": "कांगो लोकतांत्रिक गणराज्य",
           "CG": "कांगो गणराज्य", "TR": "तुर्की"}

# Parts of the United Kingdom, asked about as countries: written here.
_HOME_NATIONS = """
GB-ENG|England|इंग्लैंड|London|लंदन|england|इंग्लैंड|इंगलैंड|inglend
GB-SCT|Scotland|स्कॉटलैंड|Edinburgh|एडिनबरा|scotland|स्कॉटलैंड
GB-WLS|Wales|वेल्स|Cardiff|कार्डिफ़|wales|वेल्स
GB-NIR|Northern Ireland|उत्तरी आयरलैंड|Belfast|बेलफ़ास्ट|northern ireland|उत्तरी आयरलैंड
"""

# Indian states and union territories:
# code | name | Hindi name | capital | Hindi capital | aliases | note (English | Hindi)
_STATES = """
AP|Andhra Pradesh|आंध्र प्रदेश|Amaravati|अमरावती|andhra|आंध्र|andhra pradesh
AR|Arunachal Pradesh|अरुणाचल प्रदेश|Itanagar|ईटानगर|arunachal|अरुणाचल
AS|Assam|असम|Dispur|दिसपुर|assam|aasam
BR|Bihar|बिहार|Patna|पटना|bihar
CT|Chhattisgarh|छत्तीसगढ़|Raipur|रायपुर|chhattisgarh|chattisgarh|chhatisgarh
GA|Goa|गोवा|Panaji|पणजी|goa|पणजी
GJ|Gujarat|गुजरात|Gandhinagar|गांधीनगर|gujarat|gujrat
HR|Haryana|हरियाणा|Chandigarh|चंडीगढ़|haryana
HP|Himachal Pradesh|हिमाचल प्रदेश|Shimla|शिमला|himachal|हिमाचल|||Dharamshala is the winter capital|धर्मशाला शीतकालीन राजधानी है
JH|Jharkhand|झारखंड|Ranchi|रांची|jharkhand|झारखण्ड
KA|Karnataka|कर्नाटक|Bengaluru|बेंगलुरु|karnataka|कर्णाटक
KL|Kerala|केरल|Thiruvananthapuram|तिरुवनंतपुरम|kerala|kerela|केरला
MP|Madhya Pradesh|मध्य प्रदेश|Bhopal|भोपाल|mp|m p|एमपी|madhya pradesh
MH|Maharashtra|महाराष्ट्र|Mumbai|मुंबई|maharashtra|maharastra|||Nagpur is the winter capital|नागपुर शीतकालीन राजधानी है
MN|Manipur|मणिपुर|Imphal|इंफाल|manipur
ML|Meghalaya|मेघालय|Shillong|शिलांग|meghalaya
MZ|Mizoram|मिज़ोरम|Aizawl|आइज़ोल|mizoram|मिजोरम
NL|Nagaland|नागालैंड|Kohima|कोहिमा|nagaland
OR|Odisha|ओडिशा|Bhubaneswar|भुवनेश्वर|odisha|orissa|उड़ीसा|ओड़िशा
PB|Punjab|पंजाब|Chandigarh|चंडीगढ़|punjab|panjab
RJ|Rajasthan|राजस्थान|Jaipur|जयपुर|rajasthan|rajsthan
SK|Sikkim|सिक्किम|Gangtok|गंगटोक|sikkim
TN|Tamil Nadu|तमिलनाडु|Chennai|चेन्नई|tamil nadu|tamilnadu|तमिल नाडु
TG|Telangana|तेलंगाना|Hyderabad|हैदराबाद|telangana
TR|Tripura|त्रिपुरा|Agartala|अगरतला|tripura
UP|Uttar Pradesh|उत्तर प्रदेश|Lucknow|लखनऊ|up|u p|यूपी|यू पी|uttar pradesh
UK|Uttarakhand|उत्तराखंड|Dehradun|देहरादून|uttarakhand|uttaranchal|उत्तराखण्ड|||Gairsain is the summer capital|गैरसैंण ग्रीष्मकालीन राजधानी है
WB|West Bengal|पश्चिम बंगाल|Kolkata|कोलकाता|bengal|बंगाल|west bengal|pashchim bangal
AN|Andaman and Nicobar Islands|अंडमान और निकोबार द्वीपसमूह|Sri Vijaya Puram|श्री विजयपुरम|andaman and nicobar|andaman|अंडमान निकोबार|अंडमान|||it was called Port Blair until 2024|2024 तक इसका नाम पोर्ट ब्लेयर था
CH|Chandigarh|चंडीगढ़|Chandigarh|चंडीगढ़|
DH|Dadra and Nagar Haveli and Daman and Diu|दादरा और नगर हवेली और दमन और दीव|Daman|दमन|dadra and nagar haveli|daman and diu
DL|Delhi|दिल्ली|New Delhi|नई दिल्ली|delhi|dilli|दिल्ली
JK|Jammu and Kashmir|जम्मू और कश्मीर|Srinagar|श्रीनगर|jammu and kashmir|jammu kashmir|जम्मू कश्मीर|kashmir|कश्मीर|||Jammu is the winter capital|जम्मू शीतकालीन राजधानी है
LA|Ladakh|लद्दाख|Leh|लेह|ladakh|laddakh
LD|Lakshadweep|लक्षद्वीप|Kavaratti|कवरत्ती|lakshadweep
PY|Puducherry|पुडुचेरी|Puducherry|पुडुचेरी|pondicherry|पांडिचेरी
"""
UNION_TERRITORIES = frozenset("AN CH DH DL JK LA LD PY".split())

# Well-known cities that are not national capitals, so that "is Sydney the capital of
# Australia" is answered (no) rather than missed: city | Hindi | country | aliases
_CITIES = """
Sydney|सिडनी|AU|sydney
Melbourne|मेलबर्न|AU|melbourne
New York|न्यूयॉर्क|US|new york|new york city|न्यू यॉर्क
Los Angeles|लॉस एंजेलिस|US|los angeles
Toronto|टोरंटो|CA|toronto
Istanbul|इस्तांबुल|TR|istanbul
Rio de Janeiro|रियो डी जेनेरो|BR|rio|rio de janeiro
São Paulo|साओ पाउलो|BR|sao paulo
Karachi|कराची|PK|karachi
Lahore|लाहौर|PK|lahore
Lagos|लागोस|NG|lagos
Zurich|ज़्यूरिख़|CH|zurich|ज्यूरिख
Geneva|जिनेवा|CH|geneva
Shanghai|शंघाई|CN|shanghai
Dubai|दुबई|AE|dubai
Osaka|ओसाका|JP|osaka
Auckland|ऑकलैंड|NZ|auckland
Casablanca|कासाब्लांका|MA|casablanca
Johannesburg|जोहान्सबर्ग|ZA|johannesburg
Cape Town|केप टाउन|ZA|cape town
Almaty|अल्माटी|KZ|almaty
Ho Chi Minh City|हो ची मिन्ह सिटी|VN|ho chi minh city|saigon
Yangon|यांगून|MM|yangon|rangoon|रंगून
Dar es Salaam|दार-ए-सलाम|TZ|dar es salaam
Abidjan|आबिदजान|CI|abidjan
Colombo|कोलंबो|LK|colombo
Chittagong|चटगांव|BD|chittagong
Pokhara|पोखरा|NP|pokhara
Barcelona|बार्सिलोना|ES|barcelona
Milan|मिलान|IT|milan
Munich|म्यूनिख|DE|munich
Frankfurt|फ़्रैंकफ़र्ट|DE|frankfurt
St. Petersburg|सेंट पीटर्सबर्ग|RU|saint petersburg|st petersburg
Jeddah|जेद्दा|SA|jeddah
Mecca|मक्का|SA|mecca|makkah
Hong Kong|हांगकांग|CN|hong kong
Bujumbura|बुजुम्बुरा|BI|bujumbura
The Hague|हेग|NL|the hague|hague
La Paz|ला पाज़|BO|la paz
Putrajaya|पुत्रजया|MY|putrajaya
"""


@dataclass(frozen=True)
class Place:
    kind: str                    # country | state | city
    code: str                    # ISO 3166 (countries), state code, or city name
    en: str                      # as said in an English answer
    hi: str                      # as said in a Hindi answer
    aliases: tuple[str, ...] = ()
    capital_en: str = ""
    capital_hi: str = ""
    note_en: str = ""
    note_hi: str = ""
    country: str = ""            # cities: the country they are in
    union_territory: bool = False
    capital_aliases: tuple[str, ...] = ()
    source: str = ""


@dataclass
class Places:
    countries: dict[str, Place] = field(default_factory=dict)
    states: dict[str, Place] = field(default_factory=dict)
    cities: dict[str, Place] = field(default_factory=dict)     # by English name
    cldr: str = ""

    def capital_city(self, name: str) -> Place | None:
        return self.cities.get(name)


def _names(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split("|") if a.strip())


def _cldr_variants(name: str) -> list[str]:
    """Spoken forms of a CLDR label: "Myanmar (Burma)" -> Myanmar, Burma; "Bosnia &
    Herzegovina" -> Bosnia and Herzegovina; "St. Lucia" -> Saint Lucia, St Lucia."""
    out = [name]
    if "(" in name:
        head, _, rest = name.partition("(")
        out += [head.strip(), rest.rstrip(") ").strip()]
    out += [n.replace("&", "and") for n in list(out) if "&" in n]
    out += [n.replace("St.", "Saint") for n in list(out) if "St." in n]
    out += [n.replace("St.", "St") for n in list(out) if "St." in n]
    return [n for n in out if n and " - " not in n and " – " not in n]


@lru_cache(maxsize=1)
def load() -> Places:
    """Every place, with CLDR names from babel (imported here, once)."""
    from babel import Locale
    from babel.core import get_cldr_version
    from babel.dates import get_timezone_location

    cldr = f"CLDR {get_cldr_version()}"
    en, hi = Locale("en"), Locale("hi")
    places = Places(cldr=cldr)
    for line in _CAPITALS.strip().splitlines():
        parts = line.split("|") + [""] * 6
        code, cap_en, cap_hi, tz, note_en, note_hi = (p.strip() for p in parts[:6])
        name_en, name_hi = en.territories[code], hi.territories[code]
        aliases = set(_cldr_variants(name_en) + _cldr_variants(name_hi))
        aliases.update(_names(_ALIASES.get(code, "")))
        cap_aliases = {cap_en, cap_hi}
        if tz:
            cap_aliases.add(get_timezone_location(tz, locale="hi", return_city=True))
            cap_aliases.add(get_timezone_location(tz, locale="en", return_city=True))
        cap_aliases.update(_names(_CITY_ALIASES.get(cap_en, "")))
        if cap_en == "Washington, D.C.":
            cap_aliases.update({"Washington", "Washington DC", "वॉशिंगटन", "वाशिंगटन",
                                "वाशिंगटन डीसी"})
        country = Place("country", code, _SAY_EN.get(code, name_en),
                        _SAY_HI.get(code, name_hi.split(" (")[0]), tuple(sorted(aliases)),
                        cap_en, cap_hi, note_en, note_hi,
                        capital_aliases=tuple(sorted(cap_aliases)),
                        source=f"name: {cldr}; capital: {CAPITAL_SOURCE}")
        places.countries[code] = country
        places.cities.setdefault(cap_en, Place("city", cap_en, cap_en, cap_hi,
                                               tuple(sorted(cap_aliases)), country=code,
                                               source=CAPITAL_SOURCE))
    for line in _HOME_NATIONS.strip().splitlines():
        code, name_en, name_hi, cap_en, cap_hi, *aliases = line.split("|")
        places.countries[code] = Place(
            "country", code, name_en, name_hi, tuple(aliases) + (name_en,), cap_en, cap_hi,
            capital_aliases=(cap_en, cap_hi),
            source="written here (a country of the United Kingdom)")
        places.cities.setdefault(cap_en, Place("city", cap_en, cap_en, cap_hi,
                                               (cap_en, cap_hi), country="GB",
                                               source=CAPITAL_SOURCE))
    for line in _STATES.strip().splitlines():
        parts = line.split("|")
        code, name_en, name_hi, cap_en, cap_hi = parts[:5]
        rest = parts[5:]
        note_en = note_hi = ""
        if "" in rest:                           # aliases, then "||", then the note
            i = rest.index("")
            aliases, tail = rest[:i], [x for x in rest[i:] if x]
            if tail:
                note_en, note_hi = tail[0], tail[1]
        else:
            aliases = rest
        state = Place("state", code, name_en, name_hi,
                      tuple(a for a in aliases if a) + (name_en, name_hi), cap_en, cap_hi,
                      note_en, note_hi, union_territory=code in UNION_TERRITORIES,
                      capital_aliases=(cap_en, cap_hi) + _names(_CITY_ALIASES.get(cap_en, "")),
                      source=STATE_SOURCE)
        places.states[code] = state
    for line in _CITIES.strip().splitlines():
        name_en, name_hi, country, *aliases = line.split("|")
        places.cities.setdefault(name_en, Place("city", name_en, name_en, name_hi,
                                                tuple(aliases) + (name_en, name_hi),
                                                country=country, source=CAPITAL_SOURCE))
    # state capitals are cities too (Mumbai, Jaipur ...)
    for state in places.states.values():
        if state.capital_en not in places.cities:
            places.cities[state.capital_en] = Place(
                "city", state.capital_en, state.capital_en, state.capital_hi,
                state.capital_aliases, country="IN", source=STATE_SOURCE)
    return places


def capitals_of(places: Places, city: Place) -> list[Place]:
    """The countries and states whose capital ``city`` is."""
    out = [c for c in places.countries.values() if c.capital_en == city.code]
    out += [s for s in places.states.values() if s.capital_en == city.code]
    others = [p for p in out if p.en != city.en]
    return others or out        # Chandigarh: Punjab and Haryana (not itself, a UT)
