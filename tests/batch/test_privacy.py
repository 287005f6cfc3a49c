"""Patient text never leaves the handout: a hostile manifest, and every message, report and file name searched.

Runs the real `handouts batch` (and --dry-run) on manifests where unquoted commas shift names and notes
into other cells, and where rows have more cells than the header; then searches stderr, stdout, both
reports and every file name for each piece of patient text.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = "id,patient_name,type,notes,stage,date"
ROWS = [
    '1,"Okafor, Chidi",rrms,,,2026-12-01',  # quoted: prints
    "2,Garcia, Maria,,,2026-12-01",  # the comma shifts "Maria" into type
    "3,Nguyen,rrms,Call on Tuesday, Wednesday,,2026-12-01",  # seven cells
    "4,Petrova,rrms,,Quetzalcoatl,2026-12-01",  # a note in the stage column
    "5,Ivanova,yes please,,,2026-12-01",
    "6,李小龍,rrms,Call 王 on Friday,,2026-12-01",  # letters that need another font
]
SECRETS = [
    "Okafor",
    "Chidi",
    "Garcia",
    "Maria",
    "Nguyen",
    "Tuesday",
    "Wednesday",
    "Petrova",
    "Quetzalcoatl",
    "Ivanova",
    "please",
    "李",
    "小",
    "龍",
    "王",
    "Friday",
]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handouts", "batch", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def everything_written(result: subprocess.CompletedProcess[str], outdir: Path) -> str:
    texts = [result.stdout, result.stderr]
    for path in outdir.rglob("*"):
        texts.append(path.name)
        if path.suffix in (".csv", ".json"):
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "patients.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


def test_no_patient_text_in_any_message_report_or_name(manifest: Path, tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    result = run(str(manifest), "-o", str(outdir), "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    written = everything_written(result, outdir)
    leaked = [secret for secret in SECRETS if secret.lower() in written.lower()]
    assert leaked == []
    assert (outdir / "1-rrms-en.pdf").exists()  # the quoted name printed


def test_dry_run_quotes_no_patient_text(manifest: Path, tmp_path: Path) -> None:
    result = run(str(manifest), "-o", str(tmp_path / "out"), "--dry-run", cwd=tmp_path)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert [s for s in SECRETS if s.lower() in output.lower()] == []


def test_each_bad_row_is_one_line_that_quotes_nothing(manifest: Path, tmp_path: Path) -> None:
    result = run(str(manifest), "-o", str(tmp_path / "out"), "--dry-run", cwd=tmp_path)
    problems = [
        line.removeprefix("problem  ") for line in result.stdout.splitlines() if line.startswith("problem")
    ]
    assert problems == [
        f"{manifest}:3: type: the value is not allowed (choose one of: cis, rrms, spms, ppms)",
        f"{manifest}:4: has 7 cells but the header has 6 columns (quote cells that contain commas)",
        f"{manifest}:5: stage: the value is not allowed (choose one of: newly-diagnosed, established)",
        f"{manifest}:6: type: the value is not allowed (choose one of: cis, rrms, spms, ppms)",
    ]
    assert not any("'" in problem for problem in problems)


def test_a_yaml_cell_that_cannot_be_read_is_not_quoted(tmp_path: Path) -> None:
    manifest = tmp_path / "rows.yaml"
    manifest.write_text("- id: 1\n  patient_name: Ada\n  notes: 2026-02-30\n- {id: 2, type: rrms}\n")
    result = run(str(manifest), "-o", str(tmp_path / "out"), "--dry-run", cwd=tmp_path)
    assert result.returncode == 1
    assert "2026-02-30" not in result.stdout + result.stderr
    assert (
        f"problem  {manifest}:1: a value cannot be read: day is out of range for month "
        "(quote it to keep it as text, or correct it)"
    ) in result.stdout


# --- files a row names stay inside the manifest's folder (or --assets) ---------------------------

LOGO = Path(__file__).resolve().parents[2] / "docs" / "examples" / "logo.png"
REFUSED = "no such file in the manifest's folder or --assets (a row can name only files there)"


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    names = {name: tmp_path / name for name in ("manifest", "private", "assets")}
    for folder in names.values():
        folder.mkdir()
    (names["private"] / "secret.png").write_bytes(LOGO.read_bytes())
    (names["private"] / "notes.txt").write_text("not an image")
    (names["private"] / "clinic.yaml").write_text("name: Elsewhere\n")
    (names["assets"] / "logo.png").write_bytes(LOGO.read_bytes())
    (names["assets"] / "clinic.yaml").write_text("name: Shared clinic\nlogo: logo.png\n")
    (names["manifest"] / "clinic.yaml").write_text("name: Ours\nlogo: ../private/secret.png\n")
    (names["manifest"] / "link.png").symlink_to(names["private"] / "secret.png")
    return names


def test_rows_cannot_name_files_outside_and_cannot_tell_which_exist(folders: dict[str, Path]) -> None:
    private = folders["private"]
    rows = [
        {"id": "a", "clinic": {"name": "X", "logo": str(private / "secret.png")}},  # exists, a PNG
        {"id": "b", "clinic": {"name": "X", "logo": str(private / "notes.txt")}},  # exists, not a PNG
        {"id": "c", "clinic": {"name": "X", "logo": str(private / "missing.png")}},  # does not exist
        {"id": "d", "clinic": {"name": "X", "logo": "../private/secret.png"}},
        {"id": "e", "clinic": {"name": "X", "logo": "link.png"}},  # a link inside, leading out
        {"id": "f", "clinic": "../private/clinic.yaml"},
        {"id": "g", "clinic": "/etc/passwd"},
        {"id": "h", "clinic": "/no/such/clinic.yaml"},
    ]
    manifest = folders["manifest"] / "rows.jsonl"
    manifest.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    result = run(str(manifest), "-o", str(folders["manifest"] / "out"), "--dry-run", cwd=folders["manifest"])
    assert result.returncode == 1
    problems = [line.split(": ", 1)[1] for line in result.stdout.splitlines() if line.startswith("problem")]
    assert problems == [f"clinic: logo: {REFUSED}"] * 5 + [f"clinic: {REFUSED}"] * 3
    assert "secret" not in result.stdout + result.stderr
    assert "private" not in result.stdout + result.stderr


def test_a_clinic_file_in_the_folder_cannot_reach_out_for_its_logo(folders: dict[str, Path]) -> None:
    manifest = folders["manifest"] / "rows.csv"
    manifest.write_text("id,clinic\n1,clinic.yaml\n")
    result = run(str(manifest), "-o", str(folders["manifest"] / "out"), "--dry-run", cwd=folders["manifest"])
    assert result.returncode == 1
    assert f"logo: {REFUSED}" in result.stdout


def test_assets_folder_lends_clinic_files_and_logos(folders: dict[str, Path]) -> None:
    manifest = folders["manifest"] / "rows.jsonl"
    manifest.write_text(
        '{"id": "g", "clinic": "../assets/clinic.yaml", "date": "2026-11-26"}\n'
        '{"id": "h", "clinic": {"name": "X", "logo": "../assets/logo.png"}, "date": "2026-11-26"}\n'
    )
    outdir = folders["manifest"] / "out"
    refused = run(str(manifest), "-o", str(outdir), "--dry-run", cwd=folders["manifest"])
    assert refused.returncode == 1
    result = run(
        str(manifest), "-o", str(outdir), "--assets", str(folders["assets"]), cwd=folders["manifest"]
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in outdir.glob("*.pdf")) == ["g-general-en.pdf", "h-general-en.pdf"]
