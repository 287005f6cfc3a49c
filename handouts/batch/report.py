"""Turn row results into the batch report: a CSV and a JSON summary, written atomically."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from handouts.batch.worker import RowResult
from handouts.errors import OutputError, UsageError

# --- the report ---------------------------------------------------------------------------------------

REPORT_FIELDS = ("row", "line", "id", "status", "output", "pages", "sha256", "error")


class Report:
    """report.csv and report.json, one line per row, streamed to temp files and renamed at the end."""

    def __init__(self, base: Path, manifest: Path) -> None:
        self.paths = (base.parent / f"{base.name}.csv", base.parent / f"{base.name}.json")
        self.temps: list[str] = []
        self.streams: list[TextIO] = []
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
            for path in self.paths:
                self._open(path)
            self.csv = csv.writer(self.streams[0], lineterminator="\n")
            self.csv.writerow(REPORT_FIELDS)
            self.streams[1].write(
                '{"manifest": ' + json.dumps(str(manifest), ensure_ascii=False) + ',\n "rows": ['
            )
        except OSError as exc:  # before anything renders: a usage error
            self.abandon()
            raise UsageError(
                f"{self.paths[0]}: cannot write the report here: {exc.strerror} "
                "(choose a folder you can write to, or give --report another place)"
            ) from exc
        self.first = True

    def _open(self, path: Path) -> None:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        self.temps.append(temp)
        self.streams.append(os.fdopen(handle, "w", encoding="utf-8", newline=""))

    def add(self, result: RowResult) -> None:
        values = (result.number, result.line, result.id, result.status, result.output,
                  result.pages, result.sha256, result.error)  # fmt: skip
        row = json.dumps(dict(zip(REPORT_FIELDS, values, strict=True)), ensure_ascii=False)
        try:
            self.csv.writerow(["" if v is None else v for v in values])
            self.streams[1].write(("\n  " if self.first else ",\n  ") + row)
        except OSError as exc:
            raise self._failed(exc) from exc
        self.first = False

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Complete both files, then rename both: a report is either whole or not there."""
        try:
            self.streams[1].write('\n ],\n "summary": ' + json.dumps(summary, ensure_ascii=False) + "\n}\n")
            for stream, temp in zip(self.streams, self.temps, strict=True):
                stream.flush()
                os.fsync(stream.fileno())
                stream.close()
                os.chmod(temp, 0o644)
            for temp, path in zip(self.temps, self.paths, strict=True):
                os.replace(temp, path)
        except OSError as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: OSError) -> OutputError:
        return OutputError(
            f"{self.paths[0]}: the report could not be written: {exc.strerror} (free some space or give "
            "--report another place, then run the same command again: finished handouts are kept)"
        )

    def abandon(self) -> None:
        for stream in self.streams:
            with contextlib.suppress(OSError):
                stream.close()  # closing flushes, which fails again on a full disk
        for temp in self.temps:
            with contextlib.suppress(OSError):
                os.unlink(temp)
