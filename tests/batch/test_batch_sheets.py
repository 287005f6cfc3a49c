"""`handouts batch` with topic sheets: a sheets column, sheets only, unknown sheet ids named at planning."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pypdf
from click.testing import Result

from ..conftest import FIXTURES, pdf_text

Cli = Callable[..., Result]
SHEETS = FIXTURES / "sheets"


def pages(path: Path) -> int:
    return len(pypdf.PdfReader(path).pages)


def test_batch_with_a_sheets_column(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "rows.csv"
    manifest.write_text(
        "id,type,sheets,sheets_only,date\n"
        "B1,rrms,,,2026-01-05\n"
        "B2,rrms,sample,,2026-01-05\n"
        'B3,rrms,"[""sample""]",true,2026-01-05\n'
        "B4,rrms,sample|nosuch,,2026-01-05\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = cli(
        "batch", str(manifest), "-o", str(out), "--content-dir", str(SHEETS), "--name", "{id}-{sheets}.pdf"
    )
    assert result.exit_code == 1, result.output
    with (out / "report.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["id"]: row for row in csv.DictReader(stream)}
    assert [rows[i]["status"] for i in ("B1", "B2", "B3", "B4")] == ["ok", "ok", "ok", "failed"]
    assert "unknown sheet 'nosuch' (available sheets: " in rows["B4"]["error"]
    assert "sample" in rows["B4"]["error"]
    core = pages(out / "B1-none.pdf")
    assert pages(out / "B2-sample.pdf") == core + 1
    assert pages(out / "B3-sample.pdf") == 1
    assert "Rest and MS" in pdf_text((out / "B3-sample.pdf").read_bytes())
    assert not (out / "B4-sample-nosuch.pdf").exists()


def test_batch_dry_run_names_an_unknown_sheet(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "rows.jsonl"
    manifest.write_text('{"id": "C1", "sheets": ["tiredness"]}\n', encoding="utf-8")
    result = cli(
        "batch", str(manifest), "-o", str(tmp_path / "out"), "--dry-run", "--content-dir", str(SHEETS)
    )
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "unknown sheet" in x)
    assert "sheets: unknown sheet 'tiredness' (available sheets: " in line
    assert ", sample" in line
