"""Word boundaries for tag-following readers: the structure text splits into the page's words, headings whole."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from handouts.render import Engine, render_handout
from handouts.xmltree import Node, parse_handout_xml

from ..conftest import FIXTURES, make_spec
from .wordcheck import (
    artifact_words,
    element_words,
    page_words,
    rejoined,
    run_together,
    structure_blocks,
    structure_words,
)

pytestmark = pytest.mark.skipif(
    shutil.which("pdfinfo") is None, reason="poppler-utils is installed by .ci/run"
)
ENGINE = Engine.from_dirs(templates_dirs=[FIXTURES / "layouts"])
VARIANTS = [
    {"layout": layout, "print": size, "language": language}
    for layout in ("standard", "summary")
    for size in ("standard", "large")
    for language in ("en", "es")
] + [
    {"audience": "caregiver"},
    {"layout": "standard", "paper": "a4", "fillable": False},
    {"layout": "tagging"},
    {
        "clinic": str(Path(__file__).parents[2] / "docs" / "examples" / "clinic.yaml"),
        "url": "https://riverside.example.org/ms/handout",
        "patient_name": "Ana Ruiz",
        "notes": "Bring your scan results and a list of every medicine you take to the next visit.",
    },
]
HEADING_TAGS = ("title", "heading")


@cache
def build(**values: Any) -> tuple[bytes, str]:
    if values.get("language") == "es":
        values["allow_fallback"] = True
    rendered = render_handout(make_spec(**values), ENGINE)
    return rendered.pdf, rendered.xml


def written(pdf: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    return path


def headings(node: Node) -> Iterator[str]:
    """Every heading the handout XML prints: the title, section and block headings, callout titles."""
    if node.tag in HEADING_TAGS:
        yield " ".join(node.text().split())
    if node.tag == "callout" and node.attrs.get("title"):
        yield node.attrs["title"]
    for child in node.elements():
        yield from headings(child)


@pytest.mark.parametrize(
    "values", VARIANTS, ids=lambda v: "clinic-qr-notes" if "clinic" in v else "-".join(map(str, v.values()))
)
def test_structure_text_has_the_page_words(values: dict[str, Any], tmp_path: Path) -> None:
    path = written(build(**values)[0], tmp_path)
    assert run_together(path) == []
    reader, page = rejoined(structure_words(path), page_words(path))
    assert reader == page - Counter(artifact_words(path))


@pytest.mark.parametrize(
    "values", VARIANTS, ids=lambda v: "clinic-qr-notes" if "clinic" in v else "-".join(map(str, v.values()))
)
def test_every_element_starts_and_ends_at_a_word_boundary(values: dict[str, Any], tmp_path: Path) -> None:
    """A link's text and the text after it meet at a space: "MS." is read as printed, not "MS" and "."."""
    path = written(build(**values)[0], tmp_path)
    reader, page = rejoined(element_words(path), page_words(path))
    assert sorted((reader - page).elements()) == []


@pytest.mark.parametrize(
    "values", VARIANTS, ids=lambda v: "clinic-qr-notes" if "clinic" in v else "-".join(map(str, v.values()))
)
def test_headings_read_whole(values: dict[str, Any], tmp_path: Path) -> None:
    pdf, xml = build(**values)
    read = [" ".join(b.text.split()) for b in structure_blocks(written(pdf, tmp_path)) if b.role[:1] == "H"]
    assert read == list(headings(parse_handout_xml(xml, "test")))


def test_a_word_split_at_a_line_end_reads_whole(tmp_path: Path) -> None:
    """A web address too long for the column breaks inside the word: no space is read into it."""
    address = "https://example.org/a/very/long/address/that/has/to/wrap/across/the/end/of/a/line"
    path = written(build(layout="tagging")[0], tmp_path)
    assert address in structure_words(path)
    assert address not in page_words(path)  # the page text gives it as two words, one per line
