"""Spanish handouts: catalogs, content parity, every combination built, no English left, dates, language tags, glyphs, fallback."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import itertools
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import textstat
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import Result
from reportlab.pdfbase.ttfonts import TTFontFile

from handouts.content.loader import load_library
from handouts.content.model import Library
from handouts.engine import Engine
from handouts.i18n import LOCALE_DIR, format_date
from handouts.render import render_handout
from handouts.vocabulary import AUDIENCES, STAGES, TYPES

from .conftest import FIXED_DATE, make_spec, pdf_chars, pdf_text

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = LOCALE_DIR / "es" / "LC_MESSAGES" / "handouts.po"
MO_FILE = PO_FILE.with_suffix(".mo")
COMBINATIONS = list(itertools.product(("general", *TYPES), STAGES, AUDIENCES))
LOOKS = [("standard", "standard"), ("standard", "large"), ("summary", "standard"), ("summary", "large")]
ENGLISH_WORDS = frozenset(
    {
        "the", "and", "with", "your", "you", "of", "is", "are", "to", "for", "what", "when", "how", "this",
        "that", "can", "not", "may", "will", "be", "it", "in", "on", "or", "from", "about", "ask", "call",
        "page", "printed", "only", "available",
    }
)  # fmt: skip
ENGLISH_SOURCE_NAMES = ("MS Plus", "MS Canada", "MS Trust", "TRAP-MS", "Verywell Health", "PubMed Central")


def spanish_catalog() -> dict[str, str]:
    with PO_FILE.open("rb") as handle:
        catalog = read_po(handle)
    return {str(m.id): str(m.string) for m in catalog if m.id and not m.fuzzy}


def extracted_msgids() -> set[str]:
    """Every string the templates and the code mark for translation, found as `pybabel extract` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return {str(message) for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map)}


def test_every_fixed_string_has_a_spanish_translation() -> None:
    catalog = spanish_catalog()
    missing = sorted(m for m in extracted_msgids() if not catalog.get(m))
    assert not missing, f"add these to {PO_FILE} (pybabel extract/update, then translate): {missing}"


def test_compiled_catalog_matches_the_po_file() -> None:
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = {k: v for k, v in spanish_catalog().items() if v}
    assert {m: compiled.gettext(m) for m in catalog} == catalog, (
        "run: pybabel compile -d handouts/locale -D handouts"
    )
    assert len(compiled._catalog) - 1 == len(catalog)  # type: ignore[attr-defined]  # minus the header


def test_spanish_dates() -> None:
    assert format_date(dt.date(2026, 11, 26), "es") == "26 de noviembre de 2026"
    assert format_date(dt.date(2026, 11, 26), "en") == "November 26, 2026"


@pytest.fixture(scope="module")
def libraries(engine: Engine) -> tuple[Library, Library]:
    return engine.library("en"), engine.library("es")


def test_every_english_block_and_question_has_a_spanish_one(libraries: tuple[Library, Library]) -> None:
    english, spanish = libraries
    assert sorted(spanish.blocks) == sorted(english.blocks)
    assert [q.id for q in spanish.questions] == [q.id for q in english.questions]
    assert spanish.topic_ids() == english.topic_ids()
    for question in english.questions:
        assert next(q for q in spanish.questions if q.id == question.id).tags == question.tags, question.id


def test_every_source_has_a_spanish_title(libraries: tuple[Library, Library]) -> None:
    english, spanish = libraries
    untranslated = [
        sid for sid, source in english.sources.items() if spanish.sources[sid].title == source.title
    ]
    assert not untranslated, "give these a Spanish title in content/es/sources.yaml"


def test_spanish_blocks_keep_the_english_tags_sources_and_facts(libraries: tuple[Library, Library]) -> None:
    english, spanish = libraries
    for block_id, en in english.blocks.items():
        es = spanish.blocks[block_id]
        assert (es.topic, es.order, es.tags, es.sources, es.facts) == (
            en.topic,
            en.order,
            en.tags,
            en.sources,
            en.facts,
        ), block_id
        assert (es.key_point is None) == (en.key_point is None), block_id
        assert es.reviewed >= en.reviewed, f"{block_id}: review the Spanish text against the newer English"


def test_spanish_blocks_read_fairly_easy(libraries: tuple[Library, Library]) -> None:
    _, spanish = libraries
    textstat.set_lang("es")
    try:
        for block in spanish.blocks.values():
            text = re.sub(r"\{%.*?%\}|[*>#]", "", block.body)
            assert textstat.fernandez_huerta(text) >= 70, block.id
            assert textstat.szigriszt_pazos(text) >= 65, block.id
    finally:
        textstat.set_lang("en")


