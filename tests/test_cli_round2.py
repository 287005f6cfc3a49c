"""The command line after a hostile review: broken pipes, empty handouts, dates, duplicate keys, one-line usage.

Every test runs the real `python -m handouts` in a subprocess, the way a person or a script runs it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest


def handouts(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "handouts", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def piped_to_head(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command | head -1` in a real shell, exit status of the left side."""
    script = f"set -o pipefail; {sys.executable} -m handouts {command} | head -1"
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_list_into_head_exits_quietly(tmp_path: Path) -> None:
    result = piped_to_head("list", tmp_path)
    assert result.stdout.startswith("Layouts:")
    assert result.stderr == ""


def test_batch_dry_run_into_head_exits_quietly(tmp_path: Path) -> None:
    manifest = tmp_path / "rows.csv"
    manifest.write_text("id,type\n" + "".join(f"{i},rrms\n" for i in range(3000)))
    result = piped_to_head(f"batch {manifest} -o {tmp_path / 'out'} --dry-run", tmp_path)
    assert result.stdout.count("\n") == 1
    assert "Error" not in result.stderr  # progress lines while checking may come first
    assert "BrokenPipe" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_to_stdout_into_head_exits_quietly(tmp_path: Path) -> None:
    result = piped_to_head("build -o - --date 2026-11-26", tmp_path)
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "sections"),
    [
        (["--sections", "caregivers", "--audience", "patient"], "caregivers has nothing for this reader"),
        (["--sections", "caregivers,research", "--audience", "patient"], "have nothing for this reader"),
    ],
)
def test_empty_selection_is_an_error_naming_sections_with_content(
    tmp_path: Path, args: list[str], sections: str
) -> None:
    out = tmp_path / "h.pdf"
    result = handouts("build", *args, "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert sections in result.stderr
    assert "choose from the sections with content for this reader: about-ms, " in result.stderr
    assert "caregivers" not in result.stderr.split("this reader:")[1]
    assert not out.exists()


def test_a_section_with_content_still_builds(tmp_path: Path) -> None:
    result = handouts(
        "build", "--sections", "caregivers", "--audience", "caregiver", "-o", str(tmp_path / "h.pdf")
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("day", ["9999-12-31", "1999-12-31", "0001-01-01"])
def test_date_out_of_range_is_refused(tmp_path: Path, day: str) -> None:
    result = handouts("build", "--date", day, "-o", str(tmp_path / "h.pdf"))
    assert result.returncode == 2
    last = dt.date.today().year + 5
    assert f"date: '{day}' is out of range (give a day from 2000-01-01 to {last}-12-31)" in result.stderr
    assert not (tmp_path / "h.pdf").exists()


def test_date_out_of_range_in_a_spec_file(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text("date: 9999-12-31\n")
    result = handouts("build", "--spec", "spec.yaml", "--emit", "xml", cwd=tmp_path)
    assert result.returncode == 2
    assert "spec.yaml: date: '9999-12-31' is out of range" in result.stderr


def test_duplicate_keys_are_an_error_naming_both_lines(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text("type: rrms\nnotes: [Walk daily]\naudience: patient\ntype: ppms\n")
    result = handouts("build", "--spec", "spec.yaml", "-o", "h.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "Error: spec.yaml:4: the key 'type' appears twice, on lines 1 and 4 (keep one of them)\n"
    )
    assert not (tmp_path / "h.pdf").exists()


def test_duplicate_keys_in_a_nested_clinic_mapping(tmp_path: Path) -> None:
    (tmp_path / "clinic.yaml").write_text("name: Riverside\nphone: '1'\nname: Lakeside\n")
    result = handouts("build", "--clinic", "clinic.yaml", "-o", "h.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert "clinic.yaml:3: the key 'name' appears twice, on lines 1 and 3" in result.stderr


def test_same_key_in_sibling_mappings_is_fine(tmp_path: Path) -> None:
    (tmp_path / "rows.yaml").write_text("- {id: a, type: rrms}\n- {id: b, type: ppms}\n")
    result = handouts("batch", "rows.yaml", "-o", "out", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_click_usage_error_is_one_line(tmp_path: Path) -> None:
    result = handouts("build", "--tpye", "rrms", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: No such option '--tpye'")
    assert result.stderr.rstrip().endswith("handouts build --help')")


def test_bad_choice_is_one_line(tmp_path: Path) -> None:
    result = handouts("build", "--paper", "legal", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "'legal' is not one of 'letter', 'a4'" in result.stderr


def test_one_page_is_singular(tmp_path: Path) -> None:
    result = handouts("build", "--layout", "summary", "-o", "s.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "Wrote s.pdf (1 page)\n"


def test_emit_xml_honours_output(tmp_path: Path) -> None:
    result = handouts("build", "--emit", "xml", "-o", "h.xml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert (tmp_path / "h.xml").read_text().startswith("<handout ")
    assert not (tmp_path / "handout.pdf").exists()


def test_emit_xml_without_output_goes_to_stdout(tmp_path: Path) -> None:
    result = handouts("build", "--emit", "xml", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("<handout ")
    assert list(tmp_path.iterdir()) == []


def overdue_content(tmp_path: Path) -> Path:
    content = tmp_path / "ours" / "en" / "about-ms"
    content.mkdir(parents=True)
    (content / "stale-block.md").write_text(
        "---\nid: stale-block\ntitle: An old page\ntopic: about-ms\norder: 95\ntypes: [any]\n"
        "stages: [any]\naudiences: [any]\nsources: [nmss-types]\nreviewed: 2020-01-01\n"
        "review_due: 2021-01-01\n---\nMS is a condition of the brain and spinal cord.\n"
    )
    return tmp_path / "ours"


def test_content_past_review_warns_on_stderr(tmp_path: Path) -> None:
    ours = overdue_content(tmp_path)
    result = handouts("build", "--content-dir", str(ours), "-o", "h.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Warning: 1 block is past its review date (due 2021-01-01): stale-block" in result.stderr
    assert (tmp_path / "h.pdf").exists()


def test_strict_review_refuses_content_past_review(tmp_path: Path) -> None:
    ours = overdue_content(tmp_path)
    result = handouts("build", "--content-dir", str(ours), "--strict-review", "-o", "h.pdf", cwd=tmp_path)
    assert result.returncode == 1
    assert "1 block is past its review date (due 2021-01-01): stale-block" in result.stderr
    assert not (tmp_path / "h.pdf").exists()


def test_builtin_content_prints_without_review_warning(tmp_path: Path) -> None:
    result = handouts("build", "--strict-review", "-o", "h.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "review" not in result.stderr


def test_bare_command_still_shows_the_help(tmp_path: Path) -> None:
    result = handouts(cwd=tmp_path)
    assert "Commands:" in result.stdout + result.stderr
    assert "Error:" not in result.stdout + result.stderr


def test_one_handout_in_the_print_file_is_singular(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("id,layout,date\n1,summary,2026-11-26\n")
    result = handouts("batch", "m.csv", "-o", "out", "--merge", "print.pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Print file: print.pdf (1 handout, 1 page)" in result.stderr
    assert " 1 page in " in result.stderr
