"""The built-in library as patients get it: every tailoring builds, fits four pages, says only what is allowed."""

from __future__ import annotations

import io
import itertools
import re

import pypdf
import pytest

from handouts.engine import Engine
from handouts.render import render_handout
from handouts.vocabulary import AUDIENCES, LANGUAGES, STAGES, TYPES

from ..conftest import make_spec, pdf_text

COMBINATIONS = list(itertools.product((None, *TYPES), STAGES, AUDIENCES))

DO_NOT_USE = {"F-LIFE-02", "F-LIFE-07", "F-RES-06", "F-RES-08", "F-RES-13", "F-PROMO-01", "F-PROMO-02"}
"""The fact base's DO NOT USE items (../shared/ms-facts.md, 'Quick index'): no block may rely on one."""

RULED_OUT = [
    r"\b\d[\d,]*\s*(mg|mcg|µg|iu|units?)\b",  # a dose of any drug or supplement
    r"\bcur(e|es|ed|ing)\b",  # no cure promises (the fact base: "MS cannot be cured")
    r"\brevers(e|ed|al|ing)\b",
    r"\bbreakthroughs?\b",
    r"\bgame.changer\b",
    r"\b(war|poison|silent threat|dying nerves)\b",  # fear language
    r"\b40 ?%",  # the unsupported "40% move to SPMS" figure
    r"\b2,?000\s*(to|-|\u2013)\s*5,?000\b",  # the unsupported vitamin D range
    r"\bpipe-307\b|\baba-01\b|\b17 active trials\b",
    r"\bwebinar\b",
]


@pytest.fixture(scope="module")
def english(engine: Engine) -> dict[tuple[str | None, str, str], bytes]:
    return {
        combo: render_handout(make_spec(type=combo[0], stage=combo[1], audience=combo[2]), engine).pdf
        for combo in COMBINATIONS
    }


def test_every_combination_fits_four_letter_pages(english: dict[tuple[str | None, str, str], bytes]) -> None:
    for combo, pdf in english.items():
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) <= 4, combo


@pytest.mark.parametrize("pattern", RULED_OUT)
def test_no_combination_says_what_the_fact_base_rules_out(
    english: dict[tuple[str | None, str, str], bytes], pattern: str
) -> None:
    for combo, pdf in english.items():
        found = re.search(pattern, pdf_text(pdf), re.IGNORECASE)
        assert found is None, (combo, found.group(0) if found else "")


def test_type_specific_handouts_differ_in_content(english: dict[tuple[str | None, str, str], bytes]) -> None:
    texts = {
        combo[0]: set(pdf_text(pdf).split(". "))
        for combo, pdf in english.items()
        if combo[1:] == ("newly-diagnosed", "patient")
    }
    for first, second in itertools.combinations(texts, 2):
        assert len(texts[first] ^ texts[second]) > 6, (first, second)


def test_caregiver_and_patient_handouts_differ(english: dict[tuple[str | None, str, str], bytes]) -> None:
    patient = pdf_text(english[("spms", "established", "patient")])
    caregiver = pdf_text(english[("spms", "established", "caregiver")])
    assert "For family and caregivers" in caregiver
    assert "For family and caregivers" not in patient


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_block_is_sourced_dated_and_relies_on_allowed_facts(engine: Engine, language: str) -> None:
    library = engine.library(language)
    assert len(library.blocks) >= 20
    for block in library.blocks.values():
        assert block.sources, block.id
        assert all(source in library.sources for source in block.sources), block.id
        assert block.reviewed < block.review_due, block.id
        assert block.facts, block.id
        assert not set(block.facts) & DO_NOT_USE, block.id
        assert all(re.fullmatch(r"F-[A-Z]+-\d\d", fact) for fact in block.facts), block.id


def test_questions_are_tailored(engine: Engine) -> None:
    from handouts.content.selection import select_blocks

    library = engine.library("en")
    assert len(library.questions) >= 20
    new_rrms = {q.id for q in select_blocks(library, make_spec(type="rrms")).questions}
    spms_carer = {
        q.id
        for q in select_blocks(
            library, make_spec(type="spms", stage="established", audience="caregiver")
        ).questions
    }
    assert new_rrms
    assert spms_carer
    assert new_rrms != spms_carer
