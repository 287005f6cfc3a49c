"""Turn command lines into handouts: thin Click commands over the pipeline; heavy imports stay inside."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from handouts import __version__
from handouts.spec import AUDIENCES, LANGUAGES, PAPERS, PRINT_SIZES, STAGES, TYPES

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

content_dir_option = click.option(
    "--content-dir",
    "content_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Your own content directory, layered over the built-in blocks (repeatable; later wins).",
)
templates_dir_option = click.option(
    "--templates-dir",
    "templates_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Your own layouts, themes and fonts, layered over the built-in ones (repeatable).",
)


class HandoutsGroup(click.Group):
    """Click group that turns unexpected failures into one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("HANDOUTS_DEBUG"):
                raise
            message = f"internal error: {type(exc).__name__}: {exc} (set HANDOUTS_DEBUG=1 for details and report it)"
            raise click.ClickException(message) from exc


@click.group(cls=HandoutsGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="handouts")
def main() -> None:
    """Print tailored, plain-language handouts about multiple sclerosis (MS).

    Start with `handouts build -o handout.pdf`, then tailor it with --type, --stage,
    --audience and the other options of `handouts build --help`.
    """


@main.command(context_settings=CONTEXT)
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML spec file with any of the keys below; flags given here override it.",
)
@click.option(
    "--type", "type_", type=click.Choice(["general", *TYPES]), help="MS type. Omit for a general MS handout."
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
@click.option("--sheets-only", is_flag=True, default=None, help="Print only the topic sheets given by --sheets.")
@click.option(
    "--duplex", is_flag=True, default=None, help="Start each sheet of a pack on an odd page (two-sided printing)."
)
@click.option(
    "--clinic",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Clinic profile YAML: name, department, phone, website, address, logo, accent.",
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
    default="handout.pdf",
    show_default=True,
    help="PDF file to write, or - for standard output.",
)
@click.option(
    "--emit",
    type=click.Choice(["pdf", "xml"]),
    default="pdf",
    show_default=True,
    help="xml prints the handout XML instead of rendering a PDF.",
)
@content_dir_option
@templates_dir_option
def build(
    spec_file: Path | None,
    output: str,
    emit: str,
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
    **flags: Any,
) -> None:
    """Build one tailored handout PDF."""
    from handouts.render import Engine, handout_xml, render_handout
    from handouts.spec import load_spec_file, parse_spec
    from handouts.write import write_output

    data = load_spec_file(spec_file) if spec_file else {}
    data.update(_flag_values(flags))
    origin = str(spec_file) if spec_file else "command line"
    base_dir = spec_file.parent if spec_file else Path.cwd()
    spec = parse_spec(data, origin, base_dir)
    engine = Engine.from_dirs(content_dirs, templates_dirs)
    if emit == "xml":
        click.echo(handout_xml(spec, engine), nl=False)
        return
    rendered = render_handout(spec, engine)
    write_output(rendered.pdf, output)
    if output != "-":
        click.echo(f"Wrote {output} ({rendered.pages} pages)", err=True)


def _flag_values(flags: dict[str, Any]) -> dict[str, Any]:
    """Spec keys for the flags that were given on the command line."""
    renames = {"type_": "type", "print_size": "print", "tags": "tags"}
    values = {renames.get(k, k): v for k, v in flags.items() if v not in (None, ())}
    if "notes" in values:
        values["notes"] = list(values["notes"])
    return values


@main.command(name="list", context_settings=CONTEXT)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Which language's blocks to list.",
)
@content_dir_option
@templates_dir_option
def list_(language: str, content_dirs: tuple[Path, ...], templates_dirs: tuple[Path, ...]) -> None:
    """Show the layouts, themes, sections (topics) and content blocks available."""
    from handouts.layouts import layout_names
    from handouts.render import Engine
    from handouts.themes import theme_names

    engine = Engine.from_dirs(content_dirs, templates_dirs)
    library = engine.library(language)
    click.echo("Layouts:  " + ", ".join(layout_names(engine.templates_dirs)))
    click.echo("Themes:   " + ", ".join(theme_names(engine.templates_dirs)))
    click.echo("Sections: " + ", ".join(library.topic_ids()))
    click.echo(f"\nBlocks ({len(library.blocks)}):")
    for block in sorted(library.blocks.values(), key=lambda b: (library.topic_ids().index(b.topic), b.order)):
        tags = " / ".join(
            ",".join(sorted(s)) for s in (block.tags.types, block.tags.stages, block.tags.audiences)
        )
        click.echo(f"  {block.topic:<13} {block.id:<28} {tags}")
    click.echo(f"\nQuestions: {len(library.questions)}   Glossary terms: {len(library.glossary)}")
    from handouts.sheet_listing import sheet_lines

    click.echo("\n".join(sheet_lines(engine)))


