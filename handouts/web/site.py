"""Turn every standard handout variant (type x print size x paper x language) into a static site: PDFs, a web
page for each type, print size and language, and one index.html."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TypeVar

from handouts.clinic import Clinic
from handouts.engine import Engine
from handouts.errors import OutputError, UsageError
from handouts.html.render import PageLink
from handouts.html.words import words_for
from handouts.render import Rendered, render_handout, render_handout_html
from handouts.spec import HandoutSpec, parse_spec
from handouts.vocabulary import LANGUAGES, PAPERS, PRINT_SIZES, TYPE_CHOICES, is_web_address
from handouts.web.labels import LANGUAGE_NAMES, label
from handouts.web.options import offered_languages, untranslated
from handouts.web.site_folder import check_site_folder
from handouts.web.site_page import SitePdf, Variant, render_site_index
from handouts.web.site_sheets import site_sheets
from handouts.write import write_atomic

SITE_TYPES = TYPE_CHOICES
SITE_STAGE = "newly-diagnosed"
SITE_AUDIENCE = "patient"
"""A site has no clinician to tailor it, so every PDF is the broad first handout: for the person with MS,
written for the months after diagnosis. It is the one that still makes sense to someone diagnosed years ago;
the reverse is not true."""

Progress = Callable[[int, int, str], None]
T = TypeVar("T")


def site_variants(
    types: Sequence[str] = SITE_TYPES,
    print_sizes: Sequence[str] = PRINT_SIZES,
    papers: Sequence[str] = PAPERS,
    languages: Sequence[str] = LANGUAGES,
) -> list[Variant]:
    """Every combination, in the order the index lists them."""
    return [
        Variant(type=t, print_size=s, paper=p, language=lang)
        for lang in languages
        for t in types
        for s in print_sizes
        for p in papers
    ]


def chosen_variants(
    engine: Engine, filters: Mapping[str, str | None], allow_fallback: bool, warn: Callable[[str], None]
) -> list[Variant]:
    """The variants the `site` command's filters ask for (each a comma-separated list, or None for all),
    then every topic sheet alone in each language it is translated into."""
    print_sizes = parse_choices(filters.get("print_sizes"), PRINT_SIZES, "--print-sizes")
    papers = parse_choices(filters.get("papers"), PAPERS, "--papers")
    languages = site_languages(engine, filters.get("languages"), allow_fallback, warn)
    handouts = site_variants(
        types=parse_choices(filters.get("types"), SITE_TYPES, "--types"),
        print_sizes=print_sizes,
        papers=papers,
        languages=languages,
    )
    sheets = [
        Variant("general", size, paper, language, sheet=sheet_id, title=title)
        for language, sheet_id, title in site_sheets(engine, filters.get("sheets"), languages)
        for size in print_sizes
        for paper in papers
    ]
    return handouts + sheets


def parse_choices(text: str | None, valid: Sequence[str], option: str) -> tuple[str, ...]:
    """A comma-separated list of allowed values, in the canonical order; None or empty means all."""
    if not text or not text.strip():
        return tuple(valid)
    given = [item.strip().lower() for item in text.split(",") if item.strip()]
    unknown = [item for item in given if item not in valid]
    if unknown:
        raise UsageError(f"{option}: {unknown[0]!r} is not allowed (choose from: {', '.join(valid)})")
    return tuple(v for v in valid if v in given)


def site_languages(
    engine: Engine, requested: str | None, allow_fallback: bool, warn: Callable[[str], None]
) -> tuple[str, ...]:
    """Requested languages must be complete (or fall back); by default incomplete ones are left out, with a warning."""
    offered = offered_languages(engine)
    chosen = []
    for language in parse_choices(requested, LANGUAGES, "--languages"):
        name = label(LANGUAGE_NAMES, language)
        missing = untranslated(engine, language) if language in offered else -1
        if missing == 0 or (missing > 0 and allow_fallback):
            chosen.append(language)
            continue
        why = "has no content here" if missing < 0 else f"has {_count(missing)} without a translation"
        if requested:
            fix = "add its content" if missing < 0 else "translate them, or add --allow-fallback"
            raise UsageError(f"--languages: {name} ({language}) {why} ({fix})")
        if missing > 0:
            warn(f"Leaving out {name} ({language}): it {why}; add --allow-fallback to include it")
    return tuple(chosen)


def _count(missing: int) -> str:
    plural = "" if missing == 1 else "s"
    return f"{missing} English block{plural} or question{plural}"


def variant_spec(
    variant: Variant, clinic: Clinic | None, allow_fallback: bool, base_url: str | None = None
) -> HandoutSpec:
    """The spec of a site variant, validated like any other. With a base URL, its QR code and printed
    address lead to the variant's own web page on the site."""
    data: dict[str, object] = {
        "type": variant.type,
        "stage": SITE_STAGE,
        "audience": SITE_AUDIENCE,
        "language": variant.language,
        "paper": variant.paper,
        "print": variant.print_size,
        "clinic": clinic,
        "allow_fallback": allow_fallback,
        **({"sheets": [variant.sheet], "sheets_only": True} if variant.sheet else {}),
    }
    if base_url:
        data["url"] = page_url(base_url, variant)
    return parse_spec(data, f"site variant {variant.filename}")


def page_url(base_url: str, variant: Variant) -> str:
    """Where the variant's web page will be once the site is uploaded to `base_url`."""
    return base_url.rstrip("/") + "/" + variant.page_name


def check_base_url(base_url: str | None) -> str | None:
    """The base URL if it is a web address (http or https, nothing after a #), else a UsageError."""
    if base_url is None:
        return None
    if not is_web_address(base_url) or "#" in base_url or "?" in base_url:
        raise UsageError(
            f"--base-url: {base_url[:60]!r} is not a web address (write it as https://example.org/handouts/)"
        )
    return base_url


