"""The static site as a patient uses it: built by `handouts site`, served as plain files, every link followed in chromium."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pytest

from handouts.engine import Engine
from handouts.i18n import PDF_LANG, translations
from handouts.pdf.themes import contrast_ratio
from handouts.vocabulary import HANDOUT_TITLES
from handouts.web.options import offered_languages
from handouts.web.site import SITE_AUDIENCE, SITE_STAGE, SITE_TYPES, site_variants
from handouts.web.site_page import Variant

from .test_web import CHROMIUM, CHROMIUM_ARGS, TEXT_COLOURS, _hex

PAGE_SIZES = {"letter": (612, 792), "a4": (595, 842)}
EPOCH = "1790000000"  # 2026-09-21


def run_site(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`handouts site ...` as a person runs it."""
    return subprocess.run(
        [sys.executable, "-m", "handouts", "site", *args],
        cwd=cwd,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every standard variant in every language this content offers (topic sheets: tests/web/test_web_sheets.py)."""
    outdir = tmp_path_factory.mktemp("site") / "public"
    result = run_site(str(outdir), "--allow-fallback", "--sheets", "none")
    assert result.returncode == 0, result.stderr
    assert f"Wrote {len(expected_variants())} PDFs" in result.stderr
    return outdir


def expected_variants() -> list[Variant]:
    return site_variants(languages=offered_languages(Engine.from_dirs()))


class Links(HTMLParser):
    """Every href and src of a page, and whether it has any script."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.scripts += tag == "script" or any(k.startswith("on") for k in values)
        for key in ("href", "src"):
            if values.get(key):
                self.hrefs.append(values[key] or "")
        if values.get("id"):
            self.ids.add(values["id"] or "")


def read_links(index: Path) -> Links:
    links = Links()
    links.feed(index.read_text())
    return links


def test_full_site_lists_every_variant(full_site: Path) -> None:
    variants = expected_variants()
    assert len(variants) == len(SITE_TYPES) * 2 * 2 * len(offered_languages(Engine.from_dirs()))
    links = read_links(full_site / "index.html")
    pdf_links = [h for h in links.hrefs if h.endswith(".pdf")]
    assert sorted(pdf_links) == sorted(v.filename for v in variants)
    assert sorted(p.name for p in full_site.glob("*.pdf")) == sorted(pdf_links)
    pages = sorted({v.page_name for v in variants})
    assert sorted(h for h in links.hrefs if h.endswith(".html") and h != "index.html") == pages
    assert sorted(p.name for p in full_site.iterdir() if not p.name.endswith(".pdf")) == sorted(
        ["favicon.svg", "handouts.css", "index.html", *pages]
    )


def test_index_is_plain_html_with_relative_links(full_site: Path) -> None:
    links = read_links(full_site / "index.html")
    assert links.scripts == 0
    for href in links.hrefs:
        assert not re.match(r"^([a-z]+:|//|/)", href), href  # works wherever the folder is uploaded
        if href.startswith("#"):
            assert href[1:] in links.ids
        else:
            assert (full_site / href).is_file(), href
    assert "handouts.css" in links.hrefs
    html = (full_site / "index.html").read_text()
    assert '<section lang="en"' in html


def test_filters_build_a_smaller_site_atomically_and_reproducibly(tmp_path: Path) -> None:
    args = (
        "--types",
        "rrms,general",
        "--papers",
        "a4",
        "--print-sizes",
        "large",
        "--languages",
        "en",
        "--sheets",
        "none",
        "-j",
        "1",
    )
    first = run_site(str(tmp_path / "a"), *args)
    assert first.returncode == 0, first.stderr
    assert "[2/2] ms-rrms-en-large-print-a4.pdf" in first.stderr
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "favicon.svg",
        "handouts.css",
        "index.html",
        "ms-general-en-large-print-a4.pdf",
        "ms-general-en-large-print.html",
        "ms-rrms-en-large-print-a4.pdf",
        "ms-rrms-en-large-print.html",
    ]  # no temporary files left behind
    second = run_site(str(tmp_path / "b"), *args)
    assert second.returncode == 0
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--types", "rrms,xyz"),
            "Error: --types: 'xyz' is not allowed (choose from: general, cis, rrms, spms, ppms)",
        ),
        (("--papers", "b5"), "Error: --papers: 'b5' is not allowed (choose from: letter, a4)"),
        (("--languages", "fr"), "Error: --languages: 'fr' is not allowed (choose from: en, es)"),
    ],
)
def test_bad_filters_get_one_clear_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_site(str(tmp_path / "out"), *args)
    assert result.returncode == 2
    assert result.stderr.strip() == message
    assert not (tmp_path / "out").exists()