@main.command(context_settings=CONTEXT)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. The form has no login: keep the default unless other computers must reach it.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--clinic",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Clinic profile YAML printed on every handout. Set here, never by the form.",
)
@click.option(
    "--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Requests served at once."
)
@content_dir_option
@templates_dir_option
def serve(
    host: str,
    port: int,
    clinic: Path | None,
    threads: int,
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
) -> None:
    """Serve the handout form to a browser: choose the options, then Download PDF or Print.

    Open the address it prints (http://127.0.0.1:8000/ by default). The clinic profile and the
    content and template directories are fixed here, when the server starts. Nothing typed into the
    form is stored or logged. Stop the server with Ctrl+C.
    """
    from handouts.clinic import load_clinic
    from handouts.render import Engine
    from handouts.web.app import create_app
    from handouts.web.server import make_server, run_server

    engine = Engine.from_dirs(content_dirs, templates_dirs)
    app = create_app(engine, load_clinic(clinic) if clinic else None)
    run_server(make_server(app, host, port, threads), lambda line: click.echo(line, err=True))


@main.command(context_settings=CONTEXT)
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
    "--sheets",
    help="Only these topic sheets, comma-separated, or none.  [default: every sheet, as sheets/ID-LANG-PAPER-PRINT.pdf]",
)
@click.option(
    "--print-sizes", help="Only these print sizes, comma-separated: standard, large.  [default: both]"
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
    "-j", "--jobs", type=click.IntRange(1, 64), help="Handouts rendered at once.  [default: CPUs, at most 8]"
)
@content_dir_option
@templates_dir_option
def site(
    outdir: Path,
    clinic: Path | None,
    allow_fallback: bool,
    jobs: int | None,
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
    **filters: str | None,
) -> None:
    """Write a static site to OUTDIR: a PDF of every standard handout and an index.html to pick one.

    One PDF for each type of MS (and a general one), print size, paper size and language, all for
    a patient who is newly diagnosed, and every topic sheet alone in each language it is written in
    (sheets/ID-LANG-PAPER-PRINT.pdf, e.g. sheets/fatigue-en-letter-standard.pdf). The index has plain
    links grouped by language, type and print size: upload OUTDIR to any web host; there is no
    server code and no JavaScript.
    """
    from handouts.clinic import load_clinic
    from handouts.render import Engine
    from handouts.site import build_site, chosen_variants

    engine = Engine.from_dirs(content_dirs, templates_dirs)
    variants = chosen_variants(engine, filters, allow_fallback, lambda line: click.echo(line, err=True))
    pdfs = build_site(
        engine,
        outdir,
        variants,
        clinic=load_clinic(clinic) if clinic else None,
        allow_fallback=allow_fallback,
        jobs=jobs,
        progress=lambda done, total, name: click.echo(f"[{done}/{total}] {name}", err=True),
    )
    click.echo(f"Wrote {len(pdfs)} PDFs and {outdir / 'index.html'}", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("manifest", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "outdir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the handouts (created if missing).",
)
@click.option(
    "--name",
    default="{id}-{type}-{language}.pdf",
    show_default=True,
    help="File name of each handout. Fields: {id} {row} {type} {stage} {audience} {language} {paper} "
    "{print} {layout} {sheets} {date}; never the patient's name. May contain / for folders inside OUTDIR.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "yaml", "jsonl"]),
    help="Manifest format.  [default: from the extension: .csv, .yaml/.yml, .jsonl/.ndjson]",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=lambda: len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
    show_default="number of CPUs",
    help="Processes rendering in parallel.",
)
@click.option("--dry-run", is_flag=True, help="Check every row and list what would be written; render nothing.")
@click.option("--force", is_flag=True, help="Render every row again, even when its file is up to date.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; problems are still printed.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the report, as REPORT.csv and REPORT.json.  [default: OUTDIR/report]",
)
@click.option(
    "--merge",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write one print-ready PDF of every handout, in manifest order, a bookmark per row.",
)
@click.option("--duplex", is_flag=True, help="With --merge: pad each handout to an even page count.")
@content_dir_option
@templates_dir_option
def batch(
    manifest: Path,
    outdir: Path,
    name: str,
    fmt: str | None,
    jobs: int,
    dry_run: bool,
    force: bool,
    quiet: bool,
    report: Path | None,
    merge: Path | None,
    duplex: bool,
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
) -> None:
    """Build one tailored handout for every row of MANIFEST.

    MANIFEST is CSV (a header row of spec keys), a YAML list of mappings, or JSON Lines. Each row
    takes the keys of a `handouts build --spec` file (type, stage, audience, language, paper,
    print, layout, sections, skip_sections, clinic, notes, patient_name, date, url, fillable,
    tags, allow_fallback, sheets, sheets_only, duplex) plus an optional `id`. In CSV, separate
    several notes, sections or sheets with `|`, or write a JSON list. A row with `sheets` prints
    the handout and those topic sheets as one PDF. Clinic paths are relative to the manifest.

    Every row and file name is checked before anything renders. Rows with problems are listed and
    reported as failed; the others are rendered. A file already made from the same row is skipped,
    so after an interruption the same command finishes the rest. Give each row a `date` (or set
    SOURCE_DATE_EPOCH) so a rerun on another day gives the same files.

    Writes OUTDIR/report.csv and OUTDIR/report.json: one line per row with its status (ok, failed,
    skipped), output file, pages, SHA-256 and error. Exit status: 0 when every row is ok or
    skipped, 1 when any row failed, 2 for a usage error (nothing rendered), 130 when interrupted.
    """
    from handouts.batch import BatchOptions, execute

    options = BatchOptions(
        manifest=manifest,
        outdir=outdir,
        name=name,
        fmt=fmt,
        jobs=jobs,
        force=force,
        report=report,
        merge=merge,
        duplex=duplex,
        content_dirs=content_dirs,
        templates_dirs=templates_dirs,
    )
    code = execute(options, dry_run=dry_run, quiet=quiet)
    if code:
        raise click.exceptions.Exit(code)


@main.command(context_settings=CONTEXT)
@content_dir_option
@templates_dir_option
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML thresholds and word lists, merged over the built-in ones (handouts/checks.yaml).",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    type=click.Choice(LANGUAGES),
    help="Check only this language (repeatable).  [default: every language with content]",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors: exit 1 on any problem.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people; json for machines.",
)
@click.option("--scores", is_flag=True, help="Also list the scores of every block and handout.")
@click.option("--date", help="Judge review dates as of this day, YYYY-MM-DD.  [default: today, or SOURCE_DATE_EPOCH]")
def check(
    content_dirs: tuple[Path, ...],
    templates_dirs: tuple[Path, ...],
    config_file: Path | None,
    languages: tuple[str, ...],
    strict: bool,
    output_format: str,
    scores: bool,
    date: str | None,
) -> None:
    """Check content and templates, and score how easy every block and handout is to read.

    \b
    Validates: front matter, unique ids, sources, review dates (warning 60 days
    before review_due, error after it), translations (missing, or older than
    their English source), Jinja2 and Markdown of every block for every
    tailoring (type x stage x audience), layouts, themes, and that the
    theme fonts have a glyph for every character.

    \b
    Scores with textstat: Flesch-Kincaid grade (and SMOG on whole handouts) in
    English, Szigriszt-Pazos and Fernandez-Huerta in Spanish. Flags long
    sentences, long lists, medical terms and acronyms not explained at their
    first use, bare percentages, words to avoid, the number of questions
    per handout, and likely passive voice (warning).

    \b
    Each problem prints as `path:line: severity: what is wrong (how to fix)`.
    Exit status: 0 clean (warnings allowed without --strict), 1 problems, 2 usage error.
    """
    from handouts.check import check_directories
    from handouts.check_report import format_json, format_text

    report = check_directories(content_dirs, templates_dirs, config_file, languages, date)
    text = format_json(report, strict) if output_format == "json" else format_text(report, strict, scores)
    click.echo(text)
    if report.failed(strict):
        raise click.exceptions.Exit(1)


def run() -> None:
    """Entry point that keeps broken pipes quiet (e.g. `handouts build -o - | head`)."""
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
