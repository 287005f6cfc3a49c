"""One exception tree for everything a user can get wrong, rooted in click.ClickException."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import click


@dataclass(frozen=True)
class Problem:
    """One thing wrong, made where it is found: where (file, line, field), what, and how to fix it."""

    message: str
    hint: str = ""
    file: str = ""
    """The file, or what stands for one: `command line`, `web form`, `manifest.csv row 4`."""
    line: int = 0
    field: str = ""
    """The spec key, form field or manifest column."""

    @property
    def detail(self) -> str:
        """What is wrong and how to fix it, without the place: `what (how)`."""
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def __str__(self) -> str:
        """`file:line: field: what (how)`, leaving out what is not known."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        return ": ".join(part for part in (where, self.field, self.detail) if part)


class HandoutsError(click.ClickException):
    """Base error: Click prints the one-line message and exits 1, without a traceback.

    `problems` holds each problem as made where it was found, for the web form, the batch report and
    `handouts check` to show in their own way; an error made from a message alone holds it as one Problem.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (Problem(message),)

    @classmethod
    def at(cls, file: object, line: int, message: str, hint: str = "") -> Self:
        """One error for one problem at a place: `file:line: what (how)`, with line 0 meaning none."""
        problem = Problem(message, hint, str(file), line)
        return cls(str(problem), [problem])

    @classmethod
    def listing(cls, problems: Sequence[Problem | str], what: str) -> Self:
        """One error for every problem found: one line for one problem, a counted list for several."""
        made = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        return cls(join_problems([str(p) for p in made], what), made)

    def format_message(self) -> str:
        return self.message


class UsageError(HandoutsError):
    """A value given on the command line, in a spec file or a form is not allowed (exit 2)."""

    exit_code = 2


class SpecError(UsageError):
    """A handout spec (flags, spec file, manifest row, web form) is invalid; each Problem names its field."""


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
