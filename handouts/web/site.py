"""Turn every standard handout variant (type x print size x paper x language) into a static site of PDFs and one index.html."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib import resources
from pathlib import Path

from handouts.clinic import Clinic
from handouts.engine import Engine
from handouts.errors import OutputError, UsageError
from handouts.render import Rendered, render_handout
from handouts.spec import HandoutSpec, parse_spec
from handouts.vocabulary import LANGUAGES, PAPERS, PRINT_SIZES, TYPE_CHOICES
from handouts.web.labels import LANGUAGE_NAMES, label
from handouts.web.options import offered_languages, untranslated
from handouts.web.site_folder import check_site_folder
from handouts.web.site_page import SitePdf, Variant, render_site_index
from handouts.write import write_atomic

SITE_TYPES = TYPE_CHOICES
SITE_STAGE = "newly-diagnosed"
SITE_AUDIENCE = "patient"
"""A site has no clinician to tailor it, so every PDF is the broad first handout: for the person with MS,
written for the months after diagnosis. It is the one that still makes sense to someone diagnosed years ago;
the reverse is not true."""

Progress = Callable[[int, int, str], None]


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
    """The variants the `site` command's filters ask for (each a comma-separated list, or None for all)."""
    return site_variants(
        types=parse_choices(filters.get("types"), SITE_TYPES, "--types"),
        print_sizes=parse_choices(filters.get("print_sizes"), PRINT_SIZES, "--print-sizes"),
        papers=parse_choices(filters.get("papers"), PAPERS, "--papers"),
        languages=site_languages(engine, filters.get("languages"), allow_fallback, warn),
    )


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


def variant_spec(variant: Variant, clinic: Clinic | None, allow_fallback: bool) -> HandoutSpec:
    """The spec of a site variant, validated like any other."""
    data = {
        "type": variant.type,
        "stage": SITE_STAGE,
        "audience": SITE_AUDIENCE,
        "language": variant.language,
        "paper": variant.paper,
        "print": variant.print_size,
        "clinic": clinic,
        "allow_fallback": allow_fallback,
    }
    return parse_spec(data, f"site variant {variant.filename}")


def render_variants(
    engine: Engine,
    specs: Sequence[HandoutSpec],
    names: Sequence[str],
    jobs: int,
    progress: Progress | None = None,
) -> list[Rendered]:
    """Render every spec, in a process pool when jobs > 1; results keep the specs' order."""
    if jobs <= 1 or len(specs) <= 1:
        results = []
        for index, spec in enumerate(specs):
            results.append(render_handout(spec, engine))
            _report(progress, index + 1, len(specs), names[index])
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(render_handout, spec, engine) for spec in specs]
        results = []
        for index, future in enumerate(futures):
            results.append(future.result())
            _report(progress, index + 1, len(specs), names[index])
        return results


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
    force: bool = False,
) -> list[SitePdf]:
    """Render every variant before writing any, then the PDFs, the stylesheet and index.html (last), each atomically.

    A folder holding anything but an earlier site is refused unless `force`.
    """
    check_site_folder(outdir, force)
    specs = [variant_spec(v, clinic, allow_fallback) for v in variants]
    make_folder(outdir)
    names = [v.filename for v in variants]
    rendered = render_variants(engine, specs, names, jobs or default_jobs(), progress)
    pdfs = [SitePdf(v, r.pages, len(r.pdf)) for v, r in zip(variants, rendered, strict=True)]
    for pdf, result in zip(pdfs, rendered, strict=True):
        write_atomic(outdir / pdf.variant.filename, result.pdf)
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