@pytest.fixture(scope="module")
def spanish_pdfs(engine: Engine) -> dict[tuple[str, ...], bytes]:
    """Every type (with general) x stage x audience, in every layout and print size."""
    pdfs = {}
    for (layout, size), (type_, stage, audience) in itertools.product(LOOKS, COMBINATIONS):
        spec = make_spec(type=type_, stage=stage, audience=audience, language="es", layout=layout, print=size)
        pdfs[(layout, size, type_, stage, audience)] = render_handout(spec, engine).pdf
    return pdfs


@pytest.fixture(scope="module")
def spanish_texts(spanish_pdfs: dict[tuple[str, ...], bytes]) -> dict[tuple[str, ...], str]:
    return {key: pdf_text(pdf) for key, pdf in spanish_pdfs.items()}


def test_every_combination_builds_in_spanish(spanish_texts: dict[tuple[str, ...], str]) -> None:
    assert len(spanish_texts) == len(LOOKS) * 20
    for key, text in spanish_texts.items():
        assert "Página 1 de" in text, key
        assert "Impreso el 26 de noviembre de 2026" in text, key
        assert "(Solo disponible en inglés)" not in text, key


def test_no_english_is_left_in_spanish_handouts(spanish_texts: dict[tuple[str, ...], str]) -> None:
    english_strings = [m for m, t in spanish_catalog().items() if m != t and len(m) > 6]
    for key, text in spanish_texts.items():
        left = [s for s in english_strings if s.split("%")[0].split("{")[0].strip() in text]
        assert not left, (key, left)
        for name in ENGLISH_SOURCE_NAMES:
            text = text.replace(name, "")
        words = set(re.findall(r"\b[a-záéíóúüñ]+\b", text.lower()))
        assert not words & ENGLISH_WORDS, (key, sorted(words & ENGLISH_WORDS))
        assert not re.search(r"\bMS\b", text), key


def test_spanish_handout_language_is_tagged(spanish_pdfs: dict[tuple[str, ...], bytes]) -> None:
    for key in [k for k in spanish_pdfs if k[2:] == ("rrms", "established", "caregiver")]:
        with pikepdf.open(io.BytesIO(spanish_pdfs[key])) as pdf:
            assert pdf.Root.Lang == "es", key
            assert pdf.docinfo["/Keywords"] != "multiple sclerosis; patient information"
            with pdf.open_metadata() as meta:
                assert "es" in str(meta["dc:language"]), key


def test_field_tooltips_are_spanish(engine: Engine) -> None:
    pdf = render_handout(make_spec(language="es", type="rrms"), engine).pdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        tips = [str(a.TU) for page in doc.pages for a in page.get("/Annots", []) if "/TU" in a]
    assert any(t.startswith("Respuesta o notas: ¿") for t in tips)
    assert not any("Answer" in t for t in tips)


def font_cmaps(engine: Engine) -> dict[str, set[int]]:
    """Font name (as pdfplumber shows it, without subset prefix) -> code points with a glyph."""
    cmaps: dict[str, set[int]] = {}
    for theme in ("standard", "large-print"):
        for path in engine.theme(theme).font_paths.values():
            font = TTFontFile(str(path))
            cmaps[font.name.decode() if isinstance(font.name, bytes) else str(font.name)] = set(
                font.charToGlyph
            )
    return cmaps


def test_every_printed_character_has_a_glyph(
    engine: Engine, spanish_pdfs: dict[tuple[str, ...], bytes]
) -> None:
    cmaps = font_cmaps(engine)
    for key in [
        k
        for k in spanish_pdfs
        if k[2:] in (("general", "established", "patient"), ("ppms", "newly-diagnosed", "caregiver"))
    ]:
        for char in pdf_chars(spanish_pdfs[key]):
            font = char["fontname"].split("+")[-1]
            assert font in cmaps, (key, font)
            for ch in char["text"]:
                assert ord(ch) in cmaps[font], (key, font, ch)


def spanish_strings(library: Library) -> Iterator[str]:
    yield from spanish_catalog().values()
    for block in library.blocks.values():
        yield from (block.title, block.key_point or "", block.body)
    yield from (q.text for q in library.questions)
    yield from (f"{t.term} {t.definition}" for t in library.glossary)
    yield from (t.title for t in library.topics)
    yield from (f"{s.title} {s.publisher}" for s in library.sources.values())


def test_every_spanish_character_has_a_glyph_in_every_theme_font(
    engine: Engine, libraries: tuple[Library, Library]
) -> None:
    used = {ch for text in spanish_strings(libraries[1]) for ch in text if not ch.isspace()}
    assert {"á", "é", "í", "ó", "ú", "ñ", "¿"} <= used
    for font, cmap in font_cmaps(engine).items():
        assert not sorted(ch for ch in used if ord(ch) not in cmap), font


