"""Tagged PDFs: all drawing marked or an artifact, a structure tree in the handout's order, pdfua clean."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import Result
from pdfua import validate

from handouts.engine import Engine
from handouts.pdf.reading import reading_text
from handouts.render import render_handout
from handouts.xmltree import parse_handout_xml

from ..conftest import FIXTURES, make_spec
from ..pdfcheck import check_tagged_pdf, mcid_texts, scan_content, structure_text, walk_structure

needs_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None, reason="poppler-utils is installed by .ci/run"
)
ENGINE = Engine.from_dirs(templates_dirs=[FIXTURES / "layouts"])
COMBINATIONS = [
    {"layout": layout, "print": size, "language": language}
    for layout in ("standard", "summary")
    for size in ("standard", "large")
    for language in ("en", "es")
] + [{"layout": "standard", "paper": "a4", "fillable": False}]


@cache
def build(**values: Any) -> tuple[bytes, list[str]]:
    """A rendered handout and the text its handout XML says it contains, in order."""
    if values.get("language") == "es":
        values["allow_fallback"] = True
    rendered = render_handout(make_spec(**values), ENGINE)
    return rendered.pdf, reading_text(parse_handout_xml(rendered.xml, "test"))


def squeezed(text: str) -> str:
    """Text without whitespace: line breaks inside a paragraph draw no space, long words break anywhere."""
    return re.sub(r"\s+", "", text)


def pdfua_problems(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    report = validate(str(path))
    return [f"{f.rule_id}: {f.message}" for f in report.findings] + [
        f"{o.rule_id} not evaluated: {o.skipped_reason}" for o in report.skipped
    ]


@pytest.fixture(scope="module")
def fixture_pdf() -> bytes:
    """The tagging fixture layout: links, a split paragraph, a table split over columns, fields, QR."""
    return build(layout="tagging")[0]


def elements(pdf: bytes) -> list[Any]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return walk_structure(doc).elements


@pytest.mark.parametrize("values", COMBINATIONS, ids=lambda v: "-".join(map(str, v.values())))
def test_every_layout_theme_and_language_is_fully_tagged(values: dict[str, Any], tmp_path: Path) -> None:
    pdf, text = build(**values)
    assert check_tagged_pdf(pdf) == []
    assert squeezed(structure_text(pdf)) == squeezed("".join(text))
    assert pdfua_problems(pdf, tmp_path) == []


def test_the_fixture_layout_is_fully_tagged_in_xml_order(fixture_pdf: bytes, tmp_path: Path) -> None:
    assert check_tagged_pdf(fixture_pdf) == []
    assert squeezed(structure_text(fixture_pdf)) == squeezed("".join(build(layout="tagging")[1]))
    assert pdfua_problems(fixture_pdf, tmp_path) == []


def test_clinic_logo_and_qr_code_are_figures_with_alt_text(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (120, 60), "#1F4E79").save(tmp_path / "logo.png")
    clinic = {"name": "Riverside MS Centre", "logo": str(tmp_path / "logo.png")}
    rendered = render_handout(make_spec(clinic=clinic, url="https://example.org/ms"), ENGINE)
    pdf, text = rendered.pdf, reading_text(parse_handout_xml(rendered.xml, "test"))
    figures = [e.alt for e in elements(pdf) if e.role == "Figure"]
    assert figures == ["Riverside MS Centre", "QR code linking to https://example.org/ms"]
    assert check_tagged_pdf(pdf) == []
    assert squeezed(structure_text(pdf)) == squeezed("".join(text))


def test_links_are_link_elements_with_their_own_text_and_annotation(fixture_pdf: bytes) -> None:
    texts = mcid_texts(fixture_pdf)
    links = [e for e in elements(fixture_pdf) if e.role == "Link"]
    long_address = "https://example.org/a/very/long/address/that/has/to/wrap/across/the/end/of/a/line"
    assert [(e.parent, squeezed("".join(texts[key] for key in e.content))) for e in links] == [
        ("LBody", "linkinit."),  # the full stop after a link is drawn inside it
        (
            "P",
            squeezed(
                "This whole paragraph is one link and nothing else at all, long enough to wrap over two lines of the column."
            ),
        ),
        ("P", long_address),
        ("P", "writetous"),
        ("LBody", "https://example.org/source"),
        ("P", "example.org/handout"),  # the QR code's printed address
    ]
    for link in links:
        assert link.annotations, "a Link element holds its annotations"
        printed = squeezed("".join(texts[key] for key in link.content))
        assert all(a["URI"] == link.annotations[0]["URI"] for a in link.annotations)
        assert all(squeezed(str(a["Contents"])) == printed for a in link.annotations), (
            "described by its words"
        )
    assert len(links[2].annotations) == 2, "the address wraps: one annotation per line, both in one Link"


def test_a_paragraph_split_across_pages_is_one_element(fixture_pdf: bytes) -> None:
    split = [e for e in elements(fixture_pdf) if e.role == "P" and len({page for page, _ in e.content}) > 1]
    assert len(split) == 1
    assert "This sentence 69" in " ".join(mcid_texts(fixture_pdf)[key] for key in split[0].content)


def test_a_repeated_table_header_is_an_artifact(fixture_pdf: bytes) -> None:
    found = elements(fixture_pdf)
    headers = [e for e in found if e.role == "TH" and e.parent == "TR"]
    texts = mcid_texts(fixture_pdf)
    assert [texts[h.content[0]] for h in headers[:2]] == ["Medicine", "How often"]
    assert len(headers) == 2 + 45, "the header row repeated in the second column is not in the tree"
    with pikepdf.open(io.BytesIO(fixture_pdf)) as pdf:
        scopes = {str(e.A.Scope) for e in _struct_elements(pdf.Root.StructTreeRoot) if e.S == "/TH"}
    assert scopes == {"/Column", "/Row"}


def _struct_elements(node: Any) -> list[Any]:
    kids = node.get("/K")
    kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    found = []
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/MCR", "/OBJR"):
            found += [kid, *_struct_elements(kid)]
    return found


def test_form_fields_are_form_elements_with_tooltips(fixture_pdf: bytes) -> None:
    forms = [e for e in elements(fixture_pdf) if e.role == "Form"]
    placed = [(e.parent, e.annotations[0]["T"]) for e in forms]
    assert placed == [
        ("Lbl", "q1-asked"),
        ("LBody", "q1-answer"),
        ("Lbl", "q2-asked"),
        ("LBody", "q2-answer"),
        ("Sect", "other"),
    ]
    assert all(len(e.annotations) == 1 and e.annotations[0]["TU"] for e in forms)


def test_headings_start_at_h1_and_never_skip_a_level(fixture_pdf: bytes) -> None:
    for pdf in (fixture_pdf, build()[0], build(layout="summary")[0]):
        levels = [int(e.role[1]) for e in elements(pdf) if re.fullmatch(r"H[1-6]", e.role)]
        assert levels[0] == 1
        assert all(b <= a + 1 for a, b in pairwise(levels))


def test_callouts_are_block_groupings_and_the_footer_is_pagination(fixture_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(fixture_pdf)) as pdf:
        root = pdf.Root.StructTreeRoot
        assert not [e for e in _struct_elements(root) if e.S == "/Note"]  # Note is for footnotes
        for page in pdf.pages:
            artifacts = [
                item.operands[1]
                for item in pikepdf.parse_content_stream(page)
                if str(item.operator) == "BDC" and item.operands[0] == "/Artifact"
            ]
            assert [(a.Type, a.Subtype) for a in artifacts] == [("/Pagination", "/Footer")]


def test_catalog_pages_and_metadata_declare_a_tagged_pdfua_file() -> None:
    with pikepdf.open(io.BytesIO(build()[0])) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "en-US"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.StructTreeRoot.RoleMap.Aside == "/Sect"
        assert [p.obj.StructParents for p in pdf.pages] == list(range(len(pdf.pages)))
        assert all(p.obj.Tabs == "/S" for p in pdf.pages)
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == "Living with multiple sclerosis (MS)"


@needs_poppler
def test_no_tags_switches_tagging_off_and_changes_no_pixel(cli: Any, tmp_path: Path) -> None:
    tagged, untagged = tmp_path / "tagged.pdf", tmp_path / "untagged.pdf"
    results: list[Result] = [
        cli("build", "--date", "2026-11-26", "-o", str(tagged)),
        cli("build", "--date", "2026-11-26", "--no-tags", "-o", str(untagged)),
    ]
    assert all(r.exit_code == 0 for r in results), [r.output for r in results]
    assert "Tagged:          yes" in _pdfinfo(tagged)
    assert "Tagged:          no" in _pdfinfo(untagged)
    with pikepdf.open(untagged) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert scan_content(pdf).mcids == {i: [] for i in range(len(pdf.pages))}
    assert _page_image(tagged, tmp_path / "t") == _page_image(untagged, tmp_path / "u")


def _pdfinfo(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def _page_image(path: Path, prefix: Path) -> bytes:
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(prefix)], check=True)
    return next(prefix.parent.glob(f"{prefix.name}*.png")).read_bytes()


def test_the_checker_finds_untagged_drawing() -> None:
    problems = check_tagged_pdf(build(tags=False)[0])
    assert "no StructTreeRoot" in problems
    assert any("Tj outside marked content" in p for p in problems)
    assert any("f outside marked content" in p or "S outside marked content" in p for p in problems)
