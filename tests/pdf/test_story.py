"""The story stage without a PDF: each handout XML element becomes flowables that keep their role."""

from __future__ import annotations

import pytest

from handouts.engine import Engine
from handouts.pdf.story import StoryContext, build_story, story_outline
from handouts.render import handout_xml
from handouts.xmltree import parse_handout_xml

from ..conftest import make_spec


def test_story_keeps_each_elements_role(fixture_engine: Engine) -> None:
    root = parse_handout_xml(handout_xml(make_spec(type="ppms"), fixture_engine), "test")
    theme = fixture_engine.theme("standard")
    context = StoryContext(theme=theme, accent="#1F4E79", logo=None, fillable=True, origin="test")
    outline = story_outline(build_story(root, context))
    assert outline[:2] == ["MeasuredParagraph[H1]", "MeasuredParagraph[P]"]
    assert "Callout[Aside]" in outline
    assert outline.count("QuestionItem[LI]") == 1
    assert outline.index("MeasuredParagraph[H2]") < outline.index("ListItem[LI]")


@pytest.mark.parametrize("print_size", ["standard", "large"])
def test_counting_pages_without_drawing_gives_the_drawn_count(engine: Engine, print_size: str) -> None:
    from handouts.pdf.document import build_pdf
    from handouts.xmltree import HandoutMeta

    spec = make_spec(type="rrms", print=print_size, notes=["Next MRI in March"])
    root = parse_handout_xml(handout_xml(spec, engine), "test")
    theme = engine.theme(spec.theme)
    context = StoryContext(theme=theme, accent="#1F4E79", logo=None, fillable=True, origin="test")
    meta = HandoutMeta.from_root(root)
    drawn = build_pdf(build_story(root, context), theme, spec.paper, meta, tagged=True)
    counted = build_pdf(build_story(root, context), theme, spec.paper, meta, tagged=True, measure_only=True)
    assert counted.pdf == b""
    assert counted.pages == drawn.pages > 1
    assert counted.fields == []


def test_text_markup_is_remembered_only_for_short_texts(engine: Engine) -> None:
    from reportlab.pdfbase import pdfmetrics

    from handouts.pdf.scripts import text_markup, theme_coverage
    from handouts.pdf.story import REMEMBERED_TEXT_CHARS, _remembered_text_markup, _text_markup

    coverage = theme_coverage(engine.theme("standard").font_paths.values())
    short, long = "Ask about 山田 & <co>", "A long note & more. " * (REMEMBERED_TEXT_CHARS // 10)
    _remembered_text_markup.cache_clear()
    for text in (short, short, long, long):
        assert _text_markup(text, coverage) == text_markup(text, coverage)
    assert _remembered_text_markup.cache_info().hits == 1
    assert _remembered_text_markup.cache_info().currsize == 1
    assert "&amp;" in _text_markup(short, coverage)
    faces = [face for face in pdfmetrics.getRegisteredFontNames() if face in _text_markup(short, coverage)]
    assert faces  # a remembered markup names a fallback font that is registered
