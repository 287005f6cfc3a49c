"""Turn a language code into the words of its part of the static site's index (print sizes, papers, pages, how to choose)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteWords:
    """What one language's section of index.html says around its links."""

    print_sizes: dict[str, str]
    papers: dict[str, str]
    page: str
    pages: str
    types_in: str
    how_to_choose: str
    choose_general: str
    large_print_hint: str
    paper_hint: str
    disclaimer: str
    read_online: str
    sheets: str
    sheets_lead: str

    def pages_text(self, count: int) -> str:
        return f"{count} {self.page if count == 1 else self.pages}"


WORDS = {
    "en": SiteWords(
        print_sizes={"standard": "Standard print", "large": "Large print (18 point, easier to read)"},
        papers={"letter": "US Letter paper", "a4": "A4 paper"},
        page="page",
        pages="pages",
        types_in="Types of MS in {language}",
        how_to_choose="How to choose",
        choose_general="Not sure which type of MS you have? Choose {general}.",
        large_print_hint="Large print uses bigger letters (18 point) and has more pages.",
        paper_hint="US Letter is the usual paper in the United States and Canada; A4 is the usual paper everywhere else.",
        disclaimer="These handouts give general information for people newly diagnosed with MS. They do not replace advice from your own MS team: take your questions to them.",
        read_online="Read online (web page)",
        sheets="Topic sheets",
        sheets_lead="One or two pages on one topic, to read with the handout.",
    ),
    "es": SiteWords(
        print_sizes={"standard": "Letra normal", "large": "Letra grande (18 puntos, más fácil de leer)"},
        papers={"letter": "Papel carta (EE. UU.)", "a4": "Papel A4"},
        page="página",
        pages="páginas",
        types_in="Tipos de EM en {language}",
        how_to_choose="Cómo elegir",
        choose_general="¿No sabe qué tipo de EM tiene? Elija {general}.",
        large_print_hint="La letra grande usa letras más grandes (18 puntos) y tiene más páginas.",
        paper_hint="El papel carta es el habitual en Estados Unidos y Canadá; el A4, en casi todos los demás países.",
        disclaimer="Estas hojas dan información general para personas a las que acaban de diagnosticar EM. No sustituyen los consejos de su propio equipo de EM: lléveles sus preguntas.",
        read_online="Leer en línea (página web)",
        sheets="Hojas por tema",
        sheets_lead="Una o dos páginas sobre un solo tema, para leer junto con la hoja principal.",
    ),
}


def site_words(language: str) -> SiteWords:
    """The words for a language's section; a language without its own words uses English."""
    return WORDS.get(language, WORDS["en"])
