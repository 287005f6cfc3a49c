"""Run a batch: check the options and every row, then render (or list) them and write the report."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from handouts.batch.fingerprint import tree_digest
from handouts.batch.merge import MergeRecord, merge_handouts
from handouts.batch.names import check_name_template
from handouts.batch.options import MAX_LISTED_FAILURES, BatchOptions, PlanSummary
from handouts.batch.plan import Planner, check_plan
from handouts.batch.progress import Progress
from handouts.batch.report import Report
from handouts.batch.runner import Runner
from handouts.batch.worker import RowResult, existing_output
from handouts.errors import ManifestError, UsageError
from handouts.limits import MAX_JOBS
from handouts.paths import stacked

# --- the command ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts and figures of a run, for the summary line and the report."""

    rows: int
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    listed: int = 0
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


def execute(options: BatchOptions, dry_run: bool = False, quiet: bool = False) -> int:
    """Check everything, then render (or, for a dry run, list) every row. Returns the exit code."""
    check_options(options)
    planner = Planner(options, tree_digest([*stacked("content", options.content_dirs),
                                            *stacked("templates", options.templates_dirs)]))  # fmt: skip
    stamp = _stamp(options.manifest)
    plan = check_plan(planner)
    if options.merge is not None:
        _check_merge_target(planner, options.merge)
    if dry_run:
        return list_plan(planner, plan, options.force)
    _list_problems(plan, quiet)
    try:
        options.outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            f"-o {options.outdir}: cannot create the folder: {exc.strerror} (choose a folder you can write to)"
        ) from exc
    remove_stale_parts({*plan.folders, options.outdir.resolve()})
    if _stamp(options.manifest) != stamp:
        raise ManifestError(f"{options.manifest}: changed while being checked (run the batch again)")
    return run_plan(planner, plan, quiet)


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


def _list_problems(plan: PlanSummary, quiet: bool) -> None:
    if not plan.bad_rows:
        return
    click.echo(
        f"{plan.bad_rows} of {plan.rows} rows have problems and will not be rendered "
        "(the others will; the report lists every problem):",
        err=True,
    )
    for problem in plan.problems:
        click.echo(f"  {problem}", err=True)
    if plan.bad_rows > len(plan.problems):
        click.echo("  ... and more in the report", err=True)


def list_plan(planner: Planner, plan: PlanSummary, force: bool) -> int:
    """--dry-run: one line per row saying what would happen; nothing is rendered or written."""
    counts = {"render": 0, "skip": 0, "problem": 0}
    for row in planner.plans():
        if row.problems:
            counts["problem"] += 1
            for problem in row.problems:
                click.echo(f"problem  {problem}")
            continue
        assert row.target is not None
        action = "render" if force or existing_output(row.target, row.fingerprint) is None else "skip"
        counts[action] += 1
        click.echo(f"{action:<8} {row.origin}: {row.output}")
    click.echo(
        f"Dry run: {plan.rows} rows: {counts['render']} to render, {counts['skip']} up to date (skip), "
        f"{counts['problem']} with problems. Nothing was written."
    )
    return 1 if counts["problem"] else 0


def remove_stale_parts(folders: set[Path] | frozenset[Path]) -> None:
    """Temp files left by a run that was killed (kill -9): never finished, safe to remove."""
    pattern = re.compile(r"^\..+\.(pdf|csv|json)\.[A-Za-z0-9_]+\.part$")
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def run_plan(planner: Planner, plan: PlanSummary, quiet: bool) -> int:
    """Render every planned row, report each, and (with --merge) write the print file."""
    options = planner.options
    tally = Tally(rows=plan.rows)
    progress = Progress(plan.rows, sys.stderr, quiet)
    report = Report(options.report_base, options.manifest)
    runner = Runner(options)
    started = time.monotonic()
    interrupted = False
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        try:
            for result in runner.results(planner.plans()):
                _record(result, tally, report, progress, options.merge is not None)
        except KeyboardInterrupt:
            interrupted = True
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            progress.note("Stopping: letting the rows in progress finish (Ctrl-C again to stop at once)...")
            for result in runner.stop():
                _record(result, tally, report, progress, False)
        progress.close()
        summary = tally.summary(time.monotonic() - started, options.jobs, interrupted)
        report.finish(summary)
    except BaseException:
        report.abandon()
        raise
    finally:
        runner.close()
        signal.signal(signal.SIGTERM, previous)
    return _finish(options, tally, summary, report, quiet)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _record(result: RowResult, tally: Tally, report: Report, progress: Progress, merge: bool) -> None:
    tally.count(result, merge)
    report.add(result)
    if result.status == "failed" and not result.checked_only:
        tally.listed += 1
        if tally.listed <= MAX_LISTED_FAILURES:
            progress.note(f"failed: {result.error}")
    progress.advance(result.pages or 0)


def _finish(options: BatchOptions, tally: Tally, summary: dict[str, Any], report: Report, quiet: bool) -> int:

    def say(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    if tally.listed > MAX_LISTED_FAILURES:
        click.echo(
            f"... {tally.listed - MAX_LISTED_FAILURES} more rows failed while rendering (see the report)",
            err=True,
        )
    say(
        f"{summary['done']} of {tally.rows} rows: {tally.ok} ok, {tally.failed} failed, {tally.skipped} skipped; "
        f"{tally.pages:,} pages in {summary['seconds']:.1f} s ({summary['pages_per_second']:.0f} pages/s)."
    )
    say(f"Report: {report.paths[0]}, {report.paths[1]}")
    if summary["interrupted"]:
        click.echo(
            "Interrupted: run the same command again to finish the rest (finished files are kept).", err=True
        )
        return 130
    if options.merge is not None:
        merged = merge_handouts(tally.merge, options.merge, options.duplex)
        left_out = f" ({tally.failed} failed rows left out)" if tally.failed else ""
        say(f"Print file: {options.merge} ({merged.records} handouts, {merged.pages} pages){left_out}")
    if tally.failed:
        say(
            f"{tally.failed} rows failed: fix them and run the same command again (finished rows are skipped)."
        )
        return 1
    return 0
