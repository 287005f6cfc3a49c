"""Turn timed runs of the handout pipeline and of a bare ReportLab baseline into a table of speed and memory.

    python benchmarks/run.py                 # 240-row batch in one process, as in the README
    python benchmarks/run.py --rows 1000 --jobs 2 --memory   # the larger batch, with memory per worker
    python benchmarks/run.py --pack-only     # a handout and three topic sheets: one pack vs. four PDFs

Every figure is measured against the baseline in the same run, and the two alternate (warm renders one
by one, cold processes one by one, the bare batch before and after the pipeline's), so a busy machine
slows both alike. Each goal of docs/architecture.md is one row: the ratio to bare ReportLab.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bare import Job, bare_pdf, job_for  # noqa: E402

TYPES = ("rrms", "cis", "spms", "ppms", "")
STAGES = ("newly-diagnosed", "established")
AUDIENCES = ("patient", "caregiver")
NOTES = "Next MRI in March | Bring this sheet to your next visit"
PLACEHOLDER = "Person 00000"


@dataclass(frozen=True)
class Line:
    """One row of the table."""

    measure: str
    handouts: str
    bare: str = ""
    ratio: str = ""
    goal: str = ""


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- inputs -----------------------------------------------------------------------------------------


def make_clinic(work: Path) -> Path:
    """A clinic profile with a logo, so the logo, the clinic lines and the QR code are all drawn."""
    from PIL import Image

    Image.new("RGB", (240, 80), "#1F4E79").save(work / "logo.png")
    clinic = work / "clinic.yaml"
    clinic.write_text(
        "name: Riverside MS Centre\ndepartment: Neurology\nphone: 555 0100\nlogo: logo.png\n"
        "url: https://example.org/ms\n",
        encoding="utf-8",
    )
    return clinic


def variant(index: int) -> dict[str, str]:
    """The spec keys of row `index`: 20 tailorings in turn, every feature on."""
    kind = TYPES[index % len(TYPES)]
    stage = STAGES[(index // len(TYPES)) % len(STAGES)]
    audience = AUDIENCES[(index // (len(TYPES) * len(STAGES))) % len(AUDIENCES)]
    return {"type": kind, "stage": stage, "audience": audience}


def person(index: int) -> str:
    return f"Person {index:05d}"


def write_manifest(path: Path, rows: int) -> None:
    fields = ["id", "type", "stage", "audience", "clinic", "notes", "patient_name", "date"]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(fields)
        for i in range(rows):
            keys = variant(i)
            writer.writerow(
                [f"r{i:05d}", keys["type"], keys["stage"], keys["audience"], "clinic.yaml", NOTES, person(i),
                 "2026-01-05"]
            )  # fmt: skip


def row_spec(index: int, clinic: Path, name: str | None = None) -> Any:
    from handouts.spec import parse_spec

    data = {**variant(index), "clinic": str(clinic), "notes": NOTES.split(" | "), "date": "2026-01-05"}
    return parse_spec({**data, "patient_name": name or person(index)}, "benchmark", clinic.parent)


def variant_jobs(clinic: Path, engine: Any) -> list[Job]:
    """The bare baseline's text for each of the 20 tailorings, with a placeholder for the name."""
    return [job_for(row_spec(i, clinic, PLACEHOLDER), engine) for i in range(20)]


def job_for_row(jobs: list[Job], index: int) -> Job:
    blocks = [[s, m.replace(PLACEHOLDER, person(index)), b] for s, m, b in jobs[index % 20]["blocks"]]
    return {**jobs[index % 20], "blocks": blocks}


# --- measurements -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds, and CPU seconds of every process involved (steady on a busy machine)."""

    wall: float
    cpu: float


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def per_call(functions: list[Callable[[], Any]], repeat: int) -> list[Timing]:
    """Median time per call of each function, in this process, the functions taking turns after two
    warm-up rounds (so a change in load falls on all of them alike)."""
    for _ in range(2):
        for function in functions:
            function()
    walls: list[list[float]] = [[] for _ in functions]
    cpus: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for index, function in enumerate(functions):
            start, cpu = time.perf_counter(), time.process_time()
            function()
            walls[index].append(time.perf_counter() - start)
            cpus[index].append(time.process_time() - cpu)
    return [Timing(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)]


