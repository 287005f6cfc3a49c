"""The built-in library's safety rules, read over every tailoring, language and look as it prints."""

from __future__ import annotations

import html
import itertools
import re

import pytest

from handouts.content.selection import select_blocks
from handouts.engine import Engine
from handouts.render import render_handout
from handouts.vocabulary import AUDIENCES, LANGUAGES, STAGES, TYPES

from .conftest import make_spec

pytestmark = pytest.mark.slow

TAILORINGS = list(itertools.product((None, *TYPES), STAGES, AUDIENCES))
LOOKS = {
    "standard": {},
    "summary": {"layout": "summary"},
    "large summary": {"layout": "summary", "print": "large"},
}
PAPERS = ("letter", "a4")

Key = tuple[str, str, str, str | None, str, str]
"""(look, language, paper, type, stage, audience)"""


PARAGRAPH_END = re.compile(r"</(paragraph|item|term|question|title|subtitle|heading|line|source)>")


def words(xml: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", xml)).split())


class Printed:
    """One built handout: its page count and the words it prints (tags stripped, spaces collapsed), whole
    and as paragraphs (paragraphs, list items, glossary terms, questions, headings)."""

    def __init__(self, pages: int, xml: str) -> None:
        self.pages = pages
        self.text = words(xml)
        self.paragraphs = [w for w in map(words, PARAGRAPH_END.split(xml)[::2]) if w]


@pytest.fixture(scope="module")
def printed(engine: Engine) -> dict[Key, Printed]:
    built = {}
    for look, language, paper, (type_, stage, audience) in itertools.product(
        LOOKS, LANGUAGES, PAPERS, TAILORINGS
    ):
        spec = make_spec(
            type=type_, stage=stage, audience=audience, language=language, paper=paper, **LOOKS[look]
        )
        rendered = render_handout(spec, engine)
        built[(look, language, paper, type_, stage, audience)] = Printed(rendered.pages, rendered.xml)
    return built


def matching(printed: dict[Key, Printed], **want: object) -> list[tuple[Key, Printed]]:
    names = ("look", "language", "paper", "type", "stage", "audience")
    found = [
        (key, p)
        for key, p in printed.items()
        if all(dict(zip(names, key, strict=True))[n] == v for n, v in want.items())
    ]
    assert found, want
    return found


def first(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text, re.IGNORECASE)
    return found.group(0) if found else None


# Each rule: a regular expression per language.
INFECTION_SAME_DAY = {
    "en": r"fever or signs of infection need a doctor the same day",
    "es": r"fiebre o (las señales de )?infección,? (necesitan un médico el mismo día|vea a un médico ese día)",
}
EMERGENCY_NUMBER = {
    "en": r"(call the local emergency number|call the emergency number)",
    "es": r"llame (enseguida )?(al número de emergencias|a emergencias)",
}
CRISIS_LINE = {"en": r"call or text 988", "es": r"mande un texto al 988"}
SPANISH_988 = r"Para español, marque 2"
SAYS_READER_HAS_MS = {
    "en": r"\byou have MS\b|\byour MS\b(?! (team|doctor|nurse))|\bwith MS over the years\b|make MS go away"
    r"|\bsomeone with MS\b",
    "es": r"\busted tiene EM\b|\bsu EM\b|\bcon EM a lo largo\b|que la EM desaparezca|\buna persona con EM\b"
    r"|\balguien con EM\b",
}
ADDRESSES_CAREGIVER_AS_PATIENT = {
    "en": r"\byour MS\b|\byou have MS\b|\byour type of MS\b|\bwhen to call your MS team\b"
    r"|stop any MS medicine on your own|\bhelps your health\b",
    "es": r"\bsu EM\b|\busted tiene EM\b|\bsu tipo de EM\b|\bcuándo llamar a su equipo\b"
    r"|no deje ningún medicamento para la EM por su cuenta|\bsu equipo médico le explicará\b",
}
MEDICINE = {
    "en": r"\b(medicines?|drugs?|DMTs?|ocrelizumab|treatment)\b",
    "es": r"\b(medicamentos?|fármacos?|TME|ocrelizumab|tratamientos?)\b",
}
RELAPSE = {"en": r"\brelapses?\b", "es": r"\bbrotes?\b"}
FEELINGS_BLOCK = {
    "en": (r"These feelings are normal", r"\bFatigue\b", r"\bLow mood\b", r"\bBladder trouble\b"),
    "es": (
        r"Estos sentimientos son normales",
        r"\bLa fatiga\b",
        r"\bEl ánimo bajo\b",
        r"\bproblemas de la vejiga\b",
    ),
}
STARTING_TITLE = {"en": "Starting and choosing a medicine", "es": "Empezar y elegir un medicamento"}
PREGNANCY = {
    "en": (
        r"some MS medicines can harm an unborn baby",
        r"MS does not stop most people from having children",
    ),
    "es": (r"algunos medicamentos para la EM pueden dañar al bebé", r"La EM no impide que la mayoría"),
}
PROTECT_THE_FUTURE = {"en": r"protect the future", "es": r"protegen el futuro"}


def test_every_standard_handout_fits_four_pages_in_both_languages_and_papers(
    printed: dict[Key, Printed],
) -> None:
    for key, p in matching(printed, look="standard"):
        assert p.pages <= 4, key


@pytest.mark.parametrize(("look", "most"), [("summary", 1), ("large summary", 2)])
def test_every_summary_is_one_page_in_both_languages_and_papers(
    printed: dict[Key, Printed], look: str, most: int
) -> None:
    """Standard print: exactly one page. Large print may take two rather than drop what matters."""
    for key, p in matching(printed, look=look):
        assert p.pages == 1 if most == 1 else 1 <= p.pages <= most, key


@pytest.mark.parametrize("look", list(LOOKS))
def test_every_handout_sends_infection_to_a_doctor_the_same_day_and_emergencies_to_the_emergency_number(
    printed: dict[Key, Printed], look: str
) -> None:
    for key, p in matching(printed, look=look):
        language = key[1]
        assert first(INFECTION_SAME_DAY[language], p.text), ("infection line", key)
        assert first(EMERGENCY_NUMBER[language], p.text), ("emergency line", key)
        assert first(CRISIS_LINE[language], p.text), ("crisis line", key)


def test_spanish_handouts_say_988_answers_in_spanish(printed: dict[Key, Printed]) -> None:
    for key, p in matching(printed, language="es"):
        assert SPANISH_988 in p.text, key


def test_no_cis_handout_tells_the_reader_they_have_ms(printed: dict[Key, Printed]) -> None:
    for key, p in matching(printed, type="cis"):
        found = first(SAYS_READER_HAS_MS[key[1]], p.text)
        assert found is None, (key, found)


def test_cis_handouts_say_what_a_new_episode_means_and_when_to_call(printed: dict[Key, Printed]) -> None:
    for key, p in matching(printed, type="cis", look="standard"):
        if key[1] == "en":
            assert "A new episode can be a sign of MS" in p.text, key
            assert first(r"for more than a day, call the MS team", p.text), key
        else:
            assert "Un episodio nuevo puede ser una señal de EM" in p.text, key
            assert first(r"por más de un día, llame al equipo médico", p.text), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_cis_handouts_get_no_relapse_or_lasting_damage_block_written_for_ms(
    engine: Engine, language: str
) -> None:
    library = engine.library(language)
    for stage, audience in itertools.product(STAGES, AUDIENCES):
        chosen = {
            b.id for b in select_blocks(library, make_spec(type="cis", stage=stage, audience=audience)).blocks
        }
        assert not chosen & {"relapses-and-recovery", "lasting-changes"}, (stage, audience, chosen)


def test_caregiver_handouts_address_the_caregiver_everywhere(printed: dict[Key, Printed]) -> None:
    for key, p in matching(printed, audience="caregiver"):
        found = first(ADDRESSES_CAREGIVER_AS_PATIENT[key[1]], p.text)
        assert found is None, (key, found)


def test_caregiver_section_titles_speak_of_the_person_not_the_reader(printed: dict[Key, Printed]) -> None:
    for key, p in matching(printed, audience="caregiver", look="standard"):
        if key[1] == "en":
            assert "When to call the MS team" in p.text, key
        else:
            assert "Cuándo llamar al equipo médico" in p.text, key


def test_ppms_handouts_never_tie_medicine_benefit_to_relapses(printed: dict[Key, Printed]) -> None:
    for key, p in matching(printed, type="ppms"):
        language = key[1]
        for paragraph in p.paragraphs:
            both = first(MEDICINE[language], paragraph) and first(RELAPSE[language], paragraph)
            assert not both, (key, paragraph)


def test_no_handout_says_medicines_protect_the_future(printed: dict[Key, Printed]) -> None:
    for key, p in printed.items():
        assert first(PROTECT_THE_FUTURE[key[1]], p.text) is None, key


def test_newly_diagnosed_handouts_cover_feelings_fatigue_and_bladder(printed: dict[Key, Printed]) -> None:
    for key, p in matching(printed, look="standard", stage="newly-diagnosed"):
        for pattern in FEELINGS_BLOCK[key[1]]:
            assert first(pattern, p.text), (key, pattern)


def test_patient_handouts_about_starting_a_medicine_cover_pregnancy_planning(
    printed: dict[Key, Printed],
) -> None:
    """Newly diagnosed patients of every type read about starting a medicine (the starting-treatment block,
    or the progressive-treatment block and its questions), so each says how to plan a pregnancy."""
    starting = [
        k for k, p in matching(printed, look="standard", audience="patient") if STARTING_TITLE[k[1]] in p.text
    ]
    assert {(k[1], k[3]) for k in starting} == {
        (lang, t) for lang in LANGUAGES for t in (None, "cis", "rrms")
    }
    for key, p in matching(printed, look="standard", audience="patient", stage="newly-diagnosed"):
        for pattern in PREGNANCY[key[1]]:
            assert first(pattern, p.text), (key, pattern)


def test_rules_catch_what_they_are_for() -> None:
    """Each rule trips on the wording the medical review found, so a rule cannot pass by matching nothing."""
    assert first(SAYS_READER_HAS_MS["en"], "Staying well with MS over the years")
    assert first(SAYS_READER_HAS_MS["en"], "Make MS go away.")
    assert first(SAYS_READER_HAS_MS["es"], "Su equipo médico conoce su EM.")
    assert first(SAYS_READER_HAS_MS["en"], "Ask your MS team.") is None
    assert first(ADDRESSES_CAREGIVER_AS_PATIENT["en"], "Your type of MS")
    assert first(ADDRESSES_CAREGIVER_AS_PATIENT["es"], "Cuándo llamar a su equipo médico")
    paragraph = Printed(
        1,
        "<paragraph>No MS medicine stops progressive MS. A few slow it a little, mainly in "
        "people who still have relapses.</paragraph><paragraph>Without clear relapses.</paragraph>",
    )
    assert paragraph.paragraphs == [paragraph.paragraphs[0], "Without clear relapses."]
    assert first(MEDICINE["en"], paragraph.paragraphs[0])
    assert first(RELAPSE["en"], paragraph.paragraphs[0])
    assert first(INFECTION_SAME_DAY["es"], "Con fiebre o infección, vea a un médico ese día.")
    assert first(INFECTION_SAME_DAY["en"], "no fever, infection or overheating explains them") is None
