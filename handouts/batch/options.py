"""What `handouts batch` was asked to do, and the plain values its planner makes for each row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handouts.batch.names import DEFAULT_NAME
from handouts.spec import HandoutSpec

MAX_LISTED_PROBLEMS = 100
"""Problems printed before the run starts; the report has every one."""

MAX_LISTED_FAILURES = 20
"""Rows that failed while rendering, printed as they fail; the report has every one."""


@dataclass(frozen=True)
class BatchOptions:
    """Everything `handouts batch` was asked to do."""

    manifest: Path
    outdir: Path
    name: str = DEFAULT_NAME
    fmt: str | None = None
    jobs: int = 1
    force: bool = False
    report: Path | None = None
    merge: Path | None = None
    duplex: bool = False
    content_dirs: tuple[Path, ...] = ()
    templates_dirs: tuple[Path, ...] = ()
    assets: tuple[Path, ...] = ()
    """Folders besides the manifest's where a row's clinic files and logos may be."""

    @property
    def report_base(self) -> Path:
        """The report's path without extension: `.csv` and `.json` are written beside each other."""
        base = self.report or self.outdir / "report"
        return base.with_suffix("") if base.suffix.lower() in (".csv", ".json") else base


@dataclass(frozen=True)
class RowPlan:
    """One manifest row, checked: its spec, output file and fingerprint, or the problems that stop it."""

    number: int
    line: int
    origin: str
    id: str
    output: str = ""
    target: Path | None = None
    spec: HandoutSpec | None = None
    fingerprint: str = ""
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanSummary:
    """What the first pass over the manifest found: row counts and the problems of the bad rows."""

    rows: int
    bad_rows: int
    problems: tuple[str, ...]
    folders: frozenset[Path] = field(default_factory=frozenset)
