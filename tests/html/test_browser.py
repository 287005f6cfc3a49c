"""The web page in a real chromium: valid HTML, no accessibility violations, reflow, dark mode, print, keyboard,
and the same words as the PDF of the same handout."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from handouts.clinic import load_clinic
from handouts.engine import Engine
from handouts.pdf.themes import contrast_ratio
from handouts.render import render_handout, render_handout_html
from handouts.xmltree import HandoutMeta, Node, pack_attributes, parse_document_xml

from ..conftest import FIXTURES, make_spec
from ..htmlcheck import audit, axe_script, printed_words, validate, words
from ..web.test_web import CHROMIUM, TEXT_COLOURS, _hex, launch_chromium
from .test_page import EXAMPLE_CLINIC, HOSTILE, pack_page

pytestmark = pytest.mark.browser

LAYOUTS = ("standard", "summary")
PRINT_SIZES = ("standard", "large")
LANGUAGES = ("en", "es")
WIDTHS = (320, 1280)


@dataclass(frozen=True)
class Twin:
    """One handout as a web page and as a PDF, from the same spec."""

    name: str
    html: Path
    pdf: Path
    meta: HandoutMeta


def make_twin(folder: Path, engine: Engine, name: str, **values: Any) -> Twin:
    spec = make_spec(**values)
    rendered = render_handout(spec, engine)
    html = folder / f"{name}.html"
    pdf = folder / f"{name}.pdf"
    html.write_text(render_handout_html(spec, engine), encoding="utf-8")
    pdf.write_bytes(rendered.pdf)
    root = parse_document_xml(rendered.xml, name)
    if root.tag == "pack":  # the PDF's footer: one joint content version for the whole pack
        root = Node("handout", pack_attributes(root.elements()), root.line, [])
    return Twin(name, html, pdf, HandoutMeta.from_root(root))


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> list[Twin]:
    """Every layout x print size x language, with the example clinic (logo, phone, accent) and a QR link;
    the paper alternates so both sizes are drawn."""
    folder = tmp_path_factory.mktemp("twins")
    clinic = load_clinic(EXAMPLE_CLINIC)
    found = []
    for index, (layout, size, language) in enumerate(
        (a, b, c) for a in LAYOUTS for b in PRINT_SIZES for c in LANGUAGES
    ):
        found.append(
            make_twin(
                folder,
                engine,
                f"{layout}-{size}-{language}",
                type=("rrms", "ppms", "general", "cis")[index % 4],
                layout=layout,
                print=size,
                language=language,
                paper=("letter", "a4")[index % 2],
                clinic=clinic,
                url="https://example.org/handouts/page.html",
                allow_fallback=True,
            )
        )
    found.append(
        make_twin(folder, engine, "hostile", type="spms", patient_name=HOSTILE[:80], notes=[HOSTILE])
    )
    # Real topic sheets: one sheet alone and a pack (core handout and two sheets), in each language.
    for language in LANGUAGES:
        found.append(
            make_twin(
                folder,
                engine,
                f"sheet-{language}",
                type="rrms",
                language=language,
                sheets=["fatigue"],
                sheets_only=True,
                paper="a4",
            )
        )
        found.append(
            make_twin(
                folder,
                engine,
                f"pack-{language}",
                type="rrms",
                language=language,
                sheets=["fatigue", "mood"],
                print="large" if language == "es" else "standard",
            )
        )
    # Blocks printed in another language (div lang="en"): an English block in a Spanish handout, and a
    # sheet with no Spanish version printed in a Spanish pack.
    english_sheet = folder / "english-sheet"
    shutil.copytree(FIXTURES / "sheets" / "en", english_sheet / "en")
    for name, content, sheets in (
        ("fallback-es", FIXTURES / "fallback", []),
        ("fallback-sheet-es", english_sheet, ["sample"]),
    ):
        found.append(
            make_twin(
                folder,
                Engine.from_dirs((content,)),
                name,
                type="rrms",
                language="es",
                allow_fallback=True,
                sheets=sheets,
                clinic=clinic,
            )
        )
    return found


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Path:
    """A pack's page: a core handout and two sheets-like parts on one page."""
    path = tmp_path_factory.mktemp("pack") / "pack.html"
    path.write_text(pack_page(engine), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def open_page(browser: Any, twin: Twin, width: int, **options: Any) -> Any:
    """The twin's page in a fresh context; nothing but the page itself may be requested."""
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(twin.html.as_uri())
    assert requests == [
        twin.html.as_uri()
    ]  # nothing else is fetched: no fonts, images or styles from elsewhere
    return page


def test_every_page_is_valid_html(twins: list[Twin], pack: Path) -> None:
    assert validate([*(twin.html for twin in twins), pack]) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations_at_phone_and_desktop_width(
    browser: Any, twins: list[Twin], pack: Path, scheme: str
) -> None:
    script = axe_script()
    problems = []
    for twin in [*twins, Twin("pack", pack, pack, HandoutMeta())]:
        for width in WIDTHS if scheme == "light" else WIDTHS[:1]:
            page = open_page(browser, twin, width, color_scheme=scheme)
            problems += [f"{twin.name} @{width}px {scheme}: {p}" for p in audit(page, script)]
            overflow = page.evaluate("document.documentElement.scrollWidth")
            if overflow > width:
                problems.append(f"{twin.name} @{width}px: scrolls sideways ({overflow}px wide)")
            page.context.close()
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_node_has_7_to_1_contrast(browser: Any, twins: list[Twin], scheme: str) -> None:
    for twin in twins[:2]:
        page = open_page(browser, twin, 320, color_scheme=scheme)
        page.keyboard.press("Tab")  # the skip link, shown when focused
        for fore, back, text in page.evaluate(TEXT_COLOURS):
            assert contrast_ratio(_hex(fore), _hex(back)) >= 7, (twin.name, scheme, text, fore, back)
        page.context.close()


def test_the_page_has_the_words_of_the_pdf(browser: Any, twins: list[Twin]) -> None:
    for twin in twins:
        page = open_page(browser, twin, 1280)
        shown = page.evaluate(
            "[...document.querySelectorAll('.page > header, main')].map(e => e.innerText).join('\\n')"
        )
        footer = page.locator("footer").inner_text()
        page.context.close()
        printed = subprocess.run(
            ["pdftotext", "-raw", str(twin.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        meta = twin.meta
        expected = printed_words(printed, [meta.footer, meta.footer_detail], meta.page_label)
        got = words(shown)
        assert (got - expected, expected - got) == ({}, {}), (twin.name, got - expected, expected - got)
        assert meta.footer in footer
        assert meta.footer_detail in footer


def test_the_checklist_is_ticked_with_the_keyboard_alone(browser: Any, twins: list[Twin]) -> None:
    page = open_page(browser, twins[0], 390, java_script_enabled=False)
    boxes = page.locator(".checklist input[type=checkbox]")
    assert boxes.count() >= 3
    first = boxes.nth(0).get_attribute("id")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == first:
            break
    else:
        pytest.fail("the first question's checkbox is never reached with Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    checked = [boxes.nth(i).is_checked() for i in range(3)]
    assert checked == [True, False, False]
    page.context.close()


def test_the_skip_link_is_first_and_jumps_to_the_main_content(browser: Any, twins: list[Twin]) -> None:
    page = open_page(browser, twins[0], 390, java_script_enabled=False)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert page.locator(".skip").is_visible()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.context.close()


def test_text_resized_to_200_percent_still_reflows(browser: Any, twins: list[Twin]) -> None:
    for twin in (twins[0], twins[2]):
        page = open_page(browser, twin, 640)
        before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
        page.add_style_tag(content="html { font-size: 200% !important; }")
        after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
        assert after == pytest.approx(2 * before)
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
        page.context.close()


def test_the_print_stylesheet_leaves_out_the_navigation(browser: Any, twins: list[Twin]) -> None:
    page = open_page(browser, twins[0], 1280)
    page.emulate_media(media="print")
    assert not page.locator("nav").first.is_visible()
    assert not page.locator(".skip").is_visible()
    assert page.locator(".lines").first.is_visible()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    assert page.pdf()[:5] == b"%PDF-"
    page.context.close()


def test_the_checkers_do_find_problems(browser: Any, tmp_path: Path) -> None:
    """The two checkers are live: a page with known faults fails both."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!doctype html><html><head><title>x</title></head><body><div><img src="data:,">'
        '<p style="color:#767676;background:#fff">faint</p><ul><p>not an item</p></ul></div></body></html>',
        encoding="utf-8",
    )
    assert any("not allowed as child" in line or "alt" in line for line in validate([broken]))
    page = browser.new_page()
    page.goto(broken.as_uri())
    found = {line.split(":", 1)[0] for line in audit(page, axe_script())}
    page.close()
    assert {"image-alt", "html-has-lang", "color-contrast-enhanced", "list", "region"} <= found


def test_a_right_to_left_note_reads_right_to_left(browser: Any, tmp_path: Path, engine: Engine) -> None:
    spec = make_spec(
        type="rrms", patient_name="سامر الحسيني 3", notes=["שלום, נתראה ב-12 במרץ", "Bring the diary"]
    )
    path = tmp_path / "rtl.html"
    path.write_text(render_handout_html(spec, engine), encoding="utf-8")
    page = open_page(browser, Twin("rtl", path, path, HandoutMeta()), 390)
    edges = page.evaluate(
        """() => [...document.querySelectorAll('.notes p')].map(p => {
             const range = document.createRange(); range.selectNodeContents(p);
             const text = range.getBoundingClientRect(), box = p.getBoundingClientRect();
             return [Math.round(text.left - box.left), Math.round(box.right - text.right)];
           })"""
    )
    page.context.close()
    hebrew, english = edges
    assert hebrew[1] <= 1 < hebrew[0]  # against the right edge
    assert english[0] <= 1 < english[1]  # against the left edge
