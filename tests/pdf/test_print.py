"""Readable print: themes, large print, the one-page summary, fillable questions, QR codes, provenance."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pypdf
import pytest

from handouts.engine import Engine
from handouts.paths import builtin_dir
from handouts.pdf.themes import contrast_ratio, load_theme
from handouts.render import render_handout
from handouts.vocabulary import AUDIENCES, STAGES, TYPES

from ..conftest import make_spec, pdf_chars, pdf_text

Render = Callable[..., bytes]
COMBINATIONS = list(itertools.product((None, *TYPES), STAGES, AUDIENCES))
URL = "https://ms.example.org/handouts/rrms?lang=en&v=2"


@pytest.mark.parametrize("theme", ["standard", "large-print"])
def test_every_text_colour_has_7_to_1_contrast(theme: str) -> None:
    loaded = load_theme(theme, [builtin_dir("templates")])
    for style, text, background in loaded.text_colours():
        assert contrast_ratio(text, background) >= 7, f"{theme}:{style} {text} on {background}"


def test_contrast_ratio_matches_wcag_examples() -> None:
    assert round(contrast_ratio("#000000", "#FFFFFF"), 1) == 21.0
    assert round(contrast_ratio("#777777", "#FFFFFF"), 2) == 4.48


@pytest.mark.parametrize(("print_size", "smallest", "body"), [("standard", 10.5, 12), ("large", 18, 18)])
def test_smallest_character_per_theme(render: Render, print_size: str, smallest: float, body: float) -> None:
    chars = pdf_chars(render(type="rrms", print=print_size, notes=["Bring your diary."]))
    sizes = [round(c["size"], 1) for c in chars]
    assert min(sizes) >= smallest
    assert max(set(sizes), key=sizes.count) == body
    assert not any("Italic" in c["fontname"] or "Oblique" in c["fontname"] for c in chars)


def test_large_print_footer_is_body_size(render: Render) -> None:
    chars = pdf_chars(render(print="large"))
    footer = [c for c in chars if c["top"] > 700]
    assert footer
    assert min(c["size"] for c in footer) >= 18


@pytest.mark.parametrize("print_size", ["standard", "large"])
def test_lines_stay_near_70_characters(render: Render, print_size: str) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(render(print=print_size))) as pdf:
        lengths = [
            len(line["text"])
            for page in pdf.pages
            for half in (
                page.crop((0, 0, page.width / 2, page.height - 80)),  # one column at a time,
                page.crop((page.width / 2, 0, page.width, page.height - 80)),
            )  # no footer
            for line in half.extract_text_lines()
        ]
    assert max(lengths) <= 80
    assert sorted(lengths)[int(len(lengths) * 0.95)] <= 72


def test_large_print_reflows_rather_than_enlarges(render: Render) -> None:
    standard = pypdf.PdfReader(io.BytesIO(render(print="standard")))
    large = pypdf.PdfReader(io.BytesIO(render(print="large")))
    assert large.pages[0].mediabox == standard.pages[0].mediabox
    assert len(large.pages) > len(standard.pages)


def test_standard_offers_large_print_and_large_print_does_not(render: Render) -> None:
    assert "Large print and other languages are available" in pdf_text(render())
    assert "Large print and other languages are available" not in pdf_text(render(print="large"))


def test_key_points_box_opens_the_standard_handout(render: Render) -> None:
    text = pdf_text(render(type="ppms"))
    assert text.index("Key points") < text.index("What MS does")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("paper", "print_size"), list(itertools.product(["letter", "a4"], ["standard", "large"]))
)
def test_summary_is_one_page_for_every_combination(engine: Engine, paper: str, print_size: str) -> None:
    """Standard print: exactly one page. Large print: up to two (it never drops what matters to fit one)."""
    for type_, stage, audience in COMBINATIONS:
        spec = make_spec(
            type=type_, stage=stage, audience=audience, layout="summary", paper=paper, print=print_size
        )
        rendered = render_handout(spec, engine)
        assert rendered.pages == 1 if print_size == "standard" else rendered.pages <= 2, (
            type_,
            stage,
            audience,
        )
        text = pdf_text(rendered.pdf)
        parts = ("Key points", "Questions to ask", "When to call", "988", "1-800-344-4867")
        for part in (*parts, "My notes") if print_size == "standard" else parts:
            assert part in text, (part, type_, stage, audience, paper, print_size)


def test_summary_that_cannot_fit_says_how_to_fix(cli: Callable[..., object], tmp_path: Path) -> None:
    notes = [f"--note={'Long note. ' * 180}" for _ in range(8)]
    result = cli("build", "--layout", "summary", "--print", "large", *notes, "-o", str(tmp_path / "s.pdf"))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "must fit on 2 page(s)" in result.output  # type: ignore[attr-defined]
    assert not (tmp_path / "s.pdf").exists()


def test_question_fields_have_names_tooltips_and_lines(render: Render, engine: Engine) -> None:
    spec = make_spec(type="rrms")
    pdf = render_handout(spec, engine).pdf
    fields = pypdf.PdfReader(io.BytesIO(pdf)).get_fields() or {}
    library = engine.library("en")
    from handouts.content.selection import select_blocks

    questions = select_blocks(library, spec).questions
    expected = (
        {f"{q.id}-asked" for q in questions} | {f"{q.id}-answer" for q in questions} | {"other-questions"}
    )
    assert set(fields) == expected
    for question in questions:
        assert fields[f"{question.id}-asked"]["/TU"] == question.text
        assert question.text in fields[f"{question.id}-answer"]["/TU"]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        answer = next(
            a
            for p in doc.pages
            for a in p.obj.get("/Annots", [])
            if str(a.get("/T")) == f"{questions[0].id}-answer"
        )
        assert int(answer.Ff) & (1 << 12)  # multi-line
        assert doc.Root.AcroForm.DR.Font  # field font embedded, not a base-14 font
        font = next(iter(doc.Root.AcroForm.DR.Font.values()))
        assert "/FontFile2" in font.FontDescriptor


@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None, reason="zbar-tools, poppler"
)
def test_qr_code_decodes_to_exactly_the_url(render: Render, tmp_path: Path) -> None:
    pdf_path = tmp_path / "h.pdf"
    pdf_path.write_bytes(render(url=URL))
    text = pdf_text(pdf_path.read_bytes())
    assert "ms.example.org/handouts/rrms?lang=en&v=2" in text
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf_path), str(tmp_path / "page")], check=True)
    decoded = set()
    for page in sorted(tmp_path.glob("page-*.png")):
        result = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True, check=False
        )
        decoded.update(line for line in result.stdout.splitlines() if line)
    assert decoded == {URL}


def test_clinic_url_gives_qr_code_and_no_url_gives_none(render: Render) -> None:
    assert "Read this handout online" not in pdf_text(render())
    assert "Read this handout online" in pdf_text(render(clinic={"name": "Clinic", "url": URL}))


def test_provenance_in_footer_and_xmp(render: Render) -> None:
    pdf = render(type="cis")
    footer = re.search(r"Content ([0-9a-f]{10}), reviewed (\d{4}-\d{2}-\d{2}), handouts (\S+)", pdf_text(pdf))
    assert footer
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        meta = doc.open_metadata()
        assert meta["{urn:handouts:provenance:1.0}contentVersion"] == footer.group(1)
        assert meta["{urn:handouts:provenance:1.0}oldestReview"] == footer.group(2)
        assert meta["dc:title"] == "Clinically isolated syndrome (CIS)"
        assert doc.Root.ViewerPreferences.DisplayDocTitle


def test_content_version_changes_with_the_content(render: Render) -> None:
    def version(pdf: bytes) -> str:
        match = re.search(r"Content ([0-9a-f]{10})", pdf_text(pdf))
        assert match
        return match.group(1)

    assert version(render(type="rrms")) != version(render(type="ppms"))
