"""Festivals and national days: what they are and roughly when, in English and Hindi.

Festivals on the Hindu lunisolar or the Islamic lunar calendar move on the Gregorian
calendar every year, so their answers give the calendar month and phase (and the usual
Gregorian months) and say the date changes; no year's date is guessed. Festivals fixed to
the solar calendar (Makar Sankranti, Baisakhi, Christmas) and India's national days are
given by date. Easter and Good Friday are computed for the current year (the Gregorian
computus), so they are said with this year's date.
"""

from __future__ import annotations

from datetime import date, timedelta

from vaani.textnorm.spoken import ENGLISH_MONTHS, HINDI_MONTHS

HINDU = ("written here from the Hindu lunisolar calendar (month and lunar day); the Gregorian "
         "date changes every year")
ISLAMIC = "written here from the Islamic lunar calendar; it moves about 11 days earlier each year"
SOLAR = "written here; fixed to the solar calendar"
NATIONAL = "written here; a date fixed by the Government of India"
INTERNATIONAL = "written here; a date fixed by the United Nations"
COMPUTED = "computed here for the current year (Gregorian computus for Easter)"

# id: (English name, Hindi name, spellings, English answer, Hindi answer, source)
FESTIVALS: dict[str, tuple[str, str, str, str, str, str]] = {
    "diwali": (
        "Diwali", "दीवाली",
        "diwali|deepawali|deepavali|divali|dipawali|दीवाली|दिवाली|दीपावली|दीपवाली",
        "Diwali is the festival of lights. It falls on the new-moon night of the month of "
        "Kartik, usually in October or November, and celebrates Lord Rama's return to "
        "Ayodhya; Lakshmi is worshipped that night.",
        "दीवाली रोशनी का त्योहार है। यह कार्तिक महीने की अमावस्या को, आमतौर पर अक्टूबर या "
        "नवंबर में, मनाई जाती है; इस दिन भगवान राम के अयोध्या लौटने की ख़ुशी मनाई जाती है और "
        "लक्ष्मी जी की पूजा होती है।", HINDU),
    "holi": (
        "Holi", "होली", "holi|holee|होली|होलिका",
        "Holi is the festival of colours. It falls on the full moon of the month of Phalgun, "
        "usually in March, and celebrates spring and the victory of good over evil; Holika "
        "is burnt the night before.",
        "होली रंगों का त्योहार है। यह फाल्गुन महीने की पूर्णिमा को, आमतौर पर मार्च में, मनाई "
        "जाती है; यह वसंत और बुराई पर अच्छाई की जीत का त्योहार है, और एक रात पहले होलिका दहन "
        "होता है।", HINDU),
    "dussehra": (
        "Dussehra", "दशहरा", "dussehra|dusshera|dasara|dashara|dasera|vijayadashami|"
                            "vijaya dashami|दशहरा|दसहरा|विजयादशमी|विजय दशमी",
        "Dussehra, or Vijayadashami, celebrates Lord Rama's victory over Ravana. It falls on "
        "the tenth day of the bright half of Ashvin, right after Navratri, usually in "
        "September or October.",
        "दशहरा, यानी विजयादशमी, रावण पर भगवान राम की जीत का त्योहार है। यह आश्विन शुक्ल दशमी "
        "को, नवरात्रि के ठीक बाद, आमतौर पर सितंबर या अक्टूबर में मनाया जाता है।", HINDU),
    "navratri": (
        "Navratri", "नवरात्रि", "navratri|navaratri|navratra|नवरात्रि|नवरात्र|नवरात्री",
        "Navratri is nine nights of worship of the goddess Durga. The main Navratri begins on "
        "the first day of the bright half of Ashvin, usually in September or October; "
        "another falls in Chaitra, in March or April.",
        "नवरात्रि माँ दुर्गा की आराधना की नौ रातें हैं। मुख्य (शारदीय) नवरात्रि आश्विन शुक्ल "
        "प्रतिपदा से, आमतौर पर सितंबर या अक्टूबर में शुरू होती है; चैत्र नवरात्रि मार्च या अप्रैल में "
        "आती है।", HINDU),
    "durga_puja": (
        "Durga Puja", "दुर्गा पूजा", "durga puja|durga pooja|दुर्गा पूजा",
        "Durga Puja honours the goddess Durga's victory over Mahishasura, above all in West "
        "Bengal. It is held in the month of Ashvin, usually in September or October.",
        "दुर्गा पूजा महिषासुर पर माँ दुर्गा की जीत का उत्सव है, ख़ासकर पश्चिम बंगाल में। यह आश्विन "
        "महीने में, आमतौर पर सितंबर या अक्टूबर में होती है।", HINDU),
    "raksha_bandhan": (
        "Raksha Bandhan", "रक्षाबंधन", "raksha bandhan|rakshabandhan|rakhi|रक्षाबंधन|"
                                       "रक्षा बंधन|राखी",
        "On Raksha Bandhan a sister ties a rakhi on her brother's wrist and he promises to "
        "protect her. It falls on the full moon of Shravan, usually in August.",
        "रक्षाबंधन पर बहन भाई की कलाई पर राखी बाँधती है और भाई उसकी रक्षा का वचन देता है। यह "
        "सावन (श्रावण) की पूर्णिमा को, आमतौर पर अगस्त में, मनाया जाता है।", HINDU),
    "janmashtami": (
        "Janmashtami", "जन्माष्टमी", "janmashtami|janmasthami|krishna janmashtami|"
                                      "जन्माष्टमी|कृष्ण जन्माष्टमी",
        "Janmashtami celebrates the birth of Lord Krishna. It falls on the eighth day of the "
        "dark half of Bhadrapada, usually in August or September.",
        "जन्माष्टमी भगवान कृष्ण के जन्म का त्योहार है। यह भाद्रपद कृष्ण अष्टमी को, आमतौर पर "
        "अगस्त या सितंबर में, मनाई जाती है।", HINDU),
    "ganesh_chaturthi": (
        "Ganesh Chaturthi", "गणेश चतुर्थी", "ganesh chaturthi|ganesh chathurthi|"
                                             "vinayaka chaturthi|गणेश चतुर्थी|गणेशोत्सव",
        "Ganesh Chaturthi celebrates the birth of Lord Ganesha. It falls on the fourth day of "
        "the bright half of Bhadrapada, usually in August or September, and ends ten days "
        "later with the immersion of the idols.",
        "गणेश चतुर्थी भगवान गणेश के जन्म का त्योहार है। यह भाद्रपद शुक्ल चतुर्थी को, आमतौर पर "
        "अगस्त या सितंबर में, शुरू होता है और दस दिन बाद मूर्ति विसर्जन के साथ ख़त्म होता है।",
        HINDU),
    "maha_shivratri": (
        "Maha Shivaratri", "महाशिवरात्रि", "shivratri|mahashivratri|maha shivratri|"
                                           "maha shivaratri|शिवरात्रि|महाशिवरात्रि|महा शिवरात्रि",
        "Maha Shivaratri is the great night of Lord Shiva, kept with fasting and a night-long "
        "vigil. It falls in February or March, on the fourteenth night of the dark half of "
        "the lunar month.",
        "महाशिवरात्रि भगवान शिव की महान रात है, जिसमें व्रत और रात भर जागरण होता है। यह फाल्गुन "
        "कृष्ण चतुर्दशी को, आमतौर पर फ़रवरी या मार्च में, आती है।", HINDU),
    "ram_navami": (
        "Ram Navami", "रामनवमी", "ram navami|ramnavami|rama navami|रामनवमी|राम नवमी",
        "Ram Navami celebrates the birth of Lord Rama. It falls on the ninth day of the bright "
        "half of Chaitra, usually in March or April.",
        "रामनवमी भगवान राम के जन्म का त्योहार है। यह चैत्र शुक्ल नवमी को, आमतौर पर मार्च या "
        "अप्रैल में, मनाई जाती है।", HINDU),
    "chhath": (
        "Chhath", "छठ", "chhath|chhath puja|chath|छठ|छठ पूजा",
        "Chhath is the worship of the Sun god, above all in Bihar and eastern Uttar Pradesh. "
        "It falls six days after Diwali, in October or November.",
        "छठ सूर्य देव की उपासना का पर्व है, ख़ासकर बिहार और पूर्वी उत्तर प्रदेश में। यह दीवाली के "
        "छह दिन बाद, कार्तिक शुक्ल षष्ठी को, अक्टूबर या नवंबर में मनाया जाता है।", HINDU),
    "guru_nanak_jayanti": (
        "Guru Nanak Jayanti", "गुरु नानक जयंती", "guru nanak jayanti|gurpurab|guru purab|"
                                                 "guru nanak dev jayanti|गुरु नानक जयंती|गुरुपर्व|"
                                                 "गुरपुरब|प्रकाश पर्व",
        "Guru Nanak Jayanti, or Gurpurab, celebrates the birth of Guru Nanak, the first Sikh "
        "Guru. It falls on the full moon of Kartik, usually in November.",
        "गुरु नानक जयंती, यानी गुरुपर्व, पहले सिख गुरु, गुरु नानक देव जी के जन्म का पर्व है। यह "
        "कार्तिक पूर्णिमा को, आमतौर पर नवंबर में, मनाई जाती है।", HINDU),
    "buddha_purnima": (
        "Buddha Purnima", "बुद्ध पूर्णिमा", "buddha purnima|buddh purnima|vesak|"
                                            "buddha jayanti|बुद्ध पूर्णिमा|बुद्ध जयंती",
        "Buddha Purnima marks the birth, enlightenment and passing of Gautama Buddha. It falls "
        "on the full moon of Vaishakh, usually in April or May.",
        "बुद्ध पूर्णिमा गौतम बुद्ध के जन्म, ज्ञान प्राप्ति और महापरिनिर्वाण का दिन है। यह वैशाख "
        "पूर्णिमा को, आमतौर पर अप्रैल या मई में, मनाई जाती है।", HINDU),
    "mahavir_jayanti": (
        "Mahavir Jayanti", "महावीर जयंती", "mahavir jayanti|mahaveer jayanti|महावीर जयंती",
        "Mahavir Jayanti celebrates the birth of Mahavira, the twenty-fourth Jain "
        "Tirthankara. It falls on the thirteenth day of the bright half of Chaitra, usually in "
        "March or April.",
        "महावीर जयंती चौबीसवें जैन तीर्थंकर भगवान महावीर के जन्म का पर्व है। यह चैत्र शुक्ल "
        "त्रयोदशी को, आमतौर पर मार्च या अप्रैल में, मनाई जाती है।", HINDU),
    "onam": (
        "Onam", "ओणम", "onam|ओणम|ओनम",
        "Onam is Kerala's harvest festival, welcoming home the legendary King Mahabali. It "
        "falls in the Malayalam month of Chingam, usually in August or September.",
        "ओणम केरल का फ़सल का त्योहार है, जिसमें राजा महाबली के घर लौटने का स्वागत होता है। यह "
        "मलयालम महीने चिंगम में, आमतौर पर अगस्त या सितंबर में, मनाया जाता है।",
        "written here; on the Malayalam solar calendar (month of Chingam)"),
    "pongal": (
        "Pongal", "पोंगल", "pongal|पोंगल",
        "Pongal is Tamil Nadu's four-day harvest festival, thanking the Sun. It begins around "
        "14 January, when the sun enters Capricorn.",
        "पोंगल तमिलनाडु का चार दिन का फ़सल का त्योहार है, जिसमें सूर्य देव को धन्यवाद दिया जाता "
        "है। यह लगभग 14 जनवरी से शुरू होता है।", SOLAR),
    "makar_sankranti": (
        "Makar Sankranti", "मकर संक्रांति", "makar sankranti|makara sankranti|sankranti|"
                                            "makar sakranti|मकर संक्रांति|संक्रांति|खिचड़ी",
        "Makar Sankranti marks the sun's entry into Capricorn and the start of longer days; "
        "it is a harvest festival with kites and sesame sweets, on 14 January (sometimes the "
        "15th).",
        "मकर संक्रांति सूर्य के मकर राशि में प्रवेश का पर्व है; यह फ़सल का त्योहार है, जिसमें पतंगें "
        "उड़ाई जाती हैं और तिल-गुड़ खाया जाता है। यह 14 जनवरी को (कभी-कभी 15 को) मनाई जाती है।",
        SOLAR),
    "lohri": (
        "Lohri", "लोहड़ी", "lohri|lodi|लोहड़ी|लोहरी",
        "Lohri is Punjab's winter harvest festival, celebrated around a bonfire on 13 "
        "January, the night before Makar Sankranti.",
        "लोहड़ी पंजाब का सर्दियों का फ़सल का त्योहार है, जो 13 जनवरी को, मकर संक्रांति से एक रात "
        "पहले, अलाव जलाकर मनाया जाता है।", SOLAR),
    "baisakhi": (
        "Baisakhi", "बैसाखी", "baisakhi|vaisakhi|visakhi|बैसाखी|वैसाखी",
        "Baisakhi is Punjab's harvest festival and the Sikh new year, marking the founding of "
        "the Khalsa in 1699. It falls on 13 or 14 April.",
        "बैसाखी पंजाब का फ़सल का त्योहार और सिख नव वर्ष है; इसी दिन 1699 में ख़ालसा पंथ की "
        "स्थापना हुई थी। यह 13 या 14 अप्रैल को मनाई जाती है।", SOLAR),
    "eid_ul_fitr": (
        "Eid al-Fitr", "ईद-उल-फ़ित्र", "eid|eid al fitr|eid ul fitr|id ul fitr|eid al-fitr|"
                                       "meethi eid|ramzan eid|ईद|ईद उल फ़ित्र|ईद उल फितर|"
                                       "ईद-उल-फ़ित्र|मीठी ईद",
        "Eid al-Fitr marks the end of the Ramadan fast, on the first day of the month of "
        "Shawwal. The Islamic calendar is lunar, so it comes about 11 days earlier each year.",
        "ईद-उल-फ़ित्र रमज़ान के रोज़े पूरे होने पर, शव्वाल महीने के पहले दिन मनाई जाती है। इस्लामी "
        "कैलेंडर चंद्र कैलेंडर है, इसलिए यह हर साल लगभग 11 दिन पहले आती है।", ISLAMIC),
    "eid_ul_adha": (
        "Eid al-Adha", "ईद-उल-अज़हा", "bakrid|bakri eid|eid al adha|eid ul adha|eid ul azha|"
                                      "बकरीद|बक़रीद|ईद उल अज़हा|ईद-उल-अज़हा|ईद उल अजहा",
        "Eid al-Adha, or Bakrid, is the festival of sacrifice, on the tenth day of the month "
        "of Dhul Hijjah. It comes about 11 days earlier each year.",
        "ईद-उल-अज़हा, यानी बकरीद, क़ुर्बानी का त्योहार है, जो ज़िल-हिज्जा महीने की दसवीं तारीख़ को "
        "मनाया जाता है। यह हर साल लगभग 11 दिन पहले आता है।", ISLAMIC),
    "ramadan": (
        "Ramadan", "रमज़ान", "ramadan|ramzan|ramazan|रमज़ान|रमजान|रमदान",
        "Ramadan is the ninth month of the Islamic calendar, a month of fasting from dawn to "
        "sunset. It begins about 11 days earlier each year.",
        "रमज़ान इस्लामी कैलेंडर का नौवाँ महीना है, जिसमें सुबह से सूरज ढलने तक रोज़ा रखा जाता है। "
        "यह हर साल लगभग 11 दिन पहले शुरू होता है।", ISLAMIC),
    "christmas": (
        "Christmas", "क्रिसमस", "christmas|xmas|christmas day|क्रिसमस|बड़ा दिन|bada din",
        "Christmas celebrates the birth of Jesus Christ, on 25 December.",
        "क्रिसमस ईसा मसीह के जन्म का त्योहार है, जो 25 दिसंबर को मनाया जाता है।",
        "written here; a fixed date"),
    "easter": ("Easter", "ईस्टर", "easter|easter sunday|ईस्टर", "", "", COMPUTED),
    "good_friday": ("Good Friday", "गुड फ़्राइडे", "good friday|गुड फ्राइडे|गुड फ़्राइडे",
                    "", "", COMPUTED),
    # national and international days
    "independence_day": (
        "Independence Day", "स्वतंत्रता दिवस", "independence day|स्वतंत्रता दिवस|"
                                               "आज़ादी का दिन|स्वाधीनता दिवस|"
                                               "swatantrata diwas|azadi ka din",
        "India's Independence Day is on 15 August: India became independent on 15 August "
        "1947.",
        "भारत का स्वतंत्रता दिवस 15 अगस्त को है: भारत 15 अगस्त 1947 को आज़ाद हुआ था।", NATIONAL),
    "republic_day": (
        "Republic Day", "गणतंत्र दिवस", "republic day|गणतंत्र दिवस|gantantra diwas|"
                                          "gantantra divas",
        "India's Republic Day is on 26 January: the Constitution came into force on 26 "
        "January 1950.",
        "भारत का गणतंत्र दिवस 26 जनवरी को है: इसी दिन 1950 में संविधान लागू हुआ था।", NATIONAL),
    "gandhi_jayanti": (
        "Gandhi Jayanti", "गांधी जयंती", "gandhi jayanti|गांधी जयंती|गाँधी जयंती",
        "Gandhi Jayanti, on 2 October, is Mahatma Gandhi's birthday; he was born on 2 October "
        "1869.",
        "गांधी जयंती 2 अक्टूबर को है; महात्मा गांधी का जन्म 2 अक्टूबर 1869 को हुआ था।", NATIONAL),
    "childrens_day": (
        "Children's Day", "बाल दिवस", "children's day|childrens day|children day|बाल दिवस|"
                                      "bal diwas|baal divas",
        "Children's Day in India is on 14 November, the birthday of Jawaharlal Nehru.",
        "भारत में बाल दिवस 14 नवंबर को, पंडित जवाहरलाल नेहरू के जन्मदिन पर, मनाया जाता है।",
        NATIONAL),
    "teachers_day": (
        "Teachers' Day", "शिक्षक दिवस", "teachers day|teacher's day|teachers' day|teacher day|"
                                        "शिक्षक दिवस|shikshak diwas",
        "Teachers' Day in India is on 5 September, the birthday of Dr Sarvepalli "
        "Radhakrishnan.",
        "भारत में शिक्षक दिवस 5 सितंबर को, डॉ. सर्वपल्ली राधाकृष्णन के जन्मदिन पर, मनाया जाता है।",
        NATIONAL),
    "hindi_diwas": (
        "Hindi Diwas", "हिंदी दिवस", "hindi diwas|hindi day|हिंदी दिवस|हिन्दी दिवस",
        "Hindi Diwas is on 14 September: on that day in 1949 the Constituent Assembly adopted "
        "Hindi in Devanagari as an official language of the Union.",
        "हिंदी दिवस 14 सितंबर को है: 14 सितंबर 1949 को संविधान सभा ने देवनागरी में लिखी हिंदी को "
        "संघ की राजभाषा के रूप में अपनाया था।", NATIONAL),
    "constitution_day": (
        "Constitution Day", "संविधान दिवस", "constitution day|samvidhan diwas|संविधान दिवस",
        "Constitution Day is on 26 November: the Constituent Assembly adopted India's "
        "Constitution on 26 November 1949.",
        "संविधान दिवस 26 नवंबर को है: संविधान सभा ने 26 नवंबर 1949 को भारत का संविधान अपनाया था।",
        NATIONAL),
    "youth_day": (
        "National Youth Day", "राष्ट्रीय युवा दिवस", "national youth day|youth day|युवा दिवस|"
                                                     "राष्ट्रीय युवा दिवस|yuva diwas",
        "National Youth Day is on 12 January, Swami Vivekananda's birthday.",
        "राष्ट्रीय युवा दिवस 12 जनवरी को, स्वामी विवेकानंद के जन्मदिन पर, मनाया जाता है।", NATIONAL),
    "yoga_day": (
        "International Day of Yoga", "अंतरराष्ट्रीय योग दिवस", "yoga day|international yoga day|"
                                                               "योग दिवस|अंतरराष्ट्रीय योग दिवस|"
                                                               "yog diwas",
        "The International Day of Yoga is on 21 June.",
        "अंतरराष्ट्रीय योग दिवस 21 जून को मनाया जाता है।", INTERNATIONAL),
    "environment_day": (
        "World Environment Day", "विश्व पर्यावरण दिवस", "environment day|world environment day|"
                                                         "पर्यावरण दिवस|विश्व पर्यावरण दिवस",
        "World Environment Day is on 5 June.", "विश्व पर्यावरण दिवस 5 जून को मनाया जाता है।",
        INTERNATIONAL),
    "womens_day": (
        "International Women's Day", "अंतरराष्ट्रीय महिला दिवस",
        "women's day|womens day|international women's day|women day|महिला दिवस|"
        "अंतरराष्ट्रीय महिला दिवस|mahila diwas",
        "International Women's Day is on 8 March.",
        "अंतरराष्ट्रीय महिला दिवस 8 मार्च को मनाया जाता है।", INTERNATIONAL),
}


