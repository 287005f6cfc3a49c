"""Run a batch: check the options and every row, then render (or list) them; return what happened, print nothing."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from handouts.batch.fingerprint import tree_digest
from handouts.batch.lock import folder_lock
from handouts.batch.merge import Merged, MergeRecord, merge_handouts
from handouts.batch.names import check_name_template
from handouts.batch.options import BatchOptions, PlanSummary
from handouts.batch.plan import Planner, check_plan
from handouts.batch.report import Report
from handouts.batch.runner import Runner
from handouts.batch.worker import RowResult, existing_output
from handouts.errors import ManifestError, UsageError
from handouts.limits import MAX_JOBS
from handouts.paths import stacked

RowCounter = Callable[[int, int], None]
"""Told (rows checked, rows with problems) as the manifest is checked."""


class Watcher(Protocol):
    """What the command line shows while a batch runs; the batch itself prints nothing."""

    def checking(self, rows: int, bad: int) -> None:
        """Another row was checked (before anything renders)."""

    def planned(self, plan: PlanSummary) -> None:
        """Every row was checked: the rows with problems will not be rendered."""

    def row_done(self, result: RowResult) -> None:
        """One row finished (rendered, skipped or failed), in manifest order."""

    def stopping(self) -> None:
        """Interrupted: the rows in progress finish, no new ones start."""

    def rows_finished(self) -> None:
        """The last row is done; the report is written next."""

    def finished(self, result: BatchResult) -> None:
        """Every row is done and the report is written; the print file comes next."""


@dataclass(frozen=True)
class PlannedRow:
    """One line of a dry run: what would happen to a row."""

    action: str
    """render, skip (up to date) or problem."""
    text: str


@dataclass(frozen=True)
class DryRun:
    """What a batch would do, row by row; nothing is rendered or written."""

    rows: int
    lines: tuple[PlannedRow, ...]
    problem_rows: int

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: counts and figures (the report's summary), the report files, the print file."""

    summary: dict[str, Any]
    report: tuple[Path, Path]
    merge: Path | None = None
    merged: Merged | None = None

    @property
    def interrupted(self) -> bool:
        return bool(self.summary["interrupted"])

    @property
    def failed(self) -> int:
        return int(self.summary["failed"])


@dataclass
class Tally:
    """Counts and figures of a run, for the summary line and the report."""

    rows: int
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    peaks: dict[int, int] = field(default_factory=dict)
    merge: list[MergeRecord] = field(default_factory=list)

    def count(self, result: RowResult, keep_for_merge: bool) -> None:
        setattr(self, result.status, getattr(self, result.status) + 1)
        self.pages += result.pages or 0
        if result.pid and result.peak_kb:
            self.peaks[result.pid] = max(self.peaks.get(result.pid, 0), result.peak_kb)
        if keep_for_merge and result.status != "failed":
            self.merge.append(MergeRecord(Path(result.output), result.id))

    def summary(self, seconds: float, jobs: int, interrupted: bool) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "done": self.ok + self.failed + self.skipped,
            "ok": self.ok,
            "failed": self.failed,
            "skipped": self.skipped,
            "pages": self.pages,
            "seconds": round(seconds, 3),
            "pages_per_second": round(self.pages / seconds, 1) if seconds else 0.0,
            "jobs": jobs,
            "peak_worker_memory_mb": round(max(self.peaks.values(), default=0) / 1024, 1),
            "interrupted": interrupted,
        }


def check_options(options: BatchOptions) -> None:
    """Option mistakes that stop the run before the manifest is read (exit 2)."""
    check_name_template(options.name)
    if options.duplex and options.merge is None:
        raise UsageError("--duplex pads the records of the print file: give --merge print.pdf too")
    if options.merge is not None:
        if options.merge.suffix.lower() != ".pdf":
            raise UsageError(f"--merge {options.merge}: must be a .pdf file (for example print.pdf)")
        if not (options.merge.parent if str(options.merge.parent) else Path(".")).is_dir():
            raise UsageError(
                f"--merge {options.merge}: folder {options.merge.parent} does not exist (create it)"
            )
    if options.outdir.exists() and not options.outdir.is_dir():
        raise UsageError(f"-o {options.outdir}: is a file, not a folder (give a folder for the handouts)")
    most = max(MAX_JOBS, os.cpu_count() or 1)  # the default, one job per CPU, is always allowed
    if not 1 <= options.jobs <= most:
        raise UsageError(
            f"--jobs {options.jobs}: must be from 1 to {most} (each job is a process of its own)"
        )


