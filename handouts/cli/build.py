"""`handouts build`: flags or a spec file -> one handout PDF, HTML page or XML, written atomically or to stdout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from handouts.cli.options import CONTEXT, content_dir_option, templates_dir_option, warn_clinic_country
from handouts.country import COUNTRIES
from handouts.vocabulary import AUDIENCES, LANGUAGES, PAPERS, PRINT_SIZES, STAGES, TYPE_CHOICES


@click.command(context_settings=CONTEXT)
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML spec file with any of the keys below; flags given here override it.",
)
@click.option(
    "--type", "type_", type=click.Choice(TYPE_CHOICES), help="MS type. Omit for a general MS handout."
)
@click.option("--stage", type=click.Choice(STAGES), help="Where the person is.  [default: newly-diagnosed]")
@click.option("--audience", type=click.Choice(AUDIENCES), help="Who reads it.  [default: patient]")
@click.option("--language", type=click.Choice(LANGUAGES), help="Language of the handout.  [default: en]")
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size.  [default: letter]")
@click.option(
    "--print",
    "print_size",
    type=click.Choice(PRINT_SIZES),
    help="Print size: large re-flows the text at 18 pt.  [default: standard]",
)
@click.option("--layout", help="Layout name (see `handouts list`).  [default: standard]")
@click.option("--sections", help="Only these sections, comma-separated (see `handouts list`).")
@click.option("--skip-sections", help="Leave out these sections, comma-separated.")
@click.option(
    "--sheets",
    help="Topic sheets printed after the handout in one PDF, comma-separated (see `handouts list`).",
)
@click.option(
    "--sheets-only", is_flag=True, default=None, help="Print only the topic sheets given by --sheets."
)
@click.option(
    "--duplex",
    is_flag=True,
    default=None,
    help="Start each sheet of a pack on an odd page (two-sided printing).",
)
@click.option(
    "--clinic",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Clinic profile YAML: name, department, phone, website, address, logo, accent.",
)
@click.option(
    "--country",
    metavar="|".join(COUNTRIES),
    help="Country whose help numbers print (ISO 3166).  [default: the clinic's country, else US]",
)
@click.option("--note", "notes", multiple=True, help="A note from the care team (repeatable).")
@click.option("--patient-name", help="Name printed under the title. Never used in file names or logs.")
@click.option("--date", help="Printed date, YYYY-MM-DD.  [default: today, or SOURCE_DATE_EPOCH]")
@click.option("--url", help="Web address of the online version, printed with a QR code.")
@click.option(
    "--fillable/--no-fillable", default=None, help="PDF form fields for the questions.  [default: on]"
)
@click.option("--tags/--no-tags", default=None, help="Tagged PDF for screen readers.  [default: on]")
@click.option(
    "--allow-fallback",
    is_flag=True,
    default=None,
    help="Use English blocks, marked, where a translation is missing.",
)
@click.option(
    "-o",
    "--output",
    help="File to write, or - for standard output.  [default: handout.pdf, handout.html with --emit html; with --emit xml, standard output]",
)
@click.option(
    "--emit",
    type=click.Choice(["pdf", "html", "xml"]),
    default="pdf",
    show_default=True,
    help="html writes one accessible web page instead of a PDF; xml writes the handout XML.",
)
@click.option(
    "--strict-review",
    is_flag=True,
    help="Refuse to print content that is past its review date (otherwise a warning).",
)
@content_dir_option
@templates_dir_option
def build(
    spec_file: Path | None,
    output: str | None,
    emit: str,
    strict_review: bool,
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
    **flags: Any,
) -> None:
    """Build one tailored handout: a PDF, or the same handout as one accessible web page."""
    from handouts.cli.usage import pages_text
    from handouts.content.review import check_review_dates
    from handouts.content.translation import SOURCE_LANGUAGE
    from handouts.engine import Engine
    from handouts.render import handout_xml, render_handout, render_handout_html
    from handouts.spec import default_date, load_spec_file, parse_spec
    from handouts.write import write_atomic

    data = load_spec_file(spec_file) if spec_file else {}
    data.update(_flag_values(flags))
    origin = str(spec_file) if spec_file else "command line"
    base_dir = spec_file.parent if spec_file else Path.cwd()
    spec = parse_spec(data, origin, base_dir)
    warn_clinic_country(spec.clinic if spec.country is None else None, str(data.get("clinic") or "clinic"))
    engine = Engine.from_dirs(content_dirs, templates_dirs)
    warning = check_review_dates(
        engine.library(spec.language),
        engine.library(SOURCE_LANGUAGE) if spec.language != SOURCE_LANGUAGE else None,
        spec,
        default_date(),
        strict_review,
    )
    if warning:
        click.echo(warning, err=True)
    if emit == "xml":
        xml = handout_xml(spec, engine)
        if output in (None, "-"):
            click.echo(xml, nl=False)
        else:
            write_atomic(Path(output), xml.encode("utf-8"))
            click.echo(f"Wrote {output}", err=True)
        return
    if emit == "html":
        target = output or "handout.html"
        page = render_handout_html(spec, engine).encode("utf-8")
        if target == "-":
            sys.stdout.buffer.write(page)
            sys.stdout.buffer.flush()
            return
        write_atomic(Path(target), page)
        click.echo(f"Wrote {target} ({len(page) // 1024} KB web page)", err=True)
        return
    target = output or "handout.pdf"
    rendered = render_handout(spec, engine)
    if target == "-":
        sys.stdout.buffer.write(rendered.pdf)
        sys.stdout.buffer.flush()
        return
    write_atomic(Path(target), rendered.pdf)
    click.echo(f"Wrote {target} ({pages_text(rendered.pages)})", err=True)


def _flag_values(flags: dict[str, Any]) -> dict[str, Any]:
    """Spec keys for the flags that were given on the command line."""
    renames = {"type_": "type", "print_size": "print", "tags": "tags"}
    values = {renames.get(k, k): v for k, v in flags.items() if v not in (None, ())}
    if "notes" in values:
        values["notes"] = list(values["notes"])
    return values
