"""Show a running batch: rows with problems first, then a progress bar (or a line now and then), then the summary."""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click

from handouts.batch.options import MAX_LISTED_FAILURES, PlanSummary
from handouts.batch.run import BatchResult
from handouts.batch.worker import RowResult


class Progress:
    """A bar with rate and ETA on a terminal, a plain line now and then otherwise, nothing when quiet."""

    def __init__(self, total: int, stream: TextIO, quiet: bool, interval: float | None = None) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.mode = "off" if quiet else "bar" if stream.isatty() else "lines"
        self.interval = interval if interval is not None else (0.2 if self.mode == "bar" else 10.0)
        self.started = time.monotonic()
        self.shown = self.started
        self.done = 0
        self.pages = 0

    def advance(self, pages: int) -> None:
        self.done += 1
        self.pages += pages
        now = time.monotonic()
        if self.mode != "off" and (now - self.shown >= self.interval or self.done == self.total):
            self.shown = now
            self._show(now)

    def note(self, message: str) -> None:
        """Print a line (a failed row) without breaking the bar."""
        self._clear()
        click.echo(message, file=self.stream)
        if self.mode == "bar" and self.done:
            self._show(time.monotonic())

    def close(self) -> None:
        if self.mode == "bar" and self.done:
            self.stream.write("\n")
            self.stream.flush()

    def _clear(self) -> None:
        if self.mode == "bar" and self.done:
            self.stream.write("\r\x1b[2K")

    def _show(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0.0
        figures = f"{self.done}/{self.total} rows, {self.pages / elapsed:.0f} pages/s, ETA {_clock(eta)}"
        if self.mode == "bar":
            filled = int(30 * self.done / self.total)
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {100 * self.done // self.total:3d}%  {figures}"
            )
        else:
            self.stream.write(f"batch: {100 * self.done // self.total}% {figures}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}:{seconds % 60:02d}"


class CheckProgress:
    """While the rows are checked (before any renders), a count now and then so a long manifest is not silent.

    On a terminal the count is rewritten in place; elsewhere the first line comes after a second and
    the next every ten seconds.
    """

    def __init__(
        self, manifest: str, stream: TextIO, quiet: bool, first: float = 1.0, every: float = 10.0
    ) -> None:
        self.manifest = manifest
        self.stream = stream
        self.quiet = quiet
        self.terminal = stream.isatty()
        self.every = 0.2 if self.terminal else every
        self.due = time.monotonic() + first
        self.said = False

    def __call__(self, rows: int, bad: int) -> None:
        if self.quiet or rows % 64:
            return
        now = time.monotonic()
        if now < self.due:
            return
        self.due = now + self.every
        self.said = True
        problems = f", {bad:,} with problems" if bad else ""
        line = f"Checking {self.manifest}: {rows:,} rows so far{problems}..."
        self.stream.write(f"\r\x1b[2K{line}" if self.terminal else line + "\n")
        self.stream.flush()

    def finish(self, rows: int, bad: int) -> None:
        """The total, once, when a count was shown."""
        if self.said and not self.quiet:
            start = "\r\x1b[2K" if self.terminal else ""
            self.stream.write(f"{start}Checked {self.manifest}: {rows:,} rows, {bad:,} with problems.\n")
            self.stream.flush()


class TerminalWatcher:
    """Prints what a batch is doing to standard error; `quiet` keeps only the problems."""

    def __init__(self, quiet: bool, manifest: str = "") -> None:
        self.quiet = quiet
        self.progress = Progress(0, sys.stderr, quiet=True)
        self.listed = 0
        self.check_progress = CheckProgress(manifest, sys.stderr, quiet)

    def checking(self, rows: int, bad: int) -> None:
        self.check_progress(rows, bad)

    def say(self, text: str) -> None:
        if not self.quiet:
            click.echo(text, err=True)

    def planned(self, plan: PlanSummary) -> None:
        self.check_progress.finish(plan.rows, plan.bad_rows)
        if plan.bad_rows:
            click.echo(
                f"{plan.bad_rows} of {plan.rows} rows have problems and will not be rendered "
                "(the others will; the report lists every problem):",
                err=True,
            )
            for problem in plan.problems:
                click.echo(f"  {problem}", err=True)
            if plan.bad_rows > len(plan.problems):
                click.echo("  ... and more in the report", err=True)
        self.progress = Progress(plan.rows, sys.stderr, self.quiet)

    def row_done(self, result: RowResult) -> None:
        if result.status == "failed" and not result.checked_only:
            self.listed += 1
            if self.listed <= MAX_LISTED_FAILURES:
                self.progress.note(f"failed: {result.error}")
        self.progress.advance(result.pages or 0)

    def stopping(self) -> None:
        self.progress.note("Stopping: letting the rows in progress finish (Ctrl-C again to stop at once)...")

    def rows_finished(self) -> None:
        self.progress.close()

    def finished(self, result: BatchResult) -> None:
        summary = result.summary
        if self.listed > MAX_LISTED_FAILURES:
            click.echo(
                f"... {self.listed - MAX_LISTED_FAILURES} more rows failed while rendering (see the report)",
                err=True,
            )
        self.say(
            f"{summary['done']} of {summary['rows']} rows: {summary['ok']} ok, {summary['failed']} failed, "
            f"{summary['skipped']} skipped; {counted(summary['pages'], 'page')} in {summary['seconds']:.1f} s "
            f"({summary['pages_per_second']:.0f} pages/s)."
        )
        self.say(f"Report: {result.report[0]}, {result.report[1]}")
        if result.interrupted:
            click.echo(
                "Interrupted: run the same command again to finish the rest (finished files are kept).",
                err=True,
            )


def counted(count: int, word: str) -> str:
    """'1 page', '4,000 pages'."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
