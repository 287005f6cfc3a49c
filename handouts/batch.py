"""Turn a manifest into many handout PDFs: every row and name checked first, then rendered in parallel."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import signal
import stat
import string
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

import click

from handouts import __version__
from handouts.clinic import Clinic, load_clinic
from handouts.errors import HandoutsError, ManifestError, OutputError, SpecError, UsageError
from handouts.limits import MAX_JOBS
from handouts.manifest import ROW_KEYS, ManifestRow, manifest_format, read_manifest
from handouts.merge import MergeRecord, merge_handouts
from handouts.paths import regular_file_inside, stacked
from handouts.postpass import FINGERPRINT_KEY
from handouts.render import Engine, render_handout
from handouts.spec import HandoutSpec, default_date, normalise_keys, parse_spec
from handouts.write import write_atomic

DEFAULT_NAME = "{id}-{type}-{language}.pdf"
NAME_FIELDS = ("id", "row", "type", "stage", "audience", "language", "paper", "print", "layout", "sheets", "date")
"""What `--name` may use. Never the patient's name or notes."""

MAX_LISTED_PROBLEMS = 100
"""Problems printed before the run starts; the report has every one."""

MAX_LISTED_FAILURES = 20
"""Rows that failed while rendering, printed as they fail; the report has every one."""

_UNSAFE = re.compile(r"[^\w.-]+")
_FORMATTER = string.Formatter()


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


# --- output names -----------------------------------------------------------------------------------


def check_name_template(template: str) -> None:
    """Refuse a --name that could leave OUTDIR, name the patient, or use an unknown field."""
    where = f"--name '{template}'"
    if not template.endswith(".pdf"):
        raise UsageError(f"{where}: must end with .pdf (for example {DEFAULT_NAME})")
    if template.startswith(("/", "~")) or "\\" in template or re.match(r"^[A-Za-z]:", template):
        raise UsageError(f"{where}: must be a file name inside OUTDIR, not an absolute path")
    if any(part in ("", ".", "..") for part in template.split("/")):
        raise UsageError(f"{where}: must not contain '..', '.' or empty folder names")
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in _FORMATTER.parse(template) if name is not None]
    except ValueError as exc:
        raise UsageError(f"{where}: {exc} (write fields as {{id}}, {{type}} ...)") from exc
    for name, spec, conversion in fields:
        if conversion or (spec and not (name == "row" and re.fullmatch(r"0?\d{1,2}d?", spec))):
            raise UsageError(
                f"{where}: {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}} "
                "is not allowed (only {row} takes a width, such as {row:05d})"
            )
        if name in ("patient_name", "notes"):
            raise UsageError(f"{where}: {{{name}}} is not allowed (patient details never go into file names)")
        if name not in NAME_FIELDS:
            raise UsageError(f"{where}: unknown field {{{name}}} (use: {', '.join(NAME_FIELDS)})")


def safe_part(value: str) -> str:
    """A value made safe for one path component: letters, digits, `.`, `_`, `-` only; no leading dot."""
    text = _UNSAFE.sub("-", unicodedata.normalize("NFC", value)).strip(".-")
    return text[:80].strip(".-")


def output_name(template: str, spec: HandoutSpec, row_id: str, number: int) -> str:
    """The file name for a row, from the --name template with every value made safe."""
    values: dict[str, Any] = {
        "id": safe_part(row_id),
        "row": number,
        "type": spec.type or "general",
        "stage": spec.stage,
        "audience": spec.audience,
        "language": spec.language,
        "paper": spec.paper,
        "print": spec.print_size,
        "layout": spec.layout,
        "sheets": "-".join(spec.sheets) or "none",
        "date": spec.date.isoformat(),
    }
    return _FORMATTER.vformat(template, (), values)


def name_problem(name: str, outdir: Path) -> str | None:
    """Why a formatted name cannot be used under OUTDIR, or None when it is fine."""
    parts = name.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return f"output name '{name}' has an empty or hidden part (give every row an id, or change --name)"
    if any(len(part.encode()) > 200 for part in parts):
        return f"output name '{name[:60]}...' is too long (shorten the id or --name)"
    root = outdir.resolve()
    if not (root / name).resolve().is_relative_to(root):
        return f"output name '{name}' leads outside {outdir} (change --name)"
    return None


# --- fingerprints -----------------------------------------------------------------------------------


