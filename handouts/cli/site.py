"""`handouts site`: a folder of standard handouts and an index page, ready for any web server."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.options import CONTEXT, content_dir_option, templates_dir_option, warn_clinic_country


@click.command(context_settings=CONTEXT)
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--types", help="Only these types, comma-separated: general, cis, rrms, spms, ppms.  [default: all]"
)
@click.option(
    "--languages",
    help="Only these languages, comma-separated.  [default: every language whose content is fully translated]",
)
@click.option("--papers", help="Only these paper sizes, comma-separated: letter, a4.  [default: both]")
@click.option(
    "--print-sizes", help="Only these print sizes, comma-separated: standard, large.  [default: both]"
)
@click.option(
    "--sheets",
    help="Only these topic sheets, comma-separated, or none.  [default: every sheet, as sheets/ID-LANG-PAPER-PRINT.pdf]",
)
@click.option(
    "--clinic",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Clinic profile YAML printed on every handout.",
)
@click.option(
    "--allow-fallback",
    is_flag=True,
    help="Also include languages with missing translations, printing the English text (marked) in their place.",
)
@click.option(
    "--base-url",
    help="Where OUTDIR will be published, e.g. https://example.org/handouts/. Each PDF's QR code and printed "
    "address then lead to its own web page there.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), help="Handouts rendered at once.  [default: CPUs, at most 8]"
)
@click.option(
    "--force", is_flag=True, help="Write into OUTDIR even when it holds other files (index.html is replaced)."
)
@content_dir_option
@templates_dir_option
def site(
    outdir: Path,
    clinic: Path | None,
    allow_fallback: bool,
    jobs: int | None,
    force: bool,
    base_url: str | None,
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
    **filters: str | None,
) -> None:
    """Write a static site to OUTDIR: every standard handout and topic sheet as PDFs, the handouts as web pages too.

    One PDF for each type of MS (and a general one), print size, paper size and language, all for
    a patient who is newly diagnosed, and beside them one web page for each type, print size and
    language (both paper sizes share it); every topic sheet alone in each language it is written in
    (sheets/ID-LANG-PAPER-PRINT.pdf, e.g. sheets/fatigue-en-letter-standard.pdf). The index has plain
    links grouped by language, type and print size, the web page first: upload OUTDIR to any web host;
    there is no server code and no JavaScript.
    """
    from handouts.clinic import load_clinic
    from handouts.engine import Engine
    from handouts.web.site import build_site, chosen_variants

    engine = Engine.from_dirs(content_dirs, templates_dirs)
    variants = chosen_variants(engine, filters, allow_fallback, lambda line: click.echo(line, err=True))
    profile = load_clinic(clinic) if clinic else None
    warn_clinic_country(profile, str(clinic))
    pdfs = build_site(
        engine,
        outdir,
        variants,
        clinic=profile,
        allow_fallback=allow_fallback,
        jobs=jobs,
        progress=lambda done, total, name: click.echo(f"[{done}/{total}] {name}", err=True),
        base_url=base_url,
        force=force,
    )
    pages = len({pdf.variant.page_name for pdf in pdfs})
    click.echo(f"Wrote {len(pdfs)} PDFs, {pages} web pages and {outdir / 'index.html'}", err=True)