def _stamp(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot be read: {exc.strerror} (check the manifest path)") from exc
    return info.st_size, info.st_mtime_ns


def _check_merge_target(planner: Planner, merge: Path) -> None:
    target = merge.resolve()
    for plan in planner.plans():
        if plan.target == target:
            raise ManifestError(f"--merge {merge}: is also the output of {plan.origin} (choose another name)")


def remove_stale_parts(folders: set[Path] | frozenset[Path]) -> None:
    """Temp files left by a run that was killed (kill -9): never finished, safe to remove."""
    pattern = re.compile(r"^\..+\.(pdf|csv|json)\.[A-Za-z0-9_]+\.part$")
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def plan_batch(
    options: BatchOptions, on_row: RowCounter | None = None
) -> tuple[Planner, PlanSummary, tuple[int, int]]:
    """Check the options, every row and every output name, without rendering; with the manifest's stamp.

    `on_row(rows, bad)` is told after each row is checked (a million rows take a while).
    """
    check_options(options)
    planner = Planner(options, tree_digest([*stacked("content", options.content_dirs),
                                            *stacked("templates", options.templates_dirs)]))  # fmt: skip
    stamp = _stamp(options.manifest)
    plan = check_plan(planner, on_row)
    if options.merge is not None:
        _check_merge_target(planner, options.merge)
    return planner, plan, stamp


def dry_run(options: BatchOptions, on_row: RowCounter | None = None) -> DryRun:
    """--dry-run: what would happen to each row; nothing is rendered or written."""
    planner, plan, _ = plan_batch(options, on_row)
    lines: list[PlannedRow] = []
    problem_rows = 0
    for row in planner.plans():
        if row.problems:
            problem_rows += 1
            lines += [PlannedRow("problem", problem) for problem in row.problems]
            continue
        assert row.target is not None
        up_to_date = not options.force and existing_output(row.target, row.fingerprint) is not None
        lines.append(PlannedRow("skip" if up_to_date else "render", f"{row.origin}: {row.output}"))
    return DryRun(rows=plan.rows, lines=tuple(lines), problem_rows=problem_rows)


def run_batch(options: BatchOptions, watcher: Watcher) -> BatchResult:
    """Check everything, then render every good row, write the report and (with --merge) the print file.

    The output folder is locked for the whole run, from before the rows are checked when it exists
    already, so a second batch into it is refused at once.
    """
    with contextlib.ExitStack() as locks:
        locked = _lock(locks, options) if options.outdir.is_dir() else False
        planner, plan, stamp = plan_batch(options, watcher.checking)
        watcher.planned(plan)
        try:
            options.outdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(
                f"-o {options.outdir}: cannot create the folder: {exc.strerror} (choose a folder you can write to)"
            ) from exc
        if not locked:
            _lock(locks, options)
        remove_stale_parts({*plan.folders, options.outdir.resolve()})
        if _stamp(options.manifest) != stamp:
            raise ManifestError(f"{options.manifest}: changed while being checked (run the batch again)")
        tally, result = _render_rows(planner, plan, watcher)
        watcher.finished(result)
        if options.merge is None or result.interrupted:
            return result
        merged = merge_handouts(tally.merge, options.merge, options.duplex)
        return BatchResult(result.summary, result.report, options.merge, merged)


def _lock(locks: contextlib.ExitStack, options: BatchOptions) -> bool:
    for folder, option in lock_folders(options):
        locks.enter_context(folder_lock(folder, option))
    return True


def lock_folders(options: BatchOptions) -> list[tuple[Path, str]]:
    """OUTDIR, and the report's folder when it is elsewhere: two batches never share either."""
    folders = [(options.outdir, "-o")]
    report_folder = options.report_base.parent
    if report_folder.is_dir() and report_folder.resolve() != options.outdir.resolve():
        folders.append((report_folder, "--report"))
    return folders


def _render_rows(planner: Planner, plan: PlanSummary, watcher: Watcher) -> tuple[Tally, BatchResult]:
    """Render every planned row and record each in the report, in manifest order."""
    options = planner.options
    tally = Tally(rows=plan.rows)
    report = Report(options.report_base, options.manifest)
    runner = Runner(options)
    started = time.monotonic()
    interrupted = False
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            for result in runner.results(planner.plans()):
                _record(result, tally, report, watcher, options.merge is not None)
        except KeyboardInterrupt:
            interrupted = True
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            watcher.stopping()
            for result in runner.stop():
                _record(result, tally, report, watcher, False)
        watcher.rows_finished()
        summary = tally.summary(time.monotonic() - started, options.jobs, interrupted)
        report.finish(summary)
    except BaseException:
        report.abandon()
        raise
    finally:
        runner.close()
        signal.signal(signal.SIGTERM, previous)
    return tally, BatchResult(summary, report.paths)


def _record(result: RowResult, tally: Tally, report: Report, watcher: Watcher, merge: bool) -> None:
    tally.count(result, merge)
    report.add(result)
    watcher.row_done(result)