def fresh_processes(commands: list[tuple[list[str], dict[str, str]]], repeat: int, cwd: Path) -> list[Timing]:
    """Median time of each command (with its extra environment) run as a new process, the commands taking
    turns."""
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(repeat):
        for index, (command, extra) in enumerate(commands):
            start, cpu = time.perf_counter(), children_cpu()
            subprocess.run(command, cwd=cwd, check=True, capture_output=True, env={**child_env(), **extra})
            walls[index].append(time.perf_counter() - start)
            cpus[index].append(children_cpu() - cpu)
    return [Timing(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)]


def child_env() -> dict[str, str]:
    """The environment of every process started here: this checkout's handouts comes first."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def handouts_command() -> list[str]:
    """`handouts` started as a new process by this Python (the console script does the same)."""
    return [sys.executable, "-m", "handouts"]


def run_batch(work: Path, manifest: Path, outdir: Path, jobs: int) -> tuple[Timing, dict[str, Any]]:
    """`handouts batch` as a user runs it; CPU time counts the main process and its workers."""
    command = [*handouts_command(), "batch", str(manifest), "-o", str(outdir), "--jobs", str(jobs), "-q"]
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, cwd=work, check=False, env=child_env())
    timing = Timing(time.perf_counter() - start, children_cpu() - cpu)
    report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
    failed = [row["error"] for row in report["rows"] if row["status"] != "ok"]
    if failed:
        raise SystemExit(f"benchmark: {len(failed)} rows did not render, the first: {failed[0]}")
    summary: dict[str, Any] = report["summary"]
    return timing, summary


_BARE_JOBS: list[Job] = []


def _bare_init(jobs: list[Job]) -> None:
    _BARE_JOBS[:] = jobs


def _bare_row(task: tuple[int, str]) -> int:
    index, outdir = task
    pdf, pages = bare_pdf(job_for_row(_BARE_JOBS, index))
    Path(outdir, f"r{index:05d}.pdf").write_bytes(pdf)
    return pages


def run_bare_batch(jobs: list[Job], rows: int, processes: int, outdir: Path) -> tuple[Timing, int]:
    """The baseline batch: the same rows' text through bare ReportLab in the same number of processes."""
    outdir.mkdir()
    start, cpu = time.perf_counter(), children_cpu()
    pool = multiprocessing.Pool(processes, initializer=_bare_init, initargs=(jobs,))
    pages = sum(pool.imap(_bare_row, [(i, str(outdir)) for i in range(rows)], chunksize=4))
    pool.close()
    pool.join()
    return Timing(time.perf_counter() - start, children_cpu() - cpu), pages


# --- the table --------------------------------------------------------------------------------------


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def measure_warm(spec: Any, job: Job, plain_job: Job, engine: Any, repeat: int) -> list[Line]:
    """Handouts rendered again and again in this process, taking turns with the bare layout of their text:
    the default handout (no clinic), and the same with a clinic's logo, lines and QR code."""
    from handouts.render import render_handout

    plain = dataclasses.replace(spec, clinic=None)
    pages = render_handout(spec, engine).pages
    plain_pages = render_handout(plain, engine).pages
    bare_pages, plain_bare_pages = bare_pdf(job)[1], bare_pdf(plain_job)[1]
    warm, bare, warm_plain, bare_plain, fresh = per_call(
        [lambda: render_handout(spec, engine), lambda: bare_pdf(job),
         lambda: render_handout(plain, engine), lambda: bare_pdf(plain_job), lambda: afresh(plain, engine)],
        repeat,
    )  # fmt: skip
    return [
        Line("warm, default handout: CPU ms per page", f"{ms(warm_plain.cpu / plain_pages)} ({plain_pages} pages)",
             f"{ms(bare_plain.cpu / plain_bare_pages)} ({plain_bare_pages} pages)",
             ratio(warm_plain.cpu / plain_pages, bare_plain.cpu / plain_bare_pages), "within 1.15x"),
        Line("warm, clinic + logo + QR: CPU ms per page", f"{ms(warm.cpu / pages)} ({pages} pages)",
             f"{ms(bare.cpu / bare_pages)} ({bare_pages} pages)",
             ratio(warm.cpu / pages, bare.cpu / bare_pages), "within 1.15x"),
        Line("  the default handout with every line broken afresh: CPU ms per page",
             f"{ms(fresh.cpu / plain_pages)}", "", ratio(fresh.cpu / plain_pages, bare_plain.cpu / plain_bare_pages)),
    ]  # fmt: skip