def test_outdir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a folder")
    small = ("--types", "rrms", "--papers", "a4", "--print-sizes", "standard", "--languages", "en")
    result = run_site(str(target), *small)
    assert result.returncode == 2
    assert "is a file" in result.stderr
    inside = run_site(str(target / "site"), *small)
    assert inside.returncode == 1
    assert (
        inside.stderr.strip()
        == f"Error: {target / 'site'}: cannot create the folder: Not a directory (choose another place)"
    )
    assert target.read_text() == "not a folder"


def test_help_explains_the_site_and_the_server() -> None:
    for command, words in (
        (
            "site",
            (
                "OUTDIR",
                "--types",
                "--languages",
                "--papers",
                "--print-sizes",
                "--clinic",
                "--jobs",
                "newly diagnosed",
            ),
        ),
        ("serve", ("--host", "--port", "127.0.0.1", "8000", "--clinic", "--content-dir", "Ctrl+C")),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "handouts", command, "--help"], capture_output=True, text=True, check=True
        )
        for word in words:
            assert word in result.stdout, (command, word)


# --- followed in a browser ----------------------------------------------------------------------


class QuietFiles(SimpleHTTPRequestHandler):
    """Any static web host: plain files, nothing else."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def host(full_site: Path) -> Iterator[str]:
    handler = functools.partial(QuietFiles, directory=str(full_site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def patient_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium with JavaScript off, set (as many browsers are) to save PDFs rather than show them."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("profile")
    (profile / "Default").mkdir()
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"plugins": {"always_open_pdf_externally": True}})
    )
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            java_script_enabled=False,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


@pytest.mark.browser
def test_follow_every_link_and_check_every_pdf(patient_browser: Any, host: str) -> None:
    page = patient_browser.new_page()
    stylesheet = []
    page.on("response", lambda r: stylesheet.append(r.status) if r.url.endswith("handouts.css") else None)
    page.goto(host)
    assert stylesheet == [200]
    links = page.locator("a[href]")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    checked = set()
    for i, href in enumerate(hrefs):
        link = links.nth(i)
        link.focus()  # followed with the keyboard, as someone without a mouse would
        if href.startswith("#"):
            page.keyboard.press("Enter")
            assert page.url.endswith(href)
            assert page.locator(href).is_visible()
            continue
        if href.endswith(".html"):
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.url == host + href
            assert page.locator("h1").inner_text() == handout_title(variant_of(href))
            page.go_back()
            links = page.locator("a[href]")
            checked.add(href)
            continue
        with page.expect_download() as info:
            page.keyboard.press("Enter")
        download = info.value
        assert download.suggested_filename == href
        check_pdf(Path(download.path()).read_bytes(), variant_of(href))
        checked.add(href)
    variants = expected_variants()
    assert checked == {v.filename for v in variants} | {v.page_name for v in variants}
    page.close()


@pytest.mark.browser
def test_index_text_has_7_to_1_contrast(patient_browser: Any, host: str) -> None:
    page = patient_browser.new_page()
    page.goto(host)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # a focused link, in the focus colours
    for fore, back, text in page.evaluate(TEXT_COLOURS):
        assert contrast_ratio(_hex(fore), _hex(back)) >= 7, (text, fore, back)
    page.close()


def handout_title(variant: Variant) -> str:
    return translations(variant.language).gettext(HANDOUT_TITLES[variant.type])


def variant_of(filename: str) -> Variant:
    """The variant a PDF's name promises; a web page's name promises its first paper size."""
    found = re.fullmatch(r"ms-([a-z]+)-([a-z]+)-([a-z]+)-print(?:-([a-z0-9]+)\.pdf|\.html)", filename)
    assert found, filename
    type_, language, print_size, paper = found.groups()
    return Variant(type=type_, print_size=print_size, paper=paper or "letter", language=language)


def check_pdf(pdf: bytes, variant: Variant) -> None:
    """The PDF is the variant its link promised: type, language, paper and print size."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == PAGE_SIZES[variant.paper]
    assert reader.trailer["/Root"]["/Lang"] == PDF_LANG[variant.language]
    title = translations(variant.language).gettext(HANDOUT_TITLES[variant.type])
    first_page = " ".join((reader.pages[0].extract_text() or "").split())
    assert title in first_page, (variant, first_page[:200])
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        body = statistics.median(round(c["size"]) for c in doc.pages[1].chars)
    assert (body >= 18) == (variant.print_size == "large"), (variant, body)


def test_site_handouts_are_for_a_newly_diagnosed_patient() -> None:
    assert (SITE_STAGE, SITE_AUDIENCE) == ("newly-diagnosed", "patient")
