"""Hostile input at the `handouts batch` front door: manifests, cells, clinic files and output names."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handouts.batch.manifest import MAX_ROW_CHARS, read_manifest
from handouts.limits import MAX_LOGO_BYTES, MAX_MANIFEST_CELL_CHARS

from ..conftest import pdf_text

Cli = Callable[..., Result]
NAME = "Quincy Marlowe-Abara"
HOSTILE = [
    '<img src="/etc/passwd"/>',
    '<a href="file:///etc/shadow">x</a>',
    "&#0; &amp; &lt;b&gt;",
    "<b>unclosed <font size=90>",
    "{{ 7*7 }} {% include '/etc/passwd' %}",
    "{{ ''.__class__.__mro__ }}",
]


def batch(cli: Cli, manifest: Path, outdir: Path, *args: str) -> Result:
    return cli("batch", str(manifest), "-o", str(outdir), "--jobs", "1", *args)


def report(outdir: Path) -> list[dict[str, str]]:
    with (outdir / "report.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def csv_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


def squeeze(text: str) -> str:
    return "".join(text.split())


# --- cells: markup, Jinja2, NUL, long --------------------------------------------------------------------


def test_markup_and_jinja_in_cells_print_literally(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text(yaml.safe_dump({"name": HOSTILE[0], "phone": HOSTILE[4]}))
    rows = [
        {"id": str(i), "type": "rrms", "clinic": "clinic.yaml", "patient_name": hostile,
         "notes": json.dumps([hostile, "{{ 6*7 }}"]), "date": "2026-01-05"}
        for i, hostile in enumerate(HOSTILE)
    ]  # fmt: skip
    manifest = tmp_path / "m.csv"
    manifest.write_text(csv_text(rows), encoding="utf-8")
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 0, result.output
    for row, hostile in zip(report(tmp_path / "out"), HOSTILE, strict=True):
        assert row["status"] == "ok"
        text = squeeze(pdf_text(Path(row["output"]).read_bytes()))
        assert text.count(squeeze(hostile)) >= 2  # the name and the note
        assert squeeze(HOSTILE[0]) in text
        assert squeeze(HOSTILE[4]) in text
        assert "{{6*7}}" in text
        assert "42" not in text.split("{{6*7}}")[0][-4:]
        assert "root:" not in text


def test_nul_and_control_characters_fail_their_row_without_naming_the_patient(
    cli: Cli, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_bytes(
        b"id,type,patient_name,notes\n"
        b"1,rrms," + NAME.encode() + b"\x00,\n"
        b"2,cis,,note with a bell \x07 in it\n"
        b"3,rrms\x00,,\n"
        b"4,spms,,\n"
    )
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    no_traceback(result)
    rows = report(tmp_path / "out")
    assert [r["status"] for r in rows] == ["failed", "failed", "failed", "ok"]
    assert "patient_name: contains the unprintable character U+0000" in rows[0]["error"]
    assert "notes: contains the unprintable character U+0007" in rows[1]["error"]
    assert "type: the value is not allowed (choose one of: cis, rrms, spms, ppms)" in rows[2]["error"]
    for text in (
        result.output,
        (tmp_path / "out" / "report.csv").read_text(),
        (tmp_path / "out" / "report.json").read_text(),
    ):
        assert NAME not in text
        assert "bell" not in text


def test_long_cells_fail_their_row_and_a_one_megabyte_line_stops_the_run(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"id,type,notes\n1,rrms,{'x' * 100_000}\n2,cis,fine\n", encoding="utf-8")
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    rows = report(tmp_path / "out")
    assert rows[0]["error"] == (
        f"{manifest}:2: notes: cell is longer than {MAX_MANIFEST_CELL_CHARS:,} characters (shorten it)"
    )
    assert rows[1]["status"] == "ok"
    manifest.write_text(f'id,type,notes\n1,rrms,"{"x" * 150_000}"\n2,cis,fine\n', encoding="utf-8")
    result = batch(cli, manifest, tmp_path / "out1")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {manifest}:2: a cell is far longer than {MAX_MANIFEST_CELL_CHARS:,} characters "
        "(shorten it, or close the quote it opens)\n"
    )
    for size in (1_048_576, 50_000_000):  # a line is never held whole: the second stops as fast as the first
        manifest.write_text(f"id,type,notes\n1,rrms,{'x' * size}\n2,cis,fine\n", encoding="utf-8")
        started = time.monotonic()
        result = batch(cli, manifest, tmp_path / "out2")
        assert time.monotonic() - started < 5
        assert result.exit_code == 2
        assert (
            result.output
            == f"Error: {manifest}:2: line is longer than {MAX_ROW_CHARS:,} characters (shorten it)\n"
        )


def test_a_one_megabyte_json_line_fails_its_row_only(cli: Cli, tmp_path: Path) -> None:
    lines = tmp_path / "m.jsonl"
    lines.write_text(json.dumps({"id": 1, "notes": ["x" * 1_048_576]}) + "\n" + json.dumps({"id": 2}) + "\n")
    result = batch(cli, lines, tmp_path / "out")
    assert result.exit_code == 1
    rows = report(tmp_path / "out")
    assert rows[0]["error"] == f"{lines}:1: line is longer than {MAX_ROW_CHARS:,} characters (shorten it)"
    assert rows[1]["status"] == "ok"
    assert len(result.output) < 10_000  # the long line is never echoed


# --- whole files: encodings, BOM, CRLF, empty ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("m.csv", b"id,type\n1,rr\xffms\n"),
        ("m.yaml", b"- id: 1\n  type: rr\xffms\n"),
        ("m.jsonl", b'{"id": 1}\n{"id": "\xff"}\n'),
    ],
)
def test_invalid_utf8_stops_the_run_before_anything_renders(
    cli: Cli, tmp_path: Path, name: str, content: bytes
) -> None:
    manifest = tmp_path / name
    manifest.write_bytes(content)
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {manifest}: is not valid UTF-8 text (save the manifest as UTF-8)"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("m.csv", b"\xef\xbb\xbfid,type\r\n1,ppms\r\n2,cis\r\n"),
        ("m.yaml", b"\xef\xbb\xbf- id: 1\r\n  type: ppms\r\n- id: 2\r\n  type: cis\r\n"),
        ("m.jsonl", b'\xef\xbb\xbf{"id": 1, "type": "ppms"}\r\n\r\n{"id": 2, "type": "cis"}\r\n'),
    ],
)
def test_bom_and_crlf_manifests_work(cli: Cli, tmp_path: Path, name: str, content: bytes) -> None:
    manifest = tmp_path / name
    manifest.write_bytes(content)
    result = batch(cli, manifest, tmp_path / "out", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'out' / '1-ppms-en.pdf'}" in result.output
    assert f"{tmp_path / 'out' / '2-cis-en.pdf'}" in result.output


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n\n", b"id,type\n", b"id,type\n,\n , \n"])
def test_empty_manifests_render_nothing_and_say_so(cli: Cli, tmp_path: Path, content: bytes) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_bytes(content)
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "0 of 0 rows: 0 ok, 0 failed, 0 skipped" in result.output
    assert report(tmp_path / "out") == []


@pytest.mark.parametrize("name", ["m.yaml", "m.jsonl"])
def test_empty_yaml_and_json_lines_manifests(cli: Cli, tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("")
    result = batch(cli, tmp_path / name, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "0 of 0 rows" in result.output


# --- YAML and JSON Lines: aliases, nesting, wrong types, unknown keys ------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- &a {type: rrms, notes: [x, x, x, x, x, x, x, x, x]}\n- {notes: [*a, *a, *a, *a, *a, *a, *a]}\n",
            "m.yaml:1: anchors and aliases (&name, *name) are not allowed",
        ),
        ("- notes: " + "[" * 100 + "]" * 100 + "\n", "m.yaml:1: nesting deeper than 20 levels"),
        ("- {type: rrms}\n---\n- {type: cis}\n", "m.yaml:2: a YAML manifest must be one document"),
        ("{type: rrms}\n", "m.yaml:1: a YAML manifest must be a list of rows (start each row with -)"),
        ("- {type: rrms\n", "m.yaml:2:"),
        (
            "- !!python/object/apply:os.system ['echo hacked']\n",
            "m.yaml:1: could not determine a constructor",
        ),
    ],
)
def test_hostile_yaml_manifests_stop_the_run(cli: Cli, tmp_path: Path, text: str, message: str) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text(text)
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert message in result.output
    no_traceback(result)
    assert "hacked" not in result.output
    assert not (tmp_path / "out").exists()


def test_wrong_types_and_unknown_keys_fail_their_rows(cli: Cli, tmp_path: Path) -> None:
    rows = [
        {"id": 1, "type": ["rrms"]},
        {"id": 2, "notes": {"a": 1}},
        {"id": {"x": 1}},
        {"id": 4, "date": "2026-13-45"},
        {"id": 5, "fillable": "maybe"},
        {"id": 6, "clinic": 5},
        {"id": 7, "sections": 7},
        {"id": 8, "colour": "blue"},
        {"id": 9, "patient_name": ["a", "b"]},
        {"id": 10, "type": "ppms"},
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    no_traceback(result)
    errors = [r["error"] for r in report(tmp_path / "out")]
    expected = [
        "type: the value is not allowed",
        "notes: must be text or a list of texts",
        "id: must be letters and digits",
        "date: the value is not a date",
        "fillable: the value is not true or false",
        "clinic: must be a clinic file path or a mapping",
        "sections: must be a list of section ids",
        "colour: unknown key (valid keys: id, type,",
        "patient_name: must be text",
        "",
    ]
    for number, (error, part) in enumerate(zip(errors, expected, strict=True), start=1):
        assert part in error, error
        assert error.startswith(f"{manifest}:{number}: ") or not part


def test_broken_json_lines_fail_their_rows_only(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        '{"id": 1}\n{"id": 2,\n[1, 2]\n"text"\nnull\n{"id": 6}\n{"id": 7}}\n{"id": 8, "id": 9}\n'
    )
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    rows = report(tmp_path / "out")
    assert [r["status"] for r in rows] == ["ok", "failed", "failed", "failed", "failed", "ok", "failed", "ok"]
    assert "not valid JSON" in rows[1]["error"]
    assert "a row must be a JSON object" in rows[2]["error"]
    assert "not valid JSON: Extra data" in rows[6]["error"]


# --- clinic files named by rows ----------------------------------------------------------------------------


def test_hostile_clinic_files_fail_their_rows(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (50 * 1024 * 1024))
    (tmp_path / "big.yaml").write_text("name: Big\nlogo: big.png\n")
    (tmp_path / "bomb.yaml").write_text("name: &a x\nphone: *a\n")
    (tmp_path / "folder.yaml").mkdir()
    rows = ["1,big.yaml", "2,bomb.yaml", "3,../../../../etc/passwd", "4,folder.yaml", "5,/dev/zero", "6,"]
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,clinic\n" + "\n".join(rows) + "\n")
    started = time.monotonic()
    result = batch(cli, manifest, tmp_path / "out")
    assert time.monotonic() - started < 60
    assert result.exit_code == 1
    no_traceback(result)
    errors = [r["error"] for r in report(tmp_path / "out")]
    assert f"logo: big.png: is 52,428,808 bytes (use a logo under {MAX_LOGO_BYTES:,} bytes)" in errors[0]
    assert "anchors and aliases (&name, *name) are not allowed" in errors[1]
    outside = "clinic: no such file in the manifest's folder or --assets (a row can name only files there)"
    assert errors[2].endswith(outside)  # outside the manifest's folder: one message, whatever is there
    assert "root:" not in errors[2]
    assert errors[3].endswith(outside)  # a folder
    assert errors[4].endswith(outside)  # /dev/zero
    assert errors[5] == ""


# --- output names --------------------------------------------------------------------------------------------


def test_ids_with_slashes_and_dots_stay_inside_outdir(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    ids = [
        "../../escape",
        "/etc/passwd",
        "a/b\\c",
        "..",
        "...",
        "x\u0000y",
        "\u202eevil",
        "~root",
        "$(rm -rf)",
    ]
    manifest.write_text("\n".join(json.dumps({"id": i, "date": "2026-01-05"}) for i in ids) + "\n")
    outdir = tmp_path / "deep" / "out"
    result = batch(cli, manifest, outdir, "--name", "{language}/{id}-{row}.pdf")
    assert result.exit_code == 1
    rows = report(outdir)
    written = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*.pdf"))
    assert written == sorted(
        ["en/escape-1.pdf", "en/etc-passwd-2.pdf", "en/a-b-c-3.pdf", "en/x-y-6.pdf", "en/evil-7.pdf",
         "en/root-8.pdf", "en/rm--rf-9.pdf"]
    )  # fmt: skip
    assert [r["status"] for r in rows][3:5] == ["failed", "failed"]
    assert "id: must be letters and digits" in rows[3]["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "m.jsonl"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../{id}.pdf", "must not contain '..', '.' or empty folder names"),
        ("a/../../{id}.pdf", "must not contain '..', '.' or empty folder names"),
        ("/tmp/{id}.pdf", "must be a file name inside OUTDIR, not an absolute path"),
        ("~/{id}.pdf", "must be a file name inside OUTDIR, not an absolute path"),
        ("C:/x/{id}.pdf", "must be a file name inside OUTDIR, not an absolute path"),
        ("..\\{id}.pdf", "must be a file name inside OUTDIR, not an absolute path"),
        ("{id.__class__}.pdf", "unknown field {id.__class__}"),
        (
            "{id!r:>99999999}.pdf",
            "{id!r:>99999999} is not allowed (only {row} takes a width, such as {row:05d})",
        ),
        ("{row:999999999}.pdf", "{row:999999999} is not allowed"),
        ("{id:05d}.pdf", "{id:05d} is not allowed"),
        ("{id:/>9}.pdf", "{id:/>9} is not allowed"),
        ("{notes}.pdf", "patient details never go into file names"),
        ("{id", "must end with .pdf"),
        ("{id.pdf", "expected '}' before end of string"),
    ],
)
def test_unsafe_name_templates_stop_the_run(cli: Cli, tmp_path: Path, name: str, message: str) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("id\n1\n")
    result = batch(cli, manifest, tmp_path / "out", "--name", name)
    assert result.exit_code == 2, result.output
    assert message in result.output
    no_traceback(result)


def test_symlinks_in_outdir_never_lead_outside(cli: Cli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.pdf"
    victim.write_bytes(b"keep me")
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "en").symlink_to(outside)
    (outdir / "2.pdf").symlink_to(victim)
    (outdir / "3.pdf").symlink_to("/dev/zero")
    os.mkfifo(outdir / "4.pdf")  # reading it would block for ever
    (outdir / "5.pdf").mkdir()
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,language\n1,en\n2,\n3,\n4,\n5,\n6,\n")
    result = batch(cli, manifest, outdir, "--name", "{id}.pdf")
    assert result.exit_code == 1
    no_traceback(result)
    rows = {r["id"]: r for r in report(outdir)}
    assert f"output name '2.pdf' leads outside {outdir}" in rows["2"]["error"]
    assert f"output name '3.pdf' leads outside {outdir}" in rows["3"]["error"]
    assert rows["4"]["error"].endswith(  # the pipe is never read (it would block) nor replaced
        "4.pdf: is a device or pipe, not a file (give a file name, or - for standard output)"
    )
    assert "5.pdf: is a folder" in rows["5"]["error"]
    assert rows["6"]["status"] == "ok"
    assert victim.read_bytes() == b"keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["victim.pdf"]
    nested = batch(cli, manifest, outdir, "--name", "{language}/{id}.pdf", "--dry-run")
    assert (
        f"problem  {manifest}:2: output name 'en/1.pdf' leads outside {outdir} (change --name)"
        in nested.output
    )


def test_an_outdir_that_is_a_file_or_a_merge_that_is_a_row(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,type\n1,rrms\n")
    (tmp_path / "file").write_text("x")
    result = batch(cli, manifest, tmp_path / "file")
    assert result.exit_code == 2
    assert "is a file" in result.output
    (tmp_path / "out").mkdir()
    clash = batch(cli, manifest, tmp_path / "out", "--merge", str(tmp_path / "out" / "1-rrms-en.pdf"))
    assert clash.exit_code == 2
    assert "is also the output of" in clash.output


def test_rows_that_collide_after_names_are_made_safe(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(json.dumps({"id": i}) for i in ["a/b", "a?b", "A-B", "c"]) + "\n")
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 2
    assert f"{manifest}:2: output name" in result.output
    assert f"is also the name of {manifest}:1" in result.output
    assert f"{manifest}:3: output name" in result.output
    assert not (tmp_path / "out").exists()


# --- a long manifest ----------------------------------------------------------------------------------------

MEASURE = """
import resource, subprocess, sys, time
started = time.monotonic()
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(code, peak, time.monotonic() - started)
"""


@pytest.mark.slow
def test_a_100000_row_manifest_is_checked_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """A dry run streams the rows: peak memory does not grow with the manifest (about 70 MB here)."""
    manifest = tmp_path / "m.csv"
    types = ["rrms", "cis", "spms", "ppms", ""]
    with manifest.open("w", encoding="utf-8") as stream:
        stream.write("id,type,audience,patient_name,notes,date\n")
        for i in range(100_000):
            audience = "patient" if i % 2 else "caregiver"
            stream.write(f"r{i:06d},{types[i % 5]},{audience},Pat {i},Note {i} <b>x</b> | two,2026-01-05\n")
    listing = tmp_path / "listing.txt"
    command = [
        sys.executable,
        "-m",
        "handouts",
        "batch",
        str(manifest),
        "-o",
        str(tmp_path / "out"),
        "--dry-run",
    ]
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, str(listing), *command], capture_output=True, text=True, timeout=300
    )
    code, peak_kb, seconds = measured.stdout.split()
    output = listing.read_text(encoding="utf-8").splitlines()
    lines = [line for line in output if not line.startswith(("Checking ", "Checked "))]
    assert f"Checked {manifest}: 100,000 rows, 0 with problems." in output  # not silent while checking
    assert int(code) == 0, lines[-5:]
    assert (
        lines[-1]
        == "Dry run: 100000 rows: 100000 to render, 0 up to date (skip), 0 with problems. Nothing was written."
    )
    assert len(lines) == 100_001
    assert int(peak_kb) < 250_000, f"peak memory {int(peak_kb) // 1024} MB"
    assert float(seconds) < 240
    assert not (tmp_path / "out").exists()


# --- properties ---------------------------------------------------------------------------------------------

CELL_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF).filter(
        lambda c: not 0x7F <= ord(c) <= 0x9F
    ),
    min_size=1,
    max_size=80,
).filter(lambda s: s.strip() == s and s != "")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=CELL_TEXT, fmt=st.sampled_from(["csv", "yaml", "jsonl"]))
def test_any_cell_text_is_read_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, name: str, fmt: str
) -> None:
    """Whatever a cell holds (quotes, commas, markup, braces, `|`), the row carries exactly that text."""
    path = tmp_path_factory.mktemp("cell") / f"m.{fmt}"
    row = {"id": "1", "patient_name": name}
    if fmt == "csv":
        path.write_text(csv_text([row]), encoding="utf-8")
    elif fmt == "yaml":
        path.write_text(yaml.safe_dump([row], allow_unicode=True), encoding="utf-8")
    else:
        path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    [read] = list(read_manifest(path, fmt))
    assert read.problem is None
    assert read.data["patient_name"] == name


def test_deeply_nested_json_fails_its_row_only(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"id": 1, "notes": ' + "[" * 50_000 + "]" * 50_000 + '}\n{"id": 2}\n')
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    no_traceback(result)
    rows = report(tmp_path / "out")
    assert rows[0]["error"] == f"{manifest}:1: values are nested far too deep (give text, or a list of texts)"
    assert rows[1]["status"] == "ok"


def test_a_header_of_thousands_of_unknown_columns_is_summed_up(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(",".join(f"c{i}" for i in range(20_000)) + "\n1\n")
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 21
    assert lines[-1] == f"{manifest}:1: ... and 19,980 more column problems"


@pytest.mark.parametrize("jobs", ["0", "100000"])
def test_jobs_out_of_range(cli: Cli, tmp_path: Path, jobs: str) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("id\n1\n")
    result = cli("batch", str(manifest), "-o", str(tmp_path / "out"), "--jobs", jobs)
    assert result.exit_code == 2
    assert "--jobs" in result.output
    no_traceback(result)


def test_a_source_date_epoch_out_of_range_is_one_line(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("id\n1\n")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "99999999999999999"}
    for args in (
        ["build", "-o", str(tmp_path / "h.pdf")],
        ["batch", str(manifest), "-o", str(tmp_path / "out")],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "handouts", *args], capture_output=True, text=True, env=env
        )
        assert result.returncode == 2
        assert result.stderr == (
            "Error: SOURCE_DATE_EPOCH=99999999999999999: is not a date handouts can print "
            "(give seconds since 1970, e.g. 1767225600, or unset it)\n"
        )


BAD_VALUES = [
    ("2026-02-30", "'2026-02-30' cannot be read: day is out of range for month"),
    ("2026-01-01 25:61:00", "'2026-01-01 25:61:00' cannot be read: hour must be in 0..23"),
    ("1" * 5000, "'1111111111111111111111111111111111111...' cannot be read: it has more than 4,300 digits"),
]
HOW = "(quote it to keep it as text, or correct it)"


@pytest.mark.parametrize(("value", "message"), BAD_VALUES)
def test_yaml_values_that_cannot_be_built_at_every_door(
    cli: Cli, tmp_path: Path, value: str, message: str
) -> None:
    """YAML reads these as a date or a number that Python cannot build: one line with the file and line."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"type: rrms\ndate: {value}\n")
    result = cli("build", "--spec", str(spec), "-o", str(tmp_path / "h.pdf"))
    assert result.exit_code == 2
    assert result.output == f"Error: {spec}:2: {message} {HOW}\n"
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(f"name: A\nphone: {value}\n")
    result = cli("build", "--clinic", str(clinic), "-o", str(tmp_path / "h.pdf"))
    assert result.output == f"Error: {clinic}:2: {message} {HOW}\n"
    topic = tmp_path / "content" / "en" / "about-ms"
    topic.mkdir(parents=True)
    (topic / "a.md").write_text(f"---\nid: a\nreviewed: {value}\n---\nText.\n")
    result = cli("build", "--content-dir", str(tmp_path / "content"), "--emit", "xml")
    assert result.exit_code == 1
    assert result.output == f"Error: {topic / 'a.md'}:3: {message} {HOW}\n"
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"- id: 1\n  notes: [a, b]\n  date: {value}\n- {{id: 2, date: 2026-01-05}}\n")
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    rows = report(tmp_path / "out")
    reason = message.split(" cannot be read: ")[1]  # a manifest row never quotes its cells
    assert rows[0]["error"] == f"{manifest}:1: a value cannot be read: {reason} {HOW}"
    assert rows[1]["status"] == "ok"


