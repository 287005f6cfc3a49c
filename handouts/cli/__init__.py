"""The command line: thin Click commands, one module each; the only code that prints and picks exit codes."""

from handouts.cli.main import main, run

__all__ = ["main", "run"]
