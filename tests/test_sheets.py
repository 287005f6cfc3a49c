"""Topic sheets: loading, selection, the sheet layout, packs printed as one document, and their errors."""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest
from click.testing import Result

from handouts.content.loader import load_library
from handouts.content.sheets import select_sheet
from handouts.engine import Engine
from handouts.errors import ContentError, SpecError
from handouts.layout.pack import unique_field_names
from handouts.layout.sheets import render_sheet_xml
from handouts.paths import builtin_dir
from handouts.render import handout_xml, render_handout
from handouts.xmltree import parse_handout_xml

from .conftest import FIXTURES, make_spec, pdf_text
from .pdfcheck import check_tagged_pdf, walk_structure

Cli = Callable[..., Result]
SHEETS = FIXTURES / "sheets"


@pytest.fixture(scope="module")
def sheet_engine() -> Engine:
    """The built-in library with the fixture sheet `sample` layered on top."""
    return Engine.from_dirs((SHEETS,))


def render(engine: Engine, **values: Any) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(render_handout(make_spec(**values), engine).pdf))


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page number) for every bookmark, in order."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, str(item.title), reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


# --- loading -------------------------------------------------------------------------------------------


def test_sheet_loads_with_blocks_in_order_and_its_own_questions(sheet_engine: Engine) -> None:
    sheet = sheet_engine.library("en").sheets["sample"]
    assert (sheet.title, sheet.subtitle) == ("Rest and MS", "Small steps that help on hard days")
    assert sheet.facts == ("F-SYM-07",)
    assert [b.id for b in sheet.blocks] == [
        "sample-what-it-is", "sample-plan", "sample-cool", "sample-when-to-call",
    ]  # fmt: skip
    assert {q.id for q in sheet.questions} == {
        "q-sample-rest", "q-sample-help", "q-sample-care-rest", "q-sample-care-signs",
    }  # fmt: skip
    library = sheet_engine.library("en")
    assert not {b.id for b in sheet.blocks} & set(library.blocks)
    assert not {q.id for q in sheet.questions} & {q.id for q in library.questions}


def test_later_content_directory_overrides_a_sheet_block(tmp_path: Path) -> None:
    override = tmp_path / "en" / "sheets" / "sample"
    override.mkdir(parents=True)
    text = (SHEETS / "en/sheets/sample/sample-cool.md").read_text()
    (override / "sample-cool.md").write_text(text.replace('title: "Keep cool"', 'title: "Stay cool"'))
    library = load_library([builtin_dir("content"), SHEETS, tmp_path], "en")
    sheet = library.sheets["sample"]
    assert [b.title for b in sheet.blocks if b.id == "sample-cool"] == ["Stay cool"]
    assert len(sheet.blocks) == 4


def broken_sheet(tmp_path: Path) -> Path:
    folder = tmp_path / "en" / "sheets" / "sample"
    shutil.copytree(SHEETS / "en/sheets/sample", folder)
    (folder / "sheet.yaml").write_text("id: other\ntitle: Rest\ncolour: red\n")
    block = (folder / "sample-plan.md").read_text()
    (folder / "plan.md").write_text(block.replace("id: sample-plan", "id: plan"))
    (folder / "sample-plan.md").unlink()
    (folder / "questions.yaml").write_text("- id: q-rest\n  text: How much rest?\n")
    return tmp_path


def test_every_sheet_problem_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as raised:
        load_library([builtin_dir("content"), broken_sheet(tmp_path)], "en")
    message = raised.value.message
    assert "unknown key 'colour'" in message
    assert "id 'other' must equal the folder name 'sample'" in message
    assert "block id 'plan' must start with the sheet id 'sample-'" in message
    assert "question id 'q-rest' must start with 'q-sample-'" in message


def test_sheet_folder_without_sheet_yaml_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "en" / "sheets" / "lonely"
    folder.mkdir(parents=True)
    (folder / "questions.yaml").write_text("[]\n")
    with pytest.raises(ContentError, match=r"sheet folder 'lonely' has no sheet\.yaml"):
        load_library([builtin_dir("content"), tmp_path], "en")


# --- selection: questions belong to their part ---------------------------------------------------------


@pytest.mark.parametrize("audience", ["patient", "caregiver"])
def test_sheet_selects_its_own_questions_for_the_audience(sheet_engine: Engine, audience: str) -> None:
    sheet = sheet_engine.library("en").sheets["sample"]
    chosen = {q.id for q in select_sheet(sheet, make_spec(audience=audience)).questions}
    expected = {"q-sample-rest", "q-sample-help"} if audience == "patient" else {
        "q-sample-care-rest", "q-sample-care-signs",
    }  # fmt: skip
    assert chosen == expected


