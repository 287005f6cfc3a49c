"""`handouts batch`: manifests in every format, bad rows, names, resume after kill -9, determinism, merge."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import Result

from handouts.batch import worker
from handouts.batch.manifest import ManifestRow, read_manifest
from handouts.batch.names import safe_part
from handouts.cli.batch_progress import Progress

from ..conftest import FIXTURES

Cli = Callable[..., Result]
MANIFESTS = FIXTURES / "manifests"
PATIENT = "Zebulon Quill"


def report_rows(outdir: Path) -> list[dict[str, str]]:
    with (outdir / "report.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def report_json(outdir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
    return data


def pdf_pages(path: Path) -> int:
    return len(pypdf.PdfReader(path).pages)


def batch(cli: Cli, manifest: Path, outdir: Path, *args: str) -> Result:
    return cli("batch", str(manifest), "-o", str(outdir), "--jobs", "2", *args)


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# --- manifests --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three-row CSV manifest rendered once (BOM, CRLF, `|` notes, a JSON-list note)."""
    from click.testing import CliRunner

    from handouts.cli import main

    outdir = tmp_path_factory.mktemp("three") / "out"
    result = CliRunner().invoke(
        main, ["batch", str(MANIFESTS / "three.csv"), "-o", str(outdir), "--jobs", "2"]
    )
    assert result.exit_code == 0, result.output
    return outdir


def test_csv_manifest_renders_every_row(three_csv: Path) -> None:
    rows = report_rows(three_csv)
    assert [(r["row"], r["line"], r["id"], r["status"]) for r in rows] == [
        ("1", "2", "A1", "ok"),
        ("2", "3", "A2", "ok"),
        ("3", "4", "A3", "ok"),
    ]
    assert sorted(p.name for p in three_csv.glob("*.pdf")) == [
        "A1-rrms-en.pdf",
        "A2-ppms-en.pdf",
        "A3-general-en.pdf",
    ]
    for row in rows:
        path = Path(row["output"])
        assert pdf_pages(path) == int(row["pages"])
        import hashlib

        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]
    summary = report_json(three_csv)["summary"]
    assert summary["ok"] == 3
    assert summary["failed"] == 0


def test_csv_list_cells_become_notes(three_csv: Path) -> None:
    from ..conftest import pdf_text

    first = pdf_text((three_csv / "A1-rrms-en.pdf").read_bytes())
    assert "Next MRI in March" in first
    assert "Bring your list of questions" in first
    assert "Call us, any time" in pdf_text((three_csv / "A3-general-en.pdf").read_bytes())


@pytest.mark.parametrize("name", ["three.yaml", "three.jsonl"])
def test_yaml_and_json_lines_give_the_same_bytes_as_csv(
    cli: Cli, tmp_path: Path, three_csv: Path, name: str
) -> None:
    result = batch(cli, MANIFESTS / name, tmp_path / "out")
    assert result.exit_code == 0, result.output
    for pdf in three_csv.glob("*.pdf"):
        assert (tmp_path / "out" / pdf.name).read_bytes() == pdf.read_bytes()


def test_manifest_rows_keep_their_line_numbers() -> None:
    yaml_rows = list(read_manifest(MANIFESTS / "three.yaml", "yaml"))
    assert [(r.number, r.line) for r in yaml_rows] == [(1, 2), (2, 9), (3, 14)]
    jsonl_rows = list(read_manifest(MANIFESTS / "three.jsonl", "jsonl"))
    assert [(r.number, r.line) for r in jsonl_rows] == [(1, 1), (2, 3), (3, 4)]
    csv_rows = list(read_manifest(MANIFESTS / "three.csv", "csv"))
    assert csv_rows[0] == ManifestRow(
        1,
        2,
        {
            "id": "A1",
            "type": "rrms",
            "stage": "newly-diagnosed",
            "audience": "patient",
            "patient_name": PATIENT,
            "notes": ["Next MRI in March", "Bring your list of questions"],
            "date": "2026-01-05",
        },
    )


