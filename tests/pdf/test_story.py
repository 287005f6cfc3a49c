"""The story stage without a PDF: each handout XML element becomes flowables that keep their role."""

from __future__ import annotations

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
    assert outline[:2] == ["Paragraph[H1]", "Paragraph[P]"]
    assert "Callout[Aside]" in outline
    assert outline.count("QuestionItem[LI]") == 1
    assert outline.index("Paragraph[H2]") < outline.index("ListItem[LI]")
