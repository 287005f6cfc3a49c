"""Real faults in the print file (`--merge`): a full disk, and memory that must not grow with the rows.

The disk is filled for real with a file-size limit (RLIMIT_FSIZE: the kernel refuses the write with
EFBIG on any machine); memory is the peak resident size of a fresh process merging real handouts.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest

from ..test_faults import assert_clean_output, children, pdfs, read_report, write_manifest

ROWS = 6


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A manifest and the folder of its finished handouts."""
    home = tmp_path_factory.mktemp("merge")
    manifest = write_manifest(home / "m.csv", ROWS)
    outdir = home / "out"
    done = subprocess.run(
        [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return manifest, outdir


def test_merge_on_a_full_disk_fails_cleanly_and_keeps_the_handouts(
    finished: tuple[Path, Path], tmp_path: Path
) -> None:
    manifest, built = finished
    outdir = tmp_path / "out"
    outdir.mkdir()
    for path in built.glob("*.pdf"):
        (outdir / path.name).write_bytes(path.read_bytes())
    before = pdfs(outdir)
    largest = max(p.stat().st_size for p in outdir.glob("*.pdf"))
    limit = largest * 2  # every handout fits; the print file of six does not

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    target = tmp_path / "print" / "print.pdf"
    target.parent.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "handouts",
            "batch",
            str(manifest),
            "-o",
            str(outdir),
            "--merge",
            str(target),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_disk,
    )
    assert result.returncode == 1, result.stderr
    assert_clean_output(result.stderr)
    assert "terminate called" not in result.stderr
    assert result.stderr == (
        f"Error: {target}: could not be written: File too large (check free space and permissions)\n"
    )
    assert list(target.parent.iterdir()) == []  # no print file, no part file
    assert pdfs(outdir) == before
    assert [row["status"] for row in read_report(outdir / "report")] == ["skipped"] * ROWS
    json.loads((outdir / "report.json").read_text())


def rasters(pdf: Path, first: int, last: int) -> list[bytes]:
    """Each page drawn by poppler at a low resolution, as PGM bytes."""
    done = subprocess.run(
        ["pdftoppm", "-r", "20", "-gray", "-f", str(first), "-l", str(last), str(pdf)],
        capture_output=True,
        check=True,
    )
    pages = done.stdout.split(b"P5\n")
    return [b"P5\n" + page for page in pages if page]


def test_merged_pages_look_exactly_like_the_handouts(finished: tuple[Path, Path], tmp_path: Path) -> None:
    from handouts.batch.merge import MergeRecord, merge_handouts

    _, built = finished
    handouts = sorted(built.glob("*.pdf"))[:3]
    target = tmp_path / "print.pdf"
    merged = merge_handouts([MergeRecord(p, p.stem) for p in handouts], target, duplex=True)
    assert subprocess.run(["qpdf", "--check", str(target)], capture_output=True).returncode == 0
    reader = pypdf.PdfReader(target)
    assert len(reader.pages) == merged.pages
    assert "/AcroForm" not in reader.trailer["/Root"]
    start = 1
    for handout in handouts:
        count = len(pypdf.PdfReader(handout).pages)
        assert rasters(target, start, start + count - 1) == rasters(handout, 1, count)
        start += count + count % 2
    assert [item.title.split(":")[0] for item in reader.outline] == [p.stem for p in handouts]


MEASURE = """
import resource, sys
from pathlib import Path
from handouts.batch.merge import MergeRecord, merge_handouts
paths = sorted(Path(sys.argv[1]).glob("*.pdf"))
rows = int(sys.argv[2])
merge_handouts([MergeRecord(paths[i % len(paths)], f"r{i}") for i in range(rows)], Path(sys.argv[3]))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def peak_mb(folder: Path, rows: int, target: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(folder), str(rows), str(target)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return int(done.stdout.split()[-1])


def test_merge_memory_stays_flat_whatever_the_row_count(finished: tuple[Path, Path], tmp_path: Path) -> None:
    _, built = finished
    small = peak_mb(built, 50, tmp_path / "small.pdf")
    large = peak_mb(built, 500, tmp_path / "large.pdf")
    assert len(pypdf.PdfReader(tmp_path / "large.pdf").pages) >= 500 * 3
    assert large - small < 15, f"50 rows: {small} MB, 500 rows: {large} MB"


# --- two batches into one folder ---------------------------------------------------------------------

LOCKED = (
    "another handouts batch is writing into this folder (wait for it to finish, or choose another folder)"
)


def start_batch(manifest: Path, outdir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "--jobs", "1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_first_pdf(outdir: Path, process: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if list(outdir.glob("*.pdf")) or process.poll() is not None:
            break
        time.sleep(0.1)
    assert process.poll() is None, "the first batch ended before the second could start"


RACE_ROWS = 80
"""Enough rows that the first batch is still writing while the second starts, on a fast machine too."""


def test_a_second_batch_into_the_same_folder_is_refused_at_once(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.csv", RACE_ROWS)
    outdir = tmp_path / "out"
    first = start_batch(manifest, outdir)
    try:
        wait_for_first_pdf(outdir, first)
        second = subprocess.run(
            [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2
        assert second.stderr == f"Error: -o {outdir}: {LOCKED}\n"
        _, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr
    rows = read_report(outdir / "report")
    assert [row["status"] for row in rows] == ["ok"] * RACE_ROWS
    assert not (outdir / ".handouts-batch.lock").exists()


def test_a_shared_report_folder_is_locked_too(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.csv", RACE_ROWS)
    reports = tmp_path / "reports"
    reports.mkdir()
    first = start_batch(manifest, tmp_path / "a", "--report", str(reports / "a"))
    try:
        wait_for_first_pdf(tmp_path / "a", first)
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "handouts",
                "batch",
                str(manifest),
                "-o",
                str(tmp_path / "b"),
                "--report",
                str(reports / "b"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode == 2
        assert second.stderr == f"Error: --report {reports}: {LOCKED}\n"
    finally:
        first.kill()
        first.wait()


def test_a_crashed_batch_does_not_leave_the_folder_locked(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.csv", 12)
    outdir = tmp_path / "out"
    first = start_batch(manifest, outdir)
    wait_for_first_pdf(outdir, first)
    for pid in children(first.pid):
        os.kill(pid, signal.SIGKILL)
    first.kill()  # kill -9: nothing is cleaned up
    first.wait()
    assert (outdir / ".handouts-batch.lock").exists()
    time.sleep(0.5)  # let the killed workers go
    rerun = subprocess.run(
        [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert {row["status"] for row in read_report(outdir / "report")} <= {"ok", "skipped"}


# --- names and progress --------------------------------------------------------------------------------


def test_a_row_width_pads_with_zeros_not_spaces(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.csv", 3)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "handouts",
            "batch",
            str(manifest),
            "-o",
            str(tmp_path / "out"),
            "--name",
            "{row:5d}.pdf",
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["00001.pdf", "00002.pdf", "00003.pdf"]


def test_checking_a_long_manifest_shows_progress(tmp_path: Path) -> None:
    manifest = tmp_path / "long.csv"
    manifest.write_text("id,type\n" + "".join(f"{i},rrms\n" for i in range(30_000)))
    result = subprocess.run(
        [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(tmp_path / "out"), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Checking {manifest}: ")
    assert lines[0].endswith(" rows so far...")
    assert lines[-1] == f"Checked {manifest}: 30,000 rows, 0 with problems."
    assert result.stdout.endswith("Nothing was written.\n")
