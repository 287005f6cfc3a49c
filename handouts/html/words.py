"""The few words a web page needs that a printed handout does not, in each handout language."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to the main content",
        "contents": "Contents",
        "versions": "Other versions of this handout",
        "pdf": "PDF",
        "web_page": "web page",
        "standard": "Standard print",
        "large": "Large print",
        "letter": "US Letter paper",
        "a4": "A4 paper",
        "all_handouts": "All handouts",
        "pages": "pages",
    },
    "es": {
        "skip": "Ir al contenido principal",
        "contents": "Contenido",
        "versions": "Otras versiones de esta hoja",
        "pdf": "PDF",
        "web_page": "página web",
        "standard": "Letra normal",
        "large": "Letra grande",
        "letter": "papel carta (US Letter)",
        "a4": "papel A4",
        "all_handouts": "Todas las hojas informativas",
        "pages": "páginas",
    },
}


def words_for(lang: str) -> dict[str, str]:
    """The words for a language tag such as en-US or es; English when the language has none."""
    return WORDS.get(lang.split("-")[0].lower(), WORDS["en"])