def afresh(spec: Any, engine: Any) -> Any:
    """A render that finds no line breaks from earlier handouts and keeps none (as the first handout of a
    process does); the other renders' memo is set aside meanwhile, not cleared."""
    from handouts.pdf import linebreaks
    from handouts.render import render_handout

    kept, linebreaks.LINE_BREAKS = linebreaks.LINE_BREAKS, linebreaks.LineBreakMemo(budget=0, sightings=0)
    try:
        return render_handout(spec, engine)
    finally:
        linebreaks.LINE_BREAKS = kept


def measure_pack(spec: Any, engine: Any, repeat: int) -> list[Line]:
    """A pack (the handout and three topic sheets, one document) beside the sum of its parts made alone."""
    from handouts.render import render_handout

    sheets = tuple(sorted(engine.library("en").sheets))[:3]
    if not sheets:
        return [Line("pack: no topic sheets in the library", "-")]
    pack = dataclasses.replace(spec, sheets=sheets)
    alone = [spec, *(dataclasses.replace(spec, sheets=(s,), sheets_only=True) for s in sheets)]
    pack_pages = render_handout(pack, engine).pages
    parts_pages = sum(render_handout(part, engine).pages for part in alone)
    timings = per_call(
        [
            lambda: render_handout(pack, engine),
            *(lambda part=part: render_handout(part, engine) for part in alone),
        ],
        repeat,
    )
    together, apart = timings[0], sum(t.cpu for t in timings[1:])
    names = ", ".join(sheets)
    return [
        Line(f"pack of the handout and {names}: CPU ms", f"{ms(together.cpu)} ({pack_pages} pages)",
             "", "", ""),
        Line("  the same four parts made one by one: CPU ms (sum)", f"{ms(apart)} ({parts_pages} pages)", "",
             ratio(together.cpu, apart), "about 1x"),
    ]  # fmt: skip


def measure_cold(work: Path, job: Job, repeat: int) -> list[Line]:
    """`handouts build` as a new process, taking turns with a new process that imports ReportLab and lays
    out the same text."""
    spec = {**variant(0), "clinic": "clinic.yaml", "notes": NOTES.split(" | "), "patient_name": person(0),
            "date": "2026-01-05"}  # fmt: skip
    (work / "spec.yaml").write_text(json.dumps(spec), encoding="utf-8")
    (work / "job.json").write_text(json.dumps(job), encoding="utf-8")
    build = [*handouts_command(), "build", "--spec", "spec.yaml", "-o", "cold.pdf"]
    bare_script = [sys.executable, str(ROOT / "benchmarks" / "bare.py"), "job.json", "bare.pdf"]
    subprocess.run(build, cwd=work, check=True, capture_output=True, env=child_env())  # fills the cache
    no_cache = {"HANDOUTS_CACHE_DIR": "off"}
    commands = [(build, {}), (bare_script, {}), (build, no_cache), ([sys.executable, "-c", "pass"], {})]
    cold, bare, first, floor = fresh_processes(commands, repeat, work)
    return [
        Line("cold `handouts build` process: wall s (CPU s)", f"{cold.wall:.2f} ({cold.cpu:.2f})",
             f"{bare.wall:.2f} ({bare.cpu:.2f})", ratio(cold.wall, bare.wall), "within 1.8x"),
        Line("  the same with no cache folder (a first run): wall s (CPU s)", f"{first.wall:.2f} ({first.cpu:.2f})",
             "", ratio(first.wall, bare.wall)),
        Line("  Python starting and doing nothing: wall s", f"{floor.wall:.2f}"),
    ]  # fmt: skip


def measure_batch(
    work: Path, jobs: list[Job], rows: int, processes: int
) -> tuple[list[Line], dict[str, Any]]:
    """A batch of `rows` through `handouts batch`, and the same text through bare ReportLab before and after."""
    manifest = work / "manifest.csv"
    write_manifest(manifest, rows)
    before, bare_pages = run_bare_batch(jobs, rows, processes, work / "bare-before")
    timing, summary = run_batch(work, manifest, work / "out", processes)
    after, _ = run_bare_batch(jobs, rows, processes, work / "bare-after")
    bare = Timing((before.wall + after.wall) / 2, (before.cpu + after.cpu) / 2)  # load drifts; average it out
    pages = summary["pages"]
    return [
        Line(f"batch of {rows:,} rows, --jobs {processes}: pages per second (wall)",
             f"{pages / timing.wall:.0f} ({pages:,} pages in {timing.wall:.1f} s)",
             f"{bare_pages / bare.wall:.0f} ({bare_pages:,} pages in {bare.wall:.1f} s)",
             ratio(timing.wall / pages, bare.wall / bare_pages)),
        Line("  batch: CPU ms per page, all processes", ms(timing.cpu / pages), ms(bare.cpu / bare_pages),
             ratio(timing.cpu / pages, bare.cpu / bare_pages), "within 1.25x"),
        Line(f"  batch: pages per second on {processes} idle cores (from CPU time)",
             f"{pages * processes / timing.cpu:.0f}", f"{bare_pages * processes / bare.cpu:.0f}", "",
             "at least 100"),
    ], summary  # fmt: skip


