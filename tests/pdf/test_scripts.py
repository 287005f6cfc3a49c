"""Names and notes in any script: printed in a font that has them, read back exactly, refused without echo."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from handouts.engine import Engine
from handouts.pdf.scripts import FALLBACKS, font_runs, text_markup, theme_coverage
from handouts.render import render_handout

from ..conftest import make_spec
from ..pdfcheck import check_tagged_pdf
from .wordcheck import run_together

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is installed by .ci/run"
)
ENGINE = Engine.from_dirs()
NAMES = {
    "vietnamese": "Nguyễn Thị Hương",
    "yoruba": "Ọkọnkwọ Adébáyọ̀",
    "polish": "Łucja Wróblewska",
    "greek": "Ζωή Παπαδοπούλου",
    "cyrillic": "Ольга Смирнова",
    "chinese": "王小明",
    "japanese": "田中さくら",
    "korean": "김민준",
    "arabic": "محمد علي",
    "hebrew": "יעל כהן",
}
FONT_OF = {
    "vietnamese": "NotoSans",
    "yoruba": "NotoSans",
    "polish": "",  # Atkinson Hyperlegible has Polish letters
    "greek": "NotoSans",
    "cyrillic": "NotoSans",
    "chinese": "WenQuanYiMicroHei",
    "japanese": "WenQuanYiMicroHei",
    "korean": "WenQuanYiMicroHei",
    "arabic": "NotoSansArabic",
    "hebrew": "NotoSansHebrew",
}
UNPRINTABLE = "Ana \u2603\u2603 Ruiz"  # two snowmen: no bundled font has them
Cli = Callable[..., Result]


@cache
def build(**values: Any) -> bytes:
    return render_handout(make_spec(layout="summary", **values), ENGINE).pdf


def page_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def fonts(pdf: bytes, tmp_path: Path) -> set[str]:
    """Embedded font names without the subset prefix, read with poppler's pdffonts."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}


@needs_poppler
@pytest.mark.parametrize("script", NAMES)
def test_a_name_in_any_script_reads_back_from_the_page(script: str, tmp_path: Path) -> None:
    pdf = build(patient_name=NAMES[script])
    assert NAMES[script] in page_text(pdf, tmp_path)
    assert check_tagged_pdf(pdf) == []
    families = {name.split("-")[0] for name in fonts(pdf, tmp_path)}
    assert families - {"AtkinsonHyperlegible"} == ({FONT_OF[script]} if FONT_OF[script] else set())


@needs_poppler
@pytest.mark.parametrize("script", ["arabic", "hebrew", "chinese", "greek"])
def test_untagged_handouts_read_back_too(script: str, tmp_path: Path) -> None:
    assert NAMES[script] in page_text(build(patient_name=NAMES[script], tags=False), tmp_path)


@needs_poppler
def test_a_decomposed_name_is_printed_as_composed_letters(tmp_path: Path) -> None:
    typed = unicodedata.normalize("NFD", "Zoë Müller")
    assert typed != "Zoë Müller"
    assert make_spec(patient_name=typed).patient_name == "Zoë Müller"
    assert "Zoë Müller" in page_text(build(patient_name=typed), tmp_path)


@needs_poppler
def test_notes_mixing_scripts_read_back_with_their_words(tmp_path: Path) -> None:
    notes = ("Bring the letter for 王小明 and Ольга.", "Speak with יעל כהן about the scan on Monday.")
    pdf = build(notes=notes)
    text = " ".join(page_text(pdf, tmp_path).split())
    assert "王小明" in text
    assert "Ольга." in text
    assert "יעל כהן" in text
    path = tmp_path / "notes.pdf"
    path.write_bytes(pdf)
    # poppler's structure text gives a right-to-left run's glyphs in drawing order (it does not read
    # /ActualText there), so only the left-to-right words are compared.
    assert [
        word
        for word in run_together(path)
        if not any(unicodedata.bidirectional(c) in ("R", "AL") for c in word)
    ] == []


@needs_poppler
def test_a_bold_name_stays_bold_in_a_fallback_font(tmp_path: Path) -> None:
    assert "NotoSans-Bold" in fonts(build(patient_name=NAMES["vietnamese"]), tmp_path)


