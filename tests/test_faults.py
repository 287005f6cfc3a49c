"""Real faults during `handouts batch`: a worker killed mid-render, a full disk, a read-only output folder.

Each fault is made for real where the machine allows it: SIGKILL to a worker process found in /proc; a
small tmpfs (as root), else a file-size limit (RLIMIT_FSIZE, writes fail with EFBIG); a read-only bind
mount (as root), else a folder without write permission. Every time: a clear error on each affected row,
finished files intact, and the same command run again completes the rest.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdf
import pytest

TYPES = ["rrms", "cis", "spms", "ppms", ""]
SLOW_BLOCK = """---
id: long-read-{n}
title: A long read {n}
topic: about-ms
order: 90
types: [ppms]
stages: [any]
audiences: [any]
sources: [nmss-types]
reviewed: 2026-01-01
review_due: 2027-12-01
---
"""
WORKER_STOPPED = "the worker process stopped while rendering this row"


def write_manifest(path: Path, rows: int, first_type: str | None = None) -> Path:
    lines = ["id,type,date"]
    for i in range(rows):
        kind = first_type if (i == 0 and first_type) else TYPES[(i + 1) % 5 if first_type else i % 5]
        lines.append(f"r{i:02d},{kind},2026-01-05")
    path.write_text("\n".join(lines) + "\n")
    return path


def run_batch(
    manifest: Path, outdir: Path, *args: str, limit: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "--jobs", "2", *args],
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=limit,
    )


def read_report(base: Path) -> list[dict[str, str]]:
    with base.with_suffix(".csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def assert_finished_files_intact(rows: list[dict[str, str]]) -> None:
    """Every row reported ok or skipped has a complete PDF with the reported pages and SHA-256."""
    for row in rows:
        if row["status"] in ("ok", "skipped"):
            path = Path(row["output"])
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]
            assert len(pypdf.PdfReader(path).pages) == int(row["pages"])


def assert_clean_output(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "internal error" not in stderr


def pdfs(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.pdf"))}


# --- a worker killed mid-render ------------------------------------------------------------------------------


def children(pid: int) -> set[int]:
    """The worker processes of a batch: children that share its command line (no psutil: /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"batch" in cmdline:
            found.add(int(entry.name))
    return found


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None, f"the batch ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in /proc")
def test_a_worker_killed_mid_render_fails_its_row_and_a_rerun_completes(tmp_path: Path) -> None:
    """Kill every worker while a slow row renders (the rows in flight are retried alone), then kill the
    worker that retries the first of them: that row alone fails, and the rerun renders just that row."""
    topic = tmp_path / "content" / "en" / "about-ms"
    topic.mkdir(parents=True)
    paragraph = "This sentence is here to make a long block that takes a while to lay out. " * 60
    body = "\n\n".join([paragraph.strip()] * 10)
    for n in range(40):  # about 1.8 million characters: a PPMS handout of ~480 pages, a few seconds
        (topic / f"long-read-{n}.md").write_text(SLOW_BLOCK.format(n=n) + body + "\n")
    manifest = write_manifest(tmp_path / "m.csv", 10, first_type="ppms")
    outdir = tmp_path / "out"
    command = [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "--jobs", "2",
               "--content-dir", str(tmp_path / "content")]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: any(outdir.glob("*.pdf")), process, "the first handout was written")
        first = children(process.pid)
        assert first, "no worker processes found"
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: bool(children(process.pid) - first), process, "a worker retried the rows")
        second = children(process.pid) - first
        for pid in second:
            os.kill(pid, signal.SIGKILL)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 1, stderr
    assert_clean_output(stderr)
    rows = read_report(outdir / "report")
    failed = [r for r in rows if r["status"] == "failed"]
    assert len(failed) == 1, rows
    assert failed[0]["error"] == (
        f"{manifest}:{failed[0]['line']}: {WORKER_STOPPED} (it may need more memory; try --jobs 1)"
    )
    assert f"failed: {failed[0]['error']}" in stderr
    assert [r["status"] for r in rows].count("ok") == 9
    assert_finished_files_intact(rows)
    for path in outdir.glob("*.pdf"):  # nothing truncated under a final name
        assert len(pypdf.PdfReader(path).pages) > 0
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert rerun.returncode == 0, rerun.stderr
    again = read_report(outdir / "report")
    assert {r["id"]: r["status"] for r in again} == {
        r["id"]: "ok" if r["status"] == "failed" else "skipped" for r in rows
    }
    assert_finished_files_intact(again)
    assert not [p for p in outdir.iterdir() if p.name.endswith(".part")]


