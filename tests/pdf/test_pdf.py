"""The PDF itself: text, pages, fonts, metadata, outline, fields, byte identity, qpdf validity."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable

import pypdf
import pytest

from ..conftest import pdf_chars, pdf_text

CORE_TOPICS = ("What MS does", "Medicines for MS", "Everyday steps that help", "Questions to ask")


@pytest.fixture(scope="module")
def default_pdf(render: Callable[..., bytes]) -> bytes:
    return render()


def test_default_handout_covers_the_core_topics(default_pdf: bytes) -> None:
    text = pdf_text(default_pdf)
    for topic in CORE_TOPICS:
        assert topic in text
    assert "does not replace advice from your own care team" in text
    assert "Page 1 of" in text


def test_every_font_is_embedded_truetype(default_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(default_pdf))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/TrueType"
            assert "/FontFile2" in font["/FontDescriptor"]
    assert b"Helvetica" not in default_pdf


def test_text_is_at_least_body_size_except_footer(default_pdf: bytes) -> None:
    sizes = [round(c["size"], 1) for c in pdf_chars(default_pdf)]
    assert min(sizes) >= 10.5
    body = [c for c in pdf_chars(default_pdf) if "Regular" in c["fontname"]]
    assert max(round(c["size"], 1) for c in body) >= 12.5


def test_no_italic_fonts(default_pdf: bytes) -> None:
    assert not any("Italic" in c["fontname"] for c in pdf_chars(default_pdf))


def test_metadata_language_and_outline(default_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(default_pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Living with multiple sclerosis (MS)"
    assert reader.metadata.subject
    assert reader.metadata.author
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    titles = [item.title for item in reader.outline]
    assert titles[0] == "What MS does"
    assert "Where this information comes from" in titles


@pytest.mark.parametrize(("paper", "size"), [("letter", (612, 792)), ("a4", (595.28, 841.89))])
def test_paper_size(render: Callable[..., bytes], paper: str, size: tuple[float, float]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(paper=paper)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == size


def test_same_spec_gives_identical_bytes(render: Callable[..., bytes]) -> None:
    assert render(type="rrms", notes=["Hello"]) == render(type="rrms", notes=["Hello"])


def test_rrms_and_ppms_say_different_things(render: Callable[..., bytes]) -> None:
    rrms, ppms = pdf_text(render(type="rrms")), pdf_text(render(type="ppms"))
    assert "Relapsing-remitting MS (RRMS)" in rrms
    assert "Primary progressive MS (PPMS)" in ppms
    rrms_sentences = set(rrms.split(". "))
    ppms_sentences = set(ppms.split(". "))
    assert len(rrms_sentences - ppms_sentences) > 10
    assert len(ppms_sentences - rrms_sentences) > 10


def test_hostile_text_in_every_user_field_prints_literally(render: Callable[..., bytes]) -> None:
    hostile = '<img src="/etc/passwd"/> & <font size=90>x</font> "q"'
    pdf = render(patient_name=hostile, notes=[hostile])
    text = pdf_text(pdf)
    assert text.count('<img src="/etc/passwd"/> & <font size=90>x</font> "q"') == 2
    assert max(c["size"] for c in pdf_chars(pdf)) < 40


def test_questions_are_fillable_fields_with_tooltips(default_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(default_pdf))
    fields = reader.get_fields() or {}
    checkboxes = [f for f in fields.values() if f.get("/FT") == "/Btn"]
    texts = [f for f in fields.values() if f.get("/FT") == "/Tx"]
    assert len(checkboxes) >= 6
    assert len(texts) == len(checkboxes) + 1
    assert all(f.get("/TU") for f in fields.values())


def test_no_fillable_means_no_fields(render: Callable[..., bytes]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(render(fillable=False)))
    assert not reader.get_fields()


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is installed by .ci/run")
def test_qpdf_finds_no_errors(default_pdf: bytes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "h.pdf"
    path.write_bytes(default_pdf)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