def tree_digest(directories: Sequence[Path]) -> str:
    """A hash of every file in the content and template directories, so changed content re-renders."""
    digest = hashlib.sha256()
    for directory in directories:
        root = Path(directory).resolve()
        for path in sorted(p for p in Path(directory).rglob("*") if regular_file_inside(p, root)):
            relative = path.relative_to(directory).as_posix()
            if "__pycache__" in relative or relative.startswith("."):
                continue
            digest.update(relative.encode() + b"\0")
            with path.open("rb") as stream:  # in pieces: a large file never sits in memory whole
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            digest.update(b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _json_value(value: Any) -> Any:
    if isinstance(value, Path):
        return _file_digest(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def spec_fingerprint(spec: HandoutSpec, content_digest: str) -> str:
    """A hash of everything that decides a handout's bytes: the spec, its logo, the content, the version."""
    fields = json.dumps(dataclasses.asdict(spec), default=_json_value, sort_keys=True, ensure_ascii=False)
    text = f"handouts {__version__}\n{content_digest}\n{fields}"
    return hashlib.sha256(text.encode()).hexdigest()


# --- planning ---------------------------------------------------------------------------------------


class Planner:
    """Reads the manifest and turns each row into a RowPlan; the same rows give the same plans."""

    def __init__(self, options: BatchOptions, content_digest: str, run_date: dt.date | None = None) -> None:
        self.options = options
        self.fmt = manifest_format(options.manifest, options.fmt)
        self.content_digest = content_digest
        self.run_date = run_date or default_date()
        self.base_dir = options.manifest.parent
        self.root = options.outdir.resolve()
        self._clinics: dict[Path, Clinic | str] = {}

    def plans(self) -> Iterator[RowPlan]:
        for row in read_manifest(self.options.manifest, self.fmt):
            yield self.plan_row(row)

    def plan_row(self, row: ManifestRow) -> RowPlan:
        origin = f"{self.options.manifest}:{row.line}"
        if row.problem is not None:
            return RowPlan(
                row.number, row.line, origin, str(row.number), problems=(f"{origin}: {row.problem}",)
            )
        data = normalise_keys(row.data)
        terms = phi_terms(data)
        row_id, problems = self.row_id(data.pop("id", None), row.number, origin)
        safe_id = safe_part(row_id) or str(row.number)
        problems += self.unknown_keys(data, origin)
        spec = self.parse(data, origin, problems)
        if spec is not None:
            from handouts.pack_batch import sheet_problems

            problems += sheet_problems(spec, origin, self.options.content_dirs, self.options.templates_dirs)
        if spec is not None and not problems:
            name = output_name(self.options.name, spec, row_id, row.number)
            trouble = name_problem(name, self.options.outdir)
            if trouble is None:
                fingerprint = spec_fingerprint(spec, self.content_digest)
                return RowPlan(
                    row.number, row.line, origin, safe_id, str(self.options.outdir / name), self.root / name,
                    spec, fingerprint,
                )  # fmt: skip
            problems.append(f"{origin}: {trouble}")
        return RowPlan(
            row.number, row.line, origin, safe_id, problems=tuple(scrub(p, terms) for p in problems)
        )

    def row_id(self, value: Any, number: int, origin: str) -> tuple[str, list[str]]:
        if value is None or value == "":
            return str(number), []
        if not isinstance(value, str | int) or isinstance(value, bool) or not safe_part(str(value)):
            return str(number), [f"{origin}: id: must be letters and digits (for example 1042 or mrn-1042)"]
        return str(value).strip(), []

    def unknown_keys(self, data: dict[str, Any], origin: str) -> list[str]:
        unknown = [key for key in data if key not in ROW_KEYS]
        for key in unknown:
            del data[key]
        return [f"{origin}: {key}: unknown key (valid keys: {', '.join(ROW_KEYS)})" for key in unknown]

    def parse(self, data: dict[str, Any], origin: str, problems: list[str]) -> HandoutSpec | None:
        if not data.get("date"):
            data["date"] = self.run_date.isoformat()
        if isinstance(data.get("clinic"), str) and data["clinic"].strip():
            clinic = self.clinic(data["clinic"].strip())
            if isinstance(clinic, str):
                problems.extend(f"{origin}: clinic: {line}" for line in problem_lines(clinic))
                data.pop("clinic")
            else:
                data["clinic"] = clinic
        try:
            return parse_spec(data, origin, self.base_dir)
        except SpecError as exc:
            problems.extend(problem_lines(exc.message))
            return None

    def clinic(self, value: str) -> Clinic | str:
        """A clinic file, read once however many rows name it (or the message saying what is wrong)."""
        path = self.base_dir / value
        if path not in self._clinics:
            try:
                self._clinics[path] = load_clinic(path)
            except SpecError as exc:
                self._clinics[path] = exc.message
        return self._clinics[path]


def problem_lines(message: str) -> list[str]:
    """The problems of a SpecError message, one per entry, without the "N problems in" header."""
    lines = message.splitlines()
    if len(lines) > 1 and re.match(r"^\d+ problems in ", lines[0]):
        return [line.strip() for line in lines[1:]]
    return [" ".join(lines)]


def phi_terms(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The patient's name and the notes of a row: text that must never reach a message or log."""
    terms: list[str] = []
    name = data.get("patient_name")
    if isinstance(name, str | int | float) and str(name).strip():
        terms.append(" ".join(str(name).split()))
    notes = data.get("notes")
    for note in [notes] if isinstance(notes, str) else notes if isinstance(notes, list) else []:
        if isinstance(note, str) and len(note.strip()) >= 3:
            terms.append(note.strip())
    return tuple(terms)


def scrub(message: str, terms: Sequence[str]) -> str:
    """Replace any patient name or note that found its way into a message."""
    for term in sorted(terms, key=len, reverse=True):
        if len(term) >= 2:
            message = re.sub(re.escape(term), "[patient details]", message, flags=re.IGNORECASE)
    return message


def spec_terms(spec: HandoutSpec | None) -> tuple[str, ...]:
    if spec is None:
        return ()
    return tuple(t for t in (spec.patient_name or "", *spec.notes) if t)


def check_plan(planner: Planner) -> PlanSummary:
    """First pass: validate every row and every name; collisions stop the run before anything renders."""
    rows = bad = 0
    problems: list[str] = []
    names: dict[str, str] = {}
    collisions: list[str] = []
    folders: set[Path] = set()
    for plan in planner.plans():
        rows += 1
        if plan.problems:
            bad += 1
            problems.extend(plan.problems[: max(0, MAX_LISTED_PROBLEMS - len(problems))])
            continue
        assert plan.target is not None
        folders.add(plan.target.parent)
        key = plan.target.relative_to(planner.root).as_posix().casefold()
        if key in names and len(collisions) < MAX_LISTED_PROBLEMS:
            collisions.append(
                f"{plan.origin}: output name '{plan.output}' is also the name of {names[key]} "
                "(give each row its own id, or add fields to --name)"
            )
        names.setdefault(key, plan.origin)
    if collisions:
        raise ManifestError("\n".join(collisions))
    return PlanSummary(rows=rows, bad_rows=bad, problems=tuple(problems), folders=frozenset(folders))


# --- rendering (runs in the worker processes) --------------------------------------------------------


@dataclass(frozen=True)
class RowResult:
    """What happened to one row: ok, failed or skipped, and what was written."""

    number: int
    line: int
    id: str
    status: str
    output: str = ""
    pages: int | None = None
    sha256: str = ""
    error: str = ""
    pid: int = 0
    peak_kb: int = 0
    checked_only: bool = False
    """True for a row stopped by its own problems before rendering (already listed up front)."""


_ENGINE: list[Engine] = []


def init_worker(content_dirs: tuple[Path, ...], templates_dirs: tuple[Path, ...], parent: int) -> None:
    """Each worker: ignore Ctrl-C (the main process decides), build the engine once, die with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    use_engine(Engine.from_dirs(content_dirs, templates_dirs))
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def use_engine(engine: Engine) -> None:
    """Set the engine this process renders with (the serial path calls it in the main process)."""
    _ENGINE[:] = [engine]


def _exit_with_parent(parent: int) -> None:
    """If the main process is killed (even with kill -9), stop too instead of running on as an orphan."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def render_row(plan: RowPlan, force: bool) -> RowResult:
    """Render one row and write it atomically, or skip it when its file is already up to date."""
    assert plan.spec is not None
    assert plan.target is not None
    try:
        existing = None if force else existing_output(plan.target, plan.fingerprint)
        if existing is not None:
            return _result(plan, "skipped", *existing)
        rendered = render_handout(plan.spec, _ENGINE[0], fingerprint=plan.fingerprint)
        make_folder(plan.target.parent)
        write_atomic(plan.target, rendered.pdf)
        return _result(plan, "ok", rendered.pages, hashlib.sha256(rendered.pdf).hexdigest())
    except HandoutsError as exc:
        return failed_result(plan, exc.message)
    except Exception as exc:
        if os.environ.get("HANDOUTS_DEBUG"):
            traceback.print_exc()
        return failed_result(
            plan,
            f"internal error: {type(exc).__name__}: {exc} (set HANDOUTS_DEBUG=1 for details and report it)",
        )


def make_folder(folder: Path) -> None:
    """Create a folder for handouts (and its parents), or say why it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot create the folder: {exc.strerror} (choose a folder you can write to)"
        ) from exc


MAX_EXISTING_BYTES = 100_000_000
"""A file under a row's name that is larger than this is not a handout: it is rendered again (replaced)."""


def existing_output(target: Path, fingerprint: str) -> tuple[int, str] | None:
    """(pages, SHA-256) of a finished file made from the same spec, or None when it must be rendered."""
    import pikepdf

    try:
        info = target.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_EXISTING_BYTES:
            return None  # a folder, a pipe, a device or a huge file is never read (it could block or fill memory)
        data = target.read_bytes()
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if str(pdf.open_metadata().get(FINGERPRINT_KEY, "")) != fingerprint:
                return None
            return len(pdf.pages), hashlib.sha256(data).hexdigest()
    except (OSError, pikepdf.PdfError, ValueError):
        return None


def _result(plan: RowPlan, status: str, pages: int, sha256: str) -> RowResult:
    return RowResult(
        plan.number,
        plan.line,
        plan.id,
        status,
        plan.output,
        pages,
        sha256,
        pid=os.getpid(),
        peak_kb=peak_kb(),
    )


def failed_result(plan: RowPlan, message: str) -> RowResult:
    """A row that failed to render; the message names the row and never the patient."""
    text = "; ".join(problem_lines(message))
    if not text.startswith(plan.origin):
        text = f"{plan.origin}: {text}"
    return RowResult(
        plan.number, plan.line, plan.id, "failed", error=scrub(text, spec_terms(plan.spec)), pid=os.getpid()
    )


def problem_result(plan: RowPlan) -> RowResult:
    """A row stopped by its own problems (already scrubbed when planned)."""
    return RowResult(
        plan.number, plan.line, plan.id, "failed", error="; ".join(plan.problems), checked_only=True
    )


def peak_kb() -> int:
    """This process's peak resident memory in KiB (0 where the platform cannot tell)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak // 1024 if sys.platform == "darwin" else peak)


# --- the run: a bounded window of rows in flight, results in manifest order ---------------------------


@dataclass
class _Entry:
    plan: RowPlan
    item: Future[RowResult] | RowResult


class Runner:
    """Feeds planned rows to a process pool, at most a few per worker in flight, and yields results in order."""

    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        self.window: deque[_Entry] = deque()
        self.executor: ProcessPoolExecutor | None = None

    def results(self, plans: Iterator[RowPlan]) -> Iterator[RowResult]:
        if self.options.jobs <= 1:
            use_engine(Engine.from_dirs(self.options.content_dirs, self.options.templates_dirs))
            for plan in plans:
                yield problem_result(plan) if plan.problems else render_row(plan, self.options.force)
            return
        limit = self.options.jobs * 4
        for plan in plans:
            self.window.append(self._start(plan))
            while len(self.window) >= limit:
                yield self._finish()
        while self.window:
            yield self._finish()
        self.close()

    def _start(self, plan: RowPlan) -> _Entry:
        if plan.problems:
            return _Entry(plan, problem_result(plan))
        return _Entry(plan, self._pool().submit(render_row, plan, self.options.force))

    def _pool(self) -> ProcessPoolExecutor:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                max_workers=self.options.jobs,
                initializer=init_worker,
                initargs=(self.options.content_dirs, self.options.templates_dirs, os.getpid()),
            )
        return self.executor

    def _finish(self) -> RowResult:
        while True:
            entry = self.window[0]
            if isinstance(entry.item, RowResult):
                self.window.popleft()
                return entry.item
            try:
                result = entry.item.result()
            except BrokenProcessPool:
                self._recover()
                continue
            self.window.popleft()
            return result

    def _recover(self) -> None:
        """A worker died (out of memory, a crash) and took the rows in flight with it: retry each of them
        alone in a fresh pool, so only the row that kills a worker by itself fails."""
        broken = self.executor
        self.executor = None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        for entry in self.window:
            if isinstance(entry.item, Future) and isinstance(entry.item.exception(), BrokenProcessPool):
                entry.item = self._alone(entry.plan)

    def _alone(self, plan: RowPlan) -> RowResult:
        try:
            return self._pool().submit(render_row, plan, self.options.force).result()
        except BrokenProcessPool:
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = None
            return failed_result(
                plan,
                "the worker process stopped while rendering this row (it may need more memory; try --jobs 1)",
            )

    def stop(self) -> Iterator[RowResult]:
        """After Ctrl-C or SIGTERM: let the rows in progress finish, drop the rest, yield what finished."""
        self.close()
        for entry in self.window:
            item = entry.item
            if isinstance(item, RowResult):
                yield item
            elif item.done() and not item.cancelled() and item.exception() is None:
                yield item.result()
        self.window.clear()

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


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
        raise UsageError(f"--jobs {options.jobs}: must be from 1 to {most} (each job is a process of its own)")


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