@pytest.fixture
def org_content(tmp_path: Path) -> Path:
    """An organisation's directory with one English block and one English question, not translated."""
    block = tmp_path / "en" / "about-ms" / "local-support.md"
    block.parent.mkdir(parents=True)
    block.write_text(
        "---\nid: local-support\ntitle: Local support\ntopic: about-ms\ntypes: [any]\nstages: [any]\n"
        "audiences: [any]\nsources: [nmss-types]\nreviewed: 2026-11-26\nreview_due: 2027-11-26\n---\n"
        "Our support group meets every month.\n",
        encoding="utf-8",
    )
    (tmp_path / "en" / "questions.yaml").write_text(
        "- id: q-local-group\n  text: Where does the local group meet?\n  types: [any]\n", encoding="utf-8"
    )
    return tmp_path


def test_missing_translation_is_an_error_naming_the_file(
    cli: Callable[..., Result], org_content: Path
) -> None:
    result = cli("build", "--language", "es", "--content-dir", str(org_content), "-o", "-")
    assert result.exit_code == 1
    where = org_content / "es"
    assert result.output.startswith("Error: ")
    assert "problems in the Spanish content:" in result.output
    assert (
        f"{where}: block 'local-support' has no Spanish translation "
        f"(add {where / 'about-ms' / 'local-support.md'}, or pass --allow-fallback)"
    ) in result.output
    assert (
        f"{where}: question 'q-local-group' has no Spanish translation "
        f"(add it to {where / 'questions.yaml'}, or pass --allow-fallback)"
    ) in result.output
    assert "Traceback" not in result.output


def test_allow_fallback_marks_the_english_block(cli: Callable[..., Result], org_content: Path) -> None:
    result = cli(
        "build", "--language", "es", "--allow-fallback", "--content-dir", str(org_content), "-o", "-",
        "--date", FIXED_DATE.isoformat(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = pdf_text(result.stdout_bytes)
    assert "(Solo disponible en inglés) Our support group meets every month." in text
    assert "(Solo disponible en inglés) Where does the local group meet?" in text


def test_allow_fallback_from_a_spec_file(
    cli: Callable[..., Result], org_content: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("language: es\nallow_fallback: true\n", encoding="utf-8")
    result = cli("build", "--spec", str(spec), "--content-dir", str(org_content), "--emit", "xml")
    assert result.exit_code == 0, result.output
    assert '<handout lang="es"' in result.output
    assert "<b>(Solo disponible en inglés)</b>" in result.output


def test_english_handouts_need_no_translation(cli: Callable[..., Result], org_content: Path) -> None:
    result = cli("build", "--content-dir", str(org_content), "--emit", "xml")
    assert result.exit_code == 0, result.output
    assert "Our support group meets every month." in result.output
    assert "Solo disponible" not in result.output


def test_a_translated_block_stands_in_for_the_english_one(org_content: Path) -> None:
    spanish = org_content / "es" / "about-ms" / "local-support.md"
    spanish.parent.mkdir(parents=True)
    english = (org_content / "en" / "about-ms" / "local-support.md").read_text(encoding="utf-8")
    spanish.write_text(
        english.replace("Local support", "Apoyo local").replace(
            "Our support group meets every month.", "Nuestro grupo de apoyo se reúne cada mes."
        ),
        encoding="utf-8",
    )
    engine = Engine.from_dirs([org_content])
    spec: Any = make_spec(language="es", allow_fallback=True)
    text = pdf_text(render_handout(spec, engine).pdf)
    assert "Nuestro grupo de apoyo se reúne cada mes." in text
    assert "Our support group" not in text
    assert load_library(engine.content_dirs, "es").blocks["local-support"].title == "Apoyo local"


def test_unpacked_wheel_prints_spanish(tmp_path: Path) -> None:
    """The wheel ships the compiled catalog and content/es, so an installed copy needs no build step."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {built.stderr.strip()[-200:]}")
    wheel = next(tmp_path.glob("handouts-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "handouts" / "locale" / "es" / "LC_MESSAGES" / "handouts.mo").is_file()
    assert (site / "handouts" / "_data" / "content" / "es" / "topics.yaml").is_file()
    script = (
        "import runpy, sys, handouts.i18n; print(handouts.i18n.LOCALE_DIR, file=sys.stderr); "
        "sys.argv = ['handouts', 'build', '--language', 'es', '--emit', 'xml']; runpy.run_module('handouts', run_name='__main__')"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert str(site) in shown.stderr  # the unpacked wheel, not the checkout
    assert 'page-label="Página {page} de"' in shown.stdout
