"""The site's web pages: built with --base-url, every link followed, each PDF's QR code decoded to its own page,
each page valid and free of accessibility violations."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pypdf
import pytest

from handouts.web.site import site_variants

from ..html.test_browser import browser  # noqa: F401  (one chromium for the module)
from ..htmlcheck import audit, axe_script, validate
from .test_site import QuietFiles, read_links, run_site, variant_of

BASE = "https://handouts.example.org/ms/"
VARIANTS = site_variants(types=("rrms", "general"), languages=("en", "es"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("site-pages") / "public"
    result = run_site(
        str(outdir),
        "--types",
        "rrms,general",
        "--languages",
        "en,es",
        "--sheets",
        "none",
        "--base-url",
        BASE,
        "-j",
        "2",
    )
    assert result.returncode == 0, result.stderr
    assert f"Wrote {len(VARIANTS)} PDFs, {len(VARIANTS) // 2} web pages" in result.stderr
    return outdir


@pytest.fixture(scope="module")
def host(site: Path) -> Any:
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    handler = functools.partial(QuietFiles, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def squeeze(text: str) -> str:
    return "".join(text.split()).replace("-", "")


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.glob("*.html") if p.name != "index.html")


def test_one_page_per_type_language_and_print_size(site: Path) -> None:
    assert [p.name for p in pages(site)] == sorted({v.page_name for v in VARIANTS})


def test_every_link_of_every_page_resolves(site: Path, host: str) -> None:
    followed = set()
    for page in [site / "index.html", *pages(site)]:
        links = read_links(page)
        assert links.scripts == 0
        for href in links.hrefs:
            if href.startswith("#"):
                assert href[1:] in links.ids, (page.name, href)
                continue
            if href.startswith(("https://", "http://")) and not href.startswith(BASE):
                continue  # the sources: other sites
            local = href.removeprefix(BASE)
            with urllib.request.urlopen(host + local, timeout=10) as reply:
                assert reply.status == 200, (page.name, href)
                kind = reply.headers["Content-Type"]
            kinds = {"pdf": "application/pdf", "html": "text/html", "css": "text/css", "svg": "image/svg+xml"}
            expected = kinds[local.rsplit(".", 1)[-1]]
            assert kind == expected, (href, kind)
            followed.add(local)
    variants = set(VARIANTS)
    assert {v.filename for v in variants} | {v.page_name for v in variants} | {"index.html"} <= followed


def test_each_page_links_to_its_own_pdfs_first(site: Path) -> None:
    for page in pages(site):
        variant = variant_of(page.name)
        hrefs = [h for h in read_links(page).hrefs if h.endswith((".pdf", ".html"))]
        own = [v.filename for v in VARIANTS if v.page_name == page.name]
        assert hrefs[: len(own)] == own
        assert "index.html" in hrefs
        other = "large" if variant.print_size == "standard" else "standard"
        assert f"ms-{variant.type}-{variant.language}-{other}-print.html" in hrefs


@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None, reason="zbar-tools, poppler"
)
def test_each_pdf_qr_code_and_printed_address_name_its_own_page(site: Path, tmp_path: Path) -> None:
    for variant in VARIANTS:
        pdf = site / variant.filename
        own = BASE + variant.page_name
        texts = [squeeze(page.extract_text() or "") for page in pypdf.PdfReader(pdf).pages]
        # a long address may wrap after one of its hyphens
        where = [
            number for number, text in enumerate(texts, 1) if squeeze(own.removeprefix("https://")) in text
        ]
        assert len(where) == 1, variant.filename
        image = tmp_path / variant.filename
        page = str(where[0])
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", "-f", page, "-l", page, "-singlefile", str(pdf), str(image)],
            check=True,
        )
        result = subprocess.run(
            ["zbarimg", "--quiet", "--raw", f"{image}.png"], capture_output=True, text=True, check=False
        )
        assert result.stdout.splitlines() == [own], variant.filename
        html = (site / variant.page_name).read_text(encoding="utf-8")
        assert f'<a href="{own}">' in html  # the page names itself where the PDF prints its address


def test_every_page_is_valid_html(site: Path) -> None:
    assert validate([site / "index.html", *pages(site)]) == []


@pytest.mark.browser
def test_pages_have_no_accessibility_violations(browser: Any, host: str, site: Path) -> None:  # noqa: F811
    script = axe_script()
    problems = []
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    for path in pages(site):
        page.goto(host + path.name)
        problems += [f"{path.name}: {p}" for p in audit(page, script)]
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()
    assert problems == []


@pytest.mark.browser
def test_read_online_is_the_first_link_of_each_print_size(browser: Any, host: str) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(host)
    first = page.locator("ul.variants li").first
    link = first.locator("a").first
    assert link.inner_text() == "Read online (web page)"
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(".html")
    assert page.locator("nav.versions a[type='application/pdf']").count() >= 2
    context.close()
