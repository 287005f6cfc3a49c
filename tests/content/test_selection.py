"""The content stage without a PDF: the fixture library loads, and selection follows front matter and sections."""

from __future__ import annotations

import pytest

from handouts.content.loader import load_library
from handouts.content.selection import select_blocks
from handouts.engine import Engine
from handouts.errors import SpecError

from ..conftest import FIXTURES, make_spec


def test_fixture_library_loads_blocks_questions_and_terms() -> None:
    library = load_library([FIXTURES / "content"], "en")
    assert sorted(library.blocks) == ["ask", "basics", "ppms-only"]
    assert [q.id for q in library.questions] == ["q-general", "q-rrms-only"]
    assert library.glossary[0].term == "myelin"


def test_selection_follows_front_matter(fixture_engine: Engine) -> None:
    library = fixture_engine.library("en")
    rrms = select_blocks(library, make_spec(type="rrms"))
    ppms = select_blocks(library, make_spec(type="ppms"))
    assert [b.id for b in rrms.blocks] == ["basics", "ask"]
    assert [b.id for b in ppms.blocks] == ["basics", "ppms-only", "ask"]
    assert [q.id for q in rrms.questions] == ["q-general", "q-rrms-only"]
    assert [q.id for q in ppms.questions] == ["q-general"]
    assert rrms.key_points == ("MS affects the brain and spinal cord.",)


def test_sections_and_skip_sections(fixture_engine: Engine) -> None:
    library = fixture_engine.library("en")
    only = select_blocks(library, make_spec(sections="questions"))
    assert [s.topic.id for s in only.sections] == ["questions"]
    skipped = select_blocks(library, make_spec(skip_sections=["questions"]))
    assert [s.topic.id for s in skipped.sections] == ["about-ms"]
    assert skipped.questions == ()


def test_unknown_section_lists_available_ones(fixture_engine: Engine) -> None:
    with pytest.raises(
        SpecError, match=r"unknown section 'nope' \(available sections: about-ms, questions\)"
    ):
        select_blocks(fixture_engine.library("en"), make_spec(sections="nope"))
