"""Turn Click's usage mistakes into one line, and counts into words ("1 page", "4 pages")."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click


def run_one_line_usage(run_main: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a Click `main`; in standalone mode a usage error prints one line and exits 2.

    Click itself prints three (usage, a hint, the error); every other error of handouts is one line.
    """
    if not kwargs.get("standalone_mode", True):
        return run_main(*args, **kwargs)
    try:
        result = run_main(*args, **{**kwargs, "standalone_mode": False})
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `handouts`: Click shows the help
            exc.show()
        else:
            click.echo(usage_line(exc), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    if isinstance(result, int):  # click.exceptions.Exit, returned when not standalone
        sys.exit(result)
    sys.exit(0)


def usage_line(exc: click.UsageError) -> str:
    """`Error: <what> (see 'handouts build --help')` on a single line."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.command_path if exc.ctx else "handouts"
    return f"Error: {message} (see '{command} --help')"


def pages_text(count: int) -> str:
    """'1 page', '4 pages'."""
    return f"{count:,} page" if count == 1 else f"{count:,} pages"
