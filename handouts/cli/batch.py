"""`handouts batch`: a manifest -> many handout PDFs, a report and a print file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from handouts.cli.options import CONTEXT, content_dir_option, templates_dir_option
from handouts.vocabulary import MANIFEST_FORMATS

if TYPE_CHECKING:  # the batch package loads only when the command runs
    from handouts.batch.run import DryRun


@click.command(context_settings=CONTEXT)
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
    type=click.Choice(MANIFEST_FORMATS),
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
@click.option(
    "--dry-run", is_flag=True, help="Check every row and list what would be written; render nothing."
)
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
@click.option(
    "--assets",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of clinic files and logos rows may name, besides the manifest's own (repeatable).",
)
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
    assets: tuple[Path, ...],
) -> None:
    """Build one tailored handout for every row of MANIFEST.

    MANIFEST is CSV (a header row of spec keys), a YAML list of mappings, or JSON Lines. Each row
    takes the keys of a `handouts build --spec` file (type, stage, audience, language, paper,
    print, layout, sections, skip_sections, clinic, notes, patient_name, date, url, fillable,
    tags, allow_fallback, country, sheets, sheets_only, duplex) plus an optional `id`. In CSV,
    separate several notes, sections or sheets with `|`, or write a JSON list. A row with `sheets`
    prints the handout and those topic sheets as one PDF. Clinic files and logos are relative to the manifest and must be in
    its folder or an --assets folder.

    Every row and file name is checked before anything renders. Rows with problems are listed and
    reported as failed; the others are rendered. A file already made from the same row is skipped,
    so after an interruption the same command finishes the rest. Give each row a `date` (or set
    SOURCE_DATE_EPOCH) so a rerun on another day gives the same files.

    Writes OUTDIR/report.csv and OUTDIR/report.json: one line per row with its status (ok, failed,
    skipped), output file, pages, SHA-256 and error. Exit status: 0 when every row is ok or
    skipped, 1 when any row failed, 2 for a usage error (nothing rendered), 130 when interrupted.
    """
    from handouts.batch.options import BatchOptions
    from handouts.batch.run import dry_run as plan_only
    from handouts.batch.run import run_batch
    from handouts.cli.batch_progress import CheckProgress, TerminalWatcher, counted

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
        assets=assets,
    )
    if dry_run:
        checking = CheckProgress(str(manifest), sys.stderr, quiet)
        plan = plan_only(options, checking)
        checking.finish(plan.rows, plan.problem_rows)
        raise click.exceptions.Exit(_show_dry_run(plan))
    watcher = TerminalWatcher(quiet, str(manifest))
    result = run_batch(options, watcher)
    if result.interrupted:
        raise click.exceptions.Exit(130)
    if result.merged is not None:
        left_out = f" ({result.failed} failed rows left out)" if result.failed else ""
        watcher.say(
            f"Print file: {result.merge} ({counted(result.merged.records, 'handout')}, "
            f"{counted(result.merged.pages, 'page')}){left_out}"
        )
    if result.failed:
        watcher.say(
            f"{result.failed} rows failed: fix them and run the same command again (finished rows are skipped)."
        )
        raise click.exceptions.Exit(1)


def _show_dry_run(plan: DryRun) -> int:
    """One line per row saying what would happen, then the counts; the exit code (1: rows with problems)."""
    for line in plan.lines:
        click.echo(f"{line.action:<8} {line.text}")
    click.echo(
        f"Dry run: {plan.rows} rows: {plan.count('render')} to render, {plan.count('skip')} up to date (skip), "
        f"{plan.problem_rows} with problems. Nothing was written."
    )
    return 1 if plan.problem_rows else 0