def test_old_mac_line_endings_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b'id,notes\r1,"two\rlines"\r2,\r')
    rows = list(read_manifest(path, "csv"))
    assert [(r.number, r.data.get("id")) for r in rows] == [(1, "1"), (2, "2")]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("m.yaml", "- type: rrms\n- &a {type: cis}\n", "m.yaml:2: anchors and aliases"),
        ("m.yaml", "type: rrms\n", "m.yaml:1: a YAML manifest must be a list of rows"),
        ("m.yaml", "- type: rrms\n- [unclosed\n", "m.yaml:3:"),
        ("m.csv", "id,tpye\n1,rrms\n", "m.csv:1: column 2: unknown column 'tpye' (valid columns: id, type,"),
        ("m.txt", "id\n1\n", "cannot tell the manifest format"),
    ],
)
def test_unreadable_manifest_is_a_usage_error(
    cli: Cli, tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = batch(cli, path, tmp_path / "out")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("out/*.pdf"))


def test_bad_json_line_fails_that_row_only(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"id": "1"}\n{"id": 2,}\n[1]\n', encoding="utf-8")
    rows = list(read_manifest(path, "jsonl"))
    assert rows[0].problem is None
    assert rows[1].problem is not None
    assert rows[1].problem.startswith("not valid JSON")
    assert rows[2].problem is not None
    assert "JSON object" in rows[2].problem


# --- bad rows, names, dry run -----------------------------------------------------------------------


