"""Topic sheets in the clinicians' form and in the static site."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdf
import pytest
from click.testing import Result

from ..conftest import FIXTURES
from .test_site import read_links
from .test_web import Server, field_error, post, request, running_server

Cli = Callable[..., Result]
SHEETS = FIXTURES / "sheets"


@pytest.fixture(scope="module")
def sheet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("serve-sheets"), "--content-dir", str(SHEETS)) as started:
        yield started


def test_form_offers_every_sheet_as_a_checkbox(sheet_server: Server) -> None:
    html = request(sheet_server, "GET", "/").text
    assert '<input type="checkbox" id="f-sheets-sample" name="sheets" value="sample">' in html
    assert '<label for="f-sheets-sample">Rest and MS</label>' in html
    assert 'name="sheets_only"' in html
    assert '<option value="sheet"' not in html  # the sheet layout is chosen by ticking sheets


def test_form_with_a_sheet_returns_one_pdf_with_both_parts(sheet_server: Server) -> None:
    alone = post(sheet_server, {"type": "rrms", "action": "download"})
    pack = post(sheet_server, [("type", "rrms"), ("sheets", "sample"), ("action", "download")])
    assert pack.status == 200, pack.text[:400]
    core_pages = len(pypdf.PdfReader(io.BytesIO(alone.body)).pages)
    reader = pypdf.PdfReader(io.BytesIO(pack.body))
    assert len(reader.pages) == core_pages + 1
    assert "Rest and MS" in (reader.pages[-1].extract_text() or "")
    only = post(sheet_server, [("sheets", "sample"), ("sheets_only", "on"), ("action", "download")])
    assert len(pypdf.PdfReader(io.BytesIO(only.body)).pages) == 1
    assert (
        'filename="ms-handout-rrms-newly-diagnosed-patient-en-letter-sample.pdf"'
        in pack.headers["content-disposition"]
    )
    assert (
        'filename="ms-sheets-general-newly-diagnosed-patient-en-letter-sample.pdf"'
        in only.headers["content-disposition"]
    )


def test_form_refuses_a_sheet_it_does_not_offer(sheet_server: Server) -> None:
    reply = post(sheet_server, [("sheets", "tiredness"), ("action", "download")])
    assert reply.status == 400
    assert field_error(reply.text, "sheets") == "'tiredness' is not a sheet here (tick sheets from the list)"
    reply = post(sheet_server, [("sheets_only", "on"), ("action", "download")])
    assert reply.status == 400
    assert "no sheets are given" in (field_error(reply.text, "sheets_only") or "")


def test_site_publishes_every_sheet_under_its_stable_name(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = cli(
        "site", str(out), "--content-dir", str(SHEETS), "--types", "rrms", "--languages", "en,es", "--sheets",
        "sample", "-j", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (out / "sheets").iterdir())
    pdfs = [
        f"sample-{lang}-{paper}-{size}.pdf"
        for lang in ("en", "es")
        for paper in ("letter", "a4")
        for size in ("standard", "large")
    ]
    pages = [f"sample-{lang}-{size}.html" for lang in ("en", "es") for size in ("standard", "large")]
    assert names == sorted(pdfs + pages)
    assert not (out / "ms-general-en-standard-print.html").exists()  # a sheet's page is not a handout's
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert f'href="sheets/{name}"' in index
    for page in pages:  # every link of a sheet's page resolves: its PDFs, its other print size, the index
        links = read_links(out / "sheets" / page).hrefs
        files = [h for h in links if not h.startswith(("#", "https:"))]
        assert "../index.html" in files
        assert len(files) == 6  # four PDFs, the other print size's page, the index
        assert all((out / "sheets" / h).resolve().is_file() for h in files), (page, files)
        assert '<html lang="' + page.split("-")[1] in (out / "sheets" / page).read_text(encoding="utf-8")
    again = cli("site", str(out), "--content-dir", str(SHEETS), "--types", "rrms", "--languages", "en")
    assert again.exit_code == 0, again.output  # the folder of an earlier site with sheets is its own
    assert '<h4 id="es-sheet-sample">El descanso y la EM</h4>' in index
    a4_large = pypdf.PdfReader(out / "sheets" / "sample-en-a4-large.pdf")
    assert round(float(a4_large.pages[0].mediabox.width)) == 595
    assert "Rest and MS" in (a4_large.pages[0].extract_text() or "")


def test_site_sheets_filter(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "public"
    base = (
        "site",
        str(out),
        "--content-dir",
        str(SHEETS),
        "--types",
        "rrms",
        "--languages",
        "en",
        "--papers",
        "a4",
    )
    result = cli(*base, "--print-sizes", "standard", "--sheets", "none")
    assert result.exit_code == 0
    assert not (out / "sheets").exists()
    result = cli(*base, "--sheets", "tiredness")
    assert result.exit_code == 2
    assert "--sheets: 'tiredness' is not a sheet (choose from: " in result.output
    assert "sample, " in result.output
    assert result.output.rstrip().endswith(", or none)")
