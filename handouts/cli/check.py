"""`handouts check`: content and template directories -> problems and readability scores."""

from __future__ import annotations

from pathlib import Path

import click

from handouts.cli.options import CONTEXT, content_dir_option, templates_dir_option
from handouts.vocabulary import LANGUAGES


@click.command(context_settings=CONTEXT)
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
@click.option(
    "--today",
    "--date",
    "date",
    help="Judge review dates as of this day, YYYY-MM-DD; CI gives the last commit's date.  "
    "[default: today, or SOURCE_DATE_EPOCH]",
)
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
    from handouts.check.report import format_json, format_text
    from handouts.check.rules import check_directories

    report = check_directories(content_dirs, templates_dirs, config_file, languages, date)
    text = format_json(report, strict) if output_format == "json" else format_text(report, strict, scores)
    click.echo(text)
    if report.failed(strict):
        raise click.exceptions.Exit(1)