def test_bad_rows_are_reported_together_and_the_rest_render(cli: Cli, tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    result = batch(cli, MANIFESTS / "mixed.csv", outdir)
    assert result.exit_code == 1
    assert result.output.index("3 of 5 rows have problems") < result.output.index(
        "5 of 5 rows: 2 ok, 3 failed"
    )
    rows = report_rows(outdir)
    assert [r["status"] for r in rows] == ["ok", "failed", "ok", "failed", "failed"]
    errors = {r["id"]: r["error"] for r in rows}
    assert errors["M2"].startswith(f"{MANIFESTS / 'mixed.csv'}:3: type:")
    assert "audience: the value is not allowed (choose one of: patient, caregiver)" in errors["M4"]
    assert "date: the value is not a date" in errors["M5"]
    assert all("\n" not in r["error"] for r in rows)
    assert sorted(p.name for p in outdir.glob("*.pdf")) == ["M1-rrms-en.pdf", "M3-cis-en.pdf"]


def test_patient_names_never_reach_messages_reports_or_file_names(cli: Cli, tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    result = batch(cli, MANIFESTS / "mixed.csv", outdir, "--merge", str(tmp_path / "print.pdf"))
    assert PATIENT not in result.output
    assert "type: the value is not allowed" in report_rows(outdir)[1]["error"]  # cells are never quoted
    for report in ("report.csv", "report.json"):
        assert PATIENT not in (outdir / report).read_text(encoding="utf-8")
    assert not any(PATIENT.split()[0] in p.name for p in outdir.iterdir())


def test_dry_run_lists_rows_and_problems_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    result = batch(cli, MANIFESTS / "mixed.csv", outdir, "--dry-run")
    assert result.exit_code == 1
    assert f"render   {MANIFESTS / 'mixed.csv'}:2: {outdir / 'M1-rrms-en.pdf'}" in result.output
    assert "problem  " in result.output
    assert "Dry run: 5 rows: 2 to render, 0 up to date (skip), 3 with problems." in result.output
    assert not outdir.exists()


def test_two_rows_with_one_file_name_stop_before_rendering(cli: Cli, tmp_path: Path) -> None:
    manifest = write_csv(tmp_path / "m.csv", "id,type", ["a,rrms", "b,cis", "A,rrms"])
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 2
    assert f"m.csv:4: output name '{tmp_path / 'out' / 'A-rrms-en.pdf'}' is also the name of" in result.output
    assert "m.csv:2" in result.output
    assert not list(tmp_path.glob("out/*.pdf"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../{id}.pdf", "must not contain '..'"),
        ("/tmp/{id}.pdf", "not an absolute path"),
        ("{id}.txt", "must end with .pdf"),
        ("{patient_name}.pdf", "patient details never go into file names"),
        ("{colour}.pdf", "unknown field {colour} (use: id, row, type"),
    ],
)
def test_unsafe_name_templates_are_refused(cli: Cli, tmp_path: Path, name: str, message: str) -> None:
    result = batch(cli, MANIFESTS / "three.csv", tmp_path / "out", "--name", name)
    assert result.exit_code == 2
    assert message in result.output


def test_ids_cannot_leave_outdir(cli: Cli, tmp_path: Path) -> None:
    manifest = write_csv(tmp_path / "m.csv", "id,type", ["../../escape,rrms", "/etc/passwd,cis"])
    outdir = tmp_path / "deep" / "out"
    result = batch(cli, manifest, outdir, "--name", "{language}/{id}.pdf", "--dry-run")
    assert result.exit_code == 0, result.output
    assert str(outdir / "en" / "escape.pdf") in result.output
    assert str(outdir / "en" / "etc-passwd.pdf") in result.output


def test_safe_part() -> None:
    assert safe_part("../../a b/c") == "a-b-c"
    assert safe_part(".hidden") == "hidden"
    assert safe_part("José-12") == "José-12"
    assert safe_part("..") == ""


# --- resume, determinism, merge ---------------------------------------------------------------------


def test_rerun_skips_up_to_date_files_and_redoes_changed_rows(cli: Cli, tmp_path: Path) -> None:
    manifest = write_csv(tmp_path / "m.csv", "id,type,date", ["1,rrms,2026-01-05", "2,cis,2026-01-05"])
    outdir = tmp_path / "out"
    assert batch(cli, manifest, outdir).exit_code == 0
    first = report_rows(outdir)
    write_csv(manifest, "id,type,date", ["1,rrms,2026-01-05", "2,cis,2026-02-05"])
    result = batch(cli, manifest, outdir)
    assert result.exit_code == 0, result.output
    second = report_rows(outdir)
    assert [r["status"] for r in second] == ["skipped", "ok"]
    assert second[0]["sha256"] == first[0]["sha256"]
    assert second[0]["pages"] == first[0]["pages"]
    assert second[1]["sha256"] != first[1]["sha256"]
    forced = batch(cli, manifest, outdir, "--force")
    assert [r["status"] for r in report_rows(outdir)] == ["ok", "ok"]
    assert [r["sha256"] for r in report_rows(outdir)] == [r["sha256"] for r in second]
    assert forced.exit_code == 0


def test_same_manifest_gives_byte_identical_files(cli: Cli, tmp_path: Path, three_csv: Path) -> None:
    result = cli("batch", str(MANIFESTS / "three.csv"), "-o", str(tmp_path / "again"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    again = report_rows(tmp_path / "again")
    assert [r["sha256"] for r in again] == [r["sha256"] for r in report_rows(three_csv)]


@pytest.mark.parametrize("duplex", [False, True])
def test_merge_has_every_record_in_order_with_a_bookmark_each(
    cli: Cli, tmp_path: Path, three_csv: Path, duplex: bool
) -> None:
    target = tmp_path / "print.pdf"
    args = ["--merge", str(target), *(["--duplex"] if duplex else [])]
    outdir = tmp_path / "out"
    shutil.copytree(three_csv, outdir)
    result = batch(cli, MANIFESTS / "three.csv", outdir, *args)
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in report_rows(outdir)] == ["skipped"] * 3
    pages = [int(r["pages"]) for r in report_rows(outdir)]
    padded = [p + p % 2 for p in pages] if duplex else pages
    reader = pypdf.PdfReader(target)
    assert len(reader.pages) == sum(padded)
    outline = reader.outline
    assert len(outline) == 3
    assert [item.title.split(":")[0] for item in outline] == ["A1", "A2", "A3"]
    starts = [reader.get_destination_page_number(item) for item in outline]
    assert starts == [0, padded[0], padded[0] + padded[1]]
    if shutil.which("qpdf"):
        assert subprocess.run(["qpdf", "--check", str(target)], capture_output=True).returncode == 0


def test_duplex_needs_merge(cli: Cli, tmp_path: Path) -> None:
    result = batch(cli, MANIFESTS / "three.csv", tmp_path / "out", "--duplex")
    assert result.exit_code == 2
    assert "--duplex pads the records of the print file" in result.output


# --- interruption -----------------------------------------------------------------------------------


def many_rows(path: Path, count: int) -> Path:
    types = ["rrms", "cis", "spms", "ppms", ""]
    rows = [f"r{i:03d},{types[i % 5]},{'patient' if i % 2 else 'caregiver'},2026-01-05" for i in range(count)]
    return write_csv(path, "id,type,audience,date", rows)


def start_batch(manifest: Path, outdir: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "--jobs", "2"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_pdfs(outdir: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while len(list(outdir.glob("*.pdf"))) < count:
        assert process.poll() is None, "the batch finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_kill_9_leaves_no_truncated_pdf_and_a_rerun_finishes(tmp_path: Path) -> None:
    manifest = many_rows(tmp_path / "m.csv", 30)
    outdir = tmp_path / "out"
    process = start_batch(manifest, outdir)
    wait_for_pdfs(outdir, 4, process)
    process.kill()
    process.wait()
    time.sleep(1.0)  # the orphaned workers notice and stop
    finished = sorted(outdir.glob("*.pdf"))
    assert 4 <= len(finished) < 30
    for path in finished:
        assert len(pypdf.PdfReader(path).pages) > 0
    result = subprocess.run(
        [sys.executable, "-m", "handouts", "batch", str(manifest), "-o", str(outdir), "--jobs", "2"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    rows = report_rows(outdir)
    assert len(rows) == 30
    status = {Path(r["output"]).name: r["status"] for r in rows}
    assert all(status[path.name] == "skipped" for path in finished if path.name in status)
    assert list(status.values()).count("skipped") >= 4
    assert set(status.values()) <= {"ok", "skipped"}
    assert len(list(outdir.glob("*.pdf"))) == 30
    assert not [p for p in outdir.iterdir() if p.name.endswith(".part")]


def test_sigterm_stops_cleanly_with_a_partial_report(tmp_path: Path) -> None:
    manifest = many_rows(tmp_path / "m.csv", 30)
    outdir = tmp_path / "out"
    process = start_batch(manifest, outdir)
    wait_for_pdfs(outdir, 2, process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert b"run the same command again to finish the rest" in stderr
    assert b"Traceback" not in stderr
    summary = report_json(outdir)["summary"]
    assert summary["interrupted"] is True
    assert 2 <= summary["done"] < 30
    assert len(report_rows(outdir)) == summary["done"]
    for path in outdir.glob("*.pdf"):
        assert len(pypdf.PdfReader(path).pages) > 0


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="needs forked workers")
def test_a_worker_that_dies_fails_its_row_and_the_batch_goes_on(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = worker.render_handout

    def crash_on_one_row(spec: Any, engine: Any, fingerprint: str = "") -> Any:
        if spec.patient_name == "crash":
            os._exit(3)
        return real(spec, engine, fingerprint=fingerprint)

    monkeypatch.setattr(worker, "render_handout", crash_on_one_row)
    manifest = write_csv(
        tmp_path / "m.csv", "id,type,patient_name", ["1,rrms,", "2,cis,crash", "3,spms,", "4,ppms,"]
    )
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    rows = report_rows(tmp_path / "out")
    assert [r["status"] for r in rows] == ["ok", "failed", "ok", "ok"]
    assert "the worker process stopped while rendering this row" in rows[1]["error"]


# --- progress ---------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise() -> None:
    terminal = _Terminal()
    bar = Progress(4, terminal, quiet=False, interval=0)
    for _ in range(4):
        bar.advance(3)
    bar.close()
    assert "\r[" in terminal.getvalue()
    assert "100%  4/4 rows" in terminal.getvalue()
    assert "pages/s, ETA 0:00" in terminal.getvalue()
    plain = io.StringIO()
    lines = Progress(4, plain, quiet=False, interval=0)
    for _ in range(4):
        lines.advance(3)
    assert plain.getvalue().splitlines()[-1].startswith("batch: 100% 4/4 rows")
    assert "\r" not in plain.getvalue()
    quiet = io.StringIO()
    silent = Progress(4, quiet, quiet=True, interval=0)
    silent.advance(3)
    assert quiet.getvalue() == ""


def test_a_clinic_file_is_read_once_and_its_problems_name_the_row(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("phone: 555 0100\n", encoding="utf-8")
    manifest = write_csv(tmp_path / "m.csv", "id,clinic", ["1,bad.yaml", "2,missing.yaml", "3,bad.yaml"])
    result = batch(cli, manifest, tmp_path / "out", "--dry-run")
    assert result.exit_code == 1
    assert f"{manifest}:2: clinic: {tmp_path / 'bad.yaml'}: name: is missing" in result.output
    assert f"{manifest}:3: clinic: no such file in the manifest's folder or --assets" in result.output
    assert f"{manifest}:4: clinic:" in result.output