def test_questions_never_cross_parts(sheet_engine: Engine) -> None:
    spec = make_spec(sheets=["sample"])
    parts = parse_pack(handout_xml(spec, sheet_engine))
    core_ids = {q.attrs["id"] for q in questions_of(parts[0])}
    sheet_ids = {q.attrs["id"] for q in questions_of(parts[1])}
    assert core_ids
    assert sheet_ids
    assert not any(i.startswith("q-sample-") for i in core_ids)
    assert all(i.startswith("q-sample-") for i in sheet_ids)
    alone = parse_handout_xml(handout_xml(make_spec(), sheet_engine), "core")
    assert {q.attrs["id"] for q in questions_of(alone)} == core_ids


def parse_pack(xml: str) -> list[Any]:
    assert xml.startswith("<pack ")
    assert xml.rstrip().endswith("</pack>")
    body = xml[xml.index(">") + 1 : xml.rindex("</pack>")]
    chunks = [c for c in body.split("</handout>") if c.strip()]
    return [parse_handout_xml(c.strip() + "</handout>", "pack part") for c in chunks]


def questions_of(node: Any) -> list[Any]:
    found = [node] if node.tag == "question" else []
    for child in node.elements():
        found += questions_of(child)
    return found


# --- the pack as one document --------------------------------------------------------------------------


def test_pack_xml_has_one_handout_per_part(cli: Cli) -> None:
    result = cli("build", "--content-dir", str(SHEETS), "--sheets", "sample", "--emit", "xml")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        '<pack lang="en-US" title="Living with multiple sclerosis (MS) + Rest and MS">'
    )
    assert result.output.count("<handout ") == 2
    assert result.output.rstrip().endswith("</handout>\n</pack>")


def test_pack_pages_outline_and_title(sheet_engine: Engine) -> None:
    core = render(sheet_engine)
    pack = render(sheet_engine, sheets=["sample"])
    core_pages = len(core.pages)
    assert len(pack.pages) == core_pages + 1
    texts = page_texts(pack)
    assert "Rest and MS Small steps" in texts[core_pages]
    assert f"Page {core_pages + 1} of {core_pages + 1}" in texts[core_pages]
    assert f"Page 1 of {core_pages + 1}" in texts[0]
    assert pack.metadata.title == "Living with multiple sclerosis (MS) + Rest and MS"
    marks = outline(pack)
    tops = [(title, page) for level, title, page in marks if level == 0]
    assert tops == [("Living with multiple sclerosis (MS)", 1), ("Rest and MS", core_pages + 1)]
    sheet_sections = [title for level, title, page in marks if level == 1 and page == core_pages + 1]
    assert sheet_sections[:3] == ["What it is", "Plan your day", "Keep cool"]
    assert "When to call your MS team" in sheet_sections
    core_sections = [title for level, title, _ in outline(core)]
    assert [title for level, title, page in marks if level == 1][: len(core_sections)] == core_sections


def test_pack_field_names_are_unique_and_cover_every_part(sheet_engine: Engine) -> None:
    core = render(sheet_engine)
    pack = render(sheet_engine, sheets=["sample"])
    names = list(pack.get_fields() or {})
    assert len(names) == len(set(names))
    assert set(core.get_fields() or {}) < set(names)
    assert {"q-sample-rest-asked", "q-sample-rest-answer"} <= set(names)


def test_a_name_taken_by_an_earlier_part_gets_the_part_id() -> None:
    first = parse_handout_xml(
        '<handout><write-in name="notes"/><checklist><question id="q-a">A</question></checklist></handout>',
        "a",
    )
    second = parse_handout_xml(
        '<handout><write-in name="notes"/><checklist><question id="q-a">A</question></checklist></handout>',
        "b",
    )
    unique_field_names([("core", first), ("sample", second)])
    assert [n.attrs for n in second.elements()[:1]] == [{"name": "sample-notes"}]
    assert second.elements()[1].elements()[0].attrs["id"] == "sample-q-a"
    assert first.elements()[0].attrs == {"name": "notes"}