def test_a_json_number_of_thousands_of_digits_fails_its_row(cli: Cli, tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"id": ' + "1" * 5000 + '}\n{"id": 2}\n')
    result = batch(cli, manifest, tmp_path / "out")
    assert result.exit_code == 1
    rows = report(tmp_path / "out")
    assert rows[0]["error"] == f"{manifest}:1: a number has more than 4,300 digits (shorten it)"
    assert rows[1]["status"] == "ok"


@pytest.mark.parametrize("target", ["/dev/null", "pipe"])
def test_an_output_that_is_a_device_or_pipe_is_never_replaced(cli: Cli, tmp_path: Path, target: str) -> None:
    """`-o /dev/null` run as root would otherwise replace the device with a file."""
    path = Path(target) if target.startswith("/") else tmp_path / target
    if not path.exists():
        os.mkfifo(path)
    before = path.stat()
    result = cli("build", "-o", str(path))
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: {path}: is a device or pipe, not a file (give a file name, or - for standard output)\n"
    )
    after = path.stat()
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


@pytest.mark.skipif(
    not Path("/proc/kmsg").exists(), reason="needs Linux /proc/kmsg (a file whose read waits)"
)
def test_files_that_would_block_are_never_waited_for(tmp_path: Path) -> None:
    """/proc/kmsg is a regular file whose read waits for the next kernel message: a clinic, spec or logo
    path to it is an error at once (root), or a permission error (everyone else), never a hang."""
    (tmp_path / "clinic.yaml").write_text("name: A\nlogo: /proc/kmsg\n")
    manifest = tmp_path / "m.csv"
    manifest.write_text("id,clinic\n1,/proc/kmsg\n2,clinic.yaml\n3,\n")
    command = [sys.executable, "-m", "handouts"]
    batch_run = subprocess.run(
        [*command, "batch", str(manifest), "-o", str(tmp_path / "out"), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert batch_run.returncode == 1, batch_run.stderr
    rows = report(tmp_path / "out")
    outside = "no such file in the manifest's folder or --assets (a row can name only files there)"
    assert rows[0]["error"] == f"{manifest}:2: clinic: {outside}"  # never opened
    assert rows[1]["error"].endswith(f"logo: {outside}")
    assert rows[2]["status"] == "ok"
    spec = subprocess.run(
        [*command, "build", "--spec", "/proc/kmsg"], capture_output=True, text=True, timeout=60
    )
    assert spec.returncode == 2
    assert spec.stderr.startswith("Error: /proc/kmsg: cannot be read: ")
