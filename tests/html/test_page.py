"""The HTML stage without a browser: structure, escaping of hostile text, colours, the font and the command."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from handouts.engine import Engine
from handouts.html.colours import readable
from handouts.html.style import DARK, palette
from handouts.pdf.themes import contrast_ratio
from handouts.render import render_handout_html

from ..conftest import make_spec

EXAMPLE_CLINIC = Path(__file__).resolve().parents[2] / "docs" / "examples" / "clinic.yaml"
HOSTILE = '<script>alert("x")</script> & "quoted" \'single\' <img src=x onerror=alert(1)> &amp; ]]>'


class Page(HTMLParser):
    """Tags, attributes and the text of each element of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def clinic_page(engine: Engine) -> str:
    from handouts.clinic import load_clinic

    spec = make_spec(type="rrms", clinic=load_clinic(EXAMPLE_CLINIC), url="https://example.org/rrms")
    return render_handout_html(spec, engine)


def test_the_page_says_what_it_is(clinic_page: str) -> None:
    page = parse(clinic_page)
    assert clinic_page.startswith("<!doctype html>\n")
    assert page.all("html") == [{"lang": "en-US"}]
    assert (
        "<title>Relapsing-remitting MS (RRMS): What to know in the first months after diagnosis</title>"
        in clinic_page
    )
    assert {"name": "description", "content": "What to know in the first months after diagnosis"} in page.all(
        "meta"
    )
    names = [name for name, _ in page.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert names.count(landmark) == 1, landmark
    assert names.index("header") < names.index("nav") < names.index("main") < names.index("footer")
    assert page.all("a")[0] == {"class": "skip", "href": "#main"}
    assert names.count("h1") == 1


def test_the_contents_link_to_every_section(clinic_page: str) -> None:
    page = parse(clinic_page)
    ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
    nav = clinic_page.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert targets[:2] == ["about-ms", "ms-type"]
    assert "questions" in targets
    assert "sources" in targets
    assert set(targets) <= ids
    assert len(ids) == len([a for _, a in page.tags if "id" in a])  # every id is unique


def test_questions_are_a_checklist_with_labels(clinic_page: str) -> None:
    page = parse(clinic_page)
    boxes = page.all("input")
    assert len(boxes) >= 3
    labels = {attrs["for"] for attrs in page.all("label")}
    for box in boxes:
        assert box["type"] == "checkbox"
        assert box["id"] in labels
        assert "name" not in box  # nothing is sent or stored: there is no form


def test_glossary_sources_clinic_and_footer(clinic_page: str) -> None:
    page = parse(clinic_page)
    assert len(page.all("dt")) >= 3
    assert len(page.all("dt")) == len(page.all("dd"))
    sources = clinic_page.split('<ol class="sources">', 1)[1].split("</ol>", 1)[0]
    assert sources.count("<li>") == len(re.findall(r'<li><a href="https?://', sources)) >= 5
    assert {"href": "tel:5550100"} in page.all("a")
    logo = page.all("img")
    assert len(logo) == 1
    assert logo[0]["alt"] == "Riverside MS Centre"
    assert logo[0]["src"].startswith("data:image/png;base64,")
    footer = clinic_page.split("<footer>", 1)[1]
    assert "Printed November 26, 2026" in footer
    assert "handouts 0.1.0" in footer
    assert '<a href="https://example.org/rrms">example.org/rrms</a>' in clinic_page


def test_the_page_is_self_contained_with_no_scripts(clinic_page: str) -> None:
    page = parse(clinic_page)
    names = {name for name, _ in page.tags}
    assert not names & {"script", "link", "iframe", "object", "embed", "base", "form"}
    for _, attrs in page.tags:
        assert "style" not in attrs  # one <style> element only: a CSP hash covers it
        assert not any(key.startswith("on") for key in attrs)
        if "src" in attrs:
            assert attrs["src"].startswith("data:")
    assert len(page.all("style")) == 1
    css = clinic_page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert re.findall(r"url\(([^)]*)\)", css)
    assert all(u.startswith("data:font/woff2;base64,") for u in re.findall(r"url\(([^)]*)\)", css))
    assert "@media print" in css
    assert "prefers-color-scheme: dark" in css
    assert "@import" not in css


@pytest.mark.parametrize("field", ["patient_name", "notes", "clinic"])
def test_hostile_text_is_printed_literally(engine: Engine, field: str) -> None:
    from handouts.clinic import Clinic

    values: dict[str, Any] = {"type": "rrms"}
    if field == "patient_name":
        values["patient_name"] = HOSTILE
    elif field == "notes":
        values["notes"] = [HOSTILE, "second <b>note</b>"]
    else:
        values["clinic"] = Clinic(name=HOSTILE, department=HOSTILE, phone=HOSTILE, address=HOSTILE)
    html = render_handout_html(make_spec(**values), engine)
    page = parse(html)
    assert not {"script", "img"} & {name for name, _ in page.tags}
    assert not any(key.startswith("on") for _, attrs in page.tags for key in attrs)
    text = "".join(page.text)
    assert HOSTILE in text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_hostile_logo_text_stays_inside_its_attribute(engine: Engine) -> None:
    from handouts.clinic import Clinic

    logo = EXAMPLE_CLINIC.parent / "logo.png"
    html = render_handout_html(make_spec(clinic=Clinic(name="Clinic", logo=logo, logo_alt=HOSTILE)), engine)
    images = parse(html).all("img")
    assert len(images) == 1
    assert images[0]["alt"] == HOSTILE
    assert set(images[0]) == {"class", "src", "alt"}


def test_no_phone_link_for_a_phone_without_digits(engine: Engine) -> None:
    from handouts.clinic import Clinic

    html = render_handout_html(make_spec(clinic=Clinic(name="Clinic", phone="ask at the desk")), engine)
    assert "tel:" not in html
    assert "Phone: ask at the desk" in html


@pytest.mark.parametrize("accent", ["#FFFF00", "#1F4E79", "#000000", "#FFFFFF", "#7FB2E5", "#E0301E"])
def test_accent_colours_keep_7_to_1_in_light_and_dark_mode(engine: Engine, accent: str) -> None:
    theme = engine.theme("standard")
    light, dark = palette(theme, accent)
    for colours in (light, dark):
        for text in ("text", "muted", "link", "accent_text"):
            for back in ("background", "callout_background"):
                assert contrast_ratio(colours[text], colours[back]) >= 7, (accent, text, back)
    assert light["accent"] == accent  # kept as it is for decoration
    assert readable("#1F4E79", ("#FFFFFF",)) == "#1F4E79"
    assert set(DARK) <= set(dark)


def test_large_print_sets_larger_text(engine: Engine) -> None:
    standard = render_handout_html(make_spec(type="rrms"), engine)
    large = render_handout_html(make_spec(type="rrms", print="large"), engine)
    size = re.compile(r"--size-body: ([\d.]+)rem;")
    assert float(size.findall(large)[0]) >= 1.5 * float(size.findall(standard)[0])


def test_spanish_page_is_in_spanish(engine: Engine) -> None:
    html = render_handout_html(make_spec(type="rrms", language="es"), engine)
    assert '<html lang="es">' in html
    assert "Ir al contenido principal" in html
    assert "Contenido" in html
    assert "Skip to" not in html


def test_the_font_is_a_small_subset(engine: Engine) -> None:
    html = render_handout_html(make_spec(type="rrms"), engine)
    fonts = re.findall(r"url\(data:font/woff2;base64,([^)]*)\)", html)
    assert len(fonts) == 2
    for font in fonts:
        assert len(font) < 20_000  # about 9 KB of WOFF2 each, against 55 KB for each TrueType file


def test_build_emit_html_writes_handout_html_by_default(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("build", "--type", "ppms", "--emit", "html", "--print", "large", "--language", "es")
    assert result.exit_code == 0, result.output
    assert "Wrote handout.html" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handout.html"]
    assert '<html lang="es">' in (tmp_path / "handout.html").read_text(encoding="utf-8")


def test_build_emit_html_to_standard_output_and_a_named_file(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("build", "--layout", "summary", "--emit", "html", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!doctype html>")
    target = tmp_path / "mine.html"
    assert cli("build", "--emit", "html", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_build_emit_html_refuses_a_folder_with_one_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("build", "--emit", "html", "-o", str(tmp_path))
    assert result.exit_code != 0
    assert "is a folder" in result.output
    assert "Traceback" not in result.output


def pack_page(engine: Engine) -> str:
    """A pack as the sheets code writes it: a <pack> holding one <handout> per part."""
    from handouts.html.render import HtmlOptions, render_html
    from handouts.render import handout_xml
    from handouts.xmltree import Node, parse_handout_xml

    parts = [
        parse_handout_xml(handout_xml(make_spec(type=t, layout=layout), engine), "part")
        for t, layout in (("rrms", "standard"), ("rrms", "summary"), ("ppms", "summary"))
    ]
    pack = Node("pack", {"lang": "en-US", "title": "RRMS handout and sheets"}, 1, list(parts))
    return render_html(pack, engine.theme("standard"), HtmlOptions(origin="pack"))


def test_a_pack_is_one_page_with_each_later_part_an_article(engine: Engine) -> None:
    html = pack_page(engine)
    page = parse(html)
    names = [name for name, _ in page.tags]
    assert names.count("h1") == 1
    assert names.count("article") == 2
    assert names.count("header") == 3  # the page's banner, then each later part's own masthead
    assert "<title>RRMS handout and sheets:" in html
    ids = [attrs["id"] for _, attrs in page.tags if "id" in attrs]
    assert len(ids) == len(set(ids))
    second = html.split('<article id="part-2"', 1)[1].split("</article>", 1)[0]
    assert '<h2 id="part-2-title">Relapsing-remitting MS (RRMS)</h2>' in second
    assert re.search(r'<section id="when-to-call-2">\n<h3>[^<]+</h3>', second)  # one level down
    assert "<h2>" not in second.split("</header>", 1)[1]
    nav = html.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    assert '<li><a href="#part-2">Relapsing-remitting MS (RRMS)</a>\n<ol>' in nav
    assert '<a href="#when-to-call-2">' in nav
    assert html.count("<footer>") == 1


def test_pack_xml_parses_as_one_document(engine: Engine) -> None:
    from handouts.errors import LayoutError
    from handouts.render import handout_xml
    from handouts.xmltree import parse_document_xml

    part = handout_xml(make_spec(type="cis"), engine)
    pack = parse_document_xml(f'<pack lang="en-US" title="Two">\n{part}{part}</pack>\n', "pack")
    assert [p.tag for p in pack.elements()] == ["handout", "handout"]
    assert parse_document_xml(part, "one").tag == "handout"
    with pytest.raises(LayoutError, match="a <pack> must hold only <handout> elements"):
        parse_document_xml('<pack lang="en-US"><paragraph>x</paragraph></pack>', "bad")


def test_a_heading_never_skips_a_level(engine: Engine) -> None:
    from handouts.html.render import HtmlOptions, render_html
    from handouts.xmltree import parse_handout_xml

    tree = parse_handout_xml(
        '<handout lang="en-US" title="T"><title-block><title>T</title></title-block>'
        '<section id="a" title="A"><heading level="2">A</heading><heading level="4">Deep</heading>'
        "<paragraph>x</paragraph></section></handout>",
        "test",
    )
    html = render_html(tree, engine.theme("standard"), HtmlOptions(origin="test", embed_font=False))
    assert "<h2>A</h2>\n<h3>Deep</h3>" in html


@pytest.mark.parametrize(
    ("options", "titles"),
    [
        (
            ("--sheets", "fatigue,mood"),
            ["Living with multiple sclerosis (MS)", "Fatigue and MS", "Mood and feelings"],
        ),
        (("--sheets", "fatigue", "--sheets-only"), ["Fatigue and MS"]),
        (("--sheets", "fatigue,mood", "--sheets-only"), ["Fatigue and MS", "Mood and feelings"]),
    ],
)
def test_build_emit_html_with_real_sheets(
    cli: Callable[..., Result], tmp_path: Path, options: tuple[str, ...], titles: list[str]
) -> None:
    """A pack, one sheet and two sheets only: each part's title heads it, one footer names the PDF's version."""
    target = tmp_path / "sheets.html"
    result = cli("build", "--emit", "html", "-o", str(target), *options)
    assert result.exit_code == 0, result.output
    html = target.read_text(encoding="utf-8")
    headings = [h for h in re.findall(r"<h[12][^>]*>([^<]*)</h[12]>", html) if h in titles]
    assert headings == titles
    xml = cli("build", "--emit", "xml", "-o", "-", *options).stdout
    detail = re.findall(r'footer-detail="([^"]*)"', xml)
    footer = re.findall(r"<p>(Content [^<]*)</p>", html.split("<footer>", 1)[1])
    if len(titles) == 1:
        assert footer == detail
    else:  # the pack's joint content version, as printed on every page of its PDF
        assert len(footer) == 1
        assert footer[0] not in detail
        assert re.fullmatch(r"Content [0-9a-f]{10}, reviewed [-0-9]+, handouts \S+", footer[0])
