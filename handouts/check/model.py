"""The values a content check produces: Problems with place and fix, block and handout scores, the Report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from handouts.check.config import CheckConfig
from handouts.check.readability import Scores
from handouts.errors import HandoutsError
from handouts.errors import Problem as Found

SEVERITIES = ("error", "warning")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong, where it is, and how to fix it."""

    path: str
    line: int
    severity: str
    message: str
    fix: str = ""
    rule: str = "content"

    def text(self, strict: bool = False) -> str:
        """`path:line: severity: what is wrong (how to fix)`."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        fix = f" ({self.fix})" if self.fix else ""
        return f"{where}: {self.effective(strict)}: {self.message}{fix}"

    def effective(self, strict: bool) -> str:
        return "error" if strict else self.severity


@dataclass(frozen=True)
class BlockScore:
    language: str
    id: str
    path: str
    scores: Scores


@dataclass(frozen=True)
class HandoutScore:
    language: str
    type: str
    stage: str
    audience: str
    scores: Scores

    @property
    def name(self) -> str:
        return f"{self.type}/{self.stage}/{self.audience}"


@dataclass(frozen=True)
class Report:
    """What one check run found."""

    problems: tuple[Problem, ...]
    blocks: tuple[BlockScore, ...]
    handouts: tuple[HandoutScore, ...]
    languages: tuple[str, ...]

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    def failed(self, strict: bool) -> bool:
        """Errors always fail; warnings fail only in strict mode."""
        return any(p.severity == "error" or strict for p in self.problems)


@dataclass(frozen=True)
class CheckRequest:
    """What to check: stacked directories (built-in first), the config, and the day to judge dates by."""

    content_dirs: tuple[Path, ...]
    templates_dirs: tuple[Path, ...]
    config: CheckConfig
    today: dt.date
    languages: tuple[str, ...] = ()


@dataclass
class Problems:
    """Collects problems once each; the config decides each rule's severity, `off` drops it."""

    config: CheckConfig
    found: dict[tuple[str, int, str], Problem] = field(default_factory=dict)

    def keep(self, problem: Problem) -> None:
        """Keep the first problem reported at a place with a message (many renders find the same one)."""
        self.found.setdefault((problem.path, problem.line, problem.message), problem)

    def add(self, path: Path | str, line: int, rule: str, message: str, fix: str = "") -> None:
        severity = self.config.severity.get(rule, "error")
        if severity != "off":
            self.keep(Problem(display(path), line, severity, message, fix, rule))

    def warn(self, path: Path | str, line: int, rule: str, message: str, fix: str = "") -> None:
        """A problem that is a warning whatever the config says (e.g. a review falling due soon)."""
        self.keep(Problem(display(path), line, "warning", message, fix, rule))

    def take(self, found: Iterable[Found], rule: str) -> None:
        """Problems as made where they were found (the loader's, a stage error's), each kept as an error."""
        for problem in found:
            message = f"{problem.field}: {problem.message}" if problem.field else problem.message
            path = display(problem.file) if problem.file else ""
            self.keep(Problem(path, problem.line, "error", message, problem.hint, rule))

    def error(self, exc: HandoutsError, rule: str) -> None:
        self.take(exc.problems, rule)


def display(path: Path | str) -> str:
    """A path relative to the working directory when it is under it."""
    candidate = Path(path)
    try:
        return str(candidate.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a loop of symbolic links (Python < 3.13)
        return str(path)