@needs_poppler
def test_fallback_fonts_are_embedded_only_when_a_run_needs_them(tmp_path: Path) -> None:
    assert fonts(build(), tmp_path) == {"AtkinsonHyperlegible-Regular", "AtkinsonHyperlegible-Bold"}
    assert fonts(build(patient_name="Łucja"), tmp_path) == {
        "AtkinsonHyperlegible-Regular",
        "AtkinsonHyperlegible-Bold",
    }


def test_text_the_theme_font_covers_is_left_as_it_was() -> None:
    primary = theme_coverage(ENGINE.theme("standard").font_paths.values())
    assert text_markup("Tom & Jerry <3", primary) == "Tom &amp; Jerry &lt;3"
    runs = font_runs("Dr Ζωή & 王 Li", primary)
    assert [(run.font.family if run.font else "", run.text) for run in runs] == [
        ("", "Dr "),
        ("NotoSans", "Ζωή"),
        ("", " & "),
        ("WenQuanYiMicroHei", "王"),
        ("", " Li"),
    ]
    assert [f.family for f in FALLBACKS] == [
        "NotoSans",
        "NotoSansArabic",
        "NotoSansHebrew",
        "WenQuanYiMicroHei",
    ]


def test_an_unprintable_character_is_counted_never_shown(cli: Cli, tmp_path: Path) -> None:
    result = cli("build", "--patient-name", UNPRINTABLE, "--note", "ok \u2603", "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert "patient_name: 2 characters cannot be printed in any of the handout's fonts" in result.output
    assert "notes: 1 character cannot be printed" in result.output
    for shown in ("Ana", "Ruiz", "\u2603", "U+2603", "2603"):
        assert shown not in result.output
    assert list(tmp_path.iterdir()) == []


def test_batch_dry_run_finds_unprintable_rows_and_the_report_never_names_them(
    cli: Cli, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"id,type,patient_name\n1,rrms,{UNPRINTABLE}\n2,rrms,王小明\n", encoding="utf-8")
    dry = cli("batch", str(manifest), "-o", str(tmp_path / "out"), "--dry-run")
    assert dry.exit_code == 1
    assert "m.csv:2: patient_name: 2 characters cannot be printed" in dry.output
    assert "render" in dry.output
    real = cli("batch", str(manifest), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert real.exit_code == 1
    report = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("report.*"))
    assert "2 characters cannot be printed" in report
    for text in (dry.output, real.output, report):
        assert "Ana" not in text
        assert "Ruiz" not in text
        assert "\u2603" not in text


def test_a_right_to_left_name_gives_the_same_bytes_whatever_was_printed_before() -> None:
    name = "مُحَمَّد علي"
    first = render_handout(make_spec(layout="summary", patient_name=name), ENGINE).pdf
    for other in ("فاطمة الزهراء", "ﷲ", "יעל כהן"):
        render_handout(make_spec(layout="summary", patient_name=other), ENGINE)
    assert render_handout(make_spec(layout="summary", patient_name=name), ENGINE).pdf == first


LONG_NOTES = (
    "يرجى إحضار نتائج الفحص وقائمة بجميع الأدوية التي تتناولها إلى الموعد القادم، واتصل بنا إذا استمر الخدر أكثر من 24 ساعة.",
    "נא להביא את תוצאות הבדיקה ורשימה של כל התרופות שאתם נוטלים לפגישה הבאה, והתקשרו אלינו אם הנימול נמשך יותר מיום.",
)


@needs_poppler
@pytest.mark.parametrize("tags", [True, False])
def test_a_note_written_right_to_left_wraps_into_lines_that_read_in_order(tags: bool, tmp_path: Path) -> None:
    pdf = render_handout(make_spec(notes=LONG_NOTES, tags=tags), ENGINE).pdf
    text = page_text(pdf, tmp_path).translate(dict.fromkeys(range(0x202A, 0x202F), " "))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "يرجى إحضار نتائج الفحص وقائمة بجميع الأدوية" in lines  # the note's first line, in reading order
    words = set(text.split())
    for note in LONG_NOTES:
        assert {word.strip(".,،") for word in note.split()} <= {word.strip(".,،") for word in words}
    if tags:
        assert check_tagged_pdf(pdf) == []