def test_pack_is_one_valid_tagged_document(sheet_engine: Engine, tmp_path: Path) -> None:
    pdf = render_handout(make_spec(sheets=["sample"], duplex=True, sections=["about-ms"]), sheet_engine).pdf
    assert check_tagged_pdf(pdf) == []
    (tmp_path / "pack.pdf").write_bytes(pdf)
    checked = subprocess.run(
        ["qpdf", "--check", str(tmp_path / "pack.pdf")], capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stdout.decode()[-400:]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    fonts = {f for page in reader.pages for f in page_fonts(page)}
    assert fonts
    assert all(embedded for _, embedded in fonts)


def page_fonts(page: Any) -> set[tuple[str, bool]]:
    found = set()
    for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
        font = font.get_object()
        descendants = font.get("/DescendantFonts")
        described = descendants[0].get_object() if descendants else font
        descriptor = described.get("/FontDescriptor")
        embedded = bool(descriptor) and any(
            k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        found.add((str(font.get("/BaseFont")), embedded))
    return found


def test_duplex_starts_each_part_on_an_odd_page(sheet_engine: Engine) -> None:
    plain = render(sheet_engine, sections=["about-ms"], sheets=["sample"])
    duplex = render(sheet_engine, sections=["about-ms"], sheets=["sample"], duplex=True)
    assert len(plain.pages) == 2  # one page of core, the sheet on page 2
    assert len(duplex.pages) == 3
    texts = page_texts(duplex)
    assert "Rest and MS" not in texts[1]
    assert "Page 2 of 3" in texts[1]
    assert "Rest and MS Small steps" in texts[2]
    assert [(t, p) for lvl, t, p in outline(duplex) if lvl == 0][1] == ("Rest and MS", 3)


def test_sheets_only_prints_just_the_sheet(sheet_engine: Engine) -> None:
    reader = render(sheet_engine, sheets=["sample"], sheets_only=True, notes=["Rest after lunch."])
    assert len(reader.pages) == 1
    text = page_texts(reader)[0]
    assert "Rest and MS Small steps" in text
    assert "Rest after lunch." in text
    assert reader.metadata.title == "Rest and MS"
    assert next(t for _, t, _ in outline(reader)) == "What it is"


def test_notes_print_once_in_a_pack(sheet_engine: Engine) -> None:
    reader = render(sheet_engine, sheets=["sample"], notes=["Rest after lunch."])
    assert sum(text.count("Rest after lunch.") for text in page_texts(reader)) == 1


def help_text(engine: Engine, **values: Any) -> str:
    sheet = parse_handout_xml(
        handout_xml(make_spec(sheets=["sample"], sheets_only=True, **values), engine), "s"
    )
    return next(n for n in _walk(sheet) if n.tag == "section" and n.attrs["id"] == "sample-help").text()


def help_block(folder: Path, audiences: str) -> Path:
    help_dir = folder / "en" / "when-to-call"
    help_dir.mkdir(parents=True)
    (help_dir / "getting-help.md").write_text(
        "---\nid: getting-help\ntitle: Where to get help\ntopic: when-to-call\norder: 30\n"
        f"types: [any]\nstages: [any]\naudiences: [{audiences}]\nsources: [nmss-types]\n"
        "reviewed: 2026-11-29\nreview_due: 2027-11-29\n---\nCall the helpline on 555 0199.\n"
    )
    return folder


def test_where_to_get_help_reuses_the_handouts_help_block(sheet_engine: Engine, tmp_path: Path) -> None:
    assert "The MS team" in help_text(sheet_engine)
    assert "call 911" in help_text(sheet_engine, country="US")
    assert "999" in help_text(sheet_engine, country="GB")
    engine = Engine.from_dirs((SHEETS, help_block(tmp_path / "any", "any")))
    assert "Call the helpline on 555 0199." in help_text(engine)
    sheet = parse_handout_xml(handout_xml(make_spec(sheets=["sample"], sheets_only=True), engine), "sheet")
    assert "Types of MS" in next(n for n in _walk(sheet) if n.tag == "sources").text()
    carers_only = Engine.from_dirs((SHEETS, help_block(tmp_path / "carers", "caregiver")))
    assert "Your MS team can tell you about support near you" in help_text(carers_only)


def test_spanish_sheet_and_missing_translation(sheet_engine: Engine, tmp_path: Path) -> None:
    reader = render(sheet_engine, language="es", sheets=["sample"], sheets_only=True)
    assert "El descanso y la EM" in page_texts(reader)[0]
    only_english = tmp_path / "content"
    shutil.copytree(SHEETS / "en", only_english / "en")
    engine = Engine.from_dirs((only_english,))
    with pytest.raises(ContentError, match="sheet 'sample' has no Spanish translation"):
        render(engine, language="es", sheets=["sample"], sheets_only=True)
    marked = page_texts(
        render(engine, language="es", sheets=["sample"], sheets_only=True, allow_fallback=True)
    )
    assert "(Solo disponible en inglés)" in " ".join(marked)


# --- front doors and errors ----------------------------------------------------------------------------


def test_unknown_sheet_is_one_line_listing_the_valid_ones(cli: Cli) -> None:
    result = cli("build", "--content-dir", str(SHEETS), "--sheets", "sample,tiredness", "-o", "x.pdf")
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "unknown sheet 'tiredness' (available sheets: " in lines[0]
    assert "sample" in lines[0]
    assert not Path("x.pdf").exists()


def test_sheets_only_without_sheets_is_refused() -> None:
    with pytest.raises(SpecError, match="sheets_only: is true but no sheets are given"):
        make_spec(sheets_only=True)


def test_layout_sheet_is_refused_for_the_core_handout() -> None:
    with pytest.raises(SpecError, match="ask for sheets with `sheets` instead"):
        make_spec(layout="sheet")


def test_spec_file_takes_sheets_and_sheets_only(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("sheets: [sample]\nsheets_only: true\ndate: 2026-11-26\n")
    out = tmp_path / "sheet.pdf"
    result = cli("build", "--content-dir", str(SHEETS), "--spec", str(spec), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Rest and MS Small steps" in pdf_text(out.read_bytes())


def test_list_shows_every_sheet_with_title_and_languages(cli: Cli) -> None:
    result = cli("list", "--content-dir", str(SHEETS))
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.strip().startswith("sample"))
    assert "Rest and MS" in line
    assert line.rstrip().endswith("en, es")


# --- budget: every sheet, language, paper and print size ------------------------------------------------

TAILORINGS = [
    {"type": t, "stage": s, "audience": a}
    for t in ("general", "cis", "rrms", "spms", "ppms")
    for s in ("newly-diagnosed", "established")
    for a in ("patient", "caregiver")
]
BUDGET = {"standard": 2, "large": 4}


def every_sheet() -> list[tuple[str, str]]:
    """(sheet id, language) for every sheet of the built-in library and the fixture."""
    engine = Engine.from_dirs((SHEETS,))
    return [(sheet_id, language) for language in ("en", "es") for sheet_id in engine.library(language).sheets]


def sheet_pages(engine: Engine, sheet_id: str, language: str, paper: str, size: str, **tailoring: Any) -> int:
    spec = make_spec(
        sheets=[sheet_id], sheets_only=True, language=language, paper=paper, print=size, **tailoring
    )
    return render_handout(spec, engine).pages


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("size", ["standard", "large"])
def test_sample_sheet_within_budget(sheet_engine: Engine, paper: str, size: str) -> None:
    assert sheet_pages(sheet_engine, "sample", "en", paper, size) <= BUDGET[size]


@pytest.mark.slow
@pytest.mark.parametrize(("sheet_id", "language"), every_sheet())
def test_every_sheet_within_budget_for_every_tailoring(
    sheet_engine: Engine, sheet_id: str, language: str
) -> None:
    """2 pages in standard print, 4 in large, on Letter and A4, for all 20 tailorings."""
    over = []
    for paper, size in itertools.product(("letter", "a4"), ("standard", "large")):
        for tailoring in TAILORINGS:
            pages = sheet_pages(sheet_engine, sheet_id, language, paper, size, **tailoring)
            if pages > BUDGET[size]:
                over.append(f"{paper}/{size}/{'/'.join(tailoring.values())}: {pages} pages")
    assert over == []


# --- handouts check ------------------------------------------------------------------------------------


def test_check_passes_the_fixture_sheet(cli: Cli) -> None:
    result = cli("check", "--content-dir", str(SHEETS), "--date", "2026-11-29", "--format", "json")
    report = json.loads(result.output)
    assert [p for p in report["problems"] if "fixtures/sheets" in p["path"]] == []
    assert {"sample-what-it-is", "sample-plan", "sample-cool", "sample-when-to-call"} <= {
        b["id"] for b in report["blocks"] if b["language"] == "en"
    }


def test_check_covers_sheets_like_core_blocks(cli: Cli, tmp_path: Path) -> None:
    shutil.copytree(SHEETS / "en", tmp_path / "en")
    folder = tmp_path / "en" / "sheets" / "sample"
    cool = folder / "sample-cool.md"
    cool.write_text(
        cool.read_text().replace(
            "A cool drink or a fan can help.", "A fan is a breakthrough for 85% of people."
        )
    )
    what = folder / "sample-what-it-is.md"
    what.write_text(
        what.read_text().replace('{% if audience == "caregiver" %}', '{% if audiance == "caregiver" %}')
    )
    (folder / "sample-when-to-call.md").unlink()
    questions = folder / "questions.yaml"
    questions.write_text(questions.read_text().split("- id: q-sample-care-signs")[0])
    result = cli("check", "--content-dir", str(tmp_path), "--date", "2026-11-29")
    assert result.exit_code == 1
    out = result.output
    assert "sample-cool.md:14: error: 'breakthrough' is on the list of words to avoid" in out
    assert "sample-cool.md:14: error: bare percentage '85%'" in out
    assert "sample-what-it-is.md:15: error: Jinja2 error: 'audiance' is undefined" in out
    assert "sheet.yaml:1: error: sheet 'sample' has no block 'sample-when-to-call'" in out
    assert "warning: sheet 'sample' en general/newly-diagnosed/caregiver prints 1 questions" in out
    assert "warning: sheet 'sample' has no Spanish translation" in out


def test_check_reports_an_overdue_sheet_block(cli: Cli) -> None:
    result = cli("check", "--content-dir", str(SHEETS), "--date", "2028-01-01")
    assert "sample-plan.md:13: error: review was due on 2027-11-29" in result.output


def test_squeezed_sheet_gives_up_answer_lines_then_key_points(sheet_engine: Engine) -> None:
    spec = make_spec()
    library, dirs = sheet_engine.library("en"), sheet_engine.templates_dirs
    roots = [
        parse_handout_xml(render_sheet_xml(spec, library, None, "sample", dirs, s), "sheet") for s in range(4)
    ]
    assert roots[0].attrs["max-pages"] == "2"
    lines = [next(n for n in _walk(r) if n.tag == "checklist").attrs["lines"] for r in roots]
    points = [len(next(n for n in _walk(r) if n.tag == "callout").elements()[0].elements()) for r in roots]
    assert lines == ["1", "0", "0", "0"]
    assert points == [3, 3, 3, 2]
    large = parse_handout_xml(
        render_sheet_xml(make_spec(print="large"), library, None, "sample", dirs), "sheet"
    )
    assert large.attrs["max-pages"] == "4"


def _walk(node: Any) -> list[Any]:
    found = [node]
    for child in node.elements():
        found += _walk(child)
    return found


def test_each_part_of_a_pack_is_a_part_element(sheet_engine: Engine) -> None:
    pdf = render_handout(make_spec(sheets=["sample"], sections=["about-ms"]), sheet_engine).pdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        document = doc.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        kids = [k for k in document.K if isinstance(k, pikepdf.Dictionary)]
        assert [str(k.S) for k in kids] == ["/Part", "/Part"]
        assert walk_structure(doc).problems == []


def test_a_sheet_prints_at_most_four_sources_most_cited_first(tmp_path: Path) -> None:
    shutil.copytree(SHEETS / "en", tmp_path / "en")
    folder = tmp_path / "en" / "sheets" / "sample"
    cited = {
        "sample-what-it-is": "[nmss-types, nice-ng220]",
        "sample-plan": "[nmss-spms-transition, kalb-2020, nice-ng220]",
        "sample-cool": "[nmss-disease-modification, de-giglio-2018]",
        "sample-when-to-call": "[nmss-stem-cell-clinics, kalb-2020]",
    }
    for block_id, sources in cited.items():
        path = folder / f"{block_id}.md"
        path.write_text(path.read_text().replace("sources: [msplus-relapse]", f"sources: {sources}"))
    library = load_library([builtin_dir("content"), tmp_path], "en")
    xml = render_sheet_xml(make_spec(), library, None, "sample", (builtin_dir("templates"),))
    root = parse_handout_xml(xml, "sheet")
    shown = [n for n in _walk(root) if n.tag == "source"]
    texts = [s.text() for s in shown]
    assert len(texts) == 4
    assert library.sources["nice-ng220"].title in texts[0]
    assert library.sources["kalb-2020"].title in texts[1]
    line = re.search(r"This list shows (\d+) of the (\d+) sources\. [^<]*handouts list --sources", xml)
    assert line is not None
    assert int(line[1]) == 4
    assert int(line[2]) >= 7  # the sheet's own seven, plus those of its where-to-get-help block
