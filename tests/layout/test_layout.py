"""The layout stage without a PDF: block Jinja, Markdown to handout XML, layout XML, escaping and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.engine import Engine
from handouts.errors import ContentError, LayoutError
from handouts.layout.markup import markdown_to_xml
from handouts.paths import builtin_dir
from handouts.render import handout_xml
from handouts.xmltree import parse_handout_xml

from ..conftest import FIXTURES, make_spec


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
