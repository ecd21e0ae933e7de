"""Closed vocabularies of the data model, with their labels where a person reads them."""

TARGET_GROUPS: dict[str, dict[str, str]] = {
    "kinder": {"de": "Kinder", "en": "Children", "uk": "Діти", "ar": "الأطفال"},
    "jugendliche": {"de": "Jugendliche", "en": "Young people", "uk": "Молодь", "ar": "الشباب"},
    "erwachsene": {"de": "Erwachsene", "en": "Adults", "uk": "Дорослі", "ar": "البالغون"},
    "senioren": {"de": "Seniorinnen und Senioren", "en": "Seniors", "uk": "Літні люди",
                 "ar": "كبار السن"},
    "familien": {"de": "Familien", "en": "Families", "uk": "Сім'ї", "ar": "العائلات"},
    "neuzugewanderte": {"de": "Neuzugewanderte", "en": "Newcomers", "uk": "Новоприбулі",
                        "ar": "القادمون الجدد"},
    "menschen-mit-behinderung": {"de": "Menschen mit Behinderung", "en": "People with disabilities",
                                 "uk": "Люди з інвалідністю", "ar": "الأشخاص ذوو الإعاقة"},
}

LANGUAGES = ("de", "en", "uk", "ar")

# Languages a place may offer (ISO 639-1), named in each interface language. A code missing
# here is still valid data; pages then show the code itself.
OFFERED_LANGUAGES: dict[str, dict[str, str]] = {
    "de": {"de": "Deutsch", "en": "German", "uk": "Німецька", "ar": "الألمانية"},
    "en": {"de": "Englisch", "en": "English", "uk": "Англійська", "ar": "الإنجليزية"},
    "uk": {"de": "Ukrainisch", "en": "Ukrainian", "uk": "Українська", "ar": "الأوكرانية"},
    "ar": {"de": "Arabisch", "en": "Arabic", "uk": "Арабська", "ar": "العربية"},
    "ru": {"de": "Russisch", "en": "Russian", "uk": "Російська", "ar": "الروسية"},
    "tr": {"de": "Türkisch", "en": "Turkish", "uk": "Турецька", "ar": "التركية"},
    "fa": {"de": "Persisch", "en": "Persian", "uk": "Перська", "ar": "الفارسية"},
    "pl": {"de": "Polnisch", "en": "Polish", "uk": "Польська", "ar": "البولندية"},
    "ro": {"de": "Rumänisch", "en": "Romanian", "uk": "Румунська", "ar": "الرومانية"},
    "fr": {"de": "Französisch", "en": "French", "uk": "Французька", "ar": "الفرنسية"},
    "es": {"de": "Spanisch", "en": "Spanish", "uk": "Іспанська", "ar": "الإسبانية"},
    "it": {"de": "Italienisch", "en": "Italian", "uk": "Італійська", "ar": "الإيطالية"},
    "ku": {"de": "Kurdisch", "en": "Kurdish", "uk": "Курдська", "ar": "الكردية"},
    "ti": {"de": "Tigrinya", "en": "Tigrinya", "uk": "Тигринья", "ar": "التغرينية"},
    "dgs": {"de": "Deutsche Gebärdensprache", "en": "German Sign Language",
            "uk": "Німецька жестова мова", "ar": "لغة الإشارة الألمانية"},
}