# --- a full disk ----------------------------------------------------------------------------------------------


def mount(*args: str) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@contextlib.contextmanager
def small_disk(path: Path, kilobytes: int) -> Iterator[Callable[[int], None]]:
    """A tmpfs of this size at `path`; yields a function that resizes it. Skips where mount is refused."""
    path.mkdir()
    if not mount("-t", "tmpfs", "-o", f"size={kilobytes}k,mode=0755", "tmpfs", str(path)):
        pytest.skip(
            "mounting a tmpfs needs mount permission (the file-size-limit test covers the fault instead)"
        )

    def resize(size: int) -> None:
        assert mount("-o", f"remount,size={size}k", str(path))

    try:
        yield resize
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture(scope="module")
def handout_kb(tmp_path_factory: pytest.TempPathFactory) -> int:
    """The size of one handout, measured, so the small disk holds about three whatever the content."""
    folder = tmp_path_factory.mktemp("size")
    assert run_batch(write_manifest(folder / "m.csv", 1), folder / "out").returncode == 0
    return max(p.stat().st_size for p in (folder / "out").glob("*.pdf")) // 1024 + 1


def test_a_full_disk_fails_the_rows_that_do_not_fit_and_a_rerun_completes(
    tmp_path: Path, handout_kb: int
) -> None:
    manifest = write_manifest(tmp_path / "m.csv", 8)
    with small_disk(tmp_path / "disk", 3 * handout_kb + 60) as resize:
        outdir = tmp_path / "disk" / "out"
        report = tmp_path / "report"
        result = run_batch(manifest, outdir, "--report", str(report))
        assert result.returncode == 1, result.stderr
        assert_clean_output(result.stderr)
        rows = read_report(report)
        statuses = [r["status"] for r in rows]
        assert "ok" in statuses
        assert "failed" in statuses
        for row in rows:
            if row["status"] == "failed":
                expected = f"{outdir / (row['id'] + '-')}"
                assert row["error"].startswith(f"{manifest}:{row['line']}: {expected}"), row["error"]
                assert row["error"].endswith(
                    ": could not be written: No space left on device (check free space and permissions)"
                )
        assert_finished_files_intact(rows)
        assert sorted(p.name for p in outdir.iterdir()) == sorted(
            Path(r["output"]).name for r in rows if r["output"]
        )
        resize(20 * handout_kb + 1024)
        rerun = run_batch(manifest, outdir, "--report", str(report))
        assert rerun.returncode == 0, rerun.stderr
        again = read_report(report)
        assert [r["status"] for r in again] == ["skipped" if s == "ok" else "ok" for s in statuses]
        assert_finished_files_intact(again)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system `folder` is on."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as stream, contextlib.suppress(OSError):
        while True:
            stream.write(b"\0" * 4096)
    return filler


def test_a_report_that_cannot_be_written_is_one_clear_line(tmp_path: Path, handout_kb: int) -> None:
    manifest = write_manifest(tmp_path / "m.csv", 3)
    with small_disk(tmp_path / "disk", 4 * handout_kb + 60):
        outdir = tmp_path / "disk" / "out"
        assert run_batch(manifest, outdir, "--report", str(tmp_path / "report")).returncode == 0
        before = pdfs(outdir)
        filler = fill(tmp_path / "disk")
        result = run_batch(manifest, outdir)  # every row is up to date; only the report must be written
        assert result.returncode == 1
        assert_clean_output(result.stderr)
        assert result.stderr.strip().splitlines()[-1] == (
            f"Error: {outdir / 'report.csv'}: the report could not be written: No space left on device (free "
            "some space or give --report another place, then run the same command again: finished handouts "
            "are kept)"
        )
        assert sorted(p.name for p in outdir.iterdir()) == sorted(before)  # no half-written report
        assert pdfs(outdir) == before
        filler.unlink()
        rerun = run_batch(manifest, outdir)
        assert rerun.returncode == 0, rerun.stderr
        assert [r["status"] for r in read_report(outdir / "report")] == ["skipped"] * 3