def easter(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def computed_answer(festival: str, today: date) -> tuple[str, str]:
    """Easter or Good Friday: this year's date (next year's once it has passed)."""
    year = today.year
    day = easter(year)
    if festival == "good_friday":
        day -= timedelta(days=2)
    if day < today:
        year += 1
        day = easter(year) - timedelta(days=2 if festival == "good_friday" else 0)
    en_date = f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
    hi_date = f"{day.day} {HINDI_MONTHS[day.month - 1]} {day.year}"
    if festival == "easter":
        return (f"Easter celebrates the resurrection of Jesus Christ, on the Sunday after the "
                f"first full moon of spring; the next one is on Sunday, {en_date}.",
                f"ईस्टर ईसा मसीह के पुनर्जीवित होने का त्योहार है, जो वसंत की पहली पूर्णिमा के बाद "
                f"वाले रविवार को मनाया जाता है; अगला ईस्टर रविवार, {hi_date} को है।")
    return (f"Good Friday marks the crucifixion of Jesus Christ, two days before Easter; the "
            f"next one is on Friday, {en_date}.",
            f"गुड फ़्राइडे ईसा मसीह को सूली पर चढ़ाए जाने का दिन है, ईस्टर से दो दिन पहले; अगला गुड "
            f"फ़्राइडे शुक्रवार, {hi_date} को है।")
