"""Turn finished rows into a progress bar on a terminal, or a plain line now and then elsewhere."""

from __future__ import annotations

import time
from typing import TextIO

import click

# --- progress -----------------------------------------------------------------------------------------


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