def measure_memory(work: Path, rows: int, processes: int, big: dict[str, Any]) -> list[Line]:
    """Peak memory of a worker after a tenth of the rows, and after all of them."""
    small_rows = max(1, rows // 10)
    write_manifest(work / "small.csv", small_rows)
    _, small = run_batch(work, work / "small.csv", work / "small", processes)
    big_mb, small_mb = big["peak_worker_memory_mb"], small["peak_worker_memory_mb"]
    growth = (big_mb - small_mb) / small_mb * 100 if small_mb else 0.0
    return [
        Line(f"peak memory per worker, {small_rows:,} rows: MB", f"{small_mb:.0f}"),
        Line(
            f"peak memory per worker, {rows:,} rows: MB", f"{big_mb:.0f}", "", f"{growth:+.1f}%", "within 10%"
        ),
    ]


def measure(args: argparse.Namespace, work: Path) -> list[Line]:
    from handouts.engine import Engine

    clinic = make_clinic(work)
    engine = Engine.from_dirs()
    jobs = variant_jobs(clinic, engine)
    spec = row_spec(0, clinic)
    if args.pack_only:
        return measure_pack(spec, engine, args.repeat)
    plain_job = job_for(dataclasses.replace(spec, clinic=None), engine)
    lines = measure_warm(spec, job_for_row(jobs, 0), plain_job, engine, args.repeat)
    lines += measure_pack(spec, engine, args.repeat)
    lines += measure_cold(work, job_for_row(jobs, 0), args.repeat)
    batch_lines, summary = measure_batch(work, jobs, args.rows, args.jobs)
    if args.memory:
        batch_lines += measure_memory(work, args.rows, args.jobs, summary)
    return lines + batch_lines


def table(lines: list[Line]) -> str:
    header = Line("measure", "handouts", "bare ReportLab", "ratio", "goal")
    rows = [header, Line("---", "---", "---", "---", "---"), *lines]
    return "\n".join(f"| {r.measure} | {r.handouts} | {r.bare} | {r.ratio} | {r.goal} |" for r in rows)


def environment() -> str:
    import reportlab
    from reportlab.lib import rl_accel

    accel = "C" if rl_accel._c_funcs else "pure Python"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpus} CPUs, Python {platform.python_version()}, ReportLab {reportlab.Version} "
        f"(accelerators: {accel}), load average {os.getloadavg()[0]:.1f} at the start{bytecode_warning()}"
    )


def bytecode_warning() -> str:
    """A warning when handouts' modules have no bytecode: every cold process would compile them (~50 ms)."""
    import importlib.util

    package = ROOT / "handouts"
    sources = [package / "render.py", package / "cli" / "main.py", package / "pdf" / "document.py"]
    missing = [s for s in sources if not Path(importlib.util.cache_from_source(str(s))).exists()]
    if not missing:
        return ""
    return "; WARNING: handouts has no bytecode, cold timings include compiling it (python -m compileall -q handouts)"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=240, help="rows in the batch (default 240)")
    parser.add_argument("--jobs", type=int, default=1, help="processes for both batches (default 1)")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per single-handout figure")
    parser.add_argument(
        "--memory", action="store_true", help="also measure memory per worker (a second batch)"
    )
    parser.add_argument("--pack-only", action="store_true", help="only the pack against the sum of its parts")
    args = parser.parse_args()
    say(environment())
    with tempfile.TemporaryDirectory(prefix="handouts-bench-") as tmp:
        os.environ["HANDOUTS_CACHE_DIR"] = str(Path(tmp, "cache"))  # starts empty; the first build fills it
        say(table(measure(args, Path(tmp))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
