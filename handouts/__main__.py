"""Run the command line with `python -m handouts`."""

from handouts.cli import run

run()
