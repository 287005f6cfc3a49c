"""Stage tests without a PDF: spec validation, library loading, selection, Markdown and layout XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.content.loader import load_library
from handouts.content.selection import select_blocks
from handouts.engine import Engine
from handouts.errors import ContentError, LayoutError, SpecError
from handouts.layout.markup import markdown_to_xml
from handouts.paths import builtin_dir
from handouts.render import handout_xml
from handouts.xmltree import parse_handout_xml

from .conftest import FIXTURES, make_spec


def test_spec_defaults_to_general_newly_diagnosed_patient() -> None:
    spec = make_spec()
    assert (spec.type, spec.stage, spec.audience, spec.paper, spec.layout) == (
        None,
        "newly-diagnosed",
        "patient",
        "letter",
        "standard",
    )


def test_spec_reports_every_problem_with_valid_values() -> None:
    with pytest.raises(SpecError) as caught:
        make_spec(type="rrsm", paper="legal", colour="blue")
    message = caught.value.message
    assert "type: 'rrsm' is not allowed (choose one of: cis, rrms, spms, ppms)" in message
    assert "paper: 'legal' is not allowed (choose one of: letter, a4)" in message
    assert "colour: unknown key" in message
    assert caught.value.exit_code == 2


def test_spec_rejects_bad_date_and_overlong_note() -> None:
    with pytest.raises(SpecError) as caught:
        make_spec(date="26/11/2026", notes=["x" * 5000])
    assert "date: '26/11/2026' is not a date (write it as YYYY-MM-DD" in caught.value.message
    assert "keep each note under 2,000 characters" in caught.value.message


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


def test_block_jinja_varies_text_by_type(fixture_engine: Engine) -> None:
    xml = handout_xml(make_spec(type="ppms"), fixture_engine)
    assert "This block is only for primary progressive MS." in xml


def test_markdown_becomes_handout_xml_and_raw_html_stays_text() -> None:
    xml = markdown_to_xml("Hi **there** <img src=x> &amp;\n\n- a\n- b\n", Path("b.md"))
    assert xml == (
        "<paragraph>Hi <b>there</b> &lt;img src=x&gt; &amp;</paragraph>\n"
        '<list kind="bullet">\n<item>a</item>\n<item>b</item>\n</list>\n'
    )


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("*italic*", "b.md:3: italics are not allowed"),
        ("# Big", "b.md:3: only #### headings are allowed"),
        ("text\n\n---", "b.md:5: unsupported Markdown element 'hr'"),
        ("- a\n  - b", "b.md:4: lists inside lists are not supported"),
        ("[x](ftp://example.org)", "b.md:3: link 'ftp://example.org' must start with https://"),
    ],
)
def test_unsupported_markdown_names_file_and_line(markdown: str, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        markdown_to_xml(markdown, Path("b.md"), first_line=3)


def test_layout_xml_is_valid_and_in_section_order(engine: Engine) -> None:
    root = parse_handout_xml(handout_xml(make_spec(type="rrms"), engine), "test")
    sections = [n.attrs["id"] for n in root.elements() if n.tag == "section"]
    library = engine.library("en")
    assert sections[:-2] == [t for t in library.topic_ids() if t in sections]
    assert sections[-1] == "sources"


def test_hostile_user_text_is_escaped_in_xml(engine: Engine) -> None:
    hostile = '<img src="/etc/passwd"/> & <font size=90> {{ 7*7 }}'
    xml = handout_xml(make_spec(patient_name=hostile, notes=[hostile]), engine)
    root = parse_handout_xml(xml, "test")
    assert "&lt;img src=&#34;/etc/passwd&#34;/&gt; &amp; &lt;font size=90&gt; {{ 7*7 }}" in xml
    assert not any(n.tag == "font" for n in _walk(root))


def _walk(node):  # type: ignore[no-untyped-def]
    yield node
    for child in node.elements():
        yield from _walk(child)


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("bad-element", r"bad-element.xml.j2:3: unknown element <blink>"),
        ("bad-attribute", r"bad-attribute.xml.j2:2: <paragraph> has unknown attribute 'colour'"),
        ("escape", r"refused unsafe template code"),
    ],
)
def test_layout_errors_name_template_and_line(layout: str, message: str) -> None:
    engine = Engine(
        content_dirs=(builtin_dir("content"),),
        templates_dirs=(builtin_dir("templates"), FIXTURES / "layouts"),
    )
    with pytest.raises(LayoutError, match=message):
        handout_xml(make_spec(layout=layout), engine)


def test_story_keeps_each_elements_role(fixture_engine: Engine) -> None:
    from handouts.pdf.story import StoryContext, build_story, story_outline

    root = parse_handout_xml(handout_xml(make_spec(type="ppms"), fixture_engine), "test")
    theme = fixture_engine.theme("standard")
    context = StoryContext(theme=theme, accent="#1F4E79", logo=None, fillable=True, origin="test")
    outline = story_outline(build_story(root, context))
    assert outline[:2] == ["Paragraph[H1]", "Paragraph[P]"]
    assert "Callout[Aside]" in outline
    assert outline.count("QuestionItem[LI]") == 1
    assert outline.index("Paragraph[H2]") < outline.index("ListItem[LI]")