def page_links(variant: Variant, pdfs: Sequence[Variant]) -> tuple[PageLink, ...]:
    """The links a variant's web page shows: its PDFs, the other print size (PDFs and page), all handouts."""
    words = words_for(variant.language)
    links: list[PageLink] = []
    same = [
        p for p in pdfs if (p.type, p.language, p.sheet) == (variant.type, variant.language, variant.sheet)
    ]
    sizes = [variant.print_size, *sorted({p.print_size for p in same} - {variant.print_size})]
    for size in sizes:
        for pdf in (p for p in same if p.print_size == size):
            text = f"{words[size]}, {words[pdf.paper]} ({words['pdf']})"
            links.append(PageLink(text, relative(variant, pdf.filename), "application/pdf"))
        if size != variant.print_size:
            other = replace(variant, print_size=size)
            links.append(PageLink(f"{words[size]} ({words['web_page']})", relative(variant, other.page_name)))
    links.append(PageLink(words["all_handouts"], relative(variant, "index.html")))
    return tuple(links)


def relative(variant: Variant, name: str) -> str:
    """A site file's address as seen from the variant's web page (a sheet's page sits in the sheets folder)."""
    depth = variant.page_name.count("/")
    prefix = variant.page_name.rsplit("/", 1)[0] + "/" if depth else ""
    return name.removeprefix(prefix) if prefix and name.startswith(prefix) else "../" * depth + name


def render_variants(
    engine: Engine,
    specs: Sequence[HandoutSpec],
    names: Sequence[str],
    jobs: int,
    progress: Progress | None = None,
) -> list[Rendered]:
    """Render every spec, in a process pool when jobs > 1; results keep the specs' order."""
    return run_all([partial(render_handout, spec, engine) for spec in specs], names, jobs, progress)


def render_pages(
    engine: Engine,
    jobs: Sequence[tuple[HandoutSpec, tuple[PageLink, ...]]],
    names: Sequence[str],
    workers: int,
    progress: Progress | None = None,
) -> list[str]:
    """Render every web page (a spec and its links), in a process pool when workers > 1; in order."""
    calls = [partial(render_handout_html, spec, engine, links) for spec, links in jobs]
    return run_all(calls, names, workers, progress)


def run_all(
    calls: Sequence[Callable[[], T]], names: Sequence[str], workers: int, progress: Progress | None
) -> list[T]:
    """Each call's result in order, made in a process pool when workers > 1, reporting each as it ends."""
    if workers <= 1 or len(calls) <= 1:
        results = []
        for index, call in enumerate(calls):
            results.append(call())
            _report(progress, index + 1, len(calls), names[index])
        return results
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(call) for call in calls]
        results = []
        for index, future in enumerate(futures):
            results.append(future.result())
            _report(progress, index + 1, len(calls), names[index])
        return results


def page_variants(variants: Sequence[Variant]) -> list[Variant]:
    """One variant per web page: the first paper size of each type, language and print size."""
    return list({v.page_name: v for v in reversed(variants)}.values())[::-1]


def _report(progress: Progress | None, done: int, total: int, name: str) -> None:
    if progress:
        progress(done, total, name)


def build_site(
    engine: Engine,
    outdir: Path,
    variants: Sequence[Variant],
    clinic: Clinic | None = None,
    allow_fallback: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
    base_url: str | None = None,
    force: bool = False,
) -> list[SitePdf]:
    """Render every variant and web page before writing any, then the PDFs, the pages, the stylesheet and
    index.html (last), each atomically.

    A folder holding anything but an earlier site is refused unless `force`.
    """
    check_site_folder(outdir, force)
    base_url = check_base_url(base_url)
    specs = [variant_spec(v, clinic, allow_fallback, base_url) for v in variants]
    make_folder(outdir)
    names = [v.filename for v in variants]
    rendered = render_variants(engine, specs, names, jobs or default_jobs(), progress)
    pages = page_variants(variants)
    page_jobs = [(variant_spec(v, clinic, allow_fallback, base_url), page_links(v, variants)) for v in pages]
    page_names = [v.page_name for v in pages]
    html = render_pages(engine, page_jobs, page_names, jobs or default_jobs(), progress)
    pdfs = [SitePdf(v, r.pages, len(r.pdf)) for v, r in zip(variants, rendered, strict=True)]
    for folder in sorted({(outdir / v.filename).parent for v in variants}):
        make_folder(folder)
    for pdf, result in zip(pdfs, rendered, strict=True):
        write_atomic(outdir / pdf.variant.filename, result.pdf)
    for name, text in zip(page_names, html, strict=True):
        write_atomic(outdir / name, text.encode("utf-8"))
    write_atomic(outdir / "handouts.css", stylesheet())
    write_atomic(outdir / "favicon.svg", static_file("favicon.svg"))
    write_atomic(outdir / "index.html", site_index(pdfs, clinic).encode("utf-8"))
    return pdfs


def default_jobs() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def make_folder(outdir: Path) -> None:
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise OutputError(f"{outdir}: is a file (give a folder for the site)") from exc
    except OSError as exc:
        raise OutputError(
            f"{outdir}: cannot create the folder: {exc.strerror} (choose another place)"
        ) from exc


def stylesheet() -> bytes:
    """The same stylesheet the web form uses."""
    return static_file("handouts.css")


def static_file(name: str) -> bytes:
    """A file the web form serves (the stylesheet, the icon), for the site to copy."""
    return resources.files("handouts.web").joinpath("static", name).read_bytes()


def site_index(pdfs: Sequence[SitePdf], clinic: Clinic | None) -> str:
    """index.html: one section per language, one list per type, plain links to every PDF."""
    return render_site_index(pdfs, clinic)
