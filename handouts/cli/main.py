"""Turn command lines into handouts: the `handouts` group, its commands, and the quiet entry point."""

from __future__ import annotations

import os
import sys

import click

from handouts import __version__
from handouts.cli.batch import batch
from handouts.cli.build import build
from handouts.cli.check import check
from handouts.cli.collector import end_quietly, start_quietly
from handouts.cli.listing import list_
from handouts.cli.options import CONTEXT, HandoutsGroup
from handouts.cli.serve import serve
from handouts.cli.site import site


@click.group(cls=HandoutsGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="handouts")
def main() -> None:
    """Print tailored, plain-language handouts about multiple sclerosis (MS).

    Start with `handouts build -o handout.pdf`, then tailor it with --type, --stage,
    --audience and the other options of `handouts build --help`.
    """


main.add_command(batch)
main.add_command(build)
main.add_command(check)
main.add_command(list_)
main.add_command(serve)
main.add_command(site)


def run() -> None:
    """Entry point that keeps broken pipes quiet (e.g. `handouts build -o - | head`) and schedules the
    cycle collector for the command (`collector.py`)."""
    start_quietly()
    try:
        main()
    except BrokenPipeError:
        quiet_broken_pipe()
    finally:
        end_quietly()


def quiet_broken_pipe() -> None:
    """Exit 1 without a word once the reader has gone: nothing more can be written to standard output."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # Python's flush at exit would complain otherwise
    sys.exit(1)
