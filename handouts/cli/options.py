"""Shared pieces of the command line: Click context, directory options, and the group that hides tracebacks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from handouts.cli.collector import command_chosen

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


def warn_clinic_country(clinic: Any, origin: str = "clinic") -> None:
    """One line on stderr when a clinic's address names another country but the clinic sets none."""
    from handouts.clinic import clinic_country_warning

    warning = clinic_country_warning(clinic, origin)
    if warning:
        click.echo(warning, err=True)


class HandoutsGroup(click.Group):
    """Click group that turns unexpected failures into one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, BrokenPipeError):
            raise  # Click ends a broken pipe (`handouts list | head -1`) quietly
        except Exception as exc:
            if os.environ.get("HANDOUTS_DEBUG"):
                raise
            message = f"internal error: {type(exc).__name__}: {exc} (set HANDOUTS_DEBUG=1 for details and report it)"
            raise click.ClickException(message) from exc

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Click's lookup of the command; the cycle collector is scheduled for it once it is known."""
        name, command, rest = super().resolve_command(ctx, args)
        command_chosen(command.name if command else name)
        return name, command, rest

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command line; a usage mistake is one line, like every other error."""
        from handouts.cli.usage import run_one_line_usage

        return run_one_line_usage(super().main, *args, **kwargs)
