"""One exception tree for everything a user can get wrong, rooted in click.ClickException."""

from __future__ import annotations

from collections.abc import Sequence

import click


class HandoutsError(click.ClickException):
    """Base error: Click prints the one-line message and exits 1, without a traceback."""

    def format_message(self) -> str:
        return self.message


class UsageError(HandoutsError):
    """A value given on the command line, in a spec file or a form is not allowed (exit 2)."""

    exit_code = 2


class SpecError(UsageError):
    """A handout spec (flags, spec file, manifest row, web form) is invalid."""

    def __init__(self, message: str, fields: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(message)
        self.fields = tuple(fields)
        """(spec key, "what (how)") for each problem, so a form can show it next to its field."""


class ManifestError(UsageError):
    """A batch manifest cannot be read, or its columns or output names are wrong (exit 2)."""


class ContentError(HandoutsError):
    """A content directory has problems: front matter, sources, glossary, questions."""


class LayoutError(HandoutsError):
    """A layout template failed to render or produced XML outside the vocabulary."""


class ThemeError(HandoutsError):
    """A theme file is missing, malformed, or asks for something that does not exist."""


class RenderError(HandoutsError):
    """ReportLab could not lay out or draw the handout."""


class OutputError(HandoutsError):
    """The PDF could not be written where it was asked to go."""


def join_problems(problems: list[str], what: str) -> str:
    """Return one message listing every problem, one per line."""
    if len(problems) == 1:
        return problems[0]
    lines = "\n  ".join(problems)
    return f"{len(problems)} problems in {what}:\n  {lines}"