def test_a_file_size_limit_fails_each_big_file_and_a_rerun_completes(tmp_path: Path) -> None:
    """RLIMIT_FSIZE: the kernel refuses writes past half a handout (EFBIG); a report is smaller."""
    manifest = write_manifest(tmp_path / "m.csv", 6)
    outdir = tmp_path / "out"
    assert (
        run_batch(
            write_manifest(tmp_path / "first.csv", 3), outdir, "--report", str(tmp_path / "r0")
        ).returncode
        == 0
    )
    before = pdfs(outdir)
    half = min(p.stat().st_size for p in outdir.glob("*.pdf")) // 2
    assert half > 8_000  # the report of six rows fits under the limit

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (half, half))

    result = run_batch(manifest, outdir, "--report", str(tmp_path / "r1"), limit=limit)
    assert result.returncode == 1, result.stderr
    assert_clean_output(result.stderr)
    rows = read_report(tmp_path / "r1")
    assert [r["status"] for r in rows] == ["skipped"] * 3 + ["failed"] * 3
    for row in rows[3:]:
        assert row["error"].endswith(
            ": could not be written: File too large (check free space and permissions)"
        )
    assert pdfs(outdir) == before
    assert not [p for p in outdir.iterdir() if p.name.endswith(".part")]
    rerun = run_batch(manifest, outdir, "--report", str(tmp_path / "r1"))
    assert rerun.returncode == 0, rerun.stderr
    assert [r["status"] for r in read_report(tmp_path / "r1")] == ["skipped"] * 3 + ["ok"] * 3


# --- a read-only output folder ----------------------------------------------------------------------------------


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make `folder` read-only for real: a read-only bind mount where mounting is allowed (root ignores
    permissions), else chmod 555. Yields the error the kernel gives for a write there."""
    if mount("--bind", str(folder), str(folder)):
        try:
            assert mount("-o", "remount,ro,bind", str(folder))
            yield "Read-only file system"
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    folder.chmod(0o555)
    try:
        probe = folder / "probe"
        with contextlib.suppress(OSError):
            probe.touch()
        if probe.exists():
            probe.unlink()
            pytest.skip("this user ignores permissions and may not mount: no way to make a folder read-only")
        yield "Permission denied"
    finally:
        folder.chmod(0o755)


def test_a_read_only_output_folder(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    assert run_batch(write_manifest(tmp_path / "first.csv", 3), outdir).returncode == 0
    before = pdfs(outdir)
    manifest = write_manifest(tmp_path / "m.csv", 6)
    report = tmp_path / "elsewhere" / "report"
    with read_only(outdir) as why:
        result = run_batch(manifest, outdir, "--report", str(report))
        assert result.returncode == 1, result.stderr
        assert_clean_output(result.stderr)
        rows = read_report(report)
        assert [r["status"] for r in rows] == ["skipped"] * 3 + ["failed"] * 3
        for row in rows[3:]:
            target = outdir.resolve() / f"{row['id']}-{TYPES[int(row['id'][1:]) % 5] or 'general'}-en.pdf"
            assert row["error"] == (
                f"{manifest}:{row['line']}: {target}: cannot write here: {why} (choose a folder you can write to)"
            )
        folders = run_batch(manifest, outdir, "--report", str(report), "--name", "{language}/{id}.pdf")
        assert folders.returncode == 1
        folder = outdir.resolve() / "en"
        for row in read_report(report):
            assert row["error"].endswith(
                f"{folder}: cannot create the folder: {why} (choose a folder you can write to)"
            )
        default = run_batch(manifest, outdir)
        assert default.returncode == 2
        assert default.stderr.strip() == (
            f"Error: {outdir / 'report.csv'}: cannot write the report here: {why} "
            "(choose a folder you can write to, or give --report another place)"
        )
        inside = run_batch(manifest, outdir / "sub")
        assert inside.returncode == 2
        assert inside.stderr.strip() == (
            f"Error: -o {outdir / 'sub'}: cannot create the folder: {why} (choose a folder you can write to)"
        )
        assert pdfs(outdir) == before
    rerun = run_batch(manifest, outdir, "--report", str(report))
    assert rerun.returncode == 0, rerun.stderr
    assert [r["status"] for r in read_report(report)] == ["skipped"] * 3 + ["ok"] * 3
    assert_finished_files_intact(read_report(report))
