"""Folding German text for search, the same way the database's lernorte_fold() does."""

import unicodedata

_SPELT_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                            "ß": "ss"})
_SEPARATORS = str.maketrans({c: " " for c in "-/.,;:()\"'"})


def fold(text: str) -> str:
    """Lower case, umlauts spelt out, other accents dropped, punctuation as spaces."""
    spelt = text.translate(_SPELT_OUT).translate(_SEPARATORS)
    decomposed = unicodedata.normalize("NFKD", spelt)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_words(query: str, max_words: int = 8) -> list[str]:
    """The words of a search query, folded; at most ``max_words`` to bound the SQL."""
    return fold(query).split()[:max_words]
