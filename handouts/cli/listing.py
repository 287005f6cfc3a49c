"""`handouts list`: the layouts, themes, sections and topic sheets a handout can be built from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from handouts.cli.options import CONTEXT, content_dir_option, templates_dir_option
from handouts.vocabulary import LANGUAGES

if TYPE_CHECKING:
    from handouts.engine import Engine


@click.command(name="list", context_settings=CONTEXT)
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Which language's blocks to list.",
)
@click.option(
    "--sources",
    "show_sources",
    is_flag=True,
    help="List every source the blocks cite (a handout prints at most 8 of them).",
)
@content_dir_option
@templates_dir_option
def list_(
    language: str, show_sources: bool, content_dirs: tuple[Path, ...], templates_dirs: tuple[Path, ...]
) -> None:
    """Show the layouts, themes, sections (topics) and content blocks available, or every source."""
    from handouts.content.sources import source_lines
    from handouts.engine import Engine
    from handouts.layout.environment import layout_names
    from handouts.pdf.themes import theme_names

    engine = Engine.from_dirs(content_dirs, templates_dirs)
    library = engine.library(language)
    if show_sources:
        click.echo("\n".join(source_lines(library)))
        return
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
    click.echo("\n".join(sheet_lines(engine)))


def sheet_lines(engine: Engine) -> list[str]:
    """A heading, then one line per topic sheet: id, English title (else the first), languages."""
    titles: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        for sheet in engine.library(language).sheets.values():
            titles.setdefault(sheet.id, {})[language] = sheet.title
    lines = [f"\nSheets ({len(titles)}):"]
    for sheet_id, by_language in sorted(titles.items()):
        title = by_language.get("en") or next(iter(by_language.values()))
        lines.append(f"  {sheet_id:<22} {title:<40} {', '.join(by_language)}")
    return lines
