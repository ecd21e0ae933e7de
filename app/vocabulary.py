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
