"""Render one planned row in a worker process into a RowResult: rendered, skipped as up to date, or failed."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import stat
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from handouts.batch.options import RowPlan
from handouts.batch.plan import scrub, spec_terms
from handouts.engine import Engine
from handouts.errors import HandoutsError, OutputError, Problem
from handouts.pdf.xmp import FINGERPRINT_KEY
from handouts.render import render_handout
from handouts.write import write_atomic

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
        return failed_result(plan, exc.problems)
    except Exception as exc:
        if os.environ.get("HANDOUTS_DEBUG"):
            traceback.print_exc()
        internal = (
            f"internal error: {type(exc).__name__}: {exc} (set HANDOUTS_DEBUG=1 for details and report it)"
        )
        return failed_result(plan, [Problem(internal)])


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
    try:
        info = target.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_EXISTING_BYTES:
            return None  # a folder, a pipe, a device or a huge file is never read (it could block or fill memory)
        data = target.read_bytes()
    except OSError:
        return None
    import pikepdf  # only when a file is already there: a fresh batch never loads it

    try:
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


def failed_result(plan: RowPlan, problems: Sequence[Problem]) -> RowResult:
    """A row that failed to render; the message names the row and never the patient."""
    text = "; ".join(" ".join(str(problem).splitlines()) for problem in problems)
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
